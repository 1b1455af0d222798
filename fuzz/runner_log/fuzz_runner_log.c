/*
 * fuzz_runner_log.c — libFuzzer target for the forwarder of arca-runner's stderr
 * (src/backends/process/runner_log.c), fed what a hostile enclave writes to its fd 2, in
 * pieces and at times the input chooses. Every text the forwarder writes must be one line:
 * "arca-runner[PID]: " then only printable ASCII, every backslash starting a \xNN escape, an
 * optional " [cut]", and one final newline (or the forwarder's own "arca-runner[PID] dropped N
 * lines"); at most ARCA__PROCESS_LOG_OUT bytes; at most
 * ARCA__PROCESS_LOG_LINE bytes of the runner's text once unescaped; and no line is written
 * that the input did not contain (lines forwarded + dropped = lines written by the "runner").
 * Input: repeated [u8 piece length][u8 milliseconds to advance][piece bytes].
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "backends/process/process_internal.h"

struct check {
    uint64_t forwarded, reported_dropped;
};

static int is_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

static void sink(void *ctx, const char *text, size_t len)
{
    struct check *c = ctx;
    static const char prefix[] = "arca-runner[4242]: ", dropped[] = "arca-runner[4242] dropped ";
    if (len == 0 || len > ARCA__PROCESS_LOG_OUT || text[len - 1] != '\n')
        abort();
    if (len > sizeof dropped && memcmp(text, dropped, sizeof dropped - 1) == 0) {
        c->reported_dropped += strtoull(text + sizeof dropped - 1, NULL, 10);
        return;
    }
    if (len < sizeof prefix || memcmp(text, prefix, sizeof prefix - 1) != 0)
        abort();
    const char *body = text + sizeof prefix - 1, *end = text + len - 1;
    size_t raw = 0;
    if ((size_t)(end - body) >= 6 && memcmp(end - 6, " [cut]", 6) == 0)
        end -= 6;
    for (const char *p = body; p < end; p++, raw++) {
        if (*p < 0x20 || *p >= 0x7f)
            abort(); /* a control or non-ASCII byte reached the host's stderr */
        if (*p == '\\') {
            if (end - p < 4 || p[1] != 'x' || !is_hex(p[2]) || !is_hex(p[3]))
                abort(); /* an ambiguous backslash */
            p += 3;
        }
    }
    if (raw > ARCA__PROCESS_LOG_LINE)
        abort();
    c->forwarded++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    process_log log;
    struct check c = {0, 0};
    int64_t now = 1000;
    uint64_t lines = 0;
    arca__runner_log_start(&log, 4242, sink, &c);
    while (size >= 2) {
        size_t piece = data[0];
        now += data[1];
        data += 2;
        size -= 2;
        if (piece > size)
            piece = size;
        for (size_t i = 0; i < piece; i++)
            lines += data[i] == '\n';
        arca__runner_log_take(&log, (const char *)data, piece, now);
        data += piece;
        size -= piece;
    }
    int partial = log.len || log.cut;
    arca__runner_log_end(&log, now);
    /* Every line of the input was forwarded or counted as dropped; nothing was invented. */
    if (c.forwarded + c.reported_dropped != lines + (uint64_t)partial)
        abort();
    return 0;
}
