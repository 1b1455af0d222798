/*
 * attack_enclave.c — a hostile enclave for the arcad attack tests (test_arcad_attack.c): code a
 * local user signs with a key of its own and launches through arcad, which then runs it as
 * arcad's uid inside arca-runner's sandbox. Besides an echo, it uses the one thing arcad's
 * runner sandbox grants beyond the process backend's — the reconnect rules (src/runner/sandbox.c:
 * socket(AF_UNIX, SOCK_SEQPACKET), connect() and close() on descriptors above the platform's) —
 * with raw system calls, to open and hold connections to a Unix socket path it is given (arcad's
 * runner socket), as arcad's uid.
 * Test-only. This file must never be linked into anything but that test's image.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "arca/enclave.h"
#include "attack_ids.h"

#define MAX_HELD 256

static long held[MAX_HELD];
static unsigned held_count;

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static arca_result_t do_ping(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap,
                             size_t *out_len)
{
    *out_len = in_len;
    if (in_len > out_cap)
        return ARCA_ERR_BUFFER_TOO_SMALL;
    memcpy(out, in, in_len);
    return ARCA_OK;
}

/* in: u32 count, the socket path; out: u32 connected, u32 errno of the first failure. */
static arca_result_t do_hold(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap,
                             size_t *out_len)
{
    struct sockaddr_un addr;
    uint32_t want, connected = 0, first_errno = 0;
    *out_len = 0;
    if (in_len < 5 || in_len - 4 >= sizeof addr.sun_path || out_cap < 8)
        return ARCA_ERR_INVALID_ARGUMENT;
    want = (uint32_t)in[0] | (uint32_t)in[1] << 8 | (uint32_t)in[2] << 16 | (uint32_t)in[3] << 24;
    memset(&addr, 0, sizeof addr);
    addr.sun_family = AF_UNIX;
    memcpy(addr.sun_path, in + 4, in_len - 4);
    for (uint32_t i = 0; i < want && held_count < MAX_HELD; i++) {
        long fd = syscall(SYS_socket, AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            first_errno = first_errno ? first_errno : (uint32_t)errno;
            break;
        }
        if (syscall(SYS_connect, fd, &addr, sizeof addr) != 0) {
            first_errno = first_errno ? first_errno : (uint32_t)errno;
            syscall(SYS_close, fd);
            continue;
        }
        held[held_count++] = fd;
        connected++;
    }
    put32(out, connected);
    put32(out + 4, first_errno);
    *out_len = 8;
    return ARCA_OK;
}

/* out: u32 the number of connections closed. */
static arca_result_t do_release(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap,
                                size_t *out_len)
{
    uint32_t closed = 0;
    (void)in, (void)in_len;
    *out_len = 0;
    if (out_cap < 4)
        return ARCA_ERR_INVALID_ARGUMENT;
    while (held_count)
        closed += syscall(SYS_close, held[--held_count]) == 0;
    put32(out, closed);
    *out_len = 4;
    return ARCA_OK;
}

ARCA_ECALLS({ATTACK_FN_PING, do_ping}, {ATTACK_FN_HOLD, do_hold}, {ATTACK_FN_RELEASE, do_release});
