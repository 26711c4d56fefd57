/*
 * tests/unit/test_area.c - mandel_rgb_area: at step 1 from whole positions it is
 * mandel_color_downsample's average byte for byte (aa 1 copies); at other steps and
 * offsets each pixel is within one byte of a brute-force box filter (every source sample
 * against the pixel's rectangle, overlap area by area, in linear light by the formula); a
 * flat source stays flat; the bytes are the same on 1 and 3 threads; rectangles reaching
 * outside the source and bad arguments are refused.
 */
#include "../check.h"
#include "color/color.h"
#include "mandel.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define SW 41
#define SH 29

static uint8_t src[SH][SW][3];

static double srgb_decode(uint8_t b)
{
    double const v = b / 255.0;
    return v <= 0.04045 ? v / 12.92 : pow((v + 0.055) / 1.055, 2.4);
}

/* The brute force: pixel (x, y) of aa x aa samples from (x0, y0) by step. */
static void reference(double x0, double y0, double step, uint32_t aa, uint32_t x, uint32_t y,
                      uint8_t out[3])
{
    double const lx = x0 + ((double)x * aa - 0.5) * step, ly = y0 + ((double)y * aa - 0.5) * step;
    double const hx = lx + aa * step, hy = ly + aa * step;
    double sum[3] = {0, 0, 0}, area = 0;
    for (int j = 0; j < SH; j++) {
        for (int i = 0; i < SW; i++) {
            double const ox = fmin(hx, i + 0.5) - fmax(lx, i - 0.5);
            double const oy = fmin(hy, j + 0.5) - fmax(ly, j - 0.5);
            if (ox <= 0 || oy <= 0) continue;
            area += ox * oy;
            for (int c = 0; c < 3; c++) sum[c] += ox * oy * srgb_decode(src[j][i][c]);
        }
    }
    for (int c = 0; c < 3; c++) out[c] = linear_encode_formula(sum[c] / area);
}

int main(void)
{
    mandel_ctx *const ctx = mandel_ctx_new(NULL);
    CHECK_TRUE(ctx != NULL);
    if (ctx == NULL) return 1;
    uint64_t r = 0x2545f4914f6cdd1du;
    for (int y = 0; y < SH; y++)
        for (int x = 0; x < SW; x++)
            for (int c = 0; c < 3; c++) {
                r ^= r << 13, r ^= r >> 7, r ^= r << 17;
                src[y][x][c] = (uint8_t)(r >> 56);
            }
    mandel_area area = {.src = &src[0][0][0], .src_width = SW, .src_height = SH,
                        .src_stride = SW * 3, .x0 = 1, .y0 = 2, .step = 1};
    static uint8_t out[4 * SW * SH * 3], out3[4 * SW * SH * 3], want[SW * SH * 3];
    /* step 1 from whole positions: the render's anti-aliasing, byte for byte */
    for (uint32_t aa = 1; aa <= 3; aa++) {
        uint32_t const w = 36 / aa, h = 24 / aa;
        CHECK_EQ_INT(MANDEL_OK, mandel_rgb_area(ctx, &area, aa, w, h, out, sizeof out));
        for (uint32_t y = 0; y < h; y++)
            CHECK_EQ_INT(MANDEL_OK, mandel_color_downsample(&src[2 + y * aa][1][0], SW * 3, aa,
                                                            w, want + (size_t)y * w * 3));
        CHECK_TRUE(memcmp(out, want, (size_t)w * h * 3) == 0);
    }
    CHECK_TRUE(memcmp(out, want, 3) == 0);
    /* other steps and offsets: the brute force within a byte, on 1 and 3 threads alike */
    static const double steps[][3] = {{0.5, 0.5, 1.37}, {1.2, 0.75, 1.5}, {0.6, 1.1, 1.999},
                                      {3.3, 2.25, 0.61}};
    int far = 0, checked = 0;
    for (size_t t = 0; t < sizeof steps / sizeof steps[0]; t++) {
        for (uint32_t aa = 1; aa <= 2; aa++) {
            area.x0 = steps[t][0];
            area.y0 = steps[t][1];
            area.step = steps[t][2];
            uint32_t const w = (uint32_t)((SW - 1 - area.x0) / area.step) / aa;
            uint32_t const h = (uint32_t)((SH - 1 - area.y0) / area.step) / aa;
            CHECK_EQ_INT(MANDEL_OK, mandel_ctx_set(ctx, MANDEL_OPT_THREADS, 1));
            CHECK_EQ_INT(MANDEL_OK, mandel_rgb_area(ctx, &area, aa, w, h, out, sizeof out));
            CHECK_EQ_INT(MANDEL_OK, mandel_ctx_set(ctx, MANDEL_OPT_THREADS, 3));
            CHECK_EQ_INT(MANDEL_OK, mandel_rgb_area(ctx, &area, aa, w, h, out3, sizeof out3));
            CHECK_TRUE(memcmp(out, out3, (size_t)w * h * 3) == 0);
            for (uint32_t y = 0; y < h; y++) {
                for (uint32_t x = 0; x < w; x++) {
                    uint8_t ref[3];
                    reference(area.x0, area.y0, area.step, aa, x, y, ref);
                    for (int c = 0; c < 3; c++)
                        far += abs(out[(y * w + x) * 3 + c] - ref[c]) > 1;
                    checked++;
                }
            }
        }
    }
    CHECK_EQ_INT(0, far);
    CHECK_TRUE(checked > 500);
    /* a flat source stays flat, whatever the filter covers */
    static uint8_t flat[SH][SW][3];
    for (int y = 0; y < SH; y++)
        for (int x = 0; x < SW; x++) memcpy(flat[y][x], (uint8_t[]){17, 140, 251}, 3);
    mandel_area const fa = {.src = &flat[0][0][0], .src_width = SW, .src_height = SH,
                            .src_stride = SW * 3, .x0 = 0.7, .y0 = 0.9, .step = 1.618};
    CHECK_EQ_INT(MANDEL_OK, mandel_rgb_area(ctx, &fa, 2, 11, 7, out, sizeof out));
    int changed = 0;
    for (int i = 0; i < 11 * 7; i++) changed += memcmp(out + 3 * i, flat[0][0], 3) != 0;
    CHECK_EQ_INT(0, changed);
    /* refused: a rectangle outside the source, bad steps and sizes, NULL */
    area = (mandel_area){.src = &src[0][0][0], .src_width = SW, .src_height = SH,
                         .src_stride = SW * 3, .x0 = -0.01, .y0 = 0, .step = 1};
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_rgb_area(ctx, &area, 1, 2, 2, out, sizeof out));
    CHECK_TRUE(strstr(mandel_errmsg(ctx), "cover") != NULL);
    area.x0 = 0; /* edge to edge: the samples' own squares */
    CHECK_EQ_INT(MANDEL_OK, mandel_rgb_area(ctx, &area, 1, SW, 2, out, sizeof out));
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_rgb_area(ctx, &area, 1, SW + 1, 2, out, sizeof out));
    area.step = 0;
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_rgb_area(ctx, &area, 1, 2, 2, out, sizeof out));
    area.step = NAN;
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_rgb_area(ctx, &area, 1, 2, 2, out, sizeof out));
    area.step = 1;
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_rgb_area(ctx, &area, 9, 2, 2, out, sizeof out));
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_rgb_area(ctx, &area, 1, 0, 2, out, sizeof out));
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_rgb_area(ctx, &area, 1, 2, 2, out, 11));
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_rgb_area(ctx, NULL, 1, 2, 2, out, sizeof out));
    area.src_stride = SW * 3 - 1;
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_rgb_area(ctx, &area, 1, 2, 2, out, sizeof out));
    area.src_stride = SW * 3;
    CHECK_EQ_INT(MANDEL_OK, mandel_rgb_area(ctx, &area, 1, 2, 2, out, sizeof out));
    CHECK_EQ_STR("", mandel_errmsg(ctx));
    mandel_ctx_free(ctx);
    return check_report("test_area");
}
