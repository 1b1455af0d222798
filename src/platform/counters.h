/*
 * counters.h — the monotonic counters a platform keeps for its enclaves (rollback protection):
 * an SQLite database in the platform's state directory (WAL, synchronous=FULL), shared by
 * every platform that keeps counters (dev: the key directory; arcad: its state directory).
 *
 * A counter is named by its enclave (1..64 bytes of [A-Za-z0-9._-]) and scoped to the
 * enclave's identity under a policy, as sealing keys are: ARCA_SEAL_ENCLAVE — its
 * measurement; ARCA_SEAL_SIGNER — its signer and product id (any SVN, so a counter survives
 * an upgrade); always also the isolation class of its backend (sim never shares a counter
 * with an isolating backend) and the DEBUG attribute (debug and production enclaves never
 * share one). The scope does not include the owner: enclaves of one identity share their
 * counters whichever user runs them, as SGX's counters did. An increment returns the new
 * value only after the transaction that stored it is durable; values never go backwards and
 * an acknowledged increment is never lost, whatever happens to the process. Quota: at most
 * max_per_owner counters per owner uid (the user the creating enclave runs for); counters are
 * never deleted. Thread-safe: one store may serve several connections' threads, and several
 * processes may open the same database. Internal header.
 */
#ifndef ARCA_PLATFORM_COUNTERS_H
#define ARCA_PLATFORM_COUNTERS_H

#include <stdint.h>

#include "arca/identity.h"
#include "arca/result.h"
#include "formats/platform_wire.h"

#define ARCA_COUNTER_DB_FILE "counters.db"
#define ARCA_COUNTER_DEFAULT_QUOTA 1024u

typedef struct arca__counter_store arca__counter_store;

/**
 * Open (creating on first use, mode 0600) the counter database ARCA_COUNTER_DB_FILE in the
 * directory @p dir (already checked by the platform: the effective user's, mode 0700).
 * @param max_per_owner  counters one owner uid may create (0: ARCA_COUNTER_DEFAULT_QUOTA)
 * @return ARCA_OK; ARCA_ERR_PLATFORM_DAMAGED naming the file when it is not a counter
 *         database (not SQLite, another application's database, a newer schema, damaged
 *         pages) or not a regular file; ARCA_ERR_PERMISSION for a symbolic link, a file of
 *         another user or with group/other bits; ARCA_ERR_PLATFORM for other I/O failures.
 */
arca_result_t arca__counter_store_open(const char *dir, uint32_t max_per_owner,
                                       arca__counter_store **out)
    __attribute__((warn_unused_result));

/**
 * Carry out @p request for the enclave @p identity run for @p owner_uid, into *value:
 * CREATE (0; ARCA_ERR_EXISTS if the counter exists; ARCA_ERR_QUOTA past the owner's quota),
 * INCREMENT (the new value, after it is durable; ARCA_ERR_OVERFLOW at UINT64_MAX),
 * READ. A missing counter is ARCA_ERR_NOT_FOUND; a request whose action, policy or name
 * breaks platform_wire.h's rules, or an identity without a backend, ARCA_ERR_INVALID_ARGUMENT.
 * A database error is ARCA_ERR_PLATFORM with SQLite's message (ARCA_ERR_PLATFORM_DAMAGED for
 * damaged pages); no value is handed out then, and the increment is either undone or (when the
 * disk failed during COMMIT itself) possibly durable anyway, as with any durable store: a
 * counter never goes backwards, an unacknowledged increment may show up later.
 */
arca_result_t arca__counter_store_apply(arca__counter_store *store,
                                        const arca_identity_t *identity, uint32_t owner_uid,
                                        const arca__pw_counter *request, uint64_t *value)
    __attribute__((warn_unused_result));

/** Counters @p owner_uid created (for quotas and `arca platform info`); 0 on error. */
uint32_t arca__counter_store_count(arca__counter_store *store, uint32_t owner_uid);

/** Close (NULL: no-op). */
void arca__counter_store_close(arca__counter_store *store);

#endif
