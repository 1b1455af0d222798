/*
 * hw.c — the hardware evidence verifier object and its format registry: pinned roots, the
 * collateral pool (recognised by content), the cache of verified chains, and the dispatch
 * from evidence bytes to the DCAP, SEV-SNP and Azure HCL verifiers.
 *
 * Divisions: names; the verifier object; roots; collateral; the chain cache; chain
 * verification; detection and dispatch.
 *
 * This file decides no trust on its own: it only routes. It must never let a cached verdict
 * outlive its time window or survive a change of roots or collateral, never hand out a
 * cache entry without taking references, and never fill claims when verification failed.
 */
#define _GNU_SOURCE
#include "verify/hw/hw.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/crypto.h"
#include "common/error.h"
#include "common/image.h" /* arca__read_file */
#include "common/le.h"
#include "verify/azure/hcl.h"
#include "verify/hw/hw_internal.h"
#include "verify/intel/dcap_quote.h"
#include "verify/snp/snp_report.h"

#define FILE_MAX (4u * 1024u * 1024u)

/* ---- names ---- */

const char *arca__tee_name(arca__tee tee)
{
    switch (tee) {
    case ARCA__TEE_SGX: return "sgx";
    case ARCA__TEE_TDX: return "tdx";
    case ARCA__TEE_SNP: return "snp";
    default: return "none";
    }
}

static const char *const status_names[] = {
    [ARCA__TCB_NOT_EVALUATED] = "NotEvaluated",
    [ARCA__TCB_UP_TO_DATE] = "UpToDate",
    [ARCA__TCB_SW_HARDENING_NEEDED] = "SWHardeningNeeded",
    [ARCA__TCB_CONFIGURATION_NEEDED] = "ConfigurationNeeded",
    [ARCA__TCB_CONFIGURATION_AND_SW_HARDENING_NEEDED] = "ConfigurationAndSWHardeningNeeded",
    [ARCA__TCB_OUT_OF_DATE] = "OutOfDate",
    [ARCA__TCB_OUT_OF_DATE_CONFIGURATION_NEEDED] = "OutOfDateConfigurationNeeded",
    [ARCA__TCB_REVOKED] = "Revoked",
};

const char *arca__tcb_status_name(arca__tcb_status status)
{
    if ((unsigned)status >= sizeof status_names / sizeof status_names[0])
        return "Unknown";
    return status_names[status];
}

int arca__tcb_status_parse(const char *name, arca__tcb_status *out)
{
    for (size_t i = 0; name && i < sizeof status_names / sizeof status_names[0]; i++)
        if (strcmp(name, status_names[i]) == 0) {
            *out = (arca__tcb_status)i;
            return 0;
        }
    return -1;
}

const char *arca__hw_format_name(arca__hw_format format)
{
    switch (format) {
    case ARCA__HW_FORMAT_DCAP_QUOTE: return "dcap-quote";
    case ARCA__HW_FORMAT_SNP_REPORT: return "snp-report";
    case ARCA__HW_FORMAT_AZURE_HCL: return "azure-hcl-report";
    default: return "none";
    }
}

arca_result_t arca__hw_key(const char *label, const void *data, size_t len, uint8_t key[32])
{
    arca_result_t result = ARCA_OK;
    arca__sha256_ctx ctx;

    ARCA_CHECK(arca__sha256_init(&ctx));
    if (arca__sha256_update(&ctx, label, strlen(label) + 1) != ARCA_OK ||
        arca__sha256_update(&ctx, data, len) != ARCA_OK) {
        arca__sha256_abort(&ctx);
        ARCA_RAISE(ARCA_ERR_CRYPTO, "cannot hash a cache key");
    }
    ARCA_CHECK(arca__sha256_final(&ctx, key));
done:
    return result;
}

arca_result_t arca__hw_add_advisory(arca__hw_claims *claims, const char *id)
{
    arca_result_t result = ARCA_OK;

    for (size_t i = 0; i < claims->advisory_count; i++)
        if (strcmp(claims->advisories[i], id) == 0)
            goto done;
    if (claims->advisory_count == ARCA__HW_MAX_ADVISORIES)
        ARCA_RAISE(ARCA_ERR_OVERFLOW, "more than %d advisory ids", ARCA__HW_MAX_ADVISORIES);
    snprintf(claims->advisories[claims->advisory_count++], ARCA__HW_ADVISORY_LEN, "%s", id);
done:
    return result;
}

/* ---- the verifier object ---- */

arca_result_t arca__hw_verifier_create(arca__hw_verifier **out)
{
    arca_result_t result = ARCA_OK;
    arca__hw_verifier *v = NULL;

    if (!out)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "hw_verifier_create: NULL output");
    *out = NULL;
    v = calloc(1, sizeof *v);
    if (!v)
        ARCA_RAISE(ARCA_ERR_OUT_OF_MEMORY, "cannot allocate a hardware verifier");
    if (pthread_mutex_init(&v->lock, NULL) != 0) {
        free(v);
        v = NULL;
        ARCA_RAISE(ARCA_ERR_OUT_OF_MEMORY, "cannot initialise the verifier's lock");
    }
    result = arca__trust_create(&v->trust);
    if (result != ARCA_OK) {
        arca__hw_verifier_free(v);
        goto done;
    }
    *out = v;
done:
    return result;
}

void arca__hw_verifier_free(arca__hw_verifier *v)
{
    if (!v)
        return;
    arca__hw_cache_clear(v);
    arca__trust_free(v->trust);
    for (size_t i = 0; i < v->cert_count; i++)
        arca__cert_free(v->certs[i]);
    free(v->certs);
    for (size_t i = 0; i < v->crl_count; i++)
        arca__crl_free(v->crls[i]);
    free(v->crls);
    for (size_t i = 0; i < v->item_count; i++) {
        arca__intel_tcb_info_free(v->items[i].tcb_info);
        arca__intel_identity_free(v->items[i].identity);
        arca__cert_free(v->items[i].signer);
        free((char *)v->items[i].name);
    }
    free(v->items);
    for (size_t i = 0; i < v->quote_count; i++)
        free(v->quotes[i].bytes);
    free(v->quotes);
    pthread_mutex_destroy(&v->lock);
    free(v);
}

/* ---- roots ---- */

arca_result_t arca__hw_add_root(arca__hw_verifier *v, const uint8_t *bytes, size_t len,
                                const char *name)
{
    arca_result_t result = ARCA_OK;
    arca__cert *certs[ARCA__X509_MAX_CERTS];
    size_t n = 0;

    if (!v || !name)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "hw_add_root: NULL argument");
    ARCA_CHECK(arca__certs_parse(bytes, len, name, certs, ARCA__X509_MAX_CERTS, &n));
    for (size_t i = 0; i < n && result == ARCA_OK; i++)
        result = arca__trust_add(v->trust, certs[i]);
    for (size_t i = 0; i < n; i++)
        arca__cert_free(certs[i]);
    if (result != ARCA_OK)
        ARCA_RAISE(arca__error(result, "%s: %s", name, arca__error_detail()));
    arca__hw_cache_clear(v);
done:
    return result;
}

arca_result_t arca__hw_add_root_file(arca__hw_verifier *v, const char *path)
{
    arca_result_t result = ARCA_OK;
    uint8_t *bytes = NULL;
    size_t len = 0;

    if (!v || !path)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "hw_add_root_file: NULL argument");
    ARCA_CHECK(arca__read_file(path, FILE_MAX, &bytes, &len));
    ARCA_CHECK(arca__hw_add_root(v, bytes, len, path));
done:
    free(bytes);
    return result;
}

static int pem_name(const struct dirent *e)
{
    size_t n = strlen(e->d_name);
    return n > 4 && strcmp(e->d_name + n - 4, ".pem") == 0;
}

static arca_result_t pool_add(arca__hw_verifier *v, arca__cert *cert);

arca_result_t arca__hw_add_default_roots(arca__hw_verifier *v, const char *dir)
{
    arca_result_t result = ARCA_OK;
    struct dirent **list = NULL;
    int n = -1;
    uint8_t *bytes = NULL;
    arca__cert *certs[ARCA__X509_MAX_CERTS];
    size_t count = 0;

    if (!v)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "hw_add_default_roots: NULL verifier");
    if (!dir)
        dir = ARCA_HW_ROOTS_DIR;
    n = scandir(dir, &list, pem_name, alphasort);
    if (n < 0)
        ARCA_RAISE(ARCA_ERR_NOT_FOUND, "%s: cannot list the default roots: %s", dir,
                   strerror(errno));
    for (int i = 0; i < n; i++) {
        char path[4096];
        size_t len = 0;
        if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, list[i]->d_name) >= sizeof path)
            ARCA_RAISE(ARCA_ERR_OVERFLOW, "%s: path too long", dir);
        ARCA_CHECK(arca__read_file(path, FILE_MAX, &bytes, &len));
        ARCA_CHECK(arca__certs_parse(bytes, len, path, certs, ARCA__X509_MAX_CERTS, &count));
        free(bytes);
        bytes = NULL;
        for (size_t c = 0; c < count; c++) {
            if (result == ARCA_OK)
                result = arca__cert_self_signed(certs[c]) ? arca__trust_add(v->trust, certs[c])
                                                          : pool_add(v, certs[c]);
            arca__cert_free(certs[c]);
        }
        count = 0;
        ARCA_CHECK(result);
    }
    if (n == 0)
        ARCA_RAISE(ARCA_ERR_NOT_FOUND, "%s: no .pem root certificates there", dir);
    arca__hw_cache_clear(v);
done:
    free(bytes);
    for (int i = 0; i < n; i++)
        free(list[i]);
    free(list);
    return result;
}

/* ---- collateral ---- */

/* Add a certificate to the untrusted pool (a new reference), once. */
static arca_result_t pool_add(arca__hw_verifier *v, arca__cert *cert)
{
    arca_result_t result = ARCA_OK;
    arca__cert **grown;

    for (size_t i = 0; i < v->cert_count; i++)
        if (memcmp(arca__cert_hash(v->certs[i]), arca__cert_hash(cert), 32) == 0)
            goto done;
    if (v->cert_count == ARCA__HW_MAX_POOL)
        ARCA_RAISE(ARCA_ERR_OVERFLOW, "more than %d collateral certificates", ARCA__HW_MAX_POOL);
    grown = realloc(v->certs, (v->cert_count + 1) * sizeof *grown);
    if (!grown)
        ARCA_RAISE(ARCA_ERR_OUT_OF_MEMORY, "cannot grow the certificate pool");
    v->certs = grown;
    v->certs[v->cert_count++] = arca__cert_ref(cert);
done:
    return result;
}

static arca_result_t add_certs(arca__hw_verifier *v, const uint8_t *bytes, size_t len,
                               const char *name)
{
    arca_result_t result = ARCA_OK;
    arca__cert *certs[ARCA__X509_MAX_CERTS];
    size_t n = 0;

    ARCA_CHECK(arca__certs_parse(bytes, len, name, certs, ARCA__X509_MAX_CERTS, &n));
    for (size_t i = 0; i < n; i++) {
        if (result == ARCA_OK)
            result = pool_add(v, certs[i]);
        arca__cert_free(certs[i]);
    }
done:
    return result;
}

static arca_result_t add_crl(arca__hw_verifier *v, const uint8_t *bytes, size_t len,
                             const char *name)
{
    arca_result_t result = ARCA_OK;
    arca__crl *crl = NULL;
    arca__crl **grown;
    char issuer[128];

    ARCA_CHECK(arca__crl_parse(bytes, len, name, &crl));
    for (size_t i = 0; i < v->crl_count; i++)
        if (memcmp(arca__crl_hash(v->crls[i]), arca__crl_hash(crl), 32) == 0)
            goto done;
    if (v->crl_count == ARCA__HW_MAX_POOL)
        ARCA_RAISE(ARCA_ERR_OVERFLOW, "more than %d CRLs", ARCA__HW_MAX_POOL);
    grown = realloc(v->crls, (v->crl_count + 1) * sizeof *grown);
    if (!grown)
        ARCA_RAISE(ARCA_ERR_OUT_OF_MEMORY, "cannot grow the CRL pool");
    v->crls = grown;
    arca__crl_issuer_cn(crl, issuer, sizeof issuer);
    if (strncmp(issuer, "Intel SGX", 9) == 0)
        v->intel_collateral = 1;
    if (strncmp(issuer, "ARK-", 4) == 0)
        v->amd_crl = 1;
    v->crls[v->crl_count++] = crl;
    crl = NULL;
done:
    arca__crl_free(crl);
    return result;
}

static arca_result_t add_item(arca__hw_verifier *v, arca__intel_tcb_info *info,
                              arca__intel_identity *identity, const char *name)
{
    arca_result_t result = ARCA_OK;
    arca__hw_signed_item *grown;

    if (v->item_count == ARCA__HW_MAX_POOL)
        ARCA_RAISE(ARCA_ERR_OVERFLOW, "more than %d collateral documents", ARCA__HW_MAX_POOL);
    grown = realloc(v->items, (v->item_count + 1) * sizeof *grown);
    if (!grown)
        ARCA_RAISE(ARCA_ERR_OUT_OF_MEMORY, "cannot grow the collateral list");
    v->items = grown;
    memset(&v->items[v->item_count], 0, sizeof *grown);
    v->items[v->item_count].name = strdup(name);
    if (!v->items[v->item_count].name)
        ARCA_RAISE(ARCA_ERR_OUT_OF_MEMORY, "cannot copy a collateral name");
    v->items[v->item_count].tcb_info = info;
    v->items[v->item_count].identity = identity;
    v->item_count++;
    v->intel_collateral = 1;
done:
    return result;
}

static arca_result_t add_quote(arca__hw_verifier *v, const uint8_t *bytes, size_t len,
                               const char *name)
{
    arca_result_t result = ARCA_OK;
    arca__hw_blob *grown;

    if (v->quote_count == ARCA__HW_MAX_POOL)
        ARCA_RAISE(ARCA_ERR_OVERFLOW, "more than %d quotes", ARCA__HW_MAX_POOL);
    grown = realloc(v->quotes, (v->quote_count + 1) * sizeof *grown);
    if (!grown)
        ARCA_RAISE(ARCA_ERR_OUT_OF_MEMORY, "cannot grow the quote list");
    v->quotes = grown;
    grown[v->quote_count].bytes = malloc(len);
    if (!grown[v->quote_count].bytes)
        ARCA_RAISE(ARCA_ERR_OUT_OF_MEMORY, "cannot copy a quote");
    memcpy(grown[v->quote_count].bytes, bytes, len);
    grown[v->quote_count].len = len;
    snprintf(grown[v->quote_count].name, sizeof grown[v->quote_count].name, "%s", name);
    v->quote_count++;
done:
    return result;
}

arca_result_t arca__hw_add_collateral(arca__hw_verifier *v, const uint8_t *bytes, size_t len,
                                      const char *name)
{
    arca_result_t result = ARCA_OK;
    arca__intel_doc doc;
    size_t i = 0;

    memset(&doc, 0, sizeof doc);
    if (!v || (!bytes && len != 0) || !name)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "hw_add_collateral: NULL argument");
    if (len == 0)
        ARCA_RAISE(ARCA_ERR_BAD_FORMAT, "%s: empty collateral", name);
    while (i < len && (bytes[i] == ' ' || bytes[i] == '\n' || bytes[i] == '\r' || bytes[i] == '\t'))
        i++;
    if (i < len && bytes[i] == '{') {
        ARCA_CHECK(arca__intel_doc_parse(bytes, len, name, &doc));
        for (size_t b = 0; b < doc.blob_count; b++)
            ARCA_CHECK(doc.blobs[b].is_crl
                           ? add_crl(v, doc.blobs[b].bytes, doc.blobs[b].len, name)
                           : add_certs(v, doc.blobs[b].bytes, doc.blobs[b].len, name));
        if (doc.tcb_info) {
            ARCA_CHECK(add_item(v, doc.tcb_info, NULL, name));
            doc.tcb_info = NULL;
        }
        if (doc.identity) {
            ARCA_CHECK(add_item(v, NULL, doc.identity, name));
            doc.identity = NULL;
        }
    } else if (arca__dcap_quote_detect(bytes, len)) {
        /* Before the PEM checks: a quote carries its PCK chain as PEM text. */
        ARCA_CHECK(add_quote(v, bytes, len, name));
    } else if (memmem(bytes, len, "-----BEGIN X509 CRL-----", 24)) {
        ARCA_CHECK(add_crl(v, bytes, len, name));
    } else if (memmem(bytes, len, "-----BEGIN CERTIFICATE-----", 27)) {
        ARCA_CHECK(add_certs(v, bytes, len, name));
    } else {
        /* DER: a certificate, else a CRL. */
        arca__cert *cert = NULL;
        if (arca__cert_parse(bytes, len, name, &cert) == ARCA_OK) {
            result = pool_add(v, cert);
            arca__cert_free(cert);
            ARCA_CHECK(result);
        } else if (add_crl(v, bytes, len, name) != ARCA_OK) {
            ARCA_RAISE(ARCA_ERR_BAD_FORMAT,
                       "%s: not collateral Arca knows (Intel TCB Info or QE identity JSON, a "
                       "dcap-qvl collateral bundle, PEM or DER certificates, a CRL, or a TD quote)",
                       name);
        }
    }
    arca__hw_cache_clear(v);
done:
    arca__intel_doc_clear(&doc);
    return result;
}

static int regular_name(const struct dirent *e)
{
    return e->d_name[0] != '.';
}

arca_result_t arca__hw_add_collateral_path(arca__hw_verifier *v, const char *path)
{
    arca_result_t result = ARCA_OK;
    struct stat st;
    struct dirent **list = NULL;
    int n = 0;
    uint8_t *bytes = NULL;
    size_t len = 0;

    if (!v || !path)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "hw_add_collateral_path: NULL argument");
    if (stat(path, &st) != 0)
        ARCA_RAISE(ARCA_ERR_IO, "%s: %s", path, strerror(errno));
    if (!S_ISDIR(st.st_mode)) {
        ARCA_CHECK(arca__read_file(path, FILE_MAX, &bytes, &len));
        ARCA_CHECK(arca__hw_add_collateral(v, bytes, len, path));
        goto done;
    }
    n = scandir(path, &list, regular_name, alphasort);
    if (n < 0) {
        n = 0;
        ARCA_RAISE(ARCA_ERR_IO, "%s: cannot list: %s", path, strerror(errno));
    }
    for (int i = 0; i < n; i++) {
        char file[4096];
        if ((size_t)snprintf(file, sizeof file, "%s/%s", path, list[i]->d_name) >= sizeof file)
            ARCA_RAISE(ARCA_ERR_OVERFLOW, "%s: path too long", path);
        if (stat(file, &st) != 0 || !S_ISREG(st.st_mode))
            continue;
        ARCA_CHECK(arca__read_file(file, FILE_MAX, &bytes, &len));
        ARCA_CHECK(arca__hw_add_collateral(v, bytes, len, file));
        free(bytes);
        bytes = NULL;
    }
done:
    free(bytes);
    for (int i = 0; i < n; i++)
        free(list[i]);
    free(list);
    return result;
}

/* ---- the chain cache ---- */

void arca__hw_chain_clear(arca__hw_chain *chain)
{
    if (!chain)
        return;
    arca__cert_free(chain->leaf);
    arca__pubkey_free(chain->key);
    memset(chain, 0, sizeof *chain);
}

static void chain_copy(arca__hw_chain *dst, const arca__hw_chain *src)
{
    *dst = *src;
    arca__cert_ref(dst->leaf);
    arca__pubkey_ref(dst->key);
}

int arca__hw_cache_get(arca__hw_verifier *v, const uint8_t key[32], int64_t at, arca__hw_chain *out)
{
    struct arca__hw_cache_slot *slot = &v->cache[key[0]];
    int hit = 0;

    pthread_mutex_lock(&v->lock);
    if (slot->used && memcmp(slot->key, key, 32) == 0 && at >= slot->chain.valid_from &&
        at <= slot->chain.valid_until) {
        chain_copy(out, &slot->chain);
        hit = 1;
        v->hits++;
    } else {
        v->misses++;
    }
    pthread_mutex_unlock(&v->lock);
    return hit;
}

void arca__hw_cache_put(arca__hw_verifier *v, const uint8_t key[32], const arca__hw_chain *chain)
{
    struct arca__hw_cache_slot *slot = &v->cache[key[0]];
    arca__hw_chain old;

    memset(&old, 0, sizeof old);
    pthread_mutex_lock(&v->lock);
    if (slot->used)
        old = slot->chain;
    chain_copy(&slot->chain, chain);
    memcpy(slot->key, key, 32);
    slot->used = 1;
    pthread_mutex_unlock(&v->lock);
    arca__hw_chain_clear(&old);
}

void arca__hw_cache_clear(arca__hw_verifier *v)
{
    for (size_t i = 0; i < ARCA__HW_CACHE_SLOTS; i++) {
        if (v->cache[i].used)
            arca__hw_chain_clear(&v->cache[i].chain);
        v->cache[i].used = 0;
    }
    for (size_t i = 0; i < v->item_count; i++) {
        v->items[i].checked = 0;
        arca__cert_free(v->items[i].signer);
        v->items[i].signer = NULL;
    }
}

void arca__hw_cache_stats(const arca__hw_verifier *v, uint64_t *hits, uint64_t *misses)
{
    *hits = v ? v->hits : 0;
    *misses = v ? v->misses : 0;
}

/* ---- chain verification ---- */

arca_result_t arca__hw_chain_verify(arca__hw_verifier *v, arca__cert *leaf,
                                    arca__cert *const *extra, size_t extra_count,
                                    arca__chain_params *params, int ext_kind, arca__hw_chain *out)
{
    arca_result_t result = ARCA_OK;
    arca__cert **pool = NULL;
    size_t n = 0;
    arca__chain_result res;

    memset(out, 0, sizeof *out);
    pool = malloc((extra_count + v->cert_count + 1) * sizeof *pool);
    if (!pool)
        ARCA_RAISE(ARCA_ERR_OUT_OF_MEMORY, "cannot allocate a certificate pool");
    for (size_t i = 0; i < extra_count; i++)
        pool[n++] = extra[i];
    for (size_t i = 0; i < v->cert_count; i++)
        pool[n++] = v->certs[i];
    if (params->crl_mode != ARCA__CHAIN_CRL_NONE) {
        params->crls = v->crls;
        params->crl_count = v->crl_count;
    }
    ARCA_CHECK(arca__chain_verify(leaf, pool, n, v->trust, params, &res));
    out->leaf = arca__cert_ref(leaf);
    /* Evidence signers (PCK, VCEK, VLEK) must have an EC key; CAs checked alone need not. */
    if (ext_kind != 0)
        ARCA_CHECK(arca__cert_pubkey(leaf, &out->key));
    memcpy(out->root_hash, res.root_hash, 32);
    out->valid_from = res.valid_from;
    out->valid_until = res.valid_until;
    out->ext_kind = ext_kind;
    arca__cert_cn(leaf, 1, out->issuer_cn, sizeof out->issuer_cn);
    if (ext_kind == 1)
        ARCA_CHECK(arca__cert_sgx_ext(leaf, &out->sgx));
    else if (ext_kind == 2)
        ARCA_CHECK(arca__cert_amd_ext(leaf, &out->amd));
done:
    if (result != ARCA_OK)
        arca__hw_chain_clear(out);
    free(pool);
    return result;
}

arca_result_t arca__hw_verify_amd_chain(arca__hw_verifier *v, const uint8_t *leaf_bytes,
                                        size_t leaf_len, int64_t at)
{
    arca_result_t result = ARCA_OK;
    arca__cert *certs[ARCA__X509_MAX_CERTS];
    size_t n = 0;
    arca__chain_params params;
    arca__hw_chain chain;

    memset(&chain, 0, sizeof chain);
    if (!v || !leaf_bytes)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "hw_verify_amd_chain: NULL argument");
    arca__error_clear();
    ARCA_CHECK(arca__certs_parse(leaf_bytes, leaf_len, "AMD certificate", certs,
                                 ARCA__X509_MAX_CERTS, &n));
    memset(&params, 0, sizeof params);
    params.at = at;
    params.crl_mode = v->amd_crl ? ARCA__CHAIN_CRL_CA_ONLY : ARCA__CHAIN_CRL_NONE;
    params.sig = ARCA__CHAIN_SIG_RSA_PSS_SHA384;
    params.what = "AMD certificate chain";
    /* The first certificate is the one verified; the others may serve as intermediates. */
    result = arca__hw_chain_verify(v, certs[0], certs + 1, n - 1, &params, 0, &chain);
done:
    arca__hw_chain_clear(&chain);
    for (size_t i = 0; i < n; i++)
        arca__cert_free(certs[i]);
    return result;
}

/* ---- detection and dispatch ---- */

arca__hw_format arca__hw_detect(const uint8_t *bytes, size_t len)
{
    if (!bytes)
        return ARCA__HW_FORMAT_NONE;
    if (arca__azure_hcl_detect(bytes, len))
        return ARCA__HW_FORMAT_AZURE_HCL;
    if (arca__dcap_quote_detect(bytes, len))
        return ARCA__HW_FORMAT_DCAP_QUOTE;
    if (arca__snp_report_detect(bytes, len))
        return ARCA__HW_FORMAT_SNP_REPORT;
    return ARCA__HW_FORMAT_NONE;
}

arca_result_t arca__hw_verify(arca__hw_verifier *v, const uint8_t *evidence, size_t len, int64_t at,
                              arca__hw_claims *claims)
{
    arca_result_t result = ARCA_OK;

    arca__error_clear();
    if (claims)
        memset(claims, 0, sizeof *claims);
    if (!v || !evidence || !claims)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "hw_verify: NULL argument");
    if (arca__trust_count(v->trust) == 0)
        ARCA_RAISE(ARCA_ERR_UNTRUSTED_ROOT,
                   "no root is pinned: pin the Intel SGX Root CA or an AMD "
                   "ARK (TrustedRoot), or load the default roots");
    switch (arca__hw_detect(evidence, len)) {
    case ARCA__HW_FORMAT_DCAP_QUOTE:
        result = arca__dcap_verify(v, evidence, len, at, claims);
        break;
    case ARCA__HW_FORMAT_SNP_REPORT: result = arca__snp_verify(v, evidence, len, at, claims); break;
    case ARCA__HW_FORMAT_AZURE_HCL:
        result = arca__azure_hcl_verify(v, evidence, len, at, claims);
        break;
    default:
        ARCA_RAISE(ARCA_ERR_BAD_EVIDENCE,
                   "%zu bytes that are neither an Intel DCAP quote, an AMD "
                   "SEV-SNP report nor an Azure HCL report",
                   len);
    }
    if (result == ARCA_OK)
        claims->verified_at = at;
done:
    if (result != ARCA_OK && claims)
        memset(claims, 0, sizeof *claims);
    return result;
}
