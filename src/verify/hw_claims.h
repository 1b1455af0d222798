/*
 * hw_claims.h — one claims shape for every hardware evidence format the verifier accepts:
 * Intel SGX DCAP quotes (v3, v4 with an SGX body), Intel TDX quotes (v4, v5) and AMD
 * SEV-SNP attestation reports (v2, v3, v5), bare or inside an Azure vTPM HCL report.
 *
 * The common fields (TEE, measurement, signer, product id, SVN, debug, report data, TCB
 * status and advisories, platform ids) are what policies compare; the raw TEE-specific
 * fields below them keep everything the hardware signed, for JSON output and for policies
 * that need more. A claims struct is self-contained: it points into no evidence buffer.
 * It is filled only by a successful verification (src/verify/hw/hw.h), so every field in it
 * was vouched for by the pinned root that anchored the evidence. The types are public
 * (arca/tee_claims.h, arca_claims_t.tee); this header gives them the verifier's internal names.
 * Internal header: never installed.
 */
#ifndef ARCA_VERIFY_HW_CLAIMS_H
#define ARCA_VERIFY_HW_CLAIMS_H

#include <stddef.h>
#include <stdint.h>

#include "arca/result.h"
#include "arca/tee_claims.h"

/* The shape is public (include/arca/tee_claims.h); the verifier's code keeps these names. */
#define ARCA__HW_MAX_ADVISORIES ARCA_TEE_MAX_ADVISORIES
#define ARCA__HW_ADVISORY_LEN ARCA_TEE_ADVISORY_LEN
#define ARCA__HW_RUNTIME_DATA_MAX ARCA_TEE_RUNTIME_DATA_MAX

typedef arca_tee_t arca__tee;
#define ARCA__TEE_NONE ARCA_TEE_NONE
#define ARCA__TEE_SGX ARCA_TEE_SGX
#define ARCA__TEE_TDX ARCA_TEE_TDX
#define ARCA__TEE_SNP ARCA_TEE_SNP

typedef arca_tcb_status_t arca__tcb_status;
#define ARCA__TCB_NOT_EVALUATED ARCA_TCB_NOT_EVALUATED
#define ARCA__TCB_UP_TO_DATE ARCA_TCB_UP_TO_DATE
#define ARCA__TCB_SW_HARDENING_NEEDED ARCA_TCB_SW_HARDENING_NEEDED
#define ARCA__TCB_CONFIGURATION_NEEDED ARCA_TCB_CONFIGURATION_NEEDED
#define ARCA__TCB_CONFIGURATION_AND_SW_HARDENING_NEEDED ARCA_TCB_CONFIGURATION_AND_SW_HARDENING_NEEDED
#define ARCA__TCB_OUT_OF_DATE ARCA_TCB_OUT_OF_DATE
#define ARCA__TCB_OUT_OF_DATE_CONFIGURATION_NEEDED ARCA_TCB_OUT_OF_DATE_CONFIGURATION_NEEDED
#define ARCA__TCB_REVOKED ARCA_TCB_REVOKED

typedef arca_snp_tcb_t arca__snp_tcb;
typedef arca_sgx_body_t arca__hw_sgx_body;
typedef arca_tdx_body_t arca__hw_tdx_body;
typedef arca_dcap_info_t arca__hw_dcap;
typedef arca_snp_report_t arca__hw_snp;
typedef arca_azure_hcl_info_t arca__hw_azure;
typedef arca_tee_claims_t arca__hw_claims;

#define arca__tee_name arca_tee_name
#define arca__tcb_status_name arca_tcb_status_name
/** Parse Intel's spelling (and "NotEvaluated"); 0 on success, -1 for an unknown name. */
int arca__tcb_status_parse(const char *name, arca__tcb_status *out);

/**
 * Write @p claims as one JSON object (NUL-terminated) into @p buf, built with json-c.
 * @param[out] needed  the bytes the JSON needs including the NUL (may be NULL)
 * @return ARCA_OK, ARCA_ERR_BUFFER_TOO_SMALL (with *needed set) or ARCA_ERR_OUT_OF_MEMORY.
 */
arca_result_t arca__hw_claims_to_json(const arca__hw_claims *claims, char *buf, size_t cap,
                                      size_t *needed);

#endif
