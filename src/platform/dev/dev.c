/*
 * dev.c — the dev platform: root secrets in a key directory of the user (see
 * dev_create.c for where it is, how it is checked and how it is created), key derivation for
 * an identity and evidence signing.
 *
 * Keys are derived only from the identity the loader computed and handed in — never from
 * anything an enclave says. The DEBUG attribute and the backend's isolation class enter them,
 * so debug and production enclaves never share a key, and neither do an enclave on sim (in
 * the host's process) and the same enclave on an isolating backend. A damaged, short or
 * missing file in an existing directory is reported as ARCA_ERR_PLATFORM_DAMAGED naming the
 * file, and is never regenerated.
 *
 * No secret is kept in the platform object: an open platform lives as long as its enclave, in
 * the host's heap. derive_keys reads the root seal secret into a local buffer, and evidence
 * loads the attestation key, for that one call; both are wiped (the file bytes too) before the
 * call returns. Open reads each once, only to report a damaged or mismatched file early.
 */
#include "dev_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/error.h"
#include "crypto/crypto_x509.h"
#include "formats/evidence.h"
#include "formats/sealblob.h"

/* Labels of the key derivation. Isolating backends keep the labels keys had before the
 * isolation class entered them (their sealed data stays readable); sim gets labels of its own. */
#define ENCLAVE_INFO "arca seal enclave v1"
#define SIGNER_INFO "arca seal signer v2"
#define ENCLAVE_INFO_SIM "arca seal enclave sim v1"
#define SIGNER_INFO_SIM "arca seal signer sim v1"
#define LABEL_MAX 32 /* room for the longest label in the info buffer */
/* Largest PEM file read from the key directory; a P-256 key or certificate is about 1 KiB. */
#define PEM_MAX (64u * 1024u)

/* Read the root secret: exactly 32 bytes in a private regular file. */
static arca_result_t load_root(const arca__platform *p, uint8_t root[ARCA_DEV_ROOT_SIZE])
{
    arca_result_t result = ARCA_OK;
    uint8_t *bytes = NULL;
    size_t len = 0;

    ARCA_CHECK(arca__dev_read(p, ARCA_DEV_ROOT_FILE, ARCA_DEV_ROOT_SIZE, &bytes, &len));
    if (len != ARCA_DEV_ROOT_SIZE)
        ARCA_RAISE(ARCA_ERR_PLATFORM_DAMAGED,
                   "dev platform: %s/%s must hold exactly %d bytes (it is %zu bytes); restore it from "
                   "a backup", p->dir, ARCA_DEV_ROOT_FILE, ARCA_DEV_ROOT_SIZE, len);
    memcpy(root, bytes, ARCA_DEV_ROOT_SIZE);
done:
    if (bytes) {
        arca__wipe(bytes, len);
        free(bytes);
    }
    if (result != ARCA_OK)
        arca__wipe(root, ARCA_DEV_ROOT_SIZE);
    return result;
}

/* A failure of a crypto call on a key directory file: ARCA_ERR_KEY and ARCA_ERR_BAD_FORMAT
 * (the file's bytes are wrong) become ARCA_ERR_PLATFORM_DAMAGED, other results stay. */
static arca_result_t damaged(arca_result_t r)
{
    if (r == ARCA_ERR_KEY || r == ARCA_ERR_BAD_FORMAT)
        return arca__error(ARCA_ERR_PLATFORM_DAMAGED, "dev platform: %s; restore it from a backup",
                           arca__error_detail());
    return arca__error(r, "dev platform: %s", arca__error_detail());
}

/*
 * The attestation key, from PKCS#8 PEM, without leaving a copy of its private scalar in freed
 * memory (arca__ec_from_pkcs8_pem says how), completed with the certificate's public key. A
 * key loaded for each request would otherwise still leave its scalar in the host's heap, which
 * is what loading per request is meant to prevent (tests/attest/test_attest_key_memory.c).
 */
arca_result_t arca__dev_load_attestation_key(const arca__platform *p, arca__ec_key **out)
{
    arca_result_t result = ARCA_OK;
    uint8_t *pem = NULL;
    size_t len = 0;
    char path[PATH_MAX];

    *out = NULL;
    ARCA_CHECK(arca__dev_read(p, ARCA_DEV_KEY_FILE, PEM_MAX, &pem, &len));
    (void)arca__dev_path(path, p->dir, ARCA_DEV_KEY_FILE);
    result = arca__ec_from_pkcs8_pem(pem, len, path, p->public_key, out);
    if (result != ARCA_OK)
        ARCA_RAISE(damaged(result));
done:
    if (pem) {
        arca__wipe(pem, len);
        free(pem);
    }
    return result;
}

/* At open: the key file holds the private key of the certificate's public key. */
static arca_result_t check_key_matches_cert(const arca__platform *p)
{
    arca_result_t result = ARCA_OK;
    arca__ec_key *key = NULL;

    ARCA_CHECK(arca__dev_load_attestation_key(p, &key));
    result = arca__ec_check_pair(key);
    if (result == ARCA_ERR_KEY)
        ARCA_RAISE(ARCA_ERR_PLATFORM_DAMAGED,
                   "dev platform: %s/%s does not match %s/%s (the files come from different "
                   "platforms): %s", p->dir, ARCA_DEV_KEY_FILE, p->dir, ARCA_DEV_CERT_FILE,
                   arca__error_detail());
    ARCA_CHECK(result);
done:
    arca__ec_free(key);
    return result;
}

/* Load the certificate, keep its DER, its public key and the platform id (its key's SPKI
 * hash). */
static arca_result_t load_cert(arca__platform *p)
{
    arca_result_t result = ARCA_OK;
    uint8_t *pem = NULL;
    size_t len = 0, der_len = 0;
    arca__cert *cert = NULL;
    const uint8_t *der;
    char path[PATH_MAX];

    ARCA_CHECK(arca__dev_read(p, ARCA_DEV_CERT_FILE, PEM_MAX, &pem, &len));
    (void)arca__dev_path(path, p->dir, ARCA_DEV_CERT_FILE);
    result = arca__cert_parse(pem, len, path, &cert);
    if (result != ARCA_OK)
        ARCA_RAISE(damaged(result));
    der = arca__cert_der(cert, &der_len);
    if (der_len > ARCA_EVIDENCE_MAX_CERT_SIZE)
        ARCA_RAISE(ARCA_ERR_PLATFORM_DAMAGED,
                   "dev platform: %s holds a certificate of %zu bytes, more than evidence carries "
                   "(%u); restore it from a backup", path, der_len, ARCA_EVIDENCE_MAX_CERT_SIZE);
    p->cert_der = malloc(der_len);
    if (!p->cert_der)
        ARCA_RAISE(ARCA_ERR_OUT_OF_MEMORY, "dev platform: out of memory");
    memcpy(p->cert_der, der, der_len);
    p->cert_len = der_len;
    ARCA_CHECK(arca__cert_spki_hash(cert, p->platform_id));
    result = arca__cert_ec_key(cert, &p->public_key);
    if (result == ARCA_ERR_KEY)
        ARCA_RAISE(ARCA_ERR_PLATFORM_DAMAGED,
                   "dev platform: %s does not hold a P-256 public key (%s)", path,
                   arca__error_detail());
    ARCA_CHECK(result);
done:
    arca__cert_free(cert);
    free(pem);
    return result;
}

static void dev_close(arca__platform *p)
{
    if (!p)
        return;
    if (p->dir_fd >= 0)
        close(p->dir_fd);
    arca__ec_free(p->public_key);
    free(p->cert_der);
    free(p);
}

static arca_result_t dev_open(const char *dir, arca__platform **out)
{
    arca_result_t result = ARCA_OK;
    arca__platform *p = NULL;
    uint8_t root[ARCA_DEV_ROOT_SIZE];

    memset(root, 0, sizeof root);
    if (!out)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "dev platform: NULL output");
    *out = NULL;
    p = calloc(1, sizeof *p);
    if (!p)
        ARCA_RAISE(ARCA_ERR_OUT_OF_MEMORY, "dev platform: out of memory");
    p->ops = &arca__dev_platform;
    p->dir_fd = -1;
    ARCA_CHECK(arca__dev_resolve_dir(dir, p->dir));
    ARCA_CHECK(arca__dev_ensure_dir(p->dir, &p->created));
    ARCA_CHECK(arca__dev_open_dir(p->dir, &p->dir_fd));
    /* Each file once, only to report damage now; derive_keys and evidence read them again. */
    ARCA_CHECK(load_root(p, root));
    ARCA_CHECK(load_cert(p));
    ARCA_CHECK(check_key_matches_cert(p));
    *out = p;
    p = NULL;
done:
    arca__wipe(root, sizeof root);
    dev_close(p);
    return result;
}

static arca_result_t dev_derive_keys(arca__platform *p, const arca_identity_t *identity,
                                     struct arca__enclave_keys *keys)
{
    arca_result_t result = ARCA_OK;
    /* info = label || measurement (or signer id || product id) || debug; the label names the
     * isolation class */
    _Static_assert(sizeof ENCLAVE_INFO <= LABEL_MAX && sizeof SIGNER_INFO <= LABEL_MAX &&
                   sizeof ENCLAVE_INFO_SIM <= LABEL_MAX && sizeof SIGNER_INFO_SIM <= LABEL_MAX,
                   "labels fit the info buffer");
    uint8_t info[LABEL_MAX + 32 + 2 + 1];
    uint8_t top[32];
    uint8_t root[ARCA_DEV_ROOT_SIZE];
    size_t n;

    memset(root, 0, sizeof root);
    if (!p || !identity || !keys)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "dev platform: NULL argument");
    memset(keys, 0, sizeof *keys);
    if (identity->backend == ARCA_BACKEND_ID_NONE)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "dev platform: keys are derived for an enclave on a "
                   "backend; the identity names none");
    /* The root secret lives only in this frame, for this derivation (see the file comment). */
    ARCA_CHECK(load_root(p, root));
    const uint8_t debug = (identity->attributes & ARCA_ATTR_DEBUG) ? 1 : 0;
    const int isolates = arca__backend_isolates(identity->backend);
    const char *enclave_label = isolates ? ENCLAVE_INFO : ENCLAVE_INFO_SIM;
    const char *signer_label = isolates ? SIGNER_INFO : SIGNER_INFO_SIM;

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

static arca_result_t dev_evidence(arca__platform *p, const arca_identity_t *identity,
                                  const uint8_t runtime_digest[32], const uint8_t report_data[64],
                                  uint8_t **evidence, size_t *len)
{
    arca_result_t result = ARCA_OK;
    arca__ec_key *key = NULL;
    uint8_t *buf = NULL;
    size_t total = 0;
    struct timespec now;

    if (!p || !identity || !runtime_digest || !report_data || !evidence || !len)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "dev platform: NULL argument");
    *evidence = NULL;
    *len = 0;
    if (clock_gettime(CLOCK_REALTIME, &now) != 0 || now.tv_sec < 0)
        ARCA_RAISE(ARCA_ERR_PLATFORM, "dev platform: cannot read the clock");
    const uint8_t *certs[1] = {p->cert_der};
    const size_t cert_lens[1] = {p->cert_len};
    ARCA_CHECK(arca__evidence_build(ARCA_PLATFORM_DEV, p->platform_id, identity,
                                    runtime_digest, report_data,
                                    (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec,
                                    certs, cert_lens, 1, &buf, &total));
    /* The key lives from here to the end of this call (issue 11, item 7). */
    ARCA_CHECK(arca__dev_load_attestation_key(p, &key));
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

static const char *const dev_settings[] = {"dir", NULL};

const struct arca_platform_ops arca__dev_platform = {
    .version = ARCA_PLATFORM_OPS_VERSION,
    .name = "dev",
    .kind = ARCA_PLATFORM_DEV,
    .setting_keys = dev_settings,
    .open = dev_open,
    .derive_keys = dev_derive_keys,
    .evidence = dev_evidence,
    .describe = arca__dev_describe,
    .close = dev_close,
};
