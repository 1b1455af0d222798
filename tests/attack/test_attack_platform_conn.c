/*
 * test_attack_platform_conn.c — an enclave image attacks its own loader's platform connection
 * (issue 12): code of the image can reach the runner's fd 6 as the runner can, and tries to
 * bind it to another enclave's identity (its measurement with one bit flipped) and take that
 * identity's keys. The runner binds the connection to the identity it verified before any image
 * code runs, and the platform answers a connection about one identity only, so:
 *   - from an ecall: the foreign BIND is refused (ERR_BAD_FORMAT), and so is every request
 *     after it (the platform ends the connection);
 *   - from a constructor (the first image code to run): the foreign BIND is refused, no key is
 *     given, and the enclave does not start (its runtime gets no keys: ERR_PLATFORM).
 * Control: the same enclave's own evidence request works before the attack.
 * Run as uid 65534 (tests/unprivileged.h drops there when started as root).
 * argv: platform-conn-attack.signed.so (ecall variant), the constructor variant
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arca/host.h"
#include "test.h"
#include "unprivileged.h"

#define PCA_REBIND 1

enum { ECALL_IMAGE, CTOR_IMAGE, FILE_COUNT };
static unprivileged_file files[FILE_COUNT];

static arca_result_t create_process(const char *path, arca_enclave_t **e)
{
    arca_enclave_options_t o;
    arca_enclave_options_init(&o);
    o.backend = "process";
    return arca_enclave_create(path, &o, e);
}

static void test_rebind_from_an_ecall_is_refused(void)
{
    arca_enclave_t *e = NULL;
    int32_t results[2] = {99, 99};
    size_t len = 0;
    ASSERT_OK(create_process(files[ECALL_IMAGE].path, &e));
    ASSERT_OK(arca_enclave_call(e, PCA_REBIND, NULL, 0, results, sizeof results, &len));
    ASSERT_EQ(len, sizeof results);
    ASSERT_EQ(results[0], (int32_t)ARCA_ERR_BAD_FORMAT); /* the foreign BIND */
    ASSERT_TRUE(results[1] != (int32_t)ARCA_OK);         /* no keys after it */
    ASSERT_OK(arca_enclave_destroy(e));
}

static void test_rebind_from_a_constructor_is_refused(void)
{
    char log[512];
    snprintf(log, sizeof log, "%s/stderr.txt", unprivileged_workdir);
    fflush(stderr);
    int saved = dup(STDERR_FILENO);
    int fd = open(log, O_CREAT | O_TRUNC | O_WRONLY, 0600);
    ASSERT_TRUE(saved >= 0 && fd >= 0);
    dup2(fd, STDERR_FILENO);
    close(fd);
    arca_enclave_t *e = NULL;
    /* create fails: the runner (and the monitor forwarding its stderr) is gone when it returns */
    arca_result_t r = create_process(files[CTOR_IMAGE].path, &e);
    fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);
    ASSERT_RESULT(r, ARCA_ERR_PLATFORM);
    ASSERT_TRUE(e == NULL);
    char text[4096] = "";
    FILE *f = fopen(log, "r");
    ASSERT_TRUE(f != NULL);
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    ASSERT_CONTAINS(text, "platform-conn-attack: foreign bind refused, keys refused");
}

static int run_all(void)
{
    RUN(test_rebind_from_an_ecall_is_refused);
    RUN(test_rebind_from_a_constructor_is_refused);
    return TEST_SUMMARY();
}

int main(int argc, char **argv)
{
    if (argc != 1 + FILE_COUNT) {
        fprintf(stderr, "usage: %s ecall-image ctor-image\n", argv[0]);
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    for (int i = 0; i < FILE_COUNT; i++)
        files[i].source = argv[1 + i];
    return unprivileged_run("attack-platform-conn", files, FILE_COUNT, run_all);
}
