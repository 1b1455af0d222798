/*
 * fuzz_hw_snp_report.c — libFuzzer target for the SEV-SNP report parser, the Azure HCL report
 * parser and their verifiers. The verifier pins the shipped AMD roots and holds a real Milan
 * VCEK, so inputs near the seed reports reach the certificate choice, TCB and chip id checks
 * and the signature. Parsers must stay inside the input; nothing fuzzed may crash.
 */
#include <stdint.h>
#include <stdlib.h>

#include "fuzz_hw_verifier.h"
#include "verify/azure/hcl.h"
#include "verify/snp/snp_report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    arca__hw_snp rep;
    arca__azure_hcl hcl;
    uint8_t r[48], s[48];
    static arca__hw_claims claims;
    (void)arca__snp_report_parse(data, size, &rep, r, s);
    if (arca__azure_hcl_parse(data, size, &hcl) == ARCA_OK &&
        (hcl.var_data + hcl.var_len > data + size || hcl.hw_report + 0x4A0 > data + size))
        abort();
    (void)arca__hw_verify(verifier, data, size, FUZZ_HW_AT, &claims);
    return 0;
}
