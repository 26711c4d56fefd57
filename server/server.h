/*
 * server/server.h - what the files of `mandel serve` share: the limits, a parsed query, the
 * render queue and the embedded web files. Private to server/; like cli/, server/ sees
 * only the public mandel.h of the library. libmicrohttpd is included by http.c alone.
 */
#ifndef MANDEL_SERVER_H
#define MANDEL_SERVER_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mandel.h"

#define SERVE_TILE 256         /* a tile is SERVE_TILE x SERVE_TILE pixels by default */
#define SERVE_TILE_MAX 1024    /* and at most SERVE_TILE_MAX a side: tile-size=WxH */
#define SERVE_ERROR_LEN 256    /* the longest one-line error text we answer */

/* What a stranger may ask for: set by the options of `mandel serve`, checked by query.c
 * before anything is computed. */
typedef struct serve_limits {
    uint32_t max_side;       /* a view's width or height */
    uint64_t max_pixels;     /* pixels of one /render picture */
    uint32_t max_iterations; /* iteration limit */
    uint32_t max_digits;     /* characters of a centre coordinate, radius or zoom */
    uint32_t max_aa;         /* anti-aliasing factor */
} serve_limits;

enum { SERVE_DATA_COUNTS = 0, SERVE_DATA_SMOOTH = 1, SERVE_DATA_DISTANCE = 2 };
enum { SERVE_ROUTE_TILE = 1, SERVE_ROUTE_RENDER = 2, SERVE_ROUTE_PROGRESS = 4,
       SERVE_ROUTE_PERIOD = 8 };

/* A parsed, validated query of /tile or /render: its picture options in `spec` (made on
 * `ctx`, which takes its messages), the view's fields read from it. The strings point into
 * `text` (the centre) or the spec, which the struct owns (query_free). */
typedef struct serve_query {
    int route;
    const char *center_re, *center_im; /* default "-0.75", "0" */
    const char *radius, *zoom;         /* at most one given; default radius "1.25" */
    uint32_t width, height, iterations;
    int formula, power;
    bool julia;
    double julia_re, julia_im;
    int64_t tile_x, tile_y;            /* /tile; /api/period's lattice=DX,DY */
    uint32_t tile_w, tile_h;           /* /tile only: tile-size, default SERVE_TILE */
    int data;                          /* SERVE_DATA_*: /tile's data, /render's npy */
    int format;                        /* /render: a mandel_format */
    bool png;                          /* /tile: coloured (format=png), from `data` */
    double period;                     /* png: the colouring's period, NaN: the anchor's */
    uint32_t aa;
    char *text;
    mandel_ctx *ctx;
    mandel_spec *spec;
} serve_query;

/* query.c: parses `raw` (the part of the URI after '?', not NUL-terminated, percent-encoded)
 * for `route`. Returns true with *q filled, or false with a one-line reason naming the
 * parameter in `why` (SERVE_ERROR_LEN bytes). Never reads beyond raw[len - 1]. */
bool query_parse(const char *raw, size_t len, int route, const serve_limits *lim,
                 serve_query *q, char *why);
void query_free(serve_query *q);
/* The canonical text of the view part of q (what makes a picture), for cache keys and
 * ETags; with_tile adds the tile and data. Returns a malloc'd string or NULL. */
char *query_key(const serve_query *q, bool with_tile);
/* FNV-1a, 64 bits: cache buckets and ETags. */
uint64_t query_hash(const char *s);

/* tiles.c: the render queue. A job is one /tile or /render; render threads (each with its
 * own mandel_ctx, all on one worker pool) take jobs in order; the anchor views are cached
 * server-wide, so the tiles of a view share one reference orbit. */
typedef struct serve_job serve_job;
typedef struct serve_config {
    serve_limits limits;
    uint32_t renderers;       /* render threads */
    uint32_t threads;         /* library worker threads shared by all renders; 0 = every CPU */
    uint32_t queue;           /* jobs waiting beyond which requests get 503 */
    uint64_t cache_bytes;     /* finished tiles kept */
    uint32_t views;           /* prepared anchor views kept (server-wide) */
} serve_config;

int tiles_start(const serve_config *cfg);       /* 0, or an errno value */
void tiles_stop(void);                          /* cancels every job, joins the threads */
/* Submits a job for q (moved into the job: *q is emptied). NULL when the queue is full or
 * the server is stopping. */
serve_job *tiles_submit(serve_query *q);
/* Waits up to `ms` for the job; true when it is finished. */
bool tiles_wait(serve_job *job, int ms);
/* Asks the job's render to stop (the client went away). */
void tiles_cancel(serve_job *job);
/* The finished job's answer: HTTP status, body (owned by the job), content type. */
int tiles_result(const serve_job *job, const void **body, size_t *len, const char **type);
void tiles_release(serve_job *job);
/* The JSON of /api/progress for the view of q (a parsed tile or progress query): the
 * anchor's preparation phase ("waiting": not made yet, "orbit", "bla", "ready"), its done,
 * total and fraction, and the tiles of it rendered. False: out of memory. */
bool tiles_progress(const serve_query *q, char *json, size_t len);
/* A finished tile from the cache, not copied: *body, *len and *type stay valid (the tile may
 * leave the cache meanwhile) until tiles_cached_release(the handle returned); NULL if the
 * tile is not cached. */
void *tiles_cached(const char *key, const void **body, size_t *len, const char **type);
void tiles_cached_release(void *handle);

/* assets.c: the embedded web files; path as requested ("/", "/web/ui.js"). */
typedef struct serve_asset {
    const char *name;         /* "index.html", "ui.js" */
    const unsigned char *data;
    size_t len;
} serve_asset;
const serve_asset *assets_find(const char *path, size_t len, const char **type);

/* routes.c: the JSON of /api/info (malloc'd) */
char *routes_info(const serve_limits *lim);

/* routes.c: the page (index.html) with `info` inside its <script id="info"> element, so the
 * page starts without asking for /api/info; malloc'd (*len set), NULL when out of memory.
 * A page without the element comes back unchanged (it then asks). */
char *routes_page(const serve_asset *page, const char *info, size_t *len);

/* http.c */
typedef struct serve_http_config {
    const char *bind;
    uint16_t port;
    uint32_t max_connections, per_ip, timeout_s;
    size_t memory_limit;      /* per connection: bounds the request line and headers */
} serve_http_config;
/* Starts listening; *port gets the real port. 0, or a one-line reason in `why`. */
int http_start(const serve_http_config *cfg, const serve_limits *lim, uint16_t *port,
               char *why, size_t why_len);
void http_stop(void);
extern atomic_bool serve_stopping;

#endif /* MANDEL_SERVER_H */
