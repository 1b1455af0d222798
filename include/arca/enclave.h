/*
 * enclave.h — the API available to code running inside an enclave.
 *
 * An enclave declares its entry points with ARCA_ECALLS(), may declare init/fini hooks,
 * and reaches the outside world only through arca_host_call(). Every host reply is
 * treated as hostile: its length is checked against what was asked for and its result
 * code must be a defined arca_result_t, or the call fails with ARCA_ERR_BAD_HOST_REPLY.
 */
#ifndef ARCA_ENCLAVE_H
#define ARCA_ENCLAVE_H

#ifdef ARCA_HOST_H
#error "arca/enclave.h and arca/host.h cannot be included together: enclave code and host code are built separately"
#endif

#include <stddef.h>
#include <stdint.h>

#include "arca/identity.h"
#include "arca/result.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * An enclave function (ecall). @p in is a private copy of the host's request; @p out is a
 * private buffer of @p out_cap bytes, copied to the host after the function returns.
 * Set *out_len to the bytes written; return ARCA_ERR_BUFFER_TOO_SMALL with *out_len = the
 * size needed when out_cap is not enough.
 */
typedef arca_result_t (*arca_ecall_fn)(const uint8_t *in, size_t in_len, uint8_t *out,
                                       size_t out_cap, size_t *out_len);

/** One entry of the enclave's function table. */
typedef struct arca_ecall {
    uint32_t id;
    arca_ecall_fn fn;
} arca_ecall_t;

/** The enclave's function table; define it once with ARCA_ECALLS(). */
extern const arca_ecall_t arca_enclave_ecalls[];
extern const size_t arca_enclave_ecall_count;

/** Define the enclave's function table: ARCA_ECALLS({1, echo}, {2, add}). */
#define ARCA_ECALLS(...)                                                                         \
    const arca_ecall_t arca_enclave_ecalls[] = {__VA_ARGS__};                                    \
    const size_t arca_enclave_ecall_count = sizeof(arca_enclave_ecalls) / sizeof(arca_ecall_t)

/** Optional hooks: run once on create (a failure makes create fail) and once on destroy. */
arca_result_t arca_enclave_init(void);
void arca_enclave_fini(void);
#define ARCA_ENCLAVE_INIT(fn)                                                                    \
    arca_result_t arca_enclave_init(void) { return fn(); }
#define ARCA_ENCLAVE_FINI(fn)                                                                    \
    void arca_enclave_fini(void) { fn(); }

/**
 * @return non-zero while this thread of the enclave waits in a host call (arca_host_call,
 * arca_log). Generated EDL code uses it to refuse an ecall the host makes from such a call,
 * unless a generated host call lists it in allow(...), as SGX does.
 */
int arca_in_host_call(void);

/**
 * Call host function @p id. @p in is copied out of the enclave; the reply is copied into
 * @p out only after its length (≤ out_cap) and result code have been checked.
 * @param[out] out_len  bytes of reply; with ARCA_ERR_BUFFER_TOO_SMALL, the size the host needs.
 */
arca_result_t arca_host_call(uint32_t id, const void *in, size_t in_len, void *out, size_t out_cap,
                             size_t *out_len);

/** This enclave's identity, as the loader computed it. */
arca_result_t arca_self_identity(arca_identity_t *out);

/** Fill @p buf with @p len cryptographically secure random bytes. */
arca_result_t arca_random(void *buf, size_t len);

#ifndef ARCA_LOG_ERROR /* the same levels as arca/host.h */
#define ARCA_LOG_ERROR 0
#define ARCA_LOG_WARN 1
#define ARCA_LOG_INFO 2
#define ARCA_LOG_DEBUG 3
#endif
/** Log a line through the host: its log function (arca_enclave_options_t.log), else its stderr;
 *  lines above the host's ARCA_LOG_LEVEL (default info) are dropped. Never log secrets. */
void arca_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#ifdef __cplusplus
}
#endif
#endif /* ARCA_ENCLAVE_H */
