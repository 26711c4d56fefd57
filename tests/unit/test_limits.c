/*
 * tests/unit/test_limits.c - the limits one render keeps: MANDEL_OPT_MAX_MEMORY (the
 * reference orbit, the guessing tiles, the MPFR engine's scratch, a .npy read), refused
 * with MANDEL_ETOOBIG and the bytes before anything is allocated; and the progress
 * arithmetic at the largest rect.
 */
#include <time.h>
#include <unistd.h>

#include "../check.h"
#include "mandel.h"
#include "sched.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void memory_option(mandel_ctx *ctx)
{
    int64_t lo, hi, value;
    CHECK_EQ_INT(MANDEL_OK, mandel_option_bounds(MANDEL_OPT_MAX_MEMORY, &lo, &hi));
    CHECK_EQ_INT(1, lo);
    CHECK_EQ_INT(INT64_MAX, hi);
    CHECK_EQ_INT(MANDEL_OK, mandel_ctx_get(ctx, MANDEL_OPT_MAX_MEMORY, &value));
    /* half the physical memory */
    long const pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    if (pages > 0 && page > 0) CHECK_EQ_INT((int64_t)pages * page / 2, value);
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_ctx_set(ctx, MANDEL_OPT_MAX_MEMORY, 0));
    CHECK_EQ_INT(MANDEL_OK, mandel_ctx_set(ctx, MANDEL_OPT_MAX_MEMORY, 12884901888));
    CHECK_EQ_INT(MANDEL_OK, mandel_ctx_get(ctx, MANDEL_OPT_MAX_MEMORY, &value));
    CHECK_EQ_INT(12884901888, value);
}

/* The case: c = -1 never escapes, so its orbit has max_iter steps (64 GiB of them
 * at 2^32 - 1): refused at once with the bytes, never grown until the OOM killer. */
static void orbit_refused(mandel_ctx *ctx)
{
    mandel_view *v = NULL;
    CHECK_EQ_INT(MANDEL_OK, mandel_view_new_center(ctx, &v, 2, 2, "-1", "0", "1e-20"));
    CHECK_EQ_INT(MANDEL_OK, mandel_ctx_set(ctx, MANDEL_OPT_MAX_MEMORY, 12884901888));
    uint32_t counts[4];
    mandel_rect const all = {0, 0, 2, 2};
    double const t0 = now();
    CHECK_EQ_INT(MANDEL_ETOOBIG, mandel_render(ctx, v, UINT32_MAX, all, counts, 2,
                                               sizeof counts));
    CHECK_TRUE(now() - t0 < 1.0);
    /* (2^32 - 1) + 1 values, and as many again/2 beside them while the arrays grow */
    const char *const want = "the reference orbit of 4294967295 steps needs 103079215104 "
                             "bytes, limit is 12884901888";
    CHECK_TRUE(strcmp(mandel_errmsg(ctx), want) == 0);
    if (strcmp(mandel_errmsg(ctx), want) != 0) fprintf(stderr, "got: %s\n", mandel_errmsg(ctx));
    /* the ctx stays usable: within the limit the render is done */
    CHECK_EQ_INT(MANDEL_OK, mandel_render(ctx, v, 100000, all, counts, 2, sizeof counts));
    for (int i = 0; i < 4; i++) CHECK_EQ_U32(100000, counts[i]);
    /* the MPFR engine's scratch: a few hundred bytes per thread here */
    CHECK_EQ_INT(MANDEL_OK, mandel_ctx_set(ctx, MANDEL_OPT_ENGINE, MANDEL_ENGINE_MPFR));
    CHECK_EQ_INT(MANDEL_OK, mandel_ctx_set(ctx, MANDEL_OPT_MAX_MEMORY, 64));
    CHECK_EQ_INT(MANDEL_ETOOBIG, mandel_render(ctx, v, 100, all, counts, 2, sizeof counts));
    CHECK_TRUE(strstr(mandel_errmsg(ctx), "limit is 64") != NULL);
    CHECK_EQ_INT(MANDEL_OK, mandel_ctx_set(ctx, MANDEL_OPT_MAX_MEMORY, 1 << 20));
    CHECK_EQ_INT(MANDEL_OK, mandel_render(ctx, v, 100, all, counts, 2, sizeof counts));
    CHECK_EQ_INT(MANDEL_OK, mandel_ctx_set(ctx, MANDEL_OPT_ENGINE, MANDEL_ENGINE_AUTO));
    mandel_view_free(v);
}

/* Guessing's tiles (64 KiB a thread) are refused under a smaller limit. */
static void guess_refused(mandel_ctx *ctx)
{
    mandel_view *v = NULL;
    CHECK_EQ_INT(MANDEL_OK, mandel_view_new_center(ctx, &v, 64, 64, "-0.5", "0", "1.5"));
    uint32_t counts[64 * 64];
    mandel_rect const all = {0, 0, 64, 64};
    CHECK_EQ_INT(MANDEL_OK, mandel_ctx_set(ctx, MANDEL_OPT_GUESS, 1));
    CHECK_EQ_INT(MANDEL_OK, mandel_ctx_set(ctx, MANDEL_OPT_MAX_MEMORY, 4096));
    memset(counts, 0, sizeof counts);
    CHECK_EQ_INT(MANDEL_ETOOBIG, mandel_render(ctx, v, 100, all, counts, 64, sizeof counts));
    CHECK_TRUE(strstr(mandel_errmsg(ctx), "guessing tiles need") != NULL);
    CHECK_TRUE(strstr(mandel_errmsg(ctx), "limit is 4096") != NULL);
    CHECK_EQ_INT(MANDEL_OK, mandel_ctx_set(ctx, MANDEL_OPT_MAX_MEMORY, 1 << 30));
    CHECK_EQ_INT(MANDEL_OK, mandel_render(ctx, v, 100, all, counts, 64, sizeof counts));
    CHECK_EQ_U32(100, counts[32 * 64 + 32]);
    CHECK_EQ_INT(MANDEL_OK, mandel_ctx_set(ctx, MANDEL_OPT_GUESS, 0));
    mandel_view_free(v);
}

/* A .npy file is refused when reading it would pass the limit. */
static void npy_refused(mandel_ctx *ctx)
{
    char path[64];
    snprintf(path, sizeof path, "/tmp/mandel-test-limits-%d.npy", (int)getpid());
    mandel_image *img = NULL;
    uint32_t counts[32 * 32] = {0};
    CHECK_EQ_INT(MANDEL_OK, mandel_image_open(ctx, &img, path, MANDEL_FORMAT_NPY, 32, 32, NULL));
    CHECK_EQ_INT(MANDEL_OK, mandel_image_write_rows(img, counts, 32));
    CHECK_EQ_INT(MANDEL_OK, mandel_image_close(img));
    mandel_npy *npy = NULL;
    CHECK_EQ_INT(MANDEL_OK, mandel_ctx_set(ctx, MANDEL_OPT_MAX_MEMORY, 4096));
    CHECK_EQ_INT(MANDEL_ETOOBIG, mandel_npy_read(ctx, path, &npy));
    CHECK_TRUE(strstr(mandel_errmsg(ctx), "limit is 4096") != NULL);
    CHECK_EQ_INT(MANDEL_OK, mandel_ctx_set(ctx, MANDEL_OPT_MAX_MEMORY, 1 << 20));
    CHECK_EQ_INT(MANDEL_OK, mandel_npy_read(ctx, path, &npy));
    mandel_npy_free(npy);
    unlink(path);
}

/* The progress report's done * total / n_units at 2^40 pixels: the product passes 2^64. */
static void progress_overflow(void)
{
    uint64_t const total = UINT64_C(1) << 40;
    uint64_t const n_units = UINT64_C(1) << 29; /* rows of 2048 pixels */
    CHECK_TRUE(sched_progress_pixels(n_units / 2, n_units, total) == total / 2);
    CHECK_TRUE(sched_progress_pixels(n_units - 1, n_units, total) == total - 2048);
    CHECK_TRUE(sched_progress_pixels(n_units, n_units, total) == total);
    CHECK_TRUE(sched_progress_pixels(3, 4, 100) == 75);
}

int main(void)
{
    mandel_ctx *const ctx = mandel_ctx_new(NULL);
    CHECK_TRUE(ctx != NULL);
    memory_option(ctx);
    orbit_refused(ctx);
    guess_refused(ctx);
    npy_refused(ctx);
    progress_overflow();
    mandel_ctx_free(ctx);
    return check_report("test_limits");
}
