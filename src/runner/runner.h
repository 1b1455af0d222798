/*
 * runner.h — the pieces of arca-runner, the process backend's trusted loader:
 * the secure heap (secure_heap.c), the sandbox steps (sandbox.c) and the channel
 * server (server.c), orchestrated by main.c. Internal header of the runner only.
 */
#ifndef ARCA_RUNNER_RUNNER_H
#define ARCA_RUNNER_RUNNER_H

#include <stddef.h>
#include <stdint.h>

#include "arca/result.h"
#include "channel/channel.h"
#include "formats/runtime_abi.h"

/* ---- secure heap (secure_heap.c) ---- */

/**
 * Create the enclave's protected memory: one mapping holding, from low to high addresses, a
 * guard page and the stack of each of @p threads enclave threads (@p stack_size bytes each:
 * the slot threads', then those of the threads the enclave creates itself),
 * a guard page, and the heap arena of @p heap_size bytes (arca__protected_bytes() in all).
 * memfd_secret memory when the kernel and RLIMIT_MEMLOCK allow it (sets ARCA_PROT_SECRETMEM
 * in *prot), else mlock()ed MADV_DONTDUMP memory (ARCA_PROT_MLOCK), else plain MADV_DONTDUMP
 * memory (no bit, and a caveat saying why). From then on malloc and friends serve from the
 * arena; allocations made earlier stay in the static bootstrap arena. In both, free zeroes the
 * block, and blocks of 128 KiB and more come from the top of the free space (secure_heap.c).
 */
arca_result_t arca__heap_init(uint64_t heap_size, uint32_t threads, uint64_t stack_size,
                              uint32_t *prot);

/** The stack of enclave thread @p index (< threads of arca__heap_init), inside the mapping. */
void arca__heap_stack(uint32_t index, void **base, size_t *size);

/* ---- caveats (sandbox.c) ---- */

/* Room for the caveats: they travel in the READY message's detail field. */
#define ARCA__CAVEATS_MAX sizeof(((struct arca__ready_msg *)0)->detail)

/** Add a caveat: why a protection is missing that this kernel could give ("; "-separated). */
void arca__caveat(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/** The caveats so far ("" if none), for the READY message. */
const char *arca__caveats(void);

/* ---- sandbox steps (sandbox.c); each returns the ARCA_PROT_* bit it achieved or 0 ---- */

/**
 * Check what the runner inherited (call after arca__sandbox_nodump()): a tracer refuses the
 * start (ARCA_ERR_PERMISSION); an inherited seccomp filter, a user namespace other than the
 * initial one, or state that cannot be read sets *keep to ARCA_PROT_SEPARATE_PROCESS (the
 * bits that may be reported) with a caveat; otherwise *keep has every bit.
 */
arca_result_t arca__sandbox_inherited(uint32_t *keep);

uint32_t arca__sandbox_nodump(void);
uint32_t arca__sandbox_nocore(void);
uint32_t arca__sandbox_no_new_privs(void);
/** PR_SET_PDEATHSIG(SIGKILL) and check that the parent is still @p host_pid. */
arca_result_t arca__sandbox_deathsig(int host_pid);
uint32_t arca__sandbox_namespaces(void);
uint32_t arca__sandbox_landlock(void);
/** The seccomp allowlist (default: trap, name the call on stderr, die by SIGSYS), applied to
 *  every thread (TSYNC); read/write allowed on @p control_fd and @p platform_fd only. */
uint32_t arca__sandbox_seccomp(int control_fd, int platform_fd, int may_reconnect);

/* ---- arcad mode (reconnect.c) ---- */

/* The runner socket of the arcad that launched this runner ("--arcad PATH"), or NULL. */
arca_result_t arca__runner_set_arcad(const char *runner_socket);
/* The services' reconnect hook: a new connection to arcad's runner socket, moved onto
 * ARCA__RUNNER_FD_PLATFORM (src/loader/services.h). */
arca_result_t arca__runner_reconnect(void *ctx, int *fd);

/* ---- channel server (server.c) ---- */

typedef struct arca__server_config {
    const struct arca__runtime *runtime;
    void *channel;                   /* mapped channel */
    arca__channel_layout layout;
    uint64_t spin_ns;
    struct arca__loader_iface iface; /* handed to runtime init */
    struct arca__loaded_image *image; /* its threads' held output goes out after every call */
} arca__server_config;

/** Create one thread per slot; they wait until arca__server_start(). */
arca_result_t arca__server_prepare(arca__server_config *config);
/** Point config->iface.host_call at the server's host-call path (through the caller's slot). */
void arca__server_set_host_call(arca__server_config *config);
/**
 * Carry the enclave's stdout (@p stream 1) or stderr (2) to the host as ARCA__HOSTCALL_OUTPUT
 * host calls through the calling thread's slot. @return ARCA_ERR_UNSUPPORTED outside a call
 * (no slot: a constructor, a thread of the enclave's own), else the host's answer.
 */
arca_result_t arca__server_output(int stream, const char *bytes, size_t len);

/* The exit status of a runner whose enclave called abort() or failed an assert; the cause is
 * on stderr, on the line "arca-runner: enclave ended: CAUSE" (libarca names it). */
#define ARCA__RUNNER_EXIT_ENDED 3

/** Let the slot threads serve. */
void arca__server_start(void);

#endif
