/*
 * io/image.c - the public mandel_image_* calls: format by extension, size checks, and the
 * row count, in front of the per-format writers, and the one place their bytes leave
 * (image_put): to an atomic file, or through the caller's write callback.
 *
 * Invariant: an image that was not closed successfully leaves no file behind; a stream's
 * writer gets the bytes in order, from the calling thread only.
 */
#include "io/image_io.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static const struct format_entry {
    const char *ext;
    mandel_format format;
} extensions[] = {
    {"png", MANDEL_FORMAT_PNG}, {"jpg", MANDEL_FORMAT_JPEG}, {"jpeg", MANDEL_FORMAT_JPEG},
    {"ppm", MANDEL_FORMAT_PPM}, {"pgm", MANDEL_FORMAT_PGM},  {"pbm", MANDEL_FORMAT_PBM},
    {"npy", MANDEL_FORMAT_NPY},
};

int mandel_format_from_path(const char *path, mandel_format *format)
{
    if (path == NULL || format == NULL) return MANDEL_EINVAL;
    const char *const slash = strrchr(path, '/');
    const char *const dot = strrchr(slash ? slash : path, '.');
    if (dot == NULL) return MANDEL_EFORMAT;
    for (size_t i = 0; i < sizeof extensions / sizeof extensions[0]; i++) {
        if (strcasecmp(dot + 1, extensions[i].ext) == 0) {
            *format = extensions[i].format;
            return MANDEL_OK;
        }
    }
    return MANDEL_EFORMAT;
}

mandel_pixels mandel_format_pixels(mandel_format format)
{
    switch (format) {
    case MANDEL_FORMAT_PGM: return MANDEL_PIXELS_GRAY8;
    case MANDEL_FORMAT_PBM: return MANDEL_PIXELS_BIT1;
    case MANDEL_FORMAT_NPY: return MANDEL_PIXELS_U32;
    default: return MANDEL_PIXELS_RGB8;
    }
}

size_t mandel_pixels_row_bytes(mandel_pixels layout, uint32_t width)
{
    switch (layout) {
    case MANDEL_PIXELS_RGB8: return (size_t)width * 3;
    case MANDEL_PIXELS_GRAY8: return width;
    case MANDEL_PIXELS_U32: return (size_t)width * 4;
    case MANDEL_PIXELS_BIT1: return ((size_t)width + 7) / 8;
    case MANDEL_PIXELS_F32: return (size_t)width * 4;
    }
    return 0;
}

static const image_writer *writer_for(mandel_format format)
{
    switch (format) {
    case MANDEL_FORMAT_PNG: return &write_png;
    case MANDEL_FORMAT_JPEG: return &write_jpeg;
    case MANDEL_FORMAT_PPM: return &write_ppm;
    case MANDEL_FORMAT_PGM: return &write_pgm;
    case MANDEL_FORMAT_PBM: return &write_pbm;
    case MANDEL_FORMAT_NPY: return &write_npy;
    }
    return NULL;
}

const char *image_name(const mandel_image *img, char *buf, size_t len)
{
    if (img->write != NULL) return "the output stream";
    snprintf(buf, len, "'%s'", img->file.path);
    return buf;
}

/* Hands bytes to the stream's writer, keeping the first failure and its reason. */
static int stream_write(mandel_image *img, const void *data, size_t bytes)
{
    if (bytes == 0) return MANDEL_OK;
    int const e = img->write(img->write_user, data, bytes);
    if (e == 0) return MANDEL_OK;
    img->sink_err = e > 0 ? ctx_fail(img->ctx, MANDEL_EIO, "cannot write the output stream: %s",
                                     strerror(e))
                          : ctx_fail(img->ctx, MANDEL_EIO, "cannot write the output stream: "
                                                           "its writer failed (%d)", e);
    return img->sink_err;
}

int image_put(mandel_image *img, const void *data, size_t bytes)
{
    if (img->sink_err != MANDEL_OK) return img->sink_err;
    if (img->write == NULL) {
        if (fwrite(data, 1, bytes, img->file.fp) == bytes) return MANDEL_OK;
        img->sink_err = ctx_fail(img->ctx, MANDEL_EIO, "cannot write '%s': %s", img->file.path,
                                 strerror(errno));
        return img->sink_err;
    }
    if (img->buf_fill + bytes > IMAGE_STREAM_BUFFER) {
        CHECK(stream_write(img, img->buf, img->buf_fill));
        img->buf_fill = 0;
    }
    if (bytes >= IMAGE_STREAM_BUFFER) return stream_write(img, data, bytes);
    memcpy(img->buf + img->buf_fill, data, bytes);
    img->buf_fill += bytes;
    return MANDEL_OK;
}

/* Everything but the destination: checks the arguments, allocates the image. */
static int image_new(mandel_ctx *ctx, mandel_image **out, mandel_format format, uint32_t width,
                     uint32_t height, const mandel_image_options *options)
{
    const image_writer *const writer = writer_for(format);
    FAIL_IF(ctx, writer == NULL, MANDEL_EFORMAT, "unknown image format %d", (int)format);
    FAIL_IF(ctx, width == 0 || height == 0, MANDEL_EINVAL, "image size %ux%u is empty",
            width, height);
    FAIL_IF(ctx, format == MANDEL_FORMAT_JPEG && (width > 65500 || height > 65500),
            MANDEL_ETOOBIG, "JPEG images are at most 65500x65500, not %ux%u", width, height);
    FAIL_IF(ctx, format == MANDEL_FORMAT_PNG && (width > 0x7fffffffu || height > 0x7fffffffu),
            MANDEL_ETOOBIG, "PNG images are at most 2^31-1 pixels a side");
    int quality = options != NULL ? options->jpeg_quality : 0;
    FAIL_IF(ctx, quality < 0 || quality > 100, MANDEL_EINVAL,
            "JPEG quality %d is outside 1..100", quality);
    if (quality == 0) quality = 90;
    FAIL_IF(ctx, options != NULL && options->comment != NULL &&
                     strpbrk(options->comment, "\r\n") != NULL,
            MANDEL_EINVAL, "an image comment is one line");
    size_t const comment_len = options != NULL && options->comment != NULL
                                   ? strnlen(options->comment, MANDEL_COMMENT_MAX + 1)
                                   : 0;
    FAIL_IF(ctx, comment_len > MANDEL_COMMENT_MAX, MANDEL_ETOOBIG,
            "an image comment is at most %d bytes", MANDEL_COMMENT_MAX);

    mandel_image *const img = ctx_alloc(ctx, sizeof *img);
    FAIL_IF(ctx, img == NULL, MANDEL_ENOMEM, "out of memory for an image");
    memset(img, 0, sizeof *img);
    img->ctx = ctx;
    img->format = format;
    img->writer = writer;
    img->width = width;
    img->height = height;
    img->jpeg_quality = quality;
    img->layout = mandel_format_pixels(format);
    if (format == MANDEL_FORMAT_NPY && options != NULL && options->npy_float)
        img->layout = MANDEL_PIXELS_F32;
    if (options != NULL && options->comment != NULL) {
        img->comment = ctx_strdup(ctx, options->comment);
        if (img->comment == NULL) {
            ctx_free(ctx, img);
            return ctx_fail(ctx, MANDEL_ENOMEM, "out of memory for an image comment");
        }
    }
    *out = img;
    return MANDEL_OK;
}

int mandel_image_open(mandel_ctx *ctx, mandel_image **out, const char *path,
                      mandel_format format, uint32_t width, uint32_t height,
                      const mandel_image_options *options)
{
    if (ctx == NULL) return MANDEL_EINVAL;
    ctx_clear(ctx);
    FAIL_IF(ctx, out == NULL, MANDEL_EINVAL, "no place for the image (out is NULL)");
    *out = NULL;
    FAIL_IF(ctx, path == NULL || *path == '\0', MANDEL_EINVAL, "no output path");
    mandel_image *img = NULL;
    CHECK(image_new(ctx, &img, format, width, height, options));
    int err = atomic_file_open(ctx, &img->file, path);
    if (err == MANDEL_OK) err = img->writer->begin(img);
    if (err != MANDEL_OK) {
        mandel_image_abort(img);
        return err;
    }
    *out = img;
    return MANDEL_OK;
}

int mandel_image_open_stream(mandel_ctx *ctx, mandel_image **out, mandel_write_fn write,
                             void *user, mandel_format format, uint32_t width, uint32_t height,
                             const mandel_image_options *options)
{
    if (ctx == NULL) return MANDEL_EINVAL;
    ctx_clear(ctx);
    FAIL_IF(ctx, out == NULL, MANDEL_EINVAL, "no place for the image (out is NULL)");
    *out = NULL;
    FAIL_IF(ctx, write == NULL, MANDEL_EINVAL, "no writer for the output stream");
    mandel_image *img = NULL;
    CHECK(image_new(ctx, &img, format, width, height, options));
    img->write = write;
    img->write_user = user;
    img->buf = ctx_alloc(ctx, IMAGE_STREAM_BUFFER);
    if (img->buf == NULL) {
        mandel_image_abort(img);
        return ctx_fail(ctx, MANDEL_ENOMEM, "out of memory for an output buffer");
    }
    int const err = img->writer->begin(img);
    if (err != MANDEL_OK) {
        mandel_image_abort(img);
        return err;
    }
    *out = img;
    return MANDEL_OK;
}

int mandel_image_write_rows(mandel_image *img, const void *rows, uint32_t n_rows)
{
    if (img == NULL) return MANDEL_EINVAL;
    FAIL_IF(img->ctx, rows == NULL && n_rows != 0, MANDEL_EINVAL, "rows is NULL");
    FAIL_IF(img->ctx, n_rows > img->height - img->rows_written, MANDEL_EINVAL,
            "%u more rows would exceed the image height %u", n_rows, img->height);
    int const err = img->writer->rows(img, rows, n_rows);
    if (err != MANDEL_OK) return err;
    /* Cleared on success, not on entry: a stream that failed keeps its message (sink_err). */
    ctx_clear(img->ctx);
    img->rows_written += n_rows;
    return MANDEL_OK;
}

int mandel_image_close(mandel_image *img)
{
    if (img == NULL) return MANDEL_EINVAL;
    mandel_ctx *const ctx = img->ctx;
    int err = MANDEL_OK;
    if (img->rows_written != img->height)
        err = ctx_fail(ctx, MANDEL_EINVAL, "image closed after %u of %u rows",
                       img->rows_written, img->height);
    if (err == MANDEL_OK) err = img->writer->end(img);
    if (err == MANDEL_OK && img->write != NULL) err = stream_write(img, img->buf, img->buf_fill);
    if (err == MANDEL_OK && img->write == NULL) err = atomic_file_commit(ctx, &img->file);
    if (err != MANDEL_OK) {
        mandel_image_abort(img);
        return err;
    }
    img->writer->destroy(img);
    ctx_free(ctx, img->buf);
    ctx_free(ctx, img->comment);
    ctx_free(ctx, img);
    ctx_clear(ctx); /* on success only, as in mandel_image_write_rows */
    return MANDEL_OK;
}

mandel_pixels mandel_image_pixels(const mandel_image *img)
{
    return img != NULL ? img->layout : MANDEL_PIXELS_RGB8;
}

const char *mandel_image_temp_path(const mandel_image *img)
{
    return img != NULL ? img->file.tmp_path : NULL;
}

void mandel_image_abort(mandel_image *img)
{
    if (img == NULL) return;
    mandel_ctx *const ctx = img->ctx;
    img->writer->destroy(img);
    atomic_file_discard(ctx, &img->file);
    ctx_free(ctx, img->buf);
    ctx_free(ctx, img->comment);
    ctx_free(ctx, img);
}
