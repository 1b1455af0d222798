/*
 * test_arcad_platform.c — the arcad platform's keys (src/platform/arcad): first start creates
 * the state directory with the right files and modes (whatever the umask; concurrent starts
 * end with one platform; the root CA's key is nowhere on disk), open never creates, every
 * damaged, missing, truncated, linked, shared or foreign file is refused naming it and never
 * regenerated; evidence carries the whole chain and verifies under a policy that pins
 * root-cert.pem (in code and as policy.conf TrustedArcadRoot) without AllowDevPlatform, and
 * is refused under a dev root, another arcad's root, with its leaf tampered or its signature
 * bit flipped; keys are separated from dev's even for the same secret bytes; an operator's CA
 * (made here with the openssl CLI: root, intermediate) signs arcad's CSR, the chain of three
 * is imported and verifies under the operator's root and no longer under the self-made one;
 * every import refusal names what failed and changes nothing; the directory of uid 65534 and
 * of root are each out of the other's reach; the counter op reaches the counter store.
 */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wformat-truncation" /* test paths are short */
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "arca/verify.h"
#include "base/error.h"
#include "base/hex.h"
#include "crypto/crypto.h"
#include "crypto/crypto_x509.h"
#include "formats/evidence.h"
#include "formats/image.h"
#include "platform/arcad/arcad_platform.h"
#include "platform/dev/dev_internal.h"
#include "test.h"
#include "unprivileged.h"

static char base[PATH_MAX];
static int dir_counter;
static const uint8_t no_runtime[32];
static const struct arca_platform_ops *const arcad = &arca__arcad_platform;

static const char *const state_files[] = {ARCA_KEYDIR_ROOT_FILE, ARCA_KEYDIR_KEY_FILE,
                                          ARCA_ARCAD_CHAIN_FILE, ARCA_ARCAD_ROOT_CERT_FILE};
enum { STATE_FILES = 4 };

/* A fresh, not yet existing directory path under the test's private temp dir. */
static const char *fresh_dir(char out[PATH_MAX])
{
    snprintf(out, PATH_MAX, "%s/s%d", base, dir_counter++);
    return out;
}

static void path_of(char out[PATH_MAX], const char *dir, const char *file)
{
    snprintf(out, PATH_MAX, "%s/%s", dir, file);
}

/* An enclave on the process backend, as arcad would launch it. */
static arca_identity_t sample_identity(void)
{
    arca_identity_t id;
    memset(&id, 0, sizeof id);
    for (int i = 0; i < 32; i++) {
        id.measurement[i] = (uint8_t)(0x10 + i);
        id.signer_id[i] = (uint8_t)(0xB0 + i);
    }
    id.product_id = 9;
    id.svn = 2;
    id.backend = ARCA_BACKEND_ID_PROCESS;
    id.protections = ARCA_PROT_SEPARATE_PROCESS;
    return id;
}

static void report_data(uint8_t rd[64])
{
    for (int i = 0; i < 64; i++)
        rd[i] = (uint8_t)(0x5A ^ i);
}

static int read_file(const char *path, uint8_t *buf, size_t cap)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return -1;
    ssize_t n = read(fd, buf, cap);
    close(fd);
    return (int)n;
}

static void write_file(const char *path, const void *data, size_t len, mode_t mode)
{
    int fd = open(path, O_WRONLY | O_TRUNC | O_CREAT, mode);
    if (fd >= 0) {
        if (write(fd, data, len) != (ssize_t)len)
            fprintf(stderr, "warning: short write to %s\n", path);
        fchmod(fd, mode);
        close(fd);
    }
}

static void copy_file(const char *from, const char *to, mode_t mode)
{
    static uint8_t buf[1 << 16];
    int n = read_file(from, buf, sizeof buf);
    if (n >= 0)
        write_file(to, buf, (size_t)n, mode);
}

/* Run a shell command built from a format; its exit status (output to the test's log). */
static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
    char cmd[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    int status = system(cmd);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* A new state directory (first start); 1 on success. */
static int new_state(char dir[PATH_MAX])
{
    int created = 0;
    fresh_dir(dir);
    if (arca__arcad_state_init(dir, NULL, &created) != ARCA_OK || !created) {
        fprintf(stderr, "state_init %s: %s\n", dir, arca__error_detail());
        return 0;
    }
    return 1;
}

/* Evidence of the sample identity from the state directory @p dir (open, evidence, close). */
static arca_result_t evidence_of(const char *dir, uint8_t **ev, size_t *len)
{
    arca__platform *p = NULL;
    arca_identity_t id = sample_identity();
    uint8_t rd[64];
    report_data(rd);
    arca_result_t r = arcad->open(dir, &p);
    if (r == ARCA_OK)
        r = arcad->evidence(p, &id, no_runtime, rd, ev, len);
    arcad->close(p);
    return r;
}

/* Verify @p ev under a policy for the sample enclave that pins the certificate file @p pin for
 * platforms of @p kind (AllowDevPlatform off). */
static arca_result_t verify_pinned(const uint8_t *ev, size_t len, const char *pin, uint16_t kind)
{
    arca_policy_t *policy = NULL;
    arca_identity_t id = sample_identity();
    uint8_t rd[64], *cert = NULL;
    size_t cert_len = 0;
    arca_claims_t claims;
    arca_result_t r;
    report_data(rd);
    r = arca_policy_create(&policy);
    if (r == ARCA_OK)
        r = arca_policy_add_measurement(policy, id.measurement);
    if (r == ARCA_OK)
        r = arca_policy_set_report_data(policy, rd, sizeof rd);
    if (r == ARCA_OK)
        r = arca__read_file(pin, 1u << 20, &cert, &cert_len);
    if (r == ARCA_OK)
        r = arca_policy_add_trusted_root(policy, kind, cert, cert_len);
    if (r == ARCA_OK) {
        r = arca_verify_evidence(ev, len, policy, &claims);
        if (r == ARCA_OK && (claims.platform_kind != ARCA_PLATFORM_ARCAD ||
                             memcmp(claims.identity.measurement, id.measurement, 32) != 0))
            r = ARCA_ERR_INTERNAL;
    }
    free(cert);
    arca_policy_free(policy);
    return r;
}

/* The same through policy.conf: "TrustedArcadRoot = PIN" (or another key) in a file. */
static arca_result_t verify_conf(const uint8_t *ev, size_t len, const char *key, const char *pin)
{
    char conf[PATH_MAX], text[2 * PATH_MAX], hex[129];
    arca_identity_t id = sample_identity();
    uint8_t rd[64];
    arca_policy_t *policy = NULL;
    report_data(rd);
    arca__hex_encode(rd, 64, hex);
    snprintf(conf, sizeof conf, "%s/policy.conf", base);
    int n = snprintf(text, sizeof text, "Measurement = ");
    for (int i = 0; i < 32; i++)
        n += snprintf(text + n, sizeof text - (size_t)n, "%02x", id.measurement[i]);
    snprintf(text + n, sizeof text - (size_t)n, "\nReportData = %s\n%s = %s\n", hex, key, pin);
    write_file(conf, text, strlen(text), 0600);
    arca_result_t r = arca_policy_load_file(conf, &policy);
    if (r == ARCA_OK)
        r = arca_verify_evidence(ev, len, policy, NULL);
    arca_policy_free(policy);
    return r;
}

/* ---- first start ---- */

static void test_first_start_creates_private_state(void)
{
    char dir[PATH_MAX], path[PATH_MAX];
    struct stat st;
    int created = 0;
    static const unsigned modes[STATE_FILES] = {0600, 0600, 0600, 0644};
    static const mode_t umasks[2] = {0, 077}; /* the modes never depend on the umask */

    for (int u = 0; u < 2; u++) {
        mode_t old = umask(umasks[u]);
        arca_result_t r = arca__arcad_state_init(fresh_dir(dir), "host-a.example", &created);
        umask(old);
        ASSERT_OK(r);
        ASSERT_EQ(created, 1);
        ASSERT_EQ(stat(dir, &st), 0);
        ASSERT_EQ(st.st_mode & 07777, 0700);
        for (int i = 0; i < STATE_FILES; i++) {
            path_of(path, dir, state_files[i]);
            ASSERT_EQ(lstat(path, &st), 0);
            ASSERT_TRUE(S_ISREG(st.st_mode));
            ASSERT_EQ(st.st_mode & 07777, modes[i]);
        }
        path_of(path, dir, ARCA_KEYDIR_ROOT_FILE);
        ASSERT_EQ(stat(path, &st), 0);
        ASSERT_EQ(st.st_size, 32);
    }

    /* Exactly these files, and one private key among them: the root CA's key is not on disk. */
    DIR *d = opendir(dir);
    ASSERT_TRUE(d != NULL);
    struct dirent *e;
    int entries = 0, private_keys = 0;
    while ((e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        entries++;
        uint8_t buf[16384];
        path_of(path, dir, e->d_name);
        int n = read_file(path, buf, sizeof buf - 1);
        ASSERT_TRUE(n > 0);
        buf[n] = '\0';
        if (strstr((char *)buf, "PRIVATE KEY")) {
            private_keys++;
            ASSERT_STREQ(e->d_name, ARCA_KEYDIR_KEY_FILE);
        }
    }
    closedir(d);
    ASSERT_EQ(entries, STATE_FILES);
    ASSERT_EQ(private_keys, 1);

    /* A second start keeps what is there. */
    uint8_t before[32], after[32];
    path_of(path, dir, ARCA_KEYDIR_ROOT_FILE);
    ASSERT_EQ(read_file(path, before, 32), 32);
    ASSERT_OK(arca__arcad_state_init(dir, NULL, &created));
    ASSERT_EQ(created, 0);
    ASSERT_EQ(read_file(path, after, 32), 32);
    ASSERT_MEMEQ(before, after, 32);

    /* Bad arguments. */
    ASSERT_RESULT(arca__arcad_state_init(NULL, NULL, &created), ARCA_ERR_INVALID_ARGUMENT);
    ASSERT_RESULT(arca__arcad_state_init(fresh_dir(dir), "a-suffix-much-too-long-for-a-name",
                                         &created), ARCA_ERR_INVALID_ARGUMENT);
    ASSERT_RESULT(arca__arcad_state_init(dir, "tab\there", &created), ARCA_ERR_INVALID_ARGUMENT);
    ASSERT_RESULT(arca__arcad_state_init(dir, "", &created), ARCA_ERR_INVALID_ARGUMENT);
    ASSERT_TRUE(stat(dir, &st) != 0); /* nothing made */
}

/* open never creates: a missing directory stays missing, an empty one stays empty. */
static void test_open_never_creates(void)
{
    char dir[PATH_MAX];
    struct stat st;
    arca__platform *p = NULL;
    ASSERT_RESULT(arcad->open(fresh_dir(dir), &p), ARCA_ERR_PLATFORM);
    ASSERT_CONTAINS(arca__error_detail(), "cannot open the state directory");
    ASSERT_TRUE(p == NULL);
    ASSERT_TRUE(stat(dir, &st) != 0);
    ASSERT_EQ(mkdir(dir, 0700), 0);
    ASSERT_RESULT(arcad->open(dir, &p), ARCA_ERR_PLATFORM_DAMAGED);
    ASSERT_CONTAINS(arca__error_detail(), ARCA_KEYDIR_ROOT_FILE);
    ASSERT_EQ(stat(dir, &st), 0);
    ASSERT_EQ(st.st_nlink, 2); /* still empty */
    ASSERT_RESULT(arcad->open(NULL, &p), ARCA_ERR_INVALID_ARGUMENT);
    /* An empty directory is what a first start fills. */
    int created = 0;
    ASSERT_OK(arca__arcad_state_init(dir, NULL, &created));
    ASSERT_EQ(created, 1);
    ASSERT_OK(arcad->open(dir, &p));
    arcad->close(p);
}

/* The root: self-signed CA that may issue leaves only; the leaf: the attestation key's, not a
 * CA, issued by the root; root-cert.pem is the chain's root; describe says so. */
static void test_certificates_and_describe(void)
{
    char dir[PATH_MAX], path[PATH_MAX], cn[128];
    int created = 0;
    uint8_t *pem = NULL, *root_pem = NULL, spki[32], hash[32];
    size_t len = 0, root_len = 0, count = 0;
    arca__cert *certs[4] = {0}, *root = NULL;
    arca__platform *p = NULL;
    arca__ec_key *key = NULL;
    arca_platform_info_t info;

    ASSERT_OK(arca__arcad_state_init(fresh_dir(dir), "node-7", &created));
    path_of(path, dir, ARCA_ARCAD_CHAIN_FILE);
    ASSERT_OK(arca__read_file(path, 1u << 20, &pem, &len));
    ASSERT_OK(arca__certs_parse(pem, len, "chain", certs, 4, &count));
    ASSERT_EQ(count, 2);
    ASSERT_TRUE(!arca__cert_is_ca(certs[0]));
    ASSERT_TRUE(arca__cert_is_ca(certs[1]));
    ASSERT_TRUE(arca__cert_self_signed(certs[1]));
    ASSERT_TRUE(!arca__cert_self_signed(certs[0]));
    ASSERT_OK(arca__cert_check_issued(certs[0], certs[1]));
    ASSERT_RESULT(arca__cert_check_issued(certs[1], certs[0]), ARCA_ERR_BAD_CHAIN);
    arca__cert_cn(certs[1], 0, cn, sizeof cn);
    ASSERT_CONTAINS(cn, ARCA_ARCAD_ROOT_CN_PREFIX);
    ASSERT_CONTAINS(cn, " node-7");
    arca__cert_cn(certs[0], 0, cn, sizeof cn);
    ASSERT_CONTAINS(cn, ARCA_ARCAD_LEAF_CN_PREFIX);
    ASSERT_CONTAINS(cn, " node-7");
    /* pathlen 0: the root issues leaves only (as OpenSSL itself prints it). */
    char out[PATH_MAX];
    snprintf(out, sizeof out, "%s/root-ext.txt", base);
    ASSERT_EQ(sh("openssl x509 -noout -ext basicConstraints -in '%s/%s' > '%s' 2>&1", dir,
                 ARCA_ARCAD_ROOT_CERT_FILE, out), 0);
    uint8_t text[1024];
    int n = read_file(out, text, sizeof text - 1);
    ASSERT_TRUE(n > 0);
    text[n] = '\0';
    ASSERT_CONTAINS((char *)text, "CA:TRUE, pathlen:0");

    path_of(path, dir, ARCA_ARCAD_ROOT_CERT_FILE);
    ASSERT_OK(arca__read_file(path, 1u << 20, &root_pem, &root_len));
    ASSERT_OK(arca__cert_parse(root_pem, root_len, "root", &root));
    ASSERT_MEMEQ(arca__cert_hash(root), arca__cert_hash(certs[1]), 32);

    ASSERT_OK(arcad->open(dir, &p));
    ASSERT_EQ(p->cert_count, 2);
    ASSERT_OK(arca__cert_spki_hash(certs[0], spki));
    ASSERT_MEMEQ(p->platform_id, spki, 32);
    ASSERT_OK(arca__keydir_load_attestation_key(p, &key));
    ASSERT_OK(arca__ec_spki_hash(key, hash));
    ASSERT_MEMEQ(hash, spki, 32);
    ASSERT_OK(arcad->describe(p, &info));
    ASSERT_STREQ(info.kind, "arcad");
    ASSERT_STREQ(info.dir, dir);
    ASSERT_STREQ(info.cert_path, path);
    ASSERT_MEMEQ(info.platform_id, spki, 32);
    ASSERT_MEMEQ(info.cert_sha256, arca__cert_hash(root), 32);
    arcad->close(p);
    arca__ec_free(key);
    arca__cert_free(root);
    for (size_t i = 0; i < count; i++)
        arca__cert_free(certs[i]);
    free(pem);
    free(root_pem);
}

/* ---- evidence ---- */

static void test_evidence_verifies_under_pinned_root(void)
{
    char dir[PATH_MAX], other[PATH_MAX], devdir[PATH_MAX], pin[PATH_MAX], other_pin[PATH_MAX],
        dev_pin[PATH_MAX];
    uint8_t *ev = NULL, *chain_pem = NULL;
    size_t len = 0, chain_len = 0, count = 0;
    arca__evidence parsed;
    arca__cert *certs[4] = {0};
    arca__platform *dev = NULL;

    ASSERT_TRUE(new_state(dir) && new_state(other));
    ASSERT_OK(arca__dev_platform.open(fresh_dir(devdir), &dev));
    arca__dev_platform.close(dev);
    path_of(pin, dir, ARCA_ARCAD_ROOT_CERT_FILE);
    path_of(other_pin, other, ARCA_ARCAD_ROOT_CERT_FILE);
    path_of(dev_pin, devdir, ARCA_DEV_CERT_FILE);

    ASSERT_OK(evidence_of(dir, &ev, &len));
    ASSERT_OK(arca__evidence_parse(ev, len, &parsed));
    ASSERT_EQ(parsed.platform_kind, ARCA_PLATFORM_ARCAD);
    ASSERT_EQ(parsed.cert_count, 2);
    /* The whole chain, leaf first, exactly as installed. */
    char path[PATH_MAX];
    path_of(path, dir, ARCA_ARCAD_CHAIN_FILE);
    ASSERT_OK(arca__read_file(path, 1u << 20, &chain_pem, &chain_len));
    ASSERT_OK(arca__certs_parse(chain_pem, chain_len, "chain", certs, 4, &count));
    for (size_t i = 0; i < count; i++) {
        size_t der_len = 0;
        const uint8_t *der = arca__cert_der(certs[i], &der_len);
        ASSERT_EQ(parsed.cert_len[i], der_len);
        ASSERT_MEMEQ(parsed.cert[i], der, der_len);
    }

    /* Pinned as an arcad root, in code and in policy.conf; no AllowDevPlatform anywhere. */
    ASSERT_OK(verify_pinned(ev, len, pin, ARCA_PLATFORM_ARCAD));
    ASSERT_OK(verify_conf(ev, len, "TrustedArcadRoot", pin));
    /* The same root pinned as a dev platform's: dev evidence, refused. */
    ASSERT_RESULT(verify_pinned(ev, len, pin, ARCA_PLATFORM_DEV), ARCA_ERR_VERIFY_DEV_PLATFORM);
    ASSERT_RESULT(verify_conf(ev, len, "TrustedPlatformCert", pin), ARCA_ERR_VERIFY_DEV_PLATFORM);
    /* A dev platform's certificate, or another arcad's root: not where the chain ends. */
    ASSERT_RESULT(verify_pinned(ev, len, dev_pin, ARCA_PLATFORM_DEV),
                  ARCA_ERR_VERIFY_PLATFORM_UNTRUSTED);
    ASSERT_RESULT(verify_pinned(ev, len, dev_pin, ARCA_PLATFORM_ARCAD),
                  ARCA_ERR_VERIFY_PLATFORM_UNTRUSTED);
    ASSERT_RESULT(verify_pinned(ev, len, other_pin, ARCA_PLATFORM_ARCAD),
                  ARCA_ERR_VERIFY_PLATFORM_UNTRUSTED);
    ASSERT_CONTAINS(arca_verify_last_error(), "TrustedArcadRoot");
    ASSERT_RESULT(verify_conf(ev, len, "TrustedArcadRoot", other_pin),
                  ARCA_ERR_VERIFY_PLATFORM_UNTRUSTED);

    /* The leaf tampered with (a byte of its signature): the chain no longer verifies. */
    const size_t leaf_at = (size_t)(parsed.cert[0] - ev);
    ev[leaf_at + parsed.cert_len[0] - 3] ^= 0x01;
    ASSERT_RESULT(verify_pinned(ev, len, pin, ARCA_PLATFORM_ARCAD),
                  ARCA_ERR_VERIFY_PLATFORM_UNTRUSTED);
    ev[leaf_at + parsed.cert_len[0] - 3] ^= 0x01;
    /* Another arcad's leaf in its place, the evidence signed again by this arcad's key: the
     * signature holds, the chain does not. */
    uint8_t *ev2 = NULL, *forged = NULL;
    size_t len2 = 0, forged_len = 0;
    arca__evidence parsed2;
    arca__platform *p = NULL;
    arca__ec_key *key = NULL;
    ASSERT_OK(evidence_of(other, &ev2, &len2));
    ASSERT_OK(arca__evidence_parse(ev2, len2, &parsed2));
    const uint8_t *swapped[2] = {parsed2.cert[0], parsed.cert[1]};
    const size_t swapped_lens[2] = {parsed2.cert_len[0], parsed.cert_len[1]};
    ASSERT_OK(arca__evidence_build(ARCA_PLATFORM_ARCAD, parsed2.platform_id, &parsed.identity,
                                   parsed.runtime_digest, parsed.report_data, parsed.timestamp_ns,
                                   swapped, swapped_lens, 2, &forged, &forged_len));
    ASSERT_OK(arcad->open(dir, &p));
    ASSERT_OK(arca__keydir_load_attestation_key(p, &key));
    arcad->close(p);
    ASSERT_OK(arca__ec_sign(key, forged, forged_len - ARCA_EVIDENCE_SIG_SIZE,
                            forged + forged_len - ARCA_EVIDENCE_SIG_SIZE));
    arca__ec_free(key);
    ASSERT_RESULT(verify_pinned(forged, forged_len, pin, ARCA_PLATFORM_ARCAD),
                  ARCA_ERR_VERIFY_PLATFORM_UNTRUSTED);
    ASSERT_CONTAINS(arca_verify_last_error(), "does not verify up to the pinned root");
    free(forged);
    free(ev2);
    /* A flipped bit of the signature, or of a signed field. */
    ev[len - 1] ^= 0x80;
    ASSERT_RESULT(verify_pinned(ev, len, pin, ARCA_PLATFORM_ARCAD), ARCA_ERR_VERIFY_SIGNATURE);
    ev[len - 1] ^= 0x80;
    ev[48] ^= 0x01; /* the measurement */
    ASSERT_RESULT(verify_pinned(ev, len, pin, ARCA_PLATFORM_ARCAD), ARCA_ERR_VERIFY_SIGNATURE);
    ev[48] ^= 0x01;
    ASSERT_OK(verify_pinned(ev, len, pin, ARCA_PLATFORM_ARCAD));

    for (size_t i = 0; i < count; i++)
        arca__cert_free(certs[i]);
    free(chain_pem);
    free(ev);
}

/* ---- keys ---- */

static int derive(const struct arca_platform_ops *ops, const char *dir, const arca_identity_t *id,
                  struct arca__enclave_keys *keys)
{
    arca__platform *p = NULL;
    arca_result_t r = ops->open(dir, &p);
    if (r == ARCA_OK)
        r = ops->derive_keys(p, id, keys);
    ops->close(p);
    return r == ARCA_OK;
}

/* The same secret bytes in a dev key directory and an arcad state directory never give the
 * same keys; arcad's labels name it (docs/formats.md); dev's stay what they were. */
static void test_keys_are_separated_from_dev(void)
{
    char dir[PATH_MAX], devdir[PATH_MAX], from[PATH_MAX], to[PATH_MAX];
    arca__platform *dev = NULL;
    struct arca__enclave_keys a, a2, d, sim;
    arca_identity_t id = sample_identity();
    uint8_t root[32], info[80], expect[32];

    ASSERT_TRUE(new_state(dir));
    ASSERT_OK(arca__dev_platform.open(fresh_dir(devdir), &dev));
    arca__dev_platform.close(dev);
    path_of(from, dir, ARCA_KEYDIR_ROOT_FILE);
    path_of(to, devdir, ARCA_DEV_ROOT_FILE);
    copy_file(from, to, 0600);
    ASSERT_EQ(read_file(from, root, sizeof root), 32);

    ASSERT_TRUE(derive(arcad, dir, &id, &a));
    ASSERT_TRUE(derive(&arca__dev_platform, devdir, &id, &d));
    ASSERT_TRUE(memcmp(a.enclave_key, d.enclave_key, 32) != 0);
    ASSERT_TRUE(memcmp(a.signer_key, d.signer_key, 32) != 0);
    /* Reopened: the same keys. */
    ASSERT_TRUE(derive(arcad, dir, &id, &a2));
    ASSERT_MEMEQ(&a, &a2, sizeof a);

    /* ENCLAVE keys recomputed from the root secret under each platform's label. */
    static const struct { const char *label; int arcad; } labels[] = {
        {"arca arcad seal enclave v1", 1}, {"arca seal enclave v1", 0}};
    for (int i = 0; i < 2; i++) {
        size_t n = strlen(labels[i].label);
        memcpy(info, labels[i].label, n);
        memcpy(info + n, id.measurement, 32);
        info[n + 32] = 0;
        ASSERT_OK(arca__hkdf_sha256(NULL, 0, root, 32, info, n + 33, expect, 32));
        ASSERT_MEMEQ(labels[i].arcad ? a.enclave_key : d.enclave_key, expect, 32);
    }
    /* sim and debug get keys of their own on arcad too. */
    arca_identity_t v = id;
    v.backend = ARCA_BACKEND_ID_SIM;
    v.protections = 0;
    ASSERT_TRUE(derive(arcad, dir, &v, &sim));
    ASSERT_TRUE(memcmp(sim.enclave_key, a.enclave_key, 32) != 0);
    v = id;
    v.attributes |= ARCA_ATTR_DEBUG;
    ASSERT_TRUE(derive(arcad, dir, &v, &a2));
    ASSERT_TRUE(memcmp(a2.signer_key, a.signer_key, 32) != 0);
    arca__wipe(root, sizeof root);
}

/* ---- damage ---- */

/* Opening (and starting) fails naming @p file with @p expected, and changes no file. */
static void expect_refused(const char *dir, const char *file, arca_result_t expected)
{
    uint8_t before[STATE_FILES][8192], after[8192];
    int nb[STATE_FILES];
    char path[PATH_MAX];
    arca__platform *p = NULL;
    int created = 7;

    for (int i = 0; i < STATE_FILES; i++) {
        path_of(path, dir, state_files[i]);
        nb[i] = read_file(path, before[i], sizeof before[i]);
    }
    ASSERT_RESULT(arcad->open(dir, &p), expected);
    ASSERT_TRUE(p == NULL);
    ASSERT_CONTAINS(arca__error_detail(), file);
    ASSERT_RESULT(arca__arcad_state_init(dir, NULL, &created), expected);
    ASSERT_CONTAINS(arca__error_detail(), file);
    ASSERT_EQ(created, 0);
    for (int i = 0; i < STATE_FILES; i++) { /* never regenerated, never repaired */
        path_of(path, dir, state_files[i]);
        ASSERT_EQ(read_file(path, after, sizeof after), nb[i]);
        if (nb[i] > 0)
            ASSERT_MEMEQ(before[i], after, (size_t)nb[i]);
    }
}

static void test_damaged_files_are_refused_never_regenerated(void)
{
    char dir[PATH_MAX], other[PATH_MAX], path[PATH_MAX], saved[PATH_MAX], elsewhere[PATH_MAX];
    uint8_t keep[8192];
    arca__platform *p = NULL;
    static const unsigned modes[STATE_FILES] = {0600, 0600, 0600, 0644};

    ASSERT_TRUE(new_state(dir) && new_state(other));
    for (int i = 0; i < STATE_FILES; i++) {
        const char *file = state_files[i];
        path_of(path, dir, file);
        path_of(saved, dir, "saved");
        int n = read_file(path, keep, sizeof keep);
        ASSERT_TRUE(n > 0);

        unlink(path); /* missing */
        expect_refused(dir, file, ARCA_ERR_PLATFORM_DAMAGED);
        struct stat st;
        ASSERT_TRUE(stat(path, &st) != 0);
        write_file(path, keep, (size_t)n / 2, modes[i]); /* truncated */
        expect_refused(dir, file, ARCA_ERR_PLATFORM_DAMAGED);
        write_file(path, keep, 0, modes[i]); /* empty */
        expect_refused(dir, file, ARCA_ERR_PLATFORM_DAMAGED);
        write_file(path, "-----BEGIN CERTIFICATE-----\ngarbage\n-----END CERTIFICATE-----\n", 63,
                   modes[i]); /* garbage */
        expect_refused(dir, file, ARCA_ERR_PLATFORM_DAMAGED);
        /* The same file of another arcad: it does not belong with the others. */
        path_of(elsewhere, other, file);
        copy_file(elsewhere, path, modes[i]);
        if (i == 0) { /* another root secret is 32 good bytes: the keys change, nothing can tell */
            ASSERT_OK(arcad->open(dir, &p));
            arcad->close(p);
        } else {
            expect_refused(dir, i == 1 ? ARCA_KEYDIR_KEY_FILE : file, ARCA_ERR_PLATFORM_DAMAGED);
        }
        /* A symbolic link to a private copy of the right bytes. */
        write_file(saved, keep, (size_t)n, 0600);
        unlink(path);
        ASSERT_EQ(symlink(saved, path), 0);
        expect_refused(dir, file, ARCA_ERR_PERMISSION);
        ASSERT_CONTAINS(arca__error_detail(), "symbolic link");
        unlink(path);
        unlink(saved);
        /* Group or other bits (write bits for the public root-cert.pem). */
        write_file(path, keep, (size_t)n, i == 3 ? 0664 : 0640);
        expect_refused(dir, file, ARCA_ERR_PERMISSION);
        ASSERT_CONTAINS(arca__error_detail(), i == 3 ? "chmod 644" : "chmod 600");
        write_file(path, keep, (size_t)n, modes[i]); /* restored from a backup: works again */
        ASSERT_OK(arcad->open(dir, &p));
        arcad->close(p);
    }
    /* The chain alone, or in the wrong order. */
    uint8_t *pem = NULL;
    size_t len = 0, count = 0;
    arca__cert *certs[4] = {0};
    char *one = NULL, *two = NULL;
    size_t one_len = 0, two_len = 0;
    path_of(path, dir, ARCA_ARCAD_CHAIN_FILE);
    int n = read_file(path, keep, sizeof keep);
    ASSERT_OK(arca__read_file(path, 1u << 20, &pem, &len));
    ASSERT_OK(arca__certs_parse(pem, len, "chain", certs, 4, &count));
    ASSERT_OK(arca__cert_to_pem(certs[0], &one, &one_len));
    ASSERT_OK(arca__cert_to_pem(certs[1], &two, &two_len));
    write_file(path, one, one_len, 0600);
    expect_refused(dir, ARCA_ARCAD_CHAIN_FILE, ARCA_ERR_PLATFORM_DAMAGED);
    ASSERT_CONTAINS(arca__error_detail(), "fewer than the 2");
    char both[8192];
    snprintf(both, sizeof both, "%s%s", two, one);
    write_file(path, both, strlen(both), 0600);
    expect_refused(dir, ARCA_ARCAD_CHAIN_FILE, ARCA_ERR_PLATFORM_DAMAGED);
    /* The leaf and root of this arcad, with another arcad's root in root-cert.pem. */
    write_file(path, keep, (size_t)n, 0600);
    char root_path[PATH_MAX];
    path_of(root_path, dir, ARCA_ARCAD_ROOT_CERT_FILE);
    path_of(elsewhere, other, ARCA_ARCAD_ROOT_CERT_FILE);
    int rn = read_file(root_path, keep, sizeof keep);
    copy_file(elsewhere, root_path, 0644);
    expect_refused(dir, ARCA_ARCAD_ROOT_CERT_FILE, ARCA_ERR_PLATFORM_DAMAGED);
    ASSERT_CONTAINS(arca__error_detail(), "does not hold the root certificate");
    write_file(root_path, keep, (size_t)rn, 0644);
    ASSERT_OK(arcad->open(dir, &p));
    arcad->close(p);
    free(one);
    free(two);
    for (size_t i = 0; i < count; i++)
        arca__cert_free(certs[i]);
    free(pem);

    /* The directory: group bits, a symbolic link, a file instead. */
    ASSERT_EQ(chmod(dir, 0750), 0);
    expect_refused(dir, dir, ARCA_ERR_PERMISSION);
    ASSERT_EQ(chmod(dir, 0700), 0);
    char link[PATH_MAX];
    snprintf(link, sizeof link, "%s/link-to-state", base);
    ASSERT_EQ(symlink(dir, link), 0);
    ASSERT_RESULT(arcad->open(link, &p), ARCA_ERR_PERMISSION);
    ASSERT_CONTAINS(arca__error_detail(), "symbolic link");
    int created = 0;
    ASSERT_RESULT(arca__arcad_state_init(link, NULL, &created), ARCA_ERR_PERMISSION);
    char file[PATH_MAX];
    write_file(fresh_dir(file), "x", 1, 0600);
    ASSERT_RESULT(arca__arcad_state_init(file, NULL, &created), ARCA_ERR_PLATFORM_DAMAGED);
    ASSERT_CONTAINS(arca__error_detail(), "not a directory");

    /* Another owner: as root, the directory and then each file handed to uid 65534. */
    if (geteuid() == 0) {
        ASSERT_EQ(chown(dir, UNPRIVILEGED_UID, UNPRIVILEGED_UID), 0);
        expect_refused(dir, "belongs to uid 65534", ARCA_ERR_PERMISSION);
        ASSERT_CONTAINS(arca__error_detail(), "not to you (uid 0)");
        ASSERT_EQ(chown(dir, 0, 0), 0);
        for (int i = 0; i < STATE_FILES; i++) {
            path_of(path, dir, state_files[i]);
            ASSERT_EQ(chown(path, UNPRIVILEGED_UID, UNPRIVILEGED_UID), 0);
            expect_refused(dir, state_files[i], ARCA_ERR_PERMISSION);
            ASSERT_CONTAINS(arca__error_detail(), "belongs to uid 65534");
            ASSERT_EQ(chown(path, 0, 0), 0);
        }
        ASSERT_OK(arcad->open(dir, &p));
        arcad->close(p);
    }
}

/* ---- the daemon's user and another ---- */

static char root_state[PATH_MAX]; /* a state directory of the test's own (root's) user */
static int started_as_root;

/* As uid 65534 (the daemon's user here): its own state works end to end; root's is out of
 * reach (a 0700 directory of another user: not even its files can be opened). */
static int as_daemon_user(void)
{
    char dir[PATH_MAX], pin[PATH_MAX], path[PATH_MAX];
    arca__platform *p = NULL;
    uint8_t *ev = NULL;
    size_t len = 0;
    int created = 0, failures = 0;

    snprintf(dir, sizeof dir, "%s/arcad-state", unprivileged_workdir);
    if (arca__arcad_state_init(dir, NULL, &created) != ARCA_OK || !created) {
        fprintf(stderr, "as %d: state_init: %s\n", (int)getuid(), arca__error_detail());
        return 1;
    }
    path_of(pin, dir, ARCA_ARCAD_ROOT_CERT_FILE);
    if (evidence_of(dir, &ev, &len) != ARCA_OK ||
        verify_pinned(ev, len, pin, ARCA_PLATFORM_ARCAD) != ARCA_OK) {
        fprintf(stderr, "as %d: evidence: %s / %s\n", (int)getuid(), arca__error_detail(),
                arca_verify_last_error());
        failures++;
    }
    free(ev);
    if (!started_as_root) /* ran in place as the test's own user: root_state is its own */
        return failures;
    /* Root's state directory: refused, and its key files cannot even be opened. */
    if (arcad->open(root_state, &p) == ARCA_OK) {
        fprintf(stderr, "as %d: opened root's state directory\n", (int)getuid());
        arcad->close(p);
        failures++;
    }
    for (int i = 0; i < STATE_FILES; i++) {
        path_of(path, root_state, state_files[i]);
        int fd = open(path, O_RDONLY);
        if (fd >= 0 || errno != EACCES) {
            fprintf(stderr, "as %d: %s: expected EACCES, got %s\n", (int)getuid(), path,
                    fd >= 0 ? "an open file" : strerror(errno));
            if (fd >= 0)
                close(fd);
            failures++;
        }
    }
    return failures;
}

static void test_state_is_out_of_other_users_reach(void)
{
    char elsewhere[PATH_MAX];
    ASSERT_TRUE(new_state(root_state));
    if (geteuid() != 0) {
        /* As an ordinary user, root's directories are the foreign ones. */
        arca__platform *p = NULL;
        ASSERT_RESULT(arcad->open("/", &p), ARCA_ERR_PERMISSION);
        ASSERT_CONTAINS(arca__error_detail(), "belongs to uid 0");
    }
    /* unprivileged_run needs a runner to copy as root; this test needs none, so any file does. */
    snprintf(elsewhere, sizeof elsewhere, "%s/runner-stand-in", base);
    write_file(elsewhere, "#!/bin/sh\n", 10, 0755);
    if (!getenv("ARCA_RUNNER") || access(getenv("ARCA_RUNNER"), R_OK) != 0)
        setenv("ARCA_RUNNER", elsewhere, 1);
    /* The base directory must be traversable for the path to reach root's state directory
     * and be refused there, by its own mode 0700. */
    ASSERT_EQ(chmod(base, 0711), 0);
    started_as_root = geteuid() == 0;
    int rc = unprivileged_run("arcad-keys", NULL, 0, as_daemon_user);
    ASSERT_EQ(chmod(base, 0700), 0);
    ASSERT_EQ(rc, 0);
}

/* ---- operator CA: CSR, import ---- */

static char ca_dir[PATH_MAX]; /* the operator CA's files (openssl CLI) */

static const char ca_conf[] =
    "[req]\ndistinguished_name = dn\nprompt = no\n[dn]\nCN = unused\n"
    "[v3_root]\nbasicConstraints = critical,CA:TRUE\nkeyUsage = critical,keyCertSign,cRLSign\n"
    "subjectKeyIdentifier = hash\n"
    "[v3_root0]\nbasicConstraints = critical,CA:TRUE,pathlen:0\n"
    "keyUsage = critical,keyCertSign,cRLSign\nsubjectKeyIdentifier = hash\n"
    "[v3_inter]\nbasicConstraints = critical,CA:TRUE,pathlen:0\n"
    "keyUsage = critical,keyCertSign,cRLSign\nsubjectKeyIdentifier = hash\n"
    "authorityKeyIdentifier = keyid:always\n"
    "[v3_noca]\nbasicConstraints = critical,CA:FALSE\n"
    "keyUsage = critical,digitalSignature,keyCertSign\nsubjectKeyIdentifier = hash\n"
    "authorityKeyIdentifier = keyid:always\n"
    "[v3_leaf]\nbasicConstraints = critical,CA:FALSE\nkeyUsage = critical,digitalSignature\n"
    "subjectKeyIdentifier = hash\nauthorityKeyIdentifier = keyid:always\n";

/* openssl in the CA directory, its output in the log; 0 on success. */
#define OPENSSL(...) sh("cd '%s' && openssl " __VA_ARGS__)

/* A key NAME.key; a self-signed root NAME.pem with extensions EXT. */
static int ca_root(const char *name, const char *ext)
{
    return OPENSSL("genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out %s.key 2>/dev/null"
                   " && openssl req -x509 -new -key %s.key -subj '/O=Test operator/CN=%s' -days 30"
                   " -config ca.cnf -extensions %s -out %s.pem",
                   ca_dir, name, name, name, ext, name);
}

/* NAME.pem for the request NAME.csr (made from a new NAME.key unless @p csr_given), issued
 * by ISSUER with extensions EXT. */
static int ca_issue(const char *name, const char *issuer, const char *ext, int csr_given)
{
    static int serial = 0x1000;
    if (!csr_given &&
        OPENSSL("genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out %s.key 2>/dev/null"
                " && openssl req -new -key %s.key -subj '/O=Test operator/CN=%s' -config ca.cnf"
                " -out %s.csr", ca_dir, name, name, name, name) != 0)
        return -1;
    return OPENSSL("x509 -req -in %s.csr -CA %s.pem -CAkey %s.key -set_serial %d -days 30"
                   " -extfile ca.cnf -extensions %s -out %s.pem 2>/dev/null",
                   ca_dir, name, issuer, issuer, serial++, ext, name);
}

/* The PEM files @p names (space-separated, in order) concatenated, into *out. */
static int bundle(const char *names, uint8_t **out, size_t *len)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/bundle.pem", ca_dir);
    if (sh("cd '%s' && cat %s > bundle.pem", ca_dir, names) != 0)
        return -1;
    return arca__read_file(path, 1u << 20, out, len) == ARCA_OK ? 0 : -1;
}

/* Import the bundle of @p names into @p dir; ARCA_OK or the refusal. */
static arca_result_t import(const char *dir, const char *names)
{
    uint8_t *pem = NULL;
    size_t len = 0;
    if (bundle(names, &pem, &len) != 0)
        return ARCA_ERR_INTERNAL;
    arca_result_t r = arca__arcad_import_chain(dir, pem, len);
    free(pem);
    return r;
}

/* Write arcad's CSR for @p dir to CA_DIR/NAME.csr and check it with openssl. */
static int write_csr(const char *dir, const char *name)
{
    char *pem = NULL, path[PATH_MAX];
    size_t len = 0;
    if (arca__arcad_csr(dir, &pem, &len) != ARCA_OK) {
        fprintf(stderr, "csr: %s\n", arca__error_detail());
        return -1;
    }
    snprintf(path, sizeof path, "%s/%s.csr", ca_dir, name);
    write_file(path, pem, len, 0600);
    free(pem);
    return OPENSSL("req -verify -noout -in %s.csr 2>/dev/null", ca_dir, name);
}

static void test_csr_signed_by_operator_ca_with_intermediate(void)
{
    char dir[PATH_MAX], old_pin[PATH_MAX], pin[PATH_MAX], path[PATH_MAX];
    uint8_t *ev = NULL, *op_root = NULL;
    size_t len = 0, op_len = 0;
    arca__platform *p = NULL;
    struct arca__enclave_keys before, after;
    arca_identity_t id = sample_identity();
    uint8_t id_before[32];
    struct stat st;

    ASSERT_TRUE(new_state(dir));
    ASSERT_TRUE(derive(arcad, dir, &id, &before));
    ASSERT_OK(arcad->open(dir, &p));
    memcpy(id_before, p->platform_id, 32);
    arcad->close(p);
    /* The self-made root, kept by the test the way a relying party pinned it. */
    snprintf(old_pin, sizeof old_pin, "%s/old-root.pem", base);
    path_of(pin, dir, ARCA_ARCAD_ROOT_CERT_FILE);
    copy_file(pin, old_pin, 0644);

    ASSERT_EQ(write_csr(dir, "arcad"), 0);
    ASSERT_EQ(ca_root("oproot", "v3_root"), 0);
    ASSERT_EQ(ca_issue("inter", "oproot", "v3_inter", 0), 0);
    ASSERT_EQ(ca_issue("arcad", "inter", "v3_leaf", 1), 0);
    ASSERT_OK(import(dir, "arcad.pem inter.pem oproot.pem"));

    /* The files: the chain of three (0600), the operator's root alone (0644). */
    path_of(path, dir, ARCA_ARCAD_CHAIN_FILE);
    ASSERT_EQ(stat(path, &st), 0);
    ASSERT_EQ(st.st_mode & 07777, 0600);
    ASSERT_EQ(stat(pin, &st), 0);
    ASSERT_EQ(st.st_mode & 07777, 0644);
    char op_path[PATH_MAX];
    snprintf(op_path, sizeof op_path, "%s/oproot.pem", ca_dir);
    arca__cert *a = NULL, *b = NULL;
    uint8_t *pin_pem = NULL;
    size_t pin_len = 0;
    ASSERT_OK(arca__read_file(op_path, 1u << 20, &op_root, &op_len));
    ASSERT_OK(arca__read_file(pin, 1u << 20, &pin_pem, &pin_len));
    ASSERT_OK(arca__cert_parse(op_root, op_len, "operator root", &a));
    ASSERT_OK(arca__cert_parse(pin_pem, pin_len, "root-cert.pem", &b));
    ASSERT_MEMEQ(arca__cert_hash(a), arca__cert_hash(b), 32);
    free(pin_pem);

    /* Evidence carries the three; verifies under the operator's root, not the old one. */
    ASSERT_OK(arcad->open(dir, &p));
    ASSERT_EQ(p->cert_count, 3);
    ASSERT_MEMEQ(p->platform_id, id_before, 32); /* the same key, a new certificate */
    arca_platform_info_t info;
    ASSERT_OK(arcad->describe(p, &info));
    ASSERT_MEMEQ(info.cert_sha256, arca__cert_hash(a), 32);
    arcad->close(p);
    arca__cert_free(a);
    arca__cert_free(b);
    ASSERT_OK(evidence_of(dir, &ev, &len));
    arca__evidence parsed;
    ASSERT_OK(arca__evidence_parse(ev, len, &parsed));
    ASSERT_EQ(parsed.cert_count, 3);
    ASSERT_OK(verify_pinned(ev, len, op_path, ARCA_PLATFORM_ARCAD));
    ASSERT_OK(verify_pinned(ev, len, pin, ARCA_PLATFORM_ARCAD));
    ASSERT_OK(verify_conf(ev, len, "TrustedArcadRoot", pin));
    ASSERT_RESULT(verify_pinned(ev, len, old_pin, ARCA_PLATFORM_ARCAD),
                  ARCA_ERR_VERIFY_PLATFORM_UNTRUSTED);
    /* Pinning the intermediate instead does not do: the chain must end at the pin. */
    snprintf(path, sizeof path, "%s/inter.pem", ca_dir);
    ASSERT_RESULT(verify_pinned(ev, len, path, ARCA_PLATFORM_ARCAD),
                  ARCA_ERR_VERIFY_PLATFORM_UNTRUSTED);
    free(ev);

    /* The keys did not change: sealed data stays readable. */
    ASSERT_TRUE(derive(arcad, dir, &id, &after));
    ASSERT_MEMEQ(&before, &after, sizeof before);
    free(op_root);
}

/* Each refusal names what failed, and the installed chain stays as it was. */
static void expect_import_refused(const char *dir, const char *names, arca_result_t expected,
                                  const char *needle)
{
    uint8_t chain[8192], root[8192], chain2[8192], root2[8192];
    char cp[PATH_MAX], rp[PATH_MAX];
    path_of(cp, dir, ARCA_ARCAD_CHAIN_FILE);
    path_of(rp, dir, ARCA_ARCAD_ROOT_CERT_FILE);
    int cn = read_file(cp, chain, sizeof chain), rn = read_file(rp, root, sizeof root);
    ASSERT_TRUE(cn > 0 && rn > 0);
    ASSERT_RESULT(import(dir, names), expected);
    ASSERT_CONTAINS(arca__error_detail(), needle);
    ASSERT_EQ(read_file(cp, chain2, sizeof chain2), cn);
    ASSERT_EQ(read_file(rp, root2, sizeof root2), rn);
    ASSERT_MEMEQ(chain, chain2, (size_t)cn);
    ASSERT_MEMEQ(root, root2, (size_t)rn);
    /* Nothing left behind either. */
    DIR *d = opendir(dir);
    ASSERT_TRUE(d != NULL);
    struct dirent *e;
    int entries = 0;
    while ((e = readdir(d)) != NULL)
        entries += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    ASSERT_EQ(entries, STATE_FILES);
}

static void test_import_refusals(void)
{
    char dir[PATH_MAX];
    arca__platform *p = NULL;
    ASSERT_TRUE(new_state(dir));
    ASSERT_EQ(write_csr(dir, "leaf2"), 0);
    ASSERT_EQ(ca_root("root2", "v3_root"), 0);
    ASSERT_EQ(ca_issue("inter2", "root2", "v3_inter", 0), 0);
    ASSERT_EQ(ca_issue("leaf2", "inter2", "v3_leaf", 1), 0);

    /* Another key's certificate (a CSR of another key, signed by the same CA). */
    ASSERT_EQ(ca_issue("stranger", "inter2", "v3_leaf", 0), 0);
    expect_import_refused(dir, "stranger.pem inter2.pem root2.pem", ARCA_ERR_BAD_CHAIN,
                          "another key than this arcad's attestation key");
    /* A broken chain: out of order; an issuer missing. */
    expect_import_refused(dir, "leaf2.pem root2.pem inter2.pem", ARCA_ERR_BAD_CHAIN,
                          "is not signed by certificate 2");
    expect_import_refused(dir, "leaf2.pem root2.pem", ARCA_ERR_BAD_CHAIN,
                          "is not signed by certificate 2");
    /* Not ending at a self-signed root. */
    expect_import_refused(dir, "leaf2.pem inter2.pem", ARCA_ERR_BAD_CHAIN, "not self-signed");
    /* Too long for evidence: 9 certificates. */
    expect_import_refused(dir,
                          "leaf2.pem inter2.pem root2.pem root2.pem root2.pem root2.pem root2.pem "
                          "root2.pem root2.pem",
                          ARCA_ERR_BAD_CHAIN, "more than 8 certificates");
    /* The leaf alone; no certificate at all. */
    expect_import_refused(dir, "leaf2.pem", ARCA_ERR_BAD_CHAIN, "at least 2");
    expect_import_refused(dir, "ca.cnf", ARCA_ERR_BAD_FORMAT, "not a list of PEM certificates");
    /* An issuer that is not a CA. */
    ASSERT_EQ(ca_issue("noca", "root2", "v3_noca", 0), 0);
    ASSERT_EQ(write_csr(dir, "leaf3"), 0);
    ASSERT_EQ(ca_issue("leaf3", "noca", "v3_leaf", 1), 0);
    expect_import_refused(dir, "leaf3.pem noca.pem root2.pem", ARCA_ERR_BAD_CHAIN,
                          "certificate 2 ('noca') issues certificate 1 but is not a CA");
    /* Structurally sound, but the root allows no intermediate (pathlen 0): refused as a
     * verifier would refuse it. */
    ASSERT_EQ(ca_root("root0", "v3_root0"), 0);
    ASSERT_EQ(ca_issue("inter0", "root0", "v3_inter", 0), 0);
    ASSERT_EQ(write_csr(dir, "leaf0"), 0);
    ASSERT_EQ(ca_issue("leaf0", "inter0", "v3_leaf", 1), 0);
    expect_import_refused(dir, "leaf0.pem inter0.pem root0.pem", ARCA_ERR_BAD_CHAIN,
                          "X.509 path validation");
    ASSERT_RESULT(arca__arcad_import_chain(dir, NULL, 0), ARCA_ERR_INVALID_ARGUMENT);

    /* After all that, the platform is as it was, and the good chain still goes in. */
    ASSERT_OK(arcad->open(dir, &p));
    ASSERT_EQ(p->cert_count, 2);
    arcad->close(p);
    ASSERT_OK(import(dir, "leaf2.pem inter2.pem root2.pem"));
}

/* ---- concurrency, counters ---- */

static void test_concurrent_first_start(void)
{
    enum { N = 6 };
    char dir[PATH_MAX];
    int fds[2];
    pid_t pids[N];
    uint8_t ids[N][32];
    fresh_dir(dir);
    ASSERT_EQ(pipe(fds), 0);
    fflush(NULL);
    for (int i = 0; i < N; i++) {
        pids[i] = fork();
        ASSERT_TRUE(pids[i] >= 0);
        if (pids[i] == 0) {
            uint8_t msg[33] = {0};
            int created = 0;
            arca__platform *p = NULL;
            if (arca__arcad_state_init(dir, NULL, &created) == ARCA_OK &&
                arcad->open(dir, &p) == ARCA_OK) {
                msg[0] = (uint8_t)(1 + created);
                memcpy(msg + 1, p->platform_id, 32);
                arcad->close(p);
            } else {
                fprintf(stderr, "child: %s\n", arca__error_detail());
            }
            _exit(write(fds[1], msg, sizeof msg) == (ssize_t)sizeof msg ? 0 : 2);
        }
    }
    close(fds[1]);
    int creators = 0;
    for (int i = 0; i < N; i++) {
        uint8_t msg[33];
        ASSERT_EQ(read(fds[0], msg, sizeof msg), (long)sizeof msg);
        ASSERT_TRUE(msg[0] != 0);
        creators += msg[0] == 2;
        memcpy(ids[i], msg + 1, 32);
    }
    close(fds[0]);
    for (int i = 0; i < N; i++) {
        int status;
        ASSERT_EQ(waitpid(pids[i], &status, 0), pids[i]);
        ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    ASSERT_EQ(creators, 1);
    for (int i = 1; i < N; i++)
        ASSERT_MEMEQ(ids[0], ids[i], 32);
    DIR *d = opendir(base);
    ASSERT_TRUE(d != NULL);
    struct dirent *e;
    int leftovers = 0;
    while ((e = readdir(d)) != NULL)
        leftovers += strstr(e->d_name, ".init-") != NULL;
    closedir(d);
    ASSERT_EQ(leftovers, 0);
}

/* The counter op reaches the counter store in the state directory (counters.h has its own
 * tests); the quota set before the first request applies. */
static void test_counter_op(void)
{
    char dir[PATH_MAX], path[PATH_MAX];
    arca__platform *p = NULL;
    arca_identity_t id = sample_identity();
    arca__pw_counter req = {ARCA__PW_COUNTER_CREATE, 1 /* ARCA_SEAL_ENCLAVE */, "rollback"};
    uint64_t v = 99;
    struct stat st;

    ASSERT_TRUE(new_state(dir));
    ASSERT_OK(arcad->open(dir, &p));
    ASSERT_OK(arca__arcad_set_counter_quota(p, 1));
    ASSERT_OK(arcad->counter(p, &id, 1000, &req, &v));
    ASSERT_UEQ(v, 0);
    req.action = ARCA__PW_COUNTER_INCREMENT;
    ASSERT_OK(arcad->counter(p, &id, 1000, &req, &v));
    ASSERT_UEQ(v, 1);
    req.action = ARCA__PW_COUNTER_READ;
    ASSERT_OK(arcad->counter(p, &id, 1000, &req, &v));
    ASSERT_UEQ(v, 1);
    req.action = ARCA__PW_COUNTER_CREATE;
    snprintf(req.name, sizeof req.name, "second");
    ASSERT_RESULT(arcad->counter(p, &id, 1000, &req, &v), ARCA_ERR_QUOTA);
    arcad->close(p);
    path_of(path, dir, ARCA_COUNTER_DB_FILE);
    ASSERT_EQ(stat(path, &st), 0);
    ASSERT_EQ(st.st_mode & 077, 0);
    /* Reopened: the value is still there; a dev platform object is not an arcad one. */
    ASSERT_OK(arcad->open(dir, &p));
    snprintf(req.name, sizeof req.name, "rollback");
    req.action = ARCA__PW_COUNTER_READ;
    ASSERT_OK(arcad->counter(p, &id, 1000, &req, &v));
    ASSERT_UEQ(v, 1);
    arcad->close(p);
    char devdir[PATH_MAX];
    ASSERT_OK(arca__dev_platform.open(fresh_dir(devdir), &p));
    ASSERT_RESULT(arca__arcad_set_counter_quota(p, 5), ARCA_ERR_INVALID_ARGUMENT);
    arca__dev_platform.close(p);
}

int main(void)
{
    if (arca__crypto_init() != ARCA_OK || !test_make_scratch_dir(base, sizeof base, "test-arcad"))
        return 1;
    if (!test_make_scratch_dir(ca_dir, sizeof ca_dir, "test-arcad-ca"))
        return 1;
    {
        char path[PATH_MAX];
        snprintf(path, sizeof path, "%s/ca.cnf", ca_dir);
        write_file(path, ca_conf, sizeof ca_conf - 1, 0600);
    }
    RUN(test_first_start_creates_private_state);
    RUN(test_open_never_creates);
    RUN(test_certificates_and_describe);
    RUN(test_evidence_verifies_under_pinned_root);
    RUN(test_keys_are_separated_from_dev);
    RUN(test_damaged_files_are_refused_never_regenerated);
    RUN(test_state_is_out_of_other_users_reach);
    RUN(test_csr_signed_by_operator_ca_with_intermediate);
    RUN(test_import_refusals);
    RUN(test_concurrent_first_start);
    RUN(test_counter_op);
    test_remove_scratch_dir(ca_dir);
    test_remove_scratch_dir(base);
    return TEST_SUMMARY();
}
