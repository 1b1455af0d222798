/* counter_ids.h — ecall ids and operations of the counter test enclave. */
#ifndef COUNTER_IDS_H
#define COUNTER_IDS_H
/* in: u32 op, u32 policy, name bytes (no terminator); out: u64 value */
#define COUNTER_FN_OP 1
/* in: u32 policy, u32 count, name bytes: count increments, each above the one before;
 * out: u64 the last value */
#define COUNTER_FN_LOOP 2

#define COUNTER_OP_CREATE 1
#define COUNTER_OP_INCREMENT 2
#define COUNTER_OP_READ 3
#define COUNTER_OP_INCREMENT_NULL_OUT 4 /* arca_counter_increment(name, policy, NULL) */
#define COUNTER_OP_READ_NULL_OUT 5      /* arca_counter_read(name, policy, NULL) */
#define COUNTER_OP_CREATE_NULL_NAME 6   /* arca_counter_create(NULL, policy) */
#endif
