/*
 * sealblob.h — the sealed-blob format and the sealing core behind arca_seal/arca_unseal.
 *
 * Layout (little-endian; docs/formats.md, section "Sealed blob"):
 *
 *   off  size  field
 *     0     8  magic "ARCASEAL"
 *     8     2  version (2; version 1 was retired with the v1 SIGNER key chain)
 *    10     2  policy (1 = ENCLAVE, 2 = SIGNER)
 *    12     2  svn of the sealing enclave (the SIGNER key generation used)
 *    14     2  reserved, zero
 *    16    16  key id (random per blob)
 *    32     4  aad length A
 *    36     8  plaintext length P
 *    44    12  AES-GCM nonce (random)
 *    56     A  additional data
 *  56+A     P  ciphertext
 *  56+A+P  16  GCM tag
 *
 * Blob key = HKDF-Expand-SHA256(PRK = policy key at svn, info = "arca seal v2" || key id, 32).
 * (Policy keys are already uniformly random 32-byte keys, so the Extract step is skipped, as
 * RFC 5869 section 3.3 allows; one HMAC instead of two per blob.)
 * GCM additional data = bytes [0, 56 + A): the header and the caller's aad.
 *
 * The core takes the policy key as an argument, so it is testable and fuzzable host-side;
 * the enclave (src/enclave/seal.c) only chooses the key. The parser treats blobs as hostile.
 * Internal header: never installed.
 */
#ifndef ARCA_COMMON_SEALBLOB_H
#define ARCA_COMMON_SEALBLOB_H

#include <stddef.h>
#include <stdint.h>

#include "arca/result.h"
#include "arca/seal.h"

#define ARCA_SEALBLOB_MAGIC "ARCASEAL"
#define ARCA_SEALBLOB_VERSION 2
#define ARCA_SEALBLOB_HEADER_SIZE 56u
#define ARCA_SEALBLOB_KEY_ID_SIZE 16u
#define ARCA_SEALBLOB_TAG_SIZE 16u
#define ARCA_SEALBLOB_NONCE_SIZE 12u

/* The parsed view of a blob; pointers borrow the input buffer. */
typedef struct arca__sealblob {
    uint16_t version;
    uint16_t policy;
    uint16_t svn;
    uint8_t key_id[ARCA_SEALBLOB_KEY_ID_SIZE];
    uint32_t aad_len;
    uint64_t plaintext_len;
    uint8_t nonce[ARCA_SEALBLOB_NONCE_SIZE];
    const uint8_t *authenticated; /* header followed by aad: 56 + aad_len bytes */
    const uint8_t *aad;
    const uint8_t *ciphertext;
    const uint8_t *tag;
} arca__sealblob;

/**
 * Parse and bounds-check a blob (no decryption).
 * @return ARCA_OK, ARCA_ERR_BAD_FORMAT (truncated, bad magic, bad lengths, reserved bits),
 *         ARCA_ERR_BAD_VERSION.
 */
arca_result_t arca__sealblob_parse(const uint8_t *blob, size_t len, arca__sealblob *out)
    __attribute__((warn_unused_result));

/** Seal under @p policy_key (the ENCLAVE key, or the SIGNER key at @p svn). */
arca_result_t arca__seal_with_key(const uint8_t policy_key[32], uint16_t policy, uint16_t svn,
                                  const void *aad, size_t aad_len, const void *plaintext,
                                  size_t len, uint8_t **blob, size_t *blob_len)
    __attribute__((warn_unused_result));

/**
 * Unseal a parsed blob under @p policy_key (already at the blob's svn). Checks the caller's
 * aad against the blob's in constant time. @return ARCA_OK or ARCA_ERR_UNSEAL.
 */
arca_result_t arca__unseal_with_key(const uint8_t policy_key[32], const arca__sealblob *blob,
                                    const void *aad, size_t aad_len, uint8_t **plaintext,
                                    size_t *len) __attribute__((warn_unused_result));

/*
 * SIGNER keys per SVN (docs/formats.md, "Sealed blob"). Write svn s = 256*h + l. From the
 * top T(255) = HKDF(root, "arca seal signer v2" || signer id || product id || debug):
 *   T(h-1)   = SHA-256("arca svn high" || T(h))        high chain, one link per h
 *   K(h,255) = HKDF-SHA256(ikm = T(h), info = "arca svn low top")
 *   K(h,l-1) = SHA-256("arca svn low" || K(h,l))       low chain, one per (h, l)
 * An enclave at (h, l) receives K(h, l) and, if h > 0, T(h-1); see sealblob.c for why that
 * yields every key at or below its SVN and none above.
 */

/**
 * Platform side: from the top T(255) compute what an enclave at @p svn receives: its own
 * key K(h, l) into @p key and, when h > 0, T(h - 1) into @p lower (*has_lower = 1; else
 * @p lower is zeroed and *has_lower = 0). Costs at most 511 SHA-256 steps and one HKDF.
 */
arca_result_t arca__seal_svn_derive(const uint8_t top[32], uint16_t svn, uint8_t key[32],
                                    uint8_t lower[32], uint8_t *has_lower)
    __attribute__((warn_unused_result));

/**
 * Enclave side: from K(@p from_svn) and T(h - 1) (@p lower; NULL when the enclave's h is 0)
 * compute K(@p to_svn) into @p out.
 * @return ARCA_OK; ARCA_ERR_SVN_TOO_NEW if to > from; ARCA_ERR_INVALID_ARGUMENT if to is in a
 *         lower h than from but @p lower is NULL.
 */
arca_result_t arca__seal_svn_key(const uint8_t key[32], const uint8_t *lower, uint16_t from_svn,
                                 uint16_t to_svn, uint8_t out[32])
    __attribute__((warn_unused_result));

#endif
