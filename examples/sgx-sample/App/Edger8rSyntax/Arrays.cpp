/* Test Array Attributes */

#include "../App.h"
#include "Enclave_u.h"

/* edger8r_array_attributes:
 *   Invokes ECALLs declared with array attributes.
 */
void edger8r_array_attributes(void)
{
    sgx_status_t ret = SGX_ERROR_UNEXPECTED;

    /* user_check (ecall_array_user_check): an address, which cannot cross into another
     * address space (README.md). */

    /* make the array in, and also out */
    int arr2[4] = {0, 1, 2, 3};
    ret = ecall_array_in(global_eid, arr2);
    if (ret != SGX_SUCCESS)
        abort();

    /* arr2 is not modified */
    for (int i = 0; i < 4; i++)
        assert(arr2[i] == i);

    /* make the array out */
    int arr3[4] = {0, 1, 2, 3};
    ret = ecall_array_out(global_eid, arr3);
    if (ret != SGX_SUCCESS)
        abort();

    /* arr3 is modified */
    for (int i = 0; i < 4; i++)
        assert(arr3[i] == (3 - i));

    /* make the array in and out */
    int arr4[4] = {0, 1, 2, 3};
    ret = ecall_array_in_out(global_eid, arr4);
    if (ret != SGX_SUCCESS)
        abort();

    /* arr4 is modified */
    for (int i = 0; i < 4; i++)
        assert(arr4[i] == (3 - i));

    /* isary (ecall_array_isary): an address too (README.md). */
    printf("Info: edger8r array attributes passed.\n");
}
