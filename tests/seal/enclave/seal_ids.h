/* seal_ids.h — ecall ids of the sealing/attestation test enclave. */
#ifndef SEAL_IDS_H
#define SEAL_IDS_H
#define SEAL_FN_SEAL 1
#define SEAL_FN_UNSEAL 2
#define SEAL_FN_EVIDENCE 3
#define SEAL_FN_LOOP 4
#endif
