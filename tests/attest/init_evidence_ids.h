/*
 * init_evidence_ids.h — what the init-evidence test enclave (init_evidence_enclave.c) and its
 * host test (test_attest_init_evidence.c) share. Plain definitions only: included by enclave
 * code and host code alike.
 */
#ifndef ARCA_TESTS_INIT_EVIDENCE_IDS_H
#define ARCA_TESTS_INIT_EVIDENCE_IDS_H

/* ecalls */
#define IE_EVIDENCE 1 /* out: the evidence the init hook got (what arca_get_evidence returned) */
#define IE_INIT_RESULT 2 /* out: u32 result of the hook's arca_get_evidence, u32 the protections
                            of arca_self_identity() inside the hook */

/* The report data the init hook binds into its evidence: byte i is INIT_REPORT_BYTE(i). */
#define INIT_REPORT_BYTE(i) ((unsigned char)(0x3C ^ ((i) * 5)))

#endif
