/*
 * enclave_env.c — the enclave's environment block (enclave_env.h): building it from
 * enclave.conf's `Env.NAME = value` lines, and checking a block read from an image.
 *
 * The block in an image is hostile until checked: this file must never read outside
 * [block, block + len), never accept an entry that is not "NAME=value\0" with a valid name and
 * a printable value, never accept a name twice, and never let an environment exceed its
 * bounds (entries, bytes). The messages name the entry and what is allowed.
 */
#include "enclave_env.h"

#include <string.h>

#include "base/error.h"

#define SHOW_MAX 48 /* longest name quoted back in a message */

static int name_char(char c, int first)
{
    return (c >= 'A' && c <= 'Z') || c == '_' || (!first && c >= '0' && c <= '9');
}

int arca__env_name_valid(const char *name, size_t len)
{
    if (!name || len == 0 || len > ARCA_ENV_NAME_MAX)
        return 0;
    for (size_t i = 0; i < len; i++)
        if (!name_char(name[i], i == 0))
            return 0;
    return 1;
}

static int value_valid(const char *value, size_t len, size_t *bad)
{
    for (size_t i = 0; i < len; i++) {
        if ((unsigned char)value[i] < 0x20 || (unsigned char)value[i] > 0x7e) {
            *bad = i;
            return 0;
        }
    }
    return 1;
}

static int show(size_t n)
{
    return n > SHOW_MAX ? SHOW_MAX : (int)n;
}

/* The entry of @p block (len bytes, entries before @p end already checked) whose name is the
 * @p name_len bytes at @p name, or NULL. */
static const char *find_name(const char *block, size_t end, const char *name, size_t name_len)
{
    size_t pos = 0;
    while (pos < end) {
        const char *entry = block + pos;
        size_t n = strlen(entry); /* checked entries are NUL-terminated before end */
        if (n > name_len && entry[name_len] == '=' && !memcmp(entry, name, name_len))
            return entry;
        pos += n + 1;
    }
    return NULL;
}

arca_result_t arca__env_add(arca__env *env, const char *name, size_t name_len, const char *value,
                            size_t value_len)
{
    arca_result_t result = ARCA_OK;
    size_t bad = 0, need = 0;
    if (!env || !name || (!value && value_len))
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "env_add: NULL environment, name or value");
    if (!arca__env_name_valid(name, name_len))
        ARCA_RAISE(ARCA_ERR_CONFIG, "'%.*s' is not a valid environment variable name (allowed: "
                   "1..%u of A-Z, 0-9 and _, not starting with a digit)", show(name_len), name,
                   ARCA_ENV_NAME_MAX);
    if (value_len > ARCA_ENV_VALUE_MAX)
        ARCA_RAISE(ARCA_ERR_CONFIG, "the value of %.*s is %zu bytes (allowed: at most %u)",
                   show(name_len), name, value_len, ARCA_ENV_VALUE_MAX);
    if (!value_valid(value, value_len, &bad))
        ARCA_RAISE(ARCA_ERR_CONFIG, "the value of %.*s has byte 0x%02x at position %zu (allowed: "
                   "printable ASCII, 0x20..0x7e)", show(name_len), name,
                   (unsigned char)value[bad], bad + 1);
    if (find_name(env->block, env->len, name, name_len))
        ARCA_RAISE(ARCA_ERR_CONFIG, "environment variable %.*s is set twice (allowed: once)",
                   show(name_len), name);
    if (env->count >= ARCA_ENV_MAX_VARS)
        ARCA_RAISE(ARCA_ERR_CONFIG, "more than %u environment variables (allowed: at most %u)",
                   ARCA_ENV_MAX_VARS, ARCA_ENV_MAX_VARS);
    need = name_len + 1 + value_len + 1;
    if (need > sizeof env->block - env->len)
        ARCA_RAISE(ARCA_ERR_CONFIG, "the environment would exceed %u bytes with %.*s (counted as "
                   "NAME=value plus one byte each; allowed: at most %u)", ARCA_ENV_CAPACITY,
                   show(name_len), name, ARCA_ENV_CAPACITY);
    memcpy(env->block + env->len, name, name_len);
    env->block[env->len + name_len] = '=';
    if (value_len)
        memcpy(env->block + env->len + name_len + 1, value, value_len);
    env->block[env->len + need - 1] = '\0';
    env->len += (uint32_t)need;
    env->count++;
done:
    return result;
}

arca_result_t arca__env_check(const uint8_t *block, size_t len, uint32_t *count)
{
    arca_result_t result = ARCA_OK;
    const char *text = (const char *)block;
    uint32_t n = 0;
    size_t pos = 0, bad = 0;
    if (count)
        *count = 0;
    if (!block && len)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "env_check: NULL block");
    if (len > ARCA_ENV_CAPACITY)
        ARCA_RAISE(ARCA_ERR_CONFIG, "the environment block is %zu bytes (allowed: at most %u)",
                   len, ARCA_ENV_CAPACITY);
    while (pos < len) {
        const char *entry = text + pos;
        const char *nul = memchr(entry, '\0', len - pos);
        if (!nul)
            ARCA_RAISE(ARCA_ERR_CONFIG, "environment entry %u is not NUL-terminated inside the "
                       "block", n + 1);
        size_t entry_len = (size_t)(nul - entry);
        const char *eq = memchr(entry, '=', entry_len);
        if (!eq)
            ARCA_RAISE(ARCA_ERR_CONFIG, "environment entry %u has no '=' (allowed: NAME=value)",
                       n + 1);
        size_t name_len = (size_t)(eq - entry), value_len = entry_len - name_len - 1;
        if (!arca__env_name_valid(entry, name_len))
            ARCA_RAISE(ARCA_ERR_CONFIG, "environment entry %u: the name is not [A-Z_][A-Z0-9_]* "
                       "of 1..%u bytes", n + 1, ARCA_ENV_NAME_MAX);
        if (value_len > ARCA_ENV_VALUE_MAX || !value_valid(eq + 1, value_len, &bad))
            ARCA_RAISE(ARCA_ERR_CONFIG, "environment entry %u (%.*s): the value is longer than "
                       "%u bytes or not printable ASCII", n + 1, show(name_len), entry,
                       ARCA_ENV_VALUE_MAX);
        if (find_name(text, pos, entry, name_len))
            ARCA_RAISE(ARCA_ERR_CONFIG, "environment entry %u: %.*s is set twice", n + 1,
                       show(name_len), entry);
        if (++n > ARCA_ENV_MAX_VARS)
            ARCA_RAISE(ARCA_ERR_CONFIG, "the environment has more than %u entries",
                       ARCA_ENV_MAX_VARS);
        pos += entry_len + 1;
    }
    if (count)
        *count = n;
done:
    return result;
}
