/*
 * deep/deep.c - the deep engines' front door: parsing numbers of any size, a view's
 * full-precision state (centre, step, precision), the cache of its reference orbit and BLA
 * table, and a render through the thread pool.
 *
 * Precision: the centre is held to 64 bits below the pixel step (and above the centre's
 * magnitude), so rounding the centre moves the picture by 2^-64 of a pixel, and the
 * reference orbit's rounding errors, however the dynamics amplify them, stay that far
 * below the differences between neighbouring pixels (docs/deep-notes.md).
 *
 * Invariant: both engines sample the same points: pixel (col, row) is the centre plus
 * ((col - (w-1)/2), ((h-1)/2 - row)) times `step`, a 53-bit number both engines share; a
 * tile's pixel (i, k) is its anchor's (col0 + i, row0 + k), with the anchor's w and h.
 */
#include "deep/deep_int.h"

#include "clock.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Bits kept below the pixel step. */
#define GUARD_BITS 64

bool deep_number_parse(const char *text, double *mant, int64_t *exp2)
{
    if (text == NULL || *text == '\0') return false;
    mpfr_t x;
    mpfr_init2(x, 64);
    char *end;
    mpfr_strtofr(x, text, &end, 0, MPFR_RNDN);
    bool const ok = end != text && *end == '\0' && mpfr_number_p(x);
    if (ok) {
        if (mpfr_zero_p(x)) {
            *mant = 0.0;
            *exp2 = 0;
        } else {
            long e;
            *mant = mpfr_get_d_2exp(&e, x, MPFR_RNDN);
            *exp2 = e;
        }
    }
    mpfr_clear(x);
    return ok;
}

deep_number deep_number_classify(const char *text)
{
    if (text == NULL || *text == '\0') return DEEP_NUMBER_BAD;
    mpfr_t x;
    mpfr_init2(x, 64);
    char *end;
    /* MPFR's flags belong to the calling thread (Debian builds it thread-safe). */
    mpfr_clear_overflow();
    mpfr_clear_underflow();
    mpfr_strtofr(x, text, &end, 0, MPFR_RNDN);
    deep_number kind = DEEP_NUMBER_OK;
    if (end == text || *end != '\0') kind = DEEP_NUMBER_BAD;
    else if (mpfr_overflow_p()) kind = DEEP_NUMBER_HUGE;
    else if (mpfr_underflow_p()) kind = DEEP_NUMBER_TINY;
    else if (!mpfr_number_p(x)) kind = DEEP_NUMBER_BAD;
    mpfr_clear(x);
    return kind;
}

double deep_max_zoom_log10(uint32_t height)
{
    /* deep_view_new's bound with the centre's magnitude 0: step = 2*radius/height >=
     * 2^(GUARD_BITS - DEEP_MAX_PREC - 1) (its mantissa is at least 1/2), zoom = 2/radius. */
    double const min_step_log2 = (double)(GUARD_BITS - DEEP_MAX_PREC - 1);
    return log10(4.0 / height) - min_step_log2 * log10(2.0);
}

bool deep_radius_from_zoom(const char *zoom, char *buf, size_t size)
{
    double m;
    int64_t e;
    if (!deep_number_parse(zoom, &m, &e) || !(m > 0)) return false;
    mpfr_t z, r;
    mpfr_inits2(128, z, r, (mpfr_ptr)NULL);
    mpfr_strtofr(z, zoom, NULL, 0, MPFR_RNDN);
    double const zd = mpfr_get_d(z, MPFR_RNDN);
    double const rd = 2.0 / zd;
    if (zd > 0 && isfinite(zd) && isfinite(rd) && rd >= 1e-300) {
        snprintf(buf, size, "%.17g", rd);
    } else {
        mpfr_ui_div(r, 2, z, MPFR_RNDN);
        mpfr_snprintf(buf, size, "%.30Re", r);
    }
    mpfr_clears(z, r, (mpfr_ptr)NULL);
    return true;
}

int deep_view_new(mandel_ctx *ctx, uint32_t width, uint32_t height, const char *re,
                  const char *im, const char *radius, deep_view **out)
{
    double rm, cm;
    int64_t re2, ce2;
    bool const ok = deep_number_parse(radius, &rm, &re2) && rm > 0;
    assert(ok);
    (void)ok;
    /* step = 2 * radius / height, rounded to 53 bits: the value both engines use. */
    mpfr_t t;
    mpfr_init2(t, 128);
    mpfr_strtofr(t, radius, NULL, 0, MPFR_RNDN);
    mpfr_mul_2ui(t, t, 1, MPFR_RNDN);
    mpfr_div_ui(t, t, height, MPFR_RNDN);
    fe const step = floatexp_from_mpfr(t);
    mpfr_clear(t);

    int64_t mag = 0; /* log2 of the larger centre coordinate, at least 0 */
    if (deep_number_parse(re, &cm, &ce2) && cm != 0 && ce2 > mag) mag = ce2;
    if (deep_number_parse(im, &cm, &ce2) && cm != 0 && ce2 > mag) mag = ce2;
    int64_t prec = mag - step.e + GUARD_BITS;
    if (prec < 64) prec = 64;
    FAIL_IF(ctx, prec > DEEP_MAX_PREC, MANDEL_ETOOBIG,
            "the view is deeper than this build supports: pixels of 2^%lld need %lld bits of "
            "precision, the limit is 2^26 (a zoom of about 1e%.0f at this height)",
            (long long)step.e, (long long)prec, floor(deep_max_zoom_log10(height)));

    deep_view *const dv = ctx_alloc(ctx, sizeof *dv);
    FAIL_IF(ctx, dv == NULL, MANDEL_ENOMEM, "out of memory for a deep view");
    memset(dv, 0, sizeof *dv);
    dv->alloc = ctx->alloc;
    dv->width = width;
    dv->height = height;
    dv->prec = (mpfr_prec_t)prec;
    mpfr_inits2(dv->prec, dv->re, dv->im, dv->step, (mpfr_ptr)NULL);
    mpfr_strtofr(dv->re, re, NULL, 0, MPFR_RNDN);
    mpfr_strtofr(dv->im, im, NULL, 0, MPFR_RNDN);
    mpfr_set_d(dv->step, step.m, MPFR_RNDN);
    mpfr_mul_2si(dv->step, dv->step, (long)step.e, MPFR_RNDN);
    dv->step_fe = step;
    double const hx = (width - 1) / 2.0, hy = (height - 1) / 2.0;
    dv->dc_max = fe_make(sqrt(hx * hx + hy * hy) * step.m * (1 + 0x1p-50), step.e);
    dv->fe_view = step.e < -DEEP_FE_STEP_EXP;
    pthread_mutex_init(&dv->lock, NULL);
    *out = dv;
    return MANDEL_OK;
}

/* The largest |offset| of the pixels from `col` .. col + n - 1 and `row` .. row + m - 1, in
 * steps (a corner's). */
static double corner_reach(double hx, double hy, int64_t col, int64_t row, uint32_t n,
                           uint32_t m)
{
    double const ox = fmax(fabs((double)col - hx), fabs((double)(col + n - 1) - hx));
    double const oy = fmax(fabs((double)row - hy), fabs((double)(row + m - 1) - hy));
    return sqrt(ox * ox + oy * oy);
}

int deep_view_new_tile(mandel_ctx *ctx, const deep_view *anchor, int64_t col0, int64_t row0,
                       uint32_t width, uint32_t height, deep_view **out)
{
    deep_view *const dv = ctx_alloc(ctx, sizeof *dv);
    FAIL_IF(ctx, dv == NULL, MANDEL_ENOMEM, "out of memory for a deep view");
    memset(dv, 0, sizeof *dv);
    dv->alloc = ctx->alloc;
    dv->width = anchor->width;
    dv->height = anchor->height;
    dv->col0 = col0;
    dv->row0 = row0;
    dv->prec = anchor->prec;
    mpfr_inits2(dv->prec, dv->re, dv->im, dv->step, (mpfr_ptr)NULL);
    mpfr_set(dv->re, anchor->re, MPFR_RNDN);
    mpfr_set(dv->im, anchor->im, MPFR_RNDN);
    mpfr_set(dv->step, anchor->step, MPFR_RNDN);
    dv->step_fe = anchor->step_fe;
    dv->fe_view = anchor->fe_view;
    /* The BLA radii depend on dc_max: the anchor's own bound unless the tile reaches
     * further, so that a tile inside the anchor gets the anchor's table and its pixels. */
    double const hx = (dv->width - 1) / 2.0, hy = (dv->height - 1) / 2.0;
    double const own = sqrt(hx * hx + hy * hy);
    double const reach = corner_reach(hx, hy, col0, row0, width, height);
    fe const step = dv->step_fe;
    dv->dc_max = fe_make(fmax(own, reach) * step.m * (1 + 0x1p-50), step.e);
    pthread_mutex_init(&dv->lock, NULL);
    *out = dv;
    return MANDEL_OK;
}

static void drop_cache(const mandel_allocator *alloc, deep_view *dv)
{
    if (!dv->cached && !dv->adopted) return;
    orbit_free(alloc, &dv->orb);
    bla_free(alloc, &dv->bla);
    dv->cached = false;
    dv->adopted = false;
    dv->has_bla = false;
}

int deep_view_adopt_orbit(mandel_ctx *ctx, deep_view *dv, deep_view *donor, uint32_t max_iter)
{
    if (dv == donor) {
        /* Its own orbit: nothing to copy (and one lock, not two). */
        pthread_mutex_lock(&dv->lock);
        bool const has = (dv->cached || dv->adopted) && dv->cache_iter == max_iter;
        pthread_mutex_unlock(&dv->lock);
        FAIL_IF(ctx, !has, MANDEL_EINVAL, "the donor view has no reference orbit for %u "
                "iterations (render it first, with the perturbation engine)", max_iter);
        return MANDEL_OK;
    }
    /* Two locks, always taken in address order, so two adoptions the other way round
     * cannot deadlock. */
    deep_view *const first = dv < donor ? dv : donor, *const second = dv < donor ? donor : dv;
    pthread_mutex_lock(&first->lock);
    pthread_mutex_lock(&second->lock);
    int err = MANDEL_OK;
    const orbit *const src = &donor->orb;
    bool const has = (donor->cached || donor->adopted) && donor->cache_iter == max_iter;
    size_t const n = has ? (size_t)src->len + 1 : 0;
    uint64_t const bytes = (uint64_t)n * (sizeof(orbit_pt) + (dv->fe_view ? sizeof(fec) : 0));
    if (!has) {
        err = ctx_fail(ctx, MANDEL_EINVAL, "the donor view has no reference orbit for %u "
                       "iterations (render it first, with the perturbation engine)", max_iter);
    } else if (donor->prec < dv->prec) {
        err = ctx_fail(ctx, MANDEL_EINVAL, "the donor's orbit has %ld bits of precision, the "
                       "view needs %ld: adopt the orbit of a deeper view",
                       (long)donor->prec, (long)dv->prec);
    } else if (dv->fe_view && src->zfe == NULL) {
        err = ctx_fail(ctx, MANDEL_EINVAL, "the donor's orbit lacks the extended-range values "
                       "this view needs: adopt the orbit of a deeper view");
    } else if (bytes > ctx->max_memory) {
        err = ctx_fail(ctx, MANDEL_ETOOBIG, "the reference orbit of %u steps needs %llu bytes, "
                       "limit is %llu", src->len, (unsigned long long)bytes,
                       (unsigned long long)ctx->max_memory);
    }
    if (err == MANDEL_OK) {
        const mandel_allocator *const a = &dv->alloc;
        orbit copy = {.len = src->len, .bytes = (size_t)bytes};
        copy.z = a->alloc(a->user, n * sizeof *copy.z);
        copy.zfe = dv->fe_view ? a->alloc(a->user, n * sizeof *copy.zfe) : NULL;
        if (copy.z == NULL || (dv->fe_view && copy.zfe == NULL)) {
            orbit_free(a, &copy);
            err = ctx_fail(ctx, MANDEL_ENOMEM, "out of memory for a reference orbit of %u "
                           "steps", src->len);
        } else {
            memcpy(copy.z, src->z, n * sizeof *copy.z);
            if (copy.zfe != NULL) memcpy(copy.zfe, src->zfe, n * sizeof *copy.zfe);
            drop_cache(a, dv);
            dv->orb = copy;
            dv->adopted = true;
            dv->cache_iter = max_iter;
        }
    }
    pthread_mutex_unlock(&second->lock);
    pthread_mutex_unlock(&first->lock);
    return err;
}

void deep_view_free(deep_view *dv)
{
    if (dv == NULL) return;
    mandel_allocator const *const alloc = &dv->alloc;
    drop_cache(alloc, dv);
    mpfr_clears(dv->re, dv->im, dv->step, (mpfr_ptr)NULL);
    pthread_mutex_destroy(&dv->lock);
    mandel_allocator const a = dv->alloc;
    a.free(a.user, dv);
}

/* The reference orbit's progress (orbit_compute's (iterations, max_iter)) to the ctx's
 * callback: MANDEL_PHASE_ORBIT to a phase-aware one, (0, pixels) to a plain one. */
typedef struct orbit_report {
    mandel_ctx *ctx;
    uint64_t pixels;
    uint32_t max_iter;   /* for the BLA build's reports (poll_bla) */
    double next_report;  /* clock_seconds() of poll_bla's next report */
} orbit_report;

static int report_orbit(void *user, uint64_t done, uint64_t total)
{
    const orbit_report *const r = user;
    mandel_ctx *const ctx = r->ctx;
    if (ctx->phase_progress != NULL)
        return ctx->phase_progress(ctx->phase_progress_user, MANDEL_PHASE_ORBIT, done, total);
    if (ctx->progress != NULL) return ctx->progress(ctx->progress_user, 0, r->pixels);
    return 0;
}

/* bla_build's poll: the orbit phase's callback, at its end (done = total), when a report
 * is due; it returns what the callback says (non-zero: cancel). */
static int poll_bla(void *user)
{
    orbit_report *const r = user;
    double const now = clock_seconds();
    if (now < r->next_report) return 0;
    r->next_report = now + 0.1;
    return report_orbit(r, r->max_iter, r->max_iter);
}

/* Builds the reference orbit and BLA table for max_iter unless they are cached. The cache
 * is freed with the view, so it comes from the view's allocator. */
static int prepare(mandel_ctx *ctx, deep_view *dv, uint32_t max_iter, uint64_t total,
                   double *t_orbit, double *t_bla)
{
    const mandel_allocator *const alloc = &dv->alloc;
    if (dv->cached && dv->cache_iter == max_iter) return MANDEL_OK;
    if (dv->adopted && dv->cache_iter == max_iter) {
        /* Another view's orbit (deep_view_adopt_orbit): only the table is this view's. */
        orbit_report rep = {ctx, total, max_iter, clock_seconds() + 0.1};
        bool const report = ctx->progress != NULL || ctx->phase_progress != NULL;
        double const t1 = clock_seconds();
        int const err = bla_build(alloc, &dv->orb, dv->dc_max, dv->step_fe.e, dv->fe_view,
                                  ctx->max_memory > dv->orb.bytes ? ctx->max_memory - dv->orb.bytes : 0,
                                  report ? poll_bla : NULL,
                                  &rep, &dv->bla);
        *t_bla += clock_seconds() - t1;
        FAIL_IF(ctx, err == MANDEL_ECANCELED, err, "render cancelled");
        FAIL_IF(ctx, err == MANDEL_ENOMEM, err, "out of memory for the approximation table");
        dv->has_bla = err == MANDEL_OK; /* MANDEL_ETOOBIG: render without it */
        dv->adopted = false;
        dv->cached = true;
        return MANDEL_OK;
    }
    /* The orbit is bounded by max_iter, not by when it escapes (an interior reference never
     * does): refused now, in a microsecond, rather than after minutes of MPFR steps. */
    uint64_t const orbit_bytes = orbit_peak_bytes(max_iter, dv->fe_view);
    FAIL_IF(ctx, orbit_bytes > ctx->max_memory, MANDEL_ETOOBIG,
            "the reference orbit of %u steps needs %llu bytes, limit is %llu", max_iter,
            (unsigned long long)orbit_bytes, (unsigned long long)ctx->max_memory);
    drop_cache(alloc, dv);
    double const t0 = clock_seconds();
    orbit_report rep = {ctx, total, max_iter, 0};
    bool const report = ctx->progress != NULL || ctx->phase_progress != NULL;
    int err = orbit_compute(alloc, dv->re, dv->im, dv->prec, max_iter, dv->fe_view,
                            report ? report_orbit : NULL, &rep, &dv->orb);
    /* A phase-aware callback sees the orbit phase complete, however early it escaped. */
    if (err == MANDEL_OK && ctx->phase_progress != NULL &&
        ctx->phase_progress(ctx->phase_progress_user, MANDEL_PHASE_ORBIT, max_iter,
                            max_iter) != 0) {
        orbit_free(alloc, &dv->orb);
        err = MANDEL_ECANCELED;
    }
    FAIL_IF(ctx, err == MANDEL_ECANCELED, err, "render cancelled");
    FAIL_IF(ctx, err != MANDEL_OK, err, "out of memory for a reference orbit of %u steps",
            max_iter);
    double const t1 = clock_seconds();
    /* The table gets what the orbit left of the limit; without room it is left out. */
    rep.next_report = t1 + 0.1;
    err = bla_build(alloc, &dv->orb, dv->dc_max, dv->step_fe.e, dv->fe_view,
                    ctx->max_memory - dv->orb.bytes, report ? poll_bla : NULL, &rep, &dv->bla);
    *t_orbit += t1 - t0;
    *t_bla += clock_seconds() - t1;
    if (err == MANDEL_ECANCELED) {
        orbit_free(alloc, &dv->orb);
        return ctx_fail(ctx, err, "render cancelled");
    }
    if (err == MANDEL_ENOMEM) {
        orbit_free(alloc, &dv->orb);
        return ctx_fail(ctx, err, "out of memory for the approximation table");
    }
    dv->has_bla = err == MANDEL_OK; /* MANDEL_ETOOBIG: render without it */
    dv->cached = true;
    dv->cache_iter = max_iter;
    return MANDEL_OK;
}

int deep_render(mandel_ctx *ctx, sched_pool *pool, uint32_t threads, deep_view *dv,
                bool brute, uint32_t max_iter, mandel_rect rect, const mandel_fields *fields,
                mandel_progress_fn progress, void *progress_user, mandel_stats *stats)
{
    perturb_job pj;
    mpfr_engine_job mj;
    sched_job job = {
        .threads = threads,
        .unit = 64, /* a deep pixel costs up to max_iter steps: small units, prompt cancel */
        .width = rect.width,
        .height = rect.height,
        .counts = fields->counts,
        .smooth = fields->smooth,     /* the segments write them; the sink reads them */
        .distance = fields->distance,
        .stride = fields->stride,
        .sink = ctx->sink,
        .sink_user = ctx->sink_user,
        .rect_x = rect.x,
        .rect_y = rect.y,
    };
    perturb_stats st = {0}; /* for mandel_stats; each segment adds once, atomically */
    double t_orbit = 0, t_bla = 0;
    pthread_mutex_lock(&dv->lock);
    int err = MANDEL_OK;
    if (brute) {
        uint64_t const scratch = (uint64_t)threads * mpfr_engine_scratch_bytes(dv->prec);
        if (scratch > ctx->max_memory) {
            pthread_mutex_unlock(&dv->lock);
            return ctx_fail(ctx, MANDEL_ETOOBIG,
                            "the MPFR engine's %u threads need %llu bytes at %ld bits, limit "
                            "is %llu", threads, (unsigned long long)scratch, (long)dv->prec,
                            (unsigned long long)ctx->max_memory);
        }
        mj = (mpfr_engine_job){
            .cre = dv->re, .cim = dv->im, .step = dv->step, .prec = dv->prec,
            .view_width = dv->width, .view_height = dv->height,
            .rect_x = dv->col0 + rect.x, .rect_y = dv->row0 + rect.y, .max_iter = max_iter,
            .smooth = fields->smooth, .distance = fields->distance, .stride = fields->stride,
        };
        job.segment = mpfr_engine_segment;
        job.segment_user = &mj;
    } else {
        err = prepare(ctx, dv, max_iter, (uint64_t)rect.width * rect.height, &t_orbit, &t_bla);
        pj = (perturb_job){
            .orb = &dv->orb, .bla = dv->has_bla ? &dv->bla : NULL, .step = dv->step_fe,
            .b_exp = dv->step_fe.e,
            .fe_view = dv->fe_view, .view_width = dv->width, .view_height = dv->height,
            .rect_x = dv->col0 + rect.x, .rect_y = dv->row0 + rect.y, .max_iter = max_iter,
            .stats = &st,
            .cre = mpfr_get_d(dv->re, MPFR_RNDN), .cim = mpfr_get_d(dv->im, MPFR_RNDN),
            .smooth = fields->smooth, .distance = fields->distance, .stride = fields->stride,
            .lanes = perturb_lanes_select(ctx->isa),
        };
        job.segment = perturb_segment;
        job.segment_user = &pj;
    }
    if (err == MANDEL_OK) {
        err = sched_run(pool, &job, progress, progress_user, &stats->iterations);
        if (err == MANDEL_ECANCELED) ctx_fail(ctx, err, "render cancelled");
        if (!brute) {
            stats->orbit_seconds = t_orbit;
            stats->bla_seconds = t_bla;
            stats->bla_skips = st.bla_skips;
            stats->bla_iterations = st.bla_iters;
            stats->exact_steps = st.steps + st.fe_steps;
            stats->rebases = st.rebases;
        }
    }
    pthread_mutex_unlock(&dv->lock);
    return err;
}
