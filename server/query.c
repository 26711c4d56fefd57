/*
 * server/query.c - the query strings of /tile and /render: decoded, split and validated
 * before anything is computed.
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

/* A decimal number as the library's view parser takes it: [+-]digits[.digits][e[+-]digits]. */
static bool is_decimal(const char *s)
{
    if (*s == '+' || *s == '-') s++;
    size_t digits = 0;
    while (*s >= '0' && *s <= '9') s++, digits++;
    if (*s == '.') {
        s++;
        while (*s >= '0' && *s <= '9') s++, digits++;
    }
    if (digits == 0) return false;
    if (*s == 'e' || *s == 'E') {
        s++;
        if (*s == '+' || *s == '-') s++;
        size_t exp_digits = 0;
        while (*s >= '0' && *s <= '9') s++, exp_digits++;
        if (exp_digits == 0 || exp_digits > 9) return false;
    }
    return *s == '\0';
}

static bool parse_u32(const char *s, uint32_t lo, uint32_t hi, uint32_t *out)
{
    if (*s < '0' || *s > '9') return false;
    errno = 0;
    char *end;
    unsigned long long const v = strtoull(s, &end, 10);
    if (errno != 0 || *end != '\0' || v < lo || v > hi) return false;
    *out = (uint32_t)v;
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

static bool parse_double(const char *s, double *out)
{
    if (!is_decimal(s)) return false;
    errno = 0;
    char *end;
    double const v = strtod(s, &end);
    if (*end != '\0' || !isfinite(v)) return false;
    *out = v;
    return true;
}

/* "A,B" split in place at the only comma. */
static bool split_pair(char *s, char **a, char **b)
{
    char *const comma = strchr(s, ',');
    if (comma == NULL || strchr(comma + 1, ',') != NULL) return false;
    *comma = '\0';
    *a = s;
    *b = comma + 1;
    return true;
}

static int find_word(const char *s, const char *const *words, int n)
{
    for (int i = 0; i < n; i++)
        if (strcmp(s, words[i]) == 0) return i;
    return -1;
}

static const char *const data_names[] = {"counts", "smooth", "distance"};
static const char *const color_names[] = {"count", "smooth", "histogram", "log", "distance"};

/* The parameters, and the routes that take each. */
enum {
    P_CENTER, P_RADIUS, P_ZOOM, P_SIZE, P_ITER, P_FORMULA, P_POWER, P_JULIA, P_TILE, P_DATA,
    P_NPY, P_FORMAT, P_AA, P_PALETTE, P_COLOR, P_PERIOD, P_OFFSET, P_INTERIOR, P_COUNT
};
static const struct {
    const char *name;
    int routes;
} params[P_COUNT] = {
    [P_CENTER] = {"center", SERVE_ROUTE_TILE | SERVE_ROUTE_RENDER | SERVE_ROUTE_PROGRESS},
    [P_RADIUS] = {"radius", SERVE_ROUTE_TILE | SERVE_ROUTE_RENDER | SERVE_ROUTE_PROGRESS},
    [P_ZOOM] = {"zoom", SERVE_ROUTE_TILE | SERVE_ROUTE_RENDER | SERVE_ROUTE_PROGRESS},
    [P_SIZE] = {"size", SERVE_ROUTE_TILE | SERVE_ROUTE_RENDER | SERVE_ROUTE_PROGRESS},
    [P_ITER] = {"iterations", SERVE_ROUTE_TILE | SERVE_ROUTE_RENDER | SERVE_ROUTE_PROGRESS},
    [P_FORMULA] = {"formula", SERVE_ROUTE_TILE | SERVE_ROUTE_RENDER | SERVE_ROUTE_PROGRESS},
    [P_POWER] = {"power", SERVE_ROUTE_TILE | SERVE_ROUTE_RENDER | SERVE_ROUTE_PROGRESS},
    [P_JULIA] = {"julia", SERVE_ROUTE_TILE | SERVE_ROUTE_RENDER | SERVE_ROUTE_PROGRESS},
    [P_TILE] = {"tile", SERVE_ROUTE_TILE},
    [P_DATA] = {"data", SERVE_ROUTE_TILE},
    [P_NPY] = {"npy", SERVE_ROUTE_RENDER},
    [P_FORMAT] = {"format", SERVE_ROUTE_RENDER},
    [P_AA] = {"aa", SERVE_ROUTE_RENDER},
    [P_PALETTE] = {"palette", SERVE_ROUTE_RENDER},
    [P_COLOR] = {"color", SERVE_ROUTE_RENDER},
    [P_PERIOD] = {"palette-period", SERVE_ROUTE_RENDER},
    [P_OFFSET] = {"palette-offset", SERVE_ROUTE_RENDER},
    [P_INTERIOR] = {"interior", SERVE_ROUTE_RENDER},
};

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

static bool value(serve_query *q, int p, char *v, const serve_limits *lim, char *why)
{
    char shown[64];
    const char *const name = params[p].name;
    char *a, *b;
    uint32_t u;
    double d;
    switch (p) {
    case P_CENTER:
        if (!split_pair(v, &a, &b) || !is_decimal(a) || !is_decimal(b))
            return fail(why, "%s: '%s' is not two decimal numbers RE,IM", name,
                        quote(v, shown, sizeof shown));
        if (strlen(a) > lim->max_digits || strlen(b) > lim->max_digits)
            return fail(why, "%s: a coordinate longer than %" PRIu32 " characters", name,
                        lim->max_digits);
        q->center_re = a;
        q->center_im = b;
        return true;
    case P_RADIUS:
    case P_ZOOM:
        if (!is_decimal(v) || v[0] == '-' || strspn(v, "+0.") == strcspn(v, "eE"))
            return fail(why, "%s: '%s' is not a positive decimal number", name,
                        quote(v, shown, sizeof shown));
        if (strlen(v) > lim->max_digits)
            return fail(why, "%s: longer than %" PRIu32 " characters", name, lim->max_digits);
        *(p == P_RADIUS ? &q->radius : &q->zoom) = v;
        return true;
    case P_SIZE: {
        char *const x = strchr(v, 'x');
        if (x != NULL) *x = '\0';
        if (x == NULL || !parse_u32(v, 1, lim->max_side, &q->width) ||
            !parse_u32(x + 1, 1, lim->max_side, &q->height))
            return fail(why, "%s: not WxH with sides 1..%" PRIu32, name, lim->max_side);
        return true;
    }
    case P_ITER:
        if (!parse_u32(v, 1, lim->max_iterations, &q->iterations))
            return fail(why, "%s: not an integer 1..%" PRIu32, name, lim->max_iterations);
        return true;
    case P_FORMULA:
        for (int f = 0; f < MANDEL_FORMULA_COUNT; f++)
            if (strcmp(v, mandel_formula_name((mandel_formula)f)) == 0) {
                q->formula = f;
                return true;
            }
        return fail(why, "%s: unknown formula '%s' (mandelbrot, burning-ship, tricorn)", name,
                    quote(v, shown, sizeof shown));
    case P_POWER:
        if (!parse_u32(v, 2, 64, &u)) return fail(why, "%s: not an integer 2..64", name);
        q->power = (int)u;
        return true;
    case P_JULIA:
        if (!split_pair(v, &a, &b) || !parse_double(a, &q->julia_re) ||
            !parse_double(b, &q->julia_im))
            return fail(why, "%s: not two finite numbers RE,IM", name);
        q->julia = true;
        return true;
    case P_TILE:
        if (!split_pair(v, &a, &b) || !parse_i64(a, -1000000000, 1000000000, &q->tile_x) ||
            !parse_i64(b, -1000000000, 1000000000, &q->tile_y))
            return fail(why, "%s: not two integers TX,TY within +-1e9", name);
        return true;
    case P_DATA:
    case P_NPY:
        if ((q->data = find_word(v, data_names, 3)) < 0)
            return fail(why, "%s: unknown data '%s' (counts, smooth, distance)", name,
                        quote(v, shown, sizeof shown));
        return true;
    case P_FORMAT:
        if (strcmp(v, "png") == 0) q->format = MANDEL_FORMAT_PNG;
        else if (strcmp(v, "jpg") == 0 || strcmp(v, "jpeg") == 0) q->format = MANDEL_FORMAT_JPEG;
        else if (strcmp(v, "npy") == 0) q->format = MANDEL_FORMAT_NPY;
        else return fail(why, "%s: unknown format '%s' (png, jpg, npy)", name,
                         quote(v, shown, sizeof shown));
        return true;
    case P_AA:
        if (!parse_u32(v, 1, lim->max_aa, &q->aa))
            return fail(why, "%s: not an integer 1..%" PRIu32, name, lim->max_aa);
        return true;
    case P_PALETTE: {
        int index;
        if (mandel_palette_find(v, &index) != MANDEL_OK)
            return fail(why, "%s: unknown palette '%s' (see /api/info)", name,
                        quote(v, shown, sizeof shown));
        return true;
    }
    case P_COLOR:
        if (find_word(v, color_names, 5) < 0)
            return fail(why, "%s: unknown mode '%s' (smooth, count, histogram, log, distance)",
                        name, quote(v, shown, sizeof shown));
        return true;
    case P_PERIOD:
        if (!parse_double(v, &d) || !(d > 0) || d > 1e6)
            return fail(why, "%s: not a number above 0 and at most 1e6", name);
        return true;
    case P_OFFSET:
        if (!parse_double(v, &d) || !(d >= 0 && d <= 1))
            return fail(why, "%s: not a number 0..1", name);
        return true;
    case P_INTERIOR:
        if (strlen(v) != 7 || v[0] != '#' || strspn(v + 1, "0123456789abcdefABCDEF") != 6)
            return fail(why, "%s: not a colour #rrggbb", name);
        return true;
    default:
        return fail(why, "%s: unknown parameter", name);
    }
}

bool query_parse(const char *raw, size_t len, int route, const serve_limits *lim,
                 serve_query *q, char *why)
{
    *q = (serve_query){.route = route, .center_re = "-0.75", .center_im = "0", .width = 1200,
                       .height = 800, .iterations = 1000, .power = 2, .aa = 1,
                       .format = MANDEL_FORMAT_PNG, .data = -1};
    bool seen[P_COUNT] = {false};
    q->text = malloc(len + 1);
    if (q->text == NULL) return fail(why, "query: out of memory");
    memcpy(q->text, raw, len);
    q->text[len] = '\0';
    /* Split at '&' first, then decode each name and value in place: a decoded '&' or '='
     * is then data, never structure. */
    char *s = q->text;
    char *const end = q->text + len;
    while (s < end) {
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
            query_free(q);
            return fail(why, "query: a parameter name with a bad %%-escape or a NUL byte");
        }
        int p = 0;
        while (p < P_COUNT && strcmp(s, params[p].name) != 0) p++;
        if (p == P_COUNT || (params[p].routes & route) == 0) {
            fail(why, "%s: unknown parameter", quote(s, shown, sizeof shown));
            query_free(q);
            return false;
        }
        if (eq == NULL) {
            query_free(q);
            return fail(why, "%s: no value (name=value)", params[p].name);
        }
        if (seen[p]) {
            query_free(q);
            return fail(why, "%s: given twice", params[p].name);
        }
        seen[p] = true;
        if (!decode(v, strlen(v), v)) {
            query_free(q);
            return fail(why, "%s: a bad %%-escape or a NUL byte", params[p].name);
        }
        if (!value(q, p, v, lim, why)) {
            query_free(q);
            return false;
        }
        s = amp + 1;
    }
    if (seen[P_RADIUS] && seen[P_ZOOM]) {
        query_free(q);
        return fail(why, "zoom: give radius or zoom, not both");
    }
    if (!seen[P_RADIUS] && !seen[P_ZOOM]) q->radius = "1.25";
    if (q->power != 2 && q->formula != MANDEL_FORMULA_MANDELBROT) {
        query_free(q);
        return fail(why, "power: only with formula=mandelbrot");
    }
    if (route == SERVE_ROUTE_TILE) {
        if (!seen[P_TILE]) {
            query_free(q);
            return fail(why, "tile: missing (tile=TX,TY)");
        }
        if (q->data < 0) q->data = SERVE_DATA_SMOOTH;
    } else if (route == SERVE_ROUTE_RENDER) {
        if (q->data < 0) q->data = SERVE_DATA_COUNTS;
        uint64_t const pixels = (uint64_t)q->width * q->height * q->aa * q->aa;
        if (pixels > lim->max_pixels) {
            query_free(q);
            return fail(why, "size: %" PRIu32 "x%" PRIu32 " with aa %" PRIu32 " is %" PRIu64
                        " samples, limit is %" PRIu64, q->width, q->height, q->aa, pixels,
                        lim->max_pixels);
        }
    }
    return true;
}

void query_free(serve_query *q)
{
    free(q->text);
    q->text = NULL;
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
    if (with_tile)
        snprintf(key + n, len - (size_t)n, ";t=%" PRId64 ",%" PRId64 ";d=%d", q->tile_x,
                 q->tile_y, q->data);
    return key;
}

uint64_t query_hash(const char *s)
{
    uint64_t h = UINT64_C(14695981039346656037);
    for (; *s != '\0'; s++) h = (h ^ (unsigned char)*s) * UINT64_C(1099511628211);
    return h;
}
