/*
 * io/write_pnm.c - the binary Netpbm formats: PPM (P6), PGM (P5) and PBM (P4).
 *
 * These formats are a text header and raw rows, so they need no library. PBM rows arrive
 * already packed (MANDEL_PIXELS_BIT1: eight pixels a byte, most significant bit first, each
 * row padded to a byte, a set bit black), which is the file's own layout.
 */
#include "io/image_io.h"

#include <stdio.h>

static int pnm_header(mandel_image *img, const char *magic, bool maxval)
{
    char header[64];
    int const len = snprintf(header, sizeof header, maxval ? "%s\n%u %u\n255\n" : "%s\n%u %u\n",
                             magic, img->width, img->height);
    return image_put(img, header, (size_t)len);
}

static int ppm_begin(mandel_image *img) { return pnm_header(img, "P6", true); }
static int pgm_begin(mandel_image *img) { return pnm_header(img, "P5", true); }
static int pbm_begin(mandel_image *img) { return pnm_header(img, "P4", false); }

static int ppm_rows(mandel_image *img, const void *rows, uint32_t n_rows)
{
    return image_put(img, rows, (size_t)img->width * 3 * n_rows);
}

static int pgm_rows(mandel_image *img, const void *rows, uint32_t n_rows)
{
    return image_put(img, rows, (size_t)img->width * n_rows);
}

static int pbm_rows(mandel_image *img, const void *rows, uint32_t n_rows)
{
    return image_put(img, rows, ((size_t)img->width + 7) / 8 * n_rows);
}

static int pnm_end(mandel_image *img)
{
    (void)img;
    return MANDEL_OK;
}

static void pnm_destroy(mandel_image *img) { (void)img; }

const image_writer write_ppm = {ppm_begin, ppm_rows, pnm_end, pnm_destroy};
const image_writer write_pgm = {pgm_begin, pgm_rows, pnm_end, pnm_destroy};
const image_writer write_pbm = {pbm_begin, pbm_rows, pnm_end, pnm_destroy};
