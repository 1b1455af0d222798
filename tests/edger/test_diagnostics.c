/*
 * test_diagnostics.c — every file in tests/edger/diag/ whose first line is
 *     // expect: FILE:LINE:COL: error: MESSAGE
 * must make arca-edger exit with status 1, print that diagnostic (position and message), and
 * write no output files. Files without the line are helpers (imported by the others).
 * usage: test_diagnostics ARCA_EDGER DIAG_DIR
 */
#include "test.h"

#include "edger_run.h"

static const char *edger, *diag;

static void check_one(const char *edl)
{
    char path[4096], inc[4096], err[4096];
    snprintf(path, sizeof path, "%s/%s", diag, edl);
    snprintf(inc, sizeof inc, "%s/inc", diag);
    char *text = run_read_file(path, NULL);
    ASSERT_TRUE(text != NULL);
    const char *tag = "// expect: ";
    ASSERT_TRUE(strncmp(text, tag, strlen(tag)) == 0);
    char expect[1024];
    size_t n = strcspn(text + strlen(tag), "\n");
    snprintf(expect, sizeof expect, "%.*s", (int)n, text + strlen(tag));
    free(text);

    char *dir = run_scratch_dir();
    ASSERT_TRUE(dir != NULL);
    snprintf(err, sizeof err, "%s/stderr", dir);
    char *argv[] = {(char *)edger, "--search-path", inc, "--trusted-dir", dir, "--untrusted-dir", dir,
                    path, NULL};
    int rc = run_command(argv, err);
    char *out = run_read_file(err, NULL);
    unlink(err);
    size_t outputs = 0;
    char **left = run_list(dir, ".h", &outputs);
    run_free_list(left);
    run_remove_dir(dir);
    free(dir);
    ASSERT_EQ(rc, 1);
    ASSERT_EQ(outputs, 0);
    /* the diagnostic names the file as given, so match its tail: "/FILE:LINE:COL: error: ..." */
    char want[1100];
    snprintf(want, sizeof want, "/%s", expect);
    int found = out && strstr(out, want) != NULL;
    if (!found)
        fprintf(stderr, "  expected: %s\n  got:      %s", want, out ? out : "(nothing)\n");
    free(out);
    ASSERT_TRUE(found);
}

/* An EDL file one byte over the 16 MiB cap is refused with a diagnostic, never read whole. */
static void test_file_too_large(void)
{
    char path[4096], err[4096];
    char *dir = run_scratch_dir();
    ASSERT_TRUE(dir != NULL);
    snprintf(path, sizeof path, "%s/big.edl", dir);
    snprintf(err, sizeof err, "%s/stderr", dir);
    FILE *f = fopen(path, "wb");
    ASSERT_TRUE(f != NULL);
    ASSERT_EQ(fseek(f, (16L << 20), SEEK_SET), 0); /* a sparse file of (16 << 20) + 1 bytes */
    ASSERT_EQ(fputc(' ', f), ' ');
    ASSERT_EQ(fclose(f), 0);
    char *argv[] = {(char *)edger, "--trusted-dir", dir, "--untrusted-dir", dir, path, NULL};
    int rc = run_command(argv, err);
    char *out = run_read_file(err, NULL);
    unlink(err);
    unlink(path);
    run_remove_dir(dir);
    free(dir);
    ASSERT_EQ(rc, 1);
    ASSERT_TRUE(out && strstr(out, "big.edl' is larger than 16777216 bytes") != NULL);
    free(out);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s ARCA_EDGER DIAG_DIR\n", argv[0]);
        return 2;
    }
    edger = argv[1];
    diag = argv[2];
    size_t n, tests = 0;
    char **files = run_list(diag, ".edl", &n);
    for (size_t i = 0; i < n; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", diag, files[i]);
        char *text = run_read_file(path, NULL);
        int is_test = text && strncmp(text, "// expect: ", 11) == 0;
        free(text);
        if (!is_test)
            continue;
        tests++;
        run_case(check_one, files[i]);
    }
    if (tests < 20) {
        fprintf(stderr, "  FAIL: expected the diagnostic corpus in %s, found %zu tests\n", diag, tests);
        test__failed++;
    }
    run_free_list(files);
    RUN(test_file_too_large);
    return TEST_SUMMARY();
}
