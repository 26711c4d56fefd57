/*
 * kernel/kernel_scalar.c - the specification: plain C, one pixel at a time.
 *
 * z_0 = 0, z_{n+1} = z_n^2 + c evaluated exactly as the tutorial does in Python:
 * re' = (x*x - y*y) + cr, im' = (x*y + y*x) + ci, escape when x*x + y*y >= 4. The build
 * uses -ffp-contract=off so no multiply-add is fused; that is what keeps every count of the
 * tutorial's 400x400 picture identical.
 *
 * With shortcuts on, a pixel is also declared interior (count = max_iter) when it is
 * inside the cardioid or the period-2 bulb, or when its orbit repeats a value exactly:
 * a double-precision orbit that returns to a previous z is periodic and never escapes, so
 * this cannot change any count (docs/algorithms.md, "Cycle detection").
 *
 * Smooth values (row->smooth): at the escape, smooth_after_escape() of the z that passed
 * the test; (float)max_iter for a pixel that did not escape (an escape at n = max_iter is
 * an escape). That is kernel_formula's value for the classic set, the specification of
 * smooth values.
 *
 * A pixel polls row->poll every KERNEL_POLL_STEPS steps (kernel.h); on a cancel the kernel
 * returns at once, its remaining counts unwritten.
 */
#include "kernel/kernel.h"

/* The escape functions return the first n whose z_n passes the test, with z_n in z[0], z[1];
 * or 0 if there is none up to max_iter (or the orbit repeats), z untouched; or 0 with *stop
 * set when the render is cancelled. They step in runs of KERNEL_POLL_STEPS and poll `w`
 * between two runs: the same steps in the same order. */
static uint32_t escape_plain(double cr, double ci, uint32_t max_iter, double z[2],
                             struct sched_worker *w, bool *stop)
{
    double x = 0.0, y = 0.0;
    uint32_t n = 0;
    for (;;) {
        uint32_t const run_end =
            max_iter - n > KERNEL_POLL_STEPS ? n + KERNEL_POLL_STEPS : max_iter;
        while (n < run_end) {
            n++;
            double const x2 = x * x, y2 = y * y, xy = x * y;
            x = (x2 - y2) + cr;
            y = (xy + xy) + ci;
            if (x * x + y * y >= 4.0) {
                z[0] = x;
                z[1] = y;
                return n;
            }
        }
        if (n == max_iter) return 0;
        if (sched_poll(w)) {
            *stop = true;
            return 0;
        }
    }
}

static uint32_t escape_cycles(double cr, double ci, uint32_t max_iter, double z[2],
                              struct sched_worker *w, bool *stop)
{
    double x = 0.0, y = 0.0;
    double saved_x = 0.0, saved_y = 0.0;
    uint32_t save_at = 8;
    uint32_t n = 0;
    for (;;) {
        uint32_t const run_end =
            max_iter - n > KERNEL_POLL_STEPS ? n + KERNEL_POLL_STEPS : max_iter;
        while (n < run_end) {
            n++;
            double const x2 = x * x, y2 = y * y, xy = x * y;
            x = (x2 - y2) + cr;
            y = (xy + xy) + ci;
            if (x * x + y * y >= 4.0) {
                z[0] = x;
                z[1] = y;
                return n;
            }
            if (x == saved_x && y == saved_y) return 0;
            if (n == save_at) {
                saved_x = x;
                saved_y = y;
                save_at = save_at > UINT32_MAX / 2 ? UINT32_MAX : save_at * 2;
            }
        }
        if (n == max_iter) return 0;
        if (sched_poll(w)) {
            *stop = true;
            return 0;
        }
    }
}

void kernel_scalar(const kernel_row *row, uint32_t *counts)
{
    for (uint32_t j = 0; j < row->n; j++) {
        double const cr = row->re[j], ci = row->im;
        double z[2];
        uint32_t n = 0;
        bool stop = false;
        if (!row->shortcuts)
            n = escape_plain(cr, ci, row->max_iter, z, row->poll, &stop);
        else if (!interior_known(cr, ci))
            n = escape_cycles(cr, ci, row->max_iter, z, row->poll, &stop);
        if (stop) return; /* cancelled: the rest is nobody's */
        counts[j] = n != 0 ? n : row->max_iter;
        if (row->smooth != NULL)
            row->smooth[j] = n != 0 ? smooth_after_escape(z[0], z[1], cr, ci, n)
                                    : (float)row->max_iter;
    }
}
