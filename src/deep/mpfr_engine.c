/*
 * deep/mpfr_engine.c - the brute-force engine: every pixel iterated in MPFR at the view's
 * full precision, with no approximation beyond MPFR's rounding, for every formula
 * (orbit_step_mpfr: the reference orbit's step) but Julia sets. Slow; it is the reference
 * the perturbation engine is tested against.
 *
 * Invariant: pixel (col, row) samples c = C + ((col - (w-1)/2) + i*((h-1)/2 - row)) * step
 * computed in MPFR from the same centre and step the perturbation engine offsets from,
 * and its count is the first n >= 1 with |z_n|^2 >= 4, exactly as kernel_scalar.c defines.
 *
 * Smooth values and distances follow kernel_formula.c's definitions: after the escape z
 * goes on (at full precision here) for at most SMOOTH_EXTRA steps until |z|^2 >
 * SMOOTH_RADIUS2; then mu = m + 1 - log2(ln|z_m|), and the distance is |z| ln|z| / |dz/dc|,
 * divided by the pixel step (pixels: plane units underflow float at depth). The derivative
 * dz/dc, der' = 2 z der + 1, is carried at 64 bits (MPFR's exponent never overflows): a
 * linear recurrence, whose rounding stays relative.
 */
#include "deep/deep_int.h"

#define DER_PREC 64

/* Steps between polls of a cancel: an MPFR step takes 0.1-10 microseconds. */
#define POLL_STEPS 1024

size_t mpfr_engine_scratch_bytes(mpfr_prec_t prec)
{
    /* mpfr_engine_segment's 7 numbers at prec bits and 6 at DER_PREC */
    return 7 * mpfr_custom_get_size(prec) + 6 * mpfr_custom_get_size(DER_PREC);
}

void mpfr_engine_segment(void *user, sched_worker *w, uint32_t row, uint32_t x, uint32_t n,
                         uint32_t *out)
{
    const mpfr_engine_job *const job = user;
    size_t const at = (size_t)row * job->stride + x;
    float *const smooth = job->smooth != NULL ? job->smooth + at : NULL;
    float *const distance = job->distance != NULL ? job->distance + at : NULL;
    bool const de = distance != NULL; /* z^2 + c only (deep_render) */
    bool const classic = deep_classic(&job->formula);
    double const power = job->formula.formula == FORMULA_MANDELBROT ? job->formula.power : 2;
    mpfr_t cr, ci, zr, zi, sr, si, t;
    mpfr_t xr, xi, dr, di, u, v; /* z rounded to DER_PREC bits; the derivative */
    mpfr_inits2(job->prec, cr, ci, zr, zi, sr, si, t, (mpfr_ptr)NULL);
    mpfr_inits2(DER_PREC, xr, xi, dr, di, u, v, (mpfr_ptr)NULL);
    double const oy = (job->view_height - 1) / 2.0 - (double)(job->rect_y + row);
    mpfr_mul_d(t, job->step, oy, MPFR_RNDN);
    mpfr_add(ci, job->cim, t, MPFR_RNDN);
    bool stop = false;
    for (uint32_t j = 0; j < n && !stop; j++) {
        double const ox = (double)(job->rect_x + x + j) - (job->view_width - 1) / 2.0;
        mpfr_mul_d(t, job->step, ox, MPFR_RNDN);
        mpfr_add(cr, job->cre, t, MPFR_RNDN);
        mpfr_set_ui(zr, 0, MPFR_RNDN);
        mpfr_set_ui(zi, 0, MPFR_RNDN);
        mpfr_set_ui(sr, 0, MPFR_RNDN);
        mpfr_set_ui(si, 0, MPFR_RNDN);
        mpfr_set_ui(dr, 0, MPFR_RNDN);
        mpfr_set_ui(di, 0, MPFR_RNDN);
        uint32_t count = job->max_iter;
        bool escaped = false;
        uint32_t const extra = smooth != NULL || de ? SMOOTH_EXTRA : 0;
        uint32_t m = 0; /* steps after the escape */
        for (uint64_t k = 1; escaped ? m < extra : k <= job->max_iter; k++) {
            if (k % POLL_STEPS == 0 && sched_poll(w)) {
                stop = true;
                break;
            }
            if (de) {
                /* der' = 2 z der + 1, z before the step */
                mpfr_set(xr, zr, MPFR_RNDN);
                mpfr_set(xi, zi, MPFR_RNDN);
                mpfr_mul(u, xr, dr, MPFR_RNDN);
                mpfr_mul(v, xi, di, MPFR_RNDN);
                mpfr_sub(u, u, v, MPFR_RNDN);
                mpfr_mul(v, xr, di, MPFR_RNDN);
                mpfr_mul(di, xi, dr, MPFR_RNDN);
                mpfr_add(di, di, v, MPFR_RNDN);
                mpfr_mul_2ui(di, di, 1, MPFR_RNDN);
                mpfr_mul_2ui(dr, u, 1, MPFR_RNDN);
                mpfr_add_ui(dr, dr, 1, MPFR_RNDN);
            }
            if (classic) {
                /* z_k from z_{k-1}, whose squares sr, si are already known */
                mpfr_mul(t, zr, zi, MPFR_RNDN);
                mpfr_sub(zr, sr, si, MPFR_RNDN);
                mpfr_add(zr, zr, cr, MPFR_RNDN);
                mpfr_mul_2ui(zi, t, 1, MPFR_RNDN);
                mpfr_add(zi, zi, ci, MPFR_RNDN);
            } else {
                orbit_step_mpfr(&job->formula, zr, zi, cr, ci, sr, si, t);
            }
            mpfr_sqr(sr, zr, MPFR_RNDN);
            mpfr_sqr(si, zi, MPFR_RNDN);
            mpfr_add(t, sr, si, MPFR_RNDN);
            if (escaped) {
                m++;
                if (mpfr_cmp_d(t, SMOOTH_RADIUS2) > 0) break;
            } else if (mpfr_cmp_ui(t, 4) >= 0) {
                count = (uint32_t)k;
                escaped = true;
                if (extra == 0 || mpfr_cmp_d(t, SMOOTH_RADIUS2) > 0) break;
            }
        }
        if (stop) break;
        out[j] = count;
        if (smooth == NULL && !de) continue;
        if (!escaped) {
            if (smooth != NULL) smooth[j] = (float)job->max_iter;
            if (de) distance[j] = 0.0f;
            continue;
        }
        /* the kernels' smooth value, on |z|^2 rounded to double */
        double const r2 = mpfr_get_d(t, MPFR_RNDN);
        double const log_r = 0.5 * log(r2);
        if (smooth != NULL) smooth[j] = smooth_value(count + m, log_r, power);
        if (de) {
            mpfr_hypot(u, dr, di, MPFR_RNDN);
            mpfr_mul(u, u, job->step, MPFR_RNDN);
            if (mpfr_zero_p(u)) {
                distance[j] = INFINITY;
            } else {
                mpfr_d_div(u, sqrt(r2) * log_r, u, MPFR_RNDN);
                distance[j] = (float)mpfr_get_d(u, MPFR_RNDN);
            }
        }
    }
    mpfr_clears(cr, ci, zr, zi, sr, si, t, (mpfr_ptr)NULL);
    mpfr_clears(xr, xi, dr, di, u, v, (mpfr_ptr)NULL);
}
