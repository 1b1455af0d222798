/*
 * tdx_body.h — the TD report body of a TDX quote (TD 1.0, 584 bytes; TD 1.5, 648 bytes) read
 * into claims. Pure: no crypto, fixed offsets.
 * Internal header: never installed.
 */
#ifndef ARCA_VERIFY_TDX_BODY_H
#define ARCA_VERIFY_TDX_BODY_H

#include <stdint.h>

#include "verify/hw_claims.h"

#define ARCA__TDX_ATTR_DEBUG 0x01u /* td_attributes byte 0 bit 0: TUD.DEBUG */

/** Read a TD report body (@p td15: the 648-byte TD 1.5 form) into @p out. */
void arca__tdx_body_read(const uint8_t *body, int td15, arca__hw_tdx_body *out);
/** Fill the common claims (MRTD as measurement, RTMRs, debug, report data). */
void arca__tdx_claims(const arca__hw_tdx_body *body, arca__hw_claims *claims);

#endif
