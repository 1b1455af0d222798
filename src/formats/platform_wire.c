/*
 * platform_wire.c — encoders and hostile-input parsers of the platform connection protocol
 * (layout in platform_wire.h and docs/formats.md). Pure functions over bytes: no I/O, no
 * allocation. A parser must never read outside the packet it was given, never accept a
 * length that disagrees with the packet, and never return a body its op does not allow.
 */
#include <string.h>

#include "base/error.h"
#include "base/le.h"
#include "packet_header.h"
#include "platform_wire.h"

#define REQUEST_MAGIC "APRQ"
#define REPLY_MAGIC "APRP"

static size_t put_header(const char magic[4], uint16_t op, uint32_t a, uint32_t b, uint8_t *out)
{
    return arca__packet_header_put(out, magic, ARCA__PW_VERSION, op, a, b);
}

size_t arca__pw_request(uint16_t op, const uint8_t *body, size_t len, uint8_t *out)
{
    size_t n = put_header(REQUEST_MAGIC, op, (uint32_t)len, 0, out);
    if (len)
        memcpy(out + n, body, len);
    return n + len;
}

size_t arca__pw_reply(uint16_t op, arca_result_t result, const uint8_t *body, size_t len,
                      uint8_t *out)
{
    size_t n = put_header(REPLY_MAGIC, op, (uint32_t)(int32_t)result, (uint32_t)len, out);
    if (len)
        memcpy(out + n, body, len);
    return n + len;
}

/* The body size a request of @p op must have; SIZE_MAX for an unknown op. */
static size_t request_body_size(uint16_t op)
{
    switch (op) {
    case ARCA__PW_OP_BIND: return ARCA__PW_BIND_SIZE;
    case ARCA__PW_OP_KEYS: return 0;
    case ARCA__PW_OP_EVIDENCE: return ARCA_REPORT_DATA_SIZE;
    case ARCA__PW_OP_RESUME: return ARCA__PW_TOKEN_SIZE;
    case ARCA__PW_OP_COUNTER: return ARCA__PW_COUNTER_SIZE;
    default: return SIZE_MAX;
    }
}

arca_result_t arca__pw_request_parse(const uint8_t *bytes, size_t n, uint16_t *op,
                                     const uint8_t **body, size_t *len)
{
    arca_result_t result = ARCA_OK;
    if (!bytes || n < ARCA__PW_HEADER)
        ARCA_RAISE(ARCA_ERR_BAD_FORMAT, "platform request: %zu bytes, shorter than its header", n);
    if (memcmp(bytes, REQUEST_MAGIC, 4) != 0 || arca__get_le16(bytes + 4) != ARCA__PW_VERSION)
        ARCA_RAISE(ARCA_ERR_BAD_FORMAT, "platform request: not a version %d request",
                   ARCA__PW_VERSION);
    *op = arca__get_le16(bytes + 6);
    size_t want = request_body_size(*op);
    if (want == SIZE_MAX)
        ARCA_RAISE(ARCA_ERR_BAD_FORMAT, "platform request: unknown op %u", *op);
    if (arca__get_le32(bytes + 12) != 0)
        ARCA_RAISE(ARCA_ERR_BAD_FORMAT, "platform request: reserved field is not zero");
    if (arca__get_le32(bytes + 8) != n - ARCA__PW_HEADER || n - ARCA__PW_HEADER != want)
        ARCA_RAISE(ARCA_ERR_BAD_FORMAT,
                   "platform request: op %u carries %zu body bytes (header says %u), takes %zu",
                   *op, n - ARCA__PW_HEADER, arca__get_le32(bytes + 8), want);
    *body = bytes + ARCA__PW_HEADER;
    *len = want;
done:
    return result;
}

arca_result_t arca__pw_reply_parse(const uint8_t *bytes, size_t n, uint16_t op,
                                   arca_result_t *result_out, const uint8_t **body, size_t *len)
{
    arca_result_t result = ARCA_OK;
    if (!bytes || n < ARCA__PW_HEADER)
        ARCA_RAISE(ARCA_ERR_BAD_HOST_REPLY, "platform reply: %zu bytes, shorter than its header",
                   n);
    if (memcmp(bytes, REPLY_MAGIC, 4) != 0 || arca__get_le16(bytes + 4) != ARCA__PW_VERSION ||
        arca__get_le16(bytes + 6) != op)
        ARCA_RAISE(ARCA_ERR_BAD_HOST_REPLY, "platform reply: not a version %d reply to op %u",
                   ARCA__PW_VERSION, op);
    int32_t code = (int32_t)arca__get_le32(bytes + 8);
    size_t got = n - ARCA__PW_HEADER;
    if (!arca__result_defined(code))
        ARCA_RAISE(ARCA_ERR_BAD_HOST_REPLY, "platform reply: undefined result %d", code);
    if (arca__get_le32(bytes + 12) != got)
        ARCA_RAISE(ARCA_ERR_BAD_HOST_REPLY, "platform reply: header says %u body bytes, has %zu",
                   arca__get_le32(bytes + 12), got);
    if (code != ARCA_OK) {
        if (got > ARCA__PW_DETAIL_MAX)
            ARCA_RAISE(ARCA_ERR_BAD_HOST_REPLY, "platform reply: %zu bytes of error text", got);
        for (size_t i = 0; i < got; i++)
            if (bytes[ARCA__PW_HEADER + i] < 0x20 || bytes[ARCA__PW_HEADER + i] > 0x7e)
                ARCA_RAISE(ARCA_ERR_BAD_HOST_REPLY, "platform reply: error text is not printable");
    } else if ((op == ARCA__PW_OP_BIND && got != 0 && got != ARCA__PW_TOKEN_SIZE) ||
               (op == ARCA__PW_OP_KEYS && got != ARCA__PW_KEYS_SIZE) ||
               (op == ARCA__PW_OP_EVIDENCE && (got == 0 || got > ARCA_EVIDENCE_MAX_SIZE)) ||
               (op == ARCA__PW_OP_RESUME && got != 0) ||
               (op == ARCA__PW_OP_COUNTER && got != 8) ||
               op < ARCA__PW_OP_BIND || op > ARCA__PW_OP_COUNTER) {
        ARCA_RAISE(ARCA_ERR_BAD_HOST_REPLY, "platform reply: %zu body bytes for op %u", got, op);
    }
    *result_out = (arca_result_t)code;
    *body = bytes + ARCA__PW_HEADER;
    *len = got;
done:
    return result;
}

void arca__pw_identity_put(const arca_identity_t *id, uint8_t out[ARCA__PW_IDENTITY_SIZE])
{
    memset(out, 0, ARCA__PW_IDENTITY_SIZE);
    memcpy(out, id->measurement, 32);
    memcpy(out + 32, id->signer_id, 32);
    arca__put_le16(out + 64, id->product_id);
    arca__put_le16(out + 66, id->svn);
    arca__put_le16(out + 68, id->backend);
    arca__put_le64(out + 72, id->attributes);
    arca__put_le32(out + 80, id->protections);
}

arca_result_t arca__pw_identity_get(const uint8_t in[ARCA__PW_IDENTITY_SIZE], arca_identity_t *id)
{
    arca_result_t result = ARCA_OK;
    if (arca__get_le16(in + 70) != 0 || arca__get_le32(in + 84) != 0)
        ARCA_RAISE(ARCA_ERR_BAD_FORMAT, "platform identity: reserved field is not zero");
    memset(id, 0, sizeof *id);
    memcpy(id->measurement, in, 32);
    memcpy(id->signer_id, in + 32, 32);
    id->product_id = arca__get_le16(in + 64);
    id->svn = arca__get_le16(in + 66);
    id->backend = arca__get_le16(in + 68);
    id->attributes = arca__get_le64(in + 72);
    id->protections = arca__get_le32(in + 80);
done:
    return result;
}

void arca__pw_keys_put(const struct arca__enclave_keys *keys, uint8_t out[ARCA__PW_KEYS_SIZE])
{
    memcpy(out, keys->enclave_key, 32);
    memcpy(out + 32, keys->signer_key, 32);
    memcpy(out + 64, keys->signer_lower, 32);
    out[96] = keys->has_lower ? 1 : 0;
    memset(out + 97, 0, 7);
}

arca_result_t arca__pw_keys_get(const uint8_t in[ARCA__PW_KEYS_SIZE], struct arca__enclave_keys *keys)
{
    arca_result_t result = ARCA_OK;
    static const uint8_t zero[32];
    if (in[96] > 1)
        ARCA_RAISE(ARCA_ERR_BAD_FORMAT, "platform keys: has_lower is %u", in[96]);
    if (memcmp(in + 97, zero, 7) != 0)
        ARCA_RAISE(ARCA_ERR_BAD_FORMAT, "platform keys: reserved bytes are not zero");
    if (!in[96] && memcmp(in + 64, zero, 32) != 0)
        ARCA_RAISE(ARCA_ERR_BAD_FORMAT, "platform keys: a lower tier key without has_lower");
    memset(keys, 0, sizeof *keys);
    memcpy(keys->enclave_key, in, 32);
    memcpy(keys->signer_key, in + 32, 32);
    memcpy(keys->signer_lower, in + 64, 32);
    keys->has_lower = in[96];
done:
    return result;
}

/* A counter name: 1..64 bytes of [A-Za-z0-9._-] (a name that is safe in any log line). */
static int counter_name_ok(const char *name, size_t len)
{
    if (len == 0 || len > ARCA__PW_COUNTER_NAME_MAX)
        return 0;
    for (size_t i = 0; i < len; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-'))
            return 0;
    }
    return 1;
}

static int counter_fields_ok(uint8_t action, uint8_t policy)
{
    return action >= ARCA__PW_COUNTER_CREATE && action <= ARCA__PW_COUNTER_READ &&
           (policy == 1 /* ARCA_SEAL_ENCLAVE */ || policy == 2 /* ARCA_SEAL_SIGNER */);
}

arca_result_t arca__pw_counter_put(const arca__pw_counter *c, uint8_t out[ARCA__PW_COUNTER_SIZE])
{
    arca_result_t result = ARCA_OK;
    size_t len = strnlen(c->name, sizeof c->name);
    if (!counter_fields_ok(c->action, c->policy))
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "counter: action %u or policy %u is not defined",
                   c->action, c->policy);
    if (!counter_name_ok(c->name, len))
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT,
                   "counter: a name has 1 to %u bytes of A-Z a-z 0-9 . _ -",
                   ARCA__PW_COUNTER_NAME_MAX);
    memset(out, 0, ARCA__PW_COUNTER_SIZE);
    out[0] = c->action;
    out[1] = c->policy;
    memcpy(out + 4, c->name, len);
done:
    return result;
}

arca_result_t arca__pw_counter_get(const uint8_t in[ARCA__PW_COUNTER_SIZE], arca__pw_counter *c)
{
    arca_result_t result = ARCA_OK;
    const char *name = (const char *)in + 4;
    size_t len = strnlen(name, ARCA__PW_COUNTER_NAME_MAX);
    if (!counter_fields_ok(in[0], in[1]) || arca__get_le16(in + 2) != 0)
        ARCA_RAISE(ARCA_ERR_BAD_FORMAT, "counter request: action %u, policy %u, reserved %u",
                   in[0], in[1], arca__get_le16(in + 2));
    if (!counter_name_ok(name, len))
        ARCA_RAISE(ARCA_ERR_BAD_FORMAT, "counter request: the name is empty or not [A-Za-z0-9._-]");
    for (size_t i = len; i < ARCA__PW_COUNTER_NAME_MAX; i++)
        if (name[i] != 0)
            ARCA_RAISE(ARCA_ERR_BAD_FORMAT, "counter request: bytes after the name's end");
    memset(c, 0, sizeof *c);
    c->action = in[0];
    c->policy = in[1];
    memcpy(c->name, name, len);
done:
    return result;
}
