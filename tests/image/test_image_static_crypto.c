/*
 * test_image_static_crypto.c — OpenSSL's static libcrypto.a links into an enclave image
 * (arca_add_enclave LIBS with the .a file, issue 11 item 4): the image signs and verifies, its
 * own calls into OpenSSL (EVP_Digest, EVP_sha3_256, HMAC, OpenSSL_version) are defined inside
 * the image rather than imported from libcrypto.so.3, and it computes known-answer digests on
 * the sim and process backends (FIPS 202 SHA3-256("abc"); the HMAC-SHA-256 of "The quick
 * brown fox jumps over the lazy dog" under the key "key").
 *
 * usage: test_image_static_crypto SIGNED.so UNSIGNED.so
 */
#include "arca/host.h"
#include "formats/image.h"
#include "hex.h"
#include "test.h"
#include "util.h"

static const char *signed_path, *unsigned_path;

static void test_calls_bind_inside_the_image(void)
{
    const char *inside[] = {"EVP_Digest", "EVP_sha3_256", "HMAC", "OpenSSL_version"};
    arca__image_info info;
    size_t len = 0;
    uint8_t *bytes = util_read(unsigned_path, &len);
    ASSERT_TRUE(bytes != NULL);
    for (size_t i = 0; i < sizeof inside / sizeof inside[0]; i++) {
        int imported = util_imports_symbol(bytes, len, inside[i]);
        if (imported != 0)
            free(bytes);
        if (imported != 0)
            TEST__FAIL("%s: %s", inside[i],
                       imported < 0 ? "no dynamic symbol table"
                                    : "imported, not linked into the image");
    }
    free(bytes);
    bytes = util_read(signed_path, &len);
    ASSERT_TRUE(bytes != NULL);
    arca_result_t r = arca__image_verify(bytes, len, &info);
    free(bytes);
    ASSERT_OK(r);
    for (unsigned i = 0; i < info.imports.count; i++)
        fprintf(stderr, "  imports %s\n", arca__image_allowed_needed[info.imports.lib[i]].name);
}

static void run_on(const char *backend)
{
    static const char sha3_abc[] =
        "3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532";
    static const char hmac_fox[] =
        "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8";
    static const char fox[] = "The quick brown fox jumps over the lazy dog";
    arca_enclave_options_t o;
    arca_enclave_t *e = NULL;
    uint8_t out[64], expected[32];
    char version[128];
    size_t got = 0;

    arca_enclave_options_init(&o);
    o.backend = backend;
    arca_result_t r = arca_enclave_create(signed_path, &o, &e);
    if (r != ARCA_OK)
        TEST__FAIL("%s: create: %s", backend, arca_last_error());
    r = arca_enclave_call(e, 1, "abc", 3, out, sizeof out, &got);
    if (r == ARCA_OK && got == 64 && unhex(sha3_abc, expected, 32) == 32 &&
        !memcmp(out, expected, 32))
        r = arca_enclave_call(e, 1, fox, sizeof fox - 1, out, sizeof out, &got);
    else if (r == ARCA_OK)
        r = ARCA_ERR_INTERNAL;
    int hmac_ok = r == ARCA_OK && got == 64 && unhex(hmac_fox, expected, 32) == 32 &&
                  !memcmp(out + 32, expected, 32);
    arca_result_t v = arca_enclave_call(e, 2, NULL, 0, version, sizeof version - 1, &got);
    version[v == ARCA_OK ? got : 0] = '\0';
    ASSERT_OK(arca_enclave_destroy(e));
    if (r != ARCA_OK)
        TEST__FAIL("%s: digests: %s (%s)", backend, arca_result_name(r), arca_last_error());
    ASSERT_TRUE(hmac_ok);
    ASSERT_OK(v);
    ASSERT_CONTAINS(version, "OpenSSL 3");
    fprintf(stderr, "  %s: known answers match; the enclave's OpenSSL: %s\n", backend, version);
}

static void test_sim(void)
{
    run_on("sim");
}

static void test_process(void)
{
    run_on("process");
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s SIGNED.so UNSIGNED.so\n", argv[0]);
        return 2;
    }
    signed_path = argv[1];
    unsigned_path = argv[2];
    RUN(test_calls_bind_inside_the_image);
    RUN(test_sim);
    RUN(test_process);
    return TEST_SUMMARY();
}
