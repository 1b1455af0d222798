/*
 * platform.h — the platform interface: the root of trust that measures nothing itself but
 * holds the root secrets, derives each enclave's keys from the identity the *loader*
 * computed, and signs evidence about that identity. The enclave side (sim runtime or
 * arca-runner) only ever receives derived keys.
 *
 * Implementations: `dev` (key directory of the user, this file's first implementation);
 * later `arcad` (daemon) and hardware-anchored platforms. Internal header.
 */
#ifndef ARCA_HOST_PLATFORM_H
#define ARCA_HOST_PLATFORM_H

#include <stddef.h>
#include <stdint.h>

#include "arca/identity.h"
#include "arca/result.h"
#include "../../common/runtime_abi.h"

#define ARCA_PLATFORM_OPS_VERSION 2

/* Platform kinds, as carried in evidence. */
#define ARCA_PLATFORM_KIND_DEV 1
#define ARCA_PLATFORM_KIND_ARCAD 2

typedef struct arca__platform arca__platform;

struct arca_platform_ops {
    int version;      /* ARCA_PLATFORM_OPS_VERSION */
    const char *name; /* "dev", ... */
    uint16_t kind;    /* ARCA_PLATFORM_KIND_* */
    /* Open (creating on first use where the platform does that). dir may be NULL = default. */
    arca_result_t (*open)(const char *dir, arca__platform **out);
    /* Derive the keys for exactly this identity (measurement, signer, product, svn, the DEBUG
     * attribute) on this backend's isolation class (identity->backend: isolating backends and
     * sim never share a key). Protections do not enter the keys. */
    arca_result_t (*derive_keys)(arca__platform *p, const arca_identity_t *identity,
                                 struct arca__enclave_keys *keys);
    /* Sign evidence v2 over the identity the platform was given by the loader and the digest
     * of the runtime that ran it (32 bytes, all zero when the backend did not say). Secrets
     * needed for signing are loaded for this call only and wiped before it returns. */
    arca_result_t (*evidence)(arca__platform *p, const arca_identity_t *identity,
                              const uint8_t runtime_digest[32], const uint8_t report_data[64],
                              uint8_t **evidence, size_t *len);
    void (*close)(arca__platform *p);
};

extern const struct arca_platform_ops arca__dev_platform;

#endif
