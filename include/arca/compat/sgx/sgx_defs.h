/*
 * sgx_defs.h — the Intel SGX SDK's calling-convention and attribute macros, for SDK code
 * compiled against Arca with only its #include names changed.
 *
 * Maps: SGX_CDECL, SGX_STDCALL, SGX_FASTCALL, SGX_DLLIMPORT and SGX_EXTERNC to what they mean
 * on x86-64 Linux (nothing, or extern "C"). Cannot map: nothing here has an SGX-specific effect.
 */
#ifndef ARCA_COMPAT_SGX_DEFS_H
#define ARCA_COMPAT_SGX_DEFS_H

#ifndef ARCA_COMPAT_SGX
#define ARCA_COMPAT_SGX 1
#endif

#define SGX_CDECL
#define SGX_STDCALL
#define SGX_FASTCALL
#define SGX_DLLIMPORT

#ifdef __cplusplus
#define SGX_EXTERNC extern "C"
#else
#define SGX_EXTERNC
#endif

#endif /* ARCA_COMPAT_SGX_DEFS_H */
