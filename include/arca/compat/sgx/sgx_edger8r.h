/*
 * sgx_edger8r.h — what the SGX SDK's generated NAME_t.h and NAME_u.h bring with them: the
 * status type and the calling-convention macros. arca-edger's generated headers include this
 * file when ARCA_COMPAT_SGX is defined (by any header of arca/compat/sgx/ included first, or
 * by the build: -DARCA_COMPAT_SGX), so enclave code that relies on Enclave_t.h for
 * sgx_status_t compiles unchanged.
 *
 * Maps: sgx_error.h and sgx_defs.h. Cannot map: the SDK's edger8r helpers for [user_check]
 * and the untrusted stack (sgx_ocalloc, sgx_ocfree): nothing crosses by address in Arca.
 */
#ifndef ARCA_COMPAT_SGX_EDGER8R_H
#define ARCA_COMPAT_SGX_EDGER8R_H

#include "arca/compat/sgx/sgx_defs.h"
#include "arca/compat/sgx/sgx_error.h"

#endif /* ARCA_COMPAT_SGX_EDGER8R_H */
