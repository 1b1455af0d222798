/*
 * launch.c — LAUNCH: arcad verifies the image a host sent, starts arca-runner under arcad's
 * own uid from arcad's own runner path, serves the runner's platform connection itself, and
 * holds the host's connection as the enclave's lease.
 *
 * The host hands over three descriptors: the image (a sealed memfd, so the bytes arcad checks
 * are the bytes the runner loads), the call channel (shared memory the host keeps, so calls
 * cost what they cost on the process backend) and the runner's end of the control socket
 * (START/READY, as on the process backend). arcad adds what the host never touches: the
 * runner's platform connection (a socket pair whose other end a thread of arcad serves,
 * accepting BIND only for the identity arcad verified, and issuing the resume token), and the
 * runner's stderr pipe (the host gets its read end). The runner is not arcad's to keep alive
 * for a host that left: when the lease closes, or the host asks (KILL), it is killed; when it
 * exits, the host gets its wait status (EXITED).
 * Images are verified from a copy in arcad's memory (never a mapping of the host's memfd, whose
 * pages could fail to fault in and kill arcad with SIGBUS); the copies of all LAUNCHes at once
 * are bounded (VERIFY_BUDGET images of --max-image-size), so that hosts sending the same big
 * sparse memfd in many LAUNCHes cannot make arcad allocate one copy per LAUNCH.
 * This file must never start a runner for an image it did not verify, never start one from a
 * path a client named, never let a client descriptor reach the runner other than as fds 3..5,
 * and never leave a runner, a thread or a quota slot behind.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/error.h"
#include "base/fdpass.h"
#include "base/le.h"
#include "base/spawn_runner.h"
#include "channel/channel.h"
#include "crypto/crypto.h"
#include "daemon.h"
#include "formats/arcad_wire.h"
#include "formats/image.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

#define FD_IMAGE 0
#define FD_CHANNEL 1
#define FD_CONTROL 2

/* Images of --max-image-size in arcad's memory at once for verification, at most. */
#define VERIFY_BUDGET 2u

static pthread_mutex_t verify_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t verify_done = PTHREAD_COND_INITIALIZER;
static uint64_t verify_bytes; /* under verify_lock */

typedef struct launch {
    arcad_client *c;
    arca__image_info info; /* what arcad verified */
    pid_t pid;
    int pidfd; /* the runner's, from its start to the end of the lease */
    int serve_fd;          /* arcad's end of the runner's platform connection */
    pthread_t server;
    int serving;
    int released; /* the quota slot and the record were given back (before EXITED) */
} launch;

/* ---- checking what the host sent ---- */

static arca_result_t check_memfd(int fd, int seals_needed, const char *what, uint64_t max,
                                 uint64_t *size)
{
    arca_result_t result = ARCA_OK;
    struct stat st;
    int seals = fcntl(fd, F_GET_SEALS);
    if (seals < 0 || (seals & seals_needed) != seals_needed || fstat(fd, &st) != 0 ||
        !S_ISREG(st.st_mode))
        ARCA_RAISE(ARCA_ERR_BAD_FORMAT, "arcad: the %s descriptor is not a sealed memfd", what);
    if (st.st_size <= 0 || (uint64_t)st.st_size > max)
        ARCA_RAISE(ARCA_ERR_QUOTA, "arcad: the %s has %lld bytes; arcad takes 1 to %llu "
                   "(arcad --max-image-size)", what, (long long)st.st_size,
                   (unsigned long long)max);
    *size = (uint64_t)st.st_size;
done:
    return result;
}

static arca_result_t check_control(int fd)
{
    arca_result_t result = ARCA_OK;
    int type = 0, domain = 0;
    socklen_t len = sizeof type;
    if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) != 0 || type != SOCK_SEQPACKET)
        ARCA_RAISE(ARCA_ERR_BAD_FORMAT, "arcad: the control descriptor is not a SOCK_SEQPACKET socket");
    len = sizeof domain;
    if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) != 0 || domain != AF_UNIX)
        ARCA_RAISE(ARCA_ERR_BAD_FORMAT, "arcad: the control descriptor is not a Unix socket");
done:
    return result;
}

/* Read and verify the image: the bytes the runner will read from the same sealed memfd. */
static arca_result_t verify_image(launch *l, int fd)
{
    arca_result_t result = ARCA_OK;
    uint64_t size = 0, budget = VERIFY_BUDGET * l->c->d->config.max_image;
    uint8_t *bytes = NULL;
    int counted = 0;
    ARCA_CHECK(check_memfd(fd, F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW, "image",
                           l->c->d->config.max_image, &size));
    /* Wait for room in the budget (size <= max_image, so one image always fits). */
    pthread_mutex_lock(&verify_lock);
    while (verify_bytes + size > budget)
        pthread_cond_wait(&verify_done, &verify_lock);
    verify_bytes += size;
    pthread_mutex_unlock(&verify_lock);
    counted = 1;
    bytes = malloc((size_t)size);
    if (!bytes)
        ARCA_RAISE(ARCA_ERR_OUT_OF_MEMORY, "arcad: out of memory for a %llu-byte image",
                   (unsigned long long)size);
    for (size_t done_bytes = 0; done_bytes < size;) {
        ssize_t n = pread(fd, bytes + done_bytes, (size_t)size - done_bytes, (off_t)done_bytes);
        if (n <= 0)
            ARCA_RAISE(ARCA_ERR_IO, "arcad: cannot read the image: %s",
                       n < 0 ? strerror(errno) : "short");
        done_bytes += (size_t)n;
    }
    result = arca__image_verify(bytes, (size_t)size, &l->info);
    if (result != ARCA_OK)
        ARCA_RAISE(result, "arcad refused the image: %s", arca__error_detail());
    if (l->info.config.threads == 0 || l->info.config.threads > ARCA_MAX_THREADS)
        ARCA_RAISE(ARCA_ERR_CONFIG, "arcad: the image asks for %u threads (1..%u)",
                   l->info.config.threads, ARCA_MAX_THREADS);
done:
    free(bytes);
    if (counted) {
        pthread_mutex_lock(&verify_lock);
        verify_bytes -= size;
        pthread_cond_broadcast(&verify_done);
        pthread_mutex_unlock(&verify_lock);
    }
    return result;
}

/* ---- the runner's platform connection ---- */

/* BIND: only the identity arcad verified, on the process backend; then the resume record. */
static arca_result_t bound_hook(void *ctx, const arca_identity_t *id, const uint8_t digest[32],
                                uint8_t token[ARCA__PW_TOKEN_SIZE], int *has_token)
{
    arca_result_t result = ARCA_OK;
    launch *l = ctx;
    const arca_identity_t *want = &l->info.identity;
    if (memcmp(id->measurement, want->measurement, 32) != 0 ||
        memcmp(id->signer_id, want->signer_id, 32) != 0 || id->product_id != want->product_id ||
        id->svn != want->svn || id->attributes != want->attributes ||
        id->backend != ARCA_BACKEND_ID_PROCESS)
        ARCA_RAISE(ARCA_ERR_PERMISSION, "arcad: the runner bound another identity than the "
                   "image arcad verified");
    ARCA_CHECK(arcad_runner_record(l->c->d, l->pid, l->c->uid, id, digest, token));
    *has_token = 1;
done:
    return result;
}

static void *serve_main(void *arg)
{
    launch *l = arg;
    arca__serve_hooks hooks = {.ctx = l, .owner_uid = l->c->uid, .bound = bound_hook};
    arca__platform_serve_with(l->c->d->ops, l->c->d->platform, l->serve_fd, &hooks);
    return NULL;
}

/* ---- spawning ---- */

static arca_result_t spawn_runner(launch *l, int fds[3], int platform_fd, int log_fd)
{
    arcad *d = l->c->d;
    const int give[ARCA__RUNNER_SPAWN_FDS] = {fds[FD_CONTROL], fds[FD_IMAGE], fds[FD_CHANNEL],
                                              platform_fd, log_fd};
    char *argv[] = {"arca-runner", "--arcad", d->config.runner_socket, NULL};
    /* Its own process group: a signal to arcad's group (a terminal's ^C) is not the runner's. */
    arca_result_t r = arca__spawn_runner(d->config.runner_path, argv, give, 1, &l->pid);
    if (r != ARCA_OK)
        arca__error(r, "arcad: %s", arca__error_detail());
    return r;
}

/* ---- the lease ---- */

static void send_exited(int fd, int status)
{
    uint8_t body[ARCA__AW_EXITED_SIZE], packet[ARCA__AW_HEADER + ARCA__AW_EXITED_SIZE];
    arca__put_le32(body, (uint32_t)status);
    arca__put_le32(body + 4, 0);
    (void)arca__fd_send(fd, packet,
                        arca__aw_reply(ARCA__AW_OP_EXITED, ARCA_OK, body, sizeof body, packet),
                        NULL, 0);
}

/* Until the runner exits: KILL or the client's end kill it; its status goes to the client. */
static void hold_lease(launch *l)
{
    int fd = l->c->fd, status = 0;
    int client_gone = 0;
    struct timeval none = {0, 0};
    (void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &none, sizeof none);
    for (;;) {
        struct pollfd p[2] = {{l->pidfd, POLLIN, 0}, {client_gone ? -1 : fd, POLLIN, 0}};
        if (poll(p, 2, -1) < 0)
            continue;
        if (p[0].revents & POLLIN)
            break;
        if (p[1].revents & (POLLIN | POLLHUP | POLLERR)) {
            uint8_t packet[ARCA__AW_REQUEST_MAX + 1];
            int fds[ARCA__AW_MAX_FDS];
            size_t nfds = 0;
            uint16_t op = 0;
            const uint8_t *body;
            size_t len;
            ssize_t n = arca__fd_recv(fd, packet, sizeof packet, fds, ARCA__AW_MAX_FDS, &nfds);
            arca__fd_close_all(fds, nfds);
            if (n > 0 && arca__aw_request_parse(packet, (size_t)n, nfds, &op, &body, &len) ==
                             ARCA_OK && op == ARCA__AW_OP_KILL) {
                kill(l->pid, SIGKILL); /* not reaped yet: the pid is still the runner's */
                continue;
            }
            if (n > 0) {
                /* Anything else on a lease is a broken protocol: the runner goes with it. */
                arca__error(ARCA_ERR_BAD_FORMAT, "arcad: only KILL may follow LAUNCH");
                arcad_reply_error(fd, op, ARCA_ERR_BAD_FORMAT);
            }
            client_gone = 1;
            kill(l->pid, SIGKILL);
        }
    }
    /* The records go while the runner is a zombie, before it is reaped: its pid cannot be
     * another runner's yet, whose records would go instead. */
    arcad_runner_forget(l->c->d, l->pid);
    while (waitpid(l->pid, &status, 0) < 0 && errno == EINTR)
        ;
    /* The slot goes before the host hears of the end: a create it makes next must find the
     * slot free (with a quota of N, N enclaves one after another as well). */
    arcad_enclave_give(l->c->uid);
    arcad_conn_release(l->c);
    l->released = 1;
    if (!client_gone)
        send_exited(fd, status);
}

void arcad_launch(arcad_client *c, int fds[3])
{
    arca_result_t result = ARCA_OK;
    launch l;
    int platform[2] = {-1, -1}, log_pipe[2] = {-1, -1}, slot = 0;
    uint64_t channel_size = 0;
    memset(&l, 0, sizeof l);
    l.c = c;
    l.serve_fd = -1;
    l.pid = -1;
    l.pidfd = -1;
    ARCA_CHECK(arcad_enclave_take(c->d, c->uid));
    slot = 1;
    ARCA_CHECK(verify_image(&l, fds[FD_IMAGE]));
    ARCA_CHECK(check_memfd(fds[FD_CHANNEL], F_SEAL_SHRINK | F_SEAL_GROW, "channel", UINT64_MAX,
                           &channel_size));
    ARCA_CHECK(check_control(fds[FD_CONTROL]));
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, platform) != 0 ||
        pipe2(log_pipe, O_CLOEXEC) != 0)
        ARCA_RAISE(ARCA_ERR_IO, "arcad: cannot create the runner's sockets: %s", strerror(errno));
    ARCA_CHECK(spawn_runner(&l, fds, platform[1], log_pipe[1]));
    /* The lease needs the runner's pidfd, and a restart of arcad before BIND its pending
     * record: without either, the runner goes now. */
    l.pidfd = (int)syscall(SYS_pidfd_open, l.pid, 0);
    if (l.pidfd < 0)
        result = arca__error(ARCA_ERR_IO, "arcad: cannot watch the runner (pidfd_open: %s)",
                             strerror(errno));
    else
        result = arcad_runner_pending(c->d, l.pid, c->uid);
    if (result != ARCA_OK) {
        kill(l.pid, SIGKILL);
        arcad_runner_forget(c->d, l.pid);
        waitpid(l.pid, NULL, 0);
        l.pid = -1;
        goto done;
    }
    close(platform[1]);
    platform[1] = -1;
    close(log_pipe[1]);
    log_pipe[1] = -1;
    arca__fd_close_all(fds, 3); /* the runner holds them now; the host keeps its own */
    l.serve_fd = platform[0];
    platform[0] = -1;
    if (pthread_create(&l.server, NULL, serve_main, &l) != 0) {
        kill(l.pid, SIGKILL);
        arcad_runner_forget(c->d, l.pid);
        waitpid(l.pid, NULL, 0);
        l.pid = -1;
        ARCA_RAISE(ARCA_ERR_OUT_OF_MEMORY, "arcad: cannot start the platform thread");
    }
    l.serving = 1;
    {
        uint8_t body[ARCA__AW_LAUNCHED_SIZE], packet[ARCA__AW_HEADER + ARCA__AW_LAUNCHED_SIZE];
        arca__put_le32(body, (uint32_t)l.pid);
        arca__put_le32(body + 4, 0);
        if (arca__fd_send(c->fd, packet,
                          arca__aw_reply(ARCA__AW_OP_LAUNCH, ARCA_OK, body, sizeof body, packet),
                          &log_pipe[0], 1) != 0)
            kill(l.pid, SIGKILL); /* the host is gone already */
        close(log_pipe[0]);
        log_pipe[0] = -1;
    }
    hold_lease(&l);
done:
    if (result != ARCA_OK)
        arcad_reply_error(c->fd, ARCA__AW_OP_LAUNCH, result);
    if (l.serving) {
        shutdown(l.serve_fd, SHUT_RDWR); /* the runner is gone: end the serving loop */
        pthread_join(l.server, NULL);
    }
    if (l.pid > 0 && !l.released)
        arcad_runner_forget(c->d, l.pid);
    if (l.pidfd >= 0)
        close(l.pidfd);
    if (l.serve_fd >= 0)
        close(l.serve_fd);
    for (int i = 0; i < 2; i++) {
        if (platform[i] >= 0)
            close(platform[i]);
        if (log_pipe[i] >= 0)
            close(log_pipe[i]);
    }
    arca__fd_close_all(fds, 3);
    if (slot && !l.released)
        arcad_enclave_give(c->uid);
}
