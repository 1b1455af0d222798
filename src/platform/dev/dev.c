/*
 * dev.c — the dev platform: root secrets in a key directory of the user (see
 * dev_create.c for where it is, how it is checked and how it is created), key derivation for
 * an identity and evidence signing.
 *
 * Keys are derived only from the identity the loader computed and handed in — never from
 * anything an enclave says. The DEBUG attribute and the backend's isolation class enter them,
 * so debug and production enclaves never share a key, and neither do an enclave on sim (in
 * the host's process) and the same enclave on an isolating backend. A damaged, short or
 * missing file in an existing directory is reported as ARCA_ERR_PLATFORM_DAMAGED naming the
 * file, and is never regenerated.
 *
 * No secret is kept in the platform object: an open platform lives as long as its enclave, in
 * the host's heap. derive_keys reads the root seal secret into a local buffer, and evidence
 * loads the attestation key, for that one call; both are wiped (the file bytes too) before the
 * call returns. Open reads each once, only to report a damaged or mismatched file early.
 */
#include "dev_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/asn1.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/params.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "base/error.h"
#include "formats/evidence.h"
#include "formats/sealblob.h"

/* Labels of the key derivation. Isolating backends keep the labels keys had before the
 * isolation class entered them (their sealed data stays readable); sim gets labels of its own. */
#define ENCLAVE_INFO "arca seal enclave v1"
#define SIGNER_INFO "arca seal signer v2"
#define ENCLAVE_INFO_SIM "arca seal enclave sim v1"
#define SIGNER_INFO_SIM "arca seal signer sim v1"
#define LABEL_MAX 32 /* room for the longest label in the info buffer */
/* Largest PEM file read from the key directory; a P-256 key or certificate is about 1 KiB. */
#define PEM_MAX (64u * 1024u)

/* Read the root secret: exactly 32 bytes in a private regular file. */
static arca_result_t load_root(const arca__platform *p, uint8_t root[ARCA_DEV_ROOT_SIZE])
{
    arca_result_t result = ARCA_OK;
    uint8_t *bytes = NULL;
    size_t len = 0;

    ARCA_CHECK(arca__dev_read(p, ARCA_DEV_ROOT_FILE, ARCA_DEV_ROOT_SIZE, &bytes, &len));
    if (len != ARCA_DEV_ROOT_SIZE)
        ARCA_RAISE(ARCA_ERR_PLATFORM_DAMAGED,
                   "dev platform: %s/%s must hold exactly %d bytes (it is %zu bytes); restore it from "
                   "a backup", p->dir, ARCA_DEV_ROOT_FILE, ARCA_DEV_ROOT_SIZE, len);
    memcpy(root, bytes, ARCA_DEV_ROOT_SIZE);
done:
    if (bytes) {
        arca__wipe(bytes, len);
        free(bytes);
    }
    if (result != ARCA_OK)
        arca__wipe(root, ARCA_DEV_ROOT_SIZE);
    return result;
}

/*
 * The private scalar of the attestation key, from PKCS#8 PEM, without leaving a copy of it in
 * freed memory. OpenSSL's generic decoders (PEM_read_bio_PrivateKey, d2i_PrivateKey; 3.0)
 * free two buffers holding the scalar without wiping them — the DER the DER-to-key decoder
 * reads, and the OCTET STRING of the ECPrivateKey structure — so a key loaded for each request
 * would still leave its scalar in the host's heap, which is what loading per request is meant
 * to prevent. Here the PEM is decoded into OpenSSL's wiped secure buffers, the PKCS#8 wrapper is
 * parsed by d2i_PKCS8_PRIV_KEY_INFO (which wipes its key bytes when freed), and the
 * ECPrivateKey inside is walked with ASN1_get_object, which reads headers in place and copies
 * nothing. @p scalar receives the 32 bytes, big-endian; the caller wipes it.
 */
static arca_result_t read_scalar(const arca__platform *p, const uint8_t *pem, size_t pem_len,
                                 uint8_t scalar[32])
{
    arca_result_t result = ARCA_OK;
    BIO *bio = NULL;
    char *name = NULL, *header = NULL;
    unsigned char *der = NULL;
    long der_len = 0, len = 0;
    PKCS8_PRIV_KEY_INFO *p8 = NULL;
    const unsigned char *q = NULL, *pk = NULL, *end = NULL;
    const ASN1_OBJECT *alg_oid = NULL;
    const void *alg_param = NULL;
    const X509_ALGOR *alg = NULL;
    int pk_len = 0, tag, cls, alg_param_type = 0;

    bio = BIO_new_mem_buf(pem, (int)pem_len);
    if (!bio || PEM_read_bio_ex(bio, &name, &header, &der, &der_len,
                                PEM_FLAG_SECURE | PEM_FLAG_EAY_COMPATIBLE) != 1 ||
        strcmp(name, PEM_STRING_PKCS8INF) != 0)
        ARCA_CHECK(arca__crypto_error(ARCA_ERR_PLATFORM_DAMAGED,
                   "dev platform: %s/%s is not a PKCS#8 PEM private key ('BEGIN PRIVATE KEY'); "
                   "restore it from a backup", p->dir, ARCA_DEV_KEY_FILE));
    q = der;
    p8 = d2i_PKCS8_PRIV_KEY_INFO(NULL, &q, der_len);
    if (!p8 || q != der + der_len || PKCS8_pkey_get0(NULL, &pk, &pk_len, &alg, p8) != 1)
        ARCA_CHECK(arca__crypto_error(ARCA_ERR_PLATFORM_DAMAGED,
                   "dev platform: %s/%s is not a PKCS#8 private key; restore it from a backup",
                   p->dir, ARCA_DEV_KEY_FILE));
    X509_ALGOR_get0(&alg_oid, &alg_param_type, &alg_param, alg);
    if (OBJ_obj2nid(alg_oid) != NID_X9_62_id_ecPublicKey || alg_param_type != V_ASN1_OBJECT ||
        OBJ_obj2nid(alg_param) != NID_X9_62_prime256v1)
        ARCA_RAISE(ARCA_ERR_PLATFORM_DAMAGED,
                   "dev platform: %s/%s is not a P-256 private key; restore it from a backup",
                   p->dir, ARCA_DEV_KEY_FILE);
    /* ECPrivateKey (RFC 5915): SEQUENCE { INTEGER 1, OCTET STRING privateKey, ... } */
    q = pk;
    if ((ASN1_get_object(&q, &len, &tag, &cls, pk_len) & 0x80) || tag != V_ASN1_SEQUENCE ||
        cls != V_ASN1_UNIVERSAL)
        goto malformed;
    end = q + len;
    if ((ASN1_get_object(&q, &len, &tag, &cls, end - q) & 0x80) || tag != V_ASN1_INTEGER ||
        cls != V_ASN1_UNIVERSAL || len != 1 || q[0] != 1)
        goto malformed;
    q += len;
    if ((ASN1_get_object(&q, &len, &tag, &cls, end - q) & 0x80) || tag != V_ASN1_OCTET_STRING ||
        cls != V_ASN1_UNIVERSAL || len < 1 || len > 32)
        goto malformed;
    memset(scalar, 0, 32);
    memcpy(scalar + 32 - len, q, (size_t)len);
    goto done;
malformed:
    ARCA_RAISE(ARCA_ERR_PLATFORM_DAMAGED,
               "dev platform: %s/%s holds a malformed EC private key; restore it from a backup",
               p->dir, ARCA_DEV_KEY_FILE);
done:
    PKCS8_PRIV_KEY_INFO_free(p8); /* wipes the key bytes */
    if (der)
        OPENSSL_secure_clear_free(der, (size_t)der_len);
    OPENSSL_secure_free(name);
    OPENSSL_secure_free(header);
    BIO_free(bio);
    if (result != ARCA_OK)
        arca__wipe(scalar, 32);
    return result;
}

/* The key from its scalar and the certificate's public point, through a buffer of ours that
 * is wiped; OpenSSL keeps the scalar in a BIGNUM it clears when the key is freed. */
static arca_result_t key_from_scalar(const arca__platform *p, const uint8_t scalar[32],
                                     arca__ec_key **out)
{
    arca_result_t result = ARCA_OK;
    EVP_PKEY_CTX *ctx = NULL;
    EVP_PKEY *pkey = NULL;
    BIGNUM *bn = NULL;
    uint8_t native[32];
    char group[] = "prime256v1";

    bn = BN_secure_new();
    if (!bn || !BN_bin2bn(scalar, 32, bn) || BN_bn2nativepad(bn, native, sizeof native) != 32)
        ARCA_CHECK(arca__crypto_error(ARCA_ERR_CRYPTO, "dev platform: cannot convert the key"));
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group, 0),
        OSSL_PARAM_construct_BN(OSSL_PKEY_PARAM_PRIV_KEY, native, sizeof native),
        OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, (void *)p->public_key,
                                          p->public_key_len),
        OSSL_PARAM_construct_end(),
    };
    ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
    if (!ctx || EVP_PKEY_fromdata_init(ctx) != 1 ||
        EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_KEYPAIR, params) != 1)
        ARCA_CHECK(arca__crypto_error(ARCA_ERR_PLATFORM_DAMAGED,
                   "dev platform: %s/%s is not a usable P-256 key; restore it from a backup",
                   p->dir, ARCA_DEV_KEY_FILE));
    ARCA_CHECK(arca__ec_from_evp(pkey, out));
done:
    arca__wipe(native, sizeof native);
    BN_clear_free(bn);
    EVP_PKEY_free(pkey); /* *out holds its own reference */
    EVP_PKEY_CTX_free(ctx);
    return result;
}

arca_result_t arca__dev_load_attestation_key(const arca__platform *p, arca__ec_key **out)
{
    arca_result_t result = ARCA_OK;
    uint8_t *pem = NULL;
    size_t len = 0;
    uint8_t scalar[32];

    *out = NULL;
    memset(scalar, 0, sizeof scalar);
    ARCA_CHECK(arca__dev_read(p, ARCA_DEV_KEY_FILE, PEM_MAX, &pem, &len));
    ARCA_CHECK(read_scalar(p, pem, len, scalar));
    ARCA_CHECK(key_from_scalar(p, scalar, out));
done:
    arca__wipe(scalar, sizeof scalar);
    if (pem) {
        arca__wipe(pem, len);
        free(pem);
    }
    return result;
}

/* At open: the key file holds the private key of the certificate's public key. */
static arca_result_t check_key_matches_cert(const arca__platform *p)
{
    arca_result_t result = ARCA_OK;
    arca__ec_key *key = NULL;
    EVP_PKEY_CTX *ctx = NULL;

    ARCA_CHECK(arca__dev_load_attestation_key(p, &key));
    ctx = EVP_PKEY_CTX_new_from_pkey(NULL, arca__ec_evp(key), NULL);
    if (!ctx || EVP_PKEY_pairwise_check(ctx) != 1)
        ARCA_CHECK(arca__crypto_error(ARCA_ERR_PLATFORM_DAMAGED,
                   "dev platform: %s/%s does not match %s/%s (the files come from different "
                   "platforms)", p->dir, ARCA_DEV_KEY_FILE, p->dir, ARCA_DEV_CERT_FILE));
done:
    EVP_PKEY_CTX_free(ctx);
    arca__ec_free(key);
    return result;
}

/* Load the certificate, keep its DER and the platform id (its key's SPKI hash). */
static arca_result_t load_cert(arca__platform *p)
{
    arca_result_t result = ARCA_OK;
    uint8_t *pem = NULL;
    size_t len = 0;
    X509 *cert = NULL;
    BIO *bio = NULL;
    unsigned char *der = NULL;
    int n;

    ARCA_CHECK(arca__dev_read(p, ARCA_DEV_CERT_FILE, PEM_MAX, &pem, &len));
    bio = BIO_new_mem_buf(pem, (int)len);
    if (!bio)
        ARCA_CHECK(arca__crypto_error(ARCA_ERR_OUT_OF_MEMORY, "dev platform: out of memory"));
    cert = PEM_read_bio_X509(bio, NULL, NULL, NULL);
    if (!cert)
        ARCA_CHECK(arca__crypto_error(ARCA_ERR_PLATFORM_DAMAGED,
                                      "dev platform: %s/%s is not a PEM X.509 certificate", p->dir,
                                      ARCA_DEV_CERT_FILE));
    n = i2d_X509(cert, &der);
    if (n <= 0 || (size_t)n > ARCA_EVIDENCE_MAX_CERT_SIZE)
        ARCA_CHECK(arca__crypto_error(ARCA_ERR_PLATFORM_DAMAGED,
                                      "dev platform: %s/%s cannot be encoded as DER", p->dir,
                                      ARCA_DEV_CERT_FILE));
    p->cert_der = malloc((size_t)n);
    if (!p->cert_der)
        ARCA_RAISE(ARCA_ERR_OUT_OF_MEMORY, "dev platform: out of memory");
    memcpy(p->cert_der, der, (size_t)n);
    p->cert_len = (size_t)n;
    ARCA_CHECK(arca__dev_spki_hash(X509_get0_pubkey(cert), p->platform_id));
    if (EVP_PKEY_get_octet_string_param(X509_get0_pubkey(cert), OSSL_PKEY_PARAM_PUB_KEY,
                                        p->public_key, sizeof p->public_key,
                                        &p->public_key_len) != 1)
        ARCA_CHECK(arca__crypto_error(ARCA_ERR_PLATFORM_DAMAGED,
                                      "dev platform: %s/%s does not hold a P-256 public key",
                                      p->dir, ARCA_DEV_CERT_FILE));
done:
    OPENSSL_free(der);
    X509_free(cert);
    BIO_free(bio);
    free(pem);
    return result;
}

static void dev_close(arca__platform *p)
{
    if (!p)
        return;
    if (p->dir_fd >= 0)
        close(p->dir_fd);
    free(p->cert_der);
    free(p);
}

static arca_result_t dev_open(const char *dir, arca__platform **out)
{
    arca_result_t result = ARCA_OK;
    arca__platform *p = NULL;
    uint8_t root[ARCA_DEV_ROOT_SIZE];

    memset(root, 0, sizeof root);
    if (!out)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "dev platform: NULL output");
    *out = NULL;
    p = calloc(1, sizeof *p);
    if (!p)
        ARCA_RAISE(ARCA_ERR_OUT_OF_MEMORY, "dev platform: out of memory");
    p->ops = &arca__dev_platform;
    p->dir_fd = -1;
    ARCA_CHECK(arca__dev_resolve_dir(dir, p->dir));
    ARCA_CHECK(arca__dev_ensure_dir(p->dir, &p->created));
    ARCA_CHECK(arca__dev_open_dir(p->dir, &p->dir_fd));
    /* Each file once, only to report damage now; derive_keys and evidence read them again. */
    ARCA_CHECK(load_root(p, root));
    ARCA_CHECK(load_cert(p));
    ARCA_CHECK(check_key_matches_cert(p));
    *out = p;
    p = NULL;
done:
    arca__wipe(root, sizeof root);
    dev_close(p);
    return result;
}

static arca_result_t dev_derive_keys(arca__platform *p, const arca_identity_t *identity,
                                     struct arca__enclave_keys *keys)
{
    arca_result_t result = ARCA_OK;
    /* info = label || measurement (or signer id || product id) || debug; the label names the
     * isolation class */
    _Static_assert(sizeof ENCLAVE_INFO <= LABEL_MAX && sizeof SIGNER_INFO <= LABEL_MAX &&
                   sizeof ENCLAVE_INFO_SIM <= LABEL_MAX && sizeof SIGNER_INFO_SIM <= LABEL_MAX,
                   "labels fit the info buffer");
    uint8_t info[LABEL_MAX + 32 + 2 + 1];
    uint8_t top[32];
    uint8_t root[ARCA_DEV_ROOT_SIZE];
    size_t n;

    memset(root, 0, sizeof root);
    if (!p || !identity || !keys)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "dev platform: NULL argument");
    memset(keys, 0, sizeof *keys);
    if (identity->backend == ARCA_BACKEND_ID_NONE)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "dev platform: keys are derived for an enclave on a "
                   "backend; the identity names none");
    /* The root secret lives only in this frame, for this derivation (see the file comment). */
    ARCA_CHECK(load_root(p, root));
    const uint8_t debug = (identity->attributes & ARCA_ATTR_DEBUG) ? 1 : 0;
    const int isolates = arca__backend_isolates(identity->backend);
    const char *enclave_label = isolates ? ENCLAVE_INFO : ENCLAVE_INFO_SIM;
    const char *signer_label = isolates ? SIGNER_INFO : SIGNER_INFO_SIM;

    n = strlen(enclave_label);
    memcpy(info, enclave_label, n);
    memcpy(info + n, identity->measurement, 32);
    n += 32;
    info[n++] = debug;
    ARCA_CHECK(arca__hkdf_sha256(NULL, 0, root, sizeof root, info, n, keys->enclave_key, 32));

    n = strlen(signer_label);
    memcpy(info, signer_label, n);
    memcpy(info + n, identity->signer_id, 32);
    n += 32;
    info[n++] = (uint8_t)identity->product_id;
    info[n++] = (uint8_t)(identity->product_id >> 8);
    info[n++] = debug;
    /* T(255), the top of this signer's SVN key tree; see sealblob.h. */
    ARCA_CHECK(arca__hkdf_sha256(NULL, 0, root, sizeof root, info, n, top, sizeof top));
    ARCA_CHECK(arca__seal_svn_derive(top, identity->svn, keys->signer_key, keys->signer_lower,
                                     &keys->has_lower));
done:
    arca__wipe(root, sizeof root);
    arca__wipe(top, sizeof top);
    if (result != ARCA_OK && keys)
        arca__wipe(keys, sizeof *keys);
    return result;
}

static arca_result_t dev_evidence(arca__platform *p, const arca_identity_t *identity,
                                  const uint8_t runtime_digest[32], const uint8_t report_data[64],
                                  uint8_t **evidence, size_t *len)
{
    arca_result_t result = ARCA_OK;
    arca__ec_key *key = NULL;
    uint8_t *buf = NULL;
    size_t total = 0;
    struct timespec now;

    if (!p || !identity || !runtime_digest || !report_data || !evidence || !len)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "dev platform: NULL argument");
    *evidence = NULL;
    *len = 0;
    if (clock_gettime(CLOCK_REALTIME, &now) != 0 || now.tv_sec < 0)
        ARCA_RAISE(ARCA_ERR_PLATFORM, "dev platform: cannot read the clock");
    const uint8_t *certs[1] = {p->cert_der};
    const size_t cert_lens[1] = {p->cert_len};
    ARCA_CHECK(arca__evidence_build(ARCA_PLATFORM_DEV, p->platform_id, identity,
                                    runtime_digest, report_data,
                                    (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec,
                                    certs, cert_lens, 1, &buf, &total));
    /* The key lives from here to the end of this call (issue 11, item 7). */
    ARCA_CHECK(arca__dev_load_attestation_key(p, &key));
    ARCA_CHECK(arca__ec_sign(key, buf, total - ARCA_EVIDENCE_SIG_SIZE,
                             buf + total - ARCA_EVIDENCE_SIG_SIZE));
    *evidence = buf;
    *len = total;
    buf = NULL;
done:
    arca__ec_free(key);
    free(buf);
    return result;
}

static const char *const dev_settings[] = {"dir", NULL};

const struct arca_platform_ops arca__dev_platform = {
    .version = ARCA_PLATFORM_OPS_VERSION,
    .name = "dev",
    .kind = ARCA_PLATFORM_DEV,
    .setting_keys = dev_settings,
    .open = dev_open,
    .derive_keys = dev_derive_keys,
    .evidence = dev_evidence,
    .describe = arca__dev_describe,
    .close = dev_close,
};
