/*
 * hcl.h — the Azure confidential VM vTPM "HCL report" (the attestation report the paravisor
 * stores in vTPM NV index 0x01400001): a 32-byte header ("HCLA"), the hardware report (an
 * SEV-SNP report, or a TDX TDREPORT whose quote is fetched separately), and the runtime
 * claims JSON (the vTPM attestation key and VM configuration) whose hash the hardware report
 * carries in its report data. Parsing is pure and fuzzed; verification is azure/hcl_verify.c.
 * Internal header: never installed.
 */
#ifndef ARCA_VERIFY_AZURE_HCL_H
#define ARCA_VERIFY_AZURE_HCL_H

#include <stddef.h>
#include <stdint.h>

#include "arca/result.h"

#define ARCA__HCL_HW_REPORT_OFFSET 0x20u
#define ARCA__HCL_HW_REPORT_SIZE 0x4A0u
#define ARCA__HCL_RUNTIME_OFFSET 0x4C0u
#define ARCA__HCL_VAR_DATA_OFFSET 0x4D4u
#define ARCA__HCL_TYPE_SNP 2u
#define ARCA__HCL_TYPE_TDX 4u
#define ARCA__HCL_HASH_SHA256 1u

typedef struct arca__azure_hcl {
    uint32_t version;
    uint32_t report_size;
    uint32_t request_type;
    uint32_t report_type; /* ARCA__HCL_TYPE_SNP or ARCA__HCL_TYPE_TDX */
    uint32_t hash_type;
    const uint8_t *hw_report; /* ARCA__HCL_HW_REPORT_SIZE bytes */
    const uint8_t *var_data;  /* the runtime claims (JSON) */
    size_t var_len;
} arca__azure_hcl;

/** 1 when @p bytes start with the "HCLA" magic and are long enough for the fixed part. */
int arca__azure_hcl_detect(const uint8_t *bytes, size_t len);
/**
 * Parse an HCL report (trailing bytes after report_size are ignored, as the NV index is
 * padded). @return ARCA_ERR_BAD_EVIDENCE when malformed, ARCA_ERR_UNSUPPORTED for a report
 * or hash type Arca cannot verify.
 */
arca_result_t arca__azure_hcl_parse(const uint8_t *bytes, size_t len, arca__azure_hcl *out);

#endif
