/*
 * dcap_verify.c — verifies an Intel DCAP quote (SGX v3/v4/v5, TDX v4/v5) offline, as Intel's
 * Quote Verification Library does: the PCK certificate chain to a pinned Intel root (with
 * the PCK and root CRLs when collateral is supplied), the QE report's signature under the PCK
 * key, the QE report's binding of the attestation key, the quote's signature under that key;
 * then, with collateral, the TCB Info and QE identity (each signature-checked under an Intel
 * SGX TCB Signing certificate that chains to the same root, each within its validity period),
 * the QE's identity and status, the platform's TCB level, the TDX module's identity and
 * status, and the converged TCB status with its advisory ids.
 *
 * Divisions: the PCK chain (cached by the hash of the quote's certification data); signed
 * collateral (signer choice, memo, signer chain); collateral choice; TCB evaluation; the
 * quote.
 *
 * Nothing read from the quote or the collateral is believed before its signature verified;
 * claims are filled only after every check passed. A Revoked TCB is refused outright (as
 * Intel's library does); every other status is reported for the policy to judge.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "crypto/crypto.h"
#include "base/error.h"
#include "base/hex.h"
#include "base/le.h"
#include "verify/format.h"
#include "verify/hw/hw_internal.h"
#include "verify/intel/dcap_quote.h"
#include "verify/intel/tcb_eval.h"
#include "verify/sgx/sgx_body.h"
#include "verify/tdx/tdx_body.h"

#define PCK_LEAF_CN "Intel SGX PCK Certificate"
#define TCB_SIGNING_CN "Intel SGX TCB Signing"

/* ---- the PCK chain ---- */

static arca_result_t pck_chain(arca__hw_verifier *v, const arca__dcap_quote *q, int64_t at,
                               arca__hw_chain *out)
{
    arca_result_t result = ARCA_OK;
    arca__cert *certs[ARCA__X509_MAX_CERTS];
    size_t n = 0;
    uint8_t key[32];
    char cn[128];
    arca__chain_params params;

    ARCA_CHECK(
        arca__hw_key(v->intel_collateral ? "pck+crl" : "pck", q->pck_chain, q->pck_chain_len, key));
    if (arca__hw_cache_get(v, key, at, out))
        goto done;
    ARCA_CHECK(arca__certs_parse(q->pck_chain, q->pck_chain_len,
                                 "the quote's PCK certificate chain", certs, ARCA__X509_MAX_CERTS,
                                 &n));
    arca__cert_cn(certs[0], 0, cn, sizeof cn);
    if (strcmp(cn, PCK_LEAF_CN) != 0)
        ARCA_RAISE(ARCA_ERR_BAD_CHAIN,
                   "the quote's first certificate is '%s', not a PCK "
                   "certificate ('" PCK_LEAF_CN "')",
                   cn);
    memset(&params, 0, sizeof params);
    params.at = at;
    params.crl_mode = v->intel_collateral ? ARCA__CHAIN_CRL_ALL : ARCA__CHAIN_CRL_NONE;
    params.sig = ARCA__CHAIN_SIG_ECDSA_SHA256;
    params.what = "PCK certificate chain";
    ARCA_CHECK(arca__hw_chain_verify(v, certs[0], certs + 1, n - 1, &params, 1, out));
    if (strcmp(out->issuer_cn, "Intel SGX PCK Platform CA") != 0 &&
        strcmp(out->issuer_cn, "Intel SGX PCK Processor CA") != 0)
        ARCA_RAISE(ARCA_ERR_BAD_CHAIN,
                   "the PCK certificate is issued by '%s', not by an Intel "
                   "SGX PCK Platform or Processor CA",
                   out->issuer_cn);
    if (arca__pubkey_size(out->key) != 32)
        ARCA_RAISE(ARCA_ERR_BAD_CHAIN, "the PCK certificate's key is not on P-256");
    arca__hw_cache_put(v, key, out);
done:
    if (result != ARCA_OK)
        arca__hw_chain_clear(out);
    for (size_t i = 0; i < n; i++)
        arca__cert_free(certs[i]);
    return result;
}

/* ---- signed collateral ---- */

static const arca__intel_signed *item_doc(const arca__hw_signed_item *item)
{
    return item->tcb_info ? &item->tcb_info->doc : &item->identity->doc;
}

/* @p at within the document's validity period. */
static int current(const arca__intel_signed *doc, int64_t at)
{
    return at >= doc->issue_date && at <= doc->next_update;
}

/* The signature of @p item under an Intel SGX TCB Signing certificate of the pool, and that
 * certificate's chain; its root must be @p root (the quote's). */
static arca_result_t check_signed(arca__hw_verifier *v, arca__hw_signed_item *item, int64_t at,
                                  const uint8_t root[32], const char *what)
{
    arca_result_t result = ARCA_OK;
    const arca__intel_signed *doc = item_doc(item);
    arca__cert *chosen = NULL;
    arca__hw_chain chain;
    uint8_t key[32];

    memset(&chain, 0, sizeof chain);
    /* Two passes: signers valid at the verification time first, then any (so that an
     * expired signer is reported as such rather than as a bad signature). */
    for (int pass = 0; pass < 2 && !chosen; pass++) {
        for (size_t i = 0; i < v->cert_count && !chosen; i++) {
            arca__cert *c = v->certs[i];
            char cn[64];
            int64_t nb, na;
            int memo;
            arca__cert_cn(c, 0, cn, sizeof cn);
            if (strcmp(cn, TCB_SIGNING_CN) != 0)
                continue;
            arca__cert_validity(c, &nb, &na);
            if (pass == 0 && (at < nb || at > na))
                continue;
            pthread_mutex_lock(&v->lock);
            memo = item->checked && item->signer == c;
            pthread_mutex_unlock(&v->lock);
            if (!memo) {
                arca__pubkey *pk = NULL;
                int ok = arca__cert_pubkey(c, &pk) == ARCA_OK && arca__pubkey_size(pk) == 32 &&
                         arca__pubkey_verify(pk, doc->text, doc->text_len, doc->signature,
                                             doc->signature + 32, 32) == ARCA_OK;
                arca__pubkey_free(pk);
                if (!ok)
                    continue;
                pthread_mutex_lock(&v->lock);
                arca__cert_free(item->signer);
                item->signer = arca__cert_ref(c);
                item->checked = 1;
                pthread_mutex_unlock(&v->lock);
            }
            chosen = c;
        }
    }
    if (!chosen)
        ARCA_RAISE(ARCA_ERR_COLLATERAL_SIGNATURE,
                   "%s (%s): its signature verifies under no '" TCB_SIGNING_CN "' certificate "
                   "of the collateral (the document was modified, or its issuer chain is missing)",
                   what, item->name);
    ARCA_CHECK(arca__hw_key("tcb-signing", arca__cert_hash(chosen), 32, key));
    if (!arca__hw_cache_get(v, key, at, &chain)) {
        arca__chain_params params;
        memset(&params, 0, sizeof params);
        params.at = at;
        params.crl_mode = ARCA__CHAIN_CRL_ALL;
        params.sig = ARCA__CHAIN_SIG_ECDSA_SHA256;
        params.what = "TCB Signing certificate chain";
        ARCA_CHECK(arca__hw_chain_verify(v, chosen, NULL, 0, &params, 0, &chain));
        arca__hw_cache_put(v, key, &chain);
    }
    if (memcmp(chain.root_hash, root, 32) != 0)
        ARCA_RAISE(ARCA_ERR_COLLATERAL_MISMATCH,
                   "%s (%s) is signed under a different root than "
                   "the quote",
                   what, item->name);
done:
    arca__hw_chain_clear(&chain);
    return result;
}

static arca_result_t check_period(int64_t at, const arca__hw_signed_item *item, const char *what)
{
    arca_result_t result = ARCA_OK;
    const arca__intel_signed *doc = item_doc(item);

    if (!current(doc, at))
        ARCA_RAISE(ARCA_ERR_COLLATERAL_EXPIRED,
                   "%s (%s) is %s at the verification time (%lld); it is valid from %lld to %lld "
                   "(unix seconds): fetch current collateral or verify at another time",
                   what, item->name, at < doc->issue_date ? "not yet valid" : "expired",
                   (long long)at, (long long)doc->issue_date, (long long)doc->next_update);
done:
    return result;
}

/* ---- collateral choice ---- */

/* Of the documents that fit, the one valid at the verification time, then the newest (the
 * highest tcbEvaluationDataNumber): whether @p cand beats the best so far (NULL: none). */
static int preferred(const arca__hw_signed_item *cand, const arca__hw_signed_item *best,
                     int64_t at)
{
    const arca__intel_signed *c = item_doc(cand), *b = best ? item_doc(best) : NULL;
    return !b || (current(c, at) && !current(b, at)) ||
           (current(c, at) == current(b, at) && c->eval_number > b->eval_number);
}

static arca_result_t choose_tcb_info(arca__hw_verifier *v, const arca__sgx_pck_ext *pck, int tdx,
                                     int64_t at, arca__hw_signed_item **out)
{
    arca_result_t result = ARCA_OK;
    arca__hw_signed_item *best = NULL;
    int seen_any = 0, seen_fmspc = 0, seen_type = 0;
    char want[13], got[13] = "";

    arca__hex_encode(pck->fmspc, 6, want);
    for (size_t i = 0; i < v->item_count; i++) {
        arca__intel_tcb_info *info = v->items[i].tcb_info;
        if (!info)
            continue;
        seen_any = 1;
        if (memcmp(info->fmspc, pck->fmspc, 6) != 0) {
            arca__hex_encode(info->fmspc, 6, got);
            continue;
        }
        seen_fmspc = 1;
        if (tdx ? !(info->tdx && info->doc.version >= 3) : info->tdx)
            continue;
        seen_type = 1;
        if (memcmp(info->pce_id, pck->pce_id, 2) != 0)
            continue;
        if (preferred(&v->items[i], best, at))
            best = &v->items[i];
    }
    if (!seen_any)
        ARCA_RAISE(ARCA_ERR_COLLATERAL_MISSING,
                   "the collateral has no TCB Info: supply the TCB "
                   "Info for FMSPC %s",
                   want);
    if (!seen_fmspc)
        ARCA_RAISE(ARCA_ERR_COLLATERAL_MISMATCH,
                   "the collateral's TCB Info is for FMSPC %s, but "
                   "the quote's platform has FMSPC %s: supply the TCB Info for %s",
                   got, want, want);
    if (!seen_type)
        ARCA_RAISE(ARCA_ERR_COLLATERAL_MISMATCH,
                   "the collateral's TCB Info for FMSPC %s is for "
                   "%s, but the quote is %s",
                   want, tdx ? "SGX" : "TDX", tdx ? "TDX" : "SGX");
    if (!best)
        ARCA_RAISE(ARCA_ERR_COLLATERAL_MISMATCH,
                   "the collateral's TCB Info for FMSPC %s is for "
                   "another PCE id",
                   want);
    *out = best;
done:
    return result;
}

static arca_result_t choose_identity(arca__hw_verifier *v, const char *id, int64_t at,
                                     arca__hw_signed_item **out)
{
    arca_result_t result = ARCA_OK;
    arca__hw_signed_item *best = NULL;

    for (size_t i = 0; i < v->item_count; i++) {
        const arca__intel_identity *idn = v->items[i].identity;
        if (idn && strcmp(idn->id, id) == 0 && preferred(&v->items[i], best, at))
            best = &v->items[i];
    }
    if (!best)
        ARCA_RAISE(ARCA_ERR_COLLATERAL_MISSING,
                   "the collateral has no %s identity: supply the "
                   "%s identity with the TCB Info",
                   id, id);
    *out = best;
done:
    return result;
}

/* ---- TCB evaluation ---- */

static arca_result_t add_level_advisories(arca__hw_claims *claims, const arca__intel_level *lv)
{
    arca_result_t result = ARCA_OK;
    for (size_t i = 0; i < lv->advisory_count; i++)
        ARCA_CHECK(arca__hw_add_advisory(claims, lv->advisories[i]));
done:
    return result;
}

static arca_result_t evaluate(arca__hw_verifier *v, const arca__dcap_quote *q,
                              const arca__hw_chain *pck, int64_t at, arca__hw_claims *claims)
{
    arca_result_t result = ARCA_OK;
    int tdx = q->body_type != ARCA__DCAP_BODY_SGX;
    arca__hw_signed_item *tcb_item = NULL, *qe_item = NULL;
    const arca__intel_tcb_info *info;
    const arca__intel_identity *qe;
    arca__hw_sgx_body qe_body;
    long level, sgx_level, qe_level;
    arca__tcb_status status, module_status = ARCA__TCB_UP_TO_DATE;
    const arca__intel_level *module_lv = NULL;
    char fmspc[13];

    arca__hex_encode(pck->sgx.fmspc, 6, fmspc);
    ARCA_CHECK(choose_tcb_info(v, &pck->sgx, tdx, at, &tcb_item));
    ARCA_CHECK(choose_identity(v, tdx ? "TD_QE" : "QE", at, &qe_item));
    ARCA_CHECK(check_signed(v, tcb_item, at, pck->root_hash, "TCB Info"));
    ARCA_CHECK(
        check_signed(v, qe_item, at, pck->root_hash, tdx ? "TD_QE identity" : "QE identity"));
    info = tcb_item->tcb_info;
    qe = qe_item->identity;
    ARCA_CHECK(check_period(at, tcb_item, "TCB Info"));
    ARCA_CHECK(check_period(at, qe_item, "QE identity"));

    /* The quoting enclave against its identity. */
    arca__sgx_body_read(q->qe_report, &qe_body);
    if (memcmp(qe_body.mr_signer, qe->mrsigner, 32) != 0)
        ARCA_RAISE(ARCA_ERR_QE_IDENTITY,
                   "the quoting enclave's MRSIGNER is not the one its %s "
                   "identity names",
                   qe->id);
    if (qe_body.isv_prod_id != qe->isv_prod_id)
        ARCA_RAISE(ARCA_ERR_QE_IDENTITY, "the quoting enclave's ISVPRODID %u is not %u",
                   qe_body.isv_prod_id, qe->isv_prod_id);
    if ((qe_body.misc_select & qe->miscselect_mask) != qe->miscselect)
        ARCA_RAISE(ARCA_ERR_QE_IDENTITY,
                   "the quoting enclave's MISCSELECT 0x%08x does not match "
                   "its identity (0x%08x under mask 0x%08x)",
                   qe_body.misc_select, qe->miscselect, qe->miscselect_mask);
    for (int i = 0; i < 16; i++)
        if ((qe_body.attributes[i] & qe->attributes_mask[i]) != qe->attributes[i])
            ARCA_RAISE(ARCA_ERR_QE_IDENTITY,
                       "the quoting enclave's attributes do not match its "
                       "identity (byte %d)",
                       i);
    qe_level = arca__tcb_identity_level(qe->levels, qe->level_count, qe_body.isv_svn);
    if (qe_level < 0)
        ARCA_RAISE(ARCA_ERR_TCB_LEVEL_NOT_FOUND,
                   "the quoting enclave's ISVSVN %u is below every "
                   "TCB level of its identity",
                   qe_body.isv_svn);

    /* The platform's TCB level. */
    level = arca__tcb_match(info, pck->sgx.comp_svn, pck->sgx.pce_svn,
                            tdx ? claims->tdx.tee_tcb_svn : NULL, &sgx_level);
    if (sgx_level < 0)
        ARCA_RAISE(ARCA_ERR_TCB_LEVEL_NOT_FOUND,
                   "SGX TCB status check failed: no TCB level of the "
                   "TCB Info for FMSPC %s matches the PCK certificate's TCB (PCESVN %u)",
                   fmspc, pck->sgx.pce_svn);
    if (level < 0)
        ARCA_RAISE(ARCA_ERR_TCB_LEVEL_NOT_FOUND,
                   "TDX TCB status check failed: no matching TCB "
                   "level found in the TCB Info for FMSPC %s for TEE_TCB_SVN and the PCK TCB",
                   fmspc);
    status = info->levels[level].status;

    /* The TDX module. */
    if (tdx) {
        uint8_t version = claims->tdx.tee_tcb_svn[1];
        const arca__intel_module *m = NULL;
        if (version == 0) {
            if (info->has_tdx_module)
                m = &info->tdx_module;
        } else {
            char id[16];
            snprintf(id, sizeof id, "TDX_%02X", version);
            for (size_t i = 0; i < info->module_count && !m; i++)
                if (strcasecmp(info->modules[i].id, id) == 0)
                    m = &info->modules[i];
            if (!m)
                ARCA_RAISE(ARCA_ERR_TDX_MODULE,
                           "the TCB Info has no identity %s for the TDX "
                           "module version %u the quote reports",
                           id, version);
        }
        if (!m)
            ARCA_RAISE(ARCA_ERR_TDX_MODULE, "the TDX TCB Info has no tdxModule entry");
        if (memcmp(claims->tdx.mr_signer_seam, m->mrsigner, 48) != 0)
            ARCA_RAISE(ARCA_ERR_TDX_MODULE, "the TDX module's MRSIGNER_SEAM is not the one the TCB "
                                            "Info names");
        for (int i = 0; i < 8; i++)
            if ((claims->tdx.seam_attributes[i] & m->attributes_mask[i]) != m->attributes[i])
                ARCA_RAISE(ARCA_ERR_TDX_MODULE, "the TDX module's SEAM attributes do not match "
                                                "the TCB Info");
        if (version != 0) {
            long ml =
                arca__tcb_identity_level(m->levels, m->level_count, claims->tdx.tee_tcb_svn[0]);
            if (ml < 0)
                ARCA_RAISE(ARCA_ERR_TCB_LEVEL_NOT_FOUND,
                           "the TDX module SVN %u is below every TCB "
                           "level of %s",
                           claims->tdx.tee_tcb_svn[0], m->id);
            module_lv = &m->levels[ml];
            module_status = module_lv->status;
        }
        status = arca__tcb_converge(status, module_status);
    }
    claims->dcap.platform_status = info->levels[level].status;
    claims->dcap.qe_status = qe->levels[qe_level].status;
    claims->dcap.module_status = tdx ? module_status : ARCA__TCB_NOT_EVALUATED;
    status = arca__tcb_converge(status, qe->levels[qe_level].status);
    if (status == ARCA__TCB_REVOKED)
        ARCA_RAISE(ARCA_ERR_TCB_STATUS,
                   "the TCB is Revoked: platform level %s (FMSPC %s, %s), "
                   "quoting enclave %s%s%s",
                   arca__tcb_status_name(info->levels[level].status), fmspc,
                   info->levels[level].date, arca__tcb_status_name(qe->levels[qe_level].status),
                   tdx ? ", TDX module " : "", tdx ? arca__tcb_status_name(module_status) : "");
    ARCA_CHECK(add_level_advisories(claims, &info->levels[level]));
    if (module_lv)
        ARCA_CHECK(add_level_advisories(claims, module_lv));
    ARCA_CHECK(add_level_advisories(claims, &qe->levels[qe_level]));
    claims->tcb_status = status;
    snprintf(claims->tcb_date, sizeof claims->tcb_date, "%s", info->levels[level].date);
    claims->tcb_eval_number = info->doc.eval_number;
    claims->collateral_used = 1;
done:
    return result;
}

/* ---- the quote ---- */

arca_result_t arca__dcap_verify(arca__hw_verifier *v, const uint8_t *bytes, size_t len, int64_t at,
                                arca__hw_claims *claims)
{
    arca_result_t result = ARCA_OK;
    arca__dcap_quote q;
    arca__hw_chain pck;
    arca__pubkey *att = NULL;
    uint8_t digest[32];
    static const uint8_t zero[32];

    memset(&pck, 0, sizeof pck);
    ARCA_CHECK(arca__dcap_quote_parse(bytes, len, &q));

    /* 1. The PCK certificate chain to a pinned Intel root. */
    ARCA_CHECK(pck_chain(v, &q, at, &pck));
    /* 2. The QE report, signed by the PCK key. */
    if (arca__pubkey_verify(pck.key, q.qe_report, 384, q.qe_report_signature,
                            q.qe_report_signature + 32, 32) != ARCA_OK)
        ARCA_RAISE(ARCA_ERR_QE_REPORT_SIGNATURE, "the quoting enclave's report does not verify "
                                                 "under the PCK certificate's key");
    /* 3. The QE report binds the attestation key: SHA-256(key || QE auth data), then zeros. */
    ARCA_CHECK(arca__hw_sha256_2(q.attestation_key, 64, q.qe_auth_data, q.qe_auth_len, digest));
    if (memcmp(digest, q.qe_report + 320, 32) != 0 || memcmp(q.qe_report + 352, zero, 32) != 0)
        ARCA_RAISE(ARCA_ERR_QE_BINDING, "the quoting enclave's report data is not SHA-256 of the "
                                        "quote's attestation key and QE authentication data");
    /* 4. The quote, signed by the attestation key. */
    result = arca__pubkey_from_p256_xy(q.attestation_key, &att);
    if (result != ARCA_OK)
        ARCA_RAISE(ARCA_ERR_VERIFY_SIGNATURE, "the quote's attestation key is not a P-256 point");
    if (arca__pubkey_verify(att, bytes, q.signed_len, q.signature, q.signature + 32, 32) != ARCA_OK)
        ARCA_RAISE(ARCA_ERR_VERIFY_SIGNATURE, "the quote's signature does not verify under its "
                                              "attestation key: the quote was modified");

    /* The body and the header, now authenticated. */
    if (q.body_type == ARCA__DCAP_BODY_SGX) {
        arca__hw_sgx_body body;
        arca__sgx_body_read(q.body, &body);
        arca__sgx_claims(&body, claims);
    } else {
        arca__hw_tdx_body body;
        arca__tdx_body_read(q.body, q.body_type == ARCA__DCAP_BODY_TD15, &body);
        arca__tdx_claims(&body, claims);
    }
    claims->evidence_version = q.version;
    memcpy(claims->root_hash, pck.root_hash, 32);
    claims->dcap.version = q.version;
    claims->dcap.att_key_type = q.att_key_type;
    claims->dcap.tee_type = q.tee_type;
    claims->dcap.body_type = (uint16_t)q.body_type;
    claims->dcap.qe_svn = q.qe_svn;
    claims->dcap.pce_svn = q.pce_svn;
    memcpy(claims->dcap.qe_vendor_id, q.qe_vendor_id, 16);
    memcpy(claims->dcap.user_data, q.user_data, 20);
    memcpy(claims->dcap.attestation_key, q.attestation_key, 64);
    {
        arca__hw_sgx_body qe;
        arca__sgx_body_read(q.qe_report, &qe);
        memcpy(claims->dcap.qe_mr_enclave, qe.mr_enclave, 32);
        memcpy(claims->dcap.qe_mr_signer, qe.mr_signer, 32);
        claims->dcap.qe_isv_prod_id = qe.isv_prod_id;
        claims->dcap.qe_isv_svn = qe.isv_svn;
    }
    memcpy(claims->dcap.ppid, pck.sgx.ppid, 16);
    memcpy(claims->dcap.cpu_svn, pck.sgx.cpu_svn, 16);
    memcpy(claims->dcap.tcb_components, pck.sgx.comp_svn, 16);
    claims->dcap.pck_pce_svn = pck.sgx.pce_svn;
    memcpy(claims->dcap.pce_id, pck.sgx.pce_id, 2);
    claims->dcap.sgx_type = pck.sgx.sgx_type;
    claims->dcap.has_platform_instance_id = pck.sgx.has_platform_instance_id;
    memcpy(claims->dcap.platform_instance_id, pck.sgx.platform_instance_id, 16);
    snprintf(claims->dcap.pck_issuer, sizeof claims->dcap.pck_issuer, "%s", pck.issuer_cn);
    claims->has_fmspc = 1;
    memcpy(claims->fmspc, pck.sgx.fmspc, 6);
    claims->tcb_status = ARCA__TCB_NOT_EVALUATED;

    /* 5. With TCB collateral: Intel's TCB evaluation. */
    for (size_t i = 0; i < v->item_count; i++)
        if (v->items[i].tcb_info) {
            ARCA_CHECK(evaluate(v, &q, &pck, at, claims));
            break;
        }
done:
    arca__pubkey_free(att);
    arca__hw_chain_clear(&pck);
    return result;
}

/* The registry's entry (verify/format.h). */
ARCA__HW_FORMAT(arca__format_dcap_quote, ARCA_EVIDENCE_DCAP_QUOTE, "dcap-quote",
                arca__dcap_quote_detect, arca__dcap_verify);
