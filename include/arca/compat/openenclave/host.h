/*
 * host.h — Open Enclave's host-side header, for host code compiled against Arca with only its
 * #include names changed (#include <openenclave/host.h> →
 * #include <arca/compat/openenclave/host.h>).
 *
 * Maps:
 *   oe_enclave_t is arca_enclave_t; oe_terminate_enclave() is arca_enclave_destroy().
 *   oe_create_NAME_enclave(path, type, flags, settings, setting_count, &enclave): arca-edger
 *     emits it in NAME_u.h when this header is included before it (as OE's host.c does), over
 *     the generated NAME_create_enclave() (which installs the ocall table and checks the
 *     interface hash). OE_ENCLAVE_FLAG_SIMULATE selects the sim backend; without it the
 *     backend is $ARCA_BACKEND, else the strongest available.
 *   oe_result_t, OE_OK, the OE_* codes and oe_result_str() (bits/result.h).
 * Cannot map:
 *   OE_ENCLAVE_FLAG_DEBUG / OE_ENCLAVE_FLAG_DEBUG_AUTO: whether an enclave is a debug one is
 *     signed into the image (arca sign); the flags are accepted and change nothing. Other
 *     flag bits: OE_INVALID_PARAMETER, as OE.
 *   OE_ENCLAVE_TYPE_AUTO and OE_ENCLAVE_TYPE_SGX both mean "an Arca enclave" (Arca picks the
 *     backend); OE_ENCLAVE_TYPE_OPTEE: OE_UNSUPPORTED.
 *   Enclave settings (switchless, KSS, …): a non-zero setting_count is OE_UNSUPPORTED; Arca's
 *     settings are in enclave.conf and arca_enclave_options_t.
 *   oe_get_public_key*, oe_verify_evidence and the attestation API: docs/porting.md.
 */
#ifndef ARCA_COMPAT_OE_HOST_H
#define ARCA_COMPAT_OE_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "arca/compat/openenclave/bits/result.h"
#include "arca/host.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef arca_enclave_t oe_enclave_t;

typedef enum _oe_enclave_type {
    OE_ENCLAVE_TYPE_AUTO = 1,
    OE_ENCLAVE_TYPE_SGX = 2,
    OE_ENCLAVE_TYPE_OPTEE = 3,
} oe_enclave_type_t;

#define OE_ENCLAVE_FLAG_DEBUG 0x00000001u
#define OE_ENCLAVE_FLAG_SIMULATE 0x00000002u
#define OE_ENCLAVE_FLAG_DEBUG_AUTO 0x00000008u

/* Opaque here: no setting can be passed (see the top of this file). */
typedef struct _oe_enclave_setting oe_enclave_setting_t;

/* The type of arca-edger's generated NAME_create_enclave(). */
typedef arca_result_t (*arca_compat_oe_create_fn)(const char *image_path,
                                                  const arca_enclave_options_t *opts,
                                                  arca_enclave_t **out);

/* The body of the generated oe_create_NAME_enclave() (see the top of this file). */
static inline oe_result_t arca_compat_oe_create_enclave(
    arca_compat_oe_create_fn create, const char *path, oe_enclave_type_t type, uint32_t flags,
    const oe_enclave_setting_t *settings, uint32_t setting_count, oe_enclave_t **enclave)
{
    arca_enclave_options_t options;
    (void)settings;
    if (enclave)
        *enclave = NULL;
    if (!path || !enclave)
        return OE_INVALID_PARAMETER;
    if (flags & ~(OE_ENCLAVE_FLAG_DEBUG | OE_ENCLAVE_FLAG_SIMULATE | OE_ENCLAVE_FLAG_DEBUG_AUTO))
        return OE_INVALID_PARAMETER;
    if (type != OE_ENCLAVE_TYPE_AUTO && type != OE_ENCLAVE_TYPE_SGX)
        return type == OE_ENCLAVE_TYPE_OPTEE ? OE_UNSUPPORTED : OE_INVALID_PARAMETER;
    if (setting_count != 0)
        return OE_UNSUPPORTED;
    arca_enclave_options_init(&options);
    if (flags & OE_ENCLAVE_FLAG_SIMULATE)
        options.backend = "sim";
    return create(path, &options, enclave);
}

static inline oe_result_t oe_terminate_enclave(oe_enclave_t *enclave)
{
    return arca_enclave_destroy(enclave);
}

#ifdef __cplusplus
}
#endif

#endif /* ARCA_COMPAT_OE_HOST_H */
