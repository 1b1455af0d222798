/* counter_enclave_variant.c — the same enclave with another measurement (same signer, product, SVN). */
#define COUNTER_VARIANT 1
#include "counter_enclave.c"
