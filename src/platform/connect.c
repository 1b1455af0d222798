/*
 * connect.c — making a loader's platform connection (platform.h): for a platform of this
 * registry ("dev"), a socket pair whose other end a thread of libarca serves with the open
 * platform (serve.c); for "unix:PATH", a connection to a platform another process serves.
 *
 * Either way the caller gets one descriptor for the loader and holds no key and no platform
 * handle itself: the keys exist only in the serving thread (for dev, in this process — as
 * trusted as the dev platform's files, which this user owns anyway) and in the loader.
 * This file must never read from the loader's end, and never return before the serving thread
 * exists (a loader's first request must find someone to answer it).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "base/error.h"
#include "base/settings.h"
#include "platform.h"

/* The serving thread needs little: a packet buffer and OpenSSL's signing. */
#define SERVE_STACK (256u * 1024u)

/* How long a loader waits for one reply of its platform: a platform that stalls must not hang
 * create or an ecall asking for evidence. The option travels with the socket, so the runner
 * gets it too (it cannot set options under its seccomp filter). */
#define REPLY_TIMEOUT_S 10

static arca_result_t set_reply_timeout(int fd)
{
    arca_result_t result = ARCA_OK;
    struct timeval tv = {.tv_sec = REPLY_TIMEOUT_S, .tv_usec = 0};
    if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) != 0 ||
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) != 0)
        ARCA_RAISE(ARCA_ERR_IO, "platform connection: cannot set its time-out: %s",
                   strerror(errno));
done:
    return result;
}

struct arca__platform_link {
    const struct arca_platform_ops *ops;
    arca__platform *platform;
    int fd; /* the serving end */
    pthread_t thread;
    int running;
};

static void *serve_main(void *arg)
{
    arca__platform_link *link = arg;
    arca__platform_serve(link->ops, link->platform, link->fd);
    return NULL;
}

/* "unix:PATH": a platform another process serves. */
static arca_result_t connect_unix(const char *path, int *loader_fd)
{
    arca_result_t result = ARCA_OK;
    struct sockaddr_un addr;
    int fd = -1;
    memset(&addr, 0, sizeof addr);
    addr.sun_family = AF_UNIX;
    if (!path[0] || strlen(path) >= sizeof addr.sun_path)
        ARCA_RAISE(ARCA_ERR_PLATFORM, "platform 'unix:%s': the socket path must have 1 to %zu bytes",
                   path, sizeof addr.sun_path - 1);
    memcpy(addr.sun_path, path, strlen(path));
    /* Non-blocking while connecting: a server whose backlog is full refuses at once (EAGAIN)
     * instead of holding create. */
    fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        ARCA_RAISE(ARCA_ERR_PLATFORM, "platform 'unix:%s': socket: %s", path, strerror(errno));
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0)
        ARCA_RAISE(ARCA_ERR_PLATFORM,
                   "platform 'unix:%s': cannot connect (%s); is the platform's server running%s?",
                   path, strerror(errno), errno == EAGAIN ? " and not overloaded" : "");
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) != 0)
        ARCA_RAISE(ARCA_ERR_IO, "platform 'unix:%s': fcntl: %s", path, strerror(errno));
    ARCA_CHECK(set_reply_timeout(fd));
    *loader_fd = fd;
    fd = -1;
done:
    if (fd >= 0)
        close(fd);
    return result;
}

/* A platform of the registry, served by a thread of this process. */
static arca_result_t connect_local(const struct arca_platform_ops *ops,
                                   const char *const *settings, int *loader_fd,
                                   arca__platform_link **out)
{
    arca_result_t result = ARCA_OK;
    arca__platform_link *link = NULL;
    int sv[2] = {-1, -1};
    pthread_attr_t attr;
    sigset_t all, old;
    int attr_ready = 0;
    link = calloc(1, sizeof *link);
    if (!link)
        ARCA_RAISE(ARCA_ERR_OUT_OF_MEMORY, "out of memory for the platform connection");
    link->ops = ops;
    link->fd = -1;
    ARCA_CHECK(ops->open(arca__setting(settings, ops->name, "dir"), &link->platform));
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0)
        ARCA_RAISE(ARCA_ERR_IO, "platform '%s': socketpair: %s", ops->name, strerror(errno));
    link->fd = sv[0];
    if (pthread_attr_init(&attr) != 0)
        ARCA_RAISE(ARCA_ERR_OUT_OF_MEMORY, "platform '%s': pthread_attr_init failed", ops->name);
    attr_ready = 1;
    (void)pthread_attr_setstacksize(&attr, SERVE_STACK);
    /* The application's signals go to its own threads, never to this one. */
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int rc = pthread_create(&link->thread, &attr, serve_main, link);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0)
        ARCA_RAISE(ARCA_ERR_OUT_OF_MEMORY, "platform '%s': cannot start its serving thread: %s",
                   ops->name, strerror(rc));
    link->running = 1;
    ARCA_CHECK(set_reply_timeout(sv[1]));
    *loader_fd = sv[1];
    sv[1] = -1;
    *out = link;
    link = NULL;
done:
    if (attr_ready)
        pthread_attr_destroy(&attr);
    if (sv[1] >= 0)
        close(sv[1]);
    arca__platform_link_close(link);
    return result;
}

arca_result_t arca__platform_choose(const char *spec, const char *const *settings,
                                    int backend_isolates, int *daemon, char *socket, size_t cap,
                                    const char **spec_out)
{
    arca_result_t result = ARCA_OK;
    const char *path = arca__setting(settings, "arcad", "socket");
    const char *env = getenv("ARCA_ARCAD_SOCKET");
    struct stat st;
    int is_auto;
    *daemon = 0;
    if (!spec || !spec[0])
        spec = getenv("ARCA_PLATFORM");
    is_auto = !spec || !spec[0] || !strcmp(spec, "auto");
    if (!path || !path[0])
        path = env && env[0] ? env : ARCA_ARCAD_DEFAULT_SOCKET;
    if (is_auto)
        spec = backend_isolates && stat(path, &st) == 0 && S_ISSOCK(st.st_mode) ? "arcad" : "dev";
    *spec_out = spec;
    if (strcmp(spec, "arcad") != 0)
        goto done;
    if (!backend_isolates)
        ARCA_RAISE(ARCA_ERR_BACKEND_UNAVAILABLE,
                   "platform arcad launches enclaves itself, in arca-runner: use the process "
                   "backend (the sim backend runs the enclave inside the host), or "
                   "ARCA_PLATFORM=dev");
    if (strlen(path) >= cap)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "the arcad socket path %s is too long", path);
    snprintf(socket, cap, "%s", path);
    *daemon = 1;
done:
    return result;
}

arca_result_t arca__platform_connect(const char *spec, const char *const *settings,
                                     int *loader_fd, arca__platform_link **link)
{
    arca_result_t result = ARCA_OK;
    const struct arca_platform_ops *ops = NULL;
    *loader_fd = -1;
    *link = NULL;
    if (!spec || !spec[0])
        spec = getenv("ARCA_PLATFORM");
    if (!spec || !spec[0] || !strcmp(spec, "auto"))
        spec = "dev";
    if (!strncmp(spec, "unix:", 5)) {
        ARCA_CHECK(connect_unix(spec + 5, loader_fd));
        goto done;
    }
    ops = arca__platform_find(spec);
    if (!ops) {
        char names[128] = "";
        size_t used = 0;
        for (size_t i = 0; i < arca__platform_count() && used < sizeof names; i++) {
            int w = snprintf(names + used, sizeof names - used, "%s, ",
                             arca__platform_at(i)->name);
            used += w > 0 ? (size_t)w : 0;
        }
        ARCA_RAISE(ARCA_ERR_PLATFORM, "unknown platform '%s' (known: %sor unix:PATH for a "
                   "platform served on a Unix socket)", spec, names);
    }
    if (ops->is_daemon)
        ARCA_RAISE(ARCA_ERR_INTERNAL, "platform '%s' launches its loaders itself", spec);
    ARCA_CHECK(connect_local(ops, settings, loader_fd, link));
done:
    return result;
}

void arca__platform_link_close(arca__platform_link *link)
{
    if (!link)
        return;
    if (link->running) {
        /* Wakes the thread's recv (end of file) if the loader has not closed its end yet. */
        shutdown(link->fd, SHUT_RDWR);
        pthread_join(link->thread, NULL);
    }
    if (link->fd >= 0)
        close(link->fd);
    if (link->platform)
        link->ops->close(link->platform);
    free(link);
}
