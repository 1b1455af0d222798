/*
 * format.h — the verifier's evidence-format registry: one const ops entry per format, each
 * recognising its bytes and verifying them against a policy into claims. arca_verify_evidence()
 * asks the registry (formats.c) which entry's detect() claims the bytes and calls its verify().
 *
 * Order and membership: Arca evidence v2 first (verify.c), then, in host-side builds only, the
 * hardware formats (src/verify/hw: dcap quote, snp report, azure hcl). Detection must be
 * unambiguous: each detect() looks at magic numbers or fixed header values no other format
 * can have, and the registry takes the first entry that claims the bytes.
 * Adding a format: one directory with its parser and verifier and one entry (this struct),
 * and one line in a registry list (docs/architecture.md, "Adding an evidence format").
 * Internal header: never installed.
 */
#ifndef ARCA_VERIFY_FORMAT_H
#define ARCA_VERIFY_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#include "arca/verify.h"

struct arca__hw_verifier;

typedef struct arca__evidence_format {
    uint16_t id;      /* ARCA_EVIDENCE_* */
    const char *name; /* "arca-evidence", "dcap-quote", ... (what `arca verify` prints) */
    /** 1 when @p bytes are of this format (no verification; never reads past @p len). */
    int (*detect)(const uint8_t *bytes, size_t len);
    /**
     * Verify @p bytes against @p policy as of @p now_ns (unix ns). On success fills @p claims
     * (may be NULL; the caller zeroed it) and returns ARCA_OK; every refusal has its own result
     * and a detail sentence naming the failed check.
     */
    arca_result_t (*verify)(const struct arca__evidence_format *self, const uint8_t *bytes,
                            size_t len, const arca_policy_t *policy, uint64_t now_ns,
                            arca_claims_t *claims);
    /**
     * Hardware formats only (NULL otherwise): the offline verification of the bytes into TEE
     * claims with a hardware verifier's roots and collateral (src/verify/hw/hw.h); their
     * verify() is arca__hw_evidence_verify(), which calls this and then applies the policy.
     */
    arca_result_t (*hw_verify)(struct arca__hw_verifier *v, const uint8_t *bytes, size_t len,
                               int64_t at, arca_tee_claims_t *claims);
} arca__evidence_format;

/** The entry whose detect() claims @p bytes, or NULL. */
const arca__evidence_format *arca__evidence_format_find(const uint8_t *bytes, size_t len);

/** Arca evidence v2 (verify.c). */
extern const arca__evidence_format arca__format_arca_v2;

/**
 * The hardware formats (host side only: src/verify/hw/hw.c, NULL-terminated, in detection
 * order); each entry lives in its own directory (intel/, snp/, azure/).
 */
extern const arca__evidence_format *const arca__hw_formats[];
extern const arca__evidence_format arca__format_dcap_quote;
extern const arca__evidence_format arca__format_snp_report;
extern const arca__evidence_format arca__format_azure_hcl;

/** The verify() of every hardware format: policy completeness, hw_verify(), then the policy. */
arca_result_t arca__hw_evidence_verify(const arca__evidence_format *self, const uint8_t *bytes,
                                       size_t len, const arca_policy_t *policy, uint64_t now_ns,
                                       arca_claims_t *claims);

/** A hardware format's entry, defined in its directory: verify() is arca__hw_evidence_verify(). */
#define ARCA__HW_FORMAT(entry, id_, name_, detect_, hw_verify_)                                   \
    const arca__evidence_format entry = {.id = (id_), .name = (name_), .detect = (detect_),       \
                                         .verify = arca__hw_evidence_verify,                     \
                                         .hw_verify = (hw_verify_)}

#endif
