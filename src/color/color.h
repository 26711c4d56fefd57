/*
 * color/color.h - palettes and the mapping of counts to colours.
 */
#ifndef MANDEL_COLOR_H
#define MANDEL_COLOR_H

#include <stdbool.h>
#include <stdint.h>

#include "mandel.h"

/* How a palette places a count on its table. */
typedef enum {
    COLOR_MAP_RANGE,  /* linearly from the field's lo..hi onto the table, interior included */
    COLOR_MAP_CYCLE,  /* sqrt(count) around a cyclic table; interior gets color->interior */
} color_mapping;

typedef struct palette {
    const char *name;
    const char *about;
    color_mapping mapping;
    const uint8_t (*table)[3]; /* a 256-entry table, or NULL to build from `stops` */
    const float *stops;        /* {position, r, g, b} * n_stops, positions 0..1 ascending */
    int n_stops;
} palette;

/* The built-in palette `index`, or NULL past the last one. */
const palette *palette_get(int index);

/* Fills a 256-entry table from a palette (its table, or its stops interpolated). */
void palette_table(const palette *p, uint8_t table[256][3]);

extern const uint8_t palette_viridis[256][3];
extern const uint8_t palette_magma[256][3];
extern const uint8_t palette_inferno[256][3];
extern const uint8_t palette_plasma[256][3];
extern const uint8_t palette_cividis[256][3];

/* Interpolates `n_stops` stops ({position, r, g, b}, positions 0..1 non-decreasing, the
 * first at 0 and the last at 1) into a 256-entry table. */
void palette_from_stops(const float *stops, int n_stops, uint8_t table[256][3]);

#endif /* MANDEL_COLOR_H */
