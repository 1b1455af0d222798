/*
 * platform.h — what a host can learn about (and do to) the platform that holds Arca's root
 * secrets: the dev platform, a key directory of the user ($ARCA_PLATFORM_DIR, else
 * $XDG_DATA_HOME/arca/platform, else ~/.local/share/arca/platform) created on first use, whose
 * trust rests on the host user (verifiers refuse its evidence unless their policy says
 * AllowDevPlatform = 1); or arcad, the platform daemon under its own user (docs/arcad.md),
 * which hosts reach over its socket. `arca platform init|info` wraps this API.
 */
#ifndef ARCA_PLATFORM_H
#define ARCA_PLATFORM_H

#include <stddef.h>
#include <stdint.h>

#include "arca/result.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ARCA_PLATFORM_PATH_MAX 4096

/** Facts about one platform. */
typedef struct arca_platform_info_s { /* tags differ from the functions (C++) */
    const char *kind;                       /**< "dev" */
    char dir[ARCA_PLATFORM_PATH_MAX];       /**< key directory */
    char cert_path[ARCA_PLATFORM_PATH_MAX]; /**< the platform certificate (PEM): pin it in policies */
    uint8_t platform_id[32];                /**< SHA-256 of the certificate's SubjectPublicKeyInfo DER */
    uint8_t cert_sha256[32];                /**< SHA-256 of the certificate DER (its fingerprint) */
    int created;                            /**< non-zero if this call initialised the directory */
} arca_platform_info_t;

/**
 * Open the dev platform (creating it on first use) and describe it.
 * @param[in]  dir  key directory, or NULL for $ARCA_PLATFORM_DIR or the default
 * @param[out] out  the description
 * @return ARCA_OK; ARCA_ERR_PLATFORM (cannot create/read); ARCA_ERR_PLATFORM_DAMAGED (a key
 *         file is missing or broken: restore it, it is never regenerated). See arca_last_error().
 */
arca_result_t arca_platform_info(const char *dir, arca_platform_info_t *out);

/** What arcad, the platform daemon, says about itself and about the calling user. */
typedef struct arca_arcad_info_s {
    char socket[108];         /**< the socket asked */
    uint32_t uid;             /**< the caller, as arcad identified it (SO_PEERCRED) */
    uint32_t enclaves;        /**< the caller's live enclaves */
    uint32_t enclave_quota;   /**< ... and how many it may have */
    uint32_t counters;        /**< monotonic counters the caller's enclaves created */
    uint32_t counter_quota;   /**< ... and how many they may create */
    uint64_t max_image;       /**< the largest image arcad accepts, in bytes */
    uint8_t platform_id[32];  /**< SHA-256 of the leaf certificate's SubjectPublicKeyInfo DER */
    uint8_t root_sha256[32];  /**< SHA-256 of the root certificate DER: what policies pin */
    char *root_pem;           /**< the root certificate, PEM (free() it; pin it: TrustedArcadRoot) */
} arca_arcad_info_t;

/**
 * Ask arcad about itself (public facts only).
 * @param[in]  socket  its socket, or NULL: $ARCA_ARCAD_SOCKET, else /run/arca/arcad.sock
 * @param[out] out     the answer; free out->root_pem when done
 * @return ARCA_OK; ARCA_ERR_PLATFORM_UNAVAILABLE when arcad is not running (arca_last_error()
 *         says why); ARCA_ERR_BAD_HOST_REPLY for a malformed answer.
 */
arca_result_t arca_arcad_info(const char *socket, arca_arcad_info_t *out);

/**
 * The platform a host creating an enclave on an isolating backend would use here, as
 * ARCA_PLATFORM (unset or "auto": arcad when its socket exists, else dev) and
 * ARCA_ARCAD_SOCKET decide: "arcad" or "dev" (or another name ARCA_PLATFORM gives).
 */
const char *arca_platform_default(void);

#ifdef __cplusplus
}
#endif
#endif /* ARCA_PLATFORM_H */
