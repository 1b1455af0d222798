/*
 * compat_host.c — the host side of the SDK compatibility-header test: sgx_create_enclave /
 * sgx_destroy_enclave (arca/compat/sgx/sgx_urts.h) and the generated oe_create_compat_enclave /
 * oe_terminate_enclave (arca/compat/openenclave/host.h) create working enclaves on the backend
 * given, refuse what they cannot map (bad flags, OP-TEE, settings, null arguments) with the
 * SDK's codes, and the enclave-side checks (compat_enclave.c) all hold. It must never accept an
 * enclave created on another backend than the one asked for.
 * usage: test_compat BACKEND IMAGE
 */
#include <stdlib.h>
#include <string.h>

#include "arca/compat/openenclave/host.h"
#include "arca/compat/sgx/sgx_urts.h"

#include "compat_u.h"

#include "test.h"

static const char *backend, *image;
static int hellos;

void ocall_hello(void)
{
    hellos++;
}

static void test_sgx_create(void)
{
    sgx_enclave_id_t eid = 0;
    sgx_launch_token_t token;
    int updated = 7, checks = -1;
    sgx_misc_attribute_t misc;

    ASSERT_RESULT(sgx_create_enclave(NULL, SGX_DEBUG_FLAG, NULL, NULL, &eid, NULL),
                  SGX_ERROR_INVALID_PARAMETER);
    ASSERT_RESULT(sgx_create_enclave(image, SGX_DEBUG_FLAG, NULL, NULL, NULL, NULL),
                  SGX_ERROR_INVALID_PARAMETER);
    ASSERT_NE(sgx_create_enclave("/nonexistent/enclave.signed.so", 1, NULL, NULL, &eid, NULL),
              SGX_SUCCESS);
    ASSERT_TRUE(eid == 0);
    ASSERT_RESULT(sgx_destroy_enclave(0), SGX_ERROR_INVALID_ENCLAVE_ID);

    ASSERT_EQ(setenv("ARCA_BACKEND", backend, 1), 0); /* sgx_create_enclave has no backend option */
    memset(token, 0, sizeof token);
    memset(&misc, 0xff, sizeof misc);
    ASSERT_OK(sgx_create_enclave(image, SGX_DEBUG_FLAG, &token, &updated, &eid, &misc));
    ASSERT_TRUE(eid != 0);
    ASSERT_EQ(updated, 0);
    ASSERT_TRUE(misc.secs_attr.flags == 0 && misc.secs_attr.xfrm == 0 && misc.misc_select == 0);
    ASSERT_STREQ(arca_enclave_backend(eid), backend);
    ASSERT_OK(ecall_sgx_checks(eid, &checks));
    ASSERT_EQ(checks, 0);
    hellos = 0;
    ASSERT_OK(ecall_hello(eid)); /* the ocall table was installed */
    ASSERT_EQ(hellos, 1);
    ASSERT_OK(sgx_destroy_enclave(eid));
    ASSERT_EQ(unsetenv("ARCA_BACKEND"), 0);
}

static void test_oe_refusals(void)
{
    oe_enclave_t *enclave = (oe_enclave_t *)&hellos; /* must be reset to NULL on failure */

    ASSERT_RESULT(oe_create_compat_enclave(image, OE_ENCLAVE_TYPE_AUTO, 0x100, NULL, 0, &enclave),
                  OE_INVALID_PARAMETER);
    ASSERT_TRUE(enclave == NULL);
    ASSERT_RESULT(oe_create_compat_enclave(image, OE_ENCLAVE_TYPE_OPTEE, 0, NULL, 0, &enclave),
                  OE_UNSUPPORTED);
    ASSERT_RESULT(oe_create_compat_enclave(image, (oe_enclave_type_t)99, 0, NULL, 0, &enclave),
                  OE_INVALID_PARAMETER);
    ASSERT_RESULT(oe_create_compat_enclave(image, OE_ENCLAVE_TYPE_AUTO, 0, NULL, 1, &enclave),
                  OE_UNSUPPORTED);
    ASSERT_RESULT(oe_create_compat_enclave(NULL, OE_ENCLAVE_TYPE_AUTO, 0, NULL, 0, &enclave),
                  OE_INVALID_PARAMETER);
    ASSERT_RESULT(oe_create_compat_enclave(image, OE_ENCLAVE_TYPE_AUTO, 0, NULL, 0, NULL),
                  OE_INVALID_PARAMETER);
    ASSERT_TRUE(enclave == NULL);
    ASSERT_STREQ(oe_result_str(OE_OK), arca_result_str(ARCA_OK));
}

static void test_oe_create(void)
{
    oe_enclave_t *enclave = NULL;
    int checks = -1;
    const oe_enclave_type_t types[] = {OE_ENCLAVE_TYPE_AUTO, OE_ENCLAVE_TYPE_SGX};

    /* OE_ENCLAVE_FLAG_SIMULATE: the sim backend, whatever ARCA_BACKEND says. */
    ASSERT_EQ(setenv("ARCA_BACKEND", "process", 1), 0);
    ASSERT_OK(oe_create_compat_enclave(image, OE_ENCLAVE_TYPE_AUTO,
                                       OE_ENCLAVE_FLAG_DEBUG | OE_ENCLAVE_FLAG_SIMULATE, NULL, 0,
                                       &enclave));
    ASSERT_STREQ(arca_enclave_backend(enclave), "sim");
    ASSERT_OK(ecall_oe_checks(enclave, &checks));
    ASSERT_EQ(checks, 0);
    ASSERT_OK(oe_terminate_enclave(enclave));

    /* Without it: ARCA_BACKEND. */
    ASSERT_EQ(setenv("ARCA_BACKEND", backend, 1), 0);
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        enclave = NULL;
        ASSERT_OK(
            oe_create_compat_enclave(image, types[i], OE_ENCLAVE_FLAG_DEBUG, NULL, 0, &enclave));
        ASSERT_STREQ(arca_enclave_backend(enclave), backend);
        checks = -1;
        ASSERT_OK(ecall_oe_checks(enclave, &checks));
        ASSERT_EQ(checks, 0);
        hellos = 0;
        ASSERT_OK(ecall_hello(enclave));
        ASSERT_EQ(hellos, 1);
        ASSERT_OK(oe_terminate_enclave(enclave));
    }
    ASSERT_EQ(unsetenv("ARCA_BACKEND"), 0);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s BACKEND IMAGE\n", argv[0]);
        return 2;
    }
    backend = argv[1];
    image = argv[2];
    RUN(test_sgx_create);
    RUN(test_oe_refusals);
    RUN(test_oe_create);
    return TEST_SUMMARY();
}
