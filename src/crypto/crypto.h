/*
 * crypto.h — Arca's cryptographic core: thin, typed wrappers over OpenSSL 3 libcrypto.
 *
 * Nothing here implements a primitive; every function delegates to OpenSSL. Code outside
 * src/crypto uses these wrappers (and crypto_x509.h) and never OpenSSL itself, so that error
 * handling, key wiping and the fixed formats (raw r||s ECDSA signatures, SPKI DER public
 * keys) live in one place.
 * Internal header: never installed.
 */
#ifndef ARCA_COMMON_CRYPTO_H
#define ARCA_COMMON_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arca/result.h"

#define ARCA_SHA256_SIZE 32
#define ARCA_AES_KEY_SIZE 32
#define ARCA_GCM_IV_SIZE 12
#define ARCA_GCM_TAG_SIZE 16
#define ARCA_ECDSA_SIG_SIZE 64   /* raw r || s, 32 bytes each, big-endian */
#define ARCA_EC_PUBKEY_DER_MAX 128 /* P-256 SubjectPublicKeyInfo DER is 91 bytes */

/* ---- hashing and MACs ---- */
arca_result_t arca__sha256(const void *data, size_t len, uint8_t out[ARCA_SHA256_SIZE]);

/** Incremental SHA-256. */
typedef struct arca__sha256_ctx {
    void *md_ctx; /* EVP_MD_CTX * */
} arca__sha256_ctx;
arca_result_t arca__sha256_init(arca__sha256_ctx *ctx);
arca_result_t arca__sha256_update(arca__sha256_ctx *ctx, const void *data, size_t len);
/** Writes the digest and frees the context (also on failure). */
arca_result_t arca__sha256_final(arca__sha256_ctx *ctx, uint8_t out[ARCA_SHA256_SIZE]);
/** Frees a context that will not be finalised. */
void arca__sha256_abort(arca__sha256_ctx *ctx);

/**
 * Hash chain with one reused digest context: x(0) = @p in, x(i+1) = SHA-256(label || x(i));
 * writes x(@p steps) to @p out (steps = 0 copies @p in). @p in and @p out may alias.
 * Intermediate links are wiped.
 */
arca_result_t arca__sha256_chain(const void *label, size_t label_len,
                                 const uint8_t in[ARCA_SHA256_SIZE], uint32_t steps,
                                 uint8_t out[ARCA_SHA256_SIZE]);

arca_result_t arca__hmac_sha256(const void *key, size_t key_len, const void *data, size_t len,
                                uint8_t out[ARCA_SHA256_SIZE]);

/** HKDF-SHA256 (RFC 5869), extract-and-expand. salt may be NULL/0. out_len ≤ 255*32. */
arca_result_t arca__hkdf_sha256(const void *salt, size_t salt_len, const void *ikm, size_t ikm_len,
                                const void *info, size_t info_len, uint8_t *out, size_t out_len);

/**
 * HKDF-Expand-SHA256 alone (RFC 5869 section 2.3) from a 32-byte pseudorandom key. Use it
 * instead of arca__hkdf_sha256 only when @p prk is already a uniformly random secret (for
 * example another HKDF output), as RFC 5869 section 3.3 allows. out_len ≤ 255*32.
 */
arca_result_t arca__hkdf_sha256_expand(const uint8_t prk[ARCA_SHA256_SIZE], const void *info,
                                       size_t info_len, uint8_t *out, size_t out_len);

/* ---- AES-256-GCM (12-byte IV, 16-byte tag) ---- */
arca_result_t arca__aes256gcm_encrypt(const uint8_t key[ARCA_AES_KEY_SIZE],
                                      const uint8_t iv[ARCA_GCM_IV_SIZE], const void *aad,
                                      size_t aad_len, const void *plaintext, size_t len,
                                      uint8_t *ciphertext, uint8_t tag[ARCA_GCM_TAG_SIZE]);
/** @return ARCA_ERR_UNSEAL when the tag does not verify (plaintext is then wiped). */
arca_result_t arca__aes256gcm_decrypt(const uint8_t key[ARCA_AES_KEY_SIZE],
                                      const uint8_t iv[ARCA_GCM_IV_SIZE], const void *aad,
                                      size_t aad_len, const void *ciphertext, size_t len,
                                      const uint8_t tag[ARCA_GCM_TAG_SIZE], uint8_t *plaintext)
    __attribute__((warn_unused_result));

/* ---- start-up, randomness, comparison, wiping ---- */
/**
 * Initialise OpenSSL (its configuration included) and draw from its random generator once,
 * so that everything OpenSSL does lazily on first use — reading its configuration, opening
 * the entropy source — happens now, for a process about to enter a sandbox that forbids it
 * (the runner, before seccomp). Calling it again is harmless.
 * @return ARCA_OK, or ARCA_ERR_CRYPTO with OpenSSL's reason.
 */
arca_result_t arca__crypto_init(void);
arca_result_t arca__random(void *buf, size_t len);
/** Constant-time equality (CRYPTO_memcmp). */
bool arca__ct_equal(const void *a, const void *b, size_t len);
/** Wipe memory in a way the compiler cannot elide (OPENSSL_cleanse). */
void arca__wipe(void *p, size_t len);

/* ---- ECDSA P-256 ---- */
typedef struct arca__ec_key arca__ec_key; /* wraps EVP_PKEY */

arca_result_t arca__ec_generate(arca__ec_key **out);
/** Load a private key (PEM, PKCS#8 or SEC1) from a file. ARCA_ERR_KEY if not a P-256 key. */
arca_result_t arca__ec_load_private_pem_file(const char *path, arca__ec_key **out);
arca_result_t arca__ec_load_private_pem(const void *pem, size_t len, arca__ec_key **out);
/** Write the private key as PKCS#8 PEM to a new file with mode 0600 (fails if it exists). */
arca_result_t arca__ec_save_private_pem_file(const arca__ec_key *key, const char *path);
/** Write the public key as PEM (SubjectPublicKeyInfo). */
arca_result_t arca__ec_save_public_pem_file(const arca__ec_key *key, const char *path);
/**
 * A P-256 private key from PKCS#8 PEM ('BEGIN PRIVATE KEY'), completed with the public half
 * @p public_key (for example the key of the certificate it belongs to), without leaving a copy
 * of the private scalar in freed memory: OpenSSL's generic decoders (PEM_read_bio_PrivateKey,
 * d2i_PrivateKey) free buffers holding it without wiping them, so a key loaded for one use
 * would leave its scalar in the heap. Whether the halves belong together is not checked here:
 * ask arca__ec_check_pair(). The caller wipes @p pem. @p name names the input in details.
 * @return ARCA_ERR_KEY when @p pem is not an unencrypted PKCS#8 P-256 key or its scalar is not
 *         between 1 and the group order (the detail says which part is wrong),
 *         ARCA_ERR_INVALID_ARGUMENT for NULL arguments.
 */
arca_result_t arca__ec_from_pkcs8_pem(const void *pem, size_t len, const char *name,
                                      const arca__ec_key *public_key, arca__ec_key **out)
    __attribute__((warn_unused_result));
/** ARCA_OK when @p key's private scalar and public point belong together, ARCA_ERR_KEY when
 *  they do not or it has no private half. */
arca_result_t arca__ec_check_pair(const arca__ec_key *key) __attribute__((warn_unused_result));
/** Public key as SubjectPublicKeyInfo DER into buf (cap ≥ ARCA_EC_PUBKEY_DER_MAX). */
arca_result_t arca__ec_public_der(const arca__ec_key *key, uint8_t *buf, size_t cap, size_t *len);
/** SHA-256 of the public key's SubjectPublicKeyInfo DER (what identifies a platform key). */
arca_result_t arca__ec_spki_hash(const arca__ec_key *key, uint8_t out[ARCA_SHA256_SIZE]);
/** Parse a P-256 public key from SPKI DER; rejects other curves and trailing bytes. */
arca_result_t arca__ec_from_public_der(const uint8_t *der, size_t len, arca__ec_key **out);
/** ECDSA-SHA256 over msg; signature as raw r||s (64 bytes). */
arca_result_t arca__ec_sign(const arca__ec_key *key, const void *msg, size_t len,
                            uint8_t sig[ARCA_ECDSA_SIG_SIZE]);
/** @return ARCA_OK or ARCA_ERR_BAD_SIGNATURE. */
arca_result_t arca__ec_verify(const arca__ec_key *key, const void *msg, size_t len,
                              const uint8_t sig[ARCA_ECDSA_SIG_SIZE])
    __attribute__((warn_unused_result));
/**
 * The underlying EVP_PKEY * (borrowed). For src/crypto's own files, and for tests and
 * benchmarks that build certificates with OpenSSL; code in src/ outside src/crypto includes
 * no OpenSSL header (tests/layering checks), so it has no OpenSSL object to exchange.
 */
void *arca__ec_evp(const arca__ec_key *key);
/** Wrap an EVP_PKEY (takes a reference; caller keeps its own). Same audience as above. */
arca_result_t arca__ec_from_evp(void *evp_pkey, arca__ec_key **out);
void arca__ec_free(arca__ec_key *key);

/* ---- error mapping (for src/crypto's files, the only ones that call OpenSSL) ---- */
/**
 * Record a detail message "WHAT (OpenSSL's reason)" for @p code, then clear OpenSSL's
 * error queue so the failure cannot leak into later, unrelated calls.
 * @return @p code.
 */
arca_result_t arca__crypto_error(arca_result_t code, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
