/*
 * elf_tls.c — thread-local storage for images the loader maps itself. The system's dynamic
 * linker does not know these images, so their general- and local-dynamic TLS accesses
 * (`__tls_get_addr(&{module, offset})`) are bound here: each image gets a module id that no
 * other image ever gets, and each thread gets, on its first access, a block initialised from
 * the image's PT_TLS template (from the image's memory, so relocated values are copied).
 *
 * Blocks come from malloc (in arca-runner: the protected enclave heap). A thread's blocks are
 * freed when it exits; blocks of a module that was unloaded are freed by the owning thread's
 * next slow-path lookup or at its exit. The fast path (the module looked up last) takes no lock.
 *
 * This file must never hand out a block of another module, never reuse a module id, and never
 * run image code.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "loader_internal.h"

typedef struct tls_index {
    uint64_t module;
    uint64_t offset;
} tls_index;

/* A registered module: where its template is, how big a block is. */
typedef struct tls_module {
    uint64_t id;
    const uint8_t *init;
    uint64_t filesz, memsz, align;
} tls_module;

/* One block of the calling thread. */
typedef struct tls_block {
    uint64_t id;
    uint8_t *block;
} tls_block;

typedef struct tls_thread {
    tls_block *blocks;
    size_t count, cap;
} tls_thread;

static pthread_mutex_t modules_lock = PTHREAD_MUTEX_INITIALIZER;
static tls_module *modules;      /* live modules */
static size_t module_count, module_cap;
static uint64_t next_id = 1;     /* ids are never reused; 0 means none */

static pthread_key_t thread_key;
static pthread_once_t thread_key_once = PTHREAD_ONCE_INIT;
static int thread_key_ok;

static __thread uint64_t last_id;
static __thread uint8_t *last_block;

uint64_t arca__loader_tls_reserve_id(void)
{
    return __atomic_fetch_add(&next_id, 1, __ATOMIC_RELAXED);
}

static void thread_exit(void *p)
{
    tls_thread *t = p;
    /* Later destructors of this thread (the image's own pthread keys) may still use TLS: the
     * cached block is freed below, so they must take the slow path and get a fresh one. */
    last_id = 0;
    last_block = NULL;
    for (size_t i = 0; i < t->count; i++)
        free(t->blocks[i].block);
    free(t->blocks);
    free(t);
}

static void make_key(void)
{
    thread_key_ok = pthread_key_create(&thread_key, thread_exit) == 0;
}

arca_result_t arca__loader_tls_register(arca__loaded_image *image)
{
    arca_result_t result = ARCA_OK;
    pthread_once(&thread_key_once, make_key);
    if (!thread_key_ok)
        ARCA_RAISE(ARCA_ERR_OUT_OF_MEMORY, "loader: cannot create the TLS thread key");
    pthread_mutex_lock(&modules_lock);
    if (module_count == module_cap) {
        size_t cap = module_cap ? module_cap * 2 : 8;
        tls_module *grown = realloc(modules, cap * sizeof *grown);
        if (!grown) {
            pthread_mutex_unlock(&modules_lock);
            ARCA_RAISE(ARCA_ERR_OUT_OF_MEMORY, "loader: out of memory for the TLS module table");
        }
        modules = grown;
        module_cap = cap;
    }
    modules[module_count++] = (tls_module){
        .id = image->tls_module,
        .init = image->base + image->tls_vaddr,
        .filesz = image->tls_filesz,
        .memsz = image->tls_memsz,
        .align = image->tls_align,
    };
    pthread_mutex_unlock(&modules_lock);
done:
    return result;
}

void arca__loader_tls_unregister(arca__loaded_image *image)
{
    pthread_mutex_lock(&modules_lock);
    for (size_t i = 0; i < module_count; i++) {
        if (modules[i].id == image->tls_module) {
            modules[i] = modules[--module_count];
            break;
        }
    }
    pthread_mutex_unlock(&modules_lock);
    /* The calling thread's own block can go now; others go at their next lookup or exit. */
    if (last_id == image->tls_module) {
        last_id = 0;
        last_block = NULL;
    }
}

/* Under modules_lock: the live module @p id, or NULL. */
static const tls_module *find_module(uint64_t id)
{
    for (size_t i = 0; i < module_count; i++)
        if (modules[i].id == id)
            return &modules[i];
    return NULL;
}

/* The calling thread's block of module @p id, created on first use. NULL: out of memory or an
 * unknown module (a bug: only images this loader relocated call here). */
static uint8_t *slow_lookup(uint64_t id)
{
    tls_thread *t;
    uint8_t *found = NULL;
    pthread_once(&thread_key_once, make_key);
    if (!thread_key_ok)
        return NULL;
    t = pthread_getspecific(thread_key);
    if (!t) {
        t = calloc(1, sizeof *t);
        if (!t || pthread_setspecific(thread_key, t) != 0) {
            free(t);
            return NULL;
        }
    }
    pthread_mutex_lock(&modules_lock);
    /* Free this thread's blocks of unloaded modules, and look for ours. */
    for (size_t i = 0; i < t->count;) {
        if (!find_module(t->blocks[i].id)) {
            free(t->blocks[i].block);
            t->blocks[i] = t->blocks[--t->count];
            continue;
        }
        if (t->blocks[i].id == id)
            found = t->blocks[i].block;
        i++;
    }
    const tls_module *m = find_module(id);
    if (!found && m) {
        void *block = NULL;
        if (t->count == t->cap) {
            size_t cap = t->cap ? t->cap * 2 : 4;
            tls_block *grown = realloc(t->blocks, cap * sizeof *grown);
            if (grown) {
                t->blocks = grown;
                t->cap = cap;
            }
        }
        if (t->count < t->cap && posix_memalign(&block, (size_t)m->align, (size_t)m->memsz) == 0) {
            memcpy(block, m->init, (size_t)m->filesz);
            memset((uint8_t *)block + m->filesz, 0, (size_t)(m->memsz - m->filesz));
            t->blocks[t->count++] = (tls_block){id, block};
            found = block;
        }
    }
    pthread_mutex_unlock(&modules_lock);
    return found;
}

/* The image's __tls_get_addr. force_align_arg_pointer: callers' stacks may be misaligned at
 * this call (gcc's TLS sequences), and the slow path calls into libc. */
__attribute__((force_align_arg_pointer)) void *arca__loader_tls_get_addr(void *arg)
{
    const tls_index *ti = arg;
    if (__builtin_expect(ti->module == last_id && last_block != NULL, 1))
        return last_block + ti->offset;
    uint8_t *block = slow_lookup(ti->module);
    if (!block)
        abort(); /* out of memory for a TLS block: no way to report it to the image's code */
    last_id = ti->module;
    last_block = block;
    return block + ti->offset;
}
