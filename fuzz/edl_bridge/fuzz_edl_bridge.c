/*
 * fuzz_edl_bridge.c — libFuzzer target for generated enclave bridges: random request frames
 * go straight to the ecall table generated from tests/edl/all.edl (with the test enclave's
 * implementation behind it). Input: u8 function index, u16 reply capacity, then the frame.
 * A bridge must reject every malformed frame, never read past it, and never report more
 * reply bytes than the capacity. Host calls made by the enclave fail (no host here).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arca/enclave.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The enclave's only way out, stubbed: every host call fails like a host that went away. */
arca_result_t arca_host_call(uint32_t id, const void *in, size_t in_len, void *out, size_t out_cap,
                             size_t *out_len)
{
    (void)id, (void)in, (void)in_len, (void)out, (void)out_cap;
    if (out_len)
        *out_len = 0;
    return ARCA_ERR_ENCLAVE_LOST;
}

/* The runtime's other services the generated allow() check uses: no host call is in flight
 * (frames arrive as top-level ecalls), and its refusal lines go nowhere. */
int arca_in_host_call(void)
{
    return 0;
}

void arca_log(int level, const char *fmt, ...)
{
    (void)level, (void)fmt;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 3 || arca_enclave_ecall_count == 0)
        return 0;
    const arca_ecall_t *e = &arca_enclave_ecalls[data[0] % arca_enclave_ecall_count];
    size_t cap = (size_t)data[1] | (size_t)data[2] << 8;
    /* private, exactly sized copies so ASan sees any overread or overwrite */
    uint8_t *in = malloc(size - 3 ? size - 3 : 1);
    uint8_t *out = malloc(cap ? cap : 1);
    memcpy(in, data + 3, size - 3);
    size_t out_len = 0;
    arca_result_t r = e->fn(in, size - 3, out, cap, &out_len);
    if (r == ARCA_OK && out_len > cap)
        abort();
    free(in);
    free(out);
    return 0;
}
