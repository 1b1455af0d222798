/*
 * sgx_body.h — the SGX enclave report body (sgx_report_body_t, 384 bytes) of a DCAP quote
 * and of the quoting enclave's report, read into claims. Pure: no crypto, fixed offsets.
 * Internal header: never installed.
 */
#ifndef ARCA_VERIFY_SGX_BODY_H
#define ARCA_VERIFY_SGX_BODY_H

#include <stdint.h>

#include "verify/hw_claims.h"

#define ARCA__SGX_ATTR_DEBUG 0x02u /* attributes.flags bit 1 */

/** Read the 384-byte report body at @p body into @p out. */
void arca__sgx_body_read(const uint8_t *body, arca__hw_sgx_body *out);
/** Fill the common claims (measurement, signer, product, SVN, debug, report data). */
void arca__sgx_claims(const arca__hw_sgx_body *body, arca__hw_claims *claims);

#endif
