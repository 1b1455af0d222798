/*
 * settings.c — lookup in a "NAME.KEY=VALUE" settings list (settings.h). Must never read past
 * an entry's terminating NUL nor more than ARCA__SETTINGS_MAX entries.
 */
#include <string.h>

#include "settings.h"

int arca__setting_split(const char *entry, size_t *name_len, size_t *key_at, size_t *key_len,
                        const char **value)
{
    const char *dot = entry ? strchr(entry, '.') : NULL;
    const char *eq = dot ? strchr(dot, '=') : NULL;
    if (!dot || !eq || dot == entry || eq == dot + 1 || memchr(entry, '=', (size_t)(dot - entry)))
        return -1;
    *name_len = (size_t)(dot - entry);
    *key_at = *name_len + 1;
    *key_len = (size_t)(eq - dot - 1);
    *value = eq + 1;
    return 0;
}

const char *arca__setting(const char *const *settings, const char *name, const char *key)
{
    const char *found = NULL;
    size_t nl = strlen(name), kl = strlen(key);
    for (size_t i = 0; settings && settings[i] && i < ARCA__SETTINGS_MAX; i++) {
        size_t name_len, key_at, key_len;
        const char *value;
        if (arca__setting_split(settings[i], &name_len, &key_at, &key_len, &value) != 0)
            continue;
        if (name_len == nl && key_len == kl && !memcmp(settings[i], name, nl) &&
            !memcmp(settings[i] + key_at, key, kl))
            found = value;
    }
    return found;
}
