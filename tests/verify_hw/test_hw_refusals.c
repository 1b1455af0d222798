/*
 * test_hw_refusals.c — every refusal of the hardware verifier has its own result and a
 * sentence: wrong root, an intermediate that does not issue the leaf, an ASK pinned as a
 * root, expired and not-yet-valid certificates, revoked certificates (PCK leaf and
 * intermediate), collateral for another FMSPC, expired / modified / missing collateral, a
 * quoting enclave that does not match its identity, a Revoked TCB, a TCB mismatch, a chip id
 * mismatch, a replaced Azure runtime claim.
 *
 * Real vectors cover what real data can; what needs a revoked certificate or a different QE
 * identity uses a synthetic Intel PKI made here with OpenSSL (a test root pinned in place of
 * Intel's, a PCK Platform CA, PCK and TCB Signing certificates, CRLs, signed TCB Info and QE
 * identity, and an SGX v3 quote built and signed field by field).
 */
#define _GNU_SOURCE /* memmem */
#include <json-c/json.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "crypto/crypto.h"
#include "base/hex.h"
#include "base/le.h"
#include "hw_test.h"

#define L(...) ((const char *const[]){__VA_ARGS__, NULL})

static arca__hw_claims claims;

/* Verify @p evidence with a fresh verifier and return the result (detail in arca__error_detail). */
static arca_result_t run(const char *evidence, const char *const *roots,
                         const char *const *collateral, const char *at)
{
    arca__hw_verifier *v = hw_verifier(roots, collateral);
    size_t len = 0;
    uint8_t *ev = hw_read(evidence, &len);
    arca_result_t r = arca__hw_verify(v, ev, len, hw_time(at), &claims);
    fprintf(stderr, "    %s -> %s: %s\n", evidence, arca_result_name(r), arca__error_detail());
    free(ev);
    arca__hw_verifier_free(v);
    return r;
}

/* ---- with real vectors ---- */

static void test_wrong_root(void)
{
    /* An Intel quote under AMD roots only: its chain ends at an unpinned self-signed root. */
    ASSERT_RESULT(run("sgx-tdx/dcap-qvl/sgx_quote", L("amd_milan_ark.pem", "amd_genoa_ark.pem"),
                      NULL, "2026-03-01T00:00:00Z"),
                  ARCA_ERR_UNTRUSTED_ROOT);
    ASSERT_CONTAINS(arca__error_detail(), "Intel SGX Root CA");
    /* A Milan report with only the Genoa ARK pinned, the Milan ARK supplied as collateral. */
    ASSERT_RESULT(run("sev-snp/virtee-sev/report_milan.bin", L("amd_genoa_ark.pem"),
                      L("sev-snp/virtee-sev/vcek_milan.der", "sev-snp/virtee-sev/cert_chain_milan"),
                      "2026-03-01T00:00:00Z"),
                  ARCA_ERR_UNTRUSTED_ROOT);
    /* ... and with the Milan ARK nowhere. */
    ASSERT_RESULT(run("sev-snp/virtee-sev/report_milan.bin", L("amd_genoa_ark.pem"),
                      L("sev-snp/virtee-sev/vcek_milan.der",
                        "sev-snp/ms-tee-attestation-verification/milan_ask.pem"),
                      "2026-03-01T00:00:00Z"),
                  ARCA_ERR_UNTRUSTED_ROOT);
    /* Microsoft's negative: the Genoa ASK offered for a Milan VCEK. */
    ASSERT_RESULT(run("sev-snp/ms-tee-attestation-verification/milan_attestation_report.bin",
                      L("amd_milan_ark.pem", "amd_genoa_ark.pem"),
                      L("sev-snp/ms-tee-attestation-verification/milan_vcek.pem",
                        "sev-snp/ms-tee-attestation-verification/genoa_ask.pem"),
                      "2026-03-01T00:00:00Z"),
                  ARCA_ERR_BAD_CHAIN);
    /* No root pinned at all. */
    {
        arca__hw_verifier *v = NULL;
        size_t len = 0;
        uint8_t *ev = hw_read("sgx-tdx/dcap-qvl/sgx_quote", &len);
        ASSERT_OK(arca__hw_verifier_create(&v));
        ASSERT_RESULT(arca__hw_verify(v, ev, len, hw_time("2026-03-01T00:00:00Z"), &claims),
                      ARCA_ERR_UNTRUSTED_ROOT);
        free(ev);
        arca__hw_verifier_free(v);
    }
}

static void test_ask_as_root(void)
{
    /* Microsoft's negative "ASK used as the ARK": an intermediate cannot be pinned. */
    arca__hw_verifier *v = NULL;
    char path[1024];
    ASSERT_OK(arca__hw_verifier_create(&v));
    snprintf(path, sizeof path, "%s/amd_milan_ask.pem", ARCA_HW_TEST_ROOTS);
    ASSERT_RESULT(arca__hw_add_root_file(v, path), ARCA_ERR_UNTRUSTED_ROOT);
    ASSERT_CONTAINS(arca__error_detail(), "not self-signed");
    arca__hw_verifier_free(v);
}

static void test_expired_and_not_yet_valid(void)
{
    ASSERT_RESULT(
        run("sgx-tdx/go-tdx-guest/tdx_prod_quote_SPR_E4.dat", NULL, NULL, "2053-07-01T01:00:00Z"),
        ARCA_ERR_CERT_EXPIRED);
    /* As go-tdx-guest says: the PCK leaf, valid until 2029-09-20 13:20:31. */
    ASSERT_CONTAINS(arca__error_detail(), "'Intel SGX PCK Certificate' has expired");
    ASSERT_CONTAINS(arca__error_detail(), "2029-09-20 13:20:31");
    ASSERT_RESULT(run("sev-snp/trustee/test-vlek-report.bin", NULL,
                      L("sev-snp/trustee/test-vlek.der"), "2025-12-11T00:00:00Z"),
                  ARCA_ERR_CERT_EXPIRED);
    ASSERT_CONTAINS(arca__error_detail(), "SEV-VLEK");
    /* The v5 sample's PCK leaf is valid from 2026-01-27. */
    ASSERT_RESULT(
        run("sgx-tdx/go-tdx-guest/quote_v5_sample.dat", NULL, NULL, "2026-01-01T00:00:00Z"),
        ARCA_ERR_CERT_NOT_YET_VALID);
}

static void test_collateral_refusals(void)
{
    /* Collateral for another FMSPC: the TDX quote (b0c06f000000) with the collateral of the
     * outdated quote (90c06f000000), at a time both are valid. */
    ASSERT_RESULT(run("sgx-tdx/dcap-qvl/tdx_quote", NULL,
                      L("sgx-tdx/dcap-qvl/tdx_quote_outdated_collateral.json"),
                      "2026-02-19T00:00:00Z"),
                  ARCA_ERR_COLLATERAL_MISMATCH);
    ASSERT_CONTAINS(arca__error_detail(), "b0c06f000000");
    /* SGX collateral for a TDX quote: its CRLs are for the PCK Processor CA, not the
     * Platform CA that issued this PCK, so the PCK's revocation cannot be checked. */
    ASSERT_RESULT(run("sgx-tdx/dcap-qvl/tdx_quote", NULL,
                      L("sgx-tdx/dcap-qvl/sgx_quote_collateral.json"), "2025-06-20T00:00:00Z"),
                  ARCA_ERR_COLLATERAL_MISSING);
    /* Expired collateral: a month after the PCK CRL's nextUpdate. */
    ASSERT_RESULT(run("sgx-tdx/dcap-qvl/sgx_quote", NULL,
                      L("sgx-tdx/dcap-qvl/sgx_quote_collateral.json"), "2025-08-20T00:00:00Z"),
                  ARCA_ERR_COLLATERAL_EXPIRED);
    /* TCB Info without its QE identity. */
    ASSERT_RESULT(
        run("sgx-tdx/go-tdx-guest/tdx_prod_quote_SPR_E4.dat", NULL,
            L("sgx-tdx/go-tdx-guest/sample_tcbInfo_response", "sgx-tdx/go-tdx-guest/pckcrl",
              "sgx-tdx/go-tdx-guest/rootcrl.der", "extra/intel_tcb_signing_2018.pem"),
            "2023-07-01T01:00:00Z"),
        ARCA_ERR_COLLATERAL_MISSING);
    /* Collateral given, but no CRL for the PCK's issuer. */
    ASSERT_RESULT(run("sgx-tdx/go-tdx-guest/tdx_prod_quote_SPR_E4.dat", NULL,
                      L("sgx-tdx/go-tdx-guest/sample_tcbInfo_response",
                        "sgx-tdx/go-tdx-guest/sample_qeIdentity_response",
                        "sgx-tdx/go-tdx-guest/rootcrl.der", "extra/intel_tcb_signing_2018.pem"),
                      "2023-07-01T01:00:00Z"),
                  ARCA_ERR_COLLATERAL_MISSING);
    /* The 2025 TCB Signing certificate cannot vouch in 2023: not yet valid. */
    ASSERT_RESULT(
        run("sgx-tdx/go-tdx-guest/tdx_prod_quote_SPR_E4.dat", NULL,
            L("sgx-tdx/go-tdx-guest/sample_tcbInfo_response",
              "sgx-tdx/go-tdx-guest/sample_qeIdentity_response", "sgx-tdx/go-tdx-guest/pckcrl",
              "sgx-tdx/go-tdx-guest/rootcrl.der", "sgx-tdx/dcap-qvl/tdx_quote_collateral.json"),
            "2023-07-01T01:00:00Z"),
        ARCA_ERR_CERT_NOT_YET_VALID);
    /* An SNP report without its VCEK. */
    ASSERT_RESULT(run("sev-snp/virtee-sev/report_milan.bin", NULL, NULL, "2026-03-01T00:00:00Z"),
                  ARCA_ERR_COLLATERAL_MISSING);
}

/* A modified TCB Info no longer verifies under Intel's signature; an unknown status is refused
 * when parsed. */
static void test_collateral_tampered(void)
{
    size_t len = 0, qlen = 0;
    uint8_t *json = hw_read("sgx-tdx/dcap-qvl/tdx_quote_collateral.json", &len);
    uint8_t *quote = hw_read("sgx-tdx/dcap-qvl/tdx_quote", &qlen);
    char *status = memmem(json, len, "UpToDate", 8);
    char *date = memmem(json, len, "\\\"tcbDate\\\":\\\"2024-03-13", 24);
    arca__hw_verifier *v = hw_verifier(NULL, NULL);
    ASSERT_TRUE(status != NULL && date != NULL);
    status[7] = 'f'; /* "UpToDatf" */
    ASSERT_RESULT(arca__hw_add_collateral(v, json, len, "tampered"), ARCA_ERR_BAD_FORMAT);
    status[7] = 'e';
    date[20] = '2'; /* 2024-03-13 -> 2024-02-13: well-formed, but not what Intel signed */
    ASSERT_OK(arca__hw_add_collateral(v, json, len, "tampered"));
    ASSERT_RESULT(arca__hw_verify(v, quote, qlen, hw_time("2025-06-20T00:00:00Z"), &claims),
                  ARCA_ERR_COLLATERAL_SIGNATURE);
    ASSERT_CONTAINS(arca__error_detail(), "TCB Info");
    arca__hw_verifier_free(v);
    free(json);
    free(quote);
}

/* Verify @p ev with byte @p off set to @p value, then put the byte back. */
static arca_result_t with_byte(arca__hw_verifier *v, uint8_t *ev, size_t len, int64_t at,
                               size_t off, uint8_t value)
{
    uint8_t saved = ev[off];
    arca_result_t r;
    ev[off] = value;
    r = arca__hw_verify(v, ev, len, at, &claims);
    ev[off] = saved;
    return r;
}

static void test_snp_tcb_and_chip(void)
{
    arca__hw_verifier *v = hw_verifier(NULL, L("sev-snp/trustee/test-vcek.der"));
    size_t len = 0;
    uint8_t *ev = hw_read("sev-snp/trustee/test-report.bin", &len);
    int64_t at = hw_time("2026-03-01T00:00:00Z");
    ASSERT_OK(arca__hw_verify(v, ev, len, at, &claims));
    /* trustee's negative: reported_tcb + 1 -> the TCB no longer matches the VCEK. */
    ASSERT_RESULT(with_byte(v, ev, len, at, 0x180, (uint8_t)(ev[0x180] + 1)),
                  ARCA_ERR_TCB_MISMATCH);
    /* trustee's negative: byte 42 + 1 -> the signature fails. */
    ASSERT_RESULT(with_byte(v, ev, len, at, 42, (uint8_t)(ev[42] + 1)), ARCA_ERR_VERIFY_SIGNATURE);
    /* virtee's negative: bit 0x80 of byte 21. Microsoft's: byte 100 ^ 0xff. */
    ASSERT_RESULT(with_byte(v, ev, len, at, 21, ev[21] ^ 0x80), ARCA_ERR_VERIFY_SIGNATURE);
    ASSERT_RESULT(with_byte(v, ev, len, at, 100, ev[100] ^ 0xff), ARCA_ERR_VERIFY_SIGNATURE);
    /* Another chip's id. */
    ASSERT_RESULT(with_byte(v, ev, len, at, 0x1A0, ev[0x1A0] ^ 1), ARCA_ERR_CHIP_MISMATCH);
    ASSERT_OK(arca__hw_verify(v, ev, len, at, &claims));
    free(ev);
    arca__hw_verifier_free(v);

    /* virtee's negative: VCEK DER byte 40 ^ 0xff. */
    {
        size_t vl = 0;
        uint8_t *vcek = hw_read("sev-snp/virtee-sev/vcek_milan.der", &vl);
        arca__hw_verifier *w = hw_verifier(NULL, NULL);
        vcek[40] ^= 0xff;
        if (arca__hw_add_collateral(w, vcek, vl, "vcek") == ARCA_OK) {
            ev = hw_read("sev-snp/virtee-sev/report_milan.bin", &len);
            ASSERT_TRUE(arca__hw_verify(w, ev, len, at, &claims) != ARCA_OK);
            free(ev);
        }
        free(vcek);
        arca__hw_verifier_free(w);
    }
}

static void test_azure_runtime_claims_replaced(void)
{
    arca__hw_verifier *v = hw_verifier(NULL, L("sev-snp/trustee/az-snp-vtpm-vcek.pem"));
    size_t len = 0;
    uint8_t *ev = hw_read("sev-snp/trustee/az-snp-vtpm-hcl-report.bin", &len);
    int64_t at = hw_time("2026-03-01T00:00:00Z");
    ASSERT_OK(arca__hw_verify(v, ev, len, at, &claims));
    ASSERT_TRUE(claims.wrapped_azure && strstr(claims.azure.runtime_data, "HCLAkPub"));
    ev[0x4D4 + 100] ^= 0x01;
    ASSERT_RESULT(arca__hw_verify(v, ev, len, at, &claims), ARCA_ERR_WRAPPER_BINDING);
    free(ev);
    arca__hw_verifier_free(v);
}

/* ---- a synthetic Intel PKI and SGX quote ---- */

struct pki {
    arca__ec_key *root_key, *ca_key, *pck_key, *tcb_key, *att_key;
    X509 *root, *ca, *pck, *tcb;
    char *chain_pem;  /* PCK, CA, root */
    char *signer_pem; /* TCB Signing, root */
    uint8_t *root_crl, *pck_crl;
    size_t root_crl_len, pck_crl_len;
};

static const uint8_t fmspc[6] = {0x00, 0x11, 0x22, 0x33, 0xaa, 0xbb};
static const uint8_t qe_mrsigner[32] = {0x8c, 0x4f, 0x57, 0x75};

/* Minimal DER writer for the SGX extension. */
struct der {
    uint8_t b[2048];
    size_t n;
};

static void der_put(struct der *d, uint8_t tag, const uint8_t *v, size_t n)
{
    d->b[d->n++] = tag;
    if (n < 128) {
        d->b[d->n++] = (uint8_t)n;
    } else {
        d->b[d->n++] = 0x82;
        d->b[d->n++] = (uint8_t)(n >> 8);
        d->b[d->n++] = (uint8_t)n;
    }
    memcpy(d->b + d->n, v, n);
    d->n += n;
}

static void der_oid(struct der *d, const char *text)
{
    ASN1_OBJECT *o = OBJ_txt2obj(text, 1);
    unsigned char *p = d->b + d->n;
    d->n += (size_t)i2d_ASN1_OBJECT(o, &p);
    ASN1_OBJECT_free(o);
}

/* SEQUENCE { OID, value } where value is already DER in @p v. */
static void der_pair(struct der *d, const char *oid, const struct der *v)
{
    struct der inner = {.n = 0};
    der_oid(&inner, oid);
    memcpy(inner.b + inner.n, v->b, v->n);
    inner.n += v->n;
    der_put(d, 0x30, inner.b, inner.n);
}

static void der_pair_prim(struct der *d, const char *oid, uint8_t tag, const uint8_t *v, size_t n)
{
    struct der val = {.n = 0};
    der_put(&val, tag, v, n);
    der_pair(d, oid, &val);
}

static X509_EXTENSION *sgx_extension(const uint8_t comp[16], uint16_t pce_svn)
{
    struct der tcb = {.n = 0}, tcbseq = {.n = 0}, all = {.n = 0}, top = {.n = 0};
    static const uint8_t ppid[16] = {1, 2, 3}, pceid[2] = {0, 0}, type = 0;
    char oid[64];
    ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
    ASN1_OBJECT *obj = OBJ_txt2obj("1.2.840.113741.1.13.1", 1);
    X509_EXTENSION *ext;
    uint8_t pce[2] = {(uint8_t)(pce_svn >> 8), (uint8_t)pce_svn};

    for (int i = 0; i < 16; i++) {
        uint8_t v = comp[i];
        snprintf(oid, sizeof oid, "1.2.840.113741.1.13.1.2.%d", i + 1);
        /* A DER INTEGER of a byte: one byte, or 00 then the byte when its top bit is set. */
        if (v & 0x80) {
            uint8_t two[2] = {0, v};
            der_pair_prim(&tcb, oid, 0x02, two, 2);
        } else {
            der_pair_prim(&tcb, oid, 0x02, &v, 1);
        }
    }
    der_pair_prim(&tcb, "1.2.840.113741.1.13.1.2.17", 0x02, pce[0] ? pce : pce + 1, pce[0] ? 2 : 1);
    der_pair_prim(&tcb, "1.2.840.113741.1.13.1.2.18", 0x04, comp, 16);
    der_put(&tcbseq, 0x30, tcb.b, tcb.n);
    der_pair_prim(&all, "1.2.840.113741.1.13.1.1", 0x04, ppid, 16);
    der_pair(&all, "1.2.840.113741.1.13.1.2", &tcbseq);
    der_pair_prim(&all, "1.2.840.113741.1.13.1.3", 0x04, pceid, 2);
    der_pair_prim(&all, "1.2.840.113741.1.13.1.4", 0x04, fmspc, 6);
    der_pair_prim(&all, "1.2.840.113741.1.13.1.5", 0x0a, &type, 1);
    der_put(&top, 0x30, all.b, all.n);
    ASN1_OCTET_STRING_set(os, top.b, (int)top.n);
    ext = X509_EXTENSION_create_by_OBJ(NULL, obj, 0, os);
    ASN1_OCTET_STRING_free(os);
    ASN1_OBJECT_free(obj);
    return ext;
}

static X509 *make_cert(const char *cn, arca__ec_key *key, X509 *issuer, arca__ec_key *issuer_key,
                       int ca, long serial, X509_EXTENSION *extra)
{
    X509 *x = X509_new();
    X509_NAME *name = X509_NAME_new();
    X509V3_CTX ctx;
    X509_EXTENSION *bc, *ku;
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), serial);
    X509_set_subject_name(x, name);
    X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : name);
    ASN1_TIME_set(X509_getm_notBefore(x), hw_time("2020-01-01T00:00:00Z"));
    ASN1_TIME_set(X509_getm_notAfter(x), hw_time("2040-01-01T00:00:00Z"));
    X509_set_pubkey(x, arca__ec_evp(key));
    X509V3_set_ctx(&ctx, issuer ? issuer : x, x, NULL, NULL, 0);
    bc = X509V3_EXT_conf_nid(NULL, &ctx, NID_basic_constraints,
                             ca ? "critical,CA:TRUE" : "critical,CA:FALSE");
    ku = X509V3_EXT_conf_nid(NULL, &ctx, NID_key_usage,
                             ca ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature");
    X509_add_ext(x, bc, -1);
    X509_add_ext(x, ku, -1);
    if (extra)
        X509_add_ext(x, extra, -1);
    X509_EXTENSION_free(bc);
    X509_EXTENSION_free(ku);
    X509_EXTENSION_free(extra);
    X509_sign(x, arca__ec_evp(issuer_key ? issuer_key : key), EVP_sha256());
    X509_NAME_free(name);
    return x;
}

static void append_pem(char **text, X509 *x)
{
    BIO *b = BIO_new(BIO_s_mem());
    char *data;
    long n;
    size_t old = *text ? strlen(*text) : 0;
    PEM_write_bio_X509(b, x);
    n = BIO_get_mem_data(b, &data);
    *text = realloc(*text, old + (size_t)n + 1);
    memcpy(*text + old, data, (size_t)n);
    (*text)[old + (size_t)n] = '\0';
    BIO_free(b);
}

/* A DER CRL from @p issuer revoking @p serial (0 = none), valid [this, next]. */
static uint8_t *make_crl(X509 *issuer, arca__ec_key *key, long serial, const char *this_update,
                         const char *next_update, size_t *len)
{
    X509_CRL *crl = X509_CRL_new();
    ASN1_TIME *t = ASN1_TIME_new();
    unsigned char *der = NULL;
    X509_CRL_set_version(crl, 1);
    X509_CRL_set_issuer_name(crl, X509_get_subject_name(issuer));
    ASN1_TIME_set(t, hw_time(this_update));
    X509_CRL_set1_lastUpdate(crl, t);
    ASN1_TIME_set(t, hw_time(next_update));
    X509_CRL_set1_nextUpdate(crl, t);
    if (serial) {
        X509_REVOKED *r = X509_REVOKED_new();
        ASN1_INTEGER *s = ASN1_INTEGER_new();
        ASN1_INTEGER_set(s, serial);
        X509_REVOKED_set_serialNumber(r, s);
        ASN1_TIME_set(t, hw_time("2021-01-01T00:00:00Z"));
        X509_REVOKED_set_revocationDate(r, t);
        X509_CRL_add0_revoked(crl, r);
        ASN1_INTEGER_free(s);
    }
    X509_CRL_sort(crl);
    X509_CRL_sign(crl, arca__ec_evp(key), EVP_sha256());
    *len = (size_t)i2d_X509_CRL(crl, &der);
    ASN1_TIME_free(t);
    X509_CRL_free(crl);
    return der;
}

struct pki_opts {
    long revoke_pck_serial, revoke_ca_serial;
    const char *crl_next; /* PCK CRL nextUpdate */
};

static void pki_make(struct pki *p, const struct pki_opts *o, const uint8_t comp[16])
{
    memset(p, 0, sizeof *p);
    if (arca__ec_generate(&p->root_key) || arca__ec_generate(&p->ca_key) ||
        arca__ec_generate(&p->pck_key) || arca__ec_generate(&p->tcb_key) ||
        arca__ec_generate(&p->att_key))
        exit(2);
    p->root = make_cert("Test SGX Root CA", p->root_key, NULL, NULL, 1, 1, NULL);
    p->ca = make_cert("Intel SGX PCK Platform CA", p->ca_key, p->root, p->root_key, 1, 2, NULL);
    p->pck = make_cert("Intel SGX PCK Certificate", p->pck_key, p->ca, p->ca_key, 0, 3,
                       sgx_extension(comp, 13));
    p->tcb = make_cert("Intel SGX TCB Signing", p->tcb_key, p->root, p->root_key, 0, 4, NULL);
    append_pem(&p->chain_pem, p->pck);
    append_pem(&p->chain_pem, p->ca);
    append_pem(&p->chain_pem, p->root);
    append_pem(&p->signer_pem, p->tcb);
    append_pem(&p->signer_pem, p->root);
    p->root_crl = make_crl(p->root, p->root_key, o->revoke_ca_serial, "2024-01-01T00:00:00Z",
                           "2030-01-01T00:00:00Z", &p->root_crl_len);
    p->pck_crl = make_crl(p->ca, p->ca_key, o->revoke_pck_serial, "2024-01-01T00:00:00Z",
                          o->crl_next ? o->crl_next : "2030-01-01T00:00:00Z", &p->pck_crl_len);
}

static void pki_free(struct pki *p)
{
    arca__ec_free(p->root_key);
    arca__ec_free(p->ca_key);
    arca__ec_free(p->pck_key);
    arca__ec_free(p->tcb_key);
    arca__ec_free(p->att_key);
    X509_free(p->root);
    X509_free(p->ca);
    X509_free(p->pck);
    X509_free(p->tcb);
    free(p->chain_pem);
    free(p->signer_pem);
    OPENSSL_free(p->root_crl);
    OPENSSL_free(p->pck_crl);
}

/* An SGX v3 quote signed through the test PKI; @p qe_svn is the QE's ISVSVN. */
static uint8_t *make_quote(const struct pki *p, uint16_t qe_svn, const uint8_t *mrsigner,
                           size_t *len)
{
    size_t chain_len = strlen(p->chain_pem) + 1; /* with the NUL, as real quotes have */
    size_t sig_len = 64 + 64 + 384 + 64 + 2 + 32 + 2 + 4 + chain_len;
    uint8_t *q = calloc(1, 436 + sig_len);
    uint8_t *sd = q + 436, *qe = sd + 128, pub[65], auth[32];
    size_t publen = 0;
    arca__sha256_ctx h;

    arca__put_le16(q, 3);
    arca__put_le16(q + 2, 2);
    arca__put_le16(q + 8, qe_svn);
    arca__put_le16(q + 10, 13);
    memcpy(q + 12,
           (const uint8_t[]){0x93, 0x9a, 0x72, 0x33, 0xf7, 0x9c, 0x4c, 0xa9, 0x94, 0x0a, 0x0d, 0xb3,
                             0x95, 0x7f, 0x06, 0x07},
           16);
    memset(q + 48 + 64, 0xe1, 32);  /* MRENCLAVE */
    memset(q + 48 + 128, 0x51, 32); /* MRSIGNER */
    arca__put_le32(q + 432, (uint32_t)sig_len);
    EVP_PKEY_get_octet_string_param(arca__ec_evp(p->att_key), OSSL_PKEY_PARAM_PUB_KEY, pub,
                                    sizeof pub, &publen);
    memcpy(sd + 64, pub + 1, 64);
    /* The QE report: Intel's QE attributes, the given MRSIGNER, product 1, ISVSVN. */
    qe[48] = 0x11;
    memcpy(qe + 128, mrsigner, 32);
    arca__put_le16(qe + 256, 1);
    arca__put_le16(qe + 258, qe_svn);
    for (int i = 0; i < 32; i++)
        auth[i] = (uint8_t)i;
    if (arca__sha256_init(&h) || arca__sha256_update(&h, sd + 64, 64) ||
        arca__sha256_update(&h, auth, 32) || arca__sha256_final(&h, qe + 320))
        exit(2);
    if (arca__ec_sign(p->pck_key, qe, 384, qe + 384))
        exit(2);
    arca__put_le16(qe + 448, 32);
    memcpy(qe + 450, auth, 32);
    arca__put_le16(qe + 482, 5);
    arca__put_le32(qe + 484, (uint32_t)chain_len);
    memcpy(qe + 488, p->chain_pem, chain_len);
    if (arca__ec_sign(p->att_key, q, 432, sd))
        exit(2);
    *len = 436 + sig_len;
    return q;
}

/* A dcap-qvl collateral bundle with a TCB Info (one level per status) and a QE identity. */
static char *make_collateral(const struct pki *p, const char *platform_status,
                             const char *qe_status_at_8, const uint8_t *identity_mrsigner)
{
    char tcb[2048], idn[1024], hexsig[129], mr[65];
    uint8_t sig[64];
    json_object *o = json_object_new_object();
    char *out, *crl_hex;
    arca__hex_encode(identity_mrsigner, 32, mr);
    snprintf(
        tcb, sizeof tcb,
        "{\"id\":\"SGX\",\"version\":3,\"issueDate\":\"2025-01-01T00:00:00Z\","
        "\"nextUpdate\":\"2030-01-01T00:00:00Z\",\"fmspc\":\"00112233AABB\",\"pceId\":\"0000\","
        "\"tcbType\":0,\"tcbEvaluationDataNumber\":17,\"tcbLevels\":["
        "{\"tcb\":{\"sgxtcbcomponents\":[{\"svn\":9},{\"svn\":9},{\"svn\":0},{\"svn\":0},"
        "{\"svn\":0},{\"svn\":0},{\"svn\":0},{\"svn\":0},{\"svn\":0},{\"svn\":0},{\"svn\":0},"
        "{\"svn\":0},{\"svn\":0},{\"svn\":0},{\"svn\":0},{\"svn\":0}],\"pcesvn\":13},"
        "\"tcbDate\":\"2024-03-13T00:00:00Z\",\"tcbStatus\":\"UpToDate\"},"
        "{\"tcb\":{\"sgxtcbcomponents\":[{\"svn\":5},{\"svn\":5},{\"svn\":0},{\"svn\":0},"
        "{\"svn\":0},{\"svn\":0},{\"svn\":0},{\"svn\":0},{\"svn\":0},{\"svn\":0},{\"svn\":0},"
        "{\"svn\":0},{\"svn\":0},{\"svn\":0},{\"svn\":0},{\"svn\":0}],\"pcesvn\":13},"
        "\"tcbDate\":\"2023-03-13T00:00:00Z\",\"tcbStatus\":\"%s\","
        "\"advisoryIDs\":[\"INTEL-SA-00001\"]}]}",
        platform_status);
    snprintf(idn, sizeof idn,
             "{\"id\":\"QE\",\"version\":2,\"issueDate\":\"2025-01-01T00:00:00Z\","
             "\"nextUpdate\":\"2030-01-01T00:00:00Z\",\"tcbEvaluationDataNumber\":17,"
             "\"miscselect\":\"00000000\",\"miscselectMask\":\"FFFFFFFF\","
             "\"attributes\":\"11000000000000000000000000000000\","
             "\"attributesMask\":\"FBFFFFFFFFFFFFFF0000000000000000\",\"mrsigner\":\"%s\","
             "\"isvprodid\":1,\"tcbLevels\":[{\"tcb\":{\"isvsvn\":8},"
             "\"tcbDate\":\"2024-03-13T00:00:00Z\",\"tcbStatus\":\"%s\"%s}]}",
             mr, qe_status_at_8,
             strcmp(qe_status_at_8, "UpToDate") ? ",\"advisoryIDs\":[\"INTEL-SA-00002\"]" : "");
    if (arca__ec_sign(p->tcb_key, tcb, strlen(tcb), sig))
        exit(2);
    arca__hex_encode(sig, 64, hexsig);
    json_object_object_add(o, "tcb_info", json_object_new_string(tcb));
    json_object_object_add(o, "tcb_info_signature", json_object_new_string(hexsig));
    json_object_object_add(o, "tcb_info_issuer_chain", json_object_new_string(p->signer_pem));
    if (arca__ec_sign(p->tcb_key, idn, strlen(idn), sig))
        exit(2);
    arca__hex_encode(sig, 64, hexsig);
    json_object_object_add(o, "qe_identity", json_object_new_string(idn));
    json_object_object_add(o, "qe_identity_signature", json_object_new_string(hexsig));
    json_object_object_add(o, "qe_identity_issuer_chain", json_object_new_string(p->signer_pem));
    crl_hex = malloc(2 * (p->pck_crl_len + p->root_crl_len) + 2);
    arca__hex_encode(p->pck_crl, p->pck_crl_len, crl_hex);
    json_object_object_add(o, "pck_crl", json_object_new_string(crl_hex));
    arca__hex_encode(p->root_crl, p->root_crl_len, crl_hex);
    json_object_object_add(o, "root_ca_crl", json_object_new_string(crl_hex));
    free(crl_hex);
    out = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
    json_object_put(o);
    return out;
}

/* Verify a synthetic quote with the test root pinned and @p coll (or none) as collateral. */
static arca_result_t synthetic(const struct pki *p, const uint8_t *quote, size_t qlen,
                               const char *coll, const char *at)
{
    arca__hw_verifier *v = NULL;
    unsigned char *der = NULL;
    int n = i2d_X509(p->root, &der);
    arca_result_t r;
    if (arca__hw_verifier_create(&v) || arca__hw_add_root(v, der, (size_t)n, "test root"))
        exit(2);
    OPENSSL_free(der);
    if (coll && arca__hw_add_collateral(v, (const uint8_t *)coll, strlen(coll), "test coll")) {
        fprintf(stderr, "    collateral refused: %s\n", arca__error_detail());
        exit(2);
    }
    r = arca__hw_verify(v, quote, qlen, hw_time(at), &claims);
    fprintf(stderr, "    synthetic quote -> %s: %s\n", arca_result_name(r), arca__error_detail());
    arca__hw_verifier_free(v);
    return r;
}

static const uint8_t comp_up[16] = {9, 9}, comp_low[16] = {6, 6}, comp_none[16] = {1, 1};
static const uint8_t other_signer[32] = {0xde, 0xad};

/* One synthetic scenario: a test PKI (@p o; the PCK certificate at TCB @p comp), a quote from a
 * quoting enclave at @p qe_svn signed by @p qe_signer, and (unless @p platform is NULL) a
 * collateral bundle whose first TCB level and QE identity level at SVN 8 have these statuses;
 * verified at 2026-01-01. Everything it made is freed; the result and the claims remain. */
static arca_result_t scenario(const struct pki_opts *o, const uint8_t comp[16], uint16_t qe_svn,
                              const uint8_t *qe_signer, const char *platform, const char *qe)
{
    struct pki p;
    size_t qlen = 0;
    uint8_t *q;
    char *coll = NULL;
    arca_result_t r;

    pki_make(&p, o, comp);
    q = make_quote(&p, qe_svn, qe_signer, &qlen);
    if (platform)
        coll = make_collateral(&p, platform, qe, qe_mrsigner);
    r = synthetic(&p, q, qlen, coll, "2026-01-01T00:00:00Z");
    free(coll);
    free(q);
    pki_free(&p);
    return r;
}

static void test_synthetic_statuses(void)
{
    static const struct pki_opts none = {0};
    static const struct {
        const uint8_t *comp;
        uint16_t qe_svn;
        const uint8_t *qe_signer;
        const char *platform, *qe; /* the levels' statuses; NULL: no collateral */
        arca_result_t expect;
        arca__tcb_status status; /* when verified */
        const char *advisory;    /* the one advisory id, or NULL for none */
    } cases[] = {
        /* Without collateral: chain and signatures only. */
        {comp_up, 8, qe_mrsigner, NULL, NULL, ARCA_OK, ARCA__TCB_NOT_EVALUATED, NULL},
        /* Up to date platform and QE. */
        {comp_up, 8, qe_mrsigner, "OutOfDate", "UpToDate", ARCA_OK, ARCA__TCB_UP_TO_DATE, NULL},
        /* An OutOfDate QE makes an UpToDate platform OutOfDate, and brings its advisories. */
        {comp_up, 8, qe_mrsigner, "OutOfDate", "OutOfDate", ARCA_OK, ARCA__TCB_OUT_OF_DATE,
         "INTEL-SA-00002"},
        /* A Revoked QE level refuses. */
        {comp_up, 8, qe_mrsigner, "OutOfDate", "Revoked", ARCA_ERR_TCB_STATUS, 0, NULL},
        /* A QE below every identity level. */
        {comp_up, 7, qe_mrsigner, "OutOfDate", "UpToDate", ARCA_ERR_TCB_LEVEL_NOT_FOUND, 0, NULL},
        /* A quoting enclave signed by someone else than the identity names. */
        {comp_up, 8, other_signer, "OutOfDate", "UpToDate", ARCA_ERR_QE_IDENTITY, 0, NULL},
        /* A platform on the second level: its status and advisories; Revoked refuses. */
        {comp_low, 8, qe_mrsigner, "SWHardeningNeeded", "UpToDate", ARCA_OK,
         ARCA__TCB_SW_HARDENING_NEEDED, "INTEL-SA-00001"},
        {comp_low, 8, qe_mrsigner, "Revoked", "UpToDate", ARCA_ERR_TCB_STATUS, 0, NULL},
        /* A platform below every level. */
        {comp_none, 8, qe_mrsigner, "OutOfDate", "UpToDate", ARCA_ERR_TCB_LEVEL_NOT_FOUND, 0, NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ASSERT_RESULT(scenario(&none, cases[i].comp, cases[i].qe_svn, cases[i].qe_signer,
                               cases[i].platform, cases[i].qe),
                      cases[i].expect);
        if (cases[i].expect != ARCA_OK)
            continue;
        ASSERT_EQ(claims.tcb_status, cases[i].status);
        ASSERT_UEQ(claims.advisory_count, cases[i].advisory ? 1 : 0);
        if (cases[i].advisory)
            ASSERT_STREQ(claims.advisories[0], cases[i].advisory);
    }
}

static void test_revoked(void)
{
    /* The PCK leaf (serial 3) on its CA's CRL: no CRL, no check; with collateral, refused. */
    struct pki_opts o = {.revoke_pck_serial = 3};
    ASSERT_OK(scenario(&o, comp_up, 8, qe_mrsigner, NULL, NULL));
    ASSERT_RESULT(scenario(&o, comp_up, 8, qe_mrsigner, "UpToDate", "UpToDate"),
                  ARCA_ERR_CERT_REVOKED);
    ASSERT_CONTAINS(arca__error_detail(), "'Intel SGX PCK Certificate' is revoked");
    /* The PCK CA (serial 2) on the root's CRL. */
    o = (struct pki_opts){.revoke_ca_serial = 2};
    ASSERT_RESULT(scenario(&o, comp_up, 8, qe_mrsigner, "UpToDate", "UpToDate"),
                  ARCA_ERR_CERT_REVOKED);
    ASSERT_CONTAINS(arca__error_detail(), "'Intel SGX PCK Platform CA' is revoked");
    /* An expired PCK CRL. */
    o = (struct pki_opts){.crl_next = "2025-06-01T00:00:00Z"};
    ASSERT_RESULT(scenario(&o, comp_up, 8, qe_mrsigner, "UpToDate", "UpToDate"),
                  ARCA_ERR_COLLATERAL_EXPIRED);
}

/* The QE report must bind the attestation key; its signature must be the PCK's. */
static void test_qe_binding_and_signature(void)
{
    struct pki p;
    struct pki_opts o = {0};
    size_t qlen = 0;
    uint8_t *q, *qe;

    pki_make(&p, &o, comp_up);
    q = make_quote(&p, 8, qe_mrsigner, &qlen);
    qe = q + 436 + 128;
    /* Change the QE report data and re-sign the report: the binding fails, not the signature. */
    qe[321] ^= 1;
    ASSERT_OK(arca__ec_sign(p.pck_key, qe, 384, qe + 384));
    ASSERT_RESULT(synthetic(&p, q, qlen, NULL, "2026-01-01T00:00:00Z"), ARCA_ERR_QE_BINDING);
    /* Sign the QE report with the attestation key instead of the PCK key. */
    qe[321] ^= 1;
    ASSERT_OK(arca__ec_sign(p.att_key, qe, 384, qe + 384));
    ASSERT_RESULT(synthetic(&p, q, qlen, NULL, "2026-01-01T00:00:00Z"),
                  ARCA_ERR_QE_REPORT_SIGNATURE);
    free(q);
    pki_free(&p);
}

int main(void)
{
    RUN(test_wrong_root);
    RUN(test_ask_as_root);
    RUN(test_expired_and_not_yet_valid);
    RUN(test_collateral_refusals);
    RUN(test_collateral_tampered);
    RUN(test_snp_tcb_and_chip);
    RUN(test_azure_runtime_claims_replaced);
    RUN(test_synthetic_statuses);
    RUN(test_revoked);
    RUN(test_qe_binding_and_signature);
    return TEST_SUMMARY();
}
