/*
 * plain_enclave.c — an enclave written without EDL (its own ARCA_ECALLS table), so it carries
 * no interface hash: a host that asks for an interface must not create it.
 */
#include <arca/enclave.h>

static arca_result_t nothing(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap, size_t *out_len)
{
    (void)in;
    (void)in_len;
    (void)out;
    (void)out_cap;
    *out_len = 0;
    return ARCA_OK;
}

ARCA_ECALLS({1, nothing});
