/*
 * counters.c — the monotonic counter store of a platform (counters.h): one SQLite database,
 * ARCA_COUNTER_DB_FILE in the platform's directory, shared by every process and thread that
 * serves that platform (the dev platform opens it in each host process; arcad in the daemon).
 *
 * Durability: the database runs in WAL mode with synchronous=FULL, so a COMMIT returns only
 * after the WAL frames holding it were fsynced; an increment is one BEGIN IMMEDIATE ... COMMIT
 * transaction and its value is handed back only once COMMIT succeeded. Several processes share
 * the file: BEGIN IMMEDIATE takes the database's write lock first, so the read-modify-write of
 * an increment never races another writer, and a busy time-out lets them queue. Inside one
 * process a mutex serialises the store's single connection.
 *
 * The file: created by this code with O_CREAT | O_EXCL | O_NOFOLLOW and mode 0600 (never by
 * SQLite, whose mode would follow the umask), and used only when it is a regular file of the
 * effective user without group or other bits (lstat: a symbolic link is refused, not followed;
 * SQLite opens it with SQLITE_OPEN_NOFOLLOW too). A file that is not this store's database —
 * not SQLite at all, another application's database (PRAGMA application_id), a newer schema
 * (PRAGMA user_version), or damaged pages — is ARCA_ERR_PLATFORM_DAMAGED naming it, and is
 * never repaired or replaced: a new database would start every counter again at zero, which
 * is exactly the rollback the counters exist to prevent.
 *
 * Scope: a counter belongs to SHA-256(label, policy, isolation class, debug, measurement — or
 * signer id and product id), so enclaves share a counter exactly when they would share a
 * sealing key of that policy (across SVNs for SIGNER, as the point is to survive upgrades).
 *
 * This file must never call OpenSSL (hashes come from src/crypto), never hand back a value
 * before its COMMIT succeeded, never let a counter go backwards or be reset, and never close a
 * descriptor of the database file while an SQLite connection of this process may hold its
 * POSIX locks (closing any descriptor of a file drops every lock the process holds on it).
 */
#include "counters.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "arca/seal.h"
#include "base/error.h"
#include "crypto/crypto.h"
#include "formats/evidence.h"

/* PRAGMA application_id of a counter database (0x41524343, "ARCC") and its schema (PRAGMA
 * user_version); the SQL below spells the same numbers. */
#define APPLICATION_ID 1095910211
#define SCHEMA_VERSION 1
#define STR_(x) #x
#define STR(x) STR_(x)
/* How long one request waits for another process's transaction before it fails. */
#define BUSY_TIMEOUT_MS 10000
#define SCOPE_LABEL "arca counter scope v1"

struct arca__counter_store {
    pthread_mutex_t lock; /* one request at a time on this connection */
    sqlite3 *db;
    sqlite3_stmt *begin, *commit, *rollback, *get, *insert, *update, *count;
    uint32_t quota;
    char path[PATH_MAX];
};

/* Creating the file and closing the descriptor that created it happen under this lock, and
 * every open checks the file under it before SQLite sees the path: so no store of this process
 * can hold POSIX locks on a file while another closes a descriptor of it. */
static pthread_mutex_t create_lock = PTHREAD_MUTEX_INITIALIZER;

static const char SCHEMA[] =
    "CREATE TABLE counters ("
    " scope BLOB NOT NULL CHECK (length(scope) = 32),"
    " name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 64),"
    " value INTEGER NOT NULL,"     /* the u64 value's bit pattern as a signed 64-bit integer */
    " owner_uid INTEGER NOT NULL," /* the user of the enclave that created it (quotas) */
    " PRIMARY KEY (scope, name)) WITHOUT ROWID;"
    "CREATE INDEX counters_owner ON counters (owner_uid);";

/* ------------------------------------------------------------------ errors */

/* The store's result for SQLite's @p rc in @p what: damage names the file and says not to
 * replace it; anything else is ARCA_ERR_PLATFORM with SQLite's message. */
static arca_result_t db_error(const arca__counter_store *s, int rc, const char *what)
{
    const char *msg = s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc);
    const int primary = rc & 0xff;
    arca_result_t result;
    if (primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB)
        result = arca__error(ARCA_ERR_PLATFORM_DAMAGED,
                             "counters: %s is not a readable counter database (%s: %s); restore "
                             "it from a backup. Do not delete it: a new database starts every "
                             "counter at zero again, which is the rollback counters exist to "
                             "prevent", s->path, what, msg);
    else if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED)
        result = arca__error(ARCA_ERR_PLATFORM,
                             "counters: %s stayed locked by another process for %d s (%s: %s); "
                             "try again", s->path, BUSY_TIMEOUT_MS / 1000, what, msg);
    else
        result = arca__error(ARCA_ERR_PLATFORM, "counters: %s: %s failed: %s", s->path, what, msg);
    return result;
}

/* ------------------------------------------------------------------ the file */

/* The rule for the database file, on an lstat result. */
static arca_result_t check_file(const char *path, const struct stat *st)
{
    arca_result_t result = ARCA_OK;
    const unsigned mode = (unsigned)(st->st_mode & 07777), me = (unsigned)geteuid();
    if (S_ISLNK(st->st_mode))
        ARCA_RAISE(ARCA_ERR_PERMISSION,
                   "counters: %s is a symbolic link; the counter database is used only as a "
                   "regular file of its directory (a planted link could name another file): "
                   "remove the link and restore the database from a backup", path);
    if (!S_ISREG(st->st_mode))
        ARCA_RAISE(ARCA_ERR_PLATFORM_DAMAGED,
                   "counters: %s is not a regular file; restore the counter database from a "
                   "backup", path);
    if ((unsigned)st->st_uid != me)
        ARCA_RAISE(ARCA_ERR_PERMISSION,
                   "counters: %s belongs to uid %u, not to you (uid %u); whoever owns it can set "
                   "every counter back, so it is not used. Give it back with 'chown %u %s', or "
                   "restore it from a backup", path, (unsigned)st->st_uid, me, me, path);
    if (mode & 077)
        ARCA_RAISE(ARCA_ERR_PERMISSION,
                   "counters: %s has mode %04o: group or others can read or change it, so it is "
                   "not used. Run 'chmod 600 %s'", path, mode, path);
done:
    return result;
}

/* Make the directory entry of a new file durable. */
static void sync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
}

/* Create the file if it is missing (mode 0600, exclusive, never through a link), then check
 * it; *st is what was checked. Under create_lock. */
static arca_result_t prepare_file(const char *dir, const char *path, struct stat *st)
{
    arca_result_t result = ARCA_OK;
    int fd = -1;
    pthread_mutex_lock(&create_lock);
    if (lstat(path, st) != 0) {
        if (errno != ENOENT)
            ARCA_RAISE(ARCA_ERR_PLATFORM, "counters: cannot inspect %s: %s", path, strerror(errno));
        fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600);
        if (fd < 0 && errno != EEXIST) /* EEXIST: another process made it; check theirs */
            ARCA_RAISE(ARCA_ERR_PLATFORM, "counters: cannot create %s: %s", path, strerror(errno));
        if (fd >= 0) {
            if (fsync(fd) != 0)
                ARCA_RAISE(ARCA_ERR_PLATFORM, "counters: cannot flush %s: %s", path,
                           strerror(errno));
            close(fd); /* a new file: no connection of this process can hold a lock on it */
            fd = -1;
            sync_dir(dir);
        }
        if (lstat(path, st) != 0)
            ARCA_RAISE(ARCA_ERR_PLATFORM, "counters: cannot inspect %s: %s", path, strerror(errno));
    }
    ARCA_CHECK(check_file(path, st));
done:
    if (fd >= 0)
        close(fd);
    pthread_mutex_unlock(&create_lock);
    return result;
}

/* ------------------------------------------------------------------ SQL helpers */

/* Run @p sql (no results wanted). */
static arca_result_t exec(arca__counter_store *s, const char *sql, const char *what)
{
    int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);
    return rc == SQLITE_OK ? ARCA_OK : db_error(s, rc, what);
}

/* One integer from @p sql (a PRAGMA or a count). */
static arca_result_t query_int(arca__counter_store *s, const char *sql, int64_t *out)
{
    arca_result_t result = ARCA_OK;
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
    if (rc != SQLITE_OK)
        ARCA_RAISE(db_error(s, rc, sql));
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW)
        ARCA_RAISE(db_error(s, rc, sql));
    *out = sqlite3_column_int64(st, 0);
done:
    sqlite3_finalize(st);
    return result;
}

/* One text value from @p sql into out (cut to cap). */
static arca_result_t query_text(arca__counter_store *s, const char *sql, char *out, size_t cap)
{
    arca_result_t result = ARCA_OK;
    sqlite3_stmt *st = NULL;
    const unsigned char *text;
    int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
    if (rc != SQLITE_OK)
        ARCA_RAISE(db_error(s, rc, sql));
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW)
        ARCA_RAISE(db_error(s, rc, sql));
    text = sqlite3_column_text(st, 0);
    snprintf(out, cap, "%s", text ? (const char *)text : "");
done:
    sqlite3_finalize(st);
    return result;
}

/* Step a prepared statement that returns no row; reset it either way. */
static arca_result_t run(arca__counter_store *s, sqlite3_stmt *st, const char *what)
{
    int rc = sqlite3_step(st);
    arca_result_t r = rc == SQLITE_DONE ? ARCA_OK : db_error(s, rc, what);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return r;
}

/* u64 values kept as the signed 64-bit integers SQLite stores (the same 64 bits). */
static sqlite3_int64 to_db(uint64_t v)
{
    return v <= (uint64_t)INT64_MAX ? (sqlite3_int64)v : -(sqlite3_int64)(UINT64_MAX - v) - 1;
}

static uint64_t from_db(sqlite3_int64 v)
{
    return (uint64_t)v;
}

/* ------------------------------------------------------------------ open and close */

/* WAL is a property of the file: set once, by whichever process gets there first. Setting it
 * needs a moment without readers, so a busy database is asked again until the time-out. */
static arca_result_t ensure_wal(arca__counter_store *s)
{
    arca_result_t result = ARCA_OK;
    char mode[16];
    for (int waited = 0;; waited += 10) {
        ARCA_CHECK(query_text(s, "PRAGMA journal_mode", mode, sizeof mode));
        if (!strcmp(mode, "wal"))
            break;
        int rc = sqlite3_exec(s->db, "PRAGMA journal_mode=WAL", NULL, NULL, NULL);
        if (rc != SQLITE_OK && (rc & 0xff) != SQLITE_BUSY && (rc & 0xff) != SQLITE_LOCKED)
            ARCA_RAISE(db_error(s, rc, "PRAGMA journal_mode=WAL"));
        if (rc != SQLITE_OK && waited >= BUSY_TIMEOUT_MS)
            ARCA_RAISE(db_error(s, rc, "PRAGMA journal_mode=WAL"));
        if (rc != SQLITE_OK) {
            struct timespec ms10 = {0, 10 * 1000 * 1000};
            nanosleep(&ms10, NULL);
        }
    }
done:
    return result;
}

/* A database with neither an application id nor a user version must be empty to become ours. */
static arca_result_t check_empty(arca__counter_store *s)
{
    arca_result_t result = ARCA_OK;
    int64_t objects = 0;
    ARCA_CHECK(query_int(s, "SELECT count(*) FROM sqlite_master", &objects));
    if (objects != 0)
        ARCA_RAISE(ARCA_ERR_PLATFORM_DAMAGED,
                   "counters: %s is an SQLite database of something else (it has %lld schema "
                   "objects and no Arca application id); restore the counter database from a "
                   "backup or move this file away", s->path, (long long)objects);
done:
    return result;
}

/* The file's identity (application id, schema version) is read before anything is written:
 * a file that is not ours is refused as it is. A new (empty) file is switched to WAL and
 * given the schema by whichever process takes the write lock first; anything else must be
 * exactly ours. */
static arca_result_t ensure_schema(arca__counter_store *s)
{
    arca_result_t result = ARCA_OK;
    int64_t app = 0, version = 0;
    int in_tx = 0;

    ARCA_CHECK(query_int(s, "PRAGMA application_id", &app));
    ARCA_CHECK(query_int(s, "PRAGMA user_version", &version));
    if (app == 0 && version == 0)
        ARCA_CHECK(check_empty(s));
    if ((app == 0 && version == 0) || (app == APPLICATION_ID && version == SCHEMA_VERSION))
        ARCA_CHECK(ensure_wal(s)); /* WAL before the first write transaction */
    if (app == 0 && version == 0) {
        ARCA_CHECK(exec(s, "BEGIN IMMEDIATE", "BEGIN IMMEDIATE"));
        in_tx = 1;
        /* Again under the write lock: another process may have created it meanwhile. */
        ARCA_CHECK(query_int(s, "PRAGMA application_id", &app));
        ARCA_CHECK(query_int(s, "PRAGMA user_version", &version));
        if (app == 0 && version == 0) {
            ARCA_CHECK(check_empty(s));
            ARCA_CHECK(exec(s, SCHEMA, "creating the counter table"));
            ARCA_CHECK(exec(s, "PRAGMA application_id = " STR(APPLICATION_ID), "PRAGMA application_id"));
            ARCA_CHECK(exec(s, "PRAGMA user_version = " STR(SCHEMA_VERSION), "PRAGMA user_version"));
            app = APPLICATION_ID;
            version = SCHEMA_VERSION;
        }
        ARCA_CHECK(exec(s, "COMMIT", "COMMIT"));
        in_tx = 0;
    }
    if (app != APPLICATION_ID)
        ARCA_RAISE(ARCA_ERR_PLATFORM_DAMAGED,
                   "counters: %s is not an Arca counter database (SQLite application id 0x%08llx, "
                   "expected 0x%08x); restore it from a backup or move this file away", s->path,
                   (unsigned long long)(uint32_t)app, (unsigned)APPLICATION_ID);
    if (version != SCHEMA_VERSION)
        ARCA_RAISE(ARCA_ERR_PLATFORM_DAMAGED,
                   "counters: %s has schema version %lld; this Arca knows version %d (a newer Arca "
                   "wrote it, or it is damaged): use that Arca, or restore it from a backup",
                   s->path, (long long)version, SCHEMA_VERSION);
done:
    if (in_tx)
        (void)sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    return result;
}

static arca_result_t prepare(arca__counter_store *s, const char *sql, sqlite3_stmt **out)
{
    arca_result_t result = ARCA_OK;
    int rc = sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, out, NULL);
    /* Our application id but not our table: the file was altered. */
    if ((rc & 0xff) == SQLITE_ERROR)
        ARCA_RAISE(ARCA_ERR_PLATFORM_DAMAGED,
                   "counters: %s does not hold the counter table this Arca wrote (%s); restore it "
                   "from a backup", s->path, sqlite3_errmsg(s->db));
    if (rc != SQLITE_OK)
        ARCA_RAISE(db_error(s, rc, sql));
done:
    return result;
}

void arca__counter_store_close(arca__counter_store *s)
{
    if (!s)
        return;
    sqlite3_finalize(s->begin);
    sqlite3_finalize(s->commit);
    sqlite3_finalize(s->rollback);
    sqlite3_finalize(s->get);
    sqlite3_finalize(s->insert);
    sqlite3_finalize(s->update);
    sqlite3_finalize(s->count);
    /* Closing the connection is what may release its locks: never another descriptor. */
    sqlite3_close_v2(s->db);
    pthread_mutex_destroy(&s->lock);
    free(s);
}

arca_result_t arca__counter_store_open(const char *dir, uint32_t max_per_owner,
                                       arca__counter_store **out)
{
    arca_result_t result = ARCA_OK;
    arca__counter_store *s = NULL;
    struct stat checked, now;
    int rc, n;

    if (!dir || !out)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "counters: NULL argument");
    *out = NULL;
    s = calloc(1, sizeof *s);
    if (!s)
        ARCA_RAISE(ARCA_ERR_OUT_OF_MEMORY, "counters: out of memory");
    pthread_mutex_init(&s->lock, NULL);
    s->quota = max_per_owner ? max_per_owner : ARCA_COUNTER_DEFAULT_QUOTA;
    n = snprintf(s->path, sizeof s->path, "%s/%s", dir, ARCA_COUNTER_DB_FILE);
    if (n < 0 || (size_t)n >= sizeof s->path)
        ARCA_RAISE(ARCA_ERR_PLATFORM, "counters: the directory path %s is too long", dir);

    ARCA_CHECK(prepare_file(dir, s->path, &checked));
    rc = sqlite3_open_v2(s->path, &s->db,
                         SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK)
        ARCA_RAISE(db_error(s, rc, "open"));
    /* What SQLite opened by path is still the file that was checked. */
    if (lstat(s->path, &now) != 0 || now.st_dev != checked.st_dev || now.st_ino != checked.st_ino)
        ARCA_RAISE(ARCA_ERR_PERMISSION,
                   "counters: %s was replaced while it was being opened; check who else writes "
                   "to %s", s->path, dir);
    sqlite3_extended_result_codes(s->db, 1);
    sqlite3_busy_timeout(s->db, BUSY_TIMEOUT_MS);
    /* A damaged or hostile file must not run SQL of its own or be written outside SQL. */
    sqlite3_db_config(s->db, SQLITE_DBCONFIG_DEFENSIVE, 1, (int *)NULL);
    sqlite3_db_config(s->db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, (int *)NULL);
    ARCA_CHECK(exec(s, "PRAGMA synchronous=FULL", "PRAGMA synchronous=FULL"));
    ARCA_CHECK(exec(s, "PRAGMA cell_size_check=ON", "PRAGMA cell_size_check=ON"));
    {
        /* First use by several processes at once: one creates the schema while the others wait
         * (an flock of the directory, never of the database: closing a descriptor of the
         * database would drop SQLite's own locks on it). Seen without this: a process that
         * found the tables but not yet the application id, and refused the file. */
        int dir_lock = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dir_lock >= 0)
            while (flock(dir_lock, LOCK_EX) != 0 && errno == EINTR)
                ;
        result = ensure_schema(s);
        if (dir_lock >= 0)
            close(dir_lock);
        ARCA_CHECK(result);
    }
    ARCA_CHECK(prepare(s, "BEGIN IMMEDIATE", &s->begin));
    ARCA_CHECK(prepare(s, "COMMIT", &s->commit));
    ARCA_CHECK(prepare(s, "ROLLBACK", &s->rollback));
    ARCA_CHECK(prepare(s, "SELECT value FROM counters WHERE scope = ?1 AND name = ?2", &s->get));
    ARCA_CHECK(prepare(s, "INSERT INTO counters (scope, name, value, owner_uid) "
                          "VALUES (?1, ?2, 0, ?3)", &s->insert));
    ARCA_CHECK(prepare(s, "UPDATE counters SET value = ?3 WHERE scope = ?1 AND name = ?2",
                       &s->update));
    ARCA_CHECK(prepare(s, "SELECT count(*) FROM counters WHERE owner_uid = ?1", &s->count));
    *out = s;
    s = NULL;
done:
    arca__counter_store_close(s);
    return result;
}

/* ------------------------------------------------------------------ requests */

/* The scope of a counter of @p id under @p policy (see the file comment). */
static arca_result_t scope_of(const arca_identity_t *id, uint8_t policy, uint8_t out[32])
{
    uint8_t buf[sizeof SCOPE_LABEL - 1 + 3 + 32 + 2];
    size_t n = sizeof SCOPE_LABEL - 1;
    memcpy(buf, SCOPE_LABEL, n);
    buf[n++] = policy;
    buf[n++] = arca__backend_isolates(id->backend) ? 1 : 0;
    buf[n++] = (id->attributes & ARCA_ATTR_DEBUG) ? 1 : 0;
    if (policy == ARCA_SEAL_ENCLAVE) {
        memcpy(buf + n, id->measurement, 32);
        n += 32;
    } else {
        memcpy(buf + n, id->signer_id, 32);
        n += 32;
        buf[n++] = (uint8_t)id->product_id;
        buf[n++] = (uint8_t)(id->product_id >> 8);
    }
    return arca__sha256(buf, n, out);
}

/* The counter's value into *value; *found 0 if there is none. Lock held. */
static arca_result_t get_value(arca__counter_store *s, const uint8_t scope[32], const char *name,
                               int *found, uint64_t *value)
{
    arca_result_t result = ARCA_OK;
    sqlite3_bind_blob(s->get, 1, scope, 32, SQLITE_STATIC);
    sqlite3_bind_text(s->get, 2, name, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s->get);
    *found = rc == SQLITE_ROW;
    if (rc == SQLITE_ROW)
        *value = from_db(sqlite3_column_int64(s->get, 0));
    else if (rc != SQLITE_DONE)
        result = db_error(s, rc, "reading the counter");
    sqlite3_reset(s->get);
    sqlite3_clear_bindings(s->get);
    return result;
}

static arca_result_t count_owner(arca__counter_store *s, uint32_t owner_uid, uint32_t *count)
{
    arca_result_t result = ARCA_OK;
    sqlite3_bind_int64(s->count, 1, (sqlite3_int64)owner_uid);
    int rc = sqlite3_step(s->count);
    if (rc == SQLITE_ROW) {
        sqlite3_int64 c = sqlite3_column_int64(s->count, 0);
        *count = c < 0 ? 0 : c > UINT32_MAX ? UINT32_MAX : (uint32_t)c;
    } else {
        result = db_error(s, rc, "counting the owner's counters");
    }
    sqlite3_reset(s->count);
    sqlite3_clear_bindings(s->count);
    return result;
}

/* CREATE or INCREMENT inside BEGIN IMMEDIATE ... COMMIT. Lock held. */
static arca_result_t write_tx(arca__counter_store *s, const uint8_t scope[32], uint32_t owner_uid,
                              const arca__pw_counter *request, uint64_t *value)
{
    arca_result_t result = ARCA_OK;
    uint64_t current = 0;
    uint32_t owned = 0;
    int found = 0, in_tx = 0;

    ARCA_CHECK(run(s, s->begin, "BEGIN IMMEDIATE"));
    in_tx = 1;
    ARCA_CHECK(get_value(s, scope, request->name, &found, &current));
    if (request->action == ARCA__PW_COUNTER_CREATE) {
        if (found)
            ARCA_RAISE(ARCA_ERR_EXISTS, "counter '%s' exists already (value %llu)", request->name,
                       (unsigned long long)current);
        ARCA_CHECK(count_owner(s, owner_uid, &owned));
        if (owned >= s->quota)
            ARCA_RAISE(ARCA_ERR_QUOTA,
                       "counter '%s': uid %u has %u counters, its quota on this platform; "
                       "counters are never deleted, so reuse one", request->name, owner_uid,
                       owned);
        sqlite3_bind_blob(s->insert, 1, scope, 32, SQLITE_STATIC);
        sqlite3_bind_text(s->insert, 2, request->name, -1, SQLITE_STATIC);
        sqlite3_bind_int64(s->insert, 3, (sqlite3_int64)owner_uid);
        ARCA_CHECK(run(s, s->insert, "creating the counter"));
        current = 0;
    } else {
        if (!found)
            ARCA_RAISE(ARCA_ERR_NOT_FOUND, "counter '%s' does not exist; create it first",
                       request->name);
        if (current == UINT64_MAX)
            ARCA_RAISE(ARCA_ERR_OVERFLOW, "counter '%s' is at its largest value (2^64 - 1)",
                       request->name);
        current++;
        sqlite3_bind_blob(s->update, 1, scope, 32, SQLITE_STATIC);
        sqlite3_bind_text(s->update, 2, request->name, -1, SQLITE_STATIC);
        sqlite3_bind_int64(s->update, 3, to_db(current));
        ARCA_CHECK(run(s, s->update, "incrementing the counter"));
    }
    /* Durable once COMMIT returns (WAL, synchronous=FULL): only then is the value handed out. */
    ARCA_CHECK(run(s, s->commit, "COMMIT"));
    in_tx = 0;
    *value = current;
done:
    /* A failed COMMIT may already have ended the transaction; otherwise end it here. */
    if (in_tx && !sqlite3_get_autocommit(s->db))
        (void)run(s, s->rollback, "ROLLBACK");
    return result;
}

arca_result_t arca__counter_store_apply(arca__counter_store *s, const arca_identity_t *identity,
                                        uint32_t owner_uid, const arca__pw_counter *request,
                                        uint64_t *value)
{
    arca_result_t result = ARCA_OK;
    uint8_t scope[32], check[ARCA__PW_COUNTER_SIZE];
    int locked = 0, found = 0;
    uint64_t v = 0;

    if (!s || !identity || !request || !value)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "counters: NULL argument");
    /* The request's own rules (action, policy, name) once more: callers other than serve.c. */
    if (memchr(request->name, 0, sizeof request->name) == NULL)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "counters: the name is not terminated");
    ARCA_CHECK(arca__pw_counter_put(request, check));
    if (identity->backend == ARCA_BACKEND_ID_NONE)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "counters: a counter belongs to an enclave on a "
                   "backend; the identity names none");
    ARCA_CHECK(scope_of(identity, request->policy, scope));
    pthread_mutex_lock(&s->lock);
    locked = 1;
    if (request->action == ARCA__PW_COUNTER_READ) {
        ARCA_CHECK(get_value(s, scope, request->name, &found, &v));
        if (!found)
            ARCA_RAISE(ARCA_ERR_NOT_FOUND, "counter '%s' does not exist; create it first",
                       request->name);
    } else {
        ARCA_CHECK(write_tx(s, scope, owner_uid, request, &v));
    }
    *value = v;
done:
    if (locked)
        pthread_mutex_unlock(&s->lock);
    return result;
}

uint32_t arca__counter_store_count(arca__counter_store *s, uint32_t owner_uid)
{
    uint32_t count = 0;
    if (!s)
        return 0;
    pthread_mutex_lock(&s->lock);
    if (count_owner(s, owner_uid, &count) != ARCA_OK)
        count = 0;
    pthread_mutex_unlock(&s->lock);
    return count;
}
