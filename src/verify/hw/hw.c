/*
 * hw.c — the hardware evidence verifier object and the hardware part of the evidence-format
 * registry: pinned roots (and where the shipped ones are), the collateral pool (recognised by
 * content), the cache of verified chains, and the dispatch from evidence bytes to the DCAP,
 * SEV-SNP and Azure HCL entries (verify/format.h).
 *
 * Divisions: names; the verifier object; roots; collateral; the chain cache; chain
 * verification; the registry's hardware formats, detection and dispatch.
 *
 * This file decides no trust on its own: it only routes. It must never let a cached verdict
 * outlive its time window or survive a change of roots or collateral, never hand out a
 * cache entry without taking references, and never fill claims when verification failed.
 */
#define _GNU_SOURCE
#include "verify/hw/hw.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto/crypto.h"
#include "base/error.h"
#include "formats/image.h" /* arca__read_file */
#include "base/le.h"
#include "verify/format.h"
#include "verify/hw/hw_internal.h"
#include "verify/intel/dcap_quote.h"

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


arca_result_t arca__hw_sha256_2(const void *a, size_t a_len, const void *b, size_t b_len,
                                uint8_t out[32])
{
    arca_result_t result = ARCA_OK;
    arca__sha256_ctx ctx;

    ARCA_CHECK(arca__sha256_init(&ctx));
    if (arca__sha256_update(&ctx, a, a_len) != ARCA_OK ||
        arca__sha256_update(&ctx, b, b_len) != ARCA_OK) {
        arca__sha256_abort(&ctx);
        ARCA_RAISE(ARCA_ERR_CRYPTO, "cannot compute a SHA-256");
    }
    ARCA_CHECK(arca__sha256_final(&ctx, out));
done:
    return result;
}

arca_result_t arca__hw_key(const char *label, const void *data, size_t len, uint8_t key[32])
{
    return arca__hw_sha256_2(label, strlen(label) + 1, data, len, key);
}

void arca__hw_claims_set(arca__hw_claims *claims, arca__tee tee, const uint8_t *measurement,
                         size_t measurement_len, const uint8_t *signer, size_t signer_len,
                         int debug, const uint8_t report_data[64])
{
    claims->tee = tee;
    memcpy(claims->measurement, measurement, measurement_len);
    claims->measurement_len = measurement_len;
    if (signer)
        memcpy(claims->signer, signer, signer_len);
    claims->signer_len = signer ? signer_len : 0;
    claims->debug = debug != 0;
    memcpy(claims->report_data, report_data, 64);
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

/* What to do with the bytes of one file (roots, collateral), named by its path. */
typedef arca_result_t (*file_fn)(arca__hw_verifier *v, const uint8_t *bytes, size_t len,
                                 const char *name);

/* The file @p path (at most FILE_MAX bytes) through @p one. */
static arca_result_t add_file(arca__hw_verifier *v, const char *path, file_fn one)
{
    arca_result_t result = ARCA_OK;
    uint8_t *bytes = NULL;
    size_t len = 0;

    if (!v || !path)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "hw: NULL verifier or path");
    ARCA_CHECK(arca__read_file(path, FILE_MAX, &bytes, &len));
    ARCA_CHECK(one(v, bytes, len, path));
done:
    free(bytes);
    return result;
}

static int visible(const struct dirent *e)
{
    return e->d_name[0] != '.';
}

/* Every regular file of @p dir whose name ends in @p suffix ("": any; hidden ones never),
 * sorted by name, through add_file(); how many in *count. */
static arca_result_t add_dir(arca__hw_verifier *v, const char *dir, const char *suffix,
                             file_fn one, size_t *count)
{
    arca_result_t result = ARCA_OK;
    struct dirent **list = NULL;
    struct stat st;
    int n = scandir(dir, &list, visible, alphasort);

    *count = 0;
    if (n < 0) {
        n = 0;
        ARCA_RAISE(ARCA_ERR_IO, "%s: cannot list: %s", dir, strerror(errno));
    }
    for (int i = 0; i < n; i++) {
        char file[4096];
        size_t len = strlen(list[i]->d_name), sl = strlen(suffix);
        if (len < sl || strcmp(list[i]->d_name + len - sl, suffix) != 0)
            continue;
        if ((size_t)snprintf(file, sizeof file, "%s/%s", dir, list[i]->d_name) >= sizeof file)
            ARCA_RAISE(ARCA_ERR_OVERFLOW, "%s: path too long", dir);
        if (stat(file, &st) != 0 || !S_ISREG(st.st_mode))
            continue;
        ARCA_CHECK(add_file(v, file, one));
        (*count)++;
    }
done:
    for (int i = 0; i < n; i++)
        free(list[i]);
    free(list);
    return result;
}

arca_result_t arca__hw_add_root_file(arca__hw_verifier *v, const char *path)
{
    return add_file(v, path, arca__hw_add_root);
}

static arca_result_t pool_add(arca__hw_verifier *v, arca__cert *cert);

/* The certificates of @p bytes (PEM bundle or DER) into the untrusted pool; with
 * @p pin_self_signed, the self-signed ones are pinned as roots instead. */
static arca_result_t take_certs(arca__hw_verifier *v, const uint8_t *bytes, size_t len,
                                const char *name, int pin_self_signed)
{
    arca_result_t result = ARCA_OK;
    arca__cert *certs[ARCA__X509_MAX_CERTS];
    size_t count = 0;

    ARCA_CHECK(arca__certs_parse(bytes, len, name, certs, ARCA__X509_MAX_CERTS, &count));
    for (size_t c = 0; c < count; c++) {
        if (result == ARCA_OK)
            result = pin_self_signed && arca__cert_self_signed(certs[c])
                         ? arca__trust_add(v->trust, certs[c])
                         : pool_add(v, certs[c]);
        arca__cert_free(certs[c]);
    }
done:
    return result;
}

/* A shipped roots file: self-signed certificates pinned, the others intermediates. */
static arca_result_t add_shipped(arca__hw_verifier *v, const uint8_t *bytes, size_t len,
                                 const char *name)
{
    return take_certs(v, bytes, len, name, 1);
}

/* The installed roots: ARCA_HW_ROOTS_REL from the directory of the library (or program) that
 * holds this code, when it is a directory (a relocated install, or the build tree, where the
 * build copies them), else the configured ARCA_HW_ROOTS_DIR. */
static void installed_roots_dir(char *out, size_t cap)
{
    Dl_info info;
    char module[PATH_MAX] = "";
    struct stat st;
    ssize_t n;

    if (dladdr((void *)installed_roots_dir, &info) && info.dli_fname && strchr(info.dli_fname, '/'))
        snprintf(module, sizeof module, "%s", info.dli_fname);
    else if ((n = readlink("/proc/self/exe", module, sizeof module - 1)) > 0)
        module[n] = '\0'; /* the main program: dladdr names it as it was invoked */
    if (module[0] &&
        (size_t)snprintf(out, cap, "%s/%s", dirname(module), ARCA_HW_ROOTS_REL) < cap &&
        stat(out, &st) == 0 && S_ISDIR(st.st_mode))
        return;
    snprintf(out, cap, "%s", ARCA_HW_ROOTS_DIR);
}

arca_result_t arca__hw_add_default_roots(arca__hw_verifier *v, const char *dir)
{
    arca_result_t result = ARCA_OK;
    size_t count = 0;
    char installed[PATH_MAX];

    if (!v)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "hw_add_default_roots: NULL verifier");
    if (!dir) {
        installed_roots_dir(installed, sizeof installed);
        dir = installed;
    }
    ARCA_CHECK(add_dir(v, dir, ".pem", add_shipped, &count));
    if (count == 0)
        ARCA_RAISE(ARCA_ERR_NOT_FOUND, "%s: no .pem root certificates there", dir);
    arca__hw_cache_clear(v);
done:
    return result;
}

arca_result_t arca__hw_use_default_roots_if_none(arca__hw_verifier *v)
{
    arca_result_t result = ARCA_OK;

    pthread_mutex_lock(&v->lock);
    if (arca__trust_count(v->trust) == 0 && arca__hw_add_default_roots(v, NULL) != ARCA_OK)
        result = arca__error(ARCA_ERR_UNTRUSTED_ROOT,
                             "the policy pins no root (TrustedRoot) and the shipped roots cannot "
                             "be used: %s; pin the Intel SGX Root CA or an AMD ARK with "
                             "TrustedRoot",
                             arca__error_detail());
    pthread_mutex_unlock(&v->lock);
    return result;
}

/* ---- collateral ---- */

arca_result_t arca__hw_append(void *array, size_t *count, size_t max, const void *item,
                              size_t size, const char *what, void **out)
{
    arca_result_t result = ARCA_OK;
    uint8_t *grown;

    *out = array;
    if (*count >= max)
        ARCA_RAISE(ARCA_ERR_OVERFLOW, "more than %zu %s", max, what);
    grown = realloc(array, (*count + 1) * size);
    if (!grown)
        ARCA_RAISE(ARCA_ERR_OUT_OF_MEMORY, "cannot grow the list of %s", what);
    memcpy(grown + *count * size, item, size);
    (*count)++;
    *out = grown;
done:
    return result;
}

/* Add a certificate to the untrusted pool (a new reference), once. */
static arca_result_t pool_add(arca__hw_verifier *v, arca__cert *cert)
{
    arca_result_t result = ARCA_OK;
    void *grown;

    for (size_t i = 0; i < v->cert_count; i++)
        if (memcmp(arca__cert_hash(v->certs[i]), arca__cert_hash(cert), 32) == 0)
            goto done;
    result = arca__hw_append(v->certs, &v->cert_count, ARCA__HW_MAX_POOL, &cert, sizeof cert,
                             "collateral certificates", &grown);
    v->certs = grown;
    ARCA_CHECK(result);
    arca__cert_ref(cert);
done:
    return result;
}

static arca_result_t add_certs(arca__hw_verifier *v, const uint8_t *bytes, size_t len,
                               const char *name)
{
    return take_certs(v, bytes, len, name, 0);
}

static arca_result_t add_crl(arca__hw_verifier *v, const uint8_t *bytes, size_t len,
                             const char *name)
{
    arca_result_t result = ARCA_OK;
    arca__crl *crl = NULL;
    void *grown;
    char issuer[128];

    ARCA_CHECK(arca__crl_parse(bytes, len, name, &crl));
    for (size_t i = 0; i < v->crl_count; i++)
        if (memcmp(arca__crl_hash(v->crls[i]), arca__crl_hash(crl), 32) == 0)
            goto done;
    result = arca__hw_append(v->crls, &v->crl_count, ARCA__HW_MAX_POOL, &crl, sizeof crl, "CRLs",
                             &grown);
    v->crls = grown;
    ARCA_CHECK(result);
    arca__crl_issuer_cn(crl, issuer, sizeof issuer);
    if (strncmp(issuer, "Intel SGX", 9) == 0)
        v->intel_collateral = 1;
    if (strncmp(issuer, "ARK-", 4) == 0)
        v->amd_crl = 1;
    crl = NULL; /* the pool's now */
done:
    arca__crl_free(crl);
    return result;
}

/* Add a TCB Info or an identity (taken over on success only). */
static arca_result_t add_item(arca__hw_verifier *v, arca__intel_tcb_info *info,
                              arca__intel_identity *identity, const char *name)
{
    arca_result_t result = ARCA_OK;
    arca__hw_signed_item item = {.tcb_info = info, .identity = identity, .name = strdup(name)};
    void *grown;

    if (!item.name)
        ARCA_RAISE(ARCA_ERR_OUT_OF_MEMORY, "cannot copy a collateral name");
    result = arca__hw_append(v->items, &v->item_count, ARCA__HW_MAX_POOL, &item, sizeof item,
                             "collateral documents", &grown);
    v->items = grown;
    ARCA_CHECK(result);
    item.name = NULL;
    v->intel_collateral = 1;
done:
    free((char *)item.name);
    return result;
}

static arca_result_t add_quote(arca__hw_verifier *v, const uint8_t *bytes, size_t len,
                               const char *name)
{
    arca_result_t result = ARCA_OK;
    arca__hw_blob blob = {.bytes = malloc(len), .len = len};
    void *grown;

    if (!blob.bytes)
        ARCA_RAISE(ARCA_ERR_OUT_OF_MEMORY, "cannot copy a quote");
    memcpy(blob.bytes, bytes, len);
    snprintf(blob.name, sizeof blob.name, "%s", name);
    result = arca__hw_append(v->quotes, &v->quote_count, ARCA__HW_MAX_POOL, &blob, sizeof blob,
                             "quotes", &grown);
    v->quotes = grown;
    ARCA_CHECK(result);
    blob.bytes = NULL;
done:
    free(blob.bytes);
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
        /* Not JSON, or JSON of no known kind: no collateral Arca knows (a format error). */
        result = arca__intel_doc_parse(bytes, len, name, &doc);
        if (result == ARCA_ERR_NOT_FOUND)
            ARCA_RAISE(ARCA_ERR_BAD_FORMAT, "%s (not collateral Arca knows: Intel TCB Info or QE "
                       "identity JSON, or a dcap-qvl collateral bundle)", arca__error_detail());
        ARCA_CHECK(result);
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

arca_result_t arca__hw_add_collateral_path(arca__hw_verifier *v, const char *path)
{
    arca_result_t result = ARCA_OK;
    struct stat st;
    size_t count = 0;

    if (!v || !path)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "hw_add_collateral_path: NULL argument");
    if (stat(path, &st) != 0)
        ARCA_RAISE(ARCA_ERR_IO, "%s: %s", path, strerror(errno));
    if (S_ISDIR(st.st_mode))
        ARCA_CHECK(add_dir(v, path, "", arca__hw_add_collateral, &count));
    else
        ARCA_CHECK(add_file(v, path, arca__hw_add_collateral));
done:
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

/* ---- the registry's hardware formats, detection and dispatch ---- */

/* In detection order; each entry lives in its format's directory. Adding a hardware format:
 * its directory and one line here (docs/architecture.md, "Adding an evidence format"). */
const arca__evidence_format *const arca__hw_formats[] = {
    &arca__format_dcap_quote, /* intel/dcap_verify.c */
    &arca__format_snp_report, /* snp/snp_verify.c */
    &arca__format_azure_hcl,  /* azure/hcl_verify.c */
    NULL,
};

static const arca__evidence_format *hw_find(const uint8_t *bytes, size_t len)
{
    for (size_t i = 0; bytes && arca__hw_formats[i]; i++)
        if (arca__hw_formats[i]->detect(bytes, len))
            return arca__hw_formats[i];
    return NULL;
}

arca__hw_format arca__hw_detect(const uint8_t *bytes, size_t len)
{
    const arca__evidence_format *f = hw_find(bytes, len);
    return f ? (arca__hw_format)f->id : ARCA__HW_FORMAT_NONE;
}

const char *arca__hw_format_name(arca__hw_format format)
{
    for (size_t i = 0; arca__hw_formats[i]; i++)
        if (arca__hw_formats[i]->id == (uint16_t)format)
            return arca__hw_formats[i]->name;
    return "none";
}

arca_result_t arca__hw_verify_as(arca__hw_verifier *v, const arca__evidence_format *format,
                                 const uint8_t *evidence, size_t len, int64_t at,
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
    if (!format || !format->hw_verify)
        ARCA_RAISE(ARCA_ERR_BAD_EVIDENCE,
                   "%zu bytes that are neither an Intel DCAP quote, an AMD "
                   "SEV-SNP report nor an Azure HCL report",
                   len);
    result = format->hw_verify(v, evidence, len, at, claims);
    if (result == ARCA_OK)
        claims->verified_at = at;
done:
    if (result != ARCA_OK && claims)
        memset(claims, 0, sizeof *claims);
    return result;
}

arca_result_t arca__hw_verify(arca__hw_verifier *v, const uint8_t *evidence, size_t len, int64_t at,
                              arca__hw_claims *claims)
{
    return arca__hw_verify_as(v, hw_find(evidence, len), evidence, len, at, claims);
}
