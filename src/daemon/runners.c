/*
 * runners.c — arcad's records of the runners it launched, so that a runner's platform
 * connection can be resumed after arcad restarted (platform_wire.h, RESUME).
 *
 * At BIND, arcad issues the runner a random 32-byte token and writes a record named by the
 * token's SHA-256 in <state>/runners/: the runner's pid and start time, the owner uid, the
 * identity it bound and its runtime digest. A runner whose connection broke connects to
 * <state>/runner.sock (reachable by arcad's uid only) and presents the token; arcad accepts it
 * only from a peer of its own uid whose pid and start time are the record's, and serves that
 * connection for that identity alone. A record whose process is gone is dropped (at exit when
 * arcad sees it, at start-up otherwise); a pid reused by another process fails the start-time
 * check. Until it binds, a runner has a pending record (pending-PID: pid, start time, owner):
 * a runner arcad started but that had not bound when arcad died can never bind (its platform
 * connection died with arcad), so the next arcad stops it instead of leaving it running,
 * counted against no quota, for as long as its host keeps it waiting for START.
 * A connection on the runner socket waits at most the idle time-out for its RESUME.
 * This file must never bind a connection to an identity without a record whose pid and start
 * time are the peer's, never signal a process whose start time is not its record's, and never
 * write a record anyone but arcad's uid can read.
 */
#define _GNU_SOURCE
#include <dirent.h>
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
#include <sys/time.h>
#include <unistd.h>

#include "base/error.h"
#include "base/hex.h"
#include "base/le.h"
#include "crypto/crypto.h"
#include "daemon.h"
#include "formats/platform_wire.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif

#define RECORD_MAGIC "ARCARUN1"
#define RECORD_SIZE (8u + 4u + 4u + 8u + ARCA__PW_IDENTITY_SIZE + 32u)
#define PENDING_MAGIC "ARCAPND1"
#define PENDING_SIZE (8u + 4u + 4u + 8u)
#define PENDING_PREFIX "pending-"
#define RECORDS_DIR "runners"

/* pid -> record name and owner, for forgetting a runner when it exits and for charging its
 * connections to its owner (server.c). */
typedef struct entry {
    pid_t pid;
    uint32_t owner;
    char name[65];
    struct entry *next;
} entry;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static entry *entries;
static int records_fd = -1;

/* The start time of @p pid (field 22 of /proc/PID/stat), or 0 if it is gone. */
static uint64_t start_time(pid_t pid)
{
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return 0;
    buf[n] = '\0';
    char *p = strrchr(buf, ')'); /* the command name may hold spaces and parentheses */
    if (!p)
        return 0;
    p++;
    /* fields 3.. follow; field 22 is the 20th after the ')' */
    for (int field = 3; field < 22 && p; field++)
        p = strchr(p + 1, ' ');
    return p ? strtoull(p + 1, NULL, 10) : 0;
}

static void name_of(const uint8_t token[ARCA__PW_TOKEN_SIZE], char name[65])
{
    uint8_t hash[32];
    if (arca__sha256(token, ARCA__PW_TOKEN_SIZE, hash) != ARCA_OK)
        memset(hash, 0, sizeof hash);
    arca__hex_encode(hash, sizeof hash, name);
}

static void remember(pid_t pid, uint32_t owner, const char *name)
{
    entry *e = calloc(1, sizeof *e);
    if (!e)
        return; /* the record stays until the next start-up's sweep */
    e->pid = pid;
    e->owner = owner;
    memcpy(e->name, name, strnlen(name, sizeof e->name - 1)); /* calloc'd: terminated */
    pthread_mutex_lock(&lock);
    e->next = entries;
    entries = e;
    pthread_mutex_unlock(&lock);
}

static void pending_name(pid_t pid, char name[32])
{
    snprintf(name, 32, PENDING_PREFIX "%d", (int)pid);
}

/* Drop the entry of @p pid (the one named @p name, if not NULL: a pid may be reused by a new
 * runner before the watcher of an adopted one that ended gets here) and its record. */
static void forget(pid_t pid, const char *name)
{
    pthread_mutex_lock(&lock);
    for (entry **pp = &entries; *pp; pp = &(*pp)->next) {
        if ((*pp)->pid == pid && (!name || !strcmp((*pp)->name, name))) {
            entry *e = *pp;
            *pp = e->next;
            (void)unlinkat(records_fd, e->name, 0);
            free(e);
            break;
        }
    }
    pthread_mutex_unlock(&lock);
}

void arcad_runner_forget(arcad *d, pid_t pid)
{
    char pending[32];
    (void)d;
    pending_name(pid, pending);
    (void)unlinkat(records_fd, pending, 0);
    forget(pid, NULL);
}

int arcad_runner_owner(pid_t pid, uint32_t *owner)
{
    int found = -1;
    pthread_mutex_lock(&lock);
    for (entry *e = entries; e; e = e->next)
        if (e->pid == pid) {
            *owner = e->owner;
            found = 0;
            break;
        }
    pthread_mutex_unlock(&lock);
    return found;
}

arca_result_t arcad_runner_pending(arcad *d, pid_t pid, uint32_t owner)
{
    arca_result_t result = ARCA_OK;
    uint8_t record[PENDING_SIZE];
    char name[32];
    int fd = -1;
    uint64_t started = start_time(pid);
    if (!started)
        ARCA_RAISE(ARCA_ERR_ENCLAVE_LOST, "arcad: runner %d is gone", (int)pid);
    memcpy(record, PENDING_MAGIC, 8);
    arca__put_le32(record + 8, (uint32_t)pid);
    arca__put_le32(record + 12, owner);
    arca__put_le64(record + 16, started);
    pending_name(pid, name);
    /* No fsync: it matters only while the runner lives, which no power loss outlasts. */
    fd = openat(records_fd, name, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0 || write(fd, record, sizeof record) != (ssize_t)sizeof record)
        ARCA_RAISE(ARCA_ERR_PLATFORM, "arcad: cannot write the runner record %s/%s/%s: %s",
                   d->config.state_dir, RECORDS_DIR, name, strerror(errno));
done:
    if (fd >= 0)
        close(fd);
    if (result != ARCA_OK)
        (void)unlinkat(records_fd, name, 0);
    return result;
}

arca_result_t arcad_runner_record(arcad *d, pid_t pid, uint32_t owner,
                                  const arca_identity_t *identity, const uint8_t digest[32],
                                  uint8_t token[ARCA__PW_TOKEN_SIZE])
{
    arca_result_t result = ARCA_OK;
    uint8_t record[RECORD_SIZE];
    char name[65], tmp[80];
    int fd = -1;
    (void)d;
    uint64_t started = start_time(pid);
    if (!started)
        ARCA_RAISE(ARCA_ERR_ENCLAVE_LOST, "arcad: runner %d is gone", (int)pid);
    ARCA_CHECK(arca__random(token, ARCA__PW_TOKEN_SIZE));
    name_of(token, name);
    memcpy(record, RECORD_MAGIC, 8);
    arca__put_le32(record + 8, (uint32_t)pid);
    arca__put_le32(record + 12, owner);
    arca__put_le64(record + 16, started);
    arca__pw_identity_put(identity, record + 24);
    memcpy(record + 24 + ARCA__PW_IDENTITY_SIZE, digest, 32);
    snprintf(tmp, sizeof tmp, ".%s.tmp", name);
    fd = openat(records_fd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0 || write(fd, record, sizeof record) != (ssize_t)sizeof record || fsync(fd) != 0)
        ARCA_RAISE(ARCA_ERR_PLATFORM, "arcad: cannot write the runner record %s/%s/%s: %s",
                   d->config.state_dir, RECORDS_DIR, tmp, strerror(errno));
    if (renameat(records_fd, tmp, records_fd, name) != 0)
        ARCA_RAISE(ARCA_ERR_PLATFORM, "arcad: cannot install the runner record: %s", strerror(errno));
    remember(pid, owner, name);
    {
        /* Bound: no longer pending (a start-up that finds both adopts it). */
        char pending[32];
        pending_name(pid, pending);
        (void)unlinkat(records_fd, pending, 0);
    }
done:
    if (fd >= 0)
        close(fd);
    if (result != ARCA_OK) {
        (void)unlinkat(records_fd, tmp, 0);
        arca__wipe(token, ARCA__PW_TOKEN_SIZE);
    }
    return result;
}

/* Read the record @p name; 0 on success. */
static int read_record(const char *name, pid_t *pid, uint32_t *owner, uint64_t *started,
                       arca_identity_t *identity, uint8_t digest[32])
{
    uint8_t record[RECORD_SIZE + 1];
    int fd = openat(records_fd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n = read(fd, record, sizeof record);
    close(fd);
    if (n != (ssize_t)RECORD_SIZE || memcmp(record, RECORD_MAGIC, 8) != 0)
        return -1;
    *pid = (pid_t)arca__get_le32(record + 8);
    *owner = arca__get_le32(record + 12);
    *started = arca__get_le64(record + 16);
    if (arca__pw_identity_get(record + 24, identity) != ARCA_OK)
        return -1;
    memcpy(digest, record + 24 + ARCA__PW_IDENTITY_SIZE, 32);
    return 0;
}

/* A runner launched by an earlier arcad: its live-enclave slot is given back when it exits. */
typedef struct adopted {
    arcad *d;
    pid_t pid;
    uint32_t owner;
    int pidfd;
    char name[65];
} adopted;

static void *watch_adopted(void *arg)
{
    adopted *a = arg;
    struct pollfd p = {a->pidfd, POLLIN, 0};
    while (poll(&p, 1, -1) < 0 && errno == EINTR)
        ;
    /* Not arcad's child: its pid may be someone's again already, so its own entry, by name. */
    forget(a->pid, a->name);
    arcad_enclave_give(a->owner);
    close(a->pidfd);
    free(a);
    return NULL;
}

/* A pending record at start-up: a runner that had not bound when the last arcad died. It can
 * never bind now, so if it still runs it is stopped (the pidfd pins the process whose start
 * time is checked); the record goes either way. Adopted runners (a record of their own) stay. */
static void sweep_pending(const char *name)
{
    uint8_t record[PENDING_SIZE + 1];
    uint32_t owner;
    int fd = openat(records_fd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    ssize_t n = fd >= 0 ? read(fd, record, sizeof record) : -1;
    if (fd >= 0)
        close(fd);
    if (n == (ssize_t)PENDING_SIZE && !memcmp(record, PENDING_MAGIC, 8)) {
        pid_t pid = (pid_t)arca__get_le32(record + 8);
        uint64_t started = arca__get_le64(record + 16);
        int pidfd = pid > 0 && arcad_runner_owner(pid, &owner) != 0
                        ? (int)syscall(SYS_pidfd_open, pid, 0)
                        : -1;
        if (pidfd >= 0 && start_time(pid) == started &&
            syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0) == 0)
            fprintf(stderr, "arcad: stopped runner %d, started before the last restart and never "
                            "bound to its enclave\n", (int)pid);
        if (pidfd >= 0)
            close(pidfd);
    }
    (void)unlinkat(records_fd, name, 0);
}

arca_result_t arcad_runners_init(arcad *d)
{
    arca_result_t result = ARCA_OK;
    DIR *dir = NULL;
    int dfd = open(d->config.state_dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (dfd < 0)
        ARCA_RAISE(ARCA_ERR_PLATFORM, "arcad: cannot open %s: %s", d->config.state_dir,
                   strerror(errno));
    if (mkdirat(dfd, RECORDS_DIR, 0700) != 0 && errno != EEXIST)
        ARCA_RAISE(ARCA_ERR_PLATFORM, "arcad: cannot create %s/%s: %s", d->config.state_dir,
                   RECORDS_DIR, strerror(errno));
    records_fd = openat(dfd, RECORDS_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    struct stat st;
    if (records_fd < 0 || fstat(records_fd, &st) != 0 || st.st_uid != geteuid() ||
        (st.st_mode & 077))
        ARCA_RAISE(ARCA_ERR_PERMISSION, "arcad: %s/%s must be a directory of uid %u with mode "
                   "0700", d->config.state_dir, RECORDS_DIR, (unsigned)geteuid());
    dir = fdopendir(dup(records_fd));
    if (!dir)
        ARCA_RAISE(ARCA_ERR_PLATFORM, "arcad: cannot list %s/%s", d->config.state_dir, RECORDS_DIR);
    for (struct dirent *de; (de = readdir(dir));) {
        pid_t pid;
        uint32_t owner;
        uint64_t started;
        arca_identity_t id;
        uint8_t digest[32];
        if (de->d_name[0] == '.') {
            if (strstr(de->d_name, ".tmp"))
                (void)unlinkat(records_fd, de->d_name, 0);
            continue;
        }
        if (!strncmp(de->d_name, PENDING_PREFIX, sizeof PENDING_PREFIX - 1))
            continue; /* below, once every bound runner is known */
        if (read_record(de->d_name, &pid, &owner, &started, &id, digest) != 0 ||
            start_time(pid) != started) {
            (void)unlinkat(records_fd, de->d_name, 0);
            continue;
        }
        adopted *a = calloc(1, sizeof *a);
        int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
        if (!a || pidfd < 0) {
            free(a);
            if (pidfd >= 0)
                close(pidfd);
            continue;
        }
        *a = (adopted){d, pid, owner, pidfd, ""};
        snprintf(a->name, sizeof a->name, "%.64s", de->d_name);
        remember(pid, owner, de->d_name);
        /* Counted even above its owner's quota (lowered meanwhile): it runs already, and its
         * end (the watcher) gives the slot back. */
        int counted = arcad_enclave_count(owner) == 0;
        if (arcad_spawn_thread(watch_adopted, a) != 0) {
            if (counted)
                arcad_enclave_give(owner);
            close(pidfd);
            free(a);
        }
    }
    rewinddir(dir);
    for (struct dirent *de; (de = readdir(dir));)
        if (!strncmp(de->d_name, PENDING_PREFIX, sizeof PENDING_PREFIX - 1))
            sweep_pending(de->d_name);
done:
    if (dir)
        closedir(dir);
    if (dfd >= 0)
        close(dfd);
    return result;
}

/* ---- the runner socket: RESUME ---- */

static arca_result_t resume_hook(void *ctx, const uint8_t token[ARCA__PW_TOKEN_SIZE],
                                 arca_identity_t *identity, uint8_t digest[32], uint32_t *owner)
{
    arca_result_t result = ARCA_OK;
    arcad_client *c = ctx;
    char name[65];
    pid_t pid;
    uint64_t started;
    name_of(token, name);
    if (read_record(name, &pid, owner, &started, identity, digest) != 0)
        ARCA_RAISE(ARCA_ERR_PERMISSION, "arcad: unknown resume token");
    if (pid != c->pid || start_time(pid) != started)
        ARCA_RAISE(ARCA_ERR_PERMISSION, "arcad: the resume token is not this process's");
    {
        /* Resumed: from now on the runner's platform connection, idle for as long as it likes. */
        struct timeval none = {0, 0};
        (void)setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &none, sizeof none);
    }
done:
    return result;
}

/* BIND on the runner socket: never. Any process of arcad's uid reaches this socket, enclave
 * code in a runner included; only what arcad launched and recorded may be served here. */
static arca_result_t refuse_bind(void *ctx, const arca_identity_t *identity,
                                 const uint8_t digest[32], uint8_t token[ARCA__PW_TOKEN_SIZE],
                                 int *has_token)
{
    (void)ctx;
    (void)identity;
    (void)digest;
    (void)token;
    (void)has_token;
    return arca__error(ARCA_ERR_PERMISSION, "arcad: the runner socket resumes connections only "
                       "(RESUME with a token); BIND happens on the connection arcad made");
}

void *arcad_runner_conn_main(void *arg)
{
    arcad_client *c = arg;
    arca__serve_hooks hooks = {.ctx = c, .bound = refuse_bind, .resume = resume_hook};
    struct timeval tv = {c->d->config.idle_ms / 1000, (c->d->config.idle_ms % 1000) * 1000};
    /* Only runners (arcad's own uid) get here: the socket's directory is arcad's, 0700. A
     * process of another uid that reached it anyway is refused. RESUME must come within the
     * idle time-out (enclave code can connect here too, and must not hold a thread). */
    (void)setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    if (c->uid == (uint32_t)geteuid())
        arca__platform_serve_with(c->d->ops, c->d->platform, c->fd, &hooks);
    arcad_conn_release(c);
    close(c->fd);
    free(c);
    return NULL;
}
