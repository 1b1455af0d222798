/*
 * memscan.h — find a 32-byte secret in this process's writable memory, for tests that check a
 * secret is not left behind (the attestation key's private scalar, issue 11, item 7).
 *
 * The test never holds the secret itself: it keeps it XOR-masked (mask, mask ^ secret) and the
 * scan unmasks byte by byte while comparing, so the only copies it can find are real ones. It
 * looks for the bytes in both orders: big-endian (how keys are encoded) and reversed (how a
 * BIGNUM holds them in little-endian limbs, i.e. how a loaded OpenSSL key holds it). Every
 * readable and writable mapping is read through /proc/self/mem (which returns an error, not a
 * fault, for pages that cannot be read); the scan's own buffer is a private mapping it skips,
 * and reservations above 1 GiB (sanitizer shadow memory, never holding data of this kind) are
 * skipped too.
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

/* How many times the secret occurs in writable memory; (size_t)-1 if the scan cannot run. */
static inline size_t memscan_count(const masked_secret *s)
{
    enum { CHUNK = 1 << 20 };
    FILE *maps = fopen("/proc/self/maps", "r");
    int mem = open("/proc/self/mem", O_RDONLY | O_CLOEXEC);
    uint8_t *buf = mmap(NULL, CHUNK + 32, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
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
            start == (unsigned long)(uintptr_t)buf || end - start > (1ul << 30))
            continue;
        for (unsigned long off = start; off < end; off += CHUNK) {
            size_t want = end - off < CHUNK + 31 ? end - off : CHUNK + 31;
            ssize_t n = pread(mem, buf, want, (off_t)off);
            if (n < 32)
                continue;
            size_t limit = (size_t)n - 31 < CHUNK ? (size_t)n - 31 : CHUNK;
            /* Candidates by their first byte (one byte of the secret is not the secret), found
             * with memchr: a plain loop is too slow under the sanitizers. */
            for (int order = 0; order < 2; order++) {
                const uint8_t first = order ? (uint8_t)(s->mask[31] ^ s->masked[31])
                                            : (uint8_t)(s->mask[0] ^ s->masked[0]);
                const uint8_t *at = buf, *stop = buf + limit;
                while (at < stop && (at = memchr(at, first, (size_t)(stop - at))) != NULL) {
                    size_t j = 0;
                    while (j < 32 && (uint8_t)(at[j] ^ s->mask[order ? 31 - j : j]) ==
                                         s->masked[order ? 31 - j : j])
                        j++;
                    hits += j == 32;
                    at++;
                }
            }
        }
    }
out:
    if (buf != MAP_FAILED) {
        memset(buf, 0, CHUNK + 32);
        munmap(buf, CHUNK + 32);
    }
    if (mem >= 0)
        close(mem);
    if (maps)
        fclose(maps);
    return hits;
}

#endif
