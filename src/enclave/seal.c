/*
 * seal.c — arca_seal / arca_unseal inside the enclave: choose the policy key the platform
 * derived for this enclave (never a root secret), walk the SIGNER key tree down to an
 * older blob's SVN, and run the sealing core (src/formats/sealblob.c).
 *
 * The blob is hostile (it comes from host storage): it is copied into enclave memory
 * before it is parsed, so the host cannot change it between the checks and the
 * decryption. Keys derived here are wiped before returning; a failed unseal releases nothing.
 */
#include <stdlib.h>
#include <string.h>

#include "arca/enclave.h"
#include "arca/seal.h"
#include "crypto/crypto.h"
#include "base/error.h"
#include "formats/sealblob.h"
#include "runtime.h"

arca_result_t arca_seal(int policy, const void *aad, size_t aad_len, const void *plaintext, size_t len,
                        uint8_t **blob, size_t *blob_len)
{
    arca_result_t result = ARCA_OK;
    const struct arca__enclave_keys *keys = arca__enclave_keys();
    const arca_identity_t *self = arca__enclave_identity();

    if (!blob || !blob_len)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "arca_seal: NULL output");
    *blob = NULL;
    *blob_len = 0;
    if (!keys || !self)
        ARCA_RAISE(ARCA_ERR_INTERNAL, "arca_seal: called before the enclave was initialised");
    if (policy != ARCA_SEAL_ENCLAVE && policy != ARCA_SEAL_SIGNER)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT,
                   "arca_seal: policy %d is neither ARCA_SEAL_ENCLAVE nor ARCA_SEAL_SIGNER", policy);
    ARCA_CHECK(arca__seal_with_key(policy == ARCA_SEAL_ENCLAVE ? keys->enclave_key : keys->signer_key,
                                   (uint16_t)policy, self->svn, aad, aad_len, plaintext, len, blob,
                                   blob_len));
done:
    return result;
}

arca_result_t arca_unseal(const uint8_t *blob, size_t blob_len, const void *aad, size_t aad_len,
                          uint8_t **plaintext, size_t *len)
{
    arca_result_t result = ARCA_OK;
    const struct arca__enclave_keys *keys = arca__enclave_keys();
    const arca_identity_t *self = arca__enclave_identity();
    uint8_t *copy = NULL;
    uint8_t key[32];
    arca__sealblob parsed;

    if (!plaintext || !len)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "arca_unseal: NULL output");
    *plaintext = NULL;
    *len = 0;
    if (!blob && blob_len)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "arca_unseal: NULL blob with a length");
    if (!keys || !self)
        ARCA_RAISE(ARCA_ERR_INTERNAL, "arca_unseal: called before the enclave was initialised");
    /* Copy before checking: the caller's buffer may be host-visible memory. */
    copy = malloc(blob_len ? blob_len : 1);
    if (!copy)
        ARCA_RAISE(ARCA_ERR_OUT_OF_MEMORY, "arca_unseal: cannot copy a %zu-byte blob", blob_len);
    if (blob_len)
        memcpy(copy, blob, blob_len);
    ARCA_CHECK(arca__sealblob_parse(copy, blob_len, &parsed));
    if (parsed.policy == ARCA_SEAL_ENCLAVE) {
        memcpy(key, keys->enclave_key, sizeof key);
    } else {
        /* Only enclaves at the blob's SVN or above can walk the key tree down to its key. */
        ARCA_CHECK(arca__seal_svn_key(keys->signer_key, keys->has_lower ? keys->signer_lower : NULL,
                                      self->svn, parsed.svn, key));
    }
    ARCA_CHECK(arca__unseal_with_key(key, &parsed, aad, aad_len, plaintext, len));
done:
    arca__wipe(key, sizeof key);
    free(copy);
    return result;
}

void arca_free_secret(void *p, size_t len)
{
    if (!p)
        return;
    arca__wipe(p, len);
    free(p);
}

void arca_free_sealed(uint8_t *blob)
{
    free(blob);
}
