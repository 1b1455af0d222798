/*
 * host.c — runs the helloworld port check: the enclave calls back into the host exactly once
 * per ecall. usage: edger_port_helloworld BACKEND IMAGE
 */
#include "helloworld_u.h"

#include "test.h"

static int host_calls;
static const char *backend, *image;

void host_helloworld(void)
{
    host_calls++;
}

static void test_hello(void)
{
    arca_enclave_options_t opts;
    arca_enclave_t *enclave = NULL;
    arca_enclave_options_init(&opts);
    opts.backend = backend;
    opts.host_calls = helloworld_host_calls;
    opts.host_call_count = helloworld_host_call_count;
    ASSERT_OK(arca_enclave_create(image, &opts, &enclave));
    ASSERT_OK(enclave_helloworld(enclave));
    ASSERT_EQ(host_calls, 1);
    ASSERT_OK(enclave_helloworld(enclave));
    ASSERT_EQ(host_calls, 2);
    ASSERT_OK(arca_enclave_destroy(enclave));
    ASSERT_RESULT(enclave_helloworld(enclave), ARCA_ERR_ENCLAVE_DESTROYED);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s BACKEND IMAGE\n", argv[0]);
        return 2;
    }
    backend = argv[1];
    image = argv[2];
    RUN(test_hello);
    return TEST_SUMMARY();
}
