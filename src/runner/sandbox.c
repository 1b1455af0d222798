/*
 * sandbox.c — arca-runner's hardening steps, each checked at run time and reported as
 * the ARCA_PROT_* bit it achieved: no core dumps and no ptrace/proc access (dumpable 0),
 * no new privileges, death with the host, new namespaces, a Landlock ruleset that grants
 * no file access, and a seccomp allowlist (a call outside it traps: the runner's SIGSYS
 * handler names the call on stderr and the whole process dies by SIGSYS; a foreign
 * architecture or the x32 ABI kills the process outright). Also the check of what the runner inherited from its launcher (tracer,
 * seccomp filters, user namespace), which decides whether any bit may be reported at all,
 * and the caveats: the short text READY carries to the host when protections are reduced.
 *
 * main.c calls these in the documented order. A step the kernel refuses leaves its bit
 * clear and the enclave still runs; nothing here may ever widen what the process can do.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/prctl.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "arca/identity.h"
#include "backends/process/launch_checks.h"
#include "base/error.h"
#include "runner.h"

/* ---- caveats: why protections are fewer than this kernel could give ---- */

static char caveats[ARCA__CAVEATS_MAX];

void arca__caveat(const char *fmt, ...)
{
    char text[ARCA__CAVEATS_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    arca__append_caveat(caveats, sizeof caveats, text);
}

const char *arca__caveats(void)
{
    return caveats;
}

/* ---- what the launcher left us ---- */

arca_result_t arca__sandbox_inherited(uint32_t *keep)
{
    arca_result_t result = ARCA_OK;
    arca__inherited in;
    arca__inherited_read(&in);
    *keep = ~UINT32_C(0);
    /* dumpable is 0 already, so no new tracer of our user can attach; one attached before
     * (strace -f, gdb following forks) sees and changes everything, including these checks. */
    if (in.status_ok && in.tracer_pid != 0)
        ARCA_RAISE(ARCA_ERR_PERMISSION,
                   "arca-runner: a tracer (pid %ld) is attached, which could read and change the "
                   "enclave; start the host without a debugger or tracer that follows its children",
                   in.tracer_pid);
    /* A seccomp filter of the launcher can answer our system calls (PR_SET_DUMPABLE, ...) and
     * the owner of a non-initial user namespace holds CAP_SYS_PTRACE over our memory: no check
     * below could stand against either, so only the separate address space is claimed. */
    char text[ARCA__CAVEATS_MAX] = "";
    if (arca__inherited_caveats(&in, text, sizeof text)) {
        arca__caveat("%s; only separate-process is reported", text);
        *keep = ARCA_PROT_SEPARATE_PROCESS;
    }
done:
    return result;
}

uint32_t arca__sandbox_nodump(void)
{
    if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
        return 0;
    return prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) == 0 ? ARCA_PROT_NODUMP : 0;
}

uint32_t arca__sandbox_nocore(void)
{
    struct rlimit none = {0, 0};
    struct rlimit check;
    if (setrlimit(RLIMIT_CORE, &none) != 0 || getrlimit(RLIMIT_CORE, &check) != 0)
        return 0;
    return check.rlim_cur == 0 && check.rlim_max == 0 ? ARCA_PROT_NOCORE : 0;
}

uint32_t arca__sandbox_no_new_privs(void)
{
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
        return 0;
    return prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1 ? ARCA_PROT_NO_NEW_PRIVS : 0;
}

arca_result_t arca__sandbox_deathsig(int host_pid)
{
    arca_result_t result = ARCA_OK;
    if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0)
        ARCA_RAISE(ARCA_ERR_INTERNAL, "PR_SET_PDEATHSIG failed: %s", strerror(errno));
    /* If the host died before the line above, we were re-parented: exit, never orphan. */
    if (getppid() != host_pid)
        ARCA_RAISE(ARCA_ERR_ENCLAVE_LOST, "the host (pid %d) is gone", host_pid);
done:
    return result;
}

uint32_t arca__sandbox_namespaces(void)
{
    /* The user namespace is created here, after exec, on purpose: had the runner been
     * exec'd inside a namespace owned by the host's uid, the host would hold
     * CAP_SYS_PTRACE over it despite dumpable = 0. Our mm stays owned by the initial
     * namespace. No pid namespace: it would only apply to children (the runner can create
     * none under seccomp) and, once unshared, forbids creating the slot threads (EINVAL). */
    static const int flags = CLONE_NEWUSER | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWNS;
    if (unshare(flags) == 0)
        return ARCA_PROT_NAMESPACES;
    return 0;
}

/* Landlock, with constants up to ABI 6 (the system headers may be older). */
#ifndef SYS_landlock_create_ruleset
#define SYS_landlock_create_ruleset 444
#define SYS_landlock_add_rule 445
#define SYS_landlock_restrict_self 446
#endif
#define LL_CREATE_RULESET_VERSION (1u << 0)

struct ll_ruleset_attr {
    uint64_t handled_access_fs;
    uint64_t handled_access_net; /* ABI >= 4 */
    uint64_t scoped;             /* ABI >= 6 */
};

uint32_t arca__sandbox_landlock(void)
{
    long abi = syscall(SYS_landlock_create_ruleset, NULL, 0, LL_CREATE_RULESET_VERSION);
    if (abi < 1)
        return 0;
    struct ll_ruleset_attr attr = {0, 0, 0};
    size_t attr_size = offsetof(struct ll_ruleset_attr, handled_access_net);
    attr.handled_access_fs = (UINT64_C(1) << 13) - 1; /* ABI 1: EXECUTE .. MAKE_SYM */
    if (abi >= 2)
        attr.handled_access_fs |= UINT64_C(1) << 13; /* REFER */
    if (abi >= 3)
        attr.handled_access_fs |= UINT64_C(1) << 14; /* TRUNCATE */
    if (abi >= 5)
        attr.handled_access_fs |= UINT64_C(1) << 15; /* IOCTL_DEV */
    if (abi >= 4) {
        attr.handled_access_net = (UINT64_C(1) << 0) | (UINT64_C(1) << 1); /* BIND/CONNECT_TCP */
        attr_size = offsetof(struct ll_ruleset_attr, scoped);
    }
    if (abi >= 6) {
        attr.scoped = (UINT64_C(1) << 0) | (UINT64_C(1) << 1); /* abstract unix sockets, signals */
        attr_size = sizeof attr;
    }
    /* No rules added: every handled access is denied. */
    int fd = (int)syscall(SYS_landlock_create_ruleset, &attr, attr_size, 0);
    if (fd < 0)
        return 0;
    long rc = syscall(SYS_landlock_restrict_self, fd, 0);
    close(fd);
    return rc == 0 ? ARCA_PROT_LANDLOCK : 0;
}

/* Allow a syscall unconditionally; 0 on success. */
static int allow(scmp_filter_ctx ctx, int nr)
{
    return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
}

/*
 * Naming the forbidden call. The filter's default action is SECCOMP_RET_TRAP: the kernel sends
 * the calling thread SIGSYS with the call's number, and this handler writes
 * "arca-runner: seccomp: forbidden system call NAME (NR)" to stderr (libarca reads it and names
 * the call in the enclave's lost reason), then makes a forbidden call itself: with SIGSYS
 * blocked inside its own handler, the kernel resets it to the default action and the whole
 * process dies by SIGSYS, exactly as a KILL_PROCESS filter would end it. The handler cannot be
 * replaced by enclave code (rt_sigaction is not allowed) and uses only write() and a table of
 * names built before the filter was loaded (libseccomp allocates; a handler must not).
 */
#define SYSCALL_NAMES 512
#define SYSCALL_NAME_MAX 28
static char syscall_names[SYSCALL_NAMES][SYSCALL_NAME_MAX];

static size_t put_text(char *out, size_t at, size_t cap, const char *text)
{
    while (*text && at + 1 < cap)
        out[at++] = *text++;
    return at;
}

static size_t put_number(char *out, size_t at, size_t cap, unsigned long v)
{
    char digits[24];
    size_t n = 0;
    do
        digits[n++] = (char)('0' + v % 10);
    while ((v /= 10) != 0 && n < sizeof digits);
    while (n && at + 1 < cap)
        out[at++] = digits[--n];
    return at;
}

static void on_sigsys(int sig, siginfo_t *info, void *context)
{
    (void)sig, (void)context;
    char line[128];
    size_t at = put_text(line, 0, sizeof line, "arca-runner: seccomp: forbidden system call ");
    int nr = info->si_syscall;
    at = put_text(line, at, sizeof line,
                  nr >= 0 && nr < SYSCALL_NAMES && syscall_names[nr][0] ? syscall_names[nr]
                                                                        : "unknown");
    at = put_text(line, at, sizeof line, " (");
    at = put_number(line, at, sizeof line, (unsigned long)(unsigned)nr);
    at = put_text(line, at, sizeof line, ")\n");
    (void)!write(STDERR_FILENO, line, at);
    /* Forbidden, with SIGSYS blocked: the kernel ends the process with SIGSYS. */
    syscall(SYS_getppid);
    _exit(128 + SIGSYS); /* not reached */
}

/* The names for the handler and the handler itself; 0 when both are in place. */
static int prepare_trap(void)
{
    struct sigaction sa;
    for (int nr = 0; nr < SYSCALL_NAMES; nr++) {
        char *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);
        if (name)
            snprintf(syscall_names[nr], SYSCALL_NAME_MAX, "%s", name);
        free(name);
    }
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_sigsys;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    return sigaction(SIGSYS, &sa, NULL);
}

uint32_t arca__sandbox_seccomp(int control_fd, int platform_fd, int may_reconnect)
{
    uint32_t bit = 0;
    /* A call outside the allowlist traps (named by on_sigsys, then the process dies); without
     * the handler in place it kills the process at once, unnamed. */
    scmp_filter_ctx ctx = seccomp_init(prepare_trap() == 0 ? SCMP_ACT_TRAP : SCMP_ACT_KILL_PROCESS);
    if (!ctx)
        return 0;
    int rc = 0;
    /* An x32-ABI call (nr | __X32_SYSCALL_BIT) or a foreign architecture ends the process,
     * not only the calling thread (libseccomp's default), so the host sees the enclave lost
     * instead of a call that never returns. */
    rc |= seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
    /* Memory: never executable, and only anonymous: a descriptor mapped MAP_SHARED (stderr,
     * when it is a regular file) would let the enclave rewrite the file. The loader maps the
     * image anonymously before this filter; after it only the heap's and TLS's own do. */
    rc |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mmap), 2,
                           SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0),
                           SCMP_A3(SCMP_CMP_MASKED_EQ, MAP_ANONYMOUS, MAP_ANONYMOUS));
    rc |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mprotect), 1,
                           SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
    rc |= allow(ctx, SCMP_SYS(munmap));
    rc |= allow(ctx, SCMP_SYS(madvise));
    rc |= allow(ctx, SCMP_SYS(brk));
    /* The control socket (the main thread waits for EOF on it), the platform connection (keys
     * and evidence, src/loader/services.c) and stderr (a pipe libarca reads, escapes and
     * prefixes line by line). */
    const struct scmp_arg_cmp on_control = {0, SCMP_CMP_EQ, (scmp_datum_t)control_fd, 0};
    const struct scmp_arg_cmp on_platform = {0, SCMP_CMP_EQ, (scmp_datum_t)platform_fd, 0};
    const struct scmp_arg_cmp on_stderr = {0, SCMP_CMP_EQ, (scmp_datum_t)STDERR_FILENO, 0};
    rc |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(read), 1, on_control);
    rc |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(write), 1, on_control);
    rc |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(read), 1, on_platform);
    rc |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(write), 1, on_platform);
    /* The loader closes its platform connection when the platform refuses or fails BIND
     * (src/loader/services.c): that must report the platform's reason, not a forbidden call. */
    rc |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(close), 1, on_platform);
    rc |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(write), 1, on_stderr);
    if (may_reconnect) {
        /* Launched by arcad: the platform connection can be made again after arcad restarted
         * (reconnect.c): a new SOCK_SEQPACKET Unix socket only (no other family or type, and
         * the network namespace holds no interface), connected by path, its time-outs set,
         * moved onto the platform fd. Descriptors below the platform's stay untouchable. */
        const struct scmp_arg_cmp above = {0, SCMP_CMP_GT, (scmp_datum_t)platform_fd, 0};
        rc |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socket), 3, SCMP_A0(SCMP_CMP_EQ, AF_UNIX, 0),
                               SCMP_A1(SCMP_CMP_EQ, SOCK_SEQPACKET | SOCK_CLOEXEC, 0),
                               SCMP_A2(SCMP_CMP_EQ, 0, 0));
        rc |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(connect), 1, above);
        rc |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(setsockopt), 3, above,
                               SCMP_A1(SCMP_CMP_EQ, SOL_SOCKET, 0),
                               SCMP_A2(SCMP_CMP_EQ, SO_RCVTIMEO, 0));
        rc |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(setsockopt), 3, above,
                               SCMP_A1(SCMP_CMP_EQ, SOL_SOCKET, 0),
                               SCMP_A2(SCMP_CMP_EQ, SO_SNDTIMEO, 0));
        rc |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(dup3), 3, above,
                               SCMP_A1(SCMP_CMP_EQ, (scmp_datum_t)platform_fd, 0),
                               SCMP_A2(SCMP_CMP_EQ, O_CLOEXEC, 0));
        rc |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(close), 1, above);
    }
    /* Waiting, time, randomness, signals' return path, thread identity, exit. */
    rc |= allow(ctx, SCMP_SYS(futex));
    rc |= allow(ctx, SCMP_SYS(sched_yield));
    rc |= allow(ctx, SCMP_SYS(nanosleep));
    rc |= allow(ctx, SCMP_SYS(clock_nanosleep));
    rc |= allow(ctx, SCMP_SYS(clock_gettime));
    rc |= allow(ctx, SCMP_SYS(clock_getres));
    rc |= allow(ctx, SCMP_SYS(gettimeofday));
    rc |= allow(ctx, SCMP_SYS(getrandom));
    rc |= allow(ctx, SCMP_SYS(rt_sigreturn));
    rc |= allow(ctx, SCMP_SYS(rt_sigprocmask));
    rc |= allow(ctx, SCMP_SYS(restart_syscall));
    rc |= allow(ctx, SCMP_SYS(gettid));
    rc |= allow(ctx, SCMP_SYS(rseq));            /* thread start-up, harmless */
    rc |= allow(ctx, SCMP_SYS(set_robust_list)); /* thread start-up, harmless */
    rc |= allow(ctx, SCMP_SYS(getpid));
    rc |= allow(ctx, SCMP_SYS(exit));
    rc |= allow(ctx, SCMP_SYS(exit_group));
    /* Every slot thread exists already: apply the filter to all of them at once. */
    rc |= seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
    if (rc == 0 && seccomp_load(ctx) == 0)
        bit = ARCA_PROT_SECCOMP;
    seccomp_release(ctx);
    return bit;
}
