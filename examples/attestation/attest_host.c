/*
 * attest_host.c — the untrusted side: asks the enclave for evidence bound to a nonce and
 * writes it to a file. For the demo it also writes the policy a relying party would use
 * (in practice the relying party writes that itself, from `arca inspect` of the image it
 * expects and `arca platform info` of the platform it trusts).
 * usage: attest_host NONCE_HEX EVIDENCE_OUT POLICY_OUT
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arca/host.h"
#include "arca/platform.h"
#include "attest_ids.h"

static int unhex(const char *s, uint8_t *out, size_t cap, size_t *len)
{
    size_t n = strlen(s);
    if (n % 2 || n / 2 > cap)
        return -1;
    for (size_t i = 0; i < n; i++) /* hex digits only: sscanf's %x would take " 1", "-1", "0x" */
        if (!isxdigit((unsigned char)s[i]))
            return -1;
    for (size_t i = 0; i < n / 2; i++)
        if (sscanf(s + 2 * i, "%2hhx", &out[i]) != 1)
            return -1;
    *len = n / 2;
    return 0;
}

static void hex(FILE *f, const uint8_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        fprintf(f, "%02x", b[i]);
}

int main(int argc, char **argv)
{
    uint8_t nonce[64], ev[8192];
    size_t nonce_len, ev_len = 0;
    arca_identity_t id;
    arca_platform_info_t platform;
    arca_enclave_t *enclave = NULL;

    if (argc != 4 || unhex(argv[1], nonce, sizeof nonce, &nonce_len) != 0) {
        fprintf(stderr, "usage: %s NONCE_HEX(<=64 bytes) EVIDENCE_OUT POLICY_OUT\n", argv[0]);
        return 2;
    }
    arca_result_t r = arca_enclave_create(ATTEST_ENCLAVE_PATH, NULL, &enclave);
    if (r == ARCA_OK)
        r = arca_enclave_identity(enclave, &id);
    if (r == ARCA_OK)
        r = arca_enclave_call(enclave, ATTEST_FN_EVIDENCE, nonce, nonce_len, ev, sizeof ev, &ev_len);
    if (enclave && arca_enclave_destroy(enclave) != ARCA_OK && r == ARCA_OK)
        r = ARCA_ERR_INTERNAL;
    if (r == ARCA_OK)
        r = arca_platform_info(NULL, &platform);
    if (r != ARCA_OK) {
        fprintf(stderr, "attest_host: %s (%s)\n", arca_result_str(r), arca_last_error());
        return 1;
    }
    FILE *f = fopen(argv[2], "wb");
    if (!f || fwrite(ev, 1, ev_len, f) != ev_len || fclose(f) != 0) {
        perror(argv[2]);
        return 1;
    }
    f = fopen(argv[3], "w");
    if (!f) {
        perror(argv[3]);
        return 1;
    }
    fprintf(f, "# What the relying party accepts (written by attest_host for the demo).\nMeasurement = ");
    hex(f, id.measurement, 32);
    fprintf(f, "\nSignerID = ");
    hex(f, id.signer_id, 32);
    fprintf(f, "\nProductID = %u\nMinSVN = %u\n", id.product_id, id.svn);
    fprintf(f, "AllowDebug = %d  # the example is signed with a development key\n",
            (id.attributes & ARCA_ATTR_DEBUG) ? 1 : 0);
    fprintf(f, "AllowDevPlatform = 1\nTrustedPlatformCert = %s\nReportData = %s\nMaxAgeSeconds = 300\n",
            platform.cert_path, argv[1]);
    if (id.backend == ARCA_BACKEND_ID_SIM) /* sim isolates nothing: refused unless allowed */
        fprintf(f, "AllowSimulation = 1  # the demo ran on sim\n");
    if (fclose(f) != 0) {
        perror(argv[3]);
        return 1;
    }
    printf("wrote %zu bytes of evidence to %s and a policy to %s\n", ev_len, argv[2], argv[3]);
    return 0;
}
