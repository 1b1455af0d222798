/*
 * spawn_runner.h — starting arca-runner with exactly its descriptors: shared by the process
 * backend (libarca starts the runner itself) and arcad (which starts it for a host). Internal.
 */
#ifndef ARCA_BASE_SPAWN_RUNNER_H
#define ARCA_BASE_SPAWN_RUNNER_H

#include <sys/types.h>

#include "arca/result.h"

/* The runner's descriptors, in this order: control, image, channel, platform (they become
 * fds 3, 4, 5, 6) and its stderr (fd 2). 0 and 1 are /dev/null; every other fd is closed. */
#define ARCA__RUNNER_SPAWN_FDS 5

/**
 * posix_spawn @p path with @p argv, an empty environment, default signal dispositions and an
 * empty signal mask, and the descriptors @p fds (ARCA__RUNNER_SPAWN_FDS, see above).
 * @param own_group  non-zero: the runner gets a process group of its own
 * @return ARCA_OK (*pid set); ARCA_ERR_BACKEND_UNAVAILABLE naming the path when it cannot start.
 */
arca_result_t arca__spawn_runner(const char *path, char *const argv[],
                                 const int fds[ARCA__RUNNER_SPAWN_FDS], int own_group, pid_t *pid)
    __attribute__((warn_unused_result));

#endif
