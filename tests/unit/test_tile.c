/*
 * tests/unit/test_tile.c - mandel_view_new_tile: tiles inside their anchor render its
 * pixels bit for bit (DOUBLE, PERTURB, MPFR), tiles beyond it render what a view shifted by
 * a whole number of pixels renders (centres and steps chosen dyadic, so the shifted view's
 * coordinates are exact), and bad arguments are refused.
 */
#include "../check.h"
#include "mandel.h"

#include <mpfr.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static mandel_ctx *ctx;

/* Counts and smooth values of `rect` of `v` with `engine`. */
static bool render(const mandel_view *v, mandel_engine engine, uint32_t iter, mandel_rect rect,
                   uint32_t *counts, float *smooth)
{
    CHECK_EQ_INT(MANDEL_OK, mandel_ctx_set(ctx, MANDEL_OPT_ENGINE, engine));
    mandel_fields const f = {.counts = counts, .smooth = smooth, .stride = rect.width,
                             .capacity = (size_t)rect.width * rect.height};
    int const err = mandel_render_fields(ctx, v, iter, rect, &f);
    CHECK_EQ_INT(MANDEL_OK, err);
    if (err != MANDEL_OK) fprintf(stderr, "render: %s\n", mandel_errmsg(ctx));
    return err == MANDEL_OK;
}

/* The pixels of tile (col0, row0, w, h) of `anchor` against `want` (want_w wide, the tile's
 * pixel (i, k) at want[(y0 + k) * want_w + x0 + i]): the number of differing counts or
 * smooth values. */
static uint64_t tile_diff(const mandel_view *anchor, mandel_engine engine, uint32_t iter,
                          int64_t col0, int64_t row0, uint32_t w, uint32_t h,
                          const uint32_t *want_c, const float *want_s, uint32_t want_w,
                          uint32_t x0, uint32_t y0)
{
    mandel_view *t = NULL;
    CHECK_EQ_INT(MANDEL_OK, mandel_view_new_tile(ctx, &t, anchor, col0, row0, w, h));
    if (t == NULL) return UINT64_MAX;
    CHECK_EQ_INT(mandel_view_engine(anchor), mandel_view_engine(t));
    uint32_t *const c = malloc((size_t)w * h * sizeof *c);
    float *const s = malloc((size_t)w * h * sizeof *s);
    uint64_t bad = UINT64_MAX;
    if (c != NULL && s != NULL && render(t, engine, iter, (mandel_rect){0, 0, w, h}, c, s)) {
        bad = 0;
        for (uint32_t k = 0; k < h; k++) {
            for (uint32_t i = 0; i < w; i++) {
                size_t const a = (size_t)(y0 + k) * want_w + x0 + i, b = (size_t)k * w + i;
                if (c[b] != want_c[a] || memcmp(&s[b], &want_s[a], sizeof *s) != 0) bad++;
            }
        }
    }
    free(c);
    free(s);
    mandel_view_free(t);
    return bad;
}

/* (a) Tiles inside the anchor, at its corners, edges and middle, and one tile of a tile,
 * equal the anchor's own render bit for bit. */
static void inside(const char *what, const mandel_view *anchor, mandel_engine engine,
                   uint32_t iter)
{
    uint32_t const w = mandel_view_width(anchor), h = mandel_view_height(anchor);
    uint32_t *const c = malloc((size_t)w * h * sizeof *c);
    float *const s = malloc((size_t)w * h * sizeof *s);
    CHECK_TRUE(c != NULL && s != NULL);
    if (c == NULL || s == NULL || !render(anchor, engine, iter, (mandel_rect){0, 0, w, h}, c, s)) {
        free(c);
        free(s);
        return;
    }
    /* a picture, not one colour: else equal pixels would prove little */
    uint32_t distinct = 0;
    for (size_t p = 1; p < (size_t)w * h; p++) distinct += c[p] != c[p - 1];
    CHECK_TRUE(distinct >= 3);
    if (distinct < 3) fprintf(stderr, "%s: the anchor is nearly uniform\n", what);
    uint32_t const places[][4] = {
        {0, 0, w, h}, {0, 0, 7, 5}, {w - 9, h - 4, 9, 4}, {w / 3, h / 4, w / 2, h / 2},
        {1, h - 1, w - 1, 1}, {w - 1, 0, 1, h},
    };
    for (size_t p = 0; p < sizeof places / sizeof *places; p++) {
        uint32_t const *const q = places[p];
        uint64_t const bad = tile_diff(anchor, engine, iter, q[0], q[1], q[2], q[3], c, s, w,
                                       q[0], q[1]);
        CHECK_TRUE(bad == 0);
        if (bad != 0)
            fprintf(stderr, "%s: tile %ux%u at (%u,%u): %llu pixels differ\n", what, q[2], q[3],
                    q[0], q[1], (unsigned long long)bad);
    }
    /* A tile of a tile: offsets add up. */
    mandel_view *t = NULL;
    CHECK_EQ_INT(MANDEL_OK, mandel_view_new_tile(ctx, &t, anchor, -5, 3, w, h));
    CHECK_EQ_INT(0, tile_diff(t, engine, iter, 8, -1, 6, 4, c, s, w, 3, 2));
    mandel_view_free(t);
    free(c);
    free(s);
}

/* The Re and Im lines of a .kfr file, into re and im (each `size` bytes). */
static bool kfr_centre(const char *path, char *re, char *im, size_t size)
{
    FILE *const f = fopen(path, "r");
    CHECK_TRUE(f != NULL);
    if (f == NULL) return false;
    char *line = malloc(size + 8);
    bool got_re = false, got_im = false;
    while (line != NULL && fgets(line, (int)size + 8, f) != NULL) {
        line[strcspn(line, "\r\n")] = '\0';
        if (strncmp(line, "Re: ", 4) == 0) got_re = snprintf(re, size, "%s", line + 4) > 0;
        if (strncmp(line, "Im: ", 4) == 0) got_im = snprintf(im, size, "%s", line + 4) > 0;
    }
    free(line);
    fclose(f);
    CHECK_TRUE(got_re && got_im);
    return got_re && got_im;
}

static void tiles_inside(void)
{
    mandel_view *v = NULL;
    CHECK_EQ_INT(MANDEL_OK, mandel_view_new_center(ctx, &v, 61, 40, "-0.75", "0", "1.25"));
    inside("home, double", v, MANDEL_ENGINE_DOUBLE, 500);
    inside("home, perturb", v, MANDEL_ENGINE_PERTURB, 500);
    mandel_view_free(v);
    CHECK_EQ_INT(MANDEL_OK, mandel_view_new_bounds(ctx, &v, 50, 33, -2.5, 1, -1, 1));
    inside("bounds, double", v, MANDEL_ENGINE_DOUBLE, 300);
    mandel_view_free(v);
    CHECK_EQ_INT(MANDEL_OK, mandel_view_new_center(ctx, &v, 48, 31, "-0.743643887037151",
                                                   "0.131825904205330", "1e-10"));
    inside("1e-10, double", v, MANDEL_ENGINE_DOUBLE, 3000);
    inside("1e-10, perturb", v, MANDEL_ENGINE_PERTURB, 3000);
    mandel_view_free(v);
    /* c = i, a Misiurewicz point: spirals at every depth, here a zoom of 1e300. */
    CHECK_EQ_INT(MANDEL_OK, mandel_view_new_center(ctx, &v, 40, 26, "0", "1", "2e-300"));
    inside("1e300 at i, perturb", v, MANDEL_ENGINE_PERTURB, 4000);
    mandel_view_free(v);
    CHECK_EQ_INT(MANDEL_OK, mandel_view_new_center(ctx, &v, 12, 9, "0", "1", "2e-300"));
    inside("1e300 at i, mpfr", v, MANDEL_ENGINE_MPFR, 4000);
    mandel_view_free(v);
    /* A minibrot of a .kfr at its own zoom (1e200). */
    static char re[4096], im[4096];
    if (kfr_centre(MANDEL_TEST_DATA "/deep/near-i-1e200.kfr", re, im, sizeof re)) {
        CHECK_EQ_INT(MANDEL_OK, mandel_view_new_zoom(ctx, &v, 40, 26, re, im, "1e200"));
        inside("1e200 minibrot, perturb", v, MANDEL_ENGINE_PERTURB, 6000);
        mandel_view_free(v);
    }
}

/* (b) Tiles beyond the anchor against `shifted` views (centre moved by whole pixels,
 * exactly): with `exact` bit for bit, else on at least 99% of the pixels. */
static void beyond(const char *what, const mandel_view *anchor, const mandel_view *shifted,
                   int64_t dx, int64_t dy, mandel_engine engine, mandel_engine shifted_engine,
                   uint32_t iter, bool exact)
{
    uint32_t const w = mandel_view_width(shifted), h = mandel_view_height(shifted);
    uint32_t *const c = malloc((size_t)w * h * sizeof *c);
    float *const s = malloc((size_t)w * h * sizeof *s);
    CHECK_TRUE(c != NULL && s != NULL);
    if (c != NULL && s != NULL &&
        render(shifted, shifted_engine, iter, (mandel_rect){0, 0, w, h}, c, s)) {
        /* the whole shifted view, and a part of it */
        uint64_t bad = tile_diff(anchor, engine, iter, dx, dy, w, h, c, s, w, 0, 0);
        bad += tile_diff(anchor, engine, iter, dx + 3, dy + 2, w - 5, h - 4, c, s, w, 3, 2);
        uint64_t const all = (uint64_t)w * h * 2;
        if (bad != 0)
            fprintf(stderr, "%s: %llu of %llu pixels differ\n", what, (unsigned long long)bad,
                    (unsigned long long)all);
        CHECK_TRUE(exact ? bad == 0 : bad * 100 <= all);
        /* ... and the tile is not the anchor's picture itself */
        if (dx != 0 || dy != 0) {
            uint64_t const differ = tile_diff(anchor, engine, iter, 0, 0, w, h, c, s, w, 0, 0);
            CHECK_TRUE(differ != 0);
            if (differ == 0) fprintf(stderr, "%s: the anchor's own pixels agree too\n", what);
        }
    }
    free(c);
    free(s);
}

/* `x` + pixels * 2^step_exp as exact hexadecimal text into buf. */
static void dyadic_text(mpfr_srcptr x, int64_t pixels, long step_exp, char *buf, size_t size)
{
    mpfr_t t;
    mpfr_init2(t, mpfr_get_prec(x) + 64);
    mpfr_set_si(t, (long)pixels, MPFR_RNDN);
    mpfr_mul_2si(t, t, step_exp, MPFR_RNDN);
    mpfr_add(t, t, x, MPFR_RNDN); /* exact: the precision covers both */
    mpfr_snprintf(buf, size, "%Ra", t);
    mpfr_clear(t);
}

static void tiles_beyond(void)
{
    /* Step 2^-6 (radius 0.5 on 64 rows), centre -0.75 + 0.125i. */
    static const int64_t shifts[][2] = {{80, 70}, {-100, -37}, {64, 0}, {-3, 64}, {500, -900}};
    for (size_t n = 0; n < sizeof shifts / sizeof *shifts; n++) {
        mandel_view *a = NULL, *b = NULL;
        char re[64], im[64], what[80];
        snprintf(re, sizeof re, "%.20g", -0.75 + shifts[n][0] * 0x1p-6);
        snprintf(im, sizeof im, "%.20g", 0.125 - shifts[n][1] * 0x1p-6);
        CHECK_EQ_INT(MANDEL_OK, mandel_view_new_center(ctx, &a, 64, 64, "-0.75", "0.125", "0.5"));
        CHECK_EQ_INT(MANDEL_OK, mandel_view_new_center(ctx, &b, 30, 20, re, im, "0.15625"));
        /* b: step 2*0.15625/20 = 2^-6, its centre pixel offsets (29/2, 19/2) from the
         * anchor's pixel (shift + 31.5 - 14.5, ...) */
        snprintf(what, sizeof what, "double, shift %lld,%lld", (long long)shifts[n][0],
                 (long long)shifts[n][1]);
        beyond(what, a, b, shifts[n][0] + 17, shifts[n][1] + 22, MANDEL_ENGINE_DOUBLE,
               MANDEL_ENGINE_DOUBLE, 400, true);
        mandel_view_free(a);
        mandel_view_free(b);
    }
    /* The same with a bounds view: dx = dy = 2^-5 from (-2, 1). */
    mandel_view *a = NULL, *b = NULL;
    CHECK_EQ_INT(MANDEL_OK, mandel_view_new_bounds(ctx, &a, 32, 32, -2, -1, 0, 1));
    CHECK_EQ_INT(MANDEL_OK, mandel_view_new_bounds(ctx, &b, 32, 16, -2 + 40 * 0x1p-5,
                                                   -1 + 40 * 0x1p-5, 1 - 48 * 0x1p-5 - 0.5,
                                                   1 - 48 * 0x1p-5));
    beyond("bounds", a, b, 40, 48, MANDEL_ENGINE_DOUBLE, MANDEL_ENGINE_DOUBLE, 300, true);
    mandel_view_free(a);
    mandel_view_free(b);

    /* Deep: step 2^-700 (about 1e-211), centre i plus a few hundred steps (spirals). */
    mpfr_t cre, cim;
    mpfr_inits2(800, cre, cim, (mpfr_ptr)NULL);
    mpfr_set_si_2exp(cre, 37, -700, MPFR_RNDN);
    mpfr_set_si_2exp(cim, -21, -700, MPFR_RNDN);
    mpfr_add_ui(cim, cim, 1, MPFR_RNDN);
    static const int64_t deep_shifts[][2] = {{40, -25}, {-300, 7}};
    for (size_t n = 0; n < sizeof deep_shifts / sizeof *deep_shifts; n++) {
        static char are[512], aim[512], bre[512], bim[512];
        int64_t const sx = deep_shifts[n][0], sy = deep_shifts[n][1];
        dyadic_text(cre, 0, -700, are, sizeof are);
        dyadic_text(cim, 0, -700, aim, sizeof aim);
        dyadic_text(cre, sx, -700, bre, sizeof bre);
        dyadic_text(cim, -sy, -700, bim, sizeof bim);
        /* anchor 16 x 16 (radius 8 steps), shifted view 10 x 8 (radius 4 steps) */
        CHECK_EQ_INT(MANDEL_OK, mandel_view_new_center(ctx, &a, 16, 16, are, aim, "0x1p-697"));
        CHECK_EQ_INT(MANDEL_OK, mandel_view_new_center(ctx, &b, 10, 8, bre, bim, "0x1p-698"));
        if (a == NULL || b == NULL) break;
        CHECK_EQ_INT(MANDEL_ENGINE_PERTURB, mandel_view_engine(a));
        /* b's pixel (0, 0) is the anchor's (sx + 7.5 - 4.5, sy + 7.5 - 3.5) */
        char what[80];
        snprintf(what, sizeof what, "deep mpfr, shift %lld,%lld", (long long)sx,
                 (long long)sy);
        beyond(what, a, b, sx + 3, sy + 4, MANDEL_ENGINE_MPFR, MANDEL_ENGINE_MPFR, 4000, true);
        snprintf(what, sizeof what, "deep perturb, shift %lld,%lld", (long long)sx,
                 (long long)sy);
        beyond(what, a, b, sx + 3, sy + 4, MANDEL_ENGINE_PERTURB, MANDEL_ENGINE_MPFR, 4000,
               false);
        mandel_view_free(a);
        mandel_view_free(b);
        a = b = NULL;
    }
    mpfr_clears(cre, cim, (mpfr_ptr)NULL);
}

/* (c) Refusals, each with a message. */
static void bad_tiles(void)
{
    mandel_view *a = NULL, *t = (mandel_view *)&t;
    CHECK_EQ_INT(MANDEL_OK, mandel_view_new_center(ctx, &a, 64, 48, "-0.75", "0", "1.25"));
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_view_new_tile(NULL, &t, a, 0, 0, 8, 8));
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_view_new_tile(ctx, NULL, a, 0, 0, 8, 8));
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_view_new_tile(ctx, &t, NULL, 0, 0, 8, 8));
    CHECK_TRUE(t == NULL);
    CHECK_TRUE(strstr(mandel_errmsg(ctx), "anchor") != NULL);
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_view_new_tile(ctx, &t, a, 0, 0, 0, 8));
    CHECK_TRUE(strstr(mandel_errmsg(ctx), "empty") != NULL);
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_view_new_tile(ctx, &t, a, 0, 0, 8, 0));
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_view_new_tile(ctx, &t, a, INT64_MAX, 0, 8, 8));
    CHECK_TRUE(strstr(mandel_errmsg(ctx), "too far") != NULL);
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_view_new_tile(ctx, &t, a, 0, INT64_MIN, 8, 8));
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_view_new_tile(ctx, &t, a, INT64_C(1) << 31, 0, 8, 8));
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_view_new_tile(ctx, &t, a, (INT64_C(1) << 31) - 4, 0,
                                                     8, 8));
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_view_new_tile(ctx, &t, a, 0, 0, UINT32_MAX, 8));
    CHECK_TRUE(t == NULL);
    /* 2^30 pixels are fine; 2^30 more from a tile of a tile are not. */
    CHECK_EQ_INT(MANDEL_OK, mandel_view_new_tile(ctx, &t, a, INT64_C(1) << 30, -(INT64_C(1) << 30),
                                                 8, 8));
    mandel_view *tt = NULL;
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_view_new_tile(ctx, &tt, t, INT64_C(1) << 30, 0, 8, 8));
    CHECK_TRUE(tt == NULL);
    mandel_view_free(t);
    mandel_view_free(a);
    /* Coordinates beyond 1e300: a step of 1e298 times 2^30 pixels. */
    CHECK_EQ_INT(MANDEL_OK, mandel_view_new_center(ctx, &a, 4, 4, "0", "0", "1e298"));
    t = NULL;
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_view_new_tile(ctx, &t, a, INT64_C(1) << 30, 0, 4, 4));
    CHECK_TRUE(strstr(mandel_errmsg(ctx), "1e300") != NULL);
    CHECK_TRUE(t == NULL);
    mandel_view_free(a);
}

int main(void)
{
    ctx = mandel_ctx_new(NULL);
    CHECK_TRUE(ctx != NULL);
    if (ctx == NULL) return 1;
    CHECK_EQ_INT(MANDEL_OK, mandel_ctx_set(ctx, MANDEL_OPT_THREADS, 2));
    tiles_inside();
    tiles_beyond();
    bad_tiles();
    mandel_ctx_free(ctx);
    return check_report("test_tile");
}
