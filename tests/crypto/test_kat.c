/*
 * test_kat.c — known-answer and negative tests for the symmetric crypto wrappers:
 * SHA-256 (FIPS 180-2), HMAC-SHA256 (RFC 4231), HKDF-SHA256 (RFC 5869), AES-256-GCM
 * (GCM spec / NIST test cases 13-16), the CSPRNG, constant-time compare and wipe.
 * Every failure path also checks that OpenSSL's error queue was left empty.
 */
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include "crypto/crypto.h"
#include "base/error.h"
#include "hex.h"
#include "test.h"

/* ---- the algorithm cache: first use from several threads at once ---- */

static void *use_everything(void *arg)
{
    int *failures = arg;
    uint8_t key[32] = {7}, iv[12] = {9}, out[32], ct[64], tag[16], pt[64];
    for (int i = 0; i < 50; i++) {
        key[1] = (uint8_t)i;
        if (arca__sha256("abc", 3, out) != ARCA_OK ||
            arca__hmac_sha256(key, 32, "abc", 3, out) != ARCA_OK ||
            arca__hkdf_sha256(NULL, 0, key, 32, "i", 1, out, 32) != ARCA_OK ||
            arca__aes256gcm_encrypt(out, iv, "a", 1, key, 32, ct, tag) != ARCA_OK ||
            arca__aes256gcm_decrypt(out, iv, "a", 1, ct, 32, tag, pt) != ARCA_OK ||
            memcmp(pt, key, 32) != 0)
            (*failures)++;
    }
    return NULL;
}

static void test_concurrent_first_use(void)
{
    enum { THREADS = 4 };
    pthread_t t[THREADS];
    int failures[THREADS] = {0}, started = 0, total = 0;
    for (int i = 0; i < THREADS; i++)
        if (pthread_create(&t[i], NULL, use_everything, &failures[i]) == 0)
            started++;
    for (int i = 0; i < started; i++) {
        pthread_join(t[i], NULL);
        total += failures[i];
    }
    ASSERT_EQ(started, THREADS);
    ASSERT_EQ(total, 0);
    ASSERT_EQ(ERR_peek_error(), 0);
}

/* ---- SHA-256 ---- */

static void check_sha(const void *msg, size_t len, const char *expect_hex)
{
    uint8_t got[32], want[32];
    unhex(expect_hex, want, sizeof want);
    ASSERT_OK(arca__sha256(msg, len, got));
    ASSERT_MEMEQ(got, want, 32);
}

static void test_sha256_fips180_2(void)
{
    static const char m448[] = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    uint8_t got[32], want[32];

    check_sha("abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    check_sha(m448, strlen(m448),
              "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    check_sha(NULL, 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");

    /* One million 'a': one-shot, then incrementally in uneven pieces. */
    size_t n = 1000000;
    uint8_t *a = malloc(n);
    ASSERT_TRUE(a != NULL);
    memset(a, 'a', n);
    unhex("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0", want, 32);
    arca_result_t r = arca__sha256(a, n, got);
    if (r != ARCA_OK || memcmp(got, want, 32) != 0) {
        free(a);
        ASSERT_OK(r);
        ASSERT_MEMEQ(got, want, 32);
    }
    arca__sha256_ctx ctx;
    size_t off = 0, step = 1;
    r = arca__sha256_init(&ctx);
    while (r == ARCA_OK && off < n) {
        size_t take = step < n - off ? step : n - off;
        r = arca__sha256_update(&ctx, a + off, take);
        off += take;
        step = step * 3 + 7;
    }
    free(a);
    ASSERT_OK(r);
    ASSERT_OK(arca__sha256_update(&ctx, NULL, 0));
    ASSERT_OK(arca__sha256_final(&ctx, got));
    ASSERT_MEMEQ(got, want, 32);
    ASSERT_TRUE(ctx.md_ctx == NULL);
}

static void test_sha256_misuse(void)
{
    arca__sha256_ctx ctx = {0};
    uint8_t out[32];

    ASSERT_RESULT(arca__sha256(NULL, 5, out), ARCA_ERR_INVALID_ARGUMENT);
    ASSERT_RESULT(arca__sha256_update(&ctx, "x", 1), ARCA_ERR_INVALID_ARGUMENT);
    ASSERT_RESULT(arca__sha256_final(&ctx, out), ARCA_ERR_INVALID_ARGUMENT);
    ASSERT_OK(arca__sha256_init(&ctx));
    ASSERT_RESULT(arca__sha256_update(&ctx, NULL, 3), ARCA_ERR_INVALID_ARGUMENT);
    arca__sha256_abort(&ctx);
    ASSERT_TRUE(ctx.md_ctx == NULL);
    arca__sha256_abort(&ctx); /* twice is harmless */
    ASSERT_EQ(ERR_peek_error(), 0);
}

/* ---- HMAC-SHA256, RFC 4231 ---- */

static void check_hmac(const uint8_t *key, size_t key_len, const void *data, size_t len,
                       const char *expect_hex)
{
    uint8_t got[32], want[32];
    unhex(expect_hex, want, sizeof want);
    ASSERT_OK(arca__hmac_sha256(key, key_len, data, len, got));
    ASSERT_MEMEQ(got, want, 32);
}

static void test_hmac_rfc4231(void)
{
    uint8_t k[131], d[50];
    static const char *t6 = "Test Using Larger Than Block-Size Key - Hash Key First";
    static const char *t7 = "This is a test using a larger than block-size key and a larger than "
                            "block-size data. The key needs to be hashed before being used by the "
                            "HMAC algorithm.";

    memset(k, 0x0b, 20); /* 1 */
    check_hmac(k, 20, "Hi There", 8,
               "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
    check_hmac((const uint8_t *)"Jefe", 4, "what do ya want for nothing?", 28, /* 2 */
               "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    memset(k, 0xaa, 20); /* 3 */
    memset(d, 0xdd, 50);
    check_hmac(k, 20, d, 50, "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe");
    for (int i = 0; i < 25; i++) /* 4 */
        k[i] = (uint8_t)(i + 1);
    memset(d, 0xcd, 50);
    check_hmac(k, 25, d, 50, "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b");
    memset(k, 0xaa, 131); /* 6 */
    check_hmac(k, 131, t6, strlen(t6),
               "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
    check_hmac(k, 131, t7, strlen(t7), /* 7 */
               "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2");
}

static void test_hmac_edges(void)
{
    uint8_t a[32], b[32];
    static const uint8_t zero = 0;

    /* An empty key is, by HMAC's definition, the same as a single zero byte. */
    ASSERT_OK(arca__hmac_sha256(NULL, 0, "m", 1, a));
    ASSERT_OK(arca__hmac_sha256(&zero, 1, "m", 1, b));
    ASSERT_MEMEQ(a, b, 32);
    ASSERT_OK(arca__hmac_sha256("k", 1, NULL, 0, a));
    ASSERT_OK(arca__hmac_sha256("k", 1, "", 0, b));
    ASSERT_MEMEQ(a, b, 32);
    /* A different key or message changes the MAC. */
    ASSERT_OK(arca__hmac_sha256("j", 1, NULL, 0, b));
    ASSERT_TRUE(memcmp(a, b, 32) != 0);
    ASSERT_RESULT(arca__hmac_sha256(NULL, 4, "m", 1, a), ARCA_ERR_INVALID_ARGUMENT);
    ASSERT_RESULT(arca__hmac_sha256("k", 1, NULL, 1, a), ARCA_ERR_INVALID_ARGUMENT);
}

static void test_sha256_chain(void)
{
    uint8_t seed[32], got[32], want[32], block[5 + 32];
    ASSERT_OK(arca__random(seed, sizeof seed));
    /* Zero steps copy; n steps equal n one-shot hashes of label || link. */
    ASSERT_OK(arca__sha256_chain("label", 5, seed, 0, got));
    ASSERT_MEMEQ(got, seed, 32);
    memcpy(want, seed, 32);
    for (uint32_t n = 1; n <= 300; n++) {
        memcpy(block, "label", 5);
        memcpy(block + 5, want, 32);
        ASSERT_OK(arca__sha256(block, sizeof block, want));
        if (n == 1 || n == 2 || n == 255 || n == 300) {
            ASSERT_OK(arca__sha256_chain("label", 5, seed, n, got));
            ASSERT_MEMEQ(got, want, 32);
        }
    }
    /* In place, and without a label. */
    memcpy(got, seed, 32);
    ASSERT_OK(arca__sha256_chain("label", 5, got, 300, got));
    ASSERT_MEMEQ(got, want, 32);
    ASSERT_OK(arca__sha256_chain(NULL, 0, seed, 1, got));
    ASSERT_OK(arca__sha256(seed, 32, want));
    ASSERT_MEMEQ(got, want, 32);
    ASSERT_RESULT(arca__sha256_chain(NULL, 3, seed, 1, got), ARCA_ERR_INVALID_ARGUMENT);
    ASSERT_RESULT(arca__sha256_chain("l", 1, NULL, 1, got), ARCA_ERR_INVALID_ARGUMENT);
    ASSERT_EQ(ERR_peek_error(), 0);
}

/* ---- HKDF-SHA256, RFC 5869 ---- */

static void check_hkdf(const uint8_t *ikm, size_t ikm_len, const uint8_t *salt, size_t salt_len,
                       const uint8_t *info, size_t info_len, const char *expect_hex)
{
    uint8_t want[128], got[128];
    size_t n = unhex(expect_hex, want, sizeof want);
    memset(got, 0x5a, sizeof got);
    ASSERT_OK(arca__hkdf_sha256(salt, salt_len, ikm, ikm_len, info, info_len, got, n));
    ASSERT_MEMEQ(got, want, n);
    ASSERT_EQ(got[n], 0x5a); /* nothing written past out_len */
    /* HKDF output is a prefix code: shorter requests (the one-block path) give a prefix. */
    static const size_t shorter[] = {1, 31, 32, 33};
    for (size_t i = 0; i < sizeof shorter / sizeof shorter[0]; i++) {
        memset(got, 0x5a, sizeof got);
        ASSERT_OK(arca__hkdf_sha256(salt, salt_len, ikm, ikm_len, info, info_len, got, shorter[i]));
        ASSERT_MEMEQ(got, want, shorter[i]);
        ASSERT_EQ(got[shorter[i]], 0x5a);
    }
}

/* OpenSSL's own one-shot HKDF (mode 0 = extract and expand, 2 = expand only), as reference. */
static int openssl_hkdf(int mode, const uint8_t *key, size_t key_len, const uint8_t *salt,
                        size_t salt_len, const uint8_t *info, size_t info_len, uint8_t *out,
                        size_t out_len)
{
    EVP_KDF *kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
    EVP_KDF_CTX *ctx = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
    char digest[] = "SHA256";
    OSSL_PARAM params[6];
    size_t n = 0;
    params[n++] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0);
    params[n++] = OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode);
    params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)key, key_len);
    if (salt_len)
        params[n++] =
            OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)salt, salt_len);
    if (info_len)
        params[n++] =
            OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, (void *)info, info_len);
    params[n] = OSSL_PARAM_construct_end();
    int ok = ctx && EVP_KDF_derive(ctx, out, out_len, params) == 1;
    EVP_KDF_CTX_free(ctx);
    EVP_KDF_free(kdf);
    return ok;
}

static void test_hkdf_expand_rfc5869(void)
{
    uint8_t prk[32], info[10], want[42], got[43];
    /* RFC 5869 test case 1: PRK and OKM as printed in the RFC. */
    unhex("077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5", prk, 32);
    for (int i = 0; i < 10; i++)
        info[i] = (uint8_t)(0xf0 + i);
    unhex("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865",
          want, 42);
    static const size_t lens[] = {1, 16, 31, 32, 33, 42};
    for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
        memset(got, 0x5a, sizeof got);
        ASSERT_OK(arca__hkdf_sha256_expand(prk, info, sizeof info, got, lens[i]));
        ASSERT_MEMEQ(got, want, lens[i]);
        ASSERT_EQ(got[lens[i]], 0x5a);
    }
    /* Test case 3: empty info. */
    unhex("19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04", prk, 32);
    unhex("8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8",
          want, 42);
    ASSERT_OK(arca__hkdf_sha256_expand(prk, NULL, 0, got, 32));
    ASSERT_MEMEQ(got, want, 32);
    ASSERT_OK(arca__hkdf_sha256_expand(prk, NULL, 0, got, 42));
    ASSERT_MEMEQ(got, want, 42);
    /* Misuse. */
    ASSERT_RESULT(arca__hkdf_sha256_expand(prk, NULL, 3, got, 32), ARCA_ERR_INVALID_ARGUMENT);
    ASSERT_RESULT(arca__hkdf_sha256_expand(prk, info, 1, got, 0), ARCA_ERR_INVALID_ARGUMENT);
    ASSERT_RESULT(arca__hkdf_sha256_expand(prk, info, 1, got, 255 * 32 + 1),
                  ARCA_ERR_INVALID_ARGUMENT);
    ASSERT_RESULT(arca__hkdf_sha256_expand(NULL, info, 1, got, 32), ARCA_ERR_INVALID_ARGUMENT);
    ASSERT_EQ(ERR_peek_error(), 0);
}

/* Random inputs of many shapes: our HKDF and expand-only equal OpenSSL's one-shot HKDF. */
static void test_hkdf_matches_openssl(void)
{
    static const size_t lens[] = {1, 12, 31, 32, 33, 63, 64, 65, 200};
    static const size_t in_lens[] = {0, 1, 28, 32, 64, 65, 200};
    uint8_t key[200], salt[200], info[200], want[200], got[200];
    for (int round = 0; round < 40; round++) {
        size_t ikm_len = in_lens[round % 7], salt_len = in_lens[(round / 7) % 7];
        size_t info_len = in_lens[(round * 3) % 7], n = lens[round % 9];
        ASSERT_OK(arca__random(key, sizeof key));
        ASSERT_OK(arca__random(salt, sizeof salt));
        ASSERT_OK(arca__random(info, sizeof info));
        ASSERT_TRUE(
            openssl_hkdf(EVP_KDF_HKDF_MODE_EXPAND_ONLY, key, 32, NULL, 0, info, info_len, want, n));
        ASSERT_OK(arca__hkdf_sha256_expand(key, info, info_len, got, n));
        ASSERT_MEMEQ(got, want, n);
        if (ikm_len == 0)
            continue; /* OpenSSL's HKDF refuses an empty key; RFC 5869 does not (see limits) */
        ASSERT_TRUE(openssl_hkdf(EVP_KDF_HKDF_MODE_EXTRACT_AND_EXPAND, key, ikm_len, salt, salt_len,
                                 info, info_len, want, n));
        ASSERT_OK(arca__hkdf_sha256(salt_len ? salt : NULL, salt_len, key, ikm_len, info, info_len,
                                    got, n));
        ASSERT_MEMEQ(got, want, n);
    }
}

static void test_hkdf_rfc5869(void)
{
    uint8_t ikm[80], salt[80], info[80];

    memset(ikm, 0x0b, 22); /* 1 */
    for (int i = 0; i < 13; i++)
        salt[i] = (uint8_t)i;
    for (int i = 0; i < 10; i++)
        info[i] = (uint8_t)(0xf0 + i);
    check_hkdf(
        ikm, 22, salt, 13, info, 10,
        "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
    for (int i = 0; i < 80; i++) { /* 2 */
        ikm[i] = (uint8_t)i;
        salt[i] = (uint8_t)(0x60 + i);
        info[i] = (uint8_t)(0xb0 + i);
    }
    check_hkdf(
        ikm, 80, salt, 80, info, 80,
        "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c59045a99cac782727"
        "1cb41c65e590e09da3275600c2f09b8367793a9aca3db71cc30c58179ec3e87c14c01d5c1f3434f1d87");
    memset(ikm, 0x0b, 22); /* 3: empty salt and info */
    check_hkdf(
        ikm, 22, NULL, 0, NULL, 0,
        "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8");
}

static void test_hkdf_limits(void)
{
    static uint8_t out[255 * 32 + 1];
    uint8_t a[32], b[32], zero_salt[32] = {0};

    ASSERT_OK(arca__hkdf_sha256(NULL, 0, "k", 1, "i", 1, out, 255 * 32));
    ASSERT_RESULT(arca__hkdf_sha256(NULL, 0, "k", 1, "i", 1, out, 255 * 32 + 1),
                  ARCA_ERR_INVALID_ARGUMENT);
    ASSERT_CONTAINS(arca__error_detail(), "8160");
    ASSERT_RESULT(arca__hkdf_sha256(NULL, 0, "k", 1, "i", 1, out, 0), ARCA_ERR_INVALID_ARGUMENT);
    ASSERT_RESULT(arca__hkdf_sha256(NULL, 3, "k", 1, "i", 1, out, 32), ARCA_ERR_INVALID_ARGUMENT);
    ASSERT_RESULT(arca__hkdf_sha256(NULL, 0, NULL, 1, "i", 1, out, 32), ARCA_ERR_INVALID_ARGUMENT);
    ASSERT_RESULT(arca__hkdf_sha256(NULL, 0, "k", 1, NULL, 1, out, 32), ARCA_ERR_INVALID_ARGUMENT);
    /* No salt is defined as HashLen zero bytes (RFC 5869 section 2.2). */
    ASSERT_OK(arca__hkdf_sha256(NULL, 0, "k", 1, "i", 1, a, 32));
    ASSERT_OK(arca__hkdf_sha256(zero_salt, 32, "k", 1, "i", 1, b, 32));
    ASSERT_MEMEQ(a, b, 32);
    /* Different info gives an unrelated key; an empty IKM still derives. */
    ASSERT_OK(arca__hkdf_sha256(NULL, 0, "k", 1, "j", 1, b, 32));
    ASSERT_TRUE(memcmp(a, b, 32) != 0);
    ASSERT_OK(arca__hkdf_sha256(NULL, 0, NULL, 0, "i", 1, b, 32));
    ASSERT_TRUE(memcmp(a, b, 32) != 0);
    ASSERT_EQ(ERR_peek_error(), 0);
}

/* ---- AES-256-GCM ---- */

struct gcm_vector {
    const char *key, *iv, *aad, *pt, *ct, *tag;
};

/* Test cases 13-16 of McGrew & Viega, "The Galois/Counter Mode of Operation" (the NIST
 * GCM submission), the 256-bit-key cases. 16 has additional data; 13-15 have none. */
static const struct gcm_vector gcm_vectors[] = {
    {"0000000000000000000000000000000000000000000000000000000000000000", "000000000000000000000000",
     "", "", "", "530f8afbc74536b9a963b4f1c4cb738b"},
    {"0000000000000000000000000000000000000000000000000000000000000000", "000000000000000000000000",
     "", "00000000000000000000000000000000", "cea7403d4d606b6e074ec5d3baf39d18",
     "d0d1c8a799996bf0265b98b5d48ab919"},
    {"feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308", "cafebabefacedbaddecaf888",
     "",
     "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6"
     "b525b16aedf5aa0de657ba637b391aafd255",
     "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828"
     "838c5f61e6393ba7a0abcc9f662898015ad",
     "b094dac5d93471bdec1a502270e3cc6c"},
    {"feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308", "cafebabefacedbaddecaf888",
     "feedfacedeadbeeffeedfacedeadbeefabaddad2",
     "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6"
     "b525b16aedf5aa0de657ba637b39",
     "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828"
     "838c5f61e6393ba7a0abcc9f662",
     "76fc6ece0f4e1768cddf8853bb2d551b"},
};

static void test_gcm_vectors(void)
{
    for (size_t v = 0; v < sizeof gcm_vectors / sizeof gcm_vectors[0]; v++) {
        const struct gcm_vector *g = &gcm_vectors[v];
        uint8_t key[32], iv[12], aad[64], pt[64], ct[64], tag[16];
        uint8_t out[64], out_tag[16], back[64];
        unhex(g->key, key, 32);
        unhex(g->iv, iv, 12);
        size_t aad_len = unhex(g->aad, aad, sizeof aad);
        size_t len = unhex(g->pt, pt, sizeof pt);
        ASSERT_EQ(unhex(g->ct, ct, sizeof ct), len);
        unhex(g->tag, tag, 16);

        ASSERT_OK(arca__aes256gcm_encrypt(key, iv, aad_len ? aad : NULL, aad_len, len ? pt : NULL,
                                          len, len ? out : NULL, out_tag));
        ASSERT_MEMEQ(out, ct, len);
        ASSERT_MEMEQ(out_tag, tag, 16);
        ASSERT_OK(arca__aes256gcm_decrypt(key, iv, aad_len ? aad : NULL, aad_len, len ? ct : NULL,
                                          len, tag, len ? back : NULL));
        ASSERT_MEMEQ(back, pt, len);
    }
}

static int all_zero(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i])
            return 0;
    return 1;
}

/* Every single flipped bit of ciphertext, tag, AAD or IV must fail with ARCA_ERR_UNSEAL,
 * leave the plaintext buffer wiped, and leave OpenSSL's error queue empty. */
static void test_gcm_every_bit_flip(void)
{
    const struct gcm_vector *g = &gcm_vectors[3];
    uint8_t key[32], iv[12], aad[20], ct[60], tag[16], out[60];
    unhex(g->key, key, 32);
    unhex(g->iv, iv, 12);
    unhex(g->aad, aad, 20);
    unhex(g->ct, ct, 60);
    unhex(g->tag, tag, 16);

    struct {
        uint8_t *buf;
        size_t len;
    } parts[] = {{ct, sizeof ct}, {tag, sizeof tag}, {aad, sizeof aad}, {iv, sizeof iv}};
    int failures = 0;
    for (size_t p = 0; p < 4; p++) {
        for (size_t bit = 0; bit < parts[p].len * 8; bit++) {
            parts[p].buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
            memset(out, 0xee, sizeof out);
            arca_result_t r =
                arca__aes256gcm_decrypt(key, iv, aad, sizeof aad, ct, sizeof ct, tag, out);
            if (r != ARCA_ERR_UNSEAL || !all_zero(out, sizeof out) || ERR_peek_error() != 0)
                failures++;
            parts[p].buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        }
    }
    ASSERT_EQ(failures, 0);
    ASSERT_CONTAINS(arca__error_detail(), "tag does not match");
    /* Sanity: untouched inputs still decrypt, and a wrong key or missing AAD fail. */
    ASSERT_OK(arca__aes256gcm_decrypt(key, iv, aad, sizeof aad, ct, sizeof ct, tag, out));
    ASSERT_RESULT(arca__aes256gcm_decrypt(key, iv, NULL, 0, ct, sizeof ct, tag, out),
                  ARCA_ERR_UNSEAL);
    ASSERT_RESULT(arca__aes256gcm_decrypt(key, iv, aad, sizeof aad - 1, ct, sizeof ct, tag, out),
                  ARCA_ERR_UNSEAL);
    ASSERT_RESULT(arca__aes256gcm_decrypt(key, iv, aad, sizeof aad, ct, sizeof ct - 1, tag, out),
                  ARCA_ERR_UNSEAL);
    key[31] ^= 0x80;
    ASSERT_RESULT(arca__aes256gcm_decrypt(key, iv, aad, sizeof aad, ct, sizeof ct, tag, out),
                  ARCA_ERR_UNSEAL);
    ASSERT_TRUE(all_zero(out, sizeof out));
}

static void test_gcm_round_trip_in_place(void)
{
    uint8_t key[32], iv[12], tag[16];
    size_t n = 100000 + 13;
    uint8_t *orig = malloc(n), *buf = malloc(n);
    ASSERT_TRUE(orig && buf);
    arca_result_t r = arca__random(key, sizeof key);
    if (r == ARCA_OK)
        r = arca__random(iv, sizeof iv);
    if (r == ARCA_OK)
        r = arca__random(orig, n);
    memcpy(buf, orig, n);
    /* Encrypting and decrypting in place (ciphertext == plaintext buffer) is supported. */
    if (r == ARCA_OK)
        r = arca__aes256gcm_encrypt(key, iv, "hdr", 3, buf, n, buf, tag);
    int changed = r == ARCA_OK && memcmp(buf, orig, n) != 0;
    if (r == ARCA_OK)
        r = arca__aes256gcm_decrypt(key, iv, "hdr", 3, buf, n, tag, buf);
    int same = memcmp(buf, orig, n) == 0;
    free(orig);
    free(buf);
    ASSERT_OK(r);
    ASSERT_TRUE(changed);
    ASSERT_TRUE(same);
}

static void test_gcm_bad_arguments(void)
{
    uint8_t key[32] = {0}, iv[12] = {0}, tag[16] = {0}, buf[16] = {0};

    ASSERT_RESULT(arca__aes256gcm_encrypt(key, iv, NULL, 5, buf, 16, buf, tag),
                  ARCA_ERR_INVALID_ARGUMENT);
    ASSERT_RESULT(arca__aes256gcm_encrypt(key, iv, NULL, 0, NULL, 16, buf, tag),
                  ARCA_ERR_INVALID_ARGUMENT);
    ASSERT_RESULT(arca__aes256gcm_encrypt(key, iv, NULL, 0, buf, 16, NULL, tag),
                  ARCA_ERR_INVALID_ARGUMENT);
    ASSERT_RESULT(arca__aes256gcm_decrypt(key, iv, NULL, 0, buf, 16, tag, NULL),
                  ARCA_ERR_INVALID_ARGUMENT);
    ASSERT_RESULT(arca__aes256gcm_decrypt(key, iv, NULL, 0, NULL, 16, tag, buf),
                  ARCA_ERR_INVALID_ARGUMENT);
    /* Hostile lengths beyond GCM's message limit are refused before touching memory. */
    ASSERT_RESULT(arca__aes256gcm_encrypt(key, iv, NULL, 0, buf, SIZE_MAX, buf, tag),
                  ARCA_ERR_OVERFLOW);
    ASSERT_RESULT(arca__aes256gcm_decrypt(key, iv, NULL, 0, buf, SIZE_MAX, tag, buf),
                  ARCA_ERR_OVERFLOW);
    ASSERT_EQ(ERR_peek_error(), 0);
}

/* ---- randomness, comparison, wiping ---- */

static void test_random(void)
{
    uint8_t a[32] = {0}, b[32] = {0};
    ASSERT_OK(arca__random(a, sizeof a));
    ASSERT_OK(arca__random(b, sizeof b));
    ASSERT_TRUE(!all_zero(a, sizeof a));
    ASSERT_TRUE(memcmp(a, b, sizeof a) != 0);
    ASSERT_OK(arca__random(NULL, 0));
    ASSERT_RESULT(arca__random(NULL, 1), ARCA_ERR_INVALID_ARGUMENT);
}

static void test_ct_equal_and_wipe(void)
{
    uint8_t a[64], b[64];
    for (int i = 0; i < 64; i++)
        a[i] = b[i] = (uint8_t)(i * 7 + 1);
    ASSERT_TRUE(arca__ct_equal(a, b, 64));
    ASSERT_TRUE(arca__ct_equal(a, b, 0));
    ASSERT_TRUE(arca__ct_equal(NULL, NULL, 0));
    for (int i = 0; i < 64; i++) {
        b[i] ^= 1;
        ASSERT_TRUE(!arca__ct_equal(a, b, 64));
        b[i] ^= 1;
    }
    b[63] ^= 0x80;
    ASSERT_TRUE(arca__ct_equal(a, b, 63));
    arca__wipe(a, 10);
    ASSERT_TRUE(all_zero(a, 10));
    ASSERT_EQ(a[10], 10 * 7 + 1);
    arca__wipe(NULL, 0);
    arca__wipe(a, 0);
    ASSERT_EQ(a[10], 10 * 7 + 1);
}

/* The one hex codec (base/hex.c): round trip, both cases, and every rejection, with the
 * output buffer never written past its capacity. */
static void test_hex_codec(void)
{
    uint8_t out[5] = {0xEE, 0xEE, 0xEE, 0xEE, 0xEE};
    char text[2 * 256 + 1];
    uint8_t all[256], back[256];
    size_t n = 99;

    ASSERT_OK(arca__hex_decode("00fFa5", 6, out, 4, &n));
    ASSERT_UEQ(n, 3);
    ASSERT_MEMEQ(out, "\x00\xff\xa5\xee\xee", 5);
    ASSERT_OK(arca__hex_decode("0102030405", 8, out, 4, &n)); /* only len characters are read */
    ASSERT_UEQ(n, 4);
    ASSERT_OK(arca__hex_decode("", 0, NULL, 0, &n));
    ASSERT_UEQ(n, 0);

    n = 99;
    ASSERT_RESULT(arca__hex_decode("abc", 3, out, 4, &n), ARCA_ERR_INVALID_ARGUMENT); /* odd */
    ASSERT_RESULT(arca__hex_decode("0g", 2, out, 4, &n), ARCA_ERR_INVALID_ARGUMENT);
    ASSERT_RESULT(arca__hex_decode("g0", 2, out, 4, &n), ARCA_ERR_INVALID_ARGUMENT);
    ASSERT_RESULT(arca__hex_decode("0x", 2, out, 4, &n), ARCA_ERR_INVALID_ARGUMENT);
    ASSERT_RESULT(arca__hex_decode(" 1", 2, out, 4, &n), ARCA_ERR_INVALID_ARGUMENT);
    ASSERT_RESULT(arca__hex_decode("0\0", 2, out, 4, &n), ARCA_ERR_INVALID_ARGUMENT);
    out[4] = 0xEE;
    ASSERT_RESULT(arca__hex_decode("0102030405", 10, out, 4, &n), ARCA_ERR_INVALID_ARGUMENT);
    ASSERT_UEQ(out[4], 0xEE); /* too long: refused before anything is written */
    ASSERT_UEQ(n, 99);        /* and *out_len is never written on failure */
    ASSERT_RESULT(arca__hex_decode("00", 2, out, 1, NULL), ARCA_ERR_INVALID_ARGUMENT);

    for (int i = 0; i < 256; i++)
        all[i] = (uint8_t)i;
    arca__hex_encode(all, 256, text);
    ASSERT_UEQ(strlen(text), 512);
    ASSERT_TRUE(!strncmp(text, "000102", 6) && !strcmp(text + 506, "fdfeff"));
    ASSERT_OK(arca__hex_decode(text, strlen(text), back, sizeof back, &n));
    ASSERT_UEQ(n, 256);
    ASSERT_MEMEQ(back, all, 256);
    arca__hex_encode(all, 0, text);
    ASSERT_STREQ(text, "");
}

int main(void)
{
    RUN(test_concurrent_first_use); /* first: it is the first use of the algorithm cache */
    RUN(test_sha256_fips180_2);
    RUN(test_sha256_misuse);
    RUN(test_hmac_rfc4231);
    RUN(test_hmac_edges);
    RUN(test_hkdf_rfc5869);
    RUN(test_hkdf_limits);
    RUN(test_hkdf_expand_rfc5869);
    RUN(test_hkdf_matches_openssl);
    RUN(test_sha256_chain);
    RUN(test_gcm_vectors);
    RUN(test_gcm_every_bit_flip);
    RUN(test_gcm_round_trip_in_place);
    RUN(test_gcm_bad_arguments);
    RUN(test_random);
    RUN(test_ct_equal_and_wipe);
    RUN(test_hex_codec);
    return TEST_SUMMARY();
}
