/*
 * enclave.h — Open Enclave's enclave-side header, for enclave code compiled against Arca with
 * only its #include names changed (#include <openenclave/enclave.h> →
 * #include <arca/compat/openenclave/enclave.h>). The generated NAME_t.h includes it when
 * ARCA_COMPAT_OPENENCLAVE is defined (-DARCA_COMPAT_OPENENCLAVE in the build), as OE's
 * generated header includes <openenclave/enclave.h>.
 *
 * Maps: Arca's enclave API (arca/enclave.h); oe_result_t, OE_OK, the OE_* codes and
 * oe_result_str() (bits/result.h); oe_random() → arca_random().
 * Cannot map: oe_is_within_enclave()/oe_is_outside_enclave() and oe_host_malloc()/
 * oe_host_free() — they serve pointers into host memory, which no Arca enclave can reach (every
 * pointer an ecall receives is a private copy), so they are not defined and code that needs
 * them fails to compile. Attestation (oe_get_report, oe_get_evidence) and sealing (oe_seal)
 * have Arca equivalents with other signatures: docs/porting.md.
 */
#ifndef ARCA_COMPAT_OE_ENCLAVE_H
#define ARCA_COMPAT_OE_ENCLAVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arca/compat/openenclave/bits/result.h"
#include "arca/enclave.h"

#ifdef __cplusplus
extern "C" {
#endif

static inline oe_result_t oe_random(void *data, size_t size)
{
    return arca_random(data, size);
}

#ifdef __cplusplus
}
#endif

#endif /* ARCA_COMPAT_OE_ENCLAVE_H */
