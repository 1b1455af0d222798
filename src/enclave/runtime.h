/*
 * runtime.h — what the trusted runtime offers to the other enclave-side files (seal.c,
 * attest.c): the keys the platform derived for this enclave and the identity the loader
 * computed. Both are valid between init and fini only. Internal header: never installed,
 * never included by host code.
 */
#ifndef ARCA_ENCLAVE_RUNTIME_H
#define ARCA_ENCLAVE_RUNTIME_H

#include "arca/identity.h"
#include "formats/runtime_abi.h"

/** The keys derived for this enclave, or NULL before init / after fini. Never copy them out. */
const struct arca__enclave_keys *arca__enclave_keys(void);

/** This enclave's identity as the loader computed it, or NULL before init / after fini. */
const arca_identity_t *arca__enclave_identity(void);

/* The host interface copied at init (used by hostcall.c); NULL before init / after fini. */
const struct arca__loader_iface *arca__enclave_iface(void);

#endif
