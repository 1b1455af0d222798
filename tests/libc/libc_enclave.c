/*
 * libc_enclave.c — the C library test enclave of issue 13 ("done when"): printf, fopen on a
 * host file it opted into (write, then read back), open/read/write, localtime, sysconf,
 * getenv from its signed config, and assert(0). Built twice: with libc.conf (HostFiles = 1
 * and an environment) and with libc_nofiles.conf (neither). Every ecall answers a u32 of the
 * checks that held (libc_ids.h); the host test runs them on sim and process and expects the
 * same answers.
 */
#define _GNU_SOURCE /* secure_getenv, clearenv */
#undef NDEBUG /* the assert below must stay, in every build type */
#include <arca/enclave.h>
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "formats/host_files.h"
#include "libc_ids.h"

extern char **environ;

static arca_result_t answer(uint32_t bits, uint8_t *out, size_t cap, size_t *out_len)
{
    *out_len = 4;
    if (cap < 4)
        return ARCA_ERR_BUFFER_TOO_SMALL;
    memcpy(out, &bits, 4);
    return ARCA_OK;
}

#define ECALL(name)                                                                            \
    static arca_result_t name(const uint8_t *in, size_t in_len, uint8_t *out, size_t cap,      \
                              size_t *out_len)

ECALL(e_stdio)
{
    (void)in, (void)in_len;
    uint32_t ok = 0;
    const char *greeting = getenv("GREETING");
    ok |= (greeting != NULL) << 0;
    int n = printf("%s, %d\n", greeting ? greeting : "(none)", 42);
    fprintf(stdout, "fprintf to stdout\n");
    fprintf(stderr, "fprintf to stderr\n");
    fflush(stdout);
    ok |= (n > 0) << 1;
    return answer(ok, out, cap, out_len);
}

ECALL(e_files)
{
    (void)in, (void)in_len;
    uint32_t ok = 0;
    char line[128];
    FILE *f = fopen(LC_FILE_NAME, "w");
    ok |= (f != NULL) << 0;
    if (f) {
        const char *second = strchr(LC_FILE_TEXT, '\n') + 1;
        int a = fputs("first line from the enclave\n", f);
        int b = fprintf(f, "%.*s", (int)strlen(second), second);
        ok |= (a >= 0 && b == (int)strlen(second) && fclose(f) == 0) << 1;
    }
    f = fopen(LC_FILE_NAME, "r");
    ok |= (f != NULL) << 2;
    if (f) {
        ok |= (fgets(line, sizeof line, f) && !strcmp(line, "first line from the enclave\n")) << 3;
        ok |= (fgets(line, sizeof line, f) && !strcmp(line, "second line 42\n") &&
               !fgets(line, sizeof line, f) && feof(f)) << 4;
        char word[5] = {0};
        ok |= (fseek(f, 6, SEEK_SET) == 0 && ftell(f) == 6 && fread(word, 1, 4, f) == 4 &&
               !strcmp(word, "line")) << 5;
        ok |= (fseek(f, 0, SEEK_END) == 0 && ftell(f) == (long)strlen(LC_FILE_TEXT)) << 6;
        ok |= (fclose(f) == 0) << 7;
    }
    f = fopen(LC_FILE_NAME, "a+");
    if (f) {
        char all[256] = {0};
        size_t want = strlen(LC_FILE_TEXT) + 5;
        int w = fwrite("tail\n", 1, 5, f) == 5 && fflush(f) == 0;
        rewind(f);
        ok |= (w && fread(all, 1, sizeof all - 1, f) == want &&
               !strncmp(all, LC_FILE_TEXT, want - 5) && !strcmp(all + want - 5, "tail\n") &&
               fclose(f) == 0) << 8;
    }
    errno = 0;
    FILE *missing = fopen("missing.txt", "r");
    int missing_errno = errno;
    errno = 0;
    FILE *exclusive = fopen(LC_FILE_NAME, "wx");
    ok |= (!missing && missing_errno == ENOENT && !exclusive && errno == EEXIST) << 9;
    return answer(ok, out, cap, out_len);
}

ECALL(e_fds)
{
    (void)in, (void)in_len;
    enum { N = 100000 };
    uint32_t ok = 0;
    static unsigned char pattern[N], back[N];
    for (size_t i = 0; i < N; i++)
        pattern[i] = (unsigned char)(i * 7 + (i >> 8));
    int fd = open("fd.bin", O_CREAT | O_RDWR | O_TRUNC, 0600);
    ok |= (fd >= 960 && fd < 1024) << 0;
    ok |= (write(fd, pattern, N) == N) << 1;
    ok |= (lseek(fd, 0, SEEK_SET) == 0) << 2;
    size_t got = 0;
    ssize_t n = 1;
    while (got < N && (n = read(fd, back + got, N - got)) > 0)
        got += (size_t)n;
    ok |= (got == N && !memcmp(pattern, back, N) && read(fd, back, 1) == 0) << 3;
    ok |= (lseek(fd, -10, SEEK_END) == N - 10) << 4;
    ok |= (close(fd) == 0 && close(fd) == -1 && errno == EBADF) << 5;
    errno = 0;
    int after_close = read(fd, back, 1) == -1 && errno == EBADF;
    int ro = open("fd.bin", O_RDONLY);
    errno = 0;
    ok |= (after_close && ro >= 960 && write(ro, "x", 1) == -1 && errno == EBADF &&
           close(ro) == 0) << 6;
    int fd3 = open("fd.bin", O_RDONLY);
    FILE *f = fd3 >= 0 ? fdopen(fd3, "r") : NULL;
    ok |= (f && fgetc(f) == pattern[0] && fclose(f) == 0) << 7;
    return answer(ok, out, cap, out_len);
}

ECALL(e_time)
{
    (void)in, (void)in_len;
    uint32_t ok = 0;
    time_t t = 1700000000;
    struct tm local, utc;
    struct tm *l = localtime(&t);
    if (l)
        local = *l;
    ok |= (l && gmtime_r(&t, &utc) && local.tm_hour == utc.tm_hour && local.tm_min == utc.tm_min &&
           local.tm_yday == utc.tm_yday) << 0;
    ok |= (sysconf(_SC_PAGESIZE) == 4096) << 1;
    ok |= (sysconf(_SC_NPROCESSORS_ONLN) >= 1) << 2;
    return answer(ok, out, cap, out_len);
}

static int is(const char *a, const char *b)
{
    return a && b && !strcmp(a, b);
}

ECALL(e_env)
{
    (void)in, (void)in_len;
    uint32_t ok = 0;
    ok |= is(getenv("GREETING"), LC_GREETING) << 0;
    ok |= is(getenv("QUOTED"), "a # b \"c\"") << 1;
    ok |= is(getenv("EMPTY"), "") << 2;
    ok |= (!getenv("ARCA_LIBC_HOST_SECRET") && !getenv("PATH") && !getenv("HOME") &&
           !getenv("GREETING=") && !getenv("")) << 3;
    int n = 0, known = 0;
    for (char **e = environ; e && *e; e++, n++)
        known += is(*e, "GREETING=" LC_GREETING) || is(*e, "QUOTED=a # b \"c\"") ||
                 is(*e, "EMPTY=");
    ok |= (n == 3 && known == 3) << 4;
    ok |= is(secure_getenv("GREETING"), LC_GREETING) << 5;
    ok |= (setenv("ADDED", "1", 0) == 0 && is(getenv("ADDED"), "1") &&
           setenv("GREETING", "x", 0) == 0 && is(getenv("GREETING"), LC_GREETING)) << 6;
    ok |= (setenv("GREETING", "changed", 1) == 0 && is(getenv("GREETING"), "changed") &&
           unsetenv("GREETING") == 0 && !getenv("GREETING")) << 7;
    errno = 0;
    ok |= (setenv("BAD=NAME", "v", 1) == -1 && errno == EINVAL) << 8;
    static char put[] = "PUT=yes";
    ok |= (putenv(put) == 0 && is(getenv("PUT"), "yes") && clearenv() == 0 && environ &&
           !environ[0] && !getenv("ADDED")) << 9;
    return answer(ok, out, cap, out_len);
}

ECALL(e_assert)
{
    (void)in, (void)in_len, (void)out, (void)cap, (void)out_len;
    printf("before the assert\n");
    assert(0);
    return ARCA_OK;
}

/* Needs the directory layout test_libc.c makes: sub/, fifo, link-out -> outside it. */
ECALL(e_escape)
{
    (void)in, (void)in_len;
    uint32_t ok = 0;
    FILE *f;
    errno = 0;
    ok |= (!fopen("../outside.txt", "r") && errno == EACCES) << 0;
    errno = 0;
    ok |= (!fopen("/etc/hostname", "r") && errno == EACCES) << 1;
    errno = 0;
    ok |= (!fopen("link-out/outside.txt", "r") && errno == EACCES) << 2;
    f = fopen("sub/../inside.txt", "w");
    ok |= (f && fputs("inside\n", f) >= 0 && fclose(f) == 0) << 3;
    errno = 0;
    ok |= (!fopen("sub", "r") && errno == EISDIR) << 4;
    errno = 0;
    ok |= (!fopen("fifo", "r") && errno == EACCES) << 5;
    return answer(ok, out, cap, out_len);
}

ECALL(e_no_files)
{
    (void)in, (void)in_len;
    uint32_t ok = 0;
    errno = 0;
    ok |= (!fopen(LC_FILE_NAME, "w") && errno == ENOSYS) << 0;
    errno = 0;
    ok |= (open(LC_FILE_NAME, O_RDONLY) == -1 && errno == ENOSYS) << 1;
    ok |= (!getenv("GREETING") && !getenv("PATH") && environ && !environ[0]) << 2;
    return answer(ok, out, cap, out_len);
}

/* The reserved OPEN host call made by hand (as a hostile enclave could): for the host's side
 * of the opt-in. Answer: u32 result, u32 errno of the reply (or ~0). */
ECALL(e_raw_open)
{
    uint8_t req[8 + 64], reply[8];
    size_t got = 0;
    uint32_t r[2] = {0, UINT32_MAX};
    if (in_len > 64 || cap < sizeof r)
        return ARCA_ERR_INVALID_ARGUMENT;
    uint32_t flags = ARCA__HOST_FILE_READ, mode = 0;
    memcpy(req, &flags, 4);
    memcpy(req + 4, &mode, 4);
    memcpy(req + 8, in, in_len);
    r[0] = (uint32_t)arca_host_call(ARCA__HOSTCALL_FILE_OPEN, req, 8 + in_len, reply,
                                    sizeof reply, &got);
    if (r[0] == ARCA_OK && got >= 4)
        memcpy(&r[1], reply, 4);
    memcpy(out, r, sizeof r);
    *out_len = sizeof r;
    return ARCA_OK;
}

ECALL(e_many)
{
    (void)in, (void)in_len;
    uint32_t ok = 0;
    int fds[ARCA__HOST_FILES_MAX];
    int opened = 0;
    char name[32];
    for (unsigned i = 0; i < ARCA__HOST_FILES_MAX; i++) {
        snprintf(name, sizeof name, "many-%u", i);
        fds[i] = open(name, O_CREAT | O_WRONLY, 0600);
        opened += fds[i] >= 0;
    }
    ok |= (opened == (int)ARCA__HOST_FILES_MAX) << 0;
    errno = 0;
    ok |= (open("many-extra", O_CREAT | O_WRONLY, 0600) == -1 && errno == EMFILE) << 1;
    int closed = 0;
    for (unsigned i = 0; i < ARCA__HOST_FILES_MAX; i++)
        closed += fds[i] >= 0 && close(fds[i]) == 0;
    ok |= (closed == (int)ARCA__HOST_FILES_MAX) << 2;
    return answer(ok, out, cap, out_len);
}

ARCA_ECALLS({LC_STDIO, e_stdio}, {LC_FILES, e_files}, {LC_FDS, e_fds}, {LC_TIME, e_time},
            {LC_ENV, e_env}, {LC_ASSERT, e_assert}, {LC_ESCAPE, e_escape},
            {LC_NO_FILES, e_no_files}, {LC_RAW_OPEN, e_raw_open}, {LC_MANY, e_many});
