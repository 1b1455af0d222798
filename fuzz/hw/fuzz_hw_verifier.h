/*
 * fuzz_hw_verifier.h — the hardware verifier the fuzz targets of fuzz/hw share: the shipped
 * roots (share/roots) pinned once, in LLVMFuzzerInitialize, so fuzzed inputs near the seeds
 * reach the chain, TCB and signature checks. Included by exactly one source file per target
 * (it defines that target's LLVMFuzzerInitialize); aborts when the roots cannot be loaded.
 */
#ifndef ARCA_FUZZ_HW_VERIFIER_H
#define ARCA_FUZZ_HW_VERIFIER_H

#include <stdlib.h>

#include "verify/hw/hw.h"

/* 2026-03-01: inside the real PCK certificates' and VCEKs' validity. */
#define FUZZ_HW_AT 1772323200

static arca__hw_verifier *verifier;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    if (arca__hw_verifier_create(&verifier) != ARCA_OK ||
        arca__hw_add_default_roots(verifier, ARCA_HW_FUZZ_ROOTS) != ARCA_OK)
        abort();
    return 0;
}

#endif
