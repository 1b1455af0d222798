/*
 * platform.h — the platform layer: the root of trust that measures nothing itself but holds
 * the root secrets, derives each enclave's keys from the identity its *loader* computed, and
 * signs evidence about that identity. A platform is a const ops table (after the backends'
 * table, src/host/backend.h) kept in a registry (registry.c).
 *
 * Nothing outside src/platform calls these ops. A loader (the sim backend's loader, or
 * arca-runner) reaches its platform only through a *platform connection*: a SOCK_SEQPACKET
 * descriptor speaking the protocol of src/formats/platform_wire.h. connect.c makes that
 * connection — served by a thread of libarca for a platform of this registry (serve.c), or by
 * another process listening on a Unix socket — and the host API hands the loader's end to the
 * backend without ever reading a key or a secret from it.
 *
 * Implementations: `dev` (the key directory of the user, dev/); next `arcad` (a daemon) and
 * hardware-anchored platforms. Adding one: a directory here and a line in registry.c
 * (docs/architecture.md, "Adding a platform"). Internal header.
 */
#ifndef ARCA_PLATFORM_PLATFORM_H
#define ARCA_PLATFORM_PLATFORM_H

#include <stddef.h>
#include <stdint.h>

#include "arca/identity.h"
#include "arca/platform.h"
#include "arca/result.h"
#include "formats/platform_wire.h"
#include "formats/runtime_abi.h"

#define ARCA_PLATFORM_OPS_VERSION 4

typedef struct arca__platform arca__platform;

struct arca_platform_ops {
    int version;      /* ARCA_PLATFORM_OPS_VERSION */
    const char *name; /* "dev", ...: what ARCA_PLATFORM / options.platform name */
    uint16_t kind;    /* ARCA_PLATFORM_* (arca/identity.h), as carried in evidence */
    /* The keys of options.settings this platform reads ("NAME.KEY=VALUE"), NULL-terminated;
     * every other key under its name is refused by the host API. */
    const char *const *setting_keys;
    /* Non-zero for a platform that is a daemon launching the loader itself (arcad): the host
     * neither opens it nor connects a loader to it (arca__platform_choose gives its socket);
     * every op below is NULL. */
    int is_daemon;
    /* Open (creating on first use where the platform does that). @p dir is the platform's
     * state directory from its "NAME.dir" setting, or NULL for its default. */
    arca_result_t (*open)(const char *dir, arca__platform **out);
    /* Derive the keys for exactly this identity (measurement, signer, product, svn, the DEBUG
     * attribute) on this backend's isolation class (identity->backend: isolating backends and
     * sim never share a key). Protections do not enter the keys. */
    arca_result_t (*derive_keys)(arca__platform *p, const arca_identity_t *identity,
                                 struct arca__enclave_keys *keys);
    /* Sign evidence v2 over the identity the loader bound and the digest of the runtime that
     * ran it (32 bytes, all zero when the loader did not say). Secrets needed for signing are
     * loaded for this call only and wiped before it returns. */
    arca_result_t (*evidence)(arca__platform *p, const arca_identity_t *identity,
                              const uint8_t runtime_digest[32], const uint8_t report_data[64],
                              uint8_t **evidence, size_t *len);
    /* A monotonic counter of @p identity (platform_wire.h, op COUNTER): create, increment
     * (durable before it returns) or read, into *value. @p owner_uid is the user the enclave
     * runs for (quotas). NULL: ARCA_ERR_UNSUPPORTED. */
    arca_result_t (*counter)(arca__platform *p, const arca_identity_t *identity,
                             uint32_t owner_uid, const arca__pw_counter *request, uint64_t *value);
    /* Public facts only (never a secret): paths, platform id, certificate fingerprint. */
    arca_result_t (*describe)(arca__platform *p, arca_platform_info_t *out);
    void (*close)(arca__platform *p);
};

/* ---- the registry (registry.c) ---- */

size_t arca__platform_count(void);
const struct arca_platform_ops *arca__platform_at(size_t index);
/** @return the platform named @p name, or NULL. */
const struct arca_platform_ops *arca__platform_find(const char *name);

/* ---- serving one loader (serve.c) ---- */

/**
 * Serve the platform connection @p fd for @p p until the loader closes it or breaks the
 * protocol (which gets an error reply, then the connection is shut down): BIND
 * first (the identity and runtime digest the loader computed), then any number of KEYS and
 * EVIDENCE requests about that identity. Keys and secrets are wiped after each reply.
 */
void arca__platform_serve(const struct arca_platform_ops *ops, arca__platform *p, int fd);

/*
 * What a server that launched the loader itself (arcad) adds to serving: the user the enclave
 * runs for, a check of BIND against the identity it verified from the image, resume tokens.
 */
typedef struct arca__serve_hooks {
    void *ctx;
    uint32_t owner_uid; /* for the platform's quotas (counter op) */
    /* BIND: refuse an identity other than the one launched; issue a resume token into
     * token (set *has_token). NULL: any identity, no token. */
    arca_result_t (*bound)(void *ctx, const arca_identity_t *identity,
                           const uint8_t runtime_digest[32], uint8_t token[ARCA__PW_TOKEN_SIZE],
                           int *has_token);
    /* RESUME: the identity, runtime digest and owner the token was issued for.
     * NULL: RESUME is refused. */
    arca_result_t (*resume)(void *ctx, const uint8_t token[ARCA__PW_TOKEN_SIZE],
                            arca_identity_t *identity, uint8_t runtime_digest[32],
                            uint32_t *owner_uid);
} arca__serve_hooks;

/** arca__platform_serve with @p hooks (NULL: as arca__platform_serve, owner = euid). */
void arca__platform_serve_with(const struct arca_platform_ops *ops, arca__platform *p, int fd,
                               const arca__serve_hooks *hooks);

/* ---- connections (connect.c) ---- */

/* What keeps a connection served: for a platform of this registry, its serving thread and the
 * open platform; nothing for an external one. Opaque outside connect.c. */
typedef struct arca__platform_link arca__platform_link;

/**
 * Connect a loader to the platform @p spec ("dev" or another registered name; "unix:PATH" for
 * a platform served by another process; NULL = $ARCA_PLATFORM, else "dev") with the
 * platform settings in @p settings (options.settings; may be NULL).
 * @param[out] loader_fd  the loader's end of the connection (CLOEXEC); the caller passes it
 *                        to the loader and closes its own copy
 * @param[out] link       what must be kept until the loader is gone (arca__platform_link_close)
 * @return ARCA_OK; ARCA_ERR_PLATFORM (unknown name, unreachable socket) naming what failed;
 *         the platform's own errors (ARCA_ERR_PERMISSION for a foreign key directory, ...).
 */
arca_result_t arca__platform_connect(const char *spec, const char *const *settings,
                                     int *loader_fd, arca__platform_link **link)
    __attribute__((warn_unused_result));

/* Where arcad listens unless $ARCA_ARCAD_SOCKET or the setting arcad.socket says otherwise. */
#define ARCA_ARCAD_DEFAULT_SOCKET "/run/arca/arcad.sock"

/**
 * Resolve the platform @p spec (NULL: $ARCA_PLATFORM; unset, "" or "auto": arcad when its
 * socket exists and @p backend_isolates, else dev) for a backend. For a daemon platform
 * (arcad), *daemon is set and @p socket gets its path ($ARCA_ARCAD_SOCKET, the setting
 * arcad.socket, or the default); otherwise *daemon is 0 and *spec_out names the platform to
 * pass to arca__platform_connect.
 * @return ARCA_OK, or ARCA_ERR_BACKEND_UNAVAILABLE for arcad with a backend that does not
 *         isolate (sim runs the enclave in the host; arcad launches runners).
 */
arca_result_t arca__platform_choose(const char *spec, const char *const *settings,
                                    int backend_isolates, int *daemon, char *socket, size_t cap,
                                    const char **spec_out) __attribute__((warn_unused_result));

extern const struct arca_platform_ops arca__arcad_daemon_platform;

/** Stop serving (the loader is gone or never started) and release everything. NULL: no-op. */
void arca__platform_link_close(arca__platform_link *link);

extern const struct arca_platform_ops arca__dev_platform;

#endif
