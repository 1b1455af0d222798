/*
 * test_iface.c — the EDL interface hash end to end: this host is generated from
 * iface/v1/iface.edl and creates its enclaves with iface_create_enclave(), which names the
 * interface. An enclave generated from the same EDL is created and called (the generated
 * host-call table is used unless the caller gives its own); one generated from v2 (one parameter's
 * type differs) and one written without EDL (no hash) fail create with
 * ARCA_ERR_INTERFACE_MISMATCH, and the error names both hashes. Without a hash in the options
 * (plain arca_enclave_create) nothing is checked, which is how a mismatch went unnoticed before.
 * usage: test_iface BACKEND ARCA_EDGER V1_EDL V2_EDL V1_IMAGE V2_IMAGE PLAIN_IMAGE
 */
#include "iface_u.h"
#include "test.h"

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static const char *backend, *edger, *v1_edl, *v2_edl, *v1_image, *v2_image, *plain_image;

/* The host call of the interface: the enclave's i_ask_host(x) returns this. */
int i_host(int x)
{
    return 3 * x;
}

/* A host-call table of the caller's own, which iface_create_enclave() must keep. */
static arca_result_t refuse(void *ctx, const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap,
                            size_t *out_len)
{
    (void)ctx, (void)in, (void)in_len, (void)out, (void)out_cap;
    *out_len = 0;
    return ARCA_ERR_PERMISSION;
}

static const arca_host_call_t own_table[] = {{1, refuse}};

static void hex(const uint8_t hash[32], char out[65])
{
    for (size_t i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", hash[i]);
}

/* `arca-edger --print-hash EDL` into out (64 hex digits and a newline are all it prints);
 * 1 on success. */
static int edger_hash(const char *edl, char out[65])
{
    int fds[2], status = 0, ok = 0;
    char text[80];
    size_t n = 0;
    ssize_t got;
    pid_t pid;
    posix_spawn_file_actions_t fa;
    char *argv[] = {(char *)edger, "--print-hash", (char *)edl, NULL};
    if (pipe(fds) != 0)
        return 0;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
    posix_spawn_file_actions_addclose(&fa, fds[0]);
    int spawned = posix_spawn(&pid, edger, &fa, NULL, argv, environ) == 0;
    posix_spawn_file_actions_destroy(&fa);
    close(fds[1]);
    while (spawned && n < sizeof text && (got = read(fds[0], text + n, sizeof text - n)) > 0)
        n += (size_t)got;
    close(fds[0]);
    if (spawned && waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0 &&
        n == 65 && text[64] == '\n') {
        memcpy(out, text, 64);
        out[64] = '\0';
        ok = 1;
    }
    return ok;
}

static void options(arca_enclave_options_t *opts)
{
    arca_enclave_options_init(opts);
    opts->backend = backend;
}

/* The generated hash is what `arca-edger --print-hash` says, and v2's differs from it. */
static void test_hash_is_the_edgers(void)
{
    char ours[65], v1[65], v2[65];
    hex(iface_interface_hash, ours);
    ASSERT_TRUE(edger_hash(v1_edl, v1));
    ASSERT_TRUE(edger_hash(v2_edl, v2));
    ASSERT_STREQ(ours, v1);
    ASSERT_TRUE(strcmp(v1, v2) != 0);
}

/* Same interface: created, called, and the generated host-call table is the one in use. */
static void test_same_interface(void)
{
    arca_enclave_options_t opts;
    arca_enclave_t *e = NULL;
    options(&opts);
    ASSERT_OK(iface_create_enclave(v1_image, &opts, &e));
    ASSERT_STREQ(arca_enclave_backend(e), backend);
    uint32_t sum = 0;
    const uint8_t bytes[] = {1, 2, 3, 250};
    ASSERT_OK(i_sum(e, &sum, bytes, sizeof bytes));
    ASSERT_EQ(sum, 256);
    int answer = 0;
    ASSERT_OK(i_ask_host(e, &answer, 7));
    ASSERT_EQ(answer, 21);
    ASSERT_OK(arca_enclave_destroy(e));
    /* the caller's options were copied, not changed */
    ASSERT_TRUE(opts.interface_hash == NULL);
    ASSERT_TRUE(opts.host_calls == NULL);
}

/* NULL options: the defaults (the backend from $ARCA_BACKEND), with the hash and the table. */
static void test_null_options(void)
{
    arca_enclave_t *e = NULL;
    ASSERT_EQ(setenv("ARCA_BACKEND", backend, 1), 0);
    arca_result_t r = iface_create_enclave(v1_image, NULL, &e);
    unsetenv("ARCA_BACKEND");
    ASSERT_OK(r);
    ASSERT_STREQ(arca_enclave_backend(e), backend);
    int answer = 0;
    ASSERT_OK(i_ask_host(e, &answer, 5));
    ASSERT_EQ(answer, 15);
    ASSERT_OK(arca_enclave_destroy(e));
    ASSERT_RESULT(iface_create_enclave(v2_image, NULL, &e), ARCA_ERR_INTERFACE_MISMATCH);
}

/* A table the caller gives is kept: the host call reaches it, not the generated bridge. */
static void test_callers_table_kept(void)
{
    arca_enclave_options_t opts;
    arca_enclave_t *e = NULL;
    options(&opts);
    opts.host_calls = own_table;
    opts.host_call_count = 1;
    ASSERT_OK(iface_create_enclave(v1_image, &opts, &e));
    int answer = 0;
    ASSERT_OK(i_ask_host(e, &answer, 7));
    ASSERT_EQ(answer, -1000 - (int)ARCA_ERR_PERMISSION);
    ASSERT_OK(arca_enclave_destroy(e));
}

/* An enclave of the other version: refused before it runs, naming both hashes. */
static void test_other_version_refused(void)
{
    arca_enclave_options_t opts;
    arca_enclave_t *e = NULL;
    char ours[65], theirs[65], want[256];
    hex(iface_interface_hash, ours);
    ASSERT_TRUE(edger_hash(v2_edl, theirs));
    options(&opts);
    ASSERT_RESULT(iface_create_enclave(v2_image, &opts, &e), ARCA_ERR_INTERFACE_MISMATCH);
    ASSERT_TRUE(e == NULL);
    snprintf(want, sizeof want, "host interface %s, enclave interface %s", ours, theirs);
    ASSERT_CONTAINS(arca_last_error(), want);
}

/* An enclave without EDL carries no hash: a host that names its interface refuses it. */
static void test_enclave_without_hash_refused(void)
{
    arca_enclave_options_t opts;
    arca_enclave_t *e = NULL;
    char ours[65], want[256];
    hex(iface_interface_hash, ours);
    options(&opts);
    ASSERT_RESULT(iface_create_enclave(plain_image, &opts, &e), ARCA_ERR_INTERFACE_MISMATCH);
    snprintf(want, sizeof want, "host interface %s, enclave interface none", ours);
    ASSERT_CONTAINS(arca_last_error(), want);
}

/* No hash in the options: not checked (so the plain enclave and v2 are created); v1's proxy
 * then meets v2's bridge, and only the frame's shape stands between them. */
static void test_unchecked_without_hash(void)
{
    arca_enclave_options_t opts;
    arca_enclave_t *e = NULL;
    options(&opts);
    ASSERT_OK(arca_enclave_create(plain_image, &opts, &e));
    ASSERT_OK(arca_enclave_destroy(e));
    opts.host_calls = iface_host_calls;
    opts.host_call_count = iface_host_call_count;
    ASSERT_OK(arca_enclave_create(v2_image, &opts, &e));
    uint32_t sum = 0;
    const uint8_t bytes[] = {1, 2, 3};
    ASSERT_TRUE(i_sum(e, &sum, bytes, sizeof bytes) != ARCA_OK);
    ASSERT_OK(arca_enclave_destroy(e));
}

int main(int argc, char **argv)
{
    if (argc != 8) {
        fprintf(stderr, "usage: %s BACKEND ARCA_EDGER V1_EDL V2_EDL V1_IMAGE V2_IMAGE PLAIN_IMAGE\n", argv[0]);
        return 2;
    }
    backend = argv[1];
    edger = argv[2];
    v1_edl = argv[3];
    v2_edl = argv[4];
    v1_image = argv[5];
    v2_image = argv[6];
    plain_image = argv[7];
    RUN(test_hash_is_the_edgers);
    RUN(test_same_interface);
    RUN(test_null_options);
    RUN(test_callers_table_kept);
    RUN(test_other_version_refused);
    RUN(test_enclave_without_hash_refused);
    RUN(test_unchecked_without_hash);
    return TEST_SUMMARY();
}
