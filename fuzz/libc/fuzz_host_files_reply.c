/*
 * fuzz_host_files_reply.c — libFuzzer target for the enclave's side of host files
 * (src/loader/libc_files.c): the bound open, read, write, lseek, close and fopen/fgets/fclose
 * against a host whose every reply (result, claimed length, bytes) comes from the input.
 * Checks that no call writes past the caller's buffer, that read never returns more than it
 * was asked for, write never more than it was given, lseek never a negative position but -1,
 * and that every failure sets errno.
 * Input: a sequence of records: u8 op, u32 count, then replies for the host calls it makes,
 * each u32 result, u8 claimed length, then that many reply bytes (at most 32).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "loader/loader.h"
#include "loader/loader_internal.h"

static const uint8_t *in_data;
static size_t in_size, in_pos;

/* The next reply from the input; out of input: a plain "no". */
static arca_result_t hostile(void *ctx, uint32_t id, const uint8_t *in, size_t in_len,
                             uint8_t *out, size_t out_cap, size_t *out_len)
{
    (void)ctx, (void)id, (void)in, (void)in_len;
    if (in_size - in_pos < 5) {
        *out_len = 0;
        return ARCA_ERR_IO;
    }
    uint32_t result;
    memcpy(&result, in_data + in_pos, 4);
    size_t claimed = in_data[in_pos + 4];
    in_pos += 5;
    size_t n = claimed % 33;
    if (n > in_size - in_pos)
        n = in_size - in_pos;
    if (n > out_cap)
        n = out_cap; /* a transport never writes past the offer: the lie is in the length */
    memcpy(out, in_data + in_pos, n);
    in_pos += n;
    *out_len = claimed < 200 ? claimed : (size_t)claimed * 1000;
    return (arca_result_t)(result % 128);
}

static arca__loaded_image *image;

static void *fn(const char *name)
{
    uint64_t v = 0;
    if (!arca__loader_files_binding(image, name, &v))
        abort();
    return (void *)(uintptr_t)v;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    image = calloc(1, sizeof *image);
    if (!image || arca__loader_files_set(image, 1) != ARCA_OK)
        abort();
    arca__runtime_set_host_call(image, hostile, NULL);
    arca__runtime_enter(image);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int (*o)(const char *, int, ...) = fn("open");
    ssize_t (*rd)(int, void *, size_t) = fn("read");
    ssize_t (*wr)(int, const void *, size_t) = fn("write");
    off_t (*sk)(int, off_t, int) = fn("lseek");
    int (*cl)(int) = fn("close");
    FILE *(*fo)(const char *, const char *) = fn("fopen");
    static uint8_t buf[256 + 16];
    static int fds[8];
    int nfds = 0;
    in_data = data;
    in_size = size;
    in_pos = 0;
    while (in_size - in_pos >= 5) {
        uint8_t op = in_data[in_pos] % 6;
        uint32_t count;
        memcpy(&count, in_data + in_pos + 1, 4);
        in_pos += 5;
        int fd = nfds ? fds[count % (unsigned)nfds] : 950 + (int)(count % 90);
        size_t want = count % 257;
        errno = 0;
        switch (op) {
        case 0:
            if (nfds < 8) {
                int got = o("f", (count & 1) ? O_RDWR : O_RDONLY);
                if (got >= 0)
                    fds[nfds++] = got;
                else if (!errno)
                    __builtin_trap();
            }
            break;
        case 1: {
            memset(buf, 0xCC, sizeof buf);
            ssize_t n = rd(fd, buf, want);
            if (n > (ssize_t)want || (n < 0 && (n != -1 || !errno)))
                __builtin_trap();
            for (size_t i = want; i < sizeof buf; i++)
                if (buf[i] != 0xCC)
                    __builtin_trap();
            break;
        }
        case 2: {
            ssize_t n = wr(fd, buf, want);
            if (n > (ssize_t)want || (n < 0 && (n != -1 || !errno)))
                __builtin_trap();
            break;
        }
        case 3: {
            off_t at = sk(fd, (off_t)(count >> 2), (int)(count & 3));
            if (at < -1 || (at == -1 && !errno))
                __builtin_trap();
            break;
        }
        case 4:
            if (cl(fd) != 0 && !errno)
                __builtin_trap();
            for (int i = 0; i < nfds; i++)
                if (fds[i] == fd) {
                    fds[i] = fds[--nfds];
                    break;
                }
            break;
        case 5: {
            FILE *f = fo("g", (count & 1) ? "r+" : "r");
            if (f) {
                char line[64];
                (void)fgets(line, sizeof line, f);
                (void)fclose(f);
            } else if (!errno) {
                __builtin_trap();
            }
            break;
        }
        }
    }
    /* Give every descriptor back, whatever the host says, for the next input. */
    in_size = in_pos = 0;
    for (int i = 0; i < nfds; i++)
        (void)cl(fds[i]);
    return 0;
}
