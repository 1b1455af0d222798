/*
 * cmd_sign.c — `arca sign`: configure and sign an enclave image (fills .arca.config, .arca.env
 * and .arca.sig in place, no relink). cmake/ArcaEnclave.cmake runs exactly
 *     arca sign -k KEY.pem [-c enclave.conf] [--debug] -o OUT.so IN.so
 *
 * The configuration is the defaults, then the conf file, then --debug. The output is written
 * atomically (temporary file + rename), so a failed or interrupted signing never leaves a
 * half-written image that a build would pick up, and the input is never modified.
 *
 * Signing refuses every image that verification would refuse (arca__image_sign() starts with
 * arca__image_parse(), which checks imports, search paths, text relocations and W^X), so an
 * image a loader must not run fails the build with the reason, never a launch later.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands.h"
#include "crypto/crypto.h"
#include "base/error.h"
#include "formats/image.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: arca sign -k KEY.pem [-c enclave.conf] [--debug] -o OUT.so IN.so\n"
            "\n"
            "Write the configuration into IN.so's .arca.config section, measure the image and\n"
            "sign it with KEY.pem (ECDSA P-256, from 'arca keygen'), writing OUT.so (mode 0755).\n"
            "IN.so may already be signed; it is re-signed. OUT.so may be IN.so.\n"
            "IN.so must be an image loaders may run, or nothing is written: it imports only\n"
            "libc.so.6, libm.so.6, libcrypto.so.3 and the dynamic linker (link everything\n"
            "else statically), and has no RPATH/RUNPATH, no text relocations, no segment\n"
            "both writable and executable and no executable stack (docs/formats.md).\n"
            "\n"
            "  -k, --key KEY.pem        signing key (PEM, PKCS#8 or SEC1)\n"
            "  -c, --config FILE        enclave.conf with 'Key = value' lines:\n"
            "                             Debug, Switchless          0, 1, true, false\n"
            "                             HeapSize, StackSize        bytes, e.g. 32M, 0x40000, 256K\n"
            "                             Threads                    1..64\n"
            "                             EnclaveThreads             0..16: threads it creates itself\n"
            "                             ProductID, SecurityVersion 0..65535\n"
            "                             HostFiles                  0, 1: may use files the host exposes\n"
            "                             Env.NAME                   getenv(\"NAME\") inside, e.g. Env.MODE = fast\n"
            "  -d, --debug              force Debug = 1 (debug enclaves never get production keys)\n"
            "  -o, --output OUT.so      signed image to write\n"
            "  -h, --help               show this help\n"
            "\n"
            "Unset keys keep their defaults: HeapSize 6M, StackSize 256K, Threads 4,\n"
            "ProductID 0, SecurityVersion 0, Debug 0, Switchless 0, EnclaveThreads 0.\n"
            "Exit status: 0 success, 1 failure (bad image, config or key), 2 usage error,\n"
            "3 a file cannot be read or written.\n");
}

static int fail(const char *what, arca_result_t r)
{
    fprintf(stderr, "arca sign: %s%s%s\n", what ? what : "", what ? ": " : "", cli_detail(r));
    return cli_exit_status(r);
}

/* Writes @p bytes to a temporary file next to @p path and renames it over @p path. */
static int write_atomically(const char *path, const uint8_t *bytes, size_t size)
{
    size_t len = strlen(path), done_bytes = 0;
    char *tmp = malloc(len + sizeof ".XXXXXX");
    int fd = -1, status = ARCA_EXIT_IO, err = 0;

    if (!tmp) {
        fprintf(stderr, "arca sign: out of memory\n");
        return ARCA_EXIT_FAILURE;
    }
    memcpy(tmp, path, len);
    memcpy(tmp + len, ".XXXXXX", sizeof ".XXXXXX");
    fd = mkstemp(tmp);
    if (fd < 0) {
        fprintf(stderr, "arca sign: cannot create a temporary file next to %s: %s\n", path,
                strerror(errno));
        goto done;
    }
    while (done_bytes < size && err == 0) {
        ssize_t n = write(fd, bytes + done_bytes, size - done_bytes);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            err = n < 0 ? errno : EIO;
        else
            done_bytes += (size_t)n;
    }
    if (err == 0 && fchmod(fd, 0755) != 0)
        err = errno;
    if (err == 0 && fsync(fd) != 0)
        err = errno;
    if (close(fd) != 0 && err == 0)
        err = errno;
    fd = -1;
    if (err == 0 && rename(tmp, path) != 0)
        err = errno;
    if (err != 0) {
        fprintf(stderr, "arca sign: cannot write %s: %s\n", path, strerror(err));
        unlink(tmp);
        goto done;
    }
    status = ARCA_EXIT_OK;
done:
    if (fd >= 0) {
        close(fd);
        unlink(tmp);
    }
    free(tmp);
    return status;
}

int cmd_sign(int argc, char **argv)
{
    static const struct option options[] = {
        {"key", required_argument, NULL, 'k'},   {"config", required_argument, NULL, 'c'},
        {"debug", no_argument, NULL, 'd'},       {"output", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},        {NULL, 0, NULL, 0},
    };
    const char *key_path = NULL, *conf_path = NULL, *out = NULL, *in = NULL;
    struct arca_enclave_config config;
    arca__env *env = NULL;
    arca__ec_key *key = NULL;
    uint8_t *bytes = NULL, m[ARCA_HASH_SIZE];
    size_t size = 0;
    arca__image image;
    arca_result_t r;
    int c, debug = 0, status = ARCA_EXIT_FAILURE;

    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":k:c:do:h", options, NULL)) != -1) {
        switch (c) {
        case 'k': key_path = optarg; break;
        case 'c': conf_path = optarg; break;
        case 'd': debug = 1; break;
        case 'o': out = optarg; break;
        case 'h': usage(stdout); return ARCA_EXIT_OK;
        default:
            return cli_option_error("sign", c, argv, usage);
        }
    }
    if (optind == argc - 1)
        in = argv[optind];
    if (!key_path || !out || !in) {
        fprintf(stderr, "arca sign: %s\n",
                !key_path ? "missing -k KEY.pem (create one with 'arca keygen -o KEY.pem')"
                : !out    ? "missing -o OUT.so"
                          : "expected exactly one input image");
        usage(stderr);
        return ARCA_EXIT_USAGE;
    }

    arca__error_clear();
    arca__config_defaults(&config);
    env = calloc(1, sizeof *env);
    if (!env) {
        fprintf(stderr, "arca sign: out of memory\n");
        goto done;
    }
    if (conf_path && (r = arca__config_parse_file_env(conf_path, &config, env)) != ARCA_OK) {
        status = fail(NULL, r);
        goto done;
    }
    if (debug)
        config.flags |= ARCA_CONFIG_FLAG_DEBUG;
    if ((r = arca__config_validate(&config)) != ARCA_OK) {
        status = fail(conf_path, r);
        goto done;
    }
    if ((r = arca__ec_load_private_pem_file(key_path, &key)) != ARCA_OK) {
        status = fail(key_path, r);
        goto done;
    }
    if ((r = arca__read_file(in, ARCA_CLI_IMAGE_MAX, &bytes, &size)) != ARCA_OK) {
        status = fail(NULL, r);
        goto done;
    }
    if ((r = arca__image_sign_env(bytes, size, &config, env, key)) != ARCA_OK) {
        status = fail(in, r);
        goto done;
    }
    /* Read back what was signed: the measurement printed is the one a policy must accept. */
    if ((r = arca__image_parse(bytes, size, &image)) != ARCA_OK) {
        status = fail(in, r);
        goto done;
    }
    memcpy(m, image.sig.measurement, sizeof m);
    status = write_atomically(out, bytes, size);
    if (status != ARCA_EXIT_OK)
        goto done;
    printf("arca sign: wrote %s (%s, measurement ", out,
           (config.flags & ARCA_CONFIG_FLAG_DEBUG) ? "debug" : "production");
    cli_print_hex(m, sizeof m);
    printf(")\n");
done:
    arca__ec_free(key);
    free(env);
    free(bytes);
    return status;
}
