/*
 * test_host_files.c — both ends of host files against a hostile other end.
 *   - The host side (src/host/hostfiles.c) against a hostile enclave's requests: every
 *     malformed request is ARCA_ERR_BAD_FORMAT, a bogus handle EBADF, a reply never longer than
 *     the enclave offered, and no path leads out of the exposed directory (absolute, "..", a
 *     symbolic link out), onto a directory, or into a FIFO (which must not block the host).
 *   - The enclave side (src/loader/libc_files.c, the bound fopen/open/read/write/lseek/close)
 *     against a hostile host's replies (Iago): an undefined result, a reply longer than asked
 *     for, an errno out of range or with bytes after it, a handle out of range, a write count
 *     of zero, larger than sent or "negative", a negative or wrong seek position, each fails
 *     the call with EIO, never a crash or a copy past the caller's buffer; a descriptor the
 *     enclave does not have makes no host call at all.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/error.h"
#include "base/le.h"
#include "formats/host_files.h"
#include "host/hostfiles.h"
#include "loader/loader.h"
#include "loader/loader_internal.h"
#include "test.h"

/* ---- the host side ---- */

static char root[64], dir[128];
static arca__host_files *files;
static uint8_t reply[4 + ARCA__HOST_FILE_IO_MAX + 64];
static size_t reply_len;

static arca_result_t serve(uint32_t id, const void *req, size_t len, size_t cap)
{
    reply_len = 999999;
    memset(reply, 0xCC, sizeof reply);
    arca_result_t r = arca__host_files_serve(files, id, req, len, reply, cap, &reply_len);
    /* never a byte past what was offered */
    for (size_t i = cap; i < sizeof reply; i++)
        if (reply[i] != 0xCC) {
            fprintf(stderr, "  byte %zu past out_cap %zu written\n", i, cap);
            return ARCA_ERR_INTERNAL;
        }
    if (reply_len > cap)
        return ARCA_ERR_INTERNAL;
    return r;
}

static uint32_t reply_errno(void)
{
    return reply_len >= 4 ? arca__get_le32(reply) : UINT32_MAX;
}

/* OPEN: the handle, or -errno. */
static long host_open(uint32_t flags, uint32_t mode, const char *path)
{
    uint8_t req[8 + 2048];
    size_t n = strlen(path);
    arca__put_le32(req, flags);
    arca__put_le32(req + 4, mode);
    memcpy(req + 8, path, n);
    if (serve(ARCA__HOSTCALL_FILE_OPEN, req, 8 + n, 8) != ARCA_OK)
        return -1000;
    if (reply_errno())
        return reply_len == 4 ? -(long)reply_errno() : -2000;
    return reply_len == 8 ? (long)arca__get_le32(reply + 4) : -3000;
}

static void make_tree(void)
{
    char path[256];
    FILE *f;
    snprintf(dir, sizeof dir, "%s/exposed", root);
    mkdir(dir, 0700);
    snprintf(path, sizeof path, "%s/secret.txt", root);
    f = fopen(path, "w");
    if (f) {
        fputs("outside\n", f);
        fclose(f);
    }
    snprintf(path, sizeof path, "%s/hello.txt", dir);
    f = fopen(path, "w");
    if (f) {
        fputs("hello, host files\n", f);
        fclose(f);
    }
    snprintf(path, sizeof path, "%s/sub", dir);
    mkdir(path, 0700);
    snprintf(path, sizeof path, "%s/fifo", dir);
    mkfifo(path, 0600);
    snprintf(path, sizeof path, "%s/out", dir);
    symlink(root, path);
    snprintf(path, sizeof path, "%s/up", dir);
    symlink("../secret.txt", path);
    snprintf(path, sizeof path, "%s/in", dir);
    symlink("hello.txt", path);
}

static void test_host_serves(void)
{
    const uint32_t R = ARCA__HOST_FILE_READ, W = ARCA__HOST_FILE_WRITE;
    long h = host_open(R, 0, "hello.txt");
    ASSERT_TRUE(h >= 0 && h < (long)ARCA__HOST_FILES_MAX);
    uint8_t req[16];
    /* READ: at most what was asked, and at most what fits the reply buffer */
    arca__put_le32(req, (uint32_t)h);
    arca__put_le32(req + 4, 5);
    ASSERT_OK(serve(ARCA__HOSTCALL_FILE_READ, req, 8, 100));
    ASSERT_UEQ(reply_errno(), 0);
    ASSERT_UEQ(reply_len, 4 + 5);
    ASSERT_MEMEQ(reply + 4, "hello", 5);
    arca__put_le32(req + 4, 100);
    ASSERT_OK(serve(ARCA__HOSTCALL_FILE_READ, req, 8, 7)); /* room for 3 bytes only */
    ASSERT_UEQ(reply_len, 7);
    ASSERT_MEMEQ(reply + 4, ", h", 3);
    /* SEEK */
    arca__put_le32(req + 4, 2); /* SEEK_END */
    arca__put_le64(req + 8, (uint64_t)-5);
    ASSERT_OK(serve(ARCA__HOSTCALL_FILE_SEEK, req, 16, 12));
    ASSERT_UEQ(reply_len, 12);
    ASSERT_UEQ(arca__get_le64(reply + 4), 18 - 5);
    arca__put_le32(req + 4, 0);
    arca__put_le64(req + 8, (uint64_t)-1); /* a negative position */
    ASSERT_OK(serve(ARCA__HOSTCALL_FILE_SEEK, req, 16, 12));
    ASSERT_UEQ(reply_errno(), EINVAL);
    ASSERT_UEQ(reply_len, 4);
    /* WRITE on a file opened for reading: the kernel's EBADF */
    uint8_t w[8];
    arca__put_le32(w, (uint32_t)h);
    memcpy(w + 4, "nope", 4);
    ASSERT_OK(serve(ARCA__HOSTCALL_FILE_WRITE, w, 8, 8));
    ASSERT_UEQ(reply_errno(), EBADF);
    /* CLOSE, then the handle is gone */
    ASSERT_OK(serve(ARCA__HOSTCALL_FILE_CLOSE, req, 4, 4));
    ASSERT_UEQ(reply_errno(), 0);
    ASSERT_UEQ(reply_len, 4);
    ASSERT_OK(serve(ARCA__HOSTCALL_FILE_CLOSE, req, 4, 4));
    ASSERT_UEQ(reply_errno(), EBADF);
    arca__put_le32(req + 4, 1);
    ASSERT_OK(serve(ARCA__HOSTCALL_FILE_READ, req, 8, 100));
    ASSERT_UEQ(reply_errno(), EBADF);
    /* bogus handles */
    static const uint32_t bogus[] = {ARCA__HOST_FILES_MAX, UINT32_MAX, 0x80000000u, 63};
    for (size_t i = 0; i < sizeof bogus / sizeof bogus[0]; i++) {
        arca__put_le32(req, bogus[i]);
        arca__put_le32(req + 4, 1);
        ASSERT_OK(serve(ARCA__HOSTCALL_FILE_READ, req, 8, 100));
        ASSERT_UEQ(reply_errno(), EBADF);
        ASSERT_OK(serve(ARCA__HOSTCALL_FILE_CLOSE, req, 4, 4));
        ASSERT_UEQ(reply_errno(), EBADF);
    }
    /* create, write, and the mode asked for */
    h = host_open(W | ARCA__HOST_FILE_CREATE | ARCA__HOST_FILE_EXCLUSIVE, 0640, "new.txt");
    ASSERT_TRUE(h >= 0);
    arca__put_le32(w, (uint32_t)h);
    memcpy(w + 4, "data", 4);
    ASSERT_OK(serve(ARCA__HOSTCALL_FILE_WRITE, w, 8, 8));
    ASSERT_UEQ(reply_errno(), 0);
    ASSERT_UEQ(arca__get_le32(reply + 4), 4);
    ASSERT_EQ(host_open(W | ARCA__HOST_FILE_CREATE | ARCA__HOST_FILE_EXCLUSIVE, 0640, "new.txt"),
              -EEXIST);
    char path[256];
    struct stat st;
    snprintf(path, sizeof path, "%s/new.txt", dir);
    ASSERT_EQ(stat(path, &st), 0);
    ASSERT_EQ(st.st_size, 4);
    ASSERT_EQ(st.st_mode & 0707, 0600); /* 0640 under any umask: never more, "other" none */
    arca__put_le32(req, (uint32_t)h);
    ASSERT_OK(serve(ARCA__HOSTCALL_FILE_CLOSE, req, 4, 4));
    /* at most ARCA__HOST_FILES_MAX at once */
    long hs[ARCA__HOST_FILES_MAX];
    for (unsigned i = 0; i < ARCA__HOST_FILES_MAX; i++)
        hs[i] = host_open(R, 0, "hello.txt");
    for (unsigned i = 0; i < ARCA__HOST_FILES_MAX; i++)
        ASSERT_TRUE(hs[i] >= 0);
    ASSERT_EQ(host_open(R, 0, "hello.txt"), -EMFILE);
    for (unsigned i = 0; i < ARCA__HOST_FILES_MAX; i++) {
        arca__put_le32(req, (uint32_t)hs[i]);
        ASSERT_OK(serve(ARCA__HOSTCALL_FILE_CLOSE, req, 4, 4));
        ASSERT_UEQ(reply_errno(), 0);
    }
}

static void test_host_paths_stay_inside(void)
{
    const uint32_t R = ARCA__HOST_FILE_READ, W = ARCA__HOST_FILE_WRITE;
    char path[256];
    ASSERT_EQ(host_open(R, 0, "/etc/passwd"), -EACCES);
    ASSERT_EQ(host_open(R, 0, "../secret.txt"), -EACCES);
    ASSERT_EQ(host_open(R, 0, "sub/../../secret.txt"), -EACCES);
    ASSERT_EQ(host_open(R, 0, "out/secret.txt"), -EACCES);
    ASSERT_EQ(host_open(R, 0, "up"), -EACCES);
    ASSERT_EQ(host_open(W | ARCA__HOST_FILE_CREATE, 0600, "out/created.txt"), -EACCES);
    snprintf(path, sizeof path, "%s/created.txt", root);
    ASSERT_EQ(access(path, F_OK), -1); /* nothing was created out there */
    ASSERT_EQ(host_open(R, 0, "/proc/self/root/etc/passwd"), -EACCES);
    ASSERT_EQ(host_open(R, 0, "sub"), -EISDIR);
    ASSERT_EQ(host_open(R, 0, "."), -EISDIR);
    ASSERT_EQ(host_open(R, 0, "fifo"), -EACCES); /* and it did not wait for a writer */
    ASSERT_EQ(host_open(W, 0, "fifo"), -ENXIO);  /* O_NONBLOCK: no reader */
    ASSERT_EQ(host_open(R, 0, "missing"), -ENOENT);
    long h = host_open(R, 0, "in"); /* a link that stays inside is fine */
    ASSERT_TRUE(h >= 0);
    uint8_t req[4];
    arca__put_le32(req, (uint32_t)h);
    ASSERT_OK(serve(ARCA__HOSTCALL_FILE_CLOSE, req, 4, 4));
    h = host_open(R, 0, "sub/../hello.txt");
    ASSERT_TRUE(h >= 0);
    arca__put_le32(req, (uint32_t)h);
    ASSERT_OK(serve(ARCA__HOSTCALL_FILE_CLOSE, req, 4, 4));
}

static void test_host_refuses_malformed(void)
{
    const uint32_t R = ARCA__HOST_FILE_READ, W = ARCA__HOST_FILE_WRITE;
    uint8_t req[8 + ARCA__HOST_FILE_PATH_MAX + 8];
    /* flags: none, unknown, TRUNCATE/APPEND without WRITE, EXCLUSIVE without CREATE */
    static const uint32_t bad_flags[] = {0, ARCA__HOST_FILE_CREATE, 0x40, R | 0x80000000u,
                                         R | ARCA__HOST_FILE_TRUNCATE, R | ARCA__HOST_FILE_APPEND,
                                         W | ARCA__HOST_FILE_EXCLUSIVE};
    for (size_t i = 0; i < sizeof bad_flags / sizeof bad_flags[0]; i++) {
        arca__put_le32(req, bad_flags[i]);
        arca__put_le32(req + 4, 0);
        memcpy(req + 8, "hello.txt", 9);
        ASSERT_RESULT(serve(ARCA__HOSTCALL_FILE_OPEN, req, 17, 8), ARCA_ERR_BAD_FORMAT);
    }
    arca__put_le32(req, R);
    arca__put_le32(req + 4, 01000); /* a mode beyond 0777 */
    ASSERT_RESULT(serve(ARCA__HOSTCALL_FILE_OPEN, req, 17, 8), ARCA_ERR_BAD_FORMAT);
    arca__put_le32(req + 4, 0);
    ASSERT_RESULT(serve(ARCA__HOSTCALL_FILE_OPEN, req, 8, 8), ARCA_ERR_BAD_FORMAT); /* no path */
    ASSERT_RESULT(serve(ARCA__HOSTCALL_FILE_OPEN, req, 17, 7), ARCA_ERR_BAD_FORMAT); /* no room */
    memcpy(req + 8, "hel\0o.txt", 9);
    ASSERT_RESULT(serve(ARCA__HOSTCALL_FILE_OPEN, req, 17, 8), ARCA_ERR_BAD_FORMAT); /* a NUL */
    memset(req + 8, 'a', ARCA__HOST_FILE_PATH_MAX + 1);
    ASSERT_RESULT(serve(ARCA__HOSTCALL_FILE_OPEN, req, 8 + ARCA__HOST_FILE_PATH_MAX + 1, 8),
                  ARCA_ERR_BAD_FORMAT);
    ASSERT_OK(serve(ARCA__HOSTCALL_FILE_OPEN, req, 8 + ARCA__HOST_FILE_PATH_MAX, 8));
    ASSERT_UEQ(reply_errno(), ENAMETOOLONG);
    /* every operation: too short, too long, bad fields */
    for (uint32_t id = ARCA__HOSTCALL_FILE_FIRST; id <= ARCA__HOSTCALL_FILE_LAST; id++) {
        ASSERT_RESULT(serve(id, req, 3, 64), ARCA_ERR_BAD_FORMAT);
        ASSERT_RESULT(serve(id, NULL, 0, 64), ARCA_ERR_BAD_FORMAT);
        ASSERT_RESULT(serve(id, req, 16, 3), ARCA_ERR_BAD_FORMAT);
    }
    arca__put_le32(req, 0);
    arca__put_le32(req + 4, 0); /* READ of 0 bytes */
    ASSERT_RESULT(serve(ARCA__HOSTCALL_FILE_READ, req, 8, 64), ARCA_ERR_BAD_FORMAT);
    arca__put_le32(req + 4, ARCA__HOST_FILE_IO_MAX + 1);
    ASSERT_RESULT(serve(ARCA__HOSTCALL_FILE_READ, req, 8, 64), ARCA_ERR_BAD_FORMAT);
    ASSERT_RESULT(serve(ARCA__HOSTCALL_FILE_READ, req, 12, 64), ARCA_ERR_BAD_FORMAT);
    ASSERT_RESULT(serve(ARCA__HOSTCALL_FILE_WRITE, req, 4, 64), ARCA_ERR_BAD_FORMAT);
    ASSERT_RESULT(serve(ARCA__HOSTCALL_FILE_WRITE, req, 8, 7), ARCA_ERR_BAD_FORMAT);
    static uint8_t big[4 + ARCA__HOST_FILE_IO_MAX + 1];
    ASSERT_RESULT(serve(ARCA__HOSTCALL_FILE_WRITE, big, sizeof big, 64), ARCA_ERR_BAD_FORMAT);
    arca__put_le32(req + 4, 3); /* whence 3 */
    ASSERT_RESULT(serve(ARCA__HOSTCALL_FILE_SEEK, req, 16, 64), ARCA_ERR_BAD_FORMAT);
    ASSERT_RESULT(serve(ARCA__HOSTCALL_FILE_SEEK, req, 12, 64), ARCA_ERR_BAD_FORMAT);
    ASSERT_RESULT(serve(ARCA__HOSTCALL_FILE_CLOSE, req, 8, 64), ARCA_ERR_BAD_FORMAT);
    ASSERT_RESULT(serve(ARCA__HOSTCALL_FILE_LAST + 1, req, 8, 64), ARCA_ERR_UNKNOWN_FUNCTION);
    ASSERT_RESULT(serve(ARCA__HOSTCALL_FILE_FIRST - 1, req, 8, 64), ARCA_ERR_UNKNOWN_FUNCTION);
}

static void test_host_directory(void)
{
    arca__host_files *f = NULL;
    char path[256];
    ASSERT_RESULT(arca__host_files_open("/nonexistent/dir", &f), ARCA_ERR_IO);
    ASSERT_CONTAINS(arca__error_detail(), "host.files=/nonexistent/dir: cannot open the directory");
    snprintf(path, sizeof path, "%s/hello.txt", dir);
    ASSERT_RESULT(arca__host_files_open(path, &f), ARCA_ERR_IO); /* not a directory */
    ASSERT_RESULT(arca__host_files_open("", &f), ARCA_ERR_INVALID_ARGUMENT);
    ASSERT_TRUE(f == NULL);
    arca__host_files_close(NULL);
}

/* ---- the enclave side against a hostile host ---- */

static struct {
    int calls;
    uint32_t last_id;
    arca_result_t result; /* what the host answers */
    uint8_t bytes[64];    /* the reply it writes (at most out_cap of it) */
    size_t len;           /* the length it claims */
} host;

static arca_result_t hostile(void *ctx, uint32_t id, const uint8_t *in, size_t in_len,
                             uint8_t *out, size_t out_cap, size_t *out_len)
{
    (void)ctx, (void)in, (void)in_len;
    host.calls++;
    host.last_id = id;
    size_t n = host.len < out_cap ? host.len : out_cap;
    if (n > sizeof host.bytes)
        n = sizeof host.bytes;
    memcpy(out, host.bytes, n);
    *out_len = host.len;
    return host.result;
}

/* The host's next reply: result, then u32 words (errno first), claimed length @p len (0: the
 * words' length). */
static void answer(arca_result_t result, size_t len, int words, ...)
{
    va_list ap;
    va_start(ap, words);
    host.result = result;
    for (int i = 0; i < words; i++)
        arca__put_le32(host.bytes + 4 * i, va_arg(ap, uint32_t));
    va_end(ap);
    host.len = len ? len : (size_t)words * 4;
}

static arca__loaded_image *image;
static void *fn(const char *name)
{
    uint64_t v = 0;
    return arca__loader_files_binding(image, name, &v) ? (void *)(uintptr_t)v : NULL;
}

typedef int (*open_fn)(const char *, int, ...);
typedef ssize_t (*rw_fn)(int, void *, size_t);
typedef ssize_t (*write_fn)(int, const void *, size_t);
typedef off_t (*seek_fn)(int, off_t, int);
typedef int (*close_fn)(int);
typedef FILE *(*fopen_fn)(const char *, const char *);

/* A descriptor the enclave holds for host handle 7. */
static int good_open(void)
{
    open_fn o = (open_fn)fn("open");
    answer(ARCA_OK, 0, 2, 0u, 7u);
    return o("f", O_RDWR);
}

static void test_enclave_checks_replies(void)
{
    open_fn o = (open_fn)fn("open");
    rw_fn rd = (rw_fn)fn("read");
    write_fn wr = (write_fn)fn("write");
    seek_fn sk = (seek_fn)fn("lseek");
    close_fn cl = (close_fn)fn("close");
    fopen_fn fo = (fopen_fn)fn("fopen");
    ASSERT_TRUE(o && rd && wr && sk && cl && fo);
    if (!o || !rd || !wr || !sk || !cl || !fo)
        return;
    /* OPEN: each malformed reply is EIO (and no descriptor) */
    static const struct {
        arca_result_t result;
        size_t len;
        int words;
        uint32_t w0, w1;
        int want_errno;
    } opens[] = {
        {ARCA_OK, 0, 2, 0, ARCA__HOST_FILES_MAX, EIO}, /* handle out of range */
        {ARCA_OK, 0, 2, 0, UINT32_MAX, EIO},
        {ARCA_OK, 6, 2, 0, 1, EIO},                    /* 2 bytes after the errno */
        {ARCA_OK, 3, 1, 0, 0, EIO},                    /* shorter than an errno */
        {ARCA_OK, 100, 2, 0, 1, EIO},                  /* longer than offered */
        {(arca_result_t)9999, 0, 2, 0, 1, EIO},        /* an undefined result */
        {ARCA_ERR_BAD_HOST_REPLY, 0, 2, 0, 1, EIO},
        {ARCA_OK, 0, 1, 5000, 0, EIO},                 /* errno out of range */
        {ARCA_OK, 0, 2, ENOENT, 1, EIO},               /* errno with bytes after it */
        {ARCA_OK, 0, 1, ENOENT, 0, ENOENT},            /* a proper refusal */
        {ARCA_ERR_UNSUPPORTED, 0, 0, 0, 0, ENOSYS},    /* no directory exposed */
    };
    for (size_t i = 0; i < sizeof opens / sizeof opens[0]; i++) {
        answer(opens[i].result, opens[i].len, opens[i].words, opens[i].w0, opens[i].w1);
        errno = 0;
        int fd = o("f", O_RDONLY);
        if (fd != -1 || errno != opens[i].want_errno)
            fprintf(stderr, "  open case %zu: fd %d errno %d\n", i, fd, errno);
        ASSERT_EQ(fd, -1);
        ASSERT_EQ(errno, opens[i].want_errno);
        answer(opens[i].result, opens[i].len, opens[i].words, opens[i].w0, opens[i].w1);
        errno = 0;
        ASSERT_TRUE(fo("f", "r") == NULL);
        ASSERT_EQ(errno, opens[i].want_errno);
    }

    int fd = good_open();
    ASSERT_TRUE(fd >= 960 && fd < 1024);
    uint8_t buf[16];
    memset(buf, 0xAB, sizeof buf);
    /* READ: more than asked for (claimed beyond the offer) */
    answer(ARCA_OK, 4 + 8 + 1, 3, 0u, 0x41414141u, 0x42424242u);
    ASSERT_EQ(rd(fd, buf, 8), -1);
    ASSERT_EQ(errno, EIO);
    for (size_t i = 0; i < sizeof buf; i++)
        ASSERT_EQ(buf[i], 0xAB); /* nothing copied */
    /* READ: exactly what was asked for arrives */
    answer(ARCA_OK, 0, 3, 0u, 0x64636261u, 0x68676665u);
    ASSERT_EQ(rd(fd, buf, 8), 8);
    ASSERT_MEMEQ(buf, "abcdefgh", 8);
    ASSERT_EQ(buf[8], 0xAB);
    answer(ARCA_OK, 0, 1, 0u);
    ASSERT_EQ(rd(fd, buf, 8), 0); /* end of file */
    /* WRITE: a count of zero, larger than sent, "negative" */
    static const uint32_t counts[] = {0, 5, UINT32_MAX, 0x80000000u};
    for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++) {
        answer(ARCA_OK, 0, 2, 0u, counts[i]);
        errno = 0;
        ASSERT_EQ(wr(fd, "four", 4), -1);
        ASSERT_EQ(errno, EIO);
    }
    answer(ARCA_OK, 0, 2, 0u, 4u);
    ASSERT_EQ(wr(fd, "four", 4), 4);
    /* SEEK: negative, not where SEEK_SET asked, the wrong size */
    answer(ARCA_OK, 0, 3, 0u, 0xFFFFFFFFu, 0xFFFFFFFFu);
    ASSERT_EQ(sk(fd, 0, SEEK_END), -1);
    ASSERT_EQ(errno, EIO);
    answer(ARCA_OK, 0, 3, 0u, 11u, 0u);
    ASSERT_EQ(sk(fd, 10, SEEK_SET), -1);
    ASSERT_EQ(errno, EIO);
    answer(ARCA_OK, 0, 2, 0u, 10u);
    ASSERT_EQ(sk(fd, 10, SEEK_SET), -1);
    ASSERT_EQ(errno, EIO);
    answer(ARCA_OK, 0, 3, 0u, 10u, 0u);
    ASSERT_EQ(sk(fd, 10, SEEK_SET), 10);
    answer(ARCA_OK, 0, 3, 0u, 99u, 0u);
    ASSERT_EQ(sk(fd, 0, SEEK_END), 99);
    host.calls = 0;
    errno = 0;
    ASSERT_EQ(sk(fd, 0, 7), -1); /* whence checked before any host call */
    ASSERT_EQ(errno, EINVAL);
    ASSERT_EQ(host.calls, 0);
    /* CLOSE with bytes after the errno: EIO, and the descriptor is gone all the same */
    answer(ARCA_OK, 0, 2, 0u, 1u);
    ASSERT_EQ(cl(fd), -1);
    ASSERT_EQ(errno, EIO);
    host.calls = 0;
    errno = 0;
    ASSERT_EQ(rd(fd, buf, 1), -1);
    ASSERT_EQ(errno, EBADF);
    ASSERT_EQ(cl(fd), -1);
    ASSERT_EQ(errno, EBADF);
    /* descriptors the enclave does not hold: no host call at all */
    ASSERT_EQ(rd(fd + 1, buf, 1), -1);
    ASSERT_EQ(errno, EBADF);
    ASSERT_EQ(wr(fd + 5, "x", 1), -1);
    ASSERT_EQ(errno, EBADF);
    ASSERT_EQ(sk(fd + 9, 0, SEEK_SET), -1);
    ASSERT_EQ(host.calls, 0);
    /* a descriptor opened read-only is not written, and one for writing is not read */
    answer(ARCA_OK, 0, 2, 0u, 3u);
    int ro = o("ro", O_RDONLY);
    answer(ARCA_OK, 0, 2, 0u, 4u);
    int wo = o("wo", O_WRONLY);
    host.calls = 0;
    ASSERT_EQ(wr(ro, "x", 1), -1);
    ASSERT_EQ(errno, EBADF);
    ASSERT_EQ(rd(wo, buf, 1), -1);
    ASSERT_EQ(errno, EBADF);
    ASSERT_EQ(host.calls, 0);
    answer(ARCA_OK, 0, 1, 0u);
    ASSERT_EQ(cl(ro), 0);
    answer(ARCA_OK, 0, 1, 0u);
    ASSERT_EQ(cl(wo), 0);
    /* open's flags that host files cannot honour, refused before any host call */
    host.calls = 0;
    ASSERT_EQ(o("d", O_RDONLY | O_DIRECTORY), -1);
    ASSERT_EQ(errno, EINVAL);
    ASSERT_EQ(o("d", O_RDWR | O_TMPFILE, 0600), -1);
    ASSERT_EQ(errno, EINVAL);
    ASSERT_EQ(o("", O_RDONLY), -1);
    ASSERT_EQ(errno, ENOENT);
    ASSERT_EQ(host.calls, 0);
    /* fopen's modes */
    ASSERT_TRUE(fo("f", "rw") == NULL && errno == EINVAL);
    ASSERT_TRUE(fo("f", "q") == NULL && errno == EINVAL);
    ASSERT_TRUE(fo("f", "rx") == NULL && errno == EINVAL);
    ASSERT_TRUE(fo("f", "r,ccs=UTF-8") == NULL && errno == EINVAL);
    ASSERT_EQ(host.calls, 0);
}

/* Not opted in: ENOSYS before any host call. */
static void test_enclave_not_opted_in(void)
{
    open_fn o = (open_fn)fn("open");
    fopen_fn fo = (fopen_fn)fn("fopen");
    rw_fn rd = (rw_fn)fn("read");
    ASSERT_OK(arca__loader_files_set(image, 0));
    host.calls = 0;
    errno = 0;
    ASSERT_EQ(o("f", O_RDONLY), -1);
    ASSERT_EQ(errno, ENOSYS);
    ASSERT_TRUE(fo("f", "r") == NULL && errno == ENOSYS);
    char c;
    ASSERT_EQ(rd(5, &c, 1), -1);
    ASSERT_EQ(errno, EBADF);
    ASSERT_EQ(host.calls, 0);
    ASSERT_OK(arca__loader_files_set(image, 1));
}

int main(void)
{
    if (!test_make_scratch_dir(root, sizeof root, "hostfiles"))
        return 1;
    make_tree();
    if (arca__host_files_open(dir, &files) != ARCA_OK) {
        fprintf(stderr, "setup: %s\n", arca__error_detail());
        return 1;
    }
    RUN(test_host_serves);
    RUN(test_host_paths_stay_inside);
    RUN(test_host_refuses_malformed);
    RUN(test_host_directory);
    arca__host_files_close(files);

    /* A loaded image as the loader keeps it, with only what host files use: the bound
     * functions find it as the calling thread's image. */
    image = calloc(1, sizeof *image);
    if (!image || arca__loader_files_set(image, 1) != ARCA_OK)
        return 1;
    arca__runtime_set_host_call(image, hostile, NULL);
    arca__loaded_image *outer = arca__runtime_enter(image);
    RUN(test_enclave_checks_replies);
    RUN(test_enclave_not_opted_in);
    arca__runtime_leave(outer);
    arca__loader_files_free(image);
    free(image);
    test_remove_scratch_dir(root);
    return TEST_SUMMARY();
}
