/*
 * marshal.c — the marshaling library behind arca-edger's generated edge code (arca/marshal.h).
 *
 * Compiled into both the host library and the trusted runtime, so one implementation of the
 * wire format serves every proxy and bridge. Inputs read here come from the other side of the
 * boundary and are hostile: every length is checked for overflow and against the bytes that
 * remain before anything is copied. This file must never read past a message, never trust a
 * length it did not check, and never hand out memory that could hold stale data (buffers for
 * [out] parameters are zeroed).
 *
 * Divisions: writer, reader, size arithmetic, callee-side buffers, caller-side reply checks.
 */
#include "arca/marshal.h"

#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "base/error.h"
#include "base/le.h"

/* ---- writer ---- */

void arca_marshal_writer_init(arca_marshal_writer_t *w)
{
    memset(w, 0, sizeof *w);
}

void arca_marshal_writer_init_fixed(arca_marshal_writer_t *w, uint8_t *buf, size_t cap)
{
    memset(w, 0, sizeof *w);
    w->data = buf;
    w->cap = buf ? cap : 0;
    w->fixed = 1;
}

void arca_marshal_writer_free(arca_marshal_writer_t *w)
{
    if (!w->fixed && w->data) {
        arca__wipe(w->data, w->cap);
        free(w->data);
    }
    w->data = NULL;
    w->len = w->cap = 0;
}

arca_result_t arca_marshal_writer_result(const arca_marshal_writer_t *w)
{
    return w->result;
}

/* Reserve n bytes at the end of the message; NULL (and a sticky error) if that cannot be done. */
static uint8_t *reserve(arca_marshal_writer_t *w, size_t n)
{
    size_t end;
    if (w->result != ARCA_OK)
        return NULL;
    if (__builtin_add_overflow(w->len, n, &end)) {
        w->result = arca__error(ARCA_ERR_OVERFLOW, "edge call: message length overflows");
        return NULL;
    }
    if (end > w->cap) {
        if (w->fixed) {
            w->result = arca__error(ARCA_ERR_BUFFER_TOO_SMALL,
                                    "edge call: reply of more than %zu bytes does not fit", w->cap);
            return NULL;
        }
        size_t cap = w->cap ? w->cap : 64;
        while (cap < end) {
            if (__builtin_mul_overflow(cap, 2, &cap)) {
                cap = end;
                break;
            }
        }
        uint8_t *grown = malloc(cap);
        if (!grown) {
            w->result = arca__error(ARCA_ERR_OUT_OF_MEMORY, "edge call: cannot allocate %zu bytes", cap);
            return NULL;
        }
        if (w->data) {
            memcpy(grown, w->data, w->len);
            arca__wipe(w->data, w->cap);
            free(w->data);
        }
        w->data = grown;
        w->cap = cap;
    }
    uint8_t *at = w->data + w->len;
    w->len = end;
    return at;
}

void arca_marshal_put_u8(arca_marshal_writer_t *w, uint8_t v)
{
    uint8_t *p = reserve(w, 1);
    if (p)
        *p = v;
}

void arca_marshal_put_u16(arca_marshal_writer_t *w, uint16_t v)
{
    uint8_t *p = reserve(w, 2);
    if (p)
        arca__put_le16(p, v);
}

void arca_marshal_put_u32(arca_marshal_writer_t *w, uint32_t v)
{
    uint8_t *p = reserve(w, 4);
    if (p)
        arca__put_le32(p, v);
}

void arca_marshal_put_u64(arca_marshal_writer_t *w, uint64_t v)
{
    uint8_t *p = reserve(w, 8);
    if (p)
        arca__put_le64(p, v);
}

void arca_marshal_put_f32(arca_marshal_writer_t *w, float v)
{
    uint32_t bits;
    _Static_assert(sizeof bits == sizeof v, "IEEE-754 binary32");
    memcpy(&bits, &v, sizeof bits);
    arca_marshal_put_u32(w, bits);
}

void arca_marshal_put_f64(arca_marshal_writer_t *w, double v)
{
    uint64_t bits;
    _Static_assert(sizeof bits == sizeof v, "IEEE-754 binary64");
    memcpy(&bits, &v, sizeof bits);
    arca_marshal_put_u64(w, bits);
}

void arca_marshal_put_raw(arca_marshal_writer_t *w, const void *p, size_t n)
{
    uint8_t *at = reserve(w, n);
    if (at && n)
        memcpy(at, p, n);
}

uint8_t *arca_marshal_put_zeroed(arca_marshal_writer_t *w, size_t n)
{
    uint8_t *at = reserve(w, n);
    if (at && n)
        memset(at, 0, n);
    return at;
}

void arca_marshal_put_member(uint8_t *dst, size_t offset, const void *src, size_t n)
{
    if (dst && n)
        memcpy(dst + offset, src, n);
}

void arca_marshal_put_buffer(arca_marshal_writer_t *w, const void *p, size_t n)
{
    if (!p) {
        arca_marshal_put_u64(w, ARCA_MARSHAL_NULL);
        return;
    }
    arca_marshal_put_u64(w, (uint64_t)n);
    arca_marshal_put_raw(w, p, n);
}

void arca_marshal_put_size(arca_marshal_writer_t *w, const void *p, size_t n)
{
    arca_marshal_put_u64(w, p ? (uint64_t)n : ARCA_MARSHAL_NULL);
}

/* ---- reader ---- */

void arca_marshal_reader_init(arca_marshal_reader_t *r, const uint8_t *data, size_t len,
                              const char *func, arca_result_t fail)
{
    memset(r, 0, sizeof *r);
    r->data = data;
    r->len = data ? len : 0;
    r->func = func;
    r->fail = fail;
}

arca_result_t arca_marshal_reader_end(arca_marshal_reader_t *r)
{
    if (r->result == ARCA_OK && r->pos != r->len)
        r->result = arca__error(r->fail, "edge call '%s': %zu unexpected trailing bytes", r->func,
                                r->len - r->pos);
    return r->result;
}

/* The next n bytes of the message, or NULL (and a sticky error) if fewer remain. */
static const uint8_t *take(arca_marshal_reader_t *r, size_t n, const char *what)
{
    if (r->result != ARCA_OK)
        return NULL;
    if (n > r->len - r->pos) {
        r->result = arca__error(r->fail, "edge call '%s': %s needs %zu bytes but only %zu remain",
                                r->func, what, n, r->len - r->pos);
        return NULL;
    }
    const uint8_t *at = r->data + r->pos;
    r->pos += n;
    return at;
}

void arca_marshal_get_u8(arca_marshal_reader_t *r, uint8_t *v)
{
    const uint8_t *p = take(r, 1, "a value");
    *v = p ? *p : 0;
}

void arca_marshal_get_u16(arca_marshal_reader_t *r, uint16_t *v)
{
    const uint8_t *p = take(r, 2, "a value");
    *v = p ? arca__get_le16(p) : 0;
}

void arca_marshal_get_u32(arca_marshal_reader_t *r, uint32_t *v)
{
    const uint8_t *p = take(r, 4, "a value");
    *v = p ? arca__get_le32(p) : 0;
}

void arca_marshal_get_u64(arca_marshal_reader_t *r, uint64_t *v)
{
    const uint8_t *p = take(r, 8, "a value");
    *v = p ? arca__get_le64(p) : 0;
}

void arca_marshal_get_size_t(arca_marshal_reader_t *r, size_t *v)
{
    uint64_t x;
    arca_marshal_get_u64(r, &x);
    *v = 0;
    if (r->result != ARCA_OK)
        return;
    if (x > SIZE_MAX) {
        r->result = arca__error(r->fail, "edge call '%s': size_t value does not fit", r->func);
        return;
    }
    *v = (size_t)x;
}

void arca_marshal_get_f32(arca_marshal_reader_t *r, float *v)
{
    uint32_t bits;
    arca_marshal_get_u32(r, &bits);
    memcpy(v, &bits, sizeof *v);
}

void arca_marshal_get_f64(arca_marshal_reader_t *r, double *v)
{
    uint64_t bits;
    arca_marshal_get_u64(r, &bits);
    memcpy(v, &bits, sizeof *v);
}

void arca_marshal_get_raw(arca_marshal_reader_t *r, void *dst, size_t n)
{
    const uint8_t *p = take(r, n, "a value");
    if (!n)
        return;
    if (p)
        memcpy(dst, p, n);
    else
        memset(dst, 0, n);
}

/* A buffer length: ARCA_MARSHAL_NULL or a value that fits size_t and the remaining bytes (when
 * @p bytes_follow). */
static void get_len(arca_marshal_reader_t *r, const char *param, int bytes_follow, int *present,
                    size_t *n)
{
    uint64_t len;
    arca_marshal_get_u64(r, &len);
    *present = 0;
    *n = 0;
    if (r->result != ARCA_OK || len == ARCA_MARSHAL_NULL)
        return;
    if (len > SIZE_MAX || (bytes_follow && len > r->len - r->pos)) {
        r->result = arca__error(r->fail,
                                "edge call '%s': parameter '%s' claims %llu bytes but only %zu remain",
                                r->func, param, (unsigned long long)len, r->len - r->pos);
        return;
    }
    *present = 1;
    *n = (size_t)len;
}

void arca_marshal_get_buffer(arca_marshal_reader_t *r, const char *param, int *present,
                             const uint8_t **p, size_t *n)
{
    *p = NULL;
    get_len(r, param, 1, present, n);
    if (*present)
        *p = take(r, *n, param);
    if (r->result != ARCA_OK) {
        *present = 0;
        *p = NULL;
        *n = 0;
    }
}

void arca_marshal_get_out_size(arca_marshal_reader_t *r, const char *param, int *present, size_t *n)
{
    get_len(r, param, 0, present, n);
}

/* ---- size arithmetic ---- */

arca_result_t arca_marshal_nonneg(const char *func, const char *param, long long v,
                                  arca_result_t fail, uint64_t *out)
{
    *out = 0;
    if (v < 0)
        return arca__error(fail, "edge call '%s': size or count '%s' is negative (%lld)", func,
                           param, v);
    *out = (uint64_t)v;
    return ARCA_OK;
}

arca_result_t arca_marshal_size(const char *func, const char *param, uint64_t unit, uint64_t count,
                                arca_result_t fail, size_t *bytes)
{
    uint64_t total;
    *bytes = 0;
    if (__builtin_mul_overflow(unit, count, &total) || total > SIZE_MAX)
        return arca__error(fail, "edge call '%s': size of '%s' overflows (%llu x %llu bytes)", func,
                           param, (unsigned long long)count, (unsigned long long)unit);
    *bytes = (size_t)total;
    return ARCA_OK;
}

size_t arca_marshal_string_size(const char *s)
{
    return s ? strlen(s) + 1 : 0;
}

/* ---- callee-side buffers ---- */

/* Fresh memory of n bytes (at least one, so a present empty buffer is never NULL). */
static arca_result_t alloc_zero(const char *func, const char *param, size_t n, void **out)
{
    *out = calloc(n ? n : 1, 1);
    if (!*out)
        return arca__error(ARCA_ERR_OUT_OF_MEMORY, "edge call '%s': cannot allocate %zu bytes for '%s'",
                           func, n, param);
    return ARCA_OK;
}

arca_result_t arca_marshal_in_buffer(const char *func, const char *param, int present,
                                     const uint8_t *p, size_t n, size_t expected, arca_result_t fail,
                                     void **out)
{
    arca_result_t result = ARCA_OK;
    *out = NULL;
    if (!present)
        goto done;
    if (n != expected)
        ARCA_RAISE(fail, "edge call '%s': parameter '%s' carries %zu bytes, its declared size is %zu",
                   func, param, n, expected);
    ARCA_CHECK(alloc_zero(func, param, n, out));
    if (n)
        memcpy(*out, p, n);
done:
    return result;
}

arca_result_t arca_marshal_in_string(const char *func, const char *param, int present,
                                     const uint8_t *p, size_t n, arca_result_t fail, void **out)
{
    arca_result_t result = ARCA_OK;
    *out = NULL;
    if (!present)
        goto done;
    if (n == 0 || p[n - 1] != 0 || memchr(p, 0, n - 1) != NULL)
        ARCA_RAISE(fail,
                   "edge call '%s': string '%s' (%zu bytes) must end with its only NUL terminator",
                   func, param, n);
    ARCA_CHECK(alloc_zero(func, param, n, out));
    memcpy(*out, p, n);
done:
    return result;
}

arca_result_t arca_marshal_out_buffer(const char *func, const char *param, int present, size_t n,
                                      size_t expected, arca_result_t fail, void **out)
{
    arca_result_t result = ARCA_OK;
    *out = NULL;
    if (!present)
        goto done;
    if (n != expected)
        ARCA_RAISE(fail, "edge call '%s': [out] parameter '%s' asks for %zu bytes, its declared size is %zu",
                   func, param, n, expected);
    ARCA_CHECK(alloc_zero(func, param, n, out));
done:
    return result;
}

void arca_marshal_terminate(void *s, size_t n)
{
    if (s && n)
        ((char *)s)[n - 1] = '\0';
}

/* ---- caller-side reply checks ---- */

arca_result_t arca_marshal_check_reply(const char *func, const char *param, int sent, int present,
                                       const uint8_t *p, size_t n, size_t expected, int is_string,
                                       arca_result_t fail)
{
    arca_result_t result = ARCA_OK;
    if (sent != present)
        ARCA_RAISE(fail, "edge call '%s': reply %s buffer '%s' that was %s", func,
                   present ? "carries a" : "lacks the", param, sent ? "sent" : "NULL");
    if (!present)
        goto done;
    if (n != expected)
        ARCA_RAISE(fail, "edge call '%s': reply buffer '%s' has %zu bytes, the caller declared %zu",
                   func, param, n, expected);
    if (is_string && (n == 0 || p[n - 1] != 0))
        ARCA_RAISE(fail, "edge call '%s': reply string '%s' lost its NUL terminator", func, param);
done:
    return result;
}

void arca_marshal_copy_out(void *dst, const uint8_t *src, size_t n)
{
    if (dst && src && n)
        memcpy(dst, src, n);
}

void arca_marshal_sizer_init(arca_marshal_sizer_t *s)
{
    s->total = 0;
    s->result = ARCA_OK;
}

void arca_marshal_need_fixed(arca_marshal_sizer_t *s, size_t n)
{
    if (s->result == ARCA_OK && __builtin_add_overflow(s->total, n, &s->total))
        s->result = arca__error(ARCA_ERR_OVERFLOW, "edge call: reply size overflows");
}

void arca_marshal_need_buffer(arca_marshal_sizer_t *s, int present, size_t n)
{
    arca_marshal_need_fixed(s, sizeof(uint64_t));
    if (present)
        arca_marshal_need_fixed(s, n);
}

arca_result_t arca_marshal_sizer_fits(const arca_marshal_sizer_t *s, size_t cap, size_t *needed)
{
    if (s->result != ARCA_OK)
        return s->result;
    if (s->total > cap) {
        *needed = s->total;
        return arca__error(ARCA_ERR_BUFFER_TOO_SMALL, "edge call: reply needs %zu bytes, %zu offered",
                           s->total, cap);
    }
    return ARCA_OK;
}

arca_result_t arca_marshal_reply_alloc(const arca_marshal_sizer_t *s, uint8_t **out, size_t *cap)
{
    *out = NULL;
    *cap = 0;
    if (s->result != ARCA_OK)
        return s->result;
    *out = calloc(s->total ? s->total : 1, 1);
    if (!*out)
        return arca__error(ARCA_ERR_OUT_OF_MEMORY, "edge call: cannot allocate a %zu-byte reply",
                           s->total);
    *cap = s->total;
    return ARCA_OK;
}

arca_result_t arca_marshal_reply_len(const char *func, size_t got, size_t expected, arca_result_t fail)
{
    if (got != expected)
        return arca__error(fail, "edge call '%s': reply has %zu bytes, expected exactly %zu", func,
                           got, expected);
    return ARCA_OK;
}

void arca_marshal_free(void *p, size_t n)
{
    if (!p)
        return;
    if (n)
        arca__wipe(p, n);
    free(p);
}
