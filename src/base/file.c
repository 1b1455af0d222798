/*
 * file.c — small file helpers shared by the signer, the loaders and key handling:
 * read a whole file under a size cap, and freeze bytes in a sealed memfd.
 *
 * The read path never trusts the size the file system reports (files change while being
 * read; pipes and /proc files report 0): it reads until EOF and enforces the cap on what
 * it really got. A sealed memfd must never be handed out before all of its seals are in
 * place, so the loaded bytes are exactly the verified ones.
 */
#define _GNU_SOURCE /* memfd_create, F_ADD_SEALS */
#include "formats/image.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto/crypto.h"
#include "error.h"

/* Grow @p *buf from @p *cap to at least @p need bytes (≤ limit), wiping the old copy. */
static arca_result_t grow(uint8_t **buf, size_t *cap, size_t used, size_t need, size_t limit)
{
    arca_result_t result = ARCA_OK;
    size_t new_cap = *cap ? *cap : 4096;
    uint8_t *p = NULL;

    while (new_cap < need) {
        if (__builtin_mul_overflow(new_cap, 2, &new_cap)) {
            new_cap = need;
            break;
        }
    }
    if (new_cap > limit)
        new_cap = limit;
    if (new_cap < need)
        ARCA_RAISE(ARCA_ERR_INTERNAL, "read_file: buffer growth below the needed size");
    p = malloc(new_cap);
    if (!p)
        ARCA_RAISE(ARCA_ERR_OUT_OF_MEMORY, "read_file: cannot allocate %zu bytes", new_cap);
    if (used)
        memcpy(p, *buf, used);
    /* Files read here can hold private keys: never leave a stray copy in freed memory. */
    arca__wipe(*buf, used);
    free(*buf);
    *buf = p;
    *cap = new_cap;
done:
    return result;
}

arca_result_t arca__read_file(const char *path, size_t max, uint8_t **out, size_t *out_len)
{
    arca_result_t result = ARCA_OK;
    int fd = -1;
    uint8_t *buf = NULL;
    size_t cap = 0, used = 0;
    size_t limit = 0;
    struct stat st;

    if (!path || !out || !out_len)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "read_file: NULL argument");
    *out = NULL;
    *out_len = 0;
    /* One byte beyond max lets us tell "exactly max" from "too big" without a second read. */
    if (__builtin_add_overflow(max, 1, &limit))
        limit = max;
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        ARCA_RAISE(ARCA_ERR_IO, "%s: %s", path, strerror(errno));
    if (fstat(fd, &st) != 0)
        ARCA_RAISE(ARCA_ERR_IO, "%s: %s", path, strerror(errno));
    if (S_ISDIR(st.st_mode))
        ARCA_RAISE(ARCA_ERR_IO, "%s: %s", path, strerror(EISDIR));
    if (S_ISREG(st.st_mode) && (uint64_t)st.st_size > (uint64_t)max)
        ARCA_RAISE(ARCA_ERR_OVERFLOW, "%s: file is %lld bytes, more than the maximum of %zu", path,
                   (long long)st.st_size, max);
    /* Size the buffer from the reported size (+1 to see EOF without growing). */
    if (S_ISREG(st.st_mode) && st.st_size > 0)
        ARCA_CHECK(grow(&buf, &cap, 0,
                        (size_t)st.st_size + 1 < limit ? (size_t)st.st_size + 1 : limit, limit));
    for (;;) {
        ssize_t n;
        if (used == cap) {
            if (cap >= limit)
                ARCA_RAISE(ARCA_ERR_OVERFLOW, "%s: file is larger than the maximum of %zu bytes",
                           path, max);
            ARCA_CHECK(grow(&buf, &cap, used, used + 1, limit));
        }
        n = read(fd, buf + used, cap - used);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            ARCA_RAISE(ARCA_ERR_IO, "%s: %s", path, strerror(errno));
        }
        if (n == 0)
            break;
        used += (size_t)n;
        if (used > max)
            ARCA_RAISE(ARCA_ERR_OVERFLOW, "%s: file is larger than the maximum of %zu bytes", path,
                       max);
    }
    if (!buf) {
        /* Empty file: still hand out a valid, freeable buffer. */
        buf = malloc(1);
        if (!buf)
            ARCA_RAISE(ARCA_ERR_OUT_OF_MEMORY, "read_file: cannot allocate");
    }
    *out = buf;
    *out_len = used;
    buf = NULL;
done:
    if (buf) {
        arca__wipe(buf, used);
        free(buf);
    }
    if (fd >= 0)
        close(fd);
    return result;
}

arca_result_t arca__sealed_memfd(const char *name, const uint8_t *bytes, size_t size, int *fd_out)
{
    arca_result_t result = ARCA_OK;
    int fd = -1;
    size_t done_bytes = 0;

    if (!fd_out)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "sealed_memfd: NULL fd_out");
    *fd_out = -1;
    if (!name || (!bytes && size != 0))
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "sealed_memfd: NULL name, or NULL bytes with a size");
    fd = memfd_create(name, MFD_ALLOW_SEALING | MFD_CLOEXEC);
    if (fd < 0)
        ARCA_RAISE(ARCA_ERR_IO, "memfd_create(%s): %s", name, strerror(errno));
    while (done_bytes < size) {
        ssize_t n = write(fd, bytes + done_bytes, size - done_bytes);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            ARCA_RAISE(ARCA_ERR_IO, "memfd %s: write failed after %zu of %zu bytes: %s", name,
                       done_bytes, size, strerror(errno));
        }
        done_bytes += (size_t)n;
    }
    if (fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) != 0)
        ARCA_RAISE(ARCA_ERR_IO, "memfd %s: cannot add seals: %s", name, strerror(errno));
    /* Readers that use read() rather than mmap() start at the beginning. */
    if (lseek(fd, 0, SEEK_SET) != 0)
        ARCA_RAISE(ARCA_ERR_IO, "memfd %s: cannot rewind: %s", name, strerror(errno));
    *fd_out = fd;
    fd = -1;
done:
    if (fd >= 0)
        close(fd);
    return result;
}
