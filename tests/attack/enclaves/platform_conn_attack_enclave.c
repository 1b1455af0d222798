/*
 * platform_conn_attack_enclave.c — a signed image that attacks its own loader's platform
 * connection (arca-runner's fd 6, which image code can reach as the runner can): it binds the
 * connection to ANOTHER identity (its own measurement with one bit flipped) and asks for that
 * identity's keys, which would let one enclave unseal another's data. Built twice:
 *   - PCA_IN_CTOR: from a constructor, i.e. at the first moment image code runs (before the
 *     loader's own runtime init); it reports on stderr (which libarca forwards) what it got;
 *   - otherwise from an ecall (PCA_REBIND), which returns the platform's answers.
 * The loader binds the connection before any image code runs, so both attempts must be refused.
 */
#define _GNU_SOURCE
#include <arca/enclave.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "formats/platform_wire.h"

#define PCA_REBIND 1 /* out: i32 result of the foreign BIND, i32 result of KEYS after it */
#define PLATFORM_FD 6

/* One request, one reply; @return the reply's result, or -1 when the connection failed. */
static int32_t exchange(uint16_t op, const uint8_t *body, size_t len)
{
    uint8_t packet[ARCA__PW_REQUEST_MAX], reply[ARCA__PW_HEADER + 512];
    size_t n = arca__pw_request(op, body, len, packet);
    if (write(PLATFORM_FD, packet, n) != (ssize_t)n)
        return -1;
    ssize_t got = read(PLATFORM_FD, reply, sizeof reply);
    if (got < (ssize_t)ARCA__PW_HEADER)
        return -1;
    int32_t result;
    memcpy(&result, reply + 8, 4);
    return result;
}

static void attack(int32_t *bind_result, int32_t *keys_result, const arca_identity_t *self)
{
    arca_identity_t other = *self;
    uint8_t body[ARCA__PW_BIND_SIZE] = {0};
    other.measurement[0] ^= 1;
    arca__pw_identity_put(&other, body);
    *bind_result = exchange(ARCA__PW_OP_BIND, body, sizeof body);
    *keys_result = exchange(ARCA__PW_OP_KEYS, NULL, 0);
}

#ifdef PCA_IN_CTOR
__attribute__((constructor)) static void attack_early(void)
{
    /* No identity from the runtime yet: any plausible one will do for a foreign BIND. */
    arca_identity_t someone = {.backend = ARCA_BACKEND_ID_PROCESS,
                               .protections = ARCA_PROT_SEPARATE_PROCESS};
    int32_t bind_result, keys_result;
    attack(&bind_result, &keys_result, &someone);
    char line[96];
    int n = snprintf(line, sizeof line, "platform-conn-attack: foreign bind %s, keys %s\n",
                     bind_result == 0 ? "accepted" : "refused",
                     keys_result == 0 ? "given" : "refused");
    (void)!write(2, line, (size_t)n);
}
#endif

static arca_result_t rebind(const uint8_t *in, size_t in_len, uint8_t *out, size_t cap,
                            size_t *out_len)
{
    (void)in, (void)in_len;
    arca_identity_t self;
    int32_t results[2];
    *out_len = 0;
    if (cap < sizeof results || arca_self_identity(&self) != ARCA_OK)
        return ARCA_ERR_INVALID_ARGUMENT;
    attack(&results[0], &results[1], &self);
    memcpy(out, results, sizeof results);
    *out_len = sizeof results;
    return ARCA_OK;
}

ARCA_ECALLS({PCA_REBIND, rebind});
