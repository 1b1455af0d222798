/*
 * arcad_state.c — arcad's state directory on the daemon's first start, the certificate
 * signing request for its attestation key, and installing a certificate chain an operator's
 * CA issued (arcad_platform.h).
 *
 * First start makes, in a private temporary directory renamed into place (src/platform/keydir:
 * concurrent starts end with exactly one platform), a root seal secret, an attestation key, a
 * root CA of its own and the attestation key's certificate issued by that root. The root CA's
 * private key lives only in this process's memory while it signs that one leaf, and is then
 * wiped (arca__ec_free clears the scalar); it is never written anywhere. So nobody — not the
 * daemon's user, not root reading the disk later, not a backup — can issue a second
 * certificate under the root relying parties pin: a key that does not sit in this directory
 * cannot sign evidence they accept. An operator who wants their own CA (to renew, or to
 * vouch for many daemons under one root) has it sign the request arca__arcad_csr makes and
 * installs the result with arca__arcad_import_chain.
 *
 * Import checks the chain as a verifier would before it replaces anything, and replaces each
 * file whole (temporary file, fsync, rename). This file must never write a key file of an
 * existing directory, never regenerate a missing one, and never keep the root CA's key.
 */
#include "arcad_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/error.h"
#include "base/hex.h"

/* Validity of the certificates arcad makes: a hundred years (it has no renewal; an operator's
 * CA may issue shorter ones), from an hour before now, so that a relying party whose clock is
 * a little behind does not see them as not yet valid. */
#define CERT_DAYS 36500
#define BACKDATE_SECONDS 3600

/* "Arca arcad root 0123456789abcdef[ suffix]" for @p key. */
static arca_result_t common_name(const arca__ec_key *key, const char *prefix, const char *suffix,
                                 char cn[65])
{
    arca_result_t result = ARCA_OK;
    uint8_t id[32];
    char hex[17];

    ARCA_CHECK(arca__ec_spki_hash(key, id));
    arca__hex_encode(id, 8, hex);
    snprintf(cn, 65, "%s%s%s%s", prefix, hex, suffix ? " " : "", suffix ? suffix : "");
done:
    return result;
}

/* A certificate for @p key: the root CA (self-signed, may issue leaves only) when @p issuer is
 * NULL, else the leaf (CA:FALSE, digitalSignature) issued by @p issuer with @p issuer_key. */
static arca_result_t make_cert(const arca__ec_key *key, const char *suffix,
                               const arca__cert *issuer, const arca__ec_key *issuer_key,
                               arca__cert **out)
{
    arca_result_t result = ARCA_OK;
    char cn[65];
    const time_t now = time(NULL);

    ARCA_CHECK(common_name(key, issuer ? ARCA_ARCAD_LEAF_CN_PREFIX : ARCA_ARCAD_ROOT_CN_PREFIX,
                           suffix, cn));
    const arca__cert_template template = {
        .organization = ARCA_ARCAD_CERT_ORG,
        .common_name = cn,
        .not_before = (int64_t)now - BACKDATE_SECONDS,
        .not_after = (int64_t)now + (int64_t)CERT_DAYS * 86400,
        .ca = issuer ? 0 : 1,
        .limit_path_len = issuer ? 0 : 1,
        .path_len = 0,
        .comment = issuer ? "Arca arcad platform: evidence signing key of one arcad daemon"
                          : "Arca arcad root: made by arcad on first start; its key was wiped "
                            "after signing the platform certificate",
    };
    result = arca__cert_create(key, &template, issuer, issuer_key, out);
    if (result != ARCA_OK)
        ARCA_RAISE(result, "arcad: cannot make the certificate '%s': %s", cn, arca__error_detail());
done:
    return result;
}

/* The PEM texts of @p certs[0..count), one after another, into a new string. */
static arca_result_t chain_pem(arca__cert *const *certs, size_t count, char **out, size_t *out_len)
{
    arca_result_t result = ARCA_OK;
    char *all = NULL, *one = NULL;
    size_t total = 0, n = 0;

    *out = NULL;
    *out_len = 0;
    for (size_t i = 0; i < count; i++) {
        ARCA_CHECK(arca__cert_to_pem(certs[i], &one, &n));
        char *grown = realloc(all, total + n + 1);
        if (!grown)
            ARCA_RAISE(ARCA_ERR_OUT_OF_MEMORY, "arcad: out of memory");
        all = grown;
        memcpy(all + total, one, n + 1);
        total += n;
        free(one);
        one = NULL;
    }
    *out = all;
    *out_len = total;
    all = NULL;
done:
    free(one);
    free(all);
    return result;
}

/* Fill a fresh private directory with a new arcad platform (an arca__keydir_populate_fn). */
static arca_result_t populate(void *ctx, const char *tmp)
{
    arca_result_t result = ARCA_OK;
    const char *suffix = ctx;
    const arca__keydir_profile *pr = &arca__arcad_profile;
    uint8_t root_secret[ARCA_KEYDIR_ROOT_SIZE];
    arca__ec_key *key = NULL, *ca_key = NULL;
    arca__cert *chain[2] = {NULL, NULL};
    char *pem = NULL;
    size_t pem_len = 0;
    char path[PATH_MAX];

    ARCA_CHECK(arca__random(root_secret, sizeof root_secret));
    (void)arca__keydir_path(path, tmp, ARCA_KEYDIR_ROOT_FILE);
    ARCA_CHECK(arca__keydir_write_new_file(pr, path, root_secret, sizeof root_secret, 0600));
    ARCA_CHECK(arca__ec_generate(&key));
    (void)arca__keydir_path(path, tmp, ARCA_KEYDIR_KEY_FILE);
    ARCA_CHECK(arca__ec_save_private_pem_file(key, path));
    /* The root CA: its key signs the one leaf below and is wiped (see the file comment). */
    ARCA_CHECK(arca__ec_generate(&ca_key));
    ARCA_CHECK(make_cert(ca_key, suffix, NULL, NULL, &chain[1]));
    ARCA_CHECK(make_cert(key, suffix, chain[1], ca_key, &chain[0]));
    arca__ec_free(ca_key);
    ca_key = NULL;
    ARCA_CHECK(chain_pem(chain, 2, &pem, &pem_len));
    (void)arca__keydir_path(path, tmp, ARCA_ARCAD_CHAIN_FILE);
    ARCA_CHECK(arca__keydir_write_new_file(pr, path, pem, pem_len, 0600));
    free(pem);
    pem = NULL;
    ARCA_CHECK(chain_pem(chain + 1, 1, &pem, &pem_len));
    (void)arca__keydir_path(path, tmp, ARCA_ARCAD_ROOT_CERT_FILE);
    /* Public, for operators to copy out and pin; the directory (0700) still keeps others out. */
    ARCA_CHECK(arca__keydir_write_new_file(pr, path, pem, pem_len, 0644));
done:
    arca__wipe(root_secret, sizeof root_secret);
    arca__ec_free(ca_key);
    arca__ec_free(key);
    arca__cert_free(chain[0]);
    arca__cert_free(chain[1]);
    free(pem);
    return result;
}

arca_result_t arca__arcad_state_init(const char *dir, const char *cn_suffix, int *created)
{
    arca_result_t result = ARCA_OK;
    arca__platform *p = NULL;
    char path[PATH_MAX];
    size_t n;

    if (!created)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "arcad: NULL output");
    *created = 0;
    if (cn_suffix) {
        n = strlen(cn_suffix);
        if (n == 0 || n > ARCA_ARCAD_CN_SUFFIX_MAX)
            ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "arcad: the certificate name suffix must be 1 "
                       "to %d characters (it is %zu)", ARCA_ARCAD_CN_SUFFIX_MAX, n);
        for (size_t i = 0; i < n; i++)
            if (cn_suffix[i] < 0x20 || cn_suffix[i] > 0x7e)
                ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "arcad: the certificate name suffix must be "
                           "printable ASCII (character %zu is not)", i + 1);
    }
    ARCA_CHECK(arca__keydir_normalise(&arca__arcad_profile, dir, path));
    ARCA_CHECK(arca__keydir_ensure(&arca__arcad_profile, path, populate, (void *)cn_suffix,
                                   created));
    /* New or old, the directory must open: a damaged one is reported now, naming the file. */
    ARCA_CHECK(arca__arcad_platform.open(path, &p));
done:
    arca__arcad_platform.close(p);
    return result;
}

arca_result_t arca__arcad_csr(const char *dir, char **pem, size_t *len)
{
    arca_result_t result = ARCA_OK;
    arca__platform *p = NULL;
    arca__ec_key *key = NULL;
    arca__cert *leaf = NULL;
    char cn[96];

    if (!pem || !len)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "arcad: NULL output");
    *pem = NULL;
    *len = 0;
    ARCA_CHECK(arca__arcad_platform.open(dir, &p));
    ARCA_CHECK(arca__cert_parse_der(p->cert_der, p->cert_len, "the platform certificate", &leaf));
    arca__cert_cn(leaf, 0, cn, sizeof cn);
    ARCA_CHECK(arca__keydir_load_attestation_key(p, &key));
    result = arca__csr_create(key, ARCA_ARCAD_CERT_ORG, cn, pem, len);
    if (result != ARCA_OK)
        ARCA_RAISE(result, "arcad: cannot make the certificate request: %s", arca__error_detail());
done:
    arca__ec_free(key);
    arca__cert_free(leaf);
    arca__arcad_platform.close(p);
    return result;
}

/* What verifiers will run on evidence: strict X.509 path validation of the whole chain, now,
 * up to its own root, listing no certificate off the path. */
static arca_result_t validate_path(arca__cert *const *certs, size_t count, const char *what)
{
    arca_result_t result = ARCA_OK;
    arca__trust *trust = NULL;
    arca__chain_result path;
    const arca__chain_params params = {
        .at = (int64_t)time(NULL),
        .crl_mode = ARCA__CHAIN_CRL_NONE,
        .sig = ARCA__CHAIN_SIG_ANY,
        .what = what,
        .strict = 1,
    };

    ARCA_CHECK(arca__trust_create(&trust));
    result = arca__trust_add(trust, certs[count - 1]);
    if (result == ARCA_OK)
        result = arca__chain_verify(certs[0], certs + 1, count - 2, trust, &params, &path);
    if (result == ARCA_ERR_OUT_OF_MEMORY)
        goto done;
    if (result != ARCA_OK)
        ARCA_RAISE(ARCA_ERR_BAD_CHAIN, "%s fails the X.509 path validation verifiers run on "
                   "evidence: %s", what, arca__error_detail());
    if (path.length != count)
        ARCA_RAISE(ARCA_ERR_BAD_CHAIN, "%s lists %zu certificates but its path to its root has "
                   "%zu: every listed certificate must be on the path", what, count, path.length);
done:
    arca__trust_free(trust);
    return result;
}

arca_result_t arca__arcad_import_chain(const char *dir, const uint8_t *pem, size_t len)
{
    arca_result_t result = ARCA_OK;
    arca__platform *p = NULL;
    arca__cert *certs[ARCA_EVIDENCE_MAX_CERTS + 1] = {0};
    size_t count = 0;
    uint8_t spki[32];
    char *chain = NULL, *root = NULL, id[17], cn[96];
    size_t chain_len = 0, root_len = 0;
    static const char what[] = "the chain to import";

    if (!pem || len == 0)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "arcad: no chain to import");
    /* The chain on its own first; the state directory only for one that could be a chain. */
    result = arca__certs_parse(pem, len, what, certs, ARCA_EVIDENCE_MAX_CERTS + 1, &count);
    if (result == ARCA_ERR_OVERFLOW || (result == ARCA_OK && count > ARCA_EVIDENCE_MAX_CERTS))
        ARCA_RAISE(ARCA_ERR_BAD_CHAIN, "%s holds more than %u certificates; evidence carries at "
                   "most %u (leaf, intermediates, root)", what, ARCA_EVIDENCE_MAX_CERTS,
                   ARCA_EVIDENCE_MAX_CERTS);
    if (result == ARCA_ERR_OUT_OF_MEMORY)
        goto done;
    if (result != ARCA_OK)
        ARCA_RAISE(ARCA_ERR_BAD_FORMAT, "%s is not a list of PEM certificates: %s", what,
                   arca__error_detail());
    ARCA_CHECK(arca__arcad_check_chain(certs, count, what));
    ARCA_CHECK(arca__arcad_platform.open(dir, &p));
    ARCA_CHECK(arca__cert_spki_hash(certs[0], spki));
    if (memcmp(spki, p->platform_id, 32) != 0) {
        arca__cert_cn(certs[0], 0, cn, sizeof cn);
        arca__hex_encode(p->platform_id, 8, id);
        ARCA_RAISE(ARCA_ERR_BAD_CHAIN, "%s: the leaf certificate ('%s') is for another key than "
                   "this arcad's attestation key (platform id %s...): have the CA sign the "
                   "request arcad makes for this state directory", what, cn, id);
    }
    ARCA_CHECK(validate_path(certs, count, what));
    ARCA_CHECK(chain_pem(certs, count, &chain, &chain_len));
    ARCA_CHECK(chain_pem(certs + count - 1, 1, &root, &root_len));
    /* The chain first: until root-cert.pem follows, open reports the two as mismatched rather
     * than letting operators pin a root the evidence does not end at. */
    ARCA_CHECK(arca__keydir_replace_file(p, ARCA_ARCAD_CHAIN_FILE, chain, chain_len, 0600));
    ARCA_CHECK(arca__keydir_replace_file(p, ARCA_ARCAD_ROOT_CERT_FILE, root, root_len, 0644));
done:
    for (size_t i = 0; i < count && i <= ARCA_EVIDENCE_MAX_CERTS; i++)
        arca__cert_free(certs[i]);
    free(chain);
    free(root);
    arca__arcad_platform.close(p);
    return result;
}
