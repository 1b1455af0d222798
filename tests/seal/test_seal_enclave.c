/*
 * test_seal_enclave.c — arca_seal/arca_unseal through real enclaves on one backend
 * (argv[1]): round trips, across enclave restarts and across processes; ENCLAVE blobs
 * are bound to the measurement, SIGNER blobs to signer + product and readable by the same
 * or a higher SVN only; debug and production never read each other's blobs; wrong aad and
 * every single-bit flip fail.
 * argv: backend prod_a prod_a_variant prod_a_svn2 debug_a product2_a prod_b
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "arca/host.h"
#include "arca/seal.h"
#include "base/le.h"
#include "seal_ids.h"
#include "test.h"

enum { PROD_A, VARIANT_A, SVN2_A, DEBUG_A, PRODUCT2_A, PROD_B, IMAGE_COUNT };
static const char *backend;
static const char *images[IMAGE_COUNT];

static arca_enclave_t *open_enclave(int which)
{
    arca_enclave_options_t opts;
    arca_enclave_t *e = NULL;
    arca_enclave_options_init(&opts);
    opts.backend = backend;
    if (arca_enclave_create(images[which], &opts, &e) != ARCA_OK) {
        fprintf(stderr, "cannot create enclave %s: %s\n", images[which], arca_last_error());
        return NULL;
    }
    return e;
}

static arca_result_t seal_in(arca_enclave_t *e, int policy, const char *aad, const void *pt, size_t len,
                             uint8_t *blob, size_t cap, size_t *blob_len)
{
    size_t aad_len = aad ? strlen(aad) : 0;
    uint8_t *in = malloc(8 + aad_len + len);
    if (!in)
        return ARCA_ERR_OUT_OF_MEMORY;
    arca__put_le32(in, (uint32_t)policy);
    arca__put_le32(in + 4, (uint32_t)aad_len);
    if (aad_len)
        memcpy(in + 8, aad, aad_len);
    if (len)
        memcpy(in + 8 + aad_len, pt, len);
    arca_result_t r = arca_enclave_call(e, SEAL_FN_SEAL, in, 8 + aad_len + len, blob, cap, blob_len);
    free(in);
    return r;
}

static arca_result_t unseal_in(arca_enclave_t *e, const char *aad, const uint8_t *blob, size_t len,
                               uint8_t *pt, size_t cap, size_t *pt_len)
{
    size_t aad_len = aad ? strlen(aad) : 0;
    uint8_t *in = malloc(4 + aad_len + len);
    if (!in)
        return ARCA_ERR_OUT_OF_MEMORY;
    arca__put_le32(in, (uint32_t)aad_len);
    if (aad_len)
        memcpy(in + 4, aad, aad_len);
    if (len)
        memcpy(in + 4 + aad_len, blob, len);
    arca_result_t r = arca_enclave_call(e, SEAL_FN_UNSEAL, in, 4 + aad_len + len, pt, cap, pt_len);
    free(in);
    return r;
}

#define SECRET "the launch code is 0000"

/* Seal SECRET in enclave `from` with policy, then expect `expected` unsealing in `to`. */
static void cross(int from, int to, int policy, arca_result_t expected)
{
    arca_enclave_t *a = open_enclave(from), *b = open_enclave(to);
    uint8_t blob[512], pt[512];
    size_t blob_len, pt_len;
    ASSERT_TRUE(a && b);
    ASSERT_OK(seal_in(a, policy, "aad", SECRET, sizeof SECRET, blob, sizeof blob, &blob_len));
    ASSERT_RESULT(unseal_in(b, "aad", blob, blob_len, pt, sizeof pt, &pt_len), expected);
    if (expected == ARCA_OK) {
        ASSERT_UEQ(pt_len, sizeof SECRET);
        ASSERT_MEMEQ(pt, SECRET, sizeof SECRET);
    }
    ASSERT_OK(arca_enclave_destroy(a));
    ASSERT_OK(arca_enclave_destroy(b));
}

static void test_round_trip_and_restart(void)
{
    for (int policy = ARCA_SEAL_ENCLAVE; policy <= ARCA_SEAL_SIGNER; policy++) {
        cross(PROD_A, PROD_A, policy, ARCA_OK); /* two instances = a restart */
        cross(DEBUG_A, DEBUG_A, policy, ARCA_OK);
    }
}

static void test_enclave_policy_binds_measurement(void)
{
    cross(PROD_A, VARIANT_A, ARCA_SEAL_ENCLAVE, ARCA_ERR_UNSEAL);
    cross(VARIANT_A, PROD_A, ARCA_SEAL_ENCLAVE, ARCA_ERR_UNSEAL);
    cross(PROD_A, SVN2_A, ARCA_SEAL_ENCLAVE, ARCA_ERR_UNSEAL);
    /* The ENCLAVE key depends on the measurement only (as SGX's MRENCLAVE policy): the same
     * code signed by another key shares it exactly when the measurements are equal (builds
     * with debug info differ in their build-id note, so that depends on the build). */
    arca_enclave_t *a = open_enclave(PROD_A), *b = open_enclave(PROD_B);
    arca_identity_t ia, ib;
    ASSERT_TRUE(a && b);
    ASSERT_OK(arca_enclave_identity(a, &ia));
    ASSERT_OK(arca_enclave_identity(b, &ib));
    ASSERT_OK(arca_enclave_destroy(a));
    ASSERT_OK(arca_enclave_destroy(b));
    cross(PROD_A, PROD_B, ARCA_SEAL_ENCLAVE,
          memcmp(ia.measurement, ib.measurement, 32) == 0 ? ARCA_OK : ARCA_ERR_UNSEAL);
}

static void test_signer_policy_binds_signer_and_product(void)
{
    cross(PROD_A, VARIANT_A, ARCA_SEAL_SIGNER, ARCA_OK);
    cross(VARIANT_A, PROD_A, ARCA_SEAL_SIGNER, ARCA_OK);
    cross(PROD_A, PROD_B, ARCA_SEAL_SIGNER, ARCA_ERR_UNSEAL);
    cross(PROD_A, PRODUCT2_A, ARCA_SEAL_SIGNER, ARCA_ERR_UNSEAL);
}

static void test_svn_rule(void)
{
    cross(PROD_A, SVN2_A, ARCA_SEAL_SIGNER, ARCA_OK);             /* higher reads lower */
    cross(SVN2_A, PROD_A, ARCA_SEAL_SIGNER, ARCA_ERR_SVN_TOO_NEW); /* never the reverse */
    cross(SVN2_A, VARIANT_A, ARCA_SEAL_SIGNER, ARCA_ERR_SVN_TOO_NEW);
}

static void test_debug_and_production_never_share(void)
{
    for (int policy = ARCA_SEAL_ENCLAVE; policy <= ARCA_SEAL_SIGNER; policy++) {
        cross(PROD_A, DEBUG_A, policy, ARCA_ERR_UNSEAL);
        cross(DEBUG_A, PROD_A, policy, ARCA_ERR_UNSEAL);
    }
}

static void test_wrong_aad_and_every_bit_flip(void)
{
    arca_enclave_t *e = open_enclave(PROD_A);
    uint8_t blob[256], pt[256];
    size_t blob_len, pt_len;
    ASSERT_TRUE(e != NULL);
    ASSERT_OK(seal_in(e, ARCA_SEAL_SIGNER, "ab", "xyz", 3, blob, sizeof blob, &blob_len));
    ASSERT_RESULT(unseal_in(e, "ac", blob, blob_len, pt, sizeof pt, &pt_len), ARCA_ERR_UNSEAL);
    ASSERT_RESULT(unseal_in(e, "abc", blob, blob_len, pt, sizeof pt, &pt_len), ARCA_ERR_UNSEAL);
    ASSERT_RESULT(unseal_in(e, NULL, blob, blob_len, pt, sizeof pt, &pt_len), ARCA_ERR_UNSEAL);
    size_t failures = 0;
    for (size_t bit = 0; bit < blob_len * 8; bit++) {
        blob[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        if (unseal_in(e, "ab", blob, blob_len, pt, sizeof pt, &pt_len) != ARCA_OK)
            failures++;
        blob[bit / 8] ^= (uint8_t)(1u << (bit % 8));
    }
    ASSERT_UEQ(failures, blob_len * 8);
    ASSERT_OK(unseal_in(e, "ab", blob, blob_len, pt, sizeof pt, &pt_len));
    ASSERT_MEMEQ(pt, "xyz", 3);
    /* hostile blobs: empty, short */
    ASSERT_RESULT(unseal_in(e, "ab", blob, 0, pt, sizeof pt, &pt_len), ARCA_ERR_BAD_FORMAT);
    ASSERT_RESULT(unseal_in(e, "ab", blob, 40, pt, sizeof pt, &pt_len), ARCA_ERR_BAD_FORMAT);
    ASSERT_OK(arca_enclave_destroy(e));
}

/* Seal in a child process; unseal in this one: the platform is the same on disk. */
static void test_across_processes(void)
{
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    pid_t pid = fork();
    ASSERT_TRUE(pid >= 0);
    if (pid == 0) {
        close(fds[0]);
        arca_enclave_t *e = open_enclave(PROD_A);
        uint8_t blob[512];
        size_t blob_len = 0;
        if (!e || seal_in(e, ARCA_SEAL_ENCLAVE, "proc", SECRET, sizeof SECRET, blob, sizeof blob,
                          &blob_len) != ARCA_OK)
            _exit(1);
        if (write(fds[1], &blob_len, sizeof blob_len) != sizeof blob_len ||
            write(fds[1], blob, blob_len) != (ssize_t)blob_len)
            _exit(2);
        if (arca_enclave_destroy(e) != ARCA_OK)
            _exit(3);
        _exit(0);
    }
    close(fds[1]);
    size_t blob_len = 0;
    uint8_t blob[512], pt[512];
    size_t pt_len;
    ASSERT_EQ(read(fds[0], &blob_len, sizeof blob_len), (long)sizeof blob_len);
    ASSERT_TRUE(blob_len <= sizeof blob);
    ASSERT_EQ(read(fds[0], blob, blob_len), (long)blob_len);
    close(fds[0]);
    int status;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    arca_enclave_t *e = open_enclave(PROD_A);
    ASSERT_TRUE(e != NULL);
    ASSERT_OK(unseal_in(e, "proc", blob, blob_len, pt, sizeof pt, &pt_len));
    ASSERT_MEMEQ(pt, SECRET, sizeof SECRET);
    ASSERT_OK(arca_enclave_destroy(e));
}

static void test_large_blob(void)
{
    arca_enclave_t *e = open_enclave(PROD_A);
    size_t n = 1u << 20;
    uint8_t *data = malloc(n), *blob = malloc(n + 256), *pt = malloc(n);
    size_t blob_len, pt_len;
    for (size_t i = 0; i < n; i++)
        data[i] = (uint8_t)(i * 31);
    ASSERT_TRUE(e != NULL);
    ASSERT_OK(seal_in(e, ARCA_SEAL_ENCLAVE, "big", data, n, blob, n + 256, &blob_len));
    ASSERT_OK(unseal_in(e, "big", blob, blob_len, pt, n, &pt_len));
    ASSERT_UEQ(pt_len, n);
    ASSERT_MEMEQ(pt, data, n);
    ASSERT_RESULT(seal_in(e, 7, NULL, "x", 1, blob, n, &blob_len), ARCA_ERR_INVALID_ARGUMENT);
    ASSERT_OK(arca_enclave_destroy(e));
    free(data);
    free(blob);
    free(pt);
}

int main(int argc, char **argv)
{
    if (argc != 2 + IMAGE_COUNT) {
        fprintf(stderr, "usage: %s BACKEND prod_a variant svn2 debug product2 prod_b\n", argv[0]);
        return 2;
    }
    backend = argv[1];
    for (int i = 0; i < IMAGE_COUNT; i++)
        images[i] = argv[2 + i];
    RUN(test_round_trip_and_restart);
    RUN(test_enclave_policy_binds_measurement);
    RUN(test_signer_policy_binds_signer_and_product);
    RUN(test_svn_rule);
    RUN(test_debug_and_production_never_share);
    RUN(test_wrong_aad_and_every_bit_flip);
    RUN(test_across_processes);
    RUN(test_large_blob);
    return TEST_SUMMARY();
}
