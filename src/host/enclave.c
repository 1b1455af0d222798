/*
 * enclave.c — the host API: options, create, call, identity, destroy, last error.
 *
 * These functions are thin wrappers over the backend ops (backend.h) and the only place
 * that validates arguments and supplies defaults. Divisions:
 *   - handle list and lifecycle bookkeeping (tombstones, slot bitmap of calls in flight, destroy
 *     wait, destroys from host calls that would wait for each other)
 *   - nested calls: a call from inside a host call of the same enclave, on the thread serving
 *     it, runs on the slot of the call that made the host call (handle.h)
 *   - backend selection (option, $ARCA_BACKEND, auto: the highest auto_rank that can run, never
 *     a backend without isolation for a production image) and the settings check
 *   - create: read once, verify, choose the backend, seal into a memfd, connect the platform,
 *     have the backend launch it
 *   - call / identity / destroy / last error
 * This file must never load bytes other than the ones it verified, never free a handle
 * (stale handles must stay safe to pass in), never call into backend state after destroy
 * released it, never hold a key or a platform (the loader asks the platform over its own
 * connection), and never let destroys wait for each other forever.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crypto/crypto.h"
#include "base/error.h"
#include "base/hex.h"
#include "base/settings.h"
#include "handle.h"
#include "hostfiles.h"

/* Largest image file accepted; real enclaves are a few MiB. */
#define MAX_IMAGE_SIZE (UINT64_C(1) << 30)
/* Largest max_payload accepted: slots are allocated per thread at this size. */
#define MAX_PAYLOAD_LIMIT (256u * 1024u * 1024u)

/* Every handle ever created, so leak checkers see tombstones as reachable. */
static pthread_mutex_t handles_lock = PTHREAD_MUTEX_INITIALIZER;
static struct arca_enclave *handles;

/*
 * Forks. A child of fork() inherits copies of the parent's handles, but not the enclaves:
 * a process-backend handle still points at the parent's runner and shared channel, so a
 * call from the child would race the parent's calls in the same slot, and a destroy would
 * stop the parent's enclave. Each handle remembers the fork generation it was created in; a
 * pthread_atfork() child handler advances the generation, and every entry point refuses a
 * handle from an older one. (A raw clone() or vfork() runs no atfork handlers.)
 */
static unsigned long fork_generation;
static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;

static void forked_child(void)
{
    __atomic_add_fetch(&fork_generation, 1, __ATOMIC_RELAXED);
}

static void register_atfork(void)
{
    (void)pthread_atfork(NULL, NULL, forked_child);
}

static arca_result_t check_owner(const struct arca_enclave *e, const char *what)
{
    arca_result_t result = ARCA_OK;
    if (e->fork_generation != __atomic_load_n(&fork_generation, __ATOMIC_RELAXED))
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT,
                   "%s: this enclave handle belongs to process %d, which forked this one; an "
                   "enclave cannot be shared with a child process: create it again in the child",
                   what, e->owner_pid);
done:
    return result;
}

void arca_enclave_options_init(arca_enclave_options_t *opts)
{
    if (!opts)
        return;
    memset(opts, 0, sizeof *opts);
    opts->version = ARCA_ENCLAVE_OPTIONS_VERSION;
    opts->max_payload = ARCA_DEFAULT_MAX_PAYLOAD;
}

const char *arca_last_error(void)
{
    return arca__error_detail();
}

/* ---- in-flight bookkeeping ---- */

/* Give slot back; the last call out wakes a waiting destroy. */
static void leave(struct arca_enclave *e, uint32_t slot)
{
    if (__atomic_and_fetch(&e->busy, ~(UINT64_C(1) << slot), __ATOMIC_SEQ_CST) == 0 &&
        __atomic_load_n(&e->destroying, __ATOMIC_SEQ_CST)) {
        pthread_mutex_lock(&e->wait_lock);
        pthread_cond_broadcast(&e->wait_cond);
        pthread_mutex_unlock(&e->wait_lock);
    }
}

static void wait_idle(struct arca_enclave *e)
{
    pthread_mutex_lock(&e->wait_lock);
    while (__atomic_load_n(&e->busy, __ATOMIC_SEQ_CST) != 0)
        pthread_cond_wait(&e->wait_cond, &e->wait_lock);
    pthread_mutex_unlock(&e->wait_lock);
}

/*
 * Destroys that would wait for each other. A destroy waits until no call is in flight on its
 * enclave, and a thread waiting there from inside host calls keeps the enclaves whose host
 * calls it serves busy meanwhile. So when enclave A's host call destroys B while B's host call
 * destroys A (or a longer ring: A's destroys B, B's C, C's A), every destroy waits for another:
 * a deadlock. The rule: each destroy that waits from inside host calls is recorded here (what
 * it waits for, and the frames of the host calls its thread serves); before it waits, a destroy
 * follows the records from its enclave (a waiter serving a host call of it, what that waiter
 * waits for, a waiter serving a host call of that, ...). If that reaches an enclave whose host
 * call this thread serves, waiting would close a cycle: the destroy returns ARCA_ERR_BUSY and
 * destroys nothing, and the others go on once its host call returns. Checking and recording
 * happen under one lock, so of destroys closing a cycle at the same moment exactly one sees
 * it. No other entry point of this API waits for another thread, so no other wait can be part
 * of such a cycle (a call into an enclave being destroyed is refused, never queued).
 */
typedef struct destroy_wait {
    const struct arca_enclave *target;
    const arca__host_frame *held; /* the waiter's host calls; fixed while it waits */
    int seen;                     /* closes_cycle() bookkeeping */
    struct destroy_wait *next;
} destroy_wait;

static pthread_mutex_t waits_lock = PTHREAD_MUTEX_INITIALIZER;
static destroy_wait *waits; /* under waits_lock */
/* A thread waits in one destroy at a time (a destroy made by a fini hook's host call starts
 * after the outer one stopped waiting), so one record per thread serves. */
static _Thread_local destroy_wait thread_wait;

static int holds(const arca__host_frame *f, const struct arca_enclave *e)
{
    for (; f; f = f->outer)
        if (f->enclave == e)
            return 1;
    return 0;
}

/* waits_lock held. Can the waits recorded lead from `target` back to an enclave of `held`?
 * Each record is followed at most once; a waiter whose enclave already went idle is leaving
 * and holds nobody up. */
static int reaches(const arca__host_frame *held, const struct arca_enclave *target)
{
    if (holds(held, target))
        return 1;
    for (destroy_wait *w = waits; w; w = w->next) {
        if (w->seen || !holds(w->held, target) ||
            __atomic_load_n(&w->target->busy, __ATOMIC_SEQ_CST) == 0)
            continue;
        w->seen = 1;
        if (reaches(held, w->target))
            return 1;
    }
    return 0;
}

static int closes_cycle(const arca__host_frame *held, const struct arca_enclave *target)
{
    for (destroy_wait *w = waits; w; w = w->next)
        w->seen = 0;
    return reaches(held, target);
}

/* Claim e for this destroy (set destroying), unless it is destroyed already or waiting for
 * it would close a cycle; record the wait when this thread serves host calls (wait->held). */
static arca_result_t claim(struct arca_enclave *e, destroy_wait *wait)
{
    arca_result_t result = ARCA_OK;
    int expected = 0;
    if (wait->held)
        pthread_mutex_lock(&waits_lock);
    if (__atomic_load_n(&e->destroying, __ATOMIC_SEQ_CST))
        ARCA_RAISE(ARCA_ERR_ENCLAVE_DESTROYED, "the enclave was already destroyed");
    if (wait->held && closes_cycle(wait->held, e))
        ARCA_RAISE(ARCA_ERR_BUSY,
                   "arca_enclave_destroy: this enclave is serving a host call that waits (itself, "
                   "or through other enclaves) in a destroy of an enclave whose host call this "
                   "thread serves: the two destroys would wait for each other forever. Nothing "
                   "was destroyed; destroy it after the ecall that made this host call returns");
    if (!__atomic_compare_exchange_n(&e->destroying, &expected, 1, 0, __ATOMIC_SEQ_CST,
                                     __ATOMIC_SEQ_CST))
        ARCA_RAISE(ARCA_ERR_ENCLAVE_DESTROYED, "the enclave was already destroyed");
    if (wait->held) {
        wait->target = e;
        wait->next = waits;
        waits = wait;
    }
done:
    if (wait->held)
        pthread_mutex_unlock(&waits_lock);
    return result;
}

static void unrecord(destroy_wait *wait)
{
    pthread_mutex_lock(&waits_lock);
    for (destroy_wait **p = &waits; *p; p = &(*p)->next) {
        if (*p == wait) {
            *p = wait->next;
            break;
        }
    }
    pthread_mutex_unlock(&waits_lock);
}

/* Release everything but the tombstone itself. */
static void release(struct arca_enclave *e)
{
    if (e->state) {
        free(e->state);
        e->state = NULL;
    }
    /* After the backend released its loader: the serving thread sees it gone. */
    arca__platform_link_close(e->platform_link);
    e->platform_link = NULL;
    free(e->host_calls);
    e->host_calls = NULL;
    e->host_call_count = 0;
    arca__host_files_close(e->files); /* after the backend: no host call can come any more */
    e->files = NULL;
}

/* ---- backend selection ---- */

static arca_result_t probe(const struct arca_backend_ops *ops)
{
    arca_result_t result = ARCA_OK;
    char why[256] = "";
    if (ops->probe(why, sizeof why) != ARCA_OK) {
        why[sizeof why - 1] = '\0';
        ARCA_RAISE(ARCA_ERR_BACKEND_UNAVAILABLE, "backend '%s' cannot run here: %s", ops->name,
                   why[0] ? why : "no reason given");
    }
done:
    return result;
}

/* The image is verified first: auto needs to know whether it is a debug image. */
static arca_result_t choose_backend(const arca_enclave_options_t *opts, const char *image_path,
                                    int debug_image, const struct arca_backend_ops **chosen)
{
    arca_result_t result = ARCA_OK;
    const char *name = opts->backend;
    const struct arca_backend_ops *ops = NULL;
    size_t n = arca__backend_count();
    char why[320] = "";
    if (!name || !name[0])
        name = getenv("ARCA_BACKEND");
    if (!name || !name[0])
        name = "auto";
    if (!strcmp(name, "auto")) {
        ops = arca__backend_auto(debug_image, why, sizeof why);
        if (!ops && !debug_image)
            ARCA_RAISE(ARCA_ERR_BACKEND_UNAVAILABLE,
                       "%s is a production image (Debug = 0) and no isolating backend can run "
                       "here; 'auto' never picks sim for it, since sim loads the enclave into the "
                       "host process and protects nothing. Choose sim yourself with "
                       "ARCA_BACKEND=sim (its keys are its own), or fix the isolating backend "
                       "('arca backends'): %s",
                       image_path, why);
        if (!ops)
            ARCA_RAISE(ARCA_ERR_BACKEND_UNAVAILABLE,
                       "no backend can run here; run 'arca backends' to see why");
    } else {
        ops = arca__backend_find(name);
        if (!ops) {
            char names[256] = "";
            size_t used = 0;
            for (size_t i = 0; i < n && used < sizeof names; i++) {
                int w = snprintf(names + used, sizeof names - used, "%s%s", i ? ", " : "",
                                 arca__backend_at(i)->name);
                used += w > 0 ? (size_t)w : 0;
            }
            ARCA_RAISE(ARCA_ERR_UNKNOWN_BACKEND, "unknown backend '%s' (registered: %s, or auto)",
                       name, names);
        }
        ARCA_CHECK(probe(ops));
    }
    *chosen = ops;
done:
    return result;
}

/* Is @p key (key_len bytes) in the NULL-terminated @p keys? */
static int key_known(const char *const *keys, const char *key, size_t key_len)
{
    for (size_t i = 0; keys && keys[i]; i++)
        if (strlen(keys[i]) == key_len && !memcmp(keys[i], key, key_len))
            return 1;
    return 0;
}

/* Every setting names a registered backend or platform and a key it reads. */
static arca_result_t check_settings(const char *const *settings)
{
    arca_result_t result = ARCA_OK;
    size_t i = 0;
    for (; settings && settings[i]; i++) {
        size_t name_len, key_at, key_len;
        const char *value;
        const char *const *keys = NULL;
        char name[64];
        if (i == ARCA__SETTINGS_MAX)
            ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "settings: more than %d entries (is the list "
                       "NULL-terminated?)", ARCA__SETTINGS_MAX);
        if (arca__setting_split(settings[i], &name_len, &key_at, &key_len, &value) != 0)
            ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT,
                       "settings[%zu] '%.80s' is not of the form NAME.KEY=VALUE", i, settings[i]);
        snprintf(name, sizeof name, "%.*s", (int)(name_len < 63 ? name_len : 63), settings[i]);
        const struct arca_backend_ops *b = arca__backend_find(name);
        const struct arca_platform_ops *p = arca__platform_find(name);
        /* "host": this library's own settings (host.files, the directory of host files). */
        static const char *const host_keys[] = {"files", NULL};
        if (!b && !p && strcmp(name, "host") != 0)
            ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT,
                       "settings[%zu] '%.80s': no backend or platform is named '%s' (nor is it "
                       "'host')", i, settings[i], name);
        keys = b ? b->setting_keys : p ? p->setting_keys : host_keys;
        if (!key_known(keys, settings[i] + key_at, key_len)) {
            char known[160] = "";
            size_t used = 0;
            for (size_t k = 0; keys && keys[k] && used < sizeof known; k++) {
                int w = snprintf(known + used, sizeof known - used, "%s%s.%s", k ? ", " : "",
                                 name, keys[k]);
                used += w > 0 ? (size_t)w : 0;
            }
            ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "settings[%zu] '%.80s': '%s' has no setting "
                       "'%.*s' (known: %s)", i, settings[i], name, (int)key_len,
                       settings[i] + key_at, known[0] ? known : "none");
        }
    }
done:
    return result;
}

/* ---- create ---- */

static arca_result_t check_options(const arca_enclave_options_t *opts, size_t *max_payload)
{
    arca_result_t result = ARCA_OK;
    if (opts->version != ARCA_ENCLAVE_OPTIONS_VERSION)
        ARCA_RAISE(ARCA_ERR_BAD_VERSION,
                   "options version %u is not %d: fill the options with arca_enclave_options_init()",
                   opts->version, ARCA_ENCLAVE_OPTIONS_VERSION);
    if (opts->host_call_count && !opts->host_calls)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "host_call_count is %zu but host_calls is NULL",
                   opts->host_call_count);
    if (opts->host_call_count > 65536)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "host_call_count %zu is absurd (at most 65536)",
                   opts->host_call_count);
    for (size_t i = 0; i < opts->host_call_count; i++) {
        const arca_host_call_t *hc = &opts->host_calls[i];
        if (!hc->fn)
            ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "host_calls[%zu] (id %u) has no function", i,
                       hc->id);
        if (hc->id >= ARCA_HOST_CALL_RESERVED)
            ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT,
                       "host_calls[%zu]: id 0x%x is reserved for Arca (use ids below 0x%x)", i,
                       hc->id, ARCA_HOST_CALL_RESERVED);
    }
    ARCA_CHECK(check_settings(opts->settings));
    *max_payload = opts->max_payload ? opts->max_payload : ARCA_DEFAULT_MAX_PAYLOAD;
    if (*max_payload > MAX_PAYLOAD_LIMIT)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "max_payload %zu exceeds the limit of %u bytes",
                   *max_payload, MAX_PAYLOAD_LIMIT);
done:
    return result;
}

/* Re-raise a failure with the image path in front of the detail its cause recorded. */
static arca_result_t with_path(arca_result_t r, const char *path)
{
    const char *detail = arca__error_detail(); /* arca__error may take it as an argument */
    if (strstr(detail, path))
        return r;
    return arca__error(r, "%s: %s", path, detail[0] ? detail : arca_result_str(r));
}

arca_result_t arca_enclave_create(const char *image_path, const arca_enclave_options_t *opts,
                                  arca_enclave_t **out)
{
    arca_result_t result = ARCA_OK;
    arca_enclave_options_t defaults;
    const struct arca_backend_ops *ops = NULL;
    uint8_t *image = NULL;
    size_t image_size = 0, max_payload = 0;
    arca__image_info info;
    struct arca_enclave *e = NULL;
    int fd = -1, platform_fd = -1, sync_ready = 0, daemon = 0;
    char daemon_socket[108];

    arca__error_clear();
    memset(&info, 0, sizeof info);
    if (!out)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "arca_enclave_create: out is NULL");
    *out = NULL;
    if (!image_path)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "arca_enclave_create: image_path is NULL");
    if (!opts) {
        arca_enclave_options_init(&defaults);
        opts = &defaults;
    }
    ARCA_CHECK(check_options(opts, &max_payload));
    pthread_once(&atfork_once, register_atfork);

    /* Read once, verify those bytes, and load exactly those bytes. */
    result = arca__read_file(image_path, MAX_IMAGE_SIZE, &image, &image_size);
    if (result != ARCA_OK)
        ARCA_RAISE(with_path(result, image_path));
    result = arca__image_verify(image, image_size, &info);
    if (result != ARCA_OK)
        ARCA_RAISE(with_path(result, image_path));
    if (info.config.threads == 0 || info.config.threads > ARCA_MAX_THREADS)
        ARCA_RAISE(ARCA_ERR_CONFIG, "%s: Threads = %u is outside 1..%u", image_path,
                   info.config.threads, ARCA_MAX_THREADS);
    if (opts->refuse_debug && (info.identity.attributes & ARCA_ATTR_DEBUG))
        ARCA_RAISE(ARCA_ERR_DEBUG_REFUSED,
                   "%s is signed as a debug enclave and the host set refuse_debug; sign a "
                   "production build (Debug = 0) with your release key",
                   image_path);
    ARCA_CHECK(choose_backend(opts, image_path, (info.identity.attributes & ARCA_ATTR_DEBUG) != 0,
                              &ops));
    ARCA_CHECK(arca__sealed_memfd("arca-enclave", image, image_size, &fd));

    e = calloc(1, sizeof *e);
    if (!e)
        ARCA_RAISE(ARCA_ERR_OUT_OF_MEMORY, "out of memory for the enclave handle");
    if (pthread_mutex_init(&e->wait_lock, NULL) != 0)
        ARCA_RAISE(ARCA_ERR_OUT_OF_MEMORY, "cannot create the enclave's lock");
    if (pthread_cond_init(&e->wait_cond, NULL) != 0) {
        pthread_mutex_destroy(&e->wait_lock);
        ARCA_RAISE(ARCA_ERR_OUT_OF_MEMORY, "cannot create the enclave's condition variable");
    }
    sync_ready = 1;
    e->fork_generation = __atomic_load_n(&fork_generation, __ATOMIC_RELAXED);
    e->owner_pid = (int)getpid();
    e->ops = ops;
    e->host_ctx = opts->host_ctx;
    e->output = opts->output;
    e->output_ctx = opts->output_ctx;
    e->log = opts->log;
    e->log_ctx = opts->log_ctx;
    e->max_payload = max_payload;
    e->threads = info.config.threads;
    /* A private, sorted copy; duplicate ids are refused here (O(n log n), not pairwise). */
    ARCA_CHECK(arca__host_calls_install(e, opts->host_calls, opts->host_call_count));
    /* Host files: the directory is opened now (a wrong one fails create, whatever the image),
     * and served only to an image whose signed config opted in (HostFiles = 1). */
    {
        const char *dir = arca__setting(opts->settings, "host", "files");
        if (dir) {
            ARCA_CHECK(arca__host_files_open(dir, &e->files));
            if (info.config.flags & ARCA_CONFIG_FLAG_HOST_FILES) {
                e->files_serve = arca__host_files_serve;
            } else {
                arca__host_files_close(e->files);
                e->files = NULL;
            }
        }
    }
    /* The loader's connection to the platform: the backend hands it over; this file never
     * reads from it. A daemon platform (arcad) makes that connection itself, to the runner
     * it starts: the backend then only gets the daemon's socket. */
    {
        const char *spec = NULL;
        ARCA_CHECK(arca__platform_choose(opts->platform, opts->settings,
                                         arca__backend_isolates(ops->backend_id), &daemon,
                                         daemon_socket, sizeof daemon_socket, &spec));
        if (!daemon)
            ARCA_CHECK(arca__platform_connect(spec, opts->settings, &platform_fd,
                                              &e->platform_link));
    }

    e->state = calloc(1, ops->state_size);
    if (!e->state)
        ARCA_RAISE(ARCA_ERR_OUT_OF_MEMORY, "out of memory for backend '%s' state", ops->name);
    e->state->ops = ops;
    e->state->host_call = arca__host_dispatch;
    e->state->host_ctx = e;
    arca__launch launch = {
        .image = image,
        .image_size = image_size,
        .image_fd = fd,
        .info = &info,
        .platform_fd = platform_fd,
        .interface_hash = opts->interface_hash,
        .settings = opts->settings,
        .max_payload = max_payload,
        .daemon_socket = daemon ? daemon_socket : NULL,
    };
    result = ops->create(e->state, &launch, &e->launched);
    if (result != ARCA_OK) {
        if (!arca_result_valid((int)result))
            result = ARCA_ERR_INTERNAL;
        if (!arca__error_detail()[0])
            arca__error(result, "%s: backend '%s' could not start the enclave: %s", image_path,
                        ops->name, arca_result_str(result));
        goto done;
    }
    e->launched.caveats[sizeof e->launched.caveats - 1] = '\0';

    pthread_mutex_lock(&handles_lock);
    e->next = handles;
    handles = e;
    pthread_mutex_unlock(&handles_lock);
    *out = e;
    e = NULL;
done:
    if (platform_fd >= 0)
        close(platform_fd);
    if (fd >= 0)
        close(fd);
    free(image);
    if (e) {
        release(e);
        if (sync_ready) {
            pthread_cond_destroy(&e->wait_cond);
            pthread_mutex_destroy(&e->wait_lock);
        }
        free(e);
    }
    return result;
}

/* ---- call, identity, destroy ---- */

/* arca_enclave_call() refuses the call: each check again, in order, with its detail. Out of
 * line, so that the call path tests every condition with one branch. */
static __attribute__((noinline, cold)) arca_result_t call_refused(const arca_enclave_t *e,
                                                                  const void *in, size_t in_len,
                                                                  const void *out, size_t out_cap,
                                                                  size_t *out_len)
{
    arca_result_t result = ARCA_ERR_INTERNAL;
    if (out_len)
        *out_len = 0;
    if (!e || !out_len || (in_len && !in) || (out_cap && !out))
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT,
                   "arca_enclave_call: NULL enclave, out_len, or buffer with a non-zero length");
    ARCA_CHECK(check_owner(e, "arca_enclave_call"));
    if (in_len > e->max_payload)
        ARCA_RAISE(ARCA_ERR_PAYLOAD_TOO_LARGE,
                   "request of %zu bytes exceeds max_payload (%zu); raise it in the options",
                   in_len, e->max_payload);
done:
    return result;
}

/*
 * Is this call nested: made from inside a host call of @p e that this thread serves for one of
 * its own calls into e? Then it runs on that call's slot (*slot), *depth one deeper; *depth
 * stays 0 when it is not nested (a call from another thread, or into another enclave, takes a
 * slot of its own as usual). Out of line: only a thread with a call in flight comes here.
 */
static __attribute__((noinline)) arca_result_t nested_slot(const struct arca_enclave *e,
                                                           uint32_t *slot, uint32_t *depth)
{
    arca_result_t result = ARCA_OK;
    const arca__host_frame *f = arca__host_frames();
    while (f && f->enclave != e)
        f = f->outer;
    /* The innermost host call of e on this thread decides; one made by the init or fini hook
     * serves no call (and a call from there is refused below, as the enclave is not running). */
    if (f && f->reserved)
        ARCA_RAISE(ARCA_ERR_BUSY,
                   "arca_enclave_call: called from this enclave's output or log function, while "
                   "the enclave's stdio is in the middle of an operation; call it after that "
                   "function returns");
    if (!f || !f->call)
        goto done;
    if (f->call->depth >= ARCA__NESTED_CALLS_MAX)
        ARCA_RAISE(ARCA_ERR_BUSY,
                   "arca_enclave_call: %u calls into this enclave are in flight on this thread, "
                   "each nested in a host call of the one before, and no more may nest (at most "
                   "%u nested calls); return from a host call before calling into the enclave "
                   "again",
                   ARCA__NESTED_CALLS_MAX + 1, ARCA__NESTED_CALLS_MAX);
    *slot = f->call->slot;
    *depth = f->call->depth + 1;
done:
    return result;
}

arca_result_t arca_enclave_call(arca_enclave_t *e, uint32_t fn_id, const void *in, size_t in_len,
                                void *out, size_t out_cap, size_t *out_len)
{
    arca_result_t result = ARCA_OK;
    size_t got = 0;
    int entered = 0;
    uint32_t slot = 0, depth = 0;
    arca__call_frame call, *outer = arca__calls;
    if (__builtin_expect(!e || !out_len || (in_len && !in) || (out_cap && !out) ||
                             e->fork_generation != __atomic_load_n(&fork_generation,
                                                                   __ATOMIC_RELAXED) ||
                             in_len > e->max_payload,
                         0))
        return call_refused(e, in, in_len, out, out_cap, out_len);
    /* A larger output buffer is harmless; the enclave is offered at most max_payload. */
    if (out_cap > e->max_payload)
        out_cap = e->max_payload;
    /* A call from inside a host call of e, on the thread serving it, runs nested on the slot
     * of the call it serves (held by that call, on this thread, until this one returns). */
    if (__builtin_expect(outer != NULL, 0))
        ARCA_CHECK(nested_slot(e, &slot, &depth));
    /*
     * Otherwise take the lowest free slot with one atomic operation: this both bounds
     * concurrency to Threads and tells the backend which of its per-thread resources to use,
     * so the hot path has a single read-modify-write on the way in and one on the way out. The
     * load of `destroying` after taking the slot pairs with destroy's store-then-wait (SEQ_CST
     * both); a nested call loads it too: a destroy waiting for the outer call refuses new ones.
     */
    if (__builtin_expect(depth == 0, 1)) {
        uint64_t all = e->threads >= 64 ? ~UINT64_C(0) : (UINT64_C(1) << e->threads) - 1;
        uint64_t busy = __atomic_load_n(&e->busy, __ATOMIC_RELAXED);
        do {
            if ((busy & all) == all) {
                if (__atomic_load_n(&e->destroying, __ATOMIC_SEQ_CST))
                    ARCA_RAISE(ARCA_ERR_ENCLAVE_DESTROYED,
                               "the enclave was destroyed; create it again");
                ARCA_RAISE(ARCA_ERR_BUSY,
                           "all %u enclave threads are busy; retry, or raise Threads in "
                           "enclave.conf",
                           e->threads);
            }
            slot = (uint32_t)__builtin_ctzll(~busy & all);
        } while (!__atomic_compare_exchange_n(&e->busy, &busy, busy | (UINT64_C(1) << slot), 1,
                                              __ATOMIC_SEQ_CST, __ATOMIC_RELAXED));
        entered = 1;
    }
    if (__atomic_load_n(&e->destroying, __ATOMIC_SEQ_CST))
        ARCA_RAISE(ARCA_ERR_ENCLAVE_DESTROYED, "the enclave was destroyed; create it again");
    /* Recorded for the host calls this call makes: a call back into e from one of them nests. */
    call = (arca__call_frame){.enclave = e, .slot = slot, .depth = depth, .outer = outer};
    arca__calls = &call;
    result = e->ops->call(e->state, slot, fn_id, in_len ? in : NULL, in_len, out_cap ? out : NULL,
                          out_cap, &got);
    arca__calls = outer;
    if (!arca__result_defined((int)result) || (result == ARCA_OK && got > out_cap)) {
        result = arca__error(ARCA_ERR_INTERNAL, "backend '%s' returned an inconsistent reply",
                             e->ops->name);
        got = 0;
    }
    /* A length travels only with success or "too small" (where it is the size needed). */
    if (result != ARCA_OK && result != ARCA_ERR_BUFFER_TOO_SMALL)
        got = 0;
done:
    if (entered)
        leave(e, slot);
    if (out_len)
        *out_len = got;
    return result;
}

arca_result_t arca_enclave_identity(const arca_enclave_t *e, arca_identity_t *out)
{
    arca_result_t result = ARCA_OK;
    if (!e || !out)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "arca_enclave_identity: NULL argument");
    ARCA_CHECK(check_owner(e, "arca_enclave_identity"));
    if (__atomic_load_n(&e->destroying, __ATOMIC_SEQ_CST))
        ARCA_RAISE(ARCA_ERR_ENCLAVE_DESTROYED, "the enclave was destroyed");
    *out = e->launched.identity;
done:
    return result;
}

const char *arca_enclave_backend(const arca_enclave_t *e)
{
    return e ? e->ops->name : NULL;
}

const char *arca_enclave_caveats(const arca_enclave_t *e)
{
    return e ? e->launched.caveats : "";
}

arca_result_t arca_enclave_destroy(arca_enclave_t *e)
{
    arca_result_t result = ARCA_OK;
    destroy_wait *wait = &thread_wait;
    if (!e)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "arca_enclave_destroy: enclave is NULL");
    ARCA_CHECK(check_owner(e, "arca_enclave_destroy"));
    if (arca__inside_host_call(e))
        ARCA_RAISE(ARCA_ERR_BUSY, "cannot destroy an enclave from inside one of its own host "
                                  "calls; destroy it after the ecall returns");
    *wait = (destroy_wait){.held = arca__host_frames()};
    ARCA_CHECK(claim(e, wait));
    wait_idle(e);
    if (wait->held)
        unrecord(wait);
    e->ops->destroy(e->state); /* runs the fini hook, which may still make host calls */
    release(e);
done:
    return result;
}
