/*
 * runtime_digest.c — the digest of the runtime an image runs on: SHA-256 over the read-only
 * PT_LOAD segments (code and constants, as they are mapped) of the loading program and of every
 * shared object the system's dynamic linker loaded into it, in load order, the vDSO excepted
 * (it belongs to the kernel and changes with it). Writable segments are left out: relocation
 * writes addresses into them that differ from one run to the next.
 *
 * Per object the hash takes: the number of its read-only segments, then for each its size,
 * flags and bytes. Paths are not hashed, so the same runner and libraries installed under
 * another prefix give the same digest. docs/formats.md ("Runtime digest") is the reference.
 *
 * The digest is kept and reused while no object was loaded or unloaded since (the dynamic
 * linker's load and unload counters, dlpi_adds/dlpi_subs), so a host that creates many sim
 * enclaves hashes its libraries once.
 *
 * This file must never read outside a segment the dynamic linker reports as mapped.
 */
#define _GNU_SOURCE
#include <link.h>
#include <pthread.h>
#include <stddef.h>
#include <string.h>
#include <sys/auxv.h>

#include "crypto/crypto.h"
#include "base/error.h"
#include "base/le.h"
#include "loader.h"

static const uint8_t digest_prefix[] = "arca-runtime-digest-v1";

typedef struct walk {
    arca__sha256_ctx *ctx;
    uintptr_t vdso;
    arca_result_t result;
} walk;

static int hash_object(struct dl_phdr_info *info, size_t size, void *arg)
{
    walk *w = arg;
    uint8_t rec[16];
    uint32_t count = 0;
    (void)size;
    if (w->result != ARCA_OK)
        return 1;
    if (w->vdso && info->dlpi_addr == w->vdso)
        return 0;
    if (info->dlpi_name && strstr(info->dlpi_name, "linux-vdso"))
        return 0;
    for (ElfW(Half) i = 0; i < info->dlpi_phnum; i++)
        if (info->dlpi_phdr[i].p_type == PT_LOAD && !(info->dlpi_phdr[i].p_flags & PF_W))
            count++;
    arca__put_le32(rec, count);
    w->result = arca__sha256_update(w->ctx, rec, 4);
    for (ElfW(Half) i = 0; i < info->dlpi_phnum && w->result == ARCA_OK; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_LOAD || (ph->p_flags & PF_W))
            continue;
        arca__put_le64(rec, ph->p_filesz);
        arca__put_le32(rec + 8, ph->p_flags);
        arca__put_le32(rec + 12, 0);
        w->result = arca__sha256_update(w->ctx, rec, sizeof rec);
        if (w->result == ARCA_OK)
            w->result = arca__sha256_update(
                w->ctx, (const uint8_t *)(uintptr_t)(info->dlpi_addr + ph->p_vaddr),
                (size_t)ph->p_filesz);
    }
    return w->result == ARCA_OK ? 0 : 1;
}

/* The dynamic linker's (adds, subs) counters: they change whenever an object is loaded or unloaded. */
typedef struct generation {
    unsigned long long adds, subs;
    int known;
} generation;

static int read_generation(struct dl_phdr_info *info, size_t size, void *arg)
{
    generation *g = arg;
    if (size >= offsetof(struct dl_phdr_info, dlpi_subs) + sizeof info->dlpi_subs) {
        g->adds = info->dlpi_adds;
        g->subs = info->dlpi_subs;
        g->known = 1;
    }
    return 1; /* the first object tells */
}

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static generation cached_generation;
static uint8_t cached_digest[32];

static arca_result_t compute(uint8_t out[32]);

arca_result_t arca__runtime_digest(uint8_t out[32])
{
    arca_result_t result = ARCA_OK;
    generation now = {0, 0, 0};
    dl_iterate_phdr(read_generation, &now);
    pthread_mutex_lock(&cache_lock);
    if (now.known && cached_generation.known && now.adds == cached_generation.adds &&
        now.subs == cached_generation.subs) {
        memcpy(out, cached_digest, sizeof cached_digest);
        pthread_mutex_unlock(&cache_lock);
        goto done;
    }
    pthread_mutex_unlock(&cache_lock);
    ARCA_CHECK(compute(out));
    pthread_mutex_lock(&cache_lock);
    memcpy(cached_digest, out, sizeof cached_digest);
    cached_generation = now;
    pthread_mutex_unlock(&cache_lock);
done:
    return result;
}

static arca_result_t compute(uint8_t out[32])
{
    arca_result_t result = ARCA_OK;
    arca__sha256_ctx ctx = {0};
    int started = 0;
    walk w = {&ctx, 0, ARCA_OK};

    /* The vDSO's load address: the dynamic linker reports it with its ELF header address. */
    w.vdso = (uintptr_t)getauxval(AT_SYSINFO_EHDR);
    if (w.vdso) {
        const ElfW(Ehdr) *eh = (const ElfW(Ehdr) *)w.vdso;
        const ElfW(Phdr) *ph = (const ElfW(Phdr) *)(w.vdso + eh->e_phoff);
        for (ElfW(Half) i = 0; i < eh->e_phnum; i++)
            if (ph[i].p_type == PT_LOAD) {
                w.vdso -= ph[i].p_vaddr; /* load bias = address of the header - first p_vaddr */
                break;
            }
    }
    ARCA_CHECK(arca__sha256_init(&ctx));
    started = 1;
    ARCA_CHECK(arca__sha256_update(&ctx, digest_prefix, sizeof digest_prefix - 1));
    dl_iterate_phdr(hash_object, &w);
    ARCA_CHECK(w.result);
    started = 0;
    ARCA_CHECK(arca__sha256_final(&ctx, out));
done:
    if (started)
        arca__sha256_abort(&ctx);
    return result;
}
