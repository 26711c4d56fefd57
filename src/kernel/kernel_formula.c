/*
 * kernel/kernel_formula.c - the general escape-time engine: every formula, Julia sets, and
 * the smooth and distance outputs, in plain C, one pixel at a time.
 *
 * Formulas (z_0 = 0 and c = the pixel; for Julia sets z_0 = the pixel and c fixed):
 *   mandelbrot  z <- z^d + c, d = power >= 2 (z^d by repeated multiplication)
 *   burning-ship z <- (|Re z| + i|Im z|)^2 + c
 *   tricorn     z <- conj(z)^2 + c
 * The count is, as everywhere, the first n >= 1 with |z_n| >= 2, else the limit.
 *
 * Invariant: for the Mandelbrot set with power 2 (not Julia) this performs kernel_scalar's
 * operations in kernel_scalar's order, so its counts are kernel_scalar's exactly; the
 * other formulas are specified by this file. Shortcuts: the cardioid/bulb test applies only
 * to that classic case; exact-repeat cycle detection (docs/algorithms.md) applies to all,
 * since every formula is a deterministic map of z.
 *
 * Smooth value: after the escape, iteration goes on (at most 64 more steps) until |z| > R =
 * 2^10; then mu = m + 1 - log(log|z_m|)/log(d), which is continuous across the bands where
 * the count steps by one. For the classic set this is smooth_after_escape(), which the
 * vector kernels share: the specification of their smooth values. Distance estimate
 * (mandelbrot and Julia only): the derivative dz/dc (dz/dz_0 for Julia) is carried along and
 * the distance in plane units is |z| ln|z| / |dz| at the same m.
 *
 * A pixel polls row->poll every KERNEL_POLL_STEPS steps (kernel.h); on a cancel the engine
 * returns at once, its remaining outputs unwritten.
 */
#include <math.h>

#include "kernel/kernel.h"

typedef struct point {
    double x, y;     /* z */
    double dx, dy;   /* dz/dc or dz/dz0 */
} point;

/* One step of the formula, with the derivative when `de`. */
static inline void step(const formula_params *f, point *p, double cr, double ci, bool de)
{
    double const x = p->x, y = p->y;
    switch (f->formula) {
    case FORMULA_MANDELBROT:
        if (f->power == 2) {
            double const x2 = x * x, y2 = y * y, xy = x * y;
            if (de) {
                /* dz' = 2 z dz (+ 1 for the Mandelbrot set) */
                double const dx = 2.0 * (x * p->dx - y * p->dy) + (f->julia ? 0.0 : 1.0);
                double const dy = 2.0 * (x * p->dy + y * p->dx);
                p->dx = dx;
                p->dy = dy;
            }
            p->x = (x2 - y2) + cr;
            p->y = (xy + xy) + ci;
        } else {
            /* z^(d-1) by repeated multiplication, then z^d = z^(d-1) * z. */
            double ax = x, ay = y;
            for (uint32_t k = 2; k < f->power; k++) {
                double const tx = ax * x - ay * y;
                ay = ax * y + ay * x;
                ax = tx;
            }
            if (de) {
                double const d = (double)f->power;
                double const dx = d * (ax * p->dx - ay * p->dy) + (f->julia ? 0.0 : 1.0);
                double const dy = d * (ax * p->dy + ay * p->dx);
                p->dx = dx;
                p->dy = dy;
            }
            p->x = (ax * x - ay * y) + cr;
            p->y = (ax * y + ay * x) + ci;
        }
        break;
    case FORMULA_BURNING_SHIP: {
        double const x2 = x * x, y2 = y * y, xy = x * y;
        p->x = (x2 - y2) + cr;
        p->y = fabs(xy + xy) + ci;
        break;
    }
    case FORMULA_TRICORN: {
        double const x2 = x * x, y2 = y * y, xy = x * y;
        p->x = (x2 - y2) + cr;
        p->y = -(xy + xy) + ci;
        break;
    }
    }
}

float smooth_value(uint32_t m, double log_r, double d)
{
    return (float)((double)m + 1.0 - log(log_r) / log(d));
}

/* The classic case's continuation (kernel.h): step() of the power-2 Mandelbrot set without
 * the derivative, the same operations in the same order, so the distance path above, which
 * carries the derivative along, reaches the same z_m and the same value. */
float smooth_after_escape(double x, double y, double cr, double ci, uint32_t n)
{
    uint32_t m = n;
    for (int k = 0; k < SMOOTH_EXTRA && x * x + y * y <= SMOOTH_RADIUS2; k++, m++) {
        double const x2 = x * x, y2 = y * y, xy = x * y;
        x = (x2 - y2) + cr;
        y = (xy + xy) + ci;
    }
    double const r2 = x * x + y * y;
    return smooth_value(m, 0.5 * log(r2), 2.0);
}

float smooth_after_escape_formula(const formula_params *f, double x, double y, double cr,
                                  double ci, uint32_t n)
{
    point p = {x, y, 0.0, 0.0};
    uint32_t m = n;
    for (int k = 0; k < SMOOTH_EXTRA && p.x * p.x + p.y * p.y <= SMOOTH_RADIUS2; k++, m++)
        step(f, &p, cr, ci, false);
    double const r2 = p.x * p.x + p.y * p.y;
    double const d = f->formula == FORMULA_MANDELBROT ? (double)f->power : 2.0;
    return smooth_value(m, 0.5 * log(r2), d);
}

/* Iterates one pixel; fills what `out` asks for at index j. Steps in runs of
 * KERNEL_POLL_STEPS, polling `poll` between two (the same steps in the same order); returns
 * false, writing nothing, when the render is cancelled. */
static bool pixel(const formula_params *f, double px, double py, uint32_t max_iter,
                  bool shortcuts, formula_out out, uint32_t j, struct sched_worker *poll)
{
    double const cr = f->julia ? f->julia_re : px, ci = f->julia ? f->julia_im : py;
    bool const de = out.distance != NULL;
    point p = {f->julia ? px : 0.0, f->julia ? py : 0.0, f->julia ? 1.0 : 0.0, 0.0};
    uint32_t count = max_iter;
    bool escaped = false;
    bool const classic = f->formula == FORMULA_MANDELBROT && f->power == 2 && !f->julia;
    if (!(shortcuts && classic && interior_known(px, py))) {
        double saved_x = p.x, saved_y = p.y;
        uint32_t save_at = 8;
        uint32_t n = 0;
        bool done = false;
        while (!done) {
            uint32_t const run_end =
                max_iter - n > KERNEL_POLL_STEPS ? n + KERNEL_POLL_STEPS : max_iter;
            while (n < run_end) {
                n++;
                step(f, &p, cr, ci, de);
                if (p.x * p.x + p.y * p.y >= 4.0) {
                    count = n;
                    escaped = done = true;
                    break;
                }
                if (shortcuts) {
                    if (p.x == saved_x && p.y == saved_y) {
                        done = true;
                        break;
                    }
                    if (n == save_at) {
                        saved_x = p.x;
                        saved_y = p.y;
                        save_at = save_at > UINT32_MAX / 2 ? UINT32_MAX : save_at * 2;
                    }
                }
            }
            /* Escaped, repeated or at the limit: the count is known. */
            if (n == max_iter) done = true;
            if (!done && sched_poll(poll)) return false;
        }
    }
    if (out.counts) out.counts[j] = count;
    if (out.smooth == NULL && out.distance == NULL) return true;
    if (!escaped) {
        if (out.smooth) out.smooth[j] = (float)max_iter;
        if (out.distance) out.distance[j] = 0.0f;
        return true;
    }
    /* The classic smooth value is the vector kernels' too: one function computes it. */
    if (classic && !de) {
        out.smooth[j] = smooth_after_escape(p.x, p.y, cr, ci, count);
        return true;
    }
    /* Beyond the escape: on to a large radius, where the smooth value and the distance
     * estimate are accurate. */
    uint32_t m = count;
    for (int k = 0; k < SMOOTH_EXTRA && p.x * p.x + p.y * p.y <= SMOOTH_RADIUS2; k++, m++)
        step(f, &p, cr, ci, de);
    double const r2 = p.x * p.x + p.y * p.y;
    double const log_r = 0.5 * log(r2);
    if (out.smooth) {
        double const d = f->formula == FORMULA_MANDELBROT ? (double)f->power : 2.0;
        out.smooth[j] = smooth_value(m, log_r, d);
    }
    if (out.distance) {
        double const dz = sqrt(p.dx * p.dx + p.dy * p.dy);
        double const dist = dz > 0 ? sqrt(r2) * log_r / dz : INFINITY;
        out.distance[j] = (float)dist;
    }
    return true;
}

void kernel_formula(const kernel_row *row, const formula_params *f, formula_out out)
{
    for (uint32_t j = 0; j < row->n; j++)
        if (!pixel(f, row->re[j], row->im, row->max_iter, row->shortcuts, out, j, row->poll))
            return; /* cancelled: the rest is nobody's */
}

void kernel_row_formula(const kernel_row *row, const kernel_variant *v, uint32_t *counts)
{
    static const formula_kind kinds[] = {
        [KERNEL_CLASSIC] = FORMULA_MANDELBROT,
        [KERNEL_BURNING_SHIP] = FORMULA_BURNING_SHIP,
        [KERNEL_TRICORN] = FORMULA_TRICORN,
    };
    formula_params const f = {
        .formula = kinds[v->variant],
        .power = 2,
        .julia = v->julia,
        .julia_re = v->julia_re,
        .julia_im = v->julia_im,
    };
    kernel_formula(row, &f, (formula_out){counts, row->smooth, NULL});
}

/* The scalar ISA's variant entry: the classic set is kernel_scalar's (the specification of
 * its counts), every other variant kernel_formula's. */
void kernel_scalar_var(const kernel_row *row, const kernel_variant *v, uint32_t *counts)
{
    if (kernel_variant_classic(v))
        kernel_scalar(row, counts);
    else
        kernel_row_formula(row, v, counts);
}
