/*
 * cli/pipeline.c - bands of rows from the library to the image file.
 *
 * The picture is rendered in bands of about a million pixels. A sink installed on the ctx
 * converts each finished segment's counts into the writer's pixels (colours, grey, packed
 * bits or raw counts) on the worker thread that computed it, while the counts are still in
 * cache, so conversion runs on every core; the band is then handed to the writer. Memory is
 * bounded by the band, not the image.
 *
 * Palettes that map counts relative to the whole field's range (viridis, grey) cannot
 * colour a band before the last one is rendered: for them the whole field is kept, its
 * range taken, and then coloured band by band.
 *
 * Invariant: a pixel's bytes in the file depend only on its count and the colour settings,
 * never on the band or thread that produced it.
 */
#include "pipeline.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define BAND_PIXELS (1u << 20)

/* Converts n counts of one row, starting at column x, into that row's writer pixels. For
 * BIT1, x is a multiple of 8 (segments start at multiples of 256). */
static void convert(const pipeline *p, uint32_t x, const uint32_t *counts, uint32_t n,
                    uint8_t *row)
{
    switch (p->layout) {
    case MANDEL_PIXELS_BIT1: {
        /* Rendered with one iteration more than asked (render_limit): a count above the
         * user's limit means |z_n| stayed below 2 for every n up to it. */
        uint32_t const limit = p->color.max_iter;
        uint8_t *const out = row + x / 8;
        for (uint32_t i = 0; i < n; i += 8) {
            unsigned byte = 0;
            uint32_t const m = n - i < 8 ? n - i : 8;
            for (uint32_t b = 0; b < m; b++) byte |= (unsigned)(counts[i + b] > limit) << (7 - b);
            out[i / 8] = (uint8_t)byte;
        }
        break;
    }
    case MANDEL_PIXELS_GRAY8: {
        /* Grey is the palette's luma (Rec. 709 weights on the sRGB bytes). */
        uint8_t rgb[3 * 256];
        for (uint32_t i = 0; i < n; i += 256) {
            uint32_t const m = n - i < 256 ? n - i : 256;
            mandel_color_rgb(&p->color, counts + i, m, rgb);
            for (uint32_t j = 0; j < m; j++) {
                const uint8_t *const px = rgb + 3 * j;
                row[x + i + j] =
                    (uint8_t)((2126u * px[0] + 7152u * px[1] + 722u * px[2] + 5000u) / 10000u);
            }
        }
        break;
    }
    case MANDEL_PIXELS_U32: memcpy(row + (size_t)x * 4, counts, (size_t)n * 4); break;
    case MANDEL_PIXELS_RGB8: mandel_color_rgb(&p->color, counts, n, row + (size_t)x * 3); break;
    }
}

/* The ctx's sink: runs on worker threads, each on its own segment of the band. */
static void sink(void *user, mandel_rect piece, const uint32_t *counts, size_t stride)
{
    const pipeline *const p = user;
    for (uint32_t r = 0; r < piece.height; r++)
        convert(p, piece.x, counts + r * stride, piece.width,
                p->pixels + (size_t)(piece.y + r) * p->row_bytes);
}

int pipeline_prepare(pipeline *p)
{
    p->layout = mandel_format_pixels(p->format);
    p->width = mandel_view_width(p->view);
    p->height = mandel_view_height(p->view);
    uint32_t const max_iter = p->color.max_iter;
    /* A count equal to the limit cannot tell "escaped at the last iteration" from "never
     * escaped". A bitmap must tell them apart (the Benchmarks Game sets the bit when
     * |z_N| <= 2), so PBM asks for one iteration more. */
    p->render_limit = max_iter;
    if (p->layout == MANDEL_PIXELS_BIT1 && max_iter < UINT32_MAX) p->render_limit = max_iter + 1;
    p->whole_field = p->color.mapping == MANDEL_MAP_RANGE &&
                     (p->layout == MANDEL_PIXELS_RGB8 || p->layout == MANDEL_PIXELS_GRAY8);

    uint64_t const w = p->width, h = p->height;
    p->band_rows = (uint32_t)(BAND_PIXELS / w ? BAND_PIXELS / w : 1);
    if (p->band_rows > h) p->band_rows = (uint32_t)h;
    p->row_bytes = mandel_pixels_row_bytes(p->layout, p->width);
    uint64_t const count_bytes = w * (p->whole_field ? h : p->band_rows) * 4;
    uint64_t const pixel_bytes = (uint64_t)p->row_bytes * p->band_rows;
    unsigned long long const budget = cli_memory_budget();
    if (count_bytes + pixel_bytes > budget)
        return cli_error(EXIT_FAIL, "a %llux%llu picture with palette '%s' needs %llu bytes of "
                         "memory; the limit is %llu (half the RAM)",
                         (unsigned long long)w, (unsigned long long)h, p->palette_name,
                         (unsigned long long)(count_bytes + pixel_bytes), budget);
    p->counts = malloc((size_t)count_bytes);
    p->pixels = malloc((size_t)pixel_bytes);
    if (p->counts == NULL || p->pixels == NULL)
        return cli_error(EXIT_FAIL, "out of memory: %llu bytes needed",
                         (unsigned long long)(count_bytes + pixel_bytes));
    return -1;
}

static int render_rows(pipeline *p, uint32_t y, uint32_t rows, uint32_t *counts)
{
    mandel_rect const rect = {0, y, p->width, rows};
    p->bar->done_before = (uint64_t)y * p->width;
    int const err = mandel_render(p->ctx, p->view, p->render_limit, rect, counts, p->width,
                                  (size_t)rows * p->width * sizeof *counts);
    if (err == MANDEL_ECANCELED) return EXIT_INTERRUPTED;
    if (err != MANDEL_OK) return cli_error(EXIT_FAIL, "%s", mandel_errmsg(p->ctx));
    mandel_ctx_stats(p->ctx, &p->last);
    p->seconds += p->last.seconds;
    p->iterations += p->last.iterations;
    return EXIT_OK;
}

static int write_rows(pipeline *p, mandel_image *image, uint32_t rows)
{
    if (mandel_image_write_rows(image, p->pixels, rows) != MANDEL_OK)
        return cli_error(EXIT_FAIL, "%s", mandel_errmsg(p->ctx));
    return EXIT_OK;
}

int pipeline_run(pipeline *p, mandel_image *image)
{
    uint32_t const w = p->width, h = p->height;
    int rc = EXIT_OK;
    if (!p->whole_field) {
        mandel_ctx_set_sink(p->ctx, sink, p);
        for (uint32_t y = 0; y < h && rc == EXIT_OK; y += p->band_rows) {
            uint32_t const rows = h - y < p->band_rows ? h - y : p->band_rows;
            rc = render_rows(p, y, rows, p->counts);
            if (rc == EXIT_OK) rc = write_rows(p, image, rows);
        }
        mandel_ctx_set_sink(p->ctx, NULL, NULL);
        return rc;
    }
    for (uint32_t y = 0; y < h; y += p->band_rows) {
        uint32_t const rows = h - y < p->band_rows ? h - y : p->band_rows;
        if ((rc = render_rows(p, y, rows, p->counts + (size_t)y * w)) != EXIT_OK) return rc;
    }
    mandel_color_range(&p->color, p->counts, (size_t)w * h);
    for (uint32_t y = 0; y < h; y += p->band_rows) {
        uint32_t const rows = h - y < p->band_rows ? h - y : p->band_rows;
        for (uint32_t r = 0; r < rows; r++)
            convert(p, 0, p->counts + (size_t)(y + r) * w, w, p->pixels + r * p->row_bytes);
        if ((rc = write_rows(p, image, rows)) != EXIT_OK) return rc;
    }
    return EXIT_OK;
}

void pipeline_free(pipeline *p)
{
    free(p->counts);
    free(p->pixels);
    p->counts = NULL;
    p->pixels = NULL;
}
