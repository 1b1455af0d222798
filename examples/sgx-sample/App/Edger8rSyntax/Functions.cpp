/* Test Calling Conventions */

#include <string.h>

#include "../App.h"
#include "Enclave_u.h"

/* ocall_function_allow:
 *   The OCALL invokes the [allow]ed ECALL 'ecall_function_private'.
 */
void ocall_function_allow(void)
{
    int ret = 0;
    sgx_status_t status = ecall_function_private(global_eid, &ret);
    if (status != SGX_SUCCESS || ret != 1)
        abort();
}

/* ocall_memccpy:
 *   The SDK sample's OCALL 'memccpy', renamed (README.md).
 */
void ocall_memccpy(void *dest, const void *src, int val, size_t len)
{
    memccpy(dest, src, val, len);
}

/* edger8r_function_attributes:
 *   Invokes ECALL declared with calling convention attributes.
 *   Invokes ECALL declared with [public].
 */
void edger8r_function_attributes(void)
{
    sgx_status_t ret = SGX_ERROR_UNEXPECTED;

    ret = ecall_function_calling_convs(global_eid);
    if (ret != SGX_SUCCESS)
        abort();

    ret = ecall_function_public(global_eid);
    if (ret != SGX_SUCCESS)
        abort();

    /* user shall not invoke private function here */
    int runned = 0;
    ret = ecall_function_private(global_eid, &runned);
    if (ret != SGX_ERROR_ECALL_NOT_ALLOWED || runned != 0)
        abort();
    printf("Info: edger8r function attributes passed (the private ECALL was refused: %s).\n",
           arca_result_name(ret));
}
