/*
 * deep/dd.h - double-double arithmetic for exact.c and exact_fe.c: a value hi + lo with
 * |lo| <= ulp(hi) / 2, about 106 bits. Dekker's and Knuth's error-free transformations
 * (two-sum, fma-based two-product), as in Hida, Li and Bailey's QD library ("Algorithms for
 * quad-double precision floating point arithmetic", 2001): the accurate sum, and a product
 * whose error is below 2^-104 relative. fma() is exact, so every machine gives the same
 * results, with or without an FMA unit.
 */
#ifndef MANDEL_DEEP_DD_H
#define MANDEL_DEEP_DD_H

#include <math.h>

#include "deep/deep_int.h"

typedef struct dd {
    double hi, lo;
} dd;

static inline dd two_sum(double a, double b)
{
    double const s = a + b, bb = s - a;
    return (dd){s, (a - (s - bb)) + (b - bb)};
}

static inline dd quick_two_sum(double a, double b)
{
    double const s = a + b;
    return (dd){s, b - (s - a)};
}

static inline dd dd_add(dd a, dd b)
{
    dd s = two_sum(a.hi, b.hi);
    dd const t = two_sum(a.lo, b.lo);
    s.lo += t.hi;
    s = quick_two_sum(s.hi, s.lo);
    s.lo += t.lo;
    return quick_two_sum(s.hi, s.lo);
}

static inline dd dd_neg(dd a) { return (dd){-a.hi, -a.lo}; }

static inline dd dd_mul(dd a, dd b)
{
    double const p = a.hi * b.hi;
    double e = fma(a.hi, b.hi, -p);
    e += a.hi * b.lo + a.lo * b.hi;
    return quick_two_sum(p, e);
}

static inline dd dd_mul_d(dd a, double b)
{
    double const p = a.hi * b;
    double e = fma(a.hi, b, -p);
    e += a.lo * b;
    return quick_two_sum(p, e);
}

static inline dd dd_of(mpfr_srcptr x, mpfr_ptr t)
{
    double const hi = mpfr_get_d(x, MPFR_RNDN);
    mpfr_sub_d(t, x, hi, MPFR_RNDN);
    return (dd){hi, mpfr_get_d(t, MPFR_RNDN)};
}

static inline double dd_abs2(dd r, dd i) { return sqrt(r.hi * r.hi + i.hi * i.hi); }

/* One exact perturbation step of z^2 + c from reference Z_m = zh + zl:
 * dz' = (2 Z_m + dz) dz + dc. */
static inline void dd_cstep(dd *xr, dd *xi, orbit_pt zh, orbit_pt zl, dd dcr, dd dci)
{
    dd const tr = dd_add((dd){2.0 * zh.re, 2.0 * zl.re}, *xr);
    dd const ti = dd_add((dd){2.0 * zh.im, 2.0 * zl.im}, *xi);
    dd const nr = dd_add(dd_add(dd_mul(tr, *xr), dd_neg(dd_mul(ti, *xi))), dcr);
    dd const ni = dd_add(dd_add(dd_mul(tr, *xi), dd_mul(ti, *xr)), dci);
    *xr = nr;
    *xi = ni;
}

/* |z|^2 >= 4 for z = zr + i zi, decided in double-double where double cannot. */
static inline bool dd_escaped(dd zr, dd zi)
{
    if (zr.hi * zr.hi + zi.hi * zi.hi < 4.0 - 0x1p-30) return false;
    dd const n2 = dd_add(dd_mul(zr, zr), dd_mul(zi, zi));
    return n2.hi > 4.0 || (n2.hi == 4.0 && n2.lo >= 0.0);
}

#endif /* MANDEL_DEEP_DD_H */
