/*
 * test_platform_wire.c — the platform connection protocol (src/formats/platform_wire.c) and the
 * platform's serving loop (src/platform/serve.c): a round trip through every encoder and
 * parser; every refusal of the parsers (magic, version, op, reserved fields, length against
 * the packet in both directions, per-op sizes, oversize, undefined results, error text that is
 * too long or not printable, has_lower other than 0/1, a lower key without has_lower); and the
 * serving loop over a SOCK_SEQPACKET socket pair with a fake platform ops table: nothing is
 * answered before BIND, a second BIND is refused, KEYS and EVIDENCE are answered about the
 * bound identity only, a contradictory or malformed BIND and an oversize or malformed packet
 * end the connection after an error reply, a platform's own failure is passed on (cut,
 * printable) without ending it, and the loader's client (src/loader/services.c) works against
 * the loop, refuses a hostile platform's replies (leaving no key bytes behind) and never takes
 * a late reply for the answer to the next request.
 * This test must never use the real dev platform or a key directory: the ops are a fake.
 */
#define _GNU_SOURCE /* memmem */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "base/error.h"
#include "base/le.h"
#include "formats/evidence.h"
#include "formats/platform_wire.h"
#include "loader/services.h"
#include "platform/platform.h"
#include "test.h"

#define WAIT_MS 10000

/* ------------------------------------------------------------------ helpers */

static arca_identity_t sample_identity(uint16_t backend, uint32_t protections)
{
    arca_identity_t id;
    memset(&id, 0, sizeof id);
    for (int i = 0; i < 32; i++) {
        id.measurement[i] = (uint8_t)(0x10 + i);
        id.signer_id[i] = (uint8_t)(0xB0 + i);
    }
    id.product_id = 0xBEEF;
    id.svn = 0x1234;
    id.backend = backend;
    id.attributes = 0x8877665544332211ull;
    id.protections = protections;
    return id;
}

#define PROCESS_PROT (ARCA_PROT_SEPARATE_PROCESS | ARCA_PROT_NODUMP | ARCA_PROT_SECCOMP)

static const uint8_t sample_digest[32] = {0xD1, 0xD2, 0xD3, [31] = 0xDF};

/* A BIND request for @p id into @p out; @return its length. */
static size_t bind_request(const arca_identity_t *id, uint8_t out[ARCA__PW_REQUEST_MAX])
{
    uint8_t body[ARCA__PW_BIND_SIZE];
    arca__pw_identity_put(id, body);
    memcpy(body + ARCA__PW_IDENTITY_SIZE, sample_digest, 32);
    return arca__pw_request(ARCA__PW_OP_BIND, body, sizeof body, out);
}

static int printable(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] < 0x20 || p[i] > 0x7e)
            return 0;
    return 1;
}

/* Parse @p n request bytes copied into an exact allocation (so an over-read shows in ASan). */
static arca_result_t parse_request(const uint8_t *bytes, size_t n, uint16_t *op, size_t *len)
{
    uint8_t *copy = malloc(n ? n : 1);
    const uint8_t *body = NULL;
    arca_result_t r;
    if (!copy)
        return ARCA_ERR_OUT_OF_MEMORY;
    if (n)
        memcpy(copy, bytes, n);
    r = arca__pw_request_parse(copy, n, op, &body, len);
    if (r == ARCA_OK && body != copy + ARCA__PW_HEADER)
        r = ARCA_ERR_INTERNAL;
    free(copy);
    return r;
}

/* The same for a reply to @p op. */
static arca_result_t parse_reply(const uint8_t *bytes, size_t n, uint16_t op,
                                 arca_result_t *verdict, size_t *len)
{
    uint8_t *copy = malloc(n ? n : 1);
    const uint8_t *body = NULL;
    arca_result_t r;
    if (!copy)
        return ARCA_ERR_OUT_OF_MEMORY;
    if (n)
        memcpy(copy, bytes, n);
    r = arca__pw_reply_parse(copy, n, op, verdict, &body, len);
    if (r == ARCA_OK && body != copy + ARCA__PW_HEADER)
        r = ARCA_ERR_INTERNAL;
    free(copy);
    return r;
}

/* ------------------------------------------------------------------ encoders and parsers */

static void test_request_round_trips(void)
{
    uint8_t packet[ARCA__PW_REQUEST_MAX], rd[64];
    const uint8_t *body = NULL;
    uint16_t op = 0;
    size_t len = 0, n;
    arca_identity_t id = sample_identity(ARCA_BACKEND_ID_PROCESS, PROCESS_PROT), back;

    n = bind_request(&id, packet);
    ASSERT_UEQ(n, ARCA__PW_REQUEST_MAX);
    ASSERT_MEMEQ(packet, "APRQ", 4);
    ASSERT_UEQ(arca__get_le16(packet + 4), ARCA__PW_VERSION);
    ASSERT_UEQ(arca__get_le16(packet + 6), ARCA__PW_OP_BIND);
    ASSERT_UEQ(arca__get_le32(packet + 8), ARCA__PW_BIND_SIZE);
    ASSERT_UEQ(arca__get_le32(packet + 12), 0);
    ASSERT_OK(arca__pw_request_parse(packet, n, &op, &body, &len));
    ASSERT_UEQ(op, ARCA__PW_OP_BIND);
    ASSERT_TRUE(body == packet + ARCA__PW_HEADER);
    ASSERT_UEQ(len, ARCA__PW_BIND_SIZE);
    ASSERT_OK(arca__pw_identity_get(body, &back));
    ASSERT_TRUE(arca__identity_equal(&id, &back));
    ASSERT_MEMEQ(body + ARCA__PW_IDENTITY_SIZE, sample_digest, 32);

    n = arca__pw_request(ARCA__PW_OP_KEYS, NULL, 0, packet);
    ASSERT_UEQ(n, ARCA__PW_HEADER);
    ASSERT_OK(parse_request(packet, n, &op, &len));
    ASSERT_UEQ(op, ARCA__PW_OP_KEYS);
    ASSERT_UEQ(len, 0);

    for (int i = 0; i < 64; i++)
        rd[i] = (uint8_t)(0xF0 ^ i);
    n = arca__pw_request(ARCA__PW_OP_EVIDENCE, rd, sizeof rd, packet);
    ASSERT_UEQ(n, ARCA__PW_HEADER + 64);
    ASSERT_OK(arca__pw_request_parse(packet, n, &op, &body, &len));
    ASSERT_UEQ(op, ARCA__PW_OP_EVIDENCE);
    ASSERT_UEQ(len, 64);
    ASSERT_MEMEQ(body, rd, 64);
}

static void test_reply_round_trips(void)
{
    uint8_t *packet = malloc(ARCA__PW_REPLY_MAX), *ev = malloc(ARCA_EVIDENCE_MAX_SIZE);
    uint8_t keys[ARCA__PW_KEYS_SIZE] = {0};
    const uint8_t *body = NULL;
    arca_result_t verdict = ARCA_ERR_INTERNAL;
    size_t len = 99, n;
    static const char text[] = "the platform refused: no key directory";
    ASSERT_TRUE(packet && ev);
    memset(ev, 0x5C, ARCA_EVIDENCE_MAX_SIZE);

    n = arca__pw_reply(ARCA__PW_OP_BIND, ARCA_OK, NULL, 0, packet);
    ASSERT_UEQ(n, ARCA__PW_HEADER);
    ASSERT_MEMEQ(packet, "APRP", 4);
    ASSERT_OK(arca__pw_reply_parse(packet, n, ARCA__PW_OP_BIND, &verdict, &body, &len));
    ASSERT_RESULT(verdict, ARCA_OK);
    ASSERT_UEQ(len, 0);

    for (int i = 0; i < 96; i++)
        keys[i] = (uint8_t)(i + 1);
    keys[96] = 1;
    n = arca__pw_reply(ARCA__PW_OP_KEYS, ARCA_OK, keys, sizeof keys, packet);
    ASSERT_UEQ(n, ARCA__PW_HEADER + ARCA__PW_KEYS_SIZE);
    ASSERT_OK(arca__pw_reply_parse(packet, n, ARCA__PW_OP_KEYS, &verdict, &body, &len));
    ASSERT_RESULT(verdict, ARCA_OK);
    ASSERT_UEQ(len, ARCA__PW_KEYS_SIZE);
    ASSERT_TRUE(body == packet + ARCA__PW_HEADER);
    ASSERT_MEMEQ(body, keys, sizeof keys);

    /* evidence: the smallest and the largest allowed body */
    n = arca__pw_reply(ARCA__PW_OP_EVIDENCE, ARCA_OK, ev, 1, packet);
    ASSERT_OK(parse_reply(packet, n, ARCA__PW_OP_EVIDENCE, &verdict, &len));
    ASSERT_UEQ(len, 1);
    n = arca__pw_reply(ARCA__PW_OP_EVIDENCE, ARCA_OK, ev, ARCA_EVIDENCE_MAX_SIZE, packet);
    ASSERT_UEQ(n, ARCA__PW_REPLY_MAX);
    ASSERT_OK(arca__pw_reply_parse(packet, n, ARCA__PW_OP_EVIDENCE, &verdict, &body, &len));
    ASSERT_UEQ(len, ARCA_EVIDENCE_MAX_SIZE);
    ASSERT_MEMEQ(body, ev, len);

    /* an error reply to each op: the result and the text come back; negative results too */
    for (uint16_t op = ARCA__PW_OP_BIND; op <= ARCA__PW_OP_EVIDENCE; op++) {
        n = arca__pw_reply(op, ARCA_ERR_PLATFORM, (const uint8_t *)text, strlen(text), packet);
        ASSERT_OK(arca__pw_reply_parse(packet, n, op, &verdict, &body, &len));
        ASSERT_RESULT(verdict, ARCA_ERR_PLATFORM);
        ASSERT_UEQ(len, strlen(text));
        ASSERT_MEMEQ(body, text, len);
        n = arca__pw_reply(op, ARCA__RESULT_COUNT - 1, NULL, 0, packet);
        ASSERT_OK(parse_reply(packet, n, op, &verdict, &len));
        ASSERT_RESULT(verdict, ARCA__RESULT_COUNT - 1);
        ASSERT_UEQ(len, 0);
    }
    /* error text of exactly ARCA__PW_DETAIL_MAX printable bytes, every printable byte */
    {
        uint8_t t[ARCA__PW_DETAIL_MAX];
        for (size_t i = 0; i < sizeof t; i++)
            t[i] = (uint8_t)(0x20 + i % 95);
        n = arca__pw_reply(ARCA__PW_OP_KEYS, ARCA_ERR_PERMISSION, t, sizeof t, packet);
        ASSERT_OK(parse_reply(packet, n, ARCA__PW_OP_KEYS, &verdict, &len));
        ASSERT_UEQ(len, ARCA__PW_DETAIL_MAX);
    }
    free(packet);
    free(ev);
}

static void test_identity_and_keys_round_trips(void)
{
    arca_identity_t id = sample_identity(ARCA_BACKEND_ID_CVM, 0xFFFFFFFFu), back;
    struct arca__enclave_keys keys, kback;
    uint8_t wire[ARCA__PW_IDENTITY_SIZE], again[ARCA__PW_IDENTITY_SIZE], kwire[ARCA__PW_KEYS_SIZE];

    arca__pw_identity_put(&id, wire);
    ASSERT_MEMEQ(wire, id.measurement, 32);
    ASSERT_MEMEQ(wire + 32, id.signer_id, 32);
    ASSERT_UEQ(arca__get_le16(wire + 64), 0xBEEF);
    ASSERT_UEQ(arca__get_le16(wire + 66), 0x1234);
    ASSERT_UEQ(arca__get_le16(wire + 68), ARCA_BACKEND_ID_CVM);
    ASSERT_UEQ(arca__get_le16(wire + 70), 0);
    ASSERT_UEQ(arca__get_le64(wire + 72), 0x8877665544332211ull);
    ASSERT_UEQ(arca__get_le32(wire + 80), 0xFFFFFFFFu);
    ASSERT_UEQ(arca__get_le32(wire + 84), 0);
    ASSERT_OK(arca__pw_identity_get(wire, &back));
    ASSERT_TRUE(arca__identity_equal(&id, &back));
    arca__pw_identity_put(&back, again);
    ASSERT_MEMEQ(again, wire, sizeof wire);

    for (int has_lower = 0; has_lower <= 1; has_lower++) {
        memset(&keys, 0, sizeof keys);
        for (int i = 0; i < 32; i++) {
            keys.enclave_key[i] = (uint8_t)(i + 1);
            keys.signer_key[i] = (uint8_t)(0x80 + i);
            keys.signer_lower[i] = has_lower ? (uint8_t)(0x40 + i) : 0;
        }
        keys.has_lower = (uint8_t)has_lower;
        arca__pw_keys_put(&keys, kwire);
        ASSERT_UEQ(kwire[96], (unsigned)has_lower);
        for (int i = 97; i < 104; i++)
            ASSERT_UEQ(kwire[i], 0);
        memset(&kback, 0xEE, sizeof kback);
        ASSERT_OK(arca__pw_keys_get(kwire, &kback));
        ASSERT_MEMEQ(&kback, &keys, sizeof keys);
    }
    /* has_lower set to anything true is written as 1 */
    keys.has_lower = 7;
    arca__pw_keys_put(&keys, kwire);
    ASSERT_UEQ(kwire[96], 1);
}

static void test_request_refusals(void)
{
    uint8_t good[ARCA__PW_REQUEST_MAX], bad[ARCA__PW_REQUEST_MAX + 64];
    const uint8_t *body = NULL;
    uint16_t op = 0;
    size_t len = 0, n;
    arca_identity_t id = sample_identity(ARCA_BACKEND_ID_PROCESS, PROCESS_PROT);
    n = bind_request(&id, good);

#define REFUSED(bytes, count)                                                                    \
    ASSERT_RESULT(parse_request((bytes), (count), &op, &len), ARCA_ERR_BAD_FORMAT)

    ASSERT_RESULT(arca__pw_request_parse(NULL, 16, &op, &body, &len), ARCA_ERR_BAD_FORMAT);
    for (size_t cut = 0; cut < ARCA__PW_HEADER; cut++)
        REFUSED(good, cut); /* shorter than the header */
    ASSERT_CONTAINS(arca__error_detail(), "shorter than its header");

    memcpy(bad, good, n);
    bad[0] = 'X'; /* magic */
    REFUSED(bad, n);
    ASSERT_CONTAINS(arca__error_detail(), "not a version 2 request");
    memcpy(bad, "APRP", 4); /* a reply's magic is not a request's */
    REFUSED(bad, n);

    for (unsigned v = 1; v <= 3; v += 2) { /* version 1 and 3 */
        memcpy(bad, good, n);
        arca__put_le16(bad + 4, (uint16_t)v);
        REFUSED(bad, n);
    }

    static const uint16_t unknown_ops[] = {0, 6, 0x0101, 0xFFFF};
    for (size_t i = 0; i < sizeof unknown_ops / sizeof unknown_ops[0]; i++) {
        memcpy(bad, good, n);
        arca__put_le16(bad + 6, unknown_ops[i]);
        REFUSED(bad, n);
        ASSERT_CONTAINS(arca__error_detail(), "unknown op");
    }

    memcpy(bad, good, n);
    arca__put_le32(bad + 12, 1); /* reserved */
    REFUSED(bad, n);
    ASSERT_CONTAINS(arca__error_detail(), "reserved field");
    arca__put_le32(bad + 12, 0x80000000u);
    REFUSED(bad, n);

    /* the header's length against the packet, both directions */
    memcpy(bad, good, n);
    arca__put_le32(bad + 8, ARCA__PW_BIND_SIZE + 1);
    REFUSED(bad, n);
    ASSERT_CONTAINS(arca__error_detail(), "header says 121");
    arca__put_le32(bad + 8, ARCA__PW_BIND_SIZE - 1);
    REFUSED(bad, n);
    arca__put_le32(bad + 8, 0xFFFFFFFFu);
    REFUSED(bad, n);
    /* the packet shorter or longer than the header says */
    memcpy(bad, good, n);
    REFUSED(bad, n - 1);
    bad[n] = 0;
    REFUSED(bad, n + 1);

    /* per-op sizes, header and packet agreeing with each other but not with the op */
    {
        static const struct {
            uint16_t op;
            size_t len;
        } wrong[] = {{ARCA__PW_OP_BIND, 0},      {ARCA__PW_OP_BIND, ARCA__PW_BIND_SIZE - 1},
                     {ARCA__PW_OP_BIND, ARCA__PW_BIND_SIZE + 1},
                     {ARCA__PW_OP_KEYS, 1},      {ARCA__PW_OP_KEYS, 64},
                     {ARCA__PW_OP_EVIDENCE, 0},  {ARCA__PW_OP_EVIDENCE, 63},
                     {ARCA__PW_OP_EVIDENCE, 65}, {ARCA__PW_OP_EVIDENCE, ARCA__PW_BIND_SIZE}};
        uint8_t zeros[ARCA__PW_BIND_SIZE + 1] = {0};
        for (size_t i = 0; i < sizeof wrong / sizeof wrong[0]; i++) {
            size_t m = arca__pw_request(wrong[i].op, zeros, wrong[i].len, bad);
            REFUSED(bad, m);
            ASSERT_CONTAINS(arca__error_detail(), "takes");
        }
    }

    /* oversize: a packet longer than the largest request, with a header that agrees */
    {
        static const uint8_t zeros[ARCA__PW_BIND_SIZE + 48];
        size_t m = arca__pw_request(ARCA__PW_OP_BIND, zeros, sizeof zeros, bad);
        ASSERT_UEQ(m, ARCA__PW_REQUEST_MAX + 48);
        REFUSED(bad, m);
    }
#undef REFUSED
}

static void test_reply_refusals(void)
{
    uint8_t *good = malloc(ARCA__PW_REPLY_MAX + 64), *bad = malloc(ARCA__PW_REPLY_MAX + 64);
    uint8_t keys[ARCA__PW_KEYS_SIZE] = {0}, text[ARCA__PW_DETAIL_MAX + 1];
    arca_result_t verdict = ARCA_OK;
    size_t len = 0, n;
    ASSERT_TRUE(good && bad);
    memset(bad, 0, ARCA__PW_REPLY_MAX + 64);
    n = arca__pw_reply(ARCA__PW_OP_KEYS, ARCA_OK, keys, sizeof keys, good);

#define REFUSED(bytes, count, op)                                                                \
    ASSERT_RESULT(parse_reply((bytes), (count), (op), &verdict, &len), ARCA_ERR_BAD_HOST_REPLY)

    ASSERT_RESULT(arca__pw_reply_parse(NULL, 16, 1, &verdict, NULL, &len), ARCA_ERR_BAD_HOST_REPLY);
    for (size_t cut = 0; cut < ARCA__PW_HEADER; cut++)
        REFUSED(good, cut, ARCA__PW_OP_KEYS);

    memcpy(bad, good, n);
    memcpy(bad, "APRQ", 4); /* a request's magic */
    REFUSED(bad, n, ARCA__PW_OP_KEYS);
    memcpy(bad, good, n);
    arca__put_le16(bad + 4, 3); /* version */
    REFUSED(bad, n, ARCA__PW_OP_KEYS);
    /* the reply to another op than the one asked */
    REFUSED(good, n, ARCA__PW_OP_EVIDENCE);
    REFUSED(good, n, ARCA__PW_OP_BIND);
    ASSERT_CONTAINS(arca__error_detail(), "reply to op 1");

    /* undefined results */
    static const int32_t undefined[] = {ARCA__RESULT_COUNT, ARCA__RESULT_COUNT + 1, -1, INT32_MIN,
                                        INT32_MAX};
    for (size_t i = 0; i < sizeof undefined / sizeof undefined[0]; i++) {
        memcpy(bad, good, n);
        arca__put_le32(bad + 8, (uint32_t)undefined[i]);
        REFUSED(bad, n, ARCA__PW_OP_KEYS);
        ASSERT_CONTAINS(arca__error_detail(), "undefined result");
    }

    /* body length against the packet, both directions */
    memcpy(bad, good, n);
    arca__put_le32(bad + 12, ARCA__PW_KEYS_SIZE + 1);
    REFUSED(bad, n, ARCA__PW_OP_KEYS);
    ASSERT_CONTAINS(arca__error_detail(), "header says 105 body bytes, has 104");
    arca__put_le32(bad + 12, ARCA__PW_KEYS_SIZE - 1);
    REFUSED(bad, n, ARCA__PW_OP_KEYS);
    memcpy(bad, good, n);
    REFUSED(bad, n - 1, ARCA__PW_OP_KEYS);
    bad[n] = 0;
    REFUSED(bad, n + 1, ARCA__PW_OP_KEYS);

    /* per-op sizes of a successful reply */
    {
        static const struct {
            uint16_t op;
            size_t len;
        } wrong[] = {{ARCA__PW_OP_BIND, 1},
                     {ARCA__PW_OP_BIND, ARCA__PW_KEYS_SIZE},
                     {ARCA__PW_OP_KEYS, 0},
                     {ARCA__PW_OP_KEYS, ARCA__PW_KEYS_SIZE - 1},
                     {ARCA__PW_OP_KEYS, ARCA__PW_KEYS_SIZE + 1},
                     {ARCA__PW_OP_EVIDENCE, 0},
                     {ARCA__PW_OP_EVIDENCE, ARCA_EVIDENCE_MAX_SIZE + 1}};
        for (size_t i = 0; i < sizeof wrong / sizeof wrong[0]; i++) {
            size_t m = arca__pw_reply(wrong[i].op, ARCA_OK, bad + ARCA__PW_HEADER, wrong[i].len,
                                      bad);
            REFUSED(bad, m, wrong[i].op);
            ASSERT_CONTAINS(arca__error_detail(), "body bytes for op");
        }
    }
    /* a success to an op that does not exist, even with a matching op field */
    {
        size_t m = arca__pw_reply(6, ARCA_OK, NULL, 0, bad);
        REFUSED(bad, m, 6);
        m = arca__pw_reply(0, ARCA_OK, NULL, 0, bad);
        REFUSED(bad, m, 0);
    }

    /* error text: too long; not printable (control, DEL, high bytes, NUL) */
    memset(text, 'a', sizeof text);
    n = arca__pw_reply(ARCA__PW_OP_KEYS, ARCA_ERR_PLATFORM, text, ARCA__PW_DETAIL_MAX + 1, bad);
    REFUSED(bad, n, ARCA__PW_OP_KEYS);
    ASSERT_CONTAINS(arca__error_detail(), "bytes of error text");
    {
        static const uint8_t ugly[] = {0x00, 0x0A, 0x1F, 0x7F, 0x80, 0xC3, 0xFF};
        for (size_t i = 0; i < sizeof ugly; i++) {
            memset(text, 'a', 20);
            text[10] = ugly[i];
            n = arca__pw_reply(ARCA__PW_OP_EVIDENCE, ARCA_ERR_PLATFORM, text, 20, bad);
            REFUSED(bad, n, ARCA__PW_OP_EVIDENCE);
            ASSERT_CONTAINS(arca__error_detail(), "not printable");
        }
    }
    /* oversize evidence reply: one byte past the largest packet */
    n = arca__pw_reply(ARCA__PW_OP_EVIDENCE, ARCA_OK, bad + ARCA__PW_HEADER,
                       ARCA_EVIDENCE_MAX_SIZE + 1, bad);
    ASSERT_UEQ(n, ARCA__PW_REPLY_MAX + 1);
    REFUSED(bad, n, ARCA__PW_OP_EVIDENCE);
#undef REFUSED
    free(good);
    free(bad);
}

static void test_identity_and_keys_refusals(void)
{
    arca_identity_t id = sample_identity(ARCA_BACKEND_ID_PROCESS, PROCESS_PROT), back;
    struct arca__enclave_keys keys, kback;
    uint8_t wire[ARCA__PW_IDENTITY_SIZE], bad[ARCA__PW_IDENTITY_SIZE], kwire[ARCA__PW_KEYS_SIZE],
        kbad[ARCA__PW_KEYS_SIZE];

    arca__pw_identity_put(&id, wire);
    for (size_t off = 70; off < 72; off++) { /* reserved u16 */
        memcpy(bad, wire, sizeof bad);
        bad[off] = 1;
        ASSERT_RESULT(arca__pw_identity_get(bad, &back), ARCA_ERR_BAD_FORMAT);
        ASSERT_CONTAINS(arca__error_detail(), "reserved field");
    }
    for (size_t off = 84; off < 88; off++) { /* reserved u32 */
        memcpy(bad, wire, sizeof bad);
        bad[off] = 0x80;
        ASSERT_RESULT(arca__pw_identity_get(bad, &back), ARCA_ERR_BAD_FORMAT);
    }

    memset(&keys, 0, sizeof keys);
    memset(keys.enclave_key, 0x11, 32);
    memset(keys.signer_key, 0x22, 32);
    arca__pw_keys_put(&keys, kwire); /* has_lower 0, lower zero */
    ASSERT_OK(arca__pw_keys_get(kwire, &kback));

    static const uint8_t has_lower_bad[] = {2, 3, 0x80, 0xFF};
    for (size_t i = 0; i < sizeof has_lower_bad; i++) {
        memcpy(kbad, kwire, sizeof kbad);
        kbad[96] = has_lower_bad[i];
        ASSERT_RESULT(arca__pw_keys_get(kbad, &kback), ARCA_ERR_BAD_FORMAT);
        ASSERT_CONTAINS(arca__error_detail(), "has_lower is");
    }
    for (size_t off = 97; off < 104; off++) {
        memcpy(kbad, kwire, sizeof kbad);
        kbad[off] = 1;
        ASSERT_RESULT(arca__pw_keys_get(kbad, &kback), ARCA_ERR_BAD_FORMAT);
        ASSERT_CONTAINS(arca__error_detail(), "reserved bytes");
    }
    /* a lower key without has_lower: any non-zero byte of it */
    for (size_t off = 64; off < 96; off += 31) {
        memcpy(kbad, kwire, sizeof kbad);
        kbad[off] = 0x01;
        ASSERT_RESULT(arca__pw_keys_get(kbad, &kback), ARCA_ERR_BAD_FORMAT);
        ASSERT_CONTAINS(arca__error_detail(), "lower tier key without has_lower");
        kbad[96] = 1; /* the same bytes with has_lower are fine */
        ASSERT_OK(arca__pw_keys_get(kbad, &kback));
        ASSERT_UEQ(kback.has_lower, 1);
    }
}

/* ------------------------------------------------------------------ the serving loop */

struct arca__platform {
    arca_result_t keys_fail;  /* derive_keys fails with this (ARCA_OK: succeeds) */
    arca_result_t ev_fail;    /* evidence fails with this */
    size_t ev_len;            /* evidence length when it succeeds (0 and too long on purpose) */
    int ugly_detail;          /* failures leave a long, non-printable detail */
    int keys_calls, ev_calls; /* what the loop asked for, and about whom */
    arca_identity_t asked;
    uint8_t asked_digest[32], asked_rd[64];
};

static void fake_keys(const arca_identity_t *id, struct arca__enclave_keys *k)
{
    memset(k, 0, sizeof *k);
    for (int i = 0; i < 32; i++) {
        k->enclave_key[i] = (uint8_t)(id->measurement[i] ^ 0x5A);
        k->signer_key[i] = (uint8_t)(id->signer_id[i] ^ (uint8_t)id->svn);
    }
}

static void fake_evidence(const arca_identity_t *id, const uint8_t digest[32],
                          const uint8_t rd[64], uint8_t *out, size_t len)
{
    uint8_t seed[ARCA__PW_IDENTITY_SIZE + 32 + 64];
    arca__pw_identity_put(id, seed);
    memcpy(seed + ARCA__PW_IDENTITY_SIZE, digest, 32);
    memcpy(seed + ARCA__PW_IDENTITY_SIZE + 32, rd, 64);
    for (size_t i = 0; i < len; i++)
        out[i] = seed[i % sizeof seed];
}

static arca_result_t fake_fail(arca__platform *p, arca_result_t r)
{
    char text[400];
    if (!p->ugly_detail)
        return arca__error(r, "fake platform: refused on purpose");
    memset(text, 'z', sizeof text - 1);
    text[sizeof text - 1] = '\0';
    text[0] = '\x01';
    text[1] = '\x7f';
    text[2] = (char)0xC3;
    return arca__error(r, "%s", text);
}

static arca_result_t fake_derive_keys(arca__platform *p, const arca_identity_t *identity,
                                      struct arca__enclave_keys *keys)
{
    p->keys_calls++;
    p->asked = *identity;
    if (p->keys_fail != ARCA_OK)
        return fake_fail(p, p->keys_fail);
    fake_keys(identity, keys);
    return ARCA_OK;
}

static arca_result_t fake_evidence_op(arca__platform *p, const arca_identity_t *identity,
                                      const uint8_t runtime_digest[32],
                                      const uint8_t report_data[64], uint8_t **evidence,
                                      size_t *len)
{
    p->ev_calls++;
    p->asked = *identity;
    memcpy(p->asked_digest, runtime_digest, 32);
    memcpy(p->asked_rd, report_data, 64);
    if (p->ev_fail != ARCA_OK)
        return fake_fail(p, p->ev_fail);
    *evidence = malloc(p->ev_len ? p->ev_len : 1);
    if (!*evidence)
        return ARCA_ERR_OUT_OF_MEMORY;
    fake_evidence(identity, runtime_digest, report_data, *evidence, p->ev_len);
    *len = p->ev_len;
    return ARCA_OK;
}

static const struct arca_platform_ops fake_ops = {
    .version = ARCA_PLATFORM_OPS_VERSION,
    .name = "test-fake",
    .derive_keys = fake_derive_keys,
    .evidence = fake_evidence_op,
};

struct server {
    arca__platform platform;
    int loader, fd;
    pthread_t thread;
};

static void *serve_main(void *arg)
{
    struct server *s = arg;
    /* As libarca's serving thread (connect.c): the descriptor stays open until the link is
     * closed, so the loader sees the end of a broken connection only by the loop's shutdown. */
    arca__platform_serve(&fake_ops, &s->platform, s->fd);
    return NULL;
}

static int server_start(struct server *s)
{
    int sv[2];
    memset(s, 0, sizeof *s);
    s->platform.ev_len = 300;
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0)
        return 0;
    s->loader = sv[0];
    s->fd = sv[1];
    if (pthread_create(&s->thread, NULL, serve_main, s) != 0) {
        close(sv[0]);
        close(sv[1]);
        return 0;
    }
    return 1;
}

/* The loader goes away; the loop must return. */
static void server_stop(struct server *s)
{
    if (s->loader >= 0)
        close(s->loader);
    s->loader = -1;
    pthread_join(s->thread, NULL);
    close(s->fd);
}

/* One packet from the platform into @p buf: its length, 0 at the end of the connection, -1 when
 * nothing came in time. */
static ssize_t receive(int fd, uint8_t *buf, size_t cap)
{
    struct pollfd pfd = {.fd = fd, .events = POLLIN};
    ssize_t n;
    if (poll(&pfd, 1, WAIT_MS) != 1)
        return -1;
    do
        n = recv(fd, buf, cap, 0);
    while (n < 0 && errno == EINTR);
    return n;
}

/* Send @p packet and read the reply into @p reply (ARCA__PW_REPLY_MAX + 1 bytes). */
static ssize_t exchange(struct server *s, const uint8_t *packet, size_t n, uint8_t *reply)
{
    if (send(s->loader, packet, n, MSG_NOSIGNAL) != (ssize_t)n)
        return -1;
    return receive(s->loader, reply, ARCA__PW_REPLY_MAX + 1);
}

/* The connection was ended by the platform: end of file, nothing more. */
static int closed_by_platform(struct server *s)
{
    uint8_t b[16];
    return receive(s->loader, b, sizeof b) == 0;
}

static uint8_t reply_buf[ARCA__PW_REPLY_MAX + 1];

/* Exchange @p packet, expecting a well-formed reply to @p op with @p expected; the body in
 * *body, *len. */
#define EXPECT_REPLY(s, packet, n, op, expected, body, len)                                      \
    do {                                                                                         \
        ssize_t got_ = exchange((s), (packet), (n), reply_buf);                                  \
        arca_result_t verdict_ = ARCA_OK;                                                        \
        ASSERT_TRUE(got_ >= (ssize_t)ARCA__PW_HEADER);                                           \
        ASSERT_OK(arca__pw_reply_parse(reply_buf, (size_t)got_, (op), &verdict_, (body), (len))); \
        ASSERT_RESULT(verdict_, (expected));                                                     \
        if (verdict_ != ARCA_OK)                                                                 \
            ASSERT_TRUE(printable(*(body), *(len)) && *(len) <= ARCA__PW_DETAIL_MAX);            \
    } while (0)

static void test_serve_nothing_before_bind(void)
{
    struct server s;
    uint8_t packet[ARCA__PW_REQUEST_MAX], rd[64] = {1, 2, 3};
    const uint8_t *body = NULL;
    size_t len = 0, n;

    ASSERT_TRUE(server_start(&s));
    n = arca__pw_request(ARCA__PW_OP_KEYS, NULL, 0, packet);
    EXPECT_REPLY(&s, packet, n, ARCA__PW_OP_KEYS, ARCA_ERR_BAD_FORMAT, &body, &len);
    ASSERT_TRUE(len > 0 && memmem(body, len, "request before BIND", 19) != NULL);
    ASSERT_TRUE(closed_by_platform(&s));
    server_stop(&s);
    ASSERT_EQ(s.platform.keys_calls, 0);

    ASSERT_TRUE(server_start(&s));
    n = arca__pw_request(ARCA__PW_OP_EVIDENCE, rd, sizeof rd, packet);
    EXPECT_REPLY(&s, packet, n, ARCA__PW_OP_EVIDENCE, ARCA_ERR_BAD_FORMAT, &body, &len);
    ASSERT_TRUE(closed_by_platform(&s));
    server_stop(&s);
    ASSERT_EQ(s.platform.ev_calls, 0);
}

static void test_serve_answers_about_bound_identity(void)
{
    struct server s;
    uint8_t packet[ARCA__PW_REQUEST_MAX], rd[64], expect[ARCA__PW_KEYS_SIZE], *ev = NULL;
    const uint8_t *body = NULL;
    size_t len = 0, n;
    struct arca__enclave_keys keys, got;
    arca_identity_t id = sample_identity(ARCA_BACKEND_ID_PROCESS, PROCESS_PROT);

    ASSERT_TRUE(server_start(&s));
    n = bind_request(&id, packet);
    EXPECT_REPLY(&s, packet, n, ARCA__PW_OP_BIND, ARCA_OK, &body, &len);
    ASSERT_UEQ(len, 0);
    ASSERT_EQ(s.platform.keys_calls + s.platform.ev_calls, 0); /* BIND asks the platform nothing */

    fake_keys(&id, &keys);
    arca__pw_keys_put(&keys, expect);
    for (int round = 0; round < 3; round++) {
        n = arca__pw_request(ARCA__PW_OP_KEYS, NULL, 0, packet);
        EXPECT_REPLY(&s, packet, n, ARCA__PW_OP_KEYS, ARCA_OK, &body, &len);
        ASSERT_UEQ(len, ARCA__PW_KEYS_SIZE);
        ASSERT_MEMEQ(body, expect, sizeof expect);
        ASSERT_OK(arca__pw_keys_get(body, &got));
        ASSERT_MEMEQ(&got, &keys, sizeof keys);
        ASSERT_TRUE(arca__identity_equal(&s.platform.asked, &id));

        for (int i = 0; i < 64; i++)
            rd[i] = (uint8_t)(round * 64 + i);
        s.platform.ev_len = round == 2 ? ARCA_EVIDENCE_MAX_SIZE : 300u + (size_t)round;
        ev = malloc(s.platform.ev_len);
        ASSERT_TRUE(ev != NULL);
        fake_evidence(&id, sample_digest, rd, ev, s.platform.ev_len);
        n = arca__pw_request(ARCA__PW_OP_EVIDENCE, rd, sizeof rd, packet);
        EXPECT_REPLY(&s, packet, n, ARCA__PW_OP_EVIDENCE, ARCA_OK, &body, &len);
        ASSERT_UEQ(len, s.platform.ev_len);
        ASSERT_MEMEQ(body, ev, len);
        free(ev);
        ev = NULL;
        ASSERT_TRUE(arca__identity_equal(&s.platform.asked, &id));
        ASSERT_MEMEQ(s.platform.asked_digest, sample_digest, 32);
        ASSERT_MEMEQ(s.platform.asked_rd, rd, 64);
    }
    ASSERT_EQ(s.platform.keys_calls, 3);
    ASSERT_EQ(s.platform.ev_calls, 3);
    server_stop(&s); /* returns when the loader closes */
}

static void test_serve_refuses_second_bind(void)
{
    struct server s;
    uint8_t packet[ARCA__PW_REQUEST_MAX];
    const uint8_t *body = NULL;
    size_t len = 0, n;
    arca_identity_t id = sample_identity(ARCA_BACKEND_ID_PROCESS, PROCESS_PROT);
    arca_identity_t other = sample_identity(ARCA_BACKEND_ID_SIM, 0);
    other.measurement[0] ^= 0xFF;

    for (int same = 0; same <= 1; same++) {
        ASSERT_TRUE(server_start(&s));
        n = bind_request(&id, packet);
        EXPECT_REPLY(&s, packet, n, ARCA__PW_OP_BIND, ARCA_OK, &body, &len);
        n = bind_request(same ? &id : &other, packet);
        EXPECT_REPLY(&s, packet, n, ARCA__PW_OP_BIND, ARCA_ERR_BAD_FORMAT, &body, &len);
        ASSERT_TRUE(memmem(body, len, "bound to an enclave already", 27) != NULL);
        ASSERT_TRUE(closed_by_platform(&s));
        server_stop(&s);
        ASSERT_EQ(s.platform.keys_calls, 0);
    }
}

static void test_serve_refuses_bad_bind(void)
{
    static const struct {
        uint16_t backend;
        uint32_t protections;
        const char *why;
    } bad[] = {
        {ARCA_BACKEND_ID_SIM, ARCA_PROT_SECCOMP, "contradict"},
        {ARCA_BACKEND_ID_SIM, ARCA_PROT_SEPARATE_PROCESS, "contradict"},
        {ARCA_BACKEND_ID_PROCESS, 0, "contradict"},
        {ARCA_BACKEND_ID_PROCESS, ARCA_PROT_SEPARATE_PROCESS | ARCA_PROT_SECRETMEM | ARCA_PROT_MLOCK,
         "contradict"},
        {ARCA_BACKEND_ID_SGX, ARCA_PROT_NODUMP, "contradict"},
        {ARCA_BACKEND_ID_NONE, 0, "unknown backend id 0"},
        {9, ARCA_PROT_SEPARATE_PROCESS, "unknown backend id 9"},
    };
    struct server s;
    uint8_t packet[ARCA__PW_REQUEST_MAX];
    const uint8_t *body = NULL;
    size_t len = 0, n;

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        arca_identity_t id = sample_identity(bad[i].backend, bad[i].protections);
        ASSERT_TRUE(server_start(&s));
        n = bind_request(&id, packet);
        EXPECT_REPLY(&s, packet, n, ARCA__PW_OP_BIND, ARCA_ERR_BAD_FORMAT, &body, &len);
        ASSERT_TRUE(memmem(body, len, bad[i].why, strlen(bad[i].why)) != NULL);
        ASSERT_TRUE(closed_by_platform(&s));
        server_stop(&s);
    }

    /* a reserved field of the identity */
    {
        arca_identity_t id = sample_identity(ARCA_BACKEND_ID_PROCESS, PROCESS_PROT);
        ASSERT_TRUE(server_start(&s));
        n = bind_request(&id, packet);
        packet[ARCA__PW_HEADER + 70] = 1;
        EXPECT_REPLY(&s, packet, n, ARCA__PW_OP_BIND, ARCA_ERR_BAD_FORMAT, &body, &len);
        ASSERT_TRUE(memmem(body, len, "reserved field", 14) != NULL);
        ASSERT_TRUE(closed_by_platform(&s));
        server_stop(&s);
    }

    /* sim without protections and process with them are fine (the controls) */
    {
        arca_identity_t sim = sample_identity(ARCA_BACKEND_ID_SIM, 0);
        ASSERT_TRUE(server_start(&s));
        n = bind_request(&sim, packet);
        EXPECT_REPLY(&s, packet, n, ARCA__PW_OP_BIND, ARCA_OK, &body, &len);
        server_stop(&s);
    }
}

static void test_serve_refuses_malformed_packets(void)
{
    struct server s;
    uint8_t packet[4096] = {0};
    const uint8_t *body = NULL;
    size_t len = 0, n;
    arca_identity_t id = sample_identity(ARCA_BACKEND_ID_PROCESS, PROCESS_PROT);
    static const size_t oversize[] = {ARCA__PW_REQUEST_MAX + 1, 4096};

    /* oversize after BIND: a KEYS header with a long tail, and a BIND that says it is long */
    for (size_t i = 0; i < 2; i++) {
        ASSERT_TRUE(server_start(&s));
        n = bind_request(&id, packet);
        EXPECT_REPLY(&s, packet, n, ARCA__PW_OP_BIND, ARCA_OK, &body, &len);
        memset(packet, 0, sizeof packet);
        arca__pw_request(ARCA__PW_OP_KEYS, NULL, 0, packet);
        arca__put_le32(packet + 8, (uint32_t)(oversize[i] - ARCA__PW_HEADER));
        EXPECT_REPLY(&s, packet, oversize[i], ARCA__PW_OP_KEYS, ARCA_ERR_BAD_FORMAT, &body, &len);
        ASSERT_TRUE(closed_by_platform(&s));
        server_stop(&s);
        ASSERT_EQ(s.platform.keys_calls, 0);
    }
    /* an oversize first packet */
    ASSERT_TRUE(server_start(&s));
    memset(packet, 0, sizeof packet);
    n = bind_request(&id, packet);
    arca__put_le32(packet + 8, sizeof packet - ARCA__PW_HEADER);
    EXPECT_REPLY(&s, packet, sizeof packet, ARCA__PW_OP_BIND, ARCA_ERR_BAD_FORMAT, &body, &len);
    ASSERT_TRUE(closed_by_platform(&s));
    server_stop(&s);

    /* not a request at all: the reply's op is 0 (no op was read) */
    ASSERT_TRUE(server_start(&s));
    memcpy(packet, "GET / HTTP/1.0\r\n\r\n", 18);
    EXPECT_REPLY(&s, packet, 18, 0, ARCA_ERR_BAD_FORMAT, &body, &len);
    ASSERT_TRUE(memmem(body, len, "not a version 2 request", 23) != NULL);
    ASSERT_TRUE(closed_by_platform(&s));
    server_stop(&s);

    /* a short packet, and an unknown op after BIND */
    ASSERT_TRUE(server_start(&s));
    EXPECT_REPLY(&s, (const uint8_t *)"APRQ", 4, 0, ARCA_ERR_BAD_FORMAT, &body, &len);
    ASSERT_TRUE(closed_by_platform(&s));
    server_stop(&s);
    ASSERT_TRUE(server_start(&s));
    n = bind_request(&id, packet);
    EXPECT_REPLY(&s, packet, n, ARCA__PW_OP_BIND, ARCA_OK, &body, &len);
    n = arca__pw_request(7, NULL, 0, packet);
    EXPECT_REPLY(&s, packet, n, 7, ARCA_ERR_BAD_FORMAT, &body, &len);
    ASSERT_TRUE(memmem(body, len, "unknown op 7", 12) != NULL);
    ASSERT_TRUE(closed_by_platform(&s));
    server_stop(&s);
}

static void test_serve_passes_platform_failures_on(void)
{
    struct server s;
    uint8_t packet[ARCA__PW_REQUEST_MAX], rd[64] = {9};
    const uint8_t *body = NULL;
    size_t len = 0, n;
    arca_identity_t id = sample_identity(ARCA_BACKEND_ID_PROCESS, PROCESS_PROT);

    ASSERT_TRUE(server_start(&s));
    n = bind_request(&id, packet);
    EXPECT_REPLY(&s, packet, n, ARCA__PW_OP_BIND, ARCA_OK, &body, &len);

    /* the platform's own failure, with a detail too long and not printable: cut, '?' for the
     * unprintable bytes, and the connection goes on */
    s.platform.keys_fail = ARCA_ERR_PLATFORM_DAMAGED;
    s.platform.ugly_detail = 1;
    n = arca__pw_request(ARCA__PW_OP_KEYS, NULL, 0, packet);
    EXPECT_REPLY(&s, packet, n, ARCA__PW_OP_KEYS, ARCA_ERR_PLATFORM_DAMAGED, &body, &len);
    ASSERT_UEQ(len, ARCA__PW_DETAIL_MAX);
    ASSERT_MEMEQ(body, "???zz", 5);
    s.platform.ugly_detail = 0;
    s.platform.ev_fail = ARCA_ERR_PERMISSION;
    n = arca__pw_request(ARCA__PW_OP_EVIDENCE, rd, sizeof rd, packet);
    EXPECT_REPLY(&s, packet, n, ARCA__PW_OP_EVIDENCE, ARCA_ERR_PERMISSION, &body, &len);
    ASSERT_TRUE(memmem(body, len, "refused on purpose", 18) != NULL);

    /* evidence the platform should never have produced: none, and too much */
    s.platform.ev_fail = ARCA_OK;
    s.platform.ev_len = 0;
    EXPECT_REPLY(&s, packet, n, ARCA__PW_OP_EVIDENCE, ARCA_ERR_INTERNAL, &body, &len);
    s.platform.ev_len = ARCA_EVIDENCE_MAX_SIZE + 1;
    EXPECT_REPLY(&s, packet, n, ARCA__PW_OP_EVIDENCE, ARCA_ERR_INTERNAL, &body, &len);
    ASSERT_TRUE(memmem(body, len, "evidence of", 11) != NULL);

    /* still bound, still serving */
    s.platform.keys_fail = ARCA_OK;
    n = arca__pw_request(ARCA__PW_OP_KEYS, NULL, 0, packet);
    EXPECT_REPLY(&s, packet, n, ARCA__PW_OP_KEYS, ARCA_OK, &body, &len);
    ASSERT_EQ(s.platform.keys_calls, 2);
    ASSERT_EQ(s.platform.ev_calls, 3);
    server_stop(&s);
}

/* ------------------------------------------------------------------ the loader's client */

static void test_services_against_serve(void)
{
    struct server s;
    arca__services *svc = NULL;
    struct arca__loader_iface iface;
    struct arca__enclave_keys keys, want;
    uint8_t rd[64], *ev = malloc(4096), *expect = malloc(4096);
    size_t ev_len = 0;
    arca_identity_t id = sample_identity(ARCA_BACKEND_ID_PROCESS, PROCESS_PROT);
    ASSERT_TRUE(ev && expect);

    ASSERT_TRUE(server_start(&s));
    ASSERT_OK(arca__services_open(s.loader, &id, sample_digest, &svc));
    s.loader = -1; /* services owns it now */
    memset(&iface, 0, sizeof iface);
    arca__services_attach(svc, &iface);

    fake_keys(&id, &want);
    ASSERT_OK(iface.get_keys(iface.services, &keys));
    ASSERT_MEMEQ(&keys, &want, sizeof keys);

    memset(rd, 0x42, sizeof rd);
    s.platform.ev_len = 1000;
    fake_evidence(&id, sample_digest, rd, expect, 1000);
    ASSERT_RESULT(iface.get_evidence(iface.services, rd, ev, 999, &ev_len),
                  ARCA_ERR_BUFFER_TOO_SMALL);
    ASSERT_UEQ(ev_len, 1000);
    ASSERT_OK(iface.get_evidence(iface.services, rd, ev, 4096, &ev_len));
    ASSERT_UEQ(ev_len, 1000);
    ASSERT_MEMEQ(ev, expect, 1000);

    /* a refusal of the platform reaches the loader with its result and text */
    s.platform.keys_fail = ARCA_ERR_PLATFORM_DAMAGED;
    ASSERT_RESULT(iface.get_keys(iface.services, &keys), ARCA_ERR_PLATFORM_DAMAGED);
    ASSERT_CONTAINS(arca__error_detail(), "refused on purpose");
    arca__services_close(svc);
    server_stop(&s);

    /* a refused BIND fails the open */
    id = sample_identity(ARCA_BACKEND_ID_SIM, ARCA_PROT_SECCOMP);
    ASSERT_TRUE(server_start(&s));
    svc = NULL;
    ASSERT_RESULT(arca__services_open(s.loader, &id, sample_digest, &svc), ARCA_ERR_BAD_FORMAT);
    ASSERT_TRUE(svc == NULL);
    ASSERT_CONTAINS(arca__error_detail(), "contradict");
    s.loader = -1;
    server_stop(&s);
    free(ev);
    free(expect);
}

/* A hostile platform: answers BIND correctly, the first KEYS request with @p reply (arbitrary
 * bytes; none: an empty packet), then reads one more request (or the loader's end), never
 * answers it and closes. */
struct hostile {
    int fd;
    const uint8_t *reply;
    size_t len;
};

static void *hostile_main(void *arg)
{
    struct hostile *h = arg;
    uint8_t packet[ARCA__PW_REQUEST_MAX + 1], ok[ARCA__PW_HEADER];
    if (recv(h->fd, packet, sizeof packet, 0) > 0)
        send(h->fd, ok, arca__pw_reply(ARCA__PW_OP_BIND, ARCA_OK, NULL, 0, ok), MSG_NOSIGNAL);
    if (recv(h->fd, packet, sizeof packet, 0) > 0)
        send(h->fd, h->reply, h->len, MSG_NOSIGNAL);
    recv(h->fd, packet, sizeof packet, 0);
    close(h->fd);
    return NULL;
}

static void test_services_refuse_hostile_replies(void)
{
    uint8_t wrong_op[ARCA__PW_HEADER + ARCA__PW_KEYS_SIZE], bad_lower[sizeof wrong_op],
        short_keys[ARCA__PW_HEADER + ARCA__PW_KEYS_SIZE - 1], ugly[ARCA__PW_HEADER + 8],
        undefined[ARCA__PW_HEADER], too_long[ARCA__PW_HEADER + 300];
    uint8_t kw[ARCA__PW_KEYS_SIZE];
    static const uint8_t zero[sizeof(struct arca__enclave_keys)];
    memset(kw, 0x33, sizeof kw);
    kw[96] = 1;
    memset(kw + 97, 0, 7);
    arca__pw_reply(ARCA__PW_OP_EVIDENCE, ARCA_OK, kw, sizeof kw, wrong_op);
    kw[96] = 2;
    arca__pw_reply(ARCA__PW_OP_KEYS, ARCA_OK, kw, sizeof kw, bad_lower);
    arca__pw_reply(ARCA__PW_OP_KEYS, ARCA_OK, kw, sizeof short_keys - ARCA__PW_HEADER, short_keys);
    arca__pw_reply(ARCA__PW_OP_KEYS, ARCA_ERR_PLATFORM, (const uint8_t *)"bad\x01text", 8, ugly);
    arca__pw_reply(ARCA__PW_OP_KEYS, ARCA__RESULT_COUNT, NULL, 0, undefined);
    /* longer than any reply to KEYS may be (the loader's buffer holds one byte more than the
     * largest, so it sees a cut packet whose header disagrees) */
    memset(too_long + ARCA__PW_HEADER, 'a', 300);
    arca__pw_reply(ARCA__PW_OP_KEYS, ARCA_ERR_PLATFORM, too_long + ARCA__PW_HEADER, 300, too_long);
    const struct {
        const uint8_t *bytes;
        size_t len;
    } replies[] = {{wrong_op, sizeof wrong_op},     {bad_lower, sizeof bad_lower},
                   {short_keys, sizeof short_keys}, {ugly, sizeof ugly},
                   {undefined, sizeof undefined},   {too_long, sizeof too_long}};
    arca_identity_t id = sample_identity(ARCA_BACKEND_ID_PROCESS, PROCESS_PROT);

    for (size_t i = 0; i < sizeof replies / sizeof replies[0]; i++) {
        struct hostile h = {.reply = replies[i].bytes, .len = replies[i].len};
        int sv[2];
        pthread_t thread;
        arca__services *svc = NULL;
        struct arca__loader_iface iface;
        struct arca__enclave_keys keys;
        ASSERT_TRUE(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == 0);
        h.fd = sv[1];
        ASSERT_TRUE(pthread_create(&thread, NULL, hostile_main, &h) == 0);
        ASSERT_OK(arca__services_open(sv[0], &id, sample_digest, &svc));
        memset(&iface, 0, sizeof iface);
        arca__services_attach(svc, &iface);
        memset(&keys, 0x77, sizeof keys);
        ASSERT_RESULT(iface.get_keys(iface.services, &keys), ARCA_ERR_BAD_HOST_REPLY);
        /* nothing of a refused reply is left in the caller's keys */
        ASSERT_MEMEQ(&keys, zero, sizeof keys);
        /* and nothing more comes from this platform: either the loader does not ask it again,
         * or the request goes unanswered and the connection ends */
        memset(&keys, 0x77, sizeof keys);
        ASSERT_RESULT(iface.get_keys(iface.services, &keys), ARCA_ERR_PLATFORM);
        ASSERT_MEMEQ(&keys, zero, sizeof keys);
        ASSERT_RESULT(iface.get_keys(iface.services, &keys), ARCA_ERR_PLATFORM);
        arca__services_close(svc);
        pthread_join(thread, NULL);
    }

    /* a request the platform reads and never answers (it closes): an error of its own; then
     * the connection is not used again */
    {
        struct hostile h = {.reply = NULL, .len = 0};
        int sv[2];
        pthread_t thread;
        arca__services *svc = NULL;
        struct arca__loader_iface iface;
        struct arca__enclave_keys keys;
        uint8_t rd[64] = {0}, ev[64];
        size_t ev_len = 99;
        ASSERT_TRUE(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == 0);
        h.fd = sv[1];
        ASSERT_TRUE(pthread_create(&thread, NULL, hostile_main, &h) == 0);
        ASSERT_OK(arca__services_open(sv[0], &id, sample_digest, &svc));
        memset(&iface, 0, sizeof iface);
        arca__services_attach(svc, &iface);
        /* the first KEYS gets an empty packet, which reads as the end of the connection */
        ASSERT_RESULT(iface.get_keys(iface.services, &keys), ARCA_ERR_PLATFORM);
        ASSERT_CONTAINS(arca__error_detail(), "closed its connection without a reply");
        ASSERT_RESULT(iface.get_evidence(iface.services, rd, ev, sizeof ev, &ev_len),
                      ARCA_ERR_PLATFORM);
        ASSERT_CONTAINS(arca__error_detail(), "not used again");
        ASSERT_UEQ(ev_len, 0);
        arca__services_close(svc);
        pthread_join(thread, NULL);
    }
}

/* A platform that answers BIND, then answers the first KEYS only after @p delay_ms. */
struct slow {
    int fd, delay_ms;
};

static void *slow_main(void *arg)
{
    struct slow *sl = arg;
    uint8_t packet[ARCA__PW_REQUEST_MAX + 1], reply[ARCA__PW_HEADER + ARCA__PW_KEYS_SIZE];
    uint8_t kw[ARCA__PW_KEYS_SIZE] = {0};
    if (recv(sl->fd, packet, sizeof packet, 0) > 0)
        send(sl->fd, reply, arca__pw_reply(ARCA__PW_OP_BIND, ARCA_OK, NULL, 0, reply),
             MSG_NOSIGNAL);
    if (recv(sl->fd, packet, sizeof packet, 0) > 0) {
        poll(NULL, 0, sl->delay_ms);
        memset(kw, 0x44, 64);
        send(sl->fd, reply, arca__pw_reply(ARCA__PW_OP_KEYS, ARCA_OK, kw, sizeof kw, reply),
             MSG_NOSIGNAL);
    }
    while (recv(sl->fd, packet, sizeof packet, 0) > 0) /* anything later: no answer */
        ;
    close(sl->fd);
    return NULL;
}

/* A reply later than the connection's receive time-out fails that request, and is never taken
 * for the answer to the next one: the connection is not used again. */
static void test_services_late_reply_is_not_taken(void)
{
    int sv[2];
    pthread_t thread;
    struct slow sl;
    struct timeval tv = {.tv_sec = 0, .tv_usec = 100 * 1000};
    arca__services *svc = NULL;
    struct arca__loader_iface iface;
    struct arca__enclave_keys keys;
    arca_identity_t id = sample_identity(ARCA_BACKEND_ID_PROCESS, PROCESS_PROT);
    static const uint8_t zero[sizeof keys];

    ASSERT_TRUE(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == 0);
    ASSERT_TRUE(setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) == 0);
    sl.fd = sv[1];
    sl.delay_ms = 400;
    ASSERT_TRUE(pthread_create(&thread, NULL, slow_main, &sl) == 0);
    ASSERT_OK(arca__services_open(sv[0], &id, sample_digest, &svc));
    memset(&iface, 0, sizeof iface);
    arca__services_attach(svc, &iface);

    memset(&keys, 0x77, sizeof keys);
    ASSERT_RESULT(iface.get_keys(iface.services, &keys), ARCA_ERR_PLATFORM);
    ASSERT_CONTAINS(arca__error_detail(), "did not answer in time");
    ASSERT_MEMEQ(&keys, zero, sizeof keys);
    poll(NULL, 0, 600); /* the late reply is now waiting in the socket */
    memset(&keys, 0x77, sizeof keys);
    ASSERT_RESULT(iface.get_keys(iface.services, &keys), ARCA_ERR_PLATFORM);
    ASSERT_CONTAINS(arca__error_detail(), "not used again");
    ASSERT_MEMEQ(&keys, zero, sizeof keys);
    arca__services_close(svc);
    pthread_join(thread, NULL);
}


/* ---- resume tokens, RESUME and COUNTER (platform connection v2) ---- */

/* Hooks of a launching server: BIND must name `expect`; the token is fixed; RESUME knows it. */
struct hook_ctx {
    arca_identity_t expect;
    uint8_t token[ARCA__PW_TOKEN_SIZE];
    int resumes;
};

static arca_result_t hook_bound(void *ctx, const arca_identity_t *id, const uint8_t digest[32],
                                uint8_t token[ARCA__PW_TOKEN_SIZE], int *has_token)
{
    struct hook_ctx *h = ctx;
    (void)digest;
    if (memcmp(id->measurement, h->expect.measurement, 32) != 0)
        return arca__error(ARCA_ERR_PERMISSION, "not the enclave launched");
    memcpy(token, h->token, ARCA__PW_TOKEN_SIZE);
    *has_token = 1;
    return ARCA_OK;
}

static arca_result_t hook_resume(void *ctx, const uint8_t token[ARCA__PW_TOKEN_SIZE],
                                 arca_identity_t *id, uint8_t digest[32], uint32_t *owner)
{
    struct hook_ctx *h = ctx;
    if (memcmp(token, h->token, ARCA__PW_TOKEN_SIZE) != 0)
        return arca__error(ARCA_ERR_PERMISSION, "unknown resume token");
    h->resumes++;
    *id = h->expect;
    memcpy(digest, sample_digest, 32);
    *owner = 1234;
    return ARCA_OK;
}

static uint32_t last_counter_owner;
static arca_result_t fake_counter(arca__platform *p, const arca_identity_t *id, uint32_t owner,
                                  const arca__pw_counter *c, uint64_t *value)
{
    (void)p;
    (void)id;
    last_counter_owner = owner;
    if (!strcmp(c->name, "missing"))
        return arca__error(ARCA_ERR_NOT_FOUND, "no counter 'missing'");
    *value = (uint64_t)c->action << 40 | (uint64_t)c->policy << 32 | 7;
    return ARCA_OK;
}

static const struct arca_platform_ops fake_counter_ops = {
    .version = ARCA_PLATFORM_OPS_VERSION,
    .name = "test-fake-counters",
    .derive_keys = fake_derive_keys,
    .evidence = fake_evidence_op,
    .counter = fake_counter,
};

struct hooked_server {
    arca__platform platform;
    arca__serve_hooks hooks;
    int fd;
    pthread_t thread;
};

static void *hooked_main(void *arg)
{
    struct hooked_server *s = arg;
    arca__platform_serve_with(&fake_counter_ops, &s->platform, s->fd, &s->hooks);
    close(s->fd);
    return NULL;
}

/* A new served connection; *loader_fd the loader's end. */
static int hooked_start(struct hooked_server *s, struct hook_ctx *h, int *loader_fd)
{
    int sv[2];
    memset(s, 0, sizeof *s);
    s->platform.ev_len = 300;
    s->hooks = (arca__serve_hooks){.ctx = h, .owner_uid = 4321, .bound = hook_bound,
                                   .resume = hook_resume};
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0)
        return 0;
    *loader_fd = sv[0];
    s->fd = sv[1];
    return pthread_create(&s->thread, NULL, hooked_main, s) == 0;
}

/* The reconnect hook: a fresh served connection when "up". */
struct reconnector {
    struct hooked_server *s;
    struct hook_ctx *h;
    int up;
};

static arca_result_t reconnect_hook(void *ctx, int *fd)
{
    struct reconnector *rc = ctx;
    if (!rc->up)
        return arca__error(ARCA_ERR_PLATFORM_UNAVAILABLE, "the test platform is down");
    return hooked_start(rc->s, rc->h, fd) ? ARCA_OK : ARCA_ERR_IO;
}

static void test_counter_codec(void)
{
    arca__pw_counter c = {.action = ARCA__PW_COUNTER_INCREMENT, .policy = 2}, back;
    uint8_t wire[ARCA__PW_COUNTER_SIZE];
    strcpy(c.name, "db.version-2_A");
    ASSERT_OK(arca__pw_counter_put(&c, wire));
    ASSERT_OK(arca__pw_counter_get(wire, &back));
    ASSERT_UEQ(back.action, c.action);
    ASSERT_UEQ(back.policy, c.policy);
    ASSERT_STREQ(back.name, c.name);
    /* every refusal of the parser */
    uint8_t bad[ARCA__PW_COUNTER_SIZE];
    static const struct { size_t at; uint8_t v; } flips[] = {
        {0, 0}, {0, 4}, {1, 0}, {1, 3}, {2, 1}, {3, 1}, {4, 0}, {5, '/'}, {4, ' '}, {30, 'x'}};
    for (size_t i = 0; i < sizeof flips / sizeof flips[0]; i++) {
        memcpy(bad, wire, sizeof bad);
        bad[flips[i].at] = flips[i].v;
        ASSERT_RESULT(arca__pw_counter_get(bad, &back), ARCA_ERR_BAD_FORMAT);
    }
    /* the longest name fits exactly; an empty or foreign one is refused by the encoder */
    memset(c.name, 'n', ARCA__PW_COUNTER_NAME_MAX);
    c.name[ARCA__PW_COUNTER_NAME_MAX] = '\0';
    ASSERT_OK(arca__pw_counter_put(&c, wire));
    ASSERT_OK(arca__pw_counter_get(wire, &back));
    ASSERT_UEQ(strlen(back.name), ARCA__PW_COUNTER_NAME_MAX);
    c.name[0] = '\0';
    ASSERT_RESULT(arca__pw_counter_put(&c, wire), ARCA_ERR_INVALID_ARGUMENT);
    strcpy(c.name, "a b");
    ASSERT_RESULT(arca__pw_counter_put(&c, wire), ARCA_ERR_INVALID_ARGUMENT);
    strcpy(c.name, "ok");
    c.action = 9;
    ASSERT_RESULT(arca__pw_counter_put(&c, wire), ARCA_ERR_INVALID_ARGUMENT);
}

static void test_serve_hooks_and_counters(void)
{
    struct hooked_server s;
    struct hook_ctx h;
    int fd = -1;
    uint8_t packet[ARCA__PW_REQUEST_MAX];
    const uint8_t *body = NULL;
    size_t len = 0, n;
    struct server plain;
    memset(&h, 0, sizeof h);
    h.expect = sample_identity(ARCA_BACKEND_ID_PROCESS, PROCESS_PROT);
    memset(h.token, 0x5A, sizeof h.token);

    /* BIND of another identity than the one launched: refused, connection ended */
    arca_identity_t other = h.expect;
    other.measurement[0] ^= 1;
    ASSERT_TRUE(hooked_start(&s, &h, &fd));
    n = bind_request(&other, packet);
    ASSERT_TRUE(send(fd, packet, n, 0) == (ssize_t)n);
    ssize_t got = receive(fd, reply_buf, sizeof reply_buf);
    ASSERT_TRUE(got > 0);
    arca_result_t verdict = ARCA_OK;
    ASSERT_OK(arca__pw_reply_parse(reply_buf, (size_t)got, ARCA__PW_OP_BIND, &verdict, &body, &len));
    ASSERT_RESULT(verdict, ARCA_ERR_PERMISSION);
    close(fd);
    pthread_join(s.thread, NULL);

    /* the launched identity binds and gets the token; counters carry the owner of the hooks */
    arca__services *svc = NULL;
    struct arca__loader_iface iface;
    uint64_t value = 0;
    ASSERT_TRUE(hooked_start(&s, &h, &fd));
    ASSERT_OK(arca__services_open(fd, &h.expect, sample_digest, &svc));
    memset(&iface, 0, sizeof iface);
    arca__services_attach(svc, &iface);
    ASSERT_OK(iface.counter(iface.services, ARCA__PW_COUNTER_INCREMENT, 1, "boot", &value));
    ASSERT_UEQ(value, (uint64_t)2 << 40 | (uint64_t)1 << 32 | 7);
    ASSERT_UEQ(last_counter_owner, 4321);
    ASSERT_RESULT(iface.counter(iface.services, ARCA__PW_COUNTER_READ, 1, "missing", &value),
                  ARCA_ERR_NOT_FOUND); /* an answer: the connection stays usable */
    ASSERT_OK(iface.counter(iface.services, ARCA__PW_COUNTER_READ, 2, "boot", &value));
    ASSERT_RESULT(iface.counter(iface.services, ARCA__PW_COUNTER_READ, 2, "a/b", &value),
                  ARCA_ERR_INVALID_ARGUMENT);

    /* the platform goes away: without a reconnect hook the connection stays broken */
    shutdown(s.fd, SHUT_RDWR);
    pthread_join(s.thread, NULL);
    ASSERT_RESULT(iface.counter(iface.services, ARCA__PW_COUNTER_READ, 1, "boot", &value),
                  ARCA_ERR_PLATFORM);
    arca__services_close(svc);

    /* with a reconnect hook: down -> PLATFORM_UNAVAILABLE; back -> RESUME, served again */
    struct reconnector rc = {&s, &h, 0};
    ASSERT_TRUE(hooked_start(&s, &h, &fd));
    ASSERT_OK(arca__services_open(fd, &h.expect, sample_digest, &svc));
    arca__services_attach(svc, &iface);
    arca__services_set_reconnect(svc, reconnect_hook, &rc);
    shutdown(s.fd, SHUT_RDWR);
    pthread_join(s.thread, NULL);
    ASSERT_RESULT(iface.counter(iface.services, ARCA__PW_COUNTER_READ, 1, "boot", &value),
                  ARCA_ERR_PLATFORM_UNAVAILABLE);
    ASSERT_CONTAINS(arca__error_detail(), "succeed again once it is back");
    rc.up = 1;
    ASSERT_OK(iface.counter(iface.services, ARCA__PW_COUNTER_READ, 1, "boot", &value));
    ASSERT_EQ(h.resumes, 1);
    struct arca__enclave_keys keys;
    ASSERT_OK(iface.get_keys(iface.services, &keys));
    arca__services_close(svc);
    pthread_join(s.thread, NULL);

    /* RESUME with a wrong token, and RESUME at a platform without hooks: refused */
    ASSERT_TRUE(hooked_start(&s, &h, &fd));
    uint8_t wrong[ARCA__PW_TOKEN_SIZE] = {1};
    n = arca__pw_request(ARCA__PW_OP_RESUME, wrong, sizeof wrong, packet);
    ASSERT_TRUE(send(fd, packet, n, 0) == (ssize_t)n);
    got = receive(fd, reply_buf, sizeof reply_buf);
    ASSERT_TRUE(got > 0);
    ASSERT_OK(arca__pw_reply_parse(reply_buf, (size_t)got, ARCA__PW_OP_RESUME, &verdict, &body, &len));
    ASSERT_RESULT(verdict, ARCA_ERR_PERMISSION);
    close(fd);
    pthread_join(s.thread, NULL);
    ASSERT_TRUE(server_start(&plain));
    n = arca__pw_request(ARCA__PW_OP_RESUME, h.token, sizeof h.token, packet);
    EXPECT_REPLY(&plain, packet, n, ARCA__PW_OP_RESUME, ARCA_ERR_UNSUPPORTED, &body, &len);
    ASSERT_TRUE(closed_by_platform(&plain));
    server_stop(&plain);
    /* COUNTER at a platform without the op: an answer, UNSUPPORTED */
    ASSERT_TRUE(server_start(&plain));
    n = bind_request(&h.expect, packet);
    EXPECT_REPLY(&plain, packet, n, ARCA__PW_OP_BIND, ARCA_OK, &body, &len);
    ASSERT_UEQ(len, 0); /* no token from a platform without hooks */
    arca__pw_counter c = {.action = ARCA__PW_COUNTER_CREATE, .policy = 1, .name = "x"};
    uint8_t wire[ARCA__PW_COUNTER_SIZE];
    ASSERT_OK(arca__pw_counter_put(&c, wire));
    n = arca__pw_request(ARCA__PW_OP_COUNTER, wire, sizeof wire, packet);
    EXPECT_REPLY(&plain, packet, n, ARCA__PW_OP_COUNTER, ARCA_ERR_UNSUPPORTED, &body, &len);
    server_stop(&plain);
}

int main(void)
{
    RUN(test_request_round_trips);
    RUN(test_reply_round_trips);
    RUN(test_identity_and_keys_round_trips);
    RUN(test_request_refusals);
    RUN(test_reply_refusals);
    RUN(test_identity_and_keys_refusals);
    RUN(test_serve_nothing_before_bind);
    RUN(test_serve_answers_about_bound_identity);
    RUN(test_serve_refuses_second_bind);
    RUN(test_serve_refuses_bad_bind);
    RUN(test_serve_refuses_malformed_packets);
    RUN(test_serve_passes_platform_failures_on);
    RUN(test_services_against_serve);
    RUN(test_services_refuse_hostile_replies);
    RUN(test_services_late_reply_is_not_taken);
    RUN(test_counter_codec);
    RUN(test_serve_hooks_and_counters);
    return TEST_SUMMARY();
}
