/*
 * loader_internal.h — the state of one loaded image, shared by the loader's files: the mapping
 * (elf_map.c), the dynamic section and relocations (elf_reloc.c) and thread-local storage
 * (elf_tls.c). Every address the image's own tables name is checked with
 * arca__loader_at() before it is dereferenced. Internal header of src/loader only.
 */
#ifndef ARCA_LOADER_LOADER_INTERNAL_H
#define ARCA_LOADER_LOADER_INTERNAL_H

#include <elf.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "loader.h"

#define ARCA__LOADER_MAX_SEGMENTS 16
#define ARCA__LOADER_MAX_NEEDED 16

typedef struct arca__loader_segment {
    uint64_t vaddr;
    uint64_t memsz;
    uint64_t offset, filesz; /* the file bytes copied in (checked once, in read_headers) */
    uint32_t flags;          /* PF_R | PF_W | PF_X */
} arca__loader_segment;

/* What the dynamic section says, every pointer already checked to lie inside the image. */
typedef struct arca__loader_dynamic {
    const char *strtab;
    uint64_t strsz;
    const Elf64_Sym *symtab;
    uint64_t sym_count;
    const Elf64_Rela *rela;
    uint64_t rela_count;
    const Elf64_Rela *jmprel;
    uint64_t jmprel_count;
    const uint64_t *relr;
    uint64_t relr_count;
    const uint16_t *versym;  /* NULL when the image has no symbol versions */
    uint64_t verneed;        /* vaddr of DT_VERNEED, 0 when none */
    uint64_t verneed_count;
    uint64_t init;           /* DT_INIT vaddr or 0 */
    uint64_t fini;           /* DT_FINI vaddr or 0 */
    uint64_t init_array, init_array_count;
    uint64_t fini_array, fini_array_count;
    const char *needed[ARCA__LOADER_MAX_NEEDED];
    unsigned needed_count;
} arca__loader_dynamic;

struct arca__loaded_image {
    uint8_t *map;     /* the reservation */
    size_t map_len;
    uint8_t *base;    /* load bias: where vaddr 0 is */
    arca__loader_segment seg[ARCA__LOADER_MAX_SEGMENTS];
    unsigned seg_count;
    uint64_t relro_vaddr, relro_len; /* PT_GNU_RELRO (0 length when none) */
    int has_tls;
    uint64_t tls_vaddr, tls_filesz, tls_memsz, tls_align;
    uint64_t tls_module; /* the module id given to DTPMOD64 (elf_tls.c), 0 until registered */
    arca__loader_dynamic dyn;
    struct arca__loader_objects *objects; /* the loading process's objects, while relocating */
    int started;     /* initialisers ran: the finalisers must run at unload */
    /* The image's own stdout and stderr (libc_bind.c); its `stdout`/`stderr` imports point here. */
    FILE *streams[2];
    arca__output_fn output; /* where their bytes go (the backend's; NULL: dropped) */
    arca__end_fn end;       /* how abort() and a failed assert end the enclave */
    void *output_ctx;
    int counted;            /* counted among the images with streams (libc_bind.c) */
    /* From its verified configuration (libc_env.c, libc_files.c): its environment, its host
     * files (when it opted in: HostFiles = 1), and the host call that reaches them. */
    struct arca__loader_env *env;
    struct arca__loader_files *files;
    arca__host_call_fn host_call;
    void *host_ctx;
};

/** Pointer to [vaddr, vaddr + len) of the image, or NULL unless it lies inside one segment's
 *  memory (and, with @p writable, a writable one). */
void *arca__loader_at(const arca__loaded_image *image, uint64_t vaddr, uint64_t len, int writable);

/** A NUL-terminated string at @p offset of DT_STRTAB, or NULL when it is out of range. */
const char *arca__loader_string(const arca__loaded_image *image, uint64_t offset);

/* ---- libc_bind.c ---- */

/** Create the image's stdout and stderr (before relocation: its imports point at them). */
arca_result_t arca__loader_streams_open(arca__loaded_image *image);
/** Flush and close them (at unload). */
void arca__loader_streams_close(arca__loaded_image *image);
/** 1 and *value set when @p name is one of the C library imports Arca implements, else 0. */
int arca__loader_libc_binding(arca__loaded_image *image, const char *name, uint64_t *value);
/** The image the calling thread runs (the one entered, else the only one loaded), or NULL. */
arca__loaded_image *arca__loader_caller(void);

/* ---- libc_env.c (the enclave's environment) and libc_files.c (host files) ---- */

struct arca_enclave_config;
/** 1 and *value set when @p name is getenv, setenv..., or the `environ` variable. */
int arca__loader_env_binding(arca__loaded_image *image, const char *name, uint64_t *value);
/** Copy the environment @p config names (re-checked) out of the image's memory. */
arca_result_t arca__loader_env_set(arca__loaded_image *image,
                                   const struct arca_enclave_config *config);
/** Free the image's environment (at unload). */
void arca__loader_env_free(arca__loaded_image *image);
/** 1 and *value set when @p name is fopen, open, read, write, close... (host files). */
int arca__loader_files_binding(arca__loaded_image *image, const char *name, uint64_t *value);
/** Whether the image may use host files (its config's HostFiles). */
arca_result_t arca__loader_files_set(arca__loaded_image *image, int enabled);
/** Forget the image's host files (at unload; the host closes what is left at destroy). */
void arca__loader_files_free(arca__loaded_image *image);

/* ---- libc_threads.c (threads) and libc_cxx.c (what C++ images need) ---- */

/** 1 and *value set when @p name is a threads function Arca implements (pthread_create...). */
int arca__loader_threads_binding(const char *name, uint64_t *value);
/** 1 and *value set when @p name is a function C++ images need bound (dl_iterate_phdr...). */
int arca__loader_cxx_binding(const char *name, uint64_t *value);

/* ---- elf_reloc.c ---- */

/** Parse PT_DYNAMIC (from loaded memory) into image->dyn and check the needed libraries. */
arca_result_t arca__loader_read_dynamic(arca__loaded_image *image, uint64_t dynamic_vaddr,
                                        uint64_t dynamic_size);

/** Apply every relocation but IRELATIVE (stage 1, before the sandbox). */
arca_result_t arca__loader_relocate(arca__loaded_image *image);

/** Apply the IRELATIVE relocations: their resolvers are image code (stage 2, sandboxed). */
arca_result_t arca__loader_relocate_ifuncs(arca__loaded_image *image);

/** Look a symbol the image defines up by name (a linear scan of its dynamic symbols). */
void *arca__loader_symbol(const arca__loaded_image *image, const char *name);

/* ---- elf_tls.c ---- */

/** The function the image's __tls_get_addr imports are bound to. */
void *arca__loader_tls_get_addr(void *tls_index);

/** Give the image a TLS module id (stage 2). */
arca_result_t arca__loader_tls_register(arca__loaded_image *image);

/** Forget the module; blocks of other threads are freed when those threads exit. */
void arca__loader_tls_unregister(arca__loaded_image *image);

/** The module id DTPMOD64 relocations get: fixed at stage 1, registered at stage 2. */
uint64_t arca__loader_tls_reserve_id(void);

/** End the enclave with a named cause (abort, a failed assert, pthread_exit outside a thread
 *  the enclave created): flush its streams (never waiting for a lock), then the backend's end
 *  function; the C library's abort() if there is none. libc_bind.c. */
void arca__loader_end_enclave(const char *cause) __attribute__((noreturn));

#endif
