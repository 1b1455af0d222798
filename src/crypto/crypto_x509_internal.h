/*
 * crypto_x509_internal.h — the OpenSSL objects behind crypto_x509.h's opaque types, shared
 * by the crypto_x509*.c files only. Never include it elsewhere:
 * code outside src/crypto must not see OpenSSL types.
 * Internal header: never installed.
 */
#ifndef ARCA_COMMON_CRYPTO_X509_INTERNAL_H
#define ARCA_COMMON_CRYPTO_X509_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "crypto_x509.h"

struct arca__cert {
    X509 *x;
    unsigned char *der; /* i2d_X509 output, for hashing and export */
    size_t der_len;
    uint8_t hash[32]; /* SHA-256 of der */
    int refs;         /* atomic */
};

struct arca__crl {
    X509_CRL *crl;
    uint8_t hash[32];
};

struct arca__trust {
    X509_STORE *store;  /* the pinned roots, as OpenSSL's trust anchors */
    arca__cert **roots; /* the same roots, with their hashes */
    size_t count;
    int partial; /* an anchor that need not be self-signed was pinned (arca__trust_add_anchor) */
};

struct arca__pubkey {
    EVP_PKEY *pkey;
    size_t size; /* 32 (P-256) or 48 (P-384) */
    int refs;    /* atomic */
};

/** ASN1_TIME (passed as void * so callers need no cast) to unix seconds; INT64_MIN if unreadable.
 */
int64_t arca__asn1_time_to_unix(const void *asn1_time);

/** Wrap @p x (ownership moves in on success, also its DER and hash); NULL when out of memory. */
arca__cert *arca__cert_wrap(X509 *x);

/** Wrap @p pkey (ownership moves in on success) after checking it is EC on P-256 or P-384. */
arca_result_t arca__pubkey_wrap(EVP_PKEY *pkey, const char *what, arca__pubkey **out);

#endif
