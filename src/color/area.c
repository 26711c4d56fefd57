/*
 * color/area.c - an RGB picture seen at another scale through a box filter: the frames of a
 * zoom video made from a coloured keyframe, each pixel the mean in linear light of the
 * keyframe samples under it.
 *
 * Along each axis pixel p covers the source interval [lo, lo + aa*step], lo = origin +
 * (p*aa - 1/2)*step; source sample i covers [i - 1/2, i + 1/2] and weighs the length of the
 * overlap. A sample's weight is the product of its column's and its row's; the weights of
 * every column and every row are worked out once a picture (spans).
 *
 * Invariant: at step 1 from whole positions every weight is exactly 1 on aa x aa samples,
 * summed as linear_downsample sums them (rows, then columns, into one sum) and scaled by
 * the same 1/(aa*aa): the same bytes as a render's anti-aliasing.
 */
#include "mandel_internal.h"

#include "color/color.h"

#include <math.h>

#include "sched.h"

/* The source samples one pixel covers along an axis: `n` from `first`, their weights from
 * weights[at]. */
typedef struct span {
    uint32_t first, n;
    size_t at;
    double total;               /* the sum of the weights */
} span;

typedef struct area_job {
    const mandel_area *area;
    uint32_t width;
    const span *cols, *rows;
    const double *weights;
    uint8_t *rgb;
    linear_tables linear;
} area_job;

/* Fills n_pixels spans and their weights from weights[used]; returns the weights used
 * then. */
static size_t spans_make(double origin, double step, uint32_t aa, uint32_t n_pixels,
                         uint32_t n_src, span *spans, double *weights, size_t used)
{
    for (uint32_t p = 0; p < n_pixels; p++) {
        double const lo = origin + ((double)p * aa - 0.5) * step;
        double const hi = lo + (double)aa * step;
        span *const sp = &spans[p];
        sp->first = (uint32_t)floor(lo + 0.5);
        sp->n = 0;
        sp->at = used;
        sp->total = 0;
        for (uint32_t i = sp->first; i < n_src && (double)i - 0.5 < hi; i++) {
            double const w = fmin(hi, i + 0.5) - fmax(lo, i - 0.5);
            if (sp->n == 0 && !(w > 0)) {
                sp->first++; /* lo sat on the boundary: the sample before covers nothing */
                continue;
            }
            weights[used++] = w;
            sp->n++;
            sp->total += w;
        }
    }
    return used;
}

/* Task t: picture row t. */
static void area_task(void *user, uint32_t task, uint32_t worker)
{
    (void)worker;
    const area_job *const job = user;
    const mandel_area *const a = job->area;
    const span *const row = &job->rows[task];
    const double *const wy = job->weights + row->at;
    uint8_t *const out = job->rgb + (size_t)task * job->width * 3;
    for (uint32_t x = 0; x < job->width; x++) {
        const span *const col = &job->cols[x];
        const double *const wx = job->weights + col->at;
        double sum[3] = {0, 0, 0};
        for (uint32_t r = 0; r < row->n; r++) {
            const uint8_t *const px = a->src + (size_t)(row->first + r) * a->src_stride +
                                      (size_t)col->first * 3;
            for (uint32_t c = 0; c < col->n; c++) {
                double const w = wy[r] * wx[c];
                sum[0] += w * job->linear.decode[px[3 * c]];
                sum[1] += w * job->linear.decode[px[3 * c + 1]];
                sum[2] += w * job->linear.decode[px[3 * c + 2]];
            }
        }
        double const scale = 1.0 / (row->total * col->total);
        for (int ch = 0; ch < 3; ch++)
            out[3 * x + ch] = linear_encode(&job->linear, sum[ch] * scale);
    }
}

int mandel_rgb_area(mandel_ctx *ctx, const mandel_area *area, uint32_t aa, uint32_t width,
                    uint32_t height, uint8_t *rgb, size_t rgb_bytes)
{
    if (ctx == NULL) return MANDEL_EINVAL;
    ctx_clear(ctx);
    FAIL_IF(ctx, area == NULL || area->src == NULL || rgb == NULL, MANDEL_EINVAL,
            "no source or no output (NULL)");
    FAIL_IF(ctx, aa < 1 || aa > 8, MANDEL_EINVAL, "anti-aliasing %u is not 1..8", aa);
    FAIL_IF(ctx, width == 0 || height == 0 || width > UINT32_MAX / aa ||
                     height > UINT32_MAX / aa,
            MANDEL_EINVAL, "picture size %ux%u", width, height);
    FAIL_IF(ctx, area->src_width == 0 || area->src_height == 0 ||
                     area->src_stride / 3 < area->src_width,
            MANDEL_EINVAL, "source %ux%u with stride %zu", area->src_width, area->src_height,
            area->src_stride);
    FAIL_IF(ctx, rgb_bytes / 3 / width < height, MANDEL_EINVAL,
            "room for %zu bytes, %ux%u RGB needs more", rgb_bytes, width, height);
    /* The covered rectangle: from half a step before the first sample's centre to half a
     * step after the last's, inside the source's samples. */
    double const step = area->step;
    double const x_lo = area->x0 - 0.5 * step, y_lo = area->y0 - 0.5 * step;
    double const x_hi = area->x0 + ((double)width * aa - 0.5) * step;
    double const y_hi = area->y0 + ((double)height * aa - 0.5) * step;
    FAIL_IF(ctx, !(step > 0) || !isfinite(step) || !(x_lo >= -0.5) || !(y_lo >= -0.5) ||
                     !(x_hi <= area->src_width - 0.5) || !(y_hi <= area->src_height - 0.5),
            MANDEL_EINVAL, "%ux%u pixels of %u x %u samples from (%.6g,%.6g) by %.6g cover "
            "more than the %ux%u source", width, height, aa, aa, area->x0, area->y0, step,
            area->src_width, area->src_height);
    uint32_t threads;
    CHECK(ctx_pool(ctx, &threads));
    /* A pixel covers at most ceil(aa*step) + 1 samples along an axis. */
    double const per = ceil(aa * step) + 1;
    FAIL_IF(ctx, per * ((double)width + height) * sizeof(double) > (double)ctx->max_memory,
            MANDEL_ETOOBIG, "a step of %.6g needs too many weights", step);
    size_t const n_weights = (size_t)per * ((size_t)width + height);
    span *const spans = ctx_alloc(ctx, ((size_t)width + height) * sizeof *spans);
    double *const weights = ctx_alloc(ctx, n_weights * sizeof *weights);
    if (spans == NULL || weights == NULL) {
        ctx_free(ctx, spans);
        ctx_free(ctx, weights);
        return ctx_fail(ctx, MANDEL_ENOMEM, "out of memory for %zu weights", n_weights);
    }
    size_t const used = spans_make(area->x0, step, aa, width, area->src_width, spans,
                                   weights, 0);
    spans_make(area->y0, step, aa, height, area->src_height, spans + width, weights, used);
    area_job job = {.area = area, .width = width, .cols = spans, .rows = spans + width,
                    .weights = weights, .rgb = rgb};
    linear_tables_init(&job.linear);
    sched_parallel(ctx->pool, threads, height, area_task, &job);
    ctx_free(ctx, spans);
    ctx_free(ctx, weights);
    return MANDEL_OK;
}
