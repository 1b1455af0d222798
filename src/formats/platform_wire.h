/*
 * platform_wire.h — the platform connection protocol: how a loader (arca-runner, the sim
 * backend's loader) asks its platform for the enclave's keys and for evidence. Pure functions
 * over bytes (encode, parse), used by both ends and fuzzed (fuzz/platform_wire).
 *
 * Transport: one SOCK_SEQPACKET connection per enclave; one message per packet; the loader
 * sends a request and reads its reply before the next. Little-endian throughout
 * (docs/formats.md, "Platform connection"):
 *
 *   request                              reply
 *   off size                             off size
 *     0   4  magic "APRQ"                  0   4  magic "APRP"
 *     4   2  version (2)                   4   2  version (2)
 *     6   2  op                            6   2  op (of the request)
 *     8   4  body length                   8   4  result (arca_result_t)
 *    12   4  reserved, zero               12   4  body length
 *    16      body                         16      body
 *
 *   op 1 BIND      body: identity (88 bytes, below) + runtime digest (32). Must come first,
 *                  once: it names the enclave every later request is about. Reply: empty, or
 *                  a 32-byte resume token from a platform that can be reconnected to (arcad).
 *   op 2 KEYS      body: empty. Reply: the enclave's keys (104 bytes, below).
 *   op 3 EVIDENCE  body: report data (64). Reply: evidence v2 (src/formats/evidence.h).
 *   op 4 RESUME    body: the resume token (32) of an earlier BIND. Instead of BIND, first and
 *                  once, on a new connection to the same platform after the old one broke
 *                  (arcad restarted): the platform looks the token up and binds this
 *                  connection to the identity it was issued for. Reply: empty.
 *   op 5 COUNTER   body: action u8 (1 create, 2 increment, 3 read), policy u8 (ARCA_SEAL_*),
 *                  reserved u16 (zero), name 64 (1..64 bytes of [A-Za-z0-9._-], NUL padded).
 *                  Reply: the value after the action, u64. A monotonic counter of the bound
 *                  enclave (policy ENCLAVE: its measurement; SIGNER: its signer and product).
 *   Any reply whose result is not ARCA_OK carries at most ARCA__PW_DETAIL_MAX bytes of
 *   printable text saying why, and nothing else.
 *
 *   identity: measurement 32, signer id 32, product id u16, svn u16, backend u16, reserved u16
 *             (zero), attributes u64, protections u32, reserved u32 (zero)
 *   keys:     enclave key 32, signer key 32, signer lower 32, has_lower u8 (0 or 1), 7 zero
 *
 * Every parser here treats its input as hostile: exact lengths per op, reserved fields zero,
 * lengths checked against the packet before use. Internal header.
 */
#ifndef ARCA_COMMON_PLATFORM_WIRE_H
#define ARCA_COMMON_PLATFORM_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "arca/identity.h"
#include "arca/result.h"
#include "evidence.h"
#include "runtime_abi.h"

#define ARCA__PW_VERSION 2
#define ARCA__PW_HEADER 16u
#define ARCA__PW_OP_BIND 1u
#define ARCA__PW_OP_KEYS 2u
#define ARCA__PW_OP_EVIDENCE 3u
#define ARCA__PW_OP_RESUME 4u
#define ARCA__PW_OP_COUNTER 5u
#define ARCA__PW_TOKEN_SIZE 32u
#define ARCA__PW_COUNTER_NAME_MAX 64u
#define ARCA__PW_COUNTER_SIZE (4u + ARCA__PW_COUNTER_NAME_MAX)
#define ARCA__PW_COUNTER_CREATE 1u
#define ARCA__PW_COUNTER_INCREMENT 2u
#define ARCA__PW_COUNTER_READ 3u
#define ARCA__PW_IDENTITY_SIZE 88u
#define ARCA__PW_KEYS_SIZE 104u
#define ARCA__PW_BIND_SIZE (ARCA__PW_IDENTITY_SIZE + 32u)
#define ARCA__PW_DETAIL_MAX 240u
/* The largest request and reply packets. */
#define ARCA__PW_REQUEST_MAX (ARCA__PW_HEADER + ARCA__PW_BIND_SIZE)
#define ARCA__PW_REPLY_MAX (ARCA__PW_HEADER + ARCA_EVIDENCE_MAX_SIZE)

/** Write a request header + @p body into @p out (cap ≥ ARCA__PW_HEADER + len). @return bytes. */
size_t arca__pw_request(uint16_t op, const uint8_t *body, size_t len, uint8_t *out);

/**
 * Parse a request packet: magic, version, a known op, reserved zero, and the body length
 * exactly the packet's rest and exactly what @p op takes.
 * @return ARCA_OK (*op, *body into @p bytes, *len), or ARCA_ERR_BAD_FORMAT naming the field.
 */
arca_result_t arca__pw_request_parse(const uint8_t *bytes, size_t n, uint16_t *op,
                                     const uint8_t **body, size_t *len)
    __attribute__((warn_unused_result));

/** Write a reply header + @p body into @p out (cap ≥ ARCA__PW_HEADER + len). @return bytes. */
size_t arca__pw_reply(uint16_t op, arca_result_t result, const uint8_t *body, size_t len,
                      uint8_t *out);

/**
 * Parse a reply packet to a request of @p op: magic, version, the same op, a defined result,
 * a body length equal to the rest and allowed for that op and result (keys: exactly 104 on
 * success; evidence: at most ARCA_EVIDENCE_MAX_SIZE; bind: none or a token; resume: none;
 * counter: exactly 8; errors: printable text up to
 * ARCA__PW_DETAIL_MAX).
 * @return ARCA_OK (*result, *body, *len), or ARCA_ERR_BAD_HOST_REPLY naming the field.
 */
arca_result_t arca__pw_reply_parse(const uint8_t *bytes, size_t n, uint16_t op,
                                   arca_result_t *result, const uint8_t **body, size_t *len)
    __attribute__((warn_unused_result));

/* One COUNTER request, parsed (name NUL-terminated, 1..ARCA__PW_COUNTER_NAME_MAX bytes). */
typedef struct arca__pw_counter {
    uint8_t action; /* ARCA__PW_COUNTER_* */
    uint8_t policy; /* ARCA_SEAL_ENCLAVE or ARCA_SEAL_SIGNER */
    char name[ARCA__PW_COUNTER_NAME_MAX + 1];
} arca__pw_counter;

/** @return ARCA_OK, or ARCA_ERR_INVALID_ARGUMENT naming what is wrong (action, policy, name
 *  empty, too long or with a byte outside [A-Za-z0-9._-]). */
arca_result_t arca__pw_counter_put(const arca__pw_counter *c, uint8_t out[ARCA__PW_COUNTER_SIZE])
    __attribute__((warn_unused_result));
/** @return ARCA_OK, or ARCA_ERR_BAD_FORMAT naming the field. */
arca_result_t arca__pw_counter_get(const uint8_t in[ARCA__PW_COUNTER_SIZE], arca__pw_counter *c)
    __attribute__((warn_unused_result));

void arca__pw_identity_put(const arca_identity_t *id, uint8_t out[ARCA__PW_IDENTITY_SIZE]);
/** @return ARCA_OK, or ARCA_ERR_BAD_FORMAT when a reserved field is not zero. */
arca_result_t arca__pw_identity_get(const uint8_t in[ARCA__PW_IDENTITY_SIZE], arca_identity_t *id)
    __attribute__((warn_unused_result));

void arca__pw_keys_put(const struct arca__enclave_keys *keys, uint8_t out[ARCA__PW_KEYS_SIZE]);
/** @return ARCA_OK, or ARCA_ERR_BAD_FORMAT (has_lower not 0/1, reserved bytes, lower key
 *  without has_lower). */
arca_result_t arca__pw_keys_get(const uint8_t in[ARCA__PW_KEYS_SIZE], struct arca__enclave_keys *keys)
    __attribute__((warn_unused_result));

#endif
