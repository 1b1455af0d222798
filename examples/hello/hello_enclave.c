/*
 * hello_enclave.c — the enclave of the hello example. It receives a name from the host,
 * checks it (the host is untrusted: length and characters), asks the host for a salutation
 * through a host call, and builds the greeting inside the enclave, signed off with the first
 * bytes of its own measurement.
 */
#include <stdio.h>
#include <string.h>

#include "arca/enclave.h"
#include "hello.h"

static unsigned greetings;

static arca_result_t greet(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap,
                           size_t *out_len)
{
    char name[HELLO_NAME_MAX + 1], salutation[64], text[256];
    size_t got = 0;
    arca_identity_t self;

    /* Validate the host's input before using it. */
    if (in_len == 0 || in_len > HELLO_NAME_MAX)
        return ARCA_ERR_INVALID_ARGUMENT;
    for (size_t i = 0; i < in_len; i++)
        if (in[i] < 0x20 || in[i] == 0x7f)
            return ARCA_ERR_INVALID_ARGUMENT;
    memcpy(name, in, in_len);
    name[in_len] = '\0';

    /* The host's reply is checked by the runtime (length, result code); it is still just text
     * from an untrusted party, so bound it and terminate it here. */
    arca_result_t r = arca_host_call(HELLO_HOST_SALUTATION, NULL, 0, salutation,
                                     sizeof salutation - 1, &got);
    if (r != ARCA_OK)
        snprintf(salutation, sizeof salutation, "Hello");
    else
        salutation[got] = '\0';

    r = arca_self_identity(&self);
    if (r != ARCA_OK)
        return r;
    unsigned n = __atomic_add_fetch(&greetings, 1, __ATOMIC_RELAXED);
    int len = snprintf(text, sizeof text,
                       "%s, %s! This greeting was made inside enclave %02x%02x%02x%02x (greeting #%u).",
                       salutation, name, self.measurement[0], self.measurement[1],
                       self.measurement[2], self.measurement[3], n);
    if (len < 0)
        return ARCA_ERR_INTERNAL;
    arca_log(ARCA_LOG_INFO, "greeted someone (%u so far)", n);
    *out_len = (size_t)len;
    if ((size_t)len > out_cap)
        return ARCA_ERR_BUFFER_TOO_SMALL;
    memcpy(out, text, (size_t)len);
    return ARCA_OK;
}

ARCA_ECALLS({HELLO_GREET, greet});
