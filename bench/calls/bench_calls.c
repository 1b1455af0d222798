/*
 * bench_calls.c — call latency and payload throughput of the sim, process and
 * process+switchless backends, each beside a baseline measured in the same run:
 *   raw spin   a shared-memory round trip between two processes (store, spin until the
 *              peer's store lands; the peer spins likewise), no system call: each side
 *              writes its own flag on its own cache line (the classic two-mailbox ping-pong,
 *              what the target is judged against);
 *   one-line   the same round trip on ONE cache line that both sides write (what
 *              core-to-core latency tools such as c2clat measure; the call channel uses one
 *              line per slot too). On some machines (the AMD EPYC VMs measured) it is much
 *              faster than two flags: printed beside the target so that nobody has to guess;
 *   raw futex  the same round trip where both sides sleep in FUTEX_WAIT and wake each other;
 *   socketpair one byte written and echoed back over an AF_UNIX stream socketpair;
 *   memcpy     single-thread memcpy of 1 MiB between two private, warm 1 MiB buffers
 *              (for information: data that crosses cores cannot move at one core's speed);
 *   hand-off   the physical limit of a 1 MiB call: two processes, the sender copies 1 MiB
 *              from its private buffer into a shared one and flips a flag, the receiver
 *              (spinning) copies it out into its own private buffer and flips one back —
 *              the copy discipline of every call, with nothing else;
 *   channel    the call channel alone (channel_floor.c): an empty ecall over one slot with
 *              the channel code the process backend and arca-runner use, and no layer
 *              around it — what a switchless call would cost if Arca added nothing.
 *
 * Fairness: every latency figure (baselines and calls) uses the same number of operations
 * per batch and of batches; the 1 MiB memcpy and the 1 MiB ecall use the same count too.
 * Every measurement starts with a warm-up (caches and page tables warm on both sides). With
 * pinning (the default on >= 2 CPUs; BENCH_PIN=0 turns it off) the measuring thread runs on
 * CPU 0 and the peer — the baseline's child process or every thread of arca-runner — on
 * CPU 1, so baselines and calls cross the same pair of cores.
 *
 * Robustness (the machine may be shared): one round measures everything, baselines and
 * backends interleaved; BENCH_ROUNDS rounds (default 5) are run. A figure is the median of
 * its per-round medians (each a median over BATCHES batches); a target is judged on the
 * median over rounds of the ratio measured within each round (baseline and call seconds
 * apart, under the same load), except the switchless one, judged on the median of
 * PAIRS x rounds ratios each measured within milliseconds (measure_pairs() says why). The
 * load average is printed before and after.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "arca/host.h"
#include "channel_floor.h"

#define BATCHES 15
#define MAX_ROUNDS 21
#define MIB (1024u * 1024u)
#define LAT_ITERS 1000 /* operations per batch, every latency figure */
#define MIB_ITERS 20   /* operations per batch, 1 MiB memcpy and 1 MiB ecall */

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof v[0], cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Median over `batches` (at most BATCHES) of the time per operation, each batch `iters`
 * operations, after a warm-up. */
typedef int (*op_fn)(void *ctx);
static double median_batches(op_fn op, void *ctx, int iters, int batches)
{
    double t[BATCHES];
    for (int w = 0; w < iters / 4 + 2; w++) /* warm up */
        if (op(ctx) != 0)
            return -1;
    for (int b = 0; b < batches; b++) {
        double t0 = now_ns();
        for (int i = 0; i < iters; i++)
            if (op(ctx) != 0)
                return -1;
        t[b] = (now_ns() - t0) / iters;
    }
    return median(t, batches);
}

/* Median over BATCHES batches: every figure of the table. */
static double median_ns(op_fn op, void *ctx, int iters)
{
    return median_batches(op, ctx, iters, BATCHES);
}

static inline void cpu_relax(void)
{
#if defined(__x86_64__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield" ::: "memory");
#endif
}

/* ---- core placement ---- */

static int pin = 1;

static void pin_tid(pid_t tid, int cpu)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    if (sched_setaffinity(tid, sizeof set, &set) != 0)
        fprintf(stderr, "bench: cannot pin %d to CPU %d: %s\n", (int)tid, cpu, strerror(errno));
}

/* Pin every thread of process pid to cpu. */
static void pin_process(pid_t pid, int cpu)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/task", (int)pid);
    DIR *d = opendir(path);
    struct dirent *de;
    if (!d)
        return;
    while ((de = readdir(d)) != NULL)
        if (de->d_name[0] != '.')
            pin_tid((pid_t)atoi(de->d_name), cpu);
    closedir(d);
}

/* Pin every arca-runner child of this process to cpu. */
static void pin_runners(int cpu)
{
    DIR *d = opendir("/proc");
    struct dirent *de;
    if (!d)
        return;
    while ((de = readdir(d)) != NULL) {
        char path[64], buf[512];
        pid_t pid = (pid_t)atoi(de->d_name);
        if (pid <= 0)
            continue;
        snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
        FILE *f = fopen(path, "r");
        if (!f)
            continue;
        size_t n = fread(buf, 1, sizeof buf - 1, f);
        fclose(f);
        buf[n] = '\0';
        char *close = strrchr(buf, ')');
        int ppid = 0;
        char state;
        if (strstr(buf, "(arca-runner)") && close && sscanf(close + 2, "%c %d", &state, &ppid) == 2 &&
            ppid == (int)getpid())
            pin_process(pid, cpu);
    }
    closedir(d);
}

/* ---- baselines between two processes ---- */

struct shared {
    _Alignas(64) uint32_t ping;
    _Alignas(64) uint32_t pong;
    _Alignas(64) uint32_t line; /* one-line ping-pong: host writes odd values, peer even */
};

static struct shared *sh;
static uint8_t *handoff; /* MIB bytes shared with the hand-off peer */
static uint32_t seq;
static int sock[2];

static void futex_wait(uint32_t *w, uint32_t v)
{
    syscall(SYS_futex, w, FUTEX_WAIT, v, NULL, NULL, 0);
}
static void futex_wake(uint32_t *w)
{
    syscall(SYS_futex, w, FUTEX_WAKE, INT_MAX, NULL, NULL, 0);
}

static int spin_op(void *ctx)
{
    (void)ctx;
    uint32_t s = ++seq;
    __atomic_store_n(&sh->ping, s, __ATOMIC_RELEASE);
    while (__atomic_load_n(&sh->pong, __ATOMIC_ACQUIRE) != s)
        cpu_relax();
    return 0;
}

static int line_op(void *ctx)
{
    (void)ctx;
    seq += 2;
    __atomic_store_n(&sh->line, seq - 1, __ATOMIC_RELEASE);
    while (__atomic_load_n(&sh->line, __ATOMIC_ACQUIRE) != seq)
        cpu_relax();
    return 0;
}

static int futex_op(void *ctx)
{
    (void)ctx;
    uint32_t s = ++seq;
    __atomic_store_n(&sh->ping, s, __ATOMIC_RELEASE);
    futex_wake(&sh->ping);
    uint32_t v;
    while ((v = __atomic_load_n(&sh->pong, __ATOMIC_ACQUIRE)) != s)
        futex_wait(&sh->pong, v);
    return 0;
}

/* One 1 MiB hand-off: copy in, flag, wait for the peer to have copied it out. */
static int handoff_op(void *ctx)
{
    const uint8_t *from = ctx;
    memcpy(handoff, from, MIB);
    return spin_op(NULL);
}

static int socket_op(void *ctx)
{
    (void)ctx;
    char c = 1;
    return write(sock[0], &c, 1) == 1 && read(sock[0], &c, 1) == 1 ? 0 : -1;
}

static pid_t start_peer(int kind)
{
    pid_t pid = fork();
    if (pid != 0)
        return pid;
    /* A spinning orphan would disturb every later measurement on the machine. */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() == 1)
        _exit(0);
    if (pin)
        pin_tid(0, 1);
    uint32_t last = 0;
    uint8_t *received = kind == 4 ? malloc(MIB) : NULL;
    if (received)
        memset(received, 0, MIB);
    for (;;) {
        uint32_t v;
        if (kind == 3) {
            while ((v = __atomic_load_n(&sh->line, __ATOMIC_ACQUIRE)) == last || !(v & 1u))
                cpu_relax();
            if (v == UINT32_MAX)
                _exit(0);
            last = v + 1;
            __atomic_store_n(&sh->line, last, __ATOMIC_RELEASE);
            continue;
        }
        if (kind == 0 || kind == 4) {
            while ((v = __atomic_load_n(&sh->ping, __ATOMIC_ACQUIRE)) == last)
                cpu_relax();
            if (kind == 4 && v != UINT32_MAX && received) {
                memcpy(received, handoff, MIB);
                __asm__ __volatile__("" ::"r"(received) : "memory");
            }
        } else if (kind == 1) {
            while ((v = __atomic_load_n(&sh->ping, __ATOMIC_ACQUIRE)) == last)
                futex_wait(&sh->ping, last);
        } else {
            char c;
            if (read(sock[1], &c, 1) != 1 || write(sock[1], &c, 1) != 1)
                _exit(0);
            continue;
        }
        if (v == UINT32_MAX)
            _exit(0);
        last = v;
        __atomic_store_n(&sh->pong, v, __ATOMIC_RELEASE);
        if (kind == 1)
            futex_wake(&sh->pong);
    }
}

static void stop_peer(pid_t pid)
{
    __atomic_store_n(&sh->ping, UINT32_MAX, __ATOMIC_RELEASE);
    __atomic_store_n(&sh->line, UINT32_MAX, __ATOMIC_RELEASE);
    futex_wake(&sh->ping);
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    sh->ping = sh->pong = sh->line = 0;
    seq = 0;
}

/* A baseline round trip (kind: 0 raw spin, 1 futex, 2 socketpair, 3 one-line spin, 4 1 MiB
 * hand-off of `ctx`) over `batches` batches, with its peer process started for it and stopped
 * after. */
static double baseline_batches(int kind, int batches, void *ctx)
{
    pid_t pid = start_peer(kind);
    static const op_fn ops[] = {spin_op, futex_op, socket_op, line_op, handoff_op};
    double ns = median_batches(ops[kind], ctx, kind == 4 ? MIB_ITERS : LAT_ITERS, batches);
    stop_peer(pid);
    return ns;
}

static double baseline(int kind)
{
    return baseline_batches(kind, BATCHES, NULL);
}

struct copy_ctx {
    uint8_t *a, *b;
    size_t n;
};

static int copy_op(void *ctx)
{
    struct copy_ctx *c = ctx;
    memcpy(c->b, c->a, c->n);
    __asm__ __volatile__("" ::"r"(c->b) : "memory");
    return 0;
}

/* ---- Arca calls ---- */

struct call_ctx {
    arca_enclave_t *e;
    uint32_t fn;
    const uint8_t *in;
    size_t in_len;
};

static int call_op(void *ctx)
{
    struct call_ctx *c = ctx;
    size_t got = 0;
    return arca_enclave_call(c->e, c->fn, c->in, c->in_len, NULL, 0, &got) == ARCA_OK ? 0 : -1;
}

static arca_result_t hc_empty(void *ctx, const uint8_t *in, size_t in_len, uint8_t *out,
                              size_t out_cap, size_t *out_len)
{
    (void)ctx, (void)in, (void)in_len, (void)out, (void)out_cap;
    *out_len = 0;
    return ARCA_OK;
}

enum { M_ECALL, M_ECALL_OCALL, M_P4K, M_P64K, M_P1M, M_COUNT };

static arca_enclave_t *open_backend(const char *backend, const char *image)
{
    static const arca_host_call_t calls[] = {{1, hc_empty}};
    arca_enclave_options_t o;
    arca_enclave_t *e = NULL;
    arca_enclave_options_init(&o);
    o.backend = backend;
    o.host_calls = calls;
    o.host_call_count = 1;
    arca_result_t res = arca_enclave_create(image, &o, &e);
    if (res != ARCA_OK) {
        fprintf(stderr, "bench: cannot create a %s enclave: %s (%s)\n", backend,
                arca_result_name(res), arca_last_error());
        return NULL;
    }
    return e;
}

static int measure_backend(arca_enclave_t *e, const uint8_t *payload, double r[M_COUNT])
{
    struct call_ctx c = {e, 1, NULL, 0};
    r[M_ECALL] = median_ns(call_op, &c, LAT_ITERS);
    c.fn = 2;
    r[M_ECALL_OCALL] = median_ns(call_op, &c, LAT_ITERS);
    c.fn = 3;
    c.in = payload;
    c.in_len = 4096;
    r[M_P4K] = median_ns(call_op, &c, LAT_ITERS);
    c.in_len = 65536;
    r[M_P64K] = median_ns(call_op, &c, LAT_ITERS / 4);
    c.in_len = MIB;
    r[M_P1M] = median_ns(call_op, &c, MIB_ITERS);
    for (int i = 0; i < M_COUNT; i++)
        if (r[i] < 0)
            return -1;
    return 0;
}

/* Let spinning waiters of the previous measurement fall asleep before the next one. */
static void settle(void)
{
    struct timespec ts = {0, 5 * 1000 * 1000};
    nanosleep(&ts, NULL);
}

/*
 * The switchless target, measured in pairs. On the machines measured, where the hypervisor
 * places the two vCPUs changes every few seconds and moves every cross-core figure by up to
 * 5x at once; a baseline and a call measured a second apart can straddle such a change. So
 * the target's ratio is taken from pairs measured milliseconds apart: raw spin, one-line
 * spin, then the call, each over PAIR_BATCHES batches. settle() first, so that the runner's
 * switchless spin (2 ms) has ended before a baseline's peer takes CPU 1 (a spinning runner
 * on that CPU would slow the baseline and flatter the ratio). Appends one ratio per pair.
 */
#define PAIRS 7
#define PAIR_BATCHES 5
struct pair_ratios {
    double vs_spin[MAX_ROUNDS * PAIRS];     /* call / raw spin: the target */
    double vs_line[MAX_ROUNDS * PAIRS];     /* call / one-line spin */
    double vs_channel[MAX_ROUNDS * PAIRS];  /* call / the channel alone */
    double channel_vs_line[MAX_ROUNDS * PAIRS];
    double channel_ns[MAX_ROUNDS * PAIRS];
    int count;
};

static void place_peer(void)
{
    if (pin)
        pin_tid(0, 1);
}

static int measure_pairs(arca_enclave_t *e, struct pair_ratios *out)
{
    struct call_ctx c = {e, 1, NULL, 0};
    for (int p = 0; p < PAIRS; p++) {
        settle();
        double spin = baseline_batches(0, PAIR_BATCHES, NULL);
        double line = baseline_batches(3, PAIR_BATCHES, NULL);
        pid_t floor_pid = channel_floor_start(place_peer);
        if (floor_pid < 0) {
            fprintf(stderr, "bench: cannot start the channel-alone peer: %s\n", strerror(errno));
            return -1;
        }
        double channel = median_batches(channel_floor_call, NULL, LAT_ITERS, PAIR_BATCHES);
        channel_floor_stop(floor_pid);
        if (channel < 0) {
            fprintf(stderr, "bench: the channel-alone peer gave a wrong reply\n");
            return -1;
        }
        settle(); /* the channel's peer is gone; let the runner's CPU cool like before */
        double call = median_batches(call_op, &c, LAT_ITERS, PAIR_BATCHES);
        if (call < 0) {
            fprintf(stderr, "bench: a process+switchless call failed: %s\n", arca_last_error());
            return -1;
        }
        int k = out->count++;
        out->vs_spin[k] = call / spin;
        out->vs_line[k] = call / line;
        out->vs_channel[k] = call / channel;
        out->channel_vs_line[k] = channel / line;
        out->channel_ns[k] = channel;
    }
    return 0;
}

/* ---- the table ---- */

enum { B_SPIN, B_FUTEX, B_SOCKET, B_COPY, B_LINE, B_HANDOFF, B_COUNT };
#define SETS 3

static void row(const char *name, double value, const char *unit, const char *base_name,
                double ratio, const char *target, int pass)
{
    printf("%-42s %10.1f %-5s", name, value, unit);
    if (base_name)
        printf("  %-11s %6.2fx", base_name, ratio);
    else
        printf("  %-11s %7s", "", "");
    if (target)
        printf("  %-26s %s", target, pass ? "PASS" : "MISS");
    printf("\n");
}

static void loadavg(char *out, size_t cap)
{
    FILE *f = fopen("/proc/loadavg", "r");
    out[0] = '\0';
    if (f) {
        if (!fgets(out, (int)cap, f))
            out[0] = '\0';
        fclose(f);
    }
    char *nl = strchr(out, '\n');
    if (nl)
        *nl = '\0';
}

int main(void)
{
    int rounds = 5;
    const char *env = getenv("BENCH_ROUNDS");
    if (env && atoi(env) > 0)
        rounds = atoi(env) > MAX_ROUNDS ? MAX_ROUNDS : atoi(env);
    env = getenv("BENCH_PIN");
    if ((env && !strcmp(env, "0")) || sysconf(_SC_NPROCESSORS_ONLN) < 2)
        pin = 0;
    char load_before[128], load_after[128];
    loadavg(load_before, sizeof load_before);

    sh = mmap(NULL, sizeof *sh, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    handoff = mmap(NULL, MIB, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (sh == MAP_FAILED || handoff == MAP_FAILED || socketpair(AF_UNIX, SOCK_STREAM, 0, sock) != 0) {
        perror("bench setup");
        return 1;
    }
    memset(sh, 0, sizeof *sh);
    if (pin)
        pin_tid(0, 0);

    struct copy_ctx cc = {malloc(MIB), malloc(MIB), MIB};
    uint8_t *payload = malloc(MIB);
    if (!cc.a || !cc.b || !payload)
        return 1;
    memset(cc.a, 1, MIB);
    memset(cc.b, 2, MIB);
    memset(payload, 0x5A, MIB);

    static const char *names[SETS] = {"sim", "process", "process+switchless"};
    arca_enclave_t *enclaves[SETS] = {open_backend("sim", BENCH_IMAGE),
                                      open_backend("process", BENCH_IMAGE),
                                      open_backend("process", BENCH_IMAGE_SWITCHLESS)};
    if (pin)
        pin_runners(1);

    static double base[B_COUNT][MAX_ROUNDS], calls[SETS][M_COUNT][MAX_ROUNDS];
    static struct pair_ratios pairs;
    static double ratio_futex[MAX_ROUNDS], ratio_sock[MAX_ROUNDS],
        ratio_copy[2][MAX_ROUNDS], ratio_handoff[2][MAX_ROUNDS];
    int have[SETS];
    for (int s = 0; s < SETS; s++)
        have[s] = enclaves[s] != NULL;

    for (int k = 0; k < rounds; k++) {
        settle(); /* the previous round ended with switchless calls: let the runner sleep */
        base[B_SPIN][k] = baseline(0);
        base[B_FUTEX][k] = baseline(1);
        base[B_SOCKET][k] = baseline(2);
        base[B_COPY][k] = median_ns(copy_op, &cc, MIB_ITERS);
        base[B_LINE][k] = baseline(3);
        base[B_HANDOFF][k] = baseline_batches(4, BATCHES, payload);
        for (int s = 0; s < SETS; s++) {
            double r[M_COUNT];
            settle();
            if (have[s] && measure_backend(enclaves[s], payload, r) != 0) {
                fprintf(stderr, "bench: a %s call failed: %s\n", names[s], arca_last_error());
                have[s] = 0;
            }
            for (int m = 0; have[s] && m < M_COUNT; m++)
                calls[s][m][k] = r[m];
        }
        ratio_futex[k] = calls[1][M_ECALL][k] / base[B_FUTEX][k];
        ratio_sock[k] = calls[1][M_ECALL][k] / base[B_SOCKET][k];
        if (have[2] && measure_pairs(enclaves[2], &pairs) != 0)
            have[2] = 0; /* measure_pairs said why */
        for (int s = 1; s < SETS; s++) { /* throughput ratio = time ratio inverted */
            ratio_copy[s - 1][k] = base[B_COPY][k] / calls[s][M_P1M][k];
            ratio_handoff[s - 1][k] = base[B_HANDOFF][k] / calls[s][M_P1M][k];
        }
        fprintf(stderr, "bench: round %d/%d done\n", k + 1, rounds);
    }
    for (int s = 0; s < SETS; s++)
        if (enclaves[s] && arca_enclave_destroy(enclaves[s]) != ARCA_OK)
            return 1;
    loadavg(load_after, sizeof load_after);

    double b[B_COUNT];
    for (int i = 0; i < B_COUNT; i++)
        b[i] = median(base[i], rounds);
    double copy_gbs = (double)MIB / b[B_COPY]; /* bytes per ns = GB/s */

    printf("%-42s %10s %-5s  %-11s %7s  %-26s %s\n", "measure", "median", "unit", "baseline",
           "ratio", "target", "");
    row("raw spin round trip (2 procs)", b[B_SPIN], "ns", NULL, 0, NULL, 0);
    row("  one-line spin round trip (2 procs)", b[B_LINE], "ns", "raw spin", b[B_LINE] / b[B_SPIN],
        NULL, 0);
    row("raw futex round trip (2 procs)", b[B_FUTEX], "ns", NULL, 0, NULL, 0);
    row("socketpair request/response", b[B_SOCKET], "ns", NULL, 0, NULL, 0);
    row("memcpy 1 MiB, one thread", copy_gbs, "GB/s", NULL, 0, NULL, 0);
    row("1 MiB hand-off (2 procs, copy in+out)", (double)MIB / b[B_HANDOFF], "GB/s",
        "memcpy", b[B_COPY] / b[B_HANDOFF], NULL, 0);
    for (int s = 0; s < SETS; s++) {
        char name[64];
        double r[M_COUNT];
        if (!have[s]) {
            printf("%s: not measured (see the error above)\n", names[s]);
            continue;
        }
        for (int m = 0; m < M_COUNT; m++)
            r[m] = median(calls[s][m], rounds);
        int is_proc = s == 1, is_sl = s == 2;
        snprintf(name, sizeof name, "%s empty ecall", names[s]);
        if (is_sl) {
            double q = median(pairs.vs_spin, pairs.count);
            row(name, r[M_ECALL], "ns", "raw spin", q, "<= 1.5x raw spin", q <= 1.5);
            row("  (same, against one-line spin)", r[M_ECALL], "ns", "one-line",
                median(pairs.vs_line, pairs.count), NULL, 0);
            row("  (same, against the channel alone)", r[M_ECALL], "ns", "channel",
                median(pairs.vs_channel, pairs.count), NULL, 0);
            row("  channel alone, empty ecall (2 procs)", median(pairs.channel_ns, pairs.count),
                "ns", "one-line", median(pairs.channel_vs_line, pairs.count), NULL, 0);
        } else if (is_proc) {
            double q = median(ratio_futex, rounds), qs = median(ratio_sock, rounds);
            row(name, r[M_ECALL], "ns", "raw futex", q, "<= 1.3x futex", q <= 1.3);
            row("  (same, against socketpair)", r[M_ECALL], "ns", "socketpair", qs, "< socketpair",
                qs < 1.0);
        } else {
            row(name, r[M_ECALL], "ns", "raw spin", r[M_ECALL] / b[B_SPIN], NULL, 0);
        }
        double ocall = r[M_ECALL_OCALL] - r[M_ECALL];
        int vs_spin = is_sl || !is_proc;
        snprintf(name, sizeof name, "%s empty ocall round trip", names[s]);
        row(name, ocall, "ns", vs_spin ? "raw spin" : "raw futex",
            ocall / (vs_spin ? b[B_SPIN] : b[B_FUTEX]), NULL, 0);
        snprintf(name, sizeof name, "%s ecall 4 KiB in", names[s]);
        row(name, r[M_P4K], "ns", "raw spin", r[M_P4K] / b[B_SPIN], NULL, 0);
        snprintf(name, sizeof name, "%s ecall 64 KiB in", names[s]);
        row(name, r[M_P64K], "ns", "raw spin", r[M_P64K] / b[B_SPIN], NULL, 0);
        double gbs = (double)MIB / r[M_P1M];
        snprintf(name, sizeof name, "%s ecall 1 MiB in", names[s]);
        if (is_proc || is_sl) {
            double q = median(ratio_handoff[s - 1], rounds);
            row(name, gbs, "GB/s", "hand-off", q, ">= 0.8x hand-off", q >= 0.8);
            row("  (same, against memcpy)", gbs, "GB/s", "memcpy", median(ratio_copy[s - 1], rounds),
                NULL, 0);
        } else {
            row(name, gbs, "GB/s", "memcpy", gbs / copy_gbs, NULL, 0);
        }
    }
    printf("\n%d rounds; each figure is the median of its per-round medians (%d batches of %d "
           "operations, %d for 1 MiB);\ntargets use the median over rounds of the ratio measured "
           "within each round (switchless: of %d baseline/call pairs measured milliseconds "
           "apart).\nocall = (ecall with one empty ocall) - (empty ecall). Host on "
           "CPU 0, peer (baseline child, every arca-runner thread) on CPU 1: %s.\n"
           "load average before: %s\nload average after:  %s\n",
           rounds, BATCHES, LAT_ITERS, MIB_ITERS, pairs.count, pin ? "yes" : "no (BENCH_PIN=0 or 1 CPU)",
           load_before, load_after);
    free(payload);
    free(cc.a);
    free(cc.b);
    return 0; /* a missed target is reported, not fatal: timings depend on the machine */
}
