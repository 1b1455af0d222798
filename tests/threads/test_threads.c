/*
 * test_threads.c — threads an enclave creates itself (pthread_create within EnclaveThreads,
 * src/loader/libc_threads.c), on sim and on process: create/join with return values,
 * pthread_exit and fresh thread-local state on every start (the pool's threads are reused);
 * detached threads; a producer/consumer over a mutex and two condition variables; EAGAIN past
 * the bound and every error code of join/detach; output of threads reaching the host in order
 * (and 1 MiB of it at most, the rest counted); host calls refused on threads; a thread joined
 * from another call; two enclaves' threads apart; destroy waiting for a running thread; an image
 * without threads; pthread_exit on a call's own thread ending the enclave with a named cause.
 * Every report an ecall makes is the same on both backends (compared word by word).
 *
 * argv: threads-image no-threads-image
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "arca/host.h"
#include "test.h"
#include "threads_ids.h"

static const char *image, *none_image;
static const char *const backends[] = {"sim", "process"};
#define BACKENDS 2

/* ---- the host side: output captured per enclave, one host call ---- */

typedef struct capture {
    pthread_mutex_t lock;
    char *text[2]; /* stdout, stderr; NUL-terminated */
    size_t len[2], cap[2];
} capture;

static void capture_init(capture *c)
{
    memset(c, 0, sizeof *c);
    pthread_mutex_init(&c->lock, NULL);
}

static void capture_free(capture *c)
{
    free(c->text[0]);
    free(c->text[1]);
    pthread_mutex_destroy(&c->lock);
}

static void capture_fn(void *ctx, int stream, const char *bytes, size_t len)
{
    capture *c = ctx;
    int i = stream == 2 ? 1 : 0;
    pthread_mutex_lock(&c->lock);
    if (c->len[i] + len + 1 > c->cap[i]) {
        size_t cap = (c->len[i] + len + 1) * 2;
        char *grown = realloc(c->text[i], cap);
        if (!grown) {
            pthread_mutex_unlock(&c->lock);
            return;
        }
        c->text[i] = grown;
        c->cap[i] = cap;
    }
    memcpy(c->text[i] + c->len[i], bytes, len);
    c->len[i] += len;
    c->text[i][c->len[i]] = '\0';
    pthread_mutex_unlock(&c->lock);
}

static const char *out_text(capture *c, int stream)
{
    return c->text[stream - 1] ? c->text[stream - 1] : "";
}

static arca_result_t hc_ping(void *ctx, const uint8_t *in, size_t in_len, uint8_t *out,
                             size_t out_cap, size_t *out_len)
{
    (void)ctx;
    if (in_len != 4 || memcmp(in, "ping", 4) != 0)
        return ARCA_ERR_INVALID_ARGUMENT;
    *out_len = 4;
    if (out_cap < 4)
        return ARCA_ERR_BUFFER_TOO_SMALL;
    memcpy(out, "pong", 4);
    return ARCA_OK;
}

static const arca_host_call_t host_calls[] = {{TH_HC_PING, hc_ping}};

static arca_result_t create(const char *path, const char *backend, capture *c,
                            arca_enclave_t **e)
{
    arca_enclave_options_t o;
    arca_enclave_options_init(&o);
    o.backend = backend;
    o.host_calls = host_calls;
    o.host_call_count = 1;
    if (c) {
        o.output = capture_fn;
        o.output_ctx = c;
    }
    return arca_enclave_create(path, &o, e);
}

static arca_result_t call_report(arca_enclave_t *e, uint32_t fn, const void *in, size_t in_len,
                                 uint32_t w[TH_REPORT_WORDS])
{
    size_t got = 0;
    memset(w, 0xEE, TH_REPORT_WORDS * 4);
    arca_result_t r = arca_enclave_call(e, fn, in, in_len, w, TH_REPORT_WORDS * 4, &got);
    if (r == ARCA_OK && got != TH_REPORT_WORDS * 4)
        r = ARCA_ERR_BAD_HOST_REPLY;
    if (r != ARCA_OK)
        fprintf(stderr, "  call %u: %s: %s\n", fn, arca_result_name(r), arca_last_error());
    return r;
}

static void print_report(const char *backend, const uint32_t *w)
{
    fprintf(stderr, "  %-7s", backend);
    for (int i = 0; i < TH_REPORT_WORDS; i++)
        fprintf(stderr, " %u", w[i]);
    fprintf(stderr, "\n");
}

/*
 * Run ecall @p fn once on each backend (a fresh enclave each) and check its report against
 * @p expected (the first @p n words; the rest must be 0), then the two backends' reports against
 * each other. @p captured gets each backend's output, when not NULL.
 */
static void same_on_both(uint32_t fn, const void *in, size_t in_len, const uint32_t *expected,
                         int n, capture captured[BACKENDS])
{
    uint32_t w[BACKENDS][TH_REPORT_WORDS];
    for (int b = 0; b < BACKENDS; b++) {
        arca_enclave_t *e = NULL;
        capture local;
        capture *c = captured ? &captured[b] : &local;
        if (!captured)
            capture_init(&local);
        ASSERT_OK(create(image, backends[b], c, &e));
        ASSERT_OK(call_report(e, fn, in, in_len, w[b]));
        ASSERT_OK(arca_enclave_destroy(e));
        print_report(backends[b], w[b]);
        if (!captured)
            capture_free(&local);
        for (int i = 0; i < TH_REPORT_WORDS; i++)
            ASSERT_UEQ(w[b][i], i < n ? expected[i] : 0);
    }
    ASSERT_MEMEQ(w[0], w[1], sizeof w[0]);
}

/* ---- tests ---- */

static void test_create_join(void)
{
    uint32_t rounds = 5, n = rounds * TH_ENCLAVE_THREADS;
    /* created, joined with the right value, pthread_self() == the handle, fresh thread-local
     * state (a __thread variable, a pthread key, errno) at every start, key destructors run,
     * and the call's own thread untouched */
    const uint32_t expected[] = {n, n, n, n, n, 0};
    same_on_both(TH_CREATE_JOIN, &rounds, 4, expected, 6, NULL);
}

static void test_detach(void)
{
    capture c[BACKENDS];
    const uint32_t expected[] = {4, 2, EINVAL, EINVAL, EINVAL, EAGAIN, 4, 4};
    for (int b = 0; b < BACKENDS; b++)
        capture_init(&c[b]);
    same_on_both(TH_DETACH, NULL, 0, expected, 8, c);
    for (int b = 0; b < BACKENDS; b++) {
        /* said once, on the enclave's stderr */
        ASSERT_CONTAINS(out_text(&c[b], 2), "arca: the enclave called pthread_create() with all "
                                            "4 of its threads in use (EnclaveThreads = 4");
    }
    ASSERT_STREQ(out_text(&c[1], 2), out_text(&c[0], 2));
    for (int b = 0; b < BACKENDS; b++)
        capture_free(&c[b]);
}

static void test_producer_consumer(void)
{
    const uint32_t expected[] = {4, 4, 2 * 500500, 2 * 1000, 0};
    same_on_both(TH_PRODUCER_CONSUMER, NULL, 0, expected, 5, NULL);
}

static void test_bound_and_errors(void)
{
    capture c[BACKENDS];
    const uint32_t expected[] = {4,     EAGAIN, EBUSY, ETIMEDOUT, ETIMEDOUT, ESRCH,   ENOSYS,
                                 EINVAL, 4,     ESRCH, ESRCH,     EDEADLK,   0,       ENOSYS};
    for (int b = 0; b < BACKENDS; b++)
        capture_init(&c[b]);
    same_on_both(TH_BOUND, NULL, 0, expected, 14, c);
    for (int b = 0; b < BACKENDS; b++) {
        ASSERT_CONTAINS(out_text(&c[b], 2), "EnclaveThreads = 4 in enclave.conf): it fails with "
                                            "EAGAIN");
        ASSERT_CONTAINS(out_text(&c[b], 2), "the enclave called pthread_cancel(), which enclaves "
                                            "cannot use (it fails with ENOSYS)");
        ASSERT_CONTAINS(out_text(&c[b], 2), "the enclave called pthread_kill()");
        capture_free(&c[b]);
    }
}

static void test_output_of_threads(void)
{
    capture c[BACKENDS];
    const uint32_t expected[] = {ARCA_ERR_UNSUPPORTED, 1};
    for (int b = 0; b < BACKENDS; b++)
        capture_init(&c[b]);
    same_on_both(TH_OUTPUT, NULL, 0, expected, 2, c);
    for (int b = 0; b < BACKENDS; b++) {
        /* in order: the thread's lines are delivered when it is joined, before "after" */
        ASSERT_STREQ(out_text(&c[b], 1), TH_OUTPUT_BEFORE "thread: printf 42\n"
                                         TH_OUTPUT_THREAD_WRITE TH_OUTPUT_AFTER);
        ASSERT_STREQ(out_text(&c[b], 2), TH_OUTPUT_THREAD_ERR);
        capture_free(&c[b]);
    }
}

static void test_output_of_detached_thread(void)
{
    capture c[BACKENDS];
    const uint32_t expected[] = {0, 0};
    for (int b = 0; b < BACKENDS; b++)
        capture_init(&c[b]);
    same_on_both(TH_OUTPUT_DETACHED, NULL, 0, expected, 2, c);
    for (int b = 0; b < BACKENDS; b++) {
        ASSERT_STREQ(out_text(&c[b], 1), TH_OUTPUT_DETACHED_TEXT); /* with the call's end */
        capture_free(&c[b]);
    }
}

static void test_output_flood_is_bounded(void)
{
    capture c[BACKENDS];
    const uint32_t expected[] = {0, 0};
    for (int b = 0; b < BACKENDS; b++)
        capture_init(&c[b]);
    same_on_both(TH_OUTPUT_FLOOD, NULL, 0, expected, 2, c);
    for (int b = 0; b < BACKENDS; b++) {
        size_t kept = c[b].len[0], dropped = 0;
        const char *note = strstr(out_text(&c[b], 2), "arca: ");
        fprintf(stderr, "  %s: %zu bytes delivered; %s", backends[b], kept, out_text(&c[b], 2));
        ASSERT_TRUE(kept <= (1u << 20) && kept >= (1u << 20) - (64u << 10));
        for (size_t i = 0; i < kept; i++)
            if (c[b].text[0][i] != 'x')
                TEST__FAIL("byte %zu of the delivered output is %#x", i, c[b].text[0][i]);
        ASSERT_TRUE(note != NULL);
        ASSERT_EQ(sscanf(note, "arca: %zu bytes the enclave's threads wrote were dropped",
                         &dropped), 1);
        ASSERT_UEQ(kept + dropped, TH_FLOOD_BYTES);
        capture_free(&c[b]);
    }
}

typedef struct finisher {
    arca_enclave_t *e;
    uint64_t handle;
    uint32_t w[TH_REPORT_WORDS];
    arca_result_t r;
} finisher;

static void *finish_thread(void *arg)
{
    finisher *f = arg;
    f->r = call_report(f->e, TH_BACKGROUND_FINISH, &f->handle, 8, f->w);
    return NULL;
}

/* A thread made in one call, joined in another call from another host thread. */
static void test_join_from_another_call(void)
{
    for (int b = 0; b < BACKENDS; b++) {
        arca_enclave_t *e = NULL;
        finisher f;
        size_t got = 0;
        pthread_t t;
        memset(&f, 0, sizeof f);
        ASSERT_OK(create(image, backends[b], NULL, &e));
        ASSERT_OK(arca_enclave_call(e, TH_BACKGROUND_START, NULL, 0, &f.handle, 8, &got));
        ASSERT_EQ(got, 8);
        f.e = e;
        ASSERT_EQ(pthread_create(&t, NULL, finish_thread, &f), 0);
        pthread_join(t, NULL);
        ASSERT_OK(f.r);
        ASSERT_EQ(f.w[0], 0);
        ASSERT_UEQ(f.w[1], 0xB6);
        ASSERT_OK(arca_enclave_destroy(e));
    }
}

typedef struct printer {
    arca_enclave_t *e;
    uint32_t w[TH_REPORT_WORDS];
    arca_result_t r;
} printer;

static void *print_thread(void *arg)
{
    printer *p = arg;
    for (int i = 0; i < 20 && p->r == ARCA_OK; i++)
        p->r = call_report(p->e, TH_OUTPUT, NULL, 0, p->w);
    return NULL;
}

/* Two enclaves at once: each one's threads print into its own output only. */
static void test_two_enclaves_apart(void)
{
    for (int b = 0; b < BACKENDS; b++) {
        capture c[2];
        printer p[2];
        pthread_t t[2];
        for (int i = 0; i < 2; i++) {
            capture_init(&c[i]);
            memset(&p[i], 0, sizeof p[i]);
            ASSERT_OK(create(image, backends[b], &c[i], &p[i].e));
        }
        for (int i = 0; i < 2; i++)
            ASSERT_EQ(pthread_create(&t[i], NULL, print_thread, &p[i]), 0);
        for (int i = 0; i < 2; i++)
            pthread_join(t[i], NULL);
        for (int i = 0; i < 2; i++) {
            ASSERT_OK(p[i].r);
            ASSERT_OK(arca_enclave_destroy(p[i].e));
            const char *one = TH_OUTPUT_BEFORE "thread: printf 42\n" TH_OUTPUT_THREAD_WRITE
                TH_OUTPUT_AFTER;
            ASSERT_UEQ(c[i].len[0], 20 * strlen(one));
            for (int k = 0; k < 20; k++)
                ASSERT_TRUE(!strncmp(c[i].text[0] + k * strlen(one), one, strlen(one)));
            capture_free(&c[i]);
        }
    }
}

static double now_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Destroy while a detached thread still runs: sim waits for it to return (it runs in the
 * image's memory); process ends the runner with it. Neither crashes. */
static void test_destroy_with_a_running_thread(void)
{
    for (int b = 0; b < BACKENDS; b++) {
        arca_enclave_t *e = NULL;
        uint32_t w[TH_REPORT_WORDS];
        ASSERT_OK(create(image, backends[b], NULL, &e));
        double t0 = now_seconds();
        ASSERT_OK(call_report(e, TH_SLEEPER, NULL, 0, w));
        ASSERT_EQ(w[0], 0);
        ASSERT_EQ(w[1], 0);
        ASSERT_OK(arca_enclave_destroy(e));
        double took = now_seconds() - t0;
        fprintf(stderr, "  %s: destroy after %.3f s\n", backends[b], took);
        if (b == 0)
            ASSERT_TRUE(took >= 0.25); /* sim waited for the sleeper (300 ms) */
        ASSERT_TRUE(took < 5.0);
    }
}

/* EnclaveThreads = 0: pthread_create fails with EAGAIN and says why, on both backends. */
static void test_image_without_threads(void)
{
    uint32_t w[BACKENDS][TH_REPORT_WORDS];
    for (int b = 0; b < BACKENDS; b++) {
        arca_enclave_t *e = NULL;
        capture c;
        capture_init(&c);
        ASSERT_OK(create(none_image, backends[b], &c, &e));
        ASSERT_OK(call_report(e, TH_CREATE_ONE, NULL, 0, w[b]));
        ASSERT_OK(call_report(e, TH_CREATE_ONE, NULL, 0, w[b])); /* said once only */
        ASSERT_OK(arca_enclave_destroy(e));
        ASSERT_EQ(w[b][0], EAGAIN);
        ASSERT_STREQ(out_text(&c, 2), "arca: the enclave called pthread_create(), but it has no "
                                      "threads of its own (EnclaveThreads = 0 in enclave.conf): "
                                      "it fails with EAGAIN\n");
        capture_free(&c);
    }
    ASSERT_MEMEQ(w[0], w[1], sizeof w[0]);
}

/* pthread_exit on the thread of a call (not one the enclave made) ends the enclave with a
 * named cause: on process ENCLAVE_LOST; on sim the host process (here a child) aborts. */
static void test_pthread_exit_on_call_thread(void)
{
    arca_enclave_t *e = NULL;
    size_t got = 0;
    ASSERT_OK(create(image, "process", NULL, &e));
    ASSERT_RESULT(arca_enclave_call(e, TH_EXIT_ON_CALL_THREAD, NULL, 0, NULL, 0, &got),
                  ARCA_ERR_ENCLAVE_LOST);
    ASSERT_CONTAINS(arca_last_error(), "the enclave called pthread_exit() on a thread it did not "
                                       "create");
    ASSERT_OK(arca_enclave_destroy(e));

    int err[2];
    ASSERT_EQ(pipe(err), 0);
    fflush(NULL);
    pid_t pid = fork();
    ASSERT_TRUE(pid >= 0);
    if (pid == 0) {
        dup2(err[1], 2);
        close(err[0]);
        if (create(image, "sim", NULL, &e) == ARCA_OK)
            (void)!arca_enclave_call(e, TH_EXIT_ON_CALL_THREAD, NULL, 0, NULL, 0, &got);
        _exit(0); /* not reached: the call ends the process */
    }
    close(err[1]);
    char text[4096];
    size_t have = 0;
    ssize_t n;
    while (have + 1 < sizeof text && (n = read(err[0], text + have, sizeof text - 1 - have)) > 0)
        have += (size_t)n;
    text[have] = '\0';
    close(err[0]);
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
    ASSERT_CONTAINS(text, "arca sim: the enclave called pthread_exit() on a thread it did not "
                          "create");
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s threads-image no-threads-image\n", argv[0]);
        return 2;
    }
    image = argv[1];
    none_image = argv[2];
    RUN(test_create_join);
    RUN(test_detach);
    RUN(test_producer_consumer);
    RUN(test_bound_and_errors);
    RUN(test_output_of_threads);
    RUN(test_output_of_detached_thread);
    RUN(test_output_flood_is_bounded);
    RUN(test_join_from_another_call);
    RUN(test_two_enclaves_apart);
    RUN(test_destroy_with_a_running_thread);
    RUN(test_image_without_threads);
    RUN(test_pthread_exit_on_call_thread);
    return TEST_SUMMARY();
}
