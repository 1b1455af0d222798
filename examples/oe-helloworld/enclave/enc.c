/*
 * enc.c — the enclave of the helloworld sample: the ecall the host makes prints a line with the
 * C library's fprintf(stdout, ...) — inside an Arca enclave the bytes go to the host's output —
 * and then calls back into the host.
 */
#include <stdio.h>

/* Generated from helloworld.edl by arca-edger during the build. */
#include "helloworld_t.h"

void enclave_helloworld(void)
{
    fprintf(stdout, "Hello world from the enclave\n");

    /* Out to the host and back; the result is the call's transport result. */
    arca_result_t result = host_helloworld();
    if (result != ARCA_OK)
        fprintf(stderr, "Call to host_helloworld failed: result=%u (%s)\n", result,
                arca_result_str(result));
}
