/*
 * enclave.c — the enclave of version 1 of the interface-hash test's interface (v1/iface.edl):
 * i_sum adds up its buffer, i_ask_host makes the host call and reports what came back.
 */
#include "iface_t.h"

uint32_t i_sum(const uint8_t *buf, size_t len)
{
    uint32_t sum = 0;
    for (size_t i = 0; buf && i < len; i++)
        sum += buf[i];
    return sum;
}

/* The host's answer to i_host(x), or -1000 - the host call's result if it failed. */
int i_ask_host(int x)
{
    int ret = 0;
    arca_result_t r = i_host(&ret, x);
    return r == ARCA_OK ? ret : -1000 - (int)r;
}
