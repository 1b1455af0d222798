/*
 * test_attack_platform.c — attacks on the dev platform's key directory (issue 11, item 5), as
 * the unprivileged user who runs the host (uid 65534):
 *   - another user prepares a key directory (mode 0755, files 0644: readable by the victim, so
 *     the attacker keeps a copy of every key) and gets the victim to use it through
 *     ARCA_PLATFORM_DIR or options.platform_dir: create, and so sealing, is refused with a
 *     message naming the path, the owner found and what to do;
 *   - the victim's own directory left open to others (0755, or a file 0644): refused with the
 *     chmod to run, and usable again after it;
 *   - a symbolic link planted for a key file (pointing at the attacker's key), or for the
 *     directory itself: refused.
 * The "attack works" control: the planted directory really is readable by the victim, and a
 * private directory of the victim seals and unseals.
 *
 * As root the test prepares the foreign directory (root plays the other user), then forks a
 * child that drops to uid/gid 65534 with a private home and runs everything there; the image and
 * arca-runner are copied first, as in test_attack.c. Started as another user, the foreign
 * directory is /etc (root's, mode 0755).
 * argv: seal-enclave.signed.so (a production image of tests/seal)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "arca/host.h"
#include "arca/platform.h"
#include "arca/seal.h"
#include "base/le.h"
#include "seal_ids.h"
#include "test.h"
#include "unprivileged.h"

#define SECRET "the victim's secret"

static char image[1024];   /* the enclave image the tests may read */
static char foreign[1024]; /* a key directory another user prepared */
static char home[1024];    /* a private directory of the user the tests run as */

/* Create an enclave on the process backend with this key directory (NULL: $ARCA_PLATFORM_DIR). */
static arca_result_t open_with(const char *platform_dir, arca_enclave_t **e)
{
    arca_enclave_options_t opts;
    arca_enclave_options_init(&opts);
    opts.backend = "process";
    char setting[1100];
    snprintf(setting, sizeof setting, "dev.dir=%s", platform_dir ? platform_dir : "");
    const char *settings[] = {setting, NULL};
    opts.settings = platform_dir ? settings : NULL;
    *e = NULL;
    return arca_enclave_create(image, &opts, e);
}

static arca_result_t seal_secret(arca_enclave_t *e, uint8_t *blob, size_t cap, size_t *len)
{
    uint8_t in[8 + sizeof SECRET];
    arca__put_le32(in, ARCA_SEAL_ENCLAVE);
    arca__put_le32(in + 4, 0);
    memcpy(in + 8, SECRET, sizeof SECRET);
    return arca_enclave_call(e, SEAL_FN_SEAL, in, sizeof in, blob, cap, len);
}

static arca_result_t unseal_secret(arca_enclave_t *e, const uint8_t *blob, size_t len)
{
    uint8_t in[4096], out[256];
    size_t got = 0;
    if (len > sizeof in - 4)
        return ARCA_ERR_INTERNAL;
    arca__put_le32(in, 0);
    memcpy(in + 4, blob, len);
    arca_result_t r = arca_enclave_call(e, SEAL_FN_UNSEAL, in, 4 + len, out, sizeof out, &got);
    if (r == ARCA_OK && (got != sizeof SECRET || memcmp(out, SECRET, sizeof SECRET) != 0))
        r = ARCA_ERR_INTERNAL;
    return r;
}

/* Create must be refused with ARCA_ERR_PERMISSION and a detail holding both needles. */
static void expect_refused(const char *dir, const char *n1, const char *n2)
{
    arca_enclave_t *e = (arca_enclave_t *)1;
    ASSERT_RESULT(open_with(dir, &e), ARCA_ERR_PERMISSION);
    ASSERT_TRUE(e == NULL);
    ASSERT_CONTAINS(arca_last_error(), n1);
    ASSERT_CONTAINS(arca_last_error(), n2);
}

static void test_foreign_directory_is_refused(void)
{
    char path[1200], expect[64];
    ASSERT_TRUE(geteuid() != 0);
    /* Control: the planted directory is really readable by this user (the attacker's bait). */
    snprintf(path, sizeof path, "%s/%s", foreign, geteuid() == 65534 ? "seal-root.key" : "passwd");
    int fd = open(path, O_RDONLY);
    ASSERT_TRUE(fd >= 0);
    close(fd);

    snprintf(expect, sizeof expect, "not to you (uid %u)", (unsigned)geteuid());
    /* Through the environment ... */
    setenv("ARCA_PLATFORM_DIR", foreign, 1);
    expect_refused(NULL, foreign, "belongs to uid 0");
    ASSERT_CONTAINS(arca_last_error(), expect);
    ASSERT_CONTAINS(arca_last_error(), "arca platform init");
    unsetenv("ARCA_PLATFORM_DIR");
    /* ... and through the options. */
    expect_refused(foreign, foreign, "belongs to uid 0");
    /* arca platform info refuses it too, the same way. */
    arca_platform_info_t info;
    ASSERT_RESULT(arca_platform_info(foreign, &info), ARCA_ERR_PERMISSION);
    ASSERT_CONTAINS(arca_last_error(), "belongs to uid 0");
}

static void test_own_directory_open_to_others_is_refused(void)
{
    char dir[1200], path[1300];
    uint8_t blob[1024];
    size_t len = 0;
    arca_enclave_t *e = NULL;
    arca_platform_info_t info;
    snprintf(dir, sizeof dir, "%s/own", home);
    ASSERT_OK(arca_platform_info(dir, &info));
    ASSERT_TRUE(info.created);
    /* Control: a private directory seals. */
    ASSERT_OK(open_with(dir, &e));
    ASSERT_OK(seal_secret(e, blob, sizeof blob, &len));
    ASSERT_OK(arca_enclave_destroy(e));

    ASSERT_EQ(chmod(dir, 0755), 0);
    expect_refused(dir, "mode 0755", "chmod 700");
    ASSERT_EQ(chmod(dir, 0700), 0);
    snprintf(path, sizeof path, "%s/seal-root.key", dir);
    ASSERT_EQ(chmod(path, 0644), 0);
    expect_refused(dir, "mode 0644", "chmod 600");
    ASSERT_EQ(chmod(path, 0600), 0);

    /* After the chmod the directory serves again, with the same keys. */
    ASSERT_OK(open_with(dir, &e));
    ASSERT_OK(unseal_secret(e, blob, len));
    ASSERT_OK(arca_enclave_destroy(e));
}

static void test_planted_symbolic_links_are_refused(void)
{
    static const char *const files[] = {"seal-root.key", "attestation-key.pem", "platform-cert.pem"};
    char dir[1200], path[1300], saved[1300], target[1300], link[1200];
    arca_enclave_t *e = NULL;
    arca_platform_info_t info;
    snprintf(dir, sizeof dir, "%s/linked", home);
    ASSERT_OK(arca_platform_info(dir, &info));
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        snprintf(saved, sizeof saved, "%s/%s.mine", dir, files[i]);
        if (geteuid() == 65534)
            snprintf(target, sizeof target, "%s/%s", foreign, files[i]);
        else
            snprintf(target, sizeof target, "%s/passwd", foreign);
        ASSERT_EQ(rename(path, saved), 0);
        ASSERT_EQ(symlink(target, path), 0);
        expect_refused(dir, path, "symbolic link");
        ASSERT_EQ(unlink(path), 0);
        ASSERT_EQ(rename(saved, path), 0);
    }
    /* The key and certificate both linked to the attacker's pair (a consistent platform). */
    if (geteuid() == 65534) {
        for (size_t i = 1; i < 3; i++) {
            snprintf(path, sizeof path, "%s/%s", dir, files[i]);
            snprintf(saved, sizeof saved, "%s/%s.mine", dir, files[i]);
            snprintf(target, sizeof target, "%s/%s", foreign, files[i]);
            ASSERT_EQ(rename(path, saved), 0);
            ASSERT_EQ(symlink(target, path), 0);
        }
        expect_refused(dir, "linked/platform-cert.pem", "symbolic link");
        for (size_t i = 1; i < 3; i++) {
            snprintf(path, sizeof path, "%s/%s", dir, files[i]);
            snprintf(saved, sizeof saved, "%s/%s.mine", dir, files[i]);
            ASSERT_EQ(unlink(path), 0);
            ASSERT_EQ(rename(saved, path), 0);
        }
    }
    ASSERT_OK(open_with(dir, &e));
    ASSERT_OK(arca_enclave_destroy(e));
    /* The directory itself given as a link to a directory of the attacker, or even one's own. */
    snprintf(link, sizeof link, "%s/link-foreign", home);
    ASSERT_EQ(symlink(foreign, link), 0);
    expect_refused(link, link, "symbolic link");
    snprintf(link, sizeof link, "%s/link-own", home);
    ASSERT_EQ(symlink(dir, link), 0);
    expect_refused(link, link, "symbolic link");
}

static int run_all(void)
{
    RUN(test_foreign_directory_is_refused);
    RUN(test_own_directory_open_to_others_is_refused);
    RUN(test_planted_symbolic_links_are_refused);
    return TEST_SUMMARY();
}

/* Make the root-prepared directory look like what an attacker hands out: 0755, files 0644. */
static int open_up(const char *dir)
{
    static const char *const files[] = {"seal-root.key", "attestation-key.pem", "platform-cert.pem"};
    char path[1300];
    if (chmod(dir, 0755) != 0)
        return 0;
    for (size_t i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        if (chmod(path, 0644) != 0)
            return 0;
    }
    return 1;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s seal-enclave.signed.so\n", argv[0]);
        return 2;
    }
    if (geteuid() != 0) {
        snprintf(image, sizeof image, "%s", argv[1]);
        snprintf(foreign, sizeof foreign, "/etc");
        if (!test_make_scratch_dir(home, sizeof home, "attack-platform"))
            return 1;
        int rc = run_all();
        test_remove_scratch_dir(home);
        return rc;
    }
    char dir[] = "/tmp/arca-attack-platform-XXXXXX", runner[256];
    const char *build_runner = getenv("ARCA_RUNNER");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    if (!build_runner || !build_runner[0]) {
        fprintf(stderr, "test_attack_platform: as root, set ARCA_RUNNER (ctest does)\n");
        return 1;
    }
    snprintf(image, sizeof image, "%s/enclave.signed.so", dir);
    snprintf(runner, sizeof runner, "%s/arca-runner", dir);
    snprintf(foreign, sizeof foreign, "%s/foreign", dir);
    snprintf(home, sizeof home, "%s/home", dir);
    arca_platform_info_t info;
    /* Root plays the other user: a complete platform, then opened up to everyone. */
    if (chmod(dir, 0755) != 0 || !unprivileged_copy(argv[1], image) || chown(image, 65534, 65534) != 0 ||
        !unprivileged_copy(build_runner, runner) || chmod(runner, 0755) != 0 ||
        setenv("ARCA_RUNNER", runner, 1) != 0 || arca_platform_info(foreign, &info) != ARCA_OK ||
        !open_up(foreign) || mkdir(home, 0700) != 0 || chown(home, 65534, 65534) != 0) {
        fprintf(stderr, "preparing the directories: %s / %s\n", strerror(errno), arca_last_error());
        return 1;
    }
    fflush(NULL);
    pid_t child = fork();
    if (child == 0) {
        if (setgroups(0, NULL) != 0 || setgid(65534) != 0 || setuid(65534) != 0) {
            perror("dropping privileges");
            _exit(1);
        }
        prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
        unsetenv("ARCA_PLATFORM_DIR");
        fprintf(stderr, "running as uid %d\n", (int)getuid());
        _exit(run_all());
    }
    int status = 0;
    waitpid(child, &status, 0);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "warning: could not remove %s\n", dir);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
