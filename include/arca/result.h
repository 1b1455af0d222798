/*
 * result.h — the one result type of every fallible Arca call.
 *
 * The enum, the names and the human messages all come from ARCA_RESULT_MAP, so they
 * can never drift apart (libuv's UV_ERRNO_MAP). ARCA_OK is 0; every other value is
 * an error. Messages say what was wrong and, where it helps, what to do.
 * New codes are appended at the end of the list so existing values stay stable.
 */
#ifndef ARCA_RESULT_H
#define ARCA_RESULT_H

#ifdef __cplusplus
extern "C" {
#endif

/** Marks a function whose arca_result_t must not be ignored (every fallible public call). */
#ifndef ARCA_MUST_CHECK
#if defined(__GNUC__)
#define ARCA_MUST_CHECK __attribute__((warn_unused_result))
#else
#define ARCA_MUST_CHECK
#endif
#endif

#define ARCA_RESULT_MAP(X)                                                                        \
    X(OK, "success")                                                                              \
    X(ERR_INVALID_ARGUMENT, "invalid argument")                                                   \
    X(ERR_OUT_OF_MEMORY, "out of memory")                                                         \
    X(ERR_IO, "input/output error (see errno-specific message where printed)")                    \
    X(ERR_NOT_FOUND, "not found")                                                                 \
    X(ERR_PERMISSION, "permission denied")                                                        \
    X(ERR_UNSUPPORTED, "not supported on this system or in this build")                           \
    X(ERR_INTERNAL, "internal error (a bug in Arca; please report it)")                           \
    X(ERR_CRYPTO, "cryptographic library failure")                                                \
    X(ERR_OVERFLOW, "a length or size overflowed or exceeds the allowed maximum")                 \
    X(ERR_BUFFER_TOO_SMALL, "output buffer too small; the needed size was returned")              \
    X(ERR_BAD_FORMAT, "malformed input data")                                                     \
    X(ERR_BAD_VERSION, "unsupported format version")                                              \
    X(ERR_CONFIG, "invalid enclave configuration")                                                \
    X(ERR_KEY, "invalid or unreadable key")                                                       \
    X(ERR_BAD_IMAGE, "not a valid enclave image (ELF shared object with Arca sections)")          \
    X(ERR_IMAGE_NOT_SIGNED, "enclave image is not signed; sign it with 'arca sign'")              \
    X(ERR_MEASUREMENT_MISMATCH, "enclave image was modified after signing (measurement mismatch)") \
    X(ERR_BAD_SIGNATURE, "signature verification failed")                                         \
    X(ERR_DEBUG_REFUSED, "debug enclave refused by the host's options")                           \
    X(ERR_UNKNOWN_BACKEND, "unknown backend name; run 'arca backends' for the list")              \
    X(ERR_BACKEND_UNAVAILABLE, "backend cannot run on this machine; run 'arca backends'")          \
    X(ERR_ENCLAVE_LOST, "enclave crashed or was killed; it can serve no more calls")             \
    X(ERR_ENCLAVE_DESTROYED, "enclave was destroyed")                                             \
    X(ERR_UNKNOWN_FUNCTION, "no function with this id")                                           \
    X(ERR_BUSY, "all enclave threads are busy")                                                   \
    X(ERR_INIT_FAILED, "enclave init hook failed")                                                \
    X(ERR_PAYLOAD_TOO_LARGE, "call payload exceeds the channel's maximum")                        \
    X(ERR_BAD_HOST_REPLY, "host-call reply rejected as hostile (bad length or code)")             \
    X(ERR_BAD_FRAME, "malformed call frame rejected")                                             \
    X(ERR_TIMEOUT, "timed out")                                                                   \
    X(ERR_UNSEAL, "unsealing failed: wrong enclave, key, additional data, or tampered blob")      \
    X(ERR_SVN_TOO_NEW, "sealed with a newer security version than this enclave's")                \
    X(ERR_PLATFORM, "platform error")                                                             \
    X(ERR_PLATFORM_DAMAGED, "platform key directory is damaged; restore it from backup")          \
    X(ERR_BAD_EVIDENCE, "malformed attestation evidence")                                         \
    X(ERR_VERIFY_SIGNATURE, "evidence signature does not verify under its platform certificate")  \
    X(ERR_VERIFY_PLATFORM_UNTRUSTED, "platform certificate is not among the policy's trusted roots") \
    X(ERR_VERIFY_DEV_PLATFORM, "evidence comes from a dev platform, which the policy refuses")      \
    X(ERR_VERIFY_DEBUG, "enclave is a debug enclave, which the policy refuses")                   \
    X(ERR_VERIFY_MEASUREMENT, "measurement is not among the policy's accepted measurements")      \
    X(ERR_VERIFY_SIGNER, "signer id does not match the policy")                                   \
    X(ERR_VERIFY_PRODUCT, "product id does not match the policy")                                 \
    X(ERR_VERIFY_SVN, "security version is below the policy's minimum")                          \
    X(ERR_VERIFY_REPORT_DATA, "report data does not match the expected value")                    \
    X(ERR_VERIFY_EXPIRED, "evidence is older than the policy's maximum age")                      \
    X(ERR_VERIFY_FUTURE, "evidence timestamp lies in the future")                                 \
    X(ERR_VERIFY_BACKEND, "backend or protections do not meet the policy")                        \
    X(ERR_POLICY, "invalid verification policy")                                                  \
    X(ERR_APP, "the enclave function reported an application error")                              \
    X(ERR_CERT_EXPIRED, "a certificate has expired at the verification time")                     \
    X(ERR_CERT_NOT_YET_VALID, "a certificate is not yet valid at the verification time")          \
    X(ERR_CERT_REVOKED, "a certificate is revoked by its issuer's revocation list")               \
    X(ERR_BAD_CHAIN, "certificate chain does not verify (signature, issuer or CA constraints)")   \
    X(ERR_UNTRUSTED_ROOT, "certificate chain ends at a root the policy does not trust")           \
    X(ERR_COLLATERAL_MISSING, "needed collateral was not supplied (see --collateral)")            \
    X(ERR_COLLATERAL_EXPIRED, "collateral is outside its validity period at verification time")   \
    X(ERR_COLLATERAL_SIGNATURE, "collateral signature does not verify under its issuer")          \
    X(ERR_COLLATERAL_MISMATCH, "collateral is for another platform or TEE (FMSPC, type)")         \
    X(ERR_QE_REPORT_SIGNATURE, "quoting enclave report signature does not verify under the PCK")  \
    X(ERR_QE_BINDING, "quoting enclave report does not bind the quote's attestation key")         \
    X(ERR_QE_IDENTITY, "quoting enclave does not match its identity collateral")                  \
    X(ERR_TCB_LEVEL_NOT_FOUND, "no TCB level of the TCB info matches the platform")               \
    X(ERR_TCB_STATUS, "platform TCB status is not acceptable (for example Revoked)")              \
    X(ERR_TCB_MISMATCH, "report TCB does not match its certificate's TCB extensions")             \
    X(ERR_CHIP_MISMATCH, "report chip id does not match its certificate's hardware id")           \
    X(ERR_TDX_MODULE, "TDX module identity does not match the TCB info")                          \
    X(ERR_WRAPPER_BINDING, "wrapper data is not bound into the hardware report's report data")    \
    X(ERR_VERIFY_SIMULATION, "enclave ran on sim (no isolation), which the policy refuses")       \
    X(ERR_VERIFY_PROTECTIONS, "evidence reports protections that cannot hold together")           \
    X(ERR_VERIFY_RUNTIME, "runtime digest is not among the policy's accepted runtimes")         \
    X(ERR_INTERFACE_MISMATCH, "host and enclave were generated from different EDL interfaces")   \
    X(ERR_PLATFORM_UNAVAILABLE, "the platform daemon (arcad) is not running or not reachable")     \
    X(ERR_EXISTS, "already exists")                                                               \
    X(ERR_QUOTA, "a quota of the platform is exhausted (live enclaves, counters, request size)")

/** Result of every fallible Arca call. ARCA_OK (0) is success. */
typedef enum arca_result {
#define ARCA__RESULT_ENUM(name, msg) ARCA_##name,
    ARCA_RESULT_MAP(ARCA__RESULT_ENUM)
#undef ARCA__RESULT_ENUM
    ARCA__RESULT_COUNT
} arca_result_t;

/** @return a human message for @p r; never NULL (unknown values get a generic text). */
const char *arca_result_str(arca_result_t r);

/** @return the symbolic name of @p r without the ARCA_ prefix, e.g. "ERR_BAD_SIGNATURE". */
const char *arca_result_name(arca_result_t r);

/** @return non-zero when @p r is a defined arca_result_t value (used to reject hostile codes). */
int arca_result_valid(int r);

#ifdef __cplusplus
}
#endif
#endif /* ARCA_RESULT_H */
