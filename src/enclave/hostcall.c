/*
 * hostcall.c — the enclave's way out: arca_host_call() and the services built on it
 * (arca_log), plus the small self-services arca_self_identity() and arca_random().
 *
 * The host is hostile. A reply is received into a runtime-private buffer and copied to the
 * caller only after its result code is a defined arca_result_t and its length fits what was
 * asked for (Iago checks). This file must never copy a reply before checking it, never
 * pass a reply length larger than the caller's capacity, and never log secrets.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arca/enclave.h"
#include "crypto/crypto.h"
#include "base/error.h"
#include "formats/runtime_abi.h"
#include "runtime.h"

/* Replies up to this size are received on the stack; larger ones in a heap buffer. */
#define SMALL_REPLY 4096
/* Longest log line (after the 4-byte level) an enclave sends; longer text is truncated. */
#define LOG_LINE_MAX 1024

/* Host calls this thread is waiting in (nested ecalls may make more). */
static _Thread_local unsigned in_host_call;

int arca_in_host_call(void)
{
    return in_host_call != 0;
}

arca_result_t arca_host_call(uint32_t id, const void *in, size_t in_len, void *out, size_t out_cap,
                             size_t *out_len)
{
    arca_result_t result = ARCA_OK;
    uint8_t small[SMALL_REPLY];
    uint8_t *reply = small;
    size_t reply_len = 0, given = 0;
    const struct arca__loader_iface *host = arca__enclave_iface();

    if ((in_len && !in) || (out_cap && !out)) {
        result = ARCA_ERR_INVALID_ARGUMENT;
        goto done;
    }
    if (!host) {
        result = ARCA_ERR_INTERNAL; /* no host before init or after fini */
        goto done;
    }
    if (out_cap > sizeof small) {
        reply = malloc(out_cap);
        if (!reply) {
            result = ARCA_ERR_OUT_OF_MEMORY;
            goto done;
        }
    }
    in_host_call++; /* an ecall arriving meanwhile is refused unless allow() says otherwise */
    result = host->host_call(host->ctx, id, in_len ? in : NULL, in_len, reply, out_cap,
                             &reply_len);
    in_host_call--;
    /* Everything below treats result and reply_len as hostile. */
    if (!arca_result_valid((int)result)) {
        result = ARCA_ERR_BAD_HOST_REPLY;
    } else if (result == ARCA_OK) {
        if (reply_len > out_cap) {
            result = ARCA_ERR_BAD_HOST_REPLY;
        } else {
            if (reply_len && out) /* reply_len <= out_cap, so out is non-NULL here */
                memcpy(out, reply, reply_len);
            given = reply_len;
        }
    } else if (result == ARCA_ERR_BUFFER_TOO_SMALL) {
        /* The needed size must really exceed what was offered, or the reply is inconsistent. */
        if (reply_len <= out_cap)
            result = ARCA_ERR_BAD_HOST_REPLY;
        else
            given = reply_len;
    }
done:
    if (reply != small)
        free(reply);
    if (out_len)
        *out_len = given;
    return result;
}

void arca_log(int level, const char *fmt, ...)
{
    uint8_t line[4 + LOG_LINE_MAX];
    uint32_t lvl = (uint32_t)level;
    va_list ap;
    int n;

    for (int i = 0; i < 4; i++)
        line[i] = (uint8_t)(lvl >> (8 * i));
    va_start(ap, fmt);
    n = vsnprintf((char *)line + 4, LOG_LINE_MAX, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    size_t text = (size_t)n < LOG_LINE_MAX ? (size_t)n : LOG_LINE_MAX - 1;
    /* Logging is best effort: a failed log call must not change the enclave's behaviour. */
    (void)arca_host_call(ARCA__HOSTCALL_LOG, line, 4 + text, NULL, 0, NULL);
}

arca_result_t arca_self_identity(arca_identity_t *out)
{
    arca_result_t result = ARCA_OK;
    const arca_identity_t *id = arca__enclave_identity();
    if (!out)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT);
    if (!id)
        ARCA_RAISE(ARCA_ERR_INTERNAL);
    memcpy(out, id, sizeof *out);
done:
    return result;
}

arca_result_t arca_random(void *buf, size_t len)
{
    arca_result_t result = ARCA_OK;
    if (len && !buf)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT);
    if (len)
        ARCA_CHECK(arca__random(buf, len));
done:
    return result;
}
