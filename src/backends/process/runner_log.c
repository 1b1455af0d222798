/*
 * runner_log.c — what arca-runner writes to its stderr, on its way to the host's stderr. The
 * runner's fd 2 is a pipe (spawn.c); the monitor thread hands every byte it reads to this
 * forwarder, which splits lines and writes each one as `arca-runner[PID]: text`.
 *
 * The bytes are the enclave's (hostile): every byte outside printable ASCII, and the backslash,
 * becomes \xNN (so nothing drives the terminal and the text stays unambiguous); a line longer
 * than ARCA__PROCESS_LOG_LINE bytes is cut (" [cut]", the rest dropped up to its newline); after
 * a burst of ARCA__PROCESS_LOG_BURST lines at most ARCA__PROCESS_LOG_RATE lines a second are
 * written, and the dropped ones are counted in a line of their own ("arca-runner[PID] dropped
 * N lines", which no forwarded line can imitate). This file must never write a
 * byte of the runner's output unescaped, never write more than ARCA__PROCESS_LOG_OUT bytes for
 * one line, and never block on the host's stderr for long (the monitor must see the runner die).
 * fuzz/runner_log checks the first two on arbitrary input.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "process_internal.h"

_Static_assert(ARCA__PROCESS_LOG_OUT <= PIPE_BUF, "one forwarded line is one atomic pipe write");

/* The default sink: the host's stderr. A line is at most PIPE_BUF bytes, so once a pipe polls
 * writable the write does not block; a stderr nobody drains loses lines (after 200 ms) rather
 * than stalling the monitor. Nothing is retried on a broken stderr. */
static void to_stderr(void *ctx, const char *text, size_t len)
{
    struct pollfd p = {STDERR_FILENO, POLLOUT, 0};
    (void)ctx;
    if (poll(&p, 1, 200) != 1 || !(p.revents & POLLOUT))
        return;
    while (len > 0) {
        ssize_t n = write(STDERR_FILENO, text, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return;
        text += n;
        len -= (size_t)n;
    }
}

void arca__runner_log_start(process_log *log, int pid, arca__log_sink sink, void *sink_ctx)
{
    memset(log, 0, sizeof *log);
    log->fd = -1;
    log->pid = pid;
    log->sink = sink ? sink : to_stderr;
    log->sink_ctx = sink_ctx;
    log->tokens = (int64_t)ARCA__PROCESS_LOG_BURST * 1000;
}

/* Spend one line of the rate limit; 0 when the line must be dropped. */
static int allowed(process_log *log, int64_t now_ms)
{
    if (log->last_ms && now_ms > log->last_ms) {
        int64_t gained = (now_ms - log->last_ms) * ARCA__PROCESS_LOG_RATE;
        log->tokens = gained > (int64_t)ARCA__PROCESS_LOG_BURST * 1000 - log->tokens
                          ? (int64_t)ARCA__PROCESS_LOG_BURST * 1000
                          : log->tokens + gained;
    }
    if (!log->last_ms || now_ms > log->last_ms)
        log->last_ms = now_ms;
    if (log->tokens < 1000)
        return 0;
    log->tokens -= 1000;
    return 1;
}

/* Say how many lines the rate limit dropped, if any. */
static void report_dropped(process_log *log)
{
    char out[128];
    if (!log->dropped)
        return;
    /* Not "arca-runner[PID]: ...": no text of the runner can look like this line. */
    int n = snprintf(out, sizeof out,
                     "arca-runner[%d] dropped %llu lines (more than %d a second)\n", log->pid,
                     (unsigned long long)log->dropped, ARCA__PROCESS_LOG_RATE);
    if (n > 0 && (size_t)n < sizeof out)
        log->sink(log->sink_ctx, out, (size_t)n);
    log->dropped = 0;
}

/* The runner names why it ends on a line of its own: its SIGSYS handler the forbidden call
 * (src/runner/sandbox.c), its abort()/assert binding the cause (src/runner/main.c). Keep the
 * text (printable, cut) for the enclave's lost reason. Only a label for people: an enclave can
 * write such a line itself, and at worst misnames its own death. */
#define SECCOMP_LINE "arca-runner: seccomp: forbidden system call "
#define ENDED_LINE "arca-runner: enclave ended: "

static void keep_after(const process_log *log, const char *prefix, char *out, size_t cap)
{
    size_t skip = strlen(prefix), n = 0;
    if (log->len <= skip || memcmp(log->line, prefix, skip) != 0)
        return;
    for (size_t i = skip; i < log->len && n + 1 < cap; i++) {
        char c = log->line[i];
        out[n++] = c >= 0x20 && c < 0x7f ? c : '?';
    }
    out[n] = '\0';
}

static void note_seccomp(process_log *log)
{
    keep_after(log, SECCOMP_LINE, log->seccomp_call, sizeof log->seccomp_call);
    keep_after(log, ENDED_LINE, log->end_cause, sizeof log->end_cause);
}

/* Forward the collected line, escaped, with the runner's prefix (or count it as dropped). */
static void emit(process_log *log, int64_t now_ms)
{
    static const char hex[] = "0123456789abcdef";
    char out[ARCA__PROCESS_LOG_OUT];
    note_seccomp(log); /* even when the line itself is dropped by the rate limit */
    if (!allowed(log, now_ms)) {
        log->dropped++;
        goto done;
    }
    report_dropped(log);
    int prefix = snprintf(out, sizeof out, "arca-runner[%d]: ", log->pid);
    size_t n = prefix > 0 ? (size_t)prefix : 0;
    for (size_t i = 0; i < log->len; i++) {
        unsigned char c = (unsigned char)log->line[i];
        if (c < 0x20 || c >= 0x7f || c == '\\') {
            out[n++] = '\\';
            out[n++] = 'x';
            out[n++] = hex[c >> 4];
            out[n++] = hex[c & 15];
        } else {
            out[n++] = (char)c;
        }
    }
    if (log->cut) {
        memcpy(out + n, " [cut]", 6);
        n += 6;
    }
    out[n++] = '\n';
    log->sink(log->sink_ctx, out, n);
done:
    log->len = 0;
    log->cut = 0;
}

void arca__runner_log_take(process_log *log, const char *bytes, size_t len, int64_t now_ms)
{
    for (size_t i = 0; i < len; i++) {
        if (bytes[i] == '\n')
            emit(log, now_ms);
        else if (log->len < sizeof log->line)
            log->line[log->len++] = bytes[i];
        else
            log->cut = 1; /* the rest of an overlong line is dropped */
    }
}

void arca__runner_log_end(process_log *log, int64_t now_ms)
{
    if (log->len || log->cut)
        emit(log, now_ms); /* a last line without its newline */
    report_dropped(log);
}
