/*
 * verify_internal.h — the policy object shared by the verifier's files (Arca evidence and,
 * host side, hardware evidence: src/verify/hw/policy_tee.c), and the chain check.
 * Internal header: never installed.
 */
#ifndef ARCA_VERIFY_INTERNAL_H
#define ARCA_VERIFY_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "arca/verify.h"
#include "crypto/crypto.h"
#include "formats/evidence.h"

/* A pinned root certificate, parsed and hashed when the policy was built. */
struct arca__trusted_cert {
    uint8_t der_sha256[32];  /* SHA-256 of the certificate DER: what a chain's end is matched by */
    uint8_t spki_sha256[32]; /* SHA-256 of its SubjectPublicKeyInfo DER: the platform id */
    arca__ec_key *key;       /* its P-256 public key (the signing key of a chain of one) */
    uint16_t kind;           /* the platform kind it was pinned for (ARCA_PLATFORM_*) */
    uint8_t *der;            /* the certificate DER, for chains longer than one */
    size_t der_len;
};

struct arca__hw_verifier;

/*
 * What a policy requires of hardware evidence: policy.conf's TEE, SGX.*, TDX.*, SNP.*,
 * AllowTcbStatus, AllowAdvisories and TrustedRoot, parsed and checked host side by
 * src/verify/hw/policy_tee.c. All zero in a policy for Arca evidence (and always in the
 * enclave-side build, which refuses these keys).
 */
struct arca__policy_tee {
    arca_tee_t tee; /* the TEE required (TEE, or implied by a TEE's key); NONE: not hardware */
    uint8_t (*sgx_mrenclave)[32];
    size_t sgx_mrenclave_count;
    int has_sgx_mrsigner;
    uint8_t sgx_mrsigner[32];
    int has_sgx_prodid;
    uint16_t sgx_prodid;
    int has_sgx_min_isvsvn;
    uint16_t sgx_min_isvsvn;
    int has_tdx_mrtd;
    uint8_t tdx_mrtd[48];
    int has_tdx_rtmr[4];
    uint8_t tdx_rtmr[4][48];
    int has_tdx_min_tee_tcb_svn;
    uint8_t tdx_min_tee_tcb_svn[16];
    int has_snp_measurement;
    uint8_t snp_measurement[48];
    int has_snp_host_data;
    uint8_t snp_host_data[32];
    int has_snp_min_tcb;
    arca_snp_tcb_t snp_min_tcb; /* fmc applies to reports decoded with Turin's layout */
    uint32_t snp_vmpl_mask;     /* bit n: VMPL n accepted; 0 = the default, VMPL 0 only */
    uint32_t tcb_status_mask;   /* bit per arca_tcb_status_t; 0 = the default, UpToDate only */
    int allow_any_advisory;     /* AllowAdvisories = * */
    char (*advisories)[ARCA_TEE_ADVISORY_LEN];
    size_t advisory_count;
    size_t root_count;                  /* roots pinned explicitly (TrustedRoot) */
    struct arca__hw_verifier *verifier; /* roots, collateral, verified-chain cache */
};

struct arca_policy {
    uint8_t (*measurements)[32];
    size_t measurement_count;
    int has_signer;
    uint8_t signer_id[32];
    int has_product;
    uint16_t product_id;
    uint16_t min_svn;
    int allow_debug;
    int allow_dev_platform;
    int allow_simulation;
    struct arca__trusted_cert *certs;
    size_t cert_count;
    uint8_t (*runtimes)[32]; /* accepted runtime digests; none = not checked */
    size_t runtime_count;
    int has_report_data;
    uint8_t report_data[64];
    uint64_t max_age_s;     /* 0 = no limit */
    uint64_t clock_skew_s;  /* tolerance for timestamps in the future */
    uint16_t backend;       /* 0 = any */
    uint32_t protections;   /* required bits */
    uint64_t now_ns;        /* 0 = the real clock */
    struct arca__policy_tee tee; /* hardware evidence (all zero otherwise) */
};

#define ARCA__POLICY_DEFAULT_SKEW 300u
#define ARCA__POLICY_MAX_SKEW 3600u
#define ARCA__POLICY_MAX_MEASUREMENTS 4096u
#define ARCA__POLICY_MAX_RUNTIMES 256u
#define ARCA__POLICY_MAX_CERTS 256u

/**
 * 1 when @p policy has a requirement only Arca evidence can meet (an enclave identity, a
 * platform pin or permission, a maximum age, a backend, protections, a runtime).
 */
static inline int arca__policy_has_arca_keys(const arca_policy_t *p)
{
    return p->measurement_count || p->has_signer || p->has_product || p->min_svn ||
           p->allow_dev_platform || p->allow_simulation || p->cert_count || p->runtime_count ||
           p->max_age_s || p->backend || p->protections;
}

/*
 * Hardware policy keys (host side: src/verify/hw/policy_tee.c, built into libarca_verify and
 * libarca only, where ARCA_VERIFY_HW is defined).
 */
/** Apply hardware key @p key = @p value (line @p line of @p name); ARCA_ERR_POLICY names it. */
arca_result_t arca__policy_tee_apply(arca_policy_t *policy, const char *key, const char *value,
                                     const char *name, unsigned line, const char *base_dir)
    __attribute__((warn_unused_result));
/**
 * The hardware policy is complete: it names the identity of its TEE (SGX.MRENCLAVE or
 * SGX.MRSIGNER + SGX.ISVPRODID, TDX.MRTD, SNP.Measurement) and demands freshness (report
 * data). @p prefix starts the message ("NAME: " or ""). @return ARCA_OK or ARCA_ERR_POLICY.
 */
arca_result_t arca__policy_tee_check(const arca_policy_t *policy, const char *prefix)
    __attribute__((warn_unused_result));
/** Free what the hardware part of a policy holds. */
void arca__policy_tee_clear(struct arca__policy_tee *tee);

/** "dev", "arcad" or "unknown". */
const char *arca__platform_kind_name(uint16_t kind);

/**
 * arca_policy_add_trusted_root() with the certificate (PEM or DER) read from @p path: what
 * TrustedPlatformCert (dev) and TrustedArcadRoot (arcad) pin.
 * @return ARCA_ERR_POLICY naming the file when it cannot be read or is not a P-256 certificate.
 */
arca_result_t arca__policy_add_root_file(arca_policy_t *policy, uint16_t platform_kind,
                                         const char *path) __attribute__((warn_unused_result));

/**
 * The evidence's certificate chain (leaf first) must end at a root @p policy pinned and, when
 * longer than one, verify as X.509 up to it at @p now_s. On success *root is the pinned entry,
 * and the leaf's key and SPKI hash are returned: for a chain of one they are the root's own
 * (*owned_leaf = NULL); otherwise *owned_leaf is a new key the caller frees.
 * @return ARCA_OK or ARCA_ERR_VERIFY_PLATFORM_UNTRUSTED with a detail.
 */
arca_result_t arca__verify_chain(const arca_policy_t *policy, const arca__evidence *ev,
                                 int64_t now_s, const struct arca__trusted_cert **root,
                                 arca__ec_key **owned_leaf, uint8_t leaf_spki[32])
    __attribute__((warn_unused_result));

#endif
