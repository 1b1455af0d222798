/*
 * hw_internal.h — the verifier object shared by the hardware evidence verifiers (hw/,
 * intel/, snp/, azure/): pinned roots, the collateral pool, and the cache of verified
 * certificate chains keyed by certificate hash.
 * Internal header: never installed.
 */
#ifndef ARCA_VERIFY_HW_INTERNAL_H
#define ARCA_VERIFY_HW_INTERNAL_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/crypto_x509.h"
#include "verify/hw/hw.h"
#include "verify/intel/collateral.h"

#define ARCA__HW_CACHE_SLOTS 256
#define ARCA__HW_MAX_POOL 4096

/** What a verified chain established about its leaf; cached by key. */
typedef struct arca__hw_chain {
    arca__cert *leaf;
    arca__pubkey *key;
    uint8_t root_hash[32];
    int64_t valid_from, valid_until; /* the time window in which this verdict holds */
    int ext_kind;                    /* 0 none, 1 SGX PCK, 2 AMD */
    arca__sgx_pck_ext sgx;
    arca__amd_cert_ext amd;
    char issuer_cn[64];
} arca__hw_chain;

struct arca__hw_cache_slot {
    int used;
    uint8_t key[32];
    arca__hw_chain chain;
};

/** A TCB Info or identity with the memo of its signature check (under the verifier's lock). */
typedef struct arca__hw_signed_item {
    arca__intel_tcb_info *tcb_info; /* one of these two */
    arca__intel_identity *identity;
    const char *name;
    int checked;        /* 1: the signature verified under signer */
    arca__cert *signer; /* the TCB Signing certificate that verified it */
} arca__hw_signed_item;

typedef struct arca__hw_blob {
    uint8_t *bytes;
    size_t len;
    char name[128];
} arca__hw_blob;

struct arca__hw_verifier {
    pthread_mutex_t lock; /* guards cache, stats and the items' signature memos */
    arca__trust *trust;
    arca__cert **certs; /* untrusted pool: intermediates, issuer chains, VCEKs/VLEKs */
    size_t cert_count;
    arca__crl **crls;
    size_t crl_count;
    arca__hw_signed_item *items; /* TCB Infos and enclave identities */
    size_t item_count;
    arca__hw_blob *quotes; /* TD quotes supplied for Azure TDX HCL reports */
    size_t quote_count;
    int intel_collateral; /* Intel collateral was supplied: Intel chains need CRLs */
    int amd_crl;          /* a CRL from an AMD ARK was supplied: AMD CAs need CRLs */
    struct arca__hw_cache_slot cache[ARCA__HW_CACHE_SLOTS];
    uint64_t hits, misses;
};

/** Drop the references an arca__hw_chain holds. */
void arca__hw_chain_clear(arca__hw_chain *chain);

/**
 * Look @p key up in the cache: on a hit whose window contains @p at, copy the entry (with new
 * references) into @p out and return 1; else return 0.
 */
int arca__hw_cache_get(arca__hw_verifier *v, const uint8_t key[32], int64_t at,
                       arca__hw_chain *out);
/** Store a copy of @p chain (new references) under @p key, replacing that slot's entry. */
void arca__hw_cache_put(arca__hw_verifier *v, const uint8_t key[32], const arca__hw_chain *chain);
/** Empty the cache (roots or collateral changed). */
void arca__hw_cache_clear(arca__hw_verifier *v);

/**
 * Verify @p leaf up to a pinned root through @p extra and the verifier's certificate pool,
 * with the verifier's CRLs when @p params asks for revocation checks; fill @p out (leaf,
 * key, root, window, and the extension of kind @p ext_kind). Not cached: callers cache.
 */
arca_result_t arca__hw_chain_verify(arca__hw_verifier *v, arca__cert *leaf,
                                    arca__cert *const *extra, size_t extra_count,
                                    arca__chain_params *params, int ext_kind, arca__hw_chain *out);

/**
 * Append @p item (@p size bytes) to @p array of *count elements, at most @p max: the array,
 * moved or not, in *out (also on failure: keep it), and *count one more on success.
 * @return ARCA_ERR_OVERFLOW past @p max ("more than MAX WHAT"), ARCA_ERR_OUT_OF_MEMORY.
 */
arca_result_t arca__hw_append(void *array, size_t *count, size_t max, const void *item,
                              size_t size, const char *what, void **out)
    __attribute__((warn_unused_result));

/** SHA-256 of @p a followed by @p b. */
arca_result_t arca__hw_sha256_2(const void *a, size_t a_len, const void *b, size_t b_len,
                                uint8_t out[32]) __attribute__((warn_unused_result));
/** SHA-256 over a domain label (with its NUL) and data: cache keys. */
arca_result_t arca__hw_key(const char *label, const void *data, size_t len, uint8_t key[32]);

/**
 * Fill the common claims shape every format has: TEE, measurement, signer (NULL: none), debug,
 * report data. The format adds what else it has (product, SVN, RTMRs) and its raw fields.
 */
void arca__hw_claims_set(arca__hw_claims *claims, arca__tee tee, const uint8_t *measurement,
                         size_t measurement_len, const uint8_t *signer, size_t signer_len,
                         int debug, const uint8_t report_data[64]);

/** Add an advisory id to @p claims unless present (ARCA_ERR_OVERFLOW past the maximum). */
arca_result_t arca__hw_add_advisory(arca__hw_claims *claims, const char *id);

/* The format verifiers (each fills claims on success). */
arca_result_t arca__dcap_verify(arca__hw_verifier *v, const uint8_t *bytes, size_t len, int64_t at,
                                arca__hw_claims *claims);
arca_result_t arca__snp_verify(arca__hw_verifier *v, const uint8_t *bytes, size_t len, int64_t at,
                               arca__hw_claims *claims);
arca_result_t arca__azure_hcl_verify(arca__hw_verifier *v, const uint8_t *bytes, size_t len,
                                     int64_t at, arca__hw_claims *claims);

#endif
