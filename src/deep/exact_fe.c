/*
 * deep/exact_fe.c - MANDEL_OPT_EXACT for views whose deltas need floatexp (pixel steps
 * below 2^-900: zooms beyond about 1e270), z^2 + c.
 *
 * exact.c's double-double deltas with an exponent: a ddc is (re + i im) 2^e, re and im
 * double-doubles scaled so that the larger high part lies in [0.5, 1). As perturb.c does
 * with floatexp, a pixel's delta stays a ddc while it is below 2^-450 and becomes a plain
 * double-double above (where dc, below 2^-884, is 2^-380 of it and drops out of the sum
 * at 106 bits), and a ddc again below 2^-500 (after a rebase near 0). The reference orbit
 * is kept both ways (exact_ref: hi/lo, and zc for values below double's range), and one BLA
 * table with exponents (tolerance 2^-106, as exact.c's) serves both phases. The derivative
 * dz/dc goes along in floatexp (pixel_end.der), as in perturb.c's floatexp views.
 *
 * Invariant: as exact.c: a pixel's results depend on the pixel alone.
 */
#include <string.h>

#include "deep/dd.h"

#define TO_DD_EXP (-450)            /* a ddc delta above 2^-450 becomes a double-double */
#define TO_DDC_NORM 0x1p-1000       /* a double-double delta with |dz|^2 below this, a ddc */
#define DD_EPS_EXP (-106)           /* the BLA tolerance 2^-106 */
#define MIN_LEVEL 2                 /* blocks of 4 steps and more, as exact.c's */

struct ddc {
    dd re, im;
    int64_t e;
};

static const ddc DDC_ZERO = {{0, 0}, {0, 0}, FE_ZERO_EXP};

/* (re + i im) 2^e, normalised. */
static inline ddc ddc_make(dd re, dd im, int64_t e)
{
    double const a = fmax(fabs(re.hi), fabs(im.hi));
    if (a == 0) return DDC_ZERO;
    int const k = fe_ilogb1(a);
    return (ddc){{fe_ldexp(re.hi, -k), fe_ldexp(re.lo, -k)},
                 {fe_ldexp(im.hi, -k), fe_ldexp(im.lo, -k)}, e + k};
}

static inline bool ddc_zero(ddc a) { return a.re.hi == 0 && a.im.hi == 0; }

static inline dd dd_scale(dd a, int64_t k) { return (dd){fe_ldexp(a.hi, k), fe_ldexp(a.lo, k)}; }

static inline ddc ddc_add(ddc a, ddc b)
{
    if (ddc_zero(b)) return a;
    if (ddc_zero(a)) return b;
    if (a.e < b.e) {
        ddc const t = a;
        a = b;
        b = t;
    }
    int64_t const d = b.e - a.e;
    if (d < -120) return a; /* below a's last bit */
    return ddc_make(dd_add(a.re, dd_scale(b.re, d)), dd_add(a.im, dd_scale(b.im, d)), a.e);
}

static inline ddc ddc_mul(ddc a, ddc b)
{
    if (ddc_zero(a) || ddc_zero(b)) return DDC_ZERO;
    return ddc_make(dd_add(dd_mul(a.re, b.re), dd_neg(dd_mul(a.im, b.im))),
                    dd_add(dd_mul(a.re, b.im), dd_mul(a.im, b.re)), a.e + b.e);
}

static inline ddc ddc_twice(ddc a) { return ddc_zero(a) ? a : (ddc){a.re, a.im, a.e + 1}; }

/* |a| from above (within 1e-7), as an fe. */
static inline fe ddc_abs(ddc a)
{
    if (ddc_zero(a)) return (fe){0.0, FE_ZERO_EXP};
    return fe_make(sqrt(a.re.hi * a.re.hi + a.im.hi * a.im.hi) * (1.0 + 0x1p-40), a.e);
}

/* a rounded to a floatexp complex (53 bits). */
static inline fec ddc_fec(ddc a)
{
    return ddc_zero(a) ? (fec){0.0, 0.0, FE_ZERO_EXP} : fec_make(a.re.hi, a.im.hi, a.e);
}

size_t exact_ddc_size(void) { return sizeof(ddc); }

void exact_ddc_from_mpfr(mpfr_srcptr x, mpfr_srcptr y, mpfr_ptr t, ddc *out)
{
    if (mpfr_zero_p(x) && mpfr_zero_p(y)) {
        *out = DDC_ZERO;
        return;
    }
    mpfr_exp_t const ex = mpfr_zero_p(x) ? MPFR_EMIN_MIN : mpfr_get_exp(x);
    mpfr_exp_t const ey = mpfr_zero_p(y) ? MPFR_EMIN_MIN : mpfr_get_exp(y);
    mpfr_exp_t const e = ex > ey ? ex : ey;
    dd re, im;
    mpfr_mul_2si(t, x, -e, MPFR_RNDN);
    re.hi = mpfr_get_d(t, MPFR_RNDN);
    mpfr_sub_d(t, t, re.hi, MPFR_RNDN);
    re.lo = mpfr_get_d(t, MPFR_RNDN);
    mpfr_mul_2si(t, y, -e, MPFR_RNDN);
    im.hi = mpfr_get_d(t, MPFR_RNDN);
    mpfr_sub_d(t, t, im.hi, MPFR_RNDN);
    im.lo = mpfr_get_d(t, MPFR_RNDN);
    *out = ddc_make(re, im, e);
}

/* ---- the BLA table (exact.c's, with exponents) ------------------------------------- */

typedef struct fe_bla {
    ddc a, b;
    fe r;
} fe_bla;

struct exact_fe_bla {
    uint32_t levels;
    uint32_t count[BLA_MAX_LEVELS];
    fe_bla *level[BLA_MAX_LEVELS];
    fe_bla *storage;
};

static fe_bla single(const ddc *zc, uint32_t m)
{
    ddc const z = zc[m];
    fe_bla e = {ddc_twice(z), {{1.0, 0.0}, {0.0, 0.0}, 0}, {0.0, FE_ZERO_EXP}};
    e.b = ddc_make(e.b.re, e.b.im, 0);
    fe const za = ddc_abs(z);
    fe const r = fe_make(2.0 * za.m, za.e + DD_EPS_EXP);
    double const zd = fe_to_d(za);
    fe const room = 2.0 - zd > 0 ? fe_make(2.0 - zd, 0) : (fe){0.0, FE_ZERO_EXP};
    e.r = fe_min(r, room);
    if (ddc_zero(z)) e.r = (fe){0.0, FE_ZERO_EXP};
    return e;
}

static fe_bla merge(const fe_bla *x, const fe_bla *y, fe dc_max)
{
    fe_bla z;
    z.a = ddc_mul(y->a, x->a);
    z.b = ddc_add(ddc_mul(y->a, x->b), y->b);
    fe const spent = fe_mul(ddc_abs(x->b), dc_max);
    fe r;
    if (ddc_zero(x->a))
        r = fe_lt(spent, y->r) ? x->r : (fe){0.0, FE_ZERO_EXP};
    else
        r = fe_div(fe_sub_pos(y->r, spent), ddc_abs(x->a));
    z.r = fe_min(x->r, r);
    return z;
}

static fe_bla single_ref(const exact_ref *o, uint32_t m) { return single(o->zc, m); }

#define ET_BUILD exact_fe_bla_build
#define ET_FREE exact_fe_bla_free
#define ET_TABLE exact_fe_bla
#define ET_ENTRY fe_bla
#define ET_DC fe
#define ET_SINGLE single_ref
#define ET_MERGE merge
#define ET_MIN MIN_LEVEL
#define ET_LOOKUP lookup
#define ET_ABS fe
#define ET_FITS(a, r) fe_lt(a, r)
#include "deep/exact_table.h"

/* ---- one pixel ----------------------------------------------------------------------- */

#define FEC_ONE ((fec){0.5, 0.0, 1})

uint32_t exact_fe_pixel(const exact_job *ej, double ox, double oy, pixel_end *end,
                        sched_worker *w)
{
    const orbit_pt *const zh = ej->ref.hi, *const zl = ej->ref.lo;
    const ddc *const zc = ej->ref.zc;
    uint32_t const len = ej->ref.len, max_iter = ej->max_iter;
    /* dc = step (ox + i oy), step a real double-double times 2^step_e */
    dd const step = {ej->step_hi, ej->step_lo};
    ddc const dc = ddc_make(dd_mul_d(step, ox), dd_mul_d(step, oy), ej->step_e);
    /* dc in plain double-double: it underflows, as it should (see above) */
    dd const dcr = dd_scale(dc.re, dc.e), dci = dd_scale(dc.im, dc.e);
    ddc dz = DDC_ZERO;
    dd xr = {0, 0}, xi = {0, 0};
    bool scaled = true; /* dz is the ddc; else xr + i xi */
    fec der = {0.0, 0.0, FE_ZERO_EXP};
    uint32_t m = 0, n = 0, poll_at = PERTURB_POLL_STEPS;
    end->escaped = false;
    end->stopped = false;
    while (n < max_iter) {
        ddc const d = scaled ? dz : ddc_make(xr, xi, 0);
        uint32_t l;
        const fe_bla *const e = lookup(ej->fe_bla, m, ddc_abs(d), max_iter - n, &l);
        if (e != NULL) {
            der = fec_add(fec_mul(ddc_fec(e->a), der), ddc_fec(e->b));
            ddc const nd = ddc_add(ddc_mul(e->a, d), ddc_mul(e->b, dc));
            if (scaled) {
                dz = nd;
            } else {
                xr = dd_scale(nd.re, nd.e);
                xi = dd_scale(nd.im, nd.e);
            }
            m += l;
            n += l;
        } else {
            /* der' = 2 z der + 1, z = Z_m + dz before the step (in double once dz is: as
             * perturb.c) */
            if (scaled) {
                der = fec_add(fec_mul(ddc_fec(ddc_twice(ddc_add(zc[m], dz))), der), FEC_ONE);
                dz = ddc_add(ddc_mul(ddc_add(ddc_twice(zc[m]), dz), dz), dc);
            } else {
                der = fec_add(fec_mul_d(der, 2.0 * (zh[m].re + xr.hi), 2.0 * (zh[m].im + xi.hi)),
                              FEC_ONE);
                dd_cstep(&xr, &xi, zh[m], zl[m], dcr, dci);
            }
            m++;
            n++;
        }
        /* z = Z_m + dz: the escape, then the rebase and the phase */
        bool rebase;
        if (scaled) {
            ddc const z = ddc_add(zc[m], dz);
            if (z.e >= -1) {
                dd const zr = dd_scale(z.re, z.e), zi = dd_scale(z.im, z.e);
                if (dd_escaped(zr, zi)) {
                    *end = (pixel_end){true, false, zr.hi, zi.hi, 0, 0, der, 0.0};
                    return n;
                }
            }
            rebase = m == len || fe_lt(ddc_abs(z), ddc_abs(dz));
            if (rebase) dz = z;
            if (dz.e > TO_DD_EXP) {
                xr = dd_scale(dz.re, dz.e);
                xi = dd_scale(dz.im, dz.e);
                scaled = false;
            }
        } else {
            dd const zr = dd_add((dd){zh[m].re, zl[m].re}, xr);
            dd const zi = dd_add((dd){zh[m].im, zl[m].im}, xi);
            if (dd_escaped(zr, zi)) {
                *end = (pixel_end){true, false, zr.hi, zi.hi, 0, 0, der, 0.0};
                return n;
            }
            double const z2 = zr.hi * zr.hi + zi.hi * zi.hi;
            double dz2 = xr.hi * xr.hi + xi.hi * xi.hi;
            rebase = m == len || z2 < dz2;
            if (rebase) {
                /* Z_m may be below double's range here: z from the ddc values */
                ddc const z = ddc_add(zc[m], ddc_make(xr, xi, 0));
                xr = dd_scale(z.re, z.e);
                xi = dd_scale(z.im, z.e);
                dz2 = xr.hi * xr.hi + xi.hi * xi.hi;
                if (dz2 < TO_DDC_NORM) {
                    dz = z;
                    scaled = true;
                }
            }
        }
        if (rebase) m = 0;
        if (__builtin_expect(n >= poll_at, 0)) {
            if (sched_poll(w)) {
                end->stopped = true;
                return max_iter;
            }
            poll_at = n < UINT32_MAX - PERTURB_POLL_STEPS ? n + PERTURB_POLL_STEPS : UINT32_MAX;
        }
    }
    end->der = der;
    return max_iter;
}
