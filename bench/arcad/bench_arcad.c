/*
 * bench_arcad.c — what launching through arcad costs: enclave create + destroy and one
 * evidence request, each through arcad (the daemon verifies the image, starts arca-runner
 * under its uid, signs evidence in its process) beside the same operation on the dev platform
 * (libarca starts the runner; a thread of the host signs), measured in the same run in
 * alternating rounds, with the ratio the issue sets a bound on (≤ 1.3×). The bench starts its
 * own arcad (a temporary state directory and socket; --allow-root when run as root) and stops
 * it at the end.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../bench_util.h"
#include "arca/host.h"

#define CREATE_BUDGET 0.6
#define EVIDENCE_BUDGET 0.3

static char dir[] = "/tmp/arca-bench-arcad.XXXXXX";
static char sock[200], state[200], setting[260];
static pid_t arcad_pid = -1;

static int start_arcad(const char *bin_dir)
{
    char arcad[4200], runner[4200];
    snprintf(arcad, sizeof arcad, "%s/arcad", bin_dir);
    snprintf(runner, sizeof runner, "%s/arca-runner", bin_dir);
    if (!mkdtemp(dir))
        return -1;
    snprintf(sock, sizeof sock, "%s/arcad.sock", dir);
    snprintf(state, sizeof state, "%s/state", dir);
    snprintf(setting, sizeof setting, "arcad.socket=%s", sock);
    arcad_pid = fork();
    if (arcad_pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        dup2(null, 2);
        execl(arcad, "arcad", "--state-dir", state, "--socket", sock, "--runner", runner,
              "--enclaves-per-uid", "1000", geteuid() == 0 ? "--allow-root" : NULL, (char *)NULL);
        _exit(127);
    }
    for (int i = 0; i < 500; i++) {
        struct stat st;
        if (stat(sock, &st) == 0)
            return 0;
        usleep(10000);
    }
    return -1;
}

static void stop_arcad(void)
{
    if (arcad_pid > 0) {
        kill(arcad_pid, SIGTERM);
        waitpid(arcad_pid, NULL, 0);
    }
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    (void)!system(cmd);
}

static arca_enclave_t *create(const char *platform)
{
    const char *settings[] = {setting, NULL};
    arca_enclave_options_t o;
    arca_enclave_t *e = NULL;
    arca_enclave_options_init(&o);
    o.backend = "process";
    o.platform = platform;
    o.settings = strcmp(platform, "arcad") ? NULL : settings;
    arca_result_t r = arca_enclave_create(BENCH_IMAGE, &o, &e);
    if (r != ARCA_OK) {
        fprintf(stderr, "bench_arcad: create on %s: %s (%s)\n", platform, arca_result_name(r),
                arca_last_error());
        exit(1);
    }
    return e;
}

static void evidence(arca_enclave_t *e)
{
    uint8_t rd[64] = {1};
    size_t n = 0;
    arca_result_t r = arca_enclave_call(e, 2, rd, sizeof rd, NULL, 0, &n);
    if (r != ARCA_OK) {
        fprintf(stderr, "bench_arcad: evidence: %s (%s)\n", arca_result_name(r), arca_last_error());
        exit(1);
    }
}

int main(int argc, char **argv)
{
    char bin_dir[4096];
    snprintf(bin_dir, sizeof bin_dir, "%s", argc > 1 ? argv[1] : BENCH_BIN_DIR);
    if (start_arcad(bin_dir) != 0) {
        fprintf(stderr, "bench_arcad: cannot start arcad from %s\n", bin_dir);
        stop_arcad();
        return 1;
    }
    double create_dev[ROUNDS], create_arcad[ROUNDS], ev_dev[ROUNDS], ev_arcad[ROUNDS];
    arca_enclave_t *dev = create("dev"), *arcad = create("arcad");
    for (int r = 0; r < ROUNDS; r++) {
        create_dev[r] = TIME_OPS(CREATE_BUDGET, arca_enclave_destroy(create("dev")));
        create_arcad[r] = TIME_OPS(CREATE_BUDGET, arca_enclave_destroy(create("arcad")));
        ev_dev[r] = TIME_OPS(EVIDENCE_BUDGET, evidence(dev));
        ev_arcad[r] = TIME_OPS(EVIDENCE_BUDGET, evidence(arcad));
    }
    arca_enclave_destroy(dev);
    arca_enclave_destroy(arcad);
    stop_arcad();
    double cd = median(create_dev, ROUNDS), ca = median(create_arcad, ROUNDS);
    double ed = median(ev_dev, ROUNDS), ea = median(ev_arcad, ROUNDS);
    printf("\nbench_arcad: the platform daemon against the dev platform (process backend; "
           "medians of %d alternating rounds)\n\n", ROUNDS);
    printf("%-34s %12s %12s %8s %8s\n", "operation", "dev", "arcad", "ratio", "target");
    printf("%-34s %10.2f ms %10.2f ms %7.2fx %7s\n", "enclave create + destroy", cd * 1e3,
           ca * 1e3, ca / cd, "<=1.3x");
    printf("%-34s %10.1f us %10.1f us %7.2fx %7s\n", "evidence (ecall -> platform)", ed * 1e6,
           ea * 1e6, ea / ed, "<=1.3x");
    return 0;
}
