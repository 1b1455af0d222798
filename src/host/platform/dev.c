/*
 * dev.c — the dev platform: root secrets in a key directory of the user (see
 * dev_create.c for where it is and how it is created), key derivation for an identity and
 * evidence signing.
 *
 * Keys are derived only from the identity the loader computed and handed in — never from
 * anything an enclave says — and only the DEBUG attribute enters them, so debug and
 * production enclaves never share a key. A damaged, short or missing file in an existing
 * directory is reported as ARCA_ERR_PLATFORM_DAMAGED naming the file, and is never
 * regenerated. Root secrets and intermediate keys are wiped after use and on close.
 *
 * The root seal secret is never kept in the platform object: an open platform lives as long
 * as its enclave (to answer evidence requests, which need only the attestation key), so
 * derive_keys reads the secret from the key directory into a local buffer and wipes it before
 * returning. Open reads it once too, only to report a damaged file early, and wipes it.
 */
#include "dev_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "../../common/error.h"
#include "../../common/evidence.h"
#include "../../common/sealblob.h"

#define ENCLAVE_INFO "arca seal enclave v1"
#define SIGNER_INFO "arca seal signer v2"

/* Read the root secret: exactly 32 bytes in a regular file. */
static arca_result_t load_root(const char *dir, uint8_t root[ARCA_DEV_ROOT_SIZE])
{
    arca_result_t result = ARCA_OK;
    char path[PATH_MAX];
    uint8_t extra;
    size_t got = 0;
    struct stat st;
    int fd;

    (void)arca__dev_path(path, dir, ARCA_DEV_ROOT_FILE);
    fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        ARCA_RAISE(ARCA_ERR_PLATFORM_DAMAGED,
                   "dev platform: %s cannot be opened (%s); the sealing root secret is lost unless "
                   "you restore this file from a backup", path, strerror(errno));
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
        ARCA_RAISE(ARCA_ERR_PLATFORM_DAMAGED, "dev platform: %s is not a regular file", path);
    while (got < ARCA_DEV_ROOT_SIZE) {
        ssize_t r = read(fd, root + got, ARCA_DEV_ROOT_SIZE - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    if (got != ARCA_DEV_ROOT_SIZE || read(fd, &extra, 1) != 0)
        ARCA_RAISE(ARCA_ERR_PLATFORM_DAMAGED,
                   "dev platform: %s must hold exactly %d bytes (it is %lld bytes); restore it from "
                   "a backup", path, ARCA_DEV_ROOT_SIZE, (long long)st.st_size);
done:
    if (fd >= 0)
        close(fd);
    if (result != ARCA_OK)
        arca__wipe(root, ARCA_DEV_ROOT_SIZE);
    return result;
}

/* Load the certificate, check it belongs to the key, keep its DER and the platform id. */
static arca_result_t load_cert(arca__platform *p)
{
    arca_result_t result = ARCA_OK;
    char path[PATH_MAX];
    X509 *cert = NULL;
    FILE *f = NULL;
    unsigned char *der = NULL;
    int n;

    (void)arca__dev_path(path, p->dir, ARCA_DEV_CERT_FILE);
    f = fopen(path, "re");
    if (!f)
        ARCA_RAISE(ARCA_ERR_PLATFORM_DAMAGED, "dev platform: %s cannot be opened (%s)", path,
                   strerror(errno));
    cert = PEM_read_X509(f, NULL, NULL, NULL);
    if (!cert)
        ARCA_CHECK(arca__crypto_error(ARCA_ERR_PLATFORM_DAMAGED, "dev platform: %s is not a PEM X.509 certificate", path));
    if (X509_check_private_key(cert, arca__ec_evp(p->attestation_key)) != 1)
        ARCA_CHECK(arca__crypto_error(ARCA_ERR_PLATFORM_DAMAGED,
                   "dev platform: %s does not match %s/%s (the files come from different platforms)",
                   path, p->dir, ARCA_DEV_KEY_FILE));
    n = i2d_X509(cert, &der);
    if (n <= 0 || (size_t)n > ARCA_EVIDENCE_MAX_CERT_SIZE)
        ARCA_CHECK(arca__crypto_error(ARCA_ERR_PLATFORM_DAMAGED, "dev platform: %s cannot be encoded as DER", path));
    p->cert_der = malloc((size_t)n);
    if (!p->cert_der)
        ARCA_RAISE(ARCA_ERR_OUT_OF_MEMORY, "dev platform: out of memory");
    memcpy(p->cert_der, der, (size_t)n);
    p->cert_len = (size_t)n;
    ARCA_CHECK(arca__dev_spki_hash(X509_get0_pubkey(cert), p->platform_id));
done:
    OPENSSL_free(der);
    X509_free(cert);
    if (f)
        fclose(f);
    return result;
}

static void dev_close(arca__platform *p)
{
    if (!p)
        return;
    arca__ec_free(p->attestation_key);
    free(p->cert_der);
    free(p);
}

static arca_result_t dev_open(const char *dir, arca__platform **out)
{
    arca_result_t result = ARCA_OK;
    arca__platform *p = NULL;
    char path[PATH_MAX];
    struct stat st;
    uint8_t root[ARCA_DEV_ROOT_SIZE];

    if (!out)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "dev platform: NULL output");
    *out = NULL;
    p = calloc(1, sizeof *p);
    if (!p)
        ARCA_RAISE(ARCA_ERR_OUT_OF_MEMORY, "dev platform: out of memory");
    p->ops = &arca__dev_platform;
    ARCA_CHECK(arca__dev_resolve_dir(dir, p->dir));
    ARCA_CHECK(arca__dev_ensure_dir(p->dir, &p->created));
    ARCA_CHECK(load_root(p->dir, root)); /* only to report damage now; derive_keys rereads it */
    (void)arca__dev_path(path, p->dir, ARCA_DEV_KEY_FILE);
    if (stat(path, &st) != 0)
        ARCA_RAISE(ARCA_ERR_PLATFORM_DAMAGED, "dev platform: %s is missing (%s); restore it from a backup",
                   path, strerror(errno));
    if (arca__ec_load_private_pem_file(path, &p->attestation_key) != ARCA_OK)
        ARCA_CHECK(arca__crypto_error(ARCA_ERR_PLATFORM_DAMAGED,
                   "dev platform: %s is not a readable P-256 private key; restore it from a backup", path));
    ARCA_CHECK(load_cert(p));
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
    /* info = label || measurement (or signer id || product id) || debug */
    uint8_t info[sizeof SIGNER_INFO - 1 + 32 + 2 + 1];
    uint8_t top[32];
    uint8_t root[ARCA_DEV_ROOT_SIZE];
    size_t n;

    memset(root, 0, sizeof root);
    if (!p || !identity || !keys)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "dev platform: NULL argument");
    memset(keys, 0, sizeof *keys);
    /* The root secret lives only in this frame, for this derivation (see the file comment). */
    ARCA_CHECK(load_root(p->dir, root));
    const uint8_t debug = (identity->attributes & ARCA_ATTR_DEBUG) ? 1 : 0;

    n = 0;
    memcpy(info, ENCLAVE_INFO, sizeof ENCLAVE_INFO - 1);
    n += sizeof ENCLAVE_INFO - 1;
    memcpy(info + n, identity->measurement, 32);
    n += 32;
    info[n++] = debug;
    ARCA_CHECK(arca__hkdf_sha256(NULL, 0, root, sizeof root, info, n, keys->enclave_key, 32));

    n = 0;
    memcpy(info, SIGNER_INFO, sizeof SIGNER_INFO - 1);
    n += sizeof SIGNER_INFO - 1;
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
                                  const uint8_t report_data[64], uint8_t **evidence, size_t *len)
{
    arca_result_t result = ARCA_OK;
    uint8_t *buf = NULL;
    size_t total = 0;
    struct timespec now;

    if (!p || !identity || !report_data || !evidence || !len)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "dev platform: NULL argument");
    *evidence = NULL;
    *len = 0;
    if (clock_gettime(CLOCK_REALTIME, &now) != 0 || now.tv_sec < 0)
        ARCA_RAISE(ARCA_ERR_PLATFORM, "dev platform: cannot read the clock");
    const uint8_t *certs[1] = {p->cert_der};
    const size_t cert_lens[1] = {p->cert_len};
    ARCA_CHECK(arca__evidence_build(ARCA_PLATFORM_KIND_DEV, p->platform_id, identity, report_data,
                                    (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec,
                                    certs, cert_lens, 1, &buf, &total));
    ARCA_CHECK(arca__ec_sign(p->attestation_key, buf, total - ARCA_EVIDENCE_SIG_SIZE,
                             buf + total - ARCA_EVIDENCE_SIG_SIZE));
    *evidence = buf;
    *len = total;
    buf = NULL;
done:
    free(buf);
    return result;
}

const struct arca_platform_ops arca__dev_platform = {
    .version = ARCA_PLATFORM_OPS_VERSION,
    .name = "dev",
    .kind = ARCA_PLATFORM_KIND_DEV,
    .open = dev_open,
    .derive_keys = dev_derive_keys,
    .evidence = dev_evidence,
    .close = dev_close,
};
