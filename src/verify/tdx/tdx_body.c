/*
 * tdx_body.c — reads a TD report body (TD 1.0 and TD 1.5, as in Intel's sgx_quote_4.h and
 * sgx_quote_5.h) and maps it to the common claims: MRTD is the measurement, RTMR0..3 the
 * runtime measurements, TD_ATTRIBUTES.DEBUG the debug flag. A TD has no signer or product id.
 *
 * Pure: fixed offsets into a body the caller has already bounded; it must never be called on
 * bytes that were not length-checked, and it decides nothing about trust.
 */
#include "verify/tdx/tdx_body.h"

#include <string.h>

#include "verify/hw/hw_internal.h"

void arca__tdx_body_read(const uint8_t *b, int td15, arca__hw_tdx_body *out)
{
    memset(out, 0, sizeof *out);
    memcpy(out->tee_tcb_svn, b, 16);
    memcpy(out->mr_seam, b + 16, 48);
    memcpy(out->mr_signer_seam, b + 64, 48);
    memcpy(out->seam_attributes, b + 112, 8);
    memcpy(out->td_attributes, b + 120, 8);
    memcpy(out->xfam, b + 128, 8);
    memcpy(out->mr_td, b + 136, 48);
    memcpy(out->mr_config_id, b + 184, 48);
    memcpy(out->mr_owner, b + 232, 48);
    memcpy(out->mr_owner_config, b + 280, 48);
    for (int i = 0; i < 4; i++)
        memcpy(out->rtmr[i], b + 328 + 48 * i, 48);
    memcpy(out->report_data, b + 520, 64);
    if (td15) {
        out->td15 = 1;
        memcpy(out->tee_tcb_svn2, b + 584, 16);
        memcpy(out->mr_servicetd, b + 600, 48);
    }
}

void arca__tdx_claims(const arca__hw_tdx_body *body, arca__hw_claims *claims)
{
    arca__hw_claims_set(claims, ARCA__TEE_TDX, body->mr_td, 48, NULL, 0,
                        body->td_attributes[0] & ARCA__TDX_ATTR_DEBUG, body->report_data);
    claims->has_rtmr = 1;
    memcpy(claims->rtmr, body->rtmr, sizeof claims->rtmr);
    claims->tdx = *body;
}
