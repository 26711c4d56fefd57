/*
 * color/resample.c - a field of smooth values seen at another scale: the frames of a zoom
 * video cut from a keyframe, as values or coloured and anti-aliased, on the ctx's threads.
 *
 * Destination sample (q, r) reads the source at (x0 + q*step, y0 + r*step): bilinear
 * between its four nearest values, or the nearest alone where one of the four is at or
 * above the limit (interior: a blend of the limit with an escape count is neither).
 * Values are resampled, not colours, so that colours are applied after and stay exact.
 *
 * Invariant: a destination sample depends only on the source and its position, never on
 * the row a worker took; at step 1 from whole positions it is the source value itself.
 */
#include "mandel_internal.h"

#include "color/color.h"

#include <math.h>
#include <string.h>

#include "sched.h"

typedef struct resample_job {
    const mandel_resample *rs;
    uint32_t width, height;     /* of the destination samples */
    float *values;              /* the destination, or NULL (rgb) */
    const mandel_color *color;  /* rgb: colours, aa x aa samples a pixel */
    uint32_t aa;
    uint8_t *rgb;
    float *scratch;             /* rgb: per worker, aa rows of samples */
    uint8_t *scratch_rgb;       /* rgb: per worker, their colours */
    linear_tables linear;       /* rgb: sRGB <-> linear light, built once a picture */
} resample_job;

/* The source position of destination sample `i` along one axis: index and fraction. */
static inline void locate(double origin, double step, uint32_t i, uint32_t n, uint32_t *at,
                          double *frac)
{
    double const x = origin + (double)i * step;
    double fl = floor(x);
    if (fl > (double)(n - 1)) fl = (double)(n - 1);
    *at = (uint32_t)fl;
    *frac = x - fl;
}

/* One destination row of samples. */
static void resample_row(const mandel_resample *rs, uint32_t r, uint32_t width, float *dst)
{
    uint32_t y;
    double fy;
    locate(rs->y0, rs->step, r, rs->src_height, &y, &fy);
    uint32_t const y1 = y + 1 < rs->src_height ? y + 1 : y;
    const float *const row0 = rs->src + (size_t)y * rs->src_stride;
    const float *const row1 = rs->src + (size_t)y1 * rs->src_stride;
    float const limit = rs->limit;
    for (uint32_t q = 0; q < width; q++) {
        uint32_t x;
        double fx;
        locate(rs->x0, rs->step, q, rs->src_width, &x, &fx);
        uint32_t const x1 = x + 1 < rs->src_width ? x + 1 : x;
        float const a = row0[x], b = row0[x1], c = row1[x], d = row1[x1];
        if (a >= limit || b >= limit || c >= limit || d >= limit) {
            const float *const row = fy < 0.5 ? row0 : row1;
            dst[q] = row[fx < 0.5 ? x : x1];
            continue;
        }
        /* with fx = fy = 0 this is a, exactly (b, c, d are finite) */
        double const top = a * (1 - fx) + b * fx, bottom = c * (1 - fx) + d * fx;
        dst[q] = (float)(top * (1 - fy) + bottom * fy);
    }
}

static void values_task(void *user, uint32_t task, uint32_t worker)
{
    (void)worker;
    const resample_job *const job = user;
    resample_row(job->rs, task, job->width, job->values + (size_t)task * job->width);
}

/* Task t: picture row t from its aa rows of samples. */
static void rgb_task(void *user, uint32_t task, uint32_t worker)
{
    const resample_job *const job = user;
    uint32_t const aa = job->aa, sw = job->width * aa;
    float *const samples = job->scratch + (size_t)worker * sw * aa;
    uint8_t *const rgb = job->scratch_rgb + (size_t)worker * sw * aa * 3;
    for (uint32_t k = 0; k < aa; k++) resample_row(job->rs, task * aa + k, sw, samples + (size_t)k * sw);
    mandel_color_values(job->color, samples, (size_t)sw * aa, rgb);
    uint8_t *const out = job->rgb + (size_t)task * job->width * 3;
    if (aa == 1) memcpy(out, rgb, (size_t)sw * 3);
    else linear_downsample(&job->linear, rgb, (size_t)sw * 3, aa, job->width, out);
}

/* The checks both entry points share: the source, and every sample inside it. */
static int check(mandel_ctx *ctx, const mandel_resample *rs, uint32_t width, uint32_t height)
{
    FAIL_IF(ctx, rs == NULL || rs->src == NULL, MANDEL_EINVAL, "no source values (NULL)");
    FAIL_IF(ctx, width == 0 || height == 0, MANDEL_EINVAL, "resample size %ux%u is empty",
            width, height);
    FAIL_IF(ctx, rs->src_width == 0 || rs->src_height == 0 || rs->src_stride < rs->src_width,
            MANDEL_EINVAL, "source %ux%u with stride %zu", rs->src_width, rs->src_height,
            rs->src_stride);
    double const x_last = rs->x0 + (double)(width - 1) * rs->step;
    double const y_last = rs->y0 + (double)(height - 1) * rs->step;
    FAIL_IF(ctx, !(rs->step > 0) || !isfinite(rs->step) || !(rs->x0 >= 0) || !(rs->y0 >= 0) ||
                     !(x_last <= rs->src_width - 1) || !(y_last <= rs->src_height - 1),
            MANDEL_EINVAL, "samples from (%.6g,%.6g) by %.6g for %ux%u reach outside the %ux%u "
            "source", rs->x0, rs->y0, rs->step, width, height, rs->src_width, rs->src_height);
    return MANDEL_OK;
}

int mandel_values_resample(mandel_ctx *ctx, const mandel_resample *rs, uint32_t width,
                           uint32_t height, float *values, size_t capacity)
{
    if (ctx == NULL) return MANDEL_EINVAL;
    ctx_clear(ctx);
    CHECK(check(ctx, rs, width, height));
    FAIL_IF(ctx, values == NULL || capacity / width < height, MANDEL_EINVAL,
            "room for %zu values, %ux%u needed", values ? capacity : 0, width, height);
    uint32_t threads;
    CHECK(ctx_pool(ctx, &threads));
    resample_job job = {.rs = rs, .width = width, .height = height, .values = values};
    sched_parallel(ctx->pool, threads, height, values_task, &job);
    return MANDEL_OK;
}

int mandel_values_resample_rgb(mandel_ctx *ctx, const mandel_resample *rs,
                               const mandel_color *color, uint32_t aa, uint32_t width,
                               uint32_t height, uint8_t *rgb, size_t rgb_bytes)
{
    if (ctx == NULL) return MANDEL_EINVAL;
    ctx_clear(ctx);
    FAIL_IF(ctx, color == NULL || rgb == NULL, MANDEL_EINVAL, "no colours or no output (NULL)");
    FAIL_IF(ctx, aa < 1 || aa > 8, MANDEL_EINVAL, "anti-aliasing %u is not 1..8", aa);
    FAIL_IF(ctx, width == 0 || height == 0 || width > UINT32_MAX / aa || height > UINT32_MAX / aa,
            MANDEL_EINVAL, "picture size %ux%u", width, height);
    CHECK(check(ctx, rs, width * aa, height * aa));
    FAIL_IF(ctx, rgb_bytes / 3 / width < height, MANDEL_EINVAL,
            "room for %zu bytes, %ux%u RGB needs more", rgb_bytes, width, height);
    uint32_t threads;
    CHECK(ctx_pool(ctx, &threads));
    size_t const per_worker = (size_t)width * aa * aa;  /* samples */
    FAIL_IF(ctx, (uint64_t)per_worker * threads * 7 > ctx->max_memory, MANDEL_ETOOBIG,
            "resampling scratch of %llu bytes, limit is %llu",
            (unsigned long long)per_worker * threads * 7, (unsigned long long)ctx->max_memory);
    resample_job job = {.rs = rs, .width = width, .height = height, .color = color, .aa = aa,
                        .rgb = rgb};
    if (aa > 1) linear_tables_init(&job.linear);
    job.scratch = ctx_alloc(ctx, per_worker * threads * sizeof(float));
    job.scratch_rgb = ctx_alloc(ctx, per_worker * threads * 3);
    if (job.scratch == NULL || job.scratch_rgb == NULL) {
        ctx_free(ctx, job.scratch);
        ctx_free(ctx, job.scratch_rgb);
        return ctx_fail(ctx, MANDEL_ENOMEM, "out of memory for resampling scratch");
    }
    sched_parallel(ctx->pool, threads, height, rgb_task, &job);
    ctx_free(ctx, job.scratch);
    ctx_free(ctx, job.scratch_rgb);
    return MANDEL_OK;
}
