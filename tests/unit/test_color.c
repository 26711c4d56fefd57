/*
 * tests/unit/test_color.c - palettes: names, endpoints, the viridis mapping matplotlib uses.
 */
#include "../check.h"
#include "mandel.h"

static void rgb_of(const mandel_color *c, uint32_t count, uint8_t out[3])
{
    CHECK_EQ_INT(MANDEL_OK, mandel_color_rgb(c, &count, 1, out));
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

    CHECK_EQ_INT(MANDEL_EINVAL, mandel_color_init(&c, 99, 10));
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_color_init(&c, def, 0));
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_color_rgb(NULL, field, 1, px));
    return check_report("test_color");
}
