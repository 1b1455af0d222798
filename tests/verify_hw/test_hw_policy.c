/*
 * test_hw_policy.c — hardware evidence through the public API (arca_verify_evidence_at,
 * policy.conf, arca_policy_add_collateral*, arca_claims_t.tee, arca_claims_to_json) and
 * through `arca verify` (argv[1]): the example policy of each TEE in docs/policies/ (the exact
 * files docs/verifying-hardware-evidence.md shows, checked here) accepts its vector and
 * refuses a wrong measurement, a wrong root, a TCB the policy does not allow and a
 * verification time at which a certificate has expired, each with its own result and a
 * sentence; every vector of every family (SGX, TDX, SEV-SNP, Azure HCL) that verifies
 * (hw_cases.h) verifies under a policy written from expected.json; every hardware policy key's
 * errors name the line, contradictions name both lines; the format registry recognises each
 * format; the shipped roots are found next to the library.
 */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wformat-truncation" /* test paths and texts are short */
#endif
#include <json-c/json.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "arca/verify.h"
#include "formats/image.h" /* arca__read_file */
#include "hw_cases.h"
#include "test.h"

#ifndef ARCA_HW_TEST_VECTORS
#error "ARCA_HW_TEST_VECTORS must name tests/verify_hw/vectors"
#endif
#define VEC ARCA_HW_TEST_VECTORS
#define ROOTS ARCA_HW_TEST_ROOTS
#define POLICIES ARCA_HW_TEST_POLICIES

static const char *arca_cli;
static char scratch[PATH_MAX];
static json_object *expected;

#define SGX_NONCE "48656c6c6f2c20776f726c6421"
#define TDX_NONCE                                                                                \
    "9a9d48e7f6799642d3d1b34e1e5e1742d4bb02dd6ddd551862c1211d35c304f9eca3efdbb481601c163cf52493" \
    "d6e44aed55d51ec39b7e518fadb92c2b523f20"
#define MS_TEE VEC "/sev-snp/ms-tee-attestation-verification"

/* ---- helpers ---- */

static char *read_text(const char *path)
{
    uint8_t *bytes = NULL;
    size_t len = 0;
    char *text;
    if (arca__read_file(path, 1u << 22, &bytes, &len) != ARCA_OK) {
        fprintf(stderr, "cannot read %s\n", path);
        exit(2);
    }
    text = realloc(bytes, len + 1);
    if (!text)
        exit(2);
    text[len] = '\0';
    return text;
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f || fputs(text, f) < 0 || fclose(f) != 0) {
        fprintf(stderr, "cannot write %s\n", path);
        exit(2);
    }
}

/* @p text with the first line starting with @p key replaced by @p line (NULL: removed). */
static char *replace_line(const char *text, const char *key, const char *line)
{
    size_t klen = strlen(key), cap = strlen(text) + (line ? strlen(line) : 0) + 2;
    char *out = calloc(1, cap);
    const char *p = text, *hit = NULL;
    while (*p && !hit) {
        if (strncmp(p, key, klen) == 0 && (p[klen] == ' ' || p[klen] == '='))
            hit = p;
        else
            p = strchr(p, '\n') ? strchr(p, '\n') + 1 : p + strlen(p);
    }
    if (!out || !hit) {
        fprintf(stderr, "no line %s in the policy\n", key);
        exit(2);
    }
    const char *end = strchr(hit, '\n') ? strchr(hit, '\n') + 1 : hit + strlen(hit);
    memcpy(out, text, (size_t)(hit - text));
    if (line)
        snprintf(out + strlen(out), cap - strlen(out), "%s\n", line);
    snprintf(out + strlen(out), cap - strlen(out), "%s", end);
    return out;
}

static uint64_t at(const char *text)
{
    uint64_t ns = 0;
    if (arca_verify_parse_time(text, &ns) != ARCA_OK) {
        fprintf(stderr, "bad test time %s\n", text);
        exit(2);
    }
    return ns;
}

static size_t unhex_nonce(const char *hex, uint8_t out[64])
{
    size_t n = strlen(hex) / 2;
    for (size_t i = 0; i < n; i++)
        if (sscanf(hex + 2 * i, "%2hhx", &out[i]) != 1)
            exit(2);
    return n;
}

/* Run the CLI with @p args; its exit status, stdout+stderr in @p out. */
static int cli(char *out, size_t cap, const char *args)
{
    char cmd[16384], path[PATH_MAX];
    int status;
    snprintf(path, sizeof path, "%s/cli.out", scratch);
    snprintf(cmd, sizeof cmd, "'%s' verify %s >'%s' 2>&1", arca_cli, args, path);
    status = system(cmd);
    char *text = read_text(path);
    snprintf(out, cap, "%s", text);
    free(text);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* ---- the example policies of docs/policies ---- */

struct example {
    const char *name;            /* docs/policies/<name>.conf */
    const char *evidence;        /* absolute */
    const char *collateral[3];   /* absolute, NULL-terminated */
    const char *nonce;           /* hex */
    const char *at;              /* when it verifies */
    arca_tee_t tee;
    const char *status;          /* the TCB status then */
    const char *measurement_key; /* a line to make wrong, and the wrong line */
    const char *wrong_measurement;
    const char *other_root; /* a TrustedRoot line that does not anchor the evidence */
    const char *tcb_key;    /* a line that no longer allows the TCB, NULL line: no collateral */
    const char *tcb_line;
    arca_result_t tcb_result;
    const char *expired_at; /* a time at which a certificate has expired */
};

static const struct example examples[] = {
    {"sgx",
     VEC "/sgx-tdx/dcap-qvl/sgx_quote",
     {VEC "/sgx-tdx/dcap-qvl/sgx_quote_collateral.json", NULL},
     SGX_NONCE,
     "2025-06-20T00:00:00Z",
     ARCA_TEE_SGX,
     "ConfigurationAndSWHardeningNeeded",
     "SGX.MRENCLAVE",
     "SGX.MRENCLAVE = 33d8736db756ed4997e04ba358d27833188f1932ff7b1d156904d3f560452fbc",
     "TrustedRoot = " ROOTS "/amd_milan_ark.pem",
     "AllowTcbStatus",
     "AllowTcbStatus = UpToDate, SWHardeningNeeded",
     ARCA_ERR_TCB_STATUS,
     "2060-01-01T00:00:00Z"},
    {"tdx",
     VEC "/sgx-tdx/dcap-qvl/tdx_quote",
     {VEC "/sgx-tdx/dcap-qvl/tdx_quote_collateral.json", NULL},
     TDX_NONCE,
     "2025-06-20T00:00:00Z",
     ARCA_TEE_TDX,
     "UpToDate",
     "TDX.MRTD",
     "TDX.MRTD = 91eb2b44d141d4ece09f0c75c2c53d247a3c68edd7fafe8a3520c942a604a407de03ae6dc5f87f27"
     "428b2538873118b8",
     "TrustedRoot = " ROOTS "/amd_genoa_ark.pem",
     "AllowTcbStatus",
     NULL, /* without collateral the TCB is NotEvaluated, which UpToDate does not allow */
     ARCA_ERR_TCB_STATUS,
     "2060-01-01T00:00:00Z"},
    {"snp",
     MS_TEE "/milan_attestation_report.bin",
     {MS_TEE "/milan_vcek.pem", MS_TEE "/milan_ask.pem", NULL},
     "00",
     "2026-03-01T00:00:00Z",
     ARCA_TEE_SNP,
     "NotEvaluated",
     "SNP.Measurement",
     "SNP.Measurement = 6feee30d6d7e1a29f403d70a4198237ddfb13051a2d6976439487c609388ed7f98189887"
     "920ab2fa0096903a0c23fca1",
     "TrustedRoot = " ROOTS "/amd_genoa_ark.pem",
     "SNP.MinTCB",
     "SNP.MinTCB = bootloader=4, tee=0, snp=24, microcode=220",
     ARCA_ERR_VERIFY_SVN,
     "2034-01-01T00:00:00Z"},
};

/* Load @p text (the example policy, maybe changed) as docs/policies/<name>.conf would load. */
static arca_result_t verify_text(const struct example *e, const char *text, int with_collateral,
                                 const char *when, arca_claims_t *claims)
{
    arca_policy_t *p = NULL;
    char *conf = NULL;
    uint8_t *ev = NULL;
    size_t len = 0;
    arca_result_t r;

    /* The nonce as ReportData, as arca_policy_load_file_with_nonce() sets it. */
    conf = malloc(strlen(text) + 200);
    if (!conf)
        exit(2);
    sprintf(conf, "%sReportData = %s\n", text, e->nonce);
    r = arca_policy_parse(conf, strlen(conf), e->name, POLICIES, &p);
    for (size_t i = 0; r == ARCA_OK && with_collateral && e->collateral[i]; i++)
        r = arca_policy_add_collateral_path(p, e->collateral[i]);
    if (r == ARCA_OK) {
        if (arca__read_file(e->evidence, 1u << 22, &ev, &len) != ARCA_OK)
            exit(2);
        r = arca_verify_evidence_at(ev, len, p, at(when), claims);
    }
    arca_policy_free(p);
    free(conf);
    free(ev);
    return r;
}

static void test_example_policies_accept(void)
{
    static arca_claims_t claims;
    char json[65536], path[PATH_MAX];
    for (size_t i = 0; i < sizeof examples / sizeof examples[0]; i++) {
        const struct example *e = &examples[i];
        arca_policy_t *p = NULL;
        uint8_t nonce[64], *ev = NULL;
        size_t n = unhex_nonce(e->nonce, nonce), len = 0, needed = 0;

        /* The file itself, with the nonce from the caller (arca verify --nonce). */
        snprintf(path, sizeof path, "%s/%s.conf", POLICIES, e->name);
        ASSERT_RESULT(arca_policy_load_file(path, &p), ARCA_ERR_POLICY);
        ASSERT_CONTAINS(arca_verify_last_error(), "demands no freshness");
        ASSERT_OK(arca_policy_load_file_with_nonce(path, nonce, n, &p));
        for (size_t c = 0; e->collateral[c]; c++)
            ASSERT_OK(arca_policy_add_collateral_path(p, e->collateral[c]));
        ASSERT_UEQ(arca__read_file(e->evidence, 1u << 22, &ev, &len), ARCA_OK);
        arca_result_t r = arca_verify_evidence_at(ev, len, p, at(e->at), &claims);
        if (r != ARCA_OK)
            fprintf(stderr, "  %s: %s\n", e->name, arca_verify_last_error());
        ASSERT_OK(r);
        ASSERT_STREQ(arca_verify_last_error(), "");
        ASSERT_EQ(claims.tee.tee, e->tee);
        ASSERT_EQ(claims.format, e->tee == ARCA_TEE_SNP ? ARCA_EVIDENCE_SNP_REPORT
                                                         : ARCA_EVIDENCE_DCAP_QUOTE);
        ASSERT_STREQ(arca_tcb_status_name(claims.tee.tcb_status), e->status);
        ASSERT_EQ(claims.tee.verified_at, (int64_t)(at(e->at) / 1000000000u));
        ASSERT_MEMEQ(claims.report_data, claims.tee.report_data, 64);
        ASSERT_EQ(claims.platform_kind, 0);
        ASSERT_EQ(claims.timestamp_ns, 0);
        /* JSON: the hardware claims shape, sized by the first call. */
        ASSERT_RESULT(arca_claims_to_json(&claims, json, 16, &needed), ARCA_ERR_BUFFER_TOO_SMALL);
        ASSERT_TRUE(needed > 16 && needed <= sizeof json);
        ASSERT_OK(arca_claims_to_json(&claims, json, sizeof json, NULL));
        ASSERT_UEQ(strlen(json) + 1, needed);
        json_object *o = json_tokener_parse(json), *tee = NULL;
        ASSERT_TRUE(o != NULL);
        ASSERT_TRUE(json_object_object_get_ex(o, "tee", &tee));
        ASSERT_STREQ(json_object_get_string(tee), arca_tee_name(e->tee));
        json_object_put(o);
        /* The same with no claims wanted, and twice with one policy (the warm path). */
        ASSERT_OK(arca_verify_evidence_at(ev, len, p, at(e->at), NULL));
        ASSERT_OK(arca_verify_evidence_at(ev, len, p, at(e->at), &claims));
        /* Another nonce. */
        nonce[0] ^= 1;
        arca_policy_free(p);
        ASSERT_OK(arca_policy_load_file_with_nonce(path, nonce, n, &p));
        for (size_t c = 0; e->collateral[c]; c++)
            ASSERT_OK(arca_policy_add_collateral_path(p, e->collateral[c]));
        ASSERT_RESULT(arca_verify_evidence_at(ev, len, p, at(e->at), &claims),
                      ARCA_ERR_VERIFY_REPORT_DATA);
        ASSERT_EQ(claims.tee.tee, ARCA_TEE_NONE); /* zeroed on failure */
        arca_policy_free(p);
        free(ev);
    }
}

static void test_example_policies_refuse(void)
{
    static arca_claims_t claims;
    char path[PATH_MAX];
    for (size_t i = 0; i < sizeof examples / sizeof examples[0]; i++) {
        const struct example *e = &examples[i];
        char *text, *changed;
        snprintf(path, sizeof path, "%s/%s.conf", POLICIES, e->name);
        text = read_text(path);

        ASSERT_OK(verify_text(e, text, 1, e->at, &claims));
        /* A wrong measurement. */
        changed = replace_line(text, e->measurement_key, e->wrong_measurement);
        ASSERT_RESULT(verify_text(e, changed, 1, e->at, &claims), ARCA_ERR_VERIFY_MEASUREMENT);
        ASSERT_CONTAINS(arca_verify_last_error(), "is not");
        free(changed);
        /* A root that does not anchor it. */
        changed = replace_line(text, "TrustedRoot", e->other_root);
        ASSERT_RESULT(verify_text(e, changed, 1, e->at, &claims), ARCA_ERR_UNTRUSTED_ROOT);
        ASSERT_TRUE(strlen(arca_verify_last_error()) > 20);
        free(changed);
        /* A TCB the policy does not allow. */
        if (e->tcb_line) {
            changed = replace_line(text, e->tcb_key, e->tcb_line);
            ASSERT_RESULT(verify_text(e, changed, 1, e->at, &claims), e->tcb_result);
            free(changed);
        } else {
            ASSERT_RESULT(verify_text(e, text, 0, e->at, &claims), e->tcb_result);
            ASSERT_CONTAINS(arca_verify_last_error(), "not evaluated");
        }
        /* Expired certificates at the verification time (without collateral, whose CRLs
         * would expire first). */
        ASSERT_RESULT(verify_text(e, text, e->tee == ARCA_TEE_SNP, e->expired_at, &claims),
                      ARCA_ERR_CERT_EXPIRED);
        ASSERT_CONTAINS(arca_verify_last_error(), "expired");
        ASSERT_EQ(claims.tee.tee, ARCA_TEE_NONE);
        free(text);
    }
}

/* docs/verifying-hardware-evidence.md shows each example policy exactly as the file is. */
static void test_docs_show_the_example_policies(void)
{
    char path[PATH_MAX], marker[256];
    snprintf(path, sizeof path, "%s/../verifying-hardware-evidence.md", POLICIES);
    char *doc = read_text(path);
    for (size_t i = 0; i < sizeof examples / sizeof examples[0]; i++) {
        snprintf(marker, sizeof marker, "<!-- policy: docs/policies/%s.conf -->\n```ini\n",
                 examples[i].name);
        const char *start = strstr(doc, marker), *end;
        ASSERT_TRUE(start != NULL);
        start += strlen(marker);
        end = strstr(start, "```\n");
        ASSERT_TRUE(end != NULL);
        snprintf(path, sizeof path, "%s/%s.conf", POLICIES, examples[i].name);
        char *file = read_text(path);
        int same = strlen(file) == (size_t)(end - start) && memcmp(file, start, strlen(file)) == 0;
        if (!same)
            fprintf(stderr, "  the documentation's %s.conf differs from %s\n", examples[i].name,
                    path);
        free(file);
        ASSERT_TRUE(same);
    }
    free(doc);
}

/* `arca verify` with the same files: success, JSON, and each refusal's name and sentence. */
static void test_example_policies_cli(void)
{
    static char out[1 << 16];
    char args[8192], coll[4096], policy[PATH_MAX], changed_path[PATH_MAX];
    for (size_t i = 0; i < sizeof examples / sizeof examples[0]; i++) {
        const struct example *e = &examples[i];
        coll[0] = '\0';
        for (size_t c = 0; e->collateral[c]; c++)
            snprintf(coll + strlen(coll), sizeof coll - strlen(coll), " --collateral '%s'",
                     e->collateral[c]);
        snprintf(policy, sizeof policy, "%s/%s.conf", POLICIES, e->name);

        snprintf(args, sizeof args, "--policy '%s' --nonce %s%s --at %s '%s'", policy, e->nonce,
                 coll, e->at, e->evidence);
        ASSERT_EQ(cli(out, sizeof out, args), 0);
        ASSERT_CONTAINS(out, "OK: ");
        ASSERT_CONTAINS(out, e->status);
        snprintf(args, sizeof args, "--json --policy '%s' --nonce %s%s --at %s '%s'", policy,
                 e->nonce, coll, e->at, e->evidence);
        ASSERT_EQ(cli(out, sizeof out, args), 0);
        json_object *o = json_tokener_parse(out), *v = NULL;
        ASSERT_TRUE(o != NULL);
        ASSERT_TRUE(json_object_object_get_ex(o, "verified", &v) && json_object_get_boolean(v));
        ASSERT_TRUE(json_object_object_get_ex(o, "claims", &v));
        json_object_put(o);

        /* Wrong measurement, from a copy of the policy (absolute root paths). */
        char *text = read_text(policy), *abs_root, *changed;
        char root_line[PATH_MAX + 32];
        const char *rel = strstr(text, "TrustedRoot = ../../share/roots/");
        ASSERT_TRUE(rel != NULL);
        snprintf(root_line, sizeof root_line, "TrustedRoot = %s/%.*s", ROOTS,
                 (int)strcspn(rel + 32, "\n"), rel + 32);
        abs_root = replace_line(text, "TrustedRoot", root_line);
        changed = replace_line(abs_root, e->measurement_key, e->wrong_measurement);
        snprintf(changed_path, sizeof changed_path, "%s/%s-wrong.conf", scratch, e->name);
        write_text(changed_path, changed);
        snprintf(args, sizeof args, "--policy '%s' --nonce %s%s --at %s '%s'", changed_path,
                 e->nonce, coll, e->at, e->evidence);
        ASSERT_EQ(cli(out, sizeof out, args), 1);
        ASSERT_CONTAINS(out, "FAILED: ERR_VERIFY_MEASUREMENT: ");
        ASSERT_CONTAINS(out, "... is not ");
        free(changed);
        /* Wrong root. */
        changed = replace_line(abs_root, "TrustedRoot", e->other_root);
        write_text(changed_path, changed);
        ASSERT_EQ(cli(out, sizeof out, args), 1);
        ASSERT_CONTAINS(out, "FAILED: ERR_UNTRUSTED_ROOT: ");
        free(changed);
        /* The TCB. */
        changed = e->tcb_line ? replace_line(abs_root, e->tcb_key, e->tcb_line) : NULL;
        write_text(changed_path, changed ? changed : abs_root);
        snprintf(args, sizeof args, "--policy '%s' --nonce %s%s --at %s '%s'", changed_path,
                 e->nonce, changed ? coll : "", e->at, e->evidence);
        ASSERT_EQ(cli(out, sizeof out, args), 1);
        ASSERT_CONTAINS(out, arca_result_name(e->tcb_result));
        free(changed);
        /* Expired at --at. */
        snprintf(args, sizeof args, "--json --policy '%s' --nonce %s%s --at %s '%s'", policy,
                 e->nonce, e->tee == ARCA_TEE_SNP ? coll : "", e->expired_at, e->evidence);
        ASSERT_EQ(cli(out, sizeof out, args), 1);
        ASSERT_CONTAINS(out, "{\"verified\":false,\"result\":\"ERR_CERT_EXPIRED\"");
        ASSERT_CONTAINS(out, "FAILED: ERR_CERT_EXPIRED: ");
        free(abs_root);
        free(text);
    }
    /* Command-line errors. */
    snprintf(args, sizeof args, "--policy '%s/sgx.conf' --nonce %s --at yesterday '%s'", POLICIES,
             SGX_NONCE, examples[0].evidence);
    ASSERT_EQ(cli(out, sizeof out, args), 2);
    ASSERT_CONTAINS(out, "--at: 'yesterday' is not a time");
    snprintf(args, sizeof args, "--policy '%s/sgx.conf' --nonce %s --collateral /nonexistent '%s'",
             POLICIES, SGX_NONCE, examples[0].evidence);
    ASSERT_EQ(cli(out, sizeof out, args), 3);
    snprintf(args, sizeof args, "--policy '%s/sgx.conf' --nonce %s --collateral '%s' '%s'",
             POLICIES, SGX_NONCE, policy, examples[0].evidence);
    ASSERT_EQ(cli(out, sizeof out, args), 1);
    ASSERT_CONTAINS(out, "FAILED: ERR_BAD_FORMAT: ");
    ASSERT_CONTAINS(out, "not collateral Arca knows");
    /* Unix seconds for --at. */
    snprintf(args, sizeof args, "--policy '%s/sgx.conf' --nonce %s --collateral '%s' --at 1750377600 '%s'",
             POLICIES, SGX_NONCE, examples[0].collateral[0], examples[0].evidence);
    ASSERT_EQ(cli(out, sizeof out, args), 0);
    ASSERT_CONTAINS(out, "verified at    2025-06-20T00:00:00Z");
}

/* ---- every vector family under a policy written from expected.json ---- */

static const char *field(const char *entry, const char *key)
{
    json_object *e = NULL, *v = NULL;
    if (!json_object_object_get_ex(expected, entry, &e) || !json_object_object_get_ex(e, key, &v))
        return NULL;
    return json_object_get_string(v);
}

static unsigned hexbyte(const char *hex, size_t i)
{
    unsigned b = 0;
    sscanf(hex + 2 * i, "%2x", &b);
    return b;
}

/* A policy for one vector, written from what expected.json (independent verifiers) says. */
static void family_policy(const struct vcase *v, char *out, size_t cap)
{
    const char *e = v->fields ? v->fields : v->evidence;
    int snp = strcmp(field(e, "kind"), "sev-snp-report") == 0;
    int sgx = !snp && strcmp(field(e, "tee_type"), "0x0") == 0;
    size_t n = 0;
#define ADD(...) (n += (size_t)snprintf(out + n, n < cap ? cap - n : 0, __VA_ARGS__))
    if (snp) {
        unsigned long long policy = strtoull(field(e, "policy"), NULL, 16);
        ADD("TEE = snp\nSNP.Measurement = %s\nSNP.HostData = %s\nSNP.AllowVMPL = %s\n",
            field(e, "measurement"), field(e, "host_data"), field(e, "vmpl"));
        if (policy & (1ull << 19))
            ADD("AllowDebug = 1\n");
    } else if (sgx) {
        const char *prod = field(e, "isv_prod_id");
        ADD("TEE = sgx\nSGX.MRENCLAVE = %s\nSGX.MRSIGNER = %s\nSGX.ISVPRODID = %u\n",
            field(e, "mr_enclave"), field(e, "mr_signer"),
            hexbyte(prod, 0) | hexbyte(prod, 1) << 8);
        if (hexbyte(field(e, "attributes"), 0) & 2)
            ADD("AllowDebug = 1\n");
    } else {
        ADD("TEE = tdx\nTDX.MRTD = %s\nTDX.MinTeeTcbSvn = %s\n", field(e, "mr_td"),
            field(e, "tee_tcb_svn"));
        for (int i = 0; i < 4; i++) {
            char key[8];
            snprintf(key, sizeof key, "rtmr%d", i);
            ADD("TDX.RTMR%d = %s\n", i, field(e, key));
        }
        if (hexbyte(field(e, "td_attributes"), 0) & 1)
            ADD("AllowDebug = 1\n");
    }
    if (!snp) {
        ADD("AllowTcbStatus = %s\n", v->status);
        if (v->advisories[0])
            ADD("AllowAdvisories = %s\n", v->advisories);
    }
    ADD("ReportData = %s\n", field(e, "report_data"));
    for (size_t i = 0; v->roots && v->roots[i]; i++)
        ADD("TrustedRoot = %s/%s\n", ROOTS, v->roots[i]);
#undef ADD
}

/* Every vector that verifies (hw_cases.h, as test_hw_vectors checks them against the verifier
 * itself) verifies through the policy, the API and the CLI: SGX, TDX, SEV-SNP, Azure HCL. */
static void test_every_family(void)
{
    static arca_claims_t claims;
    static char text[8192], out[1 << 16];
    char path[PATH_MAX], conf[PATH_MAX], args[8192];
    int failures = 0, count = 0, hcl = 0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct vcase *v = &cases[i];
        arca_policy_t *p = NULL;
        uint8_t *ev = NULL;
        size_t len = 0;
        arca_result_t r;

        if (v->expect != ARCA_OK)
            continue;
        count++;
        family_policy(v, text, sizeof text);
        ASSERT_OK(arca_policy_parse(text, strlen(text), v->evidence, NULL, &p));
        snprintf(args, sizeof args, "--policy '%s/family.conf'", scratch);
        for (size_t c = 0; v->collateral && v->collateral[c]; c++) {
            snprintf(path, sizeof path, "%s/%s", VEC, v->collateral[c]);
            ASSERT_OK(arca_policy_add_collateral_path(p, path));
            snprintf(args + strlen(args), sizeof args - strlen(args), " --collateral '%s'", path);
        }
        snprintf(path, sizeof path, "%s/%s", VEC, v->evidence);
        ASSERT_UEQ(arca__read_file(path, 1u << 22, &ev, &len), ARCA_OK);
        uint16_t format = arca_evidence_detect(ev, len);
        ASSERT_TRUE(format == ARCA_EVIDENCE_DCAP_QUOTE || format == ARCA_EVIDENCE_SNP_REPORT ||
                    format == ARCA_EVIDENCE_AZURE_HCL);
        hcl += format == ARCA_EVIDENCE_AZURE_HCL;
        r = arca_verify_evidence_at(ev, len, p, at(v->at), &claims);
        if (r != ARCA_OK) {
            fprintf(stderr, "  %s: %s: %s\n%s", v->evidence, arca_result_name(r),
                    arca_verify_last_error(), text);
            failures++;
        } else {
            char adv[1024] = "";
            for (size_t a = 0; a < claims.tee.advisory_count; a++)
                snprintf(adv + strlen(adv), sizeof adv - strlen(adv), "%s%s", a ? "," : "",
                         claims.tee.advisories[a]);
            if (claims.format != format ||
                strcmp(arca_tcb_status_name(claims.tee.tcb_status), v->status) != 0 ||
                strcmp(adv, v->advisories) != 0 ||
                claims.tee.wrapped_azure != (format == ARCA_EVIDENCE_AZURE_HCL)) {
                fprintf(stderr, "  %s: format %u, status %s [%s]\n", v->evidence, claims.format,
                        arca_tcb_status_name(claims.tee.tcb_status), adv);
                failures++;
            }
        }
        /* The same through the CLI. */
        snprintf(conf, sizeof conf, "%s/family.conf", scratch);
        write_text(conf, text);
        snprintf(args + strlen(args), sizeof args - strlen(args), " --at %s '%s'", v->at, path);
        if (cli(out, sizeof out, args) != 0 || !strstr(out, "OK: ")) {
            fprintf(stderr, "  arca verify %s:\n%s", args, out);
            failures++;
        }
        fprintf(stderr, "  %-68s %s\n", v->evidence, r == ARCA_OK ? "verified" : "REFUSED");
        arca_policy_free(p);
        free(ev);
    }
    ASSERT_EQ(failures, 0);
    ASSERT_TRUE(count >= 25 && hcl >= 3);
}

/* ---- policy-specific checks on real vectors ---- */

/* Verify @p evidence (relative to the vectors) under policy @p text with @p collateral. */
static arca_result_t verify_with(const char *text, const char *evidence,
                                 const char *const *collateral, const char *when,
                                 arca_claims_t *claims)
{
    arca_policy_t *p = NULL;
    uint8_t *ev = NULL;
    size_t len = 0;
    char path[PATH_MAX];
    arca_result_t r = arca_policy_parse(text, strlen(text), "t.conf", POLICIES, &p);
    for (size_t i = 0; r == ARCA_OK && collateral && collateral[i]; i++) {
        snprintf(path, sizeof path, "%s/%s", VEC, collateral[i]);
        r = arca_policy_add_collateral_path(p, path);
    }
    if (r == ARCA_OK) {
        snprintf(path, sizeof path, "%s/%s", VEC, evidence);
        if (arca__read_file(path, 1u << 22, &ev, &len) != ARCA_OK)
            exit(2);
        r = arca_verify_evidence_at(ev, len, p, at(when), claims);
    }
    arca_policy_free(p);
    free(ev);
    return r;
}

#define SGX_Q "sgx-tdx/dcap-qvl/sgx_quote"
#define SGX_C ((const char *const[]){"sgx-tdx/dcap-qvl/sgx_quote_collateral.json", NULL})
#define SGX_BASE                                                                                 \
    "TEE = sgx\nSGX.MRENCLAVE = 33d8736db756ed4997e04ba358d27833188f1932ff7b1d156904d3f560452fbb\n" \
    "ReportData = " SGX_NONCE "\nTrustedRoot = ../../share/roots/Intel_SGX_Root_CA.pem\n"
#define SGX_SIGNER "SGX.MRSIGNER = 815f42f11cf64430c30bab7816ba596a1da0130c3b028b673133a66cf9a3e0e6\n"
#define SGX_TCB "AllowTcbStatus = ConfigurationAndSWHardeningNeeded\n"
#define SGX_T "2025-06-20T00:00:00Z"

static void test_sgx_checks(void)
{
    static arca_claims_t c;
    ASSERT_OK(verify_with(SGX_BASE SGX_TCB "AllowAdvisories = *\n", SGX_Q, SGX_C, SGX_T, &c));
    ASSERT_OK(verify_with(SGX_BASE SGX_TCB "AllowAdvisories = INTEL-SA-00615, INTEL-SA-00289\n",
                          SGX_Q, SGX_C, SGX_T, &c));
    /* An advisory the policy does not list. */
    ASSERT_RESULT(verify_with(SGX_BASE SGX_TCB "AllowAdvisories = INTEL-SA-00289\n", SGX_Q, SGX_C,
                              SGX_T, &c), ARCA_ERR_TCB_STATUS);
    ASSERT_CONTAINS(arca_verify_last_error(), "advisory INTEL-SA-00615");
    ASSERT_RESULT(verify_with(SGX_BASE SGX_TCB, SGX_Q, SGX_C, SGX_T, &c), ARCA_ERR_TCB_STATUS);
    /* The default: UpToDate only. */
    ASSERT_RESULT(verify_with(SGX_BASE "AllowAdvisories = *\n", SGX_Q, SGX_C, SGX_T, &c),
                  ARCA_ERR_TCB_STATUS);
    ASSERT_CONTAINS(arca_verify_last_error(), "the TCB status is ConfigurationAndSWHardeningNeeded");
    ASSERT_CONTAINS(arca_verify_last_error(), "the policy accepts UpToDate (AllowTcbStatus)");
    /* Without collateral, only NotEvaluated passes. */
    ASSERT_OK(verify_with(SGX_BASE "AllowTcbStatus = NotEvaluated\n", SGX_Q, NULL, SGX_T, &c));
    ASSERT_EQ(c.tee.tcb_status, ARCA_TCB_NOT_EVALUATED);
    /* Signer, product, SVN. */
    ASSERT_OK(verify_with(SGX_BASE SGX_SIGNER "SGX.ISVPRODID = 0\nSGX.MinISVSVN = 0\n"
                          "AllowTcbStatus = NotEvaluated\n", SGX_Q, NULL, SGX_T, &c));
    ASSERT_RESULT(verify_with(SGX_BASE "SGX.MRSIGNER = 915f42f11cf64430c30bab7816ba596a1da0130c3b02"
                              "8b673133a66cf9a3e0e6\nSGX.ISVPRODID = 0\nAllowTcbStatus = "
                              "NotEvaluated\n", SGX_Q, NULL, SGX_T, &c), ARCA_ERR_VERIFY_SIGNER);
    ASSERT_CONTAINS(arca_verify_last_error(), "MRSIGNER 815f42f11cf64430... is not the policy's");
    ASSERT_RESULT(verify_with(SGX_BASE SGX_SIGNER "SGX.ISVPRODID = 1\nAllowTcbStatus = NotEvaluated\n",
                              SGX_Q, NULL, SGX_T, &c), ARCA_ERR_VERIFY_PRODUCT);
    ASSERT_RESULT(verify_with(SGX_BASE SGX_SIGNER "SGX.ISVPRODID = 0\nSGX.MinISVSVN = 1\n"
                              "AllowTcbStatus = NotEvaluated\n", SGX_Q, NULL, SGX_T, &c),
                  ARCA_ERR_VERIFY_SVN);
    /* Any of several measurements. */
    ASSERT_OK(verify_with(SGX_BASE "SGX.MRENCLAVE = 0000000000000000000000000000000000000000000000"
                          "000000000000000000\nAllowTcbStatus = NotEvaluated\n", SGX_Q, NULL, SGX_T,
                          &c));
    /* Report data: the nonce is compared zero-padded. */
    ASSERT_RESULT(verify_with("TEE = sgx\nSGX.MRENCLAVE = 33d8736db756ed4997e04ba358d27833188f1932"
                              "ff7b1d156904d3f560452fbb\nReportData = 48656c6c6f\nTrustedRoot = "
                              "../../share/roots/Intel_SGX_Root_CA.pem\nAllowTcbStatus = "
                              "NotEvaluated\n", SGX_Q, NULL, SGX_T, &c),
                  ARCA_ERR_VERIFY_REPORT_DATA);
    /* An SGX quote under a TDX policy. */
    char text[2048];
    snprintf(text, sizeof text, "TEE = tdx\nTDX.MRTD = %096d\nReportData = %s\nTrustedRoot = "
             "../../share/roots/Intel_SGX_Root_CA.pem\nAllowTcbStatus = NotEvaluated\n", 0,
             SGX_NONCE);
    ASSERT_RESULT(verify_with(text, SGX_Q, NULL, SGX_T, &c), ARCA_ERR_VERIFY_BACKEND);
    ASSERT_CONTAINS(arca_verify_last_error(), "Intel SGX evidence (dcap-quote), but the policy requires TEE = tdx");
}

#define TDX_Q "sgx-tdx/dcap-qvl/tdx_quote"
#define TDX_C ((const char *const[]){"sgx-tdx/dcap-qvl/tdx_quote_collateral.json", NULL})
#define TDX_BASE                                                                                 \
    "TEE = tdx\nTDX.MRTD = 91eb2b44d141d4ece09f0c75c2c53d247a3c68edd7fafe8a3520c942a604a407de03ae6d" \
    "c5f87f27428b2538873118b7\nReportData = " TDX_NONCE "\n"                                     \
    "TrustedRoot = ../../share/roots/Intel_SGX_Root_CA.pem\n"

static void test_tdx_checks(void)
{
    static arca_claims_t c;
    ASSERT_OK(verify_with(TDX_BASE, TDX_Q, TDX_C, SGX_T, &c));
    ASSERT_TRUE(c.tee.has_rtmr);
    ASSERT_RESULT(verify_with(TDX_BASE "TDX.RTMR3 = 0000000000000000000000000000000000000000000000"
                              "00000000000000000000000000000000000000000000000001\n", TDX_Q, TDX_C,
                              SGX_T, &c), ARCA_ERR_VERIFY_MEASUREMENT);
    ASSERT_CONTAINS(arca_verify_last_error(), "RTMR3 000000000000");
    ASSERT_RESULT(verify_with(TDX_BASE "TDX.MinTeeTcbSvn = 06020000000000000000000000000000\n",
                              TDX_Q, TDX_C, SGX_T, &c), ARCA_ERR_VERIFY_SVN);
    ASSERT_CONTAINS(arca_verify_last_error(), "TEE_TCB_SVN byte 1 is 1, below");
    /* Another platform's collateral (the SGX quote's): with Intel collateral CRLs are
     * mandatory, and it has none from this quote's PCK CA. */
    ASSERT_RESULT(verify_with(TDX_BASE, TDX_Q,
                              (const char *const[]){"sgx-tdx/dcap-qvl/sgx_quote_collateral.json",
                                                    NULL}, SGX_T, &c),
                  ARCA_ERR_COLLATERAL_MISSING);
    ASSERT_CONTAINS(arca_verify_last_error(), "no revocation list from 'Intel SGX PCK Platform CA'");
}

#define SNP_R "sev-snp/ms-tee-attestation-verification/milan_attestation_report.bin"
#define SNP_C                                                                                    \
    ((const char *const[]){"sev-snp/ms-tee-attestation-verification/milan_vcek.pem",            \
                           "sev-snp/ms-tee-attestation-verification/milan_ask.pem", NULL})
#define SNP_BASE                                                                                 \
    "TEE = snp\nSNP.Measurement = 5feee30d6d7e1a29f403d70a4198237ddfb13051a2d6976439487c609388ed" \
    "7f98189887920ab2fa0096903a0c23fca1\nReportData = 00\n"                                      \
    "TrustedRoot = ../../share/roots/amd_milan_ark.pem\n"
#define SNP_T "2026-03-01T00:00:00Z"

static void test_snp_checks(void)
{
    static arca_claims_t c;
    ASSERT_OK(verify_with(SNP_BASE, SNP_R, SNP_C, SNP_T, &c));
    ASSERT_EQ(c.tee.snp.vmpl, 0);
    ASSERT_RESULT(verify_with(SNP_BASE "SNP.HostData = 00000000000000000000000000000000000000000000"
                              "00000000000000000000\n", SNP_R, SNP_C, SNP_T, &c),
                  ARCA_ERR_VERIFY_MEASUREMENT);
    ASSERT_CONTAINS(arca_verify_last_error(), "HOST_DATA 4f4448c67f3c8dfc... is not");
    ASSERT_RESULT(verify_with(SNP_BASE "SNP.MinTCB = bootloader=5, tee=0, snp=0, microcode=0\n",
                              SNP_R, SNP_C, SNP_T, &c), ARCA_ERR_VERIFY_SVN);
    ASSERT_CONTAINS(arca_verify_last_error(), "bootloader SVN is 4, below the policy's SNP.MinTCB bootloader=5");
    ASSERT_OK(verify_with(SNP_BASE "SNP.MinTCB = bootloader=4, tee=0, snp=24, microcode=219\n",
                          SNP_R, SNP_C, SNP_T, &c));
    /* Not yet valid VCEK (issued 2026-02-05). */
    ASSERT_RESULT(verify_with(SNP_BASE, SNP_R, SNP_C, "2026-01-01T00:00:00Z", &c),
                  ARCA_ERR_CERT_NOT_YET_VALID);
    /* VMPL: the VLEK report was requested at VMPL 1. */
    char text[2048];
    const char *e = "sev-snp/trustee/test-vlek-report.bin";
    const char *const coll[] = {"sev-snp/trustee/test-vlek.der",
                                "sev-snp/trustee/milan_ask_ark_asvk.pem", NULL};
    snprintf(text, sizeof text, "TEE = snp\nSNP.Measurement = %s\nReportData = %s\n"
             "TrustedRoot = ../../share/roots/amd_milan_ark.pem\n", field(e, "measurement"),
             field(e, "report_data"));
    ASSERT_RESULT(verify_with(text, e, coll, "2025-06-01T00:00:00Z", &c), ARCA_ERR_VERIFY_BACKEND);
    ASSERT_CONTAINS(arca_verify_last_error(), "requested at VMPL 1");
    strcat(text, "SNP.AllowVMPL = 0, 1\n");
    ASSERT_OK(verify_with(text, e, coll, "2025-06-01T00:00:00Z", &c));
    ASSERT_TRUE(c.tee.snp.vlek);
    /* Debug: go-sev-guest's guest policy has DEBUG set. */
    e = "sev-snp/go-sev-guest/attestation.bin";
    const char *const gcoll[] = {"sev-snp/go-sev-guest/vcek.testcer",
                                 "sev-snp/go-sev-guest/milan.testcer", NULL};
    snprintf(text, sizeof text, "TEE = snp\nSNP.Measurement = %s\nReportData = %s\n"
             "TrustedRoot = ../../share/roots/amd_milan_ark.pem\n", field(e, "measurement"),
             field(e, "report_data"));
    ASSERT_RESULT(verify_with(text, e, gcoll, SNP_T, &c), ARCA_ERR_VERIFY_DEBUG);
    ASSERT_CONTAINS(arca_verify_last_error(), "AllowDebug = 1");
    strcat(text, "AllowDebug = 1\n");
    ASSERT_OK(verify_with(text, e, gcoll, SNP_T, &c));
    ASSERT_EQ(c.tee.debug, 1);
    /* Azure: the report data of the wrapped report is the hash of the runtime claims. */
    e = "sev-snp/trustee/az-snp-vtpm-snp-report.bin";
    snprintf(text, sizeof text, "TEE = snp\nSNP.Measurement = %s\nReportData = 01\n"
             "TrustedRoot = ../../share/roots/amd_milan_ark.pem\n", field(e, "measurement"));
    ASSERT_RESULT(verify_with(text, "sev-snp/trustee/az-snp-vtpm-hcl-report.bin",
                              (const char *const[]){"sev-snp/trustee/az-snp-vtpm-vcek.pem", NULL},
                              SNP_T, &c), ARCA_ERR_VERIFY_REPORT_DATA);
    ASSERT_CONTAINS(arca_verify_last_error(), "SHA-256 of the runtime claims");
}

/* ---- policy.conf: every hardware key's errors name the line ---- */

static void expect_conf_error(const char *text, const char *needle)
{
    arca_policy_t *pol = (arca_policy_t *)1;
    arca_result_t r = arca_policy_parse(text, strlen(text), "p.conf", POLICIES, &pol);
    if (r != ARCA_ERR_POLICY || !strstr(arca_verify_last_error(), needle))
        fprintf(stderr, "  for:\n%s  got %s: %s\n", text, arca_result_name(r),
                arca_verify_last_error());
    ASSERT_RESULT(r, ARCA_ERR_POLICY);
    ASSERT_TRUE(pol == NULL);
    ASSERT_CONTAINS(arca_verify_last_error(), needle);
}

#define M64 "33d8736db756ed4997e04ba358d27833188f1932ff7b1d156904d3f560452fbb"
#define M96 M64 "33d8736db756ed4997e04ba358d27833"

static void test_policy_conf_keys(void)
{
    /* Malformed values. */
    expect_conf_error("TEE = sev\n", "p.conf:1: TEE must be sgx, tdx or snp, not 'sev'");
    expect_conf_error("ReportData = 00\nSGX.MRENCLAVE = 12\n",
                      "p.conf:2: SGX.MRENCLAVE must be 64 hex digits");
    expect_conf_error("SGX.MRSIGNER = " M96 "\n", "p.conf:1: SGX.MRSIGNER must be 64 hex digits");
    expect_conf_error("SGX.ISVPRODID = 70000\n", "p.conf:1: SGX.ISVPRODID must be a number from 0 to 65535");
    expect_conf_error("SGX.MinISVSVN = -1\n", "p.conf:1: SGX.MinISVSVN must be a number");
    expect_conf_error("TDX.MRTD = " M64 "\n", "p.conf:1: TDX.MRTD must be 96 hex digits");
    expect_conf_error("\nTDX.RTMR2 = zz\n", "p.conf:2: TDX.RTMR2 must be 96 hex digits");
    expect_conf_error("TDX.MinTeeTcbSvn = 0601\n", "p.conf:1: TDX.MinTeeTcbSvn must be 32 hex digits");
    expect_conf_error("SNP.Measurement = " M64 "\n", "p.conf:1: SNP.Measurement must be 96 hex digits");
    expect_conf_error("SNP.HostData = 00\n", "p.conf:1: SNP.HostData must be 64 hex digits");
    expect_conf_error("SNP.MinTCB = bootloader=4\n", "p.conf:1: SNP.MinTCB names no minimum for tee");
    expect_conf_error("SNP.MinTCB = bootloader=4, tee=0, snp=24, microcode=256\n",
                      "p.conf:1: SNP.MinTCB: 'microcode=256' is not one of");
    expect_conf_error("SNP.MinTCB = bootloader=4, bootloader=4\n", "p.conf:1: SNP.MinTCB: 'bootloader=4' is not one of");
    expect_conf_error("SNP.MinTCB = bootloader=4, tee=0, snp=24, microcode=1,\n",
                      "p.conf:1: SNP.MinTCB: an empty or overlong item, or a trailing comma");
    expect_conf_error("SNP.MinTCB = uefi=1\n", "'uefi=1' is not one of");
    expect_conf_error("SNP.AllowVMPL = 0, 4\n", "p.conf:1: SNP.AllowVMPL: '4' is not a VMPL");
    expect_conf_error("SNP.AllowVMPL = 0,,1\n", "p.conf:1: SNP.AllowVMPL: an empty or overlong item");
    expect_conf_error("AllowTcbStatus = UpToDate, Revoked\n",
                      "p.conf:1: AllowTcbStatus: Revoked cannot be allowed");
    expect_conf_error("AllowTcbStatus = Fine\n", "p.conf:1: AllowTcbStatus: unknown status 'Fine'");
    expect_conf_error("AllowAdvisories = INTEL SA\n", "p.conf:1: AllowAdvisories: 'INTEL SA' is not an advisory id");
    expect_conf_error("AllowAdvisories = *, INTEL-SA-00615\n", "'*' is not an advisory id");
    expect_conf_error("AllowAdvisories = INTEL-SA-00615,\n", "p.conf:1: AllowAdvisories: an empty");
    expect_conf_error("\n\nTrustedRoot = missing.pem\n", "p.conf:3: policy: TrustedRoot: ");
    expect_conf_error("TrustedRoot = ../../share/roots/amd_milan_ask.pem\n", "self-signed");
    expect_conf_error("TEE = sgx\nTEE = sgx\n", "p.conf:2: TEE is given twice");
    expect_conf_error("SNP.HostData = " M64 "\nSNP.HostData = " M64 "\n", "p.conf:2: SNP.HostData is given twice");
    /* Contradictions name both lines. */
    expect_conf_error("TEE = sgx\nTDX.MRTD = " M96 "\n",
                      "p.conf:2: TDX.MRTD is for tdx evidence, but line 1 (TEE) makes this a policy for sgx");
    expect_conf_error("SGX.MRENCLAVE = " M64 "\n# snp\nSNP.Measurement = " M96 "\n",
                      "p.conf:3: SNP.Measurement is for snp evidence, but line 1 (SGX.MRENCLAVE)");
    expect_conf_error("TEE = snp\nAllowTcbStatus = UpToDate\n",
                      "p.conf:2: AllowTcbStatus is for sgx or tdx (Intel) evidence, but line 1 (TEE)");
    expect_conf_error("TDX.MRTD = " M96 "\nTEE = snp\n", "p.conf:2: TEE is for snp evidence, but line 1 (TDX.MRTD)");
    expect_conf_error("Measurement = " M64 "\nTEE = sgx\n",
                      "p.conf:2: TEE is a key for hardware evidence, but line 1 sets Measurement");
    expect_conf_error("TEE = sgx\nMaxAgeSeconds = 60\n",
                      "p.conf:2: MaxAgeSeconds is a key for Arca evidence, but line 1 sets TEE");
    expect_conf_error("TEE = sgx\nMaxAgeSeconds = 60\n", "hardware reports carry no signed time");
    expect_conf_error("SGX.MRENCLAVE = " M64 "\nTrustedPlatformCert = x.pem\n",
                      "p.conf:2: TrustedPlatformCert is a key for Arca evidence");
    expect_conf_error("TEE = tdx\nBackend = process\n", "p.conf:2: Backend is a key for Arca evidence");
    /* Completeness. */
    expect_conf_error("TEE = sgx\nReportData = 00\n", "p.conf: the policy names no SGX enclave");
    expect_conf_error("SGX.MRSIGNER = " M64 "\nReportData = 00\n",
                      "p.conf: SGX.MRSIGNER without SGX.ISVPRODID would accept every enclave");
    expect_conf_error("SGX.MRENCLAVE = " M64 "\nSGX.ISVPRODID = 1\nReportData = 00\n",
                      "SGX.ISVPRODID and SGX.MinISVSVN mean nothing without SGX.MRSIGNER");
    expect_conf_error("TEE = tdx\nReportData = 00\n", "p.conf: the policy names no TD");
    expect_conf_error("TEE = snp\nReportData = 00\n", "p.conf: the policy names no SEV-SNP guest");
    expect_conf_error("AllowTcbStatus = UpToDate\nReportData = 00\n", "p.conf: the policy names no TEE");
    expect_conf_error("TrustedRoot = ../../share/roots/Intel_SGX_Root_CA.pem\nReportData = 00\n",
                      "p.conf: the policy names no TEE");
    expect_conf_error("SGX.MRENCLAVE = " M64 "\n", "p.conf: the policy demands no freshness: hardware reports carry no signed time");
    /* Valid: the TEE implied by its keys, every key once. */
    arca_policy_t *p = NULL;
    const char *all = "SGX.MRENCLAVE = " M64 "\nSGX.MRENCLAVE = " M64 "\nSGX.MRSIGNER = " M64
                      "\nSGX.ISVPRODID = 3\nSGX.MinISVSVN = 2\nAllowTcbStatus = UpToDate, "
                      "NotEvaluated\nAllowAdvisories = INTEL-SA-00615\nAllowDebug = 0\n"
                      "ReportData = 00\nTrustedRoot = ../../share/roots/Intel_SGX_Root_CA.pem\n";
    ASSERT_OK(arca_policy_parse(all, strlen(all), "p.conf", POLICIES, &p));
    arca_policy_free(p);
    const char *snp = "SNP.Measurement = " M96 "\nSNP.HostData = " M64 "\nSNP.MinTCB = fmc=1, "
                      "microcode=2, snp=3, tee=4, bootloader=5\nSNP.AllowVMPL = 3,2\n"
                      "ReportData = 00\n";
    ASSERT_OK(arca_policy_parse(snp, strlen(snp), "p.conf", POLICIES, &p));
    arca_policy_free(p);
    const char *tdx = "TEE = tdx\nTDX.MRTD = " M96 "\nTDX.RTMR0 = " M96 "\nTDX.RTMR1 = " M96
                      "\nTDX.RTMR2 = " M96 "\nTDX.RTMR3 = " M96 "\nTDX.MinTeeTcbSvn = "
                      "00000000000000000000000000000000\nAllowAdvisories = *\n";
    uint8_t nonce[1] = {7};
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/tdx-nonce.conf", scratch);
    write_text(path, tdx);
    ASSERT_OK(arca_policy_load_file_with_nonce(path, nonce, 1, &p));
    arca_policy_free(p);
}

/* ---- the API around policies ---- */

static void test_api(void)
{
    static arca_claims_t c;
    arca_policy_t *p = NULL;
    uint8_t *ev = NULL, *ask = NULL;
    size_t len = 0, ask_len = 0;
    char path[PATH_MAX];

    snprintf(path, sizeof path, "%s/" SNP_R, VEC);
    ASSERT_UEQ(arca__read_file(path, 1u << 22, &ev, &len), ARCA_OK);
    /* An empty policy names no TEE; a policy for Arca evidence refuses hardware evidence. */
    ASSERT_OK(arca_policy_create(&p));
    ASSERT_RESULT(arca_verify_evidence_at(ev, len, p, at(SNP_T), &c), ARCA_ERR_POLICY);
    ASSERT_CONTAINS(arca_verify_last_error(), "names no TEE");
    ASSERT_OK(arca_policy_add_measurement(p, (const uint8_t *)M64));
    ASSERT_RESULT(arca_verify_evidence_at(ev, len, p, at(SNP_T), &c), ARCA_ERR_VERIFY_BACKEND);
    ASSERT_CONTAINS(arca_verify_last_error(), "but the policy is for Arca evidence");
    /* Roots: not certificates, not self-signed. */
    ASSERT_RESULT(arca_policy_add_tee_root(p, (const uint8_t *)"junk", 4), ARCA_ERR_POLICY);
    snprintf(path, sizeof path, "%s/amd_milan_ask.pem", ROOTS);
    ASSERT_UEQ(arca__read_file(path, 1u << 20, &ask, &ask_len), ARCA_OK);
    ASSERT_RESULT(arca_policy_add_tee_root(p, ask, ask_len), ARCA_ERR_POLICY);
    ASSERT_CONTAINS(arca_verify_last_error(), "self-signed");
    ASSERT_RESULT(arca_policy_add_tee_root(p, NULL, 0), ARCA_ERR_INVALID_ARGUMENT);
    ASSERT_RESULT(arca_policy_add_tee_root_file(NULL, path), ARCA_ERR_INVALID_ARGUMENT);
    /* Collateral that is no collateral. */
    ASSERT_RESULT(arca_policy_add_collateral(p, (const uint8_t *)"{\"x\":1}", 7, "x.json"),
                  ARCA_ERR_BAD_FORMAT);
    ASSERT_RESULT(arca_policy_add_collateral(p, ask, 0, "empty"), ARCA_ERR_BAD_FORMAT);
    ASSERT_RESULT(arca_policy_add_collateral_path(NULL, path), ARCA_ERR_INVALID_ARGUMENT);
    arca_policy_free(p);

    /* Collateral and roots given as bytes. */
    const char *text = "TEE = snp\nSNP.Measurement = 5feee30d6d7e1a29f403d70a4198237ddfb13051a2d"
                       "6976439487c609388ed7f98189887920ab2fa0096903a0c23fca1\nReportData = 00\n";
    ASSERT_OK(arca_policy_parse(text, strlen(text), "api", NULL, &p));
    uint8_t *b = NULL;
    size_t bl = 0;
    snprintf(path, sizeof path, "%s/amd_milan_ark.pem", ROOTS);
    ASSERT_UEQ(arca__read_file(path, 1u << 20, &b, &bl), ARCA_OK);
    ASSERT_OK(arca_policy_add_tee_root(p, b, bl));
    free(b);
    ASSERT_OK(arca_policy_add_collateral(p, ask, ask_len, "milan ask"));
    snprintf(path, sizeof path, "%s/milan_vcek.pem", MS_TEE);
    ASSERT_UEQ(arca__read_file(path, 1u << 20, &b, &bl), ARCA_OK);
    ASSERT_OK(arca_policy_add_collateral(p, b, bl, NULL));
    free(b);
    ASSERT_OK(arca_verify_evidence_at(ev, len, p, at(SNP_T), &c));
    /* The policy's own time is the default; arca_verify_evidence_at overrides it. */
    ASSERT_OK(arca_policy_set_time(p, at(SNP_T)));
    ASSERT_OK(arca_verify_evidence(ev, len, p, &c));
    ASSERT_RESULT(arca_verify_evidence_at(ev, len, p, at("2034-01-01T00:00:00Z"), &c),
                  ARCA_ERR_CERT_EXPIRED);
    /* Keys of Arca evidence added through the API make it a contradiction. */
    ASSERT_OK(arca_policy_set_max_age(p, 60));
    ASSERT_RESULT(arca_verify_evidence(ev, len, p, &c), ARCA_ERR_POLICY);
    ASSERT_CONTAINS(arca_verify_last_error(), "mixes requirements of Arca evidence");
    arca_policy_free(p);

    /* Without TrustedRoot: the shipped roots, found next to the library (the build tree has
     * a copy where the installation has them). The ASK comes from the shipped roots. */
    ASSERT_OK(arca_policy_parse(text, strlen(text), "api", NULL, &p));
    snprintf(path, sizeof path, "%s/milan_vcek.pem", MS_TEE);
    ASSERT_OK(arca_policy_add_collateral_path(p, path));
    ASSERT_OK(arca_verify_evidence_at(ev, len, p, at(SNP_T), &c));
    arca_policy_free(p);

    /* The registry recognises each format, and nothing else. */
    ASSERT_EQ(arca_evidence_detect(ev, len), ARCA_EVIDENCE_SNP_REPORT);
    ASSERT_EQ(arca_evidence_detect(ev, len - 1), 0);
    ASSERT_EQ(arca_evidence_detect((const uint8_t *)"ARCAEVID", 8), ARCA_EVIDENCE_ARCA);
    ASSERT_EQ(arca_evidence_detect((const uint8_t *)"HCLA", 4), 0);
    ASSERT_EQ(arca_evidence_detect(NULL, 0), 0);
    ASSERT_STREQ(arca_evidence_format_name(ARCA_EVIDENCE_ARCA), "arca-evidence");
    ASSERT_STREQ(arca_evidence_format_name(ARCA_EVIDENCE_DCAP_QUOTE), "dcap-quote");
    ASSERT_STREQ(arca_evidence_format_name(ARCA_EVIDENCE_SNP_REPORT), "snp-report");
    ASSERT_STREQ(arca_evidence_format_name(ARCA_EVIDENCE_AZURE_HCL), "azure-hcl-report");
    ASSERT_STREQ(arca_evidence_format_name(99), "unknown");
    ASSERT_STREQ(arca_tee_name(ARCA_TEE_TDX), "tdx");
    ASSERT_STREQ(arca_tcb_status_name(ARCA_TCB_OUT_OF_DATE_CONFIGURATION_NEEDED),
                 "OutOfDateConfigurationNeeded");
    ASSERT_OK(arca_policy_create(&p));
    ASSERT_RESULT(arca_verify_evidence_at(ev, len - 1, p, 0, &c), ARCA_ERR_BAD_EVIDENCE);
    ASSERT_CONTAINS(arca_verify_last_error(), "of no evidence format this build verifies");
    arca_policy_free(p);

    /* Verification times. */
    uint64_t ns = 0;
    ASSERT_OK(arca_verify_parse_time("2025-06-20T00:00:00Z", &ns));
    ASSERT_UEQ(ns, 1750377600ull * 1000000000u);
    ASSERT_OK(arca_verify_parse_time("2025-06-20T00:00:00.5Z", &ns));
    ASSERT_OK(arca_verify_parse_time("1750377600", &ns));
    ASSERT_UEQ(ns, 1750377600ull * 1000000000u);
    ASSERT_RESULT(arca_verify_parse_time("2025-06-20", &ns), ARCA_ERR_INVALID_ARGUMENT);
    ASSERT_RESULT(arca_verify_parse_time("0", &ns), ARCA_ERR_INVALID_ARGUMENT);
    ASSERT_RESULT(arca_verify_parse_time("-5", &ns), ARCA_ERR_INVALID_ARGUMENT);
    ASSERT_RESULT(arca_verify_parse_time("99999999999", &ns), ARCA_ERR_INVALID_ARGUMENT);
    ASSERT_RESULT(arca_verify_parse_time("9999-01-01T00:00:00Z", &ns), ARCA_ERR_INVALID_ARGUMENT);
    ASSERT_RESULT(arca_verify_parse_time(NULL, &ns), ARCA_ERR_INVALID_ARGUMENT);
    free(ask);
    free(ev);
}

int main(int argc, char **argv)
{
    int rc;
    char path[PATH_MAX];
    if (argc != 2) {
        fprintf(stderr, "usage: %s PATH-TO-arca\n", argv[0]);
        return 2;
    }
    arca_cli = argv[1];
    if (!test_make_scratch_dir(scratch, sizeof scratch, "hw-policy"))
        return 1;
    snprintf(path, sizeof path, "%s/expected.json", VEC);
    expected = json_object_from_file(path);
    if (!expected) {
        fprintf(stderr, "cannot read %s\n", path);
        return 2;
    }
    RUN(test_docs_show_the_example_policies);
    RUN(test_example_policies_accept);
    RUN(test_example_policies_refuse);
    RUN(test_example_policies_cli);
    RUN(test_every_family);
    RUN(test_sgx_checks);
    RUN(test_tdx_checks);
    RUN(test_snp_checks);
    RUN(test_policy_conf_keys);
    RUN(test_api);
    rc = TEST_SUMMARY();
    json_object_put(expected);
    test_remove_scratch_dir(scratch);
    return rc;
}
