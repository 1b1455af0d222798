/*
 * fuzz_ec_public_der.c — fuzzes the SubjectPublicKeyInfo DER parser and ECDSA verify with
 * hostile bytes: input = 64-byte raw r||s signature, then the DER. Whatever parses must
 * re-export as a P-256 key that parses again, and verify must only ever answer OK or
 * BAD_SIGNATURE. OpenSSL's error queue must be empty after every call.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>

#include "crypto/crypto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t sig[ARCA_ECDSA_SIG_SIZE] = {0};
    uint8_t der[ARCA_EC_PUBKEY_DER_MAX];
    size_t der_len = 0;
    arca__ec_key *key = NULL, *again = NULL;

    if (size >= sizeof sig) {
        memcpy(sig, data, sizeof sig);
        data += sizeof sig;
        size -= sizeof sig;
    }
    arca_result_t r = arca__ec_from_public_der(data, size, &key);
    if (ERR_peek_error() != 0)
        abort();
    if (r != ARCA_OK) {
        if (key != NULL || r != ARCA_ERR_KEY)
            abort();
        return 0;
    }
    if (arca__ec_public_der(key, der, sizeof der, &der_len) != ARCA_OK ||
        arca__ec_from_public_der(der, der_len, &again) != ARCA_OK)
        abort();
    r = arca__ec_verify(again, "arca fuzz", 9, sig);
    if ((r != ARCA_OK && r != ARCA_ERR_BAD_SIGNATURE) || ERR_peek_error() != 0)
        abort();
    arca__ec_free(again);
    arca__ec_free(key);
    return 0;
}
