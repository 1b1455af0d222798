/*
 * cmd_inspect.c — `arca inspect`: verify an enclave image and show its identity,
 * configuration and the runtime libraries it imports, as text or JSON (--json).
 *
 * Everything shown comes from a fully verified image (measurement recomputed, signature
 * checked); this command must never print identity fields for an image that failed
 * verification, only the reason it failed.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "base/error.h"
#include "formats/image.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: arca inspect [--json] IMAGE.so\n"
            "\n"
            "Verify a signed enclave image (recompute the measurement, check the signature and\n"
            "the configuration) and show its measurement, signer id, product id, security\n"
            "version, debug and switchless flags, heap and stack sizes, thread count, the\n"
            "shared libraries it imports (DT_NEEDED; verification allows only the C library,\n"
            "libm, libcrypto and the dynamic linker, which are part of the runtime), whether\n"
            "it may use host files (HostFiles) and its signed environment (Env.NAME).\n"
            "\n"
            "  -j, --json   print one JSON object instead of text\n"
            "  -h, --help   show this help\n"
            "\n"
            "Exit status: 0 valid, 1 verification failed (the reason is printed; with --json\n"
            "also as {\"signature\": \"invalid\", \"result\": ..., \"error\": ...}), 2 usage error,\n"
            "3 file cannot be read.\n");
}

static void print_size(const char *label, uint64_t v)
{
    printf("%-15s %" PRIu64, label, v);
    if (v % (UINT64_C(1) << 30) == 0)
        printf(" (%" PRIu64 " GiB)", v >> 30);
    else if (v % (UINT64_C(1) << 20) == 0)
        printf(" (%" PRIu64 " MiB)", v >> 20);
    else if (v % (UINT64_C(1) << 10) == 0)
        printf(" (%" PRIu64 " KiB)", v >> 10);
    printf("\n");
}

/* The environment block of a verified image (arca__image_verify checked it): @p each is
 * called with every "NAME=value" entry in order. */
static void for_each_env(const uint8_t *bytes, const arca__image_info *info,
                         void (*each)(const char *entry, unsigned index))
{
    const char *block = (const char *)bytes + info->env_offset;
    unsigned index = 0;
    for (size_t pos = 0; info->env_offset && pos < info->config.env_size; index++) {
        each(block + pos, index);
        pos += strlen(block + pos) + 1;
    }
}

static void print_env_text(const char *entry, unsigned index)
{
    printf("%-15s %s\n", index ? "" : "environment:", entry);
}

static void print_env_json(const char *entry, unsigned index)
{
    printf("%s", index ? ", " : "");
    cli_print_json_string(entry);
}

static void print_text(const char *file, const uint8_t *bytes, const arca__image_info *info)
{
    const arca_identity_t *id = &info->identity;
    printf("%-15s %s\n", "file:", file);
    printf("%-15s valid\n", "signature:");
    printf("%-15s ", "measurement:");
    cli_print_hex(id->measurement, sizeof id->measurement);
    printf("\n%-15s ", "signer id:");
    cli_print_hex(id->signer_id, sizeof id->signer_id);
    printf("\n%-15s %u\n", "product id:", id->product_id);
    printf("%-15s %u\n", "svn:", id->svn);
    printf("%-15s %s\n", "debug:", (id->attributes & ARCA_ATTR_DEBUG) ? "yes" : "no");
    printf("%-15s %s\n", "switchless:", (id->attributes & ARCA_ATTR_SWITCHLESS) ? "yes" : "no");
    print_size("heap size:", info->config.heap_size);
    print_size("stack size:", info->config.stack_size);
    printf("%-15s %u\n", "threads:", info->config.threads);
    printf("%-15s ", "imports:");
    for (unsigned i = 0; i < info->imports.count; i++)
        printf("%s%s", i ? ", " : "", arca__image_allowed_needed[info->imports.lib[i]].name);
    printf("%s\n", info->imports.count ? "" : "none");
    printf("%-15s %s\n", "host files:",
           (info->config.flags & ARCA_CONFIG_FLAG_HOST_FILES) ? "yes" : "no");
    if (info->config.env_size)
        for_each_env(bytes, info, print_env_text);
    else
        printf("%-15s none\n", "environment:");
}

static void print_json(const char *file, const uint8_t *bytes, const arca__image_info *info)
{
    const arca_identity_t *id = &info->identity;
    printf("{\n  \"file\": ");
    cli_print_json_string(file);
    printf(",\n  \"signature\": \"valid\",\n  \"measurement\": \"");
    cli_print_hex(id->measurement, sizeof id->measurement);
    printf("\",\n  \"signer_id\": \"");
    cli_print_hex(id->signer_id, sizeof id->signer_id);
    printf("\",\n  \"product_id\": %u,\n  \"svn\": %u,\n", id->product_id, id->svn);
    printf("  \"debug\": %s,\n  \"switchless\": %s,\n",
           (id->attributes & ARCA_ATTR_DEBUG) ? "true" : "false",
           (id->attributes & ARCA_ATTR_SWITCHLESS) ? "true" : "false");
    printf("  \"heap_size\": %" PRIu64 ",\n  \"stack_size\": %" PRIu64 ",\n  \"threads\": %u,\n",
           info->config.heap_size, info->config.stack_size, info->config.threads);
    printf("  \"host_files\": %s,\n  \"environment\": [",
           (info->config.flags & ARCA_CONFIG_FLAG_HOST_FILES) ? "true" : "false");
    for_each_env(bytes, info, print_env_json);
    printf("],\n");
    printf("  \"imports\": [");
    for (unsigned i = 0; i < info->imports.count; i++) {
        printf("%s", i ? ", " : "");
        cli_print_json_string(arca__image_allowed_needed[info->imports.lib[i]].name);
    }
    printf("]\n}\n");
}

int cmd_inspect(int argc, char **argv)
{
    static const struct option options[] = {
        {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    uint8_t *bytes = NULL;
    size_t size = 0;
    arca__image_info info;
    arca_result_t r;
    int c, json = 0, status = ARCA_EXIT_FAILURE;

    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "jh", options, NULL)) != -1) {
        switch (c) {
        case 'j': json = 1; break;
        case 'h': usage(stdout); return ARCA_EXIT_OK;
        default:
            return cli_option_error("inspect", c, argv, usage);
        }
    }
    if (optind != argc - 1) {
        fprintf(stderr, "arca inspect: expected exactly one image file\n");
        usage(stderr);
        return ARCA_EXIT_USAGE;
    }
    const char *file = argv[optind];

    arca__error_clear();
    r = arca__read_file(file, ARCA_CLI_IMAGE_MAX, &bytes, &size);
    if (r == ARCA_OK)
        r = arca__image_verify(bytes, size, &info);
    if (r != ARCA_OK) {
        const char *detail = cli_detail(r);
        fprintf(stderr, "arca inspect: %s: %s (%s)\n", file, detail, arca_result_name(r));
        if (json) {
            printf("{\n  \"file\": ");
            cli_print_json_string(file);
            printf(",\n  \"signature\": \"invalid\",\n  \"result\": \"%s\",\n  \"error\": ",
                   arca_result_name(r));
            cli_print_json_string(detail);
            printf("\n}\n");
        }
        status = cli_exit_status(r);
        goto done;
    }
    if (json)
        print_json(file, bytes, &info);
    else
        print_text(file, bytes, &info);
    status = ARCA_EXIT_OK;
done:
    free(bytes);
    return status;
}
