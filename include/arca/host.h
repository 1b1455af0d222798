/*
 * host.h — the API a host application uses to load, call and destroy enclaves.
 *
 * The host is untrusted. Everything crosses the boundary by copy: the enclave never
 * sees host memory, and the host never sees enclave memory. The same calls work on
 * every backend (sim, process, ...); the backend is chosen by option, by the
 * ARCA_BACKEND environment variable, or automatically.
 */
#ifndef ARCA_HOST_H
#define ARCA_HOST_H

#ifdef ARCA_ENCLAVE_H
#error "arca/host.h and arca/enclave.h cannot be included together: host code and enclave code are built separately"
#endif

#include <stddef.h>
#include <stdint.h>

#include "arca/identity.h"
#include "arca/result.h"

#ifdef __cplusplus
extern "C" {
#endif

/** An enclave loaded by this host; opaque. */
typedef struct arca_enclave arca_enclave_t;

/**
 * A host call (ocall) served by the host on behalf of the enclave.
 * @param[in]  ctx      the host_ctx given in the options
 * @param[in]  in       a private copy of the enclave's request (in_len bytes)
 * @param[out] out      buffer of out_cap bytes for the reply
 * @param[out] out_len  bytes written (or, with ARCA_ERR_BUFFER_TOO_SMALL, bytes needed)
 * @return ARCA_OK or an error that is passed to the enclave.
 */
typedef arca_result_t (*arca_host_fn)(void *ctx, const uint8_t *in, size_t in_len, uint8_t *out,
                                      size_t out_cap, size_t *out_len);

/**
 * Where an enclave's standard output goes: its `printf`, `puts`, `fprintf(stdout, ...)`,
 * `fwrite(..., stderr)`... (the same on every backend).
 * @param[in] ctx     the output_ctx given in the options
 * @param[in] stream  1 for stdout, 2 for stderr
 * @param[in] bytes   the bytes the enclave wrote (len bytes; not NUL-terminated; untrusted)
 */
typedef void (*arca_output_fn)(void *ctx, int stream, const char *bytes, size_t len);

#ifndef ARCA_LOG_ERROR /* the same levels as arca/enclave.h */
#define ARCA_LOG_ERROR 0
#define ARCA_LOG_WARN 1
#define ARCA_LOG_INFO 2
#define ARCA_LOG_DEBUG 3
#endif

/**
 * Where the enclave's arca_log() lines go (after the ARCA_LOG_LEVEL filter: error, warn, info —
 * the default — or debug).
 * @param[in] ctx    the log_ctx given in the options
 * @param[in] level  ARCA_LOG_ERROR … ARCA_LOG_DEBUG (an unknown level from the enclave is DEBUG)
 * @param[in] text   the line, NUL-terminated, printable ASCII: every other byte of what the
 *                   enclave sent is escaped as \\xNN; cut at 4096 bytes with " [truncated]"
 */
typedef void (*arca_log_fn)(void *ctx, int level, const char *text);

/** One entry of the host-call table. Ids at or above ARCA_HOST_CALL_RESERVED are Arca's. */
typedef struct arca_host_call {
    uint32_t id;
    arca_host_fn fn;
} arca_host_call_t;

#define ARCA_HOST_CALL_RESERVED UINT32_C(0xFFFF0000)

#define ARCA_ENCLAVE_OPTIONS_VERSION 2
/** Default maximum payload of one call (each direction): 4 MiB. */
#define ARCA_DEFAULT_MAX_PAYLOAD (4u * 1024u * 1024u)

/** Options for arca_enclave_create(); initialise with arca_enclave_options_init(). */
typedef struct arca_enclave_options {
    uint32_t version;                   /**< ARCA_ENCLAVE_OPTIONS_VERSION */
    const char *backend;                /**< "sim", "process", "auto" or NULL (= $ARCA_BACKEND, else auto);
                                             auto picks an isolating backend, and sim only for a
                                             debug image (ARCA_ERR_BACKEND_UNAVAILABLE otherwise) */
    const arca_host_call_t *host_calls; /**< host-call table, may be NULL */
    size_t host_call_count;             /**< entries in host_calls */
    void *host_ctx;                     /**< passed to every host call */
    int refuse_debug;                   /**< non-zero: refuse images signed as debug */
    size_t max_payload;                 /**< per-call payload limit; 0 = ARCA_DEFAULT_MAX_PAYLOAD */
    /** Where keys and evidence come from: "dev" (the key directory of this user, served by
     *  libarca), "unix:PATH" (a platform served by another process on the Unix socket PATH,
     *  protocol in docs/formats.md), or NULL = $ARCA_PLATFORM, else "dev". */
    const char *platform;
    /** Settings of one backend or platform, NULL-terminated "NAME.KEY=VALUE" strings, or NULL.
     *  Known: "process.runner=PATH" (arca-runner; default $ARCA_RUNNER, else next to libarca,
     *  else installed), "dev.dir=DIR" (key directory; default $ARCA_PLATFORM_DIR, else
     *  ~/.local/share/arca/platform; used only if it and its files are the effective user's,
     *  mode 0700/0600 or stricter, no symbolic links), "host.files=DIR" (the directory whose
     *  plain files an enclave signed with HostFiles = 1 may open, read and write through
     *  fopen/open...; paths resolve beneath DIR only; untrusted storage: seal what must stay
     *  secret — docs/porting.md). An unknown NAME or KEY is refused. */
    const char *const *settings;
    /** 32 bytes naming the EDL interface the host was generated from (NAME_interface_hash of
     *  the generated host code; NAME_create_enclave() sets it), or NULL: not checked. An enclave
     *  generated from another interface fails create with ARCA_ERR_INTERFACE_MISMATCH. */
    const uint8_t *interface_hash;
    /** The enclave's stdout and stderr; NULL = this process's stdout and stderr (the bytes as
     *  written, like a program's own output). Called on the thread serving the enclave's call. */
    arca_output_fn output;
    void *output_ctx; /**< passed to output */
    /** The enclave's arca_log() lines; NULL = this process's stderr as "[enclave LEVEL] text". */
    arca_log_fn log;
    void *log_ctx; /**< passed to log */
} arca_enclave_options_t;

/** Fill @p opts with defaults. */
void arca_enclave_options_init(arca_enclave_options_t *opts);

/**
 * Load a signed enclave image. The image is read once, its measurement and signature are
 * verified, and exactly the verified bytes are loaded. The enclave's init hook runs before
 * this returns; if it fails, create fails with its error.
 * @param[in]  image_path  path to a signed image (.signed.so)
 * @param[in]  opts        options, or NULL for defaults
 * @param[out] out         the enclave, on success
 * @return ARCA_OK; ARCA_ERR_IMAGE_NOT_SIGNED, ARCA_ERR_MEASUREMENT_MISMATCH, ARCA_ERR_BAD_SIGNATURE,
 *         ARCA_ERR_DEBUG_REFUSED, ARCA_ERR_BACKEND_UNAVAILABLE, ... See arca_last_error() for detail.
 */
ARCA_MUST_CHECK arca_result_t arca_enclave_create(const char *image_path,
                                                  const arca_enclave_options_t *opts,
                                                  arca_enclave_t **out);

/**
 * Call enclave function @p fn_id. The enclave gets a private copy of @p in and writes its
 * reply into a private buffer that is then copied to @p out.
 * @param[out] out_len  bytes written; with ARCA_ERR_BUFFER_TOO_SMALL, the size needed.
 * @return ARCA_OK, the function's own error, ARCA_ERR_UNKNOWN_FUNCTION, ARCA_ERR_BUSY (all
 *         enclave threads in use), ARCA_ERR_ENCLAVE_LOST, ARCA_ERR_ENCLAVE_DESTROYED, ...
 */
ARCA_MUST_CHECK arca_result_t arca_enclave_call(arca_enclave_t *enclave, uint32_t fn_id,
                                                const void *in, size_t in_len, void *out,
                                                size_t out_cap, size_t *out_len);

/** Copy the enclave's identity (as computed by the loader, plus backend and protections). */
arca_result_t arca_enclave_identity(const arca_enclave_t *enclave, arca_identity_t *out);

/** @return the name of the backend running @p enclave ("sim", "process", ...). */
const char *arca_enclave_backend(const arca_enclave_t *enclave);

/**
 * Why the enclave runs with fewer protections than the backend can give on this kernel, as
 * the loader found it at start-up (e.g. "the launcher is in a user namespace it owns ..."),
 * or "" when nothing was reduced. The text stays valid as long as the handle (never freed).
 * @return "" for NULL.
 */
const char *arca_enclave_caveats(const arca_enclave_t *enclave);

/**
 * Run the fini hook and release the enclave. Calls made afterwards with the same handle
 * return ARCA_ERR_ENCLAVE_DESTROYED. Destroying from inside one of this enclave's own host
 * calls returns ARCA_ERR_BUSY and destroys nothing. So does a destroy, from inside host calls
 * of other enclaves, that would wait for an enclave whose own host call is waiting (directly or
 * through other enclaves) in a destroy of an enclave this thread's host calls belong to: of
 * such a ring of destroys exactly one is refused, and the others complete.
 */
arca_result_t arca_enclave_destroy(arca_enclave_t *enclave);

/** What a backend is and whether it can run on this machine (see `arca backends`). */
typedef struct arca_backend_info_s { /* the tag differs from the function below (C++) */
    const char *name;         /**< "sim", "process", ... */
    int available;            /**< non-zero if it can run here */
    char why[256];            /**< if not available (or degraded): why, and what to do */
    const char *protects;     /**< what it protects against */
    const char *not_protects; /**< what it does not protect against */
} arca_backend_info_t;

/** @return the number of registered backends. */
size_t arca_backend_count(void);

/** Describe backend @p index (0 ≤ index < arca_backend_count()); probes it now. */
arca_result_t arca_backend_info(size_t index, arca_backend_info_t *out);

/**
 * @return the name of the backend "auto" picks here for an image signed with Debug =
 *         @p debug_image (0 or 1), probing now; NULL when none can run (a production image
 *         never gets a backend that does not isolate, such as sim).
 */
const char *arca_backend_auto(int debug_image);

/**
 * @return a detailed, human message about the last failure of an Arca call in this thread
 *         (e.g. "image.so: signature does not verify under the embedded key"), or "" if none.
 */
const char *arca_last_error(void);

#ifdef __cplusplus
}
#endif
#endif /* ARCA_HOST_H */
