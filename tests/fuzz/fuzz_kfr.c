/*
 * tests/fuzz/fuzz_kfr.c - the .kfr location reader fed arbitrary bytes: it accepts text
 * with valid Re, Im, Zoom and Iterations or refuses with a message naming the problem; an
 * accepted location makes a view (numbers of any length and exponent, parsed by MPFR), or
 * the view refuses it with a message (a depth past 2^26 bits of precision); its location
 * writes and reads back the same.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz_check.h"
#include "mandel.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mandel_ctx *const ctx = mandel_ctx_new(NULL);
    mandel_location *loc = NULL;
    int const err = mandel_location_parse(ctx, (const char *)data, size, &loc);
    FUZZ_CHECK(err == MANDEL_OK || err == MANDEL_EFORMAT);
    if (err != MANDEL_OK) {
        FUZZ_CHECK(loc == NULL && mandel_errmsg(ctx)[0] != '\0');
        mandel_ctx_free(ctx);
        return 0;
    }
    const char *re, *im, *zoom;
    uint32_t iter = 0;
    mandel_location_get(loc, &re, &im, &zoom, &iter);
    FUZZ_CHECK(re && im && zoom && iter > 0);
    mandel_view *view = NULL;
    int const verr = mandel_view_new_zoom(ctx, &view, 2, 2, re, im, zoom);
    FUZZ_CHECK(verr == MANDEL_OK || verr == MANDEL_EINVAL || verr == MANDEL_ETOOBIG);
    FUZZ_CHECK(verr == MANDEL_OK ? view != NULL : mandel_errmsg(ctx)[0] != '\0');
    if (view != NULL) {
        /* The round trip: what is saved reads back as the same texts. */
        char path[] = "/tmp/fuzz-kfr-XXXXXX";
        int const fd = mkstemp(path);
        FUZZ_CHECK(fd >= 0);
        close(fd);
        FUZZ_CHECK(mandel_location_save(ctx, view, iter, path) == MANDEL_OK);
        mandel_location *back = NULL;
        FUZZ_CHECK(mandel_location_read(ctx, path, &back) == MANDEL_OK);
        const char *re2, *im2, *zoom2;
        uint32_t iter2;
        mandel_location_get(back, &re2, &im2, &zoom2, &iter2);
        FUZZ_CHECK(strcmp(re, re2) == 0 && strcmp(im, im2) == 0 && strcmp(zoom, zoom2) == 0 &&
                   iter == iter2);
        mandel_location_free(back);
        unlink(path);
        mandel_view_free(view);
    }
    mandel_location_free(loc);
    mandel_ctx_free(ctx);
    return 0;
}
