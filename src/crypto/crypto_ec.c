/*
 * crypto_ec.c — ECDSA P-256 keys and signatures over OpenSSL 3 (EVP_PKEY only).
 *
 * Divisions: key checks and wrapping; generation; PEM loading; PKCS#8 loading without
 * copies of the scalar; PEM saving; SPKI DER export and import; sign and verify (raw r||s <->
 * DER ECDSA-Sig-Value conversion).
 *
 * Signing is on the evidence hot path. Setting up an OpenSSL signing context from a key
 * (EVP_DigestSignInit) looks the key type, the signature algorithm and the digest up by
 * name, which cost about as much as 15 % of the signature itself; so each key keeps one
 * prepared signing context (created on first use, under the key's lock) and every signature
 * works on a duplicate of it: SHA-256 of the message, then EVP_PKEY_sign over the digest,
 * which is exactly ECDSA-SHA256 of the message.
 *
 * Every key that enters through this file is checked to be an EC key on P-256 before
 * it is wrapped; any other curve or key type is refused with ARCA_ERR_KEY. Signatures and
 * DER from outside are hostile: verify never crashes on any 64 bytes, and DER import
 * refuses trailing bytes. This file must never prompt for a passphrase, never overwrite
 * an existing private key file, and never leave OpenSSL's error queue filled.
 */
#include "crypto.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/objects.h>
#include <openssl/params.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "base/error.h"
#include "formats/image.h" /* arca__read_file */

#define COORD_SIZE (ARCA_ECDSA_SIG_SIZE / 2)

struct arca__ec_key {
    EVP_PKEY *pkey;
    pthread_mutex_t lock;        /* guards sign_template and point (creation and use) */
    EVP_PKEY_CTX *sign_template; /* EVP_PKEY_sign_init'ed with SHA-256, or NULL until first sign */
    /* The public point as OpenSSL encodes it, made on first use by arca__ec_from_pkcs8_pem:
     * encoding it takes a field inversion, which would cost a key loaded per request a quarter
     * of its time. 0 bytes until then. */
    uint8_t point[1 + 2 * COORD_SIZE];
    size_t point_len;
};

/* Largest PEM private key file we read; a P-256 key is about 250 bytes. */
#define PEM_FILE_MAX (64u * 1024u)

/* The order n of the P-256 group (FIPS 186-4, D.1.2.3), big-endian. */
static const uint8_t p256_order[COORD_SIZE] = {
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
};

/* ---- key checks and wrapping ---- */

/* ARCA_OK if @p pkey is an EC key on P-256; ARCA_ERR_KEY with a detail naming @p what otherwise. */
static arca_result_t check_p256(EVP_PKEY *pkey, const char *what)
{
    arca_result_t result = ARCA_OK;
    char group[80] = "";
    size_t group_len = 0;

    if (!EVP_PKEY_is_a(pkey, "EC")) {
        const char *type = EVP_PKEY_get0_type_name(pkey);
        ARCA_RAISE(ARCA_ERR_KEY,
                   "%s: key type is %s, but Arca keys must be ECDSA P-256 "
                   "(create one with 'arca keygen')",
                   what, type ? type : "unknown");
    }
    if (EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group,
                                       &group_len) != 1) {
        ERR_clear_error();
        ARCA_RAISE(ARCA_ERR_KEY,
                   "%s: EC key without a named curve (explicit parameters are not "
                   "accepted); Arca keys must be ECDSA P-256",
                   what);
    }
    if (OBJ_sn2nid(group) != NID_X9_62_prime256v1)
        ARCA_RAISE(ARCA_ERR_KEY,
                   "%s: key is on curve %s, but Arca keys must be ECDSA P-256 "
                   "(prime256v1); create one with 'arca keygen'",
                   what, group);
done:
    return result;
}

/* Wrap @p pkey. On success the new key owns it; on failure the caller still does. */
static arca_result_t wrap(EVP_PKEY *pkey, arca__ec_key **out)
{
    arca_result_t result = ARCA_OK;
    arca__ec_key *key = OPENSSL_zalloc(sizeof *key);

    if (!key)
        ARCA_RAISE(ARCA_ERR_OUT_OF_MEMORY, "cannot allocate an EC key");
    if (pthread_mutex_init(&key->lock, NULL) != 0) {
        OPENSSL_free(key);
        ARCA_RAISE(ARCA_ERR_OUT_OF_MEMORY, "cannot initialise an EC key's lock");
    }
    key->pkey = pkey;
    *out = key;
done:
    return result;
}

void *arca__ec_evp(const arca__ec_key *key)
{
    return key ? key->pkey : NULL;
}

arca_result_t arca__ec_from_evp(void *evp_pkey, arca__ec_key **out)
{
    arca_result_t result = ARCA_OK;
    EVP_PKEY *pkey = evp_pkey;

    if (!out)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "ec_from_evp: NULL output");
    *out = NULL;
    if (!pkey)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "ec_from_evp: NULL key");
    ARCA_CHECK(check_p256(pkey, "key"));
    if (EVP_PKEY_up_ref(pkey) != 1)
        ARCA_RAISE(arca__crypto_error(ARCA_ERR_CRYPTO, "cannot take a reference to the key"));
    result = wrap(pkey, out);
    if (result != ARCA_OK)
        EVP_PKEY_free(pkey); /* drop the reference just taken */
done:
    return result;
}

void arca__ec_free(arca__ec_key *key)
{
    if (!key)
        return;
    EVP_PKEY_CTX_free(key->sign_template);
    pthread_mutex_destroy(&key->lock);
    EVP_PKEY_free(key->pkey); /* OpenSSL clears private key material on free. */
    OPENSSL_free(key);
}

/* ---- generation ---- */

arca_result_t arca__ec_generate(arca__ec_key **out)
{
    arca_result_t result = ARCA_OK;
    EVP_PKEY *pkey = NULL;

    if (!out)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "ec_generate: NULL output");
    *out = NULL;
    pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    if (!pkey)
        ARCA_RAISE(arca__crypto_error(ARCA_ERR_CRYPTO, "cannot generate a P-256 key"));
    ARCA_CHECK(wrap(pkey, out));
    pkey = NULL;
done:
    EVP_PKEY_free(pkey);
    return result;
}

/* ---- PEM loading ---- */

/* Passphrase callback that refuses: encrypted keys fail instead of prompting on a terminal. */
static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
    (void)buf;
    (void)size;
    (void)rwflag;
    (void)u;
    return -1;
}

/* Load a private key from PEM bytes; @p name names the source in error details. */
static arca_result_t load_private_pem(const void *pem, size_t len, const char *name,
                                      arca__ec_key **out)
{
    arca_result_t result = ARCA_OK;
    BIO *bio = NULL;
    EVP_PKEY *pkey = NULL;

    if (!out)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "load_private_pem: NULL output");
    *out = NULL;
    if (!pem && len != 0)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "load_private_pem: NULL data with length %zu", len);
    if (len == 0)
        ARCA_RAISE(ARCA_ERR_KEY, "%s: empty, expected a PEM private key", name);
    if (len > INT_MAX)
        ARCA_RAISE(ARCA_ERR_KEY, "%s: %zu bytes is far too large for a PEM private key", name, len);
    bio = BIO_new_mem_buf(pem, (int)len);
    if (!bio)
        ARCA_RAISE(arca__crypto_error(ARCA_ERR_OUT_OF_MEMORY, "%s: cannot allocate a BIO", name));
    pkey = PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL);
    if (!pkey)
        ARCA_RAISE(arca__crypto_error(ARCA_ERR_KEY,
                                      "%s: not an unencrypted PEM private key (PKCS#8 'PRIVATE "
                                      "KEY' or SEC1 'EC PRIVATE KEY')",
                                      name));
    ARCA_CHECK(check_p256(pkey, name));
    ARCA_CHECK(wrap(pkey, out));
    pkey = NULL;
done:
    EVP_PKEY_free(pkey);
    BIO_free(bio);
    return result;
}

arca_result_t arca__ec_load_private_pem(const void *pem, size_t len, arca__ec_key **out)
{
    return load_private_pem(pem, len, "private key", out);
}

arca_result_t arca__ec_load_private_pem_file(const char *path, arca__ec_key **out)
{
    arca_result_t result = ARCA_OK;
    uint8_t *bytes = NULL;
    size_t len = 0;

    if (!out || !path)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "load_private_pem_file: NULL argument");
    *out = NULL;
    result = arca__read_file(path, PEM_FILE_MAX, &bytes, &len);
    if (result == ARCA_ERR_OVERFLOW)
        ARCA_RAISE(ARCA_ERR_KEY, "%s: larger than %u bytes, not a PEM private key", path,
                   PEM_FILE_MAX);
    ARCA_CHECK(result);
    ARCA_CHECK(load_private_pem(bytes, len, path, out));
done:
    arca__wipe(bytes, len);
    free(bytes);
    return result;
}

/* ---- PKCS#8 loading without copies of the scalar ----
 *
 * OpenSSL's generic decoders (PEM_read_bio_PrivateKey, d2i_PrivateKey; 3.0) free two buffers
 * holding the scalar without wiping them: the DER the DER-to-key decoder reads, and the OCTET
 * STRING of the ECPrivateKey structure. Here the PEM is decoded into OpenSSL's wiped secure
 * buffers, the PKCS#8 wrapper is parsed by d2i_PKCS8_PRIV_KEY_INFO (which wipes its key bytes
 * when freed), and the ECPrivateKey inside is walked with ASN1_get_object, which reads headers
 * in place and copies nothing. The key is then built from the scalar through a buffer of ours
 * that is wiped; OpenSSL keeps the scalar in a BIGNUM it clears when the key is freed.
 */

/* The 32-byte big-endian scalar of a PKCS#8 P-256 key in PEM. On failure @p scalar is wiped. */
static arca_result_t pkcs8_scalar(const void *pem, size_t pem_len, const char *name,
                                  uint8_t scalar[COORD_SIZE])
{
    arca_result_t result = ARCA_OK;
    BIO *bio = NULL;
    char *label = NULL, *header = NULL;
    unsigned char *der = NULL;
    long der_len = 0, len = 0;
    PKCS8_PRIV_KEY_INFO *p8 = NULL;
    const unsigned char *q = NULL, *pk = NULL, *end = NULL;
    const ASN1_OBJECT *alg_oid = NULL;
    const void *alg_param = NULL;
    const X509_ALGOR *alg = NULL;
    int pk_len = 0, tag, cls, alg_param_type = 0;

    bio = BIO_new_mem_buf(pem, (int)pem_len);
    if (!bio || PEM_read_bio_ex(bio, &label, &header, &der, &der_len,
                                PEM_FLAG_SECURE | PEM_FLAG_EAY_COMPATIBLE) != 1 ||
        strcmp(label, PEM_STRING_PKCS8INF) != 0)
        ARCA_RAISE(arca__crypto_error(ARCA_ERR_KEY,
                                      "%s is not a PKCS#8 PEM private key ('BEGIN PRIVATE KEY')",
                                      name));
    q = der;
    p8 = d2i_PKCS8_PRIV_KEY_INFO(NULL, &q, der_len);
    if (!p8 || q != der + der_len || PKCS8_pkey_get0(NULL, &pk, &pk_len, &alg, p8) != 1)
        ARCA_RAISE(arca__crypto_error(ARCA_ERR_KEY, "%s is not a PKCS#8 private key", name));
    X509_ALGOR_get0(&alg_oid, &alg_param_type, &alg_param, alg);
    if (OBJ_obj2nid(alg_oid) != NID_X9_62_id_ecPublicKey || alg_param_type != V_ASN1_OBJECT ||
        OBJ_obj2nid(alg_param) != NID_X9_62_prime256v1)
        ARCA_RAISE(ARCA_ERR_KEY, "%s is not a P-256 private key", name);
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
        cls != V_ASN1_UNIVERSAL || len < 1 || len > COORD_SIZE)
        goto malformed;
    memset(scalar, 0, COORD_SIZE);
    memcpy(scalar + COORD_SIZE - len, q, (size_t)len);
    goto done;
malformed:
    ERR_clear_error();
    ARCA_RAISE(ARCA_ERR_KEY, "%s holds a malformed EC private key", name);
done:
    PKCS8_PRIV_KEY_INFO_free(p8); /* wipes the key bytes */
    if (der)
        OPENSSL_secure_clear_free(der, (size_t)der_len);
    OPENSSL_secure_free(label);
    OPENSSL_secure_free(header);
    BIO_free(bio);
    if (result != ARCA_OK)
        OPENSSL_cleanse(scalar, COORD_SIZE);
    return result;
}

/* The encoded public point of @p key (cached in the key: see struct arca__ec_key). */
static arca_result_t public_point(const arca__ec_key *key, const char *name,
                                  uint8_t out[1 + 2 * COORD_SIZE], size_t *len)
{
    arca_result_t result = ARCA_OK;
    /* The key is const to callers; only its private cache changes, under its lock. */
    arca__ec_key *k = (arca__ec_key *)key;
    int locked = 0;

    if (pthread_mutex_lock(&k->lock) != 0)
        ARCA_RAISE(ARCA_ERR_INTERNAL, "%s: cannot lock the public key", name);
    locked = 1;
    if (k->point_len == 0 &&
        EVP_PKEY_get_octet_string_param(k->pkey, OSSL_PKEY_PARAM_PUB_KEY, k->point,
                                        sizeof k->point, &k->point_len) != 1) {
        k->point_len = 0;
        ARCA_RAISE(arca__crypto_error(ARCA_ERR_KEY, "%s: the public key given for it has no "
                                                    "P-256 point", name));
    }
    memcpy(out, k->point, k->point_len);
    *len = k->point_len;
done:
    if (locked)
        pthread_mutex_unlock(&k->lock);
    return result;
}

/* The key pair from its scalar and the public point of @p public_key. */
static arca_result_t key_from_scalar(const uint8_t scalar[COORD_SIZE], const char *name,
                                     const arca__ec_key *public_key, arca__ec_key **out)
{
    arca_result_t result = ARCA_OK;
    EVP_PKEY_CTX *ctx = NULL;
    EVP_PKEY *pkey = NULL;
    BIGNUM *bn = NULL, *order = NULL;
    uint8_t native[COORD_SIZE];
    uint8_t point[1 + 2 * COORD_SIZE];
    size_t point_len = 0;
    char group[] = "prime256v1";

    ARCA_CHECK(public_point(public_key, name, point, &point_len));
    bn = BN_secure_new();
    order = BN_bin2bn(p256_order, COORD_SIZE, NULL);
    if (!bn || !order || !BN_bin2bn(scalar, COORD_SIZE, bn) ||
        BN_bn2nativepad(bn, native, sizeof native) != COORD_SIZE)
        ARCA_RAISE(arca__crypto_error(ARCA_ERR_CRYPTO, "%s: cannot convert the private key", name));
    /* EVP_PKEY_fromdata takes any scalar. This is OpenSSL's own private-key check
     * (ossl_ec_key_private_check: 0 < scalar < n) without a key context per load. */
    if (BN_is_zero(bn) || BN_cmp(bn, order) >= 0)
        ARCA_RAISE(ARCA_ERR_KEY, "%s is not a usable P-256 key: its scalar is not between 1 and "
                                 "the group order", name);
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group, 0),
        OSSL_PARAM_construct_BN(OSSL_PKEY_PARAM_PRIV_KEY, native, sizeof native),
        OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, point, point_len),
        OSSL_PARAM_construct_end(),
    };
    ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
    if (!ctx || EVP_PKEY_fromdata_init(ctx) != 1 ||
        EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_KEYPAIR, params) != 1)
        ARCA_RAISE(arca__crypto_error(ARCA_ERR_KEY, "%s is not a usable P-256 key", name));
    ARCA_CHECK(wrap(pkey, out));
    pkey = NULL;
done:
    OPENSSL_cleanse(native, sizeof native);
    BN_clear_free(bn);
    BN_free(order);
    EVP_PKEY_free(pkey); /* clears the scalar */
    EVP_PKEY_CTX_free(ctx);
    return result;
}

arca_result_t arca__ec_from_pkcs8_pem(const void *pem, size_t len, const char *name,
                                      const arca__ec_key *public_key, arca__ec_key **out)
{
    arca_result_t result = ARCA_OK;
    uint8_t scalar[COORD_SIZE];

    memset(scalar, 0, sizeof scalar);
    if (!out)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "ec_from_pkcs8_pem: NULL output");
    *out = NULL;
    if ((!pem && len != 0) || !name || !public_key || !public_key->pkey)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "ec_from_pkcs8_pem: NULL argument");
    if (len == 0)
        ARCA_RAISE(ARCA_ERR_KEY, "%s is empty, expected a PKCS#8 PEM private key", name);
    if (len > INT_MAX)
        ARCA_RAISE(ARCA_ERR_KEY, "%s: %zu bytes is far too large for a PEM private key", name, len);
    ARCA_CHECK(pkcs8_scalar(pem, len, name, scalar));
    ARCA_CHECK(key_from_scalar(scalar, name, public_key, out));
done:
    OPENSSL_cleanse(scalar, sizeof scalar);
    return result;
}

arca_result_t arca__ec_check_pair(const arca__ec_key *key)
{
    arca_result_t result = ARCA_OK;
    EVP_PKEY_CTX *ctx = NULL;

    if (!key || !key->pkey)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "ec_check_pair: NULL key");
    ctx = EVP_PKEY_CTX_new_from_pkey(NULL, key->pkey, NULL);
    if (!ctx)
        ARCA_RAISE(arca__crypto_error(ARCA_ERR_OUT_OF_MEMORY, "cannot allocate a key context"));
    if (EVP_PKEY_pairwise_check(ctx) != 1)
        ARCA_RAISE(arca__crypto_error(ARCA_ERR_KEY, "the private key does not belong to the "
                                                    "public key (or there is no private key)"));
done:
    EVP_PKEY_CTX_free(ctx);
    return result;
}

/* ---- PEM saving ---- */

/* Write all of @p buf to @p fd, retrying on EINTR and short writes. Returns 0 or an errno. */
static int write_all(int fd, const uint8_t *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, buf, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return errno;
        }
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Create @p path with @p flags / @p mode and write the contents of @p bio into it. */
static arca_result_t write_bio_to_file(BIO *bio, const char *path, int flags, mode_t mode,
                                       const char *what)
{
    arca_result_t result = ARCA_OK;
    int fd = -1;
    int err = 0;
    char *data = NULL;
    long len = BIO_get_mem_data(bio, &data);
    int created = 0;

    if (len <= 0 || !data)
        ARCA_RAISE(arca__crypto_error(ARCA_ERR_CRYPTO, "%s: encoding produced no data", what));
    fd = open(path, flags | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, mode);
    if (fd < 0) {
        if (errno == EEXIST)
            ARCA_RAISE(ARCA_ERR_IO,
                       "%s: File exists; refusing to overwrite a key file (move it "
                       "away or choose another path)",
                       path);
        ARCA_RAISE(ARCA_ERR_IO, "%s: %s", path, strerror(errno));
    }
    created = (flags & O_EXCL) != 0;
    err = write_all(fd, (const uint8_t *)data, (size_t)len);
    if (err == 0 && fsync(fd) != 0)
        err = errno;
    if (close(fd) != 0 && err == 0)
        err = errno;
    fd = -1;
    if (err != 0)
        ARCA_RAISE(ARCA_ERR_IO, "%s: cannot write %s: %s", path, what, strerror(err));
done:
    if (fd >= 0)
        close(fd);
    /* Never leave a truncated private key behind that later looks like a real one. */
    if (result != ARCA_OK && created && err != 0)
        unlink(path);
    return result;
}

arca_result_t arca__ec_save_private_pem_file(const arca__ec_key *key, const char *path)
{
    arca_result_t result = ARCA_OK;
    /* A secure-memory BIO wipes its buffer when freed: the PEM holds the private key. */
    BIO *bio = NULL;

    if (!key || !key->pkey || !path)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "save_private_pem_file: NULL argument");
    bio = BIO_new(BIO_s_secmem());
    if (!bio)
        ARCA_RAISE(arca__crypto_error(ARCA_ERR_OUT_OF_MEMORY, "cannot allocate a BIO"));
    /* PEM_write_bio_PrivateKey writes PKCS#8 ("BEGIN PRIVATE KEY"), unencrypted. */
    if (PEM_write_bio_PrivateKey(bio, key->pkey, NULL, NULL, 0, NULL, NULL) != 1)
        ARCA_RAISE(arca__crypto_error(ARCA_ERR_KEY,
                                      "%s: cannot encode the private key (is it "
                                      "a public key only?)",
                                      path));
    ARCA_CHECK(write_bio_to_file(bio, path, O_CREAT | O_EXCL, 0600, "private key"));
done:
    BIO_free(bio);
    return result;
}

arca_result_t arca__ec_save_public_pem_file(const arca__ec_key *key, const char *path)
{
    arca_result_t result = ARCA_OK;
    BIO *bio = NULL;

    if (!key || !key->pkey || !path)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "save_public_pem_file: NULL argument");
    bio = BIO_new(BIO_s_mem());
    if (!bio)
        ARCA_RAISE(arca__crypto_error(ARCA_ERR_OUT_OF_MEMORY, "cannot allocate a BIO"));
    if (PEM_write_bio_PUBKEY(bio, key->pkey) != 1)
        ARCA_RAISE(arca__crypto_error(ARCA_ERR_CRYPTO, "%s: cannot encode the public key", path));
    /* A public key is not secret and can be re-exported, so replacing an old file is fine. */
    ARCA_CHECK(write_bio_to_file(bio, path, O_CREAT | O_TRUNC, 0644, "public key"));
done:
    BIO_free(bio);
    return result;
}

/* ---- SPKI DER export and import ---- */

arca_result_t arca__ec_public_der(const arca__ec_key *key, uint8_t *buf, size_t cap, size_t *len)
{
    arca_result_t result = ARCA_OK;
    uint8_t *der = NULL;
    int n = 0;

    if (!key || !key->pkey || !len || (!buf && cap != 0))
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "ec_public_der: NULL argument");
    *len = 0;
    n = i2d_PUBKEY(key->pkey, &der);
    if (n <= 0 || !der)
        ARCA_RAISE(arca__crypto_error(ARCA_ERR_CRYPTO, "cannot encode the public key as DER"));
    if ((size_t)n > cap) {
        *len = (size_t)n;
        ARCA_RAISE(ARCA_ERR_BUFFER_TOO_SMALL,
                   "public key DER needs %d bytes but the buffer holds %zu", n, cap);
    }
    memcpy(buf, der, (size_t)n);
    *len = (size_t)n;
done:
    OPENSSL_free(der);
    return result;
}

arca_result_t arca__ec_spki_hash(const arca__ec_key *key, uint8_t out[ARCA_SHA256_SIZE])
{
    arca_result_t result = ARCA_OK;
    uint8_t der[ARCA_EC_PUBKEY_DER_MAX];
    size_t len = 0;

    if (!out)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "ec_spki_hash: NULL output");
    ARCA_CHECK(arca__ec_public_der(key, der, sizeof der, &len));
    ARCA_CHECK(arca__sha256(der, len, out));
done:
    return result;
}

arca_result_t arca__ec_from_public_der(const uint8_t *der, size_t len, arca__ec_key **out)
{
    arca_result_t result = ARCA_OK;
    EVP_PKEY *pkey = NULL;
    const uint8_t *p = der;

    if (!out)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "ec_from_public_der: NULL output");
    *out = NULL;
    if (!der || len == 0)
        ARCA_RAISE(ARCA_ERR_KEY, "public key DER is empty");
    if (len > ARCA_EC_PUBKEY_DER_MAX)
        ARCA_RAISE(ARCA_ERR_KEY, "public key DER is %zu bytes; a P-256 key has at most %u", len,
                   ARCA_EC_PUBKEY_DER_MAX);
    pkey = d2i_PUBKEY(NULL, &p, (long)len);
    if (!pkey)
        ARCA_RAISE(
            arca__crypto_error(ARCA_ERR_KEY, "public key is not a valid SubjectPublicKeyInfo DER"));
    if (p != der + len)
        ARCA_RAISE(ARCA_ERR_KEY, "public key DER has %zu trailing bytes after the key",
                   (size_t)(der + len - p));
    ARCA_CHECK(check_p256(pkey, "public key"));
    ARCA_CHECK(wrap(pkey, out));
    pkey = NULL;
done:
    EVP_PKEY_free(pkey);
    return result;
}

/* ---- sign and verify ---- */

/*
 * A fresh signing context for @p key: a duplicate of the key's prepared one, which is made
 * on first use. OpenSSL does not promise that one EVP_PKEY_CTX may be used by two threads at
 * once, even only to duplicate it, so both steps hold the key's lock.
 */
static arca_result_t sign_context(arca__ec_key *key, EVP_PKEY_CTX **out)
{
    arca_result_t result = ARCA_OK;
    EVP_PKEY_CTX *fresh = NULL;
    int locked = 0;

    if (pthread_mutex_lock(&key->lock) != 0)
        ARCA_RAISE(ARCA_ERR_INTERNAL, "ECDSA: cannot lock the key");
    locked = 1;
    if (!key->sign_template) {
        BIGNUM *priv = NULL;
        if (EVP_PKEY_get_bn_param(key->pkey, OSSL_PKEY_PARAM_PRIV_KEY, &priv) != 1) {
            ERR_clear_error();
            ARCA_RAISE(ARCA_ERR_KEY, "ECDSA: cannot sign with this key: it is a public key only");
        }
        BN_clear_free(priv);
        fresh = EVP_PKEY_CTX_new_from_pkey(NULL, key->pkey, NULL);
        if (!fresh)
            ARCA_RAISE(
                arca__crypto_error(ARCA_ERR_OUT_OF_MEMORY, "ECDSA: cannot allocate a context"));
        if (EVP_PKEY_sign_init(fresh) != 1 ||
            EVP_PKEY_CTX_set_signature_md(fresh, EVP_sha256()) != 1)
            ARCA_RAISE(arca__crypto_error(ARCA_ERR_KEY, "ECDSA: cannot sign with this key (is it a "
                                                        "public key only?)"));
        key->sign_template = fresh;
        fresh = NULL;
    }
    *out = EVP_PKEY_CTX_dup(key->sign_template);
    if (!*out)
        ARCA_RAISE(
            arca__crypto_error(ARCA_ERR_OUT_OF_MEMORY, "ECDSA: cannot copy the signing context"));
done:
    if (locked)
        pthread_mutex_unlock(&key->lock);
    EVP_PKEY_CTX_free(fresh);
    return result;
}

arca_result_t arca__ec_sign(const arca__ec_key *key, const void *msg, size_t len,
                            uint8_t sig[ARCA_ECDSA_SIG_SIZE])
{
    arca_result_t result = ARCA_OK;
    EVP_PKEY_CTX *ctx = NULL;
    uint8_t digest[ARCA_SHA256_SIZE];
    uint8_t der[ARCA_ECDSA_SIG_SIZE + 16]; /* P-256 DER signatures are at most 72 bytes */
    size_t der_len = sizeof der;
    const uint8_t *p = der;
    ECDSA_SIG *esig = NULL;
    const BIGNUM *r = NULL, *s = NULL;

    if (!key || !key->pkey || !sig || (!msg && len != 0))
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "ec_sign: NULL argument");
    ARCA_CHECK(arca__sha256(msg, len, digest));
    /* The key is const to callers; only its private signing-context cache changes. */
    ARCA_CHECK(sign_context((arca__ec_key *)key, &ctx));
    if (EVP_PKEY_sign(ctx, der, &der_len, digest, sizeof digest) != 1)
        ARCA_RAISE(arca__crypto_error(ARCA_ERR_CRYPTO, "ECDSA: signing failed"));
    esig = d2i_ECDSA_SIG(NULL, &p, (long)der_len);
    if (!esig || p != der + der_len)
        ARCA_RAISE(arca__crypto_error(ARCA_ERR_CRYPTO, "ECDSA: OpenSSL returned a malformed "
                                                       "signature"));
    ECDSA_SIG_get0(esig, &r, &s);
    if (BN_bn2binpad(r, sig, COORD_SIZE) != COORD_SIZE ||
        BN_bn2binpad(s, sig + COORD_SIZE, COORD_SIZE) != COORD_SIZE)
        ARCA_RAISE(arca__crypto_error(ARCA_ERR_CRYPTO, "ECDSA: signature does not fit r||s"));
done:
    if (result != ARCA_OK && sig)
        memset(sig, 0, ARCA_ECDSA_SIG_SIZE);
    ECDSA_SIG_free(esig);
    EVP_PKEY_CTX_free(ctx);
    return result;
}

/* True when the big-endian 32-byte integer @p v satisfies 0 < v < n. Not secret: no CT needed. */
static bool in_scalar_range(const uint8_t v[COORD_SIZE])
{
    static const uint8_t zero[COORD_SIZE] = {0};
    return memcmp(v, zero, COORD_SIZE) != 0 && memcmp(v, p256_order, COORD_SIZE) < 0;
}

arca_result_t arca__ec_verify(const arca__ec_key *key, const void *msg, size_t len,
                              const uint8_t sig[ARCA_ECDSA_SIG_SIZE])
{
    arca_result_t result = ARCA_OK;
    EVP_MD_CTX *ctx = NULL;
    ECDSA_SIG *esig = NULL;
    BIGNUM *r = NULL, *s = NULL;
    uint8_t raw[ARCA_ECDSA_SIG_SIZE];
    uint8_t *der = NULL;
    int der_len = 0;
    int ok = 0;

    if (!key || !key->pkey || !sig || (!msg && len != 0))
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "ec_verify: NULL argument");
    /* Copy once, then check and use only the copy. */
    memcpy(raw, sig, sizeof raw);
    if (!in_scalar_range(raw) || !in_scalar_range(raw + COORD_SIZE))
        ARCA_RAISE(ARCA_ERR_BAD_SIGNATURE, "ECDSA signature rejected: r or s is zero or not "
                                           "below the P-256 group order");
    r = BN_bin2bn(raw, COORD_SIZE, NULL);
    s = BN_bin2bn(raw + COORD_SIZE, COORD_SIZE, NULL);
    esig = ECDSA_SIG_new();
    if (!r || !s || !esig || ECDSA_SIG_set0(esig, r, s) != 1)
        ARCA_RAISE(arca__crypto_error(ARCA_ERR_OUT_OF_MEMORY, "ECDSA: cannot build a signature"));
    r = s = NULL; /* owned by esig now */
    der_len = i2d_ECDSA_SIG(esig, &der);
    if (der_len <= 0 || !der)
        ARCA_RAISE(arca__crypto_error(ARCA_ERR_CRYPTO, "ECDSA: cannot encode the signature"));
    ctx = EVP_MD_CTX_new();
    if (!ctx)
        ARCA_RAISE(arca__crypto_error(ARCA_ERR_OUT_OF_MEMORY, "ECDSA: cannot allocate a context"));
    if (EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL, key->pkey) != 1)
        ARCA_RAISE(arca__crypto_error(ARCA_ERR_KEY, "ECDSA: cannot verify with this key"));
    ok = EVP_DigestVerify(ctx, der, (size_t)der_len, len ? msg : (const void *)"", len);
    if (ok != 1) {
        ERR_clear_error();
        ARCA_RAISE(ARCA_ERR_BAD_SIGNATURE, "ECDSA P-256 signature does not verify under the "
                                           "given public key");
    }
done:
    BN_free(r);
    BN_free(s);
    ECDSA_SIG_free(esig);
    OPENSSL_free(der);
    EVP_MD_CTX_free(ctx);
    return result;
}
