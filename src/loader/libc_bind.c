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
 *   - `getenv`, `setenv`, `environ`...: the enclave's own environment, signed into the image
 *     (Env.NAME lines; never the host's): libc_env.c, consulted first.
 *   - files the host exposes to an enclave that opted in (HostFiles): `fopen`, `open`, `read`,
 *     `write`, `close`... on host-file descriptors: libc_files.c, consulted first.
 *   - `abort` and a failed `assert` (`__assert_fail`) end the enclave with a named cause: the
 *     backend's end function says why (arca-runner: a line libarca turns into the lost reason).
 *   - facts about the machine the C library would ask the kernel or files for — `sysconf`,
 *     `get_nprocs`, `uname`, `getrlimit` — answered from what the loader read once at load time
 *     (before any sandbox); time zone and locale are UTC and "C" (`localtime` is `gmtime`,
 *     `mktime` is `timegm`, `tzset` does nothing, `setlocale` accepts "C"/"POSIX"/"" only).
 *   - functions that need the OS and that enclaves cannot have (opening files, sockets,
 *     processes, dlopen...) fail with ENOSYS and say so once on the enclave's stderr, instead of
 *     ending the enclave with a forbidden system call; exit() ends the enclave with a named
 *     cause like abort().
 *   - threads (pthread_create within EnclaveThreads) and what C++ images need (unwinding
 *     tables, libstdc++'s own writes to stdout): libc_threads.c and libc_cxx.c, consulted first.
 * Which image is calling: the thread's current image (set by sim around every entry), else the
 * one image of the process (arca-runner). Output with neither is dropped.
 *
 * This file must never hand a stream's bytes to anything but the image's own output function,
 * never let one image write to another's streams, and never return from an end function.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <locale.h>
#include <netdb.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "base/error.h"
#include "loader_internal.h"

static _Thread_local arca__loaded_image *current;
static arca__loaded_image *only; /* the one image loaded in this process, or NULL (sim: several) */
static int loaded_count;          /* images with streams open; guarded by count_lock */
static pthread_mutex_t count_lock = PTHREAD_MUTEX_INITIALIZER;
static void read_facts(void);    /* below: what sysconf, uname, getrlimit answer */
static pthread_once_t facts_once;
static void unavailable(const char *name, int *said); /* below: ENOSYS, said once */

static arca__loaded_image *caller(void)
{
    arca__loaded_image *image = current;
    return image ? image : __atomic_load_n(&only, __ATOMIC_ACQUIRE);
}

arca__loaded_image *arca__loader_caller(void)
{
    return caller();
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

arca_result_t arca__output_as_host_calls(arca__host_call_fn call, void *ctx, int stream,
                                         const char *bytes, size_t len)
{
    uint8_t piece[4 + 4096];
    size_t ignored = 0;
    piece[0] = (uint8_t)stream;
    piece[1] = piece[2] = piece[3] = 0;
    while (len) {
        size_t n = len < sizeof piece - 4 ? len : sizeof piece - 4;
        memcpy(piece + 4, bytes, n);
        arca_result_t r = call(ctx, ARCA__HOSTCALL_OUTPUT, piece, 4 + n, NULL, 0, &ignored);
        if (r != ARCA_OK)
            return r;
        bytes += n;
        len -= n;
    }
    return ARCA_OK;
}

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
    pthread_once(&facts_once, read_facts); /* before any sandbox: the loader runs before it */
    image->streams[0] = open_stream(image, 1);
    image->streams[1] = open_stream(image, 2);
    if (!image->streams[0] || !image->streams[1])
        ARCA_RAISE(ARCA_ERR_OUT_OF_MEMORY, "loader: cannot create the image's stdout and stderr");
    /* Code of an image outside any entry (a thread it made, a thread-exit destructor) can be
     * told apart only when the process holds one image: with several, its output is dropped
     * rather than sent through another enclave's. */
    pthread_mutex_lock(&count_lock);
    image->counted = 1;
    __atomic_store_n(&only, ++loaded_count == 1 ? image : NULL, __ATOMIC_RELEASE);
    pthread_mutex_unlock(&count_lock);
done:
    return result;
}

void arca__loader_streams_close(arca__loaded_image *image)
{
    if (image->counted) {
        pthread_mutex_lock(&count_lock);
        loaded_count--;
        __atomic_store_n(&only, NULL, __ATOMIC_RELEASE); /* the survivor is not known here */
        pthread_mutex_unlock(&count_lock);
        image->counted = 0;
    }
    for (int i = 0; i < 2; i++) {
        if (image->streams[i])
            fclose(image->streams[i]); /* flushes what is left */
        image->streams[i] = NULL;
    }
    arca__loader_files_free(image); /* the host closes what is left open, at destroy */
    arca__loader_env_free(image);
}

static FILE *image_stdout(void)
{
    arca__loaded_image *image = caller();
    return image ? image->streams[0] : NULL;
}

/* ---- the bound functions ---- */

static int __attribute__((format(printf, 1, 0))) bound_vprintf(const char *format, va_list ap)
{
    FILE *out = image_stdout();
    return out ? vfprintf(out, format, ap) : -1;
}

static int __attribute__((format(printf, 1, 2))) bound_printf(const char *format, ...)
{
    va_list ap;
    va_start(ap, format);
    int n = bound_vprintf(format, ap);
    va_end(ap);
    return n;
}

static int __attribute__((format(printf, 2, 3))) bound_printf_chk(int flag, const char *format, ...)
{
    (void)flag;
    va_list ap;
    va_start(ap, format);
    int n = bound_vprintf(format, ap);
    va_end(ap);
    return n;
}

static int __attribute__((format(printf, 2, 0)))
bound_vprintf_chk(int flag, const char *format, va_list ap)
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

/* End the enclave: flush its streams, then the backend's end function says why. */
void arca__loader_end_enclave(const char *cause)
{
    arca__loaded_image *image = caller();
    if (image) {
        /* What is buffered goes out first, unless another thread holds the stream (it may be
         * waiting in a host call): never wait here. */
        for (int i = 0; i < 2; i++) {
            if (image->streams[i] && ftrylockfile(image->streams[i]) == 0) {
                fflush_unlocked(image->streams[i]);
                funlockfile(image->streams[i]);
            }
        }
        if (image->end)
            image->end(image->output_ctx, cause);
    }
    abort(); /* no end function (or it returned): the C library's */
}

static void __attribute__((noreturn)) bound_abort(void)
{
    arca__loader_end_enclave("the enclave called abort()");
}

/* exit() would end the host process on sim and the runner on process: an enclave ends only as
 * a whole, with a cause, like abort(). */
static void __attribute__((noreturn)) bound_exit(int status)
{
    char cause[64];
    snprintf(cause, sizeof cause, "the enclave called exit(%d)", status);
    arca__loader_end_enclave(cause);
}

static void __attribute__((noreturn)) bound_assert_fail(const char *assertion, const char *file,
                                                         unsigned int line, const char *function)
{
    char cause[256];
    snprintf(cause, sizeof cause, "assertion failed in the enclave: %s (%s:%u, %s)",
             assertion ? assertion : "?", file ? file : "?", line, function ? function : "?");
    arca__loader_end_enclave(cause);
}

/* ---- facts read once, before any sandbox ---- */

#define SYSCONF_NAMES 256
static struct {
    long sysconf[SYSCONF_NAMES];
    int sysconf_errno[SYSCONF_NAMES]; /* errno sysconf left for that name (0: none) */
    int nprocs, nprocs_conf;
    struct utsname uts;
    int uts_ok;
    struct rlimit limits[RLIM_NLIMITS];
    int limits_ok[RLIM_NLIMITS];
} facts;
static pthread_once_t facts_once = PTHREAD_ONCE_INIT;

static void read_facts(void)
{
    for (int name = 0; name < SYSCONF_NAMES; name++) {
        errno = 0;
        facts.sysconf[name] = sysconf(name);
        facts.sysconf_errno[name] = facts.sysconf[name] == -1 ? errno : 0;
    }
    facts.nprocs = get_nprocs();
    facts.nprocs_conf = get_nprocs_conf();
    facts.uts_ok = uname(&facts.uts) == 0;
    for (int r = 0; r < RLIM_NLIMITS; r++)
        facts.limits_ok[r] = getrlimit((__rlimit_resource_t)r, &facts.limits[r]) == 0;
    /* The C library reads its time zone file on the first use of any time conversion (gmtime
     * too): read it now, while files may still be opened. The image sees UTC regardless. */
    tzset();
}

static long bound_sysconf(int name)
{
    if (name < 0 || name >= SYSCONF_NAMES) {
        errno = EINVAL;
        return -1;
    }
    if (facts.sysconf_errno[name])
        errno = facts.sysconf_errno[name];
    return facts.sysconf[name];
}

static int bound_get_nprocs(void) { return facts.nprocs; }
static int bound_get_nprocs_conf(void) { return facts.nprocs_conf; }

static int bound_uname(struct utsname *out)
{
    if (!out || !facts.uts_ok) {
        errno = out ? ENOSYS : EFAULT;
        return -1;
    }
    *out = facts.uts;
    return 0;
}

static int bound_getrlimit(int resource, struct rlimit *out)
{
    if (!out || resource < 0 || resource >= RLIM_NLIMITS || !facts.limits_ok[resource]) {
        errno = out ? EINVAL : EFAULT;
        return -1;
    }
    *out = facts.limits[resource];
    return 0;
}

/* ---- time zone and locale: UTC and "C" ---- */

static struct tm *bound_localtime(const time_t *t) { return gmtime(t); }
static struct tm *bound_localtime_r(const time_t *t, struct tm *out) { return gmtime_r(t, out); }
static time_t bound_mktime(struct tm *tm) { return timegm(tm); }
static void bound_tzset(void) {}

static char *bound_setlocale(int category, const char *locale)
{
    if (!locale)
        return setlocale(category, NULL);
    if (!locale[0] || !strcmp(locale, "C") || !strcmp(locale, "POSIX"))
        return setlocale(category, "C");
    return NULL; /* no locale files in an enclave */
}

/* ---- functions that need the OS: ENOSYS, said once ---- */

static void unavailable(const char *name, int *said)
{
    arca__loaded_image *image = caller();
    if (!__atomic_exchange_n(said, 1, __ATOMIC_RELAXED) && image && image->streams[1])
        fprintf(image->streams[1], "arca: the enclave called %s(), which enclaves cannot use "
                                   "(it fails with ENOSYS)\n", name);
    errno = ENOSYS;
}

#define ARCA__ENOSYS_INT(fn)                                                                   \
    static int enosys_##fn(void)                                                               \
    {                                                                                          \
        static int said;                                                                       \
        unavailable(#fn, &said);                                                               \
        return -1;                                                                             \
    }
#define ARCA__ENOSYS_PTR(fn)                                                                   \
    static void *enosys_##fn(void)                                                             \
    {                                                                                          \
        static int said;                                                                       \
        unavailable(#fn, &said);                                                               \
        return NULL;                                                                           \
    }
/* Called through the image's own prototypes (int f(...) / T *f(...)); the extra arguments are
 * ignored, which the x86-64 calling convention makes harmless. */
#define ARCA__UNAVAILABLE_INT(X)                                                               \
    X(socket) X(socketpair) X(connect)                                                         \
    X(bind) X(listen) X(accept) X(accept4) X(fork) X(vfork) X(execve) X(execv) X(execvp)       \
    X(execl) X(execlp) X(system) X(kill) X(getaddrinfo) X(remove) X(unlink) X(unlinkat)    \
    X(rename) X(renameat) X(mkdir) X(rmdir)
#define ARCA__UNAVAILABLE_PTR(X)                                                               \
    X(freopen) X(opendir) X(popen) X(dlopen) X(gethostbyname)
ARCA__UNAVAILABLE_INT(ARCA__ENOSYS_INT)
ARCA__UNAVAILABLE_PTR(ARCA__ENOSYS_PTR)

static int bound_getaddrinfo(void)
{
    static int said;
    unavailable("getaddrinfo", &said);
    return EAI_SYSTEM;
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
        {"abort", (void *)bound_abort},
        {"__assert_fail", (void *)bound_assert_fail},
        {"sysconf", (void *)bound_sysconf},
        {"__sysconf", (void *)bound_sysconf},
        {"get_nprocs", (void *)bound_get_nprocs},
        {"get_nprocs_conf", (void *)bound_get_nprocs_conf},
        {"uname", (void *)bound_uname},
        {"getrlimit", (void *)bound_getrlimit},
        {"getrlimit64", (void *)bound_getrlimit},
        {"localtime", (void *)bound_localtime},
        {"localtime_r", (void *)bound_localtime_r},
        {"mktime", (void *)bound_mktime},
        {"tzset", (void *)bound_tzset},
        {"setlocale", (void *)bound_setlocale},
        {"getaddrinfo", (void *)bound_getaddrinfo},
        {"exit", (void *)bound_exit},
        {"_exit", (void *)bound_exit},
        {"_Exit", (void *)bound_exit},
        {"quick_exit", (void *)bound_exit},
#define ARCA__ENTRY(fn) {#fn, (void *)enosys_##fn},
        ARCA__UNAVAILABLE_INT(ARCA__ENTRY) ARCA__UNAVAILABLE_PTR(ARCA__ENTRY)
#undef ARCA__ENTRY
    };
    if (arca__loader_env_binding(image, name, value) ||
        arca__loader_files_binding(image, name, value))
        return 1;
    if (arca__loader_threads_binding(name, value) || arca__loader_cxx_binding(name, value))
        return 1;
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
