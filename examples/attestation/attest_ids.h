/* attest_ids.h — the interface between the attestation example's host and enclave. */
#ifndef ATTEST_IDS_H
#define ATTEST_IDS_H
/* in: report data (≤ 64 bytes: the verifier's nonce); out: evidence v1 */
#define ATTEST_FN_EVIDENCE 1
#endif
