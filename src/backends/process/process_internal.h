/*
 * process_internal.h — the host side of the process backend, shared by process.c (the
 * ops: probe, create, call, destroy) and spawn.c (finding, starting, watching and reaping
 * arca-runner). Internal header.
 */
#ifndef ARCA_BACKENDS_PROCESS_INTERNAL_H
#define ARCA_BACKENDS_PROCESS_INTERNAL_H

#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/types.h>

#include "channel/channel.h"
#include "formats/image.h"
#include "host/backend.h"

/* How long destroy lets the enclave's fini hook run before the runner is killed. */
#define ARCA__PROCESS_FINI_TIMEOUT_MS 10000
/* How long the runner may take to exit after its control socket closed. */
#define ARCA__PROCESS_EXIT_TIMEOUT_MS 2000
/* How long create waits for the runner's READY (verification + hardening). */
#define ARCA__PROCESS_READY_TIMEOUT_MS 30000
/* How long a payload transfer may make no progress before the runner is judged hostile, killed
 * and the enclave lost: ARCA__STREAM_STALL_NS (5 s), or $ARCA_PROCESS_STALL_TIMEOUT_MS (read
 * once per process) within these bounds. Too short, and a runner that is merely descheduled
 * on a loaded machine is killed; too long, and a stalling runner holds the call that long. */
#define ARCA__PROCESS_STALL_ENV "ARCA_PROCESS_STALL_TIMEOUT_MS"
#define ARCA__PROCESS_STALL_MIN_MS 100
#define ARCA__PROCESS_STALL_MAX_MS 600000

/* The runner's stderr, as the monitor forwards it to the host's: bytes per line (longer lines
 * are cut), and at most LOG_RATE lines per second after a burst of LOG_BURST. */
#define ARCA__PROCESS_LOG_LINE 400
#define ARCA__PROCESS_LOG_BURST 200
#define ARCA__PROCESS_LOG_RATE 50
/* The longest text one forwarded line can become: prefix, every byte as \xNN, " [cut]", '\n'. */
#define ARCA__PROCESS_LOG_OUT (64 + 4 * ARCA__PROCESS_LOG_LINE + 16)

/* Where forwarded lines go: the host's stderr (runner_log.c), or a fuzz target's check. */
typedef void (*arca__log_sink)(void *ctx, const char *text, size_t len);

/* The forwarder of the runner's stderr (runner_log.c; the monitor thread only). */
typedef struct process_log {
    int fd;                              /* read end, non-blocking; -1 once closed (spawn.c) */
    int pid;                             /* the runner's, for the prefix */
    arca__log_sink sink;
    void *sink_ctx;
    char line[ARCA__PROCESS_LOG_LINE];   /* the line being collected */
    size_t len;
    int cut;                             /* the current line was longer: rest dropped */
    int64_t tokens;                      /* rate limit: lines x 1000 available */
    int64_t last_ms;                     /* when tokens were last refilled (0: never) */
    uint64_t dropped;                    /* lines dropped by the rate limit, not yet reported */
    char seccomp_call[48];               /* "NAME (NR)" from the runner's SIGSYS line, or "" */
    char end_cause[200];                 /* why the enclave ended (abort, assert), or "" */
} process_log;

/** Start forwarding for runner @p pid into @p sink (NULL: the host's stderr); fd is untouched. */
void arca__runner_log_start(process_log *log, int pid, arca__log_sink sink, void *sink_ctx);
/** Take @p len bytes the runner wrote, at monotonic time @p now_ms: each complete line is
 * forwarded, escaped and prefixed, or counted as dropped by the rate limit. */
void arca__runner_log_take(process_log *log, const char *bytes, size_t len, int64_t now_ms);
/** The runner is gone: forward a last line without its newline, and the count of dropped ones. */
void arca__runner_log_end(process_log *log, int64_t now_ms);

/* A host-private buffer that grows to the largest request seen (no allocation per call). */
typedef struct process_buffer {
    uint8_t *bytes;
    size_t cap;
} process_buffer;

typedef struct process_state {
    arca__backend_base base; /* first member */
    arca__channel_layout layout;
    void *channel; /* the shared mapping */
    uint64_t spin_ns;
    uint64_t stall_ns; /* the stalled-transfer timeout (ARCA__PROCESS_STALL_ENV), fixed at create */
    int control_fd; /* host end of the control socket */
    int wake_fd[2]; /* pipe: destroy -> monitor ('f' fini started, 's' stop) */
    pid_t pid;
    int lost;                      /* __atomic: runner gone (2: reason being written, 1: set) */
    char caveats[240];             /* READY's caveats: why protections are reduced ("" none) */
    char lost_reason[256];         /* complete once lost is 1 (release); read it only then */
    process_buffer ocall_in[ARCA_MAX_THREADS];
    process_buffer ocall_out[ARCA_MAX_THREADS];

    /* spawn hand-off between create() and the monitor thread */
    pthread_t monitor;
    int monitor_started;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int sync_ready;
    int spawn_done;
    arca_result_t spawn_result;
    char spawn_detail[256];
    char runner_path[PATH_MAX];
    int child_fds[4]; /* control (runner end), image, channel, platform: become fds 3..6 */
    process_log log;  /* the runner's stderr (a pipe: becomes its fd 2) */

    /* Launched by arcad (via_arcad.c) when arcad_socket is set: no child of ours. */
    char arcad_socket[108];
    int lease_fd;         /* the connection to arcad that holds the runner; -1 once gone */
    int exit_status;      /* the runner's wait status from arcad's EXITED */
    int have_exit_status;
} process_state;

/** Ask arcad to start the runner (fds of child_fds); sets pid, log.fd and lease_fd. */
arca_result_t arca__process_arcad_launch(process_state *st);
/** Read one message of the lease: 1 the runner exited (exit_status set), 0 nothing, -1 arcad
 *  is gone (lease_fd closed). */
int arca__process_arcad_event(process_state *st);
/** Have the runner killed: KILL to arcad, or without arcad, close the control socket. */
void arca__process_arcad_kill(process_state *st);

/** Resolve the runner: @p setting (process.runner), $ARCA_RUNNER, next to libarca, install dir. */
arca_result_t arca__process_runner_path(const char *setting, char *out, size_t cap);

/** Start the monitor thread, which spawns the runner and then watches it. Waits for the spawn. */
arca_result_t arca__process_spawn(process_state *st);

/** Tell the monitor that fini starts (it kills the runner if fini outlasts the timeout). */
void arca__process_fini_started(process_state *st);

/** Stop the runner (close its control socket, kill after a grace period), reap, join. */
void arca__process_stop(process_state *st);

/** Mark the enclave lost (once) with a reason, and wake every waiter. */
void arca__process_mark_lost(process_state *st, const char *reason);

/** The runner broke the protocol: mark the enclave lost with @p reason and have the monitor
 * (the only thread that reaps it, so the pid is still the runner's) SIGKILL the runner. */
void arca__process_kill(process_state *st, const char *reason);

#endif
