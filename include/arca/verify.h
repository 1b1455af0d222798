/*
 * verify.h — checking attestation evidence against a policy (libarca_verify).
 *
 * A relying party needs no enclave and no platform: it builds a policy (in code or from a
 * policy.conf file), then calls arca_verify_evidence(). The result code says exactly which
 * check failed (ARCA_ERR_VERIFY_*; ARCA_ERR_BAD_EVIDENCE for malformed input) and
 * arca_verify_last_error() says why in words. On success the claims — what the platform
 * vouches for — can be exported as JSON.
 *
 * Trust: evidence is accepted only under a platform certificate the policy pins
 * (TrustedPlatformCert); dev platforms are refused unless AllowDevPlatform, debug enclaves
 * unless AllowDebug. A policy must name the enclave: Measurement(s) or SignerID, and a
 * SignerID always with a ProductID (a signer alone would accept every product it signed).
 */
#ifndef ARCA_VERIFY_H
#define ARCA_VERIFY_H

#include <stddef.h>
#include <stdint.h>

#include "arca/identity.h"
#include "arca/result.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Platform kinds, as carried in evidence and claims. */
#define ARCA_PLATFORM_DEV 1
#define ARCA_PLATFORM_ARCAD 2

/** A verification policy; opaque. Immutable once built, so one policy may serve many threads. */
typedef struct arca_policy arca_policy_t;

/** What verified evidence says. */
typedef struct arca_claims {
    arca_identity_t identity;   /**< the enclave, as the platform measured it */
    uint16_t platform_kind;     /**< ARCA_PLATFORM_DEV, ... */
    uint8_t platform_id[32];    /**< SHA-256 of the platform certificate's SubjectPublicKeyInfo */
    uint8_t report_data[64];    /**< what the enclave bound into the evidence */
    uint64_t timestamp_ns;      /**< when the platform signed, unix nanoseconds */
} arca_claims_t;

/** Create an empty policy (accepts nothing until it names an enclave and a trusted platform). */
ARCA_MUST_CHECK arca_result_t arca_policy_create(arca_policy_t **out);
/** Free a policy (NULL is allowed). */
void arca_policy_free(arca_policy_t *policy);

/** Accept this measurement (repeatable: any listed one is accepted). */
arca_result_t arca_policy_add_measurement(arca_policy_t *policy, const uint8_t measurement[32]);
/**
 * Require this signer id (SHA-256 of the signer's SubjectPublicKeyInfo DER). The policy then
 * also needs arca_policy_set_product_id(), or arca_verify_evidence() fails with ARCA_ERR_POLICY.
 */
arca_result_t arca_policy_set_signer(arca_policy_t *policy, const uint8_t signer_id[32]);
/** Require this product id. */
arca_result_t arca_policy_set_product_id(arca_policy_t *policy, uint16_t product_id);
/** Require svn ≥ min_svn. */
arca_result_t arca_policy_set_min_svn(arca_policy_t *policy, uint16_t min_svn);
/** Accept debug enclaves (default: refuse, ARCA_ERR_VERIFY_DEBUG). */
arca_result_t arca_policy_set_allow_debug(arca_policy_t *policy, int allow);
/** Accept dev platforms (default: refuse, ARCA_ERR_VERIFY_DEV_PLATFORM). */
arca_result_t arca_policy_set_allow_dev_platform(arca_policy_t *policy, int allow);
/**
 * Pin a platform certificate (PEM or DER; repeatable). It is parsed and hashed now, so
 * verification matches the evidence's certificate by hash and runs one ECDSA verify.
 * @return ARCA_ERR_POLICY if it is not a P-256 X.509 certificate.
 */
arca_result_t arca_policy_add_trusted_cert(arca_policy_t *policy, const uint8_t *cert, size_t len);
/** Pin a platform certificate from a file (PEM or DER). */
arca_result_t arca_policy_add_trusted_cert_file(arca_policy_t *policy, const char *path);
/**
 * Require this report data. @p len ≤ 64; shorter values are compared zero-padded to 64
 * bytes (so a 32-byte nonce or hash matches report data that holds it followed by zeros).
 */
arca_result_t arca_policy_set_report_data(arca_policy_t *policy, const uint8_t *data, size_t len);
/** Refuse evidence older than @p seconds (0 = no limit, the default). */
arca_result_t arca_policy_set_max_age(arca_policy_t *policy, uint64_t seconds);
/** Tolerated clock skew for timestamps in the future (default 300 s). */
arca_result_t arca_policy_set_clock_skew(arca_policy_t *policy, uint64_t seconds);
/** Require this backend (ARCA_BACKEND_ID_*; 0 = any, the default). */
arca_result_t arca_policy_set_backend(arca_policy_t *policy, uint16_t backend);
/** Require all of these protection bits (ARCA_PROT_*; default 0 = none required). */
arca_result_t arca_policy_require_protections(arca_policy_t *policy, uint32_t protections);
/**
 * Verify as of this time (unix nanoseconds) instead of now: for re-checking archived
 * evidence, and for tests. 0 = now (the default).
 */
arca_result_t arca_policy_set_time(arca_policy_t *policy, uint64_t now_ns);

/**
 * Parse policy.conf text: `Key = value` lines, '#' comments, keys Measurement (hex,
 * repeatable), SignerID (hex), ProductID, MinSVN, AllowDebug (0/1), AllowDevPlatform (0/1),
 * TrustedPlatformCert (path, repeatable; relative paths resolve against @p base_dir),
 * ReportData (hex, ≤ 64 bytes), MaxAgeSeconds, ClockSkewSeconds, Backend (sim, process, ...),
 * RequireProtections (comma-separated names as `arca inspect` prints them).
 * @param[in] name      file name used in error messages ("NAME:LINE: ...")
 * @param[in] base_dir  directory for relative certificate paths (NULL = current directory)
 * @return ARCA_OK or ARCA_ERR_POLICY with the detail "NAME:LINE: what is wrong".
 */
ARCA_MUST_CHECK arca_result_t arca_policy_parse(const char *text, size_t len, const char *name,
                                                const char *base_dir, arca_policy_t **out);
/** Load a policy.conf file; relative certificate paths resolve against the file's directory. */
ARCA_MUST_CHECK arca_result_t arca_policy_load_file(const char *path, arca_policy_t **out);

/**
 * Verify evidence. Checks, in this order: format (ARCA_ERR_BAD_EVIDENCE), the policy is
 * complete (ARCA_ERR_POLICY), platform certificate pinned (…_PLATFORM_UNTRUSTED), signature
 * (…_SIGNATURE), dev platform (…_DEV_PLATFORM), debug (…_DEBUG), measurement
 * (…_MEASUREMENT), signer (…_SIGNER), product (…_PRODUCT), svn (…_SVN), report data
 * (…_REPORT_DATA), timestamp (…_FUTURE, …_EXPIRED), backend and protections (…_BACKEND).
 * @param[out] claims  filled on success only (zeroed on failure); may be NULL
 */
ARCA_MUST_CHECK arca_result_t arca_verify_evidence(const uint8_t *evidence, size_t len,
                                                   const arca_policy_t *policy,
                                                   arca_claims_t *claims);

/**
 * Write @p claims as one JSON object (NUL-terminated) into @p buf.
 * @param[out] needed  the bytes the JSON needs including the NUL (may be NULL)
 * @return ARCA_OK or ARCA_ERR_BUFFER_TOO_SMALL (with *needed set).
 */
arca_result_t arca_claims_to_json(const arca_claims_t *claims, char *buf, size_t cap,
                                  size_t *needed);

/** @return a detailed message about the last failure in this thread, or "". */
const char *arca_verify_last_error(void);

#ifdef __cplusplus
}
#endif
#endif /* ARCA_VERIFY_H */
