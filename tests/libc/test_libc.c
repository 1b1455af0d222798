/*
 * test_libc.c — issue 13's C library "done when", on sim and on process: one enclave uses
 * printf, fopen on a host file it opted into (write, then read back), open/read/write/lseek,
 * localtime, sysconf, getenv from its signed config, and assert(0); each answer is the same on
 * both backends, the host sees the output, and the failed assert ends the enclave with a named
 * cause (process: ARCA_ERR_ENCLAVE_LOST and arca_last_error(); sim: the host process ends,
 * saying why — so that one runs in a child). Also: the host's environment never reaches the
 * enclave; host files need both opt-ins (HostFiles in the signed config, host.files on the
 * host), and paths leading out of the exposed directory are refused; `arca inspect` shows the
 * signed environment.
 *
 * argv: libc-enclave libc-nofiles-enclave arca-cli
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "arca/host.h"
#include "libc_ids.h"
#include "test.h"

static const char *image, *nofiles_image, *arca_cli;
static const char *const backends[] = {"sim", "process"};

/* ---- output capture ---- */

static pthread_mutex_t output_lock = PTHREAD_MUTEX_INITIALIZER;
static char output[2][8192];
static size_t output_len[2];

static void capture(void *ctx, int stream, const char *bytes, size_t len)
{
    (void)ctx;
    pthread_mutex_lock(&output_lock);
    if (stream == 1 || stream == 2) {
        size_t room = sizeof output[0] - 1 - output_len[stream - 1];
        size_t n = len < room ? len : room;
        memcpy(output[stream - 1] + output_len[stream - 1], bytes, n);
        output_len[stream - 1] += n;
        output[stream - 1][output_len[stream - 1]] = '\0';
    }
    pthread_mutex_unlock(&output_lock);
}

static void clear_output(void)
{
    pthread_mutex_lock(&output_lock);
    memset(output, 0, sizeof output);
    output_len[0] = output_len[1] = 0;
    pthread_mutex_unlock(&output_lock);
}

/* Create @p path on @p backend with captured output and, when @p dir, host.files=dir. */
static arca_result_t create(const char *path, const char *backend, const char *dir,
                            arca_enclave_t **e)
{
    static char setting[4200];
    const char *settings[] = {setting, NULL};
    arca_enclave_options_t o;
    arca_enclave_options_init(&o);
    o.backend = backend;
    o.output = capture;
    if (dir) {
        snprintf(setting, sizeof setting, "host.files=%s", dir);
        o.settings = settings;
    }
    arca_result_t r = arca_enclave_create(path, &o, e);
    if (r != ARCA_OK)
        fprintf(stderr, "  create (%s): %s: %s\n", backend, arca_result_name(r), arca_last_error());
    return r;
}

/* An ecall's u32 answer (UINT32_MAX when the call failed, with why on stderr). */
static uint32_t ask(arca_enclave_t *e, uint32_t fn)
{
    uint32_t bits = UINT32_MAX;
    size_t len = 0;
    arca_result_t r = arca_enclave_call(e, fn, NULL, 0, &bits, sizeof bits, &len);
    if (r != ARCA_OK || len != 4) {
        fprintf(stderr, "  ecall %u: %s (%zu bytes): %s\n", fn, arca_result_name(r), len,
                arca_last_error());
        return UINT32_MAX;
    }
    return bits;
}

static int read_whole(const char *path, char *buf, size_t cap)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    size_t n = fread(buf, 1, cap - 1, f);
    buf[n] = '\0';
    fclose(f);
    return (int)n;
}

/* ---- the done-when enclave ---- */

static void test_done_when(void)
{
    /* The host's own environment holds names the enclave also knows: it must see its own. */
    setenv("ARCA_LIBC_HOST_SECRET", "the host's secret", 1);
    setenv("GREETING", "the host's greeting", 1);
    for (size_t b = 0; b < sizeof backends / sizeof backends[0]; b++) {
        char dir[64], path[128], text[512];
        arca_enclave_t *e = NULL;
        fprintf(stderr, "  backend %s\n", backends[b]);
        ASSERT_TRUE(test_make_scratch_dir(dir, sizeof dir, "libc"));
        clear_output();
        ASSERT_OK(create(image, backends[b], dir, &e));
        ASSERT_UEQ(ask(e, LC_STDIO), LC_STDIO_ALL);
        ASSERT_UEQ(ask(e, LC_FILES), LC_FILES_ALL);
        ASSERT_UEQ(ask(e, LC_FDS), LC_FDS_ALL);
        ASSERT_UEQ(ask(e, LC_TIME), LC_TIME_ALL);
        ASSERT_UEQ(ask(e, LC_ENV), LC_ENV_ALL);
        ASSERT_OK(arca_enclave_destroy(e));
        /* the host saw the output, with the config's greeting (never its own) */
        ASSERT_CONTAINS(output[0], LC_GREETING ", 42\nfprintf to stdout\n");
        ASSERT_CONTAINS(output[1], "fprintf to stderr\n");
        ASSERT_TRUE(!strstr(output[0], "the host's greeting"));
        /* the files are plain host files, where the host put the directory */
        snprintf(path, sizeof path, "%s/%s", dir, LC_FILE_NAME);
        ASSERT_EQ(read_whole(path, text, sizeof text), (int)strlen(LC_FILE_TEXT) + 5);
        ASSERT_STREQ(text, LC_FILE_TEXT "tail\n");
        struct stat st;
        snprintf(path, sizeof path, "%s/fd.bin", dir);
        ASSERT_EQ(stat(path, &st), 0);
        ASSERT_EQ(st.st_size, 100000);
        ASSERT_EQ(st.st_mode & 0777, 0600);
        test_remove_scratch_dir(dir);
    }
    unsetenv("ARCA_LIBC_HOST_SECRET");
    unsetenv("GREETING");
}

/* assert(0) in a child (on sim it ends the host process): its stdout and stderr (where the
 * enclave's output and, on sim, the cause go) into @p text; returns the wait status. */
static int assert_in_child(const char *backend, char *text, size_t cap)
{
    int p[2], status = -1;
    size_t got = 0;
    if (pipe(p) != 0)
        return -1;
    pid_t child = fork();
    if (child == 0) {
        arca_enclave_t *e = NULL;
        arca_enclave_options_t o;
        uint32_t bits = 0;
        size_t len = 0;
        dup2(p[1], 1);
        dup2(p[1], 2);
        close(p[0]);
        arca_enclave_options_init(&o);
        o.backend = backend;
        if (arca_enclave_create(image, &o, &e) != ARCA_OK) {
            fprintf(stderr, "create: %s\n", arca_last_error());
            _exit(3);
        }
        arca_result_t r = arca_enclave_call(e, LC_ASSERT, NULL, 0, &bits, sizeof bits, &len);
        fprintf(stderr, "call: %s: %s\n", arca_result_name(r), arca_last_error());
        fflush(NULL);
        _exit(arca_enclave_destroy(e) == ARCA_OK ? 0 : 4);
    }
    close(p[1]);
    for (ssize_t n; got + 1 < cap && (n = read(p[0], text + got, cap - 1 - got)) > 0;)
        got += (size_t)n;
    text[got] = '\0';
    close(p[0]);
    if (child > 0)
        waitpid(child, &status, 0);
    return status;
}

static void test_assert_named_cause(void)
{
    char text[4096];
    /* process: the enclave ends, the host goes on and hears why */
    int status = assert_in_child("process", text, sizeof text);
    fprintf(stderr, "%s", text);
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    ASSERT_CONTAINS(text, "before the assert\n");
    ASSERT_CONTAINS(text, "call: ERR_ENCLAVE_LOST: ");
    ASSERT_CONTAINS(text, "assertion failed in the enclave: 0 (");
    ASSERT_CONTAINS(text, "libc_enclave.c:");
    ASSERT_CONTAINS(text, "e_assert"); /* gcc: the name; clang: the signature */
    /* sim: the same cause, and the host process ends with it (sim runs the enclave inside) */
    status = assert_in_child("sim", text, sizeof text);
    fprintf(stderr, "%s", text);
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
    ASSERT_CONTAINS(text, "before the assert\n");
    ASSERT_CONTAINS(text, "arca sim: assertion failed in the enclave: 0 (");
    ASSERT_CONTAINS(text, "e_assert"); /* gcc: the name; clang: the signature */
}

/* ---- host files: the directory and its edges ---- */

static void test_paths_stay_inside(void)
{
    for (size_t b = 0; b < sizeof backends / sizeof backends[0]; b++) {
        char root[64], dir[128], path[192], text[64];
        arca_enclave_t *e = NULL;
        fprintf(stderr, "  backend %s\n", backends[b]);
        ASSERT_TRUE(test_make_scratch_dir(root, sizeof root, "libc-escape"));
        snprintf(dir, sizeof dir, "%s/exposed", root);
        ASSERT_EQ(mkdir(dir, 0700), 0);
        snprintf(path, sizeof path, "%s/outside.txt", root);
        FILE *f = fopen(path, "w");
        ASSERT_TRUE(f != NULL);
        fputs("outside\n", f);
        fclose(f);
        snprintf(path, sizeof path, "%s/sub", dir);
        ASSERT_EQ(mkdir(path, 0700), 0);
        snprintf(path, sizeof path, "%s/fifo", dir);
        ASSERT_EQ(mkfifo(path, 0600), 0);
        snprintf(path, sizeof path, "%s/link-out", dir);
        ASSERT_EQ(symlink(root, path), 0);
        ASSERT_OK(create(image, backends[b], dir, &e));
        ASSERT_UEQ(ask(e, LC_ESCAPE), LC_ESCAPE_ALL);
        ASSERT_UEQ(ask(e, LC_MANY), LC_MANY_ALL);
        ASSERT_OK(arca_enclave_destroy(e));
        snprintf(path, sizeof path, "%s/outside.txt", root);
        ASSERT_EQ(read_whole(path, text, sizeof text), 8);
        ASSERT_STREQ(text, "outside\n");
        snprintf(path, sizeof path, "%s/inside.txt", dir);
        ASSERT_EQ(read_whole(path, text, sizeof text), 7);
        test_remove_scratch_dir(root);
    }
}

/* Both sides opt in: an enclave without HostFiles gets no files even from a host that exposes
 * a directory (its own fopen: ENOSYS; the reserved host call made by hand: refused by the
 * host); an enclave with HostFiles gets none from a host that exposes nothing. */
static void test_both_sides_opt_in(void)
{
    for (size_t b = 0; b < sizeof backends / sizeof backends[0]; b++) {
        char dir[64], path[128];
        arca_enclave_t *e = NULL;
        uint32_t r[2] = {0, 0};
        size_t len = 0;
        fprintf(stderr, "  backend %s\n", backends[b]);
        ASSERT_TRUE(test_make_scratch_dir(dir, sizeof dir, "libc-optin"));
        snprintf(path, sizeof path, "%s/%s", dir, LC_FILE_NAME);
        FILE *f = fopen(path, "w");
        ASSERT_TRUE(f != NULL);
        fclose(f);

        clear_output();
        ASSERT_OK(create(nofiles_image, backends[b], dir, &e));
        ASSERT_UEQ(ask(e, LC_NO_FILES), LC_NO_FILES_ALL);
        ASSERT_OK(arca_enclave_call(e, LC_RAW_OPEN, LC_FILE_NAME, strlen(LC_FILE_NAME), r,
                                    sizeof r, &len));
        ASSERT_RESULT((arca_result_t)r[0], ARCA_ERR_UNSUPPORTED);
        ASSERT_OK(arca_enclave_destroy(e));
        ASSERT_CONTAINS(output[1], "the enclave called fopen(), which enclaves cannot use");
        ASSERT_CONTAINS(output[1], "HostFiles = 1");

        clear_output();
        ASSERT_OK(create(image, backends[b], NULL, &e));
        ASSERT_UEQ(ask(e, LC_NO_FILES), LC_NO_FILES_ALL & ~4u); /* it has an environment */
        ASSERT_OK(arca_enclave_call(e, LC_RAW_OPEN, LC_FILE_NAME, strlen(LC_FILE_NAME), r,
                                    sizeof r, &len));
        ASSERT_RESULT((arca_result_t)r[0], ARCA_ERR_UNSUPPORTED);
        ASSERT_OK(arca_enclave_destroy(e));
        ASSERT_CONTAINS(output[1], "the host exposes no directory");

        /* both: the same raw call opens it, and one leading out is refused by the host */
        ASSERT_OK(create(image, backends[b], dir, &e));
        ASSERT_OK(arca_enclave_call(e, LC_RAW_OPEN, LC_FILE_NAME, strlen(LC_FILE_NAME), r,
                                    sizeof r, &len));
        ASSERT_RESULT((arca_result_t)r[0], ARCA_OK);
        ASSERT_UEQ(r[1], 0);
        ASSERT_OK(arca_enclave_call(e, LC_RAW_OPEN, "../x", 4, r, sizeof r, &len));
        ASSERT_RESULT((arca_result_t)r[0], ARCA_OK);
        ASSERT_UEQ(r[1], EACCES);
        ASSERT_OK(arca_enclave_destroy(e));
        test_remove_scratch_dir(dir);
    }
}

static void test_setting_checked(void)
{
    arca_enclave_t *e = NULL;
    const char *bad_key[] = {"host.directory=/tmp", NULL};
    arca_enclave_options_t o;
    ASSERT_RESULT(create(image, "sim", "/nonexistent/arca-libc", &e), ARCA_ERR_IO);
    ASSERT_CONTAINS(arca_last_error(),
                    "host.files=/nonexistent/arca-libc: cannot open the directory");
    ASSERT_TRUE(e == NULL);
    arca_enclave_options_init(&o);
    o.backend = "sim";
    o.settings = bad_key;
    ASSERT_RESULT(arca_enclave_create(image, &o, &e), ARCA_ERR_INVALID_ARGUMENT);
    ASSERT_CONTAINS(arca_last_error(), "'host' has no setting 'directory' (known: host.files)");
}

/* ---- arca inspect shows the signed environment ---- */

static int run_cli(const char *args, char *out, size_t cap)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "'%s' %s 2>&1", arca_cli, args);
    FILE *p = popen(cmd, "r");
    if (!p)
        return -1;
    size_t n = fread(out, 1, cap - 1, p);
    out[n] = '\0';
    return pclose(p);
}

static void test_inspect(void)
{
    char args[512], out[4096];
    snprintf(args, sizeof args, "inspect '%s'", image);
    ASSERT_EQ(run_cli(args, out, sizeof out), 0);
    ASSERT_CONTAINS(out, "host files:     yes\n");
    ASSERT_CONTAINS(out, "environment:    GREETING=" LC_GREETING "\n"
                         "                QUOTED=a # b \"c\"\n"
                         "                EMPTY=\n");
    snprintf(args, sizeof args, "inspect --json '%s'", image);
    ASSERT_EQ(run_cli(args, out, sizeof out), 0);
    ASSERT_CONTAINS(out, "\"host_files\": true,\n  \"environment\": [\"GREETING=" LC_GREETING
                         "\", \"QUOTED=a # b \\\"c\\\"\", \"EMPTY=\"],\n  \"imports\": [");
    snprintf(args, sizeof args, "inspect '%s'", nofiles_image);
    ASSERT_EQ(run_cli(args, out, sizeof out), 0);
    ASSERT_CONTAINS(out, "host files:     no\nenvironment:    none\n");
    snprintf(args, sizeof args, "inspect --json '%s'", nofiles_image);
    ASSERT_EQ(run_cli(args, out, sizeof out), 0);
    ASSERT_CONTAINS(out, "\"host_files\": false,\n  \"environment\": [],\n  \"imports\": [");
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: %s libc-enclave libc-nofiles-enclave arca-cli\n", argv[0]);
        return 2;
    }
    image = argv[1];
    nofiles_image = argv[2];
    arca_cli = argv[3];
    signal(SIGPIPE, SIG_IGN);
    RUN(test_done_when);
    RUN(test_assert_named_cause);
    RUN(test_paths_stay_inside);
    RUN(test_both_sides_opt_in);
    RUN(test_setting_checked);
    RUN(test_inspect);
    return TEST_SUMMARY();
}
