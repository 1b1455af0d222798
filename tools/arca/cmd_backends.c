/* cmd_backends.c — placeholder until 'arca backends' is implemented. */
#include <stdio.h>

#include "commands.h"

int cmd_backends(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "arca backends: not implemented yet\n");
    return ARCA_EXIT_FAILURE;
}
