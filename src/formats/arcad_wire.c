/*
 * arcad_wire.c — encoders and hostile-input parsers of the host <-> arcad protocol (layout in
 * arcad_wire.h and docs/formats.md). Pure functions over bytes: no I/O, no allocation. A
 * parser must never read outside the packet, never accept a length or a descriptor count
 * that disagrees with its op, and never return a body its op does not allow.
 */
#include <string.h>

#include "arca/identity.h"
#include "arcad_wire.h"
#include "base/error.h"
#include "base/le.h"
#include "packet_header.h"

#define REQUEST_MAGIC "ADRQ"
#define REPLY_MAGIC "ADRP"

static size_t put_header(const char magic[4], uint16_t op, uint32_t a, uint32_t b, uint8_t *out)
{
    return arca__packet_header_put(out, magic, ARCA__AW_VERSION, op, a, b);
}

size_t arca__aw_request(uint16_t op, const uint8_t *body, size_t len, uint8_t *out)
{
    size_t n = put_header(REQUEST_MAGIC, op, (uint32_t)len, 0, out);
    if (len)
        memcpy(out + n, body, len);
    return n + len;
}

size_t arca__aw_reply(uint16_t op, arca_result_t result, const uint8_t *body, size_t len,
                      uint8_t *out)
{
    size_t n = put_header(REPLY_MAGIC, op, (uint32_t)(int32_t)result, (uint32_t)len, out);
    if (len)
        memcpy(out + n, body, len);
    return n + len;
}

static int all_zero(const uint8_t *p, size_t n)
{
    uint8_t acc = 0;
    for (size_t i = 0; i < n; i++)
        acc |= p[i];
    return acc == 0;
}

arca_result_t arca__aw_request_parse(const uint8_t *bytes, size_t n, size_t nfds, uint16_t *op,
                                     const uint8_t **body, size_t *len)
{
    arca_result_t result = ARCA_OK;
    size_t want = 0, want_fds = 0;
    *op = 0;
    if (!bytes || n < ARCA__AW_HEADER)
        ARCA_RAISE(ARCA_ERR_BAD_FORMAT, "arcad request: %zu bytes, shorter than its header", n);
    if (memcmp(bytes, REQUEST_MAGIC, 4) != 0 || arca__get_le16(bytes + 4) != ARCA__AW_VERSION)
        ARCA_RAISE(ARCA_ERR_BAD_FORMAT, "arcad request: not a version %d request of this "
                   "protocol (is the client's libarca from another release?)", ARCA__AW_VERSION);
    uint16_t code = arca__get_le16(bytes + 6);
    switch (code) {
    case ARCA__AW_OP_LAUNCH: want = ARCA__AW_LAUNCH_SIZE; want_fds = ARCA__AW_LAUNCH_FDS; break;
    case ARCA__AW_OP_KILL: break;
    case ARCA__AW_OP_INFO: break;
    default: ARCA_RAISE(ARCA_ERR_BAD_FORMAT, "arcad request: unknown op %u", code);
    }
    *op = code;
    if (arca__get_le32(bytes + 12) != 0)
        ARCA_RAISE(ARCA_ERR_BAD_FORMAT, "arcad request: reserved field is not zero");
    if (arca__get_le32(bytes + 8) != n - ARCA__AW_HEADER || n - ARCA__AW_HEADER != want)
        ARCA_RAISE(ARCA_ERR_BAD_FORMAT,
                   "arcad request: op %u carries %zu body bytes (header says %u), takes %zu",
                   code, n - ARCA__AW_HEADER, arca__get_le32(bytes + 8), want);
    if (nfds != want_fds)
        ARCA_RAISE(ARCA_ERR_BAD_FORMAT, "arcad request: op %u came with %zu descriptors, takes %zu",
                   code, nfds, want_fds);
    if (code == ARCA__AW_OP_LAUNCH && !all_zero(bytes + ARCA__AW_HEADER, ARCA__AW_LAUNCH_SIZE))
        ARCA_RAISE(ARCA_ERR_BAD_FORMAT, "arcad request: LAUNCH flags or reserved field not zero");
    *body = bytes + ARCA__AW_HEADER;
    *len = want;
done:
    return result;
}

arca_result_t arca__aw_reply_parse(const uint8_t *bytes, size_t n, size_t nfds, uint16_t op,
                                   arca_result_t *result_out, const uint8_t **body, size_t *len)
{
    arca_result_t result = ARCA_OK;
    if (!bytes || n < ARCA__AW_HEADER)
        ARCA_RAISE(ARCA_ERR_BAD_HOST_REPLY, "arcad reply: %zu bytes, shorter than its header", n);
    if (memcmp(bytes, REPLY_MAGIC, 4) != 0 || arca__get_le16(bytes + 4) != ARCA__AW_VERSION ||
        arca__get_le16(bytes + 6) != op)
        ARCA_RAISE(ARCA_ERR_BAD_HOST_REPLY, "arcad reply: not a version %d reply to op %u",
                   ARCA__AW_VERSION, op);
    int32_t code = (int32_t)arca__get_le32(bytes + 8);
    size_t got = n - ARCA__AW_HEADER;
    const uint8_t *b = bytes + ARCA__AW_HEADER;
    if (!arca__result_defined(code))
        ARCA_RAISE(ARCA_ERR_BAD_HOST_REPLY, "arcad reply: undefined result %d", code);
    if (arca__get_le32(bytes + 12) != got)
        ARCA_RAISE(ARCA_ERR_BAD_HOST_REPLY, "arcad reply: header says %u body bytes, has %zu",
                   arca__get_le32(bytes + 12), got);
    if (code != ARCA_OK) {
        if (got > ARCA__AW_DETAIL_MAX || nfds != 0)
            ARCA_RAISE(ARCA_ERR_BAD_HOST_REPLY, "arcad reply: an error with %zu bytes of text "
                       "and %zu descriptors", got, nfds);
        for (size_t i = 0; i < got; i++)
            if (b[i] < 0x20 || b[i] > 0x7e)
                ARCA_RAISE(ARCA_ERR_BAD_HOST_REPLY, "arcad reply: error text is not printable");
    } else {
        int ok;
        switch (op) {
        case ARCA__AW_OP_LAUNCH:
            ok = got == ARCA__AW_LAUNCHED_SIZE && nfds == 1 && arca__get_le32(b) != 0 &&
                 arca__get_le32(b + 4) == 0;
            break;
        case ARCA__AW_OP_EXITED:
            ok = got == ARCA__AW_EXITED_SIZE && nfds == 0 && arca__get_le32(b + 4) == 0;
            break;
        case ARCA__AW_OP_INFO: {
            uint32_t cert = got >= ARCA__AW_INFO_FIXED + 4 ? arca__get_le32(b + ARCA__AW_INFO_FIXED) : 0;
            ok = nfds == 0 && cert >= 1 && cert <= ARCA_EVIDENCE_MAX_CERT_SIZE &&
                 got == ARCA__AW_INFO_FIXED + 4 + (size_t)cert;
            break;
        }
        default:
            ok = 0;
        }
        if (!ok)
            ARCA_RAISE(ARCA_ERR_BAD_HOST_REPLY,
                       "arcad reply: %zu body bytes and %zu descriptors do not fit op %u", got,
                       nfds, op);
    }
    *result_out = (arca_result_t)code;
    *body = b;
    *len = got;
done:
    return result;
}

void arca__aw_info_put(const arca__aw_info *info, uint8_t out[ARCA__AW_INFO_FIXED])
{
    memset(out, 0, ARCA__AW_INFO_FIXED);
    arca__put_le16(out, info->kind);
    arca__put_le32(out + 4, info->uid);
    arca__put_le32(out + 8, info->enclaves);
    arca__put_le32(out + 12, info->enclave_quota);
    arca__put_le32(out + 16, info->counters);
    arca__put_le32(out + 20, info->counter_quota);
    arca__put_le64(out + 24, info->max_image);
    memcpy(out + 32, info->platform_id, 32);
}

arca_result_t arca__aw_info_get(const uint8_t in[ARCA__AW_INFO_FIXED], arca__aw_info *info)
{
    arca_result_t result = ARCA_OK;
    uint16_t kind = arca__get_le16(in);
    if (arca__get_le16(in + 2) != 0)
        ARCA_RAISE(ARCA_ERR_BAD_HOST_REPLY, "arcad info: reserved field is not zero");
    if (kind != ARCA_PLATFORM_ARCAD)
        ARCA_RAISE(ARCA_ERR_BAD_HOST_REPLY, "arcad info: platform kind %u is not arcad's", kind);
    memset(info, 0, sizeof *info);
    info->kind = kind;
    info->uid = arca__get_le32(in + 4);
    info->enclaves = arca__get_le32(in + 8);
    info->enclave_quota = arca__get_le32(in + 12);
    info->counters = arca__get_le32(in + 16);
    info->counter_quota = arca__get_le32(in + 20);
    info->max_image = arca__get_le64(in + 24);
    memcpy(info->platform_id, in + 32, 32);
done:
    return result;
}
