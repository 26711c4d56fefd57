/*
 * picture/spec.c - a picture's description (mandel_spec): set option by option with the
 * long option names and value grammar of 'mandel render', checked as a whole, and written
 * back as the command line a picture carries in its comment (describe).
 *
 * Invariant: setting the options that describe() wrote, word by word, gives back a spec
 * whose describe() is the same text (tests/unit/test_spec.c); a stranger's source
 * (mandel_spec_set_untrusted) can set only options of kind MANDEL_SPEC_PICTURE, and a
 * palette only by a built-in name, never a file.
 */
#include "picture/picture.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_SIDE 65535u
#define GRADIENT_MAX 65536 /* bytes of a gradient file */

static const struct {
    const char *name;
    unsigned kind;
} options[SPEC_COUNT] = {
    [SPEC_SIZE] = {"size", MANDEL_SPEC_PICTURE},
    [SPEC_ITERATIONS] = {"iterations", MANDEL_SPEC_PICTURE},
    [SPEC_CENTER] = {"center", MANDEL_SPEC_PICTURE},
    [SPEC_RADIUS] = {"radius", MANDEL_SPEC_PICTURE},
    [SPEC_ZOOM] = {"zoom", MANDEL_SPEC_PICTURE},
    [SPEC_BOUNDS] = {"bounds", MANDEL_SPEC_PICTURE},
    [SPEC_PALETTE] = {"palette", MANDEL_SPEC_PICTURE},
    [SPEC_INTERIOR] = {"interior", MANDEL_SPEC_PICTURE},
    [SPEC_COLOR] = {"color", MANDEL_SPEC_PICTURE},
    [SPEC_FORMULA] = {"formula", MANDEL_SPEC_PICTURE},
    [SPEC_POWER] = {"power", MANDEL_SPEC_PICTURE},
    [SPEC_JULIA] = {"julia", MANDEL_SPEC_PICTURE},
    [SPEC_PERIOD] = {"palette-period", MANDEL_SPEC_PICTURE},
    [SPEC_OFFSET] = {"palette-offset", MANDEL_SPEC_PICTURE},
    [SPEC_NPY] = {"npy", MANDEL_SPEC_PICTURE},
    [SPEC_AA] = {"aa", MANDEL_SPEC_PICTURE},
    /* It changes pixels (filaments a tile's border misses), so a picture says it. */
    [SPEC_GUESS] = {"guess", MANDEL_SPEC_PICTURE | MANDEL_SPEC_FLAG},
    /* So does this (the pixels the deltas cannot settle). */
    [SPEC_EXACT] = {"exact", MANDEL_SPEC_PICTURE | MANDEL_SPEC_FLAG},
    [SPEC_LOCATION] = {"location", MANDEL_SPEC_PATH},
    [SPEC_THREADS] = {"threads", MANDEL_SPEC_MACHINE},
    [SPEC_ENGINE] = {"engine", MANDEL_SPEC_MACHINE},
    [SPEC_ISA] = {"isa", MANDEL_SPEC_MACHINE},
    [SPEC_NO_SHORTCUTS] = {"no-shortcuts", MANDEL_SPEC_MACHINE | MANDEL_SPEC_FLAG},
};

static const char *const color_modes[] = {"count", "smooth", "histogram", "log", "distance"};
static const char *const npy_names[] = {"counts", "smooth", "distance"};

static int find_word(const char *name, const char *const *words, int n)
{
    for (int i = 0; i < n; i++)
        if (strcmp(name, words[i]) == 0) return i;
    return -1;
}

/* The option a name means: its own, or the other spellings 'mandel render' takes. */
static int find_option(const char *name)
{
    if (strcmp(name, "centre") == 0) return SPEC_CENTER;
    if (strcmp(name, "colour") == 0) return SPEC_COLOR;
    for (int i = 0; i < SPEC_COUNT; i++)
        if (strcmp(name, options[i].name) == 0) return i;
    return -1;
}

int mandel_spec_option_info(int index, const char **name, unsigned *kind)
{
    if (index < 0 || index >= SPEC_COUNT) return MANDEL_EINVAL;
    if (name != NULL) *name = options[index].name;
    if (kind != NULL) *kind = options[index].kind;
    return MANDEL_OK;
}

int mandel_spec_option_kind(const char *name, unsigned *kind)
{
    int const o = name != NULL ? find_option(name) : -1;
    if (o < 0) return MANDEL_EINVAL;
    if (kind != NULL) *kind = options[o].kind;
    return MANDEL_OK;
}

/* The defaults of 'mandel render'. */
static void defaults(mandel_spec *s)
{
    s->width = 1200;
    s->height = 800;
    s->max_iter = 1000;
    s->aa = 1;
    s->power = 2;
    s->threads = 0;
    s->center_re = "-0.75";
    s->center_im = "0";
    s->palette = 0;
    s->gradient = false;
    s->formula = MANDEL_FORMULA_MANDELBROT;
    s->color = -1;
    s->npy = NPY_COUNTS;
    s->isa = MANDEL_ISA_AUTO;
    s->engine = MANDEL_ENGINE_AUTO;
}

int mandel_spec_new(mandel_ctx *ctx, mandel_spec **out)
{
    if (ctx == NULL || out == NULL) return MANDEL_EINVAL;
    ctx_clear(ctx);
    *out = NULL;
    mandel_spec *const s = ctx_alloc(ctx, sizeof *s);
    FAIL_IF(ctx, s == NULL, MANDEL_ENOMEM, "out of memory");
    memset(s, 0, sizeof *s);
    s->ctx = ctx;
    defaults(s);
    *out = s;
    return MANDEL_OK;
}

/* What spec_prepare() made, gone (a new option may change it). */
static void unprepare(mandel_spec *s)
{
    mandel_view_free(s->view);
    s->view = NULL;
    mandel_location_free(s->loc);
    s->loc = NULL;
}

void mandel_spec_free(mandel_spec *spec)
{
    if (spec == NULL) return;
    unprepare(spec);
    for (int i = 0; i < SPEC_COUNT; i++) ctx_free(spec->ctx, spec->given[i]);
    ctx_free(spec->ctx, spec->center_copy);
    ctx_free(spec->ctx, spec->describe);
    ctx_free(spec->ctx, spec);
}

/* "--NAME 'VALUE': why", the message 'mandel render' gives for a bad value. */
static int bad_value(mandel_spec *s, int o, const char *value, const char *why)
{
    return ctx_fail(s->ctx, MANDEL_EINVAL, "--%s '%s': %s", options[o].name, value, why);
}

/* Parses `value` for option o into the spec; the text is recorded by the caller. */
static int parse(mandel_spec *s, int o, const char *value, bool untrusted)
{
    char why[VALUES_WHY_LEN];
    switch ((spec_option)o) {
    case SPEC_SIZE:
        if (!values_size(value, MAX_SIDE, &s->width, &s->height, why))
            return bad_value(s, o, value, why);
        return MANDEL_OK;
    case SPEC_ITERATIONS:
        if (!values_u32(value, 1, UINT32_MAX, &s->max_iter, why))
            return bad_value(s, o, value, why);
        return MANDEL_OK;
    case SPEC_CENTER: {
        char *const copy = ctx_strdup(s->ctx, value);
        FAIL_IF(s->ctx, copy == NULL, MANDEL_ENOMEM, "out of memory");
        double re, im;
        const char *a, *b;
        if (!values_pair(copy, &re, &im, &a, &b, why)) {
            ctx_free(s->ctx, copy);
            return bad_value(s, o, value, why);
        }
        ctx_free(s->ctx, s->center_copy);
        s->center_copy = copy;
        s->center_re = a;
        s->center_im = b;
        return MANDEL_OK;
    }
    case SPEC_RADIUS:
    case SPEC_ZOOM:
        if (!values_positive_decimal(value, why)) return bad_value(s, o, value, why);
        return MANDEL_OK;
    case SPEC_BOUNDS:
        if (!values_bounds(value, s->bounds, why)) return bad_value(s, o, value, why);
        return MANDEL_OK;
    case SPEC_PALETTE: {
        int index;
        if (mandel_palette_find(value, &index) == MANDEL_OK) {
            s->palette = index;
            s->gradient = false;
            return MANDEL_OK;
        }
        /* A gradient file is a path: a stranger's picture or URL may not name one. */
        if (untrusted)
            return bad_value(s, o, value, "not a built-in palette (see 'mandel palettes')");
        if (access(value, F_OK) != 0)
            return bad_value(s, o, value,
                             "no such palette (see 'mandel palettes') nor gradient file");
        s->gradient = true;
        return MANDEL_OK;
    }
    case SPEC_INTERIOR:
        if (!values_color(value, s->interior, why)) return bad_value(s, o, value, why);
        return MANDEL_OK;
    case SPEC_COLOR:
        /* color_modes is in color_by's order */
        if ((s->color = find_word(value, color_modes, 5)) < 0)
            return bad_value(s, o, value, "unknown mode (smooth, count, histogram, log, distance)");
        return MANDEL_OK;
    case SPEC_FORMULA:
        for (int f = 0; f < MANDEL_FORMULA_COUNT; f++) {
            if (strcmp(value, mandel_formula_name((mandel_formula)f)) == 0) {
                s->formula = f;
                return MANDEL_OK;
            }
        }
        return bad_value(s, o, value, "unknown formula (mandelbrot, burning-ship, tricorn)");
    case SPEC_POWER:
        if (!values_u32(value, 2, 64, &s->power, why)) return bad_value(s, o, value, why);
        return MANDEL_OK;
    case SPEC_JULIA: {
        char *const copy = ctx_strdup(s->ctx, value);
        FAIL_IF(s->ctx, copy == NULL, MANDEL_ENOMEM, "out of memory");
        const char *a, *b;
        bool const ok = values_pair(copy, &s->julia_re, &s->julia_im, &a, &b, why);
        ctx_free(s->ctx, copy);
        if (!ok) return bad_value(s, o, value, why);
        return MANDEL_OK;
    }
    case SPEC_PERIOD:
        if (!values_double(value, &s->period, why)) return bad_value(s, o, value, why);
        if (!(s->period > 0)) return bad_value(s, o, value, "must be above 0");
        return MANDEL_OK;
    case SPEC_OFFSET:
        if (!values_double(value, &s->offset, why)) return bad_value(s, o, value, why);
        if (s->offset < 0 || s->offset > 1) return bad_value(s, o, value, "must be 0..1");
        return MANDEL_OK;
    case SPEC_NPY: {
        int const n = find_word(value, npy_names, 3);
        if (n < 0) return bad_value(s, o, value, "unknown data (counts, smooth, distance)");
        s->npy = (npy_data)n;
        return MANDEL_OK;
    }
    case SPEC_AA:
        if (!values_u32(value, 1, 8, &s->aa, why)) return bad_value(s, o, value, why);
        return MANDEL_OK;
    case SPEC_LOCATION:
        FAIL_IF(s->ctx, *value == '\0', MANDEL_EINVAL, "--location '': empty file name");
        return MANDEL_OK;
    case SPEC_THREADS:
        if (!values_u32(value, 1, 1024, &s->threads, why)) return bad_value(s, o, value, why);
        return MANDEL_OK;
    case SPEC_ENGINE: {
        int e = 0;
        while (e < MANDEL_ENGINE_COUNT && strcmp(value, mandel_engine_name((mandel_engine)e)) != 0)
            e++;
        if (e == MANDEL_ENGINE_COUNT)
            return bad_value(s, o, value, "unknown engine (auto, double, perturb, mpfr)");
        s->engine = (mandel_engine)e;
        return MANDEL_OK;
    }
    case SPEC_ISA:
        for (int i = 0; i < MANDEL_ISA_COUNT; i++) {
            if (strcmp(value, mandel_isa_name((mandel_isa)i)) == 0) {
                s->isa = (mandel_isa)i;
                return MANDEL_OK;
            }
        }
        return bad_value(s, o, value,
                         "unknown kernel (auto, scalar, generic, sse2, avx2, avx512)");
    case SPEC_GUESS:
    case SPEC_EXACT:
    case SPEC_NO_SHORTCUTS:
        return MANDEL_OK;
    case SPEC_COUNT:
        break;
    }
    return MANDEL_EINVAL;
}

static int set(mandel_spec *s, const char *name, const char *value, bool untrusted)
{
    char clip[CTX_CLIP_LEN];
    int const o = find_option(name);
    FAIL_IF(s->ctx, o < 0, MANDEL_EINVAL, "unknown option '--%s'",
            ctx_clip(name, 40, clip, sizeof clip));
    bool const flag = (options[o].kind & MANDEL_SPEC_FLAG) != 0;
    FAIL_IF(s->ctx, untrusted && !(options[o].kind & MANDEL_SPEC_PICTURE), MANDEL_EINVAL,
            "--%s: not an option a picture may carry (only view, formula, colouring, size, "
            "--aa, --npy, --guess and --exact)", options[o].name);
    FAIL_IF(s->ctx, flag && value != NULL && value[0] != '\0', MANDEL_EINVAL,
            "--%s: takes no value", options[o].name);
    FAIL_IF(s->ctx, !flag && value == NULL, MANDEL_EINVAL, "--%s: missing value",
            options[o].name);
    if (flag) value = "";
    char *const copy = ctx_strdup(s->ctx, value);
    FAIL_IF(s->ctx, copy == NULL, MANDEL_ENOMEM, "out of memory");
    int const err = parse(s, o, value, untrusted);
    if (err != MANDEL_OK) {
        ctx_free(s->ctx, copy);
        return err;
    }
    ctx_free(s->ctx, s->given[o]);
    s->given[o] = copy;
    unprepare(s);
    return MANDEL_OK;
}

int mandel_spec_set(mandel_spec *spec, const char *name, const char *value)
{
    if (spec == NULL || name == NULL) return MANDEL_EINVAL;
    ctx_clear(spec->ctx);
    return set(spec, name, value, false);
}

int mandel_spec_set_untrusted(mandel_spec *spec, const char *name, const char *value)
{
    if (spec == NULL || name == NULL) return MANDEL_EINVAL;
    ctx_clear(spec->ctx);
    return set(spec, name, value, true);
}

const char *mandel_spec_get(const mandel_spec *spec, const char *name)
{
    int const o = spec != NULL && name != NULL ? find_option(name) : -1;
    return o < 0 ? NULL : spec->given[o];
}

/* --location FILE: its centre, zoom and (unless --iterations says) limit. */
static int load_location(mandel_spec *s)
{
    const char *const path = s->given[SPEC_LOCATION];
    if (path == NULL || s->loc != NULL) return MANDEL_OK;
    if (mandel_location_read(s->ctx, path, &s->loc) != MANDEL_OK) {
        char *const why = ctx_strdup(s->ctx, mandel_errmsg(s->ctx));
        int const err = ctx_fail(s->ctx, MANDEL_EIO, "--location '%s': %s", path,
                                 why ? why : "cannot be read");
        ctx_free(s->ctx, why);
        return err;
    }
    uint32_t iterations;
    mandel_location_get(s->loc, NULL, NULL, NULL, &iterations);
    if (s->given[SPEC_ITERATIONS] == NULL) s->max_iter = iterations;
    return MANDEL_OK;
}

/* The centre and the radius or zoom the view is made of (a location's, or the options'). */
static void view_text(const mandel_spec *s, const char **re, const char **im,
                      const char **radius, const char **zoom)
{
    *re = s->center_re;
    *im = s->center_im;
    *zoom = s->given[SPEC_ZOOM];
    *radius = s->given[SPEC_RADIUS] ? s->given[SPEC_RADIUS] : "1.25";
    if (s->loc != NULL) mandel_location_get(s->loc, re, im, zoom, NULL);
}

/* Appends printf-style text to the growing s->describe; on allocation failure it is freed
 * and stays NULL. */
__attribute__((format(printf, 2, 3))) static void append(mandel_spec *s, const char *fmt, ...)
{
    if (s->describe == NULL) return;
    va_list ap;
    va_start(ap, fmt);
    int const extra = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    size_t const used = strlen(s->describe);
    char *const grown = ctx_alloc(s->ctx, used + (size_t)extra + 1);
    if (grown != NULL) {
        memcpy(grown, s->describe, used);
        va_start(ap, fmt);
        vsnprintf(grown + used, (size_t)extra + 1, fmt, ap);
        va_end(ap);
    }
    ctx_free(s->ctx, s->describe);
    s->describe = grown;
}

/* Appends " OPTION VALUE" with VALUE quoted as a shell word (mandel_words_quote). */
static void append_word(mandel_spec *s, const char *option, const char *value)
{
    if (s->describe == NULL) return;
    size_t const len = mandel_words_quote(value, NULL, 0) + 1;
    char *const quoted = ctx_alloc(s->ctx, len);
    if (quoted == NULL) {
        ctx_free(s->ctx, s->describe);
        s->describe = NULL;
        return;
    }
    mandel_words_quote(value, quoted, len);
    append(s, " %s %s", option, quoted);
    ctx_free(s->ctx, quoted);
}

int mandel_spec_describe(mandel_spec *spec, const char **text)
{
    if (spec == NULL || text == NULL) return MANDEL_EINVAL;
    mandel_spec *const s = spec;
    ctx_clear(s->ctx);
    *text = NULL;
    CHECK(load_location(s));
    ctx_free(s->ctx, s->describe);
    s->describe = ctx_strdup(s->ctx, "mandel render");
    char number[128];
    if (s->given[SPEC_BOUNDS] != NULL) {
        snprintf(number, sizeof number, "%.17g,%.17g,%.17g,%.17g", s->bounds[0], s->bounds[1],
                 s->bounds[2], s->bounds[3]);
        append_word(s, "--bounds", number);
    } else {
        const char *re, *im, *radius, *zoom;
        view_text(s, &re, &im, &radius, &zoom);
        size_t const len = strlen(re) + strlen(im) + 2;
        char *const center = ctx_alloc(s->ctx, len);
        if (center != NULL) {
            snprintf(center, len, "%s,%s", re, im);
            append_word(s, "--center", center);
            ctx_free(s->ctx, center);
        } else {
            ctx_free(s->ctx, s->describe);
            s->describe = NULL;
        }
        if (zoom != NULL)
            append_word(s, "--zoom", zoom);
        else
            append_word(s, "--radius", radius);
    }
    append(s, " --size %ux%u --iterations %u", s->width, s->height, s->max_iter);
    if (s->given[SPEC_PALETTE] != NULL) append_word(s, "--palette", s->given[SPEC_PALETTE]);
    if (s->formula != MANDEL_FORMULA_MANDELBROT)
        append_word(s, "--formula", mandel_formula_name((mandel_formula)s->formula));
    if (s->power != 2) append(s, " --power %u", s->power);
    if (s->given[SPEC_JULIA] != NULL) append(s, " --julia %.17g,%.17g", s->julia_re, s->julia_im);
    if (s->given[SPEC_COLOR] != NULL) append_word(s, "--color", s->given[SPEC_COLOR]);
    if (s->given[SPEC_PERIOD] != NULL) append(s, " --palette-period %.17g", s->period);
    if (s->given[SPEC_OFFSET] != NULL) append(s, " --palette-offset %.17g", s->offset);
    if (s->given[SPEC_NPY] != NULL) append_word(s, "--npy", s->given[SPEC_NPY]);
    if (s->aa > 1) append(s, " --aa %u", s->aa);
    if (s->given[SPEC_INTERIOR] != NULL) {
        snprintf(number, sizeof number, "#%02x%02x%02x", s->interior[0], s->interior[1],
                 s->interior[2]);
        append_word(s, "--interior", number);
    }
    if (s->given[SPEC_GUESS] != NULL) append(s, " --guess");
    if (s->given[SPEC_EXACT] != NULL) append(s, " --exact");
    FAIL_IF(s->ctx, s->describe == NULL, MANDEL_ENOMEM, "out of memory");
    *text = s->describe;
    return MANDEL_OK;
}

void mandel_spec_geometry(const mandel_spec *spec, uint32_t *width, uint32_t *height,
                          uint32_t *aa, uint32_t *iterations)
{
    if (width != NULL) *width = spec->width;
    if (height != NULL) *height = spec->height;
    if (aa != NULL) *aa = spec->aa;
    if (iterations != NULL) *iterations = spec->max_iter;
}

int mandel_spec_apply(const mandel_spec *spec, mandel_ctx *ctx)
{
    if (spec == NULL || ctx == NULL) return MANDEL_EINVAL;
    ctx_clear(ctx);
    const mandel_spec *const s = spec;
    if (s->given[SPEC_THREADS] != NULL) CHECK(mandel_ctx_set(ctx, MANDEL_OPT_THREADS, s->threads));
    if (s->given[SPEC_ENGINE] != NULL) CHECK(mandel_ctx_set(ctx, MANDEL_OPT_ENGINE, s->engine));
    if (s->given[SPEC_NO_SHORTCUTS] != NULL) CHECK(mandel_ctx_set(ctx, MANDEL_OPT_SHORTCUTS, 0));
    if (s->given[SPEC_ISA] != NULL && mandel_ctx_set(ctx, MANDEL_OPT_ISA, s->isa) != MANDEL_OK)
        return ctx_fail(ctx, MANDEL_EISA, "--isa '%s': this CPU or build lacks it",
                        mandel_isa_name(s->isa));
    CHECK(mandel_ctx_set(ctx, MANDEL_OPT_GUESS, s->given[SPEC_GUESS] != NULL));
    CHECK(mandel_ctx_set(ctx, MANDEL_OPT_EXACT, s->given[SPEC_EXACT] != NULL));
    CHECK(mandel_ctx_set(ctx, MANDEL_OPT_FORMULA, s->formula));
    CHECK(mandel_ctx_set(ctx, MANDEL_OPT_POWER, s->power));
    CHECK(mandel_ctx_set_julia(ctx, s->given[SPEC_JULIA] != NULL, s->julia_re, s->julia_im));
    return MANDEL_OK;
}

/* --palette FILE: the gradient (at most 64 KiB) into the colour settings. */
static int load_gradient(mandel_spec *s)
{
    const char *const path = s->given[SPEC_PALETTE];
    FILE *const f = fopen(path, "rb");
    FAIL_IF(s->ctx, f == NULL, MANDEL_EIO, "--palette '%s': %s", path, strerror(errno));
    char *const text = ctx_alloc(s->ctx, GRADIENT_MAX);
    if (text == NULL) {
        fclose(f);
        return ctx_fail(s->ctx, MANDEL_ENOMEM, "out of memory");
    }
    size_t const len = fread(text, 1, GRADIENT_MAX, f);
    bool const too_long = len == GRADIENT_MAX;
    bool const failed = ferror(f) != 0;
    fclose(f);
    int err = MANDEL_OK;
    if (failed)
        err = ctx_fail(s->ctx, MANDEL_EIO, "--palette '%s': cannot read it", path);
    else if (too_long)
        err = ctx_fail(s->ctx, MANDEL_EFORMAT, "--palette '%s': a gradient file is at most "
                       "64 KiB", path);
    else if (mandel_color_gradient(s->ctx, &s->colors, text, len) != MANDEL_OK) {
        char *const why = ctx_strdup(s->ctx, mandel_errmsg(s->ctx));
        err = ctx_fail(s->ctx, MANDEL_EFORMAT, "--palette '%s': %s", path, why ? why : "");
        ctx_free(s->ctx, why);
    }
    ctx_free(s->ctx, text);
    return err;
}

const char *spec_palette_name(const mandel_spec *s)
{
    if (s->given[SPEC_PALETTE] != NULL) return s->given[SPEC_PALETTE];
    return mandel_palette_name(s->colors.palette);
}

int spec_prepare(mandel_spec *s, int format, bool from_data)
{
    mandel_ctx *const ctx = s->ctx;
    if (s->view != NULL && s->prepared_format == format && s->prepared_from_data == from_data)
        return MANDEL_OK;
    /* Prepared for another format: the view and the colours depend on the options alone
     * and stand (mandel_spec_view()'s view stays valid); only the format's checks are new. */
    bool const keep = s->view != NULL;
    if (!keep) unprepare(s);
    s->prepared_format = -1; /* until every check below has passed */
    bool const bounds = s->given[SPEC_BOUNDS] != NULL, center = s->given[SPEC_CENTER] != NULL,
               radius = s->given[SPEC_RADIUS] != NULL, zoom = s->given[SPEC_ZOOM] != NULL;
    FAIL_IF(ctx, radius && zoom, MANDEL_EINVAL,
            "--radius and --zoom say the same thing; give one");
    FAIL_IF(ctx, bounds && (center || radius || zoom), MANDEL_EINVAL,
            "--bounds cannot be combined with --center, --radius or --zoom");
    FAIL_IF(ctx, s->given[SPEC_LOCATION] != NULL && (bounds || center || radius || zoom),
            MANDEL_EINVAL, "--location gives the view: it cannot be combined with --bounds, "
            "--center, --radius or --zoom");
    bool const other_formula = s->formula != MANDEL_FORMULA_MANDELBROT;
    FAIL_IF(ctx, s->color == COLOR_BY_DISTANCE && other_formula, MANDEL_EINVAL,
            "--color distance: distance estimates exist for the mandelbrot formula only");
    FAIL_IF(ctx, s->npy == NPY_DISTANCE && other_formula, MANDEL_EINVAL,
            "--npy distance: distance estimates exist for the mandelbrot formula only");
    if (format != 0) {
        FAIL_IF(ctx, s->given[SPEC_NPY] != NULL && format != MANDEL_FORMAT_NPY && !from_data,
                MANDEL_EINVAL, "--npy %s: applies to .npy output only", s->given[SPEC_NPY]);
        FAIL_IF(ctx, s->aa > 1 && (format == MANDEL_FORMAT_PBM || format == MANDEL_FORMAT_NPY),
                MANDEL_EINVAL, "--aa %u: anti-aliasing applies to colour and grey images, not "
                "to .pbm or .npy", s->aa);
        FAIL_IF(ctx, format == MANDEL_FORMAT_JPEG && (s->width > 65500 || s->height > 65500),
                MANDEL_EINVAL, "--size '%ux%u': JPEG images are at most 65500 a side", s->width,
                s->height);
    }
    if (keep) {
        s->prepared_format = format;
        s->prepared_from_data = from_data;
        ctx_clear(ctx);
        return MANDEL_OK;
    }
    FAIL_IF(ctx, s->isa != MANDEL_ISA_AUTO && !mandel_isa_available(s->isa), MANDEL_EISA,
            "--isa '%s': this CPU or build lacks it", mandel_isa_name(s->isa));
    CHECK(load_location(s));

    /* With anti-aliasing the view has aa x aa samples a pixel: same bounds or centre and
     * radius, so its samples are the picture's sub-pixel positions. */
    uint32_t const w = s->width * s->aa, h = s->height * s->aa;
    const char *re, *im, *rad, *zm;
    view_text(s, &re, &im, &rad, &zm);
    int err;
    if (bounds)
        err = mandel_view_new_bounds(ctx, &s->view, w, h, s->bounds[0], s->bounds[1],
                                     s->bounds[2], s->bounds[3]);
    else if (zm != NULL)
        err = mandel_view_new_zoom(ctx, &s->view, w, h, re, im, zm);
    else
        err = mandel_view_new_center(ctx, &s->view, w, h, re, im, rad);
    if (err != MANDEL_OK) return err;

    /* The distance colouring reads best on grey unless a palette was asked for. */
    s->by = s->color >= 0 ? (color_by)s->color : COLOR_BY_SMOOTH;
    int palette = s->palette;
    if (s->by == COLOR_BY_DISTANCE && s->given[SPEC_PALETTE] == NULL)
        mandel_palette_find("grey", &palette);
    if (s->gradient) palette = 0;
    mandel_color_init(&s->colors, palette, s->max_iter);
    /* The matplotlib maps and grey colour counts by default: the tutorial's look. */
    if (s->color < 0 && s->colors.mapping == MANDEL_MAP_RANGE && !s->gradient)
        s->by = COLOR_BY_COUNT;
    /* Beyond double precision every colouring and every --npy works as at shallow zooms
     * (smooth values and distances from the deep engines), for every formula and power
     * (distances for z^2 + c only, as the library says); not yet for Julia sets. */
    bool const deep = s->engine == MANDEL_ENGINE_PERTURB || s->engine == MANDEL_ENGINE_MPFR ||
                      (s->engine == MANDEL_ENGINE_AUTO &&
                       mandel_view_engine(s->view) != MANDEL_ENGINE_DOUBLE);
    FAIL_IF(ctx, deep && s->given[SPEC_JULIA] != NULL, MANDEL_EINVAL,
            "beyond double precision Julia sets cannot be rendered yet");
    if (s->given[SPEC_PERIOD] != NULL) s->colors.period = s->period;
    if (s->given[SPEC_OFFSET] != NULL) s->colors.offset = s->offset;
    if (s->gradient) CHECK(load_gradient(s));
    if (s->given[SPEC_INTERIOR] != NULL) memcpy(s->colors.interior, s->interior, 3);
    s->prepared_format = format;
    s->prepared_from_data = from_data;
    ctx_clear(ctx);
    return MANDEL_OK;
}

int mandel_spec_view(mandel_spec *spec, const mandel_view **view)
{
    if (spec == NULL || view == NULL) return MANDEL_EINVAL;
    ctx_clear(spec->ctx);
    *view = NULL;
    if (spec->view == NULL) CHECK(spec_prepare(spec, 0, false));
    *view = spec->view;
    return MANDEL_OK;
}

int mandel_spec_color(mandel_spec *spec, mandel_color *out)
{
    if (spec == NULL || out == NULL) return MANDEL_EINVAL;
    ctx_clear(spec->ctx);
    if (spec->view == NULL) CHECK(spec_prepare(spec, 0, false));
    *out = spec->colors;
    return MANDEL_OK;
}
