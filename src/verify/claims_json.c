/*
 * claims_json.c — verified claims as one JSON object, for scripts and relying parties.
 * Arca evidence's claims are written here: every value is a number, a fixed name or hex, so
 * no string escaping is needed; this file must never write a value it has not formatted
 * itself. Hardware evidence's claims (which carry text from the evidence, such as Azure's
 * runtime claims) are written by json-c host side (src/verify/hw/claims_json.c).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/error.h"
#include "hw_claims.h"
#include "verify_internal.h"

struct out {
    char *buf;
    size_t cap, used;
};

static void emit(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void emit(struct out *o, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(o->used < o->cap ? o->buf + o->used : NULL,
                      o->used < o->cap ? o->cap - o->used : 0, fmt, ap);
    va_end(ap);
    if (n > 0)
        o->used += (size_t)n;
}

static void emit_hex(struct out *o, const char *key, const uint8_t *b, size_t n)
{
    emit(o, "\"%s\":\"", key);
    for (size_t i = 0; i < n; i++)
        emit(o, "%02x", b[i]);
    emit(o, "\",");
}

arca_result_t arca_claims_to_json(const arca_claims_t *claims, char *buf, size_t cap, size_t *needed)
{
    arca_result_t result = ARCA_OK;
    struct out o = {buf, cap, 0};
    char prot[256], when[40] = "";
    struct tm tm;
    time_t secs;

    if (!claims || (!buf && cap))
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "arca_claims_to_json: NULL argument");
    if (claims->format != ARCA_EVIDENCE_ARCA && claims->format != 0) {
#ifdef ARCA_VERIFY_HW
        ARCA_CHECK(arca__hw_claims_to_json(&claims->tee, buf, cap, needed));
        goto done;
#else
        ARCA_RAISE(ARCA_ERR_UNSUPPORTED, "claims of hardware evidence are written host side only");
#endif
    }
    secs = (time_t)(claims->timestamp_ns / 1000000000u);
    if (gmtime_r(&secs, &tm))
        strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    arca_protections_str(claims->identity.protections, prot, sizeof prot);

    emit(&o, "{\"platform\":\"%s\",",
         claims->platform_kind == ARCA_PLATFORM_DEV     ? "dev"
         : claims->platform_kind == ARCA_PLATFORM_ARCAD ? "arcad"
                                                        : "unknown");
    emit_hex(&o, "platform_id", claims->platform_id, 32);
    emit_hex(&o, "measurement", claims->identity.measurement, 32);
    emit_hex(&o, "signer_id", claims->identity.signer_id, 32);
    emit(&o, "\"product_id\":%u,\"svn\":%u,\"debug\":%s,\"attributes\":%llu,",
         claims->identity.product_id, claims->identity.svn,
         (claims->identity.attributes & ARCA_ATTR_DEBUG) ? "true" : "false",
         (unsigned long long)claims->identity.attributes);
    emit(&o, "\"backend\":\"%s\",\"protections\":\"%s\",\"protections_mask\":%u,",
         arca_backend_id_name(claims->identity.backend), prot, claims->identity.protections);
    emit_hex(&o, "report_data", claims->report_data, 64);
    emit_hex(&o, "runtime_digest", claims->runtime_digest, 32);
    emit(&o, "\"timestamp_ns\":%llu,\"timestamp\":\"%s\"}",
         (unsigned long long)claims->timestamp_ns, when);
    if (needed)
        *needed = o.used + 1;
    if (o.used + 1 > cap)
        ARCA_RAISE(ARCA_ERR_BUFFER_TOO_SMALL, "claims JSON needs %zu bytes; the buffer has %zu",
                   o.used + 1, cap);
done:
    return result;
}
