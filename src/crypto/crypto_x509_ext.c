/*
 * crypto_x509_ext.c — the vendor extensions that carry a TEE platform's identity and TCB:
 * Intel's SGX extension in PCK certificates (OID 1.2.840.113741.1.13.1: PPID, TCB
 * components, PCESVN, CPUSVN, PCE-ID, FMSPC, SGX type, platform instance id,
 * configuration) and AMD's VCEK/VLEK extensions (1.3.6.1.4.1.3704.1.x: product name, SPLs,
 * hardware id, CSP id).
 *
 * The DER inside the extensions is decoded by OpenSSL (d2i_ASN1_SEQUENCE_ANY, d2i_ASN1_INTEGER,
 * ...); this file walks the decoded values, checks every type, size and range, and refuses
 * anything malformed or missing rather than guessing. It must never read past a decoded
 * value, never accept trailing DER, and never leave OpenSSL's error queue filled.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "crypto.h"
#include "crypto_x509_internal.h"
#include "base/error.h"

#define SGX_OID "1.2.840.113741.1.13.1"
#define AMD_OID "1.3.6.1.4.1.3704.1"

/* The dotted text of @p obj into @p buf; "" on failure. */
static void oid_text(const ASN1_OBJECT *obj, char *buf, size_t cap)
{
    if (!obj || OBJ_obj2txt(buf, (int)cap, obj, 1) <= 0 || (size_t)strlen(buf) >= cap - 1)
        buf[0] = '\0';
}

/* Decode a DER SEQUENCE that must fill [der, der + len) exactly. */
static STACK_OF(ASN1_TYPE) * seq_decode(const unsigned char *der, long len)
{
    const unsigned char *p = der;
    STACK_OF(ASN1_TYPE) *seq = d2i_ASN1_SEQUENCE_ANY(NULL, &p, len);
    if (seq && p != der + len) {
        sk_ASN1_TYPE_pop_free(seq, ASN1_TYPE_free);
        seq = NULL;
    }
    return seq;
}

/* An INTEGER or ENUMERATED in [0, max] into *out; 0 on success. */
static int small_uint(const ASN1_TYPE *t, int64_t max, int64_t *out)
{
    int64_t v = -1;
    if (t->type == V_ASN1_INTEGER) {
        if (ASN1_INTEGER_get_int64(&v, t->value.integer) != 1)
            return -1;
    } else if (t->type == V_ASN1_ENUMERATED) {
        if (ASN1_ENUMERATED_get_int64(&v, t->value.enumerated) != 1)
            return -1;
    } else {
        return -1;
    }
    if (v < 0 || v > max)
        return -1;
    *out = v;
    return 0;
}

/* An OCTET STRING of exactly @p n bytes into @p out; 0 on success. */
static int fixed_octets(const ASN1_TYPE *t, uint8_t *out, size_t n)
{
    if (t->type != V_ASN1_OCTET_STRING || (size_t)t->value.octet_string->length != n)
        return -1;
    memcpy(out, t->value.octet_string->data, n);
    return 0;
}

/*
 * Split one element of an SGX extension sequence, itself SEQUENCE { OID, value }, into its
 * OID text and its value. Returns the decoded pair (free it) or NULL.
 */
static STACK_OF(ASN1_TYPE) * pair(const ASN1_TYPE *t, char *oid, size_t cap)
{
    STACK_OF(ASN1_TYPE) * p;
    if (t->type != V_ASN1_SEQUENCE)
        return NULL;
    p = seq_decode(t->value.sequence->data, t->value.sequence->length);
    if (!p || sk_ASN1_TYPE_num(p) != 2 || sk_ASN1_TYPE_value(p, 0)->type != V_ASN1_OBJECT) {
        sk_ASN1_TYPE_pop_free(p, ASN1_TYPE_free);
        return NULL;
    }
    oid_text(sk_ASN1_TYPE_value(p, 0)->value.object, oid, cap);
    return p;
}

/* The TCB sequence: 16 component SVNs, PCESVN, CPUSVN. 0 when all 18 were read. */
static int sgx_tcb(const ASN1_TYPE *t, arca__sgx_pck_ext *out)
{
    STACK_OF(ASN1_TYPE) *seq = NULL;
    uint32_t seen = 0;
    int rc = -1;

    if (t->type != V_ASN1_SEQUENCE)
        return -1;
    seq = seq_decode(t->value.sequence->data, t->value.sequence->length);
    if (!seq)
        return -1;
    for (int i = 0; i < sk_ASN1_TYPE_num(seq); i++) {
        char oid[96];
        STACK_OF(ASN1_TYPE) *p = pair(sk_ASN1_TYPE_value(seq, i), oid, sizeof oid);
        const ASN1_TYPE *v;
        unsigned idx;
        int64_t n;
        char tail;
        if (!p)
            goto done;
        v = sk_ASN1_TYPE_value(p, 1);
        if (sscanf(oid, SGX_OID ".2.%u%c", &idx, &tail) != 1 || idx < 1 || idx > 18 ||
            (seen & (1u << idx))) {
            sk_ASN1_TYPE_pop_free(p, ASN1_TYPE_free);
            goto done;
        }
        seen |= 1u << idx;
        if (idx <= 16)
            rc = small_uint(v, 255, &n) == 0 ? (out->comp_svn[idx - 1] = (uint8_t)n, 0) : -1;
        else if (idx == 17)
            rc = small_uint(v, 65535, &n) == 0 ? (out->pce_svn = (uint16_t)n, 0) : -1;
        else
            rc = fixed_octets(v, out->cpu_svn, 16);
        sk_ASN1_TYPE_pop_free(p, ASN1_TYPE_free);
        if (rc != 0)
            goto done;
    }
    rc = seen == 0x7fffe ? 0 : -1; /* bits 1..18 */
done:
    sk_ASN1_TYPE_pop_free(seq, ASN1_TYPE_free);
    return rc;
}

/* The configuration sequence (…1.13.1.7): three optional BOOLEANs. */
static int sgx_config(const ASN1_TYPE *t, arca__sgx_pck_ext *out)
{
    STACK_OF(ASN1_TYPE) *seq = NULL;
    int rc = -1;

    if (t->type != V_ASN1_SEQUENCE)
        return -1;
    seq = seq_decode(t->value.sequence->data, t->value.sequence->length);
    if (!seq)
        return -1;
    for (int i = 0; i < sk_ASN1_TYPE_num(seq); i++) {
        char oid[96];
        STACK_OF(ASN1_TYPE) *p = pair(sk_ASN1_TYPE_value(seq, i), oid, sizeof oid);
        const ASN1_TYPE *v;
        int *dst = NULL;
        if (!p)
            goto done;
        v = sk_ASN1_TYPE_value(p, 1);
        if (strcmp(oid, SGX_OID ".7.1") == 0)
            dst = &out->dynamic_platform;
        else if (strcmp(oid, SGX_OID ".7.2") == 0)
            dst = &out->cached_keys;
        else if (strcmp(oid, SGX_OID ".7.3") == 0)
            dst = &out->smt_enabled;
        if (dst) {
            if (v->type != V_ASN1_BOOLEAN) {
                sk_ASN1_TYPE_pop_free(p, ASN1_TYPE_free);
                goto done;
            }
            *dst = v->value.boolean != 0;
        }
        sk_ASN1_TYPE_pop_free(p, ASN1_TYPE_free);
    }
    out->has_configuration = 1;
    rc = 0;
done:
    sk_ASN1_TYPE_pop_free(seq, ASN1_TYPE_free);
    return rc;
}

arca_result_t arca__cert_sgx_ext(const arca__cert *cert, arca__sgx_pck_ext *out)
{
    arca_result_t result = ARCA_OK;
    ASN1_OBJECT *oid = NULL;
    STACK_OF(ASN1_TYPE) *seq = NULL;
    const ASN1_OCTET_STRING *data;
    X509_EXTENSION *ext;
    enum { PPID = 1, TCB = 2, PCEID = 4, FMSPC = 8, TYPE = 16 };
    unsigned seen = 0;
    int idx;

    if (!cert || !out)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "cert_sgx_ext: NULL argument");
    memset(out, 0, sizeof *out);
    oid = OBJ_txt2obj(SGX_OID, 1);
    if (!oid)
        ARCA_RAISE(arca__crypto_error(ARCA_ERR_OUT_OF_MEMORY, "cannot build the SGX OID"));
    idx = X509_get_ext_by_OBJ(cert->x, oid, -1);
    if (idx < 0)
        ARCA_RAISE(ARCA_ERR_BAD_FORMAT, "the PCK certificate has no SGX extension (" SGX_OID ")");
    if (X509_get_ext_by_OBJ(cert->x, oid, idx) >= 0)
        ARCA_RAISE(ARCA_ERR_BAD_FORMAT, "the PCK certificate has two SGX extensions");
    ext = X509_get_ext(cert->x, idx);
    data = X509_EXTENSION_get_data(ext);
    seq = data ? seq_decode(data->data, data->length) : NULL;
    if (!seq)
        ARCA_RAISE(ARCA_ERR_BAD_FORMAT, "the SGX extension is not a DER SEQUENCE");
    for (int i = 0; i < sk_ASN1_TYPE_num(seq); i++) {
        char text[96];
        STACK_OF(ASN1_TYPE) *p = pair(sk_ASN1_TYPE_value(seq, i), text, sizeof text);
        const ASN1_TYPE *v;
        int rc = 0;
        int64_t n;
        if (!p)
            ARCA_RAISE(ARCA_ERR_BAD_FORMAT, "SGX extension element %d is not {OID, value}", i);
        v = sk_ASN1_TYPE_value(p, 1);
        if (strcmp(text, SGX_OID ".1") == 0) {
            rc = (seen & PPID) ? -1 : fixed_octets(v, out->ppid, 16);
            seen |= PPID;
        } else if (strcmp(text, SGX_OID ".2") == 0) {
            rc = (seen & TCB) ? -1 : sgx_tcb(v, out);
            seen |= TCB;
        } else if (strcmp(text, SGX_OID ".3") == 0) {
            rc = (seen & PCEID) ? -1 : fixed_octets(v, out->pce_id, 2);
            seen |= PCEID;
        } else if (strcmp(text, SGX_OID ".4") == 0) {
            rc = (seen & FMSPC) ? -1 : fixed_octets(v, out->fmspc, 6);
            seen |= FMSPC;
        } else if (strcmp(text, SGX_OID ".5") == 0) {
            rc = (seen & TYPE) ? -1 : small_uint(v, 255, &n);
            if (rc == 0)
                out->sgx_type = (int)n;
            seen |= TYPE;
        } else if (strcmp(text, SGX_OID ".6") == 0) {
            rc = fixed_octets(v, out->platform_instance_id, 16);
            out->has_platform_instance_id = 1;
        } else if (strcmp(text, SGX_OID ".7") == 0) {
            rc = sgx_config(v, out);
        } /* unknown elements are future additions: ignored */
        sk_ASN1_TYPE_pop_free(p, ASN1_TYPE_free);
        if (rc != 0)
            ARCA_RAISE(ARCA_ERR_BAD_FORMAT, "SGX extension element %s is malformed", text);
    }
    if (seen != (PPID | TCB | PCEID | FMSPC | TYPE))
        ARCA_RAISE(ARCA_ERR_BAD_FORMAT, "the SGX extension lacks %s",
                   !(seen & PPID)    ? "the PPID"
                   : !(seen & TCB)   ? "the TCB"
                   : !(seen & PCEID) ? "the PCE-ID"
                   : !(seen & FMSPC) ? "the FMSPC"
                                     : "the SGX type");
done:
    sk_ASN1_TYPE_pop_free(seq, ASN1_TYPE_free);
    ASN1_OBJECT_free(oid);
    ERR_clear_error();
    return result;
}

/* A DER INTEGER filling the extension value exactly, in [0, max]. */
static int der_uint(const ASN1_OCTET_STRING *data, int64_t max, int64_t *out)
{
    const unsigned char *p = data->data;
    ASN1_INTEGER *i = d2i_ASN1_INTEGER(NULL, &p, data->length);
    int64_t v = -1;
    int ok = i && p == data->data + data->length && ASN1_INTEGER_get_int64(&v, i) == 1 && v >= 0 &&
             v <= max;
    ASN1_INTEGER_free(i);
    if (ok)
        *out = v;
    return ok ? 0 : -1;
}

/* A DER IA5String filling the extension value exactly, copied NUL-terminated. */
static int der_ia5(const ASN1_OCTET_STRING *data, char *out, size_t cap)
{
    const unsigned char *p = data->data;
    ASN1_IA5STRING *s = d2i_ASN1_IA5STRING(NULL, &p, data->length);
    int ok = s && p == data->data + data->length && (size_t)s->length < cap &&
             memchr(s->data, 0, (size_t)s->length) == NULL;
    if (ok) {
        memcpy(out, s->data, (size_t)s->length);
        out[s->length] = '\0';
    }
    ASN1_IA5STRING_free(s);
    return ok ? 0 : -1;
}

arca_result_t arca__cert_amd_ext(const arca__cert *cert, arca__amd_cert_ext *out)
{
    arca_result_t result = ARCA_OK;
    int count;

    if (!cert || !out)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "cert_amd_ext: NULL argument");
    memset(out, 0, sizeof *out);
    out->struct_version = -1;
    count = X509_get_ext_count(cert->x);
    for (int i = 0; i < count; i++) {
        X509_EXTENSION *ext = X509_get_ext(cert->x, i);
        const ASN1_OCTET_STRING *data = X509_EXTENSION_get_data(ext);
        char text[96];
        unsigned sub;
        char tail;
        int64_t v;
        int rc = 0;

        oid_text(X509_EXTENSION_get_object(ext), text, sizeof text);
        if (strncmp(text, AMD_OID ".", sizeof AMD_OID) != 0 || !data)
            continue;
        if (strcmp(text, AMD_OID ".1") == 0) {
            rc = der_uint(data, 0x7fffffff, &v);
            if (rc == 0)
                out->struct_version = (int)v;
        } else if (strcmp(text, AMD_OID ".2") == 0) {
            rc = der_ia5(data, out->product, sizeof out->product);
        } else if (sscanf(text, AMD_OID ".3.%u%c", &sub, &tail) == 1 && sub >= 1 && sub <= 9) {
            rc = out->has_spl[sub] ? -1 : der_uint(data, 255, &v);
            if (rc == 0) {
                out->spl[sub] = (uint8_t)v;
                out->has_spl[sub] = 1;
            }
        } else if (strcmp(text, AMD_OID ".4") == 0) {
            /* hwID is the raw chip id, not DER: 64 bytes (Milan, Genoa) or 8 (Turin). */
            rc = data->length >= 1 && data->length <= 64 ? 0 : -1;
            if (rc == 0) {
                memcpy(out->hwid, data->data, (size_t)data->length);
                out->hwid_len = (size_t)data->length;
            }
        } else if (strcmp(text, AMD_OID ".5") == 0) {
            rc = der_ia5(data, out->csp_id, sizeof out->csp_id);
        }
        if (rc != 0)
            ARCA_RAISE(ARCA_ERR_BAD_FORMAT, "AMD certificate extension %s is malformed", text);
    }
done:
    ERR_clear_error();
    return result;
}
