/*
 * conformance.c — the backend conformance suite: one program, run once per backend
 * (argv[1] = backend name), asserting the behaviour every backend must share: by-copy
 * calls of every size, errors, host calls in both directions including hostile replies,
 * init/fini order, bounded concurrency, identity, lifecycle, and refusal of unsigned,
 * tampered, wrongly signed and (on request) debug images.
 *
 * The enclave's interface is conformance.edl: this program calls the ecall proxies and serves
 * the host calls that arca-edger generated from it (conformance_u.h). A few checks stay on the
 * raw API because they are about what the raw API itself promises and cannot be expressed
 * through typed stubs; each says so where it is made: unknown function ids, raw argument and
 * length checks, the payload limit to the exact byte, a bridge's reply-size check, host
 * replies with hostile lengths or undefined codes, and enclave functions that break the
 * runtime's contract (those run in a second, raw image, conformance_raw_enclave.c).
 *
 * Nested calls (an ecall made from inside a host call, on the thread serving it, runs on the
 * calling enclave thread as SGX's does) are checked with a second build of the enclave that has
 * one thread (conformance_one.conf): 3 deep, through another enclave, to the depth limit, and a
 * call from another thread that is not nested and so still needs a thread of its own.
 *
 * argv: backend signed-image unsigned-image arca-cli raw-signed-image one-thread-signed-image
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "crypto/crypto.h"
#include "formats/image.h"
#include "conformance_u.h"
#include "test.h"

static const char *backend, *image_path, *unsigned_path, *cli_path, *raw_image_path,
    *one_image_path;

/* Ids the raw checks aim at; conformance.edl keeps these functions first in their blocks. */
#define ID_CE_COUNTER 1 /* ecall 1: uint64_t ce_counter(void) */
#define ID_H_DATA 1     /* host call 1: h_data */

/* ---- host side of the test enclave ---- */

struct host_state {
    pthread_mutex_t lock;
    char events[256];           /* "init,fini,..." in the order the hooks ran */
    arca_result_t init_verdict; /* what the init hook must return */
    arca_identity_t init_identity;
    int inside, max_inside, released; /* rendezvous */
    arca_enclave_t *enclave;          /* for h_destroy */
    arca_result_t destroy_result;
    int blocked, unblock; /* h_block */
    /* h_nest: the enclave to call back into at each depth (NULL: `enclave`), the depth whose
     * call back in is made from a new thread (-1: none), and what each call back in returned. */
    arca_enclave_t *nest_target[32];
    int nest_thread_at;
    arca_result_t nest_result[32];
    char nest_detail[32][256];
};

static struct host_state hs = {.lock = PTHREAD_MUTEX_INITIALIZER};

static void reset_host_state(void)
{
    pthread_mutex_lock(&hs.lock);
    hs.events[0] = '\0';
    hs.init_verdict = ARCA_OK;
    memset(&hs.init_identity, 0, sizeof hs.init_identity);
    hs.inside = hs.max_inside = hs.released = 0;
    hs.enclave = NULL;
    hs.destroy_result = ARCA_OK;
    hs.blocked = hs.unblock = 0;
    memset(hs.nest_target, 0, sizeof hs.nest_target);
    hs.nest_thread_at = -1;
    for (int i = 0; i < 32; i++) {
        hs.nest_result[i] = ARCA_ERR_INTERNAL; /* "never called" */
        hs.nest_detail[i][0] = '\0';
    }
    pthread_mutex_unlock(&hs.lock);
}

static void add_event(const char *e)
{
    pthread_mutex_lock(&hs.lock);
    size_t n = strlen(hs.events);
    snprintf(hs.events + n, sizeof hs.events - n, "%s%s", n ? "," : "", e);
    pthread_mutex_unlock(&hs.lock);
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* -- host calls of conformance.edl (called through the generated bridges) -- */

arca_result_t h_data(const char *text, char *out, size_t cap, size_t *needed)
{
    static const char prefix[] = "host:";
    if (!text || !needed)
        return ARCA_ERR_INVALID_ARGUMENT;
    size_t n = sizeof prefix - 1 + strlen(text);
    *needed = n;
    if (!out || n > cap)
        return ARCA_ERR_BUFFER_TOO_SMALL;
    memcpy(out, prefix, sizeof prefix - 1);
    memcpy(out + sizeof prefix - 1, text, strlen(text));
    return ARCA_OK;
}

arca_result_t h_fail(uint8_t *out, size_t cap)
{
    (void)out, (void)cap;
    return ARCA_ERR_NOT_FOUND;
}

arca_result_t h_huge(uint8_t *buf, size_t cap, size_t *needed)
{
    if (needed)
        *needed = HUGE_REPLY;
    if (!buf || cap < HUGE_REPLY)
        return ARCA_ERR_BUFFER_TOO_SMALL;
    for (size_t i = 0; i < HUGE_REPLY; i++)
        buf[i] = HUGE_BYTE(i);
    return ARCA_OK;
}

void h_rendezvous(void)
{
    pthread_mutex_lock(&hs.lock);
    hs.inside++;
    if (hs.inside > hs.max_inside)
        hs.max_inside = hs.inside;
    pthread_mutex_unlock(&hs.lock);
    /* Wait (bounded) until 4 calls are inside at once; then let everyone go. */
    for (int i = 0; i < 1000; i++) {
        pthread_mutex_lock(&hs.lock);
        if (hs.inside >= 4)
            hs.released = 1;
        int go = hs.released;
        pthread_mutex_unlock(&hs.lock);
        if (go)
            break;
        sleep_ms(5);
    }
    pthread_mutex_lock(&hs.lock);
    hs.inside--;
    pthread_mutex_unlock(&hs.lock);
}

void h_block(void)
{
    __atomic_store_n(&hs.blocked, 1, __ATOMIC_SEQ_CST);
    for (int i = 0; i < 2000 && !__atomic_load_n(&hs.unblock, __ATOMIC_SEQ_CST); i++)
        sleep_ms(5);
    add_event("unblocked");
}

arca_result_t h_destroy(void)
{
    hs.destroy_result = arca_enclave_destroy(hs.enclave);
    return hs.destroy_result;
}

arca_result_t h_init(const arca_identity_t *seen)
{
    add_event("init");
    if (seen)
        memcpy(&hs.init_identity, seen, sizeof *seen);
    return hs.init_verdict;
}

void h_fini(void)
{
    add_event("fini");
}

struct nest_call {
    arca_enclave_t *e;
    uint32_t depth;
    uint64_t value;
    arca_result_t result;
    char detail[256];
};

static void nest_call(struct nest_call *c)
{
    c->value = 0;
    c->result = ce_nest(c->e, &c->value, c->depth);
    snprintf(c->detail, sizeof c->detail, "%s", c->result == ARCA_OK ? "" : arca_last_error());
}

static void *nest_thread(void *arg)
{
    nest_call(arg);
    return NULL;
}

uint64_t h_nest(uint32_t depth)
{
    struct nest_call c = {.depth = depth};
    if (depth >= 32)
        return 0;
    c.e = hs.nest_target[depth] ? hs.nest_target[depth] : hs.enclave;
    if (hs.nest_thread_at == (int)depth) {
        pthread_t t;
        if (pthread_create(&t, NULL, nest_thread, &c) != 0)
            return 0;
        pthread_join(t, NULL);
    } else {
        nest_call(&c);
    }
    hs.nest_result[depth] = c.result;
    memcpy(hs.nest_detail[depth], c.detail, sizeof c.detail);
    return c.result == ARCA_OK ? c.value : 0;
}

/* -- raw host calls: hostile replies the generated bridges could never produce -- */

static arca_result_t hc_error(void *ctx, const uint8_t *in, size_t in_len, uint8_t *out,
                              size_t out_cap, size_t *out_len)
{
    (void)ctx, (void)in, (void)in_len, (void)out, (void)out_cap;
    *out_len = 5; /* a length with an error must not reach the enclave */
    return ARCA_ERR_NOT_FOUND;
}

static arca_result_t hc_huge(void *ctx, const uint8_t *in, size_t in_len, uint8_t *out,
                             size_t out_cap, size_t *out_len)
{
    (void)ctx, (void)in, (void)in_len;
    *out_len = HUGE_REPLY;
    if (out_cap < HUGE_REPLY)
        return ARCA_ERR_BUFFER_TOO_SMALL;
    for (size_t i = 0; i < HUGE_REPLY; i++)
        out[i] = HUGE_BYTE(i);
    return ARCA_OK;
}

static arca_result_t hc_lie(void *ctx, const uint8_t *in, size_t in_len, uint8_t *out,
                            size_t out_cap, size_t *out_len)
{
    (void)ctx, (void)in, (void)in_len;
    memset(out, 0x55, out_cap);
    *out_len = out_cap + 100; /* hostile: claims more than it was offered */
    return ARCA_OK;
}

static arca_result_t hc_badcode(void *ctx, const uint8_t *in, size_t in_len, uint8_t *out,
                                size_t out_cap, size_t *out_len)
{
    (void)ctx, (void)in, (void)in_len, (void)out, (void)out_cap;
    *out_len = 0;
    return (arca_result_t)12345;
}

static arca_result_t hc_short(void *ctx, const uint8_t *in, size_t in_len, uint8_t *out,
                              size_t out_cap, size_t *out_len)
{
    (void)ctx, (void)in, (void)in_len;
    /* Within the runtime's rules (OK, fewer bytes than offered), but not the reply the
     * generated proxy expects: the proxy must refuse it. */
    memset(out, 0x55, out_cap < 3 ? out_cap : 3);
    *out_len = out_cap < 3 ? out_cap : 3;
    return ARCA_OK;
}

/* The raw image's hooks (conformance_raw_enclave.c): the same observations as h_init/h_fini. */
static arca_result_t hc_init(void *ctx, const uint8_t *in, size_t in_len, uint8_t *out,
                             size_t out_cap, size_t *out_len)
{
    (void)ctx;
    add_event("init");
    if (in_len == sizeof hs.init_identity)
        memcpy(&hs.init_identity, in, in_len);
    *out_len = 4;
    if (out_cap < 4)
        return ARCA_ERR_BUFFER_TOO_SMALL;
    for (int i = 0; i < 4; i++)
        out[i] = (uint8_t)((uint32_t)hs.init_verdict >> (8 * i));
    return ARCA_OK;
}

static arca_result_t hc_fini(void *ctx, const uint8_t *in, size_t in_len, uint8_t *out,
                             size_t out_cap, size_t *out_len)
{
    (void)ctx, (void)in, (void)in_len, (void)out, (void)out_cap;
    *out_len = 0;
    add_event("fini");
    return ARCA_OK;
}

/* The host-call table: the generated one (ids 1..n) followed by the raw ones (ids 101..). */
static arca_host_call_t host_calls[32];
static size_t host_call_count;

static int build_host_calls(void)
{
    static const arca_host_call_t raw[] = {{HC_RAW_ERROR, hc_error}, {HC_RAW_HUGE, hc_huge},
                                           {HC_RAW_LIE, hc_lie},     {HC_RAW_BADCODE, hc_badcode},
                                           {HC_INIT, hc_init},       {HC_FINI, hc_fini}};
    size_t n = conformance_host_call_count, m = sizeof raw / sizeof raw[0];
    if (n + m > sizeof host_calls / sizeof host_calls[0])
        return 0;
    memcpy(host_calls, conformance_host_calls, n * sizeof host_calls[0]);
    memcpy(host_calls + n, raw, sizeof raw);
    host_call_count = n + m;
    return 1;
}

static void options(arca_enclave_options_t *o)
{
    arca_enclave_options_init(o);
    o->backend = backend;
    o->host_calls = host_calls;
    o->host_call_count = host_call_count;
}

static arca_result_t open_enclave(const char *path, arca_enclave_t **e)
{
    arca_enclave_options_t o;
    options(&o);
    reset_host_state();
    return arca_enclave_create(path, &o, e);
}

/* Run one raw host-call case inside the enclave; *res is the ecall's transport result. */
static void raw_report(arca_enclave_t *e, enum raw_case which, struct report *r, arca_result_t *res)
{
    memset(r, 0xEE, sizeof *r);
    *res = ce_raw_host_call(e, which, r);
}

/* ---- image helpers for the refusal tests ---- */

static uint8_t *read_all(const char *path, size_t *len)
{
    uint8_t *buf = NULL;
    return arca__read_file(path, (size_t)1 << 30, &buf, len) == ARCA_OK ? buf : NULL;
}

static char tmp_dir[256];

static const char *write_temp(const char *name, const uint8_t *bytes, size_t len)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", tmp_dir, name);
    FILE *f = fopen(path, "wb");
    if (!f)
        return NULL;
    size_t w = fwrite(bytes, 1, len, f);
    fclose(f);
    return w == len ? path : NULL;
}

/* File offset of a byte in the middle of the executable PT_LOAD segment (code). */
static size_t code_offset(const uint8_t *img, size_t len)
{
    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)img;
    if (len < sizeof *eh)
        return 0;
    for (int i = 0; i < eh->e_phnum; i++) {
        const Elf64_Phdr *ph = (const Elf64_Phdr *)(img + eh->e_phoff + (size_t)i * sizeof *ph);
        if (ph->p_type == PT_LOAD && (ph->p_flags & PF_X) && ph->p_filesz > 64)
            return ph->p_offset + ph->p_filesz / 2;
    }
    return 0;
}

/* ---- tests ---- */

static void test_echo_sizes(void)
{
    static const size_t sizes[] = {0, 1, 4095, 4096, 4097, 65536, 1024 * 1024};
    arca_enclave_t *e = NULL;
    ASSERT_OK(open_enclave(image_path, &e));
    ASSERT_STREQ(arca_enclave_backend(e), backend);
    uint8_t *in = malloc(1024 * 1024), *out = malloc(1024 * 1024 + 16);
    ASSERT_TRUE(in && out);
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        size_t n = sizes[k], got = 12345;
        arca_result_t status = ARCA_ERR_INTERNAL;
        for (size_t i = 0; i < n; i++)
            in[i] = (uint8_t)(i * 31 + k);
        memset(out, 0, n + 16);
        arca_result_t r = ce_echo(e, &status, n ? in : NULL, n, out, n + 16, &got);
        if (r != ARCA_OK || status != ARCA_OK || got != n || memcmp(in, out, n) != 0) {
            free(in), free(out);
            (void)arca_enclave_destroy(e);
            TEST__FAIL("echo of %zu bytes: %s/%s, got %zu bytes", n, arca_result_name(r),
                       arca_result_name(status), got);
        }
    }
    free(in);
    free(out);
    /* A present but empty buffer crosses as well as a NULL one. */
    size_t got = 1;
    arca_result_t status = ARCA_ERR_INTERNAL;
    uint8_t one[1] = {9};
    ASSERT_OK(ce_echo(e, &status, one, 0, one, sizeof one, &got));
    ASSERT_OK(status);
    ASSERT_EQ(got, 0);
    ASSERT_OK(arca_enclave_destroy(e));
}

static void test_buffer_too_small(void)
{
    arca_enclave_t *e = NULL;
    uint8_t in[100], out[10], reply[4];
    size_t got = 0;
    arca_result_t status = ARCA_OK;
    uint64_t count = 0;
    memset(in, 7, sizeof in);
    memset(out, 0x55, sizeof out);
    ASSERT_OK(open_enclave(image_path, &e));
    ASSERT_OK(ce_echo(e, &status, in, sizeof in, out, sizeof out, &got));
    ASSERT_RESULT(status, ARCA_ERR_BUFFER_TOO_SMALL);
    ASSERT_EQ(got, 100);
    ASSERT_EQ(out[0], 0); /* [out] crosses back as the enclave left it: zeroed, never stale */
    /* No output buffer at all: still the needed size. */
    status = ARCA_OK;
    ASSERT_OK(ce_echo(e, &status, in, sizeof in, NULL, 0, &got));
    ASSERT_RESULT(status, ARCA_ERR_BUFFER_TOO_SMALL);
    ASSERT_EQ(got, 100);
    /* Raw on purpose (a proxy always offers the exact reply size): a bridge given too little
     * room for its reply says how much it needs before its function runs, so nothing runs
     * twice. ce_counter's reply is its u64 return value. */
    got = 0;
    ASSERT_RESULT(arca_enclave_call(e, ID_CE_COUNTER, NULL, 0, reply, sizeof reply, &got),
                  ARCA_ERR_BUFFER_TOO_SMALL);
    ASSERT_EQ(got, sizeof(uint64_t));
    ASSERT_OK(ce_counter(e, &count));
    ASSERT_EQ(count, 1);
    ASSERT_OK(arca_enclave_destroy(e));
}

static void test_unknown_function(void)
{
    /* Raw on purpose: generated proxies only ever call ids the EDL declares. */
    arca_enclave_t *e = NULL;
    uint8_t out[16];
    size_t got = 99;
    ASSERT_OK(open_enclave(image_path, &e));
    ASSERT_RESULT(arca_enclave_call(e, 999, "x", 1, out, sizeof out, &got),
                  ARCA_ERR_UNKNOWN_FUNCTION);
    ASSERT_EQ(got, 0);
    ASSERT_RESULT(arca_enclave_call(e, 0xFFFFFFFFu, NULL, 0, NULL, 0, &got),
                  ARCA_ERR_UNKNOWN_FUNCTION);
    ASSERT_RESULT(arca_enclave_call(e, 0, NULL, 0, NULL, 0, &got), ARCA_ERR_UNKNOWN_FUNCTION);
    ASSERT_OK(arca_enclave_destroy(e));
}

static void test_buggy_enclave_functions(void)
{
    /* Raw on purpose, in the raw image: generated bridges never break these rules, so only
     * hand-written functions can show that the runtime contains an enclave that does. */
    arca_enclave_t *e = NULL;
    uint8_t out[32];
    size_t got = 99;
    ASSERT_OK(open_enclave(raw_image_path, &e));
    /* A function claiming more output than its buffer: contained, nothing copied. */
    ASSERT_RESULT(arca_enclave_call(e, CE_BAD_OUT_LEN, NULL, 0, out, sizeof out, &got),
                  ARCA_ERR_INTERNAL);
    ASSERT_EQ(got, 0);
    /* A function returning an undefined code: the host sees a defined error. */
    ASSERT_RESULT(arca_enclave_call(e, CE_BAD_CODE, NULL, 0, out, sizeof out, &got), ARCA_ERR_APP);
    ASSERT_EQ(got, 0);
    /* The enclave still serves calls afterwards. */
    ASSERT_OK(arca_enclave_call(e, CE_ECHO, "ok", 2, out, sizeof out, &got));
    ASSERT_EQ(got, 2);
    ASSERT_OK(arca_enclave_destroy(e));
    ASSERT_STREQ(hs.events, "init,fini"); /* its hooks ran like any enclave's */
}

static void test_payload_limit(void)
{
    arca_enclave_options_t o;
    arca_enclave_t *e = NULL;
    size_t limit = 64 * 1024, got = 0, got2 = 0;
    char raw_detail[512] = "", typed_detail[512] = "";
    uint8_t *buf = calloc(1, limit + 1);
    ASSERT_TRUE(buf);
    options(&o);
    o.max_payload = limit;
    reset_host_state();
    /* Raw on purpose, in the raw image: the limit counts raw payload bytes, so only a raw echo
     * can hit it to the byte. */
    arca_result_t r = arca_enclave_create(raw_image_path, &o, &e);
    if (r != ARCA_OK)
        free(buf);
    ASSERT_OK(r);
    r = arca_enclave_call(e, CE_ECHO, buf, limit + 1, buf, limit + 1, &got);
    snprintf(raw_detail, sizeof raw_detail, "%s", arca_last_error());
    arca_result_t r2 = arca_enclave_call(e, CE_ECHO, buf, limit, buf, limit + 1, &got2);
    /* An output buffer larger than the limit is fine: the enclave is offered the limit. */
    arca_result_t r3 = arca_enclave_call(e, CE_ECHO, buf, 10, buf, limit * 4, &got);
    size_t got3 = got;
    arca_result_t r4 = arca_enclave_destroy(e);
    /* Through the generated stubs: the frame adds lengths to the data, so a buffer of exactly
     * the limit no longer fits; half of it does. */
    arca_result_t status = ARCA_ERR_INTERNAL, r6 = ARCA_ERR_INTERNAL, r7 = ARCA_ERR_INTERNAL;
    e = NULL;
    reset_host_state();
    arca_result_t r5 = arca_enclave_create(image_path, &o, &e);
    if (r5 == ARCA_OK) {
        r6 = ce_echo(e, &status, buf, limit, buf, limit, &got);
        snprintf(typed_detail, sizeof typed_detail, "%s", arca_last_error());
        r7 = ce_echo(e, &status, buf, limit / 2, buf, limit / 2, &got);
    }
    free(buf);
    ASSERT_RESULT(r, ARCA_ERR_PAYLOAD_TOO_LARGE);
    ASSERT_CONTAINS(raw_detail, "max_payload");
    ASSERT_OK(r2);
    ASSERT_EQ(got2, limit);
    ASSERT_OK(r3);
    ASSERT_EQ(got3, 10);
    ASSERT_OK(r4);
    ASSERT_OK(r5);
    ASSERT_RESULT(r6, ARCA_ERR_PAYLOAD_TOO_LARGE);
    ASSERT_CONTAINS(typed_detail, "max_payload");
    ASSERT_OK(r7);
    ASSERT_OK(status);
    ASSERT_EQ(got, limit / 2);
    ASSERT_OK(arca_enclave_destroy(e));
}

/* Same behaviour on every backend: a host-call reply buffer larger than max_payload is
 * clamped to it, not refused (sim used to refuse it while process clamped). */
static void test_host_call_reply_buffer_over_limit(void)
{
    arca_enclave_t *e = NULL;
    uint64_t r[REPORT_WORDS] = {0};
    size_t got = 0;
    ASSERT_EQ(ARCA_DEFAULT_MAX_PAYLOAD_FOR_TESTS, ARCA_DEFAULT_MAX_PAYLOAD);
    reset_host_state();
    ASSERT_OK(open_enclave(raw_image_path, &e));
    arca_result_t rc = arca_enclave_call(e, CE_BIG_REPLY_BUFFER, NULL, 0, r, sizeof r, &got);
    ASSERT_OK(arca_enclave_destroy(e));
    ASSERT_OK(rc);
    ASSERT_RESULT((arca_result_t)r[0], ARCA_OK);
    ASSERT_EQ(r[1], HUGE_REPLY);
}

/* ---- the C library behaviour (stdout, stderr, getenv) ---- */

static pthread_mutex_t output_lock = PTHREAD_MUTEX_INITIALIZER;
static char output[2][1024];
static size_t output_len[2];

/* The enclave being printed from: the sink tries to destroy it and to call it (both refused). */
static arca_enclave_t *sink_enclave;
static arca_result_t sink_destroy = ARCA_OK, sink_call = ARCA_OK;

static void capture(void *ctx, int stream, const char *bytes, size_t len)
{
    (void)ctx;
    if (sink_enclave) {
        size_t got = 0;
        arca_enclave_t *e = sink_enclave;
        sink_enclave = NULL;
        sink_destroy = arca_enclave_destroy(e);
        sink_call = arca_enclave_call(e, CE_ECHO, "x", 1, NULL, 0, &got);
    }
    pthread_mutex_lock(&output_lock);
    if (stream == 1 || stream == 2) {
        size_t room = sizeof output[0] - 1 - output_len[stream - 1];
        size_t n = len < room ? len : room;
        memcpy(output[stream - 1] + output_len[stream - 1], bytes, n);
        output_len[stream - 1] += n;
    }
    pthread_mutex_unlock(&output_lock);
}

static char log_text[256];
static int log_level = -1, log_lines;

static void capture_log(void *ctx, int level, const char *text)
{
    (void)ctx;
    pthread_mutex_lock(&output_lock);
    log_lines++;
    log_level = level;
    snprintf(log_text, sizeof log_text, "%s", text);
    pthread_mutex_unlock(&output_lock);
}

static void test_stdio_goes_to_the_host(void)
{
    arca_enclave_t *e = NULL;
    arca_enclave_options_t o;
    uint32_t no_env = 0;
    size_t got = 0;
    options(&o);
    reset_host_state();
    o.output = capture;
    o.log = capture_log;
    memset(output, 0, sizeof output);
    output_len[0] = output_len[1] = 0;
    log_lines = 0;
    ASSERT_OK(arca_enclave_create(raw_image_path, &o, &e));
    sink_enclave = e;
    ASSERT_OK(arca_enclave_call(e, CE_STDIO, NULL, 0, &no_env, sizeof no_env, &got));
    /* from its own output function, the enclave can be neither destroyed (that would wait for
     * the call that prints) nor called (its stdio is mid-operation) */
    ASSERT_RESULT(sink_destroy, ARCA_ERR_BUSY);
    ASSERT_RESULT(sink_call, ARCA_ERR_BUSY);
    /* arca_log: one line at INFO, escaped; the DEBUG one below ARCA_LOG_LEVEL's default */
    if (!getenv("ARCA_LOG_LEVEL")) {
        ASSERT_EQ(log_lines, 1);
        ASSERT_EQ(log_level, ARCA_LOG_INFO);
        ASSERT_STREQ(log_text, "log 5\\x01");
    }
    ASSERT_OK(arca_enclave_destroy(e));
    ASSERT_EQ(got, 4);
    ASSERT_EQ(no_env, 1); /* never the host's environment, on any backend */
    ASSERT_STREQ(output[0], CE_STDIO_STDOUT);
    ASSERT_STREQ(output[1], CE_STDIO_STDERR);
}

static void test_libc_facts_and_refusals(void)
{
    arca_enclave_t *e = NULL;
    arca_enclave_options_t o;
    uint32_t ok = 0;
    size_t got = 0;
    options(&o);
    reset_host_state();
    o.output = capture;
    memset(output, 0, sizeof output);
    output_len[0] = output_len[1] = 0;
    ASSERT_OK(arca_enclave_create(raw_image_path, &o, &e));
    ASSERT_OK(arca_enclave_call(e, CE_LIBC, NULL, 0, &ok, sizeof ok, &got));
    ASSERT_OK(arca_enclave_destroy(e));
    ASSERT_EQ(got, 4);
    ASSERT_EQ(ok, CE_LIBC_ALL);
    /* each refused function said so once, on the enclave's stderr */
    ASSERT_CONTAINS(output[1], "the enclave called fopen(), which enclaves cannot use");
    ASSERT_CONTAINS(output[1], "the enclave called socket()");
    ASSERT_CONTAINS(output[1], "the enclave called pthread_create()");
}

static void test_host_call_data(void)
{
    arca_enclave_t *e = NULL;
    char out[64];
    size_t needed = 0;
    arca_result_t status = ARCA_ERR_INTERNAL;
    ASSERT_OK(open_enclave(image_path, &e));
    ASSERT_OK(ce_host_data(e, &status, "ping", out, sizeof out, &needed));
    ASSERT_OK(status);
    ASSERT_EQ(needed, 9);
    ASSERT_MEMEQ(out, "host:ping", 9);
    /* The host's reply does not fit the caller's buffer: the enclave passes the size on. */
    ASSERT_OK(ce_host_data(e, &status, "ping", out, 4, &needed));
    ASSERT_RESULT(status, ARCA_ERR_BUFFER_TOO_SMALL);
    ASSERT_EQ(needed, 9);
    ASSERT_OK(arca_enclave_destroy(e));
}

/* A table of the largest allowed size, the enclave's own host calls at its end: dispatch finds
 * them (a binary search over the sorted copy), and a duplicate id deep inside it is refused
 * with both positions named. */
static void test_host_call_large_table(void)
{
    enum { N = 65536 };
    arca_host_call_t *big = calloc(N, sizeof *big);
    arca_enclave_options_t o;
    arca_enclave_t *e = NULL;
    char out[64];
    size_t needed = 0;
    arca_result_t status = ARCA_ERR_INTERNAL;
    ASSERT_TRUE(big != NULL);
    if (!big)
        return;
    size_t fill = N - host_call_count;
    for (size_t k = 0; k < fill; k++)
        big[k] = (arca_host_call_t){UINT32_C(0x10000) + (uint32_t)(fill - k), hc_error};
    memcpy(big + fill, host_calls, host_call_count * sizeof *big);
    options(&o);
    o.host_calls = big;
    o.host_call_count = N;
    reset_host_state();
    ASSERT_OK(arca_enclave_create(image_path, &o, &e));
    ASSERT_OK(ce_host_data(e, &status, "ping", out, sizeof out, &needed));
    ASSERT_OK(status);
    ASSERT_EQ(needed, 9);
    ASSERT_MEMEQ(out, "host:ping", 9);
    ASSERT_OK(arca_enclave_destroy(e));

    big[65530].id = big[7].id;
    e = NULL;
    ASSERT_RESULT(arca_enclave_create(image_path, &o, &e), ARCA_ERR_INVALID_ARGUMENT);
    ASSERT_CONTAINS(arca_last_error(), "host_calls[7] and [65530] share id");
    ASSERT_TRUE(e == NULL);
    free(big);
}

static void test_host_call_error(void)
{
    arca_enclave_t *e = NULL;
    struct report r;
    arca_result_t res;
    ASSERT_OK(open_enclave(image_path, &e));
    /* Typed: the host function's error arrives as its value, its [out] buffer as zeros. */
    memset(&r, 0xEE, sizeof r);
    ASSERT_OK(ce_host_fail(e, &r));
    ASSERT_OK(r.w[0]);
    ASSERT_EQ(r.w[1], ARCA_ERR_NOT_FOUND);
    ASSERT_EQ(r.w[2], 1);
    /* Raw: an error from a host function reaches the enclave without the length it named. */
    raw_report(e, RAW_ERROR, &r, &res);
    ASSERT_OK(res);
    ASSERT_EQ(r.w[0], ARCA_ERR_NOT_FOUND);
    ASSERT_EQ(r.w[1], 0);
    /* Raw: ids nobody serves, ordinary and reserved. */
    raw_report(e, RAW_UNKNOWN, &r, &res);
    ASSERT_OK(res);
    ASSERT_EQ(r.w[0], ARCA_ERR_UNKNOWN_FUNCTION);
    ASSERT_EQ(r.w[1], 0);
    ASSERT_EQ(r.w[2], 1);
    raw_report(e, RAW_RESERVED, &r, &res);
    ASSERT_OK(res);
    ASSERT_EQ(r.w[0], ARCA_ERR_UNKNOWN_FUNCTION);
    ASSERT_EQ(r.w[2], 1);
    /* A value no host-call case has: the enclave checks enums it receives. */
    raw_report(e, (enum raw_case)77, &r, &res);
    ASSERT_OK(res);
    ASSERT_EQ(r.w[0], ARCA_ERR_INVALID_ARGUMENT);
    ASSERT_OK(arca_enclave_destroy(e));
}

static void test_host_call_huge_reply(void)
{
    arca_enclave_t *e = NULL;
    struct report r;
    arca_result_t res;
    ASSERT_OK(open_enclave(image_path, &e));
    /* Typed: the host names the size it needs; the retry with that size gets every byte. */
    memset(&r, 0xEE, sizeof r);
    ASSERT_OK(ce_host_huge(e, &r));
    ASSERT_OK(r.w[0]);
    ASSERT_EQ(r.w[1], ARCA_ERR_BUFFER_TOO_SMALL);
    ASSERT_EQ(r.w[2], 1); /* nothing written around the 16-byte buffer */
    ASSERT_EQ(r.w[4], HUGE_REPLY);
    ASSERT_EQ(r.w[3], ARCA_OK);
    ASSERT_EQ(r.w[5], 1);
    /* Raw: a reply larger than offered is refused with the size needed, nothing copied. */
    raw_report(e, RAW_HUGE, &r, &res);
    ASSERT_OK(res);
    ASSERT_EQ(r.w[0], ARCA_ERR_BUFFER_TOO_SMALL);
    ASSERT_EQ(r.w[1], HUGE_REPLY); /* the needed size */
    ASSERT_EQ(r.w[2], 1);          /* nothing written around the 16-byte buffer */
    ASSERT_EQ(r.w[3], ARCA_OK);    /* the retry with enough room succeeds */
    ASSERT_EQ(r.w[4], HUGE_REPLY);
    ASSERT_EQ(r.w[5], 1); /* with the right content */
    ASSERT_OK(arca_enclave_destroy(e));
}

static void test_host_call_hostile_reply(void)
{
    arca_enclave_t *e = NULL;
    struct report r;
    arca_result_t res;
    ASSERT_OK(open_enclave(image_path, &e));
    /* Raw: what arca_host_call() itself refuses. */
    raw_report(e, RAW_LIE, &r, &res);
    ASSERT_OK(res);
    ASSERT_EQ(r.w[0], ARCA_ERR_BAD_HOST_REPLY); /* claimed more than offered */
    ASSERT_EQ(r.w[1], 0);
    ASSERT_EQ(r.w[2], 1); /* and the enclave's buffer was not touched */
    raw_report(e, RAW_BADCODE, &r, &res);
    ASSERT_OK(res);
    ASSERT_EQ(r.w[0], ARCA_ERR_BAD_HOST_REPLY); /* undefined result code */
    ASSERT_EQ(r.w[1], 0);
    ASSERT_EQ(r.w[2], 1);
    ASSERT_OK(arca_enclave_destroy(e));
}

/* The same hostile replies, and one the runtime accepts but the frame does not, served in place
 * of the generated h_data bridge: the enclave's generated proxy refuses each of them. */
static void test_host_call_hostile_typed(void)
{
    static const arca_host_fn hostile[] = {hc_lie, hc_badcode, hc_short, hc_error};
    arca_host_call_t calls[32];
    ASSERT_TRUE(host_call_count <= sizeof calls / sizeof calls[0]);
    ASSERT_EQ(host_calls[0].id, ID_H_DATA);
    for (size_t k = 0; k < sizeof hostile / sizeof hostile[0]; k++) {
        arca_enclave_options_t o;
        arca_enclave_t *e = NULL;
        char out[16];
        size_t needed = 77;
        arca_result_t status = ARCA_OK;
        memcpy(calls, host_calls, host_call_count * sizeof calls[0]);
        calls[0].fn = hostile[k];
        options(&o);
        o.host_calls = calls;
        reset_host_state();
        ASSERT_OK(arca_enclave_create(image_path, &o, &e));
        memset(out, 0x33, sizeof out);
        arca_result_t r = ce_host_data(e, &status, "ping", out, sizeof out, &needed);
        arca_result_t d = arca_enclave_destroy(e);
        ASSERT_OK(r);
        /* hc_error's error is passed on as such; the others are hostile replies. */
        ASSERT_RESULT(status,
                      hostile[k] == hc_error ? ARCA_ERR_NOT_FOUND : ARCA_ERR_BAD_HOST_REPLY);
        ASSERT_EQ(needed, 0);           /* nothing of the host's reply reached the enclave */
        ASSERT_EQ(out[0] | out[15], 0); /* the enclave's [out] buffer stayed as allocated */
        ASSERT_OK(d);
    }
}

static void test_init_fini_order(void)
{
    arca_enclave_t *e = NULL;
    uint8_t out[8];
    size_t got;
    arca_result_t status;
    ASSERT_OK(open_enclave(image_path, &e));
    ASSERT_STREQ(hs.events, "init"); /* the init hook ran before create returned */
    ASSERT_OK(ce_echo(e, &status, (const uint8_t *)"a", 1, out, sizeof out, &got));
    ASSERT_STREQ(hs.events, "init");
    ASSERT_OK(arca_enclave_destroy(e));
    ASSERT_STREQ(hs.events, "init,fini"); /* fini ran exactly once, inside destroy */
    ASSERT_RESULT(arca_enclave_destroy(e), ARCA_ERR_ENCLAVE_DESTROYED);
    ASSERT_STREQ(hs.events, "init,fini");
}

static void test_init_failure(void)
{
    arca_enclave_options_t o;
    arca_enclave_t *e = (arca_enclave_t *)&o;
    options(&o);
    reset_host_state();
    hs.init_verdict = ARCA_ERR_PERMISSION;
    ASSERT_RESULT(arca_enclave_create(image_path, &o, &e), ARCA_ERR_PERMISSION);
    ASSERT_TRUE(e == NULL);
    ASSERT_CONTAINS(arca_last_error(), "init");
    ASSERT_STREQ(hs.events, "init"); /* fini does not run for an enclave that never started */
    /* An undefined code from the hook becomes ARCA_ERR_INIT_FAILED. */
    reset_host_state();
    hs.init_verdict = (arca_result_t)7777;
    ASSERT_RESULT(arca_enclave_create(image_path, &o, &e), ARCA_ERR_INIT_FAILED);
    /* And the next create works. */
    reset_host_state();
    ASSERT_OK(arca_enclave_create(image_path, &o, &e));
    ASSERT_OK(arca_enclave_destroy(e));
}

struct worker {
    arca_enclave_t *e;
    pthread_barrier_t *start;
    arca_result_t result;
};

static void *concurrent_worker(void *arg)
{
    struct worker *w = arg;
    arca_result_t inner = ARCA_ERR_INTERNAL;
    pthread_barrier_wait(w->start);
    w->result = ce_rendezvous(w->e, &inner);
    if (w->result == ARCA_OK && inner != ARCA_OK)
        w->result = inner;
    return NULL;
}

static void test_concurrency(void)
{
    enum { N = 8 };
    arca_enclave_t *e = NULL;
    pthread_t t[N];
    struct worker w[N];
    pthread_barrier_t start;
    int ok = 0, busy = 0, other = 0;
    ASSERT_OK(open_enclave(image_path, &e));
    pthread_barrier_init(&start, NULL, N);
    for (int i = 0; i < N; i++) {
        w[i] = (struct worker){.e = e, .start = &start};
        pthread_create(&t[i], NULL, concurrent_worker, &w[i]);
    }
    for (int i = 0; i < N; i++) {
        pthread_join(t[i], NULL);
        if (w[i].result == ARCA_OK)
            ok++;
        else if (w[i].result == ARCA_ERR_BUSY)
            busy++;
        else
            other++;
    }
    pthread_barrier_destroy(&start);
    ASSERT_OK(arca_enclave_destroy(e));
    ASSERT_EQ(other, 0);
    ASSERT_EQ(ok + busy, N);
    ASSERT_TRUE(ok >= 4);
    ASSERT_EQ(hs.max_inside, 4); /* the configured 4 ran at once, never more */
}

/* Extract "key": "hex" from the CLI's JSON. */
static int json_hex(const char *json, const char *key, uint8_t out[32])
{
    char pat[64];
    snprintf(pat, sizeof pat, "\"%s\"", key);
    const char *p = strstr(json, pat);
    if (!p)
        return 0;
    p = strchr(p + strlen(pat), '"');
    if (!p)
        return 0;
    p++;
    for (int i = 0; i < 32; i++) {
        unsigned v;
        if (sscanf(p + 2 * i, "%2x", &v) != 1)
            return 0;
        out[i] = (uint8_t)v;
    }
    return p[64] == '"';
}

static void test_identity(void)
{
    arca_enclave_t *e = NULL;
    arca_identity_t id, inside;
    arca_result_t status = ARCA_ERR_INTERNAL;
    size_t len = 0;
    char cmd[1024], json[8192];
    uint8_t m[32], s[32];
    ASSERT_OK(open_enclave(image_path, &e));
    ASSERT_OK(arca_enclave_identity(e, &id));
    memset(&inside, 0xEE, sizeof inside);
    ASSERT_OK(ce_identity(e, &status, &inside));
    ASSERT_OK(status);
    ASSERT_MEMEQ(&inside, &id, sizeof id); /* the enclave sees what the host sees */
    ASSERT_MEMEQ(&hs.init_identity, &id, offsetof(arca_identity_t, protections));
    ASSERT_EQ(id.product_id, 7); /* from conformance.conf */
    ASSERT_EQ(id.svn, 3);
    ASSERT_UEQ(id.attributes & ARCA_ATTR_DEBUG, ARCA_ATTR_DEBUG); /* dev key: debug */
    /* The id a backend reports is its own; the test-only `inline` (inline_backend.c) isolates
     * nothing and reports sim's, with sim's protections: none. */
    const char *id_name = strcmp(backend, "inline") ? backend : "sim";
    ASSERT_STREQ(arca_backend_id_name(id.backend), id_name);
    if (!strcmp(id_name, "sim"))
        ASSERT_EQ(id.protections, 0);
    else
        ASSERT_TRUE(id.protections & ARCA_PROT_SEPARATE_PROCESS);
    ASSERT_OK(arca_enclave_destroy(e));

    /* The same measurement and signer as `arca inspect --json` prints for the image. */
    snprintf(cmd, sizeof cmd, "'%s' inspect --json '%s'", cli_path, image_path);
    FILE *p = popen(cmd, "r");
    ASSERT_TRUE(p != NULL);
    len = fread(json, 1, sizeof json - 1, p);
    json[len] = '\0';
    ASSERT_EQ(pclose(p), 0);
    ASSERT_TRUE(json_hex(json, "measurement", m));
    ASSERT_TRUE(json_hex(json, "signer_id", s) || json_hex(json, "signer", s));
    ASSERT_MEMEQ(m, id.measurement, 32);
    ASSERT_MEMEQ(s, id.signer_id, 32);
}

static void test_random(void)
{
    arca_enclave_t *e = NULL;
    uint8_t a[32], b[32], zero[32] = {0};
    arca_result_t status = ARCA_ERR_INTERNAL;
    ASSERT_OK(open_enclave(image_path, &e));
    ASSERT_OK(ce_random(e, &status, a));
    ASSERT_OK(status);
    ASSERT_OK(ce_random(e, &status, b));
    ASSERT_OK(status);
    ASSERT_TRUE(memcmp(a, b, 32) != 0);
    ASSERT_TRUE(memcmp(a, zero, 32) != 0);
    ASSERT_OK(arca_enclave_destroy(e));
}

static void test_log_is_sanitised(void)
{
    arca_enclave_t *e = NULL;
    const char text[] = "hi\x1b[31mred\nX\x7f";
    char captured[512] = "";
    char path[300];
    ASSERT_OK(open_enclave(image_path, &e));
    snprintf(path, sizeof path, "%s/stderr.txt", tmp_dir);
    fflush(stderr);
    int saved = dup(2), fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    ASSERT_TRUE(saved >= 0 && fd >= 0);
    dup2(fd, 2);
    arca_result_t r = ce_log(e, text);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    ssize_t n = pread(fd, captured, sizeof captured - 1, 0);
    close(fd);
    captured[n > 0 ? n : 0] = '\0';
    ASSERT_OK(r);
    ASSERT_CONTAINS(captured, "[enclave INFO] hi\\x1b[31mred\\x0aX\\x7f\n");
    ASSERT_TRUE(strchr(captured, '\x1b') == NULL);
    ASSERT_OK(arca_enclave_destroy(e));
}

static void test_call_after_destroy(void)
{
    arca_enclave_t *e = NULL;
    uint8_t out[8] = {0x5A};
    size_t got = 5;
    uint64_t count = 42;
    arca_result_t status = ARCA_ERR_NOT_FOUND;
    arca_identity_t id;
    ASSERT_OK(open_enclave(image_path, &e));
    ASSERT_OK(arca_enclave_destroy(e));
    ASSERT_RESULT(ce_echo(e, &status, (const uint8_t *)"a", 1, out, sizeof out, &got),
                  ARCA_ERR_ENCLAVE_DESTROYED);
    /* Nothing of the caller's was written. */
    ASSERT_EQ(got, 5);
    ASSERT_EQ(out[0], 0x5A);
    ASSERT_EQ(status, ARCA_ERR_NOT_FOUND);
    ASSERT_RESULT(ce_counter(e, &count), ARCA_ERR_ENCLAVE_DESTROYED);
    ASSERT_EQ(count, 42);
    /* The raw API says the same, with no length. */
    got = 5;
    ASSERT_RESULT(arca_enclave_call(e, ID_CE_COUNTER, NULL, 0, out, sizeof out, &got),
                  ARCA_ERR_ENCLAVE_DESTROYED);
    ASSERT_EQ(got, 0);
    ASSERT_RESULT(arca_enclave_identity(e, &id), ARCA_ERR_ENCLAVE_DESTROYED);
    ASSERT_RESULT(arca_enclave_destroy(e), ARCA_ERR_ENCLAVE_DESTROYED);
    ASSERT_STREQ(arca_enclave_backend(e), backend);
}

static void test_destroy_inside_host_call(void)
{
    arca_enclave_t *e = NULL;
    struct report r;
    ASSERT_OK(open_enclave(image_path, &e));
    hs.enclave = e;
    memset(&r, 0xEE, sizeof r);
    ASSERT_OK(ce_destroy_inside(e, &r));
    ASSERT_RESULT(hs.destroy_result, ARCA_ERR_BUSY);
    ASSERT_EQ(r.w[0], ARCA_OK);       /* the host call itself worked */
    ASSERT_EQ(r.w[1], ARCA_ERR_BUSY); /* and the enclave saw what destroy said */
    /* Nothing was destroyed. */
    ASSERT_OK(ce_host_fail(e, &r));
    ASSERT_EQ(r.w[1], ARCA_ERR_NOT_FOUND);
    ASSERT_OK(arca_enclave_destroy(e));
}

struct destroyer {
    arca_enclave_t *e;
    arca_result_t result;
    int done;
};

static void *destroy_thread(void *arg)
{
    struct destroyer *d = arg;
    d->result = arca_enclave_destroy(d->e);
    __atomic_store_n(&d->done, 1, __ATOMIC_SEQ_CST);
    return NULL;
}

static void *block_thread(void *arg)
{
    struct worker *w = arg;
    arca_result_t inner = ARCA_ERR_INTERNAL;
    w->result = ce_block(w->e, &inner);
    if (w->result == ARCA_OK && inner != ARCA_OK)
        w->result = inner;
    return NULL;
}

static void test_destroy_waits_for_calls(void)
{
    arca_enclave_t *e = NULL;
    pthread_t caller, killer;
    struct worker w;
    struct destroyer d;
    uint64_t count = 0;
    ASSERT_OK(open_enclave(image_path, &e));
    w = (struct worker){.e = e};
    d = (struct destroyer){.e = e};
    pthread_create(&caller, NULL, block_thread, &w);
    for (int i = 0; i < 1000 && !__atomic_load_n(&hs.blocked, __ATOMIC_SEQ_CST); i++)
        sleep_ms(5);
    pthread_create(&killer, NULL, destroy_thread, &d);
    /* Once destroy has begun, new calls are refused while the old one still runs. */
    arca_result_t r = ARCA_OK;
    for (int i = 0; i < 1000; i++) {
        r = ce_counter(e, &count);
        if (r == ARCA_ERR_ENCLAVE_DESTROYED)
            break;
        sleep_ms(5);
    }
    sleep_ms(50);
    int finished_early = __atomic_load_n(&d.done, __ATOMIC_SEQ_CST);
    __atomic_store_n(&hs.unblock, 1, __ATOMIC_SEQ_CST);
    pthread_join(caller, NULL);
    pthread_join(killer, NULL);
    ASSERT_RESULT(r, ARCA_ERR_ENCLAVE_DESTROYED);
    ASSERT_EQ(finished_early, 0);
    ASSERT_OK(w.result);
    ASSERT_OK(d.result);
    ASSERT_STREQ(hs.events, "init,unblocked,fini"); /* fini only after the call finished */
}

/* Open the one-thread build of the enclave (conformance_one.conf). */
static arca_result_t open_one(arca_enclave_t **e)
{
    arca_enclave_options_t o;
    options(&o);
    return arca_enclave_create(one_image_path, &o, e);
}

static void test_nested_calls(void)
{
    /* With one enclave thread, calls back in from the host call nest on it: 3 deep, each level
     * one more than the one it called. */
    arca_enclave_t *e = NULL;
    uint64_t v = 0;
    reset_host_state();
    ASSERT_OK(open_one(&e));
    hs.enclave = e;
    ASSERT_OK(ce_nest(e, &v, 3));
    ASSERT_EQ(v, 4);
    for (int d = 0; d < 3; d++)
        ASSERT_OK(hs.nest_result[d]);
    /* Again, and with no nesting: the slot was given back at every level. */
    ASSERT_OK(ce_nest(e, &v, 3));
    ASSERT_EQ(v, 4);
    ASSERT_OK(ce_nest(e, &v, 0));
    ASSERT_EQ(v, 1);
    ASSERT_OK(arca_enclave_destroy(e));
    ASSERT_STREQ(hs.events, "init,fini");
}

static void test_nested_call_limit(void)
{
    /* The call at depth 9 (the outermost one is depth 0) is refused with BUSY, naming the
     * limit; the levels above it go on and return normally, and the enclave is usable after. */
    arca_enclave_t *e = NULL;
    uint64_t v = 0;
    reset_host_state();
    ASSERT_OK(open_one(&e));
    hs.enclave = e;
    ASSERT_OK(ce_nest(e, &v, 20));
    /* ce_nest(20 - k) runs at depth k; the one at depth 9, ce_nest(11), was refused. */
    ASSERT_RESULT(hs.nest_result[11], ARCA_ERR_BUSY);
    ASSERT_CONTAINS(hs.nest_detail[11], "nested");
    ASSERT_CONTAINS(hs.nest_detail[11], "9 calls");
    for (int d = 12; d < 20; d++)
        ASSERT_OK(hs.nest_result[d]);
    ASSERT_RESULT(hs.nest_result[10], ARCA_ERR_INTERNAL); /* never reached */
    ASSERT_EQ(v, 9); /* 1 from the refused level's host call, + 1 per level above it */
    ASSERT_OK(ce_nest(e, &v, 8)); /* exactly the limit: fine */
    ASSERT_EQ(v, 9);
    ASSERT_OK(ce_counter(e, &v));
    ASSERT_OK(arca_enclave_destroy(e));
}

static void test_call_from_other_thread_in_host_call(void)
{
    /* A call from inside a host call but from another thread is not nested: it needs an enclave
     * thread of its own, as before. With one thread (held by the call waiting for the host
     * call), it is refused; with four, it runs. */
    arca_enclave_t *e = NULL;
    uint64_t v = 0;
    reset_host_state();
    ASSERT_OK(open_one(&e));
    hs.enclave = e;
    hs.nest_thread_at = 1;
    ASSERT_OK(ce_nest(e, &v, 2));
    ASSERT_RESULT(hs.nest_result[1], ARCA_ERR_BUSY);
    ASSERT_CONTAINS(hs.nest_detail[1], "all 1 enclave threads are busy");
    ASSERT_EQ(v, 1); /* the host call's value was 0 (its call failed) */
    ASSERT_OK(arca_enclave_destroy(e));

    reset_host_state();
    ASSERT_OK(open_enclave(image_path, &e));
    hs.enclave = e;
    hs.nest_thread_at = 1;
    ASSERT_OK(ce_nest(e, &v, 3));
    ASSERT_OK(hs.nest_result[2]);
    ASSERT_OK(hs.nest_result[1]); /* on a second enclave thread */
    ASSERT_OK(hs.nest_result[0]); /* nested on that second thread's call */
    ASSERT_EQ(v, 4);
    ASSERT_OK(arca_enclave_destroy(e));
}

static void test_nested_through_another_enclave(void)
{
    /* A -> host call -> B -> host call -> A -> host call -> B, both with one thread: the calls
     * into B and A from inside each other's host calls take a slot of their own the first time
     * and nest on it after. */
    arca_enclave_t *a = NULL, *b = NULL;
    uint64_t v = 0;
    reset_host_state();
    ASSERT_OK(open_one(&a));
    ASSERT_OK(open_one(&b));
    hs.enclave = a;
    hs.nest_target[2] = b;
    hs.nest_target[1] = a;
    hs.nest_target[0] = b;
    ASSERT_OK(ce_nest(a, &v, 3));
    ASSERT_OK(hs.nest_result[2]);
    ASSERT_OK(hs.nest_result[1]);
    ASSERT_OK(hs.nest_result[0]);
    ASSERT_EQ(v, 4);
    /* Each instance counted only its own calls. */
    ASSERT_OK(ce_counter(a, &v));
    ASSERT_EQ(v, 1);
    ASSERT_OK(arca_enclave_destroy(a));
    ASSERT_OK(arca_enclave_destroy(b));
}

static void test_instances_are_separate(void)
{
    arca_enclave_t *a = NULL, *b = NULL, *c = NULL;
    uint64_t v = 0;
    ASSERT_OK(open_enclave(image_path, &a));
    ASSERT_OK(open_enclave(image_path, &b));
    ASSERT_OK(ce_counter(a, &v));
    ASSERT_OK(ce_counter(a, &v));
    ASSERT_EQ(v, 2);
    ASSERT_OK(ce_counter(b, &v));
    ASSERT_EQ(v, 1);
    ASSERT_OK(arca_enclave_destroy(a));
    ASSERT_OK(open_enclave(image_path, &c)); /* may reuse a's resources: must be fresh */
    ASSERT_OK(ce_counter(c, &v));
    ASSERT_EQ(v, 1);
    ASSERT_OK(ce_counter(b, &v));
    ASSERT_EQ(v, 2);
    ASSERT_OK(arca_enclave_destroy(b));
    ASSERT_OK(arca_enclave_destroy(c));
}

static void test_refuse_debug(void)
{
    arca_enclave_options_t o;
    arca_enclave_t *e = NULL;
    size_t len = 0;
    uint8_t *img = read_all(image_path, &len);
    arca__image parsed;
    arca__ec_key *key = NULL;
    const char *prod = NULL;
    ASSERT_TRUE(img != NULL);
    options(&o);
    o.refuse_debug = 1;
    reset_host_state();
    ASSERT_RESULT(arca_enclave_create(image_path, &o, &e), ARCA_ERR_DEBUG_REFUSED);
    ASSERT_TRUE(e == NULL);
    ASSERT_CONTAINS(arca_last_error(), "debug");
    ASSERT_STREQ(hs.events, ""); /* refused before anything ran */
    /* The same code signed as production is accepted. */
    if (arca__image_parse(img, len, &parsed) == ARCA_OK && arca__ec_generate(&key) == ARCA_OK) {
        struct arca_enclave_config cfg = parsed.config;
        cfg.flags &= ~ARCA_CONFIG_FLAG_DEBUG;
        if (arca__image_sign(img, len, &cfg, key) == ARCA_OK)
            prod = write_temp("production.signed.so", img, len);
    }
    arca__ec_free(key);
    free(img);
    ASSERT_TRUE(prod != NULL);
    reset_host_state();
    ASSERT_OK(arca_enclave_create(prod, &o, &e));
    arca_identity_t id;
    ASSERT_OK(arca_enclave_identity(e, &id));
    ASSERT_UEQ(id.attributes & ARCA_ATTR_DEBUG, 0);
    ASSERT_OK(arca_enclave_destroy(e));
}

static void expect_refused(const char *path, arca_result_t expected, const char *detail)
{
    arca_enclave_t *e = (arca_enclave_t *)&e;
    ASSERT_TRUE(path != NULL);
    ASSERT_RESULT(open_enclave(path, &e), expected);
    ASSERT_TRUE(e == NULL);
    ASSERT_CONTAINS(arca_last_error(), path);
    ASSERT_CONTAINS(arca_last_error(), detail);
    ASSERT_STREQ(hs.events, ""); /* no enclave code ran */
}

static void test_unsigned_image(void)
{
    expect_refused(unsigned_path, ARCA_ERR_IMAGE_NOT_SIGNED, "sign");
}

static void test_tampered_image(void)
{
    size_t len = 0;
    uint8_t *img = read_all(image_path, &len);
    ASSERT_TRUE(img != NULL);
    size_t at = code_offset(img, len);
    if (!at)
        free(img);
    ASSERT_TRUE(at != 0);
    img[at] ^= 0x01;
    const char *path = write_temp("tampered.signed.so", img, len);
    free(img);
    expect_refused(path, ARCA_ERR_MEASUREMENT_MISMATCH, "measurement");
}

static void test_bad_signature(void)
{
    size_t len = 0;
    uint8_t *img = read_all(image_path, &len);
    arca__image parsed;
    ASSERT_TRUE(img != NULL);
    arca_result_t r = arca__image_parse(img, len, &parsed);
    if (r != ARCA_OK)
        free(img);
    ASSERT_OK(r);
    img[parsed.sig_offset + offsetof(struct arca_signature, signature) + 5] ^= 0x80;
    const char *path = write_temp("badsig.signed.so", img, len);
    free(img);
    expect_refused(path, ARCA_ERR_BAD_SIGNATURE, "signature");
}

static void test_wrong_key(void)
{
    size_t len = 0;
    uint8_t *img = read_all(image_path, &len), *other = NULL;
    arca__image parsed, parsed_other;
    arca__ec_key *key = NULL;
    const char *path = NULL;
    int prepared = 0;
    ASSERT_TRUE(img != NULL);
    other = malloc(len);
    /* Re-sign a copy with another key, then put that key into the original's signature. */
    if (other && arca__image_parse(img, len, &parsed) == ARCA_OK &&
        arca__ec_generate(&key) == ARCA_OK) {
        memcpy(other, img, len);
        if (arca__image_sign(other, len, &parsed.config, key) == ARCA_OK &&
            arca__image_parse(other, len, &parsed_other) == ARCA_OK) {
            size_t at = parsed.sig_offset + offsetof(struct arca_signature, pubkey_len);
            size_t n = offsetof(struct arca_signature, measurement) -
                       offsetof(struct arca_signature, pubkey_len);
            memcpy(img + at, other + at, n);
            at = parsed.sig_offset + offsetof(struct arca_signature, pubkey_der);
            memcpy(img + at, other + at, ARCA_EC_PUBKEY_DER_MAX);
            prepared = 1;
        }
    }
    if (prepared)
        path = write_temp("otherkey.signed.so", img, len);
    arca__ec_free(key);
    ASSERT_TRUE(prepared);
    expect_refused(path, ARCA_ERR_BAD_SIGNATURE, "signature");
    /* The correctly re-signed copy loads, with the other signer's id. */
    path = write_temp("resigned.signed.so", other, len);
    free(img);
    free(other);
    arca_enclave_t *e = NULL;
    arca_identity_t id;
    ASSERT_OK(open_enclave(path, &e));
    ASSERT_OK(arca_enclave_identity(e, &id));
    ASSERT_OK(arca_enclave_destroy(e));
    uint8_t expected[32];
    ASSERT_OK(arca__sha256(parsed_other.sig.pubkey_der, parsed_other.sig.pubkey_len, expected));
    ASSERT_MEMEQ(id.signer_id, expected, 32);
}

static void test_bad_files(void)
{
    static const uint8_t garbage[] = "this is not an ELF file at all";
    arca_enclave_t *e = NULL;
    ASSERT_RESULT(open_enclave("/nonexistent/arca/image.signed.so", &e), ARCA_ERR_IO);
    ASSERT_CONTAINS(arca_last_error(), "/nonexistent/arca/image.signed.so");
    expect_refused(write_temp("garbage.so", garbage, sizeof garbage), ARCA_ERR_BAD_IMAGE, "");
    expect_refused(write_temp("empty.so", garbage, 0), ARCA_ERR_BAD_IMAGE, "");
}

static void test_arguments(void)
{
    arca_enclave_t *e = NULL;
    arca_enclave_options_t o;
    uint8_t out[4];
    size_t got;
    uint64_t count = 0;
    options(&o);
    ASSERT_RESULT(arca_enclave_create(NULL, &o, &e), ARCA_ERR_INVALID_ARGUMENT);
    ASSERT_RESULT(arca_enclave_create(image_path, &o, NULL), ARCA_ERR_INVALID_ARGUMENT);
    o.version = 99;
    ASSERT_RESULT(arca_enclave_create(image_path, &o, &e), ARCA_ERR_BAD_VERSION);
    options(&o);
    o.backend = "no-such-backend";
    ASSERT_RESULT(arca_enclave_create(image_path, &o, &e), ARCA_ERR_UNKNOWN_BACKEND);
    ASSERT_CONTAINS(arca_last_error(), "no-such-backend");
    options(&o);
    o.host_calls = NULL;
    ASSERT_RESULT(arca_enclave_create(image_path, &o, &e), ARCA_ERR_INVALID_ARGUMENT);
    options(&o);
    arca_host_call_t reserved[] = {{ARCA_HOST_CALL_RESERVED + 1, hc_error}};
    o.host_calls = reserved;
    o.host_call_count = 1;
    ASSERT_RESULT(arca_enclave_create(image_path, &o, &e), ARCA_ERR_INVALID_ARGUMENT);
    ASSERT_CONTAINS(arca_last_error(), "reserved");
    arca_host_call_t dup[] = {{1, hc_error}, {1, hc_huge}};
    o.host_calls = dup;
    o.host_call_count = 2;
    ASSERT_RESULT(arca_enclave_create(image_path, &o, &e), ARCA_ERR_INVALID_ARGUMENT);
    /* Without the host calls its init hook needs, the enclave does not start. */
    options(&o);
    o.host_calls = NULL;
    o.host_call_count = 0;
    reset_host_state();
    ASSERT_RESULT(arca_enclave_create(image_path, &o, &e), ARCA_ERR_UNKNOWN_FUNCTION);

    ASSERT_OK(open_enclave(image_path, &e));
    ASSERT_RESULT(ce_counter(NULL, &count), ARCA_ERR_INVALID_ARGUMENT); /* through a proxy */
    /* Raw on purpose: inconsistent pointers and lengths cannot be expressed through proxies. */
    ASSERT_RESULT(arca_enclave_call(NULL, ID_CE_COUNTER, NULL, 0, out, 4, &got),
                  ARCA_ERR_INVALID_ARGUMENT);
    ASSERT_RESULT(arca_enclave_call(e, ID_CE_COUNTER, NULL, 3, out, 4, &got),
                  ARCA_ERR_INVALID_ARGUMENT);
    ASSERT_RESULT(arca_enclave_call(e, ID_CE_COUNTER, "a", 1, NULL, 4, &got),
                  ARCA_ERR_INVALID_ARGUMENT);
    ASSERT_RESULT(arca_enclave_call(e, ID_CE_COUNTER, "a", 1, out, 4, NULL),
                  ARCA_ERR_INVALID_ARGUMENT);
    ASSERT_RESULT(arca_enclave_identity(e, NULL), ARCA_ERR_INVALID_ARGUMENT);
    ASSERT_RESULT(arca_enclave_destroy(NULL), ARCA_ERR_INVALID_ARGUMENT);
    ASSERT_OK(ce_counter(e, &count));
    ASSERT_EQ(count, 1); /* none of the refused calls ran */
    ASSERT_OK(arca_enclave_destroy(e));
}

int main(int argc, char **argv)
{
    if (argc != 7) {
        fprintf(stderr, "usage: %s BACKEND SIGNED_IMAGE UNSIGNED_IMAGE ARCA_CLI RAW_SIGNED_IMAGE "
                        "ONE_THREAD_SIGNED_IMAGE\n",
                argv[0]);
        return 2;
    }
    backend = argv[1];
    image_path = argv[2];
    unsigned_path = argv[3];
    cli_path = argv[4];
    raw_image_path = argv[5];
    one_image_path = argv[6];
    if (!build_host_calls()) {
        fprintf(stderr, "conformance: host-call table too small\n");
        return 1;
    }
    if (!test_make_scratch_dir(tmp_dir, sizeof tmp_dir, "conformance"))
        return 1;
    RUN(test_echo_sizes);
    RUN(test_buffer_too_small);
    RUN(test_unknown_function);
    RUN(test_buggy_enclave_functions);
    RUN(test_payload_limit);
    RUN(test_host_call_reply_buffer_over_limit);
    RUN(test_host_call_data);
    RUN(test_host_call_large_table);
    RUN(test_host_call_error);
    RUN(test_host_call_huge_reply);
    RUN(test_host_call_hostile_reply);
    RUN(test_host_call_hostile_typed);
    RUN(test_init_fini_order);
    RUN(test_init_failure);
    RUN(test_concurrency);
    RUN(test_identity);
    RUN(test_random);
    RUN(test_log_is_sanitised);
    RUN(test_call_after_destroy);
    RUN(test_destroy_inside_host_call);
    RUN(test_destroy_waits_for_calls);
    RUN(test_nested_calls);
    RUN(test_nested_call_limit);
    RUN(test_call_from_other_thread_in_host_call);
    RUN(test_nested_through_another_enclave);
    RUN(test_instances_are_separate);
    RUN(test_refuse_debug);
    RUN(test_unsigned_image);
    RUN(test_stdio_goes_to_the_host);
    RUN(test_libc_facts_and_refusals);
    RUN(test_tampered_image);
    RUN(test_bad_signature);
    RUN(test_wrong_key);
    RUN(test_bad_files);
    RUN(test_arguments);
    test_remove_scratch_dir(tmp_dir);
    return TEST_SUMMARY();
}
