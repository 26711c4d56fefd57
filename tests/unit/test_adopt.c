/*
 * tests/unit/test_adopt.c - mandel_view_adopt_orbit: views of one centre at other depths
 * (and tiles of them) render with the deepest view's reference orbit the same counts and
 * smooth values as with their own, without computing one (orbit_seconds 0), in double
 * deltas (1e50) and in extended range (1e1086); the donor may be freed first; bad
 * donors are refused.
 */
#include "../check.h"
#include "mandel.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static mandel_ctx *ctx;

#define N 12 /* pixels a side */

static int render(const mandel_view *v, uint32_t iter, uint32_t *counts, float *smooth)
{
    mandel_fields const f = {.counts = counts, .smooth = smooth, .stride = N,
                             .capacity = N * N};
    int const err = mandel_render_fields(ctx, v, iter, (mandel_rect){0, 0, N, N}, &f);
    if (err != MANDEL_OK) fprintf(stderr, "render: %s\n", mandel_errmsg(ctx));
    return err;
}

/* The text of a .kfr's key, from the examples. */
static bool location(const char *name, const char **re, const char **im, mandel_location **loc)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", MANDEL_LOCATIONS_DIR, name);
    CHECK_EQ_INT(MANDEL_OK, mandel_location_read(ctx, path, loc));
    if (*loc == NULL) return false;
    mandel_location_get(*loc, re, im, NULL, NULL);
    return true;
}

/* A view at `zoom` adopting the orbit of a donor at `deep_zoom`, against the same view with
 * its own orbit. With `tile`, the view is an oversized tile of it (as zoom keyframes are). */
static void same_as_own(const char *file, const char *deep_zoom, const char *zoom,
                        uint32_t iter, bool tile)
{
    const char *re, *im;
    mandel_location *loc = NULL;
    if (!location(file, &re, &im, &loc)) return;
    mandel_view *donor = NULL, *own = NULL, *adopting = NULL, *anchor = NULL;
    CHECK_EQ_INT(MANDEL_OK, mandel_view_new_zoom(ctx, &donor, N, N, re, im, deep_zoom));
    CHECK_EQ_INT(MANDEL_OK, mandel_view_new_zoom(ctx, &anchor, N / 2, N / 2, re, im, zoom));
    if (tile) {
        CHECK_EQ_INT(MANDEL_OK, mandel_view_new_tile(ctx, &own, anchor, -3, -3, N, N));
        CHECK_EQ_INT(MANDEL_OK, mandel_view_new_tile(ctx, &adopting, anchor, -3, -3, N, N));
    } else {
        CHECK_EQ_INT(MANDEL_OK, mandel_view_new_zoom(ctx, &own, N, N, re, im, zoom));
        CHECK_EQ_INT(MANDEL_OK, mandel_view_new_zoom(ctx, &adopting, N, N, re, im, zoom));
    }
    uint32_t c1[N * N], c2[N * N], scratch[N * N];
    float s1[N * N], s2[N * N], sscratch[N * N];
    if (donor == NULL || own == NULL || adopting == NULL) goto out;
    /* no orbit yet: nothing to adopt */
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_view_adopt_orbit(ctx, adopting, donor, iter));
    CHECK_TRUE(strstr(mandel_errmsg(ctx), "no reference orbit") != NULL);
    CHECK_EQ_INT(MANDEL_OK, render(donor, iter, scratch, sscratch));
    /* another limit than the donor's orbit was computed for */
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_view_adopt_orbit(ctx, adopting, donor, iter + 1));
    /* a shallower donor than the view */
    CHECK_EQ_INT(MANDEL_OK, render(own, iter, c1, s1));
    mandel_stats st;
    mandel_ctx_stats(ctx, &st);
    CHECK_TRUE(st.orbit_seconds > 0);
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_view_adopt_orbit(ctx, donor, own, iter));
    CHECK_TRUE(strstr(mandel_errmsg(ctx), "precision") != NULL);

    CHECK_EQ_INT(MANDEL_OK, mandel_view_adopt_orbit(ctx, adopting, donor, iter));
    /* the copy outlives its donor */
    mandel_view_free(donor);
    donor = NULL;
    CHECK_EQ_INT(MANDEL_OK, render(adopting, iter, c2, s2));
    mandel_ctx_stats(ctx, &st);
    CHECK_TRUE(st.orbit_seconds == 0);
    CHECK_EQ_STR("perturb", st.isa);
    int diff = 0;
    for (int i = 0; i < N * N; i++)
        diff += c1[i] != c2[i] || memcmp(&s1[i], &s2[i], sizeof *s1) != 0;
    CHECK_EQ_INT(0, diff);
    /* a second render uses what the first built */
    CHECK_EQ_INT(MANDEL_OK, render(adopting, iter, c2, s2));
    CHECK_TRUE(memcmp(s1, s2, sizeof s1) == 0);
    /* adopting its own orbit is a no-op */
    CHECK_EQ_INT(MANDEL_OK, mandel_view_adopt_orbit(ctx, adopting, adopting, iter));
out:
    mandel_view_free(donor);
    mandel_view_free(own);
    mandel_view_free(adopting);
    mandel_view_free(anchor);
    mandel_location_free(loc);
}

static void bad_donors(void)
{
    mandel_view *a = NULL, *b = NULL, *bounds = NULL;
    CHECK_EQ_INT(MANDEL_OK, mandel_view_new_zoom(ctx, &a, 4, 4, "-1.75", "0", "1e20"));
    CHECK_EQ_INT(MANDEL_OK, mandel_view_new_zoom(ctx, &b, 4, 4, "-1.7500", "0", "1e18"));
    CHECK_EQ_INT(MANDEL_OK, mandel_view_new_bounds(ctx, &bounds, 4, 4, -2, 1, -1, 1));
    uint32_t c[N * N];
    mandel_fields const f = {.counts = c, .stride = 4, .capacity = 16};
    CHECK_EQ_INT(MANDEL_OK, mandel_render_fields(ctx, a, 100, (mandel_rect){0, 0, 4, 4}, &f));
    /* the same point, spelled otherwise: another centre text */
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_view_adopt_orbit(ctx, b, a, 100));
    CHECK_TRUE(strstr(mandel_errmsg(ctx), "centre") != NULL);
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_view_adopt_orbit(ctx, bounds, a, 100));
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_view_adopt_orbit(ctx, a, bounds, 100));
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_view_adopt_orbit(ctx, NULL, a, 100));
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_view_adopt_orbit(ctx, a, NULL, 100));
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_view_adopt_orbit(NULL, a, a, 100));
    /* the ctx stays usable */
    CHECK_EQ_INT(MANDEL_OK, mandel_render_fields(ctx, a, 100, (mandel_rect){0, 0, 4, 4}, &f));
    CHECK_EQ_STR("", mandel_errmsg(ctx));
    mandel_view_free(a);
    mandel_view_free(b);
    mandel_view_free(bounds);
}

int main(void)
{
    ctx = mandel_ctx_new(NULL);
    CHECK_TRUE(ctx != NULL);
    if (ctx == NULL) return 1;
    CHECK_EQ_INT(MANDEL_OK, mandel_ctx_set(ctx, MANDEL_OPT_THREADS, 2));
    CHECK_EQ_INT(MANDEL_OK, mandel_ctx_set(ctx, MANDEL_OPT_ENGINE, MANDEL_ENGINE_PERTURB));
    same_as_own("1e50.kfr", "1e50", "1e40", 20000, false);
    same_as_own("1e50.kfr", "1e50", "1.25e44", 20000, true);
    /* extended-range deltas (pixels below 1e-271) in both */
    same_as_own("1e1086.kfr", "1e1086", "1e1000", 3000, false);
    /* a double-delta view adopting an extended-range donor's orbit */
    same_as_own("1e1086.kfr", "1e1086", "1e200", 3000, true);
    bad_donors();
    mandel_ctx_free(ctx);
    return check_report("test_adopt");
}
