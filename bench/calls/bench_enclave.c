/*
 * bench_enclave.c — the enclave bench_calls measures: an empty ecall, an ecall that makes
 * one empty host call, and a sink that takes a payload and returns nothing.
 */
#include <stddef.h>
#include <stdint.h>

#include "arca/enclave.h"

#define HC_EMPTY 1

static arca_result_t empty(const uint8_t *in, size_t l, uint8_t *o, size_t c, size_t *n)
{
    (void)in, (void)l, (void)o, (void)c;
    *n = 0;
    return ARCA_OK;
}

static arca_result_t ocall(const uint8_t *in, size_t l, uint8_t *o, size_t c, size_t *n)
{
    (void)in, (void)l, (void)o, (void)c;
    size_t got = 0;
    *n = 0;
    return arca_host_call(HC_EMPTY, NULL, 0, NULL, 0, &got);
}

ARCA_ECALLS({1, empty}, {2, ocall}, {3, empty});
