/*
 * color/gradient.c - user gradients: a small text file of stops, parsed strictly.
 *
 * Invariant: a gradient is accepted only whole; any line that is not a comment, blank, or
 * a well-formed stop in order is refused with its line number, and the colour settings are
 * left as they were.
 */
#include "color/color.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mandel_internal.h"

#define MAX_STOPS 256
#define MAX_LINE 200

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Parses one stop line "POSITION #rrggbb" (surrounding blanks allowed) into stop[4]. */
static bool parse_stop(const char *line, float stop[4], const char **why)
{
    char *end;
    errno = 0;
    double const pos = strtod(line, &end);
    if (end == line || errno != 0 || !isfinite(pos)) {
        *why = "expected a position from 0 to 1";
        return false;
    }
    if (pos < 0 || pos > 1) {
        *why = "position is outside 0..1";
        return false;
    }
    const char *p = end;
    if (!isblank((unsigned char)*p)) {
        *why = "expected a blank between position and colour";
        return false;
    }
    while (isblank((unsigned char)*p)) p++;
    if (*p != '#') {
        *why = "expected a colour #rrggbb";
        return false;
    }
    int v[6];
    for (int i = 0; i < 6; i++) {
        v[i] = hex_digit(p[1 + i]);
        if (v[i] < 0) {
            *why = "expected a colour #rrggbb";
            return false;
        }
    }
    p += 7;
    while (isblank((unsigned char)*p) || *p == '\r') p++;
    if (*p != '\0') {
        *why = "unexpected text after the colour";
        return false;
    }
    stop[0] = (float)pos;
    for (int ch = 0; ch < 3; ch++) stop[1 + ch] = (float)(v[2 * ch] * 16 + v[2 * ch + 1]);
    return true;
}

int mandel_color_gradient(mandel_ctx *ctx, mandel_color *color, const char *text, size_t len)
{
    if (ctx == NULL) return MANDEL_EINVAL;
    ctx_clear(ctx);
    FAIL_IF(ctx, color == NULL || (text == NULL && len != 0), MANDEL_EINVAL,
            "colour or text is NULL");
    float stops[4 * MAX_STOPS];
    int n = 0, line_no = 0;
    size_t i = 0;
    while (i < len) {
        line_no++;
        size_t j = i;
        while (j < len && text[j] != '\n') j++;
        FAIL_IF(ctx, j - i >= MAX_LINE, MANDEL_EFORMAT, "gradient line %d is too long", line_no);
        FAIL_IF(ctx, memchr(text + i, '\0', j - i) != NULL, MANDEL_EFORMAT,
                "gradient line %d holds a NUL byte", line_no);
        char line[MAX_LINE];
        memcpy(line, text + i, j - i);
        line[j - i] = '\0';
        i = j + 1;
        const char *p = line;
        while (isblank((unsigned char)*p) || *p == '\r') p++;
        if (*p == '\0') continue;
        if (*p == '#' && (p[1] == '\0' || isblank((unsigned char)p[1]))) continue;
        FAIL_IF(ctx, n == MAX_STOPS, MANDEL_EFORMAT, "gradient has more than %d stops",
                MAX_STOPS);
        const char *why = NULL;
        FAIL_IF(ctx, !parse_stop(p, &stops[4 * n], &why), MANDEL_EFORMAT,
                "gradient line %d: %s", line_no, why);
        FAIL_IF(ctx, n > 0 && stops[4 * n] < stops[4 * (n - 1)], MANDEL_EFORMAT,
                "gradient line %d: positions must not decrease", line_no);
        FAIL_IF(ctx, n == 0 && stops[0] != 0.0f, MANDEL_EFORMAT,
                "gradient line %d: the first stop must be at 0", line_no);
        n++;
    }
    FAIL_IF(ctx, n < 2, MANDEL_EFORMAT, "a gradient needs at least 2 stops, not %d", n);
    FAIL_IF(ctx, stops[4 * (n - 1)] != 1.0f, MANDEL_EFORMAT,
            "gradient: the last stop must be at 1");
    palette_from_stops(stops, n, color->table);
    color->palette = -1;
    color->mapping = MANDEL_MAP_CYCLE;
    return MANDEL_OK;
}
