/*
 * verify_internal.h — the policy object shared by the verifier's files.
 * Internal header: never installed.
 */
#ifndef ARCA_VERIFY_INTERNAL_H
#define ARCA_VERIFY_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "arca/verify.h"
#include "common/crypto.h"

/* A pinned platform certificate, parsed and hashed when the policy was built. */
struct arca__trusted_cert {
    uint8_t der_sha256[32];  /* SHA-256 of the certificate DER: what evidence is matched by */
    uint8_t spki_sha256[32]; /* SHA-256 of its SubjectPublicKeyInfo DER: the platform id */
    arca__ec_key *key;       /* its P-256 public key */
    int is_dev;              /* a dev platform's certificate (its subject says so) */
};

struct arca_policy {
    uint8_t (*measurements)[32];
    size_t measurement_count;
    int has_signer;
    uint8_t signer_id[32];
    int has_product;
    uint16_t product_id;
    uint16_t min_svn;
    int allow_debug;
    int allow_dev_platform;
    struct arca__trusted_cert *certs;
    size_t cert_count;
    int has_report_data;
    uint8_t report_data[64];
    uint64_t max_age_s;     /* 0 = no limit */
    uint64_t clock_skew_s;  /* tolerance for timestamps in the future */
    uint16_t backend;       /* 0 = any */
    uint32_t protections;   /* required bits */
    uint64_t now_ns;        /* 0 = the real clock */
};

#define ARCA__POLICY_DEFAULT_SKEW 300u
#define ARCA__POLICY_MAX_MEASUREMENTS 4096u
#define ARCA__POLICY_MAX_CERTS 256u

#endif
