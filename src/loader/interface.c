/*
 * interface.c — the loader's check that the host and the enclave were generated from the same
 * EDL interface (arca-edger puts its hash into both sides; docs/formats.md, "Interface hash"):
 * before the enclave's init runs, so a mismatched pair never exchanges a call. Must never read
 * the image's hash outside the image's own mapped segments.
 */
#include <string.h>

#include "base/error.h"
#include "base/hex.h"
#include "loader_internal.h"

arca_result_t arca__runtime_check_interface(const arca__loaded_image *image,
                                            const struct arca__runtime *runtime,
                                            const uint8_t expected[32])
{
    arca_result_t result = ARCA_OK;
    const uint8_t *mine = NULL;
    char host_hex[65], enclave_hex[65] = "none";
    if (!expected)
        goto done; /* the host does not ask */
    if (runtime->interface_hash)
        mine = arca__loader_at(image, (uint64_t)(runtime->interface_hash - image->base), 32, 0);
    arca__hex_encode(expected, 32, host_hex);
    if (runtime->interface_hash && !mine)
        ARCA_RAISE(ARCA_ERR_BAD_IMAGE, "the image's interface hash lies outside the image");
    if (mine)
        arca__hex_encode(mine, 32, enclave_hex);
    if (!mine)
        ARCA_RAISE(ARCA_ERR_INTERFACE_MISMATCH,
                   "the enclave has no EDL interface, the host expects one: host interface %s, "
                   "enclave interface none", host_hex);
    if (memcmp(mine, expected, 32) != 0)
        ARCA_RAISE(ARCA_ERR_INTERFACE_MISMATCH,
                   "EDL mismatch, rebuild both from one .edl: host interface %s, enclave "
                   "interface %s", host_hex, enclave_hex);
done:
    return result;
}
