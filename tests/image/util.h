/*
 * util.h — helpers shared by the image tests: whole-file I/O, running a command with its
 * output captured (children never take the test down), and a fresh signing key.
 */
#ifndef ARCA_TESTS_IMAGE_UTIL_H
#define ARCA_TESTS_IMAGE_UTIL_H

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Reads a whole file into a new buffer (NULL on failure). */
static inline uint8_t *util_read(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf = NULL;
    long n;
    if (!f)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
        buf = malloc((size_t)n + 1);
        if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
            free(buf);
            buf = NULL;
        }
        *len = (size_t)n;
    }
    fclose(f);
    return buf;
}

static inline int util_write(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    int ok;
    if (!f)
        return -1;
    ok = fwrite(data, 1, len, f) == len;
    return (fclose(f) == 0 && ok) ? 0 : -1;
}

/*
 * Runs argv[0] (a path) with stdout and stderr captured into NUL-terminated buffers.
 * @return the exit status, or -1 if it did not exit normally.
 */
static inline int util_run(char *const argv[], char *out, size_t out_cap, char *err, size_t err_cap)
{
    char out_path[] = "/tmp/arca-test-out-XXXXXX", err_path[] = "/tmp/arca-test-err-XXXXXX";
    int ofd = mkstemp(out_path), efd = mkstemp(err_path), status = -1;
    pid_t pid;
    if (ofd < 0 || efd < 0)
        return -1;
    fflush(NULL);
    pid = fork();
    if (pid == 0) {
        dup2(ofd, 1);
        dup2(efd, 2);
        execv(argv[0], argv);
        _exit(127);
    }
    if (pid > 0 && waitpid(pid, &status, 0) == pid)
        status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    else
        status = -1;
    for (int i = 0; i < 2; i++) {
        int fd = i == 0 ? ofd : efd;
        char *buf = i == 0 ? out : err;
        size_t cap = i == 0 ? out_cap : err_cap;
        if (buf && cap) {
            ssize_t n = pread(fd, buf, cap - 1, 0);
            buf[n > 0 ? n : 0] = '\0';
        }
        close(fd);
    }
    unlink(out_path);
    unlink(err_path);
    return status;
}

#endif
