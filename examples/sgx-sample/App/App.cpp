#include <stdio.h>
#include <string.h>

#include "App.h"

/* Global EID shared by multiple threads */
arca_enclave_t *global_eid = NULL;

/* Check error conditions for loading enclave (the SDK's sgx_errlist table: arca_result_str()
 * and, for the detail, arca_last_error()). */
void print_error_message(arca_result_t ret)
{
    printf("Error: %s (%s): %s\n", arca_result_name(ret), arca_result_str(ret),
           arca_last_error());
}

/* Initialize the enclave:
 *   Call Enclave_create_enclave to initialize an enclave instance
 */
int initialize_enclave(void)
{
    arca_result_t ret = ARCA_ERR_INTERNAL;

    /* Call Enclave_create_enclave to initialize an enclave instance */
    /* Debug Support: the debug attribute is signed into the image */
    ret = Enclave_create_enclave(ENCLAVE_FILENAME, NULL, &global_eid);
    if (ret != ARCA_OK) {
        print_error_message(ret);
        return -1;
    }

    return 0;
}

/* OCall functions */
void ocall_print_string(const char *str)
{
    /* Proxy/Bridge will check the length and null-terminate
     * the input string to prevent buffer overflow.
     */
    printf("%s", str);
}

/* Application entry */
int main(int argc, char *argv[])
{
    (void)(argc);
    (void)(argv);

    /* Initialize the enclave */
    if (initialize_enclave() < 0) {
        printf("Enter a character before exit ...\n");
        return -1;
    }
    printf("Info: the enclave runs on the %s backend.\n", arca_enclave_backend(global_eid));

    /* Utilize edger8r attributes */
    edger8r_array_attributes();
    edger8r_pointer_attributes();
    edger8r_type_attributes();
    edger8r_function_attributes();

    /* Utilize trusted libraries */
    ecall_libc_functions();
    ecall_libcxx_functions();
    ecall_thread_functions();

    /* Destroy the enclave */
    if (arca_enclave_destroy(global_eid) != ARCA_OK)
        abort();

    printf("Info: SampleEnclave successfully returned.\n");

    return 0;
}
