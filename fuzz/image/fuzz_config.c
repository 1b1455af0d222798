/*
 * fuzz_config.c — libFuzzer target for the enclave.conf parser. Beyond "no crash", it checks
 * that whatever parses (starting from the defaults) is a valid configuration, and that a
 * failed parse leaves the configuration untouched.
 */
#include <string.h>

#include "formats/image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct arca_enclave_config config, before;

    arca__config_defaults(&config);
    before = config;
    if (arca__config_parse((const char *)data, size, "fuzz.conf", &config) == ARCA_OK) {
        if (arca__config_validate(&config) != ARCA_OK)
            __builtin_trap();
    } else if (memcmp(&config, &before, sizeof config) != 0) {
        __builtin_trap();
    }
    return 0;
}
