/*
 * policy_tee.c — what a policy requires of hardware evidence, and the verify() that every
 * hardware entry of the evidence-format registry shares: policy.conf's hardware keys (TEE
 * itself is the parser's, policy_conf.c), the policy's pinned roots and collateral
 * (arca_policy_add_tee_root*, arca_policy_add_collateral*), the completeness check, and the
 * comparison of verified TEE claims with the policy.
 *
 * Divisions: the policy's verifier and the public setters; the verification time; policy.conf
 * values; completeness; the claims against the policy; the registry's verify().
 *
 * Order at verification (arca__hw_evidence_verify): the policy is for hardware evidence and
 * complete; the offline verification (hw.c and the format's directory) at the verification
 * time; then TEE, debug, measurements, signer, product, SVNs, VMPL, TCB status and advisories,
 * report data, each with its own result and a sentence naming the check and the values. It
 * must never compare anything before the evidence verified, never hand out claims of refused
 * evidence, and never let a missing key mean "anything" where the key is the only defence: the
 * TCB status defaults to UpToDate only, advisories to none, the VMPL to 0.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "base/error.h"
#include "base/hex.h"
#include "verify/format.h"
#include "verify/hw/hw_internal.h"
#include "verify/intel/collateral.h"
#include "verify/policy_text.h"
#include "verify/verify_internal.h"

#define MAX_ADVISORIES 1024u

/* ---- the policy's verifier and the public setters ---- */

/* The policy's hardware verifier (roots, collateral, chain cache), created on first need. */
static arca_result_t tee_verifier(arca_policy_t *policy, arca__hw_verifier **out)
{
    arca_result_t result = ARCA_OK;
    if (!policy->tee.verifier)
        ARCA_CHECK(arca__hw_verifier_create(&policy->tee.verifier));
    *out = policy->tee.verifier;
done:
    return result;
}

void arca__policy_tee_clear(struct arca__policy_tee *tee)
{
    free(tee->sgx_mrenclave);
    free(tee->advisories);
    arca__hw_verifier_free(tee->verifier);
    memset(tee, 0, sizeof *tee);
}

/* Pin roots from the file @p path, or from @p bytes when path is NULL; ARCA_ERR_POLICY if not. */
static arca_result_t add_root(arca_policy_t *policy, const uint8_t *bytes, size_t len,
                              const char *path)
{
    arca_result_t result = ARCA_OK;
    arca__hw_verifier *v;

    if (!policy || (!bytes && !path))
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "arca_policy_add_tee_root: NULL argument");
    ARCA_CHECK(tee_verifier(policy, &v));
    if ((path ? arca__hw_add_root_file(v, path)
              : arca__hw_add_root(v, bytes, len, "trusted root")) != ARCA_OK)
        ARCA_RAISE(ARCA_ERR_POLICY, "policy: TrustedRoot: %s (a root must be a self-signed CA: "
                   "the Intel SGX Root CA or an AMD ARK)", arca__error_detail());
    policy->tee.root_count++;
done:
    return result;
}

arca_result_t arca_policy_add_tee_root(arca_policy_t *policy, const uint8_t *cert, size_t len)
{
    return add_root(policy, cert, len, NULL);
}

arca_result_t arca_policy_add_tee_root_file(arca_policy_t *policy, const char *path)
{
    return add_root(policy, NULL, 0, path);
}

arca_result_t arca_policy_add_collateral(arca_policy_t *policy, const uint8_t *bytes, size_t len,
                                         const char *name)
{
    arca_result_t result = ARCA_OK;
    arca__hw_verifier *v;

    if (!policy)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "arca_policy_add_collateral: NULL policy");
    ARCA_CHECK(tee_verifier(policy, &v));
    ARCA_CHECK(arca__hw_add_collateral(v, bytes, len, name ? name : "collateral"));
done:
    return result;
}

arca_result_t arca_policy_add_collateral_path(arca_policy_t *policy, const char *path)
{
    arca_result_t result = ARCA_OK;
    arca__hw_verifier *v;

    if (!policy)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "arca_policy_add_collateral_path: NULL policy");
    ARCA_CHECK(tee_verifier(policy, &v));
    ARCA_CHECK(arca__hw_add_collateral_path(v, path));
done:
    return result;
}

/* ---- the verification time ---- */

arca_result_t arca_verify_parse_time(const char *text, uint64_t *at_ns)
{
    arca_result_t result = ARCA_OK;
    int64_t secs = 0;
    uint64_t u = 0;

    if (!text || !at_ns)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "arca_verify_parse_time: NULL argument");
    if (arca__policy_u64(text, UINT64_MAX / 1000000000u, &u) == 0)
        secs = (int64_t)u;
    else if (arca__intel_parse_date(text, &secs) != 0 || secs < 0)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "'%s' is not a time: write it as in RFC 3339 in UTC "
                   "(2025-06-20T00:00:00Z) or as unix seconds", text);
    if (secs == 0 || (uint64_t)secs > UINT64_MAX / 1000000000u)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "'%s': the verification time must lie after 1970 "
                   "and before 2554", text);
    *at_ns = (uint64_t)secs * 1000000000u;
done:
    return result;
}

/* ---- policy.conf values ---- */

#define TEE_FIELD(f) offsetof(struct arca__policy_tee, f)

/* The keys whose value is one fixed-length hex string. */
static const struct {
    const char *key;
    size_t len;        /* bytes */
    size_t has, value; /* offsets in struct arca__policy_tee */
    const char *what;
} hex_keys[] = {
    {"SGX.MRSIGNER", 32, TEE_FIELD(has_sgx_mrsigner), TEE_FIELD(sgx_mrsigner),
     "the signer's MRSIGNER"},
    {"TDX.MRTD", 48, TEE_FIELD(has_tdx_mrtd), TEE_FIELD(tdx_mrtd), "the TD's build measurement"},
    {"TDX.RTMR0", 48, TEE_FIELD(has_tdx_rtmr[0]), TEE_FIELD(tdx_rtmr[0]), "a runtime measurement"},
    {"TDX.RTMR1", 48, TEE_FIELD(has_tdx_rtmr[1]), TEE_FIELD(tdx_rtmr[1]), "a runtime measurement"},
    {"TDX.RTMR2", 48, TEE_FIELD(has_tdx_rtmr[2]), TEE_FIELD(tdx_rtmr[2]), "a runtime measurement"},
    {"TDX.RTMR3", 48, TEE_FIELD(has_tdx_rtmr[3]), TEE_FIELD(tdx_rtmr[3]), "a runtime measurement"},
    {"TDX.MinTeeTcbSvn", 16, TEE_FIELD(has_tdx_min_tee_tcb_svn), TEE_FIELD(tdx_min_tee_tcb_svn),
     "TEE_TCB_SVN, compared byte by byte"},
    {"SNP.Measurement", 48, TEE_FIELD(has_snp_measurement), TEE_FIELD(snp_measurement),
     "the launch measurement"},
    {"SNP.HostData", 32, TEE_FIELD(has_snp_host_data), TEE_FIELD(snp_host_data), "HOST_DATA"},
};

/* The keys whose value is a number from 0 to 65535. */
static const struct {
    const char *key;
    size_t has, value;
} u16_keys[] = {
    {"SGX.ISVPRODID", TEE_FIELD(has_sgx_prodid), TEE_FIELD(sgx_prodid)},
    {"SGX.MinISVSVN", TEE_FIELD(has_sgx_min_isvsvn), TEE_FIELD(sgx_min_isvsvn)},
};

/* SNP.MinTCB's components: name, and where the value goes. */
static const struct {
    const char *name;
    size_t value;
    int required;
} tcb_parts[] = {
    {"bootloader", offsetof(arca_snp_tcb_t, bootloader), 1},
    {"tee", offsetof(arca_snp_tcb_t, tee), 1},
    {"snp", offsetof(arca_snp_tcb_t, snp), 1},
    {"microcode", offsetof(arca_snp_tcb_t, microcode), 1},
    {"fmc", offsetof(arca_snp_tcb_t, fmc), 0},
};
#define TCB_PARTS (sizeof tcb_parts / sizeof tcb_parts[0])

/* Append @p item to a list of the policy (arca__hw_append: the list in *out, kept also on
 * failure); too many is the policy's error, on its line. */
static arca_result_t append(void *list, size_t *count, size_t max, const void *item, size_t size,
                            const char *what, const char *name, unsigned line, void **out)
{
    arca_result_t result = arca__hw_append(list, count, max, item, size, what, out);
    if (result != ARCA_OK)
        ARCA_RAISE(result == ARCA_ERR_OVERFLOW ? ARCA_ERR_POLICY : result, "%s:%u: %s", name, line,
                   arca__error_detail());
done:
    return result;
}

/* SNP.MinTCB: one "component=N" item. */
struct min_tcb {
    arca_snp_tcb_t *tcb;
    int seen[TCB_PARTS];
};

static arca_result_t min_tcb_item(void *ctx, const char *item, const struct arca__policy_at *at)
{
    arca_result_t result = ARCA_OK;
    struct min_tcb *m = ctx;
    const char *eq = strchr(item, '=');
    size_t i = 0;
    uint64_t n;

    while (eq && i < TCB_PARTS &&
           (strlen(tcb_parts[i].name) != (size_t)(eq - item) ||
            strncmp(tcb_parts[i].name, item, (size_t)(eq - item)) != 0))
        i++;
    if (!eq || i == TCB_PARTS || arca__policy_u64(eq + 1, 255, &n) != 0 || m->seen[i]++)
        ARCA_RAISE(ARCA_ERR_POLICY,
                   "%s:%u: %s: '%s' is not one of bootloader=N, tee=N, snp=N, microcode=N, fmc=N "
                   "(N from 0 to 255, each once)", at->name, at->line, at->key, item);
    ((uint8_t *)m->tcb)[tcb_parts[i].value] = (uint8_t)n;
done:
    return result;
}

static arca_result_t vmpl_item(void *ctx, const char *item, const struct arca__policy_at *at)
{
    arca_result_t result = ARCA_OK;
    uint64_t n;
    if (arca__policy_u64(item, 3, &n) != 0)
        ARCA_RAISE(ARCA_ERR_POLICY, "%s:%u: %s: '%s' is not a VMPL (0 to 3)", at->name, at->line,
                   at->key, item);
    *(uint32_t *)ctx |= 1u << n;
done:
    return result;
}

static arca_result_t status_item(void *ctx, const char *item, const struct arca__policy_at *at)
{
    arca_result_t result = ARCA_OK;
    arca__tcb_status status;
    if (arca__tcb_status_parse(item, &status) != 0)
        ARCA_RAISE(ARCA_ERR_POLICY,
                   "%s:%u: %s: unknown status '%s' (UpToDate, SWHardeningNeeded, "
                   "ConfigurationNeeded, ConfigurationAndSWHardeningNeeded, OutOfDate, "
                   "OutOfDateConfigurationNeeded, NotEvaluated)", at->name, at->line, at->key,
                   item);
    if (status == ARCA__TCB_REVOKED)
        ARCA_RAISE(ARCA_ERR_POLICY, "%s:%u: %s: Revoked cannot be allowed: a revoked TCB is always "
                   "refused", at->name, at->line, at->key);
    *(uint32_t *)ctx |= 1u << status;
done:
    return result;
}

static arca_result_t advisory_item(void *ctx, const char *item, const struct arca__policy_at *at)
{
    arca_result_t result = ARCA_OK;
    struct arca__policy_tee *t = ctx;
    char id[ARCA_TEE_ADVISORY_LEN] = "";
    void *grown;

    if (strlen(item) >= sizeof id ||
        strspn(item, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-") !=
            strlen(item))
        ARCA_RAISE(ARCA_ERR_POLICY, "%s:%u: %s: '%s' is not an advisory id (as INTEL-SA-00615; or "
                   "'*' alone for any)", at->name, at->line, at->key, item);
    memcpy(id, item, strlen(item));
    result = append(t->advisories, &t->advisory_count, MAX_ADVISORIES, id, sizeof id,
                    "AllowAdvisories", at->name, at->line, &grown);
    t->advisories = grown;
done:
    return result;
}

static arca_result_t add_mrenclave(struct arca__policy_tee *t, const char *v, const char *name,
                                   unsigned line)
{
    arca_result_t result = ARCA_OK;
    uint8_t m[32];
    void *grown;

    if (arca__policy_hex(v, m, 32, 1) < 0)
        ARCA_RAISE(ARCA_ERR_POLICY, "%s:%u: SGX.MRENCLAVE must be 64 hex digits (the enclave's "
                   "MRENCLAVE)", name, line);
    result = append(t->sgx_mrenclave, &t->sgx_mrenclave_count, ARCA__POLICY_MAX_MEASUREMENTS, m,
                    sizeof m, "SGX.MRENCLAVE values", name, line, &grown);
    t->sgx_mrenclave = grown;
    ARCA_CHECK(result);
done:
    return result;
}

arca_result_t arca__policy_tee_apply(arca_policy_t *policy, const char *key, const char *value,
                                     const char *name, unsigned line, const char *base_dir)
{
    arca_result_t result = ARCA_OK;
    struct arca__policy_tee *t = &policy->tee;
    uint8_t *base = (uint8_t *)t;
    arca__hw_verifier *v;
    char path[4096];
    uint64_t n;
    const struct arca__policy_at at = {name, line, key};

    ARCA_CHECK(tee_verifier(policy, &v));
    for (size_t i = 0; i < sizeof hex_keys / sizeof hex_keys[0]; i++)
        if (strcmp(key, hex_keys[i].key) == 0) {
            if (arca__policy_hex(value, base + hex_keys[i].value, hex_keys[i].len, 1) < 0)
                ARCA_RAISE(ARCA_ERR_POLICY, "%s:%u: %s must be %zu hex digits (%s)", name, line,
                           key, 2 * hex_keys[i].len, hex_keys[i].what);
            *(int *)(base + hex_keys[i].has) = 1;
            goto done;
        }
    for (size_t i = 0; i < sizeof u16_keys / sizeof u16_keys[0]; i++)
        if (strcmp(key, u16_keys[i].key) == 0) {
            if (arca__policy_u64(value, UINT16_MAX, &n) != 0)
                ARCA_RAISE(ARCA_ERR_POLICY, "%s:%u: %s must be a number from 0 to 65535", name,
                           line, key);
            *(uint16_t *)(base + u16_keys[i].value) = (uint16_t)n;
            *(int *)(base + u16_keys[i].has) = 1;
            goto done;
        }
    if (strcmp(key, "SGX.MRENCLAVE") == 0) {
        ARCA_CHECK(add_mrenclave(t, value, name, line));
    } else if (strcmp(key, "SNP.MinTCB") == 0) {
        struct min_tcb m = {&t->snp_min_tcb, {0}};
        ARCA_CHECK(arca__policy_each(value, &at, min_tcb_item, &m));
        for (size_t i = 0; i < TCB_PARTS; i++)
            if (tcb_parts[i].required && !m.seen[i])
                ARCA_RAISE(ARCA_ERR_POLICY, "%s:%u: SNP.MinTCB names no minimum for %s: give "
                           "bootloader=N, tee=N, snp=N and microcode=N (and fmc=N on Turin)",
                           name, line, tcb_parts[i].name);
        t->has_snp_min_tcb = 1;
    } else if (strcmp(key, "SNP.AllowVMPL") == 0) {
        ARCA_CHECK(arca__policy_each(value, &at, vmpl_item, &t->snp_vmpl_mask));
    } else if (strcmp(key, "AllowTcbStatus") == 0) {
        ARCA_CHECK(arca__policy_each(value, &at, status_item, &t->tcb_status_mask));
    } else if (strcmp(key, "AllowAdvisories") == 0) {
        if (strcmp(value, "*") == 0)
            t->allow_any_advisory = 1;
        else
            ARCA_CHECK(arca__policy_each(value, &at, advisory_item, t));
    } else if (strcmp(key, "TrustedRoot") == 0) {
        if (arca__policy_path(path, sizeof path, base_dir, value) != 0)
            ARCA_RAISE(ARCA_ERR_POLICY, "%s:%u: TrustedRoot: the path is too long", name, line);
        if (arca_policy_add_tee_root_file(policy, path) != ARCA_OK)
            ARCA_RAISE(ARCA_ERR_POLICY, "%s:%u: %s", name, line, arca__error_detail());
    } else {
        ARCA_RAISE(ARCA_ERR_INTERNAL, "%s:%u: %s is no hardware policy key", name, line, key);
    }
done:
    return result;
}

/* ---- completeness ---- */

arca_result_t arca__policy_tee_check(const arca_policy_t *policy, const char *prefix)
{
    arca_result_t result = ARCA_OK;
    const struct arca__policy_tee *t = &policy->tee;

    switch (t->tee) {
    case ARCA__TEE_SGX:
        if (!t->sgx_mrenclave_count && !t->has_sgx_mrsigner)
            ARCA_RAISE(ARCA_ERR_POLICY, "%sthe policy names no SGX enclave: add SGX.MRENCLAVE, "
                       "or SGX.MRSIGNER with SGX.ISVPRODID", prefix);
        if ((t->has_sgx_prodid || t->has_sgx_min_isvsvn) && !t->has_sgx_mrsigner)
            ARCA_RAISE(ARCA_ERR_POLICY, "%sSGX.ISVPRODID and SGX.MinISVSVN mean nothing without "
                       "SGX.MRSIGNER (any signer can give an enclave any product id)", prefix);
        /* A signer alone would accept every enclave it ever signed. */
        if (t->has_sgx_mrsigner && !t->has_sgx_prodid)
            ARCA_RAISE(ARCA_ERR_POLICY, "%sSGX.MRSIGNER without SGX.ISVPRODID would accept every "
                       "enclave of that signer: add 'SGX.ISVPRODID = N'", prefix);
        break;
    case ARCA__TEE_TDX:
        if (!t->has_tdx_mrtd)
            ARCA_RAISE(ARCA_ERR_POLICY, "%sthe policy names no TD: add TDX.MRTD (and "
                       "TDX.RTMR0..3 for its boot chain)", prefix);
        break;
    case ARCA__TEE_SNP:
        if (!t->has_snp_measurement)
            ARCA_RAISE(ARCA_ERR_POLICY, "%sthe policy names no SEV-SNP guest: add "
                       "SNP.Measurement (its launch measurement)", prefix);
        break;
    default:
        ARCA_RAISE(ARCA_ERR_POLICY, "%sthe policy names no TEE: add 'TEE = sgx', 'tdx' or 'snp' "
                   "and that TEE's identity (SGX.MRENCLAVE, TDX.MRTD or SNP.Measurement)", prefix);
    }
    if (arca__policy_has_arca_keys(policy))
        ARCA_RAISE(ARCA_ERR_POLICY, "%sthe policy mixes requirements of Arca evidence "
                   "(Measurement, SignerID, a platform, MaxAgeSeconds, Backend, ...) with hardware "
                   "keys: one policy verifies one kind of evidence", prefix);
    /* Hardware reports carry no signed time: the report data is their only freshness. */
    if (!policy->has_report_data)
        ARCA_RAISE(ARCA_ERR_POLICY, "%sthe policy demands no freshness: hardware reports carry no "
                   "signed time, so a replayed report would pass; add 'ReportData = HEX' (the "
                   "nonce bound into the report) or pass it with 'arca verify --nonce HEX'",
                   prefix);
done:
    return result;
}

/* ---- the claims against the policy ---- */

static const char *tee_title(arca__tee tee)
{
    return tee == ARCA__TEE_SGX   ? "Intel SGX"
           : tee == ARCA__TEE_TDX ? "Intel TDX"
           : tee == ARCA__TEE_SNP ? "AMD SEV-SNP"
                                  : "unknown";
}

/* The first 8 bytes of a value as 16 hex digits, for messages. */
static const char *hex8(const uint8_t *b, char out[17])
{
    arca__hex_encode(b, 8, out);
    return out;
}

static arca_result_t check_sgx(const struct arca__policy_tee *t, const arca_tee_claims_t *c)
{
    arca_result_t result = ARCA_OK;
    char a[17], b[17];
    int found = t->sgx_mrenclave_count == 0;

    for (size_t i = 0; i < t->sgx_mrenclave_count; i++)
        found |= memcmp(t->sgx_mrenclave[i], c->sgx.mr_enclave, 32) == 0;
    if (!found)
        ARCA_RAISE(ARCA_ERR_VERIFY_MEASUREMENT,
                   "MRENCLAVE %s... is not among the policy's %zu SGX.MRENCLAVE values",
                   hex8(c->sgx.mr_enclave, a), t->sgx_mrenclave_count);
    if (t->has_sgx_mrsigner && memcmp(t->sgx_mrsigner, c->sgx.mr_signer, 32) != 0)
        ARCA_RAISE(ARCA_ERR_VERIFY_SIGNER, "MRSIGNER %s... is not the policy's SGX.MRSIGNER %s...",
                   hex8(c->sgx.mr_signer, a), hex8(t->sgx_mrsigner, b));
    if (t->has_sgx_prodid && t->sgx_prodid != c->sgx.isv_prod_id)
        ARCA_RAISE(ARCA_ERR_VERIFY_PRODUCT, "ISVPRODID %u is not the policy's SGX.ISVPRODID %u",
                   c->sgx.isv_prod_id, t->sgx_prodid);
    if (c->sgx.isv_svn < t->sgx_min_isvsvn)
        ARCA_RAISE(ARCA_ERR_VERIFY_SVN, "ISVSVN %u is below the policy's SGX.MinISVSVN %u",
                   c->sgx.isv_svn, t->sgx_min_isvsvn);
done:
    return result;
}

static arca_result_t check_tdx(const struct arca__policy_tee *t, const arca_tee_claims_t *c)
{
    arca_result_t result = ARCA_OK;
    char a[17], b[17];

    if (t->has_tdx_mrtd && memcmp(t->tdx_mrtd, c->tdx.mr_td, 48) != 0)
        ARCA_RAISE(ARCA_ERR_VERIFY_MEASUREMENT, "MRTD %s... is not the policy's TDX.MRTD %s...",
                   hex8(c->tdx.mr_td, a), hex8(t->tdx_mrtd, b));
    for (int i = 0; i < 4; i++)
        if (t->has_tdx_rtmr[i] && memcmp(t->tdx_rtmr[i], c->tdx.rtmr[i], 48) != 0)
            ARCA_RAISE(ARCA_ERR_VERIFY_MEASUREMENT,
                       "RTMR%d %s... is not the policy's TDX.RTMR%d %s...", i,
                       hex8(c->tdx.rtmr[i], a), i, hex8(t->tdx_rtmr[i], b));
    for (int i = 0; t->has_tdx_min_tee_tcb_svn && i < 16; i++)
        if (c->tdx.tee_tcb_svn[i] < t->tdx_min_tee_tcb_svn[i])
            ARCA_RAISE(ARCA_ERR_VERIFY_SVN,
                       "TEE_TCB_SVN byte %d is %u, below the policy's TDX.MinTeeTcbSvn (%u)", i,
                       c->tdx.tee_tcb_svn[i], t->tdx_min_tee_tcb_svn[i]);
done:
    return result;
}

static arca_result_t check_snp(const struct arca__policy_tee *t, const arca_tee_claims_t *c)
{
    arca_result_t result = ARCA_OK;
    char a[17], b[17];
    uint32_t vmpls = t->snp_vmpl_mask ? t->snp_vmpl_mask : 1u;

    if (t->has_snp_measurement && memcmp(t->snp_measurement, c->snp.measurement, 48) != 0)
        ARCA_RAISE(ARCA_ERR_VERIFY_MEASUREMENT,
                   "launch measurement %s... is not the policy's SNP.Measurement %s...",
                   hex8(c->snp.measurement, a), hex8(t->snp_measurement, b));
    if (t->has_snp_host_data && memcmp(t->snp_host_data, c->snp.host_data, 32) != 0)
        ARCA_RAISE(ARCA_ERR_VERIFY_MEASUREMENT, "HOST_DATA %s... is not the policy's SNP.HostData "
                   "%s...", hex8(c->snp.host_data, a), hex8(t->snp_host_data, b));
    for (size_t i = 0; t->has_snp_min_tcb && i < TCB_PARTS; i++) {
        uint8_t got = ((const uint8_t *)&c->snp.reported_tcb)[tcb_parts[i].value];
        uint8_t min = ((const uint8_t *)&t->snp_min_tcb)[tcb_parts[i].value];
        if (got < min)
            ARCA_RAISE(ARCA_ERR_VERIFY_SVN,
                       "the reported TCB's %s SVN is %u, below the policy's SNP.MinTCB %s=%u",
                       tcb_parts[i].name, got, tcb_parts[i].name, min);
    }
    if (c->snp.vmpl > 31 || !(vmpls & (1u << c->snp.vmpl)))
        ARCA_RAISE(ARCA_ERR_VERIFY_BACKEND,
                   "the report was requested at VMPL %u, which the policy does not accept "
                   "(SNP.AllowVMPL; the default is VMPL 0 only)", c->snp.vmpl);
done:
    return result;
}

/* Intel's TCB status and advisory ids against AllowTcbStatus and AllowAdvisories. */
static arca_result_t check_tcb(const struct arca__policy_tee *t, const arca_tee_claims_t *c)
{
    arca_result_t result = ARCA_OK;
    uint32_t allowed = t->tcb_status_mask ? t->tcb_status_mask : 1u << ARCA__TCB_UP_TO_DATE;
    char names[256] = "";

    for (unsigned s = 0; s <= ARCA__TCB_REVOKED; s++)
        if (allowed & (1u << s))
            snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s",
                     names[0] ? ", " : "", arca__tcb_status_name((arca__tcb_status)s));
    if (!(allowed & (1u << c->tcb_status))) {
        if (c->tcb_status == ARCA__TCB_NOT_EVALUATED)
            ARCA_RAISE(ARCA_ERR_TCB_STATUS,
                       "the platform's TCB was not evaluated: no TCB Info and QE identity were "
                       "given as collateral (arca verify --collateral); the policy accepts %s "
                       "(AllowTcbStatus; NotEvaluated accepts quotes without collateral)", names);
        ARCA_RAISE(ARCA_ERR_TCB_STATUS,
                   "the TCB status is %s (platform %s, quoting enclave %s, TCB date %s); the "
                   "policy accepts %s (AllowTcbStatus)",
                   arca__tcb_status_name(c->tcb_status),
                   arca__tcb_status_name(c->dcap.platform_status),
                   arca__tcb_status_name(c->dcap.qe_status),
                   c->tcb_date[0] ? c->tcb_date : "none", names);
    }
    for (size_t i = 0; !t->allow_any_advisory && i < c->advisory_count; i++) {
        int found = 0;
        for (size_t j = 0; j < t->advisory_count && !found; j++)
            found = strcmp(t->advisories[j], c->advisories[i]) == 0;
        if (!found)
            ARCA_RAISE(ARCA_ERR_TCB_STATUS,
                       "advisory %s applies to this platform's TCB (%s) and is not among the "
                       "policy's AllowAdvisories (%zu ids)", c->advisories[i],
                       arca__tcb_status_name(c->tcb_status), t->advisory_count);
    }
done:
    return result;
}

static arca_result_t check_claims(const arca_policy_t *policy, const arca__evidence_format *self,
                                  const arca_tee_claims_t *c)
{
    arca_result_t result = ARCA_OK;
    const struct arca__policy_tee *t = &policy->tee;

    if (c->tee != t->tee)
        ARCA_RAISE(ARCA_ERR_VERIFY_BACKEND, "the evidence is %s evidence (%s%s), but the policy "
                   "requires TEE = %s", tee_title(c->tee), self->name,
                   c->wrapped_azure ? ", wrapped by Azure" : "", arca__tee_name(t->tee));
    if (c->debug && !policy->allow_debug)
        ARCA_RAISE(ARCA_ERR_VERIFY_DEBUG, "the %s runs in debug mode (its host can read and change "
                   "it); set AllowDebug = 1 only for development",
                   c->tee == ARCA__TEE_SGX ? "enclave" : c->tee == ARCA__TEE_TDX ? "TD" : "guest");
    if (c->tee == ARCA__TEE_SGX)
        ARCA_CHECK(check_sgx(t, c));
    else if (c->tee == ARCA__TEE_TDX)
        ARCA_CHECK(check_tdx(t, c));
    else
        ARCA_CHECK(check_snp(t, c));
    if (c->tee != ARCA__TEE_SNP) /* SEV-SNP has no TCB status: SNP.MinTCB is its check */
        ARCA_CHECK(check_tcb(t, c));
    if (!arca__ct_equal(policy->report_data, c->report_data, 64))
        ARCA_RAISE(ARCA_ERR_VERIFY_REPORT_DATA,
                   "report data differs from the expected value (a stale or replayed report, or "
                   "a different nonce)%s", c->wrapped_azure
                       ? "; in an Azure HCL report it is SHA-256 of the runtime claims" : "");
done:
    return result;
}

/* ---- the registry's verify() ---- */

arca_result_t arca__hw_evidence_verify(const arca__evidence_format *self, const uint8_t *bytes,
                                       size_t len, const arca_policy_t *policy, uint64_t now_ns,
                                       arca_claims_t *claims)
{
    arca_result_t result = ARCA_OK;
    arca_tee_claims_t *c = claims ? &claims->tee : NULL, *owned = NULL;

    if (policy->tee.tee == ARCA__TEE_NONE && arca__policy_has_arca_keys(policy))
        ARCA_RAISE(ARCA_ERR_VERIFY_BACKEND,
                   "this is hardware evidence (%s), but the policy is for Arca evidence (it names "
                   "Measurement, SignerID or other keys of Arca evidence): verify hardware "
                   "evidence with a policy that sets TEE and the TEE's identity",
                   self->name);
    ARCA_CHECK(arca__policy_tee_check(policy, ""));
    if (!policy->tee.verifier)
        ARCA_RAISE(ARCA_ERR_INTERNAL, "a hardware policy without its verifier");
    ARCA_CHECK(arca__hw_use_default_roots_if_none(policy->tee.verifier));
    if (!c) {
        owned = malloc(sizeof *owned);
        if (!owned)
            ARCA_RAISE(ARCA_ERR_OUT_OF_MEMORY, "cannot allocate hardware claims");
        c = owned;
    }
    ARCA_CHECK(arca__hw_verify_as(policy->tee.verifier, self, bytes, len,
                                  (int64_t)(now_ns / 1000000000u), c));
    ARCA_CHECK(check_claims(policy, self, c));
    if (claims) {
        claims->format = self->id;
        memcpy(claims->report_data, c->report_data, 64);
    }
done:
    free(owned);
    return result;
}
