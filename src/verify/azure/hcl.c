/*
 * hcl.c — reads an Azure vTPM HCL report: its header, the hardware report it wraps and its
 * runtime claims. Pure bytes-in, fields-out: no crypto, no allocation.
 *
 * Every size comes from the untrusted report and is checked against what is there before it
 * is used (no wrapping arithmetic); the runtime claims must end inside the report size the
 * header gives. It must never read outside [bytes, bytes + len).
 */
#include "verify/azure/hcl.h"

#include <string.h>

#include "base/error.h"
#include "base/le.h"

int arca__azure_hcl_detect(const uint8_t *bytes, size_t len)
{
    return bytes && len >= ARCA__HCL_VAR_DATA_OFFSET && memcmp(bytes, "HCLA", 4) == 0;
}

arca_result_t arca__azure_hcl_parse(const uint8_t *b, size_t len, arca__azure_hcl *out)
{
    arca_result_t result = ARCA_OK;
    uint32_t data_size, var_size, runtime_version;

    if (!out || (!b && len != 0))
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "azure_hcl_parse: NULL argument");
    memset(out, 0, sizeof *out);
    if (!arca__azure_hcl_detect(b, len))
        ARCA_RAISE(ARCA_ERR_BAD_EVIDENCE,
                   "Azure HCL report: no \"HCLA\" header or shorter than "
                   "%u bytes",
                   ARCA__HCL_VAR_DATA_OFFSET);
    out->version = arca__get_le32(b + 4);
    out->report_size = arca__get_le32(b + 8);
    out->request_type = arca__get_le32(b + 12);
    if (out->version < 1 || out->version > 2)
        ARCA_RAISE(ARCA_ERR_BAD_VERSION,
                   "Azure HCL report version %u is not supported (1 and 2 "
                   "are)",
                   out->version);
    if (out->report_size < ARCA__HCL_VAR_DATA_OFFSET || out->report_size > len)
        ARCA_RAISE(ARCA_ERR_BAD_EVIDENCE,
                   "Azure HCL report: report size %u does not fit the %zu "
                   "bytes given",
                   out->report_size, len);
    out->hw_report = b + ARCA__HCL_HW_REPORT_OFFSET;
    data_size = arca__get_le32(b + ARCA__HCL_RUNTIME_OFFSET);
    runtime_version = arca__get_le32(b + ARCA__HCL_RUNTIME_OFFSET + 4);
    out->report_type = arca__get_le32(b + ARCA__HCL_RUNTIME_OFFSET + 8);
    out->hash_type = arca__get_le32(b + ARCA__HCL_RUNTIME_OFFSET + 12);
    var_size = arca__get_le32(b + ARCA__HCL_RUNTIME_OFFSET + 16);
    if (runtime_version != 1)
        ARCA_RAISE(ARCA_ERR_BAD_VERSION,
                   "Azure HCL report: runtime claims version %u is not "
                   "supported (1 is)",
                   runtime_version);
    if (var_size > out->report_size - ARCA__HCL_VAR_DATA_OFFSET ||
        data_size != var_size + (ARCA__HCL_VAR_DATA_OFFSET - ARCA__HCL_RUNTIME_OFFSET) ||
        out->report_size != ARCA__HCL_RUNTIME_OFFSET + data_size)
        ARCA_RAISE(ARCA_ERR_BAD_EVIDENCE,
                   "Azure HCL report: runtime claims of %u bytes (data "
                   "size %u) do not fit its report size %u",
                   var_size, data_size, out->report_size);
    if (out->report_type != ARCA__HCL_TYPE_SNP && out->report_type != ARCA__HCL_TYPE_TDX)
        ARCA_RAISE(ARCA_ERR_UNSUPPORTED,
                   "Azure HCL report: hardware report type %u is neither "
                   "SEV-SNP (2) nor TDX (4)",
                   out->report_type);
    if (out->hash_type != ARCA__HCL_HASH_SHA256)
        ARCA_RAISE(ARCA_ERR_UNSUPPORTED,
                   "Azure HCL report: runtime claims hash type %u is not "
                   "supported (1, SHA-256, is)",
                   out->hash_type);
    out->var_data = b + ARCA__HCL_VAR_DATA_OFFSET;
    out->var_len = var_size;
done:
    return result;
}
