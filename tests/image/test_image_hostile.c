/*
 * test_image_hostile.c — hand-crafted and damaged ELF files against the image parser:
 * a synthetic enclave image (x86-64 and aarch64) that must parse, measure to the documented
 * definition and sign; then one field at a time made hostile (bad offsets, huge counts,
 * overlapping or unsorted segments, filesz > memsz, overflowing sizes, sections out of
 * bounds or misplaced, names without NUL), every truncation of a real signed image, and
 * random garbage — each must give a clean ARCA_ERR_BAD_IMAGE with a detail naming the cause.
 *
 * usage: test_image_hostile FIXTURE.so
 */
#include <elf.h>

#include "common/crypto.h"
#include "common/error.h"
#include "common/image.h"
#include "test.h"
#include "util.h"

/* Layout of the synthetic image (see build()). */
#define SYN_PHOFF 0x40
#define SYN_PHNUM 3
#define SYN_CONFIG 0x200
#define SYN_SIG 0x280
#define SYN_SEG1 0x400
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

/* A minimal but complete enclave image: two PT_LOADs, the Arca sections inside the first. */
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
                             .p_vaddr = 0x1400, .p_filesz = 0x200, .p_memsz = 0x300,
                             .p_align = 0x1000});
    put_phdr(2, (Elf64_Phdr){.p_type = PT_GNU_STACK, .p_flags = PF_R | PF_W});
    for (int i = 0x100; i < 0x180; i++)
        img[i] = (uint8_t)(i * 7); /* "code" */
    for (int i = SYN_SEG1; i < SYN_SEG1 + 0x200; i++)
        img[i] = (uint8_t)(i * 13 + 1); /* "data" */
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
                             .sh_flags = SHF_ALLOC | SHF_WRITE, .sh_addr = 0x1400,
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
    arca__sha256_ctx ctx;
    Elf64_Ehdr eh;
    uint8_t rec[32], *copy = malloc(len);
    ASSERT_TRUE(copy != NULL);
    memcpy(copy, b, len);
    memset(copy + 0x28, 0, 8);
    memset(copy + 0x3A, 0, 6);
    memset(copy + parsed->sig_offset, 0, sizeof(struct arca_signature));
    memcpy(&eh, b, sizeof eh);
    ASSERT_OK(arca__sha256_init(&ctx));
    ASSERT_OK(arca__sha256_update(&ctx, "ARCA-MEASURE-v1", 16));
    uint8_t *p = rec;
    put64(&p, parsed->config_vaddr);
    put64(&p, parsed->sig_vaddr);
    ASSERT_OK(arca__sha256_update(&ctx, rec, 16));
    for (unsigned i = 0; i < eh.e_phnum; i++) {
        Elf64_Phdr ph;
        memcpy(&ph, b + eh.e_phoff + i * sizeof ph, sizeof ph);
        if (ph.p_type != PT_LOAD)
            continue;
        p = rec;
        put64(&p, ph.p_vaddr);
        put64(&p, ph.p_memsz);
        put64(&p, ph.p_filesz);
        put64(&p, ph.p_flags);
        ASSERT_OK(arca__sha256_update(&ctx, rec, 32));
        ASSERT_OK(arca__sha256_update(&ctx, copy + ph.p_offset, ph.p_filesz));
    }
    ASSERT_OK(arca__sha256_final(&ctx, out));
    free(copy);
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
    arca__ec_free(key);
    return TEST_SUMMARY();
}
