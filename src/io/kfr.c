/*
 * io/kfr.c - Kalles Fraktaler location files (.kfr): `Key: value` lines, CRLF or LF.
 * Only Re, Im, Zoom and Iterations matter to us; the colouring keys are skipped.
 *
 * Invariant: a location handed out has all four values, each checked: Re and Im parse as
 * finite numbers, Zoom as a positive one (at any magnitude, through MPFR), Iterations as a
 * whole number 1..2^32-1. Anything else is MANDEL_EFORMAT naming the line.
 */
#include "deep/deep.h"
#include "io/image_io.h"
#include "view.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KFR_MAX_BYTES ((size_t)16 << 20)

struct mandel_location {
    mandel_allocator alloc;
    char *re, *im, *zoom;
    uint32_t iterations;
};

enum { KEY_RE, KEY_IM, KEY_ZOOM, KEY_ITERATIONS, KEY_COUNT };
static const char *const key_names[KEY_COUNT] = {"Re", "Im", "Zoom", "Iterations"};

static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r'; }

static bool is_key_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_';
}

/* Checks `value` for key k. */
static bool kfr_value_ok(int k, const char *value, uint32_t *iterations)
{
    if (k == KEY_ITERATIONS) {
        if (*value < '0' || *value > '9') return false;
        char *end;
        errno = 0;
        unsigned long long const v = strtoull(value, &end, 10);
        if (*end != '\0' || errno != 0 || v == 0 || v > UINT32_MAX) return false;
        *iterations = (uint32_t)v;
        return true;
    }
    double m;
    int64_t e;
    if (!deep_number_parse(value, &m, &e)) return false;
    return k != KEY_ZOOM || m > 0;
}

/* Why kfr_value_ok() refused `value` of key k, for the message: a number beyond MPFR's
 * range is still a number, too deep or too large, and says so. */
static void kfr_why(int k, const char *value, char *buf, size_t size)
{
    deep_number const kind = k == KEY_ITERATIONS ? DEEP_NUMBER_BAD : deep_number_classify(value);
    bool const negative = value[0] == '-';
    if (k == KEY_ZOOM && kind == DEEP_NUMBER_HUGE && !negative)
        snprintf(buf, size, "is deeper than this build supports (about 1e%.0f for a view 4 "
                            "pixels high)", floor(deep_max_zoom_log10(4)));
    else if (k == KEY_ZOOM && kind == DEEP_NUMBER_TINY && !negative)
        snprintf(buf, size, "is too small: a view reaches at most 1e300");
    else if (k != KEY_ZOOM && kind == DEEP_NUMBER_HUGE)
        snprintf(buf, size, "is too large: a view reaches at most 1e300");
    else
        snprintf(buf, size, "is not %s", k == KEY_ITERATIONS ? "a whole number 1..4294967295"
                                         : k == KEY_ZOOM     ? "a number above 0"
                                                             : "a finite number");
}

void mandel_location_free(mandel_location *loc)
{
    if (loc == NULL) return;
    mandel_allocator const a = loc->alloc;
    a.free(a.user, loc->re);
    a.free(a.user, loc->im);
    a.free(a.user, loc->zoom);
    a.free(a.user, loc);
}

static int kfr_parse(mandel_ctx *ctx, const char *text, size_t len, mandel_location *loc)
{
    char *values[KEY_COUNT] = {NULL};
    unsigned line_no = 0;
    size_t pos = 0;
    int err = MANDEL_OK;
    while (pos < len && err == MANDEL_OK) {
        line_no++;
        size_t end = pos;
        while (end < len && text[end] != '\n') end++;
        size_t const next = end < len ? end + 1 : end;
        while (end > pos && is_space(text[end - 1])) end--;
        size_t start = pos;
        while (start < end && is_space(text[start])) start++;
        pos = next;
        if (start == end) continue; /* blank line */
        size_t colon = start;
        while (colon < end && is_key_char(text[colon])) colon++;
        if (colon == start || colon == end || text[colon] != ':') {
            err = ctx_fail(ctx, MANDEL_EFORMAT, "line %u: expected 'Key: value'", line_no);
            break;
        }
        size_t const key_len = colon - start;
        int k = -1;
        for (int i = 0; i < KEY_COUNT; i++)
            if (strlen(key_names[i]) == key_len && memcmp(key_names[i], text + start, key_len) == 0)
                k = i;
        if (k < 0) continue; /* a colouring key */
        if (values[k] != NULL) {
            err = ctx_fail(ctx, MANDEL_EFORMAT, "line %u: %s given twice", line_no,
                           key_names[k]);
            break;
        }
        size_t vstart = colon + 1;
        while (vstart < end && is_space(text[vstart])) vstart++;
        size_t const vlen = end - vstart;
        if (memchr(text + vstart, '\0', vlen) != NULL) {
            err = ctx_fail(ctx, MANDEL_EFORMAT, "line %u: NUL byte in %s", line_no,
                           key_names[k]);
            break;
        }
        values[k] = ctx_alloc(ctx, vlen + 1);
        if (values[k] == NULL) {
            err = ctx_fail(ctx, MANDEL_ENOMEM, "out of memory for a location");
            break;
        }
        memcpy(values[k], text + vstart, vlen);
        values[k][vlen] = '\0';
        if (!kfr_value_ok(k, values[k], &loc->iterations)) {
            char clip[CTX_CLIP_LEN], why[128];
            kfr_why(k, values[k], why, sizeof why);
            err = ctx_fail(ctx, MANDEL_EFORMAT, "line %u: %s '%s' %s", line_no, key_names[k],
                           ctx_clip(values[k], 40, clip, sizeof clip), why);
            break;
        }
    }
    for (int k = 0; k < KEY_COUNT && err == MANDEL_OK; k++)
        if (values[k] == NULL)
            err = ctx_fail(ctx, MANDEL_EFORMAT, "missing key %s", key_names[k]);
    if (err != MANDEL_OK) {
        for (int k = 0; k < KEY_COUNT; k++) ctx_free(ctx, values[k]);
        return err;
    }
    loc->re = values[KEY_RE];
    loc->im = values[KEY_IM];
    loc->zoom = values[KEY_ZOOM];
    ctx_free(ctx, values[KEY_ITERATIONS]); /* kept as a number */
    return MANDEL_OK;
}

int mandel_location_parse(mandel_ctx *ctx, const char *text, size_t len,
                          mandel_location **out)
{
    if (ctx == NULL) return MANDEL_EINVAL;
    ctx_clear(ctx);
    FAIL_IF(ctx, out == NULL || (text == NULL && len > 0), MANDEL_EINVAL,
            "location text or output is NULL");
    *out = NULL;
    mandel_location *const loc = ctx_alloc(ctx, sizeof *loc);
    FAIL_IF(ctx, loc == NULL, MANDEL_ENOMEM, "out of memory for a location");
    memset(loc, 0, sizeof *loc);
    loc->alloc = ctx->alloc;
    int const err = kfr_parse(ctx, text, len, loc);
    if (err != MANDEL_OK) {
        ctx_free(ctx, loc);
        return err;
    }
    *out = loc;
    return MANDEL_OK;
}

int mandel_location_read(mandel_ctx *ctx, const char *path, mandel_location **out)
{
    if (ctx == NULL) return MANDEL_EINVAL;
    ctx_clear(ctx);
    FAIL_IF(ctx, path == NULL || out == NULL, MANDEL_EINVAL, "path or output is NULL");
    *out = NULL;
    FILE *const f = fopen(path, "rb");
    FAIL_IF(ctx, f == NULL, MANDEL_EIO, "cannot open '%s': %s", path, strerror(errno));
    long const size = fseek(f, 0, SEEK_END) == 0 ? ftell(f) : -1;
    if (size < 0 || fseek(f, 0, SEEK_SET) != 0) {
        int const saved = errno;
        fclose(f);
        return ctx_fail(ctx, MANDEL_EIO, "cannot read '%s': %s", path, strerror(saved));
    }
    size_t const cap = (size_t)size > KFR_MAX_BYTES ? KFR_MAX_BYTES + 1 : (size_t)size + 1;
    char *const buf = ctx_alloc(ctx, cap);
    if (buf == NULL) {
        fclose(f);
        return ctx_fail(ctx, MANDEL_ENOMEM, "out of memory reading '%s'", path);
    }
    size_t const len = fread(buf, 1, cap, f);
    bool const bad = ferror(f) != 0;
    int const saved = errno;
    fclose(f);
    int err;
    if (bad)
        err = ctx_fail(ctx, MANDEL_EIO, "cannot read '%s': %s", path, strerror(saved));
    else if (len > KFR_MAX_BYTES)
        err = ctx_fail(ctx, MANDEL_EFORMAT, "'%s' is larger than 16 MiB", path);
    else
        err = mandel_location_parse(ctx, buf, len, out);
    ctx_free(ctx, buf);
    return err;
}

void mandel_location_get(const mandel_location *loc, const char **re, const char **im,
                         const char **zoom, uint32_t *iterations)
{
    if (re) *re = loc ? loc->re : NULL;
    if (im) *im = loc ? loc->im : NULL;
    if (zoom) *zoom = loc ? loc->zoom : NULL;
    if (iterations) *iterations = loc ? loc->iterations : 0;
}

int mandel_location_save(mandel_ctx *ctx, const mandel_view *view, uint32_t iterations,
                         const char *path)
{
    if (ctx == NULL) return MANDEL_EINVAL;
    ctx_clear(ctx);
    FAIL_IF(ctx, view == NULL || path == NULL, MANDEL_EINVAL, "view or path is NULL");
    FAIL_IF(ctx, iterations == 0, MANDEL_EINVAL, "iterations must be at least 1");
    char zoom[64];
    const char *zoom_text = view->zoom;
    if (zoom_text == NULL) {
        /* 2/radius: the map deep_radius_from_zoom applies the other way. A bounds view's
         * radius is half its height in the plane. */
        char radius[40];
        if (view->radius == NULL)
            snprintf(radius, sizeof radius, "%.17g", view->step * view->height / 2);
        bool const ok = deep_radius_from_zoom(view->radius ? view->radius : radius, zoom,
                                              sizeof zoom);
        FAIL_IF(ctx, !ok, MANDEL_EINVAL, "the view's radius has no zoom");
        zoom_text = zoom;
    }
    atomic_file af;
    CHECK(atomic_file_open(ctx, &af, path));
    fprintf(af.fp, "Re: %s\r\nIm: %s\r\nZoom: %s\r\nIterations: %lu\r\n", view->center_re,
            view->center_im, zoom_text, (unsigned long)iterations);
    return atomic_file_commit(ctx, &af);
}
