/*
 * cli.c — helpers the arca subcommands share: hex and JSON string output, the error text of a
 * failed call and its exit status. It writes only what the caller asks for, to stdout, and
 * must never print a secret (callers pass only public values).
 */
#include <stdio.h>

#include "commands.h"
#include "common/error.h"

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
