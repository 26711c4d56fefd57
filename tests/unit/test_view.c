/*
 * tests/unit/test_view.c - the pixel -> plane mapping of both kinds of view.
 */
#include "../check.h"
#include "mandel.h"

static void bounds_view(mandel_ctx *ctx)
{
    mandel_view *v = NULL;
    CHECK_EQ_INT(MANDEL_OK, mandel_view_new_bounds(ctx, &v, 400, 400, -2.5, 1, -1, 1));
    CHECK_EQ_U32(400, mandel_view_width(v));
    CHECK_EQ_U32(400, mandel_view_height(v));
    double re, im;
    CHECK_EQ_INT(MANDEL_OK, mandel_view_point(v, 0, 0, &re, &im));
    CHECK_EQ_DBL(-2.5, re);
    CHECK_EQ_DBL(1.0, im);
    /* The tutorial: x0 = xPos*(3.5/w) - 2.5, row k at im = 1 - k*(2/h), computed that way. */
    for (uint32_t k = 0; k < 400; k += 37) {
        for (uint32_t i = 0; i < 400; i += 41) {
            CHECK_EQ_INT(MANDEL_OK, mandel_view_point(v, i, k, &re, &im));
            CHECK_EQ_DBL(i * (3.5 / 400) - 2.5, re);
            CHECK_EQ_DBL(1.0 - k * (2.0 / 400), im);
        }
    }
    CHECK_EQ_INT(MANDEL_OK, mandel_view_point(v, 399, 399, &re, &im));
    CHECK_EQ_DBL(-2.5 + 399 * (3.5 / 400), re);
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_view_point(v, 400, 0, &re, &im));
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_view_point(v, 0, 400, &re, &im));
    mandel_view_free(v);
}

static void center_view(mandel_ctx *ctx)
{
    mandel_view *v = NULL;
    /* 4x2 pixels, radius 1: step 1, samples at pixel centres symmetric around the centre. */
    CHECK_EQ_INT(MANDEL_OK, mandel_view_new_center(ctx, &v, 4, 2, "0", "0", "1"));
    double re, im;
    mandel_view_point(v, 0, 0, &re, &im);
    CHECK_EQ_DBL(-1.5, re);
    CHECK_EQ_DBL(0.5, im);
    mandel_view_point(v, 3, 1, &re, &im);
    CHECK_EQ_DBL(1.5, re);
    CHECK_EQ_DBL(-0.5, im);
    const char *cre, *cim;
    mandel_view_center(v, &cre, &cim);
    CHECK_EQ_STR("0", cre);
    CHECK_EQ_STR("0", cim);
    mandel_view_free(v);

    /* Odd sizes put the middle pixel exactly on the centre; the text is kept as given. */
    CHECK_EQ_INT(MANDEL_OK, mandel_view_new_center(ctx, &v, 101, 51, "-0.75000000000000000001",
                                                   "0.1", "0.5"));
    mandel_view_point(v, 50, 25, &re, &im);
    CHECK_EQ_DBL(-0.75, re);
    CHECK_EQ_DBL(0.1, im);
    mandel_view_center(v, &cre, &cim);
    CHECK_EQ_STR("-0.75000000000000000001", cre);
    /* Symmetric: offsets from the centre are equal and opposite. */
    double re0, re1, im0, im1;
    mandel_view_point(v, 0, 0, &re0, &im0);
    mandel_view_point(v, 100, 50, &re1, &im1);
    CHECK_EQ_DBL(-0.75 - 50 * (1.0 / 51), re0);
    CHECK_EQ_DBL(-0.75 + 50 * (1.0 / 51), re1);
    CHECK_EQ_DBL(0.1 + 25 * (1.0 / 51), im0);
    CHECK_EQ_DBL(0.1 - 25 * (1.0 / 51), im1);
    mandel_view_free(v);
}

static void bad_views(mandel_ctx *ctx)
{
    mandel_view *v = (mandel_view *)&v;
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_view_new_bounds(ctx, &v, 10, 10, 1, 1, -1, 1));
    CHECK_TRUE(v == NULL);
    CHECK_TRUE(strstr(mandel_errmsg(ctx), "xmin") != NULL);
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_view_new_bounds(ctx, &v, 10, 10, -1, 1, 2, 1));
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_view_new_bounds(ctx, &v, 0, 10, -1, 1, -1, 1));
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_view_new_bounds(ctx, &v, 10, 10, -1, 1.0 / 0.0, -1, 1));
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_view_new_bounds(ctx, &v, 10, 10, 0.0 / 0.0, 1, -1, 1));
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_view_new_center(ctx, &v, 10, 10, "0x", "0", "1"));
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_view_new_center(ctx, &v, 10, 10, "nan", "0", "1"));
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_view_new_center(ctx, &v, 10, 10, "0", "inf", "1"));
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_view_new_center(ctx, &v, 10, 10, "0", "", "1"));
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_view_new_center(ctx, &v, 10, 10, "0", "0", "0"));
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_view_new_center(ctx, &v, 10, 10, "0", "0", "-1"));
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_view_new_center(ctx, &v, 10, 10, "0", "0", "1e999"));
    /* Past double precision the view is kept for the deep engines; forcing the double
     * engine on it fails at render time, never renders blocky pixels. */
    CHECK_EQ_INT(MANDEL_OK, mandel_view_new_center(ctx, &v, 10, 10, "-0.75", "0", "1e-17"));
    CHECK_EQ_INT(MANDEL_ENGINE_PERTURB, mandel_view_engine(v));
    CHECK_EQ_STR("1e-17", mandel_view_radius(v));
    uint32_t counts[100];
    mandel_rect const all = {0, 0, 10, 10};
    CHECK_EQ_INT(MANDEL_OK, mandel_ctx_set(ctx, MANDEL_OPT_ENGINE, MANDEL_ENGINE_DOUBLE));
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_render(ctx, v, 100, all, counts, 10, sizeof counts));
    CHECK_TRUE(strstr(mandel_errmsg(ctx), "too deep for the double engine") != NULL);
    CHECK_EQ_INT(MANDEL_OK, mandel_ctx_set(ctx, MANDEL_OPT_ENGINE, MANDEL_ENGINE_AUTO));
    CHECK_EQ_INT(MANDEL_OK, mandel_render(ctx, v, 100, all, counts, 10, sizeof counts));
    mandel_view_free(v);
    v = NULL;
    /* Any depth: a zoom of 1e1086 and a centre of many digits. */
    CHECK_EQ_INT(MANDEL_OK, mandel_view_new_zoom(ctx, &v, 16, 9, "-1.7686104930146770745031756"
                                                 "5327022652023967790758866549483767725757",
                                                 "0.0012666135038687177", "1E1086"));
    CHECK_EQ_STR("2.000000000000000000000000000000e-1086", mandel_view_radius(v));
    mandel_view_free(v);
    v = NULL;
    CHECK_EQ_INT(MANDEL_OK, mandel_view_new_zoom(ctx, &v, 16, 9, "-0.75", "0", "8"));
    CHECK_EQ_STR("0.25", mandel_view_radius(v));
    CHECK_EQ_INT(MANDEL_ENGINE_DOUBLE, mandel_view_engine(v));
    mandel_view_free(v);
    v = NULL;
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_view_new_zoom(ctx, &v, 10, 10, "0", "0", "0"));
    CHECK_TRUE(strstr(mandel_errmsg(ctx), "zoom") != NULL);
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_view_new_zoom(ctx, &v, 10, 10, "0", "0", "-1e5"));
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_view_new_zoom(ctx, &v, 10, 10, "0", "0", "1e5x"));
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_view_new_zoom(ctx, &v, 10, 10, "0", "0", NULL));
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_view_new_zoom(ctx, &v, 10, 10, "0", "0", "1e-999"));
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_view_new_center(ctx, &v, 10, 10, "0", "0", "1e-999x"));
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_view_new_center(ctx, &v, 10, 10, "0", "0", "-1e-999"));
    CHECK_TRUE(v == NULL);
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_view_new_center(ctx, &v, 10, 10, NULL, "0", "1"));
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_view_new_bounds(NULL, &v, 10, 10, -1, 1, -1, 1));
    /* The ctx still works after the failures. */
    CHECK_EQ_INT(MANDEL_OK, mandel_view_new_center(ctx, &v, 10, 10, "-0.75", "0", "1e-12"));
    mandel_view_free(v);
    mandel_view_free(NULL);
}

int main(void)
{
    mandel_ctx *const ctx = mandel_ctx_new(NULL);
    CHECK_TRUE(ctx != NULL);
    bounds_view(ctx);
    center_view(ctx);
    bad_views(ctx);
    mandel_ctx_free(ctx);
    mandel_ctx_free(NULL);
    return check_report("test_view");
}
