/*
 * fuzz_slot.h — a fake channel slot for the channel fuzzers: the fuzzer's bytes become the
 * 64-byte slot header and the payload area of a slot whose max_payload the input also picks.
 * The slot and every private buffer are allocated to their exact sizes, so any read or write
 * past them is an ASan error. The abort flag is always set: a transfer that is not complete
 * gives up at once (ARCA_ERR_TIMEOUT) instead of waiting for a peer that does not exist.
 */
#ifndef ARCA_FUZZ_SLOT_H
#define ARCA_FUZZ_SLOT_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "channel/channel.h"

#define FUZZ_MAX_PAYLOAD 8192u

static const int fuzz_abort = 1;

typedef struct fuzz_slot {
    struct arca__slot *slot;
    uint64_t max_payload;
    struct arca__slot header; /* what the input wrote (the oracle reads this copy) */
} fuzz_slot;

/* Consumes 2 bytes (max_payload) + 64 (header); the rest is payload. 0 on short input. */
static int fuzz_slot_make(fuzz_slot *f, const uint8_t **data, size_t *size)
{
    if (*size < 2 + sizeof(struct arca__slot))
        return 0;
    f->max_payload = 1 + (((uint64_t)(*data)[0] | (uint64_t)(*data)[1] << 8) % FUZZ_MAX_PAYLOAD);
    memcpy(&f->header, *data + 2, sizeof f->header);
    *data += 2 + sizeof f->header;
    *size -= 2 + sizeof f->header;
    f->slot = malloc(ARCA__SLOT_HEADER_SIZE + (size_t)f->max_payload);
    if (!f->slot)
        return 0;
    memcpy(f->slot, &f->header, sizeof f->header);
    uint8_t *payload = arca__slot_payload(f->slot);
    size_t n = *size < f->max_payload ? *size : (size_t)f->max_payload;
    memcpy(payload, *data, n);
    memset(payload + n, 0, (size_t)f->max_payload - n);
    return 1;
}

/* A private buffer of exactly n bytes (1 for n = 0, so it is never NULL). */
static uint8_t *fuzz_private(size_t n)
{
    uint8_t *p = malloc(n ? n : 1);
    if (p)
        memset(p, 0xCC, n ? n : 1);
    return p;
}

#endif
