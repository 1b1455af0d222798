/*
 * libc_ids.h — the ecalls of the C library test enclave (libc_enclave.c) and what their
 * answers mean; shared by the enclave and tests/libc/test_libc.c.
 */
#ifndef ARCA_TESTS_LIBC_IDS_H
#define ARCA_TESTS_LIBC_IDS_H

/* Ecalls. Each answers a u32 whose bits are the checks that held (all set: every one). */
#define LC_STDIO 1       /* printf, puts, fprintf(stdout/stderr) with a value from getenv */
#define LC_FILES 2       /* fopen on a host file: write, read back, seek, tell, fgets... */
#define LC_FDS 3         /* open/read/write/lseek/close on a host file */
#define LC_TIME 4        /* localtime (UTC), sysconf */
#define LC_ENV 5         /* getenv from the signed config; the host's never; setenv in-enclave */
#define LC_ASSERT 6      /* assert(0): ends the enclave with a named cause */
#define LC_ESCAPE 7      /* paths leading out of the exposed directory are refused */
#define LC_NO_FILES 8    /* without HostFiles (or without host.files): ENOSYS */
#define LC_RAW_OPEN 9    /* the reserved OPEN host call made raw: in = path; answer = result */
#define LC_MANY 10       /* more files than allowed at once: EMFILE, then all close */

#define LC_STDIO_ALL 0x3u
#define LC_FILES_ALL 0x3FFu
#define LC_FDS_ALL 0xFFu
#define LC_TIME_ALL 0x7u
#define LC_ENV_ALL 0x3FFu
#define LC_ESCAPE_ALL 0x3Fu
#define LC_NO_FILES_ALL 0x7u
#define LC_MANY_ALL 0x7u

/* What the files ecalls write, and the environment libc.conf signs into the image. */
#define LC_FILE_NAME "data.txt"
#define LC_FILE_TEXT "first line from the enclave\nsecond line 42\n"
#define LC_GREETING "hello from the signed config"

#endif
