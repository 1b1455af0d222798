/*
 * test_file.c — arca__read_file (contents, size cap at and beyond the limit, empty files,
 * files that report size 0, missing paths and directories with clear details) and
 * arca__sealed_memfd (exact contents, all four seals, every way of writing refused).
 */
#define _GNU_SOURCE /* F_GET_SEALS, memfd flags */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/error.h"
#include "formats/image.h"
#include "test.h"

static char tmpdir[256];
static char path[512];

static int write_file(const char *p, const void *data, size_t len)
{
    FILE *f = fopen(p, "wb");
    if (!f)
        return -1;
    size_t n = len ? fwrite(data, 1, len, f) : 0;
    return (fclose(f) == 0 && n == len) ? 0 : -1;
}

static void test_read_file_contents_and_cap(void)
{
    uint8_t data[10000];
    uint8_t *out = NULL;
    size_t len = 0;
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(i * 131 + 7);
    snprintf(path, sizeof path, "%s/data.bin", tmpdir);
    ASSERT_EQ(write_file(path, data, sizeof data), 0);

    ASSERT_OK(arca__read_file(path, sizeof data, &out, &len)); /* exactly at the cap */
    int same = len == sizeof data && memcmp(out, data, len) == 0;
    free(out);
    ASSERT_TRUE(same);
    out = (uint8_t *)1;
    ASSERT_RESULT(arca__read_file(path, sizeof data - 1, &out, &len), ARCA_ERR_OVERFLOW);
    ASSERT_TRUE(out == NULL);
    ASSERT_UEQ(len, 0);
    ASSERT_CONTAINS(arca__error_detail(), "data.bin");
    ASSERT_CONTAINS(arca__error_detail(), "maximum");
    ASSERT_RESULT(arca__read_file(path, 0, &out, &len), ARCA_ERR_OVERFLOW);
    ASSERT_OK(arca__read_file(path, SIZE_MAX, &out, &len));
    free(out);
    ASSERT_UEQ(len, sizeof data);
}

static void test_read_file_empty_and_unsized(void)
{
    uint8_t *out = NULL;
    size_t len = 99;
    snprintf(path, sizeof path, "%s/empty", tmpdir);
    ASSERT_EQ(write_file(path, NULL, 0), 0);
    ASSERT_OK(arca__read_file(path, 0, &out, &len));
    ASSERT_TRUE(out != NULL); /* always a freeable buffer */
    ASSERT_UEQ(len, 0);
    free(out);

    /* /proc files report size 0 but have contents: read until EOF, still capped. */
    ASSERT_OK(arca__read_file("/proc/self/status", 1 << 20, &out, &len));
    int looks_right = len > 10 && memcmp(out, "Name:", 5) == 0;
    free(out);
    ASSERT_TRUE(looks_right);
    ASSERT_RESULT(arca__read_file("/proc/self/status", 8, &out, &len), ARCA_ERR_OVERFLOW);
}

static void test_read_file_errors(void)
{
    uint8_t *out = NULL;
    size_t len = 0;
    snprintf(path, sizeof path, "%s/no-such-file", tmpdir);
    ASSERT_RESULT(arca__read_file(path, 100, &out, &len), ARCA_ERR_IO);
    ASSERT_CONTAINS(arca__error_detail(), "no-such-file: No such file or directory");
    ASSERT_RESULT(arca__read_file(tmpdir, 100, &out, &len), ARCA_ERR_IO);
    ASSERT_CONTAINS(arca__error_detail(), "Is a directory");
    ASSERT_TRUE(out == NULL);
    ASSERT_RESULT(arca__read_file(NULL, 100, &out, &len), ARCA_ERR_INVALID_ARGUMENT);
}

static void test_sealed_memfd(void)
{
    uint8_t data[5000], back[5001];
    int fd = -1;
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(i ^ 0x5a);

    ASSERT_OK(arca__sealed_memfd("arca-test", data, sizeof data, &fd));
    ASSERT_TRUE(fd >= 0);
    int seals = fcntl(fd, F_GET_SEALS);
    int fd_flags = fcntl(fd, F_GETFD);
    ssize_t n = pread(fd, back, sizeof back, 0);
    ssize_t r = read(fd, back, 1); /* the offset starts at the beginning */
    int read_first = r == 1 && back[0] == data[0];
    n = pread(fd, back, sizeof back, 0);

    /* Every way of changing the contents is refused. */
    errno = 0;
    ssize_t w = pwrite(fd, "x", 1, 0);
    int w_err = errno;
    ssize_t w_end = pwrite(fd, "x", 1, (off_t)sizeof data);
    int trunc_shrink = ftruncate(fd, 10);
    int trunc_grow = ftruncate(fd, 100000);
    void *map = mmap(NULL, sizeof data, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    int more_seals = fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE);
    struct stat st;
    int st_ok = fstat(fd, &st);
    close(fd);

    ASSERT_EQ(seals, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL);
    ASSERT_TRUE(fd_flags & FD_CLOEXEC);
    ASSERT_EQ(n, (ssize_t)sizeof data);
    ASSERT_MEMEQ(back, data, sizeof data);
    ASSERT_TRUE(read_first);
    ASSERT_EQ(w, -1);
    ASSERT_EQ(w_err, EPERM);
    ASSERT_EQ(w_end, -1);
    ASSERT_EQ(trunc_shrink, -1);
    ASSERT_EQ(trunc_grow, -1);
    ASSERT_TRUE(map == MAP_FAILED);
    ASSERT_EQ(more_seals, -1);
    ASSERT_EQ(st_ok, 0);
    ASSERT_EQ(st.st_size, (long long)sizeof data);
}

static void test_sealed_memfd_empty_and_bad_args(void)
{
    int fd = -1;
    ASSERT_OK(arca__sealed_memfd("empty", NULL, 0, &fd));
    struct stat st;
    int ok = fstat(fd, &st) == 0 && st.st_size == 0;
    ssize_t w = write(fd, "x", 1);
    close(fd);
    ASSERT_TRUE(ok);
    ASSERT_EQ(w, -1);
    ASSERT_RESULT(arca__sealed_memfd("bad", NULL, 10, &fd), ARCA_ERR_INVALID_ARGUMENT);
    ASSERT_EQ(fd, -1);
}

int main(void)
{
    const char *base = getenv("TMPDIR");
    snprintf(tmpdir, sizeof tmpdir, "%s/arca-test-file-XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    RUN(test_read_file_contents_and_cap);
    RUN(test_read_file_empty_and_unsized);
    RUN(test_read_file_errors);
    RUN(test_sealed_memfd);
    RUN(test_sealed_memfd_empty_and_bad_args);
    snprintf(path, sizeof path, "%s/data.bin", tmpdir);
    unlink(path);
    snprintf(path, sizeof path, "%s/empty", tmpdir);
    unlink(path);
    rmdir(tmpdir);
    return TEST_SUMMARY();
}
