/*
 * dev.c — the dev platform: root secrets in a key directory of the user (dev_create.c says
 * where it is and what a new one holds), served by the key-directory code it shares with
 * arcad (src/platform/keydir: the directory's rules, per-request secret loading, key
 * derivation, evidence signing). Its trust rests on the host user, and every output says so.
 *
 * This file only names the platform: its profile (kind ARCA_PLATFORM_DEV, the messages'
 * words, one self-signed certificate, the key derivation labels dev has always used) and
 * its ops. It must never change a label: the labels are the keys, and changing one would
 * make every blob sealed on a dev platform unreadable.
 */
#include "dev_internal.h"

#include "base/error.h"

/* Labels of the key derivation. Isolating backends keep the labels keys had before the
 * isolation class entered them (their sealed data stays readable); sim gets labels of its own.
 * They name no platform kind, as they did before there was another kind; every later kind
 * names itself in its labels (arcad: src/platform/arcad). */
#define ENCLAVE_INFO "arca seal enclave v1"
#define SIGNER_INFO "arca seal signer v2"
#define ENCLAVE_INFO_SIM "arca seal enclave sim v1"
#define SIGNER_INFO_SIM "arca seal signer sim v1"

const arca__keydir_profile arca__dev_profile = {
    .ops = &arca__dev_platform,
    .kind = ARCA_PLATFORM_DEV,
    .what = "dev platform",
    .dir_noun = "key directory",
    .own_dir_advice = "Use a key directory of your own: point ARCA_PLATFORM_DIR (or the setting "
                      "dev.dir) at a new path and run 'arca platform init' there",
    .link_advice = "set ARCA_PLATFORM_DIR to the directory the link names",
    .fresh_advice = "start a fresh platform with 'arca platform init' on a new directory",
    .reopen_advice = "create the enclave again",
    .cert_file = ARCA_DEV_CERT_FILE,
    .pin_file = ARCA_DEV_CERT_FILE,
    .min_certs = 1,
    .max_certs = 1,
    .enclave_label = ENCLAVE_INFO,
    .signer_label = SIGNER_INFO,
    .enclave_label_sim = ENCLAVE_INFO_SIM,
    .signer_label_sim = SIGNER_INFO_SIM,
    .state_size = sizeof(struct arca__platform),
    .check_certs = NULL,
};

/* Open, creating the key directory on first use (dev_create.c). */
static arca_result_t dev_open(const char *dir, arca__platform **out)
{
    arca_result_t result = ARCA_OK;
    char path[PATH_MAX];
    int created = 0;

    if (!out)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "dev platform: NULL output");
    *out = NULL;
    ARCA_CHECK(arca__dev_resolve_dir(dir, path));
    ARCA_CHECK(arca__keydir_ensure(&arca__dev_profile, path, arca__dev_populate, NULL, &created));
    ARCA_CHECK(arca__keydir_open(&arca__dev_profile, path, created, out));
done:
    return result;
}

static const char *const dev_settings[] = {"dir", NULL};

const struct arca_platform_ops arca__dev_platform = {
    .version = ARCA_PLATFORM_OPS_VERSION,
    .name = "dev",
    .kind = ARCA_PLATFORM_DEV,
    .setting_keys = dev_settings,
    .open = dev_open,
    .derive_keys = arca__keydir_derive_keys,
    .evidence = arca__keydir_evidence,
    .counter = arca__keydir_counter,
    .describe = arca__keydir_describe,
    .close = arca__keydir_close,
};
