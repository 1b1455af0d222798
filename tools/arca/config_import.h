/*
 * config_import.h — translating another SDK's enclave configuration into Arca's enclave.conf
 * (`arca config import`): an Intel SGX SDK Enclave.config.xml or an Open Enclave oesign
 * `.conf`. The translation is a pure function of the bytes, so the CLI and the fuzz target
 * (fuzz/config_import) call the same code. Internal header of the arca CLI: never installed.
 */
#ifndef ARCA_TOOLS_CONFIG_IMPORT_H
#define ARCA_TOOLS_CONFIG_IMPORT_H

#include <stddef.h>
#include <stdint.h>

#include "arca/result.h"
#include "formats/image.h"

/* The largest input accepted: an enclave configuration is a few hundred bytes. */
#define ARCA_IMPORT_MAX ((size_t)1 << 20)

enum arca__import_source {
    ARCA__IMPORT_SGX, /* Intel SGX SDK Enclave.config.xml (root <EnclaveConfiguration>) */
    ARCA__IMPORT_OE,  /* Open Enclave oesign configuration (KEY=VALUE lines) */
};

typedef struct {
    enum arca__import_source source;
    char *conf;      /* the enclave.conf text, NUL-terminated; arca__config_parse accepts it */
    size_t conf_len; /* bytes of conf without the NUL */
    char *notes;     /* what was not mapped or was adjusted: lines "NAME:LINE: text\n" (or
                        "NAME: text\n"), NUL-terminated, "" when there is nothing to say */
    size_t notes_len;
    unsigned mapped;     /* settings of the input written as enclave.conf keys */
    unsigned not_mapped; /* settings of the input Arca has no equivalent for (named in notes) */
    struct arca_enclave_config config; /* exactly what conf parses to (defaults, then conf) */
} arca__import;

/**
 * Translate the @p len bytes at @p bytes (untrusted: never read outside them) into an
 * enclave.conf. The format is recognised from the contents: XML (after an optional byte-order
 * mark and whitespace) is an SGX configuration, anything else an Open Enclave one. @p name
 * (the file's name) is used in messages and in the generated header.
 *
 * Every value is checked against enclave.conf's ranges; a heap or stack below Arca's minimum
 * is raised to it (and said so in notes), anything else out of range is refused. The text
 * made is parsed back with arca__config_parse before this returns, so it always signs.
 *
 * @param[out] out  filled on success (free with arca__config_import_free); zeroed on failure.
 * @return ARCA_OK; ARCA_ERR_BAD_FORMAT (empty, not well-formed XML, not text, a structure
 *         neither SDK has); ARCA_ERR_CONFIG (a bad, duplicate or out-of-range value);
 *         ARCA_ERR_OVERFLOW (more than ARCA_IMPORT_MAX bytes); ARCA_ERR_OUT_OF_MEMORY; the
 *         detail (arca__error_detail) names the file, the line, the setting and what is allowed.
 */
arca_result_t arca__config_import(const uint8_t *bytes, size_t len, const char *name,
                                  arca__import *out) __attribute__((warn_unused_result));

/** Free what arca__config_import made (NULL or a zeroed struct are fine). */
void arca__config_import_free(arca__import *imp);

#endif
