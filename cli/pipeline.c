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
 * Anti-aliasing (aa > 1) renders a view aa times larger each way, whose samples are the
 * sub-pixel positions of the picture; the sink colours samples, and each band's aa x aa
 * blocks are averaged in linear light (mandel_color_downsample) into picture pixels.
 *
 * Invariant: a pixel's bytes in the file depend only on its counts and the colour settings,
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

/* Bytes of one row of RGB samples (aa > 1). */
static size_t sample_row_bytes(const pipeline *p) { return (size_t)p->width * p->aa * 3; }

/* The ctx's sink: runs on worker threads, each on its own segment of the band. */
static void sink(void *user, mandel_rect piece, const uint32_t *counts, size_t stride)
{
    const pipeline *const p = user;
    for (uint32_t r = 0; r < piece.height; r++) {
        const uint32_t *const row = counts + r * stride;
        if (p->aa > 1)
            mandel_color_rgb(&p->color, row, piece.width,
                             p->samples + (size_t)(piece.y + r) * sample_row_bytes(p) +
                                 (size_t)piece.x * 3);
        else
            convert(p, piece.x, row, piece.width,
                    p->pixels + (size_t)(piece.y + r) * p->row_bytes);
    }
}

/* With aa > 1: averages `rows` picture rows of samples into writer pixels. */
static void reduce(pipeline *p, uint32_t rows)
{
    size_t const stride = sample_row_bytes(p);
    for (uint32_t r = 0; r < rows; r++) {
        uint8_t *const out = p->pixels + (size_t)r * p->row_bytes;
        if (p->layout == MANDEL_PIXELS_RGB8) {
            mandel_color_downsample(p->samples + (size_t)r * p->aa * stride, stride, p->aa,
                                    p->width, out);
            continue;
        }
        /* GRAY8: average the colours, then take the luma, in chunks. */
        uint8_t rgb[3 * 256];
        for (uint32_t x = 0; x < p->width; x += 256) {
            uint32_t const m = p->width - x < 256 ? p->width - x : 256;
            mandel_color_downsample(p->samples + (size_t)r * p->aa * stride + (size_t)x * p->aa * 3,
                                    stride, p->aa, m, rgb);
            for (uint32_t j = 0; j < m; j++)
                out[x + j] = (uint8_t)((2126u * rgb[3 * j] + 7152u * rgb[3 * j + 1] +
                                        722u * rgb[3 * j + 2] + 5000u) / 10000u);
        }
    }
}

int pipeline_prepare(pipeline *p)
{
    p->layout = mandel_format_pixels(p->format);
    if (p->aa == 0) p->aa = 1;
    p->width = mandel_view_width(p->view) / p->aa;
    p->height = mandel_view_height(p->view) / p->aa;
    uint32_t const max_iter = p->color.max_iter;
    /* A count equal to the limit cannot tell "escaped at the last iteration" from "never
     * escaped". A bitmap must tell them apart (the Benchmarks Game sets the bit when
     * |z_N| <= 2), so PBM asks for one iteration more. */
    p->render_limit = max_iter;
    if (p->layout == MANDEL_PIXELS_BIT1 && max_iter < UINT32_MAX) p->render_limit = max_iter + 1;
    p->whole_field = p->color.mapping == MANDEL_MAP_RANGE &&
                     (p->layout == MANDEL_PIXELS_RGB8 || p->layout == MANDEL_PIXELS_GRAY8);

    uint64_t const w = p->width, h = p->height, aa = p->aa;
    uint64_t const band_samples = BAND_PIXELS / (aa * aa) ? BAND_PIXELS / (aa * aa) : 1;
    p->band_rows = (uint32_t)(band_samples / w ? band_samples / w : 1);
    if (p->band_rows > h) p->band_rows = (uint32_t)h;
    p->row_bytes = mandel_pixels_row_bytes(p->layout, p->width);
    /* Counts and samples are per sample: aa*aa of them per pixel. */
    uint64_t const count_bytes = w * aa * aa * (p->whole_field ? h : p->band_rows) * 4;
    uint64_t const sample_bytes = aa > 1 ? w * aa * aa * p->band_rows * 3 : 0;
    uint64_t const pixel_bytes = (uint64_t)p->row_bytes * p->band_rows;
    uint64_t const need = count_bytes + sample_bytes + pixel_bytes;
    unsigned long long const budget = cli_memory_budget();
    if (need > budget)
        return cli_error(EXIT_FAIL, "a %llux%llu picture with palette '%s' needs %llu bytes of "
                         "memory; the limit is %llu (half the RAM)",
                         (unsigned long long)w, (unsigned long long)h, p->palette_name,
                         (unsigned long long)need, budget);
    p->counts = malloc((size_t)count_bytes);
    p->pixels = malloc((size_t)pixel_bytes);
    p->samples = aa > 1 ? malloc((size_t)sample_bytes) : NULL;
    if (p->counts == NULL || p->pixels == NULL || (aa > 1 && p->samples == NULL))
        return cli_error(EXIT_FAIL, "out of memory: %llu bytes needed", (unsigned long long)need);
    return -1;
}

/* Renders picture rows y..y+rows-1 (their aa*rows sample rows) into counts. */
static int render_rows(pipeline *p, uint32_t y, uint32_t rows, uint32_t *counts)
{
    uint32_t const sw = p->width * p->aa;
    mandel_rect const rect = {0, y * p->aa, sw, rows * p->aa};
    p->bar->done_before = (uint64_t)rect.y * sw;
    int const err = mandel_render(p->ctx, p->view, p->render_limit, rect, counts, sw,
                                  (size_t)rect.height * sw * sizeof *counts);
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
            if (rc == EXIT_OK && p->aa > 1) reduce(p, rows);
            if (rc == EXIT_OK) rc = write_rows(p, image, rows);
        }
        mandel_ctx_set_sink(p->ctx, NULL, NULL);
        return rc;
    }
    size_t const sw = (size_t)w * p->aa; /* samples a row */
    for (uint32_t y = 0; y < h; y += p->band_rows) {
        uint32_t const rows = h - y < p->band_rows ? h - y : p->band_rows;
        if ((rc = render_rows(p, y, rows, p->counts + (size_t)y * p->aa * sw)) != EXIT_OK)
            return rc;
    }
    mandel_color_range(&p->color, p->counts, sw * h * p->aa);
    for (uint32_t y = 0; y < h; y += p->band_rows) {
        uint32_t const rows = h - y < p->band_rows ? h - y : p->band_rows;
        const uint32_t *const band = p->counts + (size_t)y * p->aa * sw;
        if (p->aa > 1) {
            for (uint32_t r = 0; r < rows * p->aa; r++)
                mandel_color_rgb(&p->color, band + r * sw, sw,
                                 p->samples + r * sample_row_bytes(p));
            reduce(p, rows);
        } else {
            for (uint32_t r = 0; r < rows; r++)
                convert(p, 0, band + (size_t)r * w, w, p->pixels + r * p->row_bytes);
        }
        if ((rc = write_rows(p, image, rows)) != EXIT_OK) return rc;
    }
    return EXIT_OK;
}

void pipeline_free(pipeline *p)
{
    free(p->counts);
    free(p->pixels);
    free(p->samples);
    p->counts = NULL;
    p->pixels = NULL;
    p->samples = NULL;
}
