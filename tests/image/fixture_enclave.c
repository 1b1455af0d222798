/*
 * fixture_enclave.c — an enclave-shaped shared object for the image tests: the two Arca
 * sections defined as the trusted runtime defines them (src/enclave/runtime.c), plus code,
 * read-only data and writable data, so tampering tests can hit every kind of loaded byte.
 * It is built with -g so that `strip --strip-debug` really has something to remove.
 */
#include <stdint.h>

#include "formats/image.h"

__attribute__((section(".arca.config"), used, aligned(8))) const struct arca_enclave_config
    fixture_config = {
        .magic = ARCA_CONFIG_MAGIC,
        .version = ARCA_CONFIG_VERSION,
        .flags = 0,
        .heap_size = UINT64_C(6) << 20, /* the default (src/formats/config.c) */
        .stack_size = UINT64_C(256) << 10,
        .threads = 4,
        .product_id = 0,
        .svn = 0,
};

__attribute__((section(".arca.sig"), used, aligned(8))) const struct arca_signature fixture_sig = {
    .version = 0};

static const char table[] = "read-only data that the measurement covers";
int counter = 42;                     /* .data */
int scratch[64] = {1, 2, 3, 4, 5, 6}; /* .data */

__attribute__((visibility("default"))) int fixture_compute(int x)
{
    int acc = counter;
    for (int i = 0; i < (int)sizeof table - 1; i++)
        acc = acc * 31 + table[i] + scratch[(x + i) & 63];
    return acc ^ (int)fixture_config.threads;
}
