/*
 * lexer.c — splits EDL text into tokens: identifiers, integer literals, "strings" and the
 * punctuation of the grammar, skipping whitespace and C/C++ comments. It also applies EDL's
 * preprocessor, the part the SDKs' EDL files use: #ifdef NAME, #ifndef NAME, #else and #endif
 * (nested), with NAME defined by -D on the command line.
 *
 * Input is untrusted text (the fuzz target feeds it random bytes): the lexer must never read
 * past the end, must reject what it does not understand with a positioned error, and must not
 * accept a directive it would silently ignore. After an error it goes on (leaving the offending
 * characters out), so one run reports every error of a file.
 */
#include "edger.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* One open #ifdef / #ifndef. */
typedef struct cond {
    edl_loc loc;      /* where it was opened */
    const char *what; /* "#ifdef NAME", for messages */
    int outer_active; /* the region around it is compiled */
    int taking;       /* its current branch is compiled (when the outer region is) */
    int seen_else;
} cond;

typedef struct lexer {
    edl_ctx *ctx;
    const char *file;
    const char *s;
    size_t len, pos;
    int line, col;
    int bol; /* nothing but whitespace and comments since the start of the line */
    cond *conds;
    size_t cond_count;
    int failed;
    int truncated; /* an unterminated comment swallowed the rest */
} lexer;

static void advance(lexer *l)
{
    if (l->s[l->pos] == '\n') {
        l->line++;
        l->col = 1;
        l->bol = 1;
    } else {
        l->col++;
    }
    l->pos++;
}

static char peek(const lexer *l, size_t ahead)
{
    return l->pos + ahead < l->len ? l->s[l->pos + ahead] : '\0';
}

static char cur(const lexer *l)
{
    return peek(l, 0);
}

static int at_end(const lexer *l)
{
    return l->pos >= l->len;
}

static edl_loc here(const lexer *l)
{
    return (edl_loc){l->file, l->line, l->col};
}

/* The region being read is compiled: every open #ifdef/#ifndef takes its current branch. */
static int active(const lexer *l)
{
    if (l->cond_count == 0)
        return 1;
    const cond *c = &l->conds[l->cond_count - 1];
    return c->outer_active && c->taking;
}

static void failed(lexer *l)
{
    l->failed = 1;
}

/* Skip a block comment starting at the current "/" "*". An unterminated one is an error and
 * ends the input. */
static void skip_block_comment(lexer *l)
{
    edl_loc start = here(l);
    advance(l);
    advance(l);
    for (;;) {
        if (at_end(l)) {
            edl_error(l->ctx, start, "unterminated comment: expected '*/'");
            failed(l);
            l->truncated = 1;
            return;
        }
        if (cur(l) == '*' && peek(l, 1) == '/') {
            advance(l);
            advance(l);
            return;
        }
        advance(l);
    }
}

static void skip_line_comment(lexer *l)
{
    while (!at_end(l) && cur(l) != '\n')
        advance(l);
}

/* Skip whitespace and comments. */
static void skip_space(lexer *l)
{
    while (!at_end(l)) {
        char c = cur(l);
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v')
            advance(l);
        else if (c == '/' && peek(l, 1) == '/')
            skip_line_comment(l);
        else if (c == '/' && peek(l, 1) == '*')
            skip_block_comment(l);
        else
            break;
    }
}

/* ---- the preprocessor ---- */

static void skip_blanks(lexer *l)
{
    while (!at_end(l) && (cur(l) == ' ' || cur(l) == '\t' || cur(l) == '\r' || cur(l) == '\f' ||
                          cur(l) == '\v'))
        advance(l);
}

/* An identifier at the current position, or NULL. */
static const char *read_name(lexer *l)
{
    size_t start = l->pos;
    if (at_end(l) || !(isalpha((unsigned char)cur(l)) || cur(l) == '_'))
        return NULL;
    while (!at_end(l) && (isalnum((unsigned char)cur(l)) || cur(l) == '_'))
        advance(l);
    return edl_strndup(l->ctx, l->s + start, l->pos - start);
}

static void skip_to_line_end(lexer *l)
{
    while (!at_end(l) && cur(l) != '\n')
        advance(l);
}

/* After a directive's operand only blanks and comments may follow on its line. */
static void end_of_directive(lexer *l, const char *directive)
{
    for (;;) {
        skip_blanks(l);
        if (cur(l) == '/' && peek(l, 1) == '/') {
            skip_line_comment(l);
        } else if (cur(l) == '/' && peek(l, 1) == '*') {
            skip_block_comment(l);
            continue;
        }
        break;
    }
    if (!at_end(l) && cur(l) != '\n') {
        edl_error(l->ctx, here(l), "unexpected text after %s: only a comment may follow it on its line",
                  directive);
        failed(l);
        skip_to_line_end(l);
    }
}

static void open_cond(lexer *l, edl_loc loc, const char *what, int taking)
{
    cond c = {loc, what, active(l), taking, 0};
    EDL_PUSH(l->ctx, l->conds, l->cond_count, c);
}

/* A line starting with '#': the current character. */
static void directive(lexer *l)
{
    edl_loc loc = here(l);
    advance(l); /* '#' */
    skip_blanks(l);
    const char *name = read_name(l);
    if (!name) {
        if (at_end(l) || cur(l) == '\n')
            return; /* a lone '#' (the null directive) */
        if (active(l)) {
            edl_error(l->ctx, loc, "expected a directive name after '#' (EDL files may use #ifdef, "
                                   "#ifndef, #else and #endif)");
            failed(l);
        }
        skip_to_line_end(l);
        return;
    }
    int ifndef = strcmp(name, "ifndef") == 0;
    if (ifndef || strcmp(name, "ifdef") == 0) {
        skip_blanks(l);
        const char *macro = read_name(l);
        const char *what = edl_printf(l->ctx, "#%s %s", name, macro ? macro : "");
        if (!macro) {
            if (active(l)) {
                edl_error(l->ctx, here(l), "expected a name after #%s", name);
                failed(l);
            }
            skip_to_line_end(l);
            open_cond(l, loc, what, 0);
            return;
        }
        end_of_directive(l, what);
        open_cond(l, loc, what, edl_defined(l->ctx, macro) != ifndef);
    } else if (strcmp(name, "else") == 0) {
        if (l->cond_count == 0) {
            edl_error(l->ctx, loc, "#else without #ifdef or #ifndef");
            failed(l);
        } else {
            cond *c = &l->conds[l->cond_count - 1];
            if (c->seen_else) {
                if (c->outer_active) {
                    edl_error(l->ctx, loc, "second #else for the %s at line %d", c->what, c->loc.line);
                    failed(l);
                }
            } else {
                c->seen_else = 1;
                c->taking = !c->taking;
            }
        }
        end_of_directive(l, "#else");
    } else if (strcmp(name, "endif") == 0) {
        if (l->cond_count == 0) {
            edl_error(l->ctx, loc, "#endif without #ifdef or #ifndef");
            failed(l);
        } else {
            l->cond_count--;
        }
        end_of_directive(l, "#endif");
    } else if (strcmp(name, "if") == 0) {
        /* its value is unknown: the error says so and its body is skipped to its #endif */
        if (active(l)) {
            edl_error(l->ctx, loc, "'#if' is not supported by arca-edger: write #ifdef NAME or #ifndef "
                                   "NAME (names are defined with -D NAME)");
            failed(l);
        }
        skip_to_line_end(l);
        open_cond(l, loc, "#if", 0);
    } else if (!active(l)) {
        skip_to_line_end(l); /* directives in skipped regions are not read, as in C */
    } else {
        if (strcmp(name, "elif") == 0)
            edl_error(l->ctx, loc, "'#elif' is not supported by arca-edger: nest #ifdef/#ifndef inside "
                                   "#else instead");
        else if (strcmp(name, "include") == 0)
            edl_error(l->ctx, loc, "'#include' is not supported in EDL: write include \"header.h\" for "
                                   "a C header, or from \"file.edl\" import ...; for an EDL file");
        else if (strcmp(name, "define") == 0 || strcmp(name, "undef") == 0)
            edl_error(l->ctx, loc, "'#%s' is not supported by arca-edger: define names on the command "
                                   "line (-D NAME; EDL_DEFINES in arca_add_enclave/arca_add_host)",
                      name);
        else
            edl_error(l->ctx, loc, "'#%s' is not supported by arca-edger: EDL files may use #ifdef, "
                                   "#ifndef, #else and #endif",
                      name);
        failed(l);
        skip_to_line_end(l);
    }
}

/* One character of a region #ifdef left out; strings are skipped whole so that a quoted
 * comment opener does not start a comment. */
static void skip_inactive(lexer *l)
{
    l->bol = 0;
    if (cur(l) == '"') {
        advance(l);
        while (!at_end(l) && cur(l) != '"' && cur(l) != '\n')
            advance(l);
        if (cur(l) == '"')
            advance(l);
        return;
    }
    advance(l);
}

/* ---- tokens ---- */

/* An integer literal: decimal, 0x hex or 0 octal, with optional u/l suffixes. */
static arca_result_t lex_number(lexer *l, edl_token *tok)
{
    size_t start = l->pos;
    while (!at_end(l) && (isalnum((unsigned char)cur(l)) || cur(l) == '_'))
        advance(l);
    size_t end = l->pos;
    while (end > start && strchr("uUlL", l->s[end - 1]) && end - start > 1)
        end--;
    char *text = edl_strndup(l->ctx, l->s + start, end - start);
    tok->kind = TOK_NUMBER;
    tok->text = edl_strndup(l->ctx, l->s + start, l->pos - start);
    tok->number = 0;
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
        return edl_error(l->ctx, tok->loc, "invalid integer literal '%s'", tok->text);
    uint64_t v = 0;
    for (const char *d = digits; *d; d++) {
        uint64_t digit = (uint64_t)(isdigit((unsigned char)*d) ? *d - '0'
                                                                : 10 + (tolower((unsigned char)*d) - 'a'));
        if (__builtin_mul_overflow(v, (uint64_t)base, &v) || __builtin_add_overflow(v, digit, &v))
            return edl_error(l->ctx, tok->loc, "integer literal '%s' does not fit 64 bits", text);
    }
    tok->number = v;
    return ARCA_OK;
}

/* A "string": no escapes, no NUL, on one line. Errors still yield the token. */
static void lex_string(lexer *l, edl_token *tok)
{
    advance(l);
    size_t start = l->pos;
    int reported = 0;
    while (!at_end(l) && cur(l) != '"' && cur(l) != '\n') {
        if ((cur(l) == '\\' || cur(l) == '\0') && !reported) {
            edl_error(l->ctx, here(l), "escape sequences and NUL are not allowed in EDL strings");
            failed(l);
            reported = 1;
        }
        advance(l);
    }
    tok->kind = TOK_STRING;
    tok->text = edl_strndup(l->ctx, l->s + start, l->pos - start);
    if (at_end(l) || cur(l) != '"') {
        edl_error(l->ctx, tok->loc, "unterminated string: expected '\"'");
        failed(l);
        return;
    }
    advance(l);
}

arca_result_t edl_lex(edl_ctx *ctx, const char *file, const char *text, size_t len,
                      edl_token_list *out)
{
    lexer l = {.ctx = ctx, .file = file, .s = text, .len = len, .line = 1, .col = 1, .bol = 1};
    out->items = NULL;
    out->count = 0;
    out->truncated = 0;
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        l.pos = 3; /* a UTF-8 byte order mark, as some editors write it: not part of the text */
    for (;;) {
        skip_space(&l);
        if (at_end(&l) || edl_stopped(ctx))
            break;
        char c = cur(&l);
        if (c == '#' && l.bol) {
            directive(&l);
            continue;
        }
        if (!active(&l)) {
            skip_inactive(&l);
            continue;
        }
        l.bol = 0;
        edl_token tok = {.loc = here(&l)};
        if (isalpha((unsigned char)c) || c == '_') {
            size_t start = l.pos;
            while (!at_end(&l) && (isalnum((unsigned char)cur(&l)) || cur(&l) == '_'))
                advance(&l);
            tok.kind = TOK_IDENT;
            tok.text = edl_strndup(ctx, l.s + start, l.pos - start);
        } else if (isdigit((unsigned char)c)) {
            if (lex_number(&l, &tok) != ARCA_OK)
                failed(&l); /* the token stays (as 0), so the parser does not trip over the gap */
        } else if (c == '"') {
            lex_string(&l, &tok);
        } else if (c != '\0' && strchr("{}[]();,=*-", c)) {
            tok.kind = TOK_PUNCT;
            tok.text = edl_strndup(ctx, &c, 1);
            advance(&l);
        } else {
            if (c == '#')
                edl_error(ctx, tok.loc, "stray '#': a preprocessor directive must be the first thing "
                                        "on its line");
            else if (isprint((unsigned char)c))
                edl_error(ctx, tok.loc, "unexpected character '%c'", c);
            else
                edl_error(ctx, tok.loc, "unexpected byte 0x%02x", (unsigned char)c);
            failed(&l);
            advance(&l);
            continue;
        }
        EDL_PUSH(ctx, out->items, out->count, tok);
    }
    /* innermost first, like a compiler unwinding its stack */
    for (size_t i = l.cond_count; i-- > 0;) {
        edl_error(ctx, l.conds[i].loc, "%s is not closed: add #endif", l.conds[i].what);
        failed(&l);
    }
    edl_token eof = {.kind = TOK_EOF, .text = "end of file", .loc = here(&l)};
    EDL_PUSH(ctx, out->items, out->count, eof);
    out->truncated = l.truncated;
    return l.failed ? ARCA_ERR_BAD_FORMAT : ARCA_OK;
}
