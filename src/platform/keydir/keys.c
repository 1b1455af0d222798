/*
 * keys.c — what a key-directory platform does with its files (keydir.h): open (each file read
 * once to report damage early), key derivation for an identity, evidence signing and the
 * public description, parametrised by the platform's profile.
 *
 * Keys are derived only from the identity the loader computed and handed in — never from
 * anything an enclave says. The DEBUG attribute and the backend's isolation class enter them,
 * so debug and production enclaves never share a key, and neither do an enclave on sim (in
 * the host's process) and the same enclave on an isolating backend; the profile's labels keep
 * platforms of different kinds apart even if their root secrets were the same bytes. A
 * damaged, short or missing file in an existing directory is reported as
 * ARCA_ERR_PLATFORM_DAMAGED naming the file, and is never regenerated.
 *
 * No secret is kept in the platform object: an open platform lives as long as its enclaves.
 * derive_keys reads the root seal secret into a local buffer, and evidence loads the
 * attestation key, for that one call; both are wiped (the file bytes too) before the call
 * returns. This file must never keep either beyond the call that needed it.
 */
#include "keydir.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/error.h"
#include "formats/sealblob.h"

#define LABEL_MAX 32 /* room for the longest label in the info buffer */

/* Read the root secret: exactly 32 bytes in a private regular file. */
static arca_result_t load_root(const arca__platform *p, uint8_t root[ARCA_KEYDIR_ROOT_SIZE])
{
    arca_result_t result = ARCA_OK;
    uint8_t *bytes = NULL;
    size_t len = 0;

    ARCA_CHECK(arca__keydir_read(p, ARCA_KEYDIR_ROOT_FILE, 0, ARCA_KEYDIR_ROOT_SIZE, &bytes, &len));
    if (len != ARCA_KEYDIR_ROOT_SIZE)
        ARCA_RAISE(ARCA_ERR_PLATFORM_DAMAGED,
                   "%s: %s/%s must hold exactly %d bytes (it is %zu bytes); restore it from a "
                   "backup",
                   p->profile->what, p->dir, ARCA_KEYDIR_ROOT_FILE, ARCA_KEYDIR_ROOT_SIZE, len);
    memcpy(root, bytes, ARCA_KEYDIR_ROOT_SIZE);
done:
    if (bytes) {
        arca__wipe(bytes, len);
        free(bytes);
    }
    if (result != ARCA_OK)
        arca__wipe(root, ARCA_KEYDIR_ROOT_SIZE);
    return result;
}

/* A failure of a crypto call on a key directory file: ARCA_ERR_KEY and ARCA_ERR_BAD_FORMAT
 * (the file's bytes are wrong) become ARCA_ERR_PLATFORM_DAMAGED, other results stay. */
static arca_result_t damaged(const arca__platform *p, arca_result_t r)
{
    if (r == ARCA_ERR_KEY || r == ARCA_ERR_BAD_FORMAT)
        return arca__error(ARCA_ERR_PLATFORM_DAMAGED, "%s: %s; restore it from a backup",
                           p->profile->what, arca__error_detail());
    return arca__error(r, "%s: %s", p->profile->what, arca__error_detail());
}

/*
 * The attestation key, from PKCS#8 PEM, without leaving a copy of its private scalar in freed
 * memory (arca__ec_from_pkcs8_pem says how), completed with the leaf's public key. A key
 * loaded for each request would otherwise still leave its scalar in the heap, which is what
 * loading per request is meant to prevent (tests/attest/test_attest_key_memory.c).
 */
arca_result_t arca__keydir_load_attestation_key(const arca__platform *p, arca__ec_key **out)
{
    arca_result_t result = ARCA_OK;
    uint8_t *pem = NULL;
    size_t len = 0;
    char path[PATH_MAX];

    *out = NULL;
    ARCA_CHECK(arca__keydir_read(p, ARCA_KEYDIR_KEY_FILE, 0, ARCA_KEYDIR_FILE_MAX, &pem, &len));
    (void)arca__keydir_path(path, p->dir, ARCA_KEYDIR_KEY_FILE);
    result = arca__ec_from_pkcs8_pem(pem, len, path, p->public_key, out);
    if (result != ARCA_OK)
        ARCA_RAISE(damaged(p, result));
done:
    if (pem) {
        arca__wipe(pem, len);
        free(pem);
    }
    return result;
}

/* At open: the key file holds the private key of the leaf's public key. */
static arca_result_t check_key_matches_cert(const arca__platform *p)
{
    arca_result_t result = ARCA_OK;
    arca__ec_key *key = NULL;

    ARCA_CHECK(arca__keydir_load_attestation_key(p, &key));
    result = arca__ec_check_pair(key);
    if (result == ARCA_ERR_KEY)
        ARCA_RAISE(ARCA_ERR_PLATFORM_DAMAGED,
                   "%s: %s/%s does not match %s/%s (the files come from different platforms): %s",
                   p->profile->what, p->dir, ARCA_KEYDIR_KEY_FILE, p->dir, p->profile->cert_file,
                   arca__error_detail());
    ARCA_CHECK(result);
done:
    arca__ec_free(key);
    return result;
}

/* Load the certificate list: keep each DER, the leaf's public key and the platform id (the
 * leaf key's SPKI hash); then the profile's own checks of the list. */
static arca_result_t load_certs(arca__platform *p)
{
    arca_result_t result = ARCA_OK;
    const arca__keydir_profile *pr = p->profile;
    uint8_t *pem = NULL;
    size_t len = 0, count = 0;
    arca__cert *certs[ARCA_EVIDENCE_MAX_CERTS + 1] = {0};
    char path[PATH_MAX];

    ARCA_CHECK(arca__keydir_read(p, pr->cert_file, 0, ARCA_KEYDIR_FILE_MAX, &pem, &len));
    (void)arca__keydir_path(path, p->dir, pr->cert_file);
    result = arca__certs_parse(pem, len, path, certs, pr->max_certs + 1, &count);
    if (result == ARCA_ERR_OVERFLOW || (result == ARCA_OK && count > pr->max_certs))
        ARCA_RAISE(ARCA_ERR_PLATFORM_DAMAGED,
                   "%s: %s holds more than %u certificate%s; restore it from a backup", pr->what,
                   path, pr->max_certs, pr->max_certs == 1 ? "" : "s");
    if (result != ARCA_OK)
        ARCA_RAISE(damaged(p, result));
    if (count < pr->min_certs)
        ARCA_RAISE(ARCA_ERR_PLATFORM_DAMAGED,
                   "%s: %s holds %zu certificate%s, fewer than the %u it must; restore it from a "
                   "backup", pr->what, path, count, count == 1 ? "" : "s", pr->min_certs);
    for (size_t i = 0; i < count; i++) {
        size_t der_len = 0;
        const uint8_t *der = arca__cert_der(certs[i], &der_len);
        if (der_len > ARCA_EVIDENCE_MAX_CERT_SIZE)
            ARCA_RAISE(ARCA_ERR_PLATFORM_DAMAGED,
                       "%s: %s holds a certificate of %zu bytes, more than evidence carries (%u); "
                       "restore it from a backup", pr->what, path, der_len,
                       ARCA_EVIDENCE_MAX_CERT_SIZE);
        p->certs[i] = malloc(der_len);
        if (!p->certs[i])
            ARCA_RAISE(ARCA_ERR_OUT_OF_MEMORY, "%s: out of memory", pr->what);
        memcpy(p->certs[i], der, der_len);
        p->cert_lens[i] = der_len;
        p->cert_count = (uint32_t)(i + 1);
    }
    p->cert_der = p->certs[0];
    p->cert_len = p->cert_lens[0];
    ARCA_CHECK(arca__cert_spki_hash(certs[0], p->platform_id));
    result = arca__cert_ec_key(certs[0], &p->public_key);
    if (result == ARCA_ERR_KEY)
        ARCA_RAISE(ARCA_ERR_PLATFORM_DAMAGED, "%s: %s does not hold a P-256 public key (%s)",
                   pr->what, path, arca__error_detail());
    ARCA_CHECK(result);
    if (pr->check_certs)
        ARCA_CHECK(pr->check_certs(p, certs, count, path));
done:
    for (size_t i = 0; i < count; i++)
        arca__cert_free(certs[i]);
    free(pem);
    return result;
}

void arca__keydir_close(arca__platform *p)
{
    if (!p)
        return;
    arca__counter_store_close(p->counters);
    if (p->counter_lock_ready)
        pthread_mutex_destroy(&p->counter_lock);
    if (p->dir_fd >= 0)
        close(p->dir_fd);
    arca__ec_free(p->public_key);
    for (uint32_t i = 0; i < p->cert_count; i++)
        free(p->certs[i]);
    free(p);
}

arca_result_t arca__keydir_open(const arca__keydir_profile *pr, const char *dir, int created,
                                arca__platform **out)
{
    arca_result_t result = ARCA_OK;
    arca__platform *p = NULL;
    uint8_t root[ARCA_KEYDIR_ROOT_SIZE];

    memset(root, 0, sizeof root);
    *out = NULL;
    if (strlen(dir) >= sizeof p->dir)
        ARCA_RAISE(ARCA_ERR_PLATFORM, "%s: %s path is too long", pr->what, pr->dir_noun);
    p = calloc(1, pr->state_size > sizeof *p ? pr->state_size : sizeof *p);
    if (!p)
        ARCA_RAISE(ARCA_ERR_OUT_OF_MEMORY, "%s: out of memory", pr->what);
    p->ops = pr->ops;
    p->profile = pr;
    p->dir_fd = -1;
    p->created = created;
    snprintf(p->dir, sizeof p->dir, "%s", dir);
    if (pthread_mutex_init(&p->counter_lock, NULL) != 0)
        ARCA_RAISE(ARCA_ERR_OUT_OF_MEMORY, "%s: cannot make a lock", pr->what);
    p->counter_lock_ready = 1;
    ARCA_CHECK(arca__keydir_open_dir(pr, p->dir, &p->dir_fd));
    /* Each file once, only to report damage now; derive_keys and evidence read them again. */
    ARCA_CHECK(load_root(p, root));
    ARCA_CHECK(load_certs(p));
    ARCA_CHECK(check_key_matches_cert(p));
    *out = p;
    p = NULL;
done:
    arca__wipe(root, sizeof root);
    arca__keydir_close(p);
    return result;
}

arca_result_t arca__keydir_derive_keys(arca__platform *p, const arca_identity_t *identity,
                                       struct arca__enclave_keys *keys)
{
    arca_result_t result = ARCA_OK;
    /* info = label || measurement (or signer id || product id) || debug; the label names the
     * platform kind (for every kind after dev) and the isolation class */
    uint8_t info[LABEL_MAX + 32 + 2 + 1];
    uint8_t top[32];
    uint8_t root[ARCA_KEYDIR_ROOT_SIZE];
    size_t n;

    memset(root, 0, sizeof root);
    memset(top, 0, sizeof top);
    if (!p || !identity || !keys)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "platform: NULL argument to derive_keys");
    memset(keys, 0, sizeof *keys);
    if (identity->backend == ARCA_BACKEND_ID_NONE)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "%s: keys are derived for an enclave on a backend; "
                   "the identity names none", p->profile->what);
    const uint8_t debug = (identity->attributes & ARCA_ATTR_DEBUG) ? 1 : 0;
    const int isolates = arca__backend_isolates(identity->backend);
    const arca__keydir_profile *pr = p->profile;
    const char *enclave_label = isolates ? pr->enclave_label : pr->enclave_label_sim;
    const char *signer_label = isolates ? pr->signer_label : pr->signer_label_sim;
    if (strlen(enclave_label) >= LABEL_MAX || strlen(signer_label) >= LABEL_MAX)
        ARCA_RAISE(ARCA_ERR_INTERNAL, "%s: a key derivation label is too long", p->profile->what);
    /* The root secret lives only in this frame, for this derivation (see the file comment). */
    ARCA_CHECK(load_root(p, root));

    n = strlen(enclave_label);
    memcpy(info, enclave_label, n);
    memcpy(info + n, identity->measurement, 32);
    n += 32;
    info[n++] = debug;
    ARCA_CHECK(arca__hkdf_sha256(NULL, 0, root, sizeof root, info, n, keys->enclave_key, 32));

    n = strlen(signer_label);
    memcpy(info, signer_label, n);
    memcpy(info + n, identity->signer_id, 32);
    n += 32;
    info[n++] = (uint8_t)identity->product_id;
    info[n++] = (uint8_t)(identity->product_id >> 8);
    info[n++] = debug;
    /* T(255), the top of this signer's SVN key tree; see sealblob.h. */
    ARCA_CHECK(arca__hkdf_sha256(NULL, 0, root, sizeof root, info, n, top, sizeof top));
    ARCA_CHECK(arca__seal_svn_derive(top, identity->svn, keys->signer_key, keys->signer_lower,
                                     &keys->has_lower));
done:
    arca__wipe(root, sizeof root);
    arca__wipe(top, sizeof top);
    if (result != ARCA_OK && keys)
        arca__wipe(keys, sizeof *keys);
    return result;
}

arca_result_t arca__keydir_evidence(arca__platform *p, const arca_identity_t *identity,
                                    const uint8_t runtime_digest[32], const uint8_t report_data[64],
                                    uint8_t **evidence, size_t *len)
{
    arca_result_t result = ARCA_OK;
    arca__ec_key *key = NULL;
    uint8_t *buf = NULL;
    size_t total = 0;
    struct timespec now;

    if (!p || !identity || !runtime_digest || !report_data || !evidence || !len)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "platform: NULL argument to evidence");
    *evidence = NULL;
    *len = 0;
    if (clock_gettime(CLOCK_REALTIME, &now) != 0 || now.tv_sec < 0)
        ARCA_RAISE(ARCA_ERR_PLATFORM, "%s: cannot read the clock", p->profile->what);
    ARCA_CHECK(arca__evidence_build(p->profile->kind, p->platform_id, identity, runtime_digest,
                                    report_data,
                                    (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec,
                                    (const uint8_t *const *)p->certs, p->cert_lens, p->cert_count,
                                    &buf, &total));
    /* The key lives from here to the end of this call (issue 11, item 7). */
    ARCA_CHECK(arca__keydir_load_attestation_key(p, &key));
    ARCA_CHECK(arca__ec_sign(key, buf, total - ARCA_EVIDENCE_SIG_SIZE,
                             buf + total - ARCA_EVIDENCE_SIG_SIZE));
    *evidence = buf;
    *len = total;
    buf = NULL;
done:
    arca__ec_free(key);
    free(buf);
    return result;
}

arca_result_t arca__keydir_counter(arca__platform *p, const arca_identity_t *identity,
                                   uint32_t owner_uid, const arca__pw_counter *request,
                                   uint64_t *value)
{
    arca_result_t result = ARCA_OK;
    arca__counter_store *store;
    int locked = 0;

    if (!p || !identity || !request || !value)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "platform: NULL argument to counter");
    if (pthread_mutex_lock(&p->counter_lock) != 0)
        ARCA_RAISE(ARCA_ERR_INTERNAL, "%s: cannot take the counter lock", p->profile->what);
    locked = 1;
    if (!p->counters) {
        /* SQLite opens the database by name: the name must still lead to the checked directory. */
        ARCA_CHECK(arca__keydir_check_dir(p));
        ARCA_CHECK(arca__counter_store_open(p->dir, p->counter_quota, &p->counters));
    }
    store = p->counters;
    pthread_mutex_unlock(&p->counter_lock);
    locked = 0;
    ARCA_CHECK(arca__counter_store_apply(store, identity, owner_uid, request, value));
done:
    if (locked)
        pthread_mutex_unlock(&p->counter_lock);
    return result;
}

arca_result_t arca__keydir_describe(arca__platform *p, arca_platform_info_t *out)
{
    arca_result_t result = ARCA_OK;
    const uint32_t last = p->cert_count - 1; /* open guarantees at least one */

    out->kind = p->ops->name;
    snprintf(out->dir, sizeof out->dir, "%s", p->dir);
    _Static_assert(ARCA_PLATFORM_PATH_MAX >= PATH_MAX, "paths fit");
    (void)arca__keydir_path(out->cert_path, p->dir, p->profile->pin_file);
    memcpy(out->platform_id, p->platform_id, sizeof out->platform_id);
    ARCA_CHECK(arca__sha256(p->certs[last], p->cert_lens[last], out->cert_sha256));
    out->created = p->created;
done:
    return result;
}
