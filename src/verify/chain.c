/*
 * chain.c — the platform certificate chain carried in Arca evidence: it must end at a root
 * the policy pinned (issue 11, item 12).
 *
 * A chain of one is the pinned certificate itself (the dev platform's self-signed
 * certificate) and is matched by the SHA-256 of its DER, with no X.509 parsing. A longer
 * chain — leaf first, root last, as the evidence lists it — must end at a pinned root and
 * verify with OpenSSL's X.509 path validation at the verification time, using exactly the
 * certificates it lists (the path OpenSSL builds must have the same length). This file never
 * accepts a chain whose last certificate is not pinned, never takes a root from the evidence
 * itself, and never accepts a leaf whose key is not P-256.
 */
#include <string.h>

#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include "base/error.h"
#include "base/hex.h"
#include "verify_internal.h"

/* Parse exactly one DER certificate (no trailing bytes). */
static X509 *parse_der(const uint8_t *der, size_t len)
{
    const unsigned char *p = der;
    X509 *x = d2i_X509(NULL, &p, (long)len);
    if (x && p != der + len) {
        X509_free(x);
        x = NULL;
    }
    return x;
}

/* Verify the X.509 path certs[0] (leaf) ... certs[n-1] (= @p root) at @p now_s. */
static arca_result_t verify_path(const arca__evidence *ev, const struct arca__trusted_cert *root,
                                 int64_t now_s, arca__ec_key **leaf_key, uint8_t leaf_spki[32])
{
    arca_result_t result = ARCA_OK;
    X509 *certs[ARCA_EVIDENCE_MAX_CERTS] = {0};
    X509 *anchor = NULL;
    X509_STORE *store = NULL;
    X509_STORE_CTX *ctx = NULL;
    STACK_OF(X509) *middle = NULL;
    unsigned char *spki = NULL;
    int spki_len;
    const uint32_t n = ev->cert_count;

    for (uint32_t i = 0; i < n; i++) {
        certs[i] = parse_der(ev->cert[i], ev->cert_len[i]);
        if (!certs[i])
            ARCA_CHECK(arca__crypto_error(ARCA_ERR_VERIFY_PLATFORM_UNTRUSTED,
                                          "certificate %u of the evidence's chain is not one DER "
                                          "X.509 certificate", i));
    }
    anchor = parse_der(root->der, root->der_len);
    store = X509_STORE_new();
    middle = sk_X509_new_null();
    ctx = X509_STORE_CTX_new();
    if (!anchor || !store || !middle || !ctx || X509_STORE_add_cert(store, anchor) != 1)
        ARCA_CHECK(arca__crypto_error(ARCA_ERR_OUT_OF_MEMORY, "cannot set up chain verification"));
    for (uint32_t i = 1; i + 1 < n; i++)
        if (!sk_X509_push(middle, certs[i]))
            ARCA_CHECK(arca__crypto_error(ARCA_ERR_OUT_OF_MEMORY, "cannot set up chain verification"));
    if (X509_STORE_CTX_init(ctx, store, certs[0], middle) != 1)
        ARCA_CHECK(arca__crypto_error(ARCA_ERR_OUT_OF_MEMORY, "cannot set up chain verification"));
    X509_VERIFY_PARAM *param = X509_STORE_CTX_get0_param(ctx);
    X509_VERIFY_PARAM_set_time(param, (time_t)now_s);
    /* The pinned root is the anchor even when it is not self-signed (an intermediate pin). */
    X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_X509_STRICT | X509_V_FLAG_PARTIAL_CHAIN);
    if (X509_verify_cert(ctx) != 1) {
        int err = X509_STORE_CTX_get_error(ctx);
        ARCA_CHECK(arca__crypto_error(ARCA_ERR_VERIFY_PLATFORM_UNTRUSTED,
                                      "the evidence's certificate chain (%u certificates) does not "
                                      "verify up to the pinned root: %s (at certificate %d)",
                                      n, X509_verify_cert_error_string(err),
                                      X509_STORE_CTX_get_error_depth(ctx)));
    }
    STACK_OF(X509) *path = X509_STORE_CTX_get0_chain(ctx);
    if (!path || sk_X509_num(path) != (int)n)
        ARCA_RAISE(ARCA_ERR_VERIFY_PLATFORM_UNTRUSTED,
                   "the evidence lists %u certificates but its path to the pinned root has %d: "
                   "every listed certificate must be on the path", n, path ? sk_X509_num(path) : 0);
    if (arca__ec_from_evp(X509_get0_pubkey(certs[0]), leaf_key) != ARCA_OK)
        ARCA_RAISE(ARCA_ERR_VERIFY_PLATFORM_UNTRUSTED,
                   "the leaf certificate of the evidence's chain has no ECDSA P-256 key");
    spki_len = i2d_PUBKEY(X509_get0_pubkey(certs[0]), &spki);
    if (spki_len <= 0)
        ARCA_CHECK(arca__crypto_error(ARCA_ERR_VERIFY_PLATFORM_UNTRUSTED,
                                      "the leaf certificate's key cannot be encoded"));
    ARCA_CHECK(arca__sha256(spki, (size_t)spki_len, leaf_spki));
done:
    if (result != ARCA_OK && *leaf_key) {
        arca__ec_free(*leaf_key);
        *leaf_key = NULL;
    }
    OPENSSL_free(spki);
    X509_STORE_CTX_free(ctx);
    sk_X509_free(middle); /* the certificates are freed below */
    X509_STORE_free(store);
    X509_free(anchor);
    for (uint32_t i = 0; i < n; i++)
        X509_free(certs[i]);
    return result;
}

arca_result_t arca__verify_chain(const arca_policy_t *policy, const arca__evidence *ev,
                                 int64_t now_s, const struct arca__trusted_cert **root,
                                 arca__ec_key **owned_leaf, uint8_t leaf_spki[32])
{
    arca_result_t result = ARCA_OK;
    const struct arca__trusted_cert *pinned = NULL;
    uint8_t last_hash[32];
    char id[17];

    *root = NULL;
    *owned_leaf = NULL;
    const uint32_t last = ev->cert_count - 1; /* the parser guarantees 1 ≤ count */
    ARCA_CHECK(arca__sha256(ev->cert[last], ev->cert_len[last], last_hash));
    for (size_t i = 0; i < policy->cert_count && !pinned; i++)
        if (memcmp(policy->certs[i].der_sha256, last_hash, 32) == 0)
            pinned = &policy->certs[i];
    if (!pinned) {
        arca__hex_encode(ev->platform_id, 8, id);
        ARCA_RAISE(ARCA_ERR_VERIFY_PLATFORM_UNTRUSTED,
                   "the evidence's certificate chain (platform id %s..., %u certificate%s) ends at "
                   "a certificate the policy does not pin%s; pin the platform's root with "
                   "TrustedPlatformCert",
                   id, ev->cert_count, ev->cert_count == 1 ? "" : "s",
                   policy->cert_count ? "" : " (the policy pins no certificate)");
    }
    if (ev->cert_count == 1)
        memcpy(leaf_spki, pinned->spki_sha256, 32);
    else
        ARCA_CHECK(verify_path(ev, pinned, now_s, owned_leaf, leaf_spki));
    *root = pinned;
done:
    return result;
}
