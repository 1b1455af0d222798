/*
 * fuzz_config_env.c — libFuzzer target for the enclave environment: enclave.conf with
 * Env.NAME and HostFiles lines (arca__config_parse_env) and the block check an image's
 * environment goes through (arca__env_check). Beyond "no crash": whatever parses is a valid
 * configuration whose environment is a block the check accepts, with as many entries as it
 * says; a failed parse leaves both configuration and environment untouched; the raw input as
 * a block is either refused or counted consistently.
 */
#include <stdlib.h>
#include <string.h>

#include "formats/enclave_env.h"
#include "formats/image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static arca__env env, env_before;
    struct arca_enclave_config config, before;
    uint32_t count = 0;

    arca__config_defaults(&config);
    before = config;
    memset(&env, 0x5A, sizeof env);
    env_before = env;
    if (arca__config_parse_env((const char *)data, size, "fuzz.conf", &config, &env) == ARCA_OK) {
        if (arca__config_validate(&config) != ARCA_OK || env.len > sizeof env.block ||
            arca__env_check((const uint8_t *)env.block, env.len, &count) != ARCA_OK ||
            count != env.count)
            __builtin_trap();
    } else if (memcmp(&config, &before, sizeof config) != 0 ||
               memcmp(&env, &env_before, sizeof env) != 0) {
        __builtin_trap();
    }
    count = 12345;
    if (arca__env_check(data, size, &count) == ARCA_OK) {
        if (size > ARCA_ENV_CAPACITY || count > ARCA_ENV_MAX_VARS || (size && !count) ||
            (size && data[size - 1] != '\0'))
            __builtin_trap();
    } else if (count != 0) {
        __builtin_trap();
    }
    return 0;
}
