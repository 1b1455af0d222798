/*
 * secure_heap.c — the enclave heap: arca-runner's replacement of the malloc family
 * (glibc "Replacing malloc": malloc, free, calloc, realloc, posix_memalign, aligned_alloc,
 * memalign, valloc, pvalloc, malloc_usable_size; exported with -rdynamic so the image,
 * libcrypto and libc itself all allocate here).
 *
 * Memory comes from one arena of config.heap_size bytes in memfd_secret memory (off the
 * kernel's direct map), or, where that is unavailable, mlock()ed MADV_DONTDUMP memory. The
 * same protected mapping also holds the enclave threads' stacks (below the arena, each over
 * a guard page), and the per-call buffers are allocated from the arena: everything an ecall
 * touches but the image's own .data/.bss is protected memory, under one accounting bit.
 * Before the arena exists (dynamic loader, libc start-up) a small static bootstrap arena
 * serves. The allocator is a boundary-tag, coalescing, segregated-fit allocator under one
 * mutex. Large blocks (LARGE_BLOCK and up: the runner's buffers for large calls, an enclave's
 * big working buffers) are cut from the top end of the free chunk they come from, small ones
 * from the bottom end: the small, often long-lived allocations gather at the bottom of the
 * arena and the large ones at the top, so a small allocation made while a large block is live
 * does not split the free space in two once that block is freed (what dlmalloc and glibc get
 * by serving large blocks with mmap, which the runner cannot call). Freed memory is wiped
 * (zeroed) at free, so free chunks hold only the allocator's own headers and links, never
 * enclave data; a large block is wiped outside the lock. It must never return memory twice,
 * never grow past its arena (out of memory is NULL), never leave a freed block's bytes in the
 * arena, and never make a system call after start-up (it runs under seccomp).
 *
 * Divisions: chunk layout and bins; arena operations; the public malloc family; setup (the
 * protected mapping: stacks and arena).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "arca/identity.h"
#include "backends/process/launch_checks.h"
#include "base/error.h"
#include "formats/image.h"
#include "runner.h"

/* ---- chunk layout and bins ----
 * A chunk is [prev_size][head][user bytes...]. head = size | INUSE | PREV_INUSE; size is
 * a multiple of 16 and includes the 16-byte header. prev_size is valid only when the
 * previous chunk is free. Free chunks keep list links in their user bytes. The arena
 * ends with a 16-byte fence chunk that is always "in use". */
#define ALIGNMENT 16u
#define HEADER 16u
#define MIN_CHUNK 32u
#define INUSE ((size_t)1)
#define PREV_INUSE ((size_t)2)
#define FREEING ((size_t)4) /* in use, being wiped by free() outside the lock */
#define FLAGS (INUSE | PREV_INUSE | FREEING)
#define NBINS 192u
#define MAX_REQUEST ((size_t)1 << 46)
/* Chunks of this size and up are cut from the top of a free chunk (glibc's default mmap
 * threshold: what it would not serve from its heap either). */
#define LARGE_BLOCK ((size_t)128 * 1024)
/* Freed blocks above this many bytes are wiped with the lock released (they stay marked in use
 * meanwhile, so no other thread touches them): a few microseconds of memset at most under it. */
#define WIPE_UNLOCKED ((size_t)64 * 1024)

typedef struct chunk {
    size_t prev_size;
    size_t head;
    struct chunk *next; /* free chunks only */
    struct chunk *prev; /* free chunks only */
} chunk;

typedef struct arena {
    uint8_t *begin, *end; /* [begin, end) holds chunks; the fence starts at end - HEADER */
    chunk *bins[NBINS];
    uint64_t bitmap[NBINS / 64];
} arena;

static pthread_mutex_t heap_lock = PTHREAD_MUTEX_INITIALIZER;
static _Alignas(64) uint8_t bootstrap_bytes[512 * 1024];
static arena bootstrap;
static arena secure;
static int bootstrap_ready, secure_ready;

static inline size_t chunk_size(const chunk *c) { return c->head & ~FLAGS; }
static inline chunk *chunk_at(void *p) { return (chunk *)p; }
static inline chunk *next_chunk(chunk *c) { return chunk_at((uint8_t *)c + chunk_size(c)); }
static inline void *chunk_to_mem(chunk *c) { return (uint8_t *)c + HEADER; }
static inline chunk *mem_to_chunk(void *p) { return chunk_at((uint8_t *)p - HEADER); }

static unsigned bin_index(size_t size)
{
    if (size < 1024)
        return (unsigned)(size / 16); /* exact bins 2..63 */
    unsigned log = 63u - (unsigned)__builtin_clzll((unsigned long long)size); /* >= 10 */
    unsigned sub = (unsigned)((size >> (log - 2)) & 3u);
    unsigned idx = 64u + (log - 10u) * 4u + sub;
    return idx < NBINS ? idx : NBINS - 1;
}

static void bin_insert(arena *a, chunk *c)
{
    unsigned i = bin_index(chunk_size(c));
    c->prev = NULL;
    c->next = a->bins[i];
    if (c->next)
        c->next->prev = c;
    a->bins[i] = c;
    a->bitmap[i / 64] |= UINT64_C(1) << (i % 64);
}

static void bin_remove(arena *a, chunk *c)
{
    unsigned i = bin_index(chunk_size(c));
    if (c->prev)
        c->prev->next = c->next;
    else
        a->bins[i] = c->next;
    if (c->next)
        c->next->prev = c->prev;
    if (!a->bins[i])
        a->bitmap[i / 64] &= ~(UINT64_C(1) << (i % 64));
}

/* ---- arena operations (heap_lock held) ---- */

static void arena_setup(arena *a, uint8_t *mem, size_t size)
{
    uintptr_t b = ((uintptr_t)mem + ALIGNMENT - 1) & ~(uintptr_t)(ALIGNMENT - 1);
    uintptr_t e = ((uintptr_t)mem + size) & ~(uintptr_t)(ALIGNMENT - 1);
    memset(a, 0, sizeof *a);
    a->begin = (uint8_t *)b;
    a->end = (uint8_t *)e;
    chunk *first = chunk_at(a->begin);
    size_t first_size = (size_t)(e - b) - HEADER;
    first->prev_size = 0;
    first->head = first_size | PREV_INUSE;
    chunk *fence = chunk_at(a->end - HEADER);
    fence->prev_size = first_size;
    fence->head = INUSE; /* size 0, previous (first) is free */
    bin_insert(a, first);
}

static int arena_owns(const arena *a, const void *p)
{
    return a->begin && (const uint8_t *)p >= a->begin + HEADER && (const uint8_t *)p < a->end;
}

/* Mark c (size `need` or more) in use, splitting off a free remainder when it is big enough. */
static void take(arena *a, chunk *c, size_t need)
{
    size_t size = chunk_size(c);
    if (size - need >= MIN_CHUNK) {
        chunk *rest = chunk_at((uint8_t *)c + need);
        rest->head = (size - need) | PREV_INUSE;
        next_chunk(rest)->prev_size = size - need;
        c->head = need | INUSE | (c->head & PREV_INUSE);
        bin_insert(a, rest);
    } else {
        c->head |= INUSE;
        next_chunk(c)->head |= PREV_INUSE;
    }
}

/* The large-block path: mark the top `need` bytes of the free chunk c (out of its bin) in use,
 * leaving the rest below it free; the whole chunk when the rest would be too small. */
static chunk *take_top(arena *a, chunk *c, size_t need)
{
    size_t size = chunk_size(c), rest = size - need;
    if (rest < MIN_CHUNK) {
        take(a, c, need);
        return c;
    }
    chunk *top = chunk_at((uint8_t *)c + rest);
    c->head = rest | (c->head & PREV_INUSE); /* still free */
    top->prev_size = rest;
    top->head = need | INUSE; /* its predecessor, c, is free */
    next_chunk(top)->head |= PREV_INUSE;
    bin_insert(a, c);
    return top;
}

/* Take a chunk of at least `need` out of free chunk c (out of its bin). */
static void *carve(arena *a, chunk *c, size_t need)
{
    if (need >= LARGE_BLOCK)
        return chunk_to_mem(take_top(a, c, need));
    take(a, c, need);
    return chunk_to_mem(c);
}

static void *arena_alloc(arena *a, size_t need)
{
    unsigned i = bin_index(need);
    /* The start bin may hold smaller chunks (ranged bins): first fit inside it. */
    for (chunk *c = a->bins[i]; c; c = c->next) {
        if (chunk_size(c) >= need) {
            bin_remove(a, c);
            return carve(a, c, need);
        }
    }
    /* Any chunk of a higher bin is big enough. */
    for (unsigned w = (i + 1) / 64; w < NBINS / 64; w++) {
        uint64_t bits = a->bitmap[w];
        if (w == (i + 1) / 64)
            bits &= ~UINT64_C(0) << ((i + 1) % 64);
        if (bits) {
            unsigned j = w * 64 + (unsigned)__builtin_ctzll(bits);
            chunk *c = a->bins[j];
            bin_remove(a, c);
            return carve(a, c, need);
        }
    }
    return NULL;
}

/* Zero n bytes at p (a chunk's user bytes: n is a multiple of 16). The smallest chunks, the
 * most frequent, are zeroed inline (a call into memset costs more than the stores); the
 * barrier keeps the compiler from dropping the stores as dead (the memory is being freed). */
static inline void wipe(void *p, size_t n)
{
    uint8_t *b = p;
    switch (n) {
    case 64:
        memset(b + 48, 0, 16);
        /* fall through */
    case 48:
        memset(b + 32, 0, 16);
        /* fall through */
    case 32:
        memset(b + 16, 0, 16);
        /* fall through */
    case 16: memset(b, 0, 16); break;
    default: memset(b, 0, n); break;
    }
    __asm__ volatile("" : : "r"(p) : "memory");
}

/* Free an in-use chunk, coalescing with free neighbours. Its user bytes must be wiped already:
 * every caller frees either memory it wiped or memory that came from a free chunk. */
static void arena_release(arena *a, chunk *c)
{
    size_t size = chunk_size(c);
    chunk *n = next_chunk(c);
    if (!(n->head & INUSE)) {
        bin_remove(a, n);
        size += chunk_size(n);
    }
    if (!(c->head & PREV_INUSE)) {
        chunk *p = chunk_at((uint8_t *)c - c->prev_size);
        bin_remove(a, p);
        size += chunk_size(p);
        c = p;
    }
    c->head = size | PREV_INUSE; /* a free chunk's predecessor is always in use */
    n = next_chunk(c);
    n->prev_size = size;
    n->head &= ~PREV_INUSE;
    bin_insert(a, c);
}

/* Shrink an in-use chunk to `need`, returning the tail to the bins. */
static void arena_shrink(arena *a, chunk *c, size_t need)
{
    size_t size = chunk_size(c);
    if (size - need < MIN_CHUNK)
        return;
    chunk *tail = chunk_at((uint8_t *)c + need);
    c->head = need | (c->head & FLAGS);
    tail->head = (size - need) | INUSE | PREV_INUSE;
    arena_release(a, tail);
}

/* Grow an in-use chunk in place into a free successor; 1 on success. */
static int arena_grow(arena *a, chunk *c, size_t need)
{
    size_t size = chunk_size(c);
    chunk *n = next_chunk(c);
    if ((n->head & INUSE) || size + chunk_size(n) < need)
        return 0;
    bin_remove(a, n);
    size += chunk_size(n);
    c->head = size | (c->head & FLAGS);
    next_chunk(c)->head |= PREV_INUSE;
    arena_shrink(a, c, need);
    return 1;
}

/* ---- the public malloc family ---- */

static arena *current_arena(void)
{
    if (secure_ready)
        return &secure;
    if (!bootstrap_ready) {
        arena_setup(&bootstrap, bootstrap_bytes, sizeof bootstrap_bytes);
        bootstrap_ready = 1;
    }
    return &bootstrap;
}

static arena *owner(void *p)
{
    if (secure_ready && arena_owns(&secure, p))
        return &secure;
    if (bootstrap_ready && arena_owns(&bootstrap, p))
        return &bootstrap;
    return NULL;
}

static int request_size(size_t n, size_t *need)
{
    if (n > MAX_REQUEST)
        return 0;
    size_t s = (n + HEADER + ALIGNMENT - 1) & ~(size_t)(ALIGNMENT - 1);
    *need = s < MIN_CHUNK ? MIN_CHUNK : s;
    return 1;
}

/* A pointer we did not hand out: heap corruption or a bug. Stop at once. */
static void invalid_pointer(void)
{
    __builtin_trap();
}

static chunk *checked_chunk(arena *a, void *p)
{
    if (!a)
        invalid_pointer();
    chunk *c = mem_to_chunk(p);
    if (!(c->head & INUSE) || (c->head & FREEING) || chunk_size(c) < MIN_CHUNK ||
        (uint8_t *)c + chunk_size(c) > a->end - HEADER)
        invalid_pointer();
    return c;
}

/* Named apart from malloc so the compiler cannot fold "allocate + memset 0" into a call
 * to calloc (which would then call itself). */
static void *allocate(size_t n)
{
    size_t need;
    void *p = NULL;
    if (!request_size(n, &need)) {
        errno = ENOMEM;
        return NULL;
    }
    pthread_mutex_lock(&heap_lock);
    p = arena_alloc(current_arena(), need);
    pthread_mutex_unlock(&heap_lock);
    if (!p)
        errno = ENOMEM;
    return p;
}

void *malloc(size_t n)
{
    return allocate(n);
}

void free(void *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&heap_lock);
    arena *a = owner(p);
    chunk *c = checked_chunk(a, p);
    size_t bytes = chunk_size(c) - HEADER;
    if (bytes > WIPE_UNLOCKED) {
        /* Still marked in use, and FREEING, so that a second free() (or realloc) of the same
         * pointer meanwhile traps as a double free instead of releasing the chunk twice. No
         * other thread reads or writes its user bytes meanwhile (a neighbour's free may change
         * its flags and prev_size, which release reads under the lock again; release rewrites
         * head and so clears FREEING). */
        c->head |= FREEING;
        pthread_mutex_unlock(&heap_lock);
        wipe(p, bytes);
        pthread_mutex_lock(&heap_lock);
    } else {
        wipe(p, bytes);
    }
    arena_release(a, c);
    pthread_mutex_unlock(&heap_lock);
}

void *calloc(size_t count, size_t size)
{
    size_t total;
    if (__builtin_mul_overflow(count, size, &total)) {
        errno = ENOMEM;
        return NULL;
    }
    void *p = allocate(total);
    if (p)
        memset(p, 0, total);
    return p;
}

size_t malloc_usable_size(void *p)
{
    if (!p)
        return 0;
    pthread_mutex_lock(&heap_lock);
    arena *a = owner(p);
    size_t n = chunk_size(checked_chunk(a, p)) - HEADER;
    pthread_mutex_unlock(&heap_lock);
    return n;
}

void *realloc(void *p, size_t n)
{
    size_t need, old;
    if (!p)
        return malloc(n);
    if (n == 0) {
        free(p);
        return NULL;
    }
    if (!request_size(n, &need)) {
        errno = ENOMEM;
        return NULL;
    }
    pthread_mutex_lock(&heap_lock);
    arena *a = owner(p);
    chunk *c = checked_chunk(a, p);
    old = chunk_size(c);
    int in_place = 0;
    if (need <= old) {
        if (old - need >= MIN_CHUNK) /* the tail is freed: wipe it first */
            wipe((uint8_t *)c + need, old - need);
        arena_shrink(a, c, need);
        in_place = 1;
    } else if (arena_grow(a, c, need)) {
        in_place = 1;
    }
    pthread_mutex_unlock(&heap_lock);
    if (in_place)
        return p;
    void *q = allocate(n);
    if (!q)
        return NULL; /* the old block stays valid, as C requires */
    memcpy(q, p, old - HEADER);
    free(p); /* wiped there */
    return q;
}

void *reallocarray(void *p, size_t count, size_t size)
{
    size_t total;
    if (__builtin_mul_overflow(count, size, &total)) {
        errno = ENOMEM;
        return NULL;
    }
    return realloc(p, total);
}

void *memalign(size_t align, size_t n)
{
    size_t need, total;
    if (align == 0 || (align & (align - 1)) != 0) {
        errno = EINVAL;
        return NULL;
    }
    if (align <= ALIGNMENT)
        return allocate(n);
    if (!request_size(n, &need) || align > MAX_REQUEST ||
        __builtin_add_overflow(need, align + MIN_CHUNK, &total)) {
        errno = ENOMEM;
        return NULL;
    }
    pthread_mutex_lock(&heap_lock);
    arena *a = current_arena();
    uint8_t *raw = arena_alloc(a, total);
    void *result = NULL;
    if (raw) {
        chunk *c = mem_to_chunk(raw);
        uintptr_t want = ((uintptr_t)raw + align - 1) & ~(uintptr_t)(align - 1);
        if (want != (uintptr_t)raw && want - (uintptr_t)raw < MIN_CHUNK)
            want += align;
        if (want != (uintptr_t)raw) {
            /* Split off the leading part as its own chunk and free it. */
            size_t lead = want - (uintptr_t)raw;
            chunk *aligned = mem_to_chunk((void *)want);
            aligned->head = (chunk_size(c) - lead) | INUSE | PREV_INUSE;
            c->head = lead | INUSE | (c->head & PREV_INUSE);
            arena_release(a, c);
            c = aligned;
        }
        arena_shrink(a, c, need);
        result = chunk_to_mem(c);
    }
    pthread_mutex_unlock(&heap_lock);
    if (!result)
        errno = ENOMEM;
    return result;
}

int posix_memalign(void **out, size_t align, size_t n)
{
    if (align < sizeof(void *) || (align & (align - 1)) != 0)
        return EINVAL;
    void *p = memalign(align, n);
    if (!p)
        return ENOMEM;
    *out = p;
    return 0;
}

void *aligned_alloc(size_t align, size_t n)
{
    return memalign(align, n);
}

void *valloc(size_t n)
{
    return memalign((size_t)sysconf(_SC_PAGESIZE), n);
}

void *pvalloc(size_t n)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE), rounded;
    if (__builtin_add_overflow(n, page - 1, &rounded)) {
        errno = ENOMEM;
        return NULL;
    }
    return memalign(page, rounded & ~(page - 1));
}

/* ---- setup ---- */

#ifndef SYS_memfd_secret
#define SYS_memfd_secret 447
#endif

/* The enclave threads' stacks, inside the protected mapping (fixed once set up). */
static uint8_t *stacks_base;
static size_t stack_guard, stack_bytes;
static uint32_t stack_count;

void arca__heap_stack(uint32_t index, void **base, size_t *size)
{
    *base = NULL;
    *size = 0;
    if (index < stack_count) {
        *base = stacks_base + (size_t)index * (stack_guard + stack_bytes) + stack_guard;
        *size = stack_bytes;
    }
}

/* Say why the mapping is not protected: the limit (the usual case) or the kernel's answer. */
static void explain_unprotected(uint64_t total, int secret_errno, int lock_errno)
{
    struct rlimit lim;
    if (getrlimit(RLIMIT_MEMLOCK, &lim) == 0 && lim.rlim_cur != RLIM_INFINITY &&
        total > (uint64_t)lim.rlim_cur)
        arca__caveat("heap+stacks (%llu KiB) exceed RLIMIT_MEMLOCK (%llu KiB): ordinary memory; "
                     "lower HeapSize/StackSize/Threads or raise the limit",
                     (unsigned long long)(total >> 10), (unsigned long long)(lim.rlim_cur >> 10));
    else
        arca__caveat("heap+stacks (%llu KiB) are ordinary memory: memfd_secret: %s; mlock: %s",
                     (unsigned long long)(total >> 10), strerror(secret_errno),
                     strerror(lock_errno));
}

arca_result_t arca__heap_init(uint64_t heap_size, uint32_t threads, uint64_t stack_size,
                              uint32_t *prot)
{
    arca_result_t result = ARCA_OK;
    void *mem = MAP_FAILED;
    int fd = -1, secret_errno = 0, lock_errno = 0;
    uint32_t bits = 0;
    uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
    uint64_t total = 0;

    if (heap_size < ARCA_MIN_HEAP || heap_size > ARCA_MAX_HEAP)
        ARCA_RAISE(ARCA_ERR_CONFIG, "heap size %llu is not usable", (unsigned long long)heap_size);
    if (stack_size < ARCA_MIN_STACK || stack_size > ARCA_MAX_STACK || threads == 0 ||
        threads > ARCA_MAX_THREADS + ARCA_MAX_ENCLAVE_THREADS)
        ARCA_RAISE(ARCA_ERR_CONFIG, "%u threads of %llu-byte stacks are not usable", threads,
                   (unsigned long long)stack_size);
    total = arca__protected_bytes(heap_size, threads, stack_size, page);
    if (total == 0 || total > (uint64_t)SIZE_MAX / 2)
        ARCA_RAISE(ARCA_ERR_CONFIG, "heap and stacks do not fit the address space");

    /* Locked memory counts against RLIMIT_MEMLOCK: use the whole allowance we have. */
    struct rlimit lim;
    if (getrlimit(RLIMIT_MEMLOCK, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
        lim.rlim_cur = lim.rlim_max;
        (void)setrlimit(RLIMIT_MEMLOCK, &lim);
    }

    fd = (int)syscall(SYS_memfd_secret, 0);
    if (fd < 0 || ftruncate(fd, (off_t)total) != 0)
        secret_errno = errno;
    else if ((mem = mmap(NULL, (size_t)total, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)) !=
             MAP_FAILED)
        bits = ARCA_PROT_SECRETMEM;
    else
        secret_errno = errno;
    if (mem == MAP_FAILED) {
        mem = mmap(NULL, (size_t)total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (mem == MAP_FAILED)
            ARCA_RAISE(ARCA_ERR_OUT_OF_MEMORY,
                       "cannot map %llu bytes of enclave heap and stacks: %s",
                       (unsigned long long)total, strerror(errno));
        (void)madvise(mem, (size_t)total, MADV_DONTDUMP);
        if (mlock(mem, (size_t)total) == 0)
            bits = ARCA_PROT_MLOCK;
        else
            lock_errno = errno;
    }
    if (!bits)
        explain_unprotected(total, secret_errno, lock_errno);

    /* [guard][stack 0]...[guard][stack n-1][guard][heap]: a stack that overflows faults on
     * its guard instead of running into its neighbour; nothing sits right below the heap. */
    uint64_t guard = ARCA__STACK_GUARD_PAGES * page;
    uint64_t stack = (stack_size + page - 1) / page * page;
    uint8_t *base = mem;
    for (uint32_t i = 0; i <= threads; i++) {
        if (mprotect(base + i * (stack + guard), (size_t)guard, PROT_NONE) != 0)
            ARCA_RAISE(ARCA_ERR_OUT_OF_MEMORY, "cannot place a stack guard page: %s",
                       strerror(errno));
    }
    stacks_base = base;
    stack_guard = (size_t)guard;
    stack_bytes = (size_t)stack;
    stack_count = threads;
    uint8_t *heap = base + threads * (stack + guard) + guard;
    pthread_mutex_lock(&heap_lock);
    arena_setup(&secure, heap, (size_t)(total - (uint64_t)(heap - base)));
    secure_ready = 1;
    pthread_mutex_unlock(&heap_lock);
    mem = MAP_FAILED; /* owned by the heap now, for the life of the process */
    *prot |= bits;
done:
    if (mem != MAP_FAILED)
        munmap(mem, (size_t)total);
    if (fd >= 0)
        close(fd); /* the mapping keeps the secret memory alive */
    return result;
}
