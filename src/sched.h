/*
 * sched.h - running a kernel over the rows of a rect on a pool of threads.
 */
#ifndef MANDEL_SCHED_H
#define MANDEL_SCHED_H

#include "mandel_internal.h"

#include <stdatomic.h>

/* The most worker threads one render starts (MANDEL_OPT_THREADS' upper bound). */
#define SCHED_MAX_THREADS 1024

/* Pixels of one work unit at most, by default: whole rows of most views, since the vector
 * kernels drain their lanes at the end of every call (measured: 256-pixel units cost 15%
 * on the whole set). Engines whose pixels are slow (deep zoom) ask for smaller units
 * (sched_job.unit), which bounds the latency of a cancel. */
#define SCHED_SEGMENT 2048

/* The thread a segment runs on, as the engine sees it: what sched_poll() asks. */
typedef struct sched_worker sched_worker;

/* Polled by engines whose pixels can be long (deep zoom: up to 2^32 steps each) every few
 * milliseconds of work: on the calling thread of sched_run it first gives the progress
 * callback its report when one is due (so the callback keeps its ten reports a second and
 * can cancel while every thread is inside one long pixel). Returns true when the render is
 * cancelled: the engine then returns at once, its segment unfinished (sched_run ignores
 * it). `w` may be NULL: never cancelled. */
bool sched_poll(sched_worker *w);

/* Renders pixels x..x+n-1 of row `row` of the rect into out[0..n-1]: the hook through which
 * engines other than the double-precision kernels (deep zoom, anti-aliasing) use the pool.
 * A segment of long pixels polls `w` (sched_poll). */
typedef void sched_segment_fn(void *user, sched_worker *w, uint32_t row, uint32_t x, uint32_t n,
                              uint32_t *out);

typedef struct sched_job {
    sched_segment_fn *segment;  /* the engine: kernel_segment, perturb_segment, ... */
    void *segment_user;
    uint32_t width, height;
    uint32_t *counts;     /* at the rect's origin; NULL when only smooth/distance are asked */
    float *smooth;        /* at the rect's origin, or NULL: for the sink (the segment writes) */
    float *distance;      /* at the rect's origin, or NULL; in pixels; for the sink */
    size_t stride;
    mandel_sink_fn sink;  /* called with each finished unit, or NULL */
    void *sink_user;
    /* Guessing (MANDEL_OPT_GUESS): units are view-aligned tiles instead of row segments,
     * rendered by guess_unit(); `segment` is then unused. */
    const struct guess_view *guess;  /* NULL: no guessing */
    uint32_t threads;                /* threads to use, the caller included; 0 = the pool's */
    uint32_t unit;                   /* pixels a unit at most, 1..SCHED_SEGMENT; 0 = the most */
    uint32_t rect_x, rect_y;         /* the rect's place in the view, for the tile grid */
    mandel_ctx *ctx;                 /* the rendering ctx (limits, messages); NULL: the
                                      * pool's */
    const atomic_bool *stop;         /* true: cancel (mandel_ctx_cancel), looked at by
                                      * every thread between units and in sched_poll; or
                                      * NULL */
} sched_job;

/* A pool of threads kept by a ctx between renders. */
typedef struct sched_pool sched_pool;

/* Starts a pool that renders with up to n_threads threads in all: the caller of sched_run
 * and n_threads - 1 pool threads; a job may use fewer (sched_job.threads), and the others
 * wait. Returns MANDEL_OK, MANDEL_ENOMEM or MANDEL_ETHREAD. */
int sched_pool_new(mandel_ctx *ctx, uint32_t n_threads, sched_pool **out);

/* Makes the pool shareable by several ctxs on several threads (mandel_pool): sched_run and
 * sched_parallel then take turns, one job at a time, and a caller waiting for its turn
 * keeps getting its progress calls (pixels_done 0), through which it may give up. */
void sched_pool_share(sched_pool *pool);

/* Threads a render on this pool uses, the caller included. */
uint32_t sched_pool_threads(const sched_pool *pool);

/* Stops and frees the pool. NULL is a no-op. */
void sched_pool_free(sched_pool *pool);

/* Renders the job on the pool and the calling thread; calls progress from this thread.
 * *iterations gets the sum of all counts. Returns MANDEL_OK, MANDEL_ECANCELED, or with
 * guessing MANDEL_ETOOBIG or MANDEL_ENOMEM (its tiles; the message is in the ctx). Not
 * reentrant: one render at a time per pool (a shared pool queues the others). */
int sched_run(sched_pool *pool, const sched_job *job, mandel_progress_fn progress,
              void *progress_user, uint64_t *iterations);

/* The pixels of `total` that `done` of `n_units` units stand for (a progress report):
 * done * total / n_units without overflow, total once done >= n_units. */
uint64_t sched_progress_pixels(uint64_t done, uint64_t n_units, uint64_t total);

/* One task of a sched_parallel() job: task number `task` (0..n_tasks-1), run by worker
 * `worker` (0..threads-1; a worker runs one task at a time, so per-worker scratch state
 * needs no lock). */
typedef void sched_task_fn(void *user, uint32_t task, uint32_t worker);

/* Runs task(user, t, worker) for every t in 0..n_tasks-1 on up to `threads` threads (the
 * caller included; 0 = the pool's), tasks taken in order from one counter, and returns when
 * all have run. The generic form of sched_run for work other than pixels (compressing an
 * image's chunks): what a task computes must not depend on the worker or the order. Not
 * reentrant, like sched_run: one job at a time per pool. */
void sched_parallel(sched_pool *pool, uint32_t threads, uint32_t n_tasks, sched_task_fn *task,
                    void *user);

/* Online CPUs, at least 1. */
uint32_t sched_online_cpus(void);

#endif /* MANDEL_SCHED_H */
