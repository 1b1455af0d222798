/*
 * test_image_config.c — enclave.conf parsing and configuration validation: every key and
 * value form, comments, whitespace and line endings; and every error (unknown or duplicate
 * key, missing '=', bad or out-of-range numbers, trailing garbage, NUL bytes) reported as
 * "FILE:LINE: what is wrong (allowed: ...)" with the configuration left untouched.
 *
 * usage: test_image_config WORKDIR
 */
#include "base/error.h"
#include "formats/image.h"
#include "test.h"
#include "util.h"

static const char *work_dir;

static arca_result_t parse(const char *text, struct arca_enclave_config *c)
{
    arca__config_defaults(c);
    return arca__config_parse(text, strlen(text), "test.conf", c);
}

static void test_defaults_are_valid(void)
{
    struct arca_enclave_config c;
    arca__config_defaults(&c);
    ASSERT_OK(arca__config_validate(&c));
    ASSERT_MEMEQ(c.magic, ARCA_CONFIG_MAGIC, 8);
    ASSERT_EQ(c.version, ARCA_CONFIG_VERSION);
    ASSERT_EQ(c.flags, 0);
    ASSERT_UEQ(c.heap_size, 6u << 20);
    ASSERT_UEQ(c.stack_size, 256u << 10);
    ASSERT_EQ(c.threads, 4);
    ASSERT_EQ(c.product_id, 0);
    ASSERT_EQ(c.svn, 0);
    ASSERT_EQ(c.enclave_threads, 0);
}

static void test_every_key_and_form(void)
{
    struct arca_enclave_config c;
    const char *text = "# enclave.conf for a test\n"
                       "\n"
                       "   Debug = 1\n"
                       "Switchless=true   # spin longer\r\n"
                       "\tHeapSize\t=\t0x100000\n"
                       "StackSize = 64K\n"
                       "Threads = 16\n"
                       "ProductID = 0xBEEF\n"
                       "EnclaveThreads = 3\n"
                       "SecurityVersion = 65535"; /* no final newline */
    ASSERT_OK(parse(text, &c));
    ASSERT_OK(arca__config_validate(&c));
    ASSERT_EQ(c.flags, ARCA_CONFIG_FLAG_DEBUG | ARCA_CONFIG_FLAG_SWITCHLESS);
    ASSERT_UEQ(c.heap_size, 0x100000);
    ASSERT_UEQ(c.stack_size, 64 * 1024);
    ASSERT_EQ(c.threads, 16);
    ASSERT_EQ(c.product_id, 0xBEEF);
    ASSERT_EQ(c.svn, 65535);
    ASSERT_EQ(c.enclave_threads, 3);
    ASSERT_OK(parse("EnclaveThreads = 16\n", &c));
    ASSERT_EQ(c.enclave_threads, ARCA_MAX_ENCLAVE_THREADS);
    ASSERT_OK(parse("EnclaveThreads = 0\n", &c));
    ASSERT_EQ(c.enclave_threads, 0);

    ASSERT_OK(parse("Debug = false\nSwitchless = 0\nHeapSize = 2G\nStackSize = 1m\n", &c));
    ASSERT_EQ(c.flags, 0);
    ASSERT_UEQ(c.heap_size, UINT64_C(2) << 30);
    ASSERT_UEQ(c.stack_size, 1u << 20);
    ASSERT_OK(parse("HeapSize = 16G\nStackSize = 256M\nThreads = 64\n", &c));
    ASSERT_UEQ(c.heap_size, ARCA_MAX_HEAP);
    ASSERT_UEQ(c.stack_size, ARCA_MAX_STACK);
    ASSERT_OK(parse("HeapSize = 65536\nStackSize = 0x4000\nThreads = 1\nProductID = 0\n", &c));
    ASSERT_UEQ(c.heap_size, ARCA_MIN_HEAP);
    ASSERT_UEQ(c.stack_size, ARCA_MIN_STACK);
    ASSERT_OK(parse("HeapSize = 0x10M\n", &c));
    ASSERT_UEQ(c.heap_size, 16u << 20);
    /* Debug = 0 clears a flag that was already set; unset keys keep their values. */
    arca__config_defaults(&c);
    c.flags = ARCA_CONFIG_FLAG_DEBUG | ARCA_CONFIG_FLAG_SWITCHLESS;
    c.svn = 9;
    ASSERT_OK(arca__config_parse("Debug = 0\n", 10, "x", &c));
    ASSERT_EQ(c.flags, ARCA_CONFIG_FLAG_SWITCHLESS);
    ASSERT_EQ(c.svn, 9);
    /* Empty text, comments only, NULL name. */
    ASSERT_OK(arca__config_parse(NULL, 0, "x", &c));
    ASSERT_OK(arca__config_parse("# nothing\n\n  \n", 14, NULL, &c));
}

struct bad_case {
    const char *text;
    const char *detail; /* expected detail prefix ("test.conf:LINE: ...") */
    const char *also;   /* another part the detail must contain */
};

static void test_errors_name_file_and_line(void)
{
    static const struct bad_case cases[] = {
        {"Debug = 1\nColour = blue\n", "test.conf:2: unknown key 'Colour'", "allowed: Debug, "},
        {"heapsize = 1M\n", "test.conf:1: unknown key 'heapsize'", "did you mean 'HeapSize'"},
        {"Threads = 2\n\nThreads = 3\n", "test.conf:3: duplicate key Threads", "first set on line 1"},
        {"# c\nDebug 1\n", "test.conf:2: missing '='", "allowed: 'Key = value'"},
        {"= 1\n", "test.conf:1: missing key before '='", "allowed: Debug"},
        {"Debug =\n", "test.conf:1: missing value for Debug", "allowed: 0, 1, true, false"},
        {"Debug = yes\n", "test.conf:1: bad value 'yes' for Debug", "allowed: 0, 1, true, false"},
        {"Debug = 1 2\n", "test.conf:1: bad value '1 2' for Debug", "allowed"},
        {"Switchless = TRUE\n", "test.conf:1: bad value 'TRUE'", "allowed"},
        {"HeapSize = 12x\n", "test.conf:1: bad number '12x' for HeapSize", "K, M or G suffix"},
        {"HeapSize = 1.5M\n", "test.conf:1: bad number '1.5M'", "allowed"},
        {"HeapSize = -1\n", "test.conf:1: bad number '-1'", "allowed"},
        {"HeapSize = 0x\n", "test.conf:1: bad number '0x'", "allowed"},
        {"HeapSize = M\n", "test.conf:1: bad number 'M'", "allowed"},
        {"HeapSize = 32 M\n", "test.conf:1: bad number '32 M'", "allowed"},
        {"HeapSize = 32MB\n", "test.conf:1: bad number '32MB'", "allowed"},
        {"Threads = 4K\n", "test.conf:1: bad number '4K' for Threads", "decimal or 0x hex"},
        {"HeapSize = 1K\n", "test.conf:1: HeapSize '1K' is out of range", "64K..16G"},
        {"HeapSize = 17G\n", "test.conf:1: HeapSize '17G' is out of range", "64K..16G"},
        {"HeapSize = 99999999999999999999\n", "test.conf:1: HeapSize '99999999999999999999' is out of range", "allowed"},
        {"HeapSize = 0xFFFFFFFFFFFFFFFFF\n", "test.conf:1: HeapSize", "out of range"},
        {"HeapSize = 17179869184G\n", "test.conf:1: HeapSize", "out of range"},
        {"HeapSize = 99999999999999999999x\n", "test.conf:1: bad number", "allowed"},
        {"StackSize = 512M\n", "test.conf:1: StackSize '512M' is out of range", "16K..256M"},
        {"StackSize = 8K\n", "test.conf:1: StackSize '8K' is out of range", "16K..256M"},
        {"Threads = 0\n", "test.conf:1: Threads '0' is out of range", "allowed: 1..64"},
        {"Threads = 65\n", "test.conf:1: Threads '65' is out of range", "allowed: 1..64"},
        {"EnclaveThreads = 17\n", "test.conf:1: EnclaveThreads '17' is out of range", "allowed: 0..16"},
        {"EnclaveThreads = -1\n", "test.conf:1: bad number '-1' for EnclaveThreads", "decimal"},
        {"enclavethreads = 1\n", "test.conf:1: unknown key", "did you mean 'EnclaveThreads'"},
        {"ProductID = 65536\n", "test.conf:1: ProductID '65536' is out of range", "0..65535"},
        {"SecurityVersion = 70000\n", "test.conf:1: SecurityVersion '70000' is out of range", "0..65535"},
        {"\n\n\n\nSecurityVersion = 1 # ok\nProductID = 1 1\n", "test.conf:6: bad number '1 1'", "ProductID"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct arca_enclave_config c, before;
        arca__config_defaults(&before);
        c = before;
        arca_result_t r = arca__config_parse(cases[i].text, strlen(cases[i].text), "test.conf", &c);
        if (r != ARCA_ERR_CONFIG)
            TEST__FAIL("case %zu (%s): got %s", i, cases[i].text, arca_result_name(r));
        const char *d = arca__error_detail();
        if (strncmp(d, cases[i].detail, strlen(cases[i].detail)) != 0)
            TEST__FAIL("case %zu: detail \"%s\" does not start with \"%s\"", i, d, cases[i].detail);
        ASSERT_CONTAINS(d, cases[i].also);
        ASSERT_MEMEQ(&c, &before, sizeof c); /* nothing half-applied */
    }
    /* A NUL byte inside the text. */
    struct arca_enclave_config c;
    arca__config_defaults(&c);
    ASSERT_RESULT(arca__config_parse("Debug = 1\nThr\0eads = 2\n", 23, "n.conf", &c), ARCA_ERR_CONFIG);
    ASSERT_CONTAINS(arca__error_detail(), "n.conf:2: NUL byte");
    /* A very long line is quoted back shortened, never overflowing the detail buffer. */
    char long_line[5000];
    memset(long_line, 'K', sizeof long_line);
    memcpy(long_line + sizeof long_line - 4, "= 1", 4);
    ASSERT_RESULT(arca__config_parse(long_line, strlen(long_line), "l.conf", &c), ARCA_ERR_CONFIG);
    ASSERT_CONTAINS(arca__error_detail(), "l.conf:1: unknown key 'KKKK");
    ASSERT_RESULT(arca__config_parse("x", 1, "x", NULL), ARCA_ERR_INVALID_ARGUMENT);
    ASSERT_RESULT(arca__config_parse(NULL, 3, "x", &c), ARCA_ERR_INVALID_ARGUMENT);
}

static void test_validate_rejects_each_field(void)
{
    struct arca_enclave_config c;
#define INVALID(edit, needle)                                                                    \
    do {                                                                                         \
        arca__config_defaults(&c);                                                               \
        edit;                                                                                    \
        ASSERT_RESULT(arca__config_validate(&c), ARCA_ERR_CONFIG);                               \
        ASSERT_CONTAINS(arca__error_detail(), needle);                                           \
    } while (0)
    INVALID(c.magic[0] = 'X', "magic");
    INVALID(c.version = 2, "version 2");
    INVALID(c.flags = 0x8, "unknown flags");
    INVALID(c.heap_size = ARCA_MIN_HEAP - 1, "HeapSize");
    INVALID(c.heap_size = ARCA_MAX_HEAP + 1, "HeapSize");
    INVALID(c.stack_size = ARCA_MIN_STACK - 1, "StackSize");
    INVALID(c.stack_size = ARCA_MAX_STACK + 1, "StackSize");
    INVALID(c.threads = 0, "Threads");
    INVALID(c.threads = ARCA_MAX_THREADS + 1, "Threads");
    INVALID(c.enclave_threads = ARCA_MAX_ENCLAVE_THREADS + 1, "EnclaveThreads 17");
    INVALID(c.reserved[0] = 1, "reserved byte 0");
    INVALID(c.reserved[7] = 1, "reserved byte 7");
#undef INVALID
    ASSERT_RESULT(arca__config_validate(NULL), ARCA_ERR_INVALID_ARGUMENT);
}

static void test_parse_file(void)
{
    struct arca_enclave_config c;
    char path[4096], missing[4096];
    snprintf(path, sizeof path, "%s/good.conf", work_dir);
    snprintf(missing, sizeof missing, "%s/does-not-exist.conf", work_dir);
    const char *good = "ProductID = 12\nSecurityVersion = 3\n";
    ASSERT_EQ(util_write(path, good, strlen(good)), 0);
    arca__config_defaults(&c);
    ASSERT_OK(arca__config_parse_file(path, &c));
    ASSERT_EQ(c.product_id, 12);
    ASSERT_EQ(c.svn, 3);

    snprintf(path, sizeof path, "%s/bad.conf", work_dir);
    const char *bad = "ProductID = 12\n\nDebug = maybe\n";
    ASSERT_EQ(util_write(path, bad, strlen(bad)), 0);
    ASSERT_RESULT(arca__config_parse_file(path, &c), ARCA_ERR_CONFIG);
    ASSERT_CONTAINS(arca__error_detail(), "bad.conf:3: bad value 'maybe' for Debug");
    ASSERT_RESULT(arca__config_parse_file(missing, &c), ARCA_ERR_IO);
    ASSERT_CONTAINS(arca__error_detail(), "does-not-exist.conf");
    ASSERT_RESULT(arca__config_parse_file(work_dir, &c), ARCA_ERR_IO); /* a directory */
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s WORKDIR\n", argv[0]);
        return 2;
    }
    work_dir = argv[1];
    RUN(test_defaults_are_valid);
    RUN(test_every_key_and_form);
    RUN(test_errors_name_file_and_line);
    RUN(test_validate_rejects_each_field);
    RUN(test_parse_file);
    return TEST_SUMMARY();
}
