/*
 * tests/unit/test_kfr.c - Kalles Fraktaler location files, and the deep engines' API: the
 * engine option, its names and errors.
 */
#include "../check.h"
#include "mandel.h"

#include <unistd.h>

#define KF_DIR MANDEL_LOCATIONS_DIR "/"

static mandel_ctx *ctx;

static int parse(const char *text, mandel_location **loc)
{
    return mandel_location_parse(ctx, text, strlen(text), loc);
}

static void good_files(void)
{
    mandel_location *loc = NULL;
    const char *re, *im, *zoom;
    uint32_t iter;
    CHECK_EQ_INT(MANDEL_OK, parse("Re: -0.75\r\nIm: 0.1\r\nZoom: 1E1086\r\nIterations: 600100\r\n"
                                  "Colors: 0,0,0,\r\nIterDiv: 1.000000\r\n", &loc));
    mandel_location_get(loc, &re, &im, &zoom, &iter);
    CHECK_EQ_STR("-0.75", re);
    CHECK_EQ_STR("0.1", im);
    CHECK_EQ_STR("1E1086", zoom);
    CHECK_EQ_U32(600100, iter);
    mandel_location_free(loc);
    /* LF only, blank lines, spaces, keys in any order, no final newline */
    CHECK_EQ_INT(MANDEL_OK, parse("\nIterations:5\n  Zoom:  2.5e3 \n\nIm: -1\nRe: 0", &loc));
    mandel_location_get(loc, &re, &im, &zoom, &iter);
    CHECK_EQ_STR("0", re);
    CHECK_EQ_STR("-1", im);
    CHECK_EQ_STR("2.5e3", zoom);
    CHECK_EQ_U32(5, iter);
    mandel_location_free(loc);
    mandel_location_free(NULL);

    static const struct { const char *file, *zoom; uint32_t iter; size_t re_len; } kf[] = {
        {"1e14.kfr", "1.00e014", 4036, 63},     {"1e50.kfr", "1.00e050", 263010, 121},
        {"5e113.kfr", "5.00e113", 35494, 179},  {"5e227.kfr", "5.00e227", 1200000, 294},
        {"4e533.kfr", "4.00000000000E533", 120000, 563},
        {"1e1086.kfr", "1E1086", 600100, 1105},
    };
    for (size_t i = 0; i < sizeof kf / sizeof *kf; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s%s", KF_DIR, kf[i].file);
        CHECK_EQ_INT(MANDEL_OK, mandel_location_read(ctx, path, &loc));
        mandel_location_get(loc, &re, &im, &zoom, &iter);
        CHECK_EQ_STR(kf[i].zoom, zoom);
        CHECK_EQ_U32(kf[i].iter, iter);
        CHECK_TRUE(re != NULL && strlen(re) + 2 >= kf[i].re_len && strlen(re) <= kf[i].re_len + 2);
        CHECK_TRUE(re != NULL && strchr(re, '\r') == NULL);
        mandel_view *v = NULL;
        CHECK_EQ_INT(MANDEL_OK, mandel_view_new_zoom(ctx, &v, 640, 360, re, im, zoom));
        CHECK_EQ_INT(MANDEL_ENGINE_PERTURB, mandel_view_engine(v));
        mandel_view_free(v);
        mandel_location_free(loc);
    }
}

static void bad_files(void)
{
    static const struct { const char *text, *msg; } bad[] = {
        {"Re: 0\r\nIm 0\r\nZoom: 1\r\nIterations: 9\r\n", "line 2: expected 'Key: value'"},
        {"Re: 0\nIm: 0\n: 5\nZoom: 1\nIterations: 9\n", "line 3: expected 'Key: value'"},
        {"Re: 0x\nIm: 0\nZoom: 1\nIterations: 9\n", "line 1: Re '0x' is not a finite number"},
        {"Re: 0\nIm: nan\nZoom: 1\nIterations: 9\n", "line 2: Im 'nan' is not a finite number"},
        {"Re: 0\nIm: 0\nZoom: 0\nIterations: 9\n", "line 3: Zoom '0' is not a number above 0"},
        {"Re: 0\nIm: 0\nZoom: -1e5\nIterations: 9\n", "line 3: Zoom '-1e5' is not a number above 0"},
        /* numbers beyond MPFR's range say what is wrong (once "not a number above 0") */
        {"Re: 0\nIm: 0\nZoom: 1e999999999\nIterations: 9\n",
         "line 3: Zoom '1e999999999' is deeper than this build supports (about 1e20201762 "},
        {"Re: 0\nIm: 0\nZoom: 1e-999999999\nIterations: 9\n",
         "line 3: Zoom '1e-999999999' is too small: a view reaches at most 1e300"},
        {"Re: -1e999999999\nIm: 0\nZoom: 1\nIterations: 9\n",
         "line 1: Re '-1e999999999' is too large: a view reaches at most 1e300"},
        {"Re: 0\nIm: 0\nZoom: -1e999999999\nIterations: 9\n",
         "line 3: Zoom '-1e999999999' is not a number above 0"},
        {"Re: 0.12345678901234567890123456789012345678901234567890x\n"
         "Im: 0\nZoom: 1\nIterations: 9\n",
         "line 1: Re '0.12345678901234567890123456789012345678...' is not a finite number"},
        {"Re: 0\nIm: 0\nZoom: 1\nIterations: -9\n", "line 4: Iterations '-9' is not a whole"},
        {"Re: 0\nIm: 0\nZoom: 1\nIterations: 0\n", "line 4: Iterations '0' is not a whole"},
        {"Re: 0\nIm: 0\nZoom: 1\nIterations: 4294967296\n", "line 4: Iterations '4294967296'"},
        {"Re: 0\nIm: 0\nZoom: 1\nIterations: 12x\n", "line 4: Iterations '12x'"},
        {"Re: 0\nIm: 0\nZoom: 1\nIterations: \n", "line 4: Iterations '' is not"},
        {"Re: 0\nIm: 0\nRe: 1\nZoom: 1\nIterations: 9\n", "line 3: Re given twice"},
        {"Re: 0\nIm: 0\nIterations: 9\n", "missing key Zoom"},
        {"Im: 0\r\nZoom: 1\r\nIterations: 9\r\n", "missing key Re"},
        {"Re: 0\nIm: 0\nZoom: 1\n", "missing key Iterations"},
        {"", "missing key Re"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        mandel_location *loc = (mandel_location *)&loc;
        CHECK_EQ_INT(MANDEL_EFORMAT, parse(bad[i].text, &loc));
        CHECK_TRUE(loc == NULL);
        if (strncmp(mandel_errmsg(ctx), bad[i].msg, strlen(bad[i].msg)) != 0) {
            fprintf(stderr, "case %zu: message '%s', want '%s...'\n", i, mandel_errmsg(ctx),
                    bad[i].msg);
            CHECK_TRUE(0);
        }
    }
    mandel_location *loc = NULL;
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_location_parse(NULL, "", 0, &loc));
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_location_parse(ctx, NULL, 5, &loc));
    CHECK_EQ_INT(MANDEL_EIO, mandel_location_read(ctx, "/nonexistent/x.kfr", &loc));
    CHECK_TRUE(strstr(mandel_errmsg(ctx), "/nonexistent/x.kfr") != NULL);
    /* A directory that exists (made here, so the case cannot pass for a missing one):
     * fopen succeeds on Linux, the read fails. */
    char dir[] = "/tmp/mandel-test-kfr-dir-XXXXXX";
    CHECK_TRUE(mkdtemp(dir) != NULL);
    CHECK_EQ_INT(MANDEL_EIO, mandel_location_read(ctx, dir, &loc));
    CHECK_TRUE(loc == NULL);
    CHECK_TRUE(strstr(mandel_errmsg(ctx), "Is a directory") != NULL);
    CHECK_EQ_INT(0, rmdir(dir));
    /* A NUL inside is malformed, not a truncated value. */
    CHECK_EQ_INT(MANDEL_EFORMAT, mandel_location_parse(ctx, "Re: 0\0x\nIm: 0\nZoom: 1\n"
                                                       "Iterations: 9\n", 36, &loc));
}

static void engine_api(void)
{
    int64_t lo, hi, value;
    CHECK_EQ_INT(MANDEL_OK, mandel_option_bounds(MANDEL_OPT_ENGINE, &lo, &hi));
    CHECK_EQ_INT(MANDEL_ENGINE_AUTO, lo);
    CHECK_EQ_INT(MANDEL_ENGINE_MPFR, hi);
    CHECK_EQ_INT(MANDEL_OK, mandel_ctx_get(ctx, MANDEL_OPT_ENGINE, &value));
    CHECK_EQ_INT(MANDEL_ENGINE_AUTO, value);
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_ctx_set(ctx, MANDEL_OPT_ENGINE, 4));
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_ctx_set(ctx, MANDEL_OPT_ENGINE, -1));
    CHECK_EQ_STR("auto", mandel_engine_name(MANDEL_ENGINE_AUTO));
    CHECK_EQ_STR("double", mandel_engine_name(MANDEL_ENGINE_DOUBLE));
    CHECK_EQ_STR("perturb", mandel_engine_name(MANDEL_ENGINE_PERTURB));
    CHECK_EQ_STR("mpfr", mandel_engine_name(MANDEL_ENGINE_MPFR));
    CHECK_TRUE(mandel_engine_name(MANDEL_ENGINE_COUNT) == NULL);

    /* A bounds view has no centre text: only the double engine can render it. */
    mandel_view *v = NULL;
    uint32_t counts[16];
    mandel_rect const all = {0, 0, 4, 4};
    CHECK_EQ_INT(MANDEL_OK, mandel_view_new_bounds(ctx, &v, 4, 4, -2, 1, -1, 1));
    CHECK_EQ_INT(MANDEL_ENGINE_DOUBLE, mandel_view_engine(v));
    CHECK_TRUE(mandel_view_radius(v) == NULL);
    CHECK_EQ_INT(MANDEL_OK, mandel_ctx_set(ctx, MANDEL_OPT_ENGINE, MANDEL_ENGINE_PERTURB));
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_render(ctx, v, 50, all, counts, 4, sizeof counts));
    CHECK_TRUE(strstr(mandel_errmsg(ctx), "needs a view made from a centre") != NULL);
    mandel_view_free(v);

    /* Stats name the engine; band-by-band renders reuse the cached orbit and agree. */
    uint32_t whole[64 * 36], band[64 * 36];
    CHECK_EQ_INT(MANDEL_OK, mandel_view_new_zoom(ctx, &v, 64, 36, "-1.76", "0.0126", "1e300"));
    CHECK_EQ_INT(MANDEL_OK, mandel_ctx_set(ctx, MANDEL_OPT_ENGINE, MANDEL_ENGINE_AUTO));
    mandel_rect const r = {0, 0, 64, 36};
    CHECK_EQ_INT(MANDEL_OK, mandel_render(ctx, v, 2000, r, whole, 64, sizeof whole));
    mandel_stats st;
    mandel_ctx_stats(ctx, &st);
    CHECK_EQ_STR("perturb", st.isa);
    for (uint32_t y = 0; y < 36; y += 5) {
        mandel_rect const b = {0, y, 64, y + 5 <= 36 ? 5 : 36 - y};
        CHECK_EQ_INT(MANDEL_OK, mandel_render(ctx, v, 2000, b, band + (size_t)y * 64, 64,
                                              sizeof band - (size_t)y * 64 * 4));
    }
    CHECK_TRUE(memcmp(whole, band, sizeof whole) == 0);
    /* another limit rebuilds the cache; a smaller rect of it agrees with the whole */
    CHECK_EQ_INT(MANDEL_OK, mandel_render(ctx, v, 1000, r, whole, 64, sizeof whole));
    mandel_rect const small = {10, 10, 20, 3};
    CHECK_EQ_INT(MANDEL_OK, mandel_render(ctx, v, 1000, small, band, 20, sizeof band));
    for (uint32_t y = 0; y < 3; y++)
        for (uint32_t x = 0; x < 20; x++) CHECK_EQ_U32(whole[(10 + y) * 64 + 10 + x], band[y * 20 + x]);
    mandel_view_free(v);
}

static int cancel_at_once(void *user, uint64_t done, uint64_t total)
{
    (void)user;
    (void)done;
    (void)total;
    return 1;
}

static void cancel(void)
{
    /* A long reference orbit is cancellable before the first pixel. */
    mandel_view *v = NULL;
    CHECK_EQ_INT(MANDEL_OK, mandel_view_new_center(ctx, &v, 3, 1, "0.25", "0", "1e-20"));
    mandel_ctx_set_progress(ctx, cancel_at_once, NULL);
    uint32_t counts[3];
    mandel_rect const r = {0, 0, 3, 1};
    CHECK_EQ_INT(MANDEL_ECANCELED, mandel_render(ctx, v, 50000000, r, counts, 3, sizeof counts));
    mandel_ctx_set_progress(ctx, NULL, NULL);
    CHECK_EQ_INT(MANDEL_OK, mandel_render(ctx, v, 1000, r, counts, 3, sizeof counts));
    CHECK_EQ_U32(1000, counts[1]);
    mandel_view_free(v);
}

/* Renders a w x h view's counts at `iter` into a new buffer. */
static uint32_t *counts_of(mandel_view *v, uint32_t iter)
{
    uint32_t const w = mandel_view_width(v), h = mandel_view_height(v);
    uint32_t *const c = calloc((size_t)w * h, sizeof *c);
    CHECK_TRUE(c != NULL);
    mandel_rect const all = {0, 0, w, h};
    CHECK_EQ_INT(MANDEL_OK, mandel_render(ctx, v, iter, all, c, w, (size_t)w * h * sizeof *c));
    return c;
}

/* Saves `v`, reads the file back and checks the round trip: the texts (zoom_want, or any
 * zoom if NULL), the limit, and a view made from the file renders the same counts. */
static void round_trip(const char *path, mandel_view *v, uint32_t iter, const char *re_want,
                       const char *im_want, const char *zoom_want)
{
    CHECK_EQ_INT(MANDEL_OK, mandel_location_save(ctx, v, iter, path));
    mandel_location *loc = NULL;
    CHECK_EQ_INT(MANDEL_OK, mandel_location_read(ctx, path, &loc));
    if (loc == NULL) return;
    const char *re, *im, *zoom;
    uint32_t got_iter;
    mandel_location_get(loc, &re, &im, &zoom, &got_iter);
    CHECK_EQ_STR(re_want, re);
    CHECK_EQ_STR(im_want, im);
    if (zoom_want != NULL) CHECK_EQ_STR(zoom_want, zoom);
    CHECK_EQ_U32(iter, got_iter);
    mandel_view *back = NULL;
    CHECK_EQ_INT(MANDEL_OK, mandel_view_new_zoom(ctx, &back, mandel_view_width(v),
                                                 mandel_view_height(v), re, im, zoom));
    uint32_t *const a = counts_of(v, iter), *const b = counts_of(back, iter);
    size_t const n = (size_t)mandel_view_width(v) * mandel_view_height(v);
    CHECK_TRUE(memcmp(a, b, n * sizeof *a) == 0);
    free(a);
    free(b);
    mandel_view_free(back);
    mandel_location_free(loc);
}

/* mandel_location_save: what it writes reads back as the same view, at any depth; errors
 * leave nothing behind. */
static void save(void)
{
    char dir[] = "/tmp/mandel-test-kfr-XXXXXX";
    CHECK_TRUE(mkdtemp(dir) != NULL);
    char path[sizeof dir + 32];
    snprintf(path, sizeof path, "%s/spot.kfr", dir);

    /* A zoom view keeps its text, digit for digit: a benchmark location at 1e1086 depth. */
    mandel_location *kf = NULL;
    CHECK_EQ_INT(MANDEL_OK, mandel_location_read(ctx, KF_DIR "1e14.kfr", &kf));
    const char *re, *im, *zoom;
    mandel_location_get(kf, &re, &im, &zoom, NULL);
    mandel_view *v = NULL;
    CHECK_EQ_INT(MANDEL_OK, mandel_view_new_zoom(ctx, &v, 32, 18, re, im, zoom));
    round_trip(path, v, 300, re, im, zoom);
    mandel_view_free(v);
    /* Written as Kalles Fraktaler writes: CRLF lines, the keys first. */
    FILE *f = fopen(path, "rb");
    char head[8] = {0};
    CHECK_TRUE(f != NULL && fread(head, 1, 4, f) == 4);
    if (f) fclose(f);
    CHECK_EQ_STR("Re: ", head);
    mandel_location_free(kf);

    /* A radius view far past double: Zoom = 2/radius from MPFR. */
    CHECK_EQ_INT(MANDEL_OK, mandel_view_new_center(ctx, &v, 24, 16, "-1.99999911758838",
                                                   "0", "1.25e-400"));
    round_trip(path, v, 200, "-1.99999911758838", "0", NULL);
    mandel_view_free(v);
    /* A radius view in double: 2/1.25 = 1.6 */
    CHECK_EQ_INT(MANDEL_OK, mandel_view_new_center(ctx, &v, 40, 30, "-0.75", "0.1", "1.25"));
    round_trip(path, v, 100, "-0.75", "0.1", "1.6000000000000001");
    mandel_view_free(v);
    /* A bounds view: its centre and Zoom = 4/(ymax-ymin) */
    CHECK_EQ_INT(MANDEL_OK, mandel_view_new_bounds(ctx, &v, 40, 40, -2.5, 1, -1, 1));
    CHECK_EQ_INT(MANDEL_OK, mandel_location_save(ctx, v, 1000, path));
    mandel_location *loc = NULL;
    CHECK_EQ_INT(MANDEL_OK, mandel_location_read(ctx, path, &loc));
    mandel_location_get(loc, &re, &im, &zoom, NULL);
    CHECK_EQ_STR("-0.75", re);
    CHECK_EQ_STR("0", im);
    CHECK_EQ_STR("2", zoom);
    mandel_location_free(loc);

    /* Errors: no file half written, no temporary left. */
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_location_save(ctx, v, 0, path));
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_location_save(ctx, NULL, 10, path));
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_location_save(ctx, v, 10, NULL));
    char bad[sizeof dir + 32];
    snprintf(bad, sizeof bad, "%s/no/such.kfr", dir);
    CHECK_EQ_INT(MANDEL_EIO, mandel_location_save(ctx, v, 10, bad));
    CHECK_TRUE(strstr(mandel_errmsg(ctx), "no/such.kfr") != NULL);
    CHECK_EQ_INT(MANDEL_EIO, mandel_location_save(ctx, v, 10, dir));
    CHECK_TRUE(strstr(mandel_errmsg(ctx), "directory") != NULL);
    mandel_view_free(v);
    CHECK_EQ_INT(0, unlink(path));
    CHECK_EQ_INT(0, rmdir(dir)); /* empty: no temporary was left */
}

int main(void)
{
    ctx = mandel_ctx_new(NULL);
    CHECK_TRUE(ctx != NULL);
    good_files();
    bad_files();
    engine_api();
    cancel();
    save();
    mandel_ctx_free(ctx);
    return check_report("test_kfr");
}
