/*
 * tests/unit/test_exact.c - MANDEL_OPT_EXACT: counts equal to the MPFR engine's where the
 * double deltas get them wrong.
 *
 * At the 1e50 benchmark location (640x360, 263,010 iterations), pixels (508, 56) and
 * (391, 128) lie within 1e-20 pixel of the set: the default perturbation pass gets their
 * counts wrong by 177 and 258 iterations (bench/deep_check.sh found them). Two runs of 16
 * pixels through each: with MANDEL_OPT_EXACT every count equals the MPFR engine's, while
 * without it at least one differs (so the check can fail); the exact pass redid at least
 * one pixel; 1 and 2 threads give the same counts, smooth values and distances. The same
 * at the 1e1086 location, whose deltas need floatexp. The Burning Ship on its needle; the
 * refusal of other formulas beyond 1e270.
 */
#include <math.h>
#include <string.h>

#include "../check.h"
#include "mandel.h"

#define KF MANDEL_LOCATIONS_DIR "/1e50.kfr"
#define RUN 16

typedef struct run {
    uint32_t counts[RUN];
    float smooth[RUN], distance[RUN];
    mandel_stats stats;
} run;

static int render(mandel_ctx *ctx, const mandel_view *v, uint32_t iter, mandel_rect r,
                  mandel_engine engine, int exact, uint32_t threads, run *out)
{
    memset(out, 0, sizeof *out);
    mandel_ctx_set(ctx, MANDEL_OPT_ENGINE, engine);
    mandel_ctx_set(ctx, MANDEL_OPT_EXACT, exact);
    mandel_ctx_set(ctx, MANDEL_OPT_THREADS, threads);
    mandel_fields const f = {out->counts, out->smooth, out->distance, RUN, RUN};
    int const err = mandel_render_fields(ctx, v, iter, r, &f);
    mandel_ctx_stats(ctx, &out->stats);
    return err;
}

/* What a phase callback saw of MANDEL_PHASE_EXACT, and whether it came after the pixels. */
typedef struct phases {
    int exact_calls, pixels_after_exact;
    uint64_t done, total;
} phases;

static int on_phase(void *user, mandel_phase phase, uint64_t done, uint64_t total)
{
    phases *const p = user;
    if (phase == MANDEL_PHASE_EXACT) {
        p->exact_calls++;
        p->done = done;
        p->total = total;
    } else if (phase == MANDEL_PHASE_PIXELS && p->exact_calls > 0) {
        p->pixels_after_exact++;
    }
    return 0;
}

static void hard_pixels(mandel_ctx *ctx, const mandel_view *v, uint32_t iter, mandel_rect r)
{
    run mpfr, fast, exact, exact1;
    CHECK_EQ_INT(MANDEL_OK, render(ctx, v, iter, r, MANDEL_ENGINE_MPFR, 0, 2, &mpfr));
    CHECK_EQ_INT(MANDEL_OK, render(ctx, v, iter, r, MANDEL_ENGINE_PERTURB, 0, 2, &fast));
    phases seen = {0, 0, 0, 0};
    mandel_ctx_set_phase_progress(ctx, on_phase, &seen);
    CHECK_EQ_INT(MANDEL_OK, render(ctx, v, iter, r, MANDEL_ENGINE_PERTURB, 1, 2, &exact));
    mandel_ctx_set_phase_progress(ctx, NULL, NULL);
    /* the exact pass reports its own phase, after the pixels, ending done = total = the
     * pixels it computed again */
    CHECK_TRUE(seen.exact_calls >= 1 && seen.pixels_after_exact == 0);
    CHECK_TRUE(seen.done == seen.total && seen.total == exact.stats.exact_pixels);
    CHECK_EQ_INT(MANDEL_OK, render(ctx, v, iter, r, MANDEL_ENGINE_PERTURB, 1, 1, &exact1));
    int wrong_fast = 0, wrong_exact = 0;
    for (uint32_t i = 0; i < r.width; i++) {
        wrong_fast += fast.counts[i] != mpfr.counts[i];
        wrong_exact += exact.counts[i] != mpfr.counts[i];
        if (exact.counts[i] != mpfr.counts[i])
            fprintf(stderr, "pixel %u,%u: exact %u, mpfr %u\n", r.x + i, r.y, exact.counts[i],
                    mpfr.counts[i]);
    }
    CHECK_TRUE(wrong_fast >= 1);
    CHECK_EQ_INT(0, wrong_exact);
    CHECK_TRUE(exact.stats.exact_pixels >= 1 && exact.stats.exact_changed >= 1);
    CHECK_TRUE(exact.stats.exact_changed <= exact.stats.exact_pixels);
    CHECK_TRUE(fast.stats.exact_pixels == 0 && fast.stats.exact_seconds == 0);
    /* the same whatever the threads */
    CHECK_TRUE(memcmp(exact.counts, exact1.counts, sizeof exact.counts) == 0);
    CHECK_TRUE(memcmp(exact.smooth, exact1.smooth, sizeof exact.smooth) == 0);
    CHECK_TRUE(memcmp(exact.distance, exact1.distance, sizeof exact.distance) == 0);
    /* the fields stay what the library promises: distance 0 only inside, smooth values of
     * the redone pixels within a step of their counts */
    for (uint32_t i = 0; i < r.width; i++) {
        CHECK_TRUE(exact.distance[i] > 0 || exact.counts[i] == iter);
        CHECK_TRUE(fabsf(exact.smooth[i] - (float)exact.counts[i]) <= 2.0f);
    }
}

static void ship(mandel_ctx *ctx)
{
    mandel_location *loc;
    CHECK_EQ_INT(MANDEL_OK, mandel_location_read(ctx, MANDEL_TEST_DATA
                                                 "/deep/burning-ship-2-1e20.kfr", &loc));
    const char *re, *im, *zoom;
    uint32_t iter;
    mandel_location_get(loc, &re, &im, &zoom, &iter);
    mandel_view *v;
    CHECK_EQ_INT(MANDEL_OK, mandel_view_new_zoom(ctx, &v, 96, 52, re, im, zoom));
    mandel_ctx_set(ctx, MANDEL_OPT_FORMULA, MANDEL_FORMULA_BURNING_SHIP);
    mandel_ctx_set(ctx, MANDEL_OPT_THREADS, 2);
    uint32_t mpfr[96], fast[96], exact[96];
    mandel_rect const row = {0, 31, 96, 1};
    mandel_ctx_set(ctx, MANDEL_OPT_ENGINE, MANDEL_ENGINE_MPFR);
    CHECK_EQ_INT(MANDEL_OK, mandel_render(ctx, v, iter, row, mpfr, 96, sizeof mpfr));
    mandel_ctx_set(ctx, MANDEL_OPT_ENGINE, MANDEL_ENGINE_PERTURB);
    mandel_ctx_set(ctx, MANDEL_OPT_EXACT, 0);
    CHECK_EQ_INT(MANDEL_OK, mandel_render(ctx, v, iter, row, fast, 96, sizeof fast));
    mandel_ctx_set(ctx, MANDEL_OPT_EXACT, 1);
    CHECK_EQ_INT(MANDEL_OK, mandel_render(ctx, v, iter, row, exact, 96, sizeof exact));
    CHECK_TRUE(memcmp(fast, mpfr, sizeof mpfr) != 0);
    CHECK_TRUE(memcmp(exact, mpfr, sizeof mpfr) == 0);
    mandel_ctx_set(ctx, MANDEL_OPT_FORMULA, MANDEL_FORMULA_MANDELBROT);
    mandel_view_free(v);
    mandel_location_free(loc);
}

int main(void)
{
    mandel_ctx *const ctx = mandel_ctx_new(NULL);
    mandel_location *loc;
    CHECK_EQ_INT(MANDEL_OK, mandel_location_read(ctx, KF, &loc));
    const char *re, *im, *zoom;
    uint32_t iter;
    mandel_location_get(loc, &re, &im, &zoom, &iter);
    mandel_view *v;
    CHECK_EQ_INT(MANDEL_OK, mandel_view_new_zoom(ctx, &v, 640, 360, re, im, zoom));
    hard_pixels(ctx, v, iter, (mandel_rect){500, 56, RUN, 1});
    hard_pixels(ctx, v, iter, (mandel_rect){384, 128, RUN, 1});
    mandel_view_free(v);
    mandel_location_free(loc);

    /* deltas in floatexp: the 1e1086 location at 320x180, where pixel (252, 8) is 538,523
     * by default and 538,844 under MPFR (exact_fe.c) */
    CHECK_EQ_INT(MANDEL_OK, mandel_location_read(ctx, MANDEL_LOCATIONS_DIR "/1e1086.kfr", &loc));
    mandel_location_get(loc, &re, &im, &zoom, &iter);
    CHECK_EQ_INT(MANDEL_OK, mandel_view_new_zoom(ctx, &v, 320, 180, re, im, zoom));
    hard_pixels(ctx, v, iter, (mandel_rect){248, 8, 8, 1});

    /* the Burning Ship on its needle at 1e20 (tests/data/deep): row 31 of 96x52 holds an
     * interior pixel that escapes at 2364 under MPFR; with MANDEL_OPT_EXACT the whole row
     * equals MPFR's */
    ship(ctx);

    int64_t value = -1;
    CHECK_EQ_INT(MANDEL_OK, mandel_ctx_get(ctx, MANDEL_OPT_EXACT, &value));
    CHECK_EQ_INT(1, value);
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_ctx_set(ctx, MANDEL_OPT_EXACT, 2));

    /* refused, with the reason: another formula with deltas in floatexp (1e300); z^2 + c
     * there, and the Ship at 1e20, are fine */
    uint32_t c[4];
    mandel_view *deep;
    mandel_ctx_set(ctx, MANDEL_OPT_EXACT, 1);
    mandel_ctx_set(ctx, MANDEL_OPT_ENGINE, MANDEL_ENGINE_AUTO);
    CHECK_EQ_INT(MANDEL_OK, mandel_view_new_zoom(ctx, &deep, 4, 1, "-1.75", "0", "1e300"));
    mandel_ctx_set(ctx, MANDEL_OPT_FORMULA, MANDEL_FORMULA_BURNING_SHIP);
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_render(ctx, deep, 1000, (mandel_rect){0, 0, 4, 1}, c, 4,
                                              sizeof c));
    CHECK_TRUE(strstr(mandel_errmsg(ctx), "exact counts") != NULL);
    mandel_ctx_set(ctx, MANDEL_OPT_FORMULA, MANDEL_FORMULA_MANDELBROT);
    CHECK_EQ_INT(MANDEL_OK, mandel_render(ctx, deep, 1000, (mandel_rect){0, 0, 4, 1}, c, 4,
                                          sizeof c));
    mandel_view_free(deep);
    CHECK_EQ_INT(MANDEL_OK, mandel_view_new_zoom(ctx, &deep, 4, 1, "-1.75", "0", "1e20"));
    mandel_ctx_set(ctx, MANDEL_OPT_FORMULA, MANDEL_FORMULA_BURNING_SHIP);
    CHECK_EQ_INT(MANDEL_OK, mandel_render(ctx, deep, 1000, (mandel_rect){0, 0, 4, 1}, c, 4,
                                          sizeof c));
    mandel_ctx_set(ctx, MANDEL_OPT_FORMULA, MANDEL_FORMULA_MANDELBROT);
    mandel_view_free(deep);

    mandel_view_free(v);
    mandel_location_free(loc);
    mandel_ctx_free(ctx);
    return check_report("test_exact");
}
