/*
 * color/linear.c - averaging colours in linear light, for anti-aliasing.
 *
 * sRGB bytes are gamma-encoded: averaging them directly darkens edges (the mean of black
 * and white would be 128, which looks like 22% grey, not 50%). Samples are decoded to
 * linear light with the sRGB transfer function, averaged, and encoded back.
 *
 * Invariant: encode(decode(b)) == b for every byte b, so averaging identical samples
 * returns them unchanged: anti-aliasing a flat region changes nothing.
 */
#include <math.h>

#include "color/color.h"

static double decode(uint8_t b)
{
    double const v = b / 255.0;
    return v <= 0.04045 ? v / 12.92 : pow((v + 0.055) / 1.055, 2.4);
}

static uint8_t encode(double linear)
{
    double const v = linear <= 0.0031308 ? 12.92 * linear : 1.055 * pow(linear, 1 / 2.4) - 0.055;
    long const b = lround(v * 255.0);
    return (uint8_t)(b < 0 ? 0 : b > 255 ? 255 : b);
}

/* The byte of x by a binary search over the boundaries: up[lo] <= x < up[lo + 1]. */
static unsigned search(const linear_tables *t, double x)
{
    unsigned lo = 0, hi = 256; /* up[lo] <= x < up[hi] */
    while (hi - lo > 1) {
        unsigned const mid = (lo + hi) / 2;
        if (t->up[mid] <= x) lo = mid;
        else hi = mid;
    }
    return lo;
}

void linear_tables_init(linear_tables *t)
{
    for (int b = 0; b < 256; b++) t->decode[b] = decode((uint8_t)b);
    /* encode(x) >= b from the x where the formula's v*255 reaches b - 0.5: its inverse */
    t->up[0] = -INFINITY;
    t->up[256] = INFINITY;
    for (int b = 1; b < 256; b++) {
        double const v = (b - 0.5) / 255.0;
        t->up[b] = v <= 0.04045 ? v / 12.92 : pow((v + 0.055) / 1.055, 2.4);
    }
    for (int k = 0; k <= LINEAR_BUCKETS; k++)
        t->bucket[k] = (uint8_t)search(t, (double)k / LINEAR_BUCKETS);
}

/* encode(), by the tables: the b with up[b] <= x < up[b + 1], from x's bucket (the curve is
 * at most 3300 bytes a unit steep, under one boundary a bucket); the formula itself where x
 * lies so close to a boundary that the inverse's rounding could decide otherwise. */
uint8_t linear_encode_exact(const linear_tables *t, double x)
{
    unsigned b;
    if (x >= 0 && x < 1) {
        b = t->bucket[(unsigned)(x * LINEAR_BUCKETS)];
        while (t->up[b + 1] <= x) b++;
    } else {
        b = search(t, x);
    }
    if (x - t->up[b] < 1e-12 || t->up[b + 1] - x < 1e-12) return encode(x);
    return (uint8_t)b;
}

void linear_downsample(const linear_tables *t, const uint8_t *src, size_t src_stride,
                       uint32_t factor, uint32_t width, uint8_t *dst)
{
    double const scale = 1.0 / (factor * factor);
    for (uint32_t x = 0; x < width; x++) {
        double sum[3] = {0, 0, 0};
        for (uint32_t r = 0; r < factor; r++) {
            const uint8_t *const px = src + r * src_stride + (size_t)x * factor * 3;
            for (uint32_t s = 0; s < factor * 3; s += 3) {
                sum[0] += t->decode[px[s]];
                sum[1] += t->decode[px[s + 1]];
                sum[2] += t->decode[px[s + 2]];
            }
        }
        for (int ch = 0; ch < 3; ch++) dst[3 * x + ch] = linear_encode(t, sum[ch] * scale);
    }
}

int mandel_color_downsample(const uint8_t *src, size_t src_stride, uint32_t factor,
                            uint32_t width, uint8_t *dst)
{
    if (src == NULL || dst == NULL || factor < 1 || factor > 8 || width == 0 ||
        src_stride < (size_t)width * factor * 3)
        return MANDEL_EINVAL;
    linear_tables t;
    linear_tables_init(&t);
    linear_downsample(&t, src, src_stride, factor, width, dst);
    return MANDEL_OK;
}

uint8_t linear_encode_formula(double x) { return encode(x); }
uint8_t linear_encode_table(const linear_tables *t, double x) { return linear_encode(t, x); }
