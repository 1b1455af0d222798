/*
 * test_ecdsa.c — ECDSA P-256 wrappers: the RFC 6979 A.2.5 (P-256, SHA-256) verify vectors,
 * every single-bit change of a signature or message, out-of-range r and s, sign/verify
 * round trips, SPKI DER export/import with hostile inputs, PEM save/load (mode 0600, no
 * overwrite, SEC1 and PKCS#8, encrypted keys refused without prompting) and rejection of
 * other curves and key types. Every failure also checks OpenSSL's error queue is empty.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "crypto/crypto.h"
#include "base/error.h"
#include "hex.h"
#include "test.h"

/* RFC 6979 A.2.5: the P-256 key (Ux, Uy) as SubjectPublicKeyInfo DER, and SHA-256 signatures. */
static const char rfc6979_spki[] =
    "3059301306072a8648ce3d020106082a8648ce3d03010703420004"
    "60fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb6"
    "7903fe1008b8bc99a41ae9e95628bc64f2f1b20c2d7e9f5177a3c294d4462299";
static const char sig_sample[] = "efd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716"
                                 "f7cb1c942d657c41d436c7a1b6e29f65f3e900dbb9aff4064dc4ab2f843acda8";
static const char sig_test[] = "f1abb023518351cd71d881567b1ea663ed3efcf6c5132b354f28d3b0b7d38367"
                               "019f4113742a2b14bd25926b49c649155f267e60d3814b4c0cc84250e46f0083";
static const char p256_n[] = "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551";

static char tmpdir[256];

static arca__ec_key *rfc_key(void)
{
    uint8_t der[128];
    arca__ec_key *key = NULL;
    size_t n = unhex(rfc6979_spki, der, sizeof der);
    if (arca__ec_from_public_der(der, n, &key) != ARCA_OK)
        return NULL;
    return key;
}

static void test_rfc6979_vectors_verify(void)
{
    uint8_t sig[64];
    arca__ec_key *key = rfc_key();
    ASSERT_TRUE(key != NULL);

    unhex(sig_sample, sig, 64);
    arca_result_t r1 = arca__ec_verify(key, "sample", 6, sig);
    arca_result_t r2 = arca__ec_verify(key, "test", 4, sig); /* right key, wrong message */
    unhex(sig_test, sig, 64);
    arca_result_t r3 = arca__ec_verify(key, "test", 4, sig);
    arca__ec_free(key);
    ASSERT_OK(r1);
    ASSERT_RESULT(r2, ARCA_ERR_BAD_SIGNATURE);
    ASSERT_OK(r3);
    ASSERT_EQ(ERR_peek_error(), 0);
}

static void test_rfc6979_every_bit_flip_fails(void)
{
    uint8_t sig[64];
    char msg[] = "sample";
    int bad = 0;
    arca__ec_key *key = rfc_key();
    ASSERT_TRUE(key != NULL);
    unhex(sig_sample, sig, 64);

    for (int bit = 0; bit < 64 * 8; bit++) {
        sig[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        if (arca__ec_verify(key, msg, 6, sig) != ARCA_ERR_BAD_SIGNATURE || ERR_peek_error() != 0)
            bad++;
        sig[bit / 8] ^= (uint8_t)(1u << (bit % 8));
    }
    for (int bit = 0; bit < 6 * 8; bit++) {
        msg[bit / 8] ^= (char)(1u << (bit % 8));
        if (arca__ec_verify(key, msg, 6, sig) != ARCA_ERR_BAD_SIGNATURE || ERR_peek_error() != 0)
            bad++;
        msg[bit / 8] ^= (char)(1u << (bit % 8));
    }
    arca_result_t still_ok = arca__ec_verify(key, msg, 6, sig);
    arca__ec_free(key);
    ASSERT_EQ(bad, 0);
    ASSERT_OK(still_ok);
}

static void test_out_of_range_r_s(void)
{
    uint8_t good[64], sig[64], n[32];
    int bad = 0;
    arca__ec_key *key = rfc_key();
    ASSERT_TRUE(key != NULL);
    unhex(sig_sample, good, 64);
    unhex(p256_n, n, 32);

    /* r = 0, s = 0, r = n, s = n, r = s = 2^256 - 1, all zero: rejected, never a crash. */
    memcpy(sig, good, 64);
    memset(sig, 0, 32);
    bad += arca__ec_verify(key, "sample", 6, sig) != ARCA_ERR_BAD_SIGNATURE;
    memcpy(sig, good, 64);
    memset(sig + 32, 0, 32);
    bad += arca__ec_verify(key, "sample", 6, sig) != ARCA_ERR_BAD_SIGNATURE;
    memcpy(sig, good, 64);
    memcpy(sig, n, 32);
    bad += arca__ec_verify(key, "sample", 6, sig) != ARCA_ERR_BAD_SIGNATURE;
    memcpy(sig, good, 64);
    memcpy(sig + 32, n, 32);
    bad += arca__ec_verify(key, "sample", 6, sig) != ARCA_ERR_BAD_SIGNATURE;
    memset(sig, 0xff, 64);
    bad += arca__ec_verify(key, "sample", 6, sig) != ARCA_ERR_BAD_SIGNATURE;
    memset(sig, 0, 64);
    bad += arca__ec_verify(key, "sample", 6, sig) != ARCA_ERR_BAD_SIGNATURE;
    ASSERT_CONTAINS(arca__error_detail(), "group order");
    arca__ec_free(key);
    ASSERT_EQ(bad, 0);
    ASSERT_EQ(ERR_peek_error(), 0);
}

static void test_sign_verify_round_trip(void)
{
    arca__ec_key *a = NULL, *b = NULL, *pub = NULL;
    uint8_t s1[64], s2[64], der[128];
    size_t der_len = 0;
    arca_result_t r;
    int ok = 1;

    ASSERT_OK(arca__ec_generate(&a));
    r = arca__ec_generate(&b);
    if (r == ARCA_OK)
        r = arca__ec_sign(a, "message", 7, s1);
    if (r == ARCA_OK)
        r = arca__ec_sign(a, "message", 7, s2);
    ok &= r == ARCA_OK;
    ok &= memcmp(s1, s2, 64) != 0; /* randomised nonces */
    ok &= arca__ec_verify(a, "message", 7, s1) == ARCA_OK;
    ok &= arca__ec_verify(a, "message", 7, s2) == ARCA_OK;
    ok &= arca__ec_verify(a, "messagf", 7, s1) == ARCA_ERR_BAD_SIGNATURE;
    ok &= arca__ec_verify(b, "message", 7, s1) == ARCA_ERR_BAD_SIGNATURE;
    /* Empty messages are signable. */
    ok &= arca__ec_sign(a, NULL, 0, s1) == ARCA_OK;
    ok &= arca__ec_verify(a, "", 0, s1) == ARCA_OK;
    /* The public half verifies but cannot sign; the failed signature is zeroed. */
    ok &= arca__ec_public_der(a, der, sizeof der, &der_len) == ARCA_OK;
    ok &= arca__ec_from_public_der(der, der_len, &pub) == ARCA_OK;
    ok &= arca__ec_verify(pub, "message", 7, s2) == ARCA_OK;
    memset(s1, 0xaa, 64);
    r = arca__ec_sign(pub, "message", 7, s1);
    arca__ec_free(a);
    arca__ec_free(b);
    arca__ec_free(pub);
    ASSERT_TRUE(ok);
    ASSERT_RESULT(r, ARCA_ERR_KEY);
    for (int i = 0; i < 64; i++)
        ASSERT_EQ(s1[i], 0);
    ASSERT_EQ(ERR_peek_error(), 0);
}

/* One key signing from several threads at once (its prepared signing context is shared). */
struct sign_job {
    arca__ec_key *key;
    int failures;
};

static void *sign_many(void *arg)
{
    struct sign_job *job = arg;
    uint8_t msg[40], sig[64];
    for (int i = 0; i < 40; i++) {
        memset(msg, i, sizeof msg);
        if (arca__ec_sign(job->key, msg, sizeof msg, sig) != ARCA_OK ||
            arca__ec_verify(job->key, msg, sizeof msg, sig) != ARCA_OK)
            job->failures++;
    }
    return NULL;
}

static void test_concurrent_signing(void)
{
    enum { THREADS = 4 };
    arca__ec_key *key = NULL;
    pthread_t t[THREADS];
    struct sign_job jobs[THREADS];
    int started = 0, failures = 0;
    ASSERT_OK(arca__ec_generate(&key));
    for (int i = 0; i < THREADS; i++) {
        jobs[i] = (struct sign_job){key, 0};
        if (pthread_create(&t[i], NULL, sign_many, &jobs[i]) == 0)
            started++;
    }
    for (int i = 0; i < started; i++) {
        pthread_join(t[i], NULL);
        failures += jobs[i].failures;
    }
    arca__ec_free(key);
    ASSERT_EQ(started, THREADS);
    ASSERT_EQ(failures, 0);
    ASSERT_EQ(ERR_peek_error(), 0);
}

static void test_spki_der_round_trip(void)
{
    uint8_t want[128], got[128];
    size_t n = unhex(rfc6979_spki, want, sizeof want), len = 0;
    arca__ec_key *key = rfc_key();
    ASSERT_TRUE(key != NULL);

    arca_result_t r1 = arca__ec_public_der(key, got, sizeof got, &len);
    size_t len1 = len;
    arca_result_t r2 = arca__ec_public_der(key, got, 90, &len);
    arca__ec_free(key);
    ASSERT_OK(r1);
    ASSERT_UEQ(len1, 91);
    ASSERT_UEQ(n, 91);
    ASSERT_MEMEQ(got, want, 91);
    ASSERT_RESULT(r2, ARCA_ERR_BUFFER_TOO_SMALL);
    ASSERT_UEQ(len, 91); /* the needed size is reported */
}

static EVP_PKEY *gen(const char *type, const char *curve)
{
    return curve ? EVP_PKEY_Q_keygen(NULL, NULL, type, curve) : EVP_PKEY_Q_keygen(NULL, NULL, type);
}

static void test_spki_der_hostile(void)
{
    uint8_t der[200], buf[200];
    size_t n = unhex(rfc6979_spki, der, sizeof der);
    arca__ec_key *key = (arca__ec_key *)1;
    int bad = 0;

    /* Every truncation, including empty. */
    for (size_t cut = 0; cut < n; cut++) {
        key = (arca__ec_key *)1;
        if (arca__ec_from_public_der(der, cut, &key) != ARCA_ERR_KEY || key != NULL ||
            ERR_peek_error() != 0)
            bad++;
    }
    ASSERT_EQ(bad, 0);
    /* Trailing bytes. */
    memcpy(buf, der, n);
    buf[n] = 0;
    ASSERT_RESULT(arca__ec_from_public_der(buf, n + 1, &key), ARCA_ERR_KEY);
    ASSERT_CONTAINS(arca__error_detail(), "trailing");
    /* Too long for any P-256 key. */
    memset(buf, 0x30, sizeof buf);
    ASSERT_RESULT(arca__ec_from_public_der(buf, sizeof buf, &key), ARCA_ERR_KEY);
    /* Garbage of the right length. */
    for (size_t i = 0; i < n; i++)
        buf[i] = (uint8_t)(i * 37 + 11);
    ASSERT_RESULT(arca__ec_from_public_der(buf, n, &key), ARCA_ERR_KEY);
    ASSERT_RESULT(arca__ec_from_public_der(NULL, 0, &key), ARCA_ERR_KEY);
    /* A point that is not on the curve (last byte of Y changed). */
    memcpy(buf, der, n);
    buf[n - 1] ^= 1;
    ASSERT_RESULT(arca__ec_from_public_der(buf, n, &key), ARCA_ERR_KEY);
    ASSERT_EQ(ERR_peek_error(), 0);

    /* Valid SPKI of other curves and key types. */
    const char *kinds[][2] = {{"EC", "P-384"}, {"EC", "secp256k1"}, {"ED25519", NULL}};
    for (size_t k = 0; k < 3; k++) {
        EVP_PKEY *other = gen(kinds[k][0], kinds[k][1]);
        ASSERT_TRUE(other != NULL);
        uint8_t *p = NULL;
        int len = i2d_PUBKEY(other, &p);
        EVP_PKEY_free(other);
        ASSERT_TRUE(len > 0);
        arca_result_t r = arca__ec_from_public_der(p, (size_t)len, &key);
        OPENSSL_free(p);
        ASSERT_RESULT(r, ARCA_ERR_KEY);
        ASSERT_EQ(ERR_peek_error(), 0);
    }
}

static void test_from_evp(void)
{
    EVP_PKEY *p256 = gen("EC", "P-256"), *p384 = gen("EC", "P-384");
    arca__ec_key *key = NULL, *other = NULL;
    ASSERT_TRUE(p256 && p384);
    arca_result_t r1 = arca__ec_from_evp(p256, &key);
    arca_result_t r2 = arca__ec_from_evp(p384, &other);
    int same = key && arca__ec_evp(key) == p256;
    EVP_PKEY_free(p256); /* the wrapper holds its own reference */
    EVP_PKEY_free(p384);
    uint8_t sig[64];
    arca_result_t r3 = key ? arca__ec_sign(key, "x", 1, sig) : ARCA_ERR_INTERNAL;
    arca_result_t r4 = key ? arca__ec_verify(key, "x", 1, sig) : ARCA_ERR_INTERNAL;
    arca__ec_free(key);
    ASSERT_OK(r1);
    ASSERT_TRUE(same);
    ASSERT_RESULT(r2, ARCA_ERR_KEY);
    ASSERT_CONTAINS(arca__error_detail(), "secp384r1");
    ASSERT_TRUE(other == NULL);
    ASSERT_OK(r3);
    ASSERT_OK(r4);
    ASSERT_TRUE(arca__ec_evp(NULL) == NULL);
    arca__ec_free(NULL);
}

static char *path_in_tmp(const char *name)
{
    static char buf[4][512];
    static int next;
    char *p = buf[next++ % 4];
    snprintf(p, 512, "%s/%s", tmpdir, name);
    return p;
}

static char *slurp(const char *path)
{
    static char buf[4096];
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    return buf;
}

static void test_pem_save_load(void)
{
    arca__ec_key *key = NULL, *back = NULL, *pubonly = NULL;
    const char *priv = path_in_tmp("key.pem"), *pub = path_in_tmp("key.pub.pem");
    struct stat st;
    uint8_t sig[64];
    char before[4096];

    ASSERT_OK(arca__ec_generate(&key));
    mode_t old = umask(0); /* prove the mode comes from us, not from the umask */
    arca_result_t r = arca__ec_save_private_pem_file(key, priv);
    umask(old);
    if (r != ARCA_OK)
        arca__ec_free(key);
    ASSERT_OK(r);
    ASSERT_EQ(stat(priv, &st), 0);
    ASSERT_EQ(st.st_mode & 0777, 0600);
    strcpy(before, slurp(priv));
    ASSERT_TRUE(strncmp(before, "-----BEGIN PRIVATE KEY-----\n", 28) == 0); /* PKCS#8 */

    /* Refuses to overwrite, and leaves the existing file untouched. */
    arca__ec_key *other = NULL;
    ASSERT_OK(arca__ec_generate(&other));
    r = arca__ec_save_private_pem_file(other, priv);
    arca__ec_free(other);
    ASSERT_RESULT(r, ARCA_ERR_IO);
    ASSERT_CONTAINS(arca__error_detail(), "File exists");
    ASSERT_STREQ(slurp(priv), before);

    ASSERT_OK(arca__ec_save_public_pem_file(key, pub));
    ASSERT_TRUE(strncmp(slurp(pub), "-----BEGIN PUBLIC KEY-----\n", 27) == 0);

    ASSERT_OK(arca__ec_load_private_pem_file(priv, &back));
    r = arca__ec_sign(back, "round trip", 10, sig);
    arca_result_t v = arca__ec_verify(key, "round trip", 10, sig);
    /* A public key PEM is not a private key. */
    arca_result_t rp = arca__ec_load_private_pem_file(pub, &pubonly);
    arca__ec_free(back);
    arca__ec_free(key);
    ASSERT_OK(r);
    ASSERT_OK(v);
    ASSERT_RESULT(rp, ARCA_ERR_KEY);
    ASSERT_TRUE(pubonly == NULL);
    ASSERT_EQ(ERR_peek_error(), 0);
}

static void test_pem_load_failures(void)
{
    arca__ec_key *key = NULL;

    ASSERT_RESULT(arca__ec_load_private_pem_file(path_in_tmp("absent.pem"), &key), ARCA_ERR_IO);
    ASSERT_CONTAINS(arca__error_detail(), "absent.pem: No such file or directory");
    ASSERT_RESULT(arca__ec_load_private_pem("", 0, &key), ARCA_ERR_KEY);
    ASSERT_RESULT(arca__ec_load_private_pem("not a key", 9, &key), ARCA_ERR_KEY);
    ASSERT_CONTAINS(arca__error_detail(), "not an unencrypted PEM private key");
    static const char truncated[] = "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqG\n";
    ASSERT_RESULT(arca__ec_load_private_pem(truncated, sizeof truncated - 1, &key), ARCA_ERR_KEY);
    ASSERT_TRUE(key == NULL);
    ASSERT_EQ(ERR_peek_error(), 0);
}

/* Encode @p pkey as PEM with @p how: 0 PKCS#8, 1 SEC1 (traditional), 2 encrypted PKCS#8. */
static char *pem_of(EVP_PKEY *pkey, int how, size_t *len)
{
    BIO *bio = BIO_new(BIO_s_mem());
    char *data = NULL, *copy = NULL;
    int ok = 0;
    if (how == 0)
        ok = PEM_write_bio_PrivateKey(bio, pkey, NULL, NULL, 0, NULL, NULL);
    else if (how == 1)
        ok = PEM_write_bio_PrivateKey_traditional(bio, pkey, NULL, NULL, 0, NULL, NULL);
    else
        ok = PEM_write_bio_PrivateKey(bio, pkey, EVP_aes_256_cbc(), (unsigned char *)"secret", 6,
                                      NULL, NULL);
    long n = BIO_get_mem_data(bio, &data);
    if (ok == 1 && n > 0 && (copy = malloc((size_t)n)) != NULL) {
        memcpy(copy, data, (size_t)n);
        *len = (size_t)n;
    }
    BIO_free(bio);
    return copy;
}

static void test_pem_formats_and_curves(void)
{
    EVP_PKEY *p256 = gen("EC", "P-256");
    ASSERT_TRUE(p256 != NULL);
    size_t len = 0;
    arca__ec_key *key = NULL;
    char *sec1 = pem_of(p256, 1, &len);
    size_t sec1_len = len;
    char *enc = pem_of(p256, 2, &len);
    size_t enc_len = len;
    EVP_PKEY_free(p256);
    ASSERT_TRUE(sec1 && enc);

    ASSERT_TRUE(strncmp(sec1, "-----BEGIN EC PRIVATE KEY-----", 30) == 0);
    arca_result_t r1 = arca__ec_load_private_pem(sec1, sec1_len, &key);
    arca__ec_free(key);
    key = NULL;
    /* Encrypted keys are refused, never prompted for (the test would hang otherwise). */
    arca_result_t r2 = arca__ec_load_private_pem(enc, enc_len, &key);
    free(sec1);
    free(enc);
    ASSERT_OK(r1);
    ASSERT_RESULT(r2, ARCA_ERR_KEY);
    ASSERT_TRUE(key == NULL);

    const char *kinds[][3] = {{"EC", "P-384", "secp384r1"}, {"ED25519", NULL, "ED25519"}};
    for (size_t k = 0; k < 2; k++) {
        EVP_PKEY *other = gen(kinds[k][0], kinds[k][1]);
        ASSERT_TRUE(other != NULL);
        char *pem = pem_of(other, 0, &len);
        EVP_PKEY_free(other);
        ASSERT_TRUE(pem != NULL);
        arca_result_t r = arca__ec_load_private_pem(pem, len, &key);
        free(pem);
        ASSERT_RESULT(r, ARCA_ERR_KEY);
        ASSERT_CONTAINS(arca__error_detail(), kinds[k][2]);
        ASSERT_CONTAINS(arca__error_detail(), "P-256");
        ASSERT_TRUE(key == NULL);
    }
    ASSERT_EQ(ERR_peek_error(), 0);
}

static void remove_tmpdir(void)
{
    const char *names[] = {"key.pem", "key.pub.pem"};
    for (size_t i = 0; i < 2; i++)
        unlink(path_in_tmp(names[i]));
    rmdir(tmpdir);
}

int main(void)
{
    const char *base = getenv("TMPDIR");
    snprintf(tmpdir, sizeof tmpdir, "%s/arca-test-ecdsa-XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    RUN(test_rfc6979_vectors_verify);
    RUN(test_rfc6979_every_bit_flip_fails);
    RUN(test_out_of_range_r_s);
    RUN(test_sign_verify_round_trip);
    RUN(test_concurrent_signing);
    RUN(test_spki_der_round_trip);
    RUN(test_spki_der_hostile);
    RUN(test_from_evp);
    RUN(test_pem_save_load);
    RUN(test_pem_load_failures);
    RUN(test_pem_formats_and_curves);
    remove_tmpdir();
    return TEST_SUMMARY();
}
