/*
 * test_ec_pkcs8.c — the key loading the dev platform relies on: arca__ec_from_pkcs8_pem (a
 * PKCS#8 P-256 key completed with a given public key, leaving no copy of the private scalar in
 * this process's memory once the key is freed), arca__ec_check_pair, arca__ec_spki_hash and
 * arca__crypto_init. Every refusal has its own case: wrong PEM label, bad base64, trailing
 * bytes, another algorithm or curve, a malformed ECPrivateKey, an out-of-range scalar, NULL
 * arguments; each also checks OpenSSL's error queue is left empty.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>

#include "attest/memscan.h"
#include "base/error.h"
#include "crypto/crypto.h"
#include "hex.h"
#include "test.h"

/* RFC 6979 A.2.5: the P-256 private key x as PKCS#8 PEM (made once, offline, from x; the
 * scalar itself appears nowhere in writable memory of this test), and its public key as SPKI. */
static const char rfc_pkcs8_pem[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MEECAQAwEwYHKoZIzj0CAQYIKoZIzj0DAQcEJzAlAgEBBCDJr6nYRbp1FmtcIVdn\n"
    "sdaTTlDD2zbomxJ7imIrEg9nIQ==\n"
    "-----END PRIVATE KEY-----\n";
static const char rfc_x_hex[] = "c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721";
static const char rfc_spki_hex[] =
    "3059301306072a8648ce3d020106082a8648ce3d03010703420004"
    "60fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb6"
    "7903fe1008b8bc99a41ae9e95628bc64f2f1b20c2d7e9f5177a3c294d4462299";

static arca__ec_key *rfc_public(void)
{
    uint8_t der[128];
    arca__ec_key *key = NULL;
    size_t n = unhex(rfc_spki_hex, der, sizeof der);
    return arca__ec_from_public_der(der, n, &key) == ARCA_OK ? key : NULL;
}

static int hexval(char c)
{
    return c <= '9' ? c - '0' : c - 'a' + 10;
}

/* ---- PKCS#8 made here: DER by hand, then PEM ---- */

/* PrivateKeyInfo { 0, { ecPublicKey, prime256v1 }, OCTET STRING { ECPrivateKey } } with a
 * chosen ECPrivateKey body (after its SEQUENCE header) and algorithm OIDs. Returns its length. */
static size_t pkcs8_der(uint8_t *out, const uint8_t *alg, size_t alg_len, const uint8_t *ec,
                        size_t ec_len)
{
    size_t n = 0, body = 3 + alg_len + 2 + 2 + ec_len;
    out[n++] = 0x30, out[n++] = (uint8_t)body;
    out[n++] = 0x02, out[n++] = 0x01, out[n++] = 0x00;
    memcpy(out + n, alg, alg_len), n += alg_len;
    out[n++] = 0x04, out[n++] = (uint8_t)(2 + ec_len);
    out[n++] = 0x30, out[n++] = (uint8_t)ec_len;
    memcpy(out + n, ec, ec_len), n += ec_len;
    return n;
}

static const uint8_t alg_p256[] = {0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01,
                                   0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07};
/* secp384r1 (1.3.132.0.34) instead of prime256v1 */
static const uint8_t alg_p384[] = {0x30, 0x10, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d,
                                   0x02, 0x01, 0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22};
/* id-ecPublicKey's last arc changed: 1.2.840.10045.2.2, no EC key */
static const uint8_t alg_other[] = {0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48,
                                    0xce, 0x3d, 0x02, 0x02, 0x06, 0x08, 0x2a,
                                    0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07};

/* ECPrivateKey body: INTEGER version, OCTET STRING of scalar_len bytes of value fill. */
static size_t ec_body(uint8_t *out, int version, uint8_t scalar_tag, size_t scalar_len,
                      uint8_t fill)
{
    size_t n = 0;
    out[n++] = 0x02, out[n++] = 0x01, out[n++] = (uint8_t)version;
    out[n++] = scalar_tag, out[n++] = (uint8_t)scalar_len;
    memset(out + n, fill, scalar_len);
    return n + scalar_len;
}

static void base64(const uint8_t *in, size_t len, char *out)
{
    static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t o = 0;
    for (size_t i = 0; i < len; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16 | (i + 1 < len ? (uint32_t)in[i + 1] << 8 : 0) |
                     (i + 2 < len ? in[i + 2] : 0);
        out[o++] = abc[v >> 18 & 63];
        out[o++] = abc[v >> 12 & 63];
        out[o++] = i + 1 < len ? abc[v >> 6 & 63] : '=';
        out[o++] = i + 2 < len ? abc[v & 63] : '=';
        if (o % 65 == 64)
            out[o++] = '\n';
    }
    out[o] = '\0';
}

static size_t pem(const char *label, const uint8_t *der, size_t len, char *out, size_t cap)
{
    char b64[1024];
    base64(der, len, b64);
    int n = snprintf(out, cap, "-----BEGIN %s-----\n%s\n-----END %s-----\n", label, b64, label);
    return n > 0 && (size_t)n < cap ? (size_t)n : 0;
}

/* Load @p text with the RFC key's public half; returns the result, frees any key. */
static arca_result_t load(const char *text, size_t len)
{
    arca__ec_key *pub = rfc_public(), *key = (arca__ec_key *)1;
    arca_result_t r =
        pub ? arca__ec_from_pkcs8_pem(text, len, "test key", pub, &key) : ARCA_ERR_INTERNAL;
    if (r != ARCA_OK && key != NULL)
        r = ARCA_ERR_INTERNAL; /* a failure must leave *out NULL */
    arca__ec_free(r == ARCA_OK ? key : NULL);
    arca__ec_free(pub);
    return r;
}

/* ---- tests ---- */

/* The property the dev platform needs: once the key is freed, its scalar is nowhere in this
 * process's writable memory (not in freed heap blocks, not on the stack). */
static void test_pkcs8_leaves_no_copy_of_the_scalar(void)
{
    masked_secret secret;
    uint8_t sig[ARCA_ECDSA_SIG_SIZE];
    arca__ec_key *pub = rfc_public(), *key = NULL;
    char *text = strdup(rfc_pkcs8_pem);
    ASSERT_TRUE(pub != NULL && text != NULL);
    ASSERT_OK(arca__random(secret.mask, sizeof secret.mask));
    for (int i = 0; i < 32; i++) /* one byte of the scalar at a time, never all of it */
        secret.masked[i] = (uint8_t)(secret.mask[i] ^ (hexval(rfc_x_hex[2 * i]) << 4 |
                                                       hexval(rfc_x_hex[2 * i + 1])));
    ASSERT_EQ(memscan_count(&secret), 0);

    ASSERT_OK(arca__ec_from_pkcs8_pem(text, strlen(text), "RFC 6979 key", pub, &key));
    ASSERT_OK(arca__ec_check_pair(key));
    ASSERT_OK(arca__ec_sign(key, "sample", 6, sig));
    ASSERT_OK(arca__ec_verify(pub, "sample", 6, sig));
    /* Control: the scan finds the scalar while the key holds it. */
    size_t loaded = memscan_count(&secret);
    ASSERT_TRUE(loaded >= 1 && loaded != (size_t)-1);
    arca__ec_free(key);
    ASSERT_EQ(memscan_count(&secret), 0);
    arca__ec_free(pub);
    free(text);
    ASSERT_EQ(ERR_peek_error(), 0);
}

static void test_pkcs8_round_trip_with_a_saved_key(void)
{
    char dir[128], path[256];
    uint8_t der[ARCA_EC_PUBKEY_DER_MAX], sig[ARCA_ECDSA_SIG_SIZE];
    size_t der_len = 0, len = 0;
    arca__ec_key *key = NULL, *pub = NULL, *loaded = NULL;
    ASSERT_TRUE(test_make_scratch_dir(dir, sizeof dir, "pkcs8"));
    snprintf(path, sizeof path, "%s/key.pem", dir);
    ASSERT_OK(arca__ec_generate(&key));
    ASSERT_OK(arca__ec_save_private_pem_file(key, path)); /* PKCS#8, as the dev platform saves */
    ASSERT_OK(arca__ec_public_der(key, der, sizeof der, &der_len));
    ASSERT_OK(arca__ec_from_public_der(der, der_len, &pub));
    FILE *f = fopen(path, "r");
    ASSERT_TRUE(f != NULL);
    char text[4096];
    len = fread(text, 1, sizeof text, f);
    fclose(f);
    ASSERT_TRUE(len > 100);
    ASSERT_OK(arca__ec_from_pkcs8_pem(text, len, path, pub, &loaded));
    ASSERT_OK(arca__ec_check_pair(loaded));
    ASSERT_OK(arca__ec_sign(loaded, "message", 7, sig));
    ASSERT_OK(arca__ec_verify(key, "message", 7, sig));
    arca__wipe(text, sizeof text);
    arca__ec_free(loaded);
    arca__ec_free(pub);
    arca__ec_free(key);
    test_remove_scratch_dir(dir);
    ASSERT_EQ(ERR_peek_error(), 0);
}

/* A PKCS#8 key made here, each field chosen by a case. */
struct made_key {
    const char *label; /* PEM label */
    const uint8_t *alg;
    size_t alg_len;
    int version;          /* ECPrivateKey version */
    uint8_t scalar_tag;   /* 0x04, OCTET STRING */
    size_t scalar_len;    /* 32 */
    uint8_t fill;         /* every byte of the scalar */
    int extra;            /* > 0: bytes after the DER; < 0: bytes cut from its end */
    int set_not_sequence; /* the ECPrivateKey's SEQUENCE tag becomes a SET */
    const char *refusal;  /* NULL: loads; else a part of the detail */
};

static void expect(const struct made_key *k)
{
    uint8_t der[256], ec[96];
    char text[2048];
    size_t n = pkcs8_der(der, k->alg, k->alg_len, ec,
                         ec_body(ec, k->version, k->scalar_tag, k->scalar_len, k->fill));
    if (k->set_not_sequence)
        der[k->alg_len + 7] = 0x31;
    if (k->extra > 0)
        memset(der + n, 0, (size_t)k->extra);
    n = (size_t)((long)n + k->extra);
    size_t t = pem(k->label, der, n, text, sizeof text);
    ASSERT_TRUE(t > 0);
    if (!k->refusal) {
        ASSERT_OK(load(text, t));
    } else {
        ASSERT_RESULT(load(text, t), ARCA_ERR_KEY);
        ASSERT_CONTAINS(arca__error_detail(), k->refusal);
    }
    ASSERT_EQ(ERR_peek_error(), 0);
}

static void test_pkcs8_refusals(void)
{
#define P256 "PRIVATE KEY", alg_p256, sizeof alg_p256
    const struct made_key cases[] = {
        /* The well-formed key loads, so each case below fails for its one change. */
        {P256, 1, 0x04, 32, 0x11, 0, 0, NULL},
        {"EC PRIVATE KEY", alg_p256, sizeof alg_p256, 1, 0x04, 32, 0x11, 0, 0, /* SEC1's label */
         "is not a PKCS#8 PEM private key ('BEGIN PRIVATE KEY')"},
        {"ENCRYPTED PRIVATE KEY", alg_p256, sizeof alg_p256, 1, 0x04, 32, 0x11, 0, 0,
         "is not a PKCS#8 PEM private key"},
        {P256, 1, 0x04, 32, 0x11, 1, 0, "is not a PKCS#8 private key"},  /* a byte after it */
        {P256, 1, 0x04, 32, 0x11, -5, 0, "is not a PKCS#8 private key"}, /* truncated */
        {"PRIVATE KEY", alg_p384, sizeof alg_p384, 1, 0x04, 32, 0x11, 0, 0,
         "is not a P-256 private key"},
        {"PRIVATE KEY", alg_other, sizeof alg_other, 1, 0x04, 32, 0x11, 0, 0,
         "is not a P-256 private key"},
        /* A malformed ECPrivateKey: version 2, the scalar as an INTEGER, 33 bytes, none, a SET. */
        {P256, 2, 0x04, 32, 0x11, 0, 0, "holds a malformed EC private key"},
        {P256, 1, 0x02, 32, 0x11, 0, 0, "holds a malformed EC private key"},
        {P256, 1, 0x04, 33, 0x11, 0, 0, "holds a malformed EC private key"},
        {P256, 1, 0x04, 0, 0x11, 0, 0, "holds a malformed EC private key"},
        {P256, 1, 0x04, 32, 0x11, 0, 1, "holds a malformed EC private key"},
        /* Scalars that are no P-256 private key: 0, and above the group order. */
        {P256, 1, 0x04, 32, 0x00, 0, 0, "is not a usable P-256 key"},
        {P256, 1, 0x04, 32, 0xff, 0, 0, "is not a usable P-256 key"},
    };
#undef P256
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        expect(&cases[i]);
        if (test__current_failed) {
            fprintf(stderr, "  (in case %zu of test_pkcs8_refusals)\n", i);
            return;
        }
    }
    ASSERT_RESULT(load("", 0), ARCA_ERR_KEY);
    ASSERT_CONTAINS(arca__error_detail(), "test key is empty");
    ASSERT_RESULT(load("no PEM here\n", 12), ARCA_ERR_KEY);
    ASSERT_CONTAINS(arca__error_detail(), "is not a PKCS#8 PEM private key");
    ASSERT_RESULT(load("-----BEGIN PRIVATE KEY-----\ngarbage\n-----END PRIVATE KEY-----\n", 62),
                  ARCA_ERR_KEY);
    ASSERT_EQ(ERR_peek_error(), 0);
}

static void test_pkcs8_null_arguments(void)
{
    arca__ec_key *pub = rfc_public(), *key = (arca__ec_key *)1;
    ASSERT_TRUE(pub != NULL);
    const size_t len = strlen(rfc_pkcs8_pem);
    ASSERT_RESULT(arca__ec_from_pkcs8_pem(rfc_pkcs8_pem, len, "k", pub, NULL),
                  ARCA_ERR_INVALID_ARGUMENT);
    ASSERT_RESULT(arca__ec_from_pkcs8_pem(NULL, 10, "k", pub, &key), ARCA_ERR_INVALID_ARGUMENT);
    ASSERT_TRUE(key == NULL);
    ASSERT_RESULT(arca__ec_from_pkcs8_pem(rfc_pkcs8_pem, len, NULL, pub, &key),
                  ARCA_ERR_INVALID_ARGUMENT);
    ASSERT_RESULT(arca__ec_from_pkcs8_pem(rfc_pkcs8_pem, len, "k", NULL, &key),
                  ARCA_ERR_INVALID_ARGUMENT);
    ASSERT_TRUE(key == NULL);
    arca__ec_free(pub);
}

/* The key file and the public key may come from different places (a key directory's key and
 * certificate files): the pair check is what tells they do not belong together. */
static void test_check_pair(void)
{
    char text[2048];
    uint8_t der[ARCA_EC_PUBKEY_DER_MAX];
    size_t len = 0;
    arca__ec_key *other = NULL, *other_pub = NULL, *mixed = NULL, *pub = rfc_public();
    ASSERT_TRUE(pub != NULL);
    ASSERT_OK(arca__ec_generate(&other));
    ASSERT_OK(arca__ec_check_pair(other));
    ASSERT_OK(arca__ec_public_der(other, der, sizeof der, &len));
    ASSERT_OK(arca__ec_from_public_der(der, len, &other_pub));
    /* The RFC key's scalar with another key's public point loads, and fails the check. */
    snprintf(text, sizeof text, "%s", rfc_pkcs8_pem);
    ASSERT_OK(arca__ec_from_pkcs8_pem(text, strlen(text), "k", other_pub, &mixed));
    ASSERT_RESULT(arca__ec_check_pair(mixed), ARCA_ERR_KEY);
    ASSERT_CONTAINS(arca__error_detail(), "does not belong to the public key");
    /* A public key alone has no pair to check. */
    ASSERT_RESULT(arca__ec_check_pair(pub), ARCA_ERR_KEY);
    ASSERT_RESULT(arca__ec_check_pair(NULL), ARCA_ERR_INVALID_ARGUMENT);
    ASSERT_EQ(ERR_peek_error(), 0);
    arca__ec_free(mixed);
    arca__ec_free(other_pub);
    arca__ec_free(other);
    arca__ec_free(pub);
    arca__wipe(text, sizeof text);
}

static void test_spki_hash(void)
{
    uint8_t der[128], want[32], got[32];
    size_t n = unhex(rfc_spki_hex, der, sizeof der);
    arca__ec_key *pub = rfc_public();
    ASSERT_TRUE(pub != NULL);
    ASSERT_OK(arca__sha256(der, n, want));
    ASSERT_OK(arca__ec_spki_hash(pub, got));
    ASSERT_MEMEQ(got, want, 32);
    ASSERT_RESULT(arca__ec_spki_hash(NULL, got), ARCA_ERR_INVALID_ARGUMENT);
    ASSERT_RESULT(arca__ec_spki_hash(pub, NULL), ARCA_ERR_INVALID_ARGUMENT);
    arca__ec_free(pub);
}

/* Start-up may run more than once; it has no failure this test can provoke short of taking
 * the entropy source away. */
static void test_crypto_init(void)
{
    uint8_t a[16], b[16];
    ASSERT_OK(arca__crypto_init());
    ASSERT_OK(arca__crypto_init());
    ASSERT_OK(arca__random(a, sizeof a));
    ASSERT_OK(arca__random(b, sizeof b));
    ASSERT_TRUE(memcmp(a, b, sizeof a) != 0);
    ASSERT_EQ(ERR_peek_error(), 0);
}

int main(void)
{
    RUN(test_pkcs8_leaves_no_copy_of_the_scalar); /* first: before any other key is loaded */
    RUN(test_pkcs8_round_trip_with_a_saved_key);
    RUN(test_pkcs8_refusals);
    RUN(test_pkcs8_null_arguments);
    RUN(test_check_pair);
    RUN(test_spki_hash);
    RUN(test_crypto_init);
    return TEST_SUMMARY();
}
