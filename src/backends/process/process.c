/*
 * process.c — the host side of the `process` backend: the enclave runs in arca-runner, a
 * separate, sandboxed process (src/runner/), reached through a shared-memory channel with
 * one slot per enclave thread (src/channel/channel.h).
 *
 * Divisions: probe (what this machine offers); create (channel, control socket, spawn,
 * START/READY, init); call (post into a free slot, streaming the request, serve host calls
 * arriving on the same slot, take the reply as it streams in); destroy (fini, stop, reap,
 * unmap).
 *
 * Nested calls: a host function may call back into its enclave. The host API then hands this
 * backend the slot of the call whose host call it is serving (src/host/handle.h), and the
 * nested ecall is posted into that slot while it is in the OCALL state, the host call's whole
 * request received: the runner thread waiting there for the host call's reply runs it, as SGX
 * runs an ECALL made from an OCALL on the same TCS. Its host calls are served recursively, and
 * once its reply is taken the slot is back where it was: the outer host call then posts its
 * OCALL_DONE as usual.
 *
 * The protections are what the runner reports in READY, with its caveats (why some this kernel
 * could give are missing: a launcher that can answer the runner's system calls or owns its user
 * namespace, too little locked memory): kept with the enclave and logged once per distinct text.
 *
 * The runner is treated as hostile too: every length, code and progress counter it writes
 * is read once and checked against what was asked for (src/channel/channel.c); host calls
 * get private copies of the request and of the reply buffer, so the runner cannot change
 * bytes under a host function. A runner that breaks the protocol is killed and the enclave
 * lost (runner_broke); a transfer that makes no progress for the stalled-transfer timeout
 * (5 s, or $ARCA_PROCESS_STALL_TIMEOUT_MS) counts as broken. This file must never write past
 * the caller's out_cap, never wait without a way out when the runner dies or stalls, and never
 * hold a key: the runner gets those from the platform over its own connection.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "crypto/crypto.h"
#include "arca/platform.h"
#include "base/error.h"
#include "base/settings.h"
#include "launch_checks.h"
#include "process_internal.h"

#ifndef SYS_memfd_secret
#define SYS_memfd_secret 447
#endif

static process_state *downcast(arca__backend_base *base)
{
    return base && base->ops == &arca__process_backend ? (process_state *)base : NULL;
}

/* ---- probe ---- */

static void append(char *why, size_t len, const char *text)
{
    size_t used = strnlen(why, len);
    if (used + 1 < len)
        snprintf(why + used, len - used, "%s%s", used ? "; " : "degraded: ", text);
}

static arca_result_t process_probe(char *why, size_t why_len)
{
    arca_result_t result = ARCA_OK;
    char path[PATH_MAX];
    if (why_len)
        why[0] = '\0';
    /* Through arcad, the daemon starts its own runner, with its own limits and from outside
     * this process: nothing below describes it. */
    if (!strcmp(arca_platform_default(), "arcad")) {
        if (why_len)
            snprintf(why, why_len, "through arcad (the platform daemon starts arca-runner)");
        goto done;
    }
    result = arca__process_runner_path(NULL, path, sizeof path);
    if (result != ARCA_OK) {
        if (why_len)
            snprintf(why, why_len, "%s", arca__error_detail());
        goto done;
    }
    /* Available; say which protections this kernel will not give. */
    int fd = (int)syscall(SYS_memfd_secret, 0);
    if (fd >= 0)
        close(fd);
    else
        append(why, why_len, "no memfd_secret (heap falls back to mlock; boot with "
                             "secretmem.enable=1 on older kernels)");
    if (syscall(444 /* landlock_create_ruleset */, NULL, 0, 1u) < 1)
        append(why, why_len, "no Landlock (enable CONFIG_SECURITY_LANDLOCK and lsm=landlock)");
    if (prctl(PR_GET_SECCOMP, 0, 0, 0, 0) < 0)
        append(why, why_len, "no seccomp filter support");
    FILE *f = fopen("/proc/sys/user/max_user_namespaces", "r");
    long max_ns = -1;
    if (f) {
        if (fscanf(f, "%ld", &max_ns) != 1)
            max_ns = -1;
        fclose(f);
    }
    if (max_ns == 0)
        append(why, why_len, "user namespaces disabled (user.max_user_namespaces = 0)");
    /* What a runner started from this process would inherit. */
    char caveats[256] = "";
    arca__inherited in;
    arca__inherited_read(&in);
    if (arca__inherited_caveats(&in, caveats, sizeof caveats)) {
        arca__append_caveat(caveats, sizeof caveats, "only separate-process would be reported");
        append(why, why_len, caveats);
    }
    if (in.status_ok && in.tracer_pid > 0)
        append(why, why_len, "a tracer is attached: a runner it follows refuses to start");
    /* The default enclave's protected memory against the locked-memory limit it would get. */
    struct arca_enclave_config defaults;
    struct rlimit lim;
    arca__config_defaults(&defaults);
    uint64_t need = arca__protected_bytes(defaults.heap_size, defaults.threads,
                                          defaults.stack_size, (uint64_t)sysconf(_SC_PAGESIZE));
    if (geteuid() != 0 && getrlimit(RLIMIT_MEMLOCK, &lim) == 0 && lim.rlim_max != RLIM_INFINITY &&
        need > (uint64_t)lim.rlim_max) {
        char text[160];
        snprintf(text, sizeof text, "RLIMIT_MEMLOCK %llu KiB < %llu KiB of a default enclave's "
                 "heap+stacks: they would be ordinary memory",
                 (unsigned long long)(lim.rlim_max >> 10), (unsigned long long)(need >> 10));
        append(why, why_len, text);
    }
done:
    return result;
}

/* ---- slots ---- */

static int grow(process_buffer *b, size_t need)
{
    if (need <= b->cap)
        return 1;
    uint8_t *p = realloc(b->bytes, need);
    if (!p)
        return 0;
    b->bytes = p;
    b->cap = need;
    return 1;
}

static arca_result_t lost_error(process_state *st)
{
    /* lost is 2 while arca__process_mark_lost() is still writing the reason, 1 once the
     * reason is complete (release): read it only then. */
    int complete = __atomic_load_n(&st->lost, __ATOMIC_ACQUIRE) == 1;
    return arca__error(ARCA_ERR_ENCLAVE_LOST, "the enclave is lost: %s; create it again",
                       complete && st->lost_reason[0] ? st->lost_reason : "arca-runner is gone");
}

/* The runner broke the channel protocol (the detail of the check that failed is this
 * thread's error detail): it is compromised or corrupt, so it is stopped and the enclave is
 * lost. A malformed frame fails the call with BAD_FRAME; a stalled transfer (TIMEOUT) with
 * ENCLAVE_LOST. If the runner simply died meanwhile, that is what the call reports. */
static arca_result_t runner_broke(process_state *st, arca_result_t r, const char *what)
{
    char detail[128], reason[sizeof st->lost_reason];
    if (r == ARCA_ERR_TIMEOUT && __atomic_load_n(&st->lost, __ATOMIC_ACQUIRE))
        return lost_error(st);
    snprintf(detail, sizeof detail, "%s", arca__error_detail());
    if (r == ARCA_ERR_TIMEOUT)
        snprintf(reason, sizeof reason, "arca-runner %s (%.79s) and was stopped", what, detail);
    else
        snprintf(reason, sizeof reason, "arca-runner %s and was stopped", what);
    arca__process_kill(st, reason);
    if (r == ARCA_ERR_TIMEOUT)
        return lost_error(st);
    return arca__error(ARCA_ERR_BAD_FRAME,
                       "arca-runner %s (%s); it was stopped and the enclave is lost", what,
                       detail);
}

/* Host calls this thread is serving (any enclave, any slot). A host function may call back
 * into its enclave (a nested call on the same slot, served by transact() again on this thread),
 * and a host call of that nested call must not reuse the slot's kept buffers, which hold the
 * outer host call's request and reply: below the outermost level, buffers are the call's own. */
static _Thread_local unsigned serving;

/* Serve the host call the runner posted into slot k, and post the reply. Returns ARCA_OK
 * once a reply is posted (whatever the host function returned), or the error of a broken
 * protocol: a malformed request (BAD_FRAME) or a request that never arrived (TIMEOUT). */
static arca_result_t serve_host_call(process_state *st, uint32_t k, struct arca__slot *slot)
{
    arca_result_t result = ARCA_OK;
    arca__frame frame;
    size_t written = 0;
    arca_result_t r;
    uint8_t *in = NULL, *out = NULL;
    int have_memory = 0, own = serving > 0;

    arca__frame_load(slot, &frame); /* each field once */
    ARCA_CHECK(arca__channel_check_host_call(&frame, st->layout.max_payload));
    if (own) {
        /* in_len and out_cap are at most max_payload (checked): no overflow. */
        in = malloc(frame.in_len ? (size_t)frame.in_len : 1);
        out = malloc(frame.out_cap ? (size_t)frame.out_cap : 1);
        have_memory = in && out;
    } else if (grow(&st->ocall_in[k], (size_t)frame.in_len) &&
               grow(&st->ocall_out[k], (size_t)frame.out_cap)) {
        in = st->ocall_in[k].bytes;
        out = st->ocall_out[k].bytes;
        have_memory = 1;
    }
    /* The whole request, streamed into private memory (or, without memory for it, waited
     * for and dropped), so the runner has stopped writing the payload before the reply. */
    ARCA_CHECK(arca__channel_receive(slot, &slot->in_ready, &slot->host_waiting, in,
                                     frame.in_len, st->spin_ns, &st->lost, st->stall_ns));
    if (!have_memory) {
        r = ARCA_ERR_OUT_OF_MEMORY;
    } else {
        /* Private copies: the runner cannot change the request under the host function,
         * nor read or change the reply while it is being built. arca__host_dispatch() holds
         * every host function to the reply contract (a defined code, written <= out_cap on
         * success, 0 on any error but BUFFER_TOO_SMALL): nothing to re-check here. */
        serving++;
        r = st->base.host_call(st->base.host_ctx, frame.fn_id, frame.in_len ? in : NULL,
                                (size_t)frame.in_len, frame.out_cap ? out : NULL,
                                (size_t)frame.out_cap, &written);
        serving--;
    }
    /* Whatever calls the host function made back into the enclave on this slot have returned
     * (their replies taken): the slot is the host's again, and the runner, waiting in its host
     * call, takes this reply (or another nested call) next. */
    ARCA__SHARED_STORE(&slot->result, (int32_t)r);
    ARCA__SHARED_STORE(&slot->out_len, (uint64_t)written);
    arca__channel_send(slot, &slot->out_ready, &slot->runner_waiting, ARCA__SLOT_OCALL_DONE, out,
                       r == ARCA_ERR_BUFFER_TOO_SMALL ? 0 : written);
done:
    if (own) {
        free(in);
        free(out);
    }
    return result;
}

/*
 * The slot left the ECALL state for something other than a reply to take: a host call to
 * serve (then the wait goes on from OCALL_DONE), a lost runner (whatever the slot says), or
 * an undefined state. Out of line: an empty ecall never comes here.
 * @return ARCA_OK to keep waiting from *s, else the error.
 */
static __attribute__((noinline)) arca_result_t on_other_state(process_state *st, uint32_t k,
                                                              struct arca__slot *slot, uint32_t *s)
{
    arca_result_t result = ARCA_OK;
    arca_result_t r;
    if (__atomic_load_n(&st->lost, __ATOMIC_ACQUIRE))
        ARCA_RAISE(lost_error(st));
    if (*s == ARCA__SLOT_OCALL) {
        r = serve_host_call(st, k, slot);
        if (r != ARCA_OK)
            ARCA_RAISE(runner_broke(st, r, r == ARCA_ERR_TIMEOUT
                                               ? "stopped streaming a host-call request halfway"
                                               : "sent a malformed host-call request"));
        *s = ARCA__SLOT_OCALL_DONE;
    } else {
        /* An undefined state: the runner is compromised or corrupt. Stop it. */
        char reason[96];
        snprintf(reason, sizeof reason,
                 "arca-runner wrote the undefined slot state %u and was stopped", *s);
        arca__process_kill(st, reason);
        ARCA_RAISE(lost_error(st));
    }
done:
    return result;
}

/* The reply could not be taken (malformed, or its streaming stalled). Out of line. */
static __attribute__((noinline)) arca_result_t bad_reply(process_state *st, arca_result_t r)
{
    return runner_broke(st, r, r == ARCA_ERR_TIMEOUT ? "stopped streaming its reply halfway"
                                                     : "sent a malformed reply");
}

/*
 * One ecall frame on slot k (held by the caller, or, for a nested call, by the call whose host
 * call this thread is serving on k), serving host calls until the reply. The
 * path of an ecall that makes no host call is straight-line code (bench/calls): post, poll,
 * take the reply; everything else is out of line.
 */
static inline __attribute__((always_inline)) arca_result_t transact(process_state *st, uint32_t k, uint32_t fn_id, uint32_t flags,
                              const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap,
                              size_t *out_len)
{
    arca_result_t result = ARCA_OK;
    struct arca__slot *slot = arca__channel_slot(st->channel, &st->layout, k);
    uint32_t s = ARCA__SLOT_ECALL;
    arca__reply reply;
    arca_result_t r;
    *out_len = 0;

    if (__builtin_expect(__atomic_load_n(&st->lost, __ATOMIC_ACQUIRE) != 0, 0))
        ARCA_RAISE(lost_error(st));
    ARCA__SHARED_STORE(&slot->fn_id, fn_id);
    ARCA__SHARED_STORE(&slot->flags, flags);
    ARCA__SHARED_STORE(&slot->in_len, (uint64_t)in_len);
    ARCA__SHARED_STORE(&slot->out_cap, (uint64_t)out_cap);
    /* result and out_len are the runner's to write (and are checked however it leaves them):
     * no store here, so the line the runner spins on is written as few times as possible. */
    /* Posts ECALL, streaming a large request while the runner copies it in. */
    arca__channel_send(slot, &slot->in_ready, &slot->runner_waiting, ARCA__SLOT_ECALL, in, in_len);

    /* A dead runner's slots are set to LOST (arca__process_mark_lost), so the wait ends. */
    for (;;) {
        s = arca__channel_await(slot, &slot->host_waiting, s, st->spin_ns, &st->lost);
        /* A runner judged lost (dead, or stopped for breaking the protocol on another slot)
         * answers nothing more, even a reply that raced with the verdict. */
        if (__builtin_expect(s == ARCA__SLOT_ECALL_DONE &&
                                 !__atomic_load_n(&st->lost, __ATOMIC_ACQUIRE),
                             1))
            break;
        ARCA_CHECK(on_other_state(st, k, slot, &s));
    }
    /* Result and length read once and checked against out_cap; then the reply streams into
     * the caller's buffer, never past out_cap. */
    r = arca__channel_take_reply(slot, &slot->host_waiting, out, out_cap, &reply, out_len,
                                 st->spin_ns, &st->lost, st->stall_ns);
    if (__builtin_expect(r != ARCA_OK, 0)) {
        *out_len = 0;
        ARCA_RAISE(bad_reply(st, r));
    }
    /* The slot stays in ECALL_DONE: the next request is posted straight over it (the host
     * owns a slot in IDLE or ECALL_DONE alike), so the line the runner spins on changes once
     * per call, not twice. */
    result = (arca_result_t)reply.result;
done:
    return result;
}

/* ---- create ---- */

/* The stalled-transfer timeout: $ARCA_PROCESS_STALL_TIMEOUT_MS, read once per process (getenv
 * races with setenv in other threads; a value must not change under running enclaves). A value
 * that is not a whole number of milliseconds within the bounds makes every create fail, saying
 * so, rather than being clamped or ignored silently. */
static pthread_once_t stall_once = PTHREAD_ONCE_INIT;
static uint64_t stall_setting_ns; /* 0: the environment's value was refused */
static char stall_refused[48];    /* that value, printable ASCII, cut */

static void stall_from_environment(void)
{
    const char *v = getenv(ARCA__PROCESS_STALL_ENV);
    uint64_t ms = 0;
    size_t i = 0;
    stall_setting_ns = ARCA__STREAM_STALL_NS;
    if (!v || !v[0])
        return; /* unset or empty: the default, like the other ARCA_* variables */
    /* Digits only: no sign, no spaces, no unit; stop counting once out of bounds. */
    for (; v[i] >= '0' && v[i] <= '9' && ms <= ARCA__PROCESS_STALL_MAX_MS; i++)
        ms = ms * 10 + (uint64_t)(v[i] - '0');
    if (i > 0 && v[i] == '\0' && ms >= ARCA__PROCESS_STALL_MIN_MS &&
        ms <= ARCA__PROCESS_STALL_MAX_MS) {
        stall_setting_ns = ms * UINT64_C(1000000);
        return;
    }
    stall_setting_ns = 0;
    for (i = 0; v[i] && i + 1 < sizeof stall_refused; i++)
        stall_refused[i] = (v[i] >= 0x20 && v[i] < 0x7f) ? v[i] : '?';
    stall_refused[i] = '\0';
}

static arca_result_t stall_timeout(uint64_t *ns)
{
    arca_result_t result = ARCA_OK;
    pthread_once(&stall_once, stall_from_environment);
    if (!stall_setting_ns)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT,
                   "process backend: %s='%s' is not a whole number of milliseconds from %d to "
                   "%d; set one in that range, or unset it for the default of %llu ms",
                   ARCA__PROCESS_STALL_ENV, stall_refused, ARCA__PROCESS_STALL_MIN_MS,
                   ARCA__PROCESS_STALL_MAX_MS,
                   (unsigned long long)(ARCA__STREAM_STALL_NS / UINT64_C(1000000)));
    *ns = stall_setting_ns;
done:
    return result;
}

static arca_result_t make_channel(process_state *st, uint32_t threads, size_t max_payload, int *fd_out)
{
    arca_result_t result = ARCA_OK;
    int fd = -1;
    ARCA_CHECK(arca__channel_layout_compute(threads, max_payload, &st->layout));
    fd = memfd_create("arca-channel", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (fd < 0)
        ARCA_RAISE(ARCA_ERR_IO, "process backend: memfd_create failed: %s", strerror(errno));
    if (ftruncate(fd, (off_t)st->layout.total_size) != 0)
        ARCA_RAISE(ARCA_ERR_OUT_OF_MEMORY, "process backend: cannot size the %llu-byte channel: %s",
                   (unsigned long long)st->layout.total_size, strerror(errno));
    /* Sealed against resizing: the host cannot SIGBUS the runner by shrinking it. */
    if (fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) != 0)
        ARCA_RAISE(ARCA_ERR_IO, "process backend: cannot seal the channel: %s", strerror(errno));
    st->channel = mmap(NULL, (size_t)st->layout.total_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (st->channel == MAP_FAILED) {
        st->channel = NULL;
        ARCA_RAISE(ARCA_ERR_OUT_OF_MEMORY, "process backend: cannot map the channel: %s",
                   strerror(errno));
    }
    struct arca__channel_info *info = st->channel;
    info->magic = ARCA__CHANNEL_MAGIC;
    info->version = ARCA__CHANNEL_VERSION;
    info->slot_count = threads;
    info->max_payload = max_payload;
    info->slot_stride = st->layout.slot_stride;
    *fd_out = fd;
    fd = -1;
done:
    if (fd >= 0)
        close(fd);
    return result;
}

/*
 * Keep the caveats of READY (the runner's text: every byte outside printable ASCII becomes '?')
 * with the enclave, and log them to stderr once per distinct text in this process, so a server
 * that creates many enclaves says it once.
 */
static void keep_caveats(process_state *st, const char *text)
{
    static pthread_mutex_t logged_lock = PTHREAD_MUTEX_INITIALIZER;
    static char logged[sizeof st->caveats];
    size_t i = 0;
    for (; text[i] && i + 1 < sizeof st->caveats; i++)
        st->caveats[i] = (text[i] >= 0x20 && text[i] < 0x7f) ? text[i] : '?';
    st->caveats[i] = '\0';
    if (!st->caveats[0])
        return;
    pthread_mutex_lock(&logged_lock);
    int fresh = strcmp(logged, st->caveats) != 0;
    if (fresh)
        memcpy(logged, st->caveats, sizeof logged);
    pthread_mutex_unlock(&logged_lock);
    if (fresh)
        fprintf(stderr, "arca: process backend: fewer protections than this kernel offers: %s\n",
                st->caveats);
}

static arca_result_t receive_ready(process_state *st, uint32_t *protections)
{
    arca_result_t result = ARCA_OK;
    struct arca__ready_msg msg;
    struct pollfd p = {st->control_fd, POLLIN, 0};
    int n = poll(&p, 1, ARCA__PROCESS_READY_TIMEOUT_MS);
    if (n == 0)
        ARCA_RAISE(ARCA_ERR_TIMEOUT, "arca-runner did not report ready within %d ms",
                   ARCA__PROCESS_READY_TIMEOUT_MS);
    ssize_t got = recv(st->control_fd, &msg, sizeof msg, 0);
    /* A runner that refused to start before it read START (a tracer, say) closed its end with
     * START unread: the kernel reports that once as ECONNRESET, ahead of the READY it queued
     * for us before exiting. Read again for the READY. */
    if (got < 0 && errno == ECONNRESET)
        got = recv(st->control_fd, &msg, sizeof msg, MSG_DONTWAIT);
    if (got <= 0) {
        /* Say how it ended, once the monitor thread has reaped it (a second at most). */
        for (int waited = 0; waited < 1000 && __atomic_load_n(&st->lost, __ATOMIC_ACQUIRE) != 1;
             waited += 10)
            poll(NULL, 0, 10);
        ARCA_RAISE(ARCA_ERR_ENCLAVE_LOST,
                   "arca-runner exited during start-up (%s; run with the same image on the sim "
                   "backend, or check the runner's stderr)",
                   __atomic_load_n(&st->lost, __ATOMIC_ACQUIRE) == 1 ? st->lost_reason
                                                                     : "no exit status yet");
    }
    if (got != (ssize_t)sizeof msg || msg.magic != ARCA__READY_MAGIC ||
        msg.version != ARCA__CONTROL_VERSION || !arca_result_valid(msg.result))
        ARCA_RAISE(ARCA_ERR_BAD_FRAME, "arca-runner sent a malformed READY message");
    msg.detail[sizeof msg.detail - 1] = '\0';
    if (msg.result != ARCA_OK)
        ARCA_RAISE((arca_result_t)msg.result, "%s",
                   msg.detail[0] ? msg.detail : "arca-runner refused to start the enclave");
    *protections = msg.protections;
    keep_caveats(st, msg.detail);
done:
    return result;
}

static void teardown(process_state *st)
{
    arca__process_stop(st);
    if (st->channel)
        munmap(st->channel, (size_t)st->layout.total_size);
    st->channel = NULL;
    if (st->control_fd >= 0)
        close(st->control_fd);
    st->control_fd = -1;
    if (st->lease_fd >= 0)
        close(st->lease_fd); /* arcad kills a runner whose lease closes */
    st->lease_fd = -1;
    for (int i = 0; i < 2; i++) {
        if (st->wake_fd[i] >= 0)
            close(st->wake_fd[i]);
        st->wake_fd[i] = -1;
    }
    for (uint32_t i = 0; i < ARCA_MAX_THREADS; i++) {
        free(st->ocall_in[i].bytes);
        free(st->ocall_out[i].bytes);
        st->ocall_in[i] = (process_buffer){NULL, 0};
        st->ocall_out[i] = (process_buffer){NULL, 0};
    }
    if (st->sync_ready) {
        pthread_cond_destroy(&st->cond);
        pthread_mutex_destroy(&st->lock);
        st->sync_ready = 0;
    }
}

static arca_result_t process_create(arca__backend_base *base, const arca__launch *launch,
                                    arca__launched *launched)
{
    arca_result_t result = ARCA_OK;
    process_state *st = downcast(base);
    const struct arca_enclave_config *config = &launch->info->config;
    struct arca__start_msg start;
    int channel_fd = -1, sv[2] = {-1, -1};
    uint32_t protections = 0;
    size_t ignored = 0;

    memset(&start, 0, sizeof start);
    st->control_fd = -1;
    st->wake_fd[0] = st->wake_fd[1] = -1;
    st->log.fd = -1;
    st->lease_fd = -1;
    if (pthread_mutex_init(&st->lock, NULL) != 0)
        ARCA_RAISE(ARCA_ERR_OUT_OF_MEMORY, "process backend: cannot create a lock");
    if (pthread_cond_init(&st->cond, NULL) != 0) {
        pthread_mutex_destroy(&st->lock);
        ARCA_RAISE(ARCA_ERR_OUT_OF_MEMORY, "process backend: cannot create a condition variable");
    }
    st->sync_ready = 1;
    ARCA_CHECK(stall_timeout(&st->stall_ns));
    st->spin_ns = (config->flags & ARCA_CONFIG_FLAG_SWITCHLESS) ? ARCA__SPIN_NS_SWITCHLESS
                                                                : ARCA__SPIN_NS_DEFAULT;
    if (launch->daemon_socket) {
        /* arcad starts its own runner: process.runner does not apply. */
        snprintf(st->arcad_socket, sizeof st->arcad_socket, "%s", launch->daemon_socket);
    } else {
        ARCA_CHECK(arca__process_runner_path(
            arca__setting(launch->settings, "process", "runner"), st->runner_path,
            sizeof st->runner_path));
    }
    /* config->threads is in 1..ARCA_MAX_THREADS: the host API checked it before create. */
    ARCA_CHECK(make_channel(st, config->threads, launch->max_payload, &channel_fd));
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0 ||
        pipe2(st->wake_fd, O_CLOEXEC) != 0)
        ARCA_RAISE(ARCA_ERR_IO, "process backend: cannot create the control socket: %s",
                   strerror(errno));
    st->control_fd = sv[0];
    st->child_fds[0] = sv[1];
    st->child_fds[1] = launch->image_fd;
    st->child_fds[2] = channel_fd;
    st->child_fds[3] = launch->platform_fd; /* the runner's own connection to the platform */
    ARCA_CHECK(arca__process_spawn(st));
    close(sv[1]);
    sv[1] = -1;
    close(channel_fd);
    channel_fd = -1;
    ((struct arca__channel_info *)st->channel)->runner_pid = (uint64_t)st->pid;

    /* START: what the host verified (the runner checks it all again). No key: the runner asks
     * the platform for those itself. */
    start.magic = ARCA__START_MAGIC;
    start.version = ARCA__CONTROL_VERSION;
    start.flags = (config->flags & ARCA_CONFIG_FLAG_SWITCHLESS) ? ARCA__START_FLAG_SWITCHLESS : 0;
    start.threads = config->threads;
    start.heap_size = config->heap_size;
    start.stack_size = config->stack_size;
    start.max_payload = launch->max_payload;
    start.channel_size = st->layout.total_size;
    start.identity = launch->info->identity;
    if (launch->interface_hash) {
        start.flags |= ARCA__START_FLAG_INTERFACE;
        memcpy(start.interface_hash, launch->interface_hash, sizeof start.interface_hash);
    }
    ssize_t sent = send(st->control_fd, &start, sizeof start, MSG_NOSIGNAL);
    if (sent != (ssize_t)sizeof start) {
        /* The runner may have refused to start before it read START (a tracer, say): its
         * READY, still queued on our end of the socket, says why. */
        ARCA_CHECK(receive_ready(st, &protections));
        ARCA_RAISE(ARCA_ERR_ENCLAVE_LOST, "arca-runner exited during start-up, before it received its START message");
    }
    ARCA_CHECK(receive_ready(st, &protections));
    /* In force from READY on (the runner is sandboxed, and bound its platform connection to
     * the identity with these protections, before it sends it): evidence asked for by the
     * enclave's init hook carries them. */
    launched->identity = launch->info->identity;
    launched->identity.backend = ARCA_BACKEND_ID_PROCESS;
    launched->identity.protections = protections;
    snprintf(launched->caveats, sizeof launched->caveats, "%s", st->caveats);

    /* The runtime's init (and the enclave's init hook) on slot 0. */
    result = transact(st, 0, 0, ARCA__CALL_INIT, NULL, 0, NULL, 0, &ignored);
    if (result != ARCA_OK && !arca__error_detail()[0])
        arca__error(result, "the enclave's init failed: %s", arca_result_str(result));
    ARCA_CHECK(result);
done:
    if (sv[1] >= 0)
        close(sv[1]);
    if (channel_fd >= 0)
        close(channel_fd);
    if (result != ARCA_OK && st)
        teardown(st);
    return result;
}

/* ---- call, destroy ---- */

static arca_result_t process_call(arca__backend_base *base, uint32_t slot, uint32_t fn_id,
                                  const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap,
                                  size_t *out_len)
{
    /* The host API checked everything (backend.h): in_len <= max_payload, out_cap clamped to
     * it (= layout.max_payload), and slot < config.threads (= layout.slot_count), held by this
     * call alone. transact() checks for a lost runner. The state is this backend's own (the
     * host API calls e->ops->call(e->state)): a plain cast, no downcast check per call. */
    return transact((process_state *)base, slot, fn_id, 0, in, in_len, out, out_cap, out_len);
}

static void process_destroy(arca__backend_base *base)
{
    process_state *st = downcast(base);
    size_t ignored = 0;
    if (!st)
        return;
    if (!__atomic_load_n(&st->lost, __ATOMIC_ACQUIRE)) {
        /* No call is in flight (the host API waited for every slot), so slot 0 is ours. */
        arca__process_fini_started(st);
        (void)transact(st, 0, 0, ARCA__CALL_FINI, NULL, 0, NULL, 0, &ignored);
    }
    teardown(st);
}

static const char *const process_settings[] = {"runner", NULL};

const struct arca_backend_ops arca__process_backend = {
    .version = ARCA_BACKEND_OPS_VERSION,
    .name = "process",
    .backend_id = ARCA_BACKEND_ID_PROCESS,
    .auto_rank = 100,
    .setting_keys = process_settings,
    .protects = "a compromised host application, other non-root users, memory-disclosure bugs "
                "in the host, the kernel's direct map (secretmem)",
    .not_protects = "root, the kernel, the hypervisor, physical attacks",
    .state_size = sizeof(process_state),
    .probe = process_probe,
    .create = process_create,
    .call = process_call,
    .destroy = process_destroy,
};
