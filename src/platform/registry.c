/*
 * registry.c — the table of platforms (like the backends' registry, src/host/registry.c).
 * Built-in platforms are listed here; adding one is one line below. Entries never change, so a
 * pointer returned here stays valid for the life of the process. This file must never list an
 * ops table of another version.
 */
#include <string.h>

#include "platform.h"

static const struct arca_platform_ops *const table[] = {
    &arca__dev_platform,
    &arca__arcad_daemon_platform,
};

/* arcad as hosts see it: a daemon that launches runners and serves them itself. Its keys and
 * ops live in arcad (src/platform/arcad, src/daemon), never in a host. */
static const char *const arcad_settings[] = {"socket", NULL};
const struct arca_platform_ops arca__arcad_daemon_platform = {
    .version = ARCA_PLATFORM_OPS_VERSION,
    .name = "arcad",
    .kind = ARCA_PLATFORM_ARCAD,
    .setting_keys = arcad_settings,
    .is_daemon = 1,
};

size_t arca__platform_count(void)
{
    return sizeof table / sizeof table[0];
}

const struct arca_platform_ops *arca__platform_at(size_t index)
{
    return index < arca__platform_count() ? table[index] : NULL;
}

const struct arca_platform_ops *arca__platform_find(const char *name)
{
    for (size_t i = 0; name && i < arca__platform_count(); i++)
        if (!strcmp(table[i]->name, name) && table[i]->version == ARCA_PLATFORM_OPS_VERSION)
            return table[i];
    return NULL;
}
