/*
 * arcad_info.c — a host asking arcad about itself (arca_arcad_info, include/arca/platform.h):
 * one INFO request on arcad's socket (src/formats/arcad_wire.h), the reply parsed as hostile
 * input, the root certificate handed back as PEM so a verifier can pin it without reading
 * arcad's state directory. Also which platform a host would use here (arca_platform_default).
 * This file must never send arcad anything but INFO, and never return a certificate it did
 * not parse.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "arca/platform.h"
#include "base/error.h"
#include "base/fdpass.h"
#include "base/le.h"
#include "crypto/crypto.h"
#include "crypto/crypto_x509.h"
#include "formats/arcad_wire.h"
#include "platform.h"

#define INFO_TIMEOUT_S 10

const char *arca_platform_default(void)
{
    int daemon = 0;
    char socket_path[108];
    const char *spec = "dev";
    if (arca__platform_choose(NULL, NULL, 1, &daemon, socket_path, sizeof socket_path, &spec) !=
        ARCA_OK)
        return "dev";
    return daemon ? "arcad" : spec;
}

arca_result_t arca_arcad_info(const char *socket_path, arca_arcad_info_t *out)
{
    arca_result_t result = ARCA_OK, verdict = ARCA_OK;
    struct sockaddr_un addr;
    struct timeval tv = {INFO_TIMEOUT_S, 0};
    uint8_t request[ARCA__AW_HEADER], *reply = NULL;
    const uint8_t *body = NULL;
    size_t len = 0, nfds = 0, der_len = 0;
    int fds[ARCA__AW_MAX_FDS], fd = -1;
    arca__aw_info info;
    arca__cert *cert = NULL;
    char *pem = NULL;
    size_t pem_len = 0;

    arca__error_clear();
    if (!out)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "arca_arcad_info: out is NULL");
    memset(out, 0, sizeof *out);
    if (!socket_path || !socket_path[0])
        socket_path = getenv("ARCA_ARCAD_SOCKET");
    if (!socket_path || !socket_path[0])
        socket_path = ARCA_ARCAD_DEFAULT_SOCKET;
    memset(&addr, 0, sizeof addr);
    addr.sun_family = AF_UNIX;
    if (strlen(socket_path) >= sizeof addr.sun_path)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "the arcad socket path is longer than %zu bytes",
                   sizeof addr.sun_path - 1);
    memcpy(addr.sun_path, socket_path, strlen(socket_path));
    snprintf(out->socket, sizeof out->socket, "%s", socket_path);
    fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    if (fd < 0)
        ARCA_RAISE(ARCA_ERR_IO, "socket: %s", strerror(errno));
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0)
        ARCA_RAISE(ARCA_ERR_PLATFORM_UNAVAILABLE, "arcad is not running at %s (%s)", socket_path,
                   strerror(errno));
    (void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    (void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    size_t n = arca__aw_request(ARCA__AW_OP_INFO, NULL, 0, request);
    int send_errno = arca__fd_send(fd, request, n, NULL, 0) == 0 ? 0 : errno;
    reply = malloc(ARCA__AW_REPLY_MAX + 1);
    if (!reply)
        ARCA_RAISE(ARCA_ERR_OUT_OF_MEMORY, "out of memory");
    /* A refusal sent before arcad read the request is queued behind a reset: read it. */
    ssize_t got = arca__fd_recv(fd, reply, ARCA__AW_REPLY_MAX + 1, fds, ARCA__AW_MAX_FDS, &nfds);
    if (got < 0 && errno == ECONNRESET)
        got = arca__fd_recv(fd, reply, ARCA__AW_REPLY_MAX + 1, fds, ARCA__AW_MAX_FDS, &nfds);
    if (got <= 0 && send_errno)
        ARCA_RAISE(ARCA_ERR_PLATFORM_UNAVAILABLE, "arcad closed the connection (%s)",
                   strerror(send_errno));
    if (got <= 0)
        ARCA_RAISE(ARCA_ERR_PLATFORM_UNAVAILABLE, "arcad gave no answer (%s)",
                   got < 0 ? strerror(errno) : "end of file");
    arca__fd_close_all(fds, nfds);
    ARCA_CHECK(arca__aw_reply_parse(reply, (size_t)got, nfds, ARCA__AW_OP_INFO, &verdict, &body,
                                    &len));
    if (verdict != ARCA_OK)
        ARCA_RAISE(verdict, "arcad refused: %.*s", (int)len, (const char *)body);
    ARCA_CHECK(arca__aw_info_get(body, &info));
    der_len = arca__get_le32(body + ARCA__AW_INFO_FIXED);
    if (arca__cert_parse_der(body + ARCA__AW_INFO_FIXED + 4, der_len, "arcad's root certificate",
                             &cert) != ARCA_OK)
        ARCA_RAISE(ARCA_ERR_BAD_HOST_REPLY, "arcad sent a root certificate that does not parse");
    ARCA_CHECK(arca__cert_to_pem(cert, &pem, &pem_len));
    ARCA_CHECK(arca__sha256(body + ARCA__AW_INFO_FIXED + 4, der_len, out->root_sha256));
    out->uid = info.uid;
    out->enclaves = info.enclaves;
    out->enclave_quota = info.enclave_quota;
    out->counters = info.counters;
    out->counter_quota = info.counter_quota;
    out->max_image = info.max_image;
    memcpy(out->platform_id, info.platform_id, 32);
    out->root_pem = pem;
    pem = NULL;
done:
    free(pem);
    arca__cert_free(cert);
    free(reply);
    if (fd >= 0)
        close(fd);
    return result;
}
