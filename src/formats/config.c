/*
 * config.c — the enclave configuration: defaults, validation, and the enclave.conf parser
 * ("Key = value" lines, '#' comments), after Open Enclave's oesign configuration files.
 *
 * The text is untrusted input: the parser must never read outside [text, text + len), never
 * accept a value it cannot represent exactly (overflow, trailing garbage, out-of-range), and
 * never leave a half-applied setting unreported: any error names the file, the line, what is
 * wrong and what is allowed. It never touches files itself except in arca__config_parse_file.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/conf_line.h"
#include "base/error.h"
#include "enclave_env.h"
#include "image.h"

#define CONFIG_FLAGS                                                                           \
    (ARCA_CONFIG_FLAG_DEBUG | ARCA_CONFIG_FLAG_SWITCHLESS | ARCA_CONFIG_FLAG_HOST_FILES)
#define CONFIG_FILE_MAX (1u << 20) /* an enclave.conf is a few lines; refuse anything huge */
#define SHOW_MAX 48                /* longest key or value quoted back in a message */

enum kind { KIND_BOOL, KIND_SIZE, KIND_INT };

struct key_desc {
    const char *name;
    enum kind kind;
    uint64_t min, max;
    const char *allowed; /* shown in messages */
};

enum key_id {
    KEY_DEBUG, KEY_SWITCHLESS, KEY_HEAP, KEY_STACK, KEY_THREADS, KEY_PRODUCT, KEY_SVN,
    KEY_ENCLAVE_THREADS, KEY_HOST_FILES, KEY_COUNT
};

static const struct key_desc keys[KEY_COUNT] = {
    [KEY_DEBUG] = {"Debug", KIND_BOOL, 0, 1, "0, 1, true, false"},
    [KEY_SWITCHLESS] = {"Switchless", KIND_BOOL, 0, 1, "0, 1, true, false"},
    [KEY_HEAP] = {"HeapSize", KIND_SIZE, ARCA_MIN_HEAP, ARCA_MAX_HEAP,
                  "64K..16G bytes; decimal or 0x hex, optional K, M or G suffix"},
    [KEY_STACK] = {"StackSize", KIND_SIZE, ARCA_MIN_STACK, ARCA_MAX_STACK,
                   "16K..256M bytes; decimal or 0x hex, optional K, M or G suffix"},
    [KEY_THREADS] = {"Threads", KIND_INT, 1, ARCA_MAX_THREADS, "1..64"},
    [KEY_PRODUCT] = {"ProductID", KIND_INT, 0, UINT16_MAX, "0..65535"},
    [KEY_SVN] = {"SecurityVersion", KIND_INT, 0, UINT16_MAX, "0..65535"},
    [KEY_ENCLAVE_THREADS] = {"EnclaveThreads", KIND_INT, 0, ARCA_MAX_ENCLAVE_THREADS, "0..16"},
    [KEY_HOST_FILES] = {"HostFiles", KIND_BOOL, 0, 1, "0, 1, true, false"},
};

#define ALL_KEYS                                                                               \
    "Debug, Switchless, HeapSize, StackSize, Threads, ProductID, SecurityVersion, "            \
    "EnclaveThreads, HostFiles, Env.NAME"

void arca__config_defaults(struct arca_enclave_config *config)
{
    memset(config, 0, sizeof *config);
    memcpy(config->magic, ARCA_CONFIG_MAGIC, sizeof config->magic);
    config->version = ARCA_CONFIG_VERSION;
    config->flags = 0;
    /* 6 MiB: heap + 4 stacks of 256 KiB + guards (7.02 MiB of secretmem) fit the usual 8 MiB
     * RLIMIT_MEMLOCK of an ordinary user (docs/architecture.md). Same as src/enclave/runtime.c. */
    config->heap_size = UINT64_C(6) << 20;
    config->stack_size = UINT64_C(256) << 10;
    config->threads = 4;
    config->product_id = 0;
    config->svn = 0;
}

arca_result_t arca__config_validate(const struct arca_enclave_config *config)
{
    arca_result_t result = ARCA_OK;

    if (!config)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "config_validate: NULL config");
    if (memcmp(config->magic, ARCA_CONFIG_MAGIC, sizeof config->magic) != 0)
        ARCA_RAISE(ARCA_ERR_CONFIG,
                   "the .arca.config section does not start with the configuration magic; the "
                   "image was not built with libarca_enclave or is corrupt");
    if (config->version != ARCA_CONFIG_VERSION)
        ARCA_RAISE(ARCA_ERR_CONFIG, "configuration version %u is not supported (expected %u)",
                   config->version, ARCA_CONFIG_VERSION);
    if (config->flags & ~CONFIG_FLAGS)
        ARCA_RAISE(ARCA_ERR_CONFIG, "configuration has unknown flags 0x%x (allowed: 0x%x)",
                   config->flags, CONFIG_FLAGS);
    /* The environment block itself is checked against the image (arca__image_verify). */
    if (config->env_size > ARCA_ENV_CAPACITY || (config->env_size == 0) != (config->env_vaddr == 0))
        ARCA_RAISE(ARCA_ERR_CONFIG, "configuration: environment of %u bytes at 0x%llx (allowed: "
                   "both zero, or 1..%u bytes at a non-zero address)", config->env_size,
                   (unsigned long long)config->env_vaddr, ARCA_ENV_CAPACITY);
    if (config->heap_size < ARCA_MIN_HEAP || config->heap_size > ARCA_MAX_HEAP)
        ARCA_RAISE(ARCA_ERR_CONFIG, "HeapSize %llu is out of range (allowed: %s)",
                   (unsigned long long)config->heap_size, keys[KEY_HEAP].allowed);
    if (config->stack_size < ARCA_MIN_STACK || config->stack_size > ARCA_MAX_STACK)
        ARCA_RAISE(ARCA_ERR_CONFIG, "StackSize %llu is out of range (allowed: %s)",
                   (unsigned long long)config->stack_size, keys[KEY_STACK].allowed);
    if (config->threads < 1 || config->threads > ARCA_MAX_THREADS)
        ARCA_RAISE(ARCA_ERR_CONFIG, "Threads %u is out of range (allowed: %s)", config->threads,
                   keys[KEY_THREADS].allowed);
    if (config->enclave_threads > ARCA_MAX_ENCLAVE_THREADS)
        ARCA_RAISE(ARCA_ERR_CONFIG, "EnclaveThreads %u is out of range (allowed: %s)",
                   config->enclave_threads, keys[KEY_ENCLAVE_THREADS].allowed);
    for (size_t i = 0; i < sizeof config->reserved; i++)
        if (config->reserved[i] != 0)
            ARCA_RAISE(ARCA_ERR_CONFIG, "configuration reserved byte %zu is not zero", i);
done:
    return result;
}

/* ---- the parser ---- */

static int show_len(size_t n)
{
    return n > SHOW_MAX ? SHOW_MAX : (int)n;
}

enum number_status { NUMBER_OK, NUMBER_BAD, NUMBER_TOO_LARGE };

/* Decimal or 0x hex, optionally (when @p suffixes) followed by K, M or G (binary units). */
static enum number_status parse_number(const char *s, size_t n, bool suffixes, uint64_t *out)
{
    uint64_t value = 0, unit = 1, base = 10;
    size_t i = 0;

    if (n >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        i = 2;
    }
    if (suffixes && n > i) {
        switch (s[n - 1]) {
        case 'K': case 'k': unit = UINT64_C(1) << 10; n--; break;
        case 'M': case 'm': unit = UINT64_C(1) << 20; n--; break;
        case 'G': case 'g': unit = UINT64_C(1) << 30; n--; break;
        default: break;
        }
    }
    if (i >= n)
        return NUMBER_BAD;
    bool too_large = false;
    for (; i < n; i++) {
        char c = s[i];
        uint64_t digit;
        if (c >= '0' && c <= '9')
            digit = (uint64_t)(c - '0');
        else if (base == 16 && c >= 'a' && c <= 'f')
            digit = (uint64_t)(c - 'a' + 10);
        else if (base == 16 && c >= 'A' && c <= 'F')
            digit = (uint64_t)(c - 'A' + 10);
        else
            return NUMBER_BAD;
        if (__builtin_mul_overflow(value, base, &value) ||
            __builtin_add_overflow(value, digit, &value))
            too_large = true; /* keep scanning: garbage later still makes it BAD */
    }
    if (too_large || __builtin_mul_overflow(value, unit, &value))
        return NUMBER_TOO_LARGE;
    *out = value;
    return NUMBER_OK;
}

static void apply(struct arca_enclave_config *config, enum key_id id, uint64_t v)
{
    switch (id) {
    case KEY_DEBUG:
        config->flags = v ? (config->flags | ARCA_CONFIG_FLAG_DEBUG)
                          : (config->flags & ~ARCA_CONFIG_FLAG_DEBUG);
        break;
    case KEY_SWITCHLESS:
        config->flags = v ? (config->flags | ARCA_CONFIG_FLAG_SWITCHLESS)
                          : (config->flags & ~ARCA_CONFIG_FLAG_SWITCHLESS);
        break;
    case KEY_HEAP: config->heap_size = v; break;
    case KEY_STACK: config->stack_size = v; break;
    case KEY_THREADS: config->threads = (uint32_t)v; break;
    case KEY_PRODUCT: config->product_id = (uint16_t)v; break;
    case KEY_SVN: config->svn = (uint16_t)v; break;
    case KEY_ENCLAVE_THREADS: config->enclave_threads = (uint32_t)v; break;
    case KEY_HOST_FILES:
        config->flags = v ? (config->flags | ARCA_CONFIG_FLAG_HOST_FILES)
                          : (config->flags & ~ARCA_CONFIG_FLAG_HOST_FILES);
        break;
    case KEY_COUNT: break;
    }
}

/* ---- Env.NAME = value ---- */

#define ENV_PREFIX "Env."

static bool env_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/*
 * One `Env.NAME = value` line (the raw @p line of @p n bytes: the value is read from it, not
 * from the comment-stripped split, so that a quoted value may hold '#'). The value is the
 * text after '=' up to a '#' comment, without surrounding whitespace, or a double-quoted
 * string (\" and \\ escaped) followed by nothing but whitespace or a comment. Appended to
 * @p env; refused when @p env is NULL (a caller that does not sign an environment).
 */
static arca_result_t parse_env(const char *name, unsigned line_no, const char *line, size_t n,
                               const char *var, size_t var_len, arca__env *env)
{
    arca_result_t result = ARCA_OK;
    char value[ARCA_ENV_VALUE_MAX + 1];
    size_t value_len = 0;
    const char *eq = memchr(line, '=', n); /* the split found it, before any '#' */
    size_t i = eq ? (size_t)(eq - line) + 1 : n;

    if (!env)
        ARCA_RAISE(ARCA_ERR_CONFIG, "%s:%u: " ENV_PREFIX "%.*s: environment lines are accepted "
                   "only where an image is signed (arca sign)", name, line_no,
                   show_len(var_len), var);
    while (i < n && env_space(line[i]))
        i++;
    if (i < n && line[i] == '"') {
        bool closed = false;
        for (i++; i < n && !closed; i++) {
            char c = line[i];
            if (c == '"') {
                closed = true;
                continue;
            }
            if (c == '\\' && i + 1 < n && (line[i + 1] == '"' || line[i + 1] == '\\'))
                c = line[++i];
            if (value_len == sizeof value - 1)
                ARCA_RAISE(ARCA_ERR_CONFIG, "%s:%u: the value of " ENV_PREFIX "%.*s is longer "
                           "than %u bytes", name, line_no, show_len(var_len), var,
                           ARCA_ENV_VALUE_MAX);
            value[value_len++] = c;
        }
        if (!closed)
            ARCA_RAISE(ARCA_ERR_CONFIG, "%s:%u: the value of " ENV_PREFIX "%.*s has no closing "
                       "'\"' (allowed: a \"quoted\" value, with \\\" and \\\\ inside)", name,
                       line_no, show_len(var_len), var);
        while (i < n && env_space(line[i]))
            i++;
        if (i < n && line[i] != '#')
            ARCA_RAISE(ARCA_ERR_CONFIG, "%s:%u: text after the quoted value of " ENV_PREFIX
                       "%.*s (allowed: a comment)", name, line_no, show_len(var_len), var);
    } else {
        size_t end = i;
        while (end < n && line[end] != '#')
            end++;
        while (end > i && env_space(line[end - 1]))
            end--;
        if (end - i > ARCA_ENV_VALUE_MAX)
            ARCA_RAISE(ARCA_ERR_CONFIG, "%s:%u: the value of " ENV_PREFIX "%.*s is longer than "
                       "%u bytes", name, line_no, show_len(var_len), var, ARCA_ENV_VALUE_MAX);
        value_len = end - i;
        memcpy(value, line + i, value_len);
    }
    if (arca__env_add(env, var, var_len, value, value_len) != ARCA_OK)
        ARCA_RAISE(ARCA_ERR_CONFIG, "%s:%u: %s", name, line_no, arca__error_detail());
done:
    return result;
}

/* Parses one line (without its '\n'). *id is KEY_COUNT for a blank or comment line. */
static arca_result_t parse_line(const char *name, unsigned line_no, const char *line, size_t n,
                                arca__env *env, enum key_id *id, uint64_t *value)
{
    arca_result_t result = ARCA_OK;
    struct arca__conf_line split;

    *id = KEY_COUNT;
    if (memchr(line, '\0', n))
        ARCA_RAISE(ARCA_ERR_CONFIG, "%s:%u: NUL byte in the line (allowed: text 'Key = value' "
                   "lines)", name, line_no);
    enum arca__conf_kind kind = arca__conf_split(line, n, &split);
    if (kind == ARCA__CONF_BLANK)
        goto done;
    if (kind == ARCA__CONF_NO_EQUALS)
        ARCA_RAISE(ARCA_ERR_CONFIG, "%s:%u: missing '=' in '%.*s' (allowed: 'Key = value', "
                   "'# comment' or a blank line)", name, line_no, show_len(split.text_len),
                   split.text);
    const char *key = split.key, *val = split.value;
    size_t key_len = split.key_len, val_len = split.value_len;
    if (key_len == 0)
        ARCA_RAISE(ARCA_ERR_CONFIG, "%s:%u: missing key before '=' (allowed: %s)", name, line_no,
                   ALL_KEYS);
    if (key_len >= 4 && !strncasecmp(key, ENV_PREFIX, 4)) {
        if (memcmp(key, ENV_PREFIX, 4) != 0)
            ARCA_RAISE(ARCA_ERR_CONFIG, "%s:%u: unknown key '%.*s' (keys are case-sensitive: did "
                       "you mean '" ENV_PREFIX "%.*s'?)", name, line_no, show_len(key_len), key,
                       show_len(key_len - 4), key + 4);
        ARCA_CHECK(parse_env(name, line_no, line, n, key + 4, key_len - 4, env));
        goto done;
    }

    enum key_id found = KEY_COUNT, folded = KEY_COUNT;
    for (int k = 0; k < KEY_COUNT; k++) {
        size_t kl = strlen(keys[k].name);
        if (kl == key_len && !memcmp(keys[k].name, key, kl))
            found = (enum key_id)k;
        else if (kl == key_len && !strncasecmp(keys[k].name, key, kl))
            folded = (enum key_id)k;
    }
    if (found == KEY_COUNT && folded != KEY_COUNT)
        ARCA_RAISE(ARCA_ERR_CONFIG, "%s:%u: unknown key '%.*s' (keys are case-sensitive: did you "
                   "mean '%s'?)", name, line_no, show_len(key_len), key, keys[folded].name);
    if (found == KEY_COUNT)
        ARCA_RAISE(ARCA_ERR_CONFIG, "%s:%u: unknown key '%.*s' (allowed: %s)", name, line_no,
                   show_len(key_len), key, ALL_KEYS);
    const struct key_desc *d = &keys[found];
    if (val_len == 0)
        ARCA_RAISE(ARCA_ERR_CONFIG, "%s:%u: missing value for %s (allowed: %s)", name, line_no,
                   d->name, d->allowed);

    if (d->kind == KIND_BOOL) {
        if ((val_len == 1 && val[0] == '0') || (val_len == 5 && !memcmp(val, "false", 5)))
            *value = 0;
        else if ((val_len == 1 && val[0] == '1') || (val_len == 4 && !memcmp(val, "true", 4)))
            *value = 1;
        else
            ARCA_RAISE(ARCA_ERR_CONFIG, "%s:%u: bad value '%.*s' for %s (allowed: %s)", name,
                       line_no, show_len(val_len), val, d->name, d->allowed);
    } else {
        enum number_status st = parse_number(val, val_len, d->kind == KIND_SIZE, value);
        if (st == NUMBER_BAD)
            ARCA_RAISE(ARCA_ERR_CONFIG, "%s:%u: bad number '%.*s' for %s (allowed: %s)", name,
                       line_no, show_len(val_len), val, d->name,
                       d->kind == KIND_SIZE ? d->allowed : "a decimal or 0x hex integer");
        if (st == NUMBER_TOO_LARGE || *value < d->min || *value > d->max)
            ARCA_RAISE(ARCA_ERR_CONFIG, "%s:%u: %s '%.*s' is out of range (allowed: %s)", name,
                       line_no, d->name, show_len(val_len), val, d->allowed);
    }
    *id = found;
done:
    return result;
}

arca_result_t arca__config_parse(const char *text, size_t len, const char *name,
                                 struct arca_enclave_config *config)
{
    return arca__config_parse_env(text, len, name, config, NULL);
}

arca_result_t arca__config_parse_env(const char *text, size_t len, const char *name,
                                     struct arca_enclave_config *config, arca__env *env)
{
    arca_result_t result = ARCA_OK;
    unsigned seen_line[KEY_COUNT] = {0};
    struct arca_enclave_config work;
    arca__env *work_env = NULL;
    unsigned line_no = 0;
    size_t pos = 0;

    if (!config || (!text && len))
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "config_parse: NULL text or config");
    if (!name)
        name = "enclave.conf";
    work = *config; /* applied only when the whole text parses */
    if (env) {
        work_env = malloc(sizeof *work_env);
        if (!work_env)
            ARCA_RAISE(ARCA_ERR_OUT_OF_MEMORY, "%s: out of memory for the environment", name);
        memset(work_env, 0, sizeof *work_env);
    }
    const char *line;
    size_t n;
    while (arca__conf_next_line(text, len, &pos, &line, &n)) {
        enum key_id id;
        uint64_t value = 0;

        if (line_no == UINT32_MAX)
            ARCA_RAISE(ARCA_ERR_CONFIG, "%s: too many lines", name);
        line_no++;
        ARCA_CHECK(parse_line(name, line_no, line, n, work_env, &id, &value));
        if (id != KEY_COUNT) {
            if (seen_line[id])
                ARCA_RAISE(ARCA_ERR_CONFIG, "%s:%u: duplicate key %s (first set on line %u; "
                           "allowed: each key at most once)", name, line_no, keys[id].name,
                           seen_line[id]);
            seen_line[id] = line_no;
            apply(&work, id, value);
        }
    }
    *config = work;
    if (env)
        *env = *work_env;
done:
    free(work_env);
    return result;
}

arca_result_t arca__config_parse_file(const char *path, struct arca_enclave_config *config)
{
    return arca__config_parse_file_env(path, config, NULL);
}

arca_result_t arca__config_parse_file_env(const char *path, struct arca_enclave_config *config,
                                          arca__env *env)
{
    arca_result_t result = ARCA_OK;
    uint8_t *text = NULL;
    size_t len = 0;

    if (!path || !config)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "config_parse_file: NULL path or config");
    ARCA_CHECK(arca__read_file(path, CONFIG_FILE_MAX, &text, &len));
    ARCA_CHECK(arca__config_parse_env((const char *)text, len, path, config, env));
done:
    free(text);
    return result;
}
