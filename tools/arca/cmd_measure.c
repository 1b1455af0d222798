/*
 * cmd_measure.c — `arca measure`: print the measurement (SHA-256 over the loaded segments,
 * see docs/formats.md) of an enclave image, signed or not.
 *
 * It only reports; it must never present a measurement as trusted: the signature is not
 * checked here (that is `arca inspect`).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "base/error.h"
#include "formats/image.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: arca measure IMAGE.so\n"
            "\n"
            "Print the measurement of an enclave image as 64 hex digits: the SHA-256 over every\n"
            "loaded segment (placement, permissions, bytes incl. .arca.config) with .arca.sig\n"
            "zeroed. Works on unsigned images; it does not check the signature (use 'arca\n"
            "inspect' for that). A policy accepts an enclave by this value.\n"
            "\n"
            "  -h, --help   show this help\n"
            "\n"
            "Exit status: 0 success, 1 not a valid image, 2 usage error, 3 file cannot be read.\n");
}

int cmd_measure(int argc, char **argv)
{
    uint8_t *bytes = NULL, m[ARCA_HASH_SIZE];
    size_t size = 0;
    arca__image image;
    arca_result_t r;
    int status = ARCA_EXIT_FAILURE;

    if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        usage(stdout);
        return ARCA_EXIT_OK;
    }
    if (argc != 2 || argv[1][0] == '-') {
        fprintf(stderr, "arca measure: expected exactly one image file\n");
        usage(stderr);
        return ARCA_EXIT_USAGE;
    }
    arca__error_clear();
    r = arca__read_file(argv[1], ARCA_CLI_IMAGE_MAX, &bytes, &size);
    if (r == ARCA_OK)
        r = arca__image_parse(bytes, size, &image);
    if (r == ARCA_OK)
        r = arca__image_measure(&image, m);
    if (r != ARCA_OK) {
        fprintf(stderr, "arca measure: %s: %s\n", argv[1], cli_detail(r));
        status = cli_exit_status(r);
        goto done;
    }
    cli_print_hex(m, sizeof m);
    printf("\n");
    status = ARCA_EXIT_OK;
done:
    free(bytes);
    return status;
}
