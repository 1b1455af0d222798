/*
 * process_enclave.c — the enclave the process-backend tests load. Some functions are
 * well-behaved (echo, host calls, heap checks: torture, large blocks, wiping, cost; where its
 * stack and buffers lie); others deliberately do what the sandbox must stop (open, socket,
 * execve, ptrace, executable memory, an x32 system call, mapping a descriptor, raw bytes on
 * stderr) or crash, so the host tests can assert that the enclave is killed and the host
 * survives.
 */
#define _GNU_SOURCE
#undef NDEBUG /* the assert below must stay in every build type */
#include <assert.h>
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

/* The forbidden ones, as raw system calls (the C library's open, socket and execve are bound to
 * ENOSYS stubs by the loader, src/loader/libc_bind.c; an attacker does not need them). If the
 * sandbox works, none of them returns. */
static arca_result_t do_open(const uint8_t *in, size_t l, uint8_t *o, size_t c, size_t *n)
{
    (void)in, (void)l, (void)o, (void)c;
    *n = 0;
    long fd = syscall(SYS_openat, AT_FDCWD, "/etc/passwd", O_RDONLY);
    return fd >= 0 ? ARCA_OK : ARCA_ERR_PERMISSION;
}

static arca_result_t do_socket(const uint8_t *in, size_t l, uint8_t *o, size_t c, size_t *n)
{
    (void)in, (void)l, (void)o, (void)c;
    *n = 0;
    long fd = syscall(SYS_socket, AF_INET, SOCK_STREAM, 0);
    return fd >= 0 ? ARCA_OK : ARCA_ERR_PERMISSION;
}

static arca_result_t do_execve(const uint8_t *in, size_t l, uint8_t *o, size_t c, size_t *n)
{
    (void)in, (void)l, (void)o, (void)c;
    *n = 0;
    char *argv[] = {"/bin/true", NULL};
    char *envp[] = {NULL};
    syscall(SYS_execve, "/bin/true", argv, envp);
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
    /* The system call itself: the loader binds the image's write() on 1 and 2 to the
     * enclave's output (src/loader/libc_cxx.c), and this is about the runner's raw stderr. */
    return syscall(SYS_write, 2, in, in_len) == (long)in_len ? ARCA_OK : ARCA_ERR_IO;
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

static arca_result_t do_assert(const uint8_t *in, size_t l, uint8_t *o, size_t c, size_t *n)
{
    (void)in, (void)o, (void)c;
    *n = 0;
    assert(l == 12345);
    return ARCA_OK;
}

static arca_result_t do_exit(const uint8_t *in, size_t l, uint8_t *o, size_t c, size_t *n)
{
    (void)in, (void)l, (void)o, (void)c;
    *n = 0;
    exit(7);
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

/* xorshift64, one state per call so that calls on several enclave threads can run at once. */
static _Thread_local uint64_t rng_state;
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

/* From this size on the runner's heap cuts blocks from the top of the free space. */
#define LARGE_MIN ((size_t)128 * 1024)

static arca_result_t heap(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap,
                          size_t *out_len)
{
    enum { N = 512 };
    uint8_t *ptrs[N];
    size_t sizes[N];
    uint64_t failed = 0, arg[2] = {88172645463325252ull, N};
    /* Another sequence and fewer live blocks, for callers on several threads at once. */
    if (in_len != 0 && in_len != sizeof arg)
        return ARCA_ERR_INVALID_ARGUMENT;
    if (in_len)
        memcpy(arg, in, sizeof arg);
    if (!arg[0] || !arg[1] || arg[1] > N)
        return ARCA_ERR_INVALID_ARGUMENT;
    rng_state = arg[0];
    memset(ptrs, 0, sizeof ptrs);
    memset(sizes, 0, sizeof sizes);
    for (int round = 0; round < 20000; round++) {
        int i = (int)(rnd() % arg[1]);
        if (ptrs[i]) {
            for (size_t k = 0; k < sizes[i]; k++)
                FAIL_IF(ptrs[i][k] != (uint8_t)(i + k), 1); /* content intact */
            if (rnd() & 1) {
                /* Now and then a large block (the allocator's large-block path). */
                size_t ns = (rnd() & 63) ? (size_t)(rnd() % 5000) : LARGE_MIN + rnd() % LARGE_MIN;
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
            size_t s = (rnd() & 63) ? (size_t)(rnd() % ((rnd() & 7) ? 256 : 20000))
                                    : LARGE_MIN + rnd() % LARGE_MIN;
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
    return put_u64s(&failed, 1, out, out_cap, out_len);
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

/* One large block: malloc @p in bytes, write and read back every byte, free it. */
static arca_result_t big_alloc(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap,
                               size_t *out_len)
{
    uint64_t bytes = 0, failed = 0;
    uint8_t *p = NULL;
    *out_len = 0;
    if (in_len != sizeof bytes)
        return ARCA_ERR_INVALID_ARGUMENT;
    memcpy(&bytes, in, sizeof bytes);
    p = malloc((size_t)bytes);
    if (!p)
        return ARCA_ERR_OUT_OF_MEMORY;
    FAIL_IF(malloc_usable_size(p) < bytes, 1);
    for (size_t k = 0; k < bytes; k++)
        p[k] = (uint8_t)(k * 7u);
    for (size_t k = 0; k < bytes; k++)
        FAIL_IF(p[k] != (uint8_t)(k * 7u), 2);
done:
    free(p);
    if (failed) {
        put_u64s(&failed, 1, out, out_cap, out_len);
        return ARCA_ERR_INTERNAL;
    }
    return ARCA_OK;
}

/* Small allocations kept for the enclave's life, made while something large is on the heap. */
static arca_result_t keep_small(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap,
                                size_t *out_len)
{
    static void *kept[8 * KEEP_COUNT];
    static size_t count;
    (void)in, (void)in_len, (void)out, (void)out_cap;
    *out_len = 0;
    for (int i = 0; i < KEEP_COUNT; i++) {
        if (count == sizeof kept / sizeof kept[0])
            return ARCA_ERR_OUT_OF_MEMORY;
        kept[count] = malloc(KEEP_BYTES);
        if (!kept[count])
            return ARCA_ERR_OUT_OF_MEMORY;
        memset(kept[count++], 0x11, KEEP_BYTES);
    }
    return ARCA_OK;
}

static arca_result_t split_heap(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap,
                                size_t *out_len)
{
    uint64_t bytes = 0;
    *out_len = 0;
    if (in_len != sizeof bytes)
        return ARCA_ERR_INVALID_ARGUMENT;
    memcpy(&bytes, in, sizeof bytes);
    uint8_t *volatile work = malloc((size_t)bytes);
    if (!work)
        return ARCA_ERR_OUT_OF_MEMORY;
    work[0] = work[bytes - 1] = 1;
    arca_result_t r = keep_small(NULL, 0, out, out_cap, out_len);
    free(work);
    return r;
}

/*
 * Bytes of [p, p + n) that still hold SECRET_BYTE after p was freed, skipping the first 16: a
 * free chunk keeps its two free-list links there (allocator metadata, not enclave data). The
 * memory is read through a volatile pointer: the allocator never unmaps its arena, and no other
 * thread allocates while this ecall runs.
 */
static uint64_t secret_left(uintptr_t where, size_t n)
{
    const volatile uint8_t *p = (const volatile uint8_t *)where;
    uint64_t left = 0;
    for (size_t k = 16; k < n; k++)
        left += p[k] == SECRET_BYTE;
    return left;
}

/* Free p (n bytes, all SECRET_BYTE); return how many still hold it. The address travels as a
 * volatile integer: the compiler rightly refuses to let a freed pointer be read. */
static uint64_t free_then_left(uint8_t *p, size_t n)
{
    volatile uintptr_t where = (uintptr_t)p;
    memset(p, SECRET_BYTE, n);
    /* The compiler may drop stores to memory that is freed next: make them happen. */
    __asm__ volatile("" : : "r"(p) : "memory");
    free(p);
    return secret_left(where, n);
}

static arca_result_t wiped(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap,
                           size_t *out_len)
{
    /* Small (exact bins), medium (ranged bins), and large blocks (the large-block path). */
    static const size_t sizes[] = {24, 100, 1000, 5000, 60000, 200000, 1u << 20, 3u << 20};
    enum { RUN = 256 };
    static uint8_t *run[RUN];
    uint64_t failed = 0, size = 0, left = 0;
    uint8_t *p = NULL, *q = NULL;
    volatile uintptr_t where = 0;
    memset(run, 0, sizeof run);
    (void)in, (void)in_len;
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        size = sizes[i];
        p = malloc(size);
        FAIL_IF(!p, 1);
        FAIL_IF((left = free_then_left(p, size)) != 0, 2); /* malloc + free */
        p = calloc(1, size);
        FAIL_IF(!p, 3);
        FAIL_IF((left = free_then_left(p, size)) != 0, 4); /* calloc + free */
        p = aligned_alloc(4096, size);
        FAIL_IF(!p, 5);
        FAIL_IF((left = free_then_left(p, size)) != 0, 6); /* aligned_alloc + free */
    }
    /* realloc in place: the tail it cuts off is freed, so wiped (the first 256 bytes hold the
     * 100 kept and the tail's header and links). */
    size = 65536;
    p = malloc(size);
    FAIL_IF(!p, 7);
    memset(p, SECRET_BYTE, size);
    where = (uintptr_t)p;
    q = realloc(p, 100);
    FAIL_IF((uintptr_t)q != where, 8); /* shrinking stays in place */
    FAIL_IF((left = secret_left(where + 256 - 16, size - 256 + 16)) != 0, 9);
    free(q);
    q = NULL;
    /* realloc that moves: the old block is freed, so wiped. It must move when the chunk right
     * after it is in use: of a run of blocks of one size, once the holes that fit them are
     * used up, some are carved one after another (the next block's header directly follows a
     * block's usable bytes). */
    size = 1000;
    p = NULL;
    for (int i = 0; i < RUN && !p; i++) {
        run[i] = malloc(size);
        FAIL_IF(!run[i], 10);
        for (int j = 0; j < i && !p; j++) {
            if ((uintptr_t)run[i] == (uintptr_t)run[j] + malloc_usable_size(run[j]) + 16) {
                p = run[j]; /* run[i] follows it */
                run[j] = NULL;
            }
        }
    }
    FAIL_IF(!p, 11);
    memset(p, SECRET_BYTE, size);
    where = (uintptr_t)p;
    q = realloc(p, 100000);
    FAIL_IF(!q || (uintptr_t)q == where, 12);
    FAIL_IF((left = secret_left(where, size)) != 0, 13);
done:
    free(q);
    for (int i = 0; i < RUN; i++)
        free(run[i]);
    uint64_t v[3] = {failed, failed ? size : 0, failed ? left : 0};
    return put_u64s(v, 3, out, out_cap, out_len);
}

/* The cost of a malloc + free pair, timed inside the enclave. */
static arca_result_t heap_cost(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap,
                               size_t *out_len)
{
    uint32_t arg[2];
    struct timespec a, b;
    if (in_len != sizeof arg)
        return ARCA_ERR_INVALID_ARGUMENT;
    memcpy(arg, in, sizeof arg);
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (uint32_t i = 0; i < arg[0]; i++) {
        uint8_t *volatile p = malloc(arg[1]);
        if (!p)
            return ARCA_ERR_OUT_OF_MEMORY;
        p[0] = (uint8_t)i;
        free(p);
    }
    clock_gettime(CLOCK_MONOTONIC, &b);
    uint64_t ns = (uint64_t)(b.tv_sec - a.tv_sec) * 1000000000u + (uint64_t)b.tv_nsec -
                  (uint64_t)a.tv_nsec;
    return put_u64s(&ns, 1, out, out_cap, out_len);
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
            {PE_HOST_CALL, host_call}, {PE_CRASH, crash}, {PE_ABORT, do_abort}, {PE_ASSERT, do_assert}, {PE_EXIT, do_exit}, {PE_SPIN, spin},
            {PE_ENV, env}, {PE_HEAP, heap}, {PE_OOM, oom}, {PE_EMPTY, empty},
            {PE_OCALL_EMPTY, ocall_empty}, {PE_SINK, empty}, {PE_HC_ECHO, hc_echo},
            {PE_X32, do_x32}, {PE_MMAP_FD, do_mmap_fd}, {PE_RAW_STDERR, raw_stderr},
            {PE_WHERE, where}, {PE_BIG_ALLOC, big_alloc}, {PE_KEEP_SMALL, keep_small},
            {PE_SPLIT_HEAP, split_heap}, {PE_WIPED, wiped}, {PE_HEAP_COST, heap_cost});
