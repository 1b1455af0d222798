/*
 * gen_edge.c — generates the two halves of every edge call: the caller-side proxy (marshal the
 * request, call across, check and unmarshal the reply) and the callee-side bridge (check and
 * copy the request into private memory, run the user's function, marshal the reply). Ecalls
 * and host calls use the same two templates, so both directions get the same checks.
 *
 * The generated code only sequences calls into arca/marshal.h and must never contain
 * marshaling logic of its own. It must never write into the caller's buffers (or errno) before
 * the whole reply has been checked, and never run the callee before the reply is known to fit
 * (nor an ecall that allow(...) refuses before anything else).
 */
#include "edger.h"

#include <string.h>

static const char *elem_type(edl_ctx *ctx, const edl_type *t)
{
    edl_type e = *t;
    e.pointers = 0;
    return edl_type_str(ctx, &e);
}

static const char *value_type(edl_ctx *ctx, const edl_type *t)
{
    edl_type e = *t;
    e.is_const = 0;
    return edl_type_str(ctx, &e);
}

/* Wire encoding of a value type (builtins by width, everything else by its bytes). */
static edl_wire wire_of(const edl_type *t)
{
    return t->kind == TY_BUILTIN ? t->builtin->wire : WIRE_RAW;
}

static const char *wire_width(edl_ctx *ctx, const edl_type *t)
{
    switch (wire_of(t)) {
    case WIRE_U8:
        return "1";
    case WIRE_U16:
        return "2";
    case WIRE_U32:
    case WIRE_F32:
        return "4";
    case WIRE_U64:
    case WIRE_SIZE:
    case WIRE_F64:
        return "8";
    default:
        return edl_printf(ctx, "sizeof(%s)", value_type(ctx, t));
    }
}

/* ---- structs and unions by value: member by member into zeroed bytes ----
 *
 * A struct copied as a whole carries its padding, and padding holds whatever the stack held
 * before (enclave secrets included). So a struct or union defined in the EDL never crosses as
 * its raw bytes: the writer reserves sizeof(T) zeroed bytes on the wire and a generated helper
 * copies each member to its offset, recursing into nested structs and arrays of them. Padding
 * is never read, so it stays zero. A union copies exactly the bytes of its largest member (the
 * callee cannot know which member is active); bytes beyond it stay zero. Foreign types (from an
 * included C header) have no EDL definition and still cross as their raw bytes. */

/* The EDL definition of a struct or union passed by value, or NULL. */
static const edl_usertype *cleaned_def(const edl_type *t)
{
    if ((t->kind == TY_STRUCT || t->kind == TY_UNION) && t->def && t->pointers == 0)
        return t->def;
    return NULL;
}

static const char *tag_of(const edl_usertype *u)
{
    return u->kind == TY_STRUCT ? "struct" : "union";
}

static const char *clean_type(edl_ctx *ctx, const edl_usertype *u)
{
    return edl_printf(ctx, "%s %s", tag_of(u), u->name);
}

static const char *clean_fn(edl_ctx *ctx, const edl_usertype *u)
{
    return edl_printf(ctx, "arca_clean_%s_%s", tag_of(u), u->name);
}

static void gen_clean_helper(edl_ctx *ctx, const edl_usertype *u, edl_out *o)
{
    const char *ty = clean_type(ctx, u);
    edl_emit(o, "\n/* %s by value: %s. */\n"
                "static void %s(uint8_t *arca_dst, const %s *arca_src)\n{\n",
             ty, u->kind == TY_UNION ? "its largest member's bytes into zeroed bytes (nothing past them crosses)"
                                     : "copied member by member into zeroed bytes (padding never crosses)", clean_fn(ctx, u), ty);
    if (u->kind == TY_UNION) {
        /* the active member is unknown: the largest one's bytes, the rest stays zero */
        edl_emit(o, "    size_t arca_n = 0;\n");
        for (size_t k = 0; k < u->member_count; k++)
            edl_emit(o, "    if (sizeof arca_src->%s > arca_n)\n        arca_n = sizeof arca_src->%s;\n",
                     u->members[k].name, u->members[k].name);
        edl_emit(o, "    arca_marshal_put_member(arca_dst, 0, arca_src, arca_n);\n}\n");
        return;
    }
    if (u->member_count == 0)
        edl_emit(o, "    (void)arca_dst;\n    (void)arca_src;\n");
    for (size_t k = 0; k < u->member_count; k++) {
        const edl_member *m = &u->members[k];
        const edl_usertype *sub = cleaned_def(&m->type);
        const char *off = edl_printf(ctx, "offsetof(%s, %s)", ty, m->name);
        if (!sub) {
            edl_emit(o, "    arca_marshal_put_member(arca_dst, %s, &arca_src->%s, sizeof arca_src->%s);\n", off,
                     m->name, m->name);
        } else if (m->dims.count == 0) {
            edl_emit(o, "    %s(arca_dst + %s, &arca_src->%s);\n", clean_fn(ctx, sub), off, m->name);
        } else {
            /* an array of structs or unions (any rank): element by element, in memory order */
            const char *sty = clean_type(ctx, sub);
            edl_emit(o, "    for (size_t arca_i = 0; arca_i < sizeof arca_src->%s / sizeof(%s); arca_i++)\n"
                        "        %s(arca_dst + %s + arca_i * sizeof(%s),\n"
                        "           (const %s *)(const void *)arca_src->%s + arca_i);\n",
                     m->name, sty, clean_fn(ctx, sub), off, sty, sty, m->name);
        }
    }
    edl_emit(o, "}\n");
}

typedef struct clean_set {
    const edl_usertype **items;
    size_t count;
} clean_set;

static int clean_seen(const clean_set *s, const edl_usertype *u)
{
    for (size_t i = 0; i < s->count; i++)
        if (s->items[i] == u)
            return 1;
    return 0;
}

static void clean_add(edl_ctx *ctx, clean_set *s, const edl_usertype *u)
{
    EDL_PUSH(ctx, s->items, s->count, u);
}

/* Post-order, so a helper follows the helpers it calls; `seen` also stops (invalid) cycles. */
static void clean_visit(edl_ctx *ctx, clean_set *seen, clean_set *order, const edl_type *t)
{
    const edl_usertype *u = cleaned_def(t);
    if (!u || clean_seen(seen, u))
        return;
    clean_add(ctx, seen, u);
    if (u->kind == TY_STRUCT)
        for (size_t k = 0; k < u->member_count; k++)
            clean_visit(ctx, seen, order, &u->members[k].type);
    clean_add(ctx, order, u);
}

void edl_gen_clean_helpers(edl_ctx *ctx, const edl_program *p, int trusted, edl_out *o)
{
    clean_set seen = {0}, order = {0};
    /* What this side sends by value: its proxies' value parameters, its bridges' return values. */
    edl_func *const *sent_params = trusted ? p->ocalls : p->ecalls;
    size_t sent_count = trusted ? p->ocall_count : p->ecall_count;
    edl_func *const *returned = trusted ? p->ecalls : p->ocalls;
    size_t returned_count = trusted ? p->ecall_count : p->ocall_count;
    for (size_t i = 0; i < sent_count; i++)
        for (size_t k = 0; k < sent_params[i]->param_count; k++)
            if (sent_params[i]->params[k].kind == PK_VALUE)
                clean_visit(ctx, &seen, &order, &sent_params[i]->params[k].type);
    for (size_t i = 0; i < returned_count; i++)
        clean_visit(ctx, &seen, &order, &returned[i]->ret);
    for (size_t i = 0; i < order.count; i++)
        gen_clean_helper(ctx, order.items[i], o);
}

static void put_value(edl_ctx *ctx, edl_out *o, const edl_type *t, const char *lv)
{
    static const char *const bits[] = {"8", "16", "32", "64"};
    edl_wire w = wire_of(t);
    const edl_usertype *u = cleaned_def(t);
    if (u) {
        edl_emit(o,
                 "    {\n"
                 "        uint8_t *arca_at = arca_marshal_put_zeroed(&arca_w, sizeof(%s));\n"
                 "        if (arca_at)\n"
                 "            %s(arca_at, &%s);\n"
                 "    }\n",
                 clean_type(ctx, u), clean_fn(ctx, u), lv);
        return;
    }
    switch (w) {
    case WIRE_U8:
    case WIRE_U16:
    case WIRE_U32:
    case WIRE_U64:
        edl_emit(o, "    arca_marshal_put_u%s(&arca_w, (uint%s_t)%s);\n", bits[w - WIRE_U8], bits[w - WIRE_U8], lv);
        break;
    case WIRE_SIZE:
        edl_emit(o, "    arca_marshal_put_u64(&arca_w, (uint64_t)%s);\n", lv);
        break;
    case WIRE_F32:
        edl_emit(o, "    arca_marshal_put_f32(&arca_w, %s);\n", lv);
        break;
    case WIRE_F64:
        edl_emit(o, "    arca_marshal_put_f64(&arca_w, %s);\n", lv);
        break;
    case WIRE_RAW:
        edl_emit(o, "    arca_marshal_put_raw(&arca_w, &%s, sizeof %s);\n", lv, lv);
        break;
    }
}

static void get_value(edl_ctx *ctx, edl_out *o, const edl_type *t, const char *lv)
{
    static const char *const bits[] = {"8", "16", "32", "64"};
    edl_wire w = wire_of(t);
    switch (w) {
    case WIRE_U8:
    case WIRE_U16:
    case WIRE_U32:
    case WIRE_U64:
        edl_emit(o,
                 "    {\n"
                 "        uint%s_t arca_v;\n"
                 "        arca_marshal_get_u%s(&arca_r, &arca_v);\n"
                 "        %s = (%s)arca_v;\n"
                 "    }\n",
                 bits[w - WIRE_U8], bits[w - WIRE_U8], lv, value_type(ctx, t));
        break;
    case WIRE_SIZE:
        edl_emit(o, "    arca_marshal_get_size_t(&arca_r, &%s);\n", lv);
        break;
    case WIRE_F32:
        edl_emit(o, "    arca_marshal_get_f32(&arca_r, &%s);\n", lv);
        break;
    case WIRE_F64:
        edl_emit(o, "    arca_marshal_get_f64(&arca_r, &%s);\n", lv);
        break;
    case WIRE_RAW:
        edl_emit(o, "    arca_marshal_get_raw(&arca_r, &%s, sizeof %s);\n", lv, lv);
        break;
    }
}

#define CHECK_LINE "    if (arca_result != ARCA_OK)\n        goto arca_done;\n"

/* One operand of a buffer size: a literal, a parameter (checked non-negative), or a default. */
static void size_operand(edl_ctx *ctx, edl_out *o, const edl_func *f, const edl_param *buf,
                         const char *attr, const edl_sizeref *ref, const char *var, const char *dflt,
                         const char *fail, const char *indent)
{
    if (!ref->present) {
        edl_emit(o, "%suint64_t %s = %s;\n", indent, var, dflt);
    } else if (ref->is_literal) {
        edl_emit(o, "%suint64_t %s = UINT64_C(%llu);\n", indent, var, (unsigned long long)ref->literal);
    } else {
        const edl_param *sp = &f->params[ref->param_index];
        if (ref->is_foreign) {
            /* A typedef from a header (or an EDL enum). The C compiler checks that a header's
             * typedef is an integer of at most 64 bits; the value goes through the signed check,
             * which also refuses unsigned values above INT64_MAX (no buffer is that large). */
            const char *t = value_type(ctx, &sp->type);
            if (sp->type.kind == TY_FOREIGN)
                edl_emit(o, "%sARCA_EDL_STATIC_ASSERT((%s)1 / 2 == 0 && sizeof(%s) <= 8,\n"
                            "%s                       \"%s=%s of '%s' in %s: %s must be an integer type\");\n",
                         indent, t, t, indent, attr, sp->name, buf->name, f->name, t);
            edl_emit(o, "%suint64_t %s;\n", indent, var);
            edl_emit(o, "%sarca_result = arca_marshal_nonneg(\"%s\", \"%s\", (long long)%s, %s, &%s);\n",
                     indent, f->name, sp->name, sp->name, fail, var);
            edl_emit(o, "%sif (arca_result != ARCA_OK)\n%s    goto arca_done;\n", indent, indent);
        } else if (sp->type.builtin->is_signed) {
            edl_emit(o, "%suint64_t %s;\n", indent, var);
            edl_emit(o, "%sarca_result = arca_marshal_nonneg(\"%s\", \"%s\", (long long)%s, %s, &%s);\n",
                     indent, f->name, sp->name, sp->name, fail, var);
            edl_emit(o, "%sif (arca_result != ARCA_OK)\n%s    goto arca_done;\n", indent, indent);
        } else {
            edl_emit(o, "%suint64_t %s = (uint64_t)%s;\n", indent, var, sp->name);
        }
    }
}

/* The C array type of an array parameter, e.g. "int32_t[4]", "uint8_t[N][3]". */
static const char *array_type(edl_ctx *ctx, const edl_param *p)
{
    char *s = (char *)elem_type(ctx, &p->type);
    for (size_t i = 0; i < p->dims.count; i++)
        s = edl_printf(ctx, "%s[%s]", s, edl_dim_str(ctx, &p->dims.items[i]));
    return s;
}

/* arca_bytes_<p> = the declared size of buffer p (computed when the pointer is present). */
static void buffer_size(edl_ctx *ctx, edl_out *o, const edl_func *f, const edl_param *p,
                        const char *present, const char *fail)
{
    const char *elem = p->type.kind == TY_VOID ? "1" : edl_printf(ctx, "sizeof(%s)", elem_type(ctx, &p->type));
    if (p->dims.count && !p->array_known) {
        /* a dimension is a header's constant: the C compiler computes and bounds the size */
        const char *at = array_type(ctx, p);
        edl_emit(o, "    ARCA_EDL_STATIC_ASSERT(sizeof(%s) >= %s && sizeof(%s) / %s <= 2147483648u,\n"
                    "                           \"array '%s' of %s must have 1 to 2^31 elements\");\n",
                 at, elem, at, elem, p->name, f->name);
        edl_emit(o, "    if (%s)\n        arca_bytes_%s = sizeof(%s);\n", present, p->name, at);
        return;
    }
    if (p->dims.count) {
        edl_emit(o, "    if (%s)\n        arca_bytes_%s = (size_t)%llu * %s;\n", present, p->name,
                 (unsigned long long)p->array_elems, elem);
        return;
    }
    edl_emit(o, "    if (%s) {\n", present);
    size_operand(ctx, o, f, p, "size", &p->size, "arca_unit", elem, fail, "        ");
    size_operand(ctx, o, f, p, "count", &p->count, "arca_count", "1", fail, "        ");
    edl_emit(o, "        arca_result = arca_marshal_size(\"%s\", \"%s\", arca_unit, arca_count, %s, "
                "&arca_bytes_%s);\n",
             f->name, p->name, fail, p->name);
    edl_emit(o, "        if (arca_result != ARCA_OK)\n            goto arca_done;\n    }\n");
}

static int is_copied(const edl_param *p)
{
    return p->kind != PK_VALUE;
}

static int goes_out(const edl_param *p)
{
    return p->kind != PK_VALUE && (p->dir & EDL_DIR_OUT);
}

static char *param_list(edl_ctx *ctx, const edl_func *f, char *prefix)
{
    char *s = prefix;
    for (size_t i = 0; i < f->param_count; i++) {
        const edl_param *p = &f->params[i];
        char *d = edl_decl(ctx, &p->type, p->name, &p->dims);
        s = s ? edl_printf(ctx, "%s, %s", s, d) : d;
    }
    return s ? s : "void";
}

char *edl_proxy_signature(edl_ctx *ctx, const edl_func *f, int host_side)
{
    char *prefix = host_side ? "arca_enclave_t *arca_enclave" : NULL;
    if (f->ret.kind != TY_VOID) {
        char *rv = edl_printf(ctx, "%s *arca_retval", value_type(ctx, &f->ret));
        prefix = prefix ? edl_printf(ctx, "%s, %s", prefix, rv) : rv;
    }
    return edl_printf(ctx, "arca_result_t %s(%s)", f->name, param_list(ctx, f, prefix));
}

char *edl_impl_signature(edl_ctx *ctx, const edl_func *f)
{
    return edl_printf(ctx, "%s %s(%s)", edl_type_str(ctx, &f->ret), f->name, param_list(ctx, f, NULL));
}

void edl_gen_proxy(edl_ctx *ctx, const edl_program *prog, const edl_func *f, int host_side, edl_out *o)
{
    const char *fail = host_side ? "ARCA_ERR_BAD_FRAME" : "ARCA_ERR_BAD_HOST_REPLY";
    const char *arg_fail = "ARCA_ERR_INVALID_ARGUMENT";
    int has_ret = f->ret.kind != TY_VOID;
    int tracks_call = !host_side && prog->checks_allow; /* allow(): mark the host call in flight */
    int errno_back = !host_side && f->propagate_errno;  /* the host's errno comes back */

    edl_emit(o, "%s\n{\n", edl_proxy_signature(ctx, f, host_side));
    edl_emit(o, "    arca_result_t arca_result = ARCA_OK;\n"
                "    arca_marshal_writer_t arca_w;\n"
                "    arca_marshal_reader_t arca_r;\n"
                "    arca_marshal_sizer_t arca_s;\n"
                "    uint8_t *arca_reply = NULL;\n"
                "    size_t arca_reply_cap = 0, arca_reply_len = 0;\n");
    if (has_ret)
        edl_emit(o, "    %s arca_ret;\n", value_type(ctx, &f->ret));
    if (errno_back)
        edl_emit(o, "    uint32_t arca_errno = 0;\n");
    if (tracks_call)
        edl_emit(o, "    uint32_t arca_outer_call = arca_edl_host_call;\n");
    for (size_t i = 0; i < f->param_count; i++) {
        const edl_param *p = &f->params[i];
        if (!is_copied(p))
            continue;
        edl_emit(o, "    size_t arca_bytes_%s = 0;\n", p->name);
        if (goes_out(p))
            edl_emit(o, "    int arca_has_%s = 0;\n    const uint8_t *arca_wire_%s = NULL;\n"
                        "    size_t arca_n_%s = 0;\n",
                     p->name, p->name, p->name);
    }
    edl_emit(o, "\n    arca_marshal_writer_init(&arca_w);\n    arca_marshal_sizer_init(&arca_s);\n");
    for (size_t i = 0; i < f->param_count; i++) {
        const edl_param *p = &f->params[i];
        if (p->kind == PK_STRING)
            edl_emit(o, "    arca_bytes_%s = arca_marshal_string_size(%s);\n", p->name, p->name);
        else if (p->kind == PK_BUFFER)
            buffer_size(ctx, o, f, p, edl_printf(ctx, "%s != NULL", p->name), arg_fail);
    }
    edl_emit(o, "\n    /* request: parameters in declaration order */\n");
    for (size_t i = 0; i < f->param_count; i++) {
        const edl_param *p = &f->params[i];
        if (p->kind == PK_VALUE)
            put_value(ctx, o, &p->type, p->name);
        else if (p->dir & EDL_DIR_IN)
            edl_emit(o, "    arca_marshal_put_buffer(&arca_w, %s, arca_bytes_%s);\n", p->name, p->name);
        else
            edl_emit(o, "    arca_marshal_put_size(&arca_w, %s, arca_bytes_%s);\n", p->name, p->name);
    }
    edl_emit(o, "    arca_result = arca_marshal_writer_result(&arca_w);\n" CHECK_LINE);
    edl_emit(o, "\n    /* the reply has exactly this size: return value, %sthen [out] buffers */\n",
             errno_back ? "the host's errno, " : "");
    if (has_ret)
        edl_emit(o, "    arca_marshal_need_fixed(&arca_s, %s);\n", wire_width(ctx, &f->ret));
    if (errno_back)
        edl_emit(o, "    arca_marshal_need_fixed(&arca_s, 4);\n");
    for (size_t i = 0; i < f->param_count; i++) {
        const edl_param *p = &f->params[i];
        if (goes_out(p))
            edl_emit(o, "    arca_marshal_need_buffer(&arca_s, %s != NULL, arca_bytes_%s);\n", p->name,
                     p->name);
    }
    edl_emit(o, "    arca_result = arca_marshal_reply_alloc(&arca_s, &arca_reply, &arca_reply_cap);\n" CHECK_LINE);
    if (host_side)
        edl_emit(o, "    arca_result = arca_enclave_call(arca_enclave, %u, arca_w.data, arca_w.len, "
                    "arca_reply, arca_reply_cap,\n                                    &arca_reply_len);\n",
                 f->id);
    else if (tracks_call)
        edl_emit(o, "    arca_edl_host_call = %u; /* allow(): ecalls arriving meanwhile are checked */\n"
                    "    arca_result = arca_host_call(%u, arca_w.data, arca_w.len, arca_reply, "
                    "arca_reply_cap, &arca_reply_len);\n"
                    "    arca_edl_host_call = arca_outer_call;\n",
                 f->id, f->id);
    else
        edl_emit(o, "    arca_result = arca_host_call(%u, arca_w.data, arca_w.len, arca_reply, "
                    "arca_reply_cap, &arca_reply_len);\n",
                 f->id);
    edl_emit(o, CHECK_LINE);
    edl_emit(o, "    arca_result = arca_marshal_reply_len(\"%s\", arca_reply_len, arca_reply_cap, %s);\n" CHECK_LINE,
             f->name, fail);
    edl_emit(o, "\n    /* check the whole reply before writing anything of the caller's */\n");
    edl_emit(o, "    arca_marshal_reader_init(&arca_r, arca_reply, arca_reply_len, \"%s\", %s);\n", f->name, fail);
    if (has_ret)
        get_value(ctx, o, &f->ret, "arca_ret");
    if (errno_back)
        edl_emit(o, "    arca_marshal_get_u32(&arca_r, &arca_errno);\n");
    for (size_t i = 0; i < f->param_count; i++) {
        const edl_param *p = &f->params[i];
        if (goes_out(p))
            edl_emit(o, "    arca_marshal_get_buffer(&arca_r, \"%s\", &arca_has_%s, &arca_wire_%s, &arca_n_%s);\n",
                     p->name, p->name, p->name, p->name);
    }
    edl_emit(o, "    arca_result = arca_marshal_reader_end(&arca_r);\n" CHECK_LINE);
    for (size_t i = 0; i < f->param_count; i++) {
        const edl_param *p = &f->params[i];
        if (!goes_out(p))
            continue;
        edl_emit(o, "    arca_result = arca_marshal_check_reply(\"%s\", \"%s\", %s != NULL, arca_has_%s, "
                    "arca_wire_%s, arca_n_%s,\n                                           arca_bytes_%s, %d, %s);\n" CHECK_LINE,
                 f->name, p->name, p->name, p->name, p->name, p->name, p->name, p->kind == PK_STRING, fail);
    }
    for (size_t i = 0; i < f->param_count; i++) {
        const edl_param *p = &f->params[i];
        if (goes_out(p))
            edl_emit(o, "    arca_marshal_copy_out(%s, arca_wire_%s, arca_n_%s);\n", p->name, p->name, p->name);
    }
    if (has_ret)
        edl_emit(o, "    if (arca_retval)\n        *arca_retval = arca_ret;\n");
    if (errno_back)
        edl_emit(o, "    errno = (int)arca_errno; /* propagate_errno: the host's errno after the call */\n");
    edl_emit(o, "\narca_done:\n"
                "    arca_marshal_writer_free(&arca_w);\n"
                "    arca_marshal_free(arca_reply, arca_reply_cap);\n"
                "    return arca_result;\n}\n");
}

/* The argument the bridge passes for parameter @p p: buffers are void * locals, cast to the
 * parameter's pointer type so that the call is valid C++ too. */
static const char *call_arg(edl_ctx *ctx, const edl_param *p)
{
    if (p->kind == PK_VALUE)
        return p->name;
    if (!p->dims.count)
        return edl_printf(ctx, "(%s)%s", edl_type_str(ctx, &p->type), p->name);
    const char *elem = elem_type(ctx, &p->type);
    if (p->dims.count == 1)
        return edl_printf(ctx, "(%s *)%s", elem, p->name);
    char *rest = "";
    for (size_t i = 1; i < p->dims.count; i++)
        rest = edl_printf(ctx, "%s[%s]", rest, edl_dim_str(ctx, &p->dims.items[i]));
    return edl_printf(ctx, "(%s (*)%s)%s", elem, rest, p->name);
}

void edl_gen_bridge(edl_ctx *ctx, const edl_program *prog, const edl_func *f, int host_side, edl_out *o)
{
    const char *fail = "ARCA_ERR_BAD_FRAME";
    int has_ret = f->ret.kind != TY_VOID;
    int checks_entry = !host_side && prog->checks_allow; /* allow(): may this ecall run now? */
    int errno_back = host_side && f->propagate_errno;    /* send the host's errno back */

    int indent = (int)(strlen("static arca_result_t arca_bridge_(") + strlen(f->name));
    edl_emit(o, "static arca_result_t arca_bridge_%s(%sconst uint8_t *arca_in, size_t arca_in_len,\n"
                "%*suint8_t *arca_out, size_t arca_out_cap, size_t *arca_out_len)\n{\n",
             f->name, host_side ? "void *arca_ctx, " : "", indent, "");
    if (f->own_name_param) /* a parameter named like the function hides it: call through this */
        edl_emit(o, "    %s (*const arca_fn)(%s) = %s;\n", edl_type_str(ctx, &f->ret), param_list(ctx, f, NULL),
                 f->name);
    edl_emit(o, "    arca_result_t arca_result = ARCA_OK;\n"
                "    arca_marshal_reader_t arca_r;\n"
                "    arca_marshal_writer_t arca_w;\n"
                "    arca_marshal_sizer_t arca_s;\n");
    if (has_ret)
        edl_emit(o, "    %s arca_ret;\n", value_type(ctx, &f->ret));
    if (errno_back)
        edl_emit(o, "    int arca_errno;\n");
    for (size_t i = 0; i < f->param_count; i++) {
        const edl_param *p = &f->params[i];
        if (p->kind == PK_VALUE) {
            edl_type t = p->type;
            t.is_const = 0;
            edl_emit(o, "    %s;\n", edl_decl(ctx, &t, p->name, NULL));
            continue;
        }
        edl_emit(o, "    void *%s = NULL;\n    int arca_has_%s = 0;\n    size_t arca_n_%s = 0, arca_bytes_%s = 0;\n",
                 p->name, p->name, p->name, p->name);
        if (p->dir & EDL_DIR_IN)
            edl_emit(o, "    const uint8_t *arca_wire_%s = NULL;\n", p->name);
    }
    if (host_side)
        edl_emit(o, "\n    (void)arca_ctx;\n");
    if (checks_entry)
        edl_emit(o, "\n    arca_result = arca_edl_entry_allowed(%u, %d, \"%s\");\n" CHECK_LINE, f->id, f->is_public,
                 f->name);
    edl_emit(o, "\n    /* the request is a private copy; read it completely, then check it */\n");
    edl_emit(o, "    arca_marshal_reader_init(&arca_r, arca_in, arca_in_len, \"%s\", %s);\n", f->name, fail);
    for (size_t i = 0; i < f->param_count; i++) {
        const edl_param *p = &f->params[i];
        if (p->kind == PK_VALUE)
            get_value(ctx, o, &p->type, p->name);
        else if (p->dir & EDL_DIR_IN)
            edl_emit(o, "    arca_marshal_get_buffer(&arca_r, \"%s\", &arca_has_%s, &arca_wire_%s, &arca_n_%s);\n",
                     p->name, p->name, p->name, p->name);
        else
            edl_emit(o, "    arca_marshal_get_out_size(&arca_r, \"%s\", &arca_has_%s, &arca_n_%s);\n", p->name,
                     p->name, p->name);
    }
    edl_emit(o, "    arca_result = arca_marshal_reader_end(&arca_r);\n" CHECK_LINE);
    for (size_t i = 0; i < f->param_count; i++) {
        const edl_param *p = &f->params[i];
        if (p->kind == PK_BUFFER)
            buffer_size(ctx, o, f, p, edl_printf(ctx, "arca_has_%s", p->name), fail);
    }
    for (size_t i = 0; i < f->param_count; i++) {
        const edl_param *p = &f->params[i];
        if (p->kind == PK_STRING)
            edl_emit(o, "    arca_bytes_%s = arca_n_%s;\n", p->name, p->name);
    }
    edl_emit(o, "\n    /* the reply must fit before anything is allocated or run, so nothing runs twice */\n");
    edl_emit(o, "    arca_marshal_sizer_init(&arca_s);\n");
    if (has_ret)
        edl_emit(o, "    arca_marshal_need_fixed(&arca_s, %s);\n", wire_width(ctx, &f->ret));
    if (errno_back)
        edl_emit(o, "    arca_marshal_need_fixed(&arca_s, 4);\n");
    for (size_t i = 0; i < f->param_count; i++) {
        const edl_param *p = &f->params[i];
        if (goes_out(p))
            edl_emit(o, "    arca_marshal_need_buffer(&arca_s, arca_has_%s, arca_bytes_%s);\n", p->name, p->name);
    }
    edl_emit(o, "    arca_result = arca_marshal_sizer_fits(&arca_s, arca_out_cap, arca_out_len);\n" CHECK_LINE);
    edl_emit(o, "\n    /* private copies: [in] checked against their declared sizes, [out] zeroed */\n");
    for (size_t i = 0; i < f->param_count; i++) {
        const edl_param *p = &f->params[i];
        if (p->kind == PK_STRING) {
            edl_emit(o, "    arca_result = arca_marshal_in_string(\"%s\", \"%s\", arca_has_%s, arca_wire_%s, "
                        "arca_n_%s, %s, &%s);\n" CHECK_LINE,
                     f->name, p->name, p->name, p->name, p->name, fail, p->name);
        } else if (p->kind == PK_BUFFER && (p->dir & EDL_DIR_IN)) {
            edl_emit(o, "    arca_result = arca_marshal_in_buffer(\"%s\", \"%s\", arca_has_%s, arca_wire_%s, "
                        "arca_n_%s,\n                                         arca_bytes_%s, %s, &%s);\n" CHECK_LINE,
                     f->name, p->name, p->name, p->name, p->name, p->name, fail, p->name);
        } else if (p->kind == PK_BUFFER) {
            edl_emit(o, "    arca_result = arca_marshal_out_buffer(\"%s\", \"%s\", arca_has_%s, arca_n_%s, "
                        "arca_bytes_%s, %s, &%s);\n" CHECK_LINE,
                     f->name, p->name, p->name, p->name, p->name, fail, p->name);
        }
    }
    char *args = NULL;
    for (size_t i = 0; i < f->param_count; i++) {
        const char *arg = call_arg(ctx, &f->params[i]);
        args = args ? edl_printf(ctx, "%s, %s", args, arg) : (char *)arg;
    }
    if (errno_back)
        edl_emit(o, "\n    errno = 0; /* propagate_errno: what the function leaves in errno goes back */");
    edl_emit(o, "\n    %s%s(%s);\n", has_ret ? "arca_ret = " : "", f->own_name_param ? "arca_fn" : f->name,
             args ? args : "");
    if (errno_back)
        edl_emit(o, "    arca_errno = errno;\n");
    for (size_t i = 0; i < f->param_count; i++) {
        const edl_param *p = &f->params[i];
        if (p->kind == PK_STRING && (p->dir & EDL_DIR_OUT))
            edl_emit(o, "    arca_marshal_terminate(%s, arca_bytes_%s);\n", p->name, p->name);
    }
    edl_emit(o, "\n    arca_marshal_writer_init_fixed(&arca_w, arca_out, arca_out_cap);\n");
    if (has_ret)
        put_value(ctx, o, &f->ret, "arca_ret");
    if (errno_back)
        edl_emit(o, "    arca_marshal_put_u32(&arca_w, (uint32_t)arca_errno);\n");
    for (size_t i = 0; i < f->param_count; i++) {
        const edl_param *p = &f->params[i];
        if (goes_out(p))
            edl_emit(o, "    arca_marshal_put_buffer(&arca_w, %s, arca_bytes_%s);\n", p->name, p->name);
    }
    edl_emit(o, "    arca_result = arca_marshal_writer_result(&arca_w);\n" CHECK_LINE
                "    *arca_out_len = arca_w.len;\n\narca_done:\n");
    for (size_t i = 0; i < f->param_count; i++) {
        const edl_param *p = &f->params[i];
        if (is_copied(p))
            edl_emit(o, "    arca_marshal_free(%s, arca_bytes_%s);\n", p->name, p->name);
    }
    edl_emit(o, "    return arca_result;\n}\n");
}
