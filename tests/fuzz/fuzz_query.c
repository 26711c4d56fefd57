/*
 * tests/fuzz/fuzz_query.c - the query parser of `mandel serve` (server/query.c), fed
 * arbitrary bytes: the first byte picks the route (/tile, /render, or /api/period when it is
 * 2 mod 4), the rest is the raw
 * query string, handed over in a buffer of exactly its size so that a read past its end is
 * caught by ASan. Whatever the input, the parser refuses it with a one-line reason that
 * names a parameter, or returns values inside the limits.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../../server/server.h"
#include "fuzz_check.h"
#include "mandel.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0) return 0;
    int const route = (data[0] & 1)       ? SERVE_ROUTE_RENDER
                      : (data[0] & 3) == 2 ? SERVE_ROUTE_PERIOD
                                           : SERVE_ROUTE_TILE;
    size_t const len = size - 1;
    char *const raw = malloc(len ? len : 1);
    FUZZ_CHECK(raw != NULL);
    memcpy(raw, data + 1, len);
    serve_limits const lim = {.max_side = 4096, .max_pixels = 1u << 22, .max_iterations = 100000,
                              .max_digits = 100, .max_aa = 4};
    serve_query q;
    char why[SERVE_ERROR_LEN];
    why[0] = '\0';
    if (query_parse(raw, len, route, &lim, &q, why)) {
        FUZZ_CHECK(q.width >= 1 && q.width <= lim.max_side);
        FUZZ_CHECK(q.height >= 1 && q.height <= lim.max_side);
        FUZZ_CHECK(q.iterations >= 1 && q.iterations <= lim.max_iterations);
        FUZZ_CHECK(strlen(q.center_re) <= lim.max_digits && strlen(q.center_im) <= lim.max_digits);
        FUZZ_CHECK((q.radius == NULL) != (q.zoom == NULL));
        FUZZ_CHECK(q.data >= SERVE_DATA_COUNTS && q.data <= SERVE_DATA_DISTANCE);
        FUZZ_CHECK(q.aa >= 1 && q.aa <= lim.max_aa);
        if (route == SERVE_ROUTE_RENDER)
            FUZZ_CHECK((uint64_t)q.width * q.height * q.aa * q.aa <= lim.max_pixels);
        if (route != SERVE_ROUTE_RENDER)
            FUZZ_CHECK(!q.png || isnan(q.period) || q.period > 0);
        if (route == SERVE_ROUTE_TILE)
            FUZZ_CHECK(q.tile_w >= 1 && q.tile_w <= SERVE_TILE_MAX && q.tile_h >= 1 &&
                       q.tile_h <= SERVE_TILE_MAX);
        char *const key = query_key(&q, true);
        FUZZ_CHECK(key != NULL);
        free(key);
        query_free(&q);
    } else {
        /* one line, naming something before the colon */
        size_t const n = strlen(why);
        FUZZ_CHECK(n > 0 && n < SERVE_ERROR_LEN && strchr(why, '\n') == NULL);
        FUZZ_CHECK(strstr(why, ": ") != NULL);
        FUZZ_CHECK(q.text == NULL);
    }
    free(raw);
    return 0;
}
