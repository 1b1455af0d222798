/*
 * cmd_backends.c — `arca backends`: list every registered backend, whether it can run on
 * this machine (and if not, why and what to do), what it protects against and what not,
 * which one "auto" would pick, and which platform (dev, or arcad and whether it runs) holds
 * the keys. Read-only: probing must never change the system.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arca/host.h"
#include "arca/platform.h"
#include "commands.h"

static void usage(FILE *out)
{
    fprintf(out, "usage: arca backends [--json]\n\n"
                 "List the enclave backends, whether each can run here (and why not), and what\n"
                 "each protects against. ARCA_BACKEND or the host's options choose one; 'auto'\n"
                 "picks the first available isolating backend; sim only for debug images.\n\n"
                 "  --json   print a JSON array instead of text\n"
                 "  --help   this text\n");
}

static void json_string(const char *s)
{
    putchar('"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            printf("\\%c", *p);
        else if (*p < 0x20)
            printf("\\u%04x", *p);
        else
            putchar(*p);
    }
    putchar('"');
}

int cmd_backends(int argc, char **argv)
{
    int json = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--json")) {
            json = 1;
        } else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout);
            return ARCA_EXIT_OK;
        } else {
            fprintf(stderr, "arca backends: unknown option '%s'\n\n", argv[i]);
            usage(stderr);
            return ARCA_EXIT_USAGE;
        }
    }

    size_t n = arca_backend_count();
    /* What the host library's "auto" would choose, asked of the library itself. */
    const char *auto_pick = arca_backend_auto(0);
    const char *debug_pick = arca_backend_auto(1);
    if (json)
        printf("[");
    for (size_t i = 0; i < n; i++) {
        arca_backend_info_t info;
        if (arca_backend_info(i, &info) != ARCA_OK) {
            fprintf(stderr, "arca backends: %s\n", arca_last_error());
            return ARCA_EXIT_FAILURE;
        }
        if (json) {
            printf("%s\n  {\"name\": ", i ? "," : "");
            json_string(info.name);
            printf(", \"available\": %s, \"why\": ", info.available ? "true" : "false");
            json_string(info.why);
            printf(", \"protects\": ");
            json_string(info.protects);
            printf(", \"does_not_protect\": ");
            json_string(info.not_protects);
            printf("}");
        } else {
            printf("%-9s %s%s%s\n", info.name, info.available ? "available" : "unavailable",
                   info.why[0] ? ": " : "", info.why);
            printf("          protects:         %s\n", info.protects);
            printf("          does not protect: %s\n\n", info.not_protects);
        }
    }
    /* The platform: arcad (running or not) or dev. */
    const char *platform = arca_platform_default();
    char state[200] = "";
    if (!strcmp(platform, "arcad")) {
        arca_arcad_info_t ai;
        if (arca_arcad_info(NULL, &ai) == ARCA_OK) {
            snprintf(state, sizeof state, "running at %s; your enclaves %u of %u", ai.socket,
                     ai.enclaves, ai.enclave_quota);
            free(ai.root_pem);
        } else {
            snprintf(state, sizeof state, "not running: %s", arca_last_error());
        }
    } else {
        snprintf(state, sizeof state, "the host user's key directory (development only)");
    }
    if (json) {
        printf("\n]\n");
    } else {
        printf("platform: %s (%s)\n", platform, state);
    }
    if (json)
        ;
    else if (auto_pick)
        printf("auto selects: %s\n", auto_pick);
    else if (debug_pick)
        printf("auto selects: %s for debug images only; a production image needs an isolating "
               "backend, and none can run here\n", debug_pick);
    else
        printf("auto selects: nothing (no backend can run here)\n");
    return ARCA_EXIT_OK;
}
