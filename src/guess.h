/*
 * guess.h - Mariani-Silver rectangle filling on view-aligned tiles (MANDEL_OPT_GUESS).
 */
#ifndef MANDEL_GUESS_H
#define MANDEL_GUESS_H

#include "mandel_internal.h"

/* Tiles are GUESS_TILE pixels a side on a grid anchored at the view's pixel (0, 0), so a
 * tile's pixels never depend on the rect, band or thread that asked for them. A tile holds
 * whole 32-pixel guessing cells (guess.c); it is wide so that each kernel call, one tile row
 * of the pixels a band of cells needs, is long enough for the vector kernels (64: seahorse
 * and wholeset 10-25% slower; 256: no faster, and fewer units to share). */
#define GUESS_TILE 128

typedef struct guess_view {
    kernel_fn *kernel;
    const double *re, *im;     /* the whole view's coordinates */
    uint32_t width, height;    /* the whole view's size */
    uint32_t max_iter;
    bool shortcuts;
} guess_view;

/* Fills out[0 .. w*h-1] (row-major, stride w) with the guessed counts of the tile whose
 * top-left pixel is (x0, y0); w and h are the tile's size clipped to the view. The kernels
 * poll `poll` (the pool's thread, or NULL) as in every render; after a cancel the counts
 * are not meaningful. */
void guess_tile(const guess_view *g, uint32_t x0, uint32_t y0, uint32_t w, uint32_t h,
                struct sched_worker *poll, uint32_t *out);

/* A guessing render's units: the tiles of the view's grid that meet the rect, row by row. */
typedef struct guess_units {
    mandel_rect rect;           /* in the view */
    uint32_t tile_x0, tile_y0;  /* the first tile's grid position */
    uint32_t cols;              /* tiles a row */
    uint64_t n;                 /* tiles */
} guess_units;

guess_units guess_plan(mandel_rect rect);

/* Renders unit `unit` of `u`: its tile guessed whole into `buf` (GUESS_TILE^2 counts; its
 * pixels outside the rect too, so they never depend on the rect), then its part inside the
 * rect copied to `counts` (at the rect's origin, `stride`) and handed to `sink` (if not
 * NULL) row by row. Returns the sum of the copied counts; a tile cut short by a cancel
 * (seen through `poll`) is neither copied nor handed on, and gives 0. */
uint64_t guess_unit(const guess_view *g, const guess_units *u, uint64_t unit,
                    struct sched_worker *poll, uint32_t *buf, uint32_t *counts, size_t stride,
                    mandel_sink_fn sink, void *sink_user);

#endif /* MANDEL_GUESS_H */
