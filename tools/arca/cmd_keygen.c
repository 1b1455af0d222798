/*
 * cmd_keygen.c — `arca keygen`: generate an ECDSA P-256 signing key for enclave images.
 *
 * The private key is written as PKCS#8 PEM with mode 0600. This command must never overwrite
 * an existing file (a lost signing key changes every signer id made with it), and never
 * leave a private key behind when the command as a whole failed.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands.h"
#include "crypto/crypto.h"
#include "base/error.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: arca keygen -o KEY.pem [--public PUBLIC.pem]\n"
            "\n"
            "Generate an ECDSA P-256 key for signing enclave images ('arca sign -k KEY.pem').\n"
            "\n"
            "  -o, --output KEY.pem   private key file to create (PKCS#8 PEM, mode 0600)\n"
            "  -p, --public PUB.pem   also write the public key (SubjectPublicKeyInfo PEM)\n"
            "  -h, --help             show this help\n"
            "\n"
            "Existing files are never overwritten. The signer id of images signed with the key\n"
            "is the SHA-256 of its public key; keep the private key secret and backed up.\n"
            "Exit status: 0 success, 1 failure, 2 usage error, 3 file exists or cannot be written.\n");
}

static int exists(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0 || errno != ENOENT;
}

int cmd_keygen(int argc, char **argv)
{
    static const struct option options[] = {
        {"output", required_argument, NULL, 'o'},
        {"public", required_argument, NULL, 'p'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *out = NULL, *pub = NULL;
    arca__ec_key *key = NULL;
    arca_result_t r;
    int c, status = ARCA_EXIT_FAILURE;

    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":o:p:h", options, NULL)) != -1) {
        switch (c) {
        case 'o': out = optarg; break;
        case 'p': pub = optarg; break;
        case 'h': usage(stdout); return ARCA_EXIT_OK;
        default:
            return cli_option_error("keygen", c, argv, usage);
        }
    }
    if (!out || optind != argc) {
        fprintf(stderr, "arca keygen: %s\n",
                !out ? "missing -o KEY.pem" : "unexpected argument; the key file goes after -o");
        usage(stderr);
        return ARCA_EXIT_USAGE;
    }
    if (pub && !strcmp(pub, out)) {
        fprintf(stderr, "arca keygen: the private and public key files must differ\n");
        return ARCA_EXIT_USAGE;
    }
    /* Check both names first so a refusal leaves nothing behind. */
    if (exists(out) || (pub && exists(pub))) {
        fprintf(stderr, "arca keygen: %s already exists; refusing to overwrite it (move it away "
                        "or choose another name)\n", exists(out) ? out : pub);
        return ARCA_EXIT_IO;
    }
    arca__error_clear();
    r = arca__ec_generate(&key);
    if (r == ARCA_OK)
        r = arca__ec_save_private_pem_file(key, out);
    if (r == ARCA_OK && pub) {
        r = arca__ec_save_public_pem_file(key, pub);
        if (r != ARCA_OK)
            unlink(out); /* all or nothing */
    }
    if (r != ARCA_OK) {
        fprintf(stderr, "arca keygen: %s\n", cli_detail(r));
        status = cli_exit_status(r);
        goto done;
    }
    printf("arca keygen: wrote private key %s%s%s\n", out, pub ? " and public key " : "",
           pub ? pub : "");
    status = ARCA_EXIT_OK;
done:
    arca__ec_free(key);
    return status;
}
