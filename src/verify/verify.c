/*
 * verify.c — arca_verify_evidence: the format registry's dispatch (formats.c), and the first
 * format, Arca evidence v2, checked against a policy.
 *
 * The order of checks is part of the API (verify.h): format, policy completeness, a chain
 * that ends at a pinned root (chain.c), signature, then the claims. Nothing read from the
 * evidence is believed before the signature verified under that chain, and each failure
 * returns its own result code with a detail that names the values involved. Trust decisions
 * come from the pinned root (the kind it was pinned for) and the signed evidence, never from
 * certificate text. For a chain of one, exactly one ECDSA verify runs per call and no X.509
 * parsing happens (policy.c did it when the root was pinned). Claims are handed out only
 * when the format's verify() returned ARCA_OK; on any failure they are zero.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/error.h"
#include "formats/evidence.h"
#include "base/hex.h"
#include "format.h"
#include "verify_internal.h"

/* The first 8 bytes of an id as 16 hex digits, for messages. */
static void hex8(const uint8_t *b, char out[17])
{
    arca__hex_encode(b, 8, out);
}

/* Seconds as nanoseconds, saturating: a policy's "very long" stays very long. */
static uint64_t seconds_to_ns(uint64_t seconds)
{
    uint64_t ns;
    return __builtin_mul_overflow(seconds, (uint64_t)1000000000u, &ns) ? UINT64_MAX : ns;
}

const char *arca_verify_last_error(void)
{
    return arca__error_detail();
}

/* The policy is for Arca evidence and complete: it names an enclave and demands freshness. */
static arca_result_t check_policy(const arca_policy_t *policy)
{
    arca_result_t result = ARCA_OK;
    if (policy->tee.tee != ARCA_TEE_NONE)
        ARCA_RAISE(ARCA_ERR_VERIFY_BACKEND,
                   "this is Arca evidence, but the policy is for hardware evidence (it sets TEE "
                   "or SGX., TDX. or SNP. keys): verify Arca evidence with a policy that names "
                   "the enclave (Measurement or SignerID)");
    if (policy->measurement_count == 0 && !policy->has_signer)
        ARCA_RAISE(ARCA_ERR_POLICY, "policy names no enclave: set Measurement or SignerID");
    /* SignerID alone would accept every product of that signer (SGX: MRSIGNER needs ISVPRODID). */
    if (policy->has_signer && !policy->has_product)
        ARCA_RAISE(ARCA_ERR_POLICY, "policy sets a signer id but no product id, so it would accept every "
                   "product of that signer: call arca_policy_set_product_id() (ProductID in policy.conf)");
    if (!policy->has_report_data && policy->max_age_s == 0)
        ARCA_RAISE(ARCA_ERR_POLICY, "policy demands no freshness, so evidence of any age (a replay, "
                   "or one dated 1970) would pass: expect a nonce (ReportData, "
                   "arca_policy_set_report_data(), arca verify --nonce) or bound the age "
                   "(MaxAgeSeconds, arca_policy_set_max_age()), or both");
done:
    return result;
}

#ifdef ARCA_VERIFY_HW
static const char other_formats[] =
    "; hardware evidence is an Intel DCAP quote (version 3 to 5, Intel's QE vendor id), an AMD "
    "SEV-SNP report (0x4A0 bytes) or an Azure HCL report (\"HCLA\")";
#else
static const char other_formats[] = " (the enclave-side verifier verifies no hardware evidence)";
#endif

static int arca_detect(const uint8_t *bytes, size_t len)
{
    return len >= 8 && memcmp(bytes, ARCA_EVIDENCE_MAGIC, 8) == 0;
}

static arca_result_t arca_verify(const arca__evidence_format *self, const uint8_t *evidence,
                                 size_t len, const arca_policy_t *policy, uint64_t now_ns,
                                 arca_claims_t *claims)
{
    arca_result_t result = ARCA_OK;
    arca__evidence ev;
    const struct arca__trusted_cert *root = NULL;
    arca__ec_key *owned_leaf = NULL;
    uint8_t leaf_spki[32];
    char a[17], b[17];
    uint64_t limit;
    const char *contradiction;

    ARCA_CHECK(arca__evidence_parse(evidence, len, &ev));
    ARCA_CHECK(check_policy(policy));

    /* 1. The platform: its chain must end at a root the policy pinned. */
    ARCA_CHECK(arca__verify_chain(policy, &ev, (int64_t)(now_ns / 1000000000u), &root, &owned_leaf,
                                  leaf_spki));

    /* 2. The signature, under the chain's leaf. */
    if (arca__ec_verify(owned_leaf ? owned_leaf : root->key, evidence, ev.signed_len,
                        ev.signature) != ARCA_OK)
        ARCA_RAISE(ARCA_ERR_VERIFY_SIGNATURE,
                   "the evidence signature does not verify under its platform certificate: the "
                   "evidence was modified or forged");
    if (memcmp(ev.platform_id, leaf_spki, 32) != 0)
        ARCA_RAISE(ARCA_ERR_BAD_EVIDENCE,
                   "the evidence's platform id does not match its certificate's key");

    /* 3. What kind of platform vouches: the kind the root was pinned for, and the kind the
     * evidence states, must agree. A dev platform's key holder (the host user) can state any
     * kind, so either one saying dev makes it dev evidence. */
    if ((ev.platform_kind == ARCA_PLATFORM_DEV || root->kind == ARCA_PLATFORM_DEV) &&
        !policy->allow_dev_platform)
        ARCA_RAISE(ARCA_ERR_VERIFY_DEV_PLATFORM,
                   "the evidence comes from a dev platform (%s), whose keys the host user holds; "
                   "set AllowDevPlatform = 1 only for development",
                   ev.platform_kind == ARCA_PLATFORM_DEV
                       ? "it says so"
                       : "its chain ends at a root the policy pinned as a dev platform's, although "
                         "the evidence claims another platform kind");
    if (ev.platform_kind != root->kind)
        ARCA_RAISE(ARCA_ERR_BAD_EVIDENCE,
                   "the evidence claims platform kind %s but its chain ends at a root pinned for %s "
                   "platforms: it was forged by the holder of that platform's key",
                   arca__platform_kind_name(ev.platform_kind), arca__platform_kind_name(root->kind));

    /* 4. Where and how the enclave ran, as far as it decides whether anything isolated it. */
    if (!arca__backend_isolates(ev.identity.backend) && !policy->allow_simulation)
        ARCA_RAISE(ARCA_ERR_VERIFY_SIMULATION,
                   "the enclave ran on backend '%s', which does not isolate it from its host (the "
                   "host reads and changes its memory and keys); set AllowSimulation = 1 only for "
                   "development and tests",
                   arca_backend_id_name(ev.identity.backend));
    contradiction = arca__protections_contradiction(ev.identity.backend, ev.identity.protections);
    if (contradiction) {
        char prot[256];
        arca_protections_str(ev.identity.protections, prot, sizeof prot);
        ARCA_RAISE(ARCA_ERR_VERIFY_PROTECTIONS,
                   "the evidence reports protections that cannot hold together on backend '%s' "
                   "(%s): %s; whoever launched the enclave misreported them",
                   arca_backend_id_name(ev.identity.backend), prot, contradiction);
    }

    /* 5. What the platform vouches for, against the policy. */
    if ((ev.identity.attributes & ARCA_ATTR_DEBUG) && !policy->allow_debug)
        ARCA_RAISE(ARCA_ERR_VERIFY_DEBUG,
                   "the enclave is a debug enclave; set AllowDebug = 1 only for development");
    if (policy->measurement_count) {
        int found = 0;
        for (size_t i = 0; i < policy->measurement_count; i++)
            found |= memcmp(policy->measurements[i], ev.identity.measurement, 32) == 0;
        if (!found) {
            hex8(ev.identity.measurement, a);
            ARCA_RAISE(ARCA_ERR_VERIFY_MEASUREMENT,
                       "measurement %s... is not among the policy's %zu accepted measurements", a,
                       policy->measurement_count);
        }
    }
    if (policy->has_signer && memcmp(policy->signer_id, ev.identity.signer_id, 32) != 0) {
        hex8(ev.identity.signer_id, a);
        hex8(policy->signer_id, b);
        ARCA_RAISE(ARCA_ERR_VERIFY_SIGNER, "signer id %s... is not the policy's %s...", a, b);
    }
    if (policy->has_product && policy->product_id != ev.identity.product_id)
        ARCA_RAISE(ARCA_ERR_VERIFY_PRODUCT, "product id %u is not the policy's %u",
                   ev.identity.product_id, policy->product_id);
    if (ev.identity.svn < policy->min_svn)
        ARCA_RAISE(ARCA_ERR_VERIFY_SVN, "security version %u is below the policy's minimum %u",
                   ev.identity.svn, policy->min_svn);
    if (policy->runtime_count) {
        int found = 0;
        for (size_t i = 0; i < policy->runtime_count; i++)
            found |= memcmp(policy->runtimes[i], ev.runtime_digest, 32) == 0;
        if (!found) {
            static const uint8_t zero[32] = {0};
            hex8(ev.runtime_digest, a);
            ARCA_RAISE(ARCA_ERR_VERIFY_RUNTIME,
                       "runtime digest %s... is not among the policy's %zu accepted runtimes%s", a,
                       policy->runtime_count,
                       memcmp(ev.runtime_digest, zero, 32) == 0
                           ? " (the evidence names no runtime: its launcher did not say which "
                             "loader and libraries ran the enclave)"
                           : "");
        }
    }
    if (policy->has_report_data && !arca__ct_equal(policy->report_data, ev.report_data, 64))
        ARCA_RAISE(ARCA_ERR_VERIFY_REPORT_DATA,
                   "report data differs from the expected value (a stale or replayed evidence, or "
                   "a different nonce)");

    /* 6. Freshness. */
    if (__builtin_add_overflow(now_ns, seconds_to_ns(policy->clock_skew_s), &limit))
        limit = UINT64_MAX;
    if (ev.timestamp_ns > limit)
        ARCA_RAISE(ARCA_ERR_VERIFY_FUTURE,
                   "evidence timestamp lies %llu s in the future (tolerance %llu s); check the clocks",
                   (unsigned long long)((ev.timestamp_ns - now_ns) / 1000000000u),
                   (unsigned long long)policy->clock_skew_s);
    if (policy->max_age_s && now_ns > ev.timestamp_ns) {
        uint64_t age_ns = now_ns - ev.timestamp_ns;
        if (age_ns > seconds_to_ns(policy->max_age_s))
            ARCA_RAISE(ARCA_ERR_VERIFY_EXPIRED, "evidence is %llu s old; the policy allows %llu s",
                       (unsigned long long)(age_ns / 1000000000u),
                       (unsigned long long)policy->max_age_s);
    }

    /* 7. How the enclave ran. */
    if (policy->backend && policy->backend != ev.identity.backend)
        ARCA_RAISE(ARCA_ERR_VERIFY_BACKEND, "the enclave ran on backend '%s'; the policy requires '%s'",
                   arca_backend_id_name(ev.identity.backend), arca_backend_id_name(policy->backend));
    if ((ev.identity.protections & policy->protections) != policy->protections) {
        char missing[256];
        arca_protections_str(policy->protections & ~ev.identity.protections, missing, sizeof missing);
        ARCA_RAISE(ARCA_ERR_VERIFY_BACKEND, "protections required by the policy were not in force: %s",
                   missing);
    }

    if (claims) {
        claims->format = self->id;
        claims->identity = ev.identity;
        claims->platform_kind = ev.platform_kind;
        memcpy(claims->platform_id, ev.platform_id, 32);
        memcpy(claims->report_data, ev.report_data, 64);
        claims->timestamp_ns = ev.timestamp_ns;
        memcpy(claims->runtime_digest, ev.runtime_digest, 32);
    }
done:
    arca__ec_free(owned_leaf);
    return result;
}

const arca__evidence_format arca__format_arca_v2 = {
    .id = ARCA_EVIDENCE_ARCA,
    .name = "arca-evidence",
    .detect = arca_detect,
    .verify = arca_verify,
    .hw_verify = NULL,
};

arca_result_t arca_verify_evidence_at(const uint8_t *evidence, size_t len,
                                      const arca_policy_t *policy, uint64_t at_ns,
                                      arca_claims_t *claims)
{
    arca_result_t result = ARCA_OK;
    const arca__evidence_format *format;
    uint64_t now_ns = at_ns;

    arca__error_clear();
    if (claims)
        memset(claims, 0, sizeof *claims);
    if (!evidence || !policy)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "arca_verify_evidence: NULL evidence or policy");
    format = arca__evidence_format_find(evidence, len);
    if (!format)
        ARCA_RAISE(ARCA_ERR_BAD_EVIDENCE,
                   "%zu bytes of no evidence format this build verifies: Arca evidence starts "
                   "with \"" ARCA_EVIDENCE_MAGIC "\"%s", len, other_formats);
    if (!now_ns)
        now_ns = policy->now_ns;
    if (!now_ns) {
        struct timespec ts;
        if (clock_gettime(CLOCK_REALTIME, &ts) != 0 || ts.tv_sec < 0)
            ARCA_RAISE(ARCA_ERR_INTERNAL, "cannot read the clock");
        now_ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
    }
    result = format->verify(format, evidence, len, policy, now_ns, claims);
done:
    if (result != ARCA_OK && claims)
        memset(claims, 0, sizeof *claims);
    return result;
}

arca_result_t arca_verify_evidence(const uint8_t *evidence, size_t len, const arca_policy_t *policy,
                                   arca_claims_t *claims)
{
    return arca_verify_evidence_at(evidence, len, policy, 0, claims);
}
