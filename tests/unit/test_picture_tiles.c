/*
 * tests/unit/test_picture_tiles.c - pictures coloured a piece at a time, as `mandel serve`
 * colours its tiles (mandel_picture_period, mandel_picture_colour_rows,
 * src/picture/picture.c):
 *   - a view cut into tiles (tile views of one anchor, mandel_view_new_tile), each rendered
 *     alone and coloured with the period of the whole view, makes mandel_picture_write()'s
 *     PPM bytes exactly: the default colouring, one where the lattice's period is not 8 (a
 *     narrow band of counts), counts, distances, a period, offset and interior given, and
 *     a deep view (perturbation);
 *   - the period: NaN without a view where the lattice decides it, the given one without
 *     rendering, the same read from the whole view's values, and a view of another size
 *     (a tile's own lattice) refused;
 *   - refused: colourings of the whole picture (histogram, log, a matplotlib map's range),
 *     aa above 1, a view of another size, a NULL field, too small fields, a bad period.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mandel.h"
#include "../check.h"

#include "picture_helpers.h"

/* The picture's RGB from mandel_picture_write() into a PPM in memory (its header skipped). */
static unsigned char *whole_picture(mandel_spec *spec, uint32_t w, uint32_t h)
{
    buffer b = {0};
    mandel_image *image = NULL;
    CHECK_EQ_INT(MANDEL_OK, mandel_image_open_stream(ctx, &image, to_memory, &b,
                                                     MANDEL_FORMAT_PPM, w, h, NULL));
    CHECK_EQ_INT(MANDEL_OK, mandel_picture_write(ctx, spec, image));
    CHECK_EQ_INT(MANDEL_OK, mandel_image_close(image));
    size_t const n = (size_t)w * h * 3;
    CHECK_TRUE(b.len >= n);
    unsigned char *const rgb = malloc(n);
    if (b.len >= n) memcpy(rgb, b.bytes + b.len - n, n);
    free(b.bytes);
    return rgb;
}

/* The picture of `pairs` (w x h) cut into tiles of tw x th, each a tile view of the spec's
 * view rendered alone (the field the colouring reads), coloured with the whole view's
 * period, equals mandel_picture_write()'s. Returns the period. */
static double tiled(const char *const *pairs, uint32_t w, uint32_t h, uint32_t tw, uint32_t th)
{
    mandel_spec *const spec = spec_of(pairs);
    unsigned char *const want = whole_picture(spec, w, h);
    const mandel_view *view = NULL;
    CHECK_EQ_INT(MANDEL_OK, mandel_spec_view(spec, &view));
    uint32_t iterations, width, height, aa;
    mandel_spec_geometry(spec, &width, &height, &aa, &iterations);
    int smooth = 0, distance = 0;
    CHECK_EQ_INT(MANDEL_OK, mandel_picture_needs(spec, MANDEL_FORMAT_PNG, &smooth, &distance));
    /* the period from a tile covering the whole view, as the server takes it */
    mandel_view *all = NULL;
    CHECK_EQ_INT(MANDEL_OK, mandel_view_new_tile(ctx, &all, view, 0, 0, w, h));
    double period = 0;
    CHECK_EQ_INT(MANDEL_OK, mandel_picture_period(ctx, spec, all, NULL, &period));
    CHECK_TRUE(period > 0);
    mandel_view_free(all);
    unsigned char *const got = calloc((size_t)w * h, 3);
    uint32_t *const counts = calloc((size_t)tw * th, 4);
    float *const values = calloc((size_t)tw * th, 4);
    unsigned char *const rgb = calloc((size_t)tw * th, 3);
    for (uint32_t y0 = 0; y0 < h; y0 += th)
        for (uint32_t x0 = 0; x0 < w; x0 += tw) {
            mandel_view *tile = NULL;
            CHECK_EQ_INT(MANDEL_OK, mandel_view_new_tile(ctx, &tile, view, x0, y0, tw, th));
            mandel_fields f = {.stride = tw, .capacity = (size_t)tw * th};
            if (smooth) f.smooth = values;
            else if (distance) f.distance = values;
            else f.counts = counts;
            CHECK_EQ_INT(MANDEL_OK, mandel_render_fields(ctx, tile, iterations,
                                                         (mandel_rect){0, 0, tw, th}, &f));
            mandel_view_free(tile);
            CHECK_EQ_INT(MANDEL_OK, mandel_picture_colour_rows(spec, period, &f, tw, th, rgb));
            for (uint32_t r = 0; r < th && y0 + r < h; r++) {
                uint32_t const n = x0 + tw <= w ? tw : w - x0;
                memcpy(got + ((size_t)(y0 + r) * w + x0) * 3, rgb + (size_t)r * tw * 3,
                       (size_t)n * 3);
            }
        }
    size_t bad = 0;
    for (size_t i = 0; i < (size_t)w * h * 3; i++) bad += got[i] != want[i];
    CHECK_EQ_INT(0, (int)(bad > 0));
    if (bad > 0) fprintf(stderr, "  %s %s ...: %zu bytes differ\n", pairs[0], pairs[1], bad);
    free(got);
    free(counts);
    free(values);
    free(rgb);
    free(want);
    mandel_spec_free(spec);
    return period;
}

static void refused(const char *const *pairs, const char *says)
{
    mandel_spec *const spec = spec_of(pairs);
    double period = 0;
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_picture_period(NULL, spec, NULL, NULL, &period));
    CHECK_TRUE(strstr(mandel_errmsg(ctx), says) != NULL);
    float v[4] = {0};
    mandel_fields const f = {NULL, v, v, 4, 4};
    uint8_t rgb[12];
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_picture_colour_rows(spec, 8, &f, 4, 1, rgb));
    mandel_spec_free(spec);
}

int main(void)
{
    ctx = mandel_ctx_new(NULL);
    const char *const home[] = {"size", "90x60", NULL};
    CHECK_TRUE(tiled(home, 90, 60, 32, 24) == 8);
    /* a narrow band of counts (all escape within a few steps): the lattice's period is not 8 */
    const char *const band[] = {"center", "-2.2,0.4", "radius", "0.2", "size", "96x64",
                                "iterations", "3000", NULL};
    double const p = tiled(band, 96, 64, 40, 30);
    CHECK_TRUE(p > 0 && p != 8);
    const char *const counts[] = {"size", "70x50", "color", "count", NULL};
    tiled(counts, 70, 50, 32, 32);
    const char *const dist[] = {"center", "-0.1,0.9", "radius", "0.3", "size", "64x48",
                                "color", "distance", NULL};
    tiled(dist, 64, 48, 20, 20);
    const char *const given[] = {"size", "64x48", "palette-period", "3.5", "palette-offset",
                                 "0.25", "interior", "#203040", NULL};
    CHECK_TRUE(tiled(given, 64, 48, 64, 16) == 3.5);
    const char *const deep[] = {"center", "-1.7499576837060935036022145060706997072711"
                                "1528035348591794,0", "zoom", "1e40", "size", "64x40",
                                "iterations", "2000", NULL};
    tiled(deep, 64, 40, 24, 24);

    /* without a view: NaN where the lattice decides, the given period without rendering */
    mandel_spec *spec = spec_of(band);
    double period = 0;
    CHECK_EQ_INT(MANDEL_OK, mandel_picture_period(NULL, spec, NULL, NULL, &period));
    CHECK_TRUE(isnan(period));
    /* a tile's own lattice is another picture's: another period */
    const mandel_view *view = NULL;
    CHECK_EQ_INT(MANDEL_OK, mandel_spec_view(spec, &view));
    mandel_view *corner = NULL;
    CHECK_EQ_INT(MANDEL_OK, mandel_view_new_tile(ctx, &corner, view, 0, 0, 48, 32));
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_picture_period(ctx, spec, corner, NULL, &period));
    CHECK_TRUE(strstr(mandel_errmsg(ctx), "the view is 48x32, the picture 96x64") != NULL);
    mandel_view_free(corner);
    /* the same period read from the whole view's values, and refused without them */
    float *const all_values = calloc(96 * 64, 4);
    mandel_fields whole = {NULL, all_values, NULL, 96, 96 * 64};
    CHECK_EQ_INT(MANDEL_OK, mandel_render_fields(ctx, view, 3000, (mandel_rect){0, 0, 96, 64},
                                                 &whole));
    double from_values = 0;
    CHECK_EQ_INT(MANDEL_OK, mandel_picture_period(NULL, spec, NULL, &whole, &from_values));
    CHECK_TRUE(from_values == p);
    whole.stride = 100;
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_picture_period(NULL, spec, NULL, &whole, &from_values));
    whole = (mandel_fields){(uint32_t *)(void *)all_values, NULL, NULL, 96, 96 * 64};
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_picture_period(NULL, spec, NULL, &whole, &from_values));
    CHECK_TRUE(strstr(mandel_errmsg(ctx), "smooth values of 96x64") != NULL);
    free(all_values);
    uint32_t c[4] = {1, 2, 3, 4};
    uint8_t rgb[12];
    mandel_fields f = {c, NULL, NULL, 4, 4};
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_picture_colour_rows(spec, 8, &f, 4, 1, rgb));
    CHECK_TRUE(strstr(mandel_errmsg(ctx), "NULL") != NULL);
    float v[4] = {1, 2, 3, 4};
    f.smooth = v;
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_picture_colour_rows(spec, NAN, &f, 4, 1, rgb));
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_picture_colour_rows(spec, 8, &f, 4, 2, rgb));
    CHECK_EQ_INT(MANDEL_OK, mandel_picture_colour_rows(spec, 8, &f, 4, 1, rgb));
    mandel_spec_free(spec);
    spec = spec_of(given);
    CHECK_EQ_INT(MANDEL_OK, mandel_picture_period(NULL, spec, NULL, NULL, &period));
    CHECK_TRUE(period == 3.5);
    mandel_spec_free(spec);

    const char *const hist[] = {"color", "histogram", NULL};
    refused(hist, "--color histogram with palette 'default': colours by the range of the "
                  "whole picture");
    const char *const lg[] = {"color", "log", NULL};
    refused(lg, "--color log");
    const char *const range[] = {"palette", "viridis", NULL};
    refused(range, "palette 'viridis'");
    const char *const aa[] = {"aa", "2", NULL};
    refused(aa, "--aa 2");
    mandel_ctx_free(ctx);
    return check_report("test_picture_tiles");
}
