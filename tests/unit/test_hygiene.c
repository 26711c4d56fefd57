/*
 * tests/unit/test_hygiene.c - the library's manners, each a bug found in review (issue 9):
 *   - it never touches the process's umask (atomic_file.c read it by setting it, a race
 *     with every other thread creating files), and its files still get 0666 & ~umask;
 *   - it never writes to stderr (libjpeg's default message handler, MANDEL_DEEP_STATS);
 *   - mandel_errmsg() holds a long message whole (a path of 3000 characters), shortens
 *     user text with "...", and says "..." when it could not get the memory;
 *   - mandel_errmsg() is "" after every call that succeeded.
 * Each check failed before its fix.
 */

#include "mandel.h"

#include <fcntl.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../check.h"

static char dir[64];

static const char *in_dir(const char *name)
{
    static char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return path;
}

/* ------------------------------------------------------------------------------------- */
/* umask: this definition takes the place of libc's for the whole program, library
 * included, so every call is counted; the test itself sets the mask by the system call. */

static atomic_int umask_calls;

mode_t umask(mode_t mask)
{
    atomic_fetch_add(&umask_calls, 1);
    return (mode_t)syscall(SYS_umask, mask);
}

static int write_ppm(mandel_ctx *ctx, const char *path)
{
    mandel_image *img;
    int err = mandel_image_open(ctx, &img, path, MANDEL_FORMAT_PPM, 2, 2, NULL);
    if (err != MANDEL_OK) return err;
    uint8_t const rows[2 * 2 * 3] = {0};
    err = mandel_image_write_rows(img, rows, 2);
    if (err != MANDEL_OK) {
        mandel_image_abort(img);
        return err;
    }
    return mandel_image_close(img);
}

static void test_umask(void)
{
    mode_t const saved = (mode_t)syscall(SYS_umask, 027);
    mandel_ctx *const ctx = mandel_ctx_new(NULL);
    mandel_view *view = NULL;
    CHECK_EQ_INT(MANDEL_OK, mandel_view_new_center(ctx, &view, 4, 4, "-0.5", "0", "1"));
    atomic_store(&umask_calls, 0);
    for (int i = 0; i < 20; i++) {
        CHECK_EQ_INT(MANDEL_OK, write_ppm(ctx, in_dir("mode.ppm")));
        CHECK_EQ_INT(MANDEL_OK, mandel_location_save(ctx, view, 100, in_dir("mode.kfr")));
    }
    CHECK_EQ_INT(0, atomic_load(&umask_calls));
    struct stat st;
    CHECK_EQ_INT(0, stat(in_dir("mode.ppm"), &st));
    CHECK_EQ_INT(0640, st.st_mode & 0777);
    CHECK_EQ_INT(0, stat(in_dir("mode.kfr"), &st));
    CHECK_EQ_INT(0640, st.st_mode & 0777);
    syscall(SYS_umask, 0);
    CHECK_EQ_INT(MANDEL_OK, write_ppm(ctx, in_dir("mode.ppm"))); /* replaced: a new file */
    CHECK_EQ_INT(0, stat(in_dir("mode.ppm"), &st));
    CHECK_EQ_INT(0666, st.st_mode & 0777);
    syscall(SYS_umask, saved);
    unlink(in_dir("mode.ppm"));
    unlink(in_dir("mode.kfr"));
    mandel_view_free(view);
    mandel_ctx_free(ctx);
}

/* ------------------------------------------------------------------------------------- */
/* stderr: file descriptor 2 goes to a temporary file while the library works. */

static int saved_stderr = -1;
static FILE *captured;

static void capture_begin(void)
{
    fflush(stderr);
    captured = tmpfile();
    saved_stderr = dup(STDERR_FILENO);
    dup2(fileno(captured), STDERR_FILENO);
}

/* Restores stderr; returns the bytes written meanwhile, and shows them. */
static long capture_end(void)
{
    fflush(stderr);
    dup2(saved_stderr, STDERR_FILENO);
    close(saved_stderr);
    long const n = ftell(captured) > 0 ? ftell(captured) : lseek(fileno(captured), 0, SEEK_END);
    if (n > 0) {
        char text[512];
        rewind(captured);
        size_t const got = fread(text, 1, sizeof text - 1, captured);
        text[got] = '\0';
        fprintf(stderr, "the library wrote to stderr: %s\n", text);
    }
    fclose(captured);
    return n;
}

/* A JPEG with a comment, then three stray bytes put after its SOI marker: libjpeg reads on
 * with a warning ("Corrupt JPEG data: 3 extraneous bytes before marker 0xfe"), which its
 * default handler prints on stderr. */
static void make_corrupt_jpeg(mandel_ctx *ctx, const char *path)
{
    mandel_image *img;
    mandel_image_options const opts = {.comment = "hello"};
    CHECK_EQ_INT(MANDEL_OK, mandel_image_open(ctx, &img, path, MANDEL_FORMAT_JPEG, 8, 8, &opts));
    uint8_t rows[8 * 8 * 3];
    memset(rows, 0x80, sizeof rows);
    CHECK_EQ_INT(MANDEL_OK, mandel_image_write_rows(img, rows, 8));
    CHECK_EQ_INT(MANDEL_OK, mandel_image_close(img));
    FILE *f = fopen(path, "rb");
    CHECK_TRUE(f != NULL);
    if (f == NULL) return;
    static uint8_t bytes[1 << 16];
    size_t const n = fread(bytes, 1, sizeof bytes, f);
    fclose(f);
    CHECK_TRUE(n > 4 && bytes[0] == 0xff && bytes[1] == 0xd8);
    f = fopen(path, "wb");
    fwrite(bytes, 1, 2, f); /* SOI, then "abc", then the rest */
    fwrite("abc", 1, 3, f);
    fwrite(bytes + 2, 1, n - 2, f);
    fclose(f);
}

static void test_no_stderr(void)
{
    mandel_ctx *const ctx = mandel_ctx_new(NULL);
    make_corrupt_jpeg(ctx, in_dir("corrupt.jpg"));
    char comment[64] = "";
    capture_begin();
    int const err = mandel_image_comment(ctx, in_dir("corrupt.jpg"), comment, sizeof comment);
    CHECK_EQ_INT(0, capture_end());
    CHECK_EQ_INT(MANDEL_OK, err);
    CHECK_EQ_STR("hello", comment);
    unlink(in_dir("corrupt.jpg"));

    /* A deep render with the old debugging switch set. */
    setenv("MANDEL_DEEP_STATS", "1", 1);
    mandel_view *view;
    CHECK_EQ_INT(MANDEL_OK, mandel_view_new_zoom(ctx, &view, 16, 16, "-0.75", "0.1", "1e20"));
    mandel_ctx_set(ctx, MANDEL_OPT_ENGINE, MANDEL_ENGINE_PERTURB);
    uint32_t counts[16 * 16];
    capture_begin();
    int const rerr = mandel_render(ctx, view, 500, (mandel_rect){0, 0, 16, 16}, counts, 16,
                                   sizeof counts);
    CHECK_EQ_INT(0, capture_end());
    CHECK_EQ_INT(MANDEL_OK, rerr);
    unsetenv("MANDEL_DEEP_STATS");
    mandel_view_free(view);
    mandel_ctx_free(ctx);
}

/* ------------------------------------------------------------------------------------- */
/* Long messages. */

static bool fail_allocations;

static void *test_alloc(void *user, size_t bytes)
{
    (void)user;
    return fail_allocations ? NULL : malloc(bytes);
}

static void test_free(void *user, void *ptr)
{
    (void)user;
    free(ptr);
}

static void test_long_messages(void)
{
    mandel_allocator const alloc = {test_alloc, test_free, NULL};
    mandel_ctx *const ctx = mandel_ctx_new(&alloc);
    /* 3000 characters of directories that do not exist */
    static char path[4096];
    size_t len = (size_t)snprintf(path, sizeof path, "%s/nothere", dir);
    while (len < 3000) len += (size_t)snprintf(path + len, sizeof path - len, "/directory");
    snprintf(path + len, sizeof path - len, "/a.ppm");
    mandel_image *img;
    CHECK_EQ_INT(MANDEL_EIO, mandel_image_open(ctx, &img, path, MANDEL_FORMAT_PPM, 2, 2, NULL));
    const char *msg = mandel_errmsg(ctx);
    CHECK_TRUE(strstr(msg, path) != NULL);
    CHECK_TRUE(strstr(msg, "No such file or directory") != NULL);
    /* twice in a row: the second long message replaces the first */
    mandel_location *loc;
    CHECK_EQ_INT(MANDEL_EIO, mandel_location_read(ctx, path, &loc));
    msg = mandel_errmsg(ctx);
    CHECK_TRUE(strstr(msg, path) != NULL && strstr(msg, "No such file or directory") != NULL);

    /* A centre of 100,000 digits, one of them wrong: quoted by its start and "..." */
    size_t const n_digits = 100000;
    char *const centre = malloc(n_digits + 4);
    memcpy(centre, "0.", 2);
    memset(centre + 2, '1', n_digits);
    memcpy(centre + 2 + n_digits, "x", 2);
    mandel_view *view;
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_view_new_center(ctx, &view, 4, 4, centre, "0", "1"));
    msg = mandel_errmsg(ctx);
    CHECK_TRUE(strlen(msg) < 120);
    CHECK_TRUE(strstr(msg, "0.1111111111") != NULL && strstr(msg, "1...") != NULL);
    CHECK_TRUE(strstr(msg, "not a finite number") != NULL);
    free(centre);

    /* No memory for the long message: its start, marked as cut. */
    fail_allocations = true;
    CHECK_EQ_INT(MANDEL_EIO, mandel_location_read(ctx, path, &loc));
    fail_allocations = false;
    msg = mandel_errmsg(ctx);
    CHECK_EQ_INT(255, strlen(msg));
    CHECK_TRUE(strncmp(msg, "cannot open '", 13) == 0);
    CHECK_EQ_STR("...", msg + strlen(msg) - 3);
    mandel_ctx_free(ctx);
}

/* ------------------------------------------------------------------------------------- */
/* "" after every call that succeeded. */

static void fail(mandel_ctx *ctx)
{
    CHECK_EQ_INT(MANDEL_EINVAL, mandel_ctx_set(ctx, (mandel_option)999, 1));
    CHECK_TRUE(mandel_errmsg(ctx)[0] != '\0');
}

#define CHECK_CLEARED(ctx, call)                         \
    do {                                                 \
        fail(ctx);                                       \
        CHECK_EQ_INT(MANDEL_OK, (call));                 \
        if (mandel_errmsg(ctx)[0] != '\0')               \
            fprintf(stderr, "after %s:\n", #call);       \
        CHECK_EQ_STR("", mandel_errmsg(ctx));            \
    } while (0)

static int discard(void *user, const void *bytes, size_t len)
{
    (void)user, (void)bytes, (void)len;
    return 0;
}

static void test_cleared(void)
{
    mandel_ctx *const ctx = mandel_ctx_new(NULL);
    CHECK_EQ_STR("", mandel_errmsg(ctx));
    CHECK_CLEARED(ctx, mandel_ctx_set(ctx, MANDEL_OPT_THREADS, 2));
    CHECK_CLEARED(ctx, mandel_ctx_set_julia(ctx, 0, 0, 0));
    mandel_view *v1, *v2, *v3;
    CHECK_CLEARED(ctx, mandel_view_new_bounds(ctx, &v1, 8, 8, -2, 1, -1.5, 1.5));
    CHECK_CLEARED(ctx, mandel_view_new_center(ctx, &v2, 8, 8, "-0.5", "0", "1.5"));
    CHECK_CLEARED(ctx, mandel_view_new_zoom(ctx, &v3, 8, 8, "-0.5", "0", "1"));
    uint32_t counts[64];
    float smooth[64];
    mandel_fields const fields = {NULL, smooth, NULL, 8, 64};
    CHECK_CLEARED(ctx, mandel_render(ctx, v1, 50, (mandel_rect){0, 0, 8, 8}, counts, 8,
                                     sizeof counts));
    CHECK_CLEARED(ctx, mandel_render_fields(ctx, v2, 50, (mandel_rect){0, 0, 8, 8}, &fields));

    mandel_image *img;
    uint8_t rgb[8 * 8 * 3] = {0};
    mandel_image_options const opts = {.comment = "mandel render"};
    CHECK_CLEARED(ctx, mandel_image_open(ctx, &img, in_dir("c.png"), MANDEL_FORMAT_PNG, 8, 8,
                                         &opts));
    CHECK_CLEARED(ctx, mandel_image_write_rows(img, rgb, 8));
    CHECK_CLEARED(ctx, mandel_image_close(img));
    CHECK_CLEARED(ctx, mandel_image_open_stream(ctx, &img, discard, NULL, MANDEL_FORMAT_PPM, 8,
                                                8, NULL));
    CHECK_CLEARED(ctx, mandel_image_write_rows(img, rgb, 8));
    CHECK_CLEARED(ctx, mandel_image_close(img));
    char comment[64];
    CHECK_CLEARED(ctx, mandel_image_comment(ctx, in_dir("c.png"), comment, sizeof comment));

    CHECK_CLEARED(ctx, mandel_image_open(ctx, &img, in_dir("c.npy"), MANDEL_FORMAT_NPY, 8, 8,
                                         NULL));
    CHECK_EQ_INT(MANDEL_OK, mandel_image_write_rows(img, counts, 8));
    CHECK_EQ_INT(MANDEL_OK, mandel_image_close(img));
    mandel_npy *npy;
    CHECK_CLEARED(ctx, mandel_npy_read(ctx, in_dir("c.npy"), &npy));
    mandel_npy_free(npy);
    static uint8_t npy_bytes[4096];
    FILE *const f = fopen(in_dir("c.npy"), "rb");
    size_t const npy_len = f != NULL ? fread(npy_bytes, 1, sizeof npy_bytes, f) : 0;
    if (f != NULL) fclose(f);
    CHECK_CLEARED(ctx, mandel_npy_parse(ctx, npy_bytes, npy_len, &npy));
    mandel_npy_free(npy);

    CHECK_CLEARED(ctx, mandel_location_save(ctx, v3, 100, in_dir("c.kfr")));
    mandel_location *loc;
    CHECK_CLEARED(ctx, mandel_location_read(ctx, in_dir("c.kfr"), &loc));
    mandel_location_free(loc);
    static const char kfr[] = "Re: 0\nIm: 0\nZoom: 1\nIterations: 9\n";
    CHECK_CLEARED(ctx, mandel_location_parse(ctx, kfr, sizeof kfr - 1, &loc));
    mandel_location_free(loc);

    mandel_color color;
    CHECK_EQ_INT(MANDEL_OK, mandel_color_init(&color, 0, 50));
    static const char gradient[] = "0 #000000\n1 #ffffff\n";
    CHECK_CLEARED(ctx, mandel_color_gradient(ctx, &color, gradient, sizeof gradient - 1));

    unlink(in_dir("c.png"));
    unlink(in_dir("c.npy"));
    unlink(in_dir("c.kfr"));
    mandel_view_free(v1);
    mandel_view_free(v2);
    mandel_view_free(v3);
    mandel_ctx_free(ctx);
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/mandel-test-hygiene-XXXXXX");
    if (mkdtemp(dir) == NULL) return 1;
    test_umask();
    test_no_stderr();
    test_long_messages();
    test_cleared();
    rmdir(dir);
    return check_report("test_hygiene");
}
