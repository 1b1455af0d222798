/*
 * test_allow.c — allow(...) enforced by the code arca-edger generates (allow.edl): outside host
 * calls only public ecalls run; inside a host call only the ecalls it lists, the innermost host
 * call deciding, and the outer one's rule back once the inner one returns. Every refusal is
 * ARCA_ERR_PERMISSION and runs nothing.
 * usage: test_allow BACKEND IMAGE
 */
#include <string.h>

#include "allow_u.h"
#include "test.h"

static const char *backend, *image;
static arca_enclave_t *enclave;

/* What the host saw when it tried the two ecalls inside one of its host calls. */
typedef struct tried {
    arca_result_t private_result, public_result;
    int private_value, public_value;
} tried;

static tried in_allow, in_plain, in_empty, in_allow_after_nesting, in_raw;

static void try_both(tried *t)
{
    t->private_value = t->public_value = 0;
    t->private_result = a_private(enclave, &t->private_value, 20);
    t->public_result = a_public(enclave, &t->public_value, 20, 0);
}

static void forget(void)
{
    const tried none = {ARCA_ERR_INTERNAL, ARCA_ERR_INTERNAL, -1, -1};
    in_allow = in_plain = in_empty = in_allow_after_nesting = in_raw = none;
}

/* Lists a_private and a_public. Then nests: a_public makes o_plain, which lists nothing. */
int o_allow(int which)
{
    (void)which;
    try_both(&in_allow);
    int nested = 0;
    arca_result_t r = a_public(enclave, &nested, 0, 2);
    try_both(&in_allow_after_nesting);
    return r == ARCA_OK && nested == 2 ? 1 : -1;
}

int o_plain(int which)
{
    (void)which;
    try_both(&in_plain);
    return 2;
}

/* A host call made with arca_host_call, outside the generated bridges (id 1000). */
static arca_result_t raw_host_call(void *ctx, const uint8_t *in, size_t in_len, uint8_t *out,
                                   size_t out_cap, size_t *out_len)
{
    (void)ctx, (void)in, (void)in_len, (void)out, (void)out_cap;
    try_both(&in_raw);
    *out_len = 0;
    return ARCA_OK;
}

int o_empty(int which)
{
    (void)which;
    try_both(&in_empty);
    return 3;
}

/* Inside a host call made with arca_host_call (no allow() can name it), as inside a generated
 * host call without allow(): no ecall runs, public or private. */
static void test_raw_host_call_admits_none(void)
{
    int v = 0;
    forget();
    ASSERT_OK(a_start(enclave, &v, 4));
    ASSERT_RESULT(in_raw.private_result, ARCA_ERR_PERMISSION);
    ASSERT_RESULT(in_raw.public_result, ARCA_ERR_PERMISSION);
}

static void test_outside_host_calls(void)
{
    int v = 0;
    ASSERT_OK(a_public(enclave, &v, 21, 0));
    ASSERT_EQ(v, 42);
    v = 0;
    ASSERT_RESULT(a_private(enclave, &v, 1), ARCA_ERR_PERMISSION);
    ASSERT_EQ(v, 0);
}

static void test_listed_and_nested(void)
{
    int ret = 0;
    forget();
    ASSERT_OK(a_start(enclave, &ret, 1));
    ASSERT_EQ(ret, 1);
    /* inside o_allow: both listed */
    ASSERT_OK(in_allow.private_result);
    ASSERT_EQ(in_allow.private_value, 21);
    ASSERT_OK(in_allow.public_result);
    ASSERT_EQ(in_allow.public_value, 40);
    /* inside o_plain inside a_public inside o_allow: the innermost host call lists nothing */
    ASSERT_RESULT(in_plain.private_result, ARCA_ERR_PERMISSION);
    ASSERT_RESULT(in_plain.public_result, ARCA_ERR_PERMISSION);
    ASSERT_EQ(in_plain.private_value, 0);
    /* back in o_allow: its list applies again */
    ASSERT_OK(in_allow_after_nesting.private_result);
    ASSERT_OK(in_allow_after_nesting.public_result);
}

static void test_not_listed(void)
{
    int ret = 0;
    forget();
    ASSERT_OK(a_start(enclave, &ret, 2));
    ASSERT_EQ(ret, 2);
    ASSERT_RESULT(in_plain.private_result, ARCA_ERR_PERMISSION);
    ASSERT_RESULT(in_plain.public_result, ARCA_ERR_PERMISSION);
    ASSERT_EQ(in_plain.private_value, 0);
    ASSERT_EQ(in_plain.public_value, 0);
}

static void test_empty_allow(void)
{
    int ret = 0;
    forget();
    ASSERT_OK(a_start(enclave, &ret, 3));
    ASSERT_EQ(ret, 3);
    ASSERT_RESULT(in_empty.private_result, ARCA_ERR_PERMISSION);
    ASSERT_RESULT(in_empty.public_result, ARCA_ERR_PERMISSION);
}

static void test_after_host_calls(void)
{
    /* every host call has returned: back to the rule outside host calls */
    int v = 0;
    ASSERT_RESULT(a_private(enclave, &v, 1), ARCA_ERR_PERMISSION);
    ASSERT_OK(a_public(enclave, &v, 1, 0));
    ASSERT_EQ(v, 2);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s BACKEND IMAGE\n", argv[0]);
        return 2;
    }
    backend = argv[1];
    image = argv[2];
    arca_enclave_options_t opts;
    arca_enclave_options_init(&opts);
    opts.backend = backend;
    arca_host_call_t calls[16];
    if (allow_host_call_count + 1 > sizeof calls / sizeof calls[0])
        return 2;
    memcpy(calls, allow_host_calls, allow_host_call_count * sizeof calls[0]);
    calls[allow_host_call_count] = (arca_host_call_t){1000u, raw_host_call};
    opts.host_calls = calls;
    opts.host_call_count = allow_host_call_count + 1;
    if (arca_enclave_create(image, &opts, &enclave) != ARCA_OK) {
        fprintf(stderr, "create: %s\n", arca_last_error());
        return 1;
    }
    RUN(test_outside_host_calls);
    RUN(test_raw_host_call_admits_none);
    RUN(test_listed_and_nested);
    RUN(test_not_listed);
    RUN(test_empty_allow);
    RUN(test_after_host_calls);
    if (arca_enclave_destroy(enclave) != ARCA_OK)
        test__failed++;
    return TEST_SUMMARY();
}
