/*
 * field.h - sizes of count fields and rectangles, checked for overflow.
 */
#ifndef MANDEL_FIELD_H
#define MANDEL_FIELD_H

#include "mandel_internal.h"

/* Counts (not bytes) that a field of `rect` with row stride `stride` spans:
 * (height-1)*stride + width. Returns false on overflow or an empty rect. */
bool field_span(mandel_rect rect, size_t stride, size_t *counts);

/* width*height as a 64-bit pixel count. */
uint64_t field_pixels(mandel_rect rect);

#endif /* MANDEL_FIELD_H */
