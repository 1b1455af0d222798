/*
 * compat_cxx_host.cpp — compile check: every host-side compatibility header
 * (include/arca/compat/) and arca-edger's compat output in compat_u.h are valid C++11 under
 * -Wall -Wextra -Werror, as SDK applications written in C++ include them. It runs nothing;
 * the behaviour is tested by compat_host.c. It must never be the only user of a mapping.
 */
#include "arca/compat/openenclave/host.h"
#include "arca/compat/sgx/sgx_defs.h"
#include "arca/compat/sgx/sgx_edger8r.h"
#include "arca/compat/sgx/sgx_eid.h"
#include "arca/compat/sgx/sgx_error.h"
#include "arca/compat/sgx/sgx_urts.h"

#include "compat_u.h"

/* Both create paths named, so that both are instantiated and type-checked as C++. */
extern "C" sgx_status_t compat_cxx_sgx_create(const char *path, sgx_enclave_id_t *eid);
sgx_status_t compat_cxx_sgx_create(const char *path, sgx_enclave_id_t *eid)
{
    return sgx_create_enclave(path, SGX_DEBUG_FLAG, NULL, NULL, eid, NULL);
}

extern "C" oe_result_t compat_cxx_oe_create(const char *path, oe_enclave_t **enclave);
oe_result_t compat_cxx_oe_create(const char *path, oe_enclave_t **enclave)
{
    return oe_create_compat_enclave(path, OE_ENCLAVE_TYPE_AUTO, OE_ENCLAVE_FLAG_DEBUG, NULL, 0,
                                    enclave);
}
