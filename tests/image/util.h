/*
 * util.h — helpers shared by the image tests: whole-file I/O, running a command with its
 * output captured (children never take the test down), and reading an image's section and
 * dynamic symbol tables (to see what it imports), and measuring and signing an image straight
 * from the definitions in docs/formats.md, without the parser's checks.
 */
#ifndef ARCA_TESTS_IMAGE_UTIL_H
#define ARCA_TESTS_IMAGE_UTIL_H

#include <elf.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "crypto/crypto.h" /* every test that includes this links arca_common */
#include "formats/image.h"

/* Reads a whole file into a new buffer (NULL on failure). */
static inline uint8_t *util_read(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf = NULL;
    long n;
    if (!f)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
        buf = malloc((size_t)n + 1);
        if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
            free(buf);
            buf = NULL;
        }
        *len = (size_t)n;
    }
    fclose(f);
    return buf;
}

static inline int util_write(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    int ok;
    if (!f)
        return -1;
    ok = fwrite(data, 1, len, f) == len;
    return (fclose(f) == 0 && ok) ? 0 : -1;
}

/*
 * Runs argv[0] (a path) with stdout and stderr captured into NUL-terminated buffers.
 * @return the exit status, or -1 if it did not exit normally.
 */
static inline int util_run(char *const argv[], char *out, size_t out_cap, char *err, size_t err_cap)
{
    char out_path[] = "/tmp/arca-test-out-XXXXXX", err_path[] = "/tmp/arca-test-err-XXXXXX";
    int ofd = mkstemp(out_path), efd = mkstemp(err_path), status = -1;
    pid_t pid;
    if (ofd < 0 || efd < 0)
        return -1;
    fflush(NULL);
    pid = fork();
    if (pid == 0) {
        dup2(ofd, 1);
        dup2(efd, 2);
        execv(argv[0], argv);
        _exit(127);
    }
    if (pid > 0 && waitpid(pid, &status, 0) == pid)
        status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    else
        status = -1;
    for (int i = 0; i < 2; i++) {
        int fd = i == 0 ? ofd : efd;
        char *buf = i == 0 ? out : err;
        size_t cap = i == 0 ? out_cap : err_cap;
        if (buf && cap) {
            ssize_t n = pread(fd, buf, cap - 1, 0);
            buf[n > 0 ? n : 0] = '\0';
        }
        close(fd);
    }
    unlink(out_path);
    unlink(err_path);
    return status;
}

/*
 * The section header of the first section of type @p type (test-side reading of a
 * well-formed image produced by our own build; section headers are fine here, they are only
 * never trusted by the verifier). 0 when there is none.
 */
static inline int util_section(const uint8_t *b, size_t len, uint32_t type, Elf64_Shdr *out)
{
    Elf64_Ehdr eh;
    if (len < sizeof eh)
        return 0;
    memcpy(&eh, b, sizeof eh);
    for (unsigned i = 0; i < eh.e_shnum; i++) {
        if (eh.e_shoff + (i + 1) * sizeof *out > len)
            return 0;
        memcpy(out, b + eh.e_shoff + i * sizeof *out, sizeof *out);
        if (out->sh_type == type)
            return 1;
    }
    return 0;
}

/* 1 when the image's dynamic symbol table has @p name as an undefined (imported) symbol,
 * 0 when it defines it or does not name it, -1 when the table cannot be read. */
static inline int util_imports_symbol(const uint8_t *b, size_t len, const char *name)
{
    Elf64_Shdr dynsym, strtab;
    Elf64_Ehdr eh;
    if (!util_section(b, len, SHT_DYNSYM, &dynsym))
        return -1;
    memcpy(&eh, b, sizeof eh);
    if (dynsym.sh_link >= eh.e_shnum)
        return -1;
    memcpy(&strtab, b + eh.e_shoff + dynsym.sh_link * sizeof strtab, sizeof strtab);
    if (dynsym.sh_offset + dynsym.sh_size > len || strtab.sh_offset + strtab.sh_size > len)
        return -1;
    for (uint64_t at = 0; at + sizeof(Elf64_Sym) <= dynsym.sh_size; at += sizeof(Elf64_Sym)) {
        Elf64_Sym sym;
        memcpy(&sym, b + dynsym.sh_offset + at, sizeof sym);
        if (sym.st_name < strtab.sh_size &&
            !strcmp((const char *)b + strtab.sh_offset + sym.st_name, name))
            return sym.st_shndx == SHN_UNDEF;
    }
    return 0;
}

/* The section header named @p name (found through the section name table); 0 if none. */
static inline int util_section_named(const uint8_t *b, size_t len, const char *name,
                                     Elf64_Shdr *out)
{
    Elf64_Ehdr eh;
    Elf64_Shdr names;
    if (len < sizeof eh)
        return 0;
    memcpy(&eh, b, sizeof eh);
    if (eh.e_shstrndx >= eh.e_shnum || eh.e_shoff + (uint64_t)eh.e_shnum * sizeof names > len)
        return 0;
    memcpy(&names, b + eh.e_shoff + eh.e_shstrndx * sizeof names, sizeof names);
    if (names.sh_offset + names.sh_size > len)
        return 0;
    for (unsigned i = 0; i < eh.e_shnum; i++) {
        memcpy(out, b + eh.e_shoff + i * sizeof *out, sizeof *out);
        if (out->sh_name < names.sh_size &&
            strnlen((const char *)b + names.sh_offset + out->sh_name,
                    names.sh_size - out->sh_name) == strlen(name) &&
            !memcmp(b + names.sh_offset + out->sh_name, name, strlen(name)))
            return 1;
    }
    return 0;
}

/*
 * The measurement of an image straight from its definition in docs/formats.md, with no
 * acceptance check at all (so it can be computed for images the parser refuses). The caller
 * makes sure the program headers and segments lie inside the buffer. 0 on success.
 */
static inline int util_measure(const uint8_t *b, size_t len, uint64_t sig_offset,
                               uint64_t config_vaddr, uint64_t sig_vaddr, uint8_t out[32])
{
    arca__sha256_ctx ctx;
    Elf64_Ehdr eh;
    uint8_t rec[32], *copy = malloc(len ? len : 1);
    int ok = copy != NULL;
    if (!ok)
        return -1;
    memcpy(copy, b, len);
    memset(copy + 0x28, 0, 8);
    memset(copy + 0x3A, 0, 6);
    memset(copy + sig_offset, 0, sizeof(struct arca_signature));
    memcpy(&eh, b, sizeof eh);
    for (int i = 0; i < 8; i++) {
        rec[i] = (uint8_t)(config_vaddr >> (8 * i));
        rec[8 + i] = (uint8_t)(sig_vaddr >> (8 * i));
    }
    ok = arca__sha256_init(&ctx) == ARCA_OK &&
         arca__sha256_update(&ctx, "ARCA-MEASURE-v1", 16) == ARCA_OK &&
         arca__sha256_update(&ctx, rec, 16) == ARCA_OK;
    for (unsigned i = 0; ok && i < eh.e_phnum; i++) {
        Elf64_Phdr ph;
        memcpy(&ph, b + eh.e_phoff + i * sizeof ph, sizeof ph);
        if (ph.p_type != PT_LOAD)
            continue;
        uint64_t fields[4] = {ph.p_vaddr, ph.p_memsz, ph.p_filesz, ph.p_flags};
        for (int f = 0; f < 4; f++)
            for (int k = 0; k < 8; k++)
                rec[8 * f + k] = (uint8_t)(fields[f] >> (8 * k));
        ok = arca__sha256_update(&ctx, rec, 32) == ARCA_OK &&
             arca__sha256_update(&ctx, copy + ph.p_offset, ph.p_filesz) == ARCA_OK;
    }
    ok = ok && arca__sha256_final(&ctx, out) == ARCA_OK;
    free(copy);
    return ok ? 0 : -1;
}

/*
 * Signs an image in place the way a signer without the content checks would (an older
 * `arca sign`, or a hostile one): the configuration already in .arca.config, the measurement
 * from its definition, a valid ECDSA signature over the structure. Section headers locate the
 * two Arca sections. Verification must still refuse such an image when its content is not
 * allowed, since every loader runs it. 0 on success.
 */
static inline int util_sign_without_checks(uint8_t *b, size_t len, const arca__ec_key *key)
{
    struct arca_signature sig;
    Elf64_Shdr config_sh, sig_sh;
    size_t der_len = 0;
    memset(&sig, 0, sizeof sig);
    if (!util_section_named(b, len, ARCA_CONFIG_SECTION, &config_sh) ||
        !util_section_named(b, len, ARCA_SIG_SECTION, &sig_sh) ||
        sig_sh.sh_offset + sizeof sig > len || config_sh.sh_offset + sizeof sig.config > len)
        return -1;
    memset(b + sig_sh.sh_offset, 0, sizeof sig);
    memcpy(sig.magic, ARCA_SIG_MAGIC, sizeof sig.magic);
    sig.version = ARCA_SIG_VERSION;
    memcpy(&sig.config, b + config_sh.sh_offset, sizeof sig.config);
    if (util_measure(b, len, sig_sh.sh_offset, config_sh.sh_addr, sig_sh.sh_addr,
                     sig.measurement) != 0 ||
        arca__ec_public_der(key, sig.pubkey_der, sizeof sig.pubkey_der, &der_len) != ARCA_OK)
        return -1;
    sig.pubkey_len = (uint32_t)der_len;
    if (arca__ec_sign(key, &sig, offsetof(struct arca_signature, signature), sig.signature) !=
        ARCA_OK)
        return -1;
    memcpy(b + sig_sh.sh_offset, &sig, sizeof sig);
    return 0;
}

#endif
