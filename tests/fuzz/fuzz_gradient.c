/*
 * tests/fuzz/fuzz_gradient.c - the gradient-file parser fed arbitrary bytes: it accepts
 * the text whole or refuses it with a message, and a refusal changes nothing.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "mandel.h"


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mandel_ctx *const ctx = mandel_ctx_new(NULL);
    mandel_color c, before;
    mandel_color_init(&c, 0, 100);
    before = c;
    int const err = mandel_color_gradient(ctx, &c, (const char *)data, size);
    FUZZ_CHECK(err == MANDEL_OK || err == MANDEL_EFORMAT);
    if (err == MANDEL_OK) {
        FUZZ_CHECK(c.palette == -1 && c.mapping == MANDEL_MAP_CYCLE);
        uint32_t const counts[3] = {1, 50, 100};
        uint8_t rgb[9];
        FUZZ_CHECK(mandel_color_rgb(&c, counts, 3, rgb) == MANDEL_OK);
    } else {
        FUZZ_CHECK(mandel_errmsg(ctx)[0] != '\0');
        FUZZ_CHECK(memcmp(&c, &before, sizeof c) == 0);
    }
    mandel_ctx_free(ctx);
    return 0;
}
