/*
 * registry.c — the table of backends (after SQLite's VFS list) and the public
 * arca_backend_count() / arca_backend_info() that describe it.
 *
 * Built-in backends are registered explicitly on first use (pthread_once); tests may add
 * more with arca__backend_register(). Entries are never removed, so a pointer returned
 * here stays valid for the life of the process. This file must never register an ops
 * table that lacks a required member, and never let two backends share a name.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "backend.h"
#include "base/error.h"
#include "formats/evidence.h"

#define MAX_BACKENDS 16

static const struct arca_backend_ops *table[MAX_BACKENDS];
static size_t count; /* guarded by lock for writers; readers load it with acquire */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static arca_result_t add(const struct arca_backend_ops *ops)
{
    arca_result_t result = ARCA_OK;
    pthread_mutex_lock(&lock);
    if (!ops || ops->version != ARCA_BACKEND_OPS_VERSION || !ops->name || !ops->name[0] ||
        !ops->probe || !ops->create || !ops->call || !ops->destroy || ops->auto_rank < 0 ||
        ops->state_size < sizeof(arca__backend_base) || strchr(ops->name, '.') ||
        !strncmp(ops->name, "unix:", 5))
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "backend '%s': incomplete ops table (version %d)",
                   ops && ops->name ? ops->name : "(null)", ops ? ops->version : 0);
    for (size_t i = 0; i < count; i++)
        if (!strcmp(table[i]->name, ops->name))
            ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "a backend named '%s' is already registered",
                       ops->name);
    if (count == MAX_BACKENDS)
        ARCA_RAISE(ARCA_ERR_OVERFLOW, "too many backends (at most %d)", MAX_BACKENDS);
    table[count] = ops;
    __atomic_store_n(&count, count + 1, __ATOMIC_RELEASE);
done:
    pthread_mutex_unlock(&lock);
    return result;
}

static void register_builtins(void)
{
    /* Order does not matter: "auto" goes by each table's auto_rank. */
    (void)add(&arca__sim_backend);
    (void)add(&arca__process_backend);
}

static size_t loaded_count(void)
{
    pthread_once(&once, register_builtins);
    return __atomic_load_n(&count, __ATOMIC_ACQUIRE);
}

size_t arca__backend_count(void)
{
    return loaded_count();
}

const struct arca_backend_ops *arca__backend_at(size_t index)
{
    return index < loaded_count() ? table[index] : NULL;
}

const struct arca_backend_ops *arca__backend_find(const char *name)
{
    const struct arca_backend_ops *found = NULL;
    size_t n = loaded_count();
    for (size_t i = 0; name && i < n && !found; i++)
        if (!strcmp(table[i]->name, name))
            found = table[i];
    return found;
}

arca_result_t arca__backend_register(const struct arca_backend_ops *ops)
{
    (void)loaded_count(); /* built-ins first, so their names are taken */
    return add(ops);
}

/* Better for "auto": higher rank, then earlier registration. */
static const struct arca_backend_ops *best(const struct arca_backend_ops *a,
                                           const struct arca_backend_ops *b)
{
    return !a || b->auto_rank > a->auto_rank ? b : a;
}

const struct arca_backend_ops *arca__backend_auto(int debug_image, char *why, size_t why_len)
{
    const struct arca_backend_ops *chosen = NULL;
    size_t n = loaded_count();
    int first_failure = 1;
    if (why_len)
        why[0] = '\0';
    /* Isolating backends first; one that does not isolate (sim) only for a debug image. */
    for (int pass = 0; pass < 2 && !chosen; pass++) {
        for (size_t i = 0; i < n; i++) {
            const struct arca_backend_ops *b = table[i];
            char reason[256] = "";
            if (b->auto_rank == 0 || (pass == 0) != (arca__backend_isolates(b->backend_id) != 0))
                continue;
            if (pass == 1 && !debug_image)
                continue;
            if (chosen && best(chosen, b) == chosen)
                continue;
            if (b->probe(reason, sizeof reason) == ARCA_OK) {
                chosen = b;
            } else if (pass == 0 && first_failure && why_len) {
                reason[sizeof reason - 1] = '\0';
                snprintf(why, why_len, "backend '%s' cannot run here: %s", b->name,
                         reason[0] ? reason : "no reason given");
                first_failure = 0;
            }
        }
    }
    if (!chosen && why_len && !why[0])
        snprintf(why, why_len, "none is registered");
    return chosen;
}

const char *arca_backend_auto(int debug_image)
{
    const struct arca_backend_ops *ops = arca__backend_auto(debug_image, NULL, 0);
    return ops ? ops->name : NULL;
}

size_t arca_backend_count(void)
{
    return loaded_count();
}

arca_result_t arca_backend_info(size_t index, arca_backend_info_t *out)
{
    arca_result_t result = ARCA_OK;
    const struct arca_backend_ops *ops = arca__backend_at(index);
    if (!out)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "arca_backend_info: out is NULL");
    memset(out, 0, sizeof *out);
    if (!ops)
        ARCA_RAISE(ARCA_ERR_NOT_FOUND, "no backend at index %zu (there are %zu)", index,
                   arca__backend_count());
    out->name = ops->name;
    out->protects = ops->protects ? ops->protects : "";
    out->not_protects = ops->not_protects ? ops->not_protects : "";
    out->available = ops->probe(out->why, sizeof out->why) == ARCA_OK;
    out->why[sizeof out->why - 1] = '\0';
done:
    return result;
}
