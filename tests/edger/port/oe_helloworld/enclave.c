/*
 * enclave.c — the enclave of the helloworld port check: the Open Enclave sample's logic,
 * compiled unchanged against the arca-edger output of helloworld.edl.
 */
#include "helloworld_t.h"

void enclave_helloworld(void)
{
    arca_log(ARCA_LOG_INFO, "Hello world from the enclave");
    if (host_helloworld() != ARCA_OK)
        arca_log(ARCA_LOG_ERROR, "host_helloworld failed");
}
