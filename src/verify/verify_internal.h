/*
 * verify_internal.h — the policy object shared by the verifier's files, and the chain check.
 * Internal header: never installed.
 */
#ifndef ARCA_VERIFY_INTERNAL_H
#define ARCA_VERIFY_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "arca/verify.h"
#include "common/crypto.h"
#include "common/evidence.h"

/* A pinned root certificate, parsed and hashed when the policy was built. */
struct arca__trusted_cert {
    uint8_t der_sha256[32];  /* SHA-256 of the certificate DER: what a chain's end is matched by */
    uint8_t spki_sha256[32]; /* SHA-256 of its SubjectPublicKeyInfo DER: the platform id */
    arca__ec_key *key;       /* its P-256 public key (the signing key of a chain of one) */
    uint16_t kind;           /* the platform kind it was pinned for (ARCA_PLATFORM_*) */
    uint8_t *der;            /* the certificate DER, for chains longer than one */
    size_t der_len;
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
    int allow_simulation;
    struct arca__trusted_cert *certs;
    size_t cert_count;
    uint8_t (*runtimes)[32]; /* accepted runtime digests; none = not checked */
    size_t runtime_count;
    int has_report_data;
    uint8_t report_data[64];
    uint64_t max_age_s;     /* 0 = no limit */
    uint64_t clock_skew_s;  /* tolerance for timestamps in the future */
    uint16_t backend;       /* 0 = any */
    uint32_t protections;   /* required bits */
    uint64_t now_ns;        /* 0 = the real clock */
};

#define ARCA__POLICY_DEFAULT_SKEW 300u
#define ARCA__POLICY_MAX_SKEW 3600u
#define ARCA__POLICY_MAX_MEASUREMENTS 4096u
#define ARCA__POLICY_MAX_RUNTIMES 256u
#define ARCA__POLICY_MAX_CERTS 256u

/** "dev", "arcad" or "unknown". */
const char *arca__platform_kind_name(uint16_t kind);

/**
 * The evidence's certificate chain (leaf first) must end at a root @p policy pinned and, when
 * longer than one, verify as X.509 up to it at @p now_s. On success *root is the pinned entry,
 * and the leaf's key and SPKI hash are returned: for a chain of one they are the root's own
 * (*owned_leaf = NULL); otherwise *owned_leaf is a new key the caller frees.
 * @return ARCA_OK or ARCA_ERR_VERIFY_PLATFORM_UNTRUSTED with a detail.
 */
arca_result_t arca__verify_chain(const arca_policy_t *policy, const arca__evidence *ev,
                                 int64_t now_s, const struct arca__trusted_cert **root,
                                 arca__ec_key **owned_leaf, uint8_t leaf_spki[32])
    __attribute__((warn_unused_result));

#endif
