/*
 * sealblob.c — the sealing core: blob parser, AES-256-GCM seal/unseal under a given policy
 * key, and the SVN hash chain. Layout in sealblob.h and docs/formats.md.
 *
 * Every blob handed to the parser is hostile: lengths are checked against the buffer with
 * overflow-safe arithmetic before anything is read, reserved fields must be zero and
 * nothing may follow the tag. This file never chooses a key (the enclave's seal.c does)
 * and never leaves a derived key, or a plaintext that failed authentication, in memory.
 */
#include "sealblob.h"

#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "error.h"

#define SEAL_INFO "arca seal v1"
#define SVN_STEP_LABEL "arca svn step"

static uint16_t get16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* The per-blob key: HKDF-SHA256(policy key, info "arca seal v1" || key id). */
static arca_result_t blob_key(const uint8_t policy_key[32], const uint8_t key_id[16],
                              uint8_t out[ARCA_AES_KEY_SIZE])
{
    uint8_t info[sizeof SEAL_INFO - 1 + ARCA_SEALBLOB_KEY_ID_SIZE];
    memcpy(info, SEAL_INFO, sizeof SEAL_INFO - 1);
    memcpy(info + sizeof SEAL_INFO - 1, key_id, ARCA_SEALBLOB_KEY_ID_SIZE);
    return arca__hkdf_sha256(NULL, 0, policy_key, 32, info, sizeof info, out, ARCA_AES_KEY_SIZE);
}

arca_result_t arca__sealblob_parse(const uint8_t *blob, size_t len, arca__sealblob *out)
{
    arca_result_t result = ARCA_OK;
    uint64_t need;

    if (!blob || !out)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "sealed blob: NULL argument");
    memset(out, 0, sizeof *out);
    if (len < ARCA_SEALBLOB_HEADER_SIZE + ARCA_SEALBLOB_TAG_SIZE)
        ARCA_RAISE(ARCA_ERR_BAD_FORMAT, "sealed blob: only %zu bytes; a blob has at least %u", len,
                   ARCA_SEALBLOB_HEADER_SIZE + ARCA_SEALBLOB_TAG_SIZE);
    if (memcmp(blob, ARCA_SEALBLOB_MAGIC, 8) != 0)
        ARCA_RAISE(ARCA_ERR_BAD_FORMAT, "sealed blob: bad magic (not made by arca_seal)");
    out->version = get16(blob + 8);
    if (out->version != ARCA_SEALBLOB_VERSION)
        ARCA_RAISE(ARCA_ERR_BAD_VERSION, "sealed blob: version %u is not supported (this build reads %u)",
                   out->version, ARCA_SEALBLOB_VERSION);
    out->policy = get16(blob + 10);
    if (out->policy != ARCA_SEAL_ENCLAVE && out->policy != ARCA_SEAL_SIGNER)
        ARCA_RAISE(ARCA_ERR_BAD_FORMAT, "sealed blob: unknown policy %u", out->policy);
    out->svn = get16(blob + 12);
    if (blob[14] != 0 || blob[15] != 0)
        ARCA_RAISE(ARCA_ERR_BAD_FORMAT, "sealed blob: reserved bytes are not zero");
    memcpy(out->key_id, blob + 16, ARCA_SEALBLOB_KEY_ID_SIZE);
    out->aad_len = get32(blob + 32);
    out->plaintext_len = (uint64_t)get32(blob + 36) | ((uint64_t)get32(blob + 40) << 32);
    memcpy(out->nonce, blob + 44, ARCA_SEALBLOB_NONCE_SIZE);
    if (out->aad_len > ARCA_SEAL_MAX_AAD)
        ARCA_RAISE(ARCA_ERR_BAD_FORMAT, "sealed blob: aad length %u exceeds the maximum %u",
                   out->aad_len, ARCA_SEAL_MAX_AAD);
    if (out->plaintext_len > ARCA_SEAL_MAX_PLAINTEXT)
        ARCA_RAISE(ARCA_ERR_BAD_FORMAT, "sealed blob: plaintext length %llu exceeds the maximum",
                   (unsigned long long)out->plaintext_len);
    /* Both lengths are bounded above, so this sum cannot overflow 64 bits. */
    need = (uint64_t)ARCA_SEALBLOB_HEADER_SIZE + out->aad_len + out->plaintext_len +
           ARCA_SEALBLOB_TAG_SIZE;
    if (need != (uint64_t)len)
        ARCA_RAISE(ARCA_ERR_BAD_FORMAT, "sealed blob: %zu bytes, but its header describes %llu", len,
                   (unsigned long long)need);
    out->authenticated = blob;
    out->aad = blob + ARCA_SEALBLOB_HEADER_SIZE;
    out->ciphertext = out->aad + out->aad_len;
    out->tag = out->ciphertext + out->plaintext_len;

done:
    if (result != ARCA_OK && out)
        memset(out, 0, sizeof *out);
    return result;
}

arca_result_t arca__seal_with_key(const uint8_t policy_key[32], uint16_t policy, uint16_t svn,
                                  const void *aad, size_t aad_len, const void *plaintext,
                                  size_t len, uint8_t **blob, size_t *blob_len)
{
    arca_result_t result = ARCA_OK;
    uint8_t key[ARCA_AES_KEY_SIZE];
    uint8_t *buf = NULL;
    size_t total = 0;

    if (!policy_key || !blob || !blob_len || (aad_len && !aad) || (len && !plaintext))
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "arca_seal: NULL argument with a non-zero length");
    *blob = NULL;
    *blob_len = 0;
    if (policy != ARCA_SEAL_ENCLAVE && policy != ARCA_SEAL_SIGNER)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT,
                   "arca_seal: policy %u is neither ARCA_SEAL_ENCLAVE nor ARCA_SEAL_SIGNER", policy);
    if (aad_len > ARCA_SEAL_MAX_AAD)
        ARCA_RAISE(ARCA_ERR_OVERFLOW, "arca_seal: %zu bytes of aad exceed the maximum %u", aad_len,
                   ARCA_SEAL_MAX_AAD);
    if ((uint64_t)len > ARCA_SEAL_MAX_PLAINTEXT)
        ARCA_RAISE(ARCA_ERR_OVERFLOW, "arca_seal: %zu bytes of plaintext exceed the maximum", len);
    if (__builtin_add_overflow((size_t)ARCA_SEALBLOB_HEADER_SIZE + ARCA_SEALBLOB_TAG_SIZE, aad_len,
                               &total) ||
        __builtin_add_overflow(total, len, &total))
        ARCA_RAISE(ARCA_ERR_OVERFLOW, "arca_seal: blob size overflows");
    buf = malloc(total);
    if (!buf)
        ARCA_RAISE(ARCA_ERR_OUT_OF_MEMORY, "arca_seal: cannot allocate %zu bytes", total);

    memcpy(buf, ARCA_SEALBLOB_MAGIC, 8);
    put16(buf + 8, ARCA_SEALBLOB_VERSION);
    put16(buf + 10, policy);
    put16(buf + 12, svn);
    put16(buf + 14, 0);
    {
        /* Key id and nonce in one call to the RNG (each call has a fixed cost). */
        uint8_t fresh[ARCA_SEALBLOB_KEY_ID_SIZE + ARCA_SEALBLOB_NONCE_SIZE];
        ARCA_CHECK(arca__random(fresh, sizeof fresh));
        memcpy(buf + 16, fresh, ARCA_SEALBLOB_KEY_ID_SIZE);
        memcpy(buf + 44, fresh + ARCA_SEALBLOB_KEY_ID_SIZE, ARCA_SEALBLOB_NONCE_SIZE);
    }
    put32(buf + 32, (uint32_t)aad_len);
    put64(buf + 36, (uint64_t)len);
    if (aad_len)
        memcpy(buf + ARCA_SEALBLOB_HEADER_SIZE, aad, aad_len);

    ARCA_CHECK(blob_key(policy_key, buf + 16, key));
    ARCA_CHECK(arca__aes256gcm_encrypt(key, buf + 44, buf, ARCA_SEALBLOB_HEADER_SIZE + aad_len,
                                       plaintext, len, buf + ARCA_SEALBLOB_HEADER_SIZE + aad_len,
                                       buf + ARCA_SEALBLOB_HEADER_SIZE + aad_len + len));
    *blob = buf;
    *blob_len = total;
    buf = NULL;

done:
    arca__wipe(key, sizeof key);
    if (buf) {
        arca__wipe(buf, total); /* may hold part of the ciphertext stream; be tidy */
        free(buf);
    }
    return result;
}

arca_result_t arca__unseal_with_key(const uint8_t policy_key[32], const arca__sealblob *blob,
                                    const void *aad, size_t aad_len, uint8_t **plaintext,
                                    size_t *len)
{
    arca_result_t result = ARCA_OK;
    uint8_t key[ARCA_AES_KEY_SIZE];
    uint8_t *buf = NULL;
    size_t n = 0;

    if (!policy_key || !blob || !plaintext || !len || (aad_len && !aad))
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "arca_unseal: NULL argument with a non-zero length");
    *plaintext = NULL;
    *len = 0;
    if (blob->plaintext_len > SIZE_MAX - 1)
        ARCA_RAISE(ARCA_ERR_OVERFLOW, "arca_unseal: plaintext does not fit in memory");
    n = (size_t)blob->plaintext_len;
    /* Compare the aad without revealing where it differs; a length mismatch is public. */
    if (aad_len != blob->aad_len || (aad_len && !arca__ct_equal(aad, blob->aad, aad_len)))
        ARCA_RAISE(ARCA_ERR_UNSEAL, "arca_unseal: the additional data differs from the data sealed "
                                    "with the blob; pass the same aad as to arca_seal");
    buf = malloc(n ? n : 1);
    if (!buf)
        ARCA_RAISE(ARCA_ERR_OUT_OF_MEMORY, "arca_unseal: cannot allocate %zu bytes", n);
    ARCA_CHECK(blob_key(policy_key, blob->key_id, key));
    result = arca__aes256gcm_decrypt(key, blob->nonce, blob->authenticated,
                                     ARCA_SEALBLOB_HEADER_SIZE + (size_t)blob->aad_len,
                                     blob->ciphertext, n, blob->tag, buf);
    if (result == ARCA_ERR_UNSEAL)
        ARCA_RAISE(ARCA_ERR_UNSEAL, "arca_unseal: authentication failed: the blob was sealed by "
                                    "another enclave, signer or debug mode, or it was modified");
    ARCA_CHECK(result);
    *plaintext = buf;
    *len = n;
    buf = NULL;

done:
    arca__wipe(key, sizeof key);
    if (buf) {
        arca__wipe(buf, n);
        free(buf);
    }
    return result;
}

arca_result_t arca__seal_svn_key(const uint8_t key[32], uint16_t from_svn, uint16_t to_svn,
                                 uint8_t out[32])
{
    arca_result_t result = ARCA_OK;
    uint8_t block[sizeof SVN_STEP_LABEL - 1 + 32];
    uint8_t next[32];

    if (to_svn > from_svn)
        ARCA_RAISE(ARCA_ERR_SVN_TOO_NEW,
                   "sealed at security version %u, but this enclave is at %u; only an enclave at "
                   "SVN %u or higher can unseal it", to_svn, from_svn, to_svn);
    memcpy(block, SVN_STEP_LABEL, sizeof SVN_STEP_LABEL - 1);
    memcpy(block + sizeof SVN_STEP_LABEL - 1, key, 32);
    for (unsigned s = from_svn; s > to_svn; s--) {
        ARCA_CHECK(arca__sha256(block, sizeof block, next));
        memcpy(block + sizeof SVN_STEP_LABEL - 1, next, 32);
    }
    memcpy(out, block + sizeof SVN_STEP_LABEL - 1, 32);

done:
    arca__wipe(block, sizeof block);
    arca__wipe(next, sizeof next);
    return result;
}
