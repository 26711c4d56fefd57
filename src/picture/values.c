/*
 * picture/values.c - strict parsers for option values (numbers, sizes, pairs, bounds,
 * colours): the grammar of every value a mandel_spec takes, from a command line, a
 * picture's comment or a URL.
 *
 * Invariant: a value is accepted only if every character of its text was consumed and the
 * number is in range; the reason for a refusal fits in one line.
 */
#include "picture/picture.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool values_u32(const char *text, uint32_t lo, uint32_t hi, uint32_t *out, char *why)
{
    if (*text == '\0' || !isdigit((unsigned char)*text)) {
        snprintf(why, VALUES_WHY_LEN, "not a whole number");
        return false;
    }
    uint64_t v = 0;
    for (const char *p = text; *p != '\0'; p++) {
        if (!isdigit((unsigned char)*p)) {
            snprintf(why, VALUES_WHY_LEN, "not a whole number");
            return false;
        }
        v = v * 10 + (uint64_t)(*p - '0');
        if (v > UINT32_MAX) break;
    }
    if (v < lo || v > hi) {
        snprintf(why, VALUES_WHY_LEN, "must be %u..%u", lo, hi);
        return false;
    }
    *out = (uint32_t)v;
    return true;
}

bool values_double(const char *text, double *out, char *why)
{
    if (*text == '\0' || isspace((unsigned char)*text)) {
        snprintf(why, VALUES_WHY_LEN, "not a number");
        return false;
    }
    char *end;
    errno = 0;
    double const v = strtod(text, &end);
    /* Decimal only: strtod also reads hexadecimal ("0x1p3"), which no view's decimal text,
     * describe() or a shell user means. */
    if (end == text || *end != '\0' || strpbrk(text, "xXpP") != NULL) {
        snprintf(why, VALUES_WHY_LEN, "not a number");
        return false;
    }
    /* strtod answers HUGE_VAL with ERANGE for a number too large, inf without for "inf" */
    if (errno == ERANGE && fabs(v) > 1.0) {
        snprintf(why, VALUES_WHY_LEN, "too large (a double ends at 1.8e308)");
        return false;
    }
    if (!isfinite(v)) {
        snprintf(why, VALUES_WHY_LEN, "not finite");
        return false;
    }
    *out = v;
    return true;
}

bool values_size(const char *text, uint32_t max_side, uint32_t *w, uint32_t *h, char *why)
{
    const char *const x = strpbrk(text, "xX");
    if (x == NULL || strchr(x + 1, 'x') || strchr(x + 1, 'X')) {
        snprintf(why, VALUES_WHY_LEN, "expected WIDTHxHEIGHT");
        return false;
    }
    char width[24];
    size_t const len = (size_t)(x - text);
    if (len == 0 || len >= sizeof width) {
        snprintf(why, VALUES_WHY_LEN, "width must be 1..%u", max_side);
        return false;
    }
    memcpy(width, text, len);
    width[len] = '\0';
    char inner[VALUES_WHY_LEN];
    if (!values_u32(width, 1, max_side, w, inner)) {
        snprintf(why, VALUES_WHY_LEN, "width must be 1..%u", max_side);
        return false;
    }
    if (!values_u32(x + 1, 1, max_side, h, inner)) {
        snprintf(why, VALUES_WHY_LEN, "height must be 1..%u", max_side);
        return false;
    }
    return true;
}

/* Splits `text` at commas into exactly n parts parsed as finite doubles. */
static bool split_doubles(const char *text, int n, double *out, char *why)
{
    const char *p = text;
    for (int i = 0; i < n; i++) {
        const char *const comma = strchr(p, ',');
        bool const last = i == n - 1;
        if (last != (comma == NULL)) {
            snprintf(why, VALUES_WHY_LEN, "expected %d numbers separated by commas", n);
            return false;
        }
        size_t const len = last ? strlen(p) : (size_t)(comma - p);
        char buf[512];
        if (len >= sizeof buf) {
            snprintf(why, VALUES_WHY_LEN, "number %d is too long", i + 1);
            return false;
        }
        memcpy(buf, p, len);
        buf[len] = '\0';
        char inner[VALUES_WHY_LEN];
        if (!values_double(buf, &out[i], inner)) {
            snprintf(why, VALUES_WHY_LEN, "'%.20s' is %.60s", buf, inner);
            return false;
        }
        if (!last) p = comma + 1;
    }
    return true;
}

bool values_pair(char *text, double *a, double *b, const char **a_text, const char **b_text,
               char *why)
{
    char *const comma = strchr(text, ',');
    if (comma == NULL || strchr(comma + 1, ',') != NULL) {
        snprintf(why, VALUES_WHY_LEN, "expected 2 numbers separated by a comma");
        return false;
    }
    *comma = '\0';
    char inner[VALUES_WHY_LEN];
    if (!values_double(text, a, inner)) {
        snprintf(why, VALUES_WHY_LEN, "'%.20s' is %.60s", text, inner);
        return false;
    }
    if (!values_double(comma + 1, b, inner)) {
        snprintf(why, VALUES_WHY_LEN, "'%.20s' is %.60s", comma + 1, inner);
        return false;
    }
    *a_text = text;
    *b_text = comma + 1;
    return true;
}

bool values_bounds(const char *text, double bounds[4], char *why)
{
    if (!split_doubles(text, 4, bounds, why)) return false;
    if (!(bounds[0] < bounds[1])) {
        snprintf(why, VALUES_WHY_LEN, "XMIN must be below XMAX");
        return false;
    }
    if (!(bounds[2] < bounds[3])) {
        snprintf(why, VALUES_WHY_LEN, "YMIN must be below YMAX");
        return false;
    }
    return true;
}

bool values_color(const char *text, uint8_t rgb[3], char *why)
{
    if (text[0] != '#' || strlen(text) != 7 || strspn(text + 1, "0123456789abcdefABCDEF") != 6) {
        snprintf(why, VALUES_WHY_LEN, "expected a colour #rrggbb");
        return false;
    }
    for (int ch = 0; ch < 3; ch++) {
        char const pair[3] = {text[1 + 2 * ch], text[2 + 2 * ch], '\0'};
        rgb[ch] = (uint8_t)strtoul(pair, NULL, 16);
    }
    return true;
}

bool values_positive_decimal(const char *text, char *why)
{
    const char *p = text;
    if (*p == '+') p++;
    size_t const int_digits = strspn(p, "0123456789");
    p += int_digits;
    size_t frac_digits = 0;
    if (*p == '.') {
        frac_digits = strspn(p + 1, "0123456789");
        p += 1 + frac_digits;
    }
    bool ok = int_digits + frac_digits > 0;
    if (ok && (*p == 'e' || *p == 'E')) {
        p++;
        if (*p == '+' || *p == '-') p++;
        size_t const exp_digits = strspn(p, "0123456789");
        /* Any length: how deep is too deep is the library's to say, not "not a number". */
        ok = exp_digits > 0;
        p += exp_digits;
    }
    if (!ok || *p != '\0') {
        snprintf(why, VALUES_WHY_LEN, "%s", text[0] == '-' ? "must be above 0" : "not a number");
        return false;
    }
    /* Zero in any spelling (0, 0.000, 0e5) is not positive. */
    for (const char *q = text; *q != '\0' && *q != 'e' && *q != 'E'; q++) {
        if (*q >= '1' && *q <= '9') return true;
    }
    snprintf(why, VALUES_WHY_LEN, "must be above 0");
    return false;
}
