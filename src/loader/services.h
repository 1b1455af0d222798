/*
 * services.h — the trusted services a loader gives the runtime it loaded (runtime ABI v3):
 * the enclave's keys and evidence, asked of the platform over the loader's platform
 * connection (protocol: src/formats/platform_wire.h), never of the host. Used by both loaders:
 * the sim backend and arca-runner. Internal header: never installed.
 */
#ifndef ARCA_LOADER_SERVICES_H
#define ARCA_LOADER_SERVICES_H

#include <stdint.h>

#include "arca/identity.h"
#include "arca/result.h"
#include "formats/runtime_abi.h"

typedef struct arca__services arca__services;

/**
 * Take over the platform connection @p fd (closed by arca__services_close, or here on
 * failure) and bind it to the enclave this loader launched: @p identity as the loader
 * computed it (backend and protections in force included) and @p runtime_digest.
 * Uses read() and write() only on @p fd, so it works under the runner's seccomp filter.
 * @return ARCA_OK; the platform's refusal; ARCA_ERR_PLATFORM when the connection fails;
 *         ARCA_ERR_BAD_HOST_REPLY for a malformed reply.
 */
arca_result_t arca__services_open(int fd, const arca_identity_t *identity,
                                  const uint8_t runtime_digest[32], arca__services **out)
    __attribute__((warn_unused_result));

/** Point @p iface's trusted services (get_keys, get_evidence, counter) at @p s. */
void arca__services_attach(arca__services *s, struct arca__loader_iface *iface);

/* Make a new connection to the same platform (the loader's code: arca-runner connects to
 * arcad's runner socket) into *fd; ARCA_ERR_PLATFORM_UNAVAILABLE when it is down. */
typedef arca_result_t (*arca__services_reconnect_fn)(void *ctx, int *fd);

/** Let @p s reconnect with @p fn when its connection breaks, if the platform gave a resume
 *  token at BIND. */
void arca__services_set_reconnect(arca__services *s, arca__services_reconnect_fn fn, void *ctx);

/** Close the connection and free @p s (NULL: no-op). Never while a request is in flight. */
void arca__services_close(arca__services *s);

#endif
