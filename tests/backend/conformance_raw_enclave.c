/*
 * conformance_raw_enclave.c — a second conformance image with hand-written raw ecalls and host
 * calls (ids in conformance_ids.h), for the checks that by nature cannot go through generated
 * stubs: a generated bridge never claims more output than its buffer or returns an undefined
 * code, so CE_BAD_OUT_LEN and CE_BAD_CODE show that the runtime contains an enclave that does;
 * and the raw echo lets the payload-limit test hit the limit to the exact byte (the limit
 * counts raw payload bytes, not a typed frame's contents). tests/host/test_host_api.c loads it
 * too, serving the raw host calls of its hooks.
 * It is deliberately wrong in CE_BAD_OUT_LEN and CE_BAD_CODE and must not be copied.
 */
#include <stdlib.h>
#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include "arca/enclave.h"
#include "conformance_ids.h"

static arca_result_t echo(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap,
                          size_t *out_len)
{
    *out_len = in_len;
    if (in_len > out_cap)
        return ARCA_ERR_BUFFER_TOO_SMALL;
    if (in_len)
        memcpy(out, in, in_len);
    return ARCA_OK;
}

static arca_result_t destroy_inside(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap,
                                    size_t *out_len)
{
    uint64_t r[REPORT_WORDS] = {0};
    size_t got = 0;
    (void)in, (void)in_len;
    r[0] = (uint64_t)arca_host_call(HC_DESTROY, NULL, 0, NULL, 0, &got);
    r[1] = got;
    *out_len = sizeof r;
    if (out_cap < sizeof r)
        return ARCA_ERR_BUFFER_TOO_SMALL;
    memcpy(out, r, sizeof r);
    return ARCA_OK;
}

static arca_result_t bad_out_len(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap,
                                 size_t *out_len)
{
    (void)in, (void)in_len, (void)out;
    *out_len = out_cap + 1000; /* a bug: claims more than the buffer holds */
    return ARCA_OK;
}

static arca_result_t bad_code(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap,
                              size_t *out_len)
{
    (void)in, (void)in_len, (void)out, (void)out_cap;
    *out_len = 0;
    return (arca_result_t)4711;
}

/* A host call offering a reply buffer larger than the channel's limit: every backend must
 * offer the host at most max_payload and succeed (report: word 0 result, word 1 bytes). */
static arca_result_t big_reply_buffer(const uint8_t *in, size_t in_len, uint8_t *out,
                                      size_t out_cap, size_t *out_len)
{
    uint64_t r[REPORT_WORDS] = {0};
    size_t cap = (size_t)ARCA_DEFAULT_MAX_PAYLOAD_FOR_TESTS + 65536, got = 0;
    uint8_t *buf = malloc(cap);
    (void)in, (void)in_len;
    r[0] = buf ? (uint64_t)arca_host_call(HC_RAW_HUGE, NULL, 0, buf, cap, &got)
               : (uint64_t)ARCA_ERR_OUT_OF_MEMORY;
    r[1] = got;
    free(buf);
    *out_len = sizeof r;
    if (out_cap < sizeof r)
        return ARCA_ERR_BUFFER_TOO_SMALL;
    memcpy(out, r, sizeof r);
    return ARCA_OK;
}

/* The C library behaviour every backend gives the image (src/loader/libc_bind.c). */
static arca_result_t stdio(const uint8_t *in, size_t in_len, uint8_t *out, size_t cap,
                           size_t *out_len)
{
    (void)in, (void)in_len;
    *out_len = 0;
    if (cap < 4)
        return ARCA_ERR_BUFFER_TOO_SMALL;
    printf("hello %d from %s\n", 42, "printf");
    puts("puts line");
    putchar('!');
    putchar('\n');
    fprintf(stderr, "to stderr %d\n", 7);
    fwrite("fwrite\n", 1, 7, stdout);
    fflush(stdout);
    arca_log(ARCA_LOG_INFO, "log %d\x01", 5);
    arca_log(ARCA_LOG_DEBUG, "hidden below the default level");
    uint32_t no_env = getenv("PATH") == NULL && getenv("HOME") == NULL;
    memcpy(out, &no_env, 4);
    *out_len = 4;
    return ARCA_OK;
}

static void *nothing(void *arg)
{
    return arg;
}

/* What the C library would ask the kernel or files for, answered the same on every backend. */
static arca_result_t libc(const uint8_t *in, size_t in_len, uint8_t *out, size_t cap,
                          size_t *out_len)
{
    (void)in, (void)in_len;
    uint32_t ok = 0;
    struct utsname u;
    struct rlimit lim;
    time_t t = 1700000000;
    struct tm local, utc;
    *out_len = 0;
    if (cap < 4)
        return ARCA_ERR_BUFFER_TOO_SMALL;
    ok |= (sysconf(_SC_PAGESIZE) == 4096) << 0;
    ok |= (get_nprocs() >= 1 && sysconf(_SC_NPROCESSORS_ONLN) >= 1) << 1;
    ok |= (uname(&u) == 0 && !strcmp(u.sysname, "Linux")) << 2;
    ok |= (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur > 0) << 3;
    ok |= (localtime_r(&t, &local) && gmtime_r(&t, &utc) && local.tm_hour == utc.tm_hour &&
           mktime(&local) == t) << 4;
    ok |= (setlocale(LC_ALL, "") && !strcmp(setlocale(LC_ALL, NULL), "C")) << 5;
    ok |= (setlocale(LC_ALL, "de_DE.UTF-8") == NULL) << 6;
    errno = 0;
    ok |= (fopen("/etc/passwd", "r") == NULL && errno == ENOSYS) << 7;
    errno = 0;
    ok |= (open("/etc/passwd", O_RDONLY) == -1 && errno == ENOSYS) << 8;
    errno = 0;
    ok |= (socket(AF_INET, SOCK_STREAM, 0) == -1 && errno == ENOSYS) << 9;
    pthread_t thread;
    ok |= (pthread_create(&thread, NULL, nothing, NULL) == EAGAIN) << 10;
    memcpy(out, &ok, 4);
    *out_len = 4;
    return ARCA_OK;
}

ARCA_ECALLS({CE_LIBC, libc}, {CE_STDIO, stdio}, {CE_ECHO, echo}, {CE_DESTROY_INSIDE, destroy_inside}, {CE_BAD_OUT_LEN, bad_out_len},
            {CE_BAD_CODE, bad_code}, {CE_BIG_REPLY_BUFFER, big_reply_buffer});

/* init asks the host what to return and tells it the identity the enclave sees; the host's
 * reply is checked for its exact size (the runtime has already bounded it). */
static arca_result_t init(void)
{
    arca_identity_t id;
    uint8_t verdict[4] = {0};
    size_t got = 0;
    if (arca_self_identity(&id) != ARCA_OK)
        return ARCA_ERR_INTERNAL;
    arca_result_t r = arca_host_call(HC_INIT, &id, sizeof id, verdict, sizeof verdict, &got);
    if (r != ARCA_OK)
        return r;
    if (got != sizeof verdict)
        return ARCA_ERR_BAD_HOST_REPLY;
    return (arca_result_t)((uint32_t)verdict[0] | (uint32_t)verdict[1] << 8 |
                           (uint32_t)verdict[2] << 16 | (uint32_t)verdict[3] << 24);
}

static void fini(void)
{
    (void)arca_host_call(HC_FINI, NULL, 0, NULL, 0, NULL);
}

ARCA_ENCLAVE_INIT(init)
ARCA_ENCLAVE_FINI(fini)
