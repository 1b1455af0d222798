/*
 * test_attack.c — attacks on a process-backend enclave by its own host, as the same
 * non-root user: read its memory (/proc/PID/mem, process_vm_readv), attach a debugger
 * (PTRACE_ATTACH, PTRACE_SEIZE), make the enclave do what the sandbox forbids (open, socket,
 * execve, ptrace, executable memory), write hostile frames straight into the shared slot
 * (lengths past the slot, overflowing sizes, bad flags and ids, a header that changes while
 * the enclave reads it) and answer host calls with hostile replies.
 *
 * Root bypasses dumpable, so when started as root (CI) the test drops to uid/gid 65534 with a
 * private platform directory and runs everything there (tests/unprivileged.h). Each "must
 * fail" attack is paired with the same attack on an ordinary child process, which must
 * succeed: the denial comes from the enclave's protections, not from the test setup.
 *
 * The raw slot is reached the way a hostile host would: the channel is a shared mapping in
 * the host's own address space (found in /proc/self/maps), laid out as src/channel/channel.h
 * documents. No test-only hook is needed.
 *
 * The launcher itself is attacked too: a host in its own user namespace, or with a seccomp
 * filter that answers the runner's system calls, must not get protections reported that it
 * can bypass; an x32-ABI call must end the enclave at once; the runner's stderr must not be the
 * host's file (no mapping it) nor pass raw bytes; a default-config enclave must get protected
 * memory under the usual 8 MiB locked-memory limit, and say so when it cannot.
 *
 * argv: process-enclave.signed.so process-enclave-default.signed.so (no enclave.conf)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <seccomp.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "arca/host.h"
#include "channel/channel.h"
#include "process_ids.h"
#include "runner_util.h"
#include "test.h"
#include "unprivileged.h"

static const char *image, *image_default;

static const arca_host_call_t host_calls[] = {{HC_ANY, test_hc_nothing}};

static arca_result_t open_enclave(arca_enclave_t **e, pid_t *runner)
{
    return open_process_enclave(image, host_calls, 1, e, runner);
}

/* A plain child of the same user, holding the secret pattern: the control experiment. */
static pid_t control_child(uint8_t **addr)
{
    static uint8_t pattern[SECRET_LEN];
    memset(pattern, SECRET_BYTE, sizeof pattern);
    *addr = pattern;
    pid_t pid = fork();
    if (pid == 0) {
        pause();
        _exit(0);
    }
    return pid;
}

static void end_child(pid_t pid)
{
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
}

/* ---- memory and debugger attacks ---- */

static void test_memory_reads_denied(void)
{
    arca_enclave_t *e = NULL;
    pid_t runner = -1;
    uint64_t where[2] = {0, 0};
    uint8_t buf[64];
    size_t got = 0;
    char path[64];
    ASSERT_TRUE(geteuid() != 0);
    ASSERT_OK(open_enclave(&e, &runner));
    ASSERT_TRUE(runner > 0);
    ASSERT_OK(arca_enclave_call(e, PE_SECRET, NULL, 0, where, sizeof where, &got));
    ASSERT_EQ(got, sizeof where);

    /* /proc/PID/mem cannot even be opened. */
    snprintf(path, sizeof path, "/proc/%d/mem", (int)runner);
    int fd = open(path, O_RDONLY);
    int open_errno = errno;
    if (fd >= 0) {
        ssize_t n = pread(fd, buf, sizeof buf, (off_t)where[0]);
        close(fd);
        ASSERT_TRUE(n < 0); /* and if it could, reading must fail */
    } else {
        ASSERT_TRUE(open_errno == EACCES || open_errno == EPERM);
    }
    /* process_vm_readv is refused. */
    struct iovec local = {buf, sizeof buf};
    struct iovec remote = {(void *)(uintptr_t)where[0], sizeof buf};
    errno = 0;
    ASSERT_EQ(process_vm_readv(runner, &local, 1, &remote, 1, 0), -1);
    ASSERT_EQ(errno, EPERM);

    /* Control: the same reads on an ordinary child of the same user succeed. */
    uint8_t *addr = NULL;
    pid_t child = control_child(&addr);
    ASSERT_TRUE(child > 0);
    remote.iov_base = addr;
    memset(buf, 0, sizeof buf);
    ssize_t n = process_vm_readv(child, &local, 1, &remote, 1, 0);
    snprintf(path, sizeof path, "/proc/%d/mem", (int)child);
    int cfd = open(path, O_RDONLY);
    end_child(child);
    ASSERT_EQ(n, (long)sizeof buf);
    ASSERT_EQ(buf[0], SECRET_BYTE);
    ASSERT_TRUE(cfd >= 0);
    close(cfd);

    ASSERT_OK(arca_enclave_call(e, PE_ECHO, "alive", 5, buf, sizeof buf, &got));
    ASSERT_OK(arca_enclave_destroy(e));
}

static void test_debugger_denied(void)
{
    arca_enclave_t *e = NULL;
    pid_t runner = -1;
    size_t got = 0;
    ASSERT_OK(open_enclave(&e, &runner));
    ASSERT_TRUE(runner > 0);
    errno = 0;
    ASSERT_EQ(ptrace(PTRACE_ATTACH, runner, NULL, NULL), -1);
    ASSERT_EQ(errno, EPERM);
    errno = 0;
    ASSERT_EQ(ptrace(PTRACE_SEIZE, runner, NULL, NULL), -1);
    ASSERT_EQ(errno, EPERM);

    /* Control: an ordinary child can be seized. */
    uint8_t *addr = NULL;
    pid_t child = control_child(&addr);
    long rc = ptrace(PTRACE_SEIZE, child, NULL, NULL);
    if (rc == 0)
        ptrace(PTRACE_DETACH, child, NULL, NULL);
    end_child(child);
    ASSERT_EQ(rc, 0);

    ASSERT_OK(arca_enclave_call(e, PE_EMPTY, NULL, 0, NULL, 0, &got));
    ASSERT_OK(arca_enclave_destroy(e));
}

/* ---- forbidden system calls ---- */

/* The call is refused by seccomp; the enclave's lost reason names it (@p call, e.g. "openat"). */
static void forbidden(uint32_t fn, const char *call)
{
    arca_enclave_t *e = NULL;
    pid_t runner = -1;
    arca_identity_t id;
    size_t got = 0;
    ASSERT_OK(open_enclave(&e, &runner));
    ASSERT_OK(arca_enclave_identity(e, &id));
    ASSERT_TRUE(id.protections & ARCA_PROT_SECCOMP);
    ASSERT_RESULT(arca_enclave_call(e, fn, NULL, 0, NULL, 0, &got), ARCA_ERR_ENCLAVE_LOST);
    ASSERT_CONTAINS(arca_last_error(), "seccomp");
    char named[64];
    snprintf(named, sizeof named, "forbidden system call, %s (", call);
    ASSERT_CONTAINS(arca_last_error(), named);
    ASSERT_RESULT(arca_enclave_call(e, PE_EMPTY, NULL, 0, NULL, 0, &got), ARCA_ERR_ENCLAVE_LOST);
    ASSERT_OK(arca_enclave_destroy(e));
    ASSERT_TRUE(pid_gone_within(runner, 2000));
    /* The host keeps working: a new enclave serves calls. */
    ASSERT_OK(open_enclave(&e, &runner));
    ASSERT_OK(arca_enclave_call(e, PE_EMPTY, NULL, 0, NULL, 0, &got));
    ASSERT_OK(arca_enclave_destroy(e));
}

static void test_open_killed(void) { forbidden(PE_OPEN, "openat"); }
static void test_socket_killed(void) { forbidden(PE_SOCKET, "socket"); }
static void test_execve_killed(void) { forbidden(PE_EXECVE, "execve"); }
static void test_ptrace_killed(void) { forbidden(PE_PTRACE, "ptrace"); }
static void test_mmap_exec_killed(void) { forbidden(PE_MMAP_EXEC, "mmap"); }
static void test_mprotect_exec_killed(void) { forbidden(PE_MPROTECT_EXEC, "mprotect"); }

/* ---- the raw slot, as a hostile host sees it ---- */

typedef struct raw_channel {
    uint8_t *base;
    struct arca__channel_info info;
} raw_channel;

static int find_channel(pid_t runner, raw_channel *out)
{
    FILE *f = fopen("/proc/self/maps", "r");
    char line[512];
    int found = 0;
    if (!f)
        return 0;
    while (!found && fgets(line, sizeof line, f)) {
        unsigned long start = 0;
        if (!strstr(line, "/memfd:arca-channel") || sscanf(line, "%lx-", &start) != 1)
            continue;
        const struct arca__channel_info *info = (const void *)start;
        if (info->magic == ARCA__CHANNEL_MAGIC && info->runner_pid == (uint64_t)runner) {
            out->base = (uint8_t *)start;
            out->info = *info;
            found = 1;
        }
    }
    fclose(f);
    return found;
}

static struct arca__slot *raw_slot(raw_channel *c, uint32_t k)
{
    return (struct arca__slot *)(c->base + ARCA__CHANNEL_INFO_SIZE + k * c->info.slot_stride);
}

/* Wait (bounded, 5 s) until the slot's state is `want`; 1 on success. */
static int wait_state(struct arca__slot *s, uint32_t want)
{
    for (int i = 0; i < 50000; i++) {
        if (__atomic_load_n(&s->state, __ATOMIC_ACQUIRE) == want)
            return 1;
        struct timespec ts = {0, 100 * 1000};
        nanosleep(&ts, NULL);
    }
    return 0;
}

static int wait_word(uint32_t *w, uint32_t want)
{
    for (int i = 0; i < 50000; i++) {
        if (__atomic_load_n(w, __ATOMIC_ACQUIRE) == want)
            return 1;
        struct timespec ts = {0, 100 * 1000};
        nanosleep(&ts, NULL);
    }
    return 0;
}

/* Post a frame whose progress counter says `ready` bytes of the payload are in place. */
static void post_frame_ready(struct arca__slot *s, uint32_t fn, uint32_t flags, uint64_t in_len,
                             uint64_t out_cap, uint32_t ready)
{
    s->fn_id = fn;
    s->flags = flags;
    s->in_len = in_len;
    s->out_cap = out_cap;
    s->result = -1;
    s->out_len = 12345;
    s->in_ready = ready;
    arca__channel_post(s, &s->runner_waiting, ARCA__SLOT_ECALL);
}

static void post_frame(struct arca__slot *s, uint32_t fn, uint32_t flags, uint64_t in_len,
                       uint64_t out_cap)
{
    s->fn_id = fn;
    s->flags = flags;
    s->in_len = in_len;
    s->out_cap = out_cap;
    s->result = -1;
    s->out_len = 12345;
    /* The payload (written by the caller) is all there: in_ready says so (channel.h). */
    s->in_ready = in_len <= ARCA_DEFAULT_MAX_PAYLOAD ? (uint32_t)in_len : 0;
    arca__channel_post(s, &s->runner_waiting, ARCA__SLOT_ECALL);
}

/* Post one frame, wait for the reply, return the result (or -999 on timeout). */
static int32_t raw_call(struct arca__slot *s, uint32_t fn, uint32_t flags, uint64_t in_len,
                        uint64_t out_cap, uint64_t *out_len)
{
    post_frame(s, fn, flags, in_len, out_cap);
    if (!wait_state(s, ARCA__SLOT_ECALL_DONE))
        return -999;
    int32_t r = s->result;
    *out_len = s->out_len;
    __atomic_store_n(&s->state, ARCA__SLOT_IDLE, __ATOMIC_RELEASE);
    return r;
}

static void test_hostile_frames(void)
{
    arca_enclave_t *e = NULL;
    pid_t runner = -1;
    raw_channel c;
    uint64_t n = 0;
    size_t got = 0;
    char out[16];
    ASSERT_OK(open_enclave(&e, &runner));
    ASSERT_TRUE(find_channel(runner, &c));
    uint64_t max = c.info.max_payload;
    ASSERT_UEQ(max, ARCA_DEFAULT_MAX_PAYLOAD);
    struct arca__slot *s0 = raw_slot(&c, 0), *s1 = raw_slot(&c, 1);
    memcpy(arca__slot_payload(s0), "hello", 5);

    /* A well-formed raw frame works: the layout is what channel.h says. */
    ASSERT_EQ(raw_call(s0, PE_ECHO, 0, 5, 16, &n), ARCA_OK);
    ASSERT_UEQ(n, 5);
    ASSERT_MEMEQ(arca__slot_payload(s0), "hello", 5);

    /* Lengths past the slot and overflowing sizes. */
    ASSERT_EQ(raw_call(s0, PE_ECHO, 0, max + 1, 16, &n), ARCA_ERR_BAD_FRAME);
    ASSERT_UEQ(n, 0);
    ASSERT_EQ(raw_call(s0, PE_ECHO, 0, UINT64_MAX, 16, &n), ARCA_ERR_BAD_FRAME);
    ASSERT_EQ(raw_call(s0, PE_ECHO, 0, UINT64_MAX - 63, 16, &n), ARCA_ERR_BAD_FRAME);
    ASSERT_EQ(raw_call(s0, PE_ECHO, 0, 5, max + 1, &n), ARCA_ERR_BAD_FRAME);
    ASSERT_EQ(raw_call(s0, PE_ECHO, 0, 5, UINT64_MAX, &n), ARCA_ERR_BAD_FRAME);
    ASSERT_EQ(raw_call(s0, PE_ECHO, 0, (uint64_t)1 << 63, (uint64_t)1 << 63, &n),
              ARCA_ERR_BAD_FRAME);
    /* Unknown flags, a second init, init+fini, fini on a slot other than 0. */
    ASSERT_EQ(raw_call(s0, PE_ECHO, 0x80, 5, 16, &n), ARCA_ERR_BAD_FRAME);
    ASSERT_EQ(raw_call(s0, 0, ARCA__CALL_INIT, 0, 0, &n), ARCA_ERR_BAD_FRAME);
    ASSERT_EQ(raw_call(s0, 0, ARCA__CALL_INIT | ARCA__CALL_FINI, 0, 0, &n), ARCA_ERR_BAD_FRAME);
    ASSERT_EQ(raw_call(s1, 0, ARCA__CALL_FINI, 0, 0, &n), ARCA_ERR_BAD_FRAME);
    ASSERT_EQ(raw_call(s1, 0, ARCA__CALL_INIT, 0, 0, &n), ARCA_ERR_BAD_FRAME);
    /* Bad function ids. */
    ASSERT_EQ(raw_call(s0, 0xDEADBEEF, 0, 5, 16, &n), ARCA_ERR_UNKNOWN_FUNCTION);
    ASSERT_EQ(raw_call(s0, 0, 0, 0, 0, &n), ARCA_ERR_UNKNOWN_FUNCTION);
    /* The request is parsed only once all of it is in private memory: with the progress
     * counter short of in_len the frame waits, and it is served when the rest lands.
     * Counters exist only for payloads larger than one chunk (docs/formats.md). */
    struct timespec settle = {0, 30 * 1000 * 1000};
    const uint64_t big = (uint64_t)ARCA__STREAM_CHUNK + 5;
    memset(arca__slot_payload(s0), 'z', (size_t)big);
    memcpy(arca__slot_payload(s0), "hello", 5);
    post_frame_ready(s0, PE_ECHO, 0, big, big, 2);
    nanosleep(&settle, NULL);
    ASSERT_UEQ(__atomic_load_n(&s0->state, __ATOMIC_ACQUIRE), ARCA__SLOT_ECALL);
    __atomic_store_n(&s0->in_ready, (uint32_t)big, __ATOMIC_SEQ_CST);
    arca__channel_wake_all(s0);
    ASSERT_TRUE(wait_state(s0, ARCA__SLOT_ECALL_DONE));
    ASSERT_EQ(s0->result, ARCA_OK);
    ASSERT_UEQ(s0->out_len, big);
    ASSERT_TRUE(wait_word(&s0->out_ready, (uint32_t)big)); /* the reply streams too */
    ASSERT_MEMEQ(arca__slot_payload(s0), "hello", 5);
    ASSERT_UEQ(arca__slot_payload(s0)[big - 1], 'z');
    s0->state = ARCA__SLOT_IDLE;
    /* A counter past in_len, or one that goes backwards, is a bad frame. */
    post_frame_ready(s0, PE_ECHO, 0, big, big, (uint32_t)big + 1);
    ASSERT_TRUE(wait_state(s0, ARCA__SLOT_ECALL_DONE));
    ASSERT_EQ(s0->result, ARCA_ERR_BAD_FRAME);
    ASSERT_UEQ(s0->out_len, 0);
    s0->state = ARCA__SLOT_IDLE;
    post_frame_ready(s0, PE_ECHO, 0, big, big, 0xFFFFFFFFu);
    ASSERT_TRUE(wait_state(s0, ARCA__SLOT_ECALL_DONE));
    ASSERT_EQ(s0->result, ARCA_ERR_BAD_FRAME);
    s0->state = ARCA__SLOT_IDLE;
    post_frame_ready(s0, PE_ECHO, 0, big, big, 3);
    nanosleep(&settle, NULL);
    ASSERT_UEQ(__atomic_load_n(&s0->state, __ATOMIC_ACQUIRE), ARCA__SLOT_ECALL);
    __atomic_store_n(&s0->in_ready, 1u, __ATOMIC_SEQ_CST);
    arca__channel_wake_all(s0);
    ASSERT_TRUE(wait_state(s0, ARCA__SLOT_ECALL_DONE));
    ASSERT_EQ(s0->result, ARCA_ERR_BAD_FRAME);
    s0->state = ARCA__SLOT_IDLE;
    /* A one-chunk payload is complete when the state is posted: its counter is never read,
     * so whatever it says changes nothing. */
    memcpy(arca__slot_payload(s0), "hello", 5);
    post_frame_ready(s0, PE_ECHO, 0, 5, 16, 0xFFFFFFFFu);
    ASSERT_TRUE(wait_state(s0, ARCA__SLOT_ECALL_DONE));
    ASSERT_EQ(s0->result, ARCA_OK);
    ASSERT_UEQ(s0->out_len, 5);
    ASSERT_MEMEQ(arca__slot_payload(s0), "hello", 5);
    s0->state = ARCA__SLOT_IDLE;

    /* A garbage state word is ignored by the enclave. */
    s0->state = 77;
    arca__channel_wake_all(s0);
    struct timespec ts = {0, 20 * 1000 * 1000};
    nanosleep(&ts, NULL);
    ASSERT_UEQ(s0->state, 77);
    s0->state = ARCA__SLOT_IDLE;

    /* The enclave keeps serving, through the API and raw. */
    ASSERT_OK(arca_enclave_call(e, PE_ECHO, "still here", 10, out, sizeof out, &got));
    ASSERT_EQ(got, 10);
    memcpy(arca__slot_payload(s1), "abc", 3);
    ASSERT_EQ(raw_call(s1, PE_ECHO, 0, 3, 3, &n), ARCA_OK);
    ASSERT_OK(arca_enclave_destroy(e));
}

struct flipper {
    struct arca__slot *slot;
    int stop;
    uint64_t flips;
};

static void *flip_thread(void *arg)
{
    struct flipper *f = arg;
    static const uint64_t lens[] = {5, UINT64_MAX, 5, ARCA_DEFAULT_MAX_PAYLOAD + 1, 0, 3};
    while (!__atomic_load_n(&f->stop, __ATOMIC_ACQUIRE)) {
        uint64_t i = f->flips++;
        __atomic_store_n(&f->slot->in_len, lens[i % 6], __ATOMIC_RELAXED);
        __atomic_store_n(&f->slot->out_cap, lens[(i + 1) % 6], __ATOMIC_RELAXED);
        __atomic_store_n(&f->slot->fn_id, (i & 4) ? PE_ECHO : 0xBAD, __ATOMIC_RELAXED);
        __atomic_store_n(&f->slot->flags, (i % 7 == 0) ? 0x40u : 0u, __ATOMIC_RELAXED);
    }
    return NULL;
}

static void test_header_changes_while_read(void)
{
    arca_enclave_t *e = NULL;
    pid_t runner = -1;
    raw_channel c;
    size_t got = 0;
    char out[16];
    ASSERT_OK(open_enclave(&e, &runner));
    ASSERT_TRUE(find_channel(runner, &c));
    struct arca__slot *s = raw_slot(&c, 2);
    memset(arca__slot_payload(s), 'z', 16);
    struct flipper f = {s, 0, 0};
    pthread_t t;
    pthread_create(&t, NULL, flip_thread, &f);
    int ok = 0, rejected = 0, unknown = 0, other = 0;
    for (int i = 0; i < 3000; i++) {
        post_frame(s, PE_ECHO, 0, 5, 16);
        if (!wait_state(s, ARCA__SLOT_ECALL_DONE)) {
            other++;
            break;
        }
        int32_t r = s->result;
        uint64_t n = s->out_len;
        __atomic_store_n(&s->state, ARCA__SLOT_IDLE, __ATOMIC_RELEASE);
        if (r == ARCA_OK && n <= ARCA_DEFAULT_MAX_PAYLOAD)
            ok++;
        else if (r == ARCA_ERR_BAD_FRAME && n == 0)
            rejected++;
        else if (r == ARCA_ERR_UNKNOWN_FUNCTION || r == ARCA_ERR_BUFFER_TOO_SMALL)
            unknown++;
        else
            other++;
    }
    __atomic_store_n(&f.stop, 1, __ATOMIC_RELEASE);
    pthread_join(t, NULL);
    fprintf(stderr, "  %d served, %d rejected, %d unknown/too small, %d other (%llu flips)\n", ok,
            rejected, unknown, other, (unsigned long long)f.flips);
    ASSERT_EQ(other, 0);
    ASSERT_EQ(ok + rejected + unknown, 3000);
    ASSERT_TRUE(rejected > 0);
    ASSERT_OK(arca_enclave_call(e, PE_ECHO, "survived", 8, out, sizeof out, &got));
    ASSERT_MEMEQ(out, "survived", 8);
    ASSERT_OK(arca_enclave_destroy(e));
}

/* Drive PE_HOST_CALL raw and answer the host call with (result, out_len) and the progress
 * counter `ready` (-1: the honest value). Returns what the enclave reported: the result its
 * arca_host_call() returned and the length it got. */
static int hostile_reply_ready(struct arca__slot *s, uint32_t cap, int32_t result,
                               uint64_t out_len, int64_t ready, uint64_t *enclave_saw_len)
{
    uint32_t req[2] = {HC_ANY, cap};
    memcpy(arca__slot_payload(s), req, sizeof req);
    post_frame(s, PE_HOST_CALL, 0, sizeof req, 16);
    if (!wait_state(s, ARCA__SLOT_OCALL))
        return -999;
    if (s->fn_id != HC_ANY || s->in_len != 4 || s->out_cap != cap)
        return -998;
    memset(arca__slot_payload(s), 0x66, 64);
    s->result = result;
    s->out_len = out_len;
    if (ready < 0) /* honest: all of the payload there is, is there */
        ready = result != ARCA_ERR_BUFFER_TOO_SMALL && out_len <= cap ? (int64_t)out_len : 0;
    s->out_ready = (uint32_t)ready;
    arca__channel_post(s, &s->runner_waiting, ARCA__SLOT_OCALL_DONE);
    if (!wait_state(s, ARCA__SLOT_ECALL_DONE) || s->result != ARCA_OK || s->out_len != 16)
        return -997;
    uint64_t report[2];
    memcpy(report, arca__slot_payload(s), sizeof report);
    __atomic_store_n(&s->state, ARCA__SLOT_IDLE, __ATOMIC_RELEASE);
    *enclave_saw_len = report[1];
    return (int)(int32_t)report[0];
}

static int hostile_reply(struct arca__slot *s, uint32_t cap, int32_t result, uint64_t out_len,
                         uint64_t *enclave_saw_len)
{
    return hostile_reply_ready(s, cap, result, out_len, -1, enclave_saw_len);
}

static void test_hostile_host_replies(void)
{
    arca_enclave_t *e = NULL;
    pid_t runner = -1;
    raw_channel c;
    uint64_t len = 0;
    size_t got = 0;
    ASSERT_OK(open_enclave(&e, &runner));
    ASSERT_TRUE(find_channel(runner, &c));
    struct arca__slot *s = raw_slot(&c, 1);

    /* Honest replies pass. */
    ASSERT_EQ(hostile_reply(s, 16, ARCA_OK, 16, &len), ARCA_OK);
    ASSERT_UEQ(len, 16);
    ASSERT_EQ(hostile_reply(s, 16, ARCA_ERR_BUFFER_TOO_SMALL, 1000, &len),
              ARCA_ERR_BUFFER_TOO_SMALL);
    ASSERT_UEQ(len, 1000); /* the size needed travels with "too small" */
    /* Output longer than asked. */
    ASSERT_EQ(hostile_reply(s, 16, ARCA_OK, 17, &len), ARCA_ERR_BAD_HOST_REPLY);
    ASSERT_UEQ(len, 0);
    ASSERT_EQ(hostile_reply(s, 0, ARCA_OK, 1, &len), ARCA_ERR_BAD_HOST_REPLY);
    ASSERT_EQ(hostile_reply(s, 16, ARCA_OK, UINT64_MAX, &len), ARCA_ERR_BAD_HOST_REPLY);
    /* Out-of-range result codes. */
    ASSERT_EQ(hostile_reply(s, 16, 12345, 0, &len), ARCA_ERR_BAD_HOST_REPLY);
    ASSERT_EQ(hostile_reply(s, 16, -1, 0, &len), ARCA_ERR_BAD_HOST_REPLY);
    ASSERT_EQ(hostile_reply(s, 16, INT32_MIN, 0, &len), ARCA_ERR_BAD_HOST_REPLY);
    ASSERT_EQ(hostile_reply(s, 16, ARCA__RESULT_COUNT, 0, &len), ARCA_ERR_BAD_HOST_REPLY);
    /* A progress counter that claims more bytes than the reply has (counters exist only for
     * replies larger than one chunk). */
    const uint32_t bigcap = ARCA__STREAM_CHUNK + 16, big = ARCA__STREAM_CHUNK + 8;
    ASSERT_EQ(hostile_reply_ready(s, bigcap, ARCA_OK, big, big + 1, &len), ARCA_ERR_BAD_HOST_REPLY);
    ASSERT_UEQ(len, 0);
    ASSERT_EQ(hostile_reply_ready(s, bigcap, ARCA_OK, big, 0xFFFFFFFF, &len),
              ARCA_ERR_BAD_HOST_REPLY);
    /* The honest counter with the same lengths passes. */
    ASSERT_EQ(hostile_reply(s, bigcap, ARCA_OK, big, &len), ARCA_OK);
    ASSERT_UEQ(len, big);
    /* A one-chunk reply (or "too small", which carries no payload) is complete when posted:
     * its counter is never read, so a lying one changes nothing. */
    ASSERT_EQ(hostile_reply_ready(s, 16, ARCA_OK, 8, 9, &len), ARCA_OK);
    ASSERT_UEQ(len, 8);
    ASSERT_EQ(hostile_reply_ready(s, 16, ARCA_ERR_BUFFER_TOO_SMALL, 100, 16, &len),
              ARCA_ERR_BUFFER_TOO_SMALL);
    ASSERT_UEQ(len, 100);
    ASSERT_EQ(hostile_reply_ready(s, 16, ARCA_OK, 0, 1, &len), ARCA_OK);
    ASSERT_UEQ(len, 0);
    ASSERT_EQ(hostile_reply(s, 16, ARCA_OK, 8, &len), ARCA_OK);
    ASSERT_UEQ(len, 8);

    /* The enclave keeps serving. */
    ASSERT_OK(arca_enclave_call(e, PE_EMPTY, NULL, 0, NULL, 0, &got));
    ASSERT_OK(arca_enclave_destroy(e));
}

/* ---- scenarios in a child process ---- */

static const char *workdir;            /* writable by the user the tests run as */
static char child_stderr_path[1100];  /* where in_child() puts a child's stderr */

/* Read a whole (small) file into buf, NUL-terminated; the length read, or -1. */
static long read_text(const char *path, char *buf, size_t cap)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    size_t n = fread(buf, 1, cap - 1, f);
    fclose(f);
    buf[n] = '\0';
    return (long)n;
}

static int write_text(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY);
    if (fd < 0)
        return 0;
    ssize_t n = write(fd, text, strlen(text));
    close(fd);
    return n == (ssize_t)strlen(text);
}

/*
 * Run fn in a child process, killed after timeout_s seconds; 1 if it passed. With capture,
 * the child's stderr is a fresh read-write regular file (child_stderr_path), which is what the
 * host's stderr often is (a log file), and which the scenario can read back; it is copied to
 * our stderr when the child failed.
 */
static int in_child(void (*fn)(void), int capture, int timeout_s)
{
    int status = 0, timed_out = 0;
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0)
        return 0;
    if (pid == 0) {
        if (capture) {
            int fd = open(child_stderr_path, O_RDWR | O_CREAT | O_TRUNC, 0600);
            if (fd < 0 || dup2(fd, STDERR_FILENO) < 0)
                _exit(3);
            close(fd);
        }
        test__current_failed = 0;
        fn();
        fflush(NULL);
        _exit(test__current_failed ? 1 : 0);
    }
    for (int waited = 0;; waited += 10) {
        if (waitpid(pid, &status, WNOHANG) == pid)
            break;
        if (waited >= timeout_s * 1000) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            timed_out = 1;
            break;
        }
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    int ok = !timed_out && WIFEXITED(status) && WEXITSTATUS(status) == 0;
    static char text[1 << 16];
    if (capture && read_text(child_stderr_path, text, sizeof text) >= 0) {
        if (!ok) {
            fprintf(stderr, "  --- the child's stderr ---\n%s  ---\n", text);
        } else {
            /* The scenario's own notes (indented lines), so a passing run still shows them. */
            for (char *line = text; line && *line;) {
                char *end = strchr(line, '\n');
                if (!strncmp(line, "  ", 2))
                    fprintf(stderr, "%.*s\n", end ? (int)(end - line) : (int)strlen(line), line);
                line = end ? end + 1 : NULL;
            }
        }
    }
    if (timed_out)
        fprintf(stderr, "  the child did not finish within %d s\n", timeout_s);
    return ok;
}

/* What the process backend's probe says here (`arca backends`). */
static void process_probe_why(char *why, size_t cap)
{
    why[0] = '\0';
    for (size_t i = 0; i < arca_backend_count(); i++) {
        arca_backend_info_t info;
        if (arca_backend_info(i, &info) == ARCA_OK && !strcmp(info.name, "process"))
            snprintf(why, cap, "%s", info.why);
    }
}

/* ---- an x32-ABI system call ---- */

struct watchdog {
    pid_t runner;
    int done; /* __atomic */
};

/* Kill the runner if the call has not returned within 10 s: the call then returns (lost),
 * late, instead of hanging the test. */
static void *watchdog_main(void *arg)
{
    struct watchdog *w = arg;
    for (int i = 0; i < 1000 && !__atomic_load_n(&w->done, __ATOMIC_ACQUIRE); i++) {
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    if (!__atomic_load_n(&w->done, __ATOMIC_ACQUIRE))
        kill(w->runner, SIGKILL);
    return NULL;
}

static void test_x32_syscall_ends_enclave(void)
{
    arca_enclave_t *e = NULL;
    pid_t runner = -1;
    size_t got = 0;
    pthread_t t;
    ASSERT_OK(open_enclave(&e, &runner));
    struct watchdog w = {runner, 0};
    ASSERT_EQ(pthread_create(&t, NULL, watchdog_main, &w), 0);
    double t0 = now_seconds();
    arca_result_t r = arca_enclave_call(e, PE_X32, NULL, 0, NULL, 0, &got);
    double seconds = now_seconds() - t0;
    char reason[256];
    snprintf(reason, sizeof reason, "%s", arca_last_error());
    __atomic_store_n(&w.done, 1, __ATOMIC_RELEASE);
    pthread_join(t, NULL);
    ASSERT_RESULT(r, ARCA_ERR_ENCLAVE_LOST);
    ASSERT_TRUE(seconds < 5.0); /* promptly, not when the watchdog stepped in */
    ASSERT_CONTAINS(reason, "seccomp");
    ASSERT_OK(arca_enclave_destroy(e));
    ASSERT_TRUE(pid_gone_within(runner, 2000));
}

/* ---- the runner's stderr ---- */

/* The host's stderr is a read-write regular file: the enclave maps fd 2 shared and writable
 * (to rewrite the host's log). Only anonymous mappings are allowed: the runner is killed. */
static void mmap_stderr_scenario(void)
{
    arca_enclave_t *e = NULL;
    pid_t runner = -1;
    struct stat st;
    size_t got = 0;
    ASSERT_EQ(fstat(STDERR_FILENO, &st), 0);
    ASSERT_TRUE(S_ISREG(st.st_mode));
    ASSERT_EQ(fcntl(STDERR_FILENO, F_GETFL) & O_ACCMODE, O_RDWR);
    ASSERT_OK(open_enclave(&e, &runner));
    ASSERT_RESULT(arca_enclave_call(e, PE_MMAP_FD, NULL, 0, NULL, 0, &got), ARCA_ERR_ENCLAVE_LOST);
    ASSERT_CONTAINS(arca_last_error(), "forbidden system call, mmap (");
    ASSERT_OK(arca_enclave_destroy(e));
}

static void test_mmap_of_stderr_killed(void)
{
    ASSERT_TRUE(in_child(mmap_stderr_scenario, 1, 60));
}

/* Raw bytes on the runner's stderr reach the host's stderr escaped, prefixed, cut and
 * rate-limited: they can neither drive the terminal nor flood the log. */
static void raw_stderr_scenario(void)
{
    static const char attack[] = "\x1b[2J\x1b[31mred\x07 \\ tail\n";
    static char text[1 << 16], line[1200], spam[500 * 5];
    arca_enclave_t *e = NULL;
    pid_t runner = -1;
    size_t got = 0;
    ASSERT_OK(open_enclave(&e, &runner));
    ASSERT_OK(arca_enclave_call(e, PE_RAW_STDERR, attack, sizeof attack - 1, NULL, 0, &got));
    memset(line, 'L', sizeof line - 1);
    line[sizeof line - 1] = '\n';
    ASSERT_OK(arca_enclave_call(e, PE_RAW_STDERR, line, sizeof line, NULL, 0, &got));
    for (size_t i = 0; i < sizeof spam; i += 5)
        memcpy(spam + i, "spam\n", 5);
    ASSERT_OK(arca_enclave_call(e, PE_RAW_STDERR, spam, sizeof spam, NULL, 0, &got));
    ASSERT_OK(arca_enclave_destroy(e)); /* the monitor has forwarded everything by now */

    long n = read_text(child_stderr_path, text, sizeof text);
    ASSERT_TRUE(n > 0);
    ASSERT_TRUE(memchr(text, 0x1b, (size_t)n) == NULL); /* no raw escape byte ... */
    ASSERT_TRUE(memchr(text, 0x07, (size_t)n) == NULL); /* ... nor bell */
    char expect[128];
    snprintf(expect, sizeof expect, "arca-runner[%d]: \\x1b[2J\\x1b[31mred\\x07 \\x5c tail\n",
             (int)runner);
    ASSERT_CONTAINS(text, expect);
    /* The long line is cut at 400 bytes. */
    char cut[440];
    memset(cut, 'L', 400);
    snprintf(cut + 400, sizeof cut - 400, " [cut]\n");
    ASSERT_CONTAINS(text, cut);
    /* 500 lines at once: the burst passes, the rest is counted, not printed. */
    int lines = 0;
    for (const char *p = text; (p = strstr(p, "]: spam\n")) != NULL; p++)
        lines++;
    fprintf(stderr, "  %d of 500 spam lines forwarded\n", lines);
    if (lines < 150 || lines > 260)
        ASSERT_EQ(lines, 200);
    /* Every dropped line is counted, in the forwarder's own words (no runner text can look
     * like "arca-runner[PID] dropped"). */
    long dropped = 0;
    snprintf(expect, sizeof expect, "arca-runner[%d] dropped ", (int)runner);
    for (const char *p = text; (p = strstr(p, expect)) != NULL; p++)
        dropped += strtol(p + strlen(expect), NULL, 10);
    ASSERT_EQ(dropped + lines, 500);
}

static void test_raw_stderr_escaped(void)
{
    ASSERT_TRUE(in_child(raw_stderr_scenario, 1, 60));
}

/* ---- a launcher the runner cannot trust ---- */

struct leak {
    int mem, vm, ptrace_seize; /* which attack read or attached */
};

/* The attacks of test_memory_reads_denied and test_debugger_denied, recorded, not asserted. */
static void try_attacks(arca_enclave_t *e, pid_t runner, struct leak *leak)
{
    uint64_t where[2] = {0, 0};
    uint8_t buf[64];
    size_t got = 0;
    char path[64];
    memset(leak, 0, sizeof *leak);
    if (arca_enclave_call(e, PE_SECRET, NULL, 0, where, sizeof where, &got) != ARCA_OK)
        return;
    snprintf(path, sizeof path, "/proc/%d/mem", (int)runner);
    int fd = open(path, O_RDONLY);
    if (fd >= 0) {
        memset(buf, 0, sizeof buf);
        leak->mem = pread(fd, buf, sizeof buf, (off_t)where[0]) == (ssize_t)sizeof buf &&
                    buf[0] == SECRET_BYTE;
        close(fd);
    }
    struct iovec local = {buf, sizeof buf};
    struct iovec remote = {(void *)(uintptr_t)where[0], sizeof buf};
    memset(buf, 0, sizeof buf);
    leak->vm = process_vm_readv(runner, &local, 1, &remote, 1, 0) == (ssize_t)sizeof buf &&
               buf[0] == SECRET_BYTE;
    if (ptrace(PTRACE_SEIZE, runner, NULL, NULL) == 0) {
        int status;
        leak->ptrace_seize = 1;
        /* Stop it to detach it (a seized tracee detaches only from a stop). */
        if (ptrace(PTRACE_INTERRUPT, runner, NULL, NULL) == 0 &&
            waitpid(runner, &status, __WALL) == runner)
            ptrace(PTRACE_DETACH, runner, NULL, NULL);
    }
    fprintf(stderr, "  /proc/PID/mem %s, process_vm_readv %s, PTRACE_SEIZE %s\n",
            leak->mem ? "read the secret" : "denied", leak->vm ? "read the secret" : "denied",
            leak->ptrace_seize ? "attached" : "denied");
}

/* `unshare -Ur`: the host in a user namespace of its own, mapping its uid to root there, as
 * every rootless container, bubblewrap or flatpak does. The namespace owns the runner's
 * memory, so nothing but separate-process may be reported, and the reason must be said. */
static void userns_scenario(void)
{
    arca_enclave_t *e = NULL;
    pid_t runner = -1;
    arca_identity_t id;
    struct leak leak;
    char map[64], why[256];
    static char text[1 << 16];
    size_t got = 0;
    uid_t uid = getuid();
    gid_t gid = getgid();
    ASSERT_EQ(unshare(CLONE_NEWUSER), 0);
    snprintf(map, sizeof map, "0 %u 1\n", (unsigned)uid);
    ASSERT_TRUE(write_text("/proc/self/uid_map", map));
    ASSERT_TRUE(write_text("/proc/self/setgroups", "deny"));
    snprintf(map, sizeof map, "0 %u 1\n", (unsigned)gid);
    ASSERT_TRUE(write_text("/proc/self/gid_map", map));
    ASSERT_EQ(getuid(), 0);

    ASSERT_OK(open_enclave(&e, &runner));
    ASSERT_OK(arca_enclave_identity(e, &id));
    try_attacks(e, runner, &leak);
    /* What the namespace's owner can do contradicts no reported bit. */
    if (leak.mem || leak.vm || leak.ptrace_seize)
        ASSERT_TRUE((id.protections & ARCA_PROT_NODUMP) == 0);
    ASSERT_UEQ(id.protections, ARCA_PROT_SEPARATE_PROCESS);
    /* And the host is told why, once, on stderr; `arca backends` says it too. */
    ASSERT_TRUE(read_text(child_stderr_path, text, sizeof text) > 0);
    ASSERT_CONTAINS(text, "not in the initial user namespace");
    ASSERT_CONTAINS(text, "only separate-process is reported");
    process_probe_why(why, sizeof why);
    ASSERT_CONTAINS(why, "not in the initial user namespace");
    ASSERT_OK(arca_enclave_call(e, PE_EMPTY, NULL, 0, NULL, 0, &got));
    ASSERT_OK(arca_enclave_destroy(e));
}

static void test_user_namespace_launcher(void)
{
    ASSERT_TRUE(in_child(userns_scenario, 1, 60));
}

/* A launcher with a seccomp user-notification filter answers the runner's
 * prctl(PR_SET_DUMPABLE, 0) and prctl(PR_GET_DUMPABLE) itself: the runner stays dumpable. */
static int supervisor_pipe[2];
static int supervisor_answered; /* __atomic */

static void *supervisor_main(void *arg)
{
    (void)arg;
    int fd = -1;
    struct seccomp_notif *req = NULL;
    struct seccomp_notif_resp *resp = NULL;
    if (read(supervisor_pipe[0], &fd, sizeof fd) != (ssize_t)sizeof fd ||
        seccomp_notify_alloc(&req, &resp) != 0)
        return NULL;
    for (;;) {
        /* The kernel wants a zeroed request (libseccomp 2.5 does not clear it). */
        memset(req, 0, sizeof *req);
        if (seccomp_notify_receive(fd, req) != 0) {
            struct timespec ts = {0, 1000 * 1000};
            nanosleep(&ts, NULL);
            continue; /* interrupted, or the caller died meanwhile */
        }
        memset(resp, 0, sizeof *resp);
        resp->id = req->id;
        resp->val = 0;   /* "done" for SET, "not dumpable" for GET */
        resp->error = 0;
        __atomic_add_fetch(&supervisor_answered, 1, __ATOMIC_RELEASE);
        (void)seccomp_notify_respond(fd, resp);
    }
    return NULL;
}

static void seccomp_notify_scenario(void)
{
    arca_enclave_t *e = NULL;
    pid_t runner = -1;
    arca_identity_t id;
    struct leak leak;
    char why[256];
    static char text[1 << 16];
    pthread_t t;
    /* The supervisor thread exists before the filter: it is not filtered itself. */
    ASSERT_EQ(pipe(supervisor_pipe), 0);
    ASSERT_EQ(pthread_create(&t, NULL, supervisor_main, NULL), 0);
    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
    const struct scmp_arg_cmp set = {0, SCMP_CMP_EQ, PR_SET_DUMPABLE, 0};
    const struct scmp_arg_cmp get = {0, SCMP_CMP_EQ, PR_GET_DUMPABLE, 0};
    ASSERT_TRUE(ctx != NULL);
    ASSERT_EQ(seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, SCMP_SYS(prctl), 1, set), 0);
    ASSERT_EQ(seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, SCMP_SYS(prctl), 1, get), 0);
    ASSERT_EQ(seccomp_load(ctx), 0);
    int fd = seccomp_notify_fd(ctx);
    ASSERT_TRUE(fd >= 0);
    ASSERT_EQ(write(supervisor_pipe[1], &fd, sizeof fd), (long)sizeof fd);
    ASSERT_EQ(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), 0); /* the lie works: this host is dumpable */

    int before = __atomic_load_n(&supervisor_answered, __ATOMIC_ACQUIRE);
    ASSERT_OK(open_enclave(&e, &runner));
    ASSERT_OK(arca_enclave_identity(e, &id));
    /* The runner's PR_SET_DUMPABLE and PR_GET_DUMPABLE were answered by the supervisor. */
    ASSERT_TRUE(__atomic_load_n(&supervisor_answered, __ATOMIC_ACQUIRE) >= before + 2);
    try_attacks(e, runner, &leak);
    ASSERT_TRUE((id.protections & ARCA_PROT_NODUMP) == 0);
    ASSERT_UEQ(id.protections, ARCA_PROT_SEPARATE_PROCESS);
    ASSERT_TRUE(read_text(child_stderr_path, text, sizeof text) > 0);
    ASSERT_CONTAINS(text, "inherited seccomp filter");
    ASSERT_CONTAINS(text, "only separate-process is reported");
    process_probe_why(why, sizeof why);
    ASSERT_CONTAINS(why, "inherited seccomp filter");
    ASSERT_OK(arca_enclave_destroy(e));
    /* The child exits with the supervisor still blocked in its receive. */
}

static void test_seccomp_notify_launcher(void)
{
    ASSERT_TRUE(in_child(seccomp_notify_scenario, 1, 60));
}

/* A launcher traced by a debugger that follows forks (strace -f, gdb with follow-fork): the
 * runner would be traced from its first instruction, and a tracer sees and changes everything.
 * The runner refuses to start and says why. Here the tracer is this scenario's process, and the
 * host (its child) creates the enclave. */
static void traced_host(void)
{
    arca_enclave_t *e = NULL;
    arca_result_t r = open_enclave(&e, NULL);
    fprintf(stderr, "  traced host: %s: %s\n", arca_result_name(r), arca_last_error());
    ASSERT_RESULT(r, ARCA_ERR_PERMISSION);
    ASSERT_CONTAINS(arca_last_error(), "tracer");
    ASSERT_TRUE(e == NULL);
}

static void traced_scenario(void)
{
    int status = 0, host_status = -1;
    fflush(NULL);
    pid_t host = fork();
    ASSERT_TRUE(host >= 0);
    if (host == 0) {
        if (ptrace(PTRACE_TRACEME, 0, NULL, NULL) != 0)
            _exit(4);
        raise(SIGSTOP);
        test__current_failed = 0;
        traced_host();
        fflush(NULL);
        _exit(test__current_failed ? 1 : 0);
    }
    ASSERT_EQ(waitpid(host, &status, 0), host);
    ASSERT_TRUE(WIFSTOPPED(status));
    ASSERT_EQ(ptrace(PTRACE_SETOPTIONS, host, NULL,
                     (void *)(uintptr_t)(PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK |
                                         PTRACE_O_TRACECLONE | PTRACE_O_EXITKILL)),
              0);
    ASSERT_EQ(ptrace(PTRACE_CONT, host, NULL, NULL), 0);
    /* Follow every thread and child (the runner too) until the host has exited. */
    double end = now_seconds() + 50;
    while (host_status < 0 && now_seconds() < end) {
        pid_t w = waitpid(-1, &status, __WALL);
        if (w < 0)
            break;
        if (w == host && (WIFEXITED(status) || WIFSIGNALED(status))) {
            host_status = status;
        } else if (WIFSTOPPED(status)) {
            int sig = WSTOPSIG(status), event = status >> 16;
            /* Pass on real signals; swallow the stops ptrace itself causes. */
            int inject = event == 0 && sig != SIGTRAP && sig != SIGSTOP ? sig : 0;
            ptrace(PTRACE_CONT, w, NULL, (void *)(uintptr_t)inject);
        }
    }
    ASSERT_TRUE(host_status >= 0);
    ASSERT_TRUE(WIFEXITED(host_status));
    ASSERT_EQ(WEXITSTATUS(host_status), 0);
}

static void test_traced_launcher_refused(void)
{
    ASSERT_TRUE(in_child(traced_scenario, 1, 60));
}

/* ---- protected memory under the usual locked-memory limit ---- */

static uint64_t memlock_limit;

/* A default-config enclave under RLIMIT_MEMLOCK = memlock_limit: with 8 MiB its heap, stacks
 * and call buffers are protected memory; with 1 MiB it still starts, without the bits, and
 * says why. */
static void memlock_scenario(void)
{
    arca_enclave_t *e = NULL;
    arca_identity_t id;
    uint64_t small[WHERE_COUNT], large[WHERE_COUNT];
    static uint8_t in[64 * 1024];
    static char text[1 << 16];
    size_t got = 0;
    struct rlimit lim = {(rlim_t)memlock_limit, (rlim_t)memlock_limit};
    ASSERT_EQ(setrlimit(RLIMIT_MEMLOCK, &lim), 0);
    ASSERT_OK(open_process_enclave(image_default, host_calls, 1, &e, NULL));
    ASSERT_OK(arca_enclave_identity(e, &id));
    /* A call that fits the kept buffers, and one that gets buffers of its own. */
    ASSERT_OK(arca_enclave_call(e, PE_WHERE, in, 100, small, sizeof small, &got));
    ASSERT_OK(arca_enclave_call(e, PE_WHERE, in, sizeof in, large, sizeof in, &got));
    ASSERT_OK(arca_enclave_destroy(e));
    ASSERT_TRUE(read_text(child_stderr_path, text, sizeof text) >= 0);
    if (memlock_limit >= (8u << 20)) {
        ASSERT_TRUE(id.protections & (ARCA_PROT_SECRETMEM | ARCA_PROT_MLOCK));
        ASSERT_TRUE(strstr(text, "RLIMIT_MEMLOCK") == NULL);
        /* In secretmem, the kernel cannot pin the stack or either buffer (futex EFAULT):
         * they are not ordinary memory. tests/process checks /proc/PID/maps as root. */
        if (id.protections & ARCA_PROT_SECRETMEM)
            for (int i = 3; i < WHERE_COUNT; i++) {
                ASSERT_UEQ(small[i], EFAULT);
                ASSERT_UEQ(large[i], EFAULT);
            }
    } else {
        ASSERT_TRUE((id.protections & (ARCA_PROT_SECRETMEM | ARCA_PROT_MLOCK)) == 0);
        ASSERT_TRUE(id.protections & ARCA_PROT_SECCOMP); /* the rest still holds */
        ASSERT_CONTAINS(text, "exceed RLIMIT_MEMLOCK");
        for (int i = 3; i < WHERE_COUNT; i++)
            ASSERT_UEQ(small[i], 0); /* ordinary memory, as said */
    }
}

static void test_default_fits_usual_memlock(void)
{
    memlock_limit = 8u << 20; /* prlimit --memlock=8388608 */
    ASSERT_TRUE(in_child(memlock_scenario, 1, 60));
}

static void test_memlock_too_small_says_so(void)
{
    memlock_limit = 1u << 20;
    ASSERT_TRUE(in_child(memlock_scenario, 1, 60));
}

/* ---- running as an unprivileged user ---- */

static int run_all(void)
{
    RUN(test_memory_reads_denied);
    RUN(test_debugger_denied);
    RUN(test_open_killed);
    RUN(test_socket_killed);
    RUN(test_execve_killed);
    RUN(test_ptrace_killed);
    RUN(test_mmap_exec_killed);
    RUN(test_mprotect_exec_killed);
    RUN(test_hostile_frames);
    RUN(test_header_changes_while_read);
    RUN(test_hostile_host_replies);
    RUN(test_x32_syscall_ends_enclave);
    RUN(test_mmap_of_stderr_killed);
    RUN(test_raw_stderr_escaped);
    RUN(test_user_namespace_launcher);
    RUN(test_seccomp_notify_launcher);
    RUN(test_traced_launcher_refused);
    RUN(test_default_fits_usual_memlock);
    RUN(test_memlock_too_small_says_so);
    return TEST_SUMMARY();
}

static unprivileged_file files[2];

/* Every path the tests use, then the tests (tests/unprivileged.h dropped to 65534 when root). */
static int run_unprivileged(void)
{
    image = files[0].path;
    image_default = files[1].path;
    workdir = unprivileged_workdir;
    snprintf(child_stderr_path, sizeof child_stderr_path, "%s/child-stderr", workdir);
    return run_all();
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s process-enclave.signed.so process-enclave-default.signed.so\n",
                argv[0]);
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    files[0].source = argv[1];
    files[1].source = argv[2];
    return unprivileged_run("attack", files, 2, run_unprivileged);
}
