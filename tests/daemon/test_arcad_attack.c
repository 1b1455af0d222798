/*
 * test_arcad_attack.c — attacks on arcad, the platform daemon, by a local user without
 * privileges (uid 65534), by enclave code that user signs and launches (it runs as arcad's uid
 * inside arca-runner's sandbox), and by hosts that act around arcad's restarts. Each group is
 * one finding of the security review of issue 14; it fails on the code before its fix. The
 * scene is test_arcad.c's, from arcad_harness.h: arcad under a uid of its own (53000 +
 * pid % 4000, a range test_arcad.c does not use), hosts and raw clients under 65534 and 65533,
 * every process stopped whatever happens (the test is the child subreaper of runners a killed
 * arcad leaves).
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

#include "arcad_harness.h"

static char daemon_host_bin[400], attack_host_bin[400], attack_image[400];

/* ------------------------------------------------------------------ processes in /proc */

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

/* ------------------------------------------------------------------ raw clients */

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
    int img = sealed_memfd(junk, sizeof junk, BIG_IMAGE, IMAGE_SEALS);
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
    int keep = -1, img = sealed_memfd(image_bytes, image_len, 0, IMAGE_SEALS);
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
    static const harness_group groups[] = {
        {"runner_socket", test_runner_socket}, {"refusal", test_refusal},
        {"image_memory", test_image_memory},   {"restart", test_restart},
        {"emfile", test_emfile},               {"takeover", test_takeover},
        {"stuck", test_stuck},
    };
    int rc = 1;
    void (*fn)(void) =
        harness_pick(groups, sizeof groups / sizeof groups[0], argc, argv, 8,
                     "GROUP ARCAD RUNNER DAEMON_HOST ATTACK_HOST IMAGE ATTACK_IMAGE");
    if (!fn)
        return 2;
    if (setup("test_arcad_attack", "arcad-attack", 53000) != 0)
        return 1;
    if (install(argv[2], "arcad", 0755, arcad_bin, sizeof arcad_bin) == 0 &&
        install(argv[3], "arca-runner", 0755, runner_bin, sizeof runner_bin) == 0 &&
        install(argv[4], "daemon_host", 0755, daemon_host_bin, sizeof daemon_host_bin) == 0 &&
        install(argv[5], "attack_host", 0755, attack_host_bin, sizeof attack_host_bin) == 0 &&
        install(argv[6], "daemon_enclave.signed.so", 0644, image, sizeof image) == 0 &&
        install(argv[7], "attack_enclave.signed.so", 0644, attack_image, sizeof attack_image) ==
            0 &&
        (image_bytes = read_all(image, &image_len)) != NULL)
        rc = harness_run(fn);
    harness_end();
    return rc;
}
