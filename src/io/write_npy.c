/*
 * io/write_npy.c - NumPy .npy (format version 1.0, or 2.0 for a header above 64 KiB) of
 * uint32 counts or float32 values.
 *
 * The header is the magic, the version, a little-endian 16-bit (2.0: 32-bit) length and a
 * Python dict literal padded with spaces so that the data starts at a multiple of 64
 * bytes; the data is little-endian uint32 or float32, row-major, shape (height, width).
 * numpy.load() reads it.
 */
#include "io/image_io.h"

#include <stdio.h>
#include <string.h>

static int npy_begin(mandel_image *img)
{
    const char *const descr = img->layout == MANDEL_PIXELS_F32 ? "<f4" : "<u4";
    const char *const comment = img->comment != NULL ? img->comment : "";
    /* numpy.load evaluates the header as a Python literal, so a '#' comment after the dict
     * is ignored by it, and carries the command line for 'mandel info' and 'colour'. */
    int const dict_len = snprintf(NULL, 0,
                                  "{'descr': '%s', 'fortran_order': False, 'shape': (%u, %u), }%s%s",
                                  descr, img->height, img->width, *comment ? " # " : "", comment);
    /* Version 1.0 has a 16-bit header length; a longer header (a long comment) takes
     * version 2.0 and its 32-bit length, as NumPy itself does. */
    size_t prefix = 10; /* magic 6, version 2, header length 2 (4 in version 2.0) */
    size_t total = (prefix + (size_t)dict_len + 1 + 63) / 64 * 64;
    if (total - prefix > 65535) {
        prefix = 12;
        total = (prefix + (size_t)dict_len + 1 + 63) / 64 * 64;
    }
    uint8_t *const header = ctx_alloc(img->ctx, total + 1);
    FAIL_IF(img->ctx, header == NULL, MANDEL_ENOMEM, "out of memory for a .npy header");
    size_t const header_len = total - prefix;
    memcpy(header, prefix == 10 ? "\x93NUMPY\x01\x00" : "\x93NUMPY\x02\x00", 8);
    for (size_t b = 0; b < prefix - 8; b++) header[8 + b] = (uint8_t)(header_len >> (8 * b));
    snprintf((char *)header + prefix, (size_t)dict_len + 1,
             "{'descr': '%s', 'fortran_order': False, 'shape': (%u, %u), }%s%s", descr,
             img->height, img->width, *comment ? " # " : "", comment);
    memset(header + prefix + dict_len, ' ', total - prefix - (size_t)dict_len - 1);
    header[total - 1] = '\n';
    int const err = image_put(img, header, total);
    ctx_free(img->ctx, header);
    return err;
}

static int npy_rows(mandel_image *img, const void *rows, uint32_t n_rows)
{
    const uint32_t *counts = rows; /* float32 rows travel as their bit patterns */
    size_t const n = (size_t)img->width * n_rows;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    return image_put(img, counts, n * sizeof(uint32_t));
#else
    uint8_t buf[4096];
    size_t fill = 0;
    for (size_t i = 0; i < n; i++) {
        for (int b = 0; b < 4; b++) buf[fill++] = (uint8_t)(counts[i] >> (8 * b));
        if (fill == sizeof buf) {
            CHECK(image_put(img, buf, fill));
            fill = 0;
        }
    }
    return fill ? image_put(img, buf, fill) : MANDEL_OK;
#endif
}

static int npy_end(mandel_image *img)
{
    (void)img;
    return MANDEL_OK;
}

static void npy_destroy(mandel_image *img) { (void)img; }

const image_writer write_npy = {npy_begin, npy_rows, npy_end, npy_destroy};
