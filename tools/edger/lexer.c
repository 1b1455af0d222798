/*
 * lexer.c — splits EDL text into tokens: identifiers, integer literals, "strings" and the
 * punctuation of the grammar, skipping whitespace and C/C++ comments.
 *
 * Input is untrusted text (the fuzz target feeds it random bytes): the lexer must never read
 * past the end, must reject what it does not understand with a positioned error, and must not
 * accept preprocessor directives it would silently ignore.
 */
#include "edger.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

typedef struct lexer {
    edl_ctx *ctx;
    const char *file;
    const char *s;
    size_t len, pos;
    int line, col;
} lexer;

static void advance(lexer *l)
{
    if (l->s[l->pos] == '\n') {
        l->line++;
        l->col = 1;
    } else {
        l->col++;
    }
    l->pos++;
}

static char peek(const lexer *l, size_t ahead)
{
    return l->pos + ahead < l->len ? l->s[l->pos + ahead] : '\0';
}

static edl_loc here(const lexer *l)
{
    return (edl_loc){l->file, l->line, l->col};
}

/* Skip whitespace and comments; an unterminated block comment is an error. */
static arca_result_t skip_space(lexer *l)
{
    while (l->pos < l->len) {
        char c = l->s[l->pos];
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v') {
            advance(l);
        } else if (c == '/' && peek(l, 1) == '/') {
            while (l->pos < l->len && l->s[l->pos] != '\n')
                advance(l);
        } else if (c == '/' && peek(l, 1) == '*') {
            edl_loc start = here(l);
            advance(l);
            advance(l);
            for (;;) {
                if (l->pos >= l->len)
                    return edl_error(l->ctx, start, "unterminated comment: expected '*/'");
                if (l->s[l->pos] == '*' && peek(l, 1) == '/') {
                    advance(l);
                    advance(l);
                    break;
                }
                advance(l);
            }
        } else {
            break;
        }
    }
    return ARCA_OK;
}

/* An integer literal: decimal, 0x hex or 0 octal, with optional u/l suffixes. */
static arca_result_t lex_number(lexer *l, edl_token *tok)
{
    size_t start = l->pos;
    while (l->pos < l->len && (isalnum((unsigned char)l->s[l->pos]) || l->s[l->pos] == '_'))
        advance(l);
    size_t end = l->pos;
    while (end > start && strchr("uUlL", l->s[end - 1]) && end - start > 1)
        end--;
    char *text = edl_strndup(l->ctx, l->s + start, end - start);
    int base = 10;
    const char *digits = text;
    if (text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
        base = 16;
        digits = text + 2;
    } else if (text[0] == '0' && text[1]) {
        base = 8;
        digits = text + 1;
    }
    int ok = *digits != '\0';
    for (const char *d = digits; *d && ok; d++) {
        int v = isdigit((unsigned char)*d) ? *d - '0'
                : isxdigit((unsigned char)*d) ? 10 + (tolower((unsigned char)*d) - 'a')
                                              : 99;
        if (v >= base)
            ok = 0;
    }
    if (!ok)
        return edl_error(l->ctx, tok->loc, "invalid integer literal '%s'",
                         edl_strndup(l->ctx, l->s + start, l->pos - start));
    uint64_t v = 0;
    for (const char *d = digits; *d; d++) {
        uint64_t digit = (uint64_t)(isdigit((unsigned char)*d) ? *d - '0'
                                                                : 10 + (tolower((unsigned char)*d) - 'a'));
        if (__builtin_mul_overflow(v, (uint64_t)base, &v) || __builtin_add_overflow(v, digit, &v))
            return edl_error(l->ctx, tok->loc, "integer literal '%s' does not fit 64 bits", text);
    }
    tok->kind = TOK_NUMBER;
    tok->text = edl_strndup(l->ctx, l->s + start, l->pos - start);
    tok->number = v;
    return ARCA_OK;
}

arca_result_t edl_lex(edl_ctx *ctx, const char *file, const char *text, size_t len,
                      edl_token_list *out)
{
    arca_result_t result = ARCA_OK;
    lexer l = {ctx, file, text, len, 0, 1, 1};
    out->items = NULL;
    out->count = 0;
    for (;;) {
        result = skip_space(&l);
        if (result != ARCA_OK)
            goto done;
        edl_token tok = {.loc = here(&l)};
        if (l.pos >= l.len) {
            tok.kind = TOK_EOF;
            tok.text = "end of file";
            EDL_PUSH(ctx, out->items, out->count, tok);
            break;
        }
        char c = l.s[l.pos];
        if (isalpha((unsigned char)c) || c == '_') {
            size_t start = l.pos;
            while (l.pos < l.len && (isalnum((unsigned char)l.s[l.pos]) || l.s[l.pos] == '_'))
                advance(&l);
            tok.kind = TOK_IDENT;
            tok.text = edl_strndup(ctx, l.s + start, l.pos - start);
        } else if (isdigit((unsigned char)c)) {
            result = lex_number(&l, &tok);
            if (result != ARCA_OK)
                goto done;
        } else if (c == '"') {
            advance(&l);
            size_t start = l.pos;
            while (l.pos < l.len && l.s[l.pos] != '"' && l.s[l.pos] != '\n') {
                if (l.s[l.pos] == '\\' || l.s[l.pos] == '\0') {
                    result = edl_error(ctx, here(&l), "escape sequences and NUL are not allowed in "
                                                      "EDL strings");
                    goto done;
                }
                advance(&l);
            }
            if (l.pos >= l.len || l.s[l.pos] != '"') {
                result = edl_error(ctx, tok.loc, "unterminated string: expected '\"'");
                goto done;
            }
            tok.kind = TOK_STRING;
            tok.text = edl_strndup(ctx, l.s + start, l.pos - start);
            advance(&l);
        } else if (strchr("{}[]();,=*-", c) && c != '\0') {
            tok.kind = TOK_PUNCT;
            tok.text = edl_strndup(ctx, &c, 1);
            advance(&l);
        } else if (c == '#') {
            result = edl_error(ctx, tok.loc,
                               "preprocessor directives are not supported by arca-edger: EDL "
                               "files are not preprocessed; remove the directive (use include "
                               "\"file.h\" for C headers)");
            goto done;
        } else {
            if (isprint((unsigned char)c))
                result = edl_error(ctx, tok.loc, "unexpected character '%c'", c);
            else
                result = edl_error(ctx, tok.loc, "unexpected byte 0x%02x", (unsigned char)c);
            goto done;
        }
        EDL_PUSH(ctx, out->items, out->count, tok);
    }
done:
    return result;
}
