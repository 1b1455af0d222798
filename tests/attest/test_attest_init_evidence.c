/*
 * test_attest_init_evidence.c — evidence an enclave asks for from its init hook, that is while
 * arca_enclave_create() is still running, names the protections really in force: it verifies,
 * and its claims (protections included) equal what arca_enclave_identity() reports after
 * create and what arca_self_identity() said inside the hook. On `process` that is the set the
 * runner put in force before it reported READY (never 0); on `sim` it is 0, which is right.
 * argv: backend init-evidence-enclave.signed.so
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arca/host.h"
#include "arca/platform.h"
#include "arca/verify.h"
#include "init_evidence_ids.h"
#include "test.h"

static const char *backend, *image;

static arca_policy_t *policy_for(const arca_identity_t *id, const uint8_t rd[64])
{
    arca_platform_info_t info;
    arca_policy_t *p = NULL;
    if (arca_platform_info(NULL, &info) != ARCA_OK || arca_policy_create(&p) != ARCA_OK)
        return NULL;
    if (arca_policy_add_measurement(p, id->measurement) ||
        arca_policy_add_trusted_cert_file(p, info.cert_path) ||
        arca_policy_set_allow_dev_platform(p, 1) || arca_policy_set_allow_debug(p, 1) ||
        arca_policy_set_report_data(p, rd, 64) || arca_policy_set_max_age(p, 60) ||
        arca_policy_set_allow_simulation(p, !strcmp(backend, "sim"))) {
        arca_policy_free(p);
        return NULL;
    }
    return p;
}

static void test_init_hook_evidence_names_protections_in_force(void)
{
    arca_enclave_options_t o;
    arca_enclave_t *e = NULL;
    arca_identity_t id;
    arca_claims_t claims;
    uint8_t rd[64], ev[8192];
    uint32_t hook[2] = {0, 0};
    size_t len = 0, got = 0;
    for (size_t i = 0; i < sizeof rd; i++)
        rd[i] = INIT_REPORT_BYTE(i);
    arca_enclave_options_init(&o);
    o.backend = backend;
    ASSERT_OK(arca_enclave_create(image, &o, &e));
    ASSERT_OK(arca_enclave_identity(e, &id));
    ASSERT_OK(arca_enclave_call(e, IE_INIT_RESULT, NULL, 0, hook, sizeof hook, &got));
    /* The hook got its evidence: the enclave's runtime accepts evidence only when it names the
     * identity the enclave sees itself, protections included (src/enclave/attest.c). */
    ASSERT_RESULT((arca_result_t)hook[0], ARCA_OK);
    ASSERT_OK(arca_enclave_call(e, IE_EVIDENCE, NULL, 0, ev, sizeof ev, &len));
    ASSERT_OK(arca_enclave_destroy(e));
    if (!strcmp(backend, "sim")) {
        ASSERT_EQ(id.protections, 0);
    } else {
        /* At least the separate process, whatever else this kernel and launcher allow. */
        ASSERT_TRUE(id.protections & ARCA_PROT_SEPARATE_PROCESS);
    }
    ASSERT_UEQ(hook[1], id.protections); /* arca_self_identity() inside the hook */

    arca_policy_t *p = policy_for(&id, rd);
    ASSERT_TRUE(p != NULL);
    arca_result_t r = arca_verify_evidence(ev, len, p, &claims);
    arca_policy_free(p);
    ASSERT_OK(r);
    ASSERT_UEQ(claims.identity.protections, id.protections);
    ASSERT_EQ(claims.identity.backend, id.backend);
    ASSERT_MEMEQ(&claims.identity, &id, sizeof id);
    ASSERT_MEMEQ(claims.report_data, rd, 64);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s BACKEND INIT_EVIDENCE_IMAGE\n", argv[0]);
        return 2;
    }
    backend = argv[1];
    image = argv[2];
    RUN(test_init_hook_evidence_names_protections_in_force);
    return TEST_SUMMARY();
}
