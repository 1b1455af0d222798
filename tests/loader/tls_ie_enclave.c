/*
 * tls_ie_enclave.c — an image that uses initial-exec thread-local storage (static TLS, an
 * R_X86_64_TPOFF64 relocation): the loader cannot give it a static TLS slot and must refuse it
 * by name, on every backend, instead of loading something that would write to a wrong address.
 */
#include <arca/enclave.h>
#include <stdint.h>
#include <string.h>

#include "loader_ids.h"

static __thread uint64_t counter __attribute__((tls_model("initial-exec")));

static arca_result_t tls(const uint8_t *in, size_t in_len, uint8_t *out, size_t cap, size_t *out_len)
{
    (void)in;
    (void)in_len;
    if (cap < 8)
        return ARCA_ERR_BUFFER_TOO_SMALL;
    counter++;
    memcpy(out, &counter, 8);
    *out_len = 8;
    return ARCA_OK;
}

ARCA_ECALLS({LE_TLS, tls});
