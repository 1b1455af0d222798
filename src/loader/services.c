/*
 * services.c — the loader's end of the platform connection: BIND once, then the runtime's
 * get_keys, get_evidence and counter, each one request and one reply
 * (src/formats/platform_wire.h). A platform that issued a resume token at BIND (arcad) can be
 * reconnected to after the connection broke (the daemon restarted): the loader's reconnect
 * hook makes a new connection, RESUME binds it again, and the request is retried once.
 *
 * The platform may be served by another process, so its replies are parsed as hostile input
 * (exact lengths, defined results) and read into a buffer one byte larger than the largest
 * valid packet, so a longer packet is seen as such and not silently cut. Requests from several
 * enclave threads are serialised by a mutex (one request in flight per connection). A reply
 * that does not come within the socket's receive time-out (set by whoever made the connection,
 * src/platform/connect.c) fails the request, and the connection is not used again: a late
 * reply must not be taken for the answer to the next request.
 * This file must never make a system call other than read, write and close (arca-runner calls
 * it under its seccomp filter; the reconnect hook is the loader's own code), never leave key bytes in a buffer it frees or returns from,
 * and never hand the runtime more bytes than the buffer it gave.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crypto/crypto.h"
#include "base/error.h"
#include "formats/platform_wire.h"
#include "services.h"

struct arca__services {
    int fd;
    int broken; /* an exchange failed: a late reply could answer the next request; lock held */
    pthread_mutex_t lock;
    int has_token; /* BIND returned a resume token */
    uint8_t token[ARCA__PW_TOKEN_SIZE];
    arca__services_reconnect_fn reconnect; /* NULL: a broken connection stays broken */
    void *reconnect_ctx;
};

/* One request out, one reply in (into reply, cap bytes; *n its length). Lock held. */
static arca_result_t exchange(arca__services *s, const uint8_t *request, size_t request_len,
                              uint8_t *reply, size_t cap, size_t *n)
{
    arca_result_t result = ARCA_OK;
    ssize_t w, r;
    if (s->broken)
        ARCA_RAISE(ARCA_ERR_PLATFORM, "the platform connection failed earlier and is not used "
                   "again; create the enclave again");
    do
        w = write(s->fd, request, request_len);
    while (w < 0 && errno == EINTR);
    if (w != (ssize_t)request_len)
        ARCA_RAISE(ARCA_ERR_PLATFORM, "the platform connection is closed (%s)",
                   w < 0 ? strerror(errno) : "short write");
    do
        r = read(s->fd, reply, cap);
    while (r < 0 && errno == EINTR);
    if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        ARCA_RAISE(ARCA_ERR_PLATFORM, "the platform did not answer in time (its connection's "
                   "receive time-out)");
    if (r <= 0)
        ARCA_RAISE(ARCA_ERR_PLATFORM, "the platform closed its connection without a reply (%s)",
                   r < 0 ? strerror(errno) : "end of file");
    *n = (size_t)r;
done:
    if (result != ARCA_OK)
        s->broken = 1;
    return result;
}

/* Send @p op with @p body, parse the reply: *result is the platform's verdict, body/len its
 * payload inside @p reply. */
static arca_result_t request_once(arca__services *s, uint16_t op, const uint8_t *body, size_t body_len,
                             uint8_t *reply, size_t cap, arca_result_t *verdict,
                             const uint8_t **payload, size_t *len)
{
    arca_result_t result = ARCA_OK;
    uint8_t packet[ARCA__PW_REQUEST_MAX];
    size_t n = 0;
    size_t packet_len = arca__pw_request(op, body, body_len, packet);
    ARCA_CHECK(exchange(s, packet, packet_len, reply, cap, &n));
    result = arca__pw_reply_parse(reply, n, op, verdict, payload, len);
    if (result != ARCA_OK) {
        s->broken = 1; /* a platform that breaks the protocol is not asked again */
        goto done;
    }
    if (*verdict != ARCA_OK)
        arca__error(*verdict, "the platform refused: %.*s", (int)*len, (const char *)*payload);
done:
    return result;
}

/* Room for the largest reply to a bind or keys request (error text included), plus one. */
#define SMALL_REPLY (ARCA__PW_HEADER + ARCA__PW_DETAIL_MAX + 1)

/* A broken connection to a platform that issued a token: a new connection, bound again by
 * RESUME. Lock held. */
static arca_result_t resume(arca__services *s)
{
    arca_result_t result = ARCA_OK, verdict = ARCA_OK;
    uint8_t reply[SMALL_REPLY];
    const uint8_t *body = NULL;
    size_t len = 0;
    int fd = -1;
    ARCA_CHECK(s->reconnect(s->reconnect_ctx, &fd));
    if (fd != s->fd) /* a hook may put the new connection on the old descriptor (the runner) */
        close(s->fd);
    s->fd = fd;
    s->broken = 0;
    result = request_once(s, ARCA__PW_OP_RESUME, s->token, sizeof s->token, reply, sizeof reply,
                          &verdict, &body, &len);
    if (result == ARCA_OK && verdict != ARCA_OK) {
        s->broken = 1;
        result = verdict;
    }
done:
    return result;
}

/* request_once; when the connection was or becomes broken and the platform can be resumed,
 * reconnect and try once more. A platform that is down fails with
 * ARCA_ERR_PLATFORM_UNAVAILABLE, and the next request tries again. Lock held. */
static arca_result_t request(arca__services *s, uint16_t op, const uint8_t *body, size_t body_len,
                             uint8_t *reply, size_t cap, arca_result_t *verdict,
                             const uint8_t **payload, size_t *len)
{
    arca_result_t result = ARCA_OK;
    if (!s->broken) {
        result = request_once(s, op, body, body_len, reply, cap, verdict, payload, len);
        if (result == ARCA_OK || !s->broken || !s->has_token || !s->reconnect)
            return result;
    } else if (!s->has_token || !s->reconnect) {
        return request_once(s, op, body, body_len, reply, cap, verdict, payload, len);
    }
    arca__error_clear();
    result = resume(s);
    if (result != ARCA_OK) {
        s->broken = 1;
        return arca__error(ARCA_ERR_PLATFORM_UNAVAILABLE,
                           "the platform is not reachable (%s); requests succeed again once it "
                           "is back", arca__error_detail()[0] ? arca__error_detail()
                                                              : arca_result_str(result));
    }
    result = request_once(s, op, body, body_len, reply, cap, verdict, payload, len);
    /* The new connection broke as well (the platform went down again right after RESUME):
     * as unavailable as above, and the next request resumes again. */
    if (result == ARCA_ERR_PLATFORM && s->broken)
        result = arca__error(ARCA_ERR_PLATFORM_UNAVAILABLE,
                             "the platform went away again after reconnecting (%s); requests "
                             "succeed again once it is back", arca__error_detail());
    return result;
}

static arca_result_t services_keys(void *ctx, struct arca__enclave_keys *keys)
{
    arca_result_t result = ARCA_OK, verdict = ARCA_OK;
    arca__services *s = ctx;
    uint8_t reply[SMALL_REPLY];
    const uint8_t *body = NULL;
    size_t len = 0;
    _Static_assert(SMALL_REPLY > ARCA__PW_HEADER + ARCA__PW_KEYS_SIZE, "keys fit");
    if (!s || !keys)
        return ARCA_ERR_INVALID_ARGUMENT;
    pthread_mutex_lock(&s->lock);
    result = request(s, ARCA__PW_OP_KEYS, NULL, 0, reply, sizeof reply, &verdict, &body, &len);
    if (result == ARCA_OK)
        result = verdict;
    if (result == ARCA_OK)
        result = arca__pw_keys_get(body, keys) == ARCA_OK ? ARCA_OK : ARCA_ERR_BAD_HOST_REPLY;
    pthread_mutex_unlock(&s->lock);
    arca__wipe(reply, sizeof reply);
    if (result != ARCA_OK)
        arca__wipe(keys, sizeof *keys);
    return result;
}

static arca_result_t services_evidence(void *ctx, const uint8_t report_data[64], uint8_t *out,
                                       size_t cap, size_t *out_len)
{
    arca_result_t result = ARCA_OK, verdict = ARCA_OK;
    arca__services *s = ctx;
    uint8_t *reply = NULL;
    const uint8_t *body = NULL;
    size_t len = 0;
    if (!s || !report_data || !out_len || (cap && !out))
        return ARCA_ERR_INVALID_ARGUMENT;
    *out_len = 0;
    reply = malloc(ARCA__PW_REPLY_MAX + 1);
    if (!reply)
        return ARCA_ERR_OUT_OF_MEMORY;
    pthread_mutex_lock(&s->lock);
    result = request(s, ARCA__PW_OP_EVIDENCE, report_data, 64, reply, ARCA__PW_REPLY_MAX + 1,
                     &verdict, &body, &len);
    pthread_mutex_unlock(&s->lock);
    if (result == ARCA_OK)
        result = verdict;
    if (result == ARCA_OK) {
        *out_len = len;
        if (len > cap)
            result = ARCA_ERR_BUFFER_TOO_SMALL;
        else
            memcpy(out, body, len);
    }
    free(reply);
    return result;
}

arca_result_t arca__services_open(int fd, const arca_identity_t *identity,
                                  const uint8_t runtime_digest[32], arca__services **out)
{
    arca_result_t result = ARCA_OK, verdict = ARCA_OK;
    arca__services *s = NULL;
    uint8_t bind[ARCA__PW_BIND_SIZE], reply[SMALL_REPLY];
    const uint8_t *body = NULL;
    size_t len = 0;
    *out = NULL;
    s = calloc(1, sizeof *s);
    if (!s)
        ARCA_RAISE(ARCA_ERR_OUT_OF_MEMORY, "out of memory for the platform connection");
    s->fd = fd;
    fd = -1;
    if (pthread_mutex_init(&s->lock, NULL) != 0) {
        close(s->fd);
        free(s);
        s = NULL;
        ARCA_RAISE(ARCA_ERR_OUT_OF_MEMORY, "cannot create the platform connection's lock");
    }
    arca__pw_identity_put(identity, bind);
    memcpy(bind + ARCA__PW_IDENTITY_SIZE, runtime_digest, 32);
    ARCA_CHECK(request_once(s, ARCA__PW_OP_BIND, bind, sizeof bind, reply, sizeof reply,
                            &verdict, &body, &len));
    ARCA_CHECK(verdict);
    if (len == ARCA__PW_TOKEN_SIZE) {
        memcpy(s->token, body, sizeof s->token);
        s->has_token = 1;
    }
    arca__wipe(reply, sizeof reply);
    *out = s;
    s = NULL;
done:
    if (fd >= 0)
        close(fd);
    arca__services_close(s);
    return result;
}

static arca_result_t services_counter(void *ctx, uint32_t action, uint32_t policy,
                                      const char *name, uint64_t *value)
{
    arca_result_t result = ARCA_OK, verdict = ARCA_OK;
    arca__services *s = ctx;
    arca__pw_counter c;
    uint8_t wire[ARCA__PW_COUNTER_SIZE], reply[SMALL_REPLY];
    const uint8_t *body = NULL;
    size_t len = 0;
    if (!s || !name || !value || action > 255 || policy > 255)
        return ARCA_ERR_INVALID_ARGUMENT;
    memset(&c, 0, sizeof c);
    c.action = (uint8_t)action;
    c.policy = (uint8_t)policy;
    if (strnlen(name, sizeof c.name) >= sizeof c.name)
        return arca__error(ARCA_ERR_INVALID_ARGUMENT, "counter: the name is longer than %u bytes",
                           ARCA__PW_COUNTER_NAME_MAX);
    memcpy(c.name, name, strlen(name));
    result = arca__pw_counter_put(&c, wire);
    if (result != ARCA_OK)
        return result;
    pthread_mutex_lock(&s->lock);
    result = request(s, ARCA__PW_OP_COUNTER, wire, sizeof wire, reply, sizeof reply, &verdict,
                     &body, &len);
    pthread_mutex_unlock(&s->lock);
    if (result == ARCA_OK)
        result = verdict;
    if (result == ARCA_OK) {
        uint64_t v = 0;
        for (int i = 7; i >= 0; i--)
            v = v << 8 | body[i];
        *value = v;
    }
    return result;
}

void arca__services_attach(arca__services *s, struct arca__loader_iface *iface)
{
    iface->services = s;
    iface->get_keys = services_keys;
    iface->get_evidence = services_evidence;
    iface->counter = services_counter;
}

void arca__services_set_reconnect(arca__services *s, arca__services_reconnect_fn fn, void *ctx)
{
    pthread_mutex_lock(&s->lock);
    s->reconnect = fn;
    s->reconnect_ctx = ctx;
    pthread_mutex_unlock(&s->lock);
}

void arca__services_close(arca__services *s)
{
    if (!s)
        return;
    close(s->fd);
    pthread_mutex_destroy(&s->lock);
    arca__wipe(s->token, sizeof s->token);
    free(s);
}
