/*
 * test_verify.c — arca_verify_evidence and policy.conf, with evidence from real dev
 * platforms: a matching policy verifies; each mismatching field fails with its own result;
 * every single-bit flip fails; forged, re-signed, truncated and extended evidence fails;
 * dev platforms, debug enclaves, non-isolating backends and unpinned chains are refused
 * unless allowed; the platform kind comes from the pin, not a certificate's subject; chains
 * longer than one must verify up to a pinned root; contradictory protections are refused;
 * runtime digests are pinned; freshness is required and checked; evidence v1 is refused;
 * the policy.conf parser's errors name file and line.
 */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wformat-truncation" /* test paths are short */
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "arca/verify.h"
#include "formats/evidence.h"
#include "platform/dev/dev_internal.h"
#include "test.h"
#include "hex.h"

static const char *arca_cli_path;
static char base[PATH_MAX], dir1[PATH_MAX], dir2[PATH_MAX], cert1[PATH_MAX], cert2[PATH_MAX];
static arca__platform *p1, *p2;
static arca_identity_t ident;
static uint8_t rd[64], runtime[32];

static arca_identity_t make_identity(void)
{
    arca_identity_t id;
    memset(&id, 0, sizeof id);
    for (int i = 0; i < 32; i++) {
        id.measurement[i] = (uint8_t)(0x10 + i);
        id.signer_id[i] = (uint8_t)(0x80 + i);
    }
    id.product_id = 7;
    id.svn = 3;
    id.backend = ARCA_BACKEND_ID_PROCESS;
    id.protections = ARCA_PROT_SEPARATE_PROCESS | ARCA_PROT_NODUMP;
    return id;
}

/* A policy that matches ident/rd on p1. */
static arca_policy_t *base_policy(void)
{
    arca_policy_t *p = NULL;
    if (arca_policy_create(&p) != ARCA_OK)
        return NULL;
    if (arca_policy_add_measurement(p, ident.measurement) || arca_policy_set_signer(p, ident.signer_id) ||
        arca_policy_set_product_id(p, 7) || arca_policy_set_min_svn(p, 3) ||
        arca_policy_set_allow_dev_platform(p, 1) || arca_policy_add_trusted_cert_file(p, cert1) ||
        arca_policy_set_report_data(p, rd, 64) || arca_policy_set_max_age(p, 60)) {
        arca_policy_free(p);
        return NULL;
    }
    return p;
}

static arca_result_t evidence_for(arca__platform *p, const arca_identity_t *id, uint8_t **ev, size_t *len)
{
    return arca__dev_platform.evidence(p, id, runtime, rd, ev, len);
}

/* Build evidence with these certificates and sign it with @p key (a forger's or a leaf's). */
static arca_result_t build_signed(uint16_t kind, const uint8_t platform_id[32], const arca_identity_t *id,
                                  const uint8_t *const *certs, const size_t *lens, uint32_t n,
                                  const arca__ec_key *key, uint8_t **ev, size_t *len)
{
    arca_result_t r = arca__evidence_build(kind, platform_id, id, runtime, rd,
                                           (uint64_t)time(NULL) * 1000000000u, certs, lens, n, ev, len);
    if (r == ARCA_OK)
        r = arca__ec_sign(key, *ev, *len - 64, *ev + *len - 64);
    return r;
}

static void test_matching_policy_verifies_and_claims_export(void)
{
    uint8_t *ev = NULL;
    size_t len;
    arca_claims_t claims;
    arca_policy_t *pol = base_policy();
    ASSERT_TRUE(pol != NULL);
    ASSERT_OK(evidence_for(p1, &ident, &ev, &len));
    ASSERT_OK(arca_verify_evidence(ev, len, pol, &claims));
    ASSERT_STREQ(arca_verify_last_error(), "");
    ASSERT_MEMEQ(claims.identity.measurement, ident.measurement, 32);
    ASSERT_MEMEQ(claims.identity.signer_id, ident.signer_id, 32);
    ASSERT_EQ(claims.identity.svn, 3);
    ASSERT_EQ(claims.platform_kind, ARCA_PLATFORM_DEV);
    ASSERT_EQ(claims.format, ARCA_EVIDENCE_ARCA);
    ASSERT_EQ(claims.tee.tee, ARCA_TEE_NONE);
    ASSERT_EQ(arca_evidence_detect(ev, len), ARCA_EVIDENCE_ARCA);
    ASSERT_MEMEQ(claims.platform_id, p1->platform_id, 32);
    ASSERT_MEMEQ(claims.report_data, rd, 64);
    char json[2048];
    size_t needed = 0;
    ASSERT_OK(arca_claims_to_json(&claims, json, sizeof json, &needed));
    ASSERT_UEQ(needed, strlen(json) + 1);
    ASSERT_CONTAINS(json, "\"platform\":\"dev\"");
    ASSERT_CONTAINS(json, "\"measurement\":\"101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f\"");
    ASSERT_CONTAINS(json, "\"product_id\":7,\"svn\":3,\"debug\":false");
    ASSERT_CONTAINS(json, "\"backend\":\"process\",\"protections\":\"separate-process,nodump\"");
    ASSERT_CONTAINS(json, "\"runtime_digest\":\"a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf\"");
    ASSERT_MEMEQ(claims.runtime_digest, runtime, 32);
    ASSERT_TRUE(json[0] == '{' && json[strlen(json) - 1] == '}');
    char small[16];
    ASSERT_RESULT(arca_claims_to_json(&claims, small, sizeof small, &needed), ARCA_ERR_BUFFER_TOO_SMALL);
    ASSERT_UEQ(needed, strlen(json) + 1);
    arca_policy_free(pol);
    free(ev);
}

/* Verify ev under a base policy modified by fn; expect the given result. */
#define EXPECT_WITH(ev, len, expected, ...)                                                      \
    do {                                                                                         \
        arca_policy_t *pol_ = base_policy();                                                     \
        arca_claims_t claims_;                                                                   \
        ASSERT_TRUE(pol_ != NULL);                                                               \
        __VA_ARGS__;                                                                             \
        arca_result_t r_ = arca_verify_evidence((ev), (len), pol_, &claims_);                    \
        arca_policy_free(pol_);                                                                  \
        ASSERT_RESULT(r_, (expected));                                                           \
        if (r_ != ARCA_OK) {                                                                     \
            uint8_t zero_[sizeof claims_] = {0};                                                 \
            ASSERT_MEMEQ(&claims_, zero_, sizeof claims_);                                       \
            ASSERT_TRUE(strlen(arca_verify_last_error()) > 10);                                  \
        }                                                                                        \
    } while (0)

static void test_each_policy_field_fails_with_its_own_result(void)
{
    uint8_t *ev = NULL, *dbg = NULL, other[32];
    size_t len, dlen;
    arca_identity_t d = ident;
    d.attributes |= ARCA_ATTR_DEBUG;
    ASSERT_OK(evidence_for(p1, &ident, &ev, &len));
    ASSERT_OK(evidence_for(p1, &d, &dbg, &dlen));
    memset(other, 0x55, sizeof other);

    EXPECT_WITH(ev, len, ARCA_OK, (void)0);
    /* measurement: a policy listing only another one fails; listing both passes */
    EXPECT_WITH(ev, len, ARCA_ERR_VERIFY_MEASUREMENT, {
        arca_policy_free(pol_);
        ASSERT_OK(arca_policy_create(&pol_));
        ASSERT_OK(arca_policy_add_measurement(pol_, other));
        ASSERT_OK(arca_policy_set_allow_dev_platform(pol_, 1));
        ASSERT_OK(arca_policy_add_trusted_cert_file(pol_, cert1));
        ASSERT_OK(arca_policy_set_max_age(pol_, 60));
    });
    EXPECT_WITH(ev, len, ARCA_OK, ASSERT_OK(arca_policy_add_measurement(pol_, other)));
    EXPECT_WITH(ev, len, ARCA_ERR_VERIFY_SIGNER, ASSERT_OK(arca_policy_set_signer(pol_, other)));
    EXPECT_WITH(ev, len, ARCA_ERR_VERIFY_PRODUCT, ASSERT_OK(arca_policy_set_product_id(pol_, 8)));
    /* A signer without a product id accepts every product of that signer: the policy is refused,
     * with or without a measurement, and whichever setter ran last. */
    EXPECT_WITH(ev, len, ARCA_ERR_POLICY, {
        arca_policy_free(pol_);
        ASSERT_OK(arca_policy_create(&pol_));
        ASSERT_OK(arca_policy_set_signer(pol_, ident.signer_id));
        ASSERT_OK(arca_policy_set_allow_dev_platform(pol_, 1));
        ASSERT_OK(arca_policy_add_trusted_cert_file(pol_, cert1));
        ASSERT_OK(arca_policy_set_max_age(pol_, 60));
    });
    ASSERT_CONTAINS(arca_verify_last_error(), "no product id");
    EXPECT_WITH(ev, len, ARCA_ERR_POLICY, {
        arca_policy_free(pol_);
        ASSERT_OK(arca_policy_create(&pol_));
        ASSERT_OK(arca_policy_add_measurement(pol_, ident.measurement));
        ASSERT_OK(arca_policy_set_signer(pol_, ident.signer_id));
        ASSERT_OK(arca_policy_set_allow_dev_platform(pol_, 1));
        ASSERT_OK(arca_policy_add_trusted_cert_file(pol_, cert1));
        ASSERT_OK(arca_policy_set_max_age(pol_, 60));
    });
    EXPECT_WITH(ev, len, ARCA_OK, {
        arca_policy_free(pol_);
        ASSERT_OK(arca_policy_create(&pol_));
        ASSERT_OK(arca_policy_set_product_id(pol_, ident.product_id));
        ASSERT_OK(arca_policy_set_signer(pol_, ident.signer_id));
        ASSERT_OK(arca_policy_set_allow_dev_platform(pol_, 1));
        ASSERT_OK(arca_policy_add_trusted_cert_file(pol_, cert1));
        ASSERT_OK(arca_policy_set_report_data(pol_, rd, 64));
    });
    EXPECT_WITH(ev, len, ARCA_ERR_VERIFY_SVN, ASSERT_OK(arca_policy_set_min_svn(pol_, 4)));
    EXPECT_WITH(ev, len, ARCA_OK, ASSERT_OK(arca_policy_set_min_svn(pol_, 2)));
    EXPECT_WITH(ev, len, ARCA_ERR_VERIFY_REPORT_DATA, ASSERT_OK(arca_policy_set_report_data(pol_, other, 32)));
    EXPECT_WITH(ev, len, ARCA_ERR_VERIFY_DEV_PLATFORM, ASSERT_OK(arca_policy_set_allow_dev_platform(pol_, 0)));
    EXPECT_WITH(dbg, dlen, ARCA_ERR_VERIFY_DEBUG, (void)0);
    EXPECT_WITH(dbg, dlen, ARCA_OK, ASSERT_OK(arca_policy_set_allow_debug(pol_, 1)));
    EXPECT_WITH(ev, len, ARCA_ERR_VERIFY_BACKEND, ASSERT_OK(arca_policy_set_backend(pol_, ARCA_BACKEND_ID_SGX)));
    EXPECT_WITH(ev, len, ARCA_OK, ASSERT_OK(arca_policy_set_backend(pol_, ARCA_BACKEND_ID_PROCESS)));
    EXPECT_WITH(ev, len, ARCA_ERR_VERIFY_BACKEND, ASSERT_OK(arca_policy_require_protections(pol_, ARCA_PROT_SECCOMP)));
    EXPECT_WITH(ev, len, ARCA_OK, ASSERT_OK(arca_policy_require_protections(pol_, ARCA_PROT_NODUMP)));
    /* untrusted platform: only the other platform pinned, or none at all */
    EXPECT_WITH(ev, len, ARCA_ERR_VERIFY_PLATFORM_UNTRUSTED, {
        arca_policy_free(pol_);
        ASSERT_OK(arca_policy_create(&pol_));
        ASSERT_OK(arca_policy_add_measurement(pol_, ident.measurement));
        ASSERT_OK(arca_policy_set_allow_dev_platform(pol_, 1));
        ASSERT_OK(arca_policy_add_trusted_cert_file(pol_, cert2));
        ASSERT_OK(arca_policy_set_max_age(pol_, 60));
    });
    EXPECT_WITH(ev, len, ARCA_ERR_VERIFY_PLATFORM_UNTRUSTED, {
        arca_policy_free(pol_);
        ASSERT_OK(arca_policy_create(&pol_));
        ASSERT_OK(arca_policy_add_measurement(pol_, ident.measurement));
        ASSERT_OK(arca_policy_set_allow_dev_platform(pol_, 1));
        ASSERT_OK(arca_policy_set_max_age(pol_, 60));
    });
    EXPECT_WITH(ev, len, ARCA_OK, ASSERT_OK(arca_policy_add_trusted_cert_file(pol_, cert2)));
    /* a policy that names no enclave is refused */
    EXPECT_WITH(ev, len, ARCA_ERR_POLICY, {
        arca_policy_free(pol_);
        ASSERT_OK(arca_policy_create(&pol_));
        ASSERT_OK(arca_policy_set_allow_dev_platform(pol_, 1));
        ASSERT_OK(arca_policy_add_trusted_cert_file(pol_, cert1));
        ASSERT_OK(arca_policy_set_max_age(pol_, 60));
    });
    ASSERT_CONTAINS(arca_verify_last_error(), "names no enclave");
    free(ev);
    free(dbg);
}

static void test_report_data_prefix_is_zero_padded(void)
{
    uint8_t *ev = NULL;
    size_t len;
    uint8_t saved[64];
    memcpy(saved, rd, 64);
    memset(rd + 32, 0, 32);
    ASSERT_OK(evidence_for(p1, &ident, &ev, &len));
    EXPECT_WITH(ev, len, ARCA_OK, ASSERT_OK(arca_policy_set_report_data(pol_, rd, 32)));
    EXPECT_WITH(ev, len, ARCA_ERR_VERIFY_REPORT_DATA, ASSERT_OK(arca_policy_set_report_data(pol_, saved, 64)));
    memcpy(rd, saved, 64);
    free(ev);
}

static void test_freshness(void)
{
    uint8_t *ev = NULL;
    size_t len;
    arca__evidence parsed;
    ASSERT_OK(evidence_for(p1, &ident, &ev, &len));
    ASSERT_OK(arca__evidence_parse(ev, len, &parsed));
    const uint64_t t = parsed.timestamp_ns, s = 1000000000u;
    EXPECT_WITH(ev, len, ARCA_OK, ASSERT_OK(arca_policy_set_time(pol_, t + 59 * s)));
    EXPECT_WITH(ev, len, ARCA_ERR_VERIFY_EXPIRED, ASSERT_OK(arca_policy_set_time(pol_, t + 61 * s)));
    EXPECT_WITH(ev, len, ARCA_OK, {
        ASSERT_OK(arca_policy_set_time(pol_, t + 3600 * s));
        ASSERT_OK(arca_policy_set_max_age(pol_, 0)); /* no limit: the nonce is the freshness */
    });
    /* With neither a nonce nor a maximum age the policy is incomplete, whatever the timestamp. */
    EXPECT_WITH(ev, len, ARCA_ERR_POLICY, {
        arca_policy_free(pol_);
        ASSERT_OK(arca_policy_create(&pol_));
        ASSERT_OK(arca_policy_add_measurement(pol_, ident.measurement));
        ASSERT_OK(arca_policy_set_allow_dev_platform(pol_, 1));
        ASSERT_OK(arca_policy_add_trusted_cert_file(pol_, cert1));
    });
    ASSERT_CONTAINS(arca_verify_last_error(), "freshness");
    ASSERT_CONTAINS(arca_verify_last_error(), "MaxAgeSeconds");
    ASSERT_CONTAINS(arca_verify_last_error(), "ReportData");
    /* A maximum age refuses evidence of a year ago even when the nonce matches. */
    EXPECT_WITH(ev, len, ARCA_ERR_VERIFY_EXPIRED,
                ASSERT_OK(arca_policy_set_time(pol_, t + 86400ull * 365 * s)));
    EXPECT_WITH(ev, len, ARCA_OK, ASSERT_OK(arca_policy_set_time(pol_, t - 299 * s)));
    EXPECT_WITH(ev, len, ARCA_ERR_VERIFY_FUTURE, ASSERT_OK(arca_policy_set_time(pol_, t - 301 * s)));
    EXPECT_WITH(ev, len, ARCA_ERR_VERIFY_FUTURE, {
        ASSERT_OK(arca_policy_set_time(pol_, t - 2 * s));
        ASSERT_OK(arca_policy_set_clock_skew(pol_, 1));
    });
    /* The tolerance is bounded, so that no policy switches the future check off. */
    arca_policy_t *pol = base_policy();
    ASSERT_TRUE(pol != NULL);
    ASSERT_OK(arca_policy_set_clock_skew(pol, 3600));
    ASSERT_RESULT(arca_policy_set_clock_skew(pol, 3601), ARCA_ERR_POLICY);
    ASSERT_RESULT(arca_policy_set_clock_skew(pol, UINT64_MAX / 1000000000u), ARCA_ERR_POLICY);
    arca_policy_free(pol);
    free(ev);
}

static void test_every_bit_flip_fails(void)
{
    uint8_t *ev = NULL;
    size_t len, failures = 0;
    arca_policy_t *pol = base_policy();
    ASSERT_TRUE(pol != NULL);
    ASSERT_OK(arca_policy_set_allow_debug(pol, 1)); /* so the check of the flipped field is not what fails */
    ASSERT_OK(evidence_for(p1, &ident, &ev, &len));
    ASSERT_OK(arca_verify_evidence(ev, len, pol, NULL));
    for (size_t bit = 0; bit < len * 8; bit++) {
        ev[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        arca_result_t r = arca_verify_evidence(ev, len, pol, NULL);
        if (r != ARCA_OK)
            failures++;
        else
            fprintf(stderr, "bit %zu flipped and still verified\n", bit);
        ev[bit / 8] ^= (uint8_t)(1u << (bit % 8));
    }
    ASSERT_UEQ(failures, len * 8);
    ASSERT_OK(arca_verify_evidence(ev, len, pol, NULL));
    arca_policy_free(pol);
    free(ev);
}

static void test_forgeries_truncation_and_extension(void)
{
    uint8_t *ev = NULL, *forged = NULL;
    size_t len, flen;
    ASSERT_OK(evidence_for(p1, &ident, &ev, &len));
    /* Carry p1's pinned certificate but sign with p2's key. */
    const uint8_t *certs[1] = {p1->cert_der};
    size_t lens[1] = {p1->cert_len};
    arca__ec_key *k1 = NULL, *k2 = NULL;
    ASSERT_OK(arca__dev_load_attestation_key(p1, &k1));
    ASSERT_OK(arca__dev_load_attestation_key(p2, &k2));
    ASSERT_OK(build_signed(ARCA_PLATFORM_DEV, p1->platform_id, &ident, certs, lens, 1, k2, &forged, &flen));
    EXPECT_WITH(forged, flen, ARCA_ERR_VERIFY_SIGNATURE, (void)0);
    free(forged);
    forged = NULL;
    /* Correctly signed by p1, but claiming another platform id. */
    ASSERT_OK(build_signed(ARCA_PLATFORM_DEV, p2->platform_id, &ident, certs, lens, 1, k1, &forged, &flen));
    EXPECT_WITH(forged, flen, ARCA_ERR_BAD_EVIDENCE, (void)0);
    free(forged);
    forged = NULL;
    /* Correctly signed by p1 (a dev platform, whose key the host user holds), but claiming to
     * come from an arcad platform: still dev evidence, refused without AllowDevPlatform and
     * refused as forged with it. */
    ASSERT_OK(build_signed(ARCA_PLATFORM_ARCAD, p1->platform_id, &ident, certs, lens, 1, k1, &forged, &flen));
    EXPECT_WITH(forged, flen, ARCA_ERR_VERIFY_DEV_PLATFORM,
                ASSERT_OK(arca_policy_set_allow_dev_platform(pol_, 0)));
    ASSERT_CONTAINS(arca_verify_last_error(), "pinned as a dev platform's");
    EXPECT_WITH(forged, flen, ARCA_ERR_BAD_EVIDENCE, (void)0);
    ASSERT_CONTAINS(arca_verify_last_error(), "claims platform kind arcad");
    EXPECT_WITH(ev, len, ARCA_ERR_VERIFY_DEV_PLATFORM,
                ASSERT_OK(arca_policy_set_allow_dev_platform(pol_, 0)));
    free(forged);
    for (size_t n = 0; n < len; n += (n < 300 ? 1 : 37))
        EXPECT_WITH(ev, n, ARCA_ERR_BAD_EVIDENCE, (void)0);
    uint8_t *longer = calloc(1, len + 1);
    memcpy(longer, ev, len);
    EXPECT_WITH(longer, len + 1, ARCA_ERR_BAD_EVIDENCE, (void)0);
    free(longer);
    /* Version 1 (no runtime digest) is refused by name. */
    ev[8] = 1;
    EXPECT_WITH(ev, len, ARCA_ERR_BAD_EVIDENCE, (void)0);
    ASSERT_CONTAINS(arca_verify_last_error(), "version 1");
    arca__ec_free(k1);
    arca__ec_free(k2);
    free(ev);
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

static void test_policy_conf_file(void)
{
    char conf_dir[PATH_MAX], conf[PATH_MAX], text[4096], m[65], s[65], r[129], rt[65], der[PATH_MAX];
    uint8_t *ev = NULL;
    size_t len;
    arca_policy_t *pol = NULL;
    snprintf(conf_dir, sizeof conf_dir, "%s/conf", base);
    mkdir(conf_dir, 0700);
    /* a relative certificate path, in DER */
    snprintf(der, sizeof der, "%s/platform.der", conf_dir);
    FILE *f = fopen(der, "wb");
    ASSERT_TRUE(f != NULL);
    fwrite(p1->cert_der, 1, p1->cert_len, f);
    fclose(f);
    hex_encode(ident.measurement, 32, m);
    hex_encode(ident.signer_id, 32, s);
    hex_encode(rd, 64, r);
    hex_encode(runtime, 32, rt);
    snprintf(text, sizeof text,
             "# production-like policy for tests\n"
             "Measurement = %s\n"
             "Measurement = 0000000000000000000000000000000000000000000000000000000000000000\n"
             "SignerID = %s   # trailing comment\n"
             "ProductID = 7\r\n"
             "MinSVN = 3\n"
             "\n"
             "   AllowDebug = 0\n"
             "AllowDevPlatform = 1\n"
             "TrustedPlatformCert = platform.der\n"
             "TrustedPlatformCert = %s\n"
             "ReportData = %s\n"
             "MaxAgeSeconds = 60\n"
             "ClockSkewSeconds = 30\n"
             "Backend = process\n"
             "RequireProtections = nodump,separate-process\n"
             "RuntimeDigest = %064d\n"
             "RuntimeDigest = %s\n",
             m, s, cert2, r, 1, rt);
    snprintf(conf, sizeof conf, "%s/policy.conf", conf_dir);
    write_text(conf, text);
    ASSERT_OK(arca_policy_load_file(conf, &pol));
    ASSERT_OK(evidence_for(p1, &ident, &ev, &len));
    ASSERT_OK(arca_verify_evidence(ev, len, pol, NULL));
    arca_policy_free(pol);
    free(ev);
}

/* The parser's error for one text, which must name NAME:LINE. */
static void expect_conf_error(const char *text, const char *needle)
{
    arca_policy_t *pol = (arca_policy_t *)1;
    ASSERT_RESULT(arca_policy_parse(text, strlen(text), "p.conf", base, &pol), ARCA_ERR_POLICY);
    ASSERT_TRUE(pol == NULL);
    ASSERT_CONTAINS(arca_verify_last_error(), needle);
}

static void test_policy_conf_errors(void)
{
    char good[200];
    snprintf(good, sizeof good, "Measurement = %064d\n", 0);
    char text[1024];
    expect_conf_error("Measurment = 00\n", "p.conf:1: unknown key 'Measurment'");
    expect_conf_error("\n\nMeasurement = abc\n", "p.conf:3: Measurement must be 64 hex digits");
    snprintf(text, sizeof text, "%sSignerID = %064d\nSignerID = %064d\n", good, 1, 2);
    expect_conf_error(text, "p.conf:3: SignerID is given twice");
    snprintf(text, sizeof text, "%sSignerID = %064d\nProductID = 65536\n", good, 1);
    expect_conf_error(text, "p.conf:3: ProductID must be a number from 0 to 65535");
    snprintf(text, sizeof text, "%sSignerID = %064d\nMinSVN = -1\n", good, 1);
    expect_conf_error(text, "p.conf:3: MinSVN must be a number");
    snprintf(text, sizeof text, "%sAllowDebug = maybe\n", good);
    expect_conf_error(text, "p.conf:2: AllowDebug must be 0 or 1");
    snprintf(text, sizeof text, "%sAllowDevPlatform\n", good);
    expect_conf_error(text, "p.conf:2: expected 'Key = value'");
    snprintf(text, sizeof text, "%sMaxAgeSeconds =\n", good);
    expect_conf_error(text, "p.conf:2: MaxAgeSeconds has no value");
    snprintf(text, sizeof text, "%sMaxAgeSeconds = 99999999999999999999999\n", good);
    expect_conf_error(text, "p.conf:2: MaxAgeSeconds must be a number of seconds");
    snprintf(text, sizeof text, "%sTrustedPlatformCert = does-not-exist.pem\n", good);
    expect_conf_error(text, "p.conf:2: TrustedPlatformCert");
    snprintf(text, sizeof text, "%sTrustedPlatformCert = %s/%s\n", good, dir1, ARCA_DEV_ROOT_FILE);
    expect_conf_error(text, "not a PEM or DER X.509 certificate");
    snprintf(text, sizeof text, "%sReportData = 0g\n", good);
    expect_conf_error(text, "p.conf:2: ReportData must be");
    snprintf(text, sizeof text, "%sReportData = %0130d\n", good, 0);
    expect_conf_error(text, "p.conf:2: ReportData must be");
    snprintf(text, sizeof text, "%sBackend = vmware\n", good);
    expect_conf_error(text, "p.conf:2: Backend: unknown backend 'vmware'");
    snprintf(text, sizeof text, "%sRequireProtections = nodump,,seccomp\n", good);
    expect_conf_error(text, "p.conf:2: RequireProtections");
    snprintf(text, sizeof text, "%sRequireProtections = nodump,magic\n", good);
    expect_conf_error(text, "unknown protection 'magic'");
    expect_conf_error("AllowDebug = 1\n", "p.conf: the policy names no enclave");
    snprintf(text, sizeof text, "%sProductID = 3\n", good);
    expect_conf_error(text, "ProductID and MinSVN mean nothing without SignerID");
    /* A signer id alone would accept every product of that signer (SGX: MRSIGNER + ISVPRODID). */
    snprintf(text, sizeof text, "SignerID = %064d\n", 1);
    expect_conf_error(text, "p.conf: SignerID without ProductID would accept every product");
    snprintf(text, sizeof text, "%sSignerID = %064d\nMinSVN = 2\n", good, 1);
    expect_conf_error(text, "SignerID without ProductID");
    snprintf(text, sizeof text, "SignerID = %064d\nProductID = 0\nMaxAgeSeconds = 60\n", 1);
    arca_policy_t *signer_pol = NULL;
    ASSERT_OK(arca_policy_parse(text, strlen(text), "p.conf", NULL, &signer_pol));
    arca_policy_free(signer_pol);
    arca_policy_t *pol = NULL;
    ASSERT_RESULT(arca_policy_parse("Measurement\0 = 1", 17, "p.conf", NULL, &pol), ARCA_ERR_POLICY);
    ASSERT_CONTAINS(arca_verify_last_error(), "NUL");
    ASSERT_RESULT(arca_policy_load_file("/nonexistent/policy.conf", &pol), ARCA_ERR_POLICY);
    ASSERT_CONTAINS(arca_verify_last_error(), "/nonexistent/policy.conf");
    /* A policy must demand freshness: the error names both ways to do it. */
    expect_conf_error(good, "p.conf: the policy demands no freshness");
    expect_conf_error(good, "'ReportData = HEX'");
    expect_conf_error(good, "'MaxAgeSeconds = N'");
    snprintf(text, sizeof text, "%sMaxAgeSeconds = 0\n", good); /* 0 = no limit: no freshness */
    expect_conf_error(text, "demands no freshness");
    /* sim needs an explicit AllowSimulation. */
    snprintf(text, sizeof text, "%sMaxAgeSeconds = 60\nBackend = sim\n", good);
    expect_conf_error(text, "Backend = sim needs 'AllowSimulation = 1'");
    snprintf(text, sizeof text, "%sMaxAgeSeconds = 60\nClockSkewSeconds = 86400\n", good);
    expect_conf_error(text, "p.conf:3: ClockSkewSeconds: policy: a clock skew of 86400 s is too large");
    snprintf(text, sizeof text, "%sMaxAgeSeconds = 60\nRuntimeDigest = %064d\n", good, 0);
    expect_conf_error(text, "p.conf:3: policy: an all-zero runtime digest");
    snprintf(text, sizeof text, "%sMaxAgeSeconds = 60\nRuntimeDigest = 12\n", good);
    expect_conf_error(text, "p.conf:3: RuntimeDigest must be 64 hex digits");
    snprintf(text, sizeof text, "%sMaxAgeSeconds = 60\nAllowSimulation = perhaps\n", good);
    expect_conf_error(text, "p.conf:3: AllowSimulation must be 0 or 1");
    /* and valid minimal ones */
    snprintf(text, sizeof text, "%sMaxAgeSeconds = 60\n", good);
    ASSERT_OK(arca_policy_parse(text, strlen(text), "p.conf", NULL, &pol));
    arca_policy_free(pol);
    snprintf(text, sizeof text, "%sReportData = 01\nBackend = sim\nAllowSimulation = 1\n", good);
    ASSERT_OK(arca_policy_parse(text, strlen(text), "p.conf", NULL, &pol));
    arca_policy_free(pol);
}

static void test_trusted_cert_must_be_a_p256_certificate(void)
{
    arca_policy_t *pol = NULL;
    ASSERT_OK(arca_policy_create(&pol));
    ASSERT_RESULT(arca_policy_add_trusted_cert(pol, (const uint8_t *)"garbage", 7), ARCA_ERR_POLICY);
    uint8_t trailing[8192];
    memcpy(trailing, p1->cert_der, p1->cert_len);
    trailing[p1->cert_len] = 0;
    ASSERT_RESULT(arca_policy_add_trusted_cert(pol, trailing, p1->cert_len + 1), ARCA_ERR_POLICY);
    ASSERT_RESULT(arca_policy_add_trusted_cert(pol, trailing, p1->cert_len - 1), ARCA_ERR_POLICY);
    ASSERT_OK(arca_policy_add_trusted_cert(pol, p1->cert_der, p1->cert_len));
    ASSERT_RESULT(arca_policy_set_report_data(pol, rd, 65), ARCA_ERR_POLICY);
    arca_policy_free(pol);
}

/* ---- certificates made here, for chains and pins ---- */

static int add_ext(X509 *cert, X509 *issuer, int nid, const char *value)
{
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer ? issuer : cert, cert, NULL, NULL, 0);
    X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
    int ok = ext && X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
    return ok;
}

/* A certificate for @p key named CN = @p cn, signed by @p issuer_key under @p issuer (self-signed
 * when issuer is NULL), valid from an hour ago for @p days. Returns it; its DER in der/der_len. */
static X509 *make_cert(const arca__ec_key *key, const char *cn, X509 *issuer,
                       const arca__ec_key *issuer_key, int ca, long days, uint8_t *der, size_t *der_len)
{
    static long serial = 1000;
    X509 *x = X509_new();
    unsigned char *out = NULL;
    EVP_PKEY *signer = arca__ec_evp(issuer ? issuer_key : key);
    X509_NAME *name = X509_get_subject_name(x);
    int ok = x && X509_set_version(x, 2) && ASN1_INTEGER_set(X509_get_serialNumber(x), serial++) &&
             X509_gmtime_adj(X509_getm_notBefore(x), -3600) &&
             X509_gmtime_adj(X509_getm_notAfter(x), days * 86400) &&
             X509_set_pubkey(x, arca__ec_evp(key)) &&
             X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0) &&
             X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : name) &&
             add_ext(x, issuer, NID_basic_constraints, ca ? "critical,CA:TRUE" : "critical,CA:FALSE") &&
             add_ext(x, issuer, NID_key_usage, ca ? "critical,digitalSignature,keyCertSign" : "critical,digitalSignature") &&
             add_ext(x, issuer, NID_subject_key_identifier, "hash") &&
             (!issuer || add_ext(x, issuer, NID_authority_key_identifier, "keyid:always")) &&
             X509_sign(x, signer, EVP_sha256()) > 0;
    int n = ok ? i2d_X509(x, &out) : -1;
    if (n <= 0 || (size_t)n > 4096) {
        X509_free(x);
        OPENSSL_free(out);
        return NULL;
    }
    memcpy(der, out, (size_t)n);
    *der_len = (size_t)n;
    OPENSSL_free(out);
    return x;
}

/* SHA-256 of a key's SubjectPublicKeyInfo: the platform id of evidence it signs. */
static void spki_id(const arca__ec_key *key, uint8_t id[32])
{
    uint8_t der[ARCA_EC_PUBKEY_DER_MAX];
    size_t n = 0;
    if (arca__ec_public_der(key, der, sizeof der, &n) != ARCA_OK || arca__sha256(der, n, id) != ARCA_OK)
        memset(id, 0, 32);
}

/* A policy matching ident, with these roots and no dev pin. */
static arca_policy_t *policy_with_root(uint16_t kind, const uint8_t *root, size_t root_len, int allow_dev)
{
    arca_policy_t *p = NULL;
    if (arca_policy_create(&p) != ARCA_OK)
        return NULL;
    if (arca_policy_add_measurement(p, ident.measurement) || arca_policy_set_max_age(p, 60) ||
        arca_policy_set_allow_dev_platform(p, allow_dev) ||
        arca_policy_add_trusted_root(p, kind, root, root_len)) {
        arca_policy_free(p);
        return NULL;
    }
    return p;
}

/* The evidence's chain must end at a pinned root; longer chains must verify as X.509 up to it. */
static void test_chain_must_end_at_a_pinned_root(void)
{
    uint8_t *ev = NULL, root_der[4096], leaf_der[4096], other_der[4096], leaf_id[32];
    size_t len = 0, root_len = 0, leaf_len = 0, other_len = 0;
    arca__ec_key *k1 = NULL, *root_key = NULL, *leaf_key = NULL, *other_key = NULL;
    arca_claims_t claims;
    ASSERT_OK(arca__dev_load_attestation_key(p1, &k1));

    /* p1's pinned certificate followed by p2's: the chain ends at an unpinned certificate.
     * (Before chains were checked, the pinned leaf alone was enough and this verified.) */
    const uint8_t *two[2] = {p1->cert_der, p2->cert_der};
    size_t two_lens[2] = {p1->cert_len, p2->cert_len};
    ASSERT_OK(build_signed(ARCA_PLATFORM_DEV, p1->platform_id, &ident, two, two_lens, 2, k1, &ev, &len));
    EXPECT_WITH(ev, len, ARCA_ERR_VERIFY_PLATFORM_UNTRUSTED, (void)0);
    ASSERT_CONTAINS(arca_verify_last_error(), "ends at a certificate the policy does not pin");
    /* With p2 pinned too the chain ends at a pin, but p2 never issued p1's certificate. */
    EXPECT_WITH(ev, len, ARCA_ERR_VERIFY_PLATFORM_UNTRUSTED, ASSERT_OK(arca_policy_add_trusted_cert_file(pol_, cert2)));
    ASSERT_CONTAINS(arca_verify_last_error(), "does not verify up to the pinned root");
    free(ev);
    ev = NULL;

    /* A real chain: a root CA, pinned for arcad platforms, and a leaf it signed. */
    ASSERT_OK(arca__ec_generate(&root_key));
    ASSERT_OK(arca__ec_generate(&leaf_key));
    ASSERT_OK(arca__ec_generate(&other_key));
    X509 *root = make_cert(root_key, "Test platform root", NULL, NULL, 1, 3650, root_der, &root_len);
    ASSERT_TRUE(root != NULL);
    X509 *leaf = make_cert(leaf_key, "Test platform leaf", root, root_key, 0, 1, leaf_der, &leaf_len);
    X509 *other = make_cert(other_key, "Unrelated", NULL, NULL, 1, 3650, other_der, &other_len);
    ASSERT_TRUE(leaf != NULL && other != NULL);
    X509_free(root);
    X509_free(leaf);
    X509_free(other);
    spki_id(leaf_key, leaf_id);
    const uint8_t *chain[3] = {leaf_der, root_der};
    size_t chain_lens[3] = {leaf_len, root_len};
    arca_policy_t *pol = policy_with_root(ARCA_PLATFORM_ARCAD, root_der, root_len, 0);
    ASSERT_TRUE(pol != NULL);
    ASSERT_OK(build_signed(ARCA_PLATFORM_ARCAD, leaf_id, &ident, chain, chain_lens, 2, leaf_key, &ev, &len));
    ASSERT_OK(arca_verify_evidence(ev, len, pol, &claims));
    ASSERT_EQ(claims.platform_kind, ARCA_PLATFORM_ARCAD);
    ASSERT_MEMEQ(claims.platform_id, leaf_id, 32);
    /* ... but not once the leaf has expired. */
    arca__evidence parsed;
    ASSERT_OK(arca__evidence_parse(ev, len, &parsed));
    ASSERT_OK(arca_policy_set_time(pol, parsed.timestamp_ns + 2ull * 86400 * 1000000000u));
    ASSERT_RESULT(arca_verify_evidence(ev, len, pol, NULL), ARCA_ERR_VERIFY_PLATFORM_UNTRUSTED);
    ASSERT_CONTAINS(arca_verify_last_error(), "expired");
    ASSERT_OK(arca_policy_set_time(pol, 0));
    free(ev);
    /* The leaf alone does not end at the pinned root. */
    ASSERT_OK(build_signed(ARCA_PLATFORM_ARCAD, leaf_id, &ident, chain, chain_lens, 1, leaf_key, &ev, &len));
    ASSERT_RESULT(arca_verify_evidence(ev, len, pol, NULL), ARCA_ERR_VERIFY_PLATFORM_UNTRUSTED);
    free(ev);
    /* A certificate that is not on the path may not ride along. */
    chain[1] = other_der, chain_lens[1] = other_len;
    chain[2] = root_der, chain_lens[2] = root_len;
    ASSERT_OK(build_signed(ARCA_PLATFORM_ARCAD, leaf_id, &ident, chain, chain_lens, 3, leaf_key, &ev, &len));
    ASSERT_RESULT(arca_verify_evidence(ev, len, pol, NULL), ARCA_ERR_VERIFY_PLATFORM_UNTRUSTED);
    ASSERT_CONTAINS(arca_verify_last_error(), "every listed certificate must be on the path");
    free(ev);
    /* A leaf the root did not sign: "other" signs evidence and claims the root. */
    uint8_t other_id[32];
    spki_id(other_key, other_id);
    chain[0] = other_der, chain_lens[0] = other_len;
    chain[1] = root_der, chain_lens[1] = root_len;
    ASSERT_OK(build_signed(ARCA_PLATFORM_ARCAD, other_id, &ident, chain, chain_lens, 2, other_key, &ev, &len));
    ASSERT_RESULT(arca_verify_evidence(ev, len, pol, NULL), ARCA_ERR_VERIFY_PLATFORM_UNTRUSTED);
    free(ev);
    /* Dev evidence under a root pinned for arcad: dev unless allowed, then a forged kind. */
    chain[0] = leaf_der, chain_lens[0] = leaf_len;
    ASSERT_OK(build_signed(ARCA_PLATFORM_DEV, leaf_id, &ident, chain, chain_lens, 2, leaf_key, &ev, &len));
    ASSERT_RESULT(arca_verify_evidence(ev, len, pol, NULL), ARCA_ERR_VERIFY_DEV_PLATFORM);
    ASSERT_OK(arca_policy_set_allow_dev_platform(pol, 1));
    ASSERT_RESULT(arca_verify_evidence(ev, len, pol, NULL), ARCA_ERR_BAD_EVIDENCE);
    ASSERT_CONTAINS(arca_verify_last_error(), "root pinned for arcad platforms");
    arca_policy_free(pol);
    /* The same chain pinned as a dev platform's root verifies as dev evidence. */
    pol = policy_with_root(ARCA_PLATFORM_DEV, root_der, root_len, 1);
    ASSERT_TRUE(pol != NULL);
    ASSERT_OK(arca_verify_evidence(ev, len, pol, NULL));
    arca_policy_free(pol);
    free(ev);
    arca__ec_free(k1);
    arca__ec_free(root_key);
    arca__ec_free(leaf_key);
    arca__ec_free(other_key);
}

/* Whether a platform is dev is decided by the pin and the signed kind, never by subject text. */
static void test_platform_kind_comes_from_the_pin_not_the_subject(void)
{
    uint8_t *ev = NULL, plain_der[4096], plain_id[32];
    size_t len = 0, plain_len = 0;
    arca__ec_key *plain_key = NULL, *k1 = NULL;
    ASSERT_OK(arca__ec_generate(&plain_key));
    X509 *plain = make_cert(plain_key, "Platform 7", NULL, NULL, 1, 3650, plain_der, &plain_len);
    ASSERT_TRUE(plain != NULL);
    X509_free(plain);
    spki_id(plain_key, plain_id);
    const uint8_t *certs[1] = {plain_der};
    size_t lens[1] = {plain_len};
    /* A dev key holder whose certificate does not say "dev" claims arcad: still dev, because the
     * relying party pinned that certificate as a dev platform's (TrustedPlatformCert). */
    ASSERT_OK(build_signed(ARCA_PLATFORM_ARCAD, plain_id, &ident, certs, lens, 1, plain_key, &ev, &len));
    arca_policy_t *pol = policy_with_root(ARCA_PLATFORM_DEV, plain_der, plain_len, 0);
    ASSERT_TRUE(pol != NULL);
    ASSERT_RESULT(arca_verify_evidence(ev, len, pol, NULL), ARCA_ERR_VERIFY_DEV_PLATFORM);
    arca_policy_free(pol);
    /* Pinned as an arcad root, the same evidence verifies: the pin decides. */
    pol = policy_with_root(ARCA_PLATFORM_ARCAD, plain_der, plain_len, 0);
    ASSERT_TRUE(pol != NULL);
    ASSERT_OK(arca_verify_evidence(ev, len, pol, NULL));
    arca_policy_free(pol);
    free(ev);
    /* A certificate whose subject says "Arca DEV PLATFORM", pinned as an arcad root, carries
     * arcad evidence: the subject is a label, not a trust decision. */
    ASSERT_OK(arca__dev_load_attestation_key(p1, &k1));
    certs[0] = p1->cert_der, lens[0] = p1->cert_len;
    ASSERT_OK(build_signed(ARCA_PLATFORM_ARCAD, p1->platform_id, &ident, certs, lens, 1, k1, &ev, &len));
    pol = policy_with_root(ARCA_PLATFORM_ARCAD, p1->cert_der, p1->cert_len, 0);
    ASSERT_TRUE(pol != NULL);
    ASSERT_OK(arca_verify_evidence(ev, len, pol, NULL));
    /* One root, one kind. */
    ASSERT_RESULT(arca_policy_add_trusted_cert(pol, p1->cert_der, p1->cert_len), ARCA_ERR_POLICY);
    ASSERT_CONTAINS(arca_verify_last_error(), "already pinned as a root of arcad platforms");
    ASSERT_OK(arca_policy_add_trusted_root(pol, ARCA_PLATFORM_ARCAD, p1->cert_der, p1->cert_len));
    ASSERT_RESULT(arca_policy_add_trusted_root(pol, 9, p1->cert_der, p1->cert_len), ARCA_ERR_POLICY);
    arca_policy_free(pol);
    free(ev);
    arca__ec_free(k1);
    arca__ec_free(plain_key);
}

/* Evidence from a backend that does not isolate the enclave is refused unless allowed. */
static void test_simulation_needs_allow_simulation(void)
{
    static const uint16_t not_isolating[] = {ARCA_BACKEND_ID_SIM, ARCA_BACKEND_ID_NONE, 77};
    for (size_t i = 0; i < sizeof not_isolating / sizeof not_isolating[0]; i++) {
        uint8_t *ev = NULL;
        size_t len = 0;
        arca_identity_t id = ident;
        id.backend = not_isolating[i];
        id.protections = 0;
        ASSERT_OK(evidence_for(p1, &id, &ev, &len));
        EXPECT_WITH(ev, len, ARCA_ERR_VERIFY_SIMULATION, (void)0);
        ASSERT_CONTAINS(arca_verify_last_error(), "AllowSimulation = 1");
        /* Naming the backend in the policy is not the same as allowing it. */
        EXPECT_WITH(ev, len, ARCA_ERR_VERIFY_SIMULATION, ASSERT_OK(arca_policy_set_backend(pol_, id.backend)));
        EXPECT_WITH(ev, len, ARCA_OK, ASSERT_OK(arca_policy_set_allow_simulation(pol_, 1)));
        free(ev);
    }
    /* The isolating backends need no such permission. */
    static const uint16_t isolating[] = {ARCA_BACKEND_ID_PROCESS, ARCA_BACKEND_ID_SGX, ARCA_BACKEND_ID_CVM};
    for (size_t i = 0; i < sizeof isolating / sizeof isolating[0]; i++) {
        uint8_t *ev = NULL;
        size_t len = 0;
        arca_identity_t id = ident;
        id.backend = isolating[i];
        ASSERT_OK(evidence_for(p1, &id, &ev, &len));
        EXPECT_WITH(ev, len, ARCA_OK, (void)0);
        free(ev);
    }
}

/* Protection bits that cannot be true together are refused, whatever the policy allows. */
static void test_contradictory_protections_are_refused(void)
{
    static const struct {
        uint16_t backend;
        uint32_t protections;
        const char *why;
    } bad[] = {
        {ARCA_BACKEND_ID_PROCESS, ARCA_PROT_SEPARATE_PROCESS | ARCA_PROT_SECRETMEM | ARCA_PROT_MLOCK, "secretmem and mlock"},
        {ARCA_BACKEND_ID_SIM, ARCA_PROT_NODUMP, "protections on backend sim"},
        {ARCA_BACKEND_ID_SIM, ARCA_PROT_SEPARATE_PROCESS, "protections on backend sim"},
        {ARCA_BACKEND_ID_PROCESS, ARCA_PROT_SECCOMP | ARCA_PROT_LANDLOCK, "without separate-process"},
        {ARCA_BACKEND_ID_SGX, ARCA_PROT_NAMESPACES, "without separate-process"},
        {ARCA_BACKEND_ID_PROCESS, 0, "no separate-process"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        uint8_t *ev = NULL;
        size_t len = 0;
        arca_identity_t id = ident;
        id.backend = bad[i].backend;
        id.protections = bad[i].protections;
        ASSERT_OK(evidence_for(p1, &id, &ev, &len));
        EXPECT_WITH(ev, len, ARCA_ERR_VERIFY_PROTECTIONS, {
            ASSERT_OK(arca_policy_set_allow_simulation(pol_, 1));
            ASSERT_OK(arca_policy_set_allow_debug(pol_, 1));
        });
        ASSERT_CONTAINS(arca_verify_last_error(), bad[i].why);
        free(ev);
    }
    static const struct {
        uint16_t backend;
        uint32_t protections;
    } good[] = {
        {ARCA_BACKEND_ID_SIM, 0},
        {ARCA_BACKEND_ID_PROCESS, ARCA_PROT_SEPARATE_PROCESS},
        {ARCA_BACKEND_ID_PROCESS, ARCA_PROT_SEPARATE_PROCESS | ARCA_PROT_SECRETMEM | ARCA_PROT_SECCOMP |
                                      ARCA_PROT_LANDLOCK | ARCA_PROT_NAMESPACES | ARCA_PROT_NODUMP},
        {ARCA_BACKEND_ID_PROCESS, ARCA_PROT_SEPARATE_PROCESS | ARCA_PROT_MLOCK},
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        uint8_t *ev = NULL;
        size_t len = 0;
        arca_identity_t id = ident;
        id.backend = good[i].backend;
        id.protections = good[i].protections;
        ASSERT_OK(evidence_for(p1, &id, &ev, &len));
        EXPECT_WITH(ev, len, ARCA_OK, ASSERT_OK(arca_policy_set_allow_simulation(pol_, 1)));
        free(ev);
    }
}

/* RuntimeDigest pins the runtime that ran the image; any listed one passes. */
static void test_runtime_digest_is_pinned(void)
{
    uint8_t *ev = NULL, *unnamed = NULL, other[32], zero[32] = {0}, saved[32];
    size_t len = 0, ulen = 0;
    memset(other, 0x5A, sizeof other);
    ASSERT_OK(evidence_for(p1, &ident, &ev, &len));
    EXPECT_WITH(ev, len, ARCA_OK, ASSERT_OK(arca_policy_add_runtime_digest(pol_, runtime)));
    EXPECT_WITH(ev, len, ARCA_ERR_VERIFY_RUNTIME, ASSERT_OK(arca_policy_add_runtime_digest(pol_, other)));
    ASSERT_CONTAINS(arca_verify_last_error(), "a0a1a2a3a4a5a6a7... is not among the policy's 1 accepted runtimes");
    EXPECT_WITH(ev, len, ARCA_OK, {
        ASSERT_OK(arca_policy_add_runtime_digest(pol_, other));
        ASSERT_OK(arca_policy_add_runtime_digest(pol_, runtime));
    });
    /* Evidence whose launcher named no runtime passes only a policy that pins none. */
    memcpy(saved, runtime, 32);
    memset(runtime, 0, 32);
    ASSERT_OK(evidence_for(p1, &ident, &unnamed, &ulen));
    memcpy(runtime, saved, 32);
    EXPECT_WITH(unnamed, ulen, ARCA_OK, (void)0);
    EXPECT_WITH(unnamed, ulen, ARCA_ERR_VERIFY_RUNTIME, ASSERT_OK(arca_policy_add_runtime_digest(pol_, runtime)));
    ASSERT_CONTAINS(arca_verify_last_error(), "names no runtime");
    /* "Not said" cannot be pinned. */
    arca_policy_t *pol = base_policy();
    ASSERT_TRUE(pol != NULL);
    ASSERT_RESULT(arca_policy_add_runtime_digest(pol, zero), ARCA_ERR_POLICY);
    arca_policy_free(pol);
    free(ev);
    free(unnamed);
}

/* The expected report data from the caller (arca verify --nonce), library and CLI. */
static void test_nonce_from_the_caller(const char *arca_cli)
{
    char conf[PATH_MAX], conf_rd[PATH_MAX], evpath[PATH_MAX], text[2048], m[65], hex[129],
        cmd[3 * PATH_MAX + 600];
    uint8_t *ev = NULL, other[64];
    size_t len = 0;
    arca_policy_t *pol = NULL;
    hex_encode(ident.measurement, 32, m);
    hex_encode(rd, 64, hex);
    snprintf(conf, sizeof conf, "%s/nonce.conf", base);
    snprintf(conf_rd, sizeof conf_rd, "%s/nonce-rd.conf", base);
    snprintf(evpath, sizeof evpath, "%s/nonce-evidence.bin", base);
    snprintf(text, sizeof text, "Measurement = %s\nAllowDevPlatform = 1\nTrustedPlatformCert = %s\n", m, cert1);
    write_text(conf, text);
    snprintf(text + strlen(text), sizeof text - strlen(text), "ReportData = %s\n", hex);
    write_text(conf_rd, text);
    ASSERT_OK(evidence_for(p1, &ident, &ev, &len));
    FILE *f = fopen(evpath, "wb");
    ASSERT_TRUE(f != NULL);
    ASSERT_UEQ(fwrite(ev, 1, len, f), len);
    fclose(f);

    /* Without a nonce the policy demands no freshness and does not load. */
    ASSERT_RESULT(arca_policy_load_file(conf, &pol), ARCA_ERR_POLICY);
    ASSERT_CONTAINS(arca_verify_last_error(), "demands no freshness");
    ASSERT_OK(arca_policy_load_file_with_nonce(conf, rd, 64, &pol));
    ASSERT_OK(arca_verify_evidence(ev, len, pol, NULL));
    arca_policy_free(pol);
    memcpy(other, rd, 64);
    other[0] ^= 1;
    ASSERT_OK(arca_policy_load_file_with_nonce(conf, other, 64, &pol));
    ASSERT_RESULT(arca_verify_evidence(ev, len, pol, NULL), ARCA_ERR_VERIFY_REPORT_DATA);
    arca_policy_free(pol);
    ASSERT_RESULT(arca_policy_load_file_with_nonce(conf_rd, rd, 64, &pol), ARCA_ERR_POLICY);
    ASSERT_CONTAINS(arca_verify_last_error(), "keep one of the two");
    ASSERT_RESULT(arca_policy_load_file_with_nonce(conf, rd, 65, &pol), ARCA_ERR_POLICY);
    ASSERT_RESULT(arca_policy_load_file_with_nonce(conf, rd, 0, &pol), ARCA_ERR_POLICY);

    /* The same from a shell. */
    snprintf(cmd, sizeof cmd, "'%s' verify --policy '%s' --nonce %s '%s' >/dev/null 2>&1", arca_cli, conf, hex, evpath);
    ASSERT_EQ(WEXITSTATUS(system(cmd)), 0);
    snprintf(cmd, sizeof cmd, "'%s' verify --policy '%s' --nonce 00%.126s '%s' 2>&1 | grep -q ERR_VERIFY_REPORT_DATA",
             arca_cli, conf, hex + 2, evpath);
    ASSERT_EQ(WEXITSTATUS(system(cmd)), 0);
    snprintf(cmd, sizeof cmd, "'%s' verify --policy '%s' '%s' 2>&1 | grep -q 'demands no freshness'", arca_cli, conf, evpath);
    ASSERT_EQ(WEXITSTATUS(system(cmd)), 0);
    snprintf(cmd, sizeof cmd, "'%s' verify --policy '%s' '%s' >/dev/null 2>&1", arca_cli, conf, evpath);
    ASSERT_EQ(WEXITSTATUS(system(cmd)), 1);
    snprintf(cmd, sizeof cmd, "'%s' verify --policy '%s' --nonce xyz '%s' >/dev/null 2>&1", arca_cli, conf, evpath);
    ASSERT_EQ(WEXITSTATUS(system(cmd)), 2);
    snprintf(cmd, sizeof cmd, "'%s' verify --policy '%s' --nonce %s '%s' 2>&1 | grep -q 'keep one of the two'",
             arca_cli, conf_rd, hex, evpath);
    ASSERT_EQ(WEXITSTATUS(system(cmd)), 0);
    free(ev);
}

/* One policy verifies one kind of evidence: a policy for hardware evidence refuses Arca
 * evidence before looking at it further, however well it is signed. */
static void test_hardware_policy_refuses_arca_evidence(void)
{
    uint8_t *ev = NULL;
    size_t len = 0;
    char text[512];
    arca_policy_t *pol = NULL;
    snprintf(text, sizeof text, "TEE = sgx\nSGX.MRENCLAVE = %064d\nReportData = 01\n", 0);
    ASSERT_OK(arca_policy_parse(text, strlen(text), "hw.conf", NULL, &pol));
    ASSERT_OK(evidence_for(p1, &ident, &ev, &len));
    ASSERT_RESULT(arca_verify_evidence(ev, len, pol, NULL), ARCA_ERR_VERIFY_BACKEND);
    ASSERT_CONTAINS(arca_verify_last_error(), "this is Arca evidence, but the policy is for hardware");
    arca_policy_free(pol);
    free(ev);
}

static void test_nonce_cli(void)
{
    test_nonce_from_the_caller(arca_cli_path);
}

int main(int argc, char **argv)
{
    int rc = 1;
    if (argc != 2) {
        fprintf(stderr, "usage: %s PATH-TO-arca\n", argv[0]);
        return 2;
    }
    arca_cli_path = argv[1];
    snprintf(base, sizeof base, "/tmp/arca-test-verify-XXXXXX");
    if (!mkdtemp(base))
        return 1;
    snprintf(dir1, sizeof dir1, "%s/platform1", base);
    snprintf(dir2, sizeof dir2, "%s/platform2", base);
    snprintf(cert1, sizeof cert1, "%s/%s", dir1, ARCA_DEV_CERT_FILE);
    snprintf(cert2, sizeof cert2, "%s/%s", dir2, ARCA_DEV_CERT_FILE);
    if (arca__dev_platform.open(dir1, &p1) != ARCA_OK || arca__dev_platform.open(dir2, &p2) != ARCA_OK)
        goto out;
    ident = make_identity();
    for (int i = 0; i < 64; i++)
        rd[i] = (uint8_t)(i * 3 + 1);
    for (int i = 0; i < 32; i++)
        runtime[i] = (uint8_t)(0xA0 + i);
    RUN(test_matching_policy_verifies_and_claims_export);
    RUN(test_each_policy_field_fails_with_its_own_result);
    RUN(test_report_data_prefix_is_zero_padded);
    RUN(test_freshness);
    RUN(test_every_bit_flip_fails);
    RUN(test_forgeries_truncation_and_extension);
    RUN(test_policy_conf_file);
    RUN(test_policy_conf_errors);
    RUN(test_trusted_cert_must_be_a_p256_certificate);
    RUN(test_chain_must_end_at_a_pinned_root);
    RUN(test_platform_kind_comes_from_the_pin_not_the_subject);
    RUN(test_simulation_needs_allow_simulation);
    RUN(test_contradictory_protections_are_refused);
    RUN(test_runtime_digest_is_pinned);
    RUN(test_hardware_policy_refuses_arca_evidence);
    RUN(test_nonce_cli);
    rc = TEST_SUMMARY();
out:
    arca__dev_platform.close(p1);
    arca__dev_platform.close(p2);
    char cmd[PATH_MAX + 16];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", base);
    if (system(cmd) != 0)
        fprintf(stderr, "warning: could not remove %s\n", base);
    return rc;
}
