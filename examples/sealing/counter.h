/* counter.h — the interface between the sealed-counter host and enclave. */
#ifndef COUNTER_H
#define COUNTER_H
/* in: the previous sealed state (empty the first time); out: u64 count (LE) + new sealed state */
#define COUNTER_FN_INCREMENT 1
/* Bound into every blob as additional data, so a blob of another application is refused. */
#define COUNTER_AAD "arca example sealed counter v1"
#endif
