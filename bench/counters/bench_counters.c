/*
 * bench_counters.c — what a durable monotonic counter increment costs beside the cheapest
 * durable write SQLite offers, measured in the same run, in the same directory (same disk):
 *   raw:    INSERT INTO t VALUES (?) in autocommit, WAL, synchronous=FULL (one fsync of the WAL
 *           per row, as every durable commit needs);
 *   store:  arca__counter_store_apply INCREMENT (BEGIN IMMEDIATE, read, update, COMMIT under the
 *           same settings) — target ≤ 1.3× raw (issue 14);
 *   read:   a counter read (no transaction, no fsync), for information;
 *   sim / process: arca_counter_increment inside an enclave — the ecall, the platform
 *           connection to the dev platform's serving thread, the store — for information;
 *           and arca_counter_read the same way, which shows what that path adds without the
 *           fsync.
 * The key directory is $ARCA_PLATFORM_DIR (make bench: build-bench/bench-platform), else a new
 * temporary one; the raw database is a file next to the counter database and removed at the end.
 * Rows are measured in ROUNDS rounds of short alternating slices; figures are medians over
 * rounds, ratios the median of the per-round ratios.
 */
#include <errno.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arca/host.h"
#include "arca/seal.h"
#include "base/le.h"
#include "counter_ids.h"
#include "platform/counters.h"
#include "../bench_util.h"

#define SLICE 0.12 /* seconds per row per round */

static char dir[PATH_MAX - 64], raw_path[PATH_MAX];
static int ok = 1;

/* ---- raw SQLite ---- */

static sqlite3 *raw_db;
static sqlite3_stmt *raw_insert;
static long raw_rows;

static int raw_open(void)
{
    char *err = NULL;
    snprintf(raw_path, sizeof raw_path, "%s/bench-raw.db", dir);
    unlink(raw_path);
    if (sqlite3_open_v2(raw_path, &raw_db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
            SQLITE_OK ||
        sqlite3_exec(raw_db,
                     "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                     "CREATE TABLE t (x INTEGER NOT NULL)",
                     NULL, NULL, &err) != SQLITE_OK ||
        sqlite3_prepare_v2(raw_db, "INSERT INTO t VALUES (?1)", -1, &raw_insert, NULL) != SQLITE_OK) {
        fprintf(stderr, "bench: raw SQLite in %s: %s\n", raw_path,
                err ? err : sqlite3_errmsg(raw_db));
        sqlite3_free(err);
        return 0;
    }
    return 1;
}

static void raw_once(void)
{
    sqlite3_bind_int64(raw_insert, 1, ++raw_rows);
    if (sqlite3_step(raw_insert) != SQLITE_DONE)
        ok = 0;
    sqlite3_reset(raw_insert);
}

static void raw_close(void)
{
    char path[PATH_MAX + 8];
    sqlite3_finalize(raw_insert);
    sqlite3_close(raw_db);
    unlink(raw_path);
    snprintf(path, sizeof path, "%s-wal", raw_path);
    unlink(path);
    snprintf(path, sizeof path, "%s-shm", raw_path);
    unlink(path);
}

/* ---- the store ---- */

static arca__counter_store *store;
static arca_identity_t bench_identity;
static arca__pw_counter inc_request, read_request;

static int store_open(void)
{
    arca__pw_counter create;
    uint64_t v = 0;
    memset(&bench_identity, 0, sizeof bench_identity);
    memset(bench_identity.measurement, 0xBE, 32);
    memset(bench_identity.signer_id, 0xBC, 32);
    bench_identity.backend = ARCA_BACKEND_ID_PROCESS;
    bench_identity.protections = ARCA_PROT_SEPARATE_PROCESS;
    memset(&create, 0, sizeof create);
    create.action = ARCA__PW_COUNTER_CREATE;
    create.policy = ARCA_SEAL_SIGNER;
    snprintf(create.name, sizeof create.name, "bench-store");
    inc_request = read_request = create;
    inc_request.action = ARCA__PW_COUNTER_INCREMENT;
    read_request.action = ARCA__PW_COUNTER_READ;
    if (arca__counter_store_open(dir, 0, &store) != ARCA_OK) {
        fprintf(stderr, "bench: cannot open the counter store in %s\n", dir);
        return 0;
    }
    arca_result_t r = arca__counter_store_apply(store, &bench_identity, (uint32_t)geteuid(), &create, &v);
    return r == ARCA_OK || r == ARCA_ERR_EXISTS; /* kept from an earlier run */
}

static void store_inc(void)
{
    uint64_t v;
    if (arca__counter_store_apply(store, &bench_identity, (uint32_t)geteuid(), &inc_request, &v) !=
        ARCA_OK)
        ok = 0;
}

static void store_read(void)
{
    uint64_t v;
    if (arca__counter_store_apply(store, &bench_identity, (uint32_t)geteuid(), &read_request, &v) !=
        ARCA_OK)
        ok = 0;
}

/* ---- through an enclave ---- */

static arca_enclave_t *enclaves[2];
static const char *const backends[2] = {"sim", "process"};

static arca_result_t enclave_op(arca_enclave_t *e, uint32_t op)
{
    uint8_t in[8 + 16], out[8];
    size_t got = 0;
    arca__put_le32(in, op);
    arca__put_le32(in + 4, ARCA_SEAL_SIGNER);
    memcpy(in + 8, "bench-enclave-ct", 16);
    return arca_enclave_call(e, COUNTER_FN_OP, in, sizeof in, out, sizeof out, &got);
}

static int enclaves_open(void)
{
    for (int i = 0; i < 2; i++) {
        arca_enclave_options_t opts;
        arca_enclave_options_init(&opts);
        opts.backend = backends[i];
        if (arca_enclave_create(BENCH_IMAGE, &opts, &enclaves[i]) != ARCA_OK) {
            fprintf(stderr, "bench: cannot create the enclave on %s: %s\n", backends[i],
                    arca_last_error());
            return 0;
        }
        arca_result_t r = enclave_op(enclaves[i], COUNTER_OP_CREATE);
        if (r != ARCA_OK && r != ARCA_ERR_EXISTS) {
            fprintf(stderr, "bench: the enclave on %s cannot create its counter: %s\n",
                    backends[i], arca_result_name(r));
            return 0;
        }
    }
    return 1;
}

static void enclave_inc(int i)
{
    if (enclave_op(enclaves[i], COUNTER_OP_INCREMENT) != ARCA_OK)
        ok = 0;
}

static void enclave_read(int i)
{
    if (enclave_op(enclaves[i], COUNTER_OP_READ) != ARCA_OK)
        ok = 0;
}

/* ---- the table ---- */

enum { RAW, STORE, READ, SIM, PROCESS, SIM_READ, PROCESS_READ, ROWS };

int main(void)
{
    const char *env = getenv("ARCA_PLATFORM_DIR");
    double t[ROWS][ROUNDS], ratio[ROWS][ROUNDS];
    static const char *const labels[ROWS] = {
        "raw SQLite INSERT (WAL, FULL)", "store increment", "store read",
        "sim enclave increment", "process enclave increment", "sim enclave read",
        "process enclave read"};

    if (env && *env) {
        snprintf(dir, sizeof dir, "%s", env);
    } else {
        snprintf(dir, sizeof dir, "/tmp/arca-bench-counters-XXXXXX");
        if (!mkdtemp(dir)) {
            perror("bench: temporary directory");
            return 1;
        }
        setenv("ARCA_PLATFORM_DIR", dir, 1);
    }
    /* The enclaves first: the first one initialises the key directory, where the store lives. */
    if (!enclaves_open() || !store_open() || !raw_open())
        return 1;

    for (int k = 0; k < ROUNDS; k++) {
        /* Rows in a rotating order, so that no row always follows the same one. */
        for (int j = 0; j < ROWS; j++) {
            int row = (j + k) % ROWS;
            switch (row) {
            case RAW: t[row][k] = TIME_OPS(SLICE, raw_once()); break;
            case STORE: t[row][k] = TIME_OPS(SLICE, store_inc()); break;
            case READ: t[row][k] = TIME_OPS(SLICE, store_read()); break;
            case SIM: t[row][k] = TIME_OPS(SLICE, enclave_inc(0)); break;
            case PROCESS: t[row][k] = TIME_OPS(SLICE, enclave_inc(1)); break;
            case SIM_READ: t[row][k] = TIME_OPS(SLICE, enclave_read(0)); break;
            default: t[row][k] = TIME_OPS(SLICE, enclave_read(1)); break;
            }
        }
        for (int row = 0; row < ROWS; row++)
            ratio[row][k] = t[row][k] / t[RAW][k];
    }

    printf("%-30s %12s %8s  %s\n", "counters (us per op)", "time", "vs raw", "target");
    printf("  (directory %s)\n", dir);
    for (int row = 0; row < ROWS; row++) {
        double r = median(ratio[row], ROUNDS), us = median(t[row], ROUNDS) * 1e6;
        const char *target = "";
        if (row == STORE) {
            target = r <= 1.3 ? "<= 1.3x raw INSERT  PASS" : "<= 1.3x raw INSERT  MISSED";
            if (r > 1.3)
                ok = 0;
        }
        if (row == RAW)
            printf("%-30s %12.1f %8s\n", labels[row], us, "");
        else
            printf("%-30s %12.1f %7.3fx  %s\n", labels[row], us, r, target);
    }

    raw_close();
    arca__counter_store_close(store);
    for (int i = 0; i < 2; i++)
        if (arca_enclave_destroy(enclaves[i]) != ARCA_OK)
            ok = 0;
    if (!ok)
        fprintf(stderr, "bench: an operation failed or the target was missed\n");
    return ok ? 0 : 1;
}
