/*
 * platform.h — what a host can learn about (and do to) the platform that holds Arca's root
 * secrets. Today that is the dev platform: a key directory of the user
 * ($ARCA_PLATFORM_DIR, else $XDG_DATA_HOME/arca/platform, else ~/.local/share/arca/platform),
 * created on first use. Its trust rests on the host user; verifiers refuse its evidence
 * unless their policy says AllowDevPlatform = 1. `arca platform init|info` wraps this API.
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
typedef struct arca_platform_info {
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

#ifdef __cplusplus
}
#endif
#endif /* ARCA_PLATFORM_H */
