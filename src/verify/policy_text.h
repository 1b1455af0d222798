/*
 * policy_text.h — the value readers of policy.conf, shared by the parser of Arca evidence's
 * keys (policy_conf.c) and of hardware evidence's keys (hw/policy_tee.c): exact-length hex,
 * bounded decimal numbers, comma-separated lists and paths. Values are NUL-terminated copies the
 * parser made of untrusted text; these never read past the terminator and accept nothing
 * partial (a sign, a space inside a number, an empty list item or a trailing comma fail).
 * Internal header: never installed.
 */
#ifndef ARCA_VERIFY_POLICY_TEXT_H
#define ARCA_VERIFY_POLICY_TEXT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "base/error.h"
#include "base/hex.h"

/* Parse the hex value @p s into @p out; exact: exactly @p n bytes; else 1..n bytes.
 * @return the bytes decoded, or -1. */
static inline int arca__policy_hex(const char *s, uint8_t *out, size_t n, int exact)
{
    size_t len = strlen(s), got = 0;
    if (len == 0 || (exact && len != 2 * n) || arca__hex_decode(s, len, out, n, &got) != ARCA_OK)
        return -1;
    return (int)got;
}

/* A decimal number from 0 to @p max; 0 on success, -1 otherwise. */
static inline int arca__policy_u64(const char *s, uint64_t max, uint64_t *out)
{
    uint64_t v = 0;
    if (!*s)
        return -1;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return -1;
        if (__builtin_mul_overflow(v, 10u, &v) || __builtin_add_overflow(v, (uint64_t)(*s - '0'), &v))
            return -1;
    }
    if (v > max)
        return -1;
    *out = v;
    return 0;
}

/* The next item of the comma-separated list at *s, without surrounding blanks, into @p item
 * (NUL-terminated), advancing *s. @return 1 for an item, 0 at the end of the list, -1 for an
 * empty item, one of @p cap bytes or more, or a trailing comma. */
static inline int arca__policy_item(const char **s, char *item, size_t cap)
{
    const char *start = *s;
    size_t n, m;
    if (!*start)
        return 0;
    n = strcspn(start, ",");
    while (n && (*start == ' ' || *start == '\t'))
        start++, n--;
    m = n;
    while (m && (start[m - 1] == ' ' || start[m - 1] == '\t'))
        m--;
    if (m == 0 || m >= cap)
        return -1;
    memcpy(item, start, m);
    item[m] = '\0';
    *s = start + n;
    if (**s == ',' && !*++*s)
        return -1;
    return 1;
}

/* Where a value stands in policy.conf, for messages: "NAME:LINE: KEY: ...". */
struct arca__policy_at {
    const char *name;
    unsigned line;
    const char *key;
};

/* What to do with one item of a list (NUL-terminated, shorter than 64 bytes). */
typedef arca_result_t (*arca__policy_item_fn)(void *ctx, const char *item,
                                              const struct arca__policy_at *at);

/* Call @p one on each item of the comma-separated list @p s, stopping at its first error.
 * @return ARCA_OK, one()'s result, or ARCA_ERR_POLICY for an empty or overlong item or a
 * trailing comma. */
static inline arca_result_t arca__policy_each(const char *s, const struct arca__policy_at *at,
                                              arca__policy_item_fn one, void *ctx)
{
    arca_result_t result = ARCA_OK;
    char item[64];
    int got;
    while ((got = arca__policy_item(&s, item, sizeof item)) > 0)
        ARCA_CHECK(one(ctx, item, at));
    if (got < 0)
        ARCA_RAISE(ARCA_ERR_POLICY, "%s:%u: %s: an empty or overlong item, or a trailing comma",
                   at->name, at->line, at->key);
done:
    return result;
}

/* A path named in a policy: absolute, or relative to @p base_dir (NULL: the current
 * directory), into @p out. @return 0, or -1 when it does not fit. */
static inline int arca__policy_path(char *out, size_t cap, const char *base_dir, const char *value)
{
    int n = value[0] == '/' || !base_dir ? snprintf(out, cap, "%s", value)
                                         : snprintf(out, cap, "%s/%s", base_dir, value);
    return n < 0 || (size_t)n >= cap ? -1 : 0;
}

#endif
