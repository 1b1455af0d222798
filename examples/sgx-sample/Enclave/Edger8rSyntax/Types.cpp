/* Test Basic Types */

#include <limits.h>

#include "../Enclave.h"
#include "Enclave_t.h"

/* used to eliminate `unused variable' warning */
#define UNUSED(val) (void)(val)

#define ULLINT_MAX 18446744073709551615ULL

/* ecall_type_char:
 *   [char] value passed by App.
 */
void ecall_type_char(char val)
{
    assert(val == (char)0x12);
#ifndef DEBUG
    UNUSED(val);
#endif
}

/* ecall_type_int:
 *   [int] value passed by App.
 */
void ecall_type_int(int val)
{
    assert(val == 1234);
#ifndef DEBUG
    UNUSED(val);
#endif
}

/* ecall_type_float:
 *   [float] value passed by App.
 */
void ecall_type_float(float val)
{
    assert(val == (float)1234.0);
#ifndef DEBUG
    UNUSED(val);
#endif
}

/* ecall_type_double:
 *   [double] value passed by App.
 */
void ecall_type_double(double val)
{
    assert(val == (double)1234.5678);
#ifndef DEBUG
    UNUSED(val);
#endif
}

/* ecall_type_size_t:
 *   [size_t] value passed by App.
 */
void ecall_type_size_t(size_t val)
{
    assert(val == (size_t)12345678);
#ifndef DEBUG
    UNUSED(val);
#endif
}

/* ecall_type_wchar_t:
 *   [wchar_t] value passed by App.
 */
void ecall_type_wchar_t(wchar_t val)
{
    assert(val == (wchar_t)0x1234);
#ifndef DEBUG
    UNUSED(val);
#endif
}

/* ecall_type_struct:
 *   struct_foo_t is defined in EDL and can be used in ECALL.
 */
void ecall_type_struct(struct struct_foo_t val)
{
    assert(val.struct_foo_0 == 1234);
    assert(val.struct_foo_1 == 5678);
#ifndef DEBUG
    UNUSED(val);
#endif
}

/*
 * ecall_type_enum_union:
 *   enum_foo_t/union_foo_t is defined in EDL
 *   and can be used in ECALL.
 */
void ecall_type_enum_union(enum enum_foo_t val1, union union_foo_t *val2)
{
    if (val2 == NULL)
        abort();
    assert(val1 == ENUM_FOO_0);
    val2->union_foo_0 = 1;
    val2->union_foo_1 = 2; /* overwrite union_foo_0 */
    assert(val2->union_foo_0 == 2);
    val2->union_foo_3 = ULLINT_MAX;
#ifndef DEBUG
    UNUSED(val1);
#endif
}
