/*
 * picture/picture.c - a mandel_spec's picture into a mandel_image (mandel_picture_write,
 * mandel_picture_colour): bands of rows from the renderer to the image's writer.
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
#include "picture/picture.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "io/image_io.h"
#include "sched.h"

#define BAND_PIXELS (1u << 20)
#define AUTO_PERIOD_WHOLE (1u << 22)

typedef struct pipeline {
    mandel_ctx *ctx;            /* renders, and takes the failures' messages */
    const mandel_view *view;
    mandel_color color;         /* palette and the user's iteration limit */
    uint32_t aa;                /* samples per pixel side (1 = none); the view has
                                 * aa*width x aa*height samples */
    color_by by;
    npy_data npy;
    mandel_pixels layout;
    uint32_t width, height;     /* of the picture; the view is aa times larger */
    uint32_t render_limit;      /* the iteration limit given to the library */
    bool want_smooth, want_distance;
    bool whole_field;           /* the colouring needs the whole field first */
    bool auto_period;           /* a cycling palette with no period given: from the view */
    uint32_t band_rows;
    size_t row_bytes;           /* of one writer row */
    uint64_t need;              /* bytes of the buffers below */
    uint32_t *counts;           /* a band of counts, or the whole field (of samples) */
    float *smooth;              /* the same for smooth values, when wanted */
    float *distance;            /* the same for distances, when wanted */
    uint8_t *samples;           /* with aa > 1: a band of RGB samples, before averaging */
    uint8_t *pixels;            /* a band of writer rows */
    uint32_t rows_out;          /* rows handed to the writer so far */
    /* Progress: the caller's callback, told of the whole picture, not of each band. */
    mandel_phase_progress_fn phase_fn;
    mandel_progress_fn plain_fn;
    void *progress_user;
    uint64_t done_before;       /* samples finished in earlier bands */
    uint64_t total;             /* samples of the whole picture */
    mandel_stats sum;           /* the renders' statistics, summed */
    /* mandel_picture_write_rows: the bands come from here instead of a render. */
    mandel_rows_fn source;
    void *source_user;
} pipeline;

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

/* n samples of sample row r of the band, from column x on (at: their values), into the
 * band's RGB samples (aa > 1, to be averaged) or its writer row. */
static void band_samples(const pipeline *p, uint32_t x, uint32_t r, const mandel_fields *at,
                         uint32_t n)
{
    if (p->aa > 1)
        colour(p, at, n, p->samples + (size_t)r * sample_row_bytes(p) + (size_t)x * 3);
    else
        convert(p, x, at, n, p->pixels + (size_t)r * p->row_bytes);
}

/* The ctx's sink: runs on worker threads, each on its own segment of the band. */
static void sink(void *user, mandel_rect piece, const mandel_fields *at)
{
    const pipeline *const p = user;
    for (uint32_t r = 0; r < piece.height; r++) {
        size_t const off = (size_t)r * at->stride;
        mandel_fields const row = {at->counts + off, at->smooth ? at->smooth + off : NULL,
                                   at->distance ? at->distance + off : NULL, 0, 0};
        band_samples(p, piece.x, piece.y + r, &row, piece.width);
    }
}

/* With aa > 1: averages picture row r's aa rows of samples into its writer pixels. */
static void reduce_row(const pipeline *p, uint32_t r)
{
    size_t const stride = sample_row_bytes(p);
    uint8_t *const out = p->pixels + (size_t)r * p->row_bytes;
    const uint8_t *const src = p->samples + (size_t)r * p->aa * stride;
    if (p->layout == MANDEL_PIXELS_RGB8) {
        mandel_color_downsample(src, stride, p->aa, p->width, out);
        return;
    }
    uint8_t rgb[3 * 256];
    for (uint32_t x = 0; x < p->width; x += 256) {
        uint32_t const m = p->width - x < 256 ? p->width - x : 256;
        mandel_color_downsample(src + (size_t)x * p->aa * 3, stride, p->aa, m, rgb);
        luma(rgb, m, out + x);
    }
}

static void reduce_task(void *user, uint32_t task, uint32_t worker)
{
    (void)worker;
    reduce_row(user, task);
}

/* Runs task(user, 0..n-1) on the ctx's threads: the rows of a band, which do not depend
 * on each other. */
static int on_threads(pipeline *p, uint32_t n, sched_task_fn *task, void *user)
{
    uint32_t threads;
    CHECK(ctx_pool(p->ctx, &threads));
    sched_parallel(p->ctx->pool, threads, n, task, user);
    return MANDEL_OK;
}

/* With aa > 1: averages `rows` picture rows of samples into writer pixels, a row a task. */
static int reduce(pipeline *p, uint32_t rows)
{
    return on_threads(p, rows, reduce_task, p);
}

/* Chooses the layout, what the render must compute, the band and the buffers' bytes
 * (p->need) for a picture of `spec` (prepared) into rows of `layout`. */
static void plan(pipeline *p, const mandel_spec *spec, mandel_pixels layout)
{
    p->view = spec->view;
    p->color = spec->colors;
    p->by = spec->by;
    p->npy = spec->npy;
    p->aa = spec->aa;
    p->width = spec->width;
    p->height = spec->height;
    p->layout = layout;
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
    p->auto_period = colours && p->color.mapping == MANDEL_MAP_CYCLE &&
                     (p->by == COLOR_BY_SMOOTH || p->by == COLOR_BY_COUNT) &&
                     spec->given[SPEC_PERIOD] == NULL;
    /* The lattice's values cost nothing when the field is kept whole: pictures of up to
     * AUTO_PERIOD_WHOLE samples are (coloured after the render, on the ctx's threads);
     * larger ones render the lattice first, alone (one thread: 4096 samples, a fraction of
     * a percent of them). */
    if (p->auto_period && !p->whole_field &&
        (uint64_t)p->width * p->aa * p->height * p->aa <= AUTO_PERIOD_WHOLE)
        p->whole_field = true;
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
    p->need = field * per_sample + sample_bytes + pixel_bytes;
}

/* The buffers of the plan take their part of the ctx's one limit (MANDEL_OPT_MAX_MEMORY),
 * and the renders may allocate the rest: a picture whose buffers exceed it is refused with
 * the bytes it needs. */
static int check_memory(mandel_ctx *ctx, const mandel_spec *spec, const pipeline *p)
{
    FAIL_IF(ctx, p->need >= ctx->max_memory, MANDEL_ETOOBIG,
            "a %llux%llu picture with palette '%s' needs %llu bytes of memory; the limit is "
            "%llu (half the RAM)", (unsigned long long)p->width, (unsigned long long)p->height,
            spec_palette_name(spec), (unsigned long long)p->need,
            (unsigned long long)ctx->max_memory);
    return MANDEL_OK;
}

/* The layout of rows a picture of `spec` in `format` is made of. */
static mandel_pixels format_layout(const mandel_spec *spec, mandel_format format)
{
    mandel_pixels const layout = mandel_format_pixels(format);
    return layout == MANDEL_PIXELS_U32 && spec->npy != NPY_COUNTS ? MANDEL_PIXELS_F32 : layout;
}

int mandel_spec_check(mandel_spec *spec, mandel_format format)
{
    if (spec == NULL) return MANDEL_EINVAL;
    ctx_clear(spec->ctx);
    FAIL_IF(spec->ctx, mandel_format_pixels(format) == 0, MANDEL_EFORMAT, "unknown format %d",
            (int)format);
    CHECK(spec_prepare(spec, (int)format, false));
    pipeline p;
    memset(&p, 0, sizeof p);
    plan(&p, spec, format_layout(spec, format));
    return check_memory(spec->ctx, spec, &p);
}

static int allocate(pipeline *p)
{
    uint64_t const w = p->width, h = p->height, aa = p->aa;
    uint64_t const field = w * aa * aa * (p->whole_field ? h : p->band_rows);
    p->counts = ctx_alloc(p->ctx, (size_t)field * 4);
    p->smooth = p->want_smooth ? ctx_alloc(p->ctx, (size_t)field * 4) : NULL;
    p->distance = p->want_distance ? ctx_alloc(p->ctx, (size_t)field * 4) : NULL;
    p->pixels = ctx_alloc(p->ctx, p->row_bytes * p->band_rows);
    p->samples = aa > 1 ? ctx_alloc(p->ctx, (size_t)(w * aa * aa * p->band_rows * 3)) : NULL;
    FAIL_IF(p->ctx, p->counts == NULL || p->pixels == NULL || (aa > 1 && p->samples == NULL) ||
            (p->want_smooth && p->smooth == NULL) || (p->want_distance && p->distance == NULL),
            MANDEL_ENOMEM, "out of memory: %llu bytes needed", (unsigned long long)p->need);
    return MANDEL_OK;
}

static void release(pipeline *p)
{
    ctx_free(p->ctx, p->counts);
    ctx_free(p->ctx, p->smooth);
    ctx_free(p->ctx, p->distance);
    ctx_free(p->ctx, p->pixels);
    ctx_free(p->ctx, p->samples);
}

/* The fields from sample `offset` on. */
static mandel_fields fields_at(const pipeline *p, size_t offset, size_t stride, size_t capacity)
{
    return (mandel_fields){p->counts + offset, p->smooth ? p->smooth + offset : NULL,
                           p->distance ? p->distance + offset : NULL, stride, capacity};
}

/* The ctx's progress during a band: the caller's callback told of the whole picture. */
static int band_progress(void *user, mandel_phase phase, uint64_t done, uint64_t total)
{
    const pipeline *const p = user;
    if (phase == MANDEL_PHASE_PIXELS) {
        done += p->done_before;
        total = p->total;
    }
    if (p->phase_fn != NULL) return p->phase_fn(p->progress_user, phase, done, total);
    if (p->plain_fn != NULL)
        return p->plain_fn(p->progress_user, phase == MANDEL_PHASE_PIXELS ? done : p->done_before,
                           p->total);
    return 0;
}

/* Tells the caller's phase callback of the rows written; non-zero: cancelled. */
static int write_progress(const pipeline *p)
{
    if (p->phase_fn == NULL) return 0;
    return p->phase_fn(p->progress_user, MANDEL_PHASE_WRITE, p->rows_out, p->height);
}

/* Renders picture rows y..y+rows-1 (their aa*rows sample rows) into the fields from sample
 * `offset` on. */
static int render_rows(pipeline *p, uint32_t y, uint32_t rows, size_t offset)
{
    uint32_t const sw = p->width * p->aa;
    mandel_rect const rect = {0, y * p->aa, sw, rows * p->aa};
    p->done_before = (uint64_t)rect.y * sw;
    mandel_fields const f = fields_at(p, offset, sw, (size_t)rect.height * sw);
    CHECK(mandel_render_fields(p->ctx, p->view, p->render_limit, rect, &f));
    mandel_stats last;
    mandel_ctx_stats(p->ctx, &last);
    double const seconds = p->sum.seconds;
    uint64_t const pixels = p->sum.pixels, iterations = p->sum.iterations;
    mandel_stats const deep = p->sum;
    p->sum = last;
    p->sum.seconds += seconds;
    p->sum.pixels += pixels;
    p->sum.iterations += iterations;
    p->sum.orbit_seconds += deep.orbit_seconds;
    p->sum.bla_seconds += deep.bla_seconds;
    p->sum.bla_skips += deep.bla_skips;
    p->sum.bla_iterations += deep.bla_iterations;
    p->sum.exact_steps += deep.exact_steps;
    p->sum.rebases += deep.rebases;
    p->sum.exact_seconds += deep.exact_seconds;
    p->sum.exact_pixels += deep.exact_pixels;
    p->sum.exact_mpfr += deep.exact_mpfr;
    p->sum.exact_changed += deep.exact_changed;
    return MANDEL_OK;
}

/* Hands a band to the writer, telling the progress callback before and after. */
static int write_rows(pipeline *p, mandel_image *image, uint32_t rows)
{
    FAIL_IF(p->ctx, write_progress(p) != 0, MANDEL_ECANCELED, "cancelled");
    int const err = mandel_image_write_rows(image, p->pixels, rows);
    if (err != MANDEL_OK) {
        /* the image's failure, told on the ctx that asked for the picture */
        if (image->ctx != p->ctx) ctx_fail(p->ctx, err, "%s", mandel_errmsg(image->ctx));
        return err;
    }
    p->rows_out += rows;
    FAIL_IF(p->ctx, write_progress(p) != 0, MANDEL_ECANCELED, "cancelled");
    return MANDEL_OK;
}

/* The period of a cycling palette the user gave none for (mandel_color_auto_period), from
 * the view's values at a lattice of at most MANDEL_PERIOD_LATTICE squared samples, evenly
 * spread: sample (lattice(i, nx, sw), lattice(k, ny, sh)). `value` gives sample (x, y)'s
 * value, rendering it or reading the saved field, so a picture and its recolouring from
 * saved data take the same period. */
static uint32_t lattice(uint32_t i, uint32_t n, uint64_t size)
{
    return (uint32_t)((2 * (uint64_t)i + 1) * size / (2 * (uint64_t)n));
}

typedef int (*value_fn)(pipeline *p, uint32_t x, uint32_t y, float *value);

static int choose_period(pipeline *p, value_fn value)
{
    if (!p->auto_period) return MANDEL_OK;
    uint64_t const sw = (uint64_t)p->width * p->aa, sh = (uint64_t)p->height * p->aa;
    uint32_t const nx = sw < MANDEL_PERIOD_LATTICE ? (uint32_t)sw : MANDEL_PERIOD_LATTICE;
    uint32_t const ny = sh < MANDEL_PERIOD_LATTICE ? (uint32_t)sh : MANDEL_PERIOD_LATTICE;
    float values[MANDEL_PERIOD_LATTICE * MANDEL_PERIOD_LATTICE];
    size_t n = 0;
    for (uint32_t k = 0; k < ny; k++)
        for (uint32_t i = 0; i < nx; i++)
            CHECK(value(p, lattice(i, nx, sw), lattice(k, ny, sh), &values[n++]));
    return mandel_color_auto_period(&p->color, values, n);
}

/* A lattice sample rendered alone: the same value as in the whole picture (a pixel does
 * not depend on the rect it is rendered in). */
static int render_value(pipeline *p, uint32_t x, uint32_t y, float *value)
{
    uint32_t count;
    float smooth;
    mandel_fields const f = {&count, p->by == COLOR_BY_SMOOTH ? &smooth : NULL, NULL, 1, 1};
    CHECK(mandel_render_fields(p->ctx, p->view, p->render_limit, (mandel_rect){x, y, 1, 1}, &f));
    *value = p->by == COLOR_BY_SMOOTH ? smooth : (float)count;
    return MANDEL_OK;
}

/* A lattice sample of the whole field (rendered, or saved data in colour_data, where counts
 * stand in for smooth values as floats). */
static int field_value(pipeline *p, uint32_t x, uint32_t y, float *value)
{
    size_t const i = (size_t)y * p->width * p->aa + x;
    *value = p->by == COLOR_BY_SMOOTH ? p->smooth[i] : (float)p->counts[i];
    return MANDEL_OK;
}

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

/* colour_field's and run_source's work, the sink's done after the render: sample row `task`
 * of the band whose values start at sample `band` of the fields. */
typedef struct band_job {
    const pipeline *p;
    size_t band;
} band_job;

static void colour_task(void *user, uint32_t task, uint32_t worker)
{
    (void)worker;
    const band_job *const job = user;
    const pipeline *const p = job->p;
    size_t const sw = (size_t)p->width * p->aa;
    mandel_fields const at = fields_at(p, job->band + task * sw, sw, sw);
    band_samples(p, 0, task, &at, (uint32_t)sw);
}

/* A band of `rows` picture rows whose values start at sample `band` of the fields:
 * coloured (or converted) a sample row a task, averaged (aa > 1), and written. */
static int write_band(pipeline *p, mandel_image *image, size_t band, uint32_t rows)
{
    band_job job = {p, band};
    CHECK(on_threads(p, rows * p->aa, colour_task, &job));
    if (p->aa > 1) CHECK(reduce(p, rows));
    return write_rows(p, image, rows);
}

/* The whole field is known: survey it, then colour it band by band into the image, the
 * rows of a band on the ctx's threads (a row's colours depend only on its samples and the
 * survey: the same bytes for any thread count). */
static int colour_field(pipeline *p, mandel_image *image)
{
    uint32_t const w = p->width, h = p->height;
    size_t const sw = (size_t)w * p->aa; /* samples a row */
    CHECK(choose_period(p, field_value));
    survey(p, sw * h * p->aa);
    for (uint32_t y = 0; y < h; y += p->band_rows) {
        uint32_t const rows = h - y < p->band_rows ? h - y : p->band_rows;
        CHECK(write_band(p, image, (size_t)y * p->aa * sw, rows));
    }
    return MANDEL_OK;
}

/* mandel_picture_write_rows: picture rows y..y+rows-1 from the source into the fields from
 * sample `offset` on. */
static int source_rows(pipeline *p, uint32_t y, uint32_t rows, size_t offset)
{
    size_t const sw = (size_t)p->width * p->aa;
    mandel_fields f = fields_at(p, offset, sw, (size_t)rows * p->aa * sw);
    if (!p->want_smooth) f.smooth = NULL;
    if (!p->want_distance) f.distance = NULL;
    FAIL_IF(p->ctx, p->source(p->source_user, y, rows, &f) != 0, MANDEL_ECANCELED,
            "stopped by the row source (rows %u..%u)", y, y + rows - 1);
    return MANDEL_OK;
}

/* mandel_picture_write_rows, band by band: the sink's work (colour or convert each sample
 * row) done on the band the source filled, a row a task on the ctx's threads. */
static int run_source(pipeline *p, mandel_image *image)
{
    uint32_t const h = p->height;
    size_t const sw = (size_t)p->width * p->aa;
    for (uint32_t y = 0; y < h; y += p->band_rows) {
        uint32_t const rows = h - y < p->band_rows ? h - y : p->band_rows;
        if (p->whole_field) {
            CHECK(source_rows(p, y, rows, (size_t)y * p->aa * sw));
            continue;
        }
        CHECK(source_rows(p, y, rows, 0));
        CHECK(write_band(p, image, 0, rows));
    }
    return p->whole_field ? colour_field(p, image) : MANDEL_OK;
}

/* Renders the whole view into `image`. */
static int run(pipeline *p, mandel_image *image)
{
    uint32_t const h = p->height;
    size_t const sw = (size_t)p->width * p->aa; /* samples a row */
    p->total = (uint64_t)sw * h * p->aa;
    if (!p->whole_field) CHECK(choose_period(p, render_value));
    if (p->source != NULL) return run_source(p, image);
    if (!p->whole_field) {
        int err = MANDEL_OK;
        mandel_ctx_set_sink(p->ctx, sink, p);
        for (uint32_t y = 0; y < h && err == MANDEL_OK; y += p->band_rows) {
            uint32_t const rows = h - y < p->band_rows ? h - y : p->band_rows;
            err = render_rows(p, y, rows, 0);
            if (err == MANDEL_OK && p->aa > 1) err = reduce(p, rows);
            if (err == MANDEL_OK) err = write_rows(p, image, rows);
        }
        return err; /* picture() puts the caller's sink back */
    }
    for (uint32_t y = 0; y < h; y += p->band_rows) {
        uint32_t const rows = h - y < p->band_rows ? h - y : p->band_rows;
        CHECK(render_rows(p, y, rows, (size_t)y * p->aa * sw));
    }
    return colour_field(p, image);
}

/* mandel_picture_colour: the saved data (counts, smooth values or distances, as the spec's
 * --npy says) into the whole-field buffers, checked against the spec first. */
static int colour_data(pipeline *p, const mandel_npy *npy)
{
    const void *data;
    int is_float;
    uint32_t w, h;
    mandel_npy_get(npy, &w, &h, &is_float, &data, NULL);
    npy_data const kind = p->npy;
    FAIL_IF(p->ctx, w != p->width || h != p->height, MANDEL_EINVAL,
            "the data holds %ux%u values, not the %ux%u of --size", w, h, p->width, p->height);
    FAIL_IF(p->ctx, is_float != (kind != NPY_COUNTS), MANDEL_EFORMAT,
            "the data holds %s, but its command line says --npy %s",
            is_float ? "float32" : "uint32",
            kind == NPY_COUNTS ? "counts" : kind == NPY_SMOOTH ? "smooth" : "distance");
    FAIL_IF(p->ctx, p->aa > 1, MANDEL_EINVAL, "--aa: saved data cannot be anti-aliased");
    FAIL_IF(p->ctx, (kind == NPY_DISTANCE) != (p->by == COLOR_BY_DISTANCE), MANDEL_EINVAL,
            "the data holds %s: colour it with --color %s",
            kind == NPY_DISTANCE ? "distances" : "iteration values",
            kind == NPY_DISTANCE ? "distance" : "smooth, count, histogram or log");
    /* Counts have no fraction: smooth colouring of counts is count colouring; smooth values
     * are all there is of smooth data. */
    if (kind == NPY_COUNTS && p->by == COLOR_BY_SMOOTH) p->by = COLOR_BY_COUNT;
    if (kind == NPY_SMOOTH && p->by == COLOR_BY_COUNT) p->by = COLOR_BY_SMOOTH;
    p->color.mapping = p->by == COLOR_BY_HISTOGRAM ? MANDEL_MAP_HISTOGRAM
                     : p->by == COLOR_BY_LOG       ? MANDEL_MAP_LOG
                                                   : p->color.mapping;
    size_t const n = (size_t)w * h;
    p->whole_field = true;
    p->band_rows = BAND_PIXELS / w ? BAND_PIXELS / w : 1;
    if (p->band_rows > h) p->band_rows = h;
    /* Every colouring reads counts; the value colourings read smooth values, which counts
     * stand in for when that is what was saved. */
    p->counts = ctx_alloc(p->ctx, n * 4);
    p->smooth = ctx_alloc(p->ctx, n * 4);
    p->distance = kind == NPY_DISTANCE ? ctx_alloc(p->ctx, n * 4) : NULL;
    p->pixels = ctx_alloc(p->ctx, p->row_bytes * p->band_rows);
    FAIL_IF(p->ctx, p->counts == NULL || p->smooth == NULL || p->pixels == NULL ||
            (kind == NPY_DISTANCE && p->distance == NULL), MANDEL_ENOMEM,
            "out of memory for a %ux%u picture", w, h);
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
    return MANDEL_OK;
}

/* What mandel_picture_write and _colour share: the checks of the image against the spec,
 * the plan, the memory, and the ctx's progress callback wrapped for the whole picture (its
 * own restored, and its sink and memory limit, when done). */
static int picture(mandel_ctx *ctx, mandel_spec *spec, const mandel_npy *npy,
                   mandel_image *image, mandel_rows_fn source, void *source_user)
{
    if (ctx == NULL || spec == NULL || image == NULL) return MANDEL_EINVAL;
    ctx_clear(ctx);
    bool const from_data = npy != NULL;
    FAIL_IF(ctx, image->width != spec->width || image->height != spec->height, MANDEL_EINVAL,
            "the image is %ux%u, the picture %ux%u", image->width, image->height, spec->width,
            spec->height);
    int err = spec_prepare(spec, (int)image->format, from_data);
    if (err != MANDEL_OK) {
        if (spec->ctx != ctx) ctx_fail(ctx, err, "%s", mandel_errmsg(spec->ctx));
        return err;
    }
    mandel_pixels const layout = mandel_image_pixels(image);
    FAIL_IF(ctx, !from_data && layout != format_layout(spec, image->format), MANDEL_EINVAL,
            "the image holds %s values, the picture --npy %s",
            layout == MANDEL_PIXELS_U32 ? "uint32" : "float32",
            spec->given[SPEC_NPY] ? spec->given[SPEC_NPY] : "counts");
    CHECK(mandel_spec_apply(spec, ctx));
    pipeline p;
    memset(&p, 0, sizeof p);
    p.ctx = ctx;
    p.source = source;
    p.source_user = source_user;
    plan(&p, spec, layout);
    if (!from_data) CHECK(check_memory(ctx, spec, &p));
    /* The caller's settings, put back however it ends. */
    uint64_t const max_memory = ctx->max_memory;
    mandel_ctx const saved = *ctx;
    p.phase_fn = ctx->phase_progress;
    p.plain_fn = ctx->progress;
    p.progress_user = p.phase_fn != NULL ? ctx->phase_progress_user : ctx->progress_user;
    if (!from_data) ctx->max_memory = max_memory - p.need;
    mandel_ctx_set_phase_progress(ctx, band_progress, &p);
    err = from_data ? colour_data(&p, npy) : allocate(&p);
    if (err == MANDEL_OK) err = from_data ? colour_field(&p, image) : run(&p, image);
    ctx->max_memory = max_memory;
    ctx->phase_progress = saved.phase_progress;
    ctx->phase_progress_user = saved.phase_progress_user;
    ctx->progress = saved.progress;
    ctx->progress_user = saved.progress_user;
    ctx->sink = saved.sink;
    ctx->sink_user = saved.sink_user;
    if (!from_data && source == NULL && err == MANDEL_OK) ctx->stats = p.sum;
    release(&p);
    if (err == MANDEL_OK) ctx_clear(ctx);
    return err;
}

int mandel_picture_write(mandel_ctx *ctx, mandel_spec *spec, mandel_image *image)
{
    return picture(ctx, spec, NULL, image, NULL, NULL);
}

int mandel_picture_write_rows(mandel_ctx *ctx, mandel_spec *spec, mandel_image *image,
                              mandel_rows_fn source, void *user)
{
    if (source == NULL) return MANDEL_EINVAL;
    return picture(ctx, spec, NULL, image, source, user);
}

/* The plan of the spec's picture in `format`, as mandel_picture_write() makes it for an
 * image of that format. */
static int plan_for(mandel_spec *spec, mandel_format format, pipeline *p)
{
    if (spec == NULL) return MANDEL_EINVAL;
    FAIL_IF(spec->ctx, mandel_format_pixels(format) == 0, MANDEL_EFORMAT, "unknown format %d",
            (int)format);
    CHECK(spec_prepare(spec, (int)format, false));
    memset(p, 0, sizeof *p);
    plan(p, spec, format_layout(spec, format));
    return MANDEL_OK;
}

int mandel_picture_needs(mandel_spec *spec, mandel_format format, int *smooth, int *distance)
{
    pipeline p;
    CHECK(plan_for(spec, format, &p));
    if (smooth != NULL) *smooth = p.want_smooth;
    if (distance != NULL) *distance = p.want_distance;
    return MANDEL_OK;
}

int mandel_picture_render(mandel_ctx *ctx, mandel_spec *spec, mandel_format format, uint32_t y,
                          uint32_t rows, const mandel_fields *fields)
{
    if (ctx == NULL || spec == NULL || fields == NULL) return MANDEL_EINVAL;
    ctx_clear(ctx);
    pipeline p;
    int const err = plan_for(spec, format, &p);
    if (err != MANDEL_OK) {
        if (spec->ctx != ctx) ctx_fail(ctx, err, "%s", mandel_errmsg(spec->ctx));
        return err;
    }
    size_t const sw = (size_t)p.width * p.aa;
    FAIL_IF(ctx, rows == 0 || y >= p.height || rows > p.height - y, MANDEL_EINVAL,
            "rows %u..%u: the picture has %u", y, y + rows - 1, p.height);
    FAIL_IF(ctx, fields->counts == NULL || (p.want_smooth && fields->smooth == NULL) ||
            (p.want_distance && fields->distance == NULL), MANDEL_EINVAL,
            "a field the picture needs is NULL");
    FAIL_IF(ctx, fields->stride < sw ||
            fields->capacity < ((size_t)rows * p.aa - 1) * fields->stride + sw, MANDEL_EINVAL,
            "fields too small for %u rows of %zu samples", rows * p.aa, sw);
    CHECK(mandel_spec_apply(spec, ctx));
    mandel_fields const f = {fields->counts, p.want_smooth ? fields->smooth : NULL,
                             p.want_distance ? fields->distance : NULL, fields->stride,
                             fields->capacity};
    mandel_rect const rect = {0, y * p.aa, (uint32_t)sw, rows * p.aa};
    return mandel_render_fields(ctx, p.view, p.render_limit, rect, &f);
}

/* A picture coloured a piece at a time (tiles): its plan for colour rows, refused when the
 * colouring needs the whole picture's values first. */
static int plan_pieces(mandel_spec *spec, pipeline *p)
{
    CHECK(plan_for(spec, MANDEL_FORMAT_PNG, p));
    FAIL_IF(spec->ctx, p->aa > 1, MANDEL_EINVAL,
            "--aa %u: a picture coloured in pieces is not anti-aliased", p->aa);
    bool const whole = p->by != COLOR_BY_DISTANCE &&
                       (p->color.mapping == MANDEL_MAP_RANGE ||
                        p->color.mapping == MANDEL_MAP_HISTOGRAM ||
                        p->color.mapping == MANDEL_MAP_LOG);
    FAIL_IF(spec->ctx, whole, MANDEL_EINVAL,
            "--color %s with palette '%s': colours by the range of the whole picture, not "
            "piece by piece", p->by == COLOR_BY_HISTOGRAM ? "histogram"
                              : p->by == COLOR_BY_LOG     ? "log"
                              : p->by == COLOR_BY_COUNT   ? "count"
                                                          : "smooth",
            spec_palette_name(spec));
    return MANDEL_OK;
}

int mandel_picture_period(mandel_ctx *ctx, mandel_spec *spec, const mandel_view *view,
                          const mandel_fields *whole, double *period)
{
    if (spec == NULL || period == NULL) return MANDEL_EINVAL;
    pipeline p;
    CHECK(plan_pieces(spec, &p));
    *period = p.color.period;
    if (!p.auto_period) return MANDEL_OK;
    *period = NAN;
    if (whole != NULL) {
        /* the lattice read from the whole view's values, rows packed */
        const void *const have = p.by == COLOR_BY_SMOOTH ? (const void *)whole->smooth
                                                         : (const void *)whole->counts;
        FAIL_IF(spec->ctx, have == NULL || whole->stride != p.width ||
                whole->capacity < (size_t)p.width * p.height, MANDEL_EINVAL,
                "the view's values: %s of %ux%u, rows packed", p.by == COLOR_BY_SMOOTH ?
                "smooth values" : "counts", p.width, p.height);
        p.counts = whole->counts;
        p.smooth = whole->smooth;
        CHECK(choose_period(&p, field_value));
        *period = p.color.period;
        return MANDEL_OK;
    }
    if (view == NULL) return MANDEL_OK;
    if (ctx == NULL) return MANDEL_EINVAL;
    ctx_clear(ctx);
    FAIL_IF(ctx, mandel_view_width(view) != p.width || mandel_view_height(view) != p.height,
            MANDEL_EINVAL, "the view is %ux%u, the picture %ux%u", mandel_view_width(view),
            mandel_view_height(view), p.width, p.height);
    CHECK(mandel_spec_apply(spec, ctx));
    p.ctx = ctx;
    p.view = view;
    CHECK(choose_period(&p, render_value));
    *period = p.color.period;
    return MANDEL_OK;
}

int mandel_picture_colour_rows(mandel_spec *spec, double period, const mandel_fields *fields,
                               uint32_t width, uint32_t rows, uint8_t *rgb)
{
    if (spec == NULL || fields == NULL || rgb == NULL) return MANDEL_EINVAL;
    pipeline p;
    CHECK(plan_pieces(spec, &p));
    FAIL_IF(spec->ctx, p.auto_period && !(period > 0), MANDEL_EINVAL,
            "the period %g: not above 0 (mandel_picture_period)", period);
    if (p.auto_period) p.color.period = period;
    const void *const need = p.by == COLOR_BY_COUNT      ? (const void *)fields->counts
                             : p.by == COLOR_BY_DISTANCE ? (const void *)fields->distance
                                                         : (const void *)fields->smooth;
    FAIL_IF(spec->ctx, need == NULL, MANDEL_EINVAL, "the field the colouring reads is NULL");
    FAIL_IF(spec->ctx, rows > 0 && (fields->stride < width ||
            fields->capacity < ((size_t)rows - 1) * fields->stride + width), MANDEL_EINVAL,
            "fields too small for %u rows of %u samples", rows, width);
    for (uint32_t r = 0; r < rows; r++) {
        size_t const at = (size_t)r * fields->stride;
        mandel_fields const row = {fields->counts ? fields->counts + at : NULL,
                                   fields->smooth ? fields->smooth + at : NULL,
                                   fields->distance ? fields->distance + at : NULL, width, width};
        colour(&p, &row, width, rgb + (size_t)r * width * 3);
    }
    return MANDEL_OK;
}

int mandel_picture_colour(mandel_ctx *ctx, mandel_spec *spec, const mandel_npy *npy,
                          mandel_image *image)
{
    if (npy == NULL) return MANDEL_EINVAL;
    return picture(ctx, spec, npy, image, NULL, NULL);
}
