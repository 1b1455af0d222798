/*
 * arcad_internal.h — what the arcad platform's files share: its profile for the key-directory
 * code (src/platform/keydir) and the structural check of a certificate chain, which both open
 * (the installed chain) and import (an operator's chain) apply. Internal header.
 */
#ifndef ARCA_PLATFORM_ARCAD_INTERNAL_H
#define ARCA_PLATFORM_ARCAD_INTERNAL_H

#include "../keydir/keydir.h"
#include "arcad_platform.h"

extern const arca__keydir_profile arca__arcad_profile;

/**
 * The structure of a certificate chain @p certs[0..count) (leaf first): 2 to
 * ARCA_EVIDENCE_MAX_CERTS certificates, each at most ARCA_EVIDENCE_MAX_CERT_SIZE bytes of DER;
 * a P-256 leaf key; each certificate issued and signed by the next; every certificate after
 * the leaf a CA (CA:TRUE, keyCertSign); the last self-signed. No time is checked (an expired
 * chain still opens: the keys must stay usable for unsealing).
 * @param[in] what  names the chain in messages ("/var/lib/arcad/state/platform-chain.pem")
 * @return ARCA_OK or ARCA_ERR_BAD_CHAIN naming the certificate (by position and common name)
 *         and the check it failed.
 */
arca_result_t arca__arcad_check_chain(arca__cert *const *certs, size_t count, const char *what)
    __attribute__((warn_unused_result));

#endif
