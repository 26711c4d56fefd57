/*
 * server/routes.c - the JSON of GET /api/info: version, tile size, defaults, limits, the
 * palettes with the colour tables mandel_color_init() fills (so the page colours data tiles
 * bit for bit as the library does), the formulas and the colouring modes; and the page
 * (GET /) with that JSON inside it.
 *
 * Invariant: everything here comes from the library or the server's limits; nothing from a
 * request, so the text needs no escaping beyond the palettes' own descriptions (where '<'
 * is written \u003c: the JSON can never close the page's <script> element).
 */
#include "server.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mandel.h"

/* A growing string; on allocation failure it stays failed and routes_info returns NULL. */
typedef struct text {
    char *s;
    size_t len, cap;
    bool failed;
} text;

static void put(text *t, const char *s, size_t n)
{
    if (t->failed) return;
    if (t->len + n + 1 > t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 16384;
        while (cap < t->len + n + 1) cap *= 2;
        char *const grown = realloc(t->s, cap);
        if (grown == NULL) {
            t->failed = true;
            return;
        }
        t->s = grown;
        t->cap = cap;
    }
    memcpy(t->s + t->len, s, n);
    t->len += n;
    t->s[t->len] = '\0';
}

static void puts_(text *t, const char *s) { put(t, s, strlen(s)); }

static void put_json_string(text *t, const char *s)
{
    put(t, "\"", 1);
    for (; *s != '\0'; s++) {
        unsigned char const c = (unsigned char)*s;
        char esc[8];
        if (c == '"' || c == '\\') snprintf(esc, sizeof esc, "\\%c", c);
        else if (c < 0x20 || c == '<') snprintf(esc, sizeof esc, "\\u%04x", c);
        else esc[0] = (char)c, esc[1] = '\0';
        puts_(t, esc);
    }
    put(t, "\"", 1);
}

char *routes_info(const serve_limits *lim)
{
    text t = {0};
    char line[512];
    snprintf(line, sizeof line,
             "{\"version\": \"%s\", \"tile\": %d, \"tile_max\": %d,\n"
             " \"defaults\": {\"center\": \"-0.75,0\", \"radius\": \"1.25\", \"size\": "
             "\"1200x800\", \"iterations\": 1000, \"palette\": \"default\", \"color\": "
             "\"smooth\", \"palette-period\": 8, \"palette-offset\": 0, \"interior\": "
             "\"#000000\"},\n"
             " \"limits\": {\"size\": %" PRIu32 ", \"pixels\": %" PRIu64 ", \"iterations\": %"
             PRIu32 ", \"digits\": %" PRIu32 ", \"aa\": %" PRIu32 "},\n \"palettes\": [",
             mandel_version_string(), SERVE_TILE, SERVE_TILE_MAX, lim->max_side, lim->max_pixels,
             lim->max_iterations, lim->max_digits, lim->max_aa);
    puts_(&t, line);
    for (int i = 0; mandel_palette_name(i) != NULL; i++) {
        mandel_color color;
        if (mandel_color_init(&color, i, 1000) != MANDEL_OK) continue;
        puts_(&t, i ? ",\n  {\"name\": " : "\n  {\"name\": ");
        put_json_string(&t, mandel_palette_name(i));
        snprintf(line, sizeof line, ", \"cyclic\": %s, \"range\": %s, \"describe\": ",
                 color.mapping == MANDEL_MAP_CYCLE ? "true" : "false",
                 mandel_palette_needs_range(i) ? "true" : "false");
        puts_(&t, line);
        put_json_string(&t, mandel_palette_describe(i));
        puts_(&t, ", \"table\": \"");
        for (int e = 0; e < 256; e++) {
            snprintf(line, sizeof line, "%02x%02x%02x", color.table[e][0], color.table[e][1],
                     color.table[e][2]);
            puts_(&t, line);
        }
        puts_(&t, "\"}");
    }
    puts_(&t, "],\n \"formulas\": [");
    for (int f = 0; f < MANDEL_FORMULA_COUNT; f++) {
        if (f) puts_(&t, ", ");
        put_json_string(&t, mandel_formula_name((mandel_formula)f));
    }
    puts_(&t, "],\n \"colors\": [\"smooth\", \"count\", \"histogram\", \"log\", \"distance\"],\n"
              " \"data\": [\"counts\", \"smooth\", \"distance\"]}\n");
    if (t.failed) {
        free(t.s);
        return NULL;
    }
    return t.s;
}

char *routes_page(const serve_asset *page, const char *info, size_t *len)
{
    static const char mark[] = "<script id=\"info\" type=\"application/json\"></script>";
    size_t const mark_len = sizeof mark - 1, at_end = mark_len - strlen("</script>");
    const char *const html = (const char *)page->data;
    const char *const at = memmem(html, page->len, mark, mark_len);
    size_t const info_len = at != NULL ? strlen(info) : 0;
    *len = page->len + info_len;
    char *const out = malloc(*len + 1);
    if (out == NULL) return NULL;
    if (at == NULL) {
        memcpy(out, html, page->len);
    } else {
        size_t const head = (size_t)(at - html) + at_end;
        memcpy(out, html, head);
        memcpy(out + head, info, info_len);
        memcpy(out + head + info_len, html + head, page->len - head);
    }
    out[*len] = '\0';
    return out;
}
