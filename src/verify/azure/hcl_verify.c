/*
 * hcl_verify.c — verifies an Azure vTPM HCL report: the hardware report inside it (an SEV-SNP
 * report verified in place; for TDX, the TD quote supplied as collateral whose body is the
 * wrapped TDREPORT's) and the binding of the runtime claims into that report's report data
 * (SHA-256 of the claims, then zeros).
 *
 * The wrapper adds no trust of its own: only what the hardware report signed is believed, and
 * the runtime claims only because their hash is in it. This file must never accept claims
 * whose hash the verified report does not carry, and never fill claims before that check.
 */
#include <stdio.h>
#include <string.h>

#include "crypto/crypto.h"
#include "base/error.h"
#include "verify/azure/hcl.h"
#include "verify/format.h"
#include "verify/hw/hw_internal.h"
#include "verify/intel/dcap_quote.h"

/* TDREPORT offsets (Intel TDX module ABI): REPORTMACSTRUCT then TEE_TCB_INFO then TDINFO. */
#define TDREPORT_TYPE 0
#define TDREPORT_REPORT_DATA 128
#define TDREPORT_TDINFO 512

/* The TD quote (collateral) whose body carries the TDREPORT's report data. */
static const arca__hw_blob *find_quote(const arca__hw_verifier *v, const uint8_t *report_data)
{
    for (size_t i = 0; i < v->quote_count; i++) {
        arca__dcap_quote q;
        if (arca__dcap_quote_parse(v->quotes[i].bytes, v->quotes[i].len, &q) != ARCA_OK ||
            q.body_type == ARCA__DCAP_BODY_SGX)
            continue;
        if (memcmp(q.body + 520, report_data, 64) == 0)
            return &v->quotes[i];
    }
    return NULL;
}

arca_result_t arca__azure_hcl_verify(arca__hw_verifier *v, const uint8_t *bytes, size_t len,
                                     int64_t at, arca__hw_claims *claims)
{
    arca_result_t result = ARCA_OK;
    arca__azure_hcl hcl;
    uint8_t digest[32];
    static const uint8_t zero[32];

    arca__error_clear();
    ARCA_CHECK(arca__azure_hcl_parse(bytes, len, &hcl));
    ARCA_CHECK(arca__sha256(hcl.var_data, hcl.var_len, digest));
    if (hcl.report_type == ARCA__HCL_TYPE_SNP) {
        ARCA_CHECK(arca__snp_verify(v, hcl.hw_report, ARCA__HCL_HW_REPORT_SIZE, at, claims));
    } else {
        const uint8_t *td = hcl.hw_report;
        const arca__hw_blob *quote;
        const uint8_t *info = td + TDREPORT_TDINFO;
        if (td[TDREPORT_TYPE] != 0x81)
            ARCA_RAISE(ARCA_ERR_BAD_EVIDENCE,
                       "Azure HCL report: the TDX report type is 0x%02x, "
                       "not a TDREPORT (0x81)",
                       td[TDREPORT_TYPE]);
        quote = find_quote(v, td + TDREPORT_REPORT_DATA);
        if (!quote)
            ARCA_RAISE(ARCA_ERR_COLLATERAL_MISSING,
                       "Azure TDX HCL report: supply its TD quote "
                       "(from the host's quote service) with the collateral; none given carries "
                       "this report's report data");
        ARCA_CHECK(arca__dcap_verify(v, quote->bytes, quote->len, at, claims));
        /* The wrapped TDREPORT must be the quoted one: TDINFO against the quote's body. */
        if (memcmp(info, claims->tdx.td_attributes, 8) != 0 ||
            memcmp(info + 8, claims->tdx.xfam, 8) != 0 ||
            memcmp(info + 16, claims->tdx.mr_td, 48) != 0 ||
            memcmp(info + 64, claims->tdx.mr_config_id, 48) != 0 ||
            memcmp(info + 112, claims->tdx.mr_owner, 48) != 0 ||
            memcmp(info + 160, claims->tdx.mr_owner_config, 48) != 0 ||
            memcmp(info + 208, claims->tdx.rtmr, 4 * 48) != 0)
            ARCA_RAISE(ARCA_ERR_WRAPPER_BINDING,
                       "Azure TDX HCL report: its TDREPORT's TD info "
                       "differs from the body of the quote that carries its report data");
    }
    if (memcmp(claims->report_data, digest, 32) != 0 ||
        memcmp(claims->report_data + 32, zero, 32) != 0)
        ARCA_RAISE(ARCA_ERR_WRAPPER_BINDING,
                   "Azure HCL report: the hardware report's report data "
                   "is not SHA-256 of the runtime claims: the claims were replaced");
    claims->wrapped_azure = 1;
    claims->azure.hcl_version = hcl.version;
    claims->azure.report_type = hcl.report_type;
    claims->azure.hash_type = hcl.hash_type;
    memcpy(claims->azure.runtime_data_hash, digest, 32);
    claims->azure.runtime_data_hash_len = 32;
    claims->azure.runtime_data_len = hcl.var_len;
    if (hcl.var_len <= ARCA__HW_RUNTIME_DATA_MAX && !memchr(hcl.var_data, 0, hcl.var_len)) {
        memcpy(claims->azure.runtime_data, hcl.var_data, hcl.var_len);
        claims->azure.runtime_data[hcl.var_len] = '\0';
    }
done:
    return result;
}

/* The registry's entry (verify/format.h). */
ARCA__HW_FORMAT(arca__format_azure_hcl, ARCA_EVIDENCE_AZURE_HCL, "azure-hcl-report",
                arca__azure_hcl_detect, arca__azure_hcl_verify);
