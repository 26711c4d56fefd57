/*
 * tests/unit/test_cancel.c - a cancel stops a render within milliseconds even when every
 * thread is inside a pixel of 10^8 iterations or more: the progress callback still runs
 * about ten times a second on the calling thread, and its cancel is seen inside the
 * pixels, in the MPFR engine and in the perturbation engine (one pixel at a time and in
 * the vector loops); and in the double engine's kernels (every ISA built and runnable here,
 * and the general engine), whose pixels run 2^32 steps at most. Run under ASan and TSan too
 * (.ci/run).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../check.h"
#include "mandel.h"

/* Cancels at the first report after `after` seconds; notes when. */
typedef struct canceller {
    double start, after;
    double first_report;  /* seconds after start, or -1 */
    double cancelled_at;  /* absolute, or 0 */
    int reports;
} canceller;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int on_progress(void *user, uint64_t done, uint64_t total)
{
    (void)done;
    (void)total;
    canceller *const c = user;
    double const t = now();
    if (c->reports++ == 0) c->first_report = t - c->start;
    if (t - c->start < c->after) return 0;
    if (c->cancelled_at == 0) c->cancelled_at = t;
    return 1;
}

/* Renders the 4x4 view with the engine and limit given, cancelling after 0.3 s; checks
 * MANDEL_ECANCELED well under a second after the cancel. */
static void cancel_case(const char *name, mandel_engine engine, const char *re, const char *im,
                        const char *radius, uint32_t max_iter, int threads)
{
    mandel_ctx *const ctx = mandel_ctx_new(NULL);
    CHECK_TRUE(ctx != NULL);
    CHECK_EQ_INT(MANDEL_OK, mandel_ctx_set(ctx, MANDEL_OPT_ENGINE, engine));
    CHECK_EQ_INT(MANDEL_OK, mandel_ctx_set(ctx, MANDEL_OPT_THREADS, threads));
    /* the reference orbit is checked for max_iter steps, though these escape early */
    CHECK_EQ_INT(MANDEL_OK, mandel_ctx_set(ctx, MANDEL_OPT_MAX_MEMORY, INT64_MAX));
    mandel_view *v = NULL;
    CHECK_EQ_INT(MANDEL_OK, mandel_view_new_center(ctx, &v, 4, 4, re, im, radius));
    canceller c = {.start = now(), .after = 0.3, .first_report = -1};
    mandel_ctx_set_progress(ctx, on_progress, &c);
    uint32_t counts[16];
    mandel_rect const all = {0, 0, 4, 4};
    int const err = mandel_render(ctx, v, max_iter, all, counts, 4, sizeof counts);
    double const end = now();
    CHECK_EQ_INT(MANDEL_ECANCELED, err);
    CHECK_TRUE(c.cancelled_at > 0);
    /* The reports come from inside the long pixels: the first after ~0.1 s, and the stop
     * within milliseconds (bounds with room for sanitizers and a loaded machine: without
     * the polls the first report waits for a whole pixel, minutes here). */
    CHECK_TRUE(c.first_report >= 0 && c.first_report < 0.6);
    double const latency = c.cancelled_at > 0 ? end - c.cancelled_at : -1;
    CHECK_TRUE(latency >= 0 && latency < 0.5);
    fprintf(stderr, "%s, %d threads: first report %.3f s, stopped %.4f s after the cancel\n",
            name, threads, c.first_report, latency);
    /* the ctx is usable afterwards */
    mandel_ctx_set_progress(ctx, NULL, NULL);
    CHECK_EQ_INT(MANDEL_OK, mandel_render(ctx, v, 50, all, counts, 4, sizeof counts));
    mandel_view_free(v);
    mandel_ctx_free(ctx);
}

/* Phase-aware: cancels at the first report after the orbit phase has ended (its done =
 * total call), i.e. while the BLA table is built or later; notes when the orbit ended and
 * when it cancelled. */
typedef struct phase_canceller {
    double orbit_done;   /* absolute time of the orbit's completion call, or 0 */
    double cancelled_at; /* absolute time of the cancel, or 0 */
} phase_canceller;

static int on_phase(void *user, mandel_phase phase, uint64_t done, uint64_t total)
{
    phase_canceller *const c = user;
    if (phase == MANDEL_PHASE_ORBIT && done == total && c->orbit_done == 0) {
        c->orbit_done = now();
        return 0;
    }
    if (c->orbit_done == 0) return 0;
    if (c->cancelled_at == 0) c->cancelled_at = now();
    return 1;
}

/* The BLA table of a 10^7-step orbit (c = -1, which never escapes) takes most of a second
 * to build (several under the sanitizers): a report must come during the build, and a
 * cancel then be seen at once. The whole build is timed first, uncancelled, in the same
 * build: without a poll inside it the first report after the orbit came only from the pixel
 * pass, after the whole table, so the cancelled render would last at least that long. */
static void cancel_bla(void)
{
#if defined(MANDEL_SLOW_BUILD)
    double const bound = 0.5;
#else
    double const bound = 0.1;
#endif
    uint32_t counts[16];
    mandel_rect const all = {0, 0, 4, 4};
    double whole = -1;
    for (int cancel = 0; cancel <= 1; cancel++) {
        mandel_ctx *const ctx = mandel_ctx_new(NULL);
        CHECK_TRUE(ctx != NULL);
        CHECK_EQ_INT(MANDEL_OK, mandel_ctx_set(ctx, MANDEL_OPT_ENGINE, MANDEL_ENGINE_PERTURB));
        CHECK_EQ_INT(MANDEL_OK, mandel_ctx_set(ctx, MANDEL_OPT_THREADS, 1));
        mandel_view *v = NULL;
        CHECK_EQ_INT(MANDEL_OK, mandel_view_new_zoom(ctx, &v, 4, 4, "-1", "0", "1e30"));
        phase_canceller c = {0, 0};
        if (cancel) mandel_ctx_set_phase_progress(ctx, on_phase, &c);
        int const err = mandel_render(ctx, v, 10000000, all, counts, 4, sizeof counts);
        double const end = now();
        if (!cancel) {
            CHECK_EQ_INT(MANDEL_OK, err);
            mandel_stats st;
            mandel_ctx_stats(ctx, &st);
            whole = st.bla_seconds;
        } else {
            CHECK_EQ_INT(MANDEL_ECANCELED, err);
            CHECK_TRUE(c.orbit_done > 0 && c.cancelled_at > 0);
            double const after_orbit = c.orbit_done > 0 ? end - c.orbit_done : -1;
            double const latency = c.cancelled_at > 0 ? end - c.cancelled_at : -1;
            /* The first report is due a tenth of a second into the build: on a machine
             * whose whole table takes less than 0.4 s that cannot be told from no poll. */
            if (whole >= 0.4)
                CHECK_TRUE(after_orbit >= 0 && after_orbit < whole * 0.5);
            else
                fprintf(stderr, "perturb, BLA table: the whole table took %.3f s, too little "
                        "to tell a poll inside it: not checked\n", whole);
            CHECK_TRUE(latency >= 0 && latency < bound);
            fprintf(stderr, "perturb, BLA table: stopped %.4f s after the orbit (the whole table: "
                    "%.3f s), %.4f s after the cancel\n", after_orbit, whole, latency);
        }
        mandel_view_free(v);
        mandel_ctx_free(ctx);
    }
}

/* The double engine: a view of interior points (c near -0.1, the main cardioid) with the
 * shortcuts off and the limit 4e9, so that every pixel runs the whole limit (seconds to
 * minutes); `isa` for the vector kernels (fields 1: with smooth values), or power 3 / smooth
 * values and distances (fields 2) for the general engine (kernel_formula). Cancelled at the
 * first report after 0.05 s, it must end within 100 ms (Release; sanitizer builds are several
 * times slower between polls). */
static void double_case(const char *name, mandel_isa isa, int power, int fields, uint32_t width,
                        int threads, int guess)
{
#if defined(MANDEL_SLOW_BUILD)
    double const bound = 0.5;
#else
    double const bound = 0.1;
#endif
    mandel_ctx *const ctx = mandel_ctx_new(NULL);
    CHECK_TRUE(ctx != NULL);
    CHECK_EQ_INT(MANDEL_OK, mandel_ctx_set(ctx, MANDEL_OPT_ENGINE, MANDEL_ENGINE_DOUBLE));
    CHECK_EQ_INT(MANDEL_OK, mandel_ctx_set(ctx, MANDEL_OPT_ISA, isa));
    CHECK_EQ_INT(MANDEL_OK, mandel_ctx_set(ctx, MANDEL_OPT_THREADS, threads));
    CHECK_EQ_INT(MANDEL_OK, mandel_ctx_set(ctx, MANDEL_OPT_SHORTCUTS, 0));
    CHECK_EQ_INT(MANDEL_OK, mandel_ctx_set(ctx, MANDEL_OPT_POWER, power));
    CHECK_EQ_INT(MANDEL_OK, mandel_ctx_set(ctx, MANDEL_OPT_GUESS, guess));
    mandel_view *v = NULL;
    CHECK_EQ_INT(MANDEL_OK, mandel_view_new_center(ctx, &v, width, 4, "-0.1", "0", "0.01"));
    canceller c = {.start = now(), .after = 0.05, .first_report = -1};
    mandel_ctx_set_progress(ctx, on_progress, &c);
    static uint32_t counts[64 * 4];
    static float smooth[64 * 4], distance[64 * 4];
    mandel_rect const all = {0, 0, width, 4};
    mandel_fields const f = {counts, fields >= 1 ? smooth : NULL,
                             fields >= 2 ? distance : NULL, width, 64 * 4};
    int const err = mandel_render_fields(ctx, v, 4000000000u, all, &f);
    double const end = now();
    CHECK_EQ_INT(MANDEL_ECANCELED, err);
    CHECK_TRUE(c.cancelled_at > 0);
    /* The first report comes from inside the pixels, 0.1 s after the start. */
    CHECK_TRUE(c.first_report >= 0 && c.first_report < 0.3);
    double const latency = c.cancelled_at > 0 ? end - c.cancelled_at : -1;
    CHECK_TRUE(latency >= 0 && latency < bound);
    fprintf(stderr, "double %s%s, %ux4, %d threads: first report %.3f s, stopped %.4f s after "
            "the cancel\n", name, fields == 1 ? ", smooth" : "", width, threads, c.first_report,
            latency);
    /* the ctx is usable afterwards */
    mandel_ctx_set_progress(ctx, NULL, NULL);
    CHECK_EQ_INT(MANDEL_OK, mandel_render_fields(ctx, v, 50, all, &f));
    CHECK_EQ_U32(50, counts[0]);
    mandel_view_free(v);
    mandel_ctx_free(ctx);
}

/* Digits of a dense number near `lead` at depth 10^-shift: lead, shift zeros, then
 * `dense` digits 1..9 cycling, so every MPFR step works on full-length mantissas. */
static char *deep_number(const char *lead, int shift, int dense)
{
    size_t const n = strlen(lead) + 1 + (size_t)shift + (size_t)dense + 1;
    char *const text = malloc(n);
    CHECK_TRUE(text != NULL);
    if (text == NULL) return NULL;
    char *p = text + sprintf(text, "%s.", lead);
    for (int i = 0; i < shift; i++) *p++ = '0';
    for (int i = 0; i < dense; i++) *p++ = (char)('1' + i % 9);
    *p = '\0';
    return text;
}

int main(void)
{
    /* The reference orbit at 1e20000 (66,000 bits a number): its steps take a hundred
     * microseconds, so it must look at the clock every few dozen steps (it looked every
     * 65536: a cancel then waited about 16 s). c lies in the period-2 bulb: no escape. */
    char *const re = deep_number("-1", 5000, 15000), *const im = deep_number("0", 5000, 15000);
    if (re != NULL && im != NULL) {
        mandel_ctx *const ctx = mandel_ctx_new(NULL);
        CHECK_EQ_INT(MANDEL_OK, mandel_ctx_set(ctx, MANDEL_OPT_ENGINE, MANDEL_ENGINE_PERTURB));
        mandel_view *v = NULL;
        CHECK_EQ_INT(MANDEL_OK, mandel_view_new_zoom(ctx, &v, 4, 4, re, im, "1e20000"));
        canceller c = {.start = now(), .after = 0.3, .first_report = -1};
        mandel_ctx_set_progress(ctx, on_progress, &c);
        uint32_t counts[16];
        mandel_rect const all = {0, 0, 4, 4};
        int const err = mandel_render(ctx, v, 10000000, all, counts, 4, sizeof counts);
        /* From the moment the cancel was due: reports themselves must come often. */
        double const latency = now() - (c.start + c.after);
        CHECK_EQ_INT(MANDEL_ECANCELED, err);
        CHECK_TRUE(c.first_report >= 0 && c.first_report < 0.6);
        CHECK_TRUE(latency >= 0 && latency < 0.4);
        fprintf(stderr, "perturb, reference orbit at 1e20000: first report %.3f s, stopped "
                "%.4f s after the cancel was due\n", c.first_report, latency);
        mandel_view_free(v);
        mandel_ctx_free(ctx);
    }
    free(re);
    free(im);
    cancel_bla();

    static const struct {
        const char *name;
        mandel_isa isa;
    } isas[] = {
        {"scalar", MANDEL_ISA_SCALAR}, {"generic", MANDEL_ISA_GENERIC},
        {"sse2", MANDEL_ISA_SSE2},     {"avx2", MANDEL_ISA_AVX2},
        {"avx512", MANDEL_ISA_AVX512},
    };
    for (int threads = 1; threads <= 2; threads++) {
        for (size_t k = 0; k < sizeof isas / sizeof isas[0]; k++) {
            if (!mandel_isa_available(isas[k].isa)) {
                fprintf(stderr, "double %s: not available here\n", isas[k].name);
                continue;
            }
            for (uint32_t width = 4; width <= 64; width *= 16) {
                double_case(isas[k].name, isas[k].isa, 2, 0, width, threads, 0);
                /* smooth values: the lane machines' smooth instances */
                double_case(isas[k].name, isas[k].isa, 2, 1, width, threads, 0);
            }
        }
        for (uint32_t width = 4; width <= 64; width *= 16) {
            double_case("general, power 3", MANDEL_ISA_AUTO, 3, 0, width, threads, 0);
            /* Guessing computes whole 128-pixel tiles through the same kernels. */
            double_case("guessing", MANDEL_ISA_AUTO, 2, 0, width, threads, 1);
            double_case("general, smooth and distance", MANDEL_ISA_AUTO, 2, 2, width,
                        threads, 0);
        }
    }
    for (int threads = 1; threads <= 2; threads++) {
        /* c = -1 (+ 1e-6 pixels): the period-2 bulb, no pixel escapes */
        cancel_case("mpfr", MANDEL_ENGINE_MPFR, "-1", "0", "1e-6", 100000000, threads);
        /* The perturbation engine from a reference that escapes early (a reference that
         * never does would be a 10^9-step orbit first, whose own cancel is another matter)
         * while pixels of the view lie in the main cardioid or the period-2 bulb: rebasing
         * carries them on to the limit. c = 0.3 escapes in a few steps: no double BLA
         * blocks, pixels one at a time (settle); c = -0.75 + 0.001i in about 3000: the
         * vector loops. */
        cancel_case("perturb, one pixel at a time", MANDEL_ENGINE_PERTURB, "0.3", "0", "0.5",
                    1000000000, threads);
        cancel_case("perturb, vector loops", MANDEL_ENGINE_PERTURB, "-0.75", "0.001", "0.5",
                    1000000000, threads);
    }
    return check_report("test_cancel");
}
