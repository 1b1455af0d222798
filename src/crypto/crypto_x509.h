/*
 * crypto_x509.h — X.509 for hardware evidence: certificates, revocation lists, pinned
 * roots, chain verification at a given time, the Intel SGX and AMD SEV-SNP certificate
 * extensions, and raw ECDSA (r || s) verification with P-256 and P-384 keys.
 *
 * Also what Arca's own platforms need: the certificate chain of Arca evidence (pinned roots
 * that may be intermediates, RFC 5280 strict checks) and the self-signed certificate a dev
 * platform makes for its attestation key.
 *
 * Like crypto.h, these are thin typed wrappers: OpenSSL 3 does every primitive and every
 * signature check (ECDSA, RSASSA-PSS, CRL signatures); these files only adapt types, bound
 * lengths and map OpenSSL's verdicts to arca_result_t values that name the failed check.
 * Only src/crypto may include OpenSSL headers (tests/layering checks); the verifier
 * (src/verify) and the dev platform (src/platform/dev) use this header instead.
 * Internal header: never installed.
 */
#ifndef ARCA_COMMON_CRYPTO_X509_H
#define ARCA_COMMON_CRYPTO_X509_H

#include <stddef.h>
#include <stdint.h>

#include "arca/result.h"
#include "crypto.h"

/** Most certificates one PEM bundle or chain may hold (real chains have 2 to 4). */
#define ARCA__X509_MAX_CERTS 16
/** Largest certificate, CRL or PEM bundle accepted (a real Intel PCK CRL is ~40 KiB). */
#define ARCA__X509_MAX_INPUT (1024u * 1024u)

typedef struct arca__cert arca__cert;     /* an X.509 certificate (reference counted) */
typedef struct arca__crl arca__crl;       /* a certificate revocation list */
typedef struct arca__trust arca__trust;   /* a set of pinned, self-signed root certificates */
typedef struct arca__pubkey arca__pubkey; /* an EC public key (P-256 or P-384) */

/* ---- certificates ---- */

/**
 * Parse certificates: a single DER certificate, or PEM text holding one or more CERTIFICATE
 * blocks (text around the blocks, such as a trailing NUL byte, is ignored). @p name names
 * the input in error details. Fills @p out[0..*count) with new references (the caller frees
 * each with arca__cert_free()).
 * @return ARCA_ERR_BAD_FORMAT when nothing parses, ARCA_ERR_OVERFLOW above @p cap certificates.
 */
arca_result_t arca__certs_parse(const uint8_t *bytes, size_t len, const char *name,
                                arca__cert **out, size_t cap, size_t *count);
/** Parse exactly one certificate (DER or PEM with one block). */
arca_result_t arca__cert_parse(const uint8_t *bytes, size_t len, const char *name,
                               arca__cert **out);
/**
 * Parse exactly one DER certificate that fills @p der .. @p der + @p len (no PEM, no trailing
 * bytes): for certificates that travel as DER, such as the chain of Arca evidence.
 * @return ARCA_ERR_BAD_FORMAT naming @p name when it is not exactly one DER certificate.
 */
arca_result_t arca__cert_parse_der(const uint8_t *der, size_t len, const char *name,
                                   arca__cert **out);
/** A new reference to @p cert. */
arca__cert *arca__cert_ref(arca__cert *cert);
/** Drop a reference (NULL is allowed). */
void arca__cert_free(arca__cert *cert);
/** SHA-256 of the DER encoding: the certificate's identity for caches and pinning. */
const uint8_t *arca__cert_hash(const arca__cert *cert);
/** The DER encoding (borrowed, valid while @p cert lives). */
const uint8_t *arca__cert_der(const arca__cert *cert, size_t *len);
/** The subject's (or with @p issuer the issuer's) common name, "" when it has none. */
void arca__cert_cn(const arca__cert *cert, int issuer, char *buf, size_t cap);
/** notBefore and notAfter as unix seconds. */
void arca__cert_validity(const arca__cert *cert, int64_t *not_before, int64_t *not_after);
/** 1 when the subject equals the issuer and the certificate's own key verifies its signature. */
int arca__cert_self_signed(const arca__cert *cert);
/** 1 when the certificate's basicConstraints say CA:TRUE (and a keyUsage, if present, allows
 *  keyCertSign); 0 otherwise, also for a certificate without basicConstraints. */
int arca__cert_is_ca(const arca__cert *cert);
/**
 * Check that @p issuer issued @p cert: @p cert's issuer name is @p issuer's subject, their key
 * identifiers (when both are present) agree, and @p cert's signature verifies under
 * @p issuer's key. No time, CA flag or path rule is checked here (arca__chain_verify does).
 * @return ARCA_OK, or ARCA_ERR_BAD_CHAIN with a detail saying which of these failed.
 */
arca_result_t arca__cert_check_issued(const arca__cert *cert, const arca__cert *issuer)
    __attribute__((warn_unused_result));
/** The certificate's public key if it is an EC key on P-256 or P-384. ARCA_ERR_KEY otherwise. */
arca_result_t arca__cert_pubkey(const arca__cert *cert, arca__pubkey **out);
/** The certificate's public key as an ECDSA P-256 key (crypto.h). ARCA_ERR_KEY otherwise. */
arca_result_t arca__cert_ec_key(const arca__cert *cert, arca__ec_key **out);
/** SHA-256 of the certificate's SubjectPublicKeyInfo DER, whatever the key's type. */
arca_result_t arca__cert_spki_hash(const arca__cert *cert, uint8_t out[32]);
/** The certificate as PEM text ("BEGIN CERTIFICATE"), NUL-terminated; @p len excludes the NUL.
 *  The caller frees *pem with free(). */
arca_result_t arca__cert_to_pem(const arca__cert *cert, char **pem, size_t *len);

/* ---- making certificates ---- */

/** What a new certificate says besides its key (see arca__cert_create). */
typedef struct arca__cert_template {
    const char *organization; /* subject O, NULL for none */
    const char *common_name;  /* subject CN (required) */
    int64_t not_before;       /* validity, unix seconds; not_after must be later */
    int64_t not_after;
    int ca; /* 1: basicConstraints CA:TRUE, keyUsage digitalSignature and keyCertSign;
             * 0: CA:FALSE, keyUsage digitalSignature (both critical) */
    int limit_path_len; /* CA only: 1 adds pathLenConstraint = path_len (0: no constraint) */
    int path_len;       /* CAs that may follow this one on a path (0: it issues leaves only) */
    const char *comment; /* a Netscape comment extension, NULL for none */
} arca__cert_template;

/**
 * A new X.509 v3 certificate for @p key as @p t describes it: a random positive 16-byte
 * serial, subject O then CN, a subject key identifier, signed with ECDSA-SHA256 — by @p key
 * itself when @p issuer is NULL (self-signed: issuer = subject), else by @p issuer_key under
 * @p issuer, which must be a CA whose key @p issuer_key is (an authority key identifier is
 * added then).
 * @return ARCA_ERR_INVALID_ARGUMENT for a missing field, a name over 64 characters, an empty
 *         validity period or an issuer without its key; ARCA_ERR_KEY when @p issuer_key is not
 *         @p issuer's key or the signing key has no private half; ARCA_ERR_BAD_CHAIN when
 *         @p issuer is not a CA.
 */
arca_result_t arca__cert_create(const arca__ec_key *key, const arca__cert_template *t,
                                const arca__cert *issuer, const arca__ec_key *issuer_key,
                                arca__cert **out) __attribute__((warn_unused_result));

/**
 * A PKCS#10 certificate signing request for @p key, signed with it (ECDSA-SHA256): subject O
 * @p organization (NULL for none) then CN @p common_name, and an extension request for what
 * an end-entity signing key needs (basicConstraints CA:FALSE, keyUsage digitalSignature), as
 * PEM ("BEGIN CERTIFICATE REQUEST"), NUL-terminated; @p len excludes the NUL. The caller
 * frees *pem with free().
 * @return ARCA_ERR_INVALID_ARGUMENT for a missing or over-long name (64 characters at most);
 *         ARCA_ERR_KEY when @p key has no private half.
 */
arca_result_t arca__csr_create(const arca__ec_key *key, const char *organization,
                               const char *common_name, char **pem, size_t *len)
    __attribute__((warn_unused_result));

/* ---- revocation lists ---- */

/** Parse one CRL, DER or PEM ("X509 CRL"). Its signature is checked during chain verification. */
arca_result_t arca__crl_parse(const uint8_t *bytes, size_t len, const char *name, arca__crl **out);
void arca__crl_free(arca__crl *crl);
/** thisUpdate and nextUpdate as unix seconds (nextUpdate INT64_MAX when absent). */
void arca__crl_validity(const arca__crl *crl, int64_t *this_update, int64_t *next_update);
/** The issuer's common name. */
void arca__crl_issuer_cn(const arca__crl *crl, char *buf, size_t cap);
/** SHA-256 of the DER encoding. */
const uint8_t *arca__crl_hash(const arca__crl *crl);

/* ---- pinned roots ---- */

arca_result_t arca__trust_create(arca__trust **out);
void arca__trust_free(arca__trust *trust);
/**
 * Pin @p root (a new reference is taken). It must be a self-signed CA certificate whose
 * signature verifies under its own key. Adding the same certificate twice is harmless.
 * @return ARCA_ERR_UNTRUSTED_ROOT with a detail when it is not a self-signed CA.
 */
arca_result_t arca__trust_add(arca__trust *trust, arca__cert *root);
/**
 * Pin @p anchor as a trust anchor as it is, self-signed or not: a chain verified against
 * @p trust may then end at it (OpenSSL's partial chains), whoever issued it. For pins whose
 * holder vouches for what lies below them, such as an Arca platform root that is itself an
 * intermediate. Adding the same certificate twice is harmless.
 */
arca_result_t arca__trust_add_anchor(arca__trust *trust, arca__cert *anchor);
size_t arca__trust_count(const arca__trust *trust);
/** 1 when a pinned root has this SHA-256 (of its DER). */
int arca__trust_contains(const arca__trust *trust, const uint8_t hash[32]);

/* ---- chain verification ---- */

/** Which signature algorithm every certificate of a chain must use. */
enum arca__chain_sig {
    ARCA__CHAIN_SIG_ANY = 0,
    ARCA__CHAIN_SIG_ECDSA_SHA256,  /* Intel: ecdsa-with-SHA256 on P-256 */
    ARCA__CHAIN_SIG_RSA_PSS_SHA384 /* AMD: RSASSA-PSS, SHA-384, MGF1-SHA-384, salt 48 */
};

/** Which certificates must be covered by a CRL from their issuer. */
enum arca__chain_crl {
    ARCA__CHAIN_CRL_NONE = 0, /* revocation not checked */
    ARCA__CHAIN_CRL_ALL,      /* every certificate below the root (Intel with collateral) */
    ARCA__CHAIN_CRL_CA_ONLY   /* every CA below the root; the leaf when a CRL covers it (AMD) */
};

typedef struct arca__chain_params {
    int64_t at;             /* verification time, unix seconds */
    arca__crl *const *crls; /* revocation lists to use (any issuer) */
    size_t crl_count;
    enum arca__chain_crl crl_mode;
    enum arca__chain_sig sig;
    const char *what; /* names the chain in details, e.g. "PCK certificate chain" */
    int strict;       /* 1: also OpenSSL's RFC 5280 conformance checks (X509_V_FLAG_X509_STRICT) */
} arca__chain_params;

typedef struct arca__chain_result {
    int64_t valid_from;  /* latest notBefore / CRL thisUpdate on the path */
    int64_t valid_until; /* earliest notAfter / CRL nextUpdate on the path */
    uint8_t root_hash[32];
    size_t length; /* certificates on the path, root included */
} arca__chain_result;

/**
 * Verify @p leaf up to a root pinned in @p trust, through intermediates taken from
 * @p untrusted (any order; unrelated certificates are ignored), as of @p params->at.
 * Results: ARCA_ERR_CERT_EXPIRED / _NOT_YET_VALID (the detail names the certificate, the
 * leaf-most one first), ARCA_ERR_CERT_REVOKED, ARCA_ERR_UNTRUSTED_ROOT (the path ends at a
 * root that is not pinned), ARCA_ERR_BAD_CHAIN (a signature, issuer, CA constraint or
 * signature algorithm is wrong), ARCA_ERR_COLLATERAL_MISSING (a required CRL is absent),
 * ARCA_ERR_COLLATERAL_EXPIRED (a CRL is outside its validity), ARCA_ERR_COLLATERAL_SIGNATURE
 * (a CRL's signature does not verify).
 * @param[out] result  filled on success (may be NULL)
 */
arca_result_t arca__chain_verify(arca__cert *leaf, arca__cert *const *untrusted, size_t count,
                                 const arca__trust *trust, const arca__chain_params *params,
                                 arca__chain_result *result) __attribute__((warn_unused_result));

/* ---- EC public keys and raw ECDSA ---- */

/** A P-256 public key from its raw affine coordinates x || y (32 bytes each, big-endian). */
arca_result_t arca__pubkey_from_p256_xy(const uint8_t xy[64], arca__pubkey **out);
/** Coordinate size of the key's curve: 32 (P-256) or 48 (P-384). */
size_t arca__pubkey_size(const arca__pubkey *key);
arca__pubkey *arca__pubkey_ref(arca__pubkey *key);
void arca__pubkey_free(arca__pubkey *key);
/**
 * ECDSA over @p msg with the key's own pairing of curve and hash (P-256 with SHA-256,
 * P-384 with SHA-384); @p r and @p s are big-endian, @p n bytes each, and @p n must equal
 * arca__pubkey_size(). @return ARCA_OK or ARCA_ERR_BAD_SIGNATURE (never crashes on any
 * input).
 */
arca_result_t arca__pubkey_verify(const arca__pubkey *key, const void *msg, size_t len,
                                  const uint8_t *r, const uint8_t *s, size_t n)
    __attribute__((warn_unused_result));

/* ---- certificate extensions ---- */

/** The Intel SGX PCK certificate extension (OID 1.2.840.113741.1.13.1). */
typedef struct arca__sgx_pck_ext {
    uint8_t ppid[16];
    uint8_t comp_svn[16]; /* SGX TCB components 1..16 (…1.13.1.2.1 – .2.16) */
    uint16_t pce_svn;     /* …1.13.1.2.17 */
    uint8_t cpu_svn[16];  /* …1.13.1.2.18 */
    uint8_t pce_id[2];    /* …1.13.1.3 */
    uint8_t fmspc[6];     /* …1.13.1.4 */
    int sgx_type;         /* …1.13.1.5: 0 standard, 1 scalable, 2 scalable with integrity */
    int has_platform_instance_id;
    uint8_t platform_instance_id[16]; /* …1.13.1.6 (Platform CA certificates only) */
    int has_configuration;            /* …1.13.1.7 */
    int dynamic_platform, cached_keys, smt_enabled;
} arca__sgx_pck_ext;

/** Read the SGX extension of a PCK certificate. ARCA_ERR_BAD_FORMAT when absent or malformed. */
arca_result_t arca__cert_sgx_ext(const arca__cert *cert, arca__sgx_pck_ext *out);

/** The AMD VCEK / VLEK certificate extensions (OIDs under 1.3.6.1.4.1.3704.1). */
typedef struct arca__amd_cert_ext {
    int struct_version; /* .1 */
    char product[32];   /* .2, e.g. "Milan-B0", "Genoa", "Turin" */
    int has_spl[10];    /* .3.1 – .3.9 (index 1..9) present */
    uint8_t spl[10];    /* bl .3.1, tee .3.2, snp .3.3, ucode .3.8, fmc .3.9 */
    size_t hwid_len;    /* .4: 64 bytes (Milan, Genoa) or 8 (Turin); 0 when absent (VLEK) */
    uint8_t hwid[64];
    char csp_id[128]; /* .5 (VLEK only), "" when absent */
} arca__amd_cert_ext;

/** Read the AMD extensions. ARCA_ERR_BAD_FORMAT when malformed or an SPL is not 0..255. */
arca_result_t arca__cert_amd_ext(const arca__cert *cert, arca__amd_cert_ext *out);

#endif
