/*
 * via_arcad.c — the process backend when the platform is arcad: instead of starting
 * arca-runner itself, the host asks arcad to (src/formats/arcad_wire.h, LAUNCH), handing over
 * the sealed image, the call channel and the runner's end of the control socket. arcad
 * verifies the image, starts the runner under its own uid and serves its platform connection;
 * the host keeps the channel and the control socket, so START/READY and every call work as
 * when it starts the runner itself (spawn.c). The connection to arcad stays open as the
 * enclave's lease: arcad reports the runner's exit status on it (EXITED) and kills the runner
 * when the host asks (KILL) or the lease closes. If arcad dies, the runner keeps running: the
 * host then learns of its end from the control socket alone.
 * This file must never trust a reply of arcad beyond its parsed shape (arcad is a separate
 * process the host cannot verify), and never signal a pid itself (the runner is not its own).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "base/error.h"
#include "base/fdpass.h"
#include "base/le.h"
#include "formats/arcad_wire.h"
#include "process_internal.h"

/* How long a LAUNCH may take (arcad verifies the image and starts the runner). */
#define LAUNCH_TIMEOUT_S 30

static arca_result_t connect_arcad(const char *path, int *out)
{
    arca_result_t result = ARCA_OK;
    struct sockaddr_un addr;
    struct timeval tv = {LAUNCH_TIMEOUT_S, 0};
    int fd = -1;
    memset(&addr, 0, sizeof addr);
    addr.sun_family = AF_UNIX;
    if (!path[0] || strlen(path) >= sizeof addr.sun_path)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "arcad socket path '%s' is empty or too long", path);
    memcpy(addr.sun_path, path, strlen(path));
    fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    if (fd < 0)
        ARCA_RAISE(ARCA_ERR_IO, "socket: %s", strerror(errno));
    /* Before connect: the send time-out bounds a connect to an arcad that does not accept
     * (stopped, or its backlog full), which would otherwise wait for ever. */
    (void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    (void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
        if (errno == EAGAIN)
            ARCA_RAISE(ARCA_ERR_TIMEOUT, "arcad at %s accepted no connection within %d s; try "
                       "again later", path, LAUNCH_TIMEOUT_S);
        ARCA_RAISE(ARCA_ERR_PLATFORM_UNAVAILABLE,
                   "the platform daemon is not running: cannot connect to arcad at %s (%s); "
                   "start arcad (systemctl start arcad), or set ARCA_PLATFORM=dev", path,
                   strerror(errno));
    }
    *out = fd;
    fd = -1;
done:
    if (fd >= 0)
        close(fd);
    return result;
}

arca_result_t arca__process_arcad_launch(process_state *st)
{
    arca_result_t result = ARCA_OK, verdict = ARCA_OK;
    uint8_t request[ARCA__AW_REQUEST_MAX], body[ARCA__AW_LAUNCH_SIZE] = {0};
    uint8_t reply[ARCA__AW_HEADER + ARCA__AW_DETAIL_MAX + 1];
    int fds[ARCA__AW_MAX_FDS] = {-1, -1, -1};
    /* The order of arcad_wire.h: image, channel, control (the runner's end). */
    int give[3] = {st->child_fds[1], st->child_fds[2], st->child_fds[0]};
    size_t nfds = 0, len = 0;
    const uint8_t *payload = NULL;
    int fd = -1;
    ARCA_CHECK(connect_arcad(st->arcad_socket, &fd));
    size_t n = arca__aw_request(ARCA__AW_OP_LAUNCH, body, sizeof body, request);
    /* A refusal arcad sent before reading the request (too many connections) is queued
     * behind a reset: read it even when the send failed. */
    int send_errno = arca__fd_send(fd, request, n, give, 3) == 0 ? 0 : errno;
    ssize_t got = arca__fd_recv(fd, reply, sizeof reply, fds, ARCA__AW_MAX_FDS, &nfds);
    if (got < 0 && errno == ECONNRESET)
        got = arca__fd_recv(fd, reply, sizeof reply, fds, ARCA__AW_MAX_FDS, &nfds);
    if (got <= 0 && send_errno)
        ARCA_RAISE(ARCA_ERR_PLATFORM_UNAVAILABLE, "arcad closed the connection (%s)",
                   strerror(send_errno));
    if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        ARCA_RAISE(ARCA_ERR_TIMEOUT, "arcad did not answer LAUNCH within %d s", LAUNCH_TIMEOUT_S);
    if (got <= 0)
        ARCA_RAISE(ARCA_ERR_PLATFORM_UNAVAILABLE, "arcad closed the connection without a reply (%s)",
                   got < 0 ? strerror(errno) : "end of file");
    result = arca__aw_reply_parse(reply, (size_t)got, nfds, ARCA__AW_OP_LAUNCH, &verdict,
                                  &payload, &len);
    if (result != ARCA_OK)
        goto done;
    if (verdict != ARCA_OK)
        ARCA_RAISE(verdict, "arcad refused the enclave: %.*s", (int)len, (const char *)payload);
    st->pid = (pid_t)arca__get_le32(payload);
    /* The forwarder's sink and rate limit, as spawn.c sets them up (then the descriptor). */
    arca__runner_log_start(&st->log, (int)st->pid, NULL, NULL);
    st->log.fd = fds[0];
    fds[0] = -1;
    if (fcntl(st->log.fd, F_SETFL, O_NONBLOCK) != 0)
        ARCA_RAISE(ARCA_ERR_IO, "fcntl: %s", strerror(errno));
    {
        struct timeval none = {0, 0};
        (void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &none, sizeof none);
    }
    st->lease_fd = fd;
    fd = -1;
done:
    arca__fd_close_all(fds, ARCA__AW_MAX_FDS);
    if (fd >= 0)
        close(fd);
    return result;
}

int arca__process_arcad_event(process_state *st)
{
    uint8_t packet[ARCA__AW_HEADER + ARCA__AW_DETAIL_MAX + 1];
    int fds[ARCA__AW_MAX_FDS];
    size_t nfds = 0, len = 0;
    const uint8_t *body = NULL;
    arca_result_t verdict = ARCA_OK;
    ssize_t n = arca__fd_recv(st->lease_fd, packet, sizeof packet, fds, ARCA__AW_MAX_FDS, &nfds);
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return 0;
    arca__fd_close_all(fds, nfds);
    if (n > 0 && arca__aw_reply_parse(packet, (size_t)n, nfds, ARCA__AW_OP_EXITED, &verdict,
                                      &body, &len) == ARCA_OK && verdict == ARCA_OK) {
        st->exit_status = (int)arca__get_le32(body);
        st->have_exit_status = 1;
        return 1;
    }
    /* arcad is gone (or spoke out of turn): the runner may live on; the control socket says
     * when it ends. */
    close(st->lease_fd);
    st->lease_fd = -1;
    return -1;
}

void arca__process_arcad_kill(process_state *st)
{
    if (st->lease_fd >= 0) {
        uint8_t packet[ARCA__AW_HEADER];
        size_t n = arca__aw_request(ARCA__AW_OP_KILL, NULL, 0, packet);
        if (arca__fd_send(st->lease_fd, packet, n, NULL, 0) == 0)
            return;
    }
    /* No arcad to ask: a runner whose control socket closes exits by itself. */
    shutdown(st->control_fd, SHUT_RDWR);
}
