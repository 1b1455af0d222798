/*
 * daemon_ids.h — ecall ids of the arcad test enclave (daemon_enclave.c), shared with the host
 * program that drives it (daemon_host.c). Test-only.
 */
#ifndef DAEMON_IDS_H
#define DAEMON_IDS_H

/* in: anything; out: the same bytes */
#define DAEMON_FN_PING 1
/* in: plaintext; out: a blob sealed under ARCA_SEAL_ENCLAVE (no additional data) */
#define DAEMON_FN_SEAL 2
/* in: a blob; out: its plaintext */
#define DAEMON_FN_UNSEAL 3
/* in: report data (64 bytes); out: evidence */
#define DAEMON_FN_EVIDENCE 4
/* in: u32 op (below), u32 policy (ARCA_SEAL_*), name bytes; out: u64 value (0 for create) */
#define DAEMON_FN_COUNTER 5
/* in: nothing; the enclave calls abort() */
#define DAEMON_FN_ABORT 6

#define DAEMON_COUNTER_CREATE 1
#define DAEMON_COUNTER_INCREMENT 2
#define DAEMON_COUNTER_READ 3

#endif
