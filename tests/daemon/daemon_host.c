/*
 * daemon_host.c — a host program for the arcad tests (tests/daemon/test_arcad.c), driven by
 * commands on stdin, one per line, each answered by one line on stdout (flushed at once), so
 * that a test can kill and restart arcad between two calls of a running enclave. It is an
 * ordinary libarca host: the platform comes from the environment (ARCA_PLATFORM=arcad,
 * ARCA_ARCAD_SOCKET), the backend is `process`.
 *
 *   create                         a new enclave of the image (argv[1]); it becomes the current
 *                                  one                                        -> ok SLOT
 *   identity                       -> ok MEASUREMENT SIGNER PROTECTIONS(hex u32) BACKEND
 *   ping                           an echo through the enclave                -> ok
 *   seal HEX | unseal HEX          ARCA_SEAL_ENCLAVE                          -> ok HEX
 *   evidence HEX                   report data (1..64 bytes, zero padded)     -> ok HEX
 *   counter create|inc|read NAME [enclave|signer]                             -> ok VALUE
 *   incloop NAME N                 N increments of counter NAME (enclave policy): a line
 *                                  "v VALUE" per acknowledged one; while the platform is
 *                                  unavailable, "unavailable" (once per outage) and a retry
 *                                  every 20 ms (for 60 s at most)             -> done LAST
 *   load THREADS ROUNDS            THREADS threads, each ROUNDS times: create, ping,
 *                                  increment counter "load" (created if missing), destroy
 *                                                                             -> ok COUNT
 *   abort                          the enclave calls abort()                  -> the result
 *   destroy                        the current enclave                        -> ok
 *   quit                           destroy what is left, exit 0
 * Failures answer "error NAME detail": NAME from arca_result_name ("ERR_QUOTA"), the detail from
 * arca_last_error(). Test-only.
 * This program must never answer a command with more than one line (incloop's progress
 * lines end with its one "done" or "error" line), and never exit with an enclave alive.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arca/host.h"
#include "arca/seal.h"
#include "base/hex.h"
#include "daemon_ids.h"
#include "host_lines.h"

static void say_hex(const uint8_t *bytes, size_t n)
{
    char *hex = malloc(2 * n + 1);
    if (!hex) {
        say("error ERR_OUT_OF_MEMORY host");
        return;
    }
    arca__hex_encode(bytes, n, hex);
    say("ok %s", hex);
    free(hex);
}

static arca_enclave_t *current(void)
{
    return live ? enclaves[live - 1] : NULL;
}

static arca_result_t counter(arca_enclave_t *e, uint32_t op, uint32_t policy, const char *name,
                             uint64_t *value)
{
    uint8_t in[8 + 128], out[8];
    size_t len = strlen(name), got = 0;
    if (len > sizeof in - 8)
        len = sizeof in - 8;
    for (int i = 0; i < 4; i++) {
        in[i] = (uint8_t)(op >> (8 * i));
        in[4 + i] = (uint8_t)(policy >> (8 * i));
    }
    memcpy(in + 8, name, len);
    arca_result_t r = arca_enclave_call(e, DAEMON_FN_COUNTER, in, 8 + len, out, sizeof out, &got);
    if (r == ARCA_OK) {
        *value = 0;
        for (int i = 0; i < 8; i++)
            *value |= (uint64_t)out[i] << (8 * i);
    }
    return r;
}

/* A call with hex input, answered with hex output. */
static void call_hex(uint32_t fn, const char *hex, size_t pad_to)
{
    size_t n = strlen(hex) / 2, got = 0, cap = n > pad_to ? n : pad_to;
    uint8_t *in = calloc(1, cap ? cap : 1), *out = malloc(OUT_CAP);
    arca_result_t r = ARCA_ERR_INVALID_ARGUMENT;
    if (!in || !out || arca__hex_decode(hex, strlen(hex), in, cap, &n) != ARCA_OK) {
        say("error ERR_INVALID_ARGUMENT host: bad hex");
        goto done;
    }
    r = arca_enclave_call(current(), fn, in, pad_to ? pad_to : n, out, OUT_CAP, &got);
    if (r == ARCA_OK)
        say_hex(out, got);
    else
        say_error(r);
done:
    free(in);
    free(out);
}

static void incloop(const char *name, long count)
{
    uint64_t v = 0, last = 0;
    int down = 0;
    struct timespec pause = {0, 20 * 1000 * 1000};
    for (long i = 0; i < count;) {
        arca_result_t r = counter(current(), DAEMON_COUNTER_INCREMENT, ARCA_SEAL_ENCLAVE, name, &v);
        if (r == ARCA_OK) {
            say("v %llu", (unsigned long long)v);
            last = v;
            down = 0;
            i++;
        } else if (r == ARCA_ERR_PLATFORM_UNAVAILABLE && down < 3000) {
            if (!down)
                say("unavailable");
            down++;
            nanosleep(&pause, NULL);
        } else {
            say_error(r);
            return;
        }
    }
    say("done %llu", (unsigned long long)last);
}

/* ---- load: many clients at once ---- */

typedef struct load_state {
    long rounds;
    pthread_mutex_t lock;
    long done, errors;
    char first[1200];
} load_state;

static void load_fail(load_state *s, const char *what, arca_result_t r)
{
    pthread_mutex_lock(&s->lock);
    if (!s->errors++)
        snprintf(s->first, sizeof s->first, "%s: %s %s", what, arca_result_name(r),
                 arca_last_error());
    pthread_mutex_unlock(&s->lock);
}

static void *load_main(void *arg)
{
    load_state *s = arg;
    for (long i = 0; i < s->rounds; i++) {
        arca_enclave_t *e = NULL;
        uint8_t ping[32], back[32];
        size_t got = 0;
        uint64_t v = 0;
        arca_result_t r = create(&e);
        if (r != ARCA_OK) {
            load_fail(s, "create", r);
            continue;
        }
        memset(ping, (int)i, sizeof ping);
        r = arca_enclave_call(e, DAEMON_FN_PING, ping, sizeof ping, back, sizeof back, &got);
        if (r != ARCA_OK || got != sizeof ping || memcmp(ping, back, got) != 0)
            load_fail(s, "ping", r == ARCA_OK ? ARCA_ERR_APP : r);
        r = counter(e, DAEMON_COUNTER_CREATE, ARCA_SEAL_ENCLAVE, "load", &v);
        if (r != ARCA_OK && r != ARCA_ERR_EXISTS)
            load_fail(s, "counter create", r);
        r = counter(e, DAEMON_COUNTER_INCREMENT, ARCA_SEAL_ENCLAVE, "load", &v);
        if (r != ARCA_OK)
            load_fail(s, "counter increment", r);
        r = arca_enclave_destroy(e);
        if (r != ARCA_OK)
            load_fail(s, "destroy", r);
        pthread_mutex_lock(&s->lock);
        s->done++;
        pthread_mutex_unlock(&s->lock);
    }
    return NULL;
}

static void load(long threads, long rounds)
{
    static load_state s;
    pthread_t t[256];
    long started = 0;
    memset(&s, 0, sizeof s);
    pthread_mutex_init(&s.lock, NULL);
    s.rounds = rounds;
    if (threads < 1 || threads > 256 || rounds < 1) {
        say("error ERR_INVALID_ARGUMENT host: load THREADS(1..256) ROUNDS");
        return;
    }
    for (; started < threads; started++)
        if (pthread_create(&t[started], NULL, load_main, &s) != 0)
            break;
    for (long i = 0; i < started; i++)
        pthread_join(t[i], NULL);
    if (started != threads)
        say("error ERR_OUT_OF_MEMORY host: started %ld of %ld threads", started, threads);
    else if (s.errors)
        say("error %ld errors, the first: %s", s.errors, s.first);
    else
        say("ok %ld", s.done);
    pthread_mutex_destroy(&s.lock);
}

/* ---- commands ---- */

static void identity(void)
{
    arca_identity_t id;
    char m[65], s[65];
    arca_result_t r = arca_enclave_identity(current(), &id);
    if (r != ARCA_OK) {
        say_error(r);
        return;
    }
    arca__hex_encode(id.measurement, sizeof id.measurement, m);
    arca__hex_encode(id.signer_id, sizeof id.signer_id, s);
    say("ok %s %s %08x %s", m, s, id.protections, arca_backend_id_name(id.backend));
}

/* @return 1 for quit. */
static int command(char *line)
{
    char *argv[5] = {0};
    int argc = 0;
    for (char *save = NULL, *w = strtok_r(line, " \t\r\n", &save); w && argc < 5;
         w = strtok_r(NULL, " \t\r\n", &save))
        argv[argc++] = w;
    if (argc == 0) {
        say("error ERR_INVALID_ARGUMENT host: empty command");
        return 0;
    }
    const char *cmd = argv[0];
    if (!strcmp(cmd, "create")) {
        arca_enclave_t *e = NULL;
        arca_result_t r = live < MAX_ENCLAVES ? create(&e) : ARCA_ERR_INVALID_ARGUMENT;
        if (r != ARCA_OK) {
            say_error(r);
            return 0;
        }
        enclaves[live++] = e;
        say("ok %d", live - 1);
        return 0;
    }
    if (!strcmp(cmd, "quit"))
        return 1;
    if (!strcmp(cmd, "load") && argc == 3) {
        load(strtol(argv[1], NULL, 10), strtol(argv[2], NULL, 10));
        return 0;
    }
    if (!current()) {
        say("error ERR_INVALID_ARGUMENT host: no enclave (create one first)");
        return 0;
    }
    if (!strcmp(cmd, "identity")) {
        identity();
    } else if (!strcmp(cmd, "ping")) {
        uint8_t back[16];
        size_t got = 0;
        arca_result_t r = arca_enclave_call(current(), DAEMON_FN_PING, "ping-from-host", 14, back,
                                            sizeof back, &got);
        if (r == ARCA_OK && (got != 14 || memcmp(back, "ping-from-host", 14) != 0))
            say("error ERR_APP host: the echo came back changed");
        else if (r == ARCA_OK)
            say("ok");
        else
            say_error(r);
    } else if ((!strcmp(cmd, "seal") || !strcmp(cmd, "unseal")) && argc == 2) {
        call_hex(cmd[0] == 's' ? DAEMON_FN_SEAL : DAEMON_FN_UNSEAL, argv[1], 0);
    } else if (!strcmp(cmd, "evidence") && argc == 2 && strlen(argv[1]) <= 128) {
        call_hex(DAEMON_FN_EVIDENCE, argv[1], 64);
    } else if (!strcmp(cmd, "counter") && (argc == 3 || argc == 4)) {
        uint32_t op = !strcmp(argv[1], "create") ? DAEMON_COUNTER_CREATE
                      : !strcmp(argv[1], "inc")  ? DAEMON_COUNTER_INCREMENT
                      : !strcmp(argv[1], "read") ? DAEMON_COUNTER_READ
                                                 : 0;
        uint32_t policy =
            argc == 4 && !strcmp(argv[3], "signer") ? ARCA_SEAL_SIGNER : ARCA_SEAL_ENCLAVE;
        uint64_t v = 0;
        arca_result_t r =
            op ? counter(current(), op, policy, argv[2], &v) : ARCA_ERR_INVALID_ARGUMENT;
        if (r == ARCA_OK)
            say("ok %llu", (unsigned long long)v);
        else
            say_error(r);
    } else if (!strcmp(cmd, "incloop") && argc == 3) {
        incloop(argv[1], strtol(argv[2], NULL, 10));
    } else if (!strcmp(cmd, "abort")) {
        uint8_t out[8];
        size_t got = 0;
        arca_result_t r =
            arca_enclave_call(current(), DAEMON_FN_ABORT, NULL, 0, out, sizeof out, &got);
        if (r == ARCA_OK)
            say("ok");
        else
            say_error(r);
    } else if (!strcmp(cmd, "destroy")) {
        arca_result_t r = arca_enclave_destroy(enclaves[--live]);
        if (r == ARCA_OK)
            say("ok");
        else
            say_error(r);
    } else {
        say("error ERR_INVALID_ARGUMENT host: unknown command or arguments: %s", cmd);
    }
    return 0;
}

int main(int argc, char **argv)
{
    return host_main(argc, argv, command);
}
