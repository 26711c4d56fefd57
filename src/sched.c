/*
 * sched.c - worker threads, the shared row counter, progress and cancellation.
 *
 * Workers take the next unrendered unit from one atomic counter until none is left: the
 * tutorial's pool.map over rows, but dynamic, so a thread that drew cheap rows simply takes
 * more and no core idles while another holds a block of expensive ones. A unit is a row, or
 * a segment of SCHED_SEGMENT pixels of a wide row, so that cancelling waits for at most one
 * segment per worker, not one whole row of a deep zoom. The calling thread
 * does not render; it sleeps on a condition variable, wakes ten times a second to report
 * progress, and turns a non-zero answer of the callback into a cancel flag the workers
 * check between units.
 *
 * Invariant: a pixel's count never depends on which thread computed it: a segment is
 * computed by one kernel call from the view's fixed coordinates, whoever takes it.
 */
#include "sched.h"

#include <pthread.h>
#include <stdatomic.h>
#include <time.h>
#include <unistd.h>

typedef struct pool {
    const sched_job *job;
    uint32_t segs_per_row;
    uint64_t n_units;
    atomic_uint_fast64_t next_unit;
    atomic_uint_fast64_t pixels_done;
    atomic_uint_fast64_t iterations;
    atomic_bool cancel;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    uint32_t running;   /* workers not yet finished, under lock */
} pool;

/* Renders segment `seg` of row `row`; returns the sum of its counts, *pixels its length. */
static uint64_t render_unit(const sched_job *job, uint32_t row, uint32_t seg, uint32_t *pixels)
{
    uint32_t const x = seg * SCHED_SEGMENT;
    uint32_t const n = job->width - x < SCHED_SEGMENT ? job->width - x : SCHED_SEGMENT;
    kernel_row const kr = {
        .re = job->re + x,
        .im = job->im[row],
        .n = n,
        .max_iter = job->max_iter,
        .shortcuts = job->shortcuts,
    };
    uint32_t *const out = job->counts + (size_t)row * job->stride + x;
    job->kernel(&kr, out);
    uint64_t sum = 0;
    for (uint32_t j = 0; j < n; j++) sum += out[j];
    *pixels = n;
    return sum;
}

static void *worker(void *arg)
{
    pool *const p = arg;
    const sched_job *const job = p->job;
    uint64_t sum = 0;
    while (!atomic_load_explicit(&p->cancel, memory_order_relaxed)) {
        uint64_t const unit = atomic_fetch_add_explicit(&p->next_unit, 1, memory_order_relaxed);
        if (unit >= p->n_units) break;
        uint32_t pixels;
        sum += render_unit(job, (uint32_t)(unit / p->segs_per_row),
                           (uint32_t)(unit % p->segs_per_row), &pixels);
        atomic_fetch_add_explicit(&p->pixels_done, pixels, memory_order_relaxed);
    }
    atomic_fetch_add(&p->iterations, sum);
    pthread_mutex_lock(&p->lock);
    p->running--;
    pthread_cond_signal(&p->wake);
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

static struct timespec deadline_after_ms(long ms)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    t.tv_nsec += ms * 1000000L;
    t.tv_sec += t.tv_nsec / 1000000000L;
    t.tv_nsec %= 1000000000L;
    return t;
}

/* One thread and nobody to report to: no pool needed. */
static int run_inline(const sched_job *job, uint64_t *iterations)
{
    uint32_t const segs = (job->width + SCHED_SEGMENT - 1) / SCHED_SEGMENT;
    uint64_t sum = 0;
    uint32_t pixels;
    for (uint32_t row = 0; row < job->height; row++)
        for (uint32_t seg = 0; seg < segs; seg++) sum += render_unit(job, row, seg, &pixels);
    *iterations = sum;
    return MANDEL_OK;
}

int sched_run(const sched_job *job, uint32_t n_threads, mandel_progress_fn progress,
              void *progress_user, uint64_t *iterations)
{
    uint32_t const segs = (job->width + SCHED_SEGMENT - 1) / SCHED_SEGMENT;
    uint64_t const n_units = (uint64_t)segs * job->height;
    uint64_t const total = (uint64_t)job->width * job->height;
    if (n_threads > n_units) n_threads = (uint32_t)n_units;
    if (n_threads <= 1 && progress == NULL) return run_inline(job, iterations);

    pool p = {.job = job, .segs_per_row = segs, .n_units = n_units, .running = 0};
    atomic_init(&p.next_unit, 0);
    atomic_init(&p.pixels_done, 0);
    atomic_init(&p.iterations, 0);
    atomic_init(&p.cancel, false);
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&p.wake, &attr);
    pthread_condattr_destroy(&attr);
    pthread_mutex_init(&p.lock, NULL);

    pthread_t threads[SCHED_MAX_THREADS];
    uint32_t started = 0;
    int err = MANDEL_OK;
    for (; started < n_threads; started++) {
        pthread_mutex_lock(&p.lock);
        p.running++;
        pthread_mutex_unlock(&p.lock);
        if (pthread_create(&threads[started], NULL, worker, &p) != 0) {
            pthread_mutex_lock(&p.lock);
            p.running--;
            pthread_mutex_unlock(&p.lock);
            atomic_store(&p.cancel, true);
            err = MANDEL_ETHREAD;
            break;
        }
    }

    pthread_mutex_lock(&p.lock);
    while (p.running > 0) {
        struct timespec const deadline = deadline_after_ms(100);
        pthread_cond_timedwait(&p.wake, &p.lock, &deadline);
        if (progress != NULL && p.running > 0 && !atomic_load(&p.cancel)) {
            pthread_mutex_unlock(&p.lock);
            if (progress(progress_user, atomic_load(&p.pixels_done), total) != 0)
                atomic_store(&p.cancel, true);
            pthread_mutex_lock(&p.lock);
        }
    }
    pthread_mutex_unlock(&p.lock);
    for (uint32_t t = 0; t < started; t++) pthread_join(threads[t], NULL);
    pthread_cond_destroy(&p.wake);
    pthread_mutex_destroy(&p.lock);

    if (err != MANDEL_OK) return err;
    if (atomic_load(&p.pixels_done) < total) return MANDEL_ECANCELED;
    if (progress != NULL) (void)progress(progress_user, total, total);
    *iterations = atomic_load(&p.iterations);
    return MANDEL_OK;
}

uint32_t sched_online_cpus(void)
{
    long const n = sysconf(_SC_NPROCESSORS_ONLN);
    if (n < 1) return 1;
    return n > SCHED_MAX_THREADS ? SCHED_MAX_THREADS : (uint32_t)n;
}
