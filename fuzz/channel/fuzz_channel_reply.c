/*
 * fuzz_channel_reply.c — libFuzzer target for the requester's side of the call channel,
 * with a hostile peer writing any slot header and payload:
 *   - arca__channel_take_reply(), what the host runs on every ecall reply (and the runner on
 *     every host-call reply): the result code must be defined, the length within out_cap
 *     (except "too small"), the progress counter consistent; the caller's buffer of exactly
 *     out_cap bytes receives exactly out_len bytes and nothing past it;
 *   - the host's handling of a host-call request, in the order serve_host_call() runs it:
 *     arca__frame_load, arca__channel_check_host_call, arca__channel_receive.
 * Each is checked against an independent model of docs/formats.md ("Call channel").
 * Input: u16 max_payload, 64-byte header, u16 out_cap, payload.
 */
#include <stdint.h>
#include <stdlib.h>

#include "fuzz_slot.h"

static arca_result_t reply_model(const struct arca__slot *h, uint64_t cap)
{
    if (h->result < 0 || h->result >= (int32_t)ARCA__RESULT_COUNT)
        return ARCA_ERR_BAD_FRAME;
    uint64_t len = h->result == ARCA_ERR_BUFFER_TOO_SMALL ? 0 : h->out_len;
    if (len > cap)
        return ARCA_ERR_BAD_FRAME;
    if (len <= ARCA__STREAM_CHUNK)
        return ARCA_OK; /* one piece: complete when posted, the counter is never read */
    if (h->out_ready > len)
        return ARCA_ERR_BAD_FRAME;
    return h->out_ready < len ? ARCA_ERR_TIMEOUT : ARCA_OK;
}

static arca_result_t host_call_model(const struct arca__slot *h, uint64_t max)
{
    if (h->flags != 0 || h->in_len > max || h->out_cap > max)
        return ARCA_ERR_BAD_FRAME;
    if (h->in_len <= ARCA__STREAM_CHUNK)
        return ARCA_OK; /* one piece: complete when posted, the counter is never read */
    if (h->in_ready > h->in_len)
        return ARCA_ERR_BAD_FRAME;
    return h->in_ready < h->in_len ? ARCA_ERR_TIMEOUT : ARCA_OK;
}

static void fuzz_reply(fuzz_slot *f, size_t out_cap)
{
    uint8_t *out = fuzz_private(out_cap);
    if (!out)
        return;
    arca__reply reply;
    size_t out_len = 12345;
    arca_result_t r = arca__channel_take_reply(f->slot, &f->slot->host_waiting, out_cap ? out : NULL,
                                               out_cap, &reply, &out_len, 0, &fuzz_abort, 1);
    if (r != reply_model(&f->header, out_cap))
        abort();
    if (r != ARCA_OK) {
        if (out_len != 0)
            abort();
    } else if (reply.result == ARCA_ERR_BUFFER_TOO_SMALL) {
        if (out_len != (f->header.out_len > SIZE_MAX ? SIZE_MAX : (size_t)f->header.out_len))
            abort();
        for (size_t i = 0; i < out_cap; i++) /* nothing copied */
            if (out[i] != 0xCC)
                abort();
    } else {
        if (reply.result != f->header.result || out_len != f->header.out_len || out_len > out_cap)
            abort();
        if (out_len && memcmp(out, arca__slot_payload(f->slot), out_len) != 0)
            abort();
        for (size_t i = out_len; i < out_cap; i++)
            if (out[i] != 0xCC)
                abort();
    }
    free(out);
}

static void fuzz_host_call(fuzz_slot *f)
{
    arca__frame frame;
    arca__frame_load(f->slot, &frame);
    arca_result_t r = arca__channel_check_host_call(&frame, f->max_payload);
    if (r == ARCA_OK) {
        uint8_t *in = fuzz_private((size_t)frame.in_len);
        if (!in)
            return;
        r = arca__channel_receive(f->slot, &f->slot->in_ready, &f->slot->host_waiting, in,
                                  frame.in_len, 0, &fuzz_abort, 1);
        if (r == ARCA_OK && frame.in_len &&
            memcmp(in, arca__slot_payload(f->slot), (size_t)frame.in_len) != 0)
            abort();
        free(in);
        /* And with nowhere to put it (the host out of memory): waited for and dropped. */
        if (arca__channel_receive(f->slot, &f->slot->in_ready, &f->slot->host_waiting, NULL,
                                  frame.in_len, 0, &fuzz_abort, 1) != r)
            abort();
    }
    if (r != host_call_model(&f->header, f->max_payload))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_slot f;
    if (!fuzz_slot_make(&f, &data, &size))
        return 0;
    size_t out_cap = 0;
    if (size >= 2) /* the first two payload bytes double as out_cap */
        out_cap = ((size_t)data[0] | (size_t)data[1] << 8) % ((size_t)f.max_payload + 1);
    fuzz_reply(&f, out_cap);
    fuzz_host_call(&f);
    free(f.slot);
    return 0;
}
