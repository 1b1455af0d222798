/*
 * hex.h — the one hex codec of Arca: text digits to bytes (policy.conf values, test vectors)
 * and bytes to lower-case digits (measurements and ids in messages and JSON).
 * Internal header: never installed.
 */
#ifndef ARCA_COMMON_HEX_H
#define ARCA_COMMON_HEX_H

#include <stddef.h>
#include <stdint.h>

#include "arca/result.h"

/* Decodes the @p len characters at @p hex (upper or lower case, no prefix, no separators;
 * no NUL terminator is needed) into @p out, which has room for @p cap bytes. Fails with
 * ARCA_ERR_INVALID_ARGUMENT, writing nothing to *out_len, if @p len is odd, a character is
 * not a hex digit or the bytes would not fit; @p out is then unspecified. Zero characters
 * decode to zero bytes. */
arca_result_t arca__hex_decode(const char *hex, size_t len, uint8_t *out, size_t cap, size_t *out_len)
    __attribute__((warn_unused_result));

/* Writes @p n bytes as 2 * @p n lower-case hex digits and a NUL into @p out. */
void arca__hex_encode(const uint8_t *bytes, size_t n, char *out);

#endif
