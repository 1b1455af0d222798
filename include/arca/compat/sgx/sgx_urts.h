/*
 * sgx_urts.h — the Intel SGX SDK's untrusted runtime (creating and destroying enclaves), over
 * Arca's host API, for host code compiled with only its #include names changed
 * (#include "sgx_urts.h" → #include <arca/compat/sgx/sgx_urts.h>).
 *
 * Maps:
 *   sgx_create_enclave(file, debug, token, updated, &eid, misc) → the create function arca-edger
 *     generated for the EDL (NAME_create_enclave: it installs the ocall table and checks the
 *     interface hash), with Arca's default options: the backend is $ARCA_BACKEND, else the
 *     strongest available. The generated NAME_u.h names that function
 *     (ARCA_COMPAT_SGX_CREATE_ENCLAVE) when this header is included before it, as the SDK's
 *     App.cpp does; with several EDLs in one file, the first NAME_u.h included wins.
 *   sgx_destroy_enclave(eid) → arca_enclave_destroy(eid).
 *   sgx_enclave_id_t, sgx_status_t and SGX_* codes: sgx_eid.h, sgx_error.h.
 * Cannot map:
 *   debug: whether an enclave is a debug one is signed into the image (arca sign), not chosen
 *     at creation; the argument is ignored.
 *   launch tokens: there are none; *launch_token is left as it is and *launch_token_updated is
 *     set to 0. misc_attr: *misc_attr is zeroed (no SECS attributes or MISCSELECT here).
 *   sgx_create_enclave is a function-like macro: it cannot be taken by address, and a file
 *     that calls it must include the generated NAME_u.h (else the compiler reports
 *     ARCA_COMPAT_SGX_CREATE_ENCLAVE as undeclared).
 *   sgx_create_enclave_ex, sgx_create_encrypted_enclave, switchless configuration, KSS: absent.
 */
#ifndef ARCA_COMPAT_SGX_URTS_H
#define ARCA_COMPAT_SGX_URTS_H

#include <stdint.h>
#include <string.h>

#include "arca/compat/sgx/sgx_defs.h"
#include "arca/compat/sgx/sgx_eid.h"
#include "arca/compat/sgx/sgx_error.h"
#include "arca/host.h"

#ifdef __cplusplus
extern "C" {
#endif

#ifndef SGX_DEBUG_FLAG
#ifdef NDEBUG
#define SGX_DEBUG_FLAG 0
#else
#define SGX_DEBUG_FLAG 1
#endif
#endif

typedef uint8_t sgx_launch_token_t[1024];

typedef struct _attributes_t {
    uint64_t flags;
    uint64_t xfrm;
} sgx_attributes_t;

typedef uint32_t sgx_misc_select_t;

typedef struct _sgx_misc_attribute_t {
    sgx_attributes_t secs_attr;
    sgx_misc_select_t misc_select;
} sgx_misc_attribute_t;

/* The type of arca-edger's generated NAME_create_enclave(). */
typedef arca_result_t (*arca_compat_sgx_create_fn)(const char *image_path,
                                                   const arca_enclave_options_t *opts,
                                                   arca_enclave_t **out);

/* sgx_create_enclave() with the interface's create function (see the top of this file). */
static inline sgx_status_t arca_compat_sgx_create_enclave(arca_compat_sgx_create_fn create,
                                                          const char *file_name, const int debug,
                                                          sgx_launch_token_t *launch_token,
                                                          int *launch_token_updated,
                                                          sgx_enclave_id_t *enclave_id,
                                                          sgx_misc_attribute_t *misc_attr)
{
    (void)debug;
    (void)launch_token;
    if (!file_name || !enclave_id)
        return SGX_ERROR_INVALID_PARAMETER;
    if (launch_token_updated)
        *launch_token_updated = 0;
    if (misc_attr)
        memset(misc_attr, 0, sizeof *misc_attr);
    return create(file_name, NULL, enclave_id);
}

#define sgx_create_enclave(file_name, debug, launch_token, launch_token_updated, enclave_id, \
                           misc_attr)                                                        \
    arca_compat_sgx_create_enclave(ARCA_COMPAT_SGX_CREATE_ENCLAVE, (file_name), (debug),     \
                                   (launch_token), (launch_token_updated), (enclave_id),     \
                                   (misc_attr))

/* sgx_destroy_enclave(): SGX_ERROR_INVALID_ENCLAVE_ID for a null id, as the SDK's for id 0. */
static inline sgx_status_t sgx_destroy_enclave(const sgx_enclave_id_t enclave_id)
{
    if (!enclave_id)
        return SGX_ERROR_INVALID_ENCLAVE_ID;
    return arca_enclave_destroy(enclave_id);
}

#ifdef __cplusplus
}
#endif

#endif /* ARCA_COMPAT_SGX_URTS_H */
