/*
 * loader.h — the enclave image loader shared by every loader of Arca (the `sim` backend in the
 * host library, arca-runner for `process`). It maps the bytes the caller verified, from memory
 * it owns, and never opens a path: what runs is exactly what was measured.
 *
 * Loading is two stages, so that no code of the image runs before the caller's sandbox is
 * complete (docs/architecture.md, "The loader"):
 *   1. arca__runtime_load(): reserve memory, copy each PT_LOAD from the verified buffer, bind
 *      every import (only from the runtime's allowlisted libraries, docs/formats.md), apply the
 *      relocations, and give each segment its final permissions (text executable now, while
 *      the sandbox still allows it). Runs nothing of the image.
 *   2. arca__runtime_start(): apply the IRELATIVE relocations (their resolvers are image code),
 *      make RELRO read-only (PROT_READ only: allowed under seccomp), register the image's
 *      thread-local storage, run the image's initialisers, and hand back its runtime table.
 * arca__runtime_unload() runs the finalisers and unmaps (sim; the runner never unloads).
 *
 * Internal header: never installed.
 */
#ifndef ARCA_LOADER_LOADER_H
#define ARCA_LOADER_LOADER_H

#include <stddef.h>
#include <stdint.h>

#include "arca/result.h"
#include "formats/runtime_abi.h"

typedef struct arca__loaded_image arca__loaded_image;

/* Where the image's stdout (stream 1) and stderr (2) go: the backend's host call. */
typedef void (*arca__output_fn)(void *ctx, int stream, const char *bytes, size_t len);
/* How abort() or a failed assert in the image ends the enclave, with @p cause; never returns. */
typedef void (*arca__end_fn)(void *ctx, const char *cause);

/**
 * Stage 1: map and relocate the image in @p bytes (already verified by arca__image_verify();
 * the loader re-checks everything it uses). Nothing of the image runs.
 * @return ARCA_ERR_BAD_IMAGE with a detail naming what the loader cannot or will not load
 *         (an import outside the runtime, an unsupported relocation, a text relocation, ...).
 */
arca_result_t arca__runtime_load(const uint8_t *bytes, size_t size, arca__loaded_image **out)
    __attribute__((warn_unused_result));

/**
 * Stage 2: finish loading (IRELATIVE, RELRO, TLS) and run the image's initialisers, then find
 * its runtime table (ARCA_RUNTIME_SYMBOL) and check its ABI version.
 */
arca_result_t arca__runtime_start(arca__loaded_image *image, const struct arca__runtime **runtime)
    __attribute__((warn_unused_result));

/**
 * Compare the EDL interface hash the image's runtime carries with @p expected (32 bytes; NULL:
 * no check). @return ARCA_OK; ARCA_ERR_INTERFACE_MISMATCH naming both hashes ("none" when the
 * image has no generated interface); ARCA_ERR_BAD_IMAGE when its hash lies outside the image.
 */
arca_result_t arca__runtime_check_interface(const arca__loaded_image *image,
                                            const struct arca__runtime *runtime,
                                            const uint8_t expected[32])
    __attribute__((warn_unused_result));

/**
 * The C library behaviour of the image (src/loader/libc_bind.c): where its stdout and stderr go
 * and how abort()/assert end it. Set before arca__runtime_start() (constructors may print).
 */
void arca__runtime_set_output(arca__loaded_image *image, arca__output_fn output, arca__end_fn end,
                              void *ctx);

/**
 * What the image's C library takes from its verified configuration @p config (the one
 * arca__image_verify() returned for these bytes): its environment (getenv, environ...: the
 * Env.NAME lines signed into it, re-checked here; never the loading process's), and whether it
 * may use host files (HostFiles). Call before arca__runtime_start(); without it the image has
 * an empty environment and no host files (src/loader/libc_env.c, libc_files.c).
 */
struct arca_enclave_config;
arca_result_t arca__runtime_set_config(arca__loaded_image *image,
                                       const struct arca_enclave_config *config)
    __attribute__((warn_unused_result));

/**
 * The host call the image's host files go through: the backend's, as in the runtime's
 * interface (a hostile host's replies are checked by libc_files.c). NULL: none (ENOSYS).
 */
void arca__runtime_set_host_call(arca__loaded_image *image, arca__host_call_fn call, void *ctx);

/**
 * What a backend's output function does with the image's stdout (@p stream 1) or stderr (2):
 * host calls ARCA__HOSTCALL_OUTPUT through @p call, in pieces of at most 4 KiB, each with its
 * stream in front. @return ARCA_OK, or the first host call's error (the rest is dropped).
 */
arca_result_t arca__output_as_host_calls(arca__host_call_fn call, void *ctx, int stream,
                                         const char *bytes, size_t len);

/**
 * Name @p image as the one this thread runs (for its printf and abort), until
 * arca__runtime_leave() with the returned value. Needed where several images share a process
 * (sim); a process with one image (arca-runner) needs no calls.
 */
arca__loaded_image *arca__runtime_enter(arca__loaded_image *image);
void arca__runtime_leave(arca__loaded_image *outer);

/** Run the finalisers (if the image was started), release its TLS and unmap it. NULL is a no-op. */
void arca__runtime_unload(arca__loaded_image *image);

/** Where the image's vaddr 0 lies in memory (for debuggers: add-symbol-file FILE -o BASE). */
uintptr_t arca__runtime_base(const arca__loaded_image *image);

/**
 * The digest of the runtime that loads images in this process: SHA-256 over the read-only
 * PT_LOAD segments (code and constants, as mapped) of the program and of every shared library
 * loaded in it, in load order, the vDSO excepted. For arca-runner that is the runner and the
 * libraries it maps (C library, OpenSSL, libseccomp): the trusted base next to the image.
 * Evidence carries it so that a policy can pin it (docs/formats.md "Runtime digest").
 */
arca_result_t arca__runtime_digest(uint8_t out[32]) __attribute__((warn_unused_result));

/* ---- the enclave's own threads (src/loader/libc_threads.c) ----
 * An image may create up to EnclaveThreads threads of its own (pthread_create, std::thread).
 * They are made by the loading process before anything of the image runs (arca-runner: before
 * its seccomp filter, which forbids creating threads) and wait in a pool; pthread_create hands
 * its start routine to an idle one, or fails with EAGAIN when none is idle, the same on every
 * backend. An enclave thread carries no call, so it cannot make host calls (they fail with
 * ARCA_ERR_UNSUPPORTED on every backend); its stdout/stderr output is held and delivered by the
 * next thread that can (arca__runtime_output_flush). */

/** Where enclave thread @p index (0-based) of an image has its stack: @p base and @p size. */
typedef void (*arca__thread_stack_fn)(void *ctx, uint32_t index, void **base, size_t *size);

/**
 * Create @p count (0..ARCA_MAX_ENCLAVE_THREADS) enclave threads for @p image, each waiting for
 * a pthread_create of the image. Stacks: from @p stack (arca-runner: its protected memory), or,
 * with @p stack NULL, stacks of @p stack_size bytes that pthreads allocates. Returns once every
 * thread has finished starting. Call once, after arca__runtime_load() and before
 * arca__runtime_start() (constructors may create threads). With count 0 it only records the
 * image, so that its pthread_create fails with EAGAIN and says why.
 */
arca_result_t arca__runtime_threads_start(arca__loaded_image *image, uint32_t count,
                                          size_t stack_size, arca__thread_stack_fn stack,
                                          void *ctx) __attribute__((warn_unused_result));

/**
 * Wait until no start routine of @p image runs any more (saying so on stderr once a second
 * passes), end its enclave threads and forget them. Call before arca__runtime_unload() (sim; the
 * runner never unloads). An image without threads is a no-op.
 */
void arca__runtime_threads_stop(arca__loaded_image *image);

/** 1 when the calling thread is one of the enclave threads of an image, else 0. */
int arca__runtime_on_enclave_thread(void);

/**
 * For a backend's output function: on an enclave thread, hold @p bytes of @p stream for
 * @p image (in order, up to 1 MiB; beyond that they are dropped and counted) and return 1;
 * elsewhere return 0 and hold nothing.
 */
int arca__runtime_output_defer(arca__loaded_image *image, int stream, const char *bytes,
                               size_t len);

/**
 * Hand what enclave threads of @p image hold to @p emit (on a thread that can carry host calls),
 * oldest first; with a note on stderr when some was dropped. Cheap when nothing is held.
 * Backends call it before their own output and after every call into the image; the image's
 * pthread_join calls the image's output function with 0 bytes, which must do the same.
 */
void arca__runtime_output_flush(arca__loaded_image *image, arca__output_fn emit, void *ctx);

#endif
