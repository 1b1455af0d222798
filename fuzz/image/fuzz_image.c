/*
 * fuzz_image.c — libFuzzer target for the enclave image code: arca__image_verify, and
 * arca__image_parse + arca__image_measure on arbitrary bytes, including the content checks
 * (W^X, the stack, the dynamic section: imports, search paths, text relocations, DT_ bounds).
 * Beyond "no crash", it checks these invariants: every image that parses imports only
 * libraries on ARCA_IMAGE_ALLOWED_NEEDED for its machine, each once; it can be signed, and
 * then verifies with the same measurement that measure predicts and the same imports. Seeds
 * (fuzz/corpus/fuzz_image) include a signed image with imports and images with a DT_NEEDED
 * outside the allowlist and a RUNPATH. It must never write to the fuzzer's input buffer.
 */
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "formats/image.h"

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
    if (image.imports.count > ARCA_IMAGE_ALLOWED_NEEDED_COUNT)
        __builtin_trap();
    for (unsigned i = 0; i < image.imports.count; i++) {
        if (image.imports.lib[i] >= ARCA_IMAGE_ALLOWED_NEEDED_COUNT)
            __builtin_trap();
        const struct arca__image_library *lib = &arca__image_allowed_needed[image.imports.lib[i]];
        if ((lib->machine != 0 && lib->machine != image.machine) ||
            arca__image_needed_index(lib->name, image.machine) != image.imports.lib[i])
            __builtin_trap();
        for (unsigned j = 0; j < i; j++)
            if (image.imports.lib[j] == image.imports.lib[i])
                __builtin_trap(); /* each library once */
    }

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
    if (memcmp(&info.imports, &image.imports, sizeof info.imports) != 0 ||
        info.machine != image.machine)
        __builtin_trap(); /* signing changes nothing the content checks read */
    if (arca__image_parse(copy, size, &image) != ARCA_OK || arca__image_measure(&image, m) != ARCA_OK ||
        memcmp(m, info.identity.measurement, sizeof m) != 0)
        __builtin_trap();
    free(copy);
    return 0;
}
