/*
 * color/palette.c - the built-in palettes: names, descriptions and their colour tables.
 *
 * Invariant: every palette yields exactly 256 entries and its first and last entries are
 * its first and last stops, unrounded.
 */
#include "color/color.h"

#include <math.h>
#include <string.h>

/* A classic smooth gradient in the spirit of Ultra Fractal's default: deep blue, sky,
 * white, gold, near-black, and back to blue so that it cycles without a seam. */
static const float stops_default[] = {
    0.0f,    0, 7, 100,
    0.16f,   32, 107, 203,
    0.42f,   237, 255, 255,
    0.6425f, 255, 170, 0,
    0.8575f, 0, 2, 0,
    1.0f,    0, 7, 100,
};

static const float stops_grey[] = {
    0.0f, 0, 0, 0,
    1.0f, 255, 255, 255,
};

static const palette palettes[] = {
    {"default", "blue, white, gold and black cycling with the count; black interior",
     COLOR_MAP_CYCLE, NULL, stops_default, 6},
    {"viridis", "matplotlib's default map, linear from the lowest to the highest count "
                "(the tutorial's look)",
     COLOR_MAP_RANGE, palette_viridis, NULL, 0},
    {"magma", "matplotlib's magma, black-purple-orange-white, lowest to highest count",
     COLOR_MAP_RANGE, palette_magma, NULL, 0},
    {"inferno", "matplotlib's inferno, black-purple-orange-yellow, lowest to highest count",
     COLOR_MAP_RANGE, palette_inferno, NULL, 0},
    {"plasma", "matplotlib's plasma, blue-purple-orange-yellow, lowest to highest count",
     COLOR_MAP_RANGE, palette_plasma, NULL, 0},
    {"cividis", "matplotlib's cividis, blue to yellow, readable with colour blindness",
     COLOR_MAP_RANGE, palette_cividis, NULL, 0},
    {"grey", "black to white, linear from the lowest to the highest count",
     COLOR_MAP_RANGE, NULL, stops_grey, 2},
};

#define N_PALETTES ((int)(sizeof palettes / sizeof palettes[0]))

const palette *palette_get(int index)
{
    if (index < 0 || index >= N_PALETTES) return NULL;
    return &palettes[index];
}

void palette_from_stops(const float *stops, int n_stops, uint8_t table[256][3])
{
    int s = 0;
    for (int i = 0; i < 256; i++) {
        float const t = (float)i / 255.0f;
        while (s + 2 < n_stops && t > stops[4 * (s + 1)]) s++;
        const float *const a = &stops[4 * s], *const b = &stops[4 * (s + 1)];
        /* Two stops at one position make a hard edge: take the later colour. */
        float const f = b[0] > a[0] ? (t - a[0]) / (b[0] - a[0]) : 1.0f;
        for (int ch = 0; ch < 3; ch++)
            table[i][ch] = (uint8_t)lrintf(a[1 + ch] + f * (b[1 + ch] - a[1 + ch]));
    }
}

void palette_table(const palette *p, uint8_t table[256][3])
{
    if (p->table != NULL)
        memcpy(table, p->table, 256 * 3);
    else
        palette_from_stops(p->stops, p->n_stops, table);
}

int mandel_palette_find(const char *name, int *index)
{
    if (name == NULL || index == NULL) return MANDEL_EINVAL;
    for (int i = 0; i < N_PALETTES; i++) {
        if (strcmp(palettes[i].name, name) == 0) {
            *index = i;
            return MANDEL_OK;
        }
    }
    if (strcmp(name, "gray") == 0) return mandel_palette_find("grey", index);
    return MANDEL_EFORMAT;
}

const char *mandel_palette_name(int index)
{
    const palette *const p = palette_get(index);
    return p ? p->name : NULL;
}

const char *mandel_palette_describe(int index)
{
    const palette *const p = palette_get(index);
    return p ? p->about : NULL;
}

int mandel_palette_needs_range(int index)
{
    const palette *const p = palette_get(index);
    return p != NULL && p->mapping == COLOR_MAP_RANGE;
}
