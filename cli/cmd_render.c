/*
 * cli/cmd_render.c - 'mandel render': its options, the view they describe, the output
 * file and its signals. The rendering itself streams through cli/pipeline.c.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "args.h"
#include "cli.h"
#include "mandel.h"
#include "pipeline.h"
#include "progress.h"

#define MAX_SIDE 65535u

static const char help_text[] =
    "Usage: mandel render [options] -o FILE\n"
    "\n"
    "Computes the escape count of every pixel of a view of the Mandelbrot set on all cores\n"
    "and writes the picture. The format follows the extension of FILE:\n"
    "  .png          8-bit RGB (libspng), with the render's parameters in a text chunk\n"
    "  .jpg .jpeg    8-bit RGB (libjpeg-turbo), see --quality\n"
    "  .ppm .pgm     binary Netpbm colour and grey\n"
    "  .pbm          1 bit a pixel: black = reached the iteration limit, white = escaped\n"
    "  .npy          raw data for numpy.load(): uint32 counts, or with --npy smooth or\n"
    "                --npy distance float32 values; 'mandel colour' recolours it\n"
    "\n"
    "View (default: the whole set, centre -0.75,0, radius 1.25):\n"
    "  -c, --center RE,IM      centre of the picture\n"
    "  -r, --radius R          half the picture's height in plane units (R > 0)\n"
    "  -z, --zoom Z            magnification: radius = 2/Z, any depth (e.g. 1e1086); the\n"
    "                          centre may carry as many digits as the depth needs\n"
    "      --bounds XMIN,XMAX,YMIN,YMAX\n"
    "                          sample re = XMIN + i*(XMAX-XMIN)/W, im = YMAX - k*(YMAX-YMIN)/H\n"
    "                          (the tutorial's convention; pixels need not be square)\n"
    "      --location FILE     a Kalles Fraktaler .kfr location: its Re, Im, Zoom and\n"
    "                          Iterations (-i overrides them)\n"
    "  -s, --size WxH          picture size in pixels, 1..65535 a side (default 1200x800)\n"
    "  -i, --iterations N      iteration limit, 1..4294967295 (default 1000)\n"
    "\n"
    "Formula:\n"
    "      --formula NAME      mandelbrot (z^d + c, the default), burning-ship\n"
    "                          ((|Re z| + i|Im z|)^2 + c) or tricorn (conj(z)^2 + c)\n"
    "      --power D           d in z^d + c, 2..64 (default 2: the Mandelbrot set)\n"
    "      --julia RE,IM       the Julia set of c = RE + IM i: z_0 is the pixel\n"
    "                          (e.g. --julia -0.8,0.156 -c 0,0 -r 1.2)\n"
    "\n"
    "Picture:\n"
    "  -p, --palette NAME|FILE colour palette (default 'default'; see 'mandel palettes'),\n"
    "                          or a gradient file: one stop a line, 'POSITION #rrggbb',\n"
    "                          positions from 0 to 1; it cycles with the count.\n"
    "                          viridis: matplotlib's default map from the lowest to the\n"
    "                          highest count, the tutorial's look\n"
    "      --interior #rrggbb  colour of points that never escape (default #000000), for\n"
    "                          the cycling palettes\n"
    "      --color MODE        what colours a pixel:\n"
    "                          smooth     continuous iteration value, no bands (default\n"
    "                                     with cycling palettes and gradient files)\n"
    "                          count      the escape count (default with the matplotlib\n"
    "                                     maps and grey: the tutorial's look)\n"
    "                          histogram  smooth value, equalised over the picture\n"
    "                          log        smooth value on a log scale over the picture\n"
    "                          distance   distance to the set in pixels: filaments crisp at\n"
    "                                     any zoom (default palette grey)\n"
    "                          smooth, histogram, log and distance, other formulas and\n"
    "                          Julia sets use the scalar engine; count the vector kernels\n"
    "      --palette-period P  cycling palettes: one turn per P units of sqrt(iterations)\n"
    "                          (default 8)\n"
    "      --palette-offset F  cycling palettes: start F of a turn later (0..1, default 0)\n"
    "      --aa N              anti-aliasing: N x N samples a pixel (1..8, default 1),\n"
    "                          averaged in linear light; costs N^2 (not for .pbm, .npy)\n"
    "      --quality Q         JPEG quality 1..100 (default 90)\n"
    "      --from PICTURE      start from the options a PNG or JPEG made by mandel was\n"
    "                          rendered with (its comment; see 'mandel info'); options\n"
    "                          given as well override them\n"
    "  -o, --output FILE       where to write; written to a temporary file and renamed\n"
    "                          when complete, so FILE is never left half-written\n"
    "\n"
    "Machine:\n"
    "  -t, --threads N         worker threads, 1..1024 (default: every online CPU)\n"
    "      --engine NAME       auto (default: double precision while it is exact enough,\n"
    "                          perturbation beyond), double, perturb, or mpfr (every pixel\n"
    "                          in MPFR: exact and very slow, for checking)\n"
    "      --isa NAME          kernel: auto, scalar, generic, sse2, avx2, avx512\n"
    "                          (default auto: the best this CPU runs)\n"
    "      --no-shortcuts      iterate every pixel to its end (no interior tests);\n"
    "                          counts are the same, only slower\n"
    "      --guess             Mariani-Silver guessing: fill 32x32 tiles whose border has\n"
    "                          one count without computing inside; faster, but may miss\n"
    "                          filaments (see 'mandel bench' for how many pixels change)\n"
    "  -q, --quiet             no progress bar\n"
    "      --stats             print time, iterations and speed on stderr when done\n"
    "  -h, --help              this text\n"
    "\n"
    "A progress bar appears on stderr when it is a terminal and the work takes longer than\n"
    "half a second. Ctrl-C stops the render and leaves no file.\n"
    "\n"
    "Exit status: 0 success, 1 failure (e.g. cannot write FILE), 2 usage error,\n"
    "130 interrupted.\n"
    "\n"
    "Examples:\n"
    "  mandel render -o mandel.png\n"
    "  mandel render --bounds -2.5,1,-1,1 -s 400x400 -i 1000 -p viridis -o tutorial.png\n"
    "  mandel render --bounds -1.5,0.5,-1,1 -s 16000x16000 -i 50 -o bench.pbm\n"
    "  mandel render -c -0.7436447860,0.1318252536 -r 3e-5 -i 5000 -s 1920x1080 -o sea.jpg\n";

typedef struct render_opts {
    uint32_t width, height, max_iter, threads, aa;
    const char *center_re, *center_im, *radius_text;
    const char *zoom_text;      /* --zoom, as given */
    const char *location;       /* --location FILE.kfr */
    mandel_location *loc;       /* read from it */
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
    const char *output;
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

/* The temporary file being written, for the signal handler: a render deep in the set can
 * take minutes per segment, so Ctrl-C removes the file and exits at once rather than
 * waiting for the library to reach a point where it can cancel. */
static char temp_path[4096];

static void on_signal(int sig)
{
    (void)sig;
    static const char msg[] = "\nmandel: interrupted; no file written\n";
    if (temp_path[0] != '\0') unlink(temp_path);
    ssize_t const w = write(STDERR_FILENO, msg, sizeof msg - 1);
    (void)w;
    _exit(EXIT_INTERRUPTED);
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

enum { OPT_BOUNDS = 256, OPT_QUALITY, OPT_ISA, OPT_NO_SHORTCUTS, OPT_STATS, OPT_GUESS,
       OPT_INTERIOR, OPT_AA, OPT_FROM, OPT_COLOR, OPT_FORMULA, OPT_POWER, OPT_JULIA,
       OPT_PERIOD, OPT_OFFSET, OPT_NPY, OPT_ENGINE, OPT_LOCATION };

static const struct option long_options[] = {
    {"size", required_argument, NULL, 's'},
    {"iterations", required_argument, NULL, 'i'},
    {"center", required_argument, NULL, 'c'},
    {"centre", required_argument, NULL, 'c'},
    {"radius", required_argument, NULL, 'r'},
    {"zoom", required_argument, NULL, 'z'},
    {"bounds", required_argument, NULL, OPT_BOUNDS},
    {"threads", required_argument, NULL, 't'},
    {"palette", required_argument, NULL, 'p'},
    {"quality", required_argument, NULL, OPT_QUALITY},
    {"isa", required_argument, NULL, OPT_ISA},
    {"no-shortcuts", no_argument, NULL, OPT_NO_SHORTCUTS},
    {"stats", no_argument, NULL, OPT_STATS},
    {"guess", no_argument, NULL, OPT_GUESS},
    {"interior", required_argument, NULL, OPT_INTERIOR},
    {"aa", required_argument, NULL, OPT_AA},
    {"from", required_argument, NULL, OPT_FROM},
    {"color", required_argument, NULL, OPT_COLOR},
    {"colour", required_argument, NULL, OPT_COLOR},
    {"formula", required_argument, NULL, OPT_FORMULA},
    {"power", required_argument, NULL, OPT_POWER},
    {"julia", required_argument, NULL, OPT_JULIA},
    {"palette-period", required_argument, NULL, OPT_PERIOD},
    {"palette-offset", required_argument, NULL, OPT_OFFSET},
    {"npy", required_argument, NULL, OPT_NPY},
    {"engine", required_argument, NULL, OPT_ENGINE},
    {"location", required_argument, NULL, OPT_LOCATION},
    {"quiet", no_argument, NULL, 'q'},
    {"output", required_argument, NULL, 'o'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* The option as the user spelled it, for messages: "--size" or "-s". */
static const char *option_name(int c, char *buf, size_t len)
{
    for (const struct option *o = long_options; o->name != NULL; o++) {
        if (o->val == c) {
            snprintf(buf, len, "--%s", o->name);
            return buf;
        }
    }
    snprintf(buf, len, "-%c", c);
    return buf;
}

static int bad_value(int c, const char *value, const char *why)
{
    char name[32];
    return cli_error(EXIT_USAGE, "%s '%s': %s", option_name(c, name, sizeof name), value, why);
}

static int parse_isa(const char *text, mandel_isa *isa)
{
    for (int i = 0; i < MANDEL_ISA_COUNT; i++) {
        if (strcmp(text, mandel_isa_name((mandel_isa)i)) == 0) {
            *isa = (mandel_isa)i;
            return 0;
        }
    }
    return -1;
}

static const char *const color_modes[] = {"count", "smooth", "histogram", "log", "distance"};
static const color_by color_values[] = {COLOR_BY_COUNT, COLOR_BY_SMOOTH, COLOR_BY_HISTOGRAM,
                                        COLOR_BY_LOG, COLOR_BY_DISTANCE};

static int color_mode(const char *name)
{
    for (int i = 0; i < 5; i++)
        if (strcmp(name, color_modes[i]) == 0) return (int)color_values[i];
    return -1;
}

static int formula_of(const char *name)
{
    for (int i = 0; i < MANDEL_FORMULA_COUNT; i++)
        if (strcmp(name, mandel_formula_name((mandel_formula)i)) == 0) return i;
    return -1;
}

static int npy_of(const char *name)
{
    if (strcmp(name, "counts") == 0) return NPY_COUNTS;
    if (strcmp(name, "smooth") == 0) return NPY_SMOOTH;
    if (strcmp(name, "distance") == 0) return NPY_DISTANCE;
    return -1;
}

/* Parses argv into *o. Returns -1 to go on, else an exit code. */
static int parse_options(int argc, char **argv, render_opts *o)
{
    *o = (render_opts){.width = 1200, .height = 800, .max_iter = 1000, .aa = 1, .power = 2,
                       .palette_name = "default", .isa = MANDEL_ISA_AUTO, .shortcuts = true};
    char why[ARGS_WHY_LEN];
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, ":s:i:c:r:z:t:p:o:qh", long_options, NULL)) != -1) {
        switch (c) {
        case 's':
            if (!args_size(optarg, MAX_SIDE, &o->width, &o->height, why))
                return bad_value(c, optarg, why);
            break;
        case 'i':
            if (!args_u32(optarg, 1, UINT32_MAX, &o->max_iter, why))
                return bad_value(c, optarg, why);
            o->have_iterations = true;
            break;
        case 'c': {
            free(o->center_copy);
            o->center_copy = strdup(optarg);
            if (o->center_copy == NULL) return cli_error(EXIT_FAIL, "out of memory");
            double re, im;
            if (!args_pair(o->center_copy, &re, &im, &o->center_re, &o->center_im, why))
                return bad_value(c, optarg, why);
            o->have_center = true;
            break;
        }
        case 'r':
            if (!args_positive_decimal(optarg, why)) return bad_value(c, optarg, why);
            o->radius_text = optarg;
            o->have_radius = true;
            break;
        case 'z':
            if (!args_positive_decimal(optarg, why)) return bad_value(c, optarg, why);
            o->zoom_text = optarg;
            o->have_zoom = true;
            break;
        case OPT_ENGINE: {
            int e = 0;
            while (e < MANDEL_ENGINE_COUNT && strcmp(optarg, mandel_engine_name((mandel_engine)e)) != 0)
                e++;
            if (e == MANDEL_ENGINE_COUNT)
                return bad_value(c, optarg, "unknown engine (auto, double, perturb, mpfr)");
            o->engine = (mandel_engine)e;
            break;
        }
        case OPT_LOCATION:
            o->location = optarg;
            break;
        case OPT_BOUNDS:
            if (!args_bounds(optarg, o->bounds, why)) return bad_value(c, optarg, why);
            o->have_bounds = true;
            break;
        case 't':
            if (!args_u32(optarg, 1, 1024, &o->threads, why)) return bad_value(c, optarg, why);
            break;
        case 'p': {
            int index;
            o->palette_name = optarg;
            o->palette_given = true;
            o->gradient_file = NULL;
            if (mandel_palette_find(optarg, &index) == MANDEL_OK) break;
            if (access(optarg, F_OK) != 0)
                return bad_value(c, optarg,
                                 "no such palette (see 'mandel palettes') nor gradient file");
            o->gradient_file = optarg;
            break;
        }
        case OPT_FROM: break; /* expanded before parsing (expand_from) */
        case OPT_COLOR:
            if (color_mode(optarg) < 0)
                return bad_value(c, optarg, "unknown mode (smooth, count, histogram, log, distance)");
            o->color_name = optarg;
            break;
        case OPT_FORMULA:
            if (formula_of(optarg) < 0)
                return bad_value(c, optarg, "unknown formula (mandelbrot, burning-ship, tricorn)");
            o->formula_name = optarg;
            break;
        case OPT_POWER:
            if (!args_u32(optarg, 2, 64, &o->power, why)) return bad_value(c, optarg, why);
            break;
        case OPT_JULIA: {
            char *const copy = strdup(optarg);
            const char *a, *b;
            bool const ok = copy != NULL &&
                            args_pair(copy, &o->julia_re, &o->julia_im, &a, &b, why);
            free(copy);
            if (!ok) return bad_value(c, optarg, why);
            o->julia = true;
            o->julia_text = optarg;
            break;
        }
        case OPT_PERIOD:
            if (!args_double(optarg, &o->period, why)) return bad_value(c, optarg, why);
            if (!(o->period > 0)) return bad_value(c, optarg, "must be above 0");
            o->have_period = true;
            break;
        case OPT_OFFSET:
            if (!args_double(optarg, &o->offset, why)) return bad_value(c, optarg, why);
            if (o->offset < 0 || o->offset > 1) return bad_value(c, optarg, "must be 0..1");
            o->have_offset = true;
            break;
        case OPT_NPY:
            if (npy_of(optarg) < 0)
                return bad_value(c, optarg, "unknown data (counts, smooth, distance)");
            o->npy_name = optarg;
            break;
        case OPT_AA:
            if (!args_u32(optarg, 1, 8, &o->aa, why)) return bad_value(c, optarg, why);
            break;
        case OPT_INTERIOR:
            if (!args_color(optarg, o->interior, why)) return bad_value(c, optarg, why);
            o->have_interior = true;
            break;
        case OPT_QUALITY: {
            uint32_t q;
            if (!args_u32(optarg, 1, 100, &q, why)) return bad_value(c, optarg, why);
            o->quality = (int)q;
            break;
        }
        case OPT_ISA:
            if (parse_isa(optarg, &o->isa) != 0)
                return bad_value(c, optarg,
                                 "unknown kernel (auto, scalar, generic, sse2, avx2, avx512)");
            break;
        case OPT_NO_SHORTCUTS: o->shortcuts = false; break;
        case OPT_STATS: o->stats = true; break;
        case OPT_GUESS: o->guess = true; break;
        case 'q': o->quiet = true; break;
        case 'o':
            if (*optarg == '\0') return bad_value(c, optarg, "empty file name");
            o->output = optarg;
            break;
        case 'h': fputs(help_text, stdout); return EXIT_OK;
        case ':': {
            char name[32];
            const char *const spelled = argv[optind - 1];
            if (optopt != 0) option_name(optopt, name, sizeof name);
            return cli_error(EXIT_USAGE, "%s: missing value (see 'mandel render --help')",
                             optopt != 0 ? name : spelled);
        }
        default:
            return cli_error(EXIT_USAGE, "unknown option '%s' (see 'mandel render --help')",
                             argv[optind - 1]);
        }
    }
    if (optind < argc)
        return cli_error(EXIT_USAGE, "unexpected argument '%s' (see 'mandel render --help')",
                         argv[optind]);
    if (o->output == NULL)
        return cli_error(EXIT_USAGE, "no output file: give -o FILE (see 'mandel render --help')");
    if (o->have_radius && o->have_zoom)
        return cli_error(EXIT_USAGE, "--radius and --zoom say the same thing; give one");
    if (o->have_bounds && (o->have_center || o->have_radius || o->have_zoom))
        return cli_error(EXIT_USAGE, "--bounds cannot be combined with --center, --radius "
                                     "or --zoom");
    if (o->location != NULL && (o->have_bounds || o->have_center || o->have_radius ||
                                o->have_zoom))
        return cli_error(EXIT_USAGE, "--location gives the view: it cannot be combined with "
                                     "--bounds, --center, --radius or --zoom");
    return -1;
}

/* Appends printf-style text to a growing string; on allocation failure the string is
 * freed and stays NULL. */
__attribute__((format(printf, 2, 3))) static void append(char **text, const char *fmt, ...)
{
    if (*text == NULL) return;
    va_list ap;
    va_start(ap, fmt);
    int const extra = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    size_t const used = strlen(*text);
    char *const grown = realloc(*text, used + (size_t)extra + 1);
    if (grown == NULL) {
        free(*text);
        *text = NULL;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(grown + used, (size_t)extra + 1, fmt, ap);
    va_end(ap);
    *text = grown;
}

/* The command line that makes this picture again, for the PNG/JPEG comment and --from:
 * every option that shapes the picture, none that only affects speed. NULL when out of
 * memory. */
static char *describe(const render_opts *o)
{
    char *text = strdup("mandel render");
    if (o->have_bounds)
        append(&text, " --bounds %.17g,%.17g,%.17g,%.17g", o->bounds[0], o->bounds[1],
               o->bounds[2], o->bounds[3]);
    else if (o->zoom_text != NULL)
        append(&text, " --center %s,%s --zoom %s", o->center_re ? o->center_re : "-0.75",
               o->center_im ? o->center_im : "0", o->zoom_text);
    else
        append(&text, " --center %s,%s --radius %s", o->center_re ? o->center_re : "-0.75",
               o->center_im ? o->center_im : "0", o->radius_text ? o->radius_text : "1.25");
    append(&text, " --size %ux%u --iterations %u", o->width, o->height, o->max_iter);
    if (o->palette_given) append(&text, " --palette %s", o->palette_name);
    if (o->formula_name != NULL && strcmp(o->formula_name, "mandelbrot") != 0)
        append(&text, " --formula %s", o->formula_name);
    if (o->power != 2) append(&text, " --power %u", o->power);
    if (o->julia) append(&text, " --julia %.17g,%.17g", o->julia_re, o->julia_im);
    if (o->color_name != NULL) append(&text, " --color %s", o->color_name);
    if (o->have_period) append(&text, " --palette-period %.17g", o->period);
    if (o->have_offset) append(&text, " --palette-offset %.17g", o->offset);
    if (o->npy_name != NULL) append(&text, " --npy %s", o->npy_name);
    if (o->aa > 1) append(&text, " --aa %u", o->aa);
    if (o->have_interior)
        append(&text, " --interior #%02x%02x%02x", o->interior[0], o->interior[1],
               o->interior[2]);
    if (o->guess) append(&text, " --guess");
    return text;
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
    mandel_ctx_set(ctx, MANDEL_OPT_FORMULA, o->formula_name ? formula_of(o->formula_name) : 0);
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
    npy_data const kind = o->npy_name ? (npy_data)npy_of(o->npy_name) : NPY_COUNTS;
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

/* Splits a picture's comment "mandel render ARG..." into words. Returns the number of words
 * after "mandel render", or -1 if the comment is not such a command line. */
static int split_command(char *text, char **words, int max_words)
{
    int n = 0;
    for (char *w = strtok(text, " "); w != NULL; w = strtok(NULL, " ")) {
        if (n == max_words) return -1;
        words[n++] = w;
    }
    if (n < 2 || strcmp(words[0], "mandel") != 0 || strcmp(words[1], "render") != 0) return -1;
    return n - 2;
}

#define MAX_ARGS 256

/* --from FILE: the options stored in FILE's comment come first, then the user's own (which
 * override them). Fills new_argv (argv[0] first) and returns its length, 0 without --from,
 * or -(exit code) after an error message. */
static int expand_from(int argc, char **argv, char **new_argv, char *comment, size_t len)
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
    mandel_ctx *const ctx = mandel_ctx_new(NULL);
    if (ctx == NULL) return -cli_error(EXIT_FAIL, "out of memory");
    int const err = mandel_image_comment(ctx, from, comment, len);
    if (err != MANDEL_OK) {
        int const code = cli_error(EXIT_FAIL, "--from: %s", mandel_errmsg(ctx));
        mandel_ctx_free(ctx);
        return -code;
    }
    mandel_ctx_free(ctx);
    char *words[MAX_ARGS];
    int const n = split_command(comment, words, MAX_ARGS);
    if (n < 0) return -cli_error(EXIT_FAIL, "--from '%s': its comment is not a mandel command", from);
    int k = 0;
    new_argv[k++] = argv[0];
    for (int i = 0; i < n; i++) new_argv[k++] = words[2 + i];
    int const skip = strcmp(argv[at], "--from") == 0 ? 2 : 1;
    for (int i = 1; i < argc && k < 2 * MAX_ARGS; i++) {
        if (i >= at && i < at + skip) continue;
        new_argv[k++] = argv[i];
    }
    return k;
}

int cmd_render(int argc, char **argv)
{
    static char from_comment[65536];
    char *from_argv[2 * MAX_ARGS + 1];
    int const expanded = argc <= MAX_ARGS
                             ? expand_from(argc, argv, from_argv, from_comment, sizeof from_comment)
                             : -cli_error(EXIT_USAGE, "too many arguments");
    if (expanded < 0) return -expanded;
    if (expanded > 0) {
        argc = expanded;
        argv = from_argv;
    }
    render_opts o;
    int rc = parse_options(argc, argv, &o);
    mandel_npy *npy = NULL;
    char *comment = NULL;
    mandel_ctx *ctx = NULL;
    mandel_view *view = NULL;
    mandel_image *image = NULL;
    progress bar;
    pipeline p = {.bar = &bar, .palette_name = o.palette_name};
    if (rc >= 0) goto done;

    if (mandel_format_from_path(o.output, &p.format) != MANDEL_OK) {
        rc = cli_error(EXIT_USAGE, "-o '%s': unknown extension (use .png, .jpg, .jpeg, .ppm, "
                                   ".pgm, .pbm or .npy)", o.output);
        goto done;
    }
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
    p.by = o.color_name ? (color_by)color_mode(o.color_name) : COLOR_BY_SMOOTH;
    if (p.by == COLOR_BY_DISTANCE && !o.palette_given) o.palette_name = "grey";
    int palette = 0;
    mandel_palette_find(o.palette_name, &palette);
    mandel_color_init(&p.color, palette, o.max_iter);
    /* The matplotlib maps and grey colour counts by default: the tutorial's look. */
    if (o.color_name == NULL && p.color.mapping == MANDEL_MAP_RANGE && o.gradient_file == NULL)
        p.by = COLOR_BY_COUNT;
    /* Beyond double precision the engines give counts only, for now: colour those. */
    bool const deep = o.engine == MANDEL_ENGINE_PERTURB || o.engine == MANDEL_ENGINE_MPFR ||
                      (o.engine == MANDEL_ENGINE_AUTO &&
                       mandel_view_engine(view) != MANDEL_ENGINE_DOUBLE);
    if (deep && o.color_name == NULL) p.by = COLOR_BY_COUNT;
    if (deep && (p.by != COLOR_BY_COUNT || o.formula_name != NULL || o.julia || o.power != 2 ||
                 (o.npy_name != NULL && strcmp(o.npy_name, "counts") != 0))) {
        rc = cli_error(EXIT_USAGE, "beyond double precision only the escape counts of the "
                                   "Mandelbrot set can be rendered yet (--color count)");
        goto done;
    }
    if (o.have_period) p.color.period = o.period;
    if (o.have_offset) p.color.offset = o.offset;
    p.npy = o.npy_name ? (npy_data)npy_of(o.npy_name) : NPY_COUNTS;
    if (o.gradient_file != NULL && (rc = load_gradient(ctx, &p.color, o.gradient_file)) >= 0)
        goto done;
    if (o.have_interior) memcpy(p.color.interior, o.interior, 3);
    p.ctx = ctx;
    p.view = view;
    p.aa = o.aa;
    p.palette_name = o.palette_name;
    if (colour_data != NULL && (rc = load_data(ctx, &o, &p, &npy)) >= 0) goto done;
    if (colour_data == NULL && (rc = pipeline_prepare(&p)) >= 0) goto done;

    comment = describe(&o);
    if (comment == NULL) {
        rc = cli_error(EXIT_FAIL, "out of memory");
        goto done;
    }
    mandel_image_options const image_opts = {
        .jpeg_quality = o.quality, .comment = comment, .npy_float = p.npy != NPY_COUNTS};
    if (mandel_image_open(ctx, &image, o.output, p.format, o.width, o.height, &image_opts) !=
        MANDEL_OK) {
        rc = cli_error(EXIT_FAIL, "%s", mandel_errmsg(ctx));
        goto done;
    }

    snprintf(temp_path, sizeof temp_path, "%s", mandel_image_temp_path(image));
    set_signals(on_signal);
    progress_init(&bar, o.quiet, (uint64_t)o.width * o.height, "rendering");
    mandel_ctx_set_progress(ctx, progress_update, &bar);
    if (colour_data != NULL)
        rc = pipeline_colour_data(&p, npy, o.npy_name ? (npy_data)npy_of(o.npy_name) : NPY_COUNTS,
                                  image);
    else
        rc = pipeline_run(&p, image);
    progress_done(&bar);
    if (rc == EXIT_OK) {
        /* From here the file is renamed into place: a signal now takes the default action
         * after the rename instead of removing a temporary that no longer exists. */
        set_signals(SIG_DFL);
        temp_path[0] = '\0';
        mandel_image *const closing = image;
        image = NULL;
        if (mandel_image_close(closing) != MANDEL_OK)
            rc = cli_error(EXIT_FAIL, "%s", mandel_errmsg(ctx));
    }
    if (rc == EXIT_OK && o.stats) {
        double const rate = p.seconds > 0 ? (double)p.iterations / p.seconds : 0;
        fprintf(stderr, "mandel: %.4f s, %llu iterations, %.3f G iterations/s, %u threads, "
                        "kernel %s\n", p.seconds, (unsigned long long)p.iterations, rate * 1e-9,
                p.last.threads, p.last.isa);
    }
done:
    mandel_npy_free(npy);
    free(comment);
    set_signals(SIG_DFL);
    temp_path[0] = '\0';
    mandel_image_abort(image);
    pipeline_free(&p);
    mandel_view_free(view);
    mandel_ctx_free(ctx);
    free(o.center_copy);
    mandel_location_free(o.loc);
    return rc;
}

int cmd_colour(int argc, char **argv)
{
    if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        puts("Usage: mandel colour DATA.npy [options] -o PICTURE\n\n"
             "Colours data saved by 'mandel render ... -o DATA.npy' (counts, or --npy smooth,\n"
             "or --npy distance) without iterating again. The data's header holds the command\n"
             "that made it; its options apply, and colour options given here override them:\n"
             "  -p, --palette NAME|FILE, --color MODE, --interior #rrggbb,\n"
             "  --palette-period P, --palette-offset F, --quality Q, -q\n"
             "(see 'mandel render --help'). The picture equals what 'mandel render' with the\n"
             "same options makes, pixel for pixel.\n\n"
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
