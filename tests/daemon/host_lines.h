/*
 * host_lines.h — what the arcad tests' host programs (daemon_host.c, attack_host.c) share:
 * the enclaves they hold (a stack, the top one current), one-line answers on stdout flushed at
 * once ("ok ..." or "error NAME detail"), enclaves created on the process backend, and the
 * loop that reads commands from stdin, one per line, and destroys what is left at the end.
 * Included once by each host (static inline, after _GNU_SOURCE). Test-only.
 * It must never write an answer of more than one line (say_error folds the detail onto one).
 */
#ifndef ARCA_TESTS_DAEMON_HOST_LINES_H
#define ARCA_TESTS_DAEMON_HOST_LINES_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arca/host.h"

#define MAX_ENCLAVES 16
#define OUT_CAP (64u * 1024u)

static const char *image; /* argv[1] */
static arca_enclave_t *enclaves[MAX_ENCLAVES];
static int live;

static inline void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline void say(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
    fflush(stdout);
}

/* "error NAME detail", the detail on one line. */
static inline void say_error(arca_result_t r)
{
    char detail[1024];
    snprintf(detail, sizeof detail, "%s", arca_last_error());
    for (char *p = detail; *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
    say("error %s %s", arca_result_name(r), detail);
}

/* A new enclave of the image on the process backend. */
static inline arca_result_t create(arca_enclave_t **out)
{
    arca_enclave_options_t opts;
    arca_enclave_options_init(&opts);
    opts.backend = "process";
    return arca_enclave_create(image, &opts, out);
}

/* argv: PROGRAM IMAGE. Each line of stdin to @p command (which returns 1 for quit); then the
 * enclaves left are destroyed. @return the exit code. */
static inline int host_main(int argc, char **argv, int (*command)(char *line))
{
    char *line = NULL;
    size_t cap = 0;
    if (argc != 2) {
        fprintf(stderr, "usage: %s IMAGE (commands on stdin)\n", argv[0]);
        return 2;
    }
    image = argv[1];
    while (getline(&line, &cap, stdin) > 0)
        if (command(line))
            break;
    free(line);
    while (live)
        (void)arca_enclave_destroy(enclaves[--live]);
    return 0;
}

#endif /* ARCA_TESTS_DAEMON_HOST_LINES_H */
