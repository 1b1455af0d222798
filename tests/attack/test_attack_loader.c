/*
 * test_attack_loader.c — attacks on the launch of a process enclave, by its own non-root host
 * (uid 65534; tests/unprivileged.h drops there when started as root):
 *   - planted code: the host, in its own user and mount namespace, mounts a tmpfs over /proc
 *     and plants another signed image at /proc/self/fd/4, where a runner that reopened the
 *     verified image by path would load it (issue 11, item 1);
 *   - image code before the sandbox: a signed image whose constructor, or whose IFUNC
 *     resolver, creates a file, opens a socket and runs a shell (item 3).
 * Each attack must fail: the enclave refuses to start with a message, or the attack gets
 * nothing (the verified image answers; no marker file appears).
 *
 * argv: loader-good-enclave planted-enclave ctor-attack-enclave ifunc-attack-enclave
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "arca/host.h"
#include "loader_ids.h"
#include "test.h"
#include "unprivileged.h"

enum { IMAGE, PLANTED, CTOR, IFUNC, FILE_COUNT };
static unprivileged_file files[FILE_COUNT];

static arca_result_t create_process(const char *path, arca_enclave_t **e)
{
    arca_enclave_options_t o;
    arca_enclave_options_init(&o);
    o.backend = "process";
    return arca_enclave_create(path, &o, e);
}

static int write_file(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY);
    if (fd < 0)
        return -1;
    ssize_t n = write(fd, text, strlen(text));
    close(fd);
    return n == (ssize_t)strlen(text) ? 0 : -1;
}

/*
 * In a child: become root of a new user namespace with a private mount namespace, cover /proc
 * with a tmpfs and plant the other image where the old runner looked. Exit codes: 0 the
 * verified image answered (or create refused, with a message), 1 the planted code answered,
 * 2 the attack could not be set up here (no user namespaces), 3 a test failure.
 */
static int planted_child(void)
{
    char map[64];
    uid_t uid = getuid();
    gid_t gid = getgid();
    if (unshare(CLONE_NEWUSER | CLONE_NEWNS) != 0) {
        fprintf(stderr, "planted: unshare: %s\n", strerror(errno));
        return 2;
    }
    snprintf(map, sizeof map, "0 %d 1", (int)uid);
    if (write_file("/proc/self/setgroups", "deny") != 0 || write_file("/proc/self/uid_map", map) != 0)
        return 3;
    snprintf(map, sizeof map, "0 %d 1", (int)gid);
    if (write_file("/proc/self/gid_map", map) != 0)
        return 3;
    if (mount("none", "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0 ||
        mount("arca-fake-proc", "/proc", "tmpfs", 0, "mode=755") != 0) {
        fprintf(stderr, "planted: mount: %s\n", strerror(errno));
        return 3;
    }
    if (mkdir("/proc/self", 0755) != 0 || mkdir("/proc/self/fd", 0755) != 0 ||
        !unprivileged_copy(files[PLANTED].path, "/proc/self/fd/4"))
        return 3;
    chmod("/proc/self/fd/4", 0755);

    arca_enclave_t *e = NULL;
    arca_result_t r = create_process(files[IMAGE].path, &e);
    if (r != ARCA_OK) {
        fprintf(stderr, "planted: create refused (%s): %s\n", arca_result_name(r), arca_last_error());
        return arca_last_error()[0] ? 0 : 3;
    }
    char reply[64] = "";
    size_t len = 0;
    r = arca_enclave_call(e, LE_ECHO, "verified", 8, reply, sizeof reply - 1, &len);
    arca_enclave_destroy(e);
    if (r == ARCA_OK && len == sizeof LE_PLANTED - 1 && !memcmp(reply, LE_PLANTED, len))
        return 1;
    fprintf(stderr, "planted: the verified image answered (%s, %zu bytes)\n", arca_result_name(r), len);
    return r == ARCA_OK && len == 8 && !memcmp(reply, "verified", 8) ? 0 : 3;
}

static void test_planted_image_never_runs(void)
{
    fflush(NULL);
    pid_t child = fork();
    if (child == 0)
        _exit(planted_child());
    int status = 0;
    waitpid(child, &status, 0);
    ASSERT_TRUE(WIFEXITED(status));
    int code = WEXITSTATUS(status);
    if (code == 2) {
        fprintf(stderr, "note: user namespaces are not available; this attack cannot be made here\n");
        return;
    }
    ASSERT_EQ(code, 0);
}

static void remove_markers(void)
{
    unlink(LE_MARKER_OPEN);
    unlink(LE_MARKER_EXEC);
}

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* A hostile image's initialiser or IFUNC resolver runs only inside the sandbox: the enclave
 * ends at its first forbidden system call, and nothing it tried is left behind. */
static void hostile_image_code(const char *path)
{
    arca_enclave_t *e = NULL;
    remove_markers();
    ASSERT_TRUE(!exists(LE_MARKER_OPEN) && !exists(LE_MARKER_EXEC));
    arca_result_t r = create_process(path, &e);
    fprintf(stderr, "  create: %s: %s\n", arca_result_name(r), arca_last_error());
    ASSERT_NE(r, ARCA_OK);
    ASSERT_TRUE(arca_last_error()[0] != '\0');
    if (r == ARCA_OK)
        arca_enclave_destroy(e);
    usleep(200 * 1000); /* a forked shell, had there been one, would have run by now */
    ASSERT_TRUE(!exists(LE_MARKER_OPEN));
    ASSERT_TRUE(!exists(LE_MARKER_EXEC));
    remove_markers();
}

static void test_constructor_runs_sandboxed(void)
{
    hostile_image_code(files[CTOR].path);
}

static void test_ifunc_resolver_runs_sandboxed(void)
{
    hostile_image_code(files[IFUNC].path);
}

static int run_all(void)
{
    RUN(test_planted_image_never_runs);
    RUN(test_constructor_runs_sandboxed);
    RUN(test_ifunc_resolver_runs_sandboxed);
    return TEST_SUMMARY();
}

int main(int argc, char **argv)
{
    if (argc != 1 + FILE_COUNT) {
        fprintf(stderr, "usage: %s image planted ctor-attack ifunc-attack\n", argv[0]);
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    for (int i = 0; i < FILE_COUNT; i++)
        files[i].source = argv[1 + i];
    return unprivileged_run("attack-loader", files, FILE_COUNT, run_all);
}
