/*
 * color/color.c - counts to 8-bit RGB through a palette.
 *
 * Invariant: colouring is a pure function of (settings, count): a pixel's colour does not
 * depend on its neighbours or on how the field was split into bands, so a streamed image
 * equals one coloured whole.
 */
#include "color/color.h"

#include <math.h>
#include <string.h>

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

/* matplotlib's Normalize + Colormap: t = (v - lo) / (hi - lo) in double, index =
 * trunc(t * 256) with t == 1 mapped to the last entry. A flat field (lo == hi) maps to 0. */
static unsigned range_index(uint32_t count, uint32_t lo, uint32_t hi)
{
    if (hi <= lo || count <= lo) return 0;
    if (count >= hi) return 255;
    double const t = (double)(count - lo) / (double)(hi - lo);
    unsigned const idx = (unsigned)(t * 256.0);
    return idx > 255 ? 255 : idx;
}

/* Counts grow fast near the set; sqrt spreads them so the gradient cycles at a pace that
 * looks even from the outside in. One cycle per 8 units of sqrt(count - 1). */
static unsigned cycle_index(uint32_t count)
{
    double const pos = sqrt((double)(count > 0 ? count - 1 : 0)) / 8.0;
    return (unsigned)((pos - floor(pos)) * 256.0) & 255u;
}

int mandel_color_rgb(const mandel_color *color, const uint32_t *counts, size_t n, uint8_t *rgb)
{
    if (color == NULL || (n != 0 && (counts == NULL || rgb == NULL))) return MANDEL_EINVAL;
    for (size_t i = 0; i < n; i++) {
        uint32_t const c = counts[i];
        const uint8_t *px;
        if (color->mapping == MANDEL_MAP_RANGE)
            px = color->table[range_index(c, color->lo, color->hi)];
        else if (c >= color->max_iter)
            px = color->interior;
        else
            px = color->table[cycle_index(c)];
        memcpy(rgb + 3 * i, px, 3);
    }
    return MANDEL_OK;
}
