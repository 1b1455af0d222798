/*
 * util.c — arca-edger's arena allocator, string helpers and diagnostics.
 *
 * All memory of one compilation lives in the context's arena and is released by edl_free().
 * Diagnostics use the "file:line:col: error: message" form editors understand, followed by
 * one "  imported from FILE:LINE:COL" line per import that led to the file. This file must
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
    ctx->max_errors = EDL_MAX_ERRORS;
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
    ctx->sites = NULL; /* arena memory */
    ctx->site_count = 0;
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

static edl_site *find_site(edl_ctx *ctx, const char *file)
{
    for (size_t i = 0; file && i < ctx->site_count; i++)
        if (strcmp(ctx->sites[i].file, file) == 0)
            return &ctx->sites[i];
    return NULL;
}

void edl_add_site(edl_ctx *ctx, const char *file, edl_loc from, const char *note)
{
    if (find_site(ctx, file))
        return;
    edl_site site = {file, from, note, 0};
    EDL_PUSH(ctx, ctx->sites, ctx->site_count, site);
}

/* The chain of imports that led to @p file, innermost first; the file's note once. */
static void print_trail(edl_ctx *ctx, const char *file)
{
    edl_site *own = find_site(ctx, file);
    const char *cur = file;
    /* each hop moves to an earlier-loaded file; the bound only guards against a broken table */
    for (size_t hops = 0; hops <= ctx->site_count; hops++) {
        const edl_site *s = find_site(ctx, cur);
        if (!s)
            break;
        fprintf(ctx->diag, "  imported from %s:%d:%d\n", s->from.file ? s->from.file : "<input>",
                s->from.line, s->from.col);
        cur = s->from.file;
    }
    if (own && own->note && !own->noted) {
        own->noted = 1;
        fprintf(ctx->diag, "  note: %s\n", own->note);
    }
}

__attribute__((format(printf, 4, 0))) static void report(edl_ctx *ctx, edl_loc loc, const char *kind,
                                                         const char *fmt, va_list ap)
{
    fprintf(ctx->diag, "%s:%d:%d: %s: ", loc.file ? loc.file : "<input>", loc.line, loc.col, kind);
    vfprintf(ctx->diag, fmt, ap);
    fputc('\n', ctx->diag);
    print_trail(ctx, loc.file);
}

arca_result_t edl_error(edl_ctx *ctx, edl_loc loc, const char *fmt, ...)
{
    ctx->errors++;
    if (ctx->diag && ctx->errors <= ctx->max_errors) {
        va_list ap;
        va_start(ap, fmt);
        report(ctx, loc, "error", fmt, ap);
        va_end(ap);
    } else if (ctx->diag && ctx->errors == ctx->max_errors + 1) {
        fprintf(ctx->diag, "arca-edger: more than %d errors; stopping here (fix these and run again)\n",
                ctx->max_errors);
    }
    return ARCA_ERR_BAD_FORMAT;
}

void edl_warning(edl_ctx *ctx, edl_loc loc, const char *fmt, ...)
{
    ctx->warnings++;
    if (ctx->diag && !edl_stopped(ctx)) {
        va_list ap;
        va_start(ap, fmt);
        report(ctx, loc, "warning", fmt, ap);
        va_end(ap);
    }
}

int edl_stopped(const edl_ctx *ctx)
{
    return ctx->errors > ctx->max_errors;
}

int edl_defined(const edl_ctx *ctx, const char *name)
{
    for (size_t i = 0; i < ctx->define_count; i++)
        if (strcmp(ctx->defines[i], name) == 0)
            return 1;
    return 0;
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
