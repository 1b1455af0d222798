/*
 * attest.c — arca_get_evidence inside the enclave: ask the loader's trusted services (which
 * ask the platform over the loader's platform connection, never the host) for evidence v2
 * about this enclave and these report data.
 *
 * The platform connection may be served by another process: its reply is checked anyway. It
 * arrives in enclave memory with its length checked by the loader; here it is parsed and must
 * describe exactly this enclave's identity (as the loader reported it at init, including
 * backend and protections) and exactly the report data asked for — otherwise
 * ARCA_ERR_BAD_HOST_REPLY.
 * The signature is deliberately not verified here: relying parties do that.
 * Size negotiation with the loader is bounded: a few attempts, never above the format maximum.
 */
#include <stdlib.h>
#include <string.h>

#include "arca/attest.h"
#include "arca/enclave.h"
#include "base/error.h"
#include "formats/evidence.h"
#include "formats/runtime_abi.h"
#include "runtime.h"

#define FIRST_GUESS 2048u
#define MAX_ATTEMPTS 3

arca_result_t arca_get_evidence(const uint8_t report_data[ARCA_REPORT_DATA_SIZE], uint8_t **evidence,
                                size_t *len)
{
    arca_result_t result = ARCA_OK;
    const arca_identity_t *self = arca__enclave_identity();
    const struct arca__loader_iface *loader = arca__enclave_iface();
    uint8_t rd[ARCA_REPORT_DATA_SIZE];
    uint8_t *buf = NULL;
    size_t cap = FIRST_GUESS, got = 0;
    arca__evidence parsed;

    if (!report_data || !evidence || !len)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "arca_get_evidence: NULL argument");
    *evidence = NULL;
    *len = 0;
    if (!self || !loader)
        ARCA_RAISE(ARCA_ERR_INTERNAL, "arca_get_evidence: called before the enclave was initialised");
    memcpy(rd, report_data, sizeof rd); /* a stable private copy to request and compare */

    for (int attempt = 0;; attempt++) {
        free(buf);
        buf = malloc(cap);
        if (!buf)
            ARCA_RAISE(ARCA_ERR_OUT_OF_MEMORY, "arca_get_evidence: cannot allocate %zu bytes", cap);
        got = 0;
        result = loader->get_evidence(loader->services, rd, buf, cap, &got);
        if (!arca_result_valid((int)result))
            result = ARCA_ERR_BAD_HOST_REPLY;
        if (result == ARCA_OK && got > cap)
            ARCA_RAISE(ARCA_ERR_BAD_HOST_REPLY, "arca_get_evidence: the platform returned %zu "
                       "bytes into %zu", got, cap);
        if (result == ARCA_OK)
            break;
        if (result != ARCA_ERR_BUFFER_TOO_SMALL)
            ARCA_RAISE(result, "arca_get_evidence: the platform could not provide evidence (%s)",
                       arca_result_name(result));
        /* "Too small" must ask for more than was offered, and never more than the format allows. */
        if (attempt + 1 >= MAX_ATTEMPTS || got <= cap || got > ARCA_EVIDENCE_MAX_SIZE)
            ARCA_RAISE(ARCA_ERR_BAD_HOST_REPLY,
                       "arca_get_evidence: the platform asked for %zu bytes after %zu were offered "
                       "(attempt %d); evidence is at most %u bytes", got, cap, attempt + 1,
                       (unsigned)ARCA_EVIDENCE_MAX_SIZE);
        cap = got;
    }

    if (arca__evidence_parse(buf, got, &parsed) != ARCA_OK)
        ARCA_RAISE(ARCA_ERR_BAD_HOST_REPLY, "arca_get_evidence: the platform's reply is not evidence v2");
    if (!arca__identity_equal(&parsed.identity, self))
        ARCA_RAISE(ARCA_ERR_BAD_HOST_REPLY,
                   "arca_get_evidence: the platform returned evidence about another identity");
    if (memcmp(parsed.report_data, rd, sizeof rd) != 0)
        ARCA_RAISE(ARCA_ERR_BAD_HOST_REPLY,
                   "arca_get_evidence: the platform returned evidence for other report data");
    *evidence = buf;
    *len = got;
    buf = NULL;
done:
    free(buf);
    return result;
}

void arca_free_evidence(uint8_t *evidence)
{
    free(evidence);
}
