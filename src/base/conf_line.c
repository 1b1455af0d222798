/*
 * conf_line.c — splits `Key = value` text into lines and lines into key and value, for both
 * enclave.conf and policy.conf (see conf_line.h).
 *
 * The text is untrusted and not NUL-terminated: this file must never read outside the bytes
 * it is given, and it interprets nothing (no key names, no values, no messages).
 */
#include "conf_line.h"

#include <string.h>

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* Trims [*s, *s + *n) of surrounding whitespace. */
static void trim(const char **s, size_t *n)
{
    while (*n > 0 && is_space(**s)) {
        (*s)++;
        (*n)--;
    }
    while (*n > 0 && is_space((*s)[*n - 1]))
        (*n)--;
}

bool arca__conf_next_line(const char *text, size_t len, size_t *pos, const char **line, size_t *n)
{
    if (*pos >= len)
        return false;
    *line = text + *pos;
    const char *nl = memchr(*line, '\n', len - *pos);
    *n = nl ? (size_t)(nl - *line) : len - *pos;
    *pos += *n + (nl ? 1 : 0);
    return true;
}

enum arca__conf_kind arca__conf_split(const char *line, size_t n, struct arca__conf_line *out)
{
    const char *hash = memchr(line, '#', n);
    if (hash)
        n = (size_t)(hash - line);
    trim(&line, &n);
    out->text = line;
    out->text_len = n;
    out->key = line;
    out->key_len = 0;
    out->value = line + n;
    out->value_len = 0;
    if (n == 0)
        return ARCA__CONF_BLANK;
    const char *eq = memchr(line, '=', n);
    if (!eq)
        return ARCA__CONF_NO_EQUALS;
    out->key_len = (size_t)(eq - line);
    out->value = eq + 1;
    out->value_len = n - out->key_len - 1;
    trim(&out->key, &out->key_len);
    trim(&out->value, &out->value_len);
    return ARCA__CONF_PAIR;
}
