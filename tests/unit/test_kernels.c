/*
 * tests/unit/test_kernels.c - every vector kernel against kernel_scalar, pixel for pixel,
 * and every kernel's smooth values (kernel_scalar's too) against kernel_formula's.
 *
 * usage: test_kernels [isa...]   (default: every built kernel this CPU runs)
 * Exits 77 (skipped) when a kernel named on the command line is not built or the CPU lacks
 * it. The scalar kernel is tested in every run as well (for its smooth values). The count
 * reference is kernel_scalar with shortcuts off: the invariant is that no kernel, with or
 * without shortcuts, ever changes a count. The smooth reference is kernel_formula's value
 * for the classic set, compared as bytes (the same float, bit for bit). Zero differences
 * are allowed. The variants (Julia sets, burning ship, tricorn: kernel_var_fn) are held to
 * kernel_formula's counts and smooth values, the same way.
 */
#include "../check.h"

#include "kernel/kernel.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct grid {
    uint32_t width, height;
    double re[2048];
    double im[2048];
} grid;

/* The same doubles view.c computes for --bounds and for a centre and radius. */
static void grid_bounds(grid *g, uint32_t w, uint32_t h, double xmin, double xmax,
                        double ymin, double ymax)
{
    double const dx = (xmax - xmin) / w, dy = (ymax - ymin) / h;
    g->width = w;
    g->height = h;
    for (uint32_t i = 0; i < w; i++) g->re[i] = xmin + i * dx;
    for (uint32_t k = 0; k < h; k++) g->im[k] = ymax - k * dy;
}

static void grid_center(grid *g, uint32_t w, uint32_t h, double cre, double cim, double r)
{
    double const step = 2.0 * r / h;
    g->width = w;
    g->height = h;
    for (uint32_t i = 0; i < w; i++) g->re[i] = cre + ((double)i - (w - 1) / 2.0) * step;
    for (uint32_t k = 0; k < h; k++) g->im[k] = cim - ((double)k - (h - 1) / 2.0) * step;
}

static uint32_t want[2048], got[2048 + 1]; /* got: and the guard */
static float want_smooth[2048], got_smooth[2048 + 1];
static long differences;

static const formula_params classic = {FORMULA_MANDELBROT, 2, false, 0, 0};

/* Runs fn on `row` with smooth values asked for, and compares its counts with `want` and its
 * smooth values with `want_smooth`, byte for byte. */
static void compare_smooth(kernel_fn *fn, const char *what, kernel_row row)
{
    uint32_t const n = row.n;
    row.smooth = got_smooth;
    for (uint32_t j = 0; j <= n; j++) {
        got[j] = 0xdeadbeefu;
        got_smooth[j] = -12345.0f;
    }
    fn(&row, got);
    CHECK_EQ_U32(0xdeadbeefu, got[n]);
    CHECK_TRUE(got_smooth[n] == -12345.0f);
    for (uint32_t j = 0; j < n; j++) {
        if (got[j] == want[j] && memcmp(&got_smooth[j], &want_smooth[j], sizeof(float)) == 0)
            continue;
        if (differences++ < 10)
            fprintf(stderr, "%s (smooth): c = %.17g%+.17gi, max_iter %u, shortcuts %d: "
                    "expected %u %.9g, got %u %.9g\n", what, row.re[j], row.im, row.max_iter,
                    row.shortcuts, want[j], (double)want_smooth[j], got[j],
                    (double)got_smooth[j]);
    }
}

/* One row segment, shortcuts off and on, against the plain scalar reference (or, when
 * `reference_shortcuts`, the scalar kernel with shortcuts: for limits too large to iterate
 * interior points plainly). */
static void compare_row(kernel_fn *fn, const char *what, const double *re, uint32_t n,
                        double im, uint32_t max_iter, bool reference_shortcuts)
{
    kernel_row row = {.re = re, .im = im, .n = n, .max_iter = max_iter,
                      .shortcuts = reference_shortcuts};
    kernel_scalar(&row, want);
    kernel_formula(&row, &classic, (formula_out){NULL, want_smooth, NULL});
    for (int sc = reference_shortcuts ? 1 : 0; sc <= 1; sc++) {
        row.shortcuts = sc;
        compare_smooth(fn, what, row);
        /* A guard after the row catches a write past its end. */
        for (uint32_t j = 0; j <= n; j++) got[j] = 0xdeadbeefu;
        fn(&row, got);
        CHECK_EQ_U32(0xdeadbeefu, got[n]);
        for (uint32_t j = 0; j < n; j++) {
            if (got[j] == want[j]) continue;
            if (differences++ < 10)
                fprintf(stderr, "%s: c = %.17g%+.17gi, max_iter %u, shortcuts %d: "
                        "expected %u, got %u\n", what, re[j], im, max_iter, sc, want[j],
                        got[j]);
        }
    }
}

static void compare_grid(kernel_fn *fn, const char *what, const grid *g, uint32_t max_iter)
{
    for (uint32_t k = 0; k < g->height; k++)
        compare_row(fn, what, g->re, g->width, g->im[k], max_iter, false);
}

static uint64_t rng_state = 0x9e3779b97f4a7c15u;
static double uniform(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (double)(rng_state >> 11) * 0x1p-53;
}

/* The cr where interior_known(cr, ci) turns from `from` to its opposite between lo and hi
 * (bisection on the doubles): the edge of the cardioid or bulb test, margin included. */
static double interior_edge(double lo, double hi, double ci)
{
    bool const from = interior_known(lo, ci);
    for (int k = 0; k < 200 && lo != hi; k++) {
        double const mid = lo + (hi - lo) / 2;
        if (mid == lo || mid == hi) break;
        if (interior_known(mid, ci) == from)
            lo = mid;
        else
            hi = mid;
    }
    return hi;
}

/* Short limits (the AVX-512 kernel's block machine takes max_iter <= 256): rows that mix
 * interior points, points on either side of the interior test's edges, escapes at n = 1 and
 * 2, NaN and inf, at every length 1..70 and around the limit of that machine. */
static void test_short_limits(kernel_fn *fn)
{
    static const uint32_t limits[] = {1, 2, 3, 5, 8, 31, 50, 51, 64, 65, 255, 256, 257};
    enum { NL = sizeof limits / sizeof limits[0] };
    double row[140];
    double const ci = 0.3;
    /* Edges of the test on this row (im 0.3, above the bulb): the cardioid's two sides. */
    double const edges[] = {interior_edge(-0.4, -0.9, ci), interior_edge(-0.4, 0.6, ci)};
    unsigned k = 0;
    for (unsigned e = 0; e < 2; e++) {
        double c = edges[e];
        for (int d = 0; d < 8; d++) c = nextafter(c, -1e9);
        for (int d = 0; d < 16; d++, c = nextafter(c, 1e9)) row[k++] = c;
    }
    for (unsigned j = k; j < 140; j++) {
        static const double pick[] = {0.0, -1.0, 3.0, -2.5, 0.26, -0.75, 0.3, -1.9, 1.0, 0.5};
        row[j] = j % 4 == 0 ? pick[(j / 4) % 10] : -2.2 + 3.0 * uniform();
    }
    for (unsigned l = 0; l < NL; l++) {
        for (uint32_t n = 1; n <= 70; n++) {
            compare_row(fn, "short limit", row, n, ci, limits[l], false);
            compare_row(fn, "short limit", row + 70, n, 0.0, limits[l], false);
        }
        compare_row(fn, "short limit", row, 140, ci, limits[l], false);
        compare_row(fn, "short limit", row, 140, 1.5, limits[l], false); /* |c| > 2: n = 1 */
    }
    /* The bulb's edge (its left side, im 0.1), on a row of its own. */
    double const bulb_ci = 0.1;
    double bulb[48];
    double c = interior_edge(-1.0, -1.5, bulb_ci);
    for (int d = 0; d < 24; d++) c = nextafter(c, -1e9);
    for (unsigned j = 0; j < 48; j++, c = nextafter(c, 1e9)) bulb[j] = c;
    for (unsigned l = 0; l < NL; l++) compare_row(fn, "bulb edge", bulb, 48, bulb_ci, limits[l], false);
    /* Rows entirely inside (every block settled without a step), and NaN and inf. */
    double inside[70];
    for (unsigned j = 0; j < 70; j++) inside[j] = -0.5 + 0.004 * j;
    for (uint32_t n = 1; n <= 70; n++) compare_row(fn, "inside", inside, n, 0.0, 51, false);
    double const odd[] = {__builtin_nan(""), 0.0, -__builtin_inf(), 0.5, __builtin_inf(), -0.1,
                          -2.0, 2.0, -1e300, 1e300, 0.25, -0.75, -1.25, -1.0};
    for (unsigned l = 0; l < NL; l++) {
        compare_row(fn, "odd short", odd, sizeof odd / sizeof odd[0], 0.0, limits[l], false);
        compare_row(fn, "odd short", odd, sizeof odd / sizeof odd[0], 1e-300, limits[l], false);
    }
    /* The tutorial, the whole set, and rows of the Computer Language Benchmarks Game view
     * (16000 x 16000 of [-1.5, 0.5] x [-1, 1], limit 51 as the PBM writer renders 50). */
    static grid g;
    grid_bounds(&g, 400, 100, -2.5, 1, -1, 1);
    compare_grid(fn, "tutorial short", &g, 50);
    grid_center(&g, 480, 60, -0.75, 0, 1.25);
    compare_grid(fn, "whole set short", &g, 64);
    double const dx = 2.0 / 16000, dy = 2.0 / 16000;
    double seg[2048];
    for (uint32_t r = 0; r < 16000; r += 997) {
        for (uint32_t s0 = 0; s0 < 16000; s0 += 2048 * 3) {
            uint32_t const n = 16000 - s0 < 2048 ? 16000 - s0 : 2048;
            for (uint32_t i = 0; i < n; i++) seg[i] = -1.5 + (s0 + i) * dx;
            compare_row(fn, "benchmarks game", seg, n, 1.0 - r * dy, 51, false);
        }
    }
}

/* Smooth values at every limit 1..70, 255..257 and 1000, on rows of every length 1..70 that
 * mix interior points, the cardioid test's edges, escapes at n = 1 (some with |z|^2 beyond
 * the vector logarithm's range) and late escapes; and -0.0, whose z_1 kernel_scalar
 * computes as +0.0. */
static void test_smooth_limits(kernel_fn *fn)
{
    double row[70];
    double const ci = 0.3;
    double c = interior_edge(-0.4, 0.6, ci);
    for (int d = 0; d < 6; d++) c = nextafter(c, -1e9);
    for (unsigned j = 0; j < 12; j++, c = nextafter(c, 1e9)) row[j] = c;
    for (unsigned j = 12; j < 70; j++) {
        /* 1e300, 1e151, -3e150: |z|^2 is inf or above 1e300, where the vector logarithm
         * leaves the value to smooth_after_escape(); 9.9e149 is just inside its range. */
        static const double pick[] = {0.0,  -1.0, 3.0,  -2.5,   0.26,    -0.75,
                                      -0.0, -1.9, 1e300, 1e151, -3e150, 9.9e149};
        row[j] = j % 5 == 0 ? pick[(j / 5) % 12] : -2.2 + 3.0 * uniform();
    }
    uint32_t limits[70 + 4];
    unsigned nl = 0;
    for (uint32_t l = 1; l <= 70; l++) limits[nl++] = l;
    limits[nl++] = 255;
    limits[nl++] = 256;
    limits[nl++] = 257;
    limits[nl++] = 1000;
    for (unsigned l = 0; l < nl; l++) {
        for (uint32_t n = 1; n <= 70; n++) {
            compare_row(fn, "smooth limit", row, n, ci, limits[l], false);
            compare_row(fn, "smooth limit", row + 70 - n, n, -0.0, limits[l], false);
        }
    }
}

/* The AVX-512 kernel's batched escape test (limits above 256): it tests |z|^2 >= 4 only at the
 * end of a batch of steps and steps back from z saved at the batch's start to find the exact
 * count. Stressed here: escapes at every offset inside a batch (counts 1..160, each found by
 * bisection on kernel_scalar's count, so every count occurs), at many lane ages; c near -2
 * and |c| within 1e-9 of 2 (where a pass can be followed by |z|^2 < 4 again: those rows must
 * test every step); orbits that overflow to inf and NaN within a batch; NaN and inf inputs;
 * limits around the batch lengths and the cycle checks. Every row also runs with shortcuts
 * and with smooth values (compare_row). */
static uint32_t scalar_count(double cr, double ci, uint32_t max_iter)
{
    uint32_t n;
    kernel_row const row = {.re = &cr, .im = ci, .n = 1, .max_iter = max_iter};
    kernel_scalar(&row, &n);
    return n;
}

static void test_batch(kernel_fn *fn)
{
    /* Counts 1..160 on the real axis right of the cardioid (im 1e-3) and on a ray above
     * the set: for each n, the c where the count drops from n + 1 to n, and its neighbours. */
    double row[2048];
    unsigned k = 0;
    static const double ims[] = {1e-3, 0.7};
    for (unsigned r = 0; r < 2; r++) {
        double const ci = ims[r];
        for (uint32_t n = 1; n <= 160 && k + 3 <= 2048; n++) {
            /* scalar_count is non-increasing along cr from 0.26 (or 0 above the set) to 2
             * near enough; bisect for the last cr whose count is > n. */
            double lo = r == 0 ? 0.2501 : -0.1, hi = 2.0;
            if (scalar_count(lo, ci, 200) <= n) continue;
            for (int it = 0; it < 200; it++) {
                double const mid = lo + (hi - lo) / 2;
                if (mid == lo || mid == hi) break;
                if (scalar_count(mid, ci, 200) > n) lo = mid; else hi = mid;
            }
            row[k++] = lo;
            row[k++] = hi;
            row[k++] = nextafter(hi, 3.0);
        }
        /* Shuffle (fixed seed), so that lanes of every age meet escapes at every offset. */
        for (unsigned j = k - 1; j > 0; j--) {
            unsigned const i = (unsigned)(uniform() * (j + 1));
            double const tmp = row[i];
            row[i] = row[j];
            row[j] = tmp;
        }
        static const uint32_t limits[] = {257, 258, 263, 268, 269, 280, 300, 1000, 5000};
        for (unsigned l = 0; l < sizeof limits / sizeof limits[0]; l++)
            compare_row(fn, "batch offsets", row, k, ci, limits[l], false);
        for (uint32_t n = 1; n <= 70; n += 3)
            compare_row(fn, "batch offsets", row, n, ci, 1000, false);
        k = 0;
    }
    /* Limits 1..20 (the block machine on AVX-512) on a row of quick escapes. */
    for (unsigned j = 0; j < 200; j++) row[j] = -2.2 + 3.0 * uniform();
    for (uint32_t limit = 1; limit <= 20; limit++)
        compare_row(fn, "batch small limit", row, 200, 0.4, limit, false);
    /* c near -2: -2 + m ulp, -2 + 10^-e, and -2 - ulp (|c| > 2: n = 1), on rows with
     * im 0, +-1e-300 and 1e-12; and neighbours well inside, which take batches on other rows. */
    k = 0;
    for (int m = 0; m <= 40; m++) row[k++] = -2.0 + m * 0x1p-51;
    for (int e = 8; e <= 16; e++) row[k++] = -2.0 + pow(10.0, -e);
    row[k++] = nextafter(-2.0, -3.0);
    row[k++] = -1.9;
    row[k++] = -0.75;
    row[k++] = 0.3;
    static const double near_axis[] = {0.0, 1e-300, -1e-300, 1e-12, -0.0};
    for (unsigned i = 0; i < sizeof near_axis / sizeof near_axis[0]; i++) {
        compare_row(fn, "batch c = -2", row, k, near_axis[i], 300, false);
        compare_row(fn, "batch c = -2", row, k, near_axis[i], 5000, false);
    }
    /* |c| within 1e-9 of 2, all around the circle: c = 2 (1 + d) e^{i theta}. Each row has
     * one theta (im = c's), and cr for d in +-1e-9, +-1e-10, +-1e-12, +-1e-15, 0, with the
     * doubles next to them, and a point well inside the circle. */
    for (int a = 0; a < 48; a++) {
        double const th = 3.14159265358979 * (a + 0.5) / 48;
        static const double ds[] = {1e-9, -1e-9, 2e-9, -2e-9, 1e-10, -1e-10, 1e-12, -1e-12,
                                    1e-15, -1e-15, 0.0};
        double const ci = 2.0 * sin(th);
        k = 0;
        for (unsigned i = 0; i < sizeof ds / sizeof ds[0]; i++) {
            double const cr = 2.0 * (1.0 + ds[i]) * cos(th);
            row[k++] = cr;
            row[k++] = nextafter(cr, -3.0);
            row[k++] = nextafter(cr, 3.0);
        }
        row[k++] = 0.5 * cos(th);
        compare_row(fn, "batch |c| = 2", row, k, ci, 300, false);
        compare_row(fn, "batch |c| = 2", row, k, ci, 2000, false);
    }
    /* Orbits that pass the test and overflow to inf, then NaN, within a batch (c in
     * [0.5, 1.99] escapes in a few steps and squares on), mixed with long-lived points, NaN,
     * inf and huge inputs (n = 1). */
    k = 0;
    for (unsigned j = 0; j < 300; j++) {
        static const double pick[] = {-0.1, 0.26, -1.25, __builtin_nan(""), __builtin_inf(),
                                      1e300, -1e155, 1e154};
        row[k++] = j % 5 == 4 ? pick[(j / 5) % 8] : 0.5 + 1.49 * uniform();
    }
    for (uint32_t limit = 257; limit <= 290; limit++)
        compare_row(fn, "batch overflow", row, k, 0.05 * (limit % 7), limit, false);
    compare_row(fn, "batch overflow", row, k, 1e-300, 3000, false);
    compare_row(fn, "batch overflow", row, k, __builtin_nan(""), 300, false);
    compare_row(fn, "batch overflow", row, k, 1e200, 300, false);
}

/* Cycle detection (shortcuts on): rows mixing points of components the cardioid/bulb test
 * does not settle (periods 1 (within INTERIOR_MARGIN of the cardioid), 3, 4, 8 on the real
 * axis, and the period-3 bulb at -0.1226 + 0.7449i), late escapes next to them and quick
 * escapes, in many row lengths, so that lanes whose saved z belongs to the pixel before
 * (refilled lanes) and lanes moved to the narrower stage at a row's end (with their saved z)
 * meet repeats; limits around the checks (every 144 steps on AVX-512, 8 elsewhere). */
static void test_cycles(kernel_fn *fn)
{
    static const double axis_in[][2] = {
        {-1.7549, 0.0015}, {-1.3107, 0.02}, {-1.3815, 0.001}, {0.2499999, 1e-8},
        {-1.94080, 0.00002}};
    static const double axis_out[] = {-1.4012, -1.401155, -1.7685, -1.7434, -1.2499, -1.3688,
                                      0.2500001, 0.26};
    double row[600];
    for (int pass = 0; pass < 2; pass++) {
        double const ci = pass == 0 ? 0.0 : 1e-9;
        for (unsigned j = 0; j < 600; j++) {
            double const u = uniform();
            if (u < 0.45) {
                const double *const a = axis_in[(unsigned)(uniform() * 5) % 5];
                row[j] = a[0] + a[1] * (2 * uniform() - 1);
            } else if (u < 0.7) {
                row[j] = axis_out[(unsigned)(uniform() * 8) % 8] * (1 + 1e-6 * (2 * uniform() - 1));
            } else {
                row[j] = 0.3 + 1.6 * uniform();
            }
        }
        static const uint32_t limits[] = {257, 287, 288, 289, 431, 432, 433, 1000, 3000, 20000};
        for (unsigned l = 0; l < sizeof limits / sizeof limits[0]; l++)
            compare_row(fn, "cycles", row, 600, ci, limits[l], false);
        for (uint32_t n = 1; n <= 100; n += 3) {
            compare_row(fn, "cycles", row + n, n, ci, 1000, false);
            compare_row(fn, "cycles", row + 2 * n, n, ci, 5000, false);
        }
    }
    /* The period-3 bulb off the axis, and its edge. */
    for (unsigned j = 0; j < 300; j++)
        row[j] = -0.1226 + 0.02 * (2 * uniform() - 1) + (j % 3 == 0 ? 0.5 * uniform() : 0.0);
    for (uint32_t limit = 430; limit <= 436; limit += 3)
        compare_row(fn, "cycles bulb", row, 300, 0.7449, limit, false);
    compare_row(fn, "cycles bulb", row, 300, 0.7449, 10000, false);
    for (uint32_t n = 1; n <= 60; n += 7) compare_row(fn, "cycles bulb", row, n, 0.7449, 2000, false);
}

static void test_kernel(mandel_isa isa)
{
    kernel_fn *const fn = kernel_select(isa, &(mandel_isa){0});
    CHECK_TRUE(fn != NULL);
    if (fn == NULL) return;
    static grid g;

    grid_bounds(&g, 400, 400, -2.5, 1, -1, 1); /* the tutorial */
    compare_grid(fn, "tutorial", &g, 1000);

    grid_center(&g, 480, 270, -0.75, 0, 1.25); /* the whole set */
    compare_grid(fn, "whole set", &g, 1000);

    grid_center(&g, 64, 48, -0.743643887037151, 0.131825904205330, 1e-10); /* pixel ~4e-12 */
    compare_grid(fn, "deep zoom", &g, 20000);

    grid_center(&g, 24, 16, -0.7436447860, 0.1318252536, 3e-5); /* seahorse boundary */
    compare_grid(fn, "large limit", &g, 100000);

    grid_center(&g, 17, 9, -0.1011, 0.9563, 1e-3); /* near a Misiurewicz point */
    compare_grid(fn, "misiurewicz", &g, 100000);

    /* Random views: random centre near the set, radius 1 .. 1e-11, odd sizes, limits. */
    for (int v = 0; v < 100; v++) {
        double const cre = -2.1 + 2.7 * uniform(), cim = -1.2 + 2.4 * uniform();
        double r = 1.0;
        for (int d = (int)(uniform() * 11); d > 0; d--) r /= 10;
        uint32_t const w = 1 + (uint32_t)(uniform() * 70), h = 1 + (uint32_t)(uniform() * 12);
        uint32_t const limit = 1 + (uint32_t)(uniform() * 3000);
        grid_center(&g, w, h, cre, cim, r);
        compare_grid(fn, "random view", &g, limit);
    }

    /* Tails: every short length, on a boundary row where neighbours differ a lot. */
    grid_center(&g, 80, 1, -0.75, 0.1, 0.05);
    for (uint32_t n = 1; n <= 80; n++) compare_row(fn, "tail", g.re, n, g.im[0], 500, false);
    for (uint32_t off = 1; off < 8; off++)
        compare_row(fn, "offset", g.re + off, 33, g.im[0], 500, false);

    /* The smallest limits, where a lane is finished as soon as it starts. */
    grid_center(&g, 61, 7, -0.75, 0, 1.5);
    for (uint32_t limit = 1; limit <= 4; limit++) compare_grid(fn, "small limit", &g, limit);

    /* The row of c = -2 (the tip, whose orbit sits on |z| = 2) and points outside |c| = 2. */
    grid_bounds(&g, 99, 3, -2.5, 2.5, -1e-9, 1e-9);
    compare_grid(fn, "real axis", &g, 5000);
    double const tip[] = {-2.0, -2.0 + 0x1p-52, -2.0 - 0x1p-51, 2.0, -1.9999999999, 1e300,
                          -1e300, 0.25, 0.25 + 1e-12, 0.0, -0.75, -1.25};
    compare_row(fn, "special", tip, sizeof tip / sizeof tip[0], 0.0, 3000, false);
    compare_row(fn, "special", tip, sizeof tip / sizeof tip[0], 1e-300, 3000, false);
    compare_row(fn, "special", tip, sizeof tip / sizeof tip[0], 1e300, 3000, false);

    /* Limits around the register kernel's log length (64 steps) and freeze batch, on a row
     * mixing points that never escape with points that escape late and then overflow to
     * inf and NaN while their neighbours go on; and a NaN input, which never escapes. */
    double mixed[600];
    for (unsigned j = 0; j < 600; j++) {
        static const double pick[] = {0.0, 0.26, -1.9999, 0.3, -0.75, 1.5, -2.0, 0.2501};
        mixed[j] = j % 3 == 0 ? pick[(j / 3) % 8] : -2.1 + 2.6 * uniform();
    }
    for (uint32_t limit = 60; limit <= 70; limit++)
        compare_row(fn, "log limit", mixed, 600, 0.0, limit, false);
    for (uint32_t limit = 126; limit <= 130; limit++)
        compare_row(fn, "log limit", mixed, 600, 1e-7, limit, false);
    /* The same around multiples of 64 above 256, where the AVX-512 kernel leaves limits to
     * the register machine (below, its block machine takes them). */
    for (uint32_t limit = 316; limit <= 322; limit++)
        compare_row(fn, "log limit", mixed, 600, 0.0, limit, false);
    for (uint32_t limit = 382; limit <= 386; limit++)
        compare_row(fn, "log limit", mixed, 600, 1e-7, limit, false);
    compare_row(fn, "long mixed row", mixed, 600, 0.01, 5000, false);
    /* A long row where almost every pixel escapes at n = 1: the queue refills many times. */
    for (unsigned j = 0; j < 600; j++) mixed[j] = j % 97 == 0 ? -0.1 : 3.0 + j;
    compare_row(fn, "sparse row", mixed, 600, 0.0, 1000, false);
    double const odd[] = {__builtin_nan(""), 0.0, 0.5, __builtin_inf(), -0.1, -__builtin_inf()};
    compare_row(fn, "nan input", odd, sizeof odd / sizeof odd[0], 0.0, 300, false);

    test_short_limits(fn);
    test_batch(fn);
    test_cycles(fn);
    test_smooth_limits(fn);

    /* UINT32_MAX: only points the shortcuts settle (or that escape) are affordable, so the
     * reference here is kernel_scalar with shortcuts. Counters must not overflow. */
    double const settled[] = {0.0, -1.0, -0.1226, -1.7549, 0.3, 1.0, -2.5, -0.2, -1.3};
    compare_row(fn, "max limit", settled, sizeof settled / sizeof settled[0], 0.0, UINT32_MAX,
                true);
    compare_row(fn, "max limit", settled, sizeof settled / sizeof settled[0], 0.7449,
                UINT32_MAX, true);
}

/* ---- the variants: Julia sets, burning ship, tricorn (kernel_var_fn) -------------------- */

static const char *const variant_names[] = {"classic", "burning ship", "tricorn"};

/* One row segment of a variant, shortcuts off and on, against kernel_formula with shortcuts
 * off (counts), and with smooth values asked for (counts and smooth, byte for byte). */
static void compare_variant_row(kernel_var_fn *fn, const char *what, const kernel_variant *v,
                                const double *re, uint32_t n, double im, uint32_t max_iter,
                                bool smooth)
{
    kernel_row row = {.re = re, .im = im, .n = n, .max_iter = max_iter, .shortcuts = false};
    kernel_row_formula(&row, v, want);
    if (smooth) {
        row.smooth = want_smooth;
        kernel_row_formula(&row, v, want);
    }
    for (int sc = 0; sc <= 1; sc++) {
        row.shortcuts = sc;
        for (int sm = 0; sm <= (smooth ? 1 : 0); sm++) {
            row.smooth = sm ? got_smooth : NULL;
            for (uint32_t j = 0; j <= n; j++) {
                got[j] = 0xdeadbeefu;
                got_smooth[j] = -12345.0f;
            }
            fn(&row, v, got);
            CHECK_EQ_U32(0xdeadbeefu, got[n]);
            CHECK_TRUE(got_smooth[n] == -12345.0f);
            for (uint32_t j = 0; j < n; j++) {
                if (got[j] == want[j] &&
                    (!sm || memcmp(&got_smooth[j], &want_smooth[j], sizeof(float)) == 0))
                    continue;
                if (differences++ < 10)
                    fprintf(stderr, "%s (%s%s, c %g%+gi): pixel %.17g%+.17gi, max_iter %u, "
                            "shortcuts %d, smooth %d: expected %u %.9g, got %u %.9g\n", what,
                            v->julia ? "julia " : "", variant_names[v->variant], v->julia_re,
                            v->julia_im, re[j], im, max_iter, sc, sm, want[j],
                            (double)want_smooth[j], got[j], (double)got_smooth[j]);
            }
        }
    }
}

/* A view of a variant: every limit 1..70, 1000 and around the AVX-512 block/register
 * boundary (256), on `rows` rows of the grid; and every row length 1..70 (and offsets) on
 * the middle row, at a few limits. */
static void compare_variant_view(kernel_var_fn *fn, const char *what, const kernel_variant *v,
                                 const grid *g)
{
    static const uint32_t extra[] = {1000, 255, 256, 257, 321};
    for (uint32_t k = 0; k < g->height; k++) {
        for (uint32_t limit = 1; limit <= 70; limit++)
            compare_variant_row(fn, what, v, g->re, g->width, g->im[k], limit, limit % 7 == 3);
        for (unsigned e = 0; e < sizeof extra / sizeof extra[0]; e++)
            compare_variant_row(fn, what, v, g->re, g->width, g->im[k], extra[e], e == 0);
    }
    static const uint32_t tail_limits[] = {1, 2, 9, 64, 257, 1000};
    double const im = g->im[g->height / 2];
    for (unsigned e = 0; e < sizeof tail_limits / sizeof tail_limits[0]; e++) {
        for (uint32_t n = 1; n <= 70 && n <= g->width; n++)
            compare_variant_row(fn, what, v, g->re, n, im, tail_limits[e], false);
        for (uint32_t off = 1; off < 8 && off + 33 <= g->width; off++)
            compare_variant_row(fn, what, v, g->re + off, 33, im, tail_limits[e], e == 5);
    }
}

static void test_variants(mandel_isa isa)
{
    kernel_fn *const fn0 = kernel_select(isa, &(mandel_isa){0});
    kernel_var_fn *const fn = kernel_var_of(fn0);
    CHECK_TRUE(fn != NULL);
    if (fn == NULL) return;
    static grid g;
    kernel_variant v = {.variant = KERNEL_CLASSIC, .julia = true, .julia_re = -0.8,
                        .julia_im = 0.156};
    grid_bounds(&g, 70, 8, -1.6, 1.6, -1.0, 1.0); /* the whole Julia set */
    compare_variant_view(fn, "julia", &v, &g);
    grid_bounds(&g, 70, 4, 0.29, 0.31, 0.09, 0.11); /* zoomed on its boundary */
    compare_variant_view(fn, "julia zoom", &v, &g);
    v.julia_re = v.julia_im = 0.0; /* the unit disc: interior orbits go to 0 (cycles) */
    grid_bounds(&g, 70, 6, -1.1, 1.1, -1.1, 1.1);
    compare_variant_view(fn, "julia disc", &v, &g);
    grid_bounds(&g, 70, 3, 0.6 - 1e-6, 0.6 + 1e-6, 0.8 - 1e-6, 0.8 + 1e-6); /* |z| = 1 */
    compare_variant_view(fn, "julia circle", &v, &g);

    v = (kernel_variant){.variant = KERNEL_BURNING_SHIP};
    grid_bounds(&g, 70, 8, -2.5, 1.5, -2.0, 1.0); /* the whole ship */
    compare_variant_view(fn, "ship", &v, &g);
    grid_bounds(&g, 70, 5, -1.8, -1.72, -0.07, 0.01); /* the small ship */
    compare_variant_view(fn, "ship zoom", &v, &g);
    grid_bounds(&g, 70, 3, -2.5, 1.5, -1e-9, 1e-9); /* the real axis: Im z = +-0 */
    compare_variant_view(fn, "ship axis", &v, &g);

    v = (kernel_variant){.variant = KERNEL_TRICORN};
    grid_bounds(&g, 70, 8, -2.0, 1.5, -1.7, 1.7); /* the whole tricorn */
    compare_variant_view(fn, "tricorn", &v, &g);
    grid_bounds(&g, 70, 5, -0.25, -0.15, 0.85, 0.95); /* zoomed */
    compare_variant_view(fn, "tricorn zoom", &v, &g);

    /* Julia sets of the other formulas. */
    v = (kernel_variant){.variant = KERNEL_BURNING_SHIP, .julia = true, .julia_re = -1.5,
                         .julia_im = -0.02};
    grid_bounds(&g, 70, 5, -2.0, 2.0, -2.0, 2.0);
    compare_variant_view(fn, "ship julia", &v, &g);
    v = (kernel_variant){.variant = KERNEL_TRICORN, .julia = true, .julia_re = -0.5,
                         .julia_im = 0.5};
    grid_bounds(&g, 70, 5, -1.5, 1.5, -1.5, 1.5);
    compare_variant_view(fn, "tricorn julia", &v, &g);

    /* The classic set through the variant entry is the classic kernel. */
    v = (kernel_variant){.variant = KERNEL_CLASSIC};
    grid_bounds(&g, 70, 4, -2.0, 0.5, -1.2, 1.2);
    compare_variant_view(fn, "classic", &v, &g);

    /* Julia parameters near |c| = 2 and beyond (where a pass can be followed by |z|^2 < 4
     * again: the AVX-512 kernel must test every step there) and well inside, at limits that
     * take the batched machine; z_0 huge (overflow within a batch), NaN and inf. */
    {
        static const double params[][2] = {{-2.0, 0.0}, {-2.0 + 0x1p-51, 0.0}, {-1.9999999995, 0.0},
                                           {0.0, 2.0}, {1.4142135623730951, 1.4142135623730951},
                                           {-2.5, 0.1}, {-0.8, 0.156}, {0.28, 0.008}};
        double jrow[70];
        for (unsigned j = 0; j < 70; j++) {
            static const double pick[] = {1e150, -1e77, 1e38, __builtin_nan(""), __builtin_inf(),
                                          2.0, -2.0};
            jrow[j] = j % 9 == 8 ? pick[(j / 9) % 7] : -2.0 + 4.0 * uniform();
        }
        for (int var = KERNEL_CLASSIC; var <= KERNEL_TRICORN; var++) {
            for (unsigned p = 0; p < sizeof params / sizeof params[0]; p++) {
                v = (kernel_variant){.variant = (uint8_t)var, .julia = true,
                                     .julia_re = params[p][0], .julia_im = params[p][1]};
                compare_variant_row(fn, "batch julia", &v, jrow, 70, 0.01, 300, var == 0);
                compare_variant_row(fn, "batch julia", &v, jrow, 70, -1.3, 1000, false);
                compare_variant_row(fn, "batch julia", &v, jrow + 1, 61, 0.0, 263, false);
            }
        }
    }

    /* Odd inputs: NaN, infinities, huge and tiny values, -0. */
    double const odd[] = {__builtin_nan(""), 0.0, -0.0, 0.5, __builtin_inf(), -0.1,
                          -__builtin_inf(), 1e300, -1e300, 1e-300, -2.0, 2.0};
    uint32_t const n_odd = sizeof odd / sizeof odd[0];
    for (int var = KERNEL_CLASSIC; var <= KERNEL_TRICORN; var++) {
        for (int julia = 0; julia <= 1; julia++) {
            v = (kernel_variant){.variant = (uint8_t)var, .julia = julia, .julia_re = -0.0,
                                 .julia_im = julia ? 0.3 : 0.0};
            static const double ims[] = {0.0, -0.0, 1e-300, 1e300, -1.0};
            for (unsigned i = 0; i < sizeof ims / sizeof ims[0]; i++) {
                compare_variant_row(fn, "odd", &v, odd, n_odd, ims[i], 300, true);
                compare_variant_row(fn, "odd", &v, odd, n_odd, ims[i], 5, true);
            }
        }
    }
}

/* kernel_formula's smooth value for the classic set is the same float whether or not the
 * distance estimate is asked for (two code paths: smooth_after_escape(), and the loop that
 * carries the derivative). */
static void test_formula_paths(void)
{
    static grid g;
    static float with_distance[2048], distance[2048];
    grid_center(&g, 300, 40, -0.75, 0.1, 1.3);
    long diff = 0;
    for (uint32_t k = 0; k < g.height; k++) {
        kernel_row const row = {.re = g.re, .im = g.im[k], .n = g.width, .max_iter = 700,
                                .shortcuts = true};
        kernel_formula(&row, &classic, (formula_out){NULL, want_smooth, NULL});
        kernel_formula(&row, &classic, (formula_out){NULL, with_distance, distance});
        diff += memcmp(want_smooth, with_distance, g.width * sizeof(float)) != 0;
    }
    CHECK_EQ_INT(0, diff);
}

int main(int argc, char **argv)
{
    mandel_isa isas[MANDEL_ISA_COUNT];
    int n_isas = 0;
    if (argc > 1) {
        for (int a = 1; a < argc; a++) {
            int found = -1;
            for (int i = MANDEL_ISA_SCALAR; i < MANDEL_ISA_COUNT; i++)
                if (strcmp(argv[a], kernel_isa_name((mandel_isa)i)) == 0) found = i;
            if (found < 0) {
                fprintf(stderr, "test_kernels: unknown kernel '%s'\n", argv[a]);
                return 2;
            }
            if (!kernel_available((mandel_isa)found)) {
                printf("test_kernels: %s is not built or this CPU lacks it: skipped\n",
                       argv[a]);
                return CHECK_SKIP;
            }
            isas[n_isas++] = (mandel_isa)found;
        }
    } else {
        for (int i = MANDEL_ISA_SCALAR + 1; i < MANDEL_ISA_COUNT; i++)
            if (kernel_available((mandel_isa)i)) isas[n_isas++] = (mandel_isa)i;
    }
    /* The scalar kernel too: its counts are the reference, its smooth values are not. */
    bool named_scalar = false;
    for (int i = 0; i < n_isas; i++) named_scalar |= isas[i] == MANDEL_ISA_SCALAR;
    if (!named_scalar && n_isas < MANDEL_ISA_COUNT) isas[n_isas++] = MANDEL_ISA_SCALAR;
    test_formula_paths();
    for (int i = 0; i < n_isas; i++) {
        long const before = differences;
        test_kernel(isas[i]);
        test_variants(isas[i]);
        printf("%s: %ld pixels differ from kernel_scalar (counts) or kernel_formula "
               "(smooth)\n", kernel_isa_name(isas[i]), differences - before);
    }
    CHECK_EQ_INT(0, differences);
    return check_report("test_kernels");
}
