#include <stdio.h>

#include "../App.h"

/* ecall_libc_functions:
 *   Invokes standard C functions.
 */
void ecall_libc_functions(void)
{
    arca_result_t ret = ARCA_ERR_INTERNAL;

    ret = ecall_malloc_free(global_eid);
    if (ret != ARCA_OK)
        abort();

    int cpuid[4] = {0x1, 0x0, 0x0, 0x0};
    ret = ecall_sgx_cpuid(global_eid, cpuid, 0x0);
    if (ret != ARCA_OK)
        abort();
    assert(cpuid[0] != 0); /* the highest standard CPUID leaf */
    printf("Info: libc functions passed.\n");
}
