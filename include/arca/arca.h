/*
 * arca.h — umbrella header for host applications and verifiers: the host API, identity,
 * results and the verifier. Enclave code includes arca/enclave.h instead.
 */
#ifndef ARCA_ARCA_H
#define ARCA_ARCA_H

#include "arca/result.h"
#include "arca/identity.h"
#ifndef ARCA_ENCLAVE_H
#include "arca/host.h"
#endif

#endif
