/*
 * conformance_enclave.c — the enclave every backend's conformance run loads. It implements the
 * ecalls of conformance.edl (the generated bridges in conformance_t.c copy and check every
 * parameter) and reaches the host through the generated host-call proxies, except for the host
 * calls that by nature need the raw API (ce_raw_host_call: hostile lengths and result codes,
 * unassigned ids), which check what arca_host_call() itself promises. Each ecall reports what
 * the enclave observed so the host test can assert it. The init and fini hooks call the host so
 * their order is observable.
 * It must never trust a size the host names beyond HOST_SIZE_MAX.
 */
#include <stdlib.h>
#include <string.h>

#include "conformance_t.h"

static uint64_t counter;

uint64_t ce_counter(void)
{
    return __atomic_add_fetch(&counter, 1, __ATOMIC_SEQ_CST);
}

arca_result_t ce_echo(const uint8_t *in, size_t len, uint8_t *out, size_t cap, size_t *out_len)
{
    /* A NULL pointer crosses as NULL (EDL semantics): only a zero-length echo may omit one. */
    if (!out_len || (!in && len))
        return ARCA_ERR_INVALID_ARGUMENT;
    *out_len = len;
    if (len > cap || (len && !out))
        return ARCA_ERR_BUFFER_TOO_SMALL;
    if (len)
        memcpy(out, in, len);
    return ARCA_OK;
}

arca_result_t ce_host_data(const char *text, char *out, size_t cap, size_t *needed)
{
    arca_result_t value = ARCA_ERR_INTERNAL;
    if (!text || !needed)
        return ARCA_ERR_INVALID_ARGUMENT;
    arca_result_t r = h_data(&value, text, out, cap, needed);
    return r != ARCA_OK ? r : value;
}

void ce_host_fail(struct report *rep)
{
    uint8_t buf[32];
    arca_result_t value = ARCA_OK;
    if (!rep)
        return;
    memset(buf, 0xAA, sizeof buf);
    rep->w[0] = (uint64_t)h_fail(&value, buf, sizeof buf);
    rep->w[1] = (uint64_t)value;
    /* The host left its [out] buffer alone: the enclave gets the zeros it was allocated with,
     * never the host's memory. */
    rep->w[2] = 1;
    for (size_t i = 0; i < sizeof buf; i++)
        if (buf[i] != 0)
            rep->w[2] = 0;
}

void ce_host_huge(struct report *rep)
{
    uint8_t guard[64];
    size_t needed = 0;
    arca_result_t value = ARCA_OK;
    if (!rep)
        return;
    memset(guard, 0xAA, sizeof guard);
    /* Offer 16 bytes in the middle of a guarded buffer; nothing around them may change. */
    rep->w[0] = (uint64_t)h_huge(&value, guard + 16, 16, &needed);
    rep->w[1] = (uint64_t)value;
    rep->w[2] = 1;
    for (size_t i = 0; i < sizeof guard; i++)
        if ((i < 16 || i >= 32) && guard[i] != 0xAA)
            rep->w[2] = 0;
    rep->w[4] = needed;
    /* Ask again with the size the host named, but never allocate on its say-so beyond a bound. */
    if (value == ARCA_ERR_BUFFER_TOO_SMALL && needed > 0 && needed <= HOST_SIZE_MAX) {
        uint8_t *big = malloc(needed);
        size_t again = 0;
        if (big) {
            arca_result_t r = h_huge(&value, big, needed, &again);
            rep->w[3] = (uint64_t)(r != ARCA_OK ? r : value);
            int ok = r == ARCA_OK && value == ARCA_OK && again == needed;
            for (size_t i = 0; ok && i < needed; i++)
                ok = big[i] == HUGE_BYTE(i);
            rep->w[5] = (uint64_t)ok;
            free(big);
        }
    }
}

/* The raw API, on purpose: these host replies cannot be produced through generated stubs. */
static void raw_guarded(uint32_t id, struct report *rep)
{
    uint8_t guard[64];
    size_t got = 77;
    memset(guard, 0xAA, sizeof guard);
    rep->w[0] = (uint64_t)arca_host_call(id, "q", 1, guard + 16, 16, &got);
    rep->w[1] = got;
    rep->w[2] = 1;
    for (size_t i = 0; i < sizeof guard; i++)
        if (guard[i] != 0xAA)
            rep->w[2] = 0;
}

static void raw_huge(struct report *rep)
{
    uint8_t guard[64];
    size_t got = 0;
    memset(guard, 0xAA, sizeof guard);
    rep->w[0] = (uint64_t)arca_host_call(HC_RAW_HUGE, NULL, 0, guard + 16, 16, &got);
    rep->w[1] = got;
    rep->w[2] = 1;
    for (size_t i = 0; i < sizeof guard; i++)
        if ((i < 16 || i >= 32) && guard[i] != 0xAA)
            rep->w[2] = 0;
    if (rep->w[0] == ARCA_ERR_BUFFER_TOO_SMALL && got == HUGE_REPLY) {
        uint8_t *big = malloc(got);
        size_t got2 = 0;
        if (big) {
            rep->w[3] = (uint64_t)arca_host_call(HC_RAW_HUGE, NULL, 0, big, HUGE_REPLY, &got2);
            rep->w[4] = got2;
            int ok = got2 == HUGE_REPLY;
            for (size_t i = 0; ok && i < got2; i++)
                ok = big[i] == HUGE_BYTE(i);
            rep->w[5] = (uint64_t)ok;
            free(big);
        }
    }
}

void ce_raw_host_call(enum raw_case which, struct report *rep)
{
    if (!rep)
        return;
    /* The host chooses `which`: an enum crosses as its bytes, so any value can arrive. */
    switch (which) {
    case RAW_ERROR: {
        uint8_t buf[32];
        size_t got = 99;
        rep->w[0] = (uint64_t)arca_host_call(HC_RAW_ERROR, "x", 1, buf, sizeof buf, &got);
        rep->w[1] = got;
        break;
    }
    case RAW_HUGE: raw_huge(rep); break;
    case RAW_LIE: raw_guarded(HC_RAW_LIE, rep); break;
    case RAW_BADCODE: raw_guarded(HC_RAW_BADCODE, rep); break;
    case RAW_UNKNOWN: raw_guarded(HC_RAW_UNKNOWN, rep); break;
    case RAW_RESERVED: raw_guarded(HC_RAW_RESERVED, rep); break;
    default: rep->w[0] = ARCA_ERR_INVALID_ARGUMENT;
    }
}

arca_result_t ce_rendezvous(void)
{
    return h_rendezvous();
}

arca_result_t ce_block(void)
{
    return h_block();
}

void ce_destroy_inside(struct report *rep)
{
    arca_result_t value = ARCA_OK;
    if (!rep)
        return;
    rep->w[0] = (uint64_t)h_destroy(&value);
    rep->w[1] = (uint64_t)value;
}

arca_result_t ce_identity(arca_identity_t *id)
{
    if (!id)
        return ARCA_ERR_INVALID_ARGUMENT;
    return arca_self_identity(id);
}

arca_result_t ce_random(uint8_t *buf)
{
    if (!buf)
        return ARCA_ERR_INVALID_ARGUMENT;
    return arca_random(buf, 32);
}

void ce_log(const char *text)
{
    if (text)
        arca_log(ARCA_LOG_INFO, "%s", text);
}

uint64_t ce_nest(uint32_t depth)
{
    uint64_t v = 0;
    if (depth == 0)
        return 1;
    return h_nest(&v, depth - 1) == ARCA_OK ? v + 1 : 1;
}

/* init asks the host what to return (so one image can test a failing init) and tells it what
 * identity the enclave sees; fini tells the host it ran. */
static arca_result_t init(void)
{
    arca_identity_t id;
    arca_result_t verdict = ARCA_ERR_INTERNAL;
    if (arca_self_identity(&id) != ARCA_OK)
        return ARCA_ERR_INTERNAL;
    arca_result_t r = h_init(&verdict, &id);
    return r != ARCA_OK ? r : verdict; /* the runtime turns an undefined verdict into INIT_FAILED */
}

static void fini(void)
{
    /* Nothing to undo if the host cannot be told; the host test then sees no "fini" event. */
    if (h_fini() != ARCA_OK)
        arca_log(ARCA_LOG_WARN, "fini: the host call h_fini failed");
}

ARCA_ENCLAVE_INIT(init)
ARCA_ENCLAVE_FINI(fini)
