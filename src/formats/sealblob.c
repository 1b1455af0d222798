/*
 * sealblob.c — the sealing core: blob parser, AES-256-GCM seal/unseal under a given policy
 * key, and the two-level SVN key tree of the SIGNER policy. Layout in sealblob.h and
 * docs/formats.md.
 *
 * Every blob handed to the parser is hostile: lengths are checked against the buffer with
 * overflow-safe arithmetic before anything is read, reserved fields must be zero and
 * nothing may follow the tag. This file never chooses a key (the enclave's seal.c does)
 * and never leaves a derived key, or a plaintext that failed authentication, in memory.
 */
#include "sealblob.h"

#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "base/error.h"
#include "base/le.h"

#define SEAL_INFO "arca seal v2"
#define SVN_HIGH_LABEL "arca svn high"
#define SVN_LOW_LABEL "arca svn low"
#define SVN_LOW_TOP_INFO "arca svn low top"

/*
 * The per-blob key: HKDF-Expand-SHA256(PRK = policy key, info "arca seal v2" || key id).
 * Every policy key is itself an HKDF or SHA-256 output, i.e. a uniformly random 32-byte key,
 * so HKDF's Extract step would add an HMAC per blob and nothing else (RFC 5869, 3.3).
 */
static arca_result_t blob_key(const uint8_t policy_key[32], const uint8_t key_id[16],
                              uint8_t out[ARCA_AES_KEY_SIZE])
{
    uint8_t info[sizeof SEAL_INFO - 1 + ARCA_SEALBLOB_KEY_ID_SIZE];
    memcpy(info, SEAL_INFO, sizeof SEAL_INFO - 1);
    memcpy(info + sizeof SEAL_INFO - 1, key_id, ARCA_SEALBLOB_KEY_ID_SIZE);
    return arca__hkdf_sha256_expand(policy_key, info, sizeof info, out, ARCA_AES_KEY_SIZE);
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
    out->version = arca__get_le16(blob + 8);
    if (out->version != ARCA_SEALBLOB_VERSION)
        ARCA_RAISE(ARCA_ERR_BAD_VERSION,
                   "sealed blob: version %u is not supported (this build reads %u%s)", out->version,
                   ARCA_SEALBLOB_VERSION,
                   out->version == 1 ? "; version 1 came from a pre-release Arca whose keys were "
                                       "retired, so the data must be sealed again"
                                     : "");
    out->policy = arca__get_le16(blob + 10);
    if (out->policy != ARCA_SEAL_ENCLAVE && out->policy != ARCA_SEAL_SIGNER)
        ARCA_RAISE(ARCA_ERR_BAD_FORMAT, "sealed blob: unknown policy %u", out->policy);
    out->svn = arca__get_le16(blob + 12);
    if (blob[14] != 0 || blob[15] != 0)
        ARCA_RAISE(ARCA_ERR_BAD_FORMAT, "sealed blob: reserved bytes are not zero");
    memcpy(out->key_id, blob + 16, ARCA_SEALBLOB_KEY_ID_SIZE);
    out->aad_len = arca__get_le32(blob + 32);
    out->plaintext_len = arca__get_le64(blob + 36);
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
        ARCA_RAISE(ARCA_ERR_BAD_FORMAT, "sealed blob: %zu bytes, but its header describes %llu",
                   len, (unsigned long long)need);
    out->authenticated = blob;
    out->aad = blob + ARCA_SEALBLOB_HEADER_SIZE;
    out->ciphertext = out->aad + out->aad_len;
    out->tag = out->ciphertext + out->plaintext_len;

done:
    if (result != ARCA_OK && out)
        memset(out, 0, sizeof *out);
    return result;
}

size_t arca_sealed_size(size_t aad_len, size_t plaintext_len)
{
    if (aad_len > ARCA_SEAL_MAX_AAD || (uint64_t)plaintext_len > ARCA_SEAL_MAX_PLAINTEXT)
        return 0;
    /* Both bounded: no overflow on a 64-bit size_t (the only kind Arca builds for). */
    return ARCA_SEALBLOB_HEADER_SIZE + aad_len + plaintext_len + ARCA_SEALBLOB_TAG_SIZE;
}

arca_result_t arca_sealed_info(const uint8_t *blob, size_t blob_len, size_t *aad_len,
                               size_t *plaintext_len, const uint8_t **aad)
{
    arca_result_t result = ARCA_OK;
    arca__sealblob parsed;
    if (aad_len)
        *aad_len = 0;
    if (plaintext_len)
        *plaintext_len = 0;
    if (aad)
        *aad = NULL;
    ARCA_CHECK(arca__sealblob_parse(blob, blob_len, &parsed));
    if (aad_len)
        *aad_len = parsed.aad_len;
    if (plaintext_len)
        *plaintext_len = (size_t)parsed.plaintext_len;
    if (aad)
        *aad = parsed.aad;
done:
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
                   "arca_seal: policy %u is neither ARCA_SEAL_ENCLAVE nor ARCA_SEAL_SIGNER",
                   policy);
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
    arca__put_le16(buf + 8, ARCA_SEALBLOB_VERSION);
    arca__put_le16(buf + 10, policy);
    arca__put_le16(buf + 12, svn);
    arca__put_le16(buf + 14, 0);
    {
        /* Key id and nonce in one call to the RNG (each call has a fixed cost). */
        uint8_t fresh[ARCA_SEALBLOB_KEY_ID_SIZE + ARCA_SEALBLOB_NONCE_SIZE];
        ARCA_CHECK(arca__random(fresh, sizeof fresh));
        memcpy(buf + 16, fresh, ARCA_SEALBLOB_KEY_ID_SIZE);
        memcpy(buf + 44, fresh + ARCA_SEALBLOB_KEY_ID_SIZE, ARCA_SEALBLOB_NONCE_SIZE);
    }
    arca__put_le32(buf + 32, (uint32_t)aad_len);
    arca__put_le64(buf + 36, (uint64_t)len);
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

/* ---- the SVN key tree of the SIGNER policy ----
 *
 * Why an enclave at n = (h, l) that holds K(h, l) and T(h-1) learns nothing about any SVN
 * m > n. Such an m is either (h, l') with l' > l, or (h', l') with h' > h.
 *  - K(h, l') for l' > l lies *above* K(h, l) on the low chain: K(h, l) is obtained from it by
 *    hashing, so getting it back from K(h, l) means inverting SHA-256 (a preimage attack).
 *    The low chain starts at K(h, 255) = HKDF(T(h), ...), so climbing past its top would also
 *    need T(h), which only HKDF's output reveals (HKDF is a PRF keyed by T(h)).
 *  - Every key with h' ≥ h hangs below T(h') via HKDF, and T(h') for h' ≥ h lies above T(h-1)
 *    on the high chain: again a SHA-256 preimage. T(h) itself is never handed out, and the
 *    enclave's K(h, l) is a PRF output of T(h), not a step of the high chain.
 * The chains use different labels ("arca svn high" / "arca svn low") and HKDF has its own
 * info string, so a value from one chain is never a valid link of another (domain
 * separation): an enclave cannot feed its K into the high chain to forge some T.
 * Going down is cheap: same h, walk l down (< 256 steps); lower h', walk T down from T(h-1)
 * to T(h'), derive K(h', 255), walk its l down: at most 510 SHA-256 steps and one HKDF.
 */

/* K(h, 255) from T(h). */
static arca_result_t svn_low_top(const uint8_t tier[32], uint8_t out[32])
{
    return arca__hkdf_sha256(NULL, 0, tier, 32, SVN_LOW_TOP_INFO, sizeof SVN_LOW_TOP_INFO - 1, out,
                             32);
}

arca_result_t arca__seal_svn_derive(const uint8_t top[32], uint16_t svn, uint8_t key[32],
                                    uint8_t lower[32], uint8_t *has_lower)
{
    arca_result_t result = ARCA_OK;
    const unsigned h = svn >> 8, l = svn & 0xffu;
    uint8_t tier[32]; /* T(h) */

    if (!top || !key || !lower || !has_lower)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "seal_svn_derive: NULL argument");
    *has_lower = 0;
    memset(lower, 0, 32);
    ARCA_CHECK(arca__sha256_chain(SVN_HIGH_LABEL, sizeof SVN_HIGH_LABEL - 1, top, 255u - h, tier));
    if (h > 0) {
        ARCA_CHECK(arca__sha256_chain(SVN_HIGH_LABEL, sizeof SVN_HIGH_LABEL - 1, tier, 1, lower));
        *has_lower = 1;
    }
    ARCA_CHECK(svn_low_top(tier, key));
    ARCA_CHECK(arca__sha256_chain(SVN_LOW_LABEL, sizeof SVN_LOW_LABEL - 1, key, 255u - l, key));
done:
    arca__wipe(tier, sizeof tier);
    if (result != ARCA_OK && key && lower && has_lower) {
        arca__wipe(key, 32);
        arca__wipe(lower, 32);
        *has_lower = 0;
    }
    return result;
}

arca_result_t arca__seal_svn_key(const uint8_t key[32], const uint8_t *lower, uint16_t from_svn,
                                 uint16_t to_svn, uint8_t out[32])
{
    arca_result_t result = ARCA_OK;
    const unsigned h = from_svn >> 8, l = from_svn & 0xffu;
    const unsigned to_h = to_svn >> 8, to_l = to_svn & 0xffu;
    uint8_t tier[32];
    int writing = 0; /* out may alias key: wipe it only once this function wrote to it */

    if (!key || !out)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "seal_svn_key: NULL argument");
    if (to_svn > from_svn)
        ARCA_RAISE(ARCA_ERR_SVN_TOO_NEW,
                   "sealed at security version %u, but this enclave is at %u; only an enclave at "
                   "SVN %u or higher can unseal it",
                   to_svn, from_svn, to_svn);
    if (to_h != h && !lower)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT,
                   "seal_svn_key: SVN %u is in a lower tier than %u, but the tier key T(%u) "
                   "was not provided (the loader must pass signer_lower)",
                   to_svn, from_svn, h - 1);
    writing = 1;
    if (to_h == h) {
        ARCA_CHECK(arca__sha256_chain(SVN_LOW_LABEL, sizeof SVN_LOW_LABEL - 1, key, l - to_l, out));
    } else {
        ARCA_CHECK(arca__sha256_chain(SVN_HIGH_LABEL, sizeof SVN_HIGH_LABEL - 1, lower,
                                      h - 1 - to_h, tier));
        ARCA_CHECK(svn_low_top(tier, out));
        ARCA_CHECK(
            arca__sha256_chain(SVN_LOW_LABEL, sizeof SVN_LOW_LABEL - 1, out, 255u - to_l, out));
    }
done:
    arca__wipe(tier, sizeof tier);
    if (result != ARCA_OK && writing)
        arca__wipe(out, 32);
    return result;
}
