/* cmd_keygen.c — placeholder until 'arca keygen' is implemented. */
#include <stdio.h>

#include "commands.h"

int cmd_keygen(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "arca keygen: not implemented yet\n");
    return ARCA_EXIT_FAILURE;
}
