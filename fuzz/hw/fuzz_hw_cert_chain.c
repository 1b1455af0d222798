/*
 * fuzz_hw_cert_chain.c — libFuzzer target for certificate input: PEM bundles and DER
 * certificates, CRLs, the Intel SGX and AMD VCEK extensions, and AMD chain verification
 * against the shipped roots. Seeds: real VCEKs, KDS chains and a PCK CRL.
 */
#include <stdint.h>
#include <stdlib.h>

#include "crypto/crypto_x509.h"
#include "fuzz_hw_verifier.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    arca__cert *certs[ARCA__X509_MAX_CERTS];
    arca__crl *crl = NULL;
    size_t n = 0;
    if (arca__certs_parse(data, size, "fuzz", certs, ARCA__X509_MAX_CERTS, &n) == ARCA_OK) {
        for (size_t i = 0; i < n; i++) {
            arca__sgx_pck_ext sgx;
            arca__amd_cert_ext amd;
            arca__pubkey *key = NULL;
            char cn[64];
            int64_t a, b;
            (void)arca__cert_sgx_ext(certs[i], &sgx);
            (void)arca__cert_amd_ext(certs[i], &amd);
            if (arca__cert_pubkey(certs[i], &key) == ARCA_OK)
                arca__pubkey_free(key);
            arca__cert_cn(certs[i], 1, cn, sizeof cn);
            arca__cert_validity(certs[i], &a, &b);
            (void)arca__cert_self_signed(certs[i]);
            arca__cert_free(certs[i]);
        }
        (void)arca__hw_verify_amd_chain(verifier, data, size, FUZZ_HW_AT);
    }
    if (arca__crl_parse(data, size, "fuzz", &crl) == ARCA_OK)
        arca__crl_free(crl);
    return 0;
}
