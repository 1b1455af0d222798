/*
 * main.c — the arca command-line tool: dispatches to one subcommand per file (cmd_*.c).
 * Global help lists every command and the exit codes; each command has its own --help.
 */
#include <stdio.h>
#include <string.h>

#include "commands.h"

static const struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} commands[] = {
    {"keygen", cmd_keygen, "generate an ECDSA P-256 signing key"},
    {"sign", cmd_sign, "configure and sign an enclave image"},
    {"measure", cmd_measure, "print the measurement of an enclave image"},
    {"inspect", cmd_inspect, "show the identity and configuration of a signed image"},
    {"backends", cmd_backends, "list backends, whether they run here, what they protect"},
    {"platform", cmd_platform, "initialise or describe the dev platform (init, info)"},
    {"verify", cmd_verify, "verify attestation evidence against a policy"},
    {"config", cmd_config, "import an SGX or Open Enclave configuration (import)"},
};

static void usage(FILE *out)
{
    fprintf(out, "usage: arca <command> [options]\n\nCommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\nRun 'arca <command> --help' for a command's options.\n"
                 "\nExit status: 0 success, 1 operation failed, 2 usage error, 3 file I/O error.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return ARCA_EXIT_USAGE;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return ARCA_EXIT_OK;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("arca 0.1.0\n");
        return ARCA_EXIT_OK;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(argv[1], commands[i].name))
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "arca: unknown command '%s'\n\n", argv[1]);
    usage(stderr);
    return ARCA_EXIT_USAGE;
}
