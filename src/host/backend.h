/*
 * backend.h — the backend ops table (after SQLite's sqlite3_vfs) and the registry.
 *
 * A backend decides how an enclave runs. Each is a const struct arca_backend_ops,
 * registered explicitly at library init (one line in registry.c; tests may register more). The
 * host API (src/host/enclave.c) is a thin wrapper over these ops and the only place that
 * supplies defaults and checks arguments; backends may assume arguments were validated.
 * A backend owns the launch: it hands its loader the verified image and the platform
 * connection and reports what it launched. It never holds keys nor a platform: the loader gets
 * those from the platform over the connection.
 * Internal header: never installed.
 */
#ifndef ARCA_HOST_BACKEND_H
#define ARCA_HOST_BACKEND_H

#include <stddef.h>
#include <stdint.h>

#include "arca/host.h"
#include "formats/image.h"
#include "formats/runtime_abi.h"

#define ARCA_BACKEND_OPS_VERSION 2

struct arca_backend_ops;

/*
 * The way back to the host for the enclave's host calls: the host API's dispatch (Arca's
 * reserved calls, then the application's table) with its context. Backends call it; they
 * never see the handle.
 */
typedef arca_result_t (*arca__host_call_sink)(void *ctx, uint32_t id, const uint8_t *in,
                                              size_t in_len, uint8_t *out, size_t out_cap,
                                              size_t *out_len);

/*
 * Common state every backend instance starts with (its first member); backends downcast
 * with a check of ops.
 */
typedef struct arca__backend_base {
    const struct arca_backend_ops *ops;
    arca__host_call_sink host_call; /* given at launch */
    void *host_ctx;
} arca__backend_base;

/* Everything a backend needs to start one enclave; valid during create() only. */
typedef struct arca__launch {
    const uint8_t *image;         /* verified image bytes */
    size_t image_size;
    int image_fd;                 /* sealed memfd holding exactly those bytes */
    const arca__image_info *info; /* verified identity and config */
    /* The loader's end of its platform connection (src/platform/platform.h): the backend hands
     * it to its loader, which asks the platform for keys and evidence over it. The host API
     * closes its own copy after create; a backend that keeps it open dup()s it. */
    int platform_fd;
    /* 32 bytes: the EDL interface the host was generated from, or NULL (not checked). The
     * loader compares it with the image's before the enclave's init runs
     * (arca__runtime_check_interface). */
    const uint8_t *interface_hash;
    const char *const *settings;  /* options.settings: read this backend's own keys only */
    size_t max_payload;
    /* The platform is a daemon that launches the loader itself (arcad): its socket; then
     * platform_fd is -1 and the backend asks the daemon to start its runner. NULL otherwise. */
    const char *daemon_socket;
} arca__launch;

/* What the backend launched, reported by create. */
typedef struct arca__launched {
    arca_identity_t identity; /* the image's, with this backend's id and the protections in force */
    char caveats[240];        /* why protections are reduced ("" none); arca_enclave_caveats() */
} arca__launched;

struct arca_backend_ops {
    int version;              /* ARCA_BACKEND_OPS_VERSION */
    const char *name;         /* "sim", "process", ... */
    uint16_t backend_id;      /* ARCA_BACKEND_ID_* */
    /* "auto" picks, among backends that probe available, the highest rank; 0 = never. A
     * backend that does not isolate (arca__backend_isolates(backend_id) == 0) is picked only
     * for a debug image. */
    int auto_rank;
    const char *protects;     /* one line: what this backend protects against */
    const char *not_protects; /* one line: what it does not */
    /* The keys of options.settings this backend reads ("NAME.KEY=VALUE"), NULL-terminated. */
    const char *const *setting_keys;
    size_t state_size;        /* bytes to allocate for the instance (≥ sizeof(arca__backend_base)) */
    /* ARCA_OK if the backend can run here; otherwise a reason in why[]. Required. */
    arca_result_t (*probe)(char *why, size_t why_len);
    /* Start the enclave described by launch into zeroed state (base already filled): hand the
     * loader the image and its platform connection, have it check the interface hash, run the
     * image's init hook. Fill *launched. On failure, release everything acquired. Required. */
    arca_result_t (*create)(arca__backend_base *state, const arca__launch *launch,
                            arca__launched *launched);
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
 * The backend "auto" chooses here for an image (@p debug_image: signed Debug = 1), or NULL
 * with the reason in @p why (the first isolating backend's probe failure, or "none").
 */
const struct arca_backend_ops *arca__backend_auto(int debug_image, char *why, size_t why_len);

extern const struct arca_backend_ops arca__sim_backend;
extern const struct arca_backend_ops arca__process_backend;

#endif
