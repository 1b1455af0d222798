/*
 * test_counter_enclave.c — monotonic counters through real enclaves on one backend (argv[1])
 * with the dev platform (a fresh key directory): create / increment / read and their
 * refusals as an enclave sees them (EXISTS, NOT_FOUND, arguments refused inside the enclave);
 * values survive destroying and re-creating the enclave and a new host process; another
 * enclave of the same signer (other measurement) shares the SIGNER counter but not the
 * ENCLAVE one; an enclave of another signer shares neither; the other backend (sim vs
 * process: another isolation class) shares none; two enclaves incrementing at once from two
 * host threads get an exact total.
 * argv: backend counter_a counter_a_variant counter_b
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "arca/host.h"
#include "arca/seal.h"
#include "base/le.h"
#include "counter_ids.h"
#include "test.h"

enum { A, VARIANT_A, B, IMAGE_COUNT };
static const char *backend, *other_backend;
static const char *images[IMAGE_COUNT];
static char platform_dir[256];

static arca_enclave_t *open_on(const char *on, int which)
{
    arca_enclave_options_t opts;
    arca_enclave_t *e = NULL;
    arca_enclave_options_init(&opts);
    opts.backend = on;
    if (arca_enclave_create(images[which], &opts, &e) != ARCA_OK) {
        fprintf(stderr, "cannot create enclave %s on %s: %s\n", images[which], on,
                arca_last_error());
        return NULL;
    }
    return e;
}

static arca_enclave_t *open_enclave(int which)
{
    return open_on(backend, which);
}

/* One counter operation inside @p e; *value gets the enclave's answer. */
static arca_result_t run_op(arca_enclave_t *e, uint32_t op, int policy, const char *name,
                            uint64_t *value)
{
    uint8_t in[8 + 128], out[8];
    size_t n = strlen(name), got = 0;
    if (n > 128)
        return ARCA_ERR_INVALID_ARGUMENT;
    arca__put_le32(in, op);
    arca__put_le32(in + 4, (uint32_t)policy);
    memcpy(in + 8, name, n);
    arca_result_t r = arca_enclave_call(e, COUNTER_FN_OP, in, 8 + n, out, sizeof out, &got);
    if (r == ARCA_OK && value)
        *value = got == 8 ? arca__get_le64(out) : UINT64_C(0xBAD);
    return r;
}

#define CREATE(e, pol, name) run_op(e, COUNTER_OP_CREATE, pol, name, NULL)
#define INC(e, pol, name, v) run_op(e, COUNTER_OP_INCREMENT, pol, name, v)
#define READ(e, pol, name, v) run_op(e, COUNTER_OP_READ, pol, name, v)

static void test_create_increment_read(void)
{
    arca_enclave_t *e = open_enclave(A);
    uint64_t v = 0;
    ASSERT_TRUE(e);
    ASSERT_OK(CREATE(e, ARCA_SEAL_ENCLAVE, "basic"));
    ASSERT_OK(READ(e, ARCA_SEAL_ENCLAVE, "basic", &v));
    ASSERT_UEQ(v, 0);
    for (uint64_t i = 1; i <= 4; i++) {
        ASSERT_OK(INC(e, ARCA_SEAL_ENCLAVE, "basic", &v));
        ASSERT_UEQ(v, i);
    }
    ASSERT_OK(READ(e, ARCA_SEAL_ENCLAVE, "basic", &v));
    ASSERT_UEQ(v, 4);
    ASSERT_RESULT(CREATE(e, ARCA_SEAL_ENCLAVE, "basic"), ARCA_ERR_EXISTS);
    ASSERT_OK(READ(e, ARCA_SEAL_ENCLAVE, "basic", &v));
    ASSERT_UEQ(v, 4);
    ASSERT_RESULT(INC(e, ARCA_SEAL_ENCLAVE, "missing", &v), ARCA_ERR_NOT_FOUND);
    ASSERT_RESULT(READ(e, ARCA_SEAL_SIGNER, "basic", &v), ARCA_ERR_NOT_FOUND); /* other policy */
    ASSERT_OK(arca_enclave_destroy(e));
}

static void test_arguments_refused_in_the_enclave(void)
{
    arca_enclave_t *e = open_enclave(A);
    uint64_t v = 0;
    static const char *const bad[] = {"", "a b", "a/b", "\xc3\xa9", "x'y",
                                      "01234567890123456789012345678901234567890123456789012345678901234"};
    ASSERT_TRUE(e);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ASSERT_RESULT(CREATE(e, ARCA_SEAL_ENCLAVE, bad[i]), ARCA_ERR_INVALID_ARGUMENT);
        ASSERT_RESULT(READ(e, ARCA_SEAL_ENCLAVE, bad[i], &v), ARCA_ERR_INVALID_ARGUMENT);
    }
    ASSERT_RESULT(CREATE(e, 0, "p0"), ARCA_ERR_INVALID_ARGUMENT);
    ASSERT_RESULT(CREATE(e, 3, "p3"), ARCA_ERR_INVALID_ARGUMENT);
    ASSERT_RESULT(CREATE(e, -1, "pm"), ARCA_ERR_INVALID_ARGUMENT);
    ASSERT_OK(CREATE(e, ARCA_SEAL_SIGNER, "nulls"));
    ASSERT_RESULT(run_op(e, COUNTER_OP_INCREMENT_NULL_OUT, ARCA_SEAL_SIGNER, "nulls", NULL),
                  ARCA_ERR_INVALID_ARGUMENT);
    ASSERT_RESULT(run_op(e, COUNTER_OP_READ_NULL_OUT, ARCA_SEAL_SIGNER, "nulls", NULL),
                  ARCA_ERR_INVALID_ARGUMENT);
    ASSERT_RESULT(run_op(e, COUNTER_OP_CREATE_NULL_NAME, ARCA_SEAL_SIGNER, "", NULL),
                  ARCA_ERR_INVALID_ARGUMENT);
    /* a refused increment did not happen; the longest name works */
    ASSERT_OK(READ(e, ARCA_SEAL_SIGNER, "nulls", &v));
    ASSERT_UEQ(v, 0);
    const char *longest = "0123456789012345678901234567890123456789012345678901234567890123";
    ASSERT_OK(CREATE(e, ARCA_SEAL_SIGNER, longest));
    ASSERT_OK(INC(e, ARCA_SEAL_SIGNER, longest, &v));
    ASSERT_UEQ(v, 1);
    ASSERT_OK(arca_enclave_destroy(e));
}

static void test_values_survive_restart_and_processes(void)
{
    arca_enclave_t *e = open_enclave(A);
    uint64_t v = 0;
    ASSERT_TRUE(e);
    ASSERT_OK(CREATE(e, ARCA_SEAL_ENCLAVE, "persist"));
    ASSERT_OK(CREATE(e, ARCA_SEAL_SIGNER, "persist"));
    for (int i = 0; i < 3; i++)
        ASSERT_OK(INC(e, ARCA_SEAL_ENCLAVE, "persist", &v));
    ASSERT_OK(INC(e, ARCA_SEAL_SIGNER, "persist", &v));
    ASSERT_OK(arca_enclave_destroy(e));

    e = open_enclave(A); /* a new instance of the same enclave */
    ASSERT_TRUE(e);
    ASSERT_OK(READ(e, ARCA_SEAL_ENCLAVE, "persist", &v));
    ASSERT_UEQ(v, 3);
    ASSERT_OK(READ(e, ARCA_SEAL_SIGNER, "persist", &v));
    ASSERT_UEQ(v, 1);
    ASSERT_OK(INC(e, ARCA_SEAL_ENCLAVE, "persist", &v));
    ASSERT_UEQ(v, 4);
    ASSERT_RESULT(CREATE(e, ARCA_SEAL_ENCLAVE, "persist"), ARCA_ERR_EXISTS);
    ASSERT_OK(arca_enclave_destroy(e));

    /* another host process: its own platform connection, its own store */
    fflush(NULL);
    pid_t pid = fork();
    ASSERT_TRUE(pid >= 0);
    if (pid == 0) {
        arca_enclave_t *c = open_enclave(A);
        uint64_t cv = 0;
        int code = !c                                                      ? 2
                   : READ(c, ARCA_SEAL_ENCLAVE, "persist", &cv) != ARCA_OK ? 3
                   : cv != 4                                               ? 4
                   : INC(c, ARCA_SEAL_ENCLAVE, "persist", &cv) != ARCA_OK  ? 5
                   : cv != 5                                               ? 6
                                                                           : 0;
        if (c)
            (void)arca_enclave_destroy(c);
        _exit(code);
    }
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status));
    ASSERT_EQ(WEXITSTATUS(status), 0);
    e = open_enclave(A);
    ASSERT_TRUE(e);
    ASSERT_OK(READ(e, ARCA_SEAL_ENCLAVE, "persist", &v));
    ASSERT_UEQ(v, 5);
    ASSERT_OK(arca_enclave_destroy(e));
}

static void test_scope_follows_policy(void)
{
    arca_enclave_t *a = open_enclave(A), *variant = open_enclave(VARIANT_A), *b = open_enclave(B);
    arca_identity_t ia, iv, ib;
    uint64_t v = 0;
    ASSERT_TRUE(a && variant && b);
    ASSERT_OK(arca_enclave_identity(a, &ia));
    ASSERT_OK(arca_enclave_identity(variant, &iv));
    ASSERT_OK(arca_enclave_identity(b, &ib));
    ASSERT_TRUE(memcmp(ia.measurement, iv.measurement, 32) != 0);
    ASSERT_MEMEQ(ia.signer_id, iv.signer_id, 32);
    ASSERT_TRUE(memcmp(ia.signer_id, ib.signer_id, 32) != 0);

    ASSERT_OK(CREATE(a, ARCA_SEAL_ENCLAVE, "scoped"));
    ASSERT_OK(CREATE(a, ARCA_SEAL_SIGNER, "scoped"));
    ASSERT_OK(INC(a, ARCA_SEAL_ENCLAVE, "scoped", &v));
    ASSERT_OK(INC(a, ARCA_SEAL_ENCLAVE, "scoped", &v));
    ASSERT_OK(INC(a, ARCA_SEAL_SIGNER, "scoped", &v));

    /* same signer, other measurement: the SIGNER counter is shared, the ENCLAVE one is not */
    ASSERT_OK(READ(variant, ARCA_SEAL_SIGNER, "scoped", &v));
    ASSERT_UEQ(v, 1);
    ASSERT_OK(INC(variant, ARCA_SEAL_SIGNER, "scoped", &v));
    ASSERT_UEQ(v, 2);
    ASSERT_OK(READ(a, ARCA_SEAL_SIGNER, "scoped", &v));
    ASSERT_UEQ(v, 2);
    ASSERT_RESULT(READ(variant, ARCA_SEAL_ENCLAVE, "scoped", &v), ARCA_ERR_NOT_FOUND);
    ASSERT_RESULT(INC(variant, ARCA_SEAL_ENCLAVE, "scoped", &v), ARCA_ERR_NOT_FOUND);
    ASSERT_RESULT(CREATE(variant, ARCA_SEAL_SIGNER, "scoped"), ARCA_ERR_EXISTS);
    /* its own ENCLAVE counter of that name is another counter */
    ASSERT_OK(CREATE(variant, ARCA_SEAL_ENCLAVE, "scoped"));
    ASSERT_OK(READ(variant, ARCA_SEAL_ENCLAVE, "scoped", &v));
    ASSERT_UEQ(v, 0);
    ASSERT_OK(READ(a, ARCA_SEAL_ENCLAVE, "scoped", &v));
    ASSERT_UEQ(v, 2);

    /* another signer: neither (its ENCLAVE counter too, as its measurement differs) */
    ASSERT_RESULT(READ(b, ARCA_SEAL_SIGNER, "scoped", &v), ARCA_ERR_NOT_FOUND);
    if (memcmp(ia.measurement, ib.measurement, 32) != 0)
        ASSERT_RESULT(READ(b, ARCA_SEAL_ENCLAVE, "scoped", &v), ARCA_ERR_NOT_FOUND);
    ASSERT_OK(arca_enclave_destroy(a));
    ASSERT_OK(arca_enclave_destroy(variant));
    ASSERT_OK(arca_enclave_destroy(b));
}

/* sim runs in the host's process, process isolates: never one counter between them. */
static void test_other_backend_shares_nothing(void)
{
    arca_enclave_t *here = open_enclave(A), *there = open_on(other_backend, A);
    uint64_t v = 0;
    ASSERT_TRUE(here && there);
    ASSERT_OK(CREATE(here, ARCA_SEAL_ENCLAVE, "isolation"));
    ASSERT_OK(CREATE(here, ARCA_SEAL_SIGNER, "isolation"));
    ASSERT_OK(INC(here, ARCA_SEAL_SIGNER, "isolation", &v));
    ASSERT_RESULT(READ(there, ARCA_SEAL_ENCLAVE, "isolation", &v), ARCA_ERR_NOT_FOUND);
    ASSERT_RESULT(READ(there, ARCA_SEAL_SIGNER, "isolation", &v), ARCA_ERR_NOT_FOUND);
    ASSERT_OK(CREATE(there, ARCA_SEAL_SIGNER, "isolation")); /* its own */
    ASSERT_OK(READ(here, ARCA_SEAL_SIGNER, "isolation", &v));
    ASSERT_UEQ(v, 1);
    ASSERT_OK(arca_enclave_destroy(here));
    ASSERT_OK(arca_enclave_destroy(there));
}

#define PER_ENCLAVE 100

struct loop_job {
    int which;
    arca_result_t result;
    uint64_t last;
};

static void *loop_main(void *arg)
{
    struct loop_job *job = arg;
    arca_enclave_t *e = open_enclave(job->which);
    uint8_t in[8 + 8], out[8];
    size_t got = 0;
    job->result = ARCA_ERR_INTERNAL;
    if (!e)
        return NULL;
    arca__put_le32(in, ARCA_SEAL_SIGNER);
    arca__put_le32(in + 4, PER_ENCLAVE);
    memcpy(in + 8, "together", 8);
    job->result = arca_enclave_call(e, COUNTER_FN_LOOP, in, sizeof in, out, sizeof out, &got);
    if (job->result == ARCA_OK)
        job->last = arca__get_le64(out);
    if (arca_enclave_destroy(e) != ARCA_OK)
        job->result = ARCA_ERR_INTERNAL;
    return NULL;
}

/* Two enclaves of one signer, each increments the shared SIGNER counter in a loop, at once. */
static void test_concurrent_enclaves_exact_total(void)
{
    arca_enclave_t *e = open_enclave(A);
    struct loop_job jobs[2] = {{A, ARCA_OK, 0}, {VARIANT_A, ARCA_OK, 0}};
    pthread_t t[2];
    uint64_t v = 0;
    ASSERT_TRUE(e);
    ASSERT_OK(CREATE(e, ARCA_SEAL_SIGNER, "together"));
    for (int i = 0; i < 2; i++)
        ASSERT_EQ(pthread_create(&t[i], NULL, loop_main, &jobs[i]), 0);
    for (int i = 0; i < 2; i++)
        ASSERT_EQ(pthread_join(t[i], NULL), 0);
    ASSERT_OK(jobs[0].result); /* each saw its own values strictly increase (ARCA_ERR_APP if not) */
    ASSERT_OK(jobs[1].result);
    ASSERT_TRUE(jobs[0].last == 2 * PER_ENCLAVE || jobs[1].last == 2 * PER_ENCLAVE);
    ASSERT_OK(READ(e, ARCA_SEAL_SIGNER, "together", &v));
    ASSERT_UEQ(v, 2 * PER_ENCLAVE);
    ASSERT_OK(arca_enclave_destroy(e));
}

int main(int argc, char **argv)
{
    if (argc != 2 + IMAGE_COUNT) {
        fprintf(stderr, "usage: %s backend counter_a counter_a_variant counter_b\n", argv[0]);
        return 2;
    }
    backend = argv[1];
    other_backend = strcmp(backend, "sim") == 0 ? "process" : "sim";
    for (int i = 0; i < IMAGE_COUNT; i++)
        images[i] = argv[2 + i];
    /* A fresh dev platform, so that every counter starts here. */
    if (!test_make_scratch_dir(platform_dir, sizeof platform_dir, "test-counter-enclave"))
        return 1;
    setenv("ARCA_PLATFORM_DIR", platform_dir, 1);
    RUN(test_create_increment_read);
    RUN(test_arguments_refused_in_the_enclave);
    RUN(test_values_survive_restart_and_processes);
    RUN(test_scope_follows_policy);
    RUN(test_other_backend_shares_nothing);
    RUN(test_concurrent_enclaves_exact_total);
    test_remove_scratch_dir(platform_dir);
    return TEST_SUMMARY();
}
