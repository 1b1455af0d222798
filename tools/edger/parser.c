/*
 * parser.c — the recursive-descent parser for one EDL file (the Intel SGX SDK / Open Enclave
 * grammar documented in docs/edl.md). It builds the items of one module; imports are only
 * recorded here and resolved by resolve.c.
 *
 * Everything outside the supported grammar is rejected with a positioned message that names
 * the construct and says what to do instead; the parser must never accept input it does not
 * understand, so no EDL can compile into silently different code. After an error it skips to
 * the end of the declaration that failed (recover()) and goes on, so one run reports every
 * error of a file; nothing parsed after an error is ever compiled, since the error fails the run.
 */
#include "edger.h"

#include <string.h>

typedef struct parser {
    edl_ctx *ctx;
    edl_token *t;
    size_t count, pos;
    int failed;       /* an error was reported and recovered from inside a block */
    int eof_reported; /* an unexpected end of file was reported (once is enough) */
} parser;

arca_result_t edl_parse_module(edl_ctx *ctx, const edl_token_list *tokens, edl_module *m);

static edl_token *cur(parser *p)
{
    return &p->t[p->pos < p->count ? p->pos : p->count - 1];
}

static edl_token *next_tok(parser *p)
{
    edl_token *t = cur(p);
    if (t->kind != TOK_EOF)
        p->pos++;
    return t;
}

static int is_punct(const edl_token *t, const char *s)
{
    return t->kind == TOK_PUNCT && strcmp(t->text, s) == 0;
}

static int is_word(const edl_token *t, const char *s)
{
    return t->kind == TOK_IDENT && strcmp(t->text, s) == 0;
}

static const char *describe(parser *p, const edl_token *t)
{
    switch (t->kind) {
    case TOK_EOF:
        p->eof_reported = 1; /* only ever described in an error message */
        return "end of file";
    case TOK_STRING:
        return edl_printf(p->ctx, "\"%s\"", t->text);
    default:
        return edl_printf(p->ctx, "'%s'", t->text);
    }
}

static arca_result_t expect_punct(parser *p, const char *s, const char *context)
{
    edl_token *t = cur(p);
    if (!is_punct(t, s))
        return edl_error(p->ctx, t->loc, "expected '%s' %s, found %s", s, context, describe(p, t));
    next_tok(p);
    return ARCA_OK;
}

static arca_result_t expect_ident(parser *p, const char *what, edl_token **out)
{
    edl_token *t = cur(p);
    if (t->kind != TOK_IDENT)
        return edl_error(p->ctx, t->loc, "expected %s, found %s", what, describe(p, t));
    if (edl_is_reserved_word(t->text))
        return edl_error(p->ctx, t->loc, "expected %s, found the keyword '%s'", what, t->text);
    *out = next_tok(p);
    return ARCA_OK;
}

/*
 * After an error: skip to the end of the declaration that failed — past the next ';' outside
 * brackets — or up to (not past) the '}' that closes the enclosing block, or the end of the
 * file. Stops without moving only at such a '}' or at the end, which end every caller's loop.
 */
static void recover(parser *p)
{
    int depth = 0;
    for (;;) {
        edl_token *t = cur(p);
        if (t->kind == TOK_EOF)
            return;
        if (is_punct(t, "{") || is_punct(t, "(") || is_punct(t, "[")) {
            depth++;
        } else if (is_punct(t, ")") || is_punct(t, "]")) {
            if (depth > 0)
                depth--;
        } else if (is_punct(t, "}")) {
            if (depth == 0)
                return;
            depth--;
        } else if (is_punct(t, ";") && depth == 0) {
            next_tok(p);
            return;
        }
        next_tok(p);
    }
}

/* Inside braces after an error: skip past the '}' that closes them (and a ';' after it). */
static void skip_block_rest(parser *p)
{
    int depth = 0;
    while (cur(p)->kind != TOK_EOF) {
        edl_token *t = next_tok(p);
        if (is_punct(t, "{")) {
            depth++;
        } else if (is_punct(t, "}")) {
            if (depth == 0)
                break;
            depth--;
        }
    }
    if (is_punct(cur(p), ";"))
        next_tok(p);
}

/* A ';' that ends a definition: when it is missing, report it and go on as if it were there. */
static void expect_end(parser *p, const char *context)
{
    if (expect_punct(p, ";", context) != ARCA_OK)
        p->failed = 1;
}

/* type := ('const' | int-specifier | float | double | void | struct X | union X | enum X | name)+ '*'* */
static arca_result_t parse_type(parser *p, edl_type *ty)
{
    arca_result_t result = ARCA_OK;
    int n_signed = 0, n_unsigned = 0, n_short = 0, n_long = 0, n_int = 0, n_char = 0;
    const char *base = NULL; /* float, double, void, struct..., or a name */
    memset(ty, 0, sizeof *ty);
    ty->loc = cur(p)->loc;
    for (;;) {
        edl_token *t = cur(p);
        if (t->kind != TOK_IDENT)
            break;
        const char *w = t->text;
        int any_int = n_signed + n_unsigned + n_short + n_long + n_int + n_char;
        if (strcmp(w, "const") == 0) {
            ty->is_const = 1;
        } else if (strcmp(w, "signed") == 0) {
            n_signed++;
        } else if (strcmp(w, "unsigned") == 0) {
            n_unsigned++;
        } else if (strcmp(w, "short") == 0) {
            n_short++;
        } else if (strcmp(w, "long") == 0) {
            n_long++;
        } else if (strcmp(w, "int") == 0) {
            n_int++;
        } else if (strcmp(w, "char") == 0) {
            n_char++;
        } else if (!base &&
                   (strcmp(w, "float") == 0 || strcmp(w, "double") == 0 || strcmp(w, "void") == 0)) {
            base = w;
            ty->kind = w[0] == 'v' ? TY_VOID : TY_BUILTIN;
        } else if (!base && !any_int &&
                   (strcmp(w, "struct") == 0 || strcmp(w, "union") == 0 || strcmp(w, "enum") == 0)) {
            next_tok(p);
            edl_token *tag;
            result = expect_ident(p, edl_printf(p->ctx, "a %s name after '%s'", w, w), &tag);
            if (result != ARCA_OK)
                goto done;
            ty->kind = w[0] == 's' ? TY_STRUCT : w[0] == 'u' ? TY_UNION : TY_ENUM;
            ty->tag = tag->text;
            base = edl_printf(p->ctx, "%s %s", w, tag->text);
            continue;
        } else if (!base && !any_int && (!edl_is_reserved_word(w) || strcmp(w, "_Bool") == 0)) {
            base = strcmp(w, "_Bool") == 0 ? "bool" : w;
            ty->tag = w;
            ty->kind = edl_builtin_find(base) ? TY_BUILTIN : TY_FOREIGN;
        } else if (strcmp(w, "volatile") == 0 || strcmp(w, "restrict") == 0) {
            result = edl_error(p->ctx, t->loc, "'%s' is not supported by arca-edger: parameters "
                                               "are private copies, so the qualifier has no "
                                               "meaning; remove it", w);
            goto done;
        } else {
            break;
        }
        next_tok(p);
    }
    int any_int = n_signed + n_unsigned + n_short + n_long + n_int + n_char;
    if (any_int) {
        if (base && strcmp(base, "double") != 0) {
            result = edl_error(p->ctx, ty->loc, "invalid combination of type specifiers");
            goto done;
        }
        if (base) {
            result = edl_error(p->ctx, ty->loc, "'long double' is not supported by arca-edger: its "
                                                "layout differs between ABIs; use double");
            goto done;
        }
        if ((n_signed && n_unsigned) || n_signed > 1 || n_unsigned > 1 || n_int > 1 ||
            n_char > 1 || n_short > 1 || n_long > 2 || (n_short && n_long) ||
            (n_char && (n_short || n_long || n_int))) {
            result = edl_error(p->ctx, ty->loc, "invalid combination of integer type specifiers");
            goto done;
        }
        const char *c;
        if (n_char)
            c = n_unsigned ? "unsigned char" : n_signed ? "signed char" : "char";
        else if (n_short)
            c = n_unsigned ? "unsigned short" : "short";
        else if (n_long == 2)
            c = n_unsigned ? "unsigned long long" : "long long";
        else if (n_long == 1)
            c = n_unsigned ? "unsigned long" : "long";
        else
            c = n_unsigned ? "unsigned int" : "int";
        base = c;
        ty->kind = TY_BUILTIN;
    }
    if (!base) {
        edl_token *t = cur(p);
        result = edl_error(p->ctx, t->loc, "expected a type, found %s", describe(p, t));
        goto done;
    }
    ty->name = base;
    if (ty->kind == TY_BUILTIN) {
        ty->builtin = edl_builtin_find(base);
        if (ty->builtin->c_name) { /* an SDK status type: Arca's in generated code */
            ty->sdk_name = base;
            ty->name = ty->builtin->c_name;
        }
    }
    while (is_punct(cur(p), "*")) {
        next_tok(p);
        ty->pointers++;
        if (is_word(cur(p), "const")) /* a const pointer: top-level, no effect on the copy */
            next_tok(p);
    }
done:
    return result;
}

static arca_result_t parse_dims(parser *p, edl_dims *dims)
{
    arca_result_t result = ARCA_OK;
    while (is_punct(cur(p), "[")) {
        next_tok(p);
        edl_token *t = cur(p);
        edl_dim d = {.loc = t->loc};
        if (t->kind == TOK_NUMBER) {
            if (t->number == 0 || t->number > (UINT64_C(1) << 31)) {
                result = edl_error(p->ctx, t->loc, "array dimension %llu is out of range (1..2^31)",
                                   (unsigned long long)t->number);
                goto done;
            }
            d.value = t->number;
            d.known = 1;
        } else if (t->kind == TOK_IDENT && !edl_is_reserved_word(t->text)) {
            d.name = t->text; /* an enumerator or a header's constant: resolved later */
        } else {
            result = edl_error(p->ctx, t->loc, "array dimension must be an integer literal or the name "
                                               "of a constant, found %s",
                               describe(p, t));
            goto done;
        }
        next_tok(p);
        EDL_PUSH(p->ctx, dims->items, dims->count, d);
        result = expect_punct(p, "]", "after the array dimension");
        if (result != ARCA_OK)
            goto done;
    }
done:
    return result;
}

/* '[' name ('=' value)? (',' ...)* ']' */
static arca_result_t parse_attrs(parser *p, edl_attr **attrs, size_t *count)
{
    arca_result_t result = ARCA_OK;
    next_tok(p); /* '[' */
    for (;;) {
        edl_token *name;
        result = expect_ident(p, "an attribute name", &name);
        if (result != ARCA_OK)
            goto done;
        edl_attr a = {.name = name->text, .loc = name->loc};
        if (is_punct(cur(p), "=")) {
            next_tok(p);
            edl_token *v = cur(p);
            if (v->kind == TOK_NUMBER) {
                a.value_is_number = 1;
                a.number = v->number;
            } else if (v->kind != TOK_IDENT) {
                result = edl_error(p->ctx, v->loc,
                                   "expected a parameter name or an integer literal after '%s=', found %s",
                                   a.name, describe(p, v));
                goto done;
            }
            a.value = v->text;
            next_tok(p);
            edl_token *after = cur(p);
            if (!is_punct(after, ",") && !is_punct(after, "]")) {
                result = edl_error(p->ctx, after->loc,
                                   "expressions in attributes are not supported by arca-edger: "
                                   "'%s=' takes one parameter name or one integer literal; add a "
                                   "parameter that holds the value",
                                   a.name);
                goto done;
            }
        } else if (is_punct(cur(p), "(")) {
            result = edl_error(p->ctx, cur(p)->loc,
                               "attribute '%s(...)' is not supported by arca-edger", a.name);
            goto done;
        }
        EDL_PUSH(p->ctx, *attrs, *count, a);
        if (is_punct(cur(p), ",")) {
            next_tok(p);
            continue;
        }
        result = expect_punct(p, "]", "to close the attribute list");
        goto done;
    }
done:
    return result;
}

static arca_result_t parse_param(parser *p, edl_param *prm)
{
    arca_result_t result = ARCA_OK;
    memset(prm, 0, sizeof *prm);
    prm->loc = cur(p)->loc;
    if (is_punct(cur(p), "[")) {
        result = parse_attrs(p, &prm->attrs, &prm->attr_count);
        if (result != ARCA_OK)
            goto done;
    }
    result = parse_type(p, &prm->type);
    if (result != ARCA_OK)
        goto done;
    if (is_punct(cur(p), "(")) {
        result = edl_error(p->ctx, cur(p)->loc,
                           "function pointers are not supported by arca-edger: code cannot cross "
                           "an address-space boundary; pass an integer that selects the function");
        goto done;
    }
    edl_token *name;
    result = expect_ident(p, "a parameter name", &name);
    if (result != ARCA_OK)
        goto done;
    prm->name = name->text;
    prm->loc = name->loc;
    result = parse_dims(p, &prm->dims);
done:
    return result;
}

/* Function attributes: calling conventions and DLL linkage of host functions (edger8r),
 * which mean nothing on x86-64 Linux, so they are accepted and have no effect. */
static int is_linkage_attr(const char *name)
{
    return strcmp(name, "cdecl") == 0 || strcmp(name, "stdcall") == 0 ||
           strcmp(name, "fastcall") == 0 || strcmp(name, "dllimport") == 0;
}

static arca_result_t check_func_attrs(parser *p, edl_func *f)
{
    arca_result_t result = ARCA_OK;
    for (size_t i = 0; i < f->attr_count; i++) {
        const edl_attr *a = &f->attrs[i];
        if (!is_linkage_attr(a->name)) {
            result = edl_error(p->ctx, a->loc, "unknown function attribute '[%s]' (arca-edger accepts "
                                               "[cdecl], [stdcall], [fastcall] and [dllimport] on "
                                               "untrusted functions)",
                               a->name);
        } else if (f->trusted) {
            result = edl_error(p->ctx, a->loc, "function attribute '[%s]' applies to untrusted "
                                               "functions only; remove it from the trusted function",
                               a->name);
        } else if (a->value) {
            result = edl_error(p->ctx, a->loc, "function attribute '[%s]' takes no value", a->name);
        }
    }
    return result;
}

/* allow '(' [name (',' name)*] ')' after a host call's parameters. */
static arca_result_t parse_allow(parser *p, edl_func *f)
{
    arca_result_t result = ARCA_OK;
    edl_token *kw = next_tok(p);
    if (f->has_allow) {
        result = edl_error(p->ctx, kw->loc, "allow(...) given twice for '%s'", f->name);
        goto done;
    }
    f->has_allow = 1;
    f->allow_loc = kw->loc;
    result = expect_punct(p, "(", "after 'allow'");
    if (result != ARCA_OK)
        goto done;
    if (!is_punct(cur(p), ")")) {
        for (;;) {
            edl_token *name;
            result = expect_ident(p, "the name of a trusted function in allow(...)", &name);
            if (result != ARCA_OK)
                goto done;
            EDL_PUSH(p->ctx, f->allow_locs, f->allow_count, name->loc);
            f->allow_count--;
            EDL_PUSH(p->ctx, f->allow, f->allow_count, name->text);
            if (!is_punct(cur(p), ","))
                break;
            next_tok(p);
        }
    }
    result = expect_punct(p, ")", "to close allow(...)");
done:
    return result;
}

/* What may follow a function's parameters: propagate_errno, transition_using_threads and
 * allow(...), in any order, each once; then ';'. */
static arca_result_t parse_suffixes(parser *p, edl_func *f)
{
    arca_result_t result = ARCA_OK;
    while (!is_punct(cur(p), ";")) {
        edl_token *t = cur(p);
        if (is_word(t, "propagate_errno")) {
            if (f->propagate_errno) {
                result = edl_error(p->ctx, t->loc, "'propagate_errno' given twice");
                goto done;
            }
            f->propagate_errno = 1;
            f->errno_loc = t->loc;
            next_tok(p);
        } else if (is_word(t, "transition_using_threads")) {
            if (f->switchless) {
                result = edl_error(p->ctx, t->loc, "'transition_using_threads' given twice");
                goto done;
            }
            f->switchless = 1;
            next_tok(p);
        } else if (is_word(t, "allow")) {
            result = parse_allow(p, f);
            if (result != ARCA_OK)
                goto done;
        } else {
            result = edl_error(p->ctx, t->loc,
                               "expected ';' after the function declaration (or propagate_errno, "
                               "transition_using_threads, allow(...)), found %s",
                               describe(p, t));
            goto done;
        }
    }
    next_tok(p);
done:
    return result;
}

static arca_result_t parse_func(parser *p, int trusted, edl_func **out)
{
    arca_result_t result = ARCA_OK;
    edl_func *f = edl_alloc(p->ctx, sizeof *f);
    f->trusted = trusted;
    f->loc = cur(p)->loc;
    if (is_punct(cur(p), "[")) {
        result = parse_attrs(p, &f->attrs, &f->attr_count);
        if (result != ARCA_OK)
            goto done;
        result = check_func_attrs(p, f);
        if (result != ARCA_OK)
            goto done;
    }
    if (is_word(cur(p), "public")) {
        if (!trusted) {
            result = edl_error(p->ctx, cur(p)->loc,
                               "'public' applies to trusted functions only; remove it from the "
                               "untrusted function");
            goto done;
        }
        f->is_public = 1;
        next_tok(p);
    }
    result = parse_type(p, &f->ret);
    if (result != ARCA_OK)
        goto done;
    edl_token *name;
    result = expect_ident(p, "a function name", &name);
    if (result != ARCA_OK)
        goto done;
    f->name = name->text;
    f->loc = name->loc;
    result = expect_punct(p, "(", edl_printf(p->ctx, "after the function name '%s'", f->name));
    if (result != ARCA_OK)
        goto done;
    if (is_word(cur(p), "void") && p->pos + 1 < p->count && is_punct(&p->t[p->pos + 1], ")")) {
        next_tok(p);
    } else if (!is_punct(cur(p), ")")) {
        for (;;) {
            edl_param prm;
            result = parse_param(p, &prm);
            if (result != ARCA_OK)
                goto done;
            EDL_PUSH(p->ctx, f->params, f->param_count, prm);
            if (!is_punct(cur(p), ","))
                break;
            next_tok(p);
        }
    }
    result = expect_punct(p, ")", edl_printf(p->ctx, "to close the parameters of '%s'", f->name));
    if (result != ARCA_OK)
        goto done;
    result = parse_suffixes(p, f);
    if (result != ARCA_OK)
        goto done;
    *out = f;
done:
    return result;
}

static arca_result_t parse_block(parser *p, int trusted, edl_module *m)
{
    arca_result_t result = ARCA_OK;
    next_tok(p); /* trusted / untrusted */
    result = expect_punct(p, "{", trusted ? "after 'trusted'" : "after 'untrusted'");
    if (result != ARCA_OK)
        goto done;
    while (!is_punct(cur(p), "}") && !edl_stopped(p->ctx)) {
        if (cur(p)->kind == TOK_EOF) {
            result = ARCA_ERR_BAD_FORMAT;
            if (!p->eof_reported)
                edl_error(p->ctx, cur(p)->loc, "expected '}' to close the %s block, found end of file",
                          trusted ? "trusted" : "untrusted");
            p->eof_reported = 1;
            goto done;
        }
        edl_item it = {.kind = IT_FUNC, .loc = cur(p)->loc};
        if (parse_func(p, trusted, &it.func) != ARCA_OK) {
            p->failed = 1;
            recover(p); /* on to the next function */
            continue;
        }
        EDL_PUSH(p->ctx, m->items, m->item_count, it);
    }
    next_tok(p);
    if (is_punct(cur(p), ";"))
        next_tok(p);
done:
    return result;
}

static const char *const pointer_in_struct =
    "pointers inside structs are not supported by arca-edger: the address would be sent, not "
    "the data it points to, and an address of one side means nothing in the other's address "
    "space; pass the buffer as its own [in]/[out] parameter with [size=...]";

static arca_result_t parse_member(parser *p, edl_usertype *ut)
{
    arca_result_t result = ARCA_OK;
    edl_member mem = {.loc = cur(p)->loc};
    if (is_punct(cur(p), "[")) {
        result = edl_error(p->ctx, cur(p)->loc, "%s", pointer_in_struct);
        goto done;
    }
    result = parse_type(p, &mem.type);
    if (result != ARCA_OK)
        goto done;
    if (mem.type.pointers) {
        result = edl_error(p->ctx, mem.type.loc, "%s", pointer_in_struct);
        goto done;
    }
    edl_token *name;
    result = expect_ident(p, "a member name", &name);
    if (result != ARCA_OK)
        goto done;
    mem.name = name->text;
    mem.loc = name->loc;
    result = parse_dims(p, &mem.dims);
    if (result != ARCA_OK)
        goto done;
    result = expect_punct(p, ";", edl_printf(p->ctx, "after the member '%s'", mem.name));
    if (result != ARCA_OK)
        goto done;
    EDL_PUSH(p->ctx, ut->members, ut->member_count, mem);
done:
    return result;
}

/* The body of a struct or union. Errors inside the braces are recovered from here. */
static arca_result_t parse_struct(parser *p, edl_usertype *ut)
{
    arca_result_t result = ARCA_OK;
    result = expect_punct(p, "{", edl_printf(p->ctx, "after '%s %s'",
                                             ut->kind == TY_STRUCT ? "struct" : "union", ut->name));
    if (result != ARCA_OK)
        goto done;
    int member_failed = 0;
    while (!is_punct(cur(p), "}") && !edl_stopped(p->ctx)) {
        if (cur(p)->kind == TOK_EOF) {
            result = ARCA_ERR_BAD_FORMAT;
            if (!p->eof_reported)
                edl_error(p->ctx, cur(p)->loc, "expected '}' to close '%s', found end of file", ut->name);
            p->eof_reported = 1;
            goto done;
        }
        if (parse_member(p, ut) != ARCA_OK) {
            member_failed = p->failed = 1;
            recover(p); /* on to the next member */
        }
    }
    next_tok(p);
    if (ut->member_count == 0 && !member_failed) {
        edl_error(p->ctx, ut->loc, "'%s' has no members; C does not allow an empty %s", ut->name,
                  ut->kind == TY_STRUCT ? "struct" : "union");
        p->failed = 1;
    }
    expect_end(p, edl_printf(p->ctx, "after the definition of '%s'", ut->name));
done:
    return result;
}

/* An enumerator's value: [-] literal, or the name of an earlier enumerator or a header's
 * constant. C compilers (GCC, Clang, C++) accept values beyond int, so any 64-bit value is. */
static arca_result_t parse_enum_value(parser *p, edl_enumerator *e)
{
    arca_result_t result = ARCA_OK;
    int neg = 0;
    if (is_punct(cur(p), "-")) {
        neg = 1;
        next_tok(p);
    }
    edl_token *v = cur(p);
    if (v->kind == TOK_NUMBER) {
        if (neg && v->number > (UINT64_C(1) << 63)) {
            result = edl_error(p->ctx, v->loc, "enumerator value -%s does not fit 64 bits", v->text);
            goto done;
        }
        e->known = 1;
        e->negative = neg && v->number != 0;
        e->magnitude = v->number;
    } else if (v->kind != TOK_IDENT || neg || edl_is_reserved_word(v->text)) {
        result = edl_error(p->ctx, v->loc, "expected an integer literal or an enumerator name, found %s",
                           describe(p, v));
        goto done;
    }
    e->value = edl_printf(p->ctx, "%s%s", neg ? "-" : "", v->text);
    next_tok(p);
done:
    return result;
}

/* The body of an enum. Errors inside the braces are recovered from here. */
static arca_result_t parse_enum(parser *p, edl_usertype *ut)
{
    arca_result_t result = ARCA_OK, inner = ARCA_OK;
    result = expect_punct(p, "{", "to open the enum");
    if (result != ARCA_OK)
        goto done;
    for (;;) {
        edl_token *name;
        inner = expect_ident(p, "an enumerator name", &name);
        if (inner != ARCA_OK)
            break;
        edl_enumerator e = {.name = name->text, .loc = name->loc};
        if (is_punct(cur(p), "=")) {
            next_tok(p);
            inner = parse_enum_value(p, &e);
            if (inner != ARCA_OK)
                break;
        }
        EDL_PUSH(p->ctx, ut->enumerators, ut->enumerator_count, e);
        if (is_punct(cur(p), ",")) {
            next_tok(p);
            if (is_punct(cur(p), "}"))
                break;
            continue;
        }
        if (!is_punct(cur(p), "}"))
            inner = edl_error(p->ctx, cur(p)->loc, "expected ',' or '}' after the enumerator '%s', found %s",
                              e.name, describe(p, cur(p)));
        break;
    }
    if (inner != ARCA_OK) {
        p->failed = 1;
        skip_block_rest(p);
        goto done;
    }
    next_tok(p); /* '}' */
    expect_end(p, "after the enum definition");
done:
    return result;
}

static arca_result_t parse_typedef(parser *p, edl_module *m)
{
    arca_result_t result = ARCA_OK;
    edl_token *kw = next_tok(p);
    edl_usertype *ut = edl_alloc(p->ctx, sizeof *ut);
    ut->kind = kw->text[0] == 's' ? TY_STRUCT : kw->text[0] == 'u' ? TY_UNION : TY_ENUM;
    ut->loc = kw->loc;
    if (ut->kind == TY_ENUM && is_punct(cur(p), "{")) {
        ut->name = NULL; /* anonymous enum: constants only */
    } else {
        edl_token *name;
        result = expect_ident(p, edl_printf(p->ctx, "a name after '%s'", kw->text), &name);
        if (result != ARCA_OK)
            goto done;
        ut->name = name->text;
        ut->loc = name->loc;
    }
    result = ut->kind == TY_ENUM ? parse_enum(p, ut) : parse_struct(p, ut);
    /* a type with an error in a member is still defined, so its uses do not report again */
    if (result == ARCA_OK && (ut->member_count || ut->enumerator_count)) {
        edl_item it = {.kind = IT_TYPE, .type = ut, .loc = ut->loc};
        EDL_PUSH(p->ctx, m->items, m->item_count, it);
    }
done:
    return result;
}

/* A comma-separated list of names up to ';' (import lists, arca_provides). */
static arca_result_t parse_name_list(parser *p, const char *what, const char ***names, edl_loc **locs,
                                     size_t *count)
{
    arca_result_t result = ARCA_OK;
    for (;;) {
        edl_token *name = NULL;
        result = expect_ident(p, what, &name);
        if (result != ARCA_OK)
            goto done;
        EDL_PUSH(p->ctx, *locs, *count, name->loc);
        (*count)--;
        EDL_PUSH(p->ctx, *names, *count, name->text);
        if (!is_punct(cur(p), ","))
            break;
        next_tok(p);
    }
done:
    return result;
}

static arca_result_t parse_import(parser *p, edl_module *m)
{
    arca_result_t result = ARCA_OK;
    edl_item it = {.kind = IT_IMPORT, .loc = cur(p)->loc};
    next_tok(p); /* from */
    edl_token *file = cur(p);
    if (file->kind != TOK_STRING) {
        result = edl_error(p->ctx, file->loc, "expected a quoted file name after 'from', found %s",
                           describe(p, file));
        goto done;
    }
    next_tok(p);
    it.include = file->text; /* the file name to import */
    it.loc = file->loc;
    if (!is_word(cur(p), "import")) {
        result = edl_error(p->ctx, cur(p)->loc, "expected 'import' after the file name, found %s",
                           describe(p, cur(p)));
        goto done;
    }
    next_tok(p);
    if (is_punct(cur(p), "*")) {
        next_tok(p);
    } else {
        result = parse_name_list(p, "a function name or '*' to import", &it.import_names,
                                 &it.import_name_locs, &it.import_name_count);
        if (result != ARCA_OK)
            goto done;
    }
    result = expect_punct(p, ";", "after the import list");
    if (result != ARCA_OK)
        goto done;
    EDL_PUSH(p->ctx, m->items, m->item_count, it);
done:
    return result;
}

/* arca_provides name, ...; — an Arca extension for the stand-ins of SDK EDL files: names the
 * SDK's file declares that Arca's runtime provides otherwise (see edl_module.provides). */
static arca_result_t parse_provides(parser *p, edl_module *m)
{
    arca_result_t result = ARCA_OK;
    next_tok(p);
    result = parse_name_list(p, "a function name after 'arca_provides'", &m->provides, &m->provide_locs,
                             &m->provide_count);
    if (result != ARCA_OK)
        goto done;
    result = expect_punct(p, ";", "after the arca_provides list");
done:
    return result;
}

static arca_result_t parse_include(parser *p, edl_module *m)
{
    arca_result_t result = ARCA_OK;
    next_tok(p);
    edl_token *h = cur(p);
    if (h->kind != TOK_STRING) {
        result = edl_error(p->ctx, h->loc, "expected a quoted header name after 'include', found %s",
                           describe(p, h));
        goto done;
    }
    next_tok(p);
    if (is_punct(cur(p), ";"))
        next_tok(p);
    if (h->text[0] == '\0') {
        result = edl_error(p->ctx, h->loc, "empty header name");
        goto done;
    }
    edl_item it = {.kind = IT_INCLUDE, .include = h->text, .loc = h->loc};
    EDL_PUSH(p->ctx, m->items, m->item_count, it);
done:
    return result;
}

/* One item of the enclave block. On an error the caller recovers to the next item. */
static arca_result_t parse_item(parser *p, edl_module *m)
{
    arca_result_t result = ARCA_OK;
    edl_token *t = cur(p);
    if (is_word(t, "include"))
        result = parse_include(p, m);
    else if (is_word(t, "from"))
        result = parse_import(p, m);
    else if (is_word(t, "struct") || is_word(t, "union") || is_word(t, "enum"))
        result = parse_typedef(p, m);
    else if (is_word(t, "trusted"))
        result = parse_block(p, 1, m);
    else if (is_word(t, "untrusted"))
        result = parse_block(p, 0, m);
    else if (is_word(t, "arca_provides"))
        result = parse_provides(p, m);
    else if (is_word(t, "import"))
        result = edl_error(p->ctx, t->loc, "expected 'from \"file.edl\" import ...;' ('import' "
                                           "must follow 'from \"file\"')");
    else if (is_word(t, "typedef"))
        result = edl_error(p->ctx, t->loc,
                           "'typedef' is not supported by arca-edger: define the type in a C "
                           "header and add 'include \"header.h\"', or define a struct/enum/union "
                           "in the EDL");
    else
        result = edl_error(p->ctx, t->loc,
                           "expected 'include', 'from', 'struct', 'union', 'enum', 'trusted', "
                           "'untrusted' or '}', found %s",
                           describe(p, t));
    return result;
}

arca_result_t edl_parse_module(edl_ctx *ctx, const edl_token_list *tokens, edl_module *m)
{
    arca_result_t result = ARCA_OK;
    /* after a truncating lexical error, an early end of file is no news: do not report it */
    parser ps = {.ctx = ctx, .t = tokens->items, .count = tokens->count, .eof_reported = tokens->truncated};
    parser *p = &ps;
    if (!is_word(cur(p), "enclave")) {
        result = edl_error(ctx, cur(p)->loc, "expected 'enclave' at the start of the file, found %s",
                           describe(p, cur(p)));
        goto done;
    }
    next_tok(p);
    result = expect_punct(p, "{", "after 'enclave'");
    if (result != ARCA_OK)
        goto done;
    while (!is_punct(cur(p), "}") && !edl_stopped(ctx)) {
        edl_token *t = cur(p);
        if (t->kind == TOK_EOF) {
            if (!p->eof_reported)
                result = edl_error(ctx, t->loc, "expected '}' to close 'enclave', found end of file");
            result = ARCA_ERR_BAD_FORMAT;
            goto done;
        }
        if (parse_item(p, m) != ARCA_OK) {
            result = ARCA_ERR_BAD_FORMAT;
            recover(p); /* moves on: the item's first token is neither '}' nor the end */
        }
    }
    if (edl_stopped(ctx))
        goto done;
    next_tok(p);
    if (is_punct(cur(p), ";"))
        next_tok(p);
    if (cur(p)->kind != TOK_EOF)
        result = edl_error(ctx, cur(p)->loc, "expected end of file after the enclave block, found %s",
                           describe(p, cur(p)));
done:
    return p->failed ? ARCA_ERR_BAD_FORMAT : result;
}
