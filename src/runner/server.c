/*
 * server.c — arca-runner's channel server: one thread per slot, each serving the ecalls
 * the host posts into its slot and carrying the enclave's host calls (ocalls) out through
 * the same slot while its ecall runs.
 *
 * Everything in the shared slot is hostile. Each header field is read exactly once into a
 * local, checked (flags, in_len <= max_payload, out_cap <= max_payload, lifecycle), and the
 * request payload is copied (streamed, src/channel/channel.c) into this thread's private
 * buffer before the runtime sees it. Host-call replies are checked (result code defined,
 * length <= what was asked for, progress counter consistent) before one byte reaches
 * enclave memory. This file must never read a shared field twice, never
 * hand the runtime a pointer into shared memory, and never make a system call on the call path.
 *
 * Where enclave data lives: each slot thread runs on a stack inside the protected mapping
 * (arca__heap_stack), and its private request and reply buffers come from the protected heap:
 * a pair of CALL_BUFFER_KEEP bytes each, allocated once, serves every call that fits; a larger
 * call gets buffers of exactly its size from the heap for its duration (no system call: the
 * arena is mapped already), and a heap too small for them fails the call with
 * ARCA_ERR_OUT_OF_MEMORY, never with ordinary memory.
 *
 * Nested ecalls: while a slot thread waits in a host call, the host may post an ecall into the
 * slot instead of the reply (a host function calling back into the enclave; channel.h). The
 * thread serves it right there, on its own stack, as SGX runs an ECALL made from an OCALL on
 * the same TCS, and then waits for the reply again; so enclave code sees a re-entrant ecall on
 * the thread of the host call it came from. A nested ecall gets request and reply buffers of
 * its own from the protected heap (the kept ones belong to the outer ecall), never carries INIT
 * or FINI, and nests at most ARCA__CHANNEL_NESTED_MAX deep; anything else is refused with
 * ARCA_ERR_BAD_FRAME without running. An ecall posted into a slot whose thread is not waiting
 * in a host call is taken only when that thread is back in its loop, as always.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "formats/image.h"
#include "base/error.h"
#include "loader/loader.h"
#include "runner.h"

/* The enclave's lifecycle, driven by the INIT and FINI frames on slot 0. */
#define LIFE_NEW 0
#define LIFE_INITIALIZING 1
#define LIFE_READY 2
#define LIFE_FINISHED 3

/* Bytes of request and of reply buffer each slot thread keeps for the calls that fit. */
#define CALL_BUFFER_KEEP ((size_t)16 * 1024)

typedef struct slot_thread {
    uint32_t index;
    struct arca__slot *slot;
    uint8_t *in_buf;  /* kept private request buffer (keep bytes, protected heap) */
    uint8_t *out_buf; /* kept private reply buffer (keep bytes, protected heap) */
    size_t keep;      /* min(CALL_BUFFER_KEEP, max_payload) */
    int in_ecall;     /* __atomic: inside run_ecall (Dekker pair with run_fini) */
    unsigned depth;   /* nested ecalls this thread is running (0: only its slot's own) */
    int refuse_nested; /* the host call in flight is Arca's own (stdout, log): it admits no ecall */
    pthread_t thread;
} slot_thread;

static arca__server_config *config;
static slot_thread threads[ARCA_MAX_THREADS];
static pthread_mutex_t go_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t go_cond = PTHREAD_COND_INITIALIZER;
static int go, started;
static int lifecycle = LIFE_NEW;
static _Thread_local slot_thread *current;

static void serve(slot_thread *t);

/* The host_call of the interface handed to the runtime: carry one host call through the
 * caller's slot and check the reply before it reaches enclave memory. */
static arca_result_t host_call(void *ctx, uint32_t id, const uint8_t *in, size_t in_len,
                               uint8_t *out, size_t out_cap, size_t *out_len)
{
    (void)ctx;
    slot_thread *t = current;
    *out_len = 0;
    if (!t)
        return ARCA_ERR_UNSUPPORTED; /* host calls are possible only during an ecall */
    uint64_t max = config->layout.max_payload;
    if (in_len > max)
        return ARCA_ERR_PAYLOAD_TOO_LARGE;
    uint64_t cap = out_cap < max ? out_cap : max;
    struct arca__slot *slot = t->slot;
    arca__reply reply;

    ARCA__SHARED_STORE(&slot->fn_id, id);
    ARCA__SHARED_STORE(&slot->flags, 0u);
    ARCA__SHARED_STORE(&slot->in_len, (uint64_t)in_len);
    ARCA__SHARED_STORE(&slot->out_cap, cap);
    arca__channel_send(slot, &slot->in_ready, &slot->host_waiting, ARCA__SLOT_OCALL, in,
                       in_len);

    uint32_t s = arca__channel_await(slot, &slot->runner_waiting, ARCA__SLOT_OCALL,
                                    config->spin_ns, NULL);
    /* The host called back into the enclave from this host call: serve that ecall here, on
     * this thread, then wait for the reply (or the next nested ecall) again. serve() reads and
     * checks the frame exactly as for any ecall, and refuses what may not nest. */
    int outer_refuse = t->refuse_nested;
    t->refuse_nested = id >= ARCA__HOSTCALL_RESERVED;
    while (s == ARCA__SLOT_ECALL) {
        t->depth++;
        serve(t);
        t->depth--;
        s = arca__channel_await(slot, &slot->runner_waiting, ARCA__SLOT_ECALL_DONE,
                                config->spin_ns, NULL);
    }
    t->refuse_nested = outer_refuse;
    if (s != ARCA__SLOT_OCALL_DONE)
        return ARCA_ERR_BAD_HOST_REPLY;
    /* Result and length read once and checked, then the reply streams into the runtime's
     * private reply buffer; a malformed reply (undefined code, longer than asked, lying
     * progress counter) is reported as BAD_HOST_REPLY, never as data. */
    if (arca__channel_take_reply(slot, &slot->runner_waiting, out, (size_t)cap, &reply, out_len,
                                 config->spin_ns, NULL, 0) != ARCA_OK) {
        *out_len = 0;
        return ARCA_ERR_BAD_HOST_REPLY;
    }
    return (arca_result_t)reply.result;
}

arca_result_t arca__server_output(int stream, const char *bytes, size_t len)
{
    if (!current)
        return ARCA_ERR_UNSUPPORTED; /* not inside a call: no slot to carry it */
    return arca__output_as_host_calls(host_call, NULL, stream, bytes, len);
}

static void server_emit(void *ctx, int stream, const char *bytes, size_t len)
{
    (void)ctx;
    (void)arca__server_output(stream, bytes, len);
}

static arca_result_t run_init(slot_thread *t)
{
    int expected = LIFE_NEW;
    if (t->index != 0 || !__atomic_compare_exchange_n(&lifecycle, &expected, LIFE_INITIALIZING, 0,
                                                      __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
        return ARCA_ERR_BAD_FRAME;
    arca_result_t r = config->runtime->init(&config->iface);
    __atomic_store_n(&lifecycle, r == ARCA_OK ? LIFE_READY : LIFE_FINISHED, __ATOMIC_RELEASE);
    return r;
}

static arca_result_t run_fini(slot_thread *t)
{
    int expected = LIFE_READY;
    /* SEQ_CST, not ACQ_REL: this is a Dekker pair with run_ecall (each side stores one variable and
     * then loads the other). Only sequential consistency forbids the store-load reordering that would
     * let both sides miss each other on weakly ordered CPUs, so fini could run during an ecall. */
    if (t->index != 0 || !__atomic_compare_exchange_n(&lifecycle, &expected, LIFE_FINISHED, 0,
                                                      __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
        return ARCA_ERR_BAD_FRAME;
    /* A hostile host may post FINI while ecalls run: let them finish first. */
    for (uint32_t i = 0; i < config->layout.slot_count; i++)
        while (__atomic_load_n(&threads[i].in_ecall, __ATOMIC_SEQ_CST) != 0)
            sched_yield();
    config->runtime->fini();
    return ARCA_OK;
}

static arca_result_t run_ecall(slot_thread *t, uint32_t fn_id, const uint8_t *in, uint64_t in_len,
                               uint8_t *out, uint64_t out_cap, uint64_t *out_len)
{
    arca_result_t r;
    size_t produced = 0;
    /* A nested ecall runs inside the outer one, whose flag stays raised until it returns (only
     * this thread writes it). */
    int outer = __atomic_load_n(&t->in_ecall, __ATOMIC_RELAXED);
    /* SEQ_CST on both the store and the load (see run_fini): with acquire/release only, the load
     * of lifecycle could be satisfied before the store is visible to run_fini. A per-thread flag,
     * not a shared counter: the way out is a plain release store, not a locked RMW. */
    if (!outer)
        __atomic_store_n(&t->in_ecall, 1, __ATOMIC_SEQ_CST);
    int life = __atomic_load_n(&lifecycle, __ATOMIC_SEQ_CST);
    if (life != LIFE_READY) {
        r = life == LIFE_FINISHED ? ARCA_ERR_ENCLAVE_DESTROYED : ARCA_ERR_BAD_FRAME;
        goto out;
    }
    /* The request is entirely in `in` (private): it cannot change under the enclave.
     * The runtime holds the ecall to the reply contract (runtime_dispatch, src/enclave/
     * runtime.c): a defined code, produced <= out_cap unless BUFFER_TOO_SMALL, 0 on other
     * errors. The host checks the reply again as it crosses the channel; the runner, in the
     * enclave's own process, has nothing to defend against its runtime and does not re-check. */
    r = config->runtime->dispatch(fn_id, in_len ? in : NULL, (size_t)in_len,
                                  out_cap ? out : NULL, (size_t)out_cap, &produced);
    *out_len = produced;
out:
    if (!outer)
        __atomic_store_n(&t->in_ecall, 0, __ATOMIC_RELEASE);
    return r;
}

/* A private buffer of @p need bytes: the kept one when there is one and it fits, else one from
 * the protected heap (NULL when the heap cannot hold it; never NULL for 0 bytes otherwise). */
static uint8_t *call_buffer(uint8_t *kept, size_t keep, uint64_t need)
{
    if (kept && need <= keep)
        return kept;
    return malloc(need ? (size_t)need : 1);
}

/* Serve the ecall frame now in t's slot: the slot's own (depth 0, from slot_main) or a nested
 * one (from host_call, t->depth > 0). */
static void serve(slot_thread *t)
{
    struct arca__slot *slot = t->slot;
    arca__frame frame;
    uint64_t out_len = 0;
    arca_result_t r;
    uint8_t *in = NULL, *out = NULL;
    /* The kept buffers hold the outer ecall's request and reply while a nested one runs. */
    int nested = t->depth > 0;
    uint8_t *kept_in = nested ? NULL : t->in_buf, *kept_out = nested ? NULL : t->out_buf;

    /* Each header field read exactly once and checked; then the one copy in: the request
     * streams into private memory, and nothing parses it before all of it is there. */
    arca__frame_load(slot, &frame);
    r = arca__channel_check_ecall(&frame, config->layout.max_payload);
    if (__builtin_expect(r == ARCA_OK, 1)) {
        in = call_buffer(kept_in, t->keep, frame.in_len);
        out = call_buffer(kept_out, t->keep, frame.out_cap);
        /* Without room for the request it is still received (and dropped), so the host has
         * stopped writing the slot before the reply goes in. */
        r = arca__channel_receive(slot, &slot->in_ready, &slot->runner_waiting,
                                  in && out ? in : NULL, frame.in_len, config->spin_ns, NULL, 0);
    }
    if (r != ARCA_OK)
        r = ARCA_ERR_BAD_FRAME;
    else if (!in || !out)
        r = ARCA_ERR_OUT_OF_MEMORY; /* the protected heap cannot hold this call's buffers */
    else if (nested && (frame.flags != 0 || t->depth > ARCA__CHANNEL_NESTED_MAX ||
                        t->refuse_nested))
        r = ARCA_ERR_BAD_FRAME; /* INIT and FINI only at depth 0 (FINI would wait for itself);
                                 * none in Arca's own host calls (the enclave's stdio is busy) */
    else {
        if (frame.flags == ARCA__CALL_INIT)
            r = run_init(t);
        else if (frame.flags == ARCA__CALL_FINI)
            r = run_fini(t);
        else
            r = run_ecall(t, frame.fn_id, in, frame.in_len, out, frame.out_cap, &out_len);
        /* What the enclave's own threads wrote meanwhile goes out through this call's slot,
         * before its reply (src/loader/libc_threads.c; nothing to do when nothing waits).
         * Only after a frame that was served: a refused one gets its reply and nothing else. */
        arca__runtime_output_flush(config->image, server_emit, NULL);
    }

    /* The one copy out (no payload with BUFFER_TOO_SMALL: out_len is the size needed). It
     * streams, so the host copies the first chunks while later ones are written. */
    ARCA__SHARED_STORE(&slot->result, (int32_t)r);
    ARCA__SHARED_STORE(&slot->out_len, out_len);
    arca__channel_send(slot, &slot->out_ready, &slot->host_waiting, ARCA__SLOT_ECALL_DONE,
                       out, r == ARCA_ERR_BUFFER_TOO_SMALL || !out ? 0 : (size_t)out_len);
    if (in != kept_in)
        free(in);
    if (out != kept_out)
        free(out);
}

static void *slot_main(void *arg)
{
    slot_thread *t = arg;
    pthread_mutex_lock(&go_lock);
    started++; /* thread start-up (rseq, robust list) is done: seccomp may follow */
    pthread_cond_broadcast(&go_cond);
    while (!go)
        pthread_cond_wait(&go_cond, &go_lock);
    pthread_mutex_unlock(&go_lock);
    current = t;

    uint32_t s = __atomic_load_n(&t->slot->state, __ATOMIC_ACQUIRE);
    for (;;) {
        while (s != ARCA__SLOT_ECALL)
            s = arca__channel_await(t->slot, &t->slot->runner_waiting, s, config->spin_ns, NULL);
        serve(t);
        s = ARCA__SLOT_ECALL_DONE;
    }
    return NULL;
}

arca_result_t arca__server_prepare(arca__server_config *cfg)
{
    arca_result_t result = ARCA_OK;
    pthread_attr_t attr;
    int attr_ready = 0;
    config = cfg;
    uint32_t count = cfg->layout.slot_count;
    size_t max = (size_t)cfg->layout.max_payload;
    size_t keep = max < CALL_BUFFER_KEEP ? max : CALL_BUFFER_KEEP;

    if (count == 0 || count > ARCA_MAX_THREADS)
        ARCA_RAISE(ARCA_ERR_CONFIG, "%u enclave threads is outside 1..%u", count,
                   ARCA_MAX_THREADS);
    if (pthread_attr_init(&attr) != 0)
        ARCA_RAISE(ARCA_ERR_OUT_OF_MEMORY, "pthread_attr_init failed");
    attr_ready = 1;
    for (uint32_t i = 0; i < count; i++) {
        slot_thread *t = &threads[i];
        void *stack = NULL;
        size_t stack_size = 0;
        t->index = i;
        t->slot = arca__channel_slot(cfg->channel, &cfg->layout, i);
        t->keep = keep;
        /* The kept buffers, from the protected heap (a zero-byte request still gets a
         * pointer, so the kept buffer is never NULL). */
        t->in_buf = malloc(keep);
        t->out_buf = malloc(keep);
        if (!t->in_buf || !t->out_buf)
            ARCA_RAISE(ARCA_ERR_OUT_OF_MEMORY,
                       "the enclave heap cannot hold the call buffers of thread %u (%zu bytes); "
                       "raise HeapSize", i, 2 * keep);
        /* The thread's stack (and glibc's thread descriptor and static TLS at its top) lies
         * in the protected mapping, not in memory glibc would map for it. */
        arca__heap_stack(i, &stack, &stack_size);
        if (!stack || pthread_attr_setstack(&attr, stack, stack_size) != 0)
            ARCA_RAISE(ARCA_ERR_CONFIG, "the %zu-byte stack of enclave thread %u is refused by "
                       "pthreads", stack_size, i);
        int rc = pthread_create(&t->thread, &attr, slot_main, t);
        if (rc != 0)
            ARCA_RAISE(ARCA_ERR_OUT_OF_MEMORY, "cannot create enclave thread %u (stack %zu): %s "
                       "(raise StackSize)", i, stack_size, strerror(rc));
    }
    /* Every thread must have finished starting before the seccomp filter goes in. */
    pthread_mutex_lock(&go_lock);
    while (started < (int)count)
        pthread_cond_wait(&go_cond, &go_lock);
    pthread_mutex_unlock(&go_lock);
done:
    if (attr_ready)
        pthread_attr_destroy(&attr);
    return result;
}

void arca__server_set_host_call(arca__server_config *cfg)
{
    cfg->iface.host_call = host_call;
}

void arca__server_start(void)
{
    pthread_mutex_lock(&go_lock);
    go = 1;
    pthread_cond_broadcast(&go_cond);
    pthread_mutex_unlock(&go_lock);
}
