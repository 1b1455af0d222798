/*
 * libc_env.c — the enclave's environment (issue 13): getenv, secure_getenv, setenv, unsetenv,
 * putenv, clearenv and the `environ` variable of an image answer from the environment signed
 * into the image (`Env.NAME = value` lines of enclave.conf, src/formats/enclave_env.h), the
 * same on every backend. The loading process's own environment (on sim, the host
 * application's) never reaches the image: the image's imports of these names are bound here,
 * and start out empty until arca__runtime_set_config() copies the verified block in.
 *
 * Changes the image makes (setenv...) stay in its own copy. Strings and vectors it has seen are
 * kept until the image is unloaded, so a pointer getenv returned stays valid (as in the C
 * library, getenv is not synchronised with setenv on another thread; setenv calls are with
 * each other). This file must never return a pointer into the loading process's environment,
 * never read the signed block before re-checking it, and never let one image see another's
 * variables.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "formats/enclave_env.h"
#include "formats/image.h"
#include "loader_internal.h"

struct arca__loader_env {
    pthread_mutex_t lock; /* setenv and friends */
    char **environ_var;   /* what the image's `environ` holds: vector (NULL-terminated) */
    size_t count, cap;    /* entries in vector, and room (without the NULL) */
    /* Everything allocated for the image, freed only at unload: the signed block's copy,
     * strings setenv made, vectors replaced as the environment grew. */
    void **kept;
    size_t kept_count, kept_cap;
};

/* The environ of an image whose state could not be allocated: always empty. */
static char *empty_vector[1];
static char **empty_environ = empty_vector;

static int keep(struct arca__loader_env *env, void *p)
{
    if (env->kept_count == env->kept_cap) {
        size_t cap = env->kept_cap ? 2 * env->kept_cap : 16;
        void **grown = realloc(env->kept, cap * sizeof *grown);
        if (!grown)
            return 0;
        env->kept = grown;
        env->kept_cap = cap;
    }
    env->kept[env->kept_count++] = p;
    return 1;
}

/* Room for one more entry (and the NULL); the old vector is kept: a reader may hold it. */
static int grow(struct arca__loader_env *env)
{
    if (env->count < env->cap)
        return 1;
    size_t cap = env->cap ? 2 * env->cap : 16;
    char **vector = calloc(cap + 1, sizeof *vector);
    if (!vector || !keep(env, vector)) {
        free(vector);
        return 0;
    }
    if (env->count)
        memcpy(vector, env->environ_var, env->count * sizeof *vector);
    __atomic_store_n(&env->environ_var, vector, __ATOMIC_RELEASE);
    env->cap = cap;
    return 1;
}

static struct arca__loader_env *env_of(arca__loaded_image *image)
{
    if (!image)
        return NULL;
    if (!image->env) {
        struct arca__loader_env *env = calloc(1, sizeof *env);
        if (!env || pthread_mutex_init(&env->lock, NULL) != 0) {
            free(env);
            return NULL;
        }
        env->environ_var = empty_vector;
        image->env = env;
    }
    return image->env;
}

arca_result_t arca__loader_env_set(arca__loaded_image *image,
                                   const struct arca_enclave_config *config)
{
    arca_result_t result = ARCA_OK;
    struct arca__loader_env *env = env_of(image);
    const char *signed_block;
    char *block = NULL;
    uint32_t count = 0;

    if (!env)
        ARCA_RAISE(ARCA_ERR_OUT_OF_MEMORY, "loader: out of memory for the enclave's environment");
    if (config->env_size == 0)
        goto done;
    /* The block lies in the image's loaded (measured) bytes; checked again here, as every
     * loader re-checks what it uses. */
    signed_block = arca__loader_at(image, config->env_vaddr, config->env_size, 0);
    if (!signed_block)
        ARCA_RAISE(ARCA_ERR_BAD_IMAGE, "loader: the enclave's environment (%u bytes at 0x%llx) "
                   "lies outside the image", config->env_size,
                   (unsigned long long)config->env_vaddr);
    block = malloc(config->env_size);
    if (!block)
        ARCA_RAISE(ARCA_ERR_OUT_OF_MEMORY, "loader: out of memory for the enclave's environment");
    memcpy(block, signed_block, config->env_size);
    if (arca__env_check((const uint8_t *)block, config->env_size, &count) != ARCA_OK)
        ARCA_RAISE(ARCA_ERR_BAD_IMAGE, "loader: %s", arca__error_detail());
    pthread_mutex_lock(&env->lock);
    if (!keep(env, block)) {
        pthread_mutex_unlock(&env->lock);
        ARCA_RAISE(ARCA_ERR_OUT_OF_MEMORY, "loader: out of memory for the enclave's environment");
    }
    char *entry = block;
    block = NULL; /* kept */
    for (uint32_t i = 0; i < count && grow(env); i++) {
        env->environ_var[env->count++] = entry;
        env->environ_var[env->count] = NULL;
        entry += strlen(entry) + 1;
    }
    int all = env->count == count;
    pthread_mutex_unlock(&env->lock);
    if (!all)
        ARCA_RAISE(ARCA_ERR_OUT_OF_MEMORY, "loader: out of memory for the enclave's environment");
done:
    free(block);
    return result;
}

void arca__loader_env_free(arca__loaded_image *image)
{
    struct arca__loader_env *env = image->env;
    if (!env)
        return;
    for (size_t i = 0; i < env->kept_count; i++)
        free(env->kept[i]);
    free(env->kept);
    pthread_mutex_destroy(&env->lock);
    free(env);
    image->env = NULL;
}

/* ---- what the backends call (loader.h) ---- */

arca_result_t arca__runtime_set_config(arca__loaded_image *image,
                                       const struct arca_enclave_config *config)
{
    arca_result_t result = ARCA_OK;
    if (!image || !config)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "loader: set_config without image or config");
    ARCA_CHECK(arca__loader_env_set(image, config));
    if (arca__loader_files_set(image, (config->flags & ARCA_CONFIG_FLAG_HOST_FILES) != 0) !=
        ARCA_OK)
        ARCA_RAISE(ARCA_ERR_OUT_OF_MEMORY, "loader: out of memory for the enclave's host files");
done:
    return result;
}

void arca__runtime_set_host_call(arca__loaded_image *image, arca__host_call_fn call, void *ctx)
{
    image->host_call = call;
    image->host_ctx = ctx;
}

/* ---- the bound functions ---- */

/* The index of NAME (name_len bytes) in env's vector, or -1. */
static long find(char *const *vector, const char *name, size_t name_len)
{
    for (long i = 0; vector && vector[i]; i++)
        if (!strncmp(vector[i], name, name_len) && vector[i][name_len] == '=')
            return i;
    return -1;
}

static char *bound_getenv(const char *name)
{
    arca__loaded_image *image = arca__loader_caller();
    struct arca__loader_env *env = image ? image->env : NULL;
    if (!env || !name || !name[0] || strchr(name, '='))
        return NULL;
    char **vector = __atomic_load_n(&env->environ_var, __ATOMIC_ACQUIRE);
    size_t len = strlen(name);
    long i = find(vector, name, len);
    return i < 0 ? NULL : vector[i] + len + 1;
}

/* Put @p entry ("NAME=value"; owned by the caller when !owned) for NAME (name_len bytes). */
static int put(struct arca__loader_env *env, char *entry, size_t name_len, int overwrite)
{
    int rc = 0;
    pthread_mutex_lock(&env->lock);
    long i = find(env->environ_var, entry, name_len);
    if (i >= 0) {
        if (overwrite)
            env->environ_var[i] = entry;
    } else if (grow(env)) {
        env->environ_var[env->count++] = entry;
        env->environ_var[env->count] = NULL;
    } else {
        errno = ENOMEM;
        rc = -1;
    }
    pthread_mutex_unlock(&env->lock);
    return rc;
}

static int bound_setenv(const char *name, const char *value, int overwrite)
{
    arca__loaded_image *image = arca__loader_caller();
    struct arca__loader_env *env = env_of(image);
    if (!name || !name[0] || strchr(name, '=')) {
        errno = EINVAL;
        return -1;
    }
    if (!env) {
        errno = ENOMEM;
        return -1;
    }
    if (!value)
        value = "";
    size_t n = strlen(name), v = strlen(value);
    char *entry = malloc(n + 1 + v + 1);
    if (!entry) {
        errno = ENOMEM;
        return -1;
    }
    memcpy(entry, name, n);
    entry[n] = '=';
    memcpy(entry + n + 1, value, v + 1);
    pthread_mutex_lock(&env->lock);
    int kept = keep(env, entry);
    pthread_mutex_unlock(&env->lock);
    if (!kept) {
        free(entry);
        errno = ENOMEM;
        return -1;
    }
    return put(env, entry, n, overwrite);
}

static int bound_putenv(char *string)
{
    arca__loaded_image *image = arca__loader_caller();
    struct arca__loader_env *env = env_of(image);
    const char *eq = string ? strchr(string, '=') : NULL;
    if (!string || !string[0] || eq == string) {
        errno = EINVAL;
        return -1;
    }
    if (!env) {
        errno = ENOMEM;
        return -1;
    }
    if (!eq) { /* as the C library does: "NAME" alone removes NAME */
        pthread_mutex_lock(&env->lock);
        long i;
        while ((i = find(env->environ_var, string, strlen(string))) >= 0) {
            memmove(env->environ_var + i, env->environ_var + i + 1,
                    (env->count - (size_t)i) * sizeof *env->environ_var);
            env->count--;
        }
        pthread_mutex_unlock(&env->lock);
        return 0;
    }
    return put(env, string, (size_t)(eq - string), 1);
}

static int bound_unsetenv(const char *name)
{
    arca__loaded_image *image = arca__loader_caller();
    struct arca__loader_env *env = image ? image->env : NULL;
    if (!name || !name[0] || strchr(name, '=')) {
        errno = EINVAL;
        return -1;
    }
    if (!env)
        return 0;
    size_t n = strlen(name);
    pthread_mutex_lock(&env->lock);
    long i;
    while ((i = find(env->environ_var, name, n)) >= 0) {
        /* shift the rest (and the NULL) down by one */
        memmove(env->environ_var + i, env->environ_var + i + 1,
                (env->count - (size_t)i) * sizeof *env->environ_var);
        env->count--;
    }
    pthread_mutex_unlock(&env->lock);
    return 0;
}

static int bound_clearenv(void)
{
    arca__loaded_image *image = arca__loader_caller();
    struct arca__loader_env *env = image ? image->env : NULL;
    if (!env)
        return 0;
    pthread_mutex_lock(&env->lock);
    if (env->count) {
        env->environ_var[0] = NULL;
        env->count = 0;
    }
    pthread_mutex_unlock(&env->lock);
    return 0;
}

int arca__loader_env_binding(arca__loaded_image *image, const char *name, uint64_t *value)
{
    static const struct {
        const char *name;
        void *fn;
    } functions[] = {
        {"getenv", (void *)bound_getenv},   {"secure_getenv", (void *)bound_getenv},
        {"setenv", (void *)bound_setenv},   {"unsetenv", (void *)bound_unsetenv},
        {"putenv", (void *)bound_putenv},   {"clearenv", (void *)bound_clearenv},
    };
    /* Data: the image's `environ` is its own variable (empty if its state cannot be made:
     * never the loading process's). */
    if (!strcmp(name, "environ") || !strcmp(name, "__environ") || !strcmp(name, "_environ")) {
        struct arca__loader_env *env = env_of(image);
        *value = (uint64_t)(uintptr_t)(env ? &env->environ_var : &empty_environ);
        return 1;
    }
    for (size_t i = 0; i < sizeof functions / sizeof functions[0]; i++) {
        if (!strcmp(name, functions[i].name)) {
            /* Made now, while loading (one thread), not at the image's first setenv. */
            (void)env_of(image);
            *value = (uint64_t)(uintptr_t)functions[i].fn;
            return 1;
        }
    }
    return 0;
}
