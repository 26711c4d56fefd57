/*
 * tests/unit/test_picture.c - mandel_picture_write's contract beyond the bytes (which
 * tests/cli and tests/server/render.py compare with the CLI's):
 *   - a picture of several bands into a stream is the same bytes as into a file;
 *   - the ctx's progress callback sees the whole picture: pixel progress never goes back
 *     and ends at every sample, MANDEL_PHASE_WRITE comes before and after each band;
 *   - a callback that says stop cancels it (MANDEL_ECANCELED);
 *   - the ctx's memory limit, callback and sink are its own again afterwards, and
 *     mandel_ctx_stats() holds the totals of all the bands;
 *   - an image of another size or layout than the spec's is refused;
 *   - with no period given, a cycling palette takes mandel_color_auto_period() of the
 *     view's samples at the documented lattice: 8 for the whole set, less for a view with a
 *     narrow band of values, whether the picture keeps its whole field (up to 4M samples)
 *     or renders the lattice first (above).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mandel.h"
#include "../check.h"

typedef struct buffer {
    unsigned char *data;
    size_t len;
} buffer;

static int take(void *user, const void *bytes, size_t len)
{
    buffer *const b = user;
    unsigned char *const grown = realloc(b->data, b->len + len);
    if (grown == NULL) return 12;
    memcpy(grown + b->len, bytes, len);
    b->data = grown;
    b->len += len;
    return 0;
}

typedef struct watch {
    uint64_t last_done, last_total, pixel_calls;
    int writes, bad_order;
    uint64_t rows_written, height;
    int stop_at_write; /* >0: say stop at this MANDEL_PHASE_WRITE call */
} watch;

static int on_progress(void *user, mandel_phase phase, uint64_t done, uint64_t total)
{
    watch *const w = user;
    if (phase == MANDEL_PHASE_WRITE) {
        w->writes++;
        if (total != w->height || done < w->rows_written) w->bad_order++;
        w->rows_written = done;
        return w->stop_at_write > 0 && w->writes >= w->stop_at_write;
    }
    if (phase != MANDEL_PHASE_PIXELS) return 0;
    if (done < w->last_done) w->bad_order++;
    w->last_done = done;
    w->last_total = total;
    w->pixel_calls++;
    return 0;
}

static mandel_spec *spec_of(mandel_ctx *ctx, const char *size, const char *palette)
{
    mandel_spec *spec;
    CHECK_EQ_INT(MANDEL_OK, mandel_spec_new(ctx, &spec));
    CHECK_EQ_INT(MANDEL_OK, mandel_spec_set(spec, "size", size));
    CHECK_EQ_INT(MANDEL_OK, mandel_spec_set(spec, "iterations", "200"));
    if (palette != NULL) CHECK_EQ_INT(MANDEL_OK, mandel_spec_set(spec, "palette", palette));
    return spec;
}

/* The spec's picture as PPM pixels (the header, whose comment names the options, cut). */
static unsigned char *ppm_pixels(mandel_ctx *ctx, mandel_spec *spec, uint32_t w, uint32_t h)
{
    buffer b = {NULL, 0};
    mandel_image *img;
    CHECK_EQ_INT(MANDEL_OK, mandel_image_open_stream(ctx, &img, take, &b, MANDEL_FORMAT_PPM,
                                                     w, h, NULL));
    CHECK_EQ_INT(MANDEL_OK, mandel_picture_write(ctx, spec, img));
    CHECK_EQ_INT(MANDEL_OK, mandel_image_close(img));
    size_t const n = (size_t)w * h * 3;
    CHECK_TRUE(b.len > n);
    unsigned char *const px = malloc(n);
    if (px != NULL && b.len > n) memcpy(px, b.data + b.len - n, n);
    free(b.data);
    return px;
}

/* What mandel_color_auto_period makes of the view's smooth values at the lattice the
 * library documents: sample (floor((2i+1) w / 2nx), floor((2k+1) h / 2ny)), nx = min(64, w). */
static double lattice_period(mandel_ctx *ctx, mandel_spec *spec, uint32_t w, uint32_t h,
                             uint32_t max_iter)
{
    const mandel_view *view;
    mandel_color color;
    CHECK_EQ_INT(MANDEL_OK, mandel_spec_view(spec, &view));
    CHECK_EQ_INT(MANDEL_OK, mandel_spec_color(spec, &color));
    uint32_t const nx = w < 64 ? w : 64, ny = h < 64 ? h : 64;
    static float values[64 * 64];
    for (uint32_t k = 0; k < ny; k++)
        for (uint32_t i = 0; i < nx; i++) {
            uint32_t count;
            mandel_fields const f = {&count, &values[k * nx + i], NULL, 1, 1};
            mandel_rect const r = {(uint32_t)((2ull * i + 1) * w / (2 * nx)),
                                   (uint32_t)((2ull * k + 1) * h / (2 * ny)), 1, 1};
            CHECK_EQ_INT(MANDEL_OK, mandel_render_fields(ctx, view, max_iter, r, &f));
        }
    CHECK_EQ_INT(MANDEL_OK, mandel_color_auto_period(&color, values, (size_t)nx * ny));
    return color.period;
}

/* The default picture of a view equals the one with the lattice's period given. */
static void auto_period(mandel_ctx *ctx, const char *size, uint32_t w, uint32_t h,
                        const char *center, const char *zoom, bool shorter)
{
    mandel_spec *spec = spec_of(ctx, size, NULL);
    CHECK_EQ_INT(MANDEL_OK, mandel_spec_set(spec, "iterations", "4036"));
    CHECK_EQ_INT(MANDEL_OK, mandel_spec_set(spec, "center", center));
    CHECK_EQ_INT(MANDEL_OK, mandel_spec_set(spec, "zoom", zoom));
    unsigned char *const chosen = ppm_pixels(ctx, spec, w, h);
    double const period = lattice_period(ctx, spec, w, h, 4036);
    CHECK_TRUE(shorter ? period < 4 : period == 8);
    char text[32];
    snprintf(text, sizeof text, "%.17g", period);
    CHECK_EQ_INT(MANDEL_OK, mandel_spec_set(spec, "palette-period", text));
    unsigned char *const given = ppm_pixels(ctx, spec, w, h);
    CHECK_TRUE(chosen != NULL && given != NULL && memcmp(chosen, given, (size_t)w * h * 3) == 0);
    /* and a period of 8 given is another picture where the lattice chose a shorter one */
    CHECK_EQ_INT(MANDEL_OK, mandel_spec_set(spec, "palette-period", "8"));
    unsigned char *const eight = ppm_pixels(ctx, spec, w, h);
    CHECK_TRUE(eight != NULL && (memcmp(chosen, eight, (size_t)w * h * 3) != 0) == shorter);
    free(chosen);
    free(given);
    free(eight);
    mandel_spec_free(spec);
}

int main(void)
{
    mandel_ctx *const ctx = mandel_ctx_new(NULL);
    mandel_ctx_set(ctx, MANDEL_OPT_THREADS, 2);
    char path[] = "/tmp/mandel-test-picture-XXXXXX";
    int const fd = mkstemp(path);
    CHECK_TRUE(fd >= 0);
    close(fd);

    /* 1400x1000: two bands of the pipeline's million samples */
    mandel_spec *spec = spec_of(ctx, "1400x1000", NULL);
    CHECK_EQ_INT(MANDEL_OK, mandel_spec_check(spec, MANDEL_FORMAT_PNG));
    int64_t before = 0, after = 0;
    mandel_ctx_get(ctx, MANDEL_OPT_MAX_MEMORY, &before);
    watch w = {.height = 1000};
    mandel_ctx_set_phase_progress(ctx, on_progress, &w);
    mandel_image *img;
    CHECK_EQ_INT(MANDEL_OK, mandel_image_open(ctx, &img, path, MANDEL_FORMAT_PNG, 1400, 1000,
                                              NULL));
    CHECK_EQ_INT(MANDEL_OK, mandel_picture_write(ctx, spec, img));
    CHECK_EQ_INT(MANDEL_OK, mandel_image_close(img));
    CHECK_EQ_STR("", mandel_errmsg(ctx));
    CHECK_EQ_INT(0, w.bad_order);
    CHECK_TRUE(w.last_done == 1400u * 1000u && w.last_total == 1400u * 1000u);
    CHECK_TRUE(w.writes >= 4 && w.writes % 2 == 0);
    CHECK_TRUE(w.rows_written == 1000);
    mandel_ctx_get(ctx, MANDEL_OPT_MAX_MEMORY, &after);
    CHECK_TRUE(before == after);
    mandel_stats stats;
    mandel_ctx_stats(ctx, &stats);
    CHECK_TRUE(stats.pixels == 1400u * 1000u);

    /* the same picture into a stream: the same bytes */
    buffer b = {NULL, 0};
    mandel_ctx_set_phase_progress(ctx, NULL, NULL);
    CHECK_EQ_INT(MANDEL_OK, mandel_image_open_stream(ctx, &img, take, &b, MANDEL_FORMAT_PNG,
                                                     1400, 1000, NULL));
    CHECK_EQ_INT(MANDEL_OK, mandel_picture_write(ctx, spec, img));
    CHECK_EQ_INT(MANDEL_OK, mandel_image_close(img));
    FILE *const f = fopen(path, "rb");
    unsigned char *const file = malloc(b.len + 1);
    size_t const got = f ? fread(file, 1, b.len + 1, f) : 0;
    if (f) fclose(f);
    CHECK_TRUE(got == b.len && memcmp(file, b.data, b.len) == 0);
    free(file);
    free(b.data);

    /* a callback that says stop (here before the first band is written): cancelled, and
     * the image aborted by the caller */
    watch stop = {.height = 1000, .stop_at_write = 1};
    mandel_ctx_set_phase_progress(ctx, on_progress, &stop);
    CHECK_EQ_INT(MANDEL_OK, mandel_image_open(ctx, &img, path, MANDEL_FORMAT_PPM, 1400, 1000,
                                              NULL));
    CHECK_EQ_INT(MANDEL_ECANCELED, mandel_picture_write(ctx, spec, img));
    mandel_image_abort(img);
    mandel_ctx_set_phase_progress(ctx, NULL, NULL);
    mandel_spec_free(spec);

    /* an image that is not the spec's picture */
    spec = spec_of(ctx, "16x8", "viridis");
    CHECK_EQ_INT(MANDEL_OK, mandel_image_open(ctx, &img, path, MANDEL_FORMAT_PNG, 8, 8, NULL));
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_picture_write(ctx, spec, img));
    CHECK_EQ_STR("the image is 8x8, the picture 16x8", mandel_errmsg(ctx));
    mandel_image_abort(img);
    mandel_image_options const floats = {.npy_float = 1};
    CHECK_EQ_INT(MANDEL_OK, mandel_image_open(ctx, &img, path, MANDEL_FORMAT_NPY, 16, 8,
                                              &floats));
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_picture_write(ctx, spec, img));
    mandel_image_abort(img);
    /* and one that is: a whole-field colouring (viridis: the range first) */
    CHECK_EQ_INT(MANDEL_OK, mandel_image_open(ctx, &img, path, MANDEL_FORMAT_PNG, 16, 8, NULL));
    CHECK_EQ_INT(MANDEL_OK, mandel_picture_write(ctx, spec, img));
    CHECK_EQ_INT(MANDEL_OK, mandel_image_close(img));
    mandel_spec_free(spec);

    /* the whole set; a minibrot at 1e12 whose values lie in a narrow band (period 1.94),
     * kept whole and, at 2100x2000 (4.2M samples), with the lattice rendered first */
    auto_period(ctx, "320x180", 320, 180, "-0.75,0", "1", false);
    const char *const mini = "-1.7598171308048478136,-0.0125933107997498653837";
    auto_period(ctx, "320x180", 320, 180, mini, "1e12", true);
    auto_period(ctx, "2100x2000", 2100, 2000, mini, "1e12", true);

    unlink(path);
    mandel_ctx_free(ctx);
    return check_report("test_picture");
}
