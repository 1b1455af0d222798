/*
 * channel.c — the process backend's call channel: layout arithmetic and the waiting
 * discipline shared by the host library and arca-runner (bounded spin with a CPU pause,
 * a few yields, then FUTEX_WAIT on the slot's state word, woken only when the peer
 * announced that it sleeps).
 *
 * This file must never trust a value read from the shared region beyond the one state
 * word it returns: callers validate everything else. It allocates nothing and makes no
 * system call on the fast path (the peer is spinning, the reply arrives within the spin).
 */
#define _GNU_SOURCE
#include "channel.h"

#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <sched.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "error.h"

arca_result_t arca__channel_layout_compute(uint32_t slot_count, uint64_t max_payload,
                                           arca__channel_layout *out)
{
    arca_result_t result = ARCA_OK;
    uint64_t stride = 0, slots_bytes = 0, total = 0;

    if (slot_count == 0 || max_payload == 0)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "channel: %u slots of %llu bytes is empty",
                   slot_count, (unsigned long long)max_payload);
    if (max_payload > ARCA__CHANNEL_MAX_PAYLOAD)
        ARCA_RAISE(ARCA_ERR_OVERFLOW, "channel: max_payload %llu exceeds the limit of %llu bytes",
                   (unsigned long long)max_payload, (unsigned long long)ARCA__CHANNEL_MAX_PAYLOAD);
    if (__builtin_add_overflow(max_payload, (uint64_t)ARCA__SLOT_HEADER_SIZE + 4095u, &stride))
        ARCA_RAISE(ARCA_ERR_OVERFLOW, "channel: slot size overflows");
    stride &= ~(uint64_t)4095u;
    if (__builtin_mul_overflow(stride, (uint64_t)slot_count, &slots_bytes) ||
        __builtin_add_overflow(slots_bytes, (uint64_t)ARCA__CHANNEL_INFO_SIZE, &total) ||
        total > (uint64_t)SIZE_MAX / 2)
        ARCA_RAISE(ARCA_ERR_OVERFLOW, "channel: %u slots of %llu bytes overflow the address space",
                   slot_count, (unsigned long long)max_payload);
    out->slot_count = slot_count;
    out->max_payload = max_payload;
    out->slot_stride = stride;
    out->total_size = total;
done:
    return result;
}

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield" ::: "memory");
#else
    __asm__ __volatile__("" ::: "memory");
#endif
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts); /* vDSO: no system call */
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void futex_wait(uint32_t *word, uint32_t expected, const struct timespec *timeout)
{
    /* Shared (not PRIVATE) futex: the word lives in memory mapped by two processes. */
    syscall(SYS_futex, word, FUTEX_WAIT, expected, timeout, NULL, 0);
}

static void futex_wake(uint32_t *word)
{
    syscall(SYS_futex, word, FUTEX_WAKE, INT_MAX, NULL, NULL, 0);
}

void arca__channel_post(struct arca__slot *slot, uint32_t *peer_waiting, uint32_t state)
{
    /* Sequentially consistent store, then load: with the waiter's store-then-load in
     * arca__channel_wait() one of the two always sees the other (no lost wake-up). */
    __atomic_store_n(&slot->state, state, __ATOMIC_SEQ_CST);
    if (__atomic_load_n(peer_waiting, __ATOMIC_SEQ_CST) != 0)
        futex_wake(&slot->state);
}

void arca__channel_wake_all(struct arca__slot *slot)
{
    futex_wake(&slot->state);
}

static int aborted(const int *abort_flag)
{
    return abort_flag && __atomic_load_n(abort_flag, __ATOMIC_ACQUIRE) != 0;
}

uint32_t arca__channel_wait(struct arca__slot *slot, uint32_t *my_waiting, uint32_t from,
                            uint64_t spin_ns, const int *abort_flag)
{
    uint32_t s;
    uint64_t start = 0;

    /* Phase 1: spin. The clock is read every 64 pauses only. A long (switchless) spin
     * yields every 20 us, so that a peer waiting for our core is not starved: on a
     * 2-core machine both sides, or other work, may share a core. */
    uint64_t last_yield = 0;
    for (unsigned i = 1;; i++) {
        s = __atomic_load_n(&slot->state, __ATOMIC_ACQUIRE);
        if (s != from)
            return s;
        if (aborted(abort_flag))
            return from;
        cpu_relax();
        if ((i & 63u) == 0) {
            uint64_t t = now_ns();
            if (start == 0) {
                start = last_yield = t;
            } else if (t - start >= spin_ns) {
                break;
            } else if (t - last_yield >= ARCA__SPIN_YIELD_NS) {
                sched_yield();
                last_yield = t;
            }
        }
    }
    /* Phase 2: let a peer that shares our core run (2-core machines). */
    for (int i = 0; i < 4; i++) {
        sched_yield();
        s = __atomic_load_n(&slot->state, __ATOMIC_ACQUIRE);
        if (s != from)
            return s;
    }
    /* Phase 3: sleep until the peer posts (it wakes us because my_waiting is set). */
    for (;;) {
        static const struct timespec bounded = {0, 100 * 1000 * 1000};
        __atomic_store_n(my_waiting, 1u, __ATOMIC_SEQ_CST);
        s = __atomic_load_n(&slot->state, __ATOMIC_SEQ_CST);
        if (s == from && !aborted(abort_flag))
            futex_wait(&slot->state, from, abort_flag ? &bounded : NULL);
        __atomic_store_n(my_waiting, 0u, __ATOMIC_SEQ_CST);
        s = __atomic_load_n(&slot->state, __ATOMIC_ACQUIRE);
        if (s != from)
            return s;
        if (aborted(abort_flag))
            return from;
    }
}
