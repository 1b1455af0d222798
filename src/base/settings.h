/*
 * settings.h — the settings of one backend or platform in arca_enclave_options_t.settings:
 * NULL-terminated "NAME.KEY=VALUE" strings (arca/host.h). Lookup only; which names and keys
 * exist is the registries' to say (the host API checks every entry before create). Pure
 * string handling. Internal header.
 */
#ifndef ARCA_COMMON_SETTINGS_H
#define ARCA_COMMON_SETTINGS_H

#include <stddef.h>

/** The most entries a settings list may have. */
#define ARCA__SETTINGS_MAX 64

/**
 * @return the VALUE of the last entry "NAME.KEY=VALUE" in @p settings with this @p name and
 *         @p key (a later entry overrides an earlier one), or NULL when none has them.
 */
const char *arca__setting(const char *const *settings, const char *name, const char *key);

/**
 * Split one entry: *name_len bytes of NAME at entry, KEY from entry + *key_at for *key_len
 * bytes, VALUE at *value. @return 0, or -1 when the entry is not of the form NAME.KEY=VALUE
 * with non-empty NAME and KEY.
 */
int arca__setting_split(const char *entry, size_t *name_len, size_t *key_at, size_t *key_len,
                        const char **value);

#endif
