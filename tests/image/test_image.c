/*
 * test_image.c — signing, measuring and verifying a real enclave-shaped shared object
 * (fixture_enclave.c): the round trip shows every identity field; every loaded byte counts;
 * unloaded bytes and strip --strip-debug do not; every tampering of the signature structure,
 * wrong keys, unsigned images and mismatched configurations are rejected with their own codes.
 *
 * usage: test_image FIXTURE.so STRIP WORKDIR
 */
#include <elf.h>
#include <stddef.h>

#include "crypto/crypto.h"
#include "base/error.h"
#include "formats/image.h"
#include "test.h"
#include "util.h"

static const char *fixture_path, *strip_path, *work_dir;
static uint8_t *fixture;
static size_t fixture_len;
static arca__ec_key *key_a, *key_b;

static uint8_t *copy_fixture(void)
{
    uint8_t *p = malloc(fixture_len);
    if (p)
        memcpy(p, fixture, fixture_len);
    return p;
}

static void test_config(struct arca_enclave_config *c)
{
    arca__config_defaults(c);
    c->flags = ARCA_CONFIG_FLAG_DEBUG | ARCA_CONFIG_FLAG_SWITCHLESS;
    c->heap_size = 1u << 20;
    c->stack_size = 64u << 10;
    c->threads = 3;
    c->product_id = 0x1234;
    c->svn = 7;
}

/* A signed copy of the fixture (default config unless @p config), or NULL. */
static uint8_t *signed_copy(const struct arca_enclave_config *config, arca__ec_key *key)
{
    struct arca_enclave_config c;
    uint8_t *p = copy_fixture();
    if (!config) {
        arca__config_defaults(&c);
        config = &c;
    }
    if (p && arca__image_sign(p, fixture_len, config, key) != ARCA_OK) {
        free(p);
        p = NULL;
    }
    return p;
}

static void test_round_trip_shows_every_field(void)
{
    struct arca_enclave_config c;
    arca__image_info info;
    arca__image image;
    uint8_t der[ARCA_EC_PUBKEY_DER_MAX], signer[32], m[32];
    size_t der_len;

    test_config(&c);
    uint8_t *p = signed_copy(&c, key_a);
    ASSERT_TRUE(p != NULL);
    ASSERT_OK(arca__image_verify(p, fixture_len, &info));
    ASSERT_OK(arca__image_parse(p, fixture_len, &image));
    ASSERT_OK(arca__image_measure(&image, m));
    ASSERT_MEMEQ(info.identity.measurement, m, 32);
    ASSERT_MEMEQ(image.sig.measurement, m, 32);
    ASSERT_OK(arca__ec_public_der(key_a, der, sizeof der, &der_len));
    ASSERT_OK(arca__sha256(der, der_len, signer));
    ASSERT_MEMEQ(info.identity.signer_id, signer, 32);
    ASSERT_EQ(info.identity.product_id, 0x1234);
    ASSERT_EQ(info.identity.svn, 7);
    ASSERT_UEQ(info.identity.attributes, ARCA_ATTR_DEBUG | ARCA_ATTR_SWITCHLESS);
    ASSERT_EQ(info.identity.backend, ARCA_BACKEND_ID_NONE);
    ASSERT_EQ(info.identity.protections, 0);
    ASSERT_MEMEQ(&info.config, &c, sizeof c);
    ASSERT_MEMEQ(p + image.config_offset, &c, sizeof c);
    ASSERT_MEMEQ(image.sig.magic, ARCA_SIG_MAGIC, 8);
    ASSERT_EQ(image.sig.pubkey_len, der_len);
    /* The input buffer differs from the fixture only inside the two sections. */
    for (size_t i = 0; i < fixture_len; i++) {
        int in_config = i >= image.config_offset && i < image.config_offset + 64;
        int in_sig = i >= image.sig_offset && i < image.sig_offset + sizeof(struct arca_signature);
        if (!in_config && !in_sig && p[i] != fixture[i])
            TEST__FAIL("signing changed byte %zu outside the Arca sections", i);
    }

    /* Production, no switchless: attributes 0. */
    arca__config_defaults(&c);
    free(p);
    p = signed_copy(&c, key_a);
    ASSERT_TRUE(p != NULL);
    ASSERT_OK(arca__image_verify(p, fixture_len, &info));
    ASSERT_UEQ(info.identity.attributes, 0);
    free(p);
}

static void test_unsigned_rejected(void)
{
    arca__image_info info;
    ASSERT_RESULT(arca__image_verify(fixture, fixture_len, &info), ARCA_ERR_IMAGE_NOT_SIGNED);
    ASSERT_CONTAINS(arca__error_detail(), "arca sign");
}

static void test_measure_of_unsigned_predicts_signed(void)
{
    arca__image image;
    uint8_t m[32];
    arca__image_info info;

    ASSERT_OK(arca__image_parse(fixture, fixture_len, &image));
    ASSERT_OK(arca__image_measure(&image, m));
    uint8_t *p = signed_copy(NULL, key_a); /* the fixture's config is the default config */
    ASSERT_TRUE(p != NULL);
    ASSERT_OK(arca__image_verify(p, fixture_len, &info));
    free(p);
    ASSERT_MEMEQ(info.identity.measurement, m, 32);
}

/* The loaded byte ranges of the fixture (file offsets), from its program headers. */
static size_t loaded_ranges(const uint8_t *img, uint64_t starts[], uint64_t ends[], size_t cap)
{
    Elf64_Ehdr eh;
    size_t n = 0;
    memcpy(&eh, img, sizeof eh);
    for (unsigned i = 0; i < eh.e_phnum && n < cap; i++) {
        Elf64_Phdr ph;
        memcpy(&ph, img + eh.e_phoff + i * sizeof ph, sizeof ph);
        if (ph.p_type == PT_LOAD) {
            starts[n] = ph.p_offset;
            ends[n++] = ph.p_offset + ph.p_filesz;
        }
    }
    return n;
}

static int is_excluded_header_field(size_t i)
{
    return (i >= 0x28 && i < 0x30) || (i >= 0x3A && i < 0x40);
}

static void test_every_loaded_byte_counts(void)
{
    arca__image image;
    arca__image_info info;
    uint8_t m0[32], m[32];
    uint64_t starts[16], ends[16];
    size_t checked = 0, verified = 0, config_bytes = 0;

    uint8_t *p = signed_copy(NULL, key_a);
    ASSERT_TRUE(p != NULL);
    ASSERT_OK(arca__image_parse(p, fixture_len, &image));
    ASSERT_OK(arca__image_measure(&image, m0));
    size_t config_off = image.config_offset, sig_off = image.sig_offset;
    size_t n = loaded_ranges(p, starts, ends, 16);
    ASSERT_TRUE(n >= 2);
    for (size_t r = 0; r < n; r++) {
        for (uint64_t i = starts[r]; i < ends[r]; i++) {
            if (is_excluded_header_field(i) ||
                (i >= sig_off && i < sig_off + sizeof(struct arca_signature)))
                continue;
            p[i] ^= 0x5a;
            arca_result_t pr = arca__image_parse(p, fixture_len, &image);
            if (pr == ARCA_OK) {
                ASSERT_OK(arca__image_measure(&image, m));
                if (!memcmp(m, m0, 32))
                    TEST__FAIL("flipping loaded byte 0x%llx left the measurement unchanged",
                               (unsigned long long)i);
            } else {
                ASSERT_RESULT(pr, ARCA_ERR_BAD_IMAGE); /* a header byte: refused outright */
            }
            /* Full verification on every 5th byte and on every config byte. */
            if (i % 5 == 0 || (i >= config_off && i < config_off + 64)) {
                arca_result_t vr = arca__image_verify(p, fixture_len, &info);
                if (vr == ARCA_OK)
                    TEST__FAIL("image with loaded byte 0x%llx changed still verifies",
                               (unsigned long long)i);
                if (pr == ARCA_OK)
                    ASSERT_RESULT(vr, ARCA_ERR_MEASUREMENT_MISMATCH);
                verified++;
            }
            if (i >= config_off && i < config_off + 64)
                config_bytes++;
            p[i] ^= 0x5a;
            checked++;
        }
    }
    ASSERT_OK(arca__image_verify(p, fixture_len, &info)); /* all flips undone */
    ASSERT_EQ(config_bytes, 64);
    ASSERT_TRUE(checked > 2000);
    ASSERT_TRUE(verified > 400);
    fprintf(stderr, "  %zu loaded bytes flipped, %zu fully verified\n", checked, verified);
    free(p);
}

static void test_excluded_header_fields_do_not_count(void)
{
    /* e_shoff/e_shnum/... describe unloaded data: zeroed in the measurement. Changing them
     * consistently (as strip does) is covered by test_strip_keeps_identity; here, a changed
     * e_shoff pointing to a copy of the section table must still verify. */
    arca__image_info info, info2;
    Elf64_Ehdr eh;
    uint8_t *p = signed_copy(NULL, key_a);
    ASSERT_TRUE(p != NULL);
    ASSERT_OK(arca__image_verify(p, fixture_len, &info));
    memcpy(&eh, p, sizeof eh);
    size_t table = (size_t)eh.e_shnum * sizeof(Elf64_Shdr);
    uint8_t *q = malloc(fixture_len + table);
    ASSERT_TRUE(q != NULL);
    memcpy(q, p, fixture_len);
    memcpy(q + fixture_len, p + eh.e_shoff, table);
    eh.e_shoff = fixture_len;
    memcpy(q, &eh, sizeof eh);
    arca_result_t r = arca__image_verify(q, fixture_len + table, &info2);
    free(q);
    free(p);
    ASSERT_OK(r);
    ASSERT_MEMEQ(info.identity.measurement, info2.identity.measurement, 32);
}

static void test_unloaded_bytes_do_not_count(void)
{
    arca__image_info info;
    Elf64_Ehdr eh;
    Elf64_Shdr strtab;
    size_t flipped = 0;

    uint8_t *p = signed_copy(NULL, key_a);
    ASSERT_TRUE(p != NULL);
    memcpy(&eh, p, sizeof eh);
    memcpy(&strtab, p + eh.e_shoff + eh.e_shstrndx * sizeof strtab, sizeof strtab);
    for (unsigned i = 1; i < eh.e_shnum; i++) {
        Elf64_Shdr sh;
        memcpy(&sh, p + eh.e_shoff + i * sizeof sh, sizeof sh);
        const char *name = (const char *)p + strtab.sh_offset + sh.sh_name;
        if (strncmp(name, ".debug_", 7) != 0 && strcmp(name, ".comment") != 0)
            continue;
        for (size_t j = 0; j < sh.sh_size; j += 7) {
            p[sh.sh_offset + j] ^= 0xff;
            flipped++;
        }
    }
    ASSERT_TRUE(flipped > 50);
    ASSERT_OK(arca__image_verify(p, fixture_len, &info));
    free(p);
}

/* Every byte of the signature structure matters, each region with its own result. */
static void test_signature_structure_tampering(void)
{
    arca__image image;
    arca__image_info info;
    uint8_t *p = signed_copy(NULL, key_a);
    ASSERT_TRUE(p != NULL);
    ASSERT_OK(arca__image_parse(p, fixture_len, &image));
    size_t base = image.sig_offset, key_len = image.sig.pubkey_len;
    for (size_t i = 0; i < sizeof(struct arca_signature); i++) {
        arca_result_t expected;
        if (i < offsetof(struct arca_signature, version))
            expected = ARCA_ERR_BAD_IMAGE;
        else if (i < offsetof(struct arca_signature, pubkey_len))
            expected = ARCA_ERR_BAD_VERSION;
        else if (i < offsetof(struct arca_signature, measurement))
            expected = ARCA__RESULT_COUNT; /* bad length: BAD_IMAGE or BAD_SIGNATURE */
        else if (i < offsetof(struct arca_signature, config))
            expected = ARCA_ERR_MEASUREMENT_MISMATCH;
        else if (i < offsetof(struct arca_signature, pubkey_der))
            expected = ARCA_ERR_MEASUREMENT_MISMATCH;
        else if (i < offsetof(struct arca_signature, pubkey_der) + key_len)
            expected = ARCA_ERR_BAD_SIGNATURE;
        else if (i < offsetof(struct arca_signature, signature))
            expected = ARCA_ERR_BAD_IMAGE; /* padding after the key must be zero */
        else
            expected = ARCA_ERR_BAD_SIGNATURE;
        p[base + i] ^= 0x01;
        arca_result_t r = arca__image_verify(p, fixture_len, &info);
        p[base + i] ^= 0x01;
        if (expected == ARCA__RESULT_COUNT) {
            if (r != ARCA_ERR_BAD_IMAGE && r != ARCA_ERR_BAD_SIGNATURE)
                TEST__FAIL("sig byte %zu: got %s", i, arca_result_name(r));
        } else if (r != expected) {
            TEST__FAIL("sig byte %zu: got %s, expected %s", i, arca_result_name(r),
                       arca_result_name(expected));
        }
    }
    ASSERT_OK(arca__image_verify(p, fixture_len, &info));
    free(p);
}

/* Rewrites the signature structure of a signed image (re-signed with @p key if given). */
static void rewrite_sig(uint8_t *p, const struct arca_signature *sig, arca__ec_key *key,
                        arca_result_t *r)
{
    arca__image image;
    struct arca_signature s = *sig;
    *r = arca__image_parse(p, fixture_len, &image);
    if (*r == ARCA_OK && key)
        *r = arca__ec_sign(key, &s, offsetof(struct arca_signature, signature), s.signature);
    if (*r == ARCA_OK)
        memcpy(p + image.sig_offset, &s, sizeof s);
}

static void test_wrong_key_rejected(void)
{
    arca__image image;
    arca__image_info info;
    struct arca_signature sig;
    uint8_t der_b[ARCA_EC_PUBKEY_DER_MAX];
    size_t der_b_len;
    arca_result_t r;

    uint8_t *p = signed_copy(NULL, key_a);
    ASSERT_TRUE(p != NULL);
    ASSERT_OK(arca__image_parse(p, fixture_len, &image));
    ASSERT_OK(arca__ec_public_der(key_b, der_b, sizeof der_b, &der_b_len));

    /* Key B claimed, signature by key A. */
    sig = image.sig;
    memset(sig.pubkey_der, 0, sizeof sig.pubkey_der);
    memcpy(sig.pubkey_der, der_b, der_b_len);
    sig.pubkey_len = (uint32_t)der_b_len;
    rewrite_sig(p, &sig, NULL, &r);
    ASSERT_OK(r);
    ASSERT_RESULT(arca__image_verify(p, fixture_len, &info), ARCA_ERR_BAD_SIGNATURE);

    /* Key A claimed, signed by key B. */
    rewrite_sig(p, &image.sig, key_b, &r);
    ASSERT_OK(r);
    ASSERT_RESULT(arca__image_verify(p, fixture_len, &info), ARCA_ERR_BAD_SIGNATURE);
    ASSERT_CONTAINS(arca__error_detail(), "does not verify");

    /* The original structure verifies again. */
    rewrite_sig(p, &image.sig, NULL, &r);
    ASSERT_OK(r);
    ASSERT_OK(arca__image_verify(p, fixture_len, &info));
    free(p);
}

static void test_corrupted_signature_rejected(void)
{
    arca__image image;
    arca__image_info info;
    struct arca_signature sig;
    arca_result_t r;

    uint8_t *p = signed_copy(NULL, key_a);
    ASSERT_TRUE(p != NULL);
    ASSERT_OK(arca__image_parse(p, fixture_len, &image));
    sig = image.sig;
    memset(sig.signature, 0, sizeof sig.signature);
    rewrite_sig(p, &sig, NULL, &r);
    ASSERT_OK(r);
    ASSERT_RESULT(arca__image_verify(p, fixture_len, &info), ARCA_ERR_BAD_SIGNATURE);
    memset(sig.signature, 0xff, sizeof sig.signature);
    rewrite_sig(p, &sig, NULL, &r);
    ASSERT_RESULT(arca__image_verify(p, fixture_len, &info), ARCA_ERR_BAD_SIGNATURE);

    /* Hostile key lengths and keys. */
    sig = image.sig;
    uint32_t lens[] = {0, 129, 0x80000000u, 0xffffffffu};
    for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
        sig.pubkey_len = lens[i];
        rewrite_sig(p, &sig, NULL, &r);
        ASSERT_RESULT(arca__image_verify(p, fixture_len, &info), ARCA_ERR_BAD_IMAGE);
    }
    sig = image.sig;
    memset(sig.pubkey_der, 0x30, sig.pubkey_len); /* not a public key */
    rewrite_sig(p, &sig, NULL, &r);
    ASSERT_RESULT(arca__image_verify(p, fixture_len, &info), ARCA_ERR_BAD_SIGNATURE);
    ASSERT_CONTAINS(arca__error_detail(), "not a valid P-256 public key");
    sig = image.sig;
    sig.pubkey_len = 128; /* the key followed by zero padding counted as key bytes */
    rewrite_sig(p, &sig, key_a, &r);
    ASSERT_OK(r);
    ASSERT_RESULT(arca__image_verify(p, fixture_len, &info), ARCA_ERR_BAD_SIGNATURE);
    free(p);
}

static void test_bad_magic_and_version(void)
{
    arca__image image;
    arca__image_info info;
    struct arca_signature sig;
    arca_result_t r;

    uint8_t *p = signed_copy(NULL, key_a);
    ASSERT_TRUE(p != NULL);
    ASSERT_OK(arca__image_parse(p, fixture_len, &image));
    sig = image.sig;
    memcpy(sig.magic, "ARCASIG\x02", 8);
    rewrite_sig(p, &sig, key_a, &r); /* even validly signed */
    ASSERT_RESULT(arca__image_verify(p, fixture_len, &info), ARCA_ERR_BAD_IMAGE);
    ASSERT_CONTAINS(arca__error_detail(), "magic");
    sig = image.sig;
    sig.version = 2;
    rewrite_sig(p, &sig, key_a, &r);
    ASSERT_RESULT(arca__image_verify(p, fixture_len, &info), ARCA_ERR_BAD_VERSION);
    /* Magic zero but the rest present: still "not signed", never accepted. */
    sig = image.sig;
    memset(sig.magic, 0, 8);
    rewrite_sig(p, &sig, NULL, &r);
    ASSERT_RESULT(arca__image_verify(p, fixture_len, &info), ARCA_ERR_IMAGE_NOT_SIGNED);
    free(p);
}

static void test_config_copy_must_match(void)
{
    arca__image image;
    arca__image_info info;
    struct arca_signature sig;
    arca_result_t r;

    uint8_t *p = signed_copy(NULL, key_a);
    ASSERT_TRUE(p != NULL);
    ASSERT_OK(arca__image_parse(p, fixture_len, &image));
    sig = image.sig;
    sig.config.svn = 99; /* validly signed, but not what the image holds */
    rewrite_sig(p, &sig, key_a, &r);
    ASSERT_OK(r);
    ASSERT_RESULT(arca__image_verify(p, fixture_len, &info), ARCA_ERR_MEASUREMENT_MISMATCH);
    ASSERT_CONTAINS(arca__error_detail(), ".arca.config");
    free(p);
}

static void test_invalid_config_rejected(void)
{
    arca__image image;
    arca__image_info info;
    struct arca_enclave_config c;
    arca_result_t r;

    /* arca__image_sign refuses an invalid config and leaves the image untouched. */
    uint8_t *p = copy_fixture();
    ASSERT_TRUE(p != NULL);
    arca__config_defaults(&c);
    c.threads = 0;
    ASSERT_RESULT(arca__image_sign(p, fixture_len, &c, key_a), ARCA_ERR_CONFIG);
    ASSERT_MEMEQ(p, fixture, fixture_len);

    /* A hand-made, validly signed image whose config is out of range: ARCA_ERR_CONFIG. */
    ASSERT_OK(arca__image_parse(p, fixture_len, &image));
    memcpy(p + image.config_offset, &c, sizeof c);
    ASSERT_OK(arca__image_parse(p, fixture_len, &image));
    struct arca_signature sig = image.sig;
    memcpy(sig.magic, ARCA_SIG_MAGIC, 8);
    sig.version = ARCA_SIG_VERSION;
    ASSERT_OK(arca__image_measure(&image, sig.measurement));
    sig.config = c;
    size_t len;
    ASSERT_OK(arca__ec_public_der(key_a, sig.pubkey_der, sizeof sig.pubkey_der, &len));
    sig.pubkey_len = (uint32_t)len;
    rewrite_sig(p, &sig, key_a, &r);
    ASSERT_OK(r);
    ASSERT_RESULT(arca__image_verify(p, fixture_len, &info), ARCA_ERR_CONFIG);
    ASSERT_CONTAINS(arca__error_detail(), "Threads");
    free(p);
}

static void test_resign_with_other_key_and_config(void)
{
    struct arca_enclave_config c;
    arca__image_info info_a, info_b;
    uint8_t der[ARCA_EC_PUBKEY_DER_MAX], signer_b[32];
    size_t der_len;

    uint8_t *p = signed_copy(NULL, key_a);
    ASSERT_TRUE(p != NULL);
    ASSERT_OK(arca__image_verify(p, fixture_len, &info_a));
    test_config(&c);
    ASSERT_OK(arca__image_sign(p, fixture_len, &c, key_b));
    ASSERT_OK(arca__image_verify(p, fixture_len, &info_b));
    ASSERT_OK(arca__ec_public_der(key_b, der, sizeof der, &der_len));
    ASSERT_OK(arca__sha256(der, der_len, signer_b));
    ASSERT_MEMEQ(info_b.identity.signer_id, signer_b, 32);
    ASSERT_TRUE(memcmp(info_a.identity.signer_id, info_b.identity.signer_id, 32) != 0);
    ASSERT_TRUE(memcmp(info_a.identity.measurement, info_b.identity.measurement, 32) != 0);
    ASSERT_EQ(info_b.identity.svn, 7);
    /* Back to key A and the default config: the original identity again. */
    arca__config_defaults(&c);
    ASSERT_OK(arca__image_sign(p, fixture_len, &c, key_a));
    ASSERT_OK(arca__image_verify(p, fixture_len, &info_b));
    ASSERT_MEMEQ(info_a.identity.measurement, info_b.identity.measurement, 32);
    free(p);
}

static int strip_copy(const char *option, const uint8_t *p, uint8_t **out, size_t *out_len)
{
    char path[4096];
    char *argv[] = {(char *)strip_path, (char *)option, path, NULL};
    snprintf(path, sizeof path, "%s/stripped%s.so", work_dir, option);
    if (util_write(path, p, fixture_len) != 0)
        return -1;
    if (util_run(argv, NULL, 0, NULL, 0) != 0)
        return -1;
    *out = util_read(path, out_len);
    return *out ? 0 : -1;
}

static void test_strip_keeps_identity(void)
{
    arca__image_info before, after;
    uint8_t *s = NULL;
    size_t s_len = 0;
    const char *options[] = {"--strip-debug", "--strip-unneeded", "--strip-all"};

    uint8_t *p = signed_copy(NULL, key_a);
    ASSERT_TRUE(p != NULL);
    ASSERT_OK(arca__image_verify(p, fixture_len, &before));
    for (size_t i = 0; i < sizeof options / sizeof options[0]; i++) {
        ASSERT_EQ(strip_copy(options[i], p, &s, &s_len), 0);
        ASSERT_TRUE(s_len < fixture_len); /* something was really removed */
        arca_result_t r = arca__image_verify(s, s_len, &after);
        free(s);
        if (r != ARCA_OK)
            TEST__FAIL("strip %s: %s (%s)", options[i], arca_result_name(r), arca__error_detail());
        ASSERT_MEMEQ(before.identity.measurement, after.identity.measurement, 32);
        ASSERT_MEMEQ(&before.identity, &after.identity, sizeof before.identity);
    }
    free(p);
}

static void test_bad_arguments(void)
{
    arca__image_info info;
    arca__image image;
    struct arca_enclave_config c;
    uint8_t m[32];
    uint8_t garbage[4096];

    arca__config_defaults(&c);
    ASSERT_RESULT(arca__image_verify(NULL, 10, &info), ARCA_ERR_INVALID_ARGUMENT);
    ASSERT_RESULT(arca__image_verify(fixture, fixture_len, NULL), ARCA_ERR_INVALID_ARGUMENT);
    ASSERT_RESULT(arca__image_parse(NULL, 10, &image), ARCA_ERR_INVALID_ARGUMENT);
    ASSERT_RESULT(arca__image_parse(fixture, fixture_len, NULL), ARCA_ERR_INVALID_ARGUMENT);
    ASSERT_RESULT(arca__image_measure(NULL, m), ARCA_ERR_INVALID_ARGUMENT);
    memset(&image, 0, sizeof image);
    ASSERT_RESULT(arca__image_measure(&image, m), ARCA_ERR_INVALID_ARGUMENT);
    ASSERT_RESULT(arca__image_sign(NULL, 0, &c, key_a), ARCA_ERR_INVALID_ARGUMENT);
    for (size_t i = 0; i < sizeof garbage; i++)
        garbage[i] = (uint8_t)(i * 131 + 7);
    ASSERT_RESULT(arca__image_sign(garbage, sizeof garbage, &c, key_a), ARCA_ERR_BAD_IMAGE);
    ASSERT_RESULT(arca__image_verify(garbage, sizeof garbage, &info), ARCA_ERR_BAD_IMAGE);
    ASSERT_RESULT(arca__image_verify(garbage, 0, &info), ARCA_ERR_BAD_IMAGE);
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: %s FIXTURE.so STRIP WORKDIR\n", argv[0]);
        return 2;
    }
    fixture_path = argv[1];
    strip_path = argv[2];
    work_dir = argv[3];
    fixture = util_read(fixture_path, &fixture_len);
    if (!fixture || arca__ec_generate(&key_a) != ARCA_OK || arca__ec_generate(&key_b) != ARCA_OK) {
        fprintf(stderr, "cannot set up: fixture %s or key generation\n", fixture_path);
        return 1;
    }
    RUN(test_round_trip_shows_every_field);
    RUN(test_unsigned_rejected);
    RUN(test_measure_of_unsigned_predicts_signed);
    RUN(test_every_loaded_byte_counts);
    RUN(test_excluded_header_fields_do_not_count);
    RUN(test_unloaded_bytes_do_not_count);
    RUN(test_signature_structure_tampering);
    RUN(test_wrong_key_rejected);
    RUN(test_corrupted_signature_rejected);
    RUN(test_bad_magic_and_version);
    RUN(test_config_copy_must_match);
    RUN(test_invalid_config_rejected);
    RUN(test_resign_with_other_key_and_config);
    RUN(test_strip_keeps_identity);
    RUN(test_bad_arguments);
    arca__ec_free(key_a);
    arca__ec_free(key_b);
    free(fixture);
    return TEST_SUMMARY();
}
