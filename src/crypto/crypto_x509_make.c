/*
 * crypto_x509_make.c — making certificates and certificate signing requests and writing them
 * as PEM, over OpenSSL 3's X509 API: the self-signed certificate a dev platform makes for its
 * attestation key (src/platform/dev/dev_create.c), the root and leaf arcad makes on first
 * start and the request an operator's CA signs for it (src/platform/arcad/), and certificates
 * issued under them for chains.
 *
 * OpenSSL encodes and signs; this file only fills in the fields the caller asked for and
 * the extensions a CA or an end-entity certificate needs. It must never sign with a key that
 * is not the issuer certificate's own key, never issue under a certificate that is not a CA,
 * and never leave OpenSSL's error queue filled.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "base/error.h"
#include "crypto.h"
#include "crypto_x509_internal.h"

#define SERIAL_SIZE 16
#define UB_NAME_PART 64 /* RFC 5280's upper bound for a common name and an organisation */

/* Add extension @p nid = @p value (OpenSSL's configuration syntax) to @p x, issued by @p issuer. */
static int add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
    X509V3_CTX ctx;
    X509_EXTENSION *ext;
    int ok;

    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
    ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
    if (!ext)
        return 0;
    ok = X509_add_ext(x, ext, -1);
    X509_EXTENSION_free(ext);
    return ok;
}

/* The subject O (when given) then CN; 0 on an OpenSSL failure (queue left filled). */
static int add_names(X509_NAME *name, const char *organization, const char *common_name)
{
    return (!organization ||
            X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, (const unsigned char *)organization,
                                       -1, -1, 0)) &&
           X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)common_name,
                                      -1, -1, 0);
}

/* The fields, extensions and signature of @p x; 0 on an OpenSSL failure (queue left filled). */
static int fill(X509 *x, EVP_PKEY *pkey, const arca__cert_template *t, X509 *issuer,
                EVP_PKEY *signer, BIGNUM *serial)
{
    X509_NAME *name = X509_get_subject_name(x);
    X509 *ext_issuer = issuer ? issuer : x;
    char constraints[48];

    if (t->ca && t->limit_path_len)
        snprintf(constraints, sizeof constraints, "critical,CA:TRUE,pathlen:%d", t->path_len);
    else
        snprintf(constraints, sizeof constraints, "%s",
                 t->ca ? "critical,CA:TRUE" : "critical,CA:FALSE");

    return X509_set_version(x, 2) && BN_to_ASN1_INTEGER(serial, X509_get_serialNumber(x)) &&
           ASN1_TIME_set(X509_getm_notBefore(x), (time_t)t->not_before) &&
           ASN1_TIME_set(X509_getm_notAfter(x), (time_t)t->not_after) && X509_set_pubkey(x, pkey) &&
           add_names(name, t->organization, t->common_name) &&
           X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : name) &&
           add_ext(x, ext_issuer, NID_basic_constraints, constraints) &&
           add_ext(x, ext_issuer, NID_key_usage,
                   t->ca ? "critical,digitalSignature,keyCertSign" : "critical,digitalSignature") &&
           add_ext(x, ext_issuer, NID_subject_key_identifier, "hash") &&
           (!issuer || add_ext(x, ext_issuer, NID_authority_key_identifier, "keyid:always")) &&
           (!t->comment || add_ext(x, ext_issuer, NID_netscape_comment, t->comment)) &&
           X509_sign(x, signer, EVP_sha256()) > 0;
}

arca_result_t arca__cert_create(const arca__ec_key *key, const arca__cert_template *t,
                                const arca__cert *issuer, const arca__ec_key *issuer_key,
                                arca__cert **out)
{
    arca_result_t result = ARCA_OK;
    X509 *x = NULL;
    BIGNUM *serial = NULL;
    uint8_t serial_bytes[SERIAL_SIZE];
    EVP_PKEY *pkey, *signer;

    if (!out)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "cert_create: NULL output");
    *out = NULL;
    if (!key || !t || !t->common_name)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "cert_create: NULL key, template or common name");
    if (!issuer != !issuer_key)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "cert_create: an issuer certificate comes with its "
                                              "key, and a key with its certificate");
    if (strlen(t->common_name) > UB_NAME_PART ||
        (t->organization && strlen(t->organization) > UB_NAME_PART))
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT,
                   "cert_create: a common name or organisation has at "
                   "most %d characters ('%.80s')",
                   UB_NAME_PART, t->common_name);
    if (t->ca && t->limit_path_len && (t->path_len < 0 || t->path_len > 16))
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "cert_create: a path length constraint is 0 to 16 "
                   "(not %d)", t->path_len);
    if (t->not_after <= t->not_before)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT,
                   "cert_create: the validity of '%s' ends (%lld) no later than it begins (%lld)",
                   t->common_name, (long long)t->not_after, (long long)t->not_before);
    pkey = arca__ec_evp(key);
    signer = issuer ? arca__ec_evp(issuer_key) : pkey;
    if (arca__ec_check_pair(issuer ? issuer_key : key) != ARCA_OK)
        ARCA_RAISE(ARCA_ERR_KEY, "cert_create: cannot sign '%s' with this key: %s", t->common_name,
                   arca__error_detail());
    if (issuer) {
        if (X509_check_ca(issuer->x) < 1)
            ARCA_RAISE(ARCA_ERR_BAD_CHAIN,
                       "cert_create: the issuer of '%s' is not a CA "
                       "certificate",
                       t->common_name);
        if (X509_check_private_key(issuer->x, signer) != 1)
            ARCA_RAISE(arca__crypto_error(ARCA_ERR_KEY, "cert_create: the issuer key is not the "
                                                        "key of the issuer certificate"));
    }
    ARCA_CHECK(arca__random(serial_bytes, sizeof serial_bytes));
    serial_bytes[0] &= 0x7f; /* positive */
    serial_bytes[0] |= 0x01; /* and exactly 16 bytes long */
    serial = BN_bin2bn(serial_bytes, sizeof serial_bytes, NULL);
    x = X509_new();
    if (!serial || !x)
        ARCA_RAISE(arca__crypto_error(ARCA_ERR_OUT_OF_MEMORY, "cannot allocate a certificate"));
    if (!fill(x, pkey, t, issuer ? issuer->x : NULL, signer, serial))
        ARCA_RAISE(arca__crypto_error(ARCA_ERR_CRYPTO, "cannot make the certificate '%s'",
                                      t->common_name));
    *out = arca__cert_wrap(x);
    if (!*out)
        ARCA_RAISE(ARCA_ERR_OUT_OF_MEMORY, "cannot keep the certificate '%s'", t->common_name);
    x = NULL;
done:
    X509_free(x);
    BN_free(serial);
    ERR_clear_error();
    return result;
}

/* The text written to the memory BIO @p bio, as a new NUL-terminated string. */
static arca_result_t bio_text(BIO *bio, const char *what, char **pem, size_t *len)
{
    arca_result_t result = ARCA_OK;
    char *data = NULL;
    long n = BIO_get_mem_data(bio, &data);

    if (n <= 0 || !data)
        ARCA_RAISE(arca__crypto_error(ARCA_ERR_CRYPTO, "cannot encode the %s as PEM", what));
    *pem = malloc((size_t)n + 1);
    if (!*pem)
        ARCA_RAISE(ARCA_ERR_OUT_OF_MEMORY, "out of memory for a PEM %s", what);
    memcpy(*pem, data, (size_t)n);
    (*pem)[n] = '\0';
    *len = (size_t)n;
done:
    return result;
}

arca_result_t arca__cert_to_pem(const arca__cert *cert, char **pem, size_t *len)
{
    arca_result_t result = ARCA_OK;
    BIO *bio = NULL;

    if (!pem || !len)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "cert_to_pem: NULL output");
    *pem = NULL;
    *len = 0;
    if (!cert)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "cert_to_pem: NULL certificate");
    bio = BIO_new(BIO_s_mem());
    if (!bio || PEM_write_bio_X509(bio, cert->x) != 1)
        ARCA_RAISE(arca__crypto_error(ARCA_ERR_CRYPTO, "cannot encode the certificate as PEM"));
    ARCA_CHECK(bio_text(bio, "certificate", pem, len));
done:
    BIO_free(bio);
    return result;
}

/* The extension request of a CSR: what an end-entity signing key needs. */
static int add_requested_extensions(X509_REQ *req)
{
    STACK_OF(X509_EXTENSION) *exts = sk_X509_EXTENSION_new_null();
    X509_EXTENSION *bc =
        X509V3_EXT_conf_nid(NULL, NULL, NID_basic_constraints, "critical,CA:FALSE");
    X509_EXTENSION *ku =
        X509V3_EXT_conf_nid(NULL, NULL, NID_key_usage, "critical,digitalSignature");
    int ok = exts && bc && ku && sk_X509_EXTENSION_push(exts, bc) > 0;
    if (ok)
        bc = NULL; /* the stack owns it now */
    ok = ok && sk_X509_EXTENSION_push(exts, ku) > 0;
    if (ok)
        ku = NULL;
    ok = ok && X509_REQ_add_extensions(req, exts) == 1;
    X509_EXTENSION_free(bc);
    X509_EXTENSION_free(ku);
    sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
    return ok;
}

arca_result_t arca__csr_create(const arca__ec_key *key, const char *organization,
                               const char *common_name, char **pem, size_t *len)
{
    arca_result_t result = ARCA_OK;
    X509_REQ *req = NULL;
    BIO *bio = NULL;
    EVP_PKEY *pkey;

    if (!pem || !len)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "csr_create: NULL output");
    *pem = NULL;
    *len = 0;
    if (!key || !common_name)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "csr_create: NULL key or common name");
    if (strlen(common_name) > UB_NAME_PART || (organization && strlen(organization) > UB_NAME_PART))
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT,
                   "csr_create: a common name or organisation has at most %d characters ('%.80s')",
                   UB_NAME_PART, common_name);
    if (arca__ec_check_pair(key) != ARCA_OK)
        ARCA_RAISE(ARCA_ERR_KEY, "csr_create: cannot sign a request for '%s' with this key: %s",
                   common_name, arca__error_detail());
    pkey = arca__ec_evp(key);
    req = X509_REQ_new();
    bio = BIO_new(BIO_s_mem());
    if (!req || !bio)
        ARCA_RAISE(arca__crypto_error(ARCA_ERR_OUT_OF_MEMORY, "cannot allocate a request"));
    if (X509_REQ_set_version(req, 0) != 1 || X509_REQ_set_pubkey(req, pkey) != 1 ||
        !add_names(X509_REQ_get_subject_name(req), organization, common_name) ||
        !add_requested_extensions(req) || X509_REQ_sign(req, pkey, EVP_sha256()) <= 0 ||
        PEM_write_bio_X509_REQ(bio, req) != 1)
        ARCA_RAISE(arca__crypto_error(ARCA_ERR_CRYPTO, "cannot make the request for '%s'",
                                      common_name));
    ARCA_CHECK(bio_text(bio, "certificate request", pem, len));
done:
    BIO_free(bio);
    X509_REQ_free(req);
    ERR_clear_error();
    return result;
}
