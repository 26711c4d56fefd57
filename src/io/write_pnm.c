/*
 * io/write_pnm.c - the binary Netpbm formats: PPM (P6), PGM (P5) and PBM (P4).
 *
 * These formats are a text header and raw rows, so they need no library. PBM packs eight
 * pixels a byte, most significant bit first, each row padded to a byte; a set bit is black,
 * and black means interior, as in the Computer Language Benchmarks Game's mandelbrot.
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
    const uint8_t *px = rows;
    uint8_t packed[4096];
    size_t fill = 0;
    for (uint32_t r = 0; r < n_rows; r++) {
        for (uint32_t x = 0; x < img->width; x += 8) {
            uint8_t byte = 0;
            for (uint32_t b = 0; b < 8; b++) {
                bool const black = x + b < img->width && px[x + b] != 0;
                byte = (uint8_t)(byte | (black ? 0x80u >> b : 0u));
            }
            packed[fill++] = byte;
            if (fill == sizeof packed) {
                CHECK(image_put(img, packed, fill));
                fill = 0;
            }
        }
        px += img->width;
    }
    return fill ? image_put(img, packed, fill) : MANDEL_OK;
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
