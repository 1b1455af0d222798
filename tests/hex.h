/*
 * hex.h — hex encoding and decoding for tests (test-only helper): known-answer vectors in,
 * measurements and ids out for comparison with the CLI's and the verifier's text.
 */
#ifndef ARCA_TESTS_HEX_H
#define ARCA_TESTS_HEX_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/hex.h" /* every test that includes this links arca_common */

/* Decode the hex string @p hex into @p out (capacity @p cap); returns the byte count. Aborts on
 * bad input, since a malformed vector is a bug in the test itself. */
static inline size_t unhex(const char *hex, uint8_t *out, size_t cap)
{
    size_t n = 0;
    if (arca__hex_decode(hex, strlen(hex), out, cap, &n) != ARCA_OK)
        abort();
    return n;
}

/* Encode @p n bytes as lower-case hex into @p out (room for 2 * n + 1 characters). */
static inline void hex_encode(const uint8_t *bytes, size_t n, char *out)
{
    arca__hex_encode(bytes, n, out);
}

#endif
