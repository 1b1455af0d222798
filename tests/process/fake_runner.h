/*
 * fake_runner.h — what the hostile fake runner (fake_runner.c) does, chosen by the test
 * (test_hostile_runner.c): start-up behaviours by options.max_payload, reply behaviours by
 * the ecall function id. Plain numbers, shared by both.
 */
#ifndef ARCA_TESTS_FAKE_RUNNER_H
#define ARCA_TESTS_FAKE_RUNNER_H

/* Start-up (options.max_payload); any other value: a READY that tells the truth. */
#define FR_START_BAD_MAGIC 70001u          /* READY with a wrong magic */
#define FR_START_UNDEFINED_RESULT 70002u   /* READY with result 4242 */
#define FR_START_SHORT 70003u              /* a 12-byte READY */
#define FR_START_UNTERMINATED 70004u       /* READY refusing, detail without a NUL */
#define FR_START_EXIT 70005u               /* exits before READY */
#define FR_START_INIT_GARBAGE_STATE 70006u /* answers INIT with slot state 77 */
#define FR_START_HOSTILE_TEXT 70007u       /* READY OK whose caveats (no NUL) and raw stderr
                                              carry terminal escapes; then serves honestly */

/* Ecalls. */
#define FR_ECHO 1                   /* honest: out = in (streamed) */
#define FR_LONGER_THAN_CAP 2        /* OK, out_len = out_cap + 1, that many bytes written */
#define FR_HUGE_LENGTH 3            /* OK, out_len = UINT64_MAX */
#define FR_UNDEFINED_RESULT 4       /* result 9999 */
#define FR_NEGATIVE_RESULT 5        /* result -7 */
#define FR_READY_PAST_LENGTH 6      /* out_len <= out_cap, progress counter out_len + 1 */
#define FR_STALL 7                  /* promises out_cap bytes, delivers 1000, goes silent */
#define FR_GARBAGE_STATE 8          /* replies with slot state 77 */
#define FR_TOO_SMALL_HUGE 9         /* BUFFER_TOO_SMALL, needs UINT64_MAX bytes */
#define FR_SHORT_LENGTH 10          /* OK with 4 bytes, junk in the rest of the slot */
#define FR_EXIT 11                  /* exits in the middle of the call */
#define FR_HOST_CALL_TOO_LONG 12    /* host call with in_len = max_payload + 1 */
#define FR_HOST_CALL_CAP_TOO_LONG 13 /* host call with out_cap = UINT64_MAX */
#define FR_HOST_CALL_READY_PAST 14  /* host call of 4 bytes whose counter says 9 */
#define FR_HOST_CALL_STALL 15       /* host call of 2 chunks that stops after 1 */
#define FR_BACKWARDS 16             /* reply counter goes 2 chunks, then back to 1 */
#define FR_NESTED 17                /* host call FR_HC_NEST (no request, 64 bytes of reply); a
                                       nested ecall arriving on this slot meanwhile is answered
                                       "N:" + its request; then replies with the host call's
                                       result and reply */
#define FR_NESTED_BAD 18            /* the same, but answers the nested ecall with result 9999 */

/* Host calls the fake runner makes. */
#define FR_HC_NEST 2

#define FR_JUNK 0xEE /* what the fake runner writes where it should not */

#endif
