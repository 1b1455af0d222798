/*
 * test_arcad_attack.c — attacks on arcad, the platform daemon, by a local user without
 * privileges (uid 65534), by enclave code that user signs and launches (it runs as arcad's uid
 * inside arca-runner's sandbox), and by hosts that act around arcad's restarts. Each group is
 * one finding of the security review of issue 14; it fails on the code before its fix. The
 * scene is test_arcad.c's: arcad under a uid of its own (53000 + pid % 4000, a range
 * test_arcad.c does not use), hosts and raw clients under 65534 and 65533, every process
 * stopped whatever happens (the test is the child subreaper of runners a killed arcad leaves).
 *
 * Groups (argv[1]; one ctest entry each):
 *   runner_socket  enclave code of uid 65534 opens many connections to arcad's runner socket
 *                  (the reconnect rules of the runner's seccomp filter let it) right after a
 *                  restart of arcad: they are charged to uid 65534, not to arcad's own uid,
 *                  and time out before RESUME, so another user's enclave still resumes its
 *                  platform connection (its counter increments) and arcad keeps none of them.
 *   refusal        a user over its connection quota floods arcad with connections that send
 *                  nothing: each is refused without waiting for it, so another user's INFO is
 *                  answered at once (arcad's accept loop used to spend 50 ms on each).
 *   image_memory   one sparse, sealed 64 MiB memfd sent in 24 LAUNCHes at once: arcad's peak
 *                  memory grows by at most a few images' worth, not by 24 copies.
 *   restart        a runner launched but not yet bound (the host never sends START) when arcad
 *                  is killed is stopped by the next arcad, not left running uncounted; runners
 *                  adopted after a restart count against their user's quota even above it.
 *   emfile         arcad at its descriptor limit (RLIMIT_NOFILE 48) with idle clients: it does
 *                  not spin on accept(), and serves again once they are gone.
 *   takeover       a second arcad (another state directory) given the socket a running arcad
 *                  listens on refuses to start instead of taking the socket over; a stale socket
 *                  (arcad killed) is replaced.
 *   stuck          after a restart, an arcad that accepts nothing (stopped, its runner socket's
 *                  backlog full): an enclave's platform request fails with
 *                  ARCA_ERR_PLATFORM_UNAVAILABLE after the reconnect's time-out instead of
 *                  hanging for ever, and is served once arcad goes on.
 * Started by another user than root, the test fails and says why.
 * This test must never leave a process it started running (nor its directory), and never
 * signal a process it did not start: it kills by pid, and by arcad's private uid only.
 * argv: GROUP ARCAD RUNNER DAEMON_HOST ATTACK_HOST IMAGE ATTACK_IMAGE
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "arca/host.h"
#include "base/fdpass.h"
#include "base/hex.h"
#include "base/le.h"
#include "formats/arcad_wire.h"
#include "test.h"

#define HOST_UID 65534
#define OTHER_UID 65533
#define READY_MS 30000
#define REPLY_MS 60000
#define MAX_HOSTS 8
#define MEMLOCK (256u << 20)

/* ------------------------------------------------------------------ the scene */

static const char *group;
static char base[256], bin_dir[300], run_dir[300], sp_dir[300], state_dir[320], log_dir[300];
static char socket_path[108], runner_socket[400], home[2][300];
static char arcad_bin[400], runner_bin[400], daemon_host_bin[400], attack_host_bin[400];
static char image[400], attack_image[400];
static uint8_t *image_bytes;
static size_t image_len;
static uid_t arcad_uid;

static int64_t now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void sleep_ms(int ms)
{
    struct timespec t = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&t, &t) != 0 && errno == EINTR)
        ;
}

static int copy_file(const char *from, const char *to, mode_t mode)
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

static uint8_t *read_all(const char *path, size_t *len)
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

static int drop_to(uid_t uid)
{
    if (setgroups(0, NULL) != 0 || setresgid(uid, uid, uid) != 0 || setresuid(uid, uid, uid) != 0)
        return -1;
    return 0;
}

static void to_hex(const uint8_t *b, size_t n, char *out)
{
    arca__hex_encode(b, n, out);
}

/* ------------------------------------------------------------------ processes in /proc */

static int proc_uid_name(pid_t pid, uid_t *uid, char *name, size_t cap, char *state)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    *uid = (uid_t)-1;
    name[0] = '\0';
    *state = '?';
    while (fgets(line, sizeof line, f)) {
        if (!strncmp(line, "Name:", 5))
            sscanf(line + 5, "%31s", name);
        else if (!strncmp(line, "State:", 6))
            sscanf(line + 6, " %c", state);
        else if (!strncmp(line, "Uid:", 4))
            *uid = (uid_t)strtoul(line + 4, NULL, 10);
    }
    (void)cap;
    fclose(f);
    return 0;
}

/* Live processes of @p uid named @p name (NULL: any) into @p out; @return their number. */
static size_t find_procs(const char *name, uid_t uid, pid_t *out, size_t max)
{
    DIR *d = opendir("/proc");
    size_t n = 0;
    if (!d)
        return 0;
    for (struct dirent *de; (de = readdir(d));) {
        char pname[32], state;
        uid_t puid;
        pid_t pid = (pid_t)atoi(de->d_name);
        if (pid <= 0 || proc_uid_name(pid, &puid, pname, sizeof pname, &state) != 0 ||
            state == 'Z' || puid != uid || (name && strcmp(pname, name) != 0))
            continue;
        if (n < max)
            out[n] = pid;
        n++;
    }
    closedir(d);
    return n;
}

/* The sockets among the descriptors of @p pid (-1 if gone). */
static int socket_count(pid_t pid)
{
    char path[64], link[320], target[64];
    int n = 0;
    snprintf(path, sizeof path, "/proc/%d/fd", (int)pid);
    DIR *d = opendir(path);
    if (!d)
        return -1;
    for (struct dirent *de; (de = readdir(d));) {
        snprintf(link, sizeof link, "%s/%s", path, de->d_name);
        ssize_t len = readlink(link, target, sizeof target - 1);
        if (len > 0) {
            target[len] = '\0';
            n += !strncmp(target, "socket:", 7);
        }
    }
    closedir(d);
    return n;
}

/* A "Key:   N kB" line of /proc/PID/status, in kB (-1 if missing). */
static long status_kb(pid_t pid, const char *key)
{
    char path[64], line[256];
    long v = -1;
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    while (fgets(line, sizeof line, f))
        if (!strncmp(line, key, strlen(key)) && line[strlen(key)] == ':')
            v = strtol(line + strlen(key) + 1, NULL, 10);
    fclose(f);
    return v;
}

/* utime + stime of @p pid, in clock ticks (-1 if gone). */
static long cpu_ticks(pid_t pid)
{
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return -1;
    buf[n] = '\0';
    char *p = strrchr(buf, ')');
    unsigned long utime = 0, stime = 0;
    /* After ')': state(3) ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt
     * utime(14) stime(15). */
    if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime,
                     &stime) != 2)
        return -1;
    return (long)(utime + stime);
}

/* ------------------------------------------------------------------ arcad */

static pid_t arcad_pid = -1;
static char arcad_opts[8][64];
static int arcad_nopts;
static rlim_t arcad_nofile; /* 0: inherited */

static void arcad_options(const char *first, ...)
{
    va_list ap;
    arcad_nopts = 0;
    va_start(ap, first);
    for (const char *w = first; w && arcad_nopts < 8; w = va_arg(ap, const char *))
        snprintf(arcad_opts[arcad_nopts++], sizeof arcad_opts[0], "%s", w);
    va_end(ap);
}

static void show_log(const char *path, off_t from)
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
static int spawn_arcad(const char *state, const char *socket, const char *log, pid_t *pid_out,
                       int *status_out)
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
        prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
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

static void arcad_log_path(char *path, size_t cap)
{
    snprintf(path, cap, "%s/arcad.log", log_dir);
}

static int arcad_start(void)
{
    char log[400];
    int status = 0;
    arcad_log_path(log, sizeof log);
    int rc = spawn_arcad(state_dir, socket_path, log, &arcad_pid, &status);
    if (rc == 1) {
        fprintf(stderr, "arcad exited during start-up (status 0x%x)\n", status);
        show_log(log, 0);
    }
    return rc == 0 ? 0 : -1;
}

static void arcad_kill9(void)
{
    if (arcad_pid > 0) {
        kill(arcad_pid, SIGKILL);
        while (waitpid(arcad_pid, NULL, 0) < 0 && errno == EINTR)
            ;
    }
    arcad_pid = -1;
}

static int arcad_stop(void)
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
static int arcad_stop_clean(void)
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
    char *buf;
    size_t len, cap;
    char *line;
    int index;
} host;

static host *hosts[MAX_HOSTS];

/* @p program (a host of this directory) under @p uid, driving @p img. */
static host *host_start(uid_t uid, const char *program, const char *img)
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

static void host_show_log(host *h)
{
    char log[400];
    snprintf(log, sizeof log, "%s/host-%d.log", log_dir, h->index);
    show_log(log, 0);
}

static const char *host_read_line(host *h, int timeout_ms)
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

static const char *host_cmd(host *h, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static const char *host_cmd(host *h, const char *fmt, ...)
{
    char *cmd = NULL;
    va_list ap;
    va_start(ap, fmt);
    int n = vasprintf(&cmd, fmt, ap);
    va_end(ap);
    const char *line = NULL;
    if (n >= 0 && write(h->in, cmd, (size_t)n) == n && write(h->in, "\n", 1) == 1)
        line = host_read_line(h, REPLY_MS);
    if (!line) {
        fprintf(stderr, "host %d gave no answer to '%.60s'\n", h->index, cmd ? cmd : "?");
        host_show_log(h);
        line = "";
    }
    free(cmd);
    return line;
}

static int starts(const char *s, const char *prefix)
{
    return s && !strncmp(s, prefix, strlen(prefix));
}

#define HOST_OK(var, h, ...)                                                                       \
    do {                                                                                           \
        var = host_cmd(h, __VA_ARGS__);                                                            \
        if (!starts(var, "ok"))                                                                    \
            TEST__FAIL("host %d: %s: expected ok, got \"%.300s\"", (h)->index, #__VA_ARGS__, var); \
    } while (0)

#define HOST_ERR(var, h, name, ...)                                                                \
    do {                                                                                           \
        var = host_cmd(h, __VA_ARGS__);                                                            \
        if (!starts(var, "error " name " "))                                                       \
            TEST__FAIL("host %d: %s: expected error %s, got \"%.300s\"", (h)->index, #__VA_ARGS__, \
                       name, var);                                                                 \
    } while (0)

static int host_quit(host *h)
{
    int status = 0;
    if (write(h->in, "quit\n", 5) != 5)
        return -1;
    close(h->in);
    h->in = -1;
    for (int64_t end = now_ms() + REPLY_MS; now_ms() < end; sleep_ms(5))
        if (waitpid(h->pid, &status, WNOHANG) == h->pid) {
            h->pid = -1;
            return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        }
    return -1;
}

static void host_free(host *h)
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

static pid_t helper_pid = -1; /* a raw client child of the test, if one runs */

static void orphans_reap(void)
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
            return;
        waitpid(info.si_pid, &status, 0);
    }
}

static size_t runners_alive(pid_t *out, size_t max)
{
    orphans_reap();
    return find_procs("arca-runner", arcad_uid, out, max);
}

static size_t runners_wait(size_t want, int ms)
{
    size_t n = 0;
    for (int64_t end = now_ms() + ms;; sleep_ms(10)) {
        pid_t pids[256];
        n = runners_alive(pids, 256);
        if (n == want || now_ms() >= end)
            return n;
    }
}

static void stop_everything(void)
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
        size_t n = find_procs(NULL, arcad_uid, pids, 256);
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

/* Run @p fn in a child under @p uid; @return its verdict (0 passed). */
static int run_as(uid_t uid, void (*fn)(void))
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
static int helper_start(uid_t uid, void (*fn)(int sock))
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
static int helper_finish(int sock)
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
static int sync_send(int sock, uint32_t word)
{
    return send(sock, &word, sizeof word, MSG_NOSIGNAL) == (ssize_t)sizeof word ? 0 : -1;
}

static int sync_recv(int sock, uint32_t *word, int ms)
{
    struct pollfd p = {sock, POLLIN, 0};
    if (poll(&p, 1, ms) != 1)
        return -1;
    return recv(sock, word, sizeof *word, 0) == (ssize_t)sizeof *word ? 0 : -1;
}

/* ------------------------------------------------------------------ raw clients */

static int raw_connect(const char *path, int flags)
{
    struct sockaddr_un addr;
    struct timeval tv = {10, 0};
    int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | flags, 0);
    memset(&addr, 0, sizeof addr);
    addr.sun_family = AF_UNIX;
    snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path);
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

/* A reply of @p op (or EXITED, or an error of op 0): its result and body (cut to @p cap), the descriptors
 * closed. @return 0, or -1 when none came or it does not parse. */
static int raw_reply(int sock, uint16_t op, arca_result_t *verdict, uint8_t *body, size_t cap,
                     size_t *len)
{
    uint8_t packet[ARCA__AW_REPLY_MAX + 1];
    int fds[ARCA__AW_MAX_FDS] = {-1, -1, -1};
    size_t nfds = 0, n_body = 0;
    const uint8_t *b = NULL;
    ssize_t n = arca__fd_recv(sock, packet, sizeof packet, fds, ARCA__AW_MAX_FDS, &nfds);
    arca__fd_close_all(fds, ARCA__AW_MAX_FDS);
    if (n < (ssize_t)ARCA__AW_HEADER)
        return -1;
    uint16_t got_op = arca__get_le16(packet + 6);
    if (got_op != op && got_op != 0)
        return -1;
    if (arca__aw_reply_parse(packet, (size_t)n, nfds, got_op, verdict, &b, &n_body) != ARCA_OK)
        return -1;
    if (len) {
        *len = n_body < cap ? n_body : cap;
        memcpy(body, b, *len);
    }
    return 0;
}

/* INFO as the calling uid. @return 0 or -1. */
static int raw_info(arca__aw_info *info)
{
    uint8_t req[ARCA__AW_HEADER], body[ARCA__AW_REPLY_MAX];
    size_t len = 0;
    arca_result_t verdict = ARCA_ERR_INTERNAL;
    int sock = raw_connect(socket_path, 0), rc = -1;
    if (sock < 0)
        return -1;
    size_t n = arca__aw_request(ARCA__AW_OP_INFO, NULL, 0, req);
    if (send(sock, req, n, MSG_NOSIGNAL) == (ssize_t)n &&
        raw_reply(sock, ARCA__AW_OP_INFO, &verdict, body, sizeof body, &len) == 0 &&
        verdict == ARCA_OK && len >= ARCA__AW_INFO_FIXED && arca__aw_info_get(body, info) == ARCA_OK)
        rc = 0;
    else
        fprintf(stderr, "  INFO failed (%s)\n", arca_result_name(verdict));
    close(sock);
    return rc;
}

static int sealed_memfd(const uint8_t *bytes, size_t len, size_t size)
{
    int fd = memfd_create("arcad-attack", MFD_CLOEXEC | MFD_ALLOW_SEALING);
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
        fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static int channel_memfd(void)
{
    int fd = memfd_create("arcad-attack-channel", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (fd < 0 || ftruncate(fd, 1 << 20) != 0 ||
        fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW) != 0) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    return fd;
}

/* Send LAUNCH on @p sock with @p image_fd, a channel and the runner's end of a new control
 * pair (the other end into *keep). @return 0 or -1. */
static int raw_launch(int sock, int image_fd, int *keep)
{
    uint8_t zero[ARCA__AW_LAUNCH_SIZE] = {0}, req[ARCA__AW_REQUEST_MAX];
    int pair[2] = {-1, -1}, channel = channel_memfd(), rc = -1;
    if (channel >= 0 && socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) == 0) {
        int fds[3] = {image_fd, channel, pair[1]};
        size_t n = arca__aw_request(ARCA__AW_OP_LAUNCH, zero, sizeof zero, req);
        rc = arca__fd_send(sock, req, n, fds, 3);
    }
    if (channel >= 0)
        close(channel);
    if (pair[1] >= 0)
        close(pair[1]);
    if (rc == 0)
        *keep = pair[0];
    else if (pair[0] >= 0)
        close(pair[0]);
    return rc;
}

/* ------------------------------------------------------------------ the scene, set up */

static int setup(void)
{
    char path[600];
    if (geteuid() != 0) {
        fprintf(stderr, "test_arcad_attack: run as root (as CI does): the test runs arcad and "
                        "its clients under users of its own choosing, which only root can do\n");
        return -1;
    }
    arcad_uid = (uid_t)(53000 + getpid() % 4000);
    snprintf(path, sizeof path, "arcad-attack-%s", group);
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
        fprintf(stderr, "test_arcad_attack: %s is too long for a socket path\n", run_dir);
        return -1;
    }
    snprintf(socket_path, sizeof socket_path, "%s/arcad.sock", run_dir);
    snprintf(runner_socket, sizeof runner_socket, "%s/runner.sock", state_dir);
    if (chmod(base, 0755) != 0 || mkdir(bin_dir, 0755) != 0 || mkdir(run_dir, 0755) != 0 ||
        mkdir(sp_dir, 0755) != 0 || mkdir(log_dir, 0755) != 0 || mkdir(home[0], 0700) != 0 ||
        mkdir(home[1], 0700) != 0 || chown(run_dir, arcad_uid, arcad_uid) != 0 ||
        chown(sp_dir, arcad_uid, arcad_uid) != 0 || chown(home[0], HOST_UID, HOST_UID) != 0 ||
        chown(home[1], OTHER_UID, OTHER_UID) != 0) {
        perror("test_arcad_attack: preparing the directories");
        return -1;
    }
    return 0;
}

static int install(const char *from, const char *name, mode_t mode, char *out, size_t cap)
{
    snprintf(out, cap, "%s/%s", bin_dir, name);
    if (copy_file(from, out, mode) != 0) {
        fprintf(stderr, "test_arcad_attack: cannot copy %s to %s: %s\n", from, out,
                strerror(errno));
        return -1;
    }
    return 0;
}

/* ------------------------------------------------------------------ runner_socket */

/* "call 2 HEX" input of the hostile enclave: u32 count, then the path. */
static void hold_request(uint32_t count, const char *path, char *hex)
{
    uint8_t in[4 + 108];
    size_t len = strlen(path);
    arca__put_le32(in, count);
    memcpy(in + 4, path, len);
    to_hex(in, 4 + len, hex);
}

static void test_runner_socket(void)
{
    const char *r;
    char hex[2 * (4 + 108) + 1];
    /* Connections per uid: 2 + 16 spare. */
    arcad_options("--enclaves-per-uid", "2", "--idle-timeout", "300", NULL);
    ASSERT_TRUE(arcad_start() == 0);
    host *victim = host_start(OTHER_UID, daemon_host_bin, image);
    host *attacker = host_start(HOST_UID, attack_host_bin, attack_image);
    ASSERT_TRUE(victim != NULL && attacker != NULL);
    HOST_OK(r, victim, "create");
    HOST_OK(r, victim, "counter create v");
    HOST_OK(r, victim, "counter inc v");
    ASSERT_STREQ(r, "ok 1");
    HOST_OK(r, attacker, "create");
    HOST_OK(r, attacker, "call 1 0102");
    ASSERT_STREQ(r, "ok 0102");

    /* arcad restarts; before the victim's enclave needs its platform again, the attacker's
     * enclave (arcad's uid, in its sandbox) fills the runner socket. */
    arcad_kill9();
    ASSERT_TRUE(arcad_start() == 0);
    sleep_ms(100);
    int sockets0 = socket_count(arcad_pid);
    hold_request(40, runner_socket, hex);
    HOST_OK(r, attacker, "call 2 %s", hex);
    uint8_t out[8];
    size_t n = 0;
    ASSERT_OK(arca__hex_decode(r + 3, strlen(r + 3), out, sizeof out, &n));
    ASSERT_EQ(n, 8);
    fprintf(stderr, "  the hostile enclave connected %u times to the runner socket (errno %u)\n",
            arca__get_le32(out), arca__get_le32(out + 4));
    ASSERT_TRUE(arca__get_le32(out) >= 20); /* more than arcad's uid may hold */
    sleep_ms(100);

    /* The victim's enclave resumes: its increment is served. */
    HOST_OK(r, victim, "counter inc v");
    ASSERT_STREQ(r, "ok 2");
    /* arcad keeps none of the attacker's connections past the idle time-out: its sockets are
     * the baseline and the victim's one resumed connection. */
    int sockets = -1;
    for (int64_t end = now_ms() + 5000; now_ms() < end; sleep_ms(20))
        if ((sockets = socket_count(arcad_pid)) <= sockets0 + 1)
            break;
    ASSERT_EQ(sockets, sockets0 + 1);
    HOST_OK(r, attacker, "call 3 -");
    HOST_OK(r, victim, "ping");
    HOST_OK(r, victim, "counter read v");
    ASSERT_STREQ(r, "ok 2");
    HOST_OK(r, victim, "destroy");
    HOST_OK(r, attacker, "destroy");
    ASSERT_EQ(host_quit(victim), 0);
    ASSERT_EQ(host_quit(attacker), 0);
    ASSERT_EQ(runners_wait(0, 10000), 0);
    ASSERT_TRUE(arcad_stop_clean());
}

/* ------------------------------------------------------------------ refusal */

#define QUOTA_CONNECTIONS 17 /* --enclaves-per-uid 1, + 16 spare */
#define FLOOD 100

/* As uid 65534: fill its connection quota with silent clients, then queue FLOOD more; tell
 * the test, wait for its word, then check the refused ones were told why. */
static void flooder(int sock)
{
    int held[QUOTA_CONNECTIONS], flood[FLOOD];
    uint32_t word = 0;
    for (int i = 0; i < QUOTA_CONNECTIONS; i++) {
        held[i] = raw_connect(socket_path, 0);
        ASSERT_TRUE(held[i] >= 0);
    }
    sleep_ms(200); /* accepted, each on a thread of its own */
    for (int i = 0; i < FLOOD; i++) {
        flood[i] = raw_connect(socket_path, SOCK_NONBLOCK);
        ASSERT_TRUE(flood[i] >= 0);
    }
    ASSERT_TRUE(sync_send(sock, 1) == 0);
    ASSERT_TRUE(sync_recv(sock, &word, 60000) == 0);
    /* Every queued connection was refused with the reason (or, read late, reset). */
    int told = 0;
    for (int i = 0; i < FLOOD; i++) {
        struct pollfd p = {flood[i], POLLIN, 0};
        arca_result_t verdict = ARCA_OK;
        if (poll(&p, 1, 10000) == 1 && raw_reply(flood[i], 0, &verdict, NULL, 0, NULL) == 0 &&
            verdict == ARCA_ERR_QUOTA)
            told++;
        close(flood[i]);
    }
    fprintf(stderr, "  %d of %d refused connections were told ERR_QUOTA\n", told, FLOOD);
    ASSERT_TRUE(told >= FLOOD / 2);
    for (int i = 0; i < QUOTA_CONNECTIONS; i++)
        close(held[i]);
}

static int64_t info_ms = -1;

static void victim_info(void)
{
    arca__aw_info info;
    int64_t t0 = now_ms();
    ASSERT_TRUE(raw_info(&info) == 0);
    info_ms = now_ms() - t0;
    fprintf(stderr, "  another user's INFO took %lld ms during the flood\n", (long long)info_ms);
    ASSERT_EQ(info.uid, OTHER_UID);
    ASSERT_TRUE(info_ms < 1000);
}

static void test_refusal(void)
{
    uint32_t word = 0;
    arcad_options("--enclaves-per-uid", "1", "--idle-timeout", "60000", NULL);
    ASSERT_TRUE(arcad_start() == 0);
    int sock = helper_start(HOST_UID, flooder);
    ASSERT_TRUE(sock >= 0);
    ASSERT_TRUE(sync_recv(sock, &word, 30000) == 0);
    int verdict = run_as(OTHER_UID, victim_info);
    ASSERT_TRUE(sync_send(sock, 2) == 0);
    ASSERT_EQ(helper_finish(sock), 0);
    ASSERT_EQ(verdict, 0);
    ASSERT_TRUE(arcad_stop_clean());
}

/* ------------------------------------------------------------------ image_memory */

#define BIG_IMAGE (64u << 20)
#define LAUNCHES 24
/* Under ASan, freed blocks wait in its quarantine (256 MiB by default) before they go. */
#if defined(__SANITIZE_ADDRESS__)
#define QUARANTINE_KB (256L << 10)
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define QUARANTINE_KB (256L << 10)
#endif
#endif
#ifndef QUARANTINE_KB
#define QUARANTINE_KB 0L
#endif

/* As uid 65534: one sparse sealed 64 MiB "image", sent in LAUNCHES LAUNCHes at once. */
static void image_flooder(int sock)
{
    int conns[LAUNCHES], keep[LAUNCHES];
    static const uint8_t junk[16] = {0x7f, 'E', 'L', 'F'};
    int img = sealed_memfd(junk, sizeof junk, BIG_IMAGE);
    (void)sock;
    ASSERT_TRUE(img >= 0);
    for (int i = 0; i < LAUNCHES; i++) {
        conns[i] = raw_connect(socket_path, 0);
        ASSERT_TRUE(conns[i] >= 0);
    }
    for (int i = 0; i < LAUNCHES; i++)
        ASSERT_TRUE(raw_launch(conns[i], img, &keep[i]) == 0);
    int refused = 0;
    for (int i = 0; i < LAUNCHES; i++) {
        arca_result_t verdict = ARCA_OK;
        if (raw_reply(conns[i], ARCA__AW_OP_LAUNCH, &verdict, NULL, 0, NULL) == 0 &&
            verdict != ARCA_OK)
            refused++;
        close(conns[i]);
        close(keep[i]);
    }
    close(img);
    ASSERT_EQ(refused, LAUNCHES);
}

static void test_image_memory(void)
{
    char max[32];
    snprintf(max, sizeof max, "%u", BIG_IMAGE);
    arcad_options("--max-image-size", max, NULL);
    ASSERT_TRUE(arcad_start() == 0);
    long before = status_kb(arcad_pid, "VmHWM");
    ASSERT_TRUE(before > 0);
    int sock = helper_start(HOST_UID, image_flooder);
    ASSERT_TRUE(sock >= 0);
    ASSERT_EQ(helper_finish(sock), 0);
    long after = status_kb(arcad_pid, "VmHWM");
    fprintf(stderr, "  arcad's peak memory: %ld kB before, %ld kB after %d LAUNCHes of a %u MiB "
                    "image\n", before, after, LAUNCHES, BIG_IMAGE >> 20);
    /* At most a few images in memory at once, never one per LAUNCH. */
    ASSERT_TRUE(after - before < 3L * (BIG_IMAGE >> 10) + QUARANTINE_KB);
    ASSERT_EQ(runners_wait(0, 2000), 0);
    ASSERT_TRUE(arcad_stop_clean());
}

/* ------------------------------------------------------------------ restart */

/* As uid 65534: LAUNCH a real image and never send START; hand the test the runner's pid and
 * the host's end of its control socket, then wait for the word to go (closing the lease). */
static void unbound_launcher(int sock)
{
    int keep = -1, img = sealed_memfd(image_bytes, image_len, 0);
    int conn = raw_connect(socket_path, 0);
    uint8_t body[ARCA__AW_LAUNCHED_SIZE];
    size_t len = 0;
    uint32_t word = 0;
    arca_result_t verdict = ARCA_ERR_INTERNAL;
    ASSERT_TRUE(img >= 0 && conn >= 0);
    ASSERT_TRUE(raw_launch(conn, img, &keep) == 0);
    ASSERT_TRUE(raw_reply(conn, ARCA__AW_OP_LAUNCH, &verdict, body, sizeof body, &len) == 0);
    ASSERT_OK(verdict);
    uint32_t pid = arca__get_le32(body);
    ASSERT_TRUE(arca__fd_send(sock, &pid, sizeof pid, &keep, 1) == 0);
    ASSERT_TRUE(sync_recv(sock, &word, 60000) == 0);
    close(keep);
    close(conn);
    close(img);
}

static void info_counts(void)
{
    arca__aw_info info;
    ASSERT_TRUE(raw_info(&info) == 0);
    fprintf(stderr, "  INFO: uid %u has %u live enclaves (quota %u)\n", info.uid, info.enclaves,
            info.enclave_quota);
    ASSERT_EQ(info.enclaves, 2);
    ASSERT_EQ(info.enclave_quota, 1);
}

static void test_restart(void)
{
    const char *r;
    uint32_t pid = 0;
    int keep = -1, fds[ARCA__AW_MAX_FDS] = {-1, -1, -1};
    size_t nfds = 0;

    /* 1. A runner not yet bound when arcad dies is stopped by the next arcad. */
    arcad_options("--enclaves-per-uid", "1", NULL);
    ASSERT_TRUE(arcad_start() == 0);
    int sock = helper_start(HOST_UID, unbound_launcher);
    ASSERT_TRUE(sock >= 0);
    struct pollfd p = {sock, POLLIN, 0};
    ASSERT_EQ(poll(&p, 1, 30000), 1);
    ASSERT_EQ(arca__fd_recv(sock, &pid, sizeof pid, fds, ARCA__AW_MAX_FDS, &nfds),
              (ssize_t)sizeof pid);
    ASSERT_EQ(nfds, 1);
    keep = fds[0];
    ASSERT_EQ(runners_wait(1, 5000), 1);
    arcad_kill9();
    ASSERT_TRUE(sync_send(sock, 1) == 0);
    ASSERT_EQ(helper_finish(sock), 0);
    sleep_ms(200);
    ASSERT_EQ(runners_wait(1, 100), 1); /* the lease closed with arcad down: still running */
    ASSERT_TRUE(arcad_start() == 0);
    p = (struct pollfd){keep, POLLIN, 0};
    int ended = poll(&p, 1, 5000) == 1 && (p.revents & (POLLHUP | POLLIN));
    size_t left = runners_wait(0, 2000);
    close(keep);
    if (!ended || left != 0)
        TEST__FAIL("the unbound runner %u outlived arcad's restart (%zu runner(s) alive), "
                   "counted against no quota", pid, left);

    /* 2. Runners adopted after a restart count, even above a quota lowered meanwhile. */
    ASSERT_TRUE(arcad_stop_clean());
    arcad_options("--enclaves-per-uid", "2", NULL);
    ASSERT_TRUE(arcad_start() == 0);
    host *h = host_start(HOST_UID, daemon_host_bin, image);
    ASSERT_TRUE(h != NULL);
    HOST_OK(r, h, "create");
    HOST_OK(r, h, "create");
    HOST_OK(r, h, "counter create c"); /* binds the platform connection: a record exists */
    ASSERT_TRUE(arcad_stop_clean());
    arcad_options("--enclaves-per-uid", "1", NULL);
    ASSERT_TRUE(arcad_start() == 0);
    ASSERT_EQ(run_as(HOST_UID, info_counts), 0);
    HOST_ERR(r, h, "ERR_QUOTA", "create");
    HOST_OK(r, h, "destroy");
    sleep_ms(300); /* the adopted runner's end reaches arcad's watcher */
    HOST_ERR(r, h, "ERR_QUOTA", "create"); /* one left: the quota is 1 */
    HOST_OK(r, h, "destroy");
    for (int64_t end = now_ms() + 5000;; sleep_ms(50)) {
        r = host_cmd(h, "create");
        if (starts(r, "ok") || now_ms() > end)
            break;
    }
    ASSERT_TRUE(starts(r, "ok"));
    HOST_OK(r, h, "destroy");
    ASSERT_EQ(host_quit(h), 0);
    ASSERT_EQ(runners_wait(0, 10000), 0);
    ASSERT_TRUE(arcad_stop_clean());
}

/* ------------------------------------------------------------------ emfile */

#define IDLE_CLIENTS 60

static void idle_holder(int sock)
{
    int conns[IDLE_CLIENTS];
    uint32_t word = 0;
    for (int i = 0; i < IDLE_CLIENTS; i++)
        conns[i] = raw_connect(socket_path, SOCK_NONBLOCK);
    ASSERT_TRUE(sync_send(sock, 1) == 0);
    ASSERT_TRUE(sync_recv(sock, &word, 60000) == 0);
    for (int i = 0; i < IDLE_CLIENTS; i++)
        if (conns[i] >= 0)
            close(conns[i]);
}

static void info_works(void)
{
    arca__aw_info info;
    int ok = 0;
    for (int64_t end = now_ms() + 5000; !ok && now_ms() < end; sleep_ms(50))
        ok = raw_info(&info) == 0;
    ASSERT_TRUE(ok);
    ASSERT_EQ(info.uid, OTHER_UID);
}

static void test_emfile(void)
{
    const char *r;
    uint32_t word = 0;
    long hz = sysconf(_SC_CLK_TCK);
    arcad_nofile = 48;
    arcad_options("--idle-timeout", "60000", NULL);
    ASSERT_TRUE(arcad_start() == 0);
    int sock = helper_start(HOST_UID, idle_holder);
    ASSERT_TRUE(sock >= 0);
    ASSERT_TRUE(sync_recv(sock, &word, 30000) == 0);
    sleep_ms(300);
    long t0 = cpu_ticks(arcad_pid);
    sleep_ms(1000);
    long used = cpu_ticks(arcad_pid) - t0;
    fprintf(stderr, "  arcad at its descriptor limit used %ld ms of CPU in 1000 ms\n",
            used * 1000 / hz);
    ASSERT_TRUE(sync_send(sock, 2) == 0);
    ASSERT_EQ(helper_finish(sock), 0);
    ASSERT_TRUE(used * 1000 / hz < 300);
    /* Once the idle clients are gone, arcad serves again. */
    ASSERT_EQ(run_as(OTHER_UID, info_works), 0);
    host *h = host_start(HOST_UID, daemon_host_bin, image);
    ASSERT_TRUE(h != NULL);
    HOST_OK(r, h, "create");
    HOST_OK(r, h, "ping");
    HOST_OK(r, h, "destroy");
    ASSERT_EQ(host_quit(h), 0);
    ASSERT_EQ(runners_wait(0, 10000), 0);
    ASSERT_TRUE(arcad_stop_clean());
}

/* ------------------------------------------------------------------ takeover */

static uint8_t first_platform[32];

static void info_platform(void)
{
    arca__aw_info info;
    ASSERT_TRUE(raw_info(&info) == 0);
    ASSERT_MEMEQ(info.platform_id, first_platform, 32);
}

static void remember_platform(void)
{
    arca__aw_info info;
    ASSERT_TRUE(raw_info(&info) == 0);
    memcpy(first_platform, info.platform_id, 32);
    /* Handed to the test through a file of the child's: the test reads it back. */
    char path[400];
    snprintf(path, sizeof path, "%s/platform-id", home[0]);
    FILE *f = fopen(path, "wb");
    ASSERT_TRUE(f != NULL);
    ASSERT_EQ(fwrite(info.platform_id, 1, 32, f), 32);
    ASSERT_EQ(fclose(f), 0);
}

static void test_takeover(void)
{
    char state2[400], log2[400], path[400];
    pid_t second = -1;
    int status = 0;
    size_t len = 0;
    ASSERT_TRUE(arcad_start() == 0);
    ASSERT_EQ(run_as(HOST_UID, remember_platform), 0);
    snprintf(path, sizeof path, "%s/platform-id", home[0]);
    uint8_t *id = read_all(path, &len);
    ASSERT_TRUE(id != NULL && len == 32);
    memcpy(first_platform, id, 32);
    free(id);

    /* A second arcad, with a state directory of its own, on the same socket. */
    snprintf(state2, sizeof state2, "%s/state2", sp_dir);
    snprintf(log2, sizeof log2, "%s/arcad2.log", log_dir);
    int rc = spawn_arcad(state2, socket_path, log2, &second, &status);
    if (rc == 0) {
        kill(second, SIGKILL);
        waitpid(second, NULL, 0);
        TEST__FAIL("a second arcad took over %s, on which arcad %d listens", socket_path,
                   (int)arcad_pid);
    }
    ASSERT_EQ(rc, 1);
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 1);
    {
        uint8_t *text = read_all(log2, &len);
        ASSERT_TRUE(text != NULL);
        int says = strstr((char *)text, "another arcad") != NULL;
        if (!says)
            show_log(log2, 0);
        free(text);
        ASSERT_TRUE(says);
    }
    /* The first one still answers on it. */
    ASSERT_EQ(run_as(HOST_UID, info_platform), 0);

    /* A stale socket (its arcad killed) is replaced. */
    arcad_kill9();
    rc = spawn_arcad(state2, socket_path, log2, &second, &status);
    ASSERT_EQ(rc, 0);
    kill(second, SIGTERM);
    waitpid(second, &status, 0);
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* ------------------------------------------------------------------ stuck */

#define BACKLOG_MAX 1024

static void test_stuck(void)
{
    const char *r;
    int conns[BACKLOG_MAX], n = 0;
    host *victim = host_start(OTHER_UID, daemon_host_bin, image);
    ASSERT_TRUE(victim != NULL);
    ASSERT_TRUE(arcad_start() == 0);
    HOST_OK(r, victim, "create");
    HOST_OK(r, victim, "counter create s");
    arcad_kill9();
    ASSERT_TRUE(arcad_start() == 0);
    /* arcad stops accepting; its runner socket's backlog fills up. */
    ASSERT_EQ(kill(arcad_pid, SIGSTOP), 0);
    while (n < BACKLOG_MAX && (conns[n] = raw_connect(runner_socket, SOCK_NONBLOCK)) >= 0)
        n++;
    ASSERT_TRUE(n < BACKLOG_MAX && errno == EAGAIN);
    int64_t t0 = now_ms();
    r = host_cmd(victim, "counter inc s");
    int64_t took = now_ms() - t0;
    fprintf(stderr, "  with arcad stopped and %d connections queued, an increment answered in "
                    "%lld ms: %.80s\n", n, (long long)took, r);
    kill(arcad_pid, SIGCONT);
    for (int i = 0; i < n; i++)
        close(conns[i]);
    ASSERT_TRUE(starts(r, "error ERR_PLATFORM_UNAVAILABLE "));
    ASSERT_TRUE(took < 30000);
    /* arcad goes on: served again. */
    HOST_OK(r, victim, "counter inc s");
    ASSERT_STREQ(r, "ok 1");
    HOST_OK(r, victim, "destroy");
    ASSERT_EQ(host_quit(victim), 0);
    ASSERT_EQ(runners_wait(0, 10000), 0);
    ASSERT_TRUE(arcad_stop_clean());
}

/* ------------------------------------------------------------------ main */

int main(int argc, char **argv)
{
    static const struct {
        const char *name;
        void (*fn)(void);
    } groups[] = {
        {"runner_socket", test_runner_socket}, {"refusal", test_refusal},
        {"image_memory", test_image_memory},   {"restart", test_restart},
        {"emfile", test_emfile},               {"takeover", test_takeover},
        {"stuck", test_stuck},
    };
    void (*fn)(void) = NULL;
    int rc = 1;
    if (argc != 8) {
        fprintf(stderr, "usage: %s GROUP ARCAD RUNNER DAEMON_HOST ATTACK_HOST IMAGE "
                        "ATTACK_IMAGE\n", argv[0]);
        return 2;
    }
    group = argv[1];
    for (size_t i = 0; i < sizeof groups / sizeof groups[0]; i++)
        if (!strcmp(groups[i].name, group))
            fn = groups[i].fn;
    if (!fn) {
        fprintf(stderr, "test_arcad_attack: unknown group %s\n", group);
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    if (setup() != 0)
        return 1;
    prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
    if (install(argv[2], "arcad", 0755, arcad_bin, sizeof arcad_bin) == 0 &&
        install(argv[3], "arca-runner", 0755, runner_bin, sizeof runner_bin) == 0 &&
        install(argv[4], "daemon_host", 0755, daemon_host_bin, sizeof daemon_host_bin) == 0 &&
        install(argv[5], "attack_host", 0755, attack_host_bin, sizeof attack_host_bin) == 0 &&
        install(argv[6], "daemon_enclave.signed.so", 0644, image, sizeof image) == 0 &&
        install(argv[7], "attack_enclave.signed.so", 0644, attack_image, sizeof attack_image) ==
            0 &&
        (image_bytes = read_all(image, &image_len)) != NULL) {
        int64_t t0 = now_ms();
        RUN(fn);
        stop_everything();
        fprintf(stderr, "test_arcad_attack %s: %lld ms\n", group, (long long)(now_ms() - t0));
        if (test__failed) {
            char log[400];
            arcad_log_path(log, sizeof log);
            show_log(log, 0);
        }
        rc = TEST_SUMMARY();
    }
    stop_everything();
    free(image_bytes);
    test_remove_scratch_dir(base);
    return rc;
}
