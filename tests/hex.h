/*
 * hex.h — hex encoding and decoding for tests (test-only helper): known-answer vectors in,
 * measurements and ids out for comparison with the CLI's and the verifier's text.
 */
#ifndef ARCA_TESTS_HEX_H
#define ARCA_TESTS_HEX_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static inline int hex__nibble(char c)
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
static inline size_t unhex(const char *hex, uint8_t *out, size_t cap)
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

/* Encode @p n bytes as lower-case hex into @p out (room for 2 * n + 1 characters). */
static inline void hex_encode(const uint8_t *bytes, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        sprintf(out + 2 * i, "%02x", bytes[i]);
    out[2 * n] = '\0';
}

#endif
