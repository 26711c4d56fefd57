/* The tutorial's 400x400 picture with libmandel: counts on every core, then a PNG.
 * cc tutorial.c $(pkg-config --cflags --libs mandel) -o tutorial && ./tutorial */
#include <mandel.h>
#include <stdio.h>
#include <stdlib.h>

int main(void)
{
    mandel_ctx *ctx = mandel_ctx_new(NULL);
    mandel_view *view;
    uint32_t *counts = malloc(400 * 400 * sizeof *counts);
    uint8_t *rgb = malloc(400 * 400 * 3);
    mandel_rect all = {0, 0, 400, 400};
    mandel_color color;
    mandel_image *png;
    int palette, err;

    if ((err = mandel_view_new_bounds(ctx, &view, 400, 400, -2.5, 1, -1, 1)) ||
        (err = mandel_render(ctx, view, 1000, all, counts, 400, 400 * 400 * 4)) ||
        (err = mandel_palette_find("viridis", &palette)) ||
        (err = mandel_color_init(&color, palette, 1000)))
        return fprintf(stderr, "%s\n", mandel_errmsg(ctx)), 1;
    mandel_color_range(&color, counts, 400 * 400);
    mandel_color_rgb(&color, counts, 400 * 400, rgb);
    if ((err = mandel_image_open(ctx, &png, "tutorial.png", MANDEL_FORMAT_PNG, 400, 400, NULL)) ||
        (err = mandel_image_write_rows(png, rgb, 400)) || (err = mandel_image_close(png)))
        return fprintf(stderr, "%s\n", mandel_errmsg(ctx)), 1;
    printf("count at the centre row, column 200: %u\n", counts[200 * 400 + 200]);
    mandel_view_free(view);
    mandel_ctx_free(ctx);
    free(counts);
    free(rgb);
    return 0;
}
