/*
 * clock.h - the monotonic clock every timing in libmandel reads (progress, stats, spins).
 */
#ifndef MANDEL_CLOCK_H
#define MANDEL_CLOCK_H

#include <time.h>

/* Seconds on CLOCK_MONOTONIC: only differences mean anything. */
static inline double clock_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

#endif /* MANDEL_CLOCK_H */
