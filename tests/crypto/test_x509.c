/*
 * test_x509.c — the X.509 wrapper's functions for Arca's own platforms (crypto_x509.h):
 * making certificates (self-signed like the dev platform's, and issued under a CA for chains)
 * and writing them as PEM, parsing exactly one DER certificate, a certificate's P-256 key and
 * SPKI hash, trust anchors that are not self-signed (partial chains, as Arca evidence pins
 * them) and the strict RFC 5280 checks, the latter on real AMD certificates that lack an
 * authority key identifier. Every refusal has its case and leaves OpenSSL's error queue empty.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/err.h>

#include "base/error.h"
#include "crypto/crypto.h"
#include "crypto/crypto_x509.h"
#include "test.h"

#define DAY 86400

static int64_t now;

/* A certificate for @p key valid from a day ago for @p days; self-signed without an issuer. */
static arca__cert *make(const arca__ec_key *key, const char *cn, int ca, int64_t days,
                        const arca__cert *issuer, const arca__ec_key *issuer_key)
{
    arca__cert *cert = NULL;
    const arca__cert_template t = {
        .organization = "Arca tests",
        .common_name = cn,
        .not_before = now - DAY,
        .not_after = now + days * DAY,
        .ca = ca,
        .comment = "made by test_x509",
    };
    return arca__cert_create(key, &t, issuer, issuer_key, &cert) == ARCA_OK ? cert : NULL;
}

static size_t read_vector(const char *name, uint8_t *buf, size_t cap)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", ARCA_TEST_VECTORS, name);
    FILE *f = fopen(path, "rb");
    size_t n = f ? fread(buf, 1, cap, f) : 0;
    if (f)
        fclose(f);
    return n;
}

/* ---- making certificates ---- */

static void test_self_signed_certificate(void)
{
    arca__ec_key *key = NULL, *cert_key = NULL;
    arca__cert *cert = NULL, *again = NULL;
    arca__trust *trust = NULL;
    char cn[128], *pem = NULL;
    size_t pem_len = 0, der_len = 0;
    uint8_t want[32], got[32];
    int64_t nb, na;
    ASSERT_OK(arca__ec_generate(&key));
    const arca__cert_template t = {
        .organization = "Arca tests",
        .common_name = "self-signed root",
        .not_before = now,
        .not_after = now + 36500LL * DAY, /* a hundred years, as the dev platform's */
        .ca = 1,
        .comment = "a comment",
    };
    ASSERT_OK(arca__cert_create(key, &t, NULL, NULL, &cert));
    ASSERT_TRUE(arca__cert_self_signed(cert));
    arca__cert_cn(cert, 0, cn, sizeof cn);
    ASSERT_STREQ(cn, "self-signed root");
    arca__cert_cn(cert, 1, cn, sizeof cn);
    ASSERT_STREQ(cn, "self-signed root");
    arca__cert_validity(cert, &nb, &na);
    ASSERT_EQ(nb, t.not_before);
    ASSERT_EQ(na, t.not_after);
    /* Its key is the key it was made for: the same SPKI hash either way. */
    ASSERT_OK(arca__cert_ec_key(cert, &cert_key));
    ASSERT_OK(arca__ec_spki_hash(key, want));
    ASSERT_OK(arca__cert_spki_hash(cert, got));
    ASSERT_MEMEQ(got, want, 32);
    ASSERT_OK(arca__ec_spki_hash(cert_key, got));
    ASSERT_MEMEQ(got, want, 32);
    /* PEM out, PEM in: the same certificate. */
    ASSERT_OK(arca__cert_to_pem(cert, &pem, &pem_len));
    ASSERT_EQ(strlen(pem), pem_len);
    ASSERT_TRUE(strncmp(pem, "-----BEGIN CERTIFICATE-----\n", 28) == 0);
    ASSERT_OK(arca__cert_parse((const uint8_t *)pem, pem_len, "pem", &again));
    ASSERT_MEMEQ(arca__cert_hash(again), arca__cert_hash(cert), 32);
    ASSERT_TRUE(arca__cert_der(again, &der_len) != NULL && der_len > 200);
    /* A self-signed CA: it can be pinned as a root. */
    ASSERT_OK(arca__trust_create(&trust));
    ASSERT_OK(arca__trust_add(trust, cert));
    ASSERT_EQ(ERR_peek_error(), 0);
    arca__trust_free(trust);
    free(pem);
    arca__cert_free(again);
    arca__cert_free(cert);
    arca__ec_free(cert_key);
    arca__ec_free(key);
}

static void test_create_refusals(void)
{
    arca__ec_key *key = NULL, *other = NULL, *pub = NULL;
    arca__cert *root = NULL, *leaf = NULL, *out = (arca__cert *)1;
    uint8_t der[ARCA_EC_PUBKEY_DER_MAX];
    size_t len = 0;
    char long_name[80];
    ASSERT_OK(arca__ec_generate(&key));
    ASSERT_OK(arca__ec_generate(&other));
    ASSERT_OK(arca__ec_public_der(key, der, sizeof der, &len));
    ASSERT_OK(arca__ec_from_public_der(der, len, &pub));
    root = make(key, "root", 1, 10, NULL, NULL);
    leaf = make(other, "leaf", 0, 10, root, key);
    ASSERT_TRUE(root != NULL && leaf != NULL);
    arca__cert_template t = {
        .common_name = "x", .not_before = now, .not_after = now + DAY, .ca = 1};

    ASSERT_RESULT(arca__cert_create(key, &t, NULL, NULL, NULL), ARCA_ERR_INVALID_ARGUMENT);
    ASSERT_RESULT(arca__cert_create(NULL, &t, NULL, NULL, &out), ARCA_ERR_INVALID_ARGUMENT);
    ASSERT_TRUE(out == NULL);
    ASSERT_RESULT(arca__cert_create(key, NULL, NULL, NULL, &out), ARCA_ERR_INVALID_ARGUMENT);
    t.common_name = NULL;
    ASSERT_RESULT(arca__cert_create(key, &t, NULL, NULL, &out), ARCA_ERR_INVALID_ARGUMENT);
    memset(long_name, 'a', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = '\0';
    t.common_name = long_name; /* 79 characters, RFC 5280 allows 64 */
    ASSERT_RESULT(arca__cert_create(key, &t, NULL, NULL, &out), ARCA_ERR_INVALID_ARGUMENT);
    ASSERT_CONTAINS(arca__error_detail(), "at most 64 characters");
    t.common_name = "x";
    t.organization = long_name;
    ASSERT_RESULT(arca__cert_create(key, &t, NULL, NULL, &out), ARCA_ERR_INVALID_ARGUMENT);
    t.organization = NULL;
    /* An empty or inverted validity period. */
    t.not_after = t.not_before;
    ASSERT_RESULT(arca__cert_create(key, &t, NULL, NULL, &out), ARCA_ERR_INVALID_ARGUMENT);
    ASSERT_CONTAINS(arca__error_detail(), "no later than it begins");
    t.not_after = now + DAY;
    /* An issuer comes with its key and a key with its issuer. */
    ASSERT_RESULT(arca__cert_create(other, &t, root, NULL, &out), ARCA_ERR_INVALID_ARGUMENT);
    ASSERT_RESULT(arca__cert_create(other, &t, NULL, key, &out), ARCA_ERR_INVALID_ARGUMENT);
    /* The issuer key must be the issuer certificate's key, ... */
    ASSERT_RESULT(arca__cert_create(other, &t, root, other, &out), ARCA_ERR_KEY);
    ASSERT_CONTAINS(arca__error_detail(), "not the key of the issuer certificate");
    /* ... the issuer a CA, ... */
    ASSERT_RESULT(arca__cert_create(key, &t, leaf, other, &out), ARCA_ERR_BAD_CHAIN);
    ASSERT_CONTAINS(arca__error_detail(), "is not a CA");
    /* ... and the signing key must have its private half. */
    ASSERT_RESULT(arca__cert_create(pub, &t, NULL, NULL, &out), ARCA_ERR_KEY);
    ASSERT_CONTAINS(arca__error_detail(), "cannot sign 'x' with this key");
    ASSERT_RESULT(arca__cert_create(other, &t, root, pub, &out), ARCA_ERR_KEY);
    ASSERT_TRUE(out == NULL);
    ASSERT_EQ(ERR_peek_error(), 0);

    char *pem = (char *)1;
    size_t pem_len = 1;
    ASSERT_RESULT(arca__cert_to_pem(NULL, &pem, &pem_len), ARCA_ERR_INVALID_ARGUMENT);
    ASSERT_TRUE(pem == NULL && pem_len == 0);
    ASSERT_RESULT(arca__cert_to_pem(root, NULL, &pem_len), ARCA_ERR_INVALID_ARGUMENT);
    ASSERT_RESULT(arca__cert_to_pem(root, &pem, NULL), ARCA_ERR_INVALID_ARGUMENT);
    arca__cert_free(leaf);
    arca__cert_free(root);
    arca__ec_free(pub);
    arca__ec_free(other);
    arca__ec_free(key);
}

/* ---- parsing one DER certificate, its key and SPKI hash ---- */

static void test_parse_der(void)
{
    arca__ec_key *key = NULL;
    arca__cert *cert = NULL, *out = (arca__cert *)1;
    uint8_t buf[4096];
    size_t len = 0;
    char *pem = NULL;
    size_t pem_len = 0;
    ASSERT_OK(arca__ec_generate(&key));
    cert = make(key, "der", 1, 10, NULL, NULL);
    ASSERT_TRUE(cert != NULL);
    const uint8_t *der = arca__cert_der(cert, &len);
    ASSERT_TRUE(len < sizeof buf);
    memcpy(buf, der, len);

    ASSERT_OK(arca__cert_parse_der(buf, len, "der", &out));
    ASSERT_MEMEQ(arca__cert_hash(out), arca__cert_hash(cert), 32);
    arca__cert_free(out);
    /* Exactly one DER certificate: no trailing byte, no truncation, no PEM, not empty. */
    buf[len] = 0;
    ASSERT_RESULT(arca__cert_parse_der(buf, len + 1, "der", &out), ARCA_ERR_BAD_FORMAT);
    ASSERT_CONTAINS(arca__error_detail(), "1 trailing bytes");
    ASSERT_TRUE(out == NULL);
    ASSERT_RESULT(arca__cert_parse_der(buf, len - 1, "der", &out), ARCA_ERR_BAD_FORMAT);
    ASSERT_RESULT(arca__cert_parse_der(buf, 0, "der", &out), ARCA_ERR_BAD_FORMAT);
    ASSERT_OK(arca__cert_to_pem(cert, &pem, &pem_len));
    ASSERT_RESULT(arca__cert_parse_der((const uint8_t *)pem, pem_len, "pem", &out),
                  ARCA_ERR_BAD_FORMAT);
    ASSERT_CONTAINS(arca__error_detail(), "pem: not a DER X.509 certificate");
    ASSERT_EQ(ERR_peek_error(), 0);
    ASSERT_RESULT(arca__cert_parse_der(NULL, 10, "der", &out), ARCA_ERR_INVALID_ARGUMENT);
    ASSERT_RESULT(arca__cert_parse_der(buf, len, NULL, &out), ARCA_ERR_INVALID_ARGUMENT);
    ASSERT_RESULT(arca__cert_parse_der(buf, len, "der", NULL), ARCA_ERR_INVALID_ARGUMENT);
    free(pem);
    arca__cert_free(cert);
    arca__ec_free(key);
}

/* A P-384 certificate (an AMD VCEK) has no P-256 key, but an SPKI hash like any other. */
static void test_cert_key_and_spki_hash_of_other_keys(void)
{
    static uint8_t buf[8192];
    arca__cert *vcek = NULL;
    arca__ec_key *key = (arca__ec_key *)1;
    uint8_t hash[32], zero[32] = {0};
    size_t n =
        read_vector("sev-snp/ms-tee-attestation-verification/milan_vcek.pem", buf, sizeof buf);
    ASSERT_TRUE(n > 0);
    ASSERT_OK(arca__cert_parse(buf, n, "milan_vcek.pem", &vcek));
    ASSERT_RESULT(arca__cert_ec_key(vcek, &key), ARCA_ERR_KEY);
    ASSERT_CONTAINS(arca__error_detail(), "secp384r1");
    ASSERT_TRUE(key == NULL);
    ASSERT_OK(arca__cert_spki_hash(vcek, hash));
    ASSERT_TRUE(memcmp(hash, zero, 32) != 0);
    ASSERT_RESULT(arca__cert_ec_key(NULL, &key), ARCA_ERR_INVALID_ARGUMENT);
    ASSERT_RESULT(arca__cert_ec_key(vcek, NULL), ARCA_ERR_INVALID_ARGUMENT);
    ASSERT_RESULT(arca__cert_spki_hash(NULL, hash), ARCA_ERR_INVALID_ARGUMENT);
    ASSERT_RESULT(arca__cert_spki_hash(vcek, NULL), ARCA_ERR_INVALID_ARGUMENT);
    ASSERT_EQ(ERR_peek_error(), 0);
    arca__cert_free(vcek);
}

/* ---- trust anchors and chains ---- */

/* root -> intermediate -> leaf, made here. */
struct pki {
    arca__ec_key *root_key, *inter_key, *leaf_key;
    arca__cert *root, *inter, *leaf;
};

static int pki_make(struct pki *p, int64_t inter_days)
{
    memset(p, 0, sizeof *p);
    if (arca__ec_generate(&p->root_key) || arca__ec_generate(&p->inter_key) ||
        arca__ec_generate(&p->leaf_key))
        return 0;
    p->root = make(p->root_key, "root", 1, 3650, NULL, NULL);
    p->inter =
        p->root ? make(p->inter_key, "intermediate", 1, inter_days, p->root, p->root_key) : NULL;
    p->leaf = p->inter ? make(p->leaf_key, "leaf", 0, 30, p->inter, p->inter_key) : NULL;
    return p->leaf != NULL;
}

static void pki_free(struct pki *p)
{
    arca__cert_free(p->leaf);
    arca__cert_free(p->inter);
    arca__cert_free(p->root);
    arca__ec_free(p->leaf_key);
    arca__ec_free(p->inter_key);
    arca__ec_free(p->root_key);
}

static void test_chain_of_made_certificates(void)
{
    struct pki p;
    arca__trust *trust = NULL;
    arca__chain_result res;
    ASSERT_TRUE(pki_make(&p, 365));
    arca__chain_params params = {.at = now, .what = "made chain", .strict = 1};
    ASSERT_OK(arca__trust_create(&trust));
    ASSERT_OK(arca__trust_add(trust, p.root));
    ASSERT_OK(arca__chain_verify(p.leaf, &p.inter, 1, trust, &params, &res));
    ASSERT_EQ(res.length, 3);
    ASSERT_MEMEQ(res.root_hash, arca__cert_hash(p.root), 32);
    /* Without the intermediate there is no path. */
    ASSERT_RESULT(arca__chain_verify(p.leaf, NULL, 0, trust, &params, &res), ARCA_ERR_BAD_CHAIN);
    /* An intermediate cannot be pinned as a root... */
    ASSERT_RESULT(arca__trust_add(trust, p.inter), ARCA_ERR_UNTRUSTED_ROOT);
    ASSERT_CONTAINS(arca__error_detail(), "not self-signed");
    ASSERT_EQ(ERR_peek_error(), 0);
    arca__trust_free(trust);
    pki_free(&p);
}

static void test_trust_anchor_ends_a_partial_chain(void)
{
    struct pki p;
    arca__trust *trust = NULL, *roots = NULL;
    arca__chain_result res;
    ASSERT_TRUE(pki_make(&p, 365));
    arca__chain_params params = {.at = now, .what = "partial chain", .strict = 1};
    /* ... but pinned as an anchor, the path leaf -> intermediate verifies and ends there. */
    ASSERT_OK(arca__trust_create(&trust));
    ASSERT_OK(arca__trust_add_anchor(trust, p.inter));
    ASSERT_OK(arca__trust_add_anchor(trust, p.inter)); /* twice is harmless */
    ASSERT_EQ(arca__trust_count(trust), 1);
    ASSERT_TRUE(arca__trust_contains(trust, arca__cert_hash(p.inter)));
    ASSERT_OK(arca__chain_verify(p.leaf, NULL, 0, trust, &params, &res));
    ASSERT_EQ(res.length, 2);
    ASSERT_MEMEQ(res.root_hash, arca__cert_hash(p.inter), 32);
    /* The anchor itself is the whole path when it is the leaf. */
    ASSERT_OK(arca__chain_verify(p.inter, NULL, 0, trust, &params, &res));
    ASSERT_EQ(res.length, 1);
    /* Not an anchor for what it did not issue: the root above it. */
    ASSERT_RESULT(arca__chain_verify(p.root, NULL, 0, trust, &params, &res),
                  ARCA_ERR_UNTRUSTED_ROOT);
    /* A store of roots only (no anchor) still refuses the partial path. */
    ASSERT_OK(arca__trust_create(&roots));
    ASSERT_OK(arca__trust_add(roots, p.root));
    ASSERT_RESULT(arca__chain_verify(p.leaf, NULL, 0, roots, &params, &res), ARCA_ERR_BAD_CHAIN);
    ASSERT_RESULT(arca__trust_add_anchor(NULL, p.inter), ARCA_ERR_INVALID_ARGUMENT);
    ASSERT_RESULT(arca__trust_add_anchor(trust, NULL), ARCA_ERR_INVALID_ARGUMENT);
    ASSERT_EQ(ERR_peek_error(), 0);
    arca__trust_free(roots);
    arca__trust_free(trust);
    pki_free(&p);
}

/* The anchor's own validity counts: an expired intermediate pin ends no valid path. */
static void test_expired_anchor(void)
{
    struct pki p;
    arca__trust *trust = NULL;
    arca__chain_result res;
    ASSERT_TRUE(pki_make(&p, 10));
    arca__chain_params params = {.at = now + 20 * DAY, .what = "expired anchor", .strict = 1};
    ASSERT_OK(arca__trust_create(&trust));
    ASSERT_OK(arca__trust_add_anchor(trust, p.inter));
    ASSERT_RESULT(arca__chain_verify(p.leaf, NULL, 0, trust, &params, &res), ARCA_ERR_CERT_EXPIRED);
    ASSERT_CONTAINS(arca__error_detail(), "'intermediate' has expired");
    params.at = now;
    ASSERT_OK(arca__chain_verify(p.leaf, NULL, 0, trust, &params, &res));
    ASSERT_EQ(ERR_peek_error(), 0);
    arca__trust_free(trust);
    pki_free(&p);
}

/* Strict mode refuses what plain path validation lets through: AMD's VCEKs carry no
 * authority key identifier (RFC 5280 4.2.1.1 requires one). */
static void test_strict_checks(void)
{
    static uint8_t buf[3][8192];
    static const char *const names[3] = {
        "sev-snp/ms-tee-attestation-verification/milan_ark.pem",
        "sev-snp/ms-tee-attestation-verification/milan_ask.pem",
        "sev-snp/ms-tee-attestation-verification/milan_vcek.pem",
    };
    arca__cert *c[3] = {NULL, NULL, NULL};
    arca__trust *trust = NULL;
    arca__chain_result res;
    int64_t nb, na;
    for (int i = 0; i < 3; i++) {
        size_t n = read_vector(names[i], buf[i], sizeof buf[i]);
        ASSERT_TRUE(n > 0);
        ASSERT_OK(arca__cert_parse(buf[i], n, names[i], &c[i]));
    }
    arca__cert_validity(c[2], &nb, &na);
    arca__chain_params params = {.at = nb + DAY, .what = "VCEK chain", .strict = 0};
    ASSERT_OK(arca__trust_create(&trust));
    ASSERT_OK(arca__trust_add(trust, c[0]));
    ASSERT_OK(arca__chain_verify(c[2], &c[1], 1, trust, &params, &res));
    ASSERT_EQ(res.length, 3);
    params.strict = 1;
    ASSERT_RESULT(arca__chain_verify(c[2], &c[1], 1, trust, &params, &res), ARCA_ERR_BAD_CHAIN);
    ASSERT_CONTAINS(arca__error_detail(), "Missing Authority Key Identifier");
    /* The ASK under the ARK has one: strict mode passes it. */
    ASSERT_OK(arca__chain_verify(c[1], NULL, 0, trust, &params, &res));
    ASSERT_EQ(ERR_peek_error(), 0);
    arca__trust_free(trust);
    for (int i = 0; i < 3; i++)
        arca__cert_free(c[i]);
}

int main(void)
{
    now = (int64_t)time(NULL);
    RUN(test_self_signed_certificate);
    RUN(test_create_refusals);
    RUN(test_parse_der);
    RUN(test_cert_key_and_spki_hash_of_other_keys);
    RUN(test_chain_of_made_certificates);
    RUN(test_trust_anchor_ends_a_partial_chain);
    RUN(test_expired_anchor);
    RUN(test_strict_checks);
    return TEST_SUMMARY();
}
