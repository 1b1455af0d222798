/*
 * image.c — the enclave image format: parsing and bounds-checking the ELF64 shared object,
 * locating the .arca.config and .arca.sig sections, computing the measurement, and signing
 * and verifying images. The byte layouts and the measurement definition are documented in
 * docs/formats.md ("Enclave image").
 *
 * The image bytes are hostile. This file must never read a byte before checking its offset
 * and length against the buffer with overflow-safe arithmetic, must never index with a
 * header field it has not range-checked, and must never report success for an image whose
 * measurement, configuration or signature does not check out.
 *
 * Divisions: small helpers; ELF header; program headers (PT_LOAD); section headers and the
 * two Arca sections; measurement; signing; verification.
 */
#include "image.h"

#include <elf.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "crypto.h"
#include "error.h"
#include "le.h"

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "image.c reads little-endian ELF structures in place; port it before using a big-endian host"
#endif

/* Limits that keep hostile headers from making us loop or allocate without bound. */
#define MAX_PHNUM 256u                          /* real images have about ten */
#define MAX_LOADS 32u                           /* PT_LOADs; real images have two to five */
#define MAX_SHNUM 16384u                        /* well below SHN_LORESERVE */
#define MAX_TOTAL_MEMSZ (UINT64_C(4) << 30)     /* sum of PT_LOAD p_memsz */

/* "ARCA-MEASURE-v1" and its terminator: the 16-byte domain separator of the measurement. */
static const uint8_t measure_prefix[16] = "ARCA-MEASURE-v1";

/* Header fields that describe the (unloaded) section table; zeroed in the measurement. */
#define EH_SHOFF_AT 0x28u /* e_shoff, 8 bytes */
#define EH_SHOFF_LEN 8u
#define EH_SHFIELDS_AT 0x3Au /* e_shentsize, e_shnum, e_shstrndx: 2 bytes each */
#define EH_SHFIELDS_LEN 6u

_Static_assert(offsetof(Elf64_Ehdr, e_shoff) == EH_SHOFF_AT, "e_shoff position");
_Static_assert(offsetof(Elf64_Ehdr, e_shentsize) == EH_SHFIELDS_AT, "e_shentsize position");
_Static_assert(offsetof(Elf64_Ehdr, e_shstrndx) + 2 == EH_SHFIELDS_AT + EH_SHFIELDS_LEN,
               "e_shstrndx position");

/* The program headers of an image that passed every check, with the derived ranges. */
struct loads {
    Elf64_Ehdr eh;
    uint64_t phdr_end; /* e_phoff + e_phnum * sizeof(Elf64_Phdr) */
    size_t count;
    Elf64_Phdr seg[MAX_LOADS]; /* small: loaders may run this on a small stack */
};

/* ---- small helpers ---- */

/* True when [off, off + len) lies inside a buffer of @p size bytes (no overflow). */
static bool in_file(uint64_t off, uint64_t len, size_t size)
{
    uint64_t end;
    if (__builtin_add_overflow(off, len, &end))
        return false;
    return end <= (uint64_t)size;
}

/* True when two non-overflowing ranges share at least one byte. Empty ranges never overlap. */
static bool overlap(uint64_t a, uint64_t a_len, uint64_t b, uint64_t b_len)
{
    return a_len != 0 && b_len != 0 && a < b + b_len && b < a + a_len;
}

/* ---- ELF header ---- */

static arca_result_t check_elf_header(const uint8_t *bytes, size_t size, Elf64_Ehdr *eh)
{
    arca_result_t result = ARCA_OK;

    if (size < sizeof *eh)
        ARCA_RAISE(ARCA_ERR_BAD_IMAGE,
                   "image is %zu bytes, too short for an ELF header (%zu bytes); is the file "
                   "truncated?", size, sizeof *eh);
    memcpy(eh, bytes, sizeof *eh);
    if (memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0)
        ARCA_RAISE(ARCA_ERR_BAD_IMAGE,
                   "not an ELF file (bad magic); an enclave image is the shared object built by "
                   "arca_add_enclave()");
    if (eh->e_ident[EI_CLASS] != ELFCLASS64)
        ARCA_RAISE(ARCA_ERR_BAD_IMAGE, "not a 64-bit ELF file (EI_CLASS %u); build for x86-64 or "
                   "aarch64", eh->e_ident[EI_CLASS]);
    if (eh->e_ident[EI_DATA] != ELFDATA2LSB)
        ARCA_RAISE(ARCA_ERR_BAD_IMAGE, "not a little-endian ELF file (EI_DATA %u)",
                   eh->e_ident[EI_DATA]);
    if (eh->e_ident[EI_VERSION] != EV_CURRENT || eh->e_version != EV_CURRENT)
        ARCA_RAISE(ARCA_ERR_BAD_IMAGE, "unknown ELF version (%u/%u)", eh->e_ident[EI_VERSION],
                   eh->e_version);
    if (eh->e_type != ET_DYN)
        ARCA_RAISE(ARCA_ERR_BAD_IMAGE,
                   "ELF type %u is not a shared object (ET_DYN); build the enclave with -shared "
                   "(arca_add_enclave() does)", eh->e_type);
    if (eh->e_machine != EM_X86_64 && eh->e_machine != EM_AARCH64)
        ARCA_RAISE(ARCA_ERR_BAD_IMAGE,
                   "ELF machine %u is not supported (allowed: x86-64, aarch64)", eh->e_machine);
    if (eh->e_ehsize != sizeof *eh)
        ARCA_RAISE(ARCA_ERR_BAD_IMAGE, "ELF header size %u is not %zu", eh->e_ehsize, sizeof *eh);
done:
    return result;
}

/* ---- bytes a loader maps besides the segments ---- */

/*
 * Loaders map whole pages: a PT_LOAD's file range is rounded down to a page boundary at its
 * start and, when the segment has no zero-fill part (p_memsz == p_filesz), up to one at its
 * end (with p_memsz > p_filesz, glibc and musl zero the rest of that page). The bytes so
 * mapped but outside every PT_LOAD's file range are not measured, yet they are in memory —
 * readable, and executable next to code. They must be zero, so that the measurement decides
 * every byte that is loaded. Page size: the largest the machine's Linux uses (x86-64 4 KiB,
 * aarch64 up to 64 KiB), so the verdict does not depend on the verifying machine.
 */
static uint64_t max_page_size(uint16_t machine)
{
    return machine == EM_AARCH64 ? UINT64_C(65536) : UINT64_C(4096);
}

/* Checks that every byte of [from, to) outside all PT_LOAD file ranges is zero. */
static arca_result_t check_slack_zero(const uint8_t *bytes, const struct loads *l, unsigned seg,
                                      uint64_t from, uint64_t to)
{
    arca_result_t result = ARCA_OK;
    uint64_t pos = from;

    while (pos < to) {
        uint64_t next = to;
        bool covered = false;
        for (size_t j = 0; j < l->count && !covered; j++) {
            const Elf64_Phdr *q = &l->seg[j];
            if (q->p_filesz == 0)
                continue;
            if (pos >= q->p_offset && pos - q->p_offset < q->p_filesz) {
                covered = true;
                next = q->p_offset + q->p_filesz; /* in_file() checked: no overflow */
            } else if (q->p_offset > pos && q->p_offset < next) {
                next = q->p_offset;
            }
        }
        if (next > to)
            next = to;
        if (!covered) {
            for (uint64_t i = pos; i < next; i++)
                if (bytes[i] != 0)
                    ARCA_RAISE(ARCA_ERR_BAD_IMAGE,
                               "file byte 0x%llx is mapped into memory with PT_LOAD segment %u (it "
                               "shares a page with it) but lies outside every segment, so it is not "
                               "measured; it must be zero. The file was patched after linking, or "
                               "the linker packs segments into shared pages or fills their padding "
                               "(lld does): link enclaves with GNU ld, the default of gcc and clang on Linux",
                               (unsigned long long)i, seg);
        }
        pos = next;
    }
done:
    return result;
}

static arca_result_t check_page_slack(const uint8_t *bytes, size_t size, const struct loads *l)
{
    arca_result_t result = ARCA_OK;
    const uint64_t page = max_page_size(l->eh.e_machine);

    for (size_t i = 0; i < l->count; i++) {
        const Elf64_Phdr *ph = &l->seg[i];
        uint64_t start = ph->p_offset & ~(page - 1);
        uint64_t end = ph->p_offset + ph->p_filesz; /* in_file() checked: ≤ size */
        ARCA_CHECK(check_slack_zero(bytes, l, (unsigned)i, start, ph->p_offset));
        if (ph->p_memsz == ph->p_filesz) {
            uint64_t tail = end + (page - 1) > end ? (end + (page - 1)) & ~(page - 1) : end;
            if (tail > size)
                tail = size; /* past the end of the file, the kernel maps zeros */
            ARCA_CHECK(check_slack_zero(bytes, l, (unsigned)i, end, tail));
        }
    }
done:
    return result;
}

/* ---- program headers ---- */

static arca_result_t check_loads(const uint8_t *bytes, size_t size, struct loads *l)
{
    arca_result_t result = ARCA_OK;
    uint64_t table_len = 0, total_memsz = 0;
    bool header_loaded = false, phdrs_loaded = false;

    l->count = 0;
    ARCA_CHECK(check_elf_header(bytes, size, &l->eh));
    const Elf64_Ehdr *eh = &l->eh;

    if (eh->e_phentsize != sizeof(Elf64_Phdr))
        ARCA_RAISE(ARCA_ERR_BAD_IMAGE, "program header entry size %u is not %zu", eh->e_phentsize,
                   sizeof(Elf64_Phdr));
    if (eh->e_phnum == 0)
        ARCA_RAISE(ARCA_ERR_BAD_IMAGE, "image has no program headers; it cannot be loaded");
    if (eh->e_phnum > MAX_PHNUM)
        ARCA_RAISE(ARCA_ERR_BAD_IMAGE, "image has %u program headers (at most %u allowed)",
                   eh->e_phnum, MAX_PHNUM);
    if (__builtin_mul_overflow((uint64_t)eh->e_phnum, (uint64_t)sizeof(Elf64_Phdr), &table_len) ||
        !in_file(eh->e_phoff, table_len, size) || eh->e_phoff < sizeof *eh)
        ARCA_RAISE(ARCA_ERR_BAD_IMAGE,
                   "program header table (offset %llu, %u entries) lies outside the %zu-byte file "
                   "or overlaps the ELF header", (unsigned long long)eh->e_phoff, eh->e_phnum, size);
    l->phdr_end = eh->e_phoff + table_len;

    for (unsigned i = 0; i < eh->e_phnum; i++) {
        Elf64_Phdr ph;
        uint64_t vend;
        memcpy(&ph, bytes + eh->e_phoff + (uint64_t)i * sizeof ph, sizeof ph);
        if (ph.p_type != PT_LOAD)
            continue;
        if (l->count == MAX_LOADS)
            ARCA_RAISE(ARCA_ERR_BAD_IMAGE, "image has more than %u PT_LOAD segments", MAX_LOADS);
        if (ph.p_filesz > ph.p_memsz)
            ARCA_RAISE(ARCA_ERR_BAD_IMAGE,
                       "PT_LOAD segment %u has p_filesz %llu > p_memsz %llu", i,
                       (unsigned long long)ph.p_filesz, (unsigned long long)ph.p_memsz);
        if (!in_file(ph.p_offset, ph.p_filesz, size))
            ARCA_RAISE(ARCA_ERR_BAD_IMAGE,
                       "PT_LOAD segment %u (offset %llu, %llu bytes) extends past the end of the "
                       "%zu-byte file; is the file truncated?", i, (unsigned long long)ph.p_offset,
                       (unsigned long long)ph.p_filesz, size);
        if (__builtin_add_overflow(ph.p_vaddr, ph.p_memsz, &vend))
            ARCA_RAISE(ARCA_ERR_BAD_IMAGE, "PT_LOAD segment %u: p_vaddr + p_memsz overflows", i);
        if (__builtin_add_overflow(total_memsz, ph.p_memsz, &total_memsz) ||
            total_memsz > MAX_TOTAL_MEMSZ)
            ARCA_RAISE(ARCA_ERR_BAD_IMAGE,
                       "PT_LOAD segments need more than %llu bytes of memory in total",
                       (unsigned long long)MAX_TOTAL_MEMSZ);
        for (size_t j = 0; j < l->count; j++) {
            const Elf64_Phdr *q = &l->seg[j];
            if (overlap(ph.p_offset, ph.p_filesz, q->p_offset, q->p_filesz))
                ARCA_RAISE(ARCA_ERR_BAD_IMAGE, "PT_LOAD segment %u overlaps another in the file", i);
            if (overlap(ph.p_vaddr, ph.p_memsz, q->p_vaddr, q->p_memsz))
                ARCA_RAISE(ARCA_ERR_BAD_IMAGE, "PT_LOAD segment %u overlaps another in memory", i);
        }
        /* Loaders size the mapping from the first and last PT_LOAD (ELF requires ascending
         * p_vaddr); an unsorted table could make them map outside their reservation. */
        if (l->count > 0 && ph.p_vaddr < l->seg[l->count - 1].p_vaddr)
            ARCA_RAISE(ARCA_ERR_BAD_IMAGE,
                       "PT_LOAD segment %u is not in ascending p_vaddr order", i);
        if (ph.p_offset == 0 && ph.p_filesz >= sizeof *eh)
            header_loaded = true;
        if (ph.p_offset <= eh->e_phoff && l->phdr_end <= ph.p_offset + ph.p_filesz)
            phdrs_loaded = true;
        l->seg[l->count++] = ph;
    }
    if (l->count == 0)
        ARCA_RAISE(ARCA_ERR_BAD_IMAGE, "image has no PT_LOAD segment; nothing would be loaded");
    /* The headers must be measured: a loader obeys every program header (PT_DYNAMIC,
     * PT_GNU_STACK, PT_GNU_RELRO, ...), so none may change without changing the measurement. */
    if (!header_loaded || !phdrs_loaded)
        ARCA_RAISE(ARCA_ERR_BAD_IMAGE,
                   "the ELF header and program headers must lie inside a PT_LOAD segment so that "
                   "they are measured (standard linkers do this for shared objects)");
    ARCA_CHECK(check_page_slack(bytes, size, l));
done:
    return result;
}

/* ---- section headers and the two Arca sections ---- */

/* Checks that section @p sh of @p want bytes lies wholly inside one PT_LOAD, in the file and
 * at the matching address, and outside the ELF and program headers. */
static arca_result_t check_arca_section(const struct loads *l, const Elf64_Shdr *sh,
                                        const char *name, uint64_t want)
{
    arca_result_t result = ARCA_OK;
    bool placed = false;

    if (sh->sh_type != SHT_PROGBITS || !(sh->sh_flags & SHF_ALLOC))
        ARCA_RAISE(ARCA_ERR_BAD_IMAGE,
                   "section %s must be allocated PROGBITS data (type %u, flags 0x%llx); define it "
                   "as an initialised const object", name, sh->sh_type,
                   (unsigned long long)sh->sh_flags);
    if (sh->sh_size != want)
        ARCA_RAISE(ARCA_ERR_BAD_IMAGE,
                   "section %s is %llu bytes, expected %llu; the runtime and the signer disagree "
                   "on the format (rebuild with a matching Arca)", name,
                   (unsigned long long)sh->sh_size, (unsigned long long)want);
    for (size_t i = 0; i < l->count && !placed; i++) {
        const Elf64_Phdr *ph = &l->seg[i];
        if (sh->sh_offset < ph->p_offset || sh->sh_offset - ph->p_offset > ph->p_filesz ||
            ph->p_filesz - (sh->sh_offset - ph->p_offset) < want)
            continue;
        /* Inside this segment's file range; the address must correspond to the offset. */
        if (sh->sh_addr != ph->p_vaddr + (sh->sh_offset - ph->p_offset))
            ARCA_RAISE(ARCA_ERR_BAD_IMAGE,
                       "section %s: address 0x%llx does not match its file offset 0x%llx in its "
                       "PT_LOAD segment", name, (unsigned long long)sh->sh_addr,
                       (unsigned long long)sh->sh_offset);
        placed = true;
    }
    if (!placed)
        ARCA_RAISE(ARCA_ERR_BAD_IMAGE,
                   "section %s (offset 0x%llx) does not lie wholly inside one PT_LOAD segment's "
                   "file bytes", name, (unsigned long long)sh->sh_offset);
    if (overlap(sh->sh_offset, want, 0, sizeof(Elf64_Ehdr)) ||
        overlap(sh->sh_offset, want, l->eh.e_phoff, l->phdr_end - l->eh.e_phoff))
        ARCA_RAISE(ARCA_ERR_BAD_IMAGE, "section %s overlaps the ELF or program headers", name);
done:
    return result;
}

static arca_result_t find_sections(const uint8_t *bytes, size_t size, const struct loads *l,
                                   Elf64_Shdr *config_sh, Elf64_Shdr *sig_sh)
{
    arca_result_t result = ARCA_OK;
    const Elf64_Ehdr *eh = &l->eh;
    uint64_t table_len = 0;
    Elf64_Shdr strtab;
    bool have_config = false, have_sig = false;

    if (eh->e_shoff == 0 || eh->e_shnum == 0)
        ARCA_RAISE(ARCA_ERR_BAD_IMAGE,
                   "image has no section header table, so its .arca.config and .arca.sig "
                   "sections cannot be found (do not remove section headers)");
    if (eh->e_shentsize != sizeof(Elf64_Shdr))
        ARCA_RAISE(ARCA_ERR_BAD_IMAGE, "section header entry size %u is not %zu",
                   eh->e_shentsize, sizeof(Elf64_Shdr));
    if (eh->e_shnum > MAX_SHNUM)
        ARCA_RAISE(ARCA_ERR_BAD_IMAGE, "image has %u sections (at most %u allowed)", eh->e_shnum,
                   MAX_SHNUM);
    if (__builtin_mul_overflow((uint64_t)eh->e_shnum, (uint64_t)sizeof(Elf64_Shdr), &table_len) ||
        !in_file(eh->e_shoff, table_len, size))
        ARCA_RAISE(ARCA_ERR_BAD_IMAGE,
                   "section header table (offset %llu, %u entries) lies outside the %zu-byte "
                   "file; is the file truncated?", (unsigned long long)eh->e_shoff, eh->e_shnum,
                   size);
    if (eh->e_shstrndx == SHN_UNDEF || eh->e_shstrndx >= eh->e_shnum)
        ARCA_RAISE(ARCA_ERR_BAD_IMAGE, "section name table index %u is out of range (%u sections)",
                   eh->e_shstrndx, eh->e_shnum);

    memcpy(&strtab, bytes + eh->e_shoff + (uint64_t)eh->e_shstrndx * sizeof strtab, sizeof strtab);
    if (strtab.sh_type != SHT_STRTAB || !in_file(strtab.sh_offset, strtab.sh_size, size))
        ARCA_RAISE(ARCA_ERR_BAD_IMAGE, "section name table is not a string table inside the file");
    const char *names = (const char *)bytes + strtab.sh_offset;

    for (unsigned i = 0; i < eh->e_shnum; i++) {
        Elf64_Shdr sh;
        memcpy(&sh, bytes + eh->e_shoff + (uint64_t)i * sizeof sh, sizeof sh);
        if (sh.sh_type != SHT_NOBITS && sh.sh_type != SHT_NULL &&
            !in_file(sh.sh_offset, sh.sh_size, size))
            ARCA_RAISE(ARCA_ERR_BAD_IMAGE,
                       "section %u (offset %llu, %llu bytes) extends past the end of the %zu-byte "
                       "file", i, (unsigned long long)sh.sh_offset, (unsigned long long)sh.sh_size,
                       size);
        if (sh.sh_name >= strtab.sh_size ||
            !memchr(names + sh.sh_name, '\0', strtab.sh_size - sh.sh_name))
            ARCA_RAISE(ARCA_ERR_BAD_IMAGE,
                       "section %u: its name (offset %u) is not a NUL-terminated string inside the "
                       "section name table", i, sh.sh_name);
        const char *name = names + sh.sh_name;
        if (!strcmp(name, ARCA_CONFIG_SECTION)) {
            if (have_config)
                ARCA_RAISE(ARCA_ERR_BAD_IMAGE, "image has more than one %s section",
                           ARCA_CONFIG_SECTION);
            have_config = true;
            *config_sh = sh;
        } else if (!strcmp(name, ARCA_SIG_SECTION)) {
            if (have_sig)
                ARCA_RAISE(ARCA_ERR_BAD_IMAGE, "image has more than one %s section",
                           ARCA_SIG_SECTION);
            have_sig = true;
            *sig_sh = sh;
        }
    }
    if (!have_config || !have_sig)
        ARCA_RAISE(ARCA_ERR_BAD_IMAGE,
                   "image has no %s section; link the enclave with libarca_enclave "
                   "(arca_add_enclave() does)", have_config ? ARCA_SIG_SECTION : ARCA_CONFIG_SECTION);
    ARCA_CHECK(check_arca_section(l, config_sh, ARCA_CONFIG_SECTION,
                                  sizeof(struct arca_enclave_config)));
    ARCA_CHECK(check_arca_section(l, sig_sh, ARCA_SIG_SECTION, sizeof(struct arca_signature)));
    if (overlap(config_sh->sh_offset, sizeof(struct arca_enclave_config), sig_sh->sh_offset,
                sizeof(struct arca_signature)))
        ARCA_RAISE(ARCA_ERR_BAD_IMAGE, "sections %s and %s overlap", ARCA_CONFIG_SECTION,
                   ARCA_SIG_SECTION);
    /* The signer writes both sections in place; that must never rewrite the section table
     * or the names it was found through (so a signed image always parses the same way). */
    const Elf64_Shdr *written[2] = {config_sh, sig_sh};
    for (int i = 0; i < 2; i++)
        if (overlap(written[i]->sh_offset, written[i]->sh_size, eh->e_shoff, table_len) ||
            overlap(written[i]->sh_offset, written[i]->sh_size, strtab.sh_offset, strtab.sh_size))
            ARCA_RAISE(ARCA_ERR_BAD_IMAGE,
                       "section %s overlaps the section header table or the section names",
                       i == 0 ? ARCA_CONFIG_SECTION : ARCA_SIG_SECTION);
done:
    return result;
}

arca_result_t arca__image_parse(const uint8_t *bytes, size_t size, arca__image *out)
{
    arca_result_t result = ARCA_OK;
    struct loads loads;
    Elf64_Shdr config_sh, sig_sh;

    if (!out)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "image_parse: NULL output");
    memset(out, 0, sizeof *out);
    if (!bytes)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "image_parse: NULL image");
    ARCA_CHECK(check_loads(bytes, size, &loads));
    ARCA_CHECK(find_sections(bytes, size, &loads, &config_sh, &sig_sh));

    out->bytes = bytes;
    out->size = size;
    out->config_offset = (size_t)config_sh.sh_offset;
    out->sig_offset = (size_t)sig_sh.sh_offset;
    out->config_vaddr = config_sh.sh_addr;
    out->sig_vaddr = sig_sh.sh_addr;
    memcpy(&out->config, bytes + out->config_offset, sizeof out->config);
    memcpy(&out->sig, bytes + out->sig_offset, sizeof out->sig);
done:
    if (result != ARCA_OK && out)
        memset(out, 0, sizeof *out);
    return result;
}

/* ---- measurement ---- */

struct hole {
    uint64_t off, len;
};

/* Hashes file bytes [start, end) with the (sorted, disjoint) holes replaced by zeros. */
static arca_result_t hash_with_holes(arca__sha256_ctx *ctx, const uint8_t *bytes, uint64_t start,
                                     uint64_t end, const struct hole *holes, size_t n_holes)
{
    static const uint8_t zeros[sizeof(struct arca_signature)];
    arca_result_t result = ARCA_OK;
    uint64_t pos = start;

    for (size_t i = 0; i < n_holes; i++) {
        uint64_t from = holes[i].off > pos ? holes[i].off : pos;
        uint64_t to = holes[i].off + holes[i].len < end ? holes[i].off + holes[i].len : end;
        if (from >= to)
            continue;
        ARCA_CHECK(arca__sha256_update(ctx, bytes + pos, (size_t)(from - pos)));
        ARCA_CHECK(arca__sha256_update(ctx, zeros, (size_t)(to - from)));
        pos = to;
    }
    ARCA_CHECK(arca__sha256_update(ctx, bytes + pos, (size_t)(end - pos)));
done:
    return result;
}

arca_result_t arca__image_measure(const arca__image *image, uint8_t out[ARCA_HASH_SIZE])
{
    arca_result_t result = ARCA_OK;
    arca__sha256_ctx ctx = {0};
    bool started = false;
    struct loads local;
    uint8_t rec[24];

    if (!image || !image->bytes || !out)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "image_measure: NULL image or output");
    /* Re-derive the segments from the bytes (and re-check them) rather than trusting that the
     * caller's arca__image still describes this buffer. */
    ARCA_CHECK(check_loads(image->bytes, image->size, &local));
    if (image->sig_offset < sizeof(Elf64_Ehdr) ||
        !in_file(image->sig_offset, sizeof(struct arca_signature), image->size))
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "image_measure: image was not parsed");

    const struct hole holes[] = {
        {EH_SHOFF_AT, EH_SHOFF_LEN},
        {EH_SHFIELDS_AT, EH_SHFIELDS_LEN},
        {image->sig_offset, sizeof(struct arca_signature)},
    };

    ARCA_CHECK(arca__sha256_init(&ctx));
    started = true;
    ARCA_CHECK(arca__sha256_update(&ctx, measure_prefix, sizeof measure_prefix));
    arca__put_le64(rec, image->config_vaddr);
    arca__put_le64(rec + 8, image->sig_vaddr);
    ARCA_CHECK(arca__sha256_update(&ctx, rec, 16));
    for (size_t i = 0; i < local.count; i++) {
        const Elf64_Phdr *ph = &local.seg[i];
        arca__put_le64(rec, ph->p_vaddr);
        arca__put_le64(rec + 8, ph->p_memsz);
        arca__put_le64(rec + 16, ph->p_filesz);
        ARCA_CHECK(arca__sha256_update(&ctx, rec, 24));
        arca__put_le32(rec, ph->p_flags);
        arca__put_le32(rec + 4, 0);
        ARCA_CHECK(arca__sha256_update(&ctx, rec, 8));
        ARCA_CHECK(hash_with_holes(&ctx, image->bytes, ph->p_offset, ph->p_offset + ph->p_filesz,
                                   holes, sizeof holes / sizeof holes[0]));
    }
    started = false;
    ARCA_CHECK(arca__sha256_final(&ctx, out));
done:
    if (started)
        arca__sha256_abort(&ctx);
    return result;
}

/* ---- signing ---- */

arca_result_t arca__image_sign(uint8_t *bytes, size_t size, const struct arca_enclave_config *config,
                               const arca__ec_key *key)
{
    arca_result_t result = ARCA_OK;
    arca__image image;
    struct arca_signature sig;
    size_t der_len = 0;

    memset(&sig, 0, sizeof sig);
    if (!bytes || !config || !key)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "image_sign: NULL image, config or key");
    ARCA_CHECK(arca__config_validate(config));
    ARCA_CHECK(arca__image_parse(bytes, size, &image));

    memcpy(bytes + image.config_offset, config, sizeof *config);
    image.config = *config;
    /* Re-signing: the old signature is zeroed by the measurement anyway; clear it so a failed
     * signing never leaves a stale signature that looks valid. */
    memset(bytes + image.sig_offset, 0, sizeof sig);

    memcpy(sig.magic, ARCA_SIG_MAGIC, sizeof sig.magic);
    sig.version = ARCA_SIG_VERSION;
    ARCA_CHECK(arca__image_measure(&image, sig.measurement));
    sig.config = *config;
    ARCA_CHECK(arca__ec_public_der(key, sig.pubkey_der, sizeof sig.pubkey_der, &der_len));
    if (der_len == 0 || der_len > sizeof sig.pubkey_der)
        ARCA_RAISE(ARCA_ERR_KEY, "signing key's public key does not fit the signature structure");
    sig.pubkey_len = (uint32_t)der_len;
    ARCA_CHECK(arca__ec_sign(key, &sig, offsetof(struct arca_signature, signature), sig.signature));
    memcpy(bytes + image.sig_offset, &sig, sizeof sig);
done:
    return result;
}

/* ---- verification ---- */

arca_result_t arca__image_verify(const uint8_t *bytes, size_t size, arca__image_info *info)
{
    static const uint8_t zero_magic[8];
    arca_result_t result = ARCA_OK;
    arca__image image;
    arca__ec_key *signer = NULL;
    uint8_t measurement[ARCA_HASH_SIZE];

    if (!info)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "image_verify: NULL output");
    memset(info, 0, sizeof *info);
    if (!bytes)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "image_verify: NULL image");
    ARCA_CHECK(arca__image_parse(bytes, size, &image));
    const struct arca_signature *sig = &image.sig;

    if (!memcmp(sig->magic, zero_magic, sizeof zero_magic))
        ARCA_RAISE(ARCA_ERR_IMAGE_NOT_SIGNED,
                   "the .arca.sig section is empty; sign the image with "
                   "'arca sign -k key.pem -o signed.so image.so'");
    if (memcmp(sig->magic, ARCA_SIG_MAGIC, sizeof sig->magic) != 0)
        ARCA_RAISE(ARCA_ERR_BAD_IMAGE,
                   "the .arca.sig section does not start with the signature magic; it is "
                   "corrupt — re-sign the image");
    if (sig->version != ARCA_SIG_VERSION)
        ARCA_RAISE(ARCA_ERR_BAD_VERSION,
                   "signature structure version %u is not supported (expected %u); sign the "
                   "image with this version of 'arca sign'", sig->version, ARCA_SIG_VERSION);
    ARCA_CHECK(arca__image_measure(&image, measurement));
    if (!arca__ct_equal(measurement, sig->measurement, sizeof measurement))
        ARCA_RAISE(ARCA_ERR_MEASUREMENT_MISMATCH,
                   "the loaded segments do not match the signed measurement: the image was "
                   "modified after signing; rebuild or re-sign it");
    if (!arca__ct_equal(&image.config, &sig->config, sizeof image.config))
        ARCA_RAISE(ARCA_ERR_MEASUREMENT_MISMATCH,
                   "the .arca.config section differs from the configuration that was signed; "
                   "re-sign the image");
    ARCA_CHECK(arca__config_validate(&image.config));
    if (sig->pubkey_len == 0 || sig->pubkey_len > sizeof sig->pubkey_der)
        ARCA_RAISE(ARCA_ERR_BAD_IMAGE, "signature structure: signer key length %u is out of "
                   "range (1..%zu)", sig->pubkey_len, sizeof sig->pubkey_der);
    for (size_t i = sig->pubkey_len; i < sizeof sig->pubkey_der; i++)
        if (sig->pubkey_der[i] != 0)
            ARCA_RAISE(ARCA_ERR_BAD_IMAGE,
                       "signature structure: bytes after the signer key are not zero");
    if (arca__ec_from_public_der(sig->pubkey_der, sig->pubkey_len, &signer) != ARCA_OK)
        ARCA_RAISE(ARCA_ERR_BAD_SIGNATURE,
                   "the signer key embedded in .arca.sig is not a valid P-256 public key");
    arca_result_t r = arca__ec_verify(signer, sig, offsetof(struct arca_signature, signature),
                                      sig->signature);
    if (r == ARCA_ERR_BAD_SIGNATURE)
        ARCA_RAISE(ARCA_ERR_BAD_SIGNATURE,
                   "the signature in .arca.sig does not verify under its embedded signer key; "
                   "the signature structure was altered — re-sign the image");
    ARCA_CHECK(r);

    memcpy(info->identity.measurement, measurement, sizeof measurement);
    ARCA_CHECK(arca__sha256(sig->pubkey_der, sig->pubkey_len, info->identity.signer_id));
    info->identity.product_id = image.config.product_id;
    info->identity.svn = image.config.svn;
    info->identity.attributes = 0;
    if (image.config.flags & ARCA_CONFIG_FLAG_DEBUG)
        info->identity.attributes |= ARCA_ATTR_DEBUG;
    if (image.config.flags & ARCA_CONFIG_FLAG_SWITCHLESS)
        info->identity.attributes |= ARCA_ATTR_SWITCHLESS;
    info->identity.backend = ARCA_BACKEND_ID_NONE;
    info->identity.protections = 0;
    info->config = image.config;
done:
    arca__ec_free(signer);
    if (result != ARCA_OK && info)
        memset(info, 0, sizeof *info);
    return result;
}
