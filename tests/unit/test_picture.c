/*
 * tests/unit/test_picture.c - mandel_picture_write's contract beyond the bytes (which
 * tests/cli and tests/server/render.py compare with the CLI's):
 *   - a picture of several bands into a stream is the same bytes as into a file;
 *   - the ctx's progress callback sees the whole picture: pixel progress never goes back
 *     and ends at every sample, MANDEL_PHASE_WRITE comes before and after each band;
 *   - a callback that says stop cancels it (MANDEL_ECANCELED);
 *   - the ctx's memory limit, callback and sink are its own again afterwards, and
 *     mandel_ctx_stats() holds the totals of all the bands;
 *   - an image of another size or layout than the spec's is refused.
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

    unlink(path);
    mandel_ctx_free(ctx);
    return check_report("test_picture");
}
