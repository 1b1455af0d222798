/*
 * test_platform_refuses.c — a platform that fails the loader's BIND (it reads the request and
 * closes without a reply) must fail create with ARCA_ERR_PLATFORM and the platform's reason, on
 * sim and on process alike. On process the runner is already under its seccomp filter when it
 * binds; its clean-up (closing the connection) must not be reported as a forbidden system call
 * of the enclave, whose code has not run yet (a review finding of issue 12).
 * The platform here is this test's own thread on a Unix socket (platform = "unix:PATH").
 * argv: any signed image
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "arca/host.h"
#include "test.h"

static int listener = -1;

/* Accept, read the BIND, close without a reply; until the listener is shut down. */
static void *refuse(void *arg)
{
    (void)arg;
    for (;;) {
        char buf[512];
        int c = accept(listener, NULL, NULL);
        if (c < 0)
            return NULL;
        (void)!recv(c, buf, sizeof buf, 0);
        close(c);
    }
}

static const char *image;
static char spec[128];

static void refused_on(const char *backend)
{
    arca_enclave_options_t o;
    arca_enclave_t *e = NULL;
    arca_enclave_options_init(&o);
    o.backend = backend;
    o.platform = spec;
    ASSERT_RESULT(arca_enclave_create(image, &o, &e), ARCA_ERR_PLATFORM);
    ASSERT_TRUE(e == NULL);
    ASSERT_CONTAINS(arca_last_error(), "platform");
    ASSERT_TRUE(strstr(arca_last_error(), "forbidden system call") == NULL);
}

static void test_refused_bind_on_sim(void) { refused_on("sim"); }
static void test_refused_bind_on_process(void) { refused_on("process"); }

int main(int argc, char **argv)
{
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    pthread_t t;
    if (argc != 2) {
        fprintf(stderr, "usage: %s image\n", argv[0]);
        return 2;
    }
    image = argv[1];
    snprintf(a.sun_path, sizeof a.sun_path, "/tmp/arca-platform-refuses.%d", (int)getpid());
    snprintf(spec, sizeof spec, "unix:%s", a.sun_path);
    unlink(a.sun_path);
    listener = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    if (listener < 0 || bind(listener, (struct sockaddr *)&a, sizeof a) != 0 ||
        listen(listener, 8) != 0 || pthread_create(&t, NULL, refuse, NULL) != 0) {
        perror("test_platform_refuses: listen");
        return 2;
    }
    RUN(test_refused_bind_on_sim);
    RUN(test_refused_bind_on_process);
    shutdown(listener, SHUT_RDWR); /* ends the thread's accept */
    pthread_join(t, NULL);
    close(listener);
    unlink(a.sun_path);
    return TEST_SUMMARY();
}
