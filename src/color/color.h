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

/* linear.c: sRGB bytes to linear light and back, as tables built once and shared by
 * every row of a picture: decode[b] is byte b in linear light; up[b] (b = 1..255) the
 * linear value from which encoding gives b or more, which encodes a value by a binary
 * search, exactly as the sRGB formula does (values within 1e-12 of a boundary take the
 * formula itself). */
#define LINEAR_BUCKETS 4096
typedef struct linear_tables {
    double decode[256];
    double up[257];  /* up[0] = -infinity, up[256] = +infinity */
    uint8_t bucket[LINEAR_BUCKETS + 1];  /* the byte of k / LINEAR_BUCKETS: where to start:
                                          * no bucket spans more than one boundary */
} linear_tables;

void linear_tables_init(linear_tables *t);

/* mandel_color_downsample() with tables already built; arguments already checked. */
void linear_downsample(const linear_tables *t, const uint8_t *src, size_t src_stride,
                       uint32_t factor, uint32_t width, uint8_t *dst);

/* The byte of linear value x by the tables, with the search and the formula where x is out
 * of 0..1 or close to a boundary; linear_encode() is its fast path, inline for the loops
 * that encode every pixel. */
uint8_t linear_encode_exact(const linear_tables *t, double x);

static inline uint8_t linear_encode(const linear_tables *t, double x)
{
    if (x >= 0 && x < 1) {
        unsigned b = t->bucket[(unsigned)(x * LINEAR_BUCKETS)];
        while (t->up[b + 1] <= x) b++;
        if (x - t->up[b] >= 1e-12 && t->up[b + 1] - x >= 1e-12) return (uint8_t)b;
    }
    return linear_encode_exact(t, x);
}

/* For tests: one value encoded by the sRGB formula and by the tables (they must agree). */
uint8_t linear_encode_formula(double x);
uint8_t linear_encode_table(const linear_tables *t, double x);

#endif /* MANDEL_COLOR_H */
