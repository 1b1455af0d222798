/*
 * image.h — the enclave image format: configuration and signature sections, measurement,
 * signing and verification. Byte layouts are documented in docs/formats.md.
 *
 * An image is an ELF64 shared object (x86-64 or aarch64, little-endian) whose runtime
 * reserves two sections: .arca.config (struct arca_enclave_config) and .arca.sig (struct
 * arca_signature), and, since the enclave environment, a third: .arca.env (the block the
 * signed config's env_vaddr/env_size point at; enclave_env.h). The measurement is SHA-256 over the addresses of the two sections and
 * every PT_LOAD segment (placement, permissions, bytes) with the .arca.sig bytes zeroed and
 * the ELF header's section-header fields zeroed (section headers are not loaded, so
 * stripping must not change identity). Exact definition: docs/formats.md.
 *
 * What an image may contain beyond that (checked by arca__image_parse(), hence by signing
 * and by every verification): no writable+executable PT_LOAD, a PT_GNU_STACK without PF_X,
 * exactly one PT_DYNAMIC inside a PT_LOAD, no DT_RPATH/DT_RUNPATH/DT_TEXTREL (or DF_TEXTREL),
 * no DT_AUXILIARY/DT_FILTER/DT_AUDIT/DT_DEPAUDIT, and DT_NEEDED only from
 * ARCA_IMAGE_ALLOWED_NEEDED. All of it is read from measured bytes only (program headers and
 * PT_LOAD contents), never from section headers.
 *
 * Every function here treats the image bytes as hostile: offsets and sizes are checked
 * for overflow and bounds before use. Internal header: never installed.
 */
#ifndef ARCA_COMMON_IMAGE_H
#define ARCA_COMMON_IMAGE_H

#include <elf.h>
#include <stddef.h>
#include <stdint.h>

#include "arca/identity.h"
#include "arca/result.h"
#include "crypto/crypto.h"
#include "formats/enclave_env.h"

#define ARCA_CONFIG_SECTION ".arca.config"
#define ARCA_SIG_SECTION ".arca.sig"
#define ARCA_CONFIG_MAGIC "ARCACFG\x01" /* 8 bytes */
#define ARCA_SIG_MAGIC "ARCASIG\x01"    /* 8 bytes */
#define ARCA_CONFIG_VERSION 1
#define ARCA_SIG_VERSION 1

#define ARCA_CONFIG_FLAG_DEBUG 0x1u
#define ARCA_CONFIG_FLAG_SWITCHLESS 0x2u
#define ARCA_CONFIG_FLAG_HOST_FILES 0x4u /* HostFiles: may use the files the host exposes */

/* Limits enforced by the config parser and re-checked by loaders. */
#define ARCA_MAX_THREADS 64u
/* Threads an enclave may create itself (pthread_create; EnclaveThreads in enclave.conf). */
#define ARCA_MAX_ENCLAVE_THREADS 16u
#define ARCA_MIN_HEAP (64u * 1024u)
#define ARCA_MAX_HEAP (UINT64_C(16) << 30)
#define ARCA_MIN_STACK (16u * 1024u)
#define ARCA_MAX_STACK (UINT64_C(256) << 20)

/*
 * The enclave configuration, exactly as stored (little-endian) in .arca.config.
 * 64 bytes; fixed layout; all reserved bytes must be zero.
 */
struct arca_enclave_config {
    uint8_t magic[8];     /* ARCA_CONFIG_MAGIC */
    uint32_t version;     /* ARCA_CONFIG_VERSION */
    uint32_t flags;       /* ARCA_CONFIG_FLAG_* */
    uint64_t heap_size;   /* bytes of enclave heap */
    uint64_t stack_size;  /* bytes of stack per enclave thread */
    uint32_t threads;     /* maximum concurrent calls into the enclave */
    uint16_t product_id;  /* ProductID */
    uint16_t svn;         /* SecurityVersion */
    uint32_t enclave_threads; /* EnclaveThreads: threads the enclave creates itself, 0..16 */
    uint32_t env_size;    /* bytes of the environment block (Env.NAME lines), 0: none */
    uint64_t env_vaddr;   /* where that block lies, inside one PT_LOAD's file bytes; 0: none */
    uint8_t reserved[8];  /* zero */
};
_Static_assert(sizeof(struct arca_enclave_config) == 64, "config layout is fixed");

/*
 * The signature structure, exactly as stored in .arca.sig. 304 bytes; fixed layout.
 * The ECDSA P-256 signature covers bytes [0, offsetof(signature)) of this structure,
 * i.e. magic, version, measurement, config copy and the signer's public key.
 */
struct arca_signature {
    uint8_t magic[8];          /* ARCA_SIG_MAGIC; all-zero means "not signed" */
    uint32_t version;          /* ARCA_SIG_VERSION */
    uint32_t pubkey_len;       /* bytes used in pubkey_der */
    uint8_t measurement[32];   /* SHA-256 measurement */
    struct arca_enclave_config config; /* copy of .arca.config at signing time */
    uint8_t pubkey_der[ARCA_EC_PUBKEY_DER_MAX]; /* signer SubjectPublicKeyInfo DER, zero padded */
    uint8_t signature[ARCA_ECDSA_SIG_SIZE];     /* raw r||s over the bytes before this field */
};
_Static_assert(sizeof(struct arca_signature) == 8 + 4 + 4 + 32 + 64 + 128 + 64, "sig layout");

/*
 * The shared libraries an enclave image may import (DT_NEEDED): the runtime's own C library,
 * libm and OpenSSL's libcrypto, and the dynamic linker of the image's machine (it provides
 * __tls_get_addr, which Arca's loader binds itself). They belong to the runtime, which
 * evidence names by digest; everything else is linked into the image and so measured.
 * X(name, machine): the exact DT_NEEDED string, and the ELF e_machine it is allowed for
 * (0: every machine). This is the only list: the signer, the verifier and every loader use
 * it (through the X-macro, arca__image_allowed_needed[] or arca__image_needed_index()).
 */
#define ARCA_IMAGE_ALLOWED_NEEDED(X)                                                             \
    X("libc.so.6", 0)                                                                            \
    X("libm.so.6", 0)                                                                            \
    X("libcrypto.so.3", 0)                                                                       \
    X("ld-linux-x86-64.so.2", EM_X86_64)                                                         \
    X("ld-linux-aarch64.so.1", EM_AARCH64)
#define ARCA__IMAGE_COUNT_ONE(name, machine) +1
#define ARCA_IMAGE_ALLOWED_NEEDED_COUNT (0 ARCA_IMAGE_ALLOWED_NEEDED(ARCA__IMAGE_COUNT_ONE))

/** One entry of ARCA_IMAGE_ALLOWED_NEEDED. */
struct arca__image_library {
    const char *name;  /* the DT_NEEDED string, e.g. "libc.so.6" */
    uint16_t machine;  /* EM_X86_64, EM_AARCH64, or 0 for every machine */
};
/** ARCA_IMAGE_ALLOWED_NEEDED as a table, in list order. */
extern const struct arca__image_library arca__image_allowed_needed[ARCA_IMAGE_ALLOWED_NEEDED_COUNT];

/**
 * The index in arca__image_allowed_needed[] of @p name (a NUL-terminated DT_NEEDED string)
 * for an image of ELF machine @p machine, or -1 when that library may not be imported.
 * Exact comparison: a path, another version or another machine's dynamic linker is -1.
 */
int arca__image_needed_index(const char *name, uint16_t machine);

/** What an image imports: its DT_NEEDED entries in file order, as indices into
 *  arca__image_allowed_needed[] (each at most once: duplicates are refused). */
typedef struct arca__image_imports {
    uint8_t count;
    uint8_t lib[ARCA_IMAGE_ALLOWED_NEEDED_COUNT];
} arca__image_imports;

/* Where things are in one image buffer, as found by arca__image_parse(). */
typedef struct arca__image {
    const uint8_t *bytes;
    size_t size;
    size_t config_offset; /* file offset of .arca.config */
    size_t sig_offset;    /* file offset of .arca.sig */
    struct arca_enclave_config config; /* copied out of the image */
    struct arca_signature sig;         /* copied out of the image */
    uint64_t config_vaddr;             /* sh_addr of .arca.config (bound into the measurement) */
    uint64_t sig_vaddr;                /* sh_addr of .arca.sig (bound into the measurement) */
    /* .arca.env, where `arca sign` writes the environment (ARCA_ENV_CAPACITY bytes), when the
     * image has one (images built before it have none): its file offset and address, or 0. */
    size_t env_section_offset;
    uint64_t env_section_vaddr;
    uint16_t machine;                  /* e_machine: EM_X86_64 or EM_AARCH64 */
    arca__image_imports imports;       /* DT_NEEDED, all on ARCA_IMAGE_ALLOWED_NEEDED */
} arca__image;

/** What verification established about an image. */
typedef struct arca__image_info {
    arca_identity_t identity; /* backend = NONE, protections = 0: loaders fill those */
    struct arca_enclave_config config;
    uint16_t machine;            /* e_machine: EM_X86_64 or EM_AARCH64 */
    arca__image_imports imports; /* the runtime libraries the image imports (DT_NEEDED) */
    /* File offset of the environment block (config.env_size bytes, checked), or 0: none. */
    size_t env_offset;
} arca__image_info;

/**
 * Parse and bounds-check an ELF image, locate its Arca sections (copies both) and check
 * what it may contain: memory permissions (W^X, non-executable stack) and its dynamic
 * section (imports only from ARCA_IMAGE_ALLOWED_NEEDED, no search paths, no text
 * relocations, every DT_ value in bounds). Signing and verification both start here, so an
 * image that fails cannot be signed and is never loaded.
 */
arca_result_t arca__image_parse(const uint8_t *bytes, size_t size, arca__image *out)
    __attribute__((warn_unused_result));

/** Compute the measurement of a parsed image. */
arca_result_t arca__image_measure(const arca__image *image, uint8_t out[ARCA_HASH_SIZE])
    __attribute__((warn_unused_result));

/**
 * Full verification: parse, measure, compare with the signature structure, verify the
 * signature, check the config copy matches .arca.config. Fills @p info on success.
 * @return ARCA_ERR_BAD_IMAGE, ARCA_ERR_IMAGE_NOT_SIGNED, ARCA_ERR_MEASUREMENT_MISMATCH,
 *         ARCA_ERR_BAD_SIGNATURE, ARCA_ERR_CONFIG, ...; arca_last_error() has detail.
 */
arca_result_t arca__image_verify(const uint8_t *bytes, size_t size, arca__image_info *info)
    __attribute__((warn_unused_result));

/**
 * Sign in place: write @p config into .arca.config, then measure, then fill .arca.sig.
 * @p bytes is the whole image file, modified in place (on failure it may hold the new
 * config and a zeroed .arca.sig: discard it).
 */
arca_result_t arca__image_sign(uint8_t *bytes, size_t size, const struct arca_enclave_config *config,
                               const arca__ec_key *key) __attribute__((warn_unused_result));

/**
 * arca__image_sign() with an environment: @p env (NULL: none) is written into the image's
 * .arca.env section (the rest of it zeroed) and config.env_vaddr/env_size say where, before
 * measuring. The env_* fields of @p config are ignored (computed here). An environment for an
 * image without .arca.env is ARCA_ERR_BAD_IMAGE (rebuild it with this Arca).
 */
arca_result_t arca__image_sign_env(uint8_t *bytes, size_t size,
                                   const struct arca_enclave_config *config, const arca__env *env,
                                   const arca__ec_key *key) __attribute__((warn_unused_result));

/** Validate a config (magic, version, limits, reserved zero). */
arca_result_t arca__config_validate(const struct arca_enclave_config *config)
    __attribute__((warn_unused_result));

/** Defaults: heap 6 MiB, stack 256 KiB, 4 threads, product 0, svn 0, debug off. */
void arca__config_defaults(struct arca_enclave_config *config);

/**
 * Parse enclave.conf text ("Key = value" lines, '#' comments). Keys (case-sensitive):
 * Debug (0/1), HeapSize, StackSize (bytes, or with K/M/G suffix), Threads, ProductID,
 * SecurityVersion, Switchless (0/1), EnclaveThreads (0..16), HostFiles (0/1). Unset keys keep
 * the values already in @p config.
 * Errors are reported through arca__error() as "NAME:LINE: message".
 */
arca_result_t arca__config_parse(const char *text, size_t len, const char *name,
                                 struct arca_enclave_config *config) __attribute__((warn_unused_result));
arca_result_t arca__config_parse_file(const char *path, struct arca_enclave_config *config)
    __attribute__((warn_unused_result));

/**
 * arca__config_parse() that also accepts `Env.NAME = value` lines (NAME [A-Z_][A-Z0-9_]*; the
 * value up to a '#' comment, trimmed, or "double-quoted" with \" and \\), appended in order to
 * *env (replaced only when the whole text parses). arca__config_parse() refuses such lines.
 * Also the key HostFiles (0/1): ARCA_CONFIG_FLAG_HOST_FILES.
 */
arca_result_t arca__config_parse_env(const char *text, size_t len, const char *name,
                                     struct arca_enclave_config *config, arca__env *env)
    __attribute__((warn_unused_result));
arca_result_t arca__config_parse_file_env(const char *path, struct arca_enclave_config *config,
                                          arca__env *env) __attribute__((warn_unused_result));

/** Read a whole file (≤ max bytes) into a new buffer. ARCA_ERR_IO with detail on failure. */
arca_result_t arca__read_file(const char *path, size_t max, uint8_t **out, size_t *out_len);

/**
 * Put @p bytes into a sealed memfd (F_SEAL_WRITE|SHRINK|GROW|SEAL) and return its fd, so the
 * loaded bytes are exactly the verified ones.
 */
arca_result_t arca__sealed_memfd(const char *name, const uint8_t *bytes, size_t size, int *fd_out);

#endif
