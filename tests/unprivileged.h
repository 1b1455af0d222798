/*
 * unprivileged.h — run an attack test as the unprivileged user it is about (uid/gid 65534).
 *
 * Root bypasses most of what the attacks test (dumpable, ptrace rules, file modes), so when a
 * test starts as root (CI) it forks a child that drops to 65534 and runs there. Images and
 * arca-runner are copied into a fresh directory first, because 65534 may not be able to traverse
 * the directory of the build tree (a checkout under a 0700 home). The runner copy stays
 * root-owned, mode 0755: the unprivileged host can run it but not replace it. The child gets
 * its own platform directory (ARCA_PLATFORM_DIR) and is made dumpable again, like an ordinary
 * process of that user (setuid() cleared it). Started as another user, the test runs in place.
 *
 * Usage:
 *     unprivileged_file files[] = {{argv[1], 0}, {argv[2], 0}};
 *     return unprivileged_run("attack-x", files, 2, run_all);
 * Inside run_all(), files[i].path names the file to use; $ARCA_RUNNER names the runner, and
 * unprivileged_workdir a directory the test may write to (removed afterwards).
 */
#ifndef ARCA_TESTS_UNPRIVILEGED_H
#define ARCA_TESTS_UNPRIVILEGED_H

#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define UNPRIVILEGED_UID 65534

static char unprivileged_workdir[256];

typedef struct unprivileged_file {
    const char *source; /* the file in the build tree */
    char path[512];     /* where the test finds it (filled by unprivileged_run) */
} unprivileged_file;

static inline int unprivileged_copy(const char *from, const char *to)
{
    FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
    char buf[65536];
    size_t n;
    int ok = in && out;
    while (ok && (n = fread(buf, 1, sizeof buf, in)) > 0)
        ok = fwrite(buf, 1, n, out) == n;
    if (in)
        fclose(in);
    if (out && fclose(out) != 0)
        ok = 0;
    return ok;
}

static inline int unprivileged_run(const char *tag, unprivileged_file *files, size_t count,
                                   int (*run)(void))
{
    char dir[256], platform[512], runner[512], cmd[600];
    const char *build_runner = getenv("ARCA_RUNNER");
    int status = 0;

    snprintf(dir, sizeof dir, "/tmp/arca-%s-XXXXXX", tag);
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    snprintf(unprivileged_workdir, sizeof unprivileged_workdir, "%s", dir);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (geteuid() != 0) {
        for (size_t i = 0; i < count; i++)
            snprintf(files[i].path, sizeof files[i].path, "%s", files[i].source);
        int rc = run();
        if (system(cmd) != 0)
            fprintf(stderr, "warning: could not remove %s\n", dir);
        return rc;
    }
    if (!build_runner || !build_runner[0]) {
        fprintf(stderr, "%s: as root, set ARCA_RUNNER to the arca-runner to test (ctest does)\n", tag);
        return 1;
    }
    snprintf(platform, sizeof platform, "%s/platform", dir);
    snprintf(runner, sizeof runner, "%s/arca-runner", dir);
    if (!unprivileged_copy(build_runner, runner) || chmod(runner, 0755) != 0 ||
        chown(dir, UNPRIVILEGED_UID, UNPRIVILEGED_UID) != 0 || setenv("ARCA_RUNNER", runner, 1) != 0) {
        perror("preparing the unprivileged directory");
        return 1;
    }
    for (size_t i = 0; i < count; i++) {
        const char *base = strrchr(files[i].source, '/');
        snprintf(files[i].path, sizeof files[i].path, "%s/%zu-%s", dir, i,
                 base ? base + 1 : files[i].source);
        if (!unprivileged_copy(files[i].source, files[i].path) ||
            chown(files[i].path, UNPRIVILEGED_UID, UNPRIVILEGED_UID) != 0) {
            perror(files[i].source);
            return 1;
        }
    }
    fflush(NULL);
    pid_t child = fork();
    if (child == 0) {
        if (setgroups(0, NULL) != 0 || setgid(UNPRIVILEGED_UID) != 0 ||
            setuid(UNPRIVILEGED_UID) != 0) {
            perror("dropping privileges");
            _exit(1);
        }
        prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
        setenv("ARCA_PLATFORM_DIR", platform, 1);
        fprintf(stderr, "%s: running as uid %d\n", tag, (int)getuid());
        _exit(run());
    }
    waitpid(child, &status, 0);
    if (system(cmd) != 0)
        fprintf(stderr, "warning: could not remove %s\n", dir);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

#endif
