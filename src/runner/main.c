/*
 * main.c — arca-runner, the trusted loader of the process backend. libarca (or, with the
 * arcad platform, arcad: argv "--arcad RUNNER_SOCKET") starts it with an empty environment and
 * exactly four extra fds: 3 the control socket (SOCK_SEQPACKET), 4 the sealed memfd with the
 * image bytes, 5 the sealed channel memfd, 6 its platform connection (SOCK_SEQPACKET,
 * src/formats/platform_wire.h: keys, evidence and counters come from there, never from the
 * host). Started by arcad, it runs under arcad's uid, outlives arcad (no death signal from its
 * parent; it ends when its host closes the control socket) and reconnects its platform
 * connection after arcad restarted (reconnect.c).
 *
 * Order, each step checked and reported in `protections`, all before any call is served:
 * dumpable 0, RLIMIT_CORE 0, no_new_privs, PDEATHSIG + parent check (not under arcad), the check of what the
 * launcher left (a tracer refuses the start; an inherited seccomp filter or a non-initial user
 * namespace reduces the reported bits to separate-process), START message, protected memory
 * (secure heap, and the stacks of the slot threads and of the threads the enclave creates
 * itself: EnclaveThreads, read from the sealed image first), OpenSSL init, runtime digest, image
 * re-verification (the runner trusts no verdict of the host) and stage 1 of loading (the
 * verified bytes mapped and relocated by src/loader, no image code run), channel mapping,
 * namespaces, Landlock, slot threads, the enclave's own threads (waiting for its
 * pthread_create; src/loader/libc_threads.c), seccomp, the platform connection bound to the identity
 * and protections now in force (before any image code runs, so that code cannot bind it to
 * another identity), stage 2 of loading (IFUNC resolvers, RELRO, TLS, the image's
 * initialisers: the first image code to run, inside the complete sandbox), the EDL interface
 * check, READY message. Then the main thread waits for EOF on the control socket (the host closed it
 * or died) and exits.
 *
 * This file must never serve a call before the sandbox is complete, never load bytes other
 * than the ones it verified, and never hold the enclave's keys itself: the runtime asks for
 * them over the platform connection (src/loader/services.c) into the protected heap.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto/crypto.h"
#include "base/error.h"
#include "formats/evidence.h"
#include "formats/image.h"
#include "loader/loader.h"
#include "loader/services.h"
#include "runner.h"

static arca__server_config server;
static uint8_t runtime_digest[32]; /* the runner and its libraries (src/loader) */
static arca__loaded_image *the_image; /* for its output */
static uint32_t slot_threads;      /* START's threads: the enclave's own stacks come after */

/* The runtime digest hashes several MiB of code: it runs on a thread of its own while the main
 * thread verifies and loads the image, and is joined before the namespaces step (unshare of a
 * user namespace needs a single-threaded process). */
static void *digest_thread(void *arg)
{
    arca_result_t *r = arg;
    *r = arca__runtime_digest(runtime_digest);
    return NULL;
}

/* The enclave's stdout/stderr (src/loader/libc_bind.c): to the host through the calling
 * thread's slot; outside a call, onto the runner's stderr (libarca forwards it escaped). */
static void runner_emit(void *ctx, int stream, const char *bytes, size_t len)
{
    (void)ctx;
    if (arca__server_output(stream, bytes, len) == ARCA_ERR_UNSUPPORTED)
        (void)!write(STDERR_FILENO, bytes, len);
}

/* A thread the enclave created has no slot: its output waits (src/loader/libc_threads.c) for
 * the next thread that has one, which sends what waits before its own bytes (0 bytes: only
 * that). */
static void runner_output(void *ctx, int stream, const char *bytes, size_t len)
{
    if (arca__runtime_output_defer(the_image, stream, bytes, len))
        return;
    arca__runtime_output_flush(the_image, runner_emit, ctx);
    if (len)
        runner_emit(ctx, stream, bytes, len);
}

/* The enclave's own threads run on stacks in the protected mapping, after the slot threads'. */
static void enclave_thread_stack(void *ctx, uint32_t index, void **base, size_t *size)
{
    (void)ctx;
    arca__heap_stack(slot_threads + index, base, size);
}

/* abort() or a failed assert: name the cause for libarca and end the runner. */
static void runner_end(void *ctx, const char *cause)
{
    char line[320];
    (void)ctx;
    int n = snprintf(line, sizeof line, "arca-runner: enclave ended: %s\n", cause);
    if (n > 0)
        (void)!write(STDERR_FILENO, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
    _exit(ARCA__RUNNER_EXIT_ENDED);
}

static void send_ready(arca_result_t r, uint32_t protections)
{
    struct arca__ready_msg msg;
    memset(&msg, 0, sizeof msg);
    msg.magic = ARCA__READY_MAGIC;
    msg.version = ARCA__CONTROL_VERSION;
    msg.result = (int32_t)r;
    msg.protections = protections;
    /* On failure the detail says why; on success, the caveats (why protections this kernel
     * could give are missing: an untrusted launcher, too little locked memory), or "". */
    snprintf(msg.detail, sizeof msg.detail, "%s",
             r != ARCA_OK ? arca__error_detail() : arca__caveats());
    /* write(), not send(): it is the one call the seccomp filter allows on this socket. */
    (void)!write(ARCA__RUNNER_FD_CONTROL, &msg, sizeof msg);
}

static arca_result_t read_start(struct arca__start_msg *start)
{
    arca_result_t result = ARCA_OK;
    ssize_t n;
    do
        n = recv(ARCA__RUNNER_FD_CONTROL, start, sizeof *start, 0);
    while (n < 0 && errno == EINTR);
    if (n != (ssize_t)sizeof *start || start->magic != ARCA__START_MAGIC ||
        start->version != ARCA__CONTROL_VERSION)
        ARCA_RAISE(ARCA_ERR_BAD_FRAME, "arca-runner: malformed START message (%zd bytes)", n);
    if (start->threads == 0 || start->threads > ARCA_MAX_THREADS ||
        (start->flags & ~(ARCA__START_FLAG_SWITCHLESS | ARCA__START_FLAG_INTERFACE)) != 0)
        ARCA_RAISE(ARCA_ERR_BAD_FRAME, "arca-runner: START asks for %u threads, flags %#x",
                   start->threads, start->flags);
done:
    return result;
}

/* The memfd must be sealed so that its bytes cannot change after we checked them. */
static arca_result_t check_sealed(int fd, int seals_needed, const char *what, uint64_t *size)
{
    arca_result_t result = ARCA_OK;
    struct stat st;
    int seals = fcntl(fd, F_GET_SEALS);
    if (seals < 0 || (seals & seals_needed) != seals_needed)
        ARCA_RAISE(ARCA_ERR_PERMISSION, "arca-runner: the %s fd is not a sealed memfd", what);
    if (fstat(fd, &st) != 0 || st.st_size <= 0)
        ARCA_RAISE(ARCA_ERR_IO, "arca-runner: cannot stat the %s fd", what);
    *size = (uint64_t)st.st_size;
done:
    return result;
}

/*
 * How many threads the enclave creates itself (EnclaveThreads), read before the protected
 * memory is made, because their stacks lie in it. The image is a sealed memfd, so these are the
 * bytes load_image() verifies next; it checks that the verified config says the same.
 */
static arca_result_t peek_enclave_threads(uint32_t *count)
{
    arca_result_t result = ARCA_OK;
    uint64_t size = 0;
    void *bytes = MAP_FAILED;
    arca__image parsed;
    ARCA_CHECK(check_sealed(ARCA__RUNNER_FD_IMAGE, F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW,
                            "image", &size));
    bytes = mmap(NULL, (size_t)size, PROT_READ, MAP_PRIVATE, ARCA__RUNNER_FD_IMAGE, 0);
    if (bytes == MAP_FAILED)
        ARCA_RAISE(ARCA_ERR_IO, "arca-runner: cannot map the image: %s", strerror(errno));
    ARCA_CHECK(arca__image_parse(bytes, (size_t)size, &parsed));
    if (parsed.config.enclave_threads > ARCA_MAX_ENCLAVE_THREADS)
        ARCA_RAISE(ARCA_ERR_CONFIG, "arca-runner: the image asks for %u threads of its own "
                   "(allowed: 0..%u)", parsed.config.enclave_threads, ARCA_MAX_ENCLAVE_THREADS);
    *count = parsed.config.enclave_threads;
done:
    if (bytes != MAP_FAILED)
        munmap(bytes, (size_t)size);
    return result;
}

/*
 * Verify the image bytes ourselves, then map exactly those bytes with the loader (src/loader):
 * never a path, which the launcher's mount namespace could point at other code. Stage 1 only:
 * nothing of the image runs until arca__runtime_start(), after the sandbox is complete.
 */
static arca_result_t load_image(const struct arca__start_msg *start, arca__image_info *info,
                                arca__loaded_image **loaded)
{
    arca_result_t result = ARCA_OK;
    uint64_t size = 0;
    void *bytes = MAP_FAILED;

    ARCA_CHECK(check_sealed(ARCA__RUNNER_FD_IMAGE, F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW,
                            "image", &size));
    bytes = mmap(NULL, (size_t)size, PROT_READ, MAP_PRIVATE, ARCA__RUNNER_FD_IMAGE, 0);
    if (bytes == MAP_FAILED)
        ARCA_RAISE(ARCA_ERR_IO, "arca-runner: cannot map the image: %s", strerror(errno));
    ARCA_CHECK(arca__image_verify(bytes, (size_t)size, info));
    if (!arca__identity_equal(&info->identity, &start->identity))
        ARCA_RAISE(ARCA_ERR_MEASUREMENT_MISMATCH,
                   "arca-runner: the identity computed by the runner differs from the host's");
    if (info->config.heap_size != start->heap_size || info->config.threads != start->threads ||
        info->config.stack_size != start->stack_size ||
        !!(info->config.flags & ARCA_CONFIG_FLAG_SWITCHLESS) !=
            !!(start->flags & ARCA__START_FLAG_SWITCHLESS))
        ARCA_RAISE(ARCA_ERR_CONFIG, "arca-runner: the host's START does not match the image config");
    result = arca__runtime_load(bytes, (size_t)size, loaded);
    if (result != ARCA_OK)
        ARCA_RAISE(result, "arca-runner: %s", arca__error_detail());
done:
    if (bytes != MAP_FAILED)
        munmap(bytes, (size_t)size);
    return result;
}

static arca_result_t map_channel(const struct arca__start_msg *start)
{
    arca_result_t result = ARCA_OK;
    uint64_t size = 0;
    ARCA_CHECK(arca__channel_layout_compute(start->threads, start->max_payload, &server.layout));
    ARCA_CHECK(check_sealed(ARCA__RUNNER_FD_CHANNEL, F_SEAL_SHRINK | F_SEAL_GROW, "channel", &size));
    if (size != server.layout.total_size || start->channel_size != size)
        ARCA_RAISE(ARCA_ERR_BAD_FRAME, "arca-runner: channel is %llu bytes, layout needs %llu",
                   (unsigned long long)size, (unsigned long long)server.layout.total_size);
    server.channel = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_SHARED,
                          ARCA__RUNNER_FD_CHANNEL, 0);
    if (server.channel == MAP_FAILED)
        ARCA_RAISE(ARCA_ERR_IO, "arca-runner: cannot map the channel: %s", strerror(errno));
done:
    return result;
}

int main(int argc, char **argv)
{
    arca_result_t result = ARCA_OK;
    pthread_t digester;
    arca_result_t digest_result = ARCA_OK;
    int digesting = 0;
    struct arca__start_msg start;
    arca__image_info info;
    const struct arca__runtime *runtime = NULL;
    arca__loaded_image *image = NULL;
    arca__services *services = NULL;
    uint32_t prot = ARCA_PROT_SEPARATE_PROCESS;
    uint32_t keep = 0; /* the bits the launcher leaves us able to vouch for */
    uint32_t enclave_threads = 0; /* EnclaveThreads: threads the enclave creates itself */
    struct ucred peer;
    socklen_t peer_len = sizeof peer;

    memset(&start, 0, sizeof start);
    signal(SIGPIPE, SIG_IGN); /* a vanished host shows as EPIPE on the control socket */
    prot |= arca__sandbox_nodump();
    prot |= arca__sandbox_nocore();
    prot |= arca__sandbox_no_new_privs();

    /* "--arcad PATH": launched by arcad, whose runner socket is PATH (platform_wire.h,
     * RESUME). The runner then outlives arcad (no death signal from its parent) and ends when
     * its host closes the control socket; its platform connection can be made again. */
    const int by_arcad = argc == 3 && !strcmp(argv[1], "--arcad");
    if ((argc != 1 && !by_arcad) ||
        getsockopt(ARCA__RUNNER_FD_CONTROL, SOL_SOCKET, SO_PEERCRED, &peer, &peer_len) != 0) {
        fprintf(stderr, "arca-runner: this program is started by libarca (process backend) "
                        "or arcad, not by hand\n");
        return 2;
    }
    if (by_arcad)
        ARCA_CHECK(arca__runner_set_arcad(argv[2]));
    else
        ARCA_CHECK(arca__sandbox_deathsig((int)peer.pid));
    ARCA_CHECK(arca__sandbox_inherited(&keep));
    ARCA_CHECK(read_start(&start));
    ARCA_CHECK(peek_enclave_threads(&enclave_threads));
    slot_threads = start.threads;
    ARCA_CHECK(arca__heap_init(start.heap_size, start.threads + enclave_threads, start.stack_size,
                               &prot));
    /* OpenSSL's lazy start-up (configuration, entropy source) now, before the sandbox. */
    if (arca__crypto_init() != ARCA_OK)
        ARCA_RAISE(ARCA_ERR_CRYPTO, "arca-runner: %s", arca__error_detail());
    if (pthread_create(&digester, NULL, digest_thread, &digest_result) != 0)
        ARCA_RAISE(ARCA_ERR_OUT_OF_MEMORY, "arca-runner: cannot start the runtime-digest thread");
    digesting = 1;
    ARCA_CHECK(load_image(&start, &info, &image));
    if (info.config.enclave_threads != enclave_threads)
        ARCA_RAISE(ARCA_ERR_CONFIG, "arca-runner: the image's EnclaveThreads changed while it "
                   "was read");
    the_image = image;
    server.image = image;
    arca__runtime_set_output(image, runner_output, runner_end, NULL);
    /* Its environment and whether it may use host files: from the config verified above. */
    ARCA_CHECK(arca__runtime_set_config(image, &info.config));
    close(ARCA__RUNNER_FD_IMAGE);
    ARCA_CHECK(map_channel(&start));
    close(ARCA__RUNNER_FD_CHANNEL);
    /* Launched by arcad: fds 4 and 5 stay taken (by /dev/null), so that the socket of a later
     * reconnect lands above the platform's fd, the only place the filter lets it be used and
     * closed (reconnect.c, sandbox.c); socket() returns the lowest free descriptor. */
    if (by_arcad) {
        int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
        for (int fd = ARCA__RUNNER_FD_IMAGE; null >= 0 && fd <= ARCA__RUNNER_FD_CHANNEL; fd++)
            if (fd != null && dup3(null, fd, O_CLOEXEC) != fd)
                ARCA_RAISE(ARCA_ERR_IO, "arca-runner: dup3: %s", strerror(errno));
        if (null < 0)
            ARCA_RAISE(ARCA_ERR_IO, "arca-runner: /dev/null: %s", strerror(errno));
        if (null > ARCA__RUNNER_FD_PLATFORM)
            close(null);
    }

    /* Joined here: unshare(CLONE_NEWUSER) refuses a process with more than one thread. */
    pthread_join(digester, NULL);
    digesting = 0;
    if (digest_result != ARCA_OK)
        ARCA_RAISE(digest_result, "arca-runner: cannot compute the runtime digest: %s",
                   arca__error_detail());
    prot |= arca__sandbox_namespaces();
    prot |= arca__sandbox_landlock();
    server.spin_ns = (start.flags & ARCA__START_FLAG_SWITCHLESS) ? ARCA__SPIN_NS_SWITCHLESS
                                                                  : ARCA__SPIN_NS_DEFAULT;
    ARCA_CHECK(arca__server_prepare(&server));
    /* The enclave's own threads, waiting for its pthread_create: made now, because the filter
     * below forbids making threads (src/loader/libc_threads.c). */
    result = arca__runtime_threads_start(image, enclave_threads, (size_t)start.stack_size,
                                         enclave_thread_stack, NULL);
    if (result != ARCA_OK)
        ARCA_RAISE(result, "arca-runner: %s", arca__error_detail());
    prot |= arca__sandbox_seccomp(ARCA__RUNNER_FD_CONTROL, ARCA__RUNNER_FD_PLATFORM, by_arcad);
    prot &= keep; /* after an untrusted launcher: separate-process only (caveat says why) */

    /* Bind the platform connection to this enclave before any code of the image runs: from
     * then on the platform answers about this identity only, so image code (which can reach
     * fd 6 as the runner can) cannot bind it to another enclave's identity and get its keys.
     * Bound with the protections now in force: evidence the init hook asks for names them. */
    server.iface.abi_version = ARCA_RUNTIME_ABI_VERSION;
    server.iface.ctx = NULL;
    server.iface.identity = info.identity;
    server.iface.identity.backend = ARCA_BACKEND_ID_PROCESS;
    server.iface.identity.protections = prot;
    result = arca__services_open(ARCA__RUNNER_FD_PLATFORM, &server.iface.identity,
                                 runtime_digest, &services);
    if (result != ARCA_OK)
        ARCA_RAISE(result, "arca-runner: platform connection: %s", arca__error_detail());
    arca__services_attach(services, &server.iface);
    if (by_arcad)
        arca__services_set_reconnect(services, arca__runner_reconnect, NULL);

    /* The sandbox is complete and the connection bound: only now may code of the image run
     * (IFUNC resolvers, initialisers). A forbidden system call in them ends the runner, like
     * one in an ecall. */
    result = arca__runtime_start(image, &runtime);
    if (result != ARCA_OK)
        ARCA_RAISE(result, "arca-runner: %s", arca__error_detail());
    server.runtime = runtime;
    if (start.flags & ARCA__START_FLAG_INTERFACE)
        ARCA_CHECK(arca__runtime_check_interface(image, runtime, start.interface_hash));
    server.iface.host_call = NULL; /* set by the server (its host_call) */
    arca__server_set_host_call(&server);
    /* Host files through the same slots (from the init hook on, as on sim). */
    arca__runtime_set_host_call(image, server.iface.host_call, NULL);

    send_ready(ARCA_OK, prot);
    arca__server_start();

    /* Serve until the host closes the control socket or dies. */
    for (;;) {
        char buf[64];
        ssize_t n = read(ARCA__RUNNER_FD_CONTROL, buf, sizeof buf);
        if (n == 0 || (n < 0 && errno != EINTR))
            _exit(0);
    }
done:
    if (digesting)
        pthread_join(digester, NULL);
    send_ready(result, prot);
    _exit(1);
}
