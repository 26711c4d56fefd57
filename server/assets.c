/*
 * server/assets.c - the web page's files, embedded in the program at build time
 * (cmake/embed_web.cmake writes assets_data.c from the .html, .js and .css files of web/).
 *
 * Invariant: only a name in the embedded table is ever served. The path is compared as
 * received, byte for byte, with "/" + name or "/web/" + name: no decoding, no file system,
 * so "..", "%2e%2e", absolute paths and symlinks can only miss the table (404).
 */
#include "server.h"

#include <string.h>

extern const serve_asset assets_table[];
extern const size_t assets_count;

static const char *type_of(const char *name)
{
    const char *const dot = strrchr(name, '.');
    if (dot == NULL) return "application/octet-stream";
    if (strcmp(dot, ".html") == 0) return "text/html; charset=utf-8";
    if (strcmp(dot, ".js") == 0 || strcmp(dot, ".mjs") == 0)
        return "text/javascript; charset=utf-8";
    if (strcmp(dot, ".css") == 0) return "text/css; charset=utf-8";
    if (strcmp(dot, ".svg") == 0) return "image/svg+xml";
    if (strcmp(dot, ".png") == 0) return "image/png";
    if (strcmp(dot, ".json") == 0) return "application/json";
    return "application/octet-stream";
}

static bool is(const char *path, size_t len, const char *prefix, const char *name)
{
    size_t const p = strlen(prefix), n = strlen(name);
    return len == p + n && memcmp(path, prefix, p) == 0 && memcmp(path + p, name, n) == 0;
}

const serve_asset *assets_find(const char *path, size_t len, const char **type)
{
    const char *want = NULL;
    if (len == 1 && path[0] == '/') want = "index.html";
    for (size_t i = 0; i < assets_count; i++) {
        const serve_asset *const a = &assets_table[i];
        if ((want != NULL && strcmp(a->name, want) == 0) || is(path, len, "/", a->name) ||
            is(path, len, "/web/", a->name)) {
            *type = type_of(a->name);
            return a;
        }
    }
    return NULL;
}
