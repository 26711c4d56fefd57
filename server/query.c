/*
 * server/query.c - the query strings of /tile and /render: decoded, split and validated
 * before anything is computed.
 *
 * The values are the library's to parse (mandel_spec_set_untrusted: the CLI's grammar,
 * picture options only); the server adds its stricter limits (sizes, iterations, digits,
 * aa, samples) on top.
 *
 * Invariant: a query that parses holds only values inside the server's limits, each
 * parameter at most once and none the route does not know; everything else is refused
 * with one line naming the parameter. This is the code strangers' bytes reach first, so it
 * is fuzzed (tests/fuzz/fuzz_query.c) and reads nothing beyond the `len` bytes it is given.
 */
#include "server.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mandel.h"

static bool fail(char *why, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, SERVE_ERROR_LEN, fmt, ap);
    va_end(ap);
    return false;
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Percent-decodes src[0..len) into dst (room for len + 1). '+' stays a '+', so a radius
 * typed as 1e+5 means what it says. A NUL byte or a bad escape is refused. */
static bool decode(const char *src, size_t len, char *dst)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        char c = src[i];
        if (c == '%') {
            if (i + 2 >= len) return false;
            int const hi = hex_value(src[i + 1]), lo = hex_value(src[i + 2]);
            if (hi < 0 || lo < 0) return false;
            c = (char)(hi * 16 + lo);
            i += 2;
        }
        if (c == '\0') return false;
        dst[n++] = c;
    }
    dst[n] = '\0';
    return true;
}

static bool parse_i64(const char *s, int64_t lo, int64_t hi, int64_t *out)
{
    const char *d = s + (*s == '-');
    if (*d < '0' || *d > '9') return false;
    errno = 0;
    char *end;
    long long const v = strtoll(s, &end, 10);
    if (errno != 0 || *end != '\0' || v < lo || v > hi) return false;
    *out = v;
    return true;
}

static int find_word(const char *s, const char *const *words, int n)
{
    for (int i = 0; i < n; i++)
        if (strcmp(s, words[i]) == 0) return i;
    return -1;
}

static const char *const data_names[] = {"counts", "smooth", "distance"};

/* The options of a view: the spec's names /tile and /api/progress take (/render takes
 * every picture option of the spec). */
static const char *const tile_options[] = {"center", "centre", "radius", "zoom", "size",
                                           "iterations", "formula", "power", "julia"};
/* The colouring of a /tile with format=png: the spec's names. */
static const char *const colour_options[] = {"palette", "color", "palette-period",
                                             "palette-offset", "interior"};
#define N_COLOUR_OPTIONS (sizeof colour_options / sizeof *colour_options)

/* Quotes at most 40 characters of stranger's text in an error line. */
static const char *quote(const char *s, char *buf, size_t size)
{
    size_t n = 0;
    for (; s[n] != '\0' && n < 40 && n + 4 < size; n++)
        buf[n] = (s[n] >= 0x20 && s[n] < 0x7f && s[n] != '"' && s[n] != '\\') ? s[n] : '?';
    if (s[n] != '\0' && n + 4 < size) buf[n++] = '.', buf[n++] = '.', buf[n++] = '.';
    buf[n] = '\0';
    return buf;
}

/* The server's own parameters: tile, data, tile-size, format (/tile), format (/render) and
 * lattice (/api/period). */
static bool own_value(serve_query *q, const char *name, char *v, char *why)
{
    char shown[64];
    if (strcmp(name, "tile") == 0 || strcmp(name, "lattice") == 0) {
        char *const comma = strchr(v, ',');
        if (comma != NULL) *comma = '\0';
        if (comma == NULL || !parse_i64(v, -1000000000, 1000000000, &q->tile_x) ||
            !parse_i64(comma + 1, -1000000000, 1000000000, &q->tile_y))
            return fail(why, "%s: not two integers %s within +-1e9", name,
                        name[0] == 't' ? "TX,TY" : "DX,DY");
        return true;
    }
    if (strcmp(name, "tile-size") == 0) {
        char *const x = strchr(v, 'x');
        if (x != NULL) *x = '\0';
        int64_t w, h;
        if (x == NULL || !parse_i64(v, 1, SERVE_TILE_MAX, &w) ||
            !parse_i64(x + 1, 1, SERVE_TILE_MAX, &h))
            return fail(why, "tile-size: not WxH, each 1..%d", SERVE_TILE_MAX);
        q->tile_w = (uint32_t)w, q->tile_h = (uint32_t)h;
        return true;
    }
    if (strcmp(name, "data") == 0) {
        if ((q->data = find_word(v, data_names, 3)) < 0)
            return fail(why, "data: unknown data '%s' (counts, smooth, distance)",
                        quote(v, shown, sizeof shown));
        return true;
    }
    /* format */
    if (q->route == SERVE_ROUTE_TILE) {
        if (strcmp(v, "png") != 0)
            return fail(why, "format: unknown tile format '%s' (png; data tiles: no format)",
                        quote(v, shown, sizeof shown));
        q->png = true;
        return true;
    }
    if (strcmp(v, "png") == 0) q->format = MANDEL_FORMAT_PNG;
    else if (strcmp(v, "jpg") == 0 || strcmp(v, "jpeg") == 0) q->format = MANDEL_FORMAT_JPEG;
    else if (strcmp(v, "npy") == 0) q->format = MANDEL_FORMAT_NPY;
    else return fail(why, "format: unknown format '%s' (png, jpg, npy)",
                     quote(v, shown, sizeof shown));
    return true;
}

/* A spec option from the query: the server's stricter limit on the length of numbers,
 * then the library's grammar and its refusal of everything but picture options. */
static bool spec_value(serve_query *q, const char *name, const char *v, const serve_limits *lim,
                       char *why)
{
    if (strcmp(name, "center") == 0 || strcmp(name, "centre") == 0) {
        const char *const comma = strchr(v, ',');
        size_t const re = comma ? (size_t)(comma - v) : strlen(v);
        if (re > lim->max_digits || (comma && strlen(comma + 1) > lim->max_digits))
            return fail(why, "center: a coordinate longer than %" PRIu32 " characters",
                        lim->max_digits);
    } else if ((strcmp(name, "radius") == 0 || strcmp(name, "zoom") == 0) &&
               strlen(v) > lim->max_digits) {
        return fail(why, "%s: longer than %" PRIu32 " characters", name, lim->max_digits);
    }
    if (mandel_spec_set_untrusted(q->spec, name, v) == MANDEL_OK) return true;
    /* The library quotes the value as given: a decoded control character stays one line,
     * and a value too long for the line leaves out the value, not the reason. */
    const char *const said = mandel_errmsg(q->ctx);
    if (strlen(said) < SERVE_ERROR_LEN) {
        fail(why, "%s", said);
    } else {
        const char *reason = NULL;
        for (const char *at = strstr(said, "': "); at != NULL; at = strstr(at + 1, "': "))
            reason = at + 3;
        if (reason != NULL)
            fail(why, "%s: a value of %zu characters: %.*s", name, strlen(v), 160, reason);
        else
            fail(why, "%s: a value of %zu characters, refused", name, strlen(v));
    }
    for (char *c = why; *c != '\0'; c++)
        if ((unsigned char)*c < 0x20 || *c == 0x7f) *c = '?';
    return false;
}

/* The view of q from its spec: the fields /tile renders and keys by. */
static bool view_fields(serve_query *q, const serve_limits *lim, char *why)
{
    uint32_t aa;
    mandel_spec_geometry(q->spec, &q->width, &q->height, &aa, &q->iterations);
    q->aa = aa;
    if (q->width > lim->max_side || q->height > lim->max_side)
        return fail(why, "size: not WxH with sides 1..%" PRIu32, lim->max_side);
    if (q->iterations > lim->max_iterations)
        return fail(why, "iterations: not an integer 1..%" PRIu32, lim->max_iterations);
    if (q->aa > lim->max_aa) return fail(why, "aa: not an integer 1..%" PRIu32, lim->max_aa);
    const char *const center = mandel_spec_get(q->spec, "center");
    free(q->text);
    q->text = strdup(center != NULL ? center : "-0.75,0");
    if (q->text == NULL) return fail(why, "query: out of memory");
    char *const comma = strchr(q->text, ','); /* the spec checked it holds one */
    *comma = '\0';
    q->center_re = q->text;
    q->center_im = comma + 1;
    q->zoom = mandel_spec_get(q->spec, "zoom");
    q->radius = mandel_spec_get(q->spec, "radius");
    if (q->radius == NULL && q->zoom == NULL) q->radius = "1.25";
    const char *const formula = mandel_spec_get(q->spec, "formula");
    for (int f = 0; formula != NULL && f < MANDEL_FORMULA_COUNT; f++)
        if (strcmp(formula, mandel_formula_name((mandel_formula)f)) == 0) q->formula = f;
    const char *const power = mandel_spec_get(q->spec, "power");
    if (power != NULL) q->power = atoi(power);
    const char *const julia = mandel_spec_get(q->spec, "julia");
    if (julia != NULL) {
        char *end;
        q->julia = true;
        q->julia_re = strtod(julia, &end);
        q->julia_im = strtod(end + 1, NULL);
    }
    const char *const npy = mandel_spec_get(q->spec, "npy");
    if (q->route == SERVE_ROUTE_RENDER) q->data = npy ? find_word(npy, data_names, 3) : 0;
    return true;
}

/* A /tile's colouring: options only with format=png, which takes its data from the
 * colouring (data= refused) and only colourings of a pixel at a time (the library's
 * refusal: histogram, log, a matplotlib map's range); the period when it is not the
 * anchor's lattice's (NaN). Builds the spec's view: no render. */
static bool tile_colouring(serve_query *q, bool data_given, char *why)
{
    q->period = NAN;
    for (size_t i = 0; !q->png && i < N_COLOUR_OPTIONS; i++)
        if (mandel_spec_get(q->spec, colour_options[i]) != NULL)
            return fail(why, "%s: only with format=png (data tiles are coloured by the page)",
                        colour_options[i]);
    if (!q->png) return true;
    if (data_given) return fail(why, "data: not with format=png (the colouring says which)");
    int smooth = 0, distance = 0;
    if (mandel_picture_period(NULL, q->spec, NULL, NULL, &q->period) != MANDEL_OK ||
        mandel_picture_needs(q->spec, MANDEL_FORMAT_PNG, &smooth, &distance) != MANDEL_OK) {
        /* "--color histogram ...", or the view's own refusal ("radius '1e-99999999' is
         * deeper than this build supports ..."), as /tile's render answers it */
        const char *const said = mandel_errmsg(q->ctx);
        fail(why, strncmp(said, "--", 2) == 0 ? "%s" : "view: %s", said);
        for (char *c = why; *c != '\0'; c++)
            if ((unsigned char)*c < 0x20 || *c == 0x7f) *c = '?';
        return false;
    }
    q->data = distance ? SERVE_DATA_DISTANCE : smooth ? SERVE_DATA_SMOOTH : SERVE_DATA_COUNTS;
    return true;
}

bool query_parse(const char *raw, size_t len, int route, const serve_limits *lim,
                 serve_query *q, char *why)
{
    *q = (serve_query){.route = route, .power = 2, .aa = 1, .format = MANDEL_FORMAT_PNG,
                       .data = -1};
    char *const text = malloc(len + 1);
    q->ctx = mandel_ctx_new(NULL);
    if (text == NULL || q->ctx == NULL || mandel_spec_new(q->ctx, &q->spec) != MANDEL_OK) {
        free(text);
        query_free(q);
        return fail(why, "query: out of memory");
    }
    memcpy(text, raw, len);
    text[len] = '\0';
    bool ok = true;
    bool seen_own[5] = {false};
    /* Split at '&' first, then decode each name and value in place: a decoded '&' or '='
     * is then data, never structure. */
    char *s = text;
    char *const end = text + len;
    while (ok && s < end) {
        char *amp = memchr(s, '&', (size_t)(end - s));
        if (amp == NULL) amp = end;
        *amp = '\0';
        if (amp == s) {
            s = amp + 1;
            continue;
        }
        char *eq = strchr(s, '=');
        char *v = eq != NULL ? eq + 1 : amp;
        if (eq != NULL) *eq = '\0';
        char shown[64];
        if (!decode(s, strlen(s), s)) {
            ok = fail(why, "query: a parameter name with a bad %%-escape or a NUL byte");
            break;
        }
        static const char *const own[5] = {"tile", "data", "tile-size", "format", "lattice"};
        /* the routes each of them belongs to */
        static const int own_routes[5] = {SERVE_ROUTE_TILE, SERVE_ROUTE_TILE, SERVE_ROUTE_TILE,
                                          SERVE_ROUTE_TILE | SERVE_ROUTE_RENDER,
                                          SERVE_ROUTE_PERIOD};
        int const own_index = find_word(s, own, 5);
        unsigned kind = 0;
        bool known;
        if (own_index >= 0)
            known = (own_routes[own_index] & route) != 0;
        else if (route != SERVE_ROUTE_RENDER)
            known = find_word(s, tile_options, sizeof tile_options / sizeof *tile_options) >= 0 ||
                    ((route & (SERVE_ROUTE_TILE | SERVE_ROUTE_PERIOD)) != 0 &&
                     find_word(s, colour_options, (int)N_COLOUR_OPTIONS) >= 0);
        else
            known = mandel_spec_option_kind(s, &kind) == MANDEL_OK && (kind & MANDEL_SPEC_PICTURE);
        if (!known)
            ok = fail(why, "%s: unknown parameter", quote(s, shown, sizeof shown));
        else if (eq == NULL)
            ok = fail(why, "%s: no value (name=value)", s);
        else if (own_index >= 0 ? seen_own[own_index] : mandel_spec_get(q->spec, s) != NULL)
            ok = fail(why, "%s: given twice", s);
        else if (!decode(v, strlen(v), v))
            ok = fail(why, "%s: a bad %%-escape or a NUL byte", s);
        else if (own_index >= 0)
            ok = seen_own[own_index] = own_value(q, s, v, why);
        else
            ok = spec_value(q, s, v, lim, why);
        s = amp + 1;
    }
    free(text);
    if (ok && mandel_spec_get(q->spec, "radius") && mandel_spec_get(q->spec, "zoom"))
        ok = fail(why, "zoom: give radius or zoom, not both");
    if (ok) ok = view_fields(q, lim, why);
    if (ok && q->power != 2 && q->formula != MANDEL_FORMULA_MANDELBROT)
        ok = fail(why, "power: only with formula=mandelbrot");
    if (ok && route == SERVE_ROUTE_PERIOD) {
        q->png = true; /* the colouring of coloured tiles */
        ok = tile_colouring(q, false, why);
    } else if (ok && route == SERVE_ROUTE_TILE) {
        if (!seen_own[0]) ok = fail(why, "tile: missing (tile=TX,TY)");
        if (ok) ok = tile_colouring(q, seen_own[1], why);
        if (q->data < 0) q->data = SERVE_DATA_SMOOTH;
        if (!seen_own[2]) q->tile_w = q->tile_h = SERVE_TILE;
    } else if (ok && route == SERVE_ROUTE_RENDER) {
        uint64_t const pixels = (uint64_t)q->width * q->height * q->aa * q->aa;
        if (pixels > lim->max_pixels)
            ok = fail(why, "size: %" PRIu32 "x%" PRIu32 " with aa %" PRIu32 " is %" PRIu64
                      " samples, limit is %" PRIu64, q->width, q->height, q->aa, pixels,
                      lim->max_pixels);
    }
    if (!ok) query_free(q);
    return ok;
}

void query_free(serve_query *q)
{
    free(q->text);
    q->text = NULL;
    mandel_spec_free(q->spec);
    q->spec = NULL;
    mandel_ctx_free(q->ctx);
    q->ctx = NULL;
}

char *query_key(const serve_query *q, bool with_tile)
{
    /* Every field that changes a pixel, separated by characters no value can hold. */
    const char *const parts[] = {q->center_re, q->center_im, q->radius ? q->radius : "",
                                 q->zoom ? q->zoom : ""};
    size_t len = 200;
    for (size_t i = 0; i < 4; i++) len += strlen(parts[i]);
    char *const key = malloc(len);
    if (key == NULL) return NULL;
    int n = snprintf(key, len, "c=%s,%s;r=%s;z=%s;s=%" PRIu32 "x%" PRIu32 ";i=%" PRIu32
                     ";f=%d;p=%d", parts[0], parts[1], parts[2], parts[3], q->width,
                     q->height, q->iterations, q->formula, q->power);
    if (q->julia)
        n += snprintf(key + n, len - (size_t)n, ";j=%.17g,%.17g", q->julia_re, q->julia_im);
    if (!with_tile) return key;
    n += snprintf(key + n, len - (size_t)n, ";t=%" PRId64 ",%" PRId64 ";ts=%" PRIu32 "x%" PRIu32
                  ";d=%d", q->tile_x, q->tile_y, q->tile_w, q->tile_h, q->data);
    if (!q->png || q->spec == NULL) return key;
    /* A coloured tile: its colour options, as given (the spec checked them). */
    size_t more = 8;
    for (size_t i = 0; i < N_COLOUR_OPTIONS; i++) {
        const char *const v = mandel_spec_get(q->spec, colour_options[i]);
        more += v != NULL ? strlen(colour_options[i]) + strlen(v) + 2 : 0;
    }
    char *const longer = realloc(key, (size_t)n + more + 1);
    if (longer == NULL) {
        free(key);
        return NULL;
    }
    n += sprintf(longer + n, ";png");
    for (size_t i = 0; i < N_COLOUR_OPTIONS; i++) {
        const char *const v = mandel_spec_get(q->spec, colour_options[i]);
        if (v != NULL) n += sprintf(longer + n, ";%s=%s", colour_options[i], v);
    }
    return longer;
}

uint64_t query_hash(const char *s)
{
    uint64_t h = UINT64_C(14695981039346656037);
    for (; *s != '\0'; s++) h = (h ^ (unsigned char)*s) * UINT64_C(1099511628211);
    return h;
}
