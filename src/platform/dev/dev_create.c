/*
 * dev_create.c — where the dev platform's key directory is, and what a new one holds.
 *
 * The directory is the user's: the setting dev.dir, else $ARCA_PLATFORM_DIR, else the XDG
 * data directory, else ~/.local/share/arca/platform. A new one (created atomically by
 * src/platform/keydir, on first use) holds a random root seal secret, a P-256 attestation key
 * and a self-signed certificate for that key that says in its names that it is a dev
 * platform's. This file must never touch a directory that already has content: a damaged
 * platform is reported by the key-directory code, not replaced.
 */
#include "dev_internal.h"

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/error.h"
#include "crypto/crypto_x509.h"
#include "formats/evidence.h"

/* How long a platform certificate is valid: a hundred years (the platform has no renewal). */
#define DEV_CERT_DAYS 36500

arca_result_t arca__dev_resolve_dir(const char *dir, char out[PATH_MAX])
{
    arca_result_t result = ARCA_OK;
    const char *env = getenv("ARCA_PLATFORM_DIR");
    const char *xdg = getenv("XDG_DATA_HOME");
    const char *home = getenv("HOME");
    char path[PATH_MAX];
    int n;

    if (dir && *dir)
        n = snprintf(path, sizeof path, "%s", dir);
    else if (env && *env)
        n = snprintf(path, sizeof path, "%s", env);
    else if (xdg && xdg[0] == '/') /* the XDG spec says relative values are to be ignored */
        n = snprintf(path, sizeof path, "%s/arca/platform", xdg);
    else {
        if (!home || !*home) {
            struct passwd *pw = getpwuid(getuid());
            home = pw ? pw->pw_dir : NULL;
        }
        if (!home || !*home)
            ARCA_RAISE(ARCA_ERR_PLATFORM, "dev platform: no key directory: set ARCA_PLATFORM_DIR "
                                          "(neither XDG_DATA_HOME nor HOME is set)");
        n = snprintf(path, sizeof path, "%s/.local/share/arca/platform", home);
    }
    /* A path cut short by snprintf is still too long for normalise. */
    if (n < 0)
        ARCA_RAISE(ARCA_ERR_PLATFORM, "dev platform: cannot form the key directory path");
    ARCA_CHECK(arca__keydir_normalise(&arca__dev_profile, path, out));
done:
    return result;
}

/* The self-signed platform certificate, marked as a dev platform in its names and comment. */
static arca_result_t make_certificate(const arca__ec_key *key, const char *path)
{
    arca_result_t result = ARCA_OK;
    arca__cert *cert = NULL;
    uint8_t id[32];
    char cn[64];
    char *pem = NULL;
    size_t pem_len = 0;
    const time_t now = time(NULL);

    ARCA_CHECK(arca__ec_spki_hash(key, id));
    snprintf(cn, sizeof cn, ARCA_DEV_CERT_CN_PREFIX "%02x%02x%02x%02x%02x%02x%02x%02x", id[0], id[1],
             id[2], id[3], id[4], id[5], id[6], id[7]);
    const arca__cert_template template = {
        .organization = ARCA_DEV_CERT_ORG,
        .common_name = cn,
        .not_before = (int64_t)now,
        .not_after = (int64_t)now + (int64_t)DEV_CERT_DAYS * 86400,
        .ca = 1,
        .comment = "Arca dev platform: keys live in a user's directory; trust rests on the host user",
    };
    result = arca__cert_create(key, &template, NULL, NULL, &cert);
    if (result == ARCA_OK)
        result = arca__cert_to_pem(cert, &pem, &pem_len);
    if (result != ARCA_OK)
        ARCA_RAISE(result, "dev platform: cannot build the platform certificate: %s",
                   arca__error_detail());
    ARCA_CHECK(arca__keydir_write_new_file(&arca__dev_profile, path, pem, pem_len, 0600));
done:
    free(pem);
    arca__cert_free(cert);
    return result;
}

arca_result_t arca__dev_populate(void *ctx, const char *tmp)
{
    arca_result_t result = ARCA_OK;
    uint8_t root[ARCA_DEV_ROOT_SIZE];
    arca__ec_key *key = NULL;
    char path[PATH_MAX];

    (void)ctx;
    ARCA_CHECK(arca__random(root, sizeof root));
    (void)arca__dev_path(path, tmp, ARCA_DEV_ROOT_FILE);
    ARCA_CHECK(arca__keydir_write_new_file(&arca__dev_profile, path, root, sizeof root, 0600));
    ARCA_CHECK(arca__ec_generate(&key));
    (void)arca__dev_path(path, tmp, ARCA_DEV_KEY_FILE);
    ARCA_CHECK(arca__ec_save_private_pem_file(key, path));
    (void)arca__dev_path(path, tmp, ARCA_DEV_CERT_FILE);
    ARCA_CHECK(make_certificate(key, path));
done:
    arca__wipe(root, sizeof root);
    arca__ec_free(key);
    return result;
}
