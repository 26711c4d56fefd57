/*
 * deep/orbit.c - the reference orbit: Z_0 = 0, Z_{n+1} = F(Z_n) + C at the view's MPFR
 * precision (F: z^2, z^d, the Burning Ship's (|Re z| + i|Im z|)^2 or the Tricorn's
 * conj(z)^2), rounded once per value into double (and floatexp, for views whose deltas
 * need it). orbit_step_mpfr is also the MPFR engine's step for every formula but z^2.
 *
 * Invariant: every stored value is the correctly rounded image of an MPFR value computed
 * from the previous MPFR value, never from a rounded one; so the orbit's only error is
 * MPFR's, at a precision chosen from the pixel step (deep.c).
 */
#include "deep/deep_int.h"

#include <string.h>
#include "clock.h"

/* The first capacity, and the next after `cap` (doubling, up to max_iter + 1 values): one
 * schedule for orbit_compute and orbit_peak_bytes, so the bound checked is the one kept. */
static size_t first_cap(uint32_t max_iter)
{
    return max_iter < 4095 ? (size_t)max_iter + 1 : 4096;
}

static size_t next_cap(size_t cap, uint32_t max_iter)
{
    return cap * 2 > (size_t)max_iter + 1 ? (size_t)max_iter + 1 : cap * 2;
}

static size_t entry_bytes(bool want_fe)
{
    return sizeof(orbit_pt) + (want_fe ? sizeof(fec) : 0);
}

uint64_t orbit_peak_bytes(uint32_t max_iter, bool want_fe)
{
    /* A growth holds the old arrays and the new ones at once. */
    uint64_t peak = first_cap(max_iter);
    for (size_t cap = first_cap(max_iter); cap < (size_t)max_iter + 1;) {
        size_t const next = next_cap(cap, max_iter);
        if (cap + next > peak) peak = cap + next;
        cap = next;
    }
    return peak * entry_bytes(want_fe);
}

/* Grows the arrays to hold `cap` values, keeping the first `used`. */
static bool grow(const mandel_allocator *a, orbit *o, size_t used, size_t cap, bool want_fe)
{
    orbit_pt *const z = a->alloc(a->user, cap * sizeof *z);
    fec *const zfe = want_fe ? a->alloc(a->user, cap * sizeof *zfe) : NULL;
    if (z == NULL || (want_fe && zfe == NULL)) {
        a->free(a->user, z);
        a->free(a->user, zfe);
        return false;
    }
    if (used > 0) {
        memcpy(z, o->z, used * sizeof *z);
        if (want_fe) memcpy(zfe, o->zfe, used * sizeof *zfe);
    }
    a->free(a->user, o->z);
    a->free(a->user, o->zfe);
    o->z = z;
    o->zfe = zfe;
    return true;
}

void orbit_step_mpfr(const formula_params *f, mpfr_ptr x, mpfr_ptr y, mpfr_srcptr cre,
                     mpfr_srcptr cim, mpfr_ptr t0, mpfr_ptr t1, mpfr_ptr t2)
{
    if (f->formula == FORMULA_MANDELBROT && f->power > 2) {
        /* z^d by repeated multiplication, as kernel_formula does: t0 + i t1 = z^k */
        mpfr_set(t0, x, MPFR_RNDN);
        mpfr_set(t1, y, MPFR_RNDN);
        for (uint32_t k = 2; k <= f->power; k++) {
            mpfr_mul(t2, t0, y, MPFR_RNDN);   /* re^k im */
            mpfr_mul(t0, t0, x, MPFR_RNDN);   /* re^k re */
            mpfr_fms(t0, t1, y, t0, MPFR_RNDN); /* im^k im - re^k re */
            mpfr_neg(t0, t0, MPFR_RNDN);
            mpfr_fma(t1, t1, x, t2, MPFR_RNDN); /* im^k re + re^k im */
        }
        mpfr_add(x, t0, cre, MPFR_RNDN);
        mpfr_add(y, t1, cim, MPFR_RNDN);
        return;
    }
    /* x^2 - y^2 as (x + y)(x - y): one product for two squares, 5-10% of the orbit's time
     * from 400 to 3677 bits (docs/deep-notes.md); its error is as small in absolute terms */
    mpfr_add(t0, x, y, MPFR_RNDN);
    mpfr_sub(t1, x, y, MPFR_RNDN);
    mpfr_mul(t2, x, y, MPFR_RNDN);
    mpfr_mul(x, t0, t1, MPFR_RNDN);
    mpfr_add(x, x, cre, MPFR_RNDN);
    mpfr_mul_2ui(y, t2, 1, MPFR_RNDN);
    if (f->formula == FORMULA_BURNING_SHIP) mpfr_abs(y, y, MPFR_RNDN);
    else if (f->formula == FORMULA_TRICORN) mpfr_neg(y, y, MPFR_RNDN);
    mpfr_add(y, y, cim, MPFR_RNDN);
}

int orbit_compute(const mandel_allocator *a, const formula_params *f, mpfr_srcptr cre,
                  mpfr_srcptr cim, mpfr_prec_t prec, uint32_t max_iter, bool want_fe,
                  mandel_progress_fn progress, void *progress_user, const atomic_bool *stop,
                  orbit *out)
{
    memset(out, 0, sizeof *out);
    size_t cap = first_cap(max_iter);
    if (!grow(a, out, 0, cap, want_fe)) return MANDEL_ENOMEM;

    mpfr_t x, y, sx, sy, t;
    mpfr_inits2(prec, x, y, sx, sy, t, (mpfr_ptr)NULL);
    mpfr_set_ui(x, 0, MPFR_RNDN);
    mpfr_set_ui(y, 0, MPFR_RNDN);
    out->z[0] = (orbit_pt){0.0, 0.0};
    if (want_fe) out->zfe[0] = (fec){0.0, 0.0, FE_ZERO_EXP};
    double next_report = progress ? clock_seconds() + 0.1 : 0;
    int err = MANDEL_OK;
    uint32_t n = 0;
    while (n < max_iter) {
        /* Z_{n+1} = (x^2 - y^2 + Cre) + i(2xy + Cim), or the formula's */
        orbit_step_mpfr(f, x, y, cre, cim, sx, sy, t);
        n++;
        if ((size_t)n >= cap) {
            size_t const new_cap = next_cap(cap, max_iter);
            if (!grow(a, out, cap, new_cap, want_fe)) {
                err = MANDEL_ENOMEM;
                break;
            }
            cap = new_cap;
        }
        double const zr = mpfr_get_d(x, MPFR_RNDN), zi = mpfr_get_d(y, MPFR_RNDN);
        out->z[n] = (orbit_pt){zr, zi};
        if (want_fe) out->zfe[n] = floatexp_c_from_mpfr(x, y);
        if (zr * zr + zi * zi >= 4.0) break;
        if ((n & 63) == 0 && stop != NULL && atomic_load_explicit(stop, memory_order_relaxed)) {
            err = MANDEL_ECANCELED;
            break;
        }
        if (progress != NULL && (n & 63) == 0 && clock_seconds() >= next_report) {
            if (progress(progress_user, n, max_iter) != 0) {
                err = MANDEL_ECANCELED;
                break;
            }
            next_report = clock_seconds() + 0.1;
        }
    }
    mpfr_clears(x, y, sx, sy, t, (mpfr_ptr)NULL);
    out->len = n;
    out->bytes = cap * entry_bytes(want_fe);
    if (err != MANDEL_OK) orbit_free(a, out);
    return err;
}

void orbit_free(const mandel_allocator *a, orbit *o)
{
    a->free(a->user, o->z);
    a->free(a->user, o->zfe);
    memset(o, 0, sizeof *o);
}
