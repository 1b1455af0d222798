/*
 * inline_backend.c — `inline`, a backend that lives in tests/ only: the proof that a backend
 * can be added from outside src/ with nothing but the ops table of src/host/backend.h, the
 * shared loader (src/loader) and one call to arca__backend_register(). The conformance suite
 * runs unchanged against it (tests/backend/CMakeLists.txt: conformance_inline).
 *
 * Like sim it runs the image inside the host process and isolates nothing, so it reports
 * sim's backend id and protections 0, and "auto" never picks it (auto_rank 0). Its call path
 * is the simplest one that keeps the by-copy contract: every request and every reply crosses
 * through a buffer malloc()ed for that one call and freed after it, so neither side ever sees
 * the other's memory. This file must never copy more than a buffer's capacity nor pass on a
 * length larger than the buffer it describes, whatever lengths either side reports, and must
 * never be linked into anything but a test.
 *
 * It registers itself when the test program starts (a constructor), because the test that
 * links it exists to run the suite against it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "host/backend.h"
#include "loader/loader.h"
#include "loader/services.h"

extern const struct arca_backend_ops arca_test_inline_backend;

struct inline_state {
    arca__backend_base base; /* first member: the common base */
    arca__loaded_image *image;
    const struct arca__runtime *runtime; /* set once the image's init succeeded */
    arca__services *services;            /* the loader's platform connection */
    size_t max_payload;
};

static struct inline_state *state_of(arca__backend_base *base)
{
    return base && base->ops == &arca_test_inline_backend ? (struct inline_state *)base : NULL;
}

static arca_result_t inline_probe(char *why, size_t why_len)
{
    if (why_len)
        why[0] = '\0';
    return ARCA_OK;
}

/* A private buffer for one call: never NULL for a zero length, so the callee always gets a
 * buffer of its own. */
static uint8_t *private_copy(const uint8_t *from, size_t len)
{
    uint8_t *p = malloc(len ? len : 1);
    if (p && len)
        memcpy(p, from, len);
    return p;
}

/* The enclave's host calls: the request copied out, the host's reply copied back in after its
 * length was checked against what the enclave offered. */
static arca_result_t inline_host_call(void *ctx, uint32_t id, const uint8_t *in, size_t in_len,
                                      uint8_t *out, size_t out_cap, size_t *out_len)
{
    arca_result_t result = ARCA_OK;
    struct inline_state *s = ctx;
    uint8_t *req = NULL, *reply = NULL;
    size_t got = 0;
    if (!s || (in_len && !in) || (out_cap && !out) || !out_len)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT);
    if (in_len > s->max_payload)
        ARCA_RAISE(ARCA_ERR_PAYLOAD_TOO_LARGE);
    /* Offer the host at most max_payload, as every backend does. */
    if (out_cap > s->max_payload)
        out_cap = s->max_payload;
    req = private_copy(in, in_len);
    reply = malloc(out_cap ? out_cap : 1);
    if (!req || !reply)
        ARCA_RAISE(ARCA_ERR_OUT_OF_MEMORY);
    result = s->base.host_call(s->base.host_ctx, id, req, in_len, reply, out_cap, &got);
    if (result == ARCA_OK && got > out_cap) {
        result = ARCA_ERR_BAD_HOST_REPLY;
        got = 0;
    } else if (result == ARCA_OK && got) {
        memcpy(out, reply, got);
    } else if (result != ARCA_OK && result != ARCA_ERR_BUFFER_TOO_SMALL) {
        got = 0; /* a length travels only with success or "too small" (the size needed) */
    }
done:
    free(req);
    free(reply);
    if (out_len)
        *out_len = got;
    return result;
}

/* The image's stdout/stderr: host calls, through the loader's helper. */
static void inline_output(void *ctx, int stream, const char *bytes, size_t len)
{
    (void)arca__output_as_host_calls(inline_host_call, ctx, stream, bytes, len);
}

/* abort()/assert: the host process cannot go on (the image runs in it). */
static void inline_end(void *ctx, const char *cause)
{
    (void)ctx;
    fprintf(stderr, "inline backend: %s\n", cause);
    abort();
}

static void unload(struct inline_state *s)
{
    arca__services_close(s->services);
    s->services = NULL;
    arca__loaded_image *outer = arca__runtime_enter(s->image); /* finalisers may print */
    arca__runtime_unload(s->image);
    arca__runtime_leave(outer);
    s->image = NULL;
}

static arca_result_t inline_create(arca__backend_base *base, const arca__launch *launch,
                                   arca__launched *launched)
{
    arca_result_t result = ARCA_OK;
    struct inline_state *s = state_of(base);
    const struct arca__runtime *runtime = NULL;
    struct arca__loader_iface iface;
    uint8_t digest[32];
    int platform_fd = -1;
    memset(&iface, 0, sizeof iface);
    if (!s)
        ARCA_RAISE(ARCA_ERR_INTERNAL, "inline: state of another backend");
    s->max_payload = launch->max_payload;
    /* The bytes the host API verified, never a path. */
    result = arca__runtime_load(launch->image, launch->image_size, &s->image);
    if (result != ARCA_OK)
        ARCA_RAISE(result, "inline: %s", arca__error_detail());
    ARCA_CHECK(arca__runtime_digest(digest)); /* the loader here: this test program */
    launched->identity = launch->info->identity;
    launched->identity.backend = ARCA_BACKEND_ID_SIM; /* it isolates nothing, like sim */
    launched->identity.protections = 0;
    launched->caveats[0] = '\0';
    /* The host API closes its copy of the connection after create: keep our own, bound before
     * any code of the image runs (docs/architecture.md, "Adding a backend"). */
    platform_fd = fcntl(launch->platform_fd, F_DUPFD_CLOEXEC, 0);
    if (platform_fd < 0)
        ARCA_RAISE(ARCA_ERR_IO, "inline: cannot keep the platform connection: %s", strerror(errno));
    result = arca__services_open(platform_fd, &launched->identity, digest, &s->services);
    ARCA_CHECK(result); /* the descriptor was taken over, even on failure */
    arca__runtime_set_output(s->image, inline_output, inline_end, s);
    arca__loaded_image *outer = arca__runtime_enter(s->image);
    result = arca__runtime_start(s->image, &runtime);
    arca__runtime_leave(outer);
    if (result != ARCA_OK)
        ARCA_RAISE(result, "inline: %s", arca__error_detail());
    ARCA_CHECK(arca__runtime_check_interface(s->image, runtime, launch->interface_hash));
    iface.abi_version = ARCA_RUNTIME_ABI_VERSION;
    iface.ctx = s;
    iface.host_call = inline_host_call;
    iface.identity = launched->identity;
    arca__services_attach(s->services, &iface);
    outer = arca__runtime_enter(s->image);
    result = runtime->init(&iface);
    arca__runtime_leave(outer);
    if (result != ARCA_OK) {
        if (!arca_result_valid((int)result))
            result = ARCA_ERR_INIT_FAILED;
        ARCA_RAISE(result, "inline: the enclave's init hook failed with %s (%s)%s%s",
                   arca_result_name(result), arca_result_str(result),
                   arca__error_detail()[0] ? ": " : "", arca__error_detail());
    }
    s->runtime = runtime;
done:
    if (result != ARCA_OK && s)
        unload(s);
    return result;
}

static arca_result_t inline_call(arca__backend_base *base, uint32_t slot, uint32_t fn_id,
                                 const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap,
                                 size_t *out_len)
{
    (void)slot; /* no per-thread resources: every call allocates its own */
    arca_result_t result = ARCA_OK;
    struct inline_state *s = state_of(base);
    uint8_t *req = NULL, *reply = NULL;
    size_t got = 0;
    if (!s || !s->runtime)
        ARCA_RAISE(ARCA_ERR_INTERNAL, "inline: call on an enclave that is not running");
    if (in_len > s->max_payload)
        ARCA_RAISE(ARCA_ERR_PAYLOAD_TOO_LARGE,
                   "inline: request of %zu bytes exceeds max_payload (%zu)", in_len,
                   s->max_payload);
    if (out_cap > s->max_payload)
        out_cap = s->max_payload;
    req = private_copy(in, in_len);
    reply = malloc(out_cap ? out_cap : 1);
    if (!req || !reply)
        ARCA_RAISE(ARCA_ERR_OUT_OF_MEMORY, "inline: out of memory for a %zu/%zu byte call", in_len,
                   out_cap);
    arca__loaded_image *outer = arca__runtime_enter(s->image);
    result = s->runtime->dispatch(fn_id, req, in_len, reply, out_cap, &got);
    arca__runtime_leave(outer);
    if (result == ARCA_OK && got > out_cap) {
        got = 0;
        ARCA_RAISE(ARCA_ERR_INTERNAL, "inline: the enclave claims a reply larger than offered");
    }
    if (result == ARCA_OK && got)
        memcpy(out, reply, got);
    else if (result != ARCA_OK && result != ARCA_ERR_BUFFER_TOO_SMALL)
        got = 0;
done:
    free(req);
    free(reply);
    *out_len = got;
    return result;
}

static void inline_destroy(arca__backend_base *base)
{
    struct inline_state *s = state_of(base);
    if (!s)
        return;
    if (s->runtime) {
        arca__loaded_image *outer = arca__runtime_enter(s->image);
        s->runtime->fini();
        arca__runtime_leave(outer);
    }
    s->runtime = NULL;
    unload(s);
}

const struct arca_backend_ops arca_test_inline_backend = {
    .version = ARCA_BACKEND_OPS_VERSION,
    .name = "inline",
    .backend_id = ARCA_BACKEND_ID_SIM,
    .auto_rank = 0, /* a test backend: "auto" never picks it */
    .protects = "nothing: a test-only backend that runs the image in the host process",
    .not_protects = "anything: the host process can read and change all of the enclave's memory",
    .state_size = sizeof(struct inline_state),
    .probe = inline_probe,
    .create = inline_create,
    .call = inline_call,
    .destroy = inline_destroy,
};

/* Registered before main() runs; a failure shows up as "unknown backend 'inline'" in the
 * first test, with the reason printed here. */
__attribute__((constructor)) static void register_inline(void)
{
    if (arca__backend_register(&arca_test_inline_backend) != ARCA_OK)
        fprintf(stderr, "inline backend: cannot register: %s\n", arca__error_detail());
}
