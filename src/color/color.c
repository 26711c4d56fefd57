/*
 * color/color.c - values (counts or smooth iteration values) to 8-bit RGB through a palette.
 *
 * A value v finds a position t in 0..1 on the palette by the mapping:
 *   RANGE      t = (v - lo) / (hi - lo); the entry trunc(t * 256), as matplotlib does, so the
 *              tutorial's viridis picture comes out exactly; interior points included.
 *   CYCLE      t = frac(sqrt(max(v - 1, 0)) / period + offset): counts grow fast near the
 *              set, and sqrt spreads them so the palette turns at an even pace from the
 *              outside in. Interior points get the interior colour.
 *   LOG        t = log(1 + v - lo) / log(1 + hi - lo); interior colour.
 *   HISTOGRAM  t = the fraction of the field's escaped values below v (equalised); interior
 *              colour.
 * Except for RANGE, neighbouring entries are interpolated, so smooth values give smooth
 * colours.
 *
 * Invariant: colouring is a pure function of (settings, value): a pixel's colour does not
 * depend on its neighbours or on how the field was split into bands, so a streamed image
 * equals one coloured whole.
 */
#include "color/color.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_PERIOD 8.0

int mandel_color_init(mandel_color *color, int index, uint32_t max_iter)
{
    if (color == NULL || palette_get(index) == NULL || max_iter == 0) return MANDEL_EINVAL;
    memset(color, 0, sizeof *color);
    color->palette = index;
    color->mapping = palette_get(index)->mapping == COLOR_MAP_RANGE ? MANDEL_MAP_RANGE
                                                                   : MANDEL_MAP_CYCLE;
    color->max_iter = max_iter;
    color->lo = 0;
    color->hi = max_iter;
    color->period = DEFAULT_PERIOD;
    color->offset = 0;
    palette_table(palette_get(index), color->table);
    return MANDEL_OK;
}

void mandel_color_range(mandel_color *color, const uint32_t *counts, size_t n)
{
    if (color == NULL || counts == NULL || n == 0) return;
    uint32_t lo = counts[0], hi = counts[0];
    for (size_t i = 1; i < n; i++) {
        if (counts[i] < lo) lo = counts[i];
        if (counts[i] > hi) hi = counts[i];
    }
    color->lo = lo;
    color->hi = hi;
}

void mandel_color_range_values(mandel_color *color, const float *values, size_t n)
{
    if (color == NULL || values == NULL || n == 0) return;
    double lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(values[i])) continue;
        if (values[i] < lo) lo = values[i];
        if (values[i] > hi) hi = values[i];
    }
    if (lo > hi) lo = hi = 0;
    color->lo = lo;
    color->hi = hi;
}

/* The histogram's bin of v, 0..MANDEL_HISTOGRAM_BINS-1. */
static size_t bin_of(const mandel_color *color, double v)
{
    double const t = color->hi > color->lo ? (v - color->lo) / (color->hi - color->lo) : 0;
    double const b = t * MANDEL_HISTOGRAM_BINS;
    if (!(b > 0)) return 0;
    return b >= MANDEL_HISTOGRAM_BINS ? MANDEL_HISTOGRAM_BINS - 1 : (size_t)b;
}

void mandel_color_histogram(mandel_color *color, const float *values, size_t n)
{
    if (color == NULL || values == NULL) return;
    /* The range of the escaped values only: the interior would take the top of it. */
    double lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        double const v = values[i];
        if (!(v < color->max_iter)) continue;
        if (v < lo) lo = v;
        if (v > hi) hi = v;
    }
    if (lo > hi) lo = hi = 0;
    color->lo = lo;
    color->hi = hi;
    double counts[MANDEL_HISTOGRAM_BINS] = {0};
    double total = 0;
    for (size_t i = 0; i < n; i++) {
        if (!(values[i] < color->max_iter)) continue;
        counts[bin_of(color, values[i])] += 1;
        total += 1;
    }
    double run = 0;
    color->cdf[0] = 0;
    for (size_t b = 0; b < MANDEL_HISTOGRAM_BINS; b++) {
        run += counts[b];
        color->cdf[b + 1] = total > 0 ? (float)(run / total) : 0.0f;
    }
}

/* matplotlib's Normalize + Colormap: t in double, index = trunc(t * 256), t >= 1 the last
 * entry; a flat field (lo == hi) maps to the first. */
static unsigned range_index(double v, double lo, double hi)
{
    if (!(hi > lo) || !(v > lo)) return 0;
    if (v >= hi) return 255;
    double const t = (v - lo) / (hi - lo);
    unsigned const idx = (unsigned)(t * 256.0);
    return idx > 255 ? 255 : idx;
}

/* The palette at position t (0..1), interpolating neighbouring entries; `cyclic` wraps
 * from the last entry back to the first. */
static void lookup(const mandel_color *color, double t, bool cyclic, uint8_t *out)
{
    if (!(t > 0)) t = 0;
    if (t > 1) t = 1;
    double const x = t * (cyclic ? 256.0 : 255.0);
    unsigned i = (unsigned)x;
    double const f = x - i;
    i &= 255u;
    unsigned const j = cyclic ? (i + 1) & 255u : (i < 255 ? i + 1 : 255);
    for (int ch = 0; ch < 3; ch++) {
        double const a = color->table[i][ch], b = color->table[j][ch];
        out[ch] = (uint8_t)lrint(a + f * (b - a));
    }
}

static void color_value(const mandel_color *color, double v, uint8_t *out)
{
    if (color->mapping == MANDEL_MAP_RANGE) {
        memcpy(out, color->table[range_index(v, color->lo, color->hi)], 3);
        return;
    }
    if (!(v < color->max_iter)) {
        memcpy(out, color->interior, 3);
        return;
    }
    switch (color->mapping) {
    case MANDEL_MAP_CYCLE: {
        double const period = color->period > 0 ? color->period : DEFAULT_PERIOD;
        double const pos = sqrt(v > 1 ? v - 1 : 0) / period + color->offset;
        lookup(color, pos - floor(pos), true, out);
        return;
    }
    case MANDEL_MAP_LOG: {
        double const span = color->hi - color->lo;
        double const t = span > 0 ? log1p(fmax(v - color->lo, 0)) / log1p(span) : 0;
        lookup(color, t, false, out);
        return;
    }
    case MANDEL_MAP_HISTOGRAM: {
        /* Within a bin, interpolate the distribution: a step per bin would show as bands. */
        size_t const b = bin_of(color, v);
        double const span = color->hi - color->lo;
        double const x = span > 0 ? (v - color->lo) / span * MANDEL_HISTOGRAM_BINS - b : 0;
        double const f = x < 0 ? 0 : x > 1 ? 1 : x;
        double const t = color->cdf[b] + f * (color->cdf[b + 1] - color->cdf[b]);
        lookup(color, t, false, out);
        return;
    }
    default: memcpy(out, color->interior, 3); return;
    }
}

int mandel_color_rgb(const mandel_color *color, const uint32_t *counts, size_t n, uint8_t *rgb)
{
    if (color == NULL || (n != 0 && (counts == NULL || rgb == NULL))) return MANDEL_EINVAL;
    for (size_t i = 0; i < n; i++) color_value(color, counts[i], rgb + 3 * i);
    return MANDEL_OK;
}

int mandel_color_values(const mandel_color *color, const float *values, size_t n, uint8_t *rgb)
{
    if (color == NULL || (n != 0 && (values == NULL || rgb == NULL))) return MANDEL_EINVAL;
    for (size_t i = 0; i < n; i++) color_value(color, values[i], rgb + 3 * i);
    return MANDEL_OK;
}

int mandel_color_distance(const mandel_color *color, const float *distance, size_t n,
                          double pixel, uint8_t *rgb)
{
    if (color == NULL || !(pixel > 0) || (n != 0 && (distance == NULL || rgb == NULL)))
        return MANDEL_EINVAL;
    for (size_t i = 0; i < n; i++) {
        double const d = distance[i];
        if (!(d > 0)) {
            memcpy(rgb + 3 * i, color->interior, 3);
            continue;
        }
        lookup(color, log10(1.0 + d / pixel) / 2.0, false, rgb + 3 * i);
    }
    return MANDEL_OK;
}

static int compare_doubles(const void *a, const void *b)
{
    double const x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int mandel_color_auto_period(mandel_color *color, const float *values, size_t n)
{
    if (color == NULL || (values == NULL && n != 0) ||
        n > (size_t)MANDEL_PERIOD_LATTICE * MANDEL_PERIOD_LATTICE)
        return MANDEL_EINVAL;
    color->period = DEFAULT_PERIOD;
    double s[MANDEL_PERIOD_LATTICE * MANDEL_PERIOD_LATTICE];
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        double const v = values[i];
        if (v < color->max_iter) s[m++] = sqrt(v > 1 ? v - 1 : 0); /* NaN fails the test */
    }
    if (m < 16) return MANDEL_OK;
    qsort(s, m, sizeof *s, compare_doubles);
    /* Nearest-rank percentiles: a function of the values alone, not of their order. */
    double const spread = s[(m - 1) * 999 / 1000] - s[(m - 1) / 100];
    /* Less than a turn at the default period: stretch the band to two turns. */
    if (spread > 0 && spread < DEFAULT_PERIOD) color->period = spread / 2;
    return MANDEL_OK;
}
