/*
 * runtime.c — the entry table of the trusted runtime (arca__runtime_v3) and the sections
 * every enclave image carries: .arca.config (defaults, overwritten in place by `arca sign`),
 * .arca.sig (zero until signed) and .arca.env (room for the signed environment). Defining them in the same object file as the exported
 * entry table means that linking the runtime always pulls them in.
 *
 * init copies the loader's interface (host-call function, trusted services, identity), asks the
 * loader's trusted services for the keys the platform derived (never the host) and runs the
 * enclave's init hook; dispatch runs one ecall from the enclave's ARCA_ECALLS table on
 * buffers the loader owns; fini runs the fini hook and wipes the keys.
 * This file must never hand the loader a length larger than the buffer it was given, never
 * return an undefined result code, and never keep keys after fini.
 */
#include <stdlib.h>
#include <string.h>

#include "arca/enclave.h"
#include "crypto/crypto.h"
#include "base/error.h"
#include "formats/image.h"
#include "formats/runtime_abi.h"
#include "runtime.h"

/*
 * Section contents. The signer rewrites .arca.config and fills .arca.sig in place.
 *
 * Nothing in the runtime reads these two objects, and nothing may: they are plain const
 * objects, so the compiler is entitled to replace a read with the build-time initialisers
 * below (constant folding) instead of the bytes `arca sign` wrote. The enclave's identity
 * (svn, product id, attributes) comes only from the loader, which computed it from the
 * verified, signed image (iface.identity, copied in runtime_init), and its keys only from the
 * platform through the loader (iface.get_keys). If
 * code ever must read the signed configuration from inside the image, it has to read it
 * through a volatile pointer (or after an asm barrier on the address) so that the load
 * really happens at run time.
 */
__attribute__((section(".arca.config"), used, aligned(8))) const struct arca_enclave_config
    arca__enclave_config = {
        .magic = ARCA_CONFIG_MAGIC,
        .version = ARCA_CONFIG_VERSION,
        .flags = 0,
        .heap_size = UINT64_C(6) << 20, /* = arca__config_defaults(): fits 8 MiB of memlock */
        .stack_size = UINT64_C(256) << 10,
        .threads = 4,
        .product_id = 0,
        .svn = 0,
};

__attribute__((section(".arca.sig"), used, aligned(8))) const struct arca_signature
    arca__enclave_sig = {.version = 0};

/* Room for the environment (Env.NAME lines) that `arca sign` writes and the signed config
 * points at (src/formats/enclave_env.h). The loader reads it, never the runtime. */
__attribute__((section(".arca.env"), used, aligned(8))) const char
    arca__enclave_env[ARCA_ENV_CAPACITY] = {0};

/* The enclave's optional parts: hooks and function table (an enclave may define neither). */
__attribute__((weak)) arca_result_t arca_enclave_init(void);
__attribute__((weak)) void arca_enclave_fini(void);
extern const arca_ecall_t arca_enclave_ecalls[] __attribute__((weak));
extern const size_t arca_enclave_ecall_count __attribute__((weak));

/* The EDL interface this image was generated from: arca-edger defines it in the generated
 * trusted code (hidden: it resolves inside the image, to NULL when no EDL was used). */
extern const uint8_t arca__interface_hash[32] __attribute__((weak, visibility("hidden")));

/* The loader's interface and the keys, copied onto the heap at init: in arca-runner the heap
 * is the secretmem (or mlocked) arena, whereas this image's .bss is ordinary memory. */
static struct arca__loader_iface *iface;
static struct arca__enclave_keys *keys;
static int initialized; /* written by init/fini, read by dispatch (atomics: acquire/release) */

static int is_initialized(void)
{
    return __atomic_load_n(&initialized, __ATOMIC_ACQUIRE);
}

const struct arca__enclave_keys *arca__enclave_keys(void)
{
    return is_initialized() ? keys : NULL;
}

const arca_identity_t *arca__enclave_identity(void)
{
    return is_initialized() ? &iface->identity : NULL;
}

const struct arca__loader_iface *arca__enclave_iface(void)
{
    return is_initialized() ? iface : NULL;
}

/* Wipe the keys and free the interface copy (after initialized went back to 0). */
static void release_iface(void)
{
    if (keys)
        arca__wipe(keys, sizeof *keys);
    free(keys);
    keys = NULL;
    arca__wipe(iface, sizeof *iface);
    free(iface);
    iface = NULL;
}

static arca_result_t runtime_init(const struct arca__loader_iface *from)
{
    arca_result_t result = ARCA_OK;
    int copied = 0;
    if (!from || from->abi_version != ARCA_RUNTIME_ABI_VERSION || !from->host_call ||
        !from->get_keys || !from->get_evidence) {
        result = ARCA_ERR_BAD_VERSION;
        goto done;
    }
    if (is_initialized()) {
        result = ARCA_ERR_INTERNAL; /* a loader initialises an image once */
        goto done;
    }
    iface = malloc(sizeof *iface);
    keys = malloc(sizeof *keys);
    if (!iface || !keys) {
        free(iface);
        free(keys);
        iface = NULL;
        keys = NULL;
        result = ARCA_ERR_OUT_OF_MEMORY;
        goto done;
    }
    memcpy(iface, from, sizeof *iface);
    copied = 1;
    /* Straight from the loader's platform connection into this heap copy. */
    result = iface->get_keys(iface->services, keys);
    if (result != ARCA_OK) {
        if (!arca_result_valid((int)result))
            result = ARCA_ERR_PLATFORM;
        goto done;
    }
    __atomic_store_n(&initialized, 1, __ATOMIC_RELEASE);
    if (arca_enclave_init) {
        result = arca_enclave_init();
        if (!arca_result_valid((int)result))
            result = ARCA_ERR_INIT_FAILED;
    }
done:
    if (result != ARCA_OK && copied) {
        __atomic_store_n(&initialized, 0, __ATOMIC_RELEASE);
        release_iface();
    }
    return result;
}

static arca_result_t runtime_dispatch(uint32_t fn_id, const uint8_t *in, size_t in_len,
                                      uint8_t *out, size_t out_cap, size_t *out_len)
{
    arca_result_t result = ARCA_OK;
    size_t written = 0;
    arca_ecall_fn fn = NULL;
    if (!is_initialized()) {
        result = ARCA_ERR_INTERNAL;
        goto done;
    }
    if (&arca_enclave_ecall_count != NULL && arca_enclave_ecalls != NULL) {
        for (size_t i = 0; i < arca_enclave_ecall_count; i++) {
            if (arca_enclave_ecalls[i].id == fn_id) {
                fn = arca_enclave_ecalls[i].fn;
                break;
            }
        }
    }
    if (!fn) {
        result = ARCA_ERR_UNKNOWN_FUNCTION;
        goto done;
    }
    result = fn(in, in_len, out, out_cap, &written);
    if (!arca__result_defined((int)result)) {
        result = ARCA_ERR_APP; /* an undefined code from the function: still an error */
        written = 0;
    } else if (result == ARCA_OK && written > out_cap) {
        /* A buggy function claims more than the buffer holds: the loader must not copy it. */
        result = ARCA_ERR_INTERNAL;
        written = 0;
    } else if (result != ARCA_OK && result != ARCA_ERR_BUFFER_TOO_SMALL) {
        written = 0;
    }
done:
    *out_len = written;
    return result;
}

static void runtime_fini(void)
{
    if (!is_initialized())
        return;
    if (arca_enclave_fini)
        arca_enclave_fini();
    __atomic_store_n(&initialized, 0, __ATOMIC_RELEASE);
    release_iface();
}

__attribute__((visibility("default"))) const struct arca__runtime arca__runtime_v3 = {
    .abi_version = ARCA_RUNTIME_ABI_VERSION,
    .interface_hash = arca__interface_hash,
    .init = runtime_init,
    .dispatch = runtime_dispatch,
    .fini = runtime_fini,
};
