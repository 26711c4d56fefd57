/*
 * tests/fuzz/fuzz_npy.c - the .npy reader fed arbitrary bytes: it accepts a well-formed
 * 2-D '<u4'/'<f4' array whose data size matches its shape, or refuses with a message; it
 * never reads past the input or allocates more than the shape needs.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "fuzz_check.h"
#include "mandel.h"


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mandel_ctx *const ctx = mandel_ctx_new(NULL);
    mandel_ctx_set(ctx, MANDEL_OPT_MAX_PIXELS, 1 << 20);
    mandel_npy *npy = NULL;
    int const err = mandel_npy_parse(ctx, data, size, &npy);
    FUZZ_CHECK(err == MANDEL_OK || err == MANDEL_EFORMAT || err == MANDEL_ETOOBIG);
    if (err == MANDEL_OK) {
        uint32_t w, h;
        const void *values;
        const char *comment;
        mandel_npy_get(npy, &w, &h, NULL, &values, &comment);
        FUZZ_CHECK(w > 0 && h > 0 && (uint64_t)w * h * 4 < size && values && comment);
    } else {
        FUZZ_CHECK(npy == NULL && mandel_errmsg(ctx)[0] != '\0');
    }
    mandel_npy_free(npy);
    mandel_ctx_free(ctx);
    return 0;
}
