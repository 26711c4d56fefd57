/*
 * sched.c - worker threads, the shared unit counter, progress and cancellation.
 *
 * A render is cut into units: a row, or a segment of a wide row (sched_job.unit pixels).
 * Every participating thread takes the next unrendered unit from one atomic counter until
 * none is left: the tutorial's pool.map over rows, but dynamic, so a thread that drew cheap
 * units simply takes more and no core idles while another holds expensive ones; and a
 * cancel waits for at most one segment per thread.
 *
 * The calling thread takes units too, and between its units it calls the progress callback
 * about ten times a second, so the callback always runs on the caller's thread; engines
 * whose pixels can be long poll (sched_poll) inside them, which gives the caller's reports
 * there too and stops every thread within milliseconds of a cancel. The other
 * n-1 threads live in a pool owned by the ctx (or shared by several: mandel_pool, which
 * runs one job at a time and queues the others' turns) and kept between renders: starting
 * threads
 * costs tens of microseconds, as much as a whole small render. The pool only grows; a
 * render asking for fewer threads leaves the others asleep. After a job, a pool thread
 * spins briefly for the next one (renders often come back to back, band after band) before
 * it sleeps on a condition variable.
 *
 * Invariant: a pixel's count never depends on which thread computed it: a segment is
 * computed by one engine call from the view's fixed coordinates, whoever takes it.
 */
#include "sched.h"

#include "guess.h"

#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include "clock.h"
#include <unistd.h>

/* How long a pool thread polls for the next job before it sleeps. */
#define SPIN_NANOSECONDS 200000L
#define PROGRESS_SECONDS 0.1

struct sched_pool {
    mandel_ctx *ctx;
    uint32_t n_threads;          /* pool threads; the caller is one more */
    pthread_t *threads;
    pthread_mutex_t lock;
    pthread_cond_t wake;         /* a new job was posted, or shutdown */
    pthread_cond_t idle;         /* the last pool thread left a job */
    atomic_uint generation;      /* bumped for every job */
    atomic_bool shutdown;
    atomic_uint active;          /* pool threads inside the current job */
    atomic_uint helpers;         /* pool threads the current job uses */
    atomic_uint started;         /* hands each pool thread its index */
    atomic_bool closed;          /* the current job takes no more threads */

    /* The current job: written by the caller before the generation bump, then only read. */
    sched_task_fn *task;        /* a sched_parallel() job: task(task_user, unit, worker) */
    void *task_user;
    uint32_t task_threads;      /* its workers are numbered 0..task_threads-1 */
    atomic_uint task_workers;   /* numbers handed out so far */
    sched_job job;              /* else a render */
    uint32_t segs_per_row;      /* row segments */
    /* With guessing: a tile of counts for each pool thread, then one for the caller; on the
     * heap, not the stack (64 KB), since the caller's stack is the library user's. */
    uint32_t *tiles;
    guess_units guess;          /* with guessing: the job's tiles (guess.c) */
    uint32_t unit;              /* pixels a unit at most */
    uint64_t n_units;
    /* Written by every thread: on lines of their own, or each unit taken would also evict
     * the job's fields from the other cores' caches. */
    _Alignas(64) atomic_uint_fast64_t next_unit;
    _Alignas(64) atomic_uint_fast64_t iterations;
    atomic_bool cancel;
    char pad[64];
    /* A pool shared by several ctxs (mandel_pool): one job at a time, the others wait for
     * their turn under turn_lock. */
    bool shared;
    pthread_mutex_t turn_lock;
    pthread_cond_t turn_free;
    bool busy;
};

/* A thread inside a job: the caller's carries the progress reports. */
struct sched_worker {
    sched_pool *p;
    uint32_t *tile;              /* its guessing tile, or NULL */
    mandel_progress_fn progress; /* the caller's only; NULL on pool threads */
    void *progress_user;
    double next_report;
    uint64_t in_flight;          /* threads in the job: units taken but not done */
    uint64_t total;              /* pixels of the job */
};

/* Gives the progress callback its report if one is due; a non-zero answer cancels. */
static void report(sched_worker *w)
{
    if (w->progress == NULL || clock_seconds() < w->next_report) return;
    sched_pool *const p = w->p;
    /* Units taken, less one in flight per thread: close enough for a bar. */
    uint64_t const taken = atomic_load(&p->next_unit);
    uint64_t const done = taken > w->in_flight ? taken - w->in_flight : 0;
    uint64_t const pixels = sched_progress_pixels(done, p->n_units, w->total);
    if (w->progress(w->progress_user, pixels, w->total) != 0) atomic_store(&p->cancel, true);
    w->next_report = clock_seconds() + PROGRESS_SECONDS;
}

/* Whether the job is cancelled: by a progress callback, or by mandel_ctx_cancel (the job's
 * stop flag, which then cancels it for every thread). */
static bool stopped(sched_pool *p)
{
    if (atomic_load_explicit(&p->cancel, memory_order_relaxed)) return true;
    const atomic_bool *const stop = p->job.stop;
    if (stop == NULL || !atomic_load_explicit(stop, memory_order_relaxed)) return false;
    atomic_store(&p->cancel, true);
    return true;
}

bool sched_poll(sched_worker *w)
{
    if (w == NULL) return false;
    report(w);
    return stopped(w->p);
}

/* Renders unit `unit`; returns the sum of its counts. */
static uint64_t render_unit(sched_worker *w, uint64_t unit)
{
    const sched_pool *const p = w->p;
    const sched_job *const job = &p->job;
    uint32_t const segs_per_row = p->segs_per_row;
    if (job->guess != NULL)
        return guess_unit(job->guess, &p->guess, unit, w, w->tile, job->counts, job->stride,
                          job->sink, job->sink_user);
    uint32_t const row = (uint32_t)(unit / segs_per_row);
    uint32_t const x = (uint32_t)(unit % segs_per_row) * p->unit;
    uint32_t const n = job->width - x < p->unit ? job->width - x : p->unit;
    size_t const at = (size_t)row * job->stride + x;
    /* Counts are always computed (they give the statistics); without a counts field they
     * go to a scratch segment. */
    uint32_t scratch[SCHED_SEGMENT];
    uint32_t *const out = job->counts != NULL ? job->counts + at : scratch;
    float *const smooth = job->smooth != NULL ? job->smooth + at : NULL;
    float *const distance = job->distance != NULL ? job->distance + at : NULL;
    /* The engine renders the segment (and its smooth values and distances). One cut short
     * by a cancel goes to no sink. */
    job->segment(job->segment_user, w, row, x, n, out);
    if (stopped(w->p)) return 0;
    /* The sum in a form GCC vectorises well: 8 independent 64-bit sums, each adding two
     * counts read as one 64-bit word (twice as fast as one widening sum a count). */
    uint64_t part[8] = {0};
    size_t j = 0;
    for (; j + 16 <= n; j += 16) {
        for (size_t k = 0; k < 8; k++) {
            uint64_t two;
            memcpy(&two, out + j + 2 * k, sizeof two);
            part[k] += (two & UINT32_MAX) + (two >> 32);
        }
    }
    uint64_t sum = 0;
    for (size_t k = 0; k < 8; k++) sum += part[k];
    for (; j < n; j++) sum += out[j];
    if (job->sink != NULL) {
        mandel_fields const fields = {out, smooth, distance, job->stride, 0};
        job->sink(job->sink_user, (mandel_rect){x, row, n, 1}, &fields);
    }
    return sum;
}

/* Thread `index`'s guessing tile (the caller's is the last), or NULL without guessing. */
static uint32_t *tile_of(const sched_pool *p, uint32_t index)
{
    return p->tiles != NULL ? p->tiles + (size_t)index * GUESS_TILE * GUESS_TILE : NULL;
}

/* Takes units of the pool's current job until none is left or it is cancelled; `index` is
 * the thread's: 0..n_threads-1 for pool threads, n_threads for the caller. A
 * sched_parallel() job has no cancel: every task runs. */
static void take_units(sched_pool *p, uint32_t index)
{
    if (p->task != NULL) {
        /* Workers are numbered as they arrive, so the numbers are dense whichever pool
         * threads join; a thread beyond the job's count (one that woke late for an earlier
         * job) leaves it to the others. */
        uint32_t const worker = atomic_fetch_add(&p->task_workers, 1);
        if (worker >= p->task_threads) return;
        for (;;) {
            uint64_t const unit = atomic_fetch_add_explicit(&p->next_unit, 1, memory_order_relaxed);
            if (unit >= p->n_units) break;
            p->task(p->task_user, (uint32_t)unit, worker);
        }
        return;
    }
    sched_worker w = {.p = p, .tile = tile_of(p, index)};
    uint64_t sum = 0;
    while (!stopped(p)) {
        uint64_t const unit = atomic_fetch_add_explicit(&p->next_unit, 1, memory_order_relaxed);
        if (unit >= p->n_units) break;
        sum += render_unit(&w, unit);
    }
    atomic_fetch_add_explicit(&p->iterations, sum, memory_order_relaxed);
}

/* Waits until the generation differs from `seen` (spinning, then sleeping). Returns false on
 * shutdown. */
static bool wait_for_job(sched_pool *p, unsigned seen)
{
    double const spin_until = clock_seconds() + SPIN_NANOSECONDS * 1e-9;
    do {
        if (atomic_load(&p->shutdown)) return false;
        if (atomic_load(&p->generation) != seen) return true;
    } while (clock_seconds() < spin_until);
    pthread_mutex_lock(&p->lock);
    while (atomic_load(&p->generation) == seen && !atomic_load(&p->shutdown))
        pthread_cond_wait(&p->wake, &p->lock);
    pthread_mutex_unlock(&p->lock);
    return !atomic_load(&p->shutdown);
}

static void *pool_thread(void *arg)
{
    sched_pool *const p = arg;
    unsigned const index = atomic_fetch_add(&p->started, 1);
    unsigned seen = 0;
    while (wait_for_job(p, seen)) {
        seen = atomic_load(&p->generation);
        /* A job for fewer threads than the pool has leaves the rest waiting. */
        if (index >= atomic_load(&p->helpers)) continue;
        /* Join the job unless the caller already closed it: a thread that woke late must
         * not touch a job that has returned (seq_cst orders this against the caller's
         * store of `closed` and its load of `active`). */
        atomic_fetch_add(&p->active, 1);
        if (!atomic_load(&p->closed)) take_units(p, index);
        if (atomic_fetch_sub(&p->active, 1) == 1) {
            pthread_mutex_lock(&p->lock);
            pthread_cond_signal(&p->idle);
            pthread_mutex_unlock(&p->lock);
        }
    }
    return NULL;
}

static void pool_stop(sched_pool *p, uint32_t started)
{
    pthread_mutex_lock(&p->lock);
    atomic_store(&p->shutdown, true);
    pthread_cond_broadcast(&p->wake);
    pthread_mutex_unlock(&p->lock);
    for (uint32_t t = 0; t < started; t++) pthread_join(p->threads[t], NULL);
}

int sched_pool_new(mandel_ctx *ctx, uint32_t n_threads, sched_pool **out)
{
    n_threads = n_threads > 0 ? n_threads - 1 : 0;
    sched_pool *const p = ctx_alloc(ctx, sizeof *p);
    if (p == NULL) return MANDEL_ENOMEM;
    memset(p, 0, sizeof *p);
    p->ctx = ctx;
    p->n_threads = n_threads;
    p->threads = ctx_alloc(ctx, (n_threads ? n_threads : 1) * sizeof *p->threads);
    if (p->threads == NULL) {
        ctx_free(ctx, p);
        return MANDEL_ENOMEM;
    }
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->wake, NULL);
    pthread_cond_init(&p->idle, NULL);
    pthread_mutex_init(&p->turn_lock, NULL);
    pthread_cond_init(&p->turn_free, NULL);
    atomic_init(&p->generation, 0);
    atomic_init(&p->shutdown, false);
    atomic_init(&p->active, 0);
    atomic_init(&p->closed, true);
    atomic_init(&p->helpers, 0);
    atomic_init(&p->started, 0);
    atomic_init(&p->task_workers, 0);
    for (uint32_t t = 0; t < n_threads; t++) {
        if (pthread_create(&p->threads[t], NULL, pool_thread, p) != 0) {
            pool_stop(p, t);
            p->n_threads = 0;
            sched_pool_free(p);
            return MANDEL_ETHREAD;
        }
    }
    *out = p;
    return MANDEL_OK;
}

uint32_t sched_pool_threads(const sched_pool *p) { return p ? p->n_threads + 1 : 1; }

void sched_pool_share(sched_pool *p) { p->shared = true; }

/* Waits for the shared pool to be free and takes it; meanwhile calls progress (if any) with
 * (0, total) every PROGRESS_SECONDS, whose non-zero answer gives up: false. An unshared
 * pool is the caller's own: true at once. */
static bool take_turn(sched_pool *p, mandel_progress_fn progress, void *progress_user,
                      uint64_t total, const atomic_bool *stop)
{
    if (!p->shared) return true;
    pthread_mutex_lock(&p->turn_lock);
    while (p->busy) {
        if (stop != NULL && atomic_load(stop)) {
            pthread_mutex_unlock(&p->turn_lock);
            return false;
        }
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += (long)(PROGRESS_SECONDS * 1e9);
        until.tv_sec += until.tv_nsec / 1000000000L;
        until.tv_nsec %= 1000000000L;
        (void)pthread_cond_timedwait(&p->turn_free, &p->turn_lock, &until);
        if (!p->busy || progress == NULL) continue;
        pthread_mutex_unlock(&p->turn_lock);
        int const give_up = progress(progress_user, 0, total);
        pthread_mutex_lock(&p->turn_lock);
        if (give_up != 0) {
            pthread_mutex_unlock(&p->turn_lock);
            return false;
        }
    }
    p->busy = true;
    pthread_mutex_unlock(&p->turn_lock);
    return true;
}

static void end_turn(sched_pool *p)
{
    if (!p->shared) return;
    pthread_mutex_lock(&p->turn_lock);
    p->busy = false;
    pthread_cond_broadcast(&p->turn_free);
    pthread_mutex_unlock(&p->turn_lock);
}

void sched_pool_free(sched_pool *p)
{
    if (p == NULL) return;
    if (p->n_threads > 0) pool_stop(p, p->n_threads);
    pthread_cond_destroy(&p->wake);
    pthread_cond_destroy(&p->idle);
    pthread_mutex_destroy(&p->lock);
    pthread_cond_destroy(&p->turn_free);
    pthread_mutex_destroy(&p->turn_lock);
    mandel_ctx *const ctx = p->ctx;
    ctx_free(ctx, p->tiles);
    ctx_free(ctx, p->threads);
    ctx_free(ctx, p);
}

/* Wakes `helpers` pool threads for the job just set up. */
static void post_job(sched_pool *p, uint32_t helpers)
{
    atomic_store(&p->helpers, helpers);
    atomic_store(&p->closed, false);
    pthread_mutex_lock(&p->lock);
    atomic_fetch_add(&p->generation, 1);
    pthread_cond_broadcast(&p->wake);
    pthread_mutex_unlock(&p->lock);
}

/* Takes no more threads into the job and waits for those inside to leave it. */
static void close_job(sched_pool *p)
{
    atomic_store(&p->closed, true);
    while (atomic_load(&p->active) > 0) {
        /* Pool threads finish their last unit; spin a little, then sleep. */
        double const spin_until = clock_seconds() + SPIN_NANOSECONDS * 1e-9;
        while (atomic_load(&p->active) > 0 && clock_seconds() < spin_until) continue;
        pthread_mutex_lock(&p->lock);
        while (atomic_load(&p->active) > 0) pthread_cond_wait(&p->idle, &p->lock);
        pthread_mutex_unlock(&p->lock);
    }
}

static int run(sched_pool *p, const sched_job *job, mandel_progress_fn progress,
               void *progress_user, uint64_t *iterations);

int sched_run(sched_pool *p, const sched_job *job, mandel_progress_fn progress,
              void *progress_user, uint64_t *iterations)
{
    uint64_t const total = (uint64_t)job->width * job->height;
    if (!take_turn(p, progress, progress_user, total, job->stop)) return MANDEL_ECANCELED;
    int const err = run(p, job, progress, progress_user, iterations);
    end_turn(p);
    return err;
}

static int run(sched_pool *p, const sched_job *job, mandel_progress_fn progress,
               void *progress_user, uint64_t *iterations)
{
    /* Limits and messages are the rendering ctx's; the pool's memory is its own. */
    mandel_ctx *const ctx = job->ctx != NULL ? job->ctx : p->ctx;
    p->task = NULL;
    p->unit = job->unit == 0 || job->unit > SCHED_SEGMENT ? SCHED_SEGMENT : job->unit;
    uint32_t const segs = (job->width + p->unit - 1) / p->unit;
    uint64_t n_units = (uint64_t)segs * job->height;
    if (job->guess != NULL) {
        if (p->tiles == NULL) {
            size_t const bytes = (size_t)(p->n_threads + 1) * GUESS_TILE * GUESS_TILE * 4;
            FAIL_IF(ctx, bytes > ctx->max_memory, MANDEL_ETOOBIG,
                    "the guessing tiles need %zu bytes, limit is %llu", bytes,
                    (unsigned long long)ctx->max_memory);
            p->tiles = ctx_alloc(p->ctx, bytes);
            FAIL_IF(ctx, p->tiles == NULL, MANDEL_ENOMEM,
                    "out of memory for %zu bytes of guessing tiles", bytes);
        }
        p->guess = guess_plan((mandel_rect){job->rect_x, job->rect_y, job->width, job->height});
        n_units = p->guess.n;
    }
    uint64_t const total = (uint64_t)job->width * job->height;

    p->job = *job;
    p->segs_per_row = segs;
    p->n_units = n_units;
    atomic_store(&p->next_unit, 0);
    atomic_store(&p->iterations, 0);
    atomic_store(&p->cancel, false);
    uint32_t const helpers =
        job->threads == 0 || job->threads - 1 > p->n_threads ? p->n_threads : job->threads - 1;
    bool const share = helpers > 0 && n_units > 1;
    if (share) post_job(p, helpers);

    /* The caller's share of the work, with the progress reports between units (and inside
     * long pixels: sched_poll). */
    sched_worker w = {
        .p = p,
        .tile = tile_of(p, p->n_threads),
        .progress = progress,
        .progress_user = progress_user,
        .next_report = progress ? clock_seconds() + PROGRESS_SECONDS : 0,
        .in_flight = (uint64_t)helpers + 1,
        .total = total,
    };
    uint64_t sum = 0;
    while (!stopped(p)) {
        uint64_t const unit = atomic_fetch_add_explicit(&p->next_unit, 1, memory_order_relaxed);
        if (unit >= n_units) break;
        sum += render_unit(&w, unit);
        report(&w);
    }
    atomic_fetch_add(&p->iterations, sum);

    if (share) close_job(p);
    /* Threads stop between units, or inside one when cancelled; so the job is complete
     * exactly when all units were taken and no cancel came. */
    if (atomic_load(&p->cancel) || atomic_load(&p->next_unit) < n_units) return MANDEL_ECANCELED;
    if (progress != NULL) (void)progress(progress_user, total, total);
    *iterations = atomic_load(&p->iterations);
    return MANDEL_OK;
}

uint64_t sched_progress_pixels(uint64_t done, uint64_t n_units, uint64_t total)
{
    if (done >= n_units) return total;
    /* done * total overflows 64 bits from 2^32 units of a 2^32-pixel rect on (2^40 pixels
     * in units of one row of 2048 pixels is 2^29 units: 2^69): the product in 128 bits. */
    return (uint64_t)((unsigned __int128)done * total / n_units);
}

void sched_parallel(sched_pool *p, uint32_t threads, uint32_t n_tasks, sched_task_fn *task,
                    void *user)
{
    uint32_t const helpers = threads == 0 || threads - 1 > p->n_threads ? p->n_threads
                                                                         : threads - 1;
    (void)take_turn(p, NULL, NULL, 0, NULL);
    p->task = task;
    p->task_user = user;
    p->task_threads = helpers + 1;
    p->n_units = n_tasks;
    atomic_store(&p->task_workers, 0);
    atomic_store(&p->next_unit, 0);
    atomic_store(&p->cancel, false);
    bool const share = helpers > 0 && n_tasks > 1;
    if (share) post_job(p, helpers);
    take_units(p, p->n_threads);
    if (share) close_job(p);
    p->task = NULL;
    end_turn(p);
}

/* Read once a process: glibc reads /sys/devices/system/cpu/online on every call, which cost
 * more than rendering a single pixel (the auto palette period renders 4096 of them). */
static uint32_t online_cpus;
static pthread_once_t online_once = PTHREAD_ONCE_INIT;

static void count_online_cpus(void)
{
    long const n = sysconf(_SC_NPROCESSORS_ONLN);
    online_cpus = n < 1 ? 1 : n > SCHED_MAX_THREADS ? SCHED_MAX_THREADS : (uint32_t)n;
}

uint32_t sched_online_cpus(void)
{
    pthread_once(&online_once, count_online_cpus);
    return online_cpus;
}
