/*
 * tests/unit/test_spec.c - a picture's description (mandel_spec, src/picture/spec.c):
 *   - every option's good values taken and bad ones refused with the CLI's one-line
 *     message (tests/cli/bad_input.sh checks the same messages through the program);
 *   - a stranger's source (mandel_spec_set_untrusted) refused every machine and path
 *     option and a palette file, and given every picture option;
 *   - describe(): the CLI's comment byte for byte, and a fixed point: its words, split and
 *     set again, describe the same text; a centre of 100,000 digits a coordinate kept whole;
 *   - the checks of the whole (mandel_spec_check) with their messages;
 *   - the options listed with their kinds.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mandel.h"
#include "../check.h"

static mandel_ctx *ctx;

/* Sets name=value on a fresh spec: MANDEL_OK, or the error with its message in *msg. */
static int set_one(const char *name, const char *value, int untrusted, char *msg, size_t len)
{
    mandel_spec *spec;
    CHECK_EQ_INT(MANDEL_OK, mandel_spec_new(ctx, &spec));
    int const err = untrusted ? mandel_spec_set_untrusted(spec, name, value)
                              : mandel_spec_set(spec, name, value);
    snprintf(msg, len, "%s", mandel_errmsg(ctx));
    mandel_spec_free(spec);
    return err;
}

static void good(const char *name, const char *value)
{
    char msg[512];
    int const err = set_one(name, value, 0, msg, sizeof msg);
    CHECK_EQ_INT(MANDEL_OK, err);
    if (err != MANDEL_OK) fprintf(stderr, "  %s=%s: %s\n", name, value, msg);
    CHECK_EQ_STR("", msg);
}

static void bad(const char *name, const char *value, const char *want)
{
    char msg[512];
    CHECK_EQ_INT(MANDEL_EINVAL, set_one(name, value, 0, msg, sizeof msg));
    CHECK_EQ_STR(want, msg);
}

static void refused(const char *name, const char *value, const char *want)
{
    char msg[512];
    CHECK_EQ_INT(MANDEL_EINVAL, set_one(name, value, 1, msg, sizeof msg));
    CHECK_TRUE(strstr(msg, want) != NULL);
    if (strstr(msg, want) == NULL) fprintf(stderr, "  got: %s\n", msg);
}

/* Sets the words of a "mandel render --name value ..." line (a flag takes no value) on
 * `spec`, as a stranger's; returns the number of options set or -1. */
static long set_words(mandel_spec *spec, char **words, long n)
{
    if (n < 2 || strcmp(words[0], "mandel") != 0 || strcmp(words[1], "render") != 0) return -1;
    long options = 0;
    for (long i = 2; i < n; i++) {
        if (strncmp(words[i], "--", 2) != 0) return -1;
        const char *const name = words[i] + 2;
        unsigned kind = 0;
        if (mandel_spec_option_kind(name, &kind) != MANDEL_OK) return -1;
        const char *value = NULL;
        if (!(kind & MANDEL_SPEC_FLAG)) {
            if (i + 1 >= n) return -1;
            value = words[++i];
        }
        if (mandel_spec_set_untrusted(spec, name, value) != MANDEL_OK) return -1;
        options++;
    }
    return options;
}

/* describe() of `spec`, split, set on a new spec: the same text again. Returns a copy of
 * the text (free it). */
static char *round_trip(mandel_spec *spec)
{
    const char *text;
    CHECK_EQ_INT(MANDEL_OK, mandel_spec_describe(spec, &text));
    char *const first = strdup(text);
    char *const copy = strdup(text);
    size_t const max = (strlen(copy) + 1) / 2 + 1;
    char **words = malloc(max * sizeof *words);
    const char *why;
    long const n = mandel_words_split(copy, words, max, &why);
    CHECK_TRUE(n >= 2);
    mandel_spec *again;
    CHECK_EQ_INT(MANDEL_OK, mandel_spec_new(ctx, &again));
    CHECK_TRUE(set_words(again, words, n) >= 0);
    const char *second;
    CHECK_EQ_INT(MANDEL_OK, mandel_spec_describe(again, &second));
    CHECK_TRUE(strcmp(first, second) == 0);
    mandel_spec_free(again);
    free(words);
    free(copy);
    return first;
}

static void check_fails(mandel_spec *spec, mandel_format format, int code, const char *want)
{
    CHECK_EQ_INT(code, mandel_spec_check(spec, format));
    CHECK_EQ_STR(want, mandel_errmsg(ctx));
}

/* A spec of name=value pairs (NULL-terminated list). */
static mandel_spec *spec_of(const char *const *pairs)
{
    mandel_spec *spec;
    CHECK_EQ_INT(MANDEL_OK, mandel_spec_new(ctx, &spec));
    for (size_t i = 0; pairs[i] != NULL; i += 2)
        CHECK_EQ_INT(MANDEL_OK, mandel_spec_set(spec, pairs[i], pairs[i + 1]));
    return spec;
}

int main(void)
{
    ctx = mandel_ctx_new(NULL);

    /* Good values of every option */
    good("size", "1x1");
    good("size", "65535X2");
    good("iterations", "4294967295");
    good("center", "-0.75,0");
    good("centre", "1e-300,-2");
    good("radius", "1e-1086");
    good("zoom", "5.00E227");
    good("bounds", "-2.5,1,-1,1");
    good("palette", "viridis");
    good("palette", MANDEL_TEST_DATA "/seed_400x400_1000.u32.gz"); /* a file: a gradient */
    good("interior", "#A0b0C0");
    good("color", "histogram");
    good("colour", "distance");
    good("formula", "burning-ship");
    good("power", "64");
    good("julia", "-0.8,0.156");
    good("palette-period", "0.5");
    good("palette-offset", "1");
    good("npy", "smooth");
    good("aa", "8");
    good("guess", NULL);
    good("guess", "");
    good("location", "x.kfr");
    good("threads", "1024");
    good("engine", "mpfr");
    good("isa", "scalar");
    good("no-shortcuts", NULL);

    /* Bad values: the CLI's messages */
    bad("size", "0x400", "--size '0x400': width must be 1..65535");
    bad("size", "400x0", "--size '400x0': height must be 1..65535");
    bad("size", "400", "--size '400': expected WIDTHxHEIGHT");
    bad("size", "4 x4", "--size '4 x4': width must be 1..65535");
    bad("iterations", "0", "--iterations '0': must be 1..4294967295");
    bad("iterations", "1e3", "--iterations '1e3': not a whole number");
    bad("iterations", "", "--iterations '': not a whole number");
    bad("centre", "nan,0", "--center 'nan,0': 'nan' is not finite");
    bad("center", "0", "--center '0': expected 2 numbers separated by a comma");
    bad("center", "0,-1e400", "--center '0,-1e400': '-1e400' is too large (a double ends at "
        "1.8e308)");
    bad("radius", "0.000", "--radius '0.000': must be above 0");
    bad("radius", "-1", "--radius '-1': must be above 0");
    bad("zoom", "abc", "--zoom 'abc': not a number");
    bad("bounds", "1,1,-1,1", "--bounds '1,1,-1,1': XMIN must be below XMAX");
    bad("bounds", "-1,1,-1", "--bounds '-1,1,-1': expected 4 numbers separated by commas");
    bad("palette", "nosuch", "--palette 'nosuch': no such palette (see 'mandel palettes') nor "
        "gradient file");
    bad("interior", "red", "--interior 'red': expected a colour #rrggbb");
    bad("colour", "rainbow", "--color 'rainbow': unknown mode (smooth, count, histogram, log, "
        "distance)");
    bad("formula", "newton", "--formula 'newton': unknown formula (mandelbrot, burning-ship, "
        "tricorn)");
    bad("power", "1", "--power '1': must be 2..64");
    bad("julia", "0.3", "--julia '0.3': expected 2 numbers separated by a comma");
    bad("palette-period", "0", "--palette-period '0': must be above 0");
    bad("palette-offset", "2", "--palette-offset '2': must be 0..1");
    bad("npy", "rgb", "--npy 'rgb': unknown data (counts, smooth, distance)");
    bad("aa", "9", "--aa '9': must be 1..8");
    bad("threads", "0", "--threads '0': must be 1..1024");
    bad("engine", "gpu", "--engine 'gpu': unknown engine (auto, double, perturb, mpfr)");
    bad("isa", "mmx", "--isa 'mmx': unknown kernel (auto, scalar, generic, sse2, avx2, avx512)");
    bad("guess", "yes", "--guess: takes no value");
    bad("size", NULL, "--size: missing value");
    bad("output", "x.png", "unknown option '--output'");
    bad("frobnicate", "1", "unknown option '--frobnicate'");

    /* A stranger's words: picture options only, built-in palettes only */
    char msg[512];
    CHECK_EQ_INT(MANDEL_OK, set_one("center", "-0.5,0.1", 1, msg, sizeof msg));
    CHECK_EQ_INT(MANDEL_OK, set_one("palette", "magma", 1, msg, sizeof msg));
    CHECK_EQ_INT(MANDEL_OK, set_one("guess", NULL, 1, msg, sizeof msg));
    refused("threads", "2", "--threads: not an option a picture may carry");
    refused("engine", "mpfr", "--engine: not an option a picture may carry");
    refused("isa", "scalar", "--isa: not an option a picture may carry");
    refused("no-shortcuts", NULL, "--no-shortcuts: not an option a picture may carry");
    refused("location", "/etc/passwd", "--location: not an option a picture may carry");
    refused("palette", MANDEL_TEST_DATA "/seed_400x400_1000.u32.gz", "not a built-in palette");
    refused("palette", "../../etc/passwd", "not a built-in palette");
    refused("output", "/tmp/x.png", "unknown option '--output'");

    /* The options and their kinds */
    int pictures = 0, others = 0;
    const char *name;
    unsigned kind;
    for (int i = 0; mandel_spec_option_info(i, &name, &kind) == MANDEL_OK; i++) {
        unsigned again;
        CHECK_EQ_INT(MANDEL_OK, mandel_spec_option_kind(name, &again));
        CHECK_EQ_INT((int)kind, (int)again);
        if (kind & MANDEL_SPEC_PICTURE) pictures++;
        else others++;
    }
    CHECK_EQ_INT(18, pictures);
    CHECK_EQ_INT(5, others);
    CHECK_EQ_INT(MANDEL_OK, mandel_spec_option_kind("location", &kind));
    CHECK_EQ_INT((int)MANDEL_SPEC_PATH, (int)kind);
    CHECK_EQ_INT(MANDEL_OK, mandel_spec_option_kind("no-shortcuts", &kind));
    CHECK_EQ_INT((int)(MANDEL_SPEC_MACHINE | MANDEL_SPEC_FLAG), (int)kind);
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_spec_option_kind("quality", &kind));

    /* describe(): the defaults, as the CLI wrote them */
    mandel_spec *spec = spec_of((const char *const[]){NULL});
    char *text = round_trip(spec);
    CHECK_EQ_STR("mandel render --center -0.75,0 --radius 1.25 --size 1200x800 --iterations 1000",
                 text);
    free(text);
    mandel_spec_free(spec);
    /* every picture option, and machine options left out */
    spec = spec_of((const char *const[]){
        "centre", "-0.74,0.13", "zoom", "1e5", "size", "64x48", "iterations", "5000",
        "palette", "magma", "formula", "mandelbrot", "julia", "-0.8,0.156", "color", "log",
        "palette-period", "3", "palette-offset", "0.25", "npy", "smooth", "aa", "3",
        "interior", "#A0B0C0", "guess", NULL, "threads", "2", "isa", "scalar", NULL});
    text = round_trip(spec);
    CHECK_EQ_STR("mandel render --center -0.74,0.13 --zoom 1e5 --size 64x48 --iterations 5000 "
                 "--palette magma --julia -0.80000000000000004,0.156 --color log "
                 "--palette-period 3 --palette-offset 0.25 --npy smooth --aa 3 "
                 "--interior '#a0b0c0' --guess", text);
    free(text);
    mandel_spec_free(spec);
    spec = spec_of((const char *const[]){"bounds", "-2.5,1,-1,1", "formula", "tricorn",
                                         "power", "3", NULL});
    text = round_trip(spec);
    CHECK_EQ_STR("mandel render --bounds -2.5,1,-1,1 --size 1200x800 --iterations 1000 "
                 "--formula tricorn --power 3", text);
    free(text);
    mandel_spec_free(spec);

    /* A centre of 100,000 digits a coordinate: kept whole, through describe and back */
    size_t const digits = 100000;
    char *const center = malloc(2 * digits + 16);
    char *at = center;
    at += sprintf(at, "-0.");
    for (size_t i = 0; i < digits; i++) *at++ = (char)('0' + (i * 7 + 3) % 10);
    at += sprintf(at, ",0.");
    for (size_t i = 0; i < digits; i++) *at++ = (char)('0' + (i * 3 + 1) % 10);
    *at = '\0';
    spec = spec_of((const char *const[]){"center", center, "zoom", "1e99000", "size", "8x6",
                                         NULL});
    CHECK_EQ_STR(center, mandel_spec_get(spec, "centre"));
    text = round_trip(spec);
    CHECK_TRUE(strstr(text, center) != NULL);
    free(text);
    const mandel_view *view;
    CHECK_EQ_INT(MANDEL_OK, mandel_spec_view(spec, &view));
    CHECK_EQ_INT(MANDEL_ENGINE_PERTURB, mandel_view_engine(view));
    mandel_spec_free(spec);
    free(center);

    /* The checks of the whole, with the CLI's messages */
    spec = spec_of((const char *const[]){"radius", "1", "zoom", "2", NULL});
    check_fails(spec, MANDEL_FORMAT_PNG, MANDEL_EINVAL,
                "--radius and --zoom say the same thing; give one");
    mandel_spec_free(spec);
    spec = spec_of((const char *const[]){"bounds", "-1,1,-1,1", "center", "0,0", NULL});
    check_fails(spec, MANDEL_FORMAT_PNG, MANDEL_EINVAL,
                "--bounds cannot be combined with --center, --radius or --zoom");
    mandel_spec_free(spec);
    spec = spec_of((const char *const[]){"npy", "smooth", NULL});
    check_fails(spec, MANDEL_FORMAT_PNG, MANDEL_EINVAL, "--npy smooth: applies to .npy output only");
    CHECK_EQ_INT(MANDEL_OK, mandel_spec_check(spec, MANDEL_FORMAT_NPY));
    mandel_spec_free(spec);
    spec = spec_of((const char *const[]){"aa", "2", NULL});
    check_fails(spec, MANDEL_FORMAT_PBM, MANDEL_EINVAL, "--aa 2: anti-aliasing applies to "
                "colour and grey images, not to .pbm or .npy");
    mandel_spec_free(spec);
    spec = spec_of((const char *const[]){"size", "65535x10", NULL});
    check_fails(spec, MANDEL_FORMAT_JPEG, MANDEL_EINVAL,
                "--size '65535x10': JPEG images are at most 65500 a side");
    mandel_spec_free(spec);
    spec = spec_of((const char *const[]){"center", "-0.75,0.1", "zoom", "1e20", "julia",
                                         "-0.8,0.156", NULL});
    check_fails(spec, MANDEL_FORMAT_PNG, MANDEL_EINVAL,
                "beyond double precision Julia sets cannot be rendered yet");
    mandel_spec_free(spec);
    /* the other formulas go deep (test_deep_formulas) */
    spec = spec_of((const char *const[]){"center", "-0.75,0.1", "zoom", "1e20", "formula",
                                         "tricorn", NULL});
    CHECK_EQ_INT(MANDEL_OK, mandel_spec_check(spec, MANDEL_FORMAT_PNG));
    mandel_spec_free(spec);
    spec = spec_of((const char *const[]){"size", "65535x65535", "palette", "viridis", NULL});
    CHECK_EQ_INT(MANDEL_ETOOBIG, mandel_spec_check(spec, MANDEL_FORMAT_PNG));
    CHECK_TRUE(strstr(mandel_errmsg(ctx), "a 65535x65535 picture with palette 'viridis' needs ")
               == mandel_errmsg(ctx));
    mandel_spec_free(spec);
    spec = spec_of((const char *const[]){"location", "nothere.kfr", NULL});
    CHECK_EQ_INT(MANDEL_EIO, mandel_spec_check(spec, MANDEL_FORMAT_PNG));
    CHECK_TRUE(strncmp(mandel_errmsg(ctx), "--location 'nothere.kfr': ", 26) == 0);
    mandel_spec_free(spec);

    mandel_ctx_free(ctx);
    return check_report("test_spec");
}
