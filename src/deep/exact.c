/*
 * deep/exact.c - exact counts at depth (MANDEL_OPT_EXACT): every pixel's count equal to
 * the MPFR engine's, at the cost of computing some pixels again.
 *
 * Why counts differ. Perturbation iterates a pixel's delta dz from the reference in double;
 * each step rounds by about u = 2^-53 relative, and the error of the n steps, carried to
 * the end, acts as a shift of the pixel's c by at most about u n |dc| (each step's rounding
 * is u |dz_k|, and dz_k ~ (dz/dc)_k dc until the pixel leaves the reference), i.e. u n (|o|
 * + 1) pixels for a pixel o pixels from the centre. Measured, the errors add like a random
 * walk (u sqrt(n) |o|: 3e-11 pixel at 5e227, where the wrong pixels lie), so the linear
 * bound has a margin of sqrt(n). A shift of c by e pixels can change the count only of a
 * pixel whose c lies within about e of the set's boundary, which the distance estimate d
 * measures (in pixels). So:
 *
 *   doubtful  <=>  d < u n (|o| + 1)        (d: the distance estimate; for a pixel that
 *                                            never escaped, 1 / |dz/dc| in pixels)
 *
 * Doubtful pixels are iterated again with double-double deltas, a double-double reference
 * orbit (about 106 bits: u^2) and a double-double BLA table (below), rebasing as the double
 * loops do. A pixel still doubtful at that precision (d < u^2 n (|o| + 1)) goes to the MPFR
 * engine, whose count is the reference. The first pass carries the derivative for every
 * pixel (the distance path: the vector loops in double views, one pixel at a time in
 * floatexp views), which is most of the cost on the views where few pixels are doubtful.
 *
 * Double-double arithmetic: deep/dd.h. Views whose deltas need floatexp: exact_fe.c.
 *
 * Invariant: a pixel's count, smooth value and distance depend only on the pixel, never on
 * the rect, the threads or the order in which pixels are redone.
 */
#include <math.h>
#include <string.h>

#include "deep/dd.h"

#include "clock.h"

/* ---- double-double BLA ------------------------------------------------------------
 * bla.c's approximation, with the tolerance of double-double: a single step from index m
 * (dz' = 2 Z_m dz + dz^2 + dc) drops dz^2, a relative error |dz| / |2 Z_m|, so it is
 * linear within R = 2^-106 |2 Z_m| (capped at 2 - |Z_m|: no escape unseen inside a block;
 * and inside it |dz| < |Z_m| 2^-105, far from the rebasing condition). Merging x then y:
 * A = A_y A_x, B = A_y B_x + B_y, R = min(R_x, (R_y - |B_x| dc_max) / |A_x|). A and B are
 * double-doubles (they multiply the deltas), R a double; the lookup rounds |dz| up by
 * 2^-40 for the rounding of both. No B scaling: exact views have pixel steps above
 * 2^-900, so B (about |dz/dc| <= 2 / |dc|) stays far below double's range. Levels 2 and
 * up are kept (blocks of 4 steps and more): about 36 bytes a reference step. */
#define DD_EPS 0x1p-106
#define DD_MIN_LEVEL 2

typedef struct dd_bla {
    dd ar, ai, br, bi;
    double r;
} dd_bla;

struct exact_bla {
    uint32_t levels;                 /* levels DD_MIN_LEVEL .. levels - 1 are kept */
    uint32_t count[BLA_MAX_LEVELS];  /* blocks of level j: from 1 + k 2^j, k < count[j] */
    dd_bla *level[BLA_MAX_LEVELS];
    dd_bla *storage;
};

static dd_bla bla_single(const orbit_pt *zh, const orbit_pt *zl, uint32_t m)
{
    dd_bla e;
    e.ar = (dd){2.0 * zh[m].re, 2.0 * zl[m].re};
    e.ai = (dd){2.0 * zh[m].im, 2.0 * zl[m].im};
    e.br = (dd){1.0, 0.0};
    e.bi = (dd){0.0, 0.0};
    double const za = dd_abs2((dd){zh[m].re, 0}, (dd){zh[m].im, 0});
    double const room = 2.0 - za > 0 ? 2.0 - za : 0.0;
    double const r = DD_EPS * 2.0 * za;
    e.r = r < room ? r : room;
    return e;
}

static dd_bla bla_merge(const dd_bla *x, const dd_bla *y, double dc_max)
{
    dd_bla z;
    z.ar = dd_add(dd_mul(y->ar, x->ar), dd_neg(dd_mul(y->ai, x->ai)));
    z.ai = dd_add(dd_mul(y->ar, x->ai), dd_mul(y->ai, x->ar));
    z.br = dd_add(dd_add(dd_mul(y->ar, x->br), dd_neg(dd_mul(y->ai, x->bi))), y->br);
    z.bi = dd_add(dd_add(dd_mul(y->ar, x->bi), dd_mul(y->ai, x->br)), y->bi);
    double const ax = dd_abs2(x->ar, x->ai), spent = dd_abs2(x->br, x->bi) * dc_max;
    double r;
    if (ax == 0)
        r = spent < y->r ? x->r : 0.0;
    else
        r = (y->r - spent) / ax;
    if (!(r > 0)) r = 0.0; /* also NaN and overflow */
    z.r = x->r < r ? x->r : r;
    return z;
}

static dd_bla bla_single_ref(const exact_ref *o, uint32_t m) { return bla_single(o->hi, o->lo, m); }

#define ET_BUILD exact_bla_build
#define ET_FREE exact_bla_free
#define ET_TABLE exact_bla
#define ET_ENTRY dd_bla
#define ET_DC double
#define ET_SINGLE bla_single_ref
#define ET_MERGE bla_merge
#define ET_MIN DD_MIN_LEVEL
#define ET_LOOKUP exact_lookup
#define ET_ABS double
#define ET_FITS(a, r) ((a) < (r))
#include "deep/exact_table.h"

size_t exact_bla_layout(uint32_t len, uint32_t min_level, uint32_t count[BLA_MAX_LEVELS],
                        uint32_t *levels)
{
    uint32_t const steps = len > 0 ? len - 1 : 0; /* steps from indices 1..len-1 */
    size_t total = 0;
    uint32_t j = min_level;
    for (; j < BLA_MAX_LEVELS && (steps >> j) > 0; j++) {
        count[j] = steps >> j;
        total += count[j];
    }
    *levels = j;
    return total;
}

/* The reference orbit of cre + i cim under f at prec bits, in double-double, up to
 * max_iter or the first |Z| >= 2; with want_zc also with exponents (exact_ref.zc).
 * MANDEL_OK, MANDEL_ENOMEM, MANDEL_ECANCELED (*stop). */
static int exact_orbit(const mandel_allocator *a, const formula_params *f, mpfr_srcptr cre,
                       mpfr_srcptr cim, mpfr_prec_t prec, uint32_t max_iter, bool want_zc,
                       const atomic_bool *stop, exact_ref *out)
{
    memset(out, 0, sizeof *out);
    /* grown by doubling, as orbit.c does: an escaping reference needs far less than
     * max_iter steps */
    size_t cap = max_iter < 4096 ? (size_t)max_iter + 1 : 4096;
    orbit_pt *hi = a->alloc(a->user, cap * sizeof *hi), *lo = a->alloc(a->user, cap * sizeof *lo);
    size_t const zc_size = exact_ddc_size();
    unsigned char *zc = want_zc ? a->alloc(a->user, cap * zc_size) : NULL;
    mpfr_t x, y, t0, t1, t2;
    mpfr_inits2(prec, x, y, t0, t1, t2, (mpfr_ptr)NULL);
    mpfr_set_ui(x, 0, MPFR_RNDN);
    mpfr_set_ui(y, 0, MPFR_RNDN);
    int err = hi != NULL && lo != NULL && (zc != NULL || !want_zc) ? MANDEL_OK : MANDEL_ENOMEM;
    if (err == MANDEL_OK) hi[0] = lo[0] = (orbit_pt){0.0, 0.0};
    if (err == MANDEL_OK && zc != NULL) exact_ddc_from_mpfr(x, y, t2, (ddc *)zc);
    uint32_t n = 0;
    while (err == MANDEL_OK && n < max_iter) {
        orbit_step_mpfr(f, x, y, cre, cim, t0, t1, t2);
        n++;
        if ((size_t)n >= cap) {
            size_t const grown = cap * 2 > (size_t)max_iter + 1 ? (size_t)max_iter + 1 : cap * 2;
            orbit_pt *const h = a->alloc(a->user, grown * sizeof *h);
            orbit_pt *const l = a->alloc(a->user, grown * sizeof *l);
            unsigned char *const c = want_zc ? a->alloc(a->user, grown * zc_size) : NULL;
            if (h != NULL) memcpy(h, hi, cap * sizeof *h);
            if (l != NULL) memcpy(l, lo, cap * sizeof *l);
            if (c != NULL) memcpy(c, zc, cap * zc_size);
            a->free(a->user, hi);
            a->free(a->user, lo);
            a->free(a->user, zc);
            hi = h;
            lo = l;
            zc = c;
            cap = grown;
            if (h == NULL || l == NULL || (want_zc && c == NULL)) {
                err = MANDEL_ENOMEM;
                break;
            }
        }
        dd const zr = dd_of(x, t0), zi = dd_of(y, t1);
        hi[n] = (orbit_pt){zr.hi, zi.hi};
        lo[n] = (orbit_pt){zr.lo, zi.lo};
        if (zc != NULL) exact_ddc_from_mpfr(x, y, t2, (ddc *)(zc + n * zc_size));
        if (zr.hi * zr.hi + zi.hi * zi.hi >= 4.0) break;
        if ((n & 1023) == 0 && stop != NULL && atomic_load_explicit(stop, memory_order_relaxed))
            err = MANDEL_ECANCELED;
    }
    mpfr_clears(x, y, t0, t1, t2, (mpfr_ptr)NULL);
    if (err != MANDEL_OK) {
        a->free(a->user, hi);
        a->free(a->user, lo);
        a->free(a->user, zc);
        return err;
    }
    *out = (exact_ref){n, hi, lo, (ddc *)zc};
    return MANDEL_OK;
}

static void exact_orbit_free(const mandel_allocator *a, exact_ref *r)
{
    a->free(a->user, r->hi);
    a->free(a->user, r->lo);
    a->free(a->user, r->zc);
    memset(r, 0, sizeof *r);
}

/* The pixel step as a double-double: step = (hi + lo) 2^e, with e = 0 unless `scaled`
 * (then hi lies in [0.5, 1)). */
static void exact_step_dd(mpfr_srcptr step, bool scaled, double *hi, double *lo, int64_t *e)
{
    mpfr_t t, u;
    mpfr_inits2(mpfr_get_prec(step) + 64, t, u, (mpfr_ptr)NULL);
    *e = scaled ? (int64_t)mpfr_get_exp(step) : 0;
    mpfr_mul_2si(u, step, -*e, MPFR_RNDN);
    dd const s = dd_of(u, t);
    mpfr_clears(t, u, (mpfr_ptr)NULL);
    *hi = s.hi;
    *lo = s.lo;
}

/* The largest error, as a shift of c in pixels, that n steps of a pixel (ox, oy) pixels
 * from the centre may carry: u n (|o| + 1), u = 2^-53 (double deltas) or 2^-104
 * (double-double). */
static double exact_bound(uint32_t n, double ox, double oy, bool dd_pass)
{
    double const u = dd_pass ? 0x1p-104 : 0x1p-53;
    return u * (double)n * (sqrt(ox * ox + oy * oy) + 1.0);
}

/* A pixel's delta dz (double-double) and derivative D = dz/dc * step (double, for the
 * doubt and the distance: it needs no more). */
typedef struct dd_pixel_state {
    dd xr, xi;
    double Dr, Di;
} dd_pixel_state;

/* One exact step from reference index m: dz' = (2 Z_m + dz) dz + dc, D' = 2 z D + step
 * with z = Z_m + dz before the step. */
static inline void dd_step(dd_pixel_state *p, orbit_pt zh, orbit_pt zl, dd dcr, dd dci,
                           double sd)
{
    double const zr = zh.re + p->xr.hi, zi = zh.im + p->xi.hi;
    double const Dr = 2.0 * (zr * p->Dr - zi * p->Di) + sd;
    double const Di = 2.0 * (zr * p->Di + zi * p->Dr);
    p->Dr = Dr;
    p->Di = Di;
    dd_cstep(&p->xr, &p->xi, zh, zl, dcr, dci);
}

/* A block: dz' = A dz + B dc, D' = A D + B step. */
static inline void dd_skip(dd_pixel_state *p, const dd_bla *e, dd dcr, dd dci, double sd)
{
    double const Dr = (e->ar.hi * p->Dr - e->ai.hi * p->Di) + e->br.hi * sd;
    double const Di = (e->ar.hi * p->Di + e->ai.hi * p->Dr) + e->bi.hi * sd;
    p->Dr = Dr;
    p->Di = Di;
    dd const nr = dd_add(dd_add(dd_mul(e->ar, p->xr), dd_neg(dd_mul(e->ai, p->xi))),
                         dd_add(dd_mul(e->br, dcr), dd_neg(dd_mul(e->bi, dci))));
    dd const ni = dd_add(dd_add(dd_mul(e->ar, p->xi), dd_mul(e->ai, p->xr)),
                         dd_add(dd_mul(e->br, dci), dd_mul(e->bi, dcr)));
    p->xr = nr;
    p->xi = ni;
}

/* diffabs(a, b) = |a + b| - |a| (perturb_formula.c) in double-double: the cases decided on
 * the signs of a and a + b, each exact. */
static inline dd dd_diffabs(dd a, dd b)
{
    dd const s = dd_add(a, b);
    dd const a2 = {2.0 * a.hi, 2.0 * a.lo};
    if (a.hi >= 0) return s.hi >= 0 ? b : dd_neg(dd_add(a2, b));
    return s.hi > 0 ? dd_add(a2, b) : dd_neg(b);
}

/* One exact step of the other formulas (perturb_formula.c's, in double-double):
 * dz' = F(Z + dz) - F(Z) + dc; the Jacobian J' = M J + step I in double. */
static inline void dd_step_formula(const formula_params *f, dd_pixel_state *p, orbit_pt zh,
                                   orbit_pt zl, dd dcr, dd dci, double sd, double jac[4])
{
    perturb_jacobian_step(f, zh.re + p->xr.hi, zh.im + p->xi.hi, sd, jac);
    dd const X = {zh.re, zl.re}, Y = {zh.im, zl.im};
    dd const x = p->xr, y = p->xi;
    if (f->formula == FORMULA_MANDELBROT) {
        /* S_{k+1} = (Z + dz) S_k + dz W_k, W_{k+1} = Z W_k, from S_1 = dz, W_1 = Z */
        dd const zr = dd_add(X, x), zi = dd_add(Y, y);
        dd sr = x, si = y, wr = X, wi = Y;
        for (uint32_t k = 1; k < f->power; k++) {
            dd const nr = dd_add(dd_add(dd_mul(zr, sr), dd_neg(dd_mul(zi, si))),
                                 dd_add(dd_mul(x, wr), dd_neg(dd_mul(y, wi))));
            dd const ni = dd_add(dd_add(dd_mul(zr, si), dd_mul(zi, sr)),
                                 dd_add(dd_mul(x, wi), dd_mul(y, wr)));
            dd const tr = dd_add(dd_mul(wr, X), dd_neg(dd_mul(wi, Y)));
            wi = dd_add(dd_mul(wr, Y), dd_mul(wi, X));
            wr = tr;
            sr = nr;
            si = ni;
        }
        p->xr = dd_add(sr, dcr);
        p->xi = dd_add(si, dci);
        return;
    }
    dd const tr = dd_add((dd){2.0 * X.hi, 2.0 * X.lo}, x);
    dd const ti = dd_add((dd){2.0 * Y.hi, 2.0 * Y.lo}, y);
    dd const pr = dd_add(dd_mul(tr, x), dd_neg(dd_mul(ti, y)));
    dd const pi = dd_add(dd_mul(tr, y), dd_mul(ti, x));
    p->xr = dd_add(pr, dcr);
    if (f->formula == FORMULA_TRICORN) {
        p->xi = dd_add(dci, dd_neg(pi));
    } else {
        dd const xy = dd_mul(X, Y);
        p->xi = dd_add(dd_diffabs((dd){2.0 * xy.hi, 2.0 * xy.lo}, pi), dci);
    }
}

/* One pixel with double-double deltas: its count; *end gets z (in double) and D at the
 * escape, or D at max_iter. The same rules as perturb.c's loops: the escape tested on
 * z = Z_m + dz after every step or block, rebasing when |z| < |dz| or the orbit ends. */
/* Built twice on x86-64, once for CPUs with FMA (where fma() is one instruction instead of
 * a call) and once for the rest, picked at load time; fma() is exact, and contraction is
 * off everywhere, so both give the same bits. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && \
    !defined(__SANITIZE_THREAD__) && !defined(__SANITIZE_ADDRESS__)
/* (not under the sanitizers: the clones' resolver runs at load time, before ThreadSanitizer
 * is set up, and crashed every program that linked this file) */
__attribute__((target_clones("fma", "default")))
#endif
static uint32_t dd_pixel(const exact_job *ej, double ox, double oy, pixel_end *end,
                         sched_worker *w)
{
    const orbit_pt *const zh = ej->ref.hi, *const zl = ej->ref.lo;
    uint32_t const len = ej->ref.len, max_iter = ej->max_iter;
    dd const step = {ej->step_hi, ej->step_lo};
    dd const dcr = dd_mul_d(step, ox), dci = dd_mul_d(step, oy);
    double const sd = ej->step_hi;
    dd_pixel_state p = {{0, 0}, {0, 0}, 0, 0};
    const formula_params *const f = &ej->pj->formula;
    bool const classic = deep_classic(f);
    double jac[4] = {0, 0, 0, 0}; /* the other formulas' Jacobian (classic: p.Dr, p.Di) */
    uint32_t m = 0, n = 0;
    uint32_t poll_at = PERTURB_POLL_STEPS;
    end->escaped = false;
    end->stopped = false;
    while (n < max_iter) {
        uint32_t l;
        /* |dz| rounded up by 2^-40, for the rounding of R and of |dz| in double */
        double const dz_abs = dd_abs2(p.xr, p.xi) * (1.0 + 0x1p-40);
        const dd_bla *const e = exact_lookup(ej->bla, m, dz_abs, max_iter - n, &l);
        if (e != NULL) {
            dd_skip(&p, e, dcr, dci, sd);
            m += l;
            n += l;
        } else {
            if (classic) dd_step(&p, zh[m], zl[m], dcr, dci, sd);
            else dd_step_formula(f, &p, zh[m], zl[m], dcr, dci, sd, jac);
            m++;
            n++;
        }
        dd const zr = dd_add((dd){zh[m].re, zl[m].re}, p.xr);
        dd const zi = dd_add((dd){zh[m].im, zl[m].im}, p.xi);
        if (dd_escaped(zr, zi)) {
            *end = (pixel_end){true, false, zr.hi, zi.hi, p.Dr, p.Di, {0, 0, 0}, 0.0};
            if (!classic) end->doubt = perturb_jacobian_doubt(jac, true, zr.hi, zi.hi);
            return n;
        }
        double const z2 = zr.hi * zr.hi + zi.hi * zi.hi;
        if (__builtin_expect(n >= poll_at, 0)) {
            if (sched_poll(w)) {
                end->stopped = true;
                return max_iter;
            }
            poll_at = n < UINT32_MAX - PERTURB_POLL_STEPS ? n + PERTURB_POLL_STEPS : UINT32_MAX;
        }
        /* rebasing (the decision needs no more than double) */
        if (m == len || z2 < p.xr.hi * p.xr.hi + p.xi.hi * p.xi.hi) {
            p.xr = zr;
            p.xi = zi;
            m = 0;
        }
    }
    end->dr = p.Dr;
    end->di = p.Di;
    if (!classic) end->doubt = perturb_jacobian_doubt(jac, false, 0, 0);
    return max_iter;
}

/* sched_segment_fn over an exact_job (row unused, x..x+n-1 index todo). */
static void exact_segment(void *user, sched_worker *w, uint32_t row, uint32_t x, uint32_t n,
                          uint32_t *out)
{
    (void)row;
    exact_job *const ej = user;
    const perturb_job *const pj = ej->pj;
    for (uint32_t j = 0; j < n; j++) {
        uint32_t const i = ej->todo[x + j];
        uint32_t const px = i % ej->width, py = i / ej->width;
        int64_t const col = pj->rect_x + px, vrow = pj->rect_y + py;
        double const ox = (double)col - (pj->view_width - 1) / 2.0;
        double const oy = -((double)vrow - (pj->view_height - 1) / 2.0);
        size_t const at = (size_t)py * ej->stride + px;
        pixel_end end;
        uint32_t count = pj->fe_view ? exact_fe_pixel(ej, ox, oy, &end, w)
                                     : dd_pixel(ej, ox, oy, &end, w);
        if (end.stopped) return;
        double const d = deep_classic(&pj->formula) ? perturb_doubt_distance(pj, &end, col, vrow)
                                                    : end.doubt;
        if (d < exact_bound(count, ox, oy, true)) {
            /* beyond double-double: the MPFR engine, for this pixel alone */
            mpfr_engine_job mj = *ej->mj;
            mj.rect_x = col;
            mj.rect_y = vrow;
            mj.smooth = ej->smooth != NULL ? ej->smooth + at : NULL;
            /* (the MPFR engine's distances are z^2 + c's) */
            mj.distance = ej->distance != NULL && deep_classic(&pj->formula)
                              ? ej->distance + at : NULL;
            mpfr_engine_segment(&mj, w, 0, 0, 1, &count);
            __atomic_fetch_add(&ej->mpfr_pixels, 1, __ATOMIC_RELAXED);
        } else {
            if (ej->smooth != NULL) ej->smooth[at] = perturb_end_smooth(pj, &end, col, vrow, count);
            if (ej->distance != NULL) ej->distance[at] = end.escaped ? (float)d : 0.0f;
        }
        if (count != ej->counts[at]) __atomic_fetch_add(&ej->changed, 1, __ATOMIC_RELAXED);
        ej->counts[at] = count;
        out[j] = count;
    }
}

/* The exact pass's progress, as MANDEL_PHASE_EXACT (or, to a plain callback, the rect
 * done), through the ctx's callbacks. */
typedef struct exact_report {
    mandel_ctx *ctx;
    uint64_t rect_pixels;
} exact_report;

static int report_exact(void *user, uint64_t done, uint64_t total)
{
    const exact_report *const r = user;
    if (r->ctx->phase_progress != NULL)
        return r->ctx->phase_progress(r->ctx->phase_progress_user, MANDEL_PHASE_EXACT, done,
                                      total);
    if (r->ctx->progress != NULL)
        return r->ctx->progress(r->ctx->progress_user, r->rect_pixels, r->rect_pixels);
    return 0;
}

/* What the exact pass prepares once for a view and an iteration limit (kept with its
 * reference orbit in deep_prep, for the anchor's pixels; a rect reaching beyond the anchor
 * prepares its own): the double-double reference orbit, the pixel step and the BLA table
 * for pixel offsets up to `reach` steps. */
struct exact_prep {
    exact_ref ref;
    double step_hi, step_lo;
    int64_t step_e;
    exact_bla *bla;
    exact_fe_bla *fe_bla;
};

void exact_prep_free(const mandel_allocator *a, exact_prep *ep)
{
    if (ep == NULL) return;
    exact_bla_free(a, ep->bla);
    exact_fe_bla_free(a, ep->fe_bla);
    exact_orbit_free(a, &ep->ref);
    a->free(a->user, ep);
}

static int exact_prepare(const mandel_allocator *a, const deep_shared *sh,
                         const formula_params *f, uint32_t max_iter, double reach,
                         const atomic_bool *stop, exact_prep **out)
{
    exact_prep *const ep = a->alloc(a->user, sizeof *ep);
    if (ep == NULL) return MANDEL_ENOMEM;
    memset(ep, 0, sizeof *ep);
    int err = exact_orbit(a, f, sh->re, sh->im, sh->prec + DEEP_EXACT_EXTRA_BITS, max_iter,
                          sh->fe_view, stop, &ep->ref);
    if (err == MANDEL_OK) {
        exact_step_dd(sh->step, sh->fe_view, &ep->step_hi, &ep->step_lo, &ep->step_e);
        /* the double-double table is z^2 + c's; the other formulas step exactly */
        if (sh->fe_view)
            err = exact_fe_bla_build(a, &ep->ref, fe_make(reach * ep->step_hi, ep->step_e),
                                     &ep->fe_bla);
        else if (deep_classic(f))
            err = exact_bla_build(a, &ep->ref, reach * ep->step_hi, &ep->bla);
    }
    if (err != MANDEL_OK) {
        exact_prep_free(a, ep);
        return err;
    }
    *out = ep;
    return MANDEL_OK;
}

int exact_pass(mandel_ctx *ctx, sched_pool *pool, uint32_t threads, deep_shared *sh,
               deep_prep *prep, const perturb_job *pj, const mpfr_engine_job *mj,
               mandel_rect rect, uint32_t *counts, float *smooth, float *distance,
               size_t stride, mandel_stats *stats)
{
    double const t0 = clock_seconds();
    uint32_t *const todo = ctx_alloc(ctx, (size_t)rect.width * rect.height * sizeof *todo);
    FAIL_IF(ctx, todo == NULL, MANDEL_ENOMEM, "out of memory for the exact pass");
    uint32_t n_todo = 0;
    for (uint32_t y = 0; y < rect.height; y++) {
        double const oy = -((double)(pj->rect_y + y) - (pj->view_height - 1) / 2.0);
        for (uint32_t x = 0; x < rect.width; x++) {
            size_t const at = (size_t)y * stride + x;
            double const ox = (double)(pj->rect_x + x) - (pj->view_width - 1) / 2.0;
            if (fabs(distance[at]) < exact_bound(counts[at], ox, oy, false))
                todo[n_todo++] = y * rect.width + x;
        }
    }
    int err = MANDEL_OK;
    exact_prep *own = NULL; /* a rect beyond the anchor's reach: its own preparation */
    const exact_prep *ep = NULL;
    if (n_todo > 0) {
        /* the farthest pixel of the rect from the centre, in steps (a tile may reach beyond
         * the anchor, whose farthest is sh->own) */
        double const fx = fmax(fabs((double)pj->rect_x - (pj->view_width - 1) / 2.0),
                               fabs((double)pj->rect_x + rect.width - 1 -
                                    (pj->view_width - 1) / 2.0));
        double const fy = fmax(fabs((double)pj->rect_y - (pj->view_height - 1) / 2.0),
                               fabs((double)pj->rect_y + rect.height - 1 -
                                    (pj->view_height - 1) / 2.0));
        double const far = sqrt(fx * fx + fy * fy); /* as own_reach computes sh->own */
        if (far <= sh->own) {
            /* once per view and limit, under the shared lock: every band of a picture and
             * every sample of its palette lattice use it */
            pthread_mutex_lock(&sh->lock);
            if (prep->exact == NULL)
                err = exact_prepare(&sh->alloc, sh, &pj->formula, pj->max_iter, sh->own + 1.0,
                                    &ctx->cancel_pending, &prep->exact);
            ep = prep->exact;
            pthread_mutex_unlock(&sh->lock);
        } else {
            err = exact_prepare(&ctx->alloc, sh, &pj->formula, pj->max_iter,
                                far + 1.0, &ctx->cancel_pending, &own);
            ep = own;
        }
        if (err == MANDEL_ENOMEM) ctx_fail(ctx, err, "out of memory for the exact pass");
    }
    exact_job ej = {
        .pj = pj, .mj = mj, .max_iter = pj->max_iter, .todo = todo,
        .width = rect.width, .counts = counts, .smooth = smooth, .distance = distance,
        .stride = stride,
    };
    if (n_todo > 0 && err == MANDEL_OK) {
        ej.ref = ep->ref;
        ej.bla = ep->bla;
        ej.fe_bla = ep->fe_bla;
        ej.step_hi = ep->step_hi;
        ej.step_lo = ep->step_lo;
        ej.step_e = ep->step_e;
        sched_job job = {
            .segment = exact_segment, .segment_user = &ej, .threads = threads,
            .unit = 1, /* a doubtful pixel may take a million steps: one at a time */
            .width = n_todo, .height = 1, .stride = n_todo, .ctx = ctx,
            .stop = &ctx->cancel_pending,
        };
        uint64_t iterations = 0;
        exact_report rep = {ctx, (uint64_t)rect.width * rect.height};
        err = sched_run(pool, &job, report_exact, &rep, &iterations);
    }
    if (err == MANDEL_ECANCELED) ctx_fail(ctx, err, "render cancelled");
    exact_prep_free(&ctx->alloc, own);
    ctx_free(ctx, todo);
    stats->exact_pixels = n_todo;
    stats->exact_mpfr = ej.mpfr_pixels;
    stats->exact_changed = ej.changed;
    stats->exact_seconds = clock_seconds() - t0;
    return err;
}
