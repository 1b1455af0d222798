/*
 * sgx_body.c — reads an SGX enclave report body (Intel's sgx_report_body_t) and maps it to
 * the common claims: MRENCLAVE is the measurement, MRSIGNER the signer, ISVPRODID the
 * product, ISVSVN the SVN, attributes.DEBUG the debug flag.
 *
 * Pure: fixed offsets into a body the caller has already bounded (384 bytes); it must never
 * be called on bytes that were not length-checked, and it decides nothing about trust.
 */
#include "verify/sgx/sgx_body.h"

#include <string.h>

#include "base/le.h"
#include "verify/hw/hw_internal.h"

void arca__sgx_body_read(const uint8_t *b, arca__hw_sgx_body *out)
{
    memset(out, 0, sizeof *out);
    memcpy(out->cpu_svn, b, 16);
    out->misc_select = arca__get_le32(b + 16);
    memcpy(out->isv_ext_prod_id, b + 32, 16);
    memcpy(out->attributes, b + 48, 16);
    memcpy(out->mr_enclave, b + 64, 32);
    memcpy(out->mr_signer, b + 128, 32);
    memcpy(out->config_id, b + 192, 64);
    out->isv_prod_id = arca__get_le16(b + 256);
    out->isv_svn = arca__get_le16(b + 258);
    out->config_svn = arca__get_le16(b + 260);
    memcpy(out->isv_family_id, b + 304, 16);
    memcpy(out->report_data, b + 320, 64);
}

void arca__sgx_claims(const arca__hw_sgx_body *body, arca__hw_claims *claims)
{
    arca__hw_claims_set(claims, ARCA__TEE_SGX, body->mr_enclave, 32, body->mr_signer, 32,
                        body->attributes[0] & ARCA__SGX_ATTR_DEBUG, body->report_data);
    claims->has_product_id = 1;
    claims->product_id = body->isv_prod_id;
    claims->has_svn = 1;
    claims->svn = body->isv_svn;
    claims->sgx = *body;
}
