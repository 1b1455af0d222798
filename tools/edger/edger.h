/*
 * edger.h — internal interfaces of arca-edger, the EDL compiler: the syntax tree, the lexer,
 * the parser with import resolution, the semantic checks and the code generators.
 *
 * Every allocation of one compilation comes from its arena and is released at once by
 * edl_free(), so the compiler (and its fuzz target) never leaks. Errors are reported as
 * "file:line:col: error: message" through edl_error() and make the compilation fail.
 */
#ifndef ARCA_EDGER_H
#define ARCA_EDGER_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "arca/result.h"

/* ---- locations, diagnostics, memory ---- */

typedef struct edl_loc {
    const char *file; /* path as the user (or the import search) spelled it */
    int line, col;
} edl_loc;

typedef struct edl_arena_block edl_arena_block;

typedef struct edl_ctx {
    edl_arena_block *blocks;
    FILE *diag;                /* where diagnostics go; NULL = nowhere (fuzzing) */
    const char **search_paths; /* import search directories, in order */
    size_t search_path_count;
    int errors;                /* number of diagnostics printed */
    int max_import_depth;
    int no_files;              /* never open files (fuzzing): every import fails */
} edl_ctx;

void edl_init(edl_ctx *ctx, FILE *diag);
void edl_free(edl_ctx *ctx);
void *edl_alloc(edl_ctx *ctx, size_t size); /* zeroed; aborts the process only if malloc fails */
char *edl_strndup(edl_ctx *ctx, const char *s, size_t n);
char *edl_strdup(edl_ctx *ctx, const char *s);
char *edl_printf(edl_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Room for one more item in an arena array holding @p count items of @p size bytes: returns
 * @p items, or a copy in a larger block when @p count is a power of two (capacity doubles). */
void *edl_grow(edl_ctx *ctx, void *items, size_t count, size_t size);

/* Appends @p value to the arena array @p arr of @p count items (see edl_grow). */
#define EDL_PUSH(ctx, arr, count, value)                                                         \
    do {                                                                                         \
        (arr) = edl_grow((ctx), (arr), (count), sizeof *(arr));                                  \
        (arr)[(count)++] = (value);                                                              \
    } while (0)

/** Print "file:line:col: error: ..." and return ARCA_ERR_BAD_FORMAT. */
arca_result_t edl_error(edl_ctx *ctx, edl_loc loc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ---- lexer ---- */

typedef enum edl_tok_kind {
    TOK_EOF,
    TOK_IDENT,
    TOK_NUMBER,
    TOK_STRING,
    TOK_PUNCT, /* one of { } [ ] ( ) ; , = * - */
} edl_tok_kind;

typedef struct edl_token {
    edl_tok_kind kind;
    const char *text; /* arena copy; for TOK_STRING without the quotes */
    uint64_t number;  /* TOK_NUMBER */
    edl_loc loc;
} edl_token;

typedef struct edl_token_list {
    edl_token *items;
    size_t count;
} edl_token_list;

/** Split @p text into tokens (ends with TOK_EOF). Reports lexical errors. */
arca_result_t edl_lex(edl_ctx *ctx, const char *file, const char *text, size_t len,
                      edl_token_list *out);

/* ---- syntax tree ---- */

typedef enum edl_type_kind {
    TY_VOID,
    TY_BUILTIN, /* an integer or floating type of the table in types.c */
    TY_STRUCT,
    TY_UNION,
    TY_ENUM,
    TY_FOREIGN, /* a name from an included C header */
} edl_type_kind;

/* How a builtin type crosses the wire. */
typedef enum edl_wire {
    WIRE_U8,
    WIRE_U16,
    WIRE_U32,
    WIRE_U64,
    WIRE_SIZE, /* size_t: u64 that must fit size_t */
    WIRE_F32,
    WIRE_F64,
    WIRE_RAW, /* sizeof(type) bytes (wchar_t, structs, unions, enums, foreign types) */
} edl_wire;

typedef struct edl_builtin {
    const char *name; /* canonical C spelling */
    edl_wire wire;
    int is_integer;
    int is_signed;
} edl_builtin;

struct edl_usertype;

typedef struct edl_type {
    edl_type_kind kind;
    const char *name;               /* C spelling of the base type, e.g. "unsigned int", "struct s" */
    const edl_builtin *builtin;     /* TY_BUILTIN */
    struct edl_usertype *def;       /* TY_STRUCT/UNION/ENUM defined in EDL (after resolution) */
    const char *tag;                /* struct/union/enum tag or foreign name */
    int is_const;                   /* const base type */
    int pointers;                   /* number of '*' */
    edl_loc loc;
} edl_type;

typedef struct edl_dims {
    uint64_t *items;
    size_t count;
} edl_dims;

typedef struct edl_member {
    edl_type type;
    const char *name;
    edl_dims dims;
    edl_loc loc;
} edl_member;

typedef struct edl_enumerator {
    const char *name;
    const char *value; /* C text of the value, or NULL */
    edl_loc loc;
} edl_enumerator;

typedef struct edl_usertype {
    edl_type_kind kind; /* TY_STRUCT, TY_UNION, TY_ENUM */
    const char *name;   /* tag; NULL for an anonymous enum */
    edl_member *members;
    size_t member_count;
    edl_enumerator *enumerators;
    size_t enumerator_count;
    edl_loc loc;
    int emitted; /* resolution: already placed in the output order */
} edl_usertype;

/* A size or count attribute: a literal or the name of another parameter. */
typedef struct edl_sizeref {
    int present;
    int is_literal;
    uint64_t literal;
    const char *param;
    int param_index; /* resolved */
    edl_loc loc;
} edl_sizeref;

#define EDL_DIR_IN 1
#define EDL_DIR_OUT 2

typedef struct edl_attr {
    const char *name;
    const char *value; /* NULL, an identifier, or a number's text */
    int value_is_number;
    uint64_t number;
    edl_loc loc;
} edl_attr;

typedef enum edl_param_kind {
    PK_VALUE,  /* passed by value */
    PK_BUFFER, /* pointer or array with [in]/[out]: copied as bytes */
    PK_STRING, /* [string] char pointer */
} edl_param_kind;

typedef struct edl_param {
    edl_type type;
    const char *name;
    edl_dims dims;
    edl_attr *attrs;
    size_t attr_count;
    edl_loc loc;
    /* resolved by the checker */
    edl_param_kind kind;
    int dir;          /* EDL_DIR_* */
    edl_sizeref size; /* [size=] */
    edl_sizeref count; /* [count=] */
    uint64_t array_elems; /* arrays: product of the dimensions */
} edl_param;

typedef struct edl_func {
    int trusted; /* 1 = ecall (trusted block), 0 = host call (untrusted block) */
    int is_public;
    edl_type ret;
    const char *name;
    edl_param *params;
    size_t param_count;
    edl_loc loc;
    uint32_t id; /* assigned after import resolution */
} edl_func;

typedef enum edl_item_kind {
    IT_INCLUDE,
    IT_IMPORT,
    IT_TYPE,
    IT_FUNC,
} edl_item_kind;

struct edl_module;

typedef struct edl_item {
    edl_item_kind kind;
    const char *include;           /* IT_INCLUDE */
    struct edl_module *import;     /* IT_IMPORT (resolved) */
    const char **import_names;     /* IT_IMPORT: NULL = '*' */
    edl_loc *import_name_locs;
    size_t import_name_count;
    edl_usertype *type;            /* IT_TYPE */
    edl_func *func;                /* IT_FUNC */
    edl_loc loc;
} edl_item;

typedef struct edl_module {
    const char *path;     /* as opened */
    const char *realpath; /* canonical, for cycle and duplicate detection */
    edl_item *items;
    size_t item_count;
    int state; /* 0 = new, 1 = being parsed (on the import stack), 2 = done */
    /* functions this module provides to importers: its own plus what it imported, in order */
    edl_func **funcs;
    size_t func_count;
} edl_module;

/* The whole compilation after imports and checks. */
typedef struct edl_program {
    const char *base;        /* output base name (file name without .edl) */
    const char *edl_name;    /* file name of the root EDL, for comments */
    const char **includes;
    size_t include_count;
    edl_usertype **types; /* in definition order, each once */
    size_t type_count;
    edl_func **ecalls; /* id = index + 1 */
    size_t ecall_count;
    edl_func **ocalls;
    size_t ocall_count;
    int uses_wchar;
    const char **files; /* every EDL file read, for the depfile */
    size_t file_count;
} edl_program;

/** Parse @p path (and everything it imports), check it, and fill @p out. */
arca_result_t edl_compile(edl_ctx *ctx, const char *path, edl_program *out);
/** The same from text in memory (imports are resolved against the search paths). */
arca_result_t edl_compile_text(edl_ctx *ctx, const char *name, const char *text, size_t len,
                               edl_program *out);

/* ---- types (types.c) ---- */

const edl_builtin *edl_builtin_find(const char *canonical);
/** C declaration of @p name with type @p t and dimensions (e.g. "const char *s", "int a[4]"). */
char *edl_decl(edl_ctx *ctx, const edl_type *t, const char *name, const edl_dims *dims);
/** C spelling of a type with its pointers (e.g. "const char *"). */
char *edl_type_str(edl_ctx *ctx, const edl_type *t);
int edl_is_reserved_word(const char *s);

/* ---- code generation (gen_*.c) ---- */

typedef struct edl_out {
    char *data;
    size_t len, cap;
} edl_out;

void edl_emit(edl_out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void edl_out_free(edl_out *o);

void edl_gen_header(edl_ctx *ctx, const edl_program *p, int trusted, edl_out *o);
void edl_gen_trusted_c(edl_ctx *ctx, const edl_program *p, edl_out *o);
void edl_gen_untrusted_c(edl_ctx *ctx, const edl_program *p, edl_out *o);

/* Shared between the generators: the caller-side proxy and the callee-side bridge bodies. */
void edl_gen_proxy(edl_ctx *ctx, const edl_func *f, int host_side, edl_out *o);
void edl_gen_bridge(edl_ctx *ctx, const edl_func *f, int host_side, edl_out *o);
/** The static helpers that copy EDL structs/unions sent by value from this side, padding zeroed. */
void edl_gen_clean_helpers(edl_ctx *ctx, const edl_program *p, int trusted, edl_out *o);
/** "arca_result_t name(arca_enclave_t *arca_enclave, T *arca_retval, params)" etc. */
char *edl_proxy_signature(edl_ctx *ctx, const edl_func *f, int host_side);
/** "T name(params)": what the user implements. */
char *edl_impl_signature(edl_ctx *ctx, const edl_func *f);

#endif
