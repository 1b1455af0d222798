/*
 * verify.h — checking attestation evidence against a policy (libarca_verify).
 *
 * A relying party needs no enclave and no platform: it builds a policy (in code or from a
 * policy.conf file), then calls arca_verify_evidence(). The result code says exactly which
 * check failed (ARCA_ERR_VERIFY_*; ARCA_ERR_BAD_EVIDENCE for malformed input) and
 * arca_verify_last_error() says why in words. On success the claims — what the platform
 * vouches for — can be exported as JSON.
 *
 * Trust: evidence is accepted only when its certificate chain ends at a root the policy pins,
 * and each pin says which kind of platform it vouches for (TrustedPlatformCert pins a dev
 * platform's certificate, TrustedArcadRoot the root of arcad daemons). The platform kind is
 * decided by that pin and by the signed evidence, never by a certificate's subject text: dev
 * platforms are refused unless AllowDevPlatform, debug enclaves unless AllowDebug, enclaves on
 * a backend that does not isolate them (sim) unless AllowSimulation, and protection sets that
 * cannot hold together always. A policy must name the enclave: Measurement(s) or SignerID,
 * and a SignerID always with a ProductID (a signer alone would accept every product it
 * signed); and it must demand freshness: ReportData (a nonce) or MaxAgeSeconds, or both.
 *
 * Hardware evidence (host side): the same call verifies Intel SGX and TDX DCAP quotes, AMD
 * SEV-SNP reports and Azure vTPM HCL reports, recognised by their bytes, offline, with the
 * collateral given to the policy (arca_policy_add_collateral*) and under the vendor roots it
 * pins (TrustedRoot; the shipped roots when none), as of a time the caller may choose
 * (arca_verify_evidence_at). Such a policy names a TEE and its identity (TEE, SGX.*, TDX.*,
 * SNP.*; docs/verifying-hardware-evidence.md) and demands freshness with ReportData or a nonce:
 * hardware reports carry no signed time. One policy verifies one kind of evidence: keys of
 * Arca evidence and of hardware evidence do not mix. The claims of hardware evidence are in
 * arca_claims_t.tee (arca/tee_claims.h).
 */
#ifndef ARCA_VERIFY_H
#define ARCA_VERIFY_H

#include <stddef.h>
#include <stdint.h>

#include "arca/identity.h"
#include "arca/result.h"
#include "arca/tee_claims.h"

#ifdef __cplusplus
extern "C" {
#endif

/** A verification policy; opaque. Immutable once built, so one policy may serve many threads. */
typedef struct arca_policy arca_policy_t;

/**
 * What verified evidence says. For Arca evidence (format ARCA_EVIDENCE_ARCA) the fields from
 * identity to runtime_digest; for hardware evidence `tee`, and report_data (the TEE's), the
 * others zero.
 */
typedef struct arca_claims {
    arca_identity_t identity;   /**< the enclave, as the platform measured it */
    uint16_t platform_kind;     /**< ARCA_PLATFORM_DEV, ... */
    uint8_t platform_id[32];    /**< SHA-256 of the platform certificate's SubjectPublicKeyInfo */
    uint8_t report_data[64];    /**< what the enclave bound into the evidence */
    uint64_t timestamp_ns;      /**< when the platform signed, unix nanoseconds */
    uint8_t runtime_digest[32]; /**< SHA-256 naming the runtime that ran the image (the loader
                                     and the shared libraries it mapped); all zero = not said */
    uint16_t format;            /**< ARCA_EVIDENCE_ARCA, _DCAP_QUOTE, _SNP_REPORT, _AZURE_HCL */
    arca_tee_claims_t tee;      /**< hardware evidence: what the TEE vouches for (zero for Arca
                                     evidence) */
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
 * Accept enclaves that ran on a backend that does not isolate them from their host (sim, or
 * a backend id this build does not know). Default: refuse, ARCA_ERR_VERIFY_SIMULATION.
 */
arca_result_t arca_policy_set_allow_simulation(arca_policy_t *policy, int allow);
/**
 * Pin a root certificate (PEM or DER; repeatable) for one kind of platform: evidence is
 * accepted only when its certificate chain (leaf first) ends at a pinned root, and only when
 * the evidence's platform kind is the kind the root was pinned for. A chain of one is the
 * root itself (the dev platform's self-signed certificate). The root is parsed and hashed
 * now, so a chain of one costs a hash and one ECDSA verify.
 * @param[in] platform_kind  ARCA_PLATFORM_DEV or ARCA_PLATFORM_ARCAD
 * @return ARCA_ERR_POLICY if it is not a P-256 X.509 certificate or the kind is unknown.
 */
arca_result_t arca_policy_add_trusted_root(arca_policy_t *policy, uint16_t platform_kind,
                                           const uint8_t *cert, size_t len);
/**
 * Pin a dev platform's certificate (PEM or DER; repeatable), as `arca platform info` prints
 * its path: arca_policy_add_trusted_root(policy, ARCA_PLATFORM_DEV, cert, len).
 * @return ARCA_ERR_POLICY if it is not a P-256 X.509 certificate.
 */
arca_result_t arca_policy_add_trusted_cert(arca_policy_t *policy, const uint8_t *cert, size_t len);
/** Pin a dev platform's certificate from a file (PEM or DER). */
arca_result_t arca_policy_add_trusted_cert_file(arca_policy_t *policy, const char *path);
/**
 * Accept this runtime digest (repeatable: any listed one is accepted). Without any, the
 * runtime is not checked. An all-zero digest (evidence whose launcher did not name its
 * runtime) cannot be pinned. @return ARCA_ERR_POLICY for an all-zero digest.
 */
arca_result_t arca_policy_add_runtime_digest(arca_policy_t *policy, const uint8_t digest[32]);
/**
 * Require this report data. @p len ≤ 64; shorter values are compared zero-padded to 64
 * bytes (so a 32-byte nonce or hash matches report data that holds it followed by zeros).
 */
arca_result_t arca_policy_set_report_data(arca_policy_t *policy, const uint8_t *data, size_t len);
/**
 * Refuse evidence older than @p seconds (0 = no limit, the default). A policy needs this or
 * arca_policy_set_report_data() (a nonce): with neither, verification fails with
 * ARCA_ERR_POLICY, since evidence of any age (a replay, or a timestamp of 1970) would pass.
 */
arca_result_t arca_policy_set_max_age(arca_policy_t *policy, uint64_t seconds);
/**
 * Tolerated clock skew for timestamps in the future (default 300 s, at most 3600 s).
 * @return ARCA_ERR_POLICY above 3600 s.
 */
arca_result_t arca_policy_set_clock_skew(arca_policy_t *policy, uint64_t seconds);
/** Require this backend (ARCA_BACKEND_ID_*; 0 = any, the default). */
arca_result_t arca_policy_set_backend(arca_policy_t *policy, uint16_t backend);
/** Require all of these protection bits (ARCA_PROT_*; default 0 = none required). */
arca_result_t arca_policy_require_protections(arca_policy_t *policy, uint32_t protections);
/**
 * Verify as of this time (unix nanoseconds) instead of now: for re-checking archived
 * evidence, and for tests. 0 = now (the default). arca_verify_evidence_at() overrides it
 * per call.
 */
arca_result_t arca_policy_set_time(arca_policy_t *policy, uint64_t now_ns);
/**
 * Pin a hardware vendor root for hardware evidence (policy.conf TrustedRoot; repeatable): the
 * Intel SGX Root CA, or an AMD ARK (Milan, Genoa, Turin); PEM (one or more) or DER, each a
 * self-signed CA. Hardware evidence is accepted only when its chain ends at a pinned root.
 * Without any, the roots shipped in PREFIX/share/arca/roots are pinned (their AMD ASKs and
 * ASVKs serve as intermediates). Host side only.
 * @return ARCA_ERR_POLICY with the reason (not a certificate, not self-signed, not a CA).
 */
arca_result_t arca_policy_add_tee_root(arca_policy_t *policy, const uint8_t *cert, size_t len);
/** arca_policy_add_tee_root() from a file. */
arca_result_t arca_policy_add_tee_root_file(arca_policy_t *policy, const char *path);
/**
 * Give collateral for hardware evidence: Intel PCS TCB Info and QE identity responses, a
 * dcap-qvl collateral bundle, certificates (PEM or DER: VCEK/VLEK, ASK/ASVK, issuer chains),
 * CRLs, or a TD quote for an Azure TDX HCL report; each item is recognised by its content and
 * named @p name in messages. Collateral is data: nothing in it is believed before its signature
 * and chain verify under a pinned root. With Intel collateral the TCB is evaluated and CRLs
 * become mandatory for Intel chains. Add collateral before the policy's first use; a service
 * refreshing collateral builds a new policy. Host side only.
 * @return ARCA_OK, or the result naming what is wrong with the item (ARCA_ERR_BAD_FORMAT, ...).
 */
arca_result_t arca_policy_add_collateral(arca_policy_t *policy, const uint8_t *bytes, size_t len,
                                         const char *name);
/** arca_policy_add_collateral() for a file, or every regular file of a directory (by name). */
arca_result_t arca_policy_add_collateral_path(arca_policy_t *policy, const char *path);

/**
 * Parse policy.conf text: `Key = value` lines, '#' comments, keys Measurement (hex,
 * repeatable), SignerID (hex), ProductID, MinSVN, AllowDebug (0/1), AllowDevPlatform (0/1),
 * AllowSimulation (0/1), TrustedPlatformCert (a dev platform's certificate: path, repeatable;
 * relative paths resolve against @p base_dir), TrustedArcadRoot (the root arcad daemons'
 * chains end at, e.g. a state directory's root-cert.pem: path, repeatable, as
 * arca_policy_add_trusted_root(policy, ARCA_PLATFORM_ARCAD, ...)), ReportData (hex, ≤ 64
 * bytes), MaxAgeSeconds, ClockSkewSeconds, Backend (sim, process, ...), RequireProtections
 * (comma-separated names as `arca inspect` prints them), RuntimeDigest (hex, repeatable). The text must name the
 * enclave and demand freshness (ReportData or MaxAgeSeconds); `Backend = sim` needs
 * `AllowSimulation = 1`.
 * Hardware evidence (host side): TEE (sgx, tdx, snp), SGX.MRENCLAVE (hex, repeatable),
 * SGX.MRSIGNER with SGX.ISVPRODID, SGX.MinISVSVN, TDX.MRTD, TDX.RTMR0..3, TDX.MinTeeTcbSvn,
 * SNP.Measurement, SNP.HostData, SNP.MinTCB, SNP.AllowVMPL, AllowTcbStatus, AllowAdvisories,
 * TrustedRoot (path, repeatable), with AllowDebug and ReportData; such a policy must name its
 * TEE's identity and demand freshness with ReportData (or a nonce). Keys of another TEE than
 * the policy's, and keys of Arca evidence, are contradictions, refused naming both lines.
 * @param[in] name      file name used in error messages ("NAME:LINE: ...")
 * @param[in] base_dir  directory for relative certificate paths (NULL = current directory)
 * @return ARCA_OK or ARCA_ERR_POLICY with the detail "NAME:LINE: what is wrong".
 */
ARCA_MUST_CHECK arca_result_t arca_policy_parse(const char *text, size_t len, const char *name,
                                                const char *base_dir, arca_policy_t **out);
/** Load a policy.conf file; relative certificate paths resolve against the file's directory. */
ARCA_MUST_CHECK arca_result_t arca_policy_load_file(const char *path, arca_policy_t **out);
/**
 * Load a policy.conf file whose expected report data comes from the caller — typically the
 * nonce it just sent to the enclave (`arca verify --nonce`) — instead of a ReportData line,
 * which the file must then not have. The nonce counts as the policy's freshness.
 * @param[in] nonce  1 to 64 bytes, compared zero-padded to 64 (as ReportData)
 * @return ARCA_ERR_POLICY also when the file sets ReportData itself.
 */
ARCA_MUST_CHECK arca_result_t arca_policy_load_file_with_nonce(const char *path,
                                                               const uint8_t *nonce,
                                                               size_t nonce_len,
                                                               arca_policy_t **out);

/**
 * Verify evidence. The format is recognised from the bytes (ARCA_ERR_BAD_EVIDENCE when no
 * format this build verifies claims them). Arca evidence: the checks run in this order: format
 * (ARCA_ERR_BAD_EVIDENCE; evidence v1 is refused), the policy is for Arca evidence
 * (ARCA_ERR_VERIFY_BACKEND when it is a hardware policy) and complete (ARCA_ERR_POLICY: names
 * an enclave, pairs a signer with a product, demands freshness), the certificate chain ends at
 * a pinned root and verifies (…_PLATFORM_UNTRUSTED), signature (…_SIGNATURE), dev platform
 * (…_DEV_PLATFORM; a platform kind other than the root's is ARCA_ERR_BAD_EVIDENCE),
 * non-isolating backend (…_SIMULATION), contradictory protections (…_PROTECTIONS), debug
 * (…_DEBUG), measurement (…_MEASUREMENT), signer (…_SIGNER), product (…_PRODUCT), svn (…_SVN),
 * runtime digest (…_RUNTIME), report data (…_REPORT_DATA), timestamp (…_FUTURE, …_EXPIRED),
 * backend and required protections (…_BACKEND).
 * Hardware evidence (host side): the policy is a hardware policy (…_VERIFY_BACKEND otherwise)
 * and complete (ARCA_ERR_POLICY: a TEE identity, freshness by report data), the offline
 * verification (chain to a pinned root, signatures, collateral, TCB evaluation at the
 * verification time: ARCA_ERR_BAD_CHAIN, _UNTRUSTED_ROOT, _CERT_EXPIRED, _COLLATERAL_*, ...,
 * docs/verifying-hardware-evidence.md), then the policy: TEE (…_BACKEND), debug (…_DEBUG),
 * measurements, RTMRs and host data (…_MEASUREMENT), MRSIGNER (…_SIGNER), ISVPRODID
 * (…_PRODUCT), minimum SVNs and TCB components (…_SVN), VMPL (…_BACKEND), TCB status and
 * advisories (ARCA_ERR_TCB_STATUS), report data (…_REPORT_DATA).
 * @param[out] claims  filled on success only (zeroed on failure); may be NULL
 */
ARCA_MUST_CHECK arca_result_t arca_verify_evidence(const uint8_t *evidence, size_t len,
                                                   const arca_policy_t *policy,
                                                   arca_claims_t *claims);
/**
 * arca_verify_evidence() as of @p at_ns (unix nanoseconds; 0 = the policy's time, else now)
 * instead of the policy's time: certificates, CRLs and collateral of hardware evidence, and
 * the timestamp of Arca evidence, are judged at that time (claims->tee.verified_at says it).
 * For re-checking archived evidence with one shared policy.
 */
ARCA_MUST_CHECK arca_result_t arca_verify_evidence_at(const uint8_t *evidence, size_t len,
                                                      const arca_policy_t *policy,
                                                      uint64_t at_ns, arca_claims_t *claims);
/**
 * A verification time for arca_verify_evidence_at(): RFC 3339 in UTC ("2025-06-20T00:00:00Z",
 * fractional seconds allowed) or unix seconds ("1750377600"), as unix nanoseconds. Host side.
 * @return ARCA_ERR_INVALID_ARGUMENT for anything else, or a time not after 1970.
 */
arca_result_t arca_verify_parse_time(const char *text, uint64_t *at_ns);
/** The format of @p evidence as this build recognises it (ARCA_EVIDENCE_*), or 0. */
uint16_t arca_evidence_detect(const uint8_t *evidence, size_t len);
/** "arca-evidence", "dcap-quote", "snp-report", "azure-hcl-report", or "unknown". */
const char *arca_evidence_format_name(uint16_t format);

/**
 * Write @p claims as one JSON object (NUL-terminated) into @p buf: Arca evidence's fields, or
 * for hardware evidence its claims shape (docs/verifying-hardware-evidence.md, "Claims").
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
