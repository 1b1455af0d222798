/*
 * test_golden.c — arca-edger's output for every EDL file in tests/edger/golden/ must equal the
 * committed expected files byte for byte (golden/expected/NAME_{t,u}.{h,c}). A first line
 * "// args: ARG ..." gives extra arca-edger arguments (e.g. -D OE_SGX).
 *
 * Regenerate after an intended change of the generated code:
 *     ARCA_EDGER_REGENERATE=1 ctest --test-dir BUILD -R edger_golden
 * then review the diff of tests/edger/golden/expected/ like any other code change.
 * usage: test_golden ARCA_EDGER GOLDEN_DIR
 */
#include "test.h"

#include "edger_run.h"

static const char *edger, *golden;

#define MAX_ARGS 8

/* The words of a first line "// args: ..." of @p path (strdup'ed into @p args). */
static size_t read_args(const char *path, char **args)
{
    size_t n = 0;
    char *text = run_read_file(path, NULL);
    if (text && strncmp(text, "// args: ", 9) == 0) {
        text[strcspn(text, "\n")] = '\0';
        for (char *save = NULL, *tok = strtok_r(text + 9, " ", &save); tok && n < MAX_ARGS;
             tok = strtok_r(NULL, " ", &save))
            args[n++] = strdup(tok);
    }
    free(text);
    return n;
}

static void check_one(const char *edl)
{
    char *dir = run_scratch_dir();
    ASSERT_TRUE(dir != NULL);
    char path[4096], inc[4096], err[4096], base[256];
    snprintf(path, sizeof path, "%s/%s", golden, edl);
    char *extra[MAX_ARGS];
    size_t extra_count = read_args(path, extra);
    snprintf(inc, sizeof inc, "%s/inc", golden);
    snprintf(err, sizeof err, "%s/stderr", dir);
    snprintf(base, sizeof base, "%.*s", (int)(strlen(edl) - 4), edl);
    const char *regen = getenv("ARCA_EDGER_REGENERATE");
    char expected_dir[4096];
    snprintf(expected_dir, sizeof expected_dir, "%s/expected", golden);
    const char *out_dir = regen ? expected_dir : dir;
    char *argv[16 + MAX_ARGS] = {(char *)edger, "--search-path", inc, "--trusted-dir", (char *)out_dir,
                                 "--untrusted-dir", (char *)out_dir};
    size_t argc = 7;
    for (size_t i = 0; i < extra_count; i++)
        argv[argc++] = extra[i];
    argv[argc++] = path;
    argv[argc] = NULL;
    int rc = run_command(argv, err);
    char *err_text = run_read_file(err, NULL);
    if (rc != 0)
        fprintf(stderr, "  arca-edger said: %s\n", err_text ? err_text : "");
    ASSERT_EQ(rc, 0);
    ASSERT_STREQ(err_text, "");
    free(err_text);
    static const char *const suffixes[] = {"_t.h", "_t.c", "_u.h", "_u.c"};
    for (size_t i = 0; i < 4; i++) {
        char got_path[8192], want_path[8192];
        snprintf(got_path, sizeof got_path, "%s/%s%s", out_dir, base, suffixes[i]);
        snprintf(want_path, sizeof want_path, "%s/%s%s", expected_dir, base, suffixes[i]);
        size_t got_len = 0, want_len = 0;
        char *got = run_read_file(got_path, &got_len);
        char *want = run_read_file(want_path, &want_len);
        int same = got && want && got_len == want_len && memcmp(got, want, got_len) == 0;
        if (!same)
            fprintf(stderr, "  %s differs from %s (diff them; regenerate with ARCA_EDGER_REGENERATE=1 "
                            "if the change is intended)\n", got_path, want_path);
        free(got);
        free(want);
        ASSERT_TRUE(same);
    }
    /* Determinism: a second run produces the same bytes. */
    if (!regen) {
        char *argv2[16 + MAX_ARGS] = {(char *)edger, "--search-path", inc, "--trusted", "--trusted-dir", dir};
        size_t argc2 = 6;
        for (size_t i = 0; i < extra_count; i++)
            argv2[argc2++] = extra[i];
        argv2[argc2++] = path;
        argv2[argc2] = NULL;
        char again[4096], first[4096];
        snprintf(first, sizeof first, "%s/%s_t.c", dir, base);
        size_t l1 = 0, l2 = 0;
        char *a = run_read_file(first, &l1);
        ASSERT_EQ(run_command(argv2, err), 0);
        snprintf(again, sizeof again, "%s/%s_t.c", dir, base);
        char *b = run_read_file(again, &l2);
        int same = a && b && l1 == l2 && memcmp(a, b, l1) == 0;
        free(a);
        free(b);
        ASSERT_TRUE(same);
    }
    run_remove_dir(dir);
    free(dir);
    for (size_t i = 0; i < extra_count; i++)
        free(extra[i]);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s ARCA_EDGER GOLDEN_DIR\n", argv[0]);
        return 2;
    }
    edger = argv[1];
    golden = argv[2];
    size_t n;
    char **files = run_list(golden, ".edl", &n);
    for (size_t i = 0; i < n; i++) {
        run_case(check_one, files[i]);
    }
    if (n < 5) {
        fprintf(stderr, "  FAIL: expected the golden corpus in %s, found %zu files\n", golden, n);
        test__failed++;
    }
    run_free_list(files);
    return TEST_SUMMARY();
}
