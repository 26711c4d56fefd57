/*
 * tests/unit/test_io.c - every writer, checked by decoding what it wrote; the temporary
 * file discipline: nothing at the path until close, nothing left after a failure; the
 * stream variant (a write callback) gives the same bytes and its writer's failures.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <jpeglib.h>
#include <spng.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../check.h"
#include "mandel.h"

#define W 13
#define H 5

static char dir[64];

static char *path_in_dir(const char *name)
{
    static char buf[256];
    snprintf(buf, sizeof buf, "%s/%s", dir, name);
    return buf;
}

static int files_in_dir(void)
{
    DIR *const d = opendir(dir);
    int n = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;) n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

static bool exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

static uint8_t *slurp(const char *path, size_t *len)
{
    FILE *const f = fopen(path, "rb");
    if (f == NULL) return NULL;
    fseek(f, 0, SEEK_END);
    *len = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *const data = malloc(*len + 1);
    if (fread(data, 1, *len, f) != *len) *len = 0;
    fclose(f);
    return data;
}

/* An RGB test pattern whose every byte is predictable. */
static uint8_t pattern(uint32_t x, uint32_t y, int ch) { return (uint8_t)(x * 19 + y * 41 + ch * 80); }

static int write_image(mandel_ctx *ctx, const char *name, const void *rows,
                       const mandel_image_options *opts)
{
    mandel_format fmt;
    CHECK_EQ_INT(MANDEL_OK, mandel_format_from_path(name, &fmt));
    mandel_image *img;
    const char *const path = path_in_dir(name);
    int err = mandel_image_open(ctx, &img, path, fmt, W, H, opts);
    if (err != MANDEL_OK) return err;
    CHECK_TRUE(!exists(path)); /* nothing at the path until complete */
    size_t const row_bytes = mandel_pixels_row_bytes(mandel_format_pixels(fmt), W);
    /* Two calls, to exercise streaming: 2 rows, then 3. */
    err = mandel_image_write_rows(img, rows, 2);
    if (err == MANDEL_OK) err = mandel_image_write_rows(img, (const uint8_t *)rows + 2 * row_bytes, 3);
    if (err != MANDEL_OK) {
        mandel_image_abort(img);
        return err;
    }
    return mandel_image_close(img);
}

static void png(mandel_ctx *ctx, const uint8_t *rgb)
{
    mandel_image_options const opts = {.comment = "mandel render --size 13x5"};
    CHECK_EQ_INT(MANDEL_OK, write_image(ctx, "a.png", rgb, &opts));
    size_t len;
    uint8_t *const data = slurp(path_in_dir("a.png"), &len);
    spng_ctx *const dec = spng_ctx_new(0);
    spng_set_png_buffer(dec, data, len);
    struct spng_ihdr ihdr;
    CHECK_EQ_INT(0, spng_get_ihdr(dec, &ihdr));
    CHECK_EQ_INT(W, ihdr.width);
    CHECK_EQ_INT(H, ihdr.height);
    CHECK_EQ_INT(8, ihdr.bit_depth);
    CHECK_EQ_INT(SPNG_COLOR_TYPE_TRUECOLOR, ihdr.color_type);
    uint8_t out[W * H * 3];
    CHECK_EQ_INT(0, spng_decode_image(dec, out, sizeof out, SPNG_FMT_RGB8, 0));
    CHECK_TRUE(memcmp(out, rgb, sizeof out) == 0);
    uint32_t n_text = 0;
    CHECK_EQ_INT(0, spng_get_text(dec, NULL, &n_text));
    CHECK_EQ_INT(1, n_text);
    struct spng_text text;
    spng_get_text(dec, &text, &n_text);
    CHECK_EQ_STR("Comment", text.keyword);
    CHECK_EQ_STR("mandel render --size 13x5", text.text);
    spng_ctx_free(dec);
    free(data);
}

static void jpeg(mandel_ctx *ctx, const uint8_t *rgb)
{
    /* A flat colour survives JPEG's 4:2:0 and DCT almost exactly. */
    uint8_t flat[W * H * 3];
    for (size_t i = 0; i < sizeof flat; i += 3) {
        flat[i] = 200;
        flat[i + 1] = 120;
        flat[i + 2] = 40;
    }
    (void)rgb;
    mandel_image_options const opts = {.jpeg_quality = 95};
    CHECK_EQ_INT(MANDEL_OK, write_image(ctx, "a.JPEG", flat, &opts));
    FILE *const f = fopen(path_in_dir("a.JPEG"), "rb");
    struct jpeg_decompress_struct cinfo;
    struct jpeg_error_mgr jerr;
    cinfo.err = jpeg_std_error(&jerr);
    jpeg_create_decompress(&cinfo);
    jpeg_stdio_src(&cinfo, f);
    CHECK_EQ_INT(JPEG_HEADER_OK, jpeg_read_header(&cinfo, TRUE));
    jpeg_start_decompress(&cinfo);
    CHECK_EQ_INT(W, cinfo.output_width);
    CHECK_EQ_INT(H, cinfo.output_height);
    CHECK_EQ_INT(3, cinfo.output_components);
    uint8_t row[W * 3];
    int worst = 0;
    while (cinfo.output_scanline < cinfo.output_height) {
        JSAMPROW r = row;
        jpeg_read_scanlines(&cinfo, &r, 1);
        for (int i = 0; i < W * 3; i++) {
            int const d = abs(row[i] - flat[i]);
            if (d > worst) worst = d;
        }
    }
    CHECK_TRUE(worst <= 3);
    jpeg_finish_decompress(&cinfo);
    jpeg_destroy_decompress(&cinfo);
    fclose(f);
    mandel_image_options const bad = {.jpeg_quality = 101};
    CHECK_EQ_INT(MANDEL_EINVAL, write_image(ctx, "q.jpg", flat, &bad));
    CHECK_TRUE(!exists(path_in_dir("q.jpg")));
}

static void pnm(mandel_ctx *ctx, const uint8_t *rgb)
{
    size_t len;
    CHECK_EQ_INT(MANDEL_OK, write_image(ctx, "a.ppm", rgb, NULL));
    uint8_t *data = slurp(path_in_dir("a.ppm"), &len);
    static const char ppm_header[] = "P6\n13 5\n255\n";
    size_t const hl = sizeof ppm_header - 1;
    CHECK_EQ_INT(hl + W * H * 3, len);
    CHECK_TRUE(memcmp(data, ppm_header, hl) == 0 && memcmp(data + hl, rgb, W * H * 3) == 0);
    free(data);

    uint8_t grey[W * H];
    for (int i = 0; i < W * H; i++) grey[i] = (uint8_t)(i * 3);
    CHECK_EQ_INT(MANDEL_OK, write_image(ctx, "a.pgm", grey, NULL));
    data = slurp(path_in_dir("a.pgm"), &len);
    static const char pgm_header[] = "P5\n13 5\n255\n";
    CHECK_EQ_INT(hl + W * H, len);
    CHECK_TRUE(memcmp(data, pgm_header, hl) == 0 && memcmp(data + hl, grey, W * H) == 0);
    free(data);

    /* PBM: rows arrive packed (13 pixels in 2 bytes, MSB first) and are written as they are. */
    CHECK_EQ_INT(2, mandel_pixels_row_bytes(MANDEL_PIXELS_BIT1, W));
    CHECK_EQ_INT(MANDEL_PIXELS_BIT1, mandel_format_pixels(MANDEL_FORMAT_PBM));
    static const uint8_t packed[2 * H] = {0x80, 0x80, 0, 0x08, 0, 0, 0, 0, 0x01, 0};
    CHECK_EQ_INT(MANDEL_OK, write_image(ctx, "a.pbm", packed, NULL));
    data = slurp(path_in_dir("a.pbm"), &len);
    static const char pbm_header[] = "P4\n13 5\n";
    size_t const bl = sizeof pbm_header - 1;
    CHECK_EQ_INT(bl + 2 * H, len);
    CHECK_TRUE(memcmp(data, pbm_header, bl) == 0);
    CHECK_TRUE(memcmp(data + bl, packed, sizeof packed) == 0);
    free(data);
}

static void npy(mandel_ctx *ctx)
{
    uint32_t counts[W * H];
    for (uint32_t i = 0; i < W * H; i++) counts[i] = i * 1000003u;
    CHECK_EQ_INT(MANDEL_OK, write_image(ctx, "a.npy", counts, NULL));
    size_t len;
    uint8_t *const data = slurp(path_in_dir("a.npy"), &len);
    CHECK_TRUE(memcmp(data, "\x93NUMPY\x01\x00", 8) == 0);
    size_t const header_len = data[8] | (size_t)data[9] << 8;
    CHECK_EQ_INT(0, (10 + header_len) % 64);
    CHECK_EQ_INT(10 + header_len + W * H * 4, len);
    data[len] = 0;
    char dict[128] = {0};
    memcpy(dict, data + 10, header_len < 127 ? header_len : 127);
    CHECK_TRUE(strstr(dict, "'descr': '<u4'") != NULL);
    CHECK_TRUE(strstr(dict, "'fortran_order': False") != NULL);
    CHECK_TRUE(strstr(dict, "'shape': (5, 13)") != NULL);
    CHECK_EQ_INT('\n', data[10 + header_len - 1]);
    const uint8_t *const body = data + 10 + header_len;
    int bad = 0;
    for (uint32_t i = 0; i < W * H; i++) {
        uint32_t const v = body[4 * i] | body[4 * i + 1] << 8 | body[4 * i + 2] << 16 |
                           (uint32_t)body[4 * i + 3] << 24;
        bad += v != counts[i];
    }
    CHECK_EQ_INT(0, bad);
    free(data);
}

static void failures(mandel_ctx *ctx, const uint8_t *rgb)
{
    mandel_format fmt;
    CHECK_EQ_INT(MANDEL_EFORMAT, mandel_format_from_path("x.gif", &fmt));
    CHECK_EQ_INT(MANDEL_EFORMAT, mandel_format_from_path("png", &fmt));
    CHECK_EQ_INT(MANDEL_EFORMAT, mandel_format_from_path("dir.png/x", &fmt));
    CHECK_EQ_INT(MANDEL_OK, mandel_format_from_path("dir.x/a.Png", &fmt));
    CHECK_EQ_INT(MANDEL_FORMAT_PNG, fmt);

    int const before = files_in_dir();
    mandel_image *img = NULL;
    /* Missing directory: an I/O error naming the path, and nothing created. */
    CHECK_EQ_INT(MANDEL_EIO, mandel_image_open(ctx, &img, path_in_dir("nodir/a.png"),
                                               MANDEL_FORMAT_PNG, W, H, NULL));
    CHECK_TRUE(img == NULL);
    CHECK_TRUE(strstr(mandel_errmsg(ctx), "nodir/a.png") != NULL);
    /* The path is a directory. */
    CHECK_EQ_INT(MANDEL_EIO, mandel_image_open(ctx, &img, dir, MANDEL_FORMAT_PNG, W, H, NULL));
    /* Abort leaves nothing; closing early fails and leaves nothing. */
    CHECK_EQ_INT(MANDEL_OK, mandel_image_open(ctx, &img, path_in_dir("b.png"),
                                              MANDEL_FORMAT_PNG, W, H, NULL));
    CHECK_EQ_INT(MANDEL_OK, mandel_image_write_rows(img, rgb, 1));
    mandel_image_abort(img);
    CHECK_EQ_INT(MANDEL_OK, mandel_image_open(ctx, &img, path_in_dir("c.ppm"),
                                              MANDEL_FORMAT_PPM, W, H, NULL));
    CHECK_EQ_INT(MANDEL_OK, mandel_image_write_rows(img, rgb, 4));
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_image_write_rows(img, rgb, 2)); /* past the height */
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_image_close(img));
    CHECK_TRUE(strstr(mandel_errmsg(ctx), "4 of 5") != NULL);
    CHECK_EQ_INT(before, files_in_dir());
    CHECK_EQ_INT(MANDEL_ETOOBIG, mandel_image_open(ctx, &img, path_in_dir("big.jpg"),
                                                   MANDEL_FORMAT_JPEG, 65501, 10, NULL));
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_image_open(ctx, &img, path_in_dir("z.png"),
                                                  MANDEL_FORMAT_PNG, 0, 10, NULL));
    CHECK_EQ_INT(before, files_in_dir());
    /* An existing file is replaced only on success. */
    CHECK_EQ_INT(MANDEL_OK, mandel_image_open(ctx, &img, path_in_dir("a.ppm"),
                                              MANDEL_FORMAT_PPM, W, H, NULL));
    mandel_image_abort(img);
    size_t len;
    uint8_t *const data = slurp(path_in_dir("a.ppm"), &len);
    CHECK_EQ_INT(12 + W * H * 3, len);
    free(data);
    mandel_image_abort(NULL);
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_image_close(NULL));
}

/* A write callback that keeps the bytes in memory, as the tile server will; it can be told
 * to fail after `fail_after` bytes with `fail_errno`, like a pipe whose reader went away. */
typedef struct membuf {
    uint8_t *data;
    size_t len, cap;
    size_t fail_after;
    int fail_errno;
    int calls;
} membuf;

static int mem_write(void *user, const void *bytes, size_t len)
{
    membuf *const m = user;
    m->calls++;
    if (len == 0) return -1; /* the contract says len > 0 */
    if (m->fail_errno != 0 && m->len + len > m->fail_after) return m->fail_errno;
    if (m->len + len > m->cap) {
        size_t cap = m->cap ? m->cap : 256;
        while (cap < m->len + len) cap *= 2;
        uint8_t *const grown = realloc(m->data, cap);
        if (grown == NULL) return ENOMEM;
        m->data = grown;
        m->cap = cap;
    }
    memcpy(m->data + m->len, bytes, len);
    m->len += len;
    return 0;
}

/* Writes the test image of `name`'s format through mandel_image_open_stream() into m. */
static int write_stream(mandel_ctx *ctx, const char *name, const void *rows,
                        const mandel_image_options *opts, membuf *m)
{
    mandel_format fmt;
    CHECK_EQ_INT(MANDEL_OK, mandel_format_from_path(name, &fmt));
    mandel_image *img = NULL;
    int err = mandel_image_open_stream(ctx, &img, mem_write, m, fmt, W, H, opts);
    if (err != MANDEL_OK) return err;
    CHECK_TRUE(mandel_image_temp_path(img) == NULL);
    size_t const row_bytes = mandel_pixels_row_bytes(mandel_image_pixels(img), W);
    for (uint32_t y = 0; y < H && err == MANDEL_OK; y++)
        err = mandel_image_write_rows(img, (const uint8_t *)rows + y * row_bytes, 1);
    if (err != MANDEL_OK) {
        mandel_image_abort(img);
        return err;
    }
    return mandel_image_close(img);
}

/* Every format written to memory through a callback is the very file the path variant
 * writes, byte for byte; a writer that fails (EPIPE) fails the image with its reason, and
 * the ctx goes on working. */
static void streams(mandel_ctx *ctx, const uint8_t *rgb)
{
    static const char *const names[] = {"s.png", "s.JPEG", "s.ppm", "s.pgm", "s.pbm", "s.npy"};
    uint8_t any[W * H * 4];
    for (size_t i = 0; i < sizeof any; i++) any[i] = rgb[i % (W * H * 3)];
    mandel_image_options const opts = {.comment = "mandel render --size 13x5",
                                       .jpeg_quality = 95};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        CHECK_EQ_INT(MANDEL_OK, write_image(ctx, names[i], any, &opts));
        size_t file_len = 0;
        uint8_t *const file = slurp(path_in_dir(names[i]), &file_len);
        membuf m = {0};
        CHECK_EQ_INT(MANDEL_OK, write_stream(ctx, names[i], any, &opts, &m));
        if (m.len != file_len || memcmp(m.data, file, file_len) != 0)
            fprintf(stderr, "stream %s: %zu bytes, file %zu bytes\n", names[i], m.len, file_len);
        CHECK_TRUE(file_len > 0 && m.len == file_len && memcmp(m.data, file, file_len) == 0);
        /* The tiny image fits the 64 KiB buffer: one call, at close. */
        CHECK_EQ_INT(1, m.calls);
        free(file);

        /* Fail on the header (0 bytes allowed) and in the middle. */
        for (int at = 0; at < 2; at++) {
            membuf f = {.fail_after = at ? file_len / 2 : 0, .fail_errno = EPIPE};
            int const err = write_stream(ctx, names[i], any, &opts, &f);
            CHECK_EQ_INT(MANDEL_EIO, err);
            if (strstr(mandel_errmsg(ctx), strerror(EPIPE)) == NULL)
                fprintf(stderr, "%s: '%s'\n", names[i], mandel_errmsg(ctx));
            CHECK_TRUE(strstr(mandel_errmsg(ctx), strerror(EPIPE)) != NULL);
            CHECK_TRUE(f.len <= f.fail_after);
            free(f.data);
        }
        membuf odd = {.fail_errno = -7};
        CHECK_EQ_INT(MANDEL_EIO, write_stream(ctx, names[i], any, &opts, &odd));
        CHECK_TRUE(strstr(mandel_errmsg(ctx), "writer failed (-7)") != NULL);
        free(odd.data);
        free(m.data);
    }

    /* A big image: its bytes come in chunks of at most 64 KiB, and still match. */
    enum { BW = 1000, BH = 300 };
    uint8_t *const big = malloc((size_t)BW * BH * 3);
    uint32_t seed = 12345; /* noise, so that the PNG stays big too */
    for (size_t i = 0; i < (size_t)BW * BH * 3; i++) {
        seed = seed * 1664525u + 1013904223u;
        big[i] = (uint8_t)(seed >> 24);
    }
    membuf m = {0};
    mandel_image *img = NULL;
    CHECK_EQ_INT(MANDEL_OK, mandel_image_open_stream(ctx, &img, mem_write, &m, MANDEL_FORMAT_PPM,
                                                     BW, BH, NULL));
    for (uint32_t y = 0; y < BH; y += 100)
        CHECK_EQ_INT(MANDEL_OK, mandel_image_write_rows(img, big + (size_t)y * BW * 3, 100));
    CHECK_EQ_INT(MANDEL_OK, mandel_image_close(img));
    CHECK_EQ_INT(16 + (size_t)BW * BH * 3, m.len); /* "P6\n1000 300\n255\n" */
    CHECK_TRUE(memcmp(m.data + 16, big, (size_t)BW * BH * 3) == 0);
    CHECK_TRUE(m.calls >= 3);
    free(m.data);
    /* A failure mid-image: later rows answer the same error, and abort frees it all. */
    membuf f = {.fail_after = 100000, .fail_errno = EPIPE};
    CHECK_EQ_INT(MANDEL_OK, mandel_image_open_stream(ctx, &img, mem_write, &f, MANDEL_FORMAT_PNG,
                                                     BW, BH, NULL));
    int err = MANDEL_OK;
    uint32_t y = 0;
    for (; y < BH && err == MANDEL_OK; y++)
        err = mandel_image_write_rows(img, big + (size_t)y * BW * 3, 1);
    CHECK_EQ_INT(MANDEL_EIO, err);
    CHECK_TRUE(y < BH);
    int const calls = f.calls;
    CHECK_EQ_INT(MANDEL_EIO, mandel_image_write_rows(img, big, 1));
    CHECK_EQ_INT(calls, f.calls);
    mandel_image_abort(img);
    free(f.data);
    free(big);

    CHECK_EQ_INT(MANDEL_EINVAL, mandel_image_open_stream(ctx, &img, NULL, &m, MANDEL_FORMAT_PNG,
                                                         W, H, NULL));
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_image_open_stream(NULL, &img, mem_write, &m,
                                                         MANDEL_FORMAT_PNG, W, H, NULL));
    CHECK_EQ_INT(MANDEL_EFORMAT, mandel_image_open_stream(ctx, &img, mem_write, &m,
                                                          (mandel_format)99, W, H, NULL));
    /* The ctx still works after all that. */
    membuf again = {0};
    CHECK_EQ_INT(MANDEL_OK, write_stream(ctx, "x.ppm", rgb, NULL, &again));
    CHECK_EQ_INT(12 + W * H * 3, again.len);
    free(again.data);
}

/* A comment of MANDEL_COMMENT_MAX bytes is written and read back whole in every format
 * that carries one (JPEG in 17 COM markers, .npy as format 2.0); one byte more is refused
 * before any file appears, and a smaller buffer gets MANDEL_ETOOBIG, never a cut text. */
static void long_comments(mandel_ctx *ctx, const uint8_t *rgb)
{
    char *const text = malloc(MANDEL_COMMENT_MAX + 2);
    char *const back = malloc(MANDEL_COMMENT_MAX + 1);
    for (size_t i = 0; i <= MANDEL_COMMENT_MAX; i++) text[i] = (char)('a' + i % 26);
    text[MANDEL_COMMENT_MAX + 1] = '\0';
    static const char *const names[] = {"long.png", "long.jpg", "long.npy"};
    uint32_t counts[W * H] = {0};
    for (int f = 0; f < 3; f++) {
        const void *const rows = f == 2 ? (const void *)counts : (const void *)rgb;
        mandel_image_options const opts = {.comment = text};
        CHECK_EQ_INT(MANDEL_ETOOBIG, write_image(ctx, names[f], rows, &opts));
        CHECK_TRUE(!exists(path_in_dir(names[f])));
        text[MANDEL_COMMENT_MAX] = '\0';
        CHECK_EQ_INT(MANDEL_OK, write_image(ctx, names[f], rows, &opts));
        CHECK_EQ_INT(MANDEL_OK, mandel_image_comment(ctx, path_in_dir(names[f]), back,
                                                     MANDEL_COMMENT_MAX + 1));
        CHECK_TRUE(strcmp(text, back) == 0);
        CHECK_EQ_INT(MANDEL_ETOOBIG, mandel_image_comment(ctx, path_in_dir(names[f]), back,
                                                          MANDEL_COMMENT_MAX));
        text[MANDEL_COMMENT_MAX] = 'x';
        remove(path_in_dir(names[f]));
    }
    free(text);
    free(back);
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/mandel-test-io-XXXXXX");
    if (mkdtemp(dir) == NULL) return 1;
    uint8_t rgb[W * H * 3];
    for (uint32_t y = 0; y < H; y++)
        for (uint32_t x = 0; x < W; x++)
            for (int ch = 0; ch < 3; ch++) rgb[(y * W + x) * 3 + ch] = pattern(x, y, ch);
    mandel_ctx *const ctx = mandel_ctx_new(NULL);
    png(ctx, rgb);
    jpeg(ctx, rgb);
    pnm(ctx, rgb);
    npy(ctx);
    failures(ctx, rgb);
    streams(ctx, rgb);
    long_comments(ctx, rgb);
    mandel_ctx_free(ctx);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) return 1;
    return check_report("test_io");
}
