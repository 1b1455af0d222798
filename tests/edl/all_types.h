/* C types for all.edl that the EDL itself does not define (copied by value as their bytes). */
#ifndef ALL_TYPES_H
#define ALL_TYPES_H
#include <stdint.h>
typedef uint64_t handle_t;
struct foreign_pair {
    int32_t left;
    int32_t right;
};
#endif
