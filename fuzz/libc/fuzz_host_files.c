/*
 * fuzz_host_files.c — libFuzzer target for the host's side of host files
 * (arca__host_files_serve in src/host/hostfiles.c): a hostile enclave's requests, in a
 * scratch directory made at start-up. Checks that nothing is written past out_cap, that a
 * success never reports more than out_cap nor less than the errno word, and that every result
 * is ARCA_OK, ARCA_ERR_BAD_FORMAT or ARCA_ERR_UNKNOWN_FUNCTION. Requests that would create
 * files are made without CREATE, so that a long run cannot fill the directory.
 * Input: a sequence of records: u8 op (0..5: OPEN, READ, WRITE, SEEK, CLOSE, another id),
 * u16 out_cap, u16 request length, then that many request bytes.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "formats/host_files.h"
#include "host/hostfiles.h"

static char dir[64];

static void remove_dir(void)
{
    char path[128];
    snprintf(path, sizeof path, "%s/data", dir);
    unlink(path);
    rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    char path[128];
    snprintf(dir, sizeof dir, "/tmp/arca-fuzz-hostfiles-XXXXXX");
    if (!mkdtemp(dir))
        abort();
    snprintf(path, sizeof path, "%s/data", dir);
    FILE *f = fopen(path, "w");
    if (!f)
        abort();
    fputs("some bytes a fuzzed enclave may read\n", f);
    fclose(f);
    atexit(remove_dir);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t out[65536 + 64];
    static uint8_t req[65536];
    arca__host_files *files = NULL;
    if (arca__host_files_open(dir, &files) != ARCA_OK)
        abort();
    size_t pos = 0;
    while (size - pos >= 5) {
        uint8_t op = data[pos] % 6;
        size_t cap = (size_t)(data[pos + 1] | data[pos + 2] << 8);
        size_t len = (size_t)(data[pos + 3] | data[pos + 4] << 8);
        pos += 5;
        if (len > size - pos)
            len = size - pos;
        memcpy(req, data + pos, len);
        pos += len;
        uint32_t id = op == 5 ? ARCA__HOSTCALL_FILE_LAST + 1 : ARCA__HOSTCALL_FILE_FIRST + op;
        if (id == ARCA__HOSTCALL_FILE_OPEN && len >= 4)
            req[0] &= (uint8_t)~ARCA__HOST_FILE_CREATE;
        if (cap > 65536)
            cap = 65536;
        memset(out, 0xCC, sizeof out);
        size_t out_len = 777777;
        arca_result_t r =
            arca__host_files_serve(files, id, len ? req : NULL, len, out, cap, &out_len);
        for (size_t i = cap; i < sizeof out; i++)
            if (out[i] != 0xCC)
                __builtin_trap();
        if (r == ARCA_OK && (out_len > cap || out_len < 4))
            __builtin_trap();
        if (r != ARCA_OK && r != ARCA_ERR_BAD_FORMAT && r != ARCA_ERR_UNKNOWN_FUNCTION)
            __builtin_trap();
    }
    arca__host_files_close(files);
    return 0;
}
