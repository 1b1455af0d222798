/*
 * policy.c — the verification policy object: creation, setters and pinned platform
 * certificates.
 *
 * Certificates are parsed, checked (X.509 with a P-256 key) and hashed here, once, so that
 * verification needs no X.509 work at all: it matches the evidence's certificate by the
 * hash of its DER and runs a single ECDSA verify. This file makes no trust decision itself
 * and never accepts a certificate it cannot fully parse.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/pem.h>
#include <openssl/x509.h>

#include "common/error.h"
#include "common/evidence.h"
#include "common/image.h"
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
    for (size_t i = 0; i < policy->cert_count; i++)
        arca__ec_free(policy->certs[i].key);
    free(policy->certs);
    free(policy->measurements);
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

/*
 * The platform kind in evidence is a claim of whoever holds the platform key — for a dev
 * platform, the host user, the very party AllowDevPlatform = 0 must keep out. So the kind is
 * also taken from the pinned certificate: a dev platform's (dev_create.c; docs/formats.md)
 * says so in its subject, and evidence under it is dev evidence whatever it claims.
 */
static int subject_entry_is(X509_NAME *name, int nid, const char *text, int prefix_only)
{
    for (int i = X509_NAME_get_index_by_NID(name, nid, -1); i >= 0;
         i = X509_NAME_get_index_by_NID(name, nid, i)) {
        const ASN1_STRING *v = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i));
        size_t want = strlen(text), have = v ? (size_t)ASN1_STRING_length(v) : 0;
        if (v && (prefix_only ? have >= want : have == want) &&
            memcmp(ASN1_STRING_get0_data(v), text, want) == 0)
            return 1;
    }
    return 0;
}

static int is_dev_platform_cert(X509 *x)
{
    X509_NAME *name = X509_get_subject_name(x);
    return name && (subject_entry_is(name, NID_organizationName, ARCA_DEV_CERT_ORG, 0) ||
                    subject_entry_is(name, NID_commonName, ARCA_DEV_CERT_CN_PREFIX, 1));
}

arca_result_t arca_policy_add_trusted_cert(arca_policy_t *policy, const uint8_t *cert, size_t len)
{
    arca_result_t result = ARCA_OK;
    X509 *x = NULL;
    BIO *bio = NULL;
    unsigned char *der = NULL, *spki = NULL;
    int der_len, spki_len;
    struct arca__trusted_cert entry = {0};

    NEED_POLICY(policy);
    if (!cert || len == 0 || len > INT32_MAX)
        ARCA_RAISE(ARCA_ERR_POLICY, "policy: empty or oversized trusted certificate");
    if (policy->cert_count >= ARCA__POLICY_MAX_CERTS)
        ARCA_RAISE(ARCA_ERR_POLICY, "policy: more than %u trusted certificates", ARCA__POLICY_MAX_CERTS);
    if (cert[0] != 0x30) { /* DER starts with a SEQUENCE tag; anything else may be PEM */
        bio = BIO_new_mem_buf(cert, (int)len);
        if (bio)
            x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
    } else {
        const unsigned char *p = cert;
        x = d2i_X509(NULL, &p, (long)len);
        if (x && p != cert + len) { /* trailing bytes: not exactly one certificate */
            X509_free(x);
            x = NULL;
        }
    }
    if (!x)
        ARCA_CHECK(arca__crypto_error(ARCA_ERR_POLICY, "policy: trusted certificate is not a PEM or DER X.509 certificate"));
    der_len = i2d_X509(x, &der);
    spki_len = i2d_PUBKEY(X509_get0_pubkey(x), &spki);
    if (der_len <= 0 || spki_len <= 0)
        ARCA_CHECK(arca__crypto_error(ARCA_ERR_POLICY, "policy: trusted certificate cannot be re-encoded"));
    if (arca__ec_from_evp(X509_get0_pubkey(x), &entry.key) != ARCA_OK)
        ARCA_RAISE(ARCA_ERR_POLICY, "policy: trusted certificate's key is not an ECDSA P-256 key");
    ARCA_CHECK(arca__sha256(der, (size_t)der_len, entry.der_sha256));
    ARCA_CHECK(arca__sha256(spki, (size_t)spki_len, entry.spki_sha256));
    entry.is_dev = is_dev_platform_cert(x);
    struct arca__trusted_cert *grown =
        realloc(policy->certs, (policy->cert_count + 1) * sizeof *policy->certs);
    if (!grown)
        ARCA_RAISE(ARCA_ERR_OUT_OF_MEMORY, "policy: out of memory");
    policy->certs = grown;
    policy->certs[policy->cert_count++] = entry;
    entry.key = NULL;
done:
    arca__ec_free(entry.key);
    OPENSSL_free(der);
    OPENSSL_free(spki);
    X509_free(x);
    BIO_free(bio);
    return result;
}

arca_result_t arca_policy_add_trusted_cert_file(arca_policy_t *policy, const char *path)
{
    arca_result_t result = ARCA_OK;
    uint8_t *bytes = NULL;
    size_t len = 0;

    NEED_POLICY(policy);
    if (!path)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "arca_policy_add_trusted_cert_file: NULL path");
    if (arca__read_file(path, 1u << 20, &bytes, &len) != ARCA_OK)
        ARCA_RAISE(ARCA_ERR_POLICY, "policy: cannot read trusted certificate %s: %s", path,
                   arca__error_detail());
    result = arca_policy_add_trusted_cert(policy, bytes, len);
    if (result != ARCA_OK)
        ARCA_RAISE(result, "%s: %s", path, arca__error_detail());
done:
    free(bytes);
    return result;
}
