/*
 * cli/render_opts.h - the options of 'mandel render' (and 'colour'): parsed from a command
 * line, and written back as one (describe) for a picture's comment.
 */
#ifndef MANDEL_CLI_RENDER_OPTS_H
#define MANDEL_CLI_RENDER_OPTS_H

#include <stdbool.h>
#include <stdint.h>

#include "mandel.h"
#include "pipeline.h"

typedef struct render_opts {
    uint32_t width, height, max_iter, threads, aa;
    const char *center_re, *center_im, *radius_text;
    const char *zoom_text;      /* --zoom, as given */
    const char *location;       /* --location FILE.kfr */
    mandel_location *loc;       /* read from it */
    const char *save_location;  /* --save-location FILE.kfr */
    mandel_engine engine;
    bool have_iterations;
    char *center_copy;
    bool have_bounds, have_center, have_radius, have_zoom;
    double bounds[4];
    const char *palette_name;
    const char *gradient_file;  /* --palette FILE */
    bool palette_given;
    bool have_interior;
    uint8_t interior[3];
    const char *output;         /* -o FILE, "-" for standard output */
    const char *format_name;    /* --format, or NULL: the extension decides */
    int quality;
    mandel_isa isa;
    bool shortcuts, quiet, stats, guess;
    const char *color_name;     /* --color, or NULL for the palette's default */
    const char *formula_name;   /* --formula, or NULL */
    uint32_t power;
    bool julia;
    double julia_re, julia_im;
    const char *julia_text;
    double period, offset;
    bool have_period, have_offset;
    const char *npy_name;       /* --npy, or NULL */
} render_opts;

/* Parses argv (argv[0] is the command) into *o. Returns -1 to go on, else an exit code
 * after printing the problem (or the help text, with 0). */
int render_opts_parse(int argc, char **argv, render_opts *o);

/* The command line that makes this picture again: every option that shapes the picture,
 * none that only affects speed. Free it; NULL when out of memory. */
char *render_opts_describe(const render_opts *o);

/* Whether argv (argv[0] is the command) holds only options that describe a picture, in
 * any spelling getopt_long accepts (abbreviations, --opt=value, bundles): the options
 * --from takes from a picture's comment. Returns 0 if so, else -1 with the first other
 * option, word or palette file named in offence (escaped for a terminal). */
int render_opts_picture_only(int argc, char **argv, char *offence, size_t len);

/* --color, --formula and --npy names to values; -1 if unknown. */
int render_opts_color_by(const char *name);
int render_opts_formula(const char *name);
int render_opts_npy(const char *name);

/* --format NAME (png, jpg, jpeg, ppm, pgm, pbm, npy; any case) to a format: 0, or -1 if
 * unknown. */
int render_opts_format(const char *name, mandel_format *format);

#endif /* MANDEL_CLI_RENDER_OPTS_H */
