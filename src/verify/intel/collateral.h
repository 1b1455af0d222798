/*
 * collateral.h — Intel DCAP collateral as data: TCB Info (v2, v3; SGX and TDX), enclave
 * identities (QE, TD_QE; v2), and the documents they arrive in (Intel PCS responses
 * {"tcbInfo": ..., "signature": ...}, and the one-file bundle dcap-qvl writes, with issuer
 * chains and CRLs inside).
 *
 * Parsing never trusts: every document is parsed whole with json-c, every field is checked
 * for type, size and range, and the exact signed bytes are kept so that the signature can
 * be checked later (intel/dcap_verify.c) before anything parsed here is used.
 * Internal header: never installed.
 */
#ifndef ARCA_VERIFY_INTEL_COLLATERAL_H
#define ARCA_VERIFY_INTEL_COLLATERAL_H

#include <stddef.h>
#include <stdint.h>

#include "arca/result.h"
#include "verify/hw_claims.h"

/** Largest collateral document accepted (a real TDX TCB Info is ~20 KiB). */
#define ARCA__INTEL_COLLATERAL_MAX (1024u * 1024u)
#define ARCA__INTEL_MAX_LEVELS 256

/** One TCB level (of TCB Info, a TDX module identity or an enclave identity). */
typedef struct arca__intel_level {
    uint8_t sgx_comp[16]; /* TCB Info */
    uint16_t pce_svn;     /* TCB Info */
    int has_tdx;
    uint8_t tdx_comp[16]; /* TCB Info v3, TDX */
    uint16_t isv_svn;     /* identities and TDX modules */
    arca__tcb_status status;
    char date[32];
    size_t advisory_count;
    char (*advisories)[ARCA__HW_ADVISORY_LEN];
} arca__intel_level;

/** tdxModule, or one entry of tdxModuleIdentities. */
typedef struct arca__intel_module {
    char id[16]; /* "TDX_01", ... ("" for tdxModule) */
    uint8_t mrsigner[48];
    uint8_t attributes[8];
    uint8_t attributes_mask[8];
    arca__intel_level *levels;
    size_t level_count;
} arca__intel_module;

/** What every signed collateral document has: its exact signed bytes, signature and dates. */
typedef struct arca__intel_signed {
    char *text; /* the exact signed bytes */
    size_t text_len;
    uint8_t signature[64]; /* r || s over text, by Intel SGX TCB Signing */
    int version;
    int64_t issue_date, next_update;
    uint32_t eval_number; /* tcbEvaluationDataNumber */
} arca__intel_signed;

typedef struct arca__intel_tcb_info {
    arca__intel_signed doc; /* version 2 or 3 */
    int tdx;                /* id "TDX" (else "SGX") */
    uint8_t fmspc[6];
    uint8_t pce_id[2];
    arca__intel_level *levels;
    size_t level_count;
    int has_tdx_module;
    arca__intel_module tdx_module;
    arca__intel_module *modules;
    size_t module_count;
} arca__intel_tcb_info;

typedef struct arca__intel_identity {
    arca__intel_signed doc; /* version 2 */
    char id[16];            /* "QE", "TD_QE", "QVE" */
    uint32_t miscselect, miscselect_mask;
    uint8_t attributes[16], attributes_mask[16];
    uint8_t mrsigner[32];
    uint16_t isv_prod_id;
    arca__intel_level *levels;
    size_t level_count;
} arca__intel_identity;

/** A blob a collateral document carried: PEM certificates or a DER CRL. */
typedef struct arca__intel_blob {
    uint8_t *bytes;
    size_t len;
    int is_crl;
} arca__intel_blob;

/** Everything one collateral JSON document held. */
typedef struct arca__intel_doc {
    arca__intel_tcb_info *tcb_info;
    arca__intel_identity *identity;
    arca__intel_blob blobs[8];
    size_t blob_count;
} arca__intel_doc;

/**
 * Parse a collateral JSON document (a PCS TCB Info or enclave identity response, or a
 * dcap-qvl collateral bundle). @return ARCA_ERR_NOT_FOUND when the bytes are not JSON of a
 * kind this knows (the caller tries other kinds), ARCA_ERR_BAD_FORMAT when they are but are
 * malformed, ARCA_ERR_BAD_VERSION for unsupported versions.
 */
arca_result_t arca__intel_doc_parse(const uint8_t *bytes, size_t len, const char *name,
                                    arca__intel_doc *out);
/** Free what a document holds (the struct itself is the caller's). */
void arca__intel_doc_clear(arca__intel_doc *doc);

/** Parse TCB Info JSON text (the value of "tcbInfo"); @p signature is r || s. */
arca_result_t arca__intel_tcb_info_parse(const char *text, size_t len, const uint8_t signature[64],
                                         const char *name, arca__intel_tcb_info **out);
void arca__intel_tcb_info_free(arca__intel_tcb_info *info);
/** Parse enclave identity JSON text (the value of "enclaveIdentity"). */
arca_result_t arca__intel_identity_parse(const char *text, size_t len, const uint8_t signature[64],
                                         const char *name, arca__intel_identity **out);
void arca__intel_identity_free(arca__intel_identity *identity);

/** "2025-06-19T10:56:11Z" (optionally with fractional seconds) to unix seconds; -1 on error. */
int arca__intel_parse_date(const char *text, int64_t *out);

#endif
