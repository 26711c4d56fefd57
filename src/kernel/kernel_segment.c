/*
 * kernel/kernel_segment.c - the double-precision engines' row set-up: a segment of a row of
 * the rect, handed over by the thread pool (sched.c), becomes one call of a vector kernel
 * (the classic set, or a variant: Julia, burning ship, tricorn) or of the general engine,
 * kernel_formula.
 *
 * Invariant: a segment's results depend only on the view's coordinates of its pixels, never
 * on where the segment starts or which thread runs it.
 */
#include "kernel/kernel.h"

void kernel_segment(void *user, struct sched_worker *w, uint32_t row, uint32_t x, uint32_t n,
                    uint32_t *out)
{
    const kernel_job *const job = user;
    size_t const at = (size_t)row * job->stride + x;
    float *const smooth = job->smooth != NULL ? job->smooth + at : NULL;
    float *const distance = job->distance != NULL ? job->distance + at : NULL;
    kernel_row const kr = {
        .re = job->re + x,
        .im = job->im[row],
        .n = n,
        .max_iter = job->max_iter,
        .shortcuts = job->shortcuts,
        .smooth = smooth,
        /* A pixel may take minutes: the kernels poll (a cancelled segment is unfinished) */
        .poll = w,
    };
    if (job->kernel == NULL) {
        /* The general engine (api.c, needs_general()); it writes its outputs itself. */
        kernel_formula(&kr, job->formula, (formula_out){out, smooth, distance});
        /* Distances in pixels, as every engine gives them (mandel_fields). */
        if (distance != NULL)
            for (uint32_t j = 0; j < n; j++)
                distance[j] = (float)(distance[j] * job->pixels_per_unit);
    } else {
        /* The vector kernel: the classic set (formula NULL), counts and smooth values if
         * asked, or a quadratic formula / Julia set given by job->formula (no distances
         * here). */
        static const uint8_t variants[] = {
            [FORMULA_MANDELBROT] = KERNEL_CLASSIC,
            [FORMULA_BURNING_SHIP] = KERNEL_BURNING_SHIP,
            [FORMULA_TRICORN] = KERNEL_TRICORN,
        };
        const formula_params *const f = job->formula;
        if (f == NULL) {
            job->kernel(&kr, out);
        } else {
            kernel_variant const v = {
                .variant = variants[f->formula],
                .julia = f->julia,
                .julia_re = f->julia_re,
                .julia_im = f->julia_im,
            };
            kernel_var_of(job->kernel)(&kr, &v, out);
        }
    }
}
