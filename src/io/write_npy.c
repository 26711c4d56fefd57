/*
 * io/write_npy.c - NumPy .npy (format version 1.0) of uint32 counts.
 *
 * The header is the magic, the version, a little-endian 16-bit length and a Python dict
 * literal padded with spaces so that the data starts at a multiple of 64 bytes; the data
 * is little-endian uint32, row-major, shape (height, width). numpy.load() reads it.
 */
#include "io/image_io.h"

#include <stdio.h>
#include <string.h>

static int npy_begin(mandel_image *img)
{
    char dict[128];
    int const dict_len = snprintf(dict, sizeof dict,
                                  "{'descr': '<u4', 'fortran_order': False, 'shape': (%u, %u), }",
                                  img->height, img->width);
    size_t const prefix = 10; /* magic 6, version 2, header length 2 */
    size_t total = prefix + (size_t)dict_len + 1;
    total = (total + 63) / 64 * 64;
    uint8_t header[192];
    size_t const header_len = total - prefix;
    memcpy(header, "\x93NUMPY\x01\x00", 8);
    header[8] = (uint8_t)(header_len & 0xff);
    header[9] = (uint8_t)(header_len >> 8);
    memcpy(header + prefix, dict, (size_t)dict_len);
    memset(header + prefix + dict_len, ' ', total - prefix - (size_t)dict_len - 1);
    header[total - 1] = '\n';
    return image_put(img, header, total);
}

static int npy_rows(mandel_image *img, const void *rows, uint32_t n_rows)
{
    const uint32_t *counts = rows;
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
