/*
 * loader_ids.h — function ids and marker paths shared by the loader test enclaves
 * (tests/loader and tests/attack/enclaves) and their host tests. Plain numbers and strings only.
 */
#ifndef ARCA_TESTS_LOADER_IDS_H
#define ARCA_TESTS_LOADER_IDS_H

#define LE_ECHO 1     /* out = in (the planted enclave answers "PLANTED" instead) */
#define LE_IFUNC 2    /* out: u64 from a function bound through an IFUNC resolver */
#define LE_TLS 3      /* in: u64; adds it to a thread-local counter; out: u64 the new value */
#define LE_CTOR_RAN 4 /* out: u32 1 when the image's constructor ran before this call */

#define LE_IFUNC_VALUE UINT64_C(0x1F0C0DE)
#define LE_PLANTED "PLANTED"

/* What a hostile image's initialiser or IFUNC resolver tries to leave behind. */
#define LE_MARKER_OPEN "/tmp/arca-loader-attack-open"
#define LE_MARKER_EXEC "/tmp/arca-loader-attack-exec"

#endif
