/*
 * cli.c — helpers the arca subcommands share: hex and JSON string output, the error text of a
 * failed call and its exit status. It writes only what the caller asks for, to stdout, and
 * must never print a secret (callers pass only public values).
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "base/error.h"

void cli_print_hex(const uint8_t *bytes, size_t n)
{
    for (size_t i = 0; i < n; i++)
        printf("%02x", bytes[i]);
}

void cli_print_json_string(const char *s)
{
    putchar('"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            printf("\\%c", *p);
        else if (*p < 0x20 || *p == 0x7f)
            printf("\\u%04x", *p);
        else
            putchar(*p);
    }
    putchar('"');
}

const char *cli_detail(arca_result_t r)
{
    const char *detail = arca__error_detail();
    return detail[0] ? detail : arca_result_str(r);
}

int cli_exit_status(arca_result_t r)
{
    return r == ARCA_ERR_IO ? ARCA_EXIT_IO : ARCA_EXIT_FAILURE;
}

int cli_option_error(const char *cmd, int c, char *const *argv, void (*usage)(FILE *))
{
    /* A bad short option is named by optopt: inside a group ("-xj") optind has not moved on and
     * argv[optind - 1] is still the previous argument. A missing value, an unknown long option
     * (optopt 0) or a long option given a value it does not take ("--json=x") has been consumed
     * whole, so argv[optind - 1] is the token to show. */
    const char *tok = argv[optind - 1];
    char short_opt[3] = {'-', (char)optopt, '\0'};
    int is_long_with_value = strncmp(tok, "--", 2) == 0 && strchr(tok, '=') != NULL;
    const char *opt = c != ':' && optopt > 0 && optopt < 0x80 && !is_long_with_value ? short_opt : tok;
    if (c == ':')
        fprintf(stderr, "arca %s: option '%s' needs a value\n", cmd, opt);
    else
        fprintf(stderr, "arca %s: unknown option '%s'\n", cmd, opt);
    usage(stderr);
    return ARCA_EXIT_USAGE;
}
