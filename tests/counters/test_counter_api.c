/*
 * test_counter_api.c — arca_counter_create / _increment / _read (src/enclave/counter.c)
 * compiled host-side against a fake trusted runtime (this file) whose loader's counter service
 * is scripted: every bad argument is refused before the platform is asked; the request that is
 * sent carries exactly the action, policy and name; the platform's refusals come back as they
 * are (EXISTS, NOT_FOUND, QUOTA, OVERFLOW, PLATFORM_UNAVAILABLE, UNSUPPORTED, ...); answers no
 * platform could give (an undefined result, a create at a value other than 0, an increment to
 * 0) are ARCA_ERR_BAD_HOST_REPLY; outputs are never written on failure; a loader without a
 * counter service is ARCA_ERR_UNSUPPORTED, and a call before init ARCA_ERR_INTERNAL.
 */
#include <stdlib.h>
#include <string.h>

#include "arca/counter.h"
#include "arca/seal.h"
#include "base/error.h"
#include "formats/platform_wire.h"
#include "runtime.h"
#include "test.h"

/* ---- the fake runtime ---- */
static struct arca__loader_iface iface;
static int initialised = 1;

const struct arca__loader_iface *arca__enclave_iface(void) { return initialised ? &iface : NULL; }

static int calls;
static uint32_t seen_action, seen_policy;
static char seen_name[128];
static arca_result_t answer_result;
static uint64_t answer_value;

static arca_result_t fake_counter(void *services, uint32_t action, uint32_t policy,
                                  const char *name, uint64_t *value)
{
    (void)services;
    calls++;
    seen_action = action;
    seen_policy = policy;
    snprintf(seen_name, sizeof seen_name, "%s", name);
    *value = answer_value; /* written even on failure: the API must not pass it on */
    return answer_result;
}

static void reset(arca_result_t r, uint64_t v)
{
    calls = 0;
    seen_action = seen_policy = 0;
    seen_name[0] = '\0';
    answer_result = r;
    answer_value = v;
    iface.counter = fake_counter;
    initialised = 1;
}

static void test_requests_carry_exactly_the_arguments(void)
{
    uint64_t v = 0;
    reset(ARCA_OK, 0);
    ASSERT_OK(arca_counter_create("a.B-c_9", ARCA_SEAL_SIGNER));
    ASSERT_EQ(calls, 1);
    ASSERT_UEQ(seen_action, ARCA__PW_COUNTER_CREATE);
    ASSERT_UEQ(seen_policy, ARCA_SEAL_SIGNER);
    ASSERT_STREQ(seen_name, "a.B-c_9");
    reset(ARCA_OK, 41);
    ASSERT_OK(arca_counter_increment("n", ARCA_SEAL_ENCLAVE, &v));
    ASSERT_UEQ(v, 41);
    ASSERT_UEQ(seen_action, ARCA__PW_COUNTER_INCREMENT);
    ASSERT_UEQ(seen_policy, ARCA_SEAL_ENCLAVE);
    reset(ARCA_OK, UINT64_MAX);
    ASSERT_OK(arca_counter_read("n", ARCA_SEAL_ENCLAVE, &v));
    ASSERT_UEQ(v, UINT64_MAX);
    ASSERT_UEQ(seen_action, ARCA__PW_COUNTER_READ);
    reset(ARCA_OK, 0);
    ASSERT_OK(arca_counter_read("n", ARCA_SEAL_ENCLAVE, &v)); /* never incremented: 0 */
    ASSERT_UEQ(v, 0);
}

static void test_bad_arguments_never_reach_the_platform(void)
{
    uint64_t v = 7;
    static const char *const bad[] = {"", " ", "a b", "a/b", "a\\b", "a\nb", "\xc3\xa9", "*", "x'",
                                      "01234567890123456789012345678901234567890123456789012345678901234",
                                      "0123456789012345678901234567890123456789012345678901234567890123456789"};
    reset(ARCA_OK, 1);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ASSERT_RESULT(arca_counter_create(bad[i], ARCA_SEAL_ENCLAVE), ARCA_ERR_INVALID_ARGUMENT);
        ASSERT_RESULT(arca_counter_increment(bad[i], ARCA_SEAL_ENCLAVE, &v),
                      ARCA_ERR_INVALID_ARGUMENT);
        ASSERT_RESULT(arca_counter_read(bad[i], ARCA_SEAL_SIGNER, &v), ARCA_ERR_INVALID_ARGUMENT);
    }
    ASSERT_RESULT(arca_counter_create(NULL, ARCA_SEAL_ENCLAVE), ARCA_ERR_INVALID_ARGUMENT);
    ASSERT_RESULT(arca_counter_increment(NULL, ARCA_SEAL_ENCLAVE, &v), ARCA_ERR_INVALID_ARGUMENT);
    ASSERT_RESULT(arca_counter_read(NULL, ARCA_SEAL_ENCLAVE, &v), ARCA_ERR_INVALID_ARGUMENT);
    ASSERT_RESULT(arca_counter_increment("ok", ARCA_SEAL_ENCLAVE, NULL), ARCA_ERR_INVALID_ARGUMENT);
    ASSERT_RESULT(arca_counter_read("ok", ARCA_SEAL_ENCLAVE, NULL), ARCA_ERR_INVALID_ARGUMENT);
    static const int policies[] = {0, 3, -1, 256 + ARCA_SEAL_ENCLAVE, 512 + ARCA_SEAL_SIGNER};
    for (size_t i = 0; i < sizeof policies / sizeof policies[0]; i++) {
        ASSERT_RESULT(arca_counter_create("ok", policies[i]), ARCA_ERR_INVALID_ARGUMENT);
        ASSERT_CONTAINS(arca__error_detail(), "policy");
        ASSERT_RESULT(arca_counter_increment("ok", policies[i], &v), ARCA_ERR_INVALID_ARGUMENT);
        ASSERT_RESULT(arca_counter_read("ok", policies[i], &v), ARCA_ERR_INVALID_ARGUMENT);
    }
    ASSERT_EQ(calls, 0);
    ASSERT_UEQ(v, 7);
    /* the longest name is fine */
    ASSERT_OK(arca_counter_increment(
        "0123456789012345678901234567890123456789012345678901234567890123", ARCA_SEAL_ENCLAVE, &v));
    ASSERT_EQ(calls, 1);
}

static void test_refusals_come_back_unchanged(void)
{
    static const arca_result_t refusals[] = {
        ARCA_ERR_EXISTS, ARCA_ERR_NOT_FOUND, ARCA_ERR_QUOTA, ARCA_ERR_OVERFLOW,
        ARCA_ERR_PLATFORM_UNAVAILABLE, ARCA_ERR_UNSUPPORTED, ARCA_ERR_PLATFORM,
        ARCA_ERR_PLATFORM_DAMAGED, ARCA_ERR_BAD_HOST_REPLY, ARCA_ERR_PERMISSION};
    for (size_t i = 0; i < sizeof refusals / sizeof refusals[0]; i++) {
        uint64_t v = 7;
        reset(refusals[i], 99);
        ASSERT_RESULT(arca_counter_create("r", ARCA_SEAL_ENCLAVE), refusals[i]);
        ASSERT_RESULT(arca_counter_increment("r", ARCA_SEAL_ENCLAVE, &v), refusals[i]);
        ASSERT_RESULT(arca_counter_read("r", ARCA_SEAL_SIGNER, &v), refusals[i]);
        ASSERT_CONTAINS(arca__error_detail(), "counter 'r'");
        ASSERT_UEQ(v, 7); /* never the platform's value on failure */
        ASSERT_EQ(calls, 3);
    }
}

static void test_impossible_answers_are_bad_replies(void)
{
    uint64_t v = 7;
    reset((arca_result_t)ARCA__RESULT_COUNT, 1); /* undefined */
    ASSERT_RESULT(arca_counter_read("x", ARCA_SEAL_ENCLAVE, &v), ARCA_ERR_BAD_HOST_REPLY);
    reset((arca_result_t)-1, 1);
    ASSERT_RESULT(arca_counter_increment("x", ARCA_SEAL_ENCLAVE, &v), ARCA_ERR_BAD_HOST_REPLY);
    reset(ARCA_OK, 5); /* created at 5 */
    ASSERT_RESULT(arca_counter_create("x", ARCA_SEAL_ENCLAVE), ARCA_ERR_BAD_HOST_REPLY);
    ASSERT_CONTAINS(arca__error_detail(), "not 0");
    reset(ARCA_OK, 0); /* incremented to 0 */
    ASSERT_RESULT(arca_counter_increment("x", ARCA_SEAL_ENCLAVE, &v), ARCA_ERR_BAD_HOST_REPLY);
    ASSERT_UEQ(v, 7);
}

static void test_no_service_and_before_init(void)
{
    uint64_t v = 7;
    reset(ARCA_OK, 1);
    iface.counter = NULL; /* a loader that offers no counters */
    ASSERT_RESULT(arca_counter_create("x", ARCA_SEAL_ENCLAVE), ARCA_ERR_UNSUPPORTED);
    ASSERT_RESULT(arca_counter_increment("x", ARCA_SEAL_ENCLAVE, &v), ARCA_ERR_UNSUPPORTED);
    ASSERT_RESULT(arca_counter_read("x", ARCA_SEAL_ENCLAVE, &v), ARCA_ERR_UNSUPPORTED);
    reset(ARCA_OK, 1);
    initialised = 0;
    ASSERT_RESULT(arca_counter_read("x", ARCA_SEAL_ENCLAVE, &v), ARCA_ERR_INTERNAL);
    ASSERT_EQ(calls, 0);
    ASSERT_UEQ(v, 7);
    initialised = 1;
}

int main(void)
{
    RUN(test_requests_carry_exactly_the_arguments);
    RUN(test_bad_arguments_never_reach_the_platform);
    RUN(test_refusals_come_back_unchanged);
    RUN(test_impossible_answers_are_bad_replies);
    RUN(test_no_service_and_before_init);
    return TEST_SUMMARY();
}
