/*
 * test_counters.c — the platforms' monotonic counter store (src/platform/counters.c) and the
 * dev platform's counter op: create / increment / read and their refusals (EXISTS, NOT_FOUND,
 * QUOTA, OVERFLOW, bad requests), scoping by policy (ENCLAVE: the measurement; SIGNER: signer
 * and product across SVNs; never across debug or isolation class), durability across close
 * and reopen, exact totals from concurrent threads, connections and processes, concurrent
 * first use, and the file rules: created 0600 whatever the umask, refused as a symbolic
 * link, with group/other bits, of another owner, or when it is not this store's database
 * (named in the message and left as it was).
 * The database is written behind the store's back with SQLite itself, to damage it and to put
 * a counter near 2^64.
 */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wformat-truncation" /* test paths are short */
#endif
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "arca/seal.h"
#include "base/error.h"
#include "platform/counters.h"
#include "platform/dev/dev_internal.h"
#include "test.h"

static char base[PATH_MAX];
static int dirs;

/* A fresh, existing, private directory under the test's scratch dir. */
static const char *fresh_dir(char out[PATH_MAX])
{
    snprintf(out, PATH_MAX, "%s/d%d", base, dirs++);
    if (mkdir(out, 0700) != 0)
        perror(out);
    return out;
}

static void db_path(char out[PATH_MAX], const char *dir)
{
    snprintf(out, PATH_MAX, "%s/%s", dir, ARCA_COUNTER_DB_FILE);
}

/* An identity: measurement filled with m, signer id with s. */
static arca_identity_t ident(uint8_t m, uint8_t s, uint16_t product, uint16_t backend)
{
    arca_identity_t id;
    memset(&id, 0, sizeof id);
    memset(id.measurement, m, sizeof id.measurement);
    memset(id.signer_id, s, sizeof id.signer_id);
    id.product_id = product;
    id.svn = 1;
    id.backend = backend;
    if (backend == ARCA_BACKEND_ID_PROCESS)
        id.protections = ARCA_PROT_SEPARATE_PROCESS | ARCA_PROT_SECCOMP;
    return id;
}

static arca__pw_counter req(uint8_t action, uint8_t policy, const char *name)
{
    arca__pw_counter c;
    memset(&c, 0, sizeof c);
    c.action = action;
    c.policy = policy;
    snprintf(c.name, sizeof c.name, "%s", name);
    return c;
}

#define UID 1000u

static arca_result_t op(arca__counter_store *s, const arca_identity_t *id, uint8_t action,
                        uint8_t policy, const char *name, uint64_t *value)
{
    arca__pw_counter c = req(action, policy, name);
    return arca__counter_store_apply(s, id, UID, &c, value);
}

#define CREATE(s, id, pol, name, v) op(s, id, ARCA__PW_COUNTER_CREATE, pol, name, v)
#define INC(s, id, pol, name, v) op(s, id, ARCA__PW_COUNTER_INCREMENT, pol, name, v)
#define READ(s, id, pol, name, v) op(s, id, ARCA__PW_COUNTER_READ, pol, name, v)

/* Run SQL on the database file directly (what someone with the file could do). */
static int sql(const char *path, const char *statement)
{
    sqlite3 *db = NULL;
    char *err = NULL;
    int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_busy_timeout(db, 10000);
        rc = sqlite3_exec(db, statement, NULL, NULL, &err);
    }
    if (rc != SQLITE_OK)
        fprintf(stderr, "  sql(%s): %s\n", statement, err ? err : sqlite3_errstr(rc));
    sqlite3_free(err);
    sqlite3_close(db);
    return rc;
}

static int read_file(const char *path, char *buf, size_t cap, size_t *len)
{
    int fd = open(path, O_RDONLY);
    ssize_t n = fd >= 0 ? read(fd, buf, cap) : -1;
    if (fd >= 0)
        close(fd);
    *len = n > 0 ? (size_t)n : 0;
    return n >= 0;
}

/* ------------------------------------------------------------------ the operations */

static void test_create_increment_read(void)
{
    char dir[PATH_MAX], path[PATH_MAX];
    arca__counter_store *s = NULL;
    arca_identity_t a = ident(1, 2, 1, ARCA_BACKEND_ID_PROCESS);
    uint64_t v = 99;
    struct stat st;

    ASSERT_OK(arca__counter_store_open(fresh_dir(dir), 0, &s));
    ASSERT_OK(CREATE(s, &a, ARCA_SEAL_ENCLAVE, "a", &v));
    ASSERT_UEQ(v, 0);
    ASSERT_OK(READ(s, &a, ARCA_SEAL_ENCLAVE, "a", &v));
    ASSERT_UEQ(v, 0);
    for (uint64_t i = 1; i <= 5; i++) {
        ASSERT_OK(INC(s, &a, ARCA_SEAL_ENCLAVE, "a", &v));
        ASSERT_UEQ(v, i);
    }
    ASSERT_OK(READ(s, &a, ARCA_SEAL_ENCLAVE, "a", &v));
    ASSERT_UEQ(v, 5);
    ASSERT_UEQ(arca__counter_store_count(s, UID), 1);
    ASSERT_UEQ(arca__counter_store_count(s, UID + 1), 0);
    ASSERT_UEQ(arca__counter_store_count(NULL, UID), 0);
    /* WAL mode, and every file private */
    db_path(path, dir);
    ASSERT_EQ(stat(path, &st), 0);
    ASSERT_EQ(st.st_mode & 07777, 0600);
    snprintf(path, sizeof path, "%s/%s-wal", dir, ARCA_COUNTER_DB_FILE);
    ASSERT_EQ(stat(path, &st), 0);
    ASSERT_EQ(st.st_mode & 077, 0);
    arca__counter_store_close(s);
    arca__counter_store_close(NULL);
}

static void test_exists_and_not_found(void)
{
    char dir[PATH_MAX];
    arca__counter_store *s = NULL;
    arca_identity_t a = ident(1, 2, 1, ARCA_BACKEND_ID_PROCESS);
    uint64_t v = 0;

    ASSERT_OK(arca__counter_store_open(fresh_dir(dir), 0, &s));
    ASSERT_OK(CREATE(s, &a, ARCA_SEAL_SIGNER, "c", &v));
    ASSERT_OK(INC(s, &a, ARCA_SEAL_SIGNER, "c", &v));
    ASSERT_OK(INC(s, &a, ARCA_SEAL_SIGNER, "c", &v));
    v = 77;
    ASSERT_RESULT(CREATE(s, &a, ARCA_SEAL_SIGNER, "c", &v), ARCA_ERR_EXISTS);
    ASSERT_CONTAINS(arca__error_detail(), "'c' exists already");
    ASSERT_UEQ(v, 77); /* no output on failure */
    ASSERT_OK(READ(s, &a, ARCA_SEAL_SIGNER, "c", &v));
    ASSERT_UEQ(v, 2); /* a second create does not reset it */
    ASSERT_RESULT(INC(s, &a, ARCA_SEAL_SIGNER, "missing", &v), ARCA_ERR_NOT_FOUND);
    ASSERT_CONTAINS(arca__error_detail(), "create it first");
    ASSERT_RESULT(READ(s, &a, ARCA_SEAL_SIGNER, "missing", &v), ARCA_ERR_NOT_FOUND);
    ASSERT_UEQ(v, 2);
    ASSERT_UEQ(arca__counter_store_count(s, UID), 1); /* a refused create adds nothing */
    arca__counter_store_close(s);
}

static void test_quota_per_owner(void)
{
    char dir[PATH_MAX];
    arca__counter_store *s = NULL;
    arca_identity_t a = ident(1, 2, 1, ARCA_BACKEND_ID_PROCESS);
    arca__pw_counter c;
    uint64_t v = 0;

    ASSERT_OK(arca__counter_store_open(fresh_dir(dir), 3, &s));
    ASSERT_OK(CREATE(s, &a, ARCA_SEAL_ENCLAVE, "q1", &v));
    ASSERT_OK(CREATE(s, &a, ARCA_SEAL_SIGNER, "q2", &v));
    ASSERT_OK(CREATE(s, &a, ARCA_SEAL_ENCLAVE, "q3", &v));
    ASSERT_RESULT(CREATE(s, &a, ARCA_SEAL_ENCLAVE, "q4", &v), ARCA_ERR_QUOTA);
    ASSERT_CONTAINS(arca__error_detail(), "uid 1000 has 3 counters");
    ASSERT_RESULT(READ(s, &a, ARCA_SEAL_ENCLAVE, "q4", &v), ARCA_ERR_NOT_FOUND);
    /* the quota counts per owner: another user still may */
    c = req(ARCA__PW_COUNTER_CREATE, ARCA_SEAL_ENCLAVE, "q4");
    ASSERT_OK(arca__counter_store_apply(s, &a, UID + 1, &c, &v));
    /* ... and that counter is the enclave's, whoever created it */
    ASSERT_OK(INC(s, &a, ARCA_SEAL_ENCLAVE, "q4", &v));
    ASSERT_UEQ(v, 1);
    ASSERT_UEQ(arca__counter_store_count(s, UID), 3);
    ASSERT_UEQ(arca__counter_store_count(s, UID + 1), 1);
    /* increments and reads are not limited by the quota */
    ASSERT_OK(INC(s, &a, ARCA_SEAL_ENCLAVE, "q1", &v));
    arca__counter_store_close(s);
    /* the quota is the opener's setting: the default allows more */
    ASSERT_OK(arca__counter_store_open(dir, 0, &s));
    ASSERT_OK(CREATE(s, &a, ARCA_SEAL_ENCLAVE, "q5", &v));
    ASSERT_UEQ(arca__counter_store_count(s, UID), 4);
    arca__counter_store_close(s);
}

static void test_overflow_at_the_top(void)
{
    char dir[PATH_MAX], path[PATH_MAX];
    arca__counter_store *s = NULL;
    arca_identity_t a = ident(1, 2, 1, ARCA_BACKEND_ID_PROCESS);
    uint64_t v = 0;

    ASSERT_OK(arca__counter_store_open(fresh_dir(dir), 0, &s));
    ASSERT_OK(CREATE(s, &a, ARCA_SEAL_ENCLAVE, "top", &v));
    ASSERT_OK(CREATE(s, &a, ARCA_SEAL_ENCLAVE, "mid", &v));
    db_path(path, dir);
    /* 2^64 - 2 and 2^63 - 1, as the store keeps them (the u64's bits as a signed integer) */
    ASSERT_EQ(sql(path, "UPDATE counters SET value = -2 WHERE name = 'top';"
                        "UPDATE counters SET value = 9223372036854775807 WHERE name = 'mid'"),
              SQLITE_OK);
    ASSERT_OK(INC(s, &a, ARCA_SEAL_ENCLAVE, "mid", &v));
    ASSERT_UEQ(v, UINT64_C(9223372036854775808));
    ASSERT_OK(READ(s, &a, ARCA_SEAL_ENCLAVE, "mid", &v));
    ASSERT_UEQ(v, UINT64_C(9223372036854775808));
    ASSERT_OK(INC(s, &a, ARCA_SEAL_ENCLAVE, "top", &v));
    ASSERT_UEQ(v, UINT64_MAX);
    ASSERT_RESULT(INC(s, &a, ARCA_SEAL_ENCLAVE, "top", &v), ARCA_ERR_OVERFLOW);
    ASSERT_CONTAINS(arca__error_detail(), "largest value");
    ASSERT_OK(READ(s, &a, ARCA_SEAL_ENCLAVE, "top", &v));
    ASSERT_UEQ(v, UINT64_MAX); /* never wraps to 0 */
    arca__counter_store_close(s);
}

/* ------------------------------------------------------------------ scoping */

static void test_policy_scoping(void)
{
    char dir[PATH_MAX];
    arca__counter_store *s = NULL;
    uint64_t v = 0;
    const arca_identity_t a = ident(1, 2, 1, ARCA_BACKEND_ID_PROCESS);
    arca_identity_t other_measurement = ident(9, 2, 1, ARCA_BACKEND_ID_PROCESS);
    arca_identity_t svn2 = a, other_signer = ident(1, 3, 1, ARCA_BACKEND_ID_PROCESS);
    arca_identity_t other_product = ident(1, 2, 2, ARCA_BACKEND_ID_PROCESS);
    arca_identity_t debug = a, on_sim = ident(1, 2, 1, ARCA_BACKEND_ID_SIM);
    arca_identity_t other_protections = a, on_cvm = a, none = a;
    svn2.svn = 2;
    debug.attributes |= ARCA_ATTR_DEBUG;
    other_protections.protections = ARCA_PROT_SEPARATE_PROCESS | ARCA_PROT_LANDLOCK;
    other_protections.attributes |= ARCA_ATTR_SWITCHLESS;
    on_cvm.backend = ARCA_BACKEND_ID_CVM;
    none.backend = ARCA_BACKEND_ID_NONE;

    ASSERT_OK(arca__counter_store_open(fresh_dir(dir), 0, &s));
    /* ENCLAVE: this measurement only */
    ASSERT_OK(CREATE(s, &a, ARCA_SEAL_ENCLAVE, "e", &v));
    ASSERT_OK(INC(s, &a, ARCA_SEAL_ENCLAVE, "e", &v));
    ASSERT_RESULT(READ(s, &other_measurement, ARCA_SEAL_ENCLAVE, "e", &v), ARCA_ERR_NOT_FOUND);
    ASSERT_RESULT(READ(s, &debug, ARCA_SEAL_ENCLAVE, "e", &v), ARCA_ERR_NOT_FOUND);
    ASSERT_RESULT(READ(s, &on_sim, ARCA_SEAL_ENCLAVE, "e", &v), ARCA_ERR_NOT_FOUND);
    ASSERT_RESULT(READ(s, &a, ARCA_SEAL_SIGNER, "e", &v), ARCA_ERR_NOT_FOUND); /* other policy */
    ASSERT_OK(READ(s, &svn2, ARCA_SEAL_ENCLAVE, "e", &v)); /* same measurement */
    ASSERT_UEQ(v, 1);
    ASSERT_OK(READ(s, &other_signer, ARCA_SEAL_ENCLAVE, "e", &v)); /* as ENCLAVE sealing */
    ASSERT_UEQ(v, 1);

    /* SIGNER: signer + product, any SVN and measurement */
    ASSERT_OK(CREATE(s, &a, ARCA_SEAL_SIGNER, "s", &v));
    ASSERT_OK(INC(s, &a, ARCA_SEAL_SIGNER, "s", &v));
    ASSERT_OK(INC(s, &other_measurement, ARCA_SEAL_SIGNER, "s", &v));
    ASSERT_UEQ(v, 2);
    ASSERT_OK(INC(s, &svn2, ARCA_SEAL_SIGNER, "s", &v));
    ASSERT_UEQ(v, 3);
    ASSERT_OK(READ(s, &a, ARCA_SEAL_SIGNER, "s", &v));
    ASSERT_UEQ(v, 3);
    ASSERT_RESULT(CREATE(s, &other_measurement, ARCA_SEAL_SIGNER, "s", &v), ARCA_ERR_EXISTS);
    ASSERT_RESULT(READ(s, &other_signer, ARCA_SEAL_SIGNER, "s", &v), ARCA_ERR_NOT_FOUND);
    ASSERT_RESULT(READ(s, &other_product, ARCA_SEAL_SIGNER, "s", &v), ARCA_ERR_NOT_FOUND);
    ASSERT_RESULT(READ(s, &debug, ARCA_SEAL_SIGNER, "s", &v), ARCA_ERR_NOT_FOUND);
    ASSERT_RESULT(READ(s, &on_sim, ARCA_SEAL_SIGNER, "s", &v), ARCA_ERR_NOT_FOUND);

    /* what is not identity does not separate: protections, switchless, which isolating backend */
    ASSERT_OK(READ(s, &other_protections, ARCA_SEAL_SIGNER, "s", &v));
    ASSERT_UEQ(v, 3);
    ASSERT_OK(READ(s, &on_cvm, ARCA_SEAL_ENCLAVE, "e", &v));
    ASSERT_UEQ(v, 1);

    /* the same name under the other policy, and sim's own counter, are separate counters */
    ASSERT_OK(CREATE(s, &a, ARCA_SEAL_ENCLAVE, "s", &v));
    ASSERT_OK(READ(s, &a, ARCA_SEAL_ENCLAVE, "s", &v));
    ASSERT_UEQ(v, 0);
    ASSERT_OK(CREATE(s, &on_sim, ARCA_SEAL_SIGNER, "s", &v));
    ASSERT_OK(READ(s, &a, ARCA_SEAL_SIGNER, "s", &v));
    ASSERT_UEQ(v, 3);

    /* an identity without a backend has no counters */
    ASSERT_RESULT(CREATE(s, &none, ARCA_SEAL_SIGNER, "n", &v), ARCA_ERR_INVALID_ARGUMENT);
    arca__counter_store_close(s);
}

/* ------------------------------------------------------------------ bad requests */

static void test_bad_requests_refused(void)
{
    char dir[PATH_MAX];
    arca__counter_store *s = NULL;
    arca_identity_t a = ident(1, 2, 1, ARCA_BACKEND_ID_PROCESS);
    arca__pw_counter c;
    uint64_t v = 5;
    static const char *const bad[] = {"", "a b", "a/b", "../x", "a\tb", "\xc3\xa9t\xc3\xa9",
                                      "x;DROP TABLE counters", "'", "%s"};
    const char *good64 = "0123456789012345678901234567890123456789012345678901234567890123";

    ASSERT_OK(arca__counter_store_open(fresh_dir(dir), 0, &s));
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        memset(&c, 0, sizeof c);
        c.action = ARCA__PW_COUNTER_CREATE;
        c.policy = ARCA_SEAL_ENCLAVE;
        memcpy(c.name, bad[i], strlen(bad[i]));
        ASSERT_RESULT(arca__counter_store_apply(s, &a, UID, &c, &v), ARCA_ERR_INVALID_ARGUMENT);
        ASSERT_CONTAINS(arca__error_detail(), "A-Z a-z 0-9 . _ -");
        ASSERT_UEQ(v, 5);
    }
    /* 65 bytes: the name fills its field, without a terminator */
    memset(&c, 'a', sizeof c);
    c.action = ARCA__PW_COUNTER_CREATE;
    c.policy = ARCA_SEAL_ENCLAVE;
    ASSERT_RESULT(arca__counter_store_apply(s, &a, UID, &c, &v), ARCA_ERR_INVALID_ARGUMENT);
    /* actions and policies outside the protocol */
    ASSERT_RESULT(op(s, &a, 0, ARCA_SEAL_ENCLAVE, "x", &v), ARCA_ERR_INVALID_ARGUMENT);
    ASSERT_RESULT(op(s, &a, 4, ARCA_SEAL_ENCLAVE, "x", &v), ARCA_ERR_INVALID_ARGUMENT);
    ASSERT_RESULT(op(s, &a, ARCA__PW_COUNTER_CREATE, 0, "x", &v), ARCA_ERR_INVALID_ARGUMENT);
    ASSERT_RESULT(op(s, &a, ARCA__PW_COUNTER_CREATE, 3, "x", &v), ARCA_ERR_INVALID_ARGUMENT);
    ASSERT_RESULT(arca__counter_store_apply(s, &a, UID, NULL, &v), ARCA_ERR_INVALID_ARGUMENT);
    c = req(ARCA__PW_COUNTER_CREATE, ARCA_SEAL_ENCLAVE, "x");
    ASSERT_RESULT(arca__counter_store_apply(s, NULL, UID, &c, &v), ARCA_ERR_INVALID_ARGUMENT);
    ASSERT_RESULT(arca__counter_store_apply(s, &a, UID, &c, NULL), ARCA_ERR_INVALID_ARGUMENT);
    ASSERT_RESULT(arca__counter_store_apply(NULL, &a, UID, &c, &v), ARCA_ERR_INVALID_ARGUMENT);
    ASSERT_UEQ(arca__counter_store_count(s, UID), 0); /* nothing was created */
    /* the longest name and every allowed byte */
    ASSERT_OK(CREATE(s, &a, ARCA_SEAL_ENCLAVE, good64, &v));
    ASSERT_OK(CREATE(s, &a, ARCA_SEAL_ENCLAVE, "AZaz09._-", &v));
    ASSERT_OK(INC(s, &a, ARCA_SEAL_ENCLAVE, good64, &v));
    ASSERT_UEQ(v, 1);
    /* names are exact: case and length matter */
    ASSERT_RESULT(READ(s, &a, ARCA_SEAL_ENCLAVE, "azAZ09._-", &v), ARCA_ERR_NOT_FOUND);
    ASSERT_RESULT(READ(s, &a, ARCA_SEAL_ENCLAVE, "AZaz09._", &v), ARCA_ERR_NOT_FOUND);
    arca__counter_store_close(s);
    ASSERT_RESULT(arca__counter_store_open(NULL, 0, &s), ARCA_ERR_INVALID_ARGUMENT);
}

/* ------------------------------------------------------------------ the file */

/* Open must fail with @p expected and name @p path; the file's bytes stay as they were. */
static void expect_refused(const char *dir, arca_result_t expected, const char *hint)
{
    char path[PATH_MAX], before[4096], after[4096];
    size_t n_before = 0, n_after = 0;
    arca__counter_store *s = (arca__counter_store *)1;
    struct stat st;
    db_path(path, dir);
    int regular = lstat(path, &st) == 0 && S_ISREG(st.st_mode);
    if (regular)
        ASSERT_TRUE(read_file(path, before, sizeof before, &n_before));
    ASSERT_RESULT(arca__counter_store_open(dir, 0, &s), expected);
    ASSERT_TRUE(s == NULL);
    ASSERT_CONTAINS(arca__error_detail(), path);
    ASSERT_CONTAINS(arca__error_detail(), hint);
    if (regular) {
        ASSERT_TRUE(read_file(path, after, sizeof after, &n_after));
        ASSERT_UEQ(n_after, n_before);
        ASSERT_MEMEQ(after, before, n_before);
    }
}

static void test_damaged_database_refused(void)
{
    char dir[PATH_MAX], path[PATH_MAX];
    arca__counter_store *s = NULL;
    arca_identity_t a = ident(1, 2, 1, ARCA_BACKEND_ID_PROCESS);
    uint64_t v = 0;
    static const char garbage[] = "this is not an SQLite database, but it is long enough to have "
                                  "a header of one: it must be reported, never replaced ......";

    /* not SQLite at all */
    db_path(path, fresh_dir(dir));
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    ASSERT_TRUE(fd >= 0);
    ASSERT_EQ(write(fd, garbage, sizeof garbage), (ssize_t)sizeof garbage);
    close(fd);
    expect_refused(dir, ARCA_ERR_PLATFORM_DAMAGED, "restore it from a backup");
    ASSERT_CONTAINS(arca__error_detail(), "Do not delete it");

    /* an SQLite database of something else */
    db_path(path, fresh_dir(dir));
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    ASSERT_TRUE(fd >= 0);
    close(fd);
    ASSERT_EQ(sql(path, "CREATE TABLE notes (t TEXT); INSERT INTO notes VALUES ('mine')"), SQLITE_OK);
    expect_refused(dir, ARCA_ERR_PLATFORM_DAMAGED, "database of something else");
    ASSERT_EQ(sql(path, "PRAGMA application_id = 7"), SQLITE_OK);
    expect_refused(dir, ARCA_ERR_PLATFORM_DAMAGED, "not an Arca counter database");

    /* ours, but a newer schema; ours, but the table is gone */
    ASSERT_OK(arca__counter_store_open(fresh_dir(dir), 0, &s));
    ASSERT_OK(CREATE(s, &a, ARCA_SEAL_ENCLAVE, "kept", &v));
    arca__counter_store_close(s);
    db_path(path, dir);
    ASSERT_EQ(sql(path, "PRAGMA user_version = 2"), SQLITE_OK);
    expect_refused(dir, ARCA_ERR_PLATFORM_DAMAGED, "schema version 2");
    ASSERT_EQ(sql(path, "PRAGMA user_version = 1"), SQLITE_OK);
    ASSERT_OK(arca__counter_store_open(dir, 0, &s)); /* as it was: fine again */
    ASSERT_OK(READ(s, &a, ARCA_SEAL_ENCLAVE, "kept", &v));
    arca__counter_store_close(s);
    ASSERT_EQ(sql(path, "DROP TABLE counters"), SQLITE_OK);
    expect_refused(dir, ARCA_ERR_PLATFORM_DAMAGED, "does not hold the counter table");

    /* a directory where the file should be */
    db_path(path, fresh_dir(dir));
    ASSERT_EQ(mkdir(path, 0700), 0);
    expect_refused(dir, ARCA_ERR_PLATFORM_DAMAGED, "not a regular file");

    /* damaged pages: a valid store whose table page is overwritten */
    ASSERT_OK(arca__counter_store_open(fresh_dir(dir), 0, &s));
    ASSERT_OK(CREATE(s, &a, ARCA_SEAL_ENCLAVE, "p", &v));
    arca__counter_store_close(s); /* the last connection checkpoints the WAL into the file */
    db_path(path, dir);
    struct stat st;
    ASSERT_EQ(stat(path, &st), 0);
    ASSERT_TRUE(st.st_size >= 8192);
    fd = open(path, O_WRONLY);
    ASSERT_TRUE(fd >= 0);
    char junk[4096];
    memset(junk, 0xA5, sizeof junk);
    for (off_t at = 4096; at < st.st_size; at += 4096) /* every page but the header's */
        ASSERT_EQ(pwrite(fd, junk, sizeof junk, at), (ssize_t)sizeof junk);
    close(fd);
    s = NULL;
    arca_result_t r = arca__counter_store_open(dir, 0, &s);
    if (r == ARCA_OK) /* the damage may show only when the page is read */
        r = READ(s, &a, ARCA_SEAL_ENCLAVE, "p", &v);
    ASSERT_RESULT(r, ARCA_ERR_PLATFORM_DAMAGED);
    ASSERT_CONTAINS(arca__error_detail(), path);
    arca__counter_store_close(s);
}

static void test_file_rules(void)
{
    char dir[PATH_MAX], path[PATH_MAX], target[PATH_MAX];
    arca__counter_store *s = NULL;
    struct stat st;

    /* created 0600 even under umask 0 */
    mode_t old = umask(0);
    ASSERT_OK(arca__counter_store_open(fresh_dir(dir), 0, &s));
    umask(old);
    arca__counter_store_close(s);
    db_path(path, dir);
    ASSERT_EQ(stat(path, &st), 0);
    ASSERT_EQ(st.st_mode & 07777, 0600);
    ASSERT_EQ(st.st_uid, geteuid());

    /* group or other bits */
    ASSERT_EQ(chmod(path, 0640), 0);
    expect_refused(dir, ARCA_ERR_PERMISSION, "chmod 600");
    ASSERT_EQ(chmod(path, 0604), 0);
    expect_refused(dir, ARCA_ERR_PERMISSION, "mode 0604");
    ASSERT_EQ(chmod(path, 0600), 0);
    ASSERT_OK(arca__counter_store_open(dir, 0, &s));
    arca__counter_store_close(s);

    /* a symbolic link, to a valid database or to nothing: refused, nothing created */
    snprintf(target, sizeof target, "%s", path);
    db_path(path, fresh_dir(dir));
    ASSERT_EQ(symlink(target, path), 0);
    expect_refused(dir, ARCA_ERR_PERMISSION, "symbolic link");
    db_path(path, fresh_dir(dir));
    snprintf(target, sizeof target, "%s/elsewhere.db", dir);
    ASSERT_EQ(symlink(target, path), 0);
    expect_refused(dir, ARCA_ERR_PERMISSION, "symbolic link");
    ASSERT_EQ(access(target, F_OK), -1); /* the link was not followed to create a file */

    /* another owner (as root: a file handed to uid 65534; others cannot make one) */
    if (geteuid() == 0) {
        ASSERT_OK(arca__counter_store_open(fresh_dir(dir), 0, &s));
        arca__counter_store_close(s);
        db_path(path, dir);
        ASSERT_EQ(chown(path, 65534, 65534), 0);
        expect_refused(dir, ARCA_ERR_PERMISSION, "belongs to uid 65534");
    } else {
        fprintf(stderr, "  (not root: the other-owner case needs a file of another user)\n");
    }

    /* a directory that cannot be written: the failure says so */
    fresh_dir(dir);
    ASSERT_EQ(chmod(dir, 0500), 0);
    if (geteuid() != 0) {
        ASSERT_RESULT(arca__counter_store_open(dir, 0, &s), ARCA_ERR_PLATFORM);
        ASSERT_CONTAINS(arca__error_detail(), "cannot create");
    }
    ASSERT_EQ(chmod(dir, 0700), 0);
    /* a missing directory */
    snprintf(dir, sizeof dir, "%s/no/such/dir", base);
    ASSERT_RESULT(arca__counter_store_open(dir, 0, &s), ARCA_ERR_PLATFORM);
    ASSERT_CONTAINS(arca__error_detail(), "cannot create");
}

static void test_values_survive_reopen(void)
{
    char dir[PATH_MAX];
    arca__counter_store *s = NULL;
    arca_identity_t a = ident(1, 2, 1, ARCA_BACKEND_ID_SIM);
    uint64_t v = 0, last = 0;

    ASSERT_OK(arca__counter_store_open(fresh_dir(dir), 0, &s));
    ASSERT_OK(CREATE(s, &a, ARCA_SEAL_SIGNER, "r", &v));
    arca__counter_store_close(s);
    for (int round = 0; round < 5; round++) {
        ASSERT_OK(arca__counter_store_open(dir, 0, &s));
        ASSERT_OK(READ(s, &a, ARCA_SEAL_SIGNER, "r", &v));
        ASSERT_UEQ(v, last); /* what was acknowledged is there */
        for (int i = 0; i < 3; i++) {
            ASSERT_OK(INC(s, &a, ARCA_SEAL_SIGNER, "r", &v));
            ASSERT_TRUE(v > last);
            last = v;
        }
        ASSERT_RESULT(CREATE(s, &a, ARCA_SEAL_SIGNER, "r", &v), ARCA_ERR_EXISTS);
        arca__counter_store_close(s);
    }
    ASSERT_UEQ(last, 15);
}

/* ------------------------------------------------------------------ concurrency */

#define PER_THREAD 300

struct worker {
    arca__counter_store *store;
    const char *dir; /* own store when store is NULL */
    uint64_t values[PER_THREAD];
    int failed;
};

static void *increment_many(void *arg)
{
    struct worker *w = arg;
    arca__counter_store *s = w->store;
    arca_identity_t a = ident(1, 2, 1, ARCA_BACKEND_ID_PROCESS);
    if (!s && arca__counter_store_open(w->dir, 0, &s) != ARCA_OK) {
        w->failed = 1;
        return NULL;
    }
    for (int i = 0; i < PER_THREAD; i++)
        if (INC(s, &a, ARCA_SEAL_SIGNER, "t", &w->values[i]) != ARCA_OK ||
            (i > 0 && w->values[i] <= w->values[i - 1]))
            w->failed = 1;
    if (!w->store)
        arca__counter_store_close(s);
    return NULL;
}

/* Each value 1..n exactly once across @p sets. */
static int exactly_once(uint64_t *const *sets, const size_t *lens, int count, uint64_t n)
{
    uint8_t *seen = calloc(n + 1, 1);
    int ok = seen != NULL;
    for (int k = 0; ok && k < count; k++)
        for (size_t i = 0; ok && i < lens[k]; i++) {
            uint64_t v = sets[k][i];
            ok = v >= 1 && v <= n && !seen[v];
            if (ok)
                seen[v] = 1;
        }
    free(seen);
    return ok;
}

static void threads(int shared_store)
{
    char dir[PATH_MAX];
    arca__counter_store *s = NULL;
    arca_identity_t a = ident(1, 2, 1, ARCA_BACKEND_ID_PROCESS);
    static struct worker w[2];
    pthread_t t[2];
    uint64_t v = 0;

    ASSERT_OK(arca__counter_store_open(fresh_dir(dir), 0, &s));
    ASSERT_OK(CREATE(s, &a, ARCA_SEAL_SIGNER, "t", &v));
    for (int i = 0; i < 2; i++) {
        memset(&w[i], 0, sizeof w[i]);
        w[i].store = shared_store ? s : NULL;
        w[i].dir = dir;
        ASSERT_EQ(pthread_create(&t[i], NULL, increment_many, &w[i]), 0);
    }
    for (int i = 0; i < 2; i++)
        ASSERT_EQ(pthread_join(t[i], NULL), 0);
    ASSERT_EQ(w[0].failed, 0);
    ASSERT_EQ(w[1].failed, 0);
    ASSERT_OK(READ(s, &a, ARCA_SEAL_SIGNER, "t", &v));
    ASSERT_UEQ(v, 2 * PER_THREAD);
    uint64_t *sets[2] = {w[0].values, w[1].values};
    size_t lens[2] = {PER_THREAD, PER_THREAD};
    ASSERT_TRUE(exactly_once(sets, lens, 2, 2 * PER_THREAD));
    arca__counter_store_close(s);
}

static void test_two_threads_one_store(void)
{
    threads(1);
}

static void test_two_threads_two_connections(void)
{
    threads(0);
}

#define PROCS 3
#define PER_PROC 150

/* Several processes, each with its own store on the same file: every increment gets its own
 * value (what the dev platform sees with several host processes). */
static void test_processes_share_exact_total(void)
{
    char dir[PATH_MAX];
    arca__counter_store *s = NULL;
    arca_identity_t a = ident(1, 2, 1, ARCA_BACKEND_ID_PROCESS);
    uint64_t v = 0;
    static uint64_t got[PROCS][PER_PROC];
    int pipes[PROCS][2];
    pid_t pids[PROCS];

    ASSERT_OK(arca__counter_store_open(fresh_dir(dir), 0, &s));
    ASSERT_OK(CREATE(s, &a, ARCA_SEAL_ENCLAVE, "p", &v));
    arca__counter_store_close(s); /* never carry a connection across fork */
    for (int k = 0; k < PROCS; k++) {
        ASSERT_EQ(pipe(pipes[k]), 0);
        pids[k] = fork();
        ASSERT_TRUE(pids[k] >= 0);
        if (pids[k] == 0) {
            arca__counter_store *mine = NULL;
            uint64_t values[PER_PROC];
            close(pipes[k][0]);
            if (arca__counter_store_open(dir, 0, &mine) != ARCA_OK)
                _exit(2);
            for (int i = 0; i < PER_PROC; i++)
                if (INC(mine, &a, ARCA_SEAL_ENCLAVE, "p", &values[i]) != ARCA_OK)
                    _exit(3);
            arca__counter_store_close(mine);
            _exit(write(pipes[k][1], values, sizeof values) == (ssize_t)sizeof values ? 0 : 4);
        }
        close(pipes[k][1]);
    }
    for (int k = 0; k < PROCS; k++) {
        int status = 0;
        size_t have = 0;
        while (have < sizeof got[k]) {
            ssize_t n = read(pipes[k][0], (uint8_t *)got[k] + have, sizeof got[k] - have);
            if (n <= 0)
                break;
            have += (size_t)n;
        }
        close(pipes[k][0]);
        ASSERT_EQ(waitpid(pids[k], &status, 0), pids[k]);
        ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        ASSERT_UEQ(have, sizeof got[k]);
        for (int i = 1; i < PER_PROC; i++)
            ASSERT_TRUE(got[k][i] > got[k][i - 1]);
    }
    uint64_t *sets[PROCS];
    size_t lens[PROCS];
    for (int k = 0; k < PROCS; k++) {
        sets[k] = got[k];
        lens[k] = PER_PROC;
    }
    ASSERT_TRUE(exactly_once(sets, lens, PROCS, PROCS * PER_PROC));
    ASSERT_OK(arca__counter_store_open(dir, 0, &s));
    ASSERT_OK(READ(s, &a, ARCA_SEAL_ENCLAVE, "p", &v));
    ASSERT_UEQ(v, PROCS * PER_PROC);
    arca__counter_store_close(s);
}

/* Several processes opening a database that does not exist yet: one creates it, all use it. */
static void test_concurrent_first_open(void)
{
    char dir[PATH_MAX];
    arca__counter_store *s = NULL;
    arca_identity_t a = ident(1, 2, 1, ARCA_BACKEND_ID_PROCESS);
    uint64_t v = 0;
    pid_t pids[4];

    fresh_dir(dir);
    for (int k = 0; k < 4; k++) {
        pids[k] = fork();
        ASSERT_TRUE(pids[k] >= 0);
        if (pids[k] == 0) {
            arca__counter_store *mine = NULL;
            char name[8];
            snprintf(name, sizeof name, "c%d", k);
            if (arca__counter_store_open(dir, 0, &mine) != ARCA_OK) {
                fprintf(stderr, "  child %d: %s\n", k, arca__error_detail());
                _exit(2);
            }
            arca_result_t r = CREATE(mine, &a, ARCA_SEAL_ENCLAVE, name, &v);
            arca__counter_store_close(mine);
            _exit(r == ARCA_OK ? 0 : 3);
        }
    }
    for (int k = 0; k < 4; k++) {
        int status = 0;
        ASSERT_EQ(waitpid(pids[k], &status, 0), pids[k]);
        ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    ASSERT_OK(arca__counter_store_open(dir, 0, &s));
    ASSERT_UEQ(arca__counter_store_count(s, UID), 4);
    arca__counter_store_close(s);
}

/* ------------------------------------------------------------------ the dev platform's op */

static void test_dev_platform_counter_op(void)
{
    char dir[PATH_MAX], path[PATH_MAX];
    arca__platform *p = NULL;
    arca_identity_t a = ident(1, 2, 1, ARCA_BACKEND_ID_PROCESS);
    arca__pw_counter c;
    uint64_t v = 0;
    struct stat st;

    snprintf(dir, sizeof dir, "%s/dev-platform", base);
    ASSERT_OK(arca__dev_platform.open(dir, &p));
    ASSERT_TRUE(arca__dev_platform.counter != NULL);
    db_path(path, dir);
    ASSERT_EQ(access(path, F_OK), -1); /* opened lazily: no counter asked for yet */
    c = req(ARCA__PW_COUNTER_CREATE, ARCA_SEAL_SIGNER, "dev");
    ASSERT_OK(arca__dev_platform.counter(p, &a, UID, &c, &v));
    ASSERT_EQ(stat(path, &st), 0);
    ASSERT_EQ(st.st_mode & 07777, 0600);
    c.action = ARCA__PW_COUNTER_INCREMENT;
    ASSERT_OK(arca__dev_platform.counter(p, &a, UID, &c, &v));
    ASSERT_UEQ(v, 1);
    arca__dev_platform.close(p);

    /* another platform object on the same directory (another enclave, another process) */
    ASSERT_OK(arca__dev_platform.open(dir, &p));
    ASSERT_OK(arca__dev_platform.counter(p, &a, UID, &c, &v));
    ASSERT_UEQ(v, 2);
    arca__dev_platform.close(p);

    /* the key directory is checked again before the store is opened */
    ASSERT_OK(arca__dev_platform.open(dir, &p));
    ASSERT_EQ(chmod(dir, 0750), 0);
    ASSERT_RESULT(arca__dev_platform.counter(p, &a, UID, &c, &v), ARCA_ERR_PERMISSION);
    ASSERT_CONTAINS(arca__error_detail(), "mode 0750");
    ASSERT_EQ(chmod(dir, 0700), 0);
    ASSERT_OK(arca__dev_platform.counter(p, &a, UID, &c, &v)); /* tried again, fine now */
    ASSERT_UEQ(v, 3);
    arca__dev_platform.close(p);

    /* a damaged store is reported through the op, naming the file */
    ASSERT_OK(arca__dev_platform.open(dir, &p));
    snprintf(path, sizeof path, "%s/%s", dir, ARCA_COUNTER_DB_FILE);
    int fd = open(path, O_WRONLY | O_TRUNC);
    ASSERT_TRUE(fd >= 0);
    static const char garbage[] = "garbage garbage garbage garbage garbage garbage garbage "
                                  "garbage garbage garbage garbage garbage garbage garbage";
    ASSERT_EQ(write(fd, garbage, sizeof garbage), (ssize_t)sizeof garbage);
    close(fd);
    snprintf(path, sizeof path, "%s/%s-wal", dir, ARCA_COUNTER_DB_FILE);
    unlink(path);
    ASSERT_RESULT(arca__dev_platform.counter(p, &a, UID, &c, &v), ARCA_ERR_PLATFORM_DAMAGED);
    ASSERT_CONTAINS(arca__error_detail(), ARCA_COUNTER_DB_FILE);
    arca__dev_platform.close(p);
}

int main(void)
{
    if (!test_make_scratch_dir(base, sizeof base, "test-counters"))
        return 1;
    RUN(test_create_increment_read);
    RUN(test_exists_and_not_found);
    RUN(test_quota_per_owner);
    RUN(test_overflow_at_the_top);
    RUN(test_policy_scoping);
    RUN(test_bad_requests_refused);
    RUN(test_damaged_database_refused);
    RUN(test_file_rules);
    RUN(test_values_survive_reopen);
    RUN(test_two_threads_one_store);
    RUN(test_two_threads_two_connections);
    RUN(test_processes_share_exact_total);
    RUN(test_concurrent_first_open);
    RUN(test_dev_platform_counter_op);
    test_remove_scratch_dir(base);
    return TEST_SUMMARY();
}
