/*
 * tests/unit/test_deep_formulas.c - the Burning Ship, the Tricorn and z^d + c (d = 3..8)
 * beyond double precision: perturbation against the brute-force MPFR engine (which
 * iterates the same formula) at zooms 1e20, 1e100 and 1e300 on minibrots found with
 * Newton's method (tests/data/deep/find_views.py wrote the .kfr files); against the double
 * engine where both reach; AUTO picks perturbation for them as for the Mandelbrot set; and
 * Julia sets are still refused at depth.
 *
 * The bar is the issue's: at least 99.9% of counts equal and no pixel inside for one engine
 * and outside for the other. Built with MANDEL_SANITIZE, fewer rows are compared.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../check.h"
#include "mandel.h"

#ifdef MANDEL_SANITIZE
#define QUICK 1
#else
#define QUICK 0
#endif

#ifndef MANDEL_TEST_DATA
#define MANDEL_TEST_DATA "tests/data"
#endif

static mandel_ctx *ctx;

typedef struct agreement {
    uint32_t pixels, equal, in_out, inside, lo, hi;
} agreement;

static void set_formula(mandel_formula f, uint32_t power)
{
    CHECK_EQ_INT(MANDEL_OK, mandel_ctx_set(ctx, MANDEL_OPT_FORMULA, f));
    CHECK_EQ_INT(MANDEL_OK, mandel_ctx_set(ctx, MANDEL_OPT_POWER, power));
}

/* Counts of rows rows[0..n_rows) (`band` rows each) of v with engine e into out. */
static int render_rows(mandel_view *v, mandel_engine e, uint32_t max_iter, const uint32_t *rows,
                       uint32_t n_rows, uint32_t band, uint32_t *out)
{
    uint32_t const w = mandel_view_width(v);
    int err = mandel_ctx_set(ctx, MANDEL_OPT_ENGINE, e);
    for (uint32_t i = 0; i < n_rows && err == MANDEL_OK; i++) {
        mandel_rect const rect = {0, rows[i], w, band};
        err = mandel_render(ctx, v, max_iter, rect, out + (size_t)i * w * band, w,
                            (size_t)w * band * sizeof *out);
    }
    if (err != MANDEL_OK) fprintf(stderr, "render: %s\n", mandel_errmsg(ctx));
    return err;
}

/* Engine a against engine b (the reference) on bands of `band` rows at the top, middle and
 * bottom of v. */
static agreement compare(const char *what, mandel_view *v, uint32_t max_iter, mandel_engine a,
                         mandel_engine b, uint32_t band)
{
    uint32_t const w = mandel_view_width(v), h = mandel_view_height(v);
    uint32_t const rows[3] = {0, (h - band) / 2, h - band};
    size_t const n = (size_t)w * band * 3;
    uint32_t *const ca = calloc(n, sizeof *ca), *const cb = calloc(n, sizeof *cb);
    agreement g = {.lo = UINT32_MAX};
    CHECK_TRUE(ca != NULL && cb != NULL);
    if (ca != NULL && cb != NULL &&
        render_rows(v, a, max_iter, rows, 3, band, ca) == MANDEL_OK &&
        render_rows(v, b, max_iter, rows, 3, band, cb) == MANDEL_OK) {
        for (size_t i = 0; i < n; i++) {
            g.pixels++;
            g.equal += ca[i] == cb[i];
            g.in_out += (ca[i] == max_iter) != (cb[i] == max_iter);
            g.inside += cb[i] == max_iter;
            if (cb[i] < g.lo) g.lo = cb[i];
            if (cb[i] > g.hi) g.hi = cb[i];
        }
    }
    printf("%-30s %7s vs %-6s: %4u/%4u equal (%6.2f%%), %u in/out, %3u inside, counts %u..%u\n",
           what, mandel_engine_name(a), mandel_engine_name(b), g.equal, g.pixels,
           g.pixels ? 100.0 * g.equal / g.pixels : 0.0, g.in_out, g.inside, g.lo, g.hi);
    free(ca);
    free(cb);
    return g;
}

static void check_agreement(agreement g)
{
    CHECK_TRUE(g.pixels > 0);
    CHECK_TRUE(g.equal * 1000.0 >= g.pixels * 999.0);
    CHECK_EQ_U32(0, g.in_out);
    CHECK_TRUE(g.hi > g.lo); /* not a flat view */
}

static mandel_view *location_view(const char *path, uint32_t w, uint32_t h, uint32_t *iter)
{
    mandel_location *loc = NULL;
    mandel_view *v = NULL;
    int const err = mandel_location_read(ctx, path, &loc);
    CHECK_EQ_INT(MANDEL_OK, err);
    if (err != MANDEL_OK) {
        fprintf(stderr, "%s: %s\n", path, mandel_errmsg(ctx));
        return NULL;
    }
    const char *re, *im, *zoom;
    mandel_location_get(loc, &re, &im, &zoom, iter);
    CHECK_EQ_INT(MANDEL_OK, mandel_view_new_zoom(ctx, &v, w, h, re, im, zoom));
    mandel_location_free(loc);
    return v;
}

typedef struct case_ {
    mandel_formula formula;
    uint32_t power;
} case_;

static const case_ cases[] = {
    {MANDEL_FORMULA_BURNING_SHIP, 2}, {MANDEL_FORMULA_TRICORN, 2},
    {MANDEL_FORMULA_MANDELBROT, 3},   {MANDEL_FORMULA_MANDELBROT, 4},
    {MANDEL_FORMULA_MANDELBROT, 5},   {MANDEL_FORMULA_MANDELBROT, 6},
    {MANDEL_FORMULA_MANDELBROT, 7},   {MANDEL_FORMULA_MANDELBROT, 8},
};

static const char *const zooms[] = {"1e20", "1e100", "1e300"};

/* Each formula at each zoom: a minibrot of its own (interior pixels, and the slowest
 * escapes beside them), perturbation against MPFR. */
static void minibrots(void)
{
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        for (size_t z = 0; z < sizeof zooms / sizeof *zooms; z++) {
            if (QUICK && z == 1) continue;
            char path[512], what[80];
            snprintf(path, sizeof path, MANDEL_TEST_DATA "/deep/%s-%u-%s.kfr",
                     mandel_formula_name(cases[i].formula), cases[i].power, zooms[z]);
            uint32_t iter;
            mandel_view *const v = location_view(path, 48, 26, &iter);
            if (v == NULL) continue;
            set_formula(cases[i].formula, cases[i].power);
            snprintf(what, sizeof what, "%s^%u %s", mandel_formula_name(cases[i].formula),
                     cases[i].power, zooms[z]);
            check_agreement(
                compare(what, v, iter, MANDEL_ENGINE_PERTURB, MANDEL_ENGINE_MPFR, 1));
            mandel_view_free(v);
        }
    }
    set_formula(MANDEL_FORMULA_MANDELBROT, 2);
}

/* Where double still resolves the pixels (zoom 1e9), the perturbed formulas agree with the
 * double engine's plain iteration; and AUTO takes perturbation beyond that, giving its
 * counts exactly. */
static void against_double_and_auto(void)
{
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char path[512], what[80];
        snprintf(path, sizeof path, MANDEL_TEST_DATA "/deep/%s-%u-1e20.kfr",
                 mandel_formula_name(cases[i].formula), cases[i].power);
        mandel_location *loc = NULL;
        if (mandel_location_read(ctx, path, &loc) != MANDEL_OK) {
            CHECK_TRUE(false);
            continue;
        }
        const char *re, *im, *zoom;
        uint32_t iter;
        mandel_location_get(loc, &re, &im, &zoom, &iter);
        set_formula(cases[i].formula, cases[i].power);
        mandel_view *v = NULL;
        CHECK_EQ_INT(MANDEL_OK, mandel_view_new_zoom(ctx, &v, 48, 26, re, im, "1e9"));
        snprintf(what, sizeof what, "%s^%u 1e9", mandel_formula_name(cases[i].formula),
                 cases[i].power);
        agreement const g =
            compare(what, v, 2000, MANDEL_ENGINE_PERTURB, MANDEL_ENGINE_DOUBLE, 2);
        CHECK_TRUE(g.equal * 100.0 >= g.pixels * 99.0);
        CHECK_EQ_U32(0, g.in_out);
        mandel_view_free(v);
        /* AUTO at the location's own zoom: perturbation, the same counts */
        CHECK_EQ_INT(MANDEL_OK, mandel_view_new_zoom(ctx, &v, 48, 26, re, im, zoom));
        CHECK_EQ_INT(MANDEL_ENGINE_PERTURB, mandel_view_engine(v));
        snprintf(what, sizeof what, "%s^%u %s", mandel_formula_name(cases[i].formula),
                 cases[i].power, zoom);
        agreement const a = compare(what, v, iter, MANDEL_ENGINE_AUTO, MANDEL_ENGINE_PERTURB, 1);
        CHECK_EQ_U32(a.pixels, a.equal);
        mandel_view_free(v);
        mandel_location_free(loc);
    }
    set_formula(MANDEL_FORMULA_MANDELBROT, 2);
}

/* Smooth values at depth: the formula's own continuation (kernel_formula's), so the
 * perturbation engine and MPFR agree on pixels of equal count. */
static void smooth_values(void)
{
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i += QUICK ? 3 : 1) {
        char path[512];
        snprintf(path, sizeof path, MANDEL_TEST_DATA "/deep/%s-%u-1e20.kfr",
                 mandel_formula_name(cases[i].formula), cases[i].power);
        uint32_t iter;
        mandel_view *const v = location_view(path, 48, 26, &iter);
        if (v == NULL) continue;
        set_formula(cases[i].formula, cases[i].power);
        uint32_t const w = 48, rows = 2;
        size_t const n = (size_t)w * rows;
        uint32_t ca[96], cb[96];
        float sa[96], sb[96];
        mandel_rect const rect = {0, 12, w, rows};
        mandel_fields fa = {.counts = ca, .smooth = sa, .stride = w, .capacity = n};
        mandel_fields fb = {.counts = cb, .smooth = sb, .stride = w, .capacity = n};
        CHECK_EQ_INT(MANDEL_OK, mandel_ctx_set(ctx, MANDEL_OPT_ENGINE, MANDEL_ENGINE_PERTURB));
        CHECK_EQ_INT(MANDEL_OK, mandel_render_fields(ctx, v, iter, rect, &fa));
        CHECK_EQ_INT(MANDEL_OK, mandel_ctx_set(ctx, MANDEL_OPT_ENGINE, MANDEL_ENGINE_MPFR));
        CHECK_EQ_INT(MANDEL_OK, mandel_render_fields(ctx, v, iter, rect, &fb));
        uint32_t compared = 0, bad = 0;
        double worst = 0;
        for (size_t k = 0; k < n; k++) {
            if (ca[k] != cb[k]) continue;
            compared++;
            double const d = fabs((double)sa[k] - sb[k]);
            if (d > worst) worst = d;
            bad += d > 1e-4 + (nextafterf(sb[k], INFINITY) - sb[k]);
        }
        printf("%s^%u 1e20 smooth: %u compared, worst %.3g\n",
               mandel_formula_name(cases[i].formula), cases[i].power, compared, worst);
        CHECK_TRUE(compared * 10 >= n * 9);
        CHECK_EQ_U32(0, bad);
        mandel_view_free(v);
    }
    set_formula(MANDEL_FORMULA_MANDELBROT, 2);
}

/* Julia sets are not rendered beyond double precision yet: refused with a message. */
static void julia_refused(void)
{
    mandel_view *v = NULL;
    CHECK_EQ_INT(MANDEL_OK, mandel_view_new_zoom(ctx, &v, 8, 8, "0", "1", "1e20"));
    CHECK_EQ_INT(MANDEL_OK, mandel_ctx_set_julia(ctx, 1, -0.8, 0.156));
    CHECK_EQ_INT(MANDEL_OK, mandel_ctx_set(ctx, MANDEL_OPT_ENGINE, MANDEL_ENGINE_AUTO));
    uint32_t c[64];
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_render(ctx, v, 100, (mandel_rect){0, 0, 8, 8}, c, 8,
                                              sizeof c));
    CHECK_TRUE(strstr(mandel_errmsg(ctx), "Julia") != NULL);
    CHECK_EQ_INT(MANDEL_OK, mandel_ctx_set_julia(ctx, 0, 0, 0));
    /* distances at depth exist for z^2 + c only */
    set_formula(MANDEL_FORMULA_MANDELBROT, 3);
    float d[64];
    mandel_fields const f = {.distance = d, .stride = 8, .capacity = 64};
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_render_fields(ctx, v, 100, (mandel_rect){0, 0, 8, 8}, &f));
    set_formula(MANDEL_FORMULA_MANDELBROT, 2);
    mandel_view_free(v);
}

int main(void)
{
    ctx = mandel_ctx_new(NULL);
    CHECK_TRUE(ctx != NULL);
    CHECK_EQ_INT(MANDEL_OK, mandel_ctx_set(ctx, MANDEL_OPT_THREADS, 2));
    minibrots();
    against_double_and_auto();
    smooth_values();
    julia_refused();
    mandel_ctx_free(ctx);
    return check_report("test_deep_formulas");
}
