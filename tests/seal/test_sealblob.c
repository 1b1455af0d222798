/*
 * test_sealblob.c — the sealed-blob format and sealing core (src/common/sealblob.c), which
 * arca_seal/arca_unseal run inside the enclave: round trips, every single-bit flip, wrong
 * aad and keys, truncation and extension, hostile header lengths and the SVN chain.
 */
#include <stdlib.h>
#include <string.h>

#include "common/crypto.h"
#include "common/sealblob.h"
#include "test.h"

static uint8_t key_a[32], key_b[32];

static void put32le(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* Unseal helper: parse + unseal with key, returns the first failure. */
static arca_result_t unseal(const uint8_t key[32], const uint8_t *blob, size_t len, const void *aad,
                            size_t aad_len, uint8_t **pt, size_t *pt_len)
{
    arca__sealblob parsed;
    *pt = NULL;
    *pt_len = 0;
    arca_result_t r = arca__sealblob_parse(blob, len, &parsed);
    if (r != ARCA_OK)
        return r;
    return arca__unseal_with_key(key, &parsed, aad, aad_len, pt, pt_len);
}

static void test_round_trip_sizes(void)
{
    static const size_t sizes[] = {0, 1, 15, 16, 17, 1000, 65536 + 3};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        size_t n = sizes[i];
        uint8_t *pt = malloc(n + 1), *blob = NULL, *out = NULL;
        size_t blob_len = 0, out_len = 99;
        for (size_t j = 0; j < n; j++)
            pt[j] = (uint8_t)(j * 7 + i);
        ASSERT_OK(arca__seal_with_key(key_a, ARCA_SEAL_ENCLAVE, 4, "ctx", 3, pt, n, &blob, &blob_len));
        ASSERT_UEQ(blob_len, ARCA_SEALBLOB_HEADER_SIZE + 3 + n + ARCA_SEALBLOB_TAG_SIZE);
        if (n >= 16)
            ASSERT_TRUE(memcmp(blob + ARCA_SEALBLOB_HEADER_SIZE + 3, pt, 16) != 0); /* encrypted */
        ASSERT_OK(unseal(key_a, blob, blob_len, "ctx", 3, &out, &out_len));
        ASSERT_UEQ(out_len, n);
        ASSERT_MEMEQ(out, pt, n);
        arca__sealblob parsed;
        ASSERT_OK(arca__sealblob_parse(blob, blob_len, &parsed));
        ASSERT_EQ(parsed.policy, ARCA_SEAL_ENCLAVE);
        ASSERT_EQ(parsed.svn, 4);
        ASSERT_EQ(parsed.aad_len, 3);
        ASSERT_MEMEQ(parsed.aad, "ctx", 3);
        free(out);
        free(blob);
        free(pt);
    }
}

static void test_no_aad_and_null_buffers(void)
{
    uint8_t *blob = NULL, *out = NULL;
    size_t blob_len, out_len;
    ASSERT_OK(arca__seal_with_key(key_a, ARCA_SEAL_SIGNER, 0, NULL, 0, NULL, 0, &blob, &blob_len));
    ASSERT_OK(unseal(key_a, blob, blob_len, NULL, 0, &out, &out_len));
    ASSERT_UEQ(out_len, 0);
    free(out);
    free(blob);
    ASSERT_RESULT(arca__seal_with_key(key_a, ARCA_SEAL_SIGNER, 0, NULL, 5, NULL, 0, &blob, &blob_len),
                  ARCA_ERR_INVALID_ARGUMENT);
    ASSERT_RESULT(arca__seal_with_key(key_a, ARCA_SEAL_SIGNER, 0, NULL, 0, NULL, 5, &blob, &blob_len),
                  ARCA_ERR_INVALID_ARGUMENT);
    ASSERT_RESULT(arca__seal_with_key(key_a, 3, 0, NULL, 0, NULL, 0, &blob, &blob_len),
                  ARCA_ERR_INVALID_ARGUMENT);
    ASSERT_RESULT(arca__seal_with_key(key_a, 0, 0, NULL, 0, NULL, 0, &blob, &blob_len),
                  ARCA_ERR_INVALID_ARGUMENT);
    ASSERT_RESULT(arca__seal_with_key(key_a, ARCA_SEAL_SIGNER, 0, "x", (size_t)ARCA_SEAL_MAX_AAD + 1,
                                      NULL, 0, &blob, &blob_len), ARCA_ERR_OVERFLOW);
}

static void test_blobs_are_randomised(void)
{
    uint8_t *b1 = NULL, *b2 = NULL;
    size_t l1, l2;
    ASSERT_OK(arca__seal_with_key(key_a, ARCA_SEAL_ENCLAVE, 0, NULL, 0, "same", 4, &b1, &l1));
    ASSERT_OK(arca__seal_with_key(key_a, ARCA_SEAL_ENCLAVE, 0, NULL, 0, "same", 4, &b2, &l2));
    ASSERT_UEQ(l1, l2);
    ASSERT_TRUE(memcmp(b1 + 16, b2 + 16, 16) != 0);  /* key id */
    ASSERT_TRUE(memcmp(b1 + 44, b2 + 44, 12) != 0);  /* nonce */
    ASSERT_TRUE(memcmp(b1 + 56, b2 + 56, 4) != 0);   /* ciphertext */
    free(b1);
    free(b2);
}

static void test_every_bit_flip_fails(void)
{
    uint8_t *blob = NULL, *out = NULL;
    size_t len, out_len;
    ASSERT_OK(arca__seal_with_key(key_a, ARCA_SEAL_SIGNER, 2, "aad!", 4, "secret", 6, &blob, &len));
    size_t failures = 0;
    for (size_t bit = 0; bit < len * 8; bit++) {
        blob[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        /* With a flipped aad byte, the caller's (original) aad must also fail; try both. */
        arca_result_t r = unseal(key_a, blob, len, "aad!", 4, &out, &out_len);
        if (r == ARCA_OK) {
            fprintf(stderr, "bit %zu flipped and still unsealed\n", bit);
            free(out);
        } else {
            failures++;
            ASSERT_TRUE(out == NULL && out_len == 0);
        }
        arca__sealblob parsed;
        if (arca__sealblob_parse(blob, len, &parsed) == ARCA_OK && parsed.aad_len == 4) {
            /* Even an attacker who passes the blob's own (modified) aad fails. */
            ASSERT_RESULT(arca__unseal_with_key(key_a, &parsed, parsed.aad, 4, &out, &out_len),
                          ARCA_ERR_UNSEAL);
        }
        blob[bit / 8] ^= (uint8_t)(1u << (bit % 8));
    }
    ASSERT_UEQ(failures, len * 8);
    ASSERT_OK(unseal(key_a, blob, len, "aad!", 4, &out, &out_len)); /* restored */
    free(out);
    free(blob);
}

static void test_wrong_aad_and_key_fail(void)
{
    uint8_t *blob = NULL, *out = NULL;
    size_t len, out_len;
    ASSERT_OK(arca__seal_with_key(key_a, ARCA_SEAL_ENCLAVE, 0, "file-1", 6, "data", 4, &blob, &len));
    ASSERT_RESULT(unseal(key_a, blob, len, "file-2", 6, &out, &out_len), ARCA_ERR_UNSEAL);
    ASSERT_RESULT(unseal(key_a, blob, len, "file-1x", 7, &out, &out_len), ARCA_ERR_UNSEAL);
    ASSERT_RESULT(unseal(key_a, blob, len, "file-", 5, &out, &out_len), ARCA_ERR_UNSEAL);
    ASSERT_RESULT(unseal(key_a, blob, len, NULL, 0, &out, &out_len), ARCA_ERR_UNSEAL);
    ASSERT_RESULT(unseal(key_b, blob, len, "file-1", 6, &out, &out_len), ARCA_ERR_UNSEAL);
    ASSERT_TRUE(out == NULL);
    ASSERT_OK(unseal(key_a, blob, len, "file-1", 6, &out, &out_len));
    free(out);
    free(blob);
}

static void test_truncated_and_extended_blobs_fail(void)
{
    uint8_t *blob = NULL, *out = NULL;
    size_t len, out_len;
    ASSERT_OK(arca__seal_with_key(key_a, ARCA_SEAL_ENCLAVE, 0, "a", 1, "payload", 7, &blob, &len));
    for (size_t n = 0; n < len; n++)
        ASSERT_RESULT(unseal(key_a, blob, n, "a", 1, &out, &out_len), ARCA_ERR_BAD_FORMAT);
    uint8_t *longer = calloc(1, len + 1);
    memcpy(longer, blob, len);
    ASSERT_RESULT(unseal(key_a, longer, len + 1, "a", 1, &out, &out_len), ARCA_ERR_BAD_FORMAT);
    free(longer);
    free(blob);
}

static void test_hostile_header_lengths(void)
{
    uint8_t *blob = NULL, *out = NULL;
    size_t len, out_len;
    arca__sealblob parsed;
    ASSERT_OK(arca__seal_with_key(key_a, ARCA_SEAL_ENCLAVE, 0, "a", 1, "payload", 7, &blob, &len));
    uint8_t *h = malloc(len);
    memcpy(h, blob, len);
    put32le(h + 32, 0xFFFFFFFFu); /* aad length: huge */
    ASSERT_RESULT(arca__sealblob_parse(h, len, &parsed), ARCA_ERR_BAD_FORMAT);
    memcpy(h, blob, len);
    put32le(h + 36, 0xFFFFFFFFu); /* plaintext length: wraps if added carelessly */
    put32le(h + 40, 0xFFFFFFFFu);
    ASSERT_RESULT(arca__sealblob_parse(h, len, &parsed), ARCA_ERR_BAD_FORMAT);
    memcpy(h, blob, len);
    /* plaintext length - 2^64 + small: any sum modulo 2^64 that would match len */
    put32le(h + 36, (uint32_t)(7 - 72));
    put32le(h + 40, 0xFFFFFFFFu);
    ASSERT_RESULT(arca__sealblob_parse(h, len, &parsed), ARCA_ERR_BAD_FORMAT);
    memcpy(h, blob, len);
    put32le(h + 32, 2); /* lengths shift between aad and plaintext: total stays equal */
    put32le(h + 36, 6);
    ASSERT_OK(arca__sealblob_parse(h, len, &parsed));
    ASSERT_RESULT(arca__unseal_with_key(key_a, &parsed, parsed.aad, 2, &out, &out_len), ARCA_ERR_UNSEAL);
    memcpy(h, blob, len);
    h[8] = 2; /* version */
    ASSERT_RESULT(arca__sealblob_parse(h, len, &parsed), ARCA_ERR_BAD_VERSION);
    memcpy(h, blob, len);
    h[14] = 1; /* reserved */
    ASSERT_RESULT(arca__sealblob_parse(h, len, &parsed), ARCA_ERR_BAD_FORMAT);
    memcpy(h, blob, len);
    h[0] = 'X'; /* magic */
    ASSERT_RESULT(arca__sealblob_parse(h, len, &parsed), ARCA_ERR_BAD_FORMAT);
    free(h);
    free(blob);
}

static void test_svn_chain(void)
{
    uint8_t k10[32], k7[32], k7b[32], k0[32];
    ASSERT_OK(arca__seal_svn_key(key_a, 10, 10, k10));
    ASSERT_MEMEQ(k10, key_a, 32); /* zero steps */
    ASSERT_OK(arca__seal_svn_key(key_a, 10, 7, k7));
    ASSERT_TRUE(memcmp(k7, key_a, 32) != 0);
    uint8_t k9[32], k8[32];
    ASSERT_OK(arca__seal_svn_key(key_a, 10, 9, k9));
    ASSERT_OK(arca__seal_svn_key(k9, 9, 8, k8));
    ASSERT_OK(arca__seal_svn_key(k8, 8, 7, k7b));
    ASSERT_MEMEQ(k7, k7b, 32); /* the chain composes step by step */
    /* One step = SHA-256("arca svn step" || K) */
    uint8_t block[13 + 32], expect[32];
    memcpy(block, "arca svn step", 13);
    memcpy(block + 13, key_a, 32);
    ASSERT_OK(arca__sha256(block, sizeof block, expect));
    ASSERT_MEMEQ(k9, expect, 32);
    ASSERT_OK(arca__seal_svn_key(key_a, 10, 0, k0));
    ASSERT_RESULT(arca__seal_svn_key(key_a, 7, 10, k10), ARCA_ERR_SVN_TOO_NEW);
    ASSERT_RESULT(arca__seal_svn_key(key_a, 0, 1, k10), ARCA_ERR_SVN_TOO_NEW);
}

int main(void)
{
    if (arca__random(key_a, 32) != ARCA_OK || arca__random(key_b, 32) != ARCA_OK)
        return 1;
    RUN(test_round_trip_sizes);
    RUN(test_no_aad_and_null_buffers);
    RUN(test_blobs_are_randomised);
    RUN(test_every_bit_flip_fails);
    RUN(test_wrong_aad_and_key_fail);
    RUN(test_truncated_and_extended_blobs_fail);
    RUN(test_hostile_header_lengths);
    RUN(test_svn_chain);
    return TEST_SUMMARY();
}
