/*
 * server/tiles.c - the render queue of `mandel serve`: a fixed set of render threads, each
 * with its own mandel_ctx, all on one library worker pool (mandel_pool: --threads workers
 * in all, not per render); one server-wide cache of anchor views, so every tile of a view,
 * on any render thread, is a tile view (mandel_view_new_tile) of the same anchor and shares
 * its reference orbit and BLA tables; a bounded queue of jobs; a bounded cache of finished
 * tiles.
 *
 * Invariants: HTTP threads never iterate, they only submit and wait (and read an anchor's
 * progress); at most `queue` jobs wait and at most `renderers` run, so a flood of requests
 * costs 503s, not memory; a job whose client went away is cancelled (skipped if still
 * queued, stopped through the progress callback if running); the tile cache never holds
 * more than cache_bytes of tiles; at most `views` anchors are cached, and an evicted one
 * lives on only while tiles of it render (the library counts references), so at most
 * views + renderers anchors' deep states exist at once.
 */
#include "server.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mandel.h"

struct serve_job {
    serve_query q;
    atomic_bool cancel;
    bool queued;               /* still in the queue, not yet taken by a renderer */
    bool done;
    int refs;                  /* the waiting HTTP thread, and the queue or a renderer */
    int status;
    char *body;
    size_t len;
    const char *type;
    char *key;                 /* tiles: the cache key */
    serve_job *next;
};

typedef struct cached_view {
    char *key;
    mandel_view *view;
    uint64_t used;
    uint32_t iterations;
    atomic_uint_fast64_t tiles_done;  /* tiles of this anchor rendered */
    double period[2];                 /* coloured tiles: the lattice's period of counts [0]
                                       * and smooth values [1]; NaN until computed */
} cached_view;

typedef struct cached_tile {
    char *key;
    uint64_t hash;
    void *body;
    size_t len;
    const char *type;                /* its content type */
    atomic_uint refs;                /* the cache's, and each response sending it */
    struct cached_tile *prev, *next; /* most recently used first */
} cached_tile;

static struct {
    serve_config cfg;
    pthread_mutex_t lock;
    pthread_cond_t work, finished;
    serve_job *head, *tail;
    uint32_t waiting;
    bool stop;
    pthread_t *threads;
    uint32_t n_threads;
    /* the tile cache, under its own lock: HTTP threads read it */
    pthread_mutex_t cache_lock;
    cached_tile *first, *last;
    uint64_t cache_used;
    /* the anchors, server-wide, under their own lock (cfg.views slots) */
    pthread_mutex_t views_lock;
    cached_view *views;
    uint64_t views_clock;
    mandel_ctx *views_ctx;     /* makes the anchors (their memory's allocator) */
    mandel_pool *pool;         /* every render's workers */
} q = {.lock = PTHREAD_MUTEX_INITIALIZER, .work = PTHREAD_COND_INITIALIZER,
       .finished = PTHREAD_COND_INITIALIZER, .cache_lock = PTHREAD_MUTEX_INITIALIZER,
       .views_lock = PTHREAD_MUTEX_INITIALIZER};

static void job_free(serve_job *job)
{
    query_free(&job->q);
    free(job->body);
    free(job->key);
    free(job);
}

static void answer(serve_job *job, int status, const char *type, char *body, size_t len)
{
    free(job->body);
    job->status = status;
    job->type = type;
    job->body = body;
    job->len = len;
}

/* A JSON error body {"error": "..."}, the text escaped. */
static void answer_error(serve_job *job, int status, const char *fmt, const char *a,
                         const char *b)
{
    char text[SERVE_ERROR_LEN];
    snprintf(text, sizeof text, fmt, a, b);
    char *const body = malloc(2 * sizeof text + 32);
    if (body == NULL) {
        answer(job, 500, "application/json", NULL, 0);
        return;
    }
    size_t n = (size_t)sprintf(body, "{\"error\": \"");
    for (const char *s = text; *s != '\0'; s++) {
        unsigned char const c = (unsigned char)*s;
        if (c == '"' || c == '\\') body[n++] = '\\', body[n++] = (char)c;
        else if (c < 0x20 || c >= 0x7f) body[n++] = '?';
        else body[n++] = (char)c;
    }
    n += (size_t)sprintf(body + n, "\"}\n");
    answer(job, status, "application/json", body, n);
}

/* ---- the tile cache ------------------------------------------------------------------ */

static void cache_unlink(cached_tile *t)
{
    if (t->prev) t->prev->next = t->next; else q.first = t->next;
    if (t->next) t->next->prev = t->prev; else q.last = t->prev;
}

static void cache_push_front(cached_tile *t)
{
    t->prev = NULL;
    t->next = q.first;
    if (q.first) q.first->prev = t; else q.last = t;
    q.first = t;
}

static cached_tile *cache_lookup(const char *key)
{
    uint64_t const hash = query_hash(key);
    for (cached_tile *t = q.first; t != NULL; t = t->next)
        if (t->hash == hash && strcmp(t->key, key) == 0) return t;
    return NULL;
}

static void tile_unref(cached_tile *t)
{
    if (atomic_fetch_sub(&t->refs, 1) != 1) return;
    free(t->key);
    free(t->body);
    free(t);
}

void *tiles_cached(const char *key, const void **body, size_t *len, const char **type)
{
    pthread_mutex_lock(&q.cache_lock);
    cached_tile *const t = cache_lookup(key);
    if (t != NULL) {
        atomic_fetch_add(&t->refs, 1);
        *body = t->body;
        *len = t->len;
        *type = t->type;
        cache_unlink(t);
        cache_push_front(t);
    }
    pthread_mutex_unlock(&q.cache_lock);
    return t;
}

void tiles_cached_release(void *handle) { tile_unref(handle); }

static void cache_put(const char *key, const void *body, size_t len, const char *type)
{
    if (len > q.cfg.cache_bytes) return;
    cached_tile *const t = calloc(1, sizeof *t);
    if (t == NULL) return;
    t->key = strdup(key);
    t->body = malloc(len);
    if (t->key == NULL || t->body == NULL) {
        free(t->key);
        free(t->body);
        free(t);
        return;
    }
    memcpy(t->body, body, len);
    t->len = len;
    t->type = type;
    t->hash = query_hash(key);
    atomic_init(&t->refs, 1);
    pthread_mutex_lock(&q.cache_lock);
    if (cache_lookup(key) == NULL) {
        cache_push_front(t);
        q.cache_used += len;
        while (q.cache_used > q.cfg.cache_bytes && q.last != NULL) {
            cached_tile *const old = q.last;
            cache_unlink(old);
            q.cache_used -= old->len;
            tile_unref(old); /* a response still sending it holds it */
        }
    } else {
        free(t->key);
        free(t->body);
        free(t);
    }
    pthread_mutex_unlock(&q.cache_lock);
}

/* ---- render threads ------------------------------------------------------------------ */

typedef struct renderer {
    mandel_ctx *ctx;
    /* The same settings on the render thread alone, no pool: for what would otherwise wait
     * for the shared pool's turn while another render's pass holds it, a coloured tile's
     * period (4096 single pixels) and its PNG. Side by side, server alone: the 1e14 view's
     * tiles 1017 -> 972 ms; the page 1172 -> 1147 ms, 1e300 1020 -> 999 ms. */
    mandel_ctx *solo;
    serve_job *job;            /* the job being rendered, for the progress callback */
} renderer;

static int check_cancel(void *user, mandel_phase phase, uint64_t done, uint64_t total)
{
    (void)phase, (void)done, (void)total;
    const serve_job *const job = user;
    return atomic_load(&job->cancel) || atomic_load(&serve_stopping);
}

/* The anchor slot of key (views_lock held), or NULL. */
static cached_view *find_view(const char *key)
{
    for (uint32_t i = 0; i < q.cfg.views; i++)
        if (q.views[i].key != NULL && strcmp(q.views[i].key, key) == 0) return &q.views[i];
    return NULL;
}

/* A tw x th tile view of the job's anchor at (x0, y0), the anchor from the server-wide
 * cache or made and cached (evicting the least recently used); *slot_out gets its slot.
 * Errors are r->ctx's. */
static mandel_view *tile_view(renderer *r, serve_job *job, int64_t x0, int64_t y0, uint32_t tw,
                              uint32_t th, int *err, cached_view **slot_out)
{
    char *const key = query_key(&job->q, false);
    if (key == NULL) {
        *err = MANDEL_ENOMEM;
        return NULL;
    }
    const serve_query *const qq = &job->q;
    mandel_view *tile = NULL;
    pthread_mutex_lock(&q.views_lock);
    cached_view *slot = find_view(key);
    if (slot == NULL) {
        slot = &q.views[0];
        for (uint32_t i = 1; i < q.cfg.views; i++)
            if (q.views[i].used < slot->used) slot = &q.views[i];
        mandel_view *view = NULL;
        *err = qq->zoom != NULL
                   ? mandel_view_new_zoom(r->ctx, &view, qq->width, qq->height, qq->center_re,
                                          qq->center_im, qq->zoom)
                   : mandel_view_new_center(r->ctx, &view, qq->width, qq->height,
                                            qq->center_re, qq->center_im, qq->radius);
        if (*err != MANDEL_OK) {
            pthread_mutex_unlock(&q.views_lock);
            free(key);
            return NULL;
        }
        /* Tiles of the old anchor still rendering keep its deep state (counted references). */
        free(slot->key);
        mandel_view_free(slot->view);
        slot->key = key;
        slot->view = view;
        slot->iterations = qq->iterations;
        slot->period[0] = slot->period[1] = NAN;
        atomic_store(&slot->tiles_done, 0);
    } else {
        free(key);
    }
    slot->used = ++q.views_clock;
    *err = mandel_view_new_tile(r->ctx, &tile, slot->view, x0, y0, tw, th);
    *slot_out = slot;
    pthread_mutex_unlock(&q.views_lock);
    return tile;
}

bool tiles_progress(const serve_query *qq, char *json, size_t len)
{
    char *const key = query_key(qq, false);
    if (key == NULL) return false;
    mandel_phase phase = MANDEL_PHASE_ORBIT;
    uint64_t done = 0, total = 0, tiles = 0;
    bool known = false;
    pthread_mutex_lock(&q.views_lock);
    const cached_view *const v = find_view(key);
    if (v != NULL) {
        known = mandel_view_prepared(v->view, v->iterations, &phase, &done, &total) == MANDEL_OK;
        tiles = atomic_load(&v->tiles_done);
    }
    pthread_mutex_unlock(&q.views_lock);
    free(key);
    const char *const name = !known ? "waiting" : phase == MANDEL_PHASE_ORBIT ? "orbit"
                             : phase == MANDEL_PHASE_BLA ? "bla" : "ready";
    double const fraction = !known ? 0.0 : total > 0 ? (double)done / (double)total : 1.0;
    snprintf(json, len, "{\"phase\": \"%s\", \"done\": %llu, \"total\": %llu, "
             "\"fraction\": %.4f, \"tiles_done\": %llu}\n", name, (unsigned long long)done,
             (unsigned long long)total, fraction, (unsigned long long)tiles);
    return true;
}

static void render_error(serve_job *job, mandel_ctx *ctx, int err)
{
    if (err == MANDEL_ECANCELED) {
        answer_error(job, 503, "%s%s", "render cancelled", "");
        return;
    }
    int const status = err == MANDEL_EINVAL || err == MANDEL_ETOOBIG ? 400 : 500;
    answer_error(job, status, "view: %s%s", mandel_errmsg(ctx), "");
}

/* Writes a /render picture into memory. */
typedef struct membuf {
    char *data;
    size_t len, cap;
} membuf;

static int mem_write(void *user, const void *bytes, size_t len)
{
    membuf *const m = user;
    if (m->len + len > m->cap) {
        size_t cap = m->cap ? m->cap : 65536;
        while (cap < m->len + len) cap *= 2;
        char *const grown = realloc(m->data, cap);
        if (grown == NULL) return ENOMEM;
        m->data = grown;
        m->cap = cap;
    }
    memcpy(m->data + m->len, bytes, len);
    m->len += len;
    return 0;
}

/* Data tiles are little-endian on the wire and in the cache: n 4-byte values turned from
 * the machine's order to that, or back (its own inverse; nothing on little-endian). */
static void swap_order(char *body, size_t n)
{
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    for (size_t i = 0; i < n; i++) {
        unsigned char *const b = (unsigned char *)body + 4 * i;
        unsigned char t = b[0];
        b[0] = b[3], b[3] = t, t = b[1], b[1] = b[2], b[2] = t;
    }
#else
    (void)body, (void)n;
#endif
}

/* The tile's field of kind qq->data (counts, smooth values or distances) at `data`, a tile
 * of qq->tile_w x qq->tile_h values. */
static mandel_fields tile_fields(const serve_query *qq, void *data)
{
    mandel_fields f = {.stride = qq->tile_w, .capacity = (size_t)qq->tile_w * qq->tile_h};
    if (qq->data == SERVE_DATA_COUNTS) f.counts = data;
    else if (qq->data == SERVE_DATA_SMOOTH) f.smooth = data;
    else f.distance = data;
    return f;
}

/* The tile's data (qq->data: counts, smooth values or distances, little-endian), rendered
 * as a tile view of the cached anchor, or NULL with the job answered. */
static char *render_tile(renderer *r, serve_job *job)
{
    const serve_query *const qq = &job->q;
    int err = MANDEL_ENOMEM;
    cached_view *slot = NULL;
    /* Every tile, inside the anchor or beyond it, is a tile view of the one cached anchor:
     * inside, its pixels are the anchor's bit for bit; anywhere, its reference orbit and
     * tables are the anchor's, computed once for all tiles on all render threads. */
    int64_t const x0 = qq->tile_x * qq->tile_w, y0 = qq->tile_y * qq->tile_h;
    mandel_view *const tile = tile_view(r, job, x0, y0, qq->tile_w, qq->tile_h, &err, &slot);
    if (tile == NULL) {
        render_error(job, r->ctx, err);
        return NULL;
    }
    size_t const n = (size_t)qq->tile_w * qq->tile_h;
    char *const body = malloc(n * 4);
    if (body == NULL) {
        mandel_view_free(tile);
        answer_error(job, 500, "%s%s", "out of memory", "");
        return NULL;
    }
    mandel_fields const fields = tile_fields(qq, body);
    err = mandel_render_fields(r->ctx, tile, qq->iterations,
                               (mandel_rect){0, 0, qq->tile_w, qq->tile_h}, &fields);
    mandel_view_free(tile);
    if (err != MANDEL_OK) {
        free(body);
        render_error(job, r->ctx, err);
        return NULL;
    }
    /* The slot may hold another anchor by now: a count for a progress bar, not a proof. */
    atomic_fetch_add(&slot->tiles_done, 1);
    swap_order(body, n);
    return body;
}

static void run_tile(renderer *r, serve_job *job)
{
    const serve_query *const qq = &job->q;
    char *const body = render_tile(r, job);
    if (body == NULL) return;
    size_t const len = (size_t)qq->tile_w * qq->tile_h * 4;
    cache_put(job->key, body, len, "application/octet-stream");
    answer(job, 200, "application/octet-stream", body, len);
}

/* The period a coloured tile's view takes from its lattice (mandel_picture_period), once an
 * anchor and kind of data: rendered in a tile view covering the whole anchor (the anchor's
 * pixels, sharing its deep state), kept in the anchor's slot while it holds that anchor. */
static int anchor_period(renderer *r, serve_job *job, double *period, mandel_ctx **said)
{
    const serve_query *const qq = &job->q;
    int const kind = qq->data == SERVE_DATA_COUNTS ? 0 : 1;
    char *const key = query_key(qq, false);
    if (key == NULL) return MANDEL_ENOMEM;
    pthread_mutex_lock(&q.views_lock);
    const cached_view *slot = find_view(key);
    bool const known = slot != NULL && !isnan(slot->period[kind]);
    if (known) *period = slot->period[kind];
    pthread_mutex_unlock(&q.views_lock);
    int err = MANDEL_OK;
    cached_view *made = NULL;
    mandel_view *const whole =
        known ? NULL : tile_view(r, job, 0, 0, qq->width, qq->height, &err, &made);
    *said = r->ctx;
    if (whole != NULL) {
        err = mandel_picture_period(r->solo, qq->spec, whole, NULL, period);
        if (err != MANDEL_OK) *said = r->solo;
        mandel_view_free(whole);
        pthread_mutex_lock(&q.views_lock);
        cached_view *const now = find_view(key);
        if (err == MANDEL_OK && now != NULL) now->period[kind] = *period;
        pthread_mutex_unlock(&q.views_lock);
    }
    free(key);
    return err;
}

/* A coloured tile (format=png): the tile's data (from the cache, or rendered and cached:
 * a recolouring computes nothing again), coloured as `mandel render` colours the whole view
 * (mandel_picture_colour_rows, with the view's period), encoded as PNG. */
static void run_png_tile(renderer *r, serve_job *job)
{
    serve_query *const qq = &job->q;
    uint32_t const tw = qq->tile_w, th = qq->tile_h;
    size_t const n = (size_t)tw * th;
    serve_query plain = *qq;
    plain.png = false;
    char *const data_key = query_key(&plain, true);
    char *data = NULL;
    if (data_key != NULL) {
        const void *body;
        size_t len;
        const char *type;
        void *const held = tiles_cached(data_key, &body, &len, &type);
        if (held != NULL && len == n * 4 && (data = malloc(len)) != NULL) memcpy(data, body, len);
        if (held != NULL) tiles_cached_release(held);
    }
    if (data == NULL) {
        if ((data = render_tile(r, job)) == NULL) {
            free(data_key);
            return;
        }
        if (data_key != NULL) cache_put(data_key, data, n * 4, "application/octet-stream");
    }
    free(data_key);
    swap_order(data, n); /* the cache's order back to the machine's */
    double period = qq->period;
    int err = MANDEL_OK;
    mandel_ctx *said = r->ctx; /* the ctx holding a failure's message */
    mandel_fields const f = tile_fields(qq, data);
    /* A tile that is the whole anchor (the page's coarse preview) holds the lattice's values:
     * nothing to render for the period (4096 single pixels, 42 ms at 5e113). */
    bool const whole = qq->tile_x == 0 && qq->tile_y == 0 && tw == qq->width &&
                       th == qq->height;
    if (isnan(period) && whole) {
        err = mandel_picture_period(NULL, qq->spec, NULL, &f, &period);
        if (err != MANDEL_OK) said = qq->ctx;
    } else if (isnan(period)) {
        err = anchor_period(r, job, &period, &said);
    }
    uint8_t *const rgb = err == MANDEL_OK ? malloc(n * 3) : NULL;
    if (err == MANDEL_OK && rgb == NULL) err = MANDEL_ENOMEM;
    if (err == MANDEL_OK) {
        err = mandel_picture_colour_rows(qq->spec, period, &f, tw, th, rgb);
        if (err != MANDEL_OK) said = qq->ctx; /* the spec's */
    }
    free(data);
    membuf m = {0};
    if (err == MANDEL_OK) {
        mandel_image *image = NULL;
        err = mandel_image_open_stream(r->solo, &image, mem_write, &m, MANDEL_FORMAT_PNG, tw,
                                       th, NULL);
        if (err == MANDEL_OK) err = mandel_image_write_rows(image, rgb, th);
        if (err == MANDEL_OK) err = mandel_image_close(image);
        else if (image != NULL) mandel_image_abort(image);
        if (err != MANDEL_OK) said = r->solo;
    }
    free(rgb);
    if (err != MANDEL_OK) {
        free(m.data);
        render_error(job, said, err);
        return;
    }
    cache_put(job->key, m.data, m.len, "image/png");
    answer(job, 200, "image/png", m.data, m.len);
}

/* /api/period: the period coloured tiles of the anchor take (the anchor's lattice's, or the
 * one the colouring fixes), and the one the view moved by lattice=DX,DY whole pixels would
 * take: its lattice rendered in a tile view of the anchor there. */
static void run_period(renderer *r, serve_job *job)
{
    const serve_query *const qq = &job->q;
    double anchor = qq->period, moved = qq->period;
    int err = MANDEL_OK;
    mandel_ctx *said = r->ctx; /* the ctx holding a failure's message */
    if (isnan(anchor)) err = anchor_period(r, job, &anchor, &said);
    moved = anchor;
    if (err == MANDEL_OK && isnan(qq->period) && (qq->tile_x != 0 || qq->tile_y != 0)) {
        cached_view *slot = NULL;
        mandel_view *const there =
            tile_view(r, job, qq->tile_x, qq->tile_y, qq->width, qq->height, &err, &slot);
        said = r->ctx;
        if (there != NULL) {
            err = mandel_picture_period(r->solo, qq->spec, there, NULL, &moved);
            if (err != MANDEL_OK) said = r->solo;
        }
        mandel_view_free(there);
    }
    if (err != MANDEL_OK) {
        render_error(job, said, err);
        return;
    }
    char *const body = malloc(96);
    if (body == NULL) {
        answer_error(job, 500, "%s%s", "out of memory", "");
        return;
    }
    int const n = snprintf(body, 96, "{\"anchor\": %.17g, \"period\": %.17g}\n", anchor, moved);
    answer(job, 200, "application/json", body, (size_t)n);
}

/* /render: the picture of the query's spec, through the library's pipeline into memory:
 * the bytes `mandel render` writes to a file with the same options. */
static void run_render(renderer *r, serve_job *job)
{
    const serve_query *const qq = &job->q;
    const char *comment;
    int err = mandel_spec_describe(qq->spec, &comment);
    if (err != MANDEL_OK) {
        render_error(job, qq->ctx, err);
        return;
    }
    membuf m = {0};
    mandel_image *image = NULL;
    mandel_image_options const opts = {.comment = comment,
                                       .npy_float = qq->data != SERVE_DATA_COUNTS};
    err = mandel_image_open_stream(r->ctx, &image, mem_write, &m, (mandel_format)qq->format,
                                   qq->width, qq->height, &opts);
    if (err == MANDEL_OK) err = mandel_picture_write(r->ctx, qq->spec, image);
    if (err == MANDEL_OK) err = mandel_image_close(image);
    else mandel_image_abort(image);
    if (err != MANDEL_OK) {
        free(m.data);
        render_error(job, r->ctx, err);
        return;
    }
    static const char *const types[] = {[MANDEL_FORMAT_PNG] = "image/png",
                                        [MANDEL_FORMAT_JPEG] = "image/jpeg",
                                        [MANDEL_FORMAT_NPY] = "application/octet-stream"};
    answer(job, 200, types[qq->format], m.data, m.len);
}

static void run(renderer *r, serve_job *job)
{
    const serve_query *const qq = &job->q;
    mandel_ctx *const both[] = {r->ctx, r->solo};
    for (size_t i = 0; i < 2; i++) {
        mandel_ctx_set(both[i], MANDEL_OPT_FORMULA, qq->formula);
        mandel_ctx_set(both[i], MANDEL_OPT_POWER, qq->power);
        mandel_ctx_set_julia(both[i], qq->julia, qq->julia_re, qq->julia_im);
        mandel_ctx_set_phase_progress(both[i], check_cancel, job);
    }
    if (qq->route == SERVE_ROUTE_PERIOD) run_period(r, job);
    else if (qq->route == SERVE_ROUTE_TILE && qq->png) run_png_tile(r, job);
    else if (qq->route == SERVE_ROUTE_TILE) run_tile(r, job);
    else run_render(r, job);
    for (size_t i = 0; i < 2; i++) mandel_ctx_set_phase_progress(both[i], NULL, NULL);
}

static void release_locked(serve_job *job)
{
    if (--job->refs == 0) job_free(job);
}

static void *render_thread(void *arg)
{
    renderer *const r = arg;
    pthread_mutex_lock(&q.lock);
    for (;;) {
        while (q.head == NULL && !q.stop) pthread_cond_wait(&q.work, &q.lock);
        if (q.stop) break;
        serve_job *const job = q.head;
        q.head = job->next;
        if (q.head == NULL) q.tail = NULL;
        q.waiting--;
        job->queued = false;
        pthread_mutex_unlock(&q.lock);
        if (atomic_load(&job->cancel)) answer_error(job, 503, "%s%s", "cancelled", "");
        else run(r, job);
        pthread_mutex_lock(&q.lock);
        job->done = true;
        pthread_cond_broadcast(&q.finished);
        release_locked(job);
    }
    pthread_mutex_unlock(&q.lock);
    return NULL;
}

static renderer *renderers;

/* A render thread's ctx, with the server's limits. */
static mandel_ctx *render_ctx(const serve_config *cfg)
{
    mandel_ctx *const ctx = mandel_ctx_new(NULL);
    if (ctx == NULL) return NULL;
    /* The stated bound of an anchor's orbit and each of its tables (docs/server.md). */
    mandel_ctx_set(ctx, MANDEL_OPT_MAX_MEMORY, INT64_C(256) << 20);
    mandel_ctx_set(ctx, MANDEL_OPT_MAX_ITER, cfg->limits.max_iterations);
    return ctx;
}

int tiles_start(const serve_config *cfg)
{
    q.cfg = *cfg;
    q.stop = false;
    renderers = calloc(cfg->renderers, sizeof *renderers);
    q.threads = calloc(cfg->renderers, sizeof *q.threads);
    q.views = calloc(cfg->views, sizeof *q.views);
    if (renderers == NULL || q.threads == NULL || q.views == NULL) return ENOMEM;
    int const perr = mandel_pool_new(&q.pool, cfg->threads, NULL);
    if (perr != MANDEL_OK) return perr == MANDEL_ENOMEM ? ENOMEM : EAGAIN;
    for (uint32_t i = 0; i < cfg->renderers; i++) {
        renderer *const r = &renderers[i];
        if ((r->ctx = render_ctx(cfg)) == NULL || (r->solo = render_ctx(cfg)) == NULL)
            return ENOMEM;
        mandel_ctx_set_pool(r->ctx, q.pool);
        mandel_ctx_set(r->solo, MANDEL_OPT_THREADS, 1);
        int const err = pthread_create(&q.threads[i], NULL, render_thread, r);
        if (err != 0) return err;
        q.n_threads++;
    }
    return 0;
}

void tiles_stop(void)
{
    pthread_mutex_lock(&q.lock);
    q.stop = true;
    /* queued jobs are answered at once; running ones see serve_stopping in their callback */
    while (q.head != NULL) {
        serve_job *const job = q.head;
        q.head = job->next;
        job->queued = false;
        answer_error(job, 503, "%s%s", "the server is stopping", "");
        job->done = true;
        release_locked(job);
    }
    q.tail = NULL;
    q.waiting = 0;
    pthread_cond_broadcast(&q.work);
    pthread_cond_broadcast(&q.finished);
    pthread_mutex_unlock(&q.lock);
    for (uint32_t i = 0; i < q.n_threads; i++) pthread_join(q.threads[i], NULL);
    for (uint32_t i = 0; renderers != NULL && i < q.cfg.renderers; i++) {
        mandel_ctx_free(renderers[i].ctx);
        mandel_ctx_free(renderers[i].solo);
    }
    for (uint32_t v = 0; q.views != NULL && v < q.cfg.views; v++) {
        free(q.views[v].key);
        mandel_view_free(q.views[v].view);
    }
    free(q.views);
    q.views = NULL;
    mandel_pool_free(q.pool);
    q.pool = NULL;
    free(renderers);
    free(q.threads);
    renderers = NULL;
    q.threads = NULL;
    q.n_threads = 0;
    while (q.first != NULL) {
        cached_tile *const t = q.first;
        cache_unlink(t);
        tile_unref(t);
    }
    q.cache_used = 0;
}

serve_job *tiles_submit(serve_query *qq)
{
    serve_job *const job = calloc(1, sizeof *job);
    if (job == NULL) return NULL;
    if (qq->route == SERVE_ROUTE_TILE && (job->key = query_key(qq, true)) == NULL) {
        free(job);
        return NULL;
    }
    pthread_mutex_lock(&q.lock);
    if (q.stop || q.waiting >= q.cfg.queue) {
        pthread_mutex_unlock(&q.lock);
        free(job->key);
        free(job);
        return NULL;
    }
    job->q = *qq;
    qq->text = NULL; /* the job owns what the query held now */
    qq->spec = NULL;
    qq->ctx = NULL;
    job->refs = 2;
    job->queued = true;
    if (q.tail) q.tail->next = job; else q.head = job;
    q.tail = job;
    q.waiting++;
    pthread_cond_signal(&q.work);
    pthread_mutex_unlock(&q.lock);
    return job;
}

bool tiles_wait(serve_job *job, int ms)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_nsec += (long)ms * 1000000L;
    until.tv_sec += until.tv_nsec / 1000000000L;
    until.tv_nsec %= 1000000000L;
    pthread_mutex_lock(&q.lock);
    while (!job->done && pthread_cond_timedwait(&q.finished, &q.lock, &until) == 0) {
    }
    bool const done = job->done;
    pthread_mutex_unlock(&q.lock);
    return done;
}

void tiles_cancel(serve_job *job)
{
    atomic_store(&job->cancel, true);
    /* A queued job leaves the queue at once: a client that gave up holds no place in it. */
    pthread_mutex_lock(&q.lock);
    if (job->queued) {
        serve_job *prev = NULL;
        for (serve_job *j = q.head; j != NULL; prev = j, j = j->next)
            if (j == job) {
                if (prev) prev->next = job->next; else q.head = job->next;
                if (q.tail == job) q.tail = prev;
                break;
            }
        job->queued = false;
        job->done = true;
        q.waiting--;
        release_locked(job);
    }
    pthread_mutex_unlock(&q.lock);
}

int tiles_result(const serve_job *job, const void **body, size_t *len, const char **type)
{
    *body = job->body;
    *len = job->len;
    *type = job->type;
    return job->status;
}

void tiles_release(serve_job *job)
{
    pthread_mutex_lock(&q.lock);
    release_locked(job);
    pthread_mutex_unlock(&q.lock);
}
