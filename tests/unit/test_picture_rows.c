/*
 * tests/unit/test_picture_rows.c - pictures rendered elsewhere (mandel_picture_render,
 * mandel_picture_write_rows, src/picture/picture.c), as mandel-mpi feeds them:
 *   - for each format and the colourings that take a band, the whole field, anti-aliasing,
 *     smooth values and distances, and a deep view: rows rendered in pieces of 3 (into
 *     buffers of their own, copied into the band) and written through the row source make
 *     mandel_picture_write()'s bytes exactly;
 *   - the source is asked for the bands in order, from row 0 to the height;
 *   - a source that stops ends the picture with MANDEL_ECANCELED and the rows it gave;
 *   - mandel_picture_render refuses rows beyond the picture, a needed field that is NULL and
 *     too small a buffer.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mandel.h"
#include "../check.h"

#include "picture_helpers.h"

/* The row source: renders each band in pieces of 3 rows on another ctx and spec (as another
 * process would), into a buffer of their own, and copies them into the band. */
typedef struct rows_source {
    mandel_ctx *ctx;
    mandel_spec *spec;
    mandel_format format;
    uint32_t next_y;         /* the row the next band must start at */
    int out_of_order;        /* bands that did not */
    uint32_t stop_at;        /* a band at or beyond this row: stop (0: never) */
} rows_source;

static int source(void *user, uint32_t y, uint32_t rows, const mandel_fields *f)
{
    rows_source *const s = user;
    if (y != s->next_y) s->out_of_order++;
    s->next_y = y + rows;
    if (s->stop_at != 0 && y >= s->stop_at) return 1;
    uint32_t w, aa;
    mandel_spec_geometry(s->spec, &w, NULL, &aa, NULL);
    size_t const sw = (size_t)w * aa, piece = 3;
    size_t const n = sw * aa * piece;
    uint32_t *counts = malloc(n * 4);
    float *smooth = malloc(n * 4), *distance = malloc(n * 4);
    int err = counts && smooth && distance ? MANDEL_OK : MANDEL_ENOMEM;
    for (uint32_t at = 0; at < rows && err == MANDEL_OK; at += piece) {
        uint32_t const m = rows - at < piece ? rows - at : (uint32_t)piece;
        mandel_fields const mine = {counts, smooth, distance, sw, n};
        err = mandel_picture_render(s->ctx, s->spec, s->format, y + at, m, &mine);
        for (size_t k = 0; k < (size_t)m * aa && err == MANDEL_OK; k++) {
            size_t const dst = ((size_t)at * aa + k) * f->stride;
            memcpy(f->counts + dst, counts + k * sw, sw * 4);
            if (f->smooth) memcpy(f->smooth + dst, smooth + k * sw, sw * 4);
            if (f->distance) memcpy(f->distance + dst, distance + k * sw, sw * 4);
        }
    }
    if (err != MANDEL_OK) fprintf(stderr, "  source: %s\n", mandel_errmsg(s->ctx));
    free(counts);
    free(smooth);
    free(distance);
    return err != MANDEL_OK;
}

/* The picture of `pairs` in `format` written both ways: the same bytes. */
static void same(mandel_format format, const char *const *pairs)
{
    mandel_spec *spec = spec_of(pairs), *other = spec_of(pairs);
    uint32_t w, h;
    mandel_spec_geometry(spec, &w, &h, NULL, NULL);
    const char *npy = mandel_spec_get(spec, "npy");
    mandel_image_options const opts = {.npy_float = npy != NULL && strcmp(npy, "counts") != 0};
    buffer a = {0}, b = {0};
    mandel_image *image;
    CHECK_EQ_INT(MANDEL_OK, mandel_image_open_stream(ctx, &image, to_memory, &a, format, w, h,
                                                     &opts));
    CHECK_EQ_INT(MANDEL_OK, mandel_picture_write(ctx, spec, image));
    CHECK_EQ_INT(MANDEL_OK, mandel_image_close(image));
    mandel_ctx *const octx = mandel_ctx_new(NULL);
    mandel_ctx_set(octx, MANDEL_OPT_THREADS, 1);
    rows_source s = {octx, other, format, 0, 0, 0};
    CHECK_EQ_INT(MANDEL_OK, mandel_image_open_stream(ctx, &image, to_memory, &b, format, w, h,
                                                     &opts));
    int const err = mandel_picture_write_rows(ctx, spec, image, source, &s);
    CHECK_EQ_INT(MANDEL_OK, err);
    if (err != MANDEL_OK) fprintf(stderr, "  %s\n", mandel_errmsg(ctx));
    CHECK_EQ_INT(MANDEL_OK, mandel_image_close(image));
    CHECK_EQ_INT(0, s.out_of_order);
    CHECK_EQ_U32(h, s.next_y);
    CHECK_TRUE(a.len > 0 && a.len == b.len && memcmp(a.bytes, b.bytes, a.len) == 0);
    if (a.len != b.len || memcmp(a.bytes, b.bytes, a.len) != 0)
        fprintf(stderr, "  differ: format %d, %s %s\n", (int)format, pairs[0], pairs[1]);
    free(a.bytes);
    free(b.bytes);
    mandel_spec_free(spec);
    mandel_spec_free(other);
    mandel_ctx_free(octx);
}

int main(void)
{
    ctx = mandel_ctx_new(NULL);
    mandel_ctx_set(ctx, MANDEL_OPT_THREADS, 2);
    /* Heights that are no multiple of the pieces or the bands; 2000 wide: bands of 524 rows. */
    same(MANDEL_FORMAT_PNG, (const char *const[]){"size", "2000x1101", NULL});
    same(MANDEL_FORMAT_PPM, (const char *const[]){"size", "97x61", "aa", "3", NULL});
    same(MANDEL_FORMAT_PGM, (const char *const[]){"size", "1500x701", "aa", "2", NULL});
    same(MANDEL_FORMAT_PBM, (const char *const[]){"size", "203x77", "iterations", "300", NULL});
    same(MANDEL_FORMAT_JPEG, (const char *const[]){"size", "120x67", "palette", "viridis", NULL});
    same(MANDEL_FORMAT_PNG, (const char *const[]){"size", "120x67", "color", "histogram", NULL});
    same(MANDEL_FORMAT_PNG, (const char *const[]){"size", "120x67", "color", "log", "aa", "2",
                                                  NULL});
    same(MANDEL_FORMAT_PNG, (const char *const[]){"size", "120x67", "color", "distance", NULL});
    same(MANDEL_FORMAT_NPY, (const char *const[]){"size", "121x67", NULL});
    same(MANDEL_FORMAT_NPY, (const char *const[]){"size", "121x67", "npy", "smooth", NULL});
    same(MANDEL_FORMAT_NPY, (const char *const[]){"size", "121x67", "npy", "distance", NULL});
    same(MANDEL_FORMAT_PNG, (const char *const[]){"size", "64x37", "guess", "", NULL});
    same(MANDEL_FORMAT_PNG, (const char *const[]){"size", "64x37", "center", "-0.75,0.1",
                                                  "zoom", "1e30", "iterations", "2000", NULL});

    /* Needs: counts always; smooth and distance as the colouring says. */
    mandel_spec *spec = spec_of((const char *const[]){"size", "40x30", "npy", "distance", NULL});
    int smooth = -1, distance = -1;
    CHECK_EQ_INT(MANDEL_OK, mandel_picture_needs(spec, MANDEL_FORMAT_NPY, &smooth, &distance));
    CHECK_EQ_INT(0, smooth);
    CHECK_EQ_INT(1, distance);
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_picture_needs(spec, MANDEL_FORMAT_PNG, &smooth, &distance));
    mandel_spec_free(spec);
    spec = spec_of((const char *const[]){"size", "40x30", NULL});
    CHECK_EQ_INT(MANDEL_OK, mandel_picture_needs(spec, MANDEL_FORMAT_PNG, &smooth, &distance));
    CHECK_EQ_INT(1, smooth);
    CHECK_EQ_INT(0, distance);

    /* Refusals of mandel_picture_render. */
    uint32_t counts[40 * 30];
    float values[40 * 30];
    mandel_fields f = {counts, values, NULL, 40, 40 * 30};
    CHECK_EQ_INT(MANDEL_OK, mandel_picture_render(ctx, spec, MANDEL_FORMAT_PNG, 0, 30, &f));
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_picture_render(ctx, spec, MANDEL_FORMAT_PNG, 29, 2, &f));
    CHECK_EQ_STR("rows 29..30: the picture has 30", mandel_errmsg(ctx));
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_picture_render(ctx, spec, MANDEL_FORMAT_PNG, 0, 0, &f));
    f.smooth = NULL;
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_picture_render(ctx, spec, MANDEL_FORMAT_PNG, 0, 1, &f));
    CHECK_EQ_STR("a field the picture needs is NULL", mandel_errmsg(ctx));
    f.smooth = values;
    f.capacity = 40 * 2 - 1;
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_picture_render(ctx, spec, MANDEL_FORMAT_PNG, 0, 2, &f));
    f.capacity = 40 * 2;
    CHECK_EQ_INT(MANDEL_OK, mandel_picture_render(ctx, spec, MANDEL_FORMAT_PNG, 0, 2, &f));
    mandel_spec_free(spec);

    /* A source that stops: MANDEL_ECANCELED, and what was written is the bands before. */
    spec = spec_of((const char *const[]){"size", "2000x1101", NULL});
    mandel_spec *other = spec_of((const char *const[]){"size", "2000x1101", NULL});
    mandel_ctx *const octx = mandel_ctx_new(NULL);
    rows_source s = {octx, other, MANDEL_FORMAT_PPM, 0, 0, 500};
    buffer b = {0};
    mandel_image *image;
    CHECK_EQ_INT(MANDEL_OK, mandel_image_open_stream(ctx, &image, to_memory, &b,
                                                     MANDEL_FORMAT_PPM, 2000, 1101, NULL));
    CHECK_EQ_INT(MANDEL_ECANCELED, mandel_picture_write_rows(ctx, spec, image, source, &s));
    CHECK_TRUE(strstr(mandel_errmsg(ctx), "stopped by the row source") == mandel_errmsg(ctx));
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_picture_write_rows(ctx, spec, image, NULL, NULL));
    mandel_image_abort(image);
    CHECK_TRUE(b.len < (size_t)2000 * 1101 * 3);
    free(b.bytes);
    mandel_spec_free(spec);
    mandel_spec_free(other);
    mandel_ctx_free(octx);

    mandel_ctx_free(ctx);
    return check_report("test_picture_rows");
}
