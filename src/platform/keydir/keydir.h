/*
 * keydir.h — what the platforms that keep their root secrets in a directory of files share
 * (dev: the key directory of the user; arcad: the daemon's state directory): the instance
 * structure, the rules for the directory and its files, per-request loading of the secrets,
 * key derivation, evidence signing and first-time creation.
 *
 * A platform describes itself with a profile (its kind, the names its messages use, the file
 * that holds its certificate list, its key derivation labels); everything here is
 * parametrised by it, so that two platforms never differ in how carefully they treat their
 * keys, only in what they are called and which certificates they carry.
 * Internal header: never installed.
 */
#ifndef ARCA_PLATFORM_KEYDIR_H
#define ARCA_PLATFORM_KEYDIR_H

#include <limits.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "../counters.h"
#include "../platform.h"
#include "crypto/crypto.h"
#include "crypto/crypto_x509.h"
#include "formats/evidence.h"

/* Files every key directory holds. */
#define ARCA_KEYDIR_ROOT_FILE "seal-root.key"      /* 32 raw bytes, mode 0600 */
#define ARCA_KEYDIR_KEY_FILE "attestation-key.pem" /* PKCS#8 P-256 private key, mode 0600 */
#define ARCA_KEYDIR_ROOT_SIZE 32

/* Room arca__keydir_normalise leaves after the directory for a file name or a
 * ".init-XXXXXX" suffix. */
#define ARCA_KEYDIR_NAME_ROOM 64

/* Largest key or certificate list file read: a P-256 key is about 250 bytes, and a list of
 * ARCA_EVIDENCE_MAX_CERTS certificates of ARCA_EVIDENCE_MAX_CERT_SIZE as PEM stays below. */
#define ARCA_KEYDIR_FILE_MAX (256u * 1024u)

typedef struct arca__keydir_profile arca__keydir_profile;

struct arca__platform {
    const struct arca_platform_ops *ops;  /* the platform's table (downcasts check it) */
    const arca__keydir_profile *profile;  /* its profile: kind, names, labels */
    char dir[PATH_MAX];                   /* the key directory, as resolved (for messages) */
    /* The key directory, opened once with O_DIRECTORY | O_NOFOLLOW and checked to be the
     * effective user's with mode 0700 or stricter; every file is opened relative to it, so a
     * path swapped after the check cannot redirect a later read. */
    int dir_fd;
    /* No secret here: derive_keys loads the root seal secret, and evidence the attestation
     * key, for one call and wipe them before returning, because an open platform stays in
     * memory for its enclaves' whole life. */
    uint8_t *certs[ARCA_EVIDENCE_MAX_CERTS]; /* the certificate list evidence carries, DER,
                                              * leaf first, root last */
    size_t cert_lens[ARCA_EVIDENCE_MAX_CERTS];
    uint32_t cert_count;
    uint8_t *cert_der;                    /* the leaf: certs[0] (not a copy) */
    size_t cert_len;
    uint8_t platform_id[32];              /* SHA-256 of the leaf's SPKI DER */
    arca__ec_key *public_key;             /* the leaf's key (public only), for loading the
                                           * attestation key */
    int created;                          /* non-zero if this open initialised the directory */
    /* The counter store (counters.h), opened on the first counter request; the lock guards
     * opening it (the store itself is thread-safe). */
    pthread_mutex_t counter_lock;
    int counter_lock_ready;
    arca__counter_store *counters;
    uint32_t counter_quota;               /* counters per owner uid; 0: the store's default */
};

struct arca__keydir_profile {
    const struct arca_platform_ops *ops;
    uint16_t kind;        /* ARCA_PLATFORM_*: evidence says it */
    const char *what;     /* "dev platform", "arcad": the first words of every message */
    const char *dir_noun; /* "key directory", "state directory" */
    /* What to do about a directory or file of another user, a linked directory, and keys
     * someone may have read: whole sentences for the end of a message. */
    const char *own_dir_advice;
    const char *link_advice;
    const char *fresh_advice;
    const char *reopen_advice; /* what to do when the directory was moved since it was opened */
    const char *cert_file; /* the certificate list, PEM, leaf first (mode 0600) */
    const char *pin_file;  /* the certificate relying parties pin: the list's last one */
    uint32_t min_certs, max_certs; /* how many certificates cert_file may hold */
    /* Key derivation labels (docs/formats.md): the enclave and signer keys of isolating
     * backends, then of backends that do not isolate (sim). Each under LABEL_MAX bytes. */
    const char *enclave_label, *signer_label, *enclave_label_sim, *signer_label_sim;
    /* Bytes to allocate for an instance (≥ sizeof(struct arca__platform), which it starts
     * with), for platforms that keep more state. */
    size_t state_size;
    /* More checks of the certificate list at open (NULL: none), after the leaf's key was
     * found to be the attestation key's: @p path names the file in messages. */
    arca_result_t (*check_certs)(const arca__platform *p, arca__cert *const *certs, size_t count,
                                 const char *path);
};

/** out = dir "/" file; @return 0, or -1 if it does not fit (normalise leaves room). */
int arca__keydir_path(char out[PATH_MAX], const char *dir, const char *file);

/**
 * @p dir as the key-directory code uses it: not empty, short enough to leave
 * ARCA_KEYDIR_NAME_ROOM for a file name or a ".init-XXXXXX" suffix, without trailing slashes
 * (so "<dir>.init-XXXXXX" is a sibling, not a child).
 * @return ARCA_OK; ARCA_ERR_INVALID_ARGUMENT (none given); ARCA_ERR_PLATFORM (too long).
 */
arca_result_t arca__keydir_normalise(const arca__keydir_profile *pr, const char *dir,
                                     char out[PATH_MAX]) __attribute__((warn_unused_result));

/**
 * Open the key directory @p dir with O_DIRECTORY | O_NOFOLLOW and check, on the opened
 * descriptor, that it belongs to the effective uid and grants nothing to group or others.
 * @return ARCA_OK; ARCA_ERR_PERMISSION naming the path, the owner and mode found and what to
 *         do (a symbolic link, another owner, group/other bits); ARCA_ERR_PLATFORM_DAMAGED for
 *         something that is not a directory; ARCA_ERR_PLATFORM otherwise (a missing one).
 */
arca_result_t arca__keydir_open_dir(const arca__keydir_profile *pr, const char *dir, int *fd)
    __attribute__((warn_unused_result));

/**
 * Check again that the open key directory is fit: on its descriptor, the rules of
 * arca__keydir_open_dir; and its path still names that directory (not moved, removed or
 * replaced since open), for the few users of a path rather than the descriptor (the counter
 * store, which SQLite opens by name).
 * @return ARCA_OK; ARCA_ERR_PERMISSION saying what changed; ARCA_ERR_PLATFORM otherwise.
 */
arca_result_t arca__keydir_check_dir(const arca__platform *p) __attribute__((warn_unused_result));

/**
 * Read the file @p name of the key directory: opened relative to p->dir_fd with O_NOFOLLOW,
 * and checked on the descriptor to be a regular file of the effective uid with no group or
 * other bits — with @p public_file, no group or other *write* bits (a certificate others may
 * read) — the directory checked again too. At most @p max bytes. On failure *out is NULL; a
 * missing or oversized file is ARCA_ERR_PLATFORM_DAMAGED, a foreign, shared or linked one
 * ARCA_ERR_PERMISSION. The caller wipes and frees *out.
 */
arca_result_t arca__keydir_read(const arca__platform *p, const char *name, int public_file,
                                size_t max, uint8_t **out, size_t *len)
    __attribute__((warn_unused_result));

/**
 * Load the attestation key for one use: read through arca__keydir_read, parsed without
 * leaving a copy of the private scalar in freed memory, the PEM bytes wiped. Free it with
 * arca__ec_free (which clears the scalar) as soon as it has signed.
 */
arca_result_t arca__keydir_load_attestation_key(const arca__platform *p, arca__ec_key **out)
    __attribute__((warn_unused_result));

/**
 * Open an initialised key directory @p dir (resolved already) as a platform of profile
 * @p pr: the directory's rules, then each file once — the root secret, the certificate list
 * (count within the profile's bounds, each certificate small enough for evidence), the
 * attestation key matching the leaf — only to report damage now (ARCA_ERR_PLATFORM_DAMAGED
 * naming the file); derive_keys and evidence read them again. @p created is recorded in the
 * instance. Nothing is created or repaired.
 */
arca_result_t arca__keydir_open(const arca__keydir_profile *pr, const char *dir, int created,
                                arca__platform **out) __attribute__((warn_unused_result));

/** Release an instance of any key-directory platform (NULL: no-op). */
void arca__keydir_close(arca__platform *p);

/** The derive_keys op: HKDF-SHA256 of the root secret under the profile's labels. */
arca_result_t arca__keydir_derive_keys(arca__platform *p, const arca_identity_t *identity,
                                       struct arca__enclave_keys *keys);

/** The evidence op: evidence v2 of the profile's kind carrying the certificate list, signed
 *  with the attestation key loaded for this call. */
arca_result_t arca__keydir_evidence(arca__platform *p, const arca_identity_t *identity,
                                    const uint8_t runtime_digest[32], const uint8_t report_data[64],
                                    uint8_t **evidence, size_t *len);

/**
 * The counter op: the request carried out by the counter store (counters.h) in the key
 * directory, opened on first use with the quota p->counter_quota, after
 * arca__keydir_check_dir. Thread-safe.
 */
arca_result_t arca__keydir_counter(arca__platform *p, const arca_identity_t *identity,
                                   uint32_t owner_uid, const arca__pw_counter *request,
                                   uint64_t *value);

/** The describe op: the directory, the platform id, the pinned certificate's path and the
 *  SHA-256 of its DER (the list's last certificate). */
arca_result_t arca__keydir_describe(arca__platform *p, arca_platform_info_t *out);

/* ---- creation ---- */

/**
 * Write a new file (O_EXCL, no links followed) with exactly these bytes and exactly @p mode
 * (whatever the umask), flushed to disk.
 */
arca_result_t arca__keydir_write_new_file(const arca__keydir_profile *pr, const char *path,
                                          const void *data, size_t len, unsigned mode)
    __attribute__((warn_unused_result));

/** Fill the fresh private directory @p tmp with a new platform's files. */
typedef arca_result_t (*arca__keydir_populate_fn)(void *ctx, const char *tmp);

/**
 * Make sure @p dir holds an initialised platform: if it is missing or an empty directory,
 * build one complete in a private temporary directory next to it with @p populate and rename
 * it into place (several processes may race; exactly one wins, the others use its result).
 * Sets *created when this call did the work. Never touches a non-empty directory, and never
 * creates through a symbolic link (arca__keydir_open_dir then says why it is refused).
 */
arca_result_t arca__keydir_ensure(const arca__keydir_profile *pr, const char *dir,
                                  arca__keydir_populate_fn populate, void *ctx, int *created)
    __attribute__((warn_unused_result));

/**
 * Replace the file @p name of an open key directory with @p data, atomically: a new private
 * temporary file in the directory (mode @p mode), flushed, renamed over @p name, and the
 * directory flushed. A crash leaves the old file or the new one, never a mix.
 */
arca_result_t arca__keydir_replace_file(const arca__platform *p, const char *name,
                                        const void *data, size_t len, unsigned mode)
    __attribute__((warn_unused_result));

#endif
