/*
 * test_sealblob.c — the sealed-blob format and sealing core (src/formats/sealblob.c), which
 * arca_seal/arca_unseal run inside the enclave: round trips, every single-bit flip, wrong
 * aad and keys, truncation and extension, hostile header lengths, the blob key derivation
 * and the two-level SVN key tree.
 */
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "base/error.h"
#include "formats/sealblob.h"
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

/* The porting helpers: the size before sealing, and a blob's lengths and AAD before unsealing
 * (the AAD read this way is then given to unseal, which authenticates it). */
static void test_sealed_size_and_info(void)
{
    static const size_t sizes[] = {0, 1, 100, 65536 + 3};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        uint8_t *blob = NULL, *out = NULL;
        size_t len = 0, out_len = 0, aad_len = 99, pt_len = 99;
        const uint8_t *aad = NULL;
        uint8_t *pt = calloc(1, sizes[i] + 1);
        ASSERT_OK(arca__seal_with_key(key_a, ARCA_SEAL_SIGNER, 0, "label", 5, pt, sizes[i], &blob, &len));
        ASSERT_UEQ(arca_sealed_size(5, sizes[i]), len);
        ASSERT_OK(arca_sealed_info(blob, len, &aad_len, &pt_len, &aad));
        ASSERT_UEQ(aad_len, 5);
        ASSERT_UEQ(pt_len, sizes[i]);
        ASSERT_TRUE(aad == blob + ARCA_SEALBLOB_HEADER_SIZE);
        ASSERT_OK(unseal(key_a, blob, len, aad, aad_len, &out, &out_len));
        ASSERT_UEQ(out_len, sizes[i]);
        ASSERT_OK(arca_sealed_info(blob, len, NULL, NULL, NULL)); /* every output optional */
        /* not a blob: every output cleared, the parser's own result */
        blob[0] ^= 1;
        ASSERT_RESULT(arca_sealed_info(blob, len, &aad_len, &pt_len, &aad), ARCA_ERR_BAD_FORMAT);
        ASSERT_TRUE(aad_len == 0 && pt_len == 0 && aad == NULL);
        blob[0] ^= 1;
        ASSERT_RESULT(arca_sealed_info(blob, len - 1, &aad_len, &pt_len, &aad), ARCA_ERR_BAD_FORMAT);
        free(out);
        free(blob);
        free(pt);
    }
    ASSERT_RESULT(arca_sealed_info(NULL, 100, NULL, NULL, NULL), ARCA_ERR_INVALID_ARGUMENT);
    ASSERT_UEQ(arca_sealed_size(0, 0), ARCA_SEALBLOB_HEADER_SIZE + ARCA_SEALBLOB_TAG_SIZE);
    ASSERT_UEQ(arca_sealed_size(ARCA_SEAL_MAX_AAD + 1, 0), 0);
    ASSERT_UEQ(arca_sealed_size(0, (size_t)ARCA_SEAL_MAX_PLAINTEXT + 1), 0);
    ASSERT_UEQ(arca_sealed_size(ARCA_SEAL_MAX_AAD, (size_t)ARCA_SEAL_MAX_PLAINTEXT),
               ARCA_SEALBLOB_HEADER_SIZE + ARCA_SEAL_MAX_AAD + (size_t)ARCA_SEAL_MAX_PLAINTEXT +
                   ARCA_SEALBLOB_TAG_SIZE);
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
    h[8] = 3; /* version */
    ASSERT_RESULT(arca__sealblob_parse(h, len, &parsed), ARCA_ERR_BAD_VERSION);
    memcpy(h, blob, len);
    h[8] = 1; /* the retired pre-release format: refused with a hint, never decrypted */
    ASSERT_RESULT(arca__sealblob_parse(h, len, &parsed), ARCA_ERR_BAD_VERSION);
    ASSERT_CONTAINS(arca__error_detail(), "sealed again");
    memcpy(h, blob, len);
    h[14] = 1; /* reserved */
    ASSERT_RESULT(arca__sealblob_parse(h, len, &parsed), ARCA_ERR_BAD_FORMAT);
    memcpy(h, blob, len);
    h[0] = 'X'; /* magic */
    ASSERT_RESULT(arca__sealblob_parse(h, len, &parsed), ARCA_ERR_BAD_FORMAT);
    free(h);
    free(blob);
}

/* Reference model of the SVN key tree, built only from the documented formulas. */
static void model_tier(const uint8_t top[32], unsigned h, uint8_t out[32])
{
    uint8_t block[13 + 32];
    memcpy(out, top, 32);
    for (unsigned i = 255; i > h; i--) {
        memcpy(block, "arca svn high", 13);
        memcpy(block + 13, out, 32);
        if (arca__sha256(block, sizeof block, out) != ARCA_OK)
            memset(out, 0, 32);
    }
}

static void model_key(const uint8_t top[32], uint16_t svn, uint8_t out[32])
{
    uint8_t tier[32], block[12 + 32];
    model_tier(top, svn >> 8, tier);
    if (arca__hkdf_sha256(NULL, 0, tier, 32, "arca svn low top", 16, out, 32) != ARCA_OK)
        memset(out, 0, 32);
    for (unsigned l = 255; l > (svn & 0xffu); l--) {
        memcpy(block, "arca svn low", 12);
        memcpy(block + 12, out, 32);
        if (arca__sha256(block, sizeof block, out) != ARCA_OK)
            memset(out, 0, 32);
    }
}

static void test_svn_tree_matches_formulas(void)
{
    static const uint16_t svns[] = {0, 1, 254, 255, 256, 257, 511, 512, 4660, 65279, 65280, 65535};
    for (size_t i = 0; i < sizeof svns / sizeof svns[0]; i++) {
        uint8_t key[32], lower[32], want[32], has = 7;
        ASSERT_OK(arca__seal_svn_derive(key_a, svns[i], key, lower, &has));
        model_key(key_a, svns[i], want);
        ASSERT_MEMEQ(key, want, 32);
        if (svns[i] >= 256) {
            ASSERT_EQ(has, 1);
            model_tier(key_a, (svns[i] >> 8) - 1u, want);
            ASSERT_MEMEQ(lower, want, 32);
        } else {
            static const uint8_t zero[32] = {0};
            ASSERT_EQ(has, 0);
            ASSERT_MEMEQ(lower, zero, 32);
        }
    }
}

static void test_svn_walk_down_equals_platform(void)
{
    /* Pairs (n, m) with m ≤ n, across and within tiers, including every boundary. */
    static const uint16_t svns[] = {0, 1, 2, 127, 254, 255, 256, 257, 300, 510, 511, 512, 513,
                                    767, 768, 4660, 32768, 65279, 65280, 65281, 65534, 65535};
    enum { N = sizeof svns / sizeof svns[0] };
    uint8_t keys[N][32], lowers[N][32], has[N];
    for (size_t i = 0; i < N; i++)
        ASSERT_OK(arca__seal_svn_derive(key_a, svns[i], keys[i], lowers[i], &has[i]));
    for (size_t i = 0; i < N; i++) {
        const uint8_t *lower = has[i] ? lowers[i] : NULL;
        for (size_t j = 0; j < N; j++) {
            uint8_t got[32];
            if (svns[j] <= svns[i]) {
                ASSERT_OK(arca__seal_svn_key(keys[i], lower, svns[i], svns[j], got));
                ASSERT_MEMEQ(got, keys[j], 32);
            } else {
                /* Never above: refused, whatever the enclave holds. */
                memset(got, 0xA5, sizeof got);
                ASSERT_RESULT(arca__seal_svn_key(keys[i], lower, svns[i], svns[j], got),
                              ARCA_ERR_SVN_TOO_NEW);
                ASSERT_TRUE(memcmp(got, keys[j], 32) != 0);
            }
        }
        /* What the enclave holds is neither the key of n + 1 nor a tier key at or above n. */
        if (svns[i] < 65535) {
            uint8_t next[32], next_lower[32], next_has;
            ASSERT_OK(arca__seal_svn_derive(key_a, (uint16_t)(svns[i] + 1), next, next_lower,
                                            &next_has));
            ASSERT_TRUE(memcmp(next, keys[i], 32) != 0);
            ASSERT_TRUE(memcmp(next, lowers[i], 32) != 0);
            ASSERT_RESULT(
                arca__seal_svn_key(keys[i], lower, svns[i], (uint16_t)(svns[i] + 1), next),
                ARCA_ERR_SVN_TOO_NEW);
        }
    }
    /* Exhaustive within two tiers: from 511 = (1, 255) to every m ≤ 511. */
    uint8_t k511[32], l511[32], h511, k[32], l[32], hm, got[32];
    ASSERT_OK(arca__seal_svn_derive(key_a, 511, k511, l511, &h511));
    for (unsigned m = 0; m <= 511; m++) {
        ASSERT_OK(arca__seal_svn_derive(key_a, (uint16_t)m, k, l, &hm));
        ASSERT_OK(arca__seal_svn_key(k511, l511, 511, (uint16_t)m, got));
        ASSERT_MEMEQ(got, k, 32);
    }
}

static void test_svn_key_misuse(void)
{
    uint8_t k[32], lower[32], has, out[32], copy[32];
    ASSERT_OK(arca__seal_svn_derive(key_a, 300, k, lower, &has));
    /* Same tier needs no tier key; a lower tier does. */
    ASSERT_OK(arca__seal_svn_key(k, NULL, 300, 256, out));
    ASSERT_RESULT(arca__seal_svn_key(k, NULL, 300, 255, out), ARCA_ERR_INVALID_ARGUMENT);
    /* A refused request leaves an aliased key alone. */
    memcpy(copy, k, 32);
    ASSERT_RESULT(arca__seal_svn_key(k, lower, 300, 301, k), ARCA_ERR_SVN_TOO_NEW);
    ASSERT_MEMEQ(k, copy, 32);
    /* In-place walking works. */
    ASSERT_OK(arca__seal_svn_key(k, lower, 300, 5, k));
    ASSERT_OK(arca__seal_svn_derive(key_a, 5, out, lower, &has));
    ASSERT_MEMEQ(k, out, 32);
    ASSERT_RESULT(arca__seal_svn_key(NULL, NULL, 1, 0, out), ARCA_ERR_INVALID_ARGUMENT);
    ASSERT_RESULT(arca__seal_svn_derive(key_a, 1, out, NULL, &has), ARCA_ERR_INVALID_ARGUMENT);
    /* Another top gives other keys. */
    ASSERT_OK(arca__seal_svn_derive(key_b, 5, copy, lower, &has));
    ASSERT_TRUE(memcmp(copy, out, 32) != 0);
}

static void test_blob_key_derivation(void)
{
    /* Blob key = HKDF-Expand(PRK = policy key, "arca seal v2" || key id): decrypt by hand. */
    static const uint8_t msg[] = "known plaintext";
    uint8_t *blob = NULL, key[32], info[12 + 16], *pt;
    size_t blob_len = 0;
    ASSERT_OK(arca__seal_with_key(key_a, ARCA_SEAL_SIGNER, 77, "ad", 2, msg, sizeof msg, &blob,
                                  &blob_len));
    ASSERT_EQ(blob[8], 2);
    ASSERT_EQ(blob[12], 77);
    memcpy(info, "arca seal v2", 12);
    memcpy(info + 12, blob + 16, 16);
    ASSERT_OK(arca__hkdf_sha256_expand(key_a, info, sizeof info, key, 32));
    pt = malloc(sizeof msg);
    ASSERT_TRUE(pt != NULL);
    arca_result_t r = arca__aes256gcm_decrypt(key, blob + 44, blob, 56 + 2, blob + 58, sizeof msg,
                                              blob + 58 + sizeof msg, pt);
    int same = r == ARCA_OK && memcmp(pt, msg, sizeof msg) == 0;
    free(pt);
    free(blob);
    ASSERT_OK(r);
    ASSERT_TRUE(same);
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
    RUN(test_sealed_size_and_info);
    RUN(test_hostile_header_lengths);
    RUN(test_svn_tree_matches_formulas);
    RUN(test_svn_walk_down_equals_platform);
    RUN(test_svn_key_misuse);
    RUN(test_blob_key_derivation);
    return TEST_SUMMARY();
}
