/*
 * evidence.c — serializer and parser of attestation evidence v2 (layout in evidence.h and
 * docs/formats.md). Shared by the platforms (build), the verifier and the enclave runtime
 * (parse), with the two facts about backends and protection bits that both the platform and
 * the verifier rely on (which backends isolate; which protection sets are contradictory).
 *
 * The parser must never read outside its input, never trust a length before checking it
 * against what remains, and never accept trailing bytes or non-zero reserved fields: any
 * change to the blob must either be rejected here or break the signature. It verifies no
 * signature and makes no trust decision; that is the verifier's job.
 */
#include "evidence.h"

#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/le.h"

static int all_zero(const uint8_t *p, size_t n)
{
    uint8_t acc = 0;
    for (size_t i = 0; i < n; i++)
        acc |= p[i];
    return acc == 0;
}

arca_result_t arca__evidence_parse(const uint8_t *bytes, size_t len, arca__evidence *out)
{
    arca_result_t result = ARCA_OK;
    size_t off = ARCA_EVIDENCE_FIXED_SIZE;

    if (!bytes || !out)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "evidence: NULL argument");
    memset(out, 0, sizeof *out);
    if (len > ARCA_EVIDENCE_MAX_SIZE)
        ARCA_RAISE(ARCA_ERR_BAD_EVIDENCE, "evidence: %zu bytes exceeds the maximum of %u", len,
                   (unsigned)ARCA_EVIDENCE_MAX_SIZE);
    if (len < ARCA_EVIDENCE_FIXED_SIZE + ARCA_EVIDENCE_SIG_SIZE)
        ARCA_RAISE(ARCA_ERR_BAD_EVIDENCE, "evidence: only %zu bytes; at least %u are needed", len,
                   (unsigned)(ARCA_EVIDENCE_FIXED_SIZE + ARCA_EVIDENCE_SIG_SIZE));
    if (memcmp(bytes, ARCA_EVIDENCE_MAGIC, 8) != 0)
        ARCA_RAISE(ARCA_ERR_BAD_EVIDENCE, "evidence: bad magic (not Arca evidence)");
    out->version = arca__get_le16(bytes + 8);
    if (out->version == 1)
        ARCA_RAISE(ARCA_ERR_BAD_EVIDENCE,
                   "evidence: version 1 (from an Arca release before runtime digests) is no longer "
                   "accepted: it cannot say which runtime ran the enclave; produce new evidence "
                   "with this release");
    if (out->version != ARCA_EVIDENCE_VERSION)
        ARCA_RAISE(ARCA_ERR_BAD_EVIDENCE, "evidence: unsupported version %u (this build reads %u)",
                   out->version, ARCA_EVIDENCE_VERSION);
    out->platform_kind = arca__get_le16(bytes + 10);
    if (out->platform_kind != ARCA_PLATFORM_DEV &&
        out->platform_kind != ARCA_PLATFORM_ARCAD)
        ARCA_RAISE(ARCA_ERR_BAD_EVIDENCE, "evidence: unknown platform kind %u", out->platform_kind);
    if (!all_zero(bytes + 12, 4) || !all_zero(bytes + 118, 2) || !all_zero(bytes + 132, 4))
        ARCA_RAISE(ARCA_ERR_BAD_EVIDENCE, "evidence: reserved bytes are not zero");
    memcpy(out->platform_id, bytes + 16, 32);
    memcpy(out->identity.measurement, bytes + 48, 32);
    memcpy(out->identity.signer_id, bytes + 80, 32);
    out->identity.product_id = arca__get_le16(bytes + 112);
    out->identity.svn = arca__get_le16(bytes + 114);
    out->identity.backend = arca__get_le16(bytes + 116);
    out->identity.attributes = arca__get_le64(bytes + 120);
    out->identity.protections = arca__get_le32(bytes + 128);
    memcpy(out->report_data, bytes + 136, ARCA_REPORT_DATA_SIZE);
    out->timestamp_ns = arca__get_le64(bytes + 200);
    memcpy(out->runtime_digest, bytes + ARCA_EVIDENCE_RUNTIME_OFFSET, 32);
    out->cert_count = arca__get_le32(bytes + ARCA_EVIDENCE_RUNTIME_OFFSET + 32);
    if (out->cert_count < 1 || out->cert_count > ARCA_EVIDENCE_MAX_CERTS)
        ARCA_RAISE(ARCA_ERR_BAD_EVIDENCE, "evidence: certificate count %u is outside 1..%u",
                   out->cert_count, (unsigned)ARCA_EVIDENCE_MAX_CERTS);

    /* The signature occupies the last 64 bytes; certificates must fit exactly before it. */
    size_t body_end = len - ARCA_EVIDENCE_SIG_SIZE;
    for (uint32_t i = 0; i < out->cert_count; i++) {
        size_t end;
        if (body_end - off < 4)
            ARCA_RAISE(ARCA_ERR_BAD_EVIDENCE, "evidence: certificate %u length at offset %zu is truncated",
                       i, off);
        uint32_t cl = arca__get_le32(bytes + off);
        off += 4;
        if (cl < 1 || cl > ARCA_EVIDENCE_MAX_CERT_SIZE)
            ARCA_RAISE(ARCA_ERR_BAD_EVIDENCE, "evidence: certificate %u length %u is outside 1..%u", i,
                       cl, (unsigned)ARCA_EVIDENCE_MAX_CERT_SIZE);
        if (__builtin_add_overflow(off, (size_t)cl, &end) || end > body_end)
            ARCA_RAISE(ARCA_ERR_BAD_EVIDENCE,
                       "evidence: certificate %u (%u bytes at offset %zu) runs past the end", i, cl, off);
        out->cert[i] = bytes + off;
        out->cert_len[i] = cl;
        off = end;
    }
    if (off != body_end)
        ARCA_RAISE(ARCA_ERR_BAD_EVIDENCE, "evidence: %zu unexpected bytes before the signature",
                   body_end - off);
    out->signed_len = body_end;
    out->signature = bytes + body_end;

done:
    if (result != ARCA_OK && out)
        memset(out, 0, sizeof *out);
    return result;
}

arca_result_t arca__evidence_build(uint16_t platform_kind, const uint8_t platform_id[32],
                                   const arca_identity_t *identity,
                                   const uint8_t runtime_digest[32],
                                   const uint8_t report_data[ARCA_REPORT_DATA_SIZE],
                                   uint64_t timestamp_ns, const uint8_t *const *certs,
                                   const size_t *cert_lens, uint32_t cert_count, uint8_t **out,
                                   size_t *out_len)
{
    arca_result_t result = ARCA_OK;
    uint8_t *buf = NULL;
    size_t total = ARCA_EVIDENCE_FIXED_SIZE + ARCA_EVIDENCE_SIG_SIZE;

    if (!platform_id || !identity || !runtime_digest || !report_data || !certs || !cert_lens ||
        !out || !out_len)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "evidence: NULL argument");
    *out = NULL;
    *out_len = 0;
    if (cert_count < 1 || cert_count > ARCA_EVIDENCE_MAX_CERTS)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "evidence: certificate count %u is outside 1..%u",
                   cert_count, (unsigned)ARCA_EVIDENCE_MAX_CERTS);
    for (uint32_t i = 0; i < cert_count; i++) {
        if (!certs[i] || cert_lens[i] < 1 || cert_lens[i] > ARCA_EVIDENCE_MAX_CERT_SIZE)
            ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "evidence: certificate %u has a bad length %zu", i,
                       cert_lens[i]);
        total += 4 + cert_lens[i]; /* bounded by ARCA_EVIDENCE_MAX_SIZE: cannot overflow */
    }
    buf = calloc(1, total);
    if (!buf)
        ARCA_RAISE(ARCA_ERR_OUT_OF_MEMORY, "evidence: cannot allocate %zu bytes", total);
    memcpy(buf, ARCA_EVIDENCE_MAGIC, 8);
    arca__put_le16(buf + 8, ARCA_EVIDENCE_VERSION);
    arca__put_le16(buf + 10, platform_kind);
    memcpy(buf + 16, platform_id, 32);
    memcpy(buf + 48, identity->measurement, 32);
    memcpy(buf + 80, identity->signer_id, 32);
    arca__put_le16(buf + 112, identity->product_id);
    arca__put_le16(buf + 114, identity->svn);
    arca__put_le16(buf + 116, identity->backend);
    arca__put_le64(buf + 120, identity->attributes);
    arca__put_le32(buf + 128, identity->protections);
    memcpy(buf + 136, report_data, ARCA_REPORT_DATA_SIZE);
    arca__put_le64(buf + 200, timestamp_ns);
    memcpy(buf + ARCA_EVIDENCE_RUNTIME_OFFSET, runtime_digest, 32);
    arca__put_le32(buf + ARCA_EVIDENCE_RUNTIME_OFFSET + 32, cert_count);
    size_t off = ARCA_EVIDENCE_FIXED_SIZE;
    for (uint32_t i = 0; i < cert_count; i++) {
        arca__put_le32(buf + off, (uint32_t)cert_lens[i]);
        memcpy(buf + off + 4, certs[i], cert_lens[i]);
        off += 4 + cert_lens[i];
    }
    *out = buf;
    *out_len = total;
    buf = NULL;

done:
    free(buf);
    return result;
}

int arca__backend_isolates(uint16_t backend)
{
    return backend == ARCA_BACKEND_ID_PROCESS || backend == ARCA_BACKEND_ID_SGX ||
           backend == ARCA_BACKEND_ID_CVM;
}

const char *arca__protections_contradiction(uint16_t backend, uint32_t protections)
{
    const char *why = NULL;
    if ((protections & ARCA_PROT_SECRETMEM) && (protections & ARCA_PROT_MLOCK))
        why = "secretmem and mlock together: the enclave heap is either in memfd_secret memory or "
              "in its mlock fallback, never both";
    else if (backend == ARCA_BACKEND_ID_SIM && protections != 0)
        why = "protections on backend sim: sim loads the enclave into the host process, which "
              "protects nothing";
    else if (protections != 0 && !(protections & ARCA_PROT_SEPARATE_PROCESS))
        why = "protections without separate-process: every protection bit describes the process "
              "the enclave runs in, and none holds for an enclave inside its host's process";
    else if ((backend == ARCA_BACKEND_ID_PROCESS || backend == ARCA_BACKEND_ID_CVM) &&
             !(protections & ARCA_PROT_SEPARATE_PROCESS))
        why = "no separate-process on a backend that always runs the enclave in its own process";
    return why;
}

int arca__identity_equal(const arca_identity_t *a, const arca_identity_t *b)
{
    return memcmp(a->measurement, b->measurement, 32) == 0 &&
           memcmp(a->signer_id, b->signer_id, 32) == 0 && a->product_id == b->product_id &&
           a->svn == b->svn && a->attributes == b->attributes && a->backend == b->backend &&
           a->protections == b->protections;
}
