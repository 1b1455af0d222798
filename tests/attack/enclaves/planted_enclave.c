/*
 * planted_enclave.c — the code a hostile launcher plants where the old runner reopened the
 * verified image by path (/proc/self/fd/N under a tmpfs it mounted over /proc). If this
 * enclave's answer ever reaches the host, the loader ran bytes it did not verify.
 */
#include <arca/enclave.h>
#include <string.h>

#include "loader_ids.h" /* tests/loader */

static arca_result_t echo(const uint8_t *in, size_t in_len, uint8_t *out, size_t cap, size_t *out_len)
{
    (void)in;
    (void)in_len;
    if (cap < sizeof LE_PLANTED - 1)
        return ARCA_ERR_BUFFER_TOO_SMALL;
    memcpy(out, LE_PLANTED, sizeof LE_PLANTED - 1);
    *out_len = sizeof LE_PLANTED - 1;
    return ARCA_OK;
}

ARCA_ECALLS({LE_ECHO, echo});
