/*
 * init_evidence_enclave.c — a test enclave whose init hook asks for evidence (report data
 * INIT_REPORT_BYTE) and keeps it, with what arca_self_identity() said inside the hook; ecalls
 * hand both to the host, which checks that evidence made during create names the protections
 * really in force (test_attest_init_evidence.c). It must never change what it kept.
 */
#include <string.h>

#include "arca/attest.h"
#include "arca/enclave.h"
#include "init_evidence_ids.h"

static uint8_t *kept;
static size_t kept_len;
static arca_result_t kept_result = ARCA_ERR_INTERNAL;
static uint32_t self_protections = 0xFFFFFFFFu;

static arca_result_t init_hook(void)
{
    uint8_t rd[ARCA_REPORT_DATA_SIZE];
    arca_identity_t self;
    for (size_t i = 0; i < sizeof rd; i++)
        rd[i] = INIT_REPORT_BYTE(i);
    if (arca_self_identity(&self) == ARCA_OK)
        self_protections = self.protections;
    kept_result = arca_get_evidence(rd, &kept, &kept_len);
    return ARCA_OK; /* the host test reports a failure to get evidence (IE_INIT_RESULT) */
}

static void fini_hook(void)
{
    arca_free_evidence(kept);
    kept = NULL;
}

ARCA_ENCLAVE_INIT(init_hook);
ARCA_ENCLAVE_FINI(fini_hook);

static arca_result_t evidence(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap,
                              size_t *out_len)
{
    (void)in, (void)in_len;
    *out_len = kept_len;
    if (!kept)
        return ARCA_ERR_NOT_FOUND;
    if (kept_len > out_cap)
        return ARCA_ERR_BUFFER_TOO_SMALL;
    memcpy(out, kept, kept_len);
    return ARCA_OK;
}

static arca_result_t init_result(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap,
                                 size_t *out_len)
{
    (void)in, (void)in_len;
    uint32_t v[2] = {(uint32_t)kept_result, self_protections};
    *out_len = sizeof v;
    if (out_cap < sizeof v)
        return ARCA_ERR_BUFFER_TOO_SMALL;
    memcpy(out, v, sizeof v);
    return ARCA_OK;
}

ARCA_ECALLS({IE_EVIDENCE, evidence}, {IE_INIT_RESULT, init_result});
