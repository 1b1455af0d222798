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
