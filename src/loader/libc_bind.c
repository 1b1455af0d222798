/*
 * libc_bind.c — the C library behaviour every backend gives an image (issue 13, item 1, first
 * part): the loader binds some of the image's C library imports to Arca's implementations
 * instead of the C library's, so that code behaves the same on `sim` (in the host process) and
 * on `process` (in a sandbox where the C library's way would be a forbidden system call):
 *   - `stdout` and `stderr` are the image's own streams (fopencookie), whose bytes go to the host
 *     through the backend's output function (a host call: the host application's output sink,
 *     by default its own stdout/stderr); `printf`, `vprintf`, `puts`, `putchar` and their
 *     _FORTIFY_SOURCE variants write to them. Everything else of stdio (fprintf, fputs, fwrite,
 *     fflush...) works on them unchanged, being the C library's own code on a FILE.
 *   - `getenv`/`secure_getenv`: an enclave has no environment (never the host's): NULL.
 *   - `abort` and a failed `assert` (`__assert_fail`) end the enclave with a named cause: the
 *     backend's end function says why (arca-runner: a line libarca turns into the lost reason).
 * Which image is calling: the thread's current image (set by sim around every entry), else the
 * one image of the process (arca-runner). Output with neither is dropped.
 *
 * This file must never hand a stream's bytes to anything but the image's own output function,
 * never let one image write to another's streams, and never return from an end function.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "loader_internal.h"

static _Thread_local arca__loaded_image *current;
static arca__loaded_image *only; /* the most recently loaded image (arca-runner has one) */

static arca__loaded_image *caller(void)
{
    arca__loaded_image *image = current;
    return image ? image : __atomic_load_n(&only, __ATOMIC_ACQUIRE);
}

arca__loaded_image *arca__runtime_enter(arca__loaded_image *image)
{
    arca__loaded_image *outer = current;
    current = image;
    return outer;
}

void arca__runtime_leave(arca__loaded_image *outer)
{
    current = outer;
}

void arca__runtime_set_output(arca__loaded_image *image, arca__output_fn output,
                              arca__end_fn end, void *ctx)
{
    image->output = output;
    image->end = end;
    image->output_ctx = ctx;
}

/* ---- the image's streams ---- */

typedef struct stream_cookie {
    arca__loaded_image *image;
    int stream; /* 1 stdout, 2 stderr */
} stream_cookie;

static ssize_t stream_write(void *cookie, const char *bytes, size_t len)
{
    stream_cookie *c = cookie;
    if (c->image->output && len)
        c->image->output(c->image->output_ctx, c->stream, bytes, len);
    return (ssize_t)len; /* output the host cannot take is dropped, never retried forever */
}

static int stream_close(void *cookie)
{
    free(cookie);
    return 0;
}

static FILE *open_stream(arca__loaded_image *image, int stream)
{
    stream_cookie *c = calloc(1, sizeof *c);
    cookie_io_functions_t io = {.read = NULL, .write = stream_write, .seek = NULL,
                                .close = stream_close};
    FILE *f;
    if (!c)
        return NULL;
    c->image = image;
    c->stream = stream;
    f = fopencookie(c, "w", io);
    if (!f) {
        free(c);
        return NULL;
    }
    /* stdout line-buffered, stderr unbuffered, as a C program expects on a terminal */
    setvbuf(f, NULL, stream == 1 ? _IOLBF : _IONBF, 0);
    return f;
}

arca_result_t arca__loader_streams_open(arca__loaded_image *image)
{
    arca_result_t result = ARCA_OK;
    image->streams[0] = open_stream(image, 1);
    image->streams[1] = open_stream(image, 2);
    if (!image->streams[0] || !image->streams[1])
        ARCA_RAISE(ARCA_ERR_OUT_OF_MEMORY, "loader: cannot create the image's stdout and stderr");
    __atomic_store_n(&only, image, __ATOMIC_RELEASE);
done:
    return result;
}

void arca__loader_streams_close(arca__loaded_image *image)
{
    arca__loaded_image *expected = image;
    __atomic_compare_exchange_n(&only, &expected, NULL, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
    for (int i = 0; i < 2; i++) {
        if (image->streams[i])
            fclose(image->streams[i]); /* flushes what is left */
        image->streams[i] = NULL;
    }
}

static FILE *image_stdout(void)
{
    arca__loaded_image *image = caller();
    return image ? image->streams[0] : NULL;
}

/* ---- the bound functions ---- */

static int bound_vprintf(const char *format, va_list ap)
{
    FILE *out = image_stdout();
    return out ? vfprintf(out, format, ap) : -1;
}

static int bound_printf(const char *format, ...)
{
    va_list ap;
    va_start(ap, format);
    int n = bound_vprintf(format, ap);
    va_end(ap);
    return n;
}

static int bound_printf_chk(int flag, const char *format, ...)
{
    (void)flag;
    va_list ap;
    va_start(ap, format);
    int n = bound_vprintf(format, ap);
    va_end(ap);
    return n;
}

static int bound_vprintf_chk(int flag, const char *format, va_list ap)
{
    (void)flag;
    return bound_vprintf(format, ap);
}

static int bound_puts(const char *s)
{
    FILE *out = image_stdout();
    if (!out || fputs(s, out) == EOF || fputc('\n', out) == EOF)
        return EOF;
    return 1;
}

static int bound_putchar(int c)
{
    FILE *out = image_stdout();
    return out ? fputc(c, out) : EOF;
}

static char *bound_getenv(const char *name)
{
    (void)name;
    return NULL; /* an enclave has no environment; never the host's */
}

/* End the enclave: flush its streams, then the backend's end function says why. */
static void __attribute__((noreturn)) end_enclave(const char *cause)
{
    arca__loaded_image *image = caller();
    if (image) {
        for (int i = 0; i < 2; i++)
            if (image->streams[i])
                fflush(image->streams[i]);
        if (image->end)
            image->end(image->output_ctx, cause);
    }
    abort(); /* no end function (or it returned): the C library's */
}

static void __attribute__((noreturn)) bound_abort(void)
{
    end_enclave("the enclave called abort()");
}

static void __attribute__((noreturn)) bound_assert_fail(const char *assertion, const char *file,
                                                         unsigned int line, const char *function)
{
    char cause[256];
    snprintf(cause, sizeof cause, "assertion failed in the enclave: %s (%s:%u, %s)",
             assertion ? assertion : "?", file ? file : "?", line, function ? function : "?");
    end_enclave(cause);
}

/* The imports bound here, by name. Data imports (stdout, stderr) get the address of the
 * image's own FILE * variable. */
int arca__loader_libc_binding(arca__loaded_image *image, const char *name, uint64_t *value)
{
    static const struct {
        const char *name;
        void *fn;
    } functions[] = {
        {"printf", (void *)bound_printf},
        {"vprintf", (void *)bound_vprintf},
        {"__printf_chk", (void *)bound_printf_chk},
        {"__vprintf_chk", (void *)bound_vprintf_chk},
        {"puts", (void *)bound_puts},
        {"putchar", (void *)bound_putchar},
        {"getenv", (void *)bound_getenv},
        {"secure_getenv", (void *)bound_getenv},
        {"abort", (void *)bound_abort},
        {"__assert_fail", (void *)bound_assert_fail},
    };
    if (!strcmp(name, "stdout") || !strcmp(name, "stderr")) {
        *value = (uint64_t)(uintptr_t)&image->streams[name[3] == 'o' ? 0 : 1];
        return 1;
    }
    for (size_t i = 0; i < sizeof functions / sizeof functions[0]; i++) {
        if (!strcmp(name, functions[i].name)) {
            *value = (uint64_t)(uintptr_t)functions[i].fn;
            return 1;
        }
    }
    return 0;
}
