/*
 * bench_calls.c — call latency and payload throughput of the sim, process and
 * process+switchless backends, each printed beside a baseline measured in the same run:
 * a raw shared-memory spin round trip between two processes, a raw futex round trip, a
 * socketpair request/response, and single-thread memcpy bandwidth. Every figure is a
 * median over many batches; ratios against the targets of Arca issue 5 are printed too.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "arca/host.h"

#define BATCHES 31
#define MIB (1024u * 1024u)

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

/* Median over BATCHES of the time per operation, each batch `iters` operations. */
typedef int (*op_fn)(void *ctx);
static double median_ns(op_fn op, void *ctx, int iters)
{
    double t[BATCHES];
    for (int w = 0; w < iters / 4 + 1; w++) /* warm up */
        if (op(ctx) != 0)
            return -1;
    for (int b = 0; b < BATCHES; b++) {
        double t0 = now_ns();
        for (int i = 0; i < iters; i++)
            if (op(ctx) != 0)
                return -1;
        t[b] = (now_ns() - t0) / iters;
    }
    qsort(t, BATCHES, sizeof t[0], cmp_double);
    return t[BATCHES / 2];
}

static inline void cpu_relax(void)
{
#if defined(__x86_64__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield" ::: "memory");
#endif
}

/* ---- baselines between two processes ---- */

struct shared {
    _Alignas(64) uint32_t ping;
    _Alignas(64) uint32_t pong;
};

static struct shared *sh;
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
    uint32_t last = 0;
    for (;;) {
        uint32_t v;
        if (kind == 0) {
            while ((v = __atomic_load_n(&sh->ping, __ATOMIC_ACQUIRE)) == last)
                cpu_relax();
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
    futex_wake(&sh->ping);
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    sh->ping = sh->pong = 0;
    seq = 0;
}

static double baseline(int kind, int iters)
{
    pid_t pid = start_peer(kind);
    double ns = median_ns(kind == 0 ? spin_op : kind == 1 ? futex_op : socket_op, NULL, iters);
    stop_peer(pid);
    return ns;
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

struct results {
    double ecall, ecall_ocall, p4k, p64k, p1m;
};

static int measure_backend(const char *backend, const char *image, const uint8_t *payload,
                           struct results *r)
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
        return -1;
    }
    struct call_ctx c = {e, 1, NULL, 0};
    r->ecall = median_ns(call_op, &c, 2000);
    c.fn = 2;
    r->ecall_ocall = median_ns(call_op, &c, 2000);
    c.fn = 3;
    c.in = payload;
    c.in_len = 4096;
    r->p4k = median_ns(call_op, &c, 1000);
    c.in_len = 65536;
    r->p64k = median_ns(call_op, &c, 300);
    c.in_len = MIB;
    r->p1m = median_ns(call_op, &c, 20);
    if (arca_enclave_destroy(e) != ARCA_OK)
        return -1;
    return 0;
}

/* ---- the table ---- */

static void row(const char *name, double value, const char *unit, const char *base_name,
                double ratio, const char *target, int pass)
{
    printf("%-34s %10.1f %-5s", name, value, unit);
    if (base_name)
        printf("  %-16s %6.2fx", base_name, ratio);
    else
        printf("  %-16s %7s", "", "");
    if (target)
        printf("  %-28s %s", target, pass ? "PASS" : "MISS");
    printf("\n");
}

static int any_miss;

static void check(int pass)
{
    any_miss |= !pass;
}

int main(void)
{
    sh = mmap(NULL, sizeof *sh, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (sh == MAP_FAILED || socketpair(AF_UNIX, SOCK_STREAM, 0, sock) != 0) {
        perror("bench setup");
        return 1;
    }
    memset(sh, 0, sizeof *sh);

    double spin = baseline(0, 20000);
    double futex = baseline(1, 5000);
    double sockrt = baseline(2, 5000);
    struct copy_ctx cc = {malloc(MIB), malloc(MIB), MIB};
    memset(cc.a, 1, MIB);
    memset(cc.b, 2, MIB);
    double copy_ns = median_ns(copy_op, &cc, 200);
    double copy_gbs = (double)MIB / copy_ns; /* bytes per ns = GB/s */

    uint8_t *payload = malloc(MIB);
    memset(payload, 0x5A, MIB);
    struct results sim, proc, sl;
    int have_sim = measure_backend("sim", BENCH_IMAGE, payload, &sim) == 0;
    int have_proc = measure_backend("process", BENCH_IMAGE, payload, &proc) == 0;
    int have_sl = measure_backend("process", BENCH_IMAGE_SWITCHLESS, payload, &sl) == 0;

    printf("%-34s %10s %-5s  %-16s %7s  %-28s %s\n", "measure", "median", "unit", "baseline",
           "ratio", "target", "");
    row("raw spin round trip (2 procs)", spin, "ns", NULL, 0, NULL, 0);
    row("raw futex round trip (2 procs)", futex, "ns", NULL, 0, NULL, 0);
    row("socketpair request/response", sockrt, "ns", NULL, 0, NULL, 0);
    row("memcpy 1 MiB, one thread", copy_gbs, "GB/s", NULL, 0, NULL, 0);
    const struct {
        const char *name;
        int have;
        struct results *r;
    } sets[] = {{"sim", have_sim, &sim}, {"process", have_proc, &proc},
                {"process+switchless", have_sl, &sl}};
    for (int i = 0; i < 3; i++) {
        char name[64];
        struct results *r = sets[i].r;
        if (!sets[i].have) {
            printf("%s: not measured (see the error above)\n", sets[i].name);
            any_miss = 1;
            continue;
        }
        int is_proc = i == 1, is_sl = i == 2;
        snprintf(name, sizeof name, "%s empty ecall", sets[i].name);
        if (is_sl) {
            int pass = r->ecall <= 1.5 * spin;
            check(pass);
            row(name, r->ecall, "ns", "raw spin", r->ecall / spin, "<= 1.5x raw spin", pass);
        } else if (is_proc) {
            int pass = r->ecall <= 1.3 * futex && r->ecall < sockrt;
            check(pass);
            row(name, r->ecall, "ns", "raw futex", r->ecall / futex,
                "<= 1.3x futex, < socketpair", pass);
            row("  (same, against socketpair)", r->ecall, "ns", "socketpair", r->ecall / sockrt,
                NULL, 0);
        } else {
            row(name, r->ecall, "ns", "raw spin", r->ecall / spin, NULL, 0);
        }
        double ocall = r->ecall_ocall - r->ecall;
        snprintf(name, sizeof name, "%s empty ocall round trip", sets[i].name);
        row(name, ocall, "ns", is_sl || !is_proc ? "raw spin" : "raw futex",
            ocall / (is_sl || !is_proc ? spin : futex), NULL, 0);
        snprintf(name, sizeof name, "%s ecall 4 KiB in", sets[i].name);
        row(name, r->p4k, "ns", "raw spin", r->p4k / spin, NULL, 0);
        snprintf(name, sizeof name, "%s ecall 64 KiB in", sets[i].name);
        row(name, r->p64k, "ns", "raw spin", r->p64k / spin, NULL, 0);
        double gbs = (double)MIB / r->p1m;
        snprintf(name, sizeof name, "%s ecall 1 MiB in", sets[i].name);
        if (is_proc || is_sl) {
            int pass = gbs >= 0.4 * copy_gbs;
            check(pass);
            row(name, gbs, "GB/s", "memcpy", gbs / copy_gbs, ">= 0.40x memcpy bandwidth", pass);
        } else {
            row(name, gbs, "GB/s", "memcpy", gbs / copy_gbs, NULL, 0);
        }
    }
    printf("\nmedians of %d batches; ocall = (ecall with one empty ocall) - (empty ecall)\n",
           BATCHES);
    free(payload);
    free(cc.a);
    free(cc.b);
    return 0; /* a missed target is reported, not fatal: timings depend on the machine */
}
