/*
 * spawn.c — the process backend's life support for arca-runner: find the binary, start it
 * with an empty environment and exactly the fds it needs (3 control socket, 4 image memfd,
 * 5 channel memfd; 0 and 1 on /dev/null; 2 a pipe the monitor reads), watch it, forward its
 * stderr, and reap it.
 *
 * One monitor thread per enclave spawns the runner and then lives exactly as long as it:
 * PR_SET_PDEATHSIG fires when the *thread* that forked the child exits, so spawning from
 * the monitor (not from whichever application thread called create) ties the runner's
 * life to the enclave's. When the runner dies for any reason the monitor marks the enclave
 * lost and wakes every waiting call, so no call ever blocks on a dead enclave. A runner that
 * broke the channel protocol is killed by the monitor too (arca__process_kill), never by
 * the calling thread, so a pid is only ever signalled before the monitor reaped it.
 * The runner's stderr is a pipe, never the host's own descriptor (which the enclave could map
 * or seek, were it a file): the monitor reads it and hands the bytes to runner_log.c, which
 * writes each line to the host's stderr escaped, prefixed, cut and rate-limited.
 * With the arcad platform the monitor does not start the runner: via_arcad.c asks arcad to,
 * and the monitor watches the control socket and arcad's lease instead of a child; kill and
 * exit status go through arcad.
 * This file must never leak a host fd into the runner, never leave a zombie, never signal a
 * pid it has already reaped, and never write a byte of the runner's output unescaped.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/error.h"
#include "base/spawn_runner.h"
#include "process_internal.h"

#ifndef ARCA_INSTALL_BINDIR
#define ARCA_INSTALL_BINDIR "/usr/local/bin"
#endif
#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

/* ---- finding the runner ---- */

static int set_path(char *out, size_t cap, const char *a, const char *b)
{
    int n = snprintf(out, cap, "%s%s", a, b);
    return n > 0 && (size_t)n < cap;
}

arca_result_t arca__process_runner_path(const char *setting, char *out, size_t cap)
{
    arca_result_t result = ARCA_OK;
    const char *env = getenv("ARCA_RUNNER");
    Dl_info dl;

    if (setting && setting[0]) {
        if (!set_path(out, cap, setting, ""))
            ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "the setting process.runner is too long");
    } else if (env && env[0]) {
        if (!set_path(out, cap, env, ""))
            ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "$ARCA_RUNNER is too long");
    } else {
        out[0] = '\0';
        /* Next to libarca: <prefix>/lib/libarca.so -> <prefix>/bin/arca-runner. */
        if (dladdr((const void *)&arca__process_backend, &dl) && dl.dli_fname &&
            strchr(dl.dli_fname, '/')) {
            char dir[PATH_MAX];
            snprintf(dir, sizeof dir, "%s", dl.dli_fname);
            *strrchr(dir, '/') = '\0';
            if (set_path(out, cap, dir, "/../bin/arca-runner") && access(out, X_OK) != 0)
                out[0] = '\0';
        }
        if (!out[0] && !set_path(out, cap, ARCA_INSTALL_BINDIR, "/arca-runner"))
            ARCA_RAISE(ARCA_ERR_INTERNAL, "install path too long");
    }
    if (access(out, X_OK) != 0)
        ARCA_RAISE(ARCA_ERR_BACKEND_UNAVAILABLE,
                   "arca-runner not found or not executable at %s (%s); install Arca, set "
                   "$ARCA_RUNNER, or the setting process.runner=PATH",
                   out, strerror(errno));
done:
    return result;
}

/* ---- spawning ---- */

static arca_result_t spawn_runner(process_state *st)
{
    arca_result_t result = ARCA_OK;
    int log_pipe[2] = {-1, -1};
    char *argv[] = {"arca-runner", NULL};

    /* The runner's stderr: a pipe whose read end only the monitor holds (non-blocking, so a
     * copy of the write end kept alive elsewhere never stalls it). */
    if (pipe2(log_pipe, O_CLOEXEC) != 0 || fcntl(log_pipe[0], F_SETFL, O_NONBLOCK) != 0)
        ARCA_RAISE(ARCA_ERR_IO, "process backend: cannot create the runner's stderr pipe: %s",
                   strerror(errno));
    const int give[ARCA__RUNNER_SPAWN_FDS] = {st->child_fds[0], st->child_fds[1],
                                              st->child_fds[2], st->child_fds[3], log_pipe[1]};
    ARCA_CHECK(arca__spawn_runner(st->runner_path, argv, give, 0, &st->pid));
    arca__runner_log_start(&st->log, (int)st->pid, NULL, NULL);
    st->log.fd = log_pipe[0];
    log_pipe[0] = -1;
done:
    for (int i = 0; i < 2; i++)
        if (log_pipe[i] >= 0)
            close(log_pipe[i]);
    return result;
}

/* ---- watching ---- */

void arca__process_mark_lost(process_state *st, const char *reason)
{
    int expected = 0;
    if (!__atomic_compare_exchange_n(&st->lost, &expected, 2, 0, __ATOMIC_ACQ_REL,
                                     __ATOMIC_ACQUIRE))
        return;
    snprintf(st->lost_reason, sizeof st->lost_reason, "%s", reason);
    __atomic_store_n(&st->lost, 1, __ATOMIC_RELEASE);
    /* The runner is dead: nobody else writes the slots now. Wake every waiter. */
    for (uint32_t i = 0; i < st->layout.slot_count; i++) {
        struct arca__slot *slot = arca__channel_slot(st->channel, &st->layout, i);
        __atomic_store_n(&slot->state, ARCA__SLOT_LOST, __ATOMIC_SEQ_CST);
        arca__channel_wake_all(slot);
    }
}

static void describe_exit(int status, const process_log *log, char *buf, size_t cap)
{
    const char *seccomp_call = log->seccomp_call;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 3 /* ARCA__RUNNER_EXIT_ENDED */ &&
        log->end_cause[0]) {
        snprintf(buf, cap, "%.*s", (int)(cap ? cap - 1 : 0), log->end_cause);
        return;
    }
    if (WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS && seccomp_call[0])
        snprintf(buf, cap, "arca-runner was killed by seccomp: the enclave made a forbidden "
                 "system call, %s", seccomp_call);
    else if (WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS)
        snprintf(buf, cap, "arca-runner was killed by seccomp (a forbidden system call)");
    else if (WIFSIGNALED(status))
        snprintf(buf, cap, "arca-runner was killed by signal %d (%s)", WTERMSIG(status),
                 strsignal(WTERMSIG(status)));
    else if (WIFEXITED(status))
        snprintf(buf, cap, "arca-runner exited with status %d", WEXITSTATUS(status));
    else
        snprintf(buf, cap, "arca-runner is gone");
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait up to timeout_ms for the runner to exit; 1 if it did (not yet reaped). */
static int wait_exit(process_state *st, int pidfd, int timeout_ms)
{
    int64_t end = now_ms() + timeout_ms;
    for (;;) {
        siginfo_t info;
        memset(&info, 0, sizeof info);
        int rc = waitid(P_PID, (id_t)st->pid, &info, WEXITED | WNOHANG | WNOWAIT);
        if (rc == 0 && info.si_pid)
            return 1;
        if (rc < 0 && errno == ECHILD)
            return 1; /* someone else reaped it */
        int64_t left = end - now_ms();
        if (left <= 0)
            return 0;
        if (pidfd >= 0) {
            struct pollfd p = {pidfd, POLLIN, 0};
            (void)poll(&p, 1, (int)(left < 50 ? left : 50));
        } else {
            struct timespec ts = {0, 10 * 1000 * 1000};
            nanosleep(&ts, NULL);
        }
    }
}

/* ---- the runner's stderr (the forwarder itself is runner_log.c) ---- */

/* Forward what the runner's stderr holds now; at EOF (or with `final`) flush and close it. */
static void log_forward(process_state *st, int final)
{
    char buf[4096];
    int eof = 0;
    if (st->log.fd < 0)
        return;
    /* Bounded: at most 64 KiB per wake, so a chatty runner cannot keep the monitor from
     * noticing its death; the rest waits for the next poll. */
    for (int round = 0; round < 16; round++) {
        ssize_t n = read(st->log.fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            eof = n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK);
            break;
        }
        arca__runner_log_take(&st->log, buf, (size_t)n, now_ms());
    }
    if (eof || final) {
        arca__runner_log_end(&st->log, now_ms());
        close(st->log.fd);
        st->log.fd = -1;
    }
}

/* Launched by arcad: wait up to timeout_ms for the EXITED status (1), or 0. */
static int arcad_wait_exit(process_state *st, int timeout_ms)
{
    int64_t end = now_ms() + timeout_ms;
    while (!st->have_exit_status && st->lease_fd >= 0) {
        int64_t left = end - now_ms();
        if (left <= 0)
            return 0;
        struct pollfd p = {st->lease_fd, POLLIN, 0};
        if (poll(&p, 1, (int)left) > 0)
            (void)arca__process_arcad_event(st);
    }
    return st->have_exit_status;
}

static void *monitor_main(void *arg)
{
    process_state *st = arg;
    sigset_t all;
    int pidfd = -1, stopping = 0, status = 0;
    int64_t deadline = -1;
    char reason[sizeof ((process_state *)0)->lost_reason];

    /* Application signals are for application threads. */
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, NULL);

    const int by_arcad = st->arcad_socket[0] != '\0';
    arca_result_t r = by_arcad ? arca__process_arcad_launch(st) : spawn_runner(st);
    pthread_mutex_lock(&st->lock);
    st->spawn_result = r;
    if (r != ARCA_OK)
        snprintf(st->spawn_detail, sizeof st->spawn_detail, "%s", arca__error_detail());
    st->spawn_done = 1;
    pthread_cond_broadcast(&st->cond);
    pthread_mutex_unlock(&st->lock);
    if (r != ARCA_OK)
        return NULL;

    if (!by_arcad)
        pidfd = (int)syscall(SYS_pidfd_open, st->pid, 0);
    for (;;) {
        struct pollfd fds[5] = {
            {pidfd, POLLIN, 0},
            {st->control_fd, 0, 0}, /* HUP/ERR only: create() reads READY itself */
            {st->wake_fd[0], POLLIN, 0},
            {st->log.fd, POLLIN, 0}, /* ignored by poll once closed (-1) */
            {st->lease_fd, POLLIN, 0}, /* arcad's EXITED (by_arcad only; else -1) */
        };
        int timeout = -1;
        if (deadline >= 0) {
            int64_t left = deadline - now_ms();
            timeout = left > 0 ? (int)left : 0;
        }
        int n = poll(fds, 5, timeout);
        if (n < 0 && errno != EINTR)
            break;
        if (fds[3].revents & (POLLIN | POLLHUP | POLLERR))
            log_forward(st, 0);
        if ((fds[4].revents & (POLLIN | POLLHUP | POLLERR)) && arca__process_arcad_event(st) == 1)
            break; /* arcad reaped it; or arcad is gone and the control socket watches on */
        if ((fds[0].revents & POLLIN) || (fds[1].revents & (POLLHUP | POLLERR)))
            break; /* the runner died (or closed its end, which it does only by dying) */
        if (fds[2].revents & POLLIN) {
            char c = 0;
            if (read(st->wake_fd[0], &c, 1) == 1 && c == 'f') {
                deadline = now_ms() + ARCA__PROCESS_FINI_TIMEOUT_MS;
            } else if (c == 'k') {
                /* broke the protocol; the pidfd (or arcad's EXITED) reports the death */
                if (by_arcad)
                    arca__process_arcad_kill(st);
                else
                    kill(st->pid, SIGKILL);
            } else {
                stopping = 1;
                break;
            }
        }
        if (deadline >= 0 && now_ms() >= deadline) {
            /* fini hung: not reaped yet, so the pid is still ours (or arcad's to kill) */
            if (by_arcad)
                arca__process_arcad_kill(st);
            else
                kill(st->pid, SIGKILL);
            deadline = -1;
        }
    }
    if (stopping) {
        /* Orderly: the runner exits on EOF of its control socket. */
        arca__process_mark_lost(st, "the enclave was destroyed");
        shutdown(st->control_fd, SHUT_RDWR);
        if (by_arcad) {
            if (!arcad_wait_exit(st, ARCA__PROCESS_EXIT_TIMEOUT_MS)) {
                arca__process_arcad_kill(st);
                (void)arcad_wait_exit(st, ARCA__PROCESS_EXIT_TIMEOUT_MS);
            }
        } else if (!wait_exit(st, pidfd, ARCA__PROCESS_EXIT_TIMEOUT_MS)) {
            kill(st->pid, SIGKILL);
        }
    }
    /* Its last words, before the enclave is declared lost (the pipe holds all of them once
     * the runner is dead; non-blocking, so an inherited copy of the write end cannot stall). */
    for (int i = 0; i < 4 && st->log.fd >= 0; i++)
        log_forward(st, 0);
    log_forward(st, 1);
    if (by_arcad) {
        /* arcad reaps it and reports the status; without arcad there is none to have. */
        if (arcad_wait_exit(st, 1000))
            describe_exit(st->exit_status, &st->log, reason, sizeof reason);
        else
            snprintf(reason, sizeof reason, "arca-runner is gone (its exit status was arcad's, "
                     "which is not running)");
    } else {
        /* Reap (blocks only until the kernel finished the exit). */
        int rc;
        do
            rc = waitpid(st->pid, &status, 0);
        while (rc < 0 && errno == EINTR);
        if (rc == st->pid)
            describe_exit(status, &st->log, reason, sizeof reason);
        else
            snprintf(reason, sizeof reason, "arca-runner is gone (reaped elsewhere)");
    }
    arca__process_mark_lost(st, reason);
    if (pidfd >= 0)
        close(pidfd);
    return NULL;
}

arca_result_t arca__process_spawn(process_state *st)
{
    arca_result_t result = ARCA_OK;
    if (pthread_create(&st->monitor, NULL, monitor_main, st) != 0)
        ARCA_RAISE(ARCA_ERR_OUT_OF_MEMORY, "process backend: cannot create the monitor thread");
    st->monitor_started = 1;
    pthread_mutex_lock(&st->lock);
    while (!st->spawn_done)
        pthread_cond_wait(&st->cond, &st->lock);
    pthread_mutex_unlock(&st->lock);
    if (st->spawn_result != ARCA_OK)
        ARCA_RAISE(st->spawn_result, "%s", st->spawn_detail);
done:
    return result;
}

void arca__process_fini_started(process_state *st)
{
    (void)!write(st->wake_fd[1], "f", 1);
}

void arca__process_kill(process_state *st, const char *reason)
{
    arca__process_mark_lost(st, reason);
    (void)!write(st->wake_fd[1], "k", 1);
}

void arca__process_stop(process_state *st)
{
    if (!st->monitor_started)
        return;
    (void)!write(st->wake_fd[1], "s", 1);
    pthread_join(st->monitor, NULL);
    st->monitor_started = 0;
}
