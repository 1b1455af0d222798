/*
 * threads_enclave.c — an enclave that creates threads of its own (pthread_create, bound by the
 * loader to EnclaveThreads = 4, src/loader/libc_threads.c) and synchronises them with mutexes
 * and condition variables. Each ecall replies with TH_REPORT_WORDS u32 words (what it saw),
 * which the host test compares between sim and process; threads_ids.h says what each does.
 * Also built with EnclaveThreads = 0 (threads_none.conf), where pthread_create fails.
 */
#define _GNU_SOURCE
#include <arca/enclave.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "threads_ids.h"

static arca_result_t report(const uint32_t *w, uint8_t *out, size_t cap, size_t *out_len)
{
    *out_len = TH_REPORT_WORDS * 4;
    if (cap < TH_REPORT_WORDS * 4)
        return ARCA_ERR_BUFFER_TOO_SMALL;
    memcpy(out, w, TH_REPORT_WORDS * 4);
    return ARCA_OK;
}

static void *trivial(void *arg)
{
    return arg;
}

static void sleep_ms(long ms)
{
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&t, NULL);
}

/* ---- create and join: fresh thread-local state on every start, return values, exit ---- */

static __thread uint32_t tls_value; /* 0 whenever a thread starts */
static pthread_key_t key;
static pthread_once_t key_once = PTHREAD_ONCE_INIT;
static uint32_t key_dtors;

static void key_dtor(void *value)
{
    free(value);
    __atomic_add_fetch(&key_dtors, 1, __ATOMIC_RELAXED);
}

static void make_key(void)
{
    if (pthread_key_create(&key, key_dtor) != 0)
        abort();
}

typedef struct job {
    uint32_t arg;
    pthread_t self;
    int fresh;
} job;

static void __attribute__((noinline, noreturn)) exit_from_deep(uint32_t v)
{
    pthread_exit((void *)(uintptr_t)(v * v));
}

static void *square(void *p)
{
    job *j = p;
    uint32_t *mine = malloc(sizeof *mine);
    j->self = pthread_self();
    j->fresh = tls_value == 0 && pthread_getspecific(key) == NULL && errno == 0;
    tls_value = j->arg + 1;
    if (mine) {
        *mine = j->arg;
        pthread_setspecific(key, mine);
    }
    if (j->arg % 4 == 3)
        exit_from_deep(j->arg); /* pthread_exit from below the start routine */
    return (void *)(uintptr_t)(j->arg * j->arg);
}

static arca_result_t create_join(const uint8_t *in, size_t in_len, uint8_t *out, size_t cap,
                                 size_t *out_len)
{
    uint32_t w[TH_REPORT_WORDS] = {0}, rounds = 0;
    if (in_len != 4)
        return ARCA_ERR_INVALID_ARGUMENT;
    memcpy(&rounds, in, 4);
    pthread_once(&key_once, make_key);
    uint32_t before = __atomic_load_n(&key_dtors, __ATOMIC_RELAXED);
    for (uint32_t r = 0; r < rounds; r++) {
        job jobs[TH_ENCLAVE_THREADS];
        pthread_t t[TH_ENCLAVE_THREADS];
        int made[TH_ENCLAVE_THREADS];
        for (uint32_t i = 0; i < TH_ENCLAVE_THREADS; i++) {
            jobs[i] = (job){.arg = r * TH_ENCLAVE_THREADS + i};
            made[i] = pthread_create(&t[i], NULL, square, &jobs[i]) == 0;
            w[0] += (uint32_t)made[i];
        }
        for (uint32_t i = 0; i < TH_ENCLAVE_THREADS; i++) {
            void *ret = NULL;
            if (!made[i])
                continue;
            if (pthread_join(t[i], &ret) == 0 && (uintptr_t)ret == (uintptr_t)jobs[i].arg * jobs[i].arg)
                w[1]++;
            w[2] += pthread_equal(jobs[i].self, t[i]) != 0;
            w[3] += (uint32_t)jobs[i].fresh;
        }
    }
    w[4] = __atomic_load_n(&key_dtors, __ATOMIC_RELAXED) - before;
    w[5] = tls_value; /* the call's own thread never ran square(): 0 */
    return report(w, out, cap, out_len);
}

/* ---- a gate the threads wait at ---- */

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static int gate_open, arrived;

static void gate_reset(void)
{
    pthread_mutex_lock(&lock);
    gate_open = 0;
    arrived = 0;
    pthread_mutex_unlock(&lock);
}

static void *wait_at_gate(void *arg)
{
    pthread_mutex_lock(&lock);
    arrived++;
    pthread_cond_broadcast(&cond);
    while (!gate_open)
        pthread_cond_wait(&cond, &lock);
    pthread_mutex_unlock(&lock);
    return arg;
}

static void wait_arrived(int n)
{
    pthread_mutex_lock(&lock);
    while (arrived < n)
        pthread_cond_wait(&cond, &lock);
    pthread_mutex_unlock(&lock);
}

static void open_gate(void)
{
    pthread_mutex_lock(&lock);
    gate_open = 1;
    pthread_cond_broadcast(&cond);
    pthread_mutex_unlock(&lock);
}

/* pthread_create until it succeeds (a detached thread may still be ending), at most ~5 s. */
static int create_patiently(pthread_t *t, void *(*fn)(void *), void *arg)
{
    int rc = EAGAIN;
    for (int i = 0; i < 5000 && (rc = pthread_create(t, NULL, fn, arg)) == EAGAIN; i++)
        sleep_ms(1);
    return rc;
}

/* ---- detach ---- */

static arca_result_t detach(const uint8_t *in, size_t in_len, uint8_t *out, size_t cap,
                            size_t *out_len)
{
    (void)in, (void)in_len;
    uint32_t w[TH_REPORT_WORDS] = {0};
    pthread_t t[TH_ENCLAVE_THREADS], extra;
    pthread_attr_t attr;
    gate_reset();
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    for (int i = 0; i < TH_ENCLAVE_THREADS; i++)
        w[0] += pthread_create(&t[i], i < 2 ? &attr : NULL, wait_at_gate, NULL) == 0;
    pthread_attr_destroy(&attr);
    w[1] += pthread_detach(t[2]) == 0;
    w[1] += pthread_detach(t[3]) == 0;
    wait_arrived(TH_ENCLAVE_THREADS);
    w[2] = (uint32_t)pthread_join(t[0], NULL);   /* EINVAL: detached */
    w[3] = (uint32_t)pthread_join(t[2], NULL);   /* EINVAL: detached */
    w[4] = (uint32_t)pthread_detach(t[1]);       /* EINVAL: detached already */
    w[5] = (uint32_t)pthread_create(&extra, NULL, trivial, NULL); /* EAGAIN: all four busy */
    open_gate();
    /* The detached threads go back to the pool by themselves: four joinable ones fit again. */
    for (int i = 0; i < TH_ENCLAVE_THREADS; i++)
        w[6] += create_patiently(&t[i], trivial, (void *)(uintptr_t)(i + 1)) == 0;
    for (int i = 0; i < TH_ENCLAVE_THREADS; i++) {
        void *ret = NULL;
        w[7] += pthread_join(t[i], &ret) == 0 && (uintptr_t)ret == (uintptr_t)(i + 1);
    }
    return report(w, out, cap, out_len);
}

/* ---- producer / consumer ---- */

#define QUEUE_SLOTS 4
#define ITEMS 1000

static struct {
    pthread_mutex_t lock;
    pthread_cond_t not_full, not_empty;
    uint32_t item[QUEUE_SLOTS];
    unsigned head, count;
} queue = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, PTHREAD_COND_INITIALIZER, {0}, 0, 0};

static void put(uint32_t v)
{
    pthread_mutex_lock(&queue.lock);
    while (queue.count == QUEUE_SLOTS)
        pthread_cond_wait(&queue.not_full, &queue.lock);
    queue.item[(queue.head + queue.count) % QUEUE_SLOTS] = v;
    queue.count++;
    pthread_cond_signal(&queue.not_empty);
    pthread_mutex_unlock(&queue.lock);
}

static uint32_t take(void)
{
    pthread_mutex_lock(&queue.lock);
    while (queue.count == 0)
        pthread_cond_wait(&queue.not_empty, &queue.lock);
    uint32_t v = queue.item[queue.head];
    queue.head = (queue.head + 1) % QUEUE_SLOTS;
    queue.count--;
    pthread_cond_signal(&queue.not_full);
    pthread_mutex_unlock(&queue.lock);
    return v;
}

static void *producer(void *arg)
{
    (void)arg;
    for (uint32_t v = 1; v <= ITEMS; v++)
        put(v);
    put(0); /* one end mark per producer: one consumer stops at each */
    return NULL;
}

static void *consumer(void *arg)
{
    uint64_t sum = 0, items = 0;
    uint32_t v;
    (void)arg;
    while ((v = take()) != 0) {
        sum += v;
        items++;
    }
    return (void *)(uintptr_t)(sum << 16 | items);
}

static arca_result_t producer_consumer(const uint8_t *in, size_t in_len, uint8_t *out,
                                       size_t cap, size_t *out_len)
{
    (void)in, (void)in_len;
    uint32_t w[TH_REPORT_WORDS] = {0};
    pthread_t t[4];
    uint64_t sum = 0, items = 0;
    w[0] += pthread_create(&t[0], NULL, consumer, NULL) == 0;
    w[0] += pthread_create(&t[1], NULL, consumer, NULL) == 0;
    w[0] += pthread_create(&t[2], NULL, producer, NULL) == 0;
    w[0] += pthread_create(&t[3], NULL, producer, NULL) == 0;
    for (int i = 0; i < 4; i++) {
        void *ret = NULL;
        w[1] += pthread_join(t[i], &ret) == 0;
        if (i < 2) {
            sum += (uintptr_t)ret >> 16;
            items += (uintptr_t)ret & 0xFFFF;
        }
    }
    w[2] = (uint32_t)sum;   /* 2 x 500500 */
    w[3] = (uint32_t)items; /* 2 x 1000 */
    w[4] = queue.count;     /* empty again */
    return report(w, out, cap, out_len);
}

/* ---- the bound, and join's error codes ---- */

static struct timespec deadline(clockid_t clock, long ms)
{
    struct timespec t;
    clock_gettime(clock, &t);
    t.tv_nsec += ms * 1000000L;
    t.tv_sec += t.tv_nsec / 1000000000L;
    t.tv_nsec %= 1000000000L;
    return t;
}

static void *join_self(void *arg)
{
    (void)arg;
    return (void *)(uintptr_t)pthread_join(pthread_self(), NULL);
}

static arca_result_t bound(const uint8_t *in, size_t in_len, uint8_t *out, size_t cap,
                           size_t *out_len)
{
    (void)in, (void)in_len;
    uint32_t w[TH_REPORT_WORDS] = {0};
    pthread_t t[TH_ENCLAVE_THREADS], extra;
    struct timespec until;
    gate_reset();
    for (int i = 0; i < TH_ENCLAVE_THREADS; i++)
        w[0] += pthread_create(&t[i], NULL, wait_at_gate, NULL) == 0;
    w[1] = (uint32_t)pthread_create(&extra, NULL, trivial, NULL); /* EAGAIN */
    wait_arrived(TH_ENCLAVE_THREADS);
    w[2] = (uint32_t)pthread_tryjoin_np(t[0], NULL); /* EBUSY */
    until = deadline(CLOCK_REALTIME, 20);
    w[3] = (uint32_t)pthread_timedjoin_np(t[0], NULL, &until); /* ETIMEDOUT */
    until = deadline(CLOCK_MONOTONIC, 20);
    w[4] = (uint32_t)pthread_clockjoin_np(t[1], NULL, CLOCK_MONOTONIC, &until); /* ETIMEDOUT */
    w[5] = (uint32_t)pthread_join(pthread_self(), NULL); /* ESRCH: not a thread it created */
    w[6] = (uint32_t)pthread_cancel(t[0]);              /* ENOSYS */
    w[7] = (uint32_t)pthread_clockjoin_np(t[1], NULL, (clockid_t)12345, &until); /* EINVAL */
    open_gate();
    for (int i = 0; i < TH_ENCLAVE_THREADS; i++)
        w[8] += pthread_join(t[i], NULL) == 0;
    w[9] = (uint32_t)pthread_join(t[0], NULL); /* ESRCH: joined already */
    w[10] = (uint32_t)pthread_detach(t[0]);    /* ESRCH */
    void *self_join = NULL;
    if (pthread_create(&extra, NULL, join_self, NULL) == 0 && pthread_join(extra, &self_join) == 0)
        w[11] = (uint32_t)(uintptr_t)self_join; /* EDEADLK */
    w[12] = (uint32_t)pthread_create(&extra, NULL, trivial, NULL); /* 0: room again */
    if (w[12] == 0)
        pthread_join(extra, NULL);
    w[13] = (uint32_t)pthread_kill(t[0], 0); /* ENOSYS */
    return report(w, out, cap, out_len);
}

/* ---- output from threads, and their host calls ---- */

static void *print_thread(void *arg)
{
    char pong[8];
    size_t got = 0;
    (void)arg;
    printf("thread: printf %d\n", 42);
    if (write(1, TH_OUTPUT_THREAD_WRITE, strlen(TH_OUTPUT_THREAD_WRITE)) < 0)
        return (void *)(uintptr_t)0xBAD;
    fprintf(stderr, TH_OUTPUT_THREAD_ERR);
    return (void *)(uintptr_t)arca_host_call(TH_HC_PING, "ping", 4, pong, sizeof pong, &got);
}

static arca_result_t output(const uint8_t *in, size_t in_len, uint8_t *out, size_t cap,
                            size_t *out_len)
{
    (void)in, (void)in_len;
    uint32_t w[TH_REPORT_WORDS] = {0};
    pthread_t t;
    void *ret = NULL;
    char pong[8] = {0};
    size_t got = 0;
    printf(TH_OUTPUT_BEFORE);
    if (pthread_create(&t, NULL, print_thread, NULL) == 0 && pthread_join(t, &ret) == 0)
        w[0] = (uint32_t)(uintptr_t)ret; /* the thread's host call: ARCA_ERR_UNSUPPORTED */
    w[1] = arca_host_call(TH_HC_PING, "ping", 4, pong, sizeof pong, &got) == ARCA_OK &&
           got == 4 && !memcmp(pong, "pong", 4); /* the call's own thread: works */
    printf(TH_OUTPUT_AFTER);
    return report(w, out, cap, out_len);
}

static int detached_done;

static void *print_detached(void *arg)
{
    (void)arg;
    printf(TH_OUTPUT_DETACHED_TEXT);
    pthread_mutex_lock(&lock);
    detached_done = 1;
    pthread_cond_broadcast(&cond);
    pthread_mutex_unlock(&lock);
    return NULL;
}

static arca_result_t output_detached(const uint8_t *in, size_t in_len, uint8_t *out, size_t cap,
                                     size_t *out_len)
{
    (void)in, (void)in_len;
    uint32_t w[TH_REPORT_WORDS] = {0};
    pthread_t t;
    detached_done = 0;
    w[0] = (uint32_t)create_patiently(&t, print_detached, NULL);
    if (w[0] == 0)
        w[1] = (uint32_t)pthread_detach(t);
    pthread_mutex_lock(&lock);
    while (!detached_done && w[0] == 0)
        pthread_cond_wait(&cond, &lock);
    pthread_mutex_unlock(&lock);
    return report(w, out, cap, out_len); /* the line goes out with this call's end */
}

static void *flood(void *arg)
{
    static char chunk[64 * 1024];
    (void)arg;
    memset(chunk, 'x', sizeof chunk);
    for (unsigned sent = 0; sent < TH_FLOOD_BYTES; sent += sizeof chunk)
        fwrite(chunk, 1, sizeof chunk, stdout);
    fflush(stdout);
    return NULL;
}

static arca_result_t output_flood(const uint8_t *in, size_t in_len, uint8_t *out, size_t cap,
                                  size_t *out_len)
{
    (void)in, (void)in_len;
    uint32_t w[TH_REPORT_WORDS] = {0};
    pthread_t t;
    w[0] = (uint32_t)pthread_create(&t, NULL, flood, NULL);
    if (w[0] == 0)
        w[1] = (uint32_t)pthread_join(t, NULL);
    return report(w, out, cap, out_len);
}

/* ---- a thread that outlives the call that made it ---- */

static pthread_mutex_t bg_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t bg_cond = PTHREAD_COND_INITIALIZER;
static int bg_go;

static void *background(void *arg)
{
    pthread_mutex_lock(&bg_lock);
    while (!bg_go)
        pthread_cond_wait(&bg_cond, &bg_lock);
    pthread_mutex_unlock(&bg_lock);
    return arg;
}

static arca_result_t background_start(const uint8_t *in, size_t in_len, uint8_t *out,
                                      size_t cap, size_t *out_len)
{
    (void)in, (void)in_len;
    pthread_t t;
    uint64_t handle;
    bg_go = 0;
    if (cap < 8)
        return ARCA_ERR_BUFFER_TOO_SMALL;
    if (create_patiently(&t, background, (void *)(uintptr_t)0xB6) != 0)
        return ARCA_ERR_BUSY;
    handle = (uint64_t)t;
    memcpy(out, &handle, 8);
    *out_len = 8;
    return ARCA_OK;
}

static arca_result_t background_finish(const uint8_t *in, size_t in_len, uint8_t *out,
                                       size_t cap, size_t *out_len)
{
    uint32_t w[TH_REPORT_WORDS] = {0};
    uint64_t handle;
    void *ret = NULL;
    if (in_len != 8)
        return ARCA_ERR_INVALID_ARGUMENT;
    memcpy(&handle, in, 8);
    pthread_mutex_lock(&bg_lock);
    bg_go = 1;
    pthread_cond_broadcast(&bg_cond);
    pthread_mutex_unlock(&bg_lock);
    w[0] = (uint32_t)pthread_join((pthread_t)handle, &ret);
    w[1] = (uint32_t)(uintptr_t)ret; /* 0xB6 */
    return report(w, out, cap, out_len);
}

static void *sleeper(void *arg)
{
    sleep_ms(300);
    return arg;
}

static arca_result_t start_sleeper(const uint8_t *in, size_t in_len, uint8_t *out, size_t cap,
                                   size_t *out_len)
{
    (void)in, (void)in_len;
    uint32_t w[TH_REPORT_WORDS] = {0};
    pthread_t t;
    w[0] = (uint32_t)create_patiently(&t, sleeper, NULL);
    if (w[0] == 0)
        w[1] = (uint32_t)pthread_detach(t);
    return report(w, out, cap, out_len);
}

static arca_result_t exit_on_call_thread(const uint8_t *in, size_t in_len, uint8_t *out,
                                         size_t cap, size_t *out_len)
{
    (void)in, (void)in_len, (void)out, (void)cap, (void)out_len;
    pthread_exit(NULL);
}

static arca_result_t create_one(const uint8_t *in, size_t in_len, uint8_t *out, size_t cap,
                                size_t *out_len)
{
    (void)in, (void)in_len;
    uint32_t w[TH_REPORT_WORDS] = {0};
    pthread_t t;
    w[0] = (uint32_t)pthread_create(&t, NULL, trivial, NULL);
    if (w[0] == 0)
        pthread_join(t, NULL);
    return report(w, out, cap, out_len);
}

ARCA_ECALLS({TH_CREATE_JOIN, create_join}, {TH_DETACH, detach},
            {TH_PRODUCER_CONSUMER, producer_consumer}, {TH_BOUND, bound}, {TH_OUTPUT, output},
            {TH_OUTPUT_DETACHED, output_detached}, {TH_OUTPUT_FLOOD, output_flood},
            {TH_BACKGROUND_START, background_start}, {TH_BACKGROUND_FINISH, background_finish},
            {TH_SLEEPER, start_sleeper}, {TH_EXIT_ON_CALL_THREAD, exit_on_call_thread},
            {TH_CREATE_ONE, create_one});
