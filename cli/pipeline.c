/*
 * cli/pipeline.c - bands of rows from the library to the image file.
 *
 * The picture is rendered in bands of about a million samples. A sink installed on the ctx
 * converts each finished segment (its counts, smooth values or distances) into the writer's
 * pixels - colours, grey, packed bits or raw values - on the worker thread that computed
 * it, while it is still in cache, so conversion runs on every core; the band is then handed
 * to the writer. Memory is bounded by the band, not the image.
 *
 * Colourings that need the whole field first (the range of a matplotlib map, histogram
 * equalisation, a log scale) keep the whole field, take what they need from it, and then
 * colour it band by band.
 *
 * Anti-aliasing (aa > 1) renders a view aa times larger each way, whose samples are the
 * sub-pixel positions of the picture; samples are coloured, and each band's aa x aa blocks
 * are averaged in linear light (mandel_color_downsample) into picture pixels.
 *
 * Invariant: a pixel's bytes in the file depend only on its samples and the colour
 * settings, never on the band or thread that produced them.
 */
#include "pipeline.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define BAND_PIXELS (1u << 20)

static bool colour_layout(mandel_pixels layout)
{
    return layout == MANDEL_PIXELS_RGB8 || layout == MANDEL_PIXELS_GRAY8;
}

/* Colours n samples of one row (at: their counts and values) into 3*n bytes. */
static void colour(const pipeline *p, const mandel_fields *at, uint32_t n, uint8_t *rgb)
{
    switch (p->by) {
    case COLOR_BY_COUNT: mandel_color_rgb(&p->color, at->counts, n, rgb); break;
    /* The library's distances are in samples of the view already: 1 unit a pixel. */
    case COLOR_BY_DISTANCE: mandel_color_distance(&p->color, at->distance, n, 1, rgb); break;
    default: mandel_color_values(&p->color, at->smooth, n, rgb); break;
    }
}

static void luma(const uint8_t *rgb, uint32_t n, uint8_t *grey)
{
    /* Rec. 709 weights on the sRGB bytes. */
    for (uint32_t j = 0; j < n; j++)
        grey[j] = (uint8_t)((2126u * rgb[3 * j] + 7152u * rgb[3 * j + 1] + 722u * rgb[3 * j + 2] +
                             5000u) / 10000u);
}

/* Converts n samples of one row, starting at column x, into that row's writer pixels (no
 * anti-aliasing). For BIT1, x is a multiple of 8 (segments start at multiples of 256). */
static void convert(const pipeline *p, uint32_t x, const mandel_fields *at, uint32_t n,
                    uint8_t *row)
{
    switch (p->layout) {
    case MANDEL_PIXELS_BIT1: {
        /* Rendered with one iteration more than asked (render_limit): a count above the
         * user's limit means |z_n| stayed below 2 for every n up to it. */
        /* Two passes a chunk, both in forms GCC vectorises or keeps branch-free: one flag
         * byte (0 or 1) a pixel, then 8 flags at a time into one byte, pixel 0 in the top
         * bit. The multiply moves flag byte b to bit 63 - b: the partial products land on
         * distinct bits, so nothing carries into the top byte. (size_t indices: with
         * uint32_t ones, GCC cannot prove the loads contiguous and emulates a gather.) */
        uint32_t const limit = p->color.max_iter;
        uint8_t *const out = row + x / 8;
        uint8_t flag[256];
        for (size_t i = 0; i < n; i += sizeof flag) {
            const uint32_t *const src = at->counts + i;
            size_t const m = n - i < sizeof flag ? n - i : sizeof flag;
            for (size_t k = 0; k < m; k++) flag[k] = src[k] > limit;
            for (size_t k = m; k % 8 != 0; k++) flag[k] = 0;
            for (size_t k = 0; k < m; k += 8) {
                uint64_t eight;
                memcpy(&eight, flag + k, sizeof eight);
                out[(i + k) / 8] = (uint8_t)((eight * UINT64_C(0x8040201008040201)) >> 56);
            }
        }
        break;
    }
    case MANDEL_PIXELS_U32: memcpy(row + (size_t)x * 4, at->counts, (size_t)n * 4); break;
    case MANDEL_PIXELS_F32:
        memcpy(row + (size_t)x * 4, p->npy == NPY_SMOOTH ? at->smooth : at->distance,
               (size_t)n * 4);
        break;
    case MANDEL_PIXELS_RGB8: colour(p, at, n, row + (size_t)x * 3); break;
    case MANDEL_PIXELS_GRAY8: {
        uint8_t rgb[3 * 256];
        for (uint32_t i = 0; i < n; i += 256) {
            uint32_t const m = n - i < 256 ? n - i : 256;
            mandel_fields const part = {at->counts + i, at->smooth ? at->smooth + i : NULL,
                                        at->distance ? at->distance + i : NULL, 0, 0};
            colour(p, &part, m, rgb);
            luma(rgb, m, row + x + i);
        }
        break;
    }
    }
}

/* Bytes of one row of RGB samples (aa > 1). */
static size_t sample_row_bytes(const pipeline *p) { return (size_t)p->width * p->aa * 3; }

/* The ctx's sink: runs on worker threads, each on its own segment of the band. */
static void sink(void *user, mandel_rect piece, const mandel_fields *at)
{
    const pipeline *const p = user;
    for (uint32_t r = 0; r < piece.height; r++) {
        size_t const off = (size_t)r * at->stride;
        mandel_fields const row = {at->counts + off, at->smooth ? at->smooth + off : NULL,
                                   at->distance ? at->distance + off : NULL, 0, 0};
        if (p->aa > 1)
            colour(p, &row, piece.width,
                   p->samples + (size_t)(piece.y + r) * sample_row_bytes(p) + (size_t)piece.x * 3);
        else
            convert(p, piece.x, &row, piece.width,
                    p->pixels + (size_t)(piece.y + r) * p->row_bytes);
    }
}

/* With aa > 1: averages `rows` picture rows of samples into writer pixels. */
static void reduce(pipeline *p, uint32_t rows)
{
    size_t const stride = sample_row_bytes(p);
    for (uint32_t r = 0; r < rows; r++) {
        uint8_t *const out = p->pixels + (size_t)r * p->row_bytes;
        const uint8_t *const src = p->samples + (size_t)r * p->aa * stride;
        if (p->layout == MANDEL_PIXELS_RGB8) {
            mandel_color_downsample(src, stride, p->aa, p->width, out);
            continue;
        }
        uint8_t rgb[3 * 256];
        for (uint32_t x = 0; x < p->width; x += 256) {
            uint32_t const m = p->width - x < 256 ? p->width - x : 256;
            mandel_color_downsample(src + (size_t)x * p->aa * 3, stride, p->aa, m, rgb);
            luma(rgb, m, out + x);
        }
    }
}

int pipeline_prepare(pipeline *p)
{
    if (p->aa == 0) p->aa = 1;
    p->width = mandel_view_width(p->view) / p->aa;
    p->height = mandel_view_height(p->view) / p->aa;
    p->layout = mandel_format_pixels(p->format);
    if (p->layout == MANDEL_PIXELS_U32 && p->npy != NPY_COUNTS) p->layout = MANDEL_PIXELS_F32;
    bool const colours = colour_layout(p->layout);
    p->want_smooth = (colours && p->by != COLOR_BY_COUNT && p->by != COLOR_BY_DISTANCE) ||
                     (!colours && p->npy == NPY_SMOOTH && p->layout == MANDEL_PIXELS_F32);
    p->want_distance = (colours && p->by == COLOR_BY_DISTANCE) ||
                       (p->layout == MANDEL_PIXELS_F32 && p->npy == NPY_DISTANCE);
    if (colours && p->by == COLOR_BY_HISTOGRAM) p->color.mapping = MANDEL_MAP_HISTOGRAM;
    if (colours && p->by == COLOR_BY_LOG) p->color.mapping = MANDEL_MAP_LOG;
    p->whole_field = colours && p->by != COLOR_BY_DISTANCE &&
                     (p->color.mapping == MANDEL_MAP_RANGE ||
                      p->color.mapping == MANDEL_MAP_HISTOGRAM || p->color.mapping == MANDEL_MAP_LOG);
    uint32_t const max_iter = p->color.max_iter;
    /* A count equal to the limit cannot tell "escaped at the last iteration" from "never
     * escaped". A bitmap must tell them apart (the Benchmarks Game sets the bit when
     * |z_N| <= 2), so PBM asks for one iteration more. */
    p->render_limit = max_iter;
    if (p->layout == MANDEL_PIXELS_BIT1 && max_iter < UINT32_MAX) p->render_limit = max_iter + 1;

    uint64_t const w = p->width, h = p->height, aa = p->aa;
    uint64_t const band_samples = BAND_PIXELS / (aa * aa) ? BAND_PIXELS / (aa * aa) : 1;
    p->band_rows = (uint32_t)(band_samples / w ? band_samples / w : 1);
    if (p->band_rows > h) p->band_rows = (uint32_t)h;
    p->row_bytes = mandel_pixels_row_bytes(p->layout, p->width);
    /* Fields hold samples: aa*aa of them a pixel; counts always, values when wanted. */
    uint64_t const field = w * aa * aa * (p->whole_field ? h : p->band_rows);
    uint64_t const per_sample = 4 + (p->want_smooth ? 4 : 0) + (p->want_distance ? 4 : 0);
    uint64_t const sample_bytes = aa > 1 ? w * aa * aa * p->band_rows * 3 : 0;
    uint64_t const pixel_bytes = (uint64_t)p->row_bytes * p->band_rows;
    uint64_t const need = field * per_sample + sample_bytes + pixel_bytes;
    /* One limit for the whole command, the library's (MANDEL_OPT_MAX_MEMORY, half the RAM):
     * these buffers take their part of it, and the renders may allocate the rest. */
    int64_t limit = 0;
    unsigned long long const budget = mandel_ctx_get(p->ctx, MANDEL_OPT_MAX_MEMORY, &limit) ==
                                              MANDEL_OK ? (unsigned long long)limit
                                                        : cli_memory_budget();
    if (need >= budget)
        return cli_error(EXIT_FAIL, "a %llux%llu picture with palette '%s' needs %llu bytes of "
                         "memory; the limit is %llu (half the RAM)",
                         (unsigned long long)w, (unsigned long long)h, p->palette_name,
                         (unsigned long long)need, budget);
    if (mandel_ctx_set(p->ctx, MANDEL_OPT_MAX_MEMORY, (int64_t)(budget - need)) != MANDEL_OK)
        return cli_error(EXIT_FAIL, "%s", mandel_errmsg(p->ctx));
    p->counts = malloc((size_t)field * 4);
    p->smooth = p->want_smooth ? malloc((size_t)field * 4) : NULL;
    p->distance = p->want_distance ? malloc((size_t)field * 4) : NULL;
    p->pixels = malloc((size_t)pixel_bytes);
    p->samples = aa > 1 ? malloc((size_t)sample_bytes) : NULL;
    if (p->counts == NULL || p->pixels == NULL || (aa > 1 && p->samples == NULL) ||
        (p->want_smooth && p->smooth == NULL) || (p->want_distance && p->distance == NULL))
        return cli_error(EXIT_FAIL, "out of memory: %llu bytes needed", (unsigned long long)need);
    return -1;
}

/* The fields from sample `offset` on. */
static mandel_fields fields_at(const pipeline *p, size_t offset, size_t stride, size_t capacity)
{
    return (mandel_fields){p->counts + offset, p->smooth ? p->smooth + offset : NULL,
                           p->distance ? p->distance + offset : NULL, stride, capacity};
}

/* Renders picture rows y..y+rows-1 (their aa*rows sample rows) into the fields from sample
 * `offset` on. */
static int render_rows(pipeline *p, uint32_t y, uint32_t rows, size_t offset)
{
    uint32_t const sw = p->width * p->aa;
    mandel_rect const rect = {0, y * p->aa, sw, rows * p->aa};
    if (p->bar != NULL) p->bar->done_before = (uint64_t)rect.y * sw;
    mandel_fields const f = fields_at(p, offset, sw, (size_t)rect.height * sw);
    int const err = mandel_render_fields(p->ctx, p->view, p->render_limit, rect, &f);
    if (err == MANDEL_ECANCELED) return EXIT_INTERRUPTED;
    if (err != MANDEL_OK) return cli_error(EXIT_FAIL, "%s", mandel_errmsg(p->ctx));
    mandel_ctx_stats(p->ctx, &p->last);
    p->seconds += p->last.seconds;
    p->iterations += p->last.iterations;
    p->deep.orbit_seconds += p->last.orbit_seconds;
    p->deep.bla_seconds += p->last.bla_seconds;
    p->deep.bla_skips += p->last.bla_skips;
    p->deep.bla_iterations += p->last.bla_iterations;
    p->deep.exact_steps += p->last.exact_steps;
    p->deep.rebases += p->last.rebases;
    return EXIT_OK;
}

/* Hands a band to the writer; the bar counts its time as writing. */
static int write_rows(pipeline *p, mandel_image *image, uint32_t rows)
{
    if (p->bar != NULL) progress_write_begin(p->bar);
    if (mandel_image_write_rows(image, p->pixels, rows) != MANDEL_OK)
        return cli_error(EXIT_FAIL, "%s", mandel_errmsg(p->ctx));
    p->rows_out += rows;
    if (p->bar != NULL) progress_write_end(p->bar, (double)p->rows_out / p->height);
    return EXIT_OK;
}

static int colour_field(pipeline *p, mandel_image *image);

/* Whole-field colourings: what they need to know about the field before colouring it. */
static void survey(pipeline *p, size_t n)
{
    switch (p->color.mapping) {
    case MANDEL_MAP_HISTOGRAM: mandel_color_histogram(&p->color, p->smooth, n); break;
    case MANDEL_MAP_LOG: {
        /* The range of the escaped values: the interior would stretch it to the limit. */
        double lo = INFINITY, hi = -INFINITY;
        for (size_t i = 0; i < n; i++) {
            double const v = p->smooth[i];
            if (!(v < p->color.max_iter)) continue;
            lo = v < lo ? v : lo;
            hi = v > hi ? v : hi;
        }
        p->color.lo = lo <= hi ? lo : 0;
        p->color.hi = lo <= hi ? hi : 0;
        break;
    }
    default:
        if (p->by == COLOR_BY_COUNT)
            mandel_color_range(&p->color, p->counts, n);
        else
            mandel_color_range_values(&p->color, p->smooth, n);
        break;
    }
}

int pipeline_run(pipeline *p, mandel_image *image)
{
    uint32_t const w = p->width, h = p->height;
    size_t const sw = (size_t)w * p->aa; /* samples a row */
    int rc = EXIT_OK;
    if (p->bar != NULL) p->bar->total = (uint64_t)sw * h * p->aa;
    if (!p->whole_field) {
        mandel_ctx_set_sink(p->ctx, sink, p);
        for (uint32_t y = 0; y < h && rc == EXIT_OK; y += p->band_rows) {
            uint32_t const rows = h - y < p->band_rows ? h - y : p->band_rows;
            rc = render_rows(p, y, rows, 0);
            if (rc == EXIT_OK && p->aa > 1) reduce(p, rows);
            if (rc == EXIT_OK) rc = write_rows(p, image, rows);
        }
        mandel_ctx_set_sink(p->ctx, NULL, NULL);
        return rc;
    }
    for (uint32_t y = 0; y < h; y += p->band_rows) {
        uint32_t const rows = h - y < p->band_rows ? h - y : p->band_rows;
        if ((rc = render_rows(p, y, rows, (size_t)y * p->aa * sw)) != EXIT_OK) return rc;
    }
    return colour_field(p, image);
}

/* The whole field is known: survey it, then colour it band by band into the image. */
static int colour_field(pipeline *p, mandel_image *image)
{
    uint32_t const w = p->width, h = p->height;
    size_t const sw = (size_t)w * p->aa; /* samples a row */
    int rc;
    survey(p, sw * h * p->aa);
    for (uint32_t y = 0; y < h; y += p->band_rows) {
        uint32_t const rows = h - y < p->band_rows ? h - y : p->band_rows;
        size_t const band = (size_t)y * p->aa * sw;
        for (uint32_t r = 0; r < rows * p->aa; r++) {
            mandel_fields const at = fields_at(p, band + r * sw, sw, sw);
            if (p->aa > 1)
                colour(p, &at, (uint32_t)sw, p->samples + r * sample_row_bytes(p));
            else
                convert(p, 0, &at, w, p->pixels + r * p->row_bytes);
        }
        if (p->aa > 1) reduce(p, rows);
        if ((rc = write_rows(p, image, rows)) != EXIT_OK) return rc;
    }
    return EXIT_OK;
}

int pipeline_colour_data(pipeline *p, const mandel_npy *npy, npy_data kind, mandel_image *image)
{
    const void *data;
    int is_float;
    mandel_npy_get(npy, &p->width, &p->height, &is_float, &data, NULL);
    size_t const n = (size_t)p->width * p->height;
    p->aa = 1;
    p->layout = mandel_image_pixels(image);
    p->whole_field = true;
    p->band_rows = BAND_PIXELS / p->width ? BAND_PIXELS / p->width : 1;
    if (p->band_rows > p->height) p->band_rows = p->height;
    p->row_bytes = mandel_pixels_row_bytes(p->layout, p->width);
    if (p->by == COLOR_BY_HISTOGRAM) p->color.mapping = MANDEL_MAP_HISTOGRAM;
    if (p->by == COLOR_BY_LOG) p->color.mapping = MANDEL_MAP_LOG;
    /* Every colouring reads counts; the value colourings read smooth values, which counts
     * stand in for when that is what was saved. */
    p->counts = malloc(n * 4);
    p->smooth = malloc(n * 4);
    p->distance = kind == NPY_DISTANCE ? malloc(n * 4) : NULL;
    p->pixels = malloc(p->row_bytes * p->band_rows);
    if (p->counts == NULL || p->smooth == NULL || p->pixels == NULL ||
        (kind == NPY_DISTANCE && p->distance == NULL))
        return cli_error(EXIT_FAIL, "out of memory for a %ux%u picture", p->width, p->height);
    const uint32_t *const u = data;
    const float *const f = data;
    uint32_t const limit = p->color.max_iter;
    for (size_t i = 0; i < n; i++) {
        switch (kind) {
        case NPY_COUNTS:
            p->counts[i] = u[i];
            p->smooth[i] = (float)u[i];
            break;
        case NPY_SMOOTH:
            p->smooth[i] = f[i];
            p->counts[i] = f[i] >= (float)limit ? limit : (uint32_t)(f[i] > 1 ? f[i] : 1);
            break;
        case NPY_DISTANCE:
            p->distance[i] = f[i];
            p->counts[i] = f[i] > 0 ? 1 : limit;
            p->smooth[i] = (float)p->counts[i];
            break;
        }
    }
    (void)is_float;
    if (p->bar != NULL) p->bar->total = p->bar->rendered = n; /* nothing to render */
    return colour_field(p, image);
}

void pipeline_free(pipeline *p)
{
    free(p->counts);
    free(p->smooth);
    free(p->distance);
    free(p->pixels);
    free(p->samples);
    p->counts = NULL;
    p->smooth = p->distance = NULL;
    p->pixels = p->samples = NULL;
}

void pipeline_print_stats(const pipeline *p)
{
    double const rate = p->seconds > 0 ? (double)p->iterations / p->seconds : 0;
    char deep[256] = "";
    if (strcmp(p->last.isa, "perturb") == 0) {
        mandel_stats const *const d = &p->deep;
        snprintf(deep, sizeof deep, "; orbit %.3f s, bla %.3f s, pixels %.3f s, %llu bla skips "
                                    "(%llu iterations), %llu exact steps, %llu rebases",
                 d->orbit_seconds, d->bla_seconds, p->seconds - d->orbit_seconds - d->bla_seconds,
                 (unsigned long long)d->bla_skips, (unsigned long long)d->bla_iterations,
                 (unsigned long long)d->exact_steps, (unsigned long long)d->rebases);
    }
    fprintf(stderr, "mandel: %.6f s, %llu iterations, %.3f G iterations/s, %u threads, "
                    "kernel %s%s\n", p->seconds, (unsigned long long)p->iterations, rate * 1e-9,
            p->last.threads, p->last.isa, deep);
}
