/*
 * channel.c — the process backend's call channel, shared by the host library and
 * arca-runner: layout arithmetic; the waiting discipline (bounded spin with a CPU pause, a
 * few yields, then FUTEX_WAIT on a shared word, woken only when the peer announced that it
 * sleeps); streamed copies (with progress counters) of payloads larger than one chunk; and
 * the cold halves of the frame and reply checks, which record what was wrong (the checks and
 * the one-piece copies are inline in channel.h; fuzz/channel calls exactly those).
 *
 * This file must never use a value read from the shared region before checking it, never
 * read a header field twice, and never write past a private buffer's stated length. It
 * allocates nothing and makes no system call on the fast path (the peer is spinning).
 */
#define _GNU_SOURCE
#include "channel.h"

#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <sched.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "base/error.h"

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

void arca__channel_wake_word(uint32_t *word)
{
    syscall(SYS_futex, word, FUTEX_WAKE, INT_MAX, NULL, NULL, 0);
}

void arca__channel_wake_all(struct arca__slot *slot)
{
    arca__channel_wake_word(&slot->state);
    arca__channel_wake_word(&slot->in_ready);
    arca__channel_wake_word(&slot->out_ready);
}

static int aborted(const int *abort_flag)
{
    return abort_flag && __atomic_load_n(abort_flag, __ATOMIC_ACQUIRE) != 0;
}

/* Wait until *word differs from @p from; return the new value (acquire), or @p from when
 * *abort_flag is set or, with @p stall_ns, nothing changed for that long. */
static uint32_t wait_word(uint32_t *word, uint32_t *my_waiting, uint32_t from, uint64_t spin_ns,
                          const int *abort_flag, uint64_t stall_ns)
{
    uint32_t s;
    uint64_t start = 0, last_yield = 0;

    /* Phase 1: spin. The clock is read every 64 pauses only. A long (switchless) spin
     * yields every 20 us, so that a peer waiting for our core is not starved: on a
     * 2-core machine both sides, or other work, may share a core. */
    for (unsigned i = 1;; i++) {
        s = __atomic_load_n(word, __ATOMIC_ACQUIRE);
        if (s != from)
            return s;
        if (aborted(abort_flag))
            return from;
        arca__cpu_relax();
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
        s = __atomic_load_n(word, __ATOMIC_ACQUIRE);
        if (s != from)
            return s;
    }
    /* Phase 3: sleep until the peer posts (it wakes us because my_waiting is set). Sleeps
     * are bounded when there is a way out to check (abort flag, stall limit). */
    int bounded = abort_flag != NULL || stall_ns != 0;
    for (;;) {
        static const struct timespec tick = {0, 100 * 1000 * 1000};
        __atomic_store_n(my_waiting, 1u, __ATOMIC_SEQ_CST);
        s = __atomic_load_n(word, __ATOMIC_SEQ_CST);
        if (s == from && !aborted(abort_flag))
            futex_wait(word, from, bounded ? &tick : NULL);
        __atomic_store_n(my_waiting, 0u, __ATOMIC_SEQ_CST);
        s = __atomic_load_n(word, __ATOMIC_ACQUIRE);
        if (s != from)
            return s;
        if (aborted(abort_flag))
            return from;
        if (stall_ns && start && now_ns() - start >= stall_ns)
            return from;
    }
}

uint32_t arca__channel_wait(struct arca__slot *slot, uint32_t *my_waiting, uint32_t from,
                            uint64_t spin_ns, const int *abort_flag)
{
    return wait_word(&slot->state, my_waiting, from, spin_ns, abort_flag, 0);
}

/* ---- the cold halves of the checks (the checks themselves are inline in channel.h) ---- */

arca_result_t arca__channel_bad_ecall(const arca__frame *frame, uint64_t max_payload)
{
    arca_result_t result = ARCA_ERR_BAD_FRAME;
    if ((frame->flags & ~ARCA__CALL_FLAGS_MASK) != 0 || frame->flags == ARCA__CALL_FLAGS_MASK)
        ARCA_RAISE(ARCA_ERR_BAD_FRAME, "ecall frame with undefined flags %#x", frame->flags);
    ARCA_RAISE(ARCA_ERR_BAD_FRAME,
               "ecall frame of %llu bytes in, %llu out exceeds the slot's %llu bytes",
               (unsigned long long)frame->in_len, (unsigned long long)frame->out_cap,
               (unsigned long long)max_payload);
done:
    return result;
}

arca_result_t arca__channel_bad_host_call(const arca__frame *frame, uint64_t max_payload)
{
    arca_result_t result = ARCA_ERR_BAD_FRAME;
    if (frame->flags != 0)
        ARCA_RAISE(ARCA_ERR_BAD_FRAME, "host-call frame with flags %#x (must be 0)", frame->flags);
    ARCA_RAISE(ARCA_ERR_BAD_FRAME,
               "host-call frame of %llu bytes in, %llu out exceeds the slot's %llu bytes",
               (unsigned long long)frame->in_len, (unsigned long long)frame->out_cap,
               (unsigned long long)max_payload);
done:
    return result;
}

arca_result_t arca__channel_bad_reply(const arca__reply *reply, uint64_t out_cap)
{
    arca_result_t result = ARCA_ERR_BAD_FRAME;
    if (!arca_result_valid(reply->result))
        ARCA_RAISE(ARCA_ERR_BAD_FRAME, "reply with an undefined result code %d", reply->result);
    ARCA_RAISE(ARCA_ERR_BAD_FRAME, "reply of %llu bytes for a %llu-byte buffer",
               (unsigned long long)reply->out_len, (unsigned long long)out_cap);
done:
    return result;
}

/* ---- streamed payloads (larger than ARCA__STREAM_CHUNK) ---- */

void arca__channel_send_streamed(struct arca__slot *slot, uint32_t *ready, uint32_t *peer_waiting,
                                 uint32_t state, const uint8_t *src, size_t len)
{
    uint8_t *dst = arca__slot_payload(slot);
    /* Streamed: the peer starts copying as soon as the first chunk is in place. */
    ARCA__SHARED_STORE(ready, 0u);
    arca__channel_post(slot, peer_waiting, state);
    for (size_t done = 0; done < len;) {
        size_t n = len - done < ARCA__STREAM_CHUNK ? len - done : ARCA__STREAM_CHUNK;
        memcpy(dst + done, src + done, n);
        done += n;
        arca__channel_post_word(ready, peer_waiting, (uint32_t)done); /* len <= 2^30: fits */
    }
}

arca_result_t arca__channel_receive_streamed(struct arca__slot *slot, uint32_t *ready,
                                             uint32_t *my_waiting, uint8_t *dst, uint64_t len,
                                             uint64_t spin_ns, const int *abort_flag,
                                             uint64_t stall_ns)
{
    arca_result_t result = ARCA_OK;
    const uint8_t *src = arca__slot_payload(slot);
    uint64_t have = 0;
    uint32_t now;

    if (len > ARCA__CHANNEL_MAX_PAYLOAD)
        ARCA_RAISE(ARCA_ERR_BAD_FRAME, "payload of %llu bytes exceeds any channel",
                   (unsigned long long)len);
    now = __atomic_load_n(ready, __ATOMIC_ACQUIRE);
    for (;;) {
        /* Each counter value is read once, checked, then used. */
        if (now < have || now > len)
            ARCA_RAISE(ARCA_ERR_BAD_FRAME,
                       "payload progress counter went from %llu to %u of %llu bytes",
                       (unsigned long long)have, now, (unsigned long long)len);
        if (now > have) {
            if (dst)
                memcpy(dst + have, src + have, (size_t)(now - have));
            have = now;
        }
        if (have == len)
            break;
        now = wait_word(ready, my_waiting, (uint32_t)have, spin_ns, abort_flag, stall_ns);
        if (now == have)
            ARCA_RAISE(ARCA_ERR_TIMEOUT, "payload transfer stopped at %llu of %llu bytes",
                       (unsigned long long)have, (unsigned long long)len);
    }
done:
    return result;
}
