/*
 * io/write_png.c - 8-bit RGB PNG through libspng, one row at a time.
 *
 * libspng encodes progressively (SPNG_ENCODE_PROGRESSIVE), so a band of rows can be written
 * as soon as it is rendered and the whole image never sits in memory. The render's
 * parameters go into a tEXt chunk when the caller gives a comment.
 */
#include "io/image_io.h"

#include <spng.h>
#include <string.h>

static int png_fail(mandel_image *img, const char *what, int spng_err)
{
    /* An output failure has said why already (e.g. "Broken pipe"), better than spng can. */
    if (img->sink_err != MANDEL_OK) return img->sink_err;
    char name[4200];
    return ctx_fail(img->ctx, MANDEL_EIO, "cannot write %s: %s: %s",
                    image_name(img, name, sizeof name), what, spng_strerror(spng_err));
}

/* libspng's output: every byte of the PNG goes through image_put(). */
static int png_out(spng_ctx *enc, void *user, void *bytes, size_t len)
{
    (void)enc;
    return image_put(user, bytes, len) == MANDEL_OK ? 0 : SPNG_IO_ERROR;
}

static int png_begin(mandel_image *img)
{
    spng_ctx *const enc = spng_ctx_new(SPNG_CTX_ENCODER);
    FAIL_IF(img->ctx, enc == NULL, MANDEL_ENOMEM, "out of memory for a PNG encoder");
    img->state = enc;
    struct spng_ihdr ihdr = {
        .width = img->width,
        .height = img->height,
        .bit_depth = 8,
        .color_type = SPNG_COLOR_TYPE_TRUECOLOR,
    };
    int e = spng_set_ihdr(enc, &ihdr);
    if (e == 0) e = spng_set_png_stream(enc, png_out, img);
    if (e == 0 && img->comment != NULL) {
        struct spng_text text = {.keyword = "Comment", .type = SPNG_TEXT};
        text.text = img->comment;
        text.length = strlen(img->comment);
        e = spng_set_text(enc, &text, 1);
    }
    if (e == 0) e = spng_set_option(enc, SPNG_IMG_COMPRESSION_LEVEL, 6);
    if (e == 0)
        e = spng_encode_image(enc, NULL, 0, SPNG_FMT_PNG,
                              SPNG_ENCODE_PROGRESSIVE | SPNG_ENCODE_FINALIZE);
    return e == 0 ? MANDEL_OK : png_fail(img, "header", e);
}

static int png_rows(mandel_image *img, const void *rows, uint32_t n_rows)
{
    size_t const row_bytes = (size_t)img->width * 3;
    const uint8_t *row = rows;
    for (uint32_t r = 0; r < n_rows; r++, row += row_bytes) {
        int const e = spng_encode_row(img->state, row, row_bytes);
        /* The last row answers SPNG_EOI: the image is complete and finalized. */
        if (e != 0 && !(e == SPNG_EOI && img->rows_written + r + 1 == img->height))
            return png_fail(img, "row", e);
    }
    return MANDEL_OK;
}

static int png_end(mandel_image *img)
{
    (void)img;
    return MANDEL_OK;
}

static void png_destroy(mandel_image *img)
{
    spng_ctx_free(img->state);
    img->state = NULL;
}

const image_writer write_png = {png_begin, png_rows, png_end, png_destroy};
