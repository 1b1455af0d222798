/*
 * crypto_x509.c — certificates, revocation lists, pinned roots and chain verification at a
 * given time, over OpenSSL 3's X509 API, for the hardware evidence verifiers (Intel DCAP PCK
 * chains and collateral signers, AMD VCEK/VLEK -> ASK/ASVK -> ARK).
 *
 * The same code verifies the platform certificate chain of Arca evidence (src/verify/chain.c),
 * whose pinned root may be an intermediate (a trust anchor, arca__trust_add_anchor) and which
 * is held to RFC 5280's strict checks.
 *
 * Divisions: time conversion; certificates; revocation lists; pinned roots; chain
 * verification (OpenSSL builds the path and checks every signature, CA constraint, validity
 * period and CRL; this file only sets the time and the CRL policy, and turns OpenSSL's
 * verdict into one result code per failed check).
 *
 * Everything handed in is hostile until verified: parsers bound their input, refuse
 * trailing bytes after DER, and never leave OpenSSL's error queue filled. This file must
 * never trust a root that was not pinned (no system store; a partial chain only to an anchor
 * pinned as such), and never report success for a path with any error, even one OpenSSL
 * would let a callback ignore.
 */
#define _GNU_SOURCE /* memmem, timegm */
#include "crypto_x509.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include "crypto.h"
#include "crypto_x509_internal.h"
#include "base/error.h"

/* ---- time conversion ---- */

int64_t arca__asn1_time_to_unix(const void *asn1_time)
{
    struct tm tm;
    if (!asn1_time || ASN1_TIME_to_tm(asn1_time, &tm) != 1) {
        ERR_clear_error();
        return INT64_MIN;
    }
    return (int64_t)timegm(&tm);
}

/* "2025-06-19 10:56:11 UTC" for messages. */
static void format_time(int64_t t, char *buf, size_t cap)
{
    struct tm tm;
    time_t tt = (time_t)t;
    if (t == INT64_MAX || t == INT64_MIN || !gmtime_r(&tt, &tm) ||
        strftime(buf, cap, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
        snprintf(buf, cap, "%s", t == INT64_MAX ? "never" : "an unreadable time");
}

/* ---- certificates ---- */

arca__cert *arca__cert_wrap(X509 *x)
{
    arca__cert *c = OPENSSL_zalloc(sizeof *c);
    unsigned char *der = NULL;
    int n;

    if (!c)
        return NULL;
    n = i2d_X509(x, &der);
    if (n <= 0 || !der || arca__sha256(der, (size_t)n, c->hash) != ARCA_OK) {
        OPENSSL_free(der);
        OPENSSL_free(c);
        ERR_clear_error();
        return NULL;
    }
    c->x = x;
    c->der = der;
    c->der_len = (size_t)n;
    c->refs = 1;
    return c;
}

arca__cert *arca__cert_ref(arca__cert *cert)
{
    if (cert)
        __atomic_add_fetch(&cert->refs, 1, __ATOMIC_RELAXED);
    return cert;
}

void arca__cert_free(arca__cert *cert)
{
    if (!cert || __atomic_sub_fetch(&cert->refs, 1, __ATOMIC_ACQ_REL) != 0)
        return;
    X509_free(cert->x);
    OPENSSL_free(cert->der);
    OPENSSL_free(cert);
}

const uint8_t *arca__cert_hash(const arca__cert *cert)
{
    return cert->hash;
}

const uint8_t *arca__cert_der(const arca__cert *cert, size_t *len)
{
    *len = cert->der_len;
    return cert->der;
}

static void name_cn(X509_NAME *name, char *buf, size_t cap)
{
    if (cap == 0)
        return;
    buf[0] = '\0';
    if (name && X509_NAME_get_text_by_NID(name, NID_commonName, buf,
                                          (int)(cap > INT_MAX ? INT_MAX : cap)) < 0)
        buf[0] = '\0';
    ERR_clear_error();
}

void arca__cert_cn(const arca__cert *cert, int issuer, char *buf, size_t cap)
{
    name_cn(issuer ? X509_get_issuer_name(cert->x) : X509_get_subject_name(cert->x), buf, cap);
}

void arca__cert_validity(const arca__cert *cert, int64_t *not_before, int64_t *not_after)
{
    *not_before = arca__asn1_time_to_unix(X509_get0_notBefore(cert->x));
    *not_after = arca__asn1_time_to_unix(X509_get0_notAfter(cert->x));
    /* An unreadable time must never widen a window. */
    if (*not_before == INT64_MIN)
        *not_before = INT64_MAX;
    if (*not_after == INT64_MIN)
        *not_after = INT64_MIN + 1;
}

int arca__cert_self_signed(const arca__cert *cert)
{
    EVP_PKEY *key;
    int ok;

    if (X509_NAME_cmp(X509_get_subject_name(cert->x), X509_get_issuer_name(cert->x)) != 0)
        return 0;
    key = X509_get0_pubkey(cert->x);
    ok = key && X509_verify(cert->x, key) == 1;
    ERR_clear_error();
    return ok;
}

int arca__cert_is_ca(const arca__cert *cert)
{
    const uint32_t flags = X509_get_extension_flags(cert->x);
    int ok = (flags & EXFLAG_BCONS) && (flags & EXFLAG_CA) && !(flags & EXFLAG_INVALID) &&
             (!(flags & EXFLAG_KUSAGE) || (X509_get_key_usage(cert->x) & KU_KEY_CERT_SIGN));
    ERR_clear_error();
    return ok;
}

arca_result_t arca__cert_check_issued(const arca__cert *cert, const arca__cert *issuer)
{
    arca_result_t result = ARCA_OK;
    char cn[96], issuer_cn[96];
    EVP_PKEY *key;
    int v;

    name_cn(X509_get_subject_name(cert->x), cn, sizeof cn);
    name_cn(X509_get_subject_name(issuer->x), issuer_cn, sizeof issuer_cn);
    /* The names, the key identifiers and the issuer's keyUsage (RFC 5280's rules, OpenSSL's
     * code); the signature is checked on its own below, so each failure is named. */
    v = X509_check_issued(issuer->x, cert->x);
    if (v != X509_V_OK)
        ARCA_RAISE(ARCA_ERR_BAD_CHAIN, "'%s' was not issued by '%s': %s", cn, issuer_cn,
                   X509_verify_cert_error_string(v));
    key = X509_get0_pubkey(issuer->x);
    if (!key || X509_verify(cert->x, key) != 1)
        ARCA_RAISE(ARCA_ERR_BAD_CHAIN, "the signature of '%s' does not verify under the key of "
                   "'%s'", cn, issuer_cn);
done:
    ERR_clear_error();
    return result;
}

arca_result_t arca__cert_ec_key(const arca__cert *cert, arca__ec_key **out)
{
    arca_result_t result = ARCA_OK;
    EVP_PKEY *key;

    if (!out)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "cert_ec_key: NULL output");
    *out = NULL;
    if (!cert)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "cert_ec_key: NULL certificate");
    key = X509_get0_pubkey(cert->x);
    if (!key)
        ARCA_RAISE(arca__crypto_error(ARCA_ERR_KEY, "the certificate's public key is unreadable"));
    ARCA_CHECK(arca__ec_from_evp(key, out));
done:
    return result;
}

arca_result_t arca__cert_spki_hash(const arca__cert *cert, uint8_t out[32])
{
    arca_result_t result = ARCA_OK;
    unsigned char *spki = NULL;
    int n;

    if (!cert || !out)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "cert_spki_hash: NULL argument");
    n = i2d_PUBKEY(X509_get0_pubkey(cert->x), &spki);
    if (n <= 0 || !spki)
        ARCA_RAISE(arca__crypto_error(ARCA_ERR_KEY, "the certificate's public key cannot be "
                                                    "encoded"));
    ARCA_CHECK(arca__sha256(spki, (size_t)n, out));
done:
    OPENSSL_free(spki);
    return result;
}

/* Parse one DER certificate that must fill [der, der + len) exactly. */
static arca_result_t parse_der_cert(const uint8_t *der, size_t len, const char *name,
                                    arca__cert **out)
{
    arca_result_t result = ARCA_OK;
    const unsigned char *p = der;
    X509 *x = NULL;

    if (len > ARCA__X509_MAX_INPUT)
        ARCA_RAISE(ARCA_ERR_BAD_FORMAT, "%s: %zu bytes is too large for a certificate", name, len);
    x = d2i_X509(NULL, &p, (long)len);
    if (!x)
        ARCA_RAISE(
            arca__crypto_error(ARCA_ERR_BAD_FORMAT, "%s: not a DER X.509 certificate", name));
    if (p != der + len)
        ARCA_RAISE(ARCA_ERR_BAD_FORMAT, "%s: %zu trailing bytes after the DER certificate", name,
                   (size_t)(der + len - p));
    *out = arca__cert_wrap(x);
    if (!*out)
        ARCA_RAISE(ARCA_ERR_OUT_OF_MEMORY, "%s: cannot keep the certificate", name);
    x = NULL;
done:
    X509_free(x);
    return result;
}

static int is_pem(const uint8_t *bytes, size_t len, const char *label)
{
    char marker[64];
    int n = snprintf(marker, sizeof marker, "-----BEGIN %s-----", label);
    return n > 0 && memmem(bytes, len, marker, (size_t)n) != NULL;
}

arca_result_t arca__certs_parse(const uint8_t *bytes, size_t len, const char *name,
                                arca__cert **out, size_t cap, size_t *count)
{
    arca_result_t result = ARCA_OK;
    BIO *bio = NULL;
    X509 *x = NULL;
    size_t n = 0;

    if (!out || !count || (!bytes && len != 0) || !name)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "certs_parse: NULL argument");
    *count = 0;
    if (len == 0)
        ARCA_RAISE(ARCA_ERR_BAD_FORMAT, "%s: empty, expected an X.509 certificate", name);
    if (len > ARCA__X509_MAX_INPUT)
        ARCA_RAISE(ARCA_ERR_BAD_FORMAT, "%s: %zu bytes is too large for certificates", name, len);
    if (!is_pem(bytes, len, "CERTIFICATE")) {
        if (cap == 0)
            ARCA_RAISE(ARCA_ERR_OVERFLOW, "%s: no room for a certificate", name);
        ARCA_CHECK(parse_der_cert(bytes, len, name, &out[0]));
        n = 1;
        goto done;
    }
    bio = BIO_new_mem_buf(bytes, (int)len);
    if (!bio)
        ARCA_RAISE(arca__crypto_error(ARCA_ERR_OUT_OF_MEMORY, "%s: cannot allocate a BIO", name));
    for (;;) {
        x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
        if (!x) {
            unsigned long e = ERR_peek_last_error();
            if (ERR_GET_LIB(e) == ERR_LIB_PEM && ERR_GET_REASON(e) == PEM_R_NO_START_LINE) {
                ERR_clear_error(); /* the normal end: no further block */
                break;
            }
            ARCA_RAISE(arca__crypto_error(ARCA_ERR_BAD_FORMAT,
                                          "%s: certificate %zu of the PEM bundle is malformed",
                                          name, n + 1));
        }
        if (n == cap)
            ARCA_RAISE(ARCA_ERR_OVERFLOW, "%s: more than %zu certificates", name, cap);
        out[n] = arca__cert_wrap(x);
        if (!out[n])
            ARCA_RAISE(ARCA_ERR_OUT_OF_MEMORY, "%s: cannot keep certificate %zu", name, n + 1);
        x = NULL;
        n++;
    }
    if (n == 0)
        ARCA_RAISE(ARCA_ERR_BAD_FORMAT, "%s: no certificate in the PEM text", name);
done:
    X509_free(x);
    BIO_free(bio);
    if (result != ARCA_OK) {
        while (n > 0)
            arca__cert_free(out[--n]);
    }
    if (count)
        *count = n;
    return result;
}

arca_result_t arca__cert_parse_der(const uint8_t *der, size_t len, const char *name,
                                   arca__cert **out)
{
    arca_result_t result = ARCA_OK;

    if (!out)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "cert_parse_der: NULL output");
    *out = NULL;
    if ((!der && len != 0) || !name)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "cert_parse_der: NULL argument");
    if (len == 0)
        ARCA_RAISE(ARCA_ERR_BAD_FORMAT, "%s: empty, expected a DER X.509 certificate", name);
    ARCA_CHECK(parse_der_cert(der, len, name, out));
done:
    return result;
}

arca_result_t arca__cert_parse(const uint8_t *bytes, size_t len, const char *name, arca__cert **out)
{
    arca_result_t result = ARCA_OK;
    arca__cert *certs[2] = {NULL, NULL};
    size_t n = 0;

    if (!out)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "cert_parse: NULL output");
    *out = NULL;
    result = arca__certs_parse(bytes, len, name, certs, 2, &n);
    if (result == ARCA_ERR_OVERFLOW || (result == ARCA_OK && n != 1)) {
        arca__cert_free(certs[0]);
        arca__cert_free(certs[1]);
        ARCA_RAISE(ARCA_ERR_BAD_FORMAT, "%s: expected exactly one certificate", name);
    }
    ARCA_CHECK(result);
    *out = certs[0];
done:
    return result;
}

/* ---- revocation lists ---- */

arca_result_t arca__crl_parse(const uint8_t *bytes, size_t len, const char *name, arca__crl **out)
{
    arca_result_t result = ARCA_OK;
    X509_CRL *crl = NULL;
    BIO *bio = NULL;
    unsigned char *der = NULL;
    int der_len;

    if (!out || (!bytes && len != 0) || !name)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "crl_parse: NULL argument");
    *out = NULL;
    if (len == 0 || len > ARCA__X509_MAX_INPUT)
        ARCA_RAISE(ARCA_ERR_BAD_FORMAT, "%s: %zu bytes is not a plausible CRL size", name, len);
    if (is_pem(bytes, len, "X509 CRL")) {
        bio = BIO_new_mem_buf(bytes, (int)len);
        if (!bio)
            ARCA_RAISE(
                arca__crypto_error(ARCA_ERR_OUT_OF_MEMORY, "%s: cannot allocate a BIO", name));
        crl = PEM_read_bio_X509_CRL(bio, NULL, NULL, NULL);
        if (!crl)
            ARCA_RAISE(arca__crypto_error(ARCA_ERR_BAD_FORMAT, "%s: malformed PEM CRL", name));
    } else {
        const unsigned char *p = bytes;
        crl = d2i_X509_CRL(NULL, &p, (long)len);
        if (!crl)
            ARCA_RAISE(arca__crypto_error(ARCA_ERR_BAD_FORMAT, "%s: not a DER or PEM CRL", name));
        if (p != bytes + len)
            ARCA_RAISE(ARCA_ERR_BAD_FORMAT, "%s: %zu trailing bytes after the DER CRL", name,
                       (size_t)(bytes + len - p));
    }
    *out = OPENSSL_zalloc(sizeof **out);
    if (!*out)
        ARCA_RAISE(ARCA_ERR_OUT_OF_MEMORY, "%s: cannot keep the CRL", name);
    der_len = i2d_X509_CRL(crl, &der);
    if (der_len <= 0 || arca__sha256(der, (size_t)der_len, (*out)->hash) != ARCA_OK)
        ARCA_RAISE(arca__crypto_error(ARCA_ERR_BAD_FORMAT, "%s: cannot re-encode the CRL", name));
    (*out)->crl = crl;
    crl = NULL;
done:
    if (result != ARCA_OK && out && *out) {
        OPENSSL_free(*out);
        *out = NULL;
    }
    OPENSSL_free(der);
    X509_CRL_free(crl);
    BIO_free(bio);
    return result;
}

void arca__crl_free(arca__crl *crl)
{
    if (!crl)
        return;
    X509_CRL_free(crl->crl);
    OPENSSL_free(crl);
}

void arca__crl_validity(const arca__crl *crl, int64_t *this_update, int64_t *next_update)
{
    const ASN1_TIME *next = X509_CRL_get0_nextUpdate(crl->crl);
    *this_update = arca__asn1_time_to_unix(X509_CRL_get0_lastUpdate(crl->crl));
    *next_update = next ? arca__asn1_time_to_unix(next) : INT64_MAX;
    if (*this_update == INT64_MIN)
        *this_update = INT64_MAX;
    if (*next_update == INT64_MIN)
        *next_update = INT64_MIN + 1;
}

void arca__crl_issuer_cn(const arca__crl *crl, char *buf, size_t cap)
{
    name_cn(X509_CRL_get_issuer(crl->crl), buf, cap);
}

const uint8_t *arca__crl_hash(const arca__crl *crl)
{
    return crl->hash;
}

/* ---- pinned roots ---- */

arca_result_t arca__trust_create(arca__trust **out)
{
    arca_result_t result = ARCA_OK;

    if (!out)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "trust_create: NULL output");
    *out = OPENSSL_zalloc(sizeof **out);
    if (!*out)
        ARCA_RAISE(ARCA_ERR_OUT_OF_MEMORY, "cannot allocate a root store");
    (*out)->store = X509_STORE_new();
    if (!(*out)->store) {
        OPENSSL_free(*out);
        *out = NULL;
        ARCA_RAISE(arca__crypto_error(ARCA_ERR_OUT_OF_MEMORY, "cannot allocate an X509_STORE"));
    }
done:
    return result;
}

void arca__trust_free(arca__trust *trust)
{
    if (!trust)
        return;
    for (size_t i = 0; i < trust->count; i++)
        arca__cert_free(trust->roots[i]);
    OPENSSL_free(trust->roots);
    X509_STORE_free(trust->store);
    OPENSSL_free(trust);
}

size_t arca__trust_count(const arca__trust *trust)
{
    return trust ? trust->count : 0;
}

int arca__trust_contains(const arca__trust *trust, const uint8_t hash[32])
{
    for (size_t i = 0; trust && i < trust->count; i++)
        if (memcmp(trust->roots[i]->hash, hash, 32) == 0)
            return 1;
    return 0;
}

/*
 * Pin @p cert in @p trust: as a root, which must be a self-signed CA, or with @p anchor as a
 * trust anchor as it is (a partial chain may end at it). Pinning a certificate twice is harmless.
 */
static arca_result_t pin(arca__trust *trust, arca__cert *cert, int anchor)
{
    arca_result_t result = ARCA_OK;
    char cn[128];
    arca__cert **grown = NULL;

    if (!trust || !cert)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "%s: NULL argument",
                   anchor ? "trust_add_anchor" : "trust_add");
    arca__cert_cn(cert, 0, cn, sizeof cn);
    if (arca__trust_contains(trust, cert->hash))
        goto done;
    if (!anchor && !arca__cert_self_signed(cert))
        ARCA_RAISE(ARCA_ERR_UNTRUSTED_ROOT,
                   "'%s' cannot be a trusted root: it is not self-signed (pin the root CA "
                   "certificate, not an intermediate)",
                   cn);
    if (!anchor && X509_check_ca(cert->x) < 1)
        ARCA_RAISE(ARCA_ERR_UNTRUSTED_ROOT, "'%s' cannot be a trusted root: it is not a CA", cn);
    grown = OPENSSL_realloc(trust->roots, (trust->count + 1) * sizeof *grown);
    if (!grown)
        ARCA_RAISE(ARCA_ERR_OUT_OF_MEMORY, "cannot grow the root store");
    trust->roots = grown;
    if (X509_STORE_add_cert(trust->store, cert->x) != 1)
        ARCA_RAISE(arca__crypto_error(ARCA_ERR_CRYPTO, "cannot add '%s' to the root store", cn));
    trust->roots[trust->count++] = arca__cert_ref(cert);
done:
    if (result == ARCA_OK && anchor)
        trust->partial = 1;
    return result;
}

arca_result_t arca__trust_add(arca__trust *trust, arca__cert *root)
{
    return pin(trust, root, 0);
}

arca_result_t arca__trust_add_anchor(arca__trust *trust, arca__cert *anchor)
{
    return pin(trust, anchor, 1);
}

/* ---- chain verification ---- */

/* What the verify callback saw; one per X509_verify_cert() call. */
struct verify_state {
    const arca__chain_params *params;
    int fatal_error; /* first error that ends verification (0 = none) */
    int fatal_depth;
    X509 *fatal_cert; /* borrowed from the store context's chain */
    int time_error;   /* leaf-most validity-period error (0 = none) */
    int time_depth;
    X509 *time_cert;
};

static int is_time_error(int err)
{
    return err == X509_V_ERR_CERT_HAS_EXPIRED || err == X509_V_ERR_CERT_NOT_YET_VALID;
}

static int verify_cb(int ok, X509_STORE_CTX *ctx)
{
    struct verify_state *st = X509_STORE_CTX_get_app_data(ctx);
    int err, depth;

    if (ok || !st)
        return ok;
    err = X509_STORE_CTX_get_error(ctx);
    depth = X509_STORE_CTX_get_error_depth(ctx);
    /* AMD publishes CRLs for its CAs only: a leaf without a CRL is normal there. */
    if (err == X509_V_ERR_UNABLE_TO_GET_CRL && depth == 0 &&
        st->params->crl_mode == ARCA__CHAIN_CRL_CA_ONLY)
        return 1;
    if (is_time_error(err)) {
        /* Keep going so that signatures and revocation are still checked; report the
         * leaf-most certificate whose validity period excludes the time. */
        if (!st->time_error || depth < st->time_depth) {
            st->time_error = err;
            st->time_depth = depth;
            st->time_cert = X509_STORE_CTX_get_current_cert(ctx);
        }
        return 1;
    }
    if (!st->fatal_error) {
        st->fatal_error = err;
        st->fatal_depth = depth;
        st->fatal_cert = X509_STORE_CTX_get_current_cert(ctx);
    }
    return 0;
}

/* Map an OpenSSL verification error to our result and a sentence. */
static arca_result_t chain_failure(const arca__chain_params *p, int err, int depth, X509 *cert)
{
    char subject[128] = "", issuer[128] = "", when[40], bound[40] = "?";
    const char *what = p->what ? p->what : "certificate chain";
    const char *reason = X509_verify_cert_error_string(err);

    if (cert) {
        name_cn(X509_get_subject_name(cert), subject, sizeof subject);
        name_cn(X509_get_issuer_name(cert), issuer, sizeof issuer);
    }
    format_time(p->at, when, sizeof when);
    switch (err) {
    case X509_V_ERR_CERT_HAS_EXPIRED:
        if (cert)
            format_time(arca__asn1_time_to_unix(X509_get0_notAfter(cert)), bound, sizeof bound);
        return arca__error(ARCA_ERR_CERT_EXPIRED,
                           "%s: certificate '%s' has expired: it is valid until %s, but the "
                           "verification time is %s",
                           what, subject, bound, when);
    case X509_V_ERR_CERT_NOT_YET_VALID:
        if (cert)
            format_time(arca__asn1_time_to_unix(X509_get0_notBefore(cert)), bound, sizeof bound);
        return arca__error(ARCA_ERR_CERT_NOT_YET_VALID,
                           "%s: certificate '%s' is not yet valid: it is valid from %s, but "
                           "the verification time is %s",
                           what, subject, bound, when);
    case X509_V_ERR_CERT_REVOKED:
        return arca__error(ARCA_ERR_CERT_REVOKED,
                           "%s: certificate '%s' is revoked by the CRL of '%s'", what, subject,
                           issuer);
    case X509_V_ERR_UNABLE_TO_GET_CRL:
    case X509_V_ERR_UNABLE_TO_GET_CRL_ISSUER:
        return arca__error(ARCA_ERR_COLLATERAL_MISSING,
                           "%s: no revocation list from '%s' covers certificate '%s'; supply "
                           "that CRL with the collateral",
                           what, issuer, subject);
    case X509_V_ERR_CRL_HAS_EXPIRED:
    case X509_V_ERR_CRL_NOT_YET_VALID:
        return arca__error(ARCA_ERR_COLLATERAL_EXPIRED,
                           "%s: the revocation list of '%s' is %s at %s; fetch a current one", what,
                           issuer, err == X509_V_ERR_CRL_HAS_EXPIRED ? "expired" : "not yet valid",
                           when);
    case X509_V_ERR_CRL_SIGNATURE_FAILURE:
    case X509_V_ERR_UNABLE_TO_DECRYPT_CRL_SIGNATURE:
        return arca__error(ARCA_ERR_COLLATERAL_SIGNATURE,
                           "%s: the signature of the revocation list of '%s' does not verify", what,
                           issuer);
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
        if (depth == 0)
            return arca__error(ARCA_ERR_BAD_CHAIN,
                               "%s: the issuer '%s' of certificate '%s' is not among the "
                               "supplied certificates",
                               what, issuer, subject);
        return arca__error(ARCA_ERR_UNTRUSTED_ROOT,
                           "%s: certificate '%s' is issued by '%s', which is not a pinned "
                           "root; pin the right root (TrustedRoot) or supply the missing "
                           "intermediate",
                           what, subject, issuer);
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_CERT_UNTRUSTED:
        return arca__error(ARCA_ERR_UNTRUSTED_ROOT,
                           "%s: the chain ends at '%s', which is not a pinned root (pin it "
                           "with TrustedRoot only if you trust it)",
                           what, subject);
    default:
        return arca__error(ARCA_ERR_BAD_CHAIN, "%s: certificate '%s' (issuer '%s'): %s", what,
                           subject, issuer, reason ? reason : "verification failed");
    }
}

/* 1 when @p x is signed with the algorithm @p want asks for. */
static int signature_algorithm_ok(X509 *x, enum arca__chain_sig want)
{
    int md = 0, pk = 0, bits = 0, ok = 0;
    uint32_t flags = 0;
    const X509_ALGOR *alg = NULL;
    RSA_PSS_PARAMS *pss = NULL;
    X509_ALGOR *mgf_md = NULL;

    if (want == ARCA__CHAIN_SIG_ANY)
        return 1;
    if (X509_get_signature_info(x, &md, &pk, &bits, &flags) != 1)
        goto done;
    if (want == ARCA__CHAIN_SIG_ECDSA_SHA256) {
        ok = md == NID_sha256 && pk == NID_X9_62_id_ecPublicKey;
        goto done;
    }
    /* RSASSA-PSS: SHA-384, MGF1 with SHA-384, salt length 48 (AMD SEV-SNP). */
    if (pk != NID_rsassaPss || md != NID_sha384)
        goto done;
    X509_get0_signature(NULL, &alg, x);
    if (!alg || !alg->parameter || alg->parameter->type != V_ASN1_SEQUENCE)
        goto done;
    pss = ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(RSA_PSS_PARAMS), alg->parameter);
    if (!pss || !pss->hashAlgorithm || OBJ_obj2nid(pss->hashAlgorithm->algorithm) != NID_sha384 ||
        !pss->maskGenAlgorithm || OBJ_obj2nid(pss->maskGenAlgorithm->algorithm) != NID_mgf1 ||
        !pss->maskGenAlgorithm->parameter ||
        pss->maskGenAlgorithm->parameter->type != V_ASN1_SEQUENCE || !pss->saltLength ||
        ASN1_INTEGER_get(pss->saltLength) != 48)
        goto done;
    mgf_md =
        ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(X509_ALGOR), pss->maskGenAlgorithm->parameter);
    if (!mgf_md || OBJ_obj2nid(mgf_md->algorithm) != NID_sha384)
        goto done;
    ok = 1;
done:
    X509_ALGOR_free(mgf_md);
    RSA_PSS_PARAMS_free(pss);
    ERR_clear_error();
    return ok;
}

arca_result_t arca__chain_verify(arca__cert *leaf, arca__cert *const *untrusted, size_t count,
                                 const arca__trust *trust, const arca__chain_params *params,
                                 arca__chain_result *out)
{
    arca_result_t result = ARCA_OK;
    X509_STORE_CTX *ctx = NULL;
    STACK_OF(X509) *pool = NULL;
    STACK_OF(X509_CRL) *crls = NULL;
    STACK_OF(X509) *path = NULL;
    struct verify_state st;
    const char *what;
    unsigned long flags = 0;
    int ok;
    arca__chain_result res;

    if (!leaf || (!untrusted && count != 0) || !trust || !params)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "chain_verify: NULL argument");
    what = params->what ? params->what : "certificate chain";
    memset(&st, 0, sizeof st);
    st.params = params;
    if (trust->count == 0)
        ARCA_RAISE(ARCA_ERR_UNTRUSTED_ROOT, "%s: no root is pinned, so nothing can be trusted",
                   what);
    pool = sk_X509_new_null();
    crls = sk_X509_CRL_new_null();
    ctx = X509_STORE_CTX_new();
    if (!pool || !crls || !ctx)
        ARCA_RAISE(arca__crypto_error(ARCA_ERR_OUT_OF_MEMORY, "%s: cannot allocate", what));
    for (size_t i = 0; i < count; i++)
        if (!sk_X509_push(pool, untrusted[i]->x))
            ARCA_RAISE(arca__crypto_error(ARCA_ERR_OUT_OF_MEMORY, "%s: cannot allocate", what));
    for (size_t i = 0; i < params->crl_count; i++)
        if (!sk_X509_CRL_push(crls, params->crls[i]->crl))
            ARCA_RAISE(arca__crypto_error(ARCA_ERR_OUT_OF_MEMORY, "%s: cannot allocate", what));
    if (X509_STORE_CTX_init(ctx, trust->store, leaf->x, pool) != 1)
        ARCA_RAISE(arca__crypto_error(ARCA_ERR_CRYPTO, "%s: cannot start verification", what));
    X509_STORE_CTX_set0_crls(ctx, crls);
    X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(ctx), (time_t)params->at);
    if (params->crl_mode != ARCA__CHAIN_CRL_NONE)
        flags |= X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL;
    /* A pinned anchor ends a path even when it is not self-signed (an intermediate pin). */
    if (trust->partial)
        flags |= X509_V_FLAG_PARTIAL_CHAIN;
    if (params->strict)
        flags |= X509_V_FLAG_X509_STRICT;
    X509_VERIFY_PARAM_set_flags(X509_STORE_CTX_get0_param(ctx), flags);
    X509_STORE_CTX_set_app_data(ctx, &st);
    X509_STORE_CTX_set_verify_cb(ctx, verify_cb);

    ok = X509_verify_cert(ctx);
    if (ok != 1 || st.fatal_error) {
        int err = st.fatal_error ? st.fatal_error : X509_STORE_CTX_get_error(ctx);
        int depth = st.fatal_error ? st.fatal_depth : X509_STORE_CTX_get_error_depth(ctx);
        X509 *cert = st.fatal_error ? st.fatal_cert : X509_STORE_CTX_get_current_cert(ctx);
        ERR_clear_error();
        if (err == X509_V_OK)
            ARCA_RAISE(arca__crypto_error(ARCA_ERR_BAD_CHAIN, "%s: verification failed", what));
        ARCA_RAISE(chain_failure(params, err, depth, cert));
    }
    if (st.time_error)
        ARCA_RAISE(chain_failure(params, st.time_error, st.time_depth, st.time_cert));

    /* The path OpenSSL built: leaf first, pinned root last. */
    path = X509_STORE_CTX_get1_chain(ctx);
    if (!path || sk_X509_num(path) < 1)
        ARCA_RAISE(arca__crypto_error(ARCA_ERR_INTERNAL, "%s: no verified path", what));
    memset(&res, 0, sizeof res);
    res.valid_from = INT64_MIN;
    res.valid_until = INT64_MAX;
    res.length = (size_t)sk_X509_num(path);
    for (int i = 0; i < sk_X509_num(path); i++) {
        X509 *x = sk_X509_value(path, i);
        int64_t nb = arca__asn1_time_to_unix(X509_get0_notBefore(x));
        int64_t na = arca__asn1_time_to_unix(X509_get0_notAfter(x));
        char cn[128];
        if (!signature_algorithm_ok(x, params->sig)) {
            name_cn(X509_get_subject_name(x), cn, sizeof cn);
            ARCA_RAISE(ARCA_ERR_BAD_CHAIN, "%s: certificate '%s' is not signed with %s", what, cn,
                       params->sig == ARCA__CHAIN_SIG_ECDSA_SHA256
                           ? "ECDSA-SHA256"
                           : "RSASSA-PSS (SHA-384, MGF1-SHA-384, salt 48)");
        }
        if (nb == INT64_MIN || na == INT64_MIN)
            ARCA_RAISE(ARCA_ERR_BAD_CHAIN, "%s: a certificate has an unreadable validity period",
                       what);
        /* OpenSSL need not check the pinned root's own period; we do, for every certificate. */
        if (params->at < nb)
            ARCA_RAISE(chain_failure(params, X509_V_ERR_CERT_NOT_YET_VALID, i, x));
        if (params->at > na)
            ARCA_RAISE(chain_failure(params, X509_V_ERR_CERT_HAS_EXPIRED, i, x));
        if (nb > res.valid_from)
            res.valid_from = nb;
        if (na < res.valid_until)
            res.valid_until = na;
        /* The CRLs from this certificate's issuer bound the window too. */
        if (params->crl_mode != ARCA__CHAIN_CRL_NONE && i + 1 < sk_X509_num(path)) {
            for (size_t c = 0; c < params->crl_count; c++) {
                int64_t tu, nu;
                if (X509_NAME_cmp(X509_CRL_get_issuer(params->crls[c]->crl),
                                  X509_get_issuer_name(x)) != 0)
                    continue;
                arca__crl_validity(params->crls[c], &tu, &nu);
                if (tu > res.valid_from)
                    res.valid_from = tu;
                if (nu < res.valid_until)
                    res.valid_until = nu;
            }
        }
    }
    {
        X509 *top = sk_X509_value(path, sk_X509_num(path) - 1);
        int found = 0;
        for (size_t i = 0; i < trust->count && !found; i++)
            if (X509_cmp(trust->roots[i]->x, top) == 0) {
                memcpy(res.root_hash, trust->roots[i]->hash, 32);
                found = 1;
            }
        if (!found)
            ARCA_RAISE(ARCA_ERR_UNTRUSTED_ROOT,
                       "%s: the verified path does not end at a pinned "
                       "root",
                       what);
    }
    if (out)
        *out = res;
done:
    sk_X509_pop_free(path, X509_free);
    X509_STORE_CTX_free(ctx);
    sk_X509_free(pool);
    sk_X509_CRL_free(crls);
    ERR_clear_error();
    return result;
}
