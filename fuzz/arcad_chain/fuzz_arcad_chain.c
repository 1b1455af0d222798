/*
 * fuzz_arcad_chain.c — libFuzzer target for the certificate chains arcad installs
 * (arca__arcad_import_chain: an operator's PEM, leaf first) and reads back at open
 * (arca__arcad_check_chain): every input is parsed and checked as a chain, then offered to
 * the import of a state directory made once at start. Nothing may crash, leak or be
 * installed: an input the fuzzer makes cannot carry a leaf for that directory's attestation
 * key, so a successful import is a bug and aborts. Seeds: a chain arcad made, the leaf alone.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "base/error.h"
#include "crypto/crypto.h"
#include "crypto/crypto_x509.h"
#include "formats/evidence.h"
#include "platform/arcad/arcad_internal.h"

static char base[64], dir[96];

/* The state directory made at start goes when the fuzzer exits. */
static void remove_state(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", base);
    if (system(cmd) != 0)
        fprintf(stderr, "fuzz_arcad_chain: could not remove %s\n", base);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    int created = 0;
    (void)argc, (void)argv;
    snprintf(base, sizeof base, "/tmp/arca-fuzz-arcad-XXXXXX");
    if (arca__crypto_init() != ARCA_OK || !mkdtemp(base)) {
        fprintf(stderr, "fuzz_arcad_chain: cannot prepare\n");
        abort();
    }
    atexit(remove_state);
    snprintf(dir, sizeof dir, "%s/state", base);
    if (arca__arcad_state_init(dir, "fuzz", &created) != ARCA_OK) {
        fprintf(stderr, "fuzz_arcad_chain: %s\n", arca__error_detail());
        abort();
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    arca__cert *certs[ARCA_EVIDENCE_MAX_CERTS + 1];
    size_t n = 0;
    if (arca__certs_parse(data, size, "fuzz", certs, ARCA_EVIDENCE_MAX_CERTS + 1, &n) == ARCA_OK) {
        (void)arca__arcad_check_chain(certs, n, "fuzz");
        for (size_t i = 0; i < n; i++)
            arca__cert_free(certs[i]);
    }
    if (arca__arcad_import_chain(dir, data, size) == ARCA_OK) {
        fprintf(stderr, "fuzz_arcad_chain: a fuzzed chain was installed\n");
        abort();
    }
    return 0;
}
