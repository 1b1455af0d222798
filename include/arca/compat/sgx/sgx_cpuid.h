/*
 * sgx_cpuid.h — the Intel SGX SDK's trusted CPUID, for enclave code compiled with only its
 * #include names changed (#include "sgx_cpuid.h" → #include <arca/compat/sgx/sgx_cpuid.h>).
 *
 * Maps: sgx_cpuid(info, leaf) and sgx_cpuidex(info, leaf, subleaf) run the CPUID instruction
 * (<cpuid.h>) and fill info[0..3] with EAX, EBX, ECX, EDX; SGX_ERROR_INVALID_PARAMETER for a
 * null info. CPUID is an ordinary instruction in an Arca enclave.
 * Cannot map: in SGX, CPUID leaves come from the untrusted host through an ocall and the SDK
 * warns not to trust them; here they come from the CPU (or the hypervisor) directly — still
 * not a security boundary. x86 only.
 */
#ifndef ARCA_COMPAT_SGX_CPUID_H
#define ARCA_COMPAT_SGX_CPUID_H

#include <cpuid.h>

#include "arca/compat/sgx/sgx_error.h"

#ifdef __cplusplus
extern "C" {
#endif

static inline sgx_status_t sgx_cpuidex(int cpuinfo[4], int leaf, int subleaf)
{
    unsigned int a = 0, b = 0, c = 0, d = 0;
    if (!cpuinfo)
        return SGX_ERROR_INVALID_PARAMETER;
    __cpuid_count((unsigned int)leaf, (unsigned int)subleaf, a, b, c, d);
    cpuinfo[0] = (int)a;
    cpuinfo[1] = (int)b;
    cpuinfo[2] = (int)c;
    cpuinfo[3] = (int)d;
    return SGX_SUCCESS;
}

static inline sgx_status_t sgx_cpuid(int cpuinfo[4], int leaf)
{
    return sgx_cpuidex(cpuinfo, leaf, 0);
}

#ifdef __cplusplus
}
#endif

#endif /* ARCA_COMPAT_SGX_CPUID_H */
