/*
 * dcap_quote.c — locates the fields of an Intel DCAP quote (v3, v4, v5) and checks that all
 * of its lengths add up. Pure bytes-in, offsets-out: no crypto, no allocation.
 *
 * Every length comes from the untrusted quote, so every one is checked against what remains
 * before it is used, with no arithmetic that can wrap; a quote is accepted only when the
 * nested sizes (signature data, certification data types 6 and 5) fit together exactly. The
 * file must never read outside [bytes, bytes + len) and never accept a body whose type and
 * size disagree with the header's TEE type.
 */
#include "verify/intel/dcap_quote.h"

#include <string.h>

#include "base/error.h"
#include "base/le.h"

const uint8_t arca__dcap_intel_qe_vendor[16] = {0x93, 0x9a, 0x72, 0x33, 0xf7, 0x9c, 0x4c, 0xa9,
                                                0x94, 0x0a, 0x0d, 0xb3, 0x95, 0x7f, 0x06, 0x07};

/* A cursor over the untrusted bytes. */
struct cursor {
    const uint8_t *p;
    size_t left;
};

static int take(struct cursor *c, size_t n, const uint8_t **out)
{
    if (n > c->left)
        return -1;
    *out = c->p;
    c->p += n;
    c->left -= n;
    return 0;
}

/* A certification data header (type u16, size u32) at @p sd: of @p type (@p what), its data
 * filling exactly, and not emptily, the rest of @p sd. */
static arca_result_t cert_data(struct cursor *sd, uint16_t type, const char *what)
{
    arca_result_t result = ARCA_OK;
    const uint8_t *p;
    uint16_t got;
    uint32_t size;

    if (take(sd, 6, &p) != 0)
        ARCA_RAISE(ARCA_ERR_BAD_EVIDENCE, "DCAP quote: truncated before the %s header", what);
    got = arca__get_le16(p);
    size = arca__get_le32(p + 2);
    if (got != type)
        ARCA_RAISE(ARCA_ERR_UNSUPPORTED,
                   "DCAP quote: certification data type %u where type %u (%s) is expected; only "
                   "that can be verified offline",
                   got, type, what);
    if (size != sd->left || size == 0)
        ARCA_RAISE(ARCA_ERR_BAD_EVIDENCE, "DCAP quote: %s of %u bytes, but %zu bytes remain", what,
                   size, sd->left);
done:
    return result;
}

int arca__dcap_quote_detect(const uint8_t *bytes, size_t len)
{
    uint16_t version;
    if (!bytes || len < ARCA__DCAP_HEADER_SIZE)
        return 0;
    version = arca__get_le16(bytes);
    return version >= 3 && version <= 5 &&
           arca__get_le16(bytes + 2) == ARCA__DCAP_ATT_KEY_ECDSA_P256 &&
           memcmp(bytes + 12, arca__dcap_intel_qe_vendor, 16) == 0;
}

arca_result_t arca__dcap_quote_parse(const uint8_t *bytes, size_t len, arca__dcap_quote *q)
{
    arca_result_t result = ARCA_OK;
    struct cursor c = {bytes, len};
    const uint8_t *hdr, *p;
    uint32_t sig_len;
    struct cursor sd;

    if (!q || (!bytes && len != 0))
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "dcap_quote_parse: NULL argument");
    memset(q, 0, sizeof *q);
    if (take(&c, ARCA__DCAP_HEADER_SIZE, &hdr) != 0)
        ARCA_RAISE(ARCA_ERR_BAD_EVIDENCE, "DCAP quote: %zu bytes, shorter than its 48-byte header",
                   len);
    q->version = arca__get_le16(hdr);
    q->att_key_type = arca__get_le16(hdr + 2);
    if (q->version < 3 || q->version > 5)
        ARCA_RAISE(ARCA_ERR_BAD_VERSION, "DCAP quote version %u is not supported (3, 4 and 5 are)",
                   q->version);
    if (q->att_key_type != ARCA__DCAP_ATT_KEY_ECDSA_P256)
        ARCA_RAISE(ARCA_ERR_UNSUPPORTED,
                   "DCAP quote: attestation key type %u is not supported "
                   "(only 2, ECDSA P-256)",
                   q->att_key_type);
    q->qe_vendor_id = hdr + 12;
    q->user_data = hdr + 28;
    if (memcmp(q->qe_vendor_id, arca__dcap_intel_qe_vendor, 16) != 0)
        ARCA_RAISE(ARCA_ERR_UNSUPPORTED, "DCAP quote: the QE vendor id is not Intel's");
    if (q->version == 3) {
        q->tee_type = ARCA__DCAP_TEE_SGX;
        q->qe_svn = arca__get_le16(hdr + 8);
        q->pce_svn = arca__get_le16(hdr + 10);
    } else {
        q->tee_type = arca__get_le32(hdr + 4);
        if (q->tee_type != ARCA__DCAP_TEE_SGX && q->tee_type != ARCA__DCAP_TEE_TDX)
            ARCA_RAISE(ARCA_ERR_BAD_EVIDENCE,
                       "DCAP quote: TEE type 0x%x is neither SGX (0) nor "
                       "TDX (0x81)",
                       q->tee_type);
    }

    /* The body: fixed by version and TEE type (v3, v4) or typed (v5). */
    if (q->version == 5) {
        uint16_t type;
        uint32_t size;
        if (take(&c, 6, &p) != 0)
            ARCA_RAISE(ARCA_ERR_BAD_EVIDENCE, "DCAP quote v5: truncated before the body type");
        type = arca__get_le16(p);
        size = arca__get_le32(p + 2);
        if (type == ARCA__DCAP_BODY_SGX && size == ARCA__DCAP_SGX_BODY_SIZE &&
            q->tee_type == ARCA__DCAP_TEE_SGX)
            q->body_type = ARCA__DCAP_BODY_SGX;
        else if (type == ARCA__DCAP_BODY_TD10 && size == ARCA__DCAP_TD10_BODY_SIZE &&
                 q->tee_type == ARCA__DCAP_TEE_TDX)
            q->body_type = ARCA__DCAP_BODY_TD10;
        else if (type == ARCA__DCAP_BODY_TD15 && size == ARCA__DCAP_TD15_BODY_SIZE &&
                 q->tee_type == ARCA__DCAP_TEE_TDX)
            q->body_type = ARCA__DCAP_BODY_TD15;
        else
            ARCA_RAISE(ARCA_ERR_BAD_EVIDENCE,
                       "DCAP quote v5: body type %u of %u bytes does not "
                       "fit TEE type 0x%x",
                       type, size, q->tee_type);
        q->body_len = size;
    } else {
        q->body_type =
            q->tee_type == ARCA__DCAP_TEE_TDX ? ARCA__DCAP_BODY_TD10 : ARCA__DCAP_BODY_SGX;
        q->body_len = q->body_type == ARCA__DCAP_BODY_SGX ? ARCA__DCAP_SGX_BODY_SIZE
                                                          : ARCA__DCAP_TD10_BODY_SIZE;
    }
    if (take(&c, q->body_len, &q->body) != 0)
        ARCA_RAISE(ARCA_ERR_BAD_EVIDENCE, "DCAP quote: truncated inside its %zu-byte body",
                   q->body_len);
    q->signed_len = len - c.left;

    /* The signature data, exactly sig_len bytes. */
    if (take(&c, 4, &p) != 0)
        ARCA_RAISE(ARCA_ERR_BAD_EVIDENCE, "DCAP quote: truncated before the signature data length");
    sig_len = arca__get_le32(p);
    if (take(&c, sig_len, &p) != 0)
        ARCA_RAISE(ARCA_ERR_BAD_EVIDENCE,
                   "DCAP quote: signature data length %u exceeds the %zu "
                   "bytes left",
                   sig_len, c.left);
    q->total_len = len - c.left;
    sd.p = p;
    sd.left = sig_len;
    if (take(&sd, 64, &q->signature) != 0 || take(&sd, 64, &q->attestation_key) != 0)
        ARCA_RAISE(ARCA_ERR_BAD_EVIDENCE, "DCAP quote: signature data too short for the "
                                          "signature and attestation key");
    /* v4 and v5: certification data type 6 wraps the QE report and the PCK chain. */
    if (q->version >= 4)
        ARCA_CHECK(cert_data(&sd, ARCA__DCAP_CERT_QE_REPORT, "QE report certification data"));
    if (take(&sd, 384, &q->qe_report) != 0 || take(&sd, 64, &q->qe_report_signature) != 0 ||
        take(&sd, 2, &p) != 0)
        ARCA_RAISE(ARCA_ERR_BAD_EVIDENCE, "DCAP quote: truncated QE report");
    q->qe_auth_len = arca__get_le16(p);
    if (take(&sd, q->qe_auth_len, &q->qe_auth_data) != 0)
        ARCA_RAISE(ARCA_ERR_BAD_EVIDENCE,
                   "DCAP quote: QE authentication data of %zu bytes is "
                   "truncated",
                   q->qe_auth_len);
    ARCA_CHECK(cert_data(&sd, ARCA__DCAP_CERT_PCK_CHAIN, "PCK certificate chain"));
    q->pck_chain_len = sd.left;
    if (take(&sd, q->pck_chain_len, &q->pck_chain) != 0)
        ARCA_RAISE(ARCA_ERR_INTERNAL, "DCAP quote: PCK chain bounds");
done:
    if (result != ARCA_OK && q)
        memset(q, 0, sizeof *q);
    return result;
}
