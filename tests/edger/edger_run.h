/*
 * edger_run.h — helpers shared by the arca-edger tests: run the compiler as a child process
 * with its stderr captured, read files, make scratch directories.
 */
#ifndef ARCA_TEST_EDGER_RUN_H
#define ARCA_TEST_EDGER_RUN_H

#include <dirent.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* Read a whole file into a NUL-terminated buffer (NULL if missing); *len gets its size. */
static char *run_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    for (;;) {
        if (n + 4096 + 1 > cap) {
            cap *= 2;
            buf = realloc(buf, cap);
        }
        size_t got = fread(buf + n, 1, 4096, f);
        n += got;
        if (got < 4096)
            break;
    }
    fclose(f);
    buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
}

/* Run argv with stdout sent to @p out_path and stderr to @p err_path; @return the exit status
 * (-1 if it did not exit). */
static int run_command_out(char *const argv[], const char *out_path, const char *err_path)
{
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 2, err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_addopen(&fa, 1, out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    pid_t pid;
    int rc = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0)
        return -1;
    int status;
    if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status))
        return -1;
    return WEXITSTATUS(status);
}

/* Run argv with stderr sent to @p err_path (stdout discarded). */
static int run_command(char *const argv[], const char *err_path)
{
    return run_command_out(argv, "/dev/null", err_path);
}

static char *run_scratch_dir(void)
{
    const char *base = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    size_t n = strlen(base) + 32;
    char *dir = malloc(n);
    snprintf(dir, n, "%s/arca-edger-XXXXXX", base);
    if (!mkdtemp(dir)) {
        free(dir);
        return NULL;
    }
    return dir;
}

/* Remove a scratch directory and the files in it (no subdirectories). */
static void run_remove_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            if (e->d_name[0] == '.')
                continue;
            char path[4096];
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
            unlink(path);
        }
        closedir(d);
    }
    rmdir(dir);
}

/* Sorted names of the files in @p dir ending in @p suffix; NULL-terminated. */
static int run_cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static char **run_list(const char *dir, const char *suffix, size_t *count)
{
    DIR *d = opendir(dir);
    char **names = calloc(1, sizeof *names);
    size_t n = 0, sl = strlen(suffix);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            size_t l = strlen(e->d_name);
            if (l > sl && strcmp(e->d_name + l - sl, suffix) == 0) {
                names = realloc(names, (n + 2) * sizeof *names);
                names[n++] = strdup(e->d_name);
                names[n] = NULL;
            }
        }
        closedir(d);
    }
    qsort(names, n, sizeof *names, run_cmp_str);
    *count = n;
    return names;
}

static void run_free_list(char **names)
{
    for (size_t i = 0; names[i]; i++)
        free(names[i]);
    free(names);
}

/* Run @p check on one corpus file as a named test case (the RUN() of tests/test.h, which
 * takes no argument). Needs tests/test.h included first. */
static void run_case(void (*check)(const char *), const char *file)
{
    test__current_failed = 0;
    fprintf(stderr, "[ RUN  ] %s\n", file);
    check(file);
    if (test__current_failed) {
        test__failed++;
        fprintf(stderr, "[ FAIL ] %s\n", file);
    } else {
        test__passed++;
        fprintf(stderr, "[  OK  ] %s\n", file);
    }
}

#endif
