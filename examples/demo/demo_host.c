/*
 * demo_host.c — the untrusted host of `make demo` (scripts/demo.sh drives it). Each command
 * starts a fresh enclave from the signed image, does one thing, and destroys it:
 *
 *   arca_demo [-i IMAGE] launch NAME              identity, protections, a call in and out
 *   arca_demo [-i IMAGE] seal FILE SECRET         seal SECRET inside the enclave, store the blob
 *   arca_demo [-i IMAGE] unseal FILE              hand the blob back, print the secret
 *   arca_demo [-i IMAGE] evidence NONCE_HEX FILE  evidence bound to a 32-byte nonce, to FILE
 *
 * The backend comes from $ARCA_BACKEND (sim, process, auto). The host only ever holds
 * copies of what the enclave chose to return; it must never need a key, and it treats the
 * enclave's return values as data to check, not to trust blindly.
 * Exit status: 0 done, 1 the enclave or Arca refused (reason printed), 2 usage error.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "demo_u.h"

#include "arca/host.h"

#ifndef DEMO_ENCLAVE_PATH
#define DEMO_ENCLAVE_PATH "demo_enclave.signed.so"
#endif

#define BLOB_MAX 4096
#define EVIDENCE_MAX 16384
#define SECRET_MAX 1024

/* Host call served for the enclave: describe this host process. */
void host_describe(char *text, size_t cap)
{
    char name[64] = "?";
    if (gethostname(name, sizeof name) != 0)
        snprintf(name, sizeof name, "?");
    name[sizeof name - 1] = '\0';
    printf("   [host] serving host call host_describe() for the enclave\n");
    if (text && cap)
        snprintf(text, cap, "host process %ld on %s", (long)getpid(), name);
}

static int fail(const char *what, arca_result_t r)
{
    const char *detail = arca_last_error();
    fprintf(stderr, "arca_demo: %s: %s (%s)%s%s\n", what, arca_result_name(r), arca_result_str(r),
            detail[0] ? "\n   " : "", detail);
    return 1;
}

/* The enclave's own result, passed back as an int: accept only defined arca_result_t values. */
static arca_result_t enclave_result(int ret)
{
    return arca_result_valid(ret) ? (arca_result_t)ret : ARCA_ERR_BAD_FRAME;
}

static int launch(const char *image, arca_enclave_t **out)
{
    arca_enclave_options_t opts;
    arca_enclave_options_init(&opts);
    opts.host_calls = demo_host_calls;
    opts.host_call_count = demo_host_call_count;
    arca_result_t r = arca_enclave_create(image, &opts, out);
    if (r != ARCA_OK)
        return fail("cannot launch the enclave", r);
    return 0;
}

static int finish(arca_enclave_t *enclave, int status)
{
    arca_result_t r = arca_enclave_destroy(enclave);
    if (r != ARCA_OK && status == 0)
        status = fail("destroy", r);
    return status;
}

static void print_hex(const uint8_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        printf("%02x", b[i]);
}

static int write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
        fprintf(stderr, "arca_demo: cannot write %s: %s\n", path, strerror(errno));
        return 1;
    }
    return 0;
}

static int read_file(const char *path, uint8_t *buf, size_t cap, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "arca_demo: cannot read %s: %s\n", path, strerror(errno));
        return 1;
    }
    *len = fread(buf, 1, cap, f);
    int too_big = fgetc(f) != EOF;
    fclose(f);
    if (too_big) {
        fprintf(stderr, "arca_demo: %s is larger than %zu bytes\n", path, cap);
        return 1;
    }
    return 0;
}

static int cmd_launch(const char *image, const char *name)
{
    arca_enclave_t *enclave = NULL;
    arca_identity_t id;
    char prot[256], greeting[512];
    int ret = 0;

    if (launch(image, &enclave) != 0)
        return 1;
    arca_result_t r = arca_enclave_identity(enclave, &id);
    if (r != ARCA_OK)
        return finish(enclave, fail("identity", r));
    arca_protections_str(id.protections, prot, sizeof prot);
    printf("   enclave      %s\n   backend      %s\n   measurement  ", image,
           arca_enclave_backend(enclave));
    print_hex(id.measurement, sizeof id.measurement);
    printf("\n   signer id    ");
    print_hex(id.signer_id, sizeof id.signer_id);
    printf("\n   product/svn  %u / %u\n   debug        %s\n   protections  %s\n\n", id.product_id,
           id.svn, (id.attributes & ARCA_ATTR_DEBUG) ? "yes" : "no", prot);

    printf("   [host] ecall demo_greet(\"%s\")\n", name);
    r = demo_greet(enclave, &ret, name, greeting, sizeof greeting);
    if (r == ARCA_OK)
        r = enclave_result(ret);
    if (r != ARCA_OK)
        return finish(enclave, fail("demo_greet", r));
    greeting[sizeof greeting - 1] = '\0'; /* the enclave's text: bound it before printing */
    printf("   [host] the enclave replied: %s\n", greeting);
    return finish(enclave, 0);
}

static int cmd_seal(const char *image, const char *file, const char *secret)
{
    arca_enclave_t *enclave = NULL;
    uint8_t blob[BLOB_MAX];
    size_t blob_len = 0;
    int ret = 0;

    if (strlen(secret) > SECRET_MAX) {
        fprintf(stderr, "arca_demo: the secret is longer than %d bytes\n", SECRET_MAX);
        return 2;
    }
    if (launch(image, &enclave) != 0)
        return 1;
    arca_result_t r = demo_seal(enclave, &ret, secret, strlen(secret), blob, sizeof blob, &blob_len);
    if (r == ARCA_OK)
        r = enclave_result(ret);
    if (r == ARCA_OK && blob_len > sizeof blob)
        r = ARCA_ERR_BAD_FRAME;
    if (r != ARCA_OK)
        return finish(enclave, fail("demo_seal", r));
    int status = write_file(file, blob, blob_len);
    if (status == 0)
        printf("   [host] stored %zu bytes of sealed blob in %s (the host cannot read it)\n",
               blob_len, file);
    return finish(enclave, status);
}

static int cmd_unseal(const char *image, const char *file)
{
    arca_enclave_t *enclave = NULL;
    uint8_t blob[BLOB_MAX];
    char secret[SECRET_MAX + 1];
    size_t blob_len = 0, secret_len = 0;
    int ret = 0;

    if (read_file(file, blob, sizeof blob, &blob_len) != 0)
        return 1;
    if (launch(image, &enclave) != 0)
        return 1;
    arca_result_t r = demo_unseal(enclave, &ret, blob, blob_len, secret, SECRET_MAX, &secret_len);
    if (r == ARCA_OK)
        r = enclave_result(ret);
    if (r == ARCA_OK && secret_len > SECRET_MAX)
        r = ARCA_ERR_BAD_FRAME;
    if (r != ARCA_OK)
        return finish(enclave, fail("demo_unseal", r));
    secret[secret_len] = '\0';
    printf("   [host] the enclave unsealed %s: \"%s\"\n", file, secret);
    return finish(enclave, 0);
}

static int unhex32(const char *s, uint8_t out[32])
{
    if (strlen(s) != 64)
        return -1;
    for (size_t i = 0; i < 64; i++) /* hex digits only: sscanf's %x would take " 1", "-1", "0x" */
        if (!isxdigit((unsigned char)s[i]))
            return -1;
    for (size_t i = 0; i < 32; i++) {
        unsigned v;
        if (sscanf(s + 2 * i, "%2x", &v) != 1)
            return -1;
        out[i] = (uint8_t)v;
    }
    return 0;
}

static int cmd_evidence(const char *image, const char *nonce_hex, const char *file)
{
    static uint8_t evidence[EVIDENCE_MAX];
    arca_enclave_t *enclave = NULL;
    uint8_t nonce[32];
    size_t len = 0;
    int ret = 0;

    if (unhex32(nonce_hex, nonce) != 0) {
        fprintf(stderr, "arca_demo: the nonce must be 64 hex digits (32 bytes)\n");
        return 2;
    }
    if (launch(image, &enclave) != 0)
        return 1;
    arca_result_t r = demo_evidence(enclave, &ret, nonce, evidence, sizeof evidence, &len);
    if (r == ARCA_OK)
        r = enclave_result(ret);
    if (r == ARCA_OK && len > sizeof evidence)
        r = ARCA_ERR_BAD_FRAME;
    if (r != ARCA_OK)
        return finish(enclave, fail("demo_evidence", r));
    int status = write_file(file, evidence, len);
    if (status == 0)
        printf("   [host] wrote %zu bytes of evidence to %s\n", len, file);
    return finish(enclave, status);
}

static int usage(void)
{
    fprintf(stderr, "usage: arca_demo [-i IMAGE] launch NAME\n"
                    "       arca_demo [-i IMAGE] seal FILE SECRET\n"
                    "       arca_demo [-i IMAGE] unseal FILE\n"
                    "       arca_demo [-i IMAGE] evidence NONCE_HEX FILE\n"
                    "($ARCA_BACKEND chooses the backend: sim, process or auto)\n");
    return 2;
}

int main(int argc, char **argv)
{
    const char *image = DEMO_ENCLAVE_PATH;
    int i = 1;

    setvbuf(stdout, NULL, _IOLBF, 0); /* keep host and enclave lines in order */
    if (argc > 2 && !strcmp(argv[1], "-i")) {
        image = argv[2];
        i = 3;
    }
    if (argc - i == 2 && !strcmp(argv[i], "launch"))
        return cmd_launch(image, argv[i + 1]);
    if (argc - i == 3 && !strcmp(argv[i], "seal"))
        return cmd_seal(image, argv[i + 1], argv[i + 2]);
    if (argc - i == 2 && !strcmp(argv[i], "unseal"))
        return cmd_unseal(image, argv[i + 1]);
    if (argc - i == 3 && !strcmp(argv[i], "evidence"))
        return cmd_evidence(image, argv[i + 1], argv[i + 2]);
    return usage();
}
