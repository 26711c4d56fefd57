/*
 * deep/floatexp.h - extended-exponent numbers: a double mantissa and a separate 64-bit
 * binary exponent, for perturbation deltas and BLA coefficients far below 1e-308.
 *
 * fe  = m * 2^e, with 0.5 <= |m| < 1, or m = 0 and e = FE_ZERO_EXP.
 * fec = (re + i*im) * 2^e, with 0.5 <= max(|re|, |im|) < 1, or both 0 and e = FE_ZERO_EXP.
 * A complex number shares one exponent: its parts differ by at most the 53 bits a double
 * resolves anyway, so nothing is lost that the arithmetic would keep (docs/deep-notes.md).
 * Everything here is inline: these are the inner loops of the deep engine.
 */
#ifndef MANDEL_DEEP_FLOATEXP_H
#define MANDEL_DEEP_FLOATEXP_H

#include <math.h>
#include <stdbool.h>
#include <stdint.h>

/* The exponent of zero: far below any real one, so zero compares smallest and vanishes in
 * sums, yet twice it still fits an int64_t. */
#define FE_ZERO_EXP (-(INT64_C(1) << 40))

typedef struct fe {
    double m;
    int64_t e;
} fe;

typedef struct fec {
    double re, im;
    int64_t e;
} fec;

/* Exponent k with 2^(k-1) <= a < 2^k, for a finite a > 0 (frexp's, without libm). */
static inline int fe_ilogb1(double a)
{
    union { double d; uint64_t u; } v = {a};
    int const biased = (int)((v.u >> 52) & 0x7ff);
    if (biased == 0) { /* subnormal: scale up first */
        v.d = a * 0x1p64;
        return (int)((v.u >> 52) & 0x7ff) - 1022 - 64;
    }
    return biased - 1022;
}

/* 2^k as a double, for -1022 <= k <= 1023. */
static inline double fe_pow2(int k)
{
    union { uint64_t u; double d; } v = {(uint64_t)(k + 1023) << 52};
    return v.d;
}

/* x * 2^k for any k; results beyond double's range go to 0 or inf like ldexp. */
static inline double fe_ldexp(double x, int64_t k)
{
    if (k >= -1022 && k <= 1023) return x * fe_pow2((int)k);
    if (k > 2200) k = 2200;
    if (k < -2200) k = -2200;
    return ldexp(x, (int)k);
}

static inline fe fe_make(double m, int64_t e)
{
    if (m == 0 || !isfinite(m)) return (fe){m == 0 ? 0.0 : m, m == 0 ? FE_ZERO_EXP : e};
    int const k = fe_ilogb1(fabs(m));
    return (fe){fe_ldexp(m, -k), e + k};
}

static inline fec fec_make(double re, double im, int64_t e)
{
    double const a = fmax(fabs(re), fabs(im));
    if (a == 0) return (fec){0.0, 0.0, FE_ZERO_EXP};
    int const k = fe_ilogb1(a);
    if (k >= -1021 && k <= 1022) {
        double const s = fe_pow2(-k);
        return (fec){re * s, im * s, e + k};
    }
    return (fec){fe_ldexp(re, -k), fe_ldexp(im, -k), e + k};
}

static inline double fe_to_d(fe a) { return fe_ldexp(a.m, a.e); }

static inline void fec_to_d(fec a, double *re, double *im)
{
    *re = fe_ldexp(a.re, a.e);
    *im = fe_ldexp(a.im, a.e);
}

static inline fe fe_mul(fe a, fe b) { return fe_make(a.m * b.m, a.e + b.e); }

/* Sum of two non-negative fe. */
static inline fe fe_add_pos(fe a, fe b)
{
    if (a.e < b.e) {
        fe const t = a;
        a = b;
        b = t;
    }
    int64_t const d = b.e - a.e;
    if (d < -60) return a;
    return fe_make(a.m + b.m * fe_pow2((int)d), a.e);
}

/* a - b for a >= b >= 0 (clamped at 0 otherwise). */
static inline fe fe_sub_pos(fe a, fe b)
{
    if (b.e > a.e) return (fe){0.0, FE_ZERO_EXP};
    int64_t const d = b.e - a.e;
    if (d < -60) return a;
    double const m = a.m - b.m * fe_pow2((int)d);
    return m > 0 ? fe_make(m, a.e) : (fe){0.0, FE_ZERO_EXP};
}

/* a / b for b > 0. */
static inline fe fe_div(fe a, fe b) { return fe_make(a.m / b.m, a.e - b.e); }

/* a < b for normalized non-negative values. */
static inline bool fe_lt(fe a, fe b) { return a.e != b.e ? a.e < b.e : a.m < b.m; }

static inline fe fe_min(fe a, fe b) { return fe_lt(a, b) ? a : b; }

static inline fec fec_add(fec a, fec b)
{
    if (a.e < b.e) {
        fec const t = a;
        a = b;
        b = t;
    }
    int64_t const d = b.e - a.e;
    if (d < -60) return a;
    double const s = fe_pow2((int)d);
    return fec_make(a.re + b.re * s, a.im + b.im * s, a.e);
}

static inline fec fec_mul(fec a, fec b)
{
    return fec_make(a.re * b.re - a.im * b.im, a.re * b.im + a.im * b.re, a.e + b.e);
}

/* a times the double complex x + iy. */
static inline fec fec_mul_d(fec a, double x, double y)
{
    return fec_make(a.re * x - a.im * y, a.re * y + a.im * x, a.e);
}

/* |a| from above, within a factor 1.0000001: sqrt(re^2 + im^2) of normalized parts. */
static inline fe fec_abs(fec a)
{
    return fe_make(sqrt(a.re * a.re + a.im * a.im), a.e);
}

/* |a|^2 as an fe. */
static inline fe fec_norm2(fec a) { return fe_make(a.re * a.re + a.im * a.im, 2 * a.e); }

#endif /* MANDEL_DEEP_FLOATEXP_H */
