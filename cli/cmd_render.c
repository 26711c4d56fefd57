/*
 * cli/cmd_render.c - 'mandel render' and 'mandel colour': from options to a finished file:
 * the output file and its signals, the picture a render starts from (--from) and the
 * data a colouring starts from. Options live in render_opts.c; the picture itself is the
 * library's (mandel_spec, mandel_picture_write), so every front end makes these bytes.
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
#include "mandel.h"
#include "progress.h"
#include "render_opts.h"

/* The temporary file being written, for the signal handler: a render deep in the set can
 * take minutes per segment, so Ctrl-C removes the file and exits at once rather than
 * waiting for the library to reach a point where it can cancel. */
static char temp_path[4096];
static volatile sig_atomic_t closing_now; /* mandel_image_close() has been called */

/* The handler stays in place until mandel_image_close() has returned, because the
 * temporary exists until close renames it: if the rename came first, unlink finds nothing
 * and the complete file stays; otherwise the temporary goes. No moment leaves it behind. */
static void on_signal(int sig)
{
    (void)sig;
    static const char removed[] = "\nmandel: interrupted; no file written\n";
    static const char other[] = "\nmandel: interrupted\n";
    /* Before close the temporary may have no name yet (O_TMPFILE): then it goes with us. */
    bool const gone = temp_path[0] != '\0' &&
                      (unlink(temp_path) == 0 || (errno == ENOENT && !closing_now));
    ssize_t const w = gone ? write(STDERR_FILENO, removed, sizeof removed - 1)
                           : write(STDERR_FILENO, other, sizeof other - 1);
    (void)w;
    _exit(EXIT_INTERRUPTED);
}

/* Set by 'mandel colour DATA': colour DATA instead of rendering (see cmd_colour). */
static const char *colour_data;

/* A failure of the spec's checks or of the picture: its message, with the exit code of a
 * usage error for a bad option (and for data that is not what its command line says),
 * else of a failure. The library calls saved data "the data": here it has a name. */
static int picture_error(mandel_ctx *ctx, int err, bool usage)
{
    if (err == MANDEL_ECANCELED) return EXIT_INTERRUPTED;
    int const code = usage && (err == MANDEL_EINVAL || err == MANDEL_EISA) ? EXIT_USAGE
                                                                            : EXIT_FAIL;
    const char *const msg = mandel_errmsg(ctx);
    if (colour_data != NULL && strncmp(msg, "the data ", 9) == 0)
        return cli_error(code, "'%s' %s", colour_data, msg + 9);
    return cli_error(code, "%s", msg);
}

/* --stats: one line on stderr, the totals of the picture's renders; with the perturbation
 * engine also where its time went (bench/deep_bench.sh reads it). */
static void print_stats(mandel_ctx *ctx)
{
    mandel_stats d;
    mandel_ctx_stats(ctx, &d);
    double const rate = d.seconds > 0 ? (double)d.iterations / d.seconds : 0;
    char deep[256] = "";
    if (strcmp(d.isa, "perturb") == 0)
        snprintf(deep, sizeof deep, "; orbit %.3f s, bla %.3f s, pixels %.3f s, %llu bla skips "
                                    "(%llu iterations), %llu exact steps, %llu rebases",
                 d.orbit_seconds, d.bla_seconds, d.seconds - d.orbit_seconds - d.bla_seconds,
                 (unsigned long long)d.bla_skips, (unsigned long long)d.bla_iterations,
                 (unsigned long long)d.exact_steps, (unsigned long long)d.rebases);
    char exact[160] = "";
    if (d.exact_seconds > 0)
        snprintf(exact, sizeof exact, "; exact pass %.3f s: %llu pixels redone (%llu in MPFR), "
                                      "%llu counts changed", d.exact_seconds,
                 (unsigned long long)d.exact_pixels, (unsigned long long)d.exact_mpfr,
                 (unsigned long long)d.exact_changed);
    fprintf(stderr, "mandel: %.6f s, %llu iterations, %.3f G iterations/s, %u threads, "
                    "kernel %s%s%s\n", d.seconds, (unsigned long long)d.iterations, rate * 1e-9,
            d.threads, d.isa, deep, exact);
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
    long const n = mandel_words_split(f->comment, f->words, max_words, &why);
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
                                     "--npy, --guess and --exact options", from, offence);
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
    render_opts o = {0};
    mandel_npy *npy = NULL;
    mandel_image *image = NULL;
    mandel_format format;
    progress bar;
    int rc;
    mandel_ctx *const ctx = mandel_ctx_new(NULL);
    if (ctx == NULL) {
        rc = cli_error(EXIT_FAIL, "out of memory");
        goto done;
    }
    if ((rc = render_opts_parse(argc, argv, ctx, &o)) >= 0) goto done;
    if ((rc = render_opts_choose_format(&o, &format)) >= 0) goto done;
    bool const to_stdout = strcmp(o.output, "-") == 0;
    /* As gzip and zstd do: binary data on a terminal is garbage on screen, never wanted. */
    if (to_stdout && isatty(STDOUT_FILENO)) {
        rc = cli_error(EXIT_USAGE, "-o -: standard output is a terminal; redirect it to a "
                                   "file or a pipe");
        goto done;
    }
    const mandel_view *view;
    /* Everything the options can be refused for, before a file exists. */
    int err = colour_data != NULL ? mandel_spec_view(o.spec, &view)
                                  : mandel_spec_check(o.spec, format);
    if (err != MANDEL_OK) {
        rc = picture_error(ctx, err, true);
        goto done;
    }
    if (colour_data != NULL && mandel_npy_read(ctx, colour_data, &npy) != MANDEL_OK) {
        rc = cli_error(EXIT_FAIL, "%s", mandel_errmsg(ctx));
        goto done;
    }
    const char *comment;
    if (mandel_spec_describe(o.spec, &comment) != MANDEL_OK) {
        rc = cli_error(EXIT_FAIL, "%s", mandel_errmsg(ctx));
        goto done;
    }
    uint32_t width, height, iterations;
    mandel_spec_geometry(o.spec, &width, &height, NULL, &iterations);
    const char *const npy_name = mandel_spec_get(o.spec, "npy");
    mandel_image_options const image_opts = {
        .jpeg_quality = o.quality, .comment = comment,
        .npy_float = npy_name != NULL && strcmp(npy_name, "counts") != 0};
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
        to_stdout ? mandel_image_open_stream(ctx, &image, cli_write_stdout, NULL, format, width,
                                             height, &image_opts)
                  : mandel_image_open(ctx, &image, o.output, format, width, height, &image_opts);
    if (opened == MANDEL_OK) {
        snprintf(temp_path, sizeof temp_path, "%s",
                 to_stdout ? "" : mandel_image_temp_path(image));
        cli_set_signals(on_signal);
    }
    pthread_sigmask(SIG_SETMASK, &old_mask, NULL);
    if (opened != MANDEL_OK) {
        rc = cli_error(EXIT_FAIL, "%s", mandel_errmsg(ctx));
        goto done;
    }
    /* The location before the picture: a bad path fails at once, not after the render. */
    if (o.save_location != NULL && (mandel_spec_view(o.spec, &view) != MANDEL_OK ||
                                    mandel_location_save(ctx, view, iterations,
                                                         o.save_location) != MANDEL_OK)) {
        rc = cli_error(EXIT_FAIL, "--save-location: %s", mandel_errmsg(ctx));
        goto done;
    }

    uint32_t aa;
    mandel_spec_geometry(o.spec, NULL, NULL, &aa, NULL);
    progress_init(&bar, o.quiet, (uint64_t)width * height * aa * aa, "rendering");
    if (colour_data != NULL) bar.rendered = bar.total; /* nothing to render */
    mandel_ctx_set_phase_progress(ctx, progress_phase_update, &bar);
    err = colour_data != NULL ? mandel_picture_colour(ctx, o.spec, npy, image)
                              : mandel_picture_write(ctx, o.spec, image);
    progress_done(&bar);
    rc = err == MANDEL_OK ? EXIT_OK : picture_error(ctx, err, colour_data != NULL);
    if (rc == EXIT_OK) {
        /* The handler stays until close has returned (see on_signal): finishing a big file
         * and renaming it take a while, and a signal then must not leave the temporary. */
        mandel_image *const closing = image;
        image = NULL;
        closing_now = 1;
        if (mandel_image_close(closing) != MANDEL_OK)
            rc = cli_error(EXIT_FAIL, "%s", mandel_errmsg(ctx));
        cli_set_signals(SIG_DFL);
        temp_path[0] = '\0';
    }
    if (rc == EXIT_OK && o.stats) print_stats(ctx);
done:
    mandel_npy_free(npy);
    /* Removed before the handler goes, as in the close: a signal in between finds the
     * temporary gone, never left behind. */
    mandel_image_abort(image);
    cli_set_signals(SIG_DFL);
    temp_path[0] = '\0';
    mandel_spec_free(o.spec);
    mandel_ctx_free(ctx);
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
