/*
 * sim.c — the `sim` backend: the signed image is mapped into the host process by the loader
 * (src/loader) from the bytes the host API verified — never from a path. No isolation at all;
 * it exists for debugging (gdb: `add-symbol-file IMAGE -o BASE`, where ARCA_SIM_SHOW_BASE=1
 * prints BASE), CI and porting, and it must say so (protections = 0).
 *
 * Even so, it keeps the by-copy contract of every backend, so code that works here works on
 * isolating backends: requests and replies cross in both directions through buffers private
 * to the callee (small ones on the stack, larger ones in per-thread scratch buffers), and the
 * caller's memory is never handed over. This file must never copy more than a buffer's capacity, whatever
 * lengths the other side reports.
 *
 * The threads an enclave creates itself (EnclaveThreads) are made at create, before any of its
 * code runs, and behave as on `process` (src/loader/libc_threads.c): they carry no call, so
 * their host calls fail with ARCA_ERR_UNSUPPORTED here too, and their output waits for the next
 * call (or the pthread_join of their creator) to carry it to the host.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crypto/crypto.h"
#include "base/error.h"
#include "host/backend.h"
#include "loader/loader.h"
#include "loader/services.h"

/* Payloads up to this size are copied through the stack instead of the heap. */
#define SMALL 4096

struct sim_state {
    arca__backend_base base; /* first member: the common base */
    arca__loaded_image *image; /* mapped by src/loader */
    size_t max_payload;
    const struct arca__runtime *runtime;
    arca__services *services; /* the loader's platform connection (src/loader/services.c) */
};

static struct sim_state *sim(arca__backend_base *base)
{
    return base && base->ops == &arca__sim_backend ? (struct sim_state *)base : NULL;
}

static arca_result_t sim_probe(char *why, size_t why_len)
{
    if (why_len)
        why[0] = '\0';
    return ARCA_OK;
}

/*
 * Private buffers. Small payloads go through the caller's stack. Larger ones use per-thread
 * scratch buffers that are kept between calls (allocating and faulting in megabytes on every
 * call costs more than the copies): a few per thread, because a host call nests inside an
 * ecall on the same thread, and its host function may call back in (a nested call, run here on
 * the calling thread, up to ARCA__NESTED_CALLS_MAX deep: src/host/handle.h), each level taking
 * two buffers for the ecall and two for its host call. Beyond the kept ones, plain malloc for
 * the one call, so any depth works; the stack buffers cost 16 KiB of the caller's stack per
 * level.
 * Buffers above RETAIN_MAX are freed after use rather than kept.
 */
#define SCRATCH_SLOTS 4
#define RETAIN_MAX (16u * 1024u * 1024u)

struct scratch {
    uint8_t *buf[SCRATCH_SLOTS];
    size_t cap[SCRATCH_SLOTS];
    int busy[SCRATCH_SLOTS];
};

static pthread_key_t scratch_key;
static pthread_once_t scratch_once = PTHREAD_ONCE_INIT;
static int scratch_key_ok;

static void scratch_free(void *p)
{
    struct scratch *s = p;
    for (int i = 0; i < SCRATCH_SLOTS; i++)
        free(s->buf[i]);
    free(s);
}

static void scratch_init(void)
{
    scratch_key_ok = pthread_key_create(&scratch_key, scratch_free) == 0;
}

typedef struct buffer {
    uint8_t *p;
    int slot; /* scratch slot, or -1 for the stack or a one-off malloc */
    int heap; /* p was malloc()ed for this call only */
} buffer;

/* A private buffer of n bytes; the stack one if it fits. NULL p = out of memory. */
static buffer acquire(uint8_t *stack, size_t n)
{
    buffer b = {.p = stack, .slot = -1, .heap = 0};
    struct scratch *s = NULL;
    if (n <= SMALL)
        return b;
    pthread_once(&scratch_once, scratch_init);
    if (scratch_key_ok) {
        s = pthread_getspecific(scratch_key);
        if (!s && (s = calloc(1, sizeof *s)) != NULL && pthread_setspecific(scratch_key, s) != 0) {
            free(s);
            s = NULL;
        }
    }
    for (int i = 0; s && i < SCRATCH_SLOTS; i++) {
        if (s->busy[i])
            continue;
        if (s->cap[i] < n) {
            free(s->buf[i]);
            s->buf[i] = malloc(n);
            s->cap[i] = s->buf[i] ? n : 0;
            if (!s->buf[i])
                break;
        }
        s->busy[i] = 1;
        b.p = s->buf[i];
        b.slot = i;
        return b;
    }
    b.p = malloc(n);
    b.heap = 1;
    return b;
}

static void release(buffer *b)
{
    if (b->heap) {
        free(b->p);
    } else if (b->slot >= 0) {
        struct scratch *s = pthread_getspecific(scratch_key);
        if (s->cap[b->slot] > RETAIN_MAX) {
            free(s->buf[b->slot]);
            s->buf[b->slot] = NULL;
            s->cap[b->slot] = 0;
        }
        s->busy[b->slot] = 0;
    }
    b->p = NULL;
    b->slot = -1;
    b->heap = 0;
}

/* The enclave's host calls: copy the request in, dispatch, copy the checked reply out. */
static arca_result_t sim_host_call(void *ctx, uint32_t id, const uint8_t *in, size_t in_len,
                                   uint8_t *out, size_t out_cap, size_t *out_len)
{
    arca_result_t result = ARCA_OK;
    struct sim_state *s = ctx;
    uint8_t in_stack[SMALL], out_stack[SMALL];
    buffer req = {.slot = -1}, reply = {.slot = -1};
    size_t got = 0;
    if ((in_len && !in) || (out_cap && !out) || !out_len)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT);
    /* A thread the enclave created carries no call, as on process: no way to the host. */
    if (arca__runtime_on_enclave_thread())
        ARCA_RAISE(ARCA_ERR_UNSUPPORTED);
    if (in_len > s->max_payload)
        ARCA_RAISE(ARCA_ERR_PAYLOAD_TOO_LARGE);
    /* A larger reply buffer is harmless: offer the host at most max_payload, exactly as the
     * process backend's runner does, so enclave code behaves the same on both backends. */
    if (out_cap > s->max_payload)
        out_cap = s->max_payload;
    req = acquire(in_stack, in_len);
    reply = acquire(out_stack, out_cap);
    if (!req.p || !reply.p)
        ARCA_RAISE(ARCA_ERR_OUT_OF_MEMORY);
    if (in_len)
        memcpy(req.p, in, in_len);
    result = s->base.host_call(s->base.host_ctx, id, req.p, in_len, reply.p, out_cap, &got);
    /* Copy only what fits; the enclave runtime rejects a reply that claims more. */
    if (result == ARCA_OK && got <= out_cap && got)
        memcpy(out, reply.p, got);
done:
    release(&req);
    release(&reply);
    if (out_len)
        *out_len = got;
    return result;
}

/* The image's stdout/stderr (src/loader/libc_bind.c): host calls, as the runner makes them. */
static void sim_emit(void *ctx, int stream, const char *bytes, size_t len)
{
    (void)arca__output_as_host_calls(sim_host_call, ctx, stream, bytes, len);
}

/* From a thread the enclave created, the bytes wait for a call to carry them, as on process;
 * a call sends what waits before its own bytes (0 bytes: only that). */
static void sim_output(void *ctx, int stream, const char *bytes, size_t len)
{
    struct sim_state *s = ctx;
    if (arca__runtime_output_defer(s->image, stream, bytes, len))
        return;
    arca__runtime_output_flush(s->image, sim_emit, ctx);
    if (len)
        sim_emit(ctx, stream, bytes, len);
}

/* abort() or a failed assert in the enclave: sim runs it in the host process, which cannot go
 * on; say why on the host's stderr and end it as the C library would. */
static void sim_end(void *ctx, const char *cause)
{
    (void)ctx;
    fprintf(stderr, "arca sim: %s; the host process ends with it (sim runs the enclave inside "
                    "it; the process backend ends only the enclave)\n", cause);
    fflush(stderr);
    abort();
}

static void unload(struct sim_state *s)
{
    arca__runtime_threads_stop(s->image); /* their start routines use the image */
    arca__services_close(s->services);
    s->services = NULL;
    arca__loaded_image *outer = arca__runtime_enter(s->image); /* finalisers may print */
    arca__runtime_unload(s->image);
    arca__runtime_leave(outer);
    s->image = NULL;
}

static arca_result_t sim_create(arca__backend_base *base, const arca__launch *launch,
                                arca__launched *launched)
{
    arca_result_t result = ARCA_OK;
    struct sim_state *s = sim(base);
    struct arca__loader_iface iface;
    uint8_t digest[32];
    int platform_fd = -1;
    memset(&iface, 0, sizeof iface);
    if (!s)
        ARCA_RAISE(ARCA_ERR_INTERNAL, "sim: state of another backend");
    s->max_payload = launch->max_payload;
    /* The bytes the host API verified, mapped by the loader: no path, no system loader. */
    result = arca__runtime_load(launch->image, launch->image_size, &s->image);
    if (result != ARCA_OK)
        ARCA_RAISE(result, "sim: %s", arca__error_detail());
    /* The runtime here is the whole host program and its libraries: the loader in this process. */
    ARCA_CHECK(arca__runtime_digest(digest));
    launched->identity = launch->info->identity;
    launched->identity.backend = ARCA_BACKEND_ID_SIM;
    launched->identity.protections = 0;
    launched->caveats[0] = '\0';
    /* The loader's own copy of the platform connection, bound to what it launched before any
     * code of the image runs (as arca-runner does). */
    platform_fd = fcntl(launch->platform_fd, F_DUPFD_CLOEXEC, 0);
    if (platform_fd < 0)
        ARCA_RAISE(ARCA_ERR_IO, "sim: cannot keep the platform connection: %s", strerror(errno));
    result = arca__services_open(platform_fd, &launched->identity, digest, &s->services);
    platform_fd = -1; /* taken over, even on failure */
    ARCA_CHECK(result);
    arca__runtime_set_output(s->image, sim_output, sim_end, s);
    /* Its environment and whether it may use host files: from the verified config, never
     * from this process (src/loader/libc_env.c, libc_files.c). */
    ARCA_CHECK(arca__runtime_set_config(s->image, &launch->info->config));
    /* The enclave's own threads, before any of its code runs (constructors may make some). */
    result = arca__runtime_threads_start(s->image, launch->info->config.enclave_threads,
                                         (size_t)launch->info->config.stack_size, NULL, NULL);
    if (result != ARCA_OK)
        ARCA_RAISE(result, "sim: %s", arca__error_detail());
    arca__loaded_image *outer = arca__runtime_enter(s->image); /* constructors may print */
    result = arca__runtime_start(s->image, &s->runtime);
    arca__runtime_leave(outer);
    if (result != ARCA_OK)
        ARCA_RAISE(result, "sim: %s", arca__error_detail());
    ARCA_CHECK(arca__runtime_check_interface(s->image, s->runtime, launch->interface_hash));
    if (getenv("ARCA_SIM_SHOW_BASE"))
        fprintf(stderr, "arca sim: image loaded at %#lx (gdb: add-symbol-file IMAGE -o %#lx)\n",
                (unsigned long)arca__runtime_base(s->image),
                (unsigned long)arca__runtime_base(s->image));
    /* Host files from here on (init hook, calls), as on process: not from constructors. */
    arca__runtime_set_host_call(s->image, sim_host_call, s);
    iface.abi_version = ARCA_RUNTIME_ABI_VERSION;
    iface.ctx = s;
    iface.host_call = sim_host_call;
    iface.identity = launched->identity;
    arca__services_attach(s->services, &iface);
    outer = arca__runtime_enter(s->image);
    result = s->runtime->init(&iface);
    arca__runtime_output_flush(s->image, sim_emit, s);
    arca__runtime_leave(outer);
    if (result != ARCA_OK) {
        if (!arca_result_valid((int)result))
            result = ARCA_ERR_INIT_FAILED;
        ARCA_RAISE(result, "the enclave's init hook failed with %s (%s)%s%s",
                   arca_result_name(result), arca_result_str(result),
                   arca__error_detail()[0] ? ": " : "", arca__error_detail());
    }
done:
    if (result != ARCA_OK && s)
        unload(s);
    return result;
}

static arca_result_t sim_call(arca__backend_base *base, uint32_t slot, uint32_t fn_id,
                              const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap,
                              size_t *out_len)
{
    (void)slot; /* sim keeps its scratch buffers per host thread instead */
    arca_result_t result = ARCA_OK;
    struct sim_state *s = sim(base);
    uint8_t in_stack[SMALL], out_stack[SMALL];
    buffer req = {.slot = -1}, reply = {.slot = -1};
    size_t got = 0;
    if (!s)
        ARCA_RAISE(ARCA_ERR_INTERNAL);
    req = acquire(in_stack, in_len);
    reply = acquire(out_stack, out_cap);
    if (!req.p || !reply.p)
        ARCA_RAISE(ARCA_ERR_OUT_OF_MEMORY, "sim: out of memory for a %zu/%zu byte call", in_len,
                   out_cap);
    if (in_len)
        memcpy(req.p, in, in_len);
    arca__loaded_image *outer = arca__runtime_enter(s->image);
    result = s->runtime->dispatch(fn_id, req.p, in_len, reply.p, out_cap, &got);
    arca__runtime_output_flush(s->image, sim_emit, s); /* what the enclave's threads wrote */
    arca__runtime_leave(outer);
    /* Copy only what fits. The reply contract (a defined code, got <= out_cap on success) is
     * the host API's to enforce, for every backend (arca_enclave_call): not re-checked here. */
    if (result == ARCA_OK && got && got <= out_cap)
        memcpy(out, reply.p, got);
done:
    release(&req);
    release(&reply);
    *out_len = got;
    return result;
}

static void sim_destroy(arca__backend_base *base)
{
    struct sim_state *s = sim(base);
    if (!s)
        return;
    if (s->runtime) {
        arca__loaded_image *outer = arca__runtime_enter(s->image);
        s->runtime->fini();
        arca__runtime_output_flush(s->image, sim_emit, s);
        arca__runtime_leave(outer);
    }
    s->runtime = NULL;
    unload(s);
}

const struct arca_backend_ops arca__sim_backend = {
    .version = ARCA_BACKEND_OPS_VERSION,
    .name = "sim",
    .backend_id = ARCA_BACKEND_ID_SIM,
    .auto_rank = 1, /* isolates nothing: auto takes it for debug images only */
    .protects = "nothing: for debugging (gdb), CI and porting",
    .not_protects = "anything: the enclave runs inside the host process, which can read and "
                    "change all of its memory and keys",
    .state_size = sizeof(struct sim_state),
    .probe = sim_probe,
    .create = sim_create,
    .call = sim_call,
    .destroy = sim_destroy,
};
