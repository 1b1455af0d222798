/* cmd_inspect.c — placeholder until 'arca inspect' is implemented. */
#include <stdio.h>

#include "commands.h"

int cmd_inspect(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "arca inspect: not implemented yet\n");
    return ARCA_EXIT_FAILURE;
}
