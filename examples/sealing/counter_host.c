/*
 * counter_host.c — runs the sealed counter once: reads the sealed state file (if any),
 * asks the enclave to increment, prints the count and replaces the file atomically.
 * usage: sealed_counter [--reset] STATE_FILE
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arca/host.h"
#include "counter.h"

int main(int argc, char **argv)
{
    int reset = argc == 3 && !strcmp(argv[1], "--reset");
    if (argc != 2 + reset) {
        fprintf(stderr, "usage: %s [--reset] STATE_FILE\n", argv[0]);
        return 2;
    }
    const char *path = argv[1 + reset];
    uint8_t state[4096], out[4096];
    size_t state_len = 0, out_len = 0;
    char tmp[4096];

    if (reset)
        unlink(path);
    FILE *f = fopen(path, "rb");
    if (f) {
        state_len = fread(state, 1, sizeof state, f);
        fclose(f);
    }
    arca_enclave_t *enclave = NULL;
    arca_result_t r = arca_enclave_create(COUNTER_ENCLAVE_PATH, NULL, &enclave);
    if (r == ARCA_OK)
        r = arca_enclave_call(enclave, COUNTER_FN_INCREMENT, state, state_len, out, sizeof out, &out_len);
    if (enclave && arca_enclave_destroy(enclave) != ARCA_OK && r == ARCA_OK)
        r = ARCA_ERR_INTERNAL;
    if (r != ARCA_OK || out_len < 8) {
        fprintf(stderr, "sealed_counter: %s (%s)\n", arca_result_str(r), arca_last_error());
        return 1;
    }
    uint64_t count;
    memcpy(&count, out, sizeof count);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    f = fopen(tmp, "wb");
    if (!f || fwrite(out + 8, 1, out_len - 8, f) != out_len - 8 || fclose(f) != 0 || rename(tmp, path) != 0) {
        perror("sealed_counter: cannot store the sealed state");
        return 1;
    }
    printf("counter = %llu (sealed state: %zu bytes in %s)\n", (unsigned long long)count, out_len - 8, path);
    return 0;
}
