/*
 * conformance_ids.h — function ids shared by the conformance enclave and its host test.
 * Plain numbers only: included by enclave code and host code alike.
 */
#ifndef ARCA_TESTS_CONFORMANCE_IDS_H
#define ARCA_TESTS_CONFORMANCE_IDS_H

/* ecalls */
#define CE_ECHO 1
#define CE_HOST_DATA 2      /* in: text; calls HC_DATA; out: the host's reply */
#define CE_HOST_ERROR 3     /* calls HC_ERROR; out: report */
#define CE_HOST_HUGE 4      /* calls HC_HUGE with 16 bytes, then with the size asked; out: report */
#define CE_HOST_LIE 5       /* calls HC_LIE (claims more than asked); out: report */
#define CE_HOST_BADCODE 6   /* calls HC_BADCODE (undefined result); out: report */
#define CE_RENDEZVOUS 7     /* calls HC_RENDEZVOUS */
#define CE_IDENTITY 8       /* out: arca_self_identity() */
#define CE_DESTROY_INSIDE 9 /* calls HC_DESTROY */
#define CE_RANDOM 10        /* out: 32 random bytes */
#define CE_LOG 11           /* in: text; arca_log(INFO, text) */
#define CE_BLOCK 12         /* calls HC_BLOCK (waits until the host releases it) */
#define CE_BAD_OUT_LEN 13   /* buggy function: returns OK with *out_len > out_cap */
#define CE_HOST_UNKNOWN 14  /* calls an unregistered host id; out: report */
#define CE_COUNTER 15       /* out: u64 count of calls to this function in this instance */
#define CE_BAD_CODE 16      /* returns an undefined result code */
#define CE_HOST_RESERVED 17 /* calls a reserved, unassigned host id; out: report */

/* host calls */
#define HC_DATA 100
#define HC_ERROR 101     /* returns ARCA_ERR_NOT_FOUND */
#define HC_HUGE 102      /* wants to reply HUGE_REPLY bytes */
#define HC_LIE 103       /* returns OK with out_len = out_cap + 100 */
#define HC_BADCODE 104   /* returns 12345 */
#define HC_RENDEZVOUS 105
#define HC_DESTROY 106   /* calls arca_enclave_destroy on its own enclave */
#define HC_BLOCK 107
#define HC_INIT 110      /* from the init hook; out: u32 result the hook must return */
#define HC_FINI 111      /* from the fini hook */

#define HUGE_REPLY (1024u * 1024u)
#define HUGE_BYTE(i) ((uint8_t)((i) * 7u + 3u))

/* Reports: little arrays of u64 the enclave fills. */
#define REPORT_WORDS 6

#endif
