/*
 * attest.h — attestation evidence from inside an enclave. Enclave-side API (include after
 * arca/enclave.h).
 *
 * The platform signs what *it* knows of the enclave (the identity the loader measured,
 * plus backend and protections) together with 64 bytes the enclave chooses — typically a
 * verifier's nonce or the hash of a public key — so a relying party can bind a channel to
 * this enclave. Verify evidence with libarca_verify (arca/verify.h) or `arca verify`.
 */
#ifndef ARCA_ATTEST_H
#define ARCA_ATTEST_H

#include <stddef.h>
#include <stdint.h>

#include "arca/result.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Bytes of report data an enclave binds into its evidence. */
#define ARCA_REPORT_DATA_SIZE 64

/**
 * Ask the platform (through the host) for evidence about this enclave. The host is not
 * trusted: the reply is parsed and its identity and report data are checked to be this
 * enclave's own before it is returned. The signature is not checked here (that is the
 * relying party's job, and keeps this call cheap).
 * @param[in]  report_data  64 bytes to bind into the evidence
 * @param[out] evidence     new buffer with evidence v2 (docs/formats.md); free with
 *                          arca_free_evidence()
 * @param[out] len          its size
 * @return ARCA_OK; ARCA_ERR_BAD_HOST_REPLY (the host returned something that is not evidence
 *         about this enclave and these report data); ARCA_ERR_PLATFORM; ARCA_ERR_OUT_OF_MEMORY.
 */
ARCA_MUST_CHECK arca_result_t arca_get_evidence(const uint8_t report_data[ARCA_REPORT_DATA_SIZE],
                                                uint8_t **evidence, size_t *len);

/** Free evidence returned by arca_get_evidence (NULL is allowed). */
void arca_free_evidence(uint8_t *evidence);

#ifdef __cplusplus
}
#endif
#endif /* ARCA_ATTEST_H */
