/*
 * io/read_comment.c - reads back the comment a picture was written with: the PNG tEXt
 * "Comment" chunk (libspng), the JPEG COM markers (libjpeg) or the .npy header's comment,
 * so that a picture can say how it was made.
 *
 * Invariant: nothing is written; at most `len` bytes (NUL included) go to the caller, and
 * no more than a few times MANDEL_COMMENT_MAX is held whatever the file says.
 */
#include "io/image_io.h"

#include <errno.h>
#include <jpeglib.h>
#include <setjmp.h>
#include <spng.h>
#include <stdbool.h>
#include <string.h>

static int copy_out(mandel_ctx *ctx, const char *path, const char *text, size_t n, char *buf,
                    size_t len)
{
    FAIL_IF(ctx, n > MANDEL_COMMENT_MAX, MANDEL_ETOOBIG,
            "the comment of '%s' is longer than %d bytes", path, MANDEL_COMMENT_MAX);
    FAIL_IF(ctx, n >= len, MANDEL_ETOOBIG, "the comment of '%s' is longer than %zu bytes", path,
            len - 1);
    FAIL_IF(ctx, memchr(text, '\0', n) != NULL, MANDEL_EFORMAT,
            "the comment of '%s' holds a NUL byte", path);
    memcpy(buf, text, n);
    buf[n] = '\0';
    return MANDEL_OK;
}

/* libspng keeps every text chunk before the image data; these limits bound what a hostile
 * file can make it hold (by default it takes chunks up to 2^31 bytes). */
#define PNG_CHUNK_MAX ((size_t)MANDEL_COMMENT_MAX + 1024)
#define PNG_CACHE_MAX (4 * PNG_CHUNK_MAX)

static int png_comment(mandel_ctx *ctx, FILE *f, const char *path, char *buf, size_t len)
{
    spng_ctx *const dec = spng_ctx_new(0);
    FAIL_IF(ctx, dec == NULL, MANDEL_ENOMEM, "out of memory for a PNG decoder");
    int err = MANDEL_EFORMAT;
    uint32_t n_text = 0;
    struct spng_text *text = NULL;
    struct spng_ihdr ihdr;
    spng_set_png_file(dec, f);
    spng_set_chunk_limits(dec, PNG_CHUNK_MAX, PNG_CACHE_MAX);
    int e = spng_get_ihdr(dec, &ihdr);
    if (e == 0) e = spng_get_text(dec, NULL, &n_text);
    if (e == SPNG_ECHUNK_LIMITS || e == SPNG_ECHUNK_STDLEN) {
        err = ctx_fail(ctx, MANDEL_ETOOBIG, "'%s' holds a chunk above the comment limit of %d "
                                            "bytes", path, MANDEL_COMMENT_MAX);
    } else if (e != 0 && e != SPNG_ECHUNKAVAIL) {
        err = ctx_fail(ctx, MANDEL_EFORMAT, "'%s' is not a readable PNG file", path);
    } else if (n_text == 0) {
        err = ctx_fail(ctx, MANDEL_EFORMAT, "'%s' has no comment", path);
    } else if ((text = ctx_alloc(ctx, n_text * sizeof *text)) == NULL) {
        err = ctx_fail(ctx, MANDEL_ENOMEM, "out of memory for %u PNG text chunks", n_text);
    } else {
        err = ctx_fail(ctx, MANDEL_EFORMAT, "'%s' has no comment", path);
        if (spng_get_text(dec, text, &n_text) == 0) {
            for (uint32_t i = 0; i < n_text; i++) {
                if (strcmp(text[i].keyword, "Comment") == 0) {
                    err = copy_out(ctx, path, text[i].text, text[i].length, buf, len);
                    break;
                }
            }
        }
    }
    ctx_free(ctx, text);
    spng_ctx_free(dec);
    return err;
}

/* JPEG: every COM marker before the image data, joined in order (write_jpeg.c splits a
 * comment above 65533 bytes), read straight into the caller's buffer by our own marker
 * reader, so a file of many large markers costs no memory. */
typedef struct jpeg_reader {
    struct jpeg_error_mgr jerr;
    jmp_buf on_error;
    char *buf;
    size_t len, used;
    bool too_long, any;
} jpeg_reader;

static void on_jpeg_error(j_common_ptr cinfo)
{
    jpeg_reader *const r = (jpeg_reader *)cinfo->err;
    longjmp(r->on_error, 1);
}

/* libjpeg's warnings (e.g. a file cut short) go nowhere: the library never prints. */
static void on_jpeg_message(j_common_ptr cinfo) { (void)cinfo; }

static unsigned next_byte(j_decompress_ptr cinfo)
{
    struct jpeg_source_mgr *const src = cinfo->src;
    /* The stdio source never suspends: at the end of the file it supplies an EOI. */
    if (src->bytes_in_buffer == 0 && !src->fill_input_buffer(cinfo))
        on_jpeg_error((j_common_ptr)cinfo);
    src->bytes_in_buffer--;
    return *src->next_input_byte++;
}

static boolean read_com(j_decompress_ptr cinfo)
{
    jpeg_reader *const r = (jpeg_reader *)cinfo->err;
    unsigned const hi = next_byte(cinfo);
    unsigned const length = hi << 8 | next_byte(cinfo);
    if (length < 2) on_jpeg_error((j_common_ptr)cinfo);
    r->any = true;
    for (unsigned i = 2; i < length; i++) {
        unsigned const c = next_byte(cinfo);
        if (r->used + 1 >= r->len || r->used >= MANDEL_COMMENT_MAX) {
            r->too_long = true;
            on_jpeg_error((j_common_ptr)cinfo);
        }
        r->buf[r->used++] = (char)c;
    }
    return TRUE;
}

static int jpeg_comment(mandel_ctx *ctx, FILE *f, const char *path, char *buf, size_t len)
{
    struct jpeg_decompress_struct cinfo;
    jpeg_reader r = {.buf = buf, .len = len};
    cinfo.err = jpeg_std_error(&r.jerr);
    r.jerr.error_exit = on_jpeg_error;
    r.jerr.output_message = on_jpeg_message;
    if (setjmp(r.on_error)) {
        jpeg_destroy_decompress(&cinfo);
        if (r.too_long && len - 1 >= MANDEL_COMMENT_MAX)
            return ctx_fail(ctx, MANDEL_ETOOBIG, "the comment of '%s' is longer than %d bytes",
                            path, MANDEL_COMMENT_MAX);
        if (r.too_long)
            return ctx_fail(ctx, MANDEL_ETOOBIG, "the comment of '%s' is longer than %zu bytes",
                            path, len - 1);
        return ctx_fail(ctx, MANDEL_EFORMAT, "'%s' is not a readable JPEG file", path);
    }
    jpeg_create_decompress(&cinfo);
    jpeg_stdio_src(&cinfo, f);
    jpeg_set_marker_processor(&cinfo, JPEG_COM, read_com);
    jpeg_read_header(&cinfo, TRUE);
    jpeg_destroy_decompress(&cinfo);
    FAIL_IF(ctx, !r.any, MANDEL_EFORMAT, "'%s' has no comment", path);
    FAIL_IF(ctx, memchr(buf, '\0', r.used) != NULL, MANDEL_EFORMAT,
            "the comment of '%s' holds a NUL byte", path);
    buf[r.used] = '\0';
    return MANDEL_OK;
}

int mandel_image_comment(mandel_ctx *ctx, const char *path, char *buf, size_t len)
{
    if (ctx == NULL) return MANDEL_EINVAL;
    ctx_clear(ctx);
    FAIL_IF(ctx, path == NULL || buf == NULL || len == 0, MANDEL_EINVAL,
            "path or buffer is NULL, or the buffer is empty");
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
    if (err == MANDEL_OK) ctx_clear(ctx); /* the readers preset "has no comment" */
    return err;
}
