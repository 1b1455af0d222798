/*
 * good_enclave.c — an ordinary image that uses what a dynamic loader must handle: an IFUNC
 * (IRELATIVE relocation, resolver run by the loader), thread-local storage (__tls_get_addr,
 * DTPMOD64), a constructor, and imports from the C library and OpenSSL. Loaded by the tests on
 * every backend; each ecall's answer shows that the loader did its part.
 */
#include <arca/enclave.h>
#include <openssl/sha.h>
#include <stdint.h>
#include <string.h>

#include "loader_ids.h"

static int constructed;

__attribute__((constructor)) static void construct(void)
{
    constructed = 1;
}

static uint64_t ifunc_impl(void)
{
    return LE_IFUNC_VALUE;
}

/* An IFUNC resolver that only computes: the loader runs it after the sandbox is complete. */
__attribute__((used)) static uint64_t (*resolve_answer(void))(void)
{
    return ifunc_impl;
}

static uint64_t answer(void) __attribute__((ifunc("resolve_answer")));

static __thread uint64_t counter;

static arca_result_t echo(const uint8_t *in, size_t in_len, uint8_t *out, size_t cap, size_t *out_len)
{
    if (in_len > cap)
        return ARCA_ERR_BUFFER_TOO_SMALL;
    memcpy(out, in, in_len);
    *out_len = in_len;
    return ARCA_OK;
}

static arca_result_t ifunc(const uint8_t *in, size_t in_len, uint8_t *out, size_t cap, size_t *out_len)
{
    (void)in;
    (void)in_len;
    if (cap < 8)
        return ARCA_ERR_BUFFER_TOO_SMALL;
    uint64_t v = answer();
    memcpy(out, &v, 8);
    *out_len = 8;
    return ARCA_OK;
}

static arca_result_t tls(const uint8_t *in, size_t in_len, uint8_t *out, size_t cap, size_t *out_len)
{
    uint64_t add;
    uint8_t digest[SHA256_DIGEST_LENGTH];
    if (in_len != 8 || cap < 8)
        return ARCA_ERR_INVALID_ARGUMENT;
    memcpy(&add, in, 8);
    SHA256(in, in_len, digest); /* an import from libcrypto.so.3 */
    counter += add;
    memcpy(out, &counter, 8);
    *out_len = 8;
    return ARCA_OK;
}

static arca_result_t ctor_ran(const uint8_t *in, size_t in_len, uint8_t *out, size_t cap,
                              size_t *out_len)
{
    (void)in;
    (void)in_len;
    if (cap < 4)
        return ARCA_ERR_BUFFER_TOO_SMALL;
    uint32_t v = (uint32_t)constructed;
    memcpy(out, &v, 4);
    *out_len = 4;
    return ARCA_OK;
}

ARCA_ECALLS({LE_ECHO, echo}, {LE_IFUNC, ifunc}, {LE_TLS, tls}, {LE_CTOR_RAN, ctor_ran});
