/*
 * cli/render_opts.c - the options of 'mandel render': the manual, the strict parser, and
 * the command line written back from the options (describe), which pictures carry.
 *
 * Invariant: parsing what describe() wrote gives back options that make the same picture.
 */
#include "render_opts.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "args.h"
#include "cli.h"
#include "comment.h"

#define MAX_SIDE 65535u

/* getopt_long's short options; the leading ':' makes a missing value answer ':'. */
#define SHORT_OPTIONS ":s:i:c:r:z:t:p:o:qh"

static const char help_text[] =
    "Usage: mandel render [options] -o FILE\n"
    "\n"
    "Computes the escape count of every pixel of a view of the Mandelbrot set on all cores\n"
    "and writes the picture. The format follows the extension of FILE, or --format:\n"
    "  .png          8-bit RGB (libspng), with the render's parameters in a text chunk\n"
    "  .jpg .jpeg    8-bit RGB (libjpeg-turbo), see --quality\n"
    "  .ppm .pgm     binary Netpbm colour and grey\n"
    "  .pbm          1 bit a pixel: black = reached the iteration limit, white = escaped\n"
    "  .npy          raw data for numpy.load(): uint32 counts, or with --npy smooth or\n"
    "                --npy distance float32 values; 'mandel colour' recolours it (a\n"
    "                header above numpy's 10000 bytes, a centre of thousands of digits,\n"
    "                loads with numpy.load(FILE, max_header_size=2**21))\n"
    "\n"
    "View (default: the whole set, centre -0.75,0, radius 1.25):\n"
    "  -c, --center RE,IM      centre of the picture (also spelled --centre)\n"
    "  -r, --radius R          half the picture's height in plane units (R > 0)\n"
    "  -z, --zoom Z            magnification: radius = 2/Z, any depth (e.g. 1e1086); the\n"
    "                          centre may carry as many digits as the depth needs\n"
    "      --bounds XMIN,XMAX,YMIN,YMAX\n"
    "                          sample re = XMIN + i*(XMAX-XMIN)/W, im = YMAX - k*(YMAX-YMIN)/H\n"
    "                          (the tutorial's convention; pixels need not be square)\n"
    "      --location FILE     a Kalles Fraktaler .kfr location: its Re, Im, Zoom and\n"
    "                          Iterations (-i overrides them)\n"
    "      --save-location FILE\n"
    "                          also write the view as a .kfr location (Re, Im, Zoom,\n"
    "                          Iterations; every digit of the centre), for --location\n"
    "                          or Kalles Fraktaler\n"
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
    "      --color MODE        what colours a pixel (also spelled --colour):\n"
    "                          smooth     continuous iteration value, no bands (default\n"
    "                                     with cycling palettes and gradient files)\n"
    "                          count      the escape count (default with the matplotlib\n"
    "                                     maps and grey: the tutorial's look)\n"
    "                          histogram  smooth value, equalised over the picture\n"
    "                          log        smooth value on a log scale over the picture\n"
    "                          distance   distance to the set in pixels: filaments crisp at\n"
    "                                     any zoom (default palette grey)\n"
    "                          distance, powers above 2 and smooth values of the Burning\n"
    "                          Ship and Tricorn use the scalar engine; the rest the vector\n"
    "                          kernels; beyond double precision every mode works for the\n"
    "                          Mandelbrot set (perturbation engine)\n"
    "      --palette-period P  cycling palettes: one turn per P units of sqrt(iterations)\n"
    "                          (default 8)\n"
    "      --palette-offset F  cycling palettes: start F of a turn later (0..1, default 0)\n"
    "      --aa N              anti-aliasing: N x N samples a pixel (1..8, default 1),\n"
    "                          averaged in linear light; costs N^2 (not for .pbm, .npy)\n"
    "      --quality Q         JPEG quality 1..100 (default 90)\n"
    "      --npy DATA          what a .npy holds: counts (uint32, the default), smooth or\n"
    "                          distance (float32; distances in pixels)\n"
    "      --from PICTURE      start from the options a PNG, JPEG or .npy made by mandel\n"
    "                          was rendered with (its comment; see 'mandel info');\n"
    "                          options given as well override them. Only options that\n"
    "                          describe a picture are taken: view, -s, -i, formula,\n"
    "                          colouring, a built-in palette, --aa, --npy, --guess. A\n"
    "                          comment that holds any other (-o, --save-location,\n"
    "                          --location, a palette file, --threads, --engine, ...) is\n"
    "                          refused whole (exit 1), not trimmed: it was crafted, and\n"
    "                          the rest of it is not what its sender described either\n"
    "  -o, --output FILE       where to write; written to a temporary file and renamed\n"
    "                          when complete, so FILE is never left half-written.\n"
    "                          '-' writes to standard output (with --format; not to a\n"
    "                          terminal), for a pipeline\n"
    "      --format FORMAT     png, jpg, ppm, pgm, pbm or npy, whatever FILE's extension\n"
    "                          (jpeg is jpg)\n"
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
    "half a second; with -o - nothing but the picture goes to standard output. Ctrl-C\n"
    "stops the render and leaves no file. A closed pipe ends it with exit status 1.\n"
    "\n"
    "Exit status: 0 success, 1 failure (e.g. cannot write FILE), 2 usage error,\n"
    "130 interrupted.\n"
    "\n"
    "Examples:\n"
    "  mandel render -o mandel.png\n"
    "  mandel render --bounds -2.5,1,-1,1 -s 400x400 -i 1000 -p viridis -o tutorial.png\n"
    "  mandel render --bounds -1.5,0.5,-1,1 -s 16000x16000 -i 50 -o bench.pbm\n"
    "  mandel render -c -0.7436447860,0.1318252536 -r 3e-5 -i 5000 -s 1920x1080 -o sea.jpg\n"
    "  mandel render -s 640x480 -o - --format png | display\n";

enum { OPT_BOUNDS = 256, OPT_QUALITY, OPT_ISA, OPT_NO_SHORTCUTS, OPT_STATS, OPT_GUESS,
       OPT_INTERIOR, OPT_AA, OPT_FROM, OPT_COLOR, OPT_FORMULA, OPT_POWER, OPT_JULIA,
       OPT_PERIOD, OPT_OFFSET, OPT_NPY, OPT_ENGINE, OPT_LOCATION,
       OPT_SAVE_LOCATION, OPT_FORMAT };

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
    {"save-location", required_argument, NULL, OPT_SAVE_LOCATION},
    {"quiet", no_argument, NULL, 'q'},
    {"output", required_argument, NULL, 'o'},
    {"format", required_argument, NULL, OPT_FORMAT},
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

int render_opts_color_by(const char *name)
{
    for (int i = 0; i < 5; i++)
        if (strcmp(name, color_modes[i]) == 0) return (int)color_values[i];
    return -1;
}

int render_opts_formula(const char *name)
{
    for (int i = 0; i < MANDEL_FORMULA_COUNT; i++)
        if (strcmp(name, mandel_formula_name((mandel_formula)i)) == 0) return i;
    return -1;
}

int render_opts_npy(const char *name)
{
    if (strcmp(name, "counts") == 0) return NPY_COUNTS;
    if (strcmp(name, "smooth") == 0) return NPY_SMOOTH;
    if (strcmp(name, "distance") == 0) return NPY_DISTANCE;
    return -1;
}

int render_opts_format(const char *name, mandel_format *format)
{
    /* The extension table knows the names: "x.NAME" has the format NAME names. */
    char path[16];
    if (strlen(name) + 3 > sizeof path || strchr(name, '.') != NULL || *name == '\0') return -1;
    snprintf(path, sizeof path, "x.%s", name);
    return mandel_format_from_path(path, format) == MANDEL_OK ? 0 : -1;
}

int render_opts_parse(int argc, char **argv, render_opts *o)
{
    *o = (render_opts){.width = 1200, .height = 800, .max_iter = 1000, .aa = 1, .power = 2,
                       .palette_name = "default", .isa = MANDEL_ISA_AUTO, .shortcuts = true};
    char why[ARGS_WHY_LEN];
    opterr = 0;
    optind = 0; /* 0, not 1: glibc then forgets any state of an earlier, unfinished parse */
    int c;
    while ((c = getopt_long(argc, argv, SHORT_OPTIONS, long_options, NULL)) != -1) {
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
        case OPT_SAVE_LOCATION:
            if (*optarg == '\0') return bad_value(c, optarg, "empty file name");
            if (strcmp(optarg, "-") == 0)
                return bad_value(c, optarg, "a location is written to a file only (standard "
                                            "output is for the picture)");
            o->save_location = optarg;
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
        case OPT_FROM:
            /* expand_from() took out the --from it read; another (or an abbreviation of
             * it, which getopt_long accepts) would be ignored without a word. */
            return cli_error(EXIT_USAGE, "--from: give it once, spelled out in full "
                                         "(--from PICTURE)");
        case OPT_COLOR:
            if (render_opts_color_by(optarg) < 0)
                return bad_value(c, optarg, "unknown mode (smooth, count, histogram, log, distance)");
            o->color_name = optarg;
            break;
        case OPT_FORMULA:
            if (render_opts_formula(optarg) < 0)
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
            if (render_opts_npy(optarg) < 0)
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
        case OPT_FORMAT: {
            mandel_format f;
            if (render_opts_format(optarg, &f) != 0)
                return bad_value(c, optarg, "unknown format (png, jpg, ppm, pgm, pbm, npy)");
            o->format_name = optarg;
            break;
        }
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

/* Appends " OPTION VALUE" with VALUE quoted as a shell word (comment_quote). */
static void append_word(char **text, const char *option, const char *value)
{
    if (*text == NULL) return;
    char *const quoted = comment_quote(value);
    if (quoted == NULL) {
        free(*text);
        *text = NULL;
        return;
    }
    append(text, " %s %s", option, quoted);
    free(quoted);
}

char *render_opts_describe(const render_opts *o)
{
    char *text = strdup("mandel render");
    char number[128];
    if (o->have_bounds) {
        snprintf(number, sizeof number, "%.17g,%.17g,%.17g,%.17g", o->bounds[0], o->bounds[1],
                 o->bounds[2], o->bounds[3]);
        append_word(&text, "--bounds", number);
    } else {
        const char *const re = o->center_re ? o->center_re : "-0.75";
        const char *const im = o->center_im ? o->center_im : "0";
        char *const center = malloc(strlen(re) + strlen(im) + 2);
        if (center == NULL) {
            free(text);
            return NULL;
        }
        sprintf(center, "%s,%s", re, im);
        append_word(&text, "--center", center);
        free(center);
        if (o->zoom_text != NULL)
            append_word(&text, "--zoom", o->zoom_text);
        else
            append_word(&text, "--radius", o->radius_text ? o->radius_text : "1.25");
    }
    append(&text, " --size %ux%u --iterations %u", o->width, o->height, o->max_iter);
    if (o->palette_given) append_word(&text, "--palette", o->palette_name);
    if (o->formula_name != NULL && strcmp(o->formula_name, "mandelbrot") != 0)
        append_word(&text, "--formula", o->formula_name);
    if (o->power != 2) append(&text, " --power %u", o->power);
    if (o->julia) append(&text, " --julia %.17g,%.17g", o->julia_re, o->julia_im);
    if (o->color_name != NULL) append_word(&text, "--color", o->color_name);
    if (o->have_period) append(&text, " --palette-period %.17g", o->period);
    if (o->have_offset) append(&text, " --palette-offset %.17g", o->offset);
    if (o->npy_name != NULL) append_word(&text, "--npy", o->npy_name);
    if (o->aa > 1) append(&text, " --aa %u", o->aa);
    if (o->have_interior) {
        snprintf(number, sizeof number, "#%02x%02x%02x", o->interior[0], o->interior[1],
                 o->interior[2]);
        append_word(&text, "--interior", number);
    }
    if (o->guess) append(&text, " --guess");
    return text;
}

/* The options a picture's comment may hold: those describe() writes (in any spelling
 * getopt_long accepts), which say what the picture shows. --guess is one: it changes
 * pixels. Never the output, a location, a palette file, the machine (--threads, --engine,
 * --isa, --no-shortcuts), --from, --help, or how the file is written. */
static bool picture_option(int c)
{
    switch (c) {
    case 's': case 'i': case 'c': case 'r': case 'z': case 'p': case OPT_BOUNDS:
    case OPT_INTERIOR: case OPT_AA: case OPT_COLOR: case OPT_FORMULA: case OPT_POWER:
    case OPT_JULIA: case OPT_PERIOD: case OPT_OFFSET: case OPT_NPY: case OPT_GUESS:
        return true;
    default:
        return false;
    }
}

int render_opts_picture_only(int argc, char **argv, char *offence, size_t len)
{
    char shown[64], name[32];
    opterr = 0;
    optind = 0; /* 0, not 1: glibc then also forgets a half-read bundle like -qo */
    int c;
    /* '+': stop at the first word that is not an option, as the whole line would not. */
    while ((c = getopt_long(argc, argv, "+" SHORT_OPTIONS, long_options, NULL)) != -1) {
        if (c == '?' || c == ':') {
            comment_escape(argv[optind - 1], shown, sizeof shown);
            snprintf(offence, len, "%s '%s'", c == '?' ? "an unknown or ambiguous option" :
                                               "an option without its value", shown);
            return -1;
        }
        if (!picture_option(c)) {
            snprintf(offence, len, "%s", option_name(c, name, sizeof name));
            return -1;
        }
        int index;
        if (c == 'p' && mandel_palette_find(optarg, &index) != MANDEL_OK) {
            comment_escape(optarg, shown, sizeof shown);
            snprintf(offence, len, "--palette '%s', not a built-in palette", shown);
            return -1;
        }
    }
    if (optind < argc || strcmp(argv[optind - 1], "--") == 0) {
        comment_escape(optind < argc ? argv[optind] : "--", shown, sizeof shown);
        snprintf(offence, len, "'%s', not an option", shown);
        return -1;
    }
    return 0;
}
