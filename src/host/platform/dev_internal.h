/*
 * dev_internal.h — what the dev platform's files share: the key directory layout, the
 * instance structure and the helpers that find, create and load the directory.
 * Internal header: never installed.
 */
#ifndef ARCA_HOST_PLATFORM_DEV_INTERNAL_H
#define ARCA_HOST_PLATFORM_DEV_INTERNAL_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include "platform.h"
#include "../../common/crypto.h"

/* Files in the key directory. */
#define ARCA_DEV_ROOT_FILE "seal-root.key"         /* 32 raw bytes, mode 0600 */
#define ARCA_DEV_KEY_FILE "attestation-key.pem"    /* PKCS#8 P-256 private key, mode 0600 */
#define ARCA_DEV_CERT_FILE "platform-cert.pem"     /* self-signed X.509 certificate, PEM */
#define ARCA_DEV_ROOT_SIZE 32

struct arca__platform {
    const struct arca_platform_ops *ops;  /* &arca__dev_platform */
    char dir[PATH_MAX];                   /* absolute key directory */
    /* No root seal secret here: derive_keys loads it from dir and wipes it before returning,
     * because an open platform stays in host memory for its enclave's whole life. */
    arca__ec_key *attestation_key;
    uint8_t *cert_der;                    /* platform certificate, DER */
    size_t cert_len;
    uint8_t platform_id[32];              /* SHA-256 of the certificate's SPKI DER */
    int created;                          /* non-zero if this open initialised the directory */
};

/** out = dir "/" file; @return 0, or -1 if it does not fit (resolve_dir leaves room, so never). */
int arca__dev_path(char out[PATH_MAX], const char *dir, const char *file);

/* Room resolve_dir leaves after the directory for a file name or a ".init-XXXXXX" suffix. */
#define ARCA_DEV_NAME_ROOM 64

/** Resolve the key directory: dir, else $ARCA_PLATFORM_DIR, else XDG data dir, else ~/.local/share. */
arca_result_t arca__dev_resolve_dir(const char *dir, char out[PATH_MAX]);

/**
 * Make sure @p dir holds an initialised platform: create it atomically if it is missing or
 * an empty directory (several processes may race; exactly one wins, the others use its
 * result). Sets *created when this call did the work. Never touches a non-empty directory.
 */
arca_result_t arca__dev_ensure_dir(const char *dir, int *created);

/** SHA-256 of the SubjectPublicKeyInfo DER of an EVP_PKEY (the platform id). */
arca_result_t arca__dev_spki_hash(void *evp_pkey, uint8_t out[32]);

#endif
