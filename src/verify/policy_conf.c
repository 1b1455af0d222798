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
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/conf_line.h"
#include "common/error.h"
#include "common/hex.h"
#include "common/image.h"
#include "verify_internal.h"

#define POLICY_FILE_MAX (1u << 20)
#define KEYS_HELP                                                                                \
    "Measurement, SignerID, ProductID, MinSVN, AllowDebug, AllowDevPlatform, AllowSimulation, "  \
    "TrustedPlatformCert, ReportData, MaxAgeSeconds, ClockSkewSeconds, Backend, "               \
    "RequireProtections, RuntimeDigest"

enum key {
    K_MEASUREMENT, K_SIGNER, K_PRODUCT, K_MIN_SVN, K_ALLOW_DEBUG, K_ALLOW_DEV, K_ALLOW_SIM, K_CERT,
    K_REPORT_DATA, K_MAX_AGE, K_SKEW, K_BACKEND, K_PROTECTIONS, K_RUNTIME, K_COUNT
};

static const struct {
    const char *name;
    int repeatable;
} keys[K_COUNT] = {
    [K_MEASUREMENT] = {"Measurement", 1},   [K_SIGNER] = {"SignerID", 0},
    [K_PRODUCT] = {"ProductID", 0},         [K_MIN_SVN] = {"MinSVN", 0},
    [K_ALLOW_DEBUG] = {"AllowDebug", 0},    [K_ALLOW_DEV] = {"AllowDevPlatform", 0},
    [K_ALLOW_SIM] = {"AllowSimulation", 0}, [K_CERT] = {"TrustedPlatformCert", 1},
    [K_REPORT_DATA] = {"ReportData", 0},    [K_MAX_AGE] = {"MaxAgeSeconds", 0},
    [K_SKEW] = {"ClockSkewSeconds", 0},     [K_BACKEND] = {"Backend", 0},
    [K_PROTECTIONS] = {"RequireProtections", 0}, [K_RUNTIME] = {"RuntimeDigest", 1},
};

struct ctx {
    const char *name;
    const char *base_dir;
    unsigned line;
    char value[PATH_MAX]; /* the current value, NUL-terminated */
};

/* Parse the hex value s into out; exact: exactly n bytes; else 1..n bytes. @return bytes, or -1. */
static int parse_hex(const char *s, uint8_t *out, size_t n, int exact)
{
    size_t len = strlen(s), got = 0;
    if (len == 0 || (exact && len != 2 * n) || arca__hex_decode(s, len, out, n, &got) != ARCA_OK)
        return -1;
    return (int)got;
}

static int parse_u64(const char *s, uint64_t max, uint64_t *out)
{
    uint64_t v = 0;
    if (!*s)
        return -1;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return -1;
        if (__builtin_mul_overflow(v, 10u, &v) || __builtin_add_overflow(v, (uint64_t)(*s - '0'), &v))
            return -1;
    }
    if (v > max)
        return -1;
    *out = v;
    return 0;
}

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

static arca_result_t parse_protections(struct ctx *c, const char *s, uint32_t *out)
{
    arca_result_t result = ARCA_OK;
    char item[64];
    *out = 0;
    while (*s) {
        size_t n = strcspn(s, ",");
        const char *start = s;
        while (n && (*start == ' ' || *start == '\t'))
            start++, n--;
        size_t m = n;
        while (m && (start[m - 1] == ' ' || start[m - 1] == '\t'))
            m--;
        if (m == 0 || m >= sizeof item)
            ARCA_RAISE(ARCA_ERR_POLICY, "%s:%u: RequireProtections: empty or overlong name", c->name, c->line);
        memcpy(item, start, m);
        item[m] = '\0';
        uint32_t bit = 0;
        for (unsigned i = 0; i < 32 && !bit; i++) {
            char nm[64];
            arca_protections_str(1u << i, nm, sizeof nm);
            if (!strcmp(nm, item) && strcmp(nm, "none") != 0)
                bit = 1u << i;
        }
        if (!bit)
            ARCA_RAISE(ARCA_ERR_POLICY,
                       "%s:%u: RequireProtections: unknown protection '%s' (names as 'arca inspect' "
                       "prints them, e.g. nodump,seccomp)", c->name, c->line, item);
        *out |= bit;
        s = start + n + (start[n] == ',' ? 1 : 0);
        if (start[n] == ',' && !*s)
            ARCA_RAISE(ARCA_ERR_POLICY, "%s:%u: RequireProtections: trailing comma", c->name, c->line);
    }
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
        if (parse_hex(v, buf, 32, 1) < 0)
            ARCA_RAISE(ARCA_ERR_POLICY, "%s:%u: %s must be 64 hex digits (as 'arca inspect' prints it)",
                       c->name, c->line, keys[k].name);
        ARCA_CHECK(k == K_MEASUREMENT ? arca_policy_add_measurement(p, buf) : arca_policy_set_signer(p, buf));
        break;
    case K_RUNTIME:
        if (parse_hex(v, buf, 32, 1) < 0)
            ARCA_RAISE(ARCA_ERR_POLICY, "%s:%u: RuntimeDigest must be 64 hex digits (as 'arca verify' "
                       "prints the runtime of verified evidence)", c->name, c->line);
        if (arca_policy_add_runtime_digest(p, buf) != ARCA_OK)
            ARCA_RAISE(ARCA_ERR_POLICY, "%s:%u: %s", c->name, c->line, arca__error_detail());
        break;
    case K_PRODUCT:
    case K_MIN_SVN:
        if (parse_u64(v, UINT16_MAX, &u) < 0)
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
        if (v[0] == '/' || !c->base_dir)
            n = snprintf(path, sizeof path, "%s", v);
        else
            n = snprintf(path, sizeof path, "%s/%s", c->base_dir, v);
        if (n < 0 || (size_t)n >= sizeof path)
            ARCA_RAISE(ARCA_ERR_POLICY, "%s:%u: certificate path is too long", c->name, c->line);
        if (arca_policy_add_trusted_cert_file(p, path) != ARCA_OK)
            ARCA_RAISE(ARCA_ERR_POLICY, "%s:%u: TrustedPlatformCert: %s", c->name, c->line,
                       arca__error_detail());
        break;
    case K_REPORT_DATA:
        n = parse_hex(v, buf, 64, 0);
        if (n < 0)
            ARCA_RAISE(ARCA_ERR_POLICY, "%s:%u: ReportData must be 2 to 128 hex digits (up to 64 bytes)",
                       c->name, c->line);
        ARCA_CHECK(arca_policy_set_report_data(p, buf, (size_t)n));
        break;
    case K_MAX_AGE:
    case K_SKEW:
        if (parse_u64(v, UINT64_MAX / 1000000000u, &u) < 0)
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
        uint32_t bits;
        ARCA_CHECK(parse_protections(c, v, &bits));
        ARCA_CHECK(arca_policy_require_protections(p, bits));
        break;
    }
    default:
        ARCA_RAISE(ARCA_ERR_INTERNAL, "policy parser: unhandled key");
    }
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
                       "TrustedPlatformCert and RuntimeDigest may repeat)", c.name, c.line,
                       keys[k].name);
        memcpy(c.value, val, vn);
        c.value[vn] = '\0';
        ARCA_CHECK(apply(&c, p, (enum key)k));
    }
    if (!seen[K_MEASUREMENT] && !seen[K_SIGNER])
        ARCA_RAISE(ARCA_ERR_POLICY, "%s: the policy names no enclave: add Measurement or SignerID", c.name);
    if ((seen[K_PRODUCT] || seen[K_MIN_SVN]) && !seen[K_SIGNER])
        ARCA_RAISE(ARCA_ERR_POLICY, "%s: ProductID and MinSVN mean nothing without SignerID (anyone can "
                   "sign an enclave with any product id)", c.name);
    /* As SGX pairs MRSIGNER with ISVPRODID: a signer id alone would accept every product that
     * signer ever ships, including ones never meant to see this relying party's secrets. */
    if (seen[K_SIGNER] && !seen[K_PRODUCT])
        ARCA_RAISE(ARCA_ERR_POLICY, "%s: SignerID without ProductID would accept every product of that "
                   "signer: add 'ProductID = N' (the enclave.conf ProductID, as 'arca inspect' prints it)",
                   c.name);
    if (nonce && seen[K_REPORT_DATA])
        ARCA_RAISE(ARCA_ERR_POLICY, "%s: sets ReportData, and a nonce was given as well (arca verify "
                   "--nonce): keep one of the two", c.name);
    if (nonce)
        ARCA_CHECK(arca_policy_set_report_data(p, nonce, nonce_len));
    /* Without either, evidence of any age would pass: a replay, or a timestamp of 1970. */
    if (!p->has_report_data && p->max_age_s == 0)
        ARCA_RAISE(ARCA_ERR_POLICY, "%s: the policy demands no freshness: add 'ReportData = HEX' (the "
                   "nonce the enclave bound into its evidence; or pass it with 'arca verify --nonce "
                   "HEX') or 'MaxAgeSeconds = N', or both; with neither, evidence of any age (a "
                   "replay, or one dated 1970) would pass", c.name);
    if (p->backend && !arca__backend_isolates(p->backend) && !p->allow_simulation)
        ARCA_RAISE(ARCA_ERR_POLICY, "%s: Backend = %s needs 'AllowSimulation = 1': %s does not isolate "
                   "the enclave from its host, and evidence from it is refused unless the policy "
                   "says so", c.name, arca_backend_id_name(p->backend),
                   arca_backend_id_name(p->backend));
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
