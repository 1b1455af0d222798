/*
 * seal_enclave.c — the test enclave for sealing and attestation: thin ecalls over
 * arca_seal, arca_unseal and arca_get_evidence, so the host-side tests can move blobs
 * between enclaves of different identities. Built several times (seal/CMakeLists.txt)
 * with different keys and configurations; SEAL_VARIANT changes only the measurement.
 */
#include <stdlib.h>
#include <string.h>

#include "arca/enclave.h"
#include "arca/attest.h"
#include "arca/seal.h"
#include "seal_ids.h"

#ifndef SEAL_VARIANT
#define SEAL_VARIANT 0
#endif
/* Part of the loaded image, so each variant has its own measurement. */
__attribute__((used)) static const volatile int variant = SEAL_VARIANT;

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

/* Hand a library buffer to the host: copy if it fits, else report the size needed. */
static arca_result_t reply(const uint8_t *data, size_t len, uint8_t *out, size_t out_cap,
                           size_t *out_len)
{
    *out_len = len;
    if (len > out_cap)
        return ARCA_ERR_BUFFER_TOO_SMALL;
    if (len)
        memcpy(out, data, len);
    return ARCA_OK;
}

/* in: u32 policy, u32 aad_len, aad, plaintext */
static arca_result_t do_seal(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap,
                             size_t *out_len)
{
    uint8_t *blob = NULL;
    size_t blob_len = 0;
    if (in_len < 8 || get32(in + 4) > in_len - 8)
        return ARCA_ERR_INVALID_ARGUMENT;
    uint32_t aad_len = get32(in + 4);
    arca_result_t r = arca_seal((int)get32(in), in + 8, aad_len, in + 8 + aad_len,
                                in_len - 8 - aad_len, &blob, &blob_len);
    if (r == ARCA_OK)
        r = reply(blob, blob_len, out, out_cap, out_len);
    arca_free_sealed(blob);
    return r;
}

/* in: u32 aad_len, aad, blob */
static arca_result_t do_unseal(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap,
                               size_t *out_len)
{
    uint8_t *pt = NULL;
    size_t pt_len = 0;
    if (in_len < 4 || get32(in) > in_len - 4)
        return ARCA_ERR_INVALID_ARGUMENT;
    uint32_t aad_len = get32(in);
    arca_result_t r = arca_unseal(in + 4 + aad_len, in_len - 4 - aad_len, in + 4, aad_len, &pt, &pt_len);
    if (r == ARCA_OK)
        r = reply(pt, pt_len, out, out_cap, out_len);
    arca_free_secret(pt, pt_len);
    return r;
}

/* in: report_data[64] */
static arca_result_t do_evidence(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap,
                                 size_t *out_len)
{
    uint8_t *ev = NULL;
    size_t len = 0;
    if (in_len != ARCA_REPORT_DATA_SIZE)
        return ARCA_ERR_INVALID_ARGUMENT;
    arca_result_t r = arca_get_evidence(in, &ev, &len);
    if (r == ARCA_OK)
        r = reply(ev, len, out, out_cap, out_len);
    arca_free_evidence(ev);
    return r;
}

/* in: u32 policy, u32 count, u32 size: seal+unseal count times in the enclave (benchmarks) */
static arca_result_t do_loop(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap,
                             size_t *out_len)
{
    (void)out;
    (void)out_cap;
    *out_len = 0;
    if (in_len != 12)
        return ARCA_ERR_INVALID_ARGUMENT;
    uint32_t policy = get32(in), count = get32(in + 4), size = get32(in + 8);
    uint8_t *data = calloc(1, size ? size : 1);
    arca_result_t r = data ? ARCA_OK : ARCA_ERR_OUT_OF_MEMORY;
    for (uint32_t i = 0; i < count && r == ARCA_OK; i++) {
        uint8_t *blob = NULL, *pt = NULL;
        size_t blob_len = 0, pt_len = 0;
        r = arca_seal((int)policy, NULL, 0, data, size, &blob, &blob_len);
        if (r == ARCA_OK)
            r = arca_unseal(blob, blob_len, NULL, 0, &pt, &pt_len);
        arca_free_sealed(blob);
        arca_free_secret(pt, pt_len);
    }
    free(data);
    return r;
}

ARCA_ECALLS({SEAL_FN_SEAL, do_seal}, {SEAL_FN_UNSEAL, do_unseal}, {SEAL_FN_EVIDENCE, do_evidence},
            {SEAL_FN_LOOP, do_loop});
