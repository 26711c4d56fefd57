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

/* The anchor's largest pixel offset from its centre, in steps: a corner's. */
static double own_reach(uint32_t width, uint32_t height)
{
    double const hx = (width - 1) / 2.0, hy = (height - 1) / 2.0;
    return sqrt(hx * hx + hy * hy);
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
    deep_shared *const sh = ctx_alloc(ctx, sizeof *sh);
    if (dv == NULL || sh == NULL) {
        ctx_free(ctx, dv);
        ctx_free(ctx, sh);
        return ctx_fail(ctx, MANDEL_ENOMEM, "out of memory for a deep view");
    }
    memset(dv, 0, sizeof *dv);
    memset(sh, 0, sizeof *sh);
    dv->sh = sh;
    dv->alloc = ctx->alloc;
    sh->alloc = ctx->alloc;
    sh->refs = 1;
    sh->width = width;
    sh->height = height;
    sh->prec = (mpfr_prec_t)prec;
    mpfr_inits2(sh->prec, sh->re, sh->im, sh->step, (mpfr_ptr)NULL);
    mpfr_strtofr(sh->re, re, NULL, 0, MPFR_RNDN);
    mpfr_strtofr(sh->im, im, NULL, 0, MPFR_RNDN);
    mpfr_set_d(sh->step, step.m, MPFR_RNDN);
    mpfr_mul_2si(sh->step, sh->step, (long)step.e, MPFR_RNDN);
    sh->step_fe = step;
    sh->own = own_reach(width, height);
    sh->fe_view = step.e < -DEEP_FE_STEP_EXP;
    pthread_mutex_init(&sh->lock, NULL);
    pthread_cond_init(&sh->changed, NULL);
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

/* The largest pixel offset, in steps, that BLA class k's table is built for. */
static double class_reach(const deep_shared *sh, uint32_t k)
{
    return k == 0 ? sh->own : ldexp(fmax(sh->own, 1.0), (int)k);
}

int deep_view_new_tile(mandel_ctx *ctx, const deep_view *anchor, int64_t col0, int64_t row0,
                       uint32_t width, uint32_t height, deep_view **out)
{
    deep_shared *const sh = anchor->sh;
    deep_view *const dv = ctx_alloc(ctx, sizeof *dv);
    FAIL_IF(ctx, dv == NULL, MANDEL_ENOMEM, "out of memory for a deep view");
    memset(dv, 0, sizeof *dv);
    dv->sh = sh;
    dv->alloc = ctx->alloc;
    dv->col0 = col0;
    dv->row0 = row0;
    /* The BLA radii depend on the largest pixel offset: pixels inside the anchor's
     * rectangle take the anchor's own table (class 0), so they equal the anchor's; the
     * others the smallest class that reaches the tile's far corner, a table that every
     * tile as far from the centre shares. */
    double const hx = (sh->width - 1) / 2.0, hy = (sh->height - 1) / 2.0;
    double const reach = corner_reach(hx, hy, col0, row0, width, height);
    uint32_t k = 0;
    while (k + 1 < DEEP_BLA_CLASSES && class_reach(sh, k) < reach) k++;
    dv->bla_class = k;
    dv->inner = col0 < (int64_t)sh->width && col0 + width > 0 && row0 < (int64_t)sh->height &&
                row0 + height > 0;
    pthread_mutex_lock(&sh->lock);
    sh->refs++;
    pthread_mutex_unlock(&sh->lock);
    *out = dv;
    return MANDEL_OK;
}

static void prep_free(const mandel_allocator *alloc, deep_prep *p)
{
    orbit_free(alloc, &p->orb);
    for (uint32_t k = 0; k < DEEP_BLA_CLASSES; k++) bla_free(alloc, &p->bla[k].t);
    exact_prep_free(alloc, p->exact);
    alloc->free(alloc->user, p);
}

void deep_view_free(deep_view *dv)
{
    if (dv == NULL) return;
    deep_shared *const sh = dv->sh;
    pthread_mutex_lock(&sh->lock);
    bool const last = --sh->refs == 0;
    pthread_mutex_unlock(&sh->lock);
    if (last) {
        /* No view holds it, so no render uses it: every prep has 0 users. */
        while (sh->preps != NULL) {
            deep_prep *const p = sh->preps;
            sh->preps = p->next;
            assert(p->users == 0);
            prep_free(&sh->alloc, p);
        }
        mpfr_clears(sh->re, sh->im, sh->step, (mpfr_ptr)NULL);
        pthread_cond_destroy(&sh->changed);
        pthread_mutex_destroy(&sh->lock);
        mandel_allocator const sa = sh->alloc;
        sa.free(sa.user, sh);
    }
    mandel_allocator const a = dv->alloc;
    a.free(a.user, dv);
}

/* The prep for max_iter and formula f of sh (sh->lock held), or NULL. */
static deep_prep *find_prep(const deep_shared *sh, uint32_t max_iter, const formula_params *f)
{
    deep_prep *p = sh->preps;
    while (p != NULL && (p->max_iter != max_iter || !deep_same_formula(&p->formula, f)))
        p = p->next;
    return p;
}

int deep_view_adopt_orbit(mandel_ctx *ctx, deep_view *dv, deep_view *donor, uint32_t max_iter)
{
    deep_shared *const sh = dv->sh, *const from = donor->sh;
    /* The copy is made under the donor's lock, installed under the view's: never both
     * locks at once, so two adoptions the other way round cannot deadlock. */
    pthread_mutex_lock(&from->lock);
    const formula_params *const f = &ctx->formula; /* the orbit of the ctx's formula */
    const deep_prep *const src = find_prep(from, max_iter, f);
    bool const has = src != NULL && src->orbit_state == DEEP_PREP_READY;
    if (sh == from) {
        pthread_mutex_unlock(&from->lock);
        FAIL_IF(ctx, !has, MANDEL_EINVAL, "the donor view has no reference orbit for %u "
                "iterations (render it first, with the perturbation engine)", max_iter);
        return MANDEL_OK; /* its own orbit already */
    }
    int err = MANDEL_OK;
    size_t const n = has ? (size_t)src->orb.len + 1 : 0;
    uint64_t const bytes = (uint64_t)n * (sizeof(orbit_pt) + (sh->fe_view ? sizeof(fec) : 0));
    orbit copy = {.len = has ? src->orb.len : 0, .bytes = (size_t)bytes};
    if (!has) {
        err = ctx_fail(ctx, MANDEL_EINVAL, "the donor view has no reference orbit for %u "
                       "iterations (render it first, with the perturbation engine)", max_iter);
    } else if (from->prec < sh->prec) {
        err = ctx_fail(ctx, MANDEL_EINVAL, "the donor's orbit has %ld bits of precision, the "
                       "view needs %ld: adopt the orbit of a deeper view",
                       (long)from->prec, (long)sh->prec);
    } else if (sh->fe_view && src->orb.zfe == NULL) {
        err = ctx_fail(ctx, MANDEL_EINVAL, "the donor's orbit lacks the extended-range values "
                       "this view needs: adopt the orbit of a deeper view");
    } else if (bytes > ctx->max_memory) {
        err = ctx_fail(ctx, MANDEL_ETOOBIG, "the reference orbit of %u steps needs %llu bytes, "
                       "limit is %llu", src->orb.len, (unsigned long long)bytes,
                       (unsigned long long)ctx->max_memory);
    } else {
        const mandel_allocator *const a = &sh->alloc;
        copy.z = a->alloc(a->user, n * sizeof *copy.z);
        copy.zfe = sh->fe_view ? a->alloc(a->user, n * sizeof *copy.zfe) : NULL;
        if (copy.z == NULL || (sh->fe_view && copy.zfe == NULL)) {
            orbit_free(a, &copy);
            err = ctx_fail(ctx, MANDEL_ENOMEM, "out of memory for a reference orbit of %u "
                           "steps", src->orb.len);
        } else {
            memcpy(copy.z, src->orb.z, n * sizeof *copy.z);
            if (copy.zfe != NULL) memcpy(copy.zfe, src->orb.zfe, n * sizeof *copy.zfe);
        }
    }
    pthread_mutex_unlock(&from->lock);
    if (err != MANDEL_OK) return err;
    pthread_mutex_lock(&sh->lock);
    /* To the front: the most recently used prep is the one kept. */
    deep_prep **link = &sh->preps;
    while (*link != NULL &&
           ((*link)->max_iter != max_iter || !deep_same_formula(&(*link)->formula, f)))
        link = &(*link)->next;
    deep_prep *p = *link;
    if (p != NULL) {
        *link = p->next;
    } else if ((p = sh->alloc.alloc(sh->alloc.user, sizeof *p)) != NULL) {
        memset(p, 0, sizeof *p);
        p->max_iter = max_iter;
        p->formula = *f;
    }
    if (p != NULL) {
        p->next = sh->preps;
        sh->preps = p;
    }
    if (p != NULL && p->orbit_state == DEEP_PREP_NONE) {
        p->orb = copy;
        p->orbit_state = DEEP_PREP_READY;
        copy.z = NULL;
        copy.zfe = NULL;
    }
    pthread_mutex_unlock(&sh->lock);
    orbit_free(&sh->alloc, &copy); /* not needed: kept the one there */
    FAIL_IF(ctx, p == NULL, MANDEL_ENOMEM, "out of memory for a reference orbit");
    return MANDEL_OK;
}

void deep_view_progress(const deep_view *dv, uint32_t max_iter, mandel_phase *phase,
                        uint64_t *done, uint64_t *total)
{
    deep_shared *const sh = dv->sh;
    pthread_mutex_lock(&sh->lock);
    const deep_prep *p = sh->preps;
    while (p != NULL && p->max_iter != max_iter) p = p->next;
    uint32_t const k = dv->bla_class;
    if (p != NULL && p->orbit_state == DEEP_PREP_READY && p->bla[k].state == DEEP_PREP_READY &&
        (!dv->inner || p->bla[0].state == DEEP_PREP_READY)) {
        *phase = MANDEL_PHASE_PIXELS;
        *done = *total = 1;
    } else if (p != NULL && sh->busy_iter == max_iter &&
               (p->orbit_state == DEEP_PREP_BUSY || p->bla[0].state == DEEP_PREP_BUSY ||
                p->bla[k].state == DEEP_PREP_BUSY)) {
        *phase = sh->busy_phase;
        *done = sh->busy_done;
        *total = sh->busy_total;
    } else {
        /* not started, or between two steps */
        bool const in_orbit = p == NULL || p->orbit_state != DEEP_PREP_READY;
        *phase = in_orbit ? MANDEL_PHASE_ORBIT : MANDEL_PHASE_BLA;
        *done = 0;
        *total = in_orbit ? max_iter : 1;
    }
    pthread_mutex_unlock(&sh->lock);
}

/* The reference orbit's progress (orbit_compute's (iterations, max_iter)) to the shared
 * state and the ctx's callback: MANDEL_PHASE_ORBIT to a phase-aware one, (0, pixels) to a
 * plain one. */
typedef struct orbit_report {
    mandel_ctx *ctx;
    deep_shared *sh;
    uint64_t pixels;
    uint32_t max_iter;   /* for the BLA build's reports (poll_bla) */
    double next_report;  /* clock_seconds() of poll_bla's next report */
} orbit_report;

static int call_back(const orbit_report *r, uint64_t done, uint64_t total)
{
    mandel_ctx *const ctx = r->ctx;
    if (atomic_load(&ctx->cancel_pending)) return 1; /* mandel_ctx_cancel */
    if (ctx->phase_progress != NULL)
        return ctx->phase_progress(ctx->phase_progress_user, MANDEL_PHASE_ORBIT, done, total);
    if (ctx->progress != NULL) return ctx->progress(ctx->progress_user, 0, r->pixels);
    return 0;
}

static void set_busy(deep_shared *sh, uint32_t max_iter, mandel_phase phase, uint64_t done,
                     uint64_t total)
{
    pthread_mutex_lock(&sh->lock);
    sh->busy_iter = max_iter;
    sh->busy_phase = phase;
    sh->busy_done = done;
    sh->busy_total = total;
    pthread_mutex_unlock(&sh->lock);
}

static int report_orbit(void *user, uint64_t done, uint64_t total)
{
    const orbit_report *const r = user;
    set_busy(r->sh, r->max_iter, MANDEL_PHASE_ORBIT, done, total);
    return call_back(r, done, total);
}

/* bla_build's poll: the shared progress, and the orbit phase's callback at its end (done =
 * total) when a report is due; it returns what the callback says (non-zero: cancel). */
static int poll_bla(void *user, uint64_t done, uint64_t total)
{
    orbit_report *const r = user;
    if (atomic_load_explicit(&r->ctx->cancel_pending, memory_order_relaxed)) return 1;
    double const now = clock_seconds();
    if (now < r->next_report) return 0;
    r->next_report = now + 0.1;
    set_busy(r->sh, r->max_iter, MANDEL_PHASE_BLA, done, total);
    return call_back(r, r->max_iter, r->max_iter);
}

/* Waits (sh->lock held) until *state leaves BUSY, another render's preparation: every tenth
 * of a second the caller's callback gets the shared progress and may cancel its wait. */
static int wait_busy(mandel_ctx *ctx, deep_shared *sh, const int *state, const orbit_report *r)
{
    while (*state == DEEP_PREP_BUSY) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += 100000000L;
        until.tv_sec += until.tv_nsec / 1000000000L;
        until.tv_nsec %= 1000000000L;
        (void)pthread_cond_timedwait(&sh->changed, &sh->lock, &until);
        if (*state != DEEP_PREP_BUSY) break;
        FAIL_IF(ctx, atomic_load(&ctx->cancel_pending), MANDEL_ECANCELED, "render cancelled");
        bool const in_orbit = sh->busy_phase == MANDEL_PHASE_ORBIT;
        uint64_t const done = in_orbit ? sh->busy_done : r->max_iter;
        uint64_t const total = in_orbit ? sh->busy_total : r->max_iter;
        pthread_mutex_unlock(&sh->lock);
        int const stop = call_back(r, done, total);
        pthread_mutex_lock(&sh->lock);
        FAIL_IF(ctx, stop != 0, MANDEL_ECANCELED, "render cancelled");
    }
    return MANDEL_OK;
}

/* The orbit of prep p, computed by this render unless it is ready or another render is
 * computing it (then waited for). Called and returns with sh->lock held. */
static int need_orbit(mandel_ctx *ctx, deep_shared *sh, deep_prep *p, orbit_report *rep,
                      double *t_orbit, uint32_t *orbits)
{
    CHECK(wait_busy(ctx, sh, &p->orbit_state, rep));
    if (p->orbit_state == DEEP_PREP_READY) return MANDEL_OK;
    p->orbit_state = DEEP_PREP_BUSY;
    sh->busy_iter = p->max_iter;
    sh->busy_phase = MANDEL_PHASE_ORBIT;
    sh->busy_done = 0;
    sh->busy_total = p->max_iter;
    pthread_mutex_unlock(&sh->lock);
    uint32_t const max_iter = p->max_iter;
    double const t0 = clock_seconds();
    /* Reported even without a callback: the shared progress is mandel_view_prepared's. */
    orbit o;
    int err = orbit_compute(&sh->alloc, &p->formula, sh->re, sh->im, sh->prec, max_iter,
                            sh->fe_view,
                            report_orbit, rep, &ctx->cancel_pending, &o);
    /* A phase-aware callback sees the orbit phase complete, however early it escaped. */
    if (err == MANDEL_OK && ctx->phase_progress != NULL &&
        ctx->phase_progress(ctx->phase_progress_user, MANDEL_PHASE_ORBIT, max_iter,
                            max_iter) != 0) {
        orbit_free(&sh->alloc, &o);
        err = MANDEL_ECANCELED;
    }
    *t_orbit += clock_seconds() - t0;
    pthread_mutex_lock(&sh->lock);
    /* Failed or cancelled: NONE again, so that a waiting render takes over. */
    p->orbit_state = err == MANDEL_OK ? DEEP_PREP_READY : DEEP_PREP_NONE;
    if (err == MANDEL_OK) {
        p->orb = o;
        (*orbits)++;
    }
    pthread_cond_broadcast(&sh->changed);
    FAIL_IF(ctx, err == MANDEL_ECANCELED, err, "render cancelled");
    FAIL_IF(ctx, err != MANDEL_OK, err, "out of memory for a reference orbit of %u steps",
            max_iter);
    return MANDEL_OK;
}

/* BLA table class k of prep p (its orbit ready), as need_orbit. */
static int need_bla(mandel_ctx *ctx, deep_shared *sh, deep_prep *p, uint32_t k,
                    orbit_report *rep, double *t_bla)
{
    deep_bla *const b = &p->bla[k];
    CHECK(wait_busy(ctx, sh, &b->state, rep));
    if (b->state == DEEP_PREP_READY) return MANDEL_OK;
    b->state = DEEP_PREP_BUSY;
    sh->busy_iter = p->max_iter;
    sh->busy_phase = MANDEL_PHASE_BLA;
    sh->busy_done = 0;
    sh->busy_total = p->orb.len;
    pthread_mutex_unlock(&sh->lock);
    fe const step = sh->step_fe;
    fe const dc_max = fe_make(class_reach(sh, k) * step.m * (1 + 0x1p-50), step.e);
    double const t1 = clock_seconds();
    rep->next_report = t1 + 0.1;
    /* The table gets what the orbit left of the limit; without room it is left out. */
    uint64_t const room = ctx->max_memory > p->orb.bytes ? ctx->max_memory - p->orb.bytes : 0;
    bla_table t;
    /* The Burning Ship and the Tricorn get none: bla.c's blocks are complex-linear, their
     * steps are not (perturb_formula.c). */
    int const err = p->formula.formula != FORMULA_MANDELBROT
                        ? MANDEL_ETOOBIG
                        : bla_build(&sh->alloc, &p->orb, p->formula.power, dc_max, step.e,
                                    sh->fe_view ? BLA_DMIN_SCALAR : BLA_DMIN_VECTOR,
                                    sh->fe_view, room, poll_bla, rep, &t);
    *t_bla += clock_seconds() - t1;
    pthread_mutex_lock(&sh->lock);
    bool const ready = err == MANDEL_OK || err == MANDEL_ETOOBIG; /* ETOOBIG: without */
    b->state = ready ? DEEP_PREP_READY : DEEP_PREP_NONE;
    b->has = err == MANDEL_OK;
    if (b->has) b->t = t;
    pthread_cond_broadcast(&sh->changed);
    FAIL_IF(ctx, err == MANDEL_ECANCELED, err, "render cancelled");
    FAIL_IF(ctx, err == MANDEL_ENOMEM, err, "out of memory for the approximation table");
    return MANDEL_OK;
}

/* Drops a render's hold on p (sh->lock held); preps that no render holds are freed, except
 * the most recently used one, which the next render of the view will likely want. */
static void prep_release(deep_shared *sh, deep_prep *p)
{
    p->users--;
    deep_prep **link = &sh->preps;
    while (*link != NULL) {
        deep_prep *const q = *link;
        if (q != sh->preps && q->users == 0) {
            *link = q->next;
            prep_free(&sh->alloc, q);
        } else {
            link = &q->next;
        }
    }
}

/* Makes the reference orbit and the BLA tables of dv's pixels for max_iter and formula f
 * ready, computing
 * what no other render has computed or is computing; *out gets the prep, held until
 * prep_release. */
static int prepare(mandel_ctx *ctx, deep_view *dv, const formula_params *f, uint32_t max_iter,
                   uint64_t pixels, double *t_orbit, double *t_bla, uint32_t *orbits,
                   deep_prep **out)
{
    deep_shared *const sh = dv->sh;
    /* The orbit is bounded by max_iter, not by when it escapes (an interior reference never
     * does): refused now, in a microsecond, rather than after minutes of MPFR steps. */
    uint64_t const orbit_bytes = orbit_peak_bytes(max_iter, sh->fe_view);
    FAIL_IF(ctx, orbit_bytes > ctx->max_memory, MANDEL_ETOOBIG,
            "the reference orbit of %u steps needs %llu bytes, limit is %llu", max_iter,
            (unsigned long long)orbit_bytes, (unsigned long long)ctx->max_memory);
    orbit_report rep = {ctx, sh, pixels, max_iter, 0};
    pthread_mutex_lock(&sh->lock);
    deep_prep **link = &sh->preps;
    while (*link != NULL &&
           ((*link)->max_iter != max_iter || !deep_same_formula(&(*link)->formula, f)))
        link = &(*link)->next;
    deep_prep *p = *link;
    if (p != NULL) {
        *link = p->next; /* to the front */
    } else {
        p = sh->alloc.alloc(sh->alloc.user, sizeof *p);
        if (p == NULL) {
            pthread_mutex_unlock(&sh->lock);
            return ctx_fail(ctx, MANDEL_ENOMEM, "out of memory for a reference orbit");
        }
        memset(p, 0, sizeof *p);
        p->max_iter = max_iter;
        p->formula = *f;
    }
    p->next = sh->preps;
    sh->preps = p;
    p->users++;
    int err = need_orbit(ctx, sh, p, &rep, t_orbit, orbits);
    if (err == MANDEL_OK && (dv->inner || dv->bla_class == 0))
        err = need_bla(ctx, sh, p, 0, &rep, t_bla);
    if (err == MANDEL_OK && dv->bla_class != 0)
        err = need_bla(ctx, sh, p, dv->bla_class, &rep, t_bla);
    if (err != MANDEL_OK) prep_release(sh, p);
    pthread_mutex_unlock(&sh->lock);
    *out = err == MANDEL_OK ? p : NULL;
    return err;
}

int deep_render(mandel_ctx *ctx, sched_pool *pool, uint32_t threads, deep_view *dv,
                bool brute, const formula_params *formula, uint32_t max_iter, mandel_rect rect,
                const mandel_fields *fields, mandel_progress_fn progress, void *progress_user,
                mandel_stats *stats)
{
    deep_shared *const sh = dv->sh;
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
        .ctx = ctx,
        .stop = &ctx->cancel_pending,
    };
    perturb_stats st = {0}; /* for mandel_stats; each segment adds once, atomically */
    bool const exact = ctx->exact && !brute;
    FAIL_IF(ctx, exact && sh->fe_view && !deep_classic(formula), MANDEL_EINVAL,
            "exact counts: beyond pixels of 2^-900 (zooms of about 1e270) for z^2 + c only, "
            "as yet");
    /* The exact pass needs counts and every pixel's distance (its doubt) of the whole rect
     * before any of it goes to the sink. */
    size_t const field = (size_t)(rect.height - 1) * fields->stride + rect.width;
    uint32_t *counts = fields->counts;
    float *distance = fields->distance;
    uint32_t *own_counts = NULL;
    float *own_distance = NULL;
    if (exact) {
        if (counts == NULL) counts = own_counts = ctx_alloc(ctx, field * sizeof *counts);
        if (distance == NULL) distance = own_distance = ctx_alloc(ctx, field * sizeof *distance);
        if ((fields->counts == NULL && own_counts == NULL) ||
            (fields->distance == NULL && own_distance == NULL)) {
            ctx_free(ctx, own_counts);
            return ctx_fail(ctx, MANDEL_ENOMEM, "out of memory for the exact pass");
        }
        job.counts = counts;
        job.distance = distance;
        job.sink = NULL;
    }
    double t_orbit = 0, t_bla = 0;
    uint32_t orbits = 0;
    deep_prep *prep = NULL;
    mj = (mpfr_engine_job){
        .cre = sh->re, .cim = sh->im, .step = sh->step,
        .prec = sh->prec + DEEP_EXACT_EXTRA_BITS,
        .view_width = sh->width, .view_height = sh->height,
        .rect_x = dv->col0 + rect.x, .rect_y = dv->row0 + rect.y, .max_iter = max_iter,
        .smooth = fields->smooth, .distance = fields->distance, .stride = fields->stride,
        .formula = *formula,
    };
    if (brute) {
        uint64_t const scratch = (uint64_t)threads * mpfr_engine_scratch_bytes(mj.prec);
        FAIL_IF(ctx, scratch > ctx->max_memory, MANDEL_ETOOBIG,
                "the MPFR engine's %u threads need %llu bytes at %ld bits, limit is %llu",
                threads, (unsigned long long)scratch, (long)mj.prec,
                (unsigned long long)ctx->max_memory);
        job.segment = mpfr_engine_segment;
        job.segment_user = &mj;
    } else {
        int const err = prepare(ctx, dv, formula, max_iter, (uint64_t)rect.width * rect.height,
                                &t_orbit, &t_bla, &orbits, &prep);
        if (err != MANDEL_OK) {
            ctx_free(ctx, own_counts);
            ctx_free(ctx, own_distance);
            return err;
        }
        /* Read-only from here: the prep stays while this render holds it. */
        const deep_bla *const outer = &prep->bla[dv->bla_class];
        const deep_bla *const inner = dv->inner ? &prep->bla[0] : outer;
        pj = (perturb_job){
            .orb = &prep->orb, .bla = outer->has ? &outer->t : NULL,
            .bla_inner = inner->has ? &inner->t : NULL, .step = sh->step_fe,
            .b_exp = sh->step_fe.e,
            .fe_view = sh->fe_view, .view_width = sh->width, .view_height = sh->height,
            .rect_x = dv->col0 + rect.x, .rect_y = dv->row0 + rect.y, .max_iter = max_iter,
            .stats = &st,
            .cre = mpfr_get_d(sh->re, MPFR_RNDN), .cim = mpfr_get_d(sh->im, MPFR_RNDN),
            .smooth = fields->smooth, .distance = distance, .stride = fields->stride,
            .lanes = perturb_lanes_select(ctx->isa),
            .formula = *formula, .doubt = exact,
        };
        job.segment = perturb_segment;
        job.segment_user = &pj;
    }
    int err = sched_run(pool, &job, progress, progress_user, &stats->iterations);
    if (err == MANDEL_ECANCELED) ctx_fail(ctx, err, "render cancelled");
    if (err == MANDEL_OK && exact) {
        err = exact_pass(ctx, pool, threads, sh, prep, &pj, &mj, rect, counts, fields->smooth,
                         distance, fields->stride, stats);
        /* the counts' sum with the redone pixels' new counts; a pixel that never escaped has
         * distance 0, as without MANDEL_OPT_EXACT; then the rows to the sink */
        stats->iterations = 0;
        for (uint32_t y = 0; err == MANDEL_OK && y < rect.height; y++) {
            size_t const row = (size_t)y * fields->stride;
            for (uint32_t x = 0; x < rect.width; x++) {
                stats->iterations += counts[row + x];
                if (fields->distance != NULL && fields->distance[row + x] < 0)
                    fields->distance[row + x] = 0;
            }
            if (ctx->sink != NULL) {
                mandel_fields const at = {
                    counts + row, fields->smooth != NULL ? fields->smooth + row : NULL,
                    fields->distance != NULL ? fields->distance + row : NULL, fields->stride, 0};
                ctx->sink(ctx->sink_user, (mandel_rect){0, y, rect.width, 1}, &at);
            }
        }
    }
    ctx_free(ctx, own_counts);
    ctx_free(ctx, own_distance);
    if (err == MANDEL_OK && !brute) {
        stats->orbit_seconds = t_orbit;
        stats->bla_seconds = t_bla;
        stats->bla_skips = st.bla_skips;
        stats->bla_iterations = st.bla_iters;
        stats->exact_steps = st.steps + st.fe_steps;
        stats->rebases = st.rebases;
        stats->orbits = orbits;
    }
    if (prep != NULL) {
        pthread_mutex_lock(&sh->lock);
        prep_release(sh, prep);
        pthread_mutex_unlock(&sh->lock);
    }
    return err;
}
