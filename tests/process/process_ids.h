/*
 * process_ids.h — function ids shared by the process-backend test enclave
 * (process_enclave.c) and its host tests (tests/process, tests/attack).
 * Plain numbers only: included by enclave code and host code alike.
 */
#ifndef ARCA_TESTS_PROCESS_IDS_H
#define ARCA_TESTS_PROCESS_IDS_H

/* ecalls */
#define PE_ECHO 1          /* out = in */
#define PE_SECRET 2        /* fills a heap buffer with SECRET_BYTE; out: u64 address, u64 length */
#define PE_OPEN 3          /* open("/etc/passwd") — forbidden */
#define PE_SOCKET 4        /* socket(AF_INET, SOCK_STREAM) — forbidden */
#define PE_EXECVE 5        /* execve("/bin/true") — forbidden */
#define PE_PTRACE 6        /* ptrace(PTRACE_TRACEME) — forbidden */
#define PE_MMAP_EXEC 7     /* mmap(PROT_READ|PROT_EXEC) — forbidden */
#define PE_MPROTECT_EXEC 8 /* mprotect(heap page, PROT_EXEC) — forbidden */
#define PE_HOST_CALL 9     /* in: u32 host id, u32 out_cap; out: i32 result, u32 0, u64 out_len */
#define PE_CRASH 10        /* writes through a NULL pointer */
#define PE_ABORT 11        /* abort() */
#define PE_SPIN 12         /* in: u32 milliseconds; busy-waits that long */
#define PE_ENV 13          /* out: u64 number of environment variables the enclave sees */
#define PE_HEAP 14         /* heap torture test; in: nothing, or u64 seed and u64 live blocks
                              (both non-zero, blocks <= 512: calls may run on several threads at
                              once); out: u64 failed check (0: none) */
#define PE_OOM 15          /* out-of-memory behaviour; OK or ARCA_ERR_INTERNAL (out: failed check) */
#define PE_EMPTY 16        /* does nothing */
#define PE_OCALL_EMPTY 17  /* one empty host call (HC_EMPTY) */
#define PE_SINK 18         /* consumes its input, returns nothing */
#define PE_HC_ECHO 19      /* out = what host call HC_ECHO returns for in (capacity in_len) */
#define PE_X32 20          /* an x32-ABI system call (getpid | __X32_SYSCALL_BIT) — forbidden */
#define PE_MMAP_FD 21      /* mmap(fd 2, PROT_READ|PROT_WRITE, MAP_SHARED) — forbidden */
#define PE_RAW_STDERR 22   /* write(2, in, in_len): raw bytes on the runner's stderr */
#define PE_WHERE 23        /* out: WHERE_COUNT u64: addresses of a local, of in and of out,
                              then for each the errno of a shared FUTEX_WAKE on it (0: none;
                              EFAULT: the kernel cannot pin it, i.e. secretmem) */
#define WHERE_COUNT 6
#define PE_BIG_ALLOC 24    /* in: u64 bytes; malloc that much, write and check every byte, free; OK,
                              ARCA_ERR_OUT_OF_MEMORY, or ARCA_ERR_INTERNAL (out: u64 failed check) */
#define PE_KEEP_SMALL 25   /* keeps KEEP_COUNT allocations of KEEP_BYTES for the enclave's life;
                              its input (any size: above 16 KiB the runner's request buffer is on
                              the heap while the call runs) is ignored */
#define PE_SPLIT_HEAP 26   /* in: u64 bytes; mallocs a working buffer that large, does what
                              PE_KEEP_SMALL does while the buffer is live, frees the buffer; OK or
                              ARCA_ERR_OUT_OF_MEMORY */
#define PE_WIPED 27        /* freed chunks are wiped: blocks of many sizes (malloc, calloc,
                              aligned_alloc, a realloc's cut tail, a realloc's old block) filled
                              with SECRET_BYTE and freed must hold none of it; out: u64 failed
                              check (0: none), u64 block size, u64 bytes still holding it */
#define PE_HEAP_COST 28    /* in: u32 count, u32 size; count malloc+free pairs of that size;
                              out: u64 nanoseconds they took */
/* Small, long-lived allocations (a page-sized buffer): where they land decides whether the
 * free space stays in one piece. Several, so a hole that already fits one does not hide the
 * effect. */
#define KEEP_BYTES 4096
#define KEEP_COUNT 8
#define PE_ASSERT 29       /* assert(in_len == 12345): fails with an empty request */
#define PE_EXIT 30         /* exit(7) */

/* host calls */
#define HC_EMPTY 200
#define HC_ANY 201 /* whatever the hostile tests want */
#define HC_ECHO 202 /* out = in XOR 0x5A */

#define SECRET_BYTE 0xA5
#define SECRET_LEN 4096

#endif
