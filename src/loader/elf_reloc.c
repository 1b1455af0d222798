/*
 * elf_reloc.c — the image's dynamic section, its relocations and the binding of its imports.
 *
 * Imports are bound by the loader, never by the system's dynamic linker: a name is looked up in
 * the global scope of this process — a definition in the loading program interposes (so the
 * runner's own malloc family, which serves the enclave heap, wins over the C library's);
 * otherwise the symbol version the image asks for is taken — and the object that provides it
 * must be the loading program itself or one of
 * the runtime libraries of ARCA_IMAGE_ALLOWED_NEEDED (src/formats/image.h). __tls_get_addr is
 * bound to the loader's own (elf_tls.c), and the C library functions Arca implements
 * (stdout/stderr, printf, getenv, abort...: libc_bind.c) to Arca's. Symbols the image defines bind to its own definition
 * (no interposition from the host). Supported relocations (x86-64): NONE, 64, GLOB_DAT,
 * JUMP_SLOT, RELATIVE, DTPMOD64, DTPOFF64, IRELATIVE (stage 2) and DT_RELR; everything else is
 * refused by name (TPOFF64: initial-exec TLS needs static TLS; COPY: executables only; TLSDESC).
 *
 * This file must never write outside a writable segment of the image, never bind an import to
 * an object outside the allowlist, and never run image code (IFUNC resolvers run in stage 2).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <link.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "formats/image.h"
#include "loader_internal.h"

#define MAX_SYMBOLS (1u << 20)
#define MAX_RELOCATIONS (1u << 24)

/* ---- the dynamic section ---- */

/* One list decides what an image may import from (ARCA_IMAGE_ALLOWED_NEEDED, image.h). */
static int needed_allowed(const char *name)
{
    return arca__image_needed_index(name, EM_X86_64) >= 0;
}

/* The number of dynamic symbols, from DT_GNU_HASH (the highest symbol a chain reaches). */
static int count_gnu_hash(const arca__loaded_image *image, uint64_t vaddr, uint64_t *count)
{
    const uint32_t *h = arca__loader_at(image, vaddr, 16, 0);
    if (!h)
        return 0;
    uint64_t nbuckets = h[0], symoffset = h[1], bloom_words = h[2];
    uint64_t buckets_at = vaddr + 16 + bloom_words * 8;
    const uint32_t *buckets = arca__loader_at(image, buckets_at, nbuckets * 4, 0);
    if (!buckets || nbuckets > MAX_SYMBOLS || bloom_words > MAX_SYMBOLS)
        return 0;
    uint64_t max = 0;
    for (uint64_t i = 0; i < nbuckets; i++)
        if (buckets[i] > max)
            max = buckets[i];
    if (max < symoffset) {
        *count = symoffset;
        return 1;
    }
    uint64_t chain_at = buckets_at + nbuckets * 4;
    for (uint64_t i = max; i < MAX_SYMBOLS; i++) {
        const uint32_t *c = arca__loader_at(image, chain_at + (i - symoffset) * 4, 4, 0);
        if (!c)
            return 0;
        if (*c & 1) {
            *count = i + 1;
            return 1;
        }
    }
    return 0;
}

/* Entries of a table named by (address tag, size tag), each checked against the image. */
static const void *table(const arca__loaded_image *image, uint64_t vaddr, uint64_t size,
                         uint64_t entry, uint64_t *count)
{
    *count = 0;
    if (!vaddr || !size)
        return NULL;
    if (size % entry || size / entry > MAX_RELOCATIONS)
        return NULL;
    const void *p = arca__loader_at(image, vaddr, size, 0);
    if (p)
        *count = size / entry;
    return p;
}

arca_result_t arca__loader_read_dynamic(arca__loaded_image *image, uint64_t dynamic_vaddr,
                                        uint64_t dynamic_size)
{
    arca_result_t result = ARCA_OK;
    arca__loader_dynamic *d = &image->dyn;
    uint64_t strtab = 0, symtab = 0, syment = 0, rela = 0, relasz = 0, relaent = 0;
    uint64_t jmprel = 0, pltrelsz = 0, pltrel = 0, relr = 0, relrsz = 0, relrent = 0;
    uint64_t gnu_hash = 0, hash = 0, versym = 0, flags = 0, flags_1 = 0;
    uint64_t needed_at[ARCA__LOADER_MAX_NEEDED];
    uint64_t init_arraysz = 0, fini_arraysz = 0;
    unsigned needed = 0;

    const Elf64_Dyn *dyn = arca__loader_at(image, dynamic_vaddr, dynamic_size, 0);
    if (!dyn || dynamic_size < sizeof *dyn)
        ARCA_RAISE(ARCA_ERR_BAD_IMAGE, "loader: PT_DYNAMIC lies outside the loaded segments");
    for (uint64_t i = 0; i < dynamic_size / sizeof *dyn && dyn[i].d_tag != DT_NULL; i++) {
        uint64_t v = dyn[i].d_un.d_val;
        switch (dyn[i].d_tag) {
        case DT_NEEDED:
            if (needed == ARCA__LOADER_MAX_NEEDED)
                ARCA_RAISE(ARCA_ERR_BAD_IMAGE, "loader: more than %u DT_NEEDED entries",
                           ARCA__LOADER_MAX_NEEDED);
            needed_at[needed++] = v;
            break;
        case DT_STRTAB: strtab = v; break;
        case DT_STRSZ: d->strsz = v; break;
        case DT_SYMTAB: symtab = v; break;
        case DT_SYMENT: syment = v; break;
        case DT_RELA: rela = v; break;
        case DT_RELASZ: relasz = v; break;
        case DT_RELAENT: relaent = v; break;
        case DT_JMPREL: jmprel = v; break;
        case DT_PLTRELSZ: pltrelsz = v; break;
        case DT_PLTREL: pltrel = v; break;
        case DT_RELR: relr = v; break;
        case DT_RELRSZ: relrsz = v; break;
        case DT_RELRENT: relrent = v; break;
        case DT_GNU_HASH: gnu_hash = v; break;
        case DT_HASH: hash = v; break;
        case DT_VERSYM: versym = v; break;
        case DT_VERNEED: d->verneed = v; break;
        case DT_VERNEEDNUM: d->verneed_count = v; break;
        case DT_INIT: d->init = v; break;
        case DT_FINI: d->fini = v; break;
        case DT_INIT_ARRAY: d->init_array = v; break;
        case DT_INIT_ARRAYSZ: init_arraysz = v; break;
        case DT_FINI_ARRAY: d->fini_array = v; break;
        case DT_FINI_ARRAYSZ: fini_arraysz = v; break;
        case DT_FLAGS: flags = v; break;
        case DT_FLAGS_1: flags_1 = v; break;
        case DT_TEXTREL:
            ARCA_RAISE(ARCA_ERR_BAD_IMAGE, "loader: the image has text relocations (DT_TEXTREL); "
                       "compile every object with -fPIC");
        case DT_RPATH:
        case DT_RUNPATH:
            ARCA_RAISE(ARCA_ERR_BAD_IMAGE, "loader: the image names a library search path "
                       "(DT_RPATH/DT_RUNPATH); link its libraries statically");
        case DT_REL:
        case DT_RELSZ:
            ARCA_RAISE(ARCA_ERR_BAD_IMAGE, "loader: REL relocations are not used on x86-64; the "
                       "image was not linked for this machine");
        case DT_PREINIT_ARRAY:
            ARCA_RAISE(ARCA_ERR_BAD_IMAGE, "loader: DT_PREINIT_ARRAY belongs to programs, not "
                       "to shared objects");
        case DT_AUXILIARY:
        case DT_FILTER:
            ARCA_RAISE(ARCA_ERR_BAD_IMAGE, "loader: the image is a filter library");
        default:
            break;
        }
    }
    if (flags & (DF_TEXTREL | DF_STATIC_TLS))
        ARCA_RAISE(ARCA_ERR_BAD_IMAGE, "loader: the image needs %s; compile every object with "
                   "-fPIC (and no -ftls-model=initial-exec)",
                   (flags & DF_TEXTREL) ? "text relocations" : "static TLS (initial-exec model)");
    (void)flags_1;

    d->strtab = arca__loader_at(image, strtab, d->strsz, 0);
    if (!d->strtab || d->strsz == 0)
        ARCA_RAISE(ARCA_ERR_BAD_IMAGE, "loader: DT_STRTAB lies outside the image");
    for (unsigned i = 0; i < needed; i++) {
        const char *name = arca__loader_string(image, needed_at[i]);
        if (!name)
            ARCA_RAISE(ARCA_ERR_BAD_IMAGE, "loader: a DT_NEEDED name lies outside DT_STRTAB");
        if (!needed_allowed(name))
            ARCA_RAISE(ARCA_ERR_BAD_IMAGE, "loader: the image needs %s, which is not part of the "
                       "runtime; link it statically into the enclave", name);
        d->needed[d->needed_count++] = name;
    }

    if (syment != sizeof(Elf64_Sym))
        ARCA_RAISE(ARCA_ERR_BAD_IMAGE, "loader: DT_SYMENT is %llu, not %zu",
                   (unsigned long long)syment, sizeof(Elf64_Sym));
    if (!(gnu_hash && count_gnu_hash(image, gnu_hash, &d->sym_count))) {
        const uint32_t *h = hash ? arca__loader_at(image, hash, 8, 0) : NULL;
        if (!h)
            ARCA_RAISE(ARCA_ERR_BAD_IMAGE, "loader: the image has no usable symbol hash table "
                       "(DT_GNU_HASH or DT_HASH)");
        d->sym_count = h[1];
    }
    if (d->sym_count > MAX_SYMBOLS)
        ARCA_RAISE(ARCA_ERR_BAD_IMAGE, "loader: %llu dynamic symbols is too many",
                   (unsigned long long)d->sym_count);
    d->symtab = arca__loader_at(image, symtab, d->sym_count * sizeof(Elf64_Sym), 0);
    if (!d->symtab)
        ARCA_RAISE(ARCA_ERR_BAD_IMAGE, "loader: DT_SYMTAB lies outside the image");
    if (versym) {
        d->versym = arca__loader_at(image, versym, d->sym_count * 2, 0);
        if (!d->versym)
            ARCA_RAISE(ARCA_ERR_BAD_IMAGE, "loader: DT_VERSYM lies outside the image");
    }

    if (rela && relaent != sizeof(Elf64_Rela))
        ARCA_RAISE(ARCA_ERR_BAD_IMAGE, "loader: DT_RELAENT is %llu, not %zu",
                   (unsigned long long)relaent, sizeof(Elf64_Rela));
    d->rela = table(image, rela, relasz, sizeof(Elf64_Rela), &d->rela_count);
    if (relasz && !d->rela)
        ARCA_RAISE(ARCA_ERR_BAD_IMAGE, "loader: DT_RELA lies outside the image");
    if (jmprel && pltrel != DT_RELA)
        ARCA_RAISE(ARCA_ERR_BAD_IMAGE, "loader: DT_PLTREL is not DT_RELA");
    d->jmprel = table(image, jmprel, pltrelsz, sizeof(Elf64_Rela), &d->jmprel_count);
    if (pltrelsz && !d->jmprel)
        ARCA_RAISE(ARCA_ERR_BAD_IMAGE, "loader: DT_JMPREL lies outside the image");
    if (relr && relrent != 8)
        ARCA_RAISE(ARCA_ERR_BAD_IMAGE, "loader: DT_RELRENT is not 8");
    d->relr = table(image, relr, relrsz, 8, &d->relr_count);
    if (relrsz && !d->relr)
        ARCA_RAISE(ARCA_ERR_BAD_IMAGE, "loader: DT_RELR lies outside the image");
    if (init_arraysz % 8 || fini_arraysz % 8)
        ARCA_RAISE(ARCA_ERR_BAD_IMAGE, "loader: init/fini array sizes are not whole entries");
    d->init_array_count = d->init_array ? init_arraysz / 8 : 0;
    d->fini_array_count = d->fini_array ? fini_arraysz / 8 : 0;
done:
    return result;
}

/* ---- symbols ---- */

/* The version an import asks for (name and file), from DT_VERSYM + DT_VERNEED; NULL = none. */
static arca_result_t import_version(const arca__loaded_image *image, uint64_t sym_index,
                                    const char **version, const char **file)
{
    arca_result_t result = ARCA_OK;
    const arca__loader_dynamic *d = &image->dyn;
    *version = NULL;
    *file = NULL;
    if (!d->versym)
        goto done;
    uint16_t index = d->versym[sym_index] & 0x7fff;
    if (index < 2)
        goto done; /* local or global: unversioned */
    uint64_t at = d->verneed;
    for (uint64_t n = 0; at && n < d->verneed_count; n++) {
        const Elf64_Verneed *vn = arca__loader_at(image, at, sizeof *vn, 0);
        if (!vn)
            break;
        uint64_t aux_at = at + vn->vn_aux;
        for (unsigned a = 0; a < vn->vn_cnt; a++) {
            const Elf64_Vernaux *va = arca__loader_at(image, aux_at, sizeof *va, 0);
            if (!va)
                break;
            if (va->vna_other == index) {
                *version = arca__loader_string(image, va->vna_name);
                *file = arca__loader_string(image, vn->vn_file);
                if (!*version || !*file)
                    break;
                goto done;
            }
            if (!va->vna_next)
                break;
            aux_at += va->vna_next;
        }
        if (!vn->vn_next)
            break;
        at += vn->vn_next;
    }
    ARCA_RAISE(ARCA_ERR_BAD_IMAGE, "loader: symbol %llu names version index %u, which "
               "DT_VERNEED does not define", (unsigned long long)sym_index, index);
done:
    return result;
}

/*
 * The objects loaded in this process, by address range, taken once per load: which object
 * provides an import is then a lookup in a short table (dladdr() scans symbol tables, and cost
 * more than the rest of loading together).
 */
typedef struct loaded_object {
    uintptr_t start, end; /* one PT_LOAD segment */
    const char *name;     /* basename of the path; "" for the main program */
} loaded_object;

struct arca__loader_objects {
    loaded_object *seg;
    size_t count, cap;
};

static int note_object(struct dl_phdr_info *info, size_t size, void *arg)
{
    struct arca__loader_objects *o = arg;
    const char *name = info->dlpi_name ? info->dlpi_name : "";
    const char *slash = strrchr(name, '/');
    (void)size;
    for (ElfW(Half) i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_LOAD)
            continue;
        if (o->count == o->cap) {
            size_t cap = o->cap ? o->cap * 2 : 64;
            loaded_object *grown = realloc(o->seg, cap * sizeof *grown);
            if (!grown)
                return 1;
            o->seg = grown;
            o->cap = cap;
        }
        o->seg[o->count++] = (loaded_object){info->dlpi_addr + ph->p_vaddr,
                                             info->dlpi_addr + ph->p_vaddr + ph->p_memsz,
                                             slash ? slash + 1 : name};
    }
    return 0;
}

/* The basename of the object that maps @p addr ("" for the main program), or NULL. */
static const char *provider_of(const struct arca__loader_objects *o, const void *addr)
{
    uintptr_t a = (uintptr_t)addr;
    for (size_t i = 0; o && i < o->count; i++)
        if (a >= o->seg[i].start && a < o->seg[i].end)
            return o->seg[i].name;
    return NULL;
}

/* Bind one import: the global scope, then a check of the object that provides it. */
static arca_result_t bind_import(const arca__loaded_image *image, uint64_t sym_index,
                                 const Elf64_Sym *sym, const char *name, uint64_t *value)
{
    arca_result_t result = ARCA_OK;
    const char *version = NULL, *file = NULL;
    void *addr;
    const char *provider;

    if (!strcmp(name, "__tls_get_addr")) {
        *value = (uint64_t)(uintptr_t)&arca__loader_tls_get_addr;
        goto done;
    }
    /* The C library behaviour Arca gives every backend (stdio, environment, abort). */
    if (arca__loader_libc_binding((arca__loaded_image *)image, name, value))
        goto done;
    ARCA_CHECK(import_version(image, sym_index, &version, &file));
    if (file && !needed_allowed(file))
        ARCA_RAISE(ARCA_ERR_BAD_IMAGE, "loader: the image imports %s@%s from %s, which is not "
                   "part of the runtime; link it statically into the enclave", name, version, file);
    /*
     * As the system's dynamic linker would: a definition in the loading program itself
     * interposes, whatever version the image asks for (that is how the runner's malloc family
     * serves the enclave heap); otherwise the exact version the image was linked against.
     */
    addr = dlsym(RTLD_DEFAULT, name);
    provider = addr ? provider_of(image->objects, addr) : NULL;
    if (addr && version && !(provider && provider[0] == '\0'))
        addr = dlvsym(RTLD_DEFAULT, name, version);
    if (!addr) {
        if (ELF64_ST_BIND(sym->st_info) == STB_WEAK) {
            *value = 0;
            goto done;
        }
        ARCA_RAISE(ARCA_ERR_BAD_IMAGE, "loader: the image imports %s%s%s, which the runtime's "
                   "libraries do not provide", name, version ? "@" : "", version ? version : "");
    }
    provider = provider_of(image->objects, addr);
    if (!provider)
        ARCA_RAISE(ARCA_ERR_BAD_IMAGE, "loader: cannot tell which object provides %s", name);
    /* The vDSO is the kernel's: glibc's time functions are IFUNCs that resolve into it. */
    if (provider[0] && !needed_allowed(provider) && strcmp(provider, "linux-vdso.so.1") != 0) {
        if (ELF64_ST_BIND(sym->st_info) == STB_WEAK) {
            *value = 0;
            goto done;
        }
        ARCA_RAISE(ARCA_ERR_BAD_IMAGE, "loader: the image's import %s resolves to %s, which is "
                   "not part of the runtime", name, provider);
    }
    *value = (uint64_t)(uintptr_t)addr;
done:
    return result;
}

/* The value of symbol @p index for a relocation: the image's own definition or an import. */
static arca_result_t symbol_value(const arca__loaded_image *image, uint64_t index, uint64_t *value,
                                  const Elf64_Sym **out_sym)
{
    arca_result_t result = ARCA_OK;
    const arca__loader_dynamic *d = &image->dyn;
    if (index >= d->sym_count)
        ARCA_RAISE(ARCA_ERR_BAD_IMAGE, "loader: a relocation names symbol %llu of %llu",
                   (unsigned long long)index, (unsigned long long)d->sym_count);
    const Elf64_Sym *sym = &d->symtab[index];
    *out_sym = sym;
    const char *name = arca__loader_string(image, sym->st_name);
    if (!name)
        ARCA_RAISE(ARCA_ERR_BAD_IMAGE, "loader: symbol %llu has no name in DT_STRTAB",
                   (unsigned long long)index);
    if (sym->st_shndx != SHN_UNDEF) {
        if (ELF64_ST_TYPE(sym->st_info) == STT_GNU_IFUNC)
            ARCA_RAISE(ARCA_ERR_BAD_IMAGE, "loader: %s is an IFUNC referenced by symbol; only "
                       "IRELATIVE relocations of IFUNCs are supported", name);
        *value = ELF64_ST_TYPE(sym->st_info) == STT_TLS
                     ? sym->st_value
                     : (uint64_t)(uintptr_t)image->base + sym->st_value;
        goto done;
    }
    if (ELF64_ST_TYPE(sym->st_info) == STT_TLS)
        ARCA_RAISE(ARCA_ERR_BAD_IMAGE, "loader: the image imports the thread-local variable %s; "
                   "only the image's own thread-local variables are supported", name);
    ARCA_CHECK(bind_import(image, index, sym, name, value));
done:
    return result;
}

void *arca__loader_symbol(const arca__loaded_image *image, const char *name)
{
    const arca__loader_dynamic *d = &image->dyn;
    for (uint64_t i = 1; i < d->sym_count; i++) {
        const Elf64_Sym *sym = &d->symtab[i];
        if (sym->st_shndx == SHN_UNDEF || ELF64_ST_TYPE(sym->st_info) == STT_TLS ||
            ELF64_ST_TYPE(sym->st_info) == STT_GNU_IFUNC)
            continue;
        const char *s = arca__loader_string(image, sym->st_name);
        if (s && !strcmp(s, name))
            return arca__loader_at(image, sym->st_value, sym->st_size ? sym->st_size : 1, 0);
    }
    return NULL;
}

/* ---- relocations ---- */

static arca_result_t apply(const arca__loaded_image *image, const Elf64_Rela *r, int ifuncs)
{
    arca_result_t result = ARCA_OK;
    uint32_t type = ELF64_R_TYPE(r->r_info);
    uint64_t sym_index = ELF64_R_SYM(r->r_info);
    uint64_t s = 0, value = 0;
    const Elf64_Sym *sym = NULL;

    if (type == R_X86_64_NONE)
        goto done;
    if ((type == R_X86_64_IRELATIVE) != !!ifuncs)
        goto done; /* the other stage's */
    uint64_t *where = arca__loader_at(image, r->r_offset, 8, 1);
    if (!where)
        ARCA_RAISE(ARCA_ERR_BAD_IMAGE, "loader: relocation at 0x%llx lies outside the writable "
                   "segments (a text relocation?); compile every object with -fPIC",
                   (unsigned long long)r->r_offset);
    switch (type) {
    case R_X86_64_RELATIVE:
        value = (uint64_t)(uintptr_t)image->base + (uint64_t)r->r_addend;
        break;
    case R_X86_64_64:
    case R_X86_64_GLOB_DAT:
    case R_X86_64_JUMP_SLOT:
        ARCA_CHECK(symbol_value(image, sym_index, &s, &sym));
        if (ELF64_ST_TYPE(sym->st_info) == STT_TLS)
            ARCA_RAISE(ARCA_ERR_BAD_IMAGE, "loader: relocation type %u on a TLS symbol", type);
        value = s + (type == R_X86_64_64 ? (uint64_t)r->r_addend : 0);
        break;
    case R_X86_64_DTPMOD64:
        if (sym_index) {
            ARCA_CHECK(symbol_value(image, sym_index, &s, &sym)); /* refuses imported TLS */
        }
        if (!image->tls_module)
            ARCA_RAISE(ARCA_ERR_BAD_IMAGE, "loader: a DTPMOD64 relocation in an image without "
                       "PT_TLS");
        value = image->tls_module;
        break;
    case R_X86_64_DTPOFF64:
        if (sym_index) {
            ARCA_CHECK(symbol_value(image, sym_index, &s, &sym));
            if (ELF64_ST_TYPE(sym->st_info) != STT_TLS)
                ARCA_RAISE(ARCA_ERR_BAD_IMAGE, "loader: DTPOFF64 on a symbol that is not TLS");
        }
        value = s + (uint64_t)r->r_addend;
        break;
    case R_X86_64_IRELATIVE: {
        uint64_t resolver = (uint64_t)r->r_addend;
        int ok = 0;
        for (unsigned i = 0; i < image->seg_count && !ok; i++)
            ok = (image->seg[i].flags & PF_X) && resolver >= image->seg[i].vaddr &&
                 resolver < image->seg[i].vaddr + image->seg[i].memsz;
        if (!ok)
            ARCA_RAISE(ARCA_ERR_BAD_IMAGE, "loader: an IRELATIVE resolver lies outside the "
                       "image's code");
        value = ((uint64_t (*)(void))(void *)(image->base + resolver))();
        break;
    }
    case R_X86_64_TPOFF64:
        ARCA_RAISE(ARCA_ERR_BAD_IMAGE, "loader: the image uses initial-exec thread-local storage "
                   "(R_X86_64_TPOFF64), which needs static TLS; compile with -fPIC and without "
                   "-ftls-model=initial-exec");
    case R_X86_64_COPY:
        ARCA_RAISE(ARCA_ERR_BAD_IMAGE, "loader: COPY relocations belong to programs, not to "
                   "shared objects");
    case R_X86_64_TLSDESC:
        ARCA_RAISE(ARCA_ERR_BAD_IMAGE, "loader: TLS descriptors (-mtls-dialect=gnu2) are not "
                   "supported; build with the default TLS dialect");
    default:
        ARCA_RAISE(ARCA_ERR_BAD_IMAGE, "loader: relocation type %u at 0x%llx is not supported",
                   type, (unsigned long long)r->r_offset);
    }
    *where = value;
done:
    return result;
}

static arca_result_t apply_table(const arca__loaded_image *image, const Elf64_Rela *table_p,
                                 uint64_t count, int ifuncs)
{
    arca_result_t result = ARCA_OK;
    for (uint64_t i = 0; i < count; i++)
        ARCA_CHECK(apply(image, &table_p[i], ifuncs));
done:
    return result;
}

/* DT_RELR: a compact list of relative relocations (an address, then bitmaps of the words after it). */
static arca_result_t apply_relr(const arca__loaded_image *image)
{
    arca_result_t result = ARCA_OK;
    const arca__loader_dynamic *d = &image->dyn;
    uint64_t where = 0;
    for (uint64_t i = 0; i < d->relr_count; i++) {
        uint64_t entry = d->relr[i];
        if ((entry & 1) == 0) {
            uint64_t *p = arca__loader_at(image, entry, 8, 1);
            if (!p)
                ARCA_RAISE(ARCA_ERR_BAD_IMAGE, "loader: a DT_RELR address lies outside the "
                           "writable segments");
            *p += (uint64_t)(uintptr_t)image->base;
            where = entry + 8;
        } else {
            for (unsigned bit = 1; bit < 64; bit++) {
                if (!((entry >> bit) & 1))
                    continue;
                uint64_t *p = arca__loader_at(image, where + (bit - 1) * 8, 8, 1);
                if (!p)
                    ARCA_RAISE(ARCA_ERR_BAD_IMAGE, "loader: a DT_RELR bitmap reaches outside "
                               "the writable segments");
                *p += (uint64_t)(uintptr_t)image->base;
            }
            where += 63 * 8;
        }
    }
done:
    return result;
}

arca_result_t arca__loader_relocate(arca__loaded_image *image)
{
    arca_result_t result = ARCA_OK;
    struct arca__loader_objects objects = {NULL, 0, 0};
    if (dl_iterate_phdr(note_object, &objects) != 0)
        ARCA_RAISE(ARCA_ERR_OUT_OF_MEMORY, "loader: out of memory for the table of loaded objects");
    image->objects = &objects;
    ARCA_CHECK(apply_relr(image));
    ARCA_CHECK(apply_table(image, image->dyn.rela, image->dyn.rela_count, 0));
    ARCA_CHECK(apply_table(image, image->dyn.jmprel, image->dyn.jmprel_count, 0));
done:
    image->objects = NULL;
    free(objects.seg);
    return result;
}

arca_result_t arca__loader_relocate_ifuncs(arca__loaded_image *image)
{
    arca_result_t result = ARCA_OK;
    ARCA_CHECK(apply_table(image, image->dyn.rela, image->dyn.rela_count, 1));
    ARCA_CHECK(apply_table(image, image->dyn.jmprel, image->dyn.jmprel_count, 1));
done:
    return result;
}
