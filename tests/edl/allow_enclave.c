/*
 * allow_enclave.c — the enclave of the allow(...) test (allow.edl): each ecall reports what it
 * got, and a_start / a_public make the host calls inside which the host tries the ecalls.
 */
#include "allow_t.h"

#define ALLOW_RAW_HOST_CALL 1000u /* test_allow.c serves it */

/* Make host call @p which (1 o_allow, 2 o_plain, 3 o_empty); its value, or -1000 - result. */
static int host_call(int which)
{
    int ret = 0;
    arca_result_t r = ARCA_ERR_INVALID_ARGUMENT;
    if (which == 1)
        r = o_allow(&ret, which);
    else if (which == 2)
        r = o_plain(&ret, which);
    else if (which == 3)
        r = o_empty(&ret, which);
    else if (which == 4) /* a host call outside the generated bridges: it admits no ecall */
        r = arca_host_call(ALLOW_RAW_HOST_CALL, NULL, 0, NULL, 0, NULL);
    return r == ARCA_OK ? ret : -1000 - (int)r;
}

int a_start(int which)
{
    return host_call(which);
}

int a_private(int x)
{
    return x + 1;
}

/* @p nest: make host call @p nest from inside this ecall (0: none). */
int a_public(int x, int nest)
{
    return nest ? host_call(nest) : x * 2;
}
