/*
 * tests/unit/test_alloc.c - allocation failures: fail allocation 1, 2, 3, ... of a whole
 * render-and-write; each must end in MANDEL_ENOMEM (or a clean success once the failure
 * falls past the last allocation), with nothing leaked (ASan checks) and no file left.
 */
#include <sys/stat.h>
#include <unistd.h>

#include "../check.h"
#include "mandel.h"

typedef struct failing {
    int fail_at;   /* fail the n-th allocation (1-based); 0 = never */
    int count;
    int live;
} failing;

static void *f_alloc(void *user, size_t bytes)
{
    failing *const f = user;
    if (++f->count == f->fail_at) return NULL;
    void *const p = malloc(bytes);
    if (p) f->live++;
    return p;
}

static void f_free(void *user, void *ptr)
{
    failing *const f = user;
    if (ptr) f->live--;
    free(ptr);
}

/* One whole job, with guessing (MANDEL_OPT_GUESS: its tiles are allocated by the render)
 * or without; returns the first error. */
static int job(failing *f, const char *path, bool guess)
{
    mandel_allocator const a = {f_alloc, f_free, f};
    mandel_ctx *const ctx = mandel_ctx_new(&a);
    if (ctx == NULL) return MANDEL_ENOMEM;
    mandel_view *v = NULL;
    mandel_image *img = NULL;
    uint32_t counts[16 * 8];
    uint8_t rgb[16 * 8 * 3];
    int err = mandel_ctx_set(ctx, MANDEL_OPT_GUESS, guess);
    if (err == MANDEL_OK) err = mandel_view_new_center(ctx, &v, 16, 8, "-0.5", "0", "1");
    mandel_rect const all = {0, 0, 16, 8};
    if (err == MANDEL_OK) err = mandel_render(ctx, v, 100, all, counts, 16, sizeof counts);
    mandel_color c;
    if (err == MANDEL_OK) err = mandel_color_init(&c, 0, 100);
    if (err == MANDEL_OK) err = mandel_color_rgb(&c, counts, 16 * 8, rgb);
    if (err == MANDEL_OK) err = mandel_image_open(ctx, &img, path, MANDEL_FORMAT_PNG, 16, 8, NULL);
    if (err == MANDEL_OK) err = mandel_image_write_rows(img, rgb, 8);
    if (err == MANDEL_OK) {
        err = mandel_image_close(img);
        img = NULL;
    }
    mandel_image_abort(img);
    mandel_view_free(v);
    mandel_ctx_free(ctx);
    return err;
}

int main(void)
{
    char path[64];
    snprintf(path, sizeof path, "/tmp/mandel-test-alloc-%d.png", (int)getpid());
    for (int guess = 0; guess <= 1; guess++) {
        failing f = {0};
        CHECK_EQ_INT(MANDEL_OK, job(&f, path, guess));
        int const total = f.count;
        CHECK_TRUE(total >= 5);
        CHECK_EQ_INT(0, f.live);
        unlink(path);
        /* Every failed allocation is reported: with guessing, a render whose tiles could
         * not be allocated once claimed success with the field untouched. */
        for (int n = 1; n <= total; n++) {
            failing g = {.fail_at = n};
            int const err = job(&g, path, guess);
            CHECK_EQ_INT(MANDEL_ENOMEM, err);
            CHECK_EQ_INT(0, g.live);
            struct stat st;
            CHECK_TRUE(stat(path, &st) != 0);
        }
    }
    failing f = {0};
    mandel_allocator const broken = {NULL, f_free, &f};
    CHECK_TRUE(mandel_ctx_new(&broken) == NULL);
    return check_report("test_alloc");
}
