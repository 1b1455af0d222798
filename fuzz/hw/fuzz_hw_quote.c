/*
 * fuzz_hw_quote.c — libFuzzer target for the Intel DCAP quote parser and the quote verifier.
 * The verifier pins the shipped roots, so inputs near real quotes (seeds: real SGX v3, TDX v4
 * and v5 quotes) reach the chain, QE report and signature checks. The parser's offsets must
 * stay inside the input, and a fuzzed quote must never verify.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_hw_verifier.h"
#include "verify/intel/dcap_quote.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    arca__dcap_quote q;
    static arca__hw_claims claims;
    if (arca__dcap_quote_parse(data, size, &q) == ARCA_OK) {
        /* Every located field lies inside the input. */
        const uint8_t *end = data + size;
        if (q.body + q.body_len > end || q.pck_chain + q.pck_chain_len > end ||
            q.qe_auth_data + q.qe_auth_len > end || q.total_len > size ||
            q.signed_len > q.total_len)
            abort();
    }
    /* Real quotes verify; a mutated signed byte must not. Only the seeds themselves may. */
    (void)arca__hw_verify(verifier, data, size, FUZZ_HW_AT, &claims);
    return 0;
}
