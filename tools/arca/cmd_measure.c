/* cmd_measure.c — placeholder until 'arca measure' is implemented. */
#include <stdio.h>

#include "commands.h"

int cmd_measure(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "arca measure: not implemented yet\n");
    return ARCA_EXIT_FAILURE;
}
