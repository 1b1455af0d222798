/*
 * fuzz_ec_pkcs8.c — fuzzes arca__ec_from_pkcs8_pem (src/crypto/crypto_ec.c), which walks the
 * PKCS#8 / ECPrivateKey ASN.1 of a PEM key by hand (so that no copy of the private scalar is
 * left in freed memory): hostile PEM text and DER inside it. Whatever is accepted must be a
 * usable P-256 key; a refusal must be ARCA_ERR_KEY with no key returned; OpenSSL's error queue
 * must be empty after every call. The public half is a fixed key, so an accepted private key
 * that does not belong to it is what arca__ec_check_pair() must then refuse.
 * Input: raw bytes, tried as given and wrapped in PEM armour (base64 of the input).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>

#include "crypto/crypto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static arca__ec_key *fixed_public(void)
{
    static arca__ec_key *key;
    if (!key && arca__ec_generate(&key) != ARCA_OK)
        abort();
    return key;
}

static void try_pem(const void *pem, size_t len)
{
    arca__ec_key *key = NULL;
    arca_result_t r = arca__ec_from_pkcs8_pem(pem, len, "fuzz", fixed_public(), &key);
    if (ERR_peek_error() != 0)
        abort();
    if (r != ARCA_OK) {
        if (key != NULL || r != ARCA_ERR_KEY)
            abort();
        return;
    }
    uint8_t sig[ARCA_ECDSA_SIG_SIZE];
    if (!key || arca__ec_sign(key, "fuzz", 4, sig) != ARCA_OK)
        abort();
    (void)arca__ec_check_pair(key); /* either answer; it must not crash or leave errors */
    if (ERR_peek_error() != 0)
        abort();
    arca__ec_free(key);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 8192)
        return 0;
    try_pem(data, size);
    /* The same bytes as the DER inside a PEM armour, to reach the ASN.1 walk often. */
    static const char head[] = "-----BEGIN PRIVATE KEY-----\n", tail[] = "\n-----END PRIVATE KEY-----\n";
    size_t b64 = 4 * ((size + 2) / 3) + 1;
    char *pem = malloc(sizeof head + b64 + sizeof tail);
    if (!pem)
        return 0;
    memcpy(pem, head, sizeof head - 1);
    int n = EVP_EncodeBlock((unsigned char *)pem + sizeof head - 1, data, (int)size);
    memcpy(pem + sizeof head - 1 + n, tail, sizeof tail);
    try_pem(pem, sizeof head - 1 + (size_t)n + sizeof tail - 1);
    free(pem);
    return 0;
}
