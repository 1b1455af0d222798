/*
 * identity.h — who an enclave is, as every part of Arca reports it.
 *
 * The identity is computed by the loader/platform from the verified image (never taken
 * from the enclave's own claims), plus the backend that runs it and the protections
 * that were really in force. Verifiers match policies against exactly these fields.
 */
#ifndef ARCA_IDENTITY_H
#define ARCA_IDENTITY_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define ARCA_HASH_SIZE 32

/** Attribute bits (arca_identity_t.attributes). */
#define ARCA_ATTR_DEBUG UINT64_C(0x1)      /**< debug enclave: never shares keys with production */
#define ARCA_ATTR_SWITCHLESS UINT64_C(0x2) /**< configured for switchless (spinning) calls */

/** Backend ids (arca_identity_t.backend). Values are part of the evidence format. */
#define ARCA_BACKEND_ID_NONE 0
#define ARCA_BACKEND_ID_SIM 1
#define ARCA_BACKEND_ID_PROCESS 2
#define ARCA_BACKEND_ID_SGX 3
#define ARCA_BACKEND_ID_CVM 4

/** Protection bits (arca_identity_t.protections): what was really in force. */
#define ARCA_PROT_SEPARATE_PROCESS (1u << 0) /**< enclave runs outside the host's address space */
#define ARCA_PROT_NODUMP (1u << 1)           /**< PR_SET_DUMPABLE 0: no ptrace, no /proc/PID/mem */
#define ARCA_PROT_NOCORE (1u << 2)           /**< RLIMIT_CORE 0 */
#define ARCA_PROT_NO_NEW_PRIVS (1u << 3)     /**< PR_SET_NO_NEW_PRIVS */
#define ARCA_PROT_NAMESPACES (1u << 4)       /**< new user/net/ipc/uts/mount namespaces (no pid namespace) */
#define ARCA_PROT_LANDLOCK (1u << 5)         /**< Landlock ruleset denying file access */
#define ARCA_PROT_SECRETMEM (1u << 6)        /**< heap, thread stacks, call buffers in memfd_secret memory (off the direct map) */
#define ARCA_PROT_MLOCK (1u << 7)            /**< the same mlocked + MADV_DONTDUMP (secretmem fallback) */
#define ARCA_PROT_SECCOMP (1u << 8)          /**< seccomp allowlist enforced */

/** Platform kinds (the root of trust that derived the keys and signed the evidence), as carried
 *  in evidence and claims. Defined here once for the host, the enclave and the verifier. */
#define ARCA_PLATFORM_DEV 1   /**< a key directory of the host user: for development only */
#define ARCA_PLATFORM_ARCAD 2 /**< the arcad daemon under its own user */

/** The identity of one running enclave. */
typedef struct arca_identity {
    uint8_t measurement[ARCA_HASH_SIZE]; /**< SHA-256 over loaded segments (MRENCLAVE analog) */
    uint8_t signer_id[ARCA_HASH_SIZE];   /**< SHA-256 of the signer's SubjectPublicKeyInfo DER */
    uint16_t product_id;                 /**< ProductID from enclave.conf */
    uint16_t svn;                        /**< SecurityVersion from enclave.conf */
    uint64_t attributes;                 /**< ARCA_ATTR_* */
    uint16_t backend;                    /**< ARCA_BACKEND_ID_* */
    uint32_t protections;                /**< ARCA_PROT_* */
} arca_identity_t;

/** @return the name of a backend id ("sim", "process", ...) or "unknown". */
const char *arca_backend_id_name(uint16_t backend);

/**
 * Write the names of the set protection bits, comma-separated ("nodump,seccomp"), or "none".
 * @return the length that was (or would have been) written, as snprintf.
 */
int arca_protections_str(uint32_t protections, char *buf, size_t cap);

#ifdef __cplusplus
}
#endif
#endif /* ARCA_IDENTITY_H */
