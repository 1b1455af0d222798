/*
 * serve.c — the platform's end of one platform connection: the loop that answers a loader's
 * BIND (or RESUME), KEYS, EVIDENCE and COUNTER requests (src/formats/platform_wire.h) with a
 * platform's ops. Used by libarca's serving thread (connect.c), by arcad for the runners it
 * launched (with hooks: BIND checked against the image it verified, resume tokens), and by
 * any process that serves a platform on a socket (the test double of tests/platform).
 *
 * The loader names the identity once (BIND); every later answer is about that identity only,
 * so a loader cannot ask for another enclave's keys on the same connection. The loader is
 * trusted to compute the identity (it verified the image; that is what a loader is for), not
 * to speak the protocol: a malformed request gets an error reply and ends the connection.
 * This file must never answer before BIND or RESUME, never accept a second one, never leave
 * key bytes in memory after a reply, and never read or write past a packet.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "crypto/crypto.h"
#include "base/error.h"
#include "formats/evidence.h"
#include "formats/platform_wire.h"
#include "platform.h"

/* The bound enclave of one connection. */
typedef struct session {
    int bound;
    arca_identity_t identity;
    uint8_t runtime_digest[32];
    uint32_t owner_uid;
    const arca__serve_hooks *hooks; /* never NULL (defaults) */
} session;

static int send_packet(int fd, const uint8_t *bytes, size_t len)
{
    ssize_t n;
    do
        n = send(fd, bytes, len, MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    return n == (ssize_t)len ? 0 : -1;
}

/* An error reply carrying this thread's error detail (printable, cut to fit). */
static int send_error(int fd, uint16_t op, arca_result_t r)
{
    uint8_t packet[ARCA__PW_HEADER + ARCA__PW_DETAIL_MAX];
    char text[ARCA__PW_DETAIL_MAX + 1];
    size_t len = 0;
    const char *detail = arca__error_detail();
    for (; detail[len] && len < ARCA__PW_DETAIL_MAX; len++)
        text[len] = detail[len] >= 0x20 && detail[len] < 0x7f ? detail[len] : '?';
    return send_packet(fd, packet, arca__pw_reply(op, r, (const uint8_t *)text, len, packet));
}

static arca_result_t bind_enclave(session *s, const uint8_t *body)
{
    arca_result_t result = ARCA_OK;
    arca_identity_t id;
    const char *contradiction;
    if (s->bound)
        ARCA_RAISE(ARCA_ERR_BAD_FORMAT, "platform: the connection is bound to an enclave already");
    ARCA_CHECK(arca__pw_identity_get(body, &id));
    if (!strcmp(arca_backend_id_name(id.backend), "unknown"))
        ARCA_RAISE(ARCA_ERR_BAD_FORMAT, "platform: unknown backend id %u", id.backend);
    contradiction = arca__protections_contradiction(id.backend, id.protections);
    if (contradiction)
        ARCA_RAISE(ARCA_ERR_BAD_FORMAT, "platform: the loader's protections contradict: %s",
                   contradiction);
    s->identity = id;
    memcpy(s->runtime_digest, body + ARCA__PW_IDENTITY_SIZE, 32);
    s->bound = 1;
done:
    return result;
}

/* BIND, with the hooks' check and token; the reply (empty or the token) is sent here. */
static int answer_bind(session *s, int fd, const uint8_t *body)
{
    uint8_t token[ARCA__PW_TOKEN_SIZE], reply[ARCA__PW_HEADER + ARCA__PW_TOKEN_SIZE];
    int has_token = 0, rc;
    arca_result_t r = bind_enclave(s, body);
    if (r == ARCA_OK && s->hooks->bound)
        r = s->hooks->bound(s->hooks->ctx, &s->identity, s->runtime_digest, token, &has_token);
    if (r != ARCA_OK) {
        s->bound = 0;
        return send_error(fd, ARCA__PW_OP_BIND, r), -1;
    }
    rc = send_packet(fd, reply, arca__pw_reply(ARCA__PW_OP_BIND, ARCA_OK, has_token ? token : NULL,
                                               has_token ? sizeof token : 0, reply));
    arca__wipe(token, sizeof token);
    arca__wipe(reply, sizeof reply);
    return rc;
}

static int answer_resume(session *s, int fd, const uint8_t *body)
{
    uint8_t reply[ARCA__PW_HEADER];
    arca_result_t r;
    if (s->bound)
        r = arca__error(ARCA_ERR_BAD_FORMAT, "platform: the connection is bound already");
    else if (!s->hooks->resume)
        r = arca__error(ARCA_ERR_UNSUPPORTED, "platform: this platform cannot resume a connection");
    else
        r = s->hooks->resume(s->hooks->ctx, body, &s->identity, s->runtime_digest, &s->owner_uid);
    if (r != ARCA_OK)
        return send_error(fd, ARCA__PW_OP_RESUME, r), -1;
    s->bound = 1;
    return send_packet(fd, reply, arca__pw_reply(ARCA__PW_OP_RESUME, ARCA_OK, NULL, 0, reply));
}

/* COUNTER: a refusal (missing counter, quota) is an answer, not a broken protocol. */
static int answer_counter(const struct arca_platform_ops *ops, arca__platform *p, session *s,
                          int fd, const uint8_t *body)
{
    arca__pw_counter request;
    uint64_t value = 0;
    uint8_t wire[8], reply[ARCA__PW_HEADER + 8];
    arca_result_t r = arca__pw_counter_get(body, &request);
    if (r != ARCA_OK)
        return send_error(fd, ARCA__PW_OP_COUNTER, r), -1;
    if (!ops->counter)
        r = arca__error(ARCA_ERR_UNSUPPORTED, "platform '%s' keeps no counters", ops->name);
    else
        r = ops->counter(p, &s->identity, s->owner_uid, &request, &value);
    if (r != ARCA_OK)
        return send_error(fd, ARCA__PW_OP_COUNTER, r);
    for (int i = 0; i < 8; i++)
        wire[i] = (uint8_t)(value >> (8 * i));
    return send_packet(fd, reply, arca__pw_reply(ARCA__PW_OP_COUNTER, ARCA_OK, wire, 8, reply));
}

/* Answer one request; @return 0 to go on, -1 to end the connection. */
static int answer(const struct arca_platform_ops *ops, arca__platform *p, session *s, int fd,
                  const uint8_t *packet, size_t n)
{
    uint16_t op = 0;
    const uint8_t *body = NULL;
    size_t len = 0;
    arca_result_t r;
    int rc = 0;
    arca__error_clear();
    r = arca__pw_request_parse(packet, n, &op, &body, &len);
    if (r != ARCA_OK)
        return send_error(fd, op, r), -1;
    if (op != ARCA__PW_OP_BIND && op != ARCA__PW_OP_RESUME && !s->bound) {
        arca__error(ARCA_ERR_BAD_FORMAT, "platform: request before BIND");
        return send_error(fd, op, ARCA_ERR_BAD_FORMAT), -1;
    }
    if (op == ARCA__PW_OP_BIND)
        return answer_bind(s, fd, body);
    if (op == ARCA__PW_OP_RESUME)
        return answer_resume(s, fd, body);
    if (op == ARCA__PW_OP_COUNTER)
        return answer_counter(ops, p, s, fd, body);
    if (op == ARCA__PW_OP_KEYS) {
        struct arca__enclave_keys keys;
        uint8_t reply[ARCA__PW_HEADER + ARCA__PW_KEYS_SIZE], wire[ARCA__PW_KEYS_SIZE];
        r = ops->derive_keys(p, &s->identity, &keys);
        if (r != ARCA_OK) {
            rc = send_error(fd, op, r);
        } else {
            arca__pw_keys_put(&keys, wire);
            rc = send_packet(fd, reply, arca__pw_reply(op, ARCA_OK, wire, sizeof wire, reply));
        }
        arca__wipe(&keys, sizeof keys);
        arca__wipe(wire, sizeof wire);
        arca__wipe(reply, sizeof reply);
        return rc;
    }
    /* EVIDENCE */
    uint8_t *evidence = NULL, *reply = NULL;
    size_t ev_len = 0;
    r = ops->evidence(p, &s->identity, s->runtime_digest, body, &evidence, &ev_len);
    if (r == ARCA_OK && (ev_len == 0 || ev_len > ARCA_EVIDENCE_MAX_SIZE))
        r = arca__error(ARCA_ERR_INTERNAL, "platform: evidence of %zu bytes", ev_len);
    if (r == ARCA_OK && !(reply = malloc(ARCA__PW_HEADER + ev_len)))
        r = arca__error(ARCA_ERR_OUT_OF_MEMORY, "platform: out of memory for the reply");
    if (r != ARCA_OK)
        rc = send_error(fd, op, r);
    else
        rc = send_packet(fd, reply, arca__pw_reply(op, ARCA_OK, evidence, ev_len, reply));
    free(reply);
    free(evidence);
    return rc;
}

void arca__platform_serve(const struct arca_platform_ops *ops, arca__platform *p, int fd)
{
    arca__platform_serve_with(ops, p, fd, NULL);
}

void arca__platform_serve_with(const struct arca_platform_ops *ops, arca__platform *p, int fd,
                               const arca__serve_hooks *hooks)
{
    static const arca__serve_hooks none;
    session s;
    /* One byte more than the largest request: a longer packet shows as such, not cut. */
    uint8_t packet[ARCA__PW_REQUEST_MAX + 1];
    memset(&s, 0, sizeof s);
    s.hooks = hooks ? hooks : &none;
    s.owner_uid = hooks ? hooks->owner_uid : (uint32_t)geteuid();
    for (;;) {
        ssize_t n;
        do
            n = recv(fd, packet, sizeof packet, 0);
        while (n < 0 && errno == EINTR);
        if (n <= 0)
            break; /* the loader is gone */
        if (answer(ops, p, &s, fd, packet, (size_t)n) != 0)
            break;
    }
    /* Ended by us (a broken protocol): the loader must see the end now, not block on a reply,
     * even while the descriptor stays open until the caller closes it. */
    shutdown(fd, SHUT_RDWR);
    arca__wipe(&s, sizeof s);
}
