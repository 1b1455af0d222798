/*
 * test_arcad.c — arcad, the platform daemon, end to end (issue 14, "Tests"). The test starts
 * real processes: arcad under a uid of its own (61000 + pid % 4000, so that groups running at
 * once do not share one), with RLIMIT_MEMLOCK raised as far as root may (runners get
 * secretmem), and host programs (daemon_host.c, commands on stdin) under uid 65534; it stops
 * every one of them, and every arca-runner they led to, whatever happened (the test is the
 * child subreaper, so runners orphaned by a killed arcad come back to it). Each group runs in
 * its own directory /tmp/arca-arcad-<group>-XXXXXX with copies of arcad, arca-runner, the host
 * and the images (the build tree may not be reachable by those uids).
 *
 * Groups (argv[1]; one ctest entry each):
 *   cross_user  seal/unseal, evidence and counters work through arcad; uid 65534 cannot open
 *               a file of the state directory, ptrace, signal or read /proc/PID/mem of the
 *               runner (arcad's uid, arcad's child); the evidence verifies under a policy
 *               pinning root-cert.pem as an arcad root, without AllowDevPlatform, and is refused
 *               when the same root is pinned as a dev platform; INFO tells the client its uid,
 *               counts and the root (which verifies the evidence too).
 *   forgery     edited evidence, evidence for another nonce, a platform-connection BIND (or any
 *               platform request) sent to arcad's public socket, the runner socket from uid
 *               65534 (EACCES) and from arcad's own uid (RESUME with a made-up token, BIND:
 *               refused), LAUNCH of an unsigned or tampered image (refused with the reason).
 *   faults      arcad killed and restarted while enclaves run (calls go on, and so does
 *               sealing: an enclave holds its keys from create on; evidence and counters fail
 *               with ARCA_ERR_PLATFORM_UNAVAILABLE, then work again, the counter's value kept;
 *               a create while it is down says the daemon is not running); an enclave that
 *               aborts (lost; its runner and record gone); kill -9 of arcad, many times,
 *               while 4 hosts increment one counter 1000 times each:
 *               each host's acknowledged values strictly increase, no value is acknowledged
 *               twice, and the final value is at least every acknowledged one (and at most one
 *               unacknowledged increment per host per kill above their number).
 *   load        64 threads of one host create, call, increment and destroy enclaves at once
 *               (--enclaves-per-uid 64): no error, the counter counts every increment, and
 *               afterwards no runner, no record in <state>/runners, arcad's descriptors and
 *               threads back to their baseline.
 *   bad_input   raw requests on arcad's socket as uid 65534: every request truncated at each
 *               length, oversized, with lying lengths, bad magic/version/reserved fields,
 *               unknown ops, KILL before LAUNCH, descriptors where none belong, too few, too
 *               many, of the wrong kinds; each gets the error reply docs/formats.md names (parsed
 *               with arca__aw_reply_parse) and the end of the connection, and arcad keeps no
 *               descriptor of it; a raw LAUNCH then KILL gets EXITED, a LAUNCH followed by
 *               anything else kills the runner; a client that sends nothing is closed after
 *               --idle-timeout (300 ms) and idle clients do not block others; afterwards arcad's
 *               descriptors and threads are back at their baseline and a real host still works.
 *   quotas      --enclaves-per-uid 2: the third create fails with ARCA_ERR_QUOTA (another uid
 *               is not affected, a destroyed enclave frees its slot at once);
 *               --counters-per-uid 2: the third counter is refused; --max-image-size below the
 *               image: refused.
 * Started by another user than root, the test fails and says why: it needs to run arcad and
 * the host under two users of its choosing.
 * This test must never leave a process it started running (nor its directory), and never
 * signal a process it did not start: it kills by pid, and by arcad's private uid only.
 * argv: GROUP ARCAD RUNNER DAEMON_HOST IMAGE UNSIGNED_IMAGE
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
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
#include "arca/identity.h"
#include "arca/verify.h"
#include "base/fdpass.h"
#include "base/hex.h"
#include "base/le.h"
#include "formats/arcad_wire.h"
#include "formats/platform_wire.h"
#include "test.h"

#include "arcad_harness.h"

static char host_bin[400], unsigned_image[400]; /* daemon_host; the unsigned daemon_enclave */

/* ------------------------------------------------------------------ runners */

/* The records in <state>/runners. */
static int records_count(void)
{
    char path[400];
    snprintf(path, sizeof path, "%s/runners", state_dir);
    return count_dir(path);
}

/* ------------------------------------------------------------------ evidence */

static uint8_t *root_pem;
static size_t root_pem_len;

static int load_root(void)
{
    char path[400];
    free(root_pem);
    snprintf(path, sizeof path, "%s/root-cert.pem", state_dir);
    root_pem = read_all(path, &root_pem_len);
    return root_pem ? 0 : -1;
}

/* Verify @p ev under a policy for @p measurement and @p nonce (zero padded), with the root
 * pinned as @p kind (and AllowDevPlatform when pinned as dev). */
static arca_result_t verify(const uint8_t *ev, size_t len, const uint8_t measurement[32],
                            const uint8_t *nonce, size_t nonce_len, uint16_t kind,
                            const uint8_t *root, size_t root_len, arca_claims_t *claims)
{
    arca_policy_t *p = NULL;
    arca_result_t r = arca_policy_create(&p);
    if (r == ARCA_OK)
        r = arca_policy_add_measurement(p, measurement);
    if (r == ARCA_OK)
        r = arca_policy_add_trusted_root(p, kind, root, root_len);
    if (r == ARCA_OK && kind == ARCA_PLATFORM_DEV)
        r = arca_policy_set_allow_dev_platform(p, 1);
    if (r == ARCA_OK)
        r = arca_policy_set_report_data(p, nonce, nonce_len);
    if (r == ARCA_OK)
        r = arca_policy_set_max_age(p, 600);
    if (r == ARCA_OK)
        r = arca_verify_evidence(ev, len, p, claims);
    if (r != ARCA_OK)
        fprintf(stderr, "  (verify: %s: %s)\n", arca_result_name(r), arca_verify_last_error());
    arca_policy_free(p);
    return r;
}

/* "ok HEX" into a new buffer. */
static uint8_t *unhex_reply(const char *reply, size_t *len)
{
    if (!starts(reply, "ok "))
        return NULL;
    const char *hex = reply + 3;
    size_t n = strlen(hex) / 2;
    uint8_t *out = malloc(n ? n : 1);
    if (out && arca__hex_decode(hex, strlen(hex), out, n, len) != ARCA_OK) {
        free(out);
        out = NULL;
    }
    return out;
}

typedef struct host_identity {
    uint8_t measurement[32], signer[32];
    uint32_t protections;
    char backend[32];
} host_identity;

static int parse_identity(const char *reply, host_identity *id)
{
    char m[80], s[80];
    size_t n = 0;
    memset(id, 0, sizeof *id);
    if (sscanf(reply, "ok %79s %79s %x %31s", m, s, &id->protections, id->backend) != 4 ||
        arca__hex_decode(m, strlen(m), id->measurement, 32, &n) != ARCA_OK || n != 32 ||
        arca__hex_decode(s, strlen(s), id->signer, 32, &n) != ARCA_OK || n != 32)
        return -1;
    return 0;
}

/* ------------------------------------------------------------------ raw clients of arcad */

static int raw_send(int sock, const void *bytes, size_t len, const int *fds, size_t nfds)
{
    struct iovec iov = {(void *)bytes, len};
    union {
        char buf[CMSG_SPACE(16 * sizeof(int))];
        struct cmsghdr align;
    } control;
    struct msghdr msg;
    memset(&msg, 0, sizeof msg);
    memset(&control, 0, sizeof control);
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    if (nfds) {
        msg.msg_control = control.buf;
        msg.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
        struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(nfds * sizeof(int));
        memcpy(CMSG_DATA(c), fds, nfds * sizeof(int));
    }
    return sendmsg(sock, &msg, MSG_NOSIGNAL) == (ssize_t)len ? 0 : -1;
}

/* The end of the connection within 5 s: 0, or -1 after saying what came instead. */
static int expect_eof(int sock, const char *what)
{
    uint8_t buf[64];
    struct pollfd p = {sock, POLLIN, 0};
    if (poll(&p, 1, 5000) != 1) {
        fprintf(stderr, "  %s: the connection was not closed\n", what);
        return -1;
    }
    ssize_t n = recv(sock, buf, sizeof buf, MSG_DONTWAIT);
    if (n != 0 && !(n < 0 && errno == ECONNRESET)) {
        fprintf(stderr, "  %s: expected the end of the connection, got %zd\n", what, n);
        return -1;
    }
    return 0;
}

/*
 * The error reply to a refused request: parsed by arca__aw_reply_parse with its own op, which
 * must be @p op (or 0 when @p op is -1: the request's op was not readable), the result
 * @p want (or, with @p want2 not ARCA_OK, that one), printable detail containing @p needle
 * (NULL: any); then the end of the connection. @return 0, or -1 after saying why.
 */
static int expect_error(int sock, int op, arca_result_t want, arca_result_t want2,
                        const char *needle, const char *what)
{
    uint8_t packet[ARCA__AW_REPLY_MAX + 1];
    int fds[ARCA__AW_MAX_FDS] = {-1, -1, -1};
    size_t nfds = 0, len = 0;
    const uint8_t *body = NULL;
    arca_result_t got = ARCA_OK;
    ssize_t n = arca__fd_recv(sock, packet, sizeof packet, fds, ARCA__AW_MAX_FDS, &nfds);
    arca__fd_close_all(fds, ARCA__AW_MAX_FDS);
    if (n < (ssize_t)ARCA__AW_HEADER) {
        fprintf(stderr, "  %s: expected an error reply, got %zd bytes (%s)\n", what, n,
                n < 0 ? strerror(errno) : "");
        return -1;
    }
    uint16_t reply_op = arca__get_le16(packet + 6);
    if (arca__aw_reply_parse(packet, (size_t)n, nfds, reply_op, &got, &body, &len) != ARCA_OK) {
        fprintf(stderr, "  %s: the reply does not parse: %s\n", what, arca_last_error());
        return -1;
    }
    if (reply_op != (op < 0 ? 0 : op)) {
        fprintf(stderr, "  %s: the reply is for op %u, expected %d\n", what, reply_op,
                op < 0 ? 0 : op);
        return -1;
    }
    if (got != want && (want2 == ARCA_OK || got != want2)) {
        fprintf(stderr, "  %s: got %s (%.*s), expected %s\n", what, arca_result_name(got), (int)len,
                (const char *)body, arca_result_name(want));
        return -1;
    }
    if (len == 0 || (needle && !memmem(body, len, needle, strlen(needle)))) {
        fprintf(stderr, "  %s: the reason \"%.*s\" does not say \"%s\"\n", what, (int)len,
                (const char *)body, needle ? needle : "anything");
        return -1;
    }
    return expect_eof(sock, what);
}

/* ---- descriptors to send ---- */

static uint8_t *unsigned_bytes;
static size_t unsigned_len;

/*
 * Descriptors of kinds spelled by @p spec, one letter each: i the image (sealed memfd),
 * c a channel (sealed memfd), s the runner's end of a control socket pair (the other end
 * kept in *keep), p the write end of a pipe (the read end kept in *keep: it sees the end of
 * file once nobody holds the write end), u an unsealed memfd with the image, w the image
 * sealed against shrink and grow only, t a TCP socket, S a Unix stream socket, d /dev/null.
 * @return the count, or -1.
 */
static int make_fds(const char *spec, int *fds, int *keep, size_t *nkeep)
{
    int n = 0;
    *nkeep = 0;
    for (const char *c = spec; *c; c++) {
        int fd = -1, pair[2] = {-1, -1};
        switch (*c) {
        case 'i': fd = sealed_memfd(image_bytes, image_len, 0, IMAGE_SEALS); break;
        case 'u': fd = sealed_memfd(image_bytes, image_len, 0, 0); break;
        case 'w': fd = sealed_memfd(image_bytes, image_len, 0, F_SEAL_SHRINK | F_SEAL_GROW); break;
        case 'c': fd = channel_memfd(); break;
        case 's':
            if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) == 0) {
                fd = pair[1];
                keep[(*nkeep)++] = pair[0];
            }
            break;
        case 'p':
            if (pipe2(pair, O_CLOEXEC) == 0) {
                fd = pair[1];
                keep[(*nkeep)++] = pair[0];
            }
            break;
        case 't': fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0); break;
        case 'S': fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0); break;
        case 'd': fd = open("/dev/null", O_RDWR | O_CLOEXEC); break;
        default: break;
        }
        if (fd < 0) {
            arca__fd_close_all(fds, (size_t)n);
            arca__fd_close_all(keep, *nkeep);
            return -1;
        }
        fds[n++] = fd;
    }
    return n;
}

/* Every kept pipe read end sees the end of file: nobody (arcad) holds the write ends. */
static int pipes_released(const char *spec, const int *keep, const char *what)
{
    size_t k = 0;
    for (const char *c = spec; *c; c++) {
        if (*c != 'p' && *c != 's')
            continue;
        if (*c == 'p') {
            struct pollfd p = {keep[k], POLLIN, 0};
            char b;
            if (poll(&p, 1, 5000) != 1 || read(keep[k], &b, 1) != 0) {
                fprintf(stderr, "  %s: arcad still holds a pipe it was sent\n", what);
                return -1;
            }
        }
        k++;
    }
    return 0;
}

/* Send @p bytes with descriptors @p spec on a new connection; expect the error reply and the
 * end of the connection, and arcad to have let go of the pipes. @return 0 or -1. */
static int bad_request(const char *what, const uint8_t *bytes, size_t len, const char *spec, int op,
                       arca_result_t want, const char *needle)
{
    int fds[16], keep[16], rc = -1;
    size_t nkeep = 0;
    int nfds = make_fds(spec, fds, keep, &nkeep);
    int sock = raw_connect(socket_path, 0);
    if (nfds < 0 || sock < 0) {
        fprintf(stderr, "  %s: cannot prepare (%s)\n", what, strerror(errno));
        goto done;
    }
    if (raw_send(sock, bytes, len, fds, (size_t)nfds) != 0) {
        fprintf(stderr, "  %s: send: %s\n", what, strerror(errno));
        goto done;
    }
    arca__fd_close_all(fds, (size_t)nfds);
    nfds = 0;
    if (len == 0) {
        /* An empty packet reads as the end of the connection: arcad may only close it. */
        uint8_t packet[ARCA__AW_REPLY_MAX + 1];
        ssize_t n;
        struct pollfd p = {sock, POLLIN, 0};
        while (poll(&p, 1, 5000) == 1 && (n = recv(sock, packet, sizeof packet, 0)) > 0) {
            arca_result_t got = ARCA_OK;
            const uint8_t *body;
            size_t blen;
            if (arca__aw_reply_parse(packet, (size_t)n, 0, arca__get_le16(packet + 6), &got, &body,
                                     &blen) != ARCA_OK ||
                got == ARCA_OK) {
                fprintf(stderr, "  %s: arcad answered an empty packet with a non-error\n", what);
                goto done;
            }
        }
        if (poll(&p, 1, 0) != 1 || recv(sock, packet, sizeof packet, MSG_DONTWAIT) != 0) {
            fprintf(stderr, "  %s: the connection was not closed\n", what);
            goto done;
        }
        rc = 0;
    } else {
        rc = expect_error(sock, op, want, ARCA_OK, needle, what);
    }
    if (rc == 0)
        rc = pipes_released(spec, keep, what);
done:
    if (nfds > 0)
        arca__fd_close_all(fds, (size_t)nfds);
    arca__fd_close_all(keep, nkeep);
    if (sock >= 0)
        close(sock);
    return rc;
}

/* A request packet with a header written field by field. */
static size_t packet(uint8_t *out, const char *magic, uint16_t version, uint16_t op,
                     uint32_t body_len, uint32_t reserved, const uint8_t *body, size_t n)
{
    memcpy(out, magic, 4);
    arca__put_le16(out + 4, version);
    arca__put_le16(out + 6, op);
    arca__put_le32(out + 8, body_len);
    arca__put_le32(out + 12, reserved);
    if (n)
        memcpy(out + 16, body, n);
    return 16 + n;
}

/* INFO as the calling uid: the parsed block and the root certificate. @return 0 or -1. */
static int raw_info(arca__aw_info *info, uint8_t *root, size_t cap, size_t *root_len)
{
    uint8_t req[ARCA__AW_HEADER], reply[ARCA__AW_REPLY_MAX + 1];
    int fds[ARCA__AW_MAX_FDS] = {-1, -1, -1};
    size_t nfds = 0, len = 0;
    const uint8_t *body = NULL;
    arca_result_t verdict = ARCA_OK;
    int sock = raw_connect(socket_path, 0), rc = -1;
    if (sock < 0) {
        fprintf(stderr, "  INFO: connect: %s\n", strerror(errno));
        return -1;
    }
    size_t n = arca__aw_request(ARCA__AW_OP_INFO, NULL, 0, req);
    ssize_t got = -1;
    if (raw_send(sock, req, n, NULL, 0) == 0)
        got = arca__fd_recv(sock, reply, sizeof reply, fds, ARCA__AW_MAX_FDS, &nfds);
    arca__fd_close_all(fds, ARCA__AW_MAX_FDS);
    if (got > 0 &&
        arca__aw_reply_parse(reply, (size_t)got, nfds, ARCA__AW_OP_INFO, &verdict, &body, &len) ==
            ARCA_OK &&
        verdict == ARCA_OK && arca__aw_info_get(body, info) == ARCA_OK) {
        *root_len = len - ARCA__AW_INFO_FIXED - 4;
        if (*root_len <= cap) {
            memcpy(root, body + ARCA__AW_INFO_FIXED + 4, *root_len);
            rc = expect_eof(sock, "INFO");
        }
    } else {
        fprintf(stderr, "  INFO failed (%zd bytes, %s)\n", got, arca_result_name(verdict));
    }
    close(sock);
    return rc;
}

/* ------------------------------------------------------------------ cross_user */

static char *forbidden[64];
static size_t forbidden_count;
static pid_t the_runner;

static int collect(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)ftw;
    if (((type == FTW_F && S_ISREG(st->st_mode)) || type == FTW_D) && forbidden_count < 64)
        forbidden[forbidden_count++] = strdup(path);
    return 0;
}

/* As the host's uid: nothing of the state directory opens, the runner is out of reach. */
static void host_cannot_reach(void)
{
    char path[64];
    ASSERT_EQ(getuid(), HOST_UID);
    ASSERT_TRUE(forbidden_count >= 6);
    for (size_t i = 0; i < forbidden_count; i++) {
        errno = 0;
        int fd = open(forbidden[i], O_RDONLY | O_CLOEXEC);
        if (fd >= 0)
            close(fd);
        if (fd >= 0 || errno != EACCES)
            TEST__FAIL("uid %d opened %s (or failed with %s instead of EACCES)", HOST_UID,
                       forbidden[i], strerror(errno));
    }
    errno = 0;
    ASSERT_TRUE(opendir(state_dir) == NULL && errno == EACCES);
    /* The runner: not traceable, its memory not readable, not even signalable. */
    errno = 0;
    ASSERT_TRUE(ptrace(PTRACE_ATTACH, the_runner, NULL, NULL) == -1);
    ASSERT_EQ(errno, EPERM);
    snprintf(path, sizeof path, "/proc/%d/mem", (int)the_runner);
    errno = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd >= 0)
        close(fd);
    ASSERT_TRUE(fd < 0 && (errno == EACCES || errno == EPERM));
    {
        char buf[16];
        struct iovec local = {buf, sizeof buf}, remote = {(void *)0x400000, sizeof buf};
        errno = 0;
        ASSERT_TRUE(process_vm_readv(the_runner, &local, 1, &remote, 1, 0) < 0);
        ASSERT_EQ(errno, EPERM);
    }
    errno = 0;
    ASSERT_TRUE(kill(the_runner, 0) != 0 && errno == EPERM);
}

/* Control, as arcad's uid: the same files do open (the paths are real and readable). */
static void owner_can_read(void)
{
    ASSERT_EQ(getuid(), arcad_uid);
    for (size_t i = 0; i < forbidden_count; i++) {
        int fd = open(forbidden[i], O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            TEST__FAIL("arcad's own uid cannot open %s: %s", forbidden[i], strerror(errno));
        close(fd);
    }
}

static uint8_t the_evidence[16384], the_nonce[32];
static size_t the_evidence_len;
static host_identity the_identity;

/* As the host's uid: INFO knows it, counts its one enclave and its counters, and gives the
 * root certificate, which verifies the evidence as an arcad root. */
static void host_info(void)
{
    arca__aw_info info;
    uint8_t root[ARCA_EVIDENCE_MAX_CERT_SIZE];
    size_t root_len = 0;
    arca_claims_t claims;
    ASSERT_TRUE(raw_info(&info, root, sizeof root, &root_len) == 0);
    ASSERT_EQ(info.kind, ARCA_PLATFORM_ARCAD);
    ASSERT_EQ(info.uid, HOST_UID);
    ASSERT_EQ(info.enclaves, 1);
    ASSERT_EQ(info.enclave_quota, 64);
    ASSERT_EQ(info.counters, 2);
    ASSERT_EQ(info.counter_quota, 1024);
    ASSERT_OK(verify(the_evidence, the_evidence_len, the_identity.measurement, the_nonce,
                     sizeof the_nonce, ARCA_PLATFORM_ARCAD, root, root_len, &claims));
    ASSERT_MEMEQ(claims.platform_id, info.platform_id, 32);
}

static void test_cross_user(void)
{
    const char *r;
    char hex[256];
    size_t len = 0;
    pid_t pids[8];
    pinfo p;
    arca_claims_t claims;
    ASSERT_TRUE(arcad_start() == 0);
    ASSERT_TRUE(load_root() == 0);
    host *h = host_start(HOST_UID, host_bin, image);
    ASSERT_TRUE(h != NULL);
    HOST_OK(r, h, "create");
    HOST_OK(r, h, "identity");
    ASSERT_TRUE(parse_identity(r, &the_identity) == 0);
    ASSERT_STREQ(the_identity.backend, "process");
    /* Every protection of today, from arcad's runner (memlock raised: secretmem). */
    ASSERT_TRUE(the_identity.protections & ARCA_PROT_SEPARATE_PROCESS);
    ASSERT_TRUE(the_identity.protections & ARCA_PROT_NODUMP);
    ASSERT_TRUE(the_identity.protections & ARCA_PROT_SECCOMP);
    ASSERT_TRUE(the_identity.protections & ARCA_PROT_SECRETMEM);
    HOST_OK(r, h, "ping");

    /* Sealing: a round trip, refusal of a changed blob, and a second enclave of the same
     * identity unseals (the keys come from arcad's root secret, not from the enclave). */
    static const char secret[] = "sealed through arcad, out of the host user's reach";
    char secret_hex[2 * sizeof secret + 1];
    to_hex((const uint8_t *)secret, sizeof secret - 1, secret_hex);
    HOST_OK(r, h, "seal %s", secret_hex);
    char *blob = strdup(r + 3);
    ASSERT_TRUE(blob != NULL);
    HOST_OK(r, h, "unseal %s", blob);
    ASSERT_STREQ(r + 3, secret_hex);
    char kept = blob[strlen(blob) / 2];
    blob[strlen(blob) / 2] = kept == '0' ? '1' : '0';
    HOST_ERR(r, h, "ERR_UNSEAL", "unseal %s", blob);
    blob[strlen(blob) / 2] = kept;
    HOST_OK(r, h, "create");
    HOST_OK(r, h, "unseal %s", blob);
    ASSERT_STREQ(r + 3, secret_hex);
    HOST_OK(r, h, "destroy");
    free(blob);

    /* Counters. */
    HOST_OK(r, h, "counter create c1");
    ASSERT_STREQ(r, "ok 0");
    HOST_OK(r, h, "counter inc c1");
    ASSERT_STREQ(r, "ok 1");
    HOST_OK(r, h, "counter inc c1");
    ASSERT_STREQ(r, "ok 2");
    HOST_OK(r, h, "counter read c1");
    ASSERT_STREQ(r, "ok 2");
    HOST_ERR(r, h, "ERR_EXISTS", "counter create c1");
    HOST_ERR(r, h, "ERR_NOT_FOUND", "counter read nosuch");
    HOST_ERR(r, h, "ERR_NOT_FOUND", "counter inc c1 signer");
    HOST_OK(r, h, "counter create c1 signer");
    HOST_OK(r, h, "counter read c1 signer");
    ASSERT_STREQ(r, "ok 0");

    /* Evidence: verifies with the root pinned as arcad's, without AllowDevPlatform. */
    for (size_t i = 0; i < sizeof the_nonce; i++)
        the_nonce[i] = (uint8_t)(rand() ^ (int)i);
    to_hex(the_nonce, sizeof the_nonce, hex);
    HOST_OK(r, h, "evidence %s", hex);
    uint8_t *ev = unhex_reply(r, &len);
    ASSERT_TRUE(ev != NULL && len <= sizeof the_evidence);
    memcpy(the_evidence, ev, len);
    the_evidence_len = len;
    free(ev);
    ASSERT_OK(verify(the_evidence, len, the_identity.measurement, the_nonce, sizeof the_nonce,
                     ARCA_PLATFORM_ARCAD, root_pem, root_pem_len, &claims));
    ASSERT_EQ(claims.platform_kind, ARCA_PLATFORM_ARCAD);
    ASSERT_EQ(claims.identity.backend, ARCA_BACKEND_ID_PROCESS);
    ASSERT_MEMEQ(claims.identity.measurement, the_identity.measurement, 32);
    ASSERT_MEMEQ(claims.identity.signer_id, the_identity.signer, 32);
    ASSERT_EQ(claims.identity.protections, the_identity.protections);
    ASSERT_MEMEQ(claims.report_data, the_nonce, sizeof the_nonce);
    ASSERT_EQ(claims.identity.attributes & ARCA_ATTR_DEBUG, 0);
    {
        static const uint8_t zero[32];
        ASSERT_TRUE(memcmp(claims.runtime_digest, zero, 32) != 0);
    }
    /* The same root pinned as a dev platform's: refused, even with AllowDevPlatform. */
    ASSERT_RESULT(verify(the_evidence, len, the_identity.measurement, the_nonce, sizeof the_nonce,
                         ARCA_PLATFORM_DEV, root_pem, root_pem_len, NULL),
                  ARCA_ERR_BAD_EVIDENCE);

    /* INFO, as the host's uid. */
    ASSERT_EQ(run_as(HOST_UID, host_info), 0);

    /* The runner: one, arcad's child, arcad's uid. */
    size_t n = runners_alive(pids, 8);
    ASSERT_EQ(n, 1);
    the_runner = pids[0];
    ASSERT_TRUE(proc_info(the_runner, &p) == 0);
    ASSERT_EQ(p.ppid, arcad_pid);
    ASSERT_EQ(p.uid, arcad_uid);

    /* The state directory, file by file, and the runner, from the host's uid. */
    forbidden_count = 0;
    ASSERT_EQ(nftw(state_dir, collect, 8, FTW_PHYS), 0);
    {
        static const char *const secrets[] = {
            "/seal-root.key", "/attestation-key.pem", "/platform-chain.pem",
            "/root-cert.pem", "/counters.db",         "/runners",
            "/runners/"};
        for (size_t k = 0; k < sizeof secrets / sizeof secrets[0]; k++) {
            int found = 0;
            for (size_t i = 0; i < forbidden_count; i++)
                found |= strstr(forbidden[i], secrets[k]) != NULL;
            if (!found)
                TEST__FAIL("no %s in %s to try", secrets[k], state_dir);
        }
    }
    ASSERT_EQ(run_as(HOST_UID, host_cannot_reach), 0);
    ASSERT_EQ(run_as(arcad_uid, owner_can_read), 0);
    for (size_t i = 0; i < forbidden_count; i++)
        free(forbidden[i]);
    forbidden_count = 0;

    HOST_OK(r, h, "destroy");
    ASSERT_EQ(host_quit(h), 0);
    ASSERT_EQ(runners_wait(0, 10000), 0);
    /* Stopped as systemd stops it: exit status 0. */
    int status = arcad_stop();
    ASSERT_TRUE(status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0);
    (void)len;
}

/* ------------------------------------------------------------------ forgery */

/* The file offset of the middle byte of each PT_LOAD of the ELF @p image (its measured
 * bytes, whose change the signature catches) into @p out. @return how many. */
static size_t loaded_bytes(const uint8_t *elf, size_t len, size_t *out, size_t max)
{
    Elf64_Ehdr eh;
    size_t n = 0;
    if (len < sizeof eh)
        return 0;
    memcpy(&eh, elf, sizeof eh);
    for (size_t i = 0; i < eh.e_phnum && n < max; i++) {
        Elf64_Phdr ph;
        size_t at = eh.e_phoff + i * sizeof ph;
        if (at + sizeof ph > len)
            break;
        memcpy(&ph, elf + at, sizeof ph);
        if (ph.p_type == PT_LOAD && ph.p_filesz > 0 && ph.p_offset + ph.p_filesz <= len)
            out[n++] = ph.p_offset + ph.p_filesz / 2;
    }
    return n;
}

/* As the host's uid: platform requests on arcad's public socket, the runner socket, and
 * images that do not verify. */
static void host_forges(void)
{
    uint8_t body[ARCA__PW_BIND_SIZE], pkt[ARCA__PW_REQUEST_MAX];
    memset(body, 0, sizeof body);
    {
        /* A BIND for the identity of a real enclave (as a runner would send it). */
        arca_identity_t id;
        memset(&id, 0, sizeof id);
        memcpy(id.measurement, the_identity.measurement, 32);
        memcpy(id.signer_id, the_identity.signer, 32);
        id.product_id = 7;
        id.svn = 1;
        id.backend = ARCA_BACKEND_ID_PROCESS;
        id.protections = the_identity.protections;
        arca__pw_identity_put(&id, body);
    }
    size_t n = arca__pw_request(ARCA__PW_OP_BIND, body, sizeof body, pkt);
    ASSERT_TRUE(bad_request("platform BIND on the public socket", pkt, n, "", -1,
                            ARCA_ERR_BAD_FORMAT, NULL) == 0);
    n = arca__pw_request(ARCA__PW_OP_KEYS, NULL, 0, pkt);
    ASSERT_TRUE(bad_request("platform KEYS on the public socket", pkt, n, "", -1,
                            ARCA_ERR_BAD_FORMAT, "not a version 1 request") == 0);
    uint8_t rd[64] = {1};
    n = arca__pw_request(ARCA__PW_OP_EVIDENCE, rd, sizeof rd, pkt);
    ASSERT_TRUE(bad_request("platform EVIDENCE on the public socket", pkt, n, "", -1,
                            ARCA_ERR_BAD_FORMAT, NULL) == 0);
    uint8_t token[ARCA__PW_TOKEN_SIZE] = {9};
    n = arca__pw_request(ARCA__PW_OP_RESUME, token, sizeof token, pkt);
    ASSERT_TRUE(bad_request("platform RESUME on the public socket", pkt, n, "", -1,
                            ARCA_ERR_BAD_FORMAT, NULL) == 0);
    /* The runner socket: not even reachable. */
    errno = 0;
    ASSERT_TRUE(raw_connect(runner_socket, 0) < 0);
    ASSERT_EQ(errno, EACCES);

    /* LAUNCH of images that do not verify: refused with the verifier's reason. */
    uint8_t launch[ARCA__AW_REQUEST_MAX], zero[ARCA__AW_LAUNCH_SIZE] = {0};
    size_t ln = arca__aw_request(ARCA__AW_OP_LAUNCH, zero, sizeof zero, launch);
    uint8_t *good = image_bytes;
    size_t good_len = image_len;
    image_bytes = unsigned_bytes;
    image_len = unsigned_len;
    ASSERT_TRUE(bad_request("LAUNCH of an unsigned image", launch, ln, "ics", ARCA__AW_OP_LAUNCH,
                            ARCA_ERR_IMAGE_NOT_SIGNED, "arcad refused the image") == 0);
    /* A byte of each loaded segment changed (bytes outside every PT_LOAD are not measured,
     * by design: the loader never maps them). */
    size_t where[8], places = loaded_bytes(good, good_len, where, 8);
    ASSERT_TRUE(places >= 2);
    uint8_t *tampered = malloc(good_len);
    ASSERT_TRUE(tampered != NULL);
    for (size_t i = 0; i < places; i++) {
        memcpy(tampered, good, good_len);
        tampered[where[i]] ^= 0x20;
        image_bytes = tampered;
        image_len = good_len;
        int fds[3], keep[3];
        size_t nkeep = 0;
        int sock = raw_connect(socket_path, 0);
        ASSERT_TRUE(sock >= 0 && make_fds("ics", fds, keep, &nkeep) == 3);
        ASSERT_TRUE(raw_send(sock, launch, ln, fds, 3) == 0);
        arca__fd_close_all(fds, 3);
        int rc = expect_error(sock, ARCA__AW_OP_LAUNCH, ARCA_ERR_MEASUREMENT_MISMATCH,
                              ARCA_ERR_BAD_SIGNATURE, "arcad refused the image", "tampered image");
        if (rc != 0)
            fprintf(stderr, "  (byte %zu of %zu)\n", where[i], good_len);
        ASSERT_EQ(rc, 0);
        close(sock);
        arca__fd_close_all(keep, nkeep);
    }
    free(tampered);
    image_bytes = good;
    image_len = good_len;
}

/* As arcad's own uid (what enclave code in a runner could do): the runner socket resumes only
 * with a token arcad issued, to the very process it issued it to, and never binds. */
static void runner_socket_refuses(void)
{
    uint8_t body[ARCA__PW_BIND_SIZE], pkt[ARCA__PW_REQUEST_MAX], reply[ARCA__PW_REPLY_MAX + 1];
    struct {
        uint16_t op;
        size_t len;
        arca_result_t want;
        const char *what;
    } cases[] = {
        {ARCA__PW_OP_RESUME, ARCA__PW_TOKEN_SIZE, ARCA_ERR_PERMISSION, "RESUME, made-up token"},
        {ARCA__PW_OP_BIND, ARCA__PW_BIND_SIZE, ARCA_ERR_PERMISSION, "BIND on the runner socket"},
        {ARCA__PW_OP_EVIDENCE, 64, ARCA_ERR_BAD_FORMAT, "EVIDENCE before RESUME"},
    };
    ASSERT_EQ(getuid(), arcad_uid);
    memset(body, 0x5A, sizeof body);
    {
        /* The identity of the enclave that runs (well formed: refused for where it comes). */
        arca_identity_t id;
        memset(&id, 0, sizeof id);
        memcpy(id.measurement, the_identity.measurement, 32);
        memcpy(id.signer_id, the_identity.signer, 32);
        id.product_id = 7;
        id.svn = 1;
        id.backend = ARCA_BACKEND_ID_PROCESS;
        id.protections = the_identity.protections;
        arca__pw_identity_put(&id, body);
    }
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        arca_result_t verdict = ARCA_OK;
        const uint8_t *payload = NULL;
        size_t plen = 0;
        int sock = raw_connect(runner_socket, 0);
        ASSERT_TRUE(sock >= 0);
        size_t n = arca__pw_request(cases[i].op, body, cases[i].len, pkt);
        ASSERT_EQ(send(sock, pkt, n, MSG_NOSIGNAL), (ssize_t)n);
        ssize_t got = recv(sock, reply, sizeof reply, 0);
        ASSERT_TRUE(got > 0);
        ASSERT_OK(arca__pw_reply_parse(reply, (size_t)got, cases[i].op, &verdict, &payload, &plen));
        if (verdict != cases[i].want)
            TEST__FAIL("%s: got %s (%.*s)", cases[i].what, arca_result_name(verdict), (int)plen,
                       (const char *)payload);
        ASSERT_TRUE(expect_eof(sock, cases[i].what) == 0);
        close(sock);
    }
}

static void test_forgery(void)
{
    const char *r;
    char hex[256];
    size_t len = 0;
    uint8_t nonce_b[32];
    ASSERT_TRUE(arcad_start() == 0);
    ASSERT_TRUE(load_root() == 0);
    host *h = host_start(HOST_UID, host_bin, image);
    ASSERT_TRUE(h != NULL);
    HOST_OK(r, h, "create");
    HOST_OK(r, h, "identity");
    ASSERT_TRUE(parse_identity(r, &the_identity) == 0);
    for (size_t i = 0; i < sizeof the_nonce; i++) {
        the_nonce[i] = (uint8_t)(0xA0 + i);
        nonce_b[i] = (uint8_t)(0xA0 + i);
    }
    nonce_b[31] ^= 1;
    to_hex(the_nonce, sizeof the_nonce, hex);
    HOST_OK(r, h, "evidence %s", hex);
    uint8_t *ev = unhex_reply(r, &len);
    ASSERT_TRUE(ev != NULL);
    ASSERT_OK(verify(ev, len, the_identity.measurement, the_nonce, 32, ARCA_PLATFORM_ARCAD,
                     root_pem, root_pem_len, NULL));
    /* Replayed for another nonce. */
    ASSERT_RESULT(verify(ev, len, the_identity.measurement, nonce_b, 32, ARCA_PLATFORM_ARCAD,
                         root_pem, root_pem_len, NULL),
                  ARCA_ERR_VERIFY_REPORT_DATA);
    /* Edited: each of many bytes (header, identity, report data, signature, chain). */
    size_t positions[] = {0, 6, 10, 16, 40, 60, 100, 140, 200, 260, len / 2, len - 80, len - 1};
    for (size_t i = 0; i < sizeof positions / sizeof positions[0]; i++) {
        size_t at = positions[i] < len ? positions[i] : len - 1;
        ev[at] ^= 0x01;
        arca_result_t v = verify(ev, len, the_identity.measurement, the_nonce, 32,
                                 ARCA_PLATFORM_ARCAD, root_pem, root_pem_len, NULL);
        ev[at] ^= 0x01;
        if (v == ARCA_OK)
            TEST__FAIL("evidence with byte %zu of %zu flipped verified", at, len);
    }
    ASSERT_TRUE(verify(ev, len - 1, the_identity.measurement, the_nonce, 32, ARCA_PLATFORM_ARCAD,
                       root_pem, root_pem_len, NULL) != ARCA_OK);
    ASSERT_OK(verify(ev, len, the_identity.measurement, the_nonce, 32, ARCA_PLATFORM_ARCAD,
                     root_pem, root_pem_len, NULL));
    /* Another measurement in the policy: the enclave's evidence names its own. */
    {
        uint8_t other[32];
        memcpy(other, the_identity.measurement, 32);
        other[0] ^= 1;
        ASSERT_RESULT(verify(ev, len, other, the_nonce, 32, ARCA_PLATFORM_ARCAD, root_pem,
                             root_pem_len, NULL),
                      ARCA_ERR_VERIFY_MEASUREMENT);
    }
    free(ev);

    ASSERT_EQ(run_as(HOST_UID, host_forges), 0);
    ASSERT_EQ(run_as(arcad_uid, runner_socket_refuses), 0);
    /* The enclave went on serving throughout; no runner was started for the forgeries. */
    HOST_OK(r, h, "ping");
    ASSERT_EQ(runners_wait(1, 5000), 1);
    HOST_OK(r, h, "destroy");
    ASSERT_EQ(host_quit(h), 0);
    ASSERT_EQ(runners_wait(0, 10000), 0);
}

/* ------------------------------------------------------------------ faults */

#define LOOP_HOSTS 4
#define LOOP_COUNT 1000

typedef struct loop_state {
    uint64_t last, values[LOOP_COUNT + 8];
    size_t count;
    int done, failed, outages;
} loop_state;

/* Read what the looping hosts said for @p ms. @return -1 after saying what broke the rules. */
static int pump(host **hs, loop_state *st, int ms)
{
    int64_t end = now_ms() + ms;
    for (;;) {
        struct pollfd p[LOOP_HOSTS];
        int open_fds = 0;
        for (int i = 0; i < LOOP_HOSTS; i++) {
            const char *line;
            while (!st[i].done && (line = host_read_line(hs[i], 0)) != NULL) {
                unsigned long long v = 0;
                if (sscanf(line, "v %llu", &v) == 1) {
                    if (v <= st[i].last || st[i].count >= LOOP_COUNT) {
                        fprintf(stderr, "host %d: acknowledged %llu after %llu (%zu values)\n", i,
                                v, (unsigned long long)st[i].last, st[i].count);
                        return -1;
                    }
                    st[i].last = v;
                    st[i].values[st[i].count++] = v;
                } else if (!strcmp(line, "unavailable")) {
                    st[i].outages++;
                } else if (sscanf(line, "done %llu", &v) == 1) {
                    st[i].done = 1;
                    if (v != st[i].last || st[i].count != LOOP_COUNT) {
                        fprintf(stderr, "host %d: done %llu after %zu values, the last %llu\n", i,
                                v, st[i].count, (unsigned long long)st[i].last);
                        return -1;
                    }
                } else {
                    fprintf(stderr, "host %d said \"%s\"\n", i, line);
                    host_show_log(hs[i]);
                    return -1;
                }
            }
            p[i] = (struct pollfd){st[i].done ? -1 : hs[i]->out, POLLIN, 0};
            open_fds += !st[i].done;
        }
        int64_t left = end - now_ms();
        if (!open_fds || left <= 0)
            return 0;
        (void)poll(p, LOOP_HOSTS, (int)left);
    }
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* kill -9 of arcad, many times, while LOOP_HOSTS enclaves increment one counter. */
static void kill_during_increments(void)
{
    host *hs[LOOP_HOSTS];
    static loop_state st[LOOP_HOSTS];
    static uint64_t all[LOOP_HOSTS * LOOP_COUNT];
    const char *r;
    int kills = 0;
    memset(st, 0, sizeof st);
    for (int i = 0; i < LOOP_HOSTS; i++) {
        hs[i] = host_start(HOST_UID, host_bin, image);
        ASSERT_TRUE(hs[i] != NULL);
        HOST_OK(r, hs[i], "create");
    }
    HOST_OK(r, hs[0], "counter create shared");
    int64_t t0 = now_ms();
    for (int i = 0; i < LOOP_HOSTS; i++)
        ASSERT_TRUE(host_send(hs[i], "incloop shared %d", LOOP_COUNT) == 0);
    for (;;) {
        int all_done = 1;
        ASSERT_TRUE(pump(hs, st, 20 + rand() % 200) == 0);
        for (int i = 0; i < LOOP_HOSTS; i++)
            all_done &= st[i].done;
        if (all_done)
            break;
        ASSERT_TRUE(now_ms() - t0 < 120000);
        arcad_kill9();
        kills++;
        ASSERT_TRUE(pump(hs, st, 30 + rand() % 150) == 0);
        ASSERT_TRUE(arcad_start() == 0);
    }
    fprintf(stderr, "  %d x %d increments with %d kills of arcad in %lld ms\n", LOOP_HOSTS,
            LOOP_COUNT, kills, (long long)(now_ms() - t0));
    ASSERT_TRUE(kills >= 5);
    /* No value was acknowledged twice, to any two enclaves. */
    size_t total = 0;
    uint64_t max = 0;
    int outages = 0;
    for (int i = 0; i < LOOP_HOSTS; i++) {
        memcpy(all + total, st[i].values, st[i].count * sizeof st[i].values[0]);
        total += st[i].count;
        max = st[i].last > max ? st[i].last : max;
        outages += st[i].outages;
    }
    ASSERT_TRUE(outages >= 1); /* the kills did land while increments ran */
    qsort(all, total, sizeof all[0], cmp_u64);
    for (size_t i = 1; i < total; i++)
        if (all[i] == all[i - 1])
            TEST__FAIL("the value %llu was acknowledged twice", (unsigned long long)all[i]);
    /* The counter is at least every acknowledged value; above their number only by increments
     * that were in flight at a kill (one per host per kill at most). */
    HOST_OK(r, hs[0], "counter read shared");
    unsigned long long final = strtoull(r + 3, NULL, 10);
    ASSERT_TRUE(final >= max);
    ASSERT_TRUE(final >= total);
    ASSERT_TRUE(final <= total + (size_t)kills * LOOP_HOSTS);
    for (int i = 0; i < LOOP_HOSTS; i++) {
        HOST_OK(r, hs[i], "destroy");
        ASSERT_EQ(host_quit(hs[i]), 0);
        host_free(hs[i]);
    }
    ASSERT_EQ(runners_wait(0, 10000), 0);
}

static void test_faults(void)
{
    const char *r;
    char hex[130];
    size_t len = 0;
    ASSERT_TRUE(arcad_start() == 0);
    ASSERT_TRUE(load_root() == 0);
    host *a = host_start(HOST_UID, host_bin, image), *b = host_start(HOST_UID, host_bin, image);
    ASSERT_TRUE(a != NULL && b != NULL);
    HOST_OK(r, a, "create");
    HOST_OK(r, a, "identity");
    ASSERT_TRUE(parse_identity(r, &the_identity) == 0);
    HOST_OK(r, a, "counter create r");
    HOST_OK(r, a, "counter inc r");
    ASSERT_STREQ(r, "ok 1");
    HOST_OK(r, a, "seal 0102030405");
    char *blob = strdup(r + 3);
    ASSERT_TRUE(blob != NULL);

    /* arcad down: calls go on, and so does sealing (the enclave holds its keys since create);
     * evidence and counters wait for arcad; creates say it is not running. */
    arcad_kill9();
    for (int i = 0; i < 5; i++)
        HOST_OK(r, a, "ping");
    HOST_OK(r, a, "unseal %s", blob);
    ASSERT_STREQ(r, "ok 0102030405");
    HOST_OK(r, a, "seal 0607");
    HOST_ERR(r, a, "ERR_PLATFORM_UNAVAILABLE", "evidence 01");
    HOST_ERR(r, a, "ERR_PLATFORM_UNAVAILABLE", "counter inc r");
    HOST_ERR(r, a, "ERR_PLATFORM_UNAVAILABLE", "counter read r");
    HOST_ERR(r, a, "ERR_PLATFORM_UNAVAILABLE", "create");
    ASSERT_CONTAINS(r, "not running");
    HOST_OK(r, a, "ping");

    /* Back: evidence (verifying), counters (the value kept), creates. */
    ASSERT_TRUE(arcad_start() == 0);
    for (size_t i = 0; i < sizeof the_nonce; i++)
        the_nonce[i] = (uint8_t)(0x30 + i);
    to_hex(the_nonce, sizeof the_nonce, hex);
    HOST_OK(r, a, "evidence %s", hex);
    uint8_t *ev = unhex_reply(r, &len);
    ASSERT_TRUE(ev != NULL);
    ASSERT_OK(verify(ev, len, the_identity.measurement, the_nonce, sizeof the_nonce,
                     ARCA_PLATFORM_ARCAD, root_pem, root_pem_len, NULL));
    free(ev);
    HOST_OK(r, a, "counter inc r");
    ASSERT_STREQ(r, "ok 2");
    HOST_OK(r, b, "create");
    HOST_OK(r, b, "counter read r");
    ASSERT_STREQ(r, "ok 2");
    HOST_OK(r, b, "unseal %s", blob);
    free(blob);
    ASSERT_EQ(runners_wait(2, 5000), 2);
    /* Twice more, quickly. */
    for (int i = 0; i < 2; i++) {
        arcad_kill9();
        HOST_OK(r, a, "ping");
        ASSERT_TRUE(arcad_start() == 0);
        HOST_OK(r, a, "counter inc r");
        ASSERT_STREQ(r, i == 0 ? "ok 3" : "ok 4");
    }
    /* An enclave that dies: the host learns it, arcad forgets it (its runner, its record). */
    r = host_cmd(b, "abort");
    ASSERT_TRUE(starts(r, "error ERR_ENCLAVE_LOST"));
    r = host_cmd(b, "ping");
    ASSERT_TRUE(starts(r, "error ERR_ENCLAVE_LOST"));
    HOST_OK(r, b, "destroy");
    HOST_OK(r, a, "destroy");
    ASSERT_EQ(host_quit(a), 0);
    ASSERT_EQ(host_quit(b), 0);
    host_free(a);
    host_free(b);
    ASSERT_EQ(runners_wait(0, 10000), 0);
    for (int64_t end = now_ms() + 5000; records_count() != 0 && now_ms() < end;)
        sleep_ms(10);
    ASSERT_EQ(records_count(), 0);

    kill_during_increments();
}

/* ------------------------------------------------------------------ load */

/* As the host's uid, after the load: INFO counts no live enclave and the one counter. */
static void info_after_load(void)
{
    arca__aw_info info;
    uint8_t root[ARCA_EVIDENCE_MAX_CERT_SIZE];
    size_t root_len = 0;
    ASSERT_TRUE(raw_info(&info, root, sizeof root, &root_len) == 0);
    ASSERT_EQ(info.uid, HOST_UID);
    ASSERT_EQ(info.enclaves, 0);
    ASSERT_EQ(info.enclave_quota, 64);
    ASSERT_EQ(info.counters, 1);
}

static void test_load(void)
{
    const char *r;
    arcad_options("--enclaves-per-uid", "64", NULL);
    ASSERT_TRUE(arcad_start() == 0);
    host *h = host_start(HOST_UID, host_bin, image);
    ASSERT_TRUE(h != NULL);
    /* A warm-up (the counter database opens its journal), then the baseline. */
    HOST_OK(r, h, "load 1 1");
    ASSERT_EQ(runners_wait(0, 10000), 0);
    sleep_ms(200);
    int fds0 = fd_count(arcad_pid), threads0 = thread_count(arcad_pid);
    ASSERT_TRUE(fds0 > 0 && threads0 > 0);
    int64_t t0 = now_ms();
    HOST_OK(r, h, "load 64 3");
    ASSERT_STREQ(r, "ok 192");
    fprintf(stderr, "  64 clients x 3 rounds in %lld ms\n", (long long)(now_ms() - t0));
    HOST_OK(r, h, "create");
    HOST_OK(r, h, "counter read load");
    ASSERT_STREQ(r, "ok 193");
    HOST_OK(r, h, "destroy");
    /* Nothing left behind. */
    ASSERT_EQ(runners_wait(0, 10000), 0);
    int fds = -1, threads = -1;
    for (int64_t end = now_ms() + 10000; now_ms() < end; sleep_ms(20)) {
        fds = fd_count(arcad_pid);
        threads = thread_count(arcad_pid);
        if (fds == fds0 && threads == threads0 && records_count() == 0)
            break;
    }
    ASSERT_EQ(fds, fds0);
    ASSERT_EQ(threads, threads0);
    ASSERT_EQ(records_count(), 0);
    /* arcad's book agrees: no live enclave of the host's uid, its one counter. */
    ASSERT_EQ(run_as(HOST_UID, info_after_load), 0);
    ASSERT_EQ(host_quit(h), 0);
}

/* ------------------------------------------------------------------ bad input */

/* As the host's uid: every malformed request, on its own connection. */
static void hostile_client(void)
{
    uint8_t pkt[70000], body[65600];
    uint8_t zero8[8] = {0};
    char what[128];
    size_t n;
    memset(body, 0, sizeof body);

    /* Every request, truncated at every length (with the descriptors it would carry). */
    struct {
        uint16_t op;
        size_t body;
        const char *fds;
    } whole[] = {
        {ARCA__AW_OP_LAUNCH, 8, "ics"}, {ARCA__AW_OP_INFO, 0, ""}, {ARCA__AW_OP_KILL, 0, ""}};
    for (size_t k = 0; k < 3; k++) {
        size_t full = arca__aw_request(whole[k].op, zero8, whole[k].body, pkt);
        for (size_t cut = 0; cut < full; cut++) {
            snprintf(what, sizeof what, "op %u cut to %zu of %zu bytes", whole[k].op, cut, full);
            ASSERT_TRUE(bad_request(what, pkt, cut, whole[k].fds,
                                    cut < ARCA__AW_HEADER ? -1 : whole[k].op, ARCA_ERR_BAD_FORMAT,
                                    NULL) == 0);
        }
    }
    /* Oversized, up to 64 KiB: one byte over the largest request is read and refused by its
     * length; anything longer cannot even be read whole. */
    static const size_t big[] = {ARCA__AW_REQUEST_MAX + 1, ARCA__AW_REQUEST_MAX + 2, 100, 4096,
                                 65536};
    for (size_t k = 0; k < sizeof big / sizeof big[0]; k++) {
        int readable = big[k] <= ARCA__AW_REQUEST_MAX + 1;
        const char *why = readable ? "body bytes" : "unreadable";
        n = packet(pkt, "ADRQ", 1, ARCA__AW_OP_INFO, (uint32_t)(big[k] - 16), 0, body, big[k] - 16);
        snprintf(what, sizeof what, "INFO of %zu bytes", n);
        ASSERT_TRUE(bad_request(what, pkt, n, "", readable ? (int)ARCA__AW_OP_INFO : -1,
                                ARCA_ERR_BAD_FORMAT, why) == 0);
        snprintf(what, sizeof what, "LAUNCH of %zu bytes", n);
        n = packet(pkt, "ADRQ", 1, ARCA__AW_OP_LAUNCH, (uint32_t)(big[k] - 16), 0, body,
                   big[k] - 16);
        ASSERT_TRUE(bad_request(what, pkt, n, "ics", readable ? (int)ARCA__AW_OP_LAUNCH : -1,
                                ARCA_ERR_BAD_FORMAT, why) == 0);
    }
    /* Lengths that lie. */
    struct {
        uint16_t op;
        uint32_t says;
        size_t has;
        const char *fds;
    } lies[] = {
        {ARCA__AW_OP_INFO, 8, 0, ""},
        {ARCA__AW_OP_INFO, 0, 8, ""},
        {ARCA__AW_OP_INFO, 0xFFFFFFFFu, 0, ""},
        {ARCA__AW_OP_KILL, 4, 4, ""},
        {ARCA__AW_OP_LAUNCH, 0, 8, "ics"},
        {ARCA__AW_OP_LAUNCH, 8, 4, "ics"},
        {ARCA__AW_OP_LAUNCH, 0xFFFFFFFFu, 8, "ics"},
        {ARCA__AW_OP_LAUNCH, 4, 4, "ics"},
        {ARCA__AW_OP_LAUNCH, 0x80000008u, 8, "ics"},
    };
    for (size_t k = 0; k < sizeof lies / sizeof lies[0]; k++) {
        n = packet(pkt, "ADRQ", 1, lies[k].op, lies[k].says, 0, body, lies[k].has);
        snprintf(what, sizeof what, "op %u saying %u body bytes, with %zu", lies[k].op,
                 lies[k].says, lies[k].has);
        ASSERT_TRUE(bad_request(what, pkt, n, lies[k].fds, lies[k].op, ARCA_ERR_BAD_FORMAT,
                                "body bytes") == 0);
    }
    /* Bad magic, version, reserved fields, flags. */
    n = packet(pkt, "ADRP", 1, ARCA__AW_OP_INFO, 0, 0, NULL, 0);
    ASSERT_TRUE(bad_request("a reply's magic", pkt, n, "", -1, ARCA_ERR_BAD_FORMAT, NULL) == 0);
    n = packet(pkt, "ADRQ", 2, ARCA__AW_OP_INFO, 0, 0, NULL, 0);
    ASSERT_TRUE(bad_request("version 2", pkt, n, "", -1, ARCA_ERR_BAD_FORMAT, NULL) == 0);
    n = packet(pkt, "ADRQ", 0, ARCA__AW_OP_INFO, 0, 0, NULL, 0);
    ASSERT_TRUE(bad_request("version 0", pkt, n, "", -1, ARCA_ERR_BAD_FORMAT, NULL) == 0);
    n = packet(pkt, "ADRQ", 1, ARCA__AW_OP_INFO, 0, 1, NULL, 0);
    ASSERT_TRUE(bad_request("reserved set", pkt, n, "", ARCA__AW_OP_INFO, ARCA_ERR_BAD_FORMAT,
                            "reserved") == 0);
    {
        uint8_t flags[8] = {1, 0, 0, 0, 0, 0, 0, 0}, reserved[8] = {0, 0, 0, 0, 0, 0, 0, 0x80};
        n = packet(pkt, "ADRQ", 1, ARCA__AW_OP_LAUNCH, 8, 0, flags, 8);
        ASSERT_TRUE(bad_request("LAUNCH flags set", pkt, n, "ics", ARCA__AW_OP_LAUNCH,
                                ARCA_ERR_BAD_FORMAT, "flags") == 0);
        n = packet(pkt, "ADRQ", 1, ARCA__AW_OP_LAUNCH, 8, 0, reserved, 8);
        ASSERT_TRUE(bad_request("LAUNCH reserved set", pkt, n, "ics", ARCA__AW_OP_LAUNCH,
                                ARCA_ERR_BAD_FORMAT, "reserved") == 0);
    }
    /* Unknown ops (EXITED is arcad's, not a request), and KILL before LAUNCH. */
    static const uint16_t unknown[] = {0, ARCA__AW_OP_EXITED, 5, 0x7FFF, 0xFFFF};
    for (size_t k = 0; k < sizeof unknown / sizeof unknown[0]; k++) {
        n = packet(pkt, "ADRQ", 1, unknown[k], 0, 0, NULL, 0);
        snprintf(what, sizeof what, "op %u", unknown[k]);
        ASSERT_TRUE(bad_request(what, pkt, n, "", -1, ARCA_ERR_BAD_FORMAT, "unknown op") == 0);
    }
    n = arca__aw_request(ARCA__AW_OP_KILL, NULL, 0, pkt);
    ASSERT_TRUE(bad_request("KILL before LAUNCH", pkt, n, "", ARCA__AW_OP_KILL, ARCA_ERR_BAD_FORMAT,
                            "KILL before LAUNCH") == 0);

    /* Descriptors where none belong, too few, too many. */
    n = arca__aw_request(ARCA__AW_OP_INFO, NULL, 0, pkt);
    ASSERT_TRUE(bad_request("INFO with a pipe", pkt, n, "p", ARCA__AW_OP_INFO, ARCA_ERR_BAD_FORMAT,
                            "descriptors") == 0);
    ASSERT_TRUE(bad_request("INFO with 3 descriptors", pkt, n, "ics", ARCA__AW_OP_INFO,
                            ARCA_ERR_BAD_FORMAT, "descriptors") == 0);
    n = arca__aw_request(ARCA__AW_OP_KILL, NULL, 0, pkt);
    ASSERT_TRUE(bad_request("KILL with a pipe", pkt, n, "p", ARCA__AW_OP_KILL, ARCA_ERR_BAD_FORMAT,
                            "descriptors") == 0);
    n = arca__aw_request(ARCA__AW_OP_LAUNCH, zero8, 8, pkt);
    static const char *const few[] = {"", "i", "ic", "pp"};
    for (size_t k = 0; k < sizeof few / sizeof few[0]; k++) {
        snprintf(what, sizeof what, "LAUNCH with %zu descriptors", strlen(few[k]));
        ASSERT_TRUE(bad_request(what, pkt, n, few[k], ARCA__AW_OP_LAUNCH, ARCA_ERR_BAD_FORMAT,
                                "descriptors") == 0);
    }
    static const char *const many[] = {"icsp", "icsppppp", "pppppppppppppppp"};
    for (size_t k = 0; k < sizeof many / sizeof many[0]; k++) {
        snprintf(what, sizeof what, "LAUNCH with %zu descriptors", strlen(many[k]));
        ASSERT_TRUE(bad_request(what, pkt, n, many[k], -1, ARCA_ERR_BAD_FORMAT, "unreadable") == 0);
    }
    /* Descriptors of the wrong kinds, in each place. */
    struct {
        const char *fds, *needle;
    } kinds[] = {
        {"pcs", "image descriptor is not a sealed memfd"},
        {"ucs", "image descriptor is not a sealed memfd"},
        {"wcs", "image descriptor is not a sealed memfd"},
        {"dcs", "image descriptor is not a sealed memfd"},
        {"sps", NULL}, /* a socket where the image goes (and a pipe as channel) */
        {"ips", "channel descriptor is not a sealed memfd"},
        {"ius", "channel descriptor is not a sealed memfd"},
        {"ict", "control descriptor is not a SOCK_SEQPACKET"},
        {"icS", "control descriptor is not a SOCK_SEQPACKET"},
        {"icp", "control descriptor is not a SOCK_SEQPACKET"},
        {"icc", "control descriptor is not a SOCK_SEQPACKET"},
        {"icd", "control descriptor is not a SOCK_SEQPACKET"},
    };
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        snprintf(what, sizeof what, "LAUNCH with descriptors '%s'", kinds[k].fds);
        ASSERT_TRUE(bad_request(what, pkt, n, kinds[k].fds, ARCA__AW_OP_LAUNCH, ARCA_ERR_BAD_FORMAT,
                                kinds[k].needle) == 0);
    }
    /* Two requests at once on one connection: one answer at most, then the end. (arcad
     * closes with the second unread, so the kernel may report ECONNRESET before the answer.) */
    {
        int sock = raw_connect(socket_path, 0), answers = 0;
        uint8_t req[ARCA__AW_HEADER], reply[ARCA__AW_REPLY_MAX + 1];
        ssize_t got;
        ASSERT_TRUE(sock >= 0);
        n = arca__aw_request(ARCA__AW_OP_INFO, NULL, 0, req);
        ASSERT_TRUE(raw_send(sock, req, n, NULL, 0) == 0);
        (void)raw_send(sock, req, n, NULL, 0);
        while ((got = recv(sock, reply, sizeof reply, 0)) > 0)
            answers++;
        ASSERT_TRUE(got == 0 || (got < 0 && errno == ECONNRESET));
        ASSERT_TRUE(answers <= 1);
        close(sock);
    }
}

/* As the host's uid: raw LAUNCHes that start a runner — then KILL (EXITED follows), anything
 * else on the lease (an error, the runner killed), or the lease dropped. */
static void raw_leases(void)
{
    uint8_t launch[ARCA__AW_REQUEST_MAX], zero8[8] = {0}, reply[ARCA__AW_REPLY_MAX + 1];
    size_t ln = arca__aw_request(ARCA__AW_OP_LAUNCH, zero8, 8, launch);
    for (int mode = 0; mode < 3; mode++) {
        int fds[3], keep[3], got_fds[ARCA__AW_MAX_FDS] = {-1, -1, -1};
        size_t nkeep = 0, nfds = 0, len = 0;
        const uint8_t *body = NULL;
        arca_result_t verdict = ARCA_OK;
        int sock = raw_connect(socket_path, 0);
        ASSERT_TRUE(sock >= 0 && make_fds("ics", fds, keep, &nkeep) == 3);
        ASSERT_TRUE(raw_send(sock, launch, ln, fds, 3) == 0);
        arca__fd_close_all(fds, 3);
        ssize_t n = arca__fd_recv(sock, reply, sizeof reply, got_fds, ARCA__AW_MAX_FDS, &nfds);
        ASSERT_TRUE(n > 0);
        ASSERT_OK(arca__aw_reply_parse(reply, (size_t)n, nfds, ARCA__AW_OP_LAUNCH, &verdict, &body,
                                       &len));
        if (verdict != ARCA_OK)
            TEST__FAIL("raw LAUNCH: %s %.*s", arca_result_name(verdict), (int)len,
                       (const char *)body);
        ASSERT_EQ(nfds, 1);
        ASSERT_TRUE(arca__get_le32(body) > 0);
        arca__fd_close_all(got_fds, ARCA__AW_MAX_FDS);
        if (mode == 0) {
            uint8_t kill_req[ARCA__AW_HEADER];
            size_t kn = arca__aw_request(ARCA__AW_OP_KILL, NULL, 0, kill_req);
            ASSERT_TRUE(raw_send(sock, kill_req, kn, NULL, 0) == 0);
            n = arca__fd_recv(sock, reply, sizeof reply, got_fds, ARCA__AW_MAX_FDS, &nfds);
            ASSERT_TRUE(n > 0);
            ASSERT_OK(arca__aw_reply_parse(reply, (size_t)n, nfds, ARCA__AW_OP_EXITED, &verdict,
                                           &body, &len));
            ASSERT_OK(verdict);
            int status = (int)arca__get_le32(body);
            ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
        } else if (mode == 1) {
            uint8_t info[ARCA__AW_HEADER];
            size_t in = arca__aw_request(ARCA__AW_OP_INFO, NULL, 0, info);
            ASSERT_TRUE(raw_send(sock, info, in, NULL, 0) == 0);
            ASSERT_TRUE(expect_error(sock, ARCA__AW_OP_INFO, ARCA_ERR_BAD_FORMAT, ARCA_OK,
                                     "only KILL may follow LAUNCH", "INFO on a lease") == 0);
        }
        close(sock);
        /* The runner is gone in each case: its end of the control socket closes. */
        struct pollfd p = {keep[0], POLLIN, 0};
        ASSERT_EQ(poll(&p, 1, 10000), 1);
        ASSERT_TRUE(p.revents & (POLLHUP | POLLIN));
        arca__fd_close_all(keep, nkeep);
    }
}

/* As the host's uid: silence is cut off after the idle time-out; idle clients block nobody. */
static void idle_clients(void)
{
    int idle[50];
    arca__aw_info info;
    uint8_t root[ARCA_EVIDENCE_MAX_CERT_SIZE];
    size_t root_len = 0;
    int sock = raw_connect(socket_path, 0);
    ASSERT_TRUE(sock >= 0);
    int64_t t0 = now_ms();
    ASSERT_TRUE(expect_error(sock, -1, ARCA_ERR_TIMEOUT, ARCA_OK, "no request within 300 ms",
                             "silent client") == 0);
    int64_t waited = now_ms() - t0;
    close(sock);
    fprintf(stderr, "  a silent client was closed after %lld ms\n", (long long)waited);
    ASSERT_TRUE(waited >= 250 && waited < 5000);
    for (int i = 0; i < 50; i++) {
        idle[i] = raw_connect(socket_path, 0);
        ASSERT_TRUE(idle[i] >= 0);
    }
    t0 = now_ms();
    ASSERT_TRUE(raw_info(&info, root, sizeof root, &root_len) == 0);
    /* Served at once, not after the idle ones (50 x 300 ms one after another). */
    ASSERT_TRUE(now_ms() - t0 < 2000);
    ASSERT_EQ(info.uid, HOST_UID);
    ASSERT_EQ(info.enclaves, 0);
    for (int i = 0; i < 50; i++)
        close(idle[i]);
}

static void test_bad_input(void)
{
    const char *r;
    arcad_options("--idle-timeout", "300", NULL);
    ASSERT_TRUE(arcad_start() == 0);
    host *h = host_start(HOST_UID, host_bin, image);
    ASSERT_TRUE(h != NULL);
    HOST_OK(r, h, "load 1 1"); /* warm-up: the counter database's journal */
    ASSERT_EQ(runners_wait(0, 10000), 0);
    sleep_ms(200);
    int fds0 = fd_count(arcad_pid), threads0 = thread_count(arcad_pid);
    int64_t t0 = now_ms();
    ASSERT_EQ(run_as(HOST_UID, hostile_client), 0);
    fprintf(stderr, "  hostile requests took %lld ms\n", (long long)(now_ms() - t0));
    ASSERT_EQ(runners_wait(0, 10000), 0);
    ASSERT_EQ(run_as(HOST_UID, raw_leases), 0);
    ASSERT_EQ(runners_wait(0, 10000), 0);
    ASSERT_EQ(run_as(HOST_UID, idle_clients), 0);
    int fds = -1, threads = -1;
    for (int64_t end = now_ms() + 10000; now_ms() < end; sleep_ms(20)) {
        fds = fd_count(arcad_pid);
        threads = thread_count(arcad_pid);
        if (fds == fds0 && threads == threads0 && records_count() == 0)
            break;
    }
    ASSERT_EQ(fds, fds0);
    ASSERT_EQ(threads, threads0);
    ASSERT_EQ(records_count(), 0);
    /* arcad still serves a real host. */
    HOST_OK(r, h, "create");
    HOST_OK(r, h, "ping");
    HOST_OK(r, h, "counter inc load");
    ASSERT_STREQ(r, "ok 2");
    HOST_OK(r, h, "destroy");
    ASSERT_EQ(host_quit(h), 0);
    ASSERT_EQ(runners_wait(0, 10000), 0);
}

/* ------------------------------------------------------------------ quotas */

static void test_quotas(void)
{
    const char *r;
    arcad_options("--enclaves-per-uid", "2", "--counters-per-uid", "2", NULL);
    ASSERT_TRUE(arcad_start() == 0);
    host *h = host_start(HOST_UID, host_bin, image);
    host *other = host_start(OTHER_UID, host_bin, image);
    ASSERT_TRUE(h != NULL && other != NULL);
    HOST_OK(r, h, "create");
    HOST_OK(r, h, "create");
    HOST_ERR(r, h, "ERR_QUOTA", "create");
    ASSERT_CONTAINS(r, "--enclaves-per-uid");
    /* Another uid has its own quota. */
    HOST_OK(r, other, "create");
    HOST_OK(r, other, "ping");
    /* A destroyed enclave gives its slot back at once. */
    for (int i = 0; i < 5; i++) {
        HOST_OK(r, h, "destroy");
        HOST_OK(r, h, "create");
    }
    HOST_ERR(r, h, "ERR_QUOTA", "create");
    HOST_OK(r, h, "ping");
    /* Counters: two per uid (the policy and the enclave do not matter). */
    HOST_OK(r, h, "counter create q1");
    HOST_OK(r, h, "counter create q2 signer");
    HOST_ERR(r, h, "ERR_QUOTA", "counter create q3");
    HOST_OK(r, h, "counter inc q1");
    HOST_OK(r, other, "counter create q3"); /* another uid's count */
    HOST_OK(r, h, "destroy");
    HOST_OK(r, h, "destroy");
    HOST_OK(r, other, "destroy");
    ASSERT_EQ(runners_wait(0, 10000), 0);

    /* An image larger than --max-image-size. */
    int status = arcad_stop();
    ASSERT_TRUE(status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0);
    arcad_options("--max-image-size", "4096", NULL);
    ASSERT_TRUE(arcad_start() == 0);
    HOST_ERR(r, h, "ERR_QUOTA", "create");
    ASSERT_CONTAINS(r, "--max-image-size");
    ASSERT_EQ(runners_wait(0, 2000), 0);
    ASSERT_EQ(host_quit(h), 0);
    ASSERT_EQ(host_quit(other), 0);
}

/* ------------------------------------------------------------------ main */

int main(int argc, char **argv)
{
    static const harness_group groups[] = {
        {"cross_user", test_cross_user}, {"forgery", test_forgery},
        {"faults", test_faults},         {"load", test_load},
        {"bad_input", test_bad_input},   {"quotas", test_quotas},
    };
    int rc = 1;
    void (*fn)(void) = harness_pick(groups, sizeof groups / sizeof groups[0], argc, argv, 7,
                                    "GROUP ARCAD RUNNER DAEMON_HOST IMAGE UNSIGNED_IMAGE");
    if (!fn)
        return 2;
    srand((unsigned)getpid());
    if (setup("test_arcad", "arcad", 61000) != 0)
        return 1;
    if (install(argv[2], "arcad", 0755, arcad_bin, sizeof arcad_bin) == 0 &&
        install(argv[3], "arca-runner", 0755, runner_bin, sizeof runner_bin) == 0 &&
        install(argv[4], "daemon_host", 0755, host_bin, sizeof host_bin) == 0 &&
        install(argv[5], "daemon_enclave.signed.so", 0644, image, sizeof image) == 0 &&
        install(argv[6], "daemon_enclave.unsigned.so", 0644, unsigned_image,
                sizeof unsigned_image) == 0 &&
        (image_bytes = read_all(image, &image_len)) != NULL &&
        (unsigned_bytes = read_all(unsigned_image, &unsigned_len)) != NULL)
        rc = harness_run(fn);
    harness_end();
    free(unsigned_bytes);
    free(root_pem);
    return rc;
}
