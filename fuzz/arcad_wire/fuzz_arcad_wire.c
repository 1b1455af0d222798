/*
 * fuzz_arcad_wire.c — libFuzzer target for the host <-> arcad protocol (src/formats/arcad_wire.c,
 * layout in arcad_wire.h and docs/formats.md, "arcad protocol"): the request parser arcad runs
 * on whatever a local user sends, the reply parser libarca runs on what arcad (a process the
 * host cannot verify) answers, and the INFO block.
 *
 * Every packet split from the input is parsed as a request and as a reply to every op (and to
 * the op its header names, and to unknown ones), each with descriptor counts 0..4 and one taken
 * from the input; every verdict must be exactly what an independent reading of the header
 * documents (magic, version, op, reserved fields, the body length both said and real, the
 * descriptor count of the op, LAUNCH's zero fields; for replies a defined result, printable
 * error text of at most ARCA__AW_DETAIL_MAX bytes and no descriptor, the exact body of each
 * successful op), and every accepted packet must re-encode to the very same bytes. The bytes
 * are also wrapped as the body of a well-formed request and reply for every op (so the per-op
 * body rules see fuzzed bodies behind valid headers), and every 64-byte window goes through
 * arca__aw_info_get (accepted exactly for kind arcad with the reserved field zero, and then
 * canonical through arca__aw_info_put).
 * Input: byte 0 a descriptor count (low 3 bits), then packets as [u16 little-endian length
 * (low 12 bits)][bytes], the last one cut to what is left.
 * This target must never read a packet through a buffer larger than the packet (each is copied
 * to its own allocation, so ASan sees an over-read), and never touch a file or a socket.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arca/identity.h"
#include "base/error.h"
#include "base/le.h"
#include "formats/arcad_wire.h"

#define CHECK(c)                                                                                 \
    do {                                                                                         \
        if (!(c)) {                                                                              \
            fprintf(stderr, "fuzz_arcad_wire: invariant failed at line %d: %s\n", __LINE__, #c); \
            abort();                                                                             \
        }                                                                                        \
    } while (0)

#define MAX_PACKETS 32

static uint8_t *copy(const uint8_t *p, size_t n)
{
    uint8_t *c = malloc(n ? n : 1);
    if (!c)
        abort();
    if (n)
        memcpy(c, p, n);
    return c;
}

static int all_zero(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i])
            return 0;
    return 1;
}

static int printable(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] < 0x20 || p[i] > 0x7e)
            return 0;
    return 1;
}

/* The body size and descriptor count a request op takes; 0 for an unknown op. */
static int request_shape(uint16_t op, size_t *body, size_t *fds)
{
    switch (op) {
    case ARCA__AW_OP_LAUNCH:
        *body = ARCA__AW_LAUNCH_SIZE;
        *fds = ARCA__AW_LAUNCH_FDS;
        return 1;
    case ARCA__AW_OP_KILL:
        *body = 0;
        *fds = 0;
        return 1;
    case ARCA__AW_OP_INFO:
        *body = 0;
        *fds = 0;
        return 1;
    default: return 0;
    }
}

/* A packet as arcad receives it with @p nfds descriptors. */
static void check_request(const uint8_t *b, size_t n, size_t nfds)
{
    uint16_t op = 0xEEEE;
    const uint8_t *body = NULL;
    size_t len = SIZE_MAX, want_body = 0, want_fds = 0;
    arca_result_t r = arca__aw_request_parse(b, n, nfds, &op, &body, &len);
    int header = n >= ARCA__AW_HEADER && memcmp(b, "ADRQ", 4) == 0 &&
                 arca__get_le16(b + 4) == ARCA__AW_VERSION;
    uint16_t code = n >= 8 ? arca__get_le16(b + 6) : 0;
    int known = header && request_shape(code, &want_body, &want_fds);
    int valid = known && arca__get_le32(b + 12) == 0 &&
                arca__get_le32(b + 8) == n - ARCA__AW_HEADER && n - ARCA__AW_HEADER == want_body &&
                nfds == want_fds &&
                (code != ARCA__AW_OP_LAUNCH || all_zero(b + ARCA__AW_HEADER, ARCA__AW_LAUNCH_SIZE));
    CHECK(r == (valid ? ARCA_OK : ARCA_ERR_BAD_FORMAT));
    /* The op is reported as soon as it was read (for the error reply), else 0. */
    CHECK(op == (known ? code : 0));
    if (r != ARCA_OK)
        return;
    CHECK(body == b + ARCA__AW_HEADER && len == want_body);
    uint8_t *again = malloc(ARCA__AW_REQUEST_MAX);
    if (!again)
        abort();
    CHECK(arca__aw_request(op, body, len, again) == n && memcmp(again, b, n) == 0);
    free(again);
}

/* A packet as libarca receives it from arcad, expecting @p op, with @p nfds descriptors. */
static void check_reply(const uint8_t *b, size_t n, size_t nfds, uint16_t op)
{
    arca_result_t verdict = (arca_result_t)-7;
    const uint8_t *body = NULL;
    size_t len = SIZE_MAX;
    arca_result_t r = arca__aw_reply_parse(b, n, nfds, op, &verdict, &body, &len);
    int valid = n >= ARCA__AW_HEADER && memcmp(b, "ADRP", 4) == 0 &&
                arca__get_le16(b + 4) == ARCA__AW_VERSION && arca__get_le16(b + 6) == op;
    int32_t code = valid ? (int32_t)arca__get_le32(b + 8) : 0;
    size_t got = valid ? n - ARCA__AW_HEADER : 0;
    const uint8_t *p = b + ARCA__AW_HEADER;
    valid = valid && arca__result_defined(code) && arca__get_le32(b + 12) == got;
    if (valid && code != ARCA_OK) {
        valid = got <= ARCA__AW_DETAIL_MAX && nfds == 0 && printable(p, got);
    } else if (valid) {
        switch (op) {
        case ARCA__AW_OP_LAUNCH:
            valid = got == ARCA__AW_LAUNCHED_SIZE && nfds == 1 && arca__get_le32(p) != 0 &&
                    arca__get_le32(p + 4) == 0;
            break;
        case ARCA__AW_OP_EXITED:
            valid = got == ARCA__AW_EXITED_SIZE && nfds == 0 && arca__get_le32(p + 4) == 0;
            break;
        case ARCA__AW_OP_INFO: {
            uint32_t cert =
                got >= ARCA__AW_INFO_FIXED + 4 ? arca__get_le32(p + ARCA__AW_INFO_FIXED) : 0;
            valid = nfds == 0 && cert >= 1 && cert <= ARCA_EVIDENCE_MAX_CERT_SIZE &&
                    got == ARCA__AW_INFO_FIXED + 4 + (size_t)cert;
            break;
        }
        default: valid = 0; /* KILL has no reply; unknown ops none either */
        }
    }
    CHECK(r == (valid ? ARCA_OK : ARCA_ERR_BAD_HOST_REPLY));
    if (r != ARCA_OK)
        return;
    CHECK(verdict == (arca_result_t)code && body == p && len == got);
    uint8_t *again = malloc(ARCA__AW_HEADER + len);
    if (!again)
        abort();
    CHECK(arca__aw_reply(op, verdict, body, len, again) == n && memcmp(again, b, n) == 0);
    free(again);
}

/* 64 bytes (their own allocation) as an INFO block. */
static void check_info(const uint8_t *in)
{
    arca__aw_info info;
    uint8_t again[ARCA__AW_INFO_FIXED];
    memset(&info, 0xEE, sizeof info);
    arca_result_t r = arca__aw_info_get(in, &info);
    int valid = arca__get_le16(in + 2) == 0 && arca__get_le16(in) == ARCA_PLATFORM_ARCAD;
    CHECK(r == (valid ? ARCA_OK : ARCA_ERR_BAD_HOST_REPLY));
    if (r != ARCA_OK)
        return;
    CHECK(info.kind == ARCA_PLATFORM_ARCAD && info.uid == arca__get_le32(in + 4) &&
          info.max_image == arca__get_le64(in + 24) && memcmp(info.platform_id, in + 32, 32) == 0);
    arca__aw_info_put(&info, again);
    CHECK(memcmp(again, in, sizeof again) == 0);
}

static const uint16_t ops[] = {
    0, ARCA__AW_OP_LAUNCH, ARCA__AW_OP_KILL, ARCA__AW_OP_EXITED, ARCA__AW_OP_INFO, 5, 0xFFFF};

/* The bytes as the body behind a valid header, for every op, as request and as reply (a
 * success and a failure whose code comes from the input). */
static void check_wrapped(const uint8_t *b, size_t n, size_t nfds)
{
    uint8_t *packet = malloc(ARCA__AW_HEADER + n);
    if (!packet)
        abort();
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        size_t want_body = 0, want_fds = 0, m = arca__aw_request(ops[i], b, n, packet);
        uint8_t *exact = copy(packet, m);
        check_request(exact, m, nfds);
        if (request_shape(ops[i], &want_body, &want_fds))
            check_request(exact, m, want_fds);
        free(exact);
        arca_result_t codes[2] = {ARCA_OK,
                                  (arca_result_t)(1 + (n ? b[0] : 0) % (ARCA__RESULT_COUNT - 1))};
        for (int k = 0; k < 2; k++) {
            m = arca__aw_reply(ops[i], codes[k], b, n, packet);
            exact = copy(packet, m);
            for (size_t f = 0; f <= 2; f++)
                check_reply(exact, m, f, ops[i]);
            check_reply(exact, m, nfds, ops[i]);
            free(exact);
        }
    }
    free(packet);
}

static void check_packet(const uint8_t *b, size_t n, size_t nfds)
{
    for (size_t f = 0; f <= 4; f++)
        check_request(b, n, f);
    check_request(b, n, nfds);
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        for (size_t f = 0; f <= 2; f++)
            check_reply(b, n, f, ops[i]);
        check_reply(b, n, nfds, ops[i]);
    }
    if (n >= 8) {
        check_reply(b, n, 0, arca__get_le16(b + 6));
        check_reply(b, n, 1, arca__get_le16(b + 6));
    }
    check_wrapped(b, n, nfds);
    for (size_t at = 0; at + ARCA__AW_INFO_FIXED <= n && at <= 3 * ARCA__AW_INFO_FIXED;
         at += ARCA__AW_INFO_FIXED) {
        uint8_t *info = copy(b + at, ARCA__AW_INFO_FIXED);
        check_info(info);
        free(info);
    }
    if (n >= ARCA__AW_HEADER + ARCA__AW_INFO_FIXED) {
        uint8_t *info = copy(b + ARCA__AW_HEADER, ARCA__AW_INFO_FIXED);
        check_info(info);
        free(info);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t off = 1, count = 0;
    if (size < 1)
        return 0;
    size_t nfds = data[0] & 7u;
    while (off + 2 <= size && count < MAX_PACKETS) {
        size_t n = arca__get_le16(data + off) & 0x0FFFu;
        off += 2;
        if (n > size - off)
            n = size - off;
        uint8_t *packet = copy(data + off, n);
        check_packet(packet, n, nfds);
        free(packet);
        off += n;
        count++;
    }
    return 0;
}
