/*
 * handle.h — the host's enclave handle (struct arca_enclave), shared by the host API
 * (enclave.c) and host-call dispatch (hostcall.c). Internal header: never installed.
 *
 * Handles are tombstones: never freed (kept on a global list so leak checkers see them
 * reachable), so a stale handle is always safe to pass in; destroy releases the backend
 * state and everything else and leaves only the tombstone.
 *
 * What is and is not detected: a stale (destroyed) handle of this process — always; a handle
 * inherited through fork() — always (the child's copy shares the parent's runner and channel,
 * so the child is refused rather than allowed to corrupt the parent's calls or kill its
 * enclave); a pointer value from another process, or any other garbage pointer — not
 * detectable without a lookup on every call: like any C handle, it is undefined behaviour.
 */
#ifndef ARCA_HOST_HANDLE_H
#define ARCA_HOST_HANDLE_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "arca/host.h"
#include "backend.h"
#include "platform/platform.h"

struct arca_enclave {
    struct arca_enclave *next;            /* global list of every handle ever created */
    const struct arca_backend_ops *ops;   /* never changes; name stays valid after destroy */
    arca__backend_base *state;            /* released by destroy */
    /* Keeps the loader's platform connection served (for dev, a thread of this library that
     * holds the open platform); closed by destroy once the loader is gone. The handle itself
     * never reads keys or evidence from it. */
    arca__platform_link *platform_link;
    arca__launched launched;              /* identity and caveats, as the backend reported them */
    arca_host_call_t *host_calls;         /* private copy of the options' table, sorted by id */
    size_t host_call_count;
    void *host_ctx;
    arca_output_fn output;                /* options.output, or NULL: this process's stdout/stderr */
    void *output_ctx;
    arca_log_fn log;                      /* options.log, or NULL: this process's stderr */
    void *log_ctx;
    /* The directory the application exposes (setting host.files) to an enclave that opted in
     * (HostFiles = 1), served by files_serve (hostfiles.c); NULL when not both. */
    struct arca__host_files *files;
    arca_result_t (*files_serve)(struct arca__host_files *files, uint32_t id, const uint8_t *in,
                                 size_t in_len, uint8_t *out, size_t out_cap, size_t *out_len);
    size_t max_payload;
    uint32_t threads;                     /* config.threads: concurrent calls allowed */
    uint64_t busy;                        /* bit k: a call holds slot k (k < threads); __atomic */
    int destroying;                       /* set once by the first destroy; __atomic */
    pthread_mutex_t wait_lock;            /* destroy waits here for busy to reach 0 */
    pthread_cond_t wait_cond;
    unsigned long fork_generation;        /* arca__fork_generation() when created */
    int owner_pid;                        /* the creating process, for messages */
};

/*
 * Nested calls (SGX's ECALL from inside an OCALL, on the same TCS): an ecall made from inside a
 * host call of the same enclave, on the thread serving that host call, runs on the slot of the
 * call that made the host call, without taking another; the backend runs it on the enclave
 * thread that is waiting for the host call's reply. At most this many calls into one enclave
 * nest inside each other on one thread (the outermost call not counted); the next is refused
 * with ARCA_ERR_BUSY. The process backend's runner holds the host to the same bound
 * (ARCA__CHANNEL_NESTED_MAX, src/channel/channel.h).
 */
#define ARCA__NESTED_CALLS_MAX 8u

/*
 * Per-thread record of the calls into enclaves this thread has in flight, innermost first:
 * pushed by arca_enclave_call() around the backend's call, so that a host call knows which call
 * (enclave, slot) it is serving.
 */
typedef struct arca__call_frame {
    const struct arca_enclave *enclave;
    uint32_t slot;
    uint32_t depth; /* 0: the call took its slot; n: nested n deep on that slot */
    struct arca__call_frame *outer;
} arca__call_frame;

/* This thread's calls in flight (hostcall.c); NULL when none. Read and written twice by every
 * call: initial-exec, so that each access is one load or store relative to the thread pointer
 * instead of a call to __tls_get_addr (8 bytes: fits the static TLS reserve even when libarca is
 * dlopen()ed). */
extern _Thread_local arca__call_frame *arca__calls __attribute__((tls_model("initial-exec")));

/*
 * Per-thread record of the host calls being served, innermost first, so destroy can refuse
 * to run from inside one of the enclave's own host calls, and a call into the enclave from
 * inside one of them runs nested on the slot of the call it serves.
 */
typedef struct arca__host_frame {
    const struct arca_enclave *enclave;
    /* The call of this thread whose host call this is (NULL: a host call of the init or fini
     * hook, made outside any call). Valid while the frame is: that call is still in flight. */
    const arca__call_frame *call;
    /* Non-zero while Arca's own output or log function runs (the enclave's stdio is in the
     * middle of an operation): a call into the enclave from there is refused, not nested. */
    int reserved;
    struct arca__host_frame *outer;
} arca__host_frame;

/** @return non-zero if this thread is serving a host call of @p enclave (at any depth). */
int arca__inside_host_call(const struct arca_enclave *enclave);

/** @return the host calls this thread is serving, innermost first (NULL: none). The frames
 *  stay valid while this thread is blocked inside one of them (destroy's wait). */
const arca__host_frame *arca__host_frames(void);

/**
 * Serve a host call of the enclave @p ctx (its struct arca_enclave *): Arca's reserved calls
 * (log) and then the application's table. The arca__host_call_sink every backend is given at
 * launch; it never trusts its inputs beyond their stated lengths.
 */
arca_result_t arca__host_dispatch(void *ctx, uint32_t id, const uint8_t *in, size_t in_len,
                                  uint8_t *out, size_t out_cap, size_t *out_len);

/** Install a private copy of the application's host-call table in @p enclave, sorted by id
 *  for dispatch. @return ARCA_ERR_INVALID_ARGUMENT (naming both entries) when two entries share
 *  an id, ARCA_ERR_OUT_OF_MEMORY; nothing is installed on error. */
arca_result_t arca__host_calls_install(struct arca_enclave *enclave, const arca_host_call_t *calls,
                                       size_t count);

#endif
