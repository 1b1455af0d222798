/*
 * libc_cxx.c — what a C++ image needs of its loader beyond C's (issue 13): libstdc++ and libgcc
 * are linked into the image statically (arca_add_enclave does it), so the image imports only C
 * library functions, but two of them must be answered by the loader, which maps the image
 * itself and so is the only one that knows it:
 *   - where the image's unwinding tables are. libgcc's unwinder (throw, catch) finds the
 *     PT_GNU_EH_FRAME of the code a frame runs in with _dl_find_object (glibc 2.35 and later)
 *     or dl_iterate_phdr. Both are bound here and report the calling image only: its mapping
 *     and program headers, as the system's dynamic linker would for a library it loaded. Code
 *     outside the image (the loader, the host on sim) is not reported, so an exception never
 *     unwinds out of the enclave: one that no catch of the image takes ends at the enclave's
 *     edge, in std::terminate (abort(): the enclave ends with a named cause).
 *   - the descriptors of the image's stdout and stderr. Those are streams of the image's own
 *     (libc_bind.c) with no descriptor; libstdc++ writes to the descriptor itself once
 *     std::ios::sync_with_stdio(false) is called. fileno() of those streams answers 1 and 2,
 *     and write()/writev() on 1 and 2 go to the image's output (after what its stream buffers),
 *     the same as printf. Other descriptors are the C library's, unchanged.
 *
 * This file must never report memory outside the calling image, never read a program header
 * that arca__loader_at() did not check, and never let the bytes written to 1 and 2 go anywhere
 * but the image's own output.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <link.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "loader_internal.h"

/* The image's program headers in memory: the table lies inside a PT_LOAD (arca__image_verify
 * checked it, so it is measured), at the address its file offset maps to. */
static const Elf64_Phdr *program_headers(const arca__loaded_image *image, unsigned *count)
{
    const Elf64_Ehdr *eh = arca__loader_at(image, 0, sizeof *eh, 0);
    *count = 0;
    if (!eh || eh->e_phentsize != sizeof(Elf64_Phdr))
        return NULL;
    uint64_t len = (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr);
    for (unsigned i = 0; i < image->seg_count; i++) {
        const arca__loader_segment *s = &image->seg[i];
        if (eh->e_phoff >= s->offset && eh->e_phoff - s->offset <= s->filesz &&
            len <= s->filesz - (eh->e_phoff - s->offset)) {
            const Elf64_Phdr *ph =
                arca__loader_at(image, s->vaddr + (eh->e_phoff - s->offset), len, 0);
            if (ph)
                *count = eh->e_phnum;
            return ph;
        }
    }
    return NULL;
}

/* Where the image's PT_GNU_EH_FRAME (.eh_frame_hdr) is in memory, or NULL. */
static void *eh_frame_hdr(const arca__loaded_image *image)
{
    unsigned count;
    const Elf64_Phdr *ph = program_headers(image, &count);
    for (unsigned i = 0; ph && i < count; i++)
        if (ph[i].p_type == PT_GNU_EH_FRAME)
            return arca__loader_at(image, ph[i].p_vaddr, ph[i].p_memsz ? ph[i].p_memsz : 1, 0);
    return NULL;
}

/* One object: the calling image. */
static int bound_dl_iterate_phdr(int (*callback)(struct dl_phdr_info *, size_t, void *),
                                 void *data)
{
    const arca__loaded_image *image = arca__loader_caller();
    struct dl_phdr_info info;
    unsigned count;
    if (!image || !callback)
        return 0;
    memset(&info, 0, sizeof info);
    info.dlpi_addr = (ElfW(Addr))(uintptr_t)image->base;
    info.dlpi_name = "";
    info.dlpi_phdr = program_headers(image, &count);
    info.dlpi_phnum = (ElfW(Half))count;
    info.dlpi_adds = 1; /* the image's mapping never changes while it runs */
    info.dlpi_subs = 0;
    info.dlpi_tls_modid = image->tls_module;
    info.dlpi_tls_data = NULL;
    if (!info.dlpi_phdr)
        return 0;
    return callback(&info, sizeof info, data);
}

#ifdef DLFO_STRUCT_HAS_EH_DBASE
/* The calling image, when @p pc lies in it; -1 for any other address. */
static int bound_dl_find_object(void *pc, struct dl_find_object *result)
{
    const arca__loaded_image *image = arca__loader_caller();
    const uint8_t *at = pc;
    if (!image || !result || at < image->map || at >= image->map + image->map_len)
        return -1;
    memset(result, 0, sizeof *result);
    result->dlfo_flags = 0;
    result->dlfo_map_start = image->map;
    result->dlfo_map_end = image->map + image->map_len;
    result->dlfo_link_map = NULL; /* the system's dynamic linker does not know the image */
    result->dlfo_eh_frame = eh_frame_hdr(image);
    return 0;
}
#endif

/* ---- descriptors 1 and 2 ---- */

static int image_fd(const arca__loaded_image *image, FILE *stream)
{
    if (image && stream && stream == image->streams[0])
        return STDOUT_FILENO;
    if (image && stream && stream == image->streams[1])
        return STDERR_FILENO;
    return -1;
}

static int bound_fileno(FILE *stream)
{
    int fd = image_fd(arca__loader_caller(), stream);
    return fd >= 0 ? fd : fileno(stream);
}

static int bound_fileno_unlocked(FILE *stream)
{
    int fd = image_fd(arca__loader_caller(), stream);
    return fd >= 0 ? fd : fileno_unlocked(stream);
}

/* Bytes for descriptor 1 or 2 of @p image: after what its stream holds, to its output (output
 * the host cannot take is dropped, as the streams do). */
static void to_output(arca__loaded_image *image, int fd, const void *bytes, size_t len)
{
    FILE *stream = image->streams[fd - 1];
    if (stream)
        fflush(stream);
    if (image->output && len)
        image->output(image->output_ctx, fd, bytes, len);
}

static ssize_t bound_write(int fd, const void *bytes, size_t len)
{
    arca__loaded_image *image = arca__loader_caller();
    if (!image || (fd != STDOUT_FILENO && fd != STDERR_FILENO))
        return write(fd, bytes, len);
    if (len && !bytes) {
        errno = EFAULT;
        return -1;
    }
    if (len > SSIZE_MAX)
        len = SSIZE_MAX;
    to_output(image, fd, bytes, len);
    return (ssize_t)len;
}

static ssize_t bound_writev(int fd, const struct iovec *iov, int count)
{
    arca__loaded_image *image = arca__loader_caller();
    size_t total = 0;
    if (!image || (fd != STDOUT_FILENO && fd != STDERR_FILENO))
        return writev(fd, iov, count);
    if (count < 0 || count > IOV_MAX || (count && !iov)) {
        errno = EINVAL;
        return -1;
    }
    for (int i = 0; i < count; i++) {
        if (iov[i].iov_len > SSIZE_MAX - total) {
            errno = EINVAL;
            return -1;
        }
        total += iov[i].iov_len;
    }
    for (int i = 0; i < count; i++)
        if (iov[i].iov_len)
            to_output(image, fd, iov[i].iov_base, iov[i].iov_len);
    return (ssize_t)total;
}

/* The imports bound here, by name. */
int arca__loader_cxx_binding(const char *name, uint64_t *value)
{
    static const struct {
        const char *name;
        void *fn;
    } functions[] = {
        {"dl_iterate_phdr", (void *)bound_dl_iterate_phdr},
#ifdef DLFO_STRUCT_HAS_EH_DBASE
        {"_dl_find_object", (void *)bound_dl_find_object},
#endif
        {"fileno", (void *)bound_fileno},
        {"fileno_unlocked", (void *)bound_fileno_unlocked},
        {"write", (void *)bound_write},
        {"writev", (void *)bound_writev},
    };
    for (size_t i = 0; i < sizeof functions / sizeof functions[0]; i++) {
        if (!strcmp(name, functions[i].name)) {
            *value = (uint64_t)(uintptr_t)functions[i].fn;
            return 1;
        }
    }
    return 0;
}
