/*
 * deep/floatexp.c - conversions from MPFR into floatexp (the arithmetic itself is inline in
 * floatexp.h).
 *
 * Invariant: a conversion rounds once, to nearest, whatever the exponent: MPFR's exponent
 * range is far wider than double's, and these keep all of it.
 */
#include "deep/deep_int.h"

fe floatexp_from_mpfr(mpfr_srcptr x)
{
    if (mpfr_zero_p(x)) return (fe){0.0, FE_ZERO_EXP};
    long e;
    double const m = mpfr_get_d_2exp(&e, x, MPFR_RNDN);
    return fe_make(m, e);
}

fec floatexp_c_from_mpfr(mpfr_srcptr re, mpfr_srcptr im)
{
    fe const r = floatexp_from_mpfr(re), i = floatexp_from_mpfr(im);
    int64_t const e = r.e > i.e ? r.e : i.e;
    if (e == FE_ZERO_EXP) return (fec){0.0, 0.0, FE_ZERO_EXP};
    int64_t const dr = r.e - e, di = i.e - e;
    return fec_make(dr < -1100 ? 0.0 : fe_ldexp(r.m, dr), di < -1100 ? 0.0 : fe_ldexp(i.m, di),
                    e);
}

