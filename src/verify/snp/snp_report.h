/*
 * snp_report.h — the AMD SEV-SNP ATTESTATION_REPORT (0x4A0 bytes, versions 2, 3 and 5) as
 * bytes: field offsets from the SEV-SNP firmware ABI specification (table "ATTESTATION_REPORT
 * Structure"). Parsing is pure and fuzzed (fuzz/hw); verification is snp/snp_verify.c.
 * Internal header: never installed.
 */
#ifndef ARCA_VERIFY_SNP_REPORT_H
#define ARCA_VERIFY_SNP_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "arca/result.h"
#include "verify/hw_claims.h"

#define ARCA__SNP_REPORT_SIZE 0x4A0u
#define ARCA__SNP_SIGNED_SIZE 0x2A0u /* the signature covers bytes [0, 0x2A0) */
#define ARCA__SNP_SIG_R 0x2A0u       /* 72 bytes, little-endian, P-384 uses the low 48 */
#define ARCA__SNP_SIG_S 0x2E8u
#define ARCA__SNP_POLICY_DEBUG (1ull << 19)
#define ARCA__SNP_SIGNING_VCEK 0
#define ARCA__SNP_SIGNING_VLEK 1
#define ARCA__SNP_SIGNER_MASK_CHIP_ID (1u << 1)

/** 1 when @p bytes look like an SNP report (size, version 2..255, signature algorithm 1). */
int arca__snp_report_detect(const uint8_t *bytes, size_t len);

/**
 * Parse a report into @p out (TCB values raw; arca__snp_tcb_decode() decodes them) and the
 * signature into big-endian @p r and @p s (48 bytes each).
 * @return ARCA_ERR_BAD_EVIDENCE (malformed: size, must-be-zero fields, signature padding),
 *         ARCA_ERR_BAD_VERSION (not 2, 3 or 5), ARCA_ERR_UNSUPPORTED (signature algorithm or
 *         signing key Arca cannot check).
 */
arca_result_t arca__snp_report_parse(const uint8_t *bytes, size_t len, arca__hw_snp *out,
                                     uint8_t r[48], uint8_t s[48]);

/** Decode a TCB_VERSION with Milan/Genoa's layout or (turin) Turin's. */
arca__snp_tcb arca__snp_tcb_decode(uint64_t raw, int turin);

#endif
