/*
 * io/write_png.c - 8-bit RGB PNG, its deflate stream compressed on every core.
 *
 * The image's scanlines (a filter byte, then the row) are cut into chunks of whole rows,
 * CHUNK_BYTES or a little more each, counted from the top: where a chunk ends depends only on
 * the image's width and height, never on the thread count or on how the caller batches its
 * rows. Complete chunks are deflated in parallel on the ctx's thread pool, as pigz does:
 * each is a raw deflate stream primed with the 32 KiB of scanlines before it
 * (deflateSetDictionary) and ended with Z_SYNC_FLUSH, so that it stops on a byte boundary;
 * the image's last chunk ends with Z_FINISH. Laid end to end, the chunks are one deflate
 * stream, which this file wraps in zlib's header and trailer: the trailer's Adler-32 is the
 * chunks' own, joined in order with adler32_combine(). Each chunk becomes one IDAT.
 *
 * libspng cannot take data compressed elsewhere, so this file writes the PNG container
 * itself (signature, IHDR, tEXt "Comment", IDATs, IEND, each chunk with zlib's CRC-32);
 * tests decode the result with libspng and with zlib.
 *
 * Every row has the same filter: None while the row above is within deflate's 32 KiB
 * window, else Up. Our pictures are made of a palette's colours, whose byte triples repeat
 * exactly, in the row and in the rows above; the other filters turn them into differences
 * that repeat less. Measured on the default view and the tutorial's (docs/design.md): None
 * with zlib's level 6 makes files 11-20% smaller than libspng's adaptive filters did, and
 * deflates them three times as fast. Beyond the window, Up brings the row above back.
 *
 * Invariant: the file's bytes depend only on the pixels and the comment.
 * Memory: a batch of CHUNKS_PER_THREAD chunks a thread (input and output), one z_stream and
 * one chunk of scanlines a thread, the rows of one unfinished chunk and the few rows above
 * the batch (the tail); never the image.
 */
#include "io/image_io.h"

#include <assert.h>
#include <string.h>
#include <zlib.h>

#include "sched.h"

#define CHUNK_BYTES (128u << 10)  /* pigz's default block: the dictionary costs little */
#define WINDOW 32768u             /* deflate's window: what a chunk may refer back to */
#define CHUNKS_PER_THREAD 4       /* a batch: enough tasks that no core waits for long */
#define LEVEL 6                   /* as before; 4 is barely faster with None, 24% larger */
/* The longest scanline we take: a chunk is deflated in one call, whose sizes are uInt. */
#define MAX_LINE_BYTES (1u << 30)

/* One chunk of the current batch. */
typedef struct chunk {
    const uint8_t *rows;    /* its rows, contiguous (the caller's, or the carry) */
    uint32_t y, n_rows;     /* its first row in the image, and how many */
    bool last;              /* the image's last chunk: Z_FINISH */
    uint8_t *out;           /* out_cap bytes, the compressed chunk */
    size_t out_len;
    size_t in_len;          /* bytes of scanlines */
    uLong adler;            /* their Adler-32 */
    int zerr;               /* Z_OK, or what deflate said */
} chunk;

/* What one thread of the pool uses while it compresses a chunk. */
typedef struct worker {
    z_stream z;
    bool ready;             /* deflateInit2 succeeded */
    uint8_t *lines;         /* one chunk of scanlines */
} worker;

typedef struct png_state {
    mandel_ctx *ctx;
    size_t row_bytes, line_bytes;
    uint8_t filter;         /* of every row: 0 None or 2 Up (png_begin says why) */
    uint32_t chunk_rows;    /* rows a chunk (the last may have fewer) */
    uint32_t n_workers;
    worker *workers;
    uint32_t batch_cap, n_chunks;
    chunk *chunks;
    size_t out_cap;
    uint32_t batch_y;       /* the batch's first row: every row above is written */
    uint8_t *carry;         /* rows of the unfinished chunk, from earlier calls */
    uint32_t carry_rows;
    uLong adler;            /* of all scanlines written so far */
    /* The rows just above the batch, which the caller may no longer hold: those whose
     * scanlines make the next chunk's dictionary, and the row above them. */
    uint32_t tail_cap, tail_rows;
    uint8_t *tail, *tail_spare;
    int err;                /* the first failure of png_rows(), answered from then on */
} png_state;

static void put_u32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* Writes one PNG chunk whose data is the concatenation of up to three pieces. */
static int put_chunk(mandel_image *img, const char type[4], const uint8_t *a, size_t a_len,
                     const uint8_t *b, size_t b_len, const uint8_t *c, size_t c_len)
{
    size_t const len = a_len + b_len + c_len;
    FAIL_IF(img->ctx, len > 0x7fffffffu, MANDEL_ETOOBIG,
            "a PNG chunk of %zu bytes is too long", len);
    uint8_t head[8];
    put_u32(head, (uint32_t)len);
    memcpy(head + 4, type, 4);
    uLong crc = crc32_z(0, head + 4, 4);
    if (a_len) crc = crc32_z(crc, a, a_len);
    if (b_len) crc = crc32_z(crc, b, b_len);
    if (c_len) crc = crc32_z(crc, c, c_len);
    uint8_t tail[4];
    put_u32(tail, (uint32_t)crc);
    CHECK(image_put(img, head, sizeof head));
    if (a_len) CHECK(image_put(img, a, a_len));
    if (b_len) CHECK(image_put(img, b, b_len));
    if (c_len) CHECK(image_put(img, c, c_len));
    return image_put(img, tail, sizeof tail);
}

/* Raw row y: in the batch, or (above it) in the tail. */
static const uint8_t *row_at(const png_state *s, uint32_t y)
{
    if (y >= s->batch_y) {
        for (uint32_t t = s->n_chunks; t-- > 0;) {
            const chunk *const c = &s->chunks[t];
            if (y >= c->y) return c->rows + (size_t)(y - c->y) * s->row_bytes;
        }
    }
    assert(y < s->batch_y && s->batch_y - y <= s->tail_rows);
    return s->tail + (size_t)(s->tail_rows - (s->batch_y - y)) * s->row_bytes;
}

/* Writes row y's scanline to `line`: the filter byte, then the filtered bytes. */
static void put_line(const png_state *s, uint8_t *line, const uint8_t *row, uint32_t y)
{
    line[0] = s->filter;
    if (s->filter == 0 || y == 0) {
        memcpy(line + 1, row, s->row_bytes);
        return;
    }
    const uint8_t *const above = row_at(s, y - 1);
    for (size_t i = 0; i < s->row_bytes; i++) line[1 + i] = (uint8_t)(row[i] - above[i]);
}

/* Rows before a chunk whose scanlines cover deflate's window. */
static uint32_t window_rows(const png_state *s)
{
    return (uint32_t)((WINDOW + s->line_bytes - 1) / s->line_bytes);
}

/* A sched_task_fn: deflates chunk t of the batch with worker w's stream. */
static void compress_chunk(void *user, uint32_t t, uint32_t w)
{
    const png_state *const s = user;
    chunk *const c = &s->chunks[t];
    worker *const wk = &s->workers[w];
    z_stream *const z = &wk->z;
    int e = deflateReset(z);
    /* The dictionary: the stream's last WINDOW bytes before this chunk, made again from the
     * rows (whose scanlines another worker may be making now). deflate copies it into its
     * window, so `lines` is free again at once. */
    uint32_t const k = c->y < window_rows(s) ? c->y : window_rows(s);
    if (e == Z_OK && k > 0) {
        for (uint32_t i = 0; i < k; i++) {
            uint32_t const y = c->y - k + i;
            put_line(s, wk->lines + i * s->line_bytes, row_at(s, y), y);
        }
        size_t const n = k * s->line_bytes;
        size_t const use = n < WINDOW ? n : WINDOW;
        e = deflateSetDictionary(z, wk->lines + n - use, (uInt)use);
    }
    for (uint32_t r = 0; r < c->n_rows; r++)
        put_line(s, wk->lines + r * s->line_bytes, c->rows + r * s->row_bytes, c->y + r);
    c->in_len = c->n_rows * s->line_bytes;
    c->adler = adler32_z(adler32_z(0, NULL, 0), wk->lines, c->in_len);
    if (e == Z_OK) {
        z->next_in = wk->lines;
        z->avail_in = (uInt)c->in_len;
        z->next_out = c->out;
        z->avail_out = (uInt)s->out_cap;
        e = deflate(z, c->last ? Z_FINISH : Z_SYNC_FLUSH);
        /* out_cap is deflateBound's and more: one call takes all the input. */
        if (c->last ? e == Z_STREAM_END : e == Z_OK && z->avail_in == 0 && z->avail_out > 0)
            e = Z_OK;
        else if (e == Z_OK || e == Z_STREAM_END)
            e = Z_BUF_ERROR;
    }
    c->out_len = s->out_cap - z->avail_out;
    c->zerr = e;
}

/* Compresses the batch's chunks on the pool and writes them, in order, as IDAT chunks. */
static int flush_batch(mandel_image *img)
{
    png_state *const s = img->state;
    if (s->n_chunks == 0) return MANDEL_OK;
    uint32_t threads;
    CHECK(ctx_pool(img->ctx, &threads));
    if (threads > s->n_workers) threads = s->n_workers;
    sched_parallel(img->ctx->pool, threads, s->n_chunks, compress_chunk, s);

    for (uint32_t t = 0; t < s->n_chunks; t++) {
        const chunk *const c = &s->chunks[t];
        if (c->zerr != Z_OK) {
            char name[4200];
            return ctx_fail(img->ctx, MANDEL_EIO, "cannot write %s: deflate: %s",
                            image_name(img, name, sizeof name), zError(c->zerr));
        }
        /* zlib's header before the first chunk: deflate, 32 KiB window, level 6's flags. */
        static const uint8_t header[2] = {0x78, 0x9c};
        s->adler = adler32_combine(s->adler, c->adler, (z_off_t)c->in_len);
        uint8_t trailer[4];
        put_u32(trailer, (uint32_t)s->adler);
        CHECK(put_chunk(img, "IDAT", header, c->y == 0 ? 2 : 0, c->out, c->out_len, trailer,
                        c->last ? 4 : 0));
    }

    /* The new tail: the last rows so far, copied while row_at() still finds them. */
    const chunk *const last = &s->chunks[s->n_chunks - 1];
    uint32_t const end = last->y + last->n_rows;
    uint32_t const keep = end < s->tail_cap ? end : s->tail_cap;
    for (uint32_t i = 0; i < keep; i++)
        memcpy(s->tail_spare + (size_t)i * s->row_bytes, row_at(s, end - keep + i),
               s->row_bytes);
    uint8_t *const old = s->tail;
    s->tail = s->tail_spare;
    s->tail_spare = old;
    s->tail_rows = keep;
    s->batch_y = end;
    s->n_chunks = 0;
    return MANDEL_OK;
}

/* Rows in the chunk that starts at row y. */
static uint32_t chunk_len(const mandel_image *img, const png_state *s, uint32_t y)
{
    return img->height - y < s->chunk_rows ? img->height - y : s->chunk_rows;
}

/* Adds the complete chunk of n rows from row y to the batch, flushing a full batch first. */
static int add_chunk(mandel_image *img, const uint8_t *rows, uint32_t y, uint32_t n)
{
    png_state *const s = img->state;
    if (s->n_chunks == s->batch_cap) CHECK(flush_batch(img));
    assert(y == (s->n_chunks > 0 ? s->chunks[s->n_chunks - 1].y + s->chunks[s->n_chunks - 1].n_rows
                                 : s->batch_y));
    chunk *const c = &s->chunks[s->n_chunks++];
    c->rows = rows;
    c->y = y;
    c->n_rows = n;
    c->last = y + n == img->height;
    return MANDEL_OK;
}

static voidpf z_alloc(voidpf opaque, uInt items, uInt size)
{
    return ctx_alloc(opaque, (size_t)items * size);
}

static void z_free(voidpf opaque, voidpf ptr) { ctx_free(opaque, ptr); }

static int png_begin(mandel_image *img)
{
    mandel_ctx *const ctx = img->ctx;
    size_t const row_bytes = (size_t)img->width * 3;
    FAIL_IF(ctx, row_bytes + 1 > MAX_LINE_BYTES, MANDEL_ETOOBIG,
            "PNG rows are at most %u pixels wide, not %u", (MAX_LINE_BYTES - 1) / 3,
            img->width);
    size_t const comment_len = img->comment != NULL ? strlen(img->comment) : 0;
    FAIL_IF(ctx, comment_len > 0x7fffffffu - 8, MANDEL_ETOOBIG,
            "a PNG comment is at most 2^31-9 bytes");
    uint32_t threads;
    CHECK(ctx_pool(ctx, &threads));

    png_state *const s = ctx_alloc(ctx, sizeof *s);
    FAIL_IF(ctx, s == NULL, MANDEL_ENOMEM, "out of memory for a PNG encoder");
    memset(s, 0, sizeof *s);
    img->state = s;
    s->ctx = ctx;
    s->row_bytes = row_bytes;
    s->line_bytes = row_bytes + 1;
    /* None while the row above is within deflate's reach (the window), so that deflate
     * finds the repeats between rows itself; beyond, Up hands it the differences instead:
     * measured, None made a 20000x20000 picture 50% larger than Up did. */
    s->filter = s->line_bytes <= WINDOW ? 0 : 2;
    size_t const per_chunk = (CHUNK_BYTES + s->line_bytes - 1) / s->line_bytes;
    s->chunk_rows = per_chunk < img->height ? (uint32_t)per_chunk : img->height;
    size_t const chunk_bytes = s->chunk_rows * s->line_bytes;
    s->n_workers = threads;
    s->batch_cap = CHUNKS_PER_THREAD * threads;
    s->adler = adler32_z(0, NULL, 0);
    /* deflateBound is for a stream ended by Z_FINISH; a sync flush adds an empty stored
     * block (5 bytes) and the bits pending before it. */
    z_stream probe = {.zalloc = z_alloc, .zfree = z_free, .opaque = ctx};
    bool const probe_ok =
        deflateInit2(&probe, LEVEL, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) == Z_OK;
    if (probe_ok) {
        s->out_cap = deflateBound(&probe, (uLong)chunk_bytes) + 16;
        deflateEnd(&probe);
    }
    FAIL_IF(ctx, !probe_ok, MANDEL_ENOMEM, "out of memory for a PNG encoder");

    /* Each array zeroed as soon as it exists: png_destroy() frees what it points to. */
    s->workers = ctx_alloc(ctx, threads * sizeof *s->workers);
    if (s->workers != NULL) memset(s->workers, 0, threads * sizeof *s->workers);
    s->chunks = ctx_alloc(ctx, s->batch_cap * sizeof *s->chunks);
    if (s->chunks != NULL) memset(s->chunks, 0, s->batch_cap * sizeof *s->chunks);
    s->carry = ctx_alloc(ctx, s->chunk_rows * row_bytes);
    s->tail_cap = window_rows(s) + 1;
    s->tail = ctx_alloc(ctx, s->tail_cap * row_bytes);
    s->tail_spare = ctx_alloc(ctx, s->tail_cap * row_bytes);
    FAIL_IF(ctx, s->workers == NULL || s->chunks == NULL || s->carry == NULL ||
                     s->tail == NULL || s->tail_spare == NULL,
            MANDEL_ENOMEM, "out of memory for a PNG encoder");
    for (uint32_t t = 0; t < s->batch_cap; t++) {
        s->chunks[t].out = ctx_alloc(ctx, s->out_cap);
        FAIL_IF(ctx, s->chunks[t].out == NULL, MANDEL_ENOMEM,
                "out of memory for %zu bytes of compressed PNG", s->out_cap);
    }
    for (uint32_t w = 0; w < threads; w++) {
        worker *const wk = &s->workers[w];
        wk->lines = ctx_alloc(ctx, chunk_bytes);
        wk->z = (z_stream){.zalloc = z_alloc, .zfree = z_free, .opaque = ctx};
        wk->ready = wk->lines != NULL &&
                    deflateInit2(&wk->z, LEVEL, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) == Z_OK;
        FAIL_IF(ctx, !wk->ready, MANDEL_ENOMEM, "out of memory for a PNG encoder");
    }

    static const uint8_t signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    CHECK(image_put(img, signature, sizeof signature));
    uint8_t ihdr[13];
    put_u32(ihdr, img->width);
    put_u32(ihdr + 4, img->height);
    ihdr[8] = 8;   /* bits a sample */
    ihdr[9] = 2;   /* truecolour: RGB */
    ihdr[10] = 0;  /* deflate */
    ihdr[11] = 0;  /* the five filter types */
    ihdr[12] = 0;  /* not interlaced */
    CHECK(put_chunk(img, "IHDR", ihdr, sizeof ihdr, NULL, 0, NULL, 0));
    if (img->comment != NULL)
        CHECK(put_chunk(img, "tEXt", (const uint8_t *)"Comment", 8, (const uint8_t *)img->comment,
                        comment_len, NULL, 0));
    return MANDEL_OK;
}

static int take_rows(mandel_image *img, const void *rows, uint32_t n_rows)
{
    png_state *const s = img->state;
    const uint8_t *src = rows;
    uint32_t y = img->rows_written;             /* the row of src */
    uint32_t const start = y - s->carry_rows;   /* the unfinished chunk's first row */
    /* Rows that complete no chunk wait in the carry, and so do those that complete the
     * chunk begun in an earlier call. */
    if (s->carry_rows > 0 || n_rows < chunk_len(img, s, y)) {
        uint32_t const len = chunk_len(img, s, start);
        uint32_t const take = len - s->carry_rows < n_rows ? len - s->carry_rows : n_rows;
        memcpy(s->carry + s->carry_rows * s->row_bytes, src, take * s->row_bytes);
        s->carry_rows += take;
        src += take * s->row_bytes;
        y += take;
        n_rows -= take;
        if (s->carry_rows < len) return MANDEL_OK;
        CHECK(add_chunk(img, s->carry, start, len));
    }
    /* Then whole chunks straight from the caller's rows. */
    while (n_rows > 0 && n_rows >= chunk_len(img, s, y)) {
        uint32_t const len = chunk_len(img, s, y);
        CHECK(add_chunk(img, src, y, len));
        src += len * s->row_bytes;
        y += len;
        n_rows -= len;
    }
    /* The caller's rows are gone after this call: compress what refers to them. */
    CHECK(flush_batch(img));
    s->carry_rows = 0;
    if (n_rows > 0) {
        memcpy(s->carry, src, n_rows * s->row_bytes);
        s->carry_rows = n_rows;
    }
    return MANDEL_OK;
}

/* After a failure the batch may point at rows the caller no longer holds: every later call
 * answers the first failure. */
static int png_rows(mandel_image *img, const void *rows, uint32_t n_rows)
{
    png_state *const s = img->state;
    if (s->err == MANDEL_OK) s->err = take_rows(img, rows, n_rows);
    return s->err;
}

static int png_end(mandel_image *img)
{
    png_state *const s = img->state;
    CHECK(s->err);
    if (s->batch_y != img->height)
        return ctx_fail(img->ctx, MANDEL_EINVAL, "PNG closed after %u of %u rows", s->batch_y,
                        img->height);
    return put_chunk(img, "IEND", NULL, 0, NULL, 0, NULL, 0);
}

static void png_destroy(mandel_image *img)
{
    png_state *const s = img->state;
    if (s == NULL) return;
    mandel_ctx *const ctx = s->ctx;
    if (s->workers != NULL) {
        for (uint32_t w = 0; w < s->n_workers; w++) {
            if (s->workers[w].ready) deflateEnd(&s->workers[w].z);
            ctx_free(ctx, s->workers[w].lines);
        }
    }
    if (s->chunks != NULL)
        for (uint32_t t = 0; t < s->batch_cap; t++) ctx_free(ctx, s->chunks[t].out);
    ctx_free(ctx, s->workers);
    ctx_free(ctx, s->chunks);
    ctx_free(ctx, s->carry);
    ctx_free(ctx, s->tail);
    ctx_free(ctx, s->tail_spare);
    ctx_free(ctx, s);
    img->state = NULL;
}

const image_writer write_png = {png_begin, png_rows, png_end, png_destroy};
