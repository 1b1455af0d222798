/*
 * seal.h — sealing: encrypt data so that only this enclave (ARCA_SEAL_ENCLAVE) or enclaves
 * of the same signer and product at this or a higher security version (ARCA_SEAL_SIGNER)
 * can decrypt it, on this platform. Enclave-side API (include after arca/enclave.h).
 *
 * Keys come from the platform, derived from the identity the loader measured; the enclave
 * never sees a root secret. Debug and production enclaves never share a key. A sealed blob
 * is self-describing (docs/formats.md, "Sealed blob"): any changed bit makes unseal fail.
 */
#ifndef ARCA_SEAL_H
#define ARCA_SEAL_H

#include <stddef.h>
#include <stdint.h>

#include "arca/result.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Seal to this enclave's measurement: only the identical image (same debug bit) can unseal. */
#define ARCA_SEAL_ENCLAVE 1
/** Seal to signer id + product id at this SVN: the same or a higher SVN can unseal. */
#define ARCA_SEAL_SIGNER 2

/** Largest additional data accepted by arca_seal (64 MiB). */
#define ARCA_SEAL_MAX_AAD (64u * 1024u * 1024u)
/** Largest plaintext accepted by arca_seal (64 GiB, the AES-GCM limit rounded down). */
#define ARCA_SEAL_MAX_PLAINTEXT (UINT64_C(64) << 30)

/**
 * Seal @p plaintext under the key of @p policy, binding @p aad (authenticated, not encrypted,
 * stored in the blob in the clear).
 * @param[in]  policy     ARCA_SEAL_ENCLAVE or ARCA_SEAL_SIGNER
 * @param[in]  aad        additional data, may be NULL when aad_len is 0
 * @param[in]  plaintext  data to protect, may be NULL when len is 0
 * @param[out] blob       new buffer with the sealed blob; free with arca_free_sealed()
 * @param[out] blob_len   its size
 * @return ARCA_OK, ARCA_ERR_INVALID_ARGUMENT (bad policy), ARCA_ERR_OVERFLOW (too large),
 *         ARCA_ERR_OUT_OF_MEMORY, ARCA_ERR_CRYPTO.
 */
ARCA_MUST_CHECK arca_result_t arca_seal(int policy, const void *aad, size_t aad_len,
                                        const void *plaintext, size_t len, uint8_t **blob,
                                        size_t *blob_len);

/**
 * Unseal a blob made by arca_seal. The caller's @p aad must equal the blob's exactly.
 * @param[out] plaintext  new buffer with the data; free with arca_free_secret()
 * @param[out] len        its size
 * @return ARCA_OK; ARCA_ERR_UNSEAL (wrong enclave/signer/debug mode, wrong aad, or any
 *         tampering); ARCA_ERR_SVN_TOO_NEW (sealed by a higher SVN of this signer);
 *         ARCA_ERR_BAD_FORMAT / ARCA_ERR_BAD_VERSION (not a sealed blob). On error the
 *         outputs are NULL/0.
 */
ARCA_MUST_CHECK arca_result_t arca_unseal(const uint8_t *blob, size_t blob_len, const void *aad,
                                          size_t aad_len, uint8_t **plaintext, size_t *len);

/**
 * The size arca_seal() gives a blob for @p aad_len bytes of additional data and @p
 * plaintext_len bytes of plaintext (the SGX SDK's sgx_calc_sealed_data_size), so a caller can
 * size storage before sealing.
 * @return the blob size, or 0 when either length is above ARCA_SEAL_MAX_AAD /
 *         ARCA_SEAL_MAX_PLAINTEXT (arca_seal would refuse it).
 */
size_t arca_sealed_size(size_t aad_len, size_t plaintext_len);

/**
 * What a blob declares, read without a key (sgx_get_add_mac_txt_len / sgx_get_encrypt_txt_len):
 * the lengths of its additional data and plaintext, and where its additional data lies inside
 * @p blob, so that a caller who does not know the AAD can pass it to arca_unseal(). Nothing
 * here is authenticated: trust the AAD (and the lengths) only once arca_unseal() succeeded with
 * it. Any output may be NULL.
 * @return ARCA_OK; ARCA_ERR_BAD_FORMAT / ARCA_ERR_BAD_VERSION (not a sealed blob, or its
 *         lengths disagree with @p blob_len); ARCA_ERR_INVALID_ARGUMENT (NULL blob).
 */
ARCA_MUST_CHECK arca_result_t arca_sealed_info(const uint8_t *blob, size_t blob_len,
                                               size_t *aad_len, size_t *plaintext_len,
                                               const uint8_t **aad);

/** Wipe and free a secret returned by arca_unseal (NULL is allowed). */
void arca_free_secret(void *p, size_t len);

/** Free a blob returned by arca_seal (NULL is allowed). */
void arca_free_sealed(uint8_t *blob);

#ifdef __cplusplus
}
#endif
#endif /* ARCA_SEAL_H */
