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
#include "common/channel.h"
#include "common/runtime_abi.h"

/* ---- secure heap (secure_heap.c) ---- */

/**
 * Create the enclave heap arena of @p size bytes: memfd_secret memory when the kernel
 * allows it (sets ARCA_PROT_SECRETMEM in *prot), else mlock()ed MADV_DONTDUMP memory
 * (ARCA_PROT_MLOCK), else plain MADV_DONTDUMP memory (no bit). From then on malloc and
 * friends serve from it; allocations made earlier stay in the static bootstrap arena.
 */
arca_result_t arca__heap_init(uint64_t size, uint32_t *prot);

/* ---- sandbox steps (sandbox.c); each returns the ARCA_PROT_* bit it achieved or 0 ---- */

uint32_t arca__sandbox_nodump(void);
uint32_t arca__sandbox_nocore(void);
uint32_t arca__sandbox_no_new_privs(void);
/** PR_SET_PDEATHSIG(SIGKILL) and check that the parent is still @p host_pid. */
arca_result_t arca__sandbox_deathsig(int host_pid);
uint32_t arca__sandbox_namespaces(void);
uint32_t arca__sandbox_landlock(void);
/** The seccomp allowlist (KILL_PROCESS default), applied to every thread (TSYNC). */
uint32_t arca__sandbox_seccomp(int control_fd);

/* ---- channel server (server.c) ---- */

typedef struct arca__server_config {
    const struct arca__runtime *runtime;
    void *channel;                   /* mapped channel */
    arca__channel_layout layout;
    uint64_t stack_size;
    uint64_t spin_ns;
    struct arca__host_iface iface; /* handed to runtime init; keys wiped after init */
} arca__server_config;

/** Create one thread per slot; they wait until arca__server_start(). */
arca_result_t arca__server_prepare(arca__server_config *config);
/** Point config->iface.host_call at the server's host-call path (through the caller's slot). */
void arca__server_set_host_call(arca__server_config *config);
/** Let the slot threads serve. */
void arca__server_start(void);

#endif
