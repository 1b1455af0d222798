/*
 * threads_ids.h — function ids and constants shared by the threads test enclave and its host
 * test (tests/threads). Plain numbers only.
 */
#ifndef ARCA_TESTS_THREADS_IDS_H
#define ARCA_TESTS_THREADS_IDS_H

#define TH_ENCLAVE_THREADS 4 /* EnclaveThreads in threads.conf */

/* ecalls; each replies with a u32 array (TH_REPORT_WORDS words) the host compares */
#define TH_CREATE_JOIN 1      /* in: u32 rounds; rounds x 4 threads, each joined */
#define TH_DETACH 2           /* detached threads (attribute and pthread_detach) */
#define TH_PRODUCER_CONSUMER 3 /* 2 producers, 2 consumers: a mutex and two condition variables */
#define TH_BOUND 4            /* every enclave thread busy: EAGAIN, and join's error codes */
#define TH_OUTPUT 5           /* a thread prints and tries a host call; joined */
#define TH_OUTPUT_DETACHED 6  /* a detached thread prints; the call returns without a join */
#define TH_OUTPUT_FLOOD 7     /* a thread writes 1.5 MiB while the call waits in pthread_join */
#define TH_BACKGROUND_START 8 /* a thread that waits for TH_BACKGROUND_FINISH; out: its handle */
#define TH_BACKGROUND_FINISH 9 /* in: the handle; lets the thread go and joins it (another call) */
#define TH_SLEEPER 10         /* a detached thread that sleeps 300 ms, then returns */
#define TH_EXIT_ON_CALL_THREAD 11 /* pthread_exit on the thread of the call: the enclave ends */
#define TH_CREATE_ONE 12      /* one pthread_create; out: u32 its result (the image without threads) */

#define TH_REPORT_WORDS 16

/* host calls */
#define TH_HC_PING 1 /* replies "pong" */

/* What TH_OUTPUT prints, in order, and TH_OUTPUT_DETACHED. */
#define TH_OUTPUT_BEFORE "call: before the thread\n"
#define TH_OUTPUT_THREAD "thread: printf 42\n"
#define TH_OUTPUT_THREAD_WRITE "thread: write(1)\n"
#define TH_OUTPUT_AFTER "call: after the join\n"
#define TH_OUTPUT_THREAD_ERR "thread: to stderr\n"
#define TH_OUTPUT_DETACHED_TEXT "detached thread: printed\n"
#define TH_FLOOD_BYTES (3u << 19) /* 1.5 MiB */

#endif
