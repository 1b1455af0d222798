/*
 * test_platform.c — the dev platform: first-use creation (modes, atomicity under several
 * concurrent processes), reuse, damage detection without regeneration, the key directory's
 * ownership and mode rules (another owner, group/other bits, symbolic links — checked on the
 * descriptors, also after open), key derivation rules (debug and isolation-class separation,
 * SVN hash chain, what does and does not enter keys) and evidence (v2, with the runtime digest;
 * no key kept in the platform object).
 */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wformat-truncation" /* test paths are short */
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "crypto/crypto.h"
#include "crypto/crypto_x509.h"
#include "base/error.h"
#include "formats/image.h"
#include "formats/evidence.h"
#include "formats/sealblob.h"
#include "platform/dev/dev_internal.h"
#include "test.h"

static char base[PATH_MAX];
static int counter;

/* A fresh, not yet existing directory path under the test's private temp dir. */
static const char *fresh_dir(char out[PATH_MAX])
{
    snprintf(out, PATH_MAX, "%s/p%d", base, counter++);
    return out;
}

static const uint8_t no_runtime[32];

static arca_identity_t sample_identity(void)
{
    arca_identity_t id;
    memset(&id, 0, sizeof id);
    for (int i = 0; i < 32; i++) {
        id.measurement[i] = (uint8_t)i;
        id.signer_id[i] = (uint8_t)(0xA0 + i);
    }
    id.product_id = 7;
    id.svn = 3;
    id.backend = ARCA_BACKEND_ID_SIM;
    return id;
}

/* Does the n-byte secret occur anywhere in the len bytes at p? */
static int holds_bytes(const void *p, size_t len, const uint8_t *secret, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i + n <= len; i++)
        if (memcmp(b + i, secret, n) == 0)
            return 1;
    return 0;
}

/* An open platform lives as long as its enclave (for evidence), so after open and derive_keys
 * — what arca_enclave_create does — it must not hold the root seal secret; evidence needs only
 * the attestation key. derive_keys reads the secret from the directory each time. */
static void test_platform_object_holds_no_root_secret(void)
{
    char dir[PATH_MAX], path[PATH_MAX];
    arca__platform *p = NULL;
    struct arca__enclave_keys keys;
    arca_identity_t id = sample_identity();
    uint8_t root[ARCA_DEV_ROOT_SIZE], rd[64] = {0}, *ev = NULL;
    size_t ev_len = 0;
    ASSERT_OK(arca__dev_platform.open(fresh_dir(dir), &p));
    ASSERT_OK(arca__dev_platform.derive_keys(p, &id, &keys));
    snprintf(path, sizeof path, "%s/%s", dir, ARCA_DEV_ROOT_FILE);
    FILE *f = fopen(path, "rb");
    ASSERT_TRUE(f != NULL);
    size_t got = fread(root, 1, sizeof root, f);
    fclose(f);
    ASSERT_EQ(got, sizeof root);
    ASSERT_TRUE(!holds_bytes(p, sizeof *p, root, sizeof root));
    /* nor any 16-byte half of it */
    ASSERT_TRUE(!holds_bytes(p, sizeof *p, root, 16) && !holds_bytes(p, sizeof *p, root + 16, 16));
    /* without the file, evidence still works (attestation key only); key derivation does not */
    ASSERT_EQ(unlink(path), 0);
    ASSERT_OK(arca__dev_platform.evidence(p, &id, no_runtime, rd, &ev, &ev_len));
    ASSERT_TRUE(ev_len > 0);
    free(ev);
    ASSERT_RESULT(arca__dev_platform.derive_keys(p, &id, &keys), ARCA_ERR_PLATFORM_DAMAGED);
    arca__dev_platform.close(p);
}

static void test_first_use_creates_private_directory(void)
{
    char dir[PATH_MAX], path[PATH_MAX];
    arca__platform *p = NULL;
    struct stat st;
    mode_t old_umask = umask(0); /* the modes must not depend on the caller's umask */
    arca_result_t r = arca__dev_platform.open(fresh_dir(dir), &p);
    umask(old_umask);
    ASSERT_OK(r);
    ASSERT_TRUE(p->created);
    ASSERT_EQ(stat(dir, &st), 0);
    ASSERT_EQ(st.st_mode & 0777, 0700);
    const char *files[] = {ARCA_DEV_ROOT_FILE, ARCA_DEV_KEY_FILE, ARCA_DEV_CERT_FILE};
    for (int i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        ASSERT_EQ(stat(path, &st), 0);
        ASSERT_EQ(st.st_mode & 0777, 0600);
    }
    snprintf(path, sizeof path, "%s/%s", dir, ARCA_DEV_ROOT_FILE);
    ASSERT_EQ(stat(path, &st), 0);
    ASSERT_EQ(st.st_size, 32);
    arca__dev_platform.close(p);
}

static void test_certificate_is_marked_dev_and_id_is_spki_hash(void)
{
    char dir[PATH_MAX], path[PATH_MAX], cn[256];
    arca__platform *p = NULL;
    ASSERT_OK(arca__dev_platform.open(fresh_dir(dir), &p));
    snprintf(path, sizeof path, "%s/%s", dir, ARCA_DEV_CERT_FILE);
    FILE *f = fopen(path, "r");
    ASSERT_TRUE(f != NULL);
    X509 *x = PEM_read_X509(f, NULL, NULL, NULL);
    fclose(f);
    ASSERT_TRUE(x != NULL);
    X509_NAME_get_text_by_NID(X509_get_subject_name(x), NID_commonName, cn, sizeof cn);
    ASSERT_CONTAINS(cn, "Arca dev platform ");
    uint8_t id[32], *pem = NULL;
    size_t pem_len = 0;
    arca__cert *cert = NULL;
    ASSERT_OK(arca__read_file(path, 65536, &pem, &pem_len));
    ASSERT_OK(arca__cert_parse(pem, pem_len, "platform certificate", &cert));
    ASSERT_OK(arca__cert_spki_hash(cert, id));
    arca__cert_free(cert);
    free(pem);
    ASSERT_MEMEQ(id, p->platform_id, 32);
    char hex[17];
    for (int i = 0; i < 8; i++)
        snprintf(hex + 2 * i, 3, "%02x", id[i]);
    ASSERT_CONTAINS(cn, hex);
    ASSERT_EQ(X509_check_issued(x, x), X509_V_OK); /* self-signed */
    X509_free(x);
    arca__dev_platform.close(p);
}

static void test_reopen_gives_same_platform_and_keys(void)
{
    char dir[PATH_MAX];
    arca__platform *a = NULL, *b = NULL;
    struct arca__enclave_keys ka, kb;
    arca_identity_t id = sample_identity();
    ASSERT_OK(arca__dev_platform.open(fresh_dir(dir), &a));
    ASSERT_OK(arca__dev_platform.open(dir, &b));
    ASSERT_TRUE(!b->created);
    ASSERT_MEMEQ(a->platform_id, b->platform_id, 32);
    ASSERT_OK(arca__dev_platform.derive_keys(a, &id, &ka));
    ASSERT_OK(arca__dev_platform.derive_keys(b, &id, &kb));
    ASSERT_MEMEQ(&ka, &kb, sizeof ka);
    arca__dev_platform.close(a);
    arca__dev_platform.close(b);
}

static void test_different_platforms_have_different_keys(void)
{
    char d1[PATH_MAX], d2[PATH_MAX];
    arca__platform *a = NULL, *b = NULL;
    struct arca__enclave_keys ka, kb;
    arca_identity_t id = sample_identity();
    ASSERT_OK(arca__dev_platform.open(fresh_dir(d1), &a));
    ASSERT_OK(arca__dev_platform.open(fresh_dir(d2), &b));
    ASSERT_OK(arca__dev_platform.derive_keys(a, &id, &ka));
    ASSERT_OK(arca__dev_platform.derive_keys(b, &id, &kb));
    ASSERT_TRUE(memcmp(ka.enclave_key, kb.enclave_key, 32) != 0);
    ASSERT_TRUE(memcmp(ka.signer_key, kb.signer_key, 32) != 0);
    ASSERT_TRUE(memcmp(a->platform_id, b->platform_id, 32) != 0);
    arca__dev_platform.close(a);
    arca__dev_platform.close(b);
}

static void test_key_derivation_rules(void)
{
    char dir[PATH_MAX];
    arca__platform *p = NULL;
    struct arca__enclave_keys base_k, k;
    arca_identity_t id = sample_identity(), v;
    ASSERT_OK(arca__dev_platform.open(fresh_dir(dir), &p));
    ASSERT_OK(arca__dev_platform.derive_keys(p, &id, &base_k));
    ASSERT_TRUE(memcmp(base_k.enclave_key, base_k.signer_key, 32) != 0);

    /* Debug never shares a key with production. */
    v = id;
    v.attributes |= ARCA_ATTR_DEBUG;
    ASSERT_OK(arca__dev_platform.derive_keys(p, &v, &k));
    ASSERT_TRUE(memcmp(k.enclave_key, base_k.enclave_key, 32) != 0);
    ASSERT_TRUE(memcmp(k.signer_key, base_k.signer_key, 32) != 0);

    /* Switchless and protections do not enter keys. */
    v = id;
    v.attributes |= ARCA_ATTR_SWITCHLESS;
    v.protections = ARCA_PROT_SECCOMP | ARCA_PROT_NODUMP;
    ASSERT_OK(arca__dev_platform.derive_keys(p, &v, &k));
    ASSERT_MEMEQ(&k, &base_k, sizeof k);
    /* An unknown backend id does not isolate: it gets sim's keys, never an isolating one's. */
    v = id;
    v.backend = 77;
    ASSERT_OK(arca__dev_platform.derive_keys(p, &v, &k));
    ASSERT_MEMEQ(&k, &base_k, sizeof k);
    /* Keys are derived for an enclave on a backend. */
    v = id;
    v.backend = ARCA_BACKEND_ID_NONE;
    ASSERT_RESULT(arca__dev_platform.derive_keys(p, &v, &k), ARCA_ERR_INVALID_ARGUMENT);

    /* Another measurement: another enclave key, the same signer key. */
    v = id;
    v.measurement[0] ^= 1;
    ASSERT_OK(arca__dev_platform.derive_keys(p, &v, &k));
    ASSERT_TRUE(memcmp(k.enclave_key, base_k.enclave_key, 32) != 0);
    ASSERT_MEMEQ(k.signer_key, base_k.signer_key, 32);

    /* Another signer or product: another signer key, the same enclave key. */
    v = id;
    v.signer_id[31] ^= 0x80;
    ASSERT_OK(arca__dev_platform.derive_keys(p, &v, &k));
    ASSERT_MEMEQ(k.enclave_key, base_k.enclave_key, 32);
    ASSERT_TRUE(memcmp(k.signer_key, base_k.signer_key, 32) != 0);
    v = id;
    v.product_id = 8;
    ASSERT_OK(arca__dev_platform.derive_keys(p, &v, &k));
    ASSERT_TRUE(memcmp(k.signer_key, base_k.signer_key, 32) != 0);

    /* SVN key tree: key(n) (with the tier key) yields key(m) for m <= n, never the reverse. */
    uint8_t down[32];
    v = id;
    v.svn = (uint16_t)(id.svn + 5);
    ASSERT_OK(arca__dev_platform.derive_keys(p, &v, &k));
    ASSERT_TRUE(memcmp(k.signer_key, base_k.signer_key, 32) != 0);
    ASSERT_MEMEQ(k.enclave_key, base_k.enclave_key, 32);
    ASSERT_OK(arca__seal_svn_key(k.signer_key, k.has_lower ? k.signer_lower : NULL, v.svn, id.svn,
                                 down));
    ASSERT_MEMEQ(down, base_k.signer_key, 32);
    ASSERT_RESULT(arca__seal_svn_key(base_k.signer_key, NULL, id.svn, v.svn, down),
                  ARCA_ERR_SVN_TOO_NEW);
    arca__dev_platform.close(p);
}

/* What an enclave at n derives inside equals what the platform gives an enclave at m ≤ n. */
static void test_svn_keys_inside_equal_platform(void)
{
    static const uint16_t svns[] = {0, 1, 200, 254, 255, 256, 257, 258, 300, 510, 511, 512,
                                    1000, 4096, 40000, 65279, 65280, 65281, 65534, 65535};
    enum { N = sizeof svns / sizeof svns[0] };
    char dir[PATH_MAX];
    arca__platform *p = NULL;
    struct arca__enclave_keys k[N];
    arca_identity_t id = sample_identity();
    static const uint8_t zero[32] = {0};

    ASSERT_OK(arca__dev_platform.open(fresh_dir(dir), &p));
    for (size_t i = 0; i < N; i++) {
        id.svn = svns[i];
        ASSERT_OK(arca__dev_platform.derive_keys(p, &id, &k[i]));
        /* The tier key is present exactly when h > 0, and the padding is zero. */
        ASSERT_EQ(k[i].has_lower, svns[i] >= 256 ? 1 : 0);
        if (!k[i].has_lower)
            ASSERT_MEMEQ(k[i].signer_lower, zero, 32);
        ASSERT_MEMEQ(k[i].reserved, zero, sizeof k[i].reserved);
    }
    for (size_t i = 0; i < N; i++) {
        const uint8_t *lower = k[i].has_lower ? k[i].signer_lower : NULL;
        for (size_t j = 0; j < N; j++) {
            uint8_t got[32];
            if (svns[j] <= svns[i]) {
                ASSERT_OK(arca__seal_svn_key(k[i].signer_key, lower, svns[i], svns[j], got));
                ASSERT_MEMEQ(got, k[j].signer_key, 32);
            } else {
                ASSERT_RESULT(arca__seal_svn_key(k[i].signer_key, lower, svns[i], svns[j], got),
                              ARCA_ERR_SVN_TOO_NEW);
            }
        }
        /* Nothing the enclave at n holds is the key of n + 1. */
        if (svns[i] < 65535) {
            struct arca__enclave_keys next;
            id.svn = (uint16_t)(svns[i] + 1);
            ASSERT_OK(arca__dev_platform.derive_keys(p, &id, &next));
            ASSERT_TRUE(memcmp(next.signer_key, k[i].signer_key, 32) != 0);
            ASSERT_TRUE(memcmp(next.signer_key, k[i].signer_lower, 32) != 0);
            ASSERT_TRUE(memcmp(next.signer_lower, k[i].signer_key, 32) != 0);
        }
    }
    arca__dev_platform.close(p);
}

static void write_file(const char *path, const void *data, size_t len)
{
    int fd = open(path, O_WRONLY | O_TRUNC | O_CREAT, 0600);
    if (fd >= 0) {
        if (write(fd, data, len) != (ssize_t)len)
            fprintf(stderr, "warning: short write to %s\n", path);
        close(fd);
    }
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

/* Damage one file; open must fail with PLATFORM_DAMAGED naming it and change nothing. */
static void expect_damaged(const char *dir, const char *file)
{
    char path[PATH_MAX];
    uint8_t before[4096], after[4096];
    int nb, na;
    arca__platform *p = NULL;
    snprintf(path, sizeof path, "%s/%s", dir, file);
    nb = read_file(path, before, sizeof before);
    ASSERT_RESULT(arca__dev_platform.open(dir, &p), ARCA_ERR_PLATFORM_DAMAGED);
    ASSERT_TRUE(p == NULL);
    ASSERT_CONTAINS(arca__error_detail(), file);
    na = read_file(path, after, sizeof after);
    ASSERT_EQ(na, nb); /* never regenerated */
    if (nb > 0)
        ASSERT_MEMEQ(before, after, (size_t)nb);
}

static void test_damaged_root_is_reported_not_regenerated(void)
{
    char dir[PATH_MAX], path[PATH_MAX];
    arca__platform *p = NULL;
    ASSERT_OK(arca__dev_platform.open(fresh_dir(dir), &p));
    arca__dev_platform.close(p);
    snprintf(path, sizeof path, "%s/%s", dir, ARCA_DEV_ROOT_FILE);
    write_file(path, "short", 5); /* short */
    expect_damaged(dir, ARCA_DEV_ROOT_FILE);
    uint8_t big[33] = {0};
    write_file(path, big, sizeof big); /* long */
    expect_damaged(dir, ARCA_DEV_ROOT_FILE);
    write_file(path, big, 0); /* empty */
    expect_damaged(dir, ARCA_DEV_ROOT_FILE);
    unlink(path); /* missing */
    expect_damaged(dir, ARCA_DEV_ROOT_FILE);
    struct stat st;
    ASSERT_TRUE(stat(path, &st) != 0); /* still missing: not regenerated */
}

static void test_damaged_key_and_cert_are_reported(void)
{
    char dir[PATH_MAX], other[PATH_MAX], path[PATH_MAX], path2[PATH_MAX];
    arca__platform *p = NULL;
    ASSERT_OK(arca__dev_platform.open(fresh_dir(dir), &p));
    arca__dev_platform.close(p);
    ASSERT_OK(arca__dev_platform.open(fresh_dir(other), &p));
    arca__dev_platform.close(p);

    snprintf(path, sizeof path, "%s/%s", dir, ARCA_DEV_KEY_FILE);
    uint8_t saved[4096];
    int n = read_file(path, saved, sizeof saved);
    ASSERT_TRUE(n > 0);
    write_file(path, "-----BEGIN PRIVATE KEY-----\ngarbage\n", 36);
    expect_damaged(dir, ARCA_DEV_KEY_FILE);
    unlink(path);
    expect_damaged(dir, ARCA_DEV_KEY_FILE);
    write_file(path, saved, (size_t)n); /* restored from "backup": works again */
    ASSERT_OK(arca__dev_platform.open(dir, &p));
    arca__dev_platform.close(p);

    snprintf(path, sizeof path, "%s/%s", dir, ARCA_DEV_CERT_FILE);
    n = read_file(path, saved, sizeof saved);
    ASSERT_TRUE(n > 100);
    write_file(path, saved, (size_t)n / 2); /* truncated */
    expect_damaged(dir, ARCA_DEV_CERT_FILE);
    /* A certificate from another platform does not match this key. */
    snprintf(path2, sizeof path2, "%s/%s", other, ARCA_DEV_CERT_FILE);
    uint8_t foreign[4096];
    int fn = read_file(path2, foreign, sizeof foreign);
    write_file(path, foreign, (size_t)fn);
    expect_damaged(dir, ARCA_DEV_CERT_FILE);
    write_file(path, saved, (size_t)n);
    ASSERT_OK(arca__dev_platform.open(dir, &p));
    arca__dev_platform.close(p);
}

static void test_not_a_directory_and_empty_directory(void)
{
    char dir[PATH_MAX];
    arca__platform *p = NULL;
    fresh_dir(dir);
    write_file(dir, "x", 1);
    ASSERT_RESULT(arca__dev_platform.open(dir, &p), ARCA_ERR_PLATFORM_DAMAGED);
    ASSERT_CONTAINS(arca__error_detail(), "not a directory");
    unlink(dir);
    ASSERT_EQ(mkdir(dir, 0700), 0); /* an empty directory is initialised */
    ASSERT_OK(arca__dev_platform.open(dir, &p));
    ASSERT_TRUE(p->created);
    arca__dev_platform.close(p);
}

static void test_resolve_dir_order(void)
{
    char out[PATH_MAX];
    char *saved_env = getenv("ARCA_PLATFORM_DIR") ? strdup(getenv("ARCA_PLATFORM_DIR")) : NULL;
    char *saved_xdg = getenv("XDG_DATA_HOME") ? strdup(getenv("XDG_DATA_HOME")) : NULL;
    char *saved_home = getenv("HOME") ? strdup(getenv("HOME")) : NULL;
    setenv("ARCA_PLATFORM_DIR", "/env/dir/", 1);
    setenv("XDG_DATA_HOME", "/xdg", 1);
    setenv("HOME", "/home/u", 1);
    ASSERT_OK(arca__dev_resolve_dir("/explicit", out));
    ASSERT_STREQ(out, "/explicit");
    ASSERT_OK(arca__dev_resolve_dir(NULL, out));
    ASSERT_STREQ(out, "/env/dir");
    unsetenv("ARCA_PLATFORM_DIR");
    ASSERT_OK(arca__dev_resolve_dir(NULL, out));
    ASSERT_STREQ(out, "/xdg/arca/platform");
    setenv("XDG_DATA_HOME", "relative", 1); /* ignored, per the XDG spec */
    ASSERT_OK(arca__dev_resolve_dir(NULL, out));
    ASSERT_STREQ(out, "/home/u/.local/share/arca/platform");
    char longpath[PATH_MAX + 10];
    memset(longpath, 'a', sizeof longpath - 1);
    longpath[0] = '/';
    longpath[sizeof longpath - 1] = '\0';
    ASSERT_RESULT(arca__dev_resolve_dir(longpath, out), ARCA_ERR_PLATFORM);
    if (saved_env) setenv("ARCA_PLATFORM_DIR", saved_env, 1);
    if (saved_xdg) setenv("XDG_DATA_HOME", saved_xdg, 1); else unsetenv("XDG_DATA_HOME");
    if (saved_home) setenv("HOME", saved_home, 1);
    free(saved_env);
    free(saved_xdg);
    free(saved_home);
}

/* Several processes initialise the same directory at once: all end with one platform. */
static void test_concurrent_first_use(void)
{
    enum { N = 8 };
    char dir[PATH_MAX];
    int fds[2];
    pid_t pids[N];
    uint8_t ids[N][32];
    fresh_dir(dir);
    ASSERT_EQ(pipe(fds), 0);
    for (int i = 0; i < N; i++) {
        pids[i] = fork();
        ASSERT_TRUE(pids[i] >= 0);
        if (pids[i] == 0) {
            arca__platform *p = NULL;
            uint8_t msg[33] = {0};
            if (arca__dev_platform.open(dir, &p) == ARCA_OK) {
                msg[0] = (uint8_t)(1 + (p->created ? 1 : 0));
                memcpy(msg + 1, p->platform_id, 32);
                arca__dev_platform.close(p);
            } else {
                fprintf(stderr, "child: %s\n", arca__error_detail());
            }
            if (write(fds[1], msg, sizeof msg) != (ssize_t)sizeof msg)
                _exit(2);
            _exit(0);
        }
    }
    close(fds[1]);
    int creators = 0;
    for (int i = 0; i < N; i++) {
        uint8_t msg[33];
        ASSERT_EQ(read(fds[0], msg, sizeof msg), (long)sizeof msg);
        ASSERT_TRUE(msg[0] != 0); /* every process opened successfully */
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
    /* No temporary directory is left behind. */
    DIR *d = opendir(base);
    ASSERT_TRUE(d != NULL);
    struct dirent *e;
    int leftovers = 0;
    while ((e = readdir(d)) != NULL)
        leftovers += strstr(e->d_name, ".init-") != NULL;
    closedir(d);
    ASSERT_EQ(leftovers, 0);
}

static void test_evidence_is_signed_by_platform(void)
{
    char dir[PATH_MAX];
    arca__platform *p = NULL;
    arca_identity_t id = sample_identity();
    uint8_t rd[64], *ev = NULL;
    size_t len = 0;
    arca__evidence parsed;
    arca__ec_key *key = NULL;
    for (int i = 0; i < 64; i++)
        rd[i] = (uint8_t)(200 - i);
    id.attributes = ARCA_ATTR_DEBUG;
    id.protections = ARCA_PROT_NODUMP;
    uint8_t runtime[32];
    for (int i = 0; i < 32; i++)
        runtime[i] = (uint8_t)(0x33 ^ i);
    ASSERT_OK(arca__dev_platform.open(fresh_dir(dir), &p));
    ASSERT_OK(arca__dev_platform.evidence(p, &id, runtime, rd, &ev, &len));
    ASSERT_OK(arca__evidence_parse(ev, len, &parsed));
    ASSERT_TRUE(arca__identity_equal(&parsed.identity, &id));
    ASSERT_EQ(parsed.version, 2);
    ASSERT_MEMEQ(parsed.runtime_digest, runtime, 32);
    ASSERT_MEMEQ(ev + 208, runtime, 32); /* the documented offset */
    ASSERT_MEMEQ(parsed.report_data, rd, 64);
    ASSERT_EQ(parsed.platform_kind, ARCA_PLATFORM_DEV);
    ASSERT_MEMEQ(parsed.platform_id, p->platform_id, 32);
    ASSERT_EQ(parsed.cert_count, 1);
    ASSERT_EQ(parsed.cert_len[0], p->cert_len);
    ASSERT_MEMEQ(parsed.cert[0], p->cert_der, p->cert_len);
    ASSERT_TRUE(parsed.timestamp_ns > 1600000000ull * 1000000000ull);
    const unsigned char *q = parsed.cert[0];
    X509 *x = d2i_X509(NULL, &q, (long)parsed.cert_len[0]);
    ASSERT_TRUE(x != NULL);
    ASSERT_OK(arca__ec_from_evp(X509_get0_pubkey(x), &key));
    X509_free(x);
    ASSERT_OK(arca__ec_verify(key, ev, parsed.signed_len, parsed.signature));
    ev[20] ^= 1;
    ASSERT_RESULT(arca__ec_verify(key, ev, parsed.signed_len, parsed.signature), ARCA_ERR_BAD_SIGNATURE);
    arca__ec_free(key);
    free(ev);
    arca__dev_platform.close(p);
}

/* Sim and isolating backends never share a key; isolating backends keep the derivation they
 * had before the class entered it (their sealed data stays readable), which this pins. */
static void test_isolation_class_separates_keys(void)
{
    char dir[PATH_MAX], path[PATH_MAX];
    arca__platform *p = NULL;
    uint8_t root[32], info[64], expect[32];
    ASSERT_OK(arca__dev_platform.open(fresh_dir(dir), &p));
    snprintf(path, sizeof path, "%s/%s", dir, ARCA_DEV_ROOT_FILE);
    ASSERT_EQ(read_file(path, root, sizeof root), 32);
    for (int debug = 0; debug < 2; debug++) {
        struct arca__enclave_keys sim, proc, other;
        arca_identity_t id = sample_identity();
        id.attributes = debug ? ARCA_ATTR_DEBUG : 0;
        ASSERT_OK(arca__dev_platform.derive_keys(p, &id, &sim));
        id.backend = ARCA_BACKEND_ID_PROCESS;
        ASSERT_OK(arca__dev_platform.derive_keys(p, &id, &proc));
        ASSERT_TRUE(memcmp(sim.enclave_key, proc.enclave_key, 32) != 0);
        ASSERT_TRUE(memcmp(sim.signer_key, proc.signer_key, 32) != 0);
        static const uint16_t isolating[] = {ARCA_BACKEND_ID_SGX, ARCA_BACKEND_ID_CVM};
        for (size_t i = 0; i < 2; i++) {
            id.backend = isolating[i];
            ASSERT_OK(arca__dev_platform.derive_keys(p, &id, &other));
            ASSERT_MEMEQ(&other, &proc, sizeof other);
        }
        /* ENCLAVE keys, recomputed from the root: the labels of each class (docs/formats.md). */
        size_t n = strlen("arca seal enclave v1");
        memcpy(info, "arca seal enclave v1", n);
        memcpy(info + n, id.measurement, 32);
        info[n + 32] = (uint8_t)debug;
        ASSERT_OK(arca__hkdf_sha256(NULL, 0, root, 32, info, n + 33, expect, 32));
        ASSERT_MEMEQ(proc.enclave_key, expect, 32);
        n = strlen("arca seal enclave sim v1");
        memcpy(info, "arca seal enclave sim v1", n);
        memcpy(info + n, id.measurement, 32);
        info[n + 32] = (uint8_t)debug;
        ASSERT_OK(arca__hkdf_sha256(NULL, 0, root, 32, info, n + 33, expect, 32));
        ASSERT_MEMEQ(sim.enclave_key, expect, 32);
    }
    arca__wipe(root, sizeof root);
    arca__dev_platform.close(p);
}

/* Open must fail with ARCA_ERR_PERMISSION and a detail holding every needle. */
static void expect_refused(const char *dir, const char *n1, const char *n2, const char *n3)
{
    arca__platform *p = NULL;
    ASSERT_RESULT(arca__dev_platform.open(dir, &p), ARCA_ERR_PERMISSION);
    ASSERT_TRUE(p == NULL);
    ASSERT_CONTAINS(arca__error_detail(), n1);
    ASSERT_CONTAINS(arca__error_detail(), n2);
    ASSERT_CONTAINS(arca__error_detail(), n3);
}

/* The key directory is used only while it and its files are the effective user's, private,
 * and not symbolic links (issue 11, item 5). */
static void test_key_directory_must_be_private(void)
{
    char dir[PATH_MAX], path[PATH_MAX], link[PATH_MAX], elsewhere[PATH_MAX];
    arca__platform *p = NULL;
    struct arca__enclave_keys keys;
    arca_identity_t id = sample_identity();
    ASSERT_OK(arca__dev_platform.open(fresh_dir(dir), &p));
    arca__dev_platform.close(p);

    /* The directory: group or other bits. */
    ASSERT_EQ(chmod(dir, 0755), 0);
    expect_refused(dir, dir, "mode 0755", "chmod 700");
    ASSERT_EQ(chmod(dir, 0710), 0);
    expect_refused(dir, dir, "mode 0710", "chmod 700");
    ASSERT_EQ(chmod(dir, 0700), 0);
    ASSERT_OK(arca__dev_platform.open(dir, &p));
    arca__dev_platform.close(p);

    /* Each file: group or other bits. */
    const char *files[] = {ARCA_DEV_ROOT_FILE, ARCA_DEV_KEY_FILE, ARCA_DEV_CERT_FILE};
    for (int i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        ASSERT_EQ(chmod(path, 0644), 0);
        expect_refused(dir, path, "mode 0644", "chmod 600");
        ASSERT_EQ(chmod(path, 0640), 0);
        expect_refused(dir, path, "mode 0640", "chmod 600");
        ASSERT_EQ(chmod(path, 0600), 0);
    }
    ASSERT_OK(arca__dev_platform.open(dir, &p));

    /* A chmod after open is seen on the next read: the check is on the descriptors. */
    ASSERT_EQ(chmod(dir, 0750), 0);
    ASSERT_RESULT(arca__dev_platform.derive_keys(p, &id, &keys), ARCA_ERR_PERMISSION);
    ASSERT_EQ(chmod(dir, 0700), 0);
    snprintf(path, sizeof path, "%s/%s", dir, ARCA_DEV_KEY_FILE);
    ASSERT_EQ(chmod(path, 0604), 0);
    uint8_t rd[64] = {0}, *ev = NULL;
    size_t len = 0;
    ASSERT_RESULT(arca__dev_platform.evidence(p, &id, no_runtime, rd, &ev, &len), ARCA_ERR_PERMISSION);
    ASSERT_TRUE(ev == NULL);
    ASSERT_EQ(chmod(path, 0600), 0);
    ASSERT_OK(arca__dev_platform.derive_keys(p, &id, &keys));
    arca__dev_platform.close(p);

    /* A symbolic link planted for a key file, even to a private file of the same user. */
    char other[PATH_MAX];
    ASSERT_OK(arca__dev_platform.open(fresh_dir(other), &p));
    arca__dev_platform.close(p);
    for (int i = 0; i < 3; i++) {
        char saved[PATH_MAX];
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        snprintf(saved, sizeof saved, "%s/%s.saved", dir, files[i]);
        snprintf(elsewhere, sizeof elsewhere, "%s/%s", other, files[i]);
        ASSERT_EQ(rename(path, saved), 0);
        ASSERT_EQ(symlink(elsewhere, path), 0);
        expect_refused(dir, path, "symbolic link", "restore the file");
        ASSERT_EQ(unlink(path), 0);
        ASSERT_EQ(rename(saved, path), 0);
    }
    ASSERT_OK(arca__dev_platform.open(dir, &p));
    arca__dev_platform.close(p);

    /* The directory itself as a symbolic link; and never created through one. */
    snprintf(link, sizeof link, "%s/link-to-platform", base);
    ASSERT_EQ(symlink(dir, link), 0);
    expect_refused(link, link, "symbolic link", "ARCA_PLATFORM_DIR");
    char empty[PATH_MAX], dangling[PATH_MAX];
    ASSERT_EQ(mkdir(fresh_dir(empty), 0700), 0);
    snprintf(dangling, sizeof dangling, "%s/link-to-empty", base);
    ASSERT_EQ(symlink(empty, dangling), 0);
    expect_refused(dangling, dangling, "symbolic link", "ARCA_PLATFORM_DIR");
    struct stat st;
    ASSERT_EQ(stat(empty, &st), 0);
    ASSERT_EQ(st.st_nlink, 2); /* still empty: nothing was created behind the link */

    /* Another owner. As root, a directory and a file handed to uid 65534; as another user, a
     * directory root owns. */
    if (geteuid() == 0) {
        char theirs[PATH_MAX];
        ASSERT_OK(arca__dev_platform.open(fresh_dir(theirs), &p));
        arca__dev_platform.close(p);
        ASSERT_EQ(chown(theirs, 65534, 65534), 0);
        expect_refused(theirs, theirs, "belongs to uid 65534", "arca platform init");
        ASSERT_CONTAINS(arca__error_detail(), "not to you (uid 0)");
        ASSERT_EQ(chown(theirs, 0, 0), 0);
        snprintf(path, sizeof path, "%s/%s", theirs, ARCA_DEV_ROOT_FILE);
        ASSERT_EQ(chown(path, 65534, 65534), 0);
        expect_refused(theirs, path, "belongs to uid 65534", "arca platform init");
    } else {
        expect_refused("/", "/", "belongs to uid 0", "arca platform init");
    }
}

int main(void)
{
    if (!test_make_scratch_dir(base, sizeof base, "test-platform"))
        return 1;
    RUN(test_first_use_creates_private_directory);
    RUN(test_platform_object_holds_no_root_secret);
    RUN(test_certificate_is_marked_dev_and_id_is_spki_hash);
    RUN(test_reopen_gives_same_platform_and_keys);
    RUN(test_different_platforms_have_different_keys);
    RUN(test_key_derivation_rules);
    RUN(test_svn_keys_inside_equal_platform);
    RUN(test_damaged_root_is_reported_not_regenerated);
    RUN(test_damaged_key_and_cert_are_reported);
    RUN(test_not_a_directory_and_empty_directory);
    RUN(test_resolve_dir_order);
    RUN(test_concurrent_first_use);
    RUN(test_evidence_is_signed_by_platform);
    RUN(test_isolation_class_separates_keys);
    RUN(test_key_directory_must_be_private);
    test_remove_scratch_dir(base);
    return TEST_SUMMARY();
}
