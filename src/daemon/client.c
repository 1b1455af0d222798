/*
 * client.c — one host's connection to arcad: its first request must come within the idle
 * time-out and be a well-formed LAUNCH (which then holds the connection as the enclave's
 * lease, launch.c) or INFO. Anything else — a truncated or oversized packet, a hostile
 * length, descriptors where none belong, an unknown op — gets an error reply naming what was
 * wrong, and the connection is closed. The client is known by SO_PEERCRED (server.c), never
 * by anything it says.
 * This file must never keep a descriptor a client sent with a refused request, and never
 * answer INFO with anything but public facts.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "base/error.h"
#include "base/fdpass.h"
#include "daemon.h"
#include "formats/arcad_wire.h"
#include "platform/counters.h"

void arcad_reply_error(int fd, uint16_t op, arca_result_t r)
{
    uint8_t packet[ARCA__AW_HEADER + ARCA__AW_DETAIL_MAX];
    char text[ARCA__AW_DETAIL_MAX];
    size_t len = 0;
    const char *detail = arca__error_detail();
    if (!detail[0])
        detail = arca_result_str(r);
    for (; detail[len] && len < sizeof text; len++)
        text[len] = detail[len] >= 0x20 && detail[len] < 0x7f ? detail[len] : '?';
    (void)arca__fd_send(fd, packet, arca__aw_reply(op, r, (const uint8_t *)text, len, packet),
                        NULL, 0);
}

static void answer_info(arcad_client *c)
{
    arcad *d = c->d;
    arca__aw_info info;
    size_t len = ARCA__AW_INFO_FIXED + 4 + d->root_len;
    uint8_t *body = malloc(len), *packet = malloc(ARCA__AW_HEADER + len);
    if (!body || !packet) {
        arca__error(ARCA_ERR_OUT_OF_MEMORY, "arcad: out of memory");
        arcad_reply_error(c->fd, ARCA__AW_OP_INFO, ARCA_ERR_OUT_OF_MEMORY);
        goto done;
    }
    memset(&info, 0, sizeof info);
    info.kind = ARCA_PLATFORM_ARCAD;
    info.uid = c->uid;
    info.enclaves = arcad_enclaves_of(c->uid);
    info.enclave_quota = d->config.enclaves_per_uid;
    info.counter_quota = d->config.counters_per_uid;
    info.counters = d->counters ? arca__counter_store_count(d->counters, c->uid) : 0;
    info.max_image = d->config.max_image;
    memcpy(info.platform_id, d->platform_id, 32);
    arca__aw_info_put(&info, body);
    body[ARCA__AW_INFO_FIXED] = (uint8_t)d->root_len;
    body[ARCA__AW_INFO_FIXED + 1] = (uint8_t)(d->root_len >> 8);
    body[ARCA__AW_INFO_FIXED + 2] = (uint8_t)(d->root_len >> 16);
    body[ARCA__AW_INFO_FIXED + 3] = (uint8_t)(d->root_len >> 24);
    memcpy(body + ARCA__AW_INFO_FIXED + 4, d->root_der, d->root_len);
    (void)arca__fd_send(c->fd, packet, arca__aw_reply(ARCA__AW_OP_INFO, ARCA_OK, body, len, packet),
                        NULL, 0);
done:
    free(body);
    free(packet);
}

void *arcad_client_main(void *arg)
{
    arcad_client *c = arg;
    uint8_t packet[ARCA__AW_REQUEST_MAX + 1];
    int fds[ARCA__AW_MAX_FDS] = {-1, -1, -1};
    size_t nfds = 0;
    uint16_t op = 0;
    const uint8_t *body = NULL;
    size_t len = 0;
    struct timeval tv = {c->d->config.idle_ms / 1000, (c->d->config.idle_ms % 1000) * 1000};
    arca__error_clear();
    /* A client that connects and sends nothing is closed after the idle time-out. */
    (void)setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    (void)setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    ssize_t n = arca__fd_recv(c->fd, packet, sizeof packet, fds, ARCA__AW_MAX_FDS, &nfds);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        arca__error(ARCA_ERR_TIMEOUT, "arcad: no request within %d ms", c->d->config.idle_ms);
        arcad_reply_error(c->fd, 0, ARCA_ERR_TIMEOUT);
        goto done;
    }
    if (n < 0) {
        arca__error(ARCA_ERR_BAD_FORMAT, "arcad: unreadable request (%s: too long, or too many "
                    "descriptors)", strerror(errno));
        arcad_reply_error(c->fd, 0, ARCA_ERR_BAD_FORMAT);
        goto done;
    }
    if (n == 0)
        goto done;
    arca_result_t r = arca__aw_request_parse(packet, (size_t)n, nfds, &op, &body, &len);
    if (r != ARCA_OK) {
        arcad_reply_error(c->fd, op, r);
        goto done;
    }
    if (op == ARCA__AW_OP_INFO) {
        answer_info(c);
    } else if (op == ARCA__AW_OP_LAUNCH) {
        arcad_launch(c, fds); /* takes the descriptors */
        for (size_t i = 0; i < ARCA__AW_MAX_FDS; i++)
            fds[i] = -1;
    } else {
        arca__error(ARCA_ERR_BAD_FORMAT, "arcad: KILL before LAUNCH");
        arcad_reply_error(c->fd, op, ARCA_ERR_BAD_FORMAT);
    }
done:
    arca__fd_close_all(fds, ARCA__AW_MAX_FDS);
    arcad_conn_release(c);
    close(c->fd);
    free(c);
    return NULL;
}
