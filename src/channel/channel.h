/*
 * channel.h — the process backend's call channel: the shared-memory slot layout, the
 * slot state machine, the spin-then-futex wait used by both sides, and the control-socket
 * messages exchanged between the host library and arca-runner at startup.
 *
 * Layout (docs/formats.md, "Call channel"): one memfd, sealed against shrinking and
 * growing, holding a 4 KiB information page followed by `slot_count` slots. Each slot is
 * a 64-byte header (one cache line: the state word, the two waiter words, the call
 * fields and the two progress counters) followed by a payload area of `max_payload` bytes;
 * slots are page aligned, so the header never shares a cache line with payload bytes.
 *
 * A payload of at most ARCA__STREAM_CHUNK bytes goes in one piece: the sender writes the
 * header fields and the payload, then posts the state, and the receiver, having seen the
 * state, reads the header and copies the payload without looking at any progress counter.
 * Larger payloads are streamed: the sender posts the state first and then copies the
 * payload in chunks, publishing after each chunk how many bytes are in place (in_ready for
 * requests, out_ready for replies); the receiver copies each chunk into private memory as
 * it lands, so the two copies overlap. The receiver parses nothing before the whole
 * payload is in its private memory.
 *
 * Nested calls: while the runner waits in a host call (slot in OCALL, the host having taken
 * the whole request), the host may post an ECALL into the same slot instead of OCALL_DONE: a
 * host function calling back into its enclave. The runner thread waiting there runs it (the
 * enclave thread that made the host call, as SGX reuses the TCS), posts ECALL_DONE and waits
 * again for OCALL_DONE or another nested ECALL. A nested frame never carries INIT or FINI, and
 * at most ARCA__CHANNEL_NESTED_MAX nest inside each other on one slot; the runner refuses any
 * other with ARCA_ERR_BAD_FRAME, without running it. Each transfer, nested or not, is one
 * sender and one receiver at a time, so the progress counters need no more than the rule below
 * (a streamed send sets its counter to 0 before it posts).
 *
 * Neither side trusts what the other writes here: every header field is read once into
 * a private variable and checked before use, and payloads are copied to private memory
 * before they are parsed. Internal header: never installed.
 */
#ifndef ARCA_COMMON_CHANNEL_H
#define ARCA_COMMON_CHANNEL_H

#include <stddef.h>
#include <stdint.h>

#include "arca/identity.h"
#include "arca/result.h"
#include "base/error.h"
#include "formats/runtime_abi.h"

#define ARCA__CHANNEL_MAGIC UINT64_C(0x314C4E4843414352) /* "RCACHNL1" little-endian */
#define ARCA__CHANNEL_VERSION 1u
#define ARCA__CHANNEL_INFO_SIZE 4096u  /* the information page */
#define ARCA__SLOT_HEADER_SIZE 64u     /* one cache line */
#define ARCA__CHANNEL_MAX_PAYLOAD (UINT64_C(1) << 30) /* hard cap on options->max_payload */

/* Slot states (the futex word). Who may write each is fixed by the protocol. */
#define ARCA__SLOT_IDLE 0u       /* host owns the slot; nothing posted */
#define ARCA__SLOT_ECALL 1u      /* host -> runner: an ecall request is in the slot */
#define ARCA__SLOT_OCALL 2u      /* runner -> host: a host-call request is in the slot */
#define ARCA__SLOT_OCALL_DONE 3u /* host -> runner: the host-call reply is in the slot */
#define ARCA__SLOT_ECALL_DONE 4u /* runner -> host: the ecall reply is in the slot */
#define ARCA__SLOT_LOST 5u       /* host-private meaning: the runner died (written after death) */

/* Ecall flags (slot header `flags`). Any other bit makes the frame invalid. */
#define ARCA__CALL_INIT 0x1u /* run the runtime's init (slot 0, once, before any ecall) */
#define ARCA__CALL_FINI 0x2u /* run the runtime's fini (slot 0, once, last) */
#define ARCA__CALL_FLAGS_MASK (ARCA__CALL_INIT | ARCA__CALL_FINI)

/* Nested ecalls one slot may hold inside each other's host calls (the slot's own ecall not
 * counted): the host API's bound (ARCA__NESTED_CALLS_MAX, src/host/handle.h), which the runner
 * enforces against a host that ignores it. */
#define ARCA__CHANNEL_NESTED_MAX 8u

/* The information page at offset 0. Informational only: the runner computes the layout
 * from the START message, never from here. */
struct arca__channel_info {
    uint64_t magic;        /* ARCA__CHANNEL_MAGIC */
    uint32_t version;      /* ARCA__CHANNEL_VERSION */
    uint32_t slot_count;   /* = config.threads */
    uint64_t max_payload;  /* bytes of payload area per slot */
    uint64_t slot_stride;  /* bytes from one slot to the next */
    uint64_t runner_pid;   /* written by the host after spawning (diagnostics) */
};

/* One slot header: exactly one cache line. All fields little-endian (host order). */
struct arca__slot {
    uint32_t state;          /* ARCA__SLOT_*; the futex word */
    uint32_t host_waiting;   /* non-zero while the host sleeps in FUTEX_WAIT on state */
    uint32_t runner_waiting; /* non-zero while the runner sleeps in FUTEX_WAIT on state */
    uint32_t fn_id;          /* ecall: function id; host call: host-call id */
    uint32_t flags;          /* ecall: ARCA__CALL_*; host call: 0 */
    int32_t result;          /* reply: arca_result_t */
    uint64_t in_len;         /* request: bytes of payload */
    uint64_t out_cap;        /* request: reply capacity */
    uint64_t out_len;        /* reply: bytes of payload (BUFFER_TOO_SMALL: bytes needed) */
    uint32_t in_ready;       /* request: payload bytes written so far (streamed, see below) */
    uint32_t out_ready;      /* reply: payload bytes written so far */
    uint8_t reserved[8];
};
_Static_assert(sizeof(struct arca__slot) == ARCA__SLOT_HEADER_SIZE, "slot header is one line");

/* Where things are, computed (overflow-checked) from slot_count and max_payload. */
typedef struct arca__channel_layout {
    uint32_t slot_count;
    uint64_t max_payload;
    uint64_t slot_stride;
    uint64_t total_size;
} arca__channel_layout;

/** Compute the layout; ARCA_ERR_OVERFLOW / ARCA_ERR_INVALID_ARGUMENT with detail. */
arca_result_t arca__channel_layout_compute(uint32_t slot_count, uint64_t max_payload,
                                           arca__channel_layout *out);

/** The header of slot @p index in a mapped channel at @p base. */
static inline struct arca__slot *arca__channel_slot(void *base, const arca__channel_layout *l,
                                                    uint32_t index)
{
    return (struct arca__slot *)((uint8_t *)base + ARCA__CHANNEL_INFO_SIZE +
                                 (size_t)index * l->slot_stride);
}

/** The payload area (max_payload bytes) of a slot. */
static inline uint8_t *arca__slot_payload(struct arca__slot *slot)
{
    return (uint8_t *)slot + ARCA__SLOT_HEADER_SIZE;
}

/* Field accessors: single, untorn loads and stores of shared words. */
#define ARCA__SHARED_LOAD(p) __atomic_load_n((p), __ATOMIC_RELAXED)
#define ARCA__SHARED_STORE(p, v) __atomic_store_n((p), (v), __ATOMIC_RELAXED)

/* Spin budgets (nanoseconds) before a waiter falls back to FUTEX_WAIT. */
#define ARCA__SPIN_NS_DEFAULT 20000u       /* 20 us: covers a quick call, then sleep */
#define ARCA__SPIN_NS_SWITCHLESS 2000000u  /* 2 ms: switchless enclaves keep cores hot */
#define ARCA__SPIN_YIELD_NS 20000u         /* a long spin yields the core this often */

/** FUTEX_WAKE every waiter on a shared word (the slow half of a post: the peer sleeps). */
void arca__channel_wake_word(uint32_t *word);

/*
 * Store @p value into a shared word the peer may sleep on, and wake the peer if it sleeps.
 * Inline on purpose, like arca__channel_post() and the one-piece arca__channel_send(): on the
 * machines measured, every extra call between the stores into the slot header and the post
 * lengthened the empty round trip (bench/calls), so the hot path is straight-line code.
 * Sequentially consistent store, then load: with the waiter's store-then-load in the wait,
 * one of the two always sees the other (no lost wake-up).
 */
static inline void arca__channel_post_word(uint32_t *word, uint32_t *peer_waiting, uint32_t value)
{
    __atomic_store_n(word, value, __ATOMIC_SEQ_CST);
    if (__builtin_expect(__atomic_load_n(peer_waiting, __ATOMIC_SEQ_CST) != 0, 0))
        arca__channel_wake_word(word);
}

/**
 * Post @p state into the slot's state word (sequentially consistent) and wake the peer if it
 * sleeps. @p peer_waiting is the peer's waiting word (runner_waiting when the host posts).
 * No system call is made when the peer is spinning.
 */
static inline void arca__channel_post(struct arca__slot *slot, uint32_t *peer_waiting,
                                      uint32_t state)
{
    arca__channel_post_word(&slot->state, peer_waiting, state);
}

/** One pause of a spin-wait: tells the CPU (and a hypervisor) that this thread is polling. */
static inline void arca__cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield" ::: "memory");
#else
    __asm__ __volatile__("" ::: "memory");
#endif
}

/**
 * Wait until the slot's state differs from @p from, and return the new state (acquire).
 * Spins (with a CPU pause) for about @p spin_ns, yields a few times, then sleeps in
 * FUTEX_WAIT with @p my_waiting raised. If @p abort_flag is non-NULL, sleeps are bounded
 * (100 ms) and the wait returns @p from as soon as *abort_flag is non-zero.
 */
uint32_t arca__channel_wait(struct arca__slot *slot, uint32_t *my_waiting, uint32_t from,
                            uint64_t spin_ns, const int *abort_flag);

/* Polls arca__channel_await() makes inline before it calls arca__channel_wait(). */
#define ARCA__AWAIT_INLINE_POLLS 64u
/* Pauses arca__channel_await() holds off before its first poll (see there). */
#define ARCA__AWAIT_HOLDOFF 2u

/**
 * arca__channel_wait() for a waiter that has just posted to its peer, with two refinements for
 * the call path (bench/calls, docs/performance.md):
 *  - It holds off for ARCA__AWAIT_HOLDOFF pauses before the first poll. The peer cannot answer
 *    sooner than one cache-line round trip plus its own work, and a poll in that window only
 *    takes the slot's line away from the peer while it reads the request and writes its
 *    answer, so that its stores must fetch the line back. On the machines measured, this
 *    shortened an empty switchless ecall by a fifth (one pause is ~30 ns there); one pause
 *    gained nothing, three or four lost again (the first poll came after the answer), and a
 *    holdoff learnt per waiter settled too short. Where a pause is short (a few cycles on
 *    older CPUs) the holdoff costs nothing and gains nothing.
 *  - Its first ARCA__AWAIT_INLINE_POLLS polls (a few microseconds) are inline: the call into
 *    the out-of-line wait lengthened the round trip.
 * @p abort_flag is first looked at by the out-of-line wait, so an abort is seen a few
 * microseconds later.
 */
static inline uint32_t arca__channel_await(struct arca__slot *slot, uint32_t *my_waiting,
                                           uint32_t from, uint64_t spin_ns, const int *abort_flag)
{
    for (unsigned i = 0; i < ARCA__AWAIT_HOLDOFF; i++)
        arca__cpu_relax();
    for (unsigned i = 0; i < ARCA__AWAIT_INLINE_POLLS; i++) {
        uint32_t s = __atomic_load_n(&slot->state, __ATOMIC_ACQUIRE);
        if (s != from)
            return s;
        arca__cpu_relax();
    }
    return arca__channel_wait(slot, my_waiting, from, spin_ns, abort_flag);
}

/** Wake every waiter on the slot's state word and progress counters (after the runner died). */
void arca__channel_wake_all(struct arca__slot *slot);

/* ---- payloads and the checks both sides run (pure: fuzzed in fuzz/channel) ---- */

/* Bytes copied between two progress updates, and the largest payload that travels in one
 * piece with no progress counter at all. Large on purpose: on the machines measured, a
 * receiver that reads lines the sender wrote moments ago (still in the sender's private
 * caches) copies several times slower than one that reads lines written a chunk earlier;
 * a chunk about the size of a core's L2 keeps half of a 1 MiB transfer overlapped while
 * avoiding that (bench/calls, docs/formats.md). Overridable at compile time only so that the
 * fuzz targets reach the streamed path with small inputs; both sides of a real channel use
 * the default. */
#ifndef ARCA__STREAM_CHUNK
#define ARCA__STREAM_CHUNK (512u * 1024u)
#endif
/* How long the host waits for a runner that stopped streaming halfway before killing it: the
 * default; ARCA_PROCESS_STALL_TIMEOUT_MS overrides it (read once per process). */
#define ARCA__STREAM_STALL_NS UINT64_C(5000000000)

/* The request fields of a slot header, each read exactly once. */
typedef struct arca__frame {
    uint32_t fn_id;
    uint32_t flags;
    uint64_t in_len;
    uint64_t out_cap;
} arca__frame;

/* The reply fields of a slot header, each read exactly once. */
typedef struct arca__reply {
    int32_t result;
    uint64_t out_len;
} arca__reply;

/* The cold halves of the checks below: record the detail and return ARCA_ERR_BAD_FRAME. */
arca_result_t arca__channel_bad_ecall(const arca__frame *frame, uint64_t max_payload)
    __attribute__((cold, noinline));
arca_result_t arca__channel_bad_host_call(const arca__frame *frame, uint64_t max_payload)
    __attribute__((cold, noinline));
arca_result_t arca__channel_bad_reply(const arca__reply *reply, uint64_t out_cap)
    __attribute__((cold, noinline));

/*
 * The per-call functions below are static inline on purpose: on the machines measured, every
 * call between the slot header and the payload copy lengthened the empty round trip
 * (bench/calls). Each is still the single definition: the host, the runner and the fuzz
 * targets (fuzz/channel) all call exactly these.
 */

/** Read the request fields of @p slot, each exactly once. */
static inline void arca__frame_load(const struct arca__slot *slot, arca__frame *frame)
{
    frame->fn_id = ARCA__SHARED_LOAD(&slot->fn_id);
    frame->flags = ARCA__SHARED_LOAD(&slot->flags);
    frame->in_len = ARCA__SHARED_LOAD(&slot->in_len);
    frame->out_cap = ARCA__SHARED_LOAD(&slot->out_cap);
}

/** Read the reply fields of @p slot, each exactly once. */
static inline void arca__reply_load(const struct arca__slot *slot, arca__reply *reply)
{
    reply->result = ARCA__SHARED_LOAD(&slot->result);
    reply->out_len = ARCA__SHARED_LOAD(&slot->out_len);
}

/**
 * Runner: check an ecall request. Only defined flags (INIT, FINI, not both), and in_len and
 * out_cap at most @p max_payload. Slot and lifecycle rules are the server's (stateful).
 * @return ARCA_OK or ARCA_ERR_BAD_FRAME (with a detail).
 */
static inline arca_result_t arca__channel_check_ecall(const arca__frame *frame,
                                                      uint64_t max_payload)
{
    arca_result_t result = ARCA_OK;
    if (__builtin_expect((frame->flags & ~ARCA__CALL_FLAGS_MASK) != 0 ||
                             frame->flags == ARCA__CALL_FLAGS_MASK ||
                             frame->in_len > max_payload || frame->out_cap > max_payload,
                         0))
        result = arca__channel_bad_ecall(frame, max_payload);
    return result;
}

/**
 * Host: check a host-call request written by the runner: flags 0, in_len and out_cap at
 * most @p max_payload. @return ARCA_OK or ARCA_ERR_BAD_FRAME (with a detail).
 */
static inline arca_result_t arca__channel_check_host_call(const arca__frame *frame,
                                                          uint64_t max_payload)
{
    arca_result_t result = ARCA_OK;
    if (__builtin_expect(frame->flags != 0 || frame->in_len > max_payload ||
                             frame->out_cap > max_payload,
                         0))
        result = arca__channel_bad_host_call(frame, max_payload);
    return result;
}

/**
 * Either side: check a reply against the capacity that was asked for. The result code must
 * be defined; unless it is ARCA_ERR_BUFFER_TOO_SMALL (then out_len is the size needed and no
 * payload follows), out_len must be at most @p out_cap.
 * @param[out] payload_len bytes of payload that follow (0 with BUFFER_TOO_SMALL).
 * @return ARCA_OK when well-formed (the reply's own result is in reply->result), else
 *         ARCA_ERR_BAD_FRAME with a detail.
 */
static inline arca_result_t arca__channel_check_reply(const arca__reply *reply, uint64_t out_cap,
                                                      uint64_t *payload_len)
{
    arca_result_t result = ARCA_OK;
    /* Defined codes are 0 .. ARCA__RESULT_COUNT-1 (include/arca/result.h). */
    int defined = arca__result_defined(reply->result);
    int too_small = reply->result == ARCA_ERR_BUFFER_TOO_SMALL;
    *payload_len = 0;
    if (__builtin_expect(!defined || (!too_small && reply->out_len > out_cap), 0))
        result = arca__channel_bad_reply(reply, out_cap);
    else if (!too_small)
        *payload_len = reply->out_len; /* with BUFFER_TOO_SMALL, the size needed: no payload */
    return result;
}

/**
 * Sender, payloads larger than ARCA__STREAM_CHUNK: post @p state with the counter at 0, then
 * copy the payload in chunks, publishing progress after each. Use arca__channel_send().
 */
void arca__channel_send_streamed(struct arca__slot *slot, uint32_t *ready, uint32_t *peer_waiting,
                                 uint32_t state, const uint8_t *src, size_t len);

/**
 * Sender: copy @p len bytes from private @p src into the slot's payload and post @p state.
 * A payload of at most ARCA__STREAM_CHUNK bytes goes in one piece with NO progress counter:
 * payload, then the state, whose sequentially consistent store publishes the header fields
 * and the payload together (the receiver never reads the counter for it). A larger one is
 * streamed (arca__channel_send_streamed) with progress in @p ready (the slot's in_ready or
 * out_ready). The caller stored the header fields before. @p len is at most max_payload.
 */
static inline void arca__channel_send(struct arca__slot *slot, uint32_t *ready,
                                      uint32_t *peer_waiting, uint32_t state, const uint8_t *src,
                                      size_t len)
{
    if (__builtin_expect(len > ARCA__STREAM_CHUNK, 0)) {
        arca__channel_send_streamed(slot, ready, peer_waiting, state, src, len);
        return;
    }
    if (len)
        __builtin_memcpy(arca__slot_payload(slot), src, len);
    arca__channel_post(slot, peer_waiting, state);
}

/**
 * Receiver, payloads larger than ARCA__STREAM_CHUNK: copy as @p ready says the bytes land.
 * Use arca__channel_receive().
 */
arca_result_t arca__channel_receive_streamed(struct arca__slot *slot, uint32_t *ready,
                                             uint32_t *my_waiting, uint8_t *dst, uint64_t len,
                                             uint64_t spin_ns, const int *abort_flag,
                                             uint64_t stall_ns);

/**
 * Receiver: copy @p len bytes of the slot's payload into private @p dst (NULL: drop them).
 * The caller read @p len from the header once and checked it against the layout. A payload
 * of at most ARCA__STREAM_CHUNK bytes was complete when the state was posted: it is copied at
 * once and @p ready is not read. A larger one streams: each value of @p ready is read once
 * and checked before use (it may only grow, up to @p len), waiting like arca__channel_wait();
 * with @p abort_flag or @p stall_ns non-zero the wait gives up when *abort_flag is set or no
 * progress came for @p stall_ns.
 * @return ARCA_OK with every byte copied; ARCA_ERR_BAD_FRAME when the counter went backwards
 *         or past @p len, or @p len exceeds any channel; ARCA_ERR_TIMEOUT when the wait gave up.
 */
static inline arca_result_t arca__channel_receive(struct arca__slot *slot, uint32_t *ready,
                                                  uint32_t *my_waiting, uint8_t *dst,
                                                  uint64_t len, uint64_t spin_ns,
                                                  const int *abort_flag, uint64_t stall_ns)
{
    arca_result_t result = ARCA_OK;
    if (__builtin_expect(len > ARCA__STREAM_CHUNK, 0))
        result = arca__channel_receive_streamed(slot, ready, my_waiting, dst, len, spin_ns,
                                                abort_flag, stall_ns);
    else if (len && dst)
        __builtin_memcpy(dst, arca__slot_payload(slot), (size_t)len);
    return result;
}

/**
 * Runner: take the ecall request now in @p slot: load the frame once, check it
 * (arca__channel_check_ecall), and receive its payload into @p dst (max_payload bytes).
 * @return ARCA_OK, ARCA_ERR_BAD_FRAME or ARCA_ERR_TIMEOUT (only with @p abort_flag).
 */
static inline arca_result_t arca__channel_take_request(struct arca__slot *slot,
                                                       uint64_t max_payload, uint8_t *dst,
                                                       arca__frame *frame, uint64_t spin_ns,
                                                       const int *abort_flag)
{
    arca_result_t result;
    arca__frame_load(slot, frame);
    result = arca__channel_check_ecall(frame, max_payload);
    if (result == ARCA_OK)
        result = arca__channel_receive(slot, &slot->in_ready, &slot->runner_waiting, dst,
                                       frame->in_len, spin_ns, abort_flag, 0);
    return result;
}

/**
 * Requester (host for ecalls, runner for host calls): take the reply now in @p slot: load
 * it once, check it against @p out_cap (arca__channel_check_reply), and receive its payload
 * into @p out. On ARCA_OK, reply->result is the call's result and *out_len what @p out holds
 * (or, with BUFFER_TOO_SMALL, the size needed, saturated to SIZE_MAX); nothing is ever
 * written to out past @p out_cap.
 * @return ARCA_OK, ARCA_ERR_BAD_FRAME, or ARCA_ERR_TIMEOUT (the wait gave up).
 */
static inline arca_result_t arca__channel_take_reply(struct arca__slot *slot, uint32_t *my_waiting,
                                                     uint8_t *out, size_t out_cap,
                                                     arca__reply *reply, size_t *out_len,
                                                     uint64_t spin_ns, const int *abort_flag,
                                                     uint64_t stall_ns)
{
    arca_result_t result;
    uint64_t n = 0;
    *out_len = 0;
    arca__reply_load(slot, reply);
    result = arca__channel_check_reply(reply, (uint64_t)out_cap, &n);
    if (result == ARCA_OK)
        result = arca__channel_receive(slot, &slot->out_ready, my_waiting, out, n, spin_ns,
                                       abort_flag, stall_ns);
    if (result == ARCA_OK) {
        if (reply->result == ARCA_ERR_BUFFER_TOO_SMALL)
            *out_len = reply->out_len > SIZE_MAX ? SIZE_MAX : (size_t)reply->out_len;
        else
            *out_len = (size_t)n;
    }
    return result;
}

/* ---- control socket (SOCK_SEQPACKET) between the host library and arca-runner ---- */

/* The fds arca-runner receives. */
#define ARCA__RUNNER_FD_CONTROL 3
#define ARCA__RUNNER_FD_IMAGE 4
#define ARCA__RUNNER_FD_CHANNEL 5
#define ARCA__RUNNER_FD_PLATFORM 6 /* the loader's platform connection (platform_wire.h) */

#define ARCA__START_MAGIC UINT32_C(0x54534341) /* "ACST" */
#define ARCA__READY_MAGIC UINT32_C(0x44524341) /* "ACRD" */
#define ARCA__CONTROL_VERSION 2u
#define ARCA__START_FLAG_SWITCHLESS 0x1u
#define ARCA__START_FLAG_INTERFACE 0x2u /* interface_hash holds the host's: the runner checks it */

/* host -> runner, once, right after spawn. No key: the runner asks the platform for those
 * over its platform connection (fd ARCA__RUNNER_FD_PLATFORM). */
struct arca__start_msg {
    uint32_t magic;          /* ARCA__START_MAGIC */
    uint32_t version;        /* ARCA__CONTROL_VERSION */
    uint32_t flags;          /* ARCA__START_FLAG_* */
    uint32_t threads;        /* slot count = config.threads */
    uint64_t heap_size;      /* = config.heap_size */
    uint64_t stack_size;     /* = config.stack_size */
    uint64_t max_payload;    /* per-slot payload bytes */
    uint64_t channel_size;   /* bytes of the channel memfd */
    arca_identity_t identity; /* what the host verified; the runner must compute the same */
    uint8_t interface_hash[32]; /* the host's EDL interface, with ARCA__START_FLAG_INTERFACE */
};

/* runner -> host, once, after hardening (or on failure, with a detail message). */
struct arca__ready_msg {
    uint32_t magic;       /* ARCA__READY_MAGIC */
    uint32_t version;     /* ARCA__CONTROL_VERSION */
    int32_t result;       /* arca_result_t */
    uint32_t protections; /* ARCA_PROT_* really in force */
    char detail[240];     /* NUL-terminated: the failure on error; on success the caveats ("" none) */
};

#endif
