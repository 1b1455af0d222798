/*
 * arcad_platform.h — the arcad platform: the root secrets and the attestation key of the
 * arcad daemon, in its state directory, served by the daemon (src/daemon) and by nothing
 * else. It is not in the platform registry (registry.c) and not in libarca: a host must never
 * serve arcad's keys in its own process, and only the daemon links this code.
 *
 * The state directory (docs/formats.md, "arcad state directory"; mode 0700, the daemon user's):
 *   seal-root.key        32 random bytes, 0600: the root of every sealing key
 *   attestation-key.pem  PKCS#8 P-256 private key, 0600: signs evidence
 *   platform-chain.pem   the attestation key's certificate chain, PEM, leaf first, root last,
 *                        0600: carried whole in every evidence
 *   root-cert.pem        the chain's root alone, 0644: what relying parties pin
 *                        (policy.conf `TrustedArcadRoot = root-cert.pem`)
 *   counters.db          the monotonic counters (counters.h), made on the first counter request
 *
 * How the daemon uses it:
 *   arca__arcad_state_init(dir, suffix, &created);       // first start creates, never repairs
 *   arca__arcad_platform.open(dir, &p);                    // checks every file, keeps no secret
 *   arca__arcad_set_counter_quota(p, n);                   // optional, before serving
 *   arca__platform_serve_with(&arca__arcad_platform, p, fd, &hooks);   // per runner
 *   arca__arcad_platform.close(p);
 * and for an operator's own CA: arca__arcad_csr, then arca__arcad_import_chain (the open
 * platform keeps the chain it read: open it again after an import).
 * Internal header: never installed.
 */
#ifndef ARCA_PLATFORM_ARCAD_PLATFORM_H
#define ARCA_PLATFORM_ARCAD_PLATFORM_H

#include <stddef.h>
#include <stdint.h>

#include "../platform.h"

#define ARCA_ARCAD_CHAIN_FILE "platform-chain.pem"
#define ARCA_ARCAD_ROOT_CERT_FILE "root-cert.pem"
/* Subjects of the certificates arcad makes itself (labels for people; no trust decision reads
 * them): O ARCA_ARCAD_CERT_ORG, CN prefix + the first 8 bytes of the key's SPKI hash in hex
 * [+ " " + the suffix given at init]. */
#define ARCA_ARCAD_CERT_ORG "Arca arcad"
#define ARCA_ARCAD_ROOT_CN_PREFIX "Arca arcad root "
#define ARCA_ARCAD_LEAF_CN_PREFIX "Arca arcad platform "
/* The longest suffix (printable ASCII) that keeps a common name within X.509's 64 characters. */
#define ARCA_ARCAD_CN_SUFFIX_MAX 27

/** The ops table: name "arcad", kind ARCA_PLATFORM_ARCAD. open(dir) needs an initialised
 *  state directory (arca__arcad_state_init) and never creates one; dir must not be NULL. */
extern const struct arca_platform_ops arca__arcad_platform;

/**
 * First start: create the state directory @p dir (mode 0700, parents 0700 as needed) with a
 * new root seal secret, attestation key, self-made root CA (its private key wiped, never
 * written), the leaf certificate for the attestation key signed by that root, and the root
 * alone in root-cert.pem. Built complete in a private temporary directory next to @p dir and
 * renamed into place, so concurrent callers end with one platform; @p dir's parent must be
 * writable by the caller (with systemd's StateDirectory=arcad, use /var/lib/arcad/state).
 * A directory that exists and is not empty is left as it is (*created = 0): open it to learn
 * whether it is sound — a damaged or missing file is reported there, never regenerated.
 * @param[in]  dir        the state directory
 * @param[in]  cn_suffix  NULL, or up to ARCA_ARCAD_CN_SUFFIX_MAX printable ASCII characters
 *                        added to the certificates' common names (e.g. the host name)
 * @param[out] created    1 when this call created the directory
 * @return ARCA_OK; ARCA_ERR_INVALID_ARGUMENT (NULL dir, bad suffix); ARCA_ERR_PLATFORM_DAMAGED
 *         (@p dir is not a directory); ARCA_ERR_PLATFORM (cannot create, with the reason).
 */
arca_result_t arca__arcad_state_init(const char *dir, const char *cn_suffix, int *created)
    __attribute__((warn_unused_result));

/**
 * A PKCS#10 certificate signing request for the attestation key of the state directory
 * @p dir (opened and checked as by open), subject as the current leaf's, so an operator's CA
 * can issue arcad's certificate (then arca__arcad_import_chain).
 * @param[out] pem  PEM text ("BEGIN CERTIFICATE REQUEST"), NUL-terminated; free() it
 * @param[out] len  its length without the NUL
 */
arca_result_t arca__arcad_csr(const char *dir, char **pem, size_t *len)
    __attribute__((warn_unused_result));

/**
 * Install an operator-signed certificate chain in the state directory @p dir: PEM, leaf
 * first, then intermediates, root last (2 to ARCA_EVIDENCE_MAX_CERTS certificates). Refused
 * (ARCA_ERR_BAD_CHAIN, the detail naming the certificate and the check) unless the leaf's
 * key is the attestation key, each certificate is issued and signed by the next, every CA on
 * it has basicConstraints CA:TRUE (and keyCertSign), the last is self-signed, and the whole
 * path passes the X.509 validation verifiers run (RFC 5280 strict, valid now). Then
 * platform-chain.pem and root-cert.pem are each replaced atomically (temporary file, fsync,
 * rename). An open platform keeps the chain it read: open the directory again to serve the
 * new one.
 * @return ARCA_OK; ARCA_ERR_BAD_CHAIN; ARCA_ERR_BAD_FORMAT (not PEM certificates); the
 *         errors of open for a damaged or foreign directory; ARCA_ERR_PLATFORM (I/O).
 */
arca_result_t arca__arcad_import_chain(const char *dir, const uint8_t *pem, size_t len)
    __attribute__((warn_unused_result));

/**
 * Counters one owner uid may create on @p p (an open arcad platform), from the next time the
 * counter store is opened (the first counter request); 0: the store's default
 * (ARCA_COUNTER_DEFAULT_QUOTA). Call it before serving.
 * @return ARCA_OK; ARCA_ERR_INVALID_ARGUMENT if @p p is not an arcad platform.
 */
arca_result_t arca__arcad_set_counter_quota(arca__platform *p, uint32_t max_per_owner);

#endif
