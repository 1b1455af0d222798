/*
 * describe.c — the public description of an open dev platform (the describe op): paths, the
 * platform id and the certificate fingerprint — never a secret.
 */
#include <stdio.h>
#include <string.h>

#include "base/error.h"
#include "dev_internal.h"

arca_result_t arca__dev_describe(arca__platform *p, arca_platform_info_t *out)
{
    arca_result_t result = ARCA_OK;
    out->kind = arca__dev_platform.name;
    snprintf(out->dir, sizeof out->dir, "%s", p->dir);
    _Static_assert(ARCA_PLATFORM_PATH_MAX >= PATH_MAX, "paths fit");
    (void)arca__dev_path(out->cert_path, p->dir, ARCA_DEV_CERT_FILE);
    memcpy(out->platform_id, p->platform_id, sizeof out->platform_id);
    ARCA_CHECK(arca__sha256(p->cert_der, p->cert_len, out->cert_sha256));
    out->created = p->created;
done:
    return result;
}
