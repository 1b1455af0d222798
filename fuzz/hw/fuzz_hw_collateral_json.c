/*
 * fuzz_hw_collateral_json.c — libFuzzer target for Intel collateral: PCS TCB Info and enclave
 * identity responses and dcap-qvl collateral bundles (json-c, then Arca's field checks), and
 * the collateral intake that recognises every kind of item by content. Seeds: the real PCS
 * responses and a real bundle. Nothing may crash or leak, whatever the JSON says.
 */
#include <stdint.h>
#include <stdlib.h>

#include "verify/hw/hw.h"
#include "verify/intel/collateral.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    arca__intel_doc doc;
    arca__hw_verifier *v = NULL;
    if (arca__intel_doc_parse(data, size, "fuzz", &doc) == ARCA_OK)
        arca__intel_doc_clear(&doc);
    if (arca__hw_verifier_create(&v) != ARCA_OK)
        abort();
    (void)arca__hw_add_collateral(v, data, size, "fuzz");
    arca__hw_verifier_free(v);
    return 0;
}
