/*
 * test_loader.c — the loader (src/loader) on every backend: an image that needs what a dynamic
 * loader must do (IRELATIVE relocations and their resolver, thread-local storage per thread,
 * a constructor, imports from libc and libcrypto) works the same on `sim` and `process`; an
 * image that needs static TLS is refused by name; loading and unloading many times in one
 * process (sim) leaves every load working (TLS module ids are never reused).
 *
 * argv: good-enclave tls-ie-enclave
 */
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include "arca/host.h"
#include "loader_ids.h"
#include "test.h"

static const char *good, *tls_ie;
static const char *const backends[] = {"sim", "process"};

static arca_result_t create(const char *path, const char *backend, arca_enclave_t **e)
{
    arca_enclave_options_t o;
    arca_enclave_options_init(&o);
    o.backend = backend;
    return arca_enclave_create(path, &o, e);
}

static uint64_t call_u64(arca_enclave_t *e, uint32_t fn, uint64_t in)
{
    uint64_t out = 0;
    size_t len = 0;
    arca_result_t r = arca_enclave_call(e, fn, &in, sizeof in, &out, sizeof out, &len);
    if (r != ARCA_OK || len != 8) {
        fprintf(stderr, "  call %u: %s (%zu bytes): %s\n", fn, arca_result_name(r), len,
                arca_last_error());
        return UINT64_MAX;
    }
    return out;
}

typedef struct tls_job {
    arca_enclave_t *e;
    uint64_t add, times, last;
} tls_job;

static void *tls_thread(void *arg)
{
    tls_job *j = arg;
    for (uint64_t i = 0; i < j->times; i++)
        j->last = call_u64(j->e, LE_TLS, j->add);
    return NULL;
}

static void test_good_image(void)
{
    for (size_t b = 0; b < sizeof backends / sizeof backends[0]; b++) {
        arca_enclave_t *e = NULL;
        fprintf(stderr, "  backend %s\n", backends[b]);
        ASSERT_OK(create(good, backends[b], &e));
        if (!e)
            continue;
        ASSERT_UEQ(call_u64(e, LE_IFUNC, 0), LE_IFUNC_VALUE);
        uint32_t ran = 0;
        size_t len = 0;
        ASSERT_OK(arca_enclave_call(e, LE_CTOR_RAN, NULL, 0, &ran, sizeof ran, &len));
        ASSERT_UEQ(ran, 1);
        char reply[16];
        ASSERT_OK(arca_enclave_call(e, LE_ECHO, "loaded", 6, reply, sizeof reply, &len));
        ASSERT_TRUE(len == 6 && !memcmp(reply, "loaded", 6));
        /* Thread-local: each host thread's calls run on one enclave thread at a time on sim
         * (the host thread itself), so per-thread counters stay apart there; on process the
         * slot threads carry them. Either way no call sees another's partial sum. */
        if (!strcmp(backends[b], "sim")) {
            tls_job jobs[2] = {{e, 1, 1000, 0}, {e, 1000, 3, 0}};
            pthread_t t[2];
            for (int i = 0; i < 2; i++)
                ASSERT_EQ(pthread_create(&t[i], NULL, tls_thread, &jobs[i]), 0);
            for (int i = 0; i < 2; i++)
                pthread_join(t[i], NULL);
            ASSERT_UEQ(jobs[0].last, 1000);
            ASSERT_UEQ(jobs[1].last, 3000);
        } else {
            uint64_t v = call_u64(e, LE_TLS, 5);
            ASSERT_UEQ(v, 5);
            ASSERT_UEQ(call_u64(e, LE_TLS, 5), 10); /* one host thread: always slot 0 */
        }
        ASSERT_OK(arca_enclave_destroy(e));
    }
}

static void test_static_tls_refused(void)
{
    for (size_t b = 0; b < sizeof backends / sizeof backends[0]; b++) {
        arca_enclave_t *e = NULL;
        arca_result_t r = create(tls_ie, backends[b], &e);
        fprintf(stderr, "  %s: %s: %s\n", backends[b], arca_result_name(r), arca_last_error());
        ASSERT_RESULT(r, ARCA_ERR_BAD_IMAGE);
        ASSERT_CONTAINS(arca_last_error(), "initial-exec");
        if (r == ARCA_OK)
            arca_enclave_destroy(e);
    }
}

/* Many loads and unloads in one process: each gets fresh TLS and a working image. */
static void test_reload_many_times(void)
{
    for (int i = 0; i < 200; i++) {
        arca_enclave_t *e = NULL;
        ASSERT_OK(create(good, "sim", &e));
        if (!e)
            return;
        ASSERT_UEQ(call_u64(e, LE_TLS, 7), 7); /* a new module: a fresh block, not the last one's */
        ASSERT_UEQ(call_u64(e, LE_IFUNC, 0), LE_IFUNC_VALUE);
        ASSERT_OK(arca_enclave_destroy(e));
    }
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s good-enclave tls-ie-enclave\n", argv[0]);
        return 2;
    }
    good = argv[1];
    tls_ie = argv[2];
    RUN(test_good_image);
    RUN(test_static_tls_refused);
    RUN(test_reload_many_times);
    return TEST_SUMMARY();
}
