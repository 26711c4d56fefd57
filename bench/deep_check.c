/*
 * bench/deep_check.c - is the perturbation engine's picture right? Renders a location with
 * MANDEL_ENGINE_PERTURB, then recomputes a sample of its pixels with the brute-force MPFR
 * engine and compares the counts. Not a test (MPFR takes minutes at depth): a check to run
 * by hand or from bench/deep_check.sh, which builds it against build/libmandel.so.
 *
 *   deep_check [-x] [-s WxH] [-n N] [-t THREADS] [-w FILE] [-c FILE] LOCATION.kfr
 *
 *   -x       render with MANDEL_OPT_EXACT (mandel render --exact)
 *   -s WxH   picture size (default 640x360)
 *   -n N     pixels to check with MPFR (default 200): one in each cell of a grid spread
 *            over the picture, at a fixed pseudo-random place inside the cell
 *   -t T     threads for both engines (default 2)
 *   -w FILE  also write the perturbation counts (raw: width, height, counts; uint32)
 *   -c FILE  compare with counts written by -w (another build or setting) and check the
 *            pixels that differ (up to N) with MPFR instead of the grid sample
 *   -g G     with -c: also check a grid sample of G pixels (as -n G would)
 *
 * Output: one line per mismatch, then a summary line "LOCATION: E/N equal, S in/out swaps".
 * Exit status 0 if every checked pixel agrees, 1 otherwise, 2 on usage or render errors.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mandel.h"

typedef struct sample {
    uint32_t col, row;
    uint32_t perturb, mpfr, other; /* other: the -c file's count */
} sample;

typedef struct worker {
    const char *re, *im, *zoom;
    uint32_t width, height, max_iter;
    sample *samples;
    uint32_t n, next, stride; /* this worker checks samples next, next + stride, ... */
    int err;
} worker;

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static void *run_mpfr(void *arg)
{
    worker *const w = arg;
    mandel_ctx *const ctx = mandel_ctx_new(NULL);
    mandel_view *view = NULL;
    w->err = ctx == NULL ? MANDEL_ENOMEM : MANDEL_OK;
    if (w->err == MANDEL_OK) w->err = mandel_ctx_set(ctx, MANDEL_OPT_THREADS, 1);
    if (w->err == MANDEL_OK) w->err = mandel_ctx_set(ctx, MANDEL_OPT_ENGINE, MANDEL_ENGINE_MPFR);
    if (w->err == MANDEL_OK)
        w->err = mandel_view_new_zoom(ctx, &view, w->width, w->height, w->re, w->im, w->zoom);
    for (uint32_t i = w->next; i < w->n && w->err == MANDEL_OK; i += w->stride) {
        mandel_rect const r = {w->samples[i].col, w->samples[i].row, 1, 1};
        w->err = mandel_render(ctx, view, w->max_iter, r, &w->samples[i].mpfr, 1,
                               sizeof w->samples[i].mpfr);
    }
    if (w->err != MANDEL_OK) fprintf(stderr, "deep_check: mpfr: %s\n", mandel_errmsg(ctx));
    mandel_view_free(view);
    mandel_ctx_free(ctx);
    return NULL;
}

/* Prints samples from..to-1 that differ and a summary line; returns how many differ. */
static uint32_t summarise(const char *loc, const char *what, const sample *samples,
                          uint32_t from, uint32_t to, uint32_t max_iter, bool other)
{
    uint32_t equal = 0, swaps = 0, other_right = 0, lo = UINT32_MAX, hi = 0;
    for (uint32_t i = from; i < to; i++) {
        sample const s = samples[i];
        equal += s.perturb == s.mpfr;
        swaps += (s.perturb == max_iter) != (s.mpfr == max_iter);
        other_right += other && s.other == s.mpfr;
        if (s.mpfr < lo) lo = s.mpfr;
        if (s.mpfr > hi) hi = s.mpfr;
        if (s.perturb != s.mpfr)
            printf("  pixel %u,%u: perturb %u, mpfr %u%s\n", s.col, s.row, s.perturb, s.mpfr,
                   other && s.other == s.mpfr ? " (the -c file is right)" : "");
    }
    printf("%s: %s: %u/%u equal, %u in/out swaps, mpfr counts %u..%u", loc, what, equal,
           to - from, swaps, to > from ? lo : 0, to > from ? hi : 0);
    if (other) printf(", -c file right on %u", other_right);
    printf("\n");
    return to - from - equal;
}

static int usage(void)
{
    fprintf(stderr, "usage: deep_check [-x] [-s WxH] [-n N] [-t THREADS] [-w FILE] [-c FILE] "
                    "[-g G] LOCATION.kfr\n");
    return 2;
}

int main(int argc, char **argv)
{
    uint32_t width = 640, height = 360, n_samples = 200, threads = 2, n_grid = 0;
    const char *write_path = NULL, *compare_path = NULL, *loc_path = NULL;
    int exact = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-x") == 0) {
            exact = 1;
        } else if (strcmp(argv[i], "-s") == 0 && i + 1 < argc) {
            if (sscanf(argv[++i], "%ux%u", &width, &height) != 2) return usage();
        } else if (strcmp(argv[i], "-n") == 0 && i + 1 < argc) {
            n_samples = (uint32_t)strtoul(argv[++i], NULL, 10);
        } else if (strcmp(argv[i], "-g") == 0 && i + 1 < argc) {
            n_grid = (uint32_t)strtoul(argv[++i], NULL, 10);
        } else if (strcmp(argv[i], "-t") == 0 && i + 1 < argc) {
            threads = (uint32_t)strtoul(argv[++i], NULL, 10);
        } else if (strcmp(argv[i], "-w") == 0 && i + 1 < argc) {
            write_path = argv[++i];
        } else if (strcmp(argv[i], "-c") == 0 && i + 1 < argc) {
            compare_path = argv[++i];
        } else if (argv[i][0] != '-' && loc_path == NULL) {
            loc_path = argv[i];
        } else {
            return usage();
        }
    }
    if (loc_path == NULL || width == 0 || height == 0 || threads == 0 || threads > 64)
        return usage();

    mandel_ctx *const ctx = mandel_ctx_new(NULL);
    mandel_location *loc = NULL;
    mandel_view *view = NULL;
    const char *re, *im, *zoom;
    uint32_t max_iter;
    size_t const n_px = (size_t)width * height;
    uint32_t *const counts = malloc(n_px * sizeof *counts);
    uint32_t *const other = compare_path ? malloc(n_px * sizeof *other) : NULL;
    if (ctx == NULL || counts == NULL || (compare_path && other == NULL)) return 2;
    if (mandel_location_read(ctx, loc_path, &loc) != MANDEL_OK) goto fail;
    mandel_location_get(loc, &re, &im, &zoom, &max_iter);
    if (mandel_ctx_set(ctx, MANDEL_OPT_THREADS, threads) != MANDEL_OK ||
        mandel_ctx_set(ctx, MANDEL_OPT_ENGINE, MANDEL_ENGINE_PERTURB) != MANDEL_OK ||
        mandel_ctx_set(ctx, MANDEL_OPT_EXACT, exact) != MANDEL_OK ||
        mandel_view_new_zoom(ctx, &view, width, height, re, im, zoom) != MANDEL_OK)
        goto fail;
    double const t0 = now();
    mandel_rect const all = {0, 0, width, height};
    if (mandel_render(ctx, view, max_iter, all, counts, width, n_px * sizeof *counts) !=
        MANDEL_OK)
        goto fail;
    mandel_stats st;
    mandel_ctx_stats(ctx, &st);
    printf("%s: perturb%s %ux%u in %.2f s", loc_path, exact ? " --exact" : "", width, height,
           now() - t0);
    if (exact)
        printf(" (%llu pixels redone, %llu in MPFR, %llu counts changed)",
               (unsigned long long)st.exact_pixels, (unsigned long long)st.exact_mpfr,
               (unsigned long long)st.exact_changed);
    printf("\n");

    if (write_path != NULL) {
        FILE *const f = fopen(write_path, "wb");
        uint32_t const hdr[2] = {width, height};
        if (f == NULL || fwrite(hdr, sizeof hdr, 1, f) != 1 ||
            fwrite(counts, sizeof *counts, n_px, f) != n_px || fclose(f) != 0) {
            fprintf(stderr, "deep_check: cannot write %s\n", write_path);
            return 2;
        }
    }

    if (compare_path == NULL) n_grid = n_samples;
    sample *const samples = calloc(n_samples + n_grid + 1, sizeof *samples);
    uint32_t n = 0;
    if (samples == NULL) return 2;
    if (compare_path != NULL) {
        FILE *const f = fopen(compare_path, "rb");
        uint32_t hdr[2];
        if (f == NULL || fread(hdr, sizeof hdr, 1, f) != 1 || hdr[0] != width ||
            hdr[1] != height || fread(other, sizeof *other, n_px, f) != n_px) {
            fprintf(stderr, "deep_check: %s: not a %ux%u count file\n", compare_path, width,
                    height);
            return 2;
        }
        fclose(f);
        size_t differ = 0;
        for (size_t i = 0; i < n_px; i++) {
            if (counts[i] == other[i]) continue;
            if (n < n_samples)
                samples[n++] = (sample){(uint32_t)(i % width), (uint32_t)(i / width), counts[i],
                                        0, other[i]};
            differ++;
        }
        printf("%s: %zu of %zu pixels differ from %s; checking %u with mpfr\n", loc_path,
               differ, n_px, compare_path, n);
    }
    if (n_grid > 0) {
        /* a gx x gy grid with at least n_grid cells, one pixel in each of the first n_grid */
        uint32_t const n_before = n;
        uint32_t gx = 1;
        while ((uint64_t)gx * gx * height < (uint64_t)n_grid * width) gx++;
        if (gx > width) gx = width;
        uint32_t gy = (n_grid + gx - 1) / gx;
        if (gy > height) gy = height;
        uint64_t lcg = 12345;
        for (uint32_t cy = 0; cy < gy && n < n_before + n_grid; cy++) {
            for (uint32_t cx = 0; cx < gx && n < n_before + n_grid; cx++) {
                lcg = lcg * 6364136223846793005u + 1442695040888963407u;
                uint32_t const x0 = cx * width / gx, x1 = (cx + 1) * width / gx;
                uint32_t const y0 = cy * height / gy, y1 = (cy + 1) * height / gy;
                uint32_t const col = x0 + (uint32_t)((lcg >> 33) % (x1 - x0));
                uint32_t const row = y0 + (uint32_t)((lcg >> 13) % (y1 - y0));
                size_t const at = (size_t)row * width + col;
                samples[n++] = (sample){col, row, counts[at], 0, other ? other[at] : 0};
            }
        }
    }

    double const t1 = now();
    worker w[64];
    pthread_t tid[64];
    for (uint32_t i = 0; i < threads; i++) {
        w[i] = (worker){re, im, zoom, width, height, max_iter, samples, n, i, threads, 0};
        pthread_create(&tid[i], NULL, run_mpfr, &w[i]);
    }
    int err = MANDEL_OK;
    for (uint32_t i = 0; i < threads; i++) {
        pthread_join(tid[i], NULL);
        if (w[i].err != MANDEL_OK) err = w[i].err;
    }
    if (err != MANDEL_OK) return 2;

    double const mpfr_seconds = now() - t1;
    uint32_t const n_diff = n - (n_grid < n ? n_grid : n);
    uint32_t wrong = 0;
    if (compare_path != NULL)
        wrong += summarise(loc_path, "differing pixels", samples, 0, n_diff, max_iter, true);
    wrong += summarise(loc_path, "grid sample", samples, n_diff, n, max_iter,
                       compare_path != NULL);
    printf("%s: mpfr %.1f s\n", loc_path, mpfr_seconds);
    mandel_view_free(view);
    mandel_location_free(loc);
    mandel_ctx_free(ctx);
    free(samples);
    free(counts);
    free(other);
    return wrong == 0 ? 0 : 1;

fail:
    fprintf(stderr, "deep_check: %s: %s\n", loc_path, mandel_errmsg(ctx));
    return 2;
}
