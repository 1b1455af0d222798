/*
 * info.c — the public description of the dev platform (arca_platform_info), used by
 * `arca platform init|info`. It opens the platform like a loader would and reports only
 * public facts: paths, the platform id and the certificate fingerprint — never a secret.
 */
#include <stdio.h>
#include <string.h>

#include "arca/platform.h"
#include "dev_internal.h"
#include "../../common/error.h"

arca_result_t arca_platform_info(const char *dir, arca_platform_info_t *out)
{
    arca_result_t result = ARCA_OK;
    arca__platform *p = NULL;

    if (!out)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "arca_platform_info: NULL output");
    memset(out, 0, sizeof *out);
    ARCA_CHECK(arca__dev_platform.open(dir, &p));
    out->kind = arca__dev_platform.name;
    snprintf(out->dir, sizeof out->dir, "%s", p->dir);
    _Static_assert(ARCA_PLATFORM_PATH_MAX >= PATH_MAX, "paths fit");
    (void)arca__dev_path(out->cert_path, p->dir, ARCA_DEV_CERT_FILE);
    memcpy(out->platform_id, p->platform_id, sizeof out->platform_id);
    ARCA_CHECK(arca__sha256(p->cert_der, p->cert_len, out->cert_sha256));
    out->created = p->created;
done:
    if (p)
        arca__dev_platform.close(p);
    return result;
}
