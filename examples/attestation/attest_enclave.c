/*
 * attest_enclave.c — produces attestation evidence that binds a verifier's nonce. A real
 * service would bind the hash of a fresh public key instead, so the verifier can open a
 * channel that only this enclave can terminate.
 */
#include <string.h>

#include "arca/enclave.h"
#include "arca/attest.h"
#include "attest_ids.h"

static arca_result_t evidence(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap,
                              size_t *out_len)
{
    uint8_t report_data[ARCA_REPORT_DATA_SIZE] = {0}, *ev = NULL;
    size_t len = 0;
    if (in_len > sizeof report_data)
        return ARCA_ERR_INVALID_ARGUMENT;
    memcpy(report_data, in, in_len); /* zero-padded, as the verifier's ReportData compares */
    arca_result_t r = arca_get_evidence(report_data, &ev, &len);
    if (r != ARCA_OK)
        return r;
    *out_len = len;
    if (len > out_cap)
        r = ARCA_ERR_BUFFER_TOO_SMALL;
    else
        memcpy(out, ev, len);
    arca_free_evidence(ev);
    return r;
}

ARCA_ECALLS({ATTEST_FN_EVIDENCE, evidence});
