/*
 * fake_runner.c — a hostile stand-in for arca-runner, for test_hostile_runner.c. libarca
 * starts it exactly like the real runner (options.runner_path): fds 3 control socket,
 * 4 image, 5 channel. It speaks the control protocol and the channel protocol of
 * src/channel/channel.h, but lies on purpose, so the test can check that the host library
 * turns every lie into a clean error and never writes past the caller's buffer.
 *
 * What it does is chosen by the test:
 *   - at start-up, by options.max_payload (FR_START_* in fake_runner.h): malformed READY
 *     messages, exiting before READY, a garbage state in reply to INIT;
 *   - per ecall, by the function id (FR_* in fake_runner.h): replies longer than asked,
 *     undefined result codes, lying lengths and progress counters, stalls, garbage states,
 *     malformed host calls, a host call inside which it serves the host's nested ecalls
 *     (honestly, or with a lie), or an honest echo.
 * It is a test program: it has no sandbox and must never be installed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "channel/channel.h"
#include "formats/image.h"
#include "fake_runner.h"

#define SPIN_NS 20000u

static struct arca__start_msg start;
static arca__channel_layout layout;
static void *channel;
static uint8_t *scratch[ARCA_MAX_THREADS];

static void send_ready(uint32_t magic, int32_t result, const char *detail, size_t size)
{
    struct arca__ready_msg msg;
    memset(&msg, 0, sizeof msg);
    msg.magic = magic;
    msg.version = ARCA__CONTROL_VERSION;
    msg.result = result;
    msg.protections = ARCA_PROT_SEPARATE_PROCESS;
    if (detail)
        memcpy(msg.detail, detail, strnlen(detail, sizeof msg.detail)); /* maybe no NUL */
    (void)!write(ARCA__RUNNER_FD_CONTROL, &msg, size);
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Post a reply with the given header values and progress counter, payload already written. */
static void reply_raw(struct arca__slot *slot, int32_t result, uint64_t out_len, uint32_t ready,
                      uint32_t state)
{
    ARCA__SHARED_STORE(&slot->result, result);
    ARCA__SHARED_STORE(&slot->out_len, out_len);
    ARCA__SHARED_STORE(&slot->out_ready, ready);
    arca__channel_post(slot, &slot->host_waiting, state);
}

/* Post a host call with the given header and counter (payload of `fill` bytes written). */
static void host_call_raw(struct arca__slot *slot, uint64_t in_len, uint64_t out_cap,
                          uint32_t ready, uint64_t fill)
{
    memset(arca__slot_payload(slot), 'q', (size_t)fill);
    ARCA__SHARED_STORE(&slot->fn_id, 1u);
    ARCA__SHARED_STORE(&slot->flags, 0u);
    ARCA__SHARED_STORE(&slot->in_len, in_len);
    ARCA__SHARED_STORE(&slot->out_cap, out_cap);
    ARCA__SHARED_STORE(&slot->in_ready, ready);
    arca__channel_post(slot, &slot->host_waiting, ARCA__SLOT_OCALL);
}

/* FR_NESTED / FR_NESTED_BAD: make host call FR_HC_NEST and serve the ecalls the host nests in
 * it on this slot, as the real runner does (src/runner/server.c); then pass the host call's
 * reply on as this ecall's. */
static void nested_host_call(uint32_t index, struct arca__slot *slot, int lie)
{
    uint8_t *buf = scratch[index];
    uint64_t max = layout.max_payload;
    arca__frame f;
    arca__reply reply;
    size_t got = 0;

    ARCA__SHARED_STORE(&slot->fn_id, (uint32_t)FR_HC_NEST);
    ARCA__SHARED_STORE(&slot->flags, 0u);
    ARCA__SHARED_STORE(&slot->in_len, (uint64_t)0);
    ARCA__SHARED_STORE(&slot->out_cap, (uint64_t)64);
    arca__channel_post(slot, &slot->host_waiting, ARCA__SLOT_OCALL);
    uint32_t s = arca__channel_wait(slot, &slot->runner_waiting, ARCA__SLOT_OCALL, SPIN_NS, NULL);
    while (s == ARCA__SLOT_ECALL) {
        if (arca__channel_take_request(slot, max, buf + 2, &f, SPIN_NS, NULL) != ARCA_OK ||
            f.in_len + 2 > max) {
            reply_raw(slot, ARCA_ERR_BAD_FRAME, 0, 0, ARCA__SLOT_ECALL_DONE);
        } else if (lie) {
            reply_raw(slot, 9999, 0, 0, ARCA__SLOT_ECALL_DONE);
        } else if (f.in_len + 2 > f.out_cap) {
            reply_raw(slot, ARCA_ERR_BUFFER_TOO_SMALL, f.in_len + 2, 0, ARCA__SLOT_ECALL_DONE);
        } else {
            memcpy(buf, "N:", 2);
            ARCA__SHARED_STORE(&slot->result, (int32_t)ARCA_OK);
            ARCA__SHARED_STORE(&slot->out_len, f.in_len + 2);
            arca__channel_send(slot, &slot->out_ready, &slot->host_waiting, ARCA__SLOT_ECALL_DONE,
                               buf, (size_t)f.in_len + 2);
        }
        s = arca__channel_wait(slot, &slot->runner_waiting, ARCA__SLOT_ECALL_DONE, SPIN_NS, NULL);
    }
    if (s != ARCA__SLOT_OCALL_DONE ||
        arca__channel_take_reply(slot, &slot->runner_waiting, buf, 64, &reply, &got, SPIN_NS, NULL,
                                 0) != ARCA_OK) {
        reply_raw(slot, ARCA_ERR_BAD_HOST_REPLY, 0, 0, ARCA__SLOT_ECALL_DONE);
        return;
    }
    ARCA__SHARED_STORE(&slot->result, reply.result);
    ARCA__SHARED_STORE(&slot->out_len, (uint64_t)got);
    arca__channel_send(slot, &slot->out_ready, &slot->host_waiting, ARCA__SLOT_ECALL_DONE, buf,
                       reply.result == ARCA_ERR_BUFFER_TOO_SMALL ? 0 : got);
}

static void serve_one(uint32_t index, struct arca__slot *slot)
{
    arca__frame f;
    uint8_t *buf = scratch[index];
    uint64_t max = layout.max_payload;
    uint8_t *payload = arca__slot_payload(slot);

    if (arca__channel_take_request(slot, max, buf, &f, SPIN_NS, NULL) != ARCA_OK) {
        reply_raw(slot, ARCA_ERR_BAD_FRAME, 0, 0, ARCA__SLOT_ECALL_DONE);
        return;
    }
    if (f.flags & ARCA__CALL_INIT) {
        if (start.max_payload == FR_START_INIT_GARBAGE_STATE)
            reply_raw(slot, ARCA_OK, 0, 0, 77);
        else
            reply_raw(slot, ARCA_OK, 0, 0, ARCA__SLOT_ECALL_DONE);
        return;
    }
    if (f.flags & ARCA__CALL_FINI) {
        reply_raw(slot, ARCA_OK, 0, 0, ARCA__SLOT_ECALL_DONE);
        return;
    }
    switch (f.fn_id) {
    case FR_ECHO: /* honest: out = in, streamed like the real runner does */
        if (f.in_len > f.out_cap) {
            reply_raw(slot, ARCA_ERR_BUFFER_TOO_SMALL, f.in_len, 0, ARCA__SLOT_ECALL_DONE);
            return;
        }
        ARCA__SHARED_STORE(&slot->result, (int32_t)ARCA_OK);
        ARCA__SHARED_STORE(&slot->out_len, f.in_len);
        arca__channel_send(slot, &slot->out_ready, &slot->host_waiting, ARCA__SLOT_ECALL_DONE,
                           buf, (size_t)f.in_len);
        return;
    case FR_LONGER_THAN_CAP: { /* one byte more than asked for, and all of it written */
        uint64_t n = f.out_cap + 1 <= max ? f.out_cap + 1 : max;
        memset(payload, FR_JUNK, (size_t)n);
        reply_raw(slot, ARCA_OK, f.out_cap + 1, (uint32_t)n, ARCA__SLOT_ECALL_DONE);
        return;
    }
    case FR_HUGE_LENGTH:
        memset(payload, FR_JUNK, 4096);
        reply_raw(slot, ARCA_OK, UINT64_MAX, 4096, ARCA__SLOT_ECALL_DONE);
        return;
    case FR_UNDEFINED_RESULT:
        reply_raw(slot, 9999, 0, 0, ARCA__SLOT_ECALL_DONE);
        return;
    case FR_NEGATIVE_RESULT:
        reply_raw(slot, -7, 0, 0, ARCA__SLOT_ECALL_DONE);
        return;
    case FR_READY_PAST_LENGTH: { /* out_len fits, the counter claims one byte more */
        /* Counters exist only for payloads larger than one chunk (docs/formats.md). */
        uint64_t n = (uint64_t)ARCA__STREAM_CHUNK + 8;
        if (n + 1 > max || n > f.out_cap)
            n = f.out_cap < max ? f.out_cap : max - 1;
        memset(payload, FR_JUNK, (size_t)n + 1);
        reply_raw(slot, ARCA_OK, n, (uint32_t)n + 1, ARCA__SLOT_ECALL_DONE);
        return;
    }
    case FR_STALL: /* promises out_cap bytes (more than a chunk), delivers a few, then goes silent */
        memset(payload, FR_JUNK, 1000);
        reply_raw(slot, ARCA_OK, f.out_cap, f.out_cap < 1000 ? 0 : 1000, ARCA__SLOT_ECALL_DONE);
        for (;;)
            pause();
    case FR_GARBAGE_STATE:
        reply_raw(slot, ARCA_OK, 0, 0, 77);
        return;
    case FR_TOO_SMALL_HUGE: /* "too small" needs no payload; the junk must not be copied */
        memset(payload, FR_JUNK, 4096);
        reply_raw(slot, ARCA_ERR_BUFFER_TOO_SMALL, UINT64_MAX, 0, ARCA__SLOT_ECALL_DONE);
        return;
    case FR_SHORT_LENGTH: /* says 4 bytes, writes the whole payload area */
        memset(payload, FR_JUNK, (size_t)max);
        memcpy(payload, "abcd", 4);
        reply_raw(slot, ARCA_OK, 4, 4, ARCA__SLOT_ECALL_DONE);
        return;
    case FR_EXIT:
        _exit(3);
    case FR_HOST_CALL_TOO_LONG:
        host_call_raw(slot, max + 1, 16, 0, 0);
        break;
    case FR_HOST_CALL_CAP_TOO_LONG:
        host_call_raw(slot, 4, UINT64_MAX, 4, 4);
        break;
    case FR_HOST_CALL_READY_PAST:
        host_call_raw(slot, ARCA__STREAM_CHUNK + 4, 16, ARCA__STREAM_CHUNK + 9, ARCA__STREAM_CHUNK + 9);
        break;
    case FR_HOST_CALL_STALL:
        host_call_raw(slot, 2 * ARCA__STREAM_CHUNK, 16, ARCA__STREAM_CHUNK, ARCA__STREAM_CHUNK);
        break;
    case FR_BACKWARDS: { /* the counter goes 2 chunks, then back to 1 */
        uint64_t n = 3 * (uint64_t)ARCA__STREAM_CHUNK;
        if (n > f.out_cap)
            n = f.out_cap;
        memset(payload, FR_JUNK, (size_t)n);
        reply_raw(slot, ARCA_OK, n, 2 * ARCA__STREAM_CHUNK, ARCA__SLOT_ECALL_DONE);
        sleep_ms(200);
        __atomic_store_n(&slot->out_ready, ARCA__STREAM_CHUNK, __ATOMIC_SEQ_CST);
        arca__channel_wake_all(slot);
        return;
    }
    case FR_NESTED:
    case FR_NESTED_BAD:
        nested_host_call(index, slot, f.fn_id == FR_NESTED_BAD);
        return;
    default:
        reply_raw(slot, ARCA_ERR_UNKNOWN_FUNCTION, 0, 0, ARCA__SLOT_ECALL_DONE);
        return;
    }
    /* The hostile host calls: the host must not answer (it stops this runner); wait. */
    for (;;)
        pause();
}

static void *slot_main(void *arg)
{
    uint32_t index = (uint32_t)(uintptr_t)arg;
    struct arca__slot *slot = arca__channel_slot(channel, &layout, index);
    uint32_t s = __atomic_load_n(&slot->state, __ATOMIC_ACQUIRE);
    for (;;) {
        while (s != ARCA__SLOT_ECALL)
            s = arca__channel_wait(slot, &slot->runner_waiting, s, SPIN_NS, NULL);
        serve_one(index, slot);
        s = __atomic_load_n(&slot->state, __ATOMIC_ACQUIRE);
    }
    return NULL;
}

int main(void)
{
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (recv(ARCA__RUNNER_FD_CONTROL, &start, sizeof start, 0) != (ssize_t)sizeof start)
        return 1;
    switch (start.max_payload) {
    case FR_START_BAD_MAGIC:
        send_ready(0x12345678, ARCA_OK, NULL, sizeof(struct arca__ready_msg));
        return 0;
    case FR_START_UNDEFINED_RESULT:
        send_ready(ARCA__READY_MAGIC, 4242, NULL, sizeof(struct arca__ready_msg));
        return 0;
    case FR_START_SHORT:
        send_ready(ARCA__READY_MAGIC, ARCA_OK, NULL, 12);
        return 0;
    case FR_START_UNTERMINATED: {
        char detail[sizeof((struct arca__ready_msg *)0)->detail];
        memset(detail, 'x', sizeof detail);
        send_ready(ARCA__READY_MAGIC, ARCA_ERR_PERMISSION, detail, sizeof(struct arca__ready_msg));
        /* Stay until the host closes the socket: the refusal must not depend on our exit. */
        char c;
        while (read(ARCA__RUNNER_FD_CONTROL, &c, 1) > 0)
            ;
        return 0;
    }
    case FR_START_EXIT:
        return 4;
    default:
        break;
    }
    char caveats[sizeof((struct arca__ready_msg *)0)->detail];
    const char *ready_detail = NULL;
    if (start.max_payload == FR_START_HOSTILE_TEXT) {
        static const char raw[] = "\x1b]0;owned\x07 raw from the fake runner\n";
        memset(caveats, 'c', sizeof caveats);
        memcpy(caveats, "\x1b[2J\x1b[31mhostile caveat ", 24);
        ready_detail = caveats; /* no terminator: the host must cut it */
        (void)!write(2, raw, sizeof raw - 1);
    }
    if (arca__channel_layout_compute(start.threads, start.max_payload, &layout) != ARCA_OK ||
        layout.total_size != start.channel_size)
        return 5;
    channel = mmap(NULL, (size_t)layout.total_size, PROT_READ | PROT_WRITE, MAP_SHARED,
                   ARCA__RUNNER_FD_CHANNEL, 0);
    if (channel == MAP_FAILED)
        return 6;
    for (uint32_t i = 0; i < start.threads; i++) {
        pthread_t t;
        scratch[i] = malloc((size_t)layout.max_payload + 64); /* nested_host_call: +2 */
        if (!scratch[i] || pthread_create(&t, NULL, slot_main, (void *)(uintptr_t)i) != 0)
            return 7;
    }
    send_ready(ARCA__READY_MAGIC, ARCA_OK, ready_detail, sizeof(struct arca__ready_msg));
    /* Serve until the host closes the control socket. */
    char c;
    while (read(ARCA__RUNNER_FD_CONTROL, &c, 1) > 0)
        ;
    _exit(0);
}
