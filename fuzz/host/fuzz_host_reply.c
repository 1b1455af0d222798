/*
 * fuzz_host_reply.c — libFuzzer target for the trusted runtime's Iago checks
 * (arca_host_call in src/enclave/hostcall.c). A hostile host_call returns a fuzzer-chosen
 * result code, reply length and bytes; the enclave's buffer must never be written past its
 * capacity, a success must never report more than was asked for, and every result the
 * enclave sees must be a defined code.
 * Input: u32 result, u32 claimed length, u32 out_cap, then reply bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arca/enclave.h"
#include "formats/runtime_abi.h"

extern const struct arca__runtime arca__runtime_v3;

static const uint8_t *reply;
static size_t reply_size;
static uint32_t claimed_result, claimed_len;

static arca_result_t hostile(void *ctx, uint32_t id, const uint8_t *in, size_t in_len,
                             uint8_t *out, size_t out_cap, size_t *out_len)
{
    (void)ctx, (void)id, (void)in, (void)in_len;
    /* A real transport writes at most out_cap bytes; the lie is in the length and code. */
    size_t n = reply_size < out_cap ? reply_size : out_cap;
    if (n)
        memcpy(out, reply, n);
    *out_len = claimed_len;
    return (arca_result_t)claimed_result;
}

/* The loader's trusted services are not under test here. */
static arca_result_t no_keys(void *services, struct arca__enclave_keys *keys)
{
    (void)services;
    memset(keys, 0, sizeof *keys);
    return ARCA_OK;
}

static arca_result_t no_evidence(void *services, const uint8_t rd[64], uint8_t *out, size_t cap,
                                 size_t *len)
{
    (void)services, (void)rd, (void)out, (void)cap;
    *len = 0;
    return ARCA_ERR_PLATFORM;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int initialised;
    if (!initialised) {
        struct arca__loader_iface iface = {.abi_version = ARCA_RUNTIME_ABI_VERSION,
                                           .host_call = hostile, .get_keys = no_keys,
                                           .get_evidence = no_evidence};
        if (arca__runtime_v3.init(&iface) != ARCA_OK)
            abort();
        initialised = 1;
    }
    if (size < 12)
        return 0;
    uint32_t cap;
    memcpy(&claimed_result, data, 4);
    memcpy(&claimed_len, data + 4, 4);
    memcpy(&cap, data + 8, 4);
    claimed_result %= 64; /* mostly defined codes, some not */
    if (claimed_len & 0x80000000u)
        claimed_len &= 0x1FFF; /* often near the capacity */
    cap %= 8192;
    reply = data + 12;
    reply_size = size - 12;
    uint8_t *out = malloc(cap + 64);
    if (!out)
        return 0;
    memset(out, 0xCC, cap + 64);
    size_t out_len = 999;
    arca_result_t r = arca_host_call(1, "x", 1, cap ? out : NULL, cap, &out_len);
    if (!arca_result_valid((int)r))
        abort();
    if (r == ARCA_OK && (out_len > cap || out_len != claimed_len))
        abort();
    if (r == ARCA_ERR_BUFFER_TOO_SMALL && out_len <= cap)
        abort();
    if (r != ARCA_OK && r != ARCA_ERR_BUFFER_TOO_SMALL && out_len != 0)
        abort();
    for (size_t i = cap; i < cap + 64; i++)
        if (out[i] != 0xCC)
            abort();
    free(out);
    return 0;
}
