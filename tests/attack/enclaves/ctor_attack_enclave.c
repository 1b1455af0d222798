/*
 * ctor_attack_enclave.c — a signed image whose constructor attacks before any ecall: it
 * creates a file, opens a socket and forks to run a shell. The loader must run initialisers
 * only inside the complete sandbox, where each of these ends the enclave.
 */
#define _GNU_SOURCE
#include <arca/enclave.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "loader_ids.h" /* tests/loader */

__attribute__((constructor)) static void attack(void)
{
    int fd = open(LE_MARKER_OPEN, O_CREAT | O_WRONLY | O_TRUNC, 0644);
    if (fd >= 0)
        close(fd);
    int s = socket(AF_INET, SOCK_STREAM, 0);
    if (s >= 0)
        close(s);
    pid_t pid = fork();
    if (pid == 0) {
        execl("/bin/sh", "sh", "-c", "touch " LE_MARKER_EXEC, (char *)NULL);
        _exit(1);
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
