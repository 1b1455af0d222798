/*
 * libc_files.c — host files (issue 13): an enclave signed with HostFiles = 1 opens, reads,
 * writes, seeks and closes plain files in the directory its host exposes (setting
 * host.files=DIR), with the C library's own functions: fopen (then fgets, fputs, fread,
 * fwrite, fprintf, fseek, ftell, fclose... — the C library's code on a stream whose reads and
 * writes come here), fdopen, open, openat, creat, read, write, writev, lseek, fsync, close.
 * Each operation is one of Arca's reserved host calls (src/formats/host_files.h), carried by
 * the backend's host-call function, the same on every backend.
 *
 * The enclave's descriptors for these files are numbers of its own, 960 … 1023 (high, so that
 * they never alias a descriptor the loading process has open, and below FD_SETSIZE), mapped
 * here to the host's handles; the image never holds a host descriptor or pointer. The
 * host is not trusted: every result and length of a reply is checked (a defined result, an
 * errno in range, exactly the reply size of its operation, never more bytes than asked for,
 * a handle in range, a position that is not negative and, for SEEK_SET, the one asked for);
 * anything else fails the operation with EIO. What the files hold is not protected either:
 * the host reads and changes them (docs/threat-model.md); seal what must stay secret.
 *
 * Without HostFiles (or before arca__runtime_set_config), fopen, open and the rest fail with
 * ENOSYS and say so once on the enclave's stderr, as they always did. Descriptors outside the
 * enclave's range go on to the functions bound before (write: libc_cxx.c's, for 1 and 2) or
 * the C library's, unchanged.
 *
 * This file must never hand the image a host descriptor, never copy more of a reply than the
 * caller's buffer holds or the request asked for, and never let one image use another's files.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "base/le.h"
#include "formats/host_files.h"
#include "loader_internal.h"

/* The image's descriptors for host files: [ARCA__FILES_FD_BASE, + ARCA__HOST_FILES_MAX), all
 * handled here (EBADF when not open), never passed on. */
#define ARCA__FILES_FD_BASE (1024 - (int)ARCA__HOST_FILES_MAX)
/* Bytes per READ or WRITE host call; halved (down to 256) when the channel is smaller. */
#define CHUNK (16u * 1024u)
#define CHUNK_MIN 256u

struct arca__loader_files {
    pthread_mutex_t lock; /* one operation at a time, as the host serves them */
    int enabled;          /* HostFiles = 1 in the signed config */
    struct {
        int used;
        uint32_t handle; /* the host's, < ARCA__HOST_FILES_MAX */
        uint32_t flags;  /* ARCA__HOST_FILE_READ / _WRITE it was opened for */
    } fd[ARCA__HOST_FILES_MAX];
};

/* ---- per image state ---- */

static struct arca__loader_files *files_of(arca__loaded_image *image)
{
    if (!image)
        return NULL;
    if (!image->files) {
        struct arca__loader_files *f = calloc(1, sizeof *f);
        if (!f || pthread_mutex_init(&f->lock, NULL) != 0) {
            free(f);
            return NULL;
        }
        image->files = f;
    }
    return image->files;
}

arca_result_t arca__loader_files_set(arca__loaded_image *image, int enabled)
{
    struct arca__loader_files *f = files_of(image);
    if (!f)
        return ARCA_ERR_OUT_OF_MEMORY;
    f->enabled = enabled;
    return ARCA_OK;
}

void arca__loader_files_free(arca__loaded_image *image)
{
    if (!image->files)
        return;
    pthread_mutex_destroy(&image->files->lock);
    free(image->files);
    image->files = NULL;
}

/* The calling image's files, when it may use them. */
static struct arca__loader_files *enabled_files(arca__loaded_image *image)
{
    struct arca__loader_files *f = image ? image->files : NULL;
    return f && f->enabled ? f : NULL;
}

/* ---- saying why, once ---- */

static void say_once(arca__loaded_image *image, int *said, const char *text)
{
    if (!__atomic_exchange_n(said, 1, __ATOMIC_RELAXED) && image && image->streams[1])
        fputs(text, image->streams[1]);
}

/* Not opted in: as every function enclaves cannot use (libc_bind.c's words). */
static void unavailable(arca__loaded_image *image, const char *name, int *said)
{
    char text[256];
    snprintf(text, sizeof text,
             "arca: the enclave called %s(), which enclaves cannot use (it fails with ENOSYS; "
             "host files need HostFiles = 1 in enclave.conf and the host's setting "
             "host.files=DIR)\n", name);
    say_once(image, said, text);
    errno = ENOSYS;
}

/* ---- one host call ---- */

/*
 * Make host-file call @p id with @p in; the reply (errno first) lands in @p reply (cap bytes).
 * 0 with *payload = the bytes after the errno; -1 with errno set: the host's errno (in range,
 * with nothing after it), ENOSYS when the host serves no files, EMSGSIZE when the request is
 * larger than the channel takes, EIO for every malformed reply.
 */
static int file_call(arca__loaded_image *image, uint32_t id, const uint8_t *in, size_t in_len,
                     uint8_t *reply, size_t cap, size_t *payload)
{
    static int said_no_directory;
    size_t got = 0;
    arca_result_t r;
    if (!image->host_call) {
        errno = ENOSYS;
        return -1;
    }
    r = image->host_call(image->host_ctx, id, in, in_len, reply, cap, &got);
    if (r == ARCA_ERR_UNSUPPORTED) {
        say_once(image, &said_no_directory,
                 "arca: the enclave used a host file, but the host exposes no directory "
                 "(setting host.files=DIR), or the call came from outside a call into the "
                 "enclave: it fails with ENOSYS\n");
        errno = ENOSYS;
        return -1;
    }
    if (r == ARCA_ERR_PAYLOAD_TOO_LARGE) {
        errno = EMSGSIZE;
        return -1;
    }
    if (r != ARCA_OK || got < 4 || got > cap) {
        errno = EIO;
        return -1;
    }
    uint32_t e = arca__get_le32(reply);
    if (e) {
        errno = got == 4 && e <= ARCA__HOST_FILE_ERRNO_MAX ? (int)e : EIO;
        return -1;
    }
    *payload = got - 4;
    return 0;
}

/* The slot of enclave descriptor @p fd of @p f, or -1 (EBADF). Lock held. */
static int slot_of(const struct arca__loader_files *f, int fd)
{
    if (!f || fd < ARCA__FILES_FD_BASE || fd >= ARCA__FILES_FD_BASE + (int)ARCA__HOST_FILES_MAX ||
        !f->fd[fd - ARCA__FILES_FD_BASE].used) {
        errno = EBADF;
        return -1;
    }
    return fd - ARCA__FILES_FD_BASE;
}

static int in_range(int fd)
{
    return fd >= ARCA__FILES_FD_BASE && fd < ARCA__FILES_FD_BASE + (int)ARCA__HOST_FILES_MAX;
}

/* ---- the operations (image may use host files) ---- */

static int files_open(arca__loaded_image *image, struct arca__loader_files *f, const char *path,
                      uint32_t flags, uint32_t mode)
{
    uint8_t req[8 + ARCA__HOST_FILE_PATH_MAX], reply[8];
    size_t len, payload = 0;
    int slot = 0, fd = -1;
    if (!path) {
        errno = EFAULT;
        return -1;
    }
    len = strlen(path);
    if (len == 0) {
        errno = ENOENT;
        return -1;
    }
    if (len > ARCA__HOST_FILE_PATH_MAX) {
        errno = ENAMETOOLONG;
        return -1;
    }
    arca__put_le32(req, flags);
    arca__put_le32(req + 4, mode & 0777);
    memcpy(req + 8, path, len);
    pthread_mutex_lock(&f->lock);
    while (slot < (int)ARCA__HOST_FILES_MAX && f->fd[slot].used)
        slot++;
    if (slot == (int)ARCA__HOST_FILES_MAX) {
        errno = EMFILE;
    } else if (file_call(image, ARCA__HOSTCALL_FILE_OPEN, req, 8 + len, reply, sizeof reply,
                         &payload) == 0) {
        uint32_t handle = payload == 4 ? arca__get_le32(reply + 4) : UINT32_MAX;
        if (handle >= ARCA__HOST_FILES_MAX) {
            errno = EIO; /* not a handle the host can have given */
        } else {
            f->fd[slot].used = 1;
            f->fd[slot].handle = handle;
            f->fd[slot].flags = flags & (ARCA__HOST_FILE_READ | ARCA__HOST_FILE_WRITE);
            fd = ARCA__FILES_FD_BASE + slot;
        }
    }
    pthread_mutex_unlock(&f->lock);
    return fd;
}

static ssize_t files_read(arca__loaded_image *image, struct arca__loader_files *f, int fd,
                          void *buf, size_t count)
{
    ssize_t n = -1;
    uint8_t *reply = NULL;
    size_t chunk = count < CHUNK ? count : CHUNK;
    pthread_mutex_lock(&f->lock);
    int slot = slot_of(f, fd);
    if (slot < 0)
        goto done;
    if (!(f->fd[slot].flags & ARCA__HOST_FILE_READ)) {
        errno = EBADF;
        goto done;
    }
    if (count == 0) {
        n = 0;
        goto done;
    }
    if (!buf) {
        errno = EFAULT;
        goto done;
    }
    reply = malloc(4 + chunk);
    if (!reply) {
        errno = ENOMEM;
        goto done;
    }
    for (;;) {
        uint8_t req[8];
        size_t payload = 0;
        arca__put_le32(req, f->fd[slot].handle);
        arca__put_le32(req + 4, (uint32_t)chunk);
        if (file_call(image, ARCA__HOSTCALL_FILE_READ, req, sizeof req, reply, 4 + chunk,
                      &payload) == 0) {
            if (payload > chunk) { /* more than asked for (file_call bounded it by cap) */
                errno = EIO;
                break;
            }
            memcpy(buf, reply + 4, payload);
            n = (ssize_t)payload;
            break;
        }
        if (errno != EMSGSIZE || chunk / 2 < CHUNK_MIN)
            break;
        chunk /= 2;
    }
done:
    pthread_mutex_unlock(&f->lock);
    free(reply);
    return n;
}

static ssize_t files_write(arca__loaded_image *image, struct arca__loader_files *f, int fd,
                           const void *buf, size_t count)
{
    size_t done_bytes = 0, chunk = CHUNK;
    uint8_t *req = NULL;
    int failed = 0;
    pthread_mutex_lock(&f->lock);
    int slot = slot_of(f, fd);
    if (slot < 0 || !(f->fd[slot].flags & ARCA__HOST_FILE_WRITE)) {
        errno = EBADF;
        failed = 1;
    } else if (count && !buf) {
        errno = EFAULT;
        failed = 1;
    } else if (count && !(req = malloc(4 + CHUNK))) {
        errno = ENOMEM;
        failed = 1;
    }
    if (count > SSIZE_MAX)
        count = SSIZE_MAX;
    while (!failed && done_bytes < count) {
        size_t n = count - done_bytes < chunk ? count - done_bytes : chunk, payload = 0;
        uint8_t reply[8];
        arca__put_le32(req, f->fd[slot].handle);
        memcpy(req + 4, (const uint8_t *)buf + done_bytes, n);
        if (file_call(image, ARCA__HOSTCALL_FILE_WRITE, req, 4 + n, reply, sizeof reply,
                      &payload) != 0) {
            if (errno == EMSGSIZE && chunk / 2 >= CHUNK_MIN) {
                chunk /= 2;
                continue;
            }
            failed = 1;
            break;
        }
        uint32_t written = payload == 4 ? arca__get_le32(reply + 4) : 0;
        if (written == 0 || written > n) { /* a count it cannot have written */
            errno = EIO;
            failed = 1;
            break;
        }
        done_bytes += written;
    }
    pthread_mutex_unlock(&f->lock);
    free(req);
    /* What was written counts (POSIX: a short write); an error before anything is -1. */
    return failed && done_bytes == 0 ? -1 : (ssize_t)done_bytes;
}

static off64_t files_seek(arca__loaded_image *image, struct arca__loader_files *f, int fd,
                          off64_t offset, int whence)
{
    off64_t at = -1;
    uint8_t req[16], reply[12];
    size_t payload = 0;
    pthread_mutex_lock(&f->lock);
    int slot = slot_of(f, fd);
    if (slot < 0)
        goto done;
    if (whence != SEEK_SET && whence != SEEK_CUR && whence != SEEK_END) {
        errno = EINVAL;
        goto done;
    }
    arca__put_le32(req, f->fd[slot].handle);
    arca__put_le32(req + 4, whence == SEEK_SET ? 0u : whence == SEEK_CUR ? 1u : 2u);
    arca__put_le64(req + 8, (uint64_t)offset);
    if (file_call(image, ARCA__HOSTCALL_FILE_SEEK, req, sizeof req, reply, sizeof reply,
                  &payload) != 0)
        goto done;
    uint64_t pos = payload == 8 ? arca__get_le64(reply + 4) : UINT64_MAX;
    if (pos > INT64_MAX || (whence == SEEK_SET && pos != (uint64_t)offset)) {
        errno = EIO; /* negative, or not where it was asked to go */
        goto done;
    }
    at = (off64_t)pos;
done:
    pthread_mutex_unlock(&f->lock);
    return at;
}

static int files_close(arca__loaded_image *image, struct arca__loader_files *f, int fd)
{
    int rc = -1;
    uint8_t req[4], reply[8];
    size_t payload = 0;
    pthread_mutex_lock(&f->lock);
    int slot = slot_of(f, fd);
    if (slot >= 0) {
        /* The descriptor is gone whatever the host answers. */
        f->fd[slot].used = 0;
        arca__put_le32(req, f->fd[slot].handle);
        if (file_call(image, ARCA__HOSTCALL_FILE_CLOSE, req, sizeof req, reply, sizeof reply,
                      &payload) == 0) {
            if (payload == 0)
                rc = 0;
            else
                errno = EIO;
        }
    }
    pthread_mutex_unlock(&f->lock);
    return rc;
}

/* ---- streams (fopen, fdopen) ---- */

typedef struct file_cookie {
    arca__loaded_image *image;
    int fd;
} file_cookie;

static ssize_t cookie_read(void *cookie, char *buf, size_t size)
{
    file_cookie *c = cookie;
    struct arca__loader_files *f = c->image->files;
    return f ? files_read(c->image, f, c->fd, buf, size) : -1;
}

static ssize_t cookie_write(void *cookie, const char *buf, size_t size)
{
    file_cookie *c = cookie;
    struct arca__loader_files *f = c->image->files;
    ssize_t n = f ? files_write(c->image, f, c->fd, buf, size) : -1;
    return n < 0 ? 0 : n; /* fopencookie: 0 on error, never negative */
}

static int cookie_seek(void *cookie, off64_t *offset, int whence)
{
    file_cookie *c = cookie;
    struct arca__loader_files *f = c->image->files;
    off64_t at = f ? files_seek(c->image, f, c->fd, *offset, whence) : -1;
    if (at < 0)
        return -1;
    *offset = at;
    return 0;
}

static int cookie_close(void *cookie)
{
    file_cookie *c = cookie;
    struct arca__loader_files *f = c->image->files;
    int rc = f ? files_close(c->image, f, c->fd) : -1;
    free(c);
    return rc;
}

static FILE *stream_on(arca__loaded_image *image, int fd, const char *mode)
{
    cookie_io_functions_t io = {.read = cookie_read, .write = cookie_write, .seek = cookie_seek,
                                .close = cookie_close};
    file_cookie *c = calloc(1, sizeof *c);
    FILE *stream;
    if (!c) {
        errno = ENOMEM;
        return NULL;
    }
    c->image = image;
    c->fd = fd;
    stream = fopencookie(c, mode, io);
    if (!stream)
        free(c);
    return stream;
}

/* fopen's mode: r, w or a, then any of + b x e m (x: with w or a); the access and open flags,
 * and the mode for fopencookie (r, r+, w, w+, a, a+). 0, or -1 with EINVAL. */
static int parse_mode(const char *mode, uint32_t *flags, char cookie_mode[3])
{
    int plus = 0, exclusive = 0;
    if (!mode || (mode[0] != 'r' && mode[0] != 'w' && mode[0] != 'a')) {
        errno = EINVAL;
        return -1;
    }
    for (const char *m = mode + 1; *m; m++) {
        if (*m == '+')
            plus = 1;
        else if (*m == 'x')
            exclusive = 1;
        else if (*m != 'b' && *m != 'e' && *m != 'm' && *m != 'c') {
            errno = EINVAL; /* ",ccs=" and anything else */
            return -1;
        }
    }
    if (exclusive && mode[0] == 'r') {
        errno = EINVAL;
        return -1;
    }
    uint32_t access = plus ? ARCA__HOST_FILE_READ | ARCA__HOST_FILE_WRITE
                      : mode[0] == 'r' ? ARCA__HOST_FILE_READ
                                       : ARCA__HOST_FILE_WRITE;
    *flags = access | (mode[0] == 'w' ? ARCA__HOST_FILE_CREATE | ARCA__HOST_FILE_TRUNCATE : 0) |
             (mode[0] == 'a' ? ARCA__HOST_FILE_CREATE | ARCA__HOST_FILE_APPEND : 0) |
             (exclusive ? ARCA__HOST_FILE_EXCLUSIVE : 0);
    cookie_mode[0] = mode[0];
    cookie_mode[1] = plus ? '+' : '\0';
    cookie_mode[2] = '\0';
    return 0;
}

static FILE *bound_fopen(const char *path, const char *mode)
{
    static int said;
    arca__loaded_image *image = arca__loader_caller();
    struct arca__loader_files *f = enabled_files(image);
    uint32_t flags = 0;
    char cookie_mode[3];
    FILE *stream = NULL;
    if (!f) {
        unavailable(image, "fopen", &said);
        return NULL;
    }
    if (parse_mode(mode, &flags, cookie_mode) != 0)
        return NULL;
    int fd = files_open(image, f, path, flags, 0666);
    if (fd < 0)
        return NULL;
    stream = stream_on(image, fd, cookie_mode);
    if (!stream) {
        int saved = errno;
        files_close(image, f, fd);
        errno = saved;
    }
    return stream;
}

static FILE *bound_fdopen(int fd, const char *mode)
{
    arca__loaded_image *image = arca__loader_caller();
    struct arca__loader_files *f = image ? image->files : NULL;
    uint32_t flags = 0, need;
    char cookie_mode[3];
    if (!image || !in_range(fd))
        return fdopen(fd, mode);
    if (parse_mode(mode, &flags, cookie_mode) != 0)
        return NULL;
    if (!f) {
        errno = EBADF;
        return NULL;
    }
    need = flags & (ARCA__HOST_FILE_READ | ARCA__HOST_FILE_WRITE);
    pthread_mutex_lock(&f->lock);
    int slot = slot_of(f, fd), ok = slot >= 0 && (f->fd[slot].flags & need) == need;
    pthread_mutex_unlock(&f->lock);
    if (slot >= 0 && !ok)
        errno = EINVAL; /* a mode the descriptor was not opened for */
    return ok ? stream_on(image, fd, cookie_mode) : NULL;
}

/* ---- descriptors (open, read, write, ...) ---- */

/* open's flags as host-file flags: 0, or -1 with EINVAL for what host files cannot do
 * (O_DIRECTORY, O_PATH, O_TMPFILE, ...). Flags that only tune the host's descriptor are
 * accepted and left to it. */
static int open_flags(int flags, uint32_t *out)
{
    const int known = O_ACCMODE | O_CREAT | O_TRUNC | O_APPEND | O_EXCL | O_CLOEXEC | O_NOCTTY |
                      O_LARGEFILE | O_NONBLOCK | O_SYNC | O_DSYNC | O_NOATIME | O_NOFOLLOW;
    int access = flags & O_ACCMODE;
    if ((flags & ~known) || access == O_ACCMODE) {
        errno = EINVAL;
        return -1;
    }
    *out = (access == O_RDONLY   ? ARCA__HOST_FILE_READ
             : access == O_WRONLY ? ARCA__HOST_FILE_WRITE
                                  : ARCA__HOST_FILE_READ | ARCA__HOST_FILE_WRITE) |
           (flags & O_CREAT ? ARCA__HOST_FILE_CREATE : 0) |
           (flags & O_EXCL && flags & O_CREAT ? ARCA__HOST_FILE_EXCLUSIVE : 0);
    if (access != O_RDONLY)
        *out |= (flags & O_TRUNC ? ARCA__HOST_FILE_TRUNCATE : 0) |
                (flags & O_APPEND ? ARCA__HOST_FILE_APPEND : 0);
    return 0;
}

static int do_open(const char *name, int *said, const char *path, int flags, uint32_t mode)
{
    arca__loaded_image *image = arca__loader_caller();
    struct arca__loader_files *f = enabled_files(image);
    uint32_t hf = 0;
    if (!f) {
        unavailable(image, name, said);
        return -1;
    }
    if (open_flags(flags, &hf) != 0)
        return -1;
    return files_open(image, f, path, hf, mode);
}

static uint32_t mode_arg(int flags, va_list ap)
{
    return (flags & O_CREAT) ? (uint32_t)va_arg(ap, int) : 0;
}

static int bound_open(const char *path, int flags, ...)
{
    static int said;
    va_list ap;
    va_start(ap, flags);
    uint32_t mode = mode_arg(flags, ap);
    va_end(ap);
    return do_open("open", &said, path, flags, mode);
}

static int bound_open64(const char *path, int flags, ...)
{
    static int said;
    va_list ap;
    va_start(ap, flags);
    uint32_t mode = mode_arg(flags, ap);
    va_end(ap);
    return do_open("open64", &said, path, flags, mode);
}

/* _FORTIFY_SOURCE's open without a mode: O_CREAT would need one. */
static int bound_open_2(const char *path, int flags)
{
    static int said;
    if (flags & O_CREAT) {
        errno = EINVAL;
        return -1;
    }
    return do_open("open", &said, path, flags, 0);
}

/* openat: relative to the current directory only (the enclave has no other directory
 * descriptor; its paths are relative to the exposed directory anyway). */
static int openat_common(const char *name, int *said, int dirfd, const char *path, int flags,
                         uint32_t mode)
{
    if (dirfd != AT_FDCWD && !(path && path[0] == '/')) {
        arca__loaded_image *image = arca__loader_caller();
        if (!enabled_files(image)) {
            unavailable(image, name, said);
            return -1;
        }
        errno = in_range(dirfd) ? ENOTDIR : EBADF;
        return -1;
    }
    return do_open(name, said, path, flags, mode);
}

static int bound_openat(int dirfd, const char *path, int flags, ...)
{
    static int said;
    va_list ap;
    va_start(ap, flags);
    uint32_t mode = mode_arg(flags, ap);
    va_end(ap);
    return openat_common("openat", &said, dirfd, path, flags, mode);
}

static int bound_openat64(int dirfd, const char *path, int flags, ...)
{
    static int said;
    va_list ap;
    va_start(ap, flags);
    uint32_t mode = mode_arg(flags, ap);
    va_end(ap);
    return openat_common("openat64", &said, dirfd, path, flags, mode);
}

static int bound_openat_2(int dirfd, const char *path, int flags)
{
    static int said;
    if (flags & O_CREAT) {
        errno = EINVAL;
        return -1;
    }
    return openat_common("openat", &said, dirfd, path, flags, 0);
}

static int bound_creat(const char *path, mode_t mode)
{
    static int said;
    return do_open("creat", &said, path, O_CREAT | O_WRONLY | O_TRUNC, (uint32_t)mode);
}

static int bound_creat64(const char *path, mode_t mode)
{
    static int said;
    return do_open("creat64", &said, path, O_CREAT | O_WRONLY | O_TRUNC, (uint32_t)mode);
}

static ssize_t bound_read(int fd, void *buf, size_t count)
{
    arca__loaded_image *image = arca__loader_caller();
    if (!image || !in_range(fd))
        return read(fd, buf, count);
    if (!image->files) {
        errno = EBADF;
        return -1;
    }
    return files_read(image, image->files, fd, buf, count);
}

/* _FORTIFY_SOURCE's read: a count larger than the buffer ends the enclave, as the C library
 * ends a program ("buffer overflow detected"). */
static ssize_t bound_read_chk(int fd, void *buf, size_t count, size_t buflen)
{
    if (count > buflen) {
        arca__loaded_image *image = arca__loader_caller();
        if (image && image->end)
            image->end(image->output_ctx, "buffer overflow detected in the enclave: read() of "
                                          "more bytes than its buffer holds");
        abort();
    }
    return bound_read(fd, buf, count);
}

/* write on other descriptors: what was bound before this file (libc_cxx.c: 1 and 2 to the
 * image's output), else the C library's. */
static ssize_t (*next_write)(int, const void *, size_t);
static ssize_t (*next_writev)(int, const struct iovec *, int);
static pthread_once_t next_once = PTHREAD_ONCE_INIT;

static void find_next(void)
{
    uint64_t v = 0;
    next_write = arca__loader_cxx_binding("write", &v)
                     ? (ssize_t(*)(int, const void *, size_t))(uintptr_t)v
                     : write;
    v = 0;
    next_writev = arca__loader_cxx_binding("writev", &v)
                      ? (ssize_t(*)(int, const struct iovec *, int))(uintptr_t)v
                      : writev;
}

static ssize_t bound_write(int fd, const void *buf, size_t count)
{
    arca__loaded_image *image = arca__loader_caller();
    if (!image || !in_range(fd)) {
        pthread_once(&next_once, find_next);
        return next_write(fd, buf, count);
    }
    if (!image->files) {
        errno = EBADF;
        return -1;
    }
    return files_write(image, image->files, fd, buf, count);
}

static ssize_t bound_writev(int fd, const struct iovec *iov, int iovcnt)
{
    arca__loaded_image *image = arca__loader_caller();
    ssize_t total = 0;
    if (!image || !in_range(fd)) {
        pthread_once(&next_once, find_next);
        return next_writev(fd, iov, iovcnt);
    }
    if (!image->files) {
        errno = EBADF;
        return -1;
    }
    if (iovcnt < 0 || iovcnt > IOV_MAX || (iovcnt && !iov)) {
        errno = EINVAL;
        return -1;
    }
    for (int i = 0; i < iovcnt; i++) {
        if (!iov[i].iov_len)
            continue;
        ssize_t n = files_write(image, image->files, fd, iov[i].iov_base, iov[i].iov_len);
        if (n < 0)
            return total ? total : -1;
        total += n;
        if ((size_t)n < iov[i].iov_len)
            break;
    }
    return total;
}

static off64_t bound_lseek64(int fd, off64_t offset, int whence)
{
    arca__loaded_image *image = arca__loader_caller();
    if (!image || !in_range(fd))
        return lseek64(fd, offset, whence);
    if (!image->files) {
        errno = EBADF;
        return -1;
    }
    return files_seek(image, image->files, fd, offset, whence);
}

static int bound_fsync(int fd)
{
    arca__loaded_image *image = arca__loader_caller();
    if (!image || !in_range(fd))
        return fsync(fd);
    /* Every write went to the host when it was made; how durable it is, is the host's. */
    struct arca__loader_files *f = image->files;
    if (!f) {
        errno = EBADF;
        return -1;
    }
    pthread_mutex_lock(&f->lock);
    int slot = slot_of(f, fd);
    pthread_mutex_unlock(&f->lock);
    return slot < 0 ? -1 : 0;
}

static int bound_close(int fd)
{
    arca__loaded_image *image = arca__loader_caller();
    if (!image || !in_range(fd))
        return close(fd);
    if (!image->files) {
        errno = EBADF;
        return -1;
    }
    return files_close(image, image->files, fd);
}

int arca__loader_files_binding(arca__loaded_image *image, const char *name, uint64_t *value)
{
    static const struct {
        const char *name;
        void *fn;
    } functions[] = {
        {"fopen", (void *)bound_fopen},     {"fopen64", (void *)bound_fopen},
        {"fdopen", (void *)bound_fdopen},   {"open", (void *)bound_open},
        {"open64", (void *)bound_open64},   {"__open_2", (void *)bound_open_2},
        {"__open64_2", (void *)bound_open_2}, {"openat", (void *)bound_openat},
        {"openat64", (void *)bound_openat64}, {"__openat_2", (void *)bound_openat_2},
        {"__openat64_2", (void *)bound_openat_2}, {"creat", (void *)bound_creat},
        {"creat64", (void *)bound_creat64}, {"read", (void *)bound_read},
        {"__read_chk", (void *)bound_read_chk}, {"write", (void *)bound_write},
        {"writev", (void *)bound_writev},   {"lseek", (void *)bound_lseek64},
        {"lseek64", (void *)bound_lseek64}, {"fsync", (void *)bound_fsync},
        {"fdatasync", (void *)bound_fsync}, {"close", (void *)bound_close},
    };
    (void)image;
    for (size_t i = 0; i < sizeof functions / sizeof functions[0]; i++) {
        if (!strcmp(name, functions[i].name)) {
            *value = (uint64_t)(uintptr_t)functions[i].fn;
            return 1;
        }
    }
    return 0;
}
