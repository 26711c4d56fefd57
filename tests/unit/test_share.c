/*
 * tests/unit/test_share.c - deep state shared by the tiles of one anchor: tiles rendered on
 * several threads at once (one ctx each, the anchor freed first) compute the reference
 * orbit once between them and give the anchor's pixels bit for bit; a render waiting for
 * another's orbit can cancel its wait, and a render cancelled while computing hands the
 * work to a waiting one; mandel_view_prepared() follows the preparation. Checks run on the
 * main thread (check.h counts are not atomic); worker threads only record.
 */
#include "../check.h"
#include "mandel.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The anchor: a minibrot at 1e200 (tests/data/deep/near-i-1e200.kfr), where the BLA
 * tables skip most iterations, so a pixel given another table would likely differ. */
#define AW 64
#define AH 48
#define ITER 6000
#define TILE 16

static char kfr_re[4096], kfr_im[4096];

/* The Re and Im lines of the .kfr file. */
static bool read_kfr(void)
{
    FILE *const f = fopen(MANDEL_TEST_DATA "/deep/near-i-1e200.kfr", "r");
    CHECK_TRUE(f != NULL);
    if (f == NULL) return false;
    static char line[4200];
    bool got_re = false, got_im = false;
    while (fgets(line, sizeof line, f) != NULL) {
        line[strcspn(line, "\r\n")] = '\0';
        if (strncmp(line, "Re: ", 4) == 0)
            got_re = snprintf(kfr_re, sizeof kfr_re, "%s", line + 4) > 0;
        if (strncmp(line, "Im: ", 4) == 0)
            got_im = snprintf(kfr_im, sizeof kfr_im, "%s", line + 4) > 0;
    }
    fclose(f);
    CHECK_TRUE(got_re && got_im);
    return got_re && got_im;
}

static int new_anchor(mandel_ctx *ctx, mandel_view **v, uint32_t w, uint32_t h)
{
    return mandel_view_new_zoom(ctx, v, w, h, kfr_re, kfr_im, "1e200");
}

/* ---- (a) many tiles on several threads -------------------------------------------- */

typedef struct tile_job {
    int64_t col0, row0;
    uint32_t *counts;   /* TILE x TILE */
    float *smooth;
} tile_job;

typedef struct worker {
    pthread_t thread;
    tile_job *jobs;
    uint32_t n_jobs, first, step;  /* jobs first, first + step, ... */
    mandel_view *const *tiles;
    uint32_t orbits;               /* summed mandel_stats.orbits */
    int err;
    char errmsg[256];
} worker;

static void *render_tiles(void *arg)
{
    worker *const wk = arg;
    mandel_ctx *const ctx = mandel_ctx_new(NULL);
    if (ctx == NULL) {
        wk->err = MANDEL_ENOMEM;
        return NULL;
    }
    mandel_ctx_set(ctx, MANDEL_OPT_THREADS, 2);
    mandel_ctx_set(ctx, MANDEL_OPT_ENGINE, MANDEL_ENGINE_PERTURB);
    for (uint32_t j = wk->first; j < wk->n_jobs && wk->err == MANDEL_OK; j += wk->step) {
        tile_job *const tj = &wk->jobs[j];
        mandel_fields const f = {.counts = tj->counts, .smooth = tj->smooth, .stride = TILE,
                                 .capacity = TILE * TILE};
        wk->err = mandel_render_fields(ctx, wk->tiles[j], ITER, (mandel_rect){0, 0, TILE, TILE},
                                       &f);
        if (wk->err != MANDEL_OK) {
            snprintf(wk->errmsg, sizeof wk->errmsg, "%s", mandel_errmsg(ctx));
            break;
        }
        mandel_stats st;
        mandel_ctx_stats(ctx, &st);
        wk->orbits += st.orbits;
    }
    mandel_ctx_free(ctx);
    return NULL;
}

static void many_tiles(void)
{
    if (!read_kfr()) return;
    mandel_ctx *const ctx = mandel_ctx_new(NULL);
    CHECK_TRUE(ctx != NULL);
    mandel_ctx_set(ctx, MANDEL_OPT_ENGINE, MANDEL_ENGINE_PERTURB);
    /* The anchor's own pixels, from a view of its own (another shared state). */
    mandel_view *ref = NULL;
    CHECK_EQ_INT(MANDEL_OK, new_anchor(ctx, &ref, AW, AH));
    if (ref == NULL) return;
    CHECK_EQ_INT(MANDEL_ENGINE_PERTURB, mandel_view_engine(ref));
    static uint32_t want_c[AW * AH];
    static float want_s[AW * AH];
    mandel_fields const f = {.counts = want_c, .smooth = want_s, .stride = AW,
                             .capacity = AW * AH};
    CHECK_EQ_INT(MANDEL_OK, mandel_render_fields(ctx, ref, ITER, (mandel_rect){0, 0, AW, AH}, &f));
    mandel_stats st;
    mandel_ctx_stats(ctx, &st);
    CHECK_EQ_INT(1, st.orbits);
    CHECK_TRUE(st.bla_iterations > st.iterations / 2);
    uint32_t distinct = 0;
    for (size_t p = 1; p < AW * AH; p++) distinct += want_c[p] != want_c[p - 1];
    CHECK_TRUE(distinct > 20); /* a picture, not one colour */

    /* Tiles covering the anchor and a ring beyond it, of a second anchor freed before any
     * of them renders. */
    mandel_view *anchor = NULL;
    CHECK_EQ_INT(MANDEL_OK, new_anchor(ctx, &anchor, AW, AH));
    mandel_phase phase;
    uint64_t done, total;
    CHECK_EQ_INT(MANDEL_OK, mandel_view_prepared(anchor, ITER, &phase, &done, &total));
    CHECK_EQ_INT(MANDEL_PHASE_ORBIT, phase);
    CHECK_EQ_INT(0, done);
    CHECK_EQ_INT(ITER, total);
    enum { NX = AW / TILE + 2, NY = AH / TILE + 2, N = NX * NY + 1 };
    static tile_job jobs[N];
    static mandel_view *tiles[N];
    for (uint32_t t = 0; t < N; t++) {
        /* the grid from (-TILE, -TILE), and one straddling the bottom-right corner */
        jobs[t].col0 = t + 1 < N ? (int64_t)(t % NX) * TILE - TILE : AW - TILE / 2;
        jobs[t].row0 = t + 1 < N ? (int64_t)(t / NX) * TILE - TILE : AH - TILE / 2;
        jobs[t].counts = malloc(TILE * TILE * sizeof(uint32_t));
        jobs[t].smooth = malloc(TILE * TILE * sizeof(float));
        CHECK_TRUE(jobs[t].counts != NULL && jobs[t].smooth != NULL);
        CHECK_EQ_INT(MANDEL_OK, mandel_view_new_tile(ctx, &tiles[t], anchor, jobs[t].col0,
                                                     jobs[t].row0, TILE, TILE));
        if (tiles[t] == NULL || jobs[t].counts == NULL || jobs[t].smooth == NULL) return;
    }
    mandel_view_free(anchor);
    enum { THREADS = 4 };
    worker wk[THREADS];
    for (uint32_t i = 0; i < THREADS; i++) {
        wk[i] = (worker){.jobs = jobs, .n_jobs = N, .first = i, .step = THREADS,
                         .tiles = tiles};
        CHECK_EQ_INT(0, pthread_create(&wk[i].thread, NULL, render_tiles, &wk[i]));
    }
    uint32_t orbits = 0;
    for (uint32_t i = 0; i < THREADS; i++) {
        pthread_join(wk[i].thread, NULL);
        CHECK_EQ_INT(MANDEL_OK, wk[i].err);
        if (wk[i].err != MANDEL_OK) fprintf(stderr, "worker %u: %s\n", i, wk[i].errmsg);
        orbits += wk[i].orbits;
    }
    /* One orbit for the whole anchor: 4 threads, 25 tiles, 2 BLA classes. */
    CHECK_EQ_INT(1, orbits);
    CHECK_EQ_INT(MANDEL_OK, mandel_view_prepared(tiles[0], ITER, &phase, &done, &total));
    CHECK_EQ_INT(MANDEL_PHASE_PIXELS, phase);
    CHECK_EQ_INT(1, done);
    /* Every pixel inside the anchor equals the anchor's, whatever tile rendered it. */
    uint64_t bad = 0, compared = 0;
    for (uint32_t t = 0; t < N; t++) {
        for (uint32_t k = 0; k < TILE; k++) {
            for (uint32_t i = 0; i < TILE; i++) {
                int64_t const x = jobs[t].col0 + i, y = jobs[t].row0 + k;
                if (x < 0 || y < 0 || x >= AW || y >= AH) continue;
                size_t const a = (size_t)y * AW + (size_t)x, b = (size_t)k * TILE + i;
                compared++;
                if (jobs[t].counts[b] != want_c[a] ||
                    memcmp(&jobs[t].smooth[b], &want_s[a], sizeof(float)) != 0)
                    bad++;
            }
        }
        mandel_view_free(tiles[t]);
        free(jobs[t].counts);
        free(jobs[t].smooth);
    }
    CHECK_EQ_INT(AW * AH + TILE * TILE / 4, compared);
    CHECK_EQ_INT(0, bad);
    mandel_view_free(ref);
    mandel_ctx_free(ctx);
}

/* ---- (b) waiting for another render's orbit ---------------------------------------- */

/* c = i never escapes: its orbit runs to the limit, long enough to wait for. */
#define LONG_ITER 400000

typedef struct racer {
    pthread_t thread;
    mandel_view *view;
    atomic_int *started;    /* set by this racer's callback when it is first called */
    atomic_int *release;    /* this racer's callback waits for it (if not NULL) */
    int answer;             /* what the callback answers once released */
    atomic_int finished;
    int err;
    uint32_t orbits;
} racer;

static void pause_ms(long ms)
{
    struct timespec const t = {0, ms * 1000000L};
    nanosleep(&t, NULL);
}

static int racer_progress(void *user, mandel_phase phase, uint64_t done, uint64_t total)
{
    (void)done, (void)total;
    racer *const r = user;
    if (phase != MANDEL_PHASE_ORBIT) return 0;
    atomic_store(r->started, 1);
    if (r->release != NULL)
        while (!atomic_load(r->release)) pause_ms(1);
    return r->answer;
}

static void *race(void *arg)
{
    racer *const r = arg;
    mandel_ctx *const ctx = mandel_ctx_new(NULL);
    r->err = MANDEL_ENOMEM;
    if (ctx != NULL) {
        mandel_ctx_set(ctx, MANDEL_OPT_THREADS, 1);
        mandel_ctx_set_phase_progress(ctx, racer_progress, r);
        uint32_t c[4];
        r->err = mandel_render(ctx, r->view, LONG_ITER, (mandel_rect){0, 0, 2, 2}, c, 2,
                               sizeof c);
        mandel_stats st;
        mandel_ctx_stats(ctx, &st);
        r->orbits = r->err == MANDEL_OK ? st.orbits : 0;
        mandel_ctx_free(ctx);
    }
    atomic_store(&r->finished, 1);
    return NULL;
}

/* Two tiles of one anchor at 1e300 around i. */
static void two_tiles(mandel_ctx *ctx, mandel_view **a, mandel_view **b)
{
    mandel_view *anchor = NULL;
    *a = *b = NULL;
    CHECK_EQ_INT(MANDEL_OK, mandel_view_new_center(ctx, &anchor, 8, 8, "0", "1", "1e-300"));
    if (anchor == NULL) return;
    CHECK_EQ_INT(MANDEL_OK, mandel_view_new_tile(ctx, a, anchor, 0, 0, 2, 2));
    CHECK_EQ_INT(MANDEL_OK, mandel_view_new_tile(ctx, b, anchor, 4, 4, 2, 2));
    mandel_view_free(anchor);
}

static void waiting(void)
{
    mandel_ctx *const ctx = mandel_ctx_new(NULL);
    CHECK_TRUE(ctx != NULL);
    mandel_view *ta, *tb;

    /* A waiter cancels its own wait: A computes (its callback holds on until B is done),
     * B waits and cancels; then A completes, with the only orbit. */
    two_tiles(ctx, &ta, &tb);
    if (ta == NULL || tb == NULL) return;
    atomic_int a_started = 0, b_started = 0;
    racer a = {.view = ta, .started = &a_started, .answer = 0};
    racer b = {.view = tb, .started = &b_started, .answer = 1};
    a.release = &b.finished;
    CHECK_EQ_INT(0, pthread_create(&a.thread, NULL, race, &a));
    while (!atomic_load(&a_started)) pause_ms(1);
    CHECK_EQ_INT(0, pthread_create(&b.thread, NULL, race, &b));
    pthread_join(b.thread, NULL);
    CHECK_EQ_INT(MANDEL_ECANCELED, b.err);
    CHECK_EQ_INT(0, atomic_load(&a.finished)); /* B's cancel did not stop A */
    pthread_join(a.thread, NULL);
    CHECK_EQ_INT(MANDEL_OK, a.err);
    CHECK_EQ_INT(1, a.orbits);
    mandel_view_free(ta);
    mandel_view_free(tb);

    /* The computing render is cancelled: the waiting one takes over and computes it. A's
     * callback holds on until B has waited (B's callback was called), then cancels. */
    two_tiles(ctx, &ta, &tb);
    if (ta == NULL || tb == NULL) return;
    atomic_int a2 = 0, b2 = 0;
    racer c = {.view = ta, .started = &a2, .release = &b2, .answer = 1};
    racer d = {.view = tb, .started = &b2, .answer = 0};
    CHECK_EQ_INT(0, pthread_create(&c.thread, NULL, race, &c));
    while (!atomic_load(&a2)) pause_ms(1);
    CHECK_EQ_INT(0, pthread_create(&d.thread, NULL, race, &d));
    pthread_join(c.thread, NULL);
    pthread_join(d.thread, NULL);
    CHECK_EQ_INT(MANDEL_ECANCELED, c.err);
    CHECK_EQ_INT(MANDEL_OK, d.err);
    CHECK_EQ_INT(1, d.orbits);
    mandel_view_free(ta);
    mandel_view_free(tb);
    mandel_ctx_free(ctx);
}

/* ---- (c) one pool for several ctxs ------------------------------------------------ */

#define PW 300
#define PH 200

typedef struct pooled {
    pthread_t thread;
    mandel_ctx *ctx;   /* set to the pool before the thread starts; freed by the thread */
    bool guess;
    uint32_t *counts;  /* PW x PH */
    uint32_t threads;  /* mandel_stats.threads */
    int err;
} pooled;

static void *render_pooled(void *arg)
{
    pooled *const pr = arg;
    mandel_ctx *const ctx = pr->ctx;
    mandel_ctx_set(ctx, MANDEL_OPT_THREADS, 7); /* not used: the pool's count is */
    mandel_ctx_set(ctx, MANDEL_OPT_GUESS, pr->guess);
    mandel_view *v = NULL;
    pr->err = mandel_view_new_center(ctx, &v, PW, PH, "-0.75", "0.1", "1.1");
    /* in bands, so that the ctxs take many turns */
    for (uint32_t y = 0; y < PH && pr->err == MANDEL_OK; y += 20) {
        pr->err = mandel_render(ctx, v, 2000, (mandel_rect){0, y, PW, 20}, pr->counts + y * PW,
                                PW, (size_t)(PH - y) * PW * 4);
        mandel_stats st;
        mandel_ctx_stats(ctx, &st);
        pr->threads = st.threads;
    }
    mandel_view_free(v);
    mandel_ctx_free(ctx);
    return NULL;
}

static void shared_pool(void)
{
    static uint32_t want[PW * PH];
    mandel_ctx *const ctx = mandel_ctx_new(NULL);
    mandel_view *v = NULL;
    CHECK_TRUE(ctx != NULL);
    mandel_ctx_set(ctx, MANDEL_OPT_THREADS, 1);
    CHECK_EQ_INT(MANDEL_OK, mandel_view_new_center(ctx, &v, PW, PH, "-0.75", "0.1", "1.1"));
    CHECK_EQ_INT(MANDEL_OK, mandel_render(ctx, v, 2000, (mandel_rect){0, 0, PW, PH}, want, PW,
                                          sizeof want));
    mandel_view_free(v);
    mandel_ctx_free(ctx);
    mandel_pool *p = (mandel_pool *)&p;
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_pool_new(NULL, 2, NULL));
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_pool_new(&p, 1025, NULL));
    CHECK_TRUE(p == NULL);
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_ctx_set_pool(NULL, NULL));
    mandel_pool_free(NULL);
    static const uint32_t sizes[] = {1, 2, 3};
    for (size_t n = 0; n < sizeof sizes / sizeof *sizes; n++) {
        mandel_pool *pool = NULL;
        CHECK_EQ_INT(MANDEL_OK, mandel_pool_new(&pool, sizes[n], NULL));
        if (pool == NULL) return;
        enum { CTXS = 3 };
        pooled pr[CTXS];
        for (uint32_t i = 0; i < CTXS; i++) {
            pr[i] = (pooled){.ctx = mandel_ctx_new(NULL), .guess = i == 2,
                             .counts = calloc(PW * PH, sizeof(uint32_t))};
            CHECK_TRUE(pr[i].counts != NULL && pr[i].ctx != NULL);
            if (pr[i].counts == NULL || pr[i].ctx == NULL) return;
            CHECK_EQ_INT(MANDEL_OK, mandel_ctx_set_pool(pr[i].ctx, pool));
            CHECK_EQ_INT(0, pthread_create(&pr[i].thread, NULL, render_pooled, &pr[i]));
        }
        /* The creator lets go at once: the ctxs keep the pool alive. */
        mandel_pool_free(pool);
        for (uint32_t i = 0; i < CTXS; i++) {
            pthread_join(pr[i].thread, NULL);
            CHECK_EQ_INT(MANDEL_OK, pr[i].err);
            CHECK_EQ_INT(sizes[n], pr[i].threads);
            /* guessing (ctx 2) may differ from the plain counts; the others may not */
            if (i < 2) CHECK_EQ_INT(0, memcmp(want, pr[i].counts, sizeof want));
            free(pr[i].counts);
        }
    }
}

/* ---- (d) mandel_ctx_cancel from another thread ----------------------------------- */

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + t.tv_nsec * 1e-9;
}

typedef struct long_render {
    pthread_t thread;
    mandel_ctx *ctx;
    const mandel_view *view;
    uint32_t max_iter;
    int err;
    atomic_int finished;
    double ended;
} long_render;

static void *run_long(void *arg)
{
    long_render *const lr = arg;
    uint32_t c[16 * 4];
    lr->err = mandel_render(lr->ctx, lr->view, lr->max_iter, (mandel_rect){0, 0, 16, 4}, c, 16,
                            sizeof c);
    lr->ended = now_s();
    atomic_store(&lr->finished, 1);
    return NULL;
}

/* Starts a render of `view` on ctx, cancels it after 0.3 s from this thread, and returns
 * how long it took to stop (a render left alone would take minutes). */
static double cancel_after(mandel_ctx *ctx, const mandel_view *view, uint32_t max_iter,
                           int *err)
{
    long_render lr = {.ctx = ctx, .view = view, .max_iter = max_iter};
    if (pthread_create(&lr.thread, NULL, run_long, &lr) != 0) return 1e9;
    pause_ms(300);
    int const unfinished = !atomic_load(&lr.finished);
    double const at = now_s();
    CHECK_EQ_INT(MANDEL_OK, mandel_ctx_cancel(ctx));
    pthread_join(lr.thread, NULL);
    *err = lr.err;
    return unfinished ? lr.ended - at : 1e9;
}

static void cancel_from_outside(void)
{
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_ctx_cancel(NULL));
    mandel_ctx *const ctx = mandel_ctx_new(NULL);
    CHECK_TRUE(ctx != NULL);
    if (ctx == NULL) return;
    mandel_ctx_set(ctx, MANDEL_OPT_THREADS, 2);
    mandel_ctx_set(ctx, MANDEL_OPT_SHORTCUTS, 0);
    mandel_view *v = NULL, *deep = NULL;
    /* interior points at a limit of 4e9: minutes of work */
    CHECK_EQ_INT(MANDEL_OK, mandel_view_new_center(ctx, &v, 16, 4, "-0.1", "0", "0.01"));
    /* a reference orbit at 1e3000 that never escapes (c = i): minutes of MPFR steps */
    CHECK_EQ_INT(MANDEL_OK, mandel_view_new_zoom(ctx, &deep, 16, 4, "0", "1", "1e3000"));
    if (v == NULL || deep == NULL) return;
    int err;
    double t = cancel_after(ctx, v, 4000000000u, &err);
    CHECK_EQ_INT(MANDEL_ECANCELED, err);
    CHECK_TRUE(t < 2.0);
    if (t >= 2.0) fprintf(stderr, "double: stopped %.3f s after mandel_ctx_cancel\n", t);
    t = cancel_after(ctx, deep, 20000000, &err);
    CHECK_EQ_INT(MANDEL_ECANCELED, err);
    CHECK_TRUE(t < 2.0);
    if (t >= 2.0) fprintf(stderr, "orbit: stopped %.3f s after mandel_ctx_cancel\n", t);
    /* A cancel before a render cancels that render, and is used up by it. */
    uint32_t c[16 * 4];
    CHECK_EQ_INT(MANDEL_OK, mandel_ctx_cancel(ctx));
    CHECK_EQ_INT(MANDEL_ECANCELED, mandel_render(ctx, v, 50, (mandel_rect){0, 0, 16, 4}, c, 16,
                                                 sizeof c));
    CHECK_EQ_INT(MANDEL_OK, mandel_render(ctx, v, 50, (mandel_rect){0, 0, 16, 4}, c, 16,
                                          sizeof c));

    /* Waiting for a shared pool's turn: B is cancelled, A (holding the pool) is not. */
    mandel_pool *pool = NULL;
    CHECK_EQ_INT(MANDEL_OK, mandel_pool_new(&pool, 2, NULL));
    mandel_ctx *const other = mandel_ctx_new(NULL);
    CHECK_TRUE(pool != NULL && other != NULL);
    if (pool == NULL || other == NULL) return;
    mandel_ctx_set(other, MANDEL_OPT_SHORTCUTS, 0);
    CHECK_EQ_INT(MANDEL_OK, mandel_ctx_set_pool(ctx, pool));
    CHECK_EQ_INT(MANDEL_OK, mandel_ctx_set_pool(other, pool));
    mandel_pool_free(pool);
    long_render a = {.ctx = other, .view = v, .max_iter = 4000000000u};
    CHECK_EQ_INT(0, pthread_create(&a.thread, NULL, run_long, &a));
    pause_ms(200); /* A has the pool */
    t = cancel_after(ctx, v, 4000000000u, &err);
    CHECK_EQ_INT(MANDEL_ECANCELED, err);
    CHECK_TRUE(t < 2.0);
    if (t >= 2.0) fprintf(stderr, "turn: stopped %.3f s after mandel_ctx_cancel\n", t);
    CHECK_EQ_INT(0, atomic_load(&a.finished));
    mandel_ctx_cancel(other);
    pthread_join(a.thread, NULL);
    CHECK_EQ_INT(MANDEL_ECANCELED, a.err);
    mandel_view_free(v);
    mandel_view_free(deep);
    mandel_ctx_free(other);
    mandel_ctx_free(ctx);
}

int main(void)
{
    many_tiles();
    waiting();
    shared_pool();
    cancel_from_outside();
    return check_report("test_share");
}
