/*
 * runtime_abi.h — the contract between a loader (the sim backend, arca-runner) and the
 * trusted runtime linked into every enclave image (libarca_enclave.a). Version 2.
 *
 * The image exports exactly one symbol, ARCA_RUNTIME_SYMBOL, a const struct arca__runtime.
 * The loader calls init() once with a struct arca__loader_iface, then dispatch() for each
 * ecall (possibly from several threads, at most config.threads at once), then fini().
 * Two kinds of service reach the runtime through that interface:
 *   - host calls (host_call): the untrusted host's; every result is checked before use;
 *   - trusted services (get_keys, get_evidence): the loader's own, which it carries out over
 *     its platform connection (src/loader/services.c), never through the host. The enclave's
 *     keys and evidence come from the platform to the loader to the runtime.
 * Internal header: never installed.
 */
#ifndef ARCA_COMMON_RUNTIME_ABI_H
#define ARCA_COMMON_RUNTIME_ABI_H

#include <stddef.h>
#include <stdint.h>

#include "arca/identity.h"
#include "arca/result.h"

#define ARCA_RUNTIME_ABI_VERSION 3
#define ARCA_RUNTIME_SYMBOL "arca__runtime_v3"

/* Host calls reserved by Arca itself (≥ ARCA_HOST_CALL_RESERVED of arca/host.h). */
#define ARCA__HOSTCALL_RESERVED UINT32_C(0xFFFF0000)
#define ARCA__HOSTCALL_LOG UINT32_C(0xFFFF0001)      /* in: u32 level, then text */
/* 0xFFFF0002 was the evidence host call (runtime ABI 1): never reused. */
#define ARCA__HOSTCALL_OUTPUT UINT32_C(0xFFFF0003)   /* in: u32 stream (1, 2), then bytes */

/*
 * Keys the platform derived for this enclave's identity. Never root secrets. Loaders copy
 * the whole struct (assignment / sizeof), never field by field.
 * SIGNER keys form a two-level tree over svn = 256*h + l (src/formats/sealblob.h): the enclave
 * gets K(h, l) and, when h > 0, the tier key T(h-1), from which it derives every key at or
 * below its own SVN and none above.
 */
struct arca__enclave_keys {
    uint8_t enclave_key[32];  /* ARCA_SEAL_ENCLAVE policy key: bound to measurement + attributes */
    uint8_t signer_key[32];   /* ARCA_SEAL_SIGNER policy key K(h, l) at this enclave's own SVN */
    uint8_t signer_lower[32]; /* T(h-1) when has_lower, else zero */
    uint8_t has_lower;        /* 1 when signer_lower holds T(h-1) (svn >= 256), else 0 */
    uint8_t reserved[7];      /* zero */
};

typedef arca_result_t (*arca__host_call_fn)(void *ctx, uint32_t id, const uint8_t *in,
                                            size_t in_len, uint8_t *out, size_t out_cap,
                                            size_t *out_len);

/* What the loader hands the runtime. The runtime copies it; the loader may free it after init. */
struct arca__loader_iface {
    uint32_t abi_version; /* ARCA_RUNTIME_ABI_VERSION */
    void *ctx;            /* passed back to host_call */
    arca__host_call_fn host_call;
    void *services;       /* passed back to get_keys and get_evidence */
    /* The keys the platform derived for this identity, into *keys (wiped on error). */
    arca_result_t (*get_keys)(void *services, struct arca__enclave_keys *keys);
    /* Evidence about this identity and @p report_data from the platform, into out (cap bytes);
     * ARCA_ERR_BUFFER_TOO_SMALL with *len = the size needed. */
    arca_result_t (*get_evidence)(void *services, const uint8_t report_data[64], uint8_t *out,
                                  size_t cap, size_t *len);
    /* A monotonic counter of this enclave at the platform: @p action ARCA__PW_COUNTER_CREATE
     * (value 0; ARCA_ERR_EXISTS if it exists), _INCREMENT (the new value, returned only once
     * it is durable) or _READ, of counter @p name (1..64 bytes of [A-Za-z0-9._-]) under
     * @p policy (ARCA_SEAL_ENCLAVE or ARCA_SEAL_SIGNER). ARCA_ERR_NOT_FOUND if missing. */
    arca_result_t (*counter)(void *services, uint32_t action, uint32_t policy, const char *name,
                             uint64_t *value);
    arca_identity_t identity; /* what the loader computed and bound at the platform */
};

/* What the image exports. */
struct arca__runtime {
    uint32_t abi_version;
    /* 32 bytes naming the EDL interface the image was generated from (arca-edger), or NULL. */
    const uint8_t *interface_hash;
    /* Copies *iface, asks for the keys, then runs arca_enclave_init() if defined. */
    arca_result_t (*init)(const struct arca__loader_iface *iface);
    /* Runs ecall fn_id on private buffers the loader owns. */
    arca_result_t (*dispatch)(uint32_t fn_id, const uint8_t *in, size_t in_len, uint8_t *out,
                              size_t out_cap, size_t *out_len);
    /* Runs arca_enclave_fini() if defined and wipes the keys. */
    void (*fini)(void);
};

#endif
