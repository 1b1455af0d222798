/*
 * snp_report.c — reads an AMD SEV-SNP ATTESTATION_REPORT into its fields and its signature.
 * Pure bytes-in, fields-out: no crypto, no allocation.
 *
 * The report has a fixed size, so every offset is a constant inside it; the checks here are
 * the ones the ABI makes: version, signature algorithm, signing key, must-be-zero fields and
 * the zero padding above each 48-byte signature component. It must never read outside the
 * report and never accept an unsigned report (SIGNING_KEY = none).
 */
#include "verify/snp/snp_report.h"

#include <string.h>

#include "base/error.h"
#include "base/le.h"

int arca__snp_report_detect(const uint8_t *bytes, size_t len)
{
    uint32_t version;
    if (!bytes || len != ARCA__SNP_REPORT_SIZE)
        return 0;
    version = arca__get_le32(bytes);
    return version >= 2 && version <= 255 && arca__get_le32(bytes + 0x34) == 1;
}

arca__snp_tcb arca__snp_tcb_decode(uint64_t raw, int turin)
{
    arca__snp_tcb t;
    memset(&t, 0, sizeof t);
    t.raw = raw;
    if (turin) { /* FMC, BOOT_LOADER, TEE, SNP, reserved[3], MICROCODE */
        t.fmc = (uint8_t)raw;
        t.bootloader = (uint8_t)(raw >> 8);
        t.tee = (uint8_t)(raw >> 16);
        t.snp = (uint8_t)(raw >> 24);
    } else { /* BOOT_LOADER, TEE, reserved[4], SNP, MICROCODE */
        t.bootloader = (uint8_t)raw;
        t.tee = (uint8_t)(raw >> 8);
        t.snp = (uint8_t)(raw >> 48);
    }
    t.microcode = (uint8_t)(raw >> 56);
    return t;
}

/* Reverse a little-endian 72-byte component into 48 big-endian bytes; -1 if the padding
 * above the low 48 bytes is not zero. */
static int component(const uint8_t *le72, uint8_t be48[48])
{
    for (size_t i = 48; i < 72; i++)
        if (le72[i] != 0)
            return -1;
    for (size_t i = 0; i < 48; i++)
        be48[i] = le72[47 - i];
    return 0;
}

arca_result_t arca__snp_report_parse(const uint8_t *b, size_t len, arca__hw_snp *out, uint8_t r[48],
                                     uint8_t s[48])
{
    arca_result_t result = ARCA_OK;
    uint32_t key;

    if (!out || !r || !s || (!b && len != 0))
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "snp_report_parse: NULL argument");
    memset(out, 0, sizeof *out);
    if (len != ARCA__SNP_REPORT_SIZE)
        ARCA_RAISE(ARCA_ERR_BAD_EVIDENCE, "SEV-SNP report: %zu bytes, expected %u", len,
                   ARCA__SNP_REPORT_SIZE);
    out->version = arca__get_le32(b);
    if (out->version != 2 && out->version != 3 && out->version != 5)
        ARCA_RAISE(ARCA_ERR_BAD_VERSION,
                   "SEV-SNP report version %u is not supported (2, 3 and 5 "
                   "are)",
                   out->version);
    out->guest_svn = arca__get_le32(b + 0x04);
    out->policy = arca__get_le64(b + 0x08);
    memcpy(out->family_id, b + 0x10, 16);
    memcpy(out->image_id, b + 0x20, 16);
    out->vmpl = arca__get_le32(b + 0x30);
    out->signature_algo = arca__get_le32(b + 0x34);
    if (out->signature_algo != 1)
        ARCA_RAISE(ARCA_ERR_UNSUPPORTED,
                   "SEV-SNP report: signature algorithm %u is not supported "
                   "(1, ECDSA P-384 with SHA-384, is)",
                   out->signature_algo);
    out->current_tcb.raw = arca__get_le64(b + 0x38);
    out->platform_info = arca__get_le64(b + 0x40);
    out->signer_info = arca__get_le32(b + 0x48);
    if (out->signer_info >> 5)
        ARCA_RAISE(ARCA_ERR_BAD_EVIDENCE,
                   "SEV-SNP report: reserved signer-info bits are set "
                   "(0x%x)",
                   out->signer_info);
    key = (out->signer_info >> 2) & 7;
    if (key == 7)
        ARCA_RAISE(ARCA_ERR_BAD_EVIDENCE, "SEV-SNP report is not signed (SIGNING_KEY = none)");
    if (key != ARCA__SNP_SIGNING_VCEK && key != ARCA__SNP_SIGNING_VLEK)
        ARCA_RAISE(ARCA_ERR_UNSUPPORTED, "SEV-SNP report: signing key %u is not a VCEK or VLEK",
                   key);
    out->vlek = key == ARCA__SNP_SIGNING_VLEK;
    if (arca__get_le32(b + 0x4C) != 0)
        ARCA_RAISE(ARCA_ERR_BAD_EVIDENCE, "SEV-SNP report: reserved word at 0x4C is not zero");
    memcpy(out->report_data, b + 0x50, 64);
    memcpy(out->measurement, b + 0x90, 48);
    memcpy(out->host_data, b + 0xC0, 32);
    memcpy(out->id_key_digest, b + 0xE0, 48);
    memcpy(out->author_key_digest, b + 0x110, 48);
    memcpy(out->report_id, b + 0x140, 32);
    memcpy(out->report_id_ma, b + 0x160, 32);
    out->reported_tcb.raw = arca__get_le64(b + 0x180);
    if (out->version >= 3) {
        out->cpuid_fam_id = b[0x188];
        out->cpuid_mod_id = b[0x189];
        out->cpuid_step = b[0x18A];
    }
    memcpy(out->chip_id, b + 0x1A0, 64);
    out->committed_tcb.raw = arca__get_le64(b + 0x1E0);
    out->current_build = b[0x1E8];
    out->current_minor = b[0x1E9];
    out->current_major = b[0x1EA];
    out->committed_build = b[0x1EC];
    out->committed_minor = b[0x1ED];
    out->committed_major = b[0x1EE];
    out->launch_tcb.raw = arca__get_le64(b + 0x1F0);
    if (out->version >= 5) {
        out->launch_mit_vector = arca__get_le64(b + 0x1F8);
        out->current_mit_vector = arca__get_le64(b + 0x200);
    }
    if (component(b + ARCA__SNP_SIG_R, r) != 0 || component(b + ARCA__SNP_SIG_S, s) != 0)
        ARCA_RAISE(ARCA_ERR_BAD_EVIDENCE, "SEV-SNP report: the signature's padding above 48 "
                                          "bytes is not zero");
done:
    return result;
}
