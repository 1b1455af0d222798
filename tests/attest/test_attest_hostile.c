/*
 * test_attest_hostile.c — arca_get_evidence and arca_seal/arca_unseal compiled host-side
 * against a fake trusted runtime (this file) whose loader's evidence service (the platform
 * connection, which another process may serve) is scripted to lie:
 * evidence about another identity or other report data, garbage, endless or oversized
 * size requests, errors. Every lie must be rejected; an honest reply accepted.
 */
#include <stdlib.h>
#include <string.h>

#include "arca/attest.h"
#include "arca/seal.h"
#include "crypto/crypto.h"
#include "formats/evidence.h"
#include "runtime.h"
#include "test.h"

/* ---- the fake runtime ---- */
static arca_identity_t self;
static struct arca__enclave_keys keys;
static int initialised = 1;

const struct arca__enclave_keys *arca__enclave_keys(void) { return initialised ? &keys : NULL; }
const arca_identity_t *arca__enclave_identity(void) { return initialised ? &self : NULL; }
enum lie { HONEST, OTHER_IDENTITY, OTHER_BACKEND, OTHER_REPORT_DATA, GARBAGE, OLD_VERSION, ALWAYS_MORE, NOT_MORE, HUGE, LONGER, UNDEFINED, FAIL };
static enum lie mode;
static int calls;

/* Stands in for the loader's get_evidence (src/loader/services.c). */
static arca_result_t fake_evidence(void *services, const uint8_t in[64], uint8_t *out,
                                   size_t out_cap, size_t *out_len)
{
    (void)services;
    calls++;
    *out_len = 0;
    if (mode == LONGER) { /* success, claiming more than the buffer holds */
        *out_len = out_cap + 10;
        return ARCA_OK;
    }
    if (mode == UNDEFINED)
        return (arca_result_t)12345;
    if (mode == FAIL)
        return ARCA_ERR_PLATFORM;
    if (mode == ALWAYS_MORE) {
        *out_len = out_cap + 1;
        return ARCA_ERR_BUFFER_TOO_SMALL;
    }
    if (mode == NOT_MORE) { /* "too small", yet asks for no more than it was offered */
        *out_len = out_cap;
        return ARCA_ERR_BUFFER_TOO_SMALL;
    }
    if (mode == HUGE) {
        *out_len = (size_t)1 << 40;
        return ARCA_ERR_BUFFER_TOO_SMALL;
    }
    arca_identity_t id2 = self;
    uint8_t rd[64];
    memcpy(rd, in, 64);
    if (mode == OTHER_IDENTITY)
        id2.measurement[5] ^= 1;
    if (mode == OTHER_BACKEND)
        id2.protections |= ARCA_PROT_SECCOMP;
    if (mode == OTHER_REPORT_DATA)
        rd[63] ^= 1;
    uint8_t platform_id[32] = {0}, cert[600];
    memset(cert, 0x30, sizeof cert);
    const uint8_t *certs[1] = {cert};
    size_t lens[1] = {sizeof cert};
    uint8_t *ev = NULL;
    size_t len = 0;
    static const uint8_t runtime[32] = {7};
    if (arca__evidence_build(1, platform_id, &id2, runtime, rd, 1, certs, lens, 1, &ev, &len) != ARCA_OK)
        return ARCA_ERR_INTERNAL;
    if (mode == GARBAGE)
        memset(ev, 0xEE, 16);
    if (mode == OLD_VERSION) /* evidence v1 (no runtime digest) is not accepted */
        ev[8] = 1;
    arca_result_t r = ARCA_OK;
    *out_len = len;
    if (len > out_cap)
        r = ARCA_ERR_BUFFER_TOO_SMALL;
    else
        memcpy(out, ev, len);
    free(ev);
    return r;
}

static const struct arca__loader_iface loader = {.get_evidence = fake_evidence};
const struct arca__loader_iface *arca__enclave_iface(void) { return initialised ? &loader : NULL; }

static arca_result_t get(enum lie m, uint8_t **ev, size_t *len)
{
    uint8_t rd[64];
    for (int i = 0; i < 64; i++)
        rd[i] = (uint8_t)i;
    mode = m;
    calls = 0;
    return arca_get_evidence(rd, ev, len);
}

static void test_honest_host_is_accepted(void)
{
    uint8_t *ev = NULL;
    size_t len = 0;
    ASSERT_OK(get(HONEST, &ev, &len));
    ASSERT_TRUE(ev != NULL && len > 600);
    arca__evidence parsed;
    ASSERT_OK(arca__evidence_parse(ev, len, &parsed));
    ASSERT_EQ(parsed.report_data[63], 63);
    arca_free_evidence(ev);
}

static void test_lies_are_rejected(void)
{
    static const enum lie lies[] = {OTHER_IDENTITY, OTHER_BACKEND, OTHER_REPORT_DATA, GARBAGE,
                                    OLD_VERSION, ALWAYS_MORE, NOT_MORE, HUGE, LONGER, UNDEFINED};
    for (size_t i = 0; i < sizeof lies / sizeof lies[0]; i++) {
        uint8_t *ev = (uint8_t *)1;
        size_t len = 7;
        ASSERT_RESULT(get(lies[i], &ev, &len), ARCA_ERR_BAD_HOST_REPLY);
        ASSERT_TRUE(ev == NULL && len == 0);
        ASSERT_TRUE(calls <= 3); /* bounded negotiation */
        if (lies[i] == NOT_MORE)
            ASSERT_EQ(calls, 1); /* a request that does not grow is a lie at once, not a retry */
    }
    uint8_t *ev = NULL;
    size_t len = 0;
    ASSERT_RESULT(get(FAIL, &ev, &len), ARCA_ERR_PLATFORM);
}

static void test_not_initialised(void)
{
    uint8_t rd[64] = {0}, *ev = NULL, *blob = NULL;
    size_t len = 0;
    initialised = 0;
    ASSERT_RESULT(arca_get_evidence(rd, &ev, &len), ARCA_ERR_INTERNAL);
    ASSERT_RESULT(arca_seal(ARCA_SEAL_ENCLAVE, NULL, 0, "x", 1, &blob, &len), ARCA_ERR_INTERNAL);
    initialised = 1;
}

/* seal.c against the fake keys: the SVN walk and policy choice. */
static void test_seal_svn_walk(void)
{
    uint8_t *blob = NULL, *pt = NULL;
    size_t blob_len, pt_len;
    self.svn = 5;
    ASSERT_OK(arca_seal(ARCA_SEAL_SIGNER, "a", 1, "hello", 5, &blob, &blob_len));
    ASSERT_OK(arca_unseal(blob, blob_len, "a", 1, &pt, &pt_len));
    arca_free_secret(pt, pt_len);
    /* a lower SVN of the same signer must be refused (the chain only walks down) */
    self.svn = 4;
    ASSERT_RESULT(arca_unseal(blob, blob_len, "a", 1, &pt, &pt_len), ARCA_ERR_SVN_TOO_NEW);
    ASSERT_TRUE(pt == NULL);
    self.svn = 5;
    ASSERT_RESULT(arca_seal(0, NULL, 0, NULL, 0, &pt, &pt_len), ARCA_ERR_INVALID_ARGUMENT);
    ASSERT_RESULT(arca_unseal(NULL, 3, NULL, 0, &pt, &pt_len), ARCA_ERR_INVALID_ARGUMENT);
    arca_free_sealed(blob);
}

int main(void)
{
    for (int i = 0; i < 32; i++) {
        self.measurement[i] = (uint8_t)i;
        self.signer_id[i] = (uint8_t)~i;
    }
    self.backend = ARCA_BACKEND_ID_PROCESS;
    self.protections = ARCA_PROT_NODUMP;
    if (arca__random(&keys, sizeof keys) != ARCA_OK)
        return 1;
    RUN(test_honest_host_is_accepted);
    RUN(test_lies_are_rejected);
    RUN(test_not_initialised);
    RUN(test_seal_svn_walk);
    return TEST_SUMMARY();
}
