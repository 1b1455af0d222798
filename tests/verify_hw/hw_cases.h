/*
 * hw_cases.h — the verdicts the real hardware vectors must give (tests/verify_hw/vectors: the
 * README's statuses at the stated times, with the roots and collateral each needs), shared by
 * the verifier's own test (test_hw_vectors.c) and the policy/API/CLI test (test_hw_policy.c),
 * so that both check the same list.
 */
#ifndef ARCA_TESTS_HW_CASES_H
#define ARCA_TESTS_HW_CASES_H

#include <stddef.h>

#include "arca/result.h"

#define SNP_TIME "2026-03-01T00:00:00Z"
#define INTEL_TIME "2026-03-01T00:00:00Z"
#define QVL_TIME "2025-06-20T00:00:00Z"      /* inside the dcap-qvl SGX and TDX collateral */
#define OUTDATED_TIME "2026-02-19T00:00:00Z" /* inside the tdx_quote_outdated collateral */
#define GO_TDX_TIME "2023-07-01T01:00:00Z"   /* go-tdx-guest's currentTime */

#define L(...) ((const char *const[]){__VA_ARGS__, NULL})

struct vcase {
    const char *evidence;
    const char *const *roots;      /* NULL: every shipped root */
    const char *const *collateral; /* NULL: none */
    const char *at;
    arca_result_t expect;
    const char *status;     /* expected TCB status (when expect is ARCA_OK) */
    const char *advisories; /* comma-separated, "" for none */
    const char *fields;     /* expected.json key whose fields must match, or NULL */
};

static const struct vcase cases[] = {
    /* ---- AMD SEV-SNP ---- */
    {"sev-snp/go-sev-guest/attestation.bin", L("amd_milan_ark.pem"),
     L("sev-snp/go-sev-guest/vcek.testcer", "sev-snp/go-sev-guest/milan.testcer"), SNP_TIME,
     ARCA_OK, "NotEvaluated", "", "sev-snp/go-sev-guest/attestation.bin"},
    {"sev-snp/virtee-sev/report_milan.bin", L("amd_milan_ark.pem"),
     L("sev-snp/virtee-sev/vcek_milan.der", "sev-snp/virtee-sev/cert_chain_milan"), SNP_TIME,
     ARCA_OK, "NotEvaluated", "", "sev-snp/virtee-sev/report_milan.bin"},
    {"sev-snp/trustee/test-report.bin", L("amd_milan_ark.pem"),
     L("sev-snp/trustee/test-vcek.der", "sev-snp/trustee/milan_ask_ark_asvk.pem"), SNP_TIME,
     ARCA_OK, "NotEvaluated", "", "sev-snp/trustee/test-report.bin"},
    /* The VLEK is valid 2024-12-10 .. 2025-12-10: accepted inside, refused after. */
    {"sev-snp/trustee/test-vlek-report.bin", L("amd_milan_ark.pem"),
     L("sev-snp/trustee/test-vlek.der", "sev-snp/trustee/milan_ask_ark_asvk.pem"),
     "2025-06-01T00:00:00Z", ARCA_OK, "NotEvaluated", "", "sev-snp/trustee/test-vlek-report.bin"},
    {"sev-snp/trustee/test-vlek-report.bin", L("amd_milan_ark.pem"),
     L("sev-snp/trustee/test-vlek.der", "sev-snp/trustee/milan_ask_ark_asvk.pem"), SNP_TIME,
     ARCA_ERR_CERT_EXPIRED, NULL, NULL, NULL},
    {"sev-snp/trustee/az-snp-vtpm-snp-report.bin", L("amd_milan_ark.pem"),
     L("sev-snp/trustee/az-snp-vtpm-vcek.pem"), SNP_TIME, ARCA_OK, "NotEvaluated", "",
     "sev-snp/trustee/az-snp-vtpm-snp-report.bin"},
    {"sev-snp/trustee/az-snp-vtpm-hcl-report.bin", L("amd_milan_ark.pem"),
     L("sev-snp/trustee/az-snp-vtpm-vcek.pem"), SNP_TIME, ARCA_OK, "NotEvaluated", "",
     "sev-snp/trustee/az-snp-vtpm-snp-report.bin"},
    {"sev-snp/trustee/az-snp-vtpm-genoa-snp-report.bin", L("amd_genoa_ark.pem"),
     L("sev-snp/trustee/az-snp-vtpm-vcek-genoa.pem", "sev-snp/trustee/genoa_ask_ark_asvk.pem"),
     SNP_TIME, ARCA_OK, "NotEvaluated", "", "sev-snp/trustee/az-snp-vtpm-genoa-snp-report.bin"},
    {"sev-snp/trustee/az-snp-vtpm-genoa-hcl-report.bin", L("amd_genoa_ark.pem"),
     L("sev-snp/trustee/az-snp-vtpm-vcek-genoa.pem", "sev-snp/trustee/genoa_ask_ark_asvk.pem"),
     SNP_TIME, ARCA_OK, "NotEvaluated", "", "sev-snp/trustee/az-snp-vtpm-genoa-snp-report.bin"},
    {"sev-snp/trustee/e2e-evidence-report.reconstructed.bin", L("amd_genoa_ark.pem"),
     L("sev-snp/trustee/e2e-evidence-vcek.der", "sev-snp/trustee/genoa_ask_ark_asvk.pem"), SNP_TIME,
     ARCA_OK, "NotEvaluated", "", "sev-snp/trustee/e2e-evidence-report.reconstructed.bin"},
    {"sev-snp/ms-tee-attestation-verification/milan_attestation_report.bin", L("amd_milan_ark.pem"),
     L("sev-snp/ms-tee-attestation-verification/milan_vcek.pem",
       "sev-snp/ms-tee-attestation-verification/milan_ask.pem"),
     SNP_TIME, ARCA_OK, "NotEvaluated", "",
     "sev-snp/ms-tee-attestation-verification/milan_attestation_report.bin"},
    {"sev-snp/ms-tee-attestation-verification/genoa_attestation_report.bin", L("amd_genoa_ark.pem"),
     L("sev-snp/ms-tee-attestation-verification/genoa_vcek.pem",
       "sev-snp/ms-tee-attestation-verification/genoa_ask.pem"),
     SNP_TIME, ARCA_OK, "NotEvaluated", "",
     "sev-snp/ms-tee-attestation-verification/genoa_attestation_report.bin"},
    {"sev-snp/ms-tee-attestation-verification/turin_attestation_report.bin", L("amd_turin_ark.pem"),
     L("sev-snp/ms-tee-attestation-verification/turin_vcek.pem",
       "sev-snp/ms-tee-attestation-verification/turin_ask.pem"),
     SNP_TIME, ARCA_OK, "NotEvaluated", "",
     "sev-snp/ms-tee-attestation-verification/turin_attestation_report.bin"},
    /* Every report again with only the shipped defaults (ARKs pinned, ASKs/ASVKs included). */
    {"sev-snp/ms-tee-attestation-verification/turin_attestation_report.bin", NULL,
     L("sev-snp/ms-tee-attestation-verification/turin_vcek.pem"), SNP_TIME, ARCA_OK, "NotEvaluated",
     "", NULL},
    {"sev-snp/trustee/test-vlek-report.bin", NULL, L("sev-snp/trustee/test-vlek.der"),
     "2025-06-01T00:00:00Z", ARCA_OK, "NotEvaluated", "", NULL},

    /* ---- Intel SGX ---- */
    {"sgx-tdx/trustee/occlum_quote.dat", L("Intel_SGX_Root_CA.pem"), NULL, INTEL_TIME, ARCA_OK,
     "NotEvaluated", "", "sgx-tdx/trustee/occlum_quote.dat"},
    {"sgx-tdx/dcap-qvl/sgx_quote", L("Intel_SGX_Root_CA.pem"), NULL, INTEL_TIME, ARCA_OK,
     "NotEvaluated", "", "sgx-tdx/dcap-qvl/sgx_quote"},
    {"sgx-tdx/dcap-qvl/sgx_quote", L("Intel_SGX_Root_CA.pem"),
     L("sgx-tdx/dcap-qvl/sgx_quote_collateral.json"), QVL_TIME, ARCA_OK,
     "ConfigurationAndSWHardeningNeeded", "INTEL-SA-00289,INTEL-SA-00615",
     "sgx-tdx/dcap-qvl/sgx_quote"},

    /* ---- Intel TDX ---- */
    {"sgx-tdx/dcap-qvl/tdx_quote", L("Intel_SGX_Root_CA.pem"),
     L("sgx-tdx/dcap-qvl/tdx_quote_collateral.json"), QVL_TIME, ARCA_OK, "UpToDate", "",
     "sgx-tdx/dcap-qvl/tdx_quote"},
    {"sgx-tdx/dcap-qvl/tdx_quote_outdated", L("Intel_SGX_Root_CA.pem"),
     L("sgx-tdx/dcap-qvl/tdx_quote_outdated_collateral.json"), OUTDATED_TIME,
     ARCA_ERR_TCB_LEVEL_NOT_FOUND, NULL, NULL, NULL},
    /* Its PCK reports SGX TCB component 8 (SEAMLDR ACM) at SVN 3 while every level of its TCB
     * Info demands 5: Intel's walk finds no level (dcap-qvl's own test inserts a permissive
     * level to get a status). Without collateral it verifies. */
    {"sgx-tdx/dcap-qvl/tdx_quote_outdated", L("Intel_SGX_Root_CA.pem"), NULL, OUTDATED_TIME,
     ARCA_OK, "NotEvaluated", "", "sgx-tdx/dcap-qvl/tdx_quote_outdated"},
    {"sgx-tdx/go-tdx-guest/tdx_prod_quote_SPR_E4.dat", L("Intel_SGX_Root_CA.pem"), NULL,
     GO_TDX_TIME, ARCA_OK, "NotEvaluated", "", "sgx-tdx/go-tdx-guest/tdx_prod_quote_SPR_E4.dat"},
    {"sgx-tdx/go-tdx-guest/tdx_prod_quote_SPR_E4.dat", L("Intel_SGX_Root_CA.pem"), NULL,
     "2053-07-01T01:00:00Z", ARCA_ERR_CERT_EXPIRED, NULL, NULL, NULL},
    {"sgx-tdx/go-tdx-guest/tdx_prod_quote_SPR_E4.dat", L("Intel_SGX_Root_CA.pem"),
     L("sgx-tdx/go-tdx-guest/sample_tcbInfo_response",
       "sgx-tdx/go-tdx-guest/sample_qeIdentity_response", "sgx-tdx/go-tdx-guest/pckcrl",
       "sgx-tdx/go-tdx-guest/rootcrl.der", "extra/intel_tcb_signing_2018.pem"),
     GO_TDX_TIME, ARCA_ERR_TCB_LEVEL_NOT_FOUND, NULL, NULL, NULL},
    {"sgx-tdx/go-tdx-guest/quote_v5_sample.dat", L("Intel_SGX_Root_CA.pem"), NULL,
     "2026-02-03T00:00:00Z", ARCA_OK, "NotEvaluated", "",
     "sgx-tdx/go-tdx-guest/quote_v5_sample.dat"},
    {"sgx-tdx/go-tdx-guest/cos-113-tdx-quote.dat", L("Intel_SGX_Root_CA.pem"), NULL, INTEL_TIME,
     ARCA_OK, "NotEvaluated", "", "sgx-tdx/go-tdx-guest/cos-113-tdx-quote.dat"},
    {"sgx-tdx/trustee/tdx_quote_4.dat", L("Intel_SGX_Root_CA.pem"), NULL, INTEL_TIME, ARCA_OK,
     "NotEvaluated", "", "sgx-tdx/trustee/tdx_quote_4.dat"},
    {"sgx-tdx/trustee/tdx_quote_5.dat", L("Intel_SGX_Root_CA.pem"), NULL, INTEL_TIME, ARCA_OK,
     "NotEvaluated", "", "sgx-tdx/trustee/tdx_quote_5.dat"},
    {"sgx-tdx/trustee/tdx_quote_6.dat", L("Intel_SGX_Root_CA.pem"), NULL, INTEL_TIME, ARCA_OK,
     "NotEvaluated", "", "sgx-tdx/trustee/tdx_quote_6.dat"},
    {"sgx-tdx/trustee/az-tdx-vtpm-td-quote.bin", L("Intel_SGX_Root_CA.pem"), NULL, INTEL_TIME,
     ARCA_OK, "NotEvaluated", "", "sgx-tdx/trustee/az-tdx-vtpm-td-quote.bin"},
    {"sgx-tdx/trustee/az-tdx-vtpm-hcl-report.bin", L("Intel_SGX_Root_CA.pem"),
     L("sgx-tdx/trustee/az-tdx-vtpm-td-quote.bin"), INTEL_TIME, ARCA_OK, "NotEvaluated", "",
     "sgx-tdx/trustee/az-tdx-vtpm-td-quote.bin"},
    {"sgx-tdx/trustee/az-tdx-vtpm-hcl-report.bin", L("Intel_SGX_Root_CA.pem"), NULL, INTEL_TIME,
     ARCA_ERR_COLLATERAL_MISSING, NULL, NULL, NULL},
};

#endif
