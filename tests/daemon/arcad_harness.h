/*
 * arcad_harness.h — the scene the arcad tests share (test_arcad.c and test_arcad_attack.c):
 * a scratch directory with copies of arcad, arca-runner, the hosts and the images that the
 * test's users can reach; arcad started under a uid of its own with RLIMIT_MEMLOCK raised;
 * host programs (commands on stdin, one-line answers) and helper children under uid 65534 or
 * 65533; processes found in /proc; and the clean-up that stops every process a group started,
 * and every arca-runner arcad led to (the test is the child subreaper). Included once by each
 * test (its functions are static inline and use test.h's counters, so each test has its own
 * copy of the scene); the including file defines _GNU_SOURCE first.
 * It must never signal a process the test did not start: it kills by pid, and by arcad's
 * private uid only.
 *
 * Divisions: the scene; processes in /proc; arcad; hosts; runners and clean-up; running as
 * another uid; raw clients; setting the scene up; running a group.
 */
#ifndef ARCA_TESTS_DAEMON_ARCAD_HARNESS_H
#define ARCA_TESTS_DAEMON_ARCAD_HARNESS_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/hex.h"
#include "test.h"

#define HOST_UID 65534
#define OTHER_UID 65533 /* a second host user (quotas are per uid) */
#define READY_MS 30000  /* arcad's start-up (ASan builds are slow) */
#define REPLY_MS 60000  /* one host command */
#define MAX_HOSTS 8
#define MEMLOCK (256u << 20)

/* ------------------------------------------------------------------ the scene */

static const char *group;        /* argv[1] */
static const char *harness_name; /* the test's name, in messages */
static char base[256], bin_dir[300], run_dir[300], sp_dir[300], state_dir[320], log_dir[300];
static char socket_path[108], runner_socket[400], home[2][300];
static char arcad_bin[400], runner_bin[400], image[400];
static uint8_t *image_bytes; /* the signed daemon_enclave image */
static size_t image_len;
static uid_t arcad_uid;

static inline int64_t now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static inline void sleep_ms(int ms)
{
    struct timespec t = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&t, &t) != 0 && errno == EINTR)
        ;
}

static inline int copy_file(const char *from, const char *to, mode_t mode)
{
    FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
    char buf[65536];
    size_t n;
    int ok = in && out;
    while (ok && (n = fread(buf, 1, sizeof buf, in)) > 0)
        ok = fwrite(buf, 1, n, out) == n;
    if (in)
        fclose(in);
    if (out && fclose(out) != 0)
        ok = 0;
    return ok && chmod(to, mode) == 0 ? 0 : -1;
}

static inline uint8_t *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf = NULL;
    long size;
    if (!f)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
        (buf = malloc((size_t)size + 1)) != NULL &&
        fread(buf, 1, (size_t)size, f) == (size_t)size) {
        *len = (size_t)size;
        buf[size] = 0;
    } else {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    return buf;
}

/* Drop to @p uid (and the same gid) for good. @return 0, or -1 with errno. */
static inline int drop_to(uid_t uid)
{
    if (setgroups(0, NULL) != 0 || setresgid(uid, uid, uid) != 0 || setresuid(uid, uid, uid) != 0)
        return -1;
    return 0;
}

static inline void to_hex(const uint8_t *b, size_t n, char *out)
{
    arca__hex_encode(b, n, out);
}

/* ------------------------------------------------------------------ processes in /proc */

typedef struct pinfo {
    pid_t ppid;
    uid_t uid;
    char state;
    char name[32];
} pinfo;

static inline int proc_info(pid_t pid, pinfo *p)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    memset(p, 0, sizeof *p);
    p->uid = (uid_t)-1;
    while (fgets(line, sizeof line, f)) {
        if (!strncmp(line, "Name:", 5))
            sscanf(line + 5, "%31s", p->name);
        else if (!strncmp(line, "State:", 6))
            sscanf(line + 6, " %c", &p->state);
        else if (!strncmp(line, "PPid:", 5))
            p->ppid = (pid_t)atoi(line + 5);
        else if (!strncmp(line, "Uid:", 4))
            p->uid = (uid_t)strtoul(line + 4, NULL, 10);
    }
    fclose(f);
    return 0;
}

/* Live (not zombie) processes matching @p ppid (0: any), @p name (NULL: any) and @p uid
 * ((uid_t)-1: any) into @p out; @return their number. */
static inline size_t find_procs(pid_t ppid, const char *name, uid_t uid, pid_t *out, size_t max)
{
    DIR *d = opendir("/proc");
    size_t n = 0;
    if (!d)
        return 0;
    for (struct dirent *de; (de = readdir(d));) {
        pinfo p;
        pid_t pid = (pid_t)atoi(de->d_name);
        if (pid <= 0 || proc_info(pid, &p) != 0 || p.state == 'Z')
            continue;
        if ((ppid && p.ppid != ppid) || (name && strcmp(p.name, name) != 0) ||
            (uid != (uid_t)-1 && p.uid != uid))
            continue;
        if (n < max)
            out[n] = pid;
        n++;
    }
    closedir(d);
    return n;
}

static inline int count_dir(const char *path)
{
    DIR *d = opendir(path);
    int n = 0;
    if (!d)
        return -1;
    for (struct dirent *de; (de = readdir(d));)
        if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
            n++;
    closedir(d);
    return n;
}

static inline int fd_count(pid_t pid)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/fd", (int)pid);
    return count_dir(path);
}

static inline int thread_count(pid_t pid)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/task", (int)pid);
    return count_dir(path);
}

/* ------------------------------------------------------------------ arcad */

static pid_t arcad_pid = -1;
static char arcad_opts[8][64];
static int arcad_nopts;
static rlim_t arcad_nofile; /* 0: inherited */

/* The options of the next starts (NULL-terminated list of words). */
static inline void arcad_options(const char *first, ...)
{
    va_list ap;
    arcad_nopts = 0;
    va_start(ap, first);
    for (const char *w = first; w && arcad_nopts < 8; w = va_arg(ap, const char *))
        snprintf(arcad_opts[arcad_nopts++], sizeof arcad_opts[0], "%s", w);
    va_end(ap);
}

static inline void show_log(const char *path, off_t from)
{
    size_t len = 0;
    uint8_t *text = read_all(path, &len);
    if (text && (size_t)from < len)
        fprintf(stderr, "---- %s ----\n%s---- end ----\n", path, (char *)text + from);
    free(text);
}

/*
 * Start an arcad on @p state and @p socket under arcad_uid, logging to @p log, and wait until
 * it listens (@return 0, *pid set) or exits (@return 1, *status set) or neither in time (-1).
 */
static inline int spawn_arcad(const char *state, const char *socket, const char *log,
                              pid_t *pid_out, int *status_out)
{
    struct stat st;
    char *argv[20];
    int argc = 0;
    off_t from = stat(log, &st) == 0 ? st.st_size : 0;
    int fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0)
        return -1;
    argv[argc++] = "arcad";
    argv[argc++] = "--state-dir";
    argv[argc++] = (char *)state;
    argv[argc++] = "--socket";
    argv[argc++] = (char *)socket;
    argv[argc++] = "--runner";
    argv[argc++] = runner_bin;
    for (int i = 0; i < arcad_nopts; i++)
        argv[argc++] = arcad_opts[i];
    argv[argc] = NULL;
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        struct rlimit lim = {MEMLOCK, MEMLOCK};
        int null = open("/dev/null", O_RDONLY);
        if (null < 0 || dup2(null, 0) < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
            _exit(127);
        /* Root may raise the limit (CAP_SYS_RESOURCE); without it, the hard limit is all. */
        if (setrlimit(RLIMIT_MEMLOCK, &lim) != 0 && getrlimit(RLIMIT_MEMLOCK, &lim) == 0) {
            lim.rlim_cur = lim.rlim_max;
            (void)setrlimit(RLIMIT_MEMLOCK, &lim);
        }
        if (arcad_nofile) {
            struct rlimit nofile = {arcad_nofile, arcad_nofile};
            if (setrlimit(RLIMIT_NOFILE, &nofile) != 0)
                _exit(127);
        }
        if (drop_to(arcad_uid) != 0) {
            perror("arcad: dropping privileges");
            _exit(127);
        }
        prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0); /* after setuid, which clears it */
        execv(arcad_bin, argv);
        perror(arcad_bin);
        _exit(127);
    }
    close(fd);
    if (pid < 0)
        return -1;
    for (int64_t end = now_ms() + READY_MS; now_ms() < end; sleep_ms(5)) {
        size_t len = 0;
        int status;
        uint8_t *text = read_all(log, &len);
        int ready = text && (size_t)from < len && strstr((char *)text + from, "listening on");
        free(text);
        if (ready) {
            *pid_out = pid;
            return 0;
        }
        if (waitpid(pid, &status, WNOHANG) == pid) {
            *status_out = status;
            return 1;
        }
    }
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    fprintf(stderr, "arcad did not start within %d ms\n", READY_MS);
    show_log(log, from);
    return -1;
}

static inline void arcad_log_path(char *path, size_t cap)
{
    snprintf(path, cap, "%s/arcad.log", log_dir);
}

/* Start arcad on state_dir and socket_path and wait until it listens. @return 0, or -1 (its
 * log shown). */
static inline int arcad_start(void)
{
    char log[400];
    struct stat st;
    int status = 0;
    arcad_log_path(log, sizeof log);
    off_t from = stat(log, &st) == 0 ? st.st_size : 0;
    int rc = spawn_arcad(state_dir, socket_path, log, &arcad_pid, &status);
    if (rc == 1) {
        fprintf(stderr, "arcad exited during start-up (status 0x%x)\n", status);
        show_log(log, from);
    }
    return rc == 0 ? 0 : -1;
}

static inline void arcad_kill9(void)
{
    if (arcad_pid > 0) {
        kill(arcad_pid, SIGKILL);
        while (waitpid(arcad_pid, NULL, 0) < 0 && errno == EINTR)
            ;
    }
    arcad_pid = -1;
}

/* SIGTERM, as systemd stops it: @return its wait status, or -1 if it did not stop in 10 s. */
static inline int arcad_stop(void)
{
    int status = -1;
    if (arcad_pid <= 0)
        return -1;
    kill(arcad_pid, SIGTERM);
    for (int64_t end = now_ms() + 10000; now_ms() < end; sleep_ms(10))
        if (waitpid(arcad_pid, &status, WNOHANG) == arcad_pid) {
            arcad_pid = -1;
            return status;
        }
    arcad_kill9();
    return -1;
}

/* SIGTERM, as systemd stops it: 1 when it exited 0 (under ASan: without a leak report). */
static inline int arcad_stop_clean(void)
{
    int status = arcad_stop();
    if (status < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        char log[400];
        fprintf(stderr, "arcad did not stop cleanly (status 0x%x)\n", status);
        arcad_log_path(log, sizeof log);
        show_log(log, 0);
        return 0;
    }
    return 1;
}

/* ------------------------------------------------------------------ hosts */

typedef struct host {
    pid_t pid;
    int in, out;
    char *buf; /* bytes read, not yet returned as lines */
    size_t len, cap;
    char *line; /* the last line returned */
    int index;
} host;

static host *hosts[MAX_HOSTS];

static inline void orphans_reap(void);

/* @p program (a host of this directory, driving @p img) under @p uid, in the home of that uid.
 * @return NULL after saying why. */
static inline host *host_start(uid_t uid, const char *program, const char *img)
{
    int in[2] = {-1, -1}, out[2] = {-1, -1}, slot = -1;
    char log[400];
    for (int i = 0; i < MAX_HOSTS; i++)
        if (!hosts[i]) {
            slot = i;
            break;
        }
    host *h = calloc(1, sizeof *h);
    if (slot < 0 || !h || pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0) {
        fprintf(stderr, "cannot start a host (slot %d)\n", slot);
        free(h);
        return NULL;
    }
    snprintf(log, sizeof log, "%s/host-%d.log", log_dir, slot);
    int fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    const char *dir = home[uid == HOST_UID ? 0 : 1];
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        if (fd < 0 || dup2(in[0], 0) < 0 || dup2(out[1], 1) < 0 || dup2(fd, 2) < 0)
            _exit(127);
        if (drop_to(uid) != 0 || chdir(dir) != 0) {
            perror("host: dropping privileges");
            _exit(127);
        }
        prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
        setenv("ARCA_PLATFORM", "arcad", 1);
        setenv("ARCA_ARCAD_SOCKET", socket_path, 1);
        setenv("HOME", dir, 1);
        unsetenv("ARCA_PLATFORM_DIR");
        unsetenv("ARCA_RUNNER");
        /* argv[0] a path: libarca's process backend wants arca-runner next to the program even
         * when arcad starts the runner (reported: its availability probe ignores the platform). */
        execl(program, program, img, (char *)NULL);
        perror(program);
        _exit(127);
    }
    if (fd >= 0)
        close(fd);
    close(in[0]);
    close(out[1]);
    h->pid = pid;
    h->in = in[1];
    h->out = out[0];
    h->index = slot;
    hosts[slot] = h;
    return h;
}

static inline void host_show_log(host *h)
{
    char log[400];
    snprintf(log, sizeof log, "%s/host-%d.log", log_dir, h->index);
    show_log(log, 0);
}

/* The next line from @p h within @p timeout_ms (NULL: none, or the host ended). With
 * @p timeout_ms 0, only a line already there or readable now. */
static inline const char *host_read_line(host *h, int timeout_ms)
{
    int64_t end = now_ms() + timeout_ms;
    for (;;) {
        char *nl = h->len ? memchr(h->buf, '\n', h->len) : NULL;
        if (nl) {
            size_t n = (size_t)(nl - h->buf);
            free(h->line);
            h->line = malloc(n + 1);
            if (!h->line)
                return NULL;
            memcpy(h->line, h->buf, n);
            h->line[n] = '\0';
            memmove(h->buf, nl + 1, h->len - n - 1);
            h->len -= n + 1;
            return h->line;
        }
        int64_t left = end - now_ms();
        struct pollfd p = {h->out, POLLIN, 0};
        if (h->out < 0 || poll(&p, 1, left > 0 ? (int)left : 0) <= 0)
            return NULL;
        if (h->cap - h->len < 65536) {
            char *grown = realloc(h->buf, h->cap + 65536);
            if (!grown)
                return NULL;
            h->buf = grown;
            h->cap += 65536;
        }
        ssize_t got = read(h->out, h->buf + h->len, h->cap - h->len);
        if (got <= 0) {
            close(h->out);
            h->out = -1;
            return NULL;
        }
        h->len += (size_t)got;
    }
}

static inline int host_send(host *h, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static inline int host_send(host *h, const char *fmt, ...)
{
    char *cmd = NULL;
    va_list ap;
    va_start(ap, fmt);
    int n = vasprintf(&cmd, fmt, ap);
    va_end(ap);
    if (n < 0)
        return -1;
    int rc = 0;
    for (size_t done = 0; done < (size_t)n && rc == 0;) {
        ssize_t w = write(h->in, cmd + done, (size_t)n - done);
        if (w <= 0)
            rc = -1;
        else
            done += (size_t)w;
    }
    if (rc == 0 && write(h->in, "\n", 1) != 1)
        rc = -1;
    free(cmd);
    return rc;
}

/* A command and its one-line answer ("" after saying why, if none came). */
static inline const char *host_cmd(host *h, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static inline const char *host_cmd(host *h, const char *fmt, ...)
{
    char *cmd = NULL;
    va_list ap;
    va_start(ap, fmt);
    int n = vasprintf(&cmd, fmt, ap);
    va_end(ap);
    const char *line = n >= 0 && host_send(h, "%s", cmd) == 0 ? host_read_line(h, REPLY_MS) : NULL;
    if (!line) {
        int status = 0;
        fprintf(stderr, "host %d gave no answer to '%.60s'\n", h->index, cmd ? cmd : "?");
        if (h->pid > 0 && waitpid(h->pid, &status, WNOHANG) == h->pid) {
            fprintf(stderr, "host %d ended: wait status 0x%x\n", h->index, status);
            h->pid = -1;
        }
        host_show_log(h);
        line = "";
    }
    free(cmd);
    return line;
}

static inline int starts(const char *s, const char *prefix)
{
    return s && !strncmp(s, prefix, strlen(prefix));
}

/* Assert a host command answered "ok" (its line then in the variable named by @p var). */
#define HOST_OK(var, h, ...)                                                                       \
    do {                                                                                           \
        var = host_cmd(h, __VA_ARGS__);                                                            \
        if (!starts(var, "ok"))                                                                    \
            TEST__FAIL("host %d: %s: expected ok, got \"%.300s\"", (h)->index, #__VA_ARGS__, var); \
    } while (0)

/* Assert a host command failed with the result named @p name. */
#define HOST_ERR(var, h, name, ...)                                                                \
    do {                                                                                           \
        var = host_cmd(h, __VA_ARGS__);                                                            \
        if (!starts(var, "error " name " "))                                                       \
            TEST__FAIL("host %d: %s: expected error %s, got \"%.300s\"", (h)->index, #__VA_ARGS__, \
                       name, var);                                                                 \
    } while (0)

/* quit, and wait for the host's exit: @return its exit code, or -1. */
static inline int host_quit(host *h)
{
    int status = 0;
    (void)host_send(h, "quit");
    close(h->in);
    h->in = -1;
    for (int64_t end = now_ms() + REPLY_MS; now_ms() < end; sleep_ms(5))
        if (waitpid(h->pid, &status, WNOHANG) == h->pid) {
            h->pid = -1;
            return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        }
    return -1;
}

static inline void host_free(host *h)
{
    if (!h)
        return;
    if (h->pid > 0) {
        kill(h->pid, SIGKILL);
        waitpid(h->pid, NULL, 0);
    }
    if (h->in >= 0)
        close(h->in);
    if (h->out >= 0)
        close(h->out);
    hosts[h->index] = NULL;
    free(h->buf);
    free(h->line);
    free(h);
}

/* ------------------------------------------------------------------ runners, clean-up */

static pid_t helper_pid = -1; /* a helper child of the test (helper_start), if one runs */

/* Runners orphaned by a killed arcad are our children (the subreaper): reap those that ended. */
static inline void orphans_reap(void)
{
    for (;;) {
        int status;
        siginfo_t info;
        memset(&info, 0, sizeof info);
        if (waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT) != 0 || info.si_pid == 0)
            return;
        int ours = info.si_pid == arcad_pid || info.si_pid == helper_pid;
        for (int i = 0; i < MAX_HOSTS; i++)
            ours |= hosts[i] && hosts[i]->pid == info.si_pid;
        if (ours)
            return; /* waited for where it is started */
        waitpid(info.si_pid, &status, 0);
    }
}

/* arca-runner processes of arcad's uid that are alive. */
static inline size_t runners_alive(pid_t *out, size_t max)
{
    orphans_reap();
    return find_procs(0, "arca-runner", arcad_uid, out, max);
}

/* Wait up to @p ms for the number of live runners to be @p want. @return the last count. */
static inline size_t runners_wait(size_t want, int ms)
{
    size_t n = 0;
    for (int64_t end = now_ms() + ms;; sleep_ms(10)) {
        pid_t pids[256];
        n = runners_alive(pids, 256);
        if (n == want || now_ms() >= end)
            return n;
    }
}

/* Stop everything this group started: hosts, the helper, arcad, and every process of arcad's
 * uid. */
static inline void stop_everything(void)
{
    for (int i = 0; i < MAX_HOSTS; i++)
        host_free(hosts[i]);
    if (helper_pid > 0) {
        kill(helper_pid, SIGKILL);
        waitpid(helper_pid, NULL, 0);
        helper_pid = -1;
    }
    arcad_kill9();
    for (int round = 0; round < 500; round++) {
        pid_t pids[256];
        size_t n = find_procs(0, NULL, arcad_uid, pids, 256);
        for (size_t i = 0; i < n && i < 256; i++)
            kill(pids[i], SIGKILL);
        orphans_reap();
        if (n == 0)
            break;
        sleep_ms(10);
    }
    while (waitpid(-1, NULL, WNOHANG) > 0)
        ;
}

/* ------------------------------------------------------------------ running as another uid */

/* Run @p fn in a child under @p uid; its asserts count there. @return the child's verdict:
 * 0 passed. */
static inline int run_as(uid_t uid, void (*fn)(void))
{
    int status = 0;
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        if (drop_to(uid) != 0) {
            perror("dropping privileges");
            _exit(2);
        }
        prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
        test__current_failed = 0;
        fn();
        fflush(NULL);
        _exit(test__current_failed ? 1 : 0);
    }
    if (pid < 0)
        return -1;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/*
 * A helper child under @p uid running @p fn(sock) in the background; the test talks to it over
 * the other end of a socket pair (returned; -1 on failure). Its verdict comes from
 * helper_finish().
 */
static inline int helper_start(uid_t uid, void (*fn)(int sock))
{
    int pair[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) != 0)
        return -1;
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        close(pair[0]);
        if (drop_to(uid) != 0) {
            perror("dropping privileges");
            _exit(2);
        }
        prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
        test__current_failed = 0;
        fn(pair[1]);
        fflush(NULL);
        _exit(test__current_failed ? 1 : 0);
    }
    close(pair[1]);
    if (pid < 0) {
        close(pair[0]);
        return -1;
    }
    helper_pid = pid;
    return pair[0];
}

/* @return the helper's verdict (0 passed), after closing @p sock. */
static inline int helper_finish(int sock)
{
    int status = 0;
    close(sock);
    if (helper_pid <= 0)
        return -1;
    while (waitpid(helper_pid, &status, 0) < 0 && errno == EINTR)
        ;
    helper_pid = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* One byte (or a word) between the test and a helper, with a time-out. */
static inline int sync_send(int sock, uint32_t word)
{
    return send(sock, &word, sizeof word, MSG_NOSIGNAL) == (ssize_t)sizeof word ? 0 : -1;
}

static inline int sync_recv(int sock, uint32_t *word, int ms)
{
    struct pollfd p = {sock, POLLIN, 0};
    if (poll(&p, 1, ms) != 1)
        return -1;
    return recv(sock, word, sizeof *word, 0) == (ssize_t)sizeof *word ? 0 : -1;
}

/* ------------------------------------------------------------------ raw clients */

/* A connection to the seqpacket socket @p path (@p flags: e.g. SOCK_NONBLOCK), with 10 s
 * send and receive time-outs. @return the descriptor, or -1 (errno set). */
static inline int raw_connect(const char *path, int flags)
{
    struct sockaddr_un addr;
    struct timeval tv = {10, 0};
    size_t len = strlen(path);
    if (len >= sizeof addr.sun_path) {
        errno = ENAMETOOLONG;
        return -1;
    }
    int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | flags, 0);
    memset(&addr, 0, sizeof addr);
    addr.sun_family = AF_UNIX;
    memcpy(addr.sun_path, path, len);
    if (fd < 0)
        return -1;
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    (void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    (void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    return fd;
}

/* A memfd holding @p len bytes, grown to @p size if larger, with @p seals (0: none). @return
 * it, or -1. */
static inline int sealed_memfd(const uint8_t *bytes, size_t len, size_t size, int seals)
{
    int fd = memfd_create("arcad-test", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (fd < 0)
        return -1;
    for (size_t done = 0; done < len;) {
        ssize_t w = write(fd, bytes + done, len - done);
        if (w <= 0) {
            close(fd);
            return -1;
        }
        done += (size_t)w;
    }
    if ((size > len && ftruncate(fd, (off_t)size) != 0) ||
        (seals && fcntl(fd, F_ADD_SEALS, seals) != 0)) {
        close(fd);
        return -1;
    }
    return fd;
}

/* The seals of an image arcad accepts. */
#define IMAGE_SEALS (F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL)

/* A channel as libarca makes one: 1 MiB, sealed against shrinking and growing. */
static inline int channel_memfd(void)
{
    int fd = memfd_create("arcad-test-channel", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (fd < 0 || ftruncate(fd, 1 << 20) != 0 ||
        fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW) != 0) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    return fd;
}

/* ------------------------------------------------------------------ the scene, set up */

/*
 * The scene of test @p name (messages) for group: arcad's uid @p uid_base + pid % 4000, the
 * directory /tmp/arca-<prefix>-<group>-XXXXXX with bin, run (arcad's), sp/state (arcad's), log
 * and a home for each host uid; SIGPIPE ignored, this process the child subreaper. @return 0,
 * or -1 after saying why.
 */
static inline int setup(const char *name, const char *prefix, unsigned uid_base)
{
    char path[600];
    harness_name = name;
    signal(SIGPIPE, SIG_IGN);
    if (geteuid() != 0) {
        fprintf(stderr,
                "%s: run as root (as CI does): the test runs arcad and its clients under users "
                "of its own choosing (uids %u.. and %d, %d), which only root can do\n",
                name, uid_base, HOST_UID, OTHER_UID);
        return -1;
    }
    arcad_uid = (uid_t)(uid_base + (unsigned)getpid() % 4000);
    snprintf(path, sizeof path, "%s-%s", prefix, group);
    if (!test_make_scratch_dir(base, sizeof base, path))
        return -1;
    snprintf(bin_dir, sizeof bin_dir, "%s/bin", base);
    snprintf(run_dir, sizeof run_dir, "%s/run", base);
    snprintf(sp_dir, sizeof sp_dir, "%s/sp", base);
    snprintf(state_dir, sizeof state_dir, "%s/state", sp_dir);
    snprintf(log_dir, sizeof log_dir, "%s/log", base);
    snprintf(home[0], sizeof home[0], "%s/home-%d", base, HOST_UID);
    snprintf(home[1], sizeof home[1], "%s/home-%d", base, OTHER_UID);
    if (strlen(run_dir) + sizeof "/arcad.sock" > sizeof socket_path) {
        fprintf(stderr, "%s: %s is too long for a socket path\n", name, run_dir);
        return -1;
    }
    memcpy(socket_path, run_dir, strlen(run_dir));
    memcpy(socket_path + strlen(run_dir), "/arcad.sock", sizeof "/arcad.sock");
    snprintf(runner_socket, sizeof runner_socket, "%s/runner.sock", state_dir);
    if (chmod(base, 0755) != 0 || mkdir(bin_dir, 0755) != 0 || mkdir(run_dir, 0755) != 0 ||
        mkdir(sp_dir, 0755) != 0 || mkdir(log_dir, 0755) != 0 || mkdir(home[0], 0700) != 0 ||
        mkdir(home[1], 0700) != 0 || chown(run_dir, arcad_uid, arcad_uid) != 0 ||
        chown(sp_dir, arcad_uid, arcad_uid) != 0 || chown(home[0], HOST_UID, HOST_UID) != 0 ||
        chown(home[1], OTHER_UID, OTHER_UID) != 0) {
        fprintf(stderr, "%s: preparing the directories: %s\n", name, strerror(errno));
        return -1;
    }
    /* Runners whose arcad was killed come back to this process, which reaps and stops them. */
    prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
    return 0;
}

/* Copy @p from to bin/@p name (its path into @p out). @return 0, or -1 after saying why. */
static inline int install(const char *from, const char *name, mode_t mode, char *out, size_t cap)
{
    snprintf(out, cap, "%s/%s", bin_dir, name);
    if (copy_file(from, out, mode) != 0) {
        fprintf(stderr, "%s: cannot copy %s to %s: %s\n", harness_name, from, out, strerror(errno));
        return -1;
    }
    return 0;
}

/* ------------------------------------------------------------------ running a group */

typedef struct harness_group {
    const char *name;
    void (*fn)(void);
} harness_group;

/* The group named by argv[1] among @p n @p groups (group set), when @p argc is @p want_argc;
 * NULL after printing the usage (@p usage: the arguments) or the unknown group's name. */
static inline void (*harness_pick(const harness_group *groups, size_t n, int argc, char **argv,
                                  int want_argc, const char *usage))(void)
{
    void (*fn)(void) = NULL;
    if (argc != want_argc) {
        fprintf(stderr, "usage: %s %s\n", argv[0], usage);
        return NULL;
    }
    group = argv[1];
    for (size_t i = 0; i < n; i++)
        if (!strcmp(groups[i].name, group))
            fn = groups[i].fn;
    if (!fn)
        fprintf(stderr, "%s: unknown group %s\n", argv[0], group);
    return fn;
}

/* Run @p fn (the group), stop everything, show arcad's log if anything failed. @return the
 * exit code of the test. */
static inline int harness_run(void (*fn)(void))
{
    int64_t t0 = now_ms();
    RUN(fn);
    stop_everything();
    fprintf(stderr, "%s %s: %lld ms\n", harness_name, group, (long long)(now_ms() - t0));
    if (test__failed) {
        char log[400];
        arcad_log_path(log, sizeof log);
        show_log(log, 0);
    }
    return TEST_SUMMARY();
}

/* After the group: stop everything (again, if the set-up failed half way) and remove the
 * directory. */
static inline void harness_end(void)
{
    stop_everything();
    free(image_bytes);
    image_bytes = NULL;
    if (base[0])
        test_remove_scratch_dir(base);
}

#endif /* ARCA_TESTS_DAEMON_ARCAD_HARNESS_H */
