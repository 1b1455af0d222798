/*
 * fuzz_platform_wire.c — libFuzzer target for the platform connection protocol
 * (src/formats/platform_wire.c) in both directions, and for the platform's serving loop
 * (arca__platform_serve, src/platform/serve.c) driven by a hostile loader.
 *
 * Every packet split from the input goes (a) into the request parser and the identity
 * parser, as a platform receives it, and (b) into the reply parser for every op and into the
 * keys parser, as a loader receives it; each accept must keep the invariants platform_wire.h
 * documents (body inside the packet, exact sizes, defined results, printable error text of at
 * most ARCA__PW_DETAIL_MAX bytes) and re-encode to the very same bytes, and each refusal must
 * be one the header documents. Then, unless flags bit 0 is set, the packets are sent one at a
 * time as requests to arca__platform_serve running on a thread over a SOCK_SEQPACKET socket
 * pair, with a fake platform ops table whose keys, evidence and counter values are
 * deterministic functions of the identity (and request) they are asked about. Every reply
 * must parse, be an error before a successful BIND, never be a second successful BIND,
 * carry exactly the keys, evidence or counter value of the bound identity, and the
 * connection must end (the loop shuts it down; the descriptor stays open, as in libarca's
 * serving thread) exactly when the protocol says so. The COUNTER body goes through
 * arca__pw_counter_get and _put as well, and RESUME (refused here: no hooks) is covered too.
 *
 * Input: byte 0 fake keys behaviour, byte 1 fake evidence behaviour, byte 2 flags (bit 0: no
 * serving loop; bits 1-2: the fake's counter behaviour; bits 3-7: its failure code), then
 * packets as [u16 little-endian length (low 12 bits)][bytes], the last one cut to what is left.
 * This target must never touch the real dev platform or any file, and never let a packet's
 * bytes be read through a buffer larger than the packet (each is copied to its own
 * allocation, so ASan sees an over-read).
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/error.h"
#include "base/le.h"
#include "formats/evidence.h"
#include "formats/platform_wire.h"
#include "platform/platform.h"

#define CHECK(c)                                                                                 \
    do {                                                                                         \
        if (!(c)) {                                                                              \
            fprintf(stderr, "fuzz_platform_wire: invariant failed at line %d: %s\n", __LINE__,   \
                    #c);                                                                         \
            abort();                                                                             \
        }                                                                                        \
    } while (0)

#define MAX_PACKETS 48
#define REPLY_WAIT_MS 5000

/* ------------------------------------------------------------------ the fake platform */

struct arca__platform {
    uint8_t keys_mode, ev_mode, flags;
};

/* A deterministic failure code other than ARCA_OK, from @p sel. */
static arca_result_t fail_code(unsigned sel)
{
    return (arca_result_t)(1 + sel % (ARCA__RESULT_COUNT - 1));
}

/* Keys that are a function of the identity only (so a reply shows whom it is about). */
static void fake_keys(const arca_identity_t *id, int has_lower, struct arca__enclave_keys *k)
{
    memset(k, 0, sizeof *k);
    for (int i = 0; i < 32; i++) {
        k->enclave_key[i] = (uint8_t)(id->measurement[i] ^ (uint8_t)(id->attributes >> (8 * (i % 8))) ^
                                      (uint8_t)id->backend);
        k->signer_key[i] = (uint8_t)(id->signer_id[i] ^ (uint8_t)(id->svn + id->product_id + i));
        if (has_lower)
            k->signer_lower[i] = (uint8_t)(k->signer_key[i] ^ 0xA5 ^ (uint8_t)(id->svn >> 8));
    }
    k->has_lower = has_lower ? 1 : 0;
}

/* Evidence bytes that are a function of identity, runtime digest and report data. */
static void fake_evidence(const arca_identity_t *id, const uint8_t digest[32],
                          const uint8_t report_data[64], uint8_t *out, size_t len)
{
    uint8_t seed[ARCA__PW_IDENTITY_SIZE + 32 + 64];
    arca__pw_identity_put(id, seed);
    memcpy(seed + ARCA__PW_IDENTITY_SIZE, digest, 32);
    memcpy(seed + ARCA__PW_IDENTITY_SIZE + 32, report_data, 64);
    for (size_t i = 0; i < len; i++)
        out[i] = (uint8_t)(seed[i % sizeof seed] ^ (uint8_t)(i / sizeof seed));
}

/* A detail that send_error must cut and make printable. */
static arca_result_t fake_fail(arca_result_t code, int ugly)
{
    char text[400];
    if (!ugly)
        return arca__error(code, "fake platform: refused");
    memset(text, 'x', sizeof text - 1);
    text[sizeof text - 1] = '\0';
    text[3] = '\x01';
    text[7] = '\x7f';
    text[11] = (char)0xC3;
    text[12] = (char)0xA9;
    text[20] = '\n';
    return arca__error(code, "%s", text);
}

/* What the fake's keys op does for keys byte @p k. */
enum { KEYS_OK, KEYS_OK_LOWER, KEYS_FAIL };
static int keys_behaviour(uint8_t k)
{
    switch (k & 3) {
    case 1: return KEYS_OK_LOWER;
    case 2: return KEYS_FAIL;
    default: return KEYS_OK;
    }
}

/* What the fake's evidence op does for evidence byte @p e: a length, or a failure. */
enum { EV_OK, EV_FAIL };
static int ev_behaviour(uint8_t e, size_t *len)
{
    switch (e & 7) {
    case 1: *len = 1 + (size_t)(e >> 3) * 4099u; return EV_OK;
    case 2: *len = ARCA_EVIDENCE_MAX_SIZE; return EV_OK;
    case 3: *len = ARCA_EVIDENCE_MAX_SIZE + 1; return EV_OK; /* the platform must refuse it */
    case 4: *len = 0; return EV_OK;                          /* the platform must refuse it */
    case 5: *len = 0; return EV_FAIL;
    default: *len = ARCA_EVIDENCE_FIXED_SIZE + (size_t)(e >> 3); return EV_OK;
    }
}

static arca_result_t fake_derive_keys(arca__platform *p, const arca_identity_t *identity,
                                      struct arca__enclave_keys *keys)
{
    switch (keys_behaviour(p->keys_mode)) {
    case KEYS_FAIL: return fake_fail(fail_code(p->keys_mode >> 2), p->keys_mode & 0x40);
    case KEYS_OK_LOWER: fake_keys(identity, 1, keys); return ARCA_OK;
    default: fake_keys(identity, 0, keys); return ARCA_OK;
    }
}

static arca_result_t fake_evidence_op(arca__platform *p, const arca_identity_t *identity,
                                      const uint8_t runtime_digest[32],
                                      const uint8_t report_data[64], uint8_t **evidence,
                                      size_t *len)
{
    size_t n = 0;
    if (ev_behaviour(p->ev_mode, &n) == EV_FAIL)
        return fake_fail(fail_code(p->ev_mode >> 3), p->ev_mode & 0x80);
    *evidence = malloc(n ? n : 1);
    if (!*evidence)
        abort();
    fake_evidence(identity, runtime_digest, report_data, *evidence, n);
    *len = n;
    return ARCA_OK;
}

/* A counter value that is a function of the identity and the request only. */
static uint64_t fake_counter_value(const arca_identity_t *id, const arca__pw_counter *c)
{
    uint64_t h = 1469598103934665603u;
    uint8_t seed[ARCA__PW_IDENTITY_SIZE];
    arca__pw_identity_put(id, seed);
    for (size_t i = 0; i < sizeof seed; i++)
        h = (h ^ seed[i]) * 1099511628211u;
    h = (h ^ c->action) * 1099511628211u;
    h = (h ^ c->policy) * 1099511628211u;
    for (size_t i = 0; c->name[i]; i++)
        h = (h ^ (uint8_t)c->name[i]) * 1099511628211u;
    return h;
}

/* What the fake's counter op does for flags byte @p f. */
enum { COUNTER_OK, COUNTER_FAIL, COUNTER_NONE };
static int counter_behaviour(uint8_t f)
{
    switch ((f >> 1) & 3) {
    case 1: return COUNTER_FAIL;
    case 2: return COUNTER_NONE; /* a platform without counters: ops->counter is NULL */
    default: return COUNTER_OK;
    }
}

static arca_result_t fake_counter_op(arca__platform *p, const arca_identity_t *identity,
                                     uint32_t owner_uid, const arca__pw_counter *request,
                                     uint64_t *value)
{
    (void)owner_uid;
    if (counter_behaviour(p->flags) == COUNTER_FAIL)
        return fake_fail(fail_code(p->flags >> 3), p->flags & 0x80);
    *value = fake_counter_value(identity, request);
    return ARCA_OK;
}

static const struct arca_platform_ops fake_ops = {
    .version = ARCA_PLATFORM_OPS_VERSION,
    .name = "fuzz-fake",
    .derive_keys = fake_derive_keys,
    .evidence = fake_evidence_op,
    .counter = fake_counter_op,
};

static const struct arca_platform_ops fake_ops_no_counters = {
    .version = ARCA_PLATFORM_OPS_VERSION,
    .name = "fuzz-fake-no-counters",
    .derive_keys = fake_derive_keys,
    .evidence = fake_evidence_op,
};

/* ------------------------------------------------------------------ pure parsers */

static uint8_t *copy(const uint8_t *p, size_t n)
{
    uint8_t *c = malloc(n ? n : 1);
    if (!c)
        abort();
    if (n)
        memcpy(c, p, n);
    return c;
}

static int printable(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] < 0x20 || p[i] > 0x7e)
            return 0;
    return 1;
}

static int all_zero(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i])
            return 0;
    return 1;
}

static size_t body_size(uint16_t op)
{
    switch (op) {
    case ARCA__PW_OP_BIND: return ARCA__PW_BIND_SIZE;
    case ARCA__PW_OP_KEYS: return 0;
    case ARCA__PW_OP_EVIDENCE: return ARCA_REPORT_DATA_SIZE;
    case ARCA__PW_OP_RESUME: return ARCA__PW_TOKEN_SIZE;
    case ARCA__PW_OP_COUNTER: return ARCA__PW_COUNTER_SIZE;
    default: return SIZE_MAX;
    }
}

/* Whether a reply body of @p n bytes is what a successful reply to @p op carries. */
static int ok_body(uint16_t op, size_t n)
{
    switch (op) {
    case ARCA__PW_OP_BIND: return n == 0 || n == ARCA__PW_TOKEN_SIZE;
    case ARCA__PW_OP_KEYS: return n == ARCA__PW_KEYS_SIZE;
    case ARCA__PW_OP_EVIDENCE: return n > 0 && n <= ARCA_EVIDENCE_MAX_SIZE;
    case ARCA__PW_OP_RESUME: return n == 0;
    case ARCA__PW_OP_COUNTER: return n == 8;
    default: return 0;
    }
}

static int counter_name_byte(uint8_t c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
}

/* 68 bytes at @p in (its own allocation): a COUNTER body, accepted exactly when platform_wire.h
 * says (action 1..3, policy 1 or 2, reserved zero, a name of 1..64 allowed bytes, NUL padded),
 * and then canonical. */
static void check_counter(const uint8_t *in)
{
    arca__pw_counter c;
    uint8_t again[ARCA__PW_COUNTER_SIZE];
    size_t len = 0;
    int valid = in[0] >= 1 && in[0] <= 3 && (in[1] == 1 || in[1] == 2) &&
                arca__get_le16(in + 2) == 0;
    while (len < ARCA__PW_COUNTER_NAME_MAX && in[4 + len])
        len++;
    valid = valid && len > 0;
    for (size_t i = 0; i < ARCA__PW_COUNTER_NAME_MAX; i++)
        valid = valid && (i < len ? counter_name_byte(in[4 + i]) : in[4 + i] == 0);
    memset(&c, 0xEE, sizeof c);
    arca_result_t r = arca__pw_counter_get(in, &c);
    CHECK(r == (valid ? ARCA_OK : ARCA_ERR_BAD_FORMAT));
    if (r != ARCA_OK)
        return;
    CHECK(c.action == in[0] && c.policy == in[1]);
    CHECK(strlen(c.name) == len && memcmp(c.name, in + 4, len) == 0);
    CHECK(arca__pw_counter_put(&c, again) == ARCA_OK);
    CHECK(memcmp(again, in, sizeof again) == 0);
}

/* The same bytes as a request a loader would encode (arca__pw_counter_put): accepted exactly
 * for a valid action, policy and name, and then read back the same by arca__pw_counter_get. */
static void check_counter_put(const uint8_t *in)
{
    arca__pw_counter c, back;
    uint8_t wire[ARCA__PW_COUNTER_SIZE];
    memset(&c, 0, sizeof c);
    c.action = in[0];
    c.policy = in[1];
    memcpy(c.name, in + 4, ARCA__PW_COUNTER_NAME_MAX); /* c.name[64] stays 0 */
    size_t len = strlen(c.name);
    int valid = in[0] >= 1 && in[0] <= 3 && (in[1] == 1 || in[1] == 2) && len > 0;
    for (size_t i = 0; i < len; i++)
        valid = valid && counter_name_byte((uint8_t)c.name[i]);
    arca_result_t r = arca__pw_counter_put(&c, wire);
    CHECK(r == (valid ? ARCA_OK : ARCA_ERR_INVALID_ARGUMENT));
    if (r != ARCA_OK)
        return;
    CHECK(arca__pw_counter_get(wire, &back) == ARCA_OK);
    CHECK(back.action == c.action && back.policy == c.policy && strcmp(back.name, c.name) == 0);
}

/* 88 bytes at @p in (its own allocation): accepted exactly when both reserved fields are zero,
 * and then canonical (re-encodes to the same bytes). */
static void check_identity(const uint8_t *in)
{
    arca_identity_t id;
    uint8_t again[ARCA__PW_IDENTITY_SIZE];
    memset(&id, 0xEE, sizeof id);
    arca_result_t r = arca__pw_identity_get(in, &id);
    int valid = arca__get_le16(in + 70) == 0 && arca__get_le32(in + 84) == 0;
    CHECK(r == (valid ? ARCA_OK : ARCA_ERR_BAD_FORMAT));
    if (r != ARCA_OK)
        return;
    arca__pw_identity_put(&id, again);
    CHECK(memcmp(again, in, sizeof again) == 0);
}

/* 104 bytes at @p in (its own allocation): accepted exactly when platform_wire.h says. */
static void check_keys(const uint8_t *in)
{
    struct arca__enclave_keys k;
    uint8_t again[ARCA__PW_KEYS_SIZE];
    memset(&k, 0xEE, sizeof k);
    arca_result_t r = arca__pw_keys_get(in, &k);
    int valid = in[96] <= 1 && all_zero(in + 97, 7) && (in[96] || all_zero(in + 64, 32));
    CHECK(r == (valid ? ARCA_OK : ARCA_ERR_BAD_FORMAT));
    if (r != ARCA_OK)
        return;
    CHECK(k.has_lower == in[96]);
    CHECK(all_zero(k.reserved, sizeof k.reserved));
    CHECK(k.has_lower || all_zero(k.signer_lower, 32));
    arca__pw_keys_put(&k, again);
    CHECK(memcmp(again, in, sizeof again) == 0);
}

/* A packet as a platform receives it. */
static void check_request(const uint8_t *b, size_t n)
{
    uint16_t op = 0;
    const uint8_t *body = NULL;
    size_t len = SIZE_MAX;
    arca_result_t r = arca__pw_request_parse(b, n, &op, &body, &len);
    int valid = n >= ARCA__PW_HEADER && memcmp(b, "APRQ", 4) == 0 &&
                arca__get_le16(b + 4) == ARCA__PW_VERSION &&
                body_size(arca__get_le16(b + 6)) == n - ARCA__PW_HEADER &&
                arca__get_le32(b + 8) == n - ARCA__PW_HEADER && arca__get_le32(b + 12) == 0;
    CHECK(r == (valid ? ARCA_OK : ARCA_ERR_BAD_FORMAT));
    if (r != ARCA_OK)
        return;
    CHECK(op == arca__get_le16(b + 6));
    CHECK(body == b + ARCA__PW_HEADER && len == n - ARCA__PW_HEADER && len == body_size(op));
    uint8_t *again = malloc(ARCA__PW_REQUEST_MAX);
    if (!again)
        abort();
    CHECK(arca__pw_request(op, body, len, again) == n && memcmp(again, b, n) == 0);
    free(again);
    if (op == ARCA__PW_OP_BIND) {
        uint8_t *id = copy(body, ARCA__PW_IDENTITY_SIZE);
        check_identity(id);
        free(id);
    }
    if (op == ARCA__PW_OP_COUNTER) {
        uint8_t *c = copy(body, ARCA__PW_COUNTER_SIZE);
        check_counter(c);
        free(c);
    }
}

/* A packet as a loader receives it in reply to @p op. */
static void check_reply(const uint8_t *b, size_t n, uint16_t op)
{
    arca_result_t verdict = (arca_result_t)-7;
    const uint8_t *body = NULL;
    size_t len = SIZE_MAX;
    if (arca__pw_reply_parse(b, n, op, &verdict, &body, &len) != ARCA_OK)
        return;
    CHECK(n >= ARCA__PW_HEADER && memcmp(b, "APRP", 4) == 0);
    CHECK(arca__get_le16(b + 4) == ARCA__PW_VERSION && arca__get_le16(b + 6) == op);
    CHECK(arca__result_defined(verdict) && (int32_t)arca__get_le32(b + 8) == (int32_t)verdict);
    CHECK(body == b + ARCA__PW_HEADER && len == n - ARCA__PW_HEADER);
    CHECK(arca__get_le32(b + 12) == len);
    if (verdict != ARCA_OK) {
        CHECK(len <= ARCA__PW_DETAIL_MAX && printable(body, len));
    } else {
        CHECK(ok_body(op, len));
        switch (op) {
        case ARCA__PW_OP_BIND:
        case ARCA__PW_OP_RESUME:
        case ARCA__PW_OP_COUNTER: break;
        case ARCA__PW_OP_KEYS: {
            CHECK(len == ARCA__PW_KEYS_SIZE);
            uint8_t *k = copy(body, len);
            check_keys(k);
            free(k);
            break;
        }
        case ARCA__PW_OP_EVIDENCE: break;
        default: CHECK(!"a successful reply to an unknown op");
        }
    }
    uint8_t *again = malloc(ARCA__PW_HEADER + len);
    if (!again)
        abort();
    CHECK(arca__pw_reply(op, verdict, body, len, again) == n && memcmp(again, b, n) == 0);
    free(again);
}

/* The bytes as the body of an otherwise well-formed request and reply to every op, so that the
 * per-op body rules (sizes, error text) see fuzzed bodies behind valid headers: each must be
 * accepted exactly when platform_wire.h allows it. */
static void check_wrapped(const uint8_t *b, size_t n)
{
    uint8_t *packet = malloc(ARCA__PW_HEADER + n);
    if (!packet)
        abort();
    for (uint16_t op = ARCA__PW_OP_BIND; op <= ARCA__PW_OP_COUNTER; op++) {
        uint16_t got_op = 0;
        const uint8_t *body = NULL;
        size_t len = 0, m = arca__pw_request(op, b, n, packet);
        arca_result_t r = arca__pw_request_parse(packet, m, &got_op, &body, &len);
        CHECK(r == (n == body_size(op) ? ARCA_OK : ARCA_ERR_BAD_FORMAT));
        check_request(packet, m);

        /* a success, and a failure whose code comes from the input */
        arca_result_t codes[2] = {ARCA_OK, fail_code(n ? b[0] : 0)};
        for (int i = 0; i < 2; i++) {
            arca_result_t verdict = ARCA_OK;
            int ok;
            m = arca__pw_reply(op, codes[i], b, n, packet);
            if (codes[i] != ARCA_OK)
                ok = n <= ARCA__PW_DETAIL_MAX && printable(b, n);
            else
                ok = ok_body(op, n);
            r = arca__pw_reply_parse(packet, m, op, &verdict, &body, &len);
            CHECK(r == (ok ? ARCA_OK : ARCA_ERR_BAD_HOST_REPLY));
            CHECK(!ok || (verdict == codes[i] && body == packet + ARCA__PW_HEADER && len == n));
            check_reply(packet, m, op);
        }
    }
    free(packet);
}

static void check_parsers(const uint8_t *b, size_t n)
{
    static const uint16_t ops[] = {0, ARCA__PW_OP_BIND, ARCA__PW_OP_KEYS, ARCA__PW_OP_EVIDENCE,
                                   ARCA__PW_OP_RESUME, ARCA__PW_OP_COUNTER, 6, 0xFFFF};
    check_request(b, n);
    check_wrapped(b, n);
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
        check_reply(b, n, ops[i]);
    if (n >= 8)
        check_reply(b, n, arca__get_le16(b + 6));
    if (n >= ARCA__PW_IDENTITY_SIZE) {
        uint8_t *id = copy(b, ARCA__PW_IDENTITY_SIZE);
        check_identity(id);
        free(id);
    }
    if (n >= ARCA__PW_KEYS_SIZE) {
        uint8_t *k = copy(b, ARCA__PW_KEYS_SIZE);
        check_keys(k);
        free(k);
    }
    if (n >= ARCA__PW_COUNTER_SIZE) {
        uint8_t *c = copy(b, ARCA__PW_COUNTER_SIZE);
        check_counter(c);
        check_counter_put(c);
        free(c);
    }
}

/* ------------------------------------------------------------------ the serving loop */

struct server {
    arca__platform platform;
    int fd;
};

static void *serve_main(void *arg)
{
    struct server *s = arg;
    /* The descriptor stays open until the loader is gone, as in libarca's serving thread. */
    arca__platform_serve(counter_behaviour(s->platform.flags) == COUNTER_NONE ? &fake_ops_no_counters
                                                                             : &fake_ops,
                         &s->platform, s->fd);
    return NULL;
}

/* One packet from the platform (or 0 for the end of the connection). */
static size_t receive(int fd, uint8_t *buf, size_t cap)
{
    struct pollfd pfd = {.fd = fd, .events = POLLIN};
    int rc;
    do
        rc = poll(&pfd, 1, REPLY_WAIT_MS);
    while (rc < 0 && errno == EINTR);
    CHECK(rc == 1); /* the platform answers every request, or ends the connection */
    ssize_t n;
    do
        n = recv(fd, buf, cap, 0);
    while (n < 0 && errno == EINTR);
    CHECK(n >= 0);
    CHECK((size_t)n < cap); /* never longer than the largest reply */
    return (size_t)n;
}

/* Whether a BIND body names an enclave the platform must accept. */
static int bind_acceptable(const uint8_t *body)
{
    arca_identity_t id;
    if (arca__pw_identity_get(body, &id) != ARCA_OK)
        return 0;
    if (!strcmp(arca_backend_id_name(id.backend), "unknown"))
        return 0;
    return arca__protections_contradiction(id.backend, id.protections) == NULL;
}

struct expectation {
    int close;             /* the connection ends after this reply */
    arca_result_t result;  /* the reply's result */
    uint16_t op;           /* the reply's op, when the request parsed */
    int op_known;
};

static void run_serve(const struct arca__platform *config, uint8_t **packets, size_t *lens,
                      size_t count)
{
    struct server srv;
    int sv[2];
    pthread_t thread;
    int bound = 0;
    arca_identity_t id;
    uint8_t digest[32];
    uint8_t *reply = malloc(ARCA__PW_REPLY_MAX + 1);
    if (!reply)
        abort();
    memset(&id, 0, sizeof id);
    memset(digest, 0, sizeof digest);
    CHECK(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == 0);
    srv.platform = *config;
    srv.fd = sv[1];
    CHECK(pthread_create(&thread, NULL, serve_main, &srv) == 0);

    for (size_t i = 0; i < count; i++) {
        const uint8_t *pkt = packets[i];
        size_t n = lens[i];
        uint16_t op = 0;
        const uint8_t *body = NULL;
        size_t blen = 0;
        struct expectation want = {0, ARCA_OK, 0, 0};
        ssize_t w;
        do
            w = send(sv[0], pkt, n, MSG_NOSIGNAL);
        while (w < 0 && errno == EINTR);
        CHECK(w == (ssize_t)n); /* the connection is open until the platform says otherwise */
        if (n == 0) {
            /* An empty packet reads as the end of the connection (recv returns 0): no reply. */
            CHECK(receive(sv[0], reply, ARCA__PW_REPLY_MAX + 1) == 0);
            break;
        }

        /* What the protocol says the reply must be. */
        if (arca__pw_request_parse(pkt, n, &op, &body, &blen) != ARCA_OK) {
            want = (struct expectation){1, ARCA_ERR_BAD_FORMAT, 0, 0};
        } else if (op == ARCA__PW_OP_BIND) {
            if (bound || !bind_acceptable(body))
                want = (struct expectation){1, ARCA_ERR_BAD_FORMAT, op, 1};
            else
                want = (struct expectation){0, ARCA_OK, op, 1};
        } else if (op == ARCA__PW_OP_RESUME) {
            /* allowed instead of BIND, but this platform has no hooks: refused either way */
            want = (struct expectation){1, bound ? ARCA_ERR_BAD_FORMAT : ARCA_ERR_UNSUPPORTED, op, 1};
        } else if (!bound) {
            want = (struct expectation){1, ARCA_ERR_BAD_FORMAT, op, 1};
        } else if (op == ARCA__PW_OP_KEYS) {
            want = (struct expectation){0, ARCA_OK, op, 1};
            if (keys_behaviour(config->keys_mode) == KEYS_FAIL)
                want.result = fail_code(config->keys_mode >> 2);
        } else if (op == ARCA__PW_OP_COUNTER) {
            arca__pw_counter c;
            want = (struct expectation){0, ARCA_OK, op, 1};
            if (arca__pw_counter_get(body, &c) != ARCA_OK)
                want = (struct expectation){1, ARCA_ERR_BAD_FORMAT, op, 1};
            else if (counter_behaviour(config->flags) == COUNTER_NONE)
                want.result = ARCA_ERR_UNSUPPORTED; /* an answer: the connection goes on */
            else if (counter_behaviour(config->flags) == COUNTER_FAIL)
                want.result = fail_code(config->flags >> 3);
        } else {
            size_t ev_len = 0;
            want = (struct expectation){0, ARCA_OK, op, 1};
            if (ev_behaviour(config->ev_mode, &ev_len) == EV_FAIL)
                want.result = fail_code(config->ev_mode >> 3);
            else if (ev_len == 0 || ev_len > ARCA_EVIDENCE_MAX_SIZE)
                want.result = ARCA_ERR_INTERNAL;
        }

        size_t got = receive(sv[0], reply, ARCA__PW_REPLY_MAX + 1);
        CHECK(got >= ARCA__PW_HEADER); /* every request gets a reply */
        uint16_t reply_op = arca__get_le16(reply + 6);
        if (want.op_known)
            CHECK(reply_op == want.op);
        arca_result_t verdict = ARCA_OK;
        const uint8_t *rbody = NULL;
        size_t rlen = 0;
        uint8_t *exact = copy(reply, got);
        CHECK(arca__pw_reply_parse(exact, got, reply_op, &verdict, &rbody, &rlen) == ARCA_OK);
        check_reply(exact, got, reply_op);
        CHECK(verdict == want.result);
        CHECK(bound || verdict != ARCA_OK || reply_op == ARCA__PW_OP_BIND); /* nothing before BIND */
        if (verdict == ARCA_OK && reply_op == ARCA__PW_OP_BIND) {
            CHECK(!bound); /* never a second successful BIND */
            CHECK(arca__pw_identity_get(body, &id) == ARCA_OK);
            memcpy(digest, body + ARCA__PW_IDENTITY_SIZE, 32);
            bound = 1;
        } else if (verdict == ARCA_OK && reply_op == ARCA__PW_OP_KEYS) {
            struct arca__enclave_keys k;
            uint8_t wire[ARCA__PW_KEYS_SIZE];
            fake_keys(&id, keys_behaviour(config->keys_mode) == KEYS_OK_LOWER, &k);
            arca__pw_keys_put(&k, wire);
            CHECK(rlen == sizeof wire && memcmp(rbody, wire, sizeof wire) == 0);
        } else if (verdict == ARCA_OK && reply_op == ARCA__PW_OP_COUNTER) {
            arca__pw_counter c;
            CHECK(arca__pw_counter_get(body, &c) == ARCA_OK);
            CHECK(rlen == 8 && arca__get_le64(rbody) == fake_counter_value(&id, &c));
        } else if (verdict == ARCA_OK && reply_op == ARCA__PW_OP_EVIDENCE) {
            uint8_t *ev = malloc(rlen);
            if (!ev)
                abort();
            fake_evidence(&id, digest, body, ev, rlen);
            size_t ev_len = 0;
            ev_behaviour(config->ev_mode, &ev_len);
            CHECK(rlen == ev_len && memcmp(rbody, ev, rlen) == 0);
            free(ev);
        }
        free(exact);
        if (want.close) {
            CHECK(receive(sv[0], reply, ARCA__PW_REPLY_MAX + 1) == 0);
            break;
        }
    }
    close(sv[0]); /* the loader is gone: the serving loop must return */
    CHECK(pthread_join(thread, NULL) == 0);
    close(sv[1]);
    free(reply);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct arca__platform config;
    uint8_t *packets[MAX_PACKETS];
    size_t lens[MAX_PACKETS], count = 0, off = 3;
    if (size < 3)
        return 0;
    config.keys_mode = data[0];
    config.ev_mode = data[1];
    config.flags = data[2];
    while (off + 2 <= size && count < MAX_PACKETS) {
        size_t n = arca__get_le16(data + off) & 0x0FFFu;
        off += 2;
        if (n > size - off)
            n = size - off;
        packets[count] = copy(data + off, n);
        lens[count++] = n;
        off += n;
    }
    for (size_t i = 0; i < count; i++)
        check_parsers(packets[i], lens[i]);
    if (!(data[2] & 1) && count)
        run_serve(&config, packets, lens, count);
    for (size_t i = 0; i < count; i++)
        free(packets[i]);
    return 0;
}
