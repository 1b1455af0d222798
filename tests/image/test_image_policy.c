/*
 * test_image_policy.c — images a loader must not run, made by the real toolchain (issue 11
 * items 4 and 11): linked with -Wl,-rpath (DT_RUNPATH and DT_RPATH), importing a shared
 * library of the build (libevil.so: with CMake's RUNPATH, as arca_add_enclave(LIBS libevil.so)
 * used to make it, and without), linked with -z execstack, with a writable+executable segment,
 * with text relocations, and a signed image whose program header flags were patched to W+X or
 * an executable stack and then re-signed. For each: `arca sign` refuses it (exit 1, the cause
 * and the fix in the message, no output file); and signed anyway by a signer without these
 * checks, verification refuses it — `arca inspect`, `arca measure`, and arca_enclave_create()
 * on the sim and process backends — with the same message. An ordinary image still passes,
 * and `arca inspect` shows what it imports.
 *
 * usage: test_image_policy ARCA WORKDIR GOOD.so GOOD_IMPORTS.so RUNPATH.so RPATH.so
 *                          NEEDED_RUNPATH.so NEEDED.so EXECSTACK.so WX.so TEXTREL.so|-
 */
#include <sys/stat.h>

#include "arca/host.h"
#include "crypto/crypto.h"
#include "base/error.h"
#include "formats/image.h"
#include "test.h"
#include "util.h"

static const char *arca, *dir, *good, *good_imports;
static char out[16384], err[16384];
static arca__ec_key *key;
static char key_path[4096];

#define ARCA(...) \
    util_run((char *const[]){(char *)arca, __VA_ARGS__, NULL}, out, sizeof out, err, sizeof err)

struct bad {
    const char *name, *path;
    const char *needles[3]; /* each must be in every refusal's message */
};

static struct bad bads[8];
static size_t n_bads;

static void path_in_dir(char *buf, size_t cap, const char *name, const char *suffix)
{
    snprintf(buf, cap, "%s/policy-%s%s", dir, name, suffix);
}

static void expect_create_refused(const char *path, const char *backend, const struct bad *b)
{
    arca_enclave_options_t o;
    arca_enclave_t *e = (arca_enclave_t *)&e;
    arca_enclave_options_init(&o);
    o.backend = backend;
    ASSERT_RESULT(arca_enclave_create(path, &o, &e), ARCA_ERR_BAD_IMAGE);
    ASSERT_TRUE(e == NULL);
    ASSERT_CONTAINS(arca_last_error(), path);
    for (int k = 0; k < 3 && b->needles[k]; k++)
        ASSERT_CONTAINS(arca_last_error(), b->needles[k]);
}

/* `arca sign` refuses the image, and writes nothing. */
static void check_sign_refuses(const struct bad *b)
{
    char signed_path[4200];
    struct stat st;
    path_in_dir(signed_path, sizeof signed_path, b->name, ".signed.so");
    unlink(signed_path);
    ASSERT_EQ(ARCA("sign", "-k", key_path, "-o", signed_path, (char *)b->path), 1);
    ASSERT_CONTAINS(err, "arca sign: ");
    ASSERT_CONTAINS(err, b->path);
    for (int k = 0; k < 3 && b->needles[k]; k++)
        ASSERT_CONTAINS(err, b->needles[k]);
    ASSERT_EQ(stat(signed_path, &st), -1);
    ASSERT_TRUE(strstr(out, "wrote") == NULL);
}

/* Signed anyway (without the checks): every verifier refuses it with the same message. */
static void check_verify_refuses(const struct bad *b)
{
    char forced[4200];
    size_t len = 0;
    arca__image image;
    arca__image_info info;
    uint8_t *bytes = util_read(b->path, &len);
    ASSERT_TRUE(bytes != NULL);
    ASSERT_RESULT(arca__image_parse(bytes, len, &image), ARCA_ERR_BAD_IMAGE);
    int signed_ok = util_sign_without_checks(bytes, len, key) == 0;
    arca_result_t r = arca__image_verify(bytes, len, &info);
    path_in_dir(forced, sizeof forced, b->name, ".forced.so");
    int written = util_write(forced, bytes, len) == 0;
    free(bytes);
    ASSERT_TRUE(signed_ok && written);
    ASSERT_RESULT(r, ARCA_ERR_BAD_IMAGE);
    for (int k = 0; k < 3 && b->needles[k]; k++)
        ASSERT_CONTAINS(arca__error_detail(), b->needles[k]);

    ASSERT_EQ(ARCA("inspect", forced), 1);
    ASSERT_CONTAINS(err, "ERR_BAD_IMAGE");
    for (int k = 0; k < 3 && b->needles[k]; k++)
        ASSERT_CONTAINS(err, b->needles[k]);
    ASSERT_TRUE(strstr(out, "measurement") == NULL);
    ASSERT_EQ(ARCA("measure", forced), 1);
    ASSERT_CONTAINS(err, b->needles[0]);
    expect_create_refused(forced, "sim", b);
    expect_create_refused(forced, "process", b);
}

static void test_bad_images_refused(void)
{
    for (size_t i = 0; i < n_bads; i++) {
        fprintf(stderr, "  %s: %s\n", bads[i].name, bads[i].path);
        check_sign_refuses(&bads[i]);
        if (test__current_failed)
            return;
        check_verify_refuses(&bads[i]);
        if (test__current_failed)
            return;
    }
    fprintf(stderr, "  %zu toolchain-made images refused at sign and at verify\n", n_bads);
}

/* The test's own signer is right: on an ordinary image its signature verifies. */
static void test_unchecked_signer_is_sound(void)
{
    size_t len = 0;
    arca__image_info info;
    uint8_t *bytes = util_read(good, &len);
    ASSERT_TRUE(bytes != NULL);
    int signed_ok = util_sign_without_checks(bytes, len, key) == 0;
    arca_result_t r = arca__image_verify(bytes, len, &info);
    free(bytes);
    ASSERT_TRUE(signed_ok);
    ASSERT_OK(r);
}

/* A signed image's program header flags patched after signing, then re-signed. */
static void patch_and_resign(uint32_t type, uint32_t add_flags, const char *needle)
{
    char signed_path[4200], patched[4200], resigned[4200];
    size_t len = 0;
    Elf64_Ehdr eh;
    int hit = 0;
    path_in_dir(signed_path, sizeof signed_path, "patched-source", ".signed.so");
    path_in_dir(patched, sizeof patched, "patched", ".so");
    path_in_dir(resigned, sizeof resigned, "patched", ".resigned.so");
    ASSERT_EQ(ARCA("sign", "-k", key_path, "-o", signed_path, (char *)good), 0);
    uint8_t *bytes = util_read(signed_path, &len);
    ASSERT_TRUE(bytes != NULL);
    memcpy(&eh, bytes, sizeof eh);
    for (unsigned i = 0; i < eh.e_phnum && !hit; i++) {
        Elf64_Phdr ph;
        memcpy(&ph, bytes + eh.e_phoff + i * sizeof ph, sizeof ph);
        if (ph.p_type != type || (type == PT_LOAD && !(ph.p_flags & PF_W)))
            continue;
        ph.p_flags |= add_flags;
        memcpy(bytes + eh.e_phoff + i * sizeof ph, &ph, sizeof ph);
        hit = 1;
    }
    int written = util_write(patched, bytes, len) == 0;
    free(bytes);
    ASSERT_TRUE(hit && written);
    ASSERT_EQ(ARCA("inspect", patched), 1);
    ASSERT_CONTAINS(err, needle);
    unlink(resigned);
    ASSERT_EQ(ARCA("sign", "-k", key_path, "-o", resigned, patched), 1);
    ASSERT_CONTAINS(err, needle);
    struct stat st;
    ASSERT_EQ(stat(resigned, &st), -1);
}

static void test_patched_flags_refused(void)
{
    patch_and_resign(PT_LOAD, PF_X, "both writable and executable");
    patch_and_resign(PT_GNU_STACK, PF_X, "-z execstack");
}

static void test_ordinary_image_passes(void)
{
    char signed_path[4200];
    path_in_dir(signed_path, sizeof signed_path, "good", ".signed.so");
    ASSERT_EQ(ARCA("sign", "-k", key_path, "-o", signed_path, (char *)good), 0);
    ASSERT_CONTAINS(out, "wrote");
    ASSERT_EQ(ARCA("inspect", signed_path), 0);
    ASSERT_CONTAINS(out, "imports:        "); /* none, or libc.so.6: depends on the compiler */

    /* An image importing from libm and libc (in link order), as text and as JSON. */
    path_in_dir(signed_path, sizeof signed_path, "good-imports", ".signed.so");
    ASSERT_EQ(ARCA("sign", "-k", key_path, "-o", signed_path, (char *)good_imports), 0);
    ASSERT_EQ(ARCA("inspect", signed_path), 0);
    ASSERT_CONTAINS(out, "imports:        libm.so.6, libc.so.6\n");
    ASSERT_EQ(ARCA("inspect", "--json", signed_path), 0);
    ASSERT_CONTAINS(out, "\"imports\": [\"libm.so.6\", \"libc.so.6\"]\n}");
    size_t len = 0;
    arca__image_info info;
    uint8_t *bytes = util_read(signed_path, &len);
    ASSERT_TRUE(bytes != NULL);
    arca_result_t r = arca__image_verify(bytes, len, &info);
    free(bytes);
    ASSERT_OK(r);
    ASSERT_EQ(info.imports.count, 2);
    ASSERT_EQ(info.imports.lib[0], arca__image_needed_index("libm.so.6", info.machine));
    ASSERT_EQ(info.imports.lib[1], arca__image_needed_index("libc.so.6", info.machine));
}

int main(int argc, char **argv)
{
    static const char *names[] = {"runpath",   "rpath", "needed-runpath", "needed",
                                  "execstack", "wx",    "textrel"};
    static const char *needles[][3] = {
        {"library search path (DT_RUNPATH '/tmp/arca-evil-libs')",
         "swap code into the enclave without changing its measurement", "-Wl,-rpath"},
        {"library search path (DT_RPATH '/tmp/arca-evil-libs')", "statically", NULL},
        {"library search path (DT_RUNPATH '", "/tests/image/evil'", NULL},
        {"needs the shared library 'libevil.so' (DT_NEEDED)",
         "allowed: libc.so.6, libm.so.6, libcrypto.so.3, ld-linux-", "LIBS"},
        {"PT_GNU_STACK asks for an executable stack", "-z execstack", "-z noexecstack"},
        {"is both writable and executable", "linker script", NULL},
        {"text relocations (DT_TEXTREL)", "-fPIC", NULL},
    };
    if (argc != 12) {
        fprintf(stderr,
                "usage: %s ARCA WORKDIR GOOD.so GOOD_IMPORTS.so RUNPATH.so RPATH.so "
                "NEEDED_RUNPATH.so NEEDED.so EXECSTACK.so WX.so TEXTREL.so|-\n",
                argv[0]);
        return 2;
    }
    arca = argv[1];
    dir = argv[2];
    good = argv[3];
    good_imports = argv[4];
    for (size_t i = 0; i < 7; i++) {
        if (!strcmp(argv[5 + i], "-"))
            continue; /* no text-relocation image on this architecture */
        bads[n_bads].name = names[i];
        bads[n_bads].path = argv[5 + i];
        memcpy(bads[n_bads].needles, needles[i], sizeof needles[i]);
        n_bads++;
    }
    snprintf(key_path, sizeof key_path, "%s/policy-key.pem", dir);
    unlink(key_path);
    if (arca__ec_generate(&key) != ARCA_OK ||
        util_run((char *const[]){(char *)arca, "keygen", "-o", key_path, NULL}, out, sizeof out,
                 err, sizeof err) != 0) {
        fprintf(stderr, "cannot make keys: %s\n", err);
        return 1;
    }
    RUN(test_unchecked_signer_is_sound);
    RUN(test_bad_images_refused);
    RUN(test_patched_flags_refused);
    RUN(test_ordinary_image_passes);
    arca__ec_free(key);
    return TEST_SUMMARY();
}
