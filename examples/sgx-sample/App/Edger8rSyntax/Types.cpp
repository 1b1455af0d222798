/* Test Basic Types */

#include <limits.h>

#include "../App.h"

/* edger8r_type_attributes:
 *   Invokes ECALLs declared with basic types.
 */
void edger8r_type_attributes(void)
{
    arca_result_t ret = ARCA_ERR_INTERNAL;

    ret = ecall_type_char(global_eid, (char)0x12);
    if (ret != ARCA_OK)
        abort();

    ret = ecall_type_int(global_eid, (int)1234);
    if (ret != ARCA_OK)
        abort();

    ret = ecall_type_float(global_eid, (float)1234.0);
    if (ret != ARCA_OK)
        abort();

    ret = ecall_type_double(global_eid, (double)1234.5678);
    if (ret != ARCA_OK)
        abort();

    ret = ecall_type_size_t(global_eid, (size_t)12345678);
    if (ret != ARCA_OK)
        abort();

    ret = ecall_type_wchar_t(global_eid, (wchar_t)0x1234);
    if (ret != ARCA_OK)
        abort();

    struct struct_foo_t g = {1234, 5678};
    ret = ecall_type_struct(global_eid, g);
    if (ret != ARCA_OK)
        abort();

    union union_foo_t val = {0};
    ret = ecall_type_enum_union(global_eid, ENUM_FOO_0, &val);
    if (ret != ARCA_OK)
        abort();
    assert(val.union_foo_3 == ULLONG_MAX);
    printf("Info: edger8r type attributes passed.\n");
}
