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

int mandel_color_downsample(const uint8_t *src, size_t src_stride, uint32_t factor,
                            uint32_t width, uint8_t *dst)
{
    if (src == NULL || dst == NULL || factor < 1 || factor > 8 || width == 0 ||
        src_stride < (size_t)width * factor * 3)
        return MANDEL_EINVAL;
    double table[256];
    for (int b = 0; b < 256; b++) table[b] = decode((uint8_t)b);
    double const scale = 1.0 / (factor * factor);
    for (uint32_t x = 0; x < width; x++) {
        double sum[3] = {0, 0, 0};
        for (uint32_t r = 0; r < factor; r++) {
            const uint8_t *const px = src + r * src_stride + (size_t)x * factor * 3;
            for (uint32_t s = 0; s < factor * 3; s += 3) {
                sum[0] += table[px[s]];
                sum[1] += table[px[s + 1]];
                sum[2] += table[px[s + 2]];
            }
        }
        for (int ch = 0; ch < 3; ch++) dst[3 * x + ch] = encode(sum[ch] * scale);
    }
    return MANDEL_OK;
}
