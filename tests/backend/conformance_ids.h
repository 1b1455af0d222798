/*
 * conformance_ids.h — what the conformance EDL (conformance.edl) includes, and the plain ids of
 * the few calls that stay on the raw API because what they check cannot be expressed through
 * generated stubs: a host call replying with a hostile length or an undefined result code, an
 * unassigned host-call id, and enclave functions that break the runtime's contract (those live
 * in a second, raw image: conformance_raw_enclave.c). Plain definitions only: included by
 * enclave code and host code alike.
 */
#ifndef ARCA_TESTS_CONFORMANCE_IDS_H
#define ARCA_TESTS_CONFORMANCE_IDS_H

#include <stdint.h>

#include "arca/identity.h"
#include "arca/result.h"

/* Raw host calls (served by hand-written arca_host_fn functions on the host). The generated
 * host calls of conformance.edl take ids 1, 2, ...; these stay clear of them. */
#define HC_RAW_ERROR 101            /* returns ARCA_ERR_NOT_FOUND with a non-zero length */
#define HC_RAW_HUGE 102             /* wants to reply HUGE_REPLY bytes */
#define HC_RAW_LIE 103              /* returns OK with out_len = out_cap + 100 */
#define HC_RAW_BADCODE 104          /* returns the undefined result 12345 */
#define HC_RAW_UNKNOWN 4242u        /* no host function has this id */
#define HC_RAW_RESERVED 0xFFFFFFF0u /* reserved for Arca and unassigned */

/* The raw image, conformance_raw_enclave.c (also loaded by tests/host/test_host_api.c, which
 * serves HC_INIT, HC_FINI and HC_DESTROY itself). Its init hook calls HC_INIT (in: the
 * arca_identity_t it sees; out: a u32 little-endian result the hook returns), its fini hook
 * HC_FINI. */
#define CE_ECHO 1           /* out = in */
#define CE_DESTROY_INSIDE 9 /* calls HC_DESTROY; out: report, word 0 = its result */
#define CE_BAD_OUT_LEN 13   /* buggy: returns OK with *out_len > out_cap */
#define CE_BAD_CODE 16      /* buggy: returns an undefined result code */
#define CE_BIG_REPLY_BUFFER 17 /* HC_RAW_HUGE with a reply buffer 64 KiB over the default max_payload */
#define CE_STDIO 18         /* printf, puts, putchar, fprintf(stderr), fwrite(stdout); out: u32 1
                               when getenv("PATH") and getenv("HOME") are both NULL */
#define CE_STDIO_STDOUT "hello 42 from printf\nputs line\n!\nfwrite\n"
#define CE_STDIO_STDERR "to stderr 7\n"
#define CE_LIBC 19          /* sysconf, get_nprocs, uname, getrlimit, UTC time, "C" locale, ENOSYS
                               for fopen/open/socket; out: u32 with CE_LIBC_ALL when all held */
#define CE_LIBC_ALL 0x7FFu
#define HC_DESTROY 106      /* destroys an enclave from inside a host call */
#define HC_INIT 110
#define HC_FINI 111
#define REPORT_WORDS 6 /* a raw report: u64 words */

/* A reply bigger than any buffer the enclave offers at first, and its bytes. */
#define HUGE_REPLY (1024u * 1024u)
/* host.h's ARCA_DEFAULT_MAX_PAYLOAD, which enclave code cannot include. */
#define ARCA_DEFAULT_MAX_PAYLOAD_FOR_TESTS (4u * 1024u * 1024u)
#define HUGE_BYTE(i) ((uint8_t)((i)*7u + 3u))
/* The most the enclave allocates on a host's say-so (an Iago bound). */
#define HOST_SIZE_MAX (4u * 1024u * 1024u)

#endif
