/*
 * test_attack.c — attacks on a process-backend enclave by its own host, as the same
 * non-root user: read its memory (/proc/PID/mem, process_vm_readv), attach a debugger
 * (PTRACE_ATTACH, PTRACE_SEIZE), make the enclave do what the sandbox forbids (open, socket,
 * execve, ptrace, executable memory), write hostile frames straight into the shared slot
 * (lengths past the slot, overflowing sizes, bad flags and ids, a header that changes while
 * the enclave reads it) and answer host calls with hostile replies.
 *
 * Root bypasses dumpable, so when started as root (CI) the test forks a child that drops to
 * uid/gid 65534 with a private platform directory and runs everything there. The image and
 * arca-runner ($ARCA_RUNNER) are copied into that directory first: uid 65534 may not be able
 * to traverse the directory the build tree lives in (a CI checkout under a 0700 home). Each "must
 * fail" attack is paired with the same attack on an ordinary child process, which must
 * succeed: the denial comes from the enclave's protections, not from the test setup.
 *
 * The raw slot is reached the way a hostile host would: the channel is a shared mapping in
 * the host's own address space (found in /proc/self/maps), laid out as src/common/channel.h
 * documents. No test-only hook is needed.
 *
 * argv: process-enclave.signed.so
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
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "arca/host.h"
#include "common/channel.h"
#include "process_ids.h"
#include "runner_util.h"
#include "test.h"

static char image[4096];

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

static void forbidden(uint32_t fn)
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
    ASSERT_RESULT(arca_enclave_call(e, PE_EMPTY, NULL, 0, NULL, 0, &got), ARCA_ERR_ENCLAVE_LOST);
    ASSERT_OK(arca_enclave_destroy(e));
    ASSERT_TRUE(pid_gone_within(runner, 2000));
    /* The host keeps working: a new enclave serves calls. */
    ASSERT_OK(open_enclave(&e, &runner));
    ASSERT_OK(arca_enclave_call(e, PE_EMPTY, NULL, 0, NULL, 0, &got));
    ASSERT_OK(arca_enclave_destroy(e));
}

static void test_open_killed(void) { forbidden(PE_OPEN); }
static void test_socket_killed(void) { forbidden(PE_SOCKET); }
static void test_execve_killed(void) { forbidden(PE_EXECVE); }
static void test_ptrace_killed(void) { forbidden(PE_PTRACE); }
static void test_mmap_exec_killed(void) { forbidden(PE_MMAP_EXEC); }
static void test_mprotect_exec_killed(void) { forbidden(PE_MPROTECT_EXEC); }

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
    return TEST_SUMMARY();
}

static int copy_file(const char *from, const char *to)
{
    FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
    char buf[65536];
    size_t n;
    int ok = in && out;
    while (ok && (n = fread(buf, 1, sizeof buf, in)) > 0)
        ok = fwrite(buf, 1, n, out) == n;
    if (in)
        fclose(in);
    if (out && fclose(out) != 0)
        ok = 0;
    return ok;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s process-enclave.signed.so\n", argv[0]);
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    if (geteuid() != 0) {
        snprintf(image, sizeof image, "%s", argv[1]);
        return run_all();
    }
    /* Root: drop to nobody in a child, with a private writable directory. */
    char dir[] = "/tmp/arca-attack-XXXXXX";
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    snprintf(image, sizeof image, "%s/enclave.signed.so", dir);
    char platform[512], runner[512];
    snprintf(platform, sizeof platform, "%s/platform", dir);
    snprintf(runner, sizeof runner, "%s/arca-runner", dir);
    const char *build_runner = getenv("ARCA_RUNNER");
    if (!build_runner || !build_runner[0]) {
        fprintf(stderr, "test_attack: as root, set ARCA_RUNNER to the arca-runner to test (ctest does)\n");
        return 1;
    }
    /* The runner stays root-owned, mode 0755: nobody can run it but not replace it. */
    if (!copy_file(argv[1], image) || !copy_file(build_runner, runner) || chmod(runner, 0755) != 0 ||
        chown(dir, 65534, 65534) != 0 || chown(image, 65534, 65534) != 0 ||
        setenv("ARCA_RUNNER", runner, 1) != 0) {
        perror("preparing the unprivileged directory");
        return 1;
    }
    fflush(NULL);
    pid_t child = fork();
    if (child == 0) {
        if (setgroups(0, NULL) != 0 || setgid(65534) != 0 || setuid(65534) != 0) {
            perror("dropping privileges");
            _exit(1);
        }
        /* setuid() left this process non-dumpable; an ordinary host process is dumpable
         * (and the control experiments need ordinary children). */
        prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
        setenv("ARCA_PLATFORM_DIR", platform, 1);
        fprintf(stderr, "running as uid %d\n", (int)getuid());
        _exit(run_all());
    }
    int status = 0;
    waitpid(child, &status, 0);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "warning: could not remove %s\n", dir);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
