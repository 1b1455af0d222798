/*
 * hex.c — hex decoding and encoding shared by the verifier's policy.conf parser, the
 * verifier's messages and JSON, and the tests.
 *
 * The decoder reads untrusted text: it must never read past hex + len, never write past
 * out + cap, and accept only an even number of hex digits (no prefix, spaces or sign).
 */
#include "hex.h"

#include "error.h"

static int nibble(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

arca_result_t arca__hex_decode(const char *hex, size_t len, uint8_t *out, size_t cap, size_t *out_len)
{
    arca_result_t result = ARCA_OK;

    if ((!hex && len) || (!out && cap) || !out_len)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "hex_decode: NULL argument");
    if (len % 2)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "hex: odd number of digits (%zu)", len);
    if (len / 2 > cap)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "hex: %zu bytes do not fit in %zu", len / 2, cap);
    for (size_t i = 0; i < len / 2; i++) {
        int hi = nibble(hex[2 * i]), lo = nibble(hex[2 * i + 1]);
        if (hi < 0 || lo < 0)
            ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "hex: not a hex digit at position %zu",
                       hi < 0 ? 2 * i : 2 * i + 1);
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    *out_len = len / 2;
done:
    return result;
}

void arca__hex_encode(const uint8_t *bytes, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[bytes[i] >> 4];
        out[2 * i + 1] = digits[bytes[i] & 15];
    }
    out[2 * n] = '\0';
}
