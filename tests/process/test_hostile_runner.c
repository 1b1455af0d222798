/*
 * test_hostile_runner.c — the host library against a hostile arca-runner (fake_runner.c,
 * passed as options.runner_path): malformed READY messages; ecall replies longer than the
 * caller's buffer, with undefined result codes, lying lengths, lying or backwards progress
 * counters, garbage slot states, stalls, exits; malformed host-call requests; a host call inside
 * which the host's nested ecall is served on the same slot, honestly or with a lie.
 *
 * The rule under test (docs/formats.md, "Call channel"): a reply or request that breaks the
 * channel protocol fails the call with ARCA_ERR_BAD_FRAME (malformed header or progress
 * counter) or ARCA_ERR_ENCLAVE_LOST (undefined state, a transfer stalled for the stalled-transfer
 * timeout, the runner died); the runner is killed, every later call returns
 * ENCLAVE_LOST, and not one byte is written past the caller's out_cap. Host functions are
 * never called for a malformed host-call request. Text from the runner (READY's caveats, its
 * stderr) reaches the host's stderr only escaped. The stalled-transfer timeout is the setting
 * $ARCA_PROCESS_STALL_TIMEOUT_MS, set low here (STALL_MS) and checked to be honoured; values
 * outside its bounds are refused.
 *
 * argv: process-enclave.signed.so fake-runner
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "arca/host.h"
#include "channel/channel.h"
#include "fake_runner.h"
#include "runner_util.h"
#include "test.h"

#define GUARD 256
#define CHUNK ARCA__STREAM_CHUNK
/* The stalled-transfer timeout this test runs with (the default is 5 s). */
#define STALL_ENV "ARCA_PROCESS_STALL_TIMEOUT_MS"
#define STALL_MS 300
#define STALL_STR_(x) #x
#define STALL_STR(x) STALL_STR_(x)

static const char *image, *fake;
static int host_calls_served;

static arca_result_t hc_count(void *ctx, const uint8_t *in, size_t in_len, uint8_t *out,
                              size_t out_cap, size_t *out_len)
{
    (void)ctx, (void)in, (void)in_len, (void)out, (void)out_cap;
    __atomic_fetch_add(&host_calls_served, 1, __ATOMIC_SEQ_CST);
    *out_len = 0;
    return ARCA_OK;
}

/* FR_HC_NEST: call back into the enclave (FR_ECHO of "deep") and reply with what came back. */
static arca_enclave_t *nest_enclave;
static arca_result_t nest_result;
static char nest_detail[256];

static arca_result_t hc_nest(void *ctx, const uint8_t *in, size_t in_len, uint8_t *out,
                             size_t out_cap, size_t *out_len)
{
    (void)ctx, (void)in, (void)in_len;
    nest_result = arca_enclave_call(nest_enclave, FR_ECHO, "deep", 4, out, out_cap, out_len);
    snprintf(nest_detail, sizeof nest_detail, "%s", arca_last_error());
    return nest_result;
}

static const arca_host_call_t host_calls[] = {{1, hc_count}, {FR_HC_NEST, hc_nest}};

static arca_result_t open_fake(size_t max_payload, arca_enclave_t **e)
{
    arca_enclave_options_t o;
    arca_enclave_options_init(&o);
    o.backend = "process";
    char setting[PATH_MAX + 32];
    snprintf(setting, sizeof setting, "process.runner=%s", fake);
    const char *settings[] = {setting, NULL};
    o.settings = settings;
    o.host_calls = host_calls;
    o.host_call_count = sizeof host_calls / sizeof host_calls[0];
    if (max_payload)
        o.max_payload = max_payload;
    return arca_enclave_create(image, &o, e);
}

static int guard_intact(const uint8_t *buf, size_t from, size_t to)
{
    for (size_t i = from; i < to; i++)
        if (buf[i] != 0xCC)
            return 0;
    return 1;
}

/*
 * One hostile ecall on a fresh fake enclave: the call returns `want` with `detail_part` in
 * arca_last_error(), reports no output, leaves every byte from out_cap on untouched, and
 * (lost) the runner is killed and later calls fail with ENCLAVE_LOST.
 */
static void expect_hostile(uint32_t fn, size_t out_cap, arca_result_t want, const char *detail_part)
{
    arca_enclave_t *e = NULL;
    pid_t kids[8];
    size_t got = 777;
    uint8_t *buf = malloc(out_cap + GUARD);
    ASSERT_TRUE(buf != NULL);
    memset(buf, 0xCC, out_cap + GUARD);
    host_calls_served = 0;
    ASSERT_OK(open_fake(0, &e));
    ASSERT_EQ(children_named("fake-runner", kids, 8), 1);
    pid_t runner = kids[0];

    ASSERT_RESULT(arca_enclave_call(e, fn, "in", 2, buf, out_cap, &got), want);
    fprintf(stderr, "  fake %u: %s\n", fn, arca_last_error());
    ASSERT_CONTAINS(arca_last_error(), detail_part);
    ASSERT_EQ(got, 0);
    ASSERT_TRUE(guard_intact(buf, out_cap, out_cap + GUARD));
    ASSERT_EQ(host_calls_served, 0);
    /* The runner was stopped; the enclave is lost for good. */
    ASSERT_TRUE(pid_gone_within(runner, 3000));
    ASSERT_RESULT(arca_enclave_call(e, FR_ECHO, "x", 1, buf, out_cap, &got), ARCA_ERR_ENCLAVE_LOST);
    ASSERT_CONTAINS(arca_last_error(), "lost");
    ASSERT_OK(arca_enclave_destroy(e));
    free(buf);
}

/* ---- tests ---- */

static void test_fake_runner_honest_echo(void)
{
    /* The harness first: the fake speaks the protocol, streaming included. */
    static const size_t sizes[] = {0, 5, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK + 17};
    const size_t most = 3 * CHUNK + 17;
    arca_enclave_t *e = NULL;
    uint8_t *in = malloc(most), *out = malloc(most + GUARD);
    ASSERT_TRUE(in && out);
    for (size_t i = 0; i < most; i++)
        in[i] = (uint8_t)(i * 131u + 7u);
    ASSERT_OK(open_fake(0, &e));
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        size_t n = sizes[k], got = 0;
        memset(out, 0xCC, most + GUARD);
        ASSERT_OK(arca_enclave_call(e, FR_ECHO, in, n, out, n, &got));
        ASSERT_EQ(got, n);
        ASSERT_MEMEQ(out, in, n);
        ASSERT_TRUE(guard_intact(out, n, n + GUARD));
    }
    ASSERT_OK(arca_enclave_destroy(e));
    free(in);
    free(out);
}

static void test_reply_longer_than_buffer(void)
{
    expect_hostile(FR_LONGER_THAN_CAP, 16, ARCA_ERR_BAD_FRAME, "reply of 17 bytes for a 16-byte buffer");
    expect_hostile(FR_LONGER_THAN_CAP, 0, ARCA_ERR_BAD_FRAME, "reply of 1 bytes for a 0-byte buffer");
    expect_hostile(FR_LONGER_THAN_CAP, 3 * CHUNK, ARCA_ERR_BAD_FRAME, "malformed reply");
    expect_hostile(FR_HUGE_LENGTH, 16, ARCA_ERR_BAD_FRAME, "18446744073709551615 bytes");
}

static void test_undefined_result_codes(void)
{
    expect_hostile(FR_UNDEFINED_RESULT, 16, ARCA_ERR_BAD_FRAME, "undefined result code 9999");
    expect_hostile(FR_NEGATIVE_RESULT, 16, ARCA_ERR_BAD_FRAME, "undefined result code -7");
}

static void test_lying_progress_counters(void)
{
    /* Progress counters exist only for payloads larger than one chunk. */
    char past[96];
    snprintf(past, sizeof past, "progress counter went from 0 to %u of %u", CHUNK + 9, CHUNK + 8);
    expect_hostile(FR_READY_PAST_LENGTH, 2 * CHUNK, ARCA_ERR_BAD_FRAME, past);
    char backwards[96];
    snprintf(backwards, sizeof backwards, "progress counter went from %u to %u", 2 * CHUNK, CHUNK);
    expect_hostile(FR_BACKWARDS, 3 * CHUNK, ARCA_ERR_BAD_FRAME, backwards);
}

static void test_garbage_state(void)
{
    expect_hostile(FR_GARBAGE_STATE, 16, ARCA_ERR_ENCLAVE_LOST, "undefined slot state 77");
}

static void test_runner_exits_mid_call(void)
{
    expect_hostile(FR_EXIT, 16, ARCA_ERR_ENCLAVE_LOST, "exited with status 3");
}

/* A stalled transfer is given up after the setting, STALL_MS (create, call, the runner's
 * reaping and destroy included in the time), not after the 5 s default. */
static void expect_stall(uint32_t fn, size_t out_cap, const char *detail_part)
{
    double t0 = now_seconds();
    expect_hostile(fn, out_cap, ARCA_ERR_ENCLAVE_LOST, detail_part);
    double waited = now_seconds() - t0;
    fprintf(stderr, "  stalled transfer given up after %.3f s (setting %d ms)\n", waited, STALL_MS);
    ASSERT_TRUE(waited >= STALL_MS / 1000.0 - 0.01);
    ASSERT_TRUE(waited < (double)ARCA__STREAM_STALL_NS / 1e9 / 2);
}

static void test_stalled_reply(void)
{
    expect_stall(FR_STALL, 3 * CHUNK, "stopped streaming its reply halfway");
}

static void test_stalled_host_call_request(void)
{
    expect_stall(FR_HOST_CALL_STALL, 16, "stopped streaming a host-call request halfway");
}

/* The setting is read once per process (and a forked child keeps its parent's): each value is
 * tried in a new process, this program run again in its one-create mode (see main). A value
 * that is not a whole number of milliseconds in [100, 600000] fails create, naming it. */
static int create_with_stall_setting(const char *value)
{
    fflush(NULL);
    pid_t child = fork();
    if (child == 0) {
        setenv(STALL_ENV, value, 1);
        execl("/proc/self/exe", "test_hostile_runner", "--create-once", image, fake, (char *)NULL);
        _exit(4);
    }
    int status = 0;
    if (child < 0 || waitpid(child, &status, 0) != child || !WIFEXITED(status))
        return -1;
    return WEXITSTATUS(status);
}

/* One create with the environment as it is: 0 it worked, 1 refused for the stall setting, 2
 * anything else. */
static int create_once(void)
{
    arca_enclave_t *e = NULL;
    arca_result_t r = open_fake(0, &e);
    if (r == ARCA_OK)
        return arca_enclave_destroy(e) == ARCA_OK ? 0 : 2;
    fprintf(stderr, "  create: %s\n", arca_last_error());
    return r == ARCA_ERR_INVALID_ARGUMENT && strstr(arca_last_error(), STALL_ENV) &&
                   strstr(arca_last_error(), "from 100 to 600000")
               ? 1
               : 2;
}

static void test_stall_setting_bounds(void)
{
    static const char *const refused[] = {"99", "600001", "0", "-300", "+300", " 300", "300 ",
                                          "300ms", "3e2", "0x12C", "99999999999999999999999"};
    static const char *const accepted[] = {"100", "600000", "00300", ""};
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        fprintf(stderr, "  %s='%s'\n", STALL_ENV, refused[i]);
        ASSERT_EQ(create_with_stall_setting(refused[i]), 1);
    }
    for (size_t i = 0; i < sizeof accepted / sizeof accepted[0]; i++) {
        fprintf(stderr, "  %s='%s'\n", STALL_ENV, accepted[i]);
        ASSERT_EQ(create_with_stall_setting(accepted[i]), 0);
    }
}

static void test_malformed_host_calls(void)
{
    expect_hostile(FR_HOST_CALL_TOO_LONG, 16, ARCA_ERR_BAD_FRAME, "malformed host-call request");
    expect_hostile(FR_HOST_CALL_CAP_TOO_LONG, 16, ARCA_ERR_BAD_FRAME, "exceeds the slot");
    char host_past[96];
    snprintf(host_past, sizeof host_past, "progress counter went from 0 to %u of %u", CHUNK + 9,
             CHUNK + 4);
    expect_hostile(FR_HOST_CALL_READY_PAST, 16, ARCA_ERR_BAD_FRAME, host_past);
}

static void test_lies_within_bounds(void)
{
    /* Well-formed lies cost nothing but their own call: "too small" with an absurd size is
     * reported as such (nothing copied), and a short reply copies exactly what it says. */
    arca_enclave_t *e = NULL;
    uint8_t buf[64 + GUARD];
    size_t got = 0;
    ASSERT_OK(open_fake(0, &e));
    memset(buf, 0xCC, sizeof buf);
    ASSERT_RESULT(arca_enclave_call(e, FR_TOO_SMALL_HUGE, NULL, 0, buf, 64, &got),
                  ARCA_ERR_BUFFER_TOO_SMALL);
    ASSERT_EQ(got, SIZE_MAX);
    ASSERT_TRUE(guard_intact(buf, 0, sizeof buf));
    ASSERT_OK(arca_enclave_call(e, FR_SHORT_LENGTH, NULL, 0, buf, 64, &got));
    ASSERT_EQ(got, 4);
    ASSERT_MEMEQ(buf, "abcd", 4);
    ASSERT_TRUE(guard_intact(buf, 4, sizeof buf));
    ASSERT_OK(arca_enclave_call(e, FR_ECHO, "still", 5, buf, 64, &got));
    ASSERT_EQ(got, 5);
    ASSERT_OK(arca_enclave_destroy(e));
}

static void test_nested_call_on_same_slot(void)
{
    /* The host's call back in from inside the runner's host call goes into the same slot, where
     * the runner waiting for the host call's reply serves it ("N:" marks that; any other slot
     * would answer a plain echo); then the host call's reply follows as usual. */
    arca_enclave_t *e = NULL;
    uint8_t out[64 + GUARD];
    size_t got = 0;
    ASSERT_OK(open_fake(0, &e));
    nest_enclave = e;
    for (int round = 0; round < 3; round++) {
        nest_result = ARCA_ERR_INTERNAL;
        memset(out, 0xCC, sizeof out);
        ASSERT_OK(arca_enclave_call(e, FR_NESTED, NULL, 0, out, 64, &got));
        ASSERT_OK(nest_result);
        ASSERT_EQ(got, 6);
        ASSERT_MEMEQ(out, "N:deep", 6);
        ASSERT_TRUE(guard_intact(out, 64, sizeof out));
    }
    /* The slot serves plain calls as before. */
    ASSERT_OK(arca_enclave_call(e, FR_ECHO, "flat", 4, out, 64, &got));
    ASSERT_EQ(got, 4);
    ASSERT_MEMEQ(out, "flat", 4);
    ASSERT_OK(arca_enclave_destroy(e));
}

static void test_nested_call_hostile_reply(void)
{
    /* A malformed reply to a nested call is what it is anywhere: the nested call fails with
     * BAD_FRAME, the runner is stopped, and the outer call, waiting for the host call to end,
     * reports the enclave lost; nothing is written past the caller's buffer. */
    arca_enclave_t *e = NULL;
    pid_t kids[8];
    uint8_t out[64 + GUARD];
    size_t got = 777;
    ASSERT_OK(open_fake(0, &e));
    ASSERT_EQ(children_named("fake-runner", kids, 8), 1);
    nest_enclave = e;
    nest_result = ARCA_ERR_INTERNAL;
    memset(out, 0xCC, sizeof out);
    ASSERT_RESULT(arca_enclave_call(e, FR_NESTED_BAD, NULL, 0, out, 64, &got),
                  ARCA_ERR_ENCLAVE_LOST);
    ASSERT_CONTAINS(arca_last_error(), "malformed reply");
    ASSERT_EQ(got, 0);
    ASSERT_TRUE(guard_intact(out, 0, sizeof out));
    ASSERT_RESULT(nest_result, ARCA_ERR_BAD_FRAME);
    ASSERT_CONTAINS(nest_detail, "undefined result code 9999");
    ASSERT_TRUE(pid_gone_within(kids[0], 3000));
    ASSERT_RESULT(arca_enclave_call(e, FR_ECHO, "x", 1, out, 64, &got), ARCA_ERR_ENCLAVE_LOST);
    ASSERT_OK(arca_enclave_destroy(e));
}

static void expect_refused(size_t mode, arca_result_t want, const char *detail_part)
{
    arca_enclave_t *e = NULL;
    pid_t kids[8];
    ASSERT_RESULT(open_fake(mode, &e), want);
    ASSERT_TRUE(e == NULL);
    ASSERT_CONTAINS(arca_last_error(), detail_part);
    ASSERT_EQ(children_named("fake-runner", kids, 8), 0);
}

static void test_bad_start_up(void)
{
    expect_refused(FR_START_BAD_MAGIC, ARCA_ERR_BAD_FRAME, "malformed READY");
    expect_refused(FR_START_UNDEFINED_RESULT, ARCA_ERR_BAD_FRAME, "malformed READY");
    expect_refused(FR_START_SHORT, ARCA_ERR_BAD_FRAME, "malformed READY");
    expect_refused(FR_START_EXIT, ARCA_ERR_ENCLAVE_LOST, "exited during start-up");
    expect_refused(FR_START_INIT_GARBAGE_STATE, ARCA_ERR_ENCLAVE_LOST, "undefined slot state 77");
    /* A refusal whose detail has no terminator: cut at the message's end, never overread. */
    expect_refused(FR_START_UNTERMINATED, ARCA_ERR_PERMISSION, "xxxxxxxx");
    ASSERT_TRUE(strlen(arca_last_error()) < 512);
}

/* A runner's text reaches the host's stderr only escaped: the caveats of its READY (with
 * terminal escapes and no terminator) and raw bytes on its stderr. Run in a child whose stderr
 * is a file, read back afterwards. */
static void test_hostile_text(void)
{
    char path[] = "/tmp/arca-hostile-text-XXXXXX";
    static char text[1 << 14];
    int fd = mkstemp(path);
    ASSERT_TRUE(fd >= 0);
    fflush(NULL);
    pid_t child = fork();
    ASSERT_TRUE(child >= 0);
    if (child == 0) {
        arca_enclave_t *e = NULL;
        size_t got = 0;
        char buf[8];
        dup2(fd, STDERR_FILENO);
        int ok = open_fake(FR_START_HOSTILE_TEXT, &e) == ARCA_OK &&
                 arca_enclave_call(e, FR_ECHO, "ok", 2, buf, sizeof buf, &got) == ARCA_OK &&
                 arca_enclave_destroy(e) == ARCA_OK;
        _exit(ok ? 0 : 1);
    }
    int status = 0;
    waitpid(child, &status, 0);
    ssize_t n = pread(fd, text, sizeof text - 1, 0);
    close(fd);
    unlink(path);
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    ASSERT_TRUE(n > 0);
    text[n] = '\0';
    ASSERT_TRUE(memchr(text, 0x1b, (size_t)n) == NULL);
    ASSERT_TRUE(memchr(text, 0x07, (size_t)n) == NULL);
    /* The caveats: logged once, cut at the message's end, control bytes as '?'. */
    ASSERT_CONTAINS(text, "fewer protections than this kernel offers: ?[2J?[31mhostile caveat ccc");
    ASSERT_TRUE(strstr(text, "cccc\n") != NULL);
    /* Its raw stderr: escaped, prefixed with its pid. */
    ASSERT_CONTAINS(text, "]: \\x1b]0;owned\\x07 raw from the fake runner\n");
}

static void test_no_children_left(void)
{
    /* Every fake runner above was reaped: no zombie, no survivor. */
    errno = 0;
    ASSERT_EQ(waitpid(-1, NULL, WNOHANG), -1);
    ASSERT_EQ(errno, ECHILD);
}

int main(int argc, char **argv)
{
    if (argc == 4 && !strcmp(argv[1], "--create-once")) {
        image = argv[2];
        fake = argv[3];
        return create_once();
    }
    if (argc != 3) {
        fprintf(stderr, "usage: %s process-enclave.signed.so fake-runner\n", argv[0]);
        return 2;
    }
    image = argv[1];
    fake = argv[2];
    /* Before the first create: the process backend reads the setting once. */
    setenv(STALL_ENV, STALL_STR(STALL_MS), 1);
    RUN(test_fake_runner_honest_echo);
    RUN(test_reply_longer_than_buffer);
    RUN(test_undefined_result_codes);
    RUN(test_lying_progress_counters);
    RUN(test_garbage_state);
    RUN(test_runner_exits_mid_call);
    RUN(test_lies_within_bounds);
    RUN(test_malformed_host_calls);
    RUN(test_nested_call_on_same_slot);
    RUN(test_nested_call_hostile_reply);
    RUN(test_stalled_reply);
    RUN(test_stalled_host_call_request);
    RUN(test_stall_setting_bounds);
    RUN(test_bad_start_up);
    RUN(test_hostile_text);
    RUN(test_no_children_left);
    return TEST_SUMMARY();
}
