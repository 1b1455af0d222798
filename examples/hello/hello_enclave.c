/*
 * hello_enclave.c — the enclave of the hello example: implements greet() from hello.edl. It
 * checks the name the host sent (the host is untrusted: length and characters), asks the host
 * for a salutation through the host call host_salutation(), and builds the greeting inside the
 * enclave, signed off with the first bytes of its own measurement.
 * It must never trust the host's salutation beyond its declared size: it is bounded and
 * re-terminated here.
 */
#include <stdio.h>
#include <string.h>

#include "hello_t.h"

#define NAME_MAX_LEN 64 /* longest name the enclave accepts */

static unsigned greetings;

arca_result_t greet(const char *name, char *greeting, size_t cap)
{
    char salutation[64];
    arca_identity_t self;

    /* A NULL pointer crosses as NULL (EDL semantics); the generated bridge has already
     * checked that a present name is one NUL-terminated string. */
    if (!name || !greeting)
        return ARCA_ERR_INVALID_ARGUMENT;
    size_t len = strlen(name);
    if (len == 0 || len > NAME_MAX_LEN)
        return ARCA_ERR_INVALID_ARGUMENT;
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)name[i] < 0x20 || (unsigned char)name[i] == 0x7f)
            return ARCA_ERR_INVALID_ARGUMENT;

    /* The proxy copies exactly sizeof salutation bytes back (never more); the text is still
     * from an untrusted party, so terminate it here whatever the host wrote. */
    if (host_salutation(salutation, sizeof salutation) != ARCA_OK)
        snprintf(salutation, sizeof salutation, "Hello");
    salutation[sizeof salutation - 1] = '\0';

    arca_result_t r = arca_self_identity(&self);
    if (r != ARCA_OK)
        return r;
    unsigned n = __atomic_add_fetch(&greetings, 1, __ATOMIC_RELAXED);
    int written =
        snprintf(greeting, cap,
                 "%s, %s! This greeting was made inside enclave %02x%02x%02x%02x (greeting #%u).",
                 salutation, name, self.measurement[0], self.measurement[1], self.measurement[2],
                 self.measurement[3], n);
    if (written < 0)
        return ARCA_ERR_INTERNAL;
    if ((size_t)written >= cap)
        return ARCA_ERR_BUFFER_TOO_SMALL;
    arca_log(ARCA_LOG_INFO, "greeted someone (%u so far)", n);
    return ARCA_OK;
}
