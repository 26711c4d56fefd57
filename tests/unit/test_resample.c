/*
 * tests/unit/test_resample.c - mandel_values_resample and _rgb: step 1 from whole positions
 * copies the source; other steps are the bilinear blend (or the nearest value next to the
 * interior) of a plain reference; the RGB picture is the source's samples coloured and
 * averaged as a render with anti-aliasing is; the result is the same on 1 and 3 threads;
 * samples outside the source and bad arguments are refused. And the table form of the
 * sRGB encoder (linear.c) gives the formula's byte for every value tried: every byte's own,
 * values around every boundary, and millions of 2x2, 4x4 and 8x8 averages.
 */
#include "../check.h"
#include "color/color.h"
#include "mandel.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static mandel_ctx *ctx;

#define SW 37
#define SH 23
#define LIMIT 1000.0f

static float src[SW * SH];

/* The reference: what one sample at (x, y) should be. */
static float reference(double x, double y)
{
    int const x0 = (int)floor(x), y0 = (int)floor(y);
    int const x1 = x0 + 1 < SW ? x0 + 1 : x0, y1 = y0 + 1 < SH ? y0 + 1 : y0;
    double const fx = x - x0, fy = y - y0;
    float const a = src[y0 * SW + x0], b = src[y0 * SW + x1], c = src[y1 * SW + x0],
                d = src[y1 * SW + x1];
    if (a >= LIMIT || b >= LIMIT || c >= LIMIT || d >= LIMIT)
        return src[(fy < 0.5 ? y0 : y1) * SW + (fx < 0.5 ? x0 : x1)];
    double const top = a * (1 - fx) + b * fx, bottom = c * (1 - fx) + d * fx;
    return (float)(top * (1 - fy) + bottom * fy);
}

/* The table encoder against the formula. */
static void encoders_agree(void)
{
    linear_tables t;
    linear_tables_init(&t);
    int bad = 0;
    for (int b = 0; b < 256; b++) bad += linear_encode_table(&t, t.decode[b]) != b;
    for (int b = 1; b < 256; b++) {
        double x = t.up[b];
        for (int k = 0; k < 40; k++) x = nextafter(x, -1);
        for (int k = 0; k < 80; k++, x = nextafter(x, 2))
            bad += linear_encode_table(&t, x) != linear_encode_formula(x);
        for (double d = -1e-9; d <= 1e-9; d += 1e-11)
            bad += linear_encode_table(&t, t.up[b] + d) != linear_encode_formula(t.up[b] + d);
    }
    uint64_t r = 0x9e3779b97f4a7c15u;
    for (int factor = 2; factor <= 8; factor *= 2) {
        for (int i = 0; i < 1000000; i++) {
            double sum = 0;
            for (int k = 0; k < factor * factor; k++) {
                r ^= r << 13, r ^= r >> 7, r ^= r << 17;
                sum += t.decode[r >> 56];
            }
            double const x = sum * (1.0 / (factor * factor));
            bad += linear_encode_table(&t, x) != linear_encode_formula(x);
        }
    }
    CHECK_EQ_INT(0, bad);
}

int main(void)
{
    encoders_agree();
    ctx = mandel_ctx_new(NULL);
    CHECK_TRUE(ctx != NULL);
    if (ctx == NULL) return 1;
    /* a smooth ramp with a few interior points */
    for (int y = 0; y < SH; y++)
        for (int x = 0; x < SW; x++)
            src[y * SW + x] = (x * 7 + y * 13) % 29 == 0 ? LIMIT : (float)(1.5 + x * 0.7 + y * y * 0.1);
    mandel_resample rs = {.src = src, .src_width = SW, .src_height = SH, .src_stride = SW,
                          .x0 = 2, .y0 = 3, .step = 1, .limit = LIMIT};
    float out[SW * SH], out3[SW * SH];
    /* step 1 from whole positions: the source itself */
    CHECK_EQ_INT(MANDEL_OK, mandel_values_resample(ctx, &rs, 30, 20, out, sizeof out / 4));
    int diff = 0;
    for (int y = 0; y < 20; y++)
        for (int x = 0; x < 30; x++) diff += memcmp(&out[y * 30 + x], &src[(y + 3) * SW + x + 2], 4) != 0;
    CHECK_EQ_INT(0, diff);
    /* another step: the reference, on 1 and 3 threads alike */
    rs = (mandel_resample){.src = src, .src_width = SW, .src_height = SH, .src_stride = SW,
                           .x0 = 0.25, .y0 = 0.6, .step = 1.37, .limit = LIMIT};
    CHECK_EQ_INT(MANDEL_OK, mandel_ctx_set(ctx, MANDEL_OPT_THREADS, 1));
    CHECK_EQ_INT(MANDEL_OK, mandel_values_resample(ctx, &rs, 26, 16, out, sizeof out / 4));
    CHECK_EQ_INT(MANDEL_OK, mandel_ctx_set(ctx, MANDEL_OPT_THREADS, 3));
    CHECK_EQ_INT(MANDEL_OK, mandel_values_resample(ctx, &rs, 26, 16, out3, sizeof out3 / 4));
    CHECK_TRUE(memcmp(out, out3, 26 * 16 * 4) == 0);
    diff = 0;
    int nearest = 0;
    for (int y = 0; y < 16; y++) {
        for (int x = 0; x < 26; x++) {
            float const want = reference(0.25 + x * 1.37, 0.6 + y * 1.37);
            diff += fabsf(out[y * 26 + x] - want) > 1e-5f * fabsf(want);
            nearest += out[y * 26 + x] == LIMIT;
        }
    }
    CHECK_EQ_INT(0, diff);
    CHECK_TRUE(nearest > 0); /* the interior rule was exercised */
    /* RGB: the samples coloured and averaged 2x2, as mandel_color_values and _downsample */
    mandel_color color;
    CHECK_EQ_INT(MANDEL_OK, mandel_color_init(&color, 0, (uint32_t)LIMIT));
    uint8_t rgb[13 * 8 * 3], want_rgb[13 * 8 * 3], samples[26 * 16 * 3];
    CHECK_EQ_INT(MANDEL_OK, mandel_values_resample_rgb(ctx, &rs, &color, 2, 13, 8, rgb, sizeof rgb));
    CHECK_EQ_INT(MANDEL_OK, mandel_color_values(&color, out, 26 * 16, samples));
    for (int r = 0; r < 8; r++)
        CHECK_EQ_INT(MANDEL_OK, mandel_color_downsample(samples + r * 2 * 26 * 3, 26 * 3, 2, 13,
                                                        want_rgb + r * 13 * 3));
    CHECK_TRUE(memcmp(rgb, want_rgb, sizeof rgb) == 0);
    /* refused: outside the source, bad sizes, NULL */
    rs.step = 1.6; /* 0.25 + 25 * 1.6 = 40.25 > 36 */
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_values_resample(ctx, &rs, 26, 16, out, sizeof out / 4));
    CHECK_TRUE(strstr(mandel_errmsg(ctx), "outside") != NULL);
    rs.step = 1.37;
    rs.x0 = -0.01;
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_values_resample(ctx, &rs, 2, 2, out, sizeof out / 4));
    rs.x0 = 0;
    rs.step = 0;
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_values_resample(ctx, &rs, 2, 2, out, sizeof out / 4));
    rs.step = NAN;
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_values_resample(ctx, &rs, 2, 2, out, sizeof out / 4));
    rs.step = 1;
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_values_resample(ctx, &rs, 0, 2, out, sizeof out / 4));
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_values_resample(ctx, &rs, 4, 4, out, 15));
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_values_resample(ctx, NULL, 4, 4, out, 16));
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_values_resample_rgb(ctx, &rs, &color, 9, 2, 2, rgb, 12));
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_values_resample_rgb(ctx, &rs, &color, 2, 2, 2, rgb, 11));
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_values_resample_rgb(ctx, &rs, NULL, 2, 2, 2, rgb, 12));
    /* and the ctx is fine after */
    CHECK_EQ_INT(MANDEL_OK, mandel_values_resample(ctx, &rs, 4, 4, out, 16));
    CHECK_EQ_STR("", mandel_errmsg(ctx));
    mandel_ctx_free(ctx);
    return check_report("test_resample");
}
