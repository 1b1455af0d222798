/*
 * conf_line.h — the line splitter shared by Arca's two `Key = value` text formats,
 * enclave.conf (config.c) and policy.conf (verify/policy_conf.c): lines, '#' comments,
 * surrounding whitespace, the first '='. What the keys and values mean, and every message,
 * stay with each format. Internal header: never installed.
 */
#ifndef ARCA_COMMON_CONF_LINE_H
#define ARCA_COMMON_CONF_LINE_H

#include <stdbool.h>
#include <stddef.h>

struct arca__conf_line {
    const char *text; /* the line without its comment and surrounding whitespace */
    size_t text_len;
    const char *key; /* before the first '=', trimmed (may be empty) */
    size_t key_len;
    const char *value; /* after the first '=', trimmed (may be empty) */
    size_t value_len;
};

enum arca__conf_kind { ARCA__CONF_BLANK, ARCA__CONF_PAIR, ARCA__CONF_NO_EQUALS };

/* The next line of [text, text + len) starting at *pos, without its '\n', in *line and *n;
 * advances *pos past it. Returns false when *pos has reached len. Never reads outside the text. */
bool arca__conf_next_line(const char *text, size_t len, size_t *pos, const char **line, size_t *n);

/* Splits the @p n bytes at @p line (no NUL needed; a NUL is just a byte here — each format
 * rejects it itself): drops a '#' comment, trims spaces, tabs, CR, VT and FF, and splits at the
 * first '='. All of *out is set (pointers into @p line) whatever the kind. */
enum arca__conf_kind arca__conf_split(const char *line, size_t n, struct arca__conf_line *out);

#endif
