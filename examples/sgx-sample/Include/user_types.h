/* User defined types (the SDK sample's Include/user_types.h). */
#ifndef USER_TYPES_H
#define USER_TYPES_H

#define LOOPS_PER_THREAD 500

typedef void *buffer_t;
typedef int array_t[10];

#endif
