/*
 * tcb_eval.h — Intel's TCB evaluation as the DCAP Quote Verification Library does it: the
 * platform's TCB level from TCB Info (PCK certificate SVNs, PCESVN and, for TDX, TEE_TCB_SVN),
 * an identity's level from its ISVSVN, and the convergence of the platform status with the
 * QE's and the TDX module's. Pure functions over parsed, already signature-checked collateral.
 * Internal header: never installed.
 */
#ifndef ARCA_VERIFY_INTEL_TCB_EVAL_H
#define ARCA_VERIFY_INTEL_TCB_EVAL_H

#include <stddef.h>
#include <stdint.h>

#include "verify/intel/collateral.h"

/**
 * The first TCB level (in the order Intel lists them, highest first) that the platform meets:
 * every SGX component SVN and the PCESVN at least the level's; for TDX (@p tee_tcb_svn not
 * NULL) also every TEE_TCB_SVN byte, skipping bytes 0 and 1 (the TDX module's SVN and version,
 * judged by the module identity) when the module version tee_tcb_svn[1] is not 0.
 * @param[out] sgx_level  the first level meeting the SGX part (-1 none)
 * @return the matching level's index, or -1 when none matches ("TCB not supported").
 */
long arca__tcb_match(const arca__intel_tcb_info *info, const uint8_t comp_svn[16], uint16_t pce_svn,
                     const uint8_t *tee_tcb_svn, long *sgx_level);

/** The first identity level whose ISVSVN is at most @p isv_svn, or -1. */
long arca__tcb_identity_level(const arca__intel_level *levels, size_t count, uint16_t isv_svn);

/**
 * Converge a platform status with a QE or TDX-module status: OutOfDate there makes UpToDate
 * and SWHardeningNeeded OutOfDate, and the two Configuration statuses
 * OutOfDateConfigurationNeeded; Revoked there makes Revoked; anything else keeps @p platform.
 */
arca__tcb_status arca__tcb_converge(arca__tcb_status platform, arca__tcb_status other);

#endif
