/*
 * packet_header.h — the 16-byte header the packet protocols share (platform_wire.h,
 * arcad_wire.h): magic (4), version u16, op u16, then two u32 fields whose meaning is the
 * protocol's (request: body length, reserved; reply: result, body length). Little-endian.
 * Internal header.
 */
#ifndef ARCA_FORMATS_PACKET_HEADER_H
#define ARCA_FORMATS_PACKET_HEADER_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "base/le.h"

#define ARCA__PACKET_HEADER 16u

/** Write a header into @p out (≥ 16 bytes). @return 16. */
static inline size_t arca__packet_header_put(uint8_t *out, const char magic[4], uint16_t version,
                                             uint16_t op, uint32_t a, uint32_t b)
{
    memcpy(out, magic, 4);
    arca__put_le16(out + 4, version);
    arca__put_le16(out + 6, op);
    arca__put_le32(out + 8, a);
    arca__put_le32(out + 12, b);
    return ARCA__PACKET_HEADER;
}

#endif
