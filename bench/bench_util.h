/*
 * bench_util.h — timing helpers shared by the benchmarks that compare an Arca operation with
 * the raw operation it performs: a monotonic clock, a loop that runs a body for a time budget,
 * and the median of a small sample. The machine is shared (other builds run beside the bench),
 * so a long raw run followed by a long arca run compares two different loads: benches run both
 * in ROUNDS short alternating slices and report medians over rounds.
 */
#ifndef ARCA_BENCH_UTIL_H
#define ARCA_BENCH_UTIL_H

#include <stdlib.h>
#include <time.h>

#define ROUNDS 9

static inline double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Run body until ~budget seconds pass; evaluates to seconds per op. */
#define TIME_OPS(budget, body)                                                                   \
    ({                                                                                           \
        long ops_ = 0;                                                                           \
        double t0_ = now(), t_;                                                                  \
        do {                                                                                     \
            body;                                                                                \
            ops_++;                                                                              \
        } while ((t_ = now()) - t0_ < (budget));                                                 \
        (t_ - t0_) / (double)ops_;                                                               \
    })

static inline int bench_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The median of v[0..n) (sorts v). */
static inline double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, bench_cmp_double);
    return v[n / 2];
}

#endif
