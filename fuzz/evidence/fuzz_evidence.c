/*
 * fuzz_evidence.c — libFuzzer target for the evidence v2 parser and arca_verify_evidence
 * (chain, signature and claim checks). A dev platform is created once in a private temporary
 * directory and pinned by a permissive policy (dev, debug and simulation allowed, a long
 * maximum age), so inputs near real evidence reach the signature and claim checks; chains
 * longer than one reach the X.509 path validation.
 * Seeds: fuzz/corpus/fuzz_evidence/ (evidence v2 from a dev platform, one and two certificates).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arca/verify.h"
#include "formats/evidence.h"
#include "platform/dev/dev_internal.h"

static arca_policy_t *policy;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    static char dir[] = "/tmp/arca-fuzz-evidence-XXXXXX";
    arca__platform *p = NULL;
    uint8_t m[32] = {0};
    if (!mkdtemp(dir) || arca__dev_platform.open(dir, &p) != ARCA_OK || arca_policy_create(&policy) != ARCA_OK ||
        arca_policy_add_trusted_cert(policy, p->cert_der, p->cert_len) != ARCA_OK ||
        arca_policy_add_measurement(policy, m) != ARCA_OK ||
        arca_policy_set_allow_dev_platform(policy, 1) != ARCA_OK ||
        arca_policy_set_allow_debug(policy, 1) != ARCA_OK ||
        arca_policy_set_allow_simulation(policy, 1) != ARCA_OK ||
        arca_policy_set_max_age(policy, UINT64_MAX / 1000000000u) != ARCA_OK)
        abort();
    arca__dev_platform.close(p);
    /* The policy holds what it needs; leave nothing behind in /tmp. */
    static const char *const files[] = {ARCA_DEV_ROOT_FILE, ARCA_DEV_KEY_FILE, ARCA_DEV_CERT_FILE};
    char path[PATH_MAX];
    for (size_t i = 0; i < 3; i++)
        if (arca__dev_path(path, dir, files[i]) == 0)
            unlink(path);
    rmdir(dir);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    arca__evidence parsed;
    arca_claims_t claims;
    if (arca__evidence_parse(data, size, &parsed) == ARCA_OK) {
        size_t total = ARCA_EVIDENCE_FIXED_SIZE + ARCA_EVIDENCE_SIG_SIZE;
        for (uint32_t i = 0; i < parsed.cert_count; i++)
            total += 4 + parsed.cert_len[i];
        if (total != size || parsed.signed_len + 64 != size)
            abort();
    }
    /* Only evidence signed by the fuzzer's own platform could verify; fuzzed bytes never are. */
    if (arca_verify_evidence(data, size, policy, &claims) == ARCA_OK)
        abort();
    return 0;
}
