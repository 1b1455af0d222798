/*
 * spawn_runner.c — posix_spawn of arca-runner with exactly its five descriptors (see
 * spawn_runner.h), for the process backend and for arcad. The descriptors are first moved out
 * of the way of 2..6 so the dup2s cannot clobber each other.
 * This file must never let any other descriptor of the caller reach the runner, nor any of
 * the caller's environment or signal state.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <unistd.h>

#include "channel/channel.h"
#include "error.h"
#include "spawn_runner.h"

arca_result_t arca__spawn_runner(const char *path, char *const argv[],
                                 const int fds[ARCA__RUNNER_SPAWN_FDS], int own_group, pid_t *pid)
{
    arca_result_t result = ARCA_OK;
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attr;
    int actions_ready = 0, attr_ready = 0, rc;
    int high[ARCA__RUNNER_SPAWN_FDS] = {-1, -1, -1, -1, -1};
    char *envp[] = {NULL};
    sigset_t none, all;
    short flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;

    for (int i = 0; i < ARCA__RUNNER_SPAWN_FDS; i++) {
        high[i] = fcntl(fds[i], F_DUPFD_CLOEXEC, 10);
        if (high[i] < 0)
            ARCA_RAISE(ARCA_ERR_IO, "cannot duplicate a descriptor for arca-runner: %s",
                       strerror(errno));
    }
    if (posix_spawn_file_actions_init(&actions) != 0)
        ARCA_RAISE(ARCA_ERR_OUT_OF_MEMORY, "posix_spawn_file_actions_init failed");
    actions_ready = 1;
    rc = posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    rc |= posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    rc |= posix_spawn_file_actions_adddup2(&actions, high[4], STDERR_FILENO);
    for (int i = 0; i < 4; i++)
        rc |= posix_spawn_file_actions_adddup2(&actions, high[i], ARCA__RUNNER_FD_CONTROL + i);
    /* Every other descriptor of the caller is closed in the runner. */
    rc |= posix_spawn_file_actions_addclosefrom_np(&actions, ARCA__RUNNER_FD_PLATFORM + 1);
    if (rc != 0)
        ARCA_RAISE(ARCA_ERR_OUT_OF_MEMORY, "cannot prepare the runner's descriptors");
    if (posix_spawnattr_init(&attr) != 0)
        ARCA_RAISE(ARCA_ERR_OUT_OF_MEMORY, "posix_spawnattr_init failed");
    attr_ready = 1;
    sigemptyset(&none);
    sigfillset(&all);
    rc = posix_spawnattr_setsigmask(&attr, &none);
    rc |= posix_spawnattr_setsigdefault(&attr, &all);
    if (own_group) {
        rc |= posix_spawnattr_setpgroup(&attr, 0);
        flags |= POSIX_SPAWN_SETPGROUP;
    }
    rc |= posix_spawnattr_setflags(&attr, flags);
    if (rc != 0)
        ARCA_RAISE(ARCA_ERR_INTERNAL, "cannot prepare the runner's signal state");
    rc = posix_spawn(pid, path, &actions, &attr, argv, envp);
    if (rc != 0)
        ARCA_RAISE(ARCA_ERR_BACKEND_UNAVAILABLE, "cannot start arca-runner (%s): %s", path,
                   strerror(rc));
done:
    for (int i = 0; i < ARCA__RUNNER_SPAWN_FDS; i++)
        if (high[i] >= 0)
            close(high[i]);
    if (actions_ready)
        posix_spawn_file_actions_destroy(&actions);
    if (attr_ready)
        posix_spawnattr_destroy(&attr);
    return result;
}
