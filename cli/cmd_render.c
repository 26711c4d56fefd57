/*
 * cli/cmd_render.c - 'mandel render' and 'mandel colour': from options to a finished file:
 * the view, the output file and its signals, the picture a render starts from (--from)
 * and the data a colouring starts from. Options live in render_opts.c; the rendering
 * streams through pipeline.c.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "comment.h"
#include "mandel.h"
#include "pipeline.h"
#include "progress.h"
#include "render_opts.h"

/* The temporary file being written, for the signal handler: a render deep in the set can
 * take minutes per segment, so Ctrl-C removes the file and exits at once rather than
 * waiting for the library to reach a point where it can cancel. */
static char temp_path[4096];

/* The handler stays in place until mandel_image_close() has returned, because the
 * temporary exists until close renames it: if the rename came first, unlink finds nothing
 * and the complete file stays; otherwise the temporary goes. No moment leaves it behind. */
static void on_signal(int sig)
{
    (void)sig;
    static const char removed[] = "\nmandel: interrupted; no file written\n";
    static const char other[] = "\nmandel: interrupted\n";
    bool const gone = temp_path[0] != '\0' && unlink(temp_path) == 0;
    ssize_t const w = gone ? write(STDERR_FILENO, removed, sizeof removed - 1)
                           : write(STDERR_FILENO, other, sizeof other - 1);
    (void)w;
    _exit(EXIT_INTERRUPTED);
}

/* -o -: the picture's bytes to standard output; a failure's errno (EPIPE when the reader
 * has gone: main ignores SIGPIPE) becomes the library's message. */
static int write_stdout(void *user, const void *bytes, size_t len)
{
    (void)user;
    const char *at = bytes;
    while (len > 0) {
        ssize_t const n = write(STDOUT_FILENO, at, len);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            /* A non-blocking pipe (the reader's choice): wait until it takes more. */
            struct pollfd pfd = {.fd = STDOUT_FILENO, .events = POLLOUT};
            if (poll(&pfd, 1, -1) >= 0 || errno == EINTR) continue;
            return errno;
        }
        if (n < 0) return errno;
        at += n;
        len -= (size_t)n;
    }
    return 0;
}

/* The picture's format: --format, else the extension of -o; -1 to go on. */
static int choose_format(const render_opts *o, mandel_format *format)
{
    bool const to_stdout = strcmp(o->output, "-") == 0;
    if (o->format_name != NULL) {
        render_opts_format(o->format_name, format);
    } else if (to_stdout) {
        return cli_error(EXIT_USAGE, "-o -: standard output has no extension; say what to "
                                     "write with --format png|jpg|ppm|pgm|pbm|npy");
    } else if (mandel_format_from_path(o->output, format) != MANDEL_OK) {
        return cli_error(EXIT_USAGE, "-o '%s': unknown extension (use .png, .jpg, .jpeg, .ppm, "
                                     ".pgm, .pbm or .npy, or --format)", o->output);
    }
    /* As gzip and zstd do: binary data on a terminal is garbage on screen, never wanted. */
    if (to_stdout && isatty(STDOUT_FILENO))
        return cli_error(EXIT_USAGE, "-o -: standard output is a terminal; redirect it to a "
                                     "file or a pipe");
    return -1;
}

static void set_signals(void (*handler)(int))
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = handler;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
}

static int make_view(mandel_ctx *ctx, const render_opts *o, mandel_view **view)
{
    int err;
    /* With anti-aliasing the view has aa x aa samples a pixel: same bounds or centre and
     * radius, so its samples are the picture's sub-pixel positions. */
    uint32_t const w = o->width * o->aa, h = o->height * o->aa;
    const char *const re = o->center_re ? o->center_re : "-0.75";
    const char *const im = o->center_im ? o->center_im : "0";
    if (o->have_bounds)
        err = mandel_view_new_bounds(ctx, view, w, h, o->bounds[0], o->bounds[1], o->bounds[2],
                                     o->bounds[3]);
    else if (o->zoom_text != NULL)
        err = mandel_view_new_zoom(ctx, view, w, h, re, im, o->zoom_text);
    else
        err = mandel_view_new_center(ctx, view, w, h, re, im,
                                     o->radius_text ? o->radius_text : "1.25");
    if (err == MANDEL_EINVAL) return cli_error(EXIT_USAGE, "%s", mandel_errmsg(ctx));
    if (err != MANDEL_OK) return cli_error(EXIT_FAIL, "%s", mandel_errmsg(ctx));
    return -1;
}

/* --location FILE: the view and default limit of a .kfr file. Returns -1 to go on. */
static int read_location(mandel_ctx *ctx, render_opts *o)
{
    if (o->location == NULL) return -1;
    if (mandel_location_read(ctx, o->location, &o->loc) != MANDEL_OK)
        return cli_error(EXIT_FAIL, "--location '%s': %s", o->location, mandel_errmsg(ctx));
    uint32_t iterations;
    mandel_location_get(o->loc, &o->center_re, &o->center_im, &o->zoom_text, &iterations);
    if (!o->have_iterations) o->max_iter = iterations;
    o->have_center = o->have_zoom = true;
    return -1;
}

/* Reads a gradient file (at most 64 KiB) into the colour settings. Returns -1 to go on. */
static int load_gradient(mandel_ctx *ctx, mandel_color *color, const char *path)
{
    FILE *const f = fopen(path, "rb");
    if (f == NULL) return cli_error(EXIT_FAIL, "--palette '%s': %s", path, strerror(errno));
    static char text[65536];
    size_t const len = fread(text, 1, sizeof text, f);
    bool const too_long = len == sizeof text;
    bool const failed = ferror(f) != 0;
    fclose(f);
    if (failed) return cli_error(EXIT_FAIL, "--palette '%s': cannot read it", path);
    if (too_long) return cli_error(EXIT_FAIL, "--palette '%s': a gradient file is at most 64 KiB",
                                   path);
    if (mandel_color_gradient(ctx, color, text, len) != MANDEL_OK)
        return cli_error(EXIT_FAIL, "--palette '%s': %s", path, mandel_errmsg(ctx));
    return -1;
}

static int setup_ctx(mandel_ctx *ctx, const render_opts *o)
{
    if (o->threads != 0) mandel_ctx_set(ctx, MANDEL_OPT_THREADS, o->threads);
    mandel_ctx_set(ctx, MANDEL_OPT_SHORTCUTS, o->shortcuts);
    mandel_ctx_set(ctx, MANDEL_OPT_GUESS, o->guess);
    mandel_ctx_set(ctx, MANDEL_OPT_FORMULA,
                   o->formula_name ? render_opts_formula(o->formula_name) : 0);
    mandel_ctx_set(ctx, MANDEL_OPT_POWER, o->power);
    mandel_ctx_set_julia(ctx, o->julia, o->julia_re, o->julia_im);
    if (mandel_ctx_set(ctx, MANDEL_OPT_ISA, o->isa) != MANDEL_OK)
        return cli_error(EXIT_USAGE, "--isa '%s': this CPU or build lacks it",
                         mandel_isa_name(o->isa));
    return -1;
}

/* Set by 'mandel colour DATA': colour DATA instead of rendering (see cmd_colour). */
static const char *colour_data;

/* mandel colour: reads the data and checks it is what its command line says. Returns -1
 * to go on. */
static int load_data(mandel_ctx *ctx, const render_opts *o, pipeline *p, mandel_npy **npy)
{
    if (mandel_npy_read(ctx, colour_data, npy) != MANDEL_OK)
        return cli_error(EXIT_FAIL, "%s", mandel_errmsg(ctx));
    uint32_t w, h;
    int is_float;
    mandel_npy_get(*npy, &w, &h, &is_float, NULL, NULL);
    bool const want_float = o->npy_name != NULL && strcmp(o->npy_name, "counts") != 0;
    if (w != o->width || h != o->height)
        return cli_error(EXIT_USAGE, "'%s' holds %ux%u values, not the %ux%u of --size",
                         colour_data, w, h, o->width, o->height);
    if (is_float != want_float)
        return cli_error(EXIT_FAIL, "'%s' holds %s, but its command line says --npy %s",
                         colour_data, is_float ? "float32" : "uint32",
                         o->npy_name ? o->npy_name : "counts");
    if (o->aa > 1) return cli_error(EXIT_USAGE, "--aa: saved data cannot be anti-aliased");
    npy_data const kind = o->npy_name ? (npy_data)render_opts_npy(o->npy_name) : NPY_COUNTS;
    if ((kind == NPY_DISTANCE) != (p->by == COLOR_BY_DISTANCE))
        return cli_error(EXIT_USAGE, "'%s' holds %s: colour it with --color %s", colour_data,
                         kind == NPY_DISTANCE ? "distances" : "iteration values",
                         kind == NPY_DISTANCE ? "distance" : "smooth, count, histogram or log");
    /* Counts have no fraction: smooth colouring of counts is count colouring; smooth values
     * are all there is of smooth data. */
    if (kind == NPY_COUNTS && p->by == COLOR_BY_SMOOTH) p->by = COLOR_BY_COUNT;
    if (kind == NPY_SMOOTH && p->by == COLOR_BY_COUNT) p->by = COLOR_BY_SMOOTH;
    return -1;
}

#define MAX_ARGS 256

/* What --from read: the comment (split in place into its words) and the command line made
 * of those words and the user's, which the options point into until the render is done. */
typedef struct from_args {
    char *comment;
    char **words;
    char **argv;
} from_args;

static void from_free(from_args *f)
{
    free(f->comment);
    free(f->words);
    free(f->argv);
}

/* Reads FILE's comment, checks that it is a mandel command of picture options only and
 * splits it into f->words. Returns the number of words after "mandel render", or
 * -(exit code) after an error message. */
static long read_from(const char *from, from_args *f)
{
    f->comment = malloc(MANDEL_COMMENT_MAX + 1);
    mandel_ctx *const ctx = mandel_ctx_new(NULL);
    if (ctx == NULL || f->comment == NULL) {
        mandel_ctx_free(ctx);
        return -cli_error(EXIT_FAIL, "out of memory");
    }
    int const err = mandel_image_comment(ctx, from, f->comment, MANDEL_COMMENT_MAX + 1);
    if (err != MANDEL_OK) {
        int const code = cli_error(EXIT_FAIL, "--from: %s", mandel_errmsg(ctx));
        mandel_ctx_free(ctx);
        return -code;
    }
    mandel_ctx_free(ctx);
    size_t const max_words = (strlen(f->comment) + 1) / 2 + 1;
    f->words = malloc(max_words * sizeof *f->words);
    if (f->words == NULL) return -cli_error(EXIT_FAIL, "out of memory");
    const char *why = NULL;
    long const n = comment_split(f->comment, f->words, max_words, &why);
    if (n < 0)
        return -cli_error(EXIT_FAIL, "--from '%s': its comment holds %s", from, why);
    if (n < 2 || strcmp(f->words[0], "mandel") != 0 || strcmp(f->words[1], "render") != 0)
        return -cli_error(EXIT_FAIL, "--from '%s': its comment is not a mandel command", from);
    /* Refused, not dropped: a picture that asks to write files or to set up the machine
     * was crafted, and rendering the rest of it would make something its sender did not
     * describe either. */
    char offence[160];
    if (render_opts_picture_only((int)n - 1, f->words + 1, offence, sizeof offence) != 0)
        return -cli_error(EXIT_FAIL, "--from '%s': refused: its comment holds %s; a picture "
                                     "may carry only view, formula, colouring, size, --aa, "
                                     "--npy and --guess options", from, offence);
    return n - 2;
}

/* --from FILE: the options stored in FILE's comment come first, then the user's own (which
 * override them). Fills f->argv (argv[0] first) and returns its length, 0 without --from,
 * or -(exit code) after an error message. */
static long expand_from(int argc, char **argv, from_args *f)
{
    const char *from = NULL;
    int at = -1;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--from") == 0 && i + 1 < argc) {
            from = argv[i + 1];
            at = i;
        } else if (strncmp(argv[i], "--from=", 7) == 0) {
            from = argv[i] + 7;
            at = i;
        }
    }
    if (from == NULL) return 0;
    long const n = read_from(from, f);
    if (n < 0) return n;
    f->argv = malloc(((size_t)n + (size_t)argc + 1) * sizeof *f->argv);
    if (f->argv == NULL) return -cli_error(EXIT_FAIL, "out of memory");
    long k = 0;
    f->argv[k++] = argv[0];
    for (long i = 0; i < n; i++) f->argv[k++] = f->words[2 + i];
    int const skip = strcmp(argv[at], "--from") == 0 ? 2 : 1;
    for (int i = 1; i < argc; i++) {
        if (i >= at && i < at + skip) continue;
        f->argv[k++] = argv[i];
    }
    f->argv[k] = NULL;
    return k;
}

int cmd_render(int argc, char **argv)
{
    from_args from = {NULL, NULL, NULL};
    long const expanded = expand_from(argc, argv, &from);
    if (expanded < 0) {
        from_free(&from);
        return (int)-expanded;
    }
    if (expanded > 0) {
        argc = (int)expanded;
        argv = from.argv;
    }
    render_opts o;
    int rc = render_opts_parse(argc, argv, &o);
    mandel_npy *npy = NULL;
    char *comment = NULL;
    mandel_ctx *ctx = NULL;
    mandel_view *view = NULL;
    mandel_image *image = NULL;
    progress bar;
    pipeline p = {.bar = &bar, .palette_name = o.palette_name};
    if (rc >= 0) goto done;

    if ((rc = choose_format(&o, &p.format)) >= 0) goto done;
    bool const to_stdout = strcmp(o.output, "-") == 0;
    if (o.color_name != NULL && strcmp(o.color_name, "distance") == 0 && o.formula_name != NULL &&
        strcmp(o.formula_name, "mandelbrot") != 0) {
        rc = cli_error(EXIT_USAGE, "--color distance: distance estimates exist for the "
                                   "mandelbrot formula only");
        goto done;
    }
    if (o.npy_name != NULL && strcmp(o.npy_name, "distance") == 0 && o.formula_name != NULL &&
        strcmp(o.formula_name, "mandelbrot") != 0) {
        rc = cli_error(EXIT_USAGE, "--npy distance: distance estimates exist for the "
                                   "mandelbrot formula only");
        goto done;
    }
    if (o.npy_name != NULL && p.format != MANDEL_FORMAT_NPY && colour_data == NULL) {
        rc = cli_error(EXIT_USAGE, "--npy %s: applies to .npy output only", o.npy_name);
        goto done;
    }
    if (o.aa > 1 && (p.format == MANDEL_FORMAT_PBM || p.format == MANDEL_FORMAT_NPY)) {
        rc = cli_error(EXIT_USAGE, "--aa %u: anti-aliasing applies to colour and grey images, "
                                   "not to .pbm or .npy", o.aa);
        goto done;
    }
    if (p.format == MANDEL_FORMAT_JPEG && (o.width > 65500 || o.height > 65500)) {
        rc = cli_error(EXIT_USAGE, "--size '%ux%u': JPEG images are at most 65500 a side",
                       o.width, o.height);
        goto done;
    }
    ctx = mandel_ctx_new(NULL);
    if (ctx == NULL) {
        rc = cli_error(EXIT_FAIL, "out of memory");
        goto done;
    }
    if ((rc = setup_ctx(ctx, &o)) >= 0) goto done;
    mandel_ctx_set(ctx, MANDEL_OPT_ENGINE, o.engine);
    if ((rc = read_location(ctx, &o)) >= 0) goto done;
    if ((rc = make_view(ctx, &o, &view)) >= 0) goto done;
    /* The distance colouring reads best on grey unless a palette was asked for. */
    p.by = o.color_name ? (color_by)render_opts_color_by(o.color_name) : COLOR_BY_SMOOTH;
    if (p.by == COLOR_BY_DISTANCE && !o.palette_given) o.palette_name = "grey";
    int palette = 0;
    mandel_palette_find(o.palette_name, &palette);
    mandel_color_init(&p.color, palette, o.max_iter);
    /* The matplotlib maps and grey colour counts by default: the tutorial's look. */
    if (o.color_name == NULL && p.color.mapping == MANDEL_MAP_RANGE && o.gradient_file == NULL)
        p.by = COLOR_BY_COUNT;
    /* Beyond double precision every colouring and every --npy works as at shallow zooms
     * (smooth values and distances from the deep engines), for the Mandelbrot set. */
    bool const deep = o.engine == MANDEL_ENGINE_PERTURB || o.engine == MANDEL_ENGINE_MPFR ||
                      (o.engine == MANDEL_ENGINE_AUTO &&
                       mandel_view_engine(view) != MANDEL_ENGINE_DOUBLE);
    if (deep && ((o.formula_name != NULL && strcmp(o.formula_name, "mandelbrot") != 0) ||
                 o.julia || o.power != 2)) {
        rc = cli_error(EXIT_USAGE, "beyond double precision only the Mandelbrot set (z^2 + c) "
                                   "can be rendered yet");
        goto done;
    }
    if (o.have_period) p.color.period = o.period;
    if (o.have_offset) p.color.offset = o.offset;
    p.npy = o.npy_name ? (npy_data)render_opts_npy(o.npy_name) : NPY_COUNTS;
    if (o.gradient_file != NULL && (rc = load_gradient(ctx, &p.color, o.gradient_file)) >= 0)
        goto done;
    if (o.have_interior) memcpy(p.color.interior, o.interior, 3);
    p.ctx = ctx;
    p.view = view;
    p.aa = o.aa;
    p.palette_name = o.palette_name;
    if (colour_data != NULL && (rc = load_data(ctx, &o, &p, &npy)) >= 0) goto done;
    if (colour_data == NULL && (rc = pipeline_prepare(&p)) >= 0) goto done;

    comment = render_opts_describe(&o);
    if (comment == NULL) {
        rc = cli_error(EXIT_FAIL, "out of memory");
        goto done;
    }
    mandel_image_options const image_opts = {
        .jpeg_quality = o.quality, .comment = comment, .npy_float = p.npy != NPY_COUNTS};
    /* The temporary must never exist without the handler that removes it: the signals wait
     * from just before it is created until the handler knows its name. (Threads the
     * library starts meanwhile keep them blocked, so they come to this thread.) */
    sigset_t stop_signals, old_mask;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    sigaddset(&stop_signals, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &stop_signals, &old_mask);
    int const opened =
        to_stdout ? mandel_image_open_stream(ctx, &image, write_stdout, NULL, p.format,
                                             o.width, o.height, &image_opts)
                  : mandel_image_open(ctx, &image, o.output, p.format, o.width, o.height,
                                      &image_opts);
    if (opened == MANDEL_OK) {
        snprintf(temp_path, sizeof temp_path, "%s",
                 to_stdout ? "" : mandel_image_temp_path(image));
        set_signals(on_signal);
    }
    pthread_sigmask(SIG_SETMASK, &old_mask, NULL);
    if (opened != MANDEL_OK) {
        rc = cli_error(EXIT_FAIL, "%s", mandel_errmsg(ctx));
        goto done;
    }
    /* The location before the picture: a bad path fails at once, not after the render. */
    if (o.save_location != NULL &&
        mandel_location_save(ctx, view, o.max_iter, o.save_location) != MANDEL_OK) {
        rc = cli_error(EXIT_FAIL, "--save-location: %s", mandel_errmsg(ctx));
        goto done;
    }

    progress_init(&bar, o.quiet, (uint64_t)o.width * o.height, "rendering");
    mandel_ctx_set_phase_progress(ctx, progress_phase_update, &bar);
    if (colour_data != NULL)
        rc = pipeline_colour_data(&p, npy, o.npy_name ? (npy_data)render_opts_npy(o.npy_name) : NPY_COUNTS,
                                  image);
    else
        rc = pipeline_run(&p, image);
    progress_done(&bar);
    if (rc == EXIT_OK) {
        /* The handler stays until close has returned (see on_signal): finishing a big file
         * and renaming it take a while, and a signal then must not leave the temporary. */
        mandel_image *const closing = image;
        image = NULL;
        if (mandel_image_close(closing) != MANDEL_OK)
            rc = cli_error(EXIT_FAIL, "%s", mandel_errmsg(ctx));
        set_signals(SIG_DFL);
        temp_path[0] = '\0';
    }
    if (rc == EXIT_OK && o.stats) pipeline_print_stats(&p);
done:
    mandel_npy_free(npy);
    free(comment);
    /* Removed before the handler goes, as in the close: a signal in between finds the
     * temporary gone, never left behind. */
    mandel_image_abort(image);
    set_signals(SIG_DFL);
    temp_path[0] = '\0';
    pipeline_free(&p);
    mandel_view_free(view);
    mandel_ctx_free(ctx);
    free(o.center_copy);
    mandel_location_free(o.loc);
    from_free(&from);
    return rc;
}

int cmd_colour(int argc, char **argv)
{
    if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        puts("Usage: mandel colour DATA.npy [options] -o PICTURE\n"
             "       mandel colour DATA.npy [options] -o - --format FORMAT\n\n"
             "Colours data saved by 'mandel render ... -o DATA.npy' (counts, or --npy smooth,\n"
             "or --npy distance) without iterating again. The data's header holds the command\n"
             "that made it; its options apply, and colour options given here override them:\n"
             "  -p, --palette NAME|FILE, --color MODE, --interior #rrggbb,\n"
             "  --palette-period P, --palette-offset F, --quality Q, -q, --stats\n"
             "(see 'mandel render --help'). The picture equals what 'mandel render' with the\n"
             "same options makes, pixel for pixel. -o, --output and --format work as for\n"
             "'mandel render': '-o - --format png' writes the picture to standard output.\n\n"
             "Example:\n"
             "  mandel render -s 1920x1080 -o data.npy --npy smooth\n"
             "  mandel colour data.npy -p magma -o magma.png\n\n"
             "Exit status: 0 success, 1 failure, 2 usage error.");
        return EXIT_OK;
    }
    if (argc < 2 || argv[1][0] == '-')
        return cli_error(EXIT_USAGE, "colour: give the data file first (see 'mandel colour --help')");
    if (argc + 2 > MAX_ARGS) return cli_error(EXIT_USAGE, "too many arguments");
    char *args[MAX_ARGS + 3];
    int n = 0;
    args[n++] = argv[0];
    args[n++] = "--from";
    args[n++] = argv[1];
    for (int i = 2; i < argc; i++) args[n++] = argv[i];
    args[n] = NULL;
    colour_data = argv[1];
    return cmd_render(n, args);
}
