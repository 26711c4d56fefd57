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
};

#endif /* MANDEL_VIEW_H */
