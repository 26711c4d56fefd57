/*
 * io/read_comment.c - reads back the comment a picture was written with: the PNG tEXt
 * "Comment" chunk (libspng) or the JPEG COM marker (libjpeg), so that a picture can say how
 * it was made.
 *
 * Invariant: nothing is written; at most `len` bytes (NUL included) go to the caller.
 */
#include "io/image_io.h"

#include <errno.h>
#include <jpeglib.h>
#include <setjmp.h>
#include <spng.h>
#include <string.h>

static int copy_out(mandel_ctx *ctx, const char *path, const char *text, size_t n, char *buf,
                    size_t len)
{
    FAIL_IF(ctx, n >= len, MANDEL_ETOOBIG, "the comment of '%s' is longer than %zu bytes", path,
            len - 1);
    memcpy(buf, text, n);
    buf[n] = '\0';
    return MANDEL_OK;
}

static int png_comment(mandel_ctx *ctx, FILE *f, const char *path, char *buf, size_t len)
{
    spng_ctx *const dec = spng_ctx_new(0);
    FAIL_IF(ctx, dec == NULL, MANDEL_ENOMEM, "out of memory for a PNG decoder");
    int err = MANDEL_EFORMAT;
    uint32_t n_text = 0;
    struct spng_text text[16];
    struct spng_ihdr ihdr;
    spng_set_png_file(dec, f);
    if (spng_get_ihdr(dec, &ihdr) != 0) {
        err = ctx_fail(ctx, MANDEL_EFORMAT, "'%s' is not a readable PNG file", path);
    } else if (spng_get_text(dec, NULL, &n_text) != 0 || n_text == 0) {
        err = ctx_fail(ctx, MANDEL_EFORMAT, "'%s' has no comment", path);
    } else {
        if (n_text > 16) n_text = 16;
        spng_get_text(dec, text, &n_text);
        err = ctx_fail(ctx, MANDEL_EFORMAT, "'%s' has no comment", path);
        for (uint32_t i = 0; i < n_text; i++) {
            if (strcmp(text[i].keyword, "Comment") == 0) {
                err = copy_out(ctx, path, text[i].text, text[i].length, buf, len);
                break;
            }
        }
    }
    spng_ctx_free(dec);
    return err;
}

typedef struct jpeg_reader {
    struct jpeg_error_mgr jerr;
    jmp_buf on_error;
} jpeg_reader;

static void on_jpeg_error(j_common_ptr cinfo)
{
    jpeg_reader *const r = (jpeg_reader *)cinfo->err;
    longjmp(r->on_error, 1);
}

static int jpeg_comment(mandel_ctx *ctx, FILE *f, const char *path, char *buf, size_t len)
{
    struct jpeg_decompress_struct cinfo;
    jpeg_reader r;
    cinfo.err = jpeg_std_error(&r.jerr);
    r.jerr.error_exit = on_jpeg_error;
    if (setjmp(r.on_error)) {
        jpeg_destroy_decompress(&cinfo);
        return ctx_fail(ctx, MANDEL_EFORMAT, "'%s' is not a readable JPEG file", path);
    }
    jpeg_create_decompress(&cinfo);
    jpeg_stdio_src(&cinfo, f);
    jpeg_save_markers(&cinfo, JPEG_COM, 0xffff);
    jpeg_read_header(&cinfo, TRUE);
    int err = ctx_fail(ctx, MANDEL_EFORMAT, "'%s' has no comment", path);
    for (jpeg_saved_marker_ptr m = cinfo.marker_list; m != NULL; m = m->next) {
        if (m->marker == JPEG_COM) {
            err = copy_out(ctx, path, (const char *)m->data, m->data_length, buf, len);
            break;
        }
    }
    jpeg_destroy_decompress(&cinfo);
    return err;
}

int mandel_image_comment(mandel_ctx *ctx, const char *path, char *buf, size_t len)
{
    if (ctx == NULL || path == NULL || buf == NULL || len == 0) return MANDEL_EINVAL;
    mandel_format format;
    FAIL_IF(ctx, mandel_format_from_path(path, &format) != MANDEL_OK ||
                     (format != MANDEL_FORMAT_PNG && format != MANDEL_FORMAT_JPEG &&
                      format != MANDEL_FORMAT_NPY),
            MANDEL_EFORMAT, "'%s': only PNG, JPEG and .npy files carry a comment", path);
    if (format == MANDEL_FORMAT_NPY) {
        mandel_npy *npy;
        CHECK(mandel_npy_read(ctx, path, &npy));
        const char *comment;
        mandel_npy_get(npy, NULL, NULL, NULL, NULL, &comment);
        int const err = comment[0] == '\0'
                            ? ctx_fail(ctx, MANDEL_EFORMAT, "'%s' has no comment", path)
                            : copy_out(ctx, path, comment, strlen(comment), buf, len);
        mandel_npy_free(npy);
        return err;
    }
    FILE *const f = fopen(path, "rb");
    FAIL_IF(ctx, f == NULL, MANDEL_EIO, "cannot open '%s': %s", path, strerror(errno));
    int const err = format == MANDEL_FORMAT_PNG ? png_comment(ctx, f, path, buf, len)
                                                : jpeg_comment(ctx, f, path, buf, len);
    fclose(f);
    return err;
}
