/*
 * tee_claims.h — what verified hardware evidence says: one claims shape for every hardware
 * format libarca_verify accepts (Intel SGX DCAP quotes v3, and v4/v5 with an SGX body; Intel
 * TDX quotes v4 and v5; AMD SEV-SNP attestation reports v2, v3 and v5; each of the last two
 * also inside an Azure vTPM HCL report).
 *
 * The common fields (TEE, measurement, signer, product id, SVN, debug, report data, TCB status
 * and advisories, platform ids) are what policies compare; the raw TEE-specific fields below
 * them keep everything the hardware signed. arca_verify_evidence() fills them (arca_claims_t's
 * `tee`) only when every check passed, so every field was vouched for by the pinned root that
 * anchored the evidence. arca_claims_to_json() writes them as JSON
 * (docs/verifying-hardware-evidence.md, "Claims"). Included by arca/verify.h.
 */
#ifndef ARCA_TEE_CLAIMS_H
#define ARCA_TEE_CLAIMS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Evidence formats (arca_claims_t.format), recognised by their bytes. */
#define ARCA_EVIDENCE_ARCA 1       /**< Arca evidence v2 (arca_get_evidence) */
#define ARCA_EVIDENCE_DCAP_QUOTE 2 /**< an Intel SGX or TDX DCAP quote */
#define ARCA_EVIDENCE_SNP_REPORT 3 /**< an AMD SEV-SNP attestation report */
#define ARCA_EVIDENCE_AZURE_HCL 4  /**< an Azure vTPM HCL report (an SNP or TD report inside) */

#define ARCA_TEE_MAX_ADVISORIES 64
#define ARCA_TEE_ADVISORY_LEN 24 /**< "INTEL-SA-00615" and room to spare, NUL included */
#define ARCA_TEE_RUNTIME_DATA_MAX 8192

/** The hardware TEE that produced the evidence. */
typedef enum arca_tee {
    ARCA_TEE_NONE = 0,
    ARCA_TEE_SGX,
    ARCA_TEE_TDX,
    ARCA_TEE_SNP,
} arca_tee_t;

/** Intel's TCB statuses (TCB Info / QE Identity), plus "not evaluated" (no collateral, SNP). */
typedef enum arca_tcb_status {
    ARCA_TCB_NOT_EVALUATED = 0,
    ARCA_TCB_UP_TO_DATE,
    ARCA_TCB_SW_HARDENING_NEEDED,
    ARCA_TCB_CONFIGURATION_NEEDED,
    ARCA_TCB_CONFIGURATION_AND_SW_HARDENING_NEEDED,
    ARCA_TCB_OUT_OF_DATE,
    ARCA_TCB_OUT_OF_DATE_CONFIGURATION_NEEDED,
    ARCA_TCB_REVOKED,
} arca_tcb_status_t;

/** An SEV-SNP TCB_VERSION decoded with its generation's layout. */
typedef struct arca_snp_tcb {
    uint64_t raw;
    uint8_t fmc; /**< Turin and later only (0 before) */
    uint8_t bootloader, tee, snp, microcode;
} arca_snp_tcb_t;

/** The SGX enclave report body (sgx_report_body_t), as signed. */
typedef struct arca_sgx_body {
    uint8_t cpu_svn[16];
    uint32_t misc_select;
    uint8_t isv_ext_prod_id[16];
    uint8_t attributes[16]; /**< flags (u64 LE) then xfrm (u64 LE) */
    uint8_t mr_enclave[32];
    uint8_t mr_signer[32];
    uint8_t config_id[64];
    uint16_t isv_prod_id;
    uint16_t isv_svn;
    uint16_t config_svn;
    uint8_t isv_family_id[16];
    uint8_t report_data[64];
} arca_sgx_body_t;

/** The TD report body (TD 1.0; TD 1.5 adds the last two fields). */
typedef struct arca_tdx_body {
    uint8_t tee_tcb_svn[16];
    uint8_t mr_seam[48];
    uint8_t mr_signer_seam[48];
    uint8_t seam_attributes[8];
    uint8_t td_attributes[8];
    uint8_t xfam[8];
    uint8_t mr_td[48];
    uint8_t mr_config_id[48];
    uint8_t mr_owner[48];
    uint8_t mr_owner_config[48];
    uint8_t rtmr[4][48];
    uint8_t report_data[64];
    int td15; /**< the fields below are present */
    uint8_t tee_tcb_svn2[16];
    uint8_t mr_servicetd[48];
} arca_tdx_body_t;

/** What a DCAP quote says beside its body: header, quoting enclave, PCK certificate. */
typedef struct arca_dcap_info {
    uint16_t version;
    uint16_t att_key_type;
    uint32_t tee_type;  /**< 0 SGX, 0x81 TDX (v3: always 0) */
    uint16_t body_type; /**< v5: 1 SGX, 2 TD 1.0, 3 TD 1.5; v3/v4: what the body is */
    uint16_t qe_svn;    /**< v3 header only (0 otherwise) */
    uint16_t pce_svn;   /**< v3 header only (0 otherwise) */
    uint8_t qe_vendor_id[16];
    uint8_t user_data[20];
    uint8_t attestation_key[64];
    /* the quoting enclave's report, verified under the PCK certificate */
    uint8_t qe_mr_enclave[32];
    uint8_t qe_mr_signer[32];
    uint16_t qe_isv_prod_id;
    uint16_t qe_isv_svn;
    /* the PCK certificate's SGX extension */
    uint8_t ppid[16];
    uint8_t cpu_svn[16];
    uint8_t tcb_components[16];
    uint16_t pck_pce_svn;
    uint8_t pce_id[2];
    int sgx_type;
    int has_platform_instance_id;
    uint8_t platform_instance_id[16];
    char pck_issuer[64]; /**< "Intel SGX PCK Platform CA" or "... Processor CA" */
    /* TCB evaluation details (with collateral) */
    arca_tcb_status_t platform_status; /**< the matched TCB level's own status */
    arca_tcb_status_t qe_status;       /**< the QE identity level's status */
    arca_tcb_status_t module_status;   /**< TDX module identity level (TDX, module version > 0) */
} arca_dcap_info_t;

/** Every field of an SEV-SNP ATTESTATION_REPORT, plus what its certificate said. */
typedef struct arca_snp_report {
    uint32_t version;
    uint32_t guest_svn;
    uint64_t policy;
    uint8_t family_id[16];
    uint8_t image_id[16];
    uint32_t vmpl;
    uint32_t signature_algo;
    arca_snp_tcb_t current_tcb;
    uint64_t platform_info;
    uint32_t signer_info; /**< bit0 AUTHOR_KEY_EN, bit1 MASK_CHIP_KEY, bits 2-4 SIGNING_KEY */
    uint8_t report_data[64];
    uint8_t measurement[48];
    uint8_t host_data[32];
    uint8_t id_key_digest[48];
    uint8_t author_key_digest[48];
    uint8_t report_id[32];
    uint8_t report_id_ma[32];
    arca_snp_tcb_t reported_tcb;
    uint8_t cpuid_fam_id, cpuid_mod_id, cpuid_step; /**< v3 and later; 0 in v2 */
    uint8_t chip_id[64];
    arca_snp_tcb_t committed_tcb;
    uint8_t current_build, current_minor, current_major;
    uint8_t committed_build, committed_minor, committed_major;
    arca_snp_tcb_t launch_tcb;
    uint64_t launch_mit_vector;  /**< v5 and later; 0 before */
    uint64_t current_mit_vector; /**< v5 and later; 0 before */
    /* from the VCEK / VLEK */
    int vlek;         /**< signed by a VLEK (else a VCEK) */
    char product[32]; /**< the certificate's productName, e.g. "Milan-B0" */
    char csp_id[128]; /**< VLEK only: the cloud provider the VLEK was issued to */
    int turin_layout; /**< TCB fields decoded with Turin's layout */
} arca_snp_report_t;

/** What an Azure vTPM HCL report wrapper added. */
typedef struct arca_azure_hcl_info {
    uint32_t hcl_version;
    uint32_t report_type; /**< 2 SNP, 4 TDX */
    uint32_t hash_type;   /**< 1 SHA-256, 2 SHA-384, 3 SHA-512 */
    uint8_t runtime_data_hash[64];
    size_t runtime_data_hash_len;
    size_t runtime_data_len;
    char runtime_data[ARCA_TEE_RUNTIME_DATA_MAX + 1]; /**< the runtime claims JSON ("" if larger) */
} arca_azure_hcl_info_t;

/** Verified hardware evidence: the common shape, then the raw fields of its TEE. */
typedef struct arca_tee_claims {
    arca_tee_t tee;
    uint32_t evidence_version; /**< quote or report version */
    int wrapped_azure;         /**< the evidence was an Azure HCL report; see azure */
    int64_t verified_at;       /**< the verification time, unix seconds */
    uint8_t root_hash[32];     /**< SHA-256 of the pinned root certificate that anchored it */

    /* The common shape. */
    uint8_t measurement[48]; /**< MRENCLAVE (32) / MRTD (48) / SNP MEASUREMENT (48) */
    size_t measurement_len;
    int has_rtmr;
    uint8_t rtmr[4][48]; /**< TDX RTMR0..3 */
    uint8_t signer[48];  /**< MRSIGNER (32) / SNP ID_KEY_DIGEST (48, when an ID block was used) */
    size_t signer_len;   /**< 0: no signer (TDX; SNP launched without an ID block) */
    int has_product_id;
    uint16_t product_id; /**< SGX ISVPRODID */
    int has_svn;
    uint32_t svn; /**< SGX ISVSVN; SNP GUEST_SVN */
    int debug;    /**< SGX attributes DEBUG; TDX TUD.DEBUG; SNP policy DEBUG */
    uint8_t report_data[64];

    arca_tcb_status_t tcb_status; /**< Intel's converged status (NotEvaluated: no collateral, SNP) */
    size_t advisory_count;
    char advisories[ARCA_TEE_MAX_ADVISORIES][ARCA_TEE_ADVISORY_LEN];
    char tcb_date[32];        /**< the matched TCB level's tcbDate ("" if none) */
    uint32_t tcb_eval_number; /**< tcbEvaluationDataNumber (0 if none) */
    int collateral_used;      /**< TCB info / identity collateral was applied */

    int has_fmspc;
    uint8_t fmspc[6];
    int has_chip_id;
    uint8_t chip_id[64];
    size_t chip_id_len;

    /* Raw TEE-specific fields: sgx or tdx (with dcap) for Intel, snp for AMD. */
    arca_dcap_info_t dcap;
    arca_sgx_body_t sgx;
    arca_tdx_body_t tdx;
    arca_snp_report_t snp;
    arca_azure_hcl_info_t azure;
} arca_tee_claims_t;

/** "sgx", "tdx", "snp" ("none" for ARCA_TEE_NONE). Host side (libarca, libarca_verify). */
const char *arca_tee_name(arca_tee_t tee);
/** Intel's spelling ("UpToDate", ..., "Revoked"), or "NotEvaluated". Host side. */
const char *arca_tcb_status_name(arca_tcb_status_t status);

#ifdef __cplusplus
}
#endif
#endif /* ARCA_TEE_CLAIMS_H */
