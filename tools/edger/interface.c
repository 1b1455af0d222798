/*
 * interface.c — the EDL interface hash: a canonical text of the resolved interface (every
 * function in id order with what decides its marshaling, and the layout of every EDL type those
 * functions reach) and its SHA-256. Both sides' generated code carry the hash, and the host
 * refuses an enclave generated from another interface (ARCA_ERR_INTERFACE_MISMATCH).
 *
 * The text is a format (docs/formats.md, "EDL interface hash"): it must depend only on the
 * resolved program, never on how the EDL was written (whitespace, comments, #ifdef-ed out text,
 * the order of includes and type definitions, the spelling of an alias such as sgx_status_t,
 * the file's name), and it must change whenever the generated marshaling or an id changes. Any
 * change of the text itself changes every hash: bump its version line when it happens.
 */
#include "edger.h"

#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"

/* The first line of the canonical text; a new layout of the text gets a new number. */
#define EDL_INTERFACE_VERSION "arca-edl-interface 1"

typedef struct type_set {
    const edl_usertype **items;
    size_t count;
} type_set;

/* A type as the canonical text spells it: the kind and width a builtin resolves to, an EDL
 * type by its tag (its layout follows in its own block), a header's type by its name. const
 * and the pointer are left out: the parameter's kind says how it crosses. */
static const char *canon_type(edl_ctx *ctx, const edl_type *t)
{
    switch (t->kind) {
    case TY_VOID:
        return "void";
    case TY_BUILTIN:
        return t->builtin->canon;
    case TY_STRUCT:
    case TY_UNION:
    case TY_ENUM: {
        const char *kw = t->kind == TY_STRUCT ? "struct" : t->kind == TY_UNION ? "union" : "enum";
        return t->def ? edl_printf(ctx, "%s %s", kw, t->def->name) : edl_printf(ctx, "foreign %s %s", kw, t->tag);
    }
    case TY_FOREIGN:
        break;
    }
    return edl_printf(ctx, "foreign %s", t->tag);
}

/* Array dimensions: a number where arca-edger knows it (literals and EDL enumerators, so an
 * enumerator's name does not matter, its value does), a header's constant by its name. */
static const char *canon_dims(edl_ctx *ctx, const edl_dims *dims)
{
    char *s = "";
    for (size_t i = 0; i < dims->count; i++) {
        const edl_dim *d = &dims->items[i];
        s = d->known ? edl_printf(ctx, "%s[%llu]", s, (unsigned long long)d->value)
                     : edl_printf(ctx, "%s[%s]", s, d->name);
    }
    return s;
}

static const char *canon_sizeref(edl_ctx *ctx, const char *attr, const edl_sizeref *r)
{
    if (!r->present)
        return "";
    if (r->is_literal)
        return edl_printf(ctx, " %s=%llu", attr, (unsigned long long)r->literal);
    return edl_printf(ctx, " %s=%s", attr, r->param);
}

static const char *canon_dir(int dir)
{
    return dir == (EDL_DIR_IN | EDL_DIR_OUT) ? "in,out" : dir == EDL_DIR_OUT ? "out" : "in";
}

static int type_seen(const type_set *s, const edl_usertype *u)
{
    for (size_t i = 0; i < s->count; i++)
        if (s->items[i] == u)
            return 1;
    return 0;
}

/* Every EDL struct, union and enum @p t reaches (members included), once. */
static void reach(edl_ctx *ctx, type_set *s, const edl_type *t)
{
    const edl_usertype *u = t->def;
    if (!u || type_seen(s, u))
        return;
    EDL_PUSH(ctx, s->items, s->count, u);
    for (size_t k = 0; k < u->member_count; k++)
        reach(ctx, s, &u->members[k].type);
}

static int by_tag(const void *a, const void *b)
{
    const edl_usertype *x = *(const edl_usertype *const *)a, *y = *(const edl_usertype *const *)b;
    return strcmp(x->name, y->name);
}

static void emit_func(edl_ctx *ctx, const edl_func *f, edl_out *o)
{
    if (f->trusted)
        edl_emit(o, "ecall %u %s %s%s\n", f->id, f->name, f->is_public ? "public" : "private",
                 f->switchless ? " switchless" : "");
    else
        edl_emit(o, "host-call %u %s%s%s\n", f->id, f->name, f->propagate_errno ? " propagate_errno" : "",
                 f->switchless ? " switchless" : "");
    edl_emit(o, "  return %s\n", canon_type(ctx, &f->ret));
    for (size_t i = 0; i < f->param_count; i++) {
        const edl_param *p = &f->params[i];
        edl_emit(o, "  param %zu %s ", i + 1, p->name);
        if (p->kind == PK_VALUE)
            edl_emit(o, "value %s\n", canon_type(ctx, &p->type));
        else if (p->kind == PK_STRING)
            edl_emit(o, "string %s %s\n", canon_dir(p->dir), canon_type(ctx, &p->type));
        else if (p->dims.count)
            edl_emit(o, "array %s %s%s\n", canon_dir(p->dir), canon_type(ctx, &p->type),
                     canon_dims(ctx, &p->dims));
        else
            edl_emit(o, "buffer %s %s%s%s\n", canon_dir(p->dir), canon_type(ctx, &p->type),
                     canon_sizeref(ctx, "size", &p->size), canon_sizeref(ctx, "count", &p->count));
    }
    if (f->has_allow) {
        edl_emit(o, "  allow");
        for (size_t i = 0; i < f->allow_count; i++)
            edl_emit(o, " %s", f->allow[i]);
        edl_emit(o, "\n");
    }
}

static void emit_usertype(edl_ctx *ctx, const edl_usertype *u, edl_out *o)
{
    edl_emit(o, "%s %s\n", u->kind == TY_STRUCT ? "struct" : u->kind == TY_UNION ? "union" : "enum", u->name);
    for (size_t k = 0; k < u->member_count; k++) {
        const edl_member *m = &u->members[k];
        edl_emit(o, "  member %s %s%s\n", m->name, canon_type(ctx, &m->type), canon_dims(ctx, &m->dims));
    }
    for (size_t k = 0; k < u->enumerator_count; k++) {
        const edl_enumerator *e = &u->enumerators[k];
        if (e->known)
            edl_emit(o, "  enumerator %s %s%llu\n", e->name, e->negative ? "-" : "",
                     (unsigned long long)e->magnitude);
        else if (e->value) /* a constant of an included header */
            edl_emit(o, "  enumerator %s %s\n", e->name, e->value);
        else /* one more than an enumerator arca-edger cannot know */
            edl_emit(o, "  enumerator %s next\n", e->name);
    }
}

arca_result_t edl_interface(edl_ctx *ctx, edl_program *p)
{
    arca_result_t result = ARCA_OK;
    edl_out o = {0};
    type_set types = {0};
    edl_emit(&o, "%s\n", EDL_INTERFACE_VERSION);
    for (size_t n = 0; n < p->ecall_count + p->ocall_count; n++) {
        const edl_func *f = n < p->ecall_count ? p->ecalls[n] : p->ocalls[n - p->ecall_count];
        emit_func(ctx, f, &o);
        reach(ctx, &types, &f->ret);
        for (size_t k = 0; k < f->param_count; k++)
            reach(ctx, &types, &f->params[k].type);
    }
    /* by tag, so that the order of definitions in the EDL does not matter (tags are unique) */
    if (types.count)
        qsort(types.items, types.count, sizeof *types.items, by_tag);
    for (size_t i = 0; i < types.count; i++)
        emit_usertype(ctx, types.items[i], &o);
    p->interface_text = o.len ? edl_strndup(ctx, o.data, o.len) : "";
    p->interface_text_len = o.len;
    result = arca__sha256(p->interface_text, p->interface_text_len, p->interface_hash);
    if (result != ARCA_OK)
        result = edl_error(ctx, (edl_loc){p->edl_name, 0, 0},
                           "cannot compute the interface hash: SHA-256 failed (%s); check the "
                           "OpenSSL installation",
                           arca_result_name(result));
    edl_out_free(&o);
    return result;
}

const char *edl_interface_hex(edl_ctx *ctx, const edl_program *p)
{
    char *hex = edl_alloc(ctx, 2 * sizeof p->interface_hash + 1);
    for (size_t i = 0; i < sizeof p->interface_hash; i++) {
        static const char digits[] = "0123456789abcdef";
        hex[2 * i] = digits[p->interface_hash[i] >> 4];
        hex[2 * i + 1] = digits[p->interface_hash[i] & 15];
    }
    return hex;
}
