/*
 * guess.c - Mariani-Silver guessing: compute a rectangle's border; if every border pixel has
 * the same count, give the inside that count too, else split the rectangle in four (sharing
 * the dividing lines) and repeat; small rectangles are computed whole.
 *
 * The Mandelbrot set is connected, so a border of one count usually encloses pixels of that
 * count; but a filament thinner than the rectangles can cross it unseen, which is why
 * guessing is off by default and the bench reports how many pixels it changes.
 *
 * Invariant: every pixel it does compute gets exactly the kernel's count; the result of a
 * tile depends only on the view and the tile's place on the view-aligned grid.
 */
#include "guess.h"

#include <string.h>

/* Below this size (in pixels, borders included) a rectangle is computed whole. */
#define GUESS_MIN 17

typedef struct tile {
    const guess_view *g;
    uint32_t x0, y0, w, h;
    uint32_t *out;
    uint8_t known[GUESS_TILE * GUESS_TILE];
} tile;

/* Computes the unknown pixels of tile row y, columns x..x+n-1, in runs. */
static void compute_row(tile *t, uint32_t x, uint32_t y, uint32_t n)
{
    uint8_t *const known = t->known + (size_t)y * t->w;
    uint32_t i = x;
    while (i < x + n) {
        if (known[i]) {
            i++;
            continue;
        }
        uint32_t j = i;
        while (j < x + n && !known[j]) j++;
        kernel_row const row = {
            .re = t->g->re + t->x0 + i,
            .im = t->g->im[t->y0 + y],
            .n = j - i,
            .max_iter = t->g->max_iter,
            .shortcuts = t->g->shortcuts,
        };
        /* A vector kernel's set-up outweighs a few pixels; the scalar one gives the same
         * counts. */
        kernel_fn *const kernel = j - i < 4 ? kernel_scalar : t->g->kernel;
        kernel(&row, t->out + (size_t)y * t->w + i);
        memset(known + i, 1, j - i);
        i = j;
    }
}

/* Computes the unknown pixels of tile column x, rows y..y+n-1, one pixel at a time. */
static void compute_column(tile *t, uint32_t x, uint32_t y, uint32_t n)
{
    for (uint32_t k = y; k < y + n; k++) {
        if (t->known[(size_t)k * t->w + x]) continue;
        compute_row(t, x, k, 1);
    }
}

static void fill(tile *t, uint32_t x, uint32_t y, uint32_t w, uint32_t h)
{
    compute_row(t, x, y, w);
    compute_row(t, x, y + h - 1, w);
    compute_column(t, x, y, h);
    compute_column(t, x + w - 1, y, h);
    if (w <= GUESS_MIN || h <= GUESS_MIN) {
        for (uint32_t k = y + 1; k + 1 < y + h; k++) compute_row(t, x, k, w);
        return;
    }
    uint32_t const c = t->out[(size_t)y * t->w + x];
    bool uniform = true;
    for (uint32_t i = x; i < x + w && uniform; i++)
        uniform = t->out[(size_t)y * t->w + i] == c && t->out[(size_t)(y + h - 1) * t->w + i] == c;
    for (uint32_t k = y; k < y + h && uniform; k++)
        uniform = t->out[(size_t)k * t->w + x] == c && t->out[(size_t)k * t->w + x + w - 1] == c;
    if (uniform) {
        for (uint32_t k = y + 1; k + 1 < y + h; k++) {
            for (uint32_t i = x + 1; i + 1 < x + w; i++) t->out[(size_t)k * t->w + i] = c;
            memset(t->known + (size_t)k * t->w + x + 1, 1, w - 2);
        }
        return;
    }
    uint32_t const mw = w / 2, mh = h / 2;
    fill(t, x, y, mw + 1, mh + 1);
    fill(t, x + mw, y, w - mw, mh + 1);
    fill(t, x, y + mh, mw + 1, h - mh);
    fill(t, x + mw, y + mh, w - mw, h - mh);
}

void guess_tile(const guess_view *g, uint32_t x0, uint32_t y0, uint32_t w, uint32_t h,
                uint32_t *out)
{
    tile t = {.g = g, .x0 = x0, .y0 = y0, .w = w, .h = h, .out = out};
    memset(t.known, 0, sizeof t.known);
    fill(&t, 0, 0, w, h);
}
