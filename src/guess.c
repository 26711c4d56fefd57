/*
 * guess.c - Mariani-Silver guessing: compute a rectangle's border; if every border pixel has
 * the same count, give the inside that count too, else split the rectangle in four (sharing
 * the dividing lines) and repeat; small rectangles are computed whole.
 *
 * The Mandelbrot set is connected, so a border of one count usually encloses pixels of that
 * count; but a filament thinner than the rectangles can cross it unseen, which is why
 * guessing is off by default and the bench reports how many pixels it changes.
 *
 * The rectangles start as cells, GUESS_CELL a side on the view-aligned grid (clipped to the
 * view). A cell's quarters are small (<= GUESS_MIN), so the recursion comes down to: a small
 * cell is computed whole; another cell gets its border computed, then its inside filled if
 * the border is uniform, else computed. That is done here a band of cells (one cell high,
 * the tile wide) at a time, row by row: each kernel call takes every pixel the band needs in
 * one row, from all its cells, so border columns go to the vector kernel with the rest of
 * their row instead of one pixel at a time, and the insides of neighbouring cells make long
 * runs. A cell known to be non-uniform from its top or bottom row (or, further down, from a
 * border column) has its inside computed along with the borders of the others; the rest of
 * the inside of a cell found non-uniform late is computed in a last sweep of the band. The
 * order in which pixels are computed does not change them, so the result is the recursion's.
 *
 * Invariant: every pixel it does compute gets exactly the kernel's count; the result of a
 * tile depends only on the view and the tile's place on the view-aligned grid.
 */
#include "guess.h"

#include <string.h>

/* The side of the cells the rectangles start as (view-aligned, so tiles hold whole cells). */
#define GUESS_CELL 32
/* Below this size (in pixels, borders included) a rectangle is computed whole. */
#define GUESS_MIN 17
/* Calls of fewer pixels go to the scalar kernel (the same counts, less set-up). */
#define GUESS_SCALAR_BELOW 2

_Static_assert(GUESS_TILE % GUESS_CELL == 0, "a tile holds whole cells");
_Static_assert(GUESS_CELL / 2 + 1 <= GUESS_MIN, "a cell's quarters are computed whole");

#define MAX_CELLS (GUESS_TILE / GUESS_CELL)

typedef struct tile {
    const guess_view *g;
    struct sched_worker *poll;  /* handed to the kernels (kernel_row.poll) */
    uint32_t x0, y0, w, h;
    uint32_t *out;
    uint32_t n;               /* pixels gathered for the current row */
    uint16_t xs[GUESS_TILE];  /* their columns */
    double re[GUESS_TILE];    /* their real parts */
} tile;

static inline void gather(tile *t, uint32_t x, uint32_t n)
{
    const double *const re = t->g->re + t->x0 + x;
    for (uint32_t i = 0; i < n; i++) {
        t->xs[t->n] = (uint16_t)(x + i);
        t->re[t->n] = re[i];
        t->n++;
    }
}

/* Computes the gathered pixels of tile row y. */
static void compute(tile *t, uint32_t y)
{
    uint32_t const n = t->n;
    if (n == 0) return;
    t->n = 0;
    uint32_t *const out = t->out + (size_t)y * t->w;
    kernel_row const row = {
        .re = t->re,
        .im = t->g->im[t->y0 + y],
        .n = n,
        .max_iter = t->g->max_iter,
        .shortcuts = t->g->shortcuts,
        .poll = t->poll,
    };
    kernel_fn *const kernel = n < GUESS_SCALAR_BELOW ? kernel_scalar : t->g->kernel;
    if ((uint32_t)(t->xs[n - 1] - t->xs[0]) == n - 1) { /* one run: straight into place */
        kernel_row direct = row;
        direct.re = t->g->re + t->x0 + t->xs[0];
        kernel(&direct, out + t->xs[0]);
        return;
    }
    uint32_t counts[GUESS_TILE];
    kernel(&row, counts);
    for (uint32_t k = 0; k < n; k++) out[t->xs[k]] = counts[k];
}

static bool same(const uint32_t *p, uint32_t n, uint32_t c)
{
    for (uint32_t i = 0; i < n; i++)
        if (p[i] != c) return false;
    return true;
}

enum { WHOLE, PENDING, UNIFORM };

/* The band of cells whose rows are y0 .. y0+ch-1. */
static void band(tile *t, uint32_t y0, uint32_t ch)
{
    uint32_t const nc = (t->w + GUESS_CELL - 1) / GUESS_CELL;
    uint32_t const yb = y0 + ch - 1;
    uint8_t mode[MAX_CELLS];
    uint32_t value[MAX_CELLS], from[MAX_CELLS];
    const uint32_t *const top = t->out + (size_t)y0 * t->w;
    const uint32_t *const bottom = t->out + (size_t)yb * t->w;

    gather(t, 0, t->w);
    compute(t, y0);
    if (ch > 1) {
        gather(t, 0, t->w);
        compute(t, yb);
    }
    for (uint32_t i = 0; i < nc; i++) {
        uint32_t const cx = i * GUESS_CELL;
        uint32_t const cw = t->w - cx < GUESS_CELL ? t->w - cx : GUESS_CELL;
        value[i] = top[cx];
        from[i] = y0 + 1; /* inside rows from here on are computed with the band */
        mode[i] = cw > GUESS_MIN && ch > GUESS_MIN && same(top + cx, cw, value[i]) &&
                          same(bottom + cx, cw, value[i])
                      ? PENDING
                      : WHOLE;
    }
    /* The inside rows: whole cells' pixels and pending cells' border columns. */
    for (uint32_t y = y0 + 1; y < yb; y++) {
        for (uint32_t i = 0; i < nc; i++) {
            uint32_t const cx = i * GUESS_CELL;
            uint32_t const cw = t->w - cx < GUESS_CELL ? t->w - cx : GUESS_CELL;
            if (mode[i] == WHOLE) {
                gather(t, cx, cw);
            } else {
                gather(t, cx, 1);
                gather(t, cx + cw - 1, 1);
            }
        }
        compute(t, y);
        const uint32_t *const o = t->out + (size_t)y * t->w;
        for (uint32_t i = 0; i < nc; i++) {
            if (mode[i] != PENDING) continue;
            uint32_t const cx = i * GUESS_CELL;
            uint32_t const cw = t->w - cx < GUESS_CELL ? t->w - cx : GUESS_CELL;
            if (o[cx] != value[i] || o[cx + cw - 1] != value[i]) {
                mode[i] = WHOLE; /* non-uniform: rows y0+1 .. y are left to the last sweep */
                from[i] = y + 1;
            }
        }
    }
    /* Uniform cells are filled; the insides of late non-uniform cells are computed. */
    bool late = false;
    for (uint32_t i = 0; i < nc; i++) {
        uint32_t const cx = i * GUESS_CELL;
        uint32_t const cw = t->w - cx < GUESS_CELL ? t->w - cx : GUESS_CELL;
        if (mode[i] == PENDING) {
            for (uint32_t y = y0 + 1; y < yb; y++) {
                uint32_t *const o = t->out + (size_t)y * t->w;
                for (uint32_t x = cx + 1; x + 1 < cx + cw; x++) o[x] = value[i];
            }
        } else if (from[i] > y0 + 1) {
            late = true;
        }
    }
    if (!late) return;
    for (uint32_t y = y0 + 1; y < yb; y++) {
        for (uint32_t i = 0; i < nc; i++) {
            uint32_t const cx = i * GUESS_CELL;
            uint32_t const cw = t->w - cx < GUESS_CELL ? t->w - cx : GUESS_CELL;
            if (mode[i] == WHOLE && y < from[i]) gather(t, cx + 1, cw - 2);
        }
        compute(t, y);
    }
}

void guess_tile(const guess_view *g, uint32_t x0, uint32_t y0, uint32_t w, uint32_t h,
                struct sched_worker *poll, uint32_t *out)
{
    tile t;
    t.g = g;
    t.poll = poll;
    t.x0 = x0;
    t.y0 = y0;
    t.w = w;
    t.h = h;
    t.out = out;
    t.n = 0;
    for (uint32_t cy = 0; cy < h; cy += GUESS_CELL)
        band(&t, cy, h - cy < GUESS_CELL ? h - cy : GUESS_CELL);
}

guess_units guess_plan(mandel_rect rect)
{
    guess_units u = {.rect = rect};
    u.tile_x0 = rect.x / GUESS_TILE;
    u.tile_y0 = rect.y / GUESS_TILE;
    u.cols = (rect.x + rect.width - 1) / GUESS_TILE - u.tile_x0 + 1;
    u.n = (uint64_t)u.cols * ((rect.y + rect.height - 1) / GUESS_TILE - u.tile_y0 + 1);
    return u;
}

uint64_t guess_unit(const guess_view *g, const guess_units *u, uint64_t unit,
                    struct sched_worker *poll, uint32_t *buf, uint32_t *counts, size_t stride,
                    mandel_sink_fn sink, void *sink_user)
{
    mandel_rect const r = u->rect;
    uint32_t const tx = (u->tile_x0 + (uint32_t)(unit % u->cols)) * GUESS_TILE;
    uint32_t const ty = (u->tile_y0 + (uint32_t)(unit / u->cols)) * GUESS_TILE;
    uint32_t const tw = g->width - tx < GUESS_TILE ? g->width - tx : GUESS_TILE;
    uint32_t const th = g->height - ty < GUESS_TILE ? g->height - ty : GUESS_TILE;
    guess_tile(g, tx, ty, tw, th, poll, buf);
    if (sched_poll(poll)) return 0;
    /* The tile's intersection with the rect, in view coordinates. */
    uint32_t const x0 = tx > r.x ? tx : r.x;
    uint32_t const y0 = ty > r.y ? ty : r.y;
    uint32_t const x1 = tx + tw < r.x + r.width ? tx + tw : r.x + r.width;
    uint32_t const y1 = ty + th < r.y + r.height ? ty + th : r.y + r.height;
    uint64_t sum = 0;
    for (uint32_t y = y0; y < y1; y++) {
        const uint32_t *const src = buf + (size_t)(y - ty) * tw + (x0 - tx);
        uint32_t *const dst = counts + (size_t)(y - r.y) * stride + (x0 - r.x);
        memcpy(dst, src, (size_t)(x1 - x0) * sizeof *dst);
        for (uint32_t i = 0; i < x1 - x0; i++) sum += dst[i];
        if (sink != NULL) {
            mandel_fields const at = {.counts = dst, .stride = stride};
            sink(sink_user, (mandel_rect){x0 - r.x, y - r.y, x1 - x0, 1}, &at);
        }
    }
    return sum;
}
