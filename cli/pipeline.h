/*
 * cli/pipeline.h - from a view to a file: bands of rows rendered, converted to the
 * writer's pixels on the worker threads, and streamed to the image.
 */
#ifndef MANDEL_CLI_PIPELINE_H
#define MANDEL_CLI_PIPELINE_H

#include <stdbool.h>
#include <stdint.h>

#include "mandel.h"
#include "progress.h"

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

typedef struct pipeline {
    /* Filled by the caller before pipeline_prepare(). */
    mandel_ctx *ctx;
    const mandel_view *view;
    mandel_format format;
    mandel_color color;         /* palette and the user's iteration limit */
    const char *palette_name;   /* for messages */
    progress *bar;
    uint32_t aa;                /* samples per pixel side (1 = none); the view has
                                 * aa*width x aa*height samples */
    color_by by;
    npy_data npy;

    /* Set by pipeline_prepare(). */
    mandel_pixels layout;
    uint32_t width, height;     /* of the picture; the view is aa times larger */
    uint32_t render_limit;      /* the iteration limit given to the library */
    bool want_smooth, want_distance;
    bool whole_field;           /* the colouring needs the whole field first */
    uint32_t band_rows;
    size_t row_bytes;           /* of one writer row */
    uint32_t *counts;           /* a band of counts, or the whole field (of samples) */
    float *smooth;              /* the same for smooth values, when wanted */
    float *distance;            /* the same for distances, when wanted */
    uint8_t *samples;           /* with aa > 1: a band of RGB samples, before averaging */
    uint8_t *pixels;            /* a band of writer rows */
    uint32_t rows_out;          /* rows handed to the writer so far */

    /* Totals of pipeline_run(). */
    double seconds;
    uint64_t iterations;
    mandel_stats last;
    mandel_stats deep;          /* the deep engine's fields of mandel_stats, summed */
} pipeline;

/* --stats: one line on stderr, the totals of pipeline_run(); with the perturbation engine
 * also where its time went (bench/deep_bench.sh reads it). */
void pipeline_print_stats(const pipeline *p);

/* Chooses the band size and allocates the buffers, refusing (with a message naming the
 * bytes needed) a picture whose buffers exceed half the machine's memory. Returns -1 to go
 * on, else an exit code. */
int pipeline_prepare(pipeline *p);

/* Renders the whole view into `image`. Returns an exit code. */
int pipeline_run(pipeline *p, mandel_image *image);

/* Instead of pipeline_prepare + pipeline_run: colours saved data (counts, smooth values or
 * distances, as `kind` says) of a width x height picture into `image`. The caller fills
 * ctx, format, color, palette_name, by, and width/height from the data. Returns an exit
 * code. */
int pipeline_colour_data(pipeline *p, const mandel_npy *npy, npy_data kind, mandel_image *image);

void pipeline_free(pipeline *p);

#endif /* MANDEL_CLI_PIPELINE_H */
