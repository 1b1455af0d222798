/*
 * test_enclave_env.c — the enclave environment as a format (src/formats/enclave_env.c, the
 * Env.NAME and HostFiles lines of config.c, and how image.c signs and verifies it): every form
 * enclave.conf accepts and every refusal with its message; every way a block read from an
 * image can be malformed; signing writes the block into .arca.env and the config points at
 * it, re-signing replaces it, and verification refuses an environment changed after signing,
 * one the config places outside the measured bytes or over .arca.sig, a malformed one signed by
 * a hostile signer, and an environment for an image without .arca.env.
 *
 * argv: an unsigned enclave image (with .arca.env)
 */
#define _GNU_SOURCE /* memmem */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "crypto/crypto.h"
#include "formats/enclave_env.h"
#include "formats/image.h"
#include "test.h"

static uint8_t *unsigned_image;
static size_t image_len;
static arca__ec_key *key;

static arca_result_t parse(const char *text, struct arca_enclave_config *c, arca__env *env)
{
    arca__config_defaults(c);
    return arca__config_parse_env(text, strlen(text), "t.conf", c, env);
}

/* ---- enclave.conf ---- */

static void test_conf_forms(void)
{
    struct arca_enclave_config c;
    static arca__env env;
    ASSERT_OK(parse("HostFiles = 1\n"
                    "Env.A = plain value   # comment\n"
                    "Env.B_2 = \"quoted # not a comment \\\"q\\\" \\\\ end\"  # comment\n"
                    "Env.EMPTY =\n"
                    "Env._X =   \t spaced\t \n"
                    "Env.Q = \"\"\n",
                    &c, &env));
    ASSERT_UEQ(c.flags, ARCA_CONFIG_FLAG_HOST_FILES);
    ASSERT_UEQ(env.count, 5);
    static const char want[] = "A=plain value\0B_2=quoted # not a comment \"q\" \\ end\0EMPTY=\0"
                               "_X=spaced\0Q=";
    ASSERT_UEQ(env.len, sizeof want);
    ASSERT_MEMEQ(env.block, want, sizeof want);
    ASSERT_OK(arca__env_check((const uint8_t *)env.block, env.len, NULL));
    ASSERT_OK(parse("HostFiles = false\n", &c, &env));
    ASSERT_UEQ(c.flags, 0);
    ASSERT_UEQ(env.count, 0);
    /* HostFiles keeps the other flags */
    ASSERT_OK(parse("Debug = 1\nHostFiles = true\nSwitchless = 1\n", &c, NULL));
    ASSERT_UEQ(c.flags, ARCA_CONFIG_FLAG_DEBUG | ARCA_CONFIG_FLAG_HOST_FILES |
                            ARCA_CONFIG_FLAG_SWITCHLESS);
    ASSERT_OK(arca__config_validate(&c));
    /* exactly the limits */
    char *text = malloc(64 * 80);
    ASSERT_TRUE(text != NULL);
    if (!text)
        return;
    size_t used = 0;
    for (int i = 0; i < 64; i++)
        used += (size_t)sprintf(text + used, "Env.V%02d = %.50s\n", i,
                                "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
    ASSERT_OK(parse(text, &c, &env));
    ASSERT_UEQ(env.count, 64);
    ASSERT_UEQ(env.len, 64 * (4 + 50 + 1));
    free(text);
}

static void test_conf_refusals(void)
{
    static const struct {
        const char *text, *needle;
    } cases[] = {
        {"Env.lower = 1\n", "t.conf:1: 'lower' is not a valid environment variable name"},
        {"Env.9X = 1\n", "'9X' is not a valid environment variable name"},
        {"Env. = 1\n", "'' is not a valid environment variable name"},
        {"Env.A-B = 1\n", "'A-B' is not a valid environment variable name"},
        {"env.A = 1\n",
         "t.conf:1: unknown key 'env.A' (keys are case-sensitive: did you mean 'Env.A'?)"},
        {"Env.A = 1\nEnv.A = 2\n", "t.conf:2: environment variable A is set twice"},
        {"Env.A = \"open\n", "t.conf:1: the value of Env.A has no closing '\"'"},
        {"Env.A = \"x\" y\n", "t.conf:1: text after the quoted value of Env.A"},
        {"Env.A = a\tb\n", "the value of A has byte 0x09 at position 2"},
        {"Env.A = caf\xc3\xa9\n", "the value of A has byte 0xc3 at position 4"},
        {"HostFiles = 2\n", "t.conf:1: bad value '2' for HostFiles (allowed: 0, 1, true, false)"},
        {"hostfiles = 1\n", "did you mean 'HostFiles'"},
        {"Bogus = 1\n", "HostFiles, Env.NAME"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct arca_enclave_config c;
        static arca__env env;
        memset(&env, 0x5A, sizeof env);
        arca_result_t r = parse(cases[i].text, &c, &env);
        if (r != ARCA_ERR_CONFIG || !strstr(arca__error_detail(), cases[i].needle))
            fprintf(stderr, "  case %zu: %s: %s\n", i, arca_result_name(r), arca__error_detail());
        ASSERT_RESULT(r, ARCA_ERR_CONFIG);
        ASSERT_CONTAINS(arca__error_detail(), cases[i].needle);
        ASSERT_UEQ(env.count, 0x5A5A5A5Au); /* untouched on failure */
    }
    /* too long, too many, too large */
    struct arca_enclave_config c;
    static arca__env env;
    char *text = malloc(100 * 1200);
    ASSERT_TRUE(text != NULL);
    if (!text)
        return;
    memset(text, 'v', 2000);
    memcpy(text, "Env.LONG = ", 11);
    text[11 + 1025] = '\0';
    ASSERT_RESULT(parse(text, &c, &env), ARCA_ERR_CONFIG);
    ASSERT_CONTAINS(arca__error_detail(), "the value of Env.LONG is longer than 1024 bytes");
    memcpy(text, "Env.LONG = \"", 12);
    memset(text + 12, 'v', 1100);
    memcpy(text + 12 + 1100, "\"", 2);
    ASSERT_RESULT(parse(text, &c, &env), ARCA_ERR_CONFIG);
    ASSERT_CONTAINS(arca__error_detail(), "the value of Env.LONG is longer than 1024 bytes");
    size_t used = 0;
    for (int i = 0; i < 65; i++)
        used += (size_t)sprintf(text + used, "Env.V%02d = x\n", i);
    ASSERT_RESULT(parse(text, &c, &env), ARCA_ERR_CONFIG);
    ASSERT_CONTAINS(arca__error_detail(), "t.conf:65: more than 64 environment variables");
    used = 0;
    for (int i = 0; i < 5; i++) /* 5 × (2 + 1 + 1000 + 1) = 5020 bytes > 4096 */
        used += (size_t)sprintf(text + used, "Env.V%d = %01000d\n", i, 0);
    ASSERT_RESULT(parse(text, &c, &env), ARCA_ERR_CONFIG);
    ASSERT_CONTAINS(arca__error_detail(),
                    "t.conf:5: the environment would exceed 4096 bytes with V4");
    free(text);
    /* arca__config_parse (no environment to fill) refuses Env lines instead of dropping them */
    arca__config_defaults(&c);
    ASSERT_RESULT(arca__config_parse("Env.A = 1\n", 10, "x.conf", &c), ARCA_ERR_CONFIG);
    ASSERT_CONTAINS(arca__error_detail(), "x.conf:1: Env.A: environment lines are accepted only "
                                          "where an image is signed");
    /* the config's own checks of the two fields */
    arca__config_defaults(&c);
    c.env_size = 8;
    ASSERT_RESULT(arca__config_validate(&c), ARCA_ERR_CONFIG);
    ASSERT_CONTAINS(arca__error_detail(), "environment of 8 bytes at 0x0");
    c.env_size = 0;
    c.env_vaddr = 0x1000;
    ASSERT_RESULT(arca__config_validate(&c), ARCA_ERR_CONFIG);
    c.env_size = ARCA_ENV_CAPACITY + 1;
    ASSERT_RESULT(arca__config_validate(&c), ARCA_ERR_CONFIG);
    c.env_size = ARCA_ENV_CAPACITY;
    ASSERT_OK(arca__config_validate(&c));
}

/* ---- a block from an image (hostile) ---- */

static void test_block_check(void)
{
    static const struct {
        const char *bytes;
        size_t len;
        const char *needle;
    } bad[] = {
        {"A=1", 3, "entry 1 is not NUL-terminated"},
        {"A=1\0B", 5, "entry 2 is not NUL-terminated"},
        {"A1\0", 3, "entry 1 has no '='"},
        {"=1\0", 3, "entry 1: the name is not"},
        {"a=1\0", 4, "entry 1: the name is not"},
        {"A=\x01\0", 4, "entry 1 (A): the value is longer than 1024 bytes or not printable"},
        {"A=\x7f\0", 4, "not printable"},
        {"A=1\0B=2\0A=3\0", 12, "entry 3: A is set twice"},
        {"\0", 1, "entry 1 has no '='"},
    };
    uint32_t count = 7;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ASSERT_RESULT(arca__env_check((const uint8_t *)bad[i].bytes, bad[i].len, &count),
                      ARCA_ERR_CONFIG);
        ASSERT_CONTAINS(arca__error_detail(), bad[i].needle);
        ASSERT_UEQ(count, 0);
    }
    ASSERT_OK(arca__env_check((const uint8_t *)"A=1\0B=\0", 7, &count));
    ASSERT_UEQ(count, 2);
    ASSERT_OK(arca__env_check(NULL, 0, &count));
    ASSERT_UEQ(count, 0);
    static uint8_t big[ARCA_ENV_CAPACITY + 8];
    ASSERT_RESULT(arca__env_check(big, sizeof big, NULL), ARCA_ERR_CONFIG);
    ASSERT_CONTAINS(arca__error_detail(), "the environment block is 4104 bytes");
    size_t used = 0; /* 65 entries */
    for (int i = 0; i < 65; i++)
        used += (size_t)sprintf((char *)big + used, "V%02d=", i) + 1;
    ASSERT_RESULT(arca__env_check(big, used, NULL), ARCA_ERR_CONFIG);
    ASSERT_CONTAINS(arca__error_detail(), "more than 64 entries");
    char name[70];
    memset(name, 'N', 65);
    memcpy(name + 65, "=1", 3);
    ASSERT_RESULT(arca__env_check((const uint8_t *)name, 68, NULL), ARCA_ERR_CONFIG);
    ASSERT_TRUE(!arca__env_name_valid("N", 0) && arca__env_name_valid(name, 64) &&
                !arca__env_name_valid(name, 65));
}

/* ---- signing and verification ---- */

static uint8_t *copy_image(void)
{
    uint8_t *p = malloc(image_len);
    if (p)
        memcpy(p, unsigned_image, image_len);
    return p;
}

/* What a hostile signer can do: sign @p config exactly as given (env fields included). */
static arca_result_t sign_raw(uint8_t *bytes, const struct arca_enclave_config *config)
{
    arca_result_t result = ARCA_OK;
    arca__image image;
    struct arca_signature sig;
    size_t der_len = 0;
    memset(&sig, 0, sizeof sig);
    ARCA_CHECK(arca__image_parse(bytes, image_len, &image));
    memcpy(bytes + image.config_offset, config, sizeof *config);
    image.config = *config;
    memset(bytes + image.sig_offset, 0, sizeof sig);
    memcpy(sig.magic, ARCA_SIG_MAGIC, sizeof sig.magic);
    sig.version = ARCA_SIG_VERSION;
    ARCA_CHECK(arca__image_measure(&image, sig.measurement));
    sig.config = *config;
    ARCA_CHECK(arca__ec_public_der(key, sig.pubkey_der, sizeof sig.pubkey_der, &der_len));
    sig.pubkey_len = (uint32_t)der_len;
    ARCA_CHECK(arca__ec_sign(key, &sig, offsetof(struct arca_signature, signature), sig.signature));
    memcpy(bytes + image.sig_offset, &sig, sizeof sig);
done:
    return result;
}

static void test_sign_and_verify(void)
{
    struct arca_enclave_config c;
    static arca__env env;
    arca__image parsed;
    arca__image_info info;
    uint8_t *p = copy_image();
    ASSERT_TRUE(p != NULL);
    if (!p)
        return;
    ASSERT_OK(arca__image_parse(p, image_len, &parsed));
    ASSERT_TRUE(parsed.env_section_vaddr != 0 && parsed.env_section_offset != 0);
    ASSERT_OK(parse("Env.MODE = fast\nEnv.LEVEL = 3\n", &c, &env));
    c.env_vaddr = 12345; /* ignored: signing computes both fields */
    c.env_size = 3;
    ASSERT_OK(arca__image_sign_env(p, image_len, &c, &env, key));
    ASSERT_OK(arca__image_verify(p, image_len, &info));
    ASSERT_UEQ(info.config.env_vaddr, parsed.env_section_vaddr);
    ASSERT_UEQ(info.config.env_size, env.len);
    ASSERT_UEQ(info.env_offset, parsed.env_section_offset);
    ASSERT_MEMEQ(p + info.env_offset, "MODE=fast\0LEVEL=3\0", 18);

    /* one changed byte of the environment changes the measurement */
    uint8_t *q = copy_image();
    ASSERT_TRUE(q != NULL);
    if (!q)
        goto done;
    memcpy(q, p, image_len);
    q[info.env_offset + 5] = 'F';
    ASSERT_RESULT(arca__image_verify(q, image_len, &info), ARCA_ERR_MEASUREMENT_MISMATCH);
    /* ... and so do the bytes after it, in the section (room the signer zeroed) */
    memcpy(q, p, image_len);
    q[parsed.env_section_offset + ARCA_ENV_CAPACITY - 1] = 'x';
    ASSERT_RESULT(arca__image_verify(q, image_len, &info), ARCA_ERR_MEASUREMENT_MISMATCH);

    /* re-signing without an environment: none, and the old one is gone from the section */
    memcpy(q, p, image_len);
    arca__config_defaults(&c);
    ASSERT_OK(arca__image_sign(q, image_len, &c, key));
    ASSERT_OK(arca__image_verify(q, image_len, &info));
    ASSERT_UEQ(info.config.env_size, 0);
    ASSERT_UEQ(info.config.env_vaddr, 0);
    ASSERT_UEQ(info.env_offset, 0);
    for (size_t i = 0; i < ARCA_ENV_CAPACITY; i++)
        if (q[parsed.env_section_offset + i]) {
            ASSERT_UEQ(i, ARCA_ENV_CAPACITY); /* names the first non-zero byte */
            break;
        }

    /* a hostile signer's configs: the block over .arca.sig, outside every segment, malformed */
    memcpy(q, unsigned_image, image_len);
    arca__config_defaults(&c);
    c.env_vaddr = parsed.sig_vaddr + 16;
    c.env_size = 8;
    ASSERT_OK(sign_raw(q, &c));
    ASSERT_RESULT(arca__image_verify(q, image_len, &info), ARCA_ERR_CONFIG);
    ASSERT_CONTAINS(arca__error_detail(), "overlaps the ELF header, .arca.config or .arca.sig");
    c.env_vaddr = parsed.config_vaddr;
    ASSERT_OK(sign_raw(q, &c));
    ASSERT_RESULT(arca__image_verify(q, image_len, &info), ARCA_ERR_CONFIG);
    ASSERT_CONTAINS(arca__error_detail(), "overlaps the ELF header, .arca.config or .arca.sig");
    c.env_vaddr = UINT64_C(1) << 40;
    ASSERT_OK(sign_raw(q, &c));
    ASSERT_RESULT(arca__image_verify(q, image_len, &info), ARCA_ERR_CONFIG);
    ASSERT_CONTAINS(arca__error_detail(), "does not lie inside the file bytes of one PT_LOAD");
    c.env_vaddr = parsed.env_section_vaddr; /* zeros: an entry without '=' */
    ASSERT_OK(sign_raw(q, &c));
    ASSERT_RESULT(arca__image_verify(q, image_len, &info), ARCA_ERR_CONFIG);
    ASSERT_CONTAINS(arca__error_detail(), "the image's environment is malformed: environment "
                                          "entry 1 has no '='");
    memcpy(q + parsed.env_section_offset, "OK=1\0", 5);
    c.env_size = 5;
    ASSERT_OK(sign_raw(q, &c));
    ASSERT_OK(arca__image_verify(q, image_len, &info));

    /* an image without .arca.env (built before it): signs without an environment only */
    memcpy(q, unsigned_image, image_len);
    const char *name = memmem(q, image_len, ARCA_ENV_SECTION, sizeof ARCA_ENV_SECTION);
    ASSERT_TRUE(name != NULL);
    if (name)
        ((char *)name)[6] = 'X'; /* ".arca.eXv": the section is no longer known */
    ASSERT_OK(arca__image_parse(q, image_len, &parsed));
    ASSERT_UEQ(parsed.env_section_vaddr, 0);
    ASSERT_OK(parse("Env.A = 1\n", &c, &env));
    ASSERT_RESULT(arca__image_sign_env(q, image_len, &c, &env, key), ARCA_ERR_BAD_IMAGE);
    ASSERT_CONTAINS(arca__error_detail(), "the image has no .arca.env section");
    ASSERT_OK(parse("Debug = 1\n", &c, &env));
    ASSERT_OK(arca__image_sign_env(q, image_len, &c, &env, key));
    ASSERT_OK(arca__image_verify(q, image_len, &info));
done:
    free(q);
    free(p);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s unsigned-enclave.so\n", argv[0]);
        return 2;
    }
    if (arca__read_file(argv[1], 1u << 30, &unsigned_image, &image_len) != ARCA_OK ||
        arca__ec_generate(&key) != ARCA_OK) {
        fprintf(stderr, "setup: %s\n", arca__error_detail());
        return 1;
    }
    RUN(test_conf_forms);
    RUN(test_conf_refusals);
    RUN(test_block_check);
    RUN(test_sign_and_verify);
    arca__ec_free(key);
    free(unsigned_image);
    return TEST_SUMMARY();
}
