/*
 * commands.h — the subcommands of the arca CLI. Each lives in its own cmd_*.c file and
 * returns the process exit status (see cli_exit codes below and docs/cli.md).
 */
#ifndef ARCA_TOOLS_COMMANDS_H
#define ARCA_TOOLS_COMMANDS_H

#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

#include "arca/result.h"

/* Exit codes, documented in docs/cli.md and `arca --help`. */
#define ARCA_EXIT_OK 0
#define ARCA_EXIT_FAILURE 1   /* the operation failed (verification failed, bad input, ...) */
#define ARCA_EXIT_USAGE 2     /* wrong command line */
#define ARCA_EXIT_IO 3        /* a file could not be read or written */

/* The largest enclave image the commands read. */
#define ARCA_CLI_IMAGE_MAX ((size_t)1 << 30)

/* Shared helpers (cli.c). */
void cli_print_hex(const uint8_t *bytes, size_t n);  /* lower-case hex on stdout */
void cli_print_json_string(const char *s);           /* a JSON string literal on stdout */
const char *cli_detail(arca_result_t r);             /* the recorded detail, else r's text */
int cli_exit_status(arca_result_t r);                /* ARCA_EXIT_IO for ARCA_ERR_IO, else FAILURE */
/* After getopt_long returned @p c (':' = missing value, else unknown option): say which option
 * was wrong on stderr, print @p usage there and return ARCA_EXIT_USAGE. */
int cli_option_error(const char *cmd, int c, char *const *argv, void (*usage)(FILE *));

int cmd_keygen(int argc, char **argv);
int cmd_sign(int argc, char **argv);
int cmd_measure(int argc, char **argv);
int cmd_inspect(int argc, char **argv);
int cmd_backends(int argc, char **argv);
int cmd_platform(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_config(int argc, char **argv);

#endif
