/*
 * platform_double.c — a platform served from another process, for tests: the dev platform
 * (src/platform/dev) opened on its own key directory and served on a Unix SOCK_SEQPACKET
 * socket with libarca's own serving loop (src/platform/serve.c), one thread per connection —
 * what `options.platform = "unix:PATH"` connects to. It stands in for the platform daemon to
 * come, so that a test can show where the enclave's keys live when the platform is not the
 * host process.
 *
 *   platform_double --socket PATH --dir KEYDIR --keys-out FILE --cert-out FILE
 *
 * For the test's benefit it appends a record of every key derivation to FILE, each key
 * XOR-masked with fresh random bytes (platform_double.h), and copies its platform certificate
 * (public) to the --cert-out file, so the test can pin it in a verification policy. It prints
 * "ready" on stdout once it listens, and runs until its stdin closes or SIGTERM; then it ends
 * every connection, joins its threads and removes the socket. Exit status 0 only after a clean
 * stop.
 *
 * This program must never write a key in plain form anywhere (file, stdout, a message), never
 * answer a connection with anything but serve.c's protocol, and never outlive the test that
 * started it (its stdin is the test's pipe).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "arca/platform.h"
#include "base/error.h"
#include "crypto/crypto.h"
#include "platform/platform.h"
#include "platform_double.h"

/* The dev platform's table with derive_keys recording what it derived (masked). */
static struct arca_platform_ops recording;
static int keys_out = -1;

/* One served connection; the main thread owns its descriptor and reaps it. */
typedef struct connection {
    struct connection *next;
    arca__platform *platform;
    int fd;
    pthread_t thread;
    atomic_int finished;
} connection;

static void mask_key(const uint8_t key[32], masked_secret *out)
{
    if (arca__random(out->mask, sizeof out->mask) != ARCA_OK)
        abort(); /* no mask, no record: never write the key unmasked */
    for (size_t i = 0; i < 32; i++)
        out->masked[i] = (uint8_t)(out->mask[i] ^ key[i]);
}

static arca_result_t record_keys(arca__platform *p, const arca_identity_t *identity,
                                 struct arca__enclave_keys *keys)
{
    arca_result_t result = ARCA_OK;
    double_record rec;
    memset(&rec, 0, sizeof rec);
    ARCA_CHECK(arca__dev_platform.derive_keys(p, identity, keys));
    rec.magic = DOUBLE_RECORD_MAGIC;
    rec.backend = identity->backend;
    rec.has_lower = keys->has_lower;
    memcpy(rec.measurement, identity->measurement, 32);
    mask_key(keys->enclave_key, &rec.enclave_key);
    mask_key(keys->signer_key, &rec.signer_key);
    if (keys->has_lower)
        mask_key(keys->signer_lower, &rec.signer_lower);
    /* O_APPEND and one write per record: records of concurrent connections never interleave. */
    if (write(keys_out, &rec, sizeof rec) != (ssize_t)sizeof rec)
        ARCA_RAISE(ARCA_ERR_IO, "platform double: cannot write the keys record: %s",
                   strerror(errno));
done:
    arca__wipe(&rec, sizeof rec);
    if (result != ARCA_OK)
        arca__wipe(keys, sizeof *keys);
    return result;
}

static void *serve_main(void *arg)
{
    connection *c = arg;
    arca__platform_serve(&recording, c->platform, c->fd);
    atomic_store(&c->finished, 1);
    return NULL;
}

/* Join and free the connections that ended (all of them when @p all, ending them first). */
static connection *reap(connection *list, int all)
{
    connection **at = &list;
    while (*at) {
        connection *c = *at;
        if (all)
            shutdown(c->fd, SHUT_RDWR); /* wakes its recv: end of file */
        if (all || atomic_load(&c->finished)) {
            pthread_join(c->thread, NULL);
            close(c->fd);
            *at = c->next;
            free(c);
        } else {
            at = &c->next;
        }
    }
    return list;
}

static arca_result_t copy_file(const char *from, const char *to)
{
    arca_result_t result = ARCA_OK;
    char buf[8192];
    ssize_t n;
    int in = open(from, O_RDONLY | O_CLOEXEC), out = -1;
    if (in < 0)
        ARCA_RAISE(ARCA_ERR_IO, "platform double: cannot read %s: %s", from, strerror(errno));
    out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (out < 0)
        ARCA_RAISE(ARCA_ERR_IO, "platform double: cannot create %s: %s", to, strerror(errno));
    while ((n = read(in, buf, sizeof buf)) > 0)
        if (write(out, buf, (size_t)n) != n)
            ARCA_RAISE(ARCA_ERR_IO, "platform double: cannot write %s: %s", to, strerror(errno));
    if (n < 0)
        ARCA_RAISE(ARCA_ERR_IO, "platform double: cannot read %s: %s", from, strerror(errno));
done:
    if (in >= 0)
        close(in);
    if (out >= 0 && close(out) != 0 && result == ARCA_OK)
        result = arca__error(ARCA_ERR_IO, "platform double: cannot write %s", to);
    return result;
}

static arca_result_t listen_on(const char *path, int *out)
{
    arca_result_t result = ARCA_OK;
    struct sockaddr_un addr;
    int fd = -1;
    memset(&addr, 0, sizeof addr);
    addr.sun_family = AF_UNIX;
    if (!path[0] || strlen(path) >= sizeof addr.sun_path)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "platform double: socket path of 1 to %zu bytes",
                   sizeof addr.sun_path - 1);
    memcpy(addr.sun_path, path, strlen(path));
    fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof addr) != 0 || chmod(path, 0666) != 0 ||
        listen(fd, 16) != 0)
        ARCA_RAISE(ARCA_ERR_IO, "platform double: cannot listen on %s: %s", path, strerror(errno));
    *out = fd;
    fd = -1;
done:
    if (fd >= 0)
        close(fd);
    return result;
}

/* Accept and serve until stdin closes or SIGTERM. */
static arca_result_t serve_all(int listener, int sigfd, arca__platform *platform)
{
    arca_result_t result = ARCA_OK;
    connection *list = NULL;
    for (;;) {
        struct pollfd fds[3] = {
            {listener, POLLIN, 0}, {STDIN_FILENO, POLLIN, 0}, {sigfd, POLLIN, 0}};
        int n = poll(fds, 3, 200);
        list = reap(list, 0);
        if (n < 0 && errno != EINTR)
            ARCA_RAISE(ARCA_ERR_IO, "platform double: poll: %s", strerror(errno));
        if (n <= 0)
            continue;
        if (fds[2].revents)
            break; /* SIGTERM */
        if (fds[1].revents) {
            char byte;
            if (read(STDIN_FILENO, &byte, 1) <= 0)
                break; /* the test closed our stdin */
        }
        if (fds[0].revents & POLLIN) {
            int fd = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
            connection *c = fd >= 0 ? calloc(1, sizeof *c) : NULL;
            if (!c) {
                if (fd >= 0)
                    close(fd);
                continue;
            }
            c->fd = fd;
            c->platform = platform;
            if (pthread_create(&c->thread, NULL, serve_main, c) != 0) {
                close(fd);
                free(c);
                continue;
            }
            c->next = list;
            list = c;
        }
    }
done:
    reap(list, 1);
    return result;
}

static void usage(void)
{
    fprintf(stderr, "usage: platform_double --socket PATH --dir KEYDIR --keys-out FILE "
                    "--cert-out FILE\n");
}

int main(int argc, char **argv)
{
    arca_result_t result = ARCA_OK;
    const char *socket_path = NULL, *dir = NULL, *keys_path = NULL, *cert_path = NULL;
    arca__platform *platform = NULL;
    arca_platform_info_t info;
    int listener = -1, sigfd = -1, listening = 0;
    sigset_t term;

    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--socket"))
            socket_path = argv[i + 1];
        else if (!strcmp(argv[i], "--dir"))
            dir = argv[i + 1];
        else if (!strcmp(argv[i], "--keys-out"))
            keys_path = argv[i + 1];
        else if (!strcmp(argv[i], "--cert-out"))
            cert_path = argv[i + 1];
    }
    if (argc != 9 || !socket_path || !dir || !keys_path || !cert_path) {
        usage();
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    sigemptyset(&term);
    sigaddset(&term, SIGTERM);
    /* Blocked before any thread exists, so every thread has it blocked and signalfd gets it. */
    if (sigprocmask(SIG_BLOCK, &term, NULL) != 0 || (sigfd = signalfd(-1, &term, SFD_CLOEXEC)) < 0)
        ARCA_RAISE(ARCA_ERR_IO, "platform double: signalfd: %s", strerror(errno));
    recording = arca__dev_platform;
    recording.derive_keys = record_keys;
    keys_out = open(keys_path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
    if (keys_out < 0)
        ARCA_RAISE(ARCA_ERR_IO, "platform double: cannot create %s: %s", keys_path,
                   strerror(errno));
    ARCA_CHECK(arca__dev_platform.open(dir, &platform));
    ARCA_CHECK(arca__dev_platform.describe(platform, &info));
    ARCA_CHECK(copy_file(info.cert_path, cert_path));
    ARCA_CHECK(listen_on(socket_path, &listener));
    listening = 1;
    printf("ready\n");
    fflush(stdout);
    ARCA_CHECK(serve_all(listener, sigfd, platform));
done:
    if (result != ARCA_OK)
        fprintf(stderr, "platform double: %s (%s)\n", arca__error_detail(),
                arca_result_name(result));
    if (listener >= 0)
        close(listener);
    if (listening)
        unlink(socket_path);
    if (platform)
        arca__dev_platform.close(platform);
    if (keys_out >= 0)
        close(keys_out);
    if (sigfd >= 0)
        close(sigfd);
    return result == ARCA_OK ? 0 : 1;
}
