/*
 * host_files.h — the wire format of host files: Arca's reserved host calls by which an enclave
 * that opted in (HostFiles = 1 in enclave.conf) opens, reads, writes, seeks and closes plain
 * files in the one directory the host application exposes (setting host.files=DIR). The
 * enclave side is src/loader/libc_files.c (behind fopen, open, read, ...), the host side
 * src/host/hostfiles.c. docs/formats.md, "Host files", is the reference.
 *
 * All integers little-endian. Requests:
 *   OPEN   u32 flags (ARCA__HOST_FILE_*), u32 mode (0..0777, used with CREATE), then the path
 *          (1..ARCA__HOST_FILE_PATH_MAX bytes, no NUL, relative to the exposed directory)
 *   READ   u32 handle, u32 count (1..ARCA__HOST_FILE_IO_MAX)
 *   WRITE  u32 handle, then 1..ARCA__HOST_FILE_IO_MAX bytes
 *   SEEK   u32 handle, u32 whence (0 SET, 1 CUR, 2 END), i64 offset
 *   CLOSE  u32 handle
 * A reply is u32 errno first: 0 and then exactly OPEN u32 handle (< ARCA__HOST_FILES_MAX),
 * READ 0..count bytes, WRITE u32 written (1..the bytes sent), SEEK u64 position (≤ INT64_MAX),
 * CLOSE nothing; or a Linux errno value (1..ARCA__HOST_FILE_ERRNO_MAX) and nothing else. A
 * malformed request gets the transport result ARCA_ERR_BAD_FORMAT. The enclave holds the
 * handle, a small integer; never a host descriptor or pointer. The host is not trusted: the
 * enclave checks every reply against this and treats anything else as EIO.
 * Internal header: never installed.
 */
#ifndef ARCA_FORMATS_HOST_FILES_H
#define ARCA_FORMATS_HOST_FILES_H

#include <stdint.h>

/* Reserved host-call ids (≥ ARCA__HOSTCALL_RESERVED, formats/runtime_abi.h). */
#define ARCA__HOSTCALL_FILE_OPEN UINT32_C(0xFFFF0010)
#define ARCA__HOSTCALL_FILE_READ UINT32_C(0xFFFF0011)
#define ARCA__HOSTCALL_FILE_WRITE UINT32_C(0xFFFF0012)
#define ARCA__HOSTCALL_FILE_SEEK UINT32_C(0xFFFF0013)
#define ARCA__HOSTCALL_FILE_CLOSE UINT32_C(0xFFFF0014)
#define ARCA__HOSTCALL_FILE_FIRST ARCA__HOSTCALL_FILE_OPEN
#define ARCA__HOSTCALL_FILE_LAST ARCA__HOSTCALL_FILE_CLOSE

/* OPEN flags: what the file is opened for. READ and/or WRITE; TRUNCATE and APPEND need WRITE;
 * EXCLUSIVE needs CREATE. */
#define ARCA__HOST_FILE_READ 0x01u
#define ARCA__HOST_FILE_WRITE 0x02u
#define ARCA__HOST_FILE_CREATE 0x04u
#define ARCA__HOST_FILE_TRUNCATE 0x08u
#define ARCA__HOST_FILE_APPEND 0x10u
#define ARCA__HOST_FILE_EXCLUSIVE 0x20u
#define ARCA__HOST_FILE_FLAGS 0x3Fu

#define ARCA__HOST_FILES_MAX 64u           /* files one enclave has open at once */
#define ARCA__HOST_FILE_PATH_MAX 1024u     /* bytes of a path */
#define ARCA__HOST_FILE_IO_MAX (64u * 1024u) /* bytes of one READ or WRITE */
#define ARCA__HOST_FILE_ERRNO_MAX 4095u    /* the largest errno value a reply may carry */

#endif
