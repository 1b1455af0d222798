/*
 * test_image_hostile.c — hand-crafted and damaged ELF files against the image parser:
 * a synthetic enclave image (x86-64 and aarch64) that must parse, measure to the documented
 * definition and sign; then one field at a time made hostile (bad offsets, huge counts,
 * overlapping or unsorted segments, filesz > memsz, overflowing sizes, sections out of
 * bounds or misplaced, names without NUL), every truncation of a real signed image, and
 * random garbage — each must give a clean ARCA_ERR_BAD_IMAGE with a detail naming the cause.
 * Then what an image may contain (issue 11 items 4 and 11), on the synthetic image with its
 * hand-made dynamic section: W+X segments and executable or missing stacks, a PT_DYNAMIC
 * outside the loads or over unmeasured bytes or without DT_NULL, string tables and strings out
 * of range or unterminated, imports outside the allowlist, search paths, filters, text
 * relocations, and every DT_ address and size out of bounds — each refused by parse and sign,
 * and, signed anyway by a signer without these checks, by verification; the accepted variants
 * beside them; and section headers that lie about the dynamic section, ignored.
 *
 * usage: test_image_hostile FIXTURE.so
 */
#include <elf.h>

#include "crypto/crypto.h"
#include "base/error.h"
#include "formats/image.h"
#include "test.h"
#include "util.h"

/* Layout of the synthetic image (see build()). Room for a fifth program header before the
 * "code" at SYN_CODE; the dynamic section and its strings are in segment 1. */
#define SYN_PHOFF 0x40
#define SYN_PHNUM 4
#define SYN_CODE 0x180
#define SYN_CONFIG 0x200
#define SYN_SIG 0x280
#define SYN_SEG1 0x400
#define SYN_SEG1_VADDR 0x1400
#define SYN_DYN 0x500 /* 8 entries, address 0x1500 */
#define SYN_DYN_VADDR 0x1500
#define SYN_DYN_SLOTS 8
#define SYN_DYNSTR 0x580 /* address 0x1580 */
#define SYN_DYNSTR_VADDR 0x1580
#define SYN_STRTAB 0x600
#define SYN_SHOFF 0x640
#define SYN_SHNUM 5
#define SYN_SIZE (SYN_SHOFF + SYN_SHNUM * 64)

static _Alignas(8) uint8_t img[SYN_SIZE + 4096];
static size_t img_len;
static arca__ec_key *key;
static const char *fixture_path;

static const char names[] = "\0.arca.config\0.arca.sig\0.shstrtab\0.data";
#define NAME_CONFIG 1
#define NAME_SIG 14
#define NAME_STRTAB 24
#define NAME_DATA 34

static void put_phdr(unsigned i, Elf64_Phdr ph)
{
    memcpy(img + SYN_PHOFF + i * sizeof ph, &ph, sizeof ph);
}

static void put_shdr(unsigned i, Elf64_Shdr sh)
{
    memcpy(img + SYN_SHOFF + i * sizeof sh, &sh, sizeof sh);
}

/* The dynamic string table of the synthetic image, and the offset of a string in it. */
static const char dynstr[] = "\0libc.so.6\0libevil.so\0/opt/evil\0ld-linux-x86-64.so.2\0"
                             "ld-linux-aarch64.so.1\0libcrypto.so.3\0libm.so.6";
_Static_assert(SYN_DYNSTR + sizeof dynstr <= SYN_SEG1 + 0x200, "dynstr fits segment 1");
static uint64_t str(const char *s)
{
    for (size_t i = 1; i < sizeof dynstr; i += strlen(dynstr + i) + 1)
        if (!strcmp(dynstr + i, s))
            return i;
    fprintf(stderr, "test bug: '%s' is not in dynstr\n", s);
    abort();
}

/* Sets dynamic entry @p i (0 ≤ i < SYN_DYN_SLOTS) of the synthetic image. */
static void put_dyn(unsigned i, int64_t tag, uint64_t val)
{
    Elf64_Dyn d = {.d_tag = tag, .d_un.d_val = val};
    memcpy(img + SYN_DYN + i * sizeof d, &d, sizeof d);
}

/* A minimal but complete enclave image: two PT_LOADs, the Arca sections inside the first, a
 * dynamic section (DT_NEEDED libc.so.6, DT_STRTAB, DT_STRSZ, DT_NULL) in the second. */
static void build(uint16_t machine)
{
    Elf64_Ehdr eh = {0};
    struct arca_enclave_config config;

    memset(img, 0, sizeof img);
    img_len = SYN_SIZE;
    memcpy(eh.e_ident, ELFMAG, SELFMAG);
    eh.e_ident[EI_CLASS] = ELFCLASS64;
    eh.e_ident[EI_DATA] = ELFDATA2LSB;
    eh.e_ident[EI_VERSION] = EV_CURRENT;
    eh.e_type = ET_DYN;
    eh.e_machine = machine;
    eh.e_version = EV_CURRENT;
    eh.e_phoff = SYN_PHOFF;
    eh.e_shoff = SYN_SHOFF;
    eh.e_ehsize = sizeof eh;
    eh.e_phentsize = sizeof(Elf64_Phdr);
    eh.e_phnum = SYN_PHNUM;
    eh.e_shentsize = sizeof(Elf64_Shdr);
    eh.e_shnum = SYN_SHNUM;
    eh.e_shstrndx = 3;
    memcpy(img, &eh, sizeof eh);

    /* Segment 0 has a zero-fill tail (p_memsz > p_filesz): the loader zeroes the rest of its
     * last page, so the section names and table after it in the file are never mapped. */
    put_phdr(0, (Elf64_Phdr){.p_type = PT_LOAD, .p_flags = PF_R | PF_X, .p_offset = 0,
                             .p_vaddr = 0, .p_filesz = 0x400, .p_memsz = 0x480, .p_align = 0x1000});
    put_phdr(1, (Elf64_Phdr){.p_type = PT_LOAD, .p_flags = PF_R | PF_W, .p_offset = SYN_SEG1,
                             .p_vaddr = SYN_SEG1_VADDR, .p_filesz = 0x200, .p_memsz = 0x300,
                             .p_align = 0x1000});
    put_phdr(2, (Elf64_Phdr){.p_type = PT_GNU_STACK, .p_flags = PF_R | PF_W});
    put_phdr(3, (Elf64_Phdr){.p_type = PT_DYNAMIC, .p_flags = PF_R | PF_W, .p_offset = SYN_DYN,
                             .p_vaddr = SYN_DYN_VADDR, .p_filesz = SYN_DYN_SLOTS * 16,
                             .p_memsz = SYN_DYN_SLOTS * 16, .p_align = 8});
    for (int i = SYN_CODE; i < SYN_CODE + 0x80; i++)
        img[i] = (uint8_t)(i * 7); /* "code" */
    for (int i = SYN_SEG1; i < SYN_DYN; i++)
        img[i] = (uint8_t)(i * 13 + 1); /* "data" */
    put_dyn(0, DT_NEEDED, str("libc.so.6"));
    put_dyn(1, DT_STRTAB, SYN_DYNSTR_VADDR);
    put_dyn(2, DT_STRSZ, sizeof dynstr);
    memcpy(img + SYN_DYNSTR, dynstr, sizeof dynstr);
    arca__config_defaults(&config);
    memcpy(img + SYN_CONFIG, &config, sizeof config);
    memcpy(img + SYN_STRTAB, names, sizeof names);

    put_shdr(1, (Elf64_Shdr){.sh_name = NAME_CONFIG, .sh_type = SHT_PROGBITS, .sh_flags = SHF_ALLOC,
                             .sh_addr = SYN_CONFIG, .sh_offset = SYN_CONFIG, .sh_size = 64});
    put_shdr(2, (Elf64_Shdr){.sh_name = NAME_SIG, .sh_type = SHT_PROGBITS, .sh_flags = SHF_ALLOC,
                             .sh_addr = SYN_SIG, .sh_offset = SYN_SIG,
                             .sh_size = sizeof(struct arca_signature)});
    put_shdr(3, (Elf64_Shdr){.sh_name = NAME_STRTAB, .sh_type = SHT_STRTAB,
                             .sh_offset = SYN_STRTAB, .sh_size = sizeof names});
    put_shdr(4, (Elf64_Shdr){.sh_name = NAME_DATA, .sh_type = SHT_PROGBITS,
                             .sh_flags = SHF_ALLOC | SHF_WRITE, .sh_addr = SYN_SEG1_VADDR,
                             .sh_offset = SYN_SEG1, .sh_size = 0x200});
}

#define EDIT_EH(field, value)                                                                    \
    do {                                                                                         \
        Elf64_Ehdr e_;                                                                           \
        memcpy(&e_, img, sizeof e_);                                                             \
        e_.field = (value);                                                                      \
        memcpy(img, &e_, sizeof e_);                                                             \
    } while (0)
#define EDIT_PH(i, field, value)                                                                 \
    do {                                                                                         \
        Elf64_Phdr p_;                                                                           \
        memcpy(&p_, img + SYN_PHOFF + (i) * sizeof p_, sizeof p_);                               \
        p_.field = (value);                                                                      \
        memcpy(img + SYN_PHOFF + (i) * sizeof p_, &p_, sizeof p_);                               \
    } while (0)
#define EDIT_SH(i, field, value)                                                                 \
    do {                                                                                         \
        Elf64_Shdr s_;                                                                           \
        memcpy(&s_, img + SYN_SHOFF + (i) * sizeof s_, sizeof s_);                               \
        s_.field = (value);                                                                      \
        memcpy(img + SYN_SHOFF + (i) * sizeof s_, &s_, sizeof s_);                               \
    } while (0)

/* Build, apply the edits, expect a clean BAD_IMAGE whose detail contains @p needle. */
#define BAD(needle, ...)                                                                         \
    do {                                                                                         \
        arca__image image_;                                                                      \
        arca__image_info info_;                                                                  \
        build(EM_X86_64);                                                                        \
        __VA_ARGS__;                                                                             \
        ASSERT_RESULT(arca__image_parse(img, img_len, &image_), ARCA_ERR_BAD_IMAGE);             \
        ASSERT_CONTAINS(arca__error_detail(), needle);                                           \
        ASSERT_RESULT(arca__image_verify(img, img_len, &info_), ARCA_ERR_BAD_IMAGE);             \
        ASSERT_RESULT(arca__image_sign(img, img_len, &config_, key), ARCA_ERR_BAD_IMAGE);        \
        cases++;                                                                                 \
    } while (0)

static void test_synthetic_image_is_accepted(void)
{
    uint16_t machines[] = {EM_X86_64, EM_AARCH64};
    struct arca_enclave_config config;
    arca__image image;
    arca__image_info info;
    uint8_t m[32];

    arca__config_defaults(&config);
    config.svn = 3;
    for (size_t i = 0; i < 2; i++) {
        build(machines[i]);
        ASSERT_OK(arca__image_parse(img, img_len, &image));
        ASSERT_EQ(image.config_offset, SYN_CONFIG);
        ASSERT_EQ(image.sig_offset, SYN_SIG);
        ASSERT_OK(arca__image_measure(&image, m));
        ASSERT_RESULT(arca__image_verify(img, img_len, &info), ARCA_ERR_IMAGE_NOT_SIGNED);
        ASSERT_OK(arca__image_sign(img, img_len, &config, key));
        ASSERT_OK(arca__image_verify(img, img_len, &info));
        ASSERT_EQ(info.identity.svn, 3);
    }
}

static void put64(uint8_t **p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        *(*p)++ = (uint8_t)(v >> (8 * i));
}

/* The measurement, computed here straight from the definition in docs/formats.md. */
static void test_measurement_follows_the_definition(void)
{
    static uint8_t stream[16 + 16 + 2 * 32 + 0x400 + 0x200];
    uint8_t *p = stream, expected[32], m[32];
    arca__image image;
    struct arca_enclave_config config;

    build(EM_X86_64);
    arca__config_defaults(&config);
    ASSERT_OK(arca__image_sign(img, img_len, &config, key)); /* sig bytes now non-zero */
    memcpy(p, "ARCA-MEASURE-v1\0", 16);
    p += 16;
    put64(&p, SYN_CONFIG); /* sh_addr of .arca.config */
    put64(&p, SYN_SIG);    /* sh_addr of .arca.sig */
    put64(&p, 0);          /* segment 0: vaddr, memsz, filesz, flags, 0 */
    put64(&p, 0x480);
    put64(&p, 0x400);
    put64(&p, (uint64_t)(PF_R | PF_X));
    memcpy(p, img, 0x400);
    memset(p + 0x28, 0, 8);
    memset(p + 0x3A, 0, 6);
    memset(p + SYN_SIG, 0, sizeof(struct arca_signature));
    p += 0x400;
    put64(&p, 0x1400); /* segment 1 */
    put64(&p, 0x300);
    put64(&p, 0x200);
    put64(&p, (uint64_t)(PF_R | PF_W));
    memcpy(p, img + SYN_SEG1, 0x200);
    p += 0x200;
    ASSERT_EQ(p - stream, sizeof stream);
    ASSERT_OK(arca__sha256(stream, sizeof stream, expected));
    ASSERT_OK(arca__image_parse(img, img_len, &image));
    ASSERT_OK(arca__image_measure(&image, m));
    ASSERT_MEMEQ(m, expected, 32);
    ASSERT_MEMEQ(image.sig.measurement, expected, 32);
}

static void test_hostile_elf_header(void)
{
    struct arca_enclave_config config_;
    int cases = 0;
    arca__config_defaults(&config_);
    BAD("not an ELF", img[0] = 0);
    BAD("64-bit", img[EI_CLASS] = ELFCLASS32);
    BAD("little-endian", img[EI_DATA] = ELFDATA2MSB);
    BAD("ELF version", EDIT_EH(e_version, 2));
    BAD("ELF version", img[EI_VERSION] = 0);
    BAD("shared object", EDIT_EH(e_type, ET_EXEC));
    BAD("shared object", EDIT_EH(e_type, ET_REL));
    BAD("machine", EDIT_EH(e_machine, EM_386));
    BAD("machine", EDIT_EH(e_machine, EM_RISCV));
    BAD("header size", EDIT_EH(e_ehsize, 52));
    BAD("too short", img_len = 63);
    BAD("too short", img_len = 0);
    fprintf(stderr, "  %d hostile variants refused\n", cases);
}

static void test_hostile_program_headers(void)
{
    struct arca_enclave_config config_;
    int cases = 0;
    arca__config_defaults(&config_);
    BAD("entry size", EDIT_EH(e_phentsize, 32));
    BAD("no program headers", EDIT_EH(e_phnum, 0));
    BAD("program headers (at most", EDIT_EH(e_phnum, 0xffff));
    BAD("program headers (at most", EDIT_EH(e_phnum, 257));
    BAD("program header table", EDIT_EH(e_phoff, SYN_SIZE - 8));
    BAD("program header table", EDIT_EH(e_phoff, UINT64_C(0xFFFFFFFFFFFFFFF0)));
    BAD("program header table", EDIT_EH(e_phoff, 0));
    BAD("program header table", EDIT_EH(e_phoff, 32));
    BAD("p_filesz 1024 > p_memsz 768", EDIT_PH(1, p_filesz, 0x400));
    BAD("p_filesz", EDIT_PH(0, p_memsz, 0x3ff));
    BAD("extends past the end", EDIT_PH(1, p_offset, SYN_SIZE - 0x100));
    BAD("extends past the end", EDIT_PH(1, p_offset, UINT64_MAX - 0x10));
    BAD("extends past the end", EDIT_PH(1, p_filesz, UINT64_MAX); EDIT_PH(1, p_memsz, UINT64_MAX));
    BAD("overflows", EDIT_PH(1, p_vaddr, UINT64_MAX - 0x100));
    BAD("in total", EDIT_PH(1, p_memsz, UINT64_C(5) << 30));
    BAD("in total", EDIT_PH(0, p_memsz, UINT64_C(3) << 30); EDIT_PH(1, p_vaddr, UINT64_C(4) << 30);
        EDIT_PH(1, p_memsz, UINT64_C(2) << 30));
    BAD("overlaps another in the file", EDIT_PH(1, p_offset, 0x300); EDIT_PH(1, p_vaddr, 0x1300));
    BAD("overlaps another in the file", EDIT_PH(1, p_offset, 0); EDIT_PH(1, p_filesz, 0x10));
    BAD("overlaps another in memory", EDIT_PH(1, p_vaddr, 0x100));
    BAD("overlaps another in memory", EDIT_PH(1, p_vaddr, 0x3ff));
    BAD("ascending", EDIT_PH(0, p_vaddr, 0x10000));
    BAD("no PT_LOAD", EDIT_PH(0, p_type, PT_NOTE); EDIT_PH(1, p_type, PT_NOTE));
    BAD("must lie inside a PT_LOAD", EDIT_PH(0, p_offset, 0x100); EDIT_PH(0, p_vaddr, 0x100);
        EDIT_PH(0, p_filesz, 0x300); EDIT_PH(0, p_memsz, 0x300));
    /* 40 (empty, hence non-overlapping) PT_LOADs: more than the 32 allowed. */
    BAD("more than 32 PT_LOAD", for (unsigned i_ = 0; i_ < 40; i_++) {
            Elf64_Phdr e_ = {.p_type = PT_LOAD};
            memcpy(img + SYN_SIZE + i_ * 56, &e_, 56);
        } EDIT_EH(e_phnum, 40); EDIT_EH(e_phoff, SYN_SIZE); img_len = SYN_SIZE + 40 * 56);
    /* The program header table itself outside the loaded bytes (moved to the end). */
    BAD("must lie inside a PT_LOAD", memcpy(img + SYN_SIZE, img + SYN_PHOFF, 2 * 56);
        EDIT_EH(e_phnum, 2); EDIT_EH(e_phoff, SYN_SIZE); img_len = SYN_SIZE + 2 * 56);
    fprintf(stderr, "  %d hostile variants refused\n", cases);
}

static void test_hostile_sections(void)
{
    struct arca_enclave_config config_;
    int cases = 0;
    arca__config_defaults(&config_);
    BAD("no section header table", EDIT_EH(e_shoff, 0));
    BAD("no section header table", EDIT_EH(e_shnum, 0));
    BAD("section header entry size", EDIT_EH(e_shentsize, 40));
    BAD("sections (at most", EDIT_EH(e_shnum, 20000));
    BAD("section header table", EDIT_EH(e_shoff, SYN_SIZE - 64));
    BAD("section header table", EDIT_EH(e_shoff, UINT64_MAX - 63));
    BAD("name table index", EDIT_EH(e_shstrndx, 0));
    BAD("name table index", EDIT_EH(e_shstrndx, 9));
    BAD("name table index", EDIT_EH(e_shstrndx, SHN_XINDEX));
    BAD("string table", EDIT_SH(3, sh_type, SHT_PROGBITS));
    BAD("string table", EDIT_SH(3, sh_offset, SYN_SIZE - 8));
    BAD("string table", EDIT_SH(3, sh_size, UINT64_MAX));
    BAD("NUL-terminated", EDIT_SH(1, sh_name, 1000));
    BAD("NUL-terminated", EDIT_SH(1, sh_name, UINT32_MAX));
    BAD("NUL-terminated", EDIT_SH(3, sh_size, sizeof names - 1)); /* ".data" loses its NUL */
    BAD("extends past the end", EDIT_SH(4, sh_size, 0x10000));
    BAD("extends past the end", EDIT_SH(4, sh_offset, UINT64_MAX));
    BAD("no .arca.config", img[SYN_STRTAB + NAME_CONFIG + 1] = 'X');
    BAD("no .arca.sig", img[SYN_STRTAB + NAME_SIG + 6] = 'X');
    BAD("more than one .arca.config", EDIT_SH(4, sh_name, NAME_CONFIG));
    BAD("more than one .arca.sig", EDIT_SH(4, sh_name, NAME_SIG));
    BAD("is 63 bytes", EDIT_SH(1, sh_size, 63));
    BAD("expected 304", EDIT_SH(2, sh_size, 256));
    BAD("PROGBITS", EDIT_SH(1, sh_type, SHT_NOBITS));
    BAD("PROGBITS", EDIT_SH(2, sh_flags, 0));
    BAD("wholly inside one PT_LOAD", EDIT_SH(1, sh_offset, SYN_STRTAB));
    BAD("wholly inside one PT_LOAD", EDIT_SH(1, sh_offset, 0x3F0); EDIT_SH(1, sh_addr, 0x3F0));
    BAD("wholly inside one PT_LOAD", EDIT_SH(2, sh_offset, SYN_STRTAB));
    BAD("does not match its file offset", EDIT_SH(1, sh_addr, 0x208));
    BAD("does not match its file offset", EDIT_SH(2, sh_addr, 0x1280));
    BAD("overlap", EDIT_SH(2, sh_offset, 0x220); EDIT_SH(2, sh_addr, 0x220));
    BAD("overlaps the ELF or program headers", EDIT_SH(2, sh_offset, 0x40); EDIT_SH(2, sh_addr, 0x40));
    BAD("overlaps the ELF or program headers", EDIT_SH(1, sh_offset, 0x10); EDIT_SH(1, sh_addr, 0x10));
    /* Section table or names inside a loaded segment, under .arca.sig: signing would rewrite
     * them. Segment 1 is stretched over the section table for this. */
    BAD("section header table or the section names", EDIT_PH(1, p_filesz, SYN_SIZE - SYN_SEG1);
        EDIT_PH(1, p_memsz, SYN_SIZE - SYN_SEG1); EDIT_SH(2, sh_offset, SYN_SHOFF);
        EDIT_SH(2, sh_addr, 0x1400 + SYN_SHOFF - SYN_SEG1));
    BAD("section header table or the section names", EDIT_PH(1, p_filesz, SYN_SIZE - SYN_SEG1);
        EDIT_PH(1, p_memsz, SYN_SIZE - SYN_SEG1); EDIT_SH(1, sh_offset, SYN_STRTAB);
        EDIT_SH(1, sh_addr, 0x1400 + SYN_STRTAB - SYN_SEG1));
    fprintf(stderr, "  %d hostile variants refused\n", cases);
}

/* Every truncation of a real signed image and of the synthetic one is refused cleanly. */
static void test_every_truncation(void)
{
    struct arca_enclave_config config;
    arca__image_info info;
    size_t len = 0;
    uint8_t *real = util_read(fixture_path, &len);
    ASSERT_TRUE(real != NULL);
    arca__config_defaults(&config);
    ASSERT_OK(arca__image_sign(real, len, &config, key));
    ASSERT_OK(arca__image_verify(real, len, &info));
    for (size_t n = 0; n < len; n++) {
        /* A fresh copy of exactly n bytes, so ASan sees any read past the end. */
        uint8_t *cut = malloc(n ? n : 1);
        memcpy(cut, real, n);
        arca_result_t r = arca__image_verify(cut, n, &info);
        free(cut);
        if (r != ARCA_ERR_BAD_IMAGE)
            TEST__FAIL("truncated to %zu of %zu bytes: got %s", n, len, arca_result_name(r));
    }
    free(real);

    build(EM_X86_64);
    ASSERT_OK(arca__image_sign(img, img_len, &config, key));
    for (size_t n = 0; n < img_len; n++) {
        uint8_t *cut = malloc(n ? n : 1);
        memcpy(cut, img, n);
        arca_result_t r = arca__image_verify(cut, n, &info);
        free(cut);
        if (r != ARCA_ERR_BAD_IMAGE)
            TEST__FAIL("synthetic truncated to %zu bytes: got %s", n, arca_result_name(r));
    }
}

static uint64_t rng_state = 0x9E3779B97F4A7C15u;
static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static void test_garbage_and_random_damage(void)
{
    struct arca_enclave_config config;
    arca__image_info info;
    size_t accepted = 0;

    for (int iter = 0; iter < 3000; iter++) {
        size_t n = (size_t)(rng() % 4096);
        uint8_t *g = malloc(n ? n : 1);
        for (size_t i = 0; i < n; i++)
            g[i] = (uint8_t)rng();
        if (iter % 2 && n >= 64) /* half of them with a plausible ELF header */
            memcpy(g, img, 64);
        arca_result_t r = arca__image_verify(g, n, &info);
        free(g);
        if (r == ARCA_OK || !arca_result_valid((int)r))
            TEST__FAIL("garbage of %zu bytes: got %d", n, (int)r);
    }
    /* Random damage to a signed synthetic image: never a crash, and accepted only if no
     * measured byte changed (damage confined to the unloaded section table or name table,
     * or to the section-table fields of the ELF header). */
    static _Alignas(8) uint8_t signed_img[SYN_SIZE];
    arca__config_defaults(&config);
    build(EM_X86_64);
    ASSERT_OK(arca__image_sign(img, img_len, &config, key));
    memcpy(signed_img, img, SYN_SIZE);
    for (int iter = 0; iter < 20000; iter++) {
        memcpy(img, signed_img, SYN_SIZE);
        int flips = 1 + (int)(rng() % 8), measured_changed = 0;
        for (int f = 0; f < flips; f++)
            img[rng() % SYN_SIZE] ^= (uint8_t)(1 + rng() % 255);
        for (size_t i = 0; i < SYN_STRTAB; i++)
            if (img[i] != signed_img[i] && !(i >= 0x28 && i < 0x30) && !(i >= 0x3A && i < 0x40))
                measured_changed = 1;
        arca_result_t r = arca__image_verify(img, SYN_SIZE, &info);
        if (r == ARCA_OK) {
            if (measured_changed)
                TEST__FAIL("iteration %d: damaged measured bytes still verify", iter);
            accepted++;
        }
        if (!arca_result_valid((int)r))
            TEST__FAIL("iteration %d: undefined result %d", iter, (int)r);
    }
    fprintf(stderr, "  %zu damaged images still valid (damage outside measured bytes only)\n",
            accepted);
}

/* The measurement of an image straight from its definition in docs/formats.md, with no
 * acceptance checks (so it can be computed for images the parser refuses). */
static void measure_by_definition(const uint8_t *b, size_t len, const arca__image *parsed,
                                  uint8_t out[32])
{
    ASSERT_TRUE(util_measure(b, len, parsed->sig_offset, parsed->config_vaddr, parsed->sig_vaddr,
                             out) == 0);
}

/*
 * Loaders map whole pages, so the file bytes that share a page with a PT_LOAD but lie outside
 * every PT_LOAD are in enclave memory although the measurement does not cover them. Each must
 * be zero, or an image with other loaded bytes would verify under the same measurement.
 */
static void test_unmeasured_mapped_bytes_refused(void)
{
    struct arca_enclave_config config;
    arca__image_info info;
    arca__image image;
    uint8_t m_before[32], m_after[32];
    size_t len = 0;
    int tails = 0, heads = 0;

    arca__config_defaults(&config);
    /* Synthetic: segment 0 without a zero-fill tail maps the section names and table. */
    build(EM_X86_64);
    EDIT_PH(0, p_memsz, 0x400);
    ASSERT_RESULT(arca__image_parse(img, img_len, &image), ARCA_ERR_BAD_IMAGE);
    ASSERT_CONTAINS(arca__error_detail(), "file byte 0x601 is mapped");
    ASSERT_RESULT(arca__image_sign(img, img_len, &config, key), ARCA_ERR_BAD_IMAGE);

    /* A real signed image (GNU ld: padding between segments is zero): one byte of padding
     * that a segment's first or last page maps is changed to an int3; the measurement stays
     * the same, so only this check stands between it and a successful verification. */
    uint8_t *real = util_read(fixture_path, &len);
    ASSERT_TRUE(real != NULL);
    ASSERT_OK(arca__image_sign(real, len, &config, key));
    ASSERT_OK(arca__image_verify(real, len, &info));
    memcpy(m_before, info.identity.measurement, 32);
    ASSERT_OK(arca__image_parse(real, len, &image));
    measure_by_definition(real, len, &image, m_after);
    ASSERT_MEMEQ(m_after, m_before, 32);
    Elf64_Ehdr eh;
    memcpy(&eh, real, sizeof eh);
    for (unsigned i = 0; i < eh.e_phnum; i++) {
        Elf64_Phdr ph;
        memcpy(&ph, real + eh.e_phoff + i * sizeof ph, sizeof ph);
        if (ph.p_type != PT_LOAD)
            continue;
        uint64_t end = ph.p_offset + ph.p_filesz;
        size_t at[2];
        int n = 0;
        if (ph.p_memsz == ph.p_filesz && (end & 4095) && end < len && real[end] == 0)
            at[n++] = (size_t)end, tails++;
        if ((ph.p_offset & 4095) && real[ph.p_offset - 1] == 0)
            at[n++] = (size_t)ph.p_offset - 1, heads++;
        for (int k = 0; k < n; k++) {
            real[at[k]] = 0xCC;
            measure_by_definition(real, len, &image, m_after);
            ASSERT_MEMEQ(m_after, m_before, 32); /* the measurement cannot see the change */
            ASSERT_RESULT(arca__image_verify(real, len, &info), ARCA_ERR_BAD_IMAGE);
            ASSERT_CONTAINS(arca__error_detail(), "not measured");
            real[at[k]] = 0;
            ASSERT_OK(arca__image_verify(real, len, &info));
        }
    }
    fprintf(stderr, "  %d tail and %d head padding bytes of the fixture checked\n", tails, heads);
    ASSERT_TRUE(tails > 0);
    ASSERT_TRUE(heads > 0);
    free(real);
}

/* ---- what an image may contain: W^X, the stack, the dynamic section ---- */

/* Signs the synthetic image the way a signer without the content checks would (util.h). */
static void sign_without_checks(void)
{
    arca__ec_key *pub = NULL;
    struct arca_signature sig;
    ASSERT_TRUE(util_sign_without_checks(img, img_len, key) == 0);
    memcpy(&sig, img + SYN_SIG, sizeof sig); /* really a valid signature */
    ASSERT_OK(arca__ec_from_public_der(sig.pubkey_der, sig.pubkey_len, &pub));
    arca_result_t r = arca__ec_verify(pub, &sig, offsetof(struct arca_signature, signature),
                                      sig.signature);
    arca__ec_free(pub);
    ASSERT_OK(r);
}

/* Build, apply the edits: parse and sign refuse with @p needle in the detail; signed without
 * those checks, verification refuses it the same way. */
#define REFUSED_ON(machine, needle, ...)                                                         \
    do {                                                                                         \
        arca__image image_;                                                                      \
        arca__image_info info_;                                                                  \
        build(machine);                                                                          \
        __VA_ARGS__;                                                                             \
        ASSERT_RESULT(arca__image_parse(img, img_len, &image_), ARCA_ERR_BAD_IMAGE);             \
        ASSERT_CONTAINS(arca__error_detail(), needle);                                           \
        ASSERT_RESULT(arca__image_sign(img, img_len, &config_, key), ARCA_ERR_BAD_IMAGE);        \
        ASSERT_CONTAINS(arca__error_detail(), needle);                                           \
        sign_without_checks();                                                                   \
        ASSERT_RESULT(arca__image_verify(img, img_len, &info_), ARCA_ERR_BAD_IMAGE);             \
        ASSERT_CONTAINS(arca__error_detail(), needle);                                           \
        cases++;                                                                                 \
    } while (0)
#define REFUSED(needle, ...) REFUSED_ON(EM_X86_64, needle, __VA_ARGS__)

/* Build, apply the edits: the image parses, signs and verifies. */
#define ACCEPTED_ON(machine, ...)                                                                \
    do {                                                                                         \
        arca__image image_;                                                                      \
        arca__image_info info_;                                                                  \
        build(machine);                                                                          \
        __VA_ARGS__;                                                                             \
        ASSERT_OK(arca__image_parse(img, img_len, &image_));                                     \
        ASSERT_OK(arca__image_sign(img, img_len, &config_, key));                                \
        ASSERT_OK(arca__image_verify(img, img_len, &info_));                                     \
        cases++;                                                                                 \
    } while (0)
#define ACCEPTED(...) ACCEPTED_ON(EM_X86_64, __VA_ARGS__)

/* A fifth program header (there is room for it before the code). */
#define ADD_PHDR(...)                                                                            \
    put_phdr(4, (Elf64_Phdr){__VA_ARGS__});                                                      \
    EDIT_EH(e_phnum, 5)

static void test_writable_executable_memory_refused(void)
{
    struct arca_enclave_config config_;
    int cases = 0;
    arca__config_defaults(&config_);
    REFUSED("PT_LOAD segment 1 (file offset 0x400, address 0x1400) is both writable and executable",
            EDIT_PH(1, p_flags, PF_R | PF_W | PF_X));
    REFUSED("both writable and executable", EDIT_PH(0, p_flags, PF_W | PF_X));
    REFUSED("-z execstack", EDIT_PH(2, p_flags, PF_R | PF_W | PF_X));
    REFUSED("-z execstack", EDIT_PH(2, p_flags, PF_X));
    REFUSED("no PT_GNU_STACK", EDIT_PH(2, p_type, PT_NOTE));
    REFUSED("2 PT_GNU_STACK", ADD_PHDR(.p_type = PT_GNU_STACK, .p_flags = PF_R | PF_W));
    /* The later one is what glibc obeys: an executable stack behind a harmless one. */
    REFUSED("2 PT_GNU_STACK", ADD_PHDR(.p_type = PT_GNU_STACK, .p_flags = PF_R | PF_W | PF_X));
    fprintf(stderr, "  %d variants refused\n", cases);
    /* Read-only, read-execute and read-write segments are fine; so is a non-loaded W+X header. */
    cases = 0;
    ACCEPTED(EDIT_PH(1, p_flags, PF_R));
    ACCEPTED(EDIT_PH(0, p_flags, PF_R));
    ACCEPTED(ADD_PHDR(.p_type = PT_NOTE, .p_flags = PF_R | PF_W | PF_X));
}

static void test_hostile_dynamic_segment(void)
{
    struct arca_enclave_config config_;
    int cases = 0;
    arca__config_defaults(&config_);
    REFUSED("0 PT_DYNAMIC", EDIT_PH(3, p_type, PT_NOTE));
    REFUSED("2 PT_DYNAMIC", ADD_PHDR(.p_type = PT_DYNAMIC, .p_offset = SYN_DYN,
                                     .p_vaddr = SYN_DYN_VADDR, .p_filesz = 64, .p_memsz = 64));
    /* Outside every PT_LOAD, in a segment's zero-filled tail, straddling a segment's end,
     * with sizes that overflow. */
    REFUSED("does not lie inside the file bytes of one PT_LOAD", EDIT_PH(3, p_vaddr, 0x5000));
    REFUSED("does not lie inside the file bytes of one PT_LOAD", EDIT_PH(3, p_vaddr, 0x1600);
            EDIT_PH(3, p_offset, 0x600));
    REFUSED("does not lie inside the file bytes of one PT_LOAD", EDIT_PH(3, p_vaddr, 0x15c0);
            EDIT_PH(3, p_offset, 0x5c0));
    REFUSED("does not lie inside the file bytes of one PT_LOAD", EDIT_PH(3, p_filesz, UINT64_MAX));
    REFUSED("does not lie inside the file bytes of one PT_LOAD",
            EDIT_PH(3, p_vaddr, UINT64_MAX - 8));
    /* Over bytes the measurement does not fix: the ELF header, .arca.config, .arca.sig. */
    REFUSED("measurement does not fix", EDIT_PH(3, p_vaddr, 0); EDIT_PH(3, p_offset, 0));
    REFUSED("measurement does not fix", EDIT_PH(3, p_vaddr, 0x20); EDIT_PH(3, p_offset, 0x20));
    REFUSED("measurement does not fix", EDIT_PH(3, p_vaddr, SYN_CONFIG);
            EDIT_PH(3, p_offset, SYN_CONFIG));
    REFUSED("measurement does not fix", EDIT_PH(3, p_vaddr, SYN_SIG + 0x100);
            EDIT_PH(3, p_offset, SYN_SIG + 0x100));
    /* Offset and address disagree (tools reading by offset would see another section). */
    REFUSED("does not match its address", EDIT_PH(3, p_offset, SYN_DYN + 16));
    REFUSED("not 8-byte aligned", EDIT_PH(3, p_vaddr, SYN_DYN_VADDR + 4);
            EDIT_PH(3, p_offset, SYN_DYN + 4));
    /* No DT_NULL inside the segment: a loader would read on past its end. */
    REFUSED("no DT_NULL", EDIT_PH(3, p_filesz, 3 * 16));
    REFUSED("no DT_NULL", EDIT_PH(3, p_filesz, 3 * 16 + 15));
    REFUSED("no DT_NULL", EDIT_PH(3, p_filesz, 0));
    REFUSED("no DT_NULL", for (unsigned i_ = 3; i_ < SYN_DYN_SLOTS; i_++)
                              put_dyn(i_, DT_RELACOUNT, 0));
    /* A tag twice: loaders keep one, a checker might look at the other. */
    REFUSED("twice", put_dyn(3, DT_STRTAB, SYN_DYNSTR_VADDR));
    REFUSED("twice", put_dyn(3, DT_FLAGS, 0); put_dyn(4, DT_FLAGS, DF_TEXTREL));
    /* 17 DT_NEEDED (the dynamic section moved to the start of segment 1 for room). */
    REFUSED("more than 16 DT_NEEDED", for (unsigned i_ = 0; i_ < 17; i_++) {
        Elf64_Dyn d_ = {.d_tag = DT_NEEDED, .d_un.d_val = str("libc.so.6")};
        memcpy(img + SYN_SEG1 + i_ * 16, &d_, 16);
    } EDIT_PH(3, p_vaddr, SYN_SEG1_VADDR); EDIT_PH(3, p_offset, SYN_SEG1);
            EDIT_PH(3, p_filesz, 0x200); EDIT_PH(3, p_memsz, 0x200));
    fprintf(stderr, "  %d hostile variants refused\n", cases);
}

static void test_hostile_dynamic_strings(void)
{
    struct arca_enclave_config config_;
    int cases = 0;
    arca__config_defaults(&config_);
    /* DT_STRTAB + DT_STRSZ outside the loaded file bytes, overflowing, over unfixed bytes. */
    REFUSED("dynamic string table (DT_STRTAB 0x9000", put_dyn(1, DT_STRTAB, 0x9000));
    REFUSED("does not lie inside the file bytes", put_dyn(1, DT_STRTAB, 0x1650)); /* zero fill */
    REFUSED("does not lie inside the file bytes", put_dyn(2, DT_STRSZ, 0x200));
    REFUSED("does not lie inside the file bytes", put_dyn(2, DT_STRSZ, UINT64_MAX));
    REFUSED("does not lie inside the file bytes", put_dyn(1, DT_STRTAB, UINT64_MAX - 4));
    REFUSED("measurement does not fix", put_dyn(1, DT_STRTAB, 0));
    REFUSED("measurement does not fix", put_dyn(1, DT_STRTAB, SYN_SIG));
    REFUSED("measurement does not fix", put_dyn(1, DT_STRTAB, SYN_CONFIG + 8));
    /* Strings outside the table, or running off its end. */
    REFUSED("DT_NEEDED: string offset 100 is not a NUL-terminated string",
            put_dyn(0, DT_NEEDED, sizeof dynstr));
    REFUSED("not a NUL-terminated string", put_dyn(0, DT_NEEDED, UINT64_MAX));
    REFUSED("not a NUL-terminated string", put_dyn(2, DT_STRSZ, str("libc.so.6") + 9));
    REFUSED("not a NUL-terminated string", put_dyn(2, DT_STRSZ, 0));
    REFUSED("DT_RUNPATH: string offset", put_dyn(3, DT_RUNPATH, 4096));
    REFUSED("DT_RPATH: string offset", put_dyn(3, DT_RPATH, sizeof dynstr));
    REFUSED("DT_SONAME: string offset", put_dyn(3, DT_SONAME, sizeof dynstr + 1));
    REFUSED("DT_FILTER: string offset", put_dyn(3, DT_FILTER, UINT64_MAX));
    /* Strings without a table, a table without its size. */
    REFUSED("without DT_STRTAB", put_dyn(1, DT_RELACOUNT, 0));
    REFUSED("DT_STRTAB without DT_STRSZ", put_dyn(2, DT_RELACOUNT, 0));
    REFUSED("DT_STRSZ without DT_STRTAB", put_dyn(0, DT_RELACOUNT, 0); put_dyn(1, DT_RELACOUNT, 0));
    fprintf(stderr, "  %d hostile variants refused\n", cases);
}

/* Section headers are not measured, so the checks never read them: a signed real image whose
 * .dynamic and .dynstr section headers are pointed elsewhere verifies exactly as before. */
static void test_section_headers_not_used(void)
{
    struct arca_enclave_config config;
    arca__image_info before, after;
    size_t len = 0;
    int changed = 0;
    uint8_t *real = util_read(fixture_path, &len);
    ASSERT_TRUE(real != NULL);
    arca__config_defaults(&config);
    ASSERT_OK(arca__image_sign(real, len, &config, key));
    ASSERT_OK(arca__image_verify(real, len, &before));
    Elf64_Ehdr eh;
    memcpy(&eh, real, sizeof eh);
    for (unsigned i = 0; i < eh.e_shnum; i++) {
        Elf64_Shdr sh;
        memcpy(&sh, real + eh.e_shoff + i * sizeof sh, sizeof sh);
        if (sh.sh_type != SHT_DYNAMIC && sh.sh_type != SHT_DYNSYM &&
            !(sh.sh_type == SHT_STRTAB && (sh.sh_flags & SHF_ALLOC)))
            continue;
        sh.sh_offset = 0x30; /* the ELF header */
        sh.sh_addr = 0x30;
        sh.sh_size = 0x10;
        memcpy(real + eh.e_shoff + i * sizeof sh, &sh, sizeof sh);
        changed++;
    }
    ASSERT_TRUE(changed >= 2); /* .dynamic and .dynstr at least */
    ASSERT_OK(arca__image_verify(real, len, &after));
    ASSERT_MEMEQ(&after, &before, sizeof after);
    free(real);
}

static void test_imports_and_search_paths(void)
{
    struct arca_enclave_config config_;
    int cases = 0;
    arca__config_defaults(&config_);
    REFUSED("needs the shared library 'libevil.so' (DT_NEEDED), which is not part of the Arca "
            "runtime (allowed: libc.so.6, libm.so.6, libcrypto.so.3, ld-linux-x86-64.so.2)",
            put_dyn(3, DT_NEEDED, str("libevil.so")));
    REFUSED("LIBS", put_dyn(0, DT_NEEDED, str("libevil.so")));
    REFUSED("'/opt/evil'", put_dyn(0, DT_NEEDED, str("/opt/evil")));
    REFUSED("'.so.6'", put_dyn(0, DT_NEEDED, str("libc.so.6") + 4)); /* a suffix of a name */
    REFUSED("needs the shared library ''", put_dyn(0, DT_NEEDED, 0));
    /* Each machine's dynamic linker only for that machine. */
    REFUSED("'ld-linux-aarch64.so.1'", put_dyn(3, DT_NEEDED, str("ld-linux-aarch64.so.1")));
    REFUSED_ON(EM_AARCH64, "'ld-linux-x86-64.so.2'",
               put_dyn(3, DT_NEEDED, str("ld-linux-x86-64.so.2")));
    REFUSED_ON(EM_AARCH64, "allowed: libc.so.6, libm.so.6, libcrypto.so.3, ld-linux-aarch64.so.1)",
               put_dyn(3, DT_NEEDED, str("libevil.so")));
    REFUSED("names 'libc.so.6' twice", put_dyn(3, DT_NEEDED, str("libc.so.6")));
    /* Search paths: with either tag, even pointing at an allowed name. */
    REFUSED("library search path (DT_RUNPATH '/opt/evil')", put_dyn(3, DT_RUNPATH, str("/opt/evil")));
    REFUSED("swap code into the enclave without changing its measurement",
            put_dyn(3, DT_RUNPATH, str("/opt/evil")));
    REFUSED("library search path (DT_RPATH '/opt/evil')", put_dyn(3, DT_RPATH, str("/opt/evil")));
    REFUSED("DT_RPATH ''", put_dyn(3, DT_RPATH, 0));
    REFUSED("-Wl,-rpath", put_dyn(3, DT_RUNPATH, str("libc.so.6")));
    /* A search path with no import at all is refused too. */
    REFUSED("DT_RUNPATH", put_dyn(0, DT_RUNPATH, str("/opt/evil")));
    /* Filters and audit libraries are loaded like imports. */
    REFUSED("DT_AUXILIARY 'libevil.so'", put_dyn(3, DT_AUXILIARY, str("libevil.so")));
    REFUSED("DT_FILTER 'libc.so.6'", put_dyn(3, DT_FILTER, str("libc.so.6")));
    REFUSED("DT_AUDIT 'libevil.so'", put_dyn(3, DT_AUDIT, str("libevil.so")));
    REFUSED("DT_DEPAUDIT 'libevil.so'", put_dyn(3, DT_DEPAUDIT, str("libevil.so")));
    /* Hostile names are shown escaped and cut. */
    REFUSED("'lib?evil??.so'", memcpy(img + SYN_DYNSTR + str("libevil.so"), "lib\033evil\n\t.so", 14);
            put_dyn(2, DT_STRSZ, sizeof dynstr + 3); put_dyn(0, DT_NEEDED, str("libevil.so")));
    fprintf(stderr, "  %d variants refused\n", cases);

    /* Accepted: every allowed library (in any order), none at all, a loader's view of the
     * end (entries after DT_NULL are not read, by loaders or here). */
    cases = 0;
    ACCEPTED(put_dyn(0, DT_NEEDED, str("libcrypto.so.3")); put_dyn(3, DT_NEEDED, str("libc.so.6"));
             put_dyn(4, DT_NEEDED, str("ld-linux-x86-64.so.2"));
             put_dyn(5, DT_NEEDED, str("libm.so.6")));
    ACCEPTED_ON(EM_AARCH64, put_dyn(3, DT_NEEDED, str("ld-linux-aarch64.so.1")));
    ACCEPTED(put_dyn(0, DT_RELACOUNT, 0); put_dyn(1, DT_RELACOUNT, 0); put_dyn(2, DT_RELACOUNT, 0));
    ACCEPTED(put_dyn(3, DT_NULL, 0); put_dyn(4, DT_RUNPATH, str("/opt/evil"));
             put_dyn(5, DT_NEEDED, str("libevil.so")); put_dyn(6, DT_TEXTREL, 0));
    ACCEPTED(put_dyn(3, DT_SONAME, str("libevil.so"))); /* its own name is harmless */
    ACCEPTED(put_dyn(2, DT_STRSZ, str("libc.so.6") + 10)); /* table ends right after the NUL */

    arca__image image;
    build(EM_X86_64);
    put_dyn(0, DT_NEEDED, str("libcrypto.so.3"));
    put_dyn(3, DT_NEEDED, str("libc.so.6"));
    put_dyn(4, DT_NEEDED, str("ld-linux-x86-64.so.2"));
    ASSERT_OK(arca__image_parse(img, img_len, &image));
    ASSERT_EQ(image.machine, EM_X86_64);
    ASSERT_EQ(image.imports.count, 3);
    ASSERT_STREQ(arca__image_allowed_needed[image.imports.lib[0]].name, "libcrypto.so.3");
    ASSERT_STREQ(arca__image_allowed_needed[image.imports.lib[1]].name, "libc.so.6");
    ASSERT_STREQ(arca__image_allowed_needed[image.imports.lib[2]].name, "ld-linux-x86-64.so.2");
    arca__image_info info;
    ASSERT_OK(arca__image_sign(img, img_len, &config_, key));
    ASSERT_OK(arca__image_verify(img, img_len, &info));
    ASSERT_MEMEQ(&info.imports, &image.imports, sizeof info.imports);
    ASSERT_EQ(info.machine, EM_X86_64);
}

static void test_allowlist(void)
{
    ASSERT_EQ(ARCA_IMAGE_ALLOWED_NEEDED_COUNT, 5);
    ASSERT_EQ(arca__image_needed_index("libc.so.6", EM_X86_64), 0);
    ASSERT_EQ(arca__image_needed_index("libc.so.6", EM_AARCH64), 0);
    ASSERT_EQ(arca__image_needed_index("libm.so.6", EM_X86_64), 1);
    ASSERT_EQ(arca__image_needed_index("libcrypto.so.3", EM_AARCH64), 2);
    ASSERT_EQ(arca__image_needed_index("ld-linux-x86-64.so.2", EM_X86_64), 3);
    ASSERT_EQ(arca__image_needed_index("ld-linux-x86-64.so.2", EM_AARCH64), -1);
    ASSERT_EQ(arca__image_needed_index("ld-linux-aarch64.so.1", EM_AARCH64), 4);
    ASSERT_EQ(arca__image_needed_index("ld-linux-aarch64.so.1", EM_X86_64), -1);
    const char *refused[] = {"", "libc.so", "libc.so.6 ", "/lib/x86_64-linux-gnu/libc.so.6",
                             "libcrypto.so.1.1", "libssl.so.3", "libpthread.so.0", "libdl.so.2",
                             "LIBC.SO.6", NULL};
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
        ASSERT_EQ(arca__image_needed_index(refused[i], EM_X86_64), -1);
}

static void test_text_relocations_and_dynamic_values(void)
{
    struct arca_enclave_config config_;
    int cases = 0;
    arca__config_defaults(&config_);
    REFUSED("text relocations (DT_TEXTREL)", put_dyn(3, DT_TEXTREL, 0));
    REFUSED("-fPIC", put_dyn(3, DT_TEXTREL, 0));
    REFUSED("text relocations (DF_TEXTREL)", put_dyn(3, DT_FLAGS, DF_TEXTREL | DF_BIND_NOW));
    /* Tables: both halves, whole entries, in the loaded file bytes, outside unfixed bytes. */
    REFUSED("DT_RELA: the dynamic section has its address or its size but not both",
            put_dyn(3, DT_RELA, SYN_SEG1_VADDR));
    REFUSED("DT_INIT_ARRAY: the dynamic section has its address or its size but not both",
            put_dyn(3, DT_INIT_ARRAYSZ, 8));
    REFUSED("DT_RELA (address 0x9000, 24 bytes) does not lie inside",
            put_dyn(3, DT_RELA, 0x9000); put_dyn(4, DT_RELASZ, 24));
    REFUSED("DT_RELA (address", put_dyn(3, DT_RELA, SYN_SEG1_VADDR); put_dyn(4, DT_RELASZ, 0x210));
    REFUSED("not a multiple of the entry size", put_dyn(3, DT_RELA, SYN_SEG1_VADDR);
            put_dyn(4, DT_RELASZ, 25));
    REFUSED("DT_RELA: entry size 16, expected 24", put_dyn(3, DT_RELA, SYN_SEG1_VADDR);
            put_dyn(4, DT_RELASZ, 48); put_dyn(5, DT_RELAENT, 16));
    REFUSED("DT_REL: entry size", put_dyn(3, DT_REL, SYN_SEG1_VADDR); put_dyn(4, DT_RELSZ, 48);
            put_dyn(5, DT_RELENT, 24));
    REFUSED("DT_RELR (address", put_dyn(3, DT_RELR, UINT64_MAX - 7); put_dyn(4, DT_RELRSZ, 16));
    REFUSED("DT_JMPREL (address", put_dyn(3, DT_JMPREL, SYN_SEG1_VADDR);
            put_dyn(4, DT_PLTRELSZ, UINT64_MAX / 24 * 24); put_dyn(5, DT_PLTREL, DT_RELA));
    REFUSED("not a multiple", put_dyn(3, DT_JMPREL, SYN_SEG1_VADDR); put_dyn(4, DT_PLTRELSZ, 24);
            put_dyn(5, DT_PLTREL, DT_REL));
    REFUSED("DT_PLTREL is 5", put_dyn(3, DT_PLTREL, 5));
    REFUSED("measurement does not fix", put_dyn(3, DT_INIT_ARRAY, SYN_SIG + 8);
            put_dyn(4, DT_INIT_ARRAYSZ, 8));
    REFUSED("measurement does not fix", put_dyn(3, DT_FINI_ARRAY, 0x28);
            put_dyn(4, DT_FINI_ARRAYSZ, 8));
    REFUSED("DT_PREINIT_ARRAY (address", put_dyn(3, DT_PREINIT_ARRAY, 0x1600);
            put_dyn(4, DT_PREINIT_ARRAYSZ, 8));
    /* Single addresses. */
    REFUSED("DT_SYMENT is 16", put_dyn(3, DT_SYMENT, 16));
    REFUSED("DT_SYMTAB (address 0x0)", put_dyn(3, DT_SYMTAB, 0));
    REFUSED("DT_SYMTAB (address", put_dyn(3, DT_SYMTAB, 0x15f0));
    REFUSED("DT_GNU_HASH (address", put_dyn(3, DT_GNU_HASH, 0x7000));
    REFUSED("DT_HASH (address", put_dyn(3, DT_HASH, SYN_SIG));
    REFUSED("DT_VERSYM (address", put_dyn(3, DT_VERSYM, UINT64_MAX));
    REFUSED("DT_VERNEED (address", put_dyn(3, DT_VERNEED, 0x1680));
    REFUSED("DT_VERDEF (address", put_dyn(3, DT_VERDEF, 0x3000));
    REFUSED("DT_PLTGOT (address 0x1700) does not lie inside a PT_LOAD", put_dyn(3, DT_PLTGOT, 0x1700));
    REFUSED("DT_INIT (address 0x1400) is not in an executable PT_LOAD", put_dyn(3, DT_INIT, 0x1400));
    REFUSED("DT_FINI (address 0x5000)", put_dyn(3, DT_FINI, 0x5000));
    fprintf(stderr, "  %d hostile variants refused\n", cases);

    cases = 0;
    ACCEPTED(put_dyn(3, DT_FLAGS, DF_BIND_NOW); put_dyn(4, DT_FLAGS_1, DF_1_NOW));
    ACCEPTED(put_dyn(3, DT_RELA, SYN_SEG1_VADDR); put_dyn(4, DT_RELASZ, 0xf0);
             put_dyn(5, DT_RELAENT, 24));
    ACCEPTED(put_dyn(3, DT_JMPREL, SYN_SEG1_VADDR); put_dyn(4, DT_PLTRELSZ, 32);
             put_dyn(5, DT_PLTREL, DT_REL));
    ACCEPTED(put_dyn(3, DT_INIT, SYN_CODE); put_dyn(4, DT_FINI, SYN_CODE + 0x10);
             put_dyn(5, DT_INIT_ARRAY, SYN_SEG1_VADDR); put_dyn(6, DT_INIT_ARRAYSZ, 16));
    ACCEPTED(put_dyn(3, DT_PLTGOT, 0x1680)); /* in the zero-filled tail: fine for the GOT */
    ACCEPTED(put_dyn(3, DT_SYMTAB, SYN_SEG1_VADDR); put_dyn(4, DT_SYMENT, 24);
             put_dyn(5, DT_GNU_HASH, SYN_SEG1_VADDR + 0x40));
    ACCEPTED(put_dyn(3, DT_RELA, 0x9000); put_dyn(4, DT_RELASZ, 0)); /* empty table */
}

/* A signed image, then one measured byte of its dynamic section changed by the attacker: the
 * content check refuses it before the measurement even gets a say. */
static void test_signed_then_patched(void)
{
    struct arca_enclave_config config;
    arca__image_info info;
    arca__config_defaults(&config);
    build(EM_X86_64);
    ASSERT_OK(arca__image_sign(img, img_len, &config, key));
    ASSERT_OK(arca__image_verify(img, img_len, &info));
    put_dyn(0, DT_NEEDED, str("libevil.so"));
    ASSERT_RESULT(arca__image_verify(img, img_len, &info), ARCA_ERR_BAD_IMAGE);
    ASSERT_CONTAINS(arca__error_detail(), "'libevil.so'");
    put_dyn(0, DT_NEEDED, str("libc.so.6"));
    ASSERT_OK(arca__image_verify(img, img_len, &info));
    EDIT_PH(2, p_flags, PF_R | PF_W | PF_X);
    ASSERT_RESULT(arca__image_verify(img, img_len, &info), ARCA_ERR_BAD_IMAGE);
    ASSERT_CONTAINS(arca__error_detail(), "execstack");
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s FIXTURE.so\n", argv[0]);
        return 2;
    }
    fixture_path = argv[1];
    if (arca__ec_generate(&key) != ARCA_OK) {
        fprintf(stderr, "cannot generate a key\n");
        return 1;
    }
    RUN(test_synthetic_image_is_accepted);
    RUN(test_measurement_follows_the_definition);
    RUN(test_hostile_elf_header);
    RUN(test_hostile_program_headers);
    RUN(test_hostile_sections);
    RUN(test_every_truncation);
    RUN(test_garbage_and_random_damage);
    RUN(test_unmeasured_mapped_bytes_refused);
    RUN(test_writable_executable_memory_refused);
    RUN(test_hostile_dynamic_segment);
    RUN(test_hostile_dynamic_strings);
    RUN(test_section_headers_not_used);
    RUN(test_imports_and_search_paths);
    RUN(test_allowlist);
    RUN(test_text_relocations_and_dynamic_values);
    RUN(test_signed_then_patched);
    arca__ec_free(key);
    return TEST_SUMMARY();
}
