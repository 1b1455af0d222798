/*
 * counter_enclave.c — the test enclave for monotonic counters: thin ecalls over
 * arca_counter_create / _increment / _read (arca/counter.h), so the host-side test can drive
 * counters of enclaves of different identities. Built twice with the same signer and
 * configuration (counters/CMakeLists.txt); COUNTER_VARIANT changes only the measurement.
 */
#include <string.h>

#include "arca/enclave.h"
#include "arca/counter.h"
#include "counter_ids.h"

#ifndef COUNTER_VARIANT
#define COUNTER_VARIANT 0
#endif
/* Part of the loaded image, so each variant has its own measurement. */
__attribute__((used)) static const volatile int variant = COUNTER_VARIANT;

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

/* The name after an 8-byte header, NUL-terminated in name (longer names are kept long, so
 * the enclave's own check refuses them). */
static int take_name(const uint8_t *in, size_t in_len, char name[128])
{
    if (in_len < 8 || in_len - 8 > 127)
        return 0;
    memcpy(name, in + 8, in_len - 8);
    name[in_len - 8] = '\0';
    return 1;
}

static arca_result_t reply(uint64_t v, uint8_t *out, size_t out_cap, size_t *out_len)
{
    *out_len = 8;
    if (out_cap < 8)
        return ARCA_ERR_BUFFER_TOO_SMALL;
    for (int i = 0; i < 8; i++)
        out[i] = (uint8_t)(v >> (8 * i));
    return ARCA_OK;
}

static arca_result_t do_op(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap,
                           size_t *out_len)
{
    char name[128];
    uint64_t v = 0;
    arca_result_t r;
    *out_len = 0;
    if (!take_name(in, in_len, name))
        return ARCA_ERR_INVALID_ARGUMENT;
    int policy = (int)get32(in + 4);
    switch (get32(in)) {
    case COUNTER_OP_CREATE: r = arca_counter_create(name, policy); break;
    case COUNTER_OP_INCREMENT: r = arca_counter_increment(name, policy, &v); break;
    case COUNTER_OP_READ: r = arca_counter_read(name, policy, &v); break;
    case COUNTER_OP_INCREMENT_NULL_OUT: r = arca_counter_increment(name, policy, NULL); break;
    case COUNTER_OP_READ_NULL_OUT: r = arca_counter_read(name, policy, NULL); break;
    case COUNTER_OP_CREATE_NULL_NAME: r = arca_counter_create(NULL, policy); break;
    default: return ARCA_ERR_INVALID_ARGUMENT;
    }
    return r == ARCA_OK ? reply(v, out, out_cap, out_len) : r;
}

static arca_result_t do_loop(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap,
                             size_t *out_len)
{
    char name[128];
    uint64_t v = 0, last = 0;
    arca_result_t r = ARCA_OK;
    *out_len = 0;
    if (!take_name(in, in_len, name))
        return ARCA_ERR_INVALID_ARGUMENT;
    int policy = (int)get32(in);
    uint32_t count = get32(in + 4);
    for (uint32_t i = 0; i < count && r == ARCA_OK; i++) {
        r = arca_counter_increment(name, policy, &v);
        if (r == ARCA_OK && v <= last)
            r = ARCA_ERR_APP; /* went backwards or stood still */
        last = v;
    }
    return r == ARCA_OK ? reply(last, out, out_cap, out_len) : r;
}

ARCA_ECALLS({COUNTER_FN_OP, do_op}, {COUNTER_FN_LOOP, do_loop});
