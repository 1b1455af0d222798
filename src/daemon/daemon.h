/*
 * daemon.h — what the rooms of arcad share: its configuration, the open platform, the
 * per-uid book of live enclaves (quotas), and the entry points of each room:
 *   main.c     arguments, the state directory, the lock, signals, the two listening sockets
 *   server.c   accepting clients (SO_PEERCRED) and runners, one bounded thread per connection
 *   client.c   one host's connection: its first request (LAUNCH or INFO), bad input refused
 *   launch.c   verifying the image, starting arca-runner under arcad's uid, the lease
 *   runners.c  the records of launched runners: resume tokens that outlive a restart
 * Internal header.
 */
#ifndef ARCA_DAEMON_H
#define ARCA_DAEMON_H

#include <limits.h>
#include <stdint.h>
#include <sys/types.h>

#include "arca/identity.h"
#include "arca/result.h"
#include "platform/platform.h"

#define ARCAD_DEFAULT_SOCKET "/run/arca/arcad.sock"
#define ARCAD_DEFAULT_STATE_DIR "/var/lib/arcad/state"
#define ARCAD_RUNNER_SOCKET "runner.sock" /* in the state directory: arcad's uid only */
#define ARCAD_DEFAULT_ENCLAVES_PER_UID 64u
#define ARCAD_DEFAULT_COUNTERS_PER_UID 1024u
#define ARCAD_DEFAULT_MAX_IMAGE (256u * 1024u * 1024u)
#define ARCAD_DEFAULT_IDLE_MS 10000
#define ARCAD_MAX_CONNECTIONS 1024u
/* Stack of each connection thread (server.c). */
#define ARCAD_THREAD_STACK (256u * 1024u)

typedef struct arcad_config {
    char state_dir[PATH_MAX];
    char socket_path[108];
    char runner_socket[108];
    char runner_path[PATH_MAX];
    uint32_t enclaves_per_uid;
    uint32_t counters_per_uid;
    uint64_t max_image;
    int idle_ms;
} arcad_config;

typedef struct arcad {
    arcad_config config;
    const struct arca_platform_ops *ops;
    arca__platform *platform;
    uint8_t *root_der; /* the root certificate of the platform chain, for INFO */
    size_t root_len;
    uint8_t platform_id[32];
    struct arca__counter_store *counters; /* for INFO's counts; NULL if not open */
    int listen_fd, runner_listen_fd;
} arcad;

/* ---- the book of live enclaves and connections (server.c) ---- */

/** Take one live-enclave slot of @p uid; ARCA_ERR_QUOTA (with a message) when it has none. */
arca_result_t arcad_enclave_take(arcad *d, uint32_t uid) __attribute__((warn_unused_result));
/** Count a live enclave of @p uid whatever its quota (a runner adopted after a restart runs
 *  already; its slot is given back when it ends). @return 0, or -1 out of memory. */
int arcad_enclave_count(uint32_t uid);
void arcad_enclave_give(uint32_t uid);
uint32_t arcad_enclaves_of(uint32_t uid);

/** Run @p fn(arg) on a detached thread counted against ARCAD_MAX_CONNECTIONS; -1 if full. */
int arcad_spawn_thread(void *(*fn)(void *), void *arg);

/** Accept clients and runners until a stop signal (main.c sets arcad_stopping). */
void arcad_serve(arcad *d);
extern volatile int arcad_stopping;

/* ---- one client (client.c) ---- */

typedef struct arcad_client {
    arcad *d;
    int fd;
    uint32_t uid; /* SO_PEERCRED */
    pid_t pid;
    int conn_held;     /* counts against conn_uid's connections (server.c) */
    uint32_t conn_uid; /* whose connections: the peer's uid, or, for a runner arcad launched
                        * (which runs as arcad's uid), the uid of the user it runs for */
} arcad_client;

/** Give the client's connection slot back (idempotent): when its enclave ended, before the
 *  host hears so, and at the latest when the connection closes. */
void arcad_conn_release(arcad_client *c);

/** Serve one host connection and free @p c (a thread's body). */
void *arcad_client_main(void *c);

/* Send an error reply naming why (this thread's error detail), then close nothing. */
void arcad_reply_error(int fd, uint16_t op, arca_result_t r);

/* ---- launching (launch.c) ---- */

/**
 * LAUNCH for @p c with the descriptors @p fds (image, channel, control; taken over: closed
 * here): verify, spawn the runner, reply, then hold the lease until the runner exits or the
 * client goes. Returns when the lease is over.
 */
void arcad_launch(arcad_client *c, int fds[3]);

/* ---- runners' records and resume (runners.c) ---- */

/** Create the records directory and drop records of runners that are gone; count the live
 *  ones against their owners. */
arca_result_t arcad_runners_init(arcad *d) __attribute__((warn_unused_result));

/** A record for the runner @p pid of @p owner, bound to @p identity: writes it and returns the
 *  token (32 bytes) that resumes it. */
arca_result_t arcad_runner_record(arcad *d, pid_t pid, uint32_t owner,
                                  const arca_identity_t *identity, const uint8_t digest[32],
                                  uint8_t token[ARCA__PW_TOKEN_SIZE])
    __attribute__((warn_unused_result));

/** A runner just started for @p owner, not bound yet: a record that lets the next arcad stop
 *  it if this one dies before the runner binds (it could never bind then). */
arca_result_t arcad_runner_pending(arcad *d, pid_t pid, uint32_t owner)
    __attribute__((warn_unused_result));

/** The runner @p pid is gone, or about to be reaped: drop its records (if any). */
void arcad_runner_forget(arcad *d, pid_t pid);

/** The user a recorded runner runs for: 0 and *owner, or -1 if @p pid is no recorded runner. */
int arcad_runner_owner(pid_t pid, uint32_t *owner);

/** Serve one connection on the runner socket (a thread's body; arg: arcad_client). */
void *arcad_runner_conn_main(void *c);

#endif
