/* cmd_sign.c — placeholder until 'arca sign' is implemented. */
#include <stdio.h>

#include "commands.h"

int cmd_sign(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "arca sign: not implemented yet\n");
    return ARCA_EXIT_FAILURE;
}
