/*
 * view.c - views: the pixel -> plane mapping, and the centre kept as decimal text.
 *
 * Invariant: a view's coordinates are computed once, here, into one array for the columns
 * and one for the rows; kernels read them and never recompute a coordinate, so a pixel
 * samples the same c whatever rect, band or thread renders it.
 */
#include "view.h"

#include "deep/deep.h"

#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


static int view_alloc(mandel_ctx *ctx, mandel_view **out, uint32_t width, uint32_t height)
{
    FAIL_IF(ctx, width == 0 || height == 0, MANDEL_EINVAL, "view size %ux%u is empty",
            width, height);
    mandel_view *const view = ctx_alloc(ctx, sizeof *view);
    FAIL_IF(ctx, view == NULL, MANDEL_ENOMEM, "out of memory for a view");
    memset(view, 0, sizeof *view);
    view->alloc = ctx->alloc;
    view->width = width;
    view->height = height;
    view->re = ctx_alloc(ctx, (size_t)width * sizeof(double));
    view->im = ctx_alloc(ctx, (size_t)height * sizeof(double));
    if (view->re == NULL || view->im == NULL) {
        mandel_view_free(view);
        return ctx_fail(ctx, MANDEL_ENOMEM, "out of memory for a %ux%u view", width, height);
    }
    *out = view;
    return MANDEL_OK;
}

static int keep_center(mandel_ctx *ctx, mandel_view *view, const char *re, const char *im)
{
    view->center_re = ctx_strdup(ctx, re);
    view->center_im = ctx_strdup(ctx, im);
    FAIL_IF(ctx, view->center_re == NULL || view->center_im == NULL, MANDEL_ENOMEM,
            "out of memory for a view's centre");
    return MANDEL_OK;
}

int mandel_view_new_bounds(mandel_ctx *ctx, mandel_view **out, uint32_t width,
                           uint32_t height, double xmin, double xmax, double ymin, double ymax)
{
    if (ctx == NULL) return MANDEL_EINVAL;
    ctx_clear(ctx);
    FAIL_IF(ctx, out == NULL, MANDEL_EINVAL, "no place for the view (out is NULL)");
    *out = NULL;
    FAIL_IF(ctx, !isfinite(xmin) || !isfinite(xmax) || !isfinite(ymin) || !isfinite(ymax),
            MANDEL_EINVAL, "bounds must be finite numbers");
    FAIL_IF(ctx, !(xmin < xmax), MANDEL_EINVAL, "bounds are empty: xmin %.17g >= xmax %.17g",
            xmin, xmax);
    FAIL_IF(ctx, !(ymin < ymax), MANDEL_EINVAL, "bounds are empty: ymin %.17g >= ymax %.17g",
            ymin, ymax);
    double const dx = (xmax - xmin) / width, dy = (ymax - ymin) / height;
    FAIL_IF(ctx, !isfinite(dx) || !isfinite(dy), MANDEL_EINVAL, "bounds are too wide");
    mandel_view *view;
    CHECK(view_alloc(ctx, &view, width, height));
    view->double_ok = true;
    view->auto_double = true;
    for (uint32_t i = 0; i < width; i++) view->re[i] = xmin + i * dx;
    for (uint32_t k = 0; k < height; k++) view->im[k] = ymax - k * dy;
    view->step = dy;
    view->bounds = true;
    view->x0 = xmin;
    view->y0 = ymax;
    view->dx = dx;
    view->dy = dy;
    view->root_w = width;
    view->root_h = height;
    char re[40], im[40];
    snprintf(re, sizeof re, "%.17g", xmin + (xmax - xmin) / 2);
    snprintf(im, sizeof im, "%.17g", ymin + (ymax - ymin) / 2);
    int const err = keep_center(ctx, view, re, im);
    if (err != MANDEL_OK) {
        mandel_view_free(view);
        return err;
    }
    *out = view;
    return MANDEL_OK;
}

/* Parses the whole of `text` as a finite double. */
static bool parse_finite(const char *text, double *value)
{
    if (text == NULL || *text == '\0') return false;
    char *end;
    errno = 0;
    double const v = strtod(text, &end);
    if (*end != '\0' || end == text || !isfinite(v)) return false;
    if (errno == ERANGE && fabs(v) > 1.0) return false;
    *value = v;
    return true;
}

/* The failure for a centre coordinate `text` that is not a finite double: out of range or
 * not a number at all. */
static int bad_number(mandel_ctx *ctx, const char *what, const char *text)
{
    char clip[CTX_CLIP_LEN];
    deep_number const kind = deep_number_classify(text);
    FAIL_IF(ctx, kind == DEEP_NUMBER_OK || kind == DEEP_NUMBER_HUGE, MANDEL_EINVAL,
            "%s '%s' is too large: a view reaches at most 1e300", what,
            ctx_clip(text, 40, clip, sizeof clip));
    return ctx_fail(ctx, MANDEL_EINVAL, "%s '%s' is not a finite number", what,
                    ctx_clip(text, 40, clip, sizeof clip));
}

/* The double kernels need neighbouring pixels 2^DOUBLE_MIN_BITS below the coordinates
 * apart; below that they would sample the same double, and the perturbation engine takes
 * over. */
#define DOUBLE_MIN_BITS 50

int mandel_view_new_center(mandel_ctx *ctx, mandel_view **out, uint32_t width,
                           uint32_t height, const char *re, const char *im, const char *radius)
{
    if (ctx == NULL) return MANDEL_EINVAL;
    ctx_clear(ctx);
    FAIL_IF(ctx, out == NULL, MANDEL_EINVAL, "no place for the view (out is NULL)");
    *out = NULL;
    double cre, cim, rm;
    int64_t r2, unused2;
    char clip[CTX_CLIP_LEN];
    FAIL_IF(ctx, width == 0 || height == 0, MANDEL_EINVAL, "view size %ux%u is empty",
            width, height);
    if (!parse_finite(re, &cre) || !deep_number_parse(re, &rm, &unused2))
        return bad_number(ctx, "centre real part", re);
    if (!parse_finite(im, &cim) || !deep_number_parse(im, &rm, &unused2))
        return bad_number(ctx, "centre imaginary part", im);
    deep_number const radius_kind = deep_number_classify(radius);
    FAIL_IF(ctx, radius_kind == DEEP_NUMBER_TINY, MANDEL_ETOOBIG,
            "radius '%s' is deeper than this build supports (about 1e%.0f for a view %u "
            "pixels high)", ctx_clip(radius, 40, clip, sizeof clip),
            ceil(log10(2.0) - deep_max_zoom_log10(height)), height);
    FAIL_IF(ctx, radius_kind == DEEP_NUMBER_HUGE, MANDEL_EINVAL,
            "radius '%s' is too large: a view reaches at most 1e300",
            ctx_clip(radius, 40, clip, sizeof clip));
    FAIL_IF(ctx, !deep_number_parse(radius, &rm, &r2) || !(rm > 0), MANDEL_EINVAL,
            "radius '%s' is not a positive finite number", ctx_clip(radius, 40, clip, sizeof clip));
    FAIL_IF(ctx, r2 > 1000, MANDEL_EINVAL, "view is too wide (radius %s)",
            ctx_clip(radius, 40, clip, sizeof clip));
    /* In double, as the kernels have always seen it; r is 0 or subnormal for deep views. */
    double r;
    bool const r_normal = parse_finite(radius, &r) && r >= DBL_MIN;
    if (!r_normal) r = ldexp(rm, (int)(r2 < -1100 ? -1100 : r2));
    double const step = 2.0 * r / height;
    double const half_w = (width - 1) / 2.0 * step, half_h = (height - 1) / 2.0 * step;
    FAIL_IF(ctx, !isfinite(half_w) || fabs(cre) + half_w > 1e300 || fabs(cim) + half_h > 1e300,
            MANDEL_EINVAL, "view reaches beyond 1e300 (centre %.3g,%.3g, radius %.3g)", cre, cim,
            r);
    /* Below ~2^-50 of the coordinates neighbouring pixels sample the same double. */
    double const scale = fmax(fmax(fabs(cre), fabs(cim)) + fmax(half_w, half_h), DBL_MIN);
    bool const double_ok = r_normal && step >= scale * 0x1p-50 && step >= 0x1p-1000;
    mandel_view *view;
    CHECK(view_alloc(ctx, &view, width, height));
    view->double_ok = double_ok;
    view->step = step;
    view->auto_double = double_ok && step >= scale * ldexp(1.0, -DOUBLE_MIN_BITS);
    for (uint32_t i = 0; i < width; i++)
        view->re[i] = cre + ((double)i - (width - 1) / 2.0) * step;
    for (uint32_t k = 0; k < height; k++)
        view->im[k] = cim - ((double)k - (height - 1) / 2.0) * step;
    view->x0 = cre;
    view->y0 = cim;
    view->root_w = width;
    view->root_h = height;
    int err = keep_center(ctx, view, re, im);
    if (err == MANDEL_OK) {
        view->radius = ctx_strdup(ctx, radius);
        if (view->radius == NULL)
            err = ctx_fail(ctx, MANDEL_ENOMEM, "out of memory for a view's radius");
    }
    if (err == MANDEL_OK) err = deep_view_new(ctx, width, height, re, im, radius, &view->deep);
    if (err != MANDEL_OK) {
        mandel_view_free(view);
        return err;
    }
    *out = view;
    return MANDEL_OK;
}

int mandel_view_new_zoom(mandel_ctx *ctx, mandel_view **out, uint32_t width, uint32_t height,
                         const char *re, const char *im, const char *zoom)
{
    if (ctx == NULL) return MANDEL_EINVAL;
    ctx_clear(ctx);
    FAIL_IF(ctx, out == NULL, MANDEL_EINVAL, "no place for the view (out is NULL)");
    *out = NULL;
    char radius[64], clip[CTX_CLIP_LEN];
    FAIL_IF(ctx, width == 0 || height == 0, MANDEL_EINVAL, "view size %ux%u is empty",
            width, height);
    if (!deep_radius_from_zoom(zoom, radius, sizeof radius)) {
        deep_number const kind = deep_number_classify(zoom);
        FAIL_IF(ctx, kind == DEEP_NUMBER_HUGE && zoom[0] != '-', MANDEL_ETOOBIG,
                "zoom '%s' is deeper than this build supports (about 1e%.0f for a view %u "
                "pixels high)", ctx_clip(zoom, 40, clip, sizeof clip),
                floor(deep_max_zoom_log10(height)), height);
        FAIL_IF(ctx, kind == DEEP_NUMBER_TINY && zoom[0] != '-', MANDEL_EINVAL,
                "zoom '%s' is too small: a view reaches at most 1e300",
                ctx_clip(zoom, 40, clip, sizeof clip));
        return ctx_fail(ctx, MANDEL_EINVAL, "zoom '%s' is not a number above 0",
                        ctx_clip(zoom, 40, clip, sizeof clip));
    }
    CHECK(mandel_view_new_center(ctx, out, width, height, re, im, radius));
    (*out)->zoom = ctx_strdup(ctx, zoom);
    if ((*out)->zoom == NULL) {
        mandel_view_free(*out);
        *out = NULL;
        return ctx_fail(ctx, MANDEL_ENOMEM, "out of memory for a view's zoom");
    }
    return MANDEL_OK;
}

/* Tiles reach at most this many pixels beyond their root view's origin: (double)col is
 * then exact, and a deep tile keeps at least 64 - 32 of its guard bits. */
#define TILE_MAX_OFFSET (INT64_C(1) << 31)

/* The coordinate of root column `col` (or row, with `row` true) of view `v`: the same
 * expressions as mandel_view_new_bounds and mandel_view_new_center. */
static double tile_coord(const mandel_view *v, int64_t at, bool row)
{
    if (v->bounds) return row ? v->y0 - (double)at * v->dy : v->x0 + (double)at * v->dx;
    return row ? v->y0 - ((double)at - (v->root_h - 1) / 2.0) * v->step
               : v->x0 + ((double)at - (v->root_w - 1) / 2.0) * v->step;
}

int mandel_view_new_tile(mandel_ctx *ctx, mandel_view **out, const mandel_view *anchor,
                         int64_t col0, int64_t row0, uint32_t width, uint32_t height)
{
    if (ctx == NULL) return MANDEL_EINVAL;
    ctx_clear(ctx);
    FAIL_IF(ctx, out == NULL, MANDEL_EINVAL, "no place for the tile (out is NULL)");
    *out = NULL;
    FAIL_IF(ctx, anchor == NULL, MANDEL_EINVAL, "no anchor view for the tile (NULL)");
    FAIL_IF(ctx, width == 0 || height == 0, MANDEL_EINVAL, "tile size %ux%u is empty",
            width, height);
    FAIL_IF(ctx, col0 <= -TILE_MAX_OFFSET || col0 >= TILE_MAX_OFFSET ||
            row0 <= -TILE_MAX_OFFSET || row0 >= TILE_MAX_OFFSET, MANDEL_EINVAL,
            "tile at (%lld,%lld) is too far from its anchor: at most 2^31 pixels",
            (long long)col0, (long long)row0);
    /* Relative to the root view (a tile's anchor may be a tile itself). */
    int64_t const c0 = anchor->col0 + col0, r0 = anchor->row0 + row0;
    int64_t const c1 = c0 + width - 1, r1 = r0 + height - 1;
    FAIL_IF(ctx, c0 <= -TILE_MAX_OFFSET || c1 >= TILE_MAX_OFFSET || r0 <= -TILE_MAX_OFFSET ||
            r1 >= TILE_MAX_OFFSET, MANDEL_EINVAL,
            "tile at (%lld,%lld) is too far from its anchor: at most 2^31 pixels",
            (long long)c0, (long long)r0);
    double const re0 = tile_coord(anchor, c0, false), re1 = tile_coord(anchor, c1, false);
    double const im0 = tile_coord(anchor, r0, true), im1 = tile_coord(anchor, r1, true);
    FAIL_IF(ctx, !(fabs(re0) <= 1e300 && fabs(re1) <= 1e300 && fabs(im0) <= 1e300 &&
                   fabs(im1) <= 1e300), MANDEL_EINVAL,
            "tile at (%lld,%lld) reaches beyond 1e300", (long long)col0, (long long)row0);
    mandel_view *view;
    CHECK(view_alloc(ctx, &view, width, height));
    view->double_ok = anchor->double_ok;
    view->auto_double = anchor->auto_double;
    view->step = anchor->step;
    view->bounds = anchor->bounds;
    view->x0 = anchor->x0;
    view->y0 = anchor->y0;
    view->dx = anchor->dx;
    view->dy = anchor->dy;
    view->root_w = anchor->root_w;
    view->root_h = anchor->root_h;
    view->col0 = c0;
    view->row0 = r0;
    for (uint32_t i = 0; i < width; i++) view->re[i] = tile_coord(anchor, c0 + i, false);
    for (uint32_t k = 0; k < height; k++) view->im[k] = tile_coord(anchor, r0 + k, true);
    int err = keep_center(ctx, view, anchor->center_re, anchor->center_im);
    if (err == MANDEL_OK && anchor->radius != NULL) {
        view->radius = ctx_strdup(ctx, anchor->radius);
        if (view->radius == NULL)
            err = ctx_fail(ctx, MANDEL_ENOMEM, "out of memory for a view's radius");
    }
    if (err == MANDEL_OK && anchor->zoom != NULL) {
        view->zoom = ctx_strdup(ctx, anchor->zoom);
        if (view->zoom == NULL)
            err = ctx_fail(ctx, MANDEL_ENOMEM, "out of memory for a view's zoom");
    }
    if (err == MANDEL_OK && anchor->deep != NULL)
        err = deep_view_new_tile(ctx, anchor->deep, c0, r0, width, height, &view->deep);
    if (err != MANDEL_OK) {
        mandel_view_free(view);
        return err;
    }
    *out = view;
    return MANDEL_OK;
}

void mandel_view_free(mandel_view *view)
{
    if (view == NULL) return;
    mandel_allocator const a = view->alloc;
    a.free(a.user, view->re);
    a.free(a.user, view->im);
    a.free(a.user, view->center_re);
    a.free(a.user, view->center_im);
    a.free(a.user, view->radius);
    a.free(a.user, view->zoom);
    deep_view_free(view->deep);
    a.free(a.user, view);
}

uint32_t mandel_view_width(const mandel_view *view) { return view ? view->width : 0; }
uint32_t mandel_view_height(const mandel_view *view) { return view ? view->height : 0; }

int mandel_view_point(const mandel_view *view, uint32_t col, uint32_t row, double *re,
                      double *im)
{
    if (view == NULL || re == NULL || im == NULL) return MANDEL_EINVAL;
    if (col >= view->width || row >= view->height) return MANDEL_EINVAL;
    *re = view->re[col];
    *im = view->im[row];
    return MANDEL_OK;
}

void mandel_view_center(const mandel_view *view, const char **re, const char **im)
{
    if (re) *re = view ? view->center_re : NULL;
    if (im) *im = view ? view->center_im : NULL;
}

const char *mandel_view_radius(const mandel_view *view) { return view ? view->radius : NULL; }

int mandel_view_prepared(const mandel_view *view, uint32_t max_iter, mandel_phase *phase,
                         uint64_t *done, uint64_t *total)
{
    if (view == NULL || phase == NULL || done == NULL || total == NULL || max_iter == 0)
        return MANDEL_EINVAL;
    if (view->deep == NULL || view->auto_double) {
        *phase = MANDEL_PHASE_PIXELS;
        *done = *total = 1;
        return MANDEL_OK;
    }
    deep_view_progress(view->deep, max_iter, phase, done, total);
    return MANDEL_OK;
}

mandel_engine mandel_view_engine(const mandel_view *view)
{
    if (view == NULL) return MANDEL_ENGINE_AUTO;
    return view->auto_double || view->deep == NULL ? MANDEL_ENGINE_DOUBLE
                                                   : MANDEL_ENGINE_PERTURB;
}

int mandel_view_adopt_orbit(mandel_ctx *ctx, const mandel_view *view, const mandel_view *donor,
                            uint32_t max_iter)
{
    if (ctx == NULL) return MANDEL_EINVAL;
    ctx_clear(ctx);
    FAIL_IF(ctx, view == NULL || donor == NULL, MANDEL_EINVAL, "no view or no donor (NULL)");
    FAIL_IF(ctx, view->deep == NULL || donor->deep == NULL, MANDEL_EINVAL,
            "only views made from a centre have a reference orbit, not bounds views");
    /* The same text: the same point, to whatever precision either keeps of it. */
    FAIL_IF(ctx, strcmp(view->center_re, donor->center_re) != 0 ||
                     strcmp(view->center_im, donor->center_im) != 0, MANDEL_EINVAL,
            "the donor's centre is not the view's: an orbit serves views of its own centre");
    return deep_view_adopt_orbit(ctx, view->deep, donor->deep, max_iter);
}
