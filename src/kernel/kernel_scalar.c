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
 */
#include "kernel/kernel.h"

static uint32_t escape_plain(double cr, double ci, uint32_t max_iter)
{
    double x = 0.0, y = 0.0;
    for (uint32_t n = 1; n <= max_iter; n++) {
        double const x2 = x * x, y2 = y * y, xy = x * y;
        x = (x2 - y2) + cr;
        y = (xy + xy) + ci;
        if (x * x + y * y >= 4.0) return n;
        if (n == max_iter) break;
    }
    return max_iter;
}

static uint32_t escape_cycles(double cr, double ci, uint32_t max_iter)
{
    double x = 0.0, y = 0.0;
    double saved_x = 0.0, saved_y = 0.0;
    uint32_t save_at = 8;
    for (uint32_t n = 1; n <= max_iter; n++) {
        double const x2 = x * x, y2 = y * y, xy = x * y;
        x = (x2 - y2) + cr;
        y = (xy + xy) + ci;
        if (x * x + y * y >= 4.0) return n;
        if (x == saved_x && y == saved_y) return max_iter;
        if (n == save_at) {
            saved_x = x;
            saved_y = y;
            save_at = save_at > UINT32_MAX / 2 ? UINT32_MAX : save_at * 2;
        }
        if (n == max_iter) break;
    }
    return max_iter;
}

void kernel_scalar(const kernel_row *row, uint32_t *counts)
{
    for (uint32_t j = 0; j < row->n; j++) {
        double const cr = row->re[j], ci = row->im;
        if (!row->shortcuts)
            counts[j] = escape_plain(cr, ci, row->max_iter);
        else if (interior_known(cr, ci))
            counts[j] = row->max_iter;
        else
            counts[j] = escape_cycles(cr, ci, row->max_iter);
    }
}
