/*
 * hostfiles.c — serving host files (src/formats/host_files.h) on the host: the directory the
 * host application exposes with the setting host.files=DIR, and the files an enclave that
 * opted in (HostFiles = 1) opens there, by small integer handles.
 *
 * The enclave is not trusted by the host: every request is read within in_len and checked
 * (flags, lengths, handle, whence) before use, and a path is resolved only beneath the
 * directory (openat2 with RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS: an absolute path, "..",
 * or a symbolic link leading out is refused) and opened only if it is a regular file (a FIFO
 * or device could block or surprise the host). This file must never open anything outside
 * that directory, never write past out_cap, never hand the enclave a host descriptor, and
 * never block on anything but plain file I/O. The files themselves are the host's: plain,
 * unencrypted, readable and changeable by the host (docs/threat-model.md).
 */
#define _GNU_SOURCE
#include "hostfiles.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/error.h"
#include "base/le.h"
#include "formats/host_files.h"

#ifndef SYS_openat2
#define SYS_openat2 437 /* the same number on every architecture (Linux 5.6) */
#endif

struct arca__host_files {
    pthread_mutex_t lock; /* one operation at a time: calls may come from several threads */
    int dir_fd;           /* O_PATH descriptor of the exposed directory */
    int fds[ARCA__HOST_FILES_MAX]; /* by handle; -1: free */
};

arca_result_t arca__host_files_open(const char *dir, arca__host_files **out)
{
    arca_result_t result = ARCA_OK;
    arca__host_files *files = NULL;
    if (!out || !dir)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "host files: NULL directory or output");
    *out = NULL;
    if (!dir[0])
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "host.files: empty directory name (give the "
                   "directory whose files the enclave may use)");
    files = calloc(1, sizeof *files);
    if (!files)
        ARCA_RAISE(ARCA_ERR_OUT_OF_MEMORY, "host files: out of memory");
    files->dir_fd = -1;
    for (unsigned i = 0; i < ARCA__HOST_FILES_MAX; i++)
        files->fds[i] = -1;
    if (pthread_mutex_init(&files->lock, NULL) != 0)
        ARCA_RAISE(ARCA_ERR_OUT_OF_MEMORY, "host files: cannot create a lock");
    files->dir_fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (files->dir_fd < 0)
        ARCA_RAISE(ARCA_ERR_IO, "host.files=%s: cannot open the directory: %s", dir,
                   strerror(errno));
    *out = files;
    files = NULL;
done:
    if (files) {
        if (files->dir_fd >= 0)
            close(files->dir_fd);
        pthread_mutex_destroy(&files->lock);
        free(files);
    }
    return result;
}

void arca__host_files_close(arca__host_files *files)
{
    if (!files)
        return;
    for (unsigned i = 0; i < ARCA__HOST_FILES_MAX; i++)
        if (files->fds[i] >= 0)
            close(files->fds[i]);
    close(files->dir_fd);
    pthread_mutex_destroy(&files->lock);
    free(files);
}

/* ---- one operation each; lock held; in_len checked by the caller's table ---- */

/* The errno a reply carries: the host's own, but an escape attempt reads as "permission
 * denied", and anything outside the wire's range as EIO. */
static uint32_t reply_errno(int e)
{
    if (e == EXDEV)
        return EACCES;
    return e > 0 && e <= (int)ARCA__HOST_FILE_ERRNO_MAX ? (uint32_t)e : EIO;
}

static int flags_valid(uint32_t flags)
{
    uint32_t access = flags & (ARCA__HOST_FILE_READ | ARCA__HOST_FILE_WRITE);
    if ((flags & ~ARCA__HOST_FILE_FLAGS) || !access)
        return 0;
    if ((flags & (ARCA__HOST_FILE_TRUNCATE | ARCA__HOST_FILE_APPEND)) &&
        !(flags & ARCA__HOST_FILE_WRITE))
        return 0;
    return !(flags & ARCA__HOST_FILE_EXCLUSIVE) || (flags & ARCA__HOST_FILE_CREATE);
}

static uint32_t do_open(arca__host_files *files, uint32_t flags, uint32_t mode, const char *path,
                        uint32_t *handle)
{
    unsigned slot = 0;
    struct stat st;
    while (slot < ARCA__HOST_FILES_MAX && files->fds[slot] >= 0)
        slot++;
    if (slot == ARCA__HOST_FILES_MAX)
        return EMFILE;
    uint32_t access = flags & (ARCA__HOST_FILE_READ | ARCA__HOST_FILE_WRITE);
    struct open_how how = {
        /* O_NONBLOCK: opening a FIFO must not wait for its other end (refused below). */
        .flags = (uint64_t)(O_CLOEXEC | O_NOCTTY | O_NONBLOCK |
                            (access == ARCA__HOST_FILE_READ    ? O_RDONLY
                             : access == ARCA__HOST_FILE_WRITE ? O_WRONLY
                                                               : O_RDWR) |
                            (flags & ARCA__HOST_FILE_CREATE ? O_CREAT : 0) |
                            (flags & ARCA__HOST_FILE_TRUNCATE ? O_TRUNC : 0) |
                            (flags & ARCA__HOST_FILE_APPEND ? O_APPEND : 0) |
                            (flags & ARCA__HOST_FILE_EXCLUSIVE ? O_EXCL : 0)),
        .mode = (flags & ARCA__HOST_FILE_CREATE) ? (mode & 0777) : 0,
        .resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS,
    };
    int fd = (int)syscall(SYS_openat2, files->dir_fd, path, &how, sizeof how);
    if (fd < 0)
        return reply_errno(errno);
    if (fstat(fd, &st) != 0) {
        uint32_t e = reply_errno(errno);
        close(fd);
        return e;
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return S_ISDIR(st.st_mode) ? EISDIR : EACCES; /* only plain files are served */
    }
    if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) != 0) {
        close(fd);
        return EIO;
    }
    files->fds[slot] = fd;
    *handle = slot;
    return 0;
}

static int file_fd(const arca__host_files *files, uint32_t handle)
{
    return handle < ARCA__HOST_FILES_MAX ? files->fds[handle] : -1;
}

arca_result_t arca__host_files_serve(arca__host_files *files, uint32_t id, const uint8_t *in,
                                     size_t in_len, uint8_t *out, size_t out_cap, size_t *out_len)
{
    arca_result_t result = ARCA_OK;
    uint32_t err = 0, handle = 0;
    size_t payload = 0; /* reply bytes after the errno */
    int locked = 0, fd = -1;
    char *path = NULL;

    *out_len = 0;
    if (!files || id < ARCA__HOSTCALL_FILE_FIRST || id > ARCA__HOSTCALL_FILE_LAST)
        ARCA_RAISE(ARCA_ERR_UNKNOWN_FUNCTION);
    if (out_cap < 4 || (in_len && !in) || in_len < 4)
        ARCA_RAISE(ARCA_ERR_BAD_FORMAT);
    handle = arca__get_le32(in);
    pthread_mutex_lock(&files->lock);
    locked = 1;
    switch (id) {
    case ARCA__HOSTCALL_FILE_OPEN: {
        uint32_t flags = handle, mode;
        if (in_len < 9 || in_len - 8 > ARCA__HOST_FILE_PATH_MAX || out_cap < 8)
            ARCA_RAISE(ARCA_ERR_BAD_FORMAT);
        mode = arca__get_le32(in + 4);
        if (!flags_valid(flags) || mode > 0777 || memchr(in + 8, '\0', in_len - 8))
            ARCA_RAISE(ARCA_ERR_BAD_FORMAT);
        path = malloc(in_len - 8 + 1);
        if (!path)
            ARCA_RAISE(ARCA_ERR_OUT_OF_MEMORY);
        memcpy(path, in + 8, in_len - 8);
        path[in_len - 8] = '\0';
        err = do_open(files, flags, mode, path, &handle);
        if (!err) {
            arca__put_le32(out + 4, handle);
            payload = 4;
        }
        break;
    }
    case ARCA__HOSTCALL_FILE_READ: {
        if (in_len != 8)
            ARCA_RAISE(ARCA_ERR_BAD_FORMAT);
        uint32_t count = arca__get_le32(in + 4);
        if (count == 0 || count > ARCA__HOST_FILE_IO_MAX)
            ARCA_RAISE(ARCA_ERR_BAD_FORMAT);
        if ((fd = file_fd(files, handle)) < 0) {
            err = EBADF;
            break;
        }
        size_t want = count < out_cap - 4 ? count : out_cap - 4;
        ssize_t n;
        do
            n = read(fd, out + 4, want);
        while (n < 0 && errno == EINTR);
        if (n < 0)
            err = reply_errno(errno);
        else
            payload = (size_t)n;
        break;
    }
    case ARCA__HOSTCALL_FILE_WRITE: {
        if (in_len < 5 || in_len - 4 > ARCA__HOST_FILE_IO_MAX || out_cap < 8)
            ARCA_RAISE(ARCA_ERR_BAD_FORMAT);
        if ((fd = file_fd(files, handle)) < 0) {
            err = EBADF;
            break;
        }
        ssize_t n;
        do
            n = write(fd, in + 4, in_len - 4);
        while (n < 0 && errno == EINTR);
        if (n <= 0) {
            err = n < 0 ? reply_errno(errno) : EIO;
        } else {
            arca__put_le32(out + 4, (uint32_t)n);
            payload = 4;
        }
        break;
    }
    case ARCA__HOSTCALL_FILE_SEEK: {
        if (in_len != 16 || out_cap < 12)
            ARCA_RAISE(ARCA_ERR_BAD_FORMAT);
        uint32_t whence = arca__get_le32(in + 4);
        int64_t offset = (int64_t)arca__get_le64(in + 8);
        if (whence > 2)
            ARCA_RAISE(ARCA_ERR_BAD_FORMAT);
        if ((fd = file_fd(files, handle)) < 0) {
            err = EBADF;
            break;
        }
        off_t at = lseek(fd, (off_t)offset,
                         whence == 0 ? SEEK_SET : whence == 1 ? SEEK_CUR : SEEK_END);
        if (at < 0) {
            err = reply_errno(errno);
        } else {
            arca__put_le64(out + 4, (uint64_t)at);
            payload = 8;
        }
        break;
    }
    case ARCA__HOSTCALL_FILE_CLOSE:
        if (in_len != 4)
            ARCA_RAISE(ARCA_ERR_BAD_FORMAT);
        if ((fd = file_fd(files, handle)) < 0) {
            err = EBADF;
            break;
        }
        files->fds[handle] = -1;
        /* The descriptor is gone whatever close() says (Linux); its error is passed on. */
        if (close(fd) != 0 && errno != EINTR)
            err = reply_errno(errno);
        break;
    }
    arca__put_le32(out, err);
    *out_len = 4 + (err ? 0 : payload);
done:
    if (locked)
        pthread_mutex_unlock(&files->lock);
    free(path);
    return result;
}
