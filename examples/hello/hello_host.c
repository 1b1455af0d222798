/*
 * hello_host.c — the host of the hello example: loads the signed hello enclave, serves its
 * salutation host call, sends it a name, and prints the greeting and the enclave's identity.
 *
 *   usage: hello [NAME] [IMAGE]      (ARCA_BACKEND=sim|process|auto chooses the backend)
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "arca/host.h"
#include "hello.h"

#ifndef HELLO_ENCLAVE_PATH
#define HELLO_ENCLAVE_PATH "hello_enclave.signed.so"
#endif

/* Host call: the salutation for the host's local time of day. */
static arca_result_t salutation(void *ctx, const uint8_t *in, size_t in_len, uint8_t *out,
                                size_t out_cap, size_t *out_len)
{
    (void)ctx, (void)in, (void)in_len;
    time_t now = time(NULL);
    struct tm tm;
    const char *s = "Hello";
    if (localtime_r(&now, &tm))
        s = tm.tm_hour < 12 ? "Good morning" : tm.tm_hour < 18 ? "Good afternoon" : "Good evening";
    *out_len = strlen(s);
    if (*out_len > out_cap)
        return ARCA_ERR_BUFFER_TOO_SMALL;
    memcpy(out, s, *out_len);
    return ARCA_OK;
}

static void hex(const char *label, const uint8_t *b, size_t n)
{
    printf("  %-12s ", label);
    for (size_t i = 0; i < n; i++)
        printf("%02x", b[i]);
    printf("\n");
}

int main(int argc, char **argv)
{
    const char *name = argc > 1 ? argv[1] : "world";
    const char *image = argc > 2 ? argv[2] : HELLO_ENCLAVE_PATH;
    static const arca_host_call_t calls[] = {{HELLO_HOST_SALUTATION, salutation}};
    arca_enclave_options_t opts;
    arca_enclave_t *enclave = NULL;
    arca_identity_t id;
    char greeting[256], prot[256];
    size_t len = 0;
    int status = 1;

    arca_enclave_options_init(&opts);
    opts.host_calls = calls;
    opts.host_call_count = 1;
    arca_result_t r = arca_enclave_create(image, &opts, &enclave);
    if (r != ARCA_OK) {
        fprintf(stderr, "hello: cannot load %s: %s\n  %s\n", image, arca_result_str(r),
                arca_last_error());
        return 1;
    }
    r = arca_enclave_call(enclave, HELLO_GREET, name, strlen(name), greeting,
                          sizeof greeting - 1, &len);
    if (r != ARCA_OK) {
        fprintf(stderr, "hello: the enclave refused: %s %s\n", arca_result_str(r),
                arca_last_error());
        goto done;
    }
    greeting[len] = '\0';
    printf("%s\n\n", greeting);

    r = arca_enclave_identity(enclave, &id);
    if (r != ARCA_OK)
        goto done;
    arca_protections_str(id.protections, prot, sizeof prot);
    printf("Enclave identity:\n");
    hex("measurement", id.measurement, sizeof id.measurement);
    hex("signer", id.signer_id, sizeof id.signer_id);
    printf("  %-12s %u\n  %-12s %u\n  %-12s %s\n  %-12s %s\n  %-12s %s\n", "product", id.product_id,
           "svn", id.svn, "debug", (id.attributes & ARCA_ATTR_DEBUG) ? "yes" : "no", "backend",
           arca_backend_id_name(id.backend), "protections", prot);
    status = 0;
done:
    if (arca_enclave_destroy(enclave) != ARCA_OK)
        status = 1;
    return status;
}
