/* cmd_verify.c — placeholder until 'arca verify' is implemented. */
#include <stdio.h>

#include "commands.h"

int cmd_verify(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "arca verify: not implemented yet\n");
    return ARCA_EXIT_FAILURE;
}
