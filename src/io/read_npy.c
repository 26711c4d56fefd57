/*
 * io/read_npy.c - reads the .npy files mandel writes (and any NumPy 1.0/2.0 file of the
 * same kind): a 2-D, C-ordered array of little-endian uint32 or float32, with the comment
 * mandel puts after the header dict.
 *
 * Invariant: the header is parsed strictly (magic, version, the three keys, the shape) and
 * the data size is checked against the shape before anything is allocated, so a hostile
 * file gets an error, never a huge allocation or a read past its end.
 */
#include "io/image_io.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "field.h"

/* The longest header read: the dict, " # ", a comment of MANDEL_COMMENT_MAX bytes and the
 * padding to 64 bytes, with room to spare. */
#define NPY_HEADER_MAX (MANDEL_COMMENT_MAX + 4096)

struct mandel_npy {
    mandel_allocator alloc;
    uint32_t width, height;
    int is_float;
    void *data;       /* width*height values, host order */
    char *comment;    /* after "} # ", or "" */
};

/* Skips blanks. */
static const char *blanks(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t')) p++;
    return p;
}

/* Expects `word` at p; returns the position after it, or NULL. */
static const char *expect(const char *p, const char *end, const char *word)
{
    p = blanks(p, end);
    size_t const n = strlen(word);
    if ((size_t)(end - p) < n || memcmp(p, word, n) != 0) return NULL;
    return p + n;
}

static const char *number(const char *p, const char *end, uint32_t *out)
{
    p = blanks(p, end);
    uint64_t v = 0;
    const char *const start = p;
    while (p < end && *p >= '0' && *p <= '9' && v <= UINT32_MAX) v = v * 10 + (uint64_t)(*p++ - '0');
    if (p == start || v == 0 || v > UINT32_MAX) return NULL;
    *out = (uint32_t)v;
    return p;
}

/* Parses the header dict "{'descr': '<u4', 'fortran_order': False, 'shape': (H, W), }" in
 * exactly mandel's key order (NumPy writes the same), then an optional " # comment". */
static int parse_dict(mandel_ctx *ctx, const char *p, const char *end, mandel_npy *npy,
                      const char **comment)
{
    const char *q = expect(p, end, "{'descr':");
    FAIL_IF(ctx, q == NULL, MANDEL_EFORMAT, ".npy header: expected {'descr': ...");
    const char *f = expect(q, end, "'<u4'");
    npy->is_float = 0;
    if (f == NULL) {
        f = expect(q, end, "'<f4'");
        npy->is_float = 1;
    }
    FAIL_IF(ctx, f == NULL, MANDEL_EFORMAT, ".npy header: only '<u4' and '<f4' data are read");
    q = expect(f, end, ",");
    if (q) q = expect(q, end, "'fortran_order':");
    if (q) q = expect(q, end, "False");
    FAIL_IF(ctx, q == NULL, MANDEL_EFORMAT, ".npy header: expected 'fortran_order': False");
    q = expect(q, end, ",");
    if (q) q = expect(q, end, "'shape':");
    if (q) q = expect(q, end, "(");
    if (q) q = number(q, end, &npy->height);
    if (q) q = expect(q, end, ",");
    if (q) q = number(q, end, &npy->width);
    if (q) q = expect(q, end, ")");
    FAIL_IF(ctx, q == NULL, MANDEL_EFORMAT, ".npy header: expected a 2-D 'shape': (H, W)");
    const char *const comma = expect(q, end, ",");
    if (comma) q = comma;
    q = expect(q, end, "}");
    FAIL_IF(ctx, q == NULL, MANDEL_EFORMAT, ".npy header: expected '}' after the shape");
    q = blanks(q, end);
    *comment = NULL;
    if (q < end && *q == '#') {
        q = blanks(q + 1, end);
        *comment = q;
    }
    return MANDEL_OK;
}

int mandel_npy_parse(mandel_ctx *ctx, const void *bytes, size_t len, mandel_npy **out)
{
    if (ctx == NULL) return MANDEL_EINVAL;
    ctx_clear(ctx);
    FAIL_IF(ctx, out == NULL || (bytes == NULL && len != 0), MANDEL_EINVAL,
            "bytes or output is NULL");
    *out = NULL;
    const uint8_t *const b = bytes;
    FAIL_IF(ctx, len < 10 || memcmp(b, "\x93NUMPY", 6) != 0, MANDEL_EFORMAT,
            "not a .npy file (no \\x93NUMPY magic)");
    size_t header_len, prefix;
    if (b[6] == 1 && b[7] == 0) {
        header_len = b[8] | (size_t)b[9] << 8;
        prefix = 10;
    } else {
        FAIL_IF(ctx, !(b[6] == 2 && b[7] == 0) || len < 12, MANDEL_EFORMAT,
                ".npy version %u.%u is not read (1.0 and 2.0 are)", b[6], b[7]);
        header_len = b[8] | (size_t)b[9] << 8 | (size_t)b[10] << 16 | (size_t)b[11] << 24;
        prefix = 12;
    }
    FAIL_IF(ctx, header_len > len - prefix, MANDEL_EFORMAT, ".npy header runs past the file");
    FAIL_IF(ctx, header_len > NPY_HEADER_MAX, MANDEL_ETOOBIG,
            ".npy header is %zu bytes, more than a comment of %d bytes needs", header_len,
            MANDEL_COMMENT_MAX);
    const char *const text = (const char *)b + prefix;
    const char *end = text + header_len;
    FAIL_IF(ctx, memchr(text, '\0', header_len) != NULL, MANDEL_EFORMAT,
            ".npy header holds a NUL byte");
    while (end > text && (end[-1] == '\n' || end[-1] == ' ')) end--;
    mandel_npy npy = {.alloc = ctx->alloc};
    const char *comment = NULL;
    CHECK(parse_dict(ctx, text, end, &npy, &comment));
    mandel_rect const shape = {0, 0, npy.width, npy.height};
    size_t bytes_needed;
    FAIL_IF(ctx, mandel_field_size(shape, &bytes_needed) != MANDEL_OK, MANDEL_ETOOBIG,
            ".npy shape (%u, %u) is too large", npy.height, npy.width);
    FAIL_IF(ctx, field_pixels(shape) > ctx->max_pixels, MANDEL_ETOOBIG,
            ".npy shape (%u, %u) exceeds the limit of %llu pixels", npy.height, npy.width,
            (unsigned long long)ctx->max_pixels);
    size_t const data_at = prefix + header_len;
    FAIL_IF(ctx, len - data_at != bytes_needed, MANDEL_EFORMAT,
            ".npy data is %zu bytes; the shape (%u, %u) needs %zu", len - data_at,
            npy.height, npy.width, bytes_needed);
    mandel_npy *const result = ctx_alloc(ctx, sizeof *result);
    size_t const comment_len = comment ? (size_t)(end - comment) : 0;
    FAIL_IF(ctx, comment_len > MANDEL_COMMENT_MAX, MANDEL_ETOOBIG,
            ".npy comment is longer than %d bytes", MANDEL_COMMENT_MAX);
    char *const comment_copy = ctx_alloc(ctx, comment_len + 1);
    void *const data = ctx_alloc(ctx, bytes_needed);
    if (result == NULL || comment_copy == NULL || data == NULL) {
        ctx_free(ctx, result);
        ctx_free(ctx, comment_copy);
        ctx_free(ctx, data);
        return ctx_fail(ctx, MANDEL_ENOMEM, "out of memory for %zu bytes of .npy data",
                        bytes_needed);
    }
    if (comment_len) memcpy(comment_copy, comment, comment_len);
    comment_copy[comment_len] = '\0';
    const uint8_t *const src = b + data_at;
    uint32_t *const dst = data;
    for (size_t i = 0; i < bytes_needed / 4; i++)
        dst[i] = src[4 * i] | (uint32_t)src[4 * i + 1] << 8 | (uint32_t)src[4 * i + 2] << 16 |
                 (uint32_t)src[4 * i + 3] << 24;
    *result = npy;
    result->data = data;
    result->comment = comment_copy;
    *out = result;
    return MANDEL_OK;
}

int mandel_npy_read(mandel_ctx *ctx, const char *path, mandel_npy **out)
{
    if (ctx == NULL) return MANDEL_EINVAL;
    ctx_clear(ctx);
    FAIL_IF(ctx, path == NULL || out == NULL, MANDEL_EINVAL, "path or output is NULL");
    *out = NULL;
    FILE *const f = fopen(path, "rb");
    FAIL_IF(ctx, f == NULL, MANDEL_EIO, "cannot open '%s': %s", path, strerror(errno));
    int err = MANDEL_OK;
    long len = -1;
    if (fseek(f, 0, SEEK_END) == 0) len = ftell(f);
    uint8_t *buf = NULL;
    if (len < 0 || fseek(f, 0, SEEK_SET) != 0) {
        err = ctx_fail(ctx, MANDEL_EIO, "cannot read '%s'", path);
    } else if ((uint64_t)len > ctx->max_pixels * 4 + NPY_HEADER_MAX + 12) {
        err = ctx_fail(ctx, MANDEL_ETOOBIG, "'%s' is larger than the pixel limit allows", path);
    } else if ((uint64_t)len > ctx->max_memory / 2) {
        /* the file's bytes, then the data copied out of them */
        err = ctx_fail(ctx, MANDEL_ETOOBIG, "reading '%s' needs %llu bytes, limit is %llu",
                       path, 2 * (unsigned long long)len, (unsigned long long)ctx->max_memory);
    } else if ((buf = ctx_alloc(ctx, (size_t)len)) == NULL) {
        err = ctx_fail(ctx, MANDEL_ENOMEM, "out of memory reading '%s'", path);
    } else if (fread(buf, 1, (size_t)len, f) != (size_t)len) {
        err = ctx_fail(ctx, MANDEL_EIO, "cannot read '%s'", path);
    } else {
        err = mandel_npy_parse(ctx, buf, (size_t)len, out);
    }
    ctx_free(ctx, buf);
    fclose(f);
    return err;
}

void mandel_npy_get(const mandel_npy *npy, uint32_t *width, uint32_t *height, int *is_float,
                    const void **data, const char **comment)
{
    if (width) *width = npy ? npy->width : 0;
    if (height) *height = npy ? npy->height : 0;
    if (is_float) *is_float = npy ? npy->is_float : 0;
    if (data) *data = npy ? npy->data : NULL;
    if (comment) *comment = npy ? npy->comment : NULL;
}

void mandel_npy_free(mandel_npy *npy)
{
    if (npy == NULL) return;
    mandel_allocator const a = npy->alloc;
    a.free(a.user, npy->data);
    a.free(a.user, npy->comment);
    a.free(a.user, npy);
}
