/*
 * deep/perturb.c - per-pixel perturbation: a pixel c = C + dc iterates its difference
 * dz_n = z_n - Z_m from the reference orbit, dz' = (2 Z_m + dz) dz + dc, in double, or in
 * floatexp while dz is too small for double.
 *
 * Rebasing (Zhuoran, 2021): whenever |Z_m + dz| < |dz|, or the reference orbit has ended,
 * the pixel continues from reference index 0 with dz = Z_m + dz (Z_0 = 0, so that is its
 * own z). The pixel's delta then never grows large against the reference, which is what
 * makes one reference serve the whole image without glitches. BLA entries (bla.c) replace
 * runs of steps while |dz| is within their radius.
 *
 * Invariant: n counts the pixel's own iterations and its escape is tested on z = Z_m + dz
 * after every step or skipped block, exactly as the definition tests z_n; a skipped block
 * never crosses max_iter, so counts are never capped silently.
 */
#include "deep/deep_int.h"

/* Floatexp deltas switch to double above 2^FE_TO_DOUBLE_EXP and back below
 * 2^DOUBLE_TO_FE_EXP: in between, dc (below 2^-884 in a floatexp view) is 2^-380 of dz and
 * double loses nothing. */
#define FE_TO_DOUBLE_EXP (-450)
#define DOUBLE_TO_FE_NORM 0x1p-1000 /* |dz|^2, i.e. |dz| < 2^-500 */

#define SQRT2_UP 1.4142135623730952 /* sqrt(2) rounded up: sqrt2 * max(|x|,|y|) >= |x+iy| */

fec perturb_offset(fe step, uint32_t width, uint32_t height, uint32_t col, uint32_t row)
{
    double const ox = (double)col - (width - 1) / 2.0;
    double const oy = -((double)row - (height - 1) / 2.0);
    return fec_make(ox * step.m, oy * step.m, step.e);
}

uint32_t perturb_pixel(const perturb_job *job, fec dc)
{
    const orbit *const o = job->orb;
    const bla_table *const bla = job->bla;
    uint32_t const len = o->len, max_iter = job->max_iter;
    double dcr, dci;
    fec_to_d(dc, &dcr, &dci);
    bool fe_mode = job->fe_view;
    double dzr = 0.0, dzi = 0.0;
    fec dz = {0.0, 0.0, FE_ZERO_EXP};
    uint32_t m = 0, n = 0;

    for (;;) {
        if (!fe_mode) {
            while (n < max_iter) {
                uint32_t steps;
                const bla_entry *e = NULL;
                if (bla != NULL && m > 0) {
                    fe const dz_abs = fe_make(fmax(fabs(dzr), fabs(dzi)) * SQRT2_UP, 0);
                    e = bla_lookup(bla, m, dz_abs, max_iter - n, &steps);
                }
                if (e != NULL) {
                    double ar, ai, br, bi;
                    fec_to_d(e->a, &ar, &ai);
                    fec_to_d(fec_mul(e->b, dc), &br, &bi);
                    double const nr = (ar * dzr - ai * dzi) + br;
                    double const ni = (ar * dzi + ai * dzr) + bi;
                    dzr = nr;
                    dzi = ni;
                    m += steps;
                    n += steps;
                } else {
                    double const tr = 2.0 * o->zr[m] + dzr, ti = 2.0 * o->zi[m] + dzi;
                    double const nr = (tr * dzr - ti * dzi) + dcr;
                    double const ni = (tr * dzi + ti * dzr) + dci;
                    dzr = nr;
                    dzi = ni;
                    m++;
                    n++;
                }
                double const zr = o->zr[m] + dzr, zi = o->zi[m] + dzi;
                double const z2 = zr * zr + zi * zi;
                if (z2 >= 4.0) return n;
                double dz2 = dzr * dzr + dzi * dzi;
                if (m == len || z2 < dz2) {
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
            if (!fe_mode) return max_iter;
        } else {
            while (n < max_iter) {
                uint32_t steps;
                const bla_entry *e = NULL;
                if (bla != NULL && m > 0) {
                    fe const dz_abs =
                        fe_make(fmax(fabs(dz.re), fabs(dz.im)) * SQRT2_UP, dz.e);
                    e = bla_lookup(bla, m, dz_abs, max_iter - n, &steps);
                }
                if (e != NULL) {
                    dz = fec_add(fec_mul(e->a, dz), fec_mul(e->b, dc));
                    m += steps;
                    n += steps;
                } else {
                    fec const zm = o->zfe[m];
                    fec const t = fec_add((fec){zm.re, zm.im, zm.e + 1}, dz);
                    dz = fec_add(fec_mul(t, dz), dc);
                    m++;
                    n++;
                }
                fec const z = fec_add(o->zfe[m], dz);
                double zr, zi;
                fec_to_d(z, &zr, &zi);
                if (zr * zr + zi * zi >= 4.0) return n;
                if (m == len || fe_lt(fec_norm2(z), fec_norm2(dz))) {
                    dz = z;
                    m = 0;
                }
                if (dz.e > FE_TO_DOUBLE_EXP) {
                    fec_to_d(dz, &dzr, &dzi);
                    fe_mode = false;
                    break;
                }
            }
            if (fe_mode) return max_iter;
        }
    }
}

void perturb_segment(void *user, uint32_t row, uint32_t x, uint32_t n, uint32_t *out)
{
    const perturb_job *const job = user;
    uint32_t const view_row = job->rect_y + row;
    for (uint32_t j = 0; j < n; j++) {
        fec const dc = perturb_offset(job->step, job->view_width, job->view_height,
                                      job->rect_x + x + j, view_row);
        out[j] = perturb_pixel(job, dc);
    }
}
