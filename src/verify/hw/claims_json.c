/*
 * claims_json.c — writes hardware claims (verify/hw_claims.h) as one JSON object, built with
 * json-c: the common shape first ("tee", "measurement", "signer", ..., "tcb_status",
 * "advisory_ids", "fmspc", "chip_id"), then the raw TEE-specific fields under "sgx", "tdx",
 * "dcap", "snp" and "azure". Byte strings are lower-case hex; integers are numbers, except
 * 64-bit TCB words and policies, which are "0x..." strings so no JSON reader loses bits.
 *
 * It only formats verified claims; it must never be handed claims of a failed verification
 * and never write past the caller's buffer.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "base/error.h"
#include "base/hex.h"
#include "verify/hw_claims.h"

/* Add a hex string member. */
static int put_hex(json_object *o, const char *key, const uint8_t *b, size_t n)
{
    char buf[2 * 128 + 1];
    if (n > 128)
        return -1;
    arca__hex_encode(b, n, buf);
    return json_object_object_add(o, key, json_object_new_string(buf));
}

static int put_str(json_object *o, const char *key, const char *s)
{
    return json_object_object_add(o, key, json_object_new_string(s));
}

static int put_int(json_object *o, const char *key, int64_t v)
{
    return json_object_object_add(o, key, json_object_new_int64(v));
}

static int put_bool(json_object *o, const char *key, int v)
{
    return json_object_object_add(o, key, json_object_new_boolean(v != 0));
}

static int put_u64(json_object *o, const char *key, uint64_t v)
{
    char buf[24];
    snprintf(buf, sizeof buf, "0x%016" PRIx64, v);
    return put_str(o, key, buf);
}

static json_object *snp_tcb(const arca__snp_tcb *t, int turin)
{
    json_object *o = json_object_new_object();
    if (!o)
        return NULL;
    put_u64(o, "raw", t->raw);
    if (turin)
        put_int(o, "fmc", t->fmc);
    put_int(o, "bootloader", t->bootloader);
    put_int(o, "tee", t->tee);
    put_int(o, "snp", t->snp);
    put_int(o, "microcode", t->microcode);
    return o;
}

static json_object *sgx_json(const arca__hw_sgx_body *s)
{
    json_object *o = json_object_new_object();
    if (!o)
        return NULL;
    put_hex(o, "cpu_svn", s->cpu_svn, 16);
    put_int(o, "misc_select", s->misc_select);
    put_hex(o, "isv_ext_prod_id", s->isv_ext_prod_id, 16);
    put_hex(o, "attributes", s->attributes, 16);
    put_hex(o, "mr_enclave", s->mr_enclave, 32);
    put_hex(o, "mr_signer", s->mr_signer, 32);
    put_hex(o, "config_id", s->config_id, 64);
    put_int(o, "isv_prod_id", s->isv_prod_id);
    put_int(o, "isv_svn", s->isv_svn);
    put_int(o, "config_svn", s->config_svn);
    put_hex(o, "isv_family_id", s->isv_family_id, 16);
    put_hex(o, "report_data", s->report_data, 64);
    return o;
}

static json_object *tdx_json(const arca__hw_tdx_body *t)
{
    json_object *o = json_object_new_object();
    if (!o)
        return NULL;
    put_hex(o, "tee_tcb_svn", t->tee_tcb_svn, 16);
    put_hex(o, "mr_seam", t->mr_seam, 48);
    put_hex(o, "mr_signer_seam", t->mr_signer_seam, 48);
    put_hex(o, "seam_attributes", t->seam_attributes, 8);
    put_hex(o, "td_attributes", t->td_attributes, 8);
    put_hex(o, "xfam", t->xfam, 8);
    put_hex(o, "mr_td", t->mr_td, 48);
    put_hex(o, "mr_config_id", t->mr_config_id, 48);
    put_hex(o, "mr_owner", t->mr_owner, 48);
    put_hex(o, "mr_owner_config", t->mr_owner_config, 48);
    put_hex(o, "rtmr0", t->rtmr[0], 48);
    put_hex(o, "rtmr1", t->rtmr[1], 48);
    put_hex(o, "rtmr2", t->rtmr[2], 48);
    put_hex(o, "rtmr3", t->rtmr[3], 48);
    put_hex(o, "report_data", t->report_data, 64);
    if (t->td15) {
        put_hex(o, "tee_tcb_svn2", t->tee_tcb_svn2, 16);
        put_hex(o, "mr_servicetd", t->mr_servicetd, 48);
    }
    return o;
}

static json_object *dcap_json(const arca__hw_dcap *d, int collateral)
{
    json_object *o = json_object_new_object();
    if (!o)
        return NULL;
    put_int(o, "version", d->version);
    put_int(o, "att_key_type", d->att_key_type);
    put_int(o, "tee_type", d->tee_type);
    put_int(o, "body_type", d->body_type);
    if (d->version == 3) {
        put_int(o, "qe_svn", d->qe_svn);
        put_int(o, "pce_svn", d->pce_svn);
    }
    put_hex(o, "qe_vendor_id", d->qe_vendor_id, 16);
    put_hex(o, "user_data", d->user_data, 20);
    put_hex(o, "attestation_key", d->attestation_key, 64);
    put_hex(o, "qe_mr_enclave", d->qe_mr_enclave, 32);
    put_hex(o, "qe_mr_signer", d->qe_mr_signer, 32);
    put_int(o, "qe_isv_prod_id", d->qe_isv_prod_id);
    put_int(o, "qe_isv_svn", d->qe_isv_svn);
    put_hex(o, "ppid", d->ppid, 16);
    put_hex(o, "pck_cpu_svn", d->cpu_svn, 16);
    put_hex(o, "pck_tcb_components", d->tcb_components, 16);
    put_int(o, "pck_pce_svn", d->pck_pce_svn);
    put_hex(o, "pce_id", d->pce_id, 2);
    put_int(o, "sgx_type", d->sgx_type);
    if (d->has_platform_instance_id)
        put_hex(o, "platform_instance_id", d->platform_instance_id, 16);
    put_str(o, "pck_issuer", d->pck_issuer);
    if (collateral) {
        put_str(o, "platform_tcb_status", arca__tcb_status_name(d->platform_status));
        put_str(o, "qe_tcb_status", arca__tcb_status_name(d->qe_status));
        if (d->module_status != ARCA__TCB_NOT_EVALUATED)
            put_str(o, "tdx_module_tcb_status", arca__tcb_status_name(d->module_status));
    }
    return o;
}

static json_object *snp_json(const arca__hw_snp *s)
{
    json_object *o = json_object_new_object();
    if (!o)
        return NULL;
    put_int(o, "version", s->version);
    put_int(o, "guest_svn", s->guest_svn);
    put_u64(o, "policy", s->policy);
    put_hex(o, "family_id", s->family_id, 16);
    put_hex(o, "image_id", s->image_id, 16);
    put_int(o, "vmpl", s->vmpl);
    put_int(o, "signature_algo", s->signature_algo);
    json_object_object_add(o, "current_tcb", snp_tcb(&s->current_tcb, s->turin_layout));
    put_u64(o, "platform_info", s->platform_info);
    put_int(o, "signer_info", s->signer_info);
    put_str(o, "signing_key", s->vlek ? "vlek" : "vcek");
    put_hex(o, "report_data", s->report_data, 64);
    put_hex(o, "measurement", s->measurement, 48);
    put_hex(o, "host_data", s->host_data, 32);
    put_hex(o, "id_key_digest", s->id_key_digest, 48);
    put_hex(o, "author_key_digest", s->author_key_digest, 48);
    put_hex(o, "report_id", s->report_id, 32);
    put_hex(o, "report_id_ma", s->report_id_ma, 32);
    json_object_object_add(o, "reported_tcb", snp_tcb(&s->reported_tcb, s->turin_layout));
    put_int(o, "cpuid_fam_id", s->cpuid_fam_id);
    put_int(o, "cpuid_mod_id", s->cpuid_mod_id);
    put_int(o, "cpuid_step", s->cpuid_step);
    put_hex(o, "chip_id", s->chip_id, 64);
    json_object_object_add(o, "committed_tcb", snp_tcb(&s->committed_tcb, s->turin_layout));
    put_int(o, "current_build", s->current_build);
    put_int(o, "current_minor", s->current_minor);
    put_int(o, "current_major", s->current_major);
    put_int(o, "committed_build", s->committed_build);
    put_int(o, "committed_minor", s->committed_minor);
    put_int(o, "committed_major", s->committed_major);
    json_object_object_add(o, "launch_tcb", snp_tcb(&s->launch_tcb, s->turin_layout));
    if (s->version >= 5) {
        put_u64(o, "launch_mit_vector", s->launch_mit_vector);
        put_u64(o, "current_mit_vector", s->current_mit_vector);
    }
    put_str(o, "product", s->product);
    if (s->csp_id[0])
        put_str(o, "csp_id", s->csp_id);
    return o;
}

static json_object *azure_json(const arca__hw_azure *a)
{
    json_object *o = json_object_new_object();
    if (!o)
        return NULL;
    put_int(o, "hcl_version", a->hcl_version);
    put_str(o, "hardware_report", a->report_type == 2 ? "snp" : "tdx");
    put_hex(o, "runtime_data_sha256", a->runtime_data_hash, a->runtime_data_hash_len);
    put_int(o, "runtime_data_length", (int64_t)a->runtime_data_len);
    if (a->runtime_data[0])
        put_str(o, "runtime_data", a->runtime_data);
    return o;
}

arca_result_t arca__hw_claims_to_json(const arca__hw_claims *c, char *buf, size_t cap,
                                      size_t *needed)
{
    arca_result_t result = ARCA_OK;
    json_object *o = NULL, *adv = NULL;
    const char *text;
    size_t len;

    if (needed)
        *needed = 0;
    if (!c || (!buf && cap != 0))
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "hw_claims_to_json: NULL argument");
    o = json_object_new_object();
    adv = json_object_new_array();
    if (!o || !adv)
        ARCA_RAISE(ARCA_ERR_OUT_OF_MEMORY, "cannot build claims JSON");
    put_str(o, "tee", arca__tee_name(c->tee));
    put_int(o, "evidence_version", c->evidence_version);
    if (c->wrapped_azure)
        put_str(o, "wrapper", "azure-hcl");
    put_int(o, "verified_at", c->verified_at);
    put_hex(o, "root_sha256", c->root_hash, 32);
    put_hex(o, "measurement", c->measurement, c->measurement_len);
    if (c->has_rtmr)
        for (int i = 0; i < 4; i++) {
            char key[8];
            snprintf(key, sizeof key, "rtmr%d", i);
            put_hex(o, key, c->rtmr[i], 48);
        }
    if (c->signer_len)
        put_hex(o, "signer", c->signer, c->signer_len);
    else
        json_object_object_add(o, "signer", NULL);
    if (c->has_product_id)
        put_int(o, "product_id", c->product_id);
    if (c->has_svn)
        put_int(o, "svn", c->svn);
    put_bool(o, "debug", c->debug);
    put_hex(o, "report_data", c->report_data, 64);
    put_str(o, "tcb_status", arca__tcb_status_name(c->tcb_status));
    for (size_t i = 0; i < c->advisory_count; i++)
        json_object_array_add(adv, json_object_new_string(c->advisories[i]));
    json_object_object_add(o, "advisory_ids", adv);
    adv = NULL;
    if (c->tcb_date[0])
        put_str(o, "tcb_date", c->tcb_date);
    if (c->tcb_eval_number)
        put_int(o, "tcb_evaluation_data_number", c->tcb_eval_number);
    put_bool(o, "collateral_used", c->collateral_used);
    if (c->has_fmspc)
        put_hex(o, "fmspc", c->fmspc, 6);
    if (c->has_chip_id)
        put_hex(o, "chip_id", c->chip_id, c->chip_id_len);
    switch (c->tee) {
    case ARCA__TEE_SGX:
        json_object_object_add(o, "sgx", sgx_json(&c->sgx));
        json_object_object_add(o, "dcap", dcap_json(&c->dcap, c->collateral_used));
        break;
    case ARCA__TEE_TDX:
        json_object_object_add(o, "tdx", tdx_json(&c->tdx));
        json_object_object_add(o, "dcap", dcap_json(&c->dcap, c->collateral_used));
        break;
    case ARCA__TEE_SNP: json_object_object_add(o, "snp", snp_json(&c->snp)); break;
    default: break;
    }
    if (c->wrapped_azure)
        json_object_object_add(o, "azure", azure_json(&c->azure));
    text =
        json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
    if (!text)
        ARCA_RAISE(ARCA_ERR_OUT_OF_MEMORY, "cannot serialise claims JSON");
    len = strlen(text);
    if (needed)
        *needed = len + 1;
    if (len + 1 > cap)
        ARCA_RAISE(ARCA_ERR_BUFFER_TOO_SMALL, "claims JSON needs %zu bytes, the buffer holds %zu",
                   len + 1, cap);
    memcpy(buf, text, len + 1);
done:
    json_object_put(adv);
    json_object_put(o);
    return result;
}
