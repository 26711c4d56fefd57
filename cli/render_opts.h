/*
 * cli/render_opts.h - the options of 'mandel render' (and 'colour'): parsed from a command
 * line, and written back as one (describe) for a picture's comment.
 */
#ifndef MANDEL_CLI_RENDER_OPTS_H
#define MANDEL_CLI_RENDER_OPTS_H

#include <stdbool.h>
#include <stddef.h>

#include "mandel.h"

/* The picture and how it is computed are the spec's (libmandel's mandel_spec: the value
 * grammar, the checks, describe); the rest is the command's own. */
typedef struct render_opts {
    mandel_spec *spec;
    const char *save_location;  /* --save-location FILE.kfr */
    const char *output;         /* -o FILE, "-" for standard output */
    const char *format_name;    /* --format, or NULL: the extension decides */
    int quality;
    bool quiet, stats;
} render_opts;

/* Parses argv (argv[0] is the command) into *o, whose spec it makes on ctx (free it with
 * mandel_spec_free, even after a failure). Returns -1 to go on, else an exit code after
 * printing the problem (or the help text, with 0). */
int render_opts_parse(int argc, char **argv, mandel_ctx *ctx, render_opts *o);

/* Whether argv (argv[0] is the command) holds only options that describe a picture
 * (MANDEL_SPEC_PICTURE), in any spelling getopt_long accepts (abbreviations, --opt=value,
 * bundles): the options --from takes from a picture's comment. Returns 0 if so, else -1
 * with the first other option, word or palette file named in offence (escaped for a
 * terminal). */
int render_opts_picture_only(int argc, char **argv, char *offence, size_t len);

/* --format NAME (png, jpg, jpeg, ppm, pgm, pbm, npy; any case) to a format: 0, or -1 if
 * unknown. */
int render_opts_format(const char *name, mandel_format *format);

/* The picture's format: --format, else the extension of -o (-o - needs --format). -1 to
 * go on, else an exit code after a message. */
int render_opts_choose_format(const render_opts *o, mandel_format *format);

#endif /* MANDEL_CLI_RENDER_OPTS_H */
