/*
 * tests/unit/test_color.c - palettes: names, endpoints, the viridis mapping matplotlib uses.
 */
#include <math.h>

#include "../check.h"
#include "mandel.h"

static void rgb_of(const mandel_color *c, uint32_t count, uint8_t out[3])
{
    CHECK_EQ_INT(MANDEL_OK, mandel_color_rgb(c, &count, 1, out));
}

static int gradient(mandel_ctx *ctx, mandel_color *c, const char *text)
{
    return mandel_color_gradient(ctx, c, text, strlen(text));
}

/* Gradient text: endpoints exact, hard edges, comments, CRLF; every error with its line. */
static void gradients(void)
{
    mandel_ctx *const ctx = mandel_ctx_new(NULL);
    mandel_color c;
    mandel_color_init(&c, 0, 100);
    CHECK_EQ_INT(MANDEL_OK, gradient(ctx, &c, "# sunset\r\n0 #102030\r\n\n1  #F0E0D0\r\n"));
    CHECK_TRUE(c.table[0][0] == 0x10 && c.table[0][1] == 0x20 && c.table[0][2] == 0x30);
    CHECK_TRUE(c.table[255][0] == 0xf0 && c.table[255][1] == 0xe0 && c.table[255][2] == 0xd0);
    CHECK_EQ_INT(-1, c.palette);
    CHECK_EQ_INT(MANDEL_MAP_CYCLE, c.mapping);
    /* A hard edge at 0.5: black up to it, white after. */
    CHECK_EQ_INT(MANDEL_OK, gradient(ctx, &c, "0 #000000\n0.5 #000000\n0.5 #ffffff\n1 #ffffff\n"));
    CHECK_EQ_INT(0, c.table[127][0]);
    CHECK_EQ_INT(255, c.table[128][0]);

    static const struct {
        const char *text, *message;
    } bad[] = {
        {"", "a gradient needs at least 2 stops, not 0"},
        {"0 #000000\n", "a gradient needs at least 2 stops, not 1"},
        {"0 #000000\n0.5 #ffffff\n", "gradient: the last stop must be at 1"},
        {"0.1 #000000\n1 #ffffff\n", "gradient line 1: the first stop must be at 0"},
        {"0 #000000\n0.7 #ffffff\n0.5 #ffffff\n1 #000000", "gradient line 3: positions must not decrease"},
        {"0 #00000\n1 #ffffff\n", "gradient line 1: expected a colour #rrggbb"},
        {"0 #00000g\n1 #ffffff\n", "gradient line 1: expected a colour #rrggbb"},
        {"0 000000\n1 #ffffff\n", "gradient line 1: expected a colour #rrggbb"},
        {"0#000000\n1 #ffffff\n", "gradient line 1: expected a blank between position and colour"},
        {"0 #000000 x\n1 #ffffff\n", "gradient line 1: unexpected text after the colour"},
        {"x #000000\n1 #ffffff\n", "gradient line 1: expected a position from 0 to 1"},
        {"0 #000000\n1.5 #ffffff\n", "gradient line 2: position is outside 0..1"},
        {"0 #000000\nnan #ffffff\n", "gradient line 2: expected a position from 0 to 1"},
        {"#comment without blank\n", "gradient line 1: expected a position from 0 to 1"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        mandel_color before;
        mandel_color_init(&c, 0, 100);
        before = c;
        CHECK_EQ_INT(MANDEL_EFORMAT, gradient(ctx, &c, bad[i].text));
        CHECK_EQ_STR(bad[i].message, mandel_errmsg(ctx));
        CHECK_TRUE(memcmp(&before, &c, sizeof c) == 0); /* refused whole: nothing changed */
    }
    char nul[] = "0 #000000\n1 #ffffff\n";
    nul[3] = '\0';
    CHECK_EQ_INT(MANDEL_EFORMAT, mandel_color_gradient(ctx, &c, nul, sizeof nul - 1));
    CHECK_EQ_STR("gradient line 1 holds a NUL byte", mandel_errmsg(ctx));
    mandel_ctx_free(ctx);
}

/* Anti-aliasing's averaging in linear light. */
static void downsample(void)
{
    /* Flat blocks come back unchanged, for every byte value (encode inverts decode). */
    uint8_t src[2][2 * 3], dst[3];
    int wrong = 0;
    for (int b = 0; b < 256; b++) {
        memset(src, b, sizeof src);
        CHECK_EQ_INT(MANDEL_OK, mandel_color_downsample(&src[0][0], 6, 2, 1, dst));
        wrong += dst[0] != b || dst[1] != b || dst[2] != b;
    }
    CHECK_EQ_INT(0, wrong);
    /* Half black, half white is half the light: sRGB 188, not the 128 of byte averaging. */
    uint8_t const bw[2][6] = {{0, 0, 0, 255, 255, 255}, {255, 255, 255, 0, 0, 0}};
    CHECK_EQ_INT(MANDEL_OK, mandel_color_downsample(&bw[0][0], 6, 2, 1, dst));
    CHECK_EQ_INT(188, dst[0]);
    CHECK_EQ_INT(188, dst[2]);
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_color_downsample(&bw[0][0], 6, 9, 1, dst));
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_color_downsample(&bw[0][0], 6, 0, 1, dst));
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_color_downsample(&bw[0][0], 5, 2, 1, dst));
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_color_downsample(NULL, 6, 2, 1, dst));
}

/* Mappings over float values: cycle period and offset, log, histogram, interior. */
static void mappings(void)
{
    int grey;
    mandel_palette_find("grey", &grey);
    mandel_color c;
    mandel_color_init(&c, grey, 1000);
    uint8_t px[3];
    /* Cycle: sqrt(v - 1) / period + offset; v = 1 + 64 with period 8 is one full turn. */
    c.mapping = MANDEL_MAP_CYCLE;
    c.period = 8;
    float v = 65.0f;
    mandel_color_values(&c, &v, 1, px);
    CHECK_EQ_INT(0, px[0]);
    c.offset = 0.5; /* half a turn on the cyclic grey: 128 */
    mandel_color_values(&c, &v, 1, px);
    CHECK_EQ_INT(128, px[0]);
    v = 1000.0f; /* interior */
    c.interior[1] = 77;
    mandel_color_values(&c, &v, 1, px);
    CHECK_EQ_INT(77, px[1]);
    /* Log: lo maps to the first entry, hi to the last. */
    c.mapping = MANDEL_MAP_LOG;
    c.lo = 1;
    c.hi = 999;
    v = 1.0f;
    mandel_color_values(&c, &v, 1, px);
    CHECK_EQ_INT(0, px[0]);
    v = 999.0f;
    mandel_color_values(&c, &v, 1, px);
    CHECK_EQ_INT(255, px[0]);
    /* Histogram: on a field whose values are uniform, the median maps to the middle; on a
     * skewed one (most values low), equalisation spreads the low values over the palette. */
    static float field[10000];
    for (int i = 0; i < 10000; i++) field[i] = 1.0f + (float)i / 10000.0f * 99.0f;
    c.mapping = MANDEL_MAP_HISTOGRAM;
    mandel_color_histogram(&c, field, 10000);
    v = 50.5f;
    mandel_color_values(&c, &v, 1, px);
    CHECK_TRUE(px[0] > 120 && px[0] < 135);
    for (int i = 0; i < 10000; i++) field[i] = i < 9000 ? 2.0f + (float)i / 9000.0f : 500.0f + i;
    mandel_color_histogram(&c, field, 10000);
    v = 2.5f; /* the middle of the low bunch: near 45% of the escaped values lie below */
    mandel_color_values(&c, &v, 1, px);
    CHECK_TRUE(px[0] > 100 && px[0] < 130);
    /* Counts and float values of the same number colour alike. */
    c.mapping = MANDEL_MAP_CYCLE;
    uint32_t const k = 37;
    float const kv = 37.0f;
    uint8_t a[3], b[3];
    mandel_color_rgb(&c, &k, 1, a);
    mandel_color_values(&c, &kv, 1, b);
    CHECK_TRUE(memcmp(a, b, 3) == 0);
    float const nan = NAN;
    mandel_color_values(&c, &nan, 1, px);
    CHECK_EQ_INT(77, px[1]); /* a NaN value is treated as interior, never as a colour */
    mandel_color_range_values(&c, field, 10000);
    CHECK_EQ_DBL(2.0, c.lo);
}

/* mandel_color_auto_period: percentiles 1 and 99.9 (nearest rank) of sqrt(v - 1) over the
 * escaped values make 2 turns if they spread less than 8; else 8. */
static void auto_period(void)
{
    mandel_color c;
    int def;
    CHECK_EQ_INT(MANDEL_OK, mandel_palette_find("default", &def));
    CHECK_EQ_INT(MANDEL_OK, mandel_color_init(&c, def, 1000000));
    static float v[MANDEL_PERIOD_LATTICE * MANDEL_PERIOD_LATTICE];
    size_t const n = sizeof v / sizeof *v;
    /* sqrt(v - 1) = 100 + i / 800 for i = 0..4095, given in reverse: ranks (4095 / 100) = 40
     * and (4095 * 999 / 1000) = 4090, so the spread is 4050 / 800 and the period half. */
    for (size_t i = 0; i < n; i++) {
        double const s = 100 + (double)(n - 1 - i) / 800;
        v[i] = (float)(s * s + 1);
    }
    CHECK_EQ_INT(MANDEL_OK, mandel_color_auto_period(&c, v, n));
    CHECK_TRUE(fabs(c.period - 4050.0 / 1600) < 1e-3);
    /* interior values (at or above max_iter) and NaN are left out: 16 escaped values are
     * enough, 15 are not */
    float few[40];
    for (int i = 0; i < 40; i++) {
        double const s = 100 + i / 3.0;
        few[i] = i < 16 ? (float)(1 + s * s) : 2e6f;
    }
    few[20] = NAN;
    CHECK_EQ_INT(MANDEL_OK, mandel_color_auto_period(&c, few, 40));
    CHECK_TRUE(fabs(c.period - 7 / 3.0) < 1e-4); /* ranks 0 and 14: 14 / 3 / 2 */
    c.period = 3;
    CHECK_EQ_INT(MANDEL_OK, mandel_color_auto_period(&c, few + 1, 39));
    CHECK_TRUE(c.period == 8);
    /* a spread of 8 or more keeps the default 8 (here 8.1); none at all too */
    for (size_t i = 0; i < n; i++) v[i] = (float)(1 + (double)i * i * 8.1 * 8.1 / 4095 / 4095);
    CHECK_EQ_INT(MANDEL_OK, mandel_color_auto_period(&c, v, n));
    CHECK_TRUE(c.period == 8);
    for (size_t i = 0; i < n; i++) v[i] = 50;
    CHECK_EQ_INT(MANDEL_OK, mandel_color_auto_period(&c, v, n));
    CHECK_TRUE(c.period == 8);
    /* limits */
    c.period = 3;
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_color_auto_period(&c, v, n + 1));
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_color_auto_period(&c, NULL, 3));
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_color_auto_period(NULL, v, 3));
    CHECK_TRUE(c.period == 3);
    CHECK_EQ_INT(MANDEL_OK, mandel_color_auto_period(&c, NULL, 0));
    CHECK_TRUE(c.period == 8);
}

int main(void)
{
    int viridis, def, grey;
    CHECK_EQ_INT(MANDEL_OK, mandel_palette_find("viridis", &viridis));
    CHECK_EQ_INT(MANDEL_OK, mandel_palette_find("default", &def));
    CHECK_EQ_INT(MANDEL_OK, mandel_palette_find("grey", &grey));
    int gray;
    CHECK_EQ_INT(MANDEL_OK, mandel_palette_find("gray", &gray));
    CHECK_EQ_INT(grey, gray);
    int unused;
    CHECK_EQ_INT(MANDEL_EFORMAT, mandel_palette_find("nosuch", &unused));
    CHECK_EQ_INT(MANDEL_EFORMAT, mandel_palette_find("", &unused));
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_palette_find(NULL, &unused));
    CHECK_EQ_STR("default", mandel_palette_name(0));
    int n = 0;
    while (mandel_palette_name(n) != NULL) {
        CHECK_TRUE(mandel_palette_describe(n) != NULL);
        n++;
    }
    CHECK_TRUE(n >= 3);
    CHECK_TRUE(mandel_palette_name(-1) == NULL);
    CHECK_TRUE(mandel_palette_needs_range(viridis));
    CHECK_TRUE(!mandel_palette_needs_range(def));

    /* viridis over the tutorial's range 1..1000: matplotlib's endpoint colours, exactly. */
    mandel_color c;
    CHECK_EQ_INT(MANDEL_OK, mandel_color_init(&c, viridis, 1000));
    uint32_t const field[] = {1, 1000, 500, 2};
    mandel_color_range(&c, field, 4);
    CHECK_EQ_U32(1, c.lo);
    CHECK_EQ_U32(1000, c.hi);
    uint8_t px[3];
    rgb_of(&c, 1, px);
    CHECK_TRUE(px[0] == 68 && px[1] == 1 && px[2] == 84);
    rgb_of(&c, 1000, px);
    CHECK_TRUE(px[0] == 253 && px[1] == 231 && px[2] == 36);
    /* (500-1)/999*256 = 127.87 -> entry 127 (32,143,140); (501-1)/999*256 = 128.1 -> 128
     * (32,144,140): matplotlib's Normalize(1, 1000) + viridis(bytes=True) gives the same. */
    rgb_of(&c, 500, px);
    CHECK_TRUE(px[0] == 32 && px[1] == 143 && px[2] == 140);
    rgb_of(&c, 501, px);
    CHECK_TRUE(px[0] == 32 && px[1] == 144 && px[2] == 140);
    /* A flat field maps to the first entry rather than dividing by zero. */
    c.lo = c.hi = 7;
    rgb_of(&c, 7, px);
    CHECK_TRUE(px[0] == 68 && px[1] == 1 && px[2] == 84);

    /* Grey: its endpoints are black and white, exactly. */
    CHECK_EQ_INT(MANDEL_OK, mandel_color_init(&c, grey, 100));
    c.lo = 1;
    c.hi = 100;
    rgb_of(&c, 1, px);
    CHECK_TRUE(px[0] == 0 && px[1] == 0 && px[2] == 0);
    rgb_of(&c, 100, px);
    CHECK_TRUE(px[0] == 255 && px[1] == 255 && px[2] == 255);

    /* Default: interior gets the interior colour; count 1 the first stop (0,7,100). */
    CHECK_EQ_INT(MANDEL_OK, mandel_color_init(&c, def, 50));
    rgb_of(&c, 50, px);
    CHECK_TRUE(px[0] == 0 && px[1] == 0 && px[2] == 0);
    c.interior[0] = 9;
    rgb_of(&c, 50, px);
    CHECK_EQ_INT(9, px[0]);
    rgb_of(&c, 1, px);
    CHECK_TRUE(px[0] == 0 && px[1] == 7 && px[2] == 100);

    /* Every matplotlib map has matplotlib's endpoints (bytes=True: entries times 255,
     * truncated), e.g. magma from (0,0,3) to (251,252,191). */
    int magma;
    CHECK_EQ_INT(MANDEL_OK, mandel_palette_find("magma", &magma));
    CHECK_EQ_INT(MANDEL_OK, mandel_color_init(&c, magma, 100));
    CHECK_TRUE(c.table[0][0] == 0 && c.table[0][1] == 0 && c.table[0][2] == 3);
    CHECK_TRUE(c.table[255][0] == 251 && c.table[255][1] == 252 && c.table[255][2] == 191);
    CHECK_EQ_INT(MANDEL_MAP_RANGE, c.mapping);

    gradients();
    downsample();
    mappings();
    auto_period();

    CHECK_EQ_INT(MANDEL_EINVAL, mandel_color_init(&c, 99, 10));
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_color_init(&c, def, 0));
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_color_rgb(NULL, field, 1, px));
    return check_report("test_color");
}
