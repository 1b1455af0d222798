/* cmd_platform.c — placeholder until 'arca platform' is implemented. */
#include <stdio.h>

#include "commands.h"

int cmd_platform(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "arca platform: not implemented yet\n");
    return ARCA_EXIT_FAILURE;
}
