/*
 * hostfiles.h — the host side of host files (src/formats/host_files.h): the one directory a
 * host application exposes to an enclave that opted in, and the enclave's open files in it.
 * Internal header: never installed.
 */
#ifndef ARCA_HOST_HOSTFILES_H
#define ARCA_HOST_HOSTFILES_H

#include <stddef.h>
#include <stdint.h>

#include "arca/result.h"

typedef struct arca__host_files arca__host_files;

/**
 * Expose directory @p dir (the setting host.files=DIR) to one enclave: it is opened now, and
 * every path the enclave names is resolved beneath it (openat2 RESOLVE_BENEATH: no absolute
 * path, no "..", no symbolic link leading out of it).
 * @return ARCA_OK; ARCA_ERR_IO (detail names the directory and why), ARCA_ERR_OUT_OF_MEMORY.
 */
arca_result_t arca__host_files_open(const char *dir, arca__host_files **out)
    __attribute__((warn_unused_result));

/** Close every file the enclave left open and the directory. NULL is a no-op. */
void arca__host_files_close(arca__host_files *files);

/**
 * Serve one host-file call (@p id ARCA__HOSTCALL_FILE_*) of the enclave: @p in is its request
 * (hostile), the reply goes to out (out_cap bytes), its length to *out_len.
 * @return ARCA_OK (the reply's errno says whether the file operation succeeded);
 *         ARCA_ERR_BAD_FORMAT for a malformed request; ARCA_ERR_UNKNOWN_FUNCTION for another id.
 */
arca_result_t arca__host_files_serve(arca__host_files *files, uint32_t id, const uint8_t *in,
                                     size_t in_len, uint8_t *out, size_t out_cap, size_t *out_len);

#endif
