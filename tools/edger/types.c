/*
 * types.c — the EDL type system as arca-edger understands it: the table of builtin scalar
 * types with their wire encoding, C spellings of declarations, and reserved words.
 *
 * The table is the single place that fixes how a scalar crosses the boundary; generated code
 * must never guess a width. Arca targets LP64 Linux (x86-64, aarch64): long is 64 bits.
 */
#include "edger.h"

#include <string.h>

static const edl_builtin builtins[] = {
    {"char", WIRE_U8, 1, 1, NULL, "int8"},
    {"signed char", WIRE_U8, 1, 1, NULL, "int8"},
    {"unsigned char", WIRE_U8, 1, 0, NULL, "uint8"},
    {"short", WIRE_U16, 1, 1, NULL, "int16"},
    {"unsigned short", WIRE_U16, 1, 0, NULL, "uint16"},
    {"int", WIRE_U32, 1, 1, NULL, "int32"},
    {"unsigned int", WIRE_U32, 1, 0, NULL, "uint32"},
    {"long", WIRE_U64, 1, 1, NULL, "int64"},
    {"unsigned long", WIRE_U64, 1, 0, NULL, "uint64"},
    {"long long", WIRE_U64, 1, 1, NULL, "int64"},
    {"unsigned long long", WIRE_U64, 1, 0, NULL, "uint64"},
    {"int8_t", WIRE_U8, 1, 1, NULL, "int8"},
    {"uint8_t", WIRE_U8, 1, 0, NULL, "uint8"},
    {"int16_t", WIRE_U16, 1, 1, NULL, "int16"},
    {"uint16_t", WIRE_U16, 1, 0, NULL, "uint16"},
    {"int32_t", WIRE_U32, 1, 1, NULL, "int32"},
    {"uint32_t", WIRE_U32, 1, 0, NULL, "uint32"},
    {"int64_t", WIRE_U64, 1, 1, NULL, "int64"},
    {"uint64_t", WIRE_U64, 1, 0, NULL, "uint64"},
    {"size_t", WIRE_SIZE, 1, 0, NULL, "size_t"},
    {"float", WIRE_F32, 0, 0, NULL, "float"},
    {"double", WIRE_F64, 0, 0, NULL, "double"},
    {"wchar_t", WIRE_RAW, 0, 0, NULL, "wchar_t"},
    {"bool", WIRE_U8, 0, 0, NULL, "bool"}, /* C99 bool (stdbool.h): one byte, 0 or 1 after decoding */
    /* Status types: Arca's, and the SDKs' names for theirs, which are Arca's in generated code
     * (the header typedefs the SDK name to arca_result_t). An enum of 32 bits on the ABI. */
    {"arca_result_t", WIRE_U32, 0, 0, NULL, "result"},
    {"sgx_status_t", WIRE_U32, 0, 0, "arca_result_t", "result"},
    {"oe_result_t", WIRE_U32, 0, 0, "arca_result_t", "result"},
};

const edl_builtin *edl_builtin_find(const char *canonical)
{
    for (size_t i = 0; i < sizeof builtins / sizeof builtins[0]; i++)
        if (strcmp(builtins[i].name, canonical) == 0)
            return &builtins[i];
    return NULL;
}

char *edl_type_str(edl_ctx *ctx, const edl_type *t)
{
    char stars[8] = "";
    int n = t->pointers < 7 ? t->pointers : 7;
    for (int i = 0; i < n; i++)
        stars[i] = '*';
    stars[n] = '\0';
    return edl_printf(ctx, "%s%s%s%s", t->is_const ? "const " : "", t->name, n ? " " : "", stars);
}

const char *edl_dim_str(edl_ctx *ctx, const edl_dim *d)
{
    return d->name ? d->name : edl_printf(ctx, "%llu", (unsigned long long)d->value);
}

char *edl_decl(edl_ctx *ctx, const edl_type *t, const char *name, const edl_dims *dims)
{
    char *s = edl_type_str(ctx, t);
    s = edl_printf(ctx, "%s%s%s", s, t->pointers ? "" : " ", name);
    for (size_t i = 0; dims && i < dims->count; i++)
        s = edl_printf(ctx, "%s[%s]", s, edl_dim_str(ctx, &dims->items[i]));
    return s;
}

int edl_is_reserved_word(const char *s)
{
    static const char *const words[] = {
        "auto", "break", "case", "char", "const", "continue", "default", "do", "double", "else",
        "enum", "extern", "float", "for", "goto", "if", "inline", "int", "long", "register",
        "restrict", "return", "short", "signed", "sizeof", "static", "struct", "switch",
        "typedef", "union", "unsigned", "void", "volatile", "while", "_Bool", "_Complex",
        "_Imaginary", "_Alignas", "_Alignof", "_Atomic", "_Generic", "_Noreturn",
        "_Static_assert", "_Thread_local", "true", "false", "NULL",
        /* EDL keywords */
        "enclave", "trusted", "untrusted", "public", "include", "import", "from",
    };
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (strcmp(words[i], s) == 0)
            return 1;
    return 0;
}
