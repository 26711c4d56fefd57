/*
 * api.c - the public entry points of rendering: mandel_render()'s checks, then the hand-off
 * to an engine; names of kernels, engines and formulas. (The ctx, its options and its error
 * text are ctx.c's.)
 *
 * Invariant: everything a caller passes is checked here, at the door, and reported with a
 * code and a message; the code behind (view, sched, kernels) asserts instead of checking.
 * A ctx stays usable after any failure.
 */
#include "mandel_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "deep/deep.h"
#include "field.h"
#include "guess.h"
#include "sched.h"
#include "view.h"

unsigned mandel_version_number(void) { return MANDEL_VERSION_NUMBER; }

const char *mandel_version_string(void)
{
#define STR_(x) #x
#define STR(x) STR_(x)
    return STR(MANDEL_VERSION_MAJOR) "." STR(MANDEL_VERSION_MINOR) "." STR(MANDEL_VERSION_PATCH);
}

/* A mandel_progress_fn (user: the ctx) passing the pixel pass to a phase-aware callback. */
static int pixel_phase(void *user, uint64_t done, uint64_t total)
{
    mandel_ctx *const ctx = user;
    return ctx->phase_progress(ctx->phase_progress_user, MANDEL_PHASE_PIXELS, done, total);
}

/* The callback sched_run reports the pixel pass to, and its user pointer. */
static mandel_progress_fn pixel_progress(mandel_ctx *ctx, void **user)
{
    if (ctx->phase_progress != NULL) {
        *user = ctx;
        return pixel_phase;
    }
    *user = ctx->progress_user;
    return ctx->progress;
}

int mandel_render(mandel_ctx *ctx, const mandel_view *view, uint32_t max_iter,
                  mandel_rect rect, uint32_t *counts, size_t stride, size_t counts_bytes)
{
    if (ctx == NULL) return MANDEL_EINVAL;
    ctx_clear(ctx);
    mandel_fields const fields = {counts, NULL, NULL, stride, counts_bytes / sizeof *counts};
    FAIL_IF(ctx, counts == NULL, MANDEL_EINVAL, "view or counts is NULL");
    return mandel_render_fields(ctx, view, max_iter, rect, &fields);
}

const char *mandel_isa_name(mandel_isa isa) { return kernel_isa_name(isa); }

const char *mandel_engine_name(mandel_engine engine)
{
    static const char *const names[MANDEL_ENGINE_COUNT] = {
        [MANDEL_ENGINE_AUTO] = "auto",
        [MANDEL_ENGINE_DOUBLE] = "double",
        [MANDEL_ENGINE_PERTURB] = "perturb",
        [MANDEL_ENGINE_MPFR] = "mpfr",
    };
    return (unsigned)engine < MANDEL_ENGINE_COUNT ? names[engine] : NULL;
}

int mandel_isa_available(mandel_isa isa) { return kernel_available(isa) ? 1 : 0; }

const char *mandel_formula_name(mandel_formula formula)
{
    static const char *const names[MANDEL_FORMULA_COUNT] = {
        [MANDEL_FORMULA_MANDELBROT] = "mandelbrot",
        [MANDEL_FORMULA_BURNING_SHIP] = "burning-ship",
        [MANDEL_FORMULA_TRICORN] = "tricorn",
    };
    return (unsigned)formula < MANDEL_FORMULA_COUNT ? names[formula] : NULL;
}

/* True for the classic set, z^2 + c with z_0 = 0: what every engine renders. */
static bool classic_formula(const mandel_ctx *ctx)
{
    formula_params const *const fp = &ctx->formula;
    return fp->formula == FORMULA_MANDELBROT && fp->power == 2 && !fp->julia;
}

/* Whether this render needs the general engine (kernel_formula) rather than the vector
 * kernels, which give the same counts and smooth values (the same floats). They iterate
 * the quadratic formulas (mandelbrot power 2, burning ship, tricorn) and their Julia sets
 * for counts, and give the smooth values of z^2 + c and its Julia sets; the rest (powers
 * > 2, distances, smooth values of the burning ship and the tricorn) is the general
 * engine's. */
static bool needs_general(const mandel_ctx *ctx, const mandel_fields *f)
{
    formula_params const *const fp = &ctx->formula;
    return f->distance != NULL || (fp->formula == FORMULA_MANDELBROT && fp->power != 2) ||
           (f->smooth != NULL && fp->formula != FORMULA_MANDELBROT);
}

int mandel_render_fields(mandel_ctx *ctx, const mandel_view *view, uint32_t max_iter,
                         mandel_rect rect, const mandel_fields *fields)
{
    if (ctx == NULL) return MANDEL_EINVAL;
    ctx_clear(ctx);
    FAIL_IF(ctx, view == NULL || fields == NULL, MANDEL_EINVAL, "view or fields is NULL");
    FAIL_IF(ctx, fields->counts == NULL && fields->smooth == NULL && fields->distance == NULL,
            MANDEL_EINVAL, "no field to render into");
    FAIL_IF(ctx, fields->distance != NULL && ctx->formula.formula != FORMULA_MANDELBROT,
            MANDEL_EINVAL, "distance estimates exist for the Mandelbrot formula only, not %s",
            mandel_formula_name((mandel_formula)ctx->formula.formula));
    size_t const stride = fields->stride;
    FAIL_IF(ctx, max_iter == 0 || max_iter > ctx->max_iter, MANDEL_EINVAL,
            "iteration limit %u is outside 1..%u", max_iter, ctx->max_iter);
    FAIL_IF(ctx, rect.width == 0 || rect.height == 0, MANDEL_EINVAL, "rect %ux%u is empty",
            rect.width, rect.height);
    FAIL_IF(ctx, rect.x >= view->width || rect.width > view->width - rect.x ||
                     rect.y >= view->height || rect.height > view->height - rect.y,
            MANDEL_EINVAL, "rect %u,%u %ux%u is outside the %ux%u view", rect.x, rect.y,
            rect.width, rect.height, view->width, view->height);
    FAIL_IF(ctx, field_pixels(rect) > ctx->max_pixels, MANDEL_ETOOBIG,
            "rect of %llu pixels exceeds the limit of %llu",
            (unsigned long long)field_pixels(rect), (unsigned long long)ctx->max_pixels);
    size_t span;
    FAIL_IF(ctx, stride < rect.width, MANDEL_EINVAL, "stride %zu is below the width %u",
            stride, rect.width);
    FAIL_IF(ctx, !field_span(rect, stride, &span) || span > fields->capacity, MANDEL_EINVAL,
            "buffer of %zu bytes is too small for %ux%u at stride %zu",
            fields->capacity * sizeof(uint32_t), rect.width, rect.height, stride);
    bool const general = needs_general(ctx, fields);

    mandel_engine engine = ctx->engine;
    if (engine == MANDEL_ENGINE_AUTO) engine = mandel_view_engine(view);
    char clip[CTX_CLIP_LEN];
    FAIL_IF(ctx, engine == MANDEL_ENGINE_DOUBLE && !view->double_ok, MANDEL_EINVAL,
            "the view (radius %s) is too deep for the double engine; use the "
            "perturbation engine", ctx_clip(view->radius ? view->radius : "?", 40, clip,
                                            sizeof clip));
    FAIL_IF(ctx, engine != MANDEL_ENGINE_DOUBLE && view->deep == NULL, MANDEL_EINVAL,
            "the %s engine needs a view made from a centre, not bounds",
            mandel_engine_name(engine));
    mandel_isa isa = MANDEL_ISA_SCALAR;
    kernel_fn *const kernel = kernel_select(ctx->isa, &isa);
    FAIL_IF(ctx, kernel == NULL, MANDEL_EISA, "kernel '%s' is not available",
            kernel_isa_name(ctx->isa));
    uint32_t n_threads;
    CHECK(ctx_pool(ctx, &n_threads));

    FAIL_IF(ctx, ctx->formula.julia && engine != MANDEL_ENGINE_DOUBLE, MANDEL_EINVAL,
            "beyond double precision Julia sets cannot be rendered yet");
    FAIL_IF(ctx, fields->distance != NULL && ctx->formula.power != 2 &&
                     engine != MANDEL_ENGINE_DOUBLE, MANDEL_EINVAL,
            "beyond double precision distance estimates exist for z^2 + c only, not z^%u + c",
            ctx->formula.power);
    void *progress_user;
    mandel_progress_fn const progress = pixel_progress(ctx, &progress_user);
    if (engine != MANDEL_ENGINE_DOUBLE) {
        double const start = clock_seconds();
        mandel_stats st = {0};
        int const err = deep_render(ctx, ctx->pool, n_threads, view->deep,
                                    engine == MANDEL_ENGINE_MPFR, &ctx->formula, max_iter,
                                    rect, fields,
                                    progress, progress_user, &st);
        /* A cancel is used up by the render it stopped. */
        if (err == MANDEL_ECANCELED) atomic_store(&ctx->cancel_pending, false);
        CHECK(err);
        st.seconds = clock_seconds() - start;
        st.pixels = field_pixels(rect);
        st.threads = n_threads;
        st.isa = engine == MANDEL_ENGINE_MPFR ? "mpfr" : "perturb";
        ctx->stats = st;
        return MANDEL_OK;
    }

    /* The vector kernel for what it iterates (kj.formula then gives it the variant), else
     * the general engine: kernel NULL. */
    kernel_job const kj = {
        .kernel = general ? NULL : kernel,
        .formula = general || !classic_formula(ctx) ? &ctx->formula : NULL,
        .re = view->re + rect.x,
        .im = view->im + rect.y,
        .max_iter = max_iter,
        .shortcuts = ctx->shortcuts,
        .smooth = fields->smooth,
        .distance = fields->distance,
        .stride = stride,
        .pixels_per_unit = 1.0 / view->step,
    };
    sched_job job = {
        .segment = kernel_segment,
        .segment_user = (void *)&kj,
        .width = rect.width,
        .height = rect.height,
        .counts = fields->counts,
        .smooth = fields->smooth,
        .distance = fields->distance,
        .stride = stride,
        .sink = ctx->sink,
        .sink_user = ctx->sink_user,
        .rect_x = rect.x,
        .rect_y = rect.y,
        .threads = n_threads,
        .ctx = ctx,
        .stop = &ctx->cancel_pending,
    };
    guess_view const guess = {
        .kernel = kernel,
        .re = view->re,
        .im = view->im,
        .width = view->width,
        .height = view->height,
        .max_iter = max_iter,
        .shortcuts = ctx->shortcuts,
    };
    /* Guessing gives counts only. */
    if (ctx->guess && !general && classic_formula(ctx) && fields->smooth == NULL)
        job.guess = &guess;
    double const start = clock_seconds();
    uint64_t iterations = 0;
    int const err = sched_run(ctx->pool, &job, progress, progress_user, &iterations);
    if (err == MANDEL_ECANCELED) atomic_store(&ctx->cancel_pending, false);
    FAIL_IF(ctx, err == MANDEL_ECANCELED, err, "render cancelled");
    /* Any other failure (the guessing tiles' allocation) left its message in the ctx. */
    CHECK(err);
    ctx->stats = (mandel_stats){
        .seconds = clock_seconds() - start,
        .pixels = field_pixels(rect),
        .iterations = iterations,
        .threads = n_threads,
        .isa = kernel_isa_name(isa),
    };
    return MANDEL_OK;
}
