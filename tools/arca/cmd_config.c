/*
 * cmd_config.c — `arca config import`: translate an Intel SGX SDK Enclave.config.xml or an
 * Open Enclave oesign .conf into Arca's enclave.conf (the translation is config_import.c),
 * print what could not be mapped on stderr, and write the result to stdout or to -o OUT.conf.
 *
 * It must never write a configuration `arca sign` would refuse (the importer parses its text
 * back first), never replace an existing file without --force (a hard link, not a check
 * before the write, makes the refusal race-free), and never leave a half-written file: the
 * output goes to a temporary file next to it and is linked or renamed into place.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/error.h"
#include "commands.h"
#include "config_import.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: arca config import [-o OUT.conf] [--force] FILE\n"
            "\n"
            "Translate an Intel SGX SDK enclave configuration (Enclave.config.xml) or an\n"
            "Open Enclave oesign configuration (NAME=VALUE .conf) in FILE into Arca's\n"
            "enclave.conf, for 'arca sign -c' or arca_add_enclave(... CONFIG). The format\n"
            "is recognised from the contents. Each setting Arca has no equivalent for is\n"
            "named on stderr with the reason, and listed at the end of the output.\n"
            "\n"
            "  Intel SGX SDK                Open Enclave            enclave.conf\n"
            "  DisableDebug 0 / 1           Debug 1 / 0             Debug 1 / 0\n"
            "  HeapMaxSize (bytes)          NumHeapPages x 4 KiB    HeapSize\n"
            "  StackMaxSize (bytes)         NumStackPages x 4 KiB   StackSize\n"
            "  TCSNum (TCSMaxNum if set)    NumTCS                  Threads\n"
            "  ProdID                       ProductID               ProductID\n"
            "  ISVSVN                       SecurityVersion         SecurityVersion\n"
            "\n"
            "A heap or stack below Arca's minimum (64K, 16K) is raised to it and said so;\n"
            "any other value outside enclave.conf's ranges is refused, naming the setting.\n"
            "\n"
            "  -o, --output OUT.conf   write the enclave.conf to OUT.conf, not to stdout\n"
            "  -f, --force             replace OUT.conf if it exists (default: refuse)\n"
            "  -h, --help              show this help\n"
            "\n"
            "Exit status: 0 success, 1 the input is malformed or has a value Arca cannot\n"
            "take, 2 usage error, 3 a file cannot be read or written, or OUT.conf exists.\n");
}

static int fail(arca_result_t r)
{
    fprintf(stderr, "arca config import: %s\n", cli_detail(r));
    return cli_exit_status(r);
}

/* Writes @p text to a temporary file next to @p path (mode 0666 less the umask, as a new
 * file gets) and links it to @p path, or renames it over @p path with @p force. */
static int write_new_file(const char *path, const char *text, size_t size, int force)
{
    size_t len = strlen(path), done_bytes = 0;
    char *tmp = malloc(len + sizeof ".XXXXXX");
    int fd = -1, status = ARCA_EXIT_IO, err = 0;
    mode_t mask;

    if (!tmp) {
        fprintf(stderr, "arca config import: out of memory\n");
        return ARCA_EXIT_FAILURE;
    }
    memcpy(tmp, path, len);
    memcpy(tmp + len, ".XXXXXX", sizeof ".XXXXXX");
    fd = mkstemp(tmp);
    if (fd < 0) {
        fprintf(stderr, "arca config import: cannot create a temporary file next to %s: %s\n",
                path, strerror(errno));
        free(tmp);
        return ARCA_EXIT_IO;
    }
    mask = umask(0);
    umask(mask);
    while (done_bytes < size && err == 0) {
        ssize_t n = write(fd, text + done_bytes, size - done_bytes);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            err = n < 0 ? errno : EIO;
        else
            done_bytes += (size_t)n;
    }
    if (err == 0 && fchmod(fd, 0666 & ~mask) != 0)
        err = errno;
    if (err == 0 && fsync(fd) != 0)
        err = errno;
    if (close(fd) != 0 && err == 0)
        err = errno;
    if (err == 0 && (force ? rename(tmp, path) : link(tmp, path)) != 0)
        err = errno;
    if (err == EEXIST && !force)
        fprintf(stderr, "arca config import: %s already exists; use --force to replace it\n",
                path);
    else if (err != 0)
        fprintf(stderr, "arca config import: cannot write %s: %s\n", path, strerror(err));
    else
        status = ARCA_EXIT_OK;
    if (!force || err != 0)
        unlink(tmp);
    free(tmp);
    return status;
}

int cmd_config(int argc, char **argv)
{
    static const struct option options[] = {
        {"output", required_argument, NULL, 'o'},
        {"force", no_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *output = NULL, *in;
    uint8_t *bytes = NULL;
    size_t size = 0;
    arca__import imp = {0};
    arca_result_t r;
    struct stat st;
    int c, force = 0, status = ARCA_EXIT_FAILURE;

    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":o:fh", options, NULL)) != -1) {
        switch (c) {
        case 'o': output = optarg; break;
        case 'f': force = 1; break;
        case 'h': usage(stdout); return ARCA_EXIT_OK;
        default:
            return cli_option_error("config", c, argv, usage);
        }
    }
    if (optind >= argc || strcmp(argv[optind], "import") != 0) {
        if (optind < argc)
            fprintf(stderr, "arca config: unknown action '%s' (the action is import)\n",
                    argv[optind]);
        else
            fprintf(stderr, "arca config: missing the action (import)\n");
        usage(stderr);
        return ARCA_EXIT_USAGE;
    }
    if (optind + 2 != argc) {
        fprintf(stderr, "arca config import: %s\n", optind + 1 == argc
                ? "missing FILE, the SGX or Open Enclave configuration to import"
                : "expected exactly one FILE");
        usage(stderr);
        return ARCA_EXIT_USAGE;
    }
    in = argv[optind + 1];
    if (force && !output) {
        fprintf(stderr, "arca config import: --force needs -o OUT.conf\n");
        usage(stderr);
        return ARCA_EXIT_USAGE;
    }
    /* Refused here, before any work, as well as (race-free) when the file is linked. */
    if (output && !force && lstat(output, &st) == 0) {
        fprintf(stderr, "arca config import: %s already exists; use --force to replace it\n",
                output);
        return ARCA_EXIT_IO;
    }

    arca__error_clear();
    if ((r = arca__read_file(in, ARCA_IMPORT_MAX, &bytes, &size)) != ARCA_OK) {
        status = fail(r);
        goto done;
    }
    if ((r = arca__config_import(bytes, size, in, &imp)) != ARCA_OK) {
        status = fail(r);
        goto done;
    }
    for (const char *p = imp.notes; *p;) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        fprintf(stderr, "arca config import: %.*s\n", (int)n, p);
        p += n + (nl ? 1 : 0);
    }
    if (output) {
        status = write_new_file(output, imp.conf, imp.conf_len, force);
        if (status == ARCA_EXIT_OK)
            printf("arca config import: wrote %s (%u settings mapped, %u not mapped)\n", output,
                   imp.mapped, imp.not_mapped);
    } else if (fwrite(imp.conf, 1, imp.conf_len, stdout) != imp.conf_len || fflush(stdout) != 0) {
        fprintf(stderr, "arca config import: cannot write to stdout: %s\n", strerror(errno));
        status = ARCA_EXIT_IO;
    } else {
        status = ARCA_EXIT_OK;
    }
done:
    arca__config_import_free(&imp);
    free(bytes);
    return status;
}
