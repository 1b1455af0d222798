/*
 * daemon_enclave.c — the test enclave of the arcad tests (tests/daemon): thin ecalls over the
 * platform services an enclave gets through arcad — sealing (ARCA_SEAL_ENCLAVE), evidence over
 * the caller's report data, monotonic counters (arca/counter.h) — plus an echo (to show the
 * enclave still serves calls while arcad is down) and abort() (an enclave that dies).
 * Built once, signed as a production enclave with a test-only key (daemon/CMakeLists.txt).
 * This file must never interpret its input beyond the lengths each ecall documents.
 */
#include <stdlib.h>
#include <string.h>

#include "arca/attest.h"
#include "arca/counter.h"
#include "arca/enclave.h"
#include "arca/seal.h"
#include "daemon_ids.h"

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

/* Copy @p len bytes to the host's buffer if they fit, else report the size needed. */
static arca_result_t reply(const uint8_t *data, size_t len, uint8_t *out, size_t out_cap,
                           size_t *out_len)
{
    *out_len = len;
    if (len > out_cap)
        return ARCA_ERR_BUFFER_TOO_SMALL;
    if (len)
        memcpy(out, data, len);
    return ARCA_OK;
}

static arca_result_t do_ping(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap,
                             size_t *out_len)
{
    return reply(in, in_len, out, out_cap, out_len);
}

static arca_result_t do_seal(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap,
                             size_t *out_len)
{
    uint8_t *blob = NULL;
    size_t blob_len = 0;
    arca_result_t r = arca_seal(ARCA_SEAL_ENCLAVE, NULL, 0, in, in_len, &blob, &blob_len);
    if (r == ARCA_OK)
        r = reply(blob, blob_len, out, out_cap, out_len);
    arca_free_sealed(blob);
    return r;
}

static arca_result_t do_unseal(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap,
                               size_t *out_len)
{
    uint8_t *pt = NULL;
    size_t pt_len = 0;
    arca_result_t r = arca_unseal(in, in_len, NULL, 0, &pt, &pt_len);
    if (r == ARCA_OK)
        r = reply(pt, pt_len, out, out_cap, out_len);
    arca_free_secret(pt, pt_len);
    return r;
}

static arca_result_t do_evidence(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap,
                                 size_t *out_len)
{
    uint8_t *ev = NULL;
    size_t len = 0;
    if (in_len != ARCA_REPORT_DATA_SIZE)
        return ARCA_ERR_INVALID_ARGUMENT;
    arca_result_t r = arca_get_evidence(in, &ev, &len);
    if (r == ARCA_OK)
        r = reply(ev, len, out, out_cap, out_len);
    arca_free_evidence(ev);
    return r;
}

static arca_result_t do_counter(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap,
                                size_t *out_len)
{
    char name[ARCA_COUNTER_NAME_MAX + 2];
    uint8_t value[8];
    uint64_t v = 0;
    arca_result_t r;
    *out_len = 0;
    /* Names one byte too long are passed on, so the enclave API's own check is exercised. */
    if (in_len < 8 || in_len - 8 > ARCA_COUNTER_NAME_MAX + 1)
        return ARCA_ERR_INVALID_ARGUMENT;
    memcpy(name, in + 8, in_len - 8);
    name[in_len - 8] = '\0';
    int policy = (int)get32(in + 4);
    switch (get32(in)) {
    case DAEMON_COUNTER_CREATE: r = arca_counter_create(name, policy); break;
    case DAEMON_COUNTER_INCREMENT: r = arca_counter_increment(name, policy, &v); break;
    case DAEMON_COUNTER_READ: r = arca_counter_read(name, policy, &v); break;
    default: return ARCA_ERR_INVALID_ARGUMENT;
    }
    if (r != ARCA_OK)
        return r;
    for (int i = 0; i < 8; i++)
        value[i] = (uint8_t)(v >> (8 * i));
    return reply(value, sizeof value, out, out_cap, out_len);
}

static arca_result_t do_abort(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap,
                              size_t *out_len)
{
    (void)in, (void)in_len, (void)out, (void)out_cap, (void)out_len;
    abort();
}

ARCA_ECALLS({DAEMON_FN_PING, do_ping}, {DAEMON_FN_SEAL, do_seal}, {DAEMON_FN_UNSEAL, do_unseal},
            {DAEMON_FN_EVIDENCE, do_evidence}, {DAEMON_FN_COUNTER, do_counter},
            {DAEMON_FN_ABORT, do_abort});
