#include <stdio.h>

#include "../App.h"

/* ecall_libcxx_functions:
 *   Invokes standard C++ functions.
 */
void ecall_libcxx_functions(void)
{
    arca_result_t ret = ARCA_ERR_INTERNAL;

    ret = ecall_exception(global_eid);
    if (ret != ARCA_OK)
        abort();

    ret = ecall_map(global_eid);
    if (ret != ARCA_OK)
        abort();
}
