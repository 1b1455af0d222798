/*
 * sgx_eid.h — the Intel SGX SDK's enclave id, for host code compiled against Arca with only
 * its #include names changed.
 *
 * Maps: sgx_enclave_id_t is arca_enclave_t * — the handle itself, so it is passed unchanged
 * to the ecall proxies arca-edger generates, and `sgx_enclave_id_t eid = 0;` still means
 * "no enclave". Cannot map: the SDK's id is a 64-bit integer; code that prints it with an
 * integer format, does arithmetic on it or stores it in a uint64_t does not compile (or must
 * print it with %p).
 */
#ifndef ARCA_COMPAT_SGX_EID_H
#define ARCA_COMPAT_SGX_EID_H

#ifndef ARCA_COMPAT_SGX
#define ARCA_COMPAT_SGX 1
#endif

#include "arca/host.h"

typedef arca_enclave_t *sgx_enclave_id_t;

#endif /* ARCA_COMPAT_SGX_EID_H */
