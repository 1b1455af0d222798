/*
 * channel_floor.h — the call channel alone between two processes (channel_floor.c), a
 * baseline of bench_calls: what a process call costs with Arca's layers taken away.
 */
#ifndef ARCA_BENCH_CHANNEL_FLOOR_H
#define ARCA_BENCH_CHANNEL_FLOOR_H

#include <sys/types.h>

/** Fork the peer that serves empty ecalls on a private slot; @p place_peer (may be NULL)
 *  runs first in the child (CPU pinning). @return the peer's pid, or -1. */
pid_t channel_floor_start(void (*place_peer)(void));

/** One empty ecall through the slot, as the process backend makes it (an op_fn for the
 *  bench's timing loops). @return 0, or -1 if the reply was not an ECALL_DONE with ARCA_OK. */
int channel_floor_call(void *ctx);

/** Stop and reap the peer. */
void channel_floor_stop(pid_t pid);

#endif
