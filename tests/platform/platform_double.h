/*
 * platform_double.h — what the platform test double (platform_double.c) tells the test that
 * starts it: one record per key derivation, appended to its --keys-out file, with each key
 * XOR-masked (attest/memscan.h), so the test can scan its own memory for the keys without
 * ever holding them. Host byte order: the double and the test run on the same machine.
 * Test-only header.
 */
#ifndef ARCA_TESTS_PLATFORM_DOUBLE_H
#define ARCA_TESTS_PLATFORM_DOUBLE_H

#include <stdint.h>

#include "attest/memscan.h"

#define DOUBLE_RECORD_MAGIC 0x4b504450u /* "PDPK" */

typedef struct double_record {
    uint32_t magic;          /* DOUBLE_RECORD_MAGIC */
    uint16_t backend;        /* identity.backend the keys were derived for (ARCA_BACKEND_ID_*) */
    uint16_t has_lower;      /* signer_lower holds a key (svn >= 256) */
    uint8_t measurement[32]; /* identity.measurement */
    masked_secret enclave_key;
    masked_secret signer_key;
    masked_secret signer_lower; /* all zero unless has_lower */
} double_record;

#endif
