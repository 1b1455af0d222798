/*
 * enclave_env.h — the enclave's environment block: the `Env.NAME = value` lines of
 * enclave.conf as `arca sign` writes them into the image's .arca.env section, and as the
 * verifier and every loader read them back (docs/formats.md, "Enclave environment").
 *
 * The block is a sequence of entries "NAME=value\0", nothing else: NAME matches
 * [A-Z_][A-Z0-9_]* (1..ARCA_ENV_NAME_MAX bytes), value is printable ASCII (0x20..0x7e, at most
 * ARCA_ENV_VALUE_MAX bytes, may be empty), no NAME twice, at most ARCA_ENV_MAX_VARS entries,
 * at most ARCA_ENV_CAPACITY bytes in all. The signed configuration says where it lies
 * (env_vaddr) and how long it is (env_size): the bytes are measured like every loaded byte.
 * Internal header: never installed.
 */
#ifndef ARCA_FORMATS_ENCLAVE_ENV_H
#define ARCA_FORMATS_ENCLAVE_ENV_H

#include <stddef.h>
#include <stdint.h>

#include "arca/result.h"

#define ARCA_ENV_SECTION ".arca.env"
#define ARCA_ENV_CAPACITY 4096u  /* bytes the runtime reserves in .arca.env */
#define ARCA_ENV_MAX_VARS 64u    /* entries */
#define ARCA_ENV_NAME_MAX 64u    /* bytes of one NAME */
#define ARCA_ENV_VALUE_MAX 1024u /* bytes of one value */

/** An environment being built (enclave.conf parser) or read back. */
typedef struct arca__env {
    uint32_t count;                /* entries in block */
    uint32_t len;                  /* bytes used in block */
    char block[ARCA_ENV_CAPACITY]; /* "NAME=value\0" ... */
} arca__env;

/** 1 when the @p len bytes at @p name form a valid NAME ([A-Z_][A-Z0-9_]*, 1..64 bytes). */
int arca__env_name_valid(const char *name, size_t len);

/**
 * Append NAME=value to @p env. @return ARCA_OK; ARCA_ERR_CONFIG (detail says why: a bad name,
 * a value byte outside printable ASCII, a name given twice, too many entries or bytes).
 */
arca_result_t arca__env_add(arca__env *env, const char *name, size_t name_len, const char *value,
                            size_t value_len) __attribute__((warn_unused_result));

/**
 * Check a block as stored in an image (@p len bytes; hostile). @return ARCA_OK and the number
 * of entries in *count (may be NULL); ARCA_ERR_CONFIG naming the first thing wrong.
 */
arca_result_t arca__env_check(const uint8_t *block, size_t len, uint32_t *count)
    __attribute__((warn_unused_result));

#endif
