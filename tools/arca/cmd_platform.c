/*
 * cmd_platform.c — `arca platform init|info`: create or describe the dev platform (the key
 * directory holding the root seal secret, the attestation key and the platform certificate),
 * or describe arcad, the platform daemon, as it answers over its socket (and save its root
 * certificate for verifiers to pin).
 *
 * Prints only public facts (paths, platform id, certificate fingerprint). It must never
 * print or copy a secret, and never repair or regenerate a damaged directory: that would
 * silently make every sealed blob unreadable, so it reports the damaged file instead.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arca/host.h"
#include "arca/platform.h"
#include "commands.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: arca platform init [--dir DIR]\n"
            "       arca platform info [--dir DIR]\n"
            "       arca platform info --arcad [--socket PATH] [--root-cert FILE]\n"
            "\n"
            "Without --dir or --arcad, info describes the platform a host would use here:\n"
            "arcad when ARCA_PLATFORM says so, or is unset and arcad's socket exists\n"
            "($ARCA_ARCAD_SOCKET, else /run/arca/arcad.sock); the dev platform otherwise.\n"
            "\n"
            "The dev platform holds Arca's root secrets in a key directory of the user:\n"
            "DIR, else $ARCA_PLATFORM_DIR, else $XDG_DATA_HOME/arca/platform, else\n"
            "~/.local/share/arca/platform. It is created on first use (mode 0700, files 0600)\n"
            "and used only while it and every file in it belong to you with no group or other\n"
            "access, and none of them is a symbolic link.\n"
            "\n"
            "  init   create the key directory if it does not exist yet\n"
            "  info   show the platform id, certificate fingerprint and paths\n"
            "\n"
            "  -d, --dir DIR          key directory (dev platform)\n"
            "  -a, --arcad            describe arcad, the platform daemon\n"
            "  -s, --socket PATH      arcad's socket (implies --arcad)\n"
            "  -r, --root-cert FILE   write arcad's root certificate (PEM) to FILE: pin it in\n"
            "                         a verifier's policy (TrustedArcadRoot)\n"
            "  -h, --help             show this help\n"
            "\n"
            "Pin the certificate it prints in a verifier's policy (TrustedPlatformCert) and set\n"
            "AllowDevPlatform = 1 there: a dev platform's trust rests on the host user.\n"
            "Back the directory up: losing it makes every sealed blob unreadable.\n"
            "arcad's trust rests on its own user: no AllowDevPlatform (docs/arcad.md).\n"
            "Exit status: 0 success, 1 failure (e.g. a damaged key directory, arcad not\n"
            "running), 2 usage error, 3 cannot write FILE.\n");
}

static void print_hex(const char *label, const uint8_t *b, size_t n)
{
    printf("%-22s ", label);
    cli_print_hex(b, n);
    printf("\n");
}

static int arcad_info(const char *socket, const char *root_out)
{
    arca_arcad_info_t info;
    arca_result_t r = arca_arcad_info(socket, &info);
    if (r != ARCA_OK) {
        fprintf(stderr, "arca platform info: %s: %s\n", arca_result_str(r), arca_last_error());
        return ARCA_EXIT_FAILURE;
    }
    printf("%-22s %s\n", "platform", "arcad");
    printf("%-22s running, at %s\n", "state", info.socket);
    print_hex("platform id", info.platform_id, sizeof info.platform_id);
    print_hex("root sha256", info.root_sha256, sizeof info.root_sha256);
    printf("%-22s %u\n", "your uid", info.uid);
    printf("%-22s %u of %u\n", "your live enclaves", info.enclaves, info.enclave_quota);
    printf("%-22s %u of %u\n", "your counters", info.counters, info.counter_quota);
    printf("%-22s %llu bytes\n", "largest image", (unsigned long long)info.max_image);
    if (root_out) {
        FILE *f = fopen(root_out, "w");
        if (!f || fputs(info.root_pem, f) < 0 || fclose(f) != 0) {
            fprintf(stderr, "arca platform info: cannot write %s\n", root_out);
            free(info.root_pem);
            return ARCA_EXIT_IO;
        }
        printf("%-22s %s (pin it: TrustedArcadRoot = %s)\n", "root certificate", root_out,
               root_out);
    }
    free(info.root_pem);
    return ARCA_EXIT_OK;
}

int cmd_platform(int argc, char **argv)
{
    static const struct option options[] = {
        {"dir", required_argument, NULL, 'd'},
        {"arcad", no_argument, NULL, 'a'},
        {"socket", required_argument, NULL, 's'},
        {"root-cert", required_argument, NULL, 'r'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *dir = NULL, *action, *socket = NULL, *root_out = NULL;
    int arcad = 0;
    arca_platform_info_t info;
    int c;

    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":d:as:r:h", options, NULL)) != -1) {
        switch (c) {
        case 'd': dir = optarg; break;
        case 'a': arcad = 1; break;
        case 's': socket = optarg; arcad = 1; break;
        case 'r': root_out = optarg; break;
        case 'h': usage(stdout); return ARCA_EXIT_OK;
        default:
            return cli_option_error("platform", c, argv, usage);
        }
    }
    if (optind != argc - 1) {
        usage(stderr);
        return ARCA_EXIT_USAGE;
    }
    action = argv[optind];
    if (strcmp(action, "init") != 0 && strcmp(action, "info") != 0) {
        fprintf(stderr, "arca platform: unknown action '%s' (init or info)\n", action);
        return ARCA_EXIT_USAGE;
    }
    if (dir && arcad) {
        fprintf(stderr, "arca platform: --dir is the dev platform's, --arcad/--socket arcad's: "
                        "give one\n");
        return ARCA_EXIT_USAGE;
    }
    if (!strcmp(action, "init") && arcad) {
        fprintf(stderr, "arca platform init: arcad creates its own state directory on first "
                        "start (arcad --state-dir DIR)\n");
        return ARCA_EXIT_USAGE;
    }
    if (root_out && !arcad && !(!dir && !strcmp(action, "info") &&
                                !strcmp(arca_platform_default(), "arcad"))) {
        fprintf(stderr, "arca platform: --root-cert is for arcad (add --arcad)\n");
        return ARCA_EXIT_USAGE;
    }
    if (!strcmp(action, "info") && (arcad || (!dir && !strcmp(arca_platform_default(), "arcad"))))
        return arcad_info(socket, root_out);
    arca_result_t r = arca_platform_info(dir, &info);
    if (r != ARCA_OK) {
        fprintf(stderr, "arca platform %s: %s: %s\n", action, arca_result_str(r), arca_last_error());
        return ARCA_EXIT_FAILURE;
    }
    if (!strcmp(action, "init")) {
        printf("%s dev platform in %s\n", info.created ? "created" : "already initialised:", info.dir);
        if (!info.created)
            return ARCA_EXIT_OK;
    } else if (info.created) {
        printf("(no platform existed; created one now)\n");
    }
    printf("%-22s %s\n", "platform", info.kind);
    print_hex("platform id", info.platform_id, sizeof info.platform_id);
    print_hex("certificate sha256", info.cert_sha256, sizeof info.cert_sha256);
    printf("%-22s %s\n", "certificate", info.cert_path);
    printf("%-22s %s\n", "key directory", info.dir);
    printf("dev platform: trust rests on the host user (verifiers need AllowDevPlatform = 1)\n");
    return ARCA_EXIT_OK;
}
