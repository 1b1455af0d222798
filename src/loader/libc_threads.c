/*
 * libc_threads.c — the enclave's own threads (issue 13): pthread_create and std::thread inside
 * an image, within the bound its signed configuration sets (EnclaveThreads), the same on every
 * backend.
 *
 * A sandboxed runner cannot create threads once its seccomp filter is in (clone is forbidden),
 * so the loading process creates an image's enclave threads before any of its code runs
 * (arca__runtime_threads_start: arca-runner on stacks in its protected memory, sim on ordinary
 * ones) and keeps them waiting in a pool. The image's pthread_create is bound here: it hands the
 * start routine to an idle enclave thread, or fails with EAGAIN (said once on the enclave's
 * stderr) when every one is taken — running, or finished and not yet joined or detached, as a
 * real thread would be. The pthread_t it returns is that thread's own, so pthread_self() and
 * pthread_equal() need nothing; pthread_join (and its _np variants), pthread_detach and
 * pthread_exit work on the pool's bookkeeping. pthread_cancel and pthread_kill fail with ENOSYS:
 * the one would end a thread of the pool, the other is a signal the sandbox forbids.
 *
 * When a start routine returns (or calls pthread_exit), its thread ends as a thread would for the
 * image: the thread_local destructors it registered run (the image's __cxa_thread_atexit_impl is
 * bound here on enclave threads), then the destructors of the image's pthread keys (created
 * through the bound pthread_key_create), then its thread-local storage is set back to the image's
 * template, so that the next start routine on that thread sees fresh thread-local variables.
 * pthread_exit returns to the pool thread's loop by longjmp: frames of the start routine are
 * discarded without running their C++ destructors (return from the start routine instead).
 *
 * An enclave thread carries no call, so it has no way to the host: its host calls fail with
 * ARCA_ERR_UNSUPPORTED on every backend (the backends check arca__runtime_on_enclave_thread),
 * and what it writes to stdout/stderr is held here (arca__runtime_output_defer) until a thread
 * that carries a call delivers it (arca__runtime_output_flush): the joining thread, the next
 * output of a call, the end of every call.
 *
 * This file must never run a start routine on a thread that is not idle, never hand one image's
 * thread to another image, never create a thread after arca__runtime_threads_start (arca-runner
 * forbids it), and never let the bytes an enclave thread held reach anything but its own image's
 * output.
 *
 * Divisions: the pool and its registry; the bound pthread functions; thread-local storage and
 * keys; held output; start and stop.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/error.h"
#include "formats/image.h"
#include "loader_internal.h"

/* ---- the pool and its registry ---- */

enum { IDLE, RUNNING, DONE };

#define HOLD_MAX ((size_t)1 << 20) /* bytes of held output per image */

typedef struct thread_dtor {
    void (*fn)(void *);
    void *obj;
} thread_dtor;

struct pool;

typedef struct worker {
    struct pool *pool;
    pthread_t thread;
    int created;
    /* Under pool->lock: */
    int state;   /* IDLE, RUNNING (its start routine runs), DONE (returned, not yet joined) */
    int detached;
    int joining; /* a pthread_join waits for it */
    void *(*start)(void *);
    void *arg;
    void *ret;
    pthread_cond_t wake; /* a start routine was handed over, or the pool closes */
    /* The worker's own: */
    int in_routine;  /* its start routine runs (pthread_exit may return to exit_to) */
    jmp_buf exit_to; /* where pthread_exit returns to */
    void *exit_value;
    thread_dtor *dtors; /* thread_local destructors of the running start routine */
    size_t dtor_count, dtor_cap;
} worker;

/* Output an enclave thread wrote, in order. */
typedef struct held {
    struct held *next;
    int stream;
    size_t len;
    char bytes[];
} held;

typedef struct pool {
    struct pool *next; /* the registry */
    arca__loaded_image *image;
    uint32_t count;
    pthread_mutex_t lock;
    pthread_cond_t changed; /* a worker started, or a start routine ended */
    int started, closing, said_full;
    worker workers[ARCA_MAX_ENCLAVE_THREADS];
    pthread_mutex_t out_lock;   /* the held list */
    pthread_mutex_t flush_lock; /* one delivery at a time, so the order is kept */
    held *first, *last;
    size_t held_bytes; /* in the list (at most HOLD_MAX) */
    size_t dropped;    /* bytes dropped since the last delivery */
    size_t pending;    /* what this pool adds to held_total: held_bytes + 1 if dropped */
} pool;

static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static pool *pools;
static size_t held_total;          /* __atomic: the pools' pending, for a cheap check */
static _Thread_local worker *self; /* set on an enclave thread, for its whole life */

static pool *pool_of(const arca__loaded_image *image)
{
    pool *p;
    if (!image)
        return NULL;
    pthread_mutex_lock(&registry_lock);
    for (p = pools; p && p->image != image; p = p->next)
        ;
    pthread_mutex_unlock(&registry_lock);
    return p;
}

/* The pool of the image the calling thread runs. */
static pool *caller_pool(void)
{
    return self ? self->pool : pool_of(arca__loader_caller());
}

int arca__runtime_on_enclave_thread(void)
{
    return self != NULL;
}

/* Under p->lock: the worker whose thread is @p t and that holds a start routine, or NULL. */
static worker *find(pool *p, pthread_t t)
{
    for (uint32_t i = 0; i < p->count; i++)
        if (p->workers[i].state != IDLE && pthread_equal(p->workers[i].thread, t))
            return &p->workers[i];
    return NULL;
}

/* ---- the bound pthread functions ---- */

/* Once per image: why pthread_create failed, on the enclave's stderr. */
static void say_full(arca__loaded_image *image, uint32_t count)
{
    if (!image || !image->streams[1])
        return;
    if (count == 0)
        fprintf(image->streams[1], "arca: the enclave called pthread_create(), but it has no "
                                   "threads of its own (EnclaveThreads = 0 in enclave.conf): it "
                                   "fails with EAGAIN\n");
    else
        fprintf(image->streams[1], "arca: the enclave called pthread_create() with all %u of "
                                   "its threads in use (EnclaveThreads = %u in enclave.conf): it "
                                   "fails with EAGAIN until one is joined or detached and "
                                   "returns\n", count, count);
}

static int bound_pthread_create(pthread_t *out, const pthread_attr_t *attr,
                                void *(*start)(void *), void *arg)
{
    static int said_no_pool;
    arca__loaded_image *image = arca__loader_caller();
    pool *p = caller_pool();
    int detach_state = PTHREAD_CREATE_JOINABLE, say = 0, rc = EAGAIN;
    if (!out || !start)
        return EINVAL;
    if (attr && pthread_attr_getdetachstate(attr, &detach_state) != 0)
        return EINVAL;
    if (!p) {
        if (!__atomic_exchange_n(&said_no_pool, 1, __ATOMIC_RELAXED))
            say_full(image, 0);
        return EAGAIN;
    }
    pthread_mutex_lock(&p->lock);
    for (uint32_t i = 0; i < p->count && !p->closing; i++) {
        worker *w = &p->workers[i];
        if (w->state != IDLE)
            continue;
        w->state = RUNNING;
        w->detached = detach_state == PTHREAD_CREATE_DETACHED;
        w->joining = 0;
        w->start = start;
        w->arg = arg;
        w->ret = NULL;
        *out = w->thread; /* before the routine runs, as pthread_create promises */
        pthread_cond_signal(&w->wake);
        rc = 0;
        break;
    }
    if (rc != 0 && !p->said_full) {
        p->said_full = 1;
        say = 1;
    }
    pthread_mutex_unlock(&p->lock);
    if (say)
        say_full(p->image, p->count);
    return rc;
}

enum join_mode { JOIN_WAIT, JOIN_TRY, JOIN_UNTIL };

static int join(pthread_t t, void **ret, enum join_mode mode, clockid_t clock,
                const struct timespec *until)
{
    pool *p = caller_pool();
    worker *w;
    int rc = 0;
    if (!p)
        return ESRCH;
    if (mode == JOIN_UNTIL && (!until || until->tv_nsec < 0 || until->tv_nsec >= 1000000000L ||
                               (clock != CLOCK_REALTIME && clock != CLOCK_MONOTONIC)))
        return EINVAL;
    pthread_mutex_lock(&p->lock);
    w = find(p, t);
    if (!w)
        rc = ESRCH;
    else if (w == self)
        rc = EDEADLK;
    else if (w->detached || w->joining)
        rc = EINVAL;
    if (rc == 0) {
        w->joining = 1;
        while (w->state == RUNNING && rc == 0) {
            if (mode == JOIN_TRY)
                rc = EBUSY;
            else if (mode == JOIN_WAIT)
                pthread_cond_wait(&p->changed, &p->lock);
            else if (pthread_cond_clockwait(&p->changed, &p->lock, clock, until) == ETIMEDOUT &&
                     w->state == RUNNING)
                rc = ETIMEDOUT;
        }
        w->joining = 0;
        if (rc == 0) {
            if (ret)
                *ret = w->ret;
            w->state = IDLE;
            w->ret = NULL;
        }
    }
    pthread_mutex_unlock(&p->lock);
    /* What the joined thread wrote goes out now, through the joining thread's call. */
    if (rc == 0 && !self && p->image->output)
        p->image->output(p->image->output_ctx, 1, NULL, 0);
    return rc;
}

static int bound_pthread_join(pthread_t t, void **ret)
{
    return join(t, ret, JOIN_WAIT, CLOCK_REALTIME, NULL);
}

static int bound_pthread_tryjoin_np(pthread_t t, void **ret)
{
    return join(t, ret, JOIN_TRY, CLOCK_REALTIME, NULL);
}

static int bound_pthread_timedjoin_np(pthread_t t, void **ret, const struct timespec *until)
{
    return join(t, ret, until ? JOIN_UNTIL : JOIN_WAIT, CLOCK_REALTIME, until);
}

static int bound_pthread_clockjoin_np(pthread_t t, void **ret, clockid_t clock,
                                      const struct timespec *until)
{
    return join(t, ret, JOIN_UNTIL, clock, until);
}

static int bound_pthread_detach(pthread_t t)
{
    pool *p = caller_pool();
    worker *w;
    int rc = 0;
    if (!p)
        return ESRCH;
    pthread_mutex_lock(&p->lock);
    w = find(p, t);
    if (!w)
        rc = ESRCH;
    else if (w->detached)
        rc = EINVAL;
    else if (w->state == DONE)
        w->state = IDLE; /* finished already: its thread is free again */
    else
        w->detached = 1;
    pthread_mutex_unlock(&p->lock);
    return rc;
}


static void __attribute__((noreturn)) bound_pthread_exit(void *value)
{
    if (self && self->in_routine) {
        self->exit_value = value;
        longjmp(self->exit_to, 1);
    }
    arca__loader_end_enclave("the enclave called pthread_exit() on a thread it did not create (the thread of "
                "a call into the enclave); return from the call instead");
}

static void unavailable(const char *name, int *said)
{
    arca__loaded_image *image = arca__loader_caller();
    if (!__atomic_exchange_n(said, 1, __ATOMIC_RELAXED) && image && image->streams[1])
        fprintf(image->streams[1], "arca: the enclave called %s(), which enclaves cannot use "
                                   "(it fails with ENOSYS)\n", name);
}

static int bound_pthread_cancel(pthread_t t)
{
    static int said;
    (void)t;
    unavailable("pthread_cancel", &said);
    return ENOSYS;
}

static int bound_pthread_kill(pthread_t t, int sig)
{
    static int said;
    (void)t, (void)sig;
    unavailable("pthread_kill", &said);
    return ENOSYS;
}

/* ---- thread-local storage and keys ---- */

extern int __cxa_thread_atexit_impl(void (*fn)(void *), void *obj, void *dso_symbol);

/* thread_local objects with a destructor: on an enclave thread, destroyed when its start
 * routine ends; on any other thread, at its exit as the C library does. */
static int bound_cxa_thread_atexit_impl(void (*fn)(void *), void *obj, void *dso_symbol)
{
    worker *w = self;
    if (!w)
        return __cxa_thread_atexit_impl(fn, obj, dso_symbol);
    if (w->dtor_count == w->dtor_cap) {
        size_t cap = w->dtor_cap ? w->dtor_cap * 2 : 8;
        thread_dtor *grown = realloc(w->dtors, cap * sizeof *grown);
        if (!grown)
            return -1;
        w->dtors = grown;
        w->dtor_cap = cap;
    }
    w->dtors[w->dtor_count++] = (thread_dtor){fn, obj};
    return 0;
}

/* The image's pthread keys, with their destructors, so that an enclave thread's values are
 * destroyed when its start routine ends (the thread itself goes on). */
typedef struct image_key {
    pthread_key_t key;
    void (*dtor)(void *);
    pool *owner;
} image_key;

static pthread_mutex_t keys_lock = PTHREAD_MUTEX_INITIALIZER;
static image_key *keys;
static size_t key_count, key_cap;

static int bound_pthread_key_create(pthread_key_t *key, void (*dtor)(void *))
{
    pool *p = caller_pool();
    int rc = pthread_key_create(key, dtor);
    if (rc != 0 || !p)
        return rc;
    pthread_mutex_lock(&keys_lock);
    if (key_count == key_cap) {
        size_t cap = key_cap ? key_cap * 2 : 16;
        image_key *grown = realloc(keys, cap * sizeof *grown);
        if (grown) {
            keys = grown;
            key_cap = cap;
        }
    }
    if (key_count < key_cap)
        keys[key_count++] = (image_key){*key, dtor, p};
    else
        rc = EAGAIN;
    pthread_mutex_unlock(&keys_lock);
    if (rc != 0)
        pthread_key_delete(*key);
    return rc;
}

static int bound_pthread_key_delete(pthread_key_t key)
{
    pthread_mutex_lock(&keys_lock);
    for (size_t i = 0; i < key_count; i++) {
        if (keys[i].key == key) {
            keys[i] = keys[--key_count];
            break;
        }
    }
    pthread_mutex_unlock(&keys_lock);
    return pthread_key_delete(key);
}

/* The @p i-th key of @p p (in the table's current order); 0 past the end. */
static int key_at(pool *p, size_t *i, image_key *out)
{
    int found = 0;
    pthread_mutex_lock(&keys_lock);
    for (; *i < key_count && !found; (*i)++) {
        if (keys[*i].owner == p) {
            *out = keys[*i];
            found = 1;
        }
    }
    pthread_mutex_unlock(&keys_lock);
    return found;
}

/* The end of a start routine, for the image: its thread_local destructors (newest first; they
 * may add more), its keys' destructors (up to PTHREAD_DESTRUCTOR_ITERATIONS rounds, as the C
 * library), every key of the image back to NULL, and the image's thread-local storage back to
 * its template. */
static void thread_end(worker *w)
{
    pool *p = w->pool;
    arca__loaded_image *image = p->image;
    image_key k;
    while (w->dtor_count > 0) {
        thread_dtor d = w->dtors[--w->dtor_count];
        d.fn(d.obj);
    }
    for (int round = 0, any = 1; any && round < PTHREAD_DESTRUCTOR_ITERATIONS; round++) {
        any = 0;
        for (size_t i = 0; key_at(p, &i, &k);) {
            void *value = pthread_getspecific(k.key);
            if (value && k.dtor) {
                pthread_setspecific(k.key, NULL);
                k.dtor(value);
                any = 1;
            }
        }
    }
    for (size_t i = 0; key_at(p, &i, &k);)
        pthread_setspecific(k.key, NULL);
    if (image->has_tls && image->tls_module) {
        struct {
            uint64_t module, offset;
        } index = {image->tls_module, 0};
        uint8_t *block = arca__loader_tls_get_addr(&index);
        memcpy(block, image->base + image->tls_vaddr, (size_t)image->tls_filesz);
        memset(block + image->tls_filesz, 0, (size_t)(image->tls_memsz - image->tls_filesz));
    }
}

/* One start routine, on its enclave thread, as the image's. */
static void run(worker *w)
{
    arca__loaded_image *outer = arca__runtime_enter(w->pool->image);
    errno = 0;
    w->in_routine = 1;
    if (setjmp(w->exit_to) == 0)
        w->ret = w->start(w->arg);
    else
        w->ret = w->exit_value; /* pthread_exit */
    w->in_routine = 0;
    thread_end(w);
    arca__runtime_leave(outer);
}

static void *worker_main(void *arg)
{
    worker *w = arg;
    pool *p = w->pool;
    self = w;
    pthread_mutex_lock(&p->lock);
    p->started++; /* start-up (rseq, robust list) is done: a seccomp filter may follow */
    pthread_cond_broadcast(&p->changed);
    for (;;) {
        while (w->state != RUNNING && !p->closing)
            pthread_cond_wait(&w->wake, &p->lock);
        if (w->state != RUNNING)
            break; /* closing, and nothing handed over */
        pthread_mutex_unlock(&p->lock);
        run(w);
        pthread_mutex_lock(&p->lock);
        w->state = w->detached ? IDLE : DONE;
        w->detached = 0;
        w->start = NULL;
        w->arg = NULL;
        pthread_cond_broadcast(&p->changed);
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

/* ---- held output ---- */

int arca__runtime_output_defer(arca__loaded_image *image, int stream, const char *bytes,
                               size_t len)
{
    pool *p = self ? self->pool : NULL;
    if (!p || p->image != image)
        return 0;
    if (!len)
        return 1;
    pthread_mutex_lock(&p->out_lock);
    size_t before = p->pending;
    held *h = len <= HOLD_MAX - p->held_bytes ? malloc(sizeof *h + len) : NULL;
    if (h) {
        h->next = NULL;
        h->stream = stream;
        h->len = len;
        memcpy(h->bytes, bytes, len);
        if (p->last)
            p->last->next = h;
        else
            p->first = h;
        p->last = h;
        p->held_bytes += len;
    } else {
        p->dropped += len; /* the next delivery says how much */
    }
    p->pending = p->held_bytes + (p->dropped ? 1 : 0);
    __atomic_add_fetch(&held_total, p->pending - before, __ATOMIC_RELEASE);
    pthread_mutex_unlock(&p->out_lock);
    return 1;
}

void arca__runtime_output_flush(arca__loaded_image *image, arca__output_fn emit, void *ctx)
{
    pool *p;
    if (!__atomic_load_n(&held_total, __ATOMIC_ACQUIRE) || self || !emit)
        return;
    p = pool_of(image);
    if (!p)
        return;
    pthread_mutex_lock(&p->flush_lock);
    pthread_mutex_lock(&p->out_lock);
    held *h = p->first;
    size_t dropped = p->dropped;
    __atomic_sub_fetch(&held_total, p->pending, __ATOMIC_RELEASE);
    p->first = p->last = NULL;
    p->dropped = 0;
    p->held_bytes = 0;
    p->pending = 0;
    pthread_mutex_unlock(&p->out_lock);
    while (h) {
        held *next = h->next;
        emit(ctx, h->stream, h->bytes, h->len);
        free(h);
        h = next;
    }
    if (dropped) {
        char note[160];
        int n = snprintf(note, sizeof note, "arca: %zu bytes the enclave's threads wrote were "
                         "dropped: more than %zu bytes waited for a call to carry them\n",
                         dropped, HOLD_MAX);
        if (n > 0)
            emit(ctx, 2, note, (size_t)n < sizeof note ? (size_t)n : sizeof note - 1);
    }
    pthread_mutex_unlock(&p->flush_lock);
}

/* ---- start and stop ---- */

static void destroy_pool(pool *p)
{
    held *h = p->first;
    while (h) {
        held *next = h->next;
        free(h);
        h = next;
    }
    __atomic_sub_fetch(&held_total, p->pending, __ATOMIC_RELEASE);
    for (uint32_t i = 0; i < ARCA_MAX_ENCLAVE_THREADS; i++) {
        free(p->workers[i].dtors);
        pthread_cond_destroy(&p->workers[i].wake);
    }
    pthread_cond_destroy(&p->changed);
    pthread_mutex_destroy(&p->lock);
    pthread_mutex_destroy(&p->out_lock);
    pthread_mutex_destroy(&p->flush_lock);
    free(p);
}

/* Close @p p: wake every worker and wait for them (their start routines have returned). */
static void end_workers(pool *p)
{
    pthread_mutex_lock(&p->lock);
    p->closing = 1;
    for (uint32_t i = 0; i < p->count; i++)
        pthread_cond_signal(&p->workers[i].wake);
    pthread_mutex_unlock(&p->lock);
    for (uint32_t i = 0; i < p->count; i++)
        if (p->workers[i].created)
            pthread_join(p->workers[i].thread, NULL);
}

arca_result_t arca__runtime_threads_start(arca__loaded_image *image, uint32_t count,
                                          size_t stack_size, arca__thread_stack_fn stack,
                                          void *ctx)
{
    arca_result_t result = ARCA_OK;
    pthread_attr_t attr;
    int attr_ready = 0;
    pool *p = NULL;
    if (!image || count > ARCA_MAX_ENCLAVE_THREADS)
        ARCA_RAISE(ARCA_ERR_CONFIG, "loader: %u enclave threads is outside 0..%u", count,
                   ARCA_MAX_ENCLAVE_THREADS);
    if (pool_of(image))
        ARCA_RAISE(ARCA_ERR_INTERNAL, "loader: the image's enclave threads were started twice");
    p = calloc(1, sizeof *p);
    if (!p)
        ARCA_RAISE(ARCA_ERR_OUT_OF_MEMORY, "loader: out of memory for the enclave threads");
    p->image = image;
    pthread_mutex_init(&p->lock, NULL);
    pthread_mutex_init(&p->out_lock, NULL);
    pthread_mutex_init(&p->flush_lock, NULL);
    pthread_cond_init(&p->changed, NULL);
    for (uint32_t i = 0; i < ARCA_MAX_ENCLAVE_THREADS; i++) {
        p->workers[i].pool = p;
        pthread_cond_init(&p->workers[i].wake, NULL);
    }
    if (pthread_attr_init(&attr) != 0)
        ARCA_RAISE(ARCA_ERR_OUT_OF_MEMORY, "loader: pthread_attr_init failed");
    attr_ready = 1;
    for (uint32_t i = 0; i < count; i++) {
        worker *w = &p->workers[i];
        void *base = NULL;
        size_t least = (size_t)PTHREAD_STACK_MIN, size = stack_size < least ? least : stack_size;
        int rc;
        if (stack) {
            stack(ctx, i, &base, &size);
            rc = base ? pthread_attr_setstack(&attr, base, size) : EINVAL;
        } else {
            rc = pthread_attr_setstacksize(&attr, size);
        }
        if (rc != 0)
            ARCA_RAISE(ARCA_ERR_CONFIG, "the %zu-byte stack of the enclave's own thread %u is "
                       "refused by pthreads: %s", size, i, strerror(rc));
        rc = pthread_create(&w->thread, &attr, worker_main, w);
        if (rc != 0)
            ARCA_RAISE(ARCA_ERR_OUT_OF_MEMORY, "cannot create the enclave's own thread %u "
                       "(EnclaveThreads = %u, stack %zu bytes): %s", i, count, size,
                       strerror(rc));
        w->created = 1;
        p->count = i + 1;
    }
    /* Every thread has finished starting before the caller goes on (to its seccomp filter). */
    pthread_mutex_lock(&p->lock);
    while (p->started < (int)p->count)
        pthread_cond_wait(&p->changed, &p->lock);
    pthread_mutex_unlock(&p->lock);
    pthread_mutex_lock(&registry_lock);
    p->next = pools;
    pools = p;
    pthread_mutex_unlock(&registry_lock);
    p = NULL;
done:
    if (attr_ready)
        pthread_attr_destroy(&attr);
    if (p) {
        end_workers(p);
        destroy_pool(p);
    }
    return result;
}

void arca__runtime_threads_stop(arca__loaded_image *image)
{
    pool *p = pool_of(image);
    int said = 0;
    if (!p)
        return;
    /* Start routines still running use the image: wait for them (the enclave's fini hook is
     * where it should have joined them). */
    pthread_mutex_lock(&p->lock);
    p->closing = 1; /* no pthread_create from now on */
    for (;;) {
        uint32_t running = 0;
        for (uint32_t i = 0; i < p->count; i++)
            running += p->workers[i].state == RUNNING;
        if (!running)
            break;
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += 1;
        if (pthread_cond_timedwait(&p->changed, &p->lock, &until) == ETIMEDOUT && !said) {
            said = 1;
            fprintf(stderr, "arca: waiting for %u thread%s the enclave created to return before "
                    "it can be unloaded\n", running, running == 1 ? "" : "s");
        }
    }
    pthread_mutex_unlock(&p->lock);
    end_workers(p);
    pthread_mutex_lock(&registry_lock);
    for (pool **at = &pools; *at; at = &(*at)->next) {
        if (*at == p) {
            *at = p->next;
            break;
        }
    }
    pthread_mutex_unlock(&registry_lock);
    /* The image's keys go with it. */
    pthread_mutex_lock(&keys_lock);
    for (size_t i = 0; i < key_count;) {
        if (keys[i].owner == p) {
            pthread_key_delete(keys[i].key);
            keys[i] = keys[--key_count];
        } else {
            i++;
        }
    }
    pthread_mutex_unlock(&keys_lock);
    destroy_pool(p);
}

/* The imports bound here, by name. */
int arca__loader_threads_binding(const char *name, uint64_t *value)
{
    static const struct {
        const char *name;
        void *fn;
    } functions[] = {
        {"pthread_create", (void *)bound_pthread_create},
        {"pthread_join", (void *)bound_pthread_join},
        {"pthread_tryjoin_np", (void *)bound_pthread_tryjoin_np},
        {"pthread_timedjoin_np", (void *)bound_pthread_timedjoin_np},
        {"pthread_clockjoin_np", (void *)bound_pthread_clockjoin_np},
        {"pthread_detach", (void *)bound_pthread_detach},
        {"pthread_exit", (void *)bound_pthread_exit},
        {"pthread_cancel", (void *)bound_pthread_cancel},
        {"pthread_kill", (void *)bound_pthread_kill},
        {"pthread_key_create", (void *)bound_pthread_key_create},
        {"__pthread_key_create", (void *)bound_pthread_key_create},
        {"pthread_key_delete", (void *)bound_pthread_key_delete},
        {"__cxa_thread_atexit_impl", (void *)bound_cxa_thread_atexit_impl},
    };
    for (size_t i = 0; i < sizeof functions / sizeof functions[0]; i++) {
        if (!strcmp(name, functions[i].name)) {
            *value = (uint64_t)(uintptr_t)functions[i].fn;
            return 1;
        }
    }
    return 0;
}
