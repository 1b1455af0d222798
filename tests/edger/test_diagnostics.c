/*
 * test_diagnostics.c — every file in tests/edger/diag/ that starts with expectation lines
 *     // expect: FILE:LINE:COL: error: MESSAGE     an error (matched as the tail of a path)
 *     // expect-trail: FILE:LINE:COL                an "  imported from .../FILE:LINE:COL" line
 *     // expect-text: TEXT                          any text of the output
 *     // expect-errors: N                           exactly N errors (default: one per expect:)
 *     // args: ARG ...                              extra arca-edger arguments
 * must make arca-edger exit with status 1, print exactly those errors (so error recovery adds
 * no follow-on noise) and write no output files. Files without "// expect" lines are helpers
 * (imported by the others).
 * usage: test_diagnostics ARCA_EDGER DIAG_DIR
 */
#include "test.h"

#include "edger_run.h"

static const char *edger, *diag;

#define MAX_EXPECT 32

typedef struct expectations {
    char errors[MAX_EXPECT][1100];
    size_t error_count;
    char trails[MAX_EXPECT][1100];
    size_t trail_count;
    char texts[MAX_EXPECT][1100];
    size_t text_count;
    char *args[MAX_EXPECT];
    size_t arg_count;
    long want_errors; /* -1: one per expected error */
} expectations;

/* The leading "// expect...", "// args:" lines of @p text. */
static void read_expectations(const char *text, expectations *e)
{
    memset(e, 0, sizeof *e);
    e->want_errors = -1;
    for (const char *line = text; strncmp(line, "// ", 3) == 0;) {
        size_t n = strcspn(line, "\n");
        char buf[1100];
        snprintf(buf, sizeof buf, "%.*s", (int)n, line);
        if (strncmp(buf, "// expect: ", 11) == 0 && e->error_count < MAX_EXPECT)
            snprintf(e->errors[e->error_count++], sizeof e->errors[0], "%s", buf + 11);
        else if (strncmp(buf, "// expect-trail: ", 17) == 0 && e->trail_count < MAX_EXPECT)
            snprintf(e->trails[e->trail_count++], sizeof e->trails[0], "%s", buf + 17);
        else if (strncmp(buf, "// expect-text: ", 16) == 0 && e->text_count < MAX_EXPECT)
            snprintf(e->texts[e->text_count++], sizeof e->texts[0], "%s", buf + 16);
        else if (strncmp(buf, "// expect-errors: ", 18) == 0)
            e->want_errors = strtol(buf + 18, NULL, 10);
        else if (strncmp(buf, "// args: ", 9) == 0)
            for (char *save = NULL, *tok = strtok_r(buf + 9, " ", &save); tok && e->arg_count < MAX_EXPECT;
                 tok = strtok_r(NULL, " ", &save))
                e->args[e->arg_count++] = strdup(tok);
        line += n;
        if (*line == '\n')
            line++;
    }
}

/* Number of lines of @p out that hold ": error: ". */
static long count_errors(const char *out)
{
    long n = 0;
    for (const char *p = out; p && (p = strstr(p, ": error: ")) != NULL; p++)
        n++;
    return n;
}

/* Does a line of @p out start with "  imported from " and end with "/" TAIL (or equal it)? */
static int has_trail(const char *out, const char *tail)
{
    const char *lead = "  imported from ";
    size_t tl = strlen(tail);
    for (const char *line = out; line && *line;) {
        size_t n = strcspn(line, "\n");
        if (strncmp(line, lead, strlen(lead)) == 0 && n >= tl + strlen(lead) &&
            memcmp(line + n - tl, tail, tl) == 0 &&
            (n == tl + strlen(lead) || line[n - tl - 1] == '/'))
            return 1;
        line += n;
        if (*line == '\n')
            line++;
    }
    return 0;
}

static void check_one(const char *edl)
{
    char path[4096], inc[4096], err[4096];
    snprintf(path, sizeof path, "%s/%s", diag, edl);
    snprintf(inc, sizeof inc, "%s/inc", diag);
    char *text = run_read_file(path, NULL);
    ASSERT_TRUE(text != NULL);
    expectations e;
    read_expectations(text, &e);
    free(text);
    ASSERT_TRUE(e.error_count > 0 || e.want_errors > 0);

    char *dir = run_scratch_dir();
    ASSERT_TRUE(dir != NULL);
    snprintf(err, sizeof err, "%s/stderr", dir);
    char *argv[16 + MAX_EXPECT];
    size_t argc = 0;
    argv[argc++] = (char *)edger;
    argv[argc++] = "--search-path";
    argv[argc++] = inc;
    argv[argc++] = "--trusted-dir";
    argv[argc++] = dir;
    argv[argc++] = "--untrusted-dir";
    argv[argc++] = dir;
    for (size_t i = 0; i < e.arg_count; i++)
        argv[argc++] = e.args[i];
    argv[argc++] = path;
    argv[argc] = NULL;
    int rc = run_command(argv, err);
    char *out = run_read_file(err, NULL);
    unlink(err);
    size_t outputs = 0;
    char **left = run_list(dir, ".h", &outputs);
    run_free_list(left);
    run_remove_dir(dir);
    free(dir);
    for (size_t i = 0; i < e.arg_count; i++)
        free(e.args[i]);
    ASSERT_EQ(rc, 1);
    ASSERT_EQ(outputs, 0);
    int ok = 1;
    /* a diagnostic names the file as given, so match its tail: "/FILE:LINE:COL: error: ..." */
    for (size_t i = 0; i < e.error_count; i++) {
        char want[1200];
        snprintf(want, sizeof want, "/%s", e.errors[i]);
        if (!out || !strstr(out, want)) {
            fprintf(stderr, "  expected: %s\n", want);
            ok = 0;
        }
    }
    for (size_t i = 0; i < e.trail_count; i++)
        if (!out || !has_trail(out, e.trails[i])) {
            fprintf(stderr, "  expected the trail line: imported from .../%s\n", e.trails[i]);
            ok = 0;
        }
    for (size_t i = 0; i < e.text_count; i++)
        if (!out || !strstr(out, e.texts[i])) {
            fprintf(stderr, "  expected the text: %s\n", e.texts[i]);
            ok = 0;
        }
    long want = e.want_errors >= 0 ? e.want_errors : (long)e.error_count;
    if (count_errors(out) != want) {
        fprintf(stderr, "  expected %ld error(s), got %ld\n", want, count_errors(out));
        ok = 0;
    }
    if (!ok)
        fprintf(stderr, "  got:\n%s", out ? out : "(nothing)\n");
    free(out);
    ASSERT_TRUE(ok);
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

/* Run arca-edger with @p args (NULL-terminated, at most 8) in a scratch directory holding
 * @p edl_text as app.edl; stdout and stderr come back (caller frees). @return the exit status. */
static int run_in_scratch(const char *edl_text, char *const *args, char **out, char **err)
{
    char *dir = run_scratch_dir();
    if (!dir)
        return -1;
    char edl[4096], outp[4096], errp[4096];
    snprintf(edl, sizeof edl, "%s/app.edl", dir);
    snprintf(outp, sizeof outp, "%s/stdout", dir);
    snprintf(errp, sizeof errp, "%s/stderr", dir);
    FILE *f = fopen(edl, "w");
    if (f) {
        fputs(edl_text, f);
        fclose(f);
    }
    char *argv[16] = {(char *)edger, "--trusted-dir", dir, "--untrusted-dir", dir};
    size_t argc = 5;
    for (size_t i = 0; args[i] && argc < 14; i++)
        argv[argc++] = args[i];
    argv[argc++] = edl;
    argv[argc] = NULL;
    int rc = run_command_out(argv, outp, errp);
    *out = run_read_file(outp, NULL);
    *err = run_read_file(errp, NULL);
    run_remove_dir(dir);
    free(dir);
    return rc;
}

/* The options that choose the stand-ins for SDK EDL files, and -D. */
static void test_sdk_edl_options(void)
{
    static const char *app = "enclave {\n    from \"sgx_tstdc.edl\" import *;\n"
                             "    trusted { public void f(void); };\n};\n";
    char *out = NULL, *err = NULL;

    /* the default directory exists and holds the stand-ins */
    char *print[] = {"--print-sdk-edl-dir", NULL};
    ASSERT_EQ(run_in_scratch(app, print, &out, &err), 0);
    ASSERT_TRUE(out != NULL && out[0] != '\0');
    char standin[4200];
    snprintf(standin, sizeof standin, "%.*s/sgx_tstdc.edl", (int)strcspn(out, "\n"), out);
    struct stat st;
    ASSERT_EQ(stat(standin, &st), 0);
    free(out);
    free(err);

    /* by default the import resolves; with --no-sdk-edl it cannot, and the message says why */
    char *none[] = {NULL};
    ASSERT_EQ(run_in_scratch(app, none, &out, &err), 0);
    ASSERT_STREQ(err, "");
    free(out);
    free(err);
    char *off[] = {"--no-sdk-edl", NULL};
    ASSERT_EQ(run_in_scratch(app, off, &out, &err), 1);
    ASSERT_CONTAINS(err, "cannot find imported file \"sgx_tstdc.edl\"");
    ASSERT_CONTAINS(err, "switched off (--no-sdk-edl)");
    free(out);
    free(err);

    /* --sdk-edl-dir: another directory of stand-ins (here one whose sgx_tstdc.edl has an error) */
    char inc[4096];
    snprintf(inc, sizeof inc, "%s/inc", diag);
    char *custom[] = {"--sdk-edl-dir", inc, NULL};
    ASSERT_EQ(run_in_scratch(app, custom, &out, &err), 1);
    ASSERT_CONTAINS(err, "[user_check] is not supported");
    free(out);
    free(err);
    char *missing[] = {"--sdk-edl-dir", "/nonexistent/arca-edl", NULL};
    ASSERT_EQ(run_in_scratch(app, missing, &out, &err), 2);
    ASSERT_CONTAINS(err, "--sdk-edl-dir '/nonexistent/arca-edl' is not a directory");
    free(out);
    free(err);

    /* -D: a name, with or without a value; anything else is a usage error */
    static const char *ifdef = "enclave {\n#ifdef WANT\n    trusted { public void f(void); };\n"
                               "#else\n    syntax error here\n#endif\n};\n";
    char *d1[] = {"-D", "WANT", NULL}, *d2[] = {"-DWANT=1", NULL}, *d0[] = {NULL};
    ASSERT_EQ(run_in_scratch(ifdef, d1, &out, &err), 0);
    free(out);
    free(err);
    ASSERT_EQ(run_in_scratch(ifdef, d2, &out, &err), 0);
    free(out);
    free(err);
    ASSERT_EQ(run_in_scratch(ifdef, d0, &out, &err), 1);
    ASSERT_CONTAINS(err, "app.edl:5:5: error: expected 'include', 'from'");
    free(out);
    free(err);
    char *bad[] = {"-D", "9lives", NULL};
    ASSERT_EQ(run_in_scratch(ifdef, bad, &out, &err), 2);
    ASSERT_CONTAINS(err, "-D needs a name (a C identifier), got '9lives'");
    free(out);
    free(err);
    /* a UTF-8 byte order mark and CRLF line ends, as Windows editors write SDK files */
    static const char *crlf = "\xEF\xBB\xBF" "enclave {\r\n#ifdef WANT\r\n"
                              "    trusted { public void f(void); };\r\n#endif\r\n};\r\n";
    ASSERT_EQ(run_in_scratch(crlf, d1, &out, &err), 0);
    ASSERT_STREQ(err, "");
    free(out);
    free(err);
    char *prep[] = {"--preprocess", NULL};
    ASSERT_EQ(run_in_scratch(ifdef, prep, &out, &err), 2);
    ASSERT_CONTAINS(err, "does not run the C preprocessor");
    free(out);
    free(err);
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
        expectations e;
        if (text)
            read_expectations(text, &e);
        int is_test = text && (e.error_count > 0 || e.want_errors > 0);
        for (size_t k = 0; text && k < e.arg_count; k++)
            free(e.args[k]);
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
    RUN(test_sdk_edl_options);
    return TEST_SUMMARY();
}
