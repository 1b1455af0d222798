/*
 * host.c — the host of the helloworld sample: creates the enclave with the create function
 * arca-edger generated for helloworld.edl (it installs the ocall table and checks the
 * interface), calls its one ecall, serves its one ocall, and destroys it.
 * usage: helloworld_host ENCLAVE_IMAGE [--simulate]
 */
#include <stdio.h>
#include <string.h>

/* Generated from helloworld.edl by arca-edger during the build; brings arca/host.h. */
#include "helloworld_u.h"

/* Removes "--simulate" from the arguments; 1 when it was there. */
static int take_simulate(int *argc, const char *argv[])
{
    for (int i = 1; i < *argc; i++) {
        if (!strcmp(argv[i], "--simulate")) {
            memmove(&argv[i], &argv[i + 1], (size_t)(*argc - i) * sizeof *argv);
            (*argc)--;
            return 1;
        }
    }
    return 0;
}

/* The ocall: the enclave asks the host to print. */
void host_helloworld(void)
{
    fprintf(stdout, "Enclave called into host to print: Hello World!\n");
}

int main(int argc, const char *argv[])
{
    arca_result_t result;
    arca_enclave_options_t options;
    arca_enclave_t *enclave = NULL;
    int ret = 1;

    arca_enclave_options_init(&options);
    if (take_simulate(&argc, argv)) {
        fprintf(stdout, "Running in simulation mode\n");
        options.backend = "sim"; /* else ARCA_BACKEND, else the strongest available */
    }
    if (argc != 2) {
        fprintf(stderr, "Usage: %s enclave_image_path [ --simulate ]\n", argv[0]);
        goto exit;
    }

    result = helloworld_create_enclave(argv[1], &options, &enclave);
    if (result != ARCA_OK) {
        fprintf(stderr, "helloworld_create_enclave(): result=%u (%s): %s\n", result,
                arca_result_str(result), arca_last_error());
        goto exit;
    }

    result = enclave_helloworld(enclave);
    if (result != ARCA_OK) {
        fprintf(stderr, "calling into enclave_helloworld failed: result=%u (%s): %s\n", result,
                arca_result_str(result), arca_last_error());
        goto exit;
    }
    fprintf(stdout, "Backend: %s\n", arca_enclave_backend(enclave));
    ret = 0;

exit:
    if (enclave)
        arca_enclave_destroy(enclave);
    return ret;
}
