/*
 * ifunc_attack_enclave.c — a signed image whose IFUNC resolver attacks: the system's dynamic
 * linker would run it while relocating, before any sandbox. Arca's loader runs resolvers only
 * inside the complete sandbox, where creating a file ends the enclave.
 */
#define _GNU_SOURCE
#include <arca/enclave.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "loader_ids.h" /* tests/loader */

static uint64_t impl(void)
{
    return LE_IFUNC_VALUE;
}

__attribute__((used)) static uint64_t (*resolve(void))(void)
{
    /* a raw system call: the C library's open is an ENOSYS stub in an enclave */
    long fd = syscall(SYS_openat, AT_FDCWD, LE_MARKER_OPEN, O_CREAT | O_WRONLY | O_TRUNC, 0644);
    if (fd >= 0)
        syscall(SYS_close, fd);
    return impl;
}

static uint64_t answer(void) __attribute__((ifunc("resolve")));

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

ARCA_ECALLS({LE_IFUNC, ifunc});
