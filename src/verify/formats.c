/*
 * formats.c — the evidence-format registry (format.h): which formats this build verifies, in
 * detection order, and the lookup arca_verify_evidence() dispatches through.
 *
 * Arca evidence v2 comes first; host-side builds (ARCA_VERIFY_HW: libarca_verify and libarca,
 * which link src/verify/hw) add the hardware formats after it. The enclave-side build has no
 * hardware formats: their code needs json-c, which enclaves do not carry, and hardware evidence
 * is refused there as a format the build does not know. This file only routes: it must never
 * verify anything itself or pick an entry whose detect() did not claim the bytes.
 */
#include <stddef.h>

#include "format.h"

/* Formats verified on both sides. Adding one: a line here (docs/architecture.md). */
static const arca__evidence_format *const arca_formats[] = {
    &arca__format_arca_v2,
    NULL,
};

/* The registry: lists of entries, searched in order. */
static const arca__evidence_format *const *const registry[] = {
    arca_formats,
#ifdef ARCA_VERIFY_HW
    arca__hw_formats, /* src/verify/hw/hw.c: dcap quote, snp report, azure hcl */
#endif
};

const arca__evidence_format *arca__evidence_format_find(const uint8_t *bytes, size_t len)
{
    const arca__evidence_format *found = NULL;
    if (!bytes)
        return NULL;
    for (size_t l = 0; l < sizeof registry / sizeof registry[0] && !found; l++)
        for (size_t i = 0; registry[l][i] && !found; i++)
            if (registry[l][i]->detect(bytes, len))
                found = registry[l][i];
    return found;
}

uint16_t arca_evidence_detect(const uint8_t *evidence, size_t len)
{
    const arca__evidence_format *f = arca__evidence_format_find(evidence, len);
    return f ? f->id : 0;
}

const char *arca_evidence_format_name(uint16_t format)
{
    const char *name = "unknown";
    for (size_t l = 0; l < sizeof registry / sizeof registry[0]; l++)
        for (size_t i = 0; registry[l][i]; i++)
            if (registry[l][i]->id == format)
                name = registry[l][i]->name;
    return name;
}
