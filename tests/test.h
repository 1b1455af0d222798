/*
 * test.h — the tiny test harness every Arca test uses.
 *
 * Asserts print both operands and the location (libuv's task.h style); a failed assert
 * ends the current test function, counts it, and the run continues with the next test.
 * A test file's main() is:
 *     int main(void) { RUN(test_a); RUN(test_b); return TEST_SUMMARY(); }
 * TEST_SUMMARY prints "N passed, N failed" and returns the exit status for ctest.
 */
#ifndef ARCA_TEST_H
#define ARCA_TEST_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arca/result.h"

static int test__passed, test__failed, test__current_failed;

#define TEST__FAIL(...)                                                                          \
    do {                                                                                         \
        fprintf(stderr, "  FAIL %s:%d: ", __FILE__, __LINE__);                                   \
        fprintf(stderr, __VA_ARGS__);                                                            \
        fprintf(stderr, "\n");                                                                   \
        test__current_failed = 1;                                                                \
        return;                                                                                  \
    } while (0)

#define ASSERT_TRUE(c)                                                                           \
    do {                                                                                         \
        if (!(c))                                                                                \
            TEST__FAIL("expected true: %s", #c);                                                 \
    } while (0)

#define ASSERT_EQ(a, b)                                                                          \
    do {                                                                                         \
        long long test__a = (long long)(a), test__b = (long long)(b);                            \
        if (test__a != test__b)                                                                  \
            TEST__FAIL("%s == %s: %lld != %lld", #a, #b, test__a, test__b);                      \
    } while (0)

#define ASSERT_NE(a, b)                                                                          \
    do {                                                                                         \
        long long test__a = (long long)(a), test__b = (long long)(b);                            \
        if (test__a == test__b)                                                                  \
            TEST__FAIL("%s != %s: both %lld", #a, #b, test__a);                                  \
    } while (0)

#define ASSERT_UEQ(a, b)                                                                         \
    do {                                                                                         \
        unsigned long long test__a = (unsigned long long)(a), test__b = (unsigned long long)(b); \
        if (test__a != test__b)                                                                  \
            TEST__FAIL("%s == %s: %llu != %llu", #a, #b, test__a, test__b);                      \
    } while (0)

#define ASSERT_STREQ(a, b)                                                                       \
    do {                                                                                         \
        const char *test__a = (a), *test__b = (b);                                               \
        if (!test__a || !test__b || strcmp(test__a, test__b) != 0)                               \
            TEST__FAIL("%s == %s: \"%s\" != \"%s\"", #a, #b, test__a ? test__a : "(null)",       \
                       test__b ? test__b : "(null)");                                            \
    } while (0)

#define ASSERT_CONTAINS(haystack, needle)                                                        \
    do {                                                                                         \
        const char *test__h = (haystack), *test__n = (needle);                                   \
        if (!test__h || !strstr(test__h, test__n))                                               \
            TEST__FAIL("%s contains \"%s\": got \"%s\"", #haystack, test__n,                     \
                       test__h ? test__h : "(null)");                                            \
    } while (0)

#define ASSERT_MEMEQ(a, b, n)                                                                    \
    do {                                                                                         \
        if (memcmp((a), (b), (n)) != 0)                                                          \
            TEST__FAIL("%s and %s differ in their first %zu bytes", #a, #b, (size_t)(n));        \
    } while (0)

/* Result asserts print the symbolic names of both results. */
#define ASSERT_RESULT(expr, expected)                                                            \
    do {                                                                                         \
        arca_result_t test__r = (expr), test__e = (expected);                                    \
        if (test__r != test__e)                                                                  \
            TEST__FAIL("%s: got %s (%s), expected %s", #expr, arca_result_name(test__r),         \
                       arca_result_str(test__r), arca_result_name(test__e));                     \
    } while (0)
#define ASSERT_OK(expr) ASSERT_RESULT(expr, ARCA_OK)

#define RUN(fn)                                                                                  \
    do {                                                                                         \
        test__current_failed = 0;                                                                \
        fprintf(stderr, "[ RUN  ] %s\n", #fn);                                                   \
        fn();                                                                                    \
        if (test__current_failed) {                                                              \
            test__failed++;                                                                      \
            fprintf(stderr, "[ FAIL ] %s\n", #fn);                                               \
        } else {                                                                                 \
            test__passed++;                                                                      \
            fprintf(stderr, "[  OK  ] %s\n", #fn);                                               \
        }                                                                                        \
    } while (0)

/* A host call that takes anything and replies with nothing: for tables that need one entry. */
static inline arca_result_t test_hc_nothing(void *ctx, const uint8_t *in, size_t in_len,
                                            uint8_t *out, size_t out_cap, size_t *out_len)
{
    (void)ctx, (void)in, (void)in_len, (void)out, (void)out_cap;
    *out_len = 0;
    return ARCA_OK;
}

/*
 * A fresh private directory /tmp/arca-<name>-XXXXXX for a test's files, written into dir;
 * 1 on success (0 after printing why not).
 */
static inline int test_make_scratch_dir(char *dir, size_t cap, const char *name)
{
    if ((size_t)snprintf(dir, cap, "/tmp/arca-%s-XXXXXX", name) >= cap || !mkdtemp(dir)) {
        perror("test scratch directory");
        return 0;
    }
    return 1;
}

/* Remove a scratch directory and everything in it (a warning, not a failure, if that fails). */
static inline void test_remove_scratch_dir(const char *dir)
{
    char cmd[4200];
    if ((size_t)snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir) >= sizeof cmd || system(cmd) != 0)
        fprintf(stderr, "warning: could not remove %s\n", dir);
}

#define TEST_SUMMARY()                                                                           \
    (fprintf(stderr, "%d passed, %d failed\n", test__passed, test__failed), test__failed ? 1 : 0)

#endif
