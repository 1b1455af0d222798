/*
 * reconnect.c — arca-runner launched by arcad ("--arcad PATH"): making its platform connection
 * again after arcad restarted. The loader's services (src/loader/services.c) call this hook
 * when the connection broke and arcad had issued a resume token; the new connection goes to
 * arcad's runner socket (inside arcad's state directory: reachable by arcad's uid only, which
 * is the runner's) and is moved onto fd 6, the one descriptor the seccomp filter lets the
 * runner read and write for its platform.
 * This file must never connect anywhere but the path arcad gave at launch, and never make a
 * system call the seccomp filter's reconnect rules do not name (sandbox.c).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "base/error.h"
#include "channel/channel.h"
#include "runner.h"

static struct sockaddr_un arcad_addr;
static int arcad_known;

arca_result_t arca__runner_set_arcad(const char *runner_socket)
{
    arca_result_t result = ARCA_OK;
    size_t len = strlen(runner_socket);
    if (len == 0 || len >= sizeof arcad_addr.sun_path || runner_socket[0] != '/')
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "arca-runner: --arcad needs an absolute socket path "
                   "of at most %zu bytes", sizeof arcad_addr.sun_path - 1);
    memset(&arcad_addr, 0, sizeof arcad_addr);
    arcad_addr.sun_family = AF_UNIX;
    memcpy(arcad_addr.sun_path, runner_socket, len);
    arcad_known = 1;
done:
    return result;
}

arca_result_t arca__runner_reconnect(void *ctx, int *fd_out)
{
    arca_result_t result = ARCA_OK;
    struct timeval tv = {10, 0}; /* as src/platform/connect.c: a stalled platform fails a request */
    int fd = -1;
    (void)ctx;
    if (!arcad_known)
        ARCA_RAISE(ARCA_ERR_PLATFORM, "arca-runner: no arcad to reconnect to");
    fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    if (fd < 0)
        ARCA_RAISE(ARCA_ERR_PLATFORM_UNAVAILABLE, "arca-runner: socket: %s", strerror(errno));
    /* The filter lets these act on descriptors above the platform's only. */
    if (fd <= ARCA__RUNNER_FD_PLATFORM)
        ARCA_RAISE(ARCA_ERR_PLATFORM_UNAVAILABLE, "arca-runner: unexpected descriptor %d", fd);
    /* The time-outs before connect: a connect to an arcad that does not accept (stopped, or
     * its backlog full) waits the send time-out at most, not for ever with the services' lock
     * held (every platform request of the enclave would hang behind it). */
    if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) != 0 ||
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) != 0)
        ARCA_RAISE(ARCA_ERR_PLATFORM_UNAVAILABLE, "arca-runner: setsockopt: %s", strerror(errno));
    if (connect(fd, (struct sockaddr *)&arcad_addr, sizeof arcad_addr) != 0)
        ARCA_RAISE(ARCA_ERR_PLATFORM_UNAVAILABLE, "arcad is not running (%s: %s)",
                   arcad_addr.sun_path, strerror(errno));
    if (dup3(fd, ARCA__RUNNER_FD_PLATFORM, O_CLOEXEC) != ARCA__RUNNER_FD_PLATFORM)
        ARCA_RAISE(ARCA_ERR_PLATFORM_UNAVAILABLE, "arca-runner: dup3: %s", strerror(errno));
    *fd_out = ARCA__RUNNER_FD_PLATFORM;
done:
    if (fd >= 0)
        close(fd);
    return result;
}
