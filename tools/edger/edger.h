/*
 * edger.h — internal interfaces of arca-edger, the EDL compiler: the syntax tree, the lexer
 * (with its #ifdef preprocessor), the parser with import resolution, the semantic checks and
 * the code generators.
 *
 * Every allocation of one compilation comes from its arena and is released at once by
 * edl_free(), so the compiler (and its fuzz target) never leaks. Errors are reported as
 * "file:line:col: error: message" (followed by the "imported from" trail of the file) through
 * edl_error() and make the compilation fail; the compiler goes on after an error so that one
 * run reports every error of a file, up to ctx->max_errors.
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

/* Where an EDL file was first imported from: errors in it print this as their trail. */
typedef struct edl_site {
    const char *file; /* the imported file's path, as its diagnostics spell it */
    edl_loc from;     /* the import statement that first reached it */
    const char *note; /* NULL, or a note printed after the first error in this file */
    int noted;        /* the note was printed */
} edl_site;

/* Errors reported before arca-edger gives up on a compilation. */
#define EDL_MAX_ERRORS 20

typedef struct edl_ctx {
    edl_arena_block *blocks;
    FILE *diag;                /* where diagnostics go; NULL = nowhere (fuzzing) */
    const char **search_paths; /* import search directories, in order */
    size_t search_path_count;
    const char *sdk_dir;       /* the stand-ins for SDK EDL files: searched last; NULL = none */
    const char **defines;      /* names defined with -D, for #ifdef/#ifndef */
    size_t define_count;
    int errors;                /* number of errors reported */
    int warnings;              /* number of warnings printed */
    int max_errors;            /* after this many errors, further ones are not reported */
    int max_import_depth;
    int no_files;              /* never open files (fuzzing): every import fails */
    int no_must_check;         /* generation: proxies without warn_unused_result */
    edl_site *sites;           /* the import trail of every imported file */
    size_t site_count;
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

/**
 * Print "file:line:col: error: ..." with the file's "imported from FILE:LINE:COL" trail and
 * return ARCA_ERR_BAD_FORMAT. After ctx->max_errors errors, one last line says so and later
 * errors are counted but not printed.
 */
arca_result_t edl_error(edl_ctx *ctx, edl_loc loc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/** Print "file:line:col: warning: ..." (does not fail the compilation). */
void edl_warning(edl_ctx *ctx, edl_loc loc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/** Non-zero once the error limit is reached: parsers stop early. */
int edl_stopped(const edl_ctx *ctx);
/** Record that @p file was first imported at @p from (for error trails), with an optional note. */
void edl_add_site(edl_ctx *ctx, const char *file, edl_loc from, const char *note);
/** Non-zero when @p name was defined with -D. */
int edl_defined(const edl_ctx *ctx, const char *name);

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
    int truncated; /* an error ended the text early (unterminated comment): its end is no news */
} edl_token_list;

/**
 * Split @p text into tokens (ends with TOK_EOF), applying #ifdef/#ifndef/#else/#endif.
 * Reports every lexical error and still returns the complete token list (the offending
 * characters left out), so the parser can report its own errors too.
 */
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
    const char *name; /* canonical EDL spelling */
    edl_wire wire;
    int is_integer;
    int is_signed;
    const char *c_name; /* the C type generated code uses, when it is not @c name */
    const char *canon;  /* its name in the interface's canonical text (interface.c): the kind
                           and width it resolves to, so that int and int32_t are the same */
} edl_builtin;

struct edl_usertype;

typedef struct edl_type {
    edl_type_kind kind;
    const char *name;               /* C spelling of the base type, e.g. "unsigned int", "struct s" */
    const char *sdk_name;           /* "sgx_status_t", "oe_result_t": the EDL spelled this alias */
    const edl_builtin *builtin;     /* TY_BUILTIN */
    struct edl_usertype *def;       /* TY_STRUCT/UNION/ENUM defined in EDL (after resolution) */
    const char *tag;                /* struct/union/enum tag or foreign name */
    int is_const;                   /* const base type */
    int pointers;                   /* number of '*' */
    edl_loc loc;
} edl_type;

/* One array dimension: an integer literal, or a constant's name (an EDL enumerator, whose value
 * arca-edger computes, or a constant of an included C header, left to the C compiler). */
typedef struct edl_dim {
    uint64_t value;   /* the number of elements, when known */
    const char *name; /* NULL for a literal */
    int known;        /* value is known to arca-edger */
    edl_loc loc;
} edl_dim;

typedef struct edl_dims {
    edl_dim *items;
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
    /* the value, as far as arca-edger can compute it (resolution): literals, names of earlier
     * EDL enumerators, the previous one plus one */
    int known;
    int negative;       /* the value is -magnitude */
    uint64_t magnitude;
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
    int is_foreign;  /* the parameter's type is a typedef from a C header (checked by the C compiler) */
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
    uint64_t array_elems; /* arrays: product of the dimensions, when all are known */
    int array_known;      /* every dimension is known to arca-edger */
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
    edl_attr *attrs;         /* [cdecl], [dllimport], ...: accepted, no effect */
    size_t attr_count;
    int propagate_errno;     /* host call: the host's errno comes back into the enclave */
    edl_loc errno_loc;
    int switchless;          /* transition_using_threads */
    const char **allow;      /* host call: allow(...) names */
    edl_loc *allow_locs;
    size_t allow_count;
    int has_allow;           /* allow(...) was written (even empty) */
    edl_loc allow_loc;
    struct edl_func **allowed; /* resolved: the ecalls allow(...) names */
    int own_name_param;      /* a parameter has the function's own name */
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
    /* `arca_provides f, g;`: names the SDK's version of this file declares and Arca's runtime
     * provides otherwise; a named import of one imports nothing (its own plus imported ones) */
    const char **provides;
    edl_loc *provide_locs;
    size_t provide_count;
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
    int uses_errno;     /* some host call has propagate_errno */
    int checks_allow;   /* allow(...) or a private ecall: the generated code enforces allow() */
    const char **sdk_types; /* SDK status types the EDL uses ("sgx_status_t", "oe_result_t") */
    size_t sdk_type_count;
    const char **files; /* every EDL file read, for the depfile */
    size_t file_count;
    /* the resolved interface (interface.c): its canonical text and that text's SHA-256, which
     * both sides' generated code carry; set only when the compilation succeeded */
    const char *interface_text;
    size_t interface_text_len;
    uint8_t interface_hash[32];
} edl_program;

/** Parse @p path (and everything it imports), check it, and fill @p out (with the interface
 *  hash, edl_interface(), when there was no error). */
arca_result_t edl_compile(edl_ctx *ctx, const char *path, edl_program *out);
/** The same from text in memory (imports are resolved against the search paths). */
arca_result_t edl_compile_text(edl_ctx *ctx, const char *name, const char *text, size_t len,
                               edl_program *out);

/* ---- the interface hash (interface.c) ---- */

/**
 * Write the canonical text of the resolved interface of @p p (docs/formats.md, "EDL interface
 * hash") and its SHA-256 into p->interface_text and p->interface_hash. Fails (with an error
 * reported) only if hashing fails.
 */
arca_result_t edl_interface(edl_ctx *ctx, edl_program *p);
/** The 64 lowercase hex digits of p->interface_hash (arena copy). */
const char *edl_interface_hex(edl_ctx *ctx, const edl_program *p);

/* ---- types (types.c) ---- */

const edl_builtin *edl_builtin_find(const char *canonical);
/** C text of one array dimension: its literal or its constant's name. */
const char *edl_dim_str(edl_ctx *ctx, const edl_dim *d);
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
void edl_gen_proxy(edl_ctx *ctx, const edl_program *prog, const edl_func *f, int host_side, edl_out *o);
void edl_gen_bridge(edl_ctx *ctx, const edl_program *prog, const edl_func *f, int host_side, edl_out *o);
/** The static helpers that copy EDL structs/unions sent by value from this side, padding zeroed. */
void edl_gen_clean_helpers(edl_ctx *ctx, const edl_program *p, int trusted, edl_out *o);
/** "arca_result_t name(arca_enclave_t *arca_enclave, T *arca_retval, params)" etc. */
char *edl_proxy_signature(edl_ctx *ctx, const edl_func *f, int host_side);
/** "T name(params)": what the user implements. */
char *edl_impl_signature(edl_ctx *ctx, const edl_func *f);

#endif
