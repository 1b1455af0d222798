/*
 * hw_test.h — helpers shared by the hardware evidence tests: where the vectors are (the copy
 * in tests/verify_hw/vectors, checked against ../shared/vectors when that is present), reading
 * them, building a verifier with given roots and collateral, and fixed verification times.
 */
#ifndef ARCA_TESTS_HW_TEST_H
#define ARCA_TESTS_HW_TEST_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "formats/image.h" /* arca__read_file */
#include "test.h"
#include "verify/hw/hw.h"
#include "verify/intel/collateral.h"

#ifndef ARCA_HW_TEST_VECTORS
#error "ARCA_HW_TEST_VECTORS must name tests/verify_hw/vectors"
#endif
#ifndef ARCA_HW_TEST_ROOTS
#error "ARCA_HW_TEST_ROOTS must name share/roots"
#endif

/* Read vectors/<rel> (whole file, up to 4 MiB); exits the test program when it is missing. */
static inline uint8_t *hw_read(const char *rel, size_t *len)
{
    char path[1024];
    uint8_t *bytes = NULL;
    snprintf(path, sizeof path, "%s/%s", ARCA_HW_TEST_VECTORS, rel);
    if (arca__read_file(path, 4u << 20, &bytes, len) != ARCA_OK) {
        fprintf(stderr, "cannot read test vector %s\n", path);
        exit(2);
    }
    return bytes;
}

/* "2025-06-20T00:00:00Z" as unix seconds (exits on a typo in a test). */
static inline int64_t hw_time(const char *text)
{
    int64_t t;
    if (arca__intel_parse_date(text, &t) != 0) {
        fprintf(stderr, "bad test time %s\n", text);
        exit(2);
    }
    return t;
}

/*
 * A verifier with @p roots pinned (file names in share/roots, NULL-terminated; NULL or an
 * empty list: all the shipped default roots) and @p collateral added (paths relative to the
 * vectors, NULL-terminated, may be NULL).
 */
static inline arca__hw_verifier *hw_verifier(const char *const *roots,
                                             const char *const *collateral)
{
    arca__hw_verifier *v = NULL;
    char path[1024];
    if (arca__hw_verifier_create(&v) != ARCA_OK)
        exit(2);
    if (!roots || !roots[0]) {
        if (arca__hw_add_default_roots(v, ARCA_HW_TEST_ROOTS) != ARCA_OK) {
            fprintf(stderr, "default roots: %s\n", arca__error_detail());
            exit(2);
        }
    } else {
        for (size_t i = 0; roots[i]; i++) {
            snprintf(path, sizeof path, "%s/%s", ARCA_HW_TEST_ROOTS, roots[i]);
            if (arca__hw_add_root_file(v, path) != ARCA_OK) {
                fprintf(stderr, "root %s: %s\n", path, arca__error_detail());
                exit(2);
            }
        }
    }
    for (size_t i = 0; collateral && collateral[i]; i++) {
        snprintf(path, sizeof path, "%s/%s", ARCA_HW_TEST_VECTORS, collateral[i]);
        if (arca__hw_add_collateral_path(v, path) != ARCA_OK) {
            fprintf(stderr, "collateral %s: %s\n", path, arca__error_detail());
            exit(2);
        }
    }
    return v;
}

#endif
