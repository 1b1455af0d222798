/* Test Pointer Auttributes */

#include <string.h>

#include "../Enclave.h"
#include "Enclave_t.h"

/* checksum_internal:
 *   get simple checksum of input buffer and length
 */
static int32_t checksum_internal(char *buf, size_t count)
{
    register int32_t sum = 0;
    int16_t *ptr = (int16_t *)buf;

    /* Main summing loop */
    while (count > 1) {
        sum = sum + *ptr++;
        count = count - 2;
    }

    /* Add left-over byte, if any */
    if (count > 0)
        sum = sum + *((char *)ptr);

    return ~sum;
}

/* ecall_pointer_in:
 *   the buffer of val is copied to the enclave.
 */
void ecall_pointer_in(int *val)
{
    *val = 1234;
}

/* ecall_pointer_out:
 *   the buffer of val is copied to the untrusted side.
 */
void ecall_pointer_out(int *val)
{
    assert(*val == 0);
    *val = 1234;
}

/* ecall_pointer_in_out:
 * the buffer of val is double-copied.
 */
void ecall_pointer_in_out(int *val)
{
    *val = 1234;
}

/* ecall_pointer_string:
 *   [string] defines a string.
 */
void ecall_pointer_string(char *str)
{
    strncpy(str, "0987654321", strlen(str));
}

/* ecall_pointer_string_const:
 *   const [string] defines a string that cannot be modified.
 */
void ecall_pointer_string_const(const char *str)
{
    char *temp = new char[strlen(str)];
    strncpy(temp, str, strlen(str));
    delete[] temp;
}

/* ecall_pointer_size:
 *   'len' needs to be specified to tell Edger8r
 *   the length of 'str'.
 */
void ecall_pointer_size(void *ptr, size_t len)
{
    strncpy((char *)ptr, "0987654321", len);
}

/* ecall_pointer_out_size:
 *   [out, size=len]: only the enclave's bytes are copied out.
 */
void ecall_pointer_out_size(void *ptr, size_t len)
{
    memset(ptr, 'z', len);
}

/* ecall_pointer_count:
 *   'cnt' needs to be specified to tell Edger8r
 *   the number of elements in 'arr'.
 */
void ecall_pointer_count(int *arr, size_t cnt)
{
    for (int i = (int)cnt - 1; i >= 0; i--)
        arr[i] = (int)cnt - 1 - i;
}

/* ecall_pointer_in_count:
 *   [in, count=cnt]: the host's integers, copied in.
 */
int ecall_pointer_in_count(const int *arr, size_t cnt)
{
    int sum = 0;
    for (size_t i = 0; i < cnt; i++)
        sum += arr[i];
    return sum;
}

/* ocall_pointer_attr:
 *   The OCALL which involves pointers.
 */
void ocall_pointer_attr(void)
{
    int val = 0;
    if (ocall_pointer_out(&val) != SGX_SUCCESS)
        abort();
    assert(val == 1234);

    val = 0;
    if (ocall_pointer_in(&val) != SGX_SUCCESS)
        abort();
    assert(val == 0);

    val = 0;
    if (ocall_pointer_in_out(&val) != SGX_SUCCESS)
        abort();
    assert(val == 1234);

    char buf[] = "checksum me";
    printf("Info: checksum of the pointer sample's buffer: %d\n",
           (int)checksum_internal(buf, sizeof buf));
}
