/*
 * elf_map.c — maps an enclave image from the bytes its caller verified, in memory the loader
 * owns (anonymous mappings), gives each segment its permissions, and runs the image's
 * initialisers and finalisers. The two-stage contract is described in loader.h.
 *
 * Divisions: address checks; stage 1 (reserve, copy, dynamic section, relocate, protect);
 * stage 2 (IRELATIVE, RELRO, TLS, initialisers, runtime table); unload.
 *
 * This file must never open or map a file, never map memory both writable and executable,
 * never dereference an address of the image's tables that arca__loader_at() did not check,
 * and never run image code in stage 1.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "base/error.h"
#include "formats/image.h"
#include "loader_internal.h"

#define PAGE UINT64_C(4096)
#define MAX_ALIGN (UINT64_C(1) << 21) /* largest p_align honoured (2 MiB) */
#define MAX_INITIALISERS 4096u

static uint64_t page_down(uint64_t v)
{
    return v & ~(PAGE - 1);
}

static uint64_t page_up(uint64_t v)
{
    return (v + PAGE - 1) & ~(PAGE - 1); /* callers bound v far below UINT64_MAX */
}

/* ---- address checks ---- */

void *arca__loader_at(const arca__loaded_image *image, uint64_t vaddr, uint64_t len, int writable)
{
    uint64_t end;
    if (__builtin_add_overflow(vaddr, len, &end))
        return NULL;
    for (unsigned i = 0; i < image->seg_count; i++) {
        const arca__loader_segment *s = &image->seg[i];
        if (vaddr >= s->vaddr && end <= s->vaddr + s->memsz) {
            if (writable && !(s->flags & PF_W))
                return NULL;
            return image->base + vaddr;
        }
    }
    return NULL;
}

const char *arca__loader_string(const arca__loaded_image *image, uint64_t offset)
{
    const arca__loader_dynamic *d = &image->dyn;
    if (!d->strtab || offset >= d->strsz)
        return NULL;
    if (!memchr(d->strtab + offset, '\0', (size_t)(d->strsz - offset)))
        return NULL;
    return d->strtab + offset;
}

/* ---- stage 1 ---- */

static int prot_of(uint32_t flags)
{
    return ((flags & PF_R) ? PROT_READ : 0) | ((flags & PF_W) ? PROT_WRITE : 0) |
           ((flags & PF_X) ? PROT_EXEC : 0);
}

/* The program headers, read from the verified buffer (arca__image_verify checked that the
 * table lies inside the file and inside a PT_LOAD, so it is measured). */
static arca_result_t read_headers(const uint8_t *bytes, size_t size, const Elf64_Ehdr *eh,
                                  arca__loaded_image *image, uint64_t *dyn_vaddr,
                                  uint64_t *dyn_size, uint64_t *align)
{
    arca_result_t result = ARCA_OK;
    uint64_t table_len;
    *dyn_vaddr = 0;
    *dyn_size = 0;
    *align = PAGE;
    if (eh->e_machine != EM_X86_64)
        ARCA_RAISE(ARCA_ERR_BAD_IMAGE, "the loader runs x86-64 images only (this image is for "
                   "ELF machine %u)", eh->e_machine);
    if (eh->e_phentsize != sizeof(Elf64_Phdr) || eh->e_phnum == 0 ||
        __builtin_mul_overflow((uint64_t)eh->e_phnum, sizeof(Elf64_Phdr), &table_len) ||
        eh->e_phoff > size || table_len > size - eh->e_phoff)
        ARCA_RAISE(ARCA_ERR_BAD_IMAGE, "loader: the program header table lies outside the image");
    for (unsigned i = 0; i < eh->e_phnum; i++) {
        Elf64_Phdr ph;
        memcpy(&ph, bytes + eh->e_phoff + (uint64_t)i * sizeof ph, sizeof ph);
        switch (ph.p_type) {
        case PT_LOAD:
            if (image->seg_count == ARCA__LOADER_MAX_SEGMENTS)
                ARCA_RAISE(ARCA_ERR_BAD_IMAGE, "loader: more than %u PT_LOAD segments",
                           ARCA__LOADER_MAX_SEGMENTS);
            if ((ph.p_flags & PF_W) && (ph.p_flags & PF_X))
                ARCA_RAISE(ARCA_ERR_BAD_IMAGE, "loader: PT_LOAD segment %u is writable and "
                           "executable; the loader never maps W+X memory", i);
            if (ph.p_filesz > ph.p_memsz || ph.p_offset > size || ph.p_filesz > size - ph.p_offset ||
                ph.p_vaddr > ARCA_MAX_HEAP || ph.p_memsz > ARCA_MAX_HEAP)
                ARCA_RAISE(ARCA_ERR_BAD_IMAGE, "loader: PT_LOAD segment %u is out of range", i);
            if (image->seg_count > 0) {
                const arca__loader_segment *prev = &image->seg[image->seg_count - 1];
                if (ph.p_vaddr < prev->vaddr + prev->memsz)
                    ARCA_RAISE(ARCA_ERR_BAD_IMAGE, "loader: PT_LOAD segments overlap or are "
                               "not in ascending order");
            }
            if (ph.p_align > *align) {
                if (ph.p_align > MAX_ALIGN || (ph.p_align & (ph.p_align - 1)))
                    ARCA_RAISE(ARCA_ERR_BAD_IMAGE, "loader: PT_LOAD alignment %llu is not a "
                               "power of two up to 2 MiB", (unsigned long long)ph.p_align);
                *align = ph.p_align;
            }
            image->seg[image->seg_count].vaddr = ph.p_vaddr;
            image->seg[image->seg_count].memsz = ph.p_memsz;
            image->seg[image->seg_count].offset = ph.p_offset;
            image->seg[image->seg_count].filesz = ph.p_filesz;
            image->seg[image->seg_count].flags = ph.p_flags;
            image->seg_count++;
            break;
        case PT_DYNAMIC:
            *dyn_vaddr = ph.p_vaddr;
            *dyn_size = ph.p_memsz;
            break;
        case PT_GNU_RELRO:
            image->relro_vaddr = ph.p_vaddr;
            image->relro_len = ph.p_memsz;
            break;
        case PT_GNU_STACK:
            if (ph.p_flags & PF_X)
                ARCA_RAISE(ARCA_ERR_BAD_IMAGE, "loader: the image asks for an executable stack "
                           "(linked with -z execstack); link with -z noexecstack");
            break;
        case PT_TLS:
            if (ph.p_filesz > ph.p_memsz || ph.p_memsz > ARCA_MAX_HEAP || ph.p_align > PAGE ||
                (ph.p_align & (ph.p_align - 1)))
                ARCA_RAISE(ARCA_ERR_BAD_IMAGE, "loader: the PT_TLS segment is out of range");
            image->has_tls = ph.p_memsz > 0;
            image->tls_vaddr = ph.p_vaddr;
            image->tls_filesz = ph.p_filesz;
            image->tls_memsz = ph.p_memsz;
            image->tls_align = ph.p_align < 16 ? 16 : ph.p_align;
            break;
        case PT_INTERP:
            ARCA_RAISE(ARCA_ERR_BAD_IMAGE, "loader: the image names a program interpreter; an "
                       "enclave image is a shared object, not a program");
        default:
            break;
        }
    }
    if (image->seg_count == 0)
        ARCA_RAISE(ARCA_ERR_BAD_IMAGE, "loader: the image has no PT_LOAD segment");
    if (!*dyn_vaddr)
        ARCA_RAISE(ARCA_ERR_BAD_IMAGE, "loader: the image has no dynamic section (PT_DYNAMIC)");
done:
    return result;
}

/* Reserve the whole span, aligned, then copy each segment's file bytes into place. */
static arca_result_t map_segments(const uint8_t *bytes, arca__loaded_image *image, uint64_t align)
{
    arca_result_t result = ARCA_OK;
    const arca__loader_segment *last = &image->seg[image->seg_count - 1];
    uint64_t low = page_down(image->seg[0].vaddr);
    uint64_t high = page_up(last->vaddr + last->memsz);
    uint64_t span = high - low;

    uint8_t *raw = mmap(NULL, (size_t)(span + align), PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (raw == MAP_FAILED)
        ARCA_RAISE(ARCA_ERR_OUT_OF_MEMORY, "loader: cannot reserve %llu bytes for the image: %s",
                   (unsigned long long)span, strerror(errno));
    uint8_t *start = (uint8_t *)(((uintptr_t)raw + align - 1) & ~(uintptr_t)(align - 1));
    if (start > raw)
        munmap(raw, (size_t)(start - raw));
    if (start + span < raw + span + align)
        munmap(start + span, (size_t)(raw + span + align - (start + span)));
    image->map = start;
    image->map_len = (size_t)span;
    image->base = start - low;

    /* Everything writable while it is filled and relocated; final permissions after. */
    if (mprotect(image->map, image->map_len, PROT_READ | PROT_WRITE) != 0)
        ARCA_RAISE(ARCA_ERR_OUT_OF_MEMORY, "loader: mprotect failed: %s", strerror(errno));
    /* From the table read_headers() checked: the program headers are not read twice. */
    for (unsigned i = 0; i < image->seg_count; i++) {
        const arca__loader_segment *s = &image->seg[i];
        if (s->filesz)
            memcpy(image->base + s->vaddr, bytes + s->offset, (size_t)s->filesz);
    }
done:
    return result;
}

/* Final permissions of every page: the union of the segments that share it, never W+X. */
static arca_result_t protect(arca__loaded_image *image)
{
    arca_result_t result = ARCA_OK;
    uint64_t low = page_down(image->seg[0].vaddr);
    for (unsigned i = 0; i < image->seg_count; i++) {
        const arca__loader_segment *s = &image->seg[i];
        uint64_t from = page_down(s->vaddr), to = page_up(s->vaddr + s->memsz);
        int prot = prot_of(s->flags);
        for (unsigned j = 0; j < image->seg_count; j++) {
            const arca__loader_segment *o = &image->seg[j];
            if (j != i && page_down(o->vaddr) < to && page_up(o->vaddr + o->memsz) > from)
                prot |= prot_of(o->flags);
        }
        if ((prot & PROT_WRITE) && (prot & PROT_EXEC))
            ARCA_RAISE(ARCA_ERR_BAD_IMAGE, "loader: a page would be writable and executable "
                       "(segments %u and another share it); link with GNU ld's defaults", i);
        if (mprotect(image->base + from, (size_t)(to - from), prot) != 0)
            ARCA_RAISE(ARCA_ERR_INTERNAL, "loader: mprotect of segment %u failed: %s", i,
                       strerror(errno));
    }
    /* Gaps between segments stay inaccessible. */
    for (unsigned i = 0; i + 1 < image->seg_count; i++) {
        uint64_t gap_from = page_up(image->seg[i].vaddr + image->seg[i].memsz);
        uint64_t gap_to = page_down(image->seg[i + 1].vaddr);
        if (gap_to > gap_from)
            (void)mprotect(image->base + gap_from, (size_t)(gap_to - gap_from), PROT_NONE);
    }
    (void)low;
done:
    return result;
}

arca_result_t arca__runtime_load(const uint8_t *bytes, size_t size, arca__loaded_image **out)
{
    arca_result_t result = ARCA_OK;
    arca__loaded_image *image = NULL;
    Elf64_Ehdr eh;
    uint64_t dyn_vaddr = 0, dyn_size = 0, align = PAGE;

    *out = NULL;
    if (!bytes || size < sizeof eh)
        ARCA_RAISE(ARCA_ERR_BAD_IMAGE, "loader: the image is too short for an ELF header");
    memcpy(&eh, bytes, sizeof eh);
    if (memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 || eh.e_ident[EI_CLASS] != ELFCLASS64 ||
        eh.e_type != ET_DYN)
        ARCA_RAISE(ARCA_ERR_BAD_IMAGE, "loader: not an ELF64 shared object");
    image = calloc(1, sizeof *image);
    if (!image)
        ARCA_RAISE(ARCA_ERR_OUT_OF_MEMORY, "loader: out of memory");
    ARCA_CHECK(read_headers(bytes, size, &eh, image, &dyn_vaddr, &dyn_size, &align));
    ARCA_CHECK(map_segments(bytes, image, align));
    /* The section-header fields of the ELF header are not measured (strip rewrites them):
     * zero them in memory, so that every loaded byte is a measured one. */
    if (arca__loader_at(image, 0, sizeof eh, 0)) {
        Elf64_Ehdr *mapped = (Elf64_Ehdr *)(void *)(image->base);
        mapped->e_shoff = 0;
        mapped->e_shentsize = 0;
        mapped->e_shnum = 0;
        mapped->e_shstrndx = 0;
    }
    if (image->has_tls && !arca__loader_at(image, image->tls_vaddr, image->tls_filesz, 0))
        ARCA_RAISE(ARCA_ERR_BAD_IMAGE, "loader: the TLS initialisation image lies outside the "
                   "loaded segments");
    if (image->has_tls)
        image->tls_module = arca__loader_tls_reserve_id();
    ARCA_CHECK(arca__loader_read_dynamic(image, dyn_vaddr, dyn_size));
    ARCA_CHECK(arca__loader_streams_open(image));
    ARCA_CHECK(arca__loader_relocate(image));
    ARCA_CHECK(protect(image));
    *out = image;
    image = NULL;
done:
    arca__runtime_unload(image);
    return result;
}

/* ---- stage 2 ---- */

typedef void (*initialiser_fn)(int, char **, char **);
typedef void (*finaliser_fn)(void);

/* Entries of an init/fini array, each checked to point into an executable segment. */
static arca_result_t check_code(const arca__loaded_image *image, uint64_t vaddr, const char *what)
{
    arca_result_t result = ARCA_OK;
    for (unsigned i = 0; i < image->seg_count; i++) {
        const arca__loader_segment *s = &image->seg[i];
        if ((s->flags & PF_X) && vaddr >= s->vaddr && vaddr < s->vaddr + s->memsz)
            goto done;
    }
    ARCA_RAISE(ARCA_ERR_BAD_IMAGE, "loader: the image's %s points outside its code", what);
done:
    return result;
}

static arca_result_t run_initialisers(arca__loaded_image *image)
{
    arca_result_t result = ARCA_OK;
    const arca__loader_dynamic *d = &image->dyn;
    static char *no_args[] = {NULL};
    if (d->init) {
        ARCA_CHECK(check_code(image, d->init, "DT_INIT"));
        ((finaliser_fn)(void *)(image->base + d->init))();
    }
    if (d->init_array_count) {
        const uint64_t *fns = arca__loader_at(image, d->init_array, d->init_array_count * 8, 0);
        if (!fns || d->init_array_count > MAX_INITIALISERS)
            ARCA_RAISE(ARCA_ERR_BAD_IMAGE, "loader: DT_INIT_ARRAY lies outside the image");
        for (uint64_t i = 0; i < d->init_array_count; i++) {
            uint64_t fn = fns[i];
            if (fn == 0 || fn == UINT64_MAX)
                continue;
            uint64_t vaddr = fn - (uint64_t)(uintptr_t)image->base;
            ARCA_CHECK(check_code(image, vaddr, "DT_INIT_ARRAY"));
            ((initialiser_fn)(void *)(uintptr_t)fn)(0, no_args, no_args);
        }
    }
    image->started = 1;
done:
    return result;
}

static void run_finalisers(arca__loaded_image *image)
{
    const arca__loader_dynamic *d = &image->dyn;
    if (d->fini_array_count && d->fini_array_count <= MAX_INITIALISERS) {
        const uint64_t *fns = arca__loader_at(image, d->fini_array, d->fini_array_count * 8, 0);
        for (uint64_t i = d->fini_array_count; fns && i-- > 0;) {
            uint64_t fn = fns[i];
            if (fn == 0 || fn == UINT64_MAX ||
                check_code(image, fn - (uint64_t)(uintptr_t)image->base, "DT_FINI_ARRAY") != ARCA_OK)
                continue;
            ((finaliser_fn)(void *)(uintptr_t)fn)();
        }
    }
    if (d->fini && check_code(image, d->fini, "DT_FINI") == ARCA_OK)
        ((finaliser_fn)(void *)(image->base + d->fini))();
}

arca_result_t arca__runtime_start(arca__loaded_image *image, const struct arca__runtime **runtime)
{
    arca_result_t result = ARCA_OK;
    const struct arca__runtime *rt;
    *runtime = NULL;
    if (!image || image->started)
        ARCA_RAISE(ARCA_ERR_INTERNAL, "loader: start of an image that is not loaded or started");
    ARCA_CHECK(arca__loader_relocate_ifuncs(image));
    if (image->relro_len) {
        uint64_t from = page_down(image->relro_vaddr);
        uint64_t to = page_down(image->relro_vaddr + image->relro_len); /* glibc rounds down */
        if (!arca__loader_at(image, image->relro_vaddr, image->relro_len, 0))
            ARCA_RAISE(ARCA_ERR_BAD_IMAGE, "loader: PT_GNU_RELRO lies outside the image");
        if (to > from && mprotect(image->base + from, (size_t)(to - from), PROT_READ) != 0)
            ARCA_RAISE(ARCA_ERR_INTERNAL, "loader: cannot make RELRO read-only: %s",
                       strerror(errno));
    }
    if (image->has_tls)
        ARCA_CHECK(arca__loader_tls_register(image));
    ARCA_CHECK(run_initialisers(image));
    rt = arca__loader_symbol(image, ARCA_RUNTIME_SYMBOL);
    if (!rt || !arca__loader_at(image, (uint64_t)((const uint8_t *)rt - image->base), sizeof *rt, 0))
        ARCA_RAISE(ARCA_ERR_BAD_IMAGE, "the image does not export %s; link it with "
                   "libarca_enclave (arca_add_enclave() does)", ARCA_RUNTIME_SYMBOL);
    if (rt->abi_version != ARCA_RUNTIME_ABI_VERSION || !rt->init || !rt->dispatch || !rt->fini)
        ARCA_RAISE(ARCA_ERR_BAD_VERSION, "the image's runtime speaks ABI %u, this loader %d; "
                   "rebuild the enclave", rt->abi_version, ARCA_RUNTIME_ABI_VERSION);
    *runtime = rt;
done:
    return result;
}

/* ---- unload ---- */

void arca__runtime_unload(arca__loaded_image *image)
{
    if (!image)
        return;
    if (image->started)
        run_finalisers(image);
    arca__loader_streams_close(image);
    if (image->tls_module)
        arca__loader_tls_unregister(image);
    if (image->map)
        munmap(image->map, image->map_len);
    free(image);
}

uintptr_t arca__runtime_base(const arca__loaded_image *image)
{
    return image ? (uintptr_t)image->base : 0;
}
