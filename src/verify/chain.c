/*
 * chain.c — the platform certificate chain carried in Arca evidence: it must end at a root
 * the policy pinned (issue 11, item 12).
 *
 * A chain of one is the pinned certificate itself (the dev platform's self-signed
 * certificate) and is matched by the SHA-256 of its DER, with no X.509 parsing. A longer
 * chain — leaf first, root last, as the evidence lists it — must end at a pinned root and
 * verify with OpenSSL's X.509 path validation (strict, through src/crypto's arca__chain_verify,
 * the code that verifies hardware chains too) at the verification time, using exactly the
 * certificates it lists (the path built must have the same length). This file never
 * accepts a chain whose last certificate is not pinned, never takes a root from the evidence
 * itself, and never accepts a leaf whose key is not P-256.
 */
#include <stdio.h>
#include <string.h>

#include "base/error.h"
#include "base/hex.h"
#include "crypto/crypto_x509.h"
#include "verify_internal.h"

/* Verify the X.509 path certs[0] (leaf) ... certs[n-1] (= @p root) at @p now_s. */
static arca_result_t verify_path(const arca__evidence *ev, const struct arca__trusted_cert *root,
                                 int64_t now_s, arca__ec_key **leaf_key, uint8_t leaf_spki[32])
{
    arca_result_t result = ARCA_OK;
    arca__cert *certs[ARCA_EVIDENCE_MAX_CERTS] = {0};
    arca__cert *anchor = NULL;
    arca__trust *trust = NULL;
    arca__chain_result path;
    char name[64];
    const uint32_t n = ev->cert_count; /* 2 ≤ n ≤ ARCA_EVIDENCE_MAX_CERTS (the parser's bound) */

    for (uint32_t i = 0; i < n; i++) {
        snprintf(name, sizeof name, "certificate %u of the evidence's chain", i);
        result = arca__cert_parse_der(ev->cert[i], ev->cert_len[i], name, &certs[i]);
        if (result == ARCA_ERR_OUT_OF_MEMORY)
            goto done;
        if (result != ARCA_OK)
            ARCA_RAISE(ARCA_ERR_VERIFY_PLATFORM_UNTRUSTED, "certificate %u of the evidence's chain "
                       "is not one DER X.509 certificate (%s)", i, arca__error_detail());
    }
    /* The anchor is the pinned certificate itself, never the copy the evidence carries. */
    ARCA_CHECK(arca__cert_parse_der(root->der, root->der_len, "the pinned root", &anchor));
    ARCA_CHECK(arca__trust_create(&trust));
    /* The pinned root is the anchor even when it is not self-signed (an intermediate pin). */
    ARCA_CHECK(arca__trust_add_anchor(trust, anchor));
    const arca__chain_params params = {
        .at = now_s,
        .crl_mode = ARCA__CHAIN_CRL_NONE,
        .sig = ARCA__CHAIN_SIG_ANY,
        .what = "X.509 path validation",
        .strict = 1,
    };
    result = arca__chain_verify(certs[0], certs + 1, n - 2, trust, &params, &path);
    if (result == ARCA_ERR_OUT_OF_MEMORY)
        goto done;
    if (result != ARCA_OK)
        ARCA_RAISE(ARCA_ERR_VERIFY_PLATFORM_UNTRUSTED,
                   "the evidence's certificate chain (%u certificates) does not verify up to the "
                   "pinned root: %s", n, arca__error_detail());
    if (path.length != n)
        ARCA_RAISE(ARCA_ERR_VERIFY_PLATFORM_UNTRUSTED,
                   "the evidence lists %u certificates but its path to the pinned root has %zu: "
                   "every listed certificate must be on the path", n, path.length);
    if (arca__cert_ec_key(certs[0], leaf_key) != ARCA_OK)
        ARCA_RAISE(ARCA_ERR_VERIFY_PLATFORM_UNTRUSTED,
                   "the leaf certificate of the evidence's chain has no ECDSA P-256 key");
    result = arca__cert_spki_hash(certs[0], leaf_spki);
    if (result != ARCA_OK)
        ARCA_RAISE(ARCA_ERR_VERIFY_PLATFORM_UNTRUSTED,
                   "the leaf certificate's key cannot be encoded: %s", arca__error_detail());
done:
    if (result != ARCA_OK && *leaf_key) {
        arca__ec_free(*leaf_key);
        *leaf_key = NULL;
    }
    arca__trust_free(trust);
    arca__cert_free(anchor);
    for (uint32_t i = 0; i < n; i++)
        arca__cert_free(certs[i]);
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
                   "a certificate the policy does not pin%s; pin the platform's root "
                   "(TrustedArcadRoot for an arcad daemon's root-cert.pem, TrustedPlatformCert "
                   "for a dev platform's certificate)",
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
