/*
 * test_hw_vectors.c — every real hardware vector in tests/verify_hw/vectors (a copy of
 * ../shared/vectors) gives exactly the verdict its README states at the stated time, and
 * every field expected.json lists for it: SEV-SNP reports (Milan, Genoa, Turin; v2, v3, v5;
 * VCEK and VLEK; bare and inside Azure HCL reports), SGX quotes (v3), TDX quotes (v4, v5;
 * bare and behind an Azure HCL report), the dcap-qvl TCB statuses and advisory ids, the
 * go-tdx-guest "no matching TCB level" case, the expired VLEK and the chain-only files.
 * The copy is checked byte for byte against ../shared/vectors when that is present.
 */
#include <json-c/json.h>
#include <sys/stat.h>

#include "crypto/crypto.h"
#include "base/hex.h"
#include "base/le.h"
#include "hw_cases.h"
#include "hw_test.h"
#include "verify/intel/dcap_quote.h"

/* SHA-256 of the roots' DER, as README.md of the vectors gives them. */
#define INTEL_ROOT "44a0196b2b99f889b8e149e95b807a350e7424964399e885a7cbb8ccfab674d3"
#define AMD_ARKS                                                        \
    "69d063b45344d26a2e94e1f4210de49ef555308287d4c174445c95639a540bcd " \
    "4c6598d19c18719c5dfd4a7d335f674e5bfe1d8f800cea2cf270c10d103db2f1 " \
    "1f084161a44bb6d93778a904877d4819cafa5d05ef4193b2ded9dd9c73dd3f6a"

/* ---- expected.json ---- */

static json_object *expected;

static void hex(const uint8_t *b, size_t n, char *out)
{
    arca__hex_encode(b, n, out);
}

/* The value our claims give for an expected.json key, formatted as expected.json writes it. */
static int snp_field(const char *key, const arca__hw_claims *c, const uint8_t *raw, char *out,
                     size_t cap)
{
    const arca__hw_snp *s = &c->snp;
    uint8_t b3[3];
#define HEXF(name, field, n)      \
    if (strcmp(key, name) == 0) { \
        hex(field, n, out);       \
        return 0;                 \
    }
#define NUMF(name, fmt, value)  \
    if (strcmp(key, name) == 0) \
        return snprintf(out, cap, fmt, value), 0;
    NUMF("version", "%u", s->version)
    NUMF("guest_svn", "%u", s->guest_svn)
    NUMF("policy", "0x%llx", (unsigned long long)s->policy)
    NUMF("vmpl", "%u", s->vmpl)
    NUMF("signature_algo", "%u", s->signature_algo)
    NUMF("platform_info", "0x%llx", (unsigned long long)s->platform_info)
    NUMF("signer_info", "0x%x", s->signer_info)
    NUMF("current_tcb", "0x%016llx", (unsigned long long)s->current_tcb.raw)
    NUMF("reported_tcb", "0x%016llx", (unsigned long long)s->reported_tcb.raw)
    NUMF("committed_tcb", "0x%016llx", (unsigned long long)s->committed_tcb.raw)
    NUMF("launch_tcb", "0x%016llx", (unsigned long long)s->launch_tcb.raw)
    HEXF("family_id", s->family_id, 16)
    HEXF("image_id", s->image_id, 16)
    HEXF("report_data", s->report_data, 64)
    HEXF("measurement", s->measurement, 48)
    HEXF("host_data", s->host_data, 32)
    HEXF("id_key_digest", s->id_key_digest, 48)
    HEXF("author_key_digest", s->author_key_digest, 48)
    HEXF("report_id", s->report_id, 32)
    HEXF("report_id_ma", s->report_id_ma, 32)
    HEXF("chip_id", s->chip_id, 64)
    HEXF("sig_r_le72", raw + 0x2A0, 72)
    HEXF("sig_s_le72", raw + 0x2E8, 72)
    if (strcmp(key, "cpuid_fam_mod_step") == 0) {
        b3[0] = s->cpuid_fam_id, b3[1] = s->cpuid_mod_id, b3[2] = s->cpuid_step;
        hex(b3, 3, out);
        return 0;
    }
    if (strcmp(key, "current_build_minor_major") == 0) {
        b3[0] = s->current_build, b3[1] = s->current_minor, b3[2] = s->current_major;
        hex(b3, 3, out);
        return 0;
    }
    if (strcmp(key, "committed_build_minor_major") == 0) {
        b3[0] = s->committed_build, b3[1] = s->committed_minor, b3[2] = s->committed_major;
        hex(b3, 3, out);
        return 0;
    }
    return -1;
}

static int quote_field(const char *key, const arca__hw_claims *c, const uint8_t *raw,
                       const arca__dcap_quote *q, size_t file_len, char *out, size_t cap)
{
    const arca__hw_sgx_body *s = &c->sgx;
    const arca__hw_tdx_body *t = &c->tdx;
    uint8_t le[4];
    NUMF("version", "%u", c->dcap.version)
    NUMF("att_key_type", "%u", c->dcap.att_key_type)
    NUMF("tee_type", "0x%x", c->dcap.tee_type)
    NUMF("body_offset", "%zu", (size_t)(q->body - raw))
    NUMF("signed_len", "%zu", q->signed_len)
    NUMF("sig_data_len", "%zu", q->total_len - q->signed_len - 4)
    NUMF("trailing_bytes_after_sig_data", "%zu", file_len - q->total_len)
    NUMF("body_type", "%u", c->dcap.body_type)
    NUMF("body_size", "%zu", q->body_len)
    if (strcmp(key, "header_bytes_8_12") == 0) {
        /* v3: QE SVN and PCE SVN, which the claims carry; v4/v5: reserved bytes. */
        if (c->dcap.version == 3) {
            arca__put_le16(le, c->dcap.qe_svn);
            arca__put_le16(le + 2, c->dcap.pce_svn);
            hex(le, 4, out);
        } else {
            hex(raw + 8, 4, out);
        }
        return 0;
    }
    HEXF("qe_vendor_id", c->dcap.qe_vendor_id, 16)
    HEXF("user_data", c->dcap.user_data, 20)
    if (c->tee == ARCA__TEE_SGX) {
        HEXF("cpu_svn", s->cpu_svn, 16)
        if (strcmp(key, "misc_select") == 0) {
            arca__put_le32(le, s->misc_select);
            hex(le, 4, out);
            return 0;
        }
        HEXF("attributes", s->attributes, 16)
        HEXF("mr_enclave", s->mr_enclave, 32)
        HEXF("mr_signer", s->mr_signer, 32)
        HEXF("config_id", s->config_id, 64)
        HEXF("isv_family_id", s->isv_family_id, 16)
        HEXF("report_data", s->report_data, 64)
        if (strcmp(key, "isv_prod_id") == 0 || strcmp(key, "isv_svn") == 0 ||
            strcmp(key, "config_svn") == 0) {
            uint16_t v = key[4] == 'p'   ? s->isv_prod_id
                         : key[4] == 's' ? s->isv_svn
                                         : s->config_svn;
            arca__put_le16(le, v);
            hex(le, 2, out);
            return 0;
        }
        return -1;
    }
    HEXF("tee_tcb_svn", t->tee_tcb_svn, 16)
    HEXF("mr_seam", t->mr_seam, 48)
    HEXF("mr_signer_seam", t->mr_signer_seam, 48)
    HEXF("seam_attributes", t->seam_attributes, 8)
    HEXF("td_attributes", t->td_attributes, 8)
    HEXF("xfam", t->xfam, 8)
    HEXF("mr_td", t->mr_td, 48)
    HEXF("mr_config_id", t->mr_config_id, 48)
    HEXF("mr_owner", t->mr_owner, 48)
    HEXF("mr_owner_config", t->mr_owner_config, 48)
    HEXF("rtmr0", t->rtmr[0], 48)
    HEXF("rtmr1", t->rtmr[1], 48)
    HEXF("rtmr2", t->rtmr[2], 48)
    HEXF("rtmr3", t->rtmr[3], 48)
    HEXF("report_data", t->report_data, 64)
    HEXF("tee_tcb_svn2", t->tee_tcb_svn2, 16)
    HEXF("mr_servicetd", t->mr_servicetd, 48)
    return -1;
#undef HEXF
#undef NUMF
}

/* Compare every field expected.json lists for @p key with @p claims; returns mismatches. */
static int fields_compared;

static int compare_fields(const char *key, const arca__hw_claims *c)
{
    json_object *exp = NULL;
    size_t len = 0;
    uint8_t *raw = hw_read(key, &len);
    uint8_t digest[32];
    char want_hash[65], got[1024];
    int bad = 0, count = 0;
    arca__dcap_quote q;

    if (!json_object_object_get_ex(expected, key, &exp)) {
        fprintf(stderr, "  expected.json has no entry %s\n", key);
        free(raw);
        return 1;
    }
    memset(&q, 0, sizeof q);
    if (c->tee != ARCA__TEE_SNP && arca__dcap_quote_parse(raw, len, &q) != ARCA_OK) {
        fprintf(stderr, "  %s does not parse\n", key);
        free(raw);
        return 1;
    }
    json_object_object_foreach(exp, k, val)
    {
        const char *want = json_object_get_string(val);
        int rc;
        count++;
        rc = 0;
        if (strcmp(k, "kind") == 0) {
            snprintf(got, sizeof got, "%s",
                     c->tee == ARCA__TEE_SNP ? "sev-snp-report" : "dcap-quote");
        } else if (strcmp(k, "size") == 0) {
            snprintf(got, sizeof got, "%zu", len);
        } else if (strcmp(k, "sha256") == 0) {
            if (arca__sha256(raw, len, digest) != ARCA_OK)
                exit(2);
            hex(digest, 32, want_hash);
            snprintf(got, sizeof got, "%s", want_hash);
        } else if (c->tee == ARCA__TEE_SNP) {
            rc = snp_field(k, c, raw, got, sizeof got);
        } else {
            rc = quote_field(k, c, raw, &q, len, got, sizeof got);
        }
        if (rc != 0) {
            fprintf(stderr, "  %s: no claim for expected field %s\n", key, k);
            bad++;
        } else if (strcmp(got, want) != 0) {
            fprintf(stderr, "  %s: %s is %s, expected %s\n", key, k, got, want);
            bad++;
        } else {
            fields_compared++;
        }
    }
    if (count < 20) {
        fprintf(stderr, "  %s: only %d fields in expected.json?\n", key, count);
        bad++;
    }
    free(raw);
    return bad;
}

/* The common shape agrees with the raw fields. */
static int check_common(const arca__hw_claims *c)
{
    int bad = 0;
    if (c->tee == ARCA__TEE_SGX) {
        bad |= c->measurement_len != 32 || memcmp(c->measurement, c->sgx.mr_enclave, 32) != 0;
        bad |= c->signer_len != 32 || memcmp(c->signer, c->sgx.mr_signer, 32) != 0;
        bad |= !c->has_product_id || c->product_id != c->sgx.isv_prod_id;
        bad |= !c->has_svn || c->svn != c->sgx.isv_svn;
        bad |= c->debug != ((c->sgx.attributes[0] & 2) != 0);
        bad |= memcmp(c->report_data, c->sgx.report_data, 64) != 0;
        bad |= !c->has_fmspc;
    } else if (c->tee == ARCA__TEE_TDX) {
        bad |= c->measurement_len != 48 || memcmp(c->measurement, c->tdx.mr_td, 48) != 0;
        bad |= !c->has_rtmr || memcmp(c->rtmr, c->tdx.rtmr, sizeof c->rtmr) != 0;
        bad |= c->signer_len != 0 || c->has_product_id;
        bad |= c->debug != ((c->tdx.td_attributes[0] & 1) != 0);
        bad |= memcmp(c->report_data, c->tdx.report_data, 64) != 0;
        bad |= !c->has_fmspc;
    } else if (c->tee == ARCA__TEE_SNP) {
        static const uint8_t zero[48];
        int id = memcmp(c->snp.id_key_digest, zero, 48) != 0;
        bad |= c->measurement_len != 48 || memcmp(c->measurement, c->snp.measurement, 48) != 0;
        bad |= id ? (c->signer_len != 48 || memcmp(c->signer, c->snp.id_key_digest, 48) != 0)
                  : c->signer_len != 0;
        bad |= !c->has_svn || c->svn != c->snp.guest_svn;
        bad |= (uint64_t)c->debug != ((c->snp.policy >> 19) & 1);
        bad |= memcmp(c->report_data, c->snp.report_data, 64) != 0;
        bad |= c->has_chip_id == c->snp.vlek;
    } else {
        bad = 1;
    }
    return bad;
}

static void test_vectors(void)
{
    int failures = 0;
    static arca__hw_claims claims;
    char json[65536];

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct vcase *t = &cases[i];
        arca__hw_verifier *v = hw_verifier(t->roots, t->collateral);
        size_t len = 0;
        uint8_t *ev = hw_read(t->evidence, &len);
        arca_result_t r = arca__hw_verify(v, ev, len, hw_time(t->at), &claims);
        int bad = 0;
        char adv[2048] = "";

        if (r != t->expect) {
            fprintf(stderr, "  %s at %s: got %s (%s), expected %s\n", t->evidence, t->at,
                    arca_result_name(r), arca__error_detail(), arca_result_name(t->expect));
            bad = 1;
        } else if (r == ARCA_OK) {
            for (size_t a = 0; a < claims.advisory_count; a++)
                snprintf(adv + strlen(adv), sizeof adv - strlen(adv), "%s%s", a ? "," : "",
                         claims.advisories[a]);
            if (strcmp(arca__tcb_status_name(claims.tcb_status), t->status) != 0 ||
                strcmp(adv, t->advisories) != 0) {
                fprintf(stderr, "  %s: status %s [%s], expected %s [%s]\n", t->evidence,
                        arca__tcb_status_name(claims.tcb_status), adv, t->status, t->advisories);
                bad = 1;
            }
            if (t->fields)
                bad |= compare_fields(t->fields, &claims) != 0;
            if (check_common(&claims)) {
                fprintf(stderr, "  %s: common claims disagree with the raw fields\n", t->evidence);
                bad = 1;
            }
            {
                json_object *parsed = NULL;
                if (arca__hw_claims_to_json(&claims, json, sizeof json, NULL) != ARCA_OK ||
                    !(parsed = json_tokener_parse(json))) {
                    fprintf(stderr, "  %s: claims JSON failed\n", t->evidence);
                    bad = 1;
                }
                json_object_put(parsed);
            }
            if (strstr(t->evidence, "hcl-report") && !claims.wrapped_azure)
                bad = 1;
            /* Anchored at the shipped Intel root, or at one of the AMD ARKs. */
            {
                char root[65];
                arca__hex_encode(claims.root_hash, 32, root);
                if (claims.tee == ARCA__TEE_SNP ? !strstr(AMD_ARKS, root)
                                                : strcmp(root, INTEL_ROOT) != 0) {
                    fprintf(stderr, "  %s: anchored at an unexpected root %s\n", t->evidence, root);
                    bad = 1;
                }
            }
        } else if (arca__error_detail()[0] == '\0') {
            fprintf(stderr, "  %s: refusal without a sentence\n", t->evidence);
            bad = 1;
        }
        fprintf(stderr, "  %-70s %-22s %s\n", t->evidence, t->at,
                bad            ? "MISMATCH"
                : r == ARCA_OK ? arca__tcb_status_name(claims.tcb_status)
                               : arca_result_name(r));
        failures += bad;
        free(ev);
        arca__hw_verifier_free(v);
    }
    fprintf(stderr, "  %d expected.json fields matched\n", fields_compared);
    ASSERT_EQ(failures, 0);
    ASSERT_TRUE(fields_compared > 500);
}

/* The Azure HCL reports wrap exactly the bare SNP reports of the vectors (bytes 0x20..0x4C0). */
static void test_hcl_extraction(void)
{
    static const char *const pairs[][2] = {
        {"sev-snp/trustee/az-snp-vtpm-hcl-report.bin",
         "sev-snp/trustee/az-snp-vtpm-snp-report.bin"},
        {"sev-snp/trustee/az-snp-vtpm-genoa-hcl-report.bin",
         "sev-snp/trustee/az-snp-vtpm-genoa-snp-report.bin"},
    };
    for (size_t i = 0; i < 2; i++) {
        size_t a = 0, b = 0;
        uint8_t *hcl = hw_read(pairs[i][0], &a), *rep = hw_read(pairs[i][1], &b);
        int same = a >= 0x4C0 && b == 0x4A0 && memcmp(hcl + 0x20, rep, 0x4A0) == 0;
        free(hcl);
        free(rep);
        ASSERT_TRUE(same);
    }
}

/* Chain-only files: certificates that verify to a pinned ARK without a report. */
static void test_chain_only(void)
{
    static const struct {
        const char *leaf, *chain, *root;
    } chains[] = {
        {"sev-snp/virtee-sev/vcek_turin.der", "sev-snp/virtee-sev/cert_chain_turin",
         "amd_turin_ark.pem"},
        {"sev-snp/virtee-sev/vcek_milan.der", "sev-snp/virtee-sev/cert_chain_milan",
         "amd_milan_ark.pem"},
        {"sev-snp/go-sev-guest/ask_ark_genoa.pem", NULL, "amd_genoa_ark.pem"},
        {"sev-snp/go-sev-guest/ask_ark_genoa_vlek.pem", NULL, "amd_genoa_ark.pem"},
        {"sev-snp/go-sev-guest/ask_ark_turin_vcek.pem", NULL, "amd_turin_ark.pem"},
        {"sev-snp/go-sev-guest/ask_ark_turin_vlek.pem", NULL, "amd_turin_ark.pem"},
        {"sev-snp/go-sev-guest/milan.testcer", NULL, "amd_milan_ark.pem"},
        {"sev-snp/go-sev-guest/milanvlek.testcer", NULL, "amd_milan_ark.pem"},
    };
    for (size_t i = 0; i < sizeof chains / sizeof chains[0]; i++) {
        const char *const roots[] = {chains[i].root, NULL};
        const char *const coll[] = {chains[i].chain, NULL};
        arca__hw_verifier *v = hw_verifier(roots, chains[i].chain ? coll : NULL);
        size_t len = 0;
        uint8_t *leaf = hw_read(chains[i].leaf, &len);
        arca_result_t r = arca__hw_verify_amd_chain(v, leaf, len, hw_time(SNP_TIME));
        if (r != ARCA_OK)
            fprintf(stderr, "  %s: %s\n", chains[i].leaf, arca__error_detail());
        fprintf(stderr, "  %-70s chain %s\n", chains[i].leaf, arca_result_name(r));
        free(leaf);
        arca__hw_verifier_free(v);
        ASSERT_OK(r);
    }
}

/* The in-repo copy equals ../shared/vectors where that exists (CI lays it beside the clone). */
static void test_copy_matches_shared(void)
{
    char path[1024];
    struct stat st;
    json_object_object_foreach(expected, key, val)
    {
        size_t a = 0, b = 0;
        uint8_t *mine, *theirs = NULL;
        (void)val;
        snprintf(path, sizeof path, "%s/%s", ARCA_HW_SHARED_VECTORS, key);
        if (stat(ARCA_HW_SHARED_VECTORS, &st) != 0) {
            fprintf(stderr, "  (no %s here: the in-repo copy is used alone)\n",
                    ARCA_HW_SHARED_VECTORS);
            return;
        }
        mine = hw_read(key, &a);
        ASSERT_OK(arca__read_file(path, 4u << 20, &theirs, &b));
        ASSERT_TRUE(a == b && memcmp(mine, theirs, a) == 0);
        free(mine);
        free(theirs);
    }
}

int main(void)
{
    size_t len = 0;
    uint8_t *text = hw_read("expected.json", &len);
    json_tokener *tok = json_tokener_new();
    expected = tok ? json_tokener_parse_ex(tok, (const char *)text, (int)len) : NULL;
    json_tokener_free(tok);
    free(text);
    if (!expected) {
        fprintf(stderr, "expected.json does not parse\n");
        return 2;
    }
    RUN(test_copy_matches_shared);
    RUN(test_vectors);
    RUN(test_hcl_extraction);
    RUN(test_chain_only);
    json_object_put(expected);
    return TEST_SUMMARY();
}
