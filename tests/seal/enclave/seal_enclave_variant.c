/* seal_enclave_variant.c — the same enclave with another measurement (same signer, product, SVN). */
#define SEAL_VARIANT 1
#include "seal_enclave.c"
