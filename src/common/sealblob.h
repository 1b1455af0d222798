/*
 * sealblob.h — the sealed-blob format and the sealing core behind arca_seal/arca_unseal.
 *
 * Layout (little-endian; docs/formats.md, section "Sealed blob"):
 *
 *   off  size  field
 *     0     8  magic "ARCASEAL"
 *     8     2  version (1)
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
 * Blob key = HKDF-SHA256(ikm = policy key at svn, info = "arca seal v1" || key id).
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
#define ARCA_SEALBLOB_VERSION 1
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

/**
 * Walk the SIGNER key hash chain down: from K(@p from_svn) compute K(@p to_svn), to ≤ from,
 * by K(s-1) = SHA-256("arca svn step" || K(s)). @return ARCA_ERR_SVN_TOO_NEW if to > from.
 */
arca_result_t arca__seal_svn_key(const uint8_t key[32], uint16_t from_svn, uint16_t to_svn,
                                 uint8_t out[32]) __attribute__((warn_unused_result));

#endif
