/*
 * bits/result.h — Open Enclave's result type and codes, spelled over Arca's result type; shared
 * by arca/compat/openenclave/host.h and arca/compat/openenclave/enclave.h.
 *
 * Maps: oe_result_t is arca_result_t; OE_OK is ARCA_OK; each OE_* code below is the Arca result
 * of the same meaning (several share one Arca result, so a switch over them does not compile);
 * oe_result_str() is arca_result_str() (arca_last_error() says more, on the host).
 * Cannot map: codes of SGX hardware, attestation plug-ins and OE's internal states (OE_OUT_OF_
 * THREADS aside) are not defined, so code testing for them fails to compile.
 */
#ifndef ARCA_COMPAT_OE_BITS_RESULT_H
#define ARCA_COMPAT_OE_BITS_RESULT_H

#ifndef ARCA_COMPAT_OPENENCLAVE
#define ARCA_COMPAT_OPENENCLAVE 1 /* generated NAME_t.h/NAME_u.h bring the OE names */
#endif

#include "arca/result.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The SDK's result type is Arca's (arca-edger's typedef of it is this one). */
#ifndef ARCA_EDL_TYPE_oe_result_t
#define ARCA_EDL_TYPE_oe_result_t
typedef arca_result_t oe_result_t;
#endif

#define OE_OK ARCA_OK
#define OE_FAILURE ARCA_ERR_INTERNAL
#define OE_UNEXPECTED ARCA_ERR_INTERNAL
#define OE_INVALID_PARAMETER ARCA_ERR_INVALID_ARGUMENT
#define OE_OUT_OF_MEMORY ARCA_ERR_OUT_OF_MEMORY
#define OE_BUFFER_TOO_SMALL ARCA_ERR_BUFFER_TOO_SMALL
#define OE_NOT_FOUND ARCA_ERR_NOT_FOUND
#define OE_UNSUPPORTED ARCA_ERR_UNSUPPORTED
#define OE_UNSUPPORTED_ENCLAVE_IMAGE ARCA_ERR_BAD_IMAGE
#define OE_FAILED_OPT_CONSTRAINT ARCA_ERR_BAD_IMAGE
#define OE_INTEGER_OVERFLOW ARCA_ERR_OVERFLOW
#define OE_PLATFORM_ERROR ARCA_ERR_PLATFORM
#define OE_ENCLAVE_ABORTING ARCA_ERR_ENCLAVE_LOST
#define OE_ENCLAVE_ABORTED ARCA_ERR_ENCLAVE_LOST
#define OE_OUT_OF_THREADS ARCA_ERR_BUSY
#define OE_ACCESS_DENIED ARCA_ERR_PERMISSION
#define OE_INVALID_IMAGE ARCA_ERR_BAD_IMAGE
#define OE_CRYPTO_ERROR ARCA_ERR_CRYPTO
#define OE_VERIFY_FAILED ARCA_ERR_BAD_SIGNATURE

static inline const char *oe_result_str(oe_result_t result)
{
    return arca_result_str(result);
}

#ifdef __cplusplus
}
#endif

#endif /* ARCA_COMPAT_OE_BITS_RESULT_H */
