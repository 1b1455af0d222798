/* C types for all.edl that the EDL itself does not define (copied by value as their bytes). */
#ifndef ALL_TYPES_H
#define ALL_TYPES_H
#include <stdint.h>
typedef uint64_t handle_t;
/* Integer typedefs used as size= / count= (like socklen_t, nfds_t), and a constant used as an
 * array dimension. */
typedef uint32_t all_len_t;
typedef int16_t all_slen_t;
#define ALL_PAIR_COUNT 2
struct foreign_pair {
    int32_t left;
    int32_t right;
};
#endif
