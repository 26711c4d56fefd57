/*
 * tests/unit/test_png.c - the parallel PNG writer (src/io/write_png.c) and the pool's
 * generic tasks (sched_parallel): every file decodes with libspng and, chunk by chunk, with
 * zlib alone; its bytes are the same for any thread count and any batching of the rows.
 */
#include <spng.h>
#include <stdatomic.h>
#include <unistd.h>
#include <zlib.h>

#include "../check.h"
#include "mandel.h"
#include "sched.h"

static char dir[64];

static char *path_in_dir(const char *name)
{
    static char buf[256];
    snprintf(buf, sizeof buf, "%s/%s", dir, name);
    return buf;
}

static uint8_t *slurp(const char *path, size_t *len)
{
    FILE *const f = fopen(path, "rb");
    *len = 0;
    if (f == NULL) return NULL;
    fseek(f, 0, SEEK_END);
    *len = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *const data = malloc(*len + 1);
    if (fread(data, 1, *len, f) != *len) *len = 0;
    fclose(f);
    return data;
}

/* A picture like ours: bands of a few colours that repeat (matches that cross chunk
 * boundaries, so a wrong dictionary shows), with noisy stretches that do not. */
static uint8_t *make_pixels(uint32_t w, uint32_t h)
{
    uint8_t *const rgb = malloc((size_t)w * h * 3 + 1);
    uint32_t seed = 12345;
    for (uint32_t y = 0; y < h; y++) {
        for (uint32_t x = 0; x < w; x++) {
            uint8_t *const p = rgb + ((size_t)y * w + x) * 3;
            seed = seed * 1103515245u + 12345u;
            bool const noisy = (y / 16 + x / 64) % 5 == 0;
            uint32_t const band = (x + y / 3) / 37 % 7;
            for (int c = 0; c < 3; c++)
                p[c] = noisy ? (uint8_t)(seed >> (8 + 8 * c)) : (uint8_t)(band * 40 + c * 70);
        }
    }
    return rgb;
}

/* Writes the picture on `threads` threads, handing the writer rows in batches of the given
 * sizes (cycled). Returns the file's bytes. */
static uint8_t *png_file(const uint8_t *rgb, uint32_t w, uint32_t h, uint32_t threads,
                          const uint32_t *batches, size_t n_batches, const char *comment,
                          size_t *len)
{
    mandel_ctx *const ctx = mandel_ctx_new(NULL);
    CHECK_EQ_INT(MANDEL_OK, mandel_ctx_set(ctx, MANDEL_OPT_THREADS, threads));
    mandel_image_options const opts = {.comment = comment};
    mandel_image *img = NULL;
    const char *const path = path_in_dir("t.png");
    CHECK_EQ_INT(MANDEL_OK, mandel_image_open(ctx, &img, path, MANDEL_FORMAT_PNG, w, h, &opts));
    uint32_t y = 0;
    for (size_t b = 0; y < h; b++) {
        uint32_t n = batches[b % n_batches];
        if (n > h - y) n = h - y;
        CHECK_EQ_INT(MANDEL_OK, mandel_image_write_rows(img, rgb + (size_t)y * w * 3, n));
        y += n;
    }
    CHECK_EQ_INT(MANDEL_OK, mandel_image_close(img));
    mandel_ctx_free(ctx);
    uint8_t *const data = slurp(path, len);
    unlink(path);
    return data;
}

static uint32_t get_u32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Decodes with libspng: the pixels and, if given, the comment. */
static void check_spng(const uint8_t *data, size_t len, const uint8_t *rgb, uint32_t w,
                       uint32_t h, const char *comment)
{
    spng_ctx *const dec = spng_ctx_new(0);
    spng_set_png_buffer(dec, data, len);
    struct spng_ihdr ihdr;
    CHECK_EQ_INT(0, spng_get_ihdr(dec, &ihdr));
    CHECK_EQ_U32(w, ihdr.width);
    CHECK_EQ_U32(h, ihdr.height);
    size_t size = 0;
    CHECK_EQ_INT(0, spng_decoded_image_size(dec, SPNG_FMT_RGB8, &size));
    CHECK_EQ_INT((size_t)w * h * 3, size);
    uint8_t *const out = malloc(size + 1);
    CHECK_EQ_INT(0, spng_decode_image(dec, out, size, SPNG_FMT_RGB8, 0));
    CHECK_TRUE(memcmp(out, rgb, size) == 0);
    if (comment != NULL) {
        uint32_t n_text = 0;
        CHECK_EQ_INT(0, spng_get_text(dec, NULL, &n_text));
        CHECK_EQ_U32(1, n_text);
        struct spng_text text;
        CHECK_EQ_INT(0, spng_get_text(dec, &text, &n_text));
        CHECK_TRUE(strcmp(text.keyword, "Comment") == 0);
        CHECK_TRUE(strcmp(text.text, comment) == 0);
    }
    free(out);
    spng_ctx_free(dec);
}

/* Decodes without libspng: the signature, each chunk's CRC and order, and the IDATs as one
 * zlib stream (inflate checks the Adler-32) that ends exactly at the last IDAT's end and
 * holds every row's scanline. */
static void check_zlib(const uint8_t *data, size_t len, const uint8_t *rgb, uint32_t w, uint32_t h)
{
    static const uint8_t signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    CHECK_TRUE(len > 8 && memcmp(data, signature, 8) == 0);
    size_t const line = (size_t)w * 3 + 1;
    uint8_t *const lines = malloc(line * h + 1);
    z_stream z = {0};
    CHECK_EQ_INT(Z_OK, inflateInit(&z));
    z.next_out = lines;
    z.avail_out = (uInt)(line * h + 1);
    int zerr = Z_OK;
    bool iend = false;
    int n_idat = 0;
    for (size_t p = 8; p < len && !iend;) {
        CHECK_TRUE(p + 12 <= len);
        uint32_t const n = get_u32(data + p);
        CHECK_TRUE(p + 12 + n <= len);
        if (p + 12 + n > len) break;
        const uint8_t *const type = data + p + 4;
        CHECK_EQ_U32((uint32_t)crc32(0, type, 4 + n), get_u32(data + p + 8 + n));
        if (p == 8) CHECK_TRUE(memcmp(type, "IHDR", 4) == 0);
        if (memcmp(type, "IDAT", 4) == 0) {
            CHECK_EQ_INT(Z_OK, zerr); /* nothing after the stream's end */
            z.next_in = (uint8_t *)type + 4;
            z.avail_in = n;
            zerr = inflate(&z, Z_NO_FLUSH);
            CHECK_TRUE(zerr == Z_OK || zerr == Z_STREAM_END);
            CHECK_EQ_U32(0, z.avail_in);
            n_idat++;
        }
        iend = memcmp(type, "IEND", 4) == 0;
        if (iend) CHECK_EQ_INT(len, p + 12 + n);
        p += 12 + n;
    }
    CHECK_TRUE(iend);
    CHECK_EQ_INT(Z_STREAM_END, zerr);
    CHECK_EQ_INT(line * h, z.total_out);
    CHECK_TRUE(n_idat >= 1);
    /* Filter None while the row above is in deflate's 32 KiB window, else Up. */
    uint8_t const filter = line <= 32768 ? 0 : 2;
    bool rows_ok = z.total_out == line * h;
    for (uint32_t y = 0; rows_ok && y < h; y++) {
        rows_ok = lines[y * line] == filter;
        for (size_t i = 0; rows_ok && i < line - 1; i++) {
            uint8_t const above = filter == 2 && y > 0 ? rgb[(size_t)(y - 1) * w * 3 + i] : 0;
            rows_ok = (uint8_t)(lines[y * line + 1 + i] + above) == rgb[(size_t)y * w * 3 + i];
        }
    }
    CHECK_TRUE(rows_ok);
    inflateEnd(&z);
    free(lines);
}

/* Many chunks, every batching and thread count: one file, byte for byte. With filter None
 * (1000-pixel rows: 44 a chunk, 16 chunks) and Up (12000: 4 a chunk, 25 chunks). */
static void same_bytes_any_threads(uint32_t w, uint32_t h)
{
    uint8_t *const rgb = make_pixels(w, h);
    const char *const comment = "mandel render -s 1000x700 -o 'a b.png'";
    uint32_t const all[] = {h};
    size_t ref_len;
    uint8_t *const ref = png_file(rgb, w, h, 1, all, 1, comment, &ref_len);
    check_spng(ref, ref_len, rgb, w, h, comment);
    check_zlib(ref, ref_len, rgb, w, h);

    static const uint32_t odd[] = {1, 7, 43, 45, 100, 3};
    static const uint32_t chunked[] = {44};
    static const uint32_t band[] = {273};
    static const uint32_t threads[] = {1, 2, 3, 8};
    for (size_t t = 0; t < sizeof threads / sizeof threads[0]; t++) {
        const uint32_t *const batchings[] = {all, odd, chunked, band};
        size_t const counts[] = {1, 6, 1, 1};
        for (size_t b = 0; b < 4; b++) {
            size_t len;
            uint8_t *const data =
                png_file(rgb, w, h, threads[t], batchings[b], counts[b], comment, &len);
            CHECK_EQ_INT(ref_len, len);
            CHECK_TRUE(len == ref_len && memcmp(data, ref, len) == 0);
            free(data);
        }
    }
    free(ref);
    free(rgb);
}

/* Shapes at the edges of the chunking and of the filter choice: one pixel; a row longer
 * than a chunk (one row a chunk, filter Up); rows just inside and outside deflate's window
 * (None, Up); fewer rows than a chunk; a narrow image (many rows a chunk); no comment. */
static void shapes(void)
{
    static const struct { uint32_t w, h; } sizes[] = {
        {1, 1}, {50000, 5}, {10922, 40}, {10923, 40}, {3, 2}, {10, 30000}, {700, 100},
    };
    static const uint32_t batch[] = {1, 2, 5000};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        uint32_t const w = sizes[i].w, h = sizes[i].h;
        uint8_t *const rgb = make_pixels(w, h);
        for (uint32_t threads = 1; threads <= 2; threads++) {
            size_t len;
            uint8_t *const data = png_file(rgb, w, h, threads, batch, 3, NULL, &len);
            check_spng(data, len, rgb, w, h, NULL);
            check_zlib(data, len, rgb, w, h);
            free(data);
        }
        free(rgb);
    }
}

/* The comment is what mandel_image_comment() reads back (the CLI's --from uses it). */
static void comment_read_back(void)
{
    uint32_t const w = 300, h = 200;
    uint8_t *const rgb = make_pixels(w, h);
    mandel_ctx *const ctx = mandel_ctx_new(NULL);
    mandel_image_options const opts = {.comment = "mandel render -c 0,1 -z 1e60"};
    mandel_image *img = NULL;
    const char *const path = path_in_dir("c.png");
    CHECK_EQ_INT(MANDEL_OK, mandel_image_open(ctx, &img, path, MANDEL_FORMAT_PNG, w, h, &opts));
    CHECK_EQ_INT(MANDEL_OK, mandel_image_write_rows(img, rgb, h));
    CHECK_EQ_INT(MANDEL_OK, mandel_image_close(img));
    char buf[128];
    CHECK_EQ_INT(MANDEL_OK, mandel_image_comment(ctx, path, buf, sizeof buf));
    CHECK_TRUE(strcmp(buf, opts.comment) == 0);
    unlink(path);
    mandel_ctx_free(ctx);
    free(rgb);
}

typedef struct tasks_seen {
    atomic_int runs[1000];
    atomic_int bad_worker;
    uint32_t threads;
    atomic_int worker_busy[8];
} tasks_seen;

static void note_task(void *user, uint32_t task, uint32_t worker)
{
    tasks_seen *const s = user;
    if (worker >= s->threads) {
        atomic_fetch_add(&s->bad_worker, 1);
        return;
    }
    /* A worker runs one task at a time: per-worker state needs no lock. */
    if (atomic_fetch_add(&s->worker_busy[worker], 1) != 0) atomic_fetch_add(&s->bad_worker, 1);
    atomic_fetch_add(&s->runs[task], 1);
    atomic_fetch_sub(&s->worker_busy[worker], 1);
}

/* Every task runs once, on a worker numbered below the thread count, also after renders
 * and on a pool bigger than the job. */
static void parallel_tasks(void)
{
    mandel_ctx *const ctx = mandel_ctx_new(NULL);
    CHECK_EQ_INT(MANDEL_OK, mandel_ctx_set(ctx, MANDEL_OPT_THREADS, 4));
    uint32_t n;
    CHECK_EQ_INT(MANDEL_OK, ctx_pool(ctx, &n));
    CHECK_EQ_U32(4, n);
    static tasks_seen seen;
    for (uint32_t threads = 1; threads <= 6; threads++) {
        for (uint32_t n_tasks = 0; n_tasks <= 1000; n_tasks += 333) {
            memset(&seen, 0, sizeof seen);
            seen.threads = threads < 4 ? threads : 4;
            sched_parallel(ctx->pool, threads, n_tasks, note_task, &seen);
            int once = 0;
            for (uint32_t t = 0; t < n_tasks; t++) once += atomic_load(&seen.runs[t]) == 1;
            CHECK_EQ_INT(n_tasks, once);
            CHECK_EQ_INT(0, atomic_load(&seen.bad_worker));
        }
    }
    mandel_ctx_free(ctx);
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/mandel-test-png-XXXXXX");
    if (mkdtemp(dir) == NULL) return 1;
    parallel_tasks();
    same_bytes_any_threads(1000, 700);
    same_bytes_any_threads(12000, 100);
    shapes();
    comment_read_back();
    rmdir(dir);
    return check_report("test_png");
}
