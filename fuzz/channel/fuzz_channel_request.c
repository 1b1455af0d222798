/*
 * fuzz_channel_request.c — libFuzzer target for the runner's side of the call channel: a
 * hostile host writes any slot header (flags, lengths, progress counter) and any payload,
 * and arca__channel_take_request() — exactly what the runner's slot threads call — must
 * accept only well-formed frames, copy exactly in_len bytes into the private buffer, never
 * touch memory past the slot or the buffer, and agree with an independent model of the
 * rules in docs/formats.md ("Call channel"). Input: u16 max_payload, 64-byte header, payload.
 */
#include <stdlib.h>

#include "fuzz_slot.h"

static int header_ok(const struct arca__slot *h, uint64_t max)
{
    uint32_t both = ARCA__CALL_INIT | ARCA__CALL_FINI;
    return (h->flags & ~both) == 0 && h->flags != both && h->in_len <= max && h->out_cap <= max;
}

static arca_result_t model(const struct arca__slot *h, uint64_t max)
{
    if (!header_ok(h, max))
        return ARCA_ERR_BAD_FRAME;
    if (h->in_len <= ARCA__STREAM_CHUNK)
        return ARCA_OK; /* one piece: complete when posted, the counter is never read */
    if (h->in_ready > h->in_len)
        return ARCA_ERR_BAD_FRAME;
    if (h->in_ready < h->in_len)
        return ARCA_ERR_TIMEOUT; /* incomplete: the runner would wait for the rest */
    return ARCA_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_slot f;
    if (!fuzz_slot_make(&f, &data, &size))
        return 0;
    uint8_t *dst = fuzz_private((size_t)f.max_payload);
    if (!dst) {
        free(f.slot);
        return 0;
    }
    arca__frame frame;
    arca_result_t r = arca__channel_take_request(f.slot, f.max_payload, dst, &frame, 0, &fuzz_abort);
    if (r != model(&f.header, f.max_payload))
        abort();
    if (frame.fn_id != f.header.fn_id || frame.flags != f.header.flags ||
        frame.in_len != f.header.in_len || frame.out_cap != f.header.out_cap)
        abort();
    if (r == ARCA_OK && frame.in_len &&
        memcmp(dst, arca__slot_payload(f.slot), (size_t)frame.in_len) != 0)
        abort();
    /* The checks alone agree too (the server calls them through take_request). */
    arca_result_t c = arca__channel_check_ecall(&frame, f.max_payload);
    if ((c == ARCA_OK) != header_ok(&f.header, f.max_payload))
        abort();
    free(dst);
    free(f.slot);
    return 0;
}
