/*
 * attack_ids.h — ecall ids of the hostile test enclave (attack_enclave.c) that
 * test_arcad_attack.c drives through attack_host.c. Test-only.
 */
#ifndef ATTACK_IDS_H
#define ATTACK_IDS_H

/* in: anything; out: the same bytes */
#define ATTACK_FN_PING 1
/* in: u32 count, a Unix socket path; out: u32 connections made and held, u32 first errno */
#define ATTACK_FN_HOLD 2
/* in: nothing; out: u32 connections closed */
#define ATTACK_FN_RELEASE 3

#endif
