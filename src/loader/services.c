/*
 * services.c — the loader's end of the platform connection: BIND once, then the runtime's
 * get_keys and get_evidence, each one request and one reply (src/formats/platform_wire.h).
 *
 * The platform may be served by another process, so its replies are parsed as hostile input
 * (exact lengths, defined results) and read into a buffer one byte larger than the largest
 * valid packet, so a longer packet is seen as such and not silently cut. Requests from several
 * enclave threads are serialised by a mutex (one request in flight per connection). A reply
 * that does not come within the socket's receive time-out (set by whoever made the connection,
 * src/platform/connect.c) fails the request, and the connection is not used again: a late
 * reply must not be taken for the answer to the next request.
 * This file must never make a system call other than read, write and close (arca-runner calls
 * it under its seccomp filter), never leave key bytes in a buffer it frees or returns from,
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
static arca_result_t request(arca__services *s, uint16_t op, const uint8_t *body, size_t body_len,
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
    ARCA_CHECK(request(s, ARCA__PW_OP_BIND, bind, sizeof bind, reply, sizeof reply, &verdict,
                       &body, &len));
    ARCA_CHECK(verdict);
    *out = s;
    s = NULL;
done:
    if (fd >= 0)
        close(fd);
    arca__services_close(s);
    return result;
}

void arca__services_attach(arca__services *s, struct arca__loader_iface *iface)
{
    iface->services = s;
    iface->get_keys = services_keys;
    iface->get_evidence = services_evidence;
}

void arca__services_close(arca__services *s)
{
    if (!s)
        return;
    close(s->fd);
    pthread_mutex_destroy(&s->lock);
    free(s);
}
