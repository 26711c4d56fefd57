/*
 * deep/mpfr_engine.c - the brute-force engine: every pixel iterated in MPFR at the view's
 * full precision, with no approximation beyond MPFR's rounding. Slow; it is the reference
 * the perturbation engine is tested against.
 *
 * Invariant: pixel (col, row) samples c = C + ((col - (w-1)/2) + i*((h-1)/2 - row)) * step
 * computed in MPFR from the same centre and step the perturbation engine offsets from,
 * and its count is the first n >= 1 with |z_n|^2 >= 4, exactly as kernel_scalar.c defines.
 */
#include "deep/deep_int.h"

void mpfr_engine_segment(void *user, uint32_t row, uint32_t x, uint32_t n, uint32_t *out)
{
    const mpfr_engine_job *const job = user;
    mpfr_t cr, ci, zr, zi, sr, si, t;
    mpfr_inits2(job->prec, cr, ci, zr, zi, sr, si, t, (mpfr_ptr)NULL);
    double const oy = (job->view_height - 1) / 2.0 - (double)(job->rect_y + row);
    mpfr_mul_d(t, job->step, oy, MPFR_RNDN);
    mpfr_add(ci, job->cim, t, MPFR_RNDN);
    for (uint32_t j = 0; j < n; j++) {
        double const ox = (double)(job->rect_x + x + j) - (job->view_width - 1) / 2.0;
        mpfr_mul_d(t, job->step, ox, MPFR_RNDN);
        mpfr_add(cr, job->cre, t, MPFR_RNDN);
        mpfr_set_ui(zr, 0, MPFR_RNDN);
        mpfr_set_ui(zi, 0, MPFR_RNDN);
        mpfr_set_ui(sr, 0, MPFR_RNDN);
        mpfr_set_ui(si, 0, MPFR_RNDN);
        uint32_t count = job->max_iter;
        for (uint32_t k = 1; k <= job->max_iter; k++) {
            /* z_k from z_{k-1}, whose squares sr, si are already known */
            mpfr_mul(t, zr, zi, MPFR_RNDN);
            mpfr_sub(zr, sr, si, MPFR_RNDN);
            mpfr_add(zr, zr, cr, MPFR_RNDN);
            mpfr_mul_2ui(zi, t, 1, MPFR_RNDN);
            mpfr_add(zi, zi, ci, MPFR_RNDN);
            mpfr_sqr(sr, zr, MPFR_RNDN);
            mpfr_sqr(si, zi, MPFR_RNDN);
            mpfr_add(t, sr, si, MPFR_RNDN);
            if (mpfr_cmp_ui(t, 4) >= 0) {
                count = k;
                break;
            }
        }
        out[j] = count;
    }
    mpfr_clears(cr, ci, zr, zi, sr, si, t, (mpfr_ptr)NULL);
}
