/*
 * policy.c — the verification policy object: creation, setters and pinned root
 * certificates.
 *
 * Roots are parsed (by src/crypto's X.509 wrapper, crypto_x509.h), checked (X.509 with a
 * P-256 key) and hashed here, once, so that
 * verifying a chain of one (the dev platform's self-signed certificate) needs no X.509 work:
 * it matches the evidence's certificate by the hash of its DER and runs a single ECDSA
 * verify. Each root is pinned for one platform kind, given by the caller; nothing here reads
 * a certificate's subject to decide what kind of platform it belongs to (a subject is text
 * its key holder writes). This file makes no trust decision itself and never accepts a
 * certificate it cannot fully parse.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "crypto/crypto_x509.h"
#include "formats/evidence.h"
#include "formats/image.h"
#include "verify_internal.h"

arca_result_t arca_policy_create(arca_policy_t **out)
{
    arca_result_t result = ARCA_OK;
    if (!out)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "arca_policy_create: NULL output");
    *out = calloc(1, sizeof **out);
    if (!*out)
        ARCA_RAISE(ARCA_ERR_OUT_OF_MEMORY, "arca_policy_create: out of memory");
    (*out)->clock_skew_s = ARCA__POLICY_DEFAULT_SKEW;
done:
    return result;
}

void arca_policy_free(arca_policy_t *policy)
{
    if (!policy)
        return;
    for (size_t i = 0; i < policy->cert_count; i++) {
        arca__ec_free(policy->certs[i].key);
        free(policy->certs[i].der);
    }
    free(policy->certs);
    free(policy->measurements);
    free(policy->runtimes);
#ifdef ARCA_VERIFY_HW /* the hardware part exists host side only (src/verify/hw/policy_tee.c) */
    arca__policy_tee_clear(&policy->tee);
#endif
    free(policy);
}

#define NEED_POLICY(p)                                                                           \
    do {                                                                                         \
        if (!(p))                                                                                \
            ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "%s: NULL policy", __func__);                  \
    } while (0)

arca_result_t arca_policy_add_measurement(arca_policy_t *policy, const uint8_t measurement[32])
{
    arca_result_t result = ARCA_OK;
    NEED_POLICY(policy);
    if (!measurement)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "arca_policy_add_measurement: NULL measurement");
    if (policy->measurement_count >= ARCA__POLICY_MAX_MEASUREMENTS)
        ARCA_RAISE(ARCA_ERR_POLICY, "policy: more than %u measurements", ARCA__POLICY_MAX_MEASUREMENTS);
    uint8_t(*grown)[32] = realloc(policy->measurements, (policy->measurement_count + 1) * 32);
    if (!grown)
        ARCA_RAISE(ARCA_ERR_OUT_OF_MEMORY, "policy: out of memory");
    policy->measurements = grown;
    memcpy(policy->measurements[policy->measurement_count++], measurement, 32);
done:
    return result;
}

arca_result_t arca_policy_set_signer(arca_policy_t *policy, const uint8_t signer_id[32])
{
    arca_result_t result = ARCA_OK;
    NEED_POLICY(policy);
    if (!signer_id)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "arca_policy_set_signer: NULL signer id");
    memcpy(policy->signer_id, signer_id, 32);
    policy->has_signer = 1;
done:
    return result;
}

arca_result_t arca_policy_set_product_id(arca_policy_t *policy, uint16_t product_id)
{
    arca_result_t result = ARCA_OK;
    NEED_POLICY(policy);
    policy->product_id = product_id;
    policy->has_product = 1;
done:
    return result;
}

arca_result_t arca_policy_set_min_svn(arca_policy_t *policy, uint16_t min_svn)
{
    arca_result_t result = ARCA_OK;
    NEED_POLICY(policy);
    policy->min_svn = min_svn;
done:
    return result;
}

arca_result_t arca_policy_set_allow_debug(arca_policy_t *policy, int allow)
{
    arca_result_t result = ARCA_OK;
    NEED_POLICY(policy);
    policy->allow_debug = allow != 0;
done:
    return result;
}

arca_result_t arca_policy_set_allow_dev_platform(arca_policy_t *policy, int allow)
{
    arca_result_t result = ARCA_OK;
    NEED_POLICY(policy);
    policy->allow_dev_platform = allow != 0;
done:
    return result;
}

arca_result_t arca_policy_set_allow_simulation(arca_policy_t *policy, int allow)
{
    arca_result_t result = ARCA_OK;
    NEED_POLICY(policy);
    policy->allow_simulation = allow != 0;
done:
    return result;
}

arca_result_t arca_policy_add_runtime_digest(arca_policy_t *policy, const uint8_t digest[32])
{
    arca_result_t result = ARCA_OK;
    static const uint8_t zero[32] = {0};
    NEED_POLICY(policy);
    if (!digest)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "arca_policy_add_runtime_digest: NULL digest");
    if (memcmp(digest, zero, sizeof zero) == 0)
        ARCA_RAISE(ARCA_ERR_POLICY, "policy: an all-zero runtime digest means 'the launcher did not "
                   "say which runtime ran the enclave' and cannot be pinned; pin the digest the "
                   "evidence of the runtime you trust carries");
    if (policy->runtime_count >= ARCA__POLICY_MAX_RUNTIMES)
        ARCA_RAISE(ARCA_ERR_POLICY, "policy: more than %u runtime digests", ARCA__POLICY_MAX_RUNTIMES);
    uint8_t(*grown)[32] = realloc(policy->runtimes, (policy->runtime_count + 1) * 32);
    if (!grown)
        ARCA_RAISE(ARCA_ERR_OUT_OF_MEMORY, "policy: out of memory");
    policy->runtimes = grown;
    memcpy(policy->runtimes[policy->runtime_count++], digest, 32);
done:
    return result;
}

arca_result_t arca_policy_set_report_data(arca_policy_t *policy, const uint8_t *data, size_t len)
{
    arca_result_t result = ARCA_OK;
    NEED_POLICY(policy);
    if (len > 64 || (len && !data))
        ARCA_RAISE(ARCA_ERR_POLICY, "policy: report data must be at most 64 bytes (got %zu)", len);
    memset(policy->report_data, 0, sizeof policy->report_data);
    if (len)
        memcpy(policy->report_data, data, len);
    policy->has_report_data = 1;
done:
    return result;
}

arca_result_t arca_policy_set_max_age(arca_policy_t *policy, uint64_t seconds)
{
    arca_result_t result = ARCA_OK;
    NEED_POLICY(policy);
    policy->max_age_s = seconds;
done:
    return result;
}

arca_result_t arca_policy_set_clock_skew(arca_policy_t *policy, uint64_t seconds)
{
    arca_result_t result = ARCA_OK;
    NEED_POLICY(policy);
    /* A large tolerance would accept evidence dated far ahead, which stays "fresh" for long. */
    if (seconds > ARCA__POLICY_MAX_SKEW)
        ARCA_RAISE(ARCA_ERR_POLICY, "policy: a clock skew of %llu s is too large (at most %u s); "
                   "synchronise the clocks instead", (unsigned long long)seconds,
                   ARCA__POLICY_MAX_SKEW);
    policy->clock_skew_s = seconds;
done:
    return result;
}

arca_result_t arca_policy_set_backend(arca_policy_t *policy, uint16_t backend)
{
    arca_result_t result = ARCA_OK;
    NEED_POLICY(policy);
    policy->backend = backend;
done:
    return result;
}

arca_result_t arca_policy_require_protections(arca_policy_t *policy, uint32_t protections)
{
    arca_result_t result = ARCA_OK;
    NEED_POLICY(policy);
    policy->protections |= protections;
done:
    return result;
}

arca_result_t arca_policy_set_time(arca_policy_t *policy, uint64_t now_ns)
{
    arca_result_t result = ARCA_OK;
    NEED_POLICY(policy);
    policy->now_ns = now_ns;
done:
    return result;
}

const char *arca__platform_kind_name(uint16_t kind)
{
    return kind == ARCA_PLATFORM_DEV ? "dev" : kind == ARCA_PLATFORM_ARCAD ? "arcad" : "unknown";
}

arca_result_t arca_policy_add_trusted_root(arca_policy_t *policy, uint16_t platform_kind,
                                           const uint8_t *cert, size_t len)
{
    arca_result_t result = ARCA_OK;
    arca__cert *x = NULL;
    const uint8_t *der;
    size_t der_len = 0;
    struct arca__trusted_cert entry = {0};

    NEED_POLICY(policy);
    if (platform_kind != ARCA_PLATFORM_DEV && platform_kind != ARCA_PLATFORM_ARCAD)
        ARCA_RAISE(ARCA_ERR_POLICY, "policy: unknown platform kind %u for a trusted root (dev = %d, "
                   "arcad = %d)", platform_kind, ARCA_PLATFORM_DEV, ARCA_PLATFORM_ARCAD);
    if (!cert || len == 0 || len > INT32_MAX)
        ARCA_RAISE(ARCA_ERR_POLICY, "policy: empty or oversized trusted certificate");
    if (policy->cert_count >= ARCA__POLICY_MAX_CERTS)
        ARCA_RAISE(ARCA_ERR_POLICY, "policy: more than %u trusted certificates", ARCA__POLICY_MAX_CERTS);
    result = arca__cert_parse(cert, len, "trusted certificate", &x);
    if (result == ARCA_ERR_OUT_OF_MEMORY)
        goto done;
    if (result != ARCA_OK)
        ARCA_RAISE(ARCA_ERR_POLICY, "policy: trusted certificate is not a PEM or DER X.509 "
                   "certificate (%s)", arca__error_detail());
    if (arca__cert_ec_key(x, &entry.key) != ARCA_OK)
        ARCA_RAISE(ARCA_ERR_POLICY, "policy: trusted certificate's key is not an ECDSA P-256 key");
    der = arca__cert_der(x, &der_len);
    memcpy(entry.der_sha256, arca__cert_hash(x), 32);
    ARCA_CHECK(arca__cert_spki_hash(x, entry.spki_sha256));
    entry.kind = platform_kind;
    /* One root, one kind: a root pinned for two kinds would let its key holder choose. */
    for (size_t i = 0; i < policy->cert_count; i++)
        if (memcmp(policy->certs[i].der_sha256, entry.der_sha256, 32) == 0 &&
            policy->certs[i].kind != platform_kind)
            ARCA_RAISE(ARCA_ERR_POLICY, "policy: this certificate is already pinned as a root of %s "
                       "platforms; a root vouches for one kind of platform",
                       arca__platform_kind_name(policy->certs[i].kind));
    entry.der = malloc(der_len);
    if (!entry.der)
        ARCA_RAISE(ARCA_ERR_OUT_OF_MEMORY, "policy: out of memory");
    memcpy(entry.der, der, der_len);
    entry.der_len = der_len;
    struct arca__trusted_cert *grown =
        realloc(policy->certs, (policy->cert_count + 1) * sizeof *policy->certs);
    if (!grown)
        ARCA_RAISE(ARCA_ERR_OUT_OF_MEMORY, "policy: out of memory");
    policy->certs = grown;
    policy->certs[policy->cert_count++] = entry;
    entry.key = NULL;
    entry.der = NULL;
done:
    arca__ec_free(entry.key);
    free(entry.der);
    arca__cert_free(x);
    return result;
}

arca_result_t arca_policy_add_trusted_cert(arca_policy_t *policy, const uint8_t *cert, size_t len)
{
    return arca_policy_add_trusted_root(policy, ARCA_PLATFORM_DEV, cert, len);
}

arca_result_t arca__policy_add_root_file(arca_policy_t *policy, uint16_t platform_kind,
                                         const char *path)
{
    arca_result_t result = ARCA_OK;
    uint8_t *bytes = NULL;
    size_t len = 0;

    NEED_POLICY(policy);
    if (!path)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "policy: NULL path of a trusted certificate");
    if (arca__read_file(path, 1u << 20, &bytes, &len) != ARCA_OK)
        ARCA_RAISE(ARCA_ERR_POLICY, "policy: cannot read trusted certificate %s: %s", path,
                   arca__error_detail());
    result = arca_policy_add_trusted_root(policy, platform_kind, bytes, len);
    if (result != ARCA_OK)
        ARCA_RAISE(result, "%s: %s", path, arca__error_detail());
done:
    free(bytes);
    return result;
}

arca_result_t arca_policy_add_trusted_cert_file(arca_policy_t *policy, const char *path)
{
    return arca__policy_add_root_file(policy, ARCA_PLATFORM_DEV, path);
}
