/*
 * policy_conf.c — the policy.conf parser: `Key = value` lines, '#' comments, blank lines.
 *
 * The text is untrusted (it may come from anywhere a relying party stores configuration):
 * it is read with explicit lengths (no NUL terminator is assumed and an embedded NUL is an
 * error), every number is range-checked, every hex value must have exactly the expected
 * length, and any error stops parsing with ARCA_ERR_POLICY and "NAME:LINE: what, and what
 * to write instead". A partially parsed policy is never returned, nor one that names no
 * enclave, demands no freshness (neither ReportData, nor a nonce from the caller, nor
 * MaxAgeSeconds) or names the sim backend without AllowSimulation.
 *
 * Keys belong to Arca evidence, to hardware evidence (TEE, SGX.*, TDX.*, SNP.*, ...; their
 * values are parsed host side by src/verify/hw/policy_tee.c), or to both (AllowDebug,
 * ReportData). One policy verifies one kind of evidence and one TEE: a key of the other kind,
 * or of another TEE than an earlier key fixed, is a contradiction refused with both lines.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/conf_line.h"
#include "base/error.h"
#include "base/hex.h"
#include "formats/image.h"
#include "policy_text.h"
#include "verify_internal.h"

#define POLICY_FILE_MAX (1u << 20)
#define KEYS_HELP                                                                                \
    "Measurement, SignerID, ProductID, MinSVN, AllowDebug, AllowDevPlatform, AllowSimulation, "  \
    "TrustedPlatformCert, TrustedArcadRoot, ReportData, MaxAgeSeconds, ClockSkewSeconds, "       \
    "Backend, RequireProtections, RuntimeDigest; hardware evidence: TEE, SGX.MRENCLAVE, "         \
    "SGX.MRSIGNER, SGX.ISVPRODID, SGX.MinISVSVN, TDX.MRTD, TDX.RTMR0..3, TDX.MinTeeTcbSvn, SNP.Measurement, "  \
    "SNP.HostData, SNP.MinTCB, SNP.AllowVMPL, AllowTcbStatus, AllowAdvisories, TrustedRoot"

enum key {
    K_MEASUREMENT, K_SIGNER, K_PRODUCT, K_MIN_SVN, K_ALLOW_DEBUG, K_ALLOW_DEV, K_ALLOW_SIM, K_CERT,
    K_REPORT_DATA, K_MAX_AGE, K_SKEW, K_BACKEND, K_PROTECTIONS, K_RUNTIME,
    K_TEE, K_SGX_MRENCLAVE, K_SGX_MRSIGNER, K_SGX_ISVPRODID, K_SGX_MIN_ISVSVN, K_TDX_MRTD,
    K_TDX_RTMR0, K_TDX_RTMR1, K_TDX_RTMR2, K_TDX_RTMR3, K_TDX_MIN_TEE_TCB_SVN, K_SNP_MEASUREMENT,
    K_SNP_HOST_DATA, K_SNP_MIN_TCB, K_SNP_ALLOW_VMPL, K_ALLOW_TCB_STATUS, K_ALLOW_ADVISORIES,
    K_TRUSTED_ROOT, K_ARCAD_ROOT, K_COUNT
};

/* The kind of evidence a key is for. */
enum family { F_BOTH, F_ARCA, F_HW };
#define T_SGX (1u << ARCA_TEE_SGX)
#define T_TDX (1u << ARCA_TEE_TDX)
#define T_SNP (1u << ARCA_TEE_SNP)
#define T_ANY (T_SGX | T_TDX | T_SNP)

static const struct {
    const char *name;
    int repeatable;
    enum family family;
    unsigned tees; /* hardware keys: the TEEs the key is for (0: any, or from the value: TEE) */
} keys[K_COUNT] = {
    [K_MEASUREMENT] = {"Measurement", 1, F_ARCA, 0},
    [K_SIGNER] = {"SignerID", 0, F_ARCA, 0},
    [K_PRODUCT] = {"ProductID", 0, F_ARCA, 0},
    [K_MIN_SVN] = {"MinSVN", 0, F_ARCA, 0},
    [K_ALLOW_DEBUG] = {"AllowDebug", 0, F_BOTH, 0},
    [K_ALLOW_DEV] = {"AllowDevPlatform", 0, F_ARCA, 0},
    [K_ALLOW_SIM] = {"AllowSimulation", 0, F_ARCA, 0},
    [K_CERT] = {"TrustedPlatformCert", 1, F_ARCA, 0},
    [K_REPORT_DATA] = {"ReportData", 0, F_BOTH, 0},
    [K_MAX_AGE] = {"MaxAgeSeconds", 0, F_ARCA, 0},
    [K_SKEW] = {"ClockSkewSeconds", 0, F_ARCA, 0},
    [K_BACKEND] = {"Backend", 0, F_ARCA, 0},
    [K_PROTECTIONS] = {"RequireProtections", 0, F_ARCA, 0},
    [K_RUNTIME] = {"RuntimeDigest", 1, F_ARCA, 0},
    [K_TEE] = {"TEE", 0, F_HW, 0},
    [K_SGX_MRENCLAVE] = {"SGX.MRENCLAVE", 1, F_HW, T_SGX},
    [K_SGX_MRSIGNER] = {"SGX.MRSIGNER", 0, F_HW, T_SGX},
    [K_SGX_ISVPRODID] = {"SGX.ISVPRODID", 0, F_HW, T_SGX},
    [K_SGX_MIN_ISVSVN] = {"SGX.MinISVSVN", 0, F_HW, T_SGX},
    [K_TDX_MRTD] = {"TDX.MRTD", 0, F_HW, T_TDX},
    [K_TDX_RTMR0] = {"TDX.RTMR0", 0, F_HW, T_TDX},
    [K_TDX_RTMR1] = {"TDX.RTMR1", 0, F_HW, T_TDX},
    [K_TDX_RTMR2] = {"TDX.RTMR2", 0, F_HW, T_TDX},
    [K_TDX_RTMR3] = {"TDX.RTMR3", 0, F_HW, T_TDX},
    [K_TDX_MIN_TEE_TCB_SVN] = {"TDX.MinTeeTcbSvn", 0, F_HW, T_TDX},
    [K_SNP_MEASUREMENT] = {"SNP.Measurement", 0, F_HW, T_SNP},
    [K_SNP_HOST_DATA] = {"SNP.HostData", 0, F_HW, T_SNP},
    [K_SNP_MIN_TCB] = {"SNP.MinTCB", 0, F_HW, T_SNP},
    [K_SNP_ALLOW_VMPL] = {"SNP.AllowVMPL", 0, F_HW, T_SNP},
    [K_ALLOW_TCB_STATUS] = {"AllowTcbStatus", 0, F_HW, T_SGX | T_TDX},
    [K_ALLOW_ADVISORIES] = {"AllowAdvisories", 0, F_HW, T_SGX | T_TDX},
    [K_TRUSTED_ROOT] = {"TrustedRoot", 1, F_HW, 0},
    [K_ARCAD_ROOT] = {"TrustedArcadRoot", 1, F_ARCA, 0},
};

/* "sgx", "sgx or tdx (Intel)", ... for the TEE set @p tees (messages). */
static const char *tees_str(unsigned tees)
{
    switch (tees) {
    case T_SGX: return "sgx";
    case T_TDX: return "tdx";
    case T_SNP: return "snp";
    case T_SGX | T_TDX: return "sgx or tdx (Intel)";
    default: return "any TEE";
    }
}

/* Where the kinds of evidence and the TEE of a policy were fixed, for contradiction messages. */
struct kinds {
    unsigned line[3]; /* first line of a key of each family (F_ARCA, F_HW), 0 = none */
    const char *key[3];
    unsigned tees; /* TEEs still possible */
    unsigned tee_line;
    const char *tee_key;
};

/* A key of one kind of evidence after a key of the other, or of another TEE, is refused. */
static arca_result_t check_kind(const char *name, unsigned line, enum key k, const char *value,
                                struct kinds *kd)
{
    arca_result_t result = ARCA_OK;
    enum family fam = keys[k].family, other = fam == F_ARCA ? F_HW : F_ARCA;
    unsigned tees = keys[k].tees;
    char where[PATH_MAX + 16];

    if (fam == F_BOTH)
        goto done;
    snprintf(where, sizeof where, "%s:%u", name, line);
    if (kd->line[other])
        ARCA_RAISE(ARCA_ERR_POLICY,
                   "%s: %s is a key for %s evidence, but line %u sets %s, a key for the other "
                   "kind: one policy verifies one kind of evidence, so write one policy per kind%s",
                   where, keys[k].name, fam == F_ARCA ? "Arca" : "hardware", kd->line[other],
                   kd->key[other],
                   k == K_MAX_AGE || k == K_SKEW
                       ? " (hardware reports carry no signed time: their freshness is the report "
                         "data, ReportData or arca verify --nonce)"
                       : "");
    if (!kd->line[fam]) {
        kd->line[fam] = line;
        kd->key[fam] = keys[k].name;
    }
    if (k == K_TEE) {
        tees = !strcmp(value, "sgx")   ? T_SGX
               : !strcmp(value, "tdx") ? T_TDX
               : !strcmp(value, "snp") ? T_SNP
                                       : 0;
        if (!tees)
            ARCA_RAISE(ARCA_ERR_POLICY, "%s: TEE must be sgx, tdx or snp, not '%s'", where, value);
    }
    if (tees && (kd->tees & tees) != kd->tees) {
        if (!(kd->tees & tees))
            ARCA_RAISE(ARCA_ERR_POLICY,
                       "%s: %s is for %s evidence, but line %u (%s) makes this a policy for %s: "
                       "one policy verifies one TEE's evidence",
                       where, keys[k].name, tees_str(tees), kd->tee_line, kd->tee_key,
                       tees_str(kd->tees));
        kd->tees &= tees;
        kd->tee_line = line;
        kd->tee_key = keys[k].name;
    }
done:
    return result;
}

struct ctx {
    const char *name;
    const char *base_dir;
    unsigned line;
    char value[PATH_MAX]; /* the current value, NUL-terminated */
};

static int parse_bool(const char *s, int *out)
{
    if (!strcmp(s, "1") || !strcmp(s, "true") || !strcmp(s, "yes")) {
        *out = 1;
        return 0;
    }
    if (!strcmp(s, "0") || !strcmp(s, "false") || !strcmp(s, "no")) {
        *out = 0;
        return 0;
    }
    return -1;
}

/* RequireProtections: one protection name, as `arca inspect` prints it. */
static arca_result_t protection_item(void *ctx, const char *item, const struct arca__policy_at *at)
{
    arca_result_t result = ARCA_OK;
    uint32_t bit = 0;
    for (unsigned i = 0; i < 32 && !bit; i++) {
        char nm[64];
        arca_protections_str(1u << i, nm, sizeof nm);
        if (!strcmp(nm, item) && strcmp(nm, "none") != 0)
            bit = 1u << i;
    }
    if (!bit)
        ARCA_RAISE(ARCA_ERR_POLICY,
                   "%s:%u: %s: unknown protection '%s' (names as 'arca inspect' prints them, e.g. "
                   "nodump,seccomp)", at->name, at->line, at->key, item);
    *(uint32_t *)ctx |= bit;
done:
    return result;
}

static arca_result_t apply(struct ctx *c, arca_policy_t *p, enum key k)
{
    arca_result_t result = ARCA_OK;
    const char *v = c->value;
    uint8_t buf[64];
    uint64_t u;
    int b, n;
    char path[PATH_MAX];

    switch (k) {
    case K_MEASUREMENT:
    case K_SIGNER:
        if (arca__policy_hex(v, buf, 32, 1) < 0)
            ARCA_RAISE(ARCA_ERR_POLICY, "%s:%u: %s must be 64 hex digits (as 'arca inspect' prints it)",
                       c->name, c->line, keys[k].name);
        ARCA_CHECK(k == K_MEASUREMENT ? arca_policy_add_measurement(p, buf) : arca_policy_set_signer(p, buf));
        break;
    case K_RUNTIME:
        if (arca__policy_hex(v, buf, 32, 1) < 0)
            ARCA_RAISE(ARCA_ERR_POLICY, "%s:%u: RuntimeDigest must be 64 hex digits (as 'arca verify' "
                       "prints the runtime of verified evidence)", c->name, c->line);
        if (arca_policy_add_runtime_digest(p, buf) != ARCA_OK)
            ARCA_RAISE(ARCA_ERR_POLICY, "%s:%u: %s", c->name, c->line, arca__error_detail());
        break;
    case K_PRODUCT:
    case K_MIN_SVN:
        if (arca__policy_u64(v, UINT16_MAX, &u) < 0)
            ARCA_RAISE(ARCA_ERR_POLICY, "%s:%u: %s must be a number from 0 to 65535", c->name, c->line,
                       keys[k].name);
        ARCA_CHECK(k == K_PRODUCT ? arca_policy_set_product_id(p, (uint16_t)u)
                                  : arca_policy_set_min_svn(p, (uint16_t)u));
        break;
    case K_ALLOW_DEBUG:
    case K_ALLOW_DEV:
    case K_ALLOW_SIM:
        if (parse_bool(v, &b) < 0)
            ARCA_RAISE(ARCA_ERR_POLICY, "%s:%u: %s must be 0 or 1", c->name, c->line, keys[k].name);
        ARCA_CHECK(k == K_ALLOW_DEBUG ? arca_policy_set_allow_debug(p, b)
                   : k == K_ALLOW_DEV ? arca_policy_set_allow_dev_platform(p, b)
                                      : arca_policy_set_allow_simulation(p, b));
        break;
    case K_CERT:
    case K_ARCAD_ROOT:
        /* The key says which kind of platform the certificate vouches for: a dev platform's
         * own certificate, or the root CA of arcad daemons (root-cert.pem of a state
         * directory, or an operator's CA that signed arcad's certificates). */
        if (arca__policy_path(path, sizeof path, c->base_dir, v) != 0)
            ARCA_RAISE(ARCA_ERR_POLICY, "%s:%u: certificate path is too long", c->name, c->line);
        if (arca__policy_add_root_file(p, k == K_CERT ? ARCA_PLATFORM_DEV : ARCA_PLATFORM_ARCAD,
                                       path) != ARCA_OK)
            ARCA_RAISE(ARCA_ERR_POLICY, "%s:%u: %s: %s", c->name, c->line, keys[k].name,
                       arca__error_detail());
        break;
    case K_REPORT_DATA:
        n = arca__policy_hex(v, buf, 64, 0);
        if (n < 0)
            ARCA_RAISE(ARCA_ERR_POLICY, "%s:%u: ReportData must be 2 to 128 hex digits (up to 64 bytes)",
                       c->name, c->line);
        ARCA_CHECK(arca_policy_set_report_data(p, buf, (size_t)n));
        break;
    case K_MAX_AGE:
    case K_SKEW:
        if (arca__policy_u64(v, UINT64_MAX / 1000000000u, &u) < 0)
            ARCA_RAISE(ARCA_ERR_POLICY, "%s:%u: %s must be a number of seconds", c->name, c->line,
                       keys[k].name);
        if (k == K_SKEW && arca_policy_set_clock_skew(p, u) != ARCA_OK)
            ARCA_RAISE(ARCA_ERR_POLICY, "%s:%u: ClockSkewSeconds: %s", c->name, c->line,
                       arca__error_detail());
        if (k == K_MAX_AGE)
            ARCA_CHECK(arca_policy_set_max_age(p, u));
        break;
    case K_BACKEND: {
        uint16_t id = 0;
        for (uint16_t i = 1; i < 64 && !id; i++)
            if (!strcmp(arca_backend_id_name(i), v))
                id = i;
        if (!id)
            ARCA_RAISE(ARCA_ERR_POLICY, "%s:%u: Backend: unknown backend '%s' (sim, process, sgx, cvm)",
                       c->name, c->line, v);
        ARCA_CHECK(arca_policy_set_backend(p, id));
        break;
    }
    case K_PROTECTIONS: {
        const struct arca__policy_at at = {c->name, c->line, keys[k].name};
        uint32_t bits = 0;
        ARCA_CHECK(arca__policy_each(v, &at, protection_item, &bits));
        ARCA_CHECK(arca_policy_require_protections(p, bits));
        break;
    }
    default:
        ARCA_RAISE(ARCA_ERR_INTERNAL, "policy parser: unhandled key");
    }
done:
    return result;
}

/* A policy for Arca evidence is complete: it names the enclave and demands freshness. */
static arca_result_t finish_arca(arca_policy_t *p, const char *name, const unsigned *seen)
{
    arca_result_t result = ARCA_OK;
    if (!seen[K_MEASUREMENT] && !seen[K_SIGNER])
        ARCA_RAISE(ARCA_ERR_POLICY, "%s: the policy names no enclave: add Measurement or SignerID", name);
    if ((seen[K_PRODUCT] || seen[K_MIN_SVN]) && !seen[K_SIGNER])
        ARCA_RAISE(ARCA_ERR_POLICY, "%s: ProductID and MinSVN mean nothing without SignerID (anyone can "
                   "sign an enclave with any product id)", name);
    /* As SGX pairs MRSIGNER with ISVPRODID: a signer id alone would accept every product that
     * signer ever ships, including ones never meant to see this relying party's secrets. */
    if (seen[K_SIGNER] && !seen[K_PRODUCT])
        ARCA_RAISE(ARCA_ERR_POLICY, "%s: SignerID without ProductID would accept every product of that "
                   "signer: add 'ProductID = N' (the enclave.conf ProductID, as 'arca inspect' prints it)",
                   name);
    /* Without either, evidence of any age would pass: a replay, or a timestamp of 1970. */
    if (!p->has_report_data && p->max_age_s == 0)
        ARCA_RAISE(ARCA_ERR_POLICY, "%s: the policy demands no freshness: add 'ReportData = HEX' (the "
                   "nonce the enclave bound into its evidence; or pass it with 'arca verify --nonce "
                   "HEX') or 'MaxAgeSeconds = N', or both; with neither, evidence of any age (a "
                   "replay, or one dated 1970) would pass", name);
    if (p->backend && !arca__backend_isolates(p->backend) && !p->allow_simulation)
        ARCA_RAISE(ARCA_ERR_POLICY, "%s: Backend = %s needs 'AllowSimulation = 1': %s does not isolate "
                   "the enclave from its host, and evidence from it is refused unless the policy "
                   "says so", name, arca_backend_id_name(p->backend),
                   arca_backend_id_name(p->backend));
done:
    return result;
}

/* A policy for hardware evidence: its TEE, fixed by TEE or by its keys (@p tees), and the
 * completeness checks of policy_tee.c (the TEE's identity, freshness). */
static arca_result_t finish_tee(arca_policy_t *p, const char *name, unsigned tees)
{
    arca_result_t result = ARCA_OK;
    p->tee.tee = tees == T_SGX   ? ARCA_TEE_SGX
                 : tees == T_TDX ? ARCA_TEE_TDX
                 : tees == T_SNP ? ARCA_TEE_SNP
                                 : ARCA_TEE_NONE;
#ifdef ARCA_VERIFY_HW
    char prefix[PATH_MAX + 3];
    snprintf(prefix, sizeof prefix, "%s: ", name);
    ARCA_CHECK(arca__policy_tee_check(p, prefix));
#else /* unreachable: the parser refused every hardware key */
    ARCA_RAISE(ARCA_ERR_INTERNAL, "%s: hardware keys in the enclave-side verifier", name);
#endif
done:
    return result;
}

/* The parser; @p nonce (may be NULL) is expected report data given instead of ReportData. */
static arca_result_t parse(const char *text, size_t len, const char *name, const char *base_dir,
                           const uint8_t *nonce, size_t nonce_len, arca_policy_t **out)
{
    arca_result_t result = ARCA_OK;
    arca_policy_t *p = NULL;
    struct ctx c = {name ? name : "policy", base_dir, 0, ""};
    unsigned seen[K_COUNT] = {0};
    struct kinds kd = {{0}, {NULL}, T_ANY, 0, NULL};

    if (!out || (!text && len) || (!nonce && nonce_len))
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "arca_policy_parse: NULL argument");
    *out = NULL;
    if (nonce && (nonce_len == 0 || nonce_len > 64))
        ARCA_RAISE(ARCA_ERR_POLICY, "%s: the nonce must be 1 to 64 bytes (got %zu)", c.name, nonce_len);
    if (len > POLICY_FILE_MAX)
        ARCA_RAISE(ARCA_ERR_POLICY, "%s: %zu bytes is too large for a policy", c.name, len);
    if (len && memchr(text, '\0', len))
        ARCA_RAISE(ARCA_ERR_POLICY, "%s: contains a NUL byte (not a text file)", c.name);
    ARCA_CHECK(arca_policy_create(&p));

    size_t pos = 0, n;
    const char *line;
    while (arca__conf_next_line(text, len, &pos, &line, &n)) {
        struct arca__conf_line split;
        c.line++;
        enum arca__conf_kind kind = arca__conf_split(line, n, &split);
        if (kind == ARCA__CONF_BLANK)
            continue;
        if (kind == ARCA__CONF_NO_EQUALS)
            ARCA_RAISE(ARCA_ERR_POLICY, "%s:%u: expected 'Key = value'", c.name, c.line);
        const char *key = split.key, *val = split.value;
        size_t kn = split.key_len, vn = split.value_len;
        int k = -1;
        for (int i = 0; i < K_COUNT && k < 0; i++)
            if (strlen(keys[i].name) == kn && !memcmp(keys[i].name, key, kn))
                k = i;
        if (k < 0)
            ARCA_RAISE(ARCA_ERR_POLICY, "%s:%u: unknown key '%.*s' (keys: " KEYS_HELP ")", c.name, c.line,
                       (int)(kn > 48 ? 48 : kn), key);
        if (vn == 0)
            ARCA_RAISE(ARCA_ERR_POLICY, "%s:%u: %s has no value", c.name, c.line, keys[k].name);
        if (vn >= sizeof c.value)
            ARCA_RAISE(ARCA_ERR_POLICY, "%s:%u: the value of %s is too long", c.name, c.line, keys[k].name);
        if (seen[k]++ && !keys[k].repeatable)
            ARCA_RAISE(ARCA_ERR_POLICY, "%s:%u: %s is given twice (only Measurement, "
                       "TrustedPlatformCert, TrustedArcadRoot, RuntimeDigest, SGX.MRENCLAVE and "
                       "TrustedRoot may repeat)", c.name, c.line, keys[k].name);
        memcpy(c.value, val, vn);
        c.value[vn] = '\0';
        ARCA_CHECK(check_kind(c.name, c.line, (enum key)k, c.value, &kd));
        if (keys[k].family != F_HW) {
            ARCA_CHECK(apply(&c, p, (enum key)k));
        } else {
#ifdef ARCA_VERIFY_HW
            if (k != K_TEE) /* TEE is check_kind()'s */
                ARCA_CHECK(arca__policy_tee_apply(p, keys[k].name, c.value, c.name, c.line,
                                                  c.base_dir));
#else
            ARCA_RAISE(ARCA_ERR_POLICY, "%s:%u: %s is a key for hardware evidence, which the "
                       "enclave-side verifier does not verify (verify it host side, with "
                       "libarca_verify)", c.name, c.line, keys[k].name);
#endif
        }
    }
    if (nonce && seen[K_REPORT_DATA])
        ARCA_RAISE(ARCA_ERR_POLICY, "%s: sets ReportData, and a nonce was given as well (arca verify "
                   "--nonce): keep one of the two", c.name);
    if (nonce)
        ARCA_CHECK(arca_policy_set_report_data(p, nonce, nonce_len));
    if (kd.line[F_HW])
        ARCA_CHECK(finish_tee(p, c.name, kd.tees));
    else
        ARCA_CHECK(finish_arca(p, c.name, seen));
    *out = p;
    p = NULL;
done:
    arca_policy_free(p);
    return result;
}

arca_result_t arca_policy_parse(const char *text, size_t len, const char *name, const char *base_dir,
                                arca_policy_t **out)
{
    return parse(text, len, name, base_dir, NULL, 0, out);
}

static arca_result_t load_file(const char *path, const uint8_t *nonce, size_t nonce_len,
                               arca_policy_t **out)
{
    arca_result_t result = ARCA_OK;
    uint8_t *text = NULL;
    size_t len = 0;
    char dir[PATH_MAX];

    if (!path || !out)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "arca_policy_load_file: NULL argument");
    *out = NULL;
    if (snprintf(dir, sizeof dir, "%s", path) >= (int)sizeof dir)
        ARCA_RAISE(ARCA_ERR_POLICY, "policy path is too long");
    char *slash = strrchr(dir, '/');
    if (!slash)
        snprintf(dir, sizeof dir, ".");
    else if (slash == dir)
        dir[1] = '\0';
    else
        *slash = '\0';
    if (arca__read_file(path, POLICY_FILE_MAX, &text, &len) != ARCA_OK)
        ARCA_RAISE(ARCA_ERR_POLICY, "cannot read policy %s: %s", path, arca__error_detail());
    ARCA_CHECK(parse((const char *)text, len, path, dir, nonce, nonce_len, out));
done:
    free(text);
    return result;
}

arca_result_t arca_policy_load_file(const char *path, arca_policy_t **out)
{
    return load_file(path, NULL, 0, out);
}

arca_result_t arca_policy_load_file_with_nonce(const char *path, const uint8_t *nonce,
                                               size_t nonce_len, arca_policy_t **out)
{
    arca_result_t result = ARCA_OK;
    if (!nonce)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "arca_policy_load_file_with_nonce: NULL nonce");
    ARCA_CHECK(load_file(path, nonce, nonce_len, out));
done:
    return result;
}
