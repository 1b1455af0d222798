/*
 * hex.h — hex decoding for the crypto tests' known-answer vectors (test-only helper).
 */
#ifndef ARCA_TESTS_CRYPTO_HEX_H
#define ARCA_TESTS_CRYPTO_HEX_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

static int hex__nibble(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decode @p hex into @p out (capacity @p cap); returns the byte count. Aborts on bad input,
 * since a malformed vector is a bug in the test itself. */
static size_t unhex(const char *hex, uint8_t *out, size_t cap)
{
    size_t n = 0;
    while (hex[0] && hex[1]) {
        int hi = hex__nibble(hex[0]), lo = hex__nibble(hex[1]);
        if (hi < 0 || lo < 0 || n >= cap)
            abort();
        out[n++] = (uint8_t)(hi << 4 | lo);
        hex += 2;
    }
    if (hex[0])
        abort();
    return n;
}

#endif
