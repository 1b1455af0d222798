/*
 * sgx_trts.h — the Intel SGX SDK's trusted runtime functions that have a meaning in an Arca
 * enclave, for enclave code compiled with only its #include names changed
 * (#include "sgx_trts.h" → #include <arca/compat/sgx/sgx_trts.h>).
 *
 * Maps: sgx_read_rand(buf, len) → arca_random() (SGX_ERROR_INVALID_PARAMETER for a null
 * buffer or a zero length, as the SDK's); the status type and codes (sgx_error.h).
 * Cannot map: sgx_is_within_enclave() and sgx_is_outside_enclave() — they check pointers that
 * [user_check] passes from the host, and no host address reaches an Arca enclave: every
 * pointer an ecall receives is a private copy inside the enclave, so there is nothing to
 * check. They are not defined, so code that still needs them fails to compile instead of
 * trusting an answer that means nothing. sgx_register_exception_handler (use signals or C++
 * exceptions), sgx_get_enclave_mode and the other SGX hardware queries are absent too.
 */
#ifndef ARCA_COMPAT_SGX_TRTS_H
#define ARCA_COMPAT_SGX_TRTS_H

#include <stddef.h>

#include "arca/compat/sgx/sgx_defs.h"
#include "arca/compat/sgx/sgx_error.h"
#include "arca/enclave.h"

#ifdef __cplusplus
extern "C" {
#endif

static inline sgx_status_t sgx_read_rand(unsigned char *rand, size_t length_in_bytes)
{
    if (!rand || length_in_bytes == 0)
        return SGX_ERROR_INVALID_PARAMETER;
    return arca_random(rand, length_in_bytes);
}

#ifdef __cplusplus
}
#endif

#endif /* ARCA_COMPAT_SGX_TRTS_H */
