/*
 * server.c — arcad's front door: accept connections on the public socket (hosts) and on the
 * runner socket (runners resuming), learn each peer by SO_PEERCRED, and give each connection
 * a detached thread of its own, at most ARCAD_MAX_CONNECTIONS at once (a client beyond that is
 * refused at once). Also the book of live enclaves and open connections per uid that the
 * quotas read. A connection counts against the connections of its peer's uid — except one
 * from a runner arcad launched: runners all run as arcad's uid, and enclave code in them can
 * connect to either socket (the reconnect rules of the runner's filter), so theirs count
 * against the user each runner runs for, never against a budget all users share.
 * This file must never read a request itself (client.c and runners.c do), never let one
 * connection's thread block another's accept, and never wait for a client on the accepting
 * thread.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "base/error.h"
#include "base/fdpass.h"
#include "daemon.h"
#include "formats/platform_wire.h"

volatile int arcad_stopping;

/* ---- the book ---- */

typedef struct book_entry {
    uint32_t uid;
    uint32_t live;  /* live enclaves */
    uint32_t conns; /* open connections (live enclaves hold one each) */
} book_entry;

static pthread_mutex_t book_lock = PTHREAD_MUTEX_INITIALIZER;
static book_entry *book;
static size_t book_len, book_cap;

static book_entry *find(uint32_t uid, int create)
{
    for (size_t i = 0; i < book_len; i++)
        if (book[i].uid == uid)
            return &book[i];
    if (!create)
        return NULL;
    if (book_len == book_cap) {
        size_t cap = book_cap ? book_cap * 2 : 16;
        book_entry *grown = realloc(book, cap * sizeof *grown);
        if (!grown)
            return NULL;
        book = grown;
        book_cap = cap;
    }
    book[book_len] = (book_entry){uid, 0, 0};
    return &book[book_len++];
}

arca_result_t arcad_enclave_take(arcad *d, uint32_t uid)
{
    arca_result_t result = ARCA_OK;
    pthread_mutex_lock(&book_lock);
    book_entry *e = find(uid, 1);
    if (!e)
        result = arca__error(ARCA_ERR_OUT_OF_MEMORY, "arcad: out of memory");
    else if (e->live >= d->config.enclaves_per_uid)
        result = arca__error(ARCA_ERR_QUOTA, "arcad: uid %u has %u live enclaves, its quota "
                             "(arcad --enclaves-per-uid); destroy one first", uid, e->live);
    else
        e->live++;
    pthread_mutex_unlock(&book_lock);
    return result;
}

int arcad_enclave_count(uint32_t uid)
{
    pthread_mutex_lock(&book_lock);
    book_entry *e = find(uid, 1);
    if (e)
        e->live++;
    pthread_mutex_unlock(&book_lock);
    return e ? 0 : -1;
}

void arcad_enclave_give(uint32_t uid)
{
    pthread_mutex_lock(&book_lock);
    book_entry *e = find(uid, 0);
    if (e && e->live)
        e->live--;
    pthread_mutex_unlock(&book_lock);
}

uint32_t arcad_enclaves_of(uint32_t uid)
{
    pthread_mutex_lock(&book_lock);
    book_entry *e = find(uid, 0);
    uint32_t n = e ? e->live : 0;
    pthread_mutex_unlock(&book_lock);
    return n;
}

/* ---- threads ---- */

static unsigned threads_live; /* __atomic */

typedef struct start {
    void *(*fn)(void *);
    void *arg;
} start;

static void *thread_main(void *arg)
{
    start s = *(start *)arg;
    free(arg);
    s.fn(s.arg);
    __atomic_sub_fetch(&threads_live, 1, __ATOMIC_ACQ_REL);
    return NULL;
}

int arcad_spawn_thread(void *(*fn)(void *), void *arg)
{
    pthread_attr_t attr;
    pthread_t t;
    start *s = malloc(sizeof *s);
    if (!s)
        return -1;
    if (__atomic_add_fetch(&threads_live, 1, __ATOMIC_ACQ_REL) > ARCAD_MAX_CONNECTIONS) {
        __atomic_sub_fetch(&threads_live, 1, __ATOMIC_ACQ_REL);
        free(s);
        return -1;
    }
    *s = (start){fn, arg};
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, ARCAD_THREAD_STACK);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    int rc = pthread_create(&t, &attr, thread_main, s);
    pthread_attr_destroy(&attr);
    if (rc != 0) {
        __atomic_sub_fetch(&threads_live, 1, __ATOMIC_ACQ_REL);
        free(s);
        return -1;
    }
    return 0;
}

/* One user may hold its enclaves' leases and this many more connections (INFO, launches in
 * progress, idle ones waiting for their time-out), so no user can fill arcad's table. */
#define SPARE_CONNECTIONS_PER_UID 16u

static int conn_take(arcad *d, uint32_t uid)
{
    int ok = 0;
    pthread_mutex_lock(&book_lock);
    book_entry *e = find(uid, 1);
    if (e && e->conns < d->config.enclaves_per_uid + SPARE_CONNECTIONS_PER_UID) {
        e->conns++;
        ok = 1;
    }
    pthread_mutex_unlock(&book_lock);
    return ok;
}

static void conn_give(uint32_t uid)
{
    pthread_mutex_lock(&book_lock);
    book_entry *e = find(uid, 0);
    if (e && e->conns)
        e->conns--;
    pthread_mutex_unlock(&book_lock);
}

void arcad_conn_release(arcad_client *c)
{
    if (c->conn_held) {
        c->conn_held = 0;
        conn_give(c->conn_uid);
    }
}

/*
 * Refuse a connection before its thread exists, on the accepting thread, so without waiting
 * for the client: take the request it has sent already, if any (closing any descriptors with
 * it), so the client reads the reply rather than a reset, and send the reply without blocking.
 * A client that had not sent its request yet reads the reply after its send fails (libarca
 * does). On the runner socket the reply is a platform-connection one, to the RESUME that must
 * come first there.
 */
static void refuse(int fd, arca_result_t r, int runner_socket)
{
    uint8_t junk[64];
    int fds[4];
    size_t nfds = 0;
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0)
        return; /* closed unanswered */
    if (arca__fd_recv(fd, junk, sizeof junk, fds, 4, &nfds) >= 0)
        arca__fd_close_all(fds, nfds);
    if (runner_socket) {
        uint8_t packet[ARCA__PW_HEADER + ARCA__PW_DETAIL_MAX];
        char text[ARCA__PW_DETAIL_MAX];
        size_t len = 0;
        const char *detail = arca__error_detail();
        for (; detail[len] && len < sizeof text; len++)
            text[len] = detail[len] >= 0x20 && detail[len] < 0x7f ? detail[len] : '?';
        (void)send(fd, packet,
                   arca__pw_reply(ARCA__PW_OP_RESUME, r, (const uint8_t *)text, len, packet),
                   MSG_NOSIGNAL | MSG_DONTWAIT);
    } else {
        arcad_reply_error(fd, 0, r);
    }
}

/* ---- accepting ---- */

/* A descriptor kept free for accepting (and refusing) a client when arcad has none left, so
 * that a full table neither spins the accepting loop nor leaves clients hanging. */
static int reserve_fd = -1;

static void pause_ms(long ms)
{
    struct timespec t = {0, ms * 1000 * 1000};
    while (nanosleep(&t, &t) != 0 && errno == EINTR)
        ;
}

/* accept4 failed with @p err: at the descriptor limit, refuse the waiting client with the
 * reserve descriptor; otherwise (or without one) pause, so a lasting failure cannot spin. */
static void accept_failed(int listen_fd, int err, int runner_socket)
{
    if ((err == EMFILE || err == ENFILE) && reserve_fd >= 0) {
        close(reserve_fd);
        reserve_fd = -1;
        int fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
        if (fd >= 0) {
            arca__error(ARCA_ERR_QUOTA, "arcad has no descriptor left for a new connection "
                        "(raise its RLIMIT_NOFILE: LimitNOFILE= in its unit); try again later");
            refuse(fd, ARCA_ERR_QUOTA, runner_socket);
            close(fd);
        }
        reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (fd >= 0)
            return;
    }
    if (err != EINTR && err != EAGAIN && err != ECONNABORTED)
        pause_ms(20);
}

static void accept_one(arcad *d, int listen_fd, void *(*fn)(void *), int runner_socket)
{
    struct ucred peer;
    socklen_t len = sizeof peer;
    uint32_t budget;
    int fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
    if (fd < 0) {
        accept_failed(listen_fd, errno, runner_socket);
        return;
    }
    arcad_client *c = calloc(1, sizeof *c);
    if (!c || getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &peer, &len) != 0) {
        free(c);
        close(fd);
        return;
    }
    /* A runner arcad launched connects as arcad's uid, for the user it runs for. */
    budget = peer.uid;
    if (peer.uid != (uint32_t)geteuid() || arcad_runner_owner(peer.pid, &budget) != 0)
        budget = peer.uid;
    *c = (arcad_client){.d = d, .fd = fd, .uid = peer.uid, .pid = peer.pid, .conn_uid = budget};
    arca__error_clear();
    if (!conn_take(d, budget)) {
        arca__error(ARCA_ERR_QUOTA, "arcad: uid %u has too many connections open (its "
                    "enclaves + %u); close some", budget, SPARE_CONNECTIONS_PER_UID);
        refuse(fd, ARCA_ERR_QUOTA, runner_socket);
        close(fd);
        free(c);
        return;
    }
    c->conn_held = 1;
    if (arcad_spawn_thread(fn, c) != 0) {
        /* Full: the client sees the end of the connection at once, not a hang. */
        arca__error(ARCA_ERR_QUOTA, "arcad: too many connections (%u); try again later",
                    ARCAD_MAX_CONNECTIONS);
        refuse(fd, ARCA_ERR_QUOTA, runner_socket);
        arcad_conn_release(c);
        close(fd);
        free(c);
    }
}

void arcad_serve(arcad *d)
{
    sigset_t block, old;
    /* Connection threads inherit a mask with every signal blocked: signals are main's. */
    sigfillset(&block);
    pthread_sigmask(SIG_BLOCK, &block, &old);
    reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    while (!arcad_stopping) {
        struct pollfd fds[2] = {{d->listen_fd, POLLIN, 0}, {d->runner_listen_fd, POLLIN, 0}};
        /* Signals are taken only while waiting here. */
        int n = ppoll(fds, 2, NULL, &old);
        if (n < 0)
            continue; /* EINTR: a signal; the loop checks arcad_stopping */
        if (fds[0].revents & POLLIN)
            accept_one(d, d->listen_fd, arcad_client_main, 0);
        if (fds[1].revents & POLLIN)
            accept_one(d, d->runner_listen_fd, arcad_runner_conn_main, 1);
    }
    if (reserve_fd >= 0)
        close(reserve_fd);
    reserve_fd = -1;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
}
