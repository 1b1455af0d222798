/*
 * test_attest_key_memory.c — the dev platform's attestation key is not kept in the host's
 * memory for the enclave's life (issue 11, item 7): after an enclave is created and has
 * produced evidence, the key's private scalar is nowhere in the host process's writable memory
 * while the enclave lives. Control: a copy deliberately kept loaded (by the dev platform's own
 * loader, compiled into this test) is found by the same scan, and is gone once freed — so the
 * loader leaves nothing behind either.
 *
 * The platform is created, and its scalar read, in a child process, so this process only ever
 * touches the key the way a host does; the test holds the scalar XOR-masked (memscan.h).
 * argv: backend prod_image
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "arca/host.h"
#include "arca/platform.h"
#include "crypto/crypto.h"
#include "platform/dev/dev_internal.h"
#include "memscan.h"
#include "seal_ids.h"
#include "test.h"

static const char *backend, *image;
static char base[256], platform_dir[512], key_path[640];
static masked_secret scalar;

/* In a child: create the platform and send back its key's scalar, masked. */
static int child_prepare(int fd)
{
    arca_platform_info_t info;
    uint8_t out[64], priv[32];
    BIGNUM *bn = NULL;
    EVP_PKEY *pkey = NULL;
    FILE *f;
    int ok = arca_platform_info(platform_dir, &info) == ARCA_OK && (f = fopen(key_path, "r")) != NULL;
    if (ok) {
        pkey = PEM_read_PrivateKey(f, NULL, NULL, NULL);
        fclose(f);
        ok = pkey && EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_PRIV_KEY, &bn) == 1 &&
             BN_bn2binpad(bn, priv, 32) == 32 && arca__random(out, 32) == ARCA_OK;
    }
    for (int i = 0; ok && i < 32; i++)
        out[32 + i] = (uint8_t)(out[i] ^ priv[i]);
    ok = ok && write(fd, out, sizeof out) == (ssize_t)sizeof out;
    BN_clear_free(bn);
    EVP_PKEY_free(pkey);
    return ok ? 0 : 1;
}

static void test_key_not_in_host_memory(void)
{
    int fds[2], status = 0;
    uint8_t rd[64], ev[8192];
    size_t len = 0;
    ASSERT_EQ(pipe(fds), 0);
    fflush(NULL);
    pid_t pid = fork();
    ASSERT_TRUE(pid >= 0);
    if (pid == 0)
        _exit(child_prepare(fds[1]));
    close(fds[1]);
    ASSERT_EQ(read(fds[0], &scalar, sizeof scalar), (long)sizeof scalar);
    close(fds[0]);
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    ASSERT_EQ(memscan_count(&scalar), 0); /* nothing yet */

    arca_enclave_options_t opts;
    arca_enclave_t *e = NULL;
    arca_enclave_options_init(&opts);
    opts.backend = backend;
    char setting[600];
    snprintf(setting, sizeof setting, "dev.dir=%s", platform_dir);
    const char *settings[] = {setting, NULL};
    opts.settings = settings;
    ASSERT_OK(arca_enclave_create(image, &opts, &e));
    for (int round = 0; round < 3; round++) {
        memset(rd, round, sizeof rd);
        ASSERT_OK(arca_enclave_call(e, SEAL_FN_EVIDENCE, rd, sizeof rd, ev, sizeof ev, &len));
        ASSERT_TRUE(len > 300);
    }
    /* The enclave is alive and has produced evidence: the key is not in this process. */
    ASSERT_EQ(memscan_count(&scalar), 0);

    /* Control: the scan finds a key that is kept loaded, and not once it is freed. */
    arca__platform *p = NULL;
    arca__ec_key *kept = NULL;
    ASSERT_OK(arca__dev_platform.open(platform_dir, &p));
    ASSERT_EQ(memscan_count(&scalar), 0);
    ASSERT_OK(arca__dev_load_attestation_key(p, &kept));
    size_t with_copy = memscan_count(&scalar);
    arca__ec_free(kept);
    arca__dev_platform.close(p);
    ASSERT_TRUE(with_copy >= 1 && with_copy != (size_t)-1);
    ASSERT_EQ(memscan_count(&scalar), 0);

    ASSERT_OK(arca_enclave_call(e, SEAL_FN_EVIDENCE, rd, sizeof rd, ev, sizeof ev, &len));
    ASSERT_EQ(memscan_count(&scalar), 0);
    ASSERT_OK(arca_enclave_destroy(e));
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s BACKEND PROD_IMAGE\n", argv[0]);
        return 2;
    }
    backend = argv[1];
    image = argv[2];
    if (!test_make_scratch_dir(base, sizeof base, "test-key-memory"))
        return 1;
    snprintf(platform_dir, sizeof platform_dir, "%s/platform", base);
    snprintf(key_path, sizeof key_path, "%s/attestation-key.pem", platform_dir);
    RUN(test_key_not_in_host_memory);
    test_remove_scratch_dir(base);
    return TEST_SUMMARY();
}
