/*
 * static_crypto_enclave.c — an enclave that links OpenSSL's static libcrypto.a (arca_add_enclave
 * LIBS /usr/lib/.../libcrypto.a) and computes SHA3-256 and an HMAC-SHA-256 with it, for
 * test_image_static_crypto: its calls into OpenSSL must bind to the copy inside the (measured)
 * image, not to the runtime's libcrypto.so.3, and that copy must work inside the sandbox.
 *
 * A static copy initialises itself on first use, and by default that reads the host's
 * openssl.cnf: host-controlled input that can load provider modules (code the measurement does
 * not cover), and a file open that the process backend's sandbox kills the enclave for. So the
 * init hook initialises it first without a configuration file, as every enclave that links
 * libcrypto.a must.
 */
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <string.h>

#include "arca/enclave.h"

/* in: message; out: SHA3-256(message) ‖ HMAC-SHA-256(key = "key", message). */
static arca_result_t digests(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap,
                             size_t *out_len)
{
    unsigned int sha3_len = 0, hmac_len = 0;
    *out_len = 64;
    if (out_cap < 64)
        return ARCA_ERR_BUFFER_TOO_SMALL;
    if (!EVP_Digest(in, in_len, out, &sha3_len, EVP_sha3_256(), NULL) || sha3_len != 32)
        return ARCA_ERR_CRYPTO;
    if (!HMAC(EVP_sha256(), "key", 3, in, in_len, out + 32, &hmac_len) || hmac_len != 32)
        return ARCA_ERR_CRYPTO;
    return ARCA_OK;
}

/* out: OpenSSL_version(OPENSSL_VERSION) of the copy the enclave calls. */
static arca_result_t version(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap,
                             size_t *out_len)
{
    const char *v = OpenSSL_version(OPENSSL_VERSION);
    (void)in, (void)in_len;
    *out_len = strlen(v);
    if (out_cap < *out_len)
        return ARCA_ERR_BUFFER_TOO_SMALL;
    memcpy(out, v, *out_len);
    return ARCA_OK;
}

static arca_result_t init(void)
{
    return OPENSSL_init_crypto(OPENSSL_INIT_NO_LOAD_CONFIG | OPENSSL_INIT_NO_ATEXIT, NULL)
               ? ARCA_OK
               : ARCA_ERR_CRYPTO;
}

/* The static copy of OpenSSL lives inside the image: when the image is unloaded (sim), its
 * global state must go with it (NO_ATEXIT above: no handler into unmapped code). */
static void fini(void)
{
    OPENSSL_cleanup();
}

ARCA_ENCLAVE_INIT(init);
ARCA_ENCLAVE_FINI(fini);
ARCA_ECALLS({1, digests}, {2, version});
