/*
 * test_verify.c — arca_verify_evidence and policy.conf, with evidence from real dev
 * platforms: a matching policy verifies; each mismatching field fails with its own result;
 * every single-bit flip fails; forged, re-signed, truncated and extended evidence fails;
 * dev platforms, debug enclaves and unpinned certificates are refused unless allowed;
 * freshness; the policy.conf parser's errors name file and line.
 */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wformat-truncation" /* test paths are short */
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "arca/verify.h"
#include "common/evidence.h"
#include "host/platform/dev_internal.h"
#include "test.h"
#include "hex.h"

static char base[PATH_MAX], dir1[PATH_MAX], dir2[PATH_MAX], cert1[PATH_MAX], cert2[PATH_MAX];
static arca__platform *p1, *p2;
static arca_identity_t ident;
static uint8_t rd[64];

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
    id.backend = ARCA_BACKEND_ID_SIM;
    id.protections = ARCA_PROT_NODUMP;
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
    return arca__dev_platform.evidence(p, id, rd, ev, len);
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
    ASSERT_MEMEQ(claims.platform_id, p1->platform_id, 32);
    ASSERT_MEMEQ(claims.report_data, rd, 64);
    char json[2048];
    size_t needed = 0;
    ASSERT_OK(arca_claims_to_json(&claims, json, sizeof json, &needed));
    ASSERT_UEQ(needed, strlen(json) + 1);
    ASSERT_CONTAINS(json, "\"platform\":\"dev\"");
    ASSERT_CONTAINS(json, "\"measurement\":\"101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f\"");
    ASSERT_CONTAINS(json, "\"product_id\":7,\"svn\":3,\"debug\":false");
    ASSERT_CONTAINS(json, "\"backend\":\"sim\",\"protections\":\"nodump\"");
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
    });
    ASSERT_CONTAINS(arca_verify_last_error(), "no product id");
    EXPECT_WITH(ev, len, ARCA_ERR_POLICY, {
        arca_policy_free(pol_);
        ASSERT_OK(arca_policy_create(&pol_));
        ASSERT_OK(arca_policy_add_measurement(pol_, ident.measurement));
        ASSERT_OK(arca_policy_set_signer(pol_, ident.signer_id));
        ASSERT_OK(arca_policy_set_allow_dev_platform(pol_, 1));
        ASSERT_OK(arca_policy_add_trusted_cert_file(pol_, cert1));
    });
    EXPECT_WITH(ev, len, ARCA_OK, {
        arca_policy_free(pol_);
        ASSERT_OK(arca_policy_create(&pol_));
        ASSERT_OK(arca_policy_set_product_id(pol_, ident.product_id));
        ASSERT_OK(arca_policy_set_signer(pol_, ident.signer_id));
        ASSERT_OK(arca_policy_set_allow_dev_platform(pol_, 1));
        ASSERT_OK(arca_policy_add_trusted_cert_file(pol_, cert1));
    });
    EXPECT_WITH(ev, len, ARCA_ERR_VERIFY_SVN, ASSERT_OK(arca_policy_set_min_svn(pol_, 4)));
    EXPECT_WITH(ev, len, ARCA_OK, ASSERT_OK(arca_policy_set_min_svn(pol_, 2)));
    EXPECT_WITH(ev, len, ARCA_ERR_VERIFY_REPORT_DATA, ASSERT_OK(arca_policy_set_report_data(pol_, other, 32)));
    EXPECT_WITH(ev, len, ARCA_ERR_VERIFY_DEV_PLATFORM, ASSERT_OK(arca_policy_set_allow_dev_platform(pol_, 0)));
    EXPECT_WITH(dbg, dlen, ARCA_ERR_VERIFY_DEBUG, (void)0);
    EXPECT_WITH(dbg, dlen, ARCA_OK, ASSERT_OK(arca_policy_set_allow_debug(pol_, 1)));
    EXPECT_WITH(ev, len, ARCA_ERR_VERIFY_BACKEND, ASSERT_OK(arca_policy_set_backend(pol_, ARCA_BACKEND_ID_PROCESS)));
    EXPECT_WITH(ev, len, ARCA_OK, ASSERT_OK(arca_policy_set_backend(pol_, ARCA_BACKEND_ID_SIM)));
    EXPECT_WITH(ev, len, ARCA_ERR_VERIFY_BACKEND, ASSERT_OK(arca_policy_require_protections(pol_, ARCA_PROT_SECCOMP)));
    EXPECT_WITH(ev, len, ARCA_OK, ASSERT_OK(arca_policy_require_protections(pol_, ARCA_PROT_NODUMP)));
    /* untrusted platform: only the other platform pinned, or none at all */
    EXPECT_WITH(ev, len, ARCA_ERR_VERIFY_PLATFORM_UNTRUSTED, {
        arca_policy_free(pol_);
        ASSERT_OK(arca_policy_create(&pol_));
        ASSERT_OK(arca_policy_add_measurement(pol_, ident.measurement));
        ASSERT_OK(arca_policy_set_allow_dev_platform(pol_, 1));
        ASSERT_OK(arca_policy_add_trusted_cert_file(pol_, cert2));
    });
    EXPECT_WITH(ev, len, ARCA_ERR_VERIFY_PLATFORM_UNTRUSTED, {
        arca_policy_free(pol_);
        ASSERT_OK(arca_policy_create(&pol_));
        ASSERT_OK(arca_policy_add_measurement(pol_, ident.measurement));
        ASSERT_OK(arca_policy_set_allow_dev_platform(pol_, 1));
    });
    EXPECT_WITH(ev, len, ARCA_OK, ASSERT_OK(arca_policy_add_trusted_cert_file(pol_, cert2)));
    /* a policy that names no enclave is refused */
    EXPECT_WITH(ev, len, ARCA_ERR_POLICY, {
        arca_policy_free(pol_);
        ASSERT_OK(arca_policy_create(&pol_));
        ASSERT_OK(arca_policy_set_allow_dev_platform(pol_, 1));
        ASSERT_OK(arca_policy_add_trusted_cert_file(pol_, cert1));
    });
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
        ASSERT_OK(arca_policy_set_max_age(pol_, 0)); /* no limit */
    });
    EXPECT_WITH(ev, len, ARCA_OK, ASSERT_OK(arca_policy_set_time(pol_, t - 299 * s)));
    EXPECT_WITH(ev, len, ARCA_ERR_VERIFY_FUTURE, ASSERT_OK(arca_policy_set_time(pol_, t - 301 * s)));
    EXPECT_WITH(ev, len, ARCA_ERR_VERIFY_FUTURE, {
        ASSERT_OK(arca_policy_set_time(pol_, t - 2 * s));
        ASSERT_OK(arca_policy_set_clock_skew(pol_, 1));
    });
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
    ASSERT_OK(arca__evidence_build(ARCA_PLATFORM_KIND_DEV, p1->platform_id, &ident, rd, 
                                   (uint64_t)time(NULL) * 1000000000u, certs, lens, 1, &forged, &flen));
    ASSERT_OK(arca__ec_sign(p2->attestation_key, forged, flen - 64, forged + flen - 64));
    EXPECT_WITH(forged, flen, ARCA_ERR_VERIFY_SIGNATURE, (void)0);
    free(forged);
    forged = NULL;
    /* Correctly signed by p1, but claiming another platform id. */
    ASSERT_OK(arca__evidence_build(ARCA_PLATFORM_KIND_DEV, p2->platform_id, &ident, rd,
                                   (uint64_t)time(NULL) * 1000000000u, certs, lens, 1, &forged, &flen));
    ASSERT_OK(arca__ec_sign(p1->attestation_key, forged, flen - 64, forged + flen - 64));
    EXPECT_WITH(forged, flen, ARCA_ERR_BAD_EVIDENCE, (void)0);
    free(forged);
    forged = NULL;
    /* Correctly signed by p1 (a dev platform, whose key the host user holds), but claiming to
     * come from an arcad platform: still dev evidence, refused without AllowDevPlatform and
     * refused as forged with it. */
    ASSERT_OK(arca__evidence_build(ARCA_PLATFORM_KIND_ARCAD, p1->platform_id, &ident, rd,
                                   (uint64_t)time(NULL) * 1000000000u, certs, lens, 1, &forged, &flen));
    ASSERT_OK(arca__ec_sign(p1->attestation_key, forged, flen - 64, forged + flen - 64));
    EXPECT_WITH(forged, flen, ARCA_ERR_VERIFY_DEV_PLATFORM,
                ASSERT_OK(arca_policy_set_allow_dev_platform(pol_, 0)));
    ASSERT_CONTAINS(arca_verify_last_error(), "certificate is a dev platform's");
    EXPECT_WITH(forged, flen, ARCA_ERR_BAD_EVIDENCE, (void)0);
    EXPECT_WITH(ev, len, ARCA_ERR_VERIFY_DEV_PLATFORM,
                ASSERT_OK(arca_policy_set_allow_dev_platform(pol_, 0)));
    free(forged);
    for (size_t n = 0; n < len; n += (n < 300 ? 1 : 37))
        EXPECT_WITH(ev, n, ARCA_ERR_BAD_EVIDENCE, (void)0);
    uint8_t *longer = calloc(1, len + 1);
    memcpy(longer, ev, len);
    EXPECT_WITH(longer, len + 1, ARCA_ERR_BAD_EVIDENCE, (void)0);
    free(longer);
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
    char conf_dir[PATH_MAX], conf[PATH_MAX], text[4096], m[65], s[65], r[129], der[PATH_MAX];
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
             "Backend = sim\n"
             "RequireProtections = nodump\n",
             m, s, cert2, r);
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
    snprintf(text, sizeof text, "SignerID = %064d\nProductID = 0\n", 1);
    arca_policy_t *signer_pol = NULL;
    ASSERT_OK(arca_policy_parse(text, strlen(text), "p.conf", NULL, &signer_pol));
    arca_policy_free(signer_pol);
    arca_policy_t *pol = NULL;
    ASSERT_RESULT(arca_policy_parse("Measurement\0 = 1", 17, "p.conf", NULL, &pol), ARCA_ERR_POLICY);
    ASSERT_CONTAINS(arca_verify_last_error(), "NUL");
    ASSERT_RESULT(arca_policy_load_file("/nonexistent/policy.conf", &pol), ARCA_ERR_POLICY);
    ASSERT_CONTAINS(arca_verify_last_error(), "/nonexistent/policy.conf");
    /* and a valid minimal one */
    ASSERT_OK(arca_policy_parse(good, strlen(good), "p.conf", NULL, &pol));
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

int main(void)
{
    int rc = 1;
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
    RUN(test_matching_policy_verifies_and_claims_export);
    RUN(test_each_policy_field_fails_with_its_own_result);
    RUN(test_report_data_prefix_is_zero_padded);
    RUN(test_freshness);
    RUN(test_every_bit_flip_fails);
    RUN(test_forgeries_truncation_and_extension);
    RUN(test_policy_conf_file);
    RUN(test_policy_conf_errors);
    RUN(test_trusted_cert_must_be_a_p256_certificate);
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
