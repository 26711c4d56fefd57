/*
 * io/write_jpeg.c - baseline JPEG through libjpeg(-turbo), one band of rows at a time.
 *
 * libjpeg reports errors by calling error_exit(), which must not return; ours longjmps
 * back to the entry point of this file that called into libjpeg. That is libjpeg's own
 * documented mechanism, and no jump ever crosses a frame of ours outside this file.
 */
#include "io/image_io.h"

#include <jpeglib.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#define JPG_BUFFER 16384
#define JPG_COM_MAX 65533u /* a marker's 16-bit length counts its own two bytes */

typedef struct jpg_state {
    struct jpeg_compress_struct cinfo;
    struct jpeg_error_mgr jerr;
    struct jpeg_destination_mgr dest;
    mandel_image *img;
    JOCTET buffer[JPG_BUFFER];
    jmp_buf on_error;
    char message[JMSG_LENGTH_MAX];
    bool created;
} jpg_state;

static void on_error_exit(j_common_ptr cinfo)
{
    jpg_state *const st = (jpg_state *)cinfo->client_data;
    (*cinfo->err->format_message)(cinfo, st->message);
    longjmp(st->on_error, 1);
}

static void on_output_message(j_common_ptr cinfo) { (void)cinfo; }

static int jpg_fail(mandel_image *img)
{
    jpg_state *const st = img->state;
    if (img->sink_err != MANDEL_OK) return img->sink_err; /* it said why already */
    char name[4200];
    return ctx_fail(img->ctx, MANDEL_EIO, "cannot write %s: %s",
                    image_name(img, name, sizeof name), st->message);
}

/* libjpeg's destination: every byte of the JPEG goes through image_put(). A failed write
 * jumps back like any libjpeg error (jpg_fail then reports the write's own reason). */
static void dest_init(j_compress_ptr cinfo)
{
    jpg_state *const st = (jpg_state *)cinfo->client_data;
    st->dest.next_output_byte = st->buffer;
    st->dest.free_in_buffer = JPG_BUFFER;
}

static boolean dest_empty(j_compress_ptr cinfo)
{
    jpg_state *const st = (jpg_state *)cinfo->client_data;
    /* libjpeg calls this with the buffer full, whatever free_in_buffer says */
    if (image_put(st->img, st->buffer, JPG_BUFFER) != MANDEL_OK) longjmp(st->on_error, 1);
    dest_init(cinfo);
    return TRUE;
}

static void dest_term(j_compress_ptr cinfo)
{
    jpg_state *const st = (jpg_state *)cinfo->client_data;
    size_t const used = JPG_BUFFER - st->dest.free_in_buffer;
    if (used > 0 && image_put(st->img, st->buffer, used) != MANDEL_OK)
        longjmp(st->on_error, 1);
}

static int jpg_begin(mandel_image *img)
{
    jpg_state *const st = ctx_alloc(img->ctx, sizeof *st);
    FAIL_IF(img->ctx, st == NULL, MANDEL_ENOMEM, "out of memory for a JPEG encoder");
    st->created = false;
    st->img = img;
    img->state = st;
    st->cinfo.err = jpeg_std_error(&st->jerr);
    st->jerr.error_exit = on_error_exit;
    st->jerr.output_message = on_output_message;
    if (setjmp(st->on_error)) return jpg_fail(img);
    jpeg_create_compress(&st->cinfo);
    st->created = true;
    st->cinfo.client_data = st;
    st->dest.init_destination = dest_init;
    st->dest.empty_output_buffer = dest_empty;
    st->dest.term_destination = dest_term;
    st->cinfo.dest = &st->dest;
    st->cinfo.image_width = img->width;
    st->cinfo.image_height = img->height;
    st->cinfo.input_components = 3;
    st->cinfo.in_color_space = JCS_RGB;
    jpeg_set_defaults(&st->cinfo);
    jpeg_set_quality(&st->cinfo, img->jpeg_quality, TRUE);
    jpeg_start_compress(&st->cinfo, TRUE);
    /* A COM marker holds at most 65533 bytes: a longer comment goes into several, in
     * order, which read_comment.c joins; never cut. */
    size_t left = img->comment != NULL ? strlen(img->comment) : 0;
    for (const char *part = img->comment; left > 0;) {
        unsigned const n = left < JPG_COM_MAX ? (unsigned)left : JPG_COM_MAX;
        jpeg_write_marker(&st->cinfo, JPEG_COM, (const JOCTET *)part, n);
        part += n;
        left -= n;
    }
    return MANDEL_OK;
}

static int jpg_rows(mandel_image *img, const void *rows, uint32_t n_rows)
{
    jpg_state *const st = img->state;
    if (setjmp(st->on_error)) return jpg_fail(img);
    const uint8_t *row = rows;
    size_t const row_bytes = (size_t)img->width * 3;
    for (uint32_t r = 0; r < n_rows; r++, row += row_bytes) {
        JSAMPROW sample = (JSAMPROW)row;
        jpeg_write_scanlines(&st->cinfo, &sample, 1);
    }
    return MANDEL_OK;
}

static int jpg_end(mandel_image *img)
{
    jpg_state *const st = img->state;
    if (setjmp(st->on_error)) return jpg_fail(img);
    jpeg_finish_compress(&st->cinfo);
    return MANDEL_OK;
}

static void jpg_destroy(mandel_image *img)
{
    jpg_state *const st = img->state;
    if (st == NULL) return;
    if (st->created) jpeg_destroy_compress(&st->cinfo);
    ctx_free(img->ctx, st);
    img->state = NULL;
}

const image_writer write_jpeg = {jpg_begin, jpg_rows, jpg_end, jpg_destroy};
