/*
 * test_config_import.c — `arca config import` (tools/arca/cmd_config.c, config_import.c): the
 * translation of real-shaped Intel SGX SDK Enclave.config.xml and Open Enclave .conf files,
 * compared byte for byte with golden enclave.conf and stderr files (samples/NAME.conf.expected,
 * samples/NAME.err.expected); `arca sign` accepting every result with a test enclave, which then
 * carries exactly the configuration the importer reported; and every failure path: malformed
 * XML and text, values out of range, duplicates, empty and huge files, an unreadable file, an
 * existing output without --force, and usage errors, each with its exit status and message.
 *
 * usage: test_config_import ARCA SAMPLES_DIR FIXTURE.so
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/error.h"
#include "config_import.h"
#include "formats/image.h"
#include "image/util.h"
#include "test.h"

static const char *arca, *samples, *fixture;
static char dir[256];
static char out[65536], err[65536];

static const char *const sample_names[] = {
    "sgx_sample_enclave.xml", "sgx_edmm.xml",       "sgx_release.xml",
    "sgx_minimal.xml",        "oe_helloworld.conf", "oe_kss.conf",
};
#define SAMPLE_COUNT (sizeof sample_names / sizeof sample_names[0])

#define PATH(var, base, name) \
    char var[1024];           \
    snprintf(var, sizeof var, "%s/%s", base, name)

/* Runs `arca ARGS...` in the scratch directory (so file names in messages are the short ones
 * the golden files have), as @p uid when it is not -1, capturing stdout and stderr. */
static int run_as(int uid, char *const args[])
{
    char out_path[] = "/tmp/arca-confimport-out-XXXXXX",
         err_path[] = "/tmp/arca-confimport-err-XXXXXX";
    char *argv[16];
    int ofd = mkstemp(out_path), efd = mkstemp(err_path), status = -1;
    size_t n = 0;
    pid_t pid;

    if (ofd < 0 || efd < 0)
        return -1;
    argv[n++] = (char *)arca;
    for (size_t i = 0; args[i] && n < 15; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    fflush(NULL);
    pid = fork();
    if (pid == 0) {
        dup2(ofd, 1);
        dup2(efd, 2);
        if (chdir(dir) != 0)
            _exit(126);
        if (uid >= 0 &&
            (setgroups(0, NULL) != 0 || setgid((gid_t)uid) != 0 || setuid((uid_t)uid) != 0))
            _exit(125);
        execv(arca, argv);
        _exit(127);
    }
    if (pid > 0 && waitpid(pid, &status, 0) == pid)
        status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    else
        status = -1;
    for (int i = 0; i < 2; i++) {
        int fd = i == 0 ? ofd : efd;
        char *buf = i == 0 ? out : err;
        ssize_t got = pread(fd, buf, (i == 0 ? sizeof out : sizeof err) - 1, 0);
        buf[got > 0 ? got : 0] = '\0';
        close(fd);
    }
    unlink(out_path);
    unlink(err_path);
    return status;
}

#define ARCA(...) run_as(-1, (char *const[]){__VA_ARGS__, NULL})

static int write_text(const char *name, const char *text, size_t len)
{
    PATH(path, dir, name);
    return util_write(path, text, len);
}

static int write_str(const char *name, const char *text)
{
    return write_text(name, text, strlen(text));
}

static char *read_text(const char *base, const char *name)
{
    size_t len = 0;
    PATH(path, base, name);
    char *t = (char *)util_read(path, &len);
    if (t)
        t[len] = '\0';
    return t;
}

static int no_temp_files_left(void)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int clean = 1;
    if (!d)
        return 0;
    while ((e = readdir(d))) {
        /* mkstemp names: OUT.conf.XXXXXX */
        const char *dot = strrchr(e->d_name, '.');
        size_t stem = dot ? (size_t)(dot - e->d_name) : 0;
        if (dot && strlen(dot + 1) == 6 && stem >= 5 && !strncmp(dot - 5, ".conf", 5))
            clean = 0;
    }
    closedir(d);
    return clean;
}

/* ---- the translation, through the CLI, against golden files ---- */

static void test_samples_match_golden_files(void)
{
    for (size_t i = 0; i < SAMPLE_COUNT; i++) {
        char name[128], *want_out, *want_err, *input = read_text(samples, sample_names[i]);
        ASSERT_TRUE(input != NULL);
        ASSERT_EQ(write_str(sample_names[i], input), 0);
        free(input);
        fprintf(stderr, "  sample %s\n", sample_names[i]);
        ASSERT_EQ(ARCA("config", "import", (char *)sample_names[i]), 0);
        snprintf(name, sizeof name, "%s.conf.expected", sample_names[i]);
        want_out = read_text(samples, name);
        snprintf(name, sizeof name, "%s.err.expected", sample_names[i]);
        want_err = read_text(samples, name);
        ASSERT_TRUE(want_out && want_err);
        int same_out = strcmp(out, want_out) == 0, same_err = strcmp(err, want_err) == 0;
        if (!same_out)
            fprintf(stderr, "--- stdout of %s:\n%s--- expected:\n%s", sample_names[i], out,
                    want_out);
        if (!same_err)
            fprintf(stderr, "--- stderr of %s:\n%s--- expected:\n%s", sample_names[i], err,
                    want_err);
        free(want_out);
        free(want_err);
        ASSERT_TRUE(same_out);
        ASSERT_TRUE(same_err);
    }
}

/* Each sample imported with -o, signed with the fixture enclave, verified: the image carries
 * exactly the configuration the importer reported, and the written file equals stdout's. */
static void test_sign_accepts_every_import(void)
{
    PATH(key, dir, "key.pem");
    ASSERT_EQ(ARCA("keygen", "-o", "key.pem"), 0);
    for (size_t i = 0; i < SAMPLE_COUNT; i++) {
        char conf_name[128], signed_name[128];
        size_t in_len = 0, image_len = 0;
        arca__import imp;
        arca__image_info info;
        snprintf(conf_name, sizeof conf_name, "%s.enclave.conf", sample_names[i]);
        snprintf(signed_name, sizeof signed_name, "%s.signed.so", sample_names[i]);
        PATH(input, dir, sample_names[i]);
        PATH(conf, dir, conf_name);
        PATH(signed_so, dir, signed_name);
        unlink(conf);
        ASSERT_EQ(ARCA("config", "import", "-o", conf_name, (char *)sample_names[i]), 0);
        ASSERT_CONTAINS(out, "arca config import: wrote ");
        ASSERT_CONTAINS(out, conf_name);
        ASSERT_TRUE(no_temp_files_left());

        uint8_t *in = util_read(input, &in_len);
        ASSERT_TRUE(in != NULL);
        ASSERT_OK(arca__config_import(in, in_len, sample_names[i], &imp));
        free(in);
        char *written = read_text(dir, conf_name);
        int same = written && strcmp(written, imp.conf) == 0;
        free(written);
        ASSERT_TRUE(same);

        ASSERT_EQ(ARCA("sign", "-k", key, "-c", conf, "-o", signed_so, (char *)fixture), 0);
        ASSERT_CONTAINS(out,
                        (imp.config.flags & ARCA_CONFIG_FLAG_DEBUG) ? "(debug," : "(production,");
        uint8_t *image = util_read(signed_so, &image_len);
        ASSERT_TRUE(image != NULL);
        arca_result_t vr = arca__image_verify(image, image_len, &info);
        free(image);
        ASSERT_OK(vr);
        ASSERT_MEMEQ(&info.config, &imp.config, sizeof imp.config);
        arca__config_import_free(&imp);
    }
}

static void test_output_file_handling(void)
{
    PATH(target, dir, "out.conf");
    struct stat st;
    unlink(target);
    mode_t old = umask(022);
    ASSERT_EQ(ARCA("config", "import", "-o", "out.conf", "oe_helloworld.conf"), 0);
    umask(old);
    ASSERT_EQ(stat(target, &st), 0);
    ASSERT_EQ(st.st_mode & 0777, 0644);
    ASSERT_CONTAINS(out, "wrote out.conf (6 settings mapped, 0 not mapped)");
    /* An existing file is refused, and left as it was. */
    ASSERT_EQ(write_str("out.conf", "# mine\n"), 0);
    ASSERT_EQ(ARCA("config", "import", "-o", "out.conf", "sgx_sample_enclave.xml"), 3);
    ASSERT_CONTAINS(err, "out.conf already exists; use --force to replace it");
    char *kept = read_text(dir, "out.conf");
    int untouched = kept && !strcmp(kept, "# mine\n");
    free(kept);
    ASSERT_TRUE(untouched);
    /* A symbolic link counts as existing (it is never followed to replace its target). */
    PATH(link_path, dir, "link.conf");
    unlink(link_path);
    ASSERT_EQ(symlink("/nonexistent/target.conf", link_path), 0);
    ASSERT_EQ(ARCA("config", "import", "-o", "link.conf", "sgx_sample_enclave.xml"), 3);
    ASSERT_CONTAINS(err, "link.conf already exists");
    /* --force replaces it atomically. */
    ASSERT_EQ(ARCA("config", "import", "--force", "-o", "out.conf", "sgx_sample_enclave.xml"), 0);
    char *replaced = read_text(dir, "out.conf");
    int has = replaced && strstr(replaced, "Threads = 10\n") != NULL;
    free(replaced);
    ASSERT_TRUE(has);
    ASSERT_TRUE(no_temp_files_left());
    /* A directory that does not exist: nothing written, exit 3. */
    ASSERT_EQ(ARCA("config", "import", "-o", "/nonexistent-dir/x.conf", "sgx_sample_enclave.xml"),
              3);
    ASSERT_CONTAINS(err, "cannot create a temporary file next to /nonexistent-dir/x.conf");
    /* A failed import writes nothing. */
    PATH(never, dir, "never.conf");
    unlink(never);
    ASSERT_EQ(
        write_str("bad.xml", "<EnclaveConfiguration><TCSNum>65</TCSNum></EnclaveConfiguration>\n"),
        0);
    ASSERT_EQ(ARCA("config", "import", "-o", "never.conf", "bad.xml"), 1);
    ASSERT_EQ(stat(never, &st), -1);
    ASSERT_TRUE(no_temp_files_left());
}

/* A failing input through the CLI: exit status @p status, stderr naming @p what. */
static void expect_cli_failure(const char *name, const char *text, size_t len, int status,
                               const char *what, int *ok)
{
    *ok = 0;
    if (write_text(name, text, len) != 0)
        return;
    int rc = ARCA("config", "import", (char *)name);
    if (rc != status || !strstr(err, what) || out[0] != '\0') {
        fprintf(stderr,
                "  %s: exit %d (expected %d), stdout \"%s\", stderr \"%s\" (expected "
                "it to contain \"%s\")\n",
                name, rc, status, out, err, what);
        return;
    }
    *ok = 1;
}

static void test_cli_failures(void)
{
    static const struct {
        const char *name, *text, *what;
    } cases[] = {
        {"unclosed.xml", "<EnclaveConfiguration>\n  <ProdID>1</ProdID>\n",
         "unclosed.xml:3:1: not well-formed XML: no element found"},
        {"mismatch.xml", "<EnclaveConfiguration><ProdID>1</ISVSVN></EnclaveConfiguration>",
         "mismatch.xml:1:34: not well-formed XML: mismatched tag"},
        {"root.xml", "<Enclave><ProdID>1</ProdID></Enclave>",
         "root.xml:1: the root element is <Enclave>, not <EnclaveConfiguration>"},
        {"laughs.xml",
         "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY "
         "lol2 \"&lol;&lol;&lol;&lol;\">]>\n<EnclaveConfiguration><ProdID>&lol2;"
         "</ProdID></EnclaveConfiguration>",
         "laughs.xml:2: a DOCTYPE is not allowed"},
        {"attr.xml",
         "<EnclaveConfiguration><TCSNum unit=\"threads\">4</TCSNum></EnclaveConfiguration>",
         "attr.xml:1: <TCSNum> has an attribute 'unit'"},
        {"nested.xml",
         "<EnclaveConfiguration><TCSNum><Value>4</Value></TCSNum></EnclaveConfiguration>",
         "nested.xml:1: <Value> inside a setting"},
        {"text.xml", "<EnclaveConfiguration>\n  TCSNum=4\n</EnclaveConfiguration>",
         "text.xml:2: text 'TCSNum=4' directly inside <EnclaveConfiguration>"},
        {"dup.xml",
         "<EnclaveConfiguration>\n<TCSNum>4</TCSNum>\n<TCSNum>8</TCSNum>\n</EnclaveConfiguration>",
         "dup.xml:3: TCSNum is set twice (first on line 2"},
        {"word.xml", "<EnclaveConfiguration><TCSNum>four</TCSNum></EnclaveConfiguration>",
         "word.xml:1: <TCSNum>four</TCSNum>: the value is not a number"},
        {"octal.xml", "<EnclaveConfiguration><ISVSVN>08</ISVSVN></EnclaveConfiguration>",
         "octal.xml:1: <ISVSVN>08</ISVSVN>: the value is not a number (allowed: decimal, 0x hex "
         "or 0-prefixed octal, as sgx_sign reads it)"},
        {"negative.xml", "<EnclaveConfiguration><ProdID>-1</ProdID></EnclaveConfiguration>",
         "negative.xml:1: <ProdID>-1</ProdID>: the value is not a number"},
        {"novalue.xml", "<EnclaveConfiguration><ProdID/></EnclaveConfiguration>",
         "novalue.xml:1: <ProdID></ProdID> has no value (sgx_sign needs one)"},
        {"threads.xml", "<EnclaveConfiguration><TCSNum>65</TCSNum></EnclaveConfiguration>",
         "threads.xml:1: <TCSNum>65</TCSNum> is out of range for Threads (allowed: 1..64 enclave "
         "threads)"},
        {"zero.xml", "<EnclaveConfiguration><TCSNum>0</TCSNum></EnclaveConfiguration>",
         "zero.xml:1: <TCSNum>0</TCSNum> is out of range for Threads"},
        {"prod.xml", "<EnclaveConfiguration><ProdID>0x10000</ProdID></EnclaveConfiguration>",
         "prod.xml:1: <ProdID>0x10000</ProdID> is out of range for ProductID (allowed: 0..65535)"},
        {"svn.xml",
         "<EnclaveConfiguration><ISVSVN>99999999999999999999999</ISVSVN></EnclaveConfiguration>",
         "svn.xml:1: <ISVSVN>99999999999999999999999</ISVSVN> is out of range for SecurityVersion"},
        {"heap.xml",
         "<EnclaveConfiguration><HeapMaxSize>0x400001000</HeapMaxSize></EnclaveConfiguration>",
         "heap.xml:1: <HeapMaxSize>0x400001000</HeapMaxSize> is out of range for HeapSize "
         "(allowed: "
         "up to 0x400000000 bytes, 16G; less than 64K is raised to 64K)"},
        {"stack.xml",
         "<EnclaveConfiguration><StackMaxSize>0x10001000</StackMaxSize></EnclaveConfiguration>",
         "stack.xml:1: <StackMaxSize>0x10001000</StackMaxSize> is out of range for StackSize "
         "(allowed: "
         "up to 0x10000000 bytes, 256M; less than 16K is raised to 16K)"},
        {"debug.xml", "<EnclaveConfiguration><DisableDebug>2</DisableDebug></EnclaveConfiguration>",
         "debug.xml:1: <DisableDebug>2</DisableDebug> is out of range (allowed: 0 or 1)"},
        {"policy.xml", "<EnclaveConfiguration><TCSPolicy>3</TCSPolicy></EnclaveConfiguration>",
         "policy.xml:1: <TCSPolicy>3</TCSPolicy> is out of range (allowed: 0 or 1)"},
        {"tcsmax.xml",
         "<EnclaveConfiguration><TCSNum>4</TCSNum>\n<TCSMaxNum>2</TCSMaxNum></"
         "EnclaveConfiguration>",
         "tcsmax.xml:2: <TCSMaxNum>2</TCSMaxNum> is below TCSNum 4 (allowed: TCSMaxNum >= TCSNum"},
        {"empty.xml", "", "empty.xml is empty: nothing to import"},
        {"blank.conf", " \n\t\r\n", "blank.conf is empty: nothing to import"},
        {"oe_pages.conf", "NumHeapPages=4194305\n",
         "oe_pages.conf:1: NumHeapPages=4194305 is out of range for HeapSize (allowed: up to "
         "4194304 pages, 16G; fewer than 16 are raised to 16)"},
        {"oe_wrap.conf", "NumStackPages=4503599627370496\n",
         "oe_wrap.conf:1: NumStackPages=4503599627370496 is out of range for StackSize (allowed: "
         "up "
         "to 65536 pages, 256M; fewer than 4 are raised to 4)"},
        {"oe_tcs.conf", "# none\nNumTCS=0\n",
         "oe_tcs.conf:2: NumTCS=0 is out of range for Threads"},
        {"oe_tcs2.conf", "NumTCS=100\n",
         "oe_tcs2.conf:1: NumTCS=100 is out of range for Threads (allowed: 1..64"},
        {"oe_debug.conf", "Debug=true\n",
         "oe_debug.conf:1: Debug=true: the value is not a number "
         "(allowed: decimal or 0x hex)"},
        {"oe_debug2.conf", "Debug=2\n",
         "oe_debug2.conf:1: Debug=2 is out of range (allowed: 0 or 1)"},
        {"oe_prod.conf", "ProductID=65536\n",
         "oe_prod.conf:1: ProductID=65536 is out of range for ProductID"},
        {"oe_dup.conf", "NumTCS=2\nDebug=1\nNumTCS=4\n",
         "oe_dup.conf:3: NumTCS is set twice (first on line 1; allowed: each setting once, as "
         "oesign requires)"},
        {"oe_noeq.conf", "Debug=1\nNumTCS\n",
         "oe_noeq.conf:2: 'NumTCS' is not a setting (allowed: "
         "NAME=VALUE, '# comment' or a blank line)"},
        {"oe_name.conf", "Num.TCS=2\n", "oe_name.conf:1: 'Num.TCS' is not a setting name"},
        {"oe_novalue.conf", "NumTCS=\n",
         "oe_novalue.conf:1: NumTCS= has no value (oesign needs one)"},
        {"oe_none.conf", "[section]\nname=value\n", "oe_none.conf:1: '[section]' is not a setting"},
        {"oe_unknown.conf", "name=value\nother=1\n",
         "oe_unknown.conf: no Open Enclave setting found"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int ok;
        expect_cli_failure(cases[i].name, cases[i].text, strlen(cases[i].text), 1, cases[i].what,
                           &ok);
        ASSERT_TRUE(ok);
    }
    /* Bytes that are not text: a NUL, other control bytes, random binary. */
    static const char nul[] = "Debug=1\nNumTCS=2\0\n";
    int ok;
    expect_cli_failure("nul.conf", nul, sizeof nul - 1, 1,
                       "nul.conf:2: byte 0x00 in the line: not a text file", &ok);
    ASSERT_TRUE(ok);
    static const char bin[] = "\x7f"
                              "ELF\x02\x01\x01\x00\x00\x00";
    expect_cli_failure("bin.conf", bin, sizeof bin - 1, 1,
                       "bin.conf:1: byte 0x7f in the line: not a text file", &ok);
    ASSERT_TRUE(ok);
    /* A value too long to be a number. */
    char long_value[600] = "<EnclaveConfiguration><TCSNum>";
    size_t at = strlen(long_value);
    memset(long_value + at, '1', 300);
    strcpy(long_value + at + 300, "</TCSNum></EnclaveConfiguration>");
    expect_cli_failure("long.xml", long_value, strlen(long_value), 1,
                       "long.xml:1: the value of TCSNum is longer than 256 bytes", &ok);
    ASSERT_TRUE(ok);
    /* Larger than any configuration: refused before it is parsed. */
    size_t huge_len = ARCA_IMPORT_MAX + 1;
    char *huge = malloc(huge_len);
    ASSERT_TRUE(huge != NULL);
    memset(huge, '#', huge_len);
    expect_cli_failure("huge.conf", huge, huge_len, 1,
                       "huge.conf: file is 1048577 bytes, more than the maximum of 1048576", &ok);
    free(huge);
    ASSERT_TRUE(ok);
}

static void test_unreadable_inputs(void)
{
    ASSERT_EQ(ARCA("config", "import", "missing.xml"), 3);
    ASSERT_CONTAINS(err, "arca config import: missing.xml: No such file or directory");
    ASSERT_EQ(ARCA("config", "import", "."), 3);
    ASSERT_CONTAINS(err, "arca config import: .: Is a directory");
    /* A file its reader may not read (run as uid 65534 when the test is root, since root reads
     * any file): exit 3, and the reason. */
    char sub[300];
    snprintf(sub, sizeof sub, "%s/locked", dir);
    ASSERT_EQ(mkdir(sub, 0755), 0);
    ASSERT_EQ(write_str("locked/secret.xml", "<EnclaveConfiguration/>\n"), 0);
    PATH(secret, sub, "secret.xml");
    ASSERT_EQ(chmod(secret, 0), 0);
    ASSERT_EQ(chmod(dir, 0755), 0); /* 65534 must reach the file to be refused by its mode */
    int rc = run_as(geteuid() == 0 ? 65534 : -1,
                    (char *const[]){"config", "import", "locked/secret.xml", NULL});
    ASSERT_EQ(chmod(dir, 0700), 0);
    ASSERT_EQ(rc, 3);
    ASSERT_CONTAINS(err, "arca config import: locked/secret.xml: Permission denied");
}

static void test_usage(void)
{
    ASSERT_EQ(ARCA("config", "--help"), 0);
    ASSERT_CONTAINS(out, "usage: arca config import [-o OUT.conf] [--force] FILE");
    ASSERT_CONTAINS(out, "Exit status: 0 success");
    char help[sizeof out];
    memcpy(help, out, sizeof help);
    ASSERT_EQ(ARCA("config", "import", "-h"), 0);
    ASSERT_STREQ(out, help);
    ASSERT_EQ(ARCA("--help"), 0);
    ASSERT_CONTAINS(out, "  config     import an SGX or Open Enclave configuration (import)\n");
    ASSERT_EQ(ARCA("config"), 2);
    ASSERT_CONTAINS(err, "arca config: missing the action (import)");
    ASSERT_CONTAINS(err, "usage: arca config import");
    ASSERT_EQ(ARCA("config", "export", "x.xml"), 2);
    ASSERT_CONTAINS(err, "arca config: unknown action 'export' (the action is import)");
    ASSERT_EQ(ARCA("config", "import"), 2);
    ASSERT_CONTAINS(err, "missing FILE");
    ASSERT_EQ(ARCA("config", "import", "a.xml", "b.xml"), 2);
    ASSERT_CONTAINS(err, "expected exactly one FILE");
    ASSERT_EQ(ARCA("config", "import", "--bogus", "a.xml"), 2);
    ASSERT_CONTAINS(err, "arca config: unknown option '--bogus'");
    ASSERT_EQ(ARCA("config", "import", "a.xml", "-o"), 2);
    ASSERT_CONTAINS(err, "option '-o' needs a value");
    ASSERT_EQ(ARCA("config", "import", "--force", "sgx_sample_enclave.xml"), 2);
    ASSERT_CONTAINS(err, "--force needs -o OUT.conf");
}

/* ---- the translator through its library interface ---- */

static arca_result_t import_str(const char *text, arca__import *imp)
{
    return arca__config_import((const uint8_t *)text, strlen(text), "t.conf", imp);
}

static void test_library_mapping(void)
{
    arca__import imp;
    /* pages x 4 KiB; below the minimum raised (and said); other keys as they are. */
    ASSERT_OK(import_str("NumHeapPages=15\nNumStackPages=3\nNumTCS=64\nProductID=65535\n"
                         "SecurityVersion=0x10\nDebug=0\n",
                         &imp));
    ASSERT_EQ(imp.source, ARCA__IMPORT_OE);
    ASSERT_UEQ(imp.config.heap_size, ARCA_MIN_HEAP);
    ASSERT_UEQ(imp.config.stack_size, ARCA_MIN_STACK);
    ASSERT_EQ(imp.config.threads, 64);
    ASSERT_EQ(imp.config.product_id, 65535);
    ASSERT_EQ(imp.config.svn, 16);
    ASSERT_EQ(imp.config.flags, 0);
    ASSERT_EQ(imp.mapped, 6);
    ASSERT_EQ(imp.not_mapped, 0);
    ASSERT_CONTAINS(imp.notes, "t.conf:1: NumHeapPages=15 is 61440 bytes, below Arca's minimum "
                               "HeapSize 64K: HeapSize = 64K\n");
    ASSERT_CONTAINS(imp.notes, "t.conf:2: NumStackPages=3 is 12288 bytes, below Arca's minimum "
                               "StackSize 16K: StackSize = 16K\n");
    ASSERT_CONTAINS(imp.conf, "HeapSize = 64K\n");
    ASSERT_CONTAINS(imp.conf, "StackSize = 16K\n");
    arca__config_import_free(&imp);
    /* The largest values enclave.conf takes pass unchanged. */
    ASSERT_OK(import_str("NumHeapPages=4194304\nNumStackPages=65536\n", &imp));
    ASSERT_UEQ(imp.config.heap_size, ARCA_MAX_HEAP);
    ASSERT_UEQ(imp.config.stack_size, ARCA_MAX_STACK);
    ASSERT_CONTAINS(imp.conf, "\nHeapSize = 16G\n");
    ASSERT_CONTAINS(imp.conf, "\nStackSize = 256M\n");
    arca__config_import_free(&imp);

    /* SGX: DisableDebug inverted, numbers as strtoull(, 0) reads them, sizes exact. */
    ASSERT_OK(import_str("<EnclaveConfiguration><DisableDebug>1</DisableDebug><ProdID>010</ProdID>"
                         "<ISVSVN>0X1f</ISVSVN><HeapMaxSize>12345</HeapMaxSize>"
                         "<StackMaxSize>0x40000</StackMaxSize><TCSNum>3</TCSNum>"
                         "</EnclaveConfiguration>",
                         &imp));
    ASSERT_EQ(imp.source, ARCA__IMPORT_SGX);
    ASSERT_EQ(imp.config.flags, 0);
    ASSERT_EQ(imp.config.product_id, 8);
    ASSERT_EQ(imp.config.svn, 31);
    ASSERT_UEQ(imp.config.heap_size, 65536); /* 12345 bytes: raised */
    ASSERT_UEQ(imp.config.stack_size, 0x40000);
    ASSERT_EQ(imp.config.threads, 3);
    arca__config_import_free(&imp);
    ASSERT_OK(import_str("<EnclaveConfiguration><DisableDebug>0</DisableDebug>"
                         "<HeapMaxSize>1000000</HeapMaxSize></EnclaveConfiguration>",
                         &imp));
    ASSERT_EQ(imp.config.flags, ARCA_CONFIG_FLAG_DEBUG);
    ASSERT_UEQ(imp.config.heap_size, 1000000);
    ASSERT_CONTAINS(imp.conf, "HeapSize = 1000000\n");
    arca__config_import_free(&imp);

    /* TCSMaxNum: the most threads at once, capped at 64 with a note; TCSNum's default 1. */
    ASSERT_OK(import_str("<EnclaveConfiguration><TCSMaxNum>100</TCSMaxNum><TCSNum>2</TCSNum>"
                         "<HeapMaxSize>0x1000000</HeapMaxSize></EnclaveConfiguration>",
                         &imp));
    ASSERT_EQ(imp.config.threads, 64);
    ASSERT_CONTAINS(imp.notes, "<TCSMaxNum>100</TCSMaxNum> is above Arca's maximum: Threads = 64");
    ASSERT_CONTAINS(imp.conf, "capped at Arca's maximum 64");
    arca__config_import_free(&imp);
    ASSERT_OK(
        import_str("<EnclaveConfiguration><TCSMaxNum>6</TCSMaxNum></EnclaveConfiguration>", &imp));
    ASSERT_EQ(imp.config.threads, 6);
    ASSERT_CONTAINS(imp.conf,
                    "# <TCSNum> not set (sgx_sign's default 1); <TCSMaxNum>6</TCSMaxNum>");
    arca__config_import_free(&imp);

    /* A byte-order mark, and UTF-16 XML (expat decodes it). */
    ASSERT_OK(import_str("\xef\xbb\xbfNumTCS=2\n", &imp));
    ASSERT_EQ(imp.config.threads, 2);
    arca__config_import_free(&imp);
    const char *ascii = "<?xml version=\"1.0\" encoding=\"UTF-16\"?><EnclaveConfiguration>"
                        "<TCSNum>5</TCSNum></EnclaveConfiguration>";
    uint8_t utf16[512];
    size_t n = 0;
    utf16[n++] = 0xff;
    utf16[n++] = 0xfe;
    for (const char *p = ascii; *p && n + 2 <= sizeof utf16; p++) {
        utf16[n++] = (uint8_t)*p;
        utf16[n++] = 0;
    }
    ASSERT_OK(arca__config_import(utf16, n, "utf16.xml", &imp));
    ASSERT_EQ(imp.config.threads, 5);
    arca__config_import_free(&imp);
}

/* Nothing of the input reaches the output unescaped: a newline in a value or in the file's
 * name cannot start a key line, and the signed configuration is what the mapping says. */
static void test_library_escapes_input(void)
{
    arca__import imp;
    ASSERT_OK(import_str("<EnclaveConfiguration><TCSNum>2</TCSNum>"
                         "<Note>x&#10;Threads = 64&#13;&#10;Debug = 1</Note>"
                         "<Caf\xc3\xa9>1</Caf\xc3\xa9></EnclaveConfiguration>",
                         &imp));
    ASSERT_EQ(imp.config.threads, 2);
    ASSERT_CONTAINS(imp.conf, "<Note>x\\x0aThreads = 64\\x0d\\x0aDebug = 1</Note>");
    ASSERT_CONTAINS(imp.conf, "<Caf\\xc3\\xa9>1</Caf\\xc3\\xa9>");
    ASSERT_CONTAINS(imp.notes, "<Note>x\\x0aThreads = 64");
    ASSERT_EQ(imp.not_mapped, 2);
    arca__config_import_free(&imp);
    ASSERT_OK(
        arca__config_import((const uint8_t *)"NumTCS=3\n", 9, "evil\nThreads = 64.conf", &imp));
    ASSERT_EQ(imp.config.threads, 3);
    ASSERT_CONTAINS(imp.conf, "evil\\x0aThreads = 64.conf");
    arca__config_import_free(&imp);
}

static void test_library_failures(void)
{
    arca__import imp;
    ASSERT_RESULT(import_str("<EnclaveConfiguration>", &imp), ARCA_ERR_BAD_FORMAT);
    ASSERT_TRUE(imp.conf == NULL && imp.notes == NULL);
    ASSERT_CONTAINS(arca__error_detail(), "t.conf:1:23: not well-formed XML");
    ASSERT_RESULT(import_str("<EnclaveConfiguration><TCSNum>4</TCSNum><TCSNum>4</TCSNum>"
                             "</EnclaveConfiguration>",
                             &imp),
                  ARCA_ERR_CONFIG);
    ASSERT_RESULT(import_str("NumTCS=65\n", &imp), ARCA_ERR_CONFIG);
    ASSERT_RESULT(import_str("", &imp), ARCA_ERR_BAD_FORMAT);
    ASSERT_RESULT(arca__config_import(NULL, 0, "none", &imp), ARCA_ERR_BAD_FORMAT);
    ASSERT_RESULT(arca__config_import(NULL, 4, "none", &imp), ARCA_ERR_INVALID_ARGUMENT);
    ASSERT_RESULT(arca__config_import((const uint8_t *)"x", 1, "none", NULL),
                  ARCA_ERR_INVALID_ARGUMENT);
    uint8_t *big = calloc(1, ARCA_IMPORT_MAX + 1);
    ASSERT_TRUE(big != NULL);
    arca_result_t r = arca__config_import(big, ARCA_IMPORT_MAX + 1, "big", &imp);
    free(big);
    ASSERT_RESULT(r, ARCA_ERR_OVERFLOW);
    ASSERT_CONTAINS(arca__error_detail(), "big is 1048577 bytes, more than the 1048576");
    /* A value cut short by its length never reads as a shorter number: 250 spaces, then
     * 1 followed by 100 zeros, is refused, not read as 1000000. */
    char cut[600] = "<EnclaveConfiguration><HeapMaxSize>";
    size_t at = strlen(cut);
    memset(cut + at, ' ', 250);
    cut[at + 250] = '1';
    memset(cut + at + 251, '0', 100);
    strcpy(cut + at + 351, "</HeapMaxSize></EnclaveConfiguration>");
    ASSERT_RESULT(import_str(cut, &imp), ARCA_ERR_CONFIG);
    ASSERT_CONTAINS(arca__error_detail(),
                    "t.conf:1: the value of HeapMaxSize is longer than 256 bytes");
    /* Deep nesting stops at the first element inside a setting. */
    char deep[4096] = "<EnclaveConfiguration>";
    for (int i = 0; i < 300; i++)
        strcat(deep, "<a>");
    ASSERT_RESULT(import_str(deep, &imp), ARCA_ERR_BAD_FORMAT);
    ASSERT_CONTAINS(arca__error_detail(), "<a> inside a setting");
    arca__config_import_free(NULL);
    arca__config_import_free(&imp);
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: %s ARCA SAMPLES_DIR FIXTURE.so\n", argv[0]);
        return 2;
    }
    arca = argv[1];
    samples = argv[2];
    fixture = argv[3];
    if (!test_make_scratch_dir(dir, sizeof dir, "confimport"))
        return 1;
    RUN(test_samples_match_golden_files);
    RUN(test_sign_accepts_every_import);
    RUN(test_output_file_handling);
    RUN(test_cli_failures);
    RUN(test_unreadable_inputs);
    RUN(test_usage);
    RUN(test_library_mapping);
    RUN(test_library_escapes_input);
    RUN(test_library_failures);
    test_remove_scratch_dir(dir);
    return TEST_SUMMARY();
}
