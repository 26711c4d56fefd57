/*
 * cli/render_opts.c - the options of 'mandel render': the manual, and the command line
 * read with getopt_long: the options of the picture and its computation go to the
 * library's mandel_spec by their long names (its grammar and messages), the command's own
 * (-o, --format, --quality, --save-location, -q, --stats) stay here.
 *
 * Invariant: every option getopt_long accepts is either the spec's (by its long name) or
 * handled here; a spelling getopt_long resolves reaches the spec by the canonical name.
 */
#include "render_opts.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

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
    "                          kernels; beyond double precision every mode works for\n"
    "                          every formula (perturbation engine; distance: z^2 + c)\n"
    "      --palette-period P  cycling palettes: one turn per P units of sqrt(iterations)\n"
    "                          (default: 8, or, where the picture's values span less\n"
    "                          than one turn of 8 as at most deep zooms, two turns\n"
    "                          across them)\n"
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
    "                          colouring, a built-in palette, --aa, --npy, --guess,\n"
    "                          --exact. A comment that holds any other (-o,\n"
    "                          --save-location, --location, a palette file, --threads,\n"
    "                          --engine, ...) is refused whole (exit 1), not trimmed:\n"
    "                          it was crafted, and the rest of it is not what its\n"
    "                          sender described either\n"
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
    "      --exact             beyond double precision, every count equal to the MPFR\n"
    "                          engine's: pixels whose count double deltas cannot be\n"
    "                          trusted for (closer to the set than their rounding may\n"
    "                          shift them) are computed again in double-double, the few\n"
    "                          left in doubt in MPFR. Slower (every pixel's derivative,\n"
    "                          and the redone pixels: 4x at 1e50, 15x at 5e227); the\n"
    "                          Burning Ship, the Tricorn and z^d to zooms of about 1e270\n"
    "                          only, as yet\n"
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

enum { OPT_BOUNDS = 256, OPT_QUALITY, OPT_ISA, OPT_NO_SHORTCUTS, OPT_STATS, OPT_GUESS, OPT_EXACT,
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
    {"exact", no_argument, NULL, OPT_EXACT},
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

int render_opts_format(const char *name, mandel_format *format)
{
    /* The extension table knows the names: "x.NAME" has the format NAME names. */
    char path[16];
    if (strlen(name) + 3 > sizeof path || strchr(name, '.') != NULL || *name == '\0') return -1;
    snprintf(path, sizeof path, "x.%s", name);
    return mandel_format_from_path(path, format) == MANDEL_OK ? 0 : -1;
}

bool cli_whole(const char *text, uint32_t max, uint32_t *out)
{
    char *end = NULL;
    unsigned long const v = text[0] >= '0' && text[0] <= '9' ? strtoul(text, &end, 10) : 0;
    if (v < 1 || v > max || *end != '\0') return false;
    *out = (uint32_t)v;
    return true;
}

int render_opts_parse(int argc, char **argv, mandel_ctx *ctx, render_opts *o)
{
    *o = (render_opts){0};
    if (mandel_spec_new(ctx, &o->spec) != MANDEL_OK) return cli_error(EXIT_FAIL, "out of memory");
    opterr = 0;
    optind = 0; /* 0, not 1: glibc then forgets any state of an earlier, unfinished parse */
    int c;
    char name[32];
    uint32_t quality;
    while ((c = getopt_long(argc, argv, SHORT_OPTIONS, long_options, NULL)) != -1) {
        switch (c) {
        case OPT_SAVE_LOCATION:
            if (*optarg == '\0') return bad_value(c, optarg, "empty file name");
            if (strcmp(optarg, "-") == 0)
                return bad_value(c, optarg, "a location is written to a file only (standard "
                                            "output is for the picture)");
            o->save_location = optarg;
            break;
        case OPT_FROM:
            /* expand_from() took out the --from it read; another (or an abbreviation of
             * it, which getopt_long accepts) would be ignored without a word. */
            return cli_error(EXIT_USAGE, "--from: give it once, spelled out in full "
                                         "(--from PICTURE)");
        case OPT_QUALITY:
            if (!cli_whole(optarg, 100, &quality)) return bad_value(c, optarg, "must be 1..100");
            o->quality = (int)quality;
            break;
        case OPT_STATS: o->stats = true; break;
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
            const char *const spelled = argv[optind - 1];
            if (optopt != 0) option_name(optopt, name, sizeof name);
            return cli_error(EXIT_USAGE, "%s: missing value (see 'mandel render --help')",
                             optopt != 0 ? name : spelled);
        }
        case '?':
            return cli_error(EXIT_USAGE, "unknown option '%s' (see 'mandel render --help')",
                             argv[optind - 1]);
        default: {
            /* The spec's: its grammar, its message. */
            int const err = mandel_spec_set(o->spec, option_name(c, name, sizeof name) + 2,
                                            optarg);
            if (err != MANDEL_OK)
                return cli_error(err == MANDEL_EINVAL ? EXIT_USAGE : EXIT_FAIL, "%s",
                                 mandel_errmsg(ctx));
            break;
        }
        }
    }
    if (optind < argc)
        return cli_error(EXIT_USAGE, "unexpected argument '%s' (see 'mandel render --help')",
                         argv[optind]);
    if (o->output == NULL)
        return cli_error(EXIT_USAGE, "no output file: give -o FILE (see 'mandel render --help')");
    return -1;
}

/* The options a picture's comment may hold: those the spec calls MANDEL_SPEC_PICTURE (in
 * any spelling getopt_long accepts), which say what the picture shows; a palette only by
 * a built-in name. */
int render_opts_picture_only(int argc, char **argv, char *offence, size_t len)
{
    char shown[64], name[32];
    opterr = 0;
    optind = 0; /* 0, not 1: glibc then also forgets a half-read bundle like -qo */
    int c;
    /* '+': stop at the first word that is not an option, as the whole line would not. */
    while ((c = getopt_long(argc, argv, "+" SHORT_OPTIONS, long_options, NULL)) != -1) {
        if (c == '?' || c == ':') {
            mandel_words_escape(argv[optind - 1], shown, sizeof shown);
            snprintf(offence, len, "%s '%s'", c == '?' ? "an unknown or ambiguous option" :
                                               "an option without its value", shown);
            return -1;
        }
        /* The options describe() writes, which say what the picture shows: never the
         * output, a location, a palette file, the machine, --from, --help, or how the file
         * is written. */
        unsigned kind = 0;
        option_name(c, name, sizeof name);
        if (mandel_spec_option_kind(name + 2, &kind) != MANDEL_OK ||
            !(kind & MANDEL_SPEC_PICTURE)) {
            snprintf(offence, len, "%s", name);
            return -1;
        }
        int index;
        if (c == 'p' && mandel_palette_find(optarg, &index) != MANDEL_OK) {
            mandel_words_escape(optarg, shown, sizeof shown);
            snprintf(offence, len, "--palette '%s', not a built-in palette", shown);
            return -1;
        }
    }
    if (optind < argc || strcmp(argv[optind - 1], "--") == 0) {
        mandel_words_escape(optind < argc ? argv[optind] : "--", shown, sizeof shown);
        snprintf(offence, len, "'%s', not an option", shown);
        return -1;
    }
    return 0;
}

/* The picture's format: --format, else the extension of -o; -1 to go on. */
int render_opts_choose_format(const render_opts *o, mandel_format *format)
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
    return -1;
}
