/*
 * crypto.c — symmetric half of Arca's cryptographic core: SHA-256, HMAC-SHA256,
 * HKDF-SHA256, AES-256-GCM, the CSPRNG, constant-time comparison and wiping, plus the
 * one helper that turns an OpenSSL failure into an arca_result_t.
 *
 * Every primitive is OpenSSL 3's (EVP APIs only); this file only adapts types, checks
 * lengths and maps errors. It must never implement a primitive itself, never leave
 * OpenSSL's error queue filled after a failure (it would leak into unrelated later
 * calls), and never return partially decrypted plaintext when a tag does not verify.
 * The ECDSA P-256 half lives in crypto_ec.c.
 */
#include "crypto.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include "error.h"

/* OpenSSL's update functions take int lengths; larger inputs are fed in chunks of this size. */
#define CHUNK ((size_t)1 << 30)

arca_result_t arca__crypto_error(arca_result_t code, const char *fmt, ...)
{
    char what[256];
    char reason[256] = "no further detail from OpenSSL";
    unsigned long e = ERR_peek_last_error();
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    if (e != 0)
        ERR_error_string_n(e, reason, sizeof reason);
    ERR_clear_error();
    return arca__error(code, "%s (%s)", what, reason);
}

/* ---- hashing and MACs ---- */

arca_result_t arca__sha256(const void *data, size_t len, uint8_t out[ARCA_SHA256_SIZE])
{
    arca_result_t result = ARCA_OK;
    unsigned int out_len = 0;

    if (!data && len != 0)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "sha256: NULL data with length %zu", len);
    if (EVP_Digest(len ? data : "", len, out, &out_len, EVP_sha256(), NULL) != 1 ||
        out_len != ARCA_SHA256_SIZE)
        ARCA_RAISE(arca__crypto_error(ARCA_ERR_CRYPTO, "SHA-256 failed"));
done:
    return result;
}

arca_result_t arca__sha256_init(arca__sha256_ctx *ctx)
{
    arca_result_t result = ARCA_OK;
    EVP_MD_CTX *md = NULL;

    ctx->md_ctx = NULL;
    md = EVP_MD_CTX_new();
    if (!md)
        ARCA_RAISE(
            arca__crypto_error(ARCA_ERR_OUT_OF_MEMORY, "SHA-256: cannot allocate a context"));
    if (EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1)
        ARCA_RAISE(arca__crypto_error(ARCA_ERR_CRYPTO, "SHA-256: cannot initialise"));
    ctx->md_ctx = md;
    md = NULL;
done:
    EVP_MD_CTX_free(md);
    return result;
}

arca_result_t arca__sha256_update(arca__sha256_ctx *ctx, const void *data, size_t len)
{
    arca_result_t result = ARCA_OK;

    if (!ctx || !ctx->md_ctx)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "sha256_update: context not initialised");
    if (!data && len != 0)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "sha256_update: NULL data with length %zu", len);
    if (len != 0 && EVP_DigestUpdate(ctx->md_ctx, data, len) != 1)
        ARCA_RAISE(arca__crypto_error(ARCA_ERR_CRYPTO, "SHA-256: update failed"));
done:
    return result;
}

arca_result_t arca__sha256_final(arca__sha256_ctx *ctx, uint8_t out[ARCA_SHA256_SIZE])
{
    arca_result_t result = ARCA_OK;
    unsigned int out_len = 0;

    if (!ctx || !ctx->md_ctx)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "sha256_final: context not initialised");
    if (EVP_DigestFinal_ex(ctx->md_ctx, out, &out_len) != 1 || out_len != ARCA_SHA256_SIZE)
        ARCA_RAISE(arca__crypto_error(ARCA_ERR_CRYPTO, "SHA-256: finalisation failed"));
done:
    if (ctx)
        arca__sha256_abort(ctx);
    return result;
}

void arca__sha256_abort(arca__sha256_ctx *ctx)
{
    if (!ctx)
        return;
    EVP_MD_CTX_free(ctx->md_ctx);
    ctx->md_ctx = NULL;
}

arca_result_t arca__hmac_sha256(const void *key, size_t key_len, const void *data, size_t len,
                                uint8_t out[ARCA_SHA256_SIZE])
{
    arca_result_t result = ARCA_OK;
    EVP_MAC *mac = NULL;
    EVP_MAC_CTX *ctx = NULL;
    size_t out_len = 0;
    /* HMAC pads keys shorter than a block with zeros, so an empty key equals one zero byte. */
    static const uint8_t zero_key[1] = {0};
    char digest[] = "SHA256";
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
        OSSL_PARAM_construct_end(),
    };

    if ((!key && key_len != 0) || (!data && len != 0))
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "hmac_sha256: NULL key or data with a length");
    if (key_len == 0) {
        key = zero_key;
        key_len = sizeof zero_key;
    }
    mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    if (!mac)
        ARCA_RAISE(arca__crypto_error(ARCA_ERR_CRYPTO, "HMAC is not available in OpenSSL"));
    ctx = EVP_MAC_CTX_new(mac);
    if (!ctx)
        ARCA_RAISE(arca__crypto_error(ARCA_ERR_OUT_OF_MEMORY, "HMAC: cannot allocate a context"));
    if (EVP_MAC_init(ctx, key, key_len, params) != 1)
        ARCA_RAISE(arca__crypto_error(ARCA_ERR_CRYPTO, "HMAC-SHA256: cannot initialise"));
    if (len != 0 && EVP_MAC_update(ctx, data, len) != 1)
        ARCA_RAISE(arca__crypto_error(ARCA_ERR_CRYPTO, "HMAC-SHA256: update failed"));
    if (EVP_MAC_final(ctx, out, &out_len, ARCA_SHA256_SIZE) != 1 || out_len != ARCA_SHA256_SIZE)
        ARCA_RAISE(arca__crypto_error(ARCA_ERR_CRYPTO, "HMAC-SHA256: finalisation failed"));
done:
    EVP_MAC_CTX_free(ctx);
    EVP_MAC_free(mac);
    return result;
}

arca_result_t arca__hkdf_sha256(const void *salt, size_t salt_len, const void *ikm, size_t ikm_len,
                                const void *info, size_t info_len, uint8_t *out, size_t out_len)
{
    arca_result_t result = ARCA_OK;
    EVP_KDF *kdf = NULL;
    EVP_KDF_CTX *ctx = NULL;
    OSSL_PARAM params[5];
    size_t n = 0;
    char digest[] = "SHA256";
    /* RFC 5869: an absent salt is HashLen zero bytes; an empty IKM is hashed like any other. */
    static const uint8_t zero_salt[ARCA_SHA256_SIZE] = {0};
    static const uint8_t empty[1] = {0};

    if ((!salt && salt_len != 0) || (!ikm && ikm_len != 0) || (!info && info_len != 0) || !out)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "hkdf_sha256: NULL buffer with a length");
    if (out_len == 0 || out_len > 255u * ARCA_SHA256_SIZE)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT,
                   "hkdf_sha256: output length %zu is outside 1..%u (RFC 5869 limit)", out_len,
                   255u * ARCA_SHA256_SIZE);
    if (salt_len == 0) {
        salt = zero_salt;
        salt_len = sizeof zero_salt;
    }
    params[n++] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0);
    params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY,
                                                    (void *)(ikm_len ? ikm : empty), ikm_len);
    params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)salt, salt_len);
    if (info_len != 0)
        params[n++] =
            OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, (void *)info, info_len);
    params[n] = OSSL_PARAM_construct_end();

    kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
    if (!kdf)
        ARCA_RAISE(arca__crypto_error(ARCA_ERR_CRYPTO, "HKDF is not available in OpenSSL"));
    ctx = EVP_KDF_CTX_new(kdf);
    if (!ctx)
        ARCA_RAISE(arca__crypto_error(ARCA_ERR_OUT_OF_MEMORY, "HKDF: cannot allocate a context"));
    if (EVP_KDF_derive(ctx, out, out_len, params) != 1) {
        arca__wipe(out, out_len);
        ARCA_RAISE(arca__crypto_error(ARCA_ERR_CRYPTO, "HKDF-SHA256: derivation failed"));
    }
done:
    EVP_KDF_CTX_free(ctx);
    EVP_KDF_free(kdf);
    return result;
}

/* ---- AES-256-GCM ---- */

/* Feed @p len bytes of AAD (out == NULL) or data through EVP_CipherUpdate in int-sized chunks. */
static int cipher_update(EVP_CIPHER_CTX *ctx, uint8_t *out, const uint8_t *in, size_t len)
{
    while (len > 0) {
        size_t step = len < CHUNK ? len : CHUNK;
        int written = 0;
        if (EVP_CipherUpdate(ctx, out, &written, in, (int)step) != 1)
            return 0;
        /* GCM is a stream mode: output length always equals input length. */
        if (out && (size_t)written != step)
            return 0;
        if (out)
            out += step;
        in += step;
        len -= step;
    }
    return 1;
}

/* Common set-up of an AES-256-GCM context for one direction (enc = 1 encrypt, 0 decrypt). */
static arca_result_t gcm_begin(EVP_CIPHER_CTX **out, int enc, const uint8_t *key, const uint8_t *iv,
                               const void *aad, size_t aad_len)
{
    arca_result_t result = ARCA_OK;
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();

    if (!ctx)
        ARCA_RAISE(
            arca__crypto_error(ARCA_ERR_OUT_OF_MEMORY, "AES-GCM: cannot allocate a context"));
    if (EVP_CipherInit_ex(ctx, EVP_aes_256_gcm(), NULL, NULL, NULL, enc) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, ARCA_GCM_IV_SIZE, NULL) != 1 ||
        EVP_CipherInit_ex(ctx, NULL, NULL, key, iv, enc) != 1)
        ARCA_RAISE(arca__crypto_error(ARCA_ERR_CRYPTO, "AES-256-GCM: cannot initialise"));
    if (aad_len != 0 && !cipher_update(ctx, NULL, aad, aad_len))
        ARCA_RAISE(arca__crypto_error(ARCA_ERR_CRYPTO, "AES-256-GCM: additional data rejected"));
    *out = ctx;
    ctx = NULL;
done:
    EVP_CIPHER_CTX_free(ctx);
    return result;
}

arca_result_t arca__aes256gcm_encrypt(const uint8_t key[ARCA_AES_KEY_SIZE],
                                      const uint8_t iv[ARCA_GCM_IV_SIZE], const void *aad,
                                      size_t aad_len, const void *plaintext, size_t len,
                                      uint8_t *ciphertext, uint8_t tag[ARCA_GCM_TAG_SIZE])
{
    arca_result_t result = ARCA_OK;
    EVP_CIPHER_CTX *ctx = NULL;
    uint8_t final_block[16];
    int final_len = 0;
    int wrote = 0;

    if (!key || !iv || !tag || (!aad && aad_len != 0) || (len != 0 && (!plaintext || !ciphertext)))
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "aes256gcm_encrypt: NULL buffer with a length");
    /* NIST SP 800-38D limits one GCM message to 2^39 - 256 bits. */
    if ((uint64_t)len > ((UINT64_C(1) << 36) - 32))
        ARCA_RAISE(ARCA_ERR_OVERFLOW, "AES-256-GCM: %zu bytes exceed the GCM message limit", len);
    ARCA_CHECK(gcm_begin(&ctx, 1, key, iv, aad, aad_len));
    wrote = 1;
    if (len != 0 && !cipher_update(ctx, ciphertext, plaintext, len))
        ARCA_RAISE(arca__crypto_error(ARCA_ERR_CRYPTO, "AES-256-GCM: encryption failed"));
    if (EVP_CipherFinal_ex(ctx, final_block, &final_len) != 1 || final_len != 0 ||
        EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, ARCA_GCM_TAG_SIZE, tag) != 1)
        ARCA_RAISE(arca__crypto_error(ARCA_ERR_CRYPTO, "AES-256-GCM: cannot finish encryption"));
done:
    /* Half-written ciphertext is useless and must not be mistaken for a result. */
    if (result != ARCA_OK && wrote && len != 0)
        arca__wipe(ciphertext, len);
    EVP_CIPHER_CTX_free(ctx);
    return result;
}

arca_result_t arca__aes256gcm_decrypt(const uint8_t key[ARCA_AES_KEY_SIZE],
                                      const uint8_t iv[ARCA_GCM_IV_SIZE], const void *aad,
                                      size_t aad_len, const void *ciphertext, size_t len,
                                      const uint8_t tag[ARCA_GCM_TAG_SIZE], uint8_t *plaintext)
{
    arca_result_t result = ARCA_OK;
    EVP_CIPHER_CTX *ctx = NULL;
    uint8_t tag_copy[ARCA_GCM_TAG_SIZE];
    uint8_t final_block[16];
    int final_len = 0;
    int wrote = 0;

    if (!key || !iv || !tag || (!aad && aad_len != 0) || (len != 0 && (!ciphertext || !plaintext)))
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "aes256gcm_decrypt: NULL buffer with a length");
    if ((uint64_t)len > ((UINT64_C(1) << 36) - 32))
        ARCA_RAISE(ARCA_ERR_OVERFLOW, "AES-256-GCM: %zu bytes exceed the GCM message limit", len);
    /* The tag may live in memory the caller does not control; use one private copy. */
    memcpy(tag_copy, tag, sizeof tag_copy);
    ARCA_CHECK(gcm_begin(&ctx, 0, key, iv, aad, aad_len));
    wrote = 1;
    if (len != 0 && !cipher_update(ctx, plaintext, ciphertext, len))
        ARCA_RAISE(arca__crypto_error(ARCA_ERR_CRYPTO, "AES-256-GCM: decryption failed"));
    if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, ARCA_GCM_TAG_SIZE, tag_copy) != 1)
        ARCA_RAISE(arca__crypto_error(ARCA_ERR_CRYPTO, "AES-256-GCM: cannot set the tag"));
    if (EVP_CipherFinal_ex(ctx, final_block, &final_len) != 1 || final_len != 0) {
        ERR_clear_error();
        ARCA_RAISE(ARCA_ERR_UNSEAL,
                   "AES-256-GCM: authentication tag does not match (wrong key, IV or additional "
                   "data, or the data was modified)");
    }
done:
    if (result != ARCA_OK && wrote && len != 0)
        arca__wipe(plaintext, len);
    EVP_CIPHER_CTX_free(ctx);
    return result;
}

/* ---- randomness, comparison, wiping ---- */

arca_result_t arca__random(void *buf, size_t len)
{
    arca_result_t result = ARCA_OK;
    uint8_t *p = buf;

    if (!buf && len != 0)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "random: NULL buffer with length %zu", len);
    while (len > 0) {
        size_t step = len < CHUNK ? len : CHUNK;
        if (RAND_bytes(p, (int)step) != 1)
            ARCA_RAISE(arca__crypto_error(ARCA_ERR_CRYPTO,
                                          "the random number generator failed (is the system "
                                          "entropy source available?)"));
        p += step;
        len -= step;
    }
done:
    return result;
}

bool arca__ct_equal(const void *a, const void *b, size_t len)
{
    if (len == 0)
        return true;
    return CRYPTO_memcmp(a, b, len) == 0;
}

void arca__wipe(void *p, size_t len)
{
    if (p && len)
        OPENSSL_cleanse(p, len);
}
