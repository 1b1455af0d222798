/*
 * runner_util.h — helpers for the process-backend tests: find this process's arca-runner
 * children in /proc (what any attacker on the host can do), check whether a pid is gone,
 * and find the shared channel mapping in /proc/self/maps (the host's own memory: a hostile
 * host can write there at will, which is exactly what the attack tests do).
 */
#ifndef ARCA_TESTS_RUNNER_UTIL_H
#define ARCA_TESTS_RUNNER_UTIL_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "arca/host.h"

/* Parse /proc/PID/stat: comm and state and ppid. 0 on success. */
static inline int proc_stat(pid_t pid, char comm[64], char *state, pid_t *ppid)
{
    char path[64], buf[512];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    char *open = strchr(buf, '('), *close = strrchr(buf, ')');
    if (!open || !close || close < open)
        return -1;
    size_t len = (size_t)(close - open - 1);
    if (len > 63)
        len = 63;
    memcpy(comm, open + 1, len);
    comm[len] = '\0';
    int pp = 0;
    if (sscanf(close + 2, "%c %d", state, &pp) != 2)
        return -1;
    *ppid = (pid_t)pp;
    return 0;
}

/* This process's live (non-zombie) children whose comm is `comm`; returns the count. */
static inline int children_named(const char *comm_want, pid_t *out, int max)
{
    int n = 0;
    DIR *d = opendir("/proc");
    struct dirent *de;
    if (!d)
        return 0;
    while ((de = readdir(d)) != NULL && n < max) {
        pid_t pid = (pid_t)atoi(de->d_name);
        char comm[64], state;
        pid_t ppid;
        if (pid > 0 && proc_stat(pid, comm, &state, &ppid) == 0 && ppid == getpid() &&
            !strcmp(comm, comm_want) && state != 'Z')
            out[n++] = pid;
    }
    closedir(d);
    return n;
}

/* The arca-runner children of this process; returns the count. */
static inline int runner_children(pid_t *out, int max)
{
    return children_named("arca-runner", out, max);
}

/* The runner started most recently (the one not in before[]), or -1. */
static inline pid_t newest_runner(const pid_t *before, int nbefore)
{
    pid_t now[64];
    int n = runner_children(now, 64);
    for (int i = 0; i < n; i++) {
        int known = 0;
        for (int j = 0; j < nbefore; j++)
            known |= now[i] == before[j];
        if (!known)
            return now[i];
    }
    return -1;
}

/*
 * Create a process-backend enclave from `path` with these host calls and, when `runner` is
 * not NULL, report the arca-runner it started (-1 when creation failed).
 */
static inline arca_result_t open_process_enclave(const char *path, const arca_host_call_t *calls,
                                                 size_t call_count, arca_enclave_t **e,
                                                 pid_t *runner)
{
    arca_enclave_options_t o;
    pid_t before[64];
    int nb = runner_children(before, 64);
    arca_enclave_options_init(&o);
    o.backend = "process";
    o.host_calls = calls;
    o.host_call_count = call_count;
    arca_result_t r = arca_enclave_create(path, &o, e);
    if (runner)
        *runner = r == ARCA_OK ? newest_runner(before, nb) : -1;
    return r;
}

/* 1 when pid no longer exists (or is a zombie that is not our child), polling up to ms. */
static inline int pid_gone_within(pid_t pid, int ms)
{
    for (int waited = 0; waited <= ms; waited += 10) {
        char comm[64], state;
        pid_t ppid;
        if (proc_stat(pid, comm, &state, &ppid) != 0)
            return 1;
        if (state == 'Z' && ppid != getpid())
            return 1; /* dead, waiting for init to reap it */
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    return 0;
}

static inline double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

#endif
