/*
 * test_host_holds_no_keys.c — on `process` the host process never holds the enclave's derived
 * keys (issue 12, "Done when"): a platform served from another process (platform_double.c, the
 * dev platform on its own key directory, under another uid when the test starts as root)
 * answers the runner's platform connection (options.platform = "unix:PATH"); after seal under
 * both policies, unseal and evidence, a scan of this process's writable memory (the mappings of
 * attest/memscan.h) finds none of the keys the double derived
 * for the enclave — while it lives and after it is gone. The evidence verifies under the
 * double's certificate and not under this user's own dev platform, so the keys and evidence
 * really came from the double. The scan is shown to work first, on made-up secrets.
 *
 * Control, in the same run: the same enclave on `sim` with the same platform, whose runtime
 * lives in this process and keeps its keys on this heap — the same scan finds each of those
 * keys, and still none of the process enclave's. Also: a blob sealed through the double
 * unseals on a second enclave of the same identity (the keys are stable, and the double derived
 * the same ones again); the double's files cannot be read by the host's user; and the platform
 * connection refuses a request before BIND, a second BIND and a malformed packet, closing the
 * connection each time (a raw socket against the double).
 *
 * The test never holds a key: the double writes each one XOR-masked with random bytes, and
 * the scan and the comparisons work on masks. When started as root (CI) the double runs as
 * uid 65533 and the test itself as 65534 (tests/unprivileged.h); started as another user, both
 * run as that user and the file check says so. The test stops the double and checks its exit.
 * argv: prod_image platform_double
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "arca/host.h"
#include "arca/platform.h"
#include "arca/seal.h"
#include "arca/verify.h"
#include "base/le.h"
#include "crypto/crypto.h"
#include "formats/platform_wire.h"
#include "platform_double.h"
#include "seal_ids.h"
#include "test.h"
#include "unprivileged.h"

#define DOUBLE_UID 65533 /* the platform's own user, when the test starts as root */
#define SECRET "sealed through a platform in another process"
#define MAX_RECORDS 64

static const char *image;
static char base[256], double_home[512], double_public[512], keys_dir[600];
static char socket_path[600], keys_path[600], cert_path[600], platform_spec[700];
static int separate_users; /* the double runs as another uid than this test */

/* What the process test leaves for the later ones. */
static uint8_t blob[4096];
static size_t blob_len;
static uint8_t process_measurement[32];

/* ---- the double's records ---- */

static double_record records[MAX_RECORDS];

/* The records the double wrote so far for @p backend; -1 if the file cannot be read. */
static int read_records(uint16_t backend, double_record *out, int max)
{
    int fd = open(keys_path, O_RDONLY | O_CLOEXEC), n = 0;
    ssize_t got;
    if (fd < 0)
        return -1;
    got = read(fd, records, sizeof records);
    close(fd);
    if (got < 0 || got % (ssize_t)sizeof(double_record) != 0)
        return -1;
    for (size_t i = 0; i < (size_t)got / sizeof(double_record); i++) {
        if (records[i].magic != DOUBLE_RECORD_MAGIC)
            return -1;
        if (records[i].backend == backend && n < max)
            out[n++] = records[i];
    }
    return n;
}

/* Both masked secrets hold the same key: mask_a ^ mask_b == masked_a ^ masked_b, byte by byte
 * (the key itself is never formed). */
static int same_key(const masked_secret *a, const masked_secret *b)
{
    int same = 1;
    for (int i = 0; i < 32; i++)
        same &= (a->mask[i] ^ b->mask[i]) == (a->masked[i] ^ b->masked[i]);
    return same;
}

/* ---- enclaves through the double ---- */

static arca_result_t open_enclave(const char *backend, arca_enclave_t **e)
{
    arca_enclave_options_t opts;
    arca_enclave_options_init(&opts);
    opts.backend = backend;
    opts.platform = platform_spec;
    return arca_enclave_create(image, &opts, e);
}

static arca_result_t seal(arca_enclave_t *e, int policy, uint8_t *out, size_t cap, size_t *len)
{
    uint8_t in[8 + sizeof SECRET];
    arca__put_le32(in, (uint32_t)policy);
    arca__put_le32(in + 4, 0);
    memcpy(in + 8, SECRET, sizeof SECRET);
    return arca_enclave_call(e, SEAL_FN_SEAL, in, sizeof in, out, cap, len);
}

static arca_result_t unseal(arca_enclave_t *e, const uint8_t *sealed, size_t len)
{
    uint8_t in[4 + sizeof blob], out[256];
    size_t out_len = 0;
    if (len > sizeof blob)
        return ARCA_ERR_INVALID_ARGUMENT;
    arca__put_le32(in, 0);
    memcpy(in + 4, sealed, len);
    arca_result_t r = arca_enclave_call(e, SEAL_FN_UNSEAL, in, 4 + len, out, sizeof out, &out_len);
    if (r == ARCA_OK && (out_len != sizeof SECRET || memcmp(out, SECRET, sizeof SECRET) != 0))
        r = ARCA_ERR_INTERNAL;
    return r;
}

/* Seal under both policies, unseal both blobs (the first kept in blob/blob_len), get evidence
 * into ev. Every key of the enclave is used. */
static arca_result_t exercise(arca_enclave_t *e, const uint8_t rd[64], uint8_t *ev, size_t cap,
                              size_t *ev_len)
{
    uint8_t other[4096];
    size_t other_len = 0;
    arca_result_t r = seal(e, ARCA_SEAL_ENCLAVE, blob, sizeof blob, &blob_len);
    if (r == ARCA_OK)
        r = seal(e, ARCA_SEAL_SIGNER, other, sizeof other, &other_len);
    if (r == ARCA_OK)
        r = unseal(e, blob, blob_len);
    if (r == ARCA_OK)
        r = unseal(e, other, other_len);
    if (r == ARCA_OK)
        r = arca_enclave_call(e, SEAL_FN_EVIDENCE, rd, 64, ev, cap, ev_len);
    return r;
}

static arca_result_t verify_under(const char *cert, const uint8_t *ev, size_t len,
                                  const uint8_t measurement[32], const uint8_t rd[64],
                                  uint16_t backend, arca_claims_t *claims)
{
    arca_policy_t *policy = NULL;
    arca_result_t r = arca_policy_create(&policy);
    if (r == ARCA_OK)
        r = arca_policy_add_measurement(policy, measurement);
    if (r == ARCA_OK)
        r = arca_policy_set_allow_dev_platform(policy, 1);
    if (r == ARCA_OK)
        r = arca_policy_set_allow_simulation(policy, backend == ARCA_BACKEND_ID_SIM);
    if (r == ARCA_OK)
        r = arca_policy_set_report_data(policy, rd, 64);
    if (r == ARCA_OK)
        r = arca_policy_set_backend(policy, backend);
    if (r == ARCA_OK)
        r = arca_policy_add_trusted_cert_file(policy, cert);
    if (r == ARCA_OK)
        r = arca_verify_evidence(ev, len, policy, claims);
    arca_policy_free(policy);
    return r;
}

/* ---- the scan ---- */

/* Hits of every key of @p rec in this process's memory, per key; (size_t)-1 when the scan
 * fails (which no assert below accepts). */
static void scan_record(const double_record *rec, size_t hits[3])
{
    hits[0] = memscan_count(&rec->enclave_key);
    hits[1] = memscan_count(&rec->signer_key);
    hits[2] = rec->has_lower ? memscan_count(&rec->signer_lower) : 0;
}

/* ---- the tests ---- */

/* The scan itself: a made-up secret (not a key) planted on the heap, in a large block across a
 * 1 MiB chunk boundary and byte-reversed is found exactly there, and not once wiped; also when
 * the secret starts with a zero byte (the anchor moves). */
static void test_scan_finds_planted_copies(void)
{
    masked_secret fake;
    uint8_t *small = malloc(64), *large = malloc(3u << 20);
    ASSERT_TRUE(small && large);
    for (int zero_first = 0; zero_first < 2; zero_first++) {
        ASSERT_OK(arca__random(&fake, sizeof fake));
        if (zero_first)
            fake.masked[0] = fake.mask[0];
        ASSERT_UEQ(memscan_count(&fake), 0);
        uint8_t *across = large + (1u << 20) - 9, *reversed = large + (2u << 20) + 77;
        for (int i = 0; i < 32; i++) {
            small[16 + i] = memscan_secret_byte(&fake, 0, i);
            across[i] = memscan_secret_byte(&fake, 0, i);
            reversed[i] = memscan_secret_byte(&fake, 1, i);
        }
        size_t planted = memscan_count(&fake);
        memset(small, 0, 64);
        memset(large, 0, 3u << 20);
        ASSERT_UEQ(planted, 3);
        ASSERT_UEQ(memscan_count(&fake), 0);
    }
    free(small);
    free(large);
}

static void test_process_host_holds_no_keys(void)
{
    arca_enclave_t *e = NULL;
    arca_identity_t id;
    arca_claims_t claims;
    arca_platform_info_t own;
    double_record rec[MAX_RECORDS];
    uint8_t rd[64], ev[8192];
    size_t ev_len = 0, hits[3];

    ASSERT_EQ(read_records(ARCA_BACKEND_ID_PROCESS, rec, MAX_RECORDS), 0);
    ASSERT_OK(open_enclave("process", &e));
    ASSERT_STREQ(arca_enclave_backend(e), "process");
    ASSERT_OK(arca_enclave_identity(e, &id));
    ASSERT_EQ(id.backend, ARCA_BACKEND_ID_PROCESS);
    memcpy(process_measurement, id.measurement, 32);
    ASSERT_OK(arca__random(rd, sizeof rd));
    ASSERT_OK(exercise(e, rd, ev, sizeof ev, &ev_len));

    /* The double derived this enclave's keys: once, for exactly this identity. */
    ASSERT_EQ(read_records(ARCA_BACKEND_ID_PROCESS, rec, MAX_RECORDS), 1);
    ASSERT_MEMEQ(rec[0].measurement, id.measurement, 32);

    /* The evidence is the double's: it verifies under the double's certificate ... */
    ASSERT_OK(
        verify_under(cert_path, ev, ev_len, id.measurement, rd, ARCA_BACKEND_ID_PROCESS, &claims));
    ASSERT_EQ(claims.identity.backend, ARCA_BACKEND_ID_PROCESS);
    ASSERT_TRUE(claims.identity.protections & ARCA_PROT_SEPARATE_PROCESS);
    ASSERT_MEMEQ(claims.report_data, rd, 64);
    /* ... and not under this user's own dev platform, which libarca would have served. */
    ASSERT_OK(arca_platform_info(NULL, &own));
    ASSERT_RESULT(
        verify_under(own.cert_path, ev, ev_len, id.measurement, rd, ARCA_BACKEND_ID_PROCESS, NULL),
        ARCA_ERR_VERIFY_PLATFORM_UNTRUSTED);

    /* The enclave lives and has used every key: none of them is in this process. */
    scan_record(&rec[0], hits);
    fprintf(stderr, "  process, enclave alive: %zu, %zu, %zu hits (enclave, signer, lower key)\n",
            hits[0], hits[1], hits[2]);
    ASSERT_UEQ(hits[0], 0);
    ASSERT_UEQ(hits[1], 0);
    ASSERT_UEQ(hits[2], 0);

    ASSERT_OK(arca_enclave_destroy(e));
    scan_record(&rec[0], hits);
    ASSERT_UEQ(hits[0], 0);
    ASSERT_UEQ(hits[1], 0);
    ASSERT_UEQ(hits[2], 0);
}

static void test_keys_stable_across_enclaves(void)
{
    arca_enclave_t *e = NULL;
    double_record rec[MAX_RECORDS];
    size_t hits[3];
    ASSERT_TRUE(blob_len > 0); /* left by the test before */
    ASSERT_OK(open_enclave("process", &e));
    ASSERT_OK(unseal(e, blob, blob_len));
    ASSERT_OK(arca_enclave_destroy(e));
    /* The double derived the same keys for the second enclave of this identity. */
    ASSERT_EQ(read_records(ARCA_BACKEND_ID_PROCESS, rec, MAX_RECORDS), 2);
    ASSERT_MEMEQ(rec[1].measurement, process_measurement, 32);
    ASSERT_TRUE(same_key(&rec[0].enclave_key, &rec[1].enclave_key));
    ASSERT_TRUE(same_key(&rec[0].signer_key, &rec[1].signer_key));
    /* Masks are fresh per record: the two records do not even share bytes of the file. */
    ASSERT_TRUE(memcmp(rec[0].enclave_key.mask, rec[1].enclave_key.mask, 32) != 0);
    scan_record(&rec[1], hits);
    ASSERT_UEQ(hits[0], 0);
    ASSERT_UEQ(hits[1], 0);
}

/* Control: on sim the runtime is in this process, with its keys: the scan finds them. */
static void test_sim_control_finds_keys(void)
{
    arca_enclave_t *e = NULL;
    arca_claims_t claims;
    double_record proc[MAX_RECORDS], sim[MAX_RECORDS];
    uint8_t rd[64], ev[8192];
    size_t ev_len = 0, hits[3], proc_hits[3];

    ASSERT_EQ(read_records(ARCA_BACKEND_ID_SIM, sim, MAX_RECORDS), 0);
    ASSERT_OK(open_enclave("sim", &e));
    ASSERT_STREQ(arca_enclave_backend(e), "sim");
    ASSERT_OK(arca__random(rd, sizeof rd));
    ASSERT_OK(exercise(e, rd, ev, sizeof ev, &ev_len));
    ASSERT_EQ(read_records(ARCA_BACKEND_ID_SIM, sim, MAX_RECORDS), 1);
    ASSERT_MEMEQ(sim[0].measurement, process_measurement, 32);
    ASSERT_OK(
        verify_under(cert_path, ev, ev_len, process_measurement, rd, ARCA_BACKEND_ID_SIM, &claims));

    /* The same scan, the same moment: sim's keys are here, the process enclave's are not. */
    scan_record(&sim[0], hits);
    ASSERT_EQ(read_records(ARCA_BACKEND_ID_PROCESS, proc, MAX_RECORDS), 2);
    scan_record(&proc[0], proc_hits);
    fprintf(stderr,
            "  sim, enclave alive: %zu, %zu hits (enclave, signer key); process keys: "
            "%zu, %zu\n",
            hits[0], hits[1], proc_hits[0], proc_hits[1]);
    ASSERT_TRUE(hits[0] >= 1 && hits[0] != (size_t)-1);
    ASSERT_TRUE(hits[1] >= 1 && hits[1] != (size_t)-1);
    ASSERT_UEQ(proc_hits[0], 0);
    ASSERT_UEQ(proc_hits[1], 0);
    /* Isolation classes: sim's keys are not the process enclave's. */
    ASSERT_TRUE(!same_key(&sim[0].enclave_key, &proc[0].enclave_key));
    ASSERT_TRUE(!same_key(&sim[0].signer_key, &proc[0].signer_key));
    ASSERT_OK(arca_enclave_destroy(e));
}

static void test_platform_files_unreadable_by_host(void)
{
    char path[700];
    snprintf(path, sizeof path, "%s/seal-root.key", keys_dir);
    if (!separate_users) {
        fprintf(stderr, "  the double runs as this test's user (start the test as root to run "
                        "it as another): its files are this user's by design\n");
        struct stat st;
        ASSERT_EQ(stat(path, &st), 0);
        ASSERT_EQ(st.st_mode & 077, 0);
        return;
    }
    errno = 0;
    ASSERT_EQ(open(path, O_RDONLY), -1);
    ASSERT_EQ(errno, EACCES);
    errno = 0;
    ASSERT_EQ(open(keys_dir, O_RDONLY | O_DIRECTORY), -1);
    ASSERT_EQ(errno, EACCES);
}

/* ---- the raw connection ---- */

static int raw_connect(void)
{
    struct sockaddr_un addr;
    int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    memset(&addr, 0, sizeof addr);
    addr.sun_family = AF_UNIX;
    if (strlen(socket_path) >= sizeof addr.sun_path) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    memcpy(addr.sun_path, socket_path, strlen(socket_path));
    if (fd >= 0 && connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
        close(fd);
        fd = -1;
    }
    return fd;
}

/* Send one packet, read the reply's result and text (detail, NUL-terminated); -1 on no reply. */
static int raw_exchange(int fd, const uint8_t *packet, size_t len, char *detail, size_t cap)
{
    uint8_t reply[ARCA__PW_HEADER + ARCA__PW_DETAIL_MAX + 1];
    struct pollfd p = {fd, POLLIN, 0};
    if (send(fd, packet, len, MSG_NOSIGNAL) != (ssize_t)len || poll(&p, 1, 5000) != 1)
        return -1;
    ssize_t n = recv(fd, reply, sizeof reply, 0);
    if (n < (ssize_t)ARCA__PW_HEADER || memcmp(reply, "APRP", 4) != 0)
        return -1;
    size_t body = (size_t)n - ARCA__PW_HEADER;
    if (body >= cap)
        body = cap - 1;
    memcpy(detail, reply + ARCA__PW_HEADER, body);
    detail[body] = 0;
    return (int)arca__get_le32(reply + 8);
}

/* The double closed the connection: end of file, not a reply. */
static int raw_closed(int fd)
{
    uint8_t byte[64];
    struct pollfd p = {fd, POLLIN, 0};
    return poll(&p, 1, 5000) == 1 && recv(fd, byte, sizeof byte, 0) == 0;
}

static void test_connection_refuses_out_of_order(void)
{
    uint8_t packet[ARCA__PW_REQUEST_MAX], body[ARCA__PW_BIND_SIZE], rd[64];
    char detail[ARCA__PW_DETAIL_MAX + 1];
    arca_identity_t id;
    int fd;

    /* KEYS before BIND: refused, connection closed. */
    ASSERT_TRUE((fd = raw_connect()) >= 0);
    ASSERT_EQ(raw_exchange(fd, packet, arca__pw_request(ARCA__PW_OP_KEYS, NULL, 0, packet), detail,
                           sizeof detail),
              ARCA_ERR_BAD_FORMAT);
    ASSERT_CONTAINS(detail, "request before BIND");
    ASSERT_TRUE(raw_closed(fd));
    close(fd);

    /* EVIDENCE before BIND: the same. */
    memset(rd, 7, sizeof rd);
    ASSERT_TRUE((fd = raw_connect()) >= 0);
    ASSERT_EQ(raw_exchange(fd, packet, arca__pw_request(ARCA__PW_OP_EVIDENCE, rd, 64, packet),
                           detail, sizeof detail),
              ARCA_ERR_BAD_FORMAT);
    ASSERT_CONTAINS(detail, "request before BIND");
    ASSERT_TRUE(raw_closed(fd));
    close(fd);

    /* A BIND (an identity of no real enclave), then a second one: refused, closed. */
    memset(&id, 0, sizeof id);
    memset(id.measurement, 0xa5, 32);
    memset(id.signer_id, 0x5a, 32);
    id.backend = ARCA_BACKEND_ID_PROCESS;
    id.protections = ARCA_PROT_SEPARATE_PROCESS;
    arca__pw_identity_put(&id, body);
    memset(body + ARCA__PW_IDENTITY_SIZE, 0, 32);
    ASSERT_TRUE((fd = raw_connect()) >= 0);
    size_t bind_len = arca__pw_request(ARCA__PW_OP_BIND, body, sizeof body, packet);
    ASSERT_EQ(raw_exchange(fd, packet, bind_len, detail, sizeof detail), ARCA_OK);
    ASSERT_EQ(raw_exchange(fd, packet, bind_len, detail, sizeof detail), ARCA_ERR_BAD_FORMAT);
    ASSERT_CONTAINS(detail, "bound to an enclave already");
    ASSERT_TRUE(raw_closed(fd));
    close(fd);

    /* A malformed packet (a header cut short): refused, closed. */
    ASSERT_TRUE((fd = raw_connect()) >= 0);
    ASSERT_EQ(raw_exchange(fd, packet, 5, detail, sizeof detail), ARCA_ERR_BAD_FORMAT);
    ASSERT_TRUE(raw_closed(fd));
    close(fd);

    /* None of these reached a derivation: the double recorded no keys for that identity. */
    double_record rec[MAX_RECORDS];
    int n = read_records(ARCA_BACKEND_ID_PROCESS, rec, MAX_RECORDS);
    ASSERT_TRUE(n >= 0);
    for (int i = 0; i < n; i++)
        ASSERT_TRUE(memcmp(rec[i].measurement, id.measurement, 32) != 0);
}

static unprivileged_file files[1];

static int run_all(void)
{
    image = files[0].path;
    RUN(test_scan_finds_planted_copies);
    RUN(test_process_host_holds_no_keys);
    RUN(test_keys_stable_across_enclaves);
    RUN(test_sim_control_finds_keys);
    RUN(test_platform_files_unreadable_by_host);
    RUN(test_connection_refuses_out_of_order);
    return TEST_SUMMARY();
}

/* ---- starting and stopping the double ---- */

typedef struct double_process {
    pid_t pid;
    int stdin_fd; /* closing it stops the double */
} double_process;

/* Start the double (as DOUBLE_UID when root) and wait for its "ready". @return 0 or -1. */
static int start_double(const char *program, double_process *d)
{
    int in[2] = {-1, -1}, out[2] = {-1, -1};
    char ready[16] = "";
    size_t got = 0;
    uid_t uid = geteuid() == 0 ? DOUBLE_UID : geteuid();
    gid_t gid = geteuid() == 0 ? DOUBLE_UID : getegid();
    d->pid = -1;
    d->stdin_fd = -1;
    if (mkdir(double_home, 0700) != 0 || mkdir(double_public, 0755) != 0 ||
        chown(double_home, uid, gid) != 0 || chown(double_public, uid, gid) != 0 ||
        pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0) {
        perror("preparing the platform double");
        return -1;
    }
    fflush(NULL);
    d->pid = fork();
    if (d->pid == 0) {
        if (dup2(in[0], STDIN_FILENO) < 0 || dup2(out[1], STDOUT_FILENO) < 0)
            _exit(127);
        if (geteuid() == 0 && (setgroups(0, NULL) != 0 || setgid(gid) != 0 || setuid(uid) != 0)) {
            perror("platform double: dropping privileges");
            _exit(127);
        }
        prctl(PR_SET_PDEATHSIG, SIGTERM, 0, 0, 0); /* after setuid, which clears it */
        execl(program, program, "--socket", socket_path, "--dir", keys_dir, "--keys-out", keys_path,
              "--cert-out", cert_path, (char *)NULL);
        perror(program);
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    d->stdin_fd = in[1];
    while (d->pid > 0 && got < sizeof ready - 1 && !strchr(ready, '\n')) {
        struct pollfd p = {out[0], POLLIN, 0};
        ssize_t n =
            poll(&p, 1, 30000) == 1 ? read(out[0], ready + got, sizeof ready - 1 - got) : -1;
        if (n <= 0)
            break;
        got += (size_t)n;
        ready[got] = 0;
    }
    close(out[0]);
    if (d->pid < 0 || strcmp(ready, "ready\n") != 0) {
        fprintf(stderr, "the platform double did not start (said \"%s\")\n", ready);
        return -1;
    }
    return 0;
}

/* Stop the double (stdin closed) and wait for it: @return its exit status, or -1. */
static int stop_double(double_process *d)
{
    int status = 0;
    if (d->stdin_fd >= 0)
        close(d->stdin_fd);
    if (d->pid <= 0)
        return -1;
    for (int i = 0; i < 300; i++) { /* 30 s, then it is ended by force */
        pid_t w = waitpid(d->pid, &status, WNOHANG);
        if (w == d->pid)
            return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        nanosleep(&(struct timespec){0, 100000000}, NULL);
    }
    fprintf(stderr, "the platform double did not stop; killing it\n");
    kill(d->pid, SIGKILL);
    waitpid(d->pid, &status, 0);
    return -1;
}

int main(int argc, char **argv)
{
    char program[600];
    double_process d;
    int rc;
    if (argc != 3) {
        fprintf(stderr, "usage: %s PROD_IMAGE PLATFORM_DOUBLE\n", argv[0]);
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    if (!test_make_scratch_dir(base, sizeof base, "host-no-keys"))
        return 1;
    separate_users = geteuid() == 0;
    snprintf(double_home, sizeof double_home, "%s/double-home", base);
    snprintf(double_public, sizeof double_public, "%s/double-public", base);
    snprintf(keys_dir, sizeof keys_dir, "%s/keys", double_home);
    snprintf(socket_path, sizeof socket_path, "%s/platform.sock", double_public);
    snprintf(keys_path, sizeof keys_path, "%s/keys.bin", double_public);
    snprintf(cert_path, sizeof cert_path, "%s/platform-cert.pem", double_public);
    snprintf(platform_spec, sizeof platform_spec, "unix:%s", socket_path);
    /* The double's program, where its user can run it (not a 0700 build tree). */
    snprintf(program, sizeof program, "%s/platform_double", base);
    if ((separate_users && chmod(base, 0711) != 0) || !unprivileged_copy(argv[2], program) ||
        chmod(program, 0755) != 0) {
        perror("copying the platform double");
        test_remove_scratch_dir(base);
        return 1;
    }
    rc = start_double(program, &d);
    if (rc == 0) {
        files[0].source = argv[1];
        rc = unprivileged_run("host-no-keys", files, 1, run_all);
    }
    int exit_status = stop_double(&d);
    if (exit_status != 0) {
        fprintf(stderr, "the platform double exited with status %d (expected 0)\n", exit_status);
        rc = 1;
    }
    test_remove_scratch_dir(base);
    return rc;
}
