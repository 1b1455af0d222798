/*
 * launch_checks.h — what a process of the `process` backend inherits from whoever started it,
 * and how much memory the runner must protect. Shared by arca-runner (src/runner/sandbox.c,
 * secure_heap.c), which decides from it which protections it may report, and by libarca's
 * probe (process.c), which tells `arca backends` what the runner would find here. Header-only
 * (static inline) because the runner and libarca are separate programs; internal header.
 *
 * Everything here is read, never changed. /proc is read only through descriptors checked with
 * fstatfs() to be procfs, and /proc/self/status must name this process (its Pid: line equal to
 * getpid()), because a launcher in its own mount namespace can mount other files over /proc.
 * The user namespace is found through a pidfd (PIDFD_GET_USER_NAMESPACE), with no path at all,
 * where the kernel has it. These checks see what the kernel reports to this process: a launcher
 * that intercepts the system calls making them (a seccomp supervisor emulating every one, a
 * tracer) can still lie, which is why an inherited filter or tracer is itself a finding.
 */
#ifndef ARCA_BACKENDS_PROCESS_LAUNCH_CHECKS_H
#define ARCA_BACKENDS_PROCESS_LAUNCH_CHECKS_H

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef PROC_SUPER_MAGIC
#define PROC_SUPER_MAGIC 0x9fa0
#endif
#ifndef NSFS_MAGIC
#define NSFS_MAGIC 0x6e736673
#endif
#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
/* linux/pidfd.h of Linux 6.11; older headers lack it (older kernels answer ENOTTY). */
#ifndef PIDFD_GET_USER_NAMESPACE
#define PIDFD_GET_USER_NAMESPACE _IO(0xFF, 9)
#endif
/* The inode number of the initial user namespace (include/linux/proc_ns.h, fixed ABI). */
#define ARCA__USERNS_INIT_INO 0xEFFFFFFDu
/* What /proc/self/uid_map says in the initial user namespace (whitespace collapsed). */
#define ARCA__UID_MAP_INITIAL "0 0 4294967295"

/* Guard pages below each enclave thread's stack and between the stacks and the heap. */
#define ARCA__STACK_GUARD_PAGES 1u

/** What this process inherited, as far as the kernel tells it. */
typedef struct arca__inherited {
    int status_ok;        /**< /proc/self/status was read through procfs and names this process */
    long tracer_pid;      /**< TracerPid: (0 none; -1 unknown) */
    long seccomp_mode;    /**< the larger of prctl(PR_GET_SECCOMP) and Seccomp: (0 none) */
    long seccomp_filters; /**< Seccomp_filters: (-1 unknown or not reported by this kernel) */
    int userns_initial;   /**< 1: the initial user namespace; 0: another one; -1 unknown */
    char uid_map[48];     /**< /proc/self/uid_map, whitespace collapsed, cut ("" unknown) */
} arca__inherited;

/* Read a small file relative to dirfd into buf (NUL-terminated) through an fd that fstatfs()
 * says is procfs. 1 on success. */
static inline int arca__read_procfs(int dirfd, const char *name, char *buf, size_t cap)
{
    struct statfs sfs;
    size_t have = 0;
    int ok = 0;
    int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY);
    if (fd < 0)
        return 0;
    if (fstatfs(fd, &sfs) == 0 && sfs.f_type == PROC_SUPER_MAGIC) {
        ok = 1;
        while (have + 1 < cap) {
            ssize_t n = read(fd, buf + have, cap - 1 - have);
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0)
                ok = 0;
            if (n <= 0)
                break;
            have += (size_t)n;
        }
    }
    buf[have] = '\0';
    close(fd);
    return ok;
}

/* The number after "key" at the start of a line of a /proc status text; -1 if absent. */
static inline long arca__status_field(const char *text, const char *key)
{
    size_t klen = strlen(key);
    for (const char *line = text; line && *line;) {
        if (strncmp(line, key, klen) == 0) {
            char *end = NULL;
            long v = strtol(line + klen, &end, 10);
            return end != line + klen && v >= 0 ? v : -1;
        }
        line = strchr(line, '\n');
        if (line)
            line++;
    }
    return -1;
}

/* 1 if the user namespace behind nsfd is the initial one, 0 if not, -1 if nsfd is no nsfs fd. */
static inline int arca__userns_fd_initial(int nsfd)
{
    struct statfs sfs;
    struct stat st;
    if (fstatfs(nsfd, &sfs) != 0 || sfs.f_type != NSFS_MAGIC || fstat(nsfd, &st) != 0)
        return -1;
    return st.st_ino == ARCA__USERNS_INIT_INO ? 1 : 0;
}

/** Read what this process inherited: tracer, seccomp filters, user namespace, uid map. */
static inline void arca__inherited_read(arca__inherited *out)
{
    char text[8192];
    memset(out, 0, sizeof *out);
    out->tracer_pid = -1;
    out->seccomp_filters = -1;
    out->userns_initial = -1;
    /* -1 (EINVAL) on a kernel without seccomp; the status line below is the second source. */
    long prctl_mode = prctl(PR_GET_SECCOMP, 0, 0, 0, 0);
    out->seccomp_mode = prctl_mode > 0 ? prctl_mode : 0;

    int self = open("/proc/self", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    struct statfs sfs;
    if (self >= 0 && (fstatfs(self, &sfs) != 0 || sfs.f_type != PROC_SUPER_MAGIC)) {
        close(self);
        self = -1;
    }
    if (self >= 0 && arca__read_procfs(self, "status", text, sizeof text) &&
        arca__status_field(text, "Pid:") == (long)getpid()) {
        out->status_ok = 1;
        out->tracer_pid = arca__status_field(text, "TracerPid:");
        long mode = arca__status_field(text, "Seccomp:"); /* absent without CONFIG_SECCOMP */
        if (mode > out->seccomp_mode)
            out->seccomp_mode = mode;
        out->seccomp_filters = arca__status_field(text, "Seccomp_filters:");
        if (out->tracer_pid < 0)
            out->status_ok = 0;
    }
    /* The uid map, from the same checked directory. */
    if (out->status_ok && arca__read_procfs(self, "uid_map", text, sizeof text)) {
        size_t o = 0;
        int space = 1;
        for (const char *p = text; *p && o + 1 < sizeof out->uid_map; p++) {
            int blank = *p == ' ' || *p == '\t' || *p == '\n';
            if (blank && !space)
                out->uid_map[o++] = ' ';
            else if (!blank)
                out->uid_map[o++] = (*p >= 0x21 && *p < 0x7f) ? *p : '?';
            space = blank;
        }
        while (o > 0 && out->uid_map[o - 1] == ' ')
            o--;
        out->uid_map[o] = '\0';
    }
    /* The user namespace: through a pidfd (no path involved), else /proc/self/ns/user. */
    int pidfd = (int)syscall(SYS_pidfd_open, getpid(), 0);
    if (pidfd >= 0) {
        int nsfd = ioctl(pidfd, PIDFD_GET_USER_NAMESPACE, 0);
        if (nsfd >= 0) {
            out->userns_initial = arca__userns_fd_initial(nsfd);
            close(nsfd);
        }
        close(pidfd);
    }
    if (out->userns_initial < 0 && self >= 0) {
        int nsfd = openat(self, "ns/user", O_RDONLY | O_CLOEXEC);
        if (nsfd >= 0) {
            out->userns_initial = arca__userns_fd_initial(nsfd);
            close(nsfd);
        }
    }
    /* The initial namespace maps every uid to itself; anything else is another namespace
     * (or a file planted over the real one). */
    if (out->userns_initial == 1 && strcmp(out->uid_map, ARCA__UID_MAP_INITIAL) != 0)
        out->userns_initial = out->uid_map[0] ? 0 : -1;
    if (self >= 0)
        close(self);
}

/* Append "; "-separated text to buf (cut at cap, always NUL-terminated). */
static inline void arca__append_caveat(char *buf, size_t cap, const char *text)
{
    size_t used = strnlen(buf, cap);
    if (cap == 0 || used >= cap)
        return;
    for (const char *p = used ? "; " : ""; *p && used + 1 < cap; p++)
        buf[used++] = *p;
    for (const char *p = text; *p && used + 1 < cap; p++)
        buf[used++] = *p;
    buf[used] = '\0';
}

/**
 * Say why a launcher could answer or bypass the runner's own checks (an inherited seccomp
 * filter, a user namespace other than the initial one, or state that cannot be read), as
 * "; "-separated caveats appended to @p buf.
 * @return 1 if there is such a reason (then no protection but separate-process may be
 *         reported), else 0. A tracer is not judged here: the runner refuses to start with one.
 */
static inline int arca__inherited_caveats(const arca__inherited *in, char *buf, size_t cap)
{
    char text[160];
    int untrusted = 0;
    if (!in->status_ok) {
        arca__append_caveat(buf, cap, "/proc/self/status cannot be read through procfs, so "
                                      "inherited filters and tracers are unknown");
        untrusted = 1;
    }
    if (in->seccomp_mode != 0 || in->seccomp_filters > 0) {
        if (in->seccomp_filters > 0)
            snprintf(text, sizeof text, "inherited seccomp filter (%ld): the launcher can answer "
                     "the runner's system calls", in->seccomp_filters);
        else
            snprintf(text, sizeof text, "inherited seccomp filter (mode %ld): the launcher can "
                     "answer the runner's system calls", in->seccomp_mode);
        arca__append_caveat(buf, cap, text);
        untrusted = 1;
    }
    if (in->userns_initial == 0) {
        snprintf(text, sizeof text, "not in the initial user namespace (uid_map %.30s): its "
                 "owner can read enclave memory", in->uid_map[0] ? in->uid_map : "unreadable");
        arca__append_caveat(buf, cap, text);
        untrusted = 1;
    } else if (in->userns_initial < 0) {
        arca__append_caveat(buf, cap, "the user namespace cannot be determined");
        untrusted = 1;
    }
    return untrusted;
}

/**
 * Bytes of protected (secretmem or mlocked) memory arca-runner maps for an enclave: the heap
 * (which also holds the per-call buffers) plus, per enclave thread, its stack and a guard page
 * below it, and one guard page between the stacks and the heap; each part rounded up to
 * @p page. 0 if the sizes overflow.
 */
static inline uint64_t arca__protected_bytes(uint64_t heap, uint32_t threads, uint64_t stack,
                                             uint64_t page)
{
    uint64_t guard = (uint64_t)ARCA__STACK_GUARD_PAGES * page;
    uint64_t h = (heap + page - 1) / page * page, s = (stack + page - 1) / page * page;
    uint64_t per_thread = s + guard, total;
    if (heap > UINT64_MAX / 2 || stack > UINT64_MAX / 2 ||
        __builtin_mul_overflow(per_thread, (uint64_t)threads, &total) ||
        __builtin_add_overflow(total, h + guard, &total))
        return 0;
    return total;
}

#endif
