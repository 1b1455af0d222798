/*
 * dcap_quote.h — the Intel DCAP ECDSA quote as bytes: v3 (SGX), v4 (SGX or TD 1.0) and v5
 * (SGX, TD 1.0 or TD 1.5 body, typed), with its signature data (attestation key, QE report,
 * QE authentication data, PCK certificate chain as certification data type 5, directly (v3)
 * or inside type 6 (v4, v5)).
 *
 * The parser only locates and bounds fields (pure, fuzzed: fuzz/hw); verification is
 * intel/dcap_verify.c. Layouts: Intel's sgx_quote_3.h, sgx_quote_4.h, sgx_quote_5.h.
 * Internal header: never installed.
 */
#ifndef ARCA_VERIFY_INTEL_DCAP_QUOTE_H
#define ARCA_VERIFY_INTEL_DCAP_QUOTE_H

#include <stddef.h>
#include <stdint.h>

#include "arca/result.h"

#define ARCA__DCAP_HEADER_SIZE 48
#define ARCA__DCAP_SGX_BODY_SIZE 384
#define ARCA__DCAP_TD10_BODY_SIZE 584
#define ARCA__DCAP_TD15_BODY_SIZE 648
#define ARCA__DCAP_TEE_SGX 0x00000000u
#define ARCA__DCAP_TEE_TDX 0x00000081u
#define ARCA__DCAP_ATT_KEY_ECDSA_P256 2
#define ARCA__DCAP_CERT_PCK_CHAIN 5
#define ARCA__DCAP_CERT_QE_REPORT 6
/** Intel's quoting enclave vendor id. */
extern const uint8_t arca__dcap_intel_qe_vendor[16];

typedef enum arca__dcap_body {
    ARCA__DCAP_BODY_SGX = 1,  /* sgx_report_body_t, 384 bytes */
    ARCA__DCAP_BODY_TD10 = 2, /* TD report body 1.0, 584 bytes */
    ARCA__DCAP_BODY_TD15 = 3, /* TD report body 1.5, 648 bytes */
} arca__dcap_body;

/** A parsed quote: pointers into the caller's buffer, which must outlive it. */
typedef struct arca__dcap_quote {
    uint16_t version;
    uint16_t att_key_type;
    uint32_t tee_type;
    uint16_t qe_svn, pce_svn;    /* v3 header */
    const uint8_t *qe_vendor_id; /* 16 */
    const uint8_t *user_data;    /* 20 */
    arca__dcap_body body_type;
    const uint8_t *body;
    size_t body_len;
    size_t signed_len;                  /* header || (v5: type, size ||) body */
    const uint8_t *signature;           /* 64: r || s over [0, signed_len) */
    const uint8_t *attestation_key;     /* 64: x || y on P-256 */
    const uint8_t *qe_report;           /* 384: sgx_report_body_t */
    const uint8_t *qe_report_signature; /* 64 */
    const uint8_t *qe_auth_data;
    size_t qe_auth_len;
    const uint8_t *pck_chain; /* certification data type 5: PEM text */
    size_t pck_chain_len;
    size_t total_len; /* bytes the quote occupies; anything after it is ignored */
} arca__dcap_quote;

/**
 * Parse a quote. Trailing bytes after the signature data are allowed (real quotes are padded)
 * and ignored; every length inside must add up exactly.
 * @return ARCA_ERR_BAD_EVIDENCE (malformed), ARCA_ERR_BAD_VERSION (not v3/v4/v5) or
 *         ARCA_ERR_UNSUPPORTED (a valid quote this verifier cannot check, e.g. another
 *         attestation key type or certification data without a PCK chain).
 */
arca_result_t arca__dcap_quote_parse(const uint8_t *bytes, size_t len, arca__dcap_quote *out);

/** 1 when @p bytes start like a DCAP quote (version 3..5, ECDSA key type, Intel QE id). */
int arca__dcap_quote_detect(const uint8_t *bytes, size_t len);

#endif
