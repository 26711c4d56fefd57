/*
 * bench/kernels.c - how fast each built kernel iterates, against what the FPU can do.
 *
 * usage: bench_kernels [rows]   (rows per scene, default 24; fewer is quicker)
 *
 * Prints, in one run: the practical peak (a tight AVX-512 loop over points that never
 * escape, testing every iterate and every 8th, on one core and on all cores), then for each
 * built kernel the single-thread effective rate (sum of counts / wall time) on evenly
 * spaced rows of four standard scenes, shortcuts off and on, with the ratio to scalar.
 * This measures; tests/unit/test_kernels.c asserts. Timings are the best of three runs.
 */
#include "kernel/kernel.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define HAVE_PEAK 1
#endif

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* ---- practical peak ------------------------------------------------------------------ */

#ifdef HAVE_PEAK
#define PEAK_ITER 20000000u /* per lane; 4 x 8 lanes */

/* kernel_scalar's step on 4 independent zmm vectors of points inside the cardioid.
 * `every` = 1 tests each iterate, 8 every 8th; the result keeps the loop from vanishing. */
__attribute__((target("avx512f"), noinline)) static double peak_loop(unsigned every)
{
    __m512d x[4], y[4], cr[4];
    __m512d const ci = _mm512_set1_pd(0.1), four = _mm512_set1_pd(4.0);
    for (int u = 0; u < 4; u++) {
        cr[u] = _mm512_set_pd(-0.1, -0.11, -0.12, -0.13, -0.14, -0.15, -0.16, -0.17 - 0.01 * u);
        x[u] = cr[u];
        y[u] = ci;
    }
    __mmask8 esc = 0;
    for (unsigned n = 0; n < PEAK_ITER; n += every) {
        for (unsigned k = 0; k < every; k++) {
            for (int u = 0; u < 4; u++) {
                __m512d const x2 = _mm512_mul_pd(x[u], x[u]), y2 = _mm512_mul_pd(y[u], y[u]);
                __m512d const xy = _mm512_mul_pd(x[u], y[u]);
                if (every == 1 || k == every - 1)
                    esc |= _mm512_cmp_pd_mask(_mm512_add_pd(x2, y2), four, _CMP_GE_OQ);
                x[u] = _mm512_add_pd(_mm512_sub_pd(x2, y2), cr[u]);
                y[u] = _mm512_add_pd(_mm512_add_pd(xy, xy), ci);
            }
        }
        if (esc) break;
    }
    double out[8];
    _mm512_storeu_pd(out, _mm512_add_pd(_mm512_add_pd(x[0], x[1]), _mm512_add_pd(x[2], y[3])));
    return out[0] + esc;
}

static double peak_rate(unsigned every)
{
    double best = 1e30;
    for (int r = 0; r < 3; r++) {
        double const t0 = now();
        volatile double sink = peak_loop(every);
        (void)sink;
        double const dt = now() - t0;
        if (dt < best) best = dt;
    }
    return 32.0 * PEAK_ITER / best;
}

static void *peak_thread(void *arg)
{
    double *const rate = arg;
    *rate = peak_rate((unsigned)(*rate));
    return NULL;
}

static double peak_all_cores(unsigned every, unsigned n_threads)
{
    pthread_t th[256];
    double rate[256];
    double const t0 = now();
    for (unsigned i = 0; i < n_threads; i++) {
        rate[i] = every;
        pthread_create(&th[i], NULL, peak_thread, &rate[i]);
    }
    for (unsigned i = 0; i < n_threads; i++) pthread_join(th[i], NULL);
    (void)t0;
    double sum = 0;
    for (unsigned i = 0; i < n_threads; i++) sum += rate[i];
    return sum;
}
#endif

/* ---- scenes -------------------------------------------------------------------------- */

typedef struct scene {
    const char *name;
    uint32_t width, height, max_iter;
    double *re, *im;
} scene;

/* The doubles view.c computes for --bounds and for a centre and radius. */
static void scene_bounds(scene *s, double xmin, double xmax, double ymin, double ymax)
{
    double const dx = (xmax - xmin) / s->width, dy = (ymax - ymin) / s->height;
    for (uint32_t i = 0; i < s->width; i++) s->re[i] = xmin + i * dx;
    for (uint32_t k = 0; k < s->height; k++) s->im[k] = ymax - k * dy;
}

static void scene_center(scene *s, double cre, double cim, double r)
{
    uint32_t const w = s->width, h = s->height;
    double const step = 2.0 * r / h;
    for (uint32_t i = 0; i < w; i++) s->re[i] = cre + ((double)i - (w - 1) / 2.0) * step;
    for (uint32_t k = 0; k < h; k++) s->im[k] = cim - ((double)k - (h - 1) / 2.0) * step;
}

/* Seconds for the best of three passes over `rows` evenly spaced rows; *iters gets the sum
 * of their counts. */
static double time_scene(kernel_fn *fn, const scene *s, uint32_t rows, bool shortcuts,
                         uint64_t *iters, uint32_t *counts)
{
    double best = 1e30;
    for (int r = 0; r < 3; r++) {
        uint64_t sum = 0;
        double const t0 = now();
        for (uint32_t k = 0; k < rows; k++) {
            uint32_t const y = (uint32_t)((k + 0.5) * s->height / rows);
            /* Segments of at most 2048 pixels, as sched.c calls the kernels. */
            for (uint32_t x = 0; x < s->width; x += 2048) {
                uint32_t const n = s->width - x < 2048 ? s->width - x : 2048;
                kernel_row const row = {.re = s->re + x, .im = s->im[y], .n = n,
                                        .max_iter = s->max_iter, .shortcuts = shortcuts};
                fn(&row, counts + x);
            }
            for (uint32_t j = 0; j < s->width; j++) sum += counts[j];
        }
        double const dt = now() - t0;
        if (dt < best) best = dt;
        *iters = sum;
    }
    return best;
}

int main(int argc, char **argv)
{
    uint32_t const rows = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 10) : 24;
    if (rows == 0 || rows > 1080) {
        fprintf(stderr, "usage: bench_kernels [rows 1..1080]\n");
        return 2;
    }
    long const online = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned const n_cpus = online < 1 ? 1 : online > 256 ? 256 : (unsigned)online;

#ifdef HAVE_PEAK
    if (__builtin_cpu_supports("avx512f")) {
        double const p1 = peak_rate(1), p8 = peak_rate(8);
        double const a1 = peak_all_cores(1, n_cpus), a8 = peak_all_cores(8, n_cpus);
        printf("practical peak (AVX-512, 4 zmm, points that never escape), G iterations/s:\n");
        printf("  test every iterate:  %6.2f per core, %6.2f on %u cores\n", p1 / 1e9,
               a1 / 1e9, n_cpus);
        printf("  test every 8th:      %6.2f per core, %6.2f on %u cores\n", p8 / 1e9,
               a8 / 1e9, n_cpus);
    } else {
        printf("practical peak: this CPU has no AVX-512\n");
    }
#else
    printf("practical peak: AVX-512 loop not built for this target\n");
#endif

    static double re[16000], im[16000];
    static uint32_t counts[16000];
    /* The last is the Computer Language Benchmarks Game's picture: the PBM writer renders
     * one iteration more than its limit of 50. */
    scene scenes[4] = {
        {"tutorial 400x400 i1000", 400, 400, 1000, re, im},
        {"whole set 1920x1080 i1000", 1920, 1080, 1000, re, im},
        {"seahorse 1280x720 r3e-5 i5000", 1280, 720, 5000, re, im},
        {"bench game 16000^2 i51", 16000, 16000, 51, re, im},
    };
    printf("\nsingle thread, %u rows per scene, G iterations/s (sum of counts / time)"
           " and ratio to scalar:\n", rows);
    printf("%-30s %-9s %-8s %14s %14s\n", "scene", "kernel", "", "shortcuts off",
           "shortcuts on");
    for (int sc = 0; sc < 4; sc++) {
        scene *const s = &scenes[sc];
        if (sc == 0) scene_bounds(s, -2.5, 1, -1, 1);
        if (sc == 1) scene_center(s, -0.75, 0, 1.25);
        if (sc == 2) scene_center(s, -0.7436447860, 0.1318252536, 3e-5);
        if (sc == 3) scene_bounds(s, -1.5, 0.5, -1, 1);
        uint32_t const r = rows < s->height ? rows : s->height;
        double scalar_rate[2] = {0, 0};
        for (int isa = MANDEL_ISA_SCALAR; isa < MANDEL_ISA_COUNT; isa++) {
            if (!kernel_available((mandel_isa)isa)) continue;
            kernel_fn *const fn = kernel_select((mandel_isa)isa, &(mandel_isa){0});
            double rate[2];
            uint64_t iters[2];
            for (int on = 0; on <= 1; on++) {
                double const dt = time_scene(fn, s, r, on, &iters[on], counts);
                /* Effective rate: shortcuts skip iterations yet count them. */
                rate[on] = (double)iters[on] / dt;
                if (isa == MANDEL_ISA_SCALAR) scalar_rate[on] = rate[on];
            }
            printf("%-30s %-9s %-8s %6.3f (%5.1fx) %6.3f (%5.1fx)\n", sc ? s->name : s->name,
                   kernel_isa_name((mandel_isa)isa), "", rate[0] / 1e9,
                   rate[0] / scalar_rate[0], rate[1] / 1e9, rate[1] / scalar_rate[1]);
        }
    }
    return 0;
}
