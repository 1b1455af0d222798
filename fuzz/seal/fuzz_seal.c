/*
 * fuzz_seal.c — libFuzzer target for the sealed-blob parser and the unseal path: any
 * bytes must either be rejected or (only for a genuine blob under the fixed key) unseal.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "formats/sealblob.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint8_t key[32] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    arca__sealblob parsed;
    uint8_t *pt = NULL;
    size_t len = 0;
    if (arca__sealblob_parse(data, size, &parsed) != ARCA_OK)
        return 0;
    if (parsed.policy == ARCA_SEAL_SIGNER) {
        uint8_t k[32];
        /* from ≥ to: must succeed, within a tier and (h odd, svn's h even) across tiers. */
        if (arca__seal_svn_key(key, key, (uint16_t)(parsed.svn | 0x0F), parsed.svn, k) != ARCA_OK ||
            arca__seal_svn_key(key, key, (uint16_t)(parsed.svn | 0x01FF), parsed.svn, k) != ARCA_OK)
            abort();
    }
    if (arca__unseal_with_key(key, &parsed, parsed.aad, parsed.aad_len, &pt, &len) == ARCA_OK) {
        if (len != parsed.plaintext_len)
            abort();
        free(pt);
    } else if (pt != NULL) {
        abort();
    }
    return 0;
}
