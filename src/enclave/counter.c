/*
 * counter.c — arca_counter_create / _increment / _read inside the enclave (arca/counter.h):
 * the arguments are checked here, then the loader's trusted services (runtime ABI v3,
 * iface->counter) ask the platform over the loader's own platform connection — never the
 * host — to act on a counter of this enclave's identity, which the platform knows from BIND.
 *
 * The platform may be served by another process, so its answer is checked for what an answer
 * to each request can be: a defined result, 0 after a create, at least 1 after an increment.
 * (Whether a value is the right one only the platform can know; on dev the host user could
 * lie about it, which docs/threat-model.md says.) This file must never ask the platform about
 * an argument it has not checked, and never write an output on failure.
 */
#include <string.h>

#include "arca/counter.h"
#include "arca/enclave.h"
#include "arca/seal.h"
#include "base/error.h"
#include "formats/platform_wire.h"
#include "formats/runtime_abi.h"
#include "runtime.h"

_Static_assert(ARCA_COUNTER_NAME_MAX == ARCA__PW_COUNTER_NAME_MAX, "one name limit");

/* Check the request (the wire format's rules: action, policy, name) before anything is sent. */
static arca_result_t check_request(const char *fn, uint32_t action, const char *name, int policy)
{
    arca_result_t result = ARCA_OK;
    arca__pw_counter c;
    uint8_t wire[ARCA__PW_COUNTER_SIZE];
    size_t len;

    if (!name)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "%s: NULL name", fn);
    if (policy != ARCA_SEAL_ENCLAVE && policy != ARCA_SEAL_SIGNER)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT,
                   "%s: policy %d is neither ARCA_SEAL_ENCLAVE (1) nor ARCA_SEAL_SIGNER (2)", fn,
                   policy);
    len = strnlen(name, ARCA_COUNTER_NAME_MAX + 1);
    if (len == 0 || len > ARCA_COUNTER_NAME_MAX)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "%s: a counter name has 1 to %d bytes", fn,
                   ARCA_COUNTER_NAME_MAX);
    memset(&c, 0, sizeof c);
    c.action = (uint8_t)action;
    c.policy = (uint8_t)policy;
    memcpy(c.name, name, len);
    if (arca__pw_counter_put(&c, wire) != ARCA_OK)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT,
                   "%s: a counter name has only the bytes A-Z a-z 0-9 . _ -", fn);
done:
    return result;
}

/* One request to the platform; *value is written only on success. */
static arca_result_t ask(const char *fn, uint32_t action, const char *name, int policy,
                         uint64_t *value)
{
    arca_result_t result = ARCA_OK;
    const struct arca__loader_iface *loader = arca__enclave_iface();
    uint64_t got = 0;

    if (action != ARCA__PW_COUNTER_CREATE && !value)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "%s: NULL output", fn);
    ARCA_CHECK(check_request(fn, action, name, policy));
    if (!loader)
        ARCA_RAISE(ARCA_ERR_INTERNAL, "%s: called before the enclave was initialised", fn);
    if (!loader->counter)
        ARCA_RAISE(ARCA_ERR_UNSUPPORTED, "%s: this enclave's loader offers no counters", fn);
    result = loader->counter(loader->services, action, (uint32_t)policy, name, &got);
    if (!arca__result_defined((int)result))
        ARCA_RAISE(ARCA_ERR_BAD_HOST_REPLY, "%s: the platform answered with an undefined result",
                   fn);
    if (result != ARCA_OK)
        ARCA_RAISE(result, "%s: counter '%s': %s", fn, name, arca_result_str(result));
    if (action == ARCA__PW_COUNTER_CREATE && got != 0)
        ARCA_RAISE(ARCA_ERR_BAD_HOST_REPLY, "%s: the platform created counter '%s' at %llu, not 0",
                   fn, name, (unsigned long long)got);
    if (action == ARCA__PW_COUNTER_INCREMENT && got == 0)
        ARCA_RAISE(ARCA_ERR_BAD_HOST_REPLY, "%s: the platform incremented counter '%s' to 0", fn,
                   name);
    if (value)
        *value = got;
done:
    return result;
}

arca_result_t arca_counter_create(const char *name, int policy)
{
    return ask("arca_counter_create", ARCA__PW_COUNTER_CREATE, name, policy, NULL);
}

arca_result_t arca_counter_increment(const char *name, int policy, uint64_t *new_value)
{
    return ask("arca_counter_increment", ARCA__PW_COUNTER_INCREMENT, name, policy, new_value);
}

arca_result_t arca_counter_read(const char *name, int policy, uint64_t *value)
{
    return ask("arca_counter_read", ARCA__PW_COUNTER_READ, name, policy, value);
}
