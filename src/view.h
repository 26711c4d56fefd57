/*
 * view.h - the pixel <-> plane mapping of a view.
 */
#ifndef MANDEL_VIEW_H
#define MANDEL_VIEW_H

#include "mandel_internal.h"

struct mandel_view {
    mandel_allocator alloc;
    uint32_t width, height;
    double *re;        /* re[i]: the real part sampled by column i */
    double *im;        /* im[k]: the imaginary part sampled by row k (row 0 at the top) */
    char *center_re;   /* decimal text of the centre, as given */
    char *center_im;
    char *radius;      /* decimal text of the half-height, or NULL for a bounds view */
    char *zoom;        /* decimal text of the zoom as given (mandel_view_new_zoom), or NULL */
    double step;       /* plane units between rows: the unit of distance estimates */
    bool double_ok;    /* re[] and im[] are the exact double coordinates: kernels may run */
    bool auto_double;  /* MANDEL_ENGINE_AUTO renders with the double kernels */
    struct deep_view *deep; /* full-precision centre and step (centre views), or NULL */
    /* What made re[] and im[], for tiles (mandel_view_new_tile): pixel (i, k) is the
     * root view's (col0 + i, row0 + k), the root a centre view of root_w x root_h around
     * (x0, y0) or a bounds view from (x0, y0) by (dx, dy) a pixel. */
    bool bounds;
    double x0, y0, dx, dy;
    uint32_t root_w, root_h;
    int64_t col0, row0;
};

#endif /* MANDEL_VIEW_H */
