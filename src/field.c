/*
 * field.c - the arithmetic of count fields: the only place sizes are multiplied.
 *
 * Invariant: every size computed here is checked against SIZE_MAX before it is formed, so
 * no caller ever sees a wrapped product.
 */
#include "field.h"

#include <stdint.h>

uint64_t field_pixels(mandel_rect rect) { return (uint64_t)rect.width * rect.height; }

bool field_span(mandel_rect rect, size_t stride, size_t *counts)
{
    if (rect.width == 0 || rect.height == 0 || stride < rect.width) return false;
    size_t const rows_before = (size_t)rect.height - 1;
    if (rows_before != 0 && stride > (SIZE_MAX - rect.width) / rows_before) return false;
    *counts = rows_before * stride + rect.width;
    return true;
}

int mandel_field_size(mandel_rect rect, size_t *bytes)
{
    if (bytes == NULL || rect.width == 0 || rect.height == 0) return MANDEL_EINVAL;
    size_t counts;
    if (!field_span(rect, rect.width, &counts)) return MANDEL_ETOOBIG;
    if (counts > SIZE_MAX / sizeof(uint32_t)) return MANDEL_ETOOBIG;
    *bytes = counts * sizeof(uint32_t);
    return MANDEL_OK;
}
