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
 * top-left pixel is (x0, y0); w and h are the tile's size clipped to the view. */
void guess_tile(const guess_view *g, uint32_t x0, uint32_t y0, uint32_t w, uint32_t h,
                uint32_t *out);

#endif /* MANDEL_GUESS_H */
