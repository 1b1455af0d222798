/*
 * hello_host.c — the host of the hello example: loads the signed hello enclave, serves its
 * host call host_salutation(), calls greet() through the proxy arca-edger generated from
 * hello.edl, and prints the greeting and the enclave's identity.
 *
 *   usage: hello [NAME] [IMAGE]      (ARCA_BACKEND=sim|process|auto chooses the backend)
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "hello_u.h"

#ifndef HELLO_ENCLAVE_PATH
#define HELLO_ENCLAVE_PATH "hello_enclave.signed.so"
#endif

/* Host call (hello.edl): the salutation for the host's local time of day. */
void host_salutation(char *text, size_t cap)
{
    time_t now = time(NULL);
    struct tm tm;
    const char *s = "Hello";
    if (!text || cap == 0)
        return;
    if (localtime_r(&now, &tm))
        s = tm.tm_hour < 12 ? "Good morning" : tm.tm_hour < 18 ? "Good afternoon" : "Good evening";
    snprintf(text, cap, "%s", s);
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
    arca_enclave_options_t opts;
    arca_enclave_t *enclave = NULL;
    arca_identity_t id;
    arca_result_t status = ARCA_ERR_INTERNAL;
    char greeting[256], prot[256];
    int rc = 1;

    arca_enclave_options_init(&opts);
    opts.host_calls = hello_host_calls; /* generated from hello.edl's untrusted block */
    opts.host_call_count = hello_host_call_count;
    arca_result_t r = arca_enclave_create(image, &opts, &enclave);
    if (r != ARCA_OK) {
        fprintf(stderr, "hello: cannot load %s: %s\n  %s\n", image, arca_result_str(r),
                arca_last_error());
        return 1;
    }
    /* Two results: r says whether the call crossed the boundary, status is greet()'s own. */
    r = greet(enclave, &status, name, greeting, sizeof greeting);
    if (r != ARCA_OK || status != ARCA_OK) {
        fprintf(stderr, "hello: the enclave refused: %s %s\n",
                arca_result_str(r != ARCA_OK ? r : status), r != ARCA_OK ? arca_last_error() : "");
        goto done;
    }
    greeting[sizeof greeting - 1] = '\0';
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
    rc = 0;
done:
    if (arca_enclave_destroy(enclave) != ARCA_OK)
        rc = 1;
    return rc;
}
