/*
 * evidence.h — attestation evidence v2: the byte layout, its serializer (used by platforms)
 * and its parser (used by the verifier and by the enclave to check a host's reply).
 *
 * Layout (little-endian; docs/formats.md, section "Evidence"):
 *
 *   off  size  field
 *     0     8  magic "ARCAEVID"
 *     8     2  version (2)
 *    10     2  platform kind (ARCA_PLATFORM_*, arca/identity.h; 1 = dev)
 *    12     4  reserved, zero
 *    16    32  platform id = SHA-256 of the platform certificate's SubjectPublicKeyInfo DER
 *    48    32  measurement
 *    80    32  signer id
 *   112     2  product id
 *   114     2  svn
 *   116     2  backend (ARCA_BACKEND_ID_*)
 *   118     2  reserved, zero
 *   120     8  attributes (ARCA_ATTR_*)
 *   128     4  protections (ARCA_PROT_*)
 *   132     4  reserved, zero
 *   136    64  report data
 *   200     8  timestamp, unix nanoseconds
 *   208    32  runtime digest: SHA-256 naming the runtime that ran the image (the loader and
 *              the shared libraries it mapped); all zero = the launcher did not say
 *   240     4  certificate count n (1 ≤ n ≤ ARCA_EVIDENCE_MAX_CERTS), leaf first, root last
 *   244        n × (u32 length, DER bytes)   1 ≤ length ≤ ARCA_EVIDENCE_MAX_CERT_SIZE
 *   ...   64  ECDSA P-256 signature (raw r||s) over every byte before it
 *
 * Version 1 (no runtime digest; certificate count at 208) is refused: see docs/formats.md.
 * Nothing may follow the signature. The parser treats its input as hostile: every length
 * is checked against the remaining bytes with overflow-safe arithmetic before it is used,
 * and the parsed view points into the caller's buffer (no copies of the certificates).
 * Internal header: never installed.
 */
#ifndef ARCA_COMMON_EVIDENCE_H
#define ARCA_COMMON_EVIDENCE_H

#include <stddef.h>
#include <stdint.h>

#include "arca/identity.h"
#include "arca/result.h"

#define ARCA_EVIDENCE_MAGIC "ARCAEVID" /* 8 bytes, no terminator in the format */
#define ARCA_EVIDENCE_VERSION 2
#define ARCA_EVIDENCE_FIXED_SIZE 244u   /* bytes before the certificate list entries */
#define ARCA_EVIDENCE_RUNTIME_OFFSET 208u
#define ARCA_EVIDENCE_SIG_SIZE 64u
#define ARCA_EVIDENCE_MAX_CERTS 8u
#define ARCA_EVIDENCE_MAX_CERT_SIZE 16384u
/* Upper bound on a whole evidence blob: fixed part, every cert at its maximum, signature. */
#define ARCA_EVIDENCE_MAX_SIZE                                                                   \
    (ARCA_EVIDENCE_FIXED_SIZE + ARCA_EVIDENCE_MAX_CERTS * (4u + ARCA_EVIDENCE_MAX_CERT_SIZE) +   \
     ARCA_EVIDENCE_SIG_SIZE)
#define ARCA_REPORT_DATA_SIZE 64

/* A dev platform's certificate says so in its subject: organisation exactly ARCA_DEV_CERT_ORG,
 * common name ARCA_DEV_CERT_CN_PREFIX + id (dev_create.c; docs/formats.md). This is a label for
 * people only: no trust decision reads it. The verifier takes the platform kind from the root
 * the policy pinned and from the signed evidence, never from a subject anyone can write. */
#define ARCA_DEV_CERT_ORG "Arca DEV PLATFORM - not for production"
#define ARCA_DEV_CERT_CN_PREFIX "Arca dev platform "

/* The parsed view of one evidence blob; certificate pointers borrow the input buffer. */
typedef struct arca__evidence {
    uint16_t version;
    uint16_t platform_kind;
    uint8_t platform_id[32];
    arca_identity_t identity;
    uint8_t report_data[ARCA_REPORT_DATA_SIZE];
    uint64_t timestamp_ns;
    uint8_t runtime_digest[32];
    uint32_t cert_count;
    const uint8_t *cert[ARCA_EVIDENCE_MAX_CERTS];
    size_t cert_len[ARCA_EVIDENCE_MAX_CERTS];
    size_t signed_len;        /* bytes covered by the signature (= offset of the signature) */
    const uint8_t *signature; /* ARCA_EVIDENCE_SIG_SIZE bytes */
} arca__evidence;

/**
 * Parse and bounds-check evidence v2. No signature is verified here.
 * @return ARCA_OK or ARCA_ERR_BAD_EVIDENCE with a detail naming the bad field and offset.
 */
arca_result_t arca__evidence_parse(const uint8_t *bytes, size_t len, arca__evidence *out)
    __attribute__((warn_unused_result));

/**
 * Serialize everything but the signature into a new buffer with room for the signature at
 * the end: *out_len = total size, the caller signs bytes [0, *out_len - 64) and writes the
 * signature into the last 64 bytes. certs/cert_lens give the chain, leaf first.
 * The reserved fields are written as zero.
 */
arca_result_t arca__evidence_build(uint16_t platform_kind, const uint8_t platform_id[32],
                                   const arca_identity_t *identity,
                                   const uint8_t runtime_digest[32],
                                   const uint8_t report_data[ARCA_REPORT_DATA_SIZE],
                                   uint64_t timestamp_ns, const uint8_t *const *certs,
                                   const size_t *cert_lens, uint32_t cert_count, uint8_t **out,
                                   size_t *out_len) __attribute__((warn_unused_result));

/**
 * @return 1 when @p backend (ARCA_BACKEND_ID_*) isolates the enclave from its host (process,
 * sgx, cvm), 0 when it does not or is unknown (sim, none, ids this build does not know). The
 * dev platform derives different keys for the two classes, and the verifier refuses evidence
 * from the second unless the policy allows simulation.
 */
int arca__backend_isolates(uint16_t backend);

/**
 * Check that a set of protection bits can be true together on @p backend: the secure heap is
 * either secretmem or its mlock fallback, never both; sim (in the host process) has none; every
 * bit describes the process the enclave runs in, so none holds without separate-process; and
 * process and cvm always run in a separate process.
 * @return NULL when consistent, else a static sentence naming the contradiction.
 */
const char *arca__protections_contradiction(uint16_t backend, uint32_t protections);

/** @return non-zero when two identities are equal in every field. */
int arca__identity_equal(const arca_identity_t *a, const arca_identity_t *b);

#endif
