/*
 * process_enclave.c — the enclave the process-backend tests load. Some functions are
 * well-behaved (echo, host calls, heap checks, where its stack and buffers lie); others
 * deliberately do what the sandbox must stop (open, socket, execve, ptrace, executable memory,
 * an x32 system call, mapping a descriptor, raw bytes on stderr) or crash, so the host tests
 * can assert that the enclave is killed and the host survives.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "arca/enclave.h"
#include "process_ids.h"

extern char **environ;

static arca_result_t put_u64s(const uint64_t *v, size_t n, uint8_t *out, size_t out_cap,
                              size_t *out_len)
{
    *out_len = n * sizeof(uint64_t);
    if (out_cap < *out_len)
        return ARCA_ERR_BUFFER_TOO_SMALL;
    memcpy(out, v, *out_len);
    return ARCA_OK;
}

static arca_result_t echo(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap,
                          size_t *out_len)
{
    *out_len = in_len;
    if (in_len > out_cap)
        return ARCA_ERR_BUFFER_TOO_SMALL;
    if (in_len)
        memcpy(out, in, in_len);
    return ARCA_OK;
}

static uint8_t *secret;

static arca_result_t fill_secret(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap,
                                 size_t *out_len)
{
    (void)in, (void)in_len;
    if (!secret)
        secret = malloc(SECRET_LEN);
    if (!secret)
        return ARCA_ERR_OUT_OF_MEMORY;
    memset(secret, SECRET_BYTE, SECRET_LEN);
    uint64_t v[2] = {(uint64_t)(uintptr_t)secret, SECRET_LEN};
    return put_u64s(v, 2, out, out_cap, out_len);
}

/* The forbidden ones. If the sandbox works, none of them returns. */
static arca_result_t do_open(const uint8_t *in, size_t l, uint8_t *o, size_t c, size_t *n)
{
    (void)in, (void)l, (void)o, (void)c;
    *n = 0;
    int fd = open("/etc/passwd", O_RDONLY);
    return fd >= 0 ? ARCA_OK : ARCA_ERR_PERMISSION;
}

static arca_result_t do_socket(const uint8_t *in, size_t l, uint8_t *o, size_t c, size_t *n)
{
    (void)in, (void)l, (void)o, (void)c;
    *n = 0;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    return fd >= 0 ? ARCA_OK : ARCA_ERR_PERMISSION;
}

static arca_result_t do_execve(const uint8_t *in, size_t l, uint8_t *o, size_t c, size_t *n)
{
    (void)in, (void)l, (void)o, (void)c;
    *n = 0;
    char *argv[] = {"/bin/true", NULL};
    char *envp[] = {NULL};
    execve("/bin/true", argv, envp);
    return ARCA_ERR_PERMISSION;
}

static arca_result_t do_ptrace(const uint8_t *in, size_t l, uint8_t *o, size_t c, size_t *n)
{
    (void)in, (void)l, (void)o, (void)c;
    *n = 0;
    return ptrace(PTRACE_TRACEME, 0, NULL, NULL) == 0 ? ARCA_OK : ARCA_ERR_PERMISSION;
}

static arca_result_t do_mmap_exec(const uint8_t *in, size_t l, uint8_t *o, size_t c, size_t *n)
{
    (void)in, (void)l, (void)o, (void)c;
    *n = 0;
    void *p = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p != MAP_FAILED ? ARCA_OK : ARCA_ERR_PERMISSION;
}

static arca_result_t do_mprotect_exec(const uint8_t *in, size_t l, uint8_t *o, size_t c, size_t *n)
{
    (void)in, (void)l, (void)o, (void)c;
    *n = 0;
    void *p = aligned_alloc(4096, 8192);
    if (!p)
        return ARCA_ERR_OUT_OF_MEMORY;
    return mprotect(p, 4096, PROT_READ | PROT_EXEC) == 0 ? ARCA_OK : ARCA_ERR_PERMISSION;
}

/* An x32-ABI system call: the seccomp filter must end the whole process, not the thread. */
static arca_result_t do_x32(const uint8_t *in, size_t l, uint8_t *o, size_t c, size_t *n)
{
    (void)in, (void)l, (void)o, (void)c;
    *n = 0;
    long rc = syscall(0x40000000L /* __X32_SYSCALL_BIT */ | SYS_getpid);
    return rc >= 0 ? ARCA_OK : ARCA_ERR_PERMISSION;
}

/* Map the runner's stderr shared and writable: were it the host's log file, the enclave
 * could rewrite it. Only anonymous mappings are allowed. */
static arca_result_t do_mmap_fd(const uint8_t *in, size_t l, uint8_t *o, size_t c, size_t *n)
{
    (void)in, (void)l, (void)o, (void)c;
    *n = 0;
    void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, 2, 0);
    return p != MAP_FAILED ? ARCA_OK : ARCA_ERR_PERMISSION;
}

/* Raw bytes on stderr, past the log host call's escaping. */
static arca_result_t raw_stderr(const uint8_t *in, size_t in_len, uint8_t *o, size_t c, size_t *n)
{
    (void)o, (void)c;
    *n = 0;
    return write(2, in, in_len) == (ssize_t)in_len ? ARCA_OK : ARCA_ERR_IO;
}

/* errno of a shared (non-private) FUTEX_WAKE on p: the kernel must pin the page for it,
 * which it refuses (EFAULT) for secretmem. The wake itself wakes nobody. */
static uint64_t futex_probe(void *p)
{
    long rc = syscall(SYS_futex, p, FUTEX_WAKE, 1, NULL, NULL, 0);
    return rc < 0 ? (uint64_t)errno : 0;
}

/* Where this ecall's stack and call buffers lie, and whether the kernel can pin them. */
static arca_result_t where(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap,
                           size_t *out_len)
{
    (void)in_len;
    volatile uint32_t local = 0;
    uint64_t v[WHERE_COUNT];
    if (!in || out_cap < sizeof v)
        return ARCA_ERR_INVALID_ARGUMENT;
    v[0] = (uint64_t)(uintptr_t)&local;
    v[1] = (uint64_t)(uintptr_t)in;
    v[2] = (uint64_t)(uintptr_t)out;
    v[3] = futex_probe((void *)&local);
    /* Aligned words inside the buffers (the futex word must be 4-byte aligned). */
    v[4] = futex_probe((void *)(((uintptr_t)in + 3) & ~(uintptr_t)3));
    v[5] = futex_probe((void *)(((uintptr_t)out + 3) & ~(uintptr_t)3));
    return put_u64s(v, WHERE_COUNT, out, out_cap, out_len);
}

/* Calls HC_ANY and reports what the runtime made of the host's reply. */
static arca_result_t host_call(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap,
                               size_t *out_len)
{
    uint32_t req[2];
    static uint8_t reply[1 << 20]; /* more than one channel chunk: tests/attack streams replies */
    size_t got = 0;
    if (in_len != sizeof req)
        return ARCA_ERR_INVALID_ARGUMENT;
    memcpy(req, in, sizeof req);
    if (req[1] > sizeof reply)
        return ARCA_ERR_INVALID_ARGUMENT;
    arca_result_t r = arca_host_call(req[0], "ping", 4, reply, req[1], &got);
    uint64_t v[2] = {(uint64_t)(uint32_t)r, (uint64_t)got};
    return put_u64s(v, 2, out, out_cap, out_len);
}

static arca_result_t crash(const uint8_t *in, size_t l, uint8_t *o, size_t c, size_t *n)
{
    (void)in, (void)l, (void)o, (void)c;
    *n = 0;
    volatile int *p = (volatile int *)(uintptr_t)(l >> 63); /* NULL, opaque to the compiler */
    *p = 1;
    return ARCA_OK;
}

static arca_result_t do_abort(const uint8_t *in, size_t l, uint8_t *o, size_t c, size_t *n)
{
    (void)in, (void)l, (void)o, (void)c;
    *n = 0;
    abort();
}

static arca_result_t spin(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap,
                          size_t *out_len)
{
    (void)out, (void)out_cap;
    uint32_t ms = 0;
    struct timespec a, b;
    *out_len = 0;
    if (in_len != sizeof ms)
        return ARCA_ERR_INVALID_ARGUMENT;
    memcpy(&ms, in, sizeof ms);
    clock_gettime(CLOCK_MONOTONIC, &a);
    do
        clock_gettime(CLOCK_MONOTONIC, &b);
    while ((b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000 < ms);
    return ARCA_OK;
}

static arca_result_t env(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap,
                         size_t *out_len)
{
    (void)in, (void)in_len;
    uint64_t count = 0;
    for (char **e = environ; e && *e; e++)
        count++;
    return put_u64s(&count, 1, out, out_cap, out_len);
}

/* ---- heap checks: the runner's malloc family, from inside ---- */

static uint64_t rng_state = 88172645463325252ull;
static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

#define FAIL_IF(cond, code)                                                                      \
    do {                                                                                         \
        if (cond) {                                                                              \
            failed = (code);                                                                     \
            goto done;                                                                           \
        }                                                                                        \
    } while (0)

static arca_result_t heap(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap,
                          size_t *out_len)
{
    (void)in, (void)in_len;
    enum { N = 512 };
    static uint8_t *ptrs[N];
    static size_t sizes[N];
    uint64_t failed = 0;
    memset(ptrs, 0, sizeof ptrs);
    for (int round = 0; round < 20000; round++) {
        int i = (int)(rnd() % N);
        if (ptrs[i]) {
            for (size_t k = 0; k < sizes[i]; k++)
                FAIL_IF(ptrs[i][k] != (uint8_t)(i + k), 1); /* content intact */
            if (rnd() & 1) {
                size_t ns = (size_t)(rnd() % 5000);
                uint8_t *q = realloc(ptrs[i], ns);
                FAIL_IF(ns && !q, 2);
                size_t keep = ns < sizes[i] ? ns : sizes[i];
                for (size_t k = 0; k < keep; k++)
                    FAIL_IF(q[k] != (uint8_t)(i + k), 3); /* realloc keeps the prefix */
                ptrs[i] = ns ? q : NULL;
                sizes[i] = ns;
                for (size_t k = 0; k < ns; k++)
                    q[k] = (uint8_t)(i + k);
            } else {
                free(ptrs[i]);
                ptrs[i] = NULL;
            }
        } else {
            size_t s = (size_t)(rnd() % ((rnd() & 7) ? 256 : 20000));
            int kind = (int)(rnd() % 4);
            uint8_t *p = NULL;
            if (kind == 0) {
                p = malloc(s);
            } else if (kind == 1) {
                p = calloc(1, s);
                for (size_t k = 0; p && k < s; k++)
                    FAIL_IF(p[k] != 0, 4); /* calloc zeroes */
            } else {
                size_t align = (size_t)1 << (4 + rnd() % 9);
                if (kind == 2)
                    FAIL_IF(posix_memalign((void **)&p, align, s) != 0, 5);
                else
                    p = aligned_alloc(align, s);
                FAIL_IF(p && ((uintptr_t)p & (align - 1)) != 0, 6); /* aligned */
            }
            FAIL_IF(!p, 7);
            FAIL_IF(malloc_usable_size(p) < s, 8);
            for (size_t k = 0; k < s; k++)
                p[k] = (uint8_t)(i + k);
            ptrs[i] = p;
            sizes[i] = s;
        }
    }
done:
    for (int i = 0; i < N; i++) {
        free(ptrs[i]);
        ptrs[i] = NULL;
    }
    if (failed) {
        put_u64s(&failed, 1, out, out_cap, out_len);
        return ARCA_ERR_INTERNAL;
    }
    *out_len = 0;
    return ARCA_OK;
}

static arca_result_t oom(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap,
                         size_t *out_len)
{
    (void)in, (void)in_len;
    /* volatile: the compiler must not see (and reject) the absurd sizes. */
    static volatile size_t tera = (size_t)1 << 40, half = SIZE_MAX / 2, big33 = (size_t)1 << 33,
                           almost = SIZE_MAX - 100;
    uint64_t failed = 0;
    void *big = NULL, *q = NULL;
    uint8_t *volatile p = NULL;
    FAIL_IF(malloc(tera) != NULL, 1);            /* far beyond the heap */
    FAIL_IF(calloc(half, 4) != NULL, 2);         /* overflowing product */
    FAIL_IF(calloc(big33, big33) != NULL, 3);
    FAIL_IF(aligned_alloc(4096, almost) != NULL, 4);
    p = malloc(64);
    FAIL_IF(!p, 5);
    memset(p, 0x3C, 64);
    q = realloc(p, tera);
    FAIL_IF(q != NULL, 6);                       /* fails ... */
    for (int k = 0; k < 64; k++)
        FAIL_IF(p[k] != 0x3C, 7);                /* ... and keeps the old block */
    /* Fill the heap to exhaustion with 1 MiB blocks, then free them: all reusable. */
    void *blocks[256];
    int nb = 0;
    while (nb < 256 && (blocks[nb] = malloc(1 << 20)) != NULL)
        nb++;
    FAIL_IF(nb == 0 || nb == 256, 8);                        /* the 16 MiB heap runs out */
    for (int k = 0; k < nb; k++)
        free(blocks[k]);
    big = malloc((size_t)(nb - 2) << 20);                    /* coalesced again */
    FAIL_IF(!big, 9);
done:
    free(big);
    free(p);
    if (failed) {
        put_u64s(&failed, 1, out, out_cap, out_len);
        return ARCA_ERR_INTERNAL;
    }
    *out_len = 0;
    return ARCA_OK;
}

static arca_result_t empty(const uint8_t *in, size_t l, uint8_t *o, size_t c, size_t *n)
{
    (void)in, (void)l, (void)o, (void)c;
    *n = 0;
    return ARCA_OK;
}

static arca_result_t ocall_empty(const uint8_t *in, size_t l, uint8_t *o, size_t c, size_t *n)
{
    (void)in, (void)l, (void)o, (void)c;
    *n = 0;
    size_t got = 0;
    return arca_host_call(HC_EMPTY, NULL, 0, NULL, 0, &got);
}

/* A large payload both ways through a host call: streamed like ecall payloads. */
static arca_result_t hc_echo(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap,
                             size_t *out_len)
{
    size_t got = 0;
    *out_len = 0;
    if (in_len > out_cap)
        return ARCA_ERR_INVALID_ARGUMENT;
    arca_result_t r = arca_host_call(HC_ECHO, in, in_len, out, in_len, &got);
    *out_len = got;
    return r;
}

ARCA_ECALLS({PE_ECHO, echo}, {PE_SECRET, fill_secret}, {PE_OPEN, do_open},
            {PE_SOCKET, do_socket}, {PE_EXECVE, do_execve}, {PE_PTRACE, do_ptrace},
            {PE_MMAP_EXEC, do_mmap_exec}, {PE_MPROTECT_EXEC, do_mprotect_exec},
            {PE_HOST_CALL, host_call}, {PE_CRASH, crash}, {PE_ABORT, do_abort}, {PE_SPIN, spin},
            {PE_ENV, env}, {PE_HEAP, heap}, {PE_OOM, oom}, {PE_EMPTY, empty},
            {PE_OCALL_EMPTY, ocall_empty}, {PE_SINK, empty}, {PE_HC_ECHO, hc_echo},
            {PE_X32, do_x32}, {PE_MMAP_FD, do_mmap_fd}, {PE_RAW_STDERR, raw_stderr},
            {PE_WHERE, where});
