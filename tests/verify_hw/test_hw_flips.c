/*
 * test_hw_flips.c — a single flipped bit anywhere in what a report or quote signs is refused.
 *
 * For every vector that verifies, each byte of the signed region (SNP: [0, 0x2A0) and the
 * signature; quotes: header and body, the signature, the attestation key, the QE report, its
 * signature and the QE authentication data; Azure HCL: the wrapped report and the runtime
 * claims) gets one bit flipped (the bit varies with the offset) and verification must fail.
 * To bound the run (P-384 verification costs about a millisecond), one vector of each layout is
 * swept byte by byte — the Turin v5 SNP report, an SGX v3 quote, a TDX v4 quote evaluated with
 * collateral, a TDX v5 (TD 1.5) quote, the Azure TDX HCL report — and the others every 8th or
 * 16th byte from a rotating offset, so every byte offset of every layout is flipped at least
 * once. The verifier's chain cache is warm, so each flip costs only its signature checks.
 */
#include <time.h>

#include "hw_test.h"
#include "verify/intel/dcap_quote.h"

#define L(...) ((const char *const[]){__VA_ARGS__, NULL})

struct fcase {
    const char *evidence;
    const char *const *roots;
    const char *const *collateral;
    const char *at;
    int stride; /* 1: every byte */
};

static const struct fcase cases[] = {
    {"sev-snp/virtee-sev/report_milan.bin", L("amd_milan_ark.pem"),
     L("sev-snp/virtee-sev/vcek_milan.der", "sev-snp/virtee-sev/cert_chain_milan"),
     "2026-03-01T00:00:00Z", 8},
    {"sev-snp/ms-tee-attestation-verification/turin_attestation_report.bin", L("amd_turin_ark.pem"),
     L("sev-snp/ms-tee-attestation-verification/turin_vcek.pem",
       "sev-snp/ms-tee-attestation-verification/turin_ask.pem"),
     "2026-03-01T00:00:00Z", 1},
    {"sev-snp/go-sev-guest/attestation.bin", NULL, L("sev-snp/go-sev-guest/vcek.testcer"),
     "2026-03-01T00:00:00Z", 16},
    {"sev-snp/trustee/test-report.bin", NULL, L("sev-snp/trustee/test-vcek.der"),
     "2026-03-01T00:00:00Z", 16},
    {"sev-snp/trustee/test-vlek-report.bin", NULL, L("sev-snp/trustee/test-vlek.der"),
     "2025-06-01T00:00:00Z", 16},
    {"sev-snp/trustee/e2e-evidence-report.reconstructed.bin", NULL,
     L("sev-snp/trustee/e2e-evidence-vcek.der"), "2026-03-01T00:00:00Z", 16},
    {"sev-snp/ms-tee-attestation-verification/milan_attestation_report.bin", NULL,
     L("sev-snp/ms-tee-attestation-verification/milan_vcek.pem"), "2026-03-01T00:00:00Z", 16},
    {"sev-snp/ms-tee-attestation-verification/genoa_attestation_report.bin", NULL,
     L("sev-snp/ms-tee-attestation-verification/genoa_vcek.pem"), "2026-03-01T00:00:00Z", 16},
    {"sev-snp/trustee/az-snp-vtpm-hcl-report.bin", NULL, L("sev-snp/trustee/az-snp-vtpm-vcek.pem"),
     "2026-03-01T00:00:00Z", 16},
    {"sev-snp/trustee/az-snp-vtpm-genoa-hcl-report.bin", NULL,
     L("sev-snp/trustee/az-snp-vtpm-vcek-genoa.pem"), "2026-03-01T00:00:00Z", 16},
    {"sgx-tdx/trustee/occlum_quote.dat", NULL, NULL, "2026-03-01T00:00:00Z", 1},
    {"sgx-tdx/dcap-qvl/sgx_quote", NULL, L("sgx-tdx/dcap-qvl/sgx_quote_collateral.json"),
     "2025-06-20T00:00:00Z", 8},
    {"sgx-tdx/dcap-qvl/tdx_quote", NULL, L("sgx-tdx/dcap-qvl/tdx_quote_collateral.json"),
     "2025-06-20T00:00:00Z", 1},
    {"sgx-tdx/dcap-qvl/tdx_quote_outdated", NULL, NULL, "2026-02-19T00:00:00Z", 8},
    {"sgx-tdx/go-tdx-guest/tdx_prod_quote_SPR_E4.dat", NULL, NULL, "2023-07-01T01:00:00Z", 8},
    {"sgx-tdx/go-tdx-guest/quote_v5_sample.dat", NULL, NULL, "2026-02-03T00:00:00Z", 1},
    {"sgx-tdx/go-tdx-guest/cos-113-tdx-quote.dat", NULL, NULL, "2026-03-01T00:00:00Z", 8},
    {"sgx-tdx/trustee/tdx_quote_4.dat", NULL, NULL, "2026-03-01T00:00:00Z", 8},
    {"sgx-tdx/trustee/tdx_quote_5.dat", NULL, NULL, "2026-03-01T00:00:00Z", 8},
    {"sgx-tdx/trustee/tdx_quote_6.dat", NULL, NULL, "2026-03-01T00:00:00Z", 8},
    {"sgx-tdx/trustee/az-tdx-vtpm-td-quote.bin", NULL, NULL, "2026-03-01T00:00:00Z", 8},
    {"sgx-tdx/trustee/az-tdx-vtpm-hcl-report.bin", NULL,
     L("sgx-tdx/trustee/az-tdx-vtpm-td-quote.bin"), "2026-03-01T00:00:00Z", 1},
};

/* Byte ranges [start, end) that a vector's signatures (or the hash they sign) cover. */
struct range {
    size_t start, end;
};

static size_t signed_ranges(const uint8_t *ev, size_t len, struct range *out)
{
    size_t n = 0;
    if (arca__hw_detect(ev, len) == ARCA__HW_FORMAT_SNP_REPORT) {
        out[n++] = (struct range){0, 0x330}; /* signed bytes, then r and s with their padding */
    } else if (arca__hw_detect(ev, len) == ARCA__HW_FORMAT_AZURE_HCL) {
        uint32_t var = ev[0x4D0] | ev[0x4D1] << 8 | ev[0x4D2] << 16 | (uint32_t)ev[0x4D3] << 24;
        uint32_t type = ev[0x4C8];
        if (type == 2)
            out[n++] = (struct range){0x20, 0x20 + 0x330}; /* the SNP report */
        else
            out[n++] = (struct range){0x20 + 128, 0x20 + 192},     /* TDREPORT report data */
                out[n++] = (struct range){0x20 + 512, 0x20 + 912}; /* TDINFO */
        out[n++] = (struct range){0x4D4, 0x4D4 + var};             /* the runtime claims */
    } else {
        arca__dcap_quote q;
        if (arca__dcap_quote_parse(ev, len, &q) != ARCA_OK)
            return 0;
        out[n++] = (struct range){0, q.signed_len};
        out[n++] = (struct range){(size_t)(q.signature - ev), (size_t)(q.signature - ev) + 128};
        out[n++] = (struct range){(size_t)(q.qe_report - ev), (size_t)(q.qe_report - ev) + 448};
        out[n++] = (struct range){(size_t)(q.qe_auth_data - ev),
                                  (size_t)(q.qe_auth_data - ev) + q.qe_auth_len};
    }
    return n;
}

static void test_flips(void)
{
    static arca__hw_claims claims;
    size_t total = 0, accepted = 0;
    clock_t t0 = clock();

    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        const struct fcase *t = &cases[c];
        arca__hw_verifier *v = hw_verifier(t->roots, t->collateral);
        size_t len = 0, flips = 0;
        uint8_t *ev = hw_read(t->evidence, &len);
        int64_t at = hw_time(t->at);
        struct range ranges[8];
        size_t nr;

        /* The unmodified vector verifies (and warms the chain cache). */
        if (arca__hw_verify(v, ev, len, at, &claims) != ARCA_OK) {
            fprintf(stderr, "  %s does not verify: %s\n", t->evidence, arca__error_detail());
            accepted++;
        }
        nr = signed_ranges(ev, len, ranges);
        for (size_t r = 0; r < nr; r++) {
            int stride = t->stride;
            /* The runtime claims of an HCL report are long and only hashed: every 7th byte. */
            if (r == nr - 1 && arca__hw_detect(ev, len) == ARCA__HW_FORMAT_AZURE_HCL)
                stride = stride > 7 ? stride : 7;
            for (size_t i = ranges[r].start + c % (size_t)stride; i < ranges[r].end;
                 i += (size_t)stride) {
                uint8_t bit = (uint8_t)(1u << ((i * 5 + c) % 8));
                arca_result_t res;
                ev[i] ^= bit;
                res = arca__hw_verify(v, ev, len, at, &claims);
                ev[i] ^= bit;
                flips++;
                if (res == ARCA_OK) {
                    fprintf(stderr, "  %s: flipping bit 0x%02x of byte 0x%zx was ACCEPTED\n",
                            t->evidence, bit, i);
                    accepted++;
                }
            }
        }
        fprintf(stderr, "  %-70s %5zu flips refused\n", t->evidence, flips);
        total += flips;
        free(ev);
        arca__hw_verifier_free(v);
    }
    fprintf(stderr, "  %zu flips in %.1f s of CPU\n", total,
            (double)(clock() - t0) / CLOCKS_PER_SEC);
    ASSERT_EQ(accepted, 0);
    ASSERT_TRUE(total > 6000);
}

int main(void)
{
    RUN(test_flips);
    return TEST_SUMMARY();
}
