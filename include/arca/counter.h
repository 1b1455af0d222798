/*
 * counter.h — monotonic counters kept by the platform, for rollback protection. Enclave-side
 * API (include after arca/enclave.h).
 *
 * Sealed data stored by the host can be replaced by an older copy that still unseals (a
 * rollback). An enclave that puts a counter's value into what it seals, and increments the
 * counter each time it seals a new version, can tell the current version from an old one:
 * an unsealed value below the counter's is stale. The counter is kept by the platform, not
 * the host: on `arcad`, in the daemon's database, out of the host user's reach; on the `dev`
 * platform, in the host user's key directory, so there it protects against everyone but the
 * host user (docs/threat-model.md, "Rollback protection").
 *
 * Scope: a counter is named by the enclave (1 to 64 bytes of A-Z a-z 0-9 . _ -) and belongs
 * to the enclave's identity under a policy, as sealing keys do: ARCA_SEAL_ENCLAVE — this
 * measurement only; ARCA_SEAL_SIGNER — every enclave of this signer and product id, at any
 * security version (so an upgraded enclave keeps its counters). Debug and production
 * enclaves, and enclaves on `sim` and on an isolating backend, never share a counter. The
 * same name under the two policies names two counters. The user running the enclave does
 * not enter the scope (counters count against that user's quota on the platform).
 *
 * Durability: a counter never goes backwards, and an increment returns its value only after
 * the platform stored it durably (an SQLite transaction in WAL mode with synchronous=FULL),
 * so an acknowledged value survives a crash of the host, the enclave or the platform, and a
 * power cut. Counters are never deleted.
 *
 * The Intel SGX SDK's sgx_create_monotonic_counter / sgx_increment_monotonic_counter /
 * sgx_read_monotonic_counter map to these functions (docs/porting.md).
 */
#ifndef ARCA_COUNTER_H
#define ARCA_COUNTER_H

#include <stdint.h>

#include "arca/result.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Longest counter name, in bytes. */
#define ARCA_COUNTER_NAME_MAX 64

/**
 * Create the counter @p name of this enclave under @p policy, with the value 0.
 * @param[in] name    1 to ARCA_COUNTER_NAME_MAX bytes of A-Z a-z 0-9 . _ -, NUL-terminated
 * @param[in] policy  ARCA_SEAL_ENCLAVE or ARCA_SEAL_SIGNER (arca/seal.h)
 * @return ARCA_OK; ARCA_ERR_EXISTS (the counter exists: read it instead);
 *         ARCA_ERR_QUOTA (the user running the enclave has as many counters as the platform
 *         allows); ARCA_ERR_INVALID_ARGUMENT (NULL or bad name, bad policy: refused inside the
 *         enclave, the platform is not asked); ARCA_ERR_UNSUPPORTED (a platform without
 *         counters); ARCA_ERR_PLATFORM_UNAVAILABLE (the platform daemon is not running; asking
 *         again after it is back succeeds); ARCA_ERR_PLATFORM / ARCA_ERR_PLATFORM_DAMAGED (the
 *         platform's store failed, with its reason); ARCA_ERR_BAD_HOST_REPLY (the reply was
 *         not a value a create can have).
 */
ARCA_MUST_CHECK arca_result_t arca_counter_create(const char *name, int policy);

/**
 * Add one to the counter @p name under @p policy and return the new value, once it is
 * durable. Concurrent increments (other threads, other enclaves of the scope) each get their
 * own value; no two acknowledged increments return the same one.
 * @param[out] new_value  the value after this increment (at least 1)
 * @return ARCA_OK; ARCA_ERR_NOT_FOUND (no such counter: create it first); ARCA_ERR_OVERFLOW
 *         (the counter is at 2^64 - 1); otherwise as arca_counter_create. On error
 *         *new_value is unchanged, and the increment may have happened only when the platform
 *         failed during its own commit (a later read shows; a counter never goes backwards).
 */
ARCA_MUST_CHECK arca_result_t arca_counter_increment(const char *name, int policy,
                                                     uint64_t *new_value);

/**
 * Read the counter @p name under @p policy: the value of its last acknowledged increment
 * (or 0 if it was never incremented).
 * @param[out] value  the current value
 * @return ARCA_OK; ARCA_ERR_NOT_FOUND (no such counter); otherwise as arca_counter_create.
 *         On error *value is unchanged.
 */
ARCA_MUST_CHECK arca_result_t arca_counter_read(const char *name, int policy, uint64_t *value);

#ifdef __cplusplus
}
#endif
#endif /* ARCA_COUNTER_H */
