/*
 * collateral.c — parses Intel DCAP collateral JSON with json-c: TCB Info v2/v3 (SGX, TDX),
 * enclave identities v2 (QE, TD_QE), PCS responses and dcap-qvl collateral bundles.
 *
 * Divisions: dates and hex; json-c helpers; TCB levels; signed documents (what TCB Info and
 * identities share); TCB Info; enclave identity; documents (finding the exact signed bytes of
 * a PCS response's value).
 *
 * Parsing is strict: the whole document must be one JSON value (json-c in strict mode),
 * every field used has the type, length and range Intel's schema gives it, and statuses
 * outside Intel's list are refused. Nothing here decides trust: the signature over the
 * exact bytes kept in ->doc.text is checked by intel/dcap_verify.c before any field is used.
 * This file must never accept a document it only partly understood, and never call OpenSSL.
 */
#define _GNU_SOURCE /* timegm */
#include "verify/intel/collateral.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "base/error.h"
#include "base/hex.h"

/* ---- dates and hex ---- */

int arca__intel_parse_date(const char *text, int64_t *out)
{
    int y, mo, d, h, mi, s, n = 0;
    struct tm tm;
    size_t len;

    if (!text || sscanf(text, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &s, &n) != 6 ||
        n != 19)
        return -1;
    len = strlen(text);
    if (text[n] == '.') { /* fractional seconds: digits only, then Z */
        n++;
        while (text[n] >= '0' && text[n] <= '9')
            n++;
    }
    if (text[n] != 'Z' || (size_t)n + 1 != len)
        return -1;
    if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60)
        return -1;
    memset(&tm, 0, sizeof tm);
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = s;
    *out = (int64_t)timegm(&tm);
    return 0;
}

/* Exactly @p n bytes of hex (either case) into @p out; 0 on success. */
static int hex_exact(const char *hex, uint8_t *out, size_t n)
{
    size_t got = 0;
    if (!hex || strlen(hex) != 2 * n)
        return -1;
    return arca__hex_decode(hex, 2 * n, out, n, &got) == ARCA_OK && got == n ? 0 : -1;
}

/* ---- json-c helpers ---- */

/* Parse all of [text, text + len) as one JSON value; NULL when it is not exactly that. */
static json_object *parse_whole(const char *text, size_t len)
{
    json_tokener *tok;
    json_object *obj;

    if (len == 0 || len > ARCA__INTEL_COLLATERAL_MAX || memchr(text, '\0', len))
        return NULL;
    tok = json_tokener_new_ex(JSON_TOKENER_DEFAULT_DEPTH);
    if (!tok)
        return NULL;
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
    obj = json_tokener_parse_ex(tok, text, (int)len);
    if (obj && json_tokener_get_error(tok) == json_tokener_success) {
        size_t end = json_tokener_get_parse_end(tok);
        while (end < len &&
               (text[end] == ' ' || text[end] == '\n' || text[end] == '\r' || text[end] == '\t'))
            end++;
        if (end != len) {
            json_object_put(obj);
            obj = NULL;
        }
    } else {
        json_object_put(obj);
        obj = NULL;
    }
    json_tokener_free(tok);
    return obj;
}

static json_object *member(json_object *obj, const char *key, json_type type)
{
    json_object *v = NULL;
    if (!json_object_is_type(obj, json_type_object) || !json_object_object_get_ex(obj, key, &v) ||
        !json_object_is_type(v, type))
        return NULL;
    return v;
}

static const char *str_member(json_object *obj, const char *key)
{
    json_object *v = member(obj, key, json_type_string);
    return v ? json_object_get_string(v) : NULL;
}

/* An integer member in [0, max] into *out; 0 on success. */
static int uint_member(json_object *obj, const char *key, int64_t max, int64_t *out)
{
    json_object *v = member(obj, key, json_type_int);
    int64_t x;
    if (!v)
        return -1;
    x = json_object_get_int64(v);
    if (x < 0 || x > max)
        return -1;
    *out = x;
    return 0;
}

static int date_member(json_object *obj, const char *key, int64_t *out, char *text, size_t cap)
{
    const char *s = str_member(obj, key);
    if (!s || arca__intel_parse_date(s, out) != 0)
        return -1;
    if (text && snprintf(text, cap, "%s", s) >= (int)cap)
        return -1;
    return 0;
}

/* ---- TCB levels ---- */

/* The status, date and advisories every kind of level has. */
static arca_result_t level_common(json_object *lv, const char *name, size_t i,
                                  arca__intel_level *out)
{
    arca_result_t result = ARCA_OK;
    const char *status = str_member(lv, "tcbStatus");
    int64_t ignored;
    json_object *adv = NULL;

    if (!status || arca__tcb_status_parse(status, &out->status) != 0 ||
        out->status == ARCA__TCB_NOT_EVALUATED)
        ARCA_RAISE(ARCA_ERR_BAD_FORMAT, "%s: TCB level %zu has no known tcbStatus (got %s%s%s)",
                   name, i, status ? "\"" : "", status ? status : "none", status ? "\"" : "");
    if (date_member(lv, "tcbDate", &ignored, out->date, sizeof out->date) != 0)
        ARCA_RAISE(ARCA_ERR_BAD_FORMAT, "%s: TCB level %zu has no valid tcbDate", name, i);
    if (json_object_object_get_ex(lv, "advisoryIDs", &adv)) {
        size_t n;
        if (!json_object_is_type(adv, json_type_array))
            ARCA_RAISE(ARCA_ERR_BAD_FORMAT, "%s: TCB level %zu: advisoryIDs is not an array", name,
                       i);
        n = json_object_array_length(adv);
        if (n > ARCA__HW_MAX_ADVISORIES)
            ARCA_RAISE(ARCA_ERR_BAD_FORMAT, "%s: TCB level %zu lists %zu advisories (at most %d)",
                       name, i, n, ARCA__HW_MAX_ADVISORIES);
        out->advisories = n ? calloc(n, sizeof *out->advisories) : NULL;
        if (n && !out->advisories)
            ARCA_RAISE(ARCA_ERR_OUT_OF_MEMORY, "%s: cannot allocate advisories", name);
        for (size_t a = 0; a < n; a++) {
            json_object *id = json_object_array_get_idx(adv, a);
            const char *s =
                json_object_is_type(id, json_type_string) ? json_object_get_string(id) : NULL;
            if (!s || strlen(s) == 0 || strlen(s) >= ARCA__HW_ADVISORY_LEN)
                ARCA_RAISE(ARCA_ERR_BAD_FORMAT,
                           "%s: TCB level %zu: advisory %zu is not a short "
                           "string",
                           name, i, a);
            memcpy(out->advisories[a], s, strlen(s) + 1);
        }
        out->advisory_count = n;
    }
done:
    return result;
}

static void levels_free(arca__intel_level *levels, size_t count)
{
    for (size_t i = 0; i < count; i++)
        free(levels[i].advisories);
    free(levels);
}

/* 16 component SVNs from a v3 array of {"svn": n, ...}. */
static int components(json_object *tcb, const char *key, uint8_t out[16])
{
    json_object *arr = member(tcb, key, json_type_array);
    if (!arr || json_object_array_length(arr) != 16)
        return -1;
    for (size_t c = 0; c < 16; c++) {
        int64_t svn;
        if (uint_member(json_object_array_get_idx(arr, c), "svn", 255, &svn) != 0)
            return -1;
        out[c] = (uint8_t)svn;
    }
    return 0;
}

/* Parse an array of levels. @p kind: 0 TCB Info v2, 1 TCB Info v3 (SGX), 2 TCB Info v3 (TDX),
 * 3 {"isvsvn"} levels (identities, TDX modules). */
static arca_result_t parse_levels(json_object *arr, int kind, const char *name,
                                  arca__intel_level **out, size_t *count)
{
    arca_result_t result = ARCA_OK;
    arca__intel_level *levels = NULL;
    size_t n = 0;

    if (!arr || !json_object_is_type(arr, json_type_array))
        ARCA_RAISE(ARCA_ERR_BAD_FORMAT, "%s: tcbLevels is missing or not an array", name);
    n = json_object_array_length(arr);
    if (n == 0 || n > ARCA__INTEL_MAX_LEVELS)
        ARCA_RAISE(ARCA_ERR_BAD_FORMAT, "%s: %zu TCB levels (expected 1 to %d)", name, n,
                   ARCA__INTEL_MAX_LEVELS);
    levels = calloc(n, sizeof *levels);
    if (!levels)
        ARCA_RAISE(ARCA_ERR_OUT_OF_MEMORY, "%s: cannot allocate TCB levels", name);
    for (size_t i = 0; i < n; i++) {
        json_object *lv = json_object_array_get_idx(arr, i);
        json_object *tcb = member(lv, "tcb", json_type_object);
        int64_t v;
        if (!tcb)
            ARCA_RAISE(ARCA_ERR_BAD_FORMAT, "%s: TCB level %zu has no tcb object", name, i);
        ARCA_CHECK(level_common(lv, name, i, &levels[i]));
        if (kind == 3) {
            if (uint_member(tcb, "isvsvn", 65535, &v) != 0)
                ARCA_RAISE(ARCA_ERR_BAD_FORMAT, "%s: TCB level %zu has no valid isvsvn", name, i);
            levels[i].isv_svn = (uint16_t)v;
            continue;
        }
        if (uint_member(tcb, "pcesvn", 65535, &v) != 0)
            ARCA_RAISE(ARCA_ERR_BAD_FORMAT, "%s: TCB level %zu has no valid pcesvn", name, i);
        levels[i].pce_svn = (uint16_t)v;
        if (kind == 0) {
            for (int c = 0; c < 16; c++) {
                char key[24];
                snprintf(key, sizeof key, "sgxtcbcomp%02dsvn", c + 1);
                if (uint_member(tcb, key, 255, &v) != 0)
                    ARCA_RAISE(ARCA_ERR_BAD_FORMAT, "%s: TCB level %zu has no valid %s", name, i,
                               key);
                levels[i].sgx_comp[c] = (uint8_t)v;
            }
        } else {
            if (components(tcb, "sgxtcbcomponents", levels[i].sgx_comp) != 0)
                ARCA_RAISE(ARCA_ERR_BAD_FORMAT,
                           "%s: TCB level %zu: sgxtcbcomponents is not 16 SVNs", name, i);
            if (kind == 2) {
                if (components(tcb, "tdxtcbcomponents", levels[i].tdx_comp) != 0)
                    ARCA_RAISE(ARCA_ERR_BAD_FORMAT,
                               "%s: TCB level %zu: tdxtcbcomponents is not 16 SVNs", name, i);
                levels[i].has_tdx = 1;
            }
        }
    }
    *out = levels;
    *count = n;
    levels = NULL;
done:
    if (levels)
        levels_free(levels, n);
    return result;
}

/* ---- signed documents ---- */

/* The start of a signed document (@p what): @p text parsed whole as one JSON object (*root),
 * its exact bytes and @p signature kept in @p doc for the signature check, and its version. */
static arca_result_t signed_start(const char *text, size_t len, const uint8_t signature[64],
                                  const char *name, const char *what, arca__intel_signed *doc,
                                  json_object **root)
{
    arca_result_t result = ARCA_OK;
    int64_t v;

    *root = parse_whole(text, len);
    if (!*root || !json_object_is_type(*root, json_type_object))
        ARCA_RAISE(ARCA_ERR_BAD_FORMAT, "%s: %s is not one JSON object", name, what);
    doc->text = malloc(len);
    if (!doc->text)
        ARCA_RAISE(ARCA_ERR_OUT_OF_MEMORY, "%s: cannot copy the %s", name, what);
    memcpy(doc->text, text, len);
    doc->text_len = len;
    memcpy(doc->signature, signature, 64);
    if (uint_member(*root, "version", 1000, &v) != 0)
        ARCA_RAISE(ARCA_ERR_BAD_FORMAT, "%s: %s has no version", name, what);
    doc->version = (int)v;
done:
    return result;
}

/* A signed document's validity period and evaluation data number. */
static arca_result_t signed_dates(json_object *root, const char *name, const char *what,
                                  arca__intel_signed *doc)
{
    arca_result_t result = ARCA_OK;
    int64_t v;

    if (date_member(root, "issueDate", &doc->issue_date, NULL, 0) != 0 ||
        date_member(root, "nextUpdate", &doc->next_update, NULL, 0) != 0)
        ARCA_RAISE(ARCA_ERR_BAD_FORMAT, "%s: %s lacks a valid issueDate or nextUpdate", name, what);
    if (uint_member(root, "tcbEvaluationDataNumber", UINT32_MAX, &v) != 0)
        ARCA_RAISE(ARCA_ERR_BAD_FORMAT, "%s: %s lacks tcbEvaluationDataNumber", name, what);
    doc->eval_number = (uint32_t)v;
done:
    return result;
}

/* ---- TCB Info ---- */

static arca_result_t parse_module(json_object *m, int with_levels, const char *name,
                                  arca__intel_module *out)
{
    arca_result_t result = ARCA_OK;
    const char *id = with_levels ? str_member(m, "id") : "";

    if (!m || !id || strlen(id) >= sizeof out->id ||
        hex_exact(str_member(m, "mrsigner"), out->mrsigner, 48) != 0 ||
        hex_exact(str_member(m, "attributes"), out->attributes, 8) != 0 ||
        hex_exact(str_member(m, "attributesMask"), out->attributes_mask, 8) != 0)
        ARCA_RAISE(ARCA_ERR_BAD_FORMAT,
                   "%s: a TDX module entry lacks a valid id, mrsigner, "
                   "attributes or attributesMask",
                   name);
    memcpy(out->id, id, strlen(id) + 1);
    if (with_levels)
        ARCA_CHECK(parse_levels(member(m, "tcbLevels", json_type_array), 3, name, &out->levels,
                                &out->level_count));
done:
    return result;
}

void arca__intel_tcb_info_free(arca__intel_tcb_info *info)
{
    if (!info)
        return;
    levels_free(info->levels, info->level_count);
    for (size_t i = 0; i < info->module_count; i++)
        levels_free(info->modules[i].levels, info->modules[i].level_count);
    free(info->modules);
    free(info->doc.text);
    free(info);
}

arca_result_t arca__intel_tcb_info_parse(const char *text, size_t len, const uint8_t signature[64],
                                         const char *name, arca__intel_tcb_info **out)
{
    arca_result_t result = ARCA_OK;
    json_object *root = NULL;
    arca__intel_tcb_info *info = NULL;
    int64_t v;
    const char *id;

    *out = NULL;
    info = calloc(1, sizeof *info);
    if (!info)
        ARCA_RAISE(ARCA_ERR_OUT_OF_MEMORY, "%s: cannot allocate TCB Info", name);
    ARCA_CHECK(signed_start(text, len, signature, name, "TCB Info", &info->doc, &root));
    v = info->doc.version;
    if (v != 2 && v != 3)
        ARCA_RAISE(ARCA_ERR_BAD_VERSION, "%s: TCB Info version %d is not supported (2 and 3 are)",
                   name, info->doc.version);
    id = str_member(root, "id");
    if (v == 3 && (!id || (strcmp(id, "SGX") != 0 && strcmp(id, "TDX") != 0)))
        ARCA_RAISE(ARCA_ERR_BAD_FORMAT, "%s: TCB Info v3 id must be \"SGX\" or \"TDX\"", name);
    info->tdx = id && strcmp(id, "TDX") == 0;
    if (hex_exact(str_member(root, "fmspc"), info->fmspc, 6) != 0 ||
        hex_exact(str_member(root, "pceId"), info->pce_id, 2) != 0)
        ARCA_RAISE(ARCA_ERR_BAD_FORMAT, "%s: TCB Info lacks a valid fmspc or pceId", name);
    ARCA_CHECK(signed_dates(root, name, "TCB Info", &info->doc));
    if (uint_member(root, "tcbType", 255, &v) != 0 || v != 0)
        ARCA_RAISE(ARCA_ERR_BAD_FORMAT, "%s: TCB Info tcbType must be 0", name);
    ARCA_CHECK(parse_levels(member(root, "tcbLevels", json_type_array),
                            info->doc.version == 2 ? 0
                            : info->tdx        ? 2
                                               : 1,
                            name, &info->levels, &info->level_count));
    if (info->tdx) {
        json_object *mods = member(root, "tdxModuleIdentities", json_type_array);
        ARCA_CHECK(
            parse_module(member(root, "tdxModule", json_type_object), 0, name, &info->tdx_module));
        info->has_tdx_module = 1;
        if (mods) {
            size_t n = json_object_array_length(mods);
            if (n > ARCA__INTEL_MAX_LEVELS)
                ARCA_RAISE(ARCA_ERR_BAD_FORMAT, "%s: too many TDX module identities", name);
            info->modules = n ? calloc(n, sizeof *info->modules) : NULL;
            if (n && !info->modules)
                ARCA_RAISE(ARCA_ERR_OUT_OF_MEMORY, "%s: cannot allocate TDX modules", name);
            for (size_t i = 0; i < n; i++) {
                ARCA_CHECK(
                    parse_module(json_object_array_get_idx(mods, i), 1, name, &info->modules[i]));
                info->module_count = i + 1;
            }
        }
    }
    *out = info;
    info = NULL;
done:
    arca__intel_tcb_info_free(info);
    json_object_put(root);
    return result;
}

/* ---- enclave identity ---- */

void arca__intel_identity_free(arca__intel_identity *identity)
{
    if (!identity)
        return;
    levels_free(identity->levels, identity->level_count);
    free(identity->doc.text);
    free(identity);
}

arca_result_t arca__intel_identity_parse(const char *text, size_t len, const uint8_t signature[64],
                                         const char *name, arca__intel_identity **out)
{
    arca_result_t result = ARCA_OK;
    json_object *root = NULL;
    arca__intel_identity *idn = NULL;
    uint8_t word[4];
    const char *id;
    int64_t v;

    *out = NULL;
    idn = calloc(1, sizeof *idn);
    if (!idn)
        ARCA_RAISE(ARCA_ERR_OUT_OF_MEMORY, "%s: cannot allocate an enclave identity", name);
    ARCA_CHECK(signed_start(text, len, signature, name, "enclave identity", &idn->doc, &root));
    if (idn->doc.version != 2)
        ARCA_RAISE(ARCA_ERR_BAD_VERSION,
                   "%s: enclave identity version %d is not supported "
                   "(2 is)",
                   name, idn->doc.version);
    id = str_member(root, "id");
    if (!id || strlen(id) >= sizeof idn->id)
        ARCA_RAISE(ARCA_ERR_BAD_FORMAT, "%s: enclave identity has no valid id", name);
    memcpy(idn->id, id, strlen(id) + 1);
    ARCA_CHECK(signed_dates(root, name, "enclave identity", &idn->doc));
    /* miscselect is written as a big-endian 32-bit number. */
    if (hex_exact(str_member(root, "miscselect"), word, 4) != 0)
        ARCA_RAISE(ARCA_ERR_BAD_FORMAT, "%s: enclave identity lacks a valid miscselect", name);
    idn->miscselect =
        (uint32_t)word[0] << 24 | (uint32_t)word[1] << 16 | (uint32_t)word[2] << 8 | word[3];
    if (hex_exact(str_member(root, "miscselectMask"), word, 4) != 0)
        ARCA_RAISE(ARCA_ERR_BAD_FORMAT, "%s: enclave identity lacks a valid miscselectMask", name);
    idn->miscselect_mask =
        (uint32_t)word[0] << 24 | (uint32_t)word[1] << 16 | (uint32_t)word[2] << 8 | word[3];
    if (hex_exact(str_member(root, "attributes"), idn->attributes, 16) != 0 ||
        hex_exact(str_member(root, "attributesMask"), idn->attributes_mask, 16) != 0 ||
        hex_exact(str_member(root, "mrsigner"), idn->mrsigner, 32) != 0)
        ARCA_RAISE(ARCA_ERR_BAD_FORMAT,
                   "%s: enclave identity lacks valid attributes, "
                   "attributesMask or mrsigner",
                   name);
    if (uint_member(root, "isvprodid", 65535, &v) != 0)
        ARCA_RAISE(ARCA_ERR_BAD_FORMAT, "%s: enclave identity lacks isvprodid", name);
    idn->isv_prod_id = (uint16_t)v;
    ARCA_CHECK(parse_levels(member(root, "tcbLevels", json_type_array), 3, name, &idn->levels,
                            &idn->level_count));
    *out = idn;
    idn = NULL;
done:
    arca__intel_identity_free(idn);
    json_object_put(root);
    return result;
}

/* ---- documents ---- */

static size_t skip_ws(const char *t, size_t len, size_t i)
{
    while (i < len && (t[i] == ' ' || t[i] == '\n' || t[i] == '\r' || t[i] == '\t'))
        i++;
    return i;
}

/* Parse one JSON value at t[i..]; its end offset into *end; the value or NULL. */
static json_object *value_at(const char *t, size_t len, size_t i, size_t *end)
{
    json_tokener *tok = json_tokener_new_ex(JSON_TOKENER_DEFAULT_DEPTH);
    json_object *v = NULL;
    if (!tok)
        return NULL;
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_ALLOW_TRAILING_CHARS);
    v = json_tokener_parse_ex(tok, t + i, (int)(len - i));
    if (!v || json_tokener_get_error(tok) != json_tokener_success) {
        json_object_put(v);
        v = NULL;
    } else {
        *end = i + json_tokener_get_parse_end(tok);
    }
    json_tokener_free(tok);
    return v;
}

/*
 * The raw text of member @p key's value in the top-level object @p t: Intel signs the
 * value's bytes exactly as they appear in the response body, so the span is found by
 * walking the members with json-c rather than by re-serialising the parsed value.
 */
static int member_span(const char *t, size_t len, const char *key, size_t *start, size_t *vlen)
{
    size_t i = skip_ws(t, len, 0);
    if (i >= len || t[i] != '{')
        return -1;
    i = skip_ws(t, len, i + 1);
    while (i < len && t[i] != '}') {
        size_t end = 0, vstart;
        json_object *k = value_at(t, len, i, &end);
        int match;
        if (!k || !json_object_is_type(k, json_type_string)) {
            json_object_put(k);
            return -1;
        }
        match = strcmp(json_object_get_string(k), key) == 0;
        json_object_put(k);
        i = skip_ws(t, len, end);
        if (i >= len || t[i] != ':')
            return -1;
        vstart = skip_ws(t, len, i + 1);
        k = value_at(t, len, vstart, &end);
        if (!k)
            return -1;
        json_object_put(k);
        if (match) {
            *start = vstart;
            *vlen = end - vstart;
            return 0;
        }
        i = skip_ws(t, len, end);
        if (i < len && t[i] == ',')
            i = skip_ws(t, len, i + 1);
        else if (i >= len || t[i] != '}')
            return -1;
    }
    return -1;
}

void arca__intel_doc_clear(arca__intel_doc *doc)
{
    if (!doc)
        return;
    arca__intel_tcb_info_free(doc->tcb_info);
    arca__intel_identity_free(doc->identity);
    for (size_t i = 0; i < doc->blob_count; i++)
        free(doc->blobs[i].bytes);
    memset(doc, 0, sizeof *doc);
}

/* Keep a copy of a PEM string (is_crl = 0) or the bytes of a hex DER CRL (is_crl = 1). */
static arca_result_t add_blob(arca__intel_doc *doc, const char *text, int hex_crl, const char *name,
                              const char *field)
{
    arca_result_t result = ARCA_OK;
    size_t n = strlen(text), got = 0;
    arca__intel_blob *b;

    if (doc->blob_count == sizeof doc->blobs / sizeof doc->blobs[0])
        ARCA_RAISE(ARCA_ERR_BAD_FORMAT, "%s: too many certificate and CRL fields", name);
    b = &doc->blobs[doc->blob_count];
    b->bytes = malloc(n ? n : 1);
    if (!b->bytes)
        ARCA_RAISE(ARCA_ERR_OUT_OF_MEMORY, "%s: cannot copy %s", name, field);
    if (hex_crl) {
        if (n == 0 || arca__hex_decode(text, n, b->bytes, n, &got) != ARCA_OK) {
            free(b->bytes);
            b->bytes = NULL;
            ARCA_RAISE(ARCA_ERR_BAD_FORMAT, "%s: %s is not hex", name, field);
        }
        b->len = got;
        b->is_crl = 1;
    } else {
        memcpy(b->bytes, text, n);
        b->len = n;
    }
    doc->blob_count++;
done:
    return result;
}

static int signature_hex(const char *hex, uint8_t out[64])
{
    return hex_exact(hex, out, 64);
}

arca_result_t arca__intel_doc_parse(const uint8_t *bytes, size_t len, const char *name,
                                    arca__intel_doc *out)
{
    arca_result_t result = ARCA_OK;
    const char *t = (const char *)bytes;
    json_object *root = NULL;
    uint8_t sig[64];
    size_t start = 0, vlen = 0;

    memset(out, 0, sizeof *out);
    root = parse_whole(t, len);
    if (!root || !json_object_is_type(root, json_type_object))
        ARCA_RAISE(ARCA_ERR_NOT_FOUND, "%s: not a JSON object", name);

    if (member(root, "tcbInfo", json_type_object) ||
        member(root, "enclaveIdentity", json_type_object)) {
        /* An Intel PCS response: the signature covers the value's exact bytes. */
        int is_tcb = member(root, "tcbInfo", json_type_object) != NULL;
        const char *key = is_tcb ? "tcbInfo" : "enclaveIdentity";
        if (signature_hex(str_member(root, "signature"), sig) != 0)
            ARCA_RAISE(ARCA_ERR_BAD_FORMAT, "%s: the signature field is not 64 bytes of hex", name);
        if (member_span(t, len, key, &start, &vlen) != 0)
            ARCA_RAISE(ARCA_ERR_BAD_FORMAT, "%s: cannot locate the %s value", name, key);
        if (is_tcb)
            ARCA_CHECK(arca__intel_tcb_info_parse(t + start, vlen, sig, name, &out->tcb_info));
        else
            ARCA_CHECK(arca__intel_identity_parse(t + start, vlen, sig, name, &out->identity));
        goto done;
    }
    if (str_member(root, "tcb_info") || str_member(root, "qe_identity")) {
        /* A dcap-qvl collateral bundle: signed texts as strings, hex signatures and CRLs. */
        static const char *const pem_fields[] = {
            "tcb_info_issuer_chain", "qe_identity_issuer_chain", "pck_crl_issuer_chain"};
        static const char *const crl_fields[] = {"root_ca_crl", "pck_crl"};
        const char *s;
        if ((s = str_member(root, "tcb_info")) != NULL) {
            if (signature_hex(str_member(root, "tcb_info_signature"), sig) != 0)
                ARCA_RAISE(ARCA_ERR_BAD_FORMAT, "%s: tcb_info_signature is not 64 bytes of hex",
                           name);
            ARCA_CHECK(arca__intel_tcb_info_parse(s, strlen(s), sig, name, &out->tcb_info));
        }
        if ((s = str_member(root, "qe_identity")) != NULL) {
            if (signature_hex(str_member(root, "qe_identity_signature"), sig) != 0)
                ARCA_RAISE(ARCA_ERR_BAD_FORMAT, "%s: qe_identity_signature is not 64 bytes of hex",
                           name);
            ARCA_CHECK(arca__intel_identity_parse(s, strlen(s), sig, name, &out->identity));
        }
        for (size_t i = 0; i < 3; i++)
            if ((s = str_member(root, pem_fields[i])) != NULL && *s)
                ARCA_CHECK(add_blob(out, s, 0, name, pem_fields[i]));
        for (size_t i = 0; i < 2; i++)
            if ((s = str_member(root, crl_fields[i])) != NULL && *s)
                ARCA_CHECK(add_blob(out, s, 1, name, crl_fields[i]));
        goto done;
    }
    ARCA_RAISE(ARCA_ERR_NOT_FOUND,
               "%s: JSON, but neither Intel collateral nor a collateral "
               "bundle",
               name);
done:
    if (result != ARCA_OK)
        arca__intel_doc_clear(out);
    json_object_put(root);
    return result;
}
