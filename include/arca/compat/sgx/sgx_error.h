/*
 * sgx_error.h — the Intel SGX SDK's status type and codes, spelled over Arca's result type,
 * so that SDK code using them compiles with only its #include names changed
 * (#include "sgx_error.h" → #include <arca/compat/sgx/sgx_error.h>).
 *
 * Maps: sgx_status_t is arca_result_t; SGX_SUCCESS is ARCA_OK; each SGX_ERROR_* below is the
 * Arca result of the same meaning (several SGX codes share one Arca result, so a table or a
 * chain of ifs over them takes the first match; a switch over them does not compile — there
 * is no distinct value for each). arca_result_str()/arca_last_error() say more than the codes.
 * Cannot map: SGX codes of hardware and services Arca does not have (EPC paging, launch
 * tokens, AESM, the quoting enclave, KSS, PCL, …) are not defined, so code testing for them
 * fails to compile where it would test for something that cannot happen here.
 */
#ifndef ARCA_COMPAT_SGX_ERROR_H
#define ARCA_COMPAT_SGX_ERROR_H

#ifndef ARCA_COMPAT_SGX
#define ARCA_COMPAT_SGX 1 /* generated NAME_t.h/NAME_u.h bring the SGX compatibility names */
#endif

#include "arca/result.h"

/* The SDK's status type is Arca's result type (arca-edger's typedef of it is this one). */
#ifndef ARCA_EDL_TYPE_sgx_status_t
#define ARCA_EDL_TYPE_sgx_status_t
typedef arca_result_t sgx_status_t;
#endif

#define SGX_SUCCESS ARCA_OK

#define SGX_ERROR_UNEXPECTED ARCA_ERR_INTERNAL
#define SGX_ERROR_INVALID_PARAMETER ARCA_ERR_INVALID_ARGUMENT
#define SGX_ERROR_OUT_OF_MEMORY ARCA_ERR_OUT_OF_MEMORY
#define SGX_ERROR_ENCLAVE_LOST ARCA_ERR_ENCLAVE_LOST
#define SGX_ERROR_ENCLAVE_CRASHED ARCA_ERR_ENCLAVE_LOST
#define SGX_ERROR_INVALID_STATE ARCA_ERR_ENCLAVE_DESTROYED
#define SGX_ERROR_FEATURE_NOT_SUPPORTED ARCA_ERR_UNSUPPORTED
#define SGX_ERROR_INVALID_FUNCTION ARCA_ERR_UNKNOWN_FUNCTION
#define SGX_ERROR_OUT_OF_TCS ARCA_ERR_BUSY
#define SGX_ERROR_ECALL_NOT_ALLOWED ARCA_ERR_PERMISSION /* an ecall not in an ocall's allow() */
#define SGX_ERROR_OCALL_NOT_ALLOWED ARCA_ERR_PERMISSION
#define SGX_ERROR_INVALID_ENCLAVE ARCA_ERR_BAD_IMAGE
#define SGX_ERROR_INVALID_ENCLAVE_ID ARCA_ERR_INVALID_ARGUMENT
#define SGX_ERROR_INVALID_SIGNATURE ARCA_ERR_BAD_SIGNATURE
/* The nearest: whether an enclave is a debug one is signed into the image. */
#define SGX_ERROR_NDEBUG_ENCLAVE ARCA_ERR_DEBUG_REFUSED
#define SGX_ERROR_OUT_OF_EPC ARCA_ERR_OUT_OF_MEMORY
#define SGX_ERROR_NO_DEVICE ARCA_ERR_BACKEND_UNAVAILABLE
#define SGX_ERROR_MEMORY_MAP_CONFLICT ARCA_ERR_OUT_OF_MEMORY
#define SGX_ERROR_MEMORY_MAP_FAILURE ARCA_ERR_OUT_OF_MEMORY
#define SGX_ERROR_INVALID_METADATA ARCA_ERR_BAD_IMAGE
#define SGX_ERROR_DEVICE_BUSY ARCA_ERR_BUSY
#define SGX_ERROR_INVALID_VERSION ARCA_ERR_BAD_VERSION
#define SGX_ERROR_INVALID_ATTRIBUTE ARCA_ERR_DEBUG_REFUSED
#define SGX_ERROR_ENCLAVE_FILE_ACCESS ARCA_ERR_IO
#define SGX_ERROR_MAC_MISMATCH ARCA_ERR_UNSEAL

#endif /* ARCA_COMPAT_SGX_ERROR_H */
