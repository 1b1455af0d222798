/*
 * resolve.c — turns EDL files into one checked program: reads files, resolves
 * `from "x.edl" import ...` against the search paths (with cycle detection), orders types and
 * functions deterministically, resolves every type name, and enforces every rule of the
 * supported subset (directions, sizes, strings, names); a program without errors then gets its
 * interface hash (interface.c).
 *
 * The checks here are what makes generated code safe to trust: a construct that cannot be
 * marshaled exactly must be rejected with a positioned message, never passed through.
 *
 * Divisions: files and imports, type ordering, parameter checks, the program.
 */
#include "edger.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

arca_result_t edl_parse_module(edl_ctx *ctx, const edl_token_list *tokens, edl_module *m);

#define EDL_MAX_FILE (16u << 20)

typedef struct state {
    edl_ctx *ctx;
    edl_module **modules; /* every module read, for duplicate imports */
    size_t module_count;
    edl_module **stack; /* the import chain being parsed */
    size_t depth;
    edl_program *prog;
    int has_includes;
} state;

static const char *loc_str(edl_ctx *ctx, edl_loc l)
{
    return edl_printf(ctx, "%s:%d:%d", l.file, l.line, l.col);
}

static int reserved_prefix(const char *name)
{
    return strncasecmp(name, "arca_", 5) == 0;
}

/* ---- files and imports ---- */

static arca_result_t read_text(edl_ctx *ctx, const char *path, edl_loc from, char **text, size_t *len)
{
    arca_result_t result = ARCA_OK;
    FILE *f = fopen(path, "rb");
    char *buf = NULL, *bigger;
    size_t n = 0, cap = 0;
    if (!f) {
        result = edl_error(ctx, from, "cannot open '%s': %s", path, strerror(errno));
        goto done;
    }
    /* Grow a heap buffer to the real size (not the cap): an import chain holds every file at
     * once in the arena, so reserving EDL_MAX_FILE per file would cost up to 64 x 16 MiB. */
    for (;;) {
        if (n == cap) {
            if (cap > EDL_MAX_FILE) { /* n == cap == EDL_MAX_FILE + 1 */
                result = edl_error(ctx, from, "'%s' is larger than %u bytes", path, EDL_MAX_FILE);
                goto done;
            }
            cap = cap ? cap * 2 : 4096;
            if (cap > EDL_MAX_FILE + 1)
                cap = EDL_MAX_FILE + 1; /* one byte beyond the cap tells "too big" */
            bigger = realloc(buf, cap);
            if (!bigger) {
                result = edl_error(ctx, from, "cannot read '%s': out of memory", path);
                goto done;
            }
            buf = bigger;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    if (ferror(f)) {
        result = edl_error(ctx, from, "cannot read '%s'", path);
        goto done;
    }
    *text = edl_alloc(ctx, n + 1); /* zeroed: text[n] is the terminating NUL */
    memcpy(*text, buf, n);
    *len = n;
done:
    free(buf);
    if (f)
        fclose(f);
    return result;
}

static int is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static const char *dir_of(edl_ctx *ctx, const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return ".";
    if (slash == path)
        return "/";
    return edl_strndup(ctx, path, (size_t)(slash - path));
}

/* Same file (by canonical path)? */
static int same_file(const char *a, const char *b)
{
    char ra[PATH_MAX], rb[PATH_MAX];
    return realpath(a, ra) && realpath(b, rb) && strcmp(ra, rb) == 0;
}

/*
 * Find an imported file: the importing file's directory first, then the search paths, then the
 * stand-ins for SDK EDL files (ctx->sdk_dir). When a file found earlier shadows a stand-in of
 * the same name, *note says so: it is most likely the SDK's own file.
 */
static const char *find_import(state *s, const char *importer, const char *name, const char **note)
{
    const char *found = NULL, *ours = NULL;
    *note = NULL;
    if (name[0] == '/')
        return is_file(name) ? name : NULL;
    const char *candidate = importer ? edl_printf(s->ctx, "%s/%s", dir_of(s->ctx, importer), name) : name;
    if (is_file(candidate))
        found = candidate;
    for (size_t i = 0; !found && i < s->ctx->search_path_count; i++) {
        candidate = edl_printf(s->ctx, "%s/%s", s->ctx->search_paths[i], name);
        if (is_file(candidate))
            found = candidate;
    }
    if (s->ctx->sdk_dir) {
        candidate = edl_printf(s->ctx, "%s/%s", s->ctx->sdk_dir, name);
        if (is_file(candidate))
            ours = candidate;
    }
    if (!found)
        return ours;
    if (ours && !same_file(found, ours))
        *note = edl_printf(s->ctx,
                           "this file shadows arca-edger's stand-in for \"%s\" (%s): a directory "
                           "searched before it holds a file of that name, most likely the SDK's own, "
                           "which declares calls of the SDK's runtime that Arca provides otherwise; "
                           "take that directory off the search path",
                           name, ours);
    return found;
}

static arca_result_t parse_text(state *s, edl_module *m, const char *text, size_t len);

/*
 * Read and parse @p path, or return the module already read. *out is set whenever the module
 * exists, even if it had errors, so that what parsed still resolves (fewer follow-on errors).
 */
static arca_result_t load_module(state *s, const char *path, edl_loc from, const char *note,
                                 edl_module **out)
{
    arca_result_t result = ARCA_OK;
    char real[PATH_MAX];
    const char *canon = realpath(path, real) ? edl_strdup(s->ctx, real) : path;
    *out = NULL;
    for (size_t i = 0; i < s->module_count; i++) {
        edl_module *m = s->modules[i];
        if (strcmp(m->realpath, canon) != 0)
            continue;
        if (m->state == 1) {
            char *chain = NULL;
            for (size_t k = 0, on = 0; k < s->depth; k++) {
                on |= s->stack[k] == m;
                if (on)
                    chain = chain ? edl_printf(s->ctx, "%s -> %s", chain, s->stack[k]->path)
                                  : edl_strdup(s->ctx, s->stack[k]->path);
            }
            result = edl_error(s->ctx, from, "import cycle: %s -> %s", chain ? chain : m->path, m->path);
            goto done;
        }
        *out = m;
        goto done;
    }
    if (s->depth >= (size_t)s->ctx->max_import_depth) {
        result = edl_error(s->ctx, from, "imports nest deeper than %d files", s->ctx->max_import_depth);
        goto done;
    }
    edl_module *m = edl_alloc(s->ctx, sizeof *m);
    m->path = edl_strdup(s->ctx, path);
    m->realpath = canon;
    EDL_PUSH(s->ctx, s->modules, s->module_count, m);
    EDL_PUSH(s->ctx, s->prog->files, s->prog->file_count, m->path);
    if (from.line > 0) /* imported (the root file is opened at line 0) */
        edl_add_site(s->ctx, m->path, from, note);
    char *text = NULL;
    size_t len = 0;
    result = read_text(s->ctx, path, from, &text, &len);
    if (result != ARCA_OK)
        goto done;
    result = parse_text(s, m, text, len);
    *out = m;
done:
    return result;
}

static edl_func *find_func(edl_func **funcs, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(funcs[i]->name, name) == 0)
            return funcs[i];
    return NULL;
}

static int find_name(const char *const *names, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(names[i], name) == 0)
            return 1;
    return 0;
}

static arca_result_t add_func(state *s, edl_module *m, edl_func *f)
{
    edl_func *other = find_func(m->funcs, m->func_count, f->name);
    if (other == f)
        return ARCA_OK; /* the same declaration reached twice (diamond import) */
    if (other)
        return edl_error(s->ctx, f->loc, "duplicate function '%s' (first declared at %s)", f->name,
                         loc_str(s->ctx, other->loc));
    EDL_PUSH(s->ctx, m->funcs, m->func_count, f);
    return ARCA_OK;
}

static void add_provided(state *s, edl_module *m, const char *name, edl_loc loc)
{
    if (find_name(m->provides, m->provide_count, name))
        return;
    EDL_PUSH(s->ctx, m->provide_locs, m->provide_count, loc);
    m->provide_count--;
    EDL_PUSH(s->ctx, m->provides, m->provide_count, name);
}

/* Why an SDK EDL file has no stand-in, for the "cannot find" message. */
static const char *no_standin_hint(const state *s, const char *name)
{
    if (strncmp(name, "sgx_", 4) != 0 && strncmp(name, "openenclave/", 12) != 0)
        return "";
    if (!s->ctx->sdk_dir)
        return "; the stand-ins for SDK EDL files are switched off (--no-sdk-edl)";
    return "; arca-edger has stand-ins only for the SDK EDL files whose functions Arca provides "
           "otherwise (docs/edl.md lists them), and this is not one of them";
}

/* One `from "x.edl" import ...;` of module @p m. */
static arca_result_t import_item(state *s, edl_module *m, edl_item *it)
{
    arca_result_t result = ARCA_OK;
    const char *note = NULL;
    const char *found = s->ctx->no_files ? NULL : find_import(s, m->path, it->include, &note);
    if (!found) {
        size_t n = s->ctx->search_path_count;
        result = edl_error(s->ctx, it->loc,
                           "cannot find imported file \"%s\" (looked next to %s, in %zu search path%s%s; "
                           "add one with --search-path)%s",
                           it->include, m->path, n, n == 1 ? "" : "s",
                           s->ctx->sdk_dir ? " and in arca-edger's stand-ins for SDK EDL files" : "",
                           no_standin_hint(s, it->include));
        goto done;
    }
    result = load_module(s, found, it->loc, note, &it->import);
    edl_module *im = it->import;
    if (!im)
        goto done;
    if (!it->import_names) {
        for (size_t k = 0; k < im->func_count; k++)
            if (add_func(s, m, im->funcs[k]) != ARCA_OK)
                result = ARCA_ERR_BAD_FORMAT;
        for (size_t k = 0; k < im->provide_count; k++)
            add_provided(s, m, im->provides[k], im->provide_locs[k]);
        goto done;
    }
    for (size_t k = 0; k < it->import_name_count; k++) {
        const char *name = it->import_names[k];
        edl_func *f = find_func(im->funcs, im->func_count, name);
        if (f) {
            if (add_func(s, m, f) != ARCA_OK)
                result = ARCA_ERR_BAD_FORMAT;
        } else if (find_name(im->provides, im->provide_count, name)) {
            add_provided(s, m, name, it->import_name_locs[k]); /* provided by Arca: nothing to import */
        } else {
            result = edl_error(s->ctx, it->import_name_locs[k], "'%s' has no function '%s' to import",
                               im->path, name);
        }
    }
done:
    return result;
}

/* Lex, parse and resolve the imports of one file; errors are reported and the rest goes on. */
static arca_result_t parse_text(state *s, edl_module *m, const char *text, size_t len)
{
    arca_result_t result = ARCA_OK;
    edl_token_list tokens;
    m->state = 1;
    EDL_PUSH(s->ctx, s->stack, s->depth, m);
    if (edl_lex(s->ctx, m->path, text, len, &tokens) != ARCA_OK)
        result = ARCA_ERR_BAD_FORMAT; /* the parser still reports its own errors */
    if (edl_parse_module(s->ctx, &tokens, m) != ARCA_OK)
        result = ARCA_ERR_BAD_FORMAT;
    for (size_t i = 0; i < m->item_count && !edl_stopped(s->ctx); i++) {
        edl_item *it = &m->items[i];
        arca_result_t r = ARCA_OK;
        if (it->kind == IT_INCLUDE)
            s->has_includes = 1;
        else if (it->kind == IT_FUNC)
            r = add_func(s, m, it->func);
        else if (it->kind == IT_IMPORT)
            r = import_item(s, m, it);
        if (r != ARCA_OK)
            result = r;
    }
    for (size_t i = 0; i < m->provide_count; i++) {
        edl_func *f = find_func(m->funcs, m->func_count, m->provides[i]);
        if (f)
            result = edl_error(s->ctx, m->provide_locs[i], "'%s' is declared (at %s) and listed in "
                               "arca_provides; it can only be one of them",
                               m->provides[i], loc_str(s->ctx, f->loc));
    }
    m->state = 2;
    s->depth--;
    return result;
}

/* ---- types ---- */

static edl_usertype *find_type(const edl_program *p, const char *name)
{
    for (size_t i = 0; i < p->type_count; i++)
        if (p->types[i]->name && strcmp(p->types[i]->name, name) == 0)
            return p->types[i];
    return NULL;
}

static const char *kind_word(edl_type_kind k)
{
    return k == TY_STRUCT ? "struct" : k == TY_UNION ? "union" : "enum";
}

/*
 * Resolve a type reference. @p need_defined: EDL types must already be in the output order
 * (struct members). Names not defined in the EDL are allowed only when a C header is included
 * (they are then copied by value as sizeof bytes, see docs/edl.md).
 */
static arca_result_t resolve_type(state *s, edl_type *t, int need_defined)
{
    edl_program *p = s->prog;
    if (t->kind == TY_VOID || t->kind == TY_BUILTIN)
        return ARCA_OK;
    edl_usertype *ut = find_type(p, t->tag);
    if (ut) {
        if (t->kind != TY_FOREIGN && t->kind != ut->kind)
            return edl_error(s->ctx, t->loc, "'%s' is declared as '%s %s' at %s", t->name,
                             kind_word(ut->kind), ut->name, loc_str(s->ctx, ut->loc));
        if (need_defined && !ut->emitted)
            return edl_error(s->ctx, t->loc, "'%s' is used before its definition is complete; define "
                             "it first", t->name);
        t->kind = ut->kind;
        t->def = ut;
        return ARCA_OK;
    }
    for (size_t i = 0; i < s->module_count; i++)
        for (size_t k = 0; k < s->modules[i]->item_count; k++) {
            const edl_item *it = &s->modules[i]->items[k];
            if (it->kind == IT_TYPE && it->type->name && strcmp(it->type->name, t->tag) == 0)
                return edl_error(s->ctx, t->loc, "'%s' is used before its definition at %s; define "
                                 "it first", t->name, loc_str(s->ctx, it->type->loc));
        }
    if (!s->has_includes)
        return edl_error(s->ctx, t->loc,
                         "unknown type '%s': define it in the EDL (struct, union or enum) or add "
                         "'include \"header.h\"' for the C header that defines it",
                         t->name);
    return ARCA_OK; /* a foreign type from an included header */
}

static arca_result_t check_name(state *s, const char *name, edl_loc loc, const char *what)
{
    if (reserved_prefix(name))
        return edl_error(s->ctx, loc, "%s name '%s' is reserved: names starting with 'arca_' belong "
                         "to Arca's generated code; rename it", what, name);
    return ARCA_OK;
}

static arca_result_t check_type_name_free(state *s, const char *name, edl_loc loc)
{
    edl_program *p = s->prog;
    for (size_t i = 0; i < p->type_count; i++) {
        edl_usertype *o = p->types[i];
        if (o->name && strcmp(o->name, name) == 0)
            return edl_error(s->ctx, loc, "duplicate type name '%s' (first defined at %s)", name,
                             loc_str(s->ctx, o->loc));
        for (size_t k = 0; k < o->enumerator_count; k++)
            if (strcmp(o->enumerators[k].name, name) == 0)
                return edl_error(s->ctx, loc, "duplicate name '%s' (an enumerator defined at %s)",
                                 name, loc_str(s->ctx, o->enumerators[k].loc));
    }
    return ARCA_OK;
}

/* An enumerator of the EDL types defined so far, or NULL. */
static const edl_enumerator *find_enumerator(const edl_program *p, const char *name)
{
    for (size_t i = 0; i < p->type_count; i++)
        for (size_t k = 0; k < p->types[i]->enumerator_count; k++)
            if (strcmp(p->types[i]->enumerators[k].name, name) == 0)
                return &p->types[i]->enumerators[k];
    return NULL;
}

/*
 * The values of an enum's enumerators, where arca-edger can know them: literals, names of
 * earlier enumerators, and the previous value plus one. Others (a header's constant) stay
 * unknown; they only matter as array dimensions, which the C compiler then checks.
 */
static void enumerator_values(state *s, edl_usertype *ut)
{
    for (size_t k = 0; k < ut->enumerator_count; k++) {
        edl_enumerator *e = &ut->enumerators[k];
        if (e->known)
            continue; /* a literal */
        const edl_enumerator *from = NULL;
        if (e->value) { /* a name: this enum's earlier enumerators, then other EDL enums */
            for (size_t j = 0; j < k && !from; j++)
                if (strcmp(ut->enumerators[j].name, e->value) == 0)
                    from = &ut->enumerators[j];
            if (!from)
                from = find_enumerator(s->prog, e->value);
            if (from && from->known) {
                e->known = 1;
                e->negative = from->negative;
                e->magnitude = from->magnitude;
            }
        } else if (k == 0) {
            e->known = 1; /* 0 */
        } else if (ut->enumerators[k - 1].known) {
            const edl_enumerator *prev = &ut->enumerators[k - 1];
            if (prev->negative) {
                e->known = 1;
                e->magnitude = prev->magnitude - 1;
                e->negative = e->magnitude != 0;
            } else if (prev->magnitude != UINT64_MAX) {
                e->known = 1;
                e->magnitude = prev->magnitude + 1;
            } else {
                edl_error(s->ctx, e->loc, "enumerator '%s' would be one more than '%s', which is "
                          "already the largest 64-bit value; give it a value", e->name, prev->name);
            }
        }
    }
}

/*
 * Array dimensions given as names: an EDL enumerator with a known value becomes that number
 * (checked like a literal); any other name must come from an included C header, and the C
 * compiler checks it (the generated code asserts it is in range).
 */
static arca_result_t resolve_dims(state *s, edl_dims *dims)
{
    arca_result_t result = ARCA_OK;
    for (size_t i = 0; i < dims->count; i++) {
        edl_dim *d = &dims->items[i];
        if (!d->name)
            continue;
        const edl_enumerator *e = find_enumerator(s->prog, d->name);
        if (e && e->known) {
            if (e->negative || e->magnitude == 0 || e->magnitude > (UINT64_C(1) << 31))
                result = edl_error(s->ctx, d->loc, "array dimension %s (= %s%llu) is out of range (1..2^31)",
                                   d->name, e->negative ? "-" : "", (unsigned long long)e->magnitude);
            d->value = e->magnitude;
            d->known = 1;
        } else if (!e && !s->has_includes) {
            result = edl_error(s->ctx, d->loc,
                               "unknown constant '%s' in an array dimension: define it as an enumerator "
                               "in the EDL (enum { %s = 16 };) or include the C header that defines it",
                               d->name, d->name);
        }
    }
    return result;
}

static arca_result_t add_type(state *s, edl_usertype *ut)
{
    arca_result_t result = ARCA_OK;
    for (size_t i = 0; i < s->prog->type_count; i++)
        if (s->prog->types[i] == ut)
            goto done; /* diamond import */
    if (ut->name) {
        if (check_name(s, ut->name, ut->loc, "type") != ARCA_OK)
            result = ARCA_ERR_BAD_FORMAT;
        if (check_type_name_free(s, ut->name, ut->loc) != ARCA_OK) {
            result = ARCA_ERR_BAD_FORMAT;
            goto done; /* the first definition stays the one in use */
        }
    }
    for (size_t k = 0; k < ut->enumerator_count; k++) {
        arca_result_t r = check_type_name_free(s, ut->enumerators[k].name, ut->enumerators[k].loc);
        for (size_t j = 0; j < k && r == ARCA_OK; j++)
            if (strcmp(ut->enumerators[j].name, ut->enumerators[k].name) == 0)
                r = edl_error(s->ctx, ut->enumerators[k].loc, "duplicate enumerator '%s'",
                              ut->enumerators[k].name);
        if (r != ARCA_OK)
            result = r;
    }
    enumerator_values(s, ut);
    for (size_t k = 0; k < ut->member_count; k++) {
        edl_member *mem = &ut->members[k];
        arca_result_t r = ARCA_OK;
        for (size_t j = 0; j < k && r == ARCA_OK; j++)
            if (strcmp(ut->members[j].name, mem->name) == 0)
                r = edl_error(s->ctx, mem->loc, "duplicate member '%s' in '%s'", mem->name, ut->name);
        if (r == ARCA_OK && mem->type.kind == TY_VOID)
            r = edl_error(s->ctx, mem->type.loc, "member '%s' cannot have type void", mem->name);
        if (r == ARCA_OK && mem->type.tag && ut->name && strcmp(mem->type.tag, ut->name) == 0)
            r = edl_error(s->ctx, mem->type.loc, "'%s' cannot contain itself", ut->name);
        if (r == ARCA_OK)
            r = resolve_type(s, &mem->type, 1);
        if (r == ARCA_OK)
            r = resolve_dims(s, &mem->dims);
        if (r != ARCA_OK)
            result = r;
    }
    /* defined even with errors, so that its uses do not report again */
    ut->emitted = 1;
    EDL_PUSH(s->ctx, s->prog->types, s->prog->type_count, ut);
done:
    return result;
}

/* Types and includes in definition order: imported modules' first, at the point of import. */
static arca_result_t collect_types(state *s, edl_module *m, edl_module ***seen, size_t *seen_count)
{
    arca_result_t result = ARCA_OK;
    for (size_t i = 0; i < *seen_count; i++)
        if ((*seen)[i] == m)
            return ARCA_OK;
    EDL_PUSH(s->ctx, *seen, *seen_count, m);
    for (size_t i = 0; i < m->item_count && !edl_stopped(s->ctx); i++) {
        edl_item *it = &m->items[i];
        arca_result_t r = ARCA_OK;
        if (it->kind == IT_IMPORT && it->import) {
            r = collect_types(s, it->import, seen, seen_count);
        } else if (it->kind == IT_TYPE) {
            r = add_type(s, it->type);
        } else if (it->kind == IT_INCLUDE) {
            int dup = 0;
            for (size_t k = 0; k < s->prog->include_count; k++)
                dup |= strcmp(s->prog->includes[k], it->include) == 0;
            if (!dup)
                EDL_PUSH(s->ctx, s->prog->includes, s->prog->include_count, it->include);
        }
        if (r != ARCA_OK)
            result = r;
    }
    return result;
}

/* ---- parameters ---- */

static int find_param(const edl_func *f, const char *name)
{
    for (size_t i = 0; i < f->param_count; i++)
        if (strcmp(f->params[i].name, name) == 0)
            return (int)i;
    return -1;
}

/*
 * A size or count: a literal, or an integer parameter passed by value. Integer types arca-edger
 * knows are checked here; a typedef from an included header (socklen_t, nfds_t, ...) or an EDL
 * enum is accepted when it is neither a pointer nor an array, and the generated code makes the
 * C compiler check that it is an integer type of at most 64 bits (docs/edl.md).
 */
static arca_result_t resolve_sizeref(state *s, edl_func *f, edl_param *prm, edl_attr *a,
                                     edl_sizeref *ref)
{
    ref->present = 1;
    ref->loc = a->loc;
    if (a->value_is_number) {
        ref->is_literal = 1;
        ref->literal = a->number;
        return ARCA_OK;
    }
    int idx = find_param(f, a->value);
    if (idx < 0)
        return edl_error(s->ctx, a->loc, "'%s=%s' of parameter '%s' refers to no parameter of '%s'",
                         a->name, a->value, prm->name, f->name);
    edl_param *sp = &f->params[idx];
    /* sp's own type may not be resolved yet: look its name up without reporting */
    const edl_usertype *def = sp->type.tag ? find_type(s->prog, sp->type.tag) : NULL;
    int by_value = sp != prm && !sp->type.pointers && !sp->dims.count;
    int builtin_int = sp->type.kind == TY_BUILTIN && sp->type.builtin->is_integer;
    int foreign_or_enum = (sp->type.kind == TY_FOREIGN && (!def || def->kind == TY_ENUM)) ||
                          sp->type.kind == TY_ENUM;
    if (!by_value || !(builtin_int || foreign_or_enum))
        return edl_error(s->ctx, a->loc,
                         "'%s=%s' of parameter '%s' must name an integer parameter passed by value "
                         "('%s' is '%s'): an integer type, an enum, or an integer typedef from an "
                         "included header such as socklen_t",
                         a->name, a->value, prm->name, sp->name,
                         edl_decl(s->ctx, &sp->type, sp->name, &sp->dims));
    ref->param = sp->name;
    ref->param_index = idx;
    ref->is_foreign = !builtin_int;
    return ARCA_OK;
}

static arca_result_t check_param(state *s, edl_func *f, edl_param *prm)
{
    arca_result_t result = ARCA_OK;
    edl_attr *string = NULL, *size = NULL, *count = NULL, *in = NULL, *out = NULL;
    int is_ptr = prm->type.pointers > 0, is_array = prm->dims.count > 0;

    result = check_name(s, prm->name, prm->loc, "parameter");
    if (result != ARCA_OK)
        goto done;
    /* A parameter may be named like a function (C scoping allows it; the bridge of a function
     * with a parameter of its own name calls it through a pointer), but not like an EDL type,
     * which the generated code spells in the same scope. */
    if (find_type(s->prog, prm->name)) {
        result = edl_error(s->ctx, prm->loc, "parameter name '%s' clashes with the type of the same "
                           "name; rename it", prm->name);
        goto done;
    }
    if (strcmp(prm->name, f->name) == 0)
        f->own_name_param = 1;
    for (size_t i = 0; i < prm->attr_count; i++) {
        edl_attr *a = &prm->attrs[i];
        edl_attr **slot = NULL;
        if (strcmp(a->name, "in") == 0)
            slot = &in;
        else if (strcmp(a->name, "out") == 0)
            slot = &out;
        else if (strcmp(a->name, "string") == 0)
            slot = &string;
        else if (strcmp(a->name, "size") == 0)
            slot = &size;
        else if (strcmp(a->name, "count") == 0)
            slot = &count;
        else if (strcmp(a->name, "user_check") == 0) {
            result = edl_error(s->ctx, a->loc,
                               "[user_check] is not supported by arca-edger: no pointer can cross "
                               "the address-space boundary between host and enclave, so the callee "
                               "could never dereference it; use [in], [out] or [in, out] with "
                               "[size=...] to copy the buffer, or pass an integer handle");
            goto done;
        } else if (strcmp(a->name, "wstring") == 0) {
            result = edl_error(s->ctx, a->loc,
                               "[wstring] is not supported by arca-edger: wchar_t strings differ "
                               "between platforms; pass the characters as [in, count=n] wchar_t* "
                               "with an explicit length, or convert to UTF-8 and use [string]");
            goto done;
        } else if (strcmp(a->name, "isptr") == 0 || strcmp(a->name, "isary") == 0) {
            int ptr = a->name[2] == 'p';
            result = edl_error(s->ctx, a->loc,
                               "[%s] is not supported by arca-edger: it declares that a typedef from "
                               "a C header is %s, which arca-edger cannot see into; across the "
                               "address-space boundary only copies can travel, never the address, so "
                               "the EDL must spell the %s and its size (e.g. %s)",
                               a->name, ptr ? "a pointer" : "an array", ptr ? "pointer" : "array",
                               ptr ? "[in, size=len] uint8_t *buf" : "[in] uint8_t buf[16]");
            goto done;
        } else if (strcmp(a->name, "readonly") == 0) {
            result = edl_error(s->ctx, a->loc,
                               "[readonly] is not supported by arca-edger: it marks an [isptr] "
                               "pointer whose memory the callee shares but may not write, and no "
                               "memory is shared across the address-space boundary between host and "
                               "enclave; use [in] (the callee gets a private copy that never goes back)");
            goto done;
        } else if (strcmp(a->name, "sizefunc") == 0) {
            result = edl_error(s->ctx, a->loc,
                               "[sizefunc] is not supported by arca-edger: the size function would "
                               "run on the caller's pointer, which the callee cannot check; add a "
                               "size parameter and use [size=len]");
            goto done;
        } else {
            result = edl_error(s->ctx, a->loc, "unknown attribute '%s' on parameter '%s'", a->name,
                               prm->name);
            goto done;
        }
        if (*slot) {
            result = edl_error(s->ctx, a->loc, "attribute '%s' given twice", a->name);
            goto done;
        }
        int wants_value = slot == &size || slot == &count;
        if (wants_value != (a->value != NULL)) {
            result = edl_error(s->ctx, a->loc, wants_value ? "[%s] needs a value: [%s=n] or [%s=param]"
                                                           : "[%s] takes no value%s%s",
                               a->name, wants_value ? a->name : "", wants_value ? a->name : "");
            goto done;
        }
        *slot = a;
    }
    prm->dir = (in ? EDL_DIR_IN : 0) | (out ? EDL_DIR_OUT : 0);

    if (prm->type.kind == TY_VOID && !is_ptr) {
        result = edl_error(s->ctx, prm->type.loc, "parameter '%s' cannot have type void", prm->name);
        goto done;
    }
    result = resolve_type(s, &prm->type, 0);
    if (result != ARCA_OK)
        goto done;
    result = resolve_dims(s, &prm->dims);
    if (result != ARCA_OK)
        goto done;
    if (prm->type.pointers > 1 || (is_ptr && is_array)) {
        result = edl_error(s->ctx, prm->type.loc,
                           "2-level pointers are not supported by arca-edger: '%s' points to "
                           "pointers, which cannot cross the boundary; flatten the data into one "
                           "buffer",
                           prm->name);
        goto done;
    }
    if (!is_ptr && !is_array) {
        edl_attr *any = in ? in : out ? out : string ? string : size ? size : count;
        if (any) {
            result = edl_error(s->ctx, any->loc,
                               "[%s] applies to pointers and arrays; '%s' is passed by value", any->name,
                               prm->name);
            goto done;
        }
        prm->kind = PK_VALUE;
        goto done;
    }
    if (!prm->dir) {
        result = edl_error(s->ctx, prm->loc,
                           "%s parameter '%s' needs a direction: [in], [out] or [in, out] "
                           "(arca-edger copies every buffer; [user_check] is not supported)",
                           is_ptr ? "pointer" : "array", prm->name);
        goto done;
    }
    if ((prm->dir & EDL_DIR_OUT) && prm->type.is_const) {
        result = edl_error(s->ctx, out->loc, "[out] parameter '%s' points to const data; remove "
                           "'const' or make it [in]", prm->name);
        goto done;
    }
    if (string) {
        if (size || count) {
            edl_attr *a = size ? size : count;
            result = edl_error(s->ctx, a->loc, "[string] cannot be combined with [%s]: the string's "
                               "length is its size", a->name);
            goto done;
        }
        if (is_array || prm->type.kind != TY_BUILTIN || strcmp(prm->type.name, "char") != 0) {
            result = edl_error(s->ctx, string->loc, "[string] applies to char pointers only ('%s' is "
                               "'%s')", prm->name, edl_decl(s->ctx, &prm->type, prm->name, &prm->dims));
            goto done;
        }
        if (!(prm->dir & EDL_DIR_IN)) {
            result = edl_error(s->ctx, string->loc, "[string] needs [in] or [in, out]: an [out] "
                               "string has no length; use [out, size=n] char *%s", prm->name);
            goto done;
        }
        prm->kind = PK_STRING;
        goto done;
    }
    prm->kind = PK_BUFFER;
    if (is_array) {
        if (size || count) {
            edl_attr *a = size ? size : count;
            result = edl_error(s->ctx, a->loc, "array parameter '%s' has a fixed size; remove [%s]",
                               prm->name, a->name);
            goto done;
        }
        prm->array_elems = 1;
        prm->array_known = 1;
        for (size_t i = 0; i < prm->dims.count; i++) {
            if (!prm->dims.items[i].known) {
                prm->array_known = 0; /* a header's constant: the generated code asserts the bounds */
                continue;
            }
            if (__builtin_mul_overflow(prm->array_elems, prm->dims.items[i].value, &prm->array_elems) ||
                prm->array_elems > (UINT64_C(1) << 31)) {
                result = edl_error(s->ctx, prm->loc, "array '%s' has too many elements", prm->name);
                goto done;
            }
        }
        goto done;
    }
    if (prm->type.kind == TY_VOID && !size) {
        result = edl_error(s->ctx, prm->loc, "void pointer '%s' needs [size=...]: the element size "
                           "of void is unknown", prm->name);
        goto done;
    }
    if (size) {
        result = resolve_sizeref(s, f, prm, size, &prm->size);
        if (result != ARCA_OK)
            goto done;
    }
    if (count)
        result = resolve_sizeref(s, f, prm, count, &prm->count);
done:
    return result;
}

/* propagate_errno and allow(...) belong to host calls; allow names ecalls of this program. */
static arca_result_t check_suffixes(state *s, edl_func *f)
{
    arca_result_t result = ARCA_OK;
    if (f->trusted && f->propagate_errno)
        result = edl_error(s->ctx, f->errno_loc, "'propagate_errno' applies to untrusted functions: "
                           "it carries the host's errno back into the enclave after a host call");
    if (f->trusted && f->has_allow)
        result = edl_error(s->ctx, f->allow_loc, "allow(...) applies to untrusted functions: it lists "
                           "the ecalls the host may make while that host call runs");
    if (f->trusted)
        goto done;
    f->allowed = f->allow_count ? edl_alloc(s->ctx, f->allow_count * sizeof *f->allowed) : NULL;
    for (size_t i = 0; i < f->allow_count; i++) {
        const char *name = f->allow[i];
        edl_func *e = find_func(s->prog->ecalls, s->prog->ecall_count, name);
        if (!e) {
            result = edl_error(s->ctx, f->allow_locs[i],
                               "allow(%s) of '%s': %s; allow(...) lists trusted functions of this "
                               "enclave (import them too)",
                               name, f->name,
                               find_func(s->prog->ocalls, s->prog->ocall_count, name)
                                   ? "it is an untrusted function"
                                   : "no trusted function of this enclave has that name");
            continue;
        }
        for (size_t k = 0; k < i; k++)
            if (f->allowed[k] == e)
                result = edl_error(s->ctx, f->allow_locs[i], "allow(%s) of '%s': listed twice", name,
                                   f->name);
        f->allowed[i] = e;
    }
done:
    return result;
}

static arca_result_t check_func(state *s, edl_func *f)
{
    arca_result_t result = ARCA_OK;
    result = check_name(s, f->name, f->loc, "function");
    if (result != ARCA_OK)
        goto done;
    if (find_type(s->prog, f->name)) {
        result = edl_error(s->ctx, f->loc, "function name '%s' clashes with a type of the same name",
                           f->name);
        goto done;
    }
    result = check_suffixes(s, f);
    if (f->ret.pointers) {
        result = edl_error(s->ctx, f->ret.loc,
                           "returning a pointer is not supported by arca-edger: '%s' would return "
                           "an address in the callee's address space, which the caller cannot "
                           "dereference; return the data through an [out] parameter",
                           f->name);
    } else if (resolve_type(s, &f->ret, 0) != ARCA_OK) {
        result = ARCA_ERR_BAD_FORMAT;
    }
    for (size_t i = 0; i < f->param_count; i++) {
        int dup = 0;
        for (size_t k = 0; k < i && !dup; k++)
            if (strcmp(f->params[k].name, f->params[i].name) == 0) {
                result = edl_error(s->ctx, f->params[i].loc, "duplicate parameter '%s' in '%s'",
                                   f->params[i].name, f->name);
                dup = 1;
            }
        if (!dup && check_param(s, f, &f->params[i]) != ARCA_OK)
            result = ARCA_ERR_BAD_FORMAT;
    }
done:
    return result;
}

/* ---- the program ---- */

static void note_sdk_type(state *s, const edl_type *t)
{
    edl_program *p = s->prog;
    if (!t->sdk_name || find_name(p->sdk_types, p->sdk_type_count, t->sdk_name))
        return;
    EDL_PUSH(s->ctx, p->sdk_types, p->sdk_type_count, t->sdk_name);
}

/* What the generators need to know about the whole program: errno, allow(), SDK type names. */
static void program_features(state *s)
{
    edl_program *p = s->prog;
    for (size_t i = 0; i < p->type_count; i++)
        for (size_t k = 0; k < p->types[i]->member_count; k++)
            note_sdk_type(s, &p->types[i]->members[k].type);
    for (size_t n = 0; n < p->ecall_count + p->ocall_count; n++) {
        edl_func *f = n < p->ecall_count ? p->ecalls[n] : p->ocalls[n - p->ecall_count];
        note_sdk_type(s, &f->ret);
        for (size_t k = 0; k < f->param_count; k++)
            note_sdk_type(s, &f->params[k].type);
        p->uses_errno |= f->propagate_errno;
    }
    /* allow() is enforced for every EDL, as SGX does: a host call that lists no ecall admits
     * none, and a host call made outside the generated bridges (arca_host_call, arca_log, the
     * enclave's stdout) admits none either (docs/edl.md). */
    p->checks_allow = p->ecall_count > 0;
    /* a private ecall no allow(...) lists can never be called: say so, it is legal EDL */
    for (size_t i = 0; i < p->ecall_count; i++) {
        edl_func *e = p->ecalls[i];
        int listed = e->is_public;
        for (size_t k = 0; k < p->ocall_count && !listed; k++)
            for (size_t j = 0; j < p->ocalls[k]->allow_count && !listed; j++)
                listed = p->ocalls[k]->allowed && p->ocalls[k]->allowed[j] == e;
        if (!listed)
            edl_warning(s->ctx, e->loc, "trusted function '%s' is private (not 'public') and no untrusted "
                        "function lists it in allow(...), so it can never be called",
                        e->name);
    }
}

static arca_result_t build(state *s, edl_module *root, const char *name)
{
    arca_result_t result = ARCA_OK;
    edl_program *p = s->prog;
    edl_module **seen = NULL;
    size_t seen_count = 0;
    const char *slash = strrchr(name, '/');
    const char *file = slash ? slash + 1 : name;
    size_t n = strlen(file);
    if (n > 4 && strcmp(file + n - 4, ".edl") == 0)
        n -= 4;
    p->edl_name = file;
    p->base = edl_strndup(s->ctx, file, n);
    for (size_t i = 0; p->base[i]; i++) {
        char c = p->base[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
              (i > 0 && c >= '0' && c <= '9'))) {
            result = edl_error(s->ctx, (edl_loc){name, 1, 1},
                               "the file name '%s' must be a C identifier (plus .edl): it names the "
                               "generated host-call table '%s_host_calls'",
                               file, p->base);
            break;
        }
    }
    if (collect_types(s, root, &seen, &seen_count) != ARCA_OK)
        result = ARCA_ERR_BAD_FORMAT;
    for (size_t i = 0; i < root->func_count; i++) {
        edl_func *f = root->funcs[i];
        if (f->trusted)
            EDL_PUSH(s->ctx, p->ecalls, p->ecall_count, f);
        else
            EDL_PUSH(s->ctx, p->ocalls, p->ocall_count, f);
    }
    for (size_t i = 0; i < p->ecall_count; i++)
        p->ecalls[i]->id = (uint32_t)(i + 1);
    for (size_t i = 0; i < p->ocall_count; i++)
        p->ocalls[i]->id = (uint32_t)(i + 1);
    for (size_t i = 0; i < root->func_count && !edl_stopped(s->ctx); i++)
        if (check_func(s, root->funcs[i]) != ARCA_OK)
            result = ARCA_ERR_BAD_FORMAT;
    program_features(s); /* with errors too: its warnings are worth seeing */
    return result;
}

/* The compilation failed if any error was reported, whatever path reported it. */
static arca_result_t outcome(const edl_ctx *ctx, int errors_before)
{
    return ctx->errors > errors_before ? ARCA_ERR_BAD_FORMAT : ARCA_OK;
}

arca_result_t edl_compile(edl_ctx *ctx, const char *path, edl_program *out)
{
    int errors_before = ctx->errors;
    memset(out, 0, sizeof *out);
    state s = {.ctx = ctx, .prog = out};
    edl_module *root = NULL;
    if (!is_file(path)) {
        edl_error(ctx, (edl_loc){path, 0, 0}, "cannot open '%s': no such file", path);
        goto done;
    }
    load_module(&s, path, (edl_loc){path, 0, 0}, NULL, &root);
    if (root && !edl_stopped(ctx))
        build(&s, root, path);
    if (root && outcome(ctx, errors_before) == ARCA_OK)
        edl_interface(ctx, out);
done:
    return outcome(ctx, errors_before);
}

arca_result_t edl_compile_text(edl_ctx *ctx, const char *name, const char *text, size_t len,
                               edl_program *out)
{
    int errors_before = ctx->errors;
    memset(out, 0, sizeof *out);
    state s = {.ctx = ctx, .prog = out};
    edl_module *m = edl_alloc(ctx, sizeof *m);
    m->path = name;
    m->realpath = name;
    EDL_PUSH(ctx, s.modules, s.module_count, m);
    parse_text(&s, m, text, len);
    if (!edl_stopped(ctx))
        build(&s, m, name);
    if (outcome(ctx, errors_before) == ARCA_OK)
        edl_interface(ctx, out);
    return outcome(ctx, errors_before);
}
