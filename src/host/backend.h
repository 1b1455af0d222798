/*
 * backend.h — the backend ops table (after SQLite's sqlite3_vfs) and the registry.
 *
 * A backend decides how an enclave runs. Each is a const struct arca_backend_ops,
 * registered explicitly at library init. The host API (src/host/enclave.c) is a thin
 * wrapper over these ops and the only place that supplies defaults and checks arguments;
 * backends may assume arguments were validated.
 * Internal header: never installed.
 */
#ifndef ARCA_HOST_BACKEND_H
#define ARCA_HOST_BACKEND_H

#include <stddef.h>
#include <stdint.h>

#include "arca/host.h"
#include "../common/image.h"
#include "../common/runtime_abi.h"

#define ARCA_BACKEND_OPS_VERSION 1

struct arca_backend_ops;

/*
 * Common state every backend instance starts with (its first member); backends downcast
 * with a check of ops (see arca__backend_state()).
 */
typedef struct arca__backend_base {
    const struct arca_backend_ops *ops;
    struct arca_enclave *enclave; /* the owning host handle, for host-call dispatch */
} arca__backend_base;

/* Everything a backend needs to start one enclave; valid during create() only. */
typedef struct arca__launch {
    const uint8_t *image;        /* verified image bytes */
    size_t image_size;
    int image_fd;                /* sealed memfd holding exactly those bytes */
    const arca__image_info *info; /* verified identity and config */
    const struct arca__enclave_keys *keys; /* platform-derived keys for this identity */
    const arca_enclave_options_t *options;
    size_t max_payload;
} arca__launch;

struct arca_backend_ops {
    int version;              /* ARCA_BACKEND_OPS_VERSION */
    const char *name;         /* "sim", "process", ... */
    uint16_t backend_id;      /* ARCA_BACKEND_ID_* */
    const char *protects;     /* one line: what this backend protects against */
    const char *not_protects; /* one line: what it does not */
    size_t state_size;        /* bytes to allocate for the instance (≥ sizeof(arca__backend_base)) */
    /* ARCA_OK if the backend can run here; otherwise a reason in why[]. Required. */
    arca_result_t (*probe)(char *why, size_t why_len);
    /* Start the enclave described by launch into zeroed state (base already filled). Must run
     * the image's init hook; on failure, must release everything it acquired. *protections_out
     * is the handle's own identity field: write it as soon as the protections are in force,
     * before the init hook runs (evidence asked for by the hook names them). Required. */
    arca_result_t (*create)(arca__backend_base *state, const arca__launch *launch,
                            uint32_t *protections_out);
    /* One ecall. Thread-safe. The host API hands out slots: 0 <= slot < config.threads, and no
     * other call uses the same slot until this one returns (so a backend with per-thread
     * resources needs no locking or atomics of its own to pick one). Required. */
    arca_result_t (*call)(arca__backend_base *state, uint32_t slot, uint32_t fn_id, const uint8_t *in,
                          size_t in_len, uint8_t *out, size_t out_cap, size_t *out_len);
    /* Run fini and release everything. No call is in flight when this is invoked. Required. */
    void (*destroy)(arca__backend_base *state);
};

/* The registry. Built-in backends are registered on first use. */
size_t arca__backend_count(void);
const struct arca_backend_ops *arca__backend_at(size_t index);
const struct arca_backend_ops *arca__backend_find(const char *name);
/** Register an extra backend (tests); ARCA_ERR_INVALID_ARGUMENT if the name is taken. */
arca_result_t arca__backend_register(const struct arca_backend_ops *ops);

/**
 * What a backend learnt at launch about the runtime it started, kept with the handle: the
 * runtime digest (signed into evidence) and the caveats (why protections are reduced; ""
 * none; arca_enclave_caveats()). Called from create, before the enclave's init runs.
 */
void arca__enclave_set_runtime(struct arca_enclave *enclave, const uint8_t digest[32],
                               const char *caveats);

/*
 * Serve a host call for the enclave that owns @p base: Arca's reserved calls (log,
 * evidence) and then the user's table. Backends call this; it never trusts its inputs
 * beyond their stated lengths.
 */
arca_result_t arca__host_dispatch(struct arca_enclave *enclave, uint32_t id, const uint8_t *in,
                                  size_t in_len, uint8_t *out, size_t out_cap, size_t *out_len);

extern const struct arca_backend_ops arca__sim_backend;
extern const struct arca_backend_ops arca__process_backend;

#endif
