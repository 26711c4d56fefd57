/*
 * sched.h - running a kernel over the rows of a rect on a pool of threads.
 */
#ifndef MANDEL_SCHED_H
#define MANDEL_SCHED_H

#include "mandel_internal.h"

/* The most worker threads one render starts (MANDEL_OPT_THREADS' upper bound). */
#define SCHED_MAX_THREADS 1024

/* Pixels of one work unit at most: bounds the latency of a cancel. */
#define SCHED_SEGMENT 256

typedef struct sched_job {
    kernel_fn *kernel;
    const double *re;     /* the rect's first column: view->re + rect.x */
    const double *im;     /* the rect's first row: view->im + rect.y */
    uint32_t width, height;
    uint32_t max_iter;
    bool shortcuts;
    uint32_t *counts;
    size_t stride;
} sched_job;

/* Renders the job on n_threads workers (>= 1), calling progress from this thread.
 * *iterations gets the sum of all counts. Returns MANDEL_OK, MANDEL_ECANCELED or
 * MANDEL_ETHREAD (with nothing left running). */
int sched_run(const sched_job *job, uint32_t n_threads, mandel_progress_fn progress,
              void *progress_user, uint64_t *iterations);

/* Online CPUs, at least 1. */
uint32_t sched_online_cpus(void);

#endif /* MANDEL_SCHED_H */
