/*
 * bench_verify.c — hardware evidence verification beside the raw OpenSSL signature checks it
 * must perform, measured in the same run, on real vectors:
 *   SGX quote (dcap-qvl, v3, with its collateral: TCB status evaluated),
 *   TDX quote (dcap-qvl, v4, with its collateral),
 *   SEV-SNP report (Microsoft's Milan v3, with its VCEK).
 * warm: one verifier (roots pinned, collateral parsed and signature-checked, chains verified
 * and cached by certificate hash) verifies the evidence again and again. raw: exactly the
 * signatures that cannot be cached — for a quote, the QE report (ECDSA P-256 under the PCK
 * key) and the quote (ECDSA P-256 under the attestation key, which raw code must also build
 * from its x || y); for an SNP report, ECDSA P-384 under the VCEK. Target: warm ≤ 1.3× raw.
 * cold: a new verifier per verification (PEM and JSON parsing, every chain and collateral
 * signature), for information.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "formats/image.h"
#include "verify/hw/hw.h"
#include "verify/intel/collateral.h"
#include "verify/intel/dcap_quote.h"
#include "../bench_util.h"

static uint8_t *load(const char *rel, size_t *len)
{
    char path[1024];
    uint8_t *b = NULL;
    snprintf(path, sizeof path, "%s/%s", ARCA_BENCH_VECTORS, rel);
    if (arca__read_file(path, 4u << 20, &b, len) != ARCA_OK) {
        fprintf(stderr, "bench: cannot read %s\n", path);
        exit(1);
    }
    return b;
}

/* ---- raw OpenSSL ---- */

static EVP_MD *sha256, *sha384;

/* ECDSA over msg with key, signature as big-endian r || s of n bytes each. */
static int raw_verify(EVP_PKEY *key, const EVP_MD *md, const uint8_t *msg, size_t len,
                      const uint8_t *r, const uint8_t *s, int n)
{
    ECDSA_SIG *sig = ECDSA_SIG_new();
    unsigned char *der = NULL;
    int der_len, ok;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    ECDSA_SIG_set0(sig, BN_bin2bn(r, n, NULL), BN_bin2bn(s, n, NULL));
    der_len = i2d_ECDSA_SIG(sig, &der);
    ok = EVP_DigestVerifyInit_ex(ctx, NULL, EVP_MD_get0_name(md), NULL, NULL, key, NULL) == 1 &&
         EVP_DigestVerify(ctx, der, (size_t)der_len, msg, len) == 1;
    EVP_MD_CTX_free(ctx);
    OPENSSL_free(der);
    ECDSA_SIG_free(sig);
    return ok;
}

static EVP_PKEY *raw_p256_from_xy(const uint8_t xy[64])
{
    uint8_t point[65];
    char group[] = "P-256";
    OSSL_PARAM params[3];
    EVP_PKEY *pkey = NULL;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
    point[0] = 4;
    memcpy(point + 1, xy, 64);
    params[0] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group, 0);
    params[1] = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, point, sizeof point);
    params[2] = OSSL_PARAM_construct_end();
    if (!ctx || EVP_PKEY_fromdata_init(ctx) != 1 ||
        EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) != 1)
        pkey = NULL;
    EVP_PKEY_CTX_free(ctx);
    return pkey;
}

/* The two signatures of a quote, as raw OpenSSL code would check them. */
static int raw_quote(EVP_PKEY *pck, const uint8_t *quote, const arca__dcap_quote *q)
{
    EVP_PKEY *att = raw_p256_from_xy(q->attestation_key);
    int ok = att &&
             raw_verify(pck, sha256, q->qe_report, 384, q->qe_report_signature,
                        q->qe_report_signature + 32, 32) &&
             raw_verify(att, sha256, quote, q->signed_len, q->signature, q->signature + 32, 32);
    EVP_PKEY_free(att);
    return ok;
}

static EVP_PKEY *first_cert_key(const uint8_t *pem, size_t len)
{
    BIO *b = BIO_new_mem_buf(pem, (int)len);
    X509 *x = PEM_read_bio_X509(b, NULL, NULL, NULL);
    EVP_PKEY *k = x ? X509_get_pubkey(x) : NULL;
    X509_free(x);
    BIO_free(b);
    return k;
}

static EVP_PKEY *der_cert_key(const uint8_t *bytes, size_t len)
{
    BIO *b = BIO_new_mem_buf(bytes, (int)len);
    X509 *x = PEM_read_bio_X509(b, NULL, NULL, NULL);
    EVP_PKEY *k = x ? X509_get_pubkey(x) : NULL;
    X509_free(x);
    BIO_free(b);
    return k;
}

/* ---- one case ---- */

struct bcase {
    const char *name;
    const char *evidence;
    const char *collateral[3];
    const char *at;
    int snp;
    const char *vcek; /* SNP: PEM VCEK for the raw side */
};

static int run(const struct bcase *c)
{
    size_t len = 0;
    uint8_t *ev = load(c->evidence, &len);
    arca__hw_verifier *v = NULL;
    static arca__hw_claims claims;
    int64_t at;
    double a[ROUNDS], r[ROUNDS], q[ROUNDS], cold;
    EVP_PKEY *key = NULL;
    arca__dcap_quote dq;
    uint64_t hits, misses;
    char path[1024];
    int ok = 1;

    if (arca__intel_parse_date(c->at, &at) != 0)
        return 0;
    /* The verifier a service would keep: roots, collateral, a warm cache. */
    if (arca__hw_verifier_create(&v) || arca__hw_add_default_roots(v, ARCA_BENCH_ROOTS))
        return 0;
    for (int i = 0; c->collateral[i]; i++) {
        snprintf(path, sizeof path, "%s/%s", ARCA_BENCH_VECTORS, c->collateral[i]);
        if (arca__hw_add_collateral_path(v, path))
            return 0;
    }
    if (arca__hw_verify(v, ev, len, at, &claims) != ARCA_OK) {
        fprintf(stderr, "bench: %s does not verify\n", c->name);
        return 0;
    }
    if (c->snp) {
        size_t vl = 0;
        uint8_t *pem = load(c->vcek, &vl);
        key = der_cert_key(pem, vl);
        free(pem);
    } else {
        if (arca__dcap_quote_parse(ev, len, &dq))
            return 0;
        key = first_cert_key(dq.pck_chain, dq.pck_chain_len);
    }
    if (!key)
        return 0;

    for (int k = 0; k < ROUNDS; k++) {
        double ta, tr;
#define ARCA_SIDE                                                \
    do {                                                         \
        if (arca__hw_verify(v, ev, len, at, &claims) != ARCA_OK) \
            ok = 0;                                              \
    } while (0)
#define RAW_SIDE                                                 \
    do {                                                         \
        if (c->snp) {                                            \
            uint8_t rr[48], ss[48];                              \
            for (int i_ = 0; i_ < 48; i_++) {                    \
                rr[i_] = ev[0x2A0 + 47 - i_];                    \
                ss[i_] = ev[0x2E8 + 47 - i_];                    \
            }                                                    \
            if (!raw_verify(key, sha384, ev, 0x2A0, rr, ss, 48)) \
                ok = 0;                                          \
        } else if (!raw_quote(key, ev, &dq)) {                   \
            ok = 0;                                              \
        }                                                        \
    } while (0)
        if (k & 1) {
            ta = TIME_OPS(0.15, ARCA_SIDE);
            tr = TIME_OPS(0.15, RAW_SIDE);
        } else {
            tr = TIME_OPS(0.15, RAW_SIDE);
            ta = TIME_OPS(0.15, ARCA_SIDE);
        }
        a[k] = ta;
        r[k] = tr;
        q[k] = ta / tr;
    }
    arca__hw_cache_stats(v, &hits, &misses);
    arca__hw_verifier_free(v);

    /* Cold: everything from the bytes, every time. */
    cold = TIME_OPS(0.6, {
        arca__hw_verifier *w = NULL;
        if (arca__hw_verifier_create(&w) || arca__hw_add_default_roots(w, ARCA_BENCH_ROOTS))
            ok = 0;
        for (int i = 0; c->collateral[i]; i++) {
            snprintf(path, sizeof path, "%s/%s", ARCA_BENCH_VECTORS, c->collateral[i]);
            if (arca__hw_add_collateral_path(w, path))
                ok = 0;
        }
        if (arca__hw_verify(w, ev, len, at, &claims) != ARCA_OK)
            ok = 0;
        arca__hw_verifier_free(w);
    });
    {
        double ratio = median(q, ROUNDS);
        printf("%-26s %10.1f %10.1f %7.2fx %10.1f   %s (cache %llu hits / %llu misses)\n", c->name,
               median(a, ROUNDS) * 1e6, median(r, ROUNDS) * 1e6, ratio, cold * 1e6,
               ratio <= 1.3 ? "<= 1.3x ok" : "ABOVE 1.3x", (unsigned long long)hits,
               (unsigned long long)misses);
        if (ratio > 1.3)
            ok = 0;
    }
    EVP_PKEY_free(key);
    free(ev);
    return ok;
}

int main(void)
{
    static const struct bcase cases[] = {
        {"SGX quote v3 + collateral",
         "sgx-tdx/dcap-qvl/sgx_quote",
         {"sgx-tdx/dcap-qvl/sgx_quote_collateral.json", NULL},
         "2025-06-20T00:00:00Z",
         0,
         NULL},
        {"TDX quote v4 + collateral",
         "sgx-tdx/dcap-qvl/tdx_quote",
         {"sgx-tdx/dcap-qvl/tdx_quote_collateral.json", NULL},
         "2025-06-20T00:00:00Z",
         0,
         NULL},
        {"SEV-SNP report (Milan)",
         "sev-snp/ms-tee-attestation-verification/milan_attestation_report.bin",
         {"sev-snp/ms-tee-attestation-verification/milan_vcek.pem", NULL},
         "2026-03-01T00:00:00Z",
         1,
         "sev-snp/ms-tee-attestation-verification/milan_vcek.pem"},
    };
    int ok = 1;
    sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
    sha384 = EVP_MD_fetch(NULL, "SHA384", NULL);
    printf("%-26s %10s %10s %8s %10s\n", "evidence (us per op)", "warm", "raw", "ratio", "cold");
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        if (!run(&cases[i])) {
            ok = 0;
            fprintf(stderr, "bench: %s failed or missed its target\n", cases[i].name);
        }
    EVP_MD_free(sha256);
    EVP_MD_free(sha384);
    return ok ? 0 : 1;
}
