/*
 * compat_cxx_enclave.cpp — compile check: every enclave-side compatibility header
 * (include/arca/compat/) and compat_t.h with ARCA_COMPAT_SGX / ARCA_COMPAT_OPENENCLAVE are
 * valid C++11 under -Wall -Wextra -Werror. It runs nothing; the behaviour is tested by
 * compat_enclave.c. It must never be the only user of a mapping.
 */
#include "compat_t.h" /* first: the build's -D macros make it bring the SDK headers */

#include "arca/compat/openenclave/enclave.h"
#include "arca/compat/sgx/sgx_cpuid.h"
#include "arca/compat/sgx/sgx_thread.h"
#include "arca/compat/sgx/sgx_trts.h"

extern "C" int compat_cxx_enclave_probe(void);
int compat_cxx_enclave_probe(void)
{
    static sgx_thread_mutex_t mutex = SGX_THREAD_MUTEX_INITIALIZER;
    int info[4];
    unsigned char b[4];
    sgx_status_t s = sgx_cpuid(info, 0); /* from compat_t.h under ARCA_COMPAT_SGX */
    oe_result_t r = oe_random(b, sizeof b);
    sgx_thread_mutex_lock(&mutex);
    sgx_thread_mutex_unlock(&mutex);
    return s == SGX_SUCCESS && r == OE_OK && sgx_read_rand(b, sizeof b) == SGX_SUCCESS;
}
