/*
 * verifier.c — the relying party: links only libarca_verify (no enclave, no platform) and
 * checks evidence against a policy file. Exit 0 when it verifies, 1 otherwise.
 * usage: attest_verifier POLICY.conf EVIDENCE.bin
 */
#include <stdio.h>
#include <stdlib.h>

#include "arca/verify.h"

int main(int argc, char **argv)
{
    static uint8_t ev[1 << 20];
    arca_policy_t *policy = NULL;
    arca_claims_t claims;
    char json[2048];
    if (argc != 3) {
        fprintf(stderr, "usage: %s POLICY.conf EVIDENCE.bin\n", argv[0]);
        return 2;
    }
    FILE *f = fopen(argv[2], "rb");
    if (!f) {
        perror(argv[2]);
        return 2;
    }
    size_t len = fread(ev, 1, sizeof ev, f);
    fclose(f);
    arca_result_t r = arca_policy_load_file(argv[1], &policy);
    if (r == ARCA_OK)
        r = arca_verify_evidence(ev, len, policy, &claims);
    if (r == ARCA_OK)
        r = arca_claims_to_json(&claims, json, sizeof json, NULL);
    arca_policy_free(policy);
    if (r != ARCA_OK) {
        fprintf(stderr, "NOT verified: %s: %s\n", arca_result_name(r), arca_verify_last_error());
        return 1;
    }
    printf("verified: %s\n", json);
    return 0;
}
