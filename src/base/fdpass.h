/*
 * fdpass.h — one SOCK_SEQPACKET packet with descriptors beside it (SCM_RIGHTS), both ways.
 * Used by libarca and arcad (src/formats/arcad_wire.h). Internal header.
 */
#ifndef ARCA_BASE_FDPASS_H
#define ARCA_BASE_FDPASS_H

#include <stddef.h>
#include <sys/types.h>

/** Send one packet with @p nfds (≤ 4) descriptors. @return 0, or -1 with errno. */
int arca__fd_send(int sock, const void *bytes, size_t len, const int *fds, size_t nfds);

/**
 * Receive one packet into @p buf (cap bytes) and up to @p max_fds descriptors (CLOEXEC) into
 * @p fds, their count in *nfds. A packet longer than @p cap, or more descriptors than
 * @p max_fds (the control data was cut), fails with EMSGSIZE and leaves no descriptor open;
 * so does a control message of another kind.
 * @return the packet's length (0: end of file), or -1 with errno (EAGAIN at a time-out).
 */
ssize_t arca__fd_recv(int sock, void *buf, size_t cap, int *fds, size_t max_fds, size_t *nfds);

/** Close the @p n descriptors in @p fds that are ≥ 0 and set them to -1. */
void arca__fd_close_all(int *fds, size_t n);

#endif
