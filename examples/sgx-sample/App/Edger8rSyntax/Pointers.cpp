/* Test Pointer Auttributes */

#include <string.h>

#include "../App.h"
#include "Enclave_u.h"

/* edger8r_pointer_attributes:
 *   Invokes the ECALLs that have different pointer attributes.
 */
void edger8r_pointer_attributes(void)
{
    int val = 0;
    sgx_status_t ret = SGX_ERROR_UNEXPECTED;

    char c[128] = {0};

    val = 0;
    ret = ecall_pointer_in(global_eid, &val);
    if (ret != SGX_SUCCESS)
        abort();
    assert(val == 0); /* [in]: the enclave's change does not come back */

    val = 0;
    ret = ecall_pointer_out(global_eid, &val);
    if (ret != SGX_SUCCESS)
        abort();
    assert(val == 1234);

    val = 0;
    ret = ecall_pointer_in_out(global_eid, &val);
    if (ret != SGX_SUCCESS)
        abort();
    assert(val == 1234);

    ret = ocall_pointer_attr(global_eid);
    if (ret != SGX_SUCCESS)
        abort();

    memset(c, 0x0, sizeof(c));
    memcpy(c, "1234567890", strlen("1234567890"));
    ret = ecall_pointer_string(global_eid, c);
    if (ret != SGX_SUCCESS)
        abort();
    assert(strlen(c) == 10);
    assert(memcmp(c, "0987654321", strlen(c)) == 0);

    memset(c, 0x0, sizeof(c));
    memcpy(c, "1234567890", strlen("1234567890"));
    ret = ecall_pointer_string_const(global_eid, c);
    if (ret != SGX_SUCCESS)
        abort();
    assert(strlen(c) == 10);
    assert(memcmp(c, "1234567890", strlen(c)) == 0);

    memset(c, 0x0, sizeof(c));
    memcpy(c, "1234567890", strlen("1234567890"));
    ret = ecall_pointer_size(global_eid, (void *)c, strlen(c));
    if (ret != SGX_SUCCESS)
        abort();
    assert(strlen(c) == 10);
    assert(memcmp(c, "0987654321", strlen(c)) == 0);

    memset(c, 'a', 16);
    ret = ecall_pointer_out_size(global_eid, (void *)c, 8);
    if (ret != SGX_SUCCESS)
        abort();
    assert(memcmp(c, "zzzzzzzzaaaaaaaa", 16) == 0); /* 8 bytes out, the rest untouched */

    int arr[10] = {0};
    ret = ecall_pointer_count(global_eid, arr, 10);
    if (ret != SGX_SUCCESS)
        abort();
    for (int i = 0; i < 10; i++)
        assert(arr[i] == (9 - i));

    int sum = 0;
    int in[4] = {1, 2, 3, 4};
    ret = ecall_pointer_in_count(global_eid, &sum, in, 4);
    if (ret != SGX_SUCCESS)
        abort();
    assert(sum == 10);
    printf("Info: edger8r pointer attributes passed.\n");
}

/* ocall_pointer_in:
 *   The OCALL declared with [in].
 */
void ocall_pointer_in(int *val)
{
    *val = 1234;
}

/* ocall_pointer_out:
 *   The OCALL declared with [out].
 */
void ocall_pointer_out(int *val)
{
    *val = 1234;
}

/* ocall_pointer_in_out:
 *   The OCALL declared with [in, out].
 */
void ocall_pointer_in_out(int *val)
{
    *val = 1234;
}
