/*
 * tests/unit/test_formula.c - the general engine: the classic Mandelbrot set exactly as
 * kernel_scalar; the other formulas and Julia sets at points known by hand; smooth values
 * continuous across count bands; distance estimates of the right size.
 */
#include <math.h>

#include "../check.h"
#include "kernel/kernel.h"

static const formula_params mandelbrot = {FORMULA_MANDELBROT, 2, false, 0, 0};

static uint32_t count_of(const formula_params *f, double re, double im, uint32_t max_iter)
{
    kernel_row const row = {.re = &re, .im = im, .n = 1, .max_iter = max_iter, .shortcuts = true};
    uint32_t count = 0;
    kernel_formula(&row, f, (formula_out){&count, NULL, NULL});
    return count;
}

/* The classic case against the specification, over a boundary-rich grid. */
static void classic_equals_scalar(void)
{
    double re[97];
    uint32_t a[97], b[97];
    int diff = 0;
    for (int k = 0; k < 61; k++) {
        for (int j = 0; j < 97; j++) re[j] = -0.7436 + (j - 48) * 2e-4;
        for (int sc = 0; sc < 2; sc++) {
            kernel_row const row = {re, 0.1318 + (k - 30) * 2e-4, 97, 3000, sc == 1, NULL, NULL};
            kernel_scalar(&row, a);
            kernel_formula(&row, &mandelbrot, (formula_out){b, NULL, NULL});
            for (int j = 0; j < 97; j++) diff += a[j] != b[j];
        }
    }
    CHECK_EQ_INT(0, diff);
}

static void known_points(void)
{
    formula_params const cubic = {FORMULA_MANDELBROT, 3, false, 0, 0};
    CHECK_EQ_U32(1000, count_of(&cubic, 0, 0, 1000));
    CHECK_EQ_U32(2, count_of(&cubic, 1, 0, 1000));     /* 1, 2: |z_2| = 2 */
    CHECK_EQ_U32(1000, count_of(&cubic, -0.3, 0, 1000));
    CHECK_EQ_U32(6, count_of(&cubic, -0.5, 0, 1000)); /* the same loop in Python */
    CHECK_EQ_U32(1, count_of(&cubic, 0, 2, 1000));
    formula_params const quartic = {FORMULA_MANDELBROT, 4, false, 0, 0};
    CHECK_EQ_U32(2, count_of(&quartic, 1.2, 0, 1000)); /* 1.2, 3.27 */

    /* Julia c = 0: z_n = z_0^(2^n), so the filled set is the closed unit disc. */
    formula_params const disc = {FORMULA_MANDELBROT, 2, true, 0, 0};
    CHECK_EQ_U32(500, count_of(&disc, 0.99, 0, 500));
    CHECK_EQ_U32(500, count_of(&disc, 0, -0.999, 500));
    CHECK_EQ_U32(500, count_of(&disc, 0.6, 0.79, 500)); /* |z| = 0.992 */
    CHECK_EQ_U32(1, count_of(&disc, 1.5, 0, 500));      /* 2.25 */
    CHECK_EQ_U32(3, count_of(&disc, 1.1, 0, 500));      /* 1.21, 1.46, 2.14 */
    CHECK_TRUE(count_of(&disc, 1.0001, 0, 500) < 500);
    /* Julia c = -1: the basilica; 0 and -1 form its 2-cycle. */
    formula_params const basilica = {FORMULA_MANDELBROT, 2, true, -1, 0};
    CHECK_EQ_U32(800, count_of(&basilica, 0, 0, 800));
    CHECK_EQ_U32(1, count_of(&basilica, 2, 0, 800));

    /* Burning Ship and Tricorn agree with the Mandelbrot set on the real axis (z stays
     * real, |x|^2 = x^2 and conj(x) = x), and have their own fixed points off it. */
    formula_params const ship = {FORMULA_BURNING_SHIP, 2, false, 0, 0};
    formula_params const tricorn = {FORMULA_TRICORN, 2, false, 0, 0};
    for (double re = -2.0; re <= 0.5; re += 0.0625) {
        uint32_t const m = count_of(&mandelbrot, re, 0, 400);
        CHECK_EQ_U32(m, count_of(&ship, re, 0, 400));
        CHECK_EQ_U32(m, count_of(&tricorn, re, 0, 400));
    }
    /* c = -0.5-0.5i: Burning Ship's attracting fixed point (counted inside in Python too). */
    CHECK_EQ_U32(1000, count_of(&ship, -0.5, -0.5, 1000));
    CHECK_EQ_U32(1, count_of(&ship, 1.5, 1.5, 1000));
    /* Tricorn: c = 0.3+0.3i escapes at 19 (the same loop in Python); -0.1 is inside. */
    CHECK_EQ_U32(19, count_of(&tricorn, 0.3, 0.3, 1000));
    CHECK_EQ_U32(1000, count_of(&tricorn, -0.1, 0, 1000));
    /* Tricorn is symmetric under conjugation of c; Burning Ship is not. */
    CHECK_EQ_U32(count_of(&tricorn, -0.4, 0.65, 500), count_of(&tricorn, -0.4, -0.65, 500));
}

/* Along a line crossing count bands, the smooth value changes across a band edge (where
 * the count steps by one) no more than it does between the neighbouring pixels on either
 * side: no visible step. A raw count jumps by a whole unit there. */
static void smooth_is_continuous(void)
{
    enum { N = 2000 };
    static double re[N];
    static uint32_t counts[N];
    static float smooth[N];
    for (int j = 0; j < N; j++) re[j] = -2.5 + j * (2.0 / N); /* -2.5 .. -0.5 on Im = 0.3 */
    kernel_row const row = {re, 0.3, N, 1000, true, NULL, NULL};
    kernel_formula(&row, &mandelbrot, (formula_out){counts, smooth, NULL});
    int edges = 0, steps = 0;
    for (int j = 2; j + 1 < N; j++) {
        if (counts[j] + 1 != counts[j - 1] && counts[j - 1] + 1 != counts[j]) continue;
        if (counts[j - 2] != counts[j - 1] || counts[j + 1] != counts[j]) continue;
        float const edge = fabsf(smooth[j] - smooth[j - 1]);
        float const before = fabsf(smooth[j - 1] - smooth[j - 2]);
        float const after = fabsf(smooth[j + 1] - smooth[j]);
        edges++;
        steps += edge > 2.0f * fmaxf(before, after) + 0.01f;
    }
    CHECK_TRUE(edges >= 10); /* the line does cross bands */
    CHECK_EQ_INT(0, steps);
    /* Inside: the limit. */
    double const zero = 0;
    kernel_row const in = {&zero, 0, 1, 77, true, NULL, NULL};
    float s;
    kernel_formula(&in, &mandelbrot, (formula_out){NULL, &s, NULL});
    CHECK_EQ_DBL(77.0, s);
}

/* The distance estimate is within a factor 4 of the true distance (Koebe's theorem): c = 3
 * is at 2.75 from the set's rightmost point 1/4; -2.5 at 0.5 from -2; 1.5i at about 0.38
 * from the set's top. (Near the parabolic cusp at 1/4 the estimate is known to be poor.) */
static void distance_estimate(void)
{
    double const pts[][3] = {{3.0, 0, 2.75}, {-2.5, 0, 0.5}, {0, 1.5, 0.38}};
    for (int i = 0; i < 3; i++) {
        kernel_row const row = {&pts[i][0], pts[i][1], 1, 100000, true, NULL, NULL};
        float d;
        kernel_formula(&row, &mandelbrot, (formula_out){NULL, NULL, &d});
        CHECK_TRUE(d > pts[i][2] / 4 && d < pts[i][2] * 4);
    }
    /* Closer to the set, smaller. */
    double const near = -0.75, far = -0.75;
    float dn, df;
    kernel_row const rn = {&near, 0.01, 1, 100000, true, NULL, NULL};
    kernel_row const rf = {&far, 0.3, 1, 100000, true, NULL, NULL};
    kernel_formula(&rn, &mandelbrot, (formula_out){NULL, NULL, &dn});
    kernel_formula(&rf, &mandelbrot, (formula_out){NULL, NULL, &df});
    CHECK_TRUE(dn > 0 && dn < df);
    /* Julia c = 0: the unit circle is the boundary; z0 = 2 is at distance 1. */
    formula_params const disc = {FORMULA_MANDELBROT, 2, true, 0, 0};
    double const two = 2.0;
    kernel_row const r2 = {&two, 0, 1, 1000, true, NULL, NULL};
    float dj;
    kernel_formula(&r2, &disc, (formula_out){NULL, NULL, &dj});
    CHECK_TRUE(dj > 0.25f && dj < 4.0f);
}

int main(void)
{
    classic_equals_scalar();
    known_points();
    smooth_is_continuous();
    distance_estimate();
    return check_report("test_formula");
}
