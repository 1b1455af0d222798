/*
 * fdpass.c — a packet with descriptors beside it (fdpass.h). The receiving side takes
 * whatever the peer sent as hostile: descriptors beyond what the caller expects, a cut control
 * message or a cut packet are closed and refused, never half-kept.
 * This file must never leave a received descriptor open on a failure path.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fdpass.h"

#define MAX_PASS 4

int arca__fd_send(int sock, const void *bytes, size_t len, const int *fds, size_t nfds)
{
    struct iovec iov = {.iov_base = (void *)bytes, .iov_len = len};
    union {
        char buf[CMSG_SPACE(MAX_PASS * sizeof(int))];
        struct cmsghdr align;
    } control;
    struct msghdr msg;
    ssize_t n;
    if (nfds > MAX_PASS) {
        errno = EINVAL;
        return -1;
    }
    memset(&msg, 0, sizeof msg);
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    if (nfds) {
        memset(&control, 0, sizeof control);
        msg.msg_control = control.buf;
        msg.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
        struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(nfds * sizeof(int));
        memcpy(CMSG_DATA(c), fds, nfds * sizeof(int));
    }
    do
        n = sendmsg(sock, &msg, MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        return -1;
    if ((size_t)n != len) {
        errno = EMSGSIZE;
        return -1;
    }
    return 0;
}

void arca__fd_close_all(int *fds, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (fds[i] >= 0)
            close(fds[i]);
        fds[i] = -1;
    }
}

ssize_t arca__fd_recv(int sock, void *buf, size_t cap, int *fds, size_t max_fds, size_t *nfds)
{
    struct iovec iov = {.iov_base = buf, .iov_len = cap};
    /* Room for more than we take, so that a sender's extra descriptors arrive (and are closed)
     * rather than being cut silently — the kernel closes those it cut, but says MSG_CTRUNC. */
    union {
        char buf[CMSG_SPACE(16 * sizeof(int))];
        struct cmsghdr align;
    } control;
    int got[16];
    size_t count = 0;
    int bad = 0;
    struct msghdr msg;
    ssize_t n;
    *nfds = 0;
    for (size_t i = 0; i < max_fds; i++)
        fds[i] = -1;
    memset(&msg, 0, sizeof msg);
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control.buf;
    msg.msg_controllen = sizeof control.buf;
    do
        n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        return -1;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
            c->cmsg_len >= CMSG_LEN(0)) {
            size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
            for (size_t i = 0; i < k; i++) {
                int fd;
                memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
                if (count < sizeof got / sizeof got[0])
                    got[count++] = fd;
                else
                    close(fd);
            }
        } else {
            bad = 1; /* credentials or another kind we never asked for */
        }
    }
    if (bad || count > max_fds || (msg.msg_flags & (MSG_CTRUNC | MSG_TRUNC))) {
        arca__fd_close_all(got, count);
        errno = EMSGSIZE;
        return -1;
    }
    memcpy(fds, got, count * sizeof(int));
    *nfds = count;
    return n;
}
