/*
 * dev_internal.h — what the dev platform's files share: the key directory's file names, its
 * profile (how src/platform/keydir, the code it shares with arcad, names and treats it) and
 * where the directory is. Internal header: never installed.
 */
#ifndef ARCA_PLATFORM_DEV_INTERNAL_H
#define ARCA_PLATFORM_DEV_INTERNAL_H

#include <limits.h>

#include "../keydir/keydir.h"

/* Files in the key directory. */
#define ARCA_DEV_ROOT_FILE ARCA_KEYDIR_ROOT_FILE /* 32 raw bytes, mode 0600 */
#define ARCA_DEV_KEY_FILE ARCA_KEYDIR_KEY_FILE   /* PKCS#8 P-256 private key, mode 0600 */
#define ARCA_DEV_CERT_FILE "platform-cert.pem"   /* self-signed X.509 certificate, PEM, 0600 */
#define ARCA_DEV_ROOT_SIZE ARCA_KEYDIR_ROOT_SIZE
#define ARCA_DEV_NAME_ROOM ARCA_KEYDIR_NAME_ROOM

/* How the key-directory code names and treats the dev platform (dev.c). */
extern const arca__keydir_profile arca__dev_profile;

/** out = dir "/" file; @return 0, or -1 if it does not fit (resolve_dir leaves room, so never). */
static inline int arca__dev_path(char out[PATH_MAX], const char *dir, const char *file)
{
    return arca__keydir_path(out, dir, file);
}

/** Resolve the key directory: dir, else $ARCA_PLATFORM_DIR, else the XDG data directory, else
 *  ~/.local/share/arca/platform. */
arca_result_t arca__dev_resolve_dir(const char *dir, char out[PATH_MAX]);

/** Fill a fresh temporary directory with a new dev platform (an arca__keydir_populate_fn). */
arca_result_t arca__dev_populate(void *ctx, const char *tmp);

/** The key directory is still fit and still at its path (arca__keydir_check_dir). */
static inline arca_result_t arca__dev_check_dir(const arca__platform *p)
{
    return arca__keydir_check_dir(p);
}

/**
 * Load the attestation key for one use (arca__keydir_load_attestation_key). Free it with
 * arca__ec_free (which clears the scalar) as soon as it has signed.
 */
static inline arca_result_t arca__dev_load_attestation_key(const arca__platform *p,
                                                           arca__ec_key **out)
{
    return arca__keydir_load_attestation_key(p, out);
}

#endif
