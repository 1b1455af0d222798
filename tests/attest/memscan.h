/*
 * memscan.h — find a 32-byte secret in this process's writable memory, for tests that check a
 * secret is not left behind (the attestation key's private scalar, issue 11, item 7).
 *
 * The test never holds the secret itself: it keeps it XOR-masked (mask, mask ^ secret) and the
 * scan unmasks byte by byte while comparing, so the only copies it can find are real ones. It
 * looks for the bytes in both orders: big-endian (how keys are encoded) and reversed (how a
 * BIGNUM holds them in little-endian limbs, i.e. how a loaded OpenSSL key holds it). Every
 * readable and writable mapping is read through /proc/self/mem (which returns an error, not a
 * fault, for pages that cannot be read); the scan's own buffer is skipped, and reservations
 * above 1 GiB (sanitizer shadow memory, never holding data of this kind) are skipped too.
 */
#ifndef ARCA_TESTS_MEMSCAN_H
#define ARCA_TESTS_MEMSCAN_H

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

typedef struct masked_secret {
    uint8_t mask[32];
    uint8_t masked[32]; /* mask ^ secret */
} masked_secret;

/* Byte @p i of the secret as it sits in memory in @p order (0: as encoded, 1: reversed). One
 * byte of the secret is not the secret. */
static inline uint8_t memscan_secret_byte(const masked_secret *s, int order, int i)
{
    int at = order ? 31 - i : i;
    return (uint8_t)(s->mask[at] ^ s->masked[at]);
}

/* Where in the secret to look for candidates: a byte memory is not full of. Zero pages, 0xff
 * fills and ASan's malloc fill (0xbe) would make nearly every byte a candidate (a key that
 * starts with 0x00 took 48 s per scan under ASan when candidates were found by its first byte;
 * a scan anchored here 0.3 s). */
static inline int memscan_anchor_index(const masked_secret *s, int order)
{
    for (int i = 0; i < 32; i++) {
        uint8_t b = memscan_secret_byte(s, order, i);
        if (b > 0x01 && b < 0xf0 && b != 0xbe)
            return i;
    }
    return 0;
}

enum { SCAN_CHUNK = 1 << 20, SCAN_BUF = SCAN_CHUNK + 32 };

/* Occurrences of the secret in [from, to) of this process, read through /proc/self/mem in
 * chunks that overlap by 31 bytes (a copy across a chunk boundary is found once). */
static inline size_t memscan_range(int mem, uint8_t *buf, const masked_secret *s, unsigned long from,
                         unsigned long to)
{
    size_t hits = 0;
    for (unsigned long off = from; off < to; off += SCAN_CHUNK) {
        size_t want = to - off < SCAN_CHUNK + 31 ? to - off : SCAN_CHUNK + 31;
        ssize_t n = pread(mem, buf, want, (off_t)off);
        if (n < 32)
            continue; /* a page that cannot be read (an error, not a fault) */
        /* windows start in [0, limit); each ends inside the n bytes read */
        size_t limit = (size_t)n - 31 < SCAN_CHUNK ? (size_t)n - 31 : SCAN_CHUNK;
        for (int order = 0; order < 2; order++) {
            const int k = memscan_anchor_index(s, order);
            const uint8_t anchor = memscan_secret_byte(s, order, k);
            const uint8_t *at = buf + k, *stop = buf + limit + k;
            while (at < stop && (at = memchr(at, anchor, (size_t)(stop - at))) != NULL) {
                const uint8_t *window = at - k;
                int j = 0;
                while (j < 32 && window[j] == memscan_secret_byte(s, order, j))
                    j++;
                hits += j == 32;
                at++;
            }
        }
    }
    return hits;
}

/*
 * How many times the secret occurs in this process's writable memory, in either byte order;
 * (size_t)-1 if the scan cannot run. Every readable and writable mapping (reservations above
 * 1 GiB, sanitizer shadow memory, skipped), read through /proc/self/mem. Candidates are found
 * by a byte of the secret that is not a common fill (memscan_anchor_index), and only the scan's
 * own buffer is left out, not the whole line of /proc/self/maps that holds it: the kernel
 * merges an anonymous mapping with a neighbour of the same flags, so that line may hold the
 * heap or an arena.
 */
static inline size_t memscan_count(const masked_secret *s)
{
    FILE *maps = fopen("/proc/self/maps", "r");
    int mem = open("/proc/self/mem", O_RDONLY | O_CLOEXEC);
    uint8_t *buf = mmap(NULL, SCAN_BUF, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    const unsigned long own = (unsigned long)(uintptr_t)buf, own_end = own + SCAN_BUF;
    char line[512];
    size_t hits = 0;
    if (!maps || mem < 0 || buf == MAP_FAILED) {
        hits = (size_t)-1;
        goto out;
    }
    while (fgets(line, sizeof line, maps)) {
        unsigned long start, end;
        char perms[5];
        if (sscanf(line, "%lx-%lx %4s", &start, &end, perms) != 3 || perms[0] != 'r' ||
            perms[1] != 'w' || strstr(line, "[vvar") || strstr(line, "[vsyscall]") ||
            end - start > (1ul << 30))
            continue;
        if (own >= end || own_end <= start) {
            hits += memscan_range(mem, buf, s, start, end);
        } else { /* around the scan's own buffer */
            if (start < own)
                hits += memscan_range(mem, buf, s, start, own);
            if (own_end < end)
                hits += memscan_range(mem, buf, s, own_end, end);
        }
    }
out:
    if (buf != MAP_FAILED) {
        memset(buf, 0, SCAN_BUF);
        munmap(buf, SCAN_BUF);
    }
    if (mem >= 0)
        close(mem);
    if (maps)
        fclose(maps);
    return hits;
}

#endif
