/*
 * ctor_attack_enclave.c — a signed image whose constructor attacks before any ecall: it
 * creates a file, opens a socket and forks to run a shell. The loader must run initialisers
 * only inside the complete sandbox, where each of these ends the enclave.
 */
#define _GNU_SOURCE
#include <arca/enclave.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "loader_ids.h" /* tests/loader */

/* Raw system calls: the C library's open, socket and fork are bound to ENOSYS stubs by the
 * loader (src/loader/libc_bind.c), and an attacker does not need the C library. */
__attribute__((constructor)) static void attack(void)
{
    long fd = syscall(SYS_openat, AT_FDCWD, LE_MARKER_OPEN, O_CREAT | O_WRONLY | O_TRUNC, 0644);
    if (fd >= 0)
        syscall(SYS_close, fd);
    long s = syscall(SYS_socket, AF_INET, SOCK_STREAM, 0);
    if (s >= 0)
        syscall(SYS_close, s);
    long pid = syscall(SYS_fork);
    if (pid == 0) {
        char *argv[] = {"sh", "-c", "touch " LE_MARKER_EXEC, NULL};
        char *envp[] = {NULL};
        syscall(SYS_execve, "/bin/sh", argv, envp);
        syscall(SYS_exit, 1);
    }
}

static arca_result_t nothing(const uint8_t *in, size_t in_len, uint8_t *out, size_t cap,
                             size_t *out_len)
{
    (void)in;
    (void)in_len;
    (void)out;
    (void)cap;
    *out_len = 0;
    return ARCA_OK;
}

ARCA_ECALLS({LE_ECHO, nothing});
