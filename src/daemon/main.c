/*
 * main.c — arcad, the platform daemon: it holds the platform's root seal secret and
 * attestation key under its own uid, launches arca-runner for hosts (launch.c), serves the
 * runners' keys, evidence and monotonic counters, and signs evidence that says
 * platform = arcad. Foreground by default (systemd style); logs go to stderr.
 *
 *   arcad [--state-dir DIR] [--socket PATH] [--runner PATH] [limits]   run the daemon
 *   arcad csr [--state-dir DIR]                       a CSR for the attestation key (stdout)
 *   arcad import-chain FILE [--state-dir DIR]         install an operator-signed chain
 *
 * Start-up: create the state directory on first start (helpers of src/platform/arcad; a
 * damaged key file is named and never regenerated), take its lock (one arcad per state
 * directory), adopt the records of runners an earlier arcad launched (runners.c), then listen
 * on the public socket (mode 0666: any local user may ask; quotas per uid) and on the runner
 * socket inside the state directory (arcad's uid only). SIGTERM/SIGINT stop accepting and
 * exit; running enclaves keep running either way and regain their platform services when
 * arcad is back.
 * This file must never run as root without being asked to (it refuses uid 0 unless
 * --allow-root), and never open the state directory of another user.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "base/error.h"
#include "crypto/crypto.h"
#include "crypto/crypto_x509.h"
#include "daemon.h"
#include "formats/image.h"
#include "platform/arcad/arcad_platform.h"
#include "platform/counters.h"

#ifndef ARCA_INSTALL_RUNNER
#define ARCA_INSTALL_RUNNER "/usr/local/bin/arca-runner"
#endif
#define ARCAD_VERSION "0.1.0"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: arcad [options]                  run the platform daemon (foreground)\n"
            "       arcad csr [--state-dir DIR]      print a CSR for the attestation key\n"
            "       arcad import-chain FILE [--state-dir DIR]\n"
            "                                        install a chain signed by your CA (PEM,\n"
            "                                        leaf first, root last)\n"
            "\n"
            "Options:\n"
            "  --state-dir DIR          keys, certificates, counters (default %s);\n"
            "                           created 0700 on first start\n"
            "  --socket PATH            the socket hosts connect to (default %s)\n"
            "  --runner PATH            arca-runner to start (default %s)\n"
            "  --enclaves-per-uid N     live enclaves one user may have (default %u)\n"
            "  --counters-per-uid N     monotonic counters one user's enclaves may create\n"
            "                           (default %u)\n"
            "  --max-image-size BYTES   largest enclave image accepted (default %u)\n"
            "  --idle-timeout MS        close a client that sends no request (default %d)\n"
            "  --allow-root             run as root (refused otherwise: give arcad a user)\n"
            "  --help, --version\n"
            "\n"
            "Hosts use it with ARCA_PLATFORM=arcad (socket: $ARCA_ARCAD_SOCKET or the default).\n"
            "Pin <state-dir>/root-cert.pem in verifier policies (TrustedRoot).\n"
            "Exit status: 0 stopped by a signal or done, 1 failed, 2 usage error.\n",
            ARCAD_DEFAULT_STATE_DIR, ARCAD_DEFAULT_SOCKET, ARCA_INSTALL_RUNNER,
            ARCAD_DEFAULT_ENCLAVES_PER_UID, ARCAD_DEFAULT_COUNTERS_PER_UID,
            ARCAD_DEFAULT_MAX_IMAGE, ARCAD_DEFAULT_IDLE_MS);
}

static int parse_u64(const char *text, uint64_t min, uint64_t max, uint64_t *out)
{
    char *end = NULL;
    errno = 0;
    if (!text[0] || text[0] == '-')
        return -1;
    unsigned long long v = strtoull(text, &end, 10);
    if (errno || *end || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

static void on_stop(int sig)
{
    (void)sig;
    arcad_stopping = 1;
}

/* A listening SOCK_SEQPACKET socket at @p path with @p mode. A socket file nobody listens on
 * (an arcad that was killed) is replaced; one that something listens on — another arcad, of
 * another state directory, whose lock does not cover this path — is refused, never taken
 * over. The mode comes from the umask at bind (never a chmod by path, which would follow a
 * link planted in its place). */
static arca_result_t listen_at(const char *path, mode_t mode, int *out)
{
    arca_result_t result = ARCA_OK;
    struct sockaddr_un addr;
    struct stat st;
    int fd = -1;
    memset(&addr, 0, sizeof addr);
    addr.sun_family = AF_UNIX;
    if (strlen(path) >= sizeof addr.sun_path)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "arcad: the socket path %s is longer than %zu bytes",
                   path, sizeof addr.sun_path - 1);
    memcpy(addr.sun_path, path, strlen(path));
    fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        ARCA_RAISE(ARCA_ERR_IO, "arcad: socket: %s", strerror(errno));
    if (lstat(path, &st) == 0) {
        if (!S_ISSOCK(st.st_mode))
            ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "arcad: %s exists and is not a socket", path);
        /* Only ECONNREFUSED says nobody listens (a full backlog is EAGAIN, another kind of
         * socket EPROTOTYPE: both in use). */
        if (connect(fd, (struct sockaddr *)&addr, sizeof addr) == 0 || errno != ECONNREFUSED)
            ARCA_RAISE(ARCA_ERR_IO, "arcad: %s is in use (another arcad, or another program, "
                       "listens on it); stop it first, or give this arcad another --socket",
                       path);
        close(fd);
        fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0)
            ARCA_RAISE(ARCA_ERR_IO, "arcad: socket: %s", strerror(errno));
        if (unlink(path) != 0)
            ARCA_RAISE(ARCA_ERR_IO, "arcad: cannot replace the stale socket %s: %s", path,
                       strerror(errno));
    }
    mode_t old = umask(0777 & ~mode);
    int rc = bind(fd, (struct sockaddr *)&addr, sizeof addr);
    umask(old);
    if (rc != 0)
        ARCA_RAISE(ARCA_ERR_IO, "arcad: cannot bind %s: %s", path, strerror(errno));
    if (listen(fd, 128) != 0)
        ARCA_RAISE(ARCA_ERR_IO, "arcad: cannot listen on %s: %s", path, strerror(errno));
    *out = fd;
    fd = -1;
done:
    if (fd >= 0)
        close(fd);
    return result;
}

/* The root certificate (last of the chain) as DER, for INFO. */
static arca_result_t load_root(arcad *d)
{
    arca_result_t result = ARCA_OK;
    char path[PATH_MAX + 64];
    uint8_t *pem = NULL;
    size_t len = 0, der_len = 0;
    arca__cert *cert = NULL;
    snprintf(path, sizeof path, "%s/%s", d->config.state_dir, ARCA_ARCAD_ROOT_CERT_FILE);
    ARCA_CHECK(arca__read_file(path, 64 * 1024, &pem, &len));
    ARCA_CHECK(arca__cert_parse(pem, len, path, &cert));
    const uint8_t *der = arca__cert_der(cert, &der_len);
    if (!der || der_len == 0 || der_len > ARCA_EVIDENCE_MAX_CERT_SIZE)
        ARCA_RAISE(ARCA_ERR_PLATFORM_DAMAGED, "arcad: %s is not a usable certificate", path);
    d->root_der = malloc(der_len);
    if (!d->root_der)
        ARCA_RAISE(ARCA_ERR_OUT_OF_MEMORY, "arcad: out of memory");
    memcpy(d->root_der, der, der_len);
    d->root_len = der_len;
done:
    arca__cert_free(cert);
    free(pem);
    return result;
}

static int fail(const char *what)
{
    fprintf(stderr, "arcad: %s%s%s\n", what, arca__error_detail()[0] ? ": " : "",
            arca__error_detail());
    return 1;
}

static int run_csr(const char *dir)
{
    char *pem = NULL;
    size_t len = 0;
    if (arca__arcad_csr(dir, &pem, &len) != ARCA_OK)
        return fail("cannot make the CSR");
    fwrite(pem, 1, len, stdout);
    free(pem);
    return 0;
}

static int run_import(const char *dir, const char *file)
{
    uint8_t *pem = NULL;
    size_t len = 0;
    if (arca__read_file(file, 256 * 1024, &pem, &len) != ARCA_OK)
        return fail("cannot read the chain");
    arca_result_t r = arca__arcad_import_chain(dir, pem, len);
    free(pem);
    if (r != ARCA_OK)
        return fail("chain refused");
    printf("arcad: installed the chain from %s; pin %s/%s in verifier policies; restart arcad\n",
           file, dir, ARCA_ARCAD_ROOT_CERT_FILE);
    return 0;
}

int main(int argc, char **argv)
{
    static arcad d;
    int allow_root = 0, lock_fd = -1, created = 0;
    uint64_t v = 0;
    const char *command = NULL, *command_arg = NULL;
    enum { O_STATE = 1, O_SOCKET, O_RUNNER, O_ENCLAVES, O_COUNTERS, O_IMAGE, O_IDLE, O_ROOT,
           O_HELP, O_VERSION };
    static const struct option options[] = {
        {"state-dir", required_argument, NULL, O_STATE},
        {"socket", required_argument, NULL, O_SOCKET},
        {"runner", required_argument, NULL, O_RUNNER},
        {"enclaves-per-uid", required_argument, NULL, O_ENCLAVES},
        {"counters-per-uid", required_argument, NULL, O_COUNTERS},
        {"max-image-size", required_argument, NULL, O_IMAGE},
        {"idle-timeout", required_argument, NULL, O_IDLE},
        {"allow-root", no_argument, NULL, O_ROOT},
        {"help", no_argument, NULL, O_HELP},
        {"version", no_argument, NULL, O_VERSION},
        {NULL, 0, NULL, 0},
    };
    arcad_config *cfg = &d.config;
    snprintf(cfg->state_dir, sizeof cfg->state_dir, "%s", ARCAD_DEFAULT_STATE_DIR);
    snprintf(cfg->socket_path, sizeof cfg->socket_path, "%s", ARCAD_DEFAULT_SOCKET);
    snprintf(cfg->runner_path, sizeof cfg->runner_path, "%s", ARCA_INSTALL_RUNNER);
    cfg->enclaves_per_uid = ARCAD_DEFAULT_ENCLAVES_PER_UID;
    cfg->counters_per_uid = ARCAD_DEFAULT_COUNTERS_PER_UID;
    cfg->max_image = ARCAD_DEFAULT_MAX_IMAGE;
    cfg->idle_ms = ARCAD_DEFAULT_IDLE_MS;
    d.listen_fd = d.runner_listen_fd = -1;

    if (argc > 1 && (!strcmp(argv[1], "csr") || !strcmp(argv[1], "import-chain"))) {
        command = argv[1];
        argv++;
        argc--;
    }
    opterr = 0;
    for (int opt; (opt = getopt_long(argc, argv, "", options, NULL)) != -1;) {
        const char *a = optarg;
        switch (opt) {
        case O_STATE:
            if (!a[0] || strlen(a) >= sizeof cfg->state_dir - 64) {
                fprintf(stderr, "arcad: --state-dir needs a path shorter than %zu bytes\n",
                        sizeof cfg->state_dir - 64);
                return 2;
            }
            snprintf(cfg->state_dir, sizeof cfg->state_dir, "%s", a);
            break;
        case O_SOCKET:
            if (!a[0] || strlen(a) >= sizeof cfg->socket_path) {
                fprintf(stderr, "arcad: --socket needs a path of 1 to %zu bytes\n",
                        sizeof cfg->socket_path - 1);
                return 2;
            }
            snprintf(cfg->socket_path, sizeof cfg->socket_path, "%s", a);
            break;
        case O_RUNNER:
            snprintf(cfg->runner_path, sizeof cfg->runner_path, "%s", a);
            break;
        case O_ENCLAVES:
        case O_COUNTERS:
            if (parse_u64(a, 1, 1000000, &v) != 0) {
                fprintf(stderr, "arcad: --%s takes a number from 1 to 1000000, not '%s'\n",
                        opt == O_ENCLAVES ? "enclaves-per-uid" : "counters-per-uid", a);
                return 2;
            }
            if (opt == O_ENCLAVES)
                cfg->enclaves_per_uid = (uint32_t)v;
            else
                cfg->counters_per_uid = (uint32_t)v;
            break;
        case O_IMAGE:
            if (parse_u64(a, 4096, UINT64_C(1) << 32, &v) != 0) {
                fprintf(stderr, "arcad: --max-image-size takes bytes from 4096 to 4294967296\n");
                return 2;
            }
            cfg->max_image = v;
            break;
        case O_IDLE:
            if (parse_u64(a, 10, 3600000, &v) != 0) {
                fprintf(stderr, "arcad: --idle-timeout takes milliseconds from 10 to 3600000\n");
                return 2;
            }
            cfg->idle_ms = (int)v;
            break;
        case O_ROOT:
            allow_root = 1;
            break;
        case O_HELP:
            usage(stdout);
            return 0;
        case O_VERSION:
            printf("arcad %s\n", ARCAD_VERSION);
            return 0;
        default:
            fprintf(stderr, "arcad: unknown option '%s'\n\n", argv[optind - 1]);
            usage(stderr);
            return 2;
        }
    }
    if (command && !strcmp(command, "import-chain")) {
        if (optind != argc - 1) {
            fprintf(stderr, "arcad: import-chain takes one file (PEM: leaf, intermediates, root)\n");
            return 2;
        }
        command_arg = argv[optind];
    } else if (optind != argc) {
        fprintf(stderr, "arcad: unexpected argument '%s'\n\n", argv[optind]);
        usage(stderr);
        return 2;
    }
    if (geteuid() == 0 && !allow_root) {
        fprintf(stderr, "arcad: refusing to run as root: its keys belong to a user of their own "
                        "(systemd: User=arca; by hand: setpriv --reuid=arca ...), or pass "
                        "--allow-root\n");
        return 2;
    }
    if (arca__crypto_init() != ARCA_OK)
        return fail("cannot initialise OpenSSL");
    if (command && !strcmp(command, "csr"))
        return run_csr(cfg->state_dir);
    if (command)
        return run_import(cfg->state_dir, command_arg);

    {
        /* A connection, a lease and a runner's platform connection each hold descriptors:
         * take all the kernel allows this process (the soft limit is often 1024). */
        struct rlimit nofile;
        if (getrlimit(RLIMIT_NOFILE, &nofile) == 0 && nofile.rlim_cur < nofile.rlim_max) {
            nofile.rlim_cur = nofile.rlim_max;
            (void)setrlimit(RLIMIT_NOFILE, &nofile);
        }
    }
    if (arca__arcad_state_init(cfg->state_dir, NULL, &created) != ARCA_OK)
        return fail("cannot prepare the state directory");
    {
        char lock_path[PATH_MAX + 16];
        snprintf(lock_path, sizeof lock_path, "%s/arcad.lock", cfg->state_dir);
        lock_fd = open(lock_path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (lock_fd < 0 || flock(lock_fd, LOCK_EX | LOCK_NB) != 0) {
            fprintf(stderr, "arcad: %s: %s\n", lock_path,
                    lock_fd < 0 ? strerror(errno)
                                : "another arcad runs with this state directory");
            return 1;
        }
    }
    d.ops = &arca__arcad_platform;
    if (d.ops->open(cfg->state_dir, &d.platform) != ARCA_OK)
        return fail("cannot open the platform");
    if (arca__arcad_set_counter_quota(d.platform, cfg->counters_per_uid) != ARCA_OK)
        return fail("cannot set the counter quota");
    {
        arca_platform_info_t info;
        if (d.ops->describe(d.platform, &info) != ARCA_OK)
            return fail("cannot describe the platform");
        memcpy(d.platform_id, info.platform_id, 32);
    }
    if (load_root(&d) != ARCA_OK)
        return fail("cannot read the root certificate");
    if (access(cfg->runner_path, X_OK) != 0) {
        fprintf(stderr, "arcad: arca-runner not found or not executable at %s (%s); use --runner\n",
                cfg->runner_path, strerror(errno));
        return 1;
    }
    if (arca__counter_store_open(cfg->state_dir, cfg->counters_per_uid, &d.counters) != ARCA_OK)
        return fail("cannot open the counter database");
    if ((size_t)snprintf(cfg->runner_socket, sizeof cfg->runner_socket, "%s/%s", cfg->state_dir,
                         ARCAD_RUNNER_SOCKET) >= sizeof cfg->runner_socket) {
        fprintf(stderr, "arcad: the state directory path is too long for its runner socket "
                        "(%zu bytes at most)\n", sizeof cfg->runner_socket - sizeof ARCAD_RUNNER_SOCKET - 1);
        return 2;
    }
    if (arcad_runners_init(&d) != ARCA_OK)
        return fail("cannot read the runner records");
    if (listen_at(cfg->runner_socket, 0600, &d.runner_listen_fd) != ARCA_OK ||
        listen_at(cfg->socket_path, 0666, &d.listen_fd) != ARCA_OK)
        return fail("cannot listen");

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    fprintf(stderr, "arcad: %s platform %s, listening on %s (runner %s)\n",
            created ? "created" : "opened", cfg->state_dir, cfg->socket_path, cfg->runner_path);
    arcad_serve(&d);
    fprintf(stderr, "arcad: stopping; running enclaves keep running\n");
    unlink(cfg->socket_path);
    return 0;
}
