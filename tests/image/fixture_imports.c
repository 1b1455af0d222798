/*
 * fixture_imports.c — pieces linked into copies of the image fixture to make images that a
 * loader must not run, each the way a real build makes them (tests/image/CMakeLists.txt):
 * a call into a shared library of the build (DT_NEEDED libevil.so), code in a section that is
 * writable and executable (a W+X segment), and, for -DFIXTURE_TEXTREL, non-PIC code (text
 * relocations). The evil library itself is built from this file with -DFIXTURE_EVIL_LIBRARY,
 * and -DFIXTURE_RUNTIME_IMPORTS makes an ordinary image that imports from libm and libc.
 */
#if defined(FIXTURE_RUNTIME_IMPORTS)
/* An ordinary image's imports, all from the runtime: libm and the C library. */
#include <math.h>
#include <stdlib.h>
__attribute__((visibility("default"))) double fixture_runtime_imports(const char *s)
{
    return cbrt((double)strtol(s, NULL, 10));
}
#elif defined(FIXTURE_EVIL_LIBRARY)
__attribute__((visibility("default"))) int evil_function(int x)
{
    return x * 3 + 1; /* stands for code that would run in the enclave unmeasured */
}
#elif defined(FIXTURE_NEEDS_EVIL)
int evil_function(int x);
__attribute__((visibility("default"))) int fixture_uses_evil(int x)
{
    return evil_function(x);
}
#elif defined(FIXTURE_WX)
/* Hand-written assembly with the wrong section flags: "awx" puts it in a segment that is
 * writable and executable. */
__asm__(".section .wxtext,\"awx\",@progbits\n"
        ".globl fixture_wx_code\n"
        "fixture_wx_code:\n"
        "  ret\n"
        ".previous\n");
#elif defined(FIXTURE_TEXTREL)
/* Compiled without -fPIC (and -mcmodel=large, so the address is a 64-bit absolute
 * relocation): the reference to counter must be patched in .text at load time. */
extern int counter;
__attribute__((visibility("default"))) int fixture_textrel(void)
{
    return counter;
}
#else
#error \
    "define one of FIXTURE_RUNTIME_IMPORTS, FIXTURE_EVIL_LIBRARY, FIXTURE_NEEDS_EVIL, FIXTURE_WX, FIXTURE_TEXTREL"
#endif
