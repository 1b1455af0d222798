/*
 * channel_floor.c — the call channel alone, for bench_calls: the slot protocol of
 * src/channel/channel.h between two processes with none of Arca's layers around it (no host
 * API, no backend table, no arca-runner, no runtime dispatch). The host side posts an empty
 * ecall and takes the reply with exactly the channel functions the process backend uses
 * (arca__channel_send, arca__channel_await, arca__channel_take_reply); the peer serves it
 * with the ones arca-runner uses (arca__channel_take_request, arca__channel_send), replying
 * at once instead of dispatching. So the table can say how much of a process call is the
 * channel and how much the layers above it.
 */
#define _GNU_SOURCE
#include "channel_floor.h"

#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "channel/channel.h"

#define FLOOR_MAX_PAYLOAD 4096u

static struct arca__slot *slot;
static uint8_t reply_buf[FLOOR_MAX_PAYLOAD];

static void serve_forever(void)
{
    static uint8_t request[FLOOR_MAX_PAYLOAD];
    uint32_t s = __atomic_load_n(&slot->state, __ATOMIC_ACQUIRE);
    for (;;) {
        arca__frame frame;
        while (s != ARCA__SLOT_ECALL)
            s = arca__channel_await(slot, &slot->runner_waiting, s, ARCA__SPIN_NS_SWITCHLESS, NULL);
        arca_result_t r = arca__channel_take_request(slot, FLOOR_MAX_PAYLOAD, request, &frame,
                                                     ARCA__SPIN_NS_SWITCHLESS, NULL);
        ARCA__SHARED_STORE(&slot->result, (int32_t)r);
        ARCA__SHARED_STORE(&slot->out_len, (uint64_t)0);
        arca__channel_send(slot, &slot->out_ready, &slot->host_waiting, ARCA__SLOT_ECALL_DONE,
                           reply_buf, 0);
        s = ARCA__SLOT_ECALL_DONE;
    }
}

pid_t channel_floor_start(void (*place_peer)(void))
{
    if (!slot) {
        void *page = mmap(NULL, 2 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        if (page == MAP_FAILED)
            return -1;
        slot = page;
    }
    /* A peer killed while asleep may have left its waiting word raised: start clean. */
    __atomic_store_n(&slot->state, ARCA__SLOT_IDLE, __ATOMIC_SEQ_CST);
    __atomic_store_n(&slot->runner_waiting, 0u, __ATOMIC_SEQ_CST);
    __atomic_store_n(&slot->host_waiting, 0u, __ATOMIC_SEQ_CST);
    __atomic_store_n(&slot->in_ready, 0u, __ATOMIC_SEQ_CST);
    __atomic_store_n(&slot->out_ready, 0u, __ATOMIC_SEQ_CST);
    pid_t pid = fork();
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlive the bench */
        if (getppid() == 1)
            _exit(0);
        if (place_peer)
            place_peer();
        serve_forever();
    }
    return pid;
}

int channel_floor_call(void *ctx)
{
    (void)ctx;
    arca__reply reply;
    size_t got = 0;
    ARCA__SHARED_STORE(&slot->fn_id, 1u);
    ARCA__SHARED_STORE(&slot->flags, 0u);
    ARCA__SHARED_STORE(&slot->in_len, (uint64_t)0);
    ARCA__SHARED_STORE(&slot->out_cap, (uint64_t)0);
    arca__channel_send(slot, &slot->in_ready, &slot->runner_waiting, ARCA__SLOT_ECALL, NULL, 0);
    uint32_t s = arca__channel_await(slot, &slot->host_waiting, ARCA__SLOT_ECALL,
                                     ARCA__SPIN_NS_SWITCHLESS, NULL);
    if (s != ARCA__SLOT_ECALL_DONE)
        return -1;
    if (arca__channel_take_reply(slot, &slot->host_waiting, NULL, 0, &reply, &got,
                                 ARCA__SPIN_NS_SWITCHLESS, NULL, 0) != ARCA_OK)
        return -1;
    return reply.result == ARCA_OK ? 0 : -1;
}

void channel_floor_stop(pid_t pid)
{
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
}
