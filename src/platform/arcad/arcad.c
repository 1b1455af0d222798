/*
 * arcad.c — the arcad platform (arcad_platform.h): the daemon's state directory served by the
 * key-directory code it shares with dev (src/platform/keydir), under a profile of its own —
 * kind ARCA_PLATFORM_ARCAD, a certificate chain ending at a root relying parties pin, key
 * derivation labels that name arcad (so the same secret bytes in a dev directory and an arcad
 * directory never give the same keys) — and the structural check of that chain.
 *
 * open never creates: arcad_state.c makes a new state directory once, at the daemon's first
 * start, and a damaged or missing file of an existing one is reported naming it
 * (ARCA_ERR_PLATFORM_DAMAGED), never regenerated, since new keys would make every sealed blob
 * unreadable and every pinned root useless. This file must never be registered in
 * registry.c, nor built into libarca: only the daemon, whose user owns the directory, serves
 * these keys.
 */
#include "arcad_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"

/* Key derivation labels: dev's, with the platform kind named (docs/formats.md). */
#define ENCLAVE_INFO "arca arcad seal enclave v1"
#define SIGNER_INFO "arca arcad seal signer v1"
#define ENCLAVE_INFO_SIM "arca arcad seal enclave sim v1"
#define SIGNER_INFO_SIM "arca arcad seal signer sim v1"

arca_result_t arca__arcad_check_chain(arca__cert *const *certs, size_t count, const char *what)
{
    arca_result_t result = ARCA_OK;
    arca__ec_key *leaf_key = NULL;
    char cn[96], next_cn[96];

    if (count < 2)
        ARCA_RAISE(ARCA_ERR_BAD_CHAIN, "%s holds %zu certificate%s: a chain is the leaf, any "
                   "intermediates and the root CA, at least 2", what, count, count == 1 ? "" : "s");
    if (count > ARCA_EVIDENCE_MAX_CERTS)
        ARCA_RAISE(ARCA_ERR_BAD_CHAIN, "%s holds %zu certificates; evidence carries at most %u",
                   what, count, ARCA_EVIDENCE_MAX_CERTS);
    for (size_t i = 0; i < count; i++) {
        size_t der_len = 0;
        (void)arca__cert_der(certs[i], &der_len);
        arca__cert_cn(certs[i], 0, cn, sizeof cn);
        if (der_len > ARCA_EVIDENCE_MAX_CERT_SIZE)
            ARCA_RAISE(ARCA_ERR_BAD_CHAIN, "%s: certificate %zu ('%s') is %zu bytes, more than "
                       "evidence carries (%u)", what, i + 1, cn, der_len,
                       ARCA_EVIDENCE_MAX_CERT_SIZE);
        if (i + 1 == count)
            break;
        /* Certificate i + 2 (counting from 1) must be a CA that issued and signed i + 1. */
        arca__cert_cn(certs[i + 1], 0, next_cn, sizeof next_cn);
        if (!arca__cert_is_ca(certs[i + 1]))
            ARCA_RAISE(ARCA_ERR_BAD_CHAIN, "%s: certificate %zu ('%s') issues certificate %zu but "
                       "is not a CA (it needs basicConstraints CA:TRUE and keyUsage keyCertSign)",
                       what, i + 2, next_cn, i + 1);
        if (arca__cert_check_issued(certs[i], certs[i + 1]) != ARCA_OK)
            ARCA_RAISE(ARCA_ERR_BAD_CHAIN, "%s: certificate %zu ('%s') is not signed by "
                       "certificate %zu ('%s'), the next one; list the leaf first, then each "
                       "issuer, root last (%s)", what, i + 1, cn, i + 2, next_cn,
                       arca__error_detail());
    }
    if (!arca__cert_self_signed(certs[count - 1])) {
        arca__cert_cn(certs[count - 1], 0, cn, sizeof cn);
        ARCA_RAISE(ARCA_ERR_BAD_CHAIN, "%s: the last certificate ('%s') is not self-signed: the "
                   "chain must end at the root CA itself", what, cn);
    }
    if (arca__cert_ec_key(certs[0], &leaf_key) != ARCA_OK)
        ARCA_RAISE(ARCA_ERR_BAD_CHAIN, "%s: the leaf certificate's key is not an ECDSA P-256 key",
                   what);
done:
    arca__ec_free(leaf_key);
    return result;
}

/*
 * The profile's check of the installed chain at open: its structure, and root-cert.pem (the
 * copy operators pin) holding exactly its root. A mismatch is damage — relying parties would
 * pin a root the evidence does not end at — reported, not repaired.
 */
static arca_result_t check_installed_chain(const arca__platform *p, arca__cert *const *certs,
                                           size_t count, const char *path)
{
    arca_result_t result = ARCA_OK;
    uint8_t *pem = NULL;
    size_t len = 0;
    arca__cert *root = NULL;
    char root_path[PATH_MAX];

    result = arca__arcad_check_chain(certs, count, path);
    if (result == ARCA_ERR_BAD_CHAIN)
        ARCA_RAISE(ARCA_ERR_PLATFORM_DAMAGED, "arcad: %s; restore it from a backup (or install "
                   "a chain again with arcad's certificate import)", arca__error_detail());
    ARCA_CHECK(result);
    (void)arca__keydir_path(root_path, p->dir, ARCA_ARCAD_ROOT_CERT_FILE);
    ARCA_CHECK(
        arca__keydir_read(p, ARCA_ARCAD_ROOT_CERT_FILE, 1, ARCA_KEYDIR_FILE_MAX, &pem, &len));
    if (arca__cert_parse(pem, len, root_path, &root) != ARCA_OK ||
        memcmp(arca__cert_hash(root), arca__cert_hash(certs[count - 1]), 32) != 0)
        ARCA_RAISE(ARCA_ERR_PLATFORM_DAMAGED,
                   "arcad: %s does not hold the root certificate of %s (its last certificate), "
                   "which relying parties must pin; restore it from a backup or copy that "
                   "certificate into it", root_path, path);
done:
    arca__cert_free(root);
    free(pem);
    return result;
}

const arca__keydir_profile arca__arcad_profile = {
    .ops = &arca__arcad_platform,
    .kind = ARCA_PLATFORM_ARCAD,
    .what = "arcad",
    .dir_noun = "state directory",
    .own_dir_advice = "Run arcad as the user that owns its state directory, or give it a new "
                      "state directory (--state-dir) of its own user",
    .link_advice = "give arcad the directory the link names",
    .fresh_advice = "start arcad on a new state directory (relying parties must then pin its "
                    "new root)",
    .reopen_advice = "restart arcad",
    .cert_file = ARCA_ARCAD_CHAIN_FILE,
    .pin_file = ARCA_ARCAD_ROOT_CERT_FILE,
    .min_certs = 2,
    .max_certs = ARCA_EVIDENCE_MAX_CERTS,
    .enclave_label = ENCLAVE_INFO,
    .signer_label = SIGNER_INFO,
    .enclave_label_sim = ENCLAVE_INFO_SIM,
    .signer_label_sim = SIGNER_INFO_SIM,
    .state_size = sizeof(struct arca__platform),
    .check_certs = check_installed_chain,
};

/* Open an existing state directory; creating one is arca__arcad_state_init's. */
static arca_result_t arcad_open(const char *dir, arca__platform **out)
{
    arca_result_t result = ARCA_OK;
    char path[PATH_MAX];

    if (!out)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "arcad: NULL output");
    *out = NULL;
    ARCA_CHECK(arca__keydir_normalise(&arca__arcad_profile, dir, path));
    ARCA_CHECK(arca__keydir_open(&arca__arcad_profile, path, 0, out));
done:
    return result;
}

arca_result_t arca__arcad_set_counter_quota(arca__platform *p, uint32_t max_per_owner)
{
    arca_result_t result = ARCA_OK;
    if (!p || p->ops != &arca__arcad_platform)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "arcad: not an arcad platform");
    if (pthread_mutex_lock(&p->counter_lock) != 0)
        ARCA_RAISE(ARCA_ERR_INTERNAL, "arcad: cannot take the counter lock");
    p->counter_quota = max_per_owner;
    pthread_mutex_unlock(&p->counter_lock);
done:
    return result;
}

static const char *const arcad_settings[] = {"dir", NULL};

const struct arca_platform_ops arca__arcad_platform = {
    .version = ARCA_PLATFORM_OPS_VERSION,
    .name = "arcad",
    .kind = ARCA_PLATFORM_ARCAD,
    .setting_keys = arcad_settings,
    .open = arcad_open,
    .derive_keys = arca__keydir_derive_keys,
    .evidence = arca__keydir_evidence,
    .counter = arca__keydir_counter,
    .describe = arca__keydir_describe,
    .close = arca__keydir_close,
};
