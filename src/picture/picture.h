/*
 * picture/picture.h - what the files of src/picture/ share: the value parsers (values.c)
 * and the layout of a mandel_spec (spec.c), which the pipeline (picture.c) reads.
 */
#ifndef MANDEL_PICTURE_H
#define MANDEL_PICTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mandel_internal.h"

/* ---- values.c: each parser accepts the whole text or nothing: no leading or trailing
 * junk, no overflow, no NaN or infinity. On failure it writes a short reason into `why`
 * (VALUES_WHY_LEN bytes). */
#define VALUES_WHY_LEN 96

bool values_u32(const char *text, uint32_t lo, uint32_t hi, uint32_t *out, char *why);
bool values_double(const char *text, double *out, char *why);
/* "WxH" with both sides in 1..max_side. */
bool values_size(const char *text, uint32_t max_side, uint32_t *w, uint32_t *h, char *why);
/* "A,B": two finite numbers. `text` is split in place at the comma; *a_text and *b_text
 * point at the two halves, so the centre keeps every digit given. */
bool values_pair(char *text, double *a, double *b, const char **a_text, const char **b_text,
                 char *why);
/* "XMIN,XMAX,YMIN,YMAX": four finite numbers with XMIN < XMAX, YMIN < YMAX. */
bool values_bounds(const char *text, double bounds[4], char *why);
/* A positive decimal number of any magnitude ("3e-5", "1e1086", "5.00E227"): checks the
 * syntax and the sign only, since the value may lie far outside double's range (the
 * view parses it exactly). */
bool values_positive_decimal(const char *text, char *why);
/* "#rrggbb" into rgb[3]. */
bool values_color(const char *text, uint8_t rgb[3], char *why);

/* ---- spec.c ------------------------------------------------------------------------ */

/* The options, in the order mandel_spec_option_info() lists them. */
typedef enum {
    SPEC_SIZE, SPEC_ITERATIONS, SPEC_CENTER, SPEC_RADIUS, SPEC_ZOOM, SPEC_BOUNDS,
    SPEC_PALETTE, SPEC_INTERIOR, SPEC_COLOR, SPEC_FORMULA, SPEC_POWER, SPEC_JULIA,
    SPEC_PERIOD, SPEC_OFFSET, SPEC_NPY, SPEC_AA, SPEC_GUESS, SPEC_EXACT,
    SPEC_LOCATION, SPEC_THREADS, SPEC_ENGINE, SPEC_ISA, SPEC_NO_SHORTCUTS,
    SPEC_COUNT
} spec_option;

/* What colours a pixel (--color). */
typedef enum {
    COLOR_BY_COUNT,      /* the escape count through the palette's mapping */
    COLOR_BY_SMOOTH,     /* the smooth iteration value through the palette's mapping */
    COLOR_BY_HISTOGRAM,  /* the smooth value, histogram-equalised over the picture */
    COLOR_BY_LOG,        /* the smooth value, logarithmically over the picture's range */
    COLOR_BY_DISTANCE,   /* the distance estimate, in pixels */
} color_by;

/* What a .npy holds (--npy). */
typedef enum { NPY_COUNTS, NPY_SMOOTH, NPY_DISTANCE } npy_data;

struct mandel_spec {
    mandel_ctx *ctx;
    char *given[SPEC_COUNT];   /* each option's text as set ("" for a flag), or NULL */
    /* Parsed values; the defaults until an option is given. */
    uint32_t width, height, max_iter, aa, power, threads;
    char *center_copy;         /* --center split in place: center_re, center_im point in */
    const char *center_re, *center_im;
    double bounds[4];
    double julia_re, julia_im;
    double period, offset;
    uint8_t interior[3];
    int palette;               /* a built-in palette's index */
    bool gradient;             /* --palette names a gradient file */
    int formula;
    int color;                 /* a color_by, or -1: the palette's default */
    npy_data npy;
    mandel_isa isa;
    mandel_engine engine;
    /* Made by spec_prepare(): the location read, the view and the colour settings. */
    mandel_location *loc;
    mandel_view *view;
    mandel_color colors;
    color_by by;
    int prepared_format;       /* what the view and colours were made for */
    bool prepared_from_data;
    char *describe;            /* mandel_spec_describe()'s text */
};

/* Reads the location (if any), makes the view (aa times larger each way) and the colour
 * settings (palette, gradient file, period, offset, interior) for a picture in `format`
 * (0: not known yet, the format checks are skipped), and checks the options' combinations.
 * Keeps what it made on the spec; again after a change. MANDEL_OK or an error with its
 * message in the spec's ctx. */
int spec_prepare(mandel_spec *spec, int format, bool from_data);

/* The palette's name, for messages: as given, or the default the colouring chose. */
const char *spec_palette_name(const mandel_spec *spec);

#endif /* MANDEL_PICTURE_H */
