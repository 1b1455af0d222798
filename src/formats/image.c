/*
 * image.c — the enclave image format: parsing and bounds-checking the ELF64 shared object,
 * locating the .arca.config and .arca.sig sections (and .arca.env, where signing writes the
 * environment), computing the measurement, and signing and verifying images. The byte layouts and the measurement definition are documented in
 * docs/formats.md ("Enclave image").
 *
 * The image bytes are hostile. This file must never read a byte before checking its offset
 * and length against the buffer with overflow-safe arithmetic, must never index with a
 * header field it has not range-checked, and must never report success for an image whose
 * measurement, configuration or signature does not check out — or that a loader must not
 * run: one that imports a library outside ARCA_IMAGE_ALLOWED_NEEDED, carries a library search
 * path or text relocations, or asks for memory that is writable and executable. Those
 * checks read measured bytes only, never section headers.
 *
 * Divisions: the import allowlist; small helpers; ELF header; program headers (PT_LOAD);
 * section headers and the two Arca sections; what an image may contain (W^X, the stack, the
 * dynamic section: imports, search paths, text relocations, bounds of every DT_ value);
 * measurement; signing; verification.
 */
#include "image.h"

#include <elf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "crypto/crypto.h"
#include "base/error.h"
#include "base/le.h"

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

const struct arca__image_library arca__image_allowed_needed[ARCA_IMAGE_ALLOWED_NEEDED_COUNT] = {
#define X(name, machine) {name, machine},
    ARCA_IMAGE_ALLOWED_NEEDED(X)
#undef X
};

int arca__image_needed_index(const char *name, uint16_t machine)
{
    int found = -1;
    for (size_t i = 0; name && found < 0 && i < ARCA_IMAGE_ALLOWED_NEEDED_COUNT; i++)
        if ((arca__image_allowed_needed[i].machine == 0 ||
             arca__image_allowed_needed[i].machine == machine) &&
            !strcmp(arca__image_allowed_needed[i].name, name))
            found = (int)i;
    return found;
}

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
                                   Elf64_Shdr *config_sh, Elf64_Shdr *sig_sh, Elf64_Shdr *env_sh)
{
    arca_result_t result = ARCA_OK;
    const Elf64_Ehdr *eh = &l->eh;
    uint64_t table_len = 0;
    Elf64_Shdr strtab;
    bool have_config = false, have_sig = false, have_env = false;

    memset(env_sh, 0, sizeof *env_sh); /* optional: images built before it have none */

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
        } else if (!strcmp(name, ARCA_ENV_SECTION)) {
            if (have_env)
                ARCA_RAISE(ARCA_ERR_BAD_IMAGE, "image has more than one %s section",
                           ARCA_ENV_SECTION);
            have_env = true;
            *env_sh = sh;
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
    if (have_env) {
        ARCA_CHECK(check_arca_section(l, env_sh, ARCA_ENV_SECTION, ARCA_ENV_CAPACITY));
        if (overlap(env_sh->sh_offset, ARCA_ENV_CAPACITY, config_sh->sh_offset,
                    sizeof(struct arca_enclave_config)) ||
            overlap(env_sh->sh_offset, ARCA_ENV_CAPACITY, sig_sh->sh_offset,
                    sizeof(struct arca_signature)))
            ARCA_RAISE(ARCA_ERR_BAD_IMAGE, "section %s overlaps %s or %s", ARCA_ENV_SECTION,
                       ARCA_CONFIG_SECTION, ARCA_SIG_SECTION);
    }
    /* The signer writes these sections in place; that must never rewrite the section table
     * or the names it was found through (so a signed image always parses the same way). */
    const Elf64_Shdr *written[3] = {config_sh, sig_sh, env_sh};
    static const char *const written_name[3] = {ARCA_CONFIG_SECTION, ARCA_SIG_SECTION,
                                                ARCA_ENV_SECTION};
    for (int i = 0; i < 3; i++)
        if (overlap(written[i]->sh_offset, written[i]->sh_size, eh->e_shoff, table_len) ||
            overlap(written[i]->sh_offset, written[i]->sh_size, strtab.sh_offset, strtab.sh_size))
            ARCA_RAISE(ARCA_ERR_BAD_IMAGE,
                       "section %s overlaps the section header table or the section names",
                       written_name[i]);
done:
    return result;
}

/* ---- what an image may contain: memory permissions and the dynamic section ---- */

/*
 * Everything below is read from measured bytes only: the program headers (inside a PT_LOAD,
 * checked above) and PT_LOAD file contents, found by address through the PT_LOAD table, the
 * way a loader finds them in memory. Section headers are not measured and are never used
 * here. Bytes the measurement does not fix — the ELF header's section-table fields and
 * .arca.sig (replaced by zeros) and .arca.config (rewritten by signing) — are never read
 * either: a range that touches the ELF header or an Arca section is refused, so the verdict
 * cannot change after signing.
 */

#define MAX_NEEDED 16u    /* DT_NEEDED entries looked at; the allowlist has four per machine */
#define LOW_TAGS 40u      /* tags 0..39 (up to DT_RELRENT) have a slot by number */

/* Tags above LOW_TAGS that the checks read, each with a slot after the low ones. */
static const int64_t high_tags[] = {DT_GNU_HASH, DT_VERSYM,    DT_VERDEF, DT_VERNEED, DT_FLAGS_1,
                                    DT_AUDIT,    DT_DEPAUDIT, DT_AUXILIARY, DT_FILTER};
#define TAG_SLOTS (LOW_TAGS + sizeof high_tags / sizeof high_tags[0])

/* (address, size) pairs of the dynamic section: the table must lie in one PT_LOAD's file
 * bytes, and its size must be a multiple of the entry size (the ENT tag's value if it has one,
 * which must then be exactly @c ent). */
static const struct {
    int64_t addr, size, ent_tag;
    uint64_t ent;
    const char *name;
} dyn_tables[] = {
    {DT_RELA, DT_RELASZ, DT_RELAENT, sizeof(Elf64_Rela), "DT_RELA"},
    {DT_REL, DT_RELSZ, DT_RELENT, sizeof(Elf64_Rel), "DT_REL"},
    {DT_RELR, DT_RELRSZ, DT_RELRENT, sizeof(Elf64_Addr), "DT_RELR"},
    {DT_JMPREL, DT_PLTRELSZ, 0, 0 /* by DT_PLTREL */, "DT_JMPREL"},
    {DT_INIT_ARRAY, DT_INIT_ARRAYSZ, 0, sizeof(Elf64_Addr), "DT_INIT_ARRAY"},
    {DT_FINI_ARRAY, DT_FINI_ARRAYSZ, 0, sizeof(Elf64_Addr), "DT_FINI_ARRAY"},
    {DT_PREINIT_ARRAY, DT_PREINIT_ARRAYSZ, 0, sizeof(Elf64_Addr), "DT_PREINIT_ARRAY"},
};

/* Single addresses: @c len bytes there must be loaded (in file bytes when @c file), and in an
 * executable segment when @c code. */
static const struct {
    int64_t tag;
    uint64_t len;
    bool file, code;
    const char *name;
} dyn_pointers[] = {
    {DT_SYMTAB, sizeof(Elf64_Sym), true, false, "DT_SYMTAB"},
    {DT_HASH, 8, true, false, "DT_HASH"},
    {DT_GNU_HASH, 16, true, false, "DT_GNU_HASH"},
    {DT_VERSYM, 2, true, false, "DT_VERSYM"},
    {DT_VERDEF, sizeof(Elf64_Verdef), true, false, "DT_VERDEF"},
    {DT_VERNEED, sizeof(Elf64_Verneed), true, false, "DT_VERNEED"},
    {DT_PLTGOT, sizeof(Elf64_Addr), false, false, "DT_PLTGOT"},
    {DT_INIT, 1, true, true, "DT_INIT"},
    {DT_FINI, 1, true, true, "DT_FINI"},
};

/* The image being checked: its loads and the file ranges that are not fixed by the measurement. */
struct contents {
    const uint8_t *bytes;
    const struct loads *l;
    uint64_t unfixed_off[4], unfixed_len[4]; /* ELF header, .arca.config, .arca.sig, .arca.env */
};

/* What the dynamic section says, by tag. */
struct dyn {
    uint64_t val[TAG_SLOTS];
    bool seen[TAG_SLOTS];
    unsigned needed_count;
    uint64_t needed[MAX_NEEDED]; /* string offsets, in order */
};

static int tag_slot(int64_t tag)
{
    if (tag >= 0 && tag < (int64_t)LOW_TAGS)
        return (int)tag;
    for (size_t i = 0; i < sizeof high_tags / sizeof high_tags[0]; i++)
        if (high_tags[i] == tag)
            return (int)(LOW_TAGS + i);
    return -1;
}

static bool has(const struct dyn *d, int64_t tag)
{
    int slot = tag_slot(tag);
    return slot >= 0 && d->seen[slot];
}

static uint64_t value(const struct dyn *d, int64_t tag)
{
    int slot = tag_slot(tag);
    return slot >= 0 ? d->val[slot] : 0;
}

/*
 * Translates the address range [vaddr, vaddr + len) into file offset *off. NULL when it lies
 * inside the file bytes of one PT_LOAD (not a zero-filled tail) and touches no byte the
 * measurement leaves open; otherwise why not.
 */
static const char *file_range(const struct contents *c, uint64_t vaddr, uint64_t len,
                              uint64_t *off)
{
    for (size_t i = 0; i < c->l->count; i++) {
        const Elf64_Phdr *ph = &c->l->seg[i];
        if (vaddr < ph->p_vaddr || vaddr - ph->p_vaddr > ph->p_filesz ||
            len > ph->p_filesz - (vaddr - ph->p_vaddr))
            continue;
        *off = ph->p_offset + (vaddr - ph->p_vaddr); /* check_loads: inside the file */
        for (int k = 0; k < 4; k++)
            if (overlap(*off, len, c->unfixed_off[k], c->unfixed_len[k]))
                return "overlaps the ELF header, .arca.config, .arca.sig or .arca.env, which "
                       "the measurement does not fix";
        return NULL;
    }
    return "does not lie inside the file bytes of one PT_LOAD segment";
}

/* True when [vaddr, vaddr + len) lies in the memory of one PT_LOAD (executable if @p code). */
static bool in_memory(const struct loads *l, uint64_t vaddr, uint64_t len, bool code)
{
    for (size_t i = 0; i < l->count; i++) {
        const Elf64_Phdr *ph = &l->seg[i];
        if (vaddr >= ph->p_vaddr && vaddr - ph->p_vaddr <= ph->p_memsz &&
            len <= ph->p_memsz - (vaddr - ph->p_vaddr))
            return !code || (ph->p_flags & PF_X);
    }
    return false;
}

/* Copies @p s into @p buf (cap ≥ 4) for a message: at most cap - 4 bytes, anything but
 * printable ASCII as '?', "..." when cut. Image strings are hostile; terminals are not. */
static const char *printable(const char *s, char *buf, size_t cap)
{
    size_t n = 0;
    for (; s[n] && n + 4 < cap; n++)
        buf[n] = (s[n] >= 0x20 && s[n] < 0x7f) ? s[n] : '?';
    if (s[n]) {
        memcpy(buf + n, "...", 3);
        n += 3;
    }
    buf[n] = '\0';
    return buf;
}

/* W^X for every PT_LOAD, a non-executable stack, exactly one PT_DYNAMIC (copied to @p dyn_ph). */
static arca_result_t check_segments(const uint8_t *bytes, const struct loads *l, Elf64_Phdr *dyn_ph)
{
    arca_result_t result = ARCA_OK;
    unsigned stacks = 0, dynamics = 0;
    Elf64_Phdr stack = {0};

    for (unsigned i = 0; i < l->eh.e_phnum; i++) {
        Elf64_Phdr ph;
        memcpy(&ph, bytes + l->eh.e_phoff + (uint64_t)i * sizeof ph, sizeof ph);
        if (ph.p_type == PT_LOAD && (ph.p_flags & (PF_W | PF_X)) == (PF_W | PF_X))
            ARCA_RAISE(ARCA_ERR_BAD_IMAGE,
                       "PT_LOAD segment %u (file offset 0x%llx, address 0x%llx) is both writable "
                       "and executable: the image was linked with -N/--omagic or a linker script "
                       "that puts code and writable data in one segment, or its flags were "
                       "patched. Enclave memory is never writable and executable at once: link "
                       "with the default GNU ld layout (arca_add_enclave() does)",
                       i, (unsigned long long)ph.p_offset, (unsigned long long)ph.p_vaddr);
        if (ph.p_type == PT_GNU_STACK) {
            stacks++;
            stack = ph;
        } else if (ph.p_type == PT_DYNAMIC) {
            dynamics++;
            *dyn_ph = ph;
        }
    }
    if (stacks == 0)
        ARCA_RAISE(ARCA_ERR_BAD_IMAGE,
                   "the image has no PT_GNU_STACK program header, so loaders would give it an "
                   "executable stack; link with -z noexecstack (arca_add_enclave() does)");
    if (stacks > 1)
        ARCA_RAISE(ARCA_ERR_BAD_IMAGE,
                   "the image has %u PT_GNU_STACK program headers (loaders obey only one); a "
                   "linker writes exactly one", stacks);
    if (stack.p_flags & PF_X)
        ARCA_RAISE(ARCA_ERR_BAD_IMAGE,
                   "PT_GNU_STACK asks for an executable stack: the image was linked with -z "
                   "execstack, or an object in it lacks a .note.GNU-stack section (hand-written "
                   "assembly). Enclave stacks are never executable: link with -z noexecstack "
                   "(arca_add_enclave() does) and add '.section .note.GNU-stack,\"\",@progbits' "
                   "to assembly sources");
    if (dynamics != 1)
        ARCA_RAISE(ARCA_ERR_BAD_IMAGE,
                   "the image has %u PT_DYNAMIC program headers, expected exactly one (a shared "
                   "object built with -shared has one)", dynamics);
done:
    return result;
}

/* Reads the dynamic section up to DT_NULL, as a loader does, into @p d. */
static arca_result_t read_dynamic(const struct contents *c, const Elf64_Phdr *ph, struct dyn *d)
{
    arca_result_t result = ARCA_OK;
    const char *why;
    uint64_t off = 0;
    bool terminated = false;

    memset(d, 0, sizeof *d);
    if ((why = file_range(c, ph->p_vaddr, ph->p_filesz, &off)) != NULL)
        ARCA_RAISE(ARCA_ERR_BAD_IMAGE,
                   "PT_DYNAMIC (address 0x%llx, %llu bytes) %s; the dynamic section must be "
                   "loaded and measured", (unsigned long long)ph->p_vaddr,
                   (unsigned long long)ph->p_filesz, why);
    if (off != ph->p_offset || ph->p_vaddr % sizeof(Elf64_Addr) != 0)
        ARCA_RAISE(ARCA_ERR_BAD_IMAGE,
                   "PT_DYNAMIC: file offset 0x%llx does not match its address 0x%llx in its "
                   "PT_LOAD segment, or the address is not 8-byte aligned",
                   (unsigned long long)ph->p_offset, (unsigned long long)ph->p_vaddr);
    for (uint64_t i = 0; !terminated && i < ph->p_filesz / sizeof(Elf64_Dyn); i++) {
        Elf64_Dyn e;
        memcpy(&e, c->bytes + off + i * sizeof e, sizeof e);
        if (e.d_tag == DT_NULL) {
            terminated = true;
        } else if (e.d_tag == DT_NEEDED) {
            if (d->needed_count == MAX_NEEDED)
                ARCA_RAISE(ARCA_ERR_BAD_IMAGE, "the image has more than %u DT_NEEDED entries",
                           MAX_NEEDED);
            d->needed[d->needed_count++] = e.d_un.d_val;
        } else {
            int slot = tag_slot(e.d_tag);
            if (slot < 0)
                continue; /* a tag no check here depends on */
            if (d->seen[slot])
                ARCA_RAISE(ARCA_ERR_BAD_IMAGE,
                           "the dynamic section has dynamic tag 0x%llx twice; loaders would obey "
                           "only one of them", (unsigned long long)e.d_tag);
            d->seen[slot] = true;
            d->val[slot] = e.d_un.d_val;
        }
    }
    if (!terminated)
        ARCA_RAISE(ARCA_ERR_BAD_IMAGE,
                   "the dynamic section (PT_DYNAMIC, %llu bytes) has no DT_NULL entry, so a "
                   "loader would read past its end", (unsigned long long)ph->p_filesz);
done:
    return result;
}

/* The string at offset @p at of the string table [strtab, strtab + strsz) in the file. */
static arca_result_t dyn_string(const struct contents *c, uint64_t strtab, uint64_t strsz,
                                uint64_t at, const char *tag, const char **out)
{
    arca_result_t result = ARCA_OK;
    if (at >= strsz || !memchr(c->bytes + strtab + at, '\0', (size_t)(strsz - at)))
        ARCA_RAISE(ARCA_ERR_BAD_IMAGE,
                   "%s: string offset %llu is not a NUL-terminated string inside the dynamic "
                   "string table (DT_STRSZ %llu)", tag, (unsigned long long)at,
                   (unsigned long long)strsz);
    *out = (const char *)c->bytes + strtab + at;
done:
    return result;
}

/* Refuses library search paths, filters, audit libraries and imports outside the allowlist;
 * fills @p imports. */
static arca_result_t check_imports(const struct contents *c, const struct dyn *d,
                                   arca__image_imports *imports)
{
    /* The string-valued tags besides DT_NEEDED; from FIRST_LOADING on, each names a library
     * the loader would load (filters and audit libraries). */
    enum { FIRST_LOADING = 3 };
    static const struct {
        int64_t tag;
        const char *name;
    } strings[] = {{DT_SONAME, "DT_SONAME"},       {DT_RPATH, "DT_RPATH"},
                   {DT_RUNPATH, "DT_RUNPATH"},     {DT_AUXILIARY, "DT_AUXILIARY"},
                   {DT_FILTER, "DT_FILTER"},       {DT_AUDIT, "DT_AUDIT"},
                   {DT_DEPAUDIT, "DT_DEPAUDIT"}};
    arca_result_t result = ARCA_OK;
    uint64_t strtab = 0, strsz = value(d, DT_STRSZ);
    const char *s = "", *why;
    char shown[80], allowed[160];
    bool any_string = d->needed_count > 0;

    for (size_t i = 0; i < sizeof strings / sizeof strings[0]; i++)
        any_string = any_string || has(d, strings[i].tag);
    if (has(d, DT_STRTAB) != has(d, DT_STRSZ) || (any_string && !has(d, DT_STRTAB)))
        ARCA_RAISE(ARCA_ERR_BAD_IMAGE,
                   "the dynamic section has %s without %s; a linker writes both",
                   has(d, DT_STRTAB) ? "DT_STRTAB" : any_string ? "strings" : "DT_STRSZ",
                   has(d, DT_STRTAB) ? "DT_STRSZ" : "DT_STRTAB");
    if (has(d, DT_STRTAB) && (why = file_range(c, value(d, DT_STRTAB), strsz, &strtab)) != NULL)
        ARCA_RAISE(ARCA_ERR_BAD_IMAGE,
                   "the dynamic string table (DT_STRTAB 0x%llx, DT_STRSZ %llu) %s",
                   (unsigned long long)value(d, DT_STRTAB), (unsigned long long)strsz, why);

    /* Every string first, so a hostile offset is named as such; then what they say. */
    for (size_t i = 0; i < sizeof strings / sizeof strings[0]; i++)
        if (has(d, strings[i].tag))
            ARCA_CHECK(dyn_string(c, strtab, strsz, value(d, strings[i].tag), strings[i].name, &s));
    for (unsigned i = 0; i < d->needed_count; i++)
        ARCA_CHECK(dyn_string(c, strtab, strsz, d->needed[i], "DT_NEEDED", &s));

    for (int k = 0; k < 2; k++) {
        int64_t tag = k == 0 ? DT_RUNPATH : DT_RPATH;
        if (!has(d, tag))
            continue;
        ARCA_CHECK(dyn_string(c, strtab, strsz, value(d, tag), "", &s));
        ARCA_RAISE(ARCA_ERR_BAD_IMAGE,
                   "the image has a library search path (%s '%s'): the loader would look for "
                   "libraries there, so whoever controls that directory could swap code into the "
                   "enclave without changing its measurement. Do not link enclaves with "
                   "-Wl,-rpath; link everything the enclave needs beyond the C library and "
                   "libcrypto statically (arca_add_enclave LIBS with static .a libraries)",
                   k == 0 ? "DT_RUNPATH" : "DT_RPATH", printable(s, shown, sizeof shown));
    }
    for (size_t i = FIRST_LOADING; i < sizeof strings / sizeof strings[0]; i++)
        if (has(d, strings[i].tag)) {
            ARCA_CHECK(dyn_string(c, strtab, strsz, value(d, strings[i].tag), "", &s));
            ARCA_RAISE(ARCA_ERR_BAD_IMAGE,
                       "the image names a filter or audit library (%s '%s'), which the loader "
                       "would load into the enclave without measuring it; link with neither "
                       "-f/-F (--auxiliary/--filter) nor --audit/--depaudit", strings[i].name,
                       printable(s, shown, sizeof shown));
        }

    memset(imports, 0, sizeof *imports);
    for (unsigned i = 0; i < d->needed_count; i++) {
        ARCA_CHECK(dyn_string(c, strtab, strsz, d->needed[i], "DT_NEEDED", &s));
        int lib = arca__image_needed_index(s, c->l->eh.e_machine);
        if (lib < 0) {
            size_t n = 0;
            allowed[0] = '\0';
            for (size_t j = 0; j < ARCA_IMAGE_ALLOWED_NEEDED_COUNT; j++)
                if (arca__image_allowed_needed[j].machine == 0 ||
                    arca__image_allowed_needed[j].machine == c->l->eh.e_machine) {
                    int w = snprintf(allowed + n, sizeof allowed - n, "%s%s", n ? ", " : "",
                                     arca__image_allowed_needed[j].name);
                    n += w > 0 && (size_t)w < sizeof allowed - n ? (size_t)w : 0;
                }
            ARCA_RAISE(ARCA_ERR_BAD_IMAGE,
                       "the image needs the shared library '%s' (DT_NEEDED), which is not part of "
                       "the Arca runtime (allowed: %s); its code would run inside the enclave "
                       "without being measured. Link it statically into the enclave: "
                       "arca_add_enclave(... LIBS /path/to/its .a file, or a STATIC library "
                       "target)", printable(s, shown, sizeof shown), allowed);
        }
        for (unsigned j = 0; j < imports->count; j++)
            if (imports->lib[j] == (uint8_t)lib)
                ARCA_RAISE(ARCA_ERR_BAD_IMAGE, "the image names '%s' twice in DT_NEEDED; a "
                           "linker writes each library once", s);
        imports->lib[imports->count++] = (uint8_t)lib;
    }
done:
    return result;
}

/* Text relocations, and every address and size of the dynamic section a loader uses. */
static arca_result_t check_dynamic_values(const struct contents *c, const struct dyn *d)
{
    arca_result_t result = ARCA_OK;
    const char *why;
    uint64_t off;

    if (has(d, DT_TEXTREL) || (value(d, DT_FLAGS) & DF_TEXTREL))
        ARCA_RAISE(ARCA_ERR_BAD_IMAGE,
                   "the image has text relocations (%s): code that is not position-independent "
                   "was linked in (an object or static library compiled without -fPIC, or the "
                   "link used -z notext), so a loader would have to make code writable. Rebuild "
                   "that code with -fPIC", has(d, DT_TEXTREL) ? "DT_TEXTREL" : "DF_TEXTREL");
    if (has(d, DT_PLTREL) && value(d, DT_PLTREL) != DT_RELA && value(d, DT_PLTREL) != DT_REL)
        ARCA_RAISE(ARCA_ERR_BAD_IMAGE, "DT_PLTREL is %llu, neither DT_RELA nor DT_REL",
                   (unsigned long long)value(d, DT_PLTREL));
    if (has(d, DT_SYMENT) && value(d, DT_SYMENT) != sizeof(Elf64_Sym))
        ARCA_RAISE(ARCA_ERR_BAD_IMAGE, "DT_SYMENT is %llu, not %zu",
                   (unsigned long long)value(d, DT_SYMENT), sizeof(Elf64_Sym));
    for (size_t i = 0; i < sizeof dyn_tables / sizeof dyn_tables[0]; i++) {
        uint64_t ent = dyn_tables[i].ent, addr = value(d, dyn_tables[i].addr),
                 size = value(d, dyn_tables[i].size);
        if (!has(d, dyn_tables[i].addr) && !has(d, dyn_tables[i].size))
            continue;
        if (!has(d, dyn_tables[i].addr) || !has(d, dyn_tables[i].size))
            ARCA_RAISE(ARCA_ERR_BAD_IMAGE, "%s: the dynamic section has its address or its size "
                       "but not both", dyn_tables[i].name);
        if (dyn_tables[i].addr == DT_JMPREL)
            ent = value(d, DT_PLTREL) == DT_REL ? sizeof(Elf64_Rel) : sizeof(Elf64_Rela);
        if (dyn_tables[i].ent_tag && has(d, dyn_tables[i].ent_tag) &&
            value(d, dyn_tables[i].ent_tag) != ent)
            ARCA_RAISE(ARCA_ERR_BAD_IMAGE, "%s: entry size %llu, expected %llu",
                       dyn_tables[i].name, (unsigned long long)value(d, dyn_tables[i].ent_tag),
                       (unsigned long long)ent);
        if (size % ent != 0)
            ARCA_RAISE(ARCA_ERR_BAD_IMAGE, "%s: size %llu is not a multiple of the entry size %llu",
                       dyn_tables[i].name, (unsigned long long)size, (unsigned long long)ent);
        if (size != 0 && (why = file_range(c, addr, size, &off)) != NULL)
            ARCA_RAISE(ARCA_ERR_BAD_IMAGE, "%s (address 0x%llx, %llu bytes) %s",
                       dyn_tables[i].name, (unsigned long long)addr, (unsigned long long)size, why);
    }
    for (size_t i = 0; i < sizeof dyn_pointers / sizeof dyn_pointers[0]; i++) {
        uint64_t addr = value(d, dyn_pointers[i].tag);
        if (!has(d, dyn_pointers[i].tag))
            continue;
        why = dyn_pointers[i].file ? file_range(c, addr, dyn_pointers[i].len, &off)
              : in_memory(c->l, addr, dyn_pointers[i].len, false)
                  ? NULL
                  : "does not lie inside a PT_LOAD segment";
        if (!why && dyn_pointers[i].code && !in_memory(c->l, addr, dyn_pointers[i].len, true))
            why = "is not in an executable PT_LOAD segment";
        if (why)
            ARCA_RAISE(ARCA_ERR_BAD_IMAGE, "%s (address 0x%llx) %s", dyn_pointers[i].name,
                       (unsigned long long)addr, why);
    }
done:
    return result;
}

static arca_result_t check_contents(const uint8_t *bytes, const struct loads *l,
                                    const Elf64_Shdr *config_sh, const Elf64_Shdr *sig_sh,
                                    const Elf64_Shdr *env_sh, arca__image_imports *imports)
{
    arca_result_t result = ARCA_OK;
    struct contents c = {
        .bytes = bytes,
        .l = l,
        .unfixed_off = {0, config_sh->sh_offset, sig_sh->sh_offset, env_sh->sh_offset},
        .unfixed_len = {sizeof(Elf64_Ehdr), sizeof(struct arca_enclave_config),
                        sizeof(struct arca_signature), env_sh->sh_size ? ARCA_ENV_CAPACITY : 0},
    };
    Elf64_Phdr dyn_ph = {0};
    struct dyn d;

    ARCA_CHECK(check_segments(bytes, l, &dyn_ph));
    ARCA_CHECK(read_dynamic(&c, &dyn_ph, &d));
    ARCA_CHECK(check_imports(&c, &d, imports));
    ARCA_CHECK(check_dynamic_values(&c, &d));
done:
    return result;
}

arca_result_t arca__image_parse(const uint8_t *bytes, size_t size, arca__image *out)
{
    arca_result_t result = ARCA_OK;
    struct loads loads;
    Elf64_Shdr config_sh, sig_sh, env_sh;

    if (!out)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "image_parse: NULL output");
    memset(out, 0, sizeof *out);
    if (!bytes)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "image_parse: NULL image");
    ARCA_CHECK(check_loads(bytes, size, &loads));
    ARCA_CHECK(find_sections(bytes, size, &loads, &config_sh, &sig_sh, &env_sh));
    ARCA_CHECK(check_contents(bytes, &loads, &config_sh, &sig_sh, &env_sh, &out->imports));

    out->bytes = bytes;
    out->size = size;
    out->config_offset = (size_t)config_sh.sh_offset;
    out->sig_offset = (size_t)sig_sh.sh_offset;
    out->config_vaddr = config_sh.sh_addr;
    out->sig_vaddr = sig_sh.sh_addr;
    out->env_section_offset = (size_t)env_sh.sh_offset;
    out->env_section_vaddr = env_sh.sh_addr;
    out->machine = loads.eh.e_machine;
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
    return arca__image_sign_env(bytes, size, config, NULL, key);
}

arca_result_t arca__image_sign_env(uint8_t *bytes, size_t size,
                                   const struct arca_enclave_config *config, const arca__env *env,
                                   const arca__ec_key *key)
{
    arca_result_t result = ARCA_OK;
    arca__image image;
    struct arca_signature sig;
    struct arca_enclave_config signed_config;
    size_t der_len = 0;
    uint32_t env_len = env ? env->len : 0;

    memset(&sig, 0, sizeof sig);
    if (!bytes || !config || !key)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "image_sign: NULL image, config or key");
    if (env_len > sizeof env->block)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "image_sign: environment of %u bytes", env_len);
    if (env_len)
        ARCA_CHECK(arca__env_check((const uint8_t *)env->block, env_len, NULL));
    signed_config = *config;
    signed_config.env_size = 0;
    signed_config.env_vaddr = 0;
    ARCA_CHECK(arca__config_validate(&signed_config));
    ARCA_CHECK(arca__image_parse(bytes, size, &image));
    if (env_len && !image.env_section_vaddr)
        ARCA_RAISE(ARCA_ERR_BAD_IMAGE,
                   "the configuration sets environment variables (Env.NAME) but the image has no "
                   "%s section to hold them: it was built with an older Arca; rebuild it",
                   ARCA_ENV_SECTION);
    if (env_len) {
        signed_config.env_size = env_len;
        signed_config.env_vaddr = image.env_section_vaddr;
    }
    config = &signed_config;
    ARCA_CHECK(arca__config_validate(config));

    /* The whole section is rewritten: an earlier signing's variables do not linger. */
    if (image.env_section_vaddr) {
        memset(bytes + image.env_section_offset, 0, ARCA_ENV_CAPACITY);
        if (env_len)
            memcpy(bytes + image.env_section_offset, env->block, env_len);
    }
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

/*
 * Where the environment the signed config names lies (*offset; 0 when it has none): its
 * env_size bytes at env_vaddr must be file bytes of one PT_LOAD (measured), outside the ELF
 * header, .arca.config and .arca.sig (which the measurement does not fix, or which can
 * change without changing it), and a valid block (enclave_env.h).
 */
static arca_result_t find_env(const arca__image *image, size_t *offset)
{
    arca_result_t result = ARCA_OK;
    const struct arca_enclave_config *c = &image->config;
    struct loads local;
    bool found = false;
    uint64_t off = 0;

    *offset = 0;
    if (c->env_size == 0)
        goto done;
    ARCA_CHECK(check_loads(image->bytes, image->size, &local));
    for (size_t i = 0; i < local.count && !found; i++) {
        const Elf64_Phdr *ph = &local.seg[i];
        if (c->env_vaddr < ph->p_vaddr || c->env_vaddr - ph->p_vaddr > ph->p_filesz ||
            c->env_size > ph->p_filesz - (c->env_vaddr - ph->p_vaddr))
            continue;
        off = ph->p_offset + (c->env_vaddr - ph->p_vaddr); /* check_loads: inside the file */
        found = true;
    }
    if (!found)
        ARCA_RAISE(ARCA_ERR_CONFIG, "the configuration's environment (%u bytes at 0x%llx) does "
                   "not lie inside the file bytes of one PT_LOAD segment", c->env_size,
                   (unsigned long long)c->env_vaddr);
    if (overlap(off, c->env_size, 0, sizeof(Elf64_Ehdr)) ||
        overlap(off, c->env_size, image->config_offset, sizeof(struct arca_enclave_config)) ||
        overlap(off, c->env_size, image->sig_offset, sizeof(struct arca_signature)))
        ARCA_RAISE(ARCA_ERR_CONFIG, "the configuration's environment (%u bytes at 0x%llx) "
                   "overlaps the ELF header, .arca.config or .arca.sig", c->env_size,
                   (unsigned long long)c->env_vaddr);
    if (arca__env_check(image->bytes + off, c->env_size, NULL) != ARCA_OK)
        ARCA_RAISE(ARCA_ERR_CONFIG, "the image's environment is malformed: %s",
                   arca__error_detail());
    *offset = (size_t)off;
done:
    return result;
}

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
    ARCA_CHECK(find_env(&image, &info->env_offset));
    info->identity.backend = ARCA_BACKEND_ID_NONE;
    info->identity.protections = 0;
    info->config = image.config;
    info->machine = image.machine;
    info->imports = image.imports;
done:
    arca__ec_free(signer);
    if (result != ARCA_OK && info)
        memset(info, 0, sizeof *info);
    return result;
}
