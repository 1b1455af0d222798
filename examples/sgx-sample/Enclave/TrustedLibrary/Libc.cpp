/* Test C library functions inside the enclave. */

#include <cpuid.h> /* the SDK's sgx_cpuid: CPUID is an ordinary instruction here */
#include <string.h>

#include "../Enclave.h"
#include "Enclave_t.h"

/* ecall_malloc_free:
 *   Uses malloc/free to allocate/free trusted memory.
 */
void ecall_malloc_free(void)
{
    void *ptr = malloc(100);
    assert(ptr != NULL);
    memset(ptr, 0x0, 100);
    free(ptr);
}

/* ecall_sgx_cpuid:
 *   Uses sgx_cpuid to get CPU features and types.
 */
void ecall_sgx_cpuid(int cpuinfo[4], int leaf)
{
    unsigned int r[4] = {0, 0, 0, 0};
    if (!__get_cpuid_count((unsigned int)leaf, 0, &r[0], &r[1], &r[2], &r[3]))
        abort();
    memcpy(cpuinfo, r, sizeof r);
}
