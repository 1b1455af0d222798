/*
 * dev_internal.h — what the dev platform's files share: the key directory layout, the
 * instance structure and the helpers that find, create, check and read the directory.
 * Internal header: never installed.
 */
#ifndef ARCA_PLATFORM_DEV_INTERNAL_H
#define ARCA_PLATFORM_DEV_INTERNAL_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include "../platform.h"
#include "crypto/crypto.h"

/* Files in the key directory. */
#define ARCA_DEV_ROOT_FILE "seal-root.key"         /* 32 raw bytes, mode 0600 */
#define ARCA_DEV_KEY_FILE "attestation-key.pem"    /* PKCS#8 P-256 private key, mode 0600 */
#define ARCA_DEV_CERT_FILE "platform-cert.pem"     /* self-signed X.509 certificate, PEM */
#define ARCA_DEV_ROOT_SIZE 32

struct arca__platform {
    const struct arca_platform_ops *ops;  /* &arca__dev_platform */
    char dir[PATH_MAX];                   /* the key directory, as resolved (for messages) */
    /* The key directory, opened once with O_DIRECTORY | O_NOFOLLOW and checked to be the
     * effective user's with mode 0700 or stricter; every file is opened relative to it, so a
     * path swapped after the check cannot redirect a later read. */
    int dir_fd;
    /* No secret here: derive_keys loads the root seal secret, and evidence the attestation
     * key, for one call and wipe them before returning, because an open platform stays in
     * host memory for its enclave's whole life. */
    uint8_t *cert_der;                    /* platform certificate, DER */
    size_t cert_len;
    uint8_t platform_id[32];              /* SHA-256 of the certificate's SPKI DER */
    arca__ec_key *public_key;             /* the certificate's key (public only), for loading
                                           * the attestation key */
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

/**
 * Open the key directory @p dir with O_DIRECTORY | O_NOFOLLOW and check, on the opened
 * descriptor, that it belongs to the effective uid and grants nothing to group or others.
 * @return ARCA_OK; ARCA_ERR_PERMISSION naming the path, the owner and mode found and what to
 *         do (a symbolic link, another owner, group/other bits); ARCA_ERR_PLATFORM otherwise.
 */
arca_result_t arca__dev_open_dir(const char *dir, int *fd) __attribute__((warn_unused_result));

/**
 * Read the file @p name of the key directory: opened relative to p->dir_fd with O_NOFOLLOW,
 * and checked on the descriptor to be a regular file of the effective uid with no group or
 * other bits (the directory is checked again too). At most @p max bytes. On failure *out is
 * NULL; a missing or oversized file is ARCA_ERR_PLATFORM_DAMAGED, a foreign, shared or linked
 * one ARCA_ERR_PERMISSION. The caller wipes and frees *out.
 */
arca_result_t arca__dev_read(const arca__platform *p, const char *name, size_t max, uint8_t **out,
                             size_t *len) __attribute__((warn_unused_result));

/**
 * Load the attestation key for one use: read through arca__dev_read, parsed without leaving
 * a copy of the private scalar in freed memory, the PEM bytes wiped. Free it with
 * arca__ec_free (which clears the scalar) as soon as it has signed. dev_open also checks that
 * it is the key of the platform certificate.
 */
arca_result_t arca__dev_load_attestation_key(const arca__platform *p, arca__ec_key **out)
    __attribute__((warn_unused_result));

/** The describe op: public facts of an open platform (describe.c). */
arca_result_t arca__dev_describe(arca__platform *p, arca_platform_info_t *out);

#endif
