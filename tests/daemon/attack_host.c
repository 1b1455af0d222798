/*
 * attack_host.c — a host program for the arcad attack tests (test_arcad_attack.c), driven by
 * commands on stdin, one per line, each answered by one line on stdout (flushed at once). An
 * ordinary libarca host on the process backend; the platform comes from the environment
 * (ARCA_PLATFORM=arcad, ARCA_ARCAD_SOCKET).
 *
 *   create             a new enclave of the image (argv[1]), the current one   -> ok SLOT
 *   call FN HEX|-      ecall FN of the current enclave with those bytes        -> ok HEX
 *   destroy            the current enclave                                     -> ok
 *   quit               destroy what is left, exit 0
 * Failures answer "error NAME detail" (arca_result_name, arca_last_error on one line).
 * Test-only. This program must never answer a command with more than one line.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arca/host.h"
#include "base/hex.h"
#include "host_lines.h"

static void call(const char *fn_text, const char *hex)
{
    size_t n = strcmp(hex, "-") ? strlen(hex) / 2 : 0, got = 0;
    uint8_t *in = calloc(1, n ? n : 1), *out = malloc(OUT_CAP);
    char *text = malloc(2 * OUT_CAP + 1);
    if (!in || !out || !text || (n && arca__hex_decode(hex, strlen(hex), in, n, &n) != ARCA_OK)) {
        say("error ERR_INVALID_ARGUMENT host: bad hex or out of memory");
    } else {
        arca_result_t r = arca_enclave_call(enclaves[live - 1], (uint32_t)strtoul(fn_text, NULL, 10),
                                            in, n, out, OUT_CAP, &got);
        if (r != ARCA_OK) {
            say_error(r);
        } else {
            arca__hex_encode(out, got, text);
            say("ok %s", got ? text : "-");
        }
    }
    free(in);
    free(out);
    free(text);
}

/* @return 1 for quit. */
static int command(char *line)
{
    char *argv[4] = {0};
    int argc = 0;
    for (char *save = NULL, *w = strtok_r(line, " \t\r\n", &save); w && argc < 4;
         w = strtok_r(NULL, " \t\r\n", &save))
        argv[argc++] = w;
    if (argc == 0) {
        say("error ERR_INVALID_ARGUMENT host: empty command");
    } else if (!strcmp(argv[0], "quit")) {
        return 1;
    } else if (!strcmp(argv[0], "create")) {
        arca_enclave_t *e = NULL;
        arca_result_t r = live < MAX_ENCLAVES ? create(&e) : ARCA_ERR_INVALID_ARGUMENT;
        if (r != ARCA_OK) {
            say_error(r);
        } else {
            enclaves[live++] = e;
            say("ok %d", live - 1);
        }
    } else if (!live) {
        say("error ERR_INVALID_ARGUMENT host: no enclave (create one first)");
    } else if (!strcmp(argv[0], "call") && argc == 3) {
        call(argv[1], argv[2]);
    } else if (!strcmp(argv[0], "destroy")) {
        arca_result_t r = arca_enclave_destroy(enclaves[--live]);
        if (r == ARCA_OK)
            say("ok");
        else
            say_error(r);
    } else {
        say("error ERR_INVALID_ARGUMENT host: unknown command or arguments: %s", argv[0]);
    }
    return 0;
}

int main(int argc, char **argv)
{
    return host_main(argc, argv, command);
}
