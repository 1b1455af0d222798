/*
 * snp_verify.c — verifies an AMD SEV-SNP attestation report offline: the VCEK (or VLEK) from
 * the collateral, its chain to a pinned ARK (VCEK -> ASK -> ARK, VLEK -> ASVK -> ARK, all
 * RSASSA-PSS SHA-384), the report's TCB and chip id against the certificate's extensions,
 * and the report's ECDSA P-384 signature.
 *
 * Order: parse; pick the certificate (the one whose hardware id and TCB match the report);
 * verify its chain (cached by certificate hash); compare TCB and chip id on the verified
 * extensions; verify the signature; then fill claims. This file must never compare against
 * an extension of a certificate whose chain did not verify, and never fill claims before the
 * signature verified.
 */
#include <stdio.h>
#include <string.h>

#include "base/error.h"
#include "base/hex.h"
#include "verify/format.h"
#include "verify/hw/hw_internal.h"
#include "verify/snp/snp_report.h"

/* Which TCB layout a report uses: from CPUID (v3+), else from the certificate's product. */
static int turin_layout(const arca__hw_snp *r, const char *product)
{
    if (r->cpuid_fam_id != 0)
        return r->cpuid_fam_id >= 0x1A;
    return strncmp(product, "Turin", 5) == 0;
}

/* The report's reported TCB against the certificate's SPL extensions; 0 when equal. */
static int tcb_matches(const arca__hw_snp *r, const arca__amd_cert_ext *ext, int turin, char *why,
                       size_t cap)
{
    arca__snp_tcb t = arca__snp_tcb_decode(r->reported_tcb.raw, turin);
    static const struct {
        int spl;
        const char *name;
    } fields[] = {{1, "boot loader"}, {2, "TEE"}, {3, "SNP"}, {8, "microcode"}, {9, "FMC"}};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        int spl = fields[i].spl;
        uint8_t want = spl == 1   ? t.bootloader
                       : spl == 2 ? t.tee
                       : spl == 3 ? t.snp
                       : spl == 8 ? t.microcode
                                  : t.fmc;
        if (spl == 9 && !turin)
            continue;
        if (!ext->has_spl[spl]) {
            snprintf(why, cap, "the certificate has no %s SPL extension", fields[i].name);
            return -1;
        }
        if (ext->spl[spl] != want) {
            snprintf(why, cap, "%s SVN: report %u, certificate %u", fields[i].name, want,
                     ext->spl[spl]);
            return -1;
        }
    }
    return 0;
}

/* The report's chip id against the certificate's hwID; 0 when equal (or not applicable). */
static int chip_matches(const arca__hw_snp *r, const arca__amd_cert_ext *ext)
{
    if (r->vlek || (r->signer_info & ARCA__SNP_SIGNER_MASK_CHIP_ID))
        return 0;
    return ext->hwid_len > 0 && memcmp(ext->hwid, r->chip_id, ext->hwid_len) == 0 ? 0 : -1;
}

arca_result_t arca__snp_verify(arca__hw_verifier *v, const uint8_t *bytes, size_t len, int64_t at,
                               arca__hw_claims *claims)
{
    arca_result_t result = ARCA_OK;
    arca__hw_snp rep;
    uint8_t r[48], s[48];
    arca__hw_chain chain;
    const char *want_cn;
    size_t candidates = 0, chip_ok = 0;
    char why[160] = "", cn[64];
    int found = 0, turin = 0;
    static const uint8_t zero48[48];

    memset(&chain, 0, sizeof chain);
    ARCA_CHECK(arca__snp_report_parse(bytes, len, &rep, r, s));
    want_cn = rep.vlek ? "SEV-VLEK" : "SEV-VCEK";

    /* Pick the certificate: a VCEK/VLEK of the pool whose hwID and TCB match the report. */
    for (size_t i = 0; i < v->cert_count && !found; i++) {
        arca__cert *cert = v->certs[i];
        uint8_t key[32];
        arca__amd_cert_ext ext;
        int cached;

        arca__cert_cn(cert, 0, cn, sizeof cn);
        if (strcmp(cn, want_cn) != 0)
            continue;
        candidates++;
        ARCA_CHECK(
            arca__hw_key(v->amd_crl ? "snp-leaf+crl" : "snp-leaf", arca__cert_hash(cert), 32, key));
        cached = arca__hw_cache_get(v, key, at, &chain);
        if (cached)
            ext = chain.amd;
        else if (arca__cert_amd_ext(cert, &ext) != ARCA_OK)
            continue;
        turin = turin_layout(&rep, ext.product);
        if (chip_matches(&rep, &ext) != 0 || tcb_matches(&rep, &ext, turin, why, sizeof why) != 0) {
            if (chip_matches(&rep, &ext) == 0)
                chip_ok++;
            arca__hw_chain_clear(&chain);
            continue;
        }
        if (!cached) {
            arca__chain_params params;
            memset(&params, 0, sizeof params);
            params.at = at;
            params.crl_mode = v->amd_crl ? ARCA__CHAIN_CRL_CA_ONLY : ARCA__CHAIN_CRL_NONE;
            params.sig = ARCA__CHAIN_SIG_RSA_PSS_SHA384;
            params.what = rep.vlek ? "VLEK certificate chain" : "VCEK certificate chain";
            ARCA_CHECK(arca__hw_chain_verify(v, cert, NULL, 0, &params, 2, &chain));
            arca__hw_cache_put(v, key, &chain);
        }
        found = 1;
    }
    if (!found) {
        if (candidates == 0)
            ARCA_RAISE(ARCA_ERR_COLLATERAL_MISSING,
                       "SEV-SNP report signed by a %s, but the collateral holds no %s "
                       "certificate: supply it (from AMD KDS or the host's certificate table)",
                       rep.vlek ? "VLEK" : "VCEK", want_cn);
        if (chip_ok == 0)
            ARCA_RAISE(ARCA_ERR_CHIP_MISMATCH,
                       "SEV-SNP report: its chip id matches the hardware id of none of the %zu "
                       "%s certificate(s) supplied",
                       candidates, want_cn);
        ARCA_RAISE(ARCA_ERR_TCB_MISMATCH,
                   "SEV-SNP report: its reported TCB does not match the %s certificate's TCB "
                   "extensions (%s); fetch the certificate for this TCB",
                   want_cn, why);
    }

    /* The certificate's product against the report's CPUID family (v3 and later). */
    if (rep.cpuid_fam_id != 0) {
        int turin_cert = strncmp(chain.amd.product, "Turin", 5) == 0;
        int known = turin_cert || strncmp(chain.amd.product, "Milan", 5) == 0 ||
                    strncmp(chain.amd.product, "Genoa", 5) == 0;
        if (known && (turin_cert ? rep.cpuid_fam_id != 0x1A : rep.cpuid_fam_id != 0x19))
            ARCA_RAISE(ARCA_ERR_COLLATERAL_MISMATCH,
                       "SEV-SNP report from CPU family 0x%02x, but its certificate is for %s",
                       rep.cpuid_fam_id, chain.amd.product);
    }

    if (arca__pubkey_size(chain.key) != 48)
        ARCA_RAISE(ARCA_ERR_KEY, "the %s key is not on P-384", want_cn);
    if (arca__pubkey_verify(chain.key, bytes, ARCA__SNP_SIGNED_SIZE, r, s, 48) != ARCA_OK)
        ARCA_RAISE(ARCA_ERR_VERIFY_SIGNATURE,
                   "SEV-SNP report signature does not verify under the %s: the report was "
                   "modified or signed by another chip",
                   want_cn);

    /* Claims. */
    rep.turin_layout = turin;
    rep.current_tcb = arca__snp_tcb_decode(rep.current_tcb.raw, turin);
    rep.reported_tcb = arca__snp_tcb_decode(rep.reported_tcb.raw, turin);
    rep.committed_tcb = arca__snp_tcb_decode(rep.committed_tcb.raw, turin);
    rep.launch_tcb = arca__snp_tcb_decode(rep.launch_tcb.raw, turin);
    snprintf(rep.product, sizeof rep.product, "%s", chain.amd.product);
    snprintf(rep.csp_id, sizeof rep.csp_id, "%s", chain.amd.csp_id);
    /* The signer is the ID key's digest, when the guest was launched with an ID block. */
    arca__hw_claims_set(claims, ARCA__TEE_SNP, rep.measurement, 48,
                        memcmp(rep.id_key_digest, zero48, 48) != 0 ? rep.id_key_digest : NULL, 48,
                        (rep.policy & ARCA__SNP_POLICY_DEBUG) != 0, rep.report_data);
    claims->evidence_version = rep.version;
    memcpy(claims->root_hash, chain.root_hash, 32);
    claims->has_svn = 1;
    claims->svn = rep.guest_svn;
    claims->tcb_status = ARCA__TCB_NOT_EVALUATED;
    if (!rep.vlek && !(rep.signer_info & ARCA__SNP_SIGNER_MASK_CHIP_ID)) {
        claims->has_chip_id = 1;
        claims->chip_id_len = chain.amd.hwid_len;
        memcpy(claims->chip_id, rep.chip_id, 64);
    }
    claims->snp = rep;
done:
    arca__hw_chain_clear(&chain);
    return result;
}

/* The registry's entry (verify/format.h). */
ARCA__HW_FORMAT(arca__format_snp_report, ARCA_EVIDENCE_SNP_REPORT, "snp-report",
                arca__snp_report_detect, arca__snp_verify);
