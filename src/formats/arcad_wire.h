/*
 * arcad_wire.h — the protocol between a host (libarca) and arcad, the platform daemon: how a
 * host asks arcad to launch arca-runner for an enclave, and how it learns of the runner's end.
 * Pure functions over bytes (encode, parse), used by both ends and fuzzed (fuzz/arcad_wire);
 * descriptors travel beside the bytes by SCM_RIGHTS (src/base/fdpass.h).
 *
 * Transport: a Unix SOCK_SEQPACKET connection to arcad's socket (default /run/arca/arcad.sock);
 * one message per packet; little-endian (docs/formats.md, "arcad protocol"):
 *
 *   request (host -> arcad)              reply or event (arcad -> host)
 *   off size                             off size
 *     0   4  magic "ADRQ"                  0   4  magic "ADRP"
 *     4   2  version (1)                   4   2  version (1)
 *     6   2  op                            6   2  op
 *     8   4  body length                   8   4  result (arca_result_t)
 *    12   4  reserved, zero               12   4  body length
 *    16      body                         16      body
 *
 *   op 1 LAUNCH  body: flags u32 (zero), reserved u32 (zero); exactly 3 descriptors: the
 *                image (a sealed memfd: write, shrink, grow, seal), the channel (a memfd
 *                sealed against shrink and grow), the runner's end of the control socket
 *                (AF_UNIX SOCK_SEQPACKET). arcad verifies the image itself and starts
 *                arca-runner under its own uid. Reply body: runner pid u32, reserved u32; with
 *                exactly 1 descriptor: the read end of the runner's stderr. From then on the
 *                connection is the enclave's lease: when it closes, arcad kills the runner.
 *   op 2 KILL    (after LAUNCH) body empty; no reply: the EXITED event follows.
 *   op 3 EXITED  (event, after LAUNCH) body: wait status i32 (as waitpid), reserved u32.
 *   op 4 INFO    body empty. Reply body: the 64-byte info block (below), root certificate
 *                length u32, the root certificate (DER, 1..ARCA_EVIDENCE_MAX_CERT_SIZE).
 *   A reply whose result is not ARCA_OK carries at most ARCA__AW_DETAIL_MAX bytes of
 *   printable text and no descriptor; after it arcad closes the connection.
 *
 *   info: platform kind u16, reserved u16, client uid u32, live enclaves of that uid u32,
 *         their quota u32, counters of that uid u32, their quota u32, largest image u64,
 *         platform id 32 (SHA-256 of the leaf certificate's SubjectPublicKeyInfo)
 *
 * Every parser here treats its input as hostile: exact lengths per op, reserved fields zero,
 * the descriptor count checked per op. Internal header.
 */
#ifndef ARCA_FORMATS_ARCAD_WIRE_H
#define ARCA_FORMATS_ARCAD_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "arca/result.h"
#include "evidence.h"

#define ARCA__AW_VERSION 1
#define ARCA__AW_HEADER 16u
#define ARCA__AW_OP_LAUNCH 1u
#define ARCA__AW_OP_KILL 2u
#define ARCA__AW_OP_EXITED 3u
#define ARCA__AW_OP_INFO 4u
#define ARCA__AW_LAUNCH_SIZE 8u
#define ARCA__AW_LAUNCH_FDS 3u
#define ARCA__AW_LAUNCHED_SIZE 8u
#define ARCA__AW_EXITED_SIZE 8u
#define ARCA__AW_INFO_FIXED 64u
#define ARCA__AW_DETAIL_MAX 240u
#define ARCA__AW_MAX_FDS 3u
#define ARCA__AW_REQUEST_MAX (ARCA__AW_HEADER + ARCA__AW_LAUNCH_SIZE)
#define ARCA__AW_REPLY_MAX (ARCA__AW_HEADER + ARCA__AW_INFO_FIXED + 4u + ARCA_EVIDENCE_MAX_CERT_SIZE)

typedef struct arca__aw_info {
    uint16_t kind;
    uint32_t uid;
    uint32_t enclaves, enclave_quota;
    uint32_t counters, counter_quota;
    uint64_t max_image;
    uint8_t platform_id[32];
} arca__aw_info;

/** A request header + @p body into @p out (cap ≥ ARCA__AW_HEADER + len). @return bytes. */
size_t arca__aw_request(uint16_t op, const uint8_t *body, size_t len, uint8_t *out);

/**
 * Parse a request that came with @p nfds descriptors: magic, version, a known op, reserved
 * zero, the body exactly what the op takes, the descriptor count exactly what it takes.
 * @return ARCA_OK (*op, *body into @p bytes, *len) or ARCA_ERR_BAD_FORMAT naming the field
 *         (*op is set as soon as it was read, else 0).
 */
arca_result_t arca__aw_request_parse(const uint8_t *bytes, size_t n, size_t nfds, uint16_t *op,
                                     const uint8_t **body, size_t *len)
    __attribute__((warn_unused_result));

/** A reply or event header + @p body into @p out. @return bytes. */
size_t arca__aw_reply(uint16_t op, arca_result_t result, const uint8_t *body, size_t len,
                      uint8_t *out);

/**
 * Parse a reply or event from arcad that came with @p nfds descriptors, expecting op
 * @p op (or, for @p op LAUNCH after the reply, EXITED: pass ARCA__AW_OP_EXITED):
 * a defined result; on success the exact body and descriptor count of the op; on failure
 * printable text only, no descriptor.
 * @return ARCA_OK (*result, *body, *len) or ARCA_ERR_BAD_HOST_REPLY naming the field.
 */
arca_result_t arca__aw_reply_parse(const uint8_t *bytes, size_t n, size_t nfds, uint16_t op,
                                   arca_result_t *result, const uint8_t **body, size_t *len)
    __attribute__((warn_unused_result));

void arca__aw_info_put(const arca__aw_info *info, uint8_t out[ARCA__AW_INFO_FIXED]);
/** @return ARCA_OK, or ARCA_ERR_BAD_HOST_REPLY (reserved bytes, unknown kind). */
arca_result_t arca__aw_info_get(const uint8_t in[ARCA__AW_INFO_FIXED], arca__aw_info *info)
    __attribute__((warn_unused_result));

#endif
