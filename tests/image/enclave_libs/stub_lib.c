int arca_enclave_libs_stub(void) { return 0; }
