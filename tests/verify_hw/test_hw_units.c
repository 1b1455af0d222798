/*
 * test_hw_units.c — the pieces of the hardware verifier one by one: Intel's status
 * convergence, dates, the quote / SNP report / HCL parsers on every truncation and on each
 * malformed field, collateral documents, the certificate extensions of real certificates,
 * the claims JSON writer, format detection and the chain cache (hits, and verdicts that
 * expire with their time window).
 */
#include <json-c/json.h>

#include "crypto/crypto_x509.h"
#include "base/le.h"
#include "hw_test.h"
#include "verify/azure/hcl.h"
#include "verify/intel/dcap_quote.h"
#include "verify/intel/tcb_eval.h"
#include "verify/snp/snp_report.h"

static arca__hw_claims claims;

static void test_converge(void)
{
    /* Intel's table: a QE or TDX module status applied to a platform status. */
    ASSERT_EQ(arca__tcb_converge(ARCA__TCB_UP_TO_DATE, ARCA__TCB_UP_TO_DATE), ARCA__TCB_UP_TO_DATE);
    ASSERT_EQ(arca__tcb_converge(ARCA__TCB_UP_TO_DATE, ARCA__TCB_OUT_OF_DATE),
              ARCA__TCB_OUT_OF_DATE);
    ASSERT_EQ(arca__tcb_converge(ARCA__TCB_SW_HARDENING_NEEDED, ARCA__TCB_OUT_OF_DATE),
              ARCA__TCB_OUT_OF_DATE);
    ASSERT_EQ(arca__tcb_converge(ARCA__TCB_CONFIGURATION_NEEDED, ARCA__TCB_OUT_OF_DATE),
              ARCA__TCB_OUT_OF_DATE_CONFIGURATION_NEEDED);
    ASSERT_EQ(
        arca__tcb_converge(ARCA__TCB_CONFIGURATION_AND_SW_HARDENING_NEEDED, ARCA__TCB_OUT_OF_DATE),
        ARCA__TCB_OUT_OF_DATE_CONFIGURATION_NEEDED);
    ASSERT_EQ(arca__tcb_converge(ARCA__TCB_OUT_OF_DATE, ARCA__TCB_OUT_OF_DATE),
              ARCA__TCB_OUT_OF_DATE);
    ASSERT_EQ(arca__tcb_converge(ARCA__TCB_SW_HARDENING_NEEDED, ARCA__TCB_UP_TO_DATE),
              ARCA__TCB_SW_HARDENING_NEEDED);
    ASSERT_EQ(arca__tcb_converge(ARCA__TCB_UP_TO_DATE, ARCA__TCB_REVOKED), ARCA__TCB_REVOKED);
    ASSERT_EQ(arca__tcb_converge(ARCA__TCB_REVOKED, ARCA__TCB_UP_TO_DATE), ARCA__TCB_REVOKED);
}

static void test_status_names_and_dates(void)
{
    arca__tcb_status s;
    int64_t t;
    for (int i = ARCA__TCB_NOT_EVALUATED; i <= ARCA__TCB_REVOKED; i++) {
        ASSERT_EQ(arca__tcb_status_parse(arca__tcb_status_name((arca__tcb_status)i), &s), 0);
        ASSERT_EQ(s, i);
    }
    ASSERT_EQ(arca__tcb_status_parse("uptodate", &s), -1);
    ASSERT_EQ(arca__tcb_status_parse("TDRelaunchAdvised", &s), -1);
    ASSERT_EQ(arca__intel_parse_date("2025-06-19T10:56:11Z", &t), 0);
    ASSERT_EQ(t, 1750330571);
    ASSERT_EQ(arca__intel_parse_date("2025-06-19T10:56:11.123Z", &t), 0);
    ASSERT_EQ(arca__intel_parse_date("2025-06-19T10:56:11", &t), -1);
    ASSERT_EQ(arca__intel_parse_date("2025-06-19 10:56:11Z", &t), -1);
    ASSERT_EQ(arca__intel_parse_date("2025-13-19T10:56:11Z", &t), -1);
    ASSERT_EQ(arca__intel_parse_date("2025-06-19T10:56:11Zjunk", &t), -1);
    ASSERT_STREQ(arca__tee_name(ARCA__TEE_TDX), "tdx");
}

static void test_quote_parser(void)
{
    size_t len = 0;
    uint8_t *q = hw_read("sgx-tdx/dcap-qvl/tdx_quote", &len);
    arca__dcap_quote p;
    ASSERT_OK(arca__dcap_quote_parse(q, len, &p));
    ASSERT_EQ(p.total_len, len - 70);
    /* Every truncation inside the quote is refused (never read past the end). */
    for (size_t n = 0; n < p.total_len; n++)
        ASSERT_TRUE(arca__dcap_quote_parse(q, n, &p) != ARCA_OK);
    q[0] = 6;
    ASSERT_RESULT(arca__dcap_quote_parse(q, len, &p), ARCA_ERR_BAD_VERSION);
    q[0] = 4;
    q[2] = 3; /* ECDSA P-384 attestation key */
    ASSERT_RESULT(arca__dcap_quote_parse(q, len, &p), ARCA_ERR_UNSUPPORTED);
    q[2] = 2;
    q[4] = 0x80; /* neither SGX nor TDX */
    ASSERT_RESULT(arca__dcap_quote_parse(q, len, &p), ARCA_ERR_BAD_EVIDENCE);
    q[4] = 0x81;
    q[12] ^= 1; /* not Intel's QE */
    ASSERT_RESULT(arca__dcap_quote_parse(q, len, &p), ARCA_ERR_UNSUPPORTED);
    q[12] ^= 1;
    q[764] = 1; /* outer certification data type 1 instead of 6 */
    ASSERT_RESULT(arca__dcap_quote_parse(q, len, &p), ARCA_ERR_UNSUPPORTED);
    q[764] = 6;
    q[632]++; /* signature data length one more: the nested sizes no longer add up */
    ASSERT_RESULT(arca__dcap_quote_parse(q, len, &p), ARCA_ERR_BAD_EVIDENCE);
    q[632]--;
    ASSERT_OK(arca__dcap_quote_parse(q, len, &p));
    ASSERT_EQ(arca__dcap_quote_detect(q, len), 1);
    free(q);

    /* v5: the body type must fit the TEE type and its size. */
    q = hw_read("sgx-tdx/go-tdx-guest/quote_v5_sample.dat", &len);
    ASSERT_OK(arca__dcap_quote_parse(q, len, &p));
    ASSERT_EQ(p.body_type, ARCA__DCAP_BODY_TD15);
    q[48] = 1; /* SGX body in a TDX quote */
    ASSERT_RESULT(arca__dcap_quote_parse(q, len, &p), ARCA_ERR_BAD_EVIDENCE);
    q[48] = 3;
    q[50] = 0x87; /* 647 bytes */
    ASSERT_RESULT(arca__dcap_quote_parse(q, len, &p), ARCA_ERR_BAD_EVIDENCE);
    free(q);
}

static void test_snp_parser(void)
{
    size_t len = 0;
    uint8_t *r = hw_read("sev-snp/trustee/test-report.bin", &len);
    arca__hw_snp s;
    uint8_t rr[48], ss[48];
    arca__snp_tcb t;

    ASSERT_OK(arca__snp_report_parse(r, len, &s, rr, ss));
    ASSERT_RESULT(arca__snp_report_parse(r, len - 1, &s, rr, ss), ARCA_ERR_BAD_EVIDENCE);
    r[0] = 4;
    ASSERT_RESULT(arca__snp_report_parse(r, len, &s, rr, ss), ARCA_ERR_BAD_VERSION);
    r[0] = 2;
    r[0x34] = 2;
    ASSERT_RESULT(arca__snp_report_parse(r, len, &s, rr, ss), ARCA_ERR_UNSUPPORTED);
    r[0x34] = 1;
    r[0x48] = 7 << 2; /* SIGNING_KEY = none */
    ASSERT_RESULT(arca__snp_report_parse(r, len, &s, rr, ss), ARCA_ERR_BAD_EVIDENCE);
    r[0x48] = 0x20; /* a reserved signer-info bit */
    ASSERT_RESULT(arca__snp_report_parse(r, len, &s, rr, ss), ARCA_ERR_BAD_EVIDENCE);
    r[0x48] = 0;
    r[0x4C] = 1;
    ASSERT_RESULT(arca__snp_report_parse(r, len, &s, rr, ss), ARCA_ERR_BAD_EVIDENCE);
    r[0x4C] = 0;
    r[0x2A0 + 60] = 1; /* padding above the 48-byte r */
    ASSERT_RESULT(arca__snp_report_parse(r, len, &s, rr, ss), ARCA_ERR_BAD_EVIDENCE);
    r[0x2A0 + 60] = 0;
    ASSERT_OK(arca__snp_report_parse(r, len, &s, rr, ss));
    ASSERT_EQ(arca__snp_report_detect(r, len), 1);
    free(r);
    /* TCB layouts (README 1.3): Milan/Genoa and Turin. */
    t = arca__snp_tcb_decode(0x4405000000000002ull, 0);
    ASSERT_TRUE(t.bootloader == 2 && t.tee == 0 && t.snp == 5 && t.microcode == 68 && t.fmc == 0);
    t = arca__snp_tcb_decode(0x5100000004010101ull, 1);
    ASSERT_TRUE(t.fmc == 1 && t.bootloader == 1 && t.tee == 1 && t.snp == 4 && t.microcode == 81);
}

static void test_hcl_parser(void)
{
    size_t len = 0;
    uint8_t *h = hw_read("sev-snp/trustee/az-snp-vtpm-hcl-report.bin", &len);
    arca__azure_hcl p;
    ASSERT_OK(arca__azure_hcl_parse(h, len, &p));
    ASSERT_EQ(p.report_type, ARCA__HCL_TYPE_SNP);
    ASSERT_EQ(p.var_len, 0x456);
    for (size_t n = 0; n < p.report_size; n++)
        ASSERT_TRUE(arca__azure_hcl_parse(h, n, &p) != ARCA_OK);
    h[0x4D0]++; /* runtime claims one byte longer than the report holds */
    ASSERT_RESULT(arca__azure_hcl_parse(h, len, &p), ARCA_ERR_BAD_EVIDENCE);
    h[0x4D0]--;
    h[0x4CC] = 2; /* SHA-384 runtime claims hash */
    ASSERT_RESULT(arca__azure_hcl_parse(h, len, &p), ARCA_ERR_UNSUPPORTED);
    h[0x4CC] = 1;
    h[0x4C8] = 1; /* neither SNP nor TDX */
    ASSERT_RESULT(arca__azure_hcl_parse(h, len, &p), ARCA_ERR_UNSUPPORTED);
    h[0x4C8] = 2;
    h[3] = 'B';
    ASSERT_RESULT(arca__azure_hcl_parse(h, len, &p), ARCA_ERR_BAD_EVIDENCE);
    free(h);
}

static arca_result_t doc(const char *text)
{
    arca__intel_doc d;
    arca_result_t r = arca__intel_doc_parse((const uint8_t *)text, strlen(text), "unit", &d);
    arca__intel_doc_clear(&d);
    return r;
}

static void test_collateral_documents(void)
{
    static const char sig[] = "\"signature\":\"00000000000000000000000000000000000000000000000000"
                              "000000000000000000000000000000000000000000000000000000000000000000"
                              "000000000000\"";
    char text[4096];
    size_t len = 0;
    uint8_t *real = hw_read("sgx-tdx/go-tdx-guest/sample_qeIdentity_response", &len);
    arca__intel_doc d;

    ASSERT_OK(arca__intel_doc_parse(real, len, "real", &d));
    ASSERT_TRUE(d.identity != NULL && strcmp(d.identity->id, "TD_QE") == 0);
    ASSERT_EQ(d.identity->isv_prod_id, 2);
    /* The signed bytes are exactly the value's text. */
    ASSERT_TRUE(d.identity->doc.text[0] == '{' && d.identity->doc.text[d.identity->doc.text_len - 1] == '}');
    ASSERT_TRUE(memcmp(real + 19, d.identity->doc.text, d.identity->doc.text_len) == 0);
    arca__intel_doc_clear(&d);
    free(real);

    ASSERT_RESULT(doc("not json"), ARCA_ERR_NOT_FOUND);
    ASSERT_RESULT(doc("{\"other\":1}"), ARCA_ERR_NOT_FOUND);
    ASSERT_RESULT(doc("{\"tcbInfo\":{},\"signature\":\"00\"}"), ARCA_ERR_BAD_FORMAT);
    snprintf(text, sizeof text, "{\"tcbInfo\":{\"version\":4},%s}", sig);
    ASSERT_RESULT(doc(text), ARCA_ERR_BAD_VERSION);
    snprintf(text, sizeof text, "{\"enclaveIdentity\":{\"version\":2,\"id\":\"QE\"},%s}", sig);
    ASSERT_RESULT(doc(text), ARCA_ERR_BAD_FORMAT);
    snprintf(text, sizeof text, "{\"tcbInfo\":{\"version\":3,\"id\":\"SGX\",\"fmspc\":\"00\"},%s}",
             sig);
    ASSERT_RESULT(doc(text), ARCA_ERR_BAD_FORMAT);
    ASSERT_RESULT(doc("{\"tcb_info\":\"{}\",\"tcb_info_signature\":\"zz\"}"), ARCA_ERR_BAD_FORMAT);
    /* Trailing garbage after the document. */
    ASSERT_RESULT(doc("{\"other\":1} x"), ARCA_ERR_NOT_FOUND);
}

/* The AMD extensions of the certificate in vectors/@p rel; ARCA_OK or the first failure. */
static arca_result_t amd_ext(const char *rel, arca__amd_cert_ext *amd)
{
    size_t len = 0;
    uint8_t *der = hw_read(rel, &len);
    arca__cert *cert = NULL;
    arca_result_t r = arca__cert_parse(der, len, rel, &cert);
    if (r == ARCA_OK)
        r = arca__cert_amd_ext(cert, amd);
    arca__cert_free(cert);
    free(der);
    return r;
}

static void test_extensions(void)
{
    size_t len = 0;
    uint8_t *quote = hw_read("sgx-tdx/go-tdx-guest/tdx_prod_quote_SPR_E4.dat", &len);
    arca__dcap_quote q;
    arca__cert *certs[ARCA__X509_MAX_CERTS];
    size_t n = 0;
    arca__sgx_pck_ext sgx;
    arca__amd_cert_ext amd;
    static const uint8_t fmspc[6] = {0x50, 0x80, 0x6f, 0, 0, 0};
    static const uint8_t cpusvn[16] = {3, 3, 2, 2, 2, 1, 0, 2};

    ASSERT_OK(arca__dcap_quote_parse(quote, len, &q));
    ASSERT_OK(arca__certs_parse(q.pck_chain, q.pck_chain_len, "chain", certs, 16, &n));
    ASSERT_EQ(n, 3);
    /* go-tdx-guest's TestPckCertificateExtensions. */
    ASSERT_OK(arca__cert_sgx_ext(certs[0], &sgx));
    ASSERT_MEMEQ(sgx.fmspc, fmspc, 6);
    ASSERT_EQ(sgx.pce_svn, 11);
    ASSERT_MEMEQ(sgx.cpu_svn, cpusvn, 16);
    ASSERT_MEMEQ(sgx.comp_svn, cpusvn, 16);
    ASSERT_EQ(sgx.sgx_type, 1);
    ASSERT_EQ(sgx.ppid[0], 8);
    ASSERT_RESULT(arca__cert_sgx_ext(certs[1], &sgx), ARCA_ERR_BAD_FORMAT); /* the CA has none */
    ASSERT_TRUE(arca__cert_self_signed(certs[2]) && !arca__cert_self_signed(certs[0]));
    for (size_t i = 0; i < n; i++)
        arca__cert_free(certs[i]);
    free(quote);

    ASSERT_OK(amd_ext("sev-snp/virtee-sev/vcek_turin.der", &amd));
    ASSERT_STREQ(amd.product, "Turin");
    ASSERT_EQ(amd.hwid_len, 8);
    ASSERT_TRUE(amd.has_spl[9] && amd.spl[9] == 0 && amd.spl[8] == 9);
    ASSERT_OK(amd_ext("sev-snp/trustee/test-vlek.der", &amd));
    ASSERT_STREQ(amd.csp_id, "CN=cc-us-east-2.amazonaws.com");
    ASSERT_EQ(amd.hwid_len, 0);
    ASSERT_EQ(amd.spl[8], 0xd9); /* a two-byte DER INTEGER, 02 02 00 d9 */
}

static void test_json_writer(void)
{
    const char *const coll[] = {"sgx-tdx/dcap-qvl/sgx_quote_collateral.json", NULL};
    arca__hw_verifier *v = hw_verifier(NULL, coll);
    size_t len = 0, needed = 0;
    uint8_t *q = hw_read("sgx-tdx/dcap-qvl/sgx_quote", &len);
    char small[16], *big;
    json_object *o, *f;

    ASSERT_OK(arca__hw_verify(v, q, len, hw_time("2025-06-20T00:00:00Z"), &claims));
    ASSERT_RESULT(arca__hw_claims_to_json(&claims, small, sizeof small, &needed),
                  ARCA_ERR_BUFFER_TOO_SMALL);
    ASSERT_TRUE(needed > 1000);
    big = malloc(needed);
    ASSERT_OK(arca__hw_claims_to_json(&claims, big, needed, &needed));
    o = json_tokener_parse(big);
    ASSERT_TRUE(o != NULL);
    ASSERT_TRUE(json_object_object_get_ex(o, "tcb_status", &f));
    ASSERT_STREQ(json_object_get_string(f), "ConfigurationAndSWHardeningNeeded");
    ASSERT_TRUE(json_object_object_get_ex(o, "measurement", &f));
    ASSERT_STREQ(json_object_get_string(f),
                 "33d8736db756ed4997e04ba358d27833188f1932ff7b1d156904d3f560452fbb");
    ASSERT_TRUE(json_object_object_get_ex(o, "fmspc", &f));
    ASSERT_STREQ(json_object_get_string(f), "00a067110000");
    ASSERT_TRUE(json_object_object_get_ex(o, "advisory_ids", &f));
    ASSERT_EQ(json_object_array_length(f), 2);
    json_object_put(o);
    free(big);
    free(q);
    arca__hw_verifier_free(v);
}

static void test_detect(void)
{
    static const struct {
        const char *file;
        arca__hw_format format;
    } cases[] = {
        {"sgx-tdx/trustee/occlum_quote.dat", ARCA__HW_FORMAT_DCAP_QUOTE},
        {"sgx-tdx/go-tdx-guest/quote_v5_sample.dat", ARCA__HW_FORMAT_DCAP_QUOTE},
        {"sev-snp/go-sev-guest/attestation.bin", ARCA__HW_FORMAT_SNP_REPORT},
        {"sev-snp/trustee/az-snp-vtpm-hcl-report.bin", ARCA__HW_FORMAT_AZURE_HCL},
        {"sgx-tdx/trustee/az-tdx-vtpm-hcl-report.bin", ARCA__HW_FORMAT_AZURE_HCL},
        {"sgx-tdx/go-tdx-guest/nonce.dat", ARCA__HW_FORMAT_NONE},
        {"expected.json", ARCA__HW_FORMAT_NONE},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t len = 0;
        uint8_t *b = hw_read(cases[i].file, &len);
        ASSERT_EQ(arca__hw_detect(b, len), cases[i].format);
        free(b);
    }
}

static void test_cache(void)
{
    const char *const coll[] = {"sev-snp/trustee/test-vlek.der", NULL};
    arca__hw_verifier *v = hw_verifier(NULL, coll);
    size_t len = 0;
    uint8_t *r = hw_read("sev-snp/trustee/test-vlek-report.bin", &len);
    uint64_t hits = 0, misses = 0;

    ASSERT_OK(arca__hw_verify(v, r, len, hw_time("2025-06-01T00:00:00Z"), &claims));
    ASSERT_OK(arca__hw_verify(v, r, len, hw_time("2025-06-02T00:00:00Z"), &claims));
    arca__hw_cache_stats(v, &hits, &misses);
    ASSERT_EQ(hits, 1);
    ASSERT_EQ(misses, 1);
    /* The cached verdict holds only inside its window: after the VLEK expires, refused. */
    ASSERT_RESULT(arca__hw_verify(v, r, len, hw_time("2026-01-01T00:00:00Z"), &claims),
                  ARCA_ERR_CERT_EXPIRED);
    ASSERT_OK(arca__hw_verify(v, r, len, hw_time("2025-06-03T00:00:00Z"), &claims));
    ASSERT_EQ(claims.tee, ARCA__TEE_SNP);
    ASSERT_TRUE(claims.snp.vlek);
    ASSERT_STREQ(claims.snp.csp_id, "CN=cc-us-east-2.amazonaws.com");
    /* A failed verification leaves the claims zeroed. */
    r[0x90] ^= 1;
    ASSERT_RESULT(arca__hw_verify(v, r, len, hw_time("2025-06-03T00:00:00Z"), &claims),
                  ARCA_ERR_VERIFY_SIGNATURE);
    ASSERT_EQ(claims.tee, ARCA__TEE_NONE);
    free(r);
    arca__hw_verifier_free(v);
}

/* Copy vectors/<rel> into @p dir. */
static void copy_into(const char *dir, const char *rel, const char *name)
{
    char path[1024];
    size_t len = 0;
    uint8_t *b = hw_read(rel, &len);
    FILE *f;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    f = fopen(path, "wb");
    if (!f || fwrite(b, 1, len, f) != len || fclose(f) != 0)
        exit(2);
    free(b);
}

static void test_collateral_directory_and_junk(void)
{
    char dir[256];
    arca__hw_verifier *v = hw_verifier(NULL, NULL);
    size_t len = 0;
    uint8_t *r = hw_read("sev-snp/virtee-sev/report_milan.bin", &len);
    static const uint8_t junk[] = "neither certificate nor JSON";

    ASSERT_TRUE(test_make_scratch_dir(dir, sizeof dir, "hw-collateral"));
    copy_into(dir, "sev-snp/virtee-sev/vcek_milan.der", "vcek.der");
    copy_into(dir, "sev-snp/virtee-sev/cert_chain_milan", "chain.pem");
    ASSERT_OK(arca__hw_add_collateral_path(v, dir)); /* a whole directory */
    ASSERT_OK(arca__hw_verify(v, r, len, hw_time("2026-03-01T00:00:00Z"), &claims));
    /* Anything that is not collateral is refused, by name, also inside a directory. */
    ASSERT_RESULT(arca__hw_add_collateral(v, junk, sizeof junk, "junk"), ARCA_ERR_BAD_FORMAT);
    copy_into(dir, "sev-snp/virtee-sev/report_milan.bin", "report.bin");
    ASSERT_RESULT(arca__hw_add_collateral_path(v, dir), ARCA_ERR_BAD_FORMAT);
    ASSERT_CONTAINS(arca__error_detail(), "report.bin");
    ASSERT_RESULT(arca__hw_verify(v, junk, sizeof junk, 0, &claims), ARCA_ERR_BAD_EVIDENCE);
    test_remove_scratch_dir(dir);
    free(r);
    arca__hw_verifier_free(v);
}

int main(void)
{
    RUN(test_converge);
    RUN(test_status_names_and_dates);
    RUN(test_quote_parser);
    RUN(test_snp_parser);
    RUN(test_hcl_parser);
    RUN(test_collateral_documents);
    RUN(test_extensions);
    RUN(test_json_writer);
    RUN(test_detect);
    RUN(test_cache);
    RUN(test_collateral_directory_and_junk);
    return TEST_SUMMARY();
}
