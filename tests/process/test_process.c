/*
 * test_process.c — behaviour specific to the process backend: the protections it reports,
 * the runner's clean start (no environment, no stray fds, stderr a pipe), the secure heap seen
 * from inside the enclave (torture, out of memory, large blocks, freed chunks wiped, the cost
 * of a small malloc), stacks and call buffers in protected memory, a call too large for the
 * heap, faults (crash, abort, kill -9 mid-call, host death), destroy while calls run,
 * options (max_payload, runner_path), switchless enclaves, nested ecalls as a hostile host
 * drives them through the raw slot, and no leaked fds or zombies.
 *
 * argv: process-enclave.signed.so process-enclave-switchless.signed.so
 *       process-enclave-default.signed.so (no enclave.conf: every default)
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "arca/host.h"
#include "channel/channel.h"
#include "process_ids.h"
#include "runner_util.h"
#include "test.h"

static const char *image, *image_switchless, *image_default;

/* Set: hc_echo first passes the bytes through a nested PE_ECHO into this enclave (a call back in
 * from the host call, on its slot), so every payload crosses the slot four times in one call. */
static arca_enclave_t *nest_echo_enclave;

static arca_result_t hc_echo(void *ctx, const uint8_t *in, size_t in_len, uint8_t *out,
                             size_t out_cap, size_t *out_len)
{
    (void)ctx;
    if (nest_echo_enclave) {
        arca_result_t r = arca_enclave_call(nest_echo_enclave, PE_ECHO, in, in_len, out, out_cap,
                                            out_len);
        for (size_t i = 0; r == ARCA_OK && i < *out_len; i++)
            out[i] ^= 0x5A;
        return r;
    }
    *out_len = in_len;
    if (in_len > out_cap)
        return ARCA_ERR_BUFFER_TOO_SMALL;
    for (size_t i = 0; i < in_len; i++)
        out[i] = in[i] ^ 0x5A;
    return ARCA_OK;
}

static const arca_host_call_t host_calls[] = {{HC_EMPTY, test_hc_nothing},
                                             {HC_ECHO, hc_echo}};

static arca_result_t open_process(const char *path, arca_enclave_t **e, pid_t *runner)
{
    return open_process_enclave(path, host_calls, 2, e, runner);
}

static arca_result_t call_u32(arca_enclave_t *e, uint32_t fn, uint32_t arg)
{
    size_t got = 0;
    return arca_enclave_call(e, fn, &arg, sizeof arg, NULL, 0, &got);
}

static int count_fds(void)
{
    int n = 0;
    DIR *d = opendir("/proc/self/fd");
    if (!d)
        return -1;
    while (readdir(d))
        n++;
    closedir(d);
    return n;
}

static long landlock_abi(void)
{
    return syscall(444, NULL, 0, 1u);
}

/* ---- the raw slot, as a hostile host sees it (tests/attack does the same) ---- */

/* The channel of @p runner, mapped in this process: its slot @p k, or NULL. */
static struct arca__slot *raw_slot_of(pid_t runner, uint32_t k)
{
    FILE *f = fopen("/proc/self/maps", "r");
    char line[512];
    struct arca__slot *slot = NULL;
    if (!f)
        return NULL;
    while (!slot && fgets(line, sizeof line, f)) {
        unsigned long start = 0;
        if (!strstr(line, "/memfd:arca-channel") || sscanf(line, "%lx-", &start) != 1)
            continue;
        const struct arca__channel_info *info = (const void *)start;
        if (info->magic == ARCA__CHANNEL_MAGIC && info->runner_pid == (uint64_t)runner &&
            k < info->slot_count)
            slot = (struct arca__slot *)(start + ARCA__CHANNEL_INFO_SIZE + k * info->slot_stride);
    }
    fclose(f);
    return slot;
}

/* Wait (bounded, 5 s) until the slot's state is @p want; 1 on success. */
static int raw_wait(struct arca__slot *s, uint32_t want)
{
    for (int i = 0; i < 50000; i++) {
        if (__atomic_load_n(&s->state, __ATOMIC_ACQUIRE) == want)
            return 1;
        struct timespec ts = {0, 100 * 1000};
        nanosleep(&ts, NULL);
    }
    return 0;
}

/* Post an ecall of @p in_len bytes (one piece) with @p flags, as the host library does. */
static void raw_ecall(struct arca__slot *s, uint32_t fn, uint32_t flags, const void *in,
                      uint32_t in_len, uint64_t out_cap)
{
    memcpy(arca__slot_payload(s), in, in_len);
    s->fn_id = fn;
    s->flags = flags;
    s->in_len = in_len;
    s->out_cap = out_cap;
    s->result = -1;
    s->out_len = 12345;
    arca__channel_post(s, &s->runner_waiting, ARCA__SLOT_ECALL);
}

/* PE_HOST_CALL of HC_ANY with no reply capacity: the enclave thread then waits in the slot. */
static int raw_enter_host_call_id(struct arca__slot *s, uint32_t id)
{
    uint32_t req[2] = {id, 0};
    raw_ecall(s, PE_HOST_CALL, 0, req, sizeof req, 16);
    return raw_wait(s, ARCA__SLOT_OCALL) && s->fn_id == id;
}

static int raw_enter_host_call(struct arca__slot *s)
{
    return raw_enter_host_call_id(s, HC_ANY);
}

/* Answer the host call the slot's thread waits in with an empty OK, and wait for the ecall it
 * came from to end: 1 if that ecall (PE_HOST_CALL) reported the host call's OK. */
static int raw_leave_host_call(struct arca__slot *s)
{
    uint64_t report[2] = {1, 1};
    s->result = ARCA_OK;
    s->out_len = 0;
    arca__channel_post(s, &s->runner_waiting, ARCA__SLOT_OCALL_DONE);
    if (!raw_wait(s, ARCA__SLOT_ECALL_DONE) || s->result != ARCA_OK || s->out_len != 16)
        return 0;
    memcpy(report, arca__slot_payload(s), sizeof report);
    return report[0] == ARCA_OK && report[1] == 0;
}

/* ---- tests ---- */

static void test_protections_reported(void)
{
    arca_enclave_t *e = NULL;
    arca_identity_t id;
    ASSERT_OK(open_process(image, &e, NULL));
    ASSERT_STREQ(arca_enclave_backend(e), "process");
    ASSERT_OK(arca_enclave_identity(e, &id));
    ASSERT_EQ(id.backend, ARCA_BACKEND_ID_PROCESS);
    uint32_t always = ARCA_PROT_SEPARATE_PROCESS | ARCA_PROT_NODUMP | ARCA_PROT_NOCORE |
                      ARCA_PROT_NO_NEW_PRIVS | ARCA_PROT_SECCOMP;
    ASSERT_UEQ(id.protections & always, always);
    /* This kernel offers Landlock and user namespaces (checked independently here). */
    if (landlock_abi() >= 1)
        ASSERT_TRUE(id.protections & ARCA_PROT_LANDLOCK);
    ASSERT_TRUE(id.protections & ARCA_PROT_NAMESPACES);
    /* Exactly one heap protection, never both. */
    ASSERT_TRUE(((id.protections & ARCA_PROT_SECRETMEM) != 0) +
                    ((id.protections & ARCA_PROT_MLOCK) != 0) <= 1);
    if (geteuid() == 0) /* root has no RLIMIT_MEMLOCK: secretmem must have worked */
        ASSERT_TRUE(id.protections & ARCA_PROT_SECRETMEM);
    ASSERT_OK(arca_enclave_destroy(e));
}

static void test_probe_lists_process(void)
{
    int found = 0;
    for (size_t i = 0; i < arca_backend_count(); i++) {
        arca_backend_info_t info;
        ASSERT_OK(arca_backend_info(i, &info));
        if (!strcmp(info.name, "process")) {
            found = 1;
            ASSERT_TRUE(info.available);
            ASSERT_CONTAINS(info.protects, "non-root users");
        }
    }
    ASSERT_TRUE(found);
}

static void test_clean_environment(void)
{
    arca_enclave_t *e = NULL;
    uint64_t count = 99;
    size_t got = 0;
    setenv("ARCA_TEST_HOST_SECRET", "must-not-reach-the-runner", 1);
    ASSERT_OK(open_process(image, &e, NULL));
    ASSERT_OK(arca_enclave_call(e, PE_ENV, NULL, 0, &count, sizeof count, &got));
    ASSERT_EQ(got, sizeof count);
    ASSERT_EQ(count, 0);
    ASSERT_OK(arca_enclave_destroy(e));
    unsetenv("ARCA_TEST_HOST_SECRET");
}

static void test_runner_fds(void)
{
    arca_enclave_t *e = NULL;
    pid_t runner = -1;
    char path[64];
    ASSERT_OK(open_process(image, &e, &runner));
    ASSERT_TRUE(runner > 0);
    snprintf(path, sizeof path, "/proc/%d/fd", (int)runner);
    DIR *d = opendir(path);
    if (geteuid() != 0) {
        /* Not dumpable: the host's own user cannot even list the runner's fds. */
        ASSERT_TRUE(d == NULL);
    } else {
        ASSERT_TRUE(d != NULL);
        struct dirent *de;
        int bad = -1;
        while ((de = readdir(d)) != NULL) {
            if (de->d_name[0] == '.')
                continue;
            int fd = atoi(de->d_name);
            /* 0, 1 /dev/null; 2 stderr; 3 control; 6 the platform connection. Image (4) and
             * channel (5) are closed once mapped. */
            if (fd > 3 && fd != 6)
                bad = fd;
        }
        closedir(d);
        ASSERT_EQ(bad, -1);
        /* stderr is a pipe of libarca's, never the host's own stderr (whatever that is). */
        struct stat runner_err, host_err;
        snprintf(path, sizeof path, "/proc/%d/fd/2", (int)runner);
        ASSERT_EQ(stat(path, &runner_err), 0);
        ASSERT_EQ(fstat(STDERR_FILENO, &host_err), 0);
        ASSERT_TRUE(S_ISFIFO(runner_err.st_mode));
        ASSERT_TRUE(runner_err.st_ino != host_err.st_ino || runner_err.st_dev != host_err.st_dev);
    }
    ASSERT_OK(arca_enclave_destroy(e));
}

static void test_heap_from_inside(void)
{
    arca_enclave_t *e = NULL;
    uint64_t failed = 0;
    size_t got = 0;
    ASSERT_OK(open_process(image, &e, NULL));
    ASSERT_OK(arca_enclave_call(e, PE_HEAP, NULL, 0, &failed, sizeof failed, &got));
    ASSERT_EQ(failed, 0);
    ASSERT_OK(arca_enclave_call(e, PE_OOM, NULL, 0, &failed, sizeof failed, &got));
    ASSERT_EQ(failed, 0);
    /* The heap still works after running out. */
    ASSERT_OK(arca_enclave_call(e, PE_HEAP, NULL, 0, &failed, sizeof failed, &got));
    ASSERT_EQ(failed, 0);
    ASSERT_OK(arca_enclave_destroy(e));
}

/* The torture test on every enclave thread at once (Threads = 4), each with its own sequence:
 * the heap's lock, and large blocks wiped with it released while neighbours change. */
typedef struct heap_worker {
    arca_enclave_t *e;
    uint64_t arg[2]; /* seed, live blocks: a quarter of the torture test's, so four fit */
    arca_result_t result;
    uint64_t failed; /* the torture test's failed check (0: none) */
} heap_worker;

static void *heap_worker_main(void *arg)
{
    heap_worker *w = arg;
    size_t got = 0;
    w->result = ARCA_OK;
    for (int round = 0; round < 2 && w->result == ARCA_OK && !w->failed; round++) {
        w->result = arca_enclave_call(w->e, PE_HEAP, w->arg, sizeof w->arg, &w->failed,
                                      sizeof w->failed, &got);
        w->arg[0] += 7919;
    }
    return NULL;
}

static void test_heap_concurrent(void)
{
    enum { WORKERS = 4 };
    arca_enclave_t *e = NULL;
    heap_worker w[WORKERS];
    pthread_t threads[WORKERS];
    ASSERT_OK(open_process(image, &e, NULL));
    for (int i = 0; i < WORKERS; i++) {
        w[i] = (heap_worker){e, {0x9E3779B97F4A7C15ull * (uint64_t)(i + 1), 128}, ARCA_ERR_INTERNAL,
                             0};
        ASSERT_EQ(pthread_create(&threads[i], NULL, heap_worker_main, &w[i]), 0);
    }
    for (int i = 0; i < WORKERS; i++)
        pthread_join(threads[i], NULL);
    ASSERT_OK(arca_enclave_destroy(e));
    for (int i = 0; i < WORKERS; i++) {
        ASSERT_OK(w[i].result);
        ASSERT_EQ(w[i].failed, 0);
    }
}

/*
 * Half of a 16 MiB HeapSize in one block: on a fresh enclave; after a large block was freed
 * while small allocations made meanwhile stay; and after the torture test. Large blocks come
 * from the top of the arena and small ones from the bottom, so a small allocation made while a
 * large block is live cannot split the free space into two parts that are each too small.
 */
static void test_heap_large_block(void)
{
    arca_enclave_t *e = NULL;
    uint64_t failed = 0, bytes = 8u << 20, working = (8u << 20) - (64u << 10);
    size_t got = 0;
    arca_result_t r[5];
    /* Every result first, then the enclave is destroyed, then the checks. */
    ASSERT_OK(open_process(image, &e, NULL));
    r[0] = arca_enclave_call(e, PE_BIG_ALLOC, &bytes, sizeof bytes, &failed, sizeof failed, &got);
    r[1] = arca_enclave_call(e, PE_SPLIT_HEAP, &working, sizeof working, NULL, 0, &got);
    r[2] = arca_enclave_call(e, PE_BIG_ALLOC, &bytes, sizeof bytes, &failed, sizeof failed, &got);
    r[3] = arca_enclave_call(e, PE_HEAP, NULL, 0, &failed, sizeof failed, &got);
    if (r[3] == ARCA_OK && failed)
        r[3] = ARCA_ERR_INTERNAL;
    r[4] = arca_enclave_call(e, PE_BIG_ALLOC, &bytes, sizeof bytes, &failed, sizeof failed, &got);
    ASSERT_OK(arca_enclave_destroy(e));
    ASSERT_OK(r[0]); /* fresh */
    ASSERT_OK(r[1]);
    ASSERT_OK(r[2]); /* after a small allocation made while a large block was live */
    ASSERT_OK(r[3]);
    ASSERT_OK(r[4]); /* after the torture test */
}

/* The same with the runner's own request buffer (from the heap: above 16 KiB) as the large
 * block, live while the ecall makes its small allocations. */
static void test_heap_large_request_buffer(void)
{
    arca_enclave_t *e = NULL;
    arca_enclave_options_t o;
    uint64_t failed = 0, bytes = 8u << 20, working = (8u << 20) - (64u << 10);
    size_t got = 0;
    uint8_t *request = NULL;
    arca_result_t r[2];
    arca_enclave_options_init(&o);
    o.backend = "process";
    o.host_calls = host_calls;
    o.host_call_count = 2;
    o.max_payload = 8u << 20;
    request = calloc(1, (size_t)working);
    ASSERT_TRUE(request != NULL);
    ASSERT_OK(arca_enclave_create(image, &o, &e));
    r[0] = arca_enclave_call(e, PE_KEEP_SMALL, request, (size_t)working, NULL, 0, &got);
    r[1] = arca_enclave_call(e, PE_BIG_ALLOC, &bytes, sizeof bytes, &failed, sizeof failed, &got);
    free(request);
    ASSERT_OK(arca_enclave_destroy(e));
    ASSERT_OK(r[0]);
    ASSERT_OK(r[1]);
}

/* Freed chunks hold no enclave data: checked from inside (every size class, calloc,
 * aligned_alloc, realloc's cut tail and moved-from block). */
static void test_heap_wipes_freed_chunks(void)
{
    arca_enclave_t *e = NULL;
    uint64_t report[3] = {0, 0, 0};
    size_t got = 0;
    ASSERT_OK(open_process(image, &e, NULL));
    arca_result_t r = arca_enclave_call(e, PE_WIPED, NULL, 0, report, sizeof report, &got);
    ASSERT_OK(arca_enclave_destroy(e));
    ASSERT_OK(r);
    ASSERT_EQ(got, sizeof report);
    if (report[0])
        fprintf(stderr, "  check %llu: %llu bytes of a freed %llu-byte block still hold the secret\n",
                (unsigned long long)report[0], (unsigned long long)report[2],
                (unsigned long long)report[1]);
    ASSERT_EQ(report[0], 0);
}

/* What a malloc + free pair costs inside the enclave (wiping included), for the record: the
 * figure is printed, not judged (timing on a shared machine). */
static void test_heap_small_malloc_cost(void)
{
    static const uint32_t sizes[] = {16, 64, 256, 1024, 4096};
    arca_enclave_t *e = NULL;
    size_t got = 0;
    ASSERT_OK(open_process(image, &e, NULL));
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        uint32_t arg[2] = {200000, sizes[i]};
        uint64_t best = UINT64_MAX, ns = 0;
        for (int round = 0; round < 5; round++) {
            ASSERT_OK(arca_enclave_call(e, PE_HEAP_COST, arg, sizeof arg, &ns, sizeof ns, &got));
            best = ns < best ? ns : best;
        }
        fprintf(stderr, "  malloc+free of %4u bytes: %.1f ns (best of 5 x %u)\n", sizes[i],
                (double)best / arg[0], arg[0]);
    }
    ASSERT_OK(arca_enclave_destroy(e));
}

/* The mapping of /proc/PID/smaps that holds addr: its header line and whether it is locked. */
static int find_mapping(pid_t pid, uint64_t addr, char *header, size_t cap, int *locked)
{
    char path[64], line[512];
    int found = 0;
    snprintf(path, sizeof path, "/proc/%d/smaps", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    while (fgets(line, sizeof line, f)) {
        unsigned long long from, to, offset;
        char perms[8];
        if (sscanf(line, "%llx-%llx %7s %llx ", &from, &to, perms, &offset) == 4) {
            if (found)
                break; /* the next mapping: VmFlags of ours were not seen */
            if (addr >= from && addr < to) {
                found = 1;
                snprintf(header, cap, "%s", line);
            }
        } else if (found && !strncmp(line, "VmFlags:", 8)) {
            *locked = strstr(line, " lo") != NULL;
            break;
        }
    }
    fclose(f);
    return found;
}

/* The slot threads' stacks and the call buffers (the kept ones and a large call's own) are in
 * the protected mapping: seen from inside (addresses, and whether the kernel can pin them) and,
 * as root, in the runner's smaps. */
static void test_stacks_and_buffers_protected(void)
{
    arca_enclave_t *e = NULL;
    arca_identity_t id;
    pid_t runner = -1;
    uint64_t small[WHERE_COUNT], large[WHERE_COUNT];
    static uint8_t in[256 * 1024];
    size_t got = 0;
    ASSERT_OK(open_process(image_default, &e, &runner));
    ASSERT_OK(arca_enclave_identity(e, &id));
    ASSERT_TRUE(id.protections & (ARCA_PROT_SECRETMEM | ARCA_PROT_MLOCK));
    ASSERT_OK(arca_enclave_call(e, PE_WHERE, in, 64, small, sizeof small, &got));
    ASSERT_OK(arca_enclave_call(e, PE_WHERE, in, sizeof in, large, sizeof in, &got));
    ASSERT_TRUE(large[1] != small[1] && large[2] != small[2]); /* the large call's own buffers */
    for (int i = 0; i < 3; i++) {
        uint64_t addrs[2] = {small[i], large[i]};
        for (int k = 0; k < 2; k++) {
            char header[512] = "";
            int locked = 0;
            if (id.protections & ARCA_PROT_SECRETMEM)
                ASSERT_UEQ((k ? large : small)[3 + i], EFAULT); /* not pinnable: secretmem */
            if (geteuid() != 0)
                continue; /* smaps of a non-dumpable process: root only */
            ASSERT_TRUE(find_mapping(runner, addrs[k], header, sizeof header, &locked));
            if (id.protections & ARCA_PROT_SECRETMEM)
                ASSERT_CONTAINS(header, "secretmem");
            else
                ASSERT_TRUE(locked);
        }
    }
    ASSERT_OK(arca_enclave_destroy(e));
}

/* A call whose buffers the protected heap cannot hold fails with OUT_OF_MEMORY (never with
 * ordinary memory), and the enclave goes on serving. The default heap is smaller than one
 * maximal request plus its reply. */
static void test_call_larger_than_heap(void)
{
    arca_enclave_t *e = NULL;
    size_t got = 0;
    size_t max = ARCA_DEFAULT_MAX_PAYLOAD, half = max / 2;
    uint8_t *in = malloc(max), *out = malloc(max);
    ASSERT_TRUE(in && out);
    memset(in, 0x42, max);
    ASSERT_OK(open_process(image_default, &e, NULL));
    ASSERT_RESULT(arca_enclave_call(e, PE_ECHO, in, max, out, max, &got), ARCA_ERR_OUT_OF_MEMORY);
    ASSERT_EQ(got, 0);
    ASSERT_OK(arca_enclave_call(e, PE_ECHO, in, half, out, half, &got));
    ASSERT_EQ(got, half);
    ASSERT_MEMEQ(out, in, half);
    ASSERT_OK(arca_enclave_call(e, PE_ECHO, "ok", 2, out, 2, &got));
    ASSERT_OK(arca_enclave_destroy(e));
    free(in);
    free(out);
}

/* A fault inside an ecall: the call and every later one return ENCLAVE_LOST, promptly. */
static void expect_lost_after(uint32_t fn, const char *reason_part)
{
    arca_enclave_t *e = NULL;
    pid_t runner = -1;
    size_t got = 0;
    ASSERT_OK(open_process(image, &e, &runner));
    double t0 = now_seconds();
    ASSERT_RESULT(arca_enclave_call(e, fn, NULL, 0, NULL, 0, &got), ARCA_ERR_ENCLAVE_LOST);
    ASSERT_TRUE(now_seconds() - t0 < 3.0);
    if (reason_part)
        ASSERT_CONTAINS(arca_last_error(), reason_part);
    ASSERT_RESULT(arca_enclave_call(e, PE_ECHO, "x", 1, NULL, 0, &got), ARCA_ERR_ENCLAVE_LOST);
    ASSERT_OK(arca_enclave_destroy(e));
    ASSERT_TRUE(pid_gone_within(runner, 2000)); /* reaped: no zombie left behind */
}

static void test_crash_is_lost(void) { expect_lost_after(PE_CRASH, "signal"); }
/* abort() and a failed assert end the enclave with a named cause (src/loader/libc_bind.c). */
static void test_abort_is_lost(void) { expect_lost_after(PE_ABORT, "the enclave called abort()"); }
static void test_exit_is_named(void) { expect_lost_after(PE_EXIT, "the enclave called exit(7)"); }
static void test_assert_is_named(void)
{
    expect_lost_after(PE_ASSERT, "assertion failed in the enclave: l == 12345 (");
}

struct spinner {
    arca_enclave_t *e;
    uint32_t ms;
    arca_result_t result;
    double seconds;
};

static void *spin_thread(void *arg)
{
    struct spinner *s = arg;
    double t0 = now_seconds();
    s->result = call_u32(s->e, PE_SPIN, s->ms);
    s->seconds = now_seconds() - t0;
    return NULL;
}

static void test_kill_during_calls(void)
{
    arca_enclave_t *e = NULL;
    pid_t runner = -1;
    pthread_t t[3];
    struct spinner s[3];
    ASSERT_OK(open_process(image, &e, &runner));
    ASSERT_TRUE(runner > 0);
    for (int i = 0; i < 3; i++) {
        s[i] = (struct spinner){e, 20000, ARCA_OK, 0};
        pthread_create(&t[i], NULL, spin_thread, &s[i]);
    }
    struct timespec ts = {0, 200 * 1000 * 1000};
    nanosleep(&ts, NULL);
    ASSERT_EQ(kill(runner, SIGKILL), 0);
    for (int i = 0; i < 3; i++)
        pthread_join(t[i], NULL);
    for (int i = 0; i < 3; i++) {
        ASSERT_RESULT(s[i].result, ARCA_ERR_ENCLAVE_LOST);
        ASSERT_TRUE(s[i].seconds < 5.0); /* not the 20 s the calls asked for */
    }
    ASSERT_RESULT(call_u32(e, PE_SPIN, 1), ARCA_ERR_ENCLAVE_LOST);
    ASSERT_OK(arca_enclave_destroy(e));
    ASSERT_TRUE(pid_gone_within(runner, 2000));
}

static void test_kill_while_idle(void)
{
    arca_enclave_t *e = NULL;
    pid_t runner = -1;
    size_t got = 0;
    ASSERT_OK(open_process(image, &e, &runner));
    ASSERT_EQ(kill(runner, SIGKILL), 0);
    ASSERT_TRUE(pid_gone_within(runner, 2000));
    ASSERT_RESULT(arca_enclave_call(e, PE_EMPTY, NULL, 0, NULL, 0, &got), ARCA_ERR_ENCLAVE_LOST);
    ASSERT_OK(arca_enclave_destroy(e));
    /* A new enclave works. */
    ASSERT_OK(open_process(image, &e, NULL));
    ASSERT_OK(arca_enclave_call(e, PE_EMPTY, NULL, 0, NULL, 0, &got));
    ASSERT_OK(arca_enclave_destroy(e));
}

struct looper {
    arca_enclave_t *e;
    int stop, calls, ok, other;
    arca_result_t unexpected;
};

static void *loop_thread(void *arg)
{
    struct looper *l = arg;
    while (!__atomic_load_n(&l->stop, __ATOMIC_SEQ_CST)) {
        arca_result_t r = call_u32(l->e, PE_SPIN, 5);
        l->calls++;
        if (r == ARCA_OK)
            l->ok++;
        else if (r == ARCA_ERR_ENCLAVE_DESTROYED || r == ARCA_ERR_ENCLAVE_LOST)
            break;
        else if (r != ARCA_ERR_BUSY)
            l->unexpected = r;
    }
    return NULL;
}

static void test_destroy_with_calls_in_flight(void)
{
    arca_enclave_t *e = NULL;
    pid_t runner = -1;
    pthread_t t[3];
    struct looper l[3];
    ASSERT_OK(open_process(image, &e, &runner));
    for (int i = 0; i < 3; i++) {
        memset(&l[i], 0, sizeof l[i]);
        l[i].e = e;
        pthread_create(&t[i], NULL, loop_thread, &l[i]);
    }
    struct timespec ts = {0, 100 * 1000 * 1000};
    nanosleep(&ts, NULL);
    ASSERT_OK(arca_enclave_destroy(e));
    for (int i = 0; i < 3; i++) {
        __atomic_store_n(&l[i].stop, 1, __ATOMIC_SEQ_CST);
        pthread_join(t[i], NULL);
    }
    for (int i = 0; i < 3; i++) {
        ASSERT_TRUE(l[i].ok > 0);
        ASSERT_EQ(l[i].unexpected, ARCA_OK);
    }
    ASSERT_TRUE(pid_gone_within(runner, 2000));
}

static void test_host_death_ends_runner(void)
{
    int p[2];
    ASSERT_EQ(pipe(p), 0);
    pid_t child = fork();
    ASSERT_TRUE(child >= 0);
    if (child == 0) {
        arca_enclave_t *e = NULL;
        pid_t runner = -1;
        if (open_process(image, &e, &runner) != ARCA_OK)
            runner = -1;
        (void)!write(p[1], &runner, sizeof runner);
        _exit(0); /* dies without destroying anything */
    }
    close(p[1]);
    pid_t runner = -1;
    ASSERT_EQ(read(p[0], &runner, sizeof runner), (long)sizeof runner);
    close(p[0]);
    int status = 0;
    waitpid(child, &status, 0);
    ASSERT_TRUE(runner > 0);
    ASSERT_TRUE(pid_gone_within(runner, 3000));
}

static void test_max_payload_option(void)
{
    arca_enclave_options_t o;
    arca_enclave_t *e = NULL;
    static uint8_t buf[8193], out[8193];
    size_t got = 0;
    arca_enclave_options_init(&o);
    o.backend = "process";
    o.max_payload = 8192;
    ASSERT_OK(arca_enclave_create(image, &o, &e));
    memset(buf, 7, sizeof buf);
    ASSERT_OK(arca_enclave_call(e, PE_ECHO, buf, 8192, out, sizeof out, &got));
    ASSERT_EQ(got, 8192);
    ASSERT_MEMEQ(out, buf, 8192);
    ASSERT_RESULT(arca_enclave_call(e, PE_ECHO, buf, 8193, out, sizeof out, &got),
                  ARCA_ERR_PAYLOAD_TOO_LARGE);
    ASSERT_OK(arca_enclave_destroy(e));
}

static void test_runner_path_option(void)
{
    arca_enclave_options_t o;
    arca_enclave_t *e = NULL;
    pid_t before[64];
    int nb;
    arca_enclave_options_init(&o);
    o.backend = "process";
    const char *missing[] = {"process.runner=/nonexistent/arca-runner", NULL};
    o.settings = missing;
    ASSERT_RESULT(arca_enclave_create(image, &o, &e), ARCA_ERR_BACKEND_UNAVAILABLE);
    ASSERT_CONTAINS(arca_last_error(), "/nonexistent/arca-runner");
    /* Settings are checked: a key no backend reads, a name nothing has, no "NAME.KEY=". */
    const char *unknown_key[] = {"process.runer=/bin/false", NULL};
    o.settings = unknown_key;
    ASSERT_RESULT(arca_enclave_create(image, &o, &e), ARCA_ERR_INVALID_ARGUMENT);
    ASSERT_CONTAINS(arca_last_error(), "process.runner");
    const char *unknown_name[] = {"proces.runner=/bin/false", NULL};
    o.settings = unknown_name;
    ASSERT_RESULT(arca_enclave_create(image, &o, &e), ARCA_ERR_INVALID_ARGUMENT);
    ASSERT_CONTAINS(arca_last_error(), "no backend or platform is named 'proces'");
    const char *malformed[] = {"process=/bin/false", NULL};
    o.settings = malformed;
    ASSERT_RESULT(arca_enclave_create(image, &o, &e), ARCA_ERR_INVALID_ARGUMENT);
    /* A "runner" that exits at once: create fails cleanly and leaves no zombie. */
    const char *exits[] = {"process.runner=/bin/false", NULL};
    o.settings = exits;
    nb = runner_children(before, 64);
    ASSERT_RESULT(arca_enclave_create(image, &o, &e), ARCA_ERR_ENCLAVE_LOST);
    ASSERT_CONTAINS(arca_last_error(), "start-up");
    ASSERT_EQ(runner_children(before, 64), nb);
    ASSERT_TRUE(e == NULL);
}

static void test_runner_refuses_manual_start(void)
{
    /* Run by hand (no control socket), the runner refuses and says why. */
    const char *runner = getenv("ARCA_RUNNER");
    ASSERT_TRUE(runner != NULL);
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "%s 3<&- 2>/dev/null", runner);
    int status = system(cmd);
    ASSERT_TRUE(WIFEXITED(status));
    ASSERT_EQ(WEXITSTATUS(status), 2);
}

/* Payloads stream through the slot in ARCA__STREAM_CHUNK pieces, overlapping the two
 * copies: every size around the chunk boundaries up to max_payload must arrive intact, both
 * ways, for ecalls and host calls, with nothing written past the caller's buffer. */
#define STREAM_CHUNK ARCA__STREAM_CHUNK
#define STREAM_GUARD 64

static int check_echo(arca_enclave_t *e, uint32_t fn, const uint8_t *in, uint8_t *out, size_t n,
                      uint8_t xor_with)
{
    size_t got = 0;
    memset(out, 0xCC, n + STREAM_GUARD);
    if (arca_enclave_call(e, fn, in, n, out, n, &got) != ARCA_OK || got != n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (out[i] != (uint8_t)(in[i] ^ xor_with))
            return 0;
    for (size_t i = n; i < n + STREAM_GUARD; i++)
        if (out[i] != 0xCC)
            return 0;
    return 1;
}

struct stream_job {
    arca_enclave_t *e;
    const uint8_t *in;
    size_t n;
    int ok;
};

static void *stream_thread(void *arg)
{
    struct stream_job *j = arg;
    uint8_t *out = malloc(j->n + STREAM_GUARD);
    j->ok = out != NULL;
    for (int i = 0; i < 20 && j->ok; i++)
        j->ok = check_echo(j->e, PE_ECHO, j->in, out, j->n, 0);
    free(out);
    return NULL;
}

static void streamed_payloads(const char *path)
{
    static const size_t sizes[] = {0, 1, 4096, 65537, STREAM_CHUNK - 1, STREAM_CHUNK,
                                   STREAM_CHUNK + 1, 2 * STREAM_CHUNK, 5 * STREAM_CHUNK + 4093,
                                   ARCA_DEFAULT_MAX_PAYLOAD - 1, ARCA_DEFAULT_MAX_PAYLOAD};
    _Static_assert(5 * STREAM_CHUNK + 4093 < ARCA_DEFAULT_MAX_PAYLOAD, "sizes fit the slot");
    size_t max = ARCA_DEFAULT_MAX_PAYLOAD;
    arca_enclave_t *e = NULL;
    size_t got = 0;
    uint8_t *in = malloc(max), *out = malloc(max + STREAM_GUARD);
    ASSERT_TRUE(in && out);
    uint32_t x = 12345;
    for (size_t i = 0; i < max; i++) {
        x = x * 1103515245u + 12345u;
        in[i] = (uint8_t)(x >> 16);
    }
    ASSERT_OK(open_process(path, &e, NULL));
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        ASSERT_TRUE(check_echo(e, PE_ECHO, in, out, sizes[k], 0));
        ASSERT_TRUE(check_echo(e, PE_HC_ECHO, in, out, sizes[k], 0x5A));
    }
    /* Nested: the host call's request and reply and the nested ecall's request and reply, all
     * streamed through the same slot, each with its progress counter started afresh. */
    static const size_t nested_sizes[] = {0, 5, STREAM_CHUNK + 1, 2 * STREAM_CHUNK + 17,
                                          5 * STREAM_CHUNK + 4093};
    nest_echo_enclave = e;
    for (size_t k = 0; k < sizeof nested_sizes / sizeof nested_sizes[0]; k++)
        ASSERT_TRUE(check_echo(e, PE_HC_ECHO, in, out, nested_sizes[k], 0x5A));
    nest_echo_enclave = NULL;
    /* Too small, streamed size: the needed size comes back and nothing is written. */
    memset(out, 0xCC, max);
    ASSERT_RESULT(arca_enclave_call(e, PE_ECHO, in, 3 * STREAM_CHUNK, out, 3 * STREAM_CHUNK - 1, &got),
                  ARCA_ERR_BUFFER_TOO_SMALL);
    ASSERT_EQ(got, 3 * STREAM_CHUNK);
    for (size_t i = 0; i < 3 * STREAM_CHUNK; i++)
        if (out[i] != 0xCC)
            ASSERT_EQ(i, SIZE_MAX);
    /* Two threads streaming at once through their own slots. */
    struct stream_job jobs[2] = {{e, in, 3 * STREAM_CHUNK + 5, 0}, {e, in + 7, STREAM_CHUNK + 9, 0}};
    pthread_t t[2];
    for (int i = 0; i < 2; i++)
        ASSERT_EQ(pthread_create(&t[i], NULL, stream_thread, &jobs[i]), 0);
    for (int i = 0; i < 2; i++) {
        pthread_join(t[i], NULL);
        ASSERT_TRUE(jobs[i].ok);
    }
    ASSERT_OK(arca_enclave_destroy(e));
    free(in);
    free(out);
}

static void test_streamed_payloads(void)
{
    streamed_payloads(image);
}

static void test_streamed_payloads_switchless(void)
{
    streamed_payloads(image_switchless);
}

static void test_switchless(void)
{
    arca_enclave_t *e = NULL;
    arca_identity_t id;
    size_t got = 0;
    char out[16];
    ASSERT_OK(open_process(image_switchless, &e, NULL));
    ASSERT_OK(arca_enclave_identity(e, &id));
    for (int i = 0; i < 2000; i++) {
        ASSERT_OK(arca_enclave_call(e, PE_ECHO, "switchless", 10, out, sizeof out, &got));
        ASSERT_EQ(got, 10);
        ASSERT_OK(arca_enclave_call(e, PE_OCALL_EMPTY, NULL, 0, NULL, 0, &got));
    }
    ASSERT_MEMEQ(out, "switchless", 10);
    ASSERT_OK(arca_enclave_destroy(e));
}

static void test_hostile_host_nested_ecalls(void)
{
    /* Through the raw slot, as a hostile host: while the enclave thread waits in a host call,
     * an ecall posted into its slot runs nested on it; INIT and FINI never nest; at most
     * ARCA__CHANNEL_NESTED_MAX nest; each refusal is BAD_FRAME without running, and the thread
     * goes on waiting for its host call's reply. Slot 3: the library only uses it when four
     * calls run at once, and none do here. */
    arca_enclave_t *e = NULL;
    pid_t runner = -1;
    char out[16];
    size_t got = 0;
    ASSERT_OK(open_process(image, &e, &runner));
    struct arca__slot *s = raw_slot_of(runner, 3);
    ASSERT_TRUE(s != NULL);
    ASSERT_TRUE(raw_enter_host_call(s));
    /* An honest nested ecall. */
    raw_ecall(s, PE_ECHO, 0, "nested", 6, 16);
    ASSERT_TRUE(raw_wait(s, ARCA__SLOT_ECALL_DONE));
    ASSERT_EQ(s->result, ARCA_OK);
    ASSERT_EQ(s->out_len, 6);
    ASSERT_MEMEQ(arca__slot_payload(s), "nested", 6);
    /* INIT and FINI nested: refused, nothing run (fini would wait for this very thread). */
    static const uint32_t lifecycle[] = {ARCA__CALL_INIT, ARCA__CALL_FINI};
    for (size_t i = 0; i < 2; i++) {
        raw_ecall(s, 0, lifecycle[i], "", 0, 0);
        ASSERT_TRUE(raw_wait(s, ARCA__SLOT_ECALL_DONE));
        ASSERT_EQ(s->result, ARCA_ERR_BAD_FRAME);
        ASSERT_EQ(s->out_len, 0);
    }
    /* Inside one of Arca's own host calls (the enclave's stdout, its log) no ecall nests: the
     * enclave's stdio is in the middle of an operation there. */
    ASSERT_TRUE(raw_enter_host_call_id(s, ARCA__HOSTCALL_OUTPUT));
    raw_ecall(s, PE_ECHO, 0, "in output", 9, 16);
    ASSERT_TRUE(raw_wait(s, ARCA__SLOT_ECALL_DONE));
    ASSERT_EQ(s->result, ARCA_ERR_BAD_FRAME);
    ASSERT_TRUE(raw_leave_host_call(s));
    /* Nested host calls to the limit, then one more ecall: refused. */
    for (uint32_t depth = 1; depth <= ARCA__CHANNEL_NESTED_MAX; depth++)
        ASSERT_TRUE(raw_enter_host_call(s));
    raw_ecall(s, PE_ECHO, 0, "too deep", 8, 16);
    ASSERT_TRUE(raw_wait(s, ARCA__SLOT_ECALL_DONE));
    ASSERT_EQ(s->result, ARCA_ERR_BAD_FRAME);
    /* Every level returns in turn, the outermost last. */
    for (uint32_t depth = 0; depth <= ARCA__CHANNEL_NESTED_MAX; depth++)
        ASSERT_TRUE(raw_leave_host_call(s));
    __atomic_store_n(&s->state, ARCA__SLOT_IDLE, __ATOMIC_RELEASE);
    /* The enclave is whole: calls work, and destroy runs fini. */
    ASSERT_OK(arca_enclave_call(e, PE_ECHO, "after", 5, out, sizeof out, &got));
    ASSERT_EQ(got, 5);
    ASSERT_MEMEQ(out, "after", 5);
    ASSERT_OK(arca_enclave_destroy(e));
    ASSERT_TRUE(pid_gone_within(runner, 3000));
}

static void test_no_fd_or_child_leaks(void)
{
    arca_enclave_t *e = NULL;
    size_t got = 0;
    pid_t kids[64];
    int fds_before = count_fds();
    int kids_before = runner_children(kids, 64);
    for (int i = 0; i < 10; i++) {
        ASSERT_OK(open_process(image, &e, NULL));
        ASSERT_OK(arca_enclave_call(e, PE_EMPTY, NULL, 0, NULL, 0, &got));
        ASSERT_OK(arca_enclave_destroy(e));
    }
    ASSERT_EQ(count_fds(), fds_before);
    struct timespec ts = {0, 50 * 1000 * 1000};
    nanosleep(&ts, NULL);
    ASSERT_EQ(runner_children(kids, 64), kids_before);
    /* No zombie children either: everything was reaped. */
    ASSERT_EQ(waitpid(-1, NULL, WNOHANG), -1);
    ASSERT_EQ(errno, ECHILD);
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: %s image.signed.so switchless.signed.so default.signed.so\n",
                argv[0]);
        return 2;
    }
    image = argv[1];
    image_switchless = argv[2];
    image_default = argv[3];
    signal(SIGPIPE, SIG_IGN);
    RUN(test_protections_reported);
    RUN(test_probe_lists_process);
    RUN(test_clean_environment);
    RUN(test_runner_fds);
    RUN(test_heap_from_inside);
    RUN(test_heap_concurrent);
    RUN(test_heap_large_block);
    RUN(test_heap_large_request_buffer);
    RUN(test_heap_wipes_freed_chunks);
    RUN(test_heap_small_malloc_cost);
    RUN(test_stacks_and_buffers_protected);
    RUN(test_call_larger_than_heap);
    RUN(test_crash_is_lost);
    RUN(test_abort_is_lost);
    RUN(test_assert_is_named);
    RUN(test_exit_is_named);
    RUN(test_kill_during_calls);
    RUN(test_kill_while_idle);
    RUN(test_destroy_with_calls_in_flight);
    RUN(test_host_death_ends_runner);
    RUN(test_max_payload_option);
    RUN(test_runner_path_option);
    RUN(test_runner_refuses_manual_start);
    RUN(test_switchless);
    RUN(test_streamed_payloads);
    RUN(test_streamed_payloads_switchless);
    RUN(test_hostile_host_nested_ecalls);
    RUN(test_no_fd_or_child_leaks);
    return TEST_SUMMARY();
}
