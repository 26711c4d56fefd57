/*
 * tests/unit/picture_helpers.h - what the picture tests (test_picture_rows.c,
 * test_picture_tiles.c) share: the ctx, a growing memory buffer for an image stream to write
 * into, and a spec made from name/value pairs (a failure says which pair).
 */
#ifndef MANDEL_TESTS_PICTURE_HELPERS_H
#define MANDEL_TESTS_PICTURE_HELPERS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mandel.h"
#include "../check.h"

static mandel_ctx *ctx;

typedef struct buffer {
    unsigned char *bytes;
    size_t len, cap;
} buffer;

static int to_memory(void *user, const void *bytes, size_t len)
{
    buffer *const b = user;
    if (b->len + len > b->cap) {
        b->cap = (b->len + len) * 2;
        b->bytes = realloc(b->bytes, b->cap);
        if (b->bytes == NULL) return 12;
    }
    memcpy(b->bytes + b->len, bytes, len);
    b->len += len;
    return 0;
}

static mandel_spec *spec_of(const char *const *pairs)
{
    mandel_spec *spec;
    CHECK_EQ_INT(MANDEL_OK, mandel_spec_new(ctx, &spec));
    for (size_t i = 0; pairs[i] != NULL; i += 2) {
        int const err = mandel_spec_set(spec, pairs[i], pairs[i + 1]);
        CHECK_EQ_INT(MANDEL_OK, err);
        if (err != MANDEL_OK) fprintf(stderr, "  %s: %s\n", pairs[i], mandel_errmsg(ctx));
    }
    return spec;
}

#endif /* MANDEL_TESTS_PICTURE_HELPERS_H */
