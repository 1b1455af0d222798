/*
 * tcb_eval.c — Intel's TCB level matching and status convergence (see tcb_eval.h), written
 * from Intel's description of the algorithm in the DCAP Quote Verification Library.
 *
 * Pure functions: no I/O, no crypto, no allocation. They must only ever be given collateral
 * whose signature has been checked, since their answers are trusted as Intel's word.
 */
#include "verify/intel/tcb_eval.h"

static int sgx_meets(const arca__intel_level *lv, const uint8_t comp[16], uint16_t pce_svn)
{
    for (int i = 0; i < 16; i++)
        if (comp[i] < lv->sgx_comp[i])
            return 0;
    return pce_svn >= lv->pce_svn;
}

static int tdx_meets(const arca__intel_level *lv, const uint8_t tee_tcb_svn[16])
{
    /* With a TDX module version (byte 1) the module's own bytes are judged by the module
     * identity, not by the level's components. */
    int start = tee_tcb_svn[1] > 0 ? 2 : 0;
    if (!lv->has_tdx)
        return 0;
    for (int i = start; i < 16; i++)
        if (tee_tcb_svn[i] < lv->tdx_comp[i])
            return 0;
    return 1;
}

long arca__tcb_match(const arca__intel_tcb_info *info, const uint8_t comp_svn[16], uint16_t pce_svn,
                     const uint8_t *tee_tcb_svn, long *sgx_level)
{
    *sgx_level = -1;
    for (size_t i = 0; i < info->level_count; i++) {
        const arca__intel_level *lv = &info->levels[i];
        if (!sgx_meets(lv, comp_svn, pce_svn))
            continue;
        if (*sgx_level < 0)
            *sgx_level = (long)i;
        if (!tee_tcb_svn || tdx_meets(lv, tee_tcb_svn))
            return (long)i;
    }
    return -1;
}

long arca__tcb_identity_level(const arca__intel_level *levels, size_t count, uint16_t isv_svn)
{
    for (size_t i = 0; i < count; i++)
        if (levels[i].isv_svn <= isv_svn)
            return (long)i;
    return -1;
}

arca__tcb_status arca__tcb_converge(arca__tcb_status platform, arca__tcb_status other)
{
    if (other == ARCA__TCB_OUT_OF_DATE) {
        if (platform == ARCA__TCB_UP_TO_DATE || platform == ARCA__TCB_SW_HARDENING_NEEDED)
            return ARCA__TCB_OUT_OF_DATE;
        if (platform == ARCA__TCB_CONFIGURATION_NEEDED ||
            platform == ARCA__TCB_CONFIGURATION_AND_SW_HARDENING_NEEDED)
            return ARCA__TCB_OUT_OF_DATE_CONFIGURATION_NEEDED;
    }
    if (other == ARCA__TCB_REVOKED)
        return ARCA__TCB_REVOKED;
    return platform;
}
