/*
 * test_host_api.c — the host API around the backends: option defaults, backend selection
 * by option, $ARCA_BACKEND and auto, arca_backend_info(), arca_last_error(), and lifecycle
 * rules that involve two enclaves (a host call of one may destroy the other; host calls that
 * destroy each other's enclaves at the same moment do not deadlock).
 * argv: signed conformance image.
 */
#include <dlfcn.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "arca/host.h"
#include "formats/runtime_abi.h"
#include "../backend/conformance_ids.h"
#include "test.h"

static const char *image;
static arca_enclave_t *victim;
static arca_result_t victim_result = ARCA_ERR_INTERNAL;

static arca_result_t hc_init(void *ctx, const uint8_t *in, size_t in_len, uint8_t *out,
                             size_t out_cap, size_t *out_len)
{
    (void)ctx, (void)in, (void)in_len;
    *out_len = 4;
    if (out_cap < 4)
        return ARCA_ERR_BUFFER_TOO_SMALL;
    memset(out, 0, 4); /* ARCA_OK */
    return ARCA_OK;
}

static arca_result_t hc_destroy_other(void *ctx, const uint8_t *in, size_t in_len, uint8_t *out,
                                      size_t out_cap, size_t *out_len)
{
    (void)ctx, (void)in, (void)in_len, (void)out, (void)out_cap;
    *out_len = 0;
    victim_result = arca_enclave_destroy(victim);
    return ARCA_OK;
}

static const arca_host_call_t calls[] = {
    {HC_INIT, hc_init}, {HC_FINI, test_hc_nothing}, {HC_DESTROY, hc_destroy_other}};

static void opts(arca_enclave_options_t *o, const char *backend)
{
    arca_enclave_options_init(o);
    o->backend = backend;
    o->host_calls = calls;
    o->host_call_count = 3;
}

static void test_options_defaults(void)
{
    arca_enclave_options_t o;
    memset(&o, 0xA5, sizeof o);
    arca_enclave_options_init(&o);
    ASSERT_EQ(o.version, ARCA_ENCLAVE_OPTIONS_VERSION);
    ASSERT_TRUE(o.backend == NULL);
    ASSERT_TRUE(o.host_calls == NULL);
    ASSERT_EQ(o.host_call_count, 0);
    ASSERT_EQ(o.refuse_debug, 0);
    ASSERT_EQ(o.max_payload, ARCA_DEFAULT_MAX_PAYLOAD);
    ASSERT_TRUE(o.platform == NULL && o.settings == NULL && o.interface_hash == NULL);
    arca_enclave_options_init(NULL); /* harmless */
}

static void test_backend_info(void)
{
    arca_backend_info_t info;
    int saw_sim = 0;
    ASSERT_TRUE(arca_backend_count() >= 1);
    for (size_t i = 0; i < arca_backend_count(); i++) {
        ASSERT_OK(arca_backend_info(i, &info));
        if (!strcmp(info.name, "sim")) {
            saw_sim = 1;
            ASSERT_EQ(info.available, 1);
            ASSERT_CONTAINS(info.protects, "nothing");
        }
    }
    ASSERT_TRUE(saw_sim);
    ASSERT_RESULT(arca_backend_info(arca_backend_count(), &info), ARCA_ERR_NOT_FOUND);
    ASSERT_CONTAINS(arca_last_error(), "no backend at index");
}

static void test_backend_from_environment(void)
{
    arca_enclave_options_t o;
    arca_enclave_t *e = NULL;
    opts(&o, NULL);
    setenv("ARCA_BACKEND", "sim", 1);
    ASSERT_OK(arca_enclave_create(image, &o, &e));
    ASSERT_STREQ(arca_enclave_backend(e), "sim");
    ASSERT_OK(arca_enclave_destroy(e));
    setenv("ARCA_BACKEND", "bogus", 1);
    ASSERT_RESULT(arca_enclave_create(image, &o, &e), ARCA_ERR_UNKNOWN_BACKEND);
    ASSERT_CONTAINS(arca_last_error(), "bogus");
    ASSERT_CONTAINS(arca_last_error(), "sim");
    /* The option wins over the environment. */
    opts(&o, "sim");
    ASSERT_OK(arca_enclave_create(image, &o, &e));
    ASSERT_OK(arca_enclave_destroy(e));
    unsetenv("ARCA_BACKEND");
}

static void test_auto_prefers_isolation(void)
{
    arca_enclave_options_t o;
    arca_enclave_t *e = NULL;
    arca_backend_info_t info;
    const char *expected = "sim";
    for (size_t i = 0; i < arca_backend_count(); i++) {
        ASSERT_OK(arca_backend_info(i, &info));
        if (info.available && strcmp(info.name, "sim") != 0) {
            expected = info.name;
            break;
        }
    }
    opts(&o, "auto");
    if (!strcmp(expected, "sim")) {
        /* No isolating backend here: auto never runs a production image on sim. */
        ASSERT_RESULT(arca_enclave_create(image, &o, &e), ARCA_ERR_BACKEND_UNAVAILABLE);
        return;
    }
    ASSERT_OK(arca_enclave_create(image, &o, &e));
    ASSERT_STREQ(arca_enclave_backend(e), expected);
    ASSERT_OK(arca_enclave_destroy(e));
}

static void test_last_error(void)
{
    arca_enclave_t *e = NULL;
    ASSERT_RESULT(arca_enclave_create("/no/such/enclave.so", NULL, &e), ARCA_ERR_IO);
    ASSERT_CONTAINS(arca_last_error(), "/no/such/enclave.so");
    ASSERT_TRUE(arca_last_error()[0] != '\0');
}

static void test_default_options(void)
{
    arca_enclave_t *e = NULL;
    uint8_t out[8];
    size_t got;
    setenv("ARCA_BACKEND", "sim", 1);
    /* No host calls: the init hook's host call fails, so create fails with its error. */
    ASSERT_RESULT(arca_enclave_create(image, NULL, &e), ARCA_ERR_UNKNOWN_FUNCTION);
    unsetenv("ARCA_BACKEND");
    arca_enclave_options_t o;
    opts(&o, "sim");
    ASSERT_OK(arca_enclave_create(image, &o, &e));
    ASSERT_OK(arca_enclave_call(e, CE_ECHO, "hey", 3, out, sizeof out, &got));
    ASSERT_EQ(got, 3);
    ASSERT_OK(arca_enclave_destroy(e));
}

static void test_host_call_may_destroy_another_enclave(void)
{
    arca_enclave_options_t o;
    arca_enclave_t *a = NULL;
    uint64_t r[REPORT_WORDS];
    size_t got;
    opts(&o, "sim");
    ASSERT_OK(arca_enclave_create(image, &o, &a));
    ASSERT_OK(arca_enclave_create(image, &o, &victim));
    ASSERT_OK(arca_enclave_call(a, CE_DESTROY_INSIDE, NULL, 0, r, sizeof r, &got));
    ASSERT_OK(victim_result);
    ASSERT_RESULT(arca_enclave_call(victim, CE_ECHO, NULL, 0, NULL, 0, &got),
                  ARCA_ERR_ENCLAVE_DESTROYED);
    ASSERT_OK(arca_enclave_destroy(a));
}

/*
 * Destroys that would wait for each other: enclave k's host call destroys enclave k+1 (mod n)
 * while every one of them is inside that host call, each from an ecall on a thread of its own.
 * Without a rule this is a deadlock (each destroy waits for an enclave whose host call waits
 * in a destroy). The rule (arca_enclave_destroy): the destroy that would close the cycle
 * returns ARCA_ERR_BUSY and destroys nothing; the others wait and succeed once it has returned.
 * Run in a child with a timeout, so a deadlock fails the test instead of hanging it.
 */
#define RING_MAX 3

typedef struct ring_member {
    arca_enclave_t *self, *target;
    pthread_barrier_t *all_inside; /* every member is inside its host call */
    arca_result_t destroy_result;  /* what destroying target returned, inside the host call */
    char detail[256];              /* and its arca_last_error() */
    arca_result_t call_result;     /* the ecall on self that made the host call */
} ring_member;

static arca_result_t hc_destroy_target(void *ctx, const uint8_t *in, size_t in_len, uint8_t *out,
                                       size_t out_cap, size_t *out_len)
{
    ring_member *m = ctx;
    (void)in, (void)in_len, (void)out, (void)out_cap;
    *out_len = 0;
    pthread_barrier_wait(m->all_inside);
    m->destroy_result = arca_enclave_destroy(m->target);
    snprintf(m->detail, sizeof m->detail, "%s", arca_last_error());
    return ARCA_OK;
}

static void *ring_thread(void *arg)
{
    ring_member *m = arg;
    uint64_t r[REPORT_WORDS];
    size_t got = 0;
    m->call_result = arca_enclave_call(m->self, CE_DESTROY_INSIDE, NULL, 0, r, sizeof r, &got);
    return NULL;
}

static void ring_of_destroys(const char *backend, int n)
{
    static const arca_host_call_t ring_calls[] = {
        {HC_INIT, hc_init}, {HC_FINI, test_hc_nothing}, {HC_DESTROY, hc_destroy_target}};
    ring_member m[RING_MAX];
    pthread_t threads[RING_MAX];
    pthread_barrier_t barrier;
    arca_enclave_options_t o;
    int busy = -1, ok = 0;
    size_t got = 0;
    memset(m, 0, sizeof m);
    ASSERT_EQ(pthread_barrier_init(&barrier, NULL, (unsigned)n), 0);
    for (int k = 0; k < n; k++) {
        arca_enclave_options_init(&o);
        o.backend = backend;
        o.host_calls = ring_calls;
        o.host_call_count = 3;
        o.host_ctx = &m[k];
        m[k].all_inside = &barrier;
        m[k].destroy_result = m[k].call_result = ARCA_ERR_INTERNAL;
        ASSERT_OK(arca_enclave_create(image, &o, &m[k].self));
    }
    for (int k = 0; k < n; k++)
        m[k].target = m[(k + 1) % n].self;
    for (int k = 0; k < n; k++)
        ASSERT_EQ(pthread_create(&threads[k], NULL, ring_thread, &m[k]), 0);
    for (int k = 0; k < n; k++)
        pthread_join(threads[k], NULL);
    for (int k = 0; k < n; k++) {
        ASSERT_OK(m[k].call_result);
        if (m[k].destroy_result == ARCA_OK) {
            ok++;
        } else {
            ASSERT_RESULT(m[k].destroy_result, ARCA_ERR_BUSY);
            ASSERT_CONTAINS(m[k].detail, "wait for each other");
            ASSERT_EQ(busy, -1);
            busy = k;
        }
    }
    ASSERT_EQ(ok, n - 1);
    ASSERT_TRUE(busy >= 0);
    /* The busy member's target lives on and works; every other enclave is gone. */
    for (int k = 0; k < n; k++) {
        int alive = k == (busy + 1) % n;
        char echo[4];
        ASSERT_RESULT(arca_enclave_call(m[k].self, CE_ECHO, "x", 1, echo, sizeof echo, &got),
                      alive ? ARCA_OK : ARCA_ERR_ENCLAVE_DESTROYED);
    }
    ASSERT_OK(arca_enclave_destroy(m[(busy + 1) % n].self));
    pthread_barrier_destroy(&barrier);
}

static void ring_in_child(const char *backend, int n)
{
    int status = 0;
    pid_t pid, done = 0;
    fflush(NULL);
    pid = fork();
    ASSERT_TRUE(pid >= 0);
    if (pid == 0) {
        test__current_failed = 0;
        ring_of_destroys(backend, n);
        _exit(test__current_failed ? 1 : 0);
    }
    /* Generous: a working rule answers in about a second even under ASan on a loaded machine. */
    for (int i = 0; i < 200 && done == 0; i++) {
        done = waitpid(pid, &status, WNOHANG);
        if (done == 0)
            nanosleep(&(struct timespec){0, 100 * 1000 * 1000}, NULL);
    }
    if (done == 0) {
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
        TEST__FAIL("%s, %d enclaves: the destroys deadlocked (child killed after 20 s)", backend,
                   n);
    }
    ASSERT_EQ(done, pid);
    ASSERT_TRUE(WIFEXITED(status));
    ASSERT_EQ(WEXITSTATUS(status), 0);
}

static void test_host_calls_destroying_each_other(void)
{
    arca_backend_info_t info;
    ring_in_child("sim", 2);
    ring_in_child("sim", 3);
    for (size_t i = 0; i < arca_backend_count(); i++) {
        ASSERT_OK(arca_backend_info(i, &info));
        if (info.available && strcmp(info.name, "process") == 0) {
            ring_in_child("process", 2);
            ring_in_child("process", 3);
        }
    }
}

/* A forked child inherits a copy of the handle but not the enclave: every entry point must
 * refuse it (on the process backend the copy still points at the parent's runner and
 * channel), and the parent's enclave must be untouched. */
static void fork_child_is_refused(const char *backend)
{
    arca_enclave_options_t o;
    arca_enclave_t *e = NULL;
    arca_identity_t id;
    uint8_t out[8];
    size_t got = 0;
    int status = 0;
    opts(&o, backend);
    ASSERT_OK(arca_enclave_create(image, &o, &e));
    pid_t pid = fork();
    ASSERT_TRUE(pid >= 0);
    if (pid == 0) {
        int bad = 0;
        if (arca_enclave_call(e, CE_ECHO, "kid", 3, out, sizeof out, &got) != ARCA_ERR_INVALID_ARGUMENT)
            bad |= 1;
        if (!strstr(arca_last_error(), "create it again in the child"))
            bad |= 2;
        if (arca_enclave_identity(e, &id) != ARCA_ERR_INVALID_ARGUMENT)
            bad |= 4;
        if (arca_enclave_destroy(e) != ARCA_ERR_INVALID_ARGUMENT)
            bad |= 8;
        _exit(bad);
    }
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status));
    ASSERT_EQ(WEXITSTATUS(status), 0);
    /* The parent's enclave still serves calls and can be destroyed. */
    ASSERT_OK(arca_enclave_call(e, CE_ECHO, "hey", 3, out, sizeof out, &got));
    ASSERT_EQ(got, 3);
    ASSERT_OK(arca_enclave_identity(e, &id));
    ASSERT_OK(arca_enclave_destroy(e));
}

static void test_fork_child_cannot_use_parent_enclave(void)
{
    arca_backend_info_t info;
    fork_child_is_refused("sim");
    for (size_t i = 0; i < arca_backend_count(); i++) {
        ASSERT_OK(arca_backend_info(i, &info));
        if (info.available && strcmp(info.name, "process") == 0)
            fork_child_is_refused("process");
    }
}

/*
 * The sim backend loads the image by a /proc/self/fd/N name, and the dynamic loader returns
 * any object already loaded under that name. Here the application holds the image under the
 * next sixteen such names (a stand-in for any stale object: another enclave whose dlclose()
 * did not unload it); the enclave must still get its own copy, not initialise that object.
 */
static void test_sim_never_aliases_a_loaded_object(void)
{
    enum { NAMES = 16 };
    int fds[NAMES];
    void *stale = NULL;
    char path[64];
    for (int i = 0; i < NAMES; i++) {
        fds[i] = open(image, O_RDONLY | O_CLOEXEC);
        ASSERT_TRUE(fds[i] >= 0);
        snprintf(path, sizeof path, "/proc/self/fd/%d", fds[i]);
        void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL); /* one object, one more name each time */
        ASSERT_TRUE(h != NULL);
        if (stale)
            dlclose(h);
        else
            stale = h;
    }
    for (int i = 0; i < NAMES; i++)
        close(fds[i]); /* the names stay with the loaded object */
    const struct arca__runtime *rt = dlsym(stale, ARCA_RUNTIME_SYMBOL);
    ASSERT_TRUE(rt != NULL);

    arca_enclave_options_t o;
    arca_enclave_t *e = NULL;
    uint8_t out[8];
    size_t got = 0;
    opts(&o, "sim");
    ASSERT_OK(arca_enclave_create(image, &o, &e));
    ASSERT_OK(arca_enclave_call(e, CE_ECHO, "abc", 3, out, sizeof out, &got));
    /* The application's object was never initialised with the enclave's identity and keys. */
    ASSERT_RESULT(rt->dispatch(CE_ECHO, (const uint8_t *)"abc", 3, out, sizeof out, &got),
                  ARCA_ERR_INTERNAL);
    ASSERT_OK(arca_enclave_destroy(e));
    dlclose(stale);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s SIGNED_IMAGE\n", argv[0]);
        return 2;
    }
    image = argv[1];
    unsetenv("ARCA_BACKEND");
    RUN(test_options_defaults);
    RUN(test_backend_info);
    RUN(test_backend_from_environment);
    RUN(test_auto_prefers_isolation);
    RUN(test_last_error);
    RUN(test_default_options);
    RUN(test_host_call_may_destroy_another_enclave);
    RUN(test_host_calls_destroying_each_other);
    RUN(test_fork_child_cannot_use_parent_enclave);
    RUN(test_sim_never_aliases_a_loaded_object);
    return TEST_SUMMARY();
}
