/*
 * crypto_x509_sig.c — EC public keys for hardware evidence and raw ECDSA verification:
 * the quote's attestation key (P-256 x || y), certificate keys (Intel PCK and TCB Signing on
 * P-256, AMD VCEK/VLEK on P-384), and signatures given as big-endian r and s (Intel quotes,
 * QE reports and collateral; SNP reports after their little-endian fields are reversed).
 *
 * OpenSSL does the verification (EVP_PKEY_verify over the digest it computes); this file
 * only converts r and s to the DER form OpenSSL expects. It must never accept a key on any
 * other curve, never treat an OpenSSL error as a valid signature, and never leave OpenSSL's
 * error queue filled.
 *
 * Performance: the digests are fetched once (pthread_once), so a verification costs one
 * digest, one key context and OpenSSL's ECDSA verify, as raw OpenSSL code would.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/objects.h>
#include <openssl/params.h>

#include "crypto.h"
#include "crypto_x509_internal.h"
#include "base/error.h"

/* ---- digests, fetched once ---- */

static EVP_MD *md_sha256, *md_sha384;
static pthread_once_t md_once = PTHREAD_ONCE_INIT;

static void md_release(void)
{
    EVP_MD_free(md_sha256);
    EVP_MD_free(md_sha384);
    md_sha256 = md_sha384 = NULL;
}

static void md_fetch(void)
{
    md_sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
    md_sha384 = EVP_MD_fetch(NULL, "SHA384", NULL);
    atexit(md_release);
}

/* The digest for a coordinate size, or NULL (then the caller reports a crypto failure). */
static const EVP_MD *digest_for(size_t size)
{
    pthread_once(&md_once, md_fetch);
    return size == 32 ? md_sha256 : size == 48 ? md_sha384 : NULL;
}

/* ---- keys ---- */

arca_result_t arca__pubkey_wrap(EVP_PKEY *pkey, const char *what, arca__pubkey **out)
{
    arca_result_t result = ARCA_OK;
    char group[64] = "";
    size_t group_len = 0;
    size_t size = 0;
    int nid;

    if (!pkey || !out)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "pubkey_wrap: NULL argument");
    if (!EVP_PKEY_is_a(pkey, "EC") ||
        EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group,
                                       &group_len) != 1) {
        ERR_clear_error();
        ARCA_RAISE(ARCA_ERR_KEY, "%s: not an EC key on a named curve", what);
    }
    nid = OBJ_sn2nid(group);
    if (nid == NID_X9_62_prime256v1)
        size = 32;
    else if (nid == NID_secp384r1)
        size = 48;
    else
        ARCA_RAISE(ARCA_ERR_KEY, "%s: EC key on curve %s; expected P-256 or P-384", what, group);
    *out = OPENSSL_zalloc(sizeof **out);
    if (!*out)
        ARCA_RAISE(ARCA_ERR_OUT_OF_MEMORY, "%s: cannot allocate a key", what);
    (*out)->pkey = pkey;
    (*out)->size = size;
    (*out)->refs = 1;
done:
    return result;
}

arca_result_t arca__cert_pubkey(const arca__cert *cert, arca__pubkey **out)
{
    arca_result_t result = ARCA_OK;
    EVP_PKEY *pkey = NULL;
    char cn[128];

    if (!cert || !out)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "cert_pubkey: NULL argument");
    *out = NULL;
    arca__cert_cn(cert, 0, cn, sizeof cn);
    pkey = X509_get_pubkey(cert->x);
    if (!pkey)
        ARCA_RAISE(arca__crypto_error(ARCA_ERR_KEY, "certificate '%s': unreadable public key", cn));
    ARCA_CHECK(arca__pubkey_wrap(pkey, cn, out));
    pkey = NULL;
done:
    EVP_PKEY_free(pkey);
    return result;
}

arca_result_t arca__pubkey_from_p256_xy(const uint8_t xy[64], arca__pubkey **out)
{
    arca_result_t result = ARCA_OK;
    EVP_PKEY_CTX *ctx = NULL;
    EVP_PKEY *pkey = NULL;
    uint8_t point[65];
    char group[] = "P-256";
    OSSL_PARAM params[3];

    if (!xy || !out)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "pubkey_from_p256_xy: NULL argument");
    *out = NULL;
    point[0] = 0x04; /* uncompressed point */
    memcpy(point + 1, xy, 64);
    params[0] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group, 0);
    params[1] = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, point, sizeof point);
    params[2] = OSSL_PARAM_construct_end();
    ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
    if (!ctx || EVP_PKEY_fromdata_init(ctx) != 1)
        ARCA_RAISE(arca__crypto_error(ARCA_ERR_OUT_OF_MEMORY, "cannot allocate an EC key context"));
    /* OpenSSL refuses a point that is not on the curve here. */
    if (EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) != 1 || !pkey)
        ARCA_RAISE(arca__crypto_error(ARCA_ERR_KEY, "the attestation key is not a point on P-256"));
    ARCA_CHECK(arca__pubkey_wrap(pkey, "attestation key", out));
    pkey = NULL;
done:
    EVP_PKEY_free(pkey);
    EVP_PKEY_CTX_free(ctx);
    return result;
}

size_t arca__pubkey_size(const arca__pubkey *key)
{
    return key ? key->size : 0;
}

arca__pubkey *arca__pubkey_ref(arca__pubkey *key)
{
    if (key)
        __atomic_add_fetch(&key->refs, 1, __ATOMIC_RELAXED);
    return key;
}

void arca__pubkey_free(arca__pubkey *key)
{
    if (!key || __atomic_sub_fetch(&key->refs, 1, __ATOMIC_ACQ_REL) != 0)
        return;
    EVP_PKEY_free(key->pkey);
    OPENSSL_free(key);
}

/* ---- raw ECDSA ---- */

arca_result_t arca__pubkey_verify(const arca__pubkey *key, const void *msg, size_t len,
                                  const uint8_t *r, const uint8_t *s, size_t n)
{
    arca_result_t result = ARCA_OK;
    const EVP_MD *md;
    EVP_PKEY_CTX *pctx = NULL;
    ECDSA_SIG *sig = NULL;
    BIGNUM *br = NULL, *bs = NULL;
    unsigned char *der = NULL;
    int der_len;
    uint8_t digest[EVP_MAX_MD_SIZE];
    unsigned int digest_len = 0;

    if (!key || !r || !s || (!msg && len != 0))
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "pubkey_verify: NULL argument");
    if (n != key->size)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT,
                   "pubkey_verify: %zu-byte r and s for a %zu-byte curve", n, key->size);
    md = digest_for(n);
    if (!md)
        ARCA_RAISE(arca__crypto_error(ARCA_ERR_CRYPTO, "ECDSA: digest unavailable"));
    if (EVP_Digest(len ? msg : (const void *)"", len, digest, &digest_len, md, NULL) != 1)
        ARCA_RAISE(arca__crypto_error(ARCA_ERR_CRYPTO, "ECDSA: digest failed"));
    br = BN_bin2bn(r, (int)n, NULL);
    bs = BN_bin2bn(s, (int)n, NULL);
    sig = ECDSA_SIG_new();
    if (!br || !bs || !sig || ECDSA_SIG_set0(sig, br, bs) != 1)
        ARCA_RAISE(arca__crypto_error(ARCA_ERR_OUT_OF_MEMORY, "ECDSA: cannot build a signature"));
    br = bs = NULL;
    der_len = i2d_ECDSA_SIG(sig, &der);
    if (der_len <= 0 || !der)
        ARCA_RAISE(arca__crypto_error(ARCA_ERR_CRYPTO, "ECDSA: cannot encode the signature"));
    pctx = EVP_PKEY_CTX_new_from_pkey(NULL, key->pkey, NULL);
    if (!pctx || EVP_PKEY_verify_init(pctx) != 1 || EVP_PKEY_CTX_set_signature_md(pctx, md) != 1)
        ARCA_RAISE(arca__crypto_error(ARCA_ERR_KEY, "ECDSA: cannot verify with this key"));
    if (EVP_PKEY_verify(pctx, der, (size_t)der_len, digest, digest_len) != 1) {
        ERR_clear_error();
        ARCA_RAISE(ARCA_ERR_BAD_SIGNATURE, "ECDSA P-%d signature does not verify",
                   n == 32 ? 256 : 384);
    }
done:
    BN_free(br);
    BN_free(bs);
    ECDSA_SIG_free(sig);
    OPENSSL_free(der);
    EVP_PKEY_CTX_free(pctx);
    return result;
}
