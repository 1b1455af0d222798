/*
 * counter_enclave.c — keeps a counter that survives restarts: each call unseals the
 * previous state (if any), increments it, and seals it again with ARCA_SEAL_SIGNER, so
 * a later release of this enclave (same signer and product, higher SVN) can still read it.
 * The host stores the blob but can neither read nor forge it.
 */
#include <stdint.h>
#include <string.h>

#include "arca/enclave.h"
#include "arca/seal.h"
#include "counter.h"

static arca_result_t increment(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap,
                               size_t *out_len)
{
    uint64_t count = 0;
    uint8_t *state = NULL, *blob = NULL;
    size_t state_len = 0, blob_len = 0;
    arca_result_t r = ARCA_OK;

    if (in_len > 0) {
        r = arca_unseal(in, in_len, COUNTER_AAD, sizeof COUNTER_AAD - 1, &state, &state_len);
        if (r != ARCA_OK)
            return r; /* tampered, or sealed by someone else: never silently restart at 0 */
        if (state_len != sizeof count) {
            arca_free_secret(state, state_len);
            return ARCA_ERR_BAD_FORMAT;
        }
        memcpy(&count, state, sizeof count);
        arca_free_secret(state, state_len);
    }
    count++;
    r = arca_seal(ARCA_SEAL_SIGNER, COUNTER_AAD, sizeof COUNTER_AAD - 1, &count, sizeof count, &blob,
                  &blob_len);
    if (r != ARCA_OK)
        return r;
    *out_len = sizeof count + blob_len;
    if (*out_len > out_cap) {
        r = ARCA_ERR_BUFFER_TOO_SMALL;
    } else {
        memcpy(out, &count, sizeof count);
        memcpy(out + sizeof count, blob, blob_len);
    }
    arca_free_sealed(blob);
    return r;
}

ARCA_ECALLS({COUNTER_FN_INCREMENT, increment});
