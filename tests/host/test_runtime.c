/*
 * test_runtime.c — the trusted runtime (src/enclave/runtime.c + hostcall.c) driven directly,
 * as a loader would, with a scripted hostile host: init/fini/dispatch rules, hook order and
 * failure, and every Iago check on host-call replies (length, result code, "too small"
 * consistency) including that the enclave's buffer is never touched by a rejected reply.
 */
#include <string.h>

#include "arca/enclave.h"
#include "formats/runtime_abi.h"
#include "runtime.h"
#include "test.h"

extern const struct arca__runtime arca__runtime_v3;
static const struct arca__runtime *rt = &arca__runtime_v3;

/* ---- the "enclave" ---- */

static arca_result_t init_verdict;
static int init_runs, fini_runs;

arca_result_t arca_enclave_init(void)
{
    init_runs++;
    return init_verdict;
}

void arca_enclave_fini(void)
{
    fini_runs++;
}

static arca_result_t echo(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap,
                          size_t *out_len)
{
    *out_len = in_len;
    if (in_len > out_cap)
        return ARCA_ERR_BUFFER_TOO_SMALL;
    memcpy(out, in, in_len);
    return ARCA_OK;
}

static arca_result_t fails(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap,
                           size_t *out_len)
{
    (void)in, (void)in_len, (void)out, (void)out_cap;
    *out_len = 55; /* must not travel with an error */
    return ARCA_ERR_NOT_FOUND;
}

ARCA_ECALLS({1, echo}, {2, fails});

/* ---- the scripted host ---- */

static struct {
    arca_result_t result;
    size_t claimed_len;
    size_t write_len; /* bytes the "transport" writes (≤ out_cap) */
    uint32_t last_id;
    uint8_t last_in[2048];
    size_t last_in_len;
} host;

static arca_result_t scripted(void *ctx, uint32_t id, const uint8_t *in, size_t in_len,
                              uint8_t *out, size_t out_cap, size_t *out_len)
{
    (void)ctx;
    host.last_id = id;
    host.last_in_len = in_len;
    if (in_len <= sizeof host.last_in)
        memcpy(host.last_in, in, in_len);
    size_t n = host.write_len < out_cap ? host.write_len : out_cap;
    if (n)
        memset(out, 0x5A, n);
    *out_len = host.claimed_len;
    return host.result;
}

/* The loader's trusted services: keys of 0x11 bytes, or a refusal when keys_verdict says so. */
static arca_result_t keys_verdict = ARCA_OK;
static arca_result_t fake_keys(void *services, struct arca__enclave_keys *keys)
{
    (void)services;
    memset(keys, 0, sizeof *keys);
    if (keys_verdict != ARCA_OK)
        return keys_verdict;
    memset(keys->enclave_key, 0x11, sizeof keys->enclave_key);
    return ARCA_OK;
}

static arca_result_t fake_evidence(void *services, const uint8_t rd[64], uint8_t *out, size_t cap,
                                   size_t *len)
{
    (void)services, (void)rd, (void)out, (void)cap;
    *len = 0;
    return ARCA_ERR_PLATFORM;
}

static struct arca__loader_iface make_iface(void)
{
    struct arca__loader_iface f;
    memset(&f, 0, sizeof f);
    f.abi_version = ARCA_RUNTIME_ABI_VERSION;
    f.host_call = scripted;
    f.get_keys = fake_keys;
    f.get_evidence = fake_evidence;
    f.identity.product_id = 42;
    return f;
}

static void test_before_init(void)
{
    uint8_t out[8];
    size_t got = 9;
    arca_identity_t id;
    ASSERT_RESULT(rt->dispatch(1, (const uint8_t *)"a", 1, out, 8, &got), ARCA_ERR_INTERNAL);
    ASSERT_EQ(got, 0);
    ASSERT_TRUE(arca__enclave_keys() == NULL);
    ASSERT_RESULT(arca_self_identity(&id), ARCA_ERR_INTERNAL);
    ASSERT_RESULT(arca_host_call(5, NULL, 0, NULL, 0, NULL), ARCA_ERR_INTERNAL);
    rt->fini(); /* harmless */
    ASSERT_EQ(fini_runs, 0);
}

static void test_init_checks(void)
{
    struct arca__loader_iface f = make_iface();
    ASSERT_RESULT(rt->init(NULL), ARCA_ERR_BAD_VERSION);
    f.abi_version = 1;
    ASSERT_RESULT(rt->init(&f), ARCA_ERR_BAD_VERSION);
    f = make_iface();
    f.host_call = NULL;
    ASSERT_RESULT(rt->init(&f), ARCA_ERR_BAD_VERSION);
    f = make_iface();
    f.get_keys = NULL;
    ASSERT_RESULT(rt->init(&f), ARCA_ERR_BAD_VERSION);
    ASSERT_EQ(init_runs, 0);
    /* The platform refuses the keys: init fails with that, before the enclave's hook runs. */
    f = make_iface();
    keys_verdict = ARCA_ERR_PERMISSION;
    ASSERT_RESULT(rt->init(&f), ARCA_ERR_PERMISSION);
    keys_verdict = (arca_result_t)777;
    ASSERT_RESULT(rt->init(&f), ARCA_ERR_PLATFORM);
    keys_verdict = ARCA_OK;
    ASSERT_EQ(init_runs, 0);
    ASSERT_TRUE(arca__enclave_keys() == NULL);
    /* A failing hook: init fails with its code and leaves nothing behind. */
    f = make_iface();
    init_verdict = ARCA_ERR_PERMISSION;
    ASSERT_RESULT(rt->init(&f), ARCA_ERR_PERMISSION);
    ASSERT_EQ(init_runs, 1);
    ASSERT_TRUE(arca__enclave_keys() == NULL);
    init_verdict = (arca_result_t)9999;
    ASSERT_RESULT(rt->init(&f), ARCA_ERR_INIT_FAILED);
    init_verdict = ARCA_OK;
}

static void test_lifecycle(void)
{
    struct arca__loader_iface f = make_iface();
    arca_identity_t id;
    init_runs = fini_runs = 0;
    ASSERT_OK(rt->init(&f));
    ASSERT_EQ(init_runs, 1);
    memset(&f, 0, sizeof f); /* the loader may free its copy */
    ASSERT_TRUE(arca__enclave_keys() != NULL);
    ASSERT_EQ(arca__enclave_keys()->enclave_key[0], 0x11);
    ASSERT_OK(arca_self_identity(&id));
    ASSERT_EQ(id.product_id, 42);
    /* A second init is refused and does not disturb the running state. */
    f = make_iface();
    f.identity.product_id = 7;
    ASSERT_RESULT(rt->init(&f), ARCA_ERR_INTERNAL);
    ASSERT_OK(arca_self_identity(&id));
    ASSERT_EQ(id.product_id, 42);
    ASSERT_RESULT(arca_self_identity(NULL), ARCA_ERR_INVALID_ARGUMENT);
}

static void test_dispatch(void)
{
    uint8_t out[16];
    size_t got = 0;
    ASSERT_OK(rt->dispatch(1, (const uint8_t *)"hello", 5, out, sizeof out, &got));
    ASSERT_EQ(got, 5);
    ASSERT_MEMEQ(out, "hello", 5);
    ASSERT_RESULT(rt->dispatch(1, (const uint8_t *)"hello", 5, out, 2, &got),
                  ARCA_ERR_BUFFER_TOO_SMALL);
    ASSERT_EQ(got, 5);
    ASSERT_RESULT(rt->dispatch(2, NULL, 0, out, sizeof out, &got), ARCA_ERR_NOT_FOUND);
    ASSERT_EQ(got, 0);
    ASSERT_RESULT(rt->dispatch(3, NULL, 0, out, sizeof out, &got), ARCA_ERR_UNKNOWN_FUNCTION);
    ASSERT_EQ(got, 0);
}

/* One host call with the scripted reply; reports result, length and buffer integrity. */
static arca_result_t scripted_call(arca_result_t r, size_t claimed, size_t write, size_t cap,
                                   size_t *got, int *intact)
{
    static uint8_t buf[8192 + 64];
    host.result = r;
    host.claimed_len = claimed;
    host.write_len = write;
    memset(buf, 0xCC, sizeof buf);
    *got = 777;
    arca_result_t res = arca_host_call(9, "req", 3, cap ? buf : NULL, cap, got);
    *intact = 1;
    for (size_t i = cap; i < sizeof buf; i++)
        if (buf[i] != 0xCC)
            *intact = 0;
    /* A rejected reply never reaches the caller's buffer at all. */
    if (res != ARCA_OK)
        for (size_t i = 0; i < cap; i++)
            if (buf[i] != 0xCC)
                *intact = 0;
    return res;
}

static void test_host_replies(void)
{
    size_t got;
    int intact;
    static const size_t caps[] = {0, 16, 4096, 4097, 8192};
    for (size_t k = 0; k < sizeof caps / sizeof caps[0]; k++) {
        size_t cap = caps[k];
        /* Honest success. */
        ASSERT_OK(scripted_call(ARCA_OK, cap, cap, cap, &got, &intact));
        ASSERT_EQ(got, cap);
        ASSERT_TRUE(intact);
        ASSERT_EQ(host.last_id, 9);
        ASSERT_EQ(host.last_in_len, 3);
        /* Success claiming more than offered. */
        ASSERT_RESULT(scripted_call(ARCA_OK, cap + 1, cap, cap, &got, &intact),
                      ARCA_ERR_BAD_HOST_REPLY);
        ASSERT_EQ(got, 0);
        ASSERT_TRUE(intact);
        ASSERT_RESULT(scripted_call(ARCA_OK, SIZE_MAX, cap, cap, &got, &intact),
                      ARCA_ERR_BAD_HOST_REPLY);
        ASSERT_TRUE(intact);
        /* Undefined result codes. */
        ASSERT_RESULT(scripted_call((arca_result_t)ARCA__RESULT_COUNT, 0, cap, cap, &got, &intact),
                      ARCA_ERR_BAD_HOST_REPLY);
        ASSERT_RESULT(scripted_call((arca_result_t)-1, 0, cap, cap, &got, &intact),
                      ARCA_ERR_BAD_HOST_REPLY);
        ASSERT_EQ(got, 0);
        ASSERT_TRUE(intact);
        /* "Too small" must name a size larger than offered. */
        ASSERT_RESULT(scripted_call(ARCA_ERR_BUFFER_TOO_SMALL, cap + 10, cap, cap, &got, &intact),
                      ARCA_ERR_BUFFER_TOO_SMALL);
        ASSERT_EQ(got, cap + 10);
        ASSERT_TRUE(intact);
        ASSERT_RESULT(scripted_call(ARCA_ERR_BUFFER_TOO_SMALL, cap, cap, cap, &got, &intact),
                      ARCA_ERR_BAD_HOST_REPLY);
        ASSERT_EQ(got, 0);
        /* Other errors pass through without a length. */
        ASSERT_RESULT(scripted_call(ARCA_ERR_NOT_FOUND, 5, cap, cap, &got, &intact),
                      ARCA_ERR_NOT_FOUND);
        ASSERT_EQ(got, 0);
        ASSERT_TRUE(intact);
    }
    ASSERT_RESULT(arca_host_call(9, NULL, 3, NULL, 0, &got), ARCA_ERR_INVALID_ARGUMENT);
    ASSERT_RESULT(arca_host_call(9, NULL, 0, NULL, 3, &got), ARCA_ERR_INVALID_ARGUMENT);
}

static void test_log(void)
{
    char long_text[3000];
    host.result = ARCA_OK;
    host.claimed_len = 0;
    host.write_len = 0;
    arca_log(ARCA_LOG_WARN, "x=%d", 42);
    ASSERT_UEQ(host.last_id, ARCA__HOSTCALL_LOG);
    ASSERT_EQ(host.last_in_len, 4 + 4);
    ASSERT_MEMEQ(host.last_in, "\x01\x00\x00\x00x=42", 8);
    memset(long_text, 'a', sizeof long_text - 1);
    long_text[sizeof long_text - 1] = '\0';
    arca_log(ARCA_LOG_INFO, "%s", long_text);
    ASSERT_EQ(host.last_in_len, 4 + 1023); /* bounded */
}

static void test_random(void)
{
    uint8_t a[32] = {0}, b[32] = {0};
    ASSERT_OK(arca_random(a, sizeof a));
    ASSERT_OK(arca_random(b, sizeof b));
    ASSERT_TRUE(memcmp(a, b, sizeof a) != 0);
    ASSERT_OK(arca_random(NULL, 0));
    ASSERT_RESULT(arca_random(NULL, 1), ARCA_ERR_INVALID_ARGUMENT);
}

static void test_fini(void)
{
    uint8_t out[8];
    size_t got;
    rt->fini();
    ASSERT_EQ(fini_runs, 1);
    ASSERT_TRUE(arca__enclave_keys() == NULL);
    ASSERT_TRUE(arca__enclave_identity() == NULL);
    ASSERT_RESULT(rt->dispatch(1, (const uint8_t *)"a", 1, out, 8, &got), ARCA_ERR_INTERNAL);
    rt->fini();
    ASSERT_EQ(fini_runs, 1); /* once */
}

int main(void)
{
    RUN(test_before_init);
    RUN(test_init_checks);
    RUN(test_lifecycle);
    RUN(test_dispatch);
    RUN(test_host_replies);
    RUN(test_log);
    RUN(test_random);
    RUN(test_fini);
    return TEST_SUMMARY();
}
