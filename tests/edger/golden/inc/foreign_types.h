#ifndef FOREIGN_TYPES_H
#define FOREIGN_TYPES_H
#include <stdint.h>
typedef uint64_t my_handle_t;
#define MY_HEADER_COUNT 3 /* a constant oe_sdk.edl uses as an array dimension */
struct my_header {
    uint32_t magic;
    uint32_t version;
};
#endif
