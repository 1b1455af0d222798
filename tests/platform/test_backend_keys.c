/*
 * test_backend_keys.c — sim is not a way around an isolating backend (issue 11, item 6):
 * a blob sealed on `process` does not unseal on `sim` and the reverse, for production and
 * debug images and both sealing policies, while each backend unseals its own; and `auto`
 * never falls back to `sim` for a production image — it fails naming the reason and how to
 * choose sim explicitly — while a debug image still may, and an explicit `sim` still works.
 * argv: production_image debug_image (the sealing test enclaves)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arca/host.h"
#include "arca/seal.h"
#include "base/le.h"
#include "seal_ids.h"
#include "test.h"

static const char *prod_image, *debug_image;

#define SECRET "sealed on one backend"

static arca_result_t open_on(const char *image, const char *backend, arca_enclave_t **e)
{
    arca_enclave_options_t opts;
    arca_enclave_options_init(&opts);
    opts.backend = backend;
    return arca_enclave_create(image, &opts, e);
}

/* Seal SECRET on one backend; unseal the blob on another. */
static arca_result_t seal_then_unseal(const char *image, int policy, const char *seal_on,
                                      const char *unseal_on)
{
    arca_enclave_t *e = NULL;
    uint8_t in[64 + sizeof SECRET], blob[1024], out[1024];
    size_t blob_len = 0, out_len = 0;
    arca_result_t r = open_on(image, seal_on, &e);
    if (r != ARCA_OK)
        return ARCA_ERR_INTERNAL;
    arca__put_le32(in, (uint32_t)policy);
    arca__put_le32(in + 4, 0);
    memcpy(in + 8, SECRET, sizeof SECRET);
    r = arca_enclave_call(e, SEAL_FN_SEAL, in, 8 + sizeof SECRET, blob, sizeof blob, &blob_len);
    if (arca_enclave_destroy(e) != ARCA_OK || r != ARCA_OK)
        return ARCA_ERR_INTERNAL;
    if (open_on(image, unseal_on, &e) != ARCA_OK)
        return ARCA_ERR_INTERNAL;
    uint8_t *req = malloc(4 + blob_len);
    if (!req) {
        (void)arca_enclave_destroy(e);
        return ARCA_ERR_OUT_OF_MEMORY;
    }
    arca__put_le32(req, 0);
    memcpy(req + 4, blob, blob_len);
    r = arca_enclave_call(e, SEAL_FN_UNSEAL, req, 4 + blob_len, out, sizeof out, &out_len);
    free(req);
    if (r == ARCA_OK && (out_len != sizeof SECRET || memcmp(out, SECRET, sizeof SECRET) != 0))
        r = ARCA_ERR_INTERNAL;
    if (arca_enclave_destroy(e) != ARCA_OK)
        r = ARCA_ERR_INTERNAL;
    return r;
}

static void test_sealed_data_does_not_cross_the_isolation_class(void)
{
    const char *images[2] = {prod_image, debug_image};
    const int policies[2] = {ARCA_SEAL_ENCLAVE, ARCA_SEAL_SIGNER};
    for (int i = 0; i < 2; i++) {
        for (int k = 0; k < 2; k++) {
            ASSERT_OK(seal_then_unseal(images[i], policies[k], "process", "process"));
            ASSERT_OK(seal_then_unseal(images[i], policies[k], "sim", "sim"));
            ASSERT_RESULT(seal_then_unseal(images[i], policies[k], "process", "sim"), ARCA_ERR_UNSEAL);
            ASSERT_RESULT(seal_then_unseal(images[i], policies[k], "sim", "process"), ARCA_ERR_UNSEAL);
        }
    }
}

static void test_auto_never_picks_sim_for_a_production_image(void)
{
    arca_enclave_t *e = NULL;
    const char *runner = getenv("ARCA_RUNNER");
    char *saved = runner ? strdup(runner) : NULL;
    unsetenv("ARCA_BACKEND");

    /* Where process can run, auto picks it for either image. */
    ASSERT_OK(open_on(prod_image, NULL, &e));
    ASSERT_STREQ(arca_enclave_backend(e), "process");
    ASSERT_OK(arca_enclave_destroy(e));

    /* Without a runner no isolating backend can run: a production image is refused... */
    setenv("ARCA_RUNNER", "/nonexistent/arca-runner", 1);
    const char *names[2] = {NULL, "auto"};
    for (int i = 0; i < 2; i++) {
        e = (arca_enclave_t *)1;
        ASSERT_RESULT(open_on(prod_image, names[i], &e), ARCA_ERR_BACKEND_UNAVAILABLE);
        ASSERT_TRUE(e == NULL);
        ASSERT_CONTAINS(arca_last_error(), prod_image);
        ASSERT_CONTAINS(arca_last_error(), "production image (Debug = 0)");
        ASSERT_CONTAINS(arca_last_error(), "never picks sim");
        ASSERT_CONTAINS(arca_last_error(), "ARCA_BACKEND=sim");
        ASSERT_CONTAINS(arca_last_error(), "arca-runner not found"); /* why process cannot run */
    }
    setenv("ARCA_BACKEND", "auto", 1);
    ASSERT_RESULT(open_on(prod_image, NULL, &e), ARCA_ERR_BACKEND_UNAVAILABLE);
    /* ... a debug image may still run on sim ... */
    unsetenv("ARCA_BACKEND");
    ASSERT_OK(open_on(debug_image, NULL, &e));
    ASSERT_STREQ(arca_enclave_backend(e), "sim");
    ASSERT_OK(arca_enclave_destroy(e));
    /* ... and sim chosen explicitly runs a production image (with keys of its own). */
    ASSERT_OK(open_on(prod_image, "sim", &e));
    ASSERT_STREQ(arca_enclave_backend(e), "sim");
    ASSERT_OK(arca_enclave_destroy(e));
    setenv("ARCA_BACKEND", "sim", 1);
    ASSERT_OK(open_on(prod_image, NULL, &e));
    ASSERT_STREQ(arca_enclave_backend(e), "sim");
    ASSERT_OK(arca_enclave_destroy(e));
    unsetenv("ARCA_BACKEND");

    if (saved)
        setenv("ARCA_RUNNER", saved, 1);
    else
        unsetenv("ARCA_RUNNER");
    free(saved);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s PRODUCTION_IMAGE DEBUG_IMAGE\n", argv[0]);
        return 2;
    }
    prod_image = argv[1];
    debug_image = argv[2];
    RUN(test_sealed_data_does_not_cross_the_isolation_class);
    RUN(test_auto_never_picks_sim_for_a_production_image);
    return TEST_SUMMARY();
}
