/*
 * hw.h — the hardware evidence verifier's internal API: one verifier object holds the
 * pinned roots, the collateral and a cache of verified chains; arca__hw_verify() detects
 * the evidence format by its bytes, verifies it offline at a given time and fills one
 * claims shape (verify/hw_claims.h) for every TEE.
 *
 * Formats: Intel SGX DCAP quotes v3 (and v4/v5 with an SGX body), Intel TDX quotes v4 and
 * v5, AMD SEV-SNP attestation reports v2, v3 and v5, and the Azure vTPM HCL report wrapping
 * an SNP report (or a TD report whose TD quote is supplied as collateral).
 *
 * Collateral (arca__hw_add_collateral*) is recognised by its content: Intel PCS TCB Info and
 * enclave identity responses, dcap-qvl collateral bundles (JSON), certificates (PEM bundles
 * or DER: VCEK/VLEK, ASK/ASVK, issuer chains), CRLs (DER or PEM), and TD quotes (for Azure
 * TDX HCL reports). Every signature on collateral is checked before its content is used.
 *
 * Thread safety: after setup (roots and collateral added), one verifier may serve many
 * threads at once; the cache is guarded by a mutex. Adding roots or collateral while other
 * threads verify is not allowed.
 * The formats are entries of the verifier's evidence-format registry (verify/format.h); the
 * hardware part of the registry is arca__hw_formats (hw.c), and a policy reaches this verifier
 * through arca__hw_evidence_verify (policy_tee.c).
 * Internal header: never installed.
 */
#ifndef ARCA_VERIFY_HW_HW_H
#define ARCA_VERIFY_HW_HW_H

#include <stddef.h>
#include <stdint.h>

#include "arca/result.h"
#include "verify/hw_claims.h"

#ifndef ARCA_HW_ROOTS_DIR
/** Where the installed default roots live (set by CMake to <prefix>/share/arca/roots). */
#define ARCA_HW_ROOTS_DIR "/usr/local/share/arca/roots"
#endif
#ifndef ARCA_HW_ROOTS_REL
/** The same, relative to the library directory (set by CMake), for relocated installs. */
#define ARCA_HW_ROOTS_REL "../share/arca/roots"
#endif

typedef struct arca__hw_verifier arca__hw_verifier;
struct arca__evidence_format;

typedef enum arca__hw_format {
    ARCA__HW_FORMAT_NONE = 0,
    ARCA__HW_FORMAT_DCAP_QUOTE = ARCA_EVIDENCE_DCAP_QUOTE, /* Intel SGX or TDX quote */
    ARCA__HW_FORMAT_SNP_REPORT = ARCA_EVIDENCE_SNP_REPORT, /* AMD SEV-SNP attestation report */
    ARCA__HW_FORMAT_AZURE_HCL = ARCA_EVIDENCE_AZURE_HCL,   /* Azure vTPM HCL report */
} arca__hw_format;

/** Recognise hardware evidence by its first bytes (no verification); NONE when it is not. */
arca__hw_format arca__hw_detect(const uint8_t *bytes, size_t len);
/** "dcap-quote", "snp-report", "azure-hcl-report" or "none". */
const char *arca__hw_format_name(arca__hw_format format);

arca_result_t arca__hw_verifier_create(arca__hw_verifier **out) __attribute__((warn_unused_result));
void arca__hw_verifier_free(arca__hw_verifier *v);

/**
 * Pin root certificates (DER, or PEM with one or more). Each must be a self-signed CA
 * (ARCA_ERR_UNTRUSTED_ROOT otherwise). Evidence is accepted only under a pinned root.
 */
arca_result_t arca__hw_add_root(arca__hw_verifier *v, const uint8_t *bytes, size_t len,
                                const char *name);
arca_result_t arca__hw_add_root_file(arca__hw_verifier *v, const char *path);
/**
 * The shipped roots: every *.pem in @p dir (NULL = the installed ones: ARCA_HW_ROOTS_REL next
 * to the library or program holding this code when that directory exists, else
 * ARCA_HW_ROOTS_DIR). Self-signed ones (the Intel SGX Root CA, the AMD ARKs) are pinned; the
 * others (AMD ASKs and ASVKs) are added as untrusted intermediates, so a report needs only its
 * VCEK or VLEK as collateral.
 */
arca_result_t arca__hw_add_default_roots(arca__hw_verifier *v, const char *dir);
/**
 * When no root is pinned yet, pin the shipped ones (arca__hw_add_default_roots(v, NULL)),
 * once, under the verifier's lock: a policy without TrustedRoot. Safe to call from every
 * verifying thread. @return ARCA_ERR_UNTRUSTED_ROOT when the shipped roots cannot be read.
 */
arca_result_t arca__hw_use_default_roots_if_none(arca__hw_verifier *v)
    __attribute__((warn_unused_result));

/** Add one collateral item, recognised by its content; @p name names it in messages. */
arca_result_t arca__hw_add_collateral(arca__hw_verifier *v, const uint8_t *bytes, size_t len,
                                      const char *name);
/** Add a collateral file, or every regular file of a directory (sorted by name). */
arca_result_t arca__hw_add_collateral_path(arca__hw_verifier *v, const char *path);

/**
 * Verify hardware evidence offline as of @p at (unix seconds; the caller passes the current
 * time for "now"). Certificates, CRLs and collateral are judged at that time.
 * On success fills @p claims (zeroed first; on failure it stays zeroed). Every refusal has
 * its own result with a sentence naming the failed check (arca__error_detail()).
 */
arca_result_t arca__hw_verify(arca__hw_verifier *v, const uint8_t *evidence, size_t len, int64_t at,
                              arca__hw_claims *claims) __attribute__((warn_unused_result));
/** arca__hw_verify() for evidence already recognised as @p format (a hardware entry). */
arca_result_t arca__hw_verify_as(arca__hw_verifier *v, const struct arca__evidence_format *format,
                                 const uint8_t *evidence, size_t len, int64_t at,
                                 arca__hw_claims *claims) __attribute__((warn_unused_result));

/**
 * Verify an AMD certificate chain on its own (a VCEK or VLEK and its ASK/ASVK, ARK), as of
 * @p at, with the verifier's roots and collateral: for chain-only inputs and tests.
 */
arca_result_t arca__hw_verify_amd_chain(arca__hw_verifier *v, const uint8_t *leaf, size_t leaf_len,
                                        int64_t at) __attribute__((warn_unused_result));

/** Cache statistics (hits and misses of the verified-chain cache), for tests and the bench. */
void arca__hw_cache_stats(const arca__hw_verifier *v, uint64_t *hits, uint64_t *misses);

#endif
