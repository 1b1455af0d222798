/*
 * bench_enclave.c — the enclave bench_arcad measures: an empty ecall, and one that asks the
 * platform for evidence over the report data it is given (the platform signs: dev in the
 * host's process, arcad in the daemon).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "arca/attest.h"
#include "arca/enclave.h"

static arca_result_t empty(const uint8_t *in, size_t l, uint8_t *o, size_t c, size_t *n)
{
    (void)in, (void)l, (void)o, (void)c;
    *n = 0;
    return ARCA_OK;
}

static arca_result_t evidence(const uint8_t *in, size_t l, uint8_t *o, size_t c, size_t *n)
{
    uint8_t rd[ARCA_REPORT_DATA_SIZE] = {0};
    uint8_t *ev = NULL;
    size_t len = 0;
    (void)o, (void)c;
    memcpy(rd, in, l < sizeof rd ? l : sizeof rd);
    arca_result_t r = arca_get_evidence(rd, &ev, &len);
    arca_free_evidence(ev);
    *n = 0;
    return r;
}

ARCA_ECALLS({1, empty}, {2, evidence});
