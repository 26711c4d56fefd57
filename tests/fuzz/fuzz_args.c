/*
 * tests/fuzz/fuzz_args.c - the command line's value parsers and the view constructor, fed
 * arbitrary text. The first byte picks the parser; the rest is the text. Whatever the
 * input, a parser either refuses it with a reason or returns a value inside its contract;
 * a view built from accepted text samples finite points.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "picture/picture.h"
#include "fuzz_check.h"
#include "mandel.h"

/* Unlike FUZZ_CHECK(), active in every build: the corpus replay runs in Release too. */

static void view_from_center(const char *re, const char *im, const char *radius)
{
    mandel_ctx *const ctx = mandel_ctx_new(NULL);
    mandel_view *v = NULL;
    int const err = mandel_view_new_center(ctx, &v, 7, 5, re, im, radius);
    FUZZ_CHECK(err == MANDEL_OK || err == MANDEL_EINVAL);
    if (err == MANDEL_OK) {
        for (uint32_t k = 0; k < 5; k++) {
            for (uint32_t i = 0; i < 7; i++) {
                double x, y;
                FUZZ_CHECK(mandel_view_point(v, i, k, &x, &y) == MANDEL_OK);
                FUZZ_CHECK(isfinite(x) && isfinite(y));
            }
        }
        uint32_t counts[35];
        mandel_rect const all = {0, 0, 7, 5};
        FUZZ_CHECK(mandel_render(ctx, v, 50, all, counts, 7, sizeof counts) == MANDEL_OK);
        for (int j = 0; j < 35; j++) FUZZ_CHECK(counts[j] >= 1 && counts[j] <= 50);
    } else {
        FUZZ_CHECK(v == NULL && mandel_errmsg(ctx)[0] != '\0');
    }
    mandel_view_free(v);
    mandel_ctx_free(ctx);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 4096) return 0;
    char *const text = malloc(size);
    memcpy(text, data + 1, size - 1);
    text[size - 1] = '\0';
    char why[VALUES_WHY_LEN];
    why[0] = '\0';
    switch (data[0] % 5) {
    case 0: {
        uint32_t v;
        if (values_u32(text, 1, 1000, &v, why)) FUZZ_CHECK(v >= 1 && v <= 1000);
        else FUZZ_CHECK(why[0] != '\0');
        break;
    }
    case 1: {
        double v;
        if (values_double(text, &v, why)) FUZZ_CHECK(isfinite(v));
        else FUZZ_CHECK(why[0] != '\0');
        break;
    }
    case 2: {
        uint32_t w, h;
        if (values_size(text, 65535, &w, &h, why)) FUZZ_CHECK(w >= 1 && w <= 65535 && h >= 1 && h <= 65535);
        else FUZZ_CHECK(why[0] != '\0');
        break;
    }
    case 3: {
        double a, b;
        const char *ta, *tb;
        if (values_pair(text, &a, &b, &ta, &tb, why)) {
            FUZZ_CHECK(isfinite(a) && isfinite(b));
            view_from_center(ta, tb, "1e-3");
        } else {
            FUZZ_CHECK(why[0] != '\0');
        }
        break;
    }
    case 4: {
        double b[4];
        if (values_bounds(text, b, why)) {
            FUZZ_CHECK(b[0] < b[1] && b[2] < b[3]);
            mandel_ctx *const ctx = mandel_ctx_new(NULL);
            mandel_view *v = NULL;
            int const err = mandel_view_new_bounds(ctx, &v, 3, 3, b[0], b[1], b[2], b[3]);
            FUZZ_CHECK(err == MANDEL_OK || err == MANDEL_EINVAL);
            mandel_view_free(v);
            mandel_ctx_free(ctx);
        } else {
            FUZZ_CHECK(why[0] != '\0');
        }
        break;
    }
    }
    free(text);
    return 0;
}
