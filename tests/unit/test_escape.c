/*
 * tests/unit/test_escape.c - the escape count at points whose answer is known by hand.
 */
#include <math.h>

#include "../check.h"
#include "kernel/kernel.h"
#include "mandel.h"

static uint32_t count_at(double re, double im, uint32_t max_iter, bool shortcuts)
{
    kernel_row const row = {.re = &re, .im = im, .n = 1, .max_iter = max_iter,
                            .shortcuts = shortcuts};
    uint32_t count = 0;
    kernel_scalar(&row, &count);
    return count;
}

/* The same point through the public API, on a 1x1 bounds view whose only sample is c. */
static uint32_t count_via_api(mandel_ctx *ctx, double re, double im, uint32_t max_iter)
{
    mandel_view *v;
    if (mandel_view_new_bounds(ctx, &v, 1, 1, re, re + 1, im - 1, im) != MANDEL_OK) return 0;
    uint32_t count = 0;
    mandel_rect const rect = {0, 0, 1, 1};
    int const err = mandel_render(ctx, v, max_iter, rect, &count, 1, sizeof count);
    mandel_view_free(v);
    return err == MANDEL_OK ? count : 0;
}

int main(void)
{
    for (int s = 0; s < 2; s++) {
        bool const sc = s == 1;
        CHECK_EQ_U32(1000, count_at(0, 0, 1000, sc));      /* z stays 0 */
        CHECK_EQ_U32(1000, count_at(-1, 0, 1000, sc));     /* 0, -1, 0, -1, ... */
        CHECK_EQ_U32(1, count_at(-2, 0, 1000, sc));        /* |z_1| = 2 escapes at once */
        CHECK_EQ_U32(1000, count_at(0.25, 0, 1000, sc));   /* the cusp: z -> 1/2 */
        CHECK_EQ_U32(1000, count_at(0, 1, 1000, sc));      /* i: 0, i, i-1, -i, i-1, ... */
        CHECK_EQ_U32(1000, count_at(-1.75, 0, 1000, sc));  /* period-3 window: inside */
        CHECK_EQ_U32(1000, count_at(-0.1226, 0.7449, 1000, sc)); /* period-3 bulb */
        CHECK_EQ_U32(2, count_at(1, 0, 1000, sc));         /* 1, 2: |z_2| = 2 */
        CHECK_EQ_U32(1, count_at(0, 2, 1000, sc));         /* 2i: |z_1| = 2 */
        CHECK_EQ_U32(1, count_at(3, 0, 1000, sc));
        CHECK_EQ_U32(5, count_at(0.5, 0, 1000, sc));       /* 0.5, 0.75, 1.0625, 1.63, 3.15 */
        CHECK_EQ_U32(1, count_at(-2, 0, 1, sc));
        CHECK_EQ_U32(1, count_at(0, 0, 1, sc));            /* the limit caps interior at 1 */
        /* 0.26 is just right of the cusp: the count of its slow escape, by hand in Python. */
        CHECK_EQ_U32(30, count_at(0.26, 0, 1000, sc));
        /* -0.75+0.1i lies in the neck between cardioid and bulb, outside the set. */
        CHECK_EQ_U32(33, count_at(-0.75, 0.1, 1000, sc));
        /* OEIS A299415: c = 1/4 + 10^-n escapes after these many steps (doubles hold to ~n=11). */
        static const uint32_t a299415[] = {2, 8, 30, 97, 312, 991, 3140, 9933, 31414, 99344};
        for (int n = 0; n < 10; n++)
            CHECK_EQ_U32(a299415[n], count_at(0.25 + pow(10, -n), 0, 1000000, sc));
    }
    /* Limits far above a pixel's escape and up to 2^32-1 work and do not wrap. */
    CHECK_EQ_U32(1, count_at(-2, 0, UINT32_MAX, false));
    CHECK_EQ_U32(UINT32_MAX, count_at(0, 0, UINT32_MAX, true));
    CHECK_EQ_U32(UINT32_MAX, count_at(-1, 0, UINT32_MAX, true));

    mandel_ctx *const ctx = mandel_ctx_new(NULL);
    CHECK_EQ_U32(1, count_via_api(ctx, -2, 0, 1000));
    CHECK_EQ_U32(1000, count_via_api(ctx, 0, 0, 1000));
    CHECK_EQ_U32(33, count_via_api(ctx, -0.75, 0.1, 1000));
    CHECK_EQ_U32((uint32_t)1 << 31, count_via_api(ctx, -1, 0, (uint32_t)1 << 31));
    mandel_ctx_free(ctx);
    return check_report("test_escape");
}
