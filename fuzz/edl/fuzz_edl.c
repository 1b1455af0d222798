/*
 * fuzz_edl.c — libFuzzer target for arca-edger's lexer (with its #ifdef preprocessor), parser
 * (with its error recovery), checker and generators: random text must either compile (and then
 * generate all four files) or fail with diagnostics, never crash, hang or leak. Imports are
 * disabled (no file access). OE_SGX is defined, so both branches of #ifdef/#ifndef OE_SGX run.
 */
#include <stddef.h>
#include <stdint.h>

#include "edger.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    edl_ctx ctx;
    edl_program prog;
    static const char *defines[] = {"OE_SGX"};
    edl_init(&ctx, NULL);
    ctx.no_files = 1;
    ctx.defines = defines;
    ctx.define_count = 1;
    if (edl_compile_text(&ctx, "fuzz.edl", (const char *)data, size, &prog) == ARCA_OK) {
        edl_out out = {0};
        edl_gen_header(&ctx, &prog, 1, &out);
        edl_gen_header(&ctx, &prog, 0, &out);
        edl_gen_trusted_c(&ctx, &prog, &out);
        edl_gen_untrusted_c(&ctx, &prog, &out);
        edl_out_free(&out);
    }
    edl_free(&ctx);
    return 0;
}
