/*
 * compat_enclave.c — the enclave side of the SDK compatibility-header test: exercises what
 * include/arca/compat/sgx/ and include/arca/compat/openenclave/ map for enclave code
 * (sgx_cpuid, sgx_read_rand, sgx_thread_*, oe_random, the result codes), including each
 * failure path, and reports the first check that failed by number. It must never pass a check
 * it did not run: every ecall returns 0 only after all of its checks held.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "arca/compat/openenclave/enclave.h"
#include "arca/compat/sgx/sgx_cpuid.h"
#include "arca/compat/sgx/sgx_thread.h"
#include "arca/compat/sgx/sgx_trts.h"

#include "compat_t.h"

static sgx_thread_mutex_t static_mutex = SGX_THREAD_MUTEX_INITIALIZER;
static sgx_thread_cond_t static_cond = SGX_THREAD_COND_INITIALIZER;

static int all_zero(const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i])
            return 0;
    return 1;
}

int ecall_sgx_checks(void)
{
    int info[4] = {0, 0, 0, 0};
    unsigned char buf[32];
    sgx_thread_mutex_t mutex;
    sgx_thread_cond_t cond;

    /* sgx_cpuid: a null buffer is refused; leaf 0 gives the highest leaf and the vendor. */
    if (sgx_cpuid(NULL, 0) != SGX_ERROR_INVALID_PARAMETER)
        return 1;
    if (sgx_cpuid(info, 0) != SGX_SUCCESS || info[0] <= 0 || info[1] == 0)
        return 2;
    memset(info, 0, sizeof info);
    if (sgx_cpuidex(info, 0, 0) != SGX_SUCCESS || info[0] <= 0)
        return 3;
    /* sgx_read_rand: null or empty refused; 32 bytes are not all zero. */
    if (sgx_read_rand(NULL, 8) != SGX_ERROR_INVALID_PARAMETER)
        return 4;
    if (sgx_read_rand(buf, 0) != SGX_ERROR_INVALID_PARAMETER)
        return 5;
    memset(buf, 0, sizeof buf);
    if (sgx_read_rand(buf, sizeof buf) != SGX_SUCCESS || all_zero(buf, sizeof buf))
        return 6;
    /* sgx_thread_*: the pthread results (0 or an errno value). */
    if (sgx_thread_mutex_init(&mutex, NULL) != 0 || sgx_thread_mutex_lock(&mutex) != 0)
        return 7;
    if (sgx_thread_mutex_trylock(&mutex) != EBUSY)
        return 8;
    if (sgx_thread_mutex_unlock(&mutex) != 0 || sgx_thread_mutex_trylock(&mutex) != 0 ||
        sgx_thread_mutex_unlock(&mutex) != 0 || sgx_thread_mutex_destroy(&mutex) != 0)
        return 9;
    if (sgx_thread_mutex_lock(&static_mutex) != 0 || sgx_thread_cond_signal(&static_cond) != 0 ||
        sgx_thread_cond_broadcast(&static_cond) != 0 || sgx_thread_mutex_unlock(&static_mutex) != 0)
        return 10;
    if (sgx_thread_cond_init(&cond, NULL) != 0 || sgx_thread_cond_signal(&cond) != 0 ||
        sgx_thread_cond_destroy(&cond) != 0)
        return 11;
    if (!sgx_thread_equal(sgx_thread_self(), sgx_thread_self()))
        return 12;
    /* The status type is Arca's result type. */
    if (SGX_SUCCESS != ARCA_OK || SGX_ERROR_ECALL_NOT_ALLOWED != ARCA_ERR_PERMISSION)
        return 13;
    return 0;
}

int ecall_oe_checks(void)
{
    unsigned char buf[16];
    memset(buf, 0, sizeof buf);
    if (oe_random(buf, sizeof buf) != OE_OK || all_zero(buf, sizeof buf))
        return 1;
    if (strcmp(oe_result_str(OE_UNSUPPORTED), arca_result_str(ARCA_ERR_UNSUPPORTED)) != 0)
        return 2;
    if (OE_OK != ARCA_OK || OE_INVALID_PARAMETER != ARCA_ERR_INVALID_ARGUMENT)
        return 3;
    return 0;
}

void ecall_hello(void)
{
    oe_result_t result = ocall_hello();
    if (result != OE_OK)
        abort();
}
