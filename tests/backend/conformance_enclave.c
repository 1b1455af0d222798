/*
 * conformance_enclave.c — the enclave every backend's conformance run loads. Each ecall
 * exercises one promise of the runtime (see conformance_ids.h) and reports what the enclave
 * observed, so the host test can assert it. The init and fini hooks call the host so their
 * order is observable. Deliberately buggy functions (CE_BAD_OUT_LEN, CE_BAD_CODE) check that
 * the runtime contains them.
 */
#include <stdlib.h>
#include <string.h>

#include "arca/enclave.h"
#include "conformance_ids.h"

static arca_result_t echo(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap,
                          size_t *out_len)
{
    *out_len = in_len;
    if (in_len > out_cap)
        return ARCA_ERR_BUFFER_TOO_SMALL;
    if (in_len)
        memcpy(out, in, in_len);
    return ARCA_OK;
}

static arca_result_t report(const uint64_t *words, uint8_t *out, size_t out_cap, size_t *out_len)
{
    size_t n = REPORT_WORDS * sizeof(uint64_t);
    *out_len = n;
    if (out_cap < n)
        return ARCA_ERR_BUFFER_TOO_SMALL;
    memcpy(out, words, n);
    return ARCA_OK;
}

static arca_result_t host_data(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap,
                               size_t *out_len)
{
    return arca_host_call(HC_DATA, in, in_len, out, out_cap, out_len);
}

static arca_result_t host_error(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap,
                                size_t *out_len)
{
    (void)in, (void)in_len;
    uint8_t buf[32];
    size_t got = 99;
    uint64_t r[REPORT_WORDS] = {0};
    r[0] = (uint64_t)arca_host_call(HC_ERROR, "x", 1, buf, sizeof buf, &got);
    r[1] = got;
    return report(r, out, out_cap, out_len);
}

static arca_result_t host_huge(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap,
                               size_t *out_len)
{
    (void)in, (void)in_len;
    uint8_t guard[64];
    size_t got = 0;
    uint64_t r[REPORT_WORDS] = {0};
    memset(guard, 0xAA, sizeof guard);
    /* Offer 16 bytes in the middle of a guarded buffer; nothing around them may change. */
    r[0] = (uint64_t)arca_host_call(HC_HUGE, NULL, 0, guard + 16, 16, &got);
    r[1] = got;
    int intact = 1;
    for (size_t i = 0; i < sizeof guard; i++)
        if (guard[i] != 0xAA)
            intact = 0;
    r[2] = (uint64_t)intact;
    if (r[0] == ARCA_ERR_BUFFER_TOO_SMALL && got == HUGE_REPLY) {
        uint8_t *big = malloc(got);
        size_t got2 = 0;
        if (big) {
            r[3] = (uint64_t)arca_host_call(HC_HUGE, NULL, 0, big, HUGE_REPLY, &got2);
            r[4] = got2;
            int ok = got2 == HUGE_REPLY;
            for (size_t i = 0; ok && i < got2; i++)
                ok = big[i] == HUGE_BYTE(i);
            r[5] = (uint64_t)ok;
            free(big);
        }
    }
    return report(r, out, out_cap, out_len);
}

static arca_result_t guarded_call(uint32_t id, uint8_t *out, size_t out_cap, size_t *out_len)
{
    uint8_t guard[64];
    size_t got = 77;
    uint64_t r[REPORT_WORDS] = {0};
    memset(guard, 0xAA, sizeof guard);
    r[0] = (uint64_t)arca_host_call(id, "q", 1, guard + 16, 16, &got);
    r[1] = got;
    r[2] = 1;
    for (size_t i = 0; i < sizeof guard; i++)
        if (guard[i] != 0xAA)
            r[2] = 0;
    return report(r, out, out_cap, out_len);
}

static arca_result_t host_lie(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap,
                              size_t *out_len)
{
    (void)in, (void)in_len;
    return guarded_call(HC_LIE, out, out_cap, out_len);
}

static arca_result_t host_badcode(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap,
                                  size_t *out_len)
{
    (void)in, (void)in_len;
    return guarded_call(HC_BADCODE, out, out_cap, out_len);
}

static arca_result_t host_unknown(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap,
                                  size_t *out_len)
{
    (void)in, (void)in_len;
    return guarded_call(4242, out, out_cap, out_len);
}

static arca_result_t host_reserved(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap,
                                   size_t *out_len)
{
    (void)in, (void)in_len;
    return guarded_call(0xFFFFFFF0u, out, out_cap, out_len);
}

static arca_result_t simple_host(uint32_t id, uint8_t *out, size_t out_cap, size_t *out_len)
{
    uint64_t r[REPORT_WORDS] = {0};
    size_t got = 0;
    r[0] = (uint64_t)arca_host_call(id, NULL, 0, NULL, 0, &got);
    r[1] = got;
    return report(r, out, out_cap, out_len);
}

static arca_result_t rendezvous(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap,
                                size_t *out_len)
{
    (void)in, (void)in_len;
    return simple_host(HC_RENDEZVOUS, out, out_cap, out_len);
}

static arca_result_t destroy_inside(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap,
                                    size_t *out_len)
{
    (void)in, (void)in_len;
    return simple_host(HC_DESTROY, out, out_cap, out_len);
}

static arca_result_t block(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap,
                           size_t *out_len)
{
    (void)in, (void)in_len;
    return simple_host(HC_BLOCK, out, out_cap, out_len);
}

static arca_result_t identity(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap,
                              size_t *out_len)
{
    (void)in, (void)in_len;
    arca_identity_t id;
    arca_result_t r = arca_self_identity(&id);
    if (r != ARCA_OK)
        return r;
    *out_len = sizeof id;
    if (out_cap < sizeof id)
        return ARCA_ERR_BUFFER_TOO_SMALL;
    memcpy(out, &id, sizeof id);
    return ARCA_OK;
}

static arca_result_t random_bytes(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap,
                                  size_t *out_len)
{
    (void)in, (void)in_len;
    *out_len = 32;
    if (out_cap < 32)
        return ARCA_ERR_BUFFER_TOO_SMALL;
    return arca_random(out, 32);
}

static arca_result_t log_text(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap,
                              size_t *out_len)
{
    (void)out, (void)out_cap;
    char text[256];
    size_t n = in_len < sizeof text - 1 ? in_len : sizeof text - 1;
    memcpy(text, in, n);
    text[n] = '\0';
    arca_log(ARCA_LOG_INFO, "%s", text);
    *out_len = 0;
    return ARCA_OK;
}

static arca_result_t bad_out_len(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap,
                                 size_t *out_len)
{
    (void)in, (void)in_len, (void)out;
    *out_len = out_cap + 1000; /* a bug: claims more than the buffer holds */
    return ARCA_OK;
}

static arca_result_t bad_code(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap,
                              size_t *out_len)
{
    (void)in, (void)in_len, (void)out, (void)out_cap;
    *out_len = 0;
    return (arca_result_t)4711;
}

static uint64_t counter;

static arca_result_t count(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap,
                           size_t *out_len)
{
    (void)in, (void)in_len;
    uint64_t v = __atomic_add_fetch(&counter, 1, __ATOMIC_SEQ_CST);
    *out_len = sizeof v;
    if (out_cap < sizeof v)
        return ARCA_ERR_BUFFER_TOO_SMALL;
    memcpy(out, &v, sizeof v);
    return ARCA_OK;
}

ARCA_ECALLS({CE_ECHO, echo}, {CE_HOST_DATA, host_data}, {CE_HOST_ERROR, host_error},
            {CE_HOST_HUGE, host_huge}, {CE_HOST_LIE, host_lie}, {CE_HOST_BADCODE, host_badcode},
            {CE_RENDEZVOUS, rendezvous}, {CE_IDENTITY, identity},
            {CE_DESTROY_INSIDE, destroy_inside}, {CE_RANDOM, random_bytes}, {CE_LOG, log_text},
            {CE_BLOCK, block}, {CE_BAD_OUT_LEN, bad_out_len}, {CE_HOST_UNKNOWN, host_unknown},
            {CE_COUNTER, count}, {CE_BAD_CODE, bad_code}, {CE_HOST_RESERVED, host_reserved});

/* init asks the host what to return (so one image can test a failing init) and tells it
 * what identity the enclave sees; fini tells the host it ran. */
static arca_result_t init(void)
{
    arca_identity_t id;
    uint8_t verdict[4] = {0};
    size_t got = 0;
    if (arca_self_identity(&id) != ARCA_OK)
        return ARCA_ERR_INTERNAL;
    arca_result_t r = arca_host_call(HC_INIT, &id, sizeof id, verdict, sizeof verdict, &got);
    if (r != ARCA_OK)
        return r;
    if (got != sizeof verdict)
        return ARCA_ERR_BAD_HOST_REPLY;
    return (arca_result_t)(verdict[0] | verdict[1] << 8 | verdict[2] << 16 | verdict[3] << 24);
}

static void fini(void)
{
    (void)arca_host_call(HC_FINI, NULL, 0, NULL, 0, NULL);
}

ARCA_ENCLAVE_INIT(init)
ARCA_ENCLAVE_FINI(fini)
