/*
 * tests/unit/test_render.c - mandel_render(): tiles, strides and thread counts give the same
 * counts as one whole render; progress, cancel, stats; every argument check; the ctx stays
 * usable after each failure.
 */
#include "../check.h"
#include "mandel.h"

#define W 173
#define H 97

static uint32_t *render_whole(mandel_ctx *ctx, const mandel_view *v, uint32_t max_iter)
{
    uint32_t *const counts = calloc((size_t)W * H, sizeof *counts);
    mandel_rect const all = {0, 0, W, H};
    CHECK_EQ_INT(MANDEL_OK, mandel_render(ctx, v, max_iter, all, counts, W, (size_t)W * H * 4));
    return counts;
}

static void thread_invariance(mandel_ctx *ctx, const mandel_view *v, const uint32_t *ref)
{
    for (int64_t t = 1; t <= 5; t++) {
        mandel_ctx_set(ctx, MANDEL_OPT_THREADS, t);
        for (int64_t sc = 0; sc <= 1; sc++) {
            mandel_ctx_set(ctx, MANDEL_OPT_SHORTCUTS, sc);
            uint32_t *const c = render_whole(ctx, v, 500);
            CHECK_TRUE(memcmp(ref, c, (size_t)W * H * 4) == 0);
            free(c);
        }
    }
    mandel_ctx_set(ctx, MANDEL_OPT_THREADS, 0);
    mandel_ctx_set(ctx, MANDEL_OPT_SHORTCUTS, 1);
}

/* Tiles of awkward sizes, rendered in a scrambled order into a bigger buffer with a stride,
 * reassemble into exactly the whole render. */
static void tile_invariance(mandel_ctx *ctx, const mandel_view *v, const uint32_t *ref)
{
    size_t const stride = W + 11;
    uint32_t *const big = calloc(stride * H, sizeof *big);
    uint32_t const tw = 37, th = 13;
    uint32_t const nx = (W + tw - 1) / tw, ny = (H + th - 1) / th;
    for (uint32_t n = 0; n < nx * ny; n++) {
        uint32_t const t = (n * 7 + 3) % (nx * ny); /* 7 is coprime with nx*ny = 40 */
        uint32_t const tx = t % nx * tw, ty = t / nx * th;
        mandel_rect const r = {tx, ty, tx + tw > W ? W - tx : tw, ty + th > H ? H - ty : th};
        uint32_t *const dst = big + (size_t)ty * stride + tx;
        size_t const room = (stride * H - ((size_t)ty * stride + tx)) * 4;
        CHECK_EQ_INT(MANDEL_OK, mandel_render(ctx, v, 500, r, dst, stride, room));
    }
    int bad = 0;
    for (uint32_t y = 0; y < H; y++)
        for (uint32_t x = 0; x < W; x++) bad += big[(size_t)y * stride + x] != ref[y * W + x];
    CHECK_EQ_INT(0, bad);
    /* A single pixel and a single row also agree. */
    uint32_t one;
    mandel_rect const px = {100, 50, 1, 1};
    CHECK_EQ_INT(MANDEL_OK, mandel_render(ctx, v, 500, px, &one, 1, 4));
    CHECK_EQ_U32(ref[50 * W + 100], one);
    free(big);
}

typedef struct progress_log {
    int calls;
    uint64_t last_done, last_total;
    bool monotonic;
    int cancel_after;
} progress_log;

static int on_progress(void *user, uint64_t done, uint64_t total)
{
    progress_log *const log = user;
    if (done < log->last_done) log->monotonic = false;
    log->calls++;
    log->last_done = done;
    log->last_total = total;
    return log->cancel_after > 0 && log->calls >= log->cancel_after;
}

static void progress_and_cancel(mandel_ctx *ctx, const mandel_view *v)
{
    progress_log log = {.monotonic = true};
    mandel_ctx_set_progress(ctx, on_progress, &log);
    uint32_t *const c = render_whole(ctx, v, 500);
    CHECK_TRUE(log.calls >= 1);
    CHECK_TRUE(log.monotonic);
    CHECK_EQ_INT(W * H, log.last_done);
    CHECK_EQ_INT(W * H, log.last_total);

    /* A render of minutes (interior of the period-2 bulb, no shortcuts, limit 10^6): the first
     * callback, after 100 ms, cancels it, and it must stop within a segment. */
    mandel_view *slow;
    CHECK_EQ_INT(MANDEL_OK, mandel_view_new_center(ctx, &slow, 256, 256, "-1", "0", "0.01"));
    uint32_t *const big = malloc(256 * 256 * 4);
    progress_log stop = {.monotonic = true, .cancel_after = 1};
    mandel_ctx_set_progress(ctx, on_progress, &stop);
    mandel_ctx_set(ctx, MANDEL_OPT_SHORTCUTS, 0);
    mandel_rect const all = {0, 0, 256, 256};
    CHECK_EQ_INT(MANDEL_ECANCELED, mandel_render(ctx, slow, 1000000, all, big, 256, 256 * 256 * 4));
    CHECK_TRUE(stop.last_done < 256 * 256);
    mandel_ctx_set(ctx, MANDEL_OPT_SHORTCUTS, 1);
    mandel_ctx_set_progress(ctx, NULL, NULL);
    /* Usable afterwards. */
    uint32_t *const again = render_whole(ctx, v, 500);
    CHECK_TRUE(memcmp(c, again, (size_t)W * H * 4) == 0);
    mandel_view_free(slow);
    free(big);
    free(c);
    free(again);
}

typedef struct sink_log {
    uint32_t copy[W * H];
    _Atomic int calls;
    _Atomic int bad;
} sink_log;

/* Copies each piece into place and flags any pixel delivered twice. */
static void on_piece(void *user, mandel_rect piece, const mandel_fields *at)
{
    sink_log *const log = user;
    const uint32_t *const counts = at->counts;
    size_t const stride = at->stride;
    log->calls++;
    for (uint32_t r = 0; r < piece.height; r++) {
        for (uint32_t c = 0; c < piece.width; c++) {
            uint32_t *const dst = &log->copy[(piece.y + r) * W + piece.x + c];
            if (*dst != 0) log->bad++;
            *dst = counts[r * stride + c];
        }
    }
}

/* The sink sees every pixel of the rect exactly once, with its final count, from any
 * number of threads; rect-relative coordinates. */
static void sink(mandel_ctx *ctx, const mandel_view *v, const uint32_t *ref)
{
    static sink_log log;
    for (int64_t t = 1; t <= 3; t++) {
        memset(log.copy, 0, sizeof log.copy);
        log.calls = log.bad = 0;
        mandel_ctx_set(ctx, MANDEL_OPT_THREADS, t);
        mandel_ctx_set_sink(ctx, on_piece, &log);
        uint32_t *const c = render_whole(ctx, v, 500);
        CHECK_EQ_INT(0, log.bad);
        CHECK_TRUE(log.calls >= H);
        CHECK_TRUE(memcmp(log.copy, ref, sizeof log.copy) == 0);
        free(c);
    }
    /* A sub-rect: coordinates are relative to it. */
    memset(log.copy, 0, sizeof log.copy);
    uint32_t part[10 * 4];
    mandel_rect const r = {50, 20, 10, 4};
    CHECK_EQ_INT(MANDEL_OK, mandel_render(ctx, v, 500, r, part, 10, sizeof part));
    CHECK_EQ_U32(ref[20 * W + 50], log.copy[0]);
    CHECK_EQ_U32(ref[23 * W + 59], log.copy[3 * W + 9]);
    mandel_ctx_set_sink(ctx, NULL, NULL);
    mandel_ctx_set(ctx, MANDEL_OPT_THREADS, 0);
}

/* mandel_render_fields: smooth and distance fields agree with the counts; formulas and
 * Julia sets through the ctx; thread counts do not change any field; errors. */
static void fields(mandel_ctx *ctx, const mandel_view *v, const uint32_t *ref)
{
    size_t const n = (size_t)W * H;
    uint32_t *const counts = calloc(n, sizeof *counts);
    float *const smooth = calloc(n, sizeof *smooth), *const dist = calloc(n, sizeof *dist);
    float *const smooth2 = calloc(n, sizeof *smooth2);
    mandel_rect const all = {0, 0, W, H};
    mandel_fields f = {counts, smooth, dist, W, n};
    CHECK_EQ_INT(MANDEL_OK, mandel_render_fields(ctx, v, 500, all, &f));
    CHECK_TRUE(memcmp(counts, ref, n * 4) == 0); /* the same counts as mandel_render */
    int bad = 0;
    for (size_t i = 0; i < n; i++) {
        bool const inside = counts[i] == 500;
        bad += inside ? !(smooth[i] == 500.0f && dist[i] == 0.0f)
                      : !(dist[i] > 0.0f && smooth[i] < 500.0f + 64.0f);
    }
    CHECK_EQ_INT(0, bad);
    /* Smooth alone, on 1 and 3 threads: the same floats. */
    mandel_fields const only = {NULL, smooth2, NULL, W, n};
    mandel_ctx_set(ctx, MANDEL_OPT_THREADS, 1);
    CHECK_EQ_INT(MANDEL_OK, mandel_render_fields(ctx, v, 500, all, &only));
    CHECK_TRUE(memcmp(smooth, smooth2, n * 4) == 0);
    mandel_ctx_set(ctx, MANDEL_OPT_THREADS, 3);
    memset(smooth2, 0, n * 4);
    CHECK_EQ_INT(MANDEL_OK, mandel_render_fields(ctx, v, 500, all, &only));
    CHECK_TRUE(memcmp(smooth, smooth2, n * 4) == 0);
    mandel_ctx_set(ctx, MANDEL_OPT_THREADS, 0);

    /* Distances are in pixels: the same point in a view with pixels twice as large is half
     * as many pixels away (1x1 centre views sample their centre; steps 1 and 2 are exact). */
    mandel_view *fine, *coarse;
    CHECK_EQ_INT(MANDEL_OK, mandel_view_new_center(ctx, &fine, 1, 1, "0.3", "0.6", "0.5"));
    CHECK_EQ_INT(MANDEL_OK, mandel_view_new_center(ctx, &coarse, 1, 1, "0.3", "0.6", "1"));
    float d_fine = 0, d_coarse = 0;
    mandel_rect const one = {0, 0, 1, 1};
    CHECK_EQ_INT(MANDEL_OK, mandel_render_fields(ctx, fine, 500, one,
                                                 &(mandel_fields){NULL, NULL, &d_fine, 1, 1}));
    CHECK_EQ_INT(MANDEL_OK, mandel_render_fields(ctx, coarse, 500, one,
                                                 &(mandel_fields){NULL, NULL, &d_coarse, 1, 1}));
    CHECK_TRUE(d_coarse > 0 && d_fine == 2 * d_coarse);
    mandel_view_free(fine);
    mandel_view_free(coarse);

    /* Julia c = 0 through the API: the unit disc. */
    mandel_view *disc;
    CHECK_EQ_INT(MANDEL_OK, mandel_view_new_center(ctx, &disc, 41, 41, "0", "0", "1.5"));
    uint32_t dc[41 * 41];
    CHECK_EQ_INT(MANDEL_OK, mandel_ctx_set_julia(ctx, 1, 0, 0));
    mandel_rect const dr = {0, 0, 41, 41};
    CHECK_EQ_INT(MANDEL_OK, mandel_render(ctx, disc, 200, dr, dc, 41, sizeof dc));
    int wrong = 0;
    for (int k = 0; k < 41; k++) {
        for (int i = 0; i < 41; i++) {
            double re, im;
            mandel_view_point(disc, (uint32_t)i, (uint32_t)k, &re, &im);
            wrong += (dc[k * 41 + i] == 200) != (re * re + im * im <= 1.0);
        }
    }
    CHECK_EQ_INT(0, wrong);
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_ctx_set_julia(ctx, 1, 0.0 / 0.0, 0));
    CHECK_EQ_INT(MANDEL_OK, mandel_ctx_set_julia(ctx, 0, 0, 0));
    mandel_view_free(disc);

    /* Other formulas: Tricorn on the real axis equals the Mandelbrot set; distances are
     * refused for it; the power option's bounds. */
    CHECK_EQ_INT(MANDEL_OK, mandel_ctx_set(ctx, MANDEL_OPT_FORMULA, MANDEL_FORMULA_TRICORN));
    mandel_fields const df = {NULL, NULL, dist, W, n};
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_render_fields(ctx, v, 500, all, &df));
    CHECK_TRUE(strstr(mandel_errmsg(ctx), "Mandelbrot formula only") != NULL);
    mandel_view *axis;
    CHECK_EQ_INT(MANDEL_OK, mandel_view_new_bounds(ctx, &axis, 64, 1, -2, 0.5, -1e-300, 0));
    uint32_t a[64], b[64];
    mandel_rect const ar = {0, 0, 64, 1};
    CHECK_EQ_INT(MANDEL_OK, mandel_render(ctx, axis, 300, ar, a, 64, sizeof a));
    mandel_ctx_set(ctx, MANDEL_OPT_FORMULA, MANDEL_FORMULA_MANDELBROT);
    CHECK_EQ_INT(MANDEL_OK, mandel_render(ctx, axis, 300, ar, b, 64, sizeof b));
    CHECK_TRUE(memcmp(a, b, sizeof a) == 0);
    mandel_view_free(axis);
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_ctx_set(ctx, MANDEL_OPT_POWER, 1));
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_ctx_set(ctx, MANDEL_OPT_POWER, 65));
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_ctx_set(ctx, MANDEL_OPT_FORMULA, MANDEL_FORMULA_COUNT));
    CHECK_EQ_STR("burning-ship", mandel_formula_name(MANDEL_FORMULA_BURNING_SHIP));

    /* Errors: no field, a capacity too small. */
    mandel_fields const none = {NULL, NULL, NULL, W, n};
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_render_fields(ctx, v, 500, all, &none));
    mandel_fields const small = {counts, NULL, NULL, W, n - 1};
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_render_fields(ctx, v, 500, all, &small));
    free(counts);
    free(smooth);
    free(smooth2);
    free(dist);
}

static void stats(mandel_ctx *ctx, const mandel_view *v, const uint32_t *ref)
{
    mandel_ctx_set(ctx, MANDEL_OPT_THREADS, 2);
    uint32_t *const c = render_whole(ctx, v, 500);
    mandel_stats st;
    mandel_ctx_stats(ctx, &st);
    uint64_t sum = 0;
    for (size_t i = 0; i < (size_t)W * H; i++) sum += ref[i];
    CHECK_EQ_INT(sum, st.iterations);
    CHECK_EQ_INT((uint64_t)W * H, st.pixels);
    CHECK_EQ_INT(2, st.threads);
    /* the kernel that ran: one this library has and this CPU runs */
    bool named = false;
    for (int i = MANDEL_ISA_SCALAR; i < MANDEL_ISA_COUNT && st.isa != NULL; i++)
        named |= strcmp(st.isa, mandel_isa_name((mandel_isa)i)) == 0 &&
                 mandel_isa_available((mandel_isa)i);
    CHECK_TRUE(named);
    CHECK_TRUE(st.seconds >= 0);
    mandel_ctx_set(ctx, MANDEL_OPT_THREADS, 0);
    free(c);
}

static void bad_arguments(mandel_ctx *ctx, const mandel_view *v, const uint32_t *ref)
{
    uint32_t buf[64];
    mandel_rect const r = {0, 0, 8, 8};
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_render(NULL, v, 100, r, buf, 8, sizeof buf));
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_render(ctx, NULL, 100, r, buf, 8, sizeof buf));
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_render(ctx, v, 100, r, NULL, 8, sizeof buf));
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_render(ctx, v, 0, r, buf, 8, sizeof buf));
    CHECK_TRUE(strstr(mandel_errmsg(ctx), "iteration limit") != NULL);
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_render(ctx, v, 100, r, buf, 7, sizeof buf));
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_render(ctx, v, 100, r, buf, 8, sizeof buf - 1));
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_render(ctx, v, 100, r, buf, 9, sizeof buf));
    mandel_rect const empty = {0, 0, 0, 8};
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_render(ctx, v, 100, empty, buf, 8, sizeof buf));
    mandel_rect const outside = {W - 4, 0, 8, 8};
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_render(ctx, v, 100, outside, buf, 8, sizeof buf));
    CHECK_TRUE(strstr(mandel_errmsg(ctx), "outside") != NULL);
    mandel_rect const wrap = {UINT32_MAX, 0, 2, 1};
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_render(ctx, v, 100, wrap, buf, 8, sizeof buf));
    mandel_ctx_set(ctx, MANDEL_OPT_MAX_PIXELS, 63);
    CHECK_EQ_INT(MANDEL_ETOOBIG, mandel_render(ctx, v, 100, r, buf, 8, sizeof buf));
    mandel_ctx_set(ctx, MANDEL_OPT_MAX_PIXELS, 64);
    mandel_ctx_set(ctx, MANDEL_OPT_MAX_ITER, 99);
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_render(ctx, v, 100, r, buf, 8, sizeof buf));
    mandel_ctx_set(ctx, MANDEL_OPT_MAX_ITER, 100);
    CHECK_EQ_INT(MANDEL_OK, mandel_render(ctx, v, 100, r, buf, 8, sizeof buf));
    CHECK_EQ_STR("", mandel_errmsg(ctx));

    CHECK_EQ_INT(MANDEL_EINVAL, mandel_ctx_set(ctx, MANDEL_OPT_THREADS, -1));
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_ctx_set(ctx, MANDEL_OPT_THREADS, 1025));
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_ctx_set(ctx, (mandel_option)99, 1));
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_ctx_set(ctx, MANDEL_OPT_ISA, MANDEL_ISA_COUNT));
    for (int i = 0; i < MANDEL_ISA_COUNT; i++) {
        int const want = mandel_isa_available((mandel_isa)i) ? MANDEL_OK : MANDEL_EISA;
        CHECK_EQ_INT(want, mandel_ctx_set(ctx, MANDEL_OPT_ISA, i));
    }
    CHECK_EQ_INT(MANDEL_OK, mandel_ctx_set(ctx, MANDEL_OPT_ISA, MANDEL_ISA_AUTO));
    int64_t value, lo, hi;
    CHECK_EQ_INT(MANDEL_OK, mandel_ctx_get(ctx, MANDEL_OPT_MAX_ITER, &value));
    CHECK_EQ_INT(100, value);
    CHECK_EQ_INT(MANDEL_OK, mandel_option_bounds(MANDEL_OPT_THREADS, &lo, &hi));
    CHECK_EQ_INT(0, lo);
    CHECK_EQ_INT(1024, hi);
    mandel_ctx_set(ctx, MANDEL_OPT_MAX_ITER, UINT32_MAX);
    mandel_ctx_set(ctx, MANDEL_OPT_MAX_PIXELS, (int64_t)1 << 34);
    /* After all these failures, the ctx renders the same field. */
    uint32_t *const c = render_whole(ctx, v, 500);
    CHECK_TRUE(memcmp(ref, c, (size_t)W * H * 4) == 0);
    free(c);
    CHECK_TRUE(strcmp(mandel_strerror(MANDEL_ENOMEM), "out of memory") == 0);
    CHECK_TRUE(mandel_strerror(12345) != NULL);
    CHECK_EQ_INT(MANDEL_VERSION_NUMBER, mandel_version_number());
}

int main(void)
{
    mandel_ctx *const ctx = mandel_ctx_new(NULL);
    mandel_view *v;
    CHECK_EQ_INT(MANDEL_OK, mandel_view_new_center(ctx, &v, W, H, "-0.7436", "0.1318", "0.01"));
    mandel_ctx_set(ctx, MANDEL_OPT_THREADS, 1);
    mandel_ctx_set(ctx, MANDEL_OPT_SHORTCUTS, 0);
    mandel_ctx_set(ctx, MANDEL_OPT_ISA, MANDEL_ISA_SCALAR);
    uint32_t *const ref = render_whole(ctx, v, 500);
    mandel_ctx_set(ctx, MANDEL_OPT_ISA, MANDEL_ISA_AUTO);
    mandel_ctx_set(ctx, MANDEL_OPT_THREADS, 0);
    mandel_ctx_set(ctx, MANDEL_OPT_SHORTCUTS, 1);
    thread_invariance(ctx, v, ref);
    tile_invariance(ctx, v, ref);
    progress_and_cancel(ctx, v);
    sink(ctx, v, ref);
    fields(ctx, v, ref);
    stats(ctx, v, ref);
    bad_arguments(ctx, v, ref);
    free(ref);
    mandel_view_free(v);
    mandel_ctx_free(ctx);
    return check_report("test_render");
}
