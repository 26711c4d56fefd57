/*
 * deep/perturb_formula.c - perturbation for the formulas other than z^2 + c: z^d + c
 * (d > 2), the Burning Ship z <- (|Re z| + i|Im z|)^2 + c and the Tricorn z <- conj(z)^2 + c,
 * one pixel at a time, with deltas in double or, while they are too small for it, in
 * floatexp (as perturb.c's pixel_core does for z^2 + c).
 *
 * A pixel c = C + dc iterates dz = z - Z_m against the reference orbit Z of the centre
 * (orbit.c, the same formula). The perturbed steps (X + iY = Z_m, x + iy = dz):
 *
 *   z^d:      dz' = (Z + dz)^d - Z^d + dc, as S_d from S_1 = dz, W_1 = Z and
 *             S_{k+1} = (Z + dz) S_k + dz W_k, W_{k+1} = Z W_k  (S_k = (Z+dz)^k - Z^k:
 *             every term is of the size of dz, nothing cancels)
 *   Tricorn:  dz' = conj((2Z + dz) dz) + dc
 *   Burning Ship, with p = (2Z + dz) dz:
 *             x' = Re p + Re dc
 *             y' = diffabs(2XY, Im p) + Im dc, diffabs(a, b) = |a + b| - |a| by cases
 *             (a >= 0: a + b >= 0 ? b : -(2a + b); a < 0: a + b > 0 ? 2a + b : -b), since
 *             Im z' = |2(X+x)(Y+y)| + Im c and 2(X+x)(Y+y) = 2XY + Im p.
 *
 * diffabs is laser blaster's (fractalforums.com), as Claude Heiland-Allen's "Perturbation
 * algebra" (mathr.co.uk, 2021) writes it; it folds the delta exactly where the formula's
 * absolute value folds the plane, so the step is exact to rounding on both sides of a fold.
 *
 * Rebasing (Zhuoran, 2021) applies unchanged: Z_0 = 0 for every formula, so when
 * |Z_m + dz| < |dz| or the orbit has ended the pixel continues from index 0 with dz = z.
 *
 * BLA: z^d's step is complex-linear in dz (A = d Z^(d-1)), so bla.c's table serves it
 * (job->bla); the Tricorn's and the Burning Ship's are only real-linear (and the Ship's
 * changes with the signs of X and Y), so they step exactly (job->bla is NULL for them).
 *
 * Invariant: as in perturb.c, n counts the pixel's own iterations, the escape is tested on
 * z = Z_m + dz after every step or skipped block, and a block never crosses max_iter.
 */
#include "deep/deep_int.h"

/* perturb.c's switches between floatexp and double deltas (same values, same reasons:
 * between them dc, below 2^-884 in a floatexp view, is 2^-380 of dz). */
#define FE_TO_DOUBLE_EXP (-450)
#define DOUBLE_TO_FE_NORM 0x1p-1000

#define SQRT2_UP 1.4142135623730952

/* Steps between two polls of a cancel. */
#define POLL_STEPS 65536

static inline double diffabs(double a, double b)
{
    if (a >= 0) return a + b >= 0 ? b : -(2.0 * a + b);
    return a + b > 0 ? 2.0 * a + b : -b;
}

/* A real floatexp sum a + b of any signs. */
static inline fe fe_add(fe a, fe b)
{
    fec const s = fec_add((fec){a.m, 0.0, a.e}, (fec){b.m, 0.0, b.e});
    return fe_make(s.re, s.e);
}

static inline fe fe_neg(fe a) { return (fe){-a.m, a.e}; }

/* diffabs in floatexp. */
static inline fe fe_diffabs(fe a, fe b)
{
    fe const s = fe_add(a, b);
    fe const a2 = {a.m, a.e + 1};
    if (a.m >= 0) return s.m >= 0 ? b : fe_neg(fe_add(a2, b));
    return s.m > 0 ? fe_add(a2, b) : fe_neg(b);
}

/* re + i*im from two real floatexps. */
static inline fec fec_from_parts(fe re, fe im)
{
    int64_t const e = re.e > im.e ? re.e : im.e;
    return fec_make(fe_ldexp(re.m, re.e - e), fe_ldexp(im.m, im.e - e), e);
}

/* One exact step of a formula in double: dz <- F(Z + dz) - F(Z) + dc. */
static inline void step_d(const formula_params *f, double X, double Y, double *dzr,
                          double *dzi, double dcr, double dci)
{
    double const x = *dzr, y = *dzi;
    if (f->formula == FORMULA_MANDELBROT) {
        double const zr = X + x, zi = Y + y;
        double sr = x, si = y, wr = X, wi = Y;
        for (uint32_t k = 1; k < f->power; k++) {
            double const nr = (zr * sr - zi * si) + (x * wr - y * wi);
            double const ni = (zr * si + zi * sr) + (x * wi + y * wr);
            double const tr = wr * X - wi * Y;
            wi = wr * Y + wi * X;
            wr = tr;
            sr = nr;
            si = ni;
        }
        *dzr = sr + dcr;
        *dzi = si + dci;
        return;
    }
    double const tr = 2.0 * X + x, ti = 2.0 * Y + y;
    double const pr = tr * x - ti * y, pi = tr * y + ti * x;
    *dzr = pr + dcr;
    if (f->formula == FORMULA_TRICORN) *dzi = dci - pi;
    else *dzi = diffabs(2.0 * X * Y, pi) + dci;
}

/* The Jacobian of z -> F(z) at z = x + iy as a real 2x2 matrix m (row-major): what
 * MANDEL_OPT_EXACT's doubt carries for these formulas (J' = M J + step I, J = dz/dc * step
 * in pixel units). z^d is holomorphic (d z^(d-1)); the Tricorn conj(z)^2 and the Burning
 * Ship (|x| + i|y|)^2 are only real-differentiable. */
static inline void jacobian(const formula_params *f, double x, double y, double m[4])
{
    if (f->formula == FORMULA_MANDELBROT) {
        double wr = x, wi = y; /* z^(d-1) */
        for (uint32_t k = 2; k < f->power; k++) {
            double const t = wr * x - wi * y;
            wi = wr * y + wi * x;
            wr = t;
        }
        double const a = f->power * wr, b = f->power * wi;
        m[0] = a, m[1] = -b, m[2] = b, m[3] = a;
    } else if (f->formula == FORMULA_TRICORN) {
        m[0] = 2.0 * x, m[1] = -2.0 * y, m[2] = -2.0 * y, m[3] = -2.0 * x;
    } else { /* Im F = |2xy|: its derivative takes the sign of 2xy */
        double const s = x * y < 0 ? -1.0 : 1.0;
        m[0] = 2.0 * x, m[1] = -2.0 * y, m[2] = s * 2.0 * y, m[3] = s * 2.0 * x;
    }
}

void perturb_jacobian_step(const formula_params *f, double x, double y, double step,
                           double j[4])
{
    double m[4];
    jacobian(f, x, y, m);
    double const a = m[0] * j[0] + m[1] * j[2], b = m[0] * j[1] + m[1] * j[3];
    double const c = m[2] * j[0] + m[3] * j[2], d = m[2] * j[1] + m[3] * j[3];
    j[0] = a + step, j[1] = b, j[2] = c, j[3] = d + step;
}

double perturb_jacobian_doubt(const double j[4], bool escaped, double zr, double zi)
{
    /* the Frobenius norm: at least the largest stretch, so the "distance" errs small */
    double const norm = sqrt(j[0] * j[0] + j[1] * j[1] + j[2] * j[2] + j[3] * j[3]);
    if (!(norm > 0)) return INFINITY;
    if (!escaped) return 1.0 / norm;
    double const r2 = zr * zr + zi * zi;
    return sqrt(r2) * (0.5 * log(r2)) / norm;
}

/* The same in floatexp: Z is zm, dz and dc floatexp. */
static inline fec step_fe(const formula_params *f, fec zm, fec dz, fec dc)
{
    if (f->formula == FORMULA_MANDELBROT) {
        fec const z = fec_add(zm, dz);
        fec s = dz, w = zm;
        for (uint32_t k = 1; k < f->power; k++) {
            s = fec_add(fec_mul(z, s), fec_mul(dz, w));
            w = fec_mul(w, zm);
        }
        return fec_add(s, dc);
    }
    fec const t = fec_add((fec){zm.re, zm.im, zm.e + 1}, dz);
    fec p = fec_mul(t, dz);
    if (f->formula == FORMULA_TRICORN) {
        p.im = -p.im;
        return fec_add(p, dc);
    }
    fe const a = fe_make(2.0 * zm.re * zm.im, 2 * zm.e);  /* 2XY */
    fe const y = fe_diffabs(a, fe_make(p.im, p.e));
    fec const r = fec_from_parts(fe_make(p.re, p.e), y);
    return fec_add(r, dc);
}

uint32_t perturb_formula_pixel(const perturb_job *job, fec dc, perturb_stats *st,
                               float *smooth, float *doubt, sched_worker *w, bool *stopped)
{
    /* MANDEL_OPT_EXACT's doubt (double views only): the Jacobian in pixel units */
    double jac[4] = {0, 0, 0, 0};
    double const sd = doubt != NULL ? fe_to_d(job->step) : 0.0;
    const formula_params *const f = &job->formula;
    const orbit *const o = job->orb;
    const orbit_pt *const zo = o->z;
    const bla_table *const bla = job->bla;
    uint32_t const len = o->len, max_iter = job->max_iter;
    double dcr, dci;
    fec_to_d(dc, &dcr, &dci);
    double const dsr = fe_ldexp(dc.re, dc.e - job->b_exp);
    double const dsi = fe_ldexp(dc.im, dc.e - job->b_exp);
    bool fe_mode = job->fe_view;
    double dzr = 0.0, dzi = 0.0;
    fec dz = {0.0, 0.0, FE_ZERO_EXP};
    uint32_t m = 0, n = 0;
    uint32_t poll_at = POLL_STEPS;
    double zr = 0.0, zi = 0.0; /* z at the escape */
    bool escaped = false;
    *stopped = false;

    while (n < max_iter && !escaped) {
        if (!fe_mode) {
            while (n < max_iter) {
                const bla_dentry *e = NULL;
                uint32_t steps = 1;
                if (bla != NULL && bla->n_starts > 0)
                    e = bla_dlookup(bla, m, fmax(fabs(dzr), fabs(dzi)), max_iter - n, &steps);
                if (e != NULL) {
                    if (doubt != NULL) {
                        /* J' = A J + B step (A, B complex; B is scaled by 2^b_exp) */
                        double const s = fe_ldexp(job->step.m, job->step.e - job->b_exp);
                        double const a[4] = {e->ar, -e->ai, e->ai, e->ar};
                        double const j0 = a[0] * jac[0] + a[1] * jac[2] + e->br * s;
                        double const j1 = a[0] * jac[1] + a[1] * jac[3] - e->bi * s;
                        double const j2 = a[2] * jac[0] + a[3] * jac[2] + e->bi * s;
                        double const j3 = a[2] * jac[1] + a[3] * jac[3] + e->br * s;
                        jac[0] = j0, jac[1] = j1, jac[2] = j2, jac[3] = j3;
                    }
                    double const br = e->br * dsr - e->bi * dsi;
                    double const bi = e->br * dsi + e->bi * dsr;
                    double const nr = (e->ar * dzr - e->ai * dzi) + br;
                    double const ni = (e->ar * dzi + e->ai * dzr) + bi;
                    dzr = nr;
                    dzi = ni;
                    st->bla_skips++;
                    st->bla_iters += steps;
                } else {
                    if (doubt != NULL)
                        perturb_jacobian_step(f, zo[m].re + dzr, zo[m].im + dzi, sd, jac);
                    step_d(f, zo[m].re, zo[m].im, &dzr, &dzi, dcr, dci);
                    st->steps++;
                }
                m += steps;
                n += steps;
                zr = zo[m].re + dzr;
                zi = zo[m].im + dzi;
                double const z2 = zr * zr + zi * zi;
                if (z2 >= 4.0) {
                    escaped = true;
                    break;
                }
                if (__builtin_expect(n >= poll_at, 0)) {
                    if (sched_poll(w)) {
                        *stopped = true;
                        return max_iter;
                    }
                    poll_at = n < UINT32_MAX - POLL_STEPS ? n + POLL_STEPS : UINT32_MAX;
                }
                double dz2 = dzr * dzr + dzi * dzi;
                if (m == len || z2 < dz2) {
                    st->rebases++;
                    dzr = zr;
                    dzi = zi;
                    dz2 = z2;
                    m = 0;
                }
                if (job->fe_view && dz2 < DOUBLE_TO_FE_NORM) {
                    dz = fec_make(dzr, dzi, 0);
                    fe_mode = true;
                    break;
                }
            }
        } else {
            while (n < max_iter) {
                uint32_t steps = 1;
                const bla_entry *e = NULL;
                if (bla != NULL && bla->level[1] != NULL && (m & 1) != 0) {
                    fe const dz_abs =
                        fe_make(fmax(fabs(dz.re), fabs(dz.im)) * SQRT2_UP, dz.e);
                    e = bla_lookup(bla, m, dz_abs, max_iter - n, &steps);
                }
                if (e != NULL) {
                    dz = fec_add(fec_mul(e->a, dz), fec_mul(e->b, dc));
                    st->bla_skips++;
                    st->bla_iters += steps;
                } else {
                    dz = step_fe(f, o->zfe[m], dz, dc);
                    st->fe_steps++;
                }
                m += steps;
                n += steps;
                fec const z = fec_add(o->zfe[m], dz);
                fec_to_d(z, &zr, &zi);
                if (zr * zr + zi * zi >= 4.0) {
                    escaped = true;
                    break;
                }
                if (__builtin_expect(n >= poll_at, 0)) {
                    if (sched_poll(w)) {
                        *stopped = true;
                        return max_iter;
                    }
                    poll_at = n < UINT32_MAX - POLL_STEPS ? n + POLL_STEPS : UINT32_MAX;
                }
                if (m == len || fe_lt(fec_norm2(z), fec_norm2(dz))) {
                    st->rebases++;
                    dz = z;
                    m = 0;
                }
                if (dz.e > FE_TO_DOUBLE_EXP) {
                    fec_to_d(dz, &dzr, &dzi);
                    fe_mode = false;
                    break;
                }
            }
        }
    }
    if (!escaped) n = max_iter;
    if (doubt != NULL) {
        /* Negative inside, as perturb.c's doubt. The Ship's and the Tricorn's maps are not
         * conformal (the Ship folds the plane at Im z^2 = 0): how far an interior pixel's
         * orbit stays from escaping is not measured by their Jacobian (on the Ship's needle
         * pixels with a small one escaped under MPFR), so each of their interior pixels is
         * doubtful here and computed again in double-double. */
        double const d = perturb_jacobian_doubt(jac, escaped, zr, zi);
        *doubt = (float)(escaped ? d : f->formula == FORMULA_MANDELBROT ? -d : -0.0);
    }
    if (smooth != NULL)
        *smooth = escaped ? smooth_after_escape_formula(f, zr, zi, job->cre + dcr,
                                                        job->cim + dci, n)
                          : (float)max_iter;
    return n;
}
