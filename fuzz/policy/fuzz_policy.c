/*
 * fuzz_policy.c — libFuzzer target for the policy.conf parser (arca_policy_parse): any
 * bytes must yield a policy or ARCA_ERR_POLICY, never a crash or a leak.
 */
#include <stdint.h>
#include <stdlib.h>

#include "arca/verify.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    arca_policy_t *p = NULL;
    arca_result_t r = arca_policy_parse((const char *)data, size, "fuzz.conf", "/nonexistent", &p);
    if ((r == ARCA_OK) != (p != NULL))
        abort();
    if (r != ARCA_OK && r != ARCA_ERR_POLICY && r != ARCA_ERR_OUT_OF_MEMORY)
        abort();
    arca_policy_free(p);
    return 0;
}
