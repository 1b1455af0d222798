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
    {"char", WIRE_U8, 1, 1},
    {"signed char", WIRE_U8, 1, 1},
    {"unsigned char", WIRE_U8, 1, 0},
    {"short", WIRE_U16, 1, 1},
    {"unsigned short", WIRE_U16, 1, 0},
    {"int", WIRE_U32, 1, 1},
    {"unsigned int", WIRE_U32, 1, 0},
    {"long", WIRE_U64, 1, 1},
    {"unsigned long", WIRE_U64, 1, 0},
    {"long long", WIRE_U64, 1, 1},
    {"unsigned long long", WIRE_U64, 1, 0},
    {"int8_t", WIRE_U8, 1, 1},
    {"uint8_t", WIRE_U8, 1, 0},
    {"int16_t", WIRE_U16, 1, 1},
    {"uint16_t", WIRE_U16, 1, 0},
    {"int32_t", WIRE_U32, 1, 1},
    {"uint32_t", WIRE_U32, 1, 0},
    {"int64_t", WIRE_U64, 1, 1},
    {"uint64_t", WIRE_U64, 1, 0},
    {"size_t", WIRE_SIZE, 1, 0},
    {"float", WIRE_F32, 0, 0},
    {"double", WIRE_F64, 0, 0},
    {"wchar_t", WIRE_RAW, 0, 0},
    {"bool", WIRE_U8, 0, 0}, /* C99 bool (stdbool.h): one byte, 0 or 1 after decoding */
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

char *edl_decl(edl_ctx *ctx, const edl_type *t, const char *name, const edl_dims *dims)
{
    char *s = edl_type_str(ctx, t);
    s = edl_printf(ctx, "%s%s%s", s, t->pointers ? "" : " ", name);
    for (size_t i = 0; dims && i < dims->count; i++)
        s = edl_printf(ctx, "%s[%llu]", s, (unsigned long long)dims->items[i]);
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
