/*
 * info.c — arca_platform_info(), used by `arca platform init|info`: opens the dev platform
 * like a loader's connection would and reports what its describe op says (public facts only).
 */
#include <string.h>

#include "arca/platform.h"
#include "base/error.h"
#include "platform.h"

arca_result_t arca_platform_info(const char *dir, arca_platform_info_t *out)
{
    arca_result_t result = ARCA_OK;
    const struct arca_platform_ops *ops = arca__platform_find("dev");
    arca__platform *p = NULL;

    if (!out)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "arca_platform_info: NULL output");
    memset(out, 0, sizeof *out);
    ARCA_CHECK(ops->open(dir, &p));
    ARCA_CHECK(ops->describe(p, out));
done:
    if (p)
        ops->close(p);
    return result;
}
