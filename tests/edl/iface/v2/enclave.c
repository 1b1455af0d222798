/*
 * enclave.c — the enclave of version 2 of the interface-hash test's interface (v2/iface.edl):
 * as version 1, with a uint32_t length. A host generated from version 1 must not create it.
 */
#include "iface_t.h"

uint32_t i_sum(const uint8_t *buf, uint32_t len)
{
    uint32_t sum = 0;
    for (uint32_t i = 0; buf && i < len; i++)
        sum += buf[i];
    return sum;
}

int i_ask_host(int x)
{
    int ret = 0;
    arca_result_t r = i_host(&ret, x);
    return r == ARCA_OK ? ret : -1000 - (int)r;
}
