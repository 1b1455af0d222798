/*
 * fuzz_hostcall.c — libFuzzer target for the host's side of host calls
 * (arca__host_dispatch in src/host/hostcall.c): arbitrary ids, request bytes and reply
 * capacities from a hostile enclave. Checks that nothing is written past out_cap, that a
 * success never reports more than out_cap, and that every result is a defined code.
 * Input: u32 id selector, u32 out_cap, then the request bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "host/handle.h"

static arca_result_t echo(void *ctx, const uint8_t *in, size_t in_len, uint8_t *out,
                          size_t out_cap, size_t *out_len)
{
    (void)ctx;
    *out_len = in_len;
    if (in_len > out_cap)
        return ARCA_ERR_BUFFER_TOO_SMALL;
    if (in_len)
        memcpy(out, in, in_len);
    return ARCA_OK;
}

static arca_result_t weird(void *ctx, const uint8_t *in, size_t in_len, uint8_t *out,
                           size_t out_cap, size_t *out_len)
{
    (void)ctx, (void)out, (void)out_cap;
    *out_len = in_len * 3;
    return in_len ? (arca_result_t)(in[0] * 1000) : ARCA_ERR_APP;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    setenv("ARCA_LOG_LEVEL", "error", 1); /* keep the fuzzer's stderr readable */
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint32_t ids[] = {ARCA__HOSTCALL_LOG, ARCA__HOSTCALL_LOG + 1, 1, 2, 3,
                                   ARCA_HOST_CALL_RESERVED + 77};
    static arca_host_call_t table[] = {{1, echo}, {2, weird}};
    struct arca_enclave e;
    if (size < 8)
        return 0;
    memset(&e, 0, sizeof e);
    e.host_calls = table;
    e.host_call_count = 2;
    uint32_t sel, cap;
    memcpy(&sel, data, 4);
    memcpy(&cap, data + 4, 4);
    cap %= 4096;
    uint8_t *out = malloc(cap + 64);
    if (!out)
        return 0;
    memset(out, 0xCC, cap + 64);
    size_t out_len = 12345;
    arca_result_t r = arca__host_dispatch(&e, ids[sel % 6], data + 8, size - 8, cap ? out : NULL,
                                          cap, &out_len);
    if (!arca_result_valid((int)r))
        abort();
    if (r == ARCA_OK && out_len > cap)
        abort();
    if (r != ARCA_OK && r != ARCA_ERR_BUFFER_TOO_SMALL && out_len != 0)
        abort();
    for (size_t i = cap; i < cap + 64; i++)
        if (out[i] != 0xCC)
            abort();
    free(out);
    return 0;
}
