/*
 * fuzz_image.c — libFuzzer target for the enclave image code: arca__image_verify, and
 * arca__image_parse + arca__image_measure on arbitrary bytes. Beyond "no crash", it checks
 * one invariant: every image that parses can be signed, and then verifies with the same
 * measurement that measure predicts. It must never write to the fuzzer's input buffer.
 */
#include <stdlib.h>
#include <string.h>

#include "common/crypto.h"
#include "common/image.h"

static arca__ec_key *key;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    arca__image_info info;
    arca__image image;
    struct arca_enclave_config config;
    uint8_t m[ARCA_HASH_SIZE];

    arca_result_t r = arca__image_verify(data, size, &info);
    (void)r; /* any result is fine for arbitrary bytes; crashes are not */
    if (arca__image_parse(data, size, &image) != ARCA_OK)
        return 0;
    if (arca__image_measure(&image, m) != ARCA_OK)
        __builtin_trap(); /* a parsed image can always be measured */

    if (!key && arca__ec_generate(&key) != ARCA_OK)
        __builtin_trap();
    uint8_t *copy = malloc(size ? size : 1);
    if (!copy)
        return 0;
    memcpy(copy, data, size);
    arca__config_defaults(&config);
    if (arca__image_sign(copy, size, &config, key) != ARCA_OK)
        __builtin_trap();
    if (arca__image_verify(copy, size, &info) != ARCA_OK)
        __builtin_trap();
    if (arca__image_parse(copy, size, &image) != ARCA_OK || arca__image_measure(&image, m) != ARCA_OK ||
        memcmp(m, info.identity.measurement, sizeof m) != 0)
        __builtin_trap();
    free(copy);
    return 0;
}
