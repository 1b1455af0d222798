/*
 * util.c — arca-edger's arena allocator, string helpers and diagnostics.
 *
 * All memory of one compilation lives in the context's arena and is released by edl_free().
 * Diagnostics use the "file:line:col: error: message" form editors understand. This file must
 * never print anything but diagnostics, and never to stdout.
 */
#include "edger.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

struct edl_arena_block {
    edl_arena_block *next;
    max_align_t data[];
};

void edl_init(edl_ctx *ctx, FILE *diag)
{
    memset(ctx, 0, sizeof *ctx);
    ctx->diag = diag;
    ctx->max_import_depth = 64;
}

void edl_free(edl_ctx *ctx)
{
    edl_arena_block *b = ctx->blocks;
    while (b) {
        edl_arena_block *next = b->next;
        free(b);
        b = next;
    }
    ctx->blocks = NULL;
}

void *edl_alloc(edl_ctx *ctx, size_t size)
{
    size_t total;
    if (__builtin_add_overflow(size, sizeof(edl_arena_block), &total)) {
        fprintf(stderr, "arca-edger: out of memory\n");
        exit(2);
    }
    edl_arena_block *b = calloc(1, total);
    if (!b) {
        fprintf(stderr, "arca-edger: out of memory\n");
        exit(2);
    }
    b->next = ctx->blocks;
    ctx->blocks = b;
    return b->data;
}

void *edl_grow(edl_ctx *ctx, void *items, size_t count, size_t size)
{
    /* count is the number already stored; the capacity is the next power of two (at least 4) */
    if (count && (count < 4 || (count & (count - 1)) != 0))
        return items;
    size_t cap = count ? count * 2 : 4, bytes;
    if (__builtin_mul_overflow(cap, size, &bytes)) {
        fprintf(stderr, "arca-edger: out of memory\n");
        exit(2);
    }
    void *n = edl_alloc(ctx, bytes);
    if (count)
        memcpy(n, items, count * size);
    return n;
}

char *edl_strndup(edl_ctx *ctx, const char *s, size_t n)
{
    char *d = edl_alloc(ctx, n + 1);
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

char *edl_strdup(edl_ctx *ctx, const char *s)
{
    return edl_strndup(ctx, s, strlen(s));
}

char *edl_printf(edl_ctx *ctx, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        n = 0;
    char *s = edl_alloc(ctx, (size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return s;
}

arca_result_t edl_error(edl_ctx *ctx, edl_loc loc, const char *fmt, ...)
{
    ctx->errors++;
    if (ctx->diag) {
        va_list ap;
        va_start(ap, fmt);
        fprintf(ctx->diag, "%s:%d:%d: error: ", loc.file ? loc.file : "<input>", loc.line, loc.col);
        vfprintf(ctx->diag, fmt, ap);
        fputc('\n', ctx->diag);
        va_end(ap);
    }
    return ARCA_ERR_BAD_FORMAT;
}

void edl_emit(edl_out *o, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n <= 0)
        return;
    size_t need = o->len + (size_t)n + 1;
    if (need > o->cap) {
        size_t cap = o->cap ? o->cap * 2 : 4096;
        while (cap < need)
            cap *= 2;
        char *grown = realloc(o->data, cap);
        if (!grown) {
            fprintf(stderr, "arca-edger: out of memory\n");
            exit(2);
        }
        o->data = grown;
        o->cap = cap;
    }
    va_start(ap, fmt);
    vsnprintf(o->data + o->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    o->len += (size_t)n;
}

void edl_out_free(edl_out *o)
{
    free(o->data);
    o->data = NULL;
    o->len = o->cap = 0;
}
