/*
 * hostcall.c — serving host calls (ocalls) on the host: Arca's reserved calls (log, the
 * enclave's stdout/stderr, host files: hostfiles.c) and then the application's host-call
 * table. Every backend funnels the enclave's host calls through arca__host_dispatch(), given
 * to it at launch. Keys and evidence never pass here: the loader gets them from the platform
 * over its own connection.
 *
 * The enclave is not trusted by the host either: this file must never read past in_len,
 * never write past out_cap, never print the enclave's bytes raw to a terminal (control
 * characters are escaped). It also records, per thread, which enclaves' host calls are running
 * and which call each serves, so that destroy can refuse to pull an enclave down from under its
 * own host call, and a call back into the enclave runs nested on the slot of that call.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/error.h"
#include "formats/host_files.h"
#include "handle.h"

/* Longest log text printed per line; the rest is cut and marked. */
#define LOG_TEXT_MAX 4096

static _Thread_local arca__host_frame *frames;
_Thread_local arca__call_frame *arca__calls __attribute__((tls_model("initial-exec")));

int arca__inside_host_call(const struct arca_enclave *enclave)
{
    for (const arca__host_frame *f = frames; f; f = f->outer)
        if (f->enclave == enclave)
            return 1;
    return 0;
}

const arca__host_frame *arca__host_frames(void)
{
    return frames;
}

/* ---- ARCA__HOSTCALL_LOG ---- */

static int log_threshold = 2; /* ARCA_LOG_INFO: debug lines only with ARCA_LOG_LEVEL=debug */
static pthread_once_t log_once = PTHREAD_ONCE_INIT;

static void log_threshold_from_env(void)
{
    static const char *const names[] = {"error", "warn", "info", "debug"};
    const char *v = getenv("ARCA_LOG_LEVEL");
    if (!v)
        return;
    for (int i = 0; i < 4; i++)
        if (!strcmp(v, names[i]) || (v[0] == '0' + i && v[1] == '\0'))
            log_threshold = i;
}

static arca_result_t serve_log(struct arca_enclave *enclave, const uint8_t *in, size_t in_len)
{
    static const char *const levels[] = {"ERROR", "WARN", "INFO", "DEBUG"};
    static const char hex[] = "0123456789abcdef";
    arca_result_t result = ARCA_OK;
    uint32_t level;
    size_t text_len, n = 0;
    char *line = NULL;
    if (in_len < 4)
        ARCA_RAISE(ARCA_ERR_BAD_FORMAT);
    level = (uint32_t)in[0] | (uint32_t)in[1] << 8 | (uint32_t)in[2] << 16 | (uint32_t)in[3] << 24;
    pthread_once(&log_once, log_threshold_from_env);
    if (level > 3)
        level = 3; /* unknown levels are treated as the least important */
    if ((int)level > log_threshold)
        goto done;
    text_len = in_len - 4 < LOG_TEXT_MAX ? in_len - 4 : LOG_TEXT_MAX;
    /* Control characters and non-ASCII bytes could drive a terminal: escape them. */
    line = malloc(4 * LOG_TEXT_MAX + sizeof " [truncated]");
    if (!line)
        ARCA_RAISE(ARCA_ERR_OUT_OF_MEMORY);
    for (size_t i = 0; i < text_len; i++) {
        uint8_t c = in[4 + i];
        if (c < 0x20 || c >= 0x7f || c == '\\') {
            line[n++] = '\\';
            line[n++] = 'x';
            line[n++] = hex[c >> 4];
            line[n++] = hex[c & 15];
        } else {
            line[n++] = (char)c;
        }
    }
    if (in_len - 4 > text_len) {
        memcpy(line + n, " [truncated]", 12);
        n += 12;
    }
    line[n] = '\0';
    if (enclave->log) {
        enclave->log(enclave->log_ctx, (int)level, line);
    } else {
        flockfile(stderr);
        fprintf(stderr, "[enclave %s] %s\n", levels[level], line);
        funlockfile(stderr);
    }
done:
    free(line);
    return result;
}

/* ---- ARCA__HOSTCALL_OUTPUT ---- */

/* The enclave's stdout/stderr (its printf, puts, fwrite(stdout)...; src/loader/libc_bind.c):
 * to the application's output function, else to this process's stdout/stderr: as written, or,
 * on a terminal, with control bytes escaped. */
static arca_result_t serve_output(struct arca_enclave *enclave, const uint8_t *in, size_t in_len)
{
    arca_result_t result = ARCA_OK;
    uint32_t stream;
    if (in_len < 4)
        ARCA_RAISE(ARCA_ERR_BAD_FORMAT);
    stream = (uint32_t)in[0] | (uint32_t)in[1] << 8 | (uint32_t)in[2] << 16 | (uint32_t)in[3] << 24;
    if (stream != 1 && stream != 2)
        ARCA_RAISE(ARCA_ERR_BAD_FORMAT);
    if (in_len == 4)
        goto done;
    if (enclave->output) {
        enclave->output(enclave->output_ctx, (int)stream, (const char *)in + 4, in_len - 4);
    } else {
        /* As written, unless it is a terminal: there the enclave (which the host does not
         * trust) could drive it with escape sequences, so control bytes other than newline and
         * tab, and the backslash, are escaped as \xNN. */
        FILE *to = stream == 1 ? stdout : stderr;
        int terminal = isatty(fileno(to));
        flockfile(to);
        if (!terminal)
            fwrite_unlocked(in + 4, 1, in_len - 4, to);
        for (size_t i = 4; terminal && i < in_len; i++) {
            uint8_t c = in[i];
            if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f || c == '\\')
                fprintf(to, "\\x%02x", c);
            else
                putc_unlocked(c, to);
        }
        fflush_unlocked(to);
        funlockfile(to);
    }
done:
    return result;
}

/* ---- the application's table ---- */

static int by_id(const void *a, const void *b)
{
    uint32_t x = ((const arca_host_call_t *)a)->id, y = ((const arca_host_call_t *)b)->id;
    return (x > y) - (x < y);
}

arca_result_t arca__host_calls_install(struct arca_enclave *enclave, const arca_host_call_t *calls,
                                       size_t count)
{
    arca_result_t result = ARCA_OK;
    arca_host_call_t *table = NULL;
    if (count == 0)
        goto done;
    table = calloc(count, sizeof *table);
    if (!table)
        ARCA_RAISE(ARCA_ERR_OUT_OF_MEMORY, "out of memory for the host-call table");
    memcpy(table, calls, count * sizeof *table);
    /* Sorted once here: dispatch is a binary search, and duplicates are neighbours. */
    qsort(table, count, sizeof *table, by_id);
    for (size_t i = 1; i < count; i++) {
        if (table[i].id != table[i - 1].id)
            continue;
        size_t first = 0, second = 0;
        while (calls[first].id != table[i].id)
            first++;
        second = first + 1;
        while (calls[second].id != table[i].id)
            second++;
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "host_calls[%zu] and [%zu] share id %u", first,
                   second, table[i].id);
    }
    enclave->host_calls = table;
    enclave->host_call_count = count;
    table = NULL;
done:
    free(table);
    return result;
}

/* ---- dispatch ---- */

arca_result_t arca__host_dispatch(void *ctx, uint32_t id, const uint8_t *in, size_t in_len,
                                  uint8_t *out, size_t out_cap, size_t *out_len)
{
    arca_result_t result = ARCA_OK;
    struct arca_enclave *enclave = ctx;
    size_t written = 0;
    arca_host_fn fn = NULL;
    if (!enclave || (in_len && !in) || (out_cap && !out))
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT);
    if (id == ARCA__HOSTCALL_LOG || id == ARCA__HOSTCALL_OUTPUT) {
        /* A frame as for any host call, so that destroy from the application's output or log
         * function is refused instead of waiting for the call that prints; marked, so that a
         * call into the enclave from there is refused too (its stdio is mid-operation). */
        arca__host_frame frame = {.enclave = enclave, .call = NULL, .reserved = 1,
                                  .outer = frames};
        frames = &frame;
        result = id == ARCA__HOSTCALL_LOG ? serve_log(enclave, in, in_len)
                                          : serve_output(enclave, in, in_len);
        frames = frame.outer;
    } else if (id >= ARCA__HOSTCALL_FILE_FIRST && id <= ARCA__HOSTCALL_FILE_LAST) {
        /* Host files: only for an enclave that opted in, of a host that exposes a directory
         * (hostfiles.c); the enclave's stdio may be mid-operation, as above. */
        if (!enclave->files || !enclave->files_serve)
            ARCA_RAISE(ARCA_ERR_UNSUPPORTED);
        arca__host_frame frame = {.enclave = enclave, .call = NULL, .reserved = 1,
                                  .outer = frames};
        frames = &frame;
        result = enclave->files_serve(enclave->files, id, in, in_len, out, out_cap, &written);
        frames = frame.outer;
    } else {
        const arca_host_call_t key = {.id = id};
        const arca_host_call_t *hc = enclave->host_call_count
                                         ? bsearch(&key, enclave->host_calls,
                                                   enclave->host_call_count,
                                                   sizeof *enclave->host_calls, by_id)
                                         : NULL;
        fn = hc ? hc->fn : NULL;
        if (!fn)
            ARCA_RAISE(ARCA_ERR_UNKNOWN_FUNCTION);
        /* The call this host call serves: this thread's innermost call into the enclave (a
         * host call runs on the thread of the call that made it). None for the hooks' host
         * calls, made during create and destroy. */
        const arca__call_frame *call = arca__calls;
        while (call && call->enclave != enclave)
            call = call->outer;
        arca__host_frame frame = {.enclave = enclave, .call = call, .outer = frames};
        frames = &frame;
        result = fn(enclave->host_ctx, in, in_len, out, out_cap, &written);
        frames = frame.outer;
        /* The application's function is held to the same contract as everything else: an
         * undefined code, or a success claiming more than out_cap, never reaches a backend
         * (which would copy out_len bytes) nor the enclave. */
        if (!arca_result_valid((int)result) || (result == ARCA_OK && written > out_cap))
            result = ARCA_ERR_BAD_HOST_REPLY;
    }
    /* A length travels only with success or "too small" (where it is the size needed). */
    if (result != ARCA_OK && result != ARCA_ERR_BUFFER_TOO_SMALL)
        written = 0;
done:
    if (out_len)
        *out_len = written;
    return result;
}
