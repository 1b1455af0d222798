/*
 * test_attest_enclave.c — evidence from inside real enclaves on one backend (argv[1]):
 * it verifies under a policy pinning this platform's certificate, carries the identity the
 * host reports (backend and protections included) and the enclave's report data; a debug
 * enclave's evidence is refused unless the policy allows debug.
 * argv: backend prod_image debug_image
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arca/host.h"
#include "arca/platform.h"
#include "arca/verify.h"
#include "seal_ids.h"
#include "test.h"

static const char *backend, *prod_image, *debug_image;

static arca_result_t evidence_from(const char *image, const uint8_t rd[64], uint8_t *ev, size_t cap,
                                   size_t *len, arca_identity_t *id)
{
    arca_enclave_options_t opts;
    arca_enclave_t *e = NULL;
    arca_enclave_options_init(&opts);
    opts.backend = backend;
    arca_result_t r = arca_enclave_create(image, &opts, &e);
    if (r != ARCA_OK) {
        fprintf(stderr, "create %s: %s\n", image, arca_last_error());
        return r;
    }
    r = arca_enclave_identity(e, id);
    if (r == ARCA_OK)
        r = arca_enclave_call(e, SEAL_FN_EVIDENCE, rd, 64, ev, cap, len);
    if (arca_enclave_destroy(e) != ARCA_OK && r == ARCA_OK)
        r = ARCA_ERR_INTERNAL;
    return r;
}

static arca_policy_t *policy_for(const arca_identity_t *id, const uint8_t rd[64], int allow_debug)
{
    arca_platform_info_t info;
    arca_policy_t *p = NULL;
    if (arca_platform_info(NULL, &info) != ARCA_OK || arca_policy_create(&p) != ARCA_OK)
        return NULL;
    if (arca_policy_add_measurement(p, id->measurement) || arca_policy_set_signer(p, id->signer_id) ||
        arca_policy_set_product_id(p, id->product_id) || arca_policy_set_min_svn(p, id->svn) ||
        arca_policy_add_trusted_cert_file(p, info.cert_path) || arca_policy_set_allow_dev_platform(p, 1) ||
        arca_policy_set_allow_debug(p, allow_debug) || arca_policy_set_report_data(p, rd, 64) ||
        arca_policy_set_max_age(p, 60) ||
        arca_policy_set_allow_simulation(p, !strcmp(backend, "sim"))) {
        arca_policy_free(p);
        return NULL;
    }
    return p;
}

static void test_enclave_evidence_verifies(void)
{
    uint8_t rd[64], ev[8192];
    size_t len = 0;
    arca_identity_t id;
    arca_claims_t claims;
    for (int i = 0; i < 64; i++)
        rd[i] = (uint8_t)(0xC0 ^ i);
    ASSERT_OK(evidence_from(prod_image, rd, ev, sizeof ev, &len, &id));
    arca_policy_t *p = policy_for(&id, rd, 0);
    ASSERT_TRUE(p != NULL);
    ASSERT_OK(arca_verify_evidence(ev, len, p, &claims));
    ASSERT_MEMEQ(&claims.identity, &id, sizeof id);
    ASSERT_EQ(claims.identity.backend, !strcmp(backend, "sim") ? ARCA_BACKEND_ID_SIM : ARCA_BACKEND_ID_PROCESS);
    ASSERT_MEMEQ(claims.report_data, rd, 64);
    ASSERT_EQ(claims.platform_kind, ARCA_PLATFORM_DEV);
    /* other report data (a replay under a new nonce) fails */
    rd[0] ^= 1;
    arca_policy_t *q = policy_for(&id, rd, 0);
    ASSERT_TRUE(q != NULL);
    ASSERT_RESULT(arca_verify_evidence(ev, len, q, &claims), ARCA_ERR_VERIFY_REPORT_DATA);
    /* the dev platform is refused unless allowed */
    ASSERT_OK(arca_policy_set_allow_dev_platform(p, 0));
    ASSERT_RESULT(arca_verify_evidence(ev, len, p, &claims), ARCA_ERR_VERIFY_DEV_PLATFORM);
    ASSERT_OK(arca_policy_set_allow_dev_platform(p, 1));
    /* sim isolates nothing: its evidence needs AllowSimulation; process evidence does not */
    ASSERT_OK(arca_policy_set_allow_simulation(p, 0));
    ASSERT_RESULT(arca_verify_evidence(ev, len, p, &claims),
                  !strcmp(backend, "sim") ? ARCA_ERR_VERIFY_SIMULATION : ARCA_OK);
    arca_policy_free(p);
    arca_policy_free(q);
}

static void test_debug_enclave_evidence(void)
{
    uint8_t rd[64] = {1, 2, 3}, ev[8192];
    size_t len = 0;
    arca_identity_t id;
    ASSERT_OK(evidence_from(debug_image, rd, ev, sizeof ev, &len, &id));
    ASSERT_TRUE(id.attributes & ARCA_ATTR_DEBUG);
    arca_policy_t *p = policy_for(&id, rd, 0);
    ASSERT_TRUE(p != NULL);
    ASSERT_RESULT(arca_verify_evidence(ev, len, p, NULL), ARCA_ERR_VERIFY_DEBUG);
    ASSERT_OK(arca_policy_set_allow_debug(p, 1));
    ASSERT_OK(arca_verify_evidence(ev, len, p, NULL));
    arca_policy_free(p);
}

static void test_small_buffer_reports_needed_size(void)
{
    uint8_t rd[64] = {0}, ev[8];
    size_t len = 0;
    arca_identity_t id;
    ASSERT_RESULT(evidence_from(prod_image, rd, ev, sizeof ev, &len, &id), ARCA_ERR_BUFFER_TOO_SMALL);
    ASSERT_TRUE(len > 300 && len < 4096);
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: %s BACKEND PROD_IMAGE DEBUG_IMAGE\n", argv[0]);
        return 2;
    }
    backend = argv[1];
    prod_image = argv[2];
    debug_image = argv[3];
    RUN(test_enclave_evidence_verifies);
    RUN(test_debug_enclave_evidence);
    RUN(test_small_buffer_reports_needed_size);
    return TEST_SUMMARY();
}
