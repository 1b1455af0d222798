/*
 * bench_crypto.c — sealing and attestation beside raw OpenSSL, measured in the same run.
 *
 * seal/unseal: the sealing core that arca_seal/arca_unseal run in the enclave (per-blob
 * HKDF, header, allocation, AES-256-GCM) versus raw EVP AES-256-GCM into a preallocated
 * buffer with a reused context. Target: ≥ 90 % of raw throughput from 64 KiB up.
 * evidence: dev-platform evidence creation and arca_verify_evidence versus one raw ECDSA
 * P-256 sign / verify of the same bytes. Target: ≤ 1.5× raw.
 * Uses $ARCA_PLATFORM_DIR (scripts/run-bench.sh points it into the build tree).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#include "arca/verify.h"
#include "common/evidence.h"
#include "common/sealblob.h"
#include "host/platform/dev_internal.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static const uint8_t key[32] = {42};
static uint8_t *data, *out, *blob_buf;

static int raw_gcm(EVP_CIPHER_CTX *ctx, size_t n, int enc)
{
    static const uint8_t iv[12] = {1};
    uint8_t tag[16] = {0};
    int len;
    if (enc) {
        if (!EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, key, iv) ||
            !EVP_EncryptUpdate(ctx, NULL, &len, data, 56) || !EVP_EncryptUpdate(ctx, out, &len, data, (int)n) ||
            !EVP_EncryptFinal_ex(ctx, out + len, &len) ||
            !EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, 16, tag))
            return -1;
        memcpy(blob_buf, tag, 16);
        return 0;
    }
    if (!EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, key, iv) ||
        !EVP_DecryptUpdate(ctx, NULL, &len, data, 56) || !EVP_DecryptUpdate(ctx, out, &len, data, (int)n) ||
        !EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, 16, blob_buf))
        return -1;
    (void)EVP_DecryptFinal_ex(ctx, out + len, &len); /* tag mismatch is fine: same work */
    return 0;
}

/* Run fn until ~budget seconds pass; return seconds per op. */
#define TIME_OPS(budget, body)                                                                   \
    ({                                                                                           \
        long ops_ = 0;                                                                           \
        double t0_ = now(), t_;                                                                  \
        do {                                                                                     \
            body;                                                                                \
            ops_++;                                                                              \
        } while ((t_ = now()) - t0_ < (budget));                                                 \
        (t_ - t0_) / (double)ops_;                                                               \
    })

int main(void)
{
    static const size_t sizes[] = {1024, 4096, 65536, 1 << 20, 16 << 20};
    const size_t max = 16 << 20;
    int failed = 0;
    data = calloc(1, max + 64);
    out = malloc(max + 64);
    blob_buf = malloc(64);
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    if (!data || !out || !blob_buf || !ctx)
        return 1;

    printf("%-26s %12s %12s %8s %s\n", "operation", "arca", "raw OpenSSL", "ratio", "target");
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        size_t n = sizes[i];
        double budget = 0.4;
        uint8_t *blob = NULL, *pt = NULL;
        size_t blob_len = 0, pt_len = 0;
        arca__sealblob parsed;
        /* warm up both paths (page faults, malloc thresholds) */
        for (int w = 0; w < 3; w++) {
            if (arca__seal_with_key(key, ARCA_SEAL_ENCLAVE, 0, NULL, 0, data, n, &blob, &blob_len))
                return 1;
            free(blob);
            raw_gcm(ctx, n, 1);
        }
        double raw_seal = TIME_OPS(budget, raw_gcm(ctx, n, 1));
        double arca_seal_t = TIME_OPS(budget, {
            if (arca__seal_with_key(key, ARCA_SEAL_ENCLAVE, 0, NULL, 0, data, n, &blob, &blob_len))
                return 1;
            free(blob);
        });
        if (arca__seal_with_key(key, ARCA_SEAL_ENCLAVE, 0, NULL, 0, data, n, &blob, &blob_len) ||
            arca__sealblob_parse(blob, blob_len, &parsed))
            return 1;
        double raw_unseal = TIME_OPS(budget, raw_gcm(ctx, n, 0));
        double arca_unseal_t = TIME_OPS(budget, {
            if (arca__unseal_with_key(key, &parsed, NULL, 0, &pt, &pt_len))
                return 1;
            free(pt);
        });
        free(blob);
        const char *target = n >= 65536 ? ">= 90%" : "(info)";
        double r1 = raw_seal / arca_seal_t, r2 = raw_unseal / arca_unseal_t;
        char label[64];
        snprintf(label, sizeof label, "seal   %6zu KiB (MB/s)", n / 1024);
        printf("%-26s %12.1f %12.1f %7.0f%% %s\n", label, n / arca_seal_t / 1e6, n / raw_seal / 1e6,
               100 * r1, target);
        snprintf(label, sizeof label, "unseal %6zu KiB (MB/s)", n / 1024);
        printf("%-26s %12.1f %12.1f %7.0f%% %s\n", label, n / arca_unseal_t / 1e6, n / raw_unseal / 1e6,
               100 * r2, target);
        if (n >= 65536 && (r1 < 0.9 || r2 < 0.9))
            failed = 1;
    }

    /* Evidence: creation and verification against one raw ECDSA sign / verify. */
    arca__platform *p = NULL;
    if (arca__dev_platform.open(NULL, &p) != ARCA_OK) {
        fprintf(stderr, "bench: cannot open the dev platform\n");
        return 1;
    }
    arca_identity_t id;
    memset(&id, 0, sizeof id);
    uint8_t rd[64] = {0}, sig[64], *ev = NULL;
    size_t ev_len = 0;
    if (arca__dev_platform.evidence(p, &id, rd, &ev, &ev_len))
        return 1;
    arca_policy_t *pol = NULL;
    if (arca_policy_create(&pol) || arca_policy_add_measurement(pol, id.measurement) ||
        arca_policy_add_trusted_cert(pol, p->cert_der, p->cert_len) || arca_policy_set_allow_dev_platform(pol, 1))
        return 1;
    EVP_PKEY *pkey = arca__ec_evp(p->attestation_key);
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    uint8_t der_sig[80];
    size_t der_len = sizeof der_sig;
    double raw_sign = TIME_OPS(0.5, {
        der_len = sizeof der_sig;
        if (EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, pkey) != 1 ||
            EVP_DigestSign(md, der_sig, &der_len, ev, ev_len - 64) != 1)
            return 1;
    });
    double arca_create = TIME_OPS(0.5, {
        uint8_t *e2 = NULL;
        size_t l2;
        if (arca__dev_platform.evidence(p, &id, rd, &e2, &l2))
            return 1;
        free(e2);
    });
    double raw_verify = TIME_OPS(0.5, {
        if (EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, pkey) != 1 ||
            EVP_DigestVerify(md, der_sig, der_len, ev, ev_len - 64) != 1)
            return 1;
    });
    double arca_verify_t = TIME_OPS(0.5, {
        if (arca_verify_evidence(ev, ev_len, pol, NULL) != ARCA_OK)
            return 1;
    });
    (void)sig;
    printf("%-26s %12.1f %12.1f %7.2fx %s\n", "evidence create (us)", arca_create * 1e6, raw_sign * 1e6,
           arca_create / raw_sign, "<= 1.5x");
    printf("%-26s %12.1f %12.1f %7.2fx %s\n", "evidence verify (us)", arca_verify_t * 1e6, raw_verify * 1e6,
           arca_verify_t / raw_verify, "<= 1.5x");
    if (arca_create / raw_sign > 1.5 || arca_verify_t / raw_verify > 1.5)
        failed = 1;
    printf("targets %s\n", failed ? "MISSED (see ratios above)" : "met");
    EVP_MD_CTX_free(md);
    arca_policy_free(pol);
    free(ev);
    arca__dev_platform.close(p);
    EVP_CIPHER_CTX_free(ctx);
    free(data);
    free(out);
    free(blob_buf);
    return 0;
}
